/*
 * libFuzzer: multipart/form-data bodies.  The input is a Content-Type
 * header line, a new line, then the body.  Every part must lie inside
 * the body.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_portail_validate.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                   rc, parts;
    size_t                blen;
    const uint8_t        *nl, *body, *end;
    const unsigned char  *boundary;
    portail_part_t        part;
    portail_multipart_t   mp;

    nl = memchr(data, '\n', size);
    if (nl == NULL) {
        return 0;
    }

    if (portail_multipart_boundary(data, nl - data, &boundary, &blen) != 0) {
        return 0;
    }

    body = nl + 1;
    end = data + size;

    if (portail_multipart_init(&mp, body, end - body, boundary, blen) != 0) {
        return 0;
    }

    for (parts = 0; parts < 64; parts++) {
        rc = portail_multipart_next(&mp, &part);
        if (rc <= 0) {
            break;
        }

        if (part.data < body || part.data + part.data_len > end
            || part.name < body || part.name + part.name_len > end
            || (part.filename
                && (part.filename < body
                    || part.filename + part.filename_len > end)))
        {
            abort();
        }
    }

    return 0;
}
