
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


/*
 * One compiled pattern for the process, shared by the configurations a
 * reload keeps alive together: each takes a reference, the last frees it.
 */

static unsigned  portail_validate_refs;


void
portail_validate_release(void)
{
    if (portail_validate_refs == 0 || --portail_validate_refs > 0) {
        return;
    }

    pcre2_match_data_free(portail_email_md);
    pcre2_code_free(portail_email_re);
    portail_email_md = NULL;
    portail_email_re = NULL;
}


int
portail_validate_init(void)
{
    int         err;
    PCRE2_SIZE  off;

    if (portail_email_re) {
        portail_validate_refs++;
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
        pcre2_code_free(portail_email_re);
        portail_email_re = NULL;
        return -1;
    }

    if (sodium_init() < 0) {
        return -1;
    }

    portail_validate_refs = 1;

    return 0;
}


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


/* --- text areas (requests, messages) ----------------------------------- */


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


/* --- contact details, dates, postal addresses ---------------------------- */


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


/* --- payments ------------------------------------------------------------ */


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

            hi = portail_pdf_hex(p[1]);
            lo = portail_pdf_hex(p[2]);

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


static int
portail_field_cmp(const portail_field_t *a, const portail_field_t *b)
{
    int  c;

    c = memcmp(a->name, b->name,
               a->name_len < b->name_len ? a->name_len : b->name_len);

    if (c) {
        return c;
    }

    return (a->name_len > b->name_len) - (a->name_len < b->name_len);
}


int
portail_payment_signature(const portail_field_t *fields, size_t n,
    const unsigned char *key, size_t key_len, char out[PORTAIL_SIGNATURE_LEN])
{
    int                            c;
    size_t                         i;
    unsigned char                  mac[crypto_auth_hmacsha256_BYTES];
    const portail_field_t         *prev, *next;
    crypto_auth_hmacsha256_state   st;

    crypto_auth_hmacsha256_init(&st, key, key_len);

    /*
     * The fields in name order without sorting a copy: each round takes the
     * smallest name above the previous one (forms have a few dozen fields).
     */

    prev = NULL;

    for ( ;; ) {
        next = NULL;

        for (i = 0; i < n; i++) {
            if (fields[i].name_len <= 5
                || memcmp(fields[i].name, "vads_", 5) != 0
                || (prev && portail_field_cmp(&fields[i], prev) <= 0))
            {
                continue;
            }

            if (next == NULL) {
                next = &fields[i];
                continue;
            }

            c = portail_field_cmp(&fields[i], next);

            if (c == 0) {
                sodium_memzero(&st, sizeof(st));
                return -1;
            }

            if (c < 0) {
                next = &fields[i];
            }
        }

        if (next == NULL) {
            break;
        }

        crypto_auth_hmacsha256_update(&st, next->value, next->value_len);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *) "+", 1);

        prev = next;
    }

    crypto_auth_hmacsha256_update(&st, key, key_len);
    crypto_auth_hmacsha256_final(&st, mac);

    sodium_bin2base64(out, PORTAIL_SIGNATURE_LEN, mac, sizeof(mac),
                      sodium_base64_VARIANT_ORIGINAL);

    return 0;
}


/*
 * IBAN lengths (SWIFT's IBAN registry) of the countries in the SEPA
 * schemes' scope: a direct debit can only reach an account there.  French
 * overseas departments and territories in SEPA use FR IBANs.
 */

static const struct {
    char           country[3];
    unsigned char  len;
} portail_iban_lengths[] = {
    { "AD", 24 }, { "AT", 20 }, { "BE", 16 }, { "BG", 22 }, { "CH", 21 },
    { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DK", 18 }, { "EE", 20 },
    { "ES", 24 }, { "FI", 18 }, { "FR", 27 }, { "GB", 22 }, { "GI", 23 },
    { "GR", 27 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IS", 26 },
    { "IT", 27 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 },
    { "MC", 27 }, { "MT", 31 }, { "NL", 18 }, { "NO", 15 }, { "PL", 28 },
    { "PT", 25 }, { "RO", 24 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 },
    { "SM", 27 }, { "VA", 22 }
};


/* letters and digits, spaces dropped, upper-cased: the length, or -1 */

static long
portail_compact_upper(const unsigned char *s, size_t len, unsigned char *out,
    size_t max)
{
    size_t         i, n;
    unsigned char  c;

    n = 0;

    for (i = 0; i < len; i++) {
        c = s[i];

        if (c == ' ') {
            continue;
        }

        if (c >= 'a' && c <= 'z') {
            c -= 'a' - 'A';
        }

        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return -1;
        }

        if (n == max) {
            return (long) max + 1;
        }

        out[n++] = c;
    }

    return (long) n;
}


const char *
portail_check_iban(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_IBAN_MAX], size_t *outlen)
{
    long           n;
    size_t         i, k, expected;
    unsigned int   r;
    unsigned char  c;

    n = portail_compact_upper(s, len, out, PORTAIL_IBAN_MAX);

    if (n < 0) {
        return "L'IBAN ne peut contenir que des lettres et des chiffres "
               "(les espaces sont acceptés).";
    }

    if (n == 0) {
        return "Saisissez l'IBAN du compte à débiter (il figure sur votre "
               "RIB).";
    }

    if (n < 5 || out[0] < 'A' || out[0] > 'Z' || out[1] < 'A' || out[1] > 'Z'
        || out[2] < '0' || out[2] > '9' || out[3] < '0' || out[3] > '9')
    {
        return "Un IBAN commence par le code du pays (2 lettres) et 2 "
               "chiffres de contrôle, par exemple FR76 suivi de 23 "
               "caractères : recopiez-le depuis votre RIB.";
    }

    expected = 0;

    for (k = 0; k < sizeof(portail_iban_lengths)
                    / sizeof(portail_iban_lengths[0]); k++)
    {
        if (portail_iban_lengths[k].country[0] == out[0]
            && portail_iban_lengths[k].country[1] == out[1])
        {
            expected = portail_iban_lengths[k].len;
            break;
        }
    }

    if (expected == 0) {
        return "Le prélèvement SEPA n'est possible que sur un compte tenu "
               "dans un pays de la zone SEPA.";
    }

    if ((size_t) n != expected) {
        if (out[0] == 'F' && out[1] == 'R') {
            return "Un IBAN français compte 27 caractères (FR76 puis 23 "
                   "lettres ou chiffres) : vérifiez votre saisie.";
        }

        return "La longueur de cet IBAN ne correspond pas à celle de son "
               "pays : vérifiez votre saisie.";
    }

    /* ISO 7064 mod 97-10 on the rearranged IBAN, digit by digit */

    r = 0;

    for (i = 4; i < (size_t) n + 4; i++) {
        c = out[i % n];

        if (c >= '0' && c <= '9') {
            r = (r * 10 + (c - '0')) % 97;

        } else {
            r = (r * 100 + (c - 'A' + 10)) % 97;
        }
    }

    if (r != 1) {
        return "Cet IBAN n'est pas valide (sa clé de contrôle ne correspond "
               "pas) : vérifiez votre saisie.";
    }

    *outlen = (size_t) n;

    return NULL;
}


const char *
portail_check_bic(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_BIC_MAX], size_t *outlen)
{
    long    n;
    size_t  i;

    n = portail_compact_upper(s, len, out, PORTAIL_BIC_MAX);

    if (n != 8 && n != 11) {
        goto invalid;
    }

    /* bank code and country: letters; location and branch: alphanumeric */
    for (i = 0; i < 6; i++) {
        if (out[i] < 'A' || out[i] > 'Z') {
            goto invalid;
        }
    }

    *outlen = (size_t) n;

    return NULL;

invalid:

    return "Le BIC compte 8 ou 11 lettres et chiffres, par exemple "
           "AGRIFRPP ou AGRIFRPP882 (il figure sur votre RIB).";
}


const char *
portail_check_titulaire(const unsigned char *s, size_t len)
{
    long    chars;
    size_t  i;

    chars = portail_utf8_chars(s, len);

    if (chars < 0) {
        return "Le nom du titulaire contient un caractère non autorisé.";
    }

    for (i = 0; i < len && s[i] == ' '; i++) {
        /* void */
    }

    if (i == len) {
        return "Saisissez le nom du titulaire du compte, tel qu'il figure "
               "sur le RIB.";
    }

    if (chars > PORTAIL_TITULAIRE_MAX_CHARS) {
        return "Le nom du titulaire ne doit pas dépasser 70 caractères.";
    }

    for (i = 0; i < len; i++) {
        if (strchr("<>\"{}[]\\|;=@#$%^*_~`+!?:", s[i])) {
            return "Le nom du titulaire ne peut contenir que des lettres, "
                   "des chiffres, des espaces et les signes - ' . , & / "
                   "( ).";
        }
    }

    return NULL;
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
