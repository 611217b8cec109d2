
/*
 * Account fields: what tenants type to register and sign in.
 */


#ifndef _NGX_HTTP_PORTAIL_ACCOUNT_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_ACCOUNT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define PORTAIL_PASSWORD_MIN_CHARS   8
#define PORTAIL_PASSWORD_MAX_CHARS   128
#define PORTAIL_EMAIL_MAX            254
#define PORTAIL_NOM_MAX_CHARS        100
#define PORTAIL_REFERENCE_LEN        7


/* the compiled patterns, once per process (reference counted) */
int portail_validate_init(void);
void portail_validate_release(void);

/* the judge of ngx_http_portail_strength.h, without an account */
const char *portail_check_password(const unsigned char *s, size_t len);

/* trimmed and lower-cased into out (len bytes at most); NULL or a message */
const char *portail_check_email(const unsigned char *s, size_t len,
    unsigned char *out, size_t *outlen);

/* "L/1234567", "l 1234567" or "1234567" into the 7 digits */
const char *portail_check_reference(const unsigned char *s, size_t len,
    unsigned char out[PORTAIL_REFERENCE_LEN]);

const char *portail_check_nom(const unsigned char *s, size_t len);


#endif /* _NGX_HTTP_PORTAIL_ACCOUNT_H_INCLUDED_ */
