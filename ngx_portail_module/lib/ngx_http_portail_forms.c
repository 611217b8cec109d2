
/*
 * Request bodies: multipart/form-data and
 * application/x-www-form-urlencoded, parsed in place.
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#define _GNU_SOURCE  /* memmem */

#include <string.h>
#include <strings.h>

#include "ngx_http_portail_validate.h"


int
portail_multipart_boundary(const unsigned char *type, size_t len,
    const unsigned char **boundary, size_t *boundary_len)
{
    const unsigned char  *p, *end, *b;

    if (len < 19 || strncasecmp((const char *) type, "multipart/form-data",
                                19) != 0)
    {
        return -1;
    }

    end = type + len;
    p = memmem(type, len, "boundary=", 9);
    if (p == NULL) {
        return -1;
    }

    p += 9;

    if (p < end && *p == '"') {
        b = ++p;
        while (p < end && *p != '"') {
            p++;
        }
        if (p == end) {
            return -1;
        }

    } else {
        b = p;
        while (p < end && *p != ';' && *p != ' ') {
            p++;
        }
    }

    /* RFC 2046: 1 to 70 characters */
    if (p - b < 1 || p - b > 70) {
        return -1;
    }

    *boundary = b;
    *boundary_len = p - b;

    return 0;
}


static const unsigned char *
portail_find_delimiter(const unsigned char *p, const unsigned char *end,
    const unsigned char *boundary, size_t blen)
{
    const unsigned char  *d;

    while (p < end) {
        d = memmem(p, end - p, "--", 2);
        if (d == NULL || (size_t) (end - d) < 2 + blen) {
            return NULL;
        }

        if (memcmp(d + 2, boundary, blen) == 0) {
            return d;
        }

        p = d + 1;
    }

    return NULL;
}


int
portail_multipart_init(portail_multipart_t *mp, const unsigned char *body,
    size_t len, const unsigned char *boundary, size_t boundary_len)
{
    const unsigned char  *d;

    memset(mp, 0, sizeof(portail_multipart_t));

    d = portail_find_delimiter(body, body + len, boundary, boundary_len);

    /* only a preamble may come before the first delimiter */
    if (d == NULL) {
        return -1;
    }

    mp->pos = d;
    mp->end = body + len;
    mp->boundary = boundary;
    mp->boundary_len = boundary_len;

    return 0;
}


/* a parameter of Content-Disposition: name="..." or filename="..." */

static int
portail_disposition_param(const unsigned char *h, const unsigned char *end,
    const char *param, const unsigned char **v, size_t *vlen)
{
    size_t                plen;
    const unsigned char  *p;

    plen = strlen(param);

    for (p = h; p + plen + 2 <= end; p++) {

        if ((p == h || p[-1] == ' ' || p[-1] == ';')
            && strncasecmp((const char *) p, param, plen) == 0
            && p[plen] == '=')
        {
            p += plen + 1;

            if (p < end && *p == '"') {
                *v = ++p;
                while (p < end && *p != '"') {
                    if (*p == '\\' && p + 1 < end) {
                        p++;
                    }
                    p++;
                }
                if (p == end) {
                    return -1;
                }

            } else {
                *v = p;
                while (p < end && *p != ';' && *p != ' ') {
                    p++;
                }
            }

            *vlen = p - *v;
            return 1;
        }
    }

    return 0;
}


int
portail_multipart_next(portail_multipart_t *mp, portail_part_t *part)
{
    const unsigned char  *p, *line, *eol, *d;
    int                   has_disposition, rc;

    if (mp->done) {
        return 0;
    }

    /* at a delimiter: "--boundary" then "--" (the end) or a line break */

    p = mp->pos + 2 + mp->boundary_len;

    if (mp->end - p >= 2 && p[0] == '-' && p[1] == '-') {
        mp->done = 1;
        return 0;
    }

    while (p < mp->end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (mp->end - p < 2 || p[0] != '\r' || p[1] != '\n') {
        return -1;
    }

    p += 2;

    memset(part, 0, sizeof(portail_part_t));
    has_disposition = 0;

    /* headers, up to an empty line */

    for ( ;; ) {
        eol = memmem(p, mp->end - p, "\r\n", 2);

        if (eol == NULL || eol - p > 4096) {
            return -1;
        }

        if (eol == p) {
            p += 2;
            break;
        }

        line = p;
        p = eol + 2;

        if (eol - line > 20
            && strncasecmp((const char *) line, "Content-Disposition:", 20)
               == 0)
        {
            has_disposition = 1;

            if (portail_disposition_param(line + 20, eol, "name",
                                          &part->name, &part->name_len)
                != 1)
            {
                return -1;
            }

            rc = portail_disposition_param(line + 20, eol, "filename",
                                           &part->filename,
                                           &part->filename_len);
            if (rc < 0) {
                return -1;
            }
        }
    }

    if (!has_disposition) {
        return -1;
    }

    /* the data run to the next delimiter, which a line break precedes */

    d = portail_find_delimiter(p, mp->end, mp->boundary, mp->boundary_len);

    while (d && (d - p < 2 || d[-2] != '\r' || d[-1] != '\n')) {
        d = portail_find_delimiter(d + 1, mp->end, mp->boundary,
                                   mp->boundary_len);
    }

    if (d == NULL) {
        return -1;
    }

    part->data = p;
    part->data_len = (d - 2) - p;
    mp->pos = d;

    return 1;
}


void
portail_form_init(portail_form_t *f, unsigned char *body, size_t len)
{
    f->pos = body;
    f->end = body + len;
}


/* [p, end) decoded in place from p: the decoded length, or -1 */

static long
portail_form_decode(unsigned char *p, unsigned char *end)
{
    int             hi, lo;
    unsigned char   c, *w, *start;

    start = p;
    w = p;

    while (p < end) {

        if (*p == '%') {
            if (end - p < 3) {
                return -1;
            }

            hi = portail_hex_digit(p[1]);
            lo = portail_hex_digit(p[2]);

            if (hi < 0 || lo < 0) {
                return -1;
            }

            c = (unsigned char) (hi << 4 | lo);
            p += 3;

        } else {
            c = (*p == '+') ? ' ' : *p;
            p++;
        }

        /* a NUL would cut the value short wherever C strings carry it */
        if (c == '\0') {
            return -1;
        }

        *w++ = c;
    }

    return w - start;
}


int
portail_form_next(portail_form_t *f, portail_field_t *field)
{
    long            n;
    unsigned char  *p, *amp, *eq;

    for ( ;; ) {
        if (f->pos >= f->end) {
            return 0;
        }

        p = f->pos;

        amp = memchr(p, '&', f->end - p);
        if (amp == NULL) {
            amp = f->end;
        }

        f->pos = (amp < f->end) ? amp + 1 : f->end;

        if (amp == p) {
            continue;
        }

        eq = memchr(p, '=', amp - p);

        if (eq == p) {
            return -1;
        }

        n = portail_form_decode(p, eq ? eq : amp);
        if (n <= 0) {
            return -1;
        }

        field->name = p;
        field->name_len = (size_t) n;

        if (eq == NULL) {
            field->value = amp;
            field->value_len = 0;
            return 1;
        }

        n = portail_form_decode(eq + 1, amp);
        if (n < 0) {
            return -1;
        }

        field->value = eq + 1;
        field->value_len = (size_t) n;

        return 1;
    }
}
