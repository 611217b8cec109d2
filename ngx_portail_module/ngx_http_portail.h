
/*
 * portail: the tenant portal of a social housing office, as nginx modules.
 *
 * Shared declarations of the module's concerns: configuration, the
 * PostgreSQL pool (ngx_http_portail_pg.c), the JSON core
 * (ngx_http_portail_json.c) and the API router (ngx_http_portail_module.c).
 */


#ifndef _NGX_HTTP_PORTAIL_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <libpq-fe.h>
#include <jansson.h>
#include <sodium.h>

#include "ngx_http_portail_validate.h"


#define NGX_HTTP_PORTAIL_PG_MAX_CALLS     4
#define NGX_HTTP_PORTAIL_MAX_ARGS         3
#define NGX_HTTP_PORTAIL_SLICE            (256 * 1024)


typedef struct ngx_http_portail_stmt_s       ngx_http_portail_stmt_t;
typedef struct ngx_http_portail_pg_pool_s    ngx_http_portail_pg_pool_t;
typedef struct ngx_http_portail_pg_conn_s    ngx_http_portail_pg_conn_t;
typedef struct ngx_http_portail_pg_query_s   ngx_http_portail_pg_query_t;
typedef struct ngx_http_portail_ctx_s        ngx_http_portail_ctx_t;
typedef struct ngx_http_portail_route_s      ngx_http_portail_route_t;
typedef struct ngx_http_portail_pdf_s        ngx_http_portail_pdf_t;
typedef struct ngx_http_portail_pw_s         ngx_http_portail_pw_t;


/*
 * A statement prepared on every pooled connection when it opens: planning
 * costs PostgreSQL several times what running a portal query does.
 * Parameter types are given by casts in the SQL text ($1::bigint).
 */

struct ngx_http_portail_stmt_s {
    const char                       *name;
    const char                       *sql;
    int                               nparams;
    ngx_uint_t                        index;      /* set at registration */
};


typedef enum {
    NGX_HTTP_PORTAIL_PG_OK = 0,
    NGX_HTTP_PORTAIL_PG_UNAVAILABLE,   /* no connection could be had */
    NGX_HTTP_PORTAIL_PG_OVERLOADED,    /* wait queue full or wait too long */
    NGX_HTTP_PORTAIL_PG_TIMEOUT,       /* statement ran past its timeout */
    NGX_HTTP_PORTAIL_PG_FAILED         /* PostgreSQL reported an error */
} ngx_http_portail_pg_rc_e;


typedef struct {
    ngx_http_portail_stmt_t          *stmt;
    const char                      **values;
    int                              *lengths;
    int                              *formats;
    int                               nparams;   /* filled so far */
    int                               binary;    /* binary result columns */
} ngx_http_portail_pg_call_t;


typedef void (*ngx_http_portail_pg_handler_pt)(ngx_http_portail_pg_query_t *q);


struct ngx_http_portail_pg_query_s {
    ngx_http_portail_pg_call_t        calls[NGX_HTTP_PORTAIL_PG_MAX_CALLS];
    ngx_uint_t                        ncalls;

    /* outcome, valid in the handler; results live until pool's cleanup */
    ngx_http_portail_pg_rc_e          rc;
    PGresult                         *results[NGX_HTTP_PORTAIL_PG_MAX_CALLS];
    u_char                            sqlstate[6];

    ngx_http_portail_pg_handler_pt    handler;
    void                             *data;
    ngx_pool_t                       *pool;
    ngx_log_t                        *log;

    /* private to the pool */
    ngx_http_portail_pg_pool_t       *pg;
    ngx_http_portail_pg_conn_t       *conn;
    ngx_queue_t                       queue;
    ngx_event_t                       wait;
    ngx_msec_t                        start;
    ngx_msec_int_t                    start_us;
    ngx_msec_int_t                    sent_us;
    ngx_uint_t                        retries;
    unsigned                          queued:1;
    unsigned                          sent:1;
    unsigned                          primary:1;
    /* the standby's lag measure: it goes to the standby, lag or not */
    unsigned                          probe:1;
    /* owned by no request: its handler frees its pool, even at exit */
    unsigned                          standalone:1;
};


typedef struct {
    ngx_uint_t                        connections;  /* open or opening */
    ngx_uint_t                        idle;
    ngx_uint_t                        busy;
    ngx_uint_t                        waiting;
    ngx_uint_t                        max_connections;
    ngx_atomic_uint_t                 queries;
    ngx_atomic_uint_t                 failures;
    ngx_atomic_uint_t                 timeouts;
    ngx_atomic_uint_t                 overloads;
    ngx_atomic_uint_t                 connects;
    ngx_atomic_uint_t                 connect_failures;
} ngx_http_portail_pg_stats_t;


/* the standby, as this worker sees it (in shared memory, for metrics) */

typedef struct {
    ngx_atomic_uint_t                 reads;      /* answered by it */
    ngx_atomic_uint_t                 fallbacks;  /* asked of the primary */
    ngx_atomic_uint_t                 lag;        /* last measured, ms */
    ngx_uint_t                        configured;
    ngx_uint_t                        usable;     /* lag within the bound */
} ngx_http_portail_standby_stats_t;


typedef struct {
    ngx_str_t                         conninfo;
    ngx_uint_t                        max_connections;
    ngx_uint_t                        queue_length;
    ngx_msec_t                        queue_timeout;
    ngx_msec_t                        query_timeout;
    ngx_msec_t                        connect_timeout;
    ngx_msec_t                        keepalive_timeout;
} ngx_http_portail_pg_conf_t;


#define NGX_HTTP_PORTAIL_SECURE_AUTO  2


typedef struct {
    time_t                            idle_timeout;
    time_t                            lifetime;
    time_t                            remember_lifetime;
    time_t                            remember_idle_timeout;
    ngx_uint_t                        secure;      /* on, off, auto */
} ngx_http_portail_session_conf_t;


typedef struct {
    ngx_uint_t                        max_failures;
    ngx_uint_t                        max_failures_address;
    time_t                            window;
    ngx_str_t                         thread_pool_name;
    ngx_thread_pool_t                *thread_pool;
    ngx_int_t                         priority;    /* nice increment, 0-19 */
    ngx_uint_t                        lower;       /* thread_nice is set */
    int                               thread_nice; /* the worker's + it */
    size_t                            memlimit;
    ngx_uint_t                        opslimit;
    u_char                            dummy_hash[crypto_pwhash_STRBYTES];
} ngx_http_portail_auth_conf_t;


typedef struct {
    ngx_str_t                         name;
    ngx_str_t                         phone;
    ngx_str_t                         email;
    ngx_str_t                         address;
    ngx_str_t                         website;
    ngx_str_t                         public_url;
    ngx_str_t                         json;        /* GET /api/portail */
} ngx_http_portail_office_conf_t;


typedef struct {
    ngx_url_t                        *smtp;
    ngx_str_t                         from;
    ngx_msec_t                        interval;
    ngx_msec_t                        timeout;
    ngx_msec_t                        lease;
    ngx_uint_t                        max_attempts;
} ngx_http_portail_mail_conf_t;


typedef struct {
    const char                       *code;
    ngx_uint_t                        status;
    const char                       *message;
} ngx_http_portail_error_t;


/* card payments (Lyra form API) and SEPA mandates */

#define NGX_HTTP_PORTAIL_PAYMENT_TEST        0
#define NGX_HTTP_PORTAIL_PAYMENT_PRODUCTION  1

typedef struct {
    ngx_str_t                         url;         /* the hosted page */
    ngx_str_t                         site_id;
    ngx_str_t                         key;
    ngx_uint_t                        mode;
    ngx_uint_t                        max_amount;  /* euros */
    ngx_flag_t                        sandbox;
    ngx_uint_t                        card;        /* all of it configured */
    ngx_array_t                      *debit_days;  /* ngx_uint_t, ascending */
    ngx_str_t                         debit_days_sql;   /* "{5,10,15}" */
    ngx_str_t                         creditor_name;
    ngx_str_t                         creditor_address;
    ngx_str_t                         creditor_id; /* ICS */
} ngx_http_portail_payment_conf_t;


typedef struct {
    ngx_http_portail_pg_conf_t        database;
    ngx_http_portail_pg_conf_t        standby;     /* lag-tolerant reads */
    ngx_msec_t                        standby_max_lag;
    /* what the concerns registered: pointers to their tables */
    ngx_array_t                       statements;
    ngx_array_t                       routes;
    ngx_array_t                       errors;
    ngx_http_portail_pg_pool_t       *pool;        /* this worker's pool */
    size_t                            json_max_size;
    size_t                            upload_max_size;
    size_t                            upload_max_body;
    ngx_http_portail_session_conf_t   session;
    ngx_http_portail_auth_conf_t      auth;
    ngx_http_portail_office_conf_t    office;
    ngx_http_portail_mail_conf_t      mail;
    ngx_http_portail_payment_conf_t   payment;
} ngx_http_portail_main_conf_t;


typedef struct {
    ngx_flag_t                        api;
    ngx_flag_t                        api_errors;
    ngx_flag_t                        session;     /* access phase check */
} ngx_http_portail_loc_conf_t;


/* route flags */
#define NGX_HTTP_PORTAIL_JSON_BODY    0x01
#define NGX_HTTP_PORTAIL_SESSION      0x02   /* a signed-in tenant only */
#define NGX_HTTP_PORTAIL_CSRF         0x04   /* state change: X-CSRF-Token */
#define NGX_HTTP_PORTAIL_MULTIPART    0x08   /* multipart/form-data upload */
/* application/x-www-form-urlencoded, decoded into ctx->parts (no files) */
#define NGX_HTTP_PORTAIL_FORM_BODY    0x10


typedef ngx_int_t (*ngx_http_portail_handler_pt)(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);


/* a password hashed or checked in the thread pool (password_task) */

struct ngx_http_portail_pw_s {
    ngx_http_request_t               *request;
    ngx_http_portail_handler_pt       next;
    u_char                           *password;
    size_t                            len;
    u_char                            hash[crypto_pwhash_STRBYTES];
    unsigned long long                opslimit;
    size_t                            memlimit;
    ngx_uint_t                        lower;      /* to nice, or as it is */
    int                               nice;
    ngx_uint_t                        verify;
    ngx_int_t                         ok;
};


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
    unsigned                          file:1;
    unsigned                          checked:1;
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


extern ngx_module_t  ngx_http_portail_module;


/* what each concern registers at configuration time */
ngx_int_t ngx_http_portail_add_routes(ngx_conf_t *cf,
    ngx_http_portail_route_t *routes);
ngx_int_t ngx_http_portail_add_errors(ngx_conf_t *cf,
    ngx_http_portail_error_t *errors);

/* the pool */
ngx_int_t ngx_http_portail_pg_register(ngx_conf_t *cf,
    ngx_http_portail_stmt_t *stmts, ngx_uint_t n);
ngx_int_t ngx_http_portail_pg_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_pg_init_worker(ngx_cycle_t *cycle);
void ngx_http_portail_pg_exit_worker(ngx_cycle_t *cycle);
ngx_http_portail_pg_query_t *ngx_http_portail_pg_query(ngx_pool_t *pool,
    ngx_log_t *log);
ngx_http_portail_pg_call_t *ngx_http_portail_pg_call(
    ngx_http_portail_pg_query_t *q, ngx_http_portail_stmt_t *stmt);
ngx_int_t ngx_http_portail_pg_param(ngx_http_portail_pg_call_t *call,
    u_char *data, size_t len);
ngx_int_t ngx_http_portail_pg_param_binary(ngx_http_portail_pg_call_t *call,
    u_char *data, size_t len);
ngx_int_t ngx_http_portail_pg_param_null(ngx_http_portail_pg_call_t *call);
ngx_int_t ngx_http_portail_pg_param_int(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, int64_t value);
ngx_int_t ngx_http_portail_pg_param_str(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_str_t *value);
ngx_int_t ngx_http_portail_pg_run(ngx_http_portail_pg_query_t *q);
ngx_http_portail_pg_stats_t *ngx_http_portail_pg_stats(void);
ngx_uint_t ngx_http_portail_pg_standby_usable(void);
void ngx_http_portail_pg_standby_count(ngx_uint_t fallback);

/* results */
ngx_int_t ngx_http_portail_pg_value(ngx_http_portail_pg_query_t *q,
    ngx_uint_t call, int row, int col, ngx_str_t *value);
int ngx_http_portail_pg_rows(ngx_http_portail_pg_query_t *q, ngx_uint_t call);

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
    const char *code);
ngx_int_t ngx_http_portail_send_error_details(ngx_http_request_t *r,
    const char *code, json_t *details);
ngx_int_t ngx_http_portail_send_error_status(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, json_t *details);
ngx_int_t ngx_http_portail_send_pg_error(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q);
ngx_int_t ngx_http_portail_read_body(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_add_header(ngx_http_request_t *r, const char *key,
    u_char *value, size_t len);
ngx_int_t ngx_http_portail_set_no_store(ngx_http_request_t *r);
ngx_int_t ngx_http_portail_body_bytes(ngx_http_request_t *r, ngx_str_t *body,
    size_t max);

/* files kept in PostgreSQL */
ngx_int_t ngx_http_portail_send_file(ngx_http_request_t *r,
    ngx_str_t *filename, ngx_str_t *mime, off_t size, ngx_str_t *first,
    ngx_http_portail_stmt_t *slice, ngx_str_t *id);

/* PDF documents made by the portal (ngx_http_portail_pdf.c) */
ngx_http_portail_pdf_t *ngx_http_portail_pdf_create(ngx_pool_t *pool,
    ngx_str_t *title);
ngx_int_t ngx_http_portail_pdf_page(ngx_http_portail_pdf_t *pdf);
ngx_int_t ngx_http_portail_pdf_text(ngx_http_portail_pdf_t *pdf, double x,
    double y, double size, ngx_uint_t bold, ngx_uint_t right,
    ngx_str_t *text);
ngx_int_t ngx_http_portail_pdf_line(ngx_http_portail_pdf_t *pdf, double x1,
    double y1, double x2, double y2);
ngx_int_t ngx_http_portail_pdf_box(ngx_http_portail_pdf_t *pdf, double x,
    double y, double w, double h, ngx_uint_t grey);
ngx_int_t ngx_http_portail_pdf_finish(ngx_http_portail_pdf_t *pdf,
    ngx_str_t *out);
void ngx_http_portail_pdf_author(ngx_http_portail_pdf_t *pdf,
    ngx_str_t *author);
ngx_int_t ngx_http_portail_pdf_paragraph(ngx_http_portail_pdf_t *pdf,
    double x, double *y, double width, double size, double leading,
    ngx_uint_t bold, ngx_str_t *text);
/* "1 234,56 €": room for NGX_HTTP_PORTAIL_EUROS_LEN bytes */
#define NGX_HTTP_PORTAIL_EUROS_LEN  (NGX_INT64_LEN + 16)
u_char *ngx_http_portail_format_euros(u_char *p, int64_t cents);

/* uploads */
ngx_int_t ngx_http_portail_multipart_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body);
ngx_http_portail_part_t *ngx_http_portail_part(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_uint_t nth);
ngx_int_t ngx_http_portail_part_text(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_str_t *value, size_t max, json_t *champs);
ngx_int_t ngx_http_portail_upload_check(ngx_http_request_t *r,
    ngx_http_portail_part_t *part, const char *field, json_t *champs);
ngx_int_t ngx_http_portail_errors_handler(ngx_http_request_t *r);

/* JSON request fields: NGX_OK, NGX_DECLINED (absent or null), NGX_ERROR
 * (wrong type or too long: the message is added to champs) */
ngx_int_t ngx_http_portail_json_string(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_str_t *value, size_t max, json_t *champs);
ngx_int_t ngx_http_portail_json_bool(ngx_http_portail_ctx_t *ctx,
    const char *name, ngx_flag_t *value, json_t *champs);
ngx_int_t ngx_http_portail_field_error(json_t *champs, const char *name,
    const char *message);
ngx_int_t ngx_http_portail_send_validation(ngx_http_request_t *r,
    json_t *champs);

/* sessions */
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

/* accounts */
ngx_int_t ngx_http_portail_auth_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_auth_init_worker(ngx_cycle_t *cycle);
ngx_int_t ngx_http_portail_login(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_register(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_confirm(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_password_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_password_reset(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_identifiers_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
/* {"message": "..."} with that status */
ngx_int_t ngx_http_portail_send_message(ngx_http_request_t *r,
    ngx_uint_t status, const char *message);
/* hashes (hash NULL) or checks a password in the thread pool; next() then
 * finds the outcome in ctx->pw */
ngx_int_t ngx_http_portail_password_task(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *password, u_char *hash,
    ngx_http_portail_handler_pt next);

/* e-mail */
ngx_int_t ngx_http_portail_mail_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_mail_init_worker(ngx_cycle_t *cycle);

/* metrics (ngx_http_portail_metrics.c) */
ngx_int_t ngx_http_portail_metrics_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_metrics_sections(ngx_conf_t *cf,
    ngx_http_portail_route_t *routes);
ngx_http_portail_pg_stats_t *ngx_http_portail_metrics_pool_slot(void);
ngx_http_portail_standby_stats_t *ngx_http_portail_metrics_standby_slot(void);
void ngx_http_portail_metrics_signin(ngx_uint_t outcome);
void ngx_http_portail_metrics_queue_wait(ngx_msec_int_t us);
void ngx_http_portail_metrics_query_time(ngx_msec_int_t us);
ngx_int_t ngx_http_portail_metrics_handler(ngx_http_request_t *r);
ngx_msec_int_t ngx_http_portail_now_us(void);

#define NGX_HTTP_PORTAIL_SIGNIN_OK         0
#define NGX_HTTP_PORTAIL_SIGNIN_FAILED     1
#define NGX_HTTP_PORTAIL_SIGNIN_THROTTLED  2

/* the office */
ngx_int_t ngx_http_portail_office_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);

/* sections */
ngx_int_t ngx_http_portail_sante_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_sante_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_accueil_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_dossier_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_contrats_init(ngx_conf_t *cf);

/* answering a signed-in tenant (ngx_http_portail_contrats.c) */
ngx_int_t ngx_http_portail_contract_number(ngx_str_t *in, u_char *out);
ngx_int_t ngx_http_portail_tenant_read_narrowed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt);
ngx_int_t ngx_http_portail_path_id(ngx_http_request_t *r, ngx_str_t *arg,
    ngx_str_t *id);
ngx_int_t ngx_http_portail_tenant_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt, u_char *arg,
    size_t len);
ngx_int_t ngx_http_portail_tenant_read_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_tenant_write_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t status, ngx_str_t *outcome);

/*
 * Requests and surveys (ngx_http_portail_demandes.c, _enquetes.c), and
 * what other sections may reuse: an action statement answers the session's
 * three columns, then a code and a JSON body (portail.resultat_api) that
 * ngx_http_portail_answer() turns into the response; uploaded files go to
 * PostgreSQL as a JSON description and one bytea parameter per file.
 */

#define NGX_HTTP_PORTAIL_MAX_FILES  5

#define NGX_HTTP_PORTAIL_ACTION(call)                                         \
    "SELECT s.compte_id, s.session_id, s.a_toucher, r.code, r.corps"          \
    " FROM portail.session_valide($1::bytea) s, LATERAL portail." call " r"

/*
 * The three statements of an attachment's download: the owner check with
 * the name, type and size; the first slice; the next slices.  visible is a
 * SQL function (account, parent id, attachment id) returning the row.
 */

#define NGX_HTTP_PORTAIL_PIECE_STMTS(name, visible, table)                    \
    { name, "SELECT s.compte_id, s.session_id, s.a_toucher, p.nom_origine,"   \
      " p.mime, p.taille FROM portail.session_valide($1::bytea) s"            \
      " LEFT JOIN LATERAL portail." visible "(s.compte_id, $2::bigint,"       \
      " $3::bigint) p ON true", 3, 0 },                                       \
    { name "_debut", "SELECT substring(p.contenu FROM 1 FOR $4::integer)"    \
      " FROM portail.session_valide($1::bytea) s, LATERAL portail." visible  \
      "(s.compte_id, $2::bigint, $3::bigint) p", 4, 0 },                      \
    { name "_tranche", "SELECT substring(contenu FROM $2::integer"           \
      " FOR $3::integer) FROM portail." table " WHERE id = $1::bigint", 3, 0 }

typedef struct {
    json_t                           *meta;    /* [{nom, mime, sha256...}] */
    ngx_http_portail_part_t          *parts[NGX_HTTP_PORTAIL_MAX_FILES];
    ngx_uint_t                        n;
} ngx_http_portail_files_t;

typedef struct {
    ngx_http_portail_stmt_t          *info;    /* session, nom, mime, taille */
    ngx_http_portail_stmt_t          *first;   /* the first slice (binary) */
    ngx_http_portail_stmt_t          *slice;   /* $1 id, $2 offset, $3 length */
} ngx_http_portail_piece_stmts_t;

ngx_int_t ngx_http_portail_demandes_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_enquetes_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_answer(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
ngx_int_t ngx_http_portail_tenant_params(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_ctx_t *ctx,
    ngx_uint_t nargs);
ngx_int_t ngx_http_portail_tenant_action(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt,
    ngx_uint_t nargs, ngx_http_portail_handler_pt next);
ngx_int_t ngx_http_portail_files_collect(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *field, const char *nature,
    ngx_http_portail_files_t *files, json_t *champs);
ngx_int_t ngx_http_portail_files_params(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_files_t *files);
ngx_int_t ngx_http_portail_piece_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_piece_stmts_t *stmts);

/* payments: ngx_http_portail_paiements.c, _sepa.c, _sandbox.c */
ngx_int_t ngx_http_portail_paiements_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_sepa_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_sandbox_init(ngx_conf_t *cf);
char *ngx_http_portail_sepa_debit_days(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_portail_form_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body);
/* the JSON in the 4th column of a session statement (none: 404) */
ngx_int_t ngx_http_portail_paiements_answer(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t status);
/* the 7 digits of a contract number ("2013936", "L/2013936"), NUL-ended */
ngx_int_t ngx_http_portail_contrat_digits(ngx_str_t *value, u_char out[8],
    json_t *champs);
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
/* the signature of the form in ctx->parts: NULL, or the error code */
const char *ngx_http_portail_payment_verify(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
typedef ngx_int_t (*ngx_http_portail_payment_done_pt)(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *error, ngx_str_t *statut);
/* records the provider's notification in ctx->parts, then calls done */
ngx_int_t ngx_http_portail_payment_notify(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_payment_done_pt done);
/* a label and its value (wrapped) on a line of a form; y moves on */
ngx_int_t ngx_http_portail_pdf_field(ngx_http_portail_pdf_t *pdf, double *y,
    ngx_str_t *label, ngx_str_t *value);

ngx_int_t ngx_http_portail_documents_init(ngx_conf_t *cf);


#endif /* _NGX_HTTP_PORTAIL_H_INCLUDED_ */
