
/*
 * Fields of a JSON request body (ngx_http_portail_json.c).
 */


#ifndef _NGX_HTTP_PORTAIL_JSON_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_JSON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>
#include "ngx_http_portail_request.h"


/*
 * jansson's values and nginx's pools.  One rule: a json_t made while
 * serving a request belongs to a pool from the moment it is made, through
 * ngx_http_portail_json_pool(), which drops the reference when the pool is
 * destroyed; so no path calls json_decref() by hand.  Functions that are
 * given a json_t borrow it (ngx_http_portail_send_*), and a pooled value
 * is put inside another with json_object_set() or "O" in json_pack(),
 * never with the stealing forms (_new, "o"), which are kept for fresh
 * values that nothing else holds.
 */

/* value tied to pool; NULL (and value released) if no cleanup could be had */
json_t *ngx_http_portail_json_pool(ngx_pool_t *pool, json_t *value);
/* a new object for field errors, tied to the request's pool */
json_t *ngx_http_portail_champs(ngx_http_request_t *r);

/* JSON request fields: NGX_OK, NGX_DECLINED (absent or null), NGX_ERROR
 * (wrong type or too long: the message is added to champs) */
ngx_int_t ngx_http_portail_json_string(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_str_t *value, size_t max, json_t *champs);
ngx_int_t ngx_http_portail_json_bool(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_flag_t *value, json_t *champs);
ngx_int_t ngx_http_portail_field_error(json_t *champs, const char *name,
    const char *message);
/* 422 with a message per field in champs */
ngx_int_t ngx_http_portail_send_validation(ngx_http_request_t *r,
    json_t *champs);
/* that error with the fields' messages of champs */
ngx_int_t ngx_http_portail_send_champs(ngx_http_request_t *r,
    ngx_http_portail_err_e err, json_t *champs);


#endif /* _NGX_HTTP_PORTAIL_JSON_H_INCLUDED_ */
