
/*
 * Account fields: password, e-mail address, client reference, name; the
 * process-wide compiled pattern they use.
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#define PCRE2_CODE_UNIT_WIDTH 8

#include <string.h>
#include <pcre2.h>
#include <sodium.h>

#include "ngx_http_portail_validate.h"


static pcre2_code        *portail_email_re;
static pcre2_match_data  *portail_email_md;


/*
 * The address syntax browsers accept for <input type="email"> (WHATWG),
 * with at least one dot in the domain: an address on a bare host name is a
 * typing mistake for a tenant.
 */

static const char  portail_email_pattern[] =
    "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    "@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";


/*
 * One compiled pattern for the process, shared by the configurations a
 * reload keeps alive together: each takes a reference, the last frees it.
 */

static unsigned  portail_validate_refs;


void
portail_validate_release(void)
{
    if (portail_validate_refs == 0 || --portail_validate_refs > 0) {
        return;
    }

    pcre2_match_data_free(portail_email_md);
    pcre2_code_free(portail_email_re);
    portail_email_md = NULL;
    portail_email_re = NULL;
}


int
portail_validate_init(void)
{
    int         err;
    PCRE2_SIZE  off;

    if (portail_email_re) {
        portail_validate_refs++;
        return 0;
    }

    portail_email_re = pcre2_compile((PCRE2_SPTR) portail_email_pattern,
                                     PCRE2_ZERO_TERMINATED, 0, &err, &off,
                                     NULL);
    if (portail_email_re == NULL) {
        return -1;
    }

    /* the JIT is a speed-up; matching works without it */
    (void) pcre2_jit_compile(portail_email_re, PCRE2_JIT_COMPLETE);

    portail_email_md = pcre2_match_data_create_from_pattern(portail_email_re,
                                                            NULL);
    if (portail_email_md == NULL) {
        pcre2_code_free(portail_email_re);
        portail_email_re = NULL;
        return -1;
    }

    if (sodium_init() < 0) {
        return -1;
    }

    portail_validate_refs = 1;

    return 0;
}


/*
 * A new password judged without its account's words: the first of the
 * reasons ngx_http_portail_strength.c gives, or NULL.
 */

const char *
portail_check_password(const unsigned char *s, size_t len)
{
    portail_verdict_t  v;

    portail_password_judge(s, len, NULL, &v);

    return v.n ? v.reasons[0].message : NULL;
}


const char *
portail_check_email(const unsigned char *s, size_t len, unsigned char *out,
    size_t *outlen)
{
    int     rc;
    size_t  i;

    while (len && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }

    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        len--;
    }

    if (len == 0) {
        return "Saisissez votre adresse e-mail.";
    }

    if (len > PORTAIL_EMAIL_MAX) {
        return "L'adresse e-mail est trop longue.";
    }

    rc = pcre2_match(portail_email_re, (PCRE2_SPTR) s, len, 0, 0,
                     portail_email_md, NULL);

    if (rc < 0) {
        return "Saisissez une adresse e-mail valide, "
               "par exemple nom@exemple.fr.";
    }

    for (i = 0; i < len; i++) {
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] | 0x20 : s[i];
    }

    *outlen = len;

    return NULL;
}


const char *
portail_check_reference(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_REFERENCE_LEN])
{
    size_t  i, n;

    /* the notice prints "L/1234567": a typed prefix is harmless */

    while (len && *s == ' ') {
        s++;
        len--;
    }

    if (len && (*s == 'L' || *s == 'l')) {
        s++;
        len--;

        if (len && (*s == '/' || *s == ' ')) {
            s++;
            len--;
        }
    }

    n = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == ' ') {
            continue;
        }

        if (s[i] < '0' || s[i] > '9' || n == PORTAIL_REFERENCE_LEN) {
            return "La référence client est un numéro à 7 chiffres, sans "
                   "le L/ (en haut à gauche de votre avis d'échéance).";
        }

        out[n++] = s[i];
    }

    if (n != PORTAIL_REFERENCE_LEN) {
        return "La référence client est un numéro à 7 chiffres, sans "
               "le L/ (en haut à gauche de votre avis d'échéance).";
    }

    return NULL;
}


const char *
portail_check_nom(const unsigned char *s, size_t len)
{
    long    chars;
    size_t  i;

    chars = portail_utf8_chars(s, len);

    if (chars < 0) {
        return "Le nom contient un caractère non autorisé.";
    }

    for (i = 0; i < len && s[i] == ' '; i++) {
        /* void */
    }

    if (i == len) {
        return "Saisissez le nom du signataire, tel qu'il figure sur votre "
               "avis d'échéance.";
    }

    if (chars > PORTAIL_NOM_MAX_CHARS) {
        return "Le nom ne doit pas dépasser 100 caractères.";
    }

    for (i = 0; i < len; i++) {
        if (strchr("<>\"{}[]\\|;=@#$%^*_~`+", s[i])
            || (s[i] >= '0' && s[i] <= '9'))
        {
            return "Le nom ne peut contenir que des lettres, des espaces, "
                   "des tirets et des apostrophes.";
        }
    }

    return NULL;
}
