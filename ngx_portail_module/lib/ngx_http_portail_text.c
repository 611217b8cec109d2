
/*
 * UTF-8 and text areas: the checks every typed field starts with.
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#include <string.h>

#include "ngx_http_portail_validate.h"


/*
 * Decodes one UTF-8 sequence; 0 on an invalid one (overlong forms,
 * surrogates and values past U+10FFFF are invalid).
 */

size_t
portail_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t    n, i;
    uint32_t  c, min;

    if (len == 0) {
        return 0;
    }

    c = s[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }

    if ((c & 0xe0) == 0xc0) {
        n = 2; c &= 0x1f; min = 0x80;

    } else if ((c & 0xf0) == 0xe0) {
        n = 3; c &= 0x0f; min = 0x800;

    } else if ((c & 0xf8) == 0xf0) {
        n = 4; c &= 0x07; min = 0x10000;

    } else {
        return 0;
    }

    if (len < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (s[i] & 0x3f);
    }

    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }

    *cp = c;

    return n;
}


long
portail_utf8_chars(const unsigned char *s, size_t len)
{
    long      chars;
    size_t    n;
    uint32_t  cp;

    chars = 0;

    while (len) {
        n = portail_utf8_next(s, len, &cp);

        if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            return -1;
        }

        s += n;
        len -= n;
        chars++;
    }

    return chars;
}


/* %XX in forms, #xx in PDF names */

int
portail_hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/*
 * Several lines typed in a text area: the code points, a CR LF pair (what
 * browsers send) counting as one, or -1 for invalid UTF-8 and for control
 * characters other than tab and line breaks.
 */

long
portail_text_chars(const unsigned char *s, size_t len)
{
    long    chars, n;
    size_t  i, start;

    chars = 0;
    start = 0;

    /*
     * The lines between tabs and line breaks are checked as one-line text:
     * these ASCII bytes never occur inside a UTF-8 sequence.
     */

    for (i = 0; i <= len; i++) {
        if (i < len && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
            continue;
        }

        n = portail_utf8_chars(s + start, i - start);
        if (n < 0) {
            return -1;
        }

        chars += n;

        if (i < len && !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
            chars++;
        }

        start = i + 1;
    }

    return chars;
}


/* 1 when there is nothing but spaces, tabs and line breaks */

int
portail_text_blank(const unsigned char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            return 0;
        }
    }

    return 1;
}
