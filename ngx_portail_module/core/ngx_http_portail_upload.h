
/*
 * Request bodies in parts (ngx_http_portail_upload.c): multipart uploads,
 * their files checked by content, and urlencoded forms.
 */


#ifndef _NGX_HTTP_PORTAIL_UPLOAD_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_UPLOAD_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>
#include "ngx_http_portail_request.h"


/* uploads */
ngx_int_t ngx_http_portail_multipart_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body);
ngx_http_portail_part_t *ngx_http_portail_part(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_uint_t nth);
ngx_int_t ngx_http_portail_part_text(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_str_t *value, size_t max, json_t *champs);
ngx_int_t ngx_http_portail_upload_check(ngx_http_request_t *r,
    ngx_http_portail_part_t *part, const char *field, json_t *champs);
ngx_int_t ngx_http_portail_form_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body);


#endif /* _NGX_HTTP_PORTAIL_UPLOAD_H_INCLUDED_ */
