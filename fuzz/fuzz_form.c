/*
 * libFuzzer: the payment provider's notifications, as they arrive:
 * application/x-www-form-urlencoded bodies, decoded in place, then the
 * signature over their vads_* fields.  Fields must lie inside the body.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_portail_validate.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int              rc;
    size_t           n;
    char             sig[PORTAIL_SIGNATURE_LEN];
    unsigned char   *body;
    portail_form_t   form;
    portail_field_t  fields[64];

    body = malloc(size ? size : 1);
    if (body == NULL) {
        return 0;
    }

    memcpy(body, data, size);
    portail_form_init(&form, body, size);

    for (n = 0; n < 64; n++) {
        rc = portail_form_next(&form, &fields[n]);
        if (rc <= 0) {
            break;
        }

        if (fields[n].name < body || fields[n].name + fields[n].name_len > body + size
            || fields[n].value < body
            || fields[n].value + fields[n].value_len > body + size)
        {
            abort();
        }
    }

    if (portail_payment_signature(fields, n, (const unsigned char *) "cle", 3,
                                  sig) == 0
        && strlen(sig) != PORTAIL_SIGNATURE_LEN - 1)
    {
        abort();
    }

    free(body);

    return 0;
}
