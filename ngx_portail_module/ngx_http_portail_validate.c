
/*
 * Checks of what tenants type.  No nginx type here: see the header.
 */


#define _GNU_SOURCE  /* memmem */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <string.h>
#include <strings.h>
#include <pcre2.h>
#include <sodium.h>
#include <zlib.h>

#include "ngx_http_portail_validate.h"


static pcre2_code        *portail_email_re;
static pcre2_match_data  *portail_email_md;


/*
 * The address syntax browsers accept for <input type="email"> (WHATWG),
 * with at least one dot in the domain: an address on a bare host name is a
 * typing mistake for a tenant.
 */

static const char  portail_email_pattern[] =
    "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    "@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";


/*
 * Passwords whose letters are one of these words, with a few digits and
 * signs around them to satisfy the rules, are the first an attacker tries
 * ("Azerty12!", "Motdepasse1!", ...).  Lower case, letters only.
 */

static const char  *portail_common_words[] = {
    "password", "passw", "pass", "motdepasse", "mdp", "azerty", "azertyuiop",
    "qwerty", "qwertz", "qwertyuiop", "abc", "abcd", "abcde", "abcdef",
    "aaaa", "aaaaaa", "abcabc", "admin", "administrateur", "root", "user",
    "utilisateur", "login", "welcome", "bienvenue", "bonjour", "bonsoir",
    "salut", "coucou", "soleil", "doudou", "loulou", "chouchou", "nounours",
    "marseille", "paris", "lyon", "toulouse", "nantes", "bordeaux", "france",
    "larochelle", "rochelle", "charente", "portail", "locataire", "locataires",
    "logement", "office", "habitat", "oph", "loyer", "maison", "famille",
    "amour", "jetaime", "iloveyou", "love", "princesse", "princess",
    "dragon", "monkey", "football", "foot", "psg", "om", "chocolat",
    "vacances", "juillet", "janvier", "fevrier", "mars", "avril", "mai",
    "juin", "aout", "septembre", "octobre", "novembre", "decembre",
    "lundi", "secret", "test", "essai", "demo", "changeme", "letmein",
    "master", "sunshine", "shadow", "superman", "batman", "pokemon",
    "nicolas", "camille", "thomas", "julien", "marie", "jean", "pierre",
    "sophie", "isabelle", "nathalie", "celine", "stephane", "olivier",
    NULL
};


int
portail_validate_init(void)
{
    int         err;
    PCRE2_SIZE  off;

    if (portail_email_re) {
        return 0;
    }

    portail_email_re = pcre2_compile((PCRE2_SPTR) portail_email_pattern,
                                     PCRE2_ZERO_TERMINATED, 0, &err, &off,
                                     NULL);
    if (portail_email_re == NULL) {
        return -1;
    }

    /* the JIT is a speed-up; matching works without it */
    (void) pcre2_jit_compile(portail_email_re, PCRE2_JIT_COMPLETE);

    portail_email_md = pcre2_match_data_create_from_pattern(portail_email_re,
                                                            NULL);
    if (portail_email_md == NULL) {
        return -1;
    }

    return sodium_init() < 0 ? -1 : 0;
}


/*
 * Decodes one UTF-8 sequence; 0 on an invalid one (overlong forms,
 * surrogates and values past U+10FFFF are invalid).
 */

static size_t
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


/*
 * The office's rule, as its guide states it: 8 characters at least, with 2
 * digits and 1 special character; pass-phrases up to 128 characters.  A
 * special character is any ASCII sign or space, or any non-ASCII character
 * that is not a Latin letter (the SPA applies the same definition).
 */

const char *
portail_check_password(const unsigned char *s, size_t len)
{
    long                  chars;
    size_t                n, i, nletters;
    uint32_t              cp;
    unsigned              digits, specials;
    char                  letters[PORTAIL_PASSWORD_MAX_CHARS + 1];
    const unsigned char  *p, *end;

    chars = portail_utf8_chars(s, len);

    if (chars < 0) {
        return "Le mot de passe contient un caractère non autorisé.";
    }

    if (chars < PORTAIL_PASSWORD_MIN_CHARS) {
        return "Le mot de passe doit contenir au moins 8 caractères.";
    }

    if (chars > PORTAIL_PASSWORD_MAX_CHARS) {
        return "Le mot de passe ne doit pas dépasser 128 caractères.";
    }

    digits = 0;
    specials = 0;
    nletters = 0;

    for (p = s, end = s + len; p < end; p += n) {
        n = portail_utf8_next(p, end - p, &cp);

        if (cp >= '0' && cp <= '9') {
            digits++;

        } else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
            letters[nletters++] = (char) (cp | 0x20);

        } else if (cp < 0xc0 || cp > 0x24f || cp == 0xd7 || cp == 0xf7) {
            specials++;
        }
    }

    letters[nletters] = '\0';

    if (digits < 2) {
        return "Le mot de passe doit contenir au moins 2 chiffres.";
    }

    if (specials < 1) {
        return "Le mot de passe doit contenir au moins 1 caractère spécial "
               "(par exemple ! ? # @ ou une espace).";
    }

    /* a common word dressed up with digits and signs */
    if (chars < 16) {
        for (i = 0; portail_common_words[i]; i++) {
            if (strcmp(letters, portail_common_words[i]) == 0) {
                return "Ce mot de passe est trop courant et facile à deviner. "
                       "Choisissez-en un autre.";
            }
        }
    }

    return NULL;
}


const char *
portail_check_email(const unsigned char *s, size_t len, unsigned char *out,
    size_t *outlen)
{
    int     rc;
    size_t  i;

    while (len && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }

    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        len--;
    }

    if (len == 0) {
        return "Saisissez votre adresse e-mail.";
    }

    if (len > PORTAIL_EMAIL_MAX) {
        return "L'adresse e-mail est trop longue.";
    }

    rc = pcre2_match(portail_email_re, (PCRE2_SPTR) s, len, 0, 0,
                     portail_email_md, NULL);

    if (rc < 0) {
        return "Saisissez une adresse e-mail valide, "
               "par exemple nom@exemple.fr.";
    }

    for (i = 0; i < len; i++) {
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] | 0x20 : s[i];
    }

    *outlen = len;

    return NULL;
}


const char *
portail_check_reference(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_REFERENCE_LEN])
{
    size_t  i, n;

    /* the notice prints "L/1234567": a typed prefix is harmless */

    while (len && *s == ' ') {
        s++;
        len--;
    }

    if (len && (*s == 'L' || *s == 'l')) {
        s++;
        len--;

        if (len && (*s == '/' || *s == ' ')) {
            s++;
            len--;
        }
    }

    n = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == ' ') {
            continue;
        }

        if (s[i] < '0' || s[i] > '9' || n == PORTAIL_REFERENCE_LEN) {
            return "La référence client est un numéro à 7 chiffres, sans "
                   "le L/ (en haut à gauche de votre avis d'échéance).";
        }

        out[n++] = s[i];
    }

    if (n != PORTAIL_REFERENCE_LEN) {
        return "La référence client est un numéro à 7 chiffres, sans "
               "le L/ (en haut à gauche de votre avis d'échéance).";
    }

    return NULL;
}


const char *
portail_check_nom(const unsigned char *s, size_t len)
{
    long    chars;
    size_t  i;

    chars = portail_utf8_chars(s, len);

    if (chars < 0) {
        return "Le nom contient un caractère non autorisé.";
    }

    for (i = 0; i < len && s[i] == ' '; i++) {
        /* void */
    }

    if (i == len) {
        return "Saisissez le nom du signataire, tel qu'il figure sur votre "
               "avis d'échéance.";
    }

    if (chars > PORTAIL_NOM_MAX_CHARS) {
        return "Le nom ne doit pas dépasser 100 caractères.";
    }

    for (i = 0; i < len; i++) {
        if (strchr("<>\"{}[]\\|;=@#$%^*_~`+", s[i])
            || (s[i] >= '0' && s[i] <= '9'))
        {
            return "Le nom ne peut contenir que des lettres, des espaces, "
                   "des tirets et des apostrophes.";
        }
    }

    return NULL;
}


int
portail_token_decode(const unsigned char *s, size_t len,
    unsigned char out[32])
{
    size_t  n;

    if (len != 43) {
        return -1;
    }

    if (sodium_base642bin(out, 32, (const char *) s, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING)
        != 0 || n != 32)
    {
        return -1;
    }

    return 0;
}


/* --- uploaded files ------------------------------------------------------ */


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


static int
portail_pdf_hex(int c)
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
                && (hi = portail_pdf_hex(p[1])) >= 0
                && (lo = portail_pdf_hex(p[2])) >= 0)
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


/* --- multipart/form-data ------------------------------------------- */


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


/* --- documents ----------------------------------------------------------- */


int
portail_parse_number(const unsigned char *s, size_t len, uint64_t max,
    uint64_t *out)
{
    size_t    i;
    uint64_t  v;

    /* 18 digits cannot overflow 64 bits: no check on the way */

    if (len == 0 || len > 18) {
        return -1;
    }

    v = 0;

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        v = v * 10 + (s[i] - '0');
    }

    if (v > max) {
        return -1;
    }

    *out = v;

    return 0;
}


int
portail_quittance_id(const unsigned char *s, size_t len,
    unsigned char contrat[PORTAIL_REFERENCE_LEN], unsigned *annee,
    unsigned *mois)
{
    uint64_t  a, m;

    /* q-2013936-2025-10 */

    if (len != sizeof("q-2013936-2025-10") - 1
        || s[0] != 'q' || s[1] != '-' || s[9] != '-' || s[14] != '-'
        || portail_parse_number(s + 2, PORTAIL_REFERENCE_LEN, 9999999, &a)
           != 0
        || portail_parse_number(s + 10, 4, 2999, &a) != 0
        || portail_parse_number(s + 15, 2, 12, &m) != 0
        || a < 1900 || m < 1)
    {
        return -1;
    }

    memcpy(contrat, s + 2, PORTAIL_REFERENCE_LEN);
    *annee = (unsigned) a;
    *mois = (unsigned) m;

    return 0;
}
