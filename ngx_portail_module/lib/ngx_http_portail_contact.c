
/*
 * Contact details, dates and postal addresses (Dossier and Contrat pages).
 * No nginx type here: see ngx_http_portail_validate.h.
 */


#include <string.h>

#include "ngx_http_portail_validate.h"


/*
 * Phone numbers as people type them: French ones with spaces, dots or
 * dashes between the pairs ("06 12 34 56 78", "06.12.34.56.78"), with the
 * country code ("+33 6 12 34 56 78", "+33 (0)6 12...", "0033612345678"),
 * and foreign ones in international form (+ or 00 and the country code).
 * Stored in E.164: "+33612345678".
 */

const char *
portail_check_phone(const unsigned char *s, size_t len, unsigned char *out,
    size_t *outlen)
{
    size_t          i, n, start;
    unsigned char   digits[24];
    int             plus;

    n = 0;
    plus = 0;

    for (i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (n == sizeof(digits)) {
                return "Ce numéro de téléphone est trop long.";
            }

            digits[n++] = s[i];
            continue;
        }

        if (s[i] == '+' && n == 0 && !plus) {
            plus = 1;
            continue;
        }

        if (s[i] == ' ' || s[i] == '.' || s[i] == '-' || s[i] == '/'
            || s[i] == '(' || s[i] == ')' || s[i] == '\t')
        {
            continue;
        }

        return "Saisissez un numéro de téléphone composé de chiffres, "
               "par exemple 06 12 34 56 78.";
    }

    start = 0;

    if (!plus && n >= 2 && digits[0] == '0' && digits[1] == '0') {
        /* 0033..., 0032...: the international prefix */
        plus = 1;
        start = 2;
    }

    if (!plus) {
        if (n != 10 || digits[0] != '0' || digits[1] == '0') {
            return "Un numéro français a 10 chiffres et commence par 0, "
                   "par exemple 06 12 34 56 78.";
        }

        out[0] = '+';
        out[1] = '3';
        out[2] = '3';
        memcpy(out + 3, digits + 1, 9);
        *outlen = 12;

        return NULL;
    }

    if (n - start >= 3 && digits[start] == '3' && digits[start + 1] == '3') {

        /* "+33 (0)6 12 34 56 78": the trunk 0 is not dialled from abroad */
        if (n - start == 12 && digits[start + 2] == '0') {
            memmove(digits + start + 2, digits + start + 3, 9);
            n--;
        }

        if (n - start != 11 || digits[start + 2] == '0') {
            return "Un numéro français en +33 a 9 chiffres après le +33, "
                   "par exemple +33 6 12 34 56 78.";
        }
    }

    if (n - start < 8 || n - start > 15 || digits[start] == '0') {
        return "Ce numéro international n'est pas valide : indiquez le "
               "+, l'indicatif du pays puis le numéro.";
    }

    out[0] = '+';
    memcpy(out + 1, digits + start, n - start);
    *outlen = 1 + n - start;

    return NULL;
}


/* an ISO date (AAAA-MM-JJ) that exists in the calendar: 0, or -1 */

int
portail_parse_date(const unsigned char *s, size_t len, int *year, int *month,
    int *day)
{
    int         y, m, d, mdays;
    size_t      i;
    static int  days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (len != 10 || s[4] != '-' || s[7] != '-') {
        return -1;
    }

    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
            return -1;
        }
    }

    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10
        + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');

    if (y < 1 || m < 1 || m > 12 || d < 1) {
        return -1;
    }

    mdays = days[m - 1];

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        mdays = 29;
    }

    if (d > mdays) {
        return -1;
    }

    *year = y;
    *month = m;
    *day = d;

    return 0;
}


/*
 * Line 6 of a French postal address: the locality in capitals without
 * accents ("La Rochelle" -> "LA ROCHELLE", "Saint-Martin-de-Ré" ->
 * "SAINT-MARTIN-DE-RE"), letters, digits, spaces, hyphens and apostrophes,
 * 32 characters at most so that the postal code fits on the line.
 */

static char
portail_fold_latin(uint32_t cp)
{
    /* U+00C0 to U+00FF, upper-cased and without their accents */
    static const char  latin1[] =
        "AAAAAAACEEEEIIIIDNOOOOO.OUUUUYTS"
        "AAAAAAACEEEEIIIIDNOOOOO.OUUUUYTY";

    if (cp >= 'a' && cp <= 'z') {
        return (char) (cp - 'a' + 'A');
    }

    if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
        return (char) cp;
    }

    if (cp >= 0xc0 && cp <= 0xff && latin1[cp - 0xc0] != '.') {
        return latin1[cp - 0xc0];
    }

    if (cp == 0x152 || cp == 0x153) {
        return 'O';         /* Œ: followed by an E below */
    }

    if (cp == 0x178) {
        return 'Y';
    }

    return 0;
}


const char *
portail_check_localite(const unsigned char *s, size_t len,
    unsigned char *out, size_t *outlen)
{
    char      c;
    size_t    n, k;
    uint32_t  cp;

    k = 0;

    while (len) {
        n = portail_utf8_next(s, len, &cp);

        if (n == 0) {
            return "La localité contient un caractère non autorisé.";
        }

        s += n;
        len -= n;

        if (cp == ' ' || cp == '\t' || cp == '-' || cp == '\'' || cp == 0x2019
            || cp == 0x2010 || cp == 0x2011)
        {
            c = (cp == '\'' || cp == 0x2019) ? '\'' : (cp == ' ' || cp == '\t')
                                                      ? ' ' : '-';

            /* no separator first, none doubled */
            if (k == 0 || out[k - 1] == ' ' || out[k - 1] == '-'
                || out[k - 1] == '\'')
            {
                if (c == ' ' || k == 0) {
                    continue;
                }

                if (out[k - 1] == ' ') {
                    k--;
                }
            }

            if (k == PORTAIL_LOCALITE_MAX) {
                return "La localité ne doit pas dépasser 32 caractères.";
            }

            out[k++] = c;
            continue;
        }

        c = portail_fold_latin(cp);

        if (c == 0) {
            return "La localité ne peut contenir que des lettres, des "
                   "chiffres, des espaces, des tirets et des apostrophes.";
        }

        if (k + ((cp == 0x152 || cp == 0x153 || cp == 0xc6 || cp == 0xe6)
                 ? 2 : 1) > PORTAIL_LOCALITE_MAX)
        {
            return "La localité ne doit pas dépasser 32 caractères.";
        }

        if (cp == 0xc6 || cp == 0xe6) {
            out[k++] = 'A';
            c = 'E';

        } else if (cp == 0x152 || cp == 0x153) {
            out[k++] = 'O';
            c = 'E';
        }

        out[k++] = (unsigned char) c;
    }

    while (k && (out[k - 1] == ' ' || out[k - 1] == '-'
                 || out[k - 1] == '\''))
    {
        k--;
    }

    if (k == 0) {
        return "Saisissez la localité.";
    }

    *outlen = k;

    return NULL;
}


const char *
portail_check_code_postal(const unsigned char *s, size_t len)
{
    size_t  i;

    if (len != 5) {
        return "Le code postal a 5 chiffres, par exemple 17000.";
    }

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return "Le code postal a 5 chiffres, par exemple 17000.";
        }
    }

    return NULL;
}
