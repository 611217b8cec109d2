
/*
 * The card payment provider's form (Lyra form API) as the payment section
 * builds and checks it.
 */


#ifndef _NGX_HTTP_PORTAIL_PAIEMENTS_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_PAIEMENTS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_portail_core.h"


ngx_int_t ngx_http_portail_payment_sign(ngx_pool_t *pool, ngx_str_t *key,
    ngx_http_portail_part_t *fields, ngx_uint_t n, u_char *out);
/* a field of the form in ctx->parts: NGX_OK, NGX_DECLINED (absent),
 * NGX_ERROR (repeated, too short or long, or a character kind forbids) */
#define NGX_HTTP_PORTAIL_FIELD_DIGITS  1
#define NGX_HTTP_PORTAIL_FIELD_CODE    2   /* A-Z 0-9 _ */
#define NGX_HTTP_PORTAIL_FIELD_ID      3   /* A-Z a-z 0-9 _ - */
#define NGX_HTTP_PORTAIL_FIELD_TEXT    4   /* UTF-8, no control character */
ngx_int_t ngx_http_portail_payment_field(ngx_http_portail_ctx_t *ctx,
    const char *name, size_t min, size_t max, ngx_uint_t kind,
    ngx_str_t *value);
/* the signature of the form in ctx->parts: NGX_HTTP_PORTAIL_ERR_NONE, or
 * the error */
ngx_http_portail_err_e ngx_http_portail_payment_verify(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
typedef ngx_int_t (*ngx_http_portail_payment_done_pt)(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_err_e error,
    ngx_str_t *statut);
/* records the provider's notification in ctx->parts, then calls done */
ngx_int_t ngx_http_portail_payment_notify(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_payment_done_pt done);


#endif /* _NGX_HTTP_PORTAIL_PAIEMENTS_H_INCLUDED_ */
