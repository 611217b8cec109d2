
/*
 * Identifiers that come in URLs and links: ids, quittance ids, tokens.
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#include <string.h>
#include <sodium.h>

#include "ngx_http_portail_validate.h"


int
portail_token_decode(const unsigned char *s, size_t len,
    unsigned char out[32])
{
    size_t  n;

    if (len != 43) {
        return -1;
    }

    if (sodium_base642bin(out, 32, (const char *) s, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING)
        != 0 || n != 32)
    {
        return -1;
    }

    return 0;
}


int
portail_parse_number(const unsigned char *s, size_t len, uint64_t max,
    uint64_t *out)
{
    size_t    i;
    uint64_t  v;

    /* 18 digits cannot overflow 64 bits: no check on the way */

    if (len == 0 || len > 18) {
        return -1;
    }

    v = 0;

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        v = v * 10 + (s[i] - '0');
    }

    if (v > max) {
        return -1;
    }

    *out = v;

    return 0;
}


int
portail_quittance_id(const unsigned char *s, size_t len,
    unsigned char contrat[PORTAIL_REFERENCE_LEN], unsigned *annee,
    unsigned *mois)
{
    uint64_t  a, m;

    /* q-2013936-2025-10 */

    if (len != sizeof("q-2013936-2025-10") - 1
        || s[0] != 'q' || s[1] != '-' || s[9] != '-' || s[14] != '-'
        || portail_parse_number(s + 2, PORTAIL_REFERENCE_LEN, 9999999, &a)
           != 0
        || portail_parse_number(s + 10, 4, 2999, &a) != 0
        || portail_parse_number(s + 15, 2, 12, &m) != 0
        || a < 1900 || m < 1)
    {
        return -1;
    }

    memcpy(contrat, s + 2, PORTAIL_REFERENCE_LEN);
    *annee = (unsigned) a;
    *mois = (unsigned) m;

    return 0;
}
