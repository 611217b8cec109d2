
/*
 * Identifiers that come in URLs and links.
 */


#ifndef _NGX_HTTP_PORTAIL_IDS_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_IDS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include "ngx_http_portail_account.h"


/* a base64url token of exactly 32 random bytes (43 characters) */
int portail_token_decode(const unsigned char *s, size_t len,
    unsigned char out[32]);

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


#endif /* _NGX_HTTP_PORTAIL_IDS_H_INCLUDED_ */
