
/*
 * Checks of what tenants type, independent of nginx: plain C, PCRE2 and
 * libsodium only, so that the fuzzing harnesses (fuzz/) link them alone.
 *
 * Each check returns NULL when the value is acceptable, or the French
 * sentence to show next to the field.
 */


#ifndef _NGX_HTTP_PORTAIL_VALIDATE_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_VALIDATE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define PORTAIL_PASSWORD_MIN_CHARS   8
#define PORTAIL_PASSWORD_MAX_CHARS   128
#define PORTAIL_EMAIL_MAX            254
#define PORTAIL_NOM_MAX_CHARS        100
#define PORTAIL_REFERENCE_LEN        7


int portail_validate_init(void);
void portail_validate_release(void);

/* code points in valid UTF-8 without control characters, or -1 */
long portail_utf8_chars(const unsigned char *s, size_t len);

/* the length of one UTF-8 sequence and its code point; 0 if invalid */
size_t portail_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);

const char *portail_check_password(const unsigned char *s, size_t len);

/* trimmed and lower-cased into out (len bytes at most); NULL or a message */
const char *portail_check_email(const unsigned char *s, size_t len,
    unsigned char *out, size_t *outlen);

/* "L/1234567", "l 1234567" or "1234567" into the 7 digits */
const char *portail_check_reference(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_REFERENCE_LEN]);

const char *portail_check_nom(const unsigned char *s, size_t len);

/* a base64url token of exactly 32 random bytes (43 characters) */
int portail_token_decode(const unsigned char *s, size_t len,
    unsigned char out[32]);


/*
 * Uploaded files: PDF, JPEG and PNG only, recognised by their content.
 * The MIME type, or NULL.
 */
const char *portail_sniff(const unsigned char *p, size_t len);

/*
 * What a file must not carry.  A PDF with active content (JavaScript,
 * launch actions, embedded files) is refused; JPEG and PNG metadata
 * (EXIF, GPS position, comments, text chunks) is removed in place.  Each
 * returns NULL or the French reason for refusing the file; len is updated.
 */
const char *portail_pdf_check(const unsigned char *p, size_t len);
const char *portail_jpeg_strip(unsigned char *p, size_t *len);
const char *portail_png_strip(unsigned char *p, size_t *len);

/* a file name as shown back to its owner: base name, no control characters */
size_t portail_filename_clean(const unsigned char *in, size_t len,
    unsigned char *out, size_t max);


/* multipart/form-data, parsed in place */

typedef struct {
    const unsigned char  *name;
    size_t                name_len;
    const unsigned char  *filename;      /* NULL: a plain field */
    size_t                filename_len;
    const unsigned char  *data;
    size_t                data_len;
} portail_part_t;

typedef struct {
    const unsigned char  *pos;
    const unsigned char  *end;
    const unsigned char  *boundary;      /* without the leading "--" */
    size_t                boundary_len;
    int                   done;
} portail_multipart_t;

/* the boundary parameter of a Content-Type header; 0 or -1 */
int portail_multipart_boundary(const unsigned char *type, size_t len,
    const unsigned char **boundary, size_t *boundary_len);
int portail_multipart_init(portail_multipart_t *mp, const unsigned char *body,
    size_t len, const unsigned char *boundary, size_t boundary_len);
/* 1: a part, 0: the end, -1: malformed */
int portail_multipart_next(portail_multipart_t *mp, portail_part_t *part);


/*
 * Text areas (a request's description, a message): code points, a CR LF
 * pair counting as one, or -1 for invalid UTF-8 or control characters
 * other than tab and line breaks; and whether only white space was typed.
 */
long portail_text_chars(const unsigned char *s, size_t len);
int portail_text_blank(const unsigned char *s, size_t len);


/*
 * Contact details, dates and postal addresses (Dossier and Contrat pages).
 */

#define PORTAIL_PHONE_MAX            16
#define PORTAIL_LOCALITE_MAX         32

/* a phone number as typed into E.164 ("+33612345678", out: 16 bytes) */
const char *portail_check_phone(const unsigned char *s, size_t len,
    unsigned char *out, size_t *outlen);

/* AAAA-MM-JJ that exists in the calendar: 0, or -1 */
int portail_parse_date(const unsigned char *s, size_t len, int *year,
    int *month, int *day);

/* a locality into capitals without accents (out: 32 bytes) */
const char *portail_check_localite(const unsigned char *s, size_t len,
    unsigned char *out, size_t *outlen);

const char *portail_check_code_postal(const unsigned char *s, size_t len);


/* --- payments ------------------------------------------------------------ */

#define PORTAIL_IBAN_MAX             34
#define PORTAIL_BIC_MAX              11
#define PORTAIL_TITULAIRE_MAX_CHARS  70
/* Base64 of an HMAC-SHA-256 with its padding (44 characters), and a NUL */
#define PORTAIL_SIGNATURE_LEN        45

/* one field of an application/x-www-form-urlencoded body, decoded */
typedef struct {
    const unsigned char  *name;
    size_t                name_len;
    const unsigned char  *value;
    size_t                value_len;
} portail_field_t;

typedef struct {
    unsigned char        *pos;
    unsigned char        *end;
} portail_form_t;

/*
 * application/x-www-form-urlencoded, decoded in place ("+" and %XX):
 * 1 a field, 0 the end, -1 malformed (a bad escape, a NUL, an empty name).
 * Empty pieces ("a=1&&b=2") are skipped; a piece without "=" is a field
 * with an empty value, as browsers read it.
 */
void portail_form_init(portail_form_t *f, unsigned char *body, size_t len);
int portail_form_next(portail_form_t *f, portail_field_t *field);

/*
 * The signature of the Lyra form API (PayZen, Systempay...): Base64 of
 * HMAC-SHA-256(key, the values of the vads_* fields sorted by name, each
 * followed by "+", then the key).  Other fields are ignored.  out gets
 * the 44 characters and a NUL; 0, or -1 when a vads_* name repeats (which
 * of the two would the signature vouch for?).
 */
int portail_payment_signature(const portail_field_t *fields, size_t n,
    const unsigned char *key, size_t key_len, char out[PORTAIL_SIGNATURE_LEN]);

/*
 * An IBAN as typed (spaces and lower case accepted) into out, upper case
 * without spaces: ISO 13616 length of its country (SEPA countries only)
 * and mod 97 = 1.  NULL or the French message.
 */
const char *portail_check_iban(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_IBAN_MAX], size_t *outlen);

/* a BIC (ISO 9362), 8 or 11 characters, into out upper case */
const char *portail_check_bic(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_BIC_MAX], size_t *outlen);

/* the holder of the account a mandate debits, as the bank knows them */
const char *portail_check_titulaire(const unsigned char *s, size_t len);


/* documents */

/* 1 to 18 decimal digits, nothing else, at most max: 0, or -1 */
int portail_parse_number(const unsigned char *s, size_t len, uint64_t max,
    uint64_t *out);

/*
 * "q-2013936-2025-10", the id of a quittance the portal makes on demand:
 * the contract's 7 digits, the year (1900-2999) and month; 0, or -1.
 */
int portail_quittance_id(const unsigned char *s, size_t len,
    unsigned char contrat[PORTAIL_REFERENCE_LEN], unsigned *annee,
    unsigned *mois);


#endif /* _NGX_HTTP_PORTAIL_VALIDATE_H_INCLUDED_ */
