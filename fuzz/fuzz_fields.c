/*
 * libFuzzer: the checks of what tenants type, and the JSON bodies they
 * come in.  The first byte picks the check; a JSON object runs every
 * string member through all of them, as the API's handlers do.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "ngx_http_portail_validate.h"


static void
check_all(const unsigned char *s, size_t len)
{
    size_t         n;
    unsigned char  out[PORTAIL_EMAIL_MAX + 1];
    unsigned char  ref[PORTAIL_REFERENCE_LEN];
    unsigned char  token[32];

    int            y, m, d;
    unsigned char  phone[PORTAIL_PHONE_MAX];
    unsigned char  loc[PORTAIL_LOCALITE_MAX];
    unsigned char  iban[PORTAIL_IBAN_MAX];
    unsigned char  bic[PORTAIL_BIC_MAX];
    unsigned char  contrat[PORTAIL_REFERENCE_LEN];
    unsigned       annee, mois;
    uint64_t       number;

    (void) portail_utf8_chars(s, len);
    (void) portail_text_chars(s, len);
    (void) portail_text_blank(s, len);
    (void) portail_check_password(s, len);
    (void) portail_parse_date(s, len, &y, &m, &d);
    (void) portail_check_titulaire(s, len);

    if (portail_check_iban(s, len, iban, &n) == NULL
        && (n < 15 || n > PORTAIL_IBAN_MAX))
    {
        abort();
    }

    if (portail_check_bic(s, len, bic, &n) == NULL && n != 8 && n != 11) {
        abort();
    }
    (void) portail_check_code_postal(s, len);

    if (portail_check_phone(s, len, phone, &n) == NULL
        && (n > PORTAIL_PHONE_MAX || phone[0] != '+'))
    {
        abort();
    }

    if (portail_check_localite(s, len, loc, &n) == NULL
        && n > PORTAIL_LOCALITE_MAX)
    {
        abort();
    }
    (void) portail_check_nom(s, len);
    (void) portail_check_reference(s, len, ref);
    (void) portail_token_decode(s, len, token);

    if (portail_parse_number(s, len, 999999, &number) == 0
        && number > 999999)
    {
        abort();
    }

    if (portail_quittance_id(s, len, contrat, &annee, &mois) == 0
        && (annee < 1900 || annee > 2999 || mois < 1 || mois > 12))
    {
        abort();
    }

    if (len <= PORTAIL_EMAIL_MAX + 64) {
        unsigned char *copy = malloc(len + 1);
        if (copy) {
            if (portail_check_email(s, len, copy, &n) == NULL) {
                /* the address kept is within what was given */
                if (n > len || n > PORTAIL_EMAIL_MAX) {
                    abort();
                }
                memcpy(out, copy, n);
            }
            free(copy);
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t       *json, *v;
    const char   *key;

    static int    ready;

    if (!ready) {
        if (portail_validate_init() != 0) {
            abort();
        }
        ready = 1;
    }

    if (size == 0) {
        return 0;
    }

    if (data[0] == '{') {
        json = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES,
                          NULL);
        if (json && json_is_object(json)) {
            json_object_foreach(json, key, v) {
                if (json_is_string(v)) {
                    check_all((const unsigned char *) json_string_value(v),
                              json_string_length(v));
                }
            }
        }
        json_decref(json);
        return 0;
    }

    check_all(data + 1, size - 1);

    return 0;
}
