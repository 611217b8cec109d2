
/*
 * The judge of a new password.  First the office's floor, as its guide
 * publishes it (8 characters, 2 digits, 1 special character): a promise to
 * tenants, kept word for word.  Then what the floor lets through and an
 * attacker tries first: the account's own words (names, e-mail address),
 * refused outright, and zxcvbn's estimate of the guesses needed, with the
 * account's words, the office's and the portal's names and a few thousand
 * French words as its user dictionary (its own lists are English).
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#include <string.h>
#include <stdlib.h>
#include <zxcvbn.h>

#include "ngx_http_portail_validate.h"


#define PORTAIL_WORD_MAX  24


typedef struct {
    char      word[PORTAIL_CONTEXT_WORDS_MAX][PORTAIL_WORD_MAX + 1];
    unsigned  n;
} portail_words_t;


static void portail_reason(portail_verdict_t *v, const char *code,
    const char *message);
static size_t portail_fold(uint32_t cp, char *out);
static void portail_split(const unsigned char *s, size_t len, size_t min,
    portail_words_t *w);
static void portail_unleet(const unsigned char *s, size_t len, char *out,
    char one);
static int portail_contains(const char *folded[2], const portail_words_t *w,
    unsigned from, unsigned to);


static void
portail_reason(portail_verdict_t *v, const char *code, const char *message)
{
    if (v->n < PORTAIL_REASONS_MAX) {
        v->reasons[v->n].code = code;
        v->reasons[v->n].message = message;
        v->n++;
    }
}


/*
 * A special character is any ASCII sign or space, or any non-ASCII
 * character that is not a Latin letter (the SPA applies the same
 * definition).
 */

void
portail_password_floor(const unsigned char *s, size_t len,
    portail_verdict_t *v)
{
    long                  chars;
    size_t                n;
    uint32_t              cp;
    unsigned              digits, specials;
    const unsigned char  *p, *end;

    v->n = 0;
    v->bits = 0;

    chars = portail_utf8_chars(s, len);

    if (chars < 0) {
        portail_reason(v, "caractere_interdit",
                       "Le mot de passe contient un caractère non autorisé.");
        return;
    }

    if (chars > PORTAIL_PASSWORD_MAX_CHARS) {
        portail_reason(v, "trop_long",
                       "Le mot de passe ne doit pas dépasser 128 caractères.");
        return;
    }

    if (chars < PORTAIL_PASSWORD_MIN_CHARS) {
        portail_reason(v, "trop_court",
                       "Le mot de passe doit contenir au moins 8 caractères.");
    }

    digits = 0;
    specials = 0;

    for (p = s, end = s + len; p < end; p += n) {
        n = portail_utf8_next(p, end - p, &cp);

        if (cp >= '0' && cp <= '9') {
            digits++;

        } else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
            /* a letter */

        } else if (cp < 0xc0 || cp > 0x24f || cp == 0xd7 || cp == 0xf7) {
            specials++;
        }
    }

    if (digits < 2) {
        portail_reason(v, "chiffres",
                       "Le mot de passe doit contenir au moins 2 chiffres.");
    }

    if (specials < 1) {
        portail_reason(v, "caractere_special",
                       "Le mot de passe doit contenir au moins 1 caractère "
                       "spécial (par exemple ! ? # @ ou une espace).");
    }
}


void
portail_password_judge(const unsigned char *s, size_t len,
    const portail_password_context_t *ctx, portail_verdict_t *v)
{
    size_t            i, n;
    unsigned          names, email;
    const char      **dict;
    const char       *f[2];
    portail_words_t   w;
    char              pwd[4 * PORTAIL_PASSWORD_MAX_CHARS + 1];
    char              un[2][4 * PORTAIL_PASSWORD_MAX_CHARS + 1];
    const unsigned char  *at;

    portail_password_floor(s, len, v);

    /* nothing to estimate in what is not text, or too long to be typed */
    if (v->n && (strcmp(v->reasons[0].code, "caractere_interdit") == 0
                 || strcmp(v->reasons[0].code, "trop_long") == 0))
    {
        return;
    }

    /*
     * The account's words: its owner's names and the local part of the
     * address are refused in any case, then come the address's domain,
     * the office's name and the portal's, which zxcvbn only ranks first.
     */

    w.n = 0;

    if (ctx) {
        portail_split(ctx->names, ctx->names_len, 3, &w);
    }

    names = w.n;
    at = NULL;

    if (ctx && ctx->email_len) {
        at = memchr(ctx->email, '@', ctx->email_len);
        portail_split(ctx->email, at ? (size_t) (at - ctx->email)
                                     : ctx->email_len, 3, &w);
    }

    email = w.n;

    if (at) {
        /* the domain less its last label: "example" of "example.org" */
        n = ctx->email + ctx->email_len - (at + 1);
        for (i = n; i > 0 && at[i] != '.'; i--) { /* void */ }
        portail_split(at + 1, i ? i - 1 : n, 4, &w);
    }

    if (ctx) {
        portail_split(ctx->office, ctx->office_len, 4, &w);
    }

    portail_split((const unsigned char *) "portail locataire", 17, 4, &w);

    portail_unleet(s, len, un[0], 'i');
    portail_unleet(s, len, un[1], 'l');
    f[0] = un[0];
    f[1] = un[1];

    if (portail_contains(f, &w, 0, names)) {
        portail_reason(v, "contient_nom",
                       "Le mot de passe ne doit pas contenir votre nom ni "
                       "votre prénom.");
    }

    if (portail_contains(f, &w, names, email)) {
        portail_reason(v, "contient_email",
                       "Le mot de passe ne doit pas contenir votre adresse "
                       "e-mail ni une partie de celle-ci.");
    }

    /* zxcvbn reads a C string; an empty one has nothing to estimate */

    memcpy(pwd, s, len);
    pwd[len] = '\0';

    if (memchr(pwd, '\0', len) != NULL || len == 0) {
        portail_reason(v, "trop_previsible",
                       "Ce mot de passe est trop courant ou trop facile à "
                       "deviner.");
        return;
    }

    dict = malloc((w.n + portail_french_words_n + 1) * sizeof(char *));

    if (dict == NULL) {
        /* without the list, zxcvbn's own estimate alone */
        v->bits = ZxcvbnMatch(pwd, NULL, NULL);

    } else {
        for (i = 0; i < w.n; i++) {
            dict[i] = w.word[i];
        }

        memcpy(&dict[w.n], portail_french_words,
               (portail_french_words_n + 1) * sizeof(char *));

        v->bits = ZxcvbnMatch(pwd, dict, NULL);
        free(dict);
    }

    if (v->bits < PORTAIL_PASSWORD_MIN_BITS) {
        portail_reason(v, "trop_previsible",
                       "Ce mot de passe est trop courant ou trop facile à "
                       "deviner (suite, répétition, mot courant, date, "
                       "touches voisines du clavier) : allongez-le, par "
                       "exemple avec quelques mots sans rapport entre eux.");
    }
}


/* a code point as the ASCII letters tenants would type for it, or none */

static size_t
portail_fold(uint32_t cp, char *out)
{
    static const char  latin1[] =
        /* U+00C0 to U+00FF; "." is not a letter */
        "aaaaaaaceeeeiiii" "dnooooo.ouuuuyts"
        "aaaaaaaceeeeiiii" "dnooooo.ouuuuyty";

    if (cp >= 'A' && cp <= 'Z') {
        out[0] = (char) (cp | 0x20);
        return 1;
    }

    if (cp >= 'a' && cp <= 'z') {
        out[0] = (char) cp;
        return 1;
    }

    if (cp == 0xc6 || cp == 0xe6) {
        out[0] = 'a'; out[1] = 'e';
        return 2;
    }

    if (cp == 0x152 || cp == 0x153) {
        out[0] = 'o'; out[1] = 'e';
        return 2;
    }

    if (cp >= 0xc0 && cp <= 0xff && latin1[cp - 0xc0] != '.') {
        out[0] = latin1[cp - 0xc0];
        return 1;
    }

    return 0;
}


/* the runs of letters of s, folded, of min letters or more, new ones only */

static void
portail_split(const unsigned char *s, size_t len, size_t min,
    portail_words_t *w)
{
    char                  buf[PORTAIL_WORD_MAX + 2], c[2];
    size_t                n, k, blen;
    unsigned              i;
    uint32_t              cp;
    const unsigned char  *p, *end;

    if (s == NULL) {
        return;
    }

    blen = 0;

    for (p = s, end = s + len; ; p += n) {
        k = 0;
        n = 0;

        if (p < end) {
            n = portail_utf8_next(p, end - p, &cp);
            if (n == 0) {
                n = 1;
                cp = 0;
            }

            k = portail_fold(cp, c);
        }

        if (k) {
            if (blen + k <= PORTAIL_WORD_MAX) {
                memcpy(buf + blen, c, k);
            }

            blen += k;
            continue;
        }

        /* a word ends: too short, too long to be one, or kept */

        if (blen >= min && blen <= PORTAIL_WORD_MAX
            && w->n < PORTAIL_CONTEXT_WORDS_MAX)
        {
            buf[blen] = '\0';

            for (i = 0; i < w->n; i++) {
                if (strcmp(w->word[i], buf) == 0) {
                    break;
                }
            }

            if (i == w->n) {
                memcpy(w->word[w->n++], buf, blen + 1);
            }
        }

        blen = 0;

        if (p >= end) {
            return;
        }
    }
}


/*
 * The password as letters: folded as above, the usual substitutions
 * undone ("m4rt1n"), "1" read as one, the other letter it stands for.
 */

static void
portail_unleet(const unsigned char *s, size_t len, char *out, char one)
{
    char                  c[2];
    size_t                n, k, o;
    uint32_t              cp;
    const unsigned char  *p, *end;

    o = 0;

    for (p = s, end = s + len; p < end; p += n) {
        n = portail_utf8_next(p, end - p, &cp);
        if (n == 0) {
            break;
        }

        k = portail_fold(cp, c);

        if (k == 0) {
            switch (cp) {
            case '0': c[0] = 'o'; break;
            case '1': case '!': case '|': c[0] = one; break;
            case '3': c[0] = 'e'; break;
            case '4': case '@': c[0] = 'a'; break;
            case '5': case '$': c[0] = 's'; break;
            case '7': case '+': c[0] = 't'; break;
            case '8': c[0] = 'b'; break;
            case '9': c[0] = 'g'; break;
            default: c[0] = ' ';
            }

            k = 1;
        }

        memcpy(out + o, c, k);
        o += k;
    }

    out[o] = '\0';
}


static int
portail_contains(const char *folded[2], const portail_words_t *w,
    unsigned from, unsigned to)
{
    unsigned  i;

    for (i = from; i < to; i++) {
        if (strstr(folded[0], w->word[i]) || strstr(folded[1], w->word[i])) {
            return 1;
        }
    }

    return 0;
}
