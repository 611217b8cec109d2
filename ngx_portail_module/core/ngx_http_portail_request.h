
/*
 * A request of the API (ngx_http_portail_request.c): its context, the
 * routes' table entries, the queries it sends, its replies and errors.
 */


#ifndef _NGX_HTTP_PORTAIL_REQUEST_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_REQUEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>
#include "ngx_http_portail_pg.h"
#include "ngx_http_portail_errors.h"


#define NGX_HTTP_PORTAIL_MAX_ARGS         3


typedef struct ngx_http_portail_ctx_s        ngx_http_portail_ctx_t;
typedef struct ngx_http_portail_route_s      ngx_http_portail_route_t;
typedef struct ngx_http_portail_pw_s         ngx_http_portail_pw_t;


/* route flags */
#define NGX_HTTP_PORTAIL_JSON_BODY    0x01
#define NGX_HTTP_PORTAIL_SESSION      0x02   /* a signed-in tenant only */
#define NGX_HTTP_PORTAIL_CSRF         0x04   /* state change: X-CSRF-Token */
#define NGX_HTTP_PORTAIL_MULTIPART    0x08   /* multipart/form-data upload */
/* application/x-www-form-urlencoded, decoded into ctx->parts (no files) */
#define NGX_HTTP_PORTAIL_FORM_BODY    0x10


typedef ngx_int_t (*ngx_http_portail_handler_pt)(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
struct ngx_http_portail_route_s {
    ngx_uint_t                        method;     /* NGX_HTTP_GET, ... */
    ngx_str_t                         path;       /* "{}" matches a segment */
    ngx_uint_t                        flags;
    ngx_http_portail_handler_pt       handler;
};


typedef struct {
    ngx_str_t                         name;
    ngx_str_t                         filename;   /* cleaned; empty: a field */
    ngx_str_t                         data;
    const char                       *mime;       /* found by content */
    u_char                            sha256[32];
    /* a PDF's inspection: NONE or why it is refused, and what was found */
    ngx_http_portail_err_e            pdf_err;
    ngx_str_t                         pdf_why;
    unsigned                          file:1;
    unsigned                          checked:1;
    unsigned                          pdf_checked:1;
} ngx_http_portail_part_t;


struct ngx_http_portail_ctx_s {
    const ngx_http_portail_route_t   *route;
    ngx_str_t                         args[NGX_HTTP_PORTAIL_MAX_ARGS];
    ngx_uint_t                        nargs;
    json_t                           *json;       /* request body */
    ngx_array_t                      *parts;      /* multipart body */
    ngx_http_portail_pg_query_t      *query;
    void                             *data;       /* the handler's own */
    void                             *stream;     /* a file being sent */
    ngx_http_portail_pw_t            *pw;         /* the last password task */
    ngx_http_portail_handler_pt       next;       /* after the DB answered */
    /* the first file refused for its content: the code of the 422 */
    ngx_http_portail_err_e            file_err;

    /* the session cookie's token and its SHA-256, as stored */
    u_char                            token[32];
    u_char                            token_hash[32];
    int64_t                           account;    /* $portail_account */

    unsigned                          own_errors:1;  /* next() sees failures */
    unsigned                          waiting:1;     /* for the database */
    unsigned                          has_token:1;
    unsigned                          session_checked:1;
    unsigned                          session_valid:1;
    /* a read on the standby, whose session the primary checks meanwhile */
    unsigned                          verifying:1;
    unsigned                          standby_answered:1;
    unsigned                          session_refused:1;
};



/* requests */
ngx_int_t ngx_http_portail_query(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_pg_query_t *q,
    ngx_http_portail_handler_pt next);
ngx_http_portail_pg_query_t *ngx_http_portail_session_check_query(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);
ngx_http_portail_pg_call_t *ngx_http_portail_request_call(
    ngx_http_request_t *r, ngx_http_portail_stmt_t *stmt,
    ngx_http_portail_pg_query_t **q);

/* JSON responses and errors */
ngx_int_t ngx_http_portail_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *data, size_t len);
ngx_int_t ngx_http_portail_send_body(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, size_t type_len, u_char *data, size_t len);
ngx_int_t ngx_http_portail_send_json_value(ngx_http_request_t *r,
    ngx_uint_t status, json_t *value);
ngx_int_t ngx_http_portail_send_error(ngx_http_request_t *r,
    ngx_http_portail_err_e err);
ngx_int_t ngx_http_portail_send_error_details(ngx_http_request_t *r,
    ngx_http_portail_err_e err, json_t *details);
/* status 0: the one the table gives */
ngx_int_t ngx_http_portail_send_error_status(ngx_http_request_t *r,
    ngx_uint_t status, ngx_http_portail_err_e err, json_t *details);
ngx_int_t ngx_http_portail_send_pg_error(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q);
ngx_int_t ngx_http_portail_read_body(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_add_header(ngx_http_request_t *r, const char *key,
    u_char *value, size_t len);
ngx_int_t ngx_http_portail_set_no_store(ngx_http_request_t *r);
ngx_int_t ngx_http_portail_body_bytes(ngx_http_request_t *r, ngx_str_t *body,
    size_t max);
ngx_int_t ngx_http_portail_errors_handler(ngx_http_request_t *r);
/* {"message": "..."} with that status */
ngx_int_t ngx_http_portail_send_message(ngx_http_request_t *r,
    ngx_uint_t status, const char *message);
/* a path segment that is a row id (1 to 18 digits); NGX_DECLINED if not */
ngx_int_t ngx_http_portail_path_id(ngx_http_request_t *r, ngx_str_t *arg,
    ngx_str_t *id);

#if (NGX_THREADS)
/* a task of nginx's thread pool for the request: NGX_DONE, or the 503 */
ngx_int_t ngx_http_portail_thread_post(ngx_http_request_t *r,
    ngx_thread_pool_t *tp, ngx_thread_task_t *task);
/* in its event: NGX_OK, or NGX_DECLINED (the client left: finalized) */
ngx_int_t ngx_http_portail_thread_resumed(ngx_http_request_t *r);
#endif


#endif /* _NGX_HTTP_PORTAIL_REQUEST_H_INCLUDED_ */
