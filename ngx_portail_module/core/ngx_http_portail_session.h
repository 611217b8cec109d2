
/*
 * Sessions and CSRF (ngx_http_portail_session.c).
 */


#ifndef _NGX_HTTP_PORTAIL_SESSION_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_SESSION_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_portail_request.h"


ngx_int_t ngx_http_portail_session_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_session_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_session_cookie(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_csrf_check(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_cross_site(ngx_http_request_t *r);
void ngx_http_portail_csrf_token(u_char token[32], u_char out[44]);
ngx_int_t ngx_http_portail_set_cookie(ngx_http_request_t *r, u_char *token,
    time_t max_age);
ngx_int_t ngx_http_portail_device_cookie(ngx_http_request_t *r,
    u_char hash[32]);
ngx_int_t ngx_http_portail_set_device_cookie(ngx_http_request_t *r,
    u_char *token, time_t max_age);
void ngx_http_portail_new_token(u_char token[32], u_char hash[32],
    u_char text[44]);
ngx_int_t ngx_http_portail_session_param(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_session_result(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t call);
ngx_int_t ngx_http_portail_send_session(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body);
ngx_int_t ngx_http_portail_param_ip(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_http_portail_pg_call_t *call);
ngx_int_t ngx_http_portail_session_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_session_logout(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_session_access(ngx_http_request_t *r);
ngx_http_portail_pg_query_t *ngx_http_portail_session_check_query(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);


#endif /* _NGX_HTTP_PORTAIL_SESSION_H_INCLUDED_ */
