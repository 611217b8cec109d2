
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

/* code points in valid UTF-8 without control characters, or -1 */
long portail_utf8_chars(const unsigned char *s, size_t len);

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
