
/*
 * Uploaded files: recognised by their content, metadata removed, names
 * cleaned.  PDFs are inspected by libqpdf in a process of their own
 * (ngx_http_portail_pdfcheck.c).
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#include <string.h>

#include "ngx_http_portail_validate.h"


const char *
portail_sniff(const unsigned char *p, size_t len)
{
    if (len >= 5 && memcmp(p, "%PDF-", 5) == 0) {
        return "application/pdf";
    }

    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
        return "image/jpeg";
    }

    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) {
        return "image/png";
    }

    return NULL;
}


/*
 * JPEG: APP1 (EXIF, with the GPS position; XMP), APP3 to APP13 (IPTC...),
 * APP15 and comments are dropped; JFIF (APP0), the colour profile (APP2)
 * and Adobe's colour marker (APP14) stay.
 */

const char *
portail_jpeg_strip(unsigned char *p, size_t *len)
{
    size_t          in, out, seg;
    unsigned char   m;

    if (*len < 4 || p[0] != 0xff || p[1] != 0xd8) {
        return "Ce fichier n'est pas une image JPEG.";
    }

    in = 2;
    out = 2;

    for ( ;; ) {
        if (in + 4 > *len || p[in] != 0xff) {
            return "Cette image JPEG est endommagée.";
        }

        m = p[in + 1];

        if (m == 0xff) {
            /* fill byte */
            in++;
            continue;
        }

        if (m == 0xd9) {
            /* end of image without scan data */
            return "Cette image JPEG est endommagée.";
        }

        seg = ((size_t) p[in + 2] << 8) | p[in + 3];

        if (seg < 2 || in + 2 + seg > *len) {
            return "Cette image JPEG est endommagée.";
        }

        if (m == 0xda) {
            /* start of scan: the rest is image data */
            memmove(p + out, p + in, *len - in);
            *len = out + (*len - in);
            return NULL;
        }

        if (m == 0xe1 || (m >= 0xe3 && m <= 0xed) || m == 0xef || m == 0xfe) {
            in += 2 + seg;
            continue;
        }

        memmove(p + out, p + in, 2 + seg);
        out += 2 + seg;
        in += 2 + seg;
    }
}


/* PNG: text chunks, EXIF and the time stamp are dropped */

const char *
portail_png_strip(unsigned char *p, size_t *len)
{
    size_t    in, out, n;
    uint32_t  clen;

    if (*len < 8 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0) {
        return "Ce fichier n'est pas une image PNG.";
    }

    in = 8;
    out = 8;

    while (in + 12 <= *len) {
        clen = ((uint32_t) p[in] << 24) | ((uint32_t) p[in + 1] << 16)
               | ((uint32_t) p[in + 2] << 8) | p[in + 3];

        if (clen > *len - in - 12) {
            return "Cette image PNG est endommagée.";
        }

        n = 12 + clen;

        if (memcmp(p + in + 4, "tEXt", 4) == 0
            || memcmp(p + in + 4, "zTXt", 4) == 0
            || memcmp(p + in + 4, "iTXt", 4) == 0
            || memcmp(p + in + 4, "eXIf", 4) == 0
            || memcmp(p + in + 4, "tIME", 4) == 0)
        {
            in += n;
            continue;
        }

        memmove(p + out, p + in, n);
        out += n;

        if (memcmp(p + in + 4, "IEND", 4) == 0) {
            /* whatever follows IEND is not the image's: dropped too */
            *len = out;
            return NULL;
        }

        in += n;
    }

    return "Cette image PNG est incomplète ou endommagée.";
}


size_t
portail_filename_clean(const unsigned char *in, size_t len,
    unsigned char *out, size_t max)
{
    size_t                n, i;
    const unsigned char  *p;

    /* the base name: browsers may send a Windows path */
    for (p = in + len; p > in && p[-1] != '/' && p[-1] != '\\'; p--) {
        /* void */
    }

    n = 0;

    for (i = p - in; i < len && n < max; i++) {
        if (in[i] < 0x20 || in[i] == 0x7f || in[i] == '"') {
            continue;
        }

        out[n++] = in[i];
    }

    /* do not cut a UTF-8 sequence in two */
    while (n && (out[n - 1] & 0xc0) == 0x80) {
        n--;
    }
    if (n && out[n - 1] >= 0xc0) {
        n--;
    }

    if (portail_utf8_chars(out, n) < 0 || n == 0
        || (n == 1 && out[0] == '.') || (n == 2 && out[0] == '.'
                                         && out[1] == '.'))
    {
        memcpy(out, "fichier", 7);
        return 7;
    }

    return n;
}
