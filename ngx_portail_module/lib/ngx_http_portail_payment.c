
/*
 * Payments: the provider's form signature, IBAN, BIC, account holder.
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#include <string.h>
#include <sodium.h>

#include "ngx_http_portail_validate.h"


static int
portail_field_cmp(const portail_field_t *a, const portail_field_t *b)
{
    int  c;

    c = memcmp(a->name, b->name,
               a->name_len < b->name_len ? a->name_len : b->name_len);

    if (c) {
        return c;
    }

    return (a->name_len > b->name_len) - (a->name_len < b->name_len);
}


int
portail_payment_signature(const portail_field_t *fields, size_t n,
    const unsigned char *key, size_t key_len, char out[PORTAIL_SIGNATURE_LEN])
{
    int                            c;
    size_t                         i;
    unsigned char                  mac[crypto_auth_hmacsha256_BYTES];
    const portail_field_t         *prev, *next;
    crypto_auth_hmacsha256_state   st;

    crypto_auth_hmacsha256_init(&st, key, key_len);

    /*
     * The fields in name order without sorting a copy: each round takes the
     * smallest name above the previous one (forms have a few dozen fields).
     */

    prev = NULL;

    for ( ;; ) {
        next = NULL;

        for (i = 0; i < n; i++) {
            if (fields[i].name_len <= 5
                || memcmp(fields[i].name, "vads_", 5) != 0
                || (prev && portail_field_cmp(&fields[i], prev) <= 0))
            {
                continue;
            }

            if (next == NULL) {
                next = &fields[i];
                continue;
            }

            c = portail_field_cmp(&fields[i], next);

            if (c == 0) {
                sodium_memzero(&st, sizeof(st));
                return -1;
            }

            if (c < 0) {
                next = &fields[i];
            }
        }

        if (next == NULL) {
            break;
        }

        crypto_auth_hmacsha256_update(&st, next->value, next->value_len);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *) "+", 1);

        prev = next;
    }

    crypto_auth_hmacsha256_update(&st, key, key_len);
    crypto_auth_hmacsha256_final(&st, mac);

    sodium_bin2base64(out, PORTAIL_SIGNATURE_LEN, mac, sizeof(mac),
                      sodium_base64_VARIANT_ORIGINAL);

    return 0;
}


/*
 * IBAN lengths (SWIFT's IBAN registry) of the countries in the SEPA
 * schemes' scope: a direct debit can only reach an account there.  French
 * overseas departments and territories in SEPA use FR IBANs.
 */

static const struct {
    char           country[3];
    unsigned char  len;
} portail_iban_lengths[] = {
    { "AD", 24 }, { "AT", 20 }, { "BE", 16 }, { "BG", 22 }, { "CH", 21 },
    { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DK", 18 }, { "EE", 20 },
    { "ES", 24 }, { "FI", 18 }, { "FR", 27 }, { "GB", 22 }, { "GI", 23 },
    { "GR", 27 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IS", 26 },
    { "IT", 27 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 },
    { "MC", 27 }, { "MT", 31 }, { "NL", 18 }, { "NO", 15 }, { "PL", 28 },
    { "PT", 25 }, { "RO", 24 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 },
    { "SM", 27 }, { "VA", 22 }
};


/* letters and digits, spaces dropped, upper-cased: the length, or -1 */

static long
portail_compact_upper(const unsigned char *s, size_t len, unsigned char *out,
    size_t max)
{
    size_t         i, n;
    unsigned char  c;

    n = 0;

    for (i = 0; i < len; i++) {
        c = s[i];

        if (c == ' ') {
            continue;
        }

        if (c >= 'a' && c <= 'z') {
            c -= 'a' - 'A';
        }

        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return -1;
        }

        if (n == max) {
            return (long) max + 1;
        }

        out[n++] = c;
    }

    return (long) n;
}


const char *
portail_check_iban(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_IBAN_MAX], size_t *outlen)
{
    long           n;
    size_t         i, k, expected;
    unsigned int   r;
    unsigned char  c;

    n = portail_compact_upper(s, len, out, PORTAIL_IBAN_MAX);

    if (n < 0) {
        return "L'IBAN ne peut contenir que des lettres et des chiffres "
               "(les espaces sont acceptés).";
    }

    if (n == 0) {
        return "Saisissez l'IBAN du compte à débiter (il figure sur votre "
               "RIB).";
    }

    if (n < 5 || out[0] < 'A' || out[0] > 'Z' || out[1] < 'A' || out[1] > 'Z'
        || out[2] < '0' || out[2] > '9' || out[3] < '0' || out[3] > '9')
    {
        return "Un IBAN commence par le code du pays (2 lettres) et 2 "
               "chiffres de contrôle, par exemple FR76 suivi de 23 "
               "caractères : recopiez-le depuis votre RIB.";
    }

    expected = 0;

    for (k = 0; k < sizeof(portail_iban_lengths)
                    / sizeof(portail_iban_lengths[0]); k++)
    {
        if (portail_iban_lengths[k].country[0] == out[0]
            && portail_iban_lengths[k].country[1] == out[1])
        {
            expected = portail_iban_lengths[k].len;
            break;
        }
    }

    if (expected == 0) {
        return "Le prélèvement SEPA n'est possible que sur un compte tenu "
               "dans un pays de la zone SEPA.";
    }

    if ((size_t) n != expected) {
        if (out[0] == 'F' && out[1] == 'R') {
            return "Un IBAN français compte 27 caractères (FR76 puis 23 "
                   "lettres ou chiffres) : vérifiez votre saisie.";
        }

        return "La longueur de cet IBAN ne correspond pas à celle de son "
               "pays : vérifiez votre saisie.";
    }

    /* ISO 7064 mod 97-10 on the rearranged IBAN, digit by digit */

    r = 0;

    for (i = 4; i < (size_t) n + 4; i++) {
        c = out[i % n];

        if (c >= '0' && c <= '9') {
            r = (r * 10 + (c - '0')) % 97;

        } else {
            r = (r * 100 + (c - 'A' + 10)) % 97;
        }
    }

    if (r != 1) {
        return "Cet IBAN n'est pas valide (sa clé de contrôle ne correspond "
               "pas) : vérifiez votre saisie.";
    }

    *outlen = (size_t) n;

    return NULL;
}


const char *
portail_check_bic(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_BIC_MAX], size_t *outlen)
{
    long    n;
    size_t  i;

    n = portail_compact_upper(s, len, out, PORTAIL_BIC_MAX);

    if (n != 8 && n != 11) {
        goto invalid;
    }

    /* bank code and country: letters; location and branch: alphanumeric */
    for (i = 0; i < 6; i++) {
        if (out[i] < 'A' || out[i] > 'Z') {
            goto invalid;
        }
    }

    *outlen = (size_t) n;

    return NULL;

invalid:

    return "Le BIC compte 8 ou 11 lettres et chiffres, par exemple "
           "AGRIFRPP ou AGRIFRPP882 (il figure sur votre RIB).";
}


const char *
portail_check_titulaire(const unsigned char *s, size_t len)
{
    long    chars;
    size_t  i;

    chars = portail_utf8_chars(s, len);

    if (chars < 0) {
        return "Le nom du titulaire contient un caractère non autorisé.";
    }

    for (i = 0; i < len && s[i] == ' '; i++) {
        /* void */
    }

    if (i == len) {
        return "Saisissez le nom du titulaire du compte, tel qu'il figure "
               "sur le RIB.";
    }

    if (chars > PORTAIL_TITULAIRE_MAX_CHARS) {
        return "Le nom du titulaire ne doit pas dépasser 70 caractères.";
    }

    for (i = 0; i < len; i++) {
        if (strchr("<>\"{}[]\\|;=@#$%^*_~`+!?:", s[i])) {
            return "Le nom du titulaire ne peut contenir que des lettres, "
                   "des chiffres, des espaces et les signes - ' . , & / "
                   "( ).";
        }
    }

    return NULL;
}
