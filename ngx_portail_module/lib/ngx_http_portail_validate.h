
/*
 * Checks of what tenants type and parsers of what browsers send,
 * independent of nginx: plain C, PCRE2, zlib, libsodium and zxcvbn only,
 * so that the fuzzing harnesses (fuzz/) link them alone.  One file per kind:
 *
 *   text      UTF-8, text areas
 *   account   password, e-mail address, client reference, name
 *   strength  the judge of a new password (zxcvbn)
 *   ids       identifiers in URLs and links (ids, quittances, tokens)
 *   files     uploaded files (content sniffing, JPEG and PNG metadata,
 *             names)
 *   forms     multipart/form-data and urlencoded bodies
 *   contact   phone, dates, locality, postcode
 *   payment   the provider's signature, IBAN, BIC, account holder
 *
 * Each check returns NULL when the value is acceptable, or the French
 * sentence to show next to the field.
 */


#ifndef _NGX_HTTP_PORTAIL_VALIDATE_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_VALIDATE_H_INCLUDED_


#include "ngx_http_portail_text.h"
#include "ngx_http_portail_account.h"
#include "ngx_http_portail_strength.h"
#include "ngx_http_portail_ids.h"
#include "ngx_http_portail_files.h"
#include "ngx_http_portail_forms.h"
#include "ngx_http_portail_contact.h"
#include "ngx_http_portail_payment.h"


#endif /* _NGX_HTTP_PORTAIL_VALIDATE_H_INCLUDED_ */
