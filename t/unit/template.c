/*
 * Unit test of the template parser (ngx_portail_module/lib/
 * ngx_http_portail_template.c): the syntax of docs/templates.md, its
 * errors with their lines, rendering as text, HTML and MIME text.  Built
 * and run by t/006-gabarits-lib.t; prints TAP.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_portail_template.h"


static int          tests;
static int          failed;

static const char  *names[] = { "prenom", "nom", "lien", NULL };
static const char  *sections[] = { "titre", "corps", NULL };
static const char  *values[] = { "Élodie <b>", "D'Ürs & \"fils\"", "<a>" };


static void *
alloc(void *ctx, size_t size)
{
    (void) ctx;
    return malloc(size);            /* a test: never freed */
}


/* {{lien}} is HTML already, the others are not */
static int
value(void *ctx, size_t index, const unsigned char **data, size_t *len)
{
    if (ctx) {
        return -1;
    }

    *data = (const unsigned char *) values[index];
    *len = strlen(values[index]);

    return index == 2 ? PORTAIL_TEMPLATE_MARKUP : 0;
}


static void
ok(int cond, const char *what)
{
    tests++;
    printf("%s %d - %s\n", cond ? "ok" : "not ok", tests, what);
    failed += !cond;
}


static char *
rendered(portail_template_t *t, unsigned flags)
{
    size_t  n;
    char   *out;

    n = portail_template_render(t, flags, value, NULL, NULL, 0);
    out = malloc(n + 1);
    n = portail_template_render(t, flags, value, NULL, (unsigned char *) out,
                                n);
    out[n] = '\0';

    return out;
}


/* the text rendered with flags, or "error <line> <error> <what>" */
static char *
run(const char *text, unsigned parse, unsigned flags)
{
    char                      *out;
    portail_template_t        *t;
    portail_template_error_t   err;

    if (portail_template_parse((const unsigned char *) text, strlen(text), 1,
                               names, parse, alloc, NULL, &t, &err)
        != 0)
    {
        out = malloc(256);
        snprintf(out, 256, "error %lu %s %s", err.line, err.error, err.what);
        return out;
    }

    return rendered(t, flags);
}


static void
is(const char *got, const char *want, const char *what)
{
    ok(strcmp(got, want) == 0, what);

    if (strcmp(got, want) != 0) {
        printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got, want);
    }
}


static char *
run_sections(const char *text, int i)
{
    char                      *out;
    portail_template_t        *t[2];
    portail_template_error_t   err;

    if (portail_template_parse_sections((const unsigned char *) text,
                                        strlen(text), sections, names,
                                        PORTAIL_TEMPLATE_FOLD, alloc, NULL, t,
                                        &err)
        != 0)
    {
        out = malloc(256);
        snprintf(out, 256, "error %lu %s %s%s", err.line, err.error, err.what,
                 err.unknown == PORTAIL_TEMPLATE_UNKNOWN_TEXT ? " (text)" : "");
        return out;
    }

    return rendered(t[i], 0);
}


int
main(void)
{
    char                      buf[8], *s;
    size_t                    n;
    portail_template_t       *t;
    portail_template_error_t  err;

    /* variables and text */

    is(run("Bonjour {{prenom}} {{ nom }},", 0, 0),
       "Bonjour Élodie <b> D'Ürs & \"fils\",", "variables, blanks inside");
    is(run("<p>{{prenom}} {{nom}}</p>", 0, PORTAIL_TEMPLATE_HTML),
       "<p>Élodie &lt;b&gt; D&#39;Ürs &amp; &quot;fils&quot;</p>",
       "HTML: values escaped, the template's own markup kept");
    is(run("<p>{{lien}}</p>", 0, PORTAIL_TEMPLATE_HTML), "<p><a></p>",
       "HTML: a markup value as it is");
    is(run("a\nb\n\n{{prenom}}\n", 0, PORTAIL_TEMPLATE_CRLF),
       "a\r\nb\r\n\r\nÉlodie <b>", "MIME text: CRLF, the last line break dropped");
    is(run("a\r\nb\r\n\r\n", 0, 0), "a\nb", "a file with CRLF reads as LF");
    is(run("{ } }} {x} {{! {{prenom}} }}", 0, 0), "{ } }} {x}  }}",
       "braces alone are text; a comment ends at its first }}");
    is(run("{{! en-tête\n   sur deux lignes }}\nBonjour,\n  {{! seul }}  \n"
           "fin {{! pas seul }}.\n{{! dernier }}", 0, 0),
       "Bonjour,\nfin .", "a line holding only a comment goes with it");
    is(run("", 0, 0), "", "an empty file is an empty text");

    /* one-line and folded texts */

    is(run("{{! objet }}\nVotre {{nom}}\n\n", PORTAIL_TEMPLATE_LINE, 0),
       "Votre D'Ürs & \"fils\"", "a subject on one line");
    is(run("Votre\ncompte", PORTAIL_TEMPLATE_LINE, 0),
       "error 1 line break in a one-line text ", "a subject on two lines");
    is(run("\n  Le bailleur, {{nom}},\n   déclare {{! x }}\n\n avoir  reçu \n",
           PORTAIL_TEMPLATE_FOLD, 0),
       "Le bailleur, D'Ürs & \"fils\", déclare avoir  reçu",
       "folded: line breaks are one space, the ends trimmed");

    /* errors, with their lines */

    is(run("a\n\nb {{prenom", 0, 0), "error 3 unterminated {{prenom",
       "unterminated {{");
    is(run("a\n{{! b\nc", 0, 0), "error 2 unterminated {{! b",
       "unterminated comment");
    is(run("a\n{{}}", 0, 0), "error 2 empty variable {{}}", "empty variable");
    is(run("{{Prénom}}", 0, 0), "error 1 invalid variable name {{Prénom}}",
       "invalid name");
    is(run("{{! a\nb }}\n\n{{ prenon }}", 0, 0),
       "error 4 unknown variable {{prenon}}",
       "unknown variable, lines counted through a comment");
    is(run("a\x01", 0, 0), "error 1 control character ", "control character");
    is(run("a\rb", 0, 0), "error 1 control character ", "a lone CR");
    is(run("\n\xc3(", 0, 0), "error 2 invalid UTF-8 ", "invalid UTF-8");
    is(run("\xed\xa0\x80", 0, 0), "error 1 invalid UTF-8 ", "a surrogate");

    (void) portail_template_parse((const unsigned char *) "{{ prenon }}", 12,
                                  7, names, 0, alloc, NULL, &t, &err);
    ok(err.line == 7 && err.unknown == PORTAIL_TEMPLATE_UNKNOWN_VARIABLE,
       "the first line's number is the caller's; an unknown variable says so");

    s = run("{{ a_very_long_name_going_on_and_on_and_on_and_on_and_on_and_on_"
            "and_on }}", 0, 0);
    ok(strncmp(s, "error 1 invalid variable name {{ a_very", 38) == 0
       && strcmp(s + strlen(s) - 3, "...") == 0
       && strlen(s) < 31 + PORTAIL_TEMPLATE_NAME_MAX + 8,
       "a long excerpt is cut, and says so");

    /* rendering */

    (void) portail_template_parse((const unsigned char *) "ab{{prenom}}", 12,
                                  1, names, 0, alloc, NULL, &t, &err);
    memset(buf, '#', sizeof(buf));
    n = portail_template_render(t, 0, value, NULL, (unsigned char *) buf, 4);
    ok(n == strlen("abÉlodie <b>") && memcmp(buf, "ab\xc3\x89##", 6) == 0,
       "a small buffer: the length of the whole, nothing written beyond");
    ok(portail_template_render(t, 0, value, "stop", NULL, 0) == (size_t) -1,
       "a value that fails stops the rendering");

    /* a file of texts */

    is(run_sections("{{! La quittance }}\n\n[corps]\nBonjour\n  {{prenom}}\n"
                    "[titre]\nQuittance\n", 0),
       "Quittance", "texts by name, in any order");
    is(run_sections("{{! La quittance }}\n\n[corps]\nBonjour\n  {{prenom}}\n"
                    "  [titre]  \r\nQuittance\n", 1),
       "Bonjour Élodie <b>", "folded; a heading may have blanks around it");
    is(run_sections("[titre]\nA\n[corps]", 1), "",
       "a heading on the last line: an empty text");
    is(run_sections("oops\n[titre]\nA\n[corps]\nB", 0),
       "error 1 text before the first \"[name]\" line oops",
       "text before the first heading");
    is(run_sections("[titre]\nA\n[autre]\nB\n", 0),
       "error 3 unknown text [autre] (text)", "an unknown text");
    is(run_sections("[titre]\nA\n[corps]\nB\n[titre]\nC\n", 0),
       "error 5 text given twice [titre]", "a text given twice");
    is(run_sections("[titre]\nA\n", 0), "error 0 missing text [corps]",
       "a missing text: no line");
    is(run_sections("[titre]\nA\n[Corps]\nB", 0),
       "error 3 invalid text name [Corps]", "an invalid heading");
    is(run_sections("[titre]\nA\n[corps]\nB {{x}}\n", 0),
       "error 4 unknown variable {{x}}", "errors in a text have the file's lines");

    printf("1..%d\n", tests);

    return failed != 0;
}
