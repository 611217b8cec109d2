
/*
 * Uploaded files: recognised by their content, active content refused,
 * metadata removed, names cleaned.
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#define _GNU_SOURCE  /* memmem */

#include <string.h>
#include <strings.h>
#include <zlib.h>

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
 * PDF names may be written with #xx escapes (/J#61vaScript): a name is
 * decoded before it is compared.
 */

static const char  *portail_pdf_forbidden[] = {
    "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles",
    "RichMedia", "SubmitForm", "ImportData", "XFA", "Encrypt", NULL
};


static const char *
portail_pdf_scan(const unsigned char *p, size_t len)
{
    int                   hi, lo;
    char                  name[32];
    size_t                n, i;
    const unsigned char  *end;

    end = p + len;

    while (p < end) {
        p = memchr(p, '/', end - p);
        if (p == NULL) {
            break;
        }

        p++;
        n = 0;

        /* a name ends at white space or a delimiter */
        while (p < end && n < sizeof(name) - 1
               && !strchr(" \t\r\n\f/[]()<>{}%", *p) && *p != '\0')
        {
            if (*p == '#' && end - p >= 3
                && (hi = portail_hex_digit(p[1])) >= 0
                && (lo = portail_hex_digit(p[2])) >= 0)
            {
                name[n++] = (char) (hi * 16 + lo);
                p += 3;
                continue;
            }

            name[n++] = (char) *p++;
        }

        name[n] = '\0';

        for (i = 0; portail_pdf_forbidden[i]; i++) {
            if (strcmp(name, portail_pdf_forbidden[i]) == 0) {
                return strcmp(name, "Encrypt") == 0
                       ? "Ce PDF est chiffré : enregistrez-le sans mot de "
                         "passe puis déposez-le à nouveau."
                       : "Ce PDF contient des éléments actifs (script, "
                         "lancement d'application, fichier joint) : il est "
                         "refusé. Imprimez-le en PDF puis déposez-le à "
                         "nouveau.";
            }
        }
    }

    return NULL;
}


/* inflated bytes scanned at most per file: a small PDF may hide a bomb */
#define PORTAIL_PDF_INFLATE_MAX  (64 * 1024 * 1024)

static size_t  portail_pdf_inflated;


/*
 * Inflates one stream (FlateDecode, the usual filter; anything else fails
 * to inflate and is left alone) and scans it for forbidden names.
 */

static const char *
portail_pdf_inflate_scan(const unsigned char *p, size_t len)
{
    int            rc;
    size_t         keep, produced, total;
    z_stream       z;
    const char    *err;
    unsigned char  buf[32 + 65536];

    memset(&z, 0, sizeof(z));

    if (inflateInit(&z) != Z_OK) {
        return NULL;
    }

    z.next_in = (unsigned char *) p;
    z.avail_in = (uInt) len;
    err = NULL;
    keep = 0;

    do {
        z.next_out = buf + keep;
        z.avail_out = 65536;

        rc = inflate(&z, Z_NO_FLUSH);

        if (rc != Z_OK && rc != Z_STREAM_END) {
            break;
        }

        produced = 65536 - z.avail_out;
        portail_pdf_inflated += produced;

        if (portail_pdf_inflated > PORTAIL_PDF_INFLATE_MAX) {
            err = "Ce PDF est trop complexe pour être vérifié : "
                  "imprimez-le en PDF puis déposez-le à nouveau.";
            break;
        }

        total = keep + produced;
        err = portail_pdf_scan(buf, total);

        /* the last bytes again next time: a name may straddle two buffers */
        keep = total < 32 ? total : 32;
        memmove(buf, buf + total - keep, keep);

    } while (err == NULL && rc != Z_STREAM_END && z.avail_in > 0);

    inflateEnd(&z);

    return err;
}


const char *
portail_pdf_check(const unsigned char *p, size_t len)
{
    size_t                tail;
    const char           *err;
    const unsigned char  *s, *e, *end;

    if (portail_sniff(p, len) == NULL || strcmp(portail_sniff(p, len),
                                                "application/pdf") != 0)
    {
        return "Ce fichier n'est pas un PDF.";
    }

    /* a PDF ends with %%EOF (maybe followed by white space) */
    tail = len < 1024 ? len : 1024;
    if (memmem(p + len - tail, tail, "%%EOF", 5) == NULL) {
        return "Ce PDF est incomplet ou endommagé.";
    }

    err = portail_pdf_scan(p, len);
    if (err) {
        return err;
    }

    portail_pdf_inflated = 0;

    /*
     * Names may also sit in compressed object streams: each stream is
     * inflated (bounded) and scanned too.
     */

    end = p + len;

    for (s = p; s < end; s = e + 9) {
        s = memmem(s, end - s, "stream", 6);
        if (s == NULL) {
            break;
        }

        s += 6;
        if (s < end && *s == '\r') {
            s++;
        }
        if (s < end && *s == '\n') {
            s++;
        }

        e = memmem(s, end - s, "endstream", 9);
        if (e == NULL) {
            break;
        }

        err = portail_pdf_inflate_scan(s, e - s);
        if (err) {
            return err;
        }
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
