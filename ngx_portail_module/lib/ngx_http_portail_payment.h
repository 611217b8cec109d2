
/*
 * Payments: the provider's form signature, and what a SEPA mandate needs.
 */


#ifndef _NGX_HTTP_PORTAIL_PAYMENT_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_PAYMENT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include "ngx_http_portail_forms.h"


#define PORTAIL_IBAN_MAX             34
#define PORTAIL_BIC_MAX              11
#define PORTAIL_TITULAIRE_MAX_CHARS  70
/* Base64 of an HMAC-SHA-256 with its padding (44 characters), and a NUL */
#define PORTAIL_SIGNATURE_LEN        45

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


#endif /* _NGX_HTTP_PORTAIL_PAYMENT_H_INCLUDED_ */
