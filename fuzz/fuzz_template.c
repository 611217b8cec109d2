/*
 * libFuzzer: the template parser, on what an office may write in a file
 * of templates/: one text or a file of "[name]" texts, with the flags the
 * module compiles them with, then each text rendered as text, HTML and
 * MIME text.  The first byte picks the flags; the rest is the file.
 *
 * Checked: an error is described and its excerpt is a bounded string; a
 * rendering is as long as measured and never cut; in HTML, the values'
 * "<" are escaped, so only the template's own and the markup values'
 * remain.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_portail_template.h"


typedef struct {
    void    **blocks;
    size_t    n;
    size_t    markup;       /* "<" of the markup values given so far */
} arena_t;


static const char  *names[] = { "prenom", "nom", "lien", NULL };
static const char  *sections[] = { "titre", "corps", "pied", NULL };

static const char  *values[] = { "<b>&\"'\r\n\n", "<i>x</i>", "" };


static void *
arena_alloc(void *ctx, size_t size)
{
    void     **blocks, *p;
    arena_t   *a = ctx;

    blocks = realloc(a->blocks, (a->n + 1) * sizeof(void *));
    if (blocks == NULL) {
        return NULL;
    }

    a->blocks = blocks;

    p = malloc(size);
    if (p) {
        a->blocks[a->n++] = p;
    }

    return p;
}


static int
value(void *ctx, size_t index, const unsigned char **data, size_t *len)
{
    arena_t  *a = ctx;

    if (index > 2) {
        abort();
    }

    *data = (const unsigned char *) values[index];
    *len = strlen(values[index]);

    if (index == 1) {
        a->markup += 2;     /* "<i>x</i>" */
        return PORTAIL_TEMPLATE_MARKUP;
    }

    return 0;
}


static size_t
count(const unsigned char *s, size_t len, unsigned char c)
{
    size_t  i, n;

    for (i = 0, n = 0; i < len; i++) {
        n += (s[i] == c);
    }

    return n;
}


static void
render(portail_template_t *t, const unsigned char *text, size_t len,
    arena_t *a)
{
    size_t          n, m;
    unsigned        flags;
    unsigned char  *out;

    for (flags = 0; flags < 4; flags++) {
        n = portail_template_render(t, flags, value, a, NULL, 0);
        if (n == (size_t) -1) {
            abort();
        }

        out = malloc(n ? n : 1);
        if (out == NULL) {
            return;
        }

        a->markup = 0;
        m = portail_template_render(t, flags, value, a, out, n);

        if (m != n) {
            abort();
        }

        if ((flags & PORTAIL_TEMPLATE_HTML)
            && count(out, n, '<') > count(text, len, '<') + a->markup)
        {
            abort();
        }

        /* too small a buffer: nothing written beyond it */
        if (n > 1) {
            out[n - 1] = 0xff;
            if (portail_template_render(t, flags, value, a, out, n - 1) != n
                || out[n - 1] != 0xff)
            {
                abort();
            }
        }

        free(out);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                        rc;
    size_t                     i, len;
    unsigned                   mode, flags;
    arena_t                    a;
    unsigned char             *text;
    portail_template_t        *texts[3];
    portail_template_error_t   err;

    if (size == 0) {
        return 0;
    }

    mode = data[0];
    len = size - 1;

    /* the exact size: a read past the end is seen */
    text = malloc(len ? len : 1);
    if (text == NULL) {
        return 0;
    }

    memcpy(text, data + 1, len);

    flags = (mode & 1 ? PORTAIL_TEMPLATE_LINE : 0)
            | (mode & 2 ? PORTAIL_TEMPLATE_FOLD : 0);

    memset(&a, 0, sizeof(arena_t));

    if (mode & 4) {
        rc = portail_template_parse_sections(text, len, sections, names, flags,
                                             arena_alloc, &a, texts, &err);
    } else {
        rc = portail_template_parse(text, len, 1, names, flags, arena_alloc,
                                    &a, &texts[0], &err);
    }

    if (rc == 0) {
        for (i = 0; i < ((mode & 4) ? 3 : 1); i++) {
            render(texts[i], text, len, &a);
        }

    } else if (err.error == NULL
               || memchr(err.what, '\0', sizeof(err.what)) == NULL)
    {
        abort();
    }

    for (i = 0; i < a.n; i++) {
        free(a.blocks[i]);
    }

    free(a.blocks);
    free(text);

    return 0;
}
