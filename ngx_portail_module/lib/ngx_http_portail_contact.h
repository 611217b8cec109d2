
/*
 * Contact details, dates and postal addresses (Dossier and Contrat pages).
 */


#ifndef _NGX_HTTP_PORTAIL_CONTACT_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_CONTACT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


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


#endif /* _NGX_HTTP_PORTAIL_CONTACT_H_INCLUDED_ */
