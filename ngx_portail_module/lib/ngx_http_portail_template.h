
/*
 * Templates of what the portal writes (its e-mails, the wording of its
 * PDFs), independent of nginx: plain C, so that the fuzzing harnesses
 * (fuzz/) link it alone.  The syntax (docs/templates.md):
 *
 *     Bonjour {{prenom}},        a variable, replaced by its value
 *     {{! a comment }}           nothing
 *
 * and, in a file of several texts (the wording of a PDF), a line "[name]"
 * before each text.  Variables are checked when a template is compiled:
 * the caller says which ones each template may use, and rendering asks it
 * their values by index in that list.
 *
 * Memory comes from the caller's allocator (nginx's pool in the module);
 * nothing is freed here.  A compiled template keeps no pointer into the
 * text it was compiled from.
 */


#ifndef _NGX_HTTP_PORTAIL_TEMPLATE_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_TEMPLATE_H_INCLUDED_


#include <stddef.h>


#define PORTAIL_TEMPLATE_NAME_MAX   64

/* compiling */
#define PORTAIL_TEMPLATE_LINE       1   /* one line only: a subject */
#define PORTAIL_TEMPLATE_FOLD       2   /* line breaks are spaces, ends
                                           trimmed: a PDF wraps its text */

/* rendering */
#define PORTAIL_TEMPLATE_HTML       1   /* values HTML-escaped */
#define PORTAIL_TEMPLATE_CRLF       2   /* line breaks as CRLF: MIME text */

/* what a value callback returns for a value that is HTML already */
#define PORTAIL_TEMPLATE_MARKUP     1


typedef struct portail_template_s  portail_template_t;

typedef void *(*portail_template_alloc_pt)(void *ctx, size_t size);

/*
 * The value of the variable names[index] of the compiled template: 0, or
 * PORTAIL_TEMPLATE_MARKUP for HTML inserted as it is in HTML, or -1 to
 * stop rendering.
 */
typedef int (*portail_template_value_pt)(void *ctx, size_t index,
    const unsigned char **data, size_t *len);


/* what an error names that the template may not use */
#define PORTAIL_TEMPLATE_UNKNOWN_VARIABLE  1
#define PORTAIL_TEMPLATE_UNKNOWN_TEXT      2

typedef struct {
    unsigned long                     line;    /* 0: the whole file */
    const char                       *error;   /* NULL: out of memory */
    char                              what[PORTAIL_TEMPLATE_NAME_MAX + 8];
    unsigned                          unknown;
} portail_template_error_t;


/*
 * Compiles text (len bytes, whose first line is numbered line); names is
 * the NULL-terminated list of the variables it may use.  The last line
 * break of the text is not part of it.  0, or -1 with err filled.
 */
int portail_template_parse(const unsigned char *text, size_t len,
    unsigned long line, const char *const *names, unsigned flags,
    portail_template_alloc_pt alloc, void *ctx, portail_template_t **tpl,
    portail_template_error_t *err);

/*
 * A file of several texts, each after a line "[name]": texts[i] is the
 * text of sections[i] (NULL-terminated), compiled with names and flags.
 * Each section once, all of them; before the first, only blank lines and
 * comments.  0, or -1 with err filled.
 */
int portail_template_parse_sections(const unsigned char *text, size_t len,
    const char *const *sections, const char *const *names, unsigned flags,
    portail_template_alloc_pt alloc, void *ctx, portail_template_t **texts,
    portail_template_error_t *err);

/*
 * Renders into out, size bytes at most, and returns the length of the
 * whole text (more than size: what is beyond was not written; out may be
 * NULL with size 0 to measure), or (size_t) -1 when value() said so.
 */
size_t portail_template_render(const portail_template_t *tpl,
    unsigned flags, portail_template_value_pt value, void *ctx,
    unsigned char *out, size_t size);


#endif /* _NGX_HTTP_PORTAIL_TEMPLATE_H_INCLUDED_ */
