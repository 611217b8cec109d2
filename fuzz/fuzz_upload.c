/*
 * libFuzzer: recognising uploaded files and removing what they must not
 * carry.  The stripping works in place and may only shrink the file.
 * PDFs have a harness of their own: fuzz_pdf.c.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_portail_validate.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t          len, n;
    unsigned char  *copy;
    unsigned char   name[256];
    const char     *mime;

    copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }

    memcpy(copy, data, size);

    mime = portail_sniff(copy, size);

    len = size;
    if (portail_jpeg_strip(copy, &len) == NULL && len > size) {
        abort();
    }

    memcpy(copy, data, size);
    len = size;
    if (portail_png_strip(copy, &len) == NULL && len > size) {
        abort();
    }

    n = portail_filename_clean(data, size, name, 255);
    if (n == 0 || n > 255 || portail_utf8_chars(name, n) < 0) {
        abort();
    }

    (void) mime;
    free(copy);

    return 0;
}
