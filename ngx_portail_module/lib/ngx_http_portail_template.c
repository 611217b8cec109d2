
/*
 * Templates: compiled into literal pieces and variables, checked once
 * (encoding, syntax, the variables each template may use), rendered with
 * a callback giving the values.  No nginx type here: see the header.
 */


#include <stdint.h>
#include <string.h>

#include "ngx_http_portail_template.h"
#include "ngx_http_portail_text.h"


typedef struct {
    const unsigned char              *data;    /* NULL: a variable */
    size_t                            len;     /* or its index in names */
} portail_template_part_t;


struct portail_template_s {
    portail_template_part_t          *parts;
    size_t                            nparts;
};


static int portail_template_check(const unsigned char *text, size_t len,
    unsigned long line, portail_template_error_t *err);
static int portail_template_fail(portail_template_error_t *err,
    unsigned long line, const char *error, const char *before,
    const unsigned char *what, size_t len, const char *after);
static int portail_template_name(const unsigned char *s, size_t len);
static const unsigned char *portail_template_close(const unsigned char *p,
    const unsigned char *end);
static unsigned long portail_template_lines(const unsigned char *p,
    const unsigned char *end);
static void portail_template_trim(portail_template_t *tpl, unsigned flags);
static int portail_template_section(const unsigned char *body,
    const unsigned char *end, unsigned long line, portail_template_t **text,
    const char *const *names, unsigned flags,
    portail_template_alloc_pt alloc, void *ctx,
    portail_template_error_t *err);
static int portail_template_preamble(const unsigned char *p,
    const unsigned char *end, unsigned long line,
    portail_template_error_t *err);
static int portail_template_heading(const unsigned char *p,
    const unsigned char *eol, const unsigned char **name, size_t *len);
static size_t portail_template_put(unsigned char *out, size_t size,
    size_t n, const unsigned char *s, size_t len, unsigned flags);


#define portail_template_space(c)  ((c) == ' ' || (c) == '\t')


int
portail_template_parse(const unsigned char *text, size_t len,
    unsigned long line, const char *const *names, unsigned flags,
    portail_template_alloc_pt alloc, void *ctx, portail_template_t **tpl,
    portail_template_error_t *err)
{
    size_t                    n, i, vlen, max;
    unsigned char            *buf, *q, *lit;
    const unsigned char      *p, *end, *close, *v, *vend;
    portail_template_t       *t;
    portail_template_part_t  *part;

    err->line = 0;
    err->error = NULL;
    err->what[0] = '\0';
    err->unknown = 0;

    if (portail_template_check(text, len, line, err) != 0) {
        return -1;
    }

    /* the line breaks that end a file are not part of its text */
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
        len--;
    }

    end = text + len;

    max = 1;
    for (p = text; p + 1 < end; p++) {
        if (p[0] == '{' && p[1] == '{') {
            max += 2;
            p++;
        }
    }

    t = alloc(ctx, sizeof(portail_template_t));
    buf = alloc(ctx, len ? len : 1);
    part = alloc(ctx, max * sizeof(portail_template_part_t));

    if (t == NULL || buf == NULL || part == NULL) {
        return -1;
    }

    t->parts = part;
    t->nparts = 0;

    p = text;
    q = buf;
    lit = buf;

    while (p < end) {

        if (p + 1 < end && p[0] == '{' && p[1] == '{') {
            close = portail_template_close(p + 2, end);

            if (close == NULL) {
                for (v = p; v < end && *v != '\n' && *v != '\r'; v++) {
                    /* the rest of the line */
                }

                return portail_template_fail(err, line, "unterminated",
                                             "", p, v - p, "");
            }

            if (p[2] == '!') {
                /* a comment: the text goes on after it */
                line += portail_template_lines(p, close);

                /* alone on its line, the line goes with it */
                for (v = p; v > text && portail_template_space(v[-1]); v--) {
                    /* the blanks before it */
                }

                for (vend = close + 2;
                     vend < end && (portail_template_space(*vend)
                                    || *vend == '\r');
                     vend++)
                {
                    /* and after it */
                }

                if (!(flags & PORTAIL_TEMPLATE_FOLD)
                    && (v == text || v[-1] == '\n')
                    && (vend == end || *vend == '\n'))
                {
                    q -= p - v;
                    p = (vend < end) ? vend + 1 : end;
                    line += (vend < end);
                    continue;
                }

                p = close + 2;
                continue;
            }

            v = p + 2;
            vend = close;

            while (v < vend && portail_template_space(*v)) {
                v++;
            }

            while (vend > v && portail_template_space(vend[-1])) {
                vend--;
            }

            vlen = vend - v;

            if (vlen == 0) {
                return portail_template_fail(err, line, "empty variable",
                                             "{{", p + 2, close - p - 2,
                                             "}}");
            }

            if (!portail_template_name(v, vlen)) {
                return portail_template_fail(err, line,
                                             "invalid variable name",
                                             "{{", p + 2, close - p - 2,
                                             "}}");
            }

            for (i = 0; names[i]; i++) {
                if (strlen(names[i]) == vlen
                    && memcmp(names[i], v, vlen) == 0)
                {
                    break;
                }
            }

            if (names[i] == NULL) {
                err->unknown = PORTAIL_TEMPLATE_UNKNOWN_VARIABLE;
                return portail_template_fail(err, line, "unknown variable",
                                             "{{", v, vlen, "}}");
            }

            if (q > lit) {
                t->parts[t->nparts].data = lit;
                t->parts[t->nparts].len = q - lit;
                t->nparts++;
                lit = q;
            }

            t->parts[t->nparts].data = NULL;
            t->parts[t->nparts].len = i;
            t->nparts++;

            p = close + 2;
            continue;
        }

        if ((flags & PORTAIL_TEMPLATE_FOLD)
            && (portail_template_space(*p) || *p == '\n' || *p == '\r'))
        {
            /* a run of blanks: one space if it breaks the line */
            for (v = p, n = 0;
                 v < end && (portail_template_space(*v) || *v == '\n'
                             || *v == '\r');
                 v++)
            {
                n += (*v == '\n');
            }

            if (n == 0) {
                while (p < v) {
                    *q++ = *p++;
                }
                continue;
            }

            line += n;
            p = v;

            if (q == lit || q[-1] != ' ') {
                *q++ = ' ';
            }

            continue;
        }

        if (*p == '\r') {
            /* CRLF files: the check let only those through */
            p++;
            continue;
        }

        if (*p == '\n') {
            if (flags & PORTAIL_TEMPLATE_LINE) {
                return portail_template_fail(err, line,
                                             "line break in a one-line text",
                                             "", NULL, 0, "");
            }

            line++;
        }

        *q++ = *p++;
    }

    if (q > lit) {
        t->parts[t->nparts].data = lit;
        t->parts[t->nparts].len = q - lit;
        t->nparts++;
    }

    portail_template_trim(t, flags);

    *tpl = t;

    return 0;
}


int
portail_template_parse_sections(const unsigned char *text, size_t len,
    const char *const *sections, const char *const *names, unsigned flags,
    portail_template_alloc_pt alloc, void *ctx, portail_template_t **texts,
    portail_template_error_t *err)
{
    int                   rc;
    size_t                i, n, nlen, cur;
    unsigned long         line, body_line;
    const unsigned char  *p, *end, *eol, *next, *body, *name;

    err->line = 0;
    err->error = NULL;
    err->what[0] = '\0';
    err->unknown = 0;

    for (n = 0; sections[n]; n++) {
        texts[n] = NULL;
    }

    if (portail_template_check(text, len, 1, err) != 0) {
        return -1;
    }

    end = text + len;
    cur = n;                        /* before the first heading */
    body = text;
    body_line = 1;

    for (p = text, line = 1; p < end; p = next, line++) {

        eol = memchr(p, '\n', end - p);
        next = eol ? eol + 1 : end;
        eol = eol ? eol : end;

        rc = portail_template_heading(p, eol, &name, &nlen);

        if (rc == 0) {
            continue;
        }

        if (rc < 0) {
            return portail_template_fail(err, line, "invalid text name", "[",
                                         name, nlen, "]");
        }

        if (portail_template_section(body, p, body_line,
                                     cur == n ? NULL : &texts[cur], names,
                                     flags, alloc, ctx, err)
            != 0)
        {
            return -1;
        }

        for (i = 0; i < n; i++) {
            if (strlen(sections[i]) == nlen
                && memcmp(sections[i], name, nlen) == 0)
            {
                break;
            }
        }

        if (i == n) {
            err->unknown = PORTAIL_TEMPLATE_UNKNOWN_TEXT;
            return portail_template_fail(err, line, "unknown text", "[", name,
                                         nlen, "]");
        }

        if (texts[i]) {
            return portail_template_fail(err, line, "text given twice", "[",
                                         name, nlen, "]");
        }

        cur = i;
        body = next;
        body_line = line + 1;
    }

    if (portail_template_section(body, end, body_line,
                                 cur == n ? NULL : &texts[cur], names, flags,
                                 alloc, ctx, err)
        != 0)
    {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (texts[i] == NULL) {
            return portail_template_fail(err, 0, "missing text", "[",
                                         (const unsigned char *) sections[i],
                                         strlen(sections[i]), "]");
        }
    }

    return 0;
}


/* the lines of a text are over (text NULL: those before the first heading) */

static int
portail_template_section(const unsigned char *body, const unsigned char *end,
    unsigned long line, portail_template_t **text, const char *const *names,
    unsigned flags, portail_template_alloc_pt alloc, void *ctx,
    portail_template_error_t *err)
{
    if (text == NULL) {
        return portail_template_preamble(body, end, line, err);
    }

    return portail_template_parse(body, end - body, line, names, flags, alloc,
                                  ctx, text, err);
}


size_t
portail_template_render(const portail_template_t *tpl, unsigned flags,
    portail_template_value_pt value, void *ctx, unsigned char *out,
    size_t size)
{
    int                             rc;
    size_t                          i, n, len;
    const unsigned char            *data;
    const portail_template_part_t  *part;

    n = 0;

    for (i = 0; i < tpl->nparts; i++) {
        part = &tpl->parts[i];

        if (part->data) {
            n = portail_template_put(out, size, n, part->data, part->len,
                                     flags & PORTAIL_TEMPLATE_CRLF);
            continue;
        }

        data = NULL;
        len = 0;

        rc = value(ctx, part->len, &data, &len);

        if (rc < 0) {
            return (size_t) -1;
        }

        n = portail_template_put(out, size, n, data, len,
                                 (rc & PORTAIL_TEMPLATE_MARKUP)
                                 ? (flags & ~PORTAIL_TEMPLATE_HTML) : flags);
    }

    return n;
}


/*
 * Values and literal text, HTML-escaped (the five characters that matter
 * in text and in attributes) or not; line breaks as CRLF when asked.
 */

static size_t
portail_template_put(unsigned char *out, size_t size, size_t n,
    const unsigned char *s, size_t len, unsigned flags)
{
    size_t       i;
    const char  *e;

#define portail_template_emit(c)                                              \
    do {                                                                      \
        if (n < size) {                                                       \
            out[n] = (c);                                                     \
        }                                                                     \
        n++;                                                                  \
    } while (0)

    for (i = 0; i < len; i++) {

        e = NULL;

        if (flags & PORTAIL_TEMPLATE_HTML) {
            switch (s[i]) {
            case '&':  e = "&amp;";  break;
            case '<':  e = "&lt;";   break;
            case '>':  e = "&gt;";   break;
            case '"':  e = "&quot;"; break;
            case '\'': e = "&#39;";  break;
            }
        }

        if (e) {
            for ( /* void */ ; *e; e++) {
                portail_template_emit((unsigned char) *e);
            }
            continue;
        }

        if ((flags & PORTAIL_TEMPLATE_CRLF) && s[i] == '\n'
            && (i == 0 || s[i - 1] != '\r'))
        {
            portail_template_emit('\r');
        }

        portail_template_emit(s[i]);
    }

#undef portail_template_emit

    return n;
}


/*
 * UTF-8 only, without control characters but tabs and line breaks (LF,
 * or CRLF as some editors write them).
 */

static int
portail_template_check(const unsigned char *text, size_t len,
    unsigned long line, portail_template_error_t *err)
{
    size_t                n;
    uint32_t              cp;
    const unsigned char  *p, *end;

    end = text + len;

    for (p = text; p < end; p += n) {
        n = portail_utf8_next(p, end - p, &cp);

        if (n == 0) {
            return portail_template_fail(err, line, "invalid UTF-8", "",
                                         NULL, 0, "");
        }

        if (cp == '\n') {
            line++;
            continue;
        }

        if (cp == '\r' && p + 1 < end && p[1] == '\n') {
            continue;
        }

        if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0)) {
            return portail_template_fail(err, line, "control character", "",
                                         NULL, 0, "");
        }
    }

    return 0;
}


/* err, with a copy of what is at fault, cut, on one line */

static int
portail_template_fail(portail_template_error_t *err, unsigned long line,
    const char *error, const char *before, const unsigned char *what,
    size_t len, const char *after)
{
    char    *w, *last;
    size_t   i, room;

    err->line = line;
    err->error = error;

    w = err->what;
    last = err->what + sizeof(err->what) - 1;

    while (*before && w < last) {
        *w++ = *before++;
    }

    room = last - w;
    room = (room > strlen(after)) ? room - strlen(after) : 0;

    if (len > room) {
        /* cut between two characters, and say so */
        len = (room > 3) ? room - 3 : 0;

        while (len && (what[len] & 0xc0) == 0x80) {
            len--;
        }

        after = "...";
    }

    for (i = 0; i < len; i++) {
        *w++ = (what[i] < 0x20) ? ' ' : (char) what[i];
    }

    while (*after && w < last) {
        *w++ = *after++;
    }

    *w = '\0';

    return -1;
}


/* a variable's name: a lower-case letter, then letters, digits, "_" */

static int
portail_template_name(const unsigned char *s, size_t len)
{
    size_t  i;

    if (len > PORTAIL_TEMPLATE_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z')) {
        return 0;
    }

    for (i = 1; i < len; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')
              || s[i] == '_'))
        {
            return 0;
        }
    }

    return 1;
}


/* the "}}" closing a "{{", or NULL */

static const unsigned char *
portail_template_close(const unsigned char *p, const unsigned char *end)
{
    for ( /* void */ ; p + 1 < end; p++) {
        if (p[0] == '}' && p[1] == '}') {
            return p;
        }
    }

    return NULL;
}


static unsigned long
portail_template_lines(const unsigned char *p, const unsigned char *end)
{
    unsigned long  n;

    for (n = 0; p < end; p++) {
        n += (*p == '\n');
    }

    return n;
}


/*
 * The ends of a text: no line break at its end; a folded one (a PDF's) has
 * no space at either end.  Literal pieces left empty are dropped.
 */

static void
portail_template_trim(portail_template_t *tpl, unsigned flags)
{
    size_t                    i, j;
    portail_template_part_t  *first, *last;

    if (tpl->nparts == 0) {
        return;
    }

    first = &tpl->parts[0];
    last = &tpl->parts[tpl->nparts - 1];

    if (last->data) {
        while (last->len
               && (last->data[last->len - 1] == '\n'
                   || ((flags & PORTAIL_TEMPLATE_FOLD)
                       && portail_template_space(last->data[last->len - 1]))))
        {
            last->len--;
        }
    }

    if (first->data && (flags & PORTAIL_TEMPLATE_FOLD)) {
        while (first->len && portail_template_space(first->data[0])) {
            first->data++;
            first->len--;
        }
    }

    for (i = 0, j = 0; i < tpl->nparts; i++) {
        if (tpl->parts[i].data == NULL || tpl->parts[i].len) {
            tpl->parts[j++] = tpl->parts[i];
        }
    }

    tpl->nparts = j;
}


/* before the first heading: blank lines and comments only */

static int
portail_template_preamble(const unsigned char *p, const unsigned char *end,
    unsigned long line, portail_template_error_t *err)
{
    const unsigned char  *close, *v;

    while (p < end) {

        if (*p == '\n') {
            line++;
            p++;
            continue;
        }

        if (portail_template_space(*p) || *p == '\r') {
            p++;
            continue;
        }

        if (p + 2 < end && p[0] == '{' && p[1] == '{' && p[2] == '!') {
            close = portail_template_close(p + 2, end);

            if (close == NULL) {
                for (v = p; v < end && *v != '\n' && *v != '\r'; v++) {
                    /* the rest of the line */
                }

                return portail_template_fail(err, line, "unterminated",
                                             "", p, v - p, "");
            }

            line += portail_template_lines(p, close);
            p = close + 2;
            continue;
        }

        for (v = p; v < end && *v != '\n' && *v != '\r'; v++) {
            /* the rest of the line */
        }

        return portail_template_fail(err, line,
                                     "text before the first \"[name]\" line",
                                     "", p, v - p, "");
    }

    return 0;
}


/*
 * Whether a line is a heading "[name]" (blanks around allowed): 1, with
 * the name; 0 if it is text; -1 if it looks like one but the name is not
 * valid.
 */

static int
portail_template_heading(const unsigned char *p, const unsigned char *eol,
    const unsigned char **name, size_t *len)
{
    const unsigned char  *s;

    while (p < eol && portail_template_space(*p)) {
        p++;
    }

    while (eol > p && (portail_template_space(eol[-1]) || eol[-1] == '\r')) {
        eol--;
    }

    if (eol - p < 2 || p[0] != '[' || eol[-1] != ']') {
        return 0;
    }

    for (s = p + 1; s < eol - 1; s++) {
        if (portail_template_space(*s)) {
            return 0;
        }
    }

    *name = p + 1;
    *len = eol - p - 2;

    return (*len && portail_template_name(*name, *len)) ? 1 : -1;
}
