
/*
 * Answering a signed-in tenant (ngx_http_portail_tenant.c): a read or an
 * action whose statement checks the session and returns the tenant's own
 * rows, and what the sections share to build and answer them.
 *
 * An action statement answers the session's three columns, then a code and
 * a JSON body (portail.resultat_api) that ngx_http_portail_answer() turns
 * into the response.
 */


#ifndef _NGX_HTTP_PORTAIL_TENANT_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_TENANT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>
#include "ngx_http_portail_request.h"


#define NGX_HTTP_PORTAIL_NUMERO_LEN  9      /* "L/2013936" */

#define NGX_HTTP_PORTAIL_ACTION(call)                                         \
    "SELECT s.compte_id, s.session_id, s.a_toucher, r.code, r.corps"          \
    " FROM portail.session_valide($1::bytea) s, LATERAL portail." call " r"


/* "2013936", "L2013936" or "L/2013936" into "L/2013936" (NUMERO_LEN + 1) */
ngx_int_t ngx_http_portail_contract_number(ngx_str_t *in, u_char *out);
ngx_int_t ngx_http_portail_tenant_read_narrowed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt);
ngx_int_t ngx_http_portail_tenant_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt, u_char *arg,
    size_t len);
ngx_int_t ngx_http_portail_tenant_read_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_tenant_write_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t status, ngx_str_t *outcome);
ngx_int_t ngx_http_portail_answer(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_tenant_params(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_ctx_t *ctx,
    ngx_uint_t nargs);
ngx_int_t ngx_http_portail_tenant_action(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt,
    ngx_uint_t nargs, ngx_http_portail_handler_pt next);
/* the JSON in the 4th column of a session statement (none: 404) */
ngx_int_t ngx_http_portail_tenant_json_answer(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t status);
/* the 7 digits of a contract number ("2013936", "L/2013936"), NUL-ended */
ngx_int_t ngx_http_portail_contrat_digits(ngx_str_t *value, u_char out[8],
    json_t *champs);


#endif /* _NGX_HTTP_PORTAIL_TENANT_H_INCLUDED_ */
