
/*
 * The PostgreSQL pool (ngx_http_portail_pg.c): non-blocking libpq
 * connections per worker, statements prepared on each, a wait queue, and
 * an optional lag-tolerant standby.
 */


#ifndef _NGX_HTTP_PORTAIL_PG_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_PG_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <libpq-fe.h>


#define NGX_HTTP_PORTAIL_PG_MAX_CALLS     4


typedef struct ngx_http_portail_stmt_s       ngx_http_portail_stmt_t;
typedef struct ngx_http_portail_pg_pool_s    ngx_http_portail_pg_pool_t;
typedef struct ngx_http_portail_pg_conn_s    ngx_http_portail_pg_conn_t;
typedef struct ngx_http_portail_pg_query_s   ngx_http_portail_pg_query_t;


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


#endif /* _NGX_HTTP_PORTAIL_PG_H_INCLUDED_ */
