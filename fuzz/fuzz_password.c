/*
 * libFuzzer: the judge of a new password.  The input is the password, then
 * after a NUL byte the owner's names, the address and the office's name,
 * each after the next NUL.  What the judge says must hold together: the
 * floor's reasons come first and unchanged, every reason is one of the
 * known codes, and an accepted password passed the floor and the estimate.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_portail_validate.h"


static const char  *codes[] = {
    "caractere_interdit", "trop_long", "trop_court", "chiffres",
    "caractere_special", "contient_nom", "contient_email", "trop_previsible",
    NULL
};


static const unsigned char *
field(const unsigned char **p, const unsigned char *end, size_t *len)
{
    const unsigned char  *s, *nul;

    s = *p;
    nul = memchr(s, '\0', end - s);
    *len = (nul ? nul : end) - s;
    *p = nul ? nul + 1 : end;

    return s;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                       len, i, k;
    const unsigned char         *pwd, *p, *end;
    portail_verdict_t            floor, v;
    portail_password_context_t   ctx;

    p = data;
    end = data + size;

    pwd = field(&p, end, &len);
    ctx.names = field(&p, end, &ctx.names_len);
    ctx.email = field(&p, end, &ctx.email_len);
    ctx.office = field(&p, end, &ctx.office_len);

    portail_password_floor(pwd, len, &floor);
    portail_password_judge(pwd, len, &ctx, &v);

    if (v.n > PORTAIL_REASONS_MAX || v.n < floor.n) {
        abort();
    }

    for (i = 0; i < floor.n; i++) {
        if (strcmp(floor.reasons[i].code, v.reasons[i].code) != 0) {
            abort();
        }
    }

    for (i = 0; i < v.n; i++) {
        for (k = 0; codes[k]; k++) {
            if (strcmp(codes[k], v.reasons[i].code) == 0) {
                break;
            }
        }

        if (codes[k] == NULL || v.reasons[i].message == NULL) {
            abort();
        }
    }

    if (v.n == 0 && (floor.n || v.bits < PORTAIL_PASSWORD_MIN_BITS)) {
        abort();
    }

    /* without an account, a verdict never has more to say */
    portail_password_judge(pwd, len, NULL, &floor);

    if (floor.n > v.n) {
        abort();
    }

    return 0;
}
