
/*
 * The PostgreSQL connection pool of a worker process.
 *
 * Every libpq call here is non-blocking: connections are opened with
 * PQconnectStartParams/PQconnectPoll, statements are sent in pipeline mode
 * and read as the socket becomes readable, inside nginx's event loop.
 *
 * Design points, each answering a way earlier modules broke:
 *  - sockets are registered level-triggered: libpq reads a bounded amount
 *    per PQconsumeInput, and an edge-triggered registration could leave a
 *    reply's tail in the socket with no further event;
 *  - libpq owns the socket: we never close it, we only drop our events and
 *    our ngx_connection_t before PQfinish;
 *  - while connecting, libpq may close its socket and open another one
 *    (next address of a host name): events are dropped before each
 *    PQconnectPoll and registered again for whatever socket it returns;
 *  - statements are prepared on each connection as it opens, each followed
 *    by its own sync point, so one statement failing to prepare (a missing
 *    migration, a lock) costs that statement, not the connection; it is
 *    prepared again in the pipeline of the next query that needs it;
 *  - a statement past its timeout is answered 504 at once, and the server's
 *    own statement_timeout (set to the same value at connect) cancels it;
 *    the connection is reused only once the server has said so, and is
 *    closed if it stays silent: there is no blocking PQcancel;
 *  - a pooled connection is checked (MSG_PEEK) before reuse, and a query
 *    whose sync point never reached the server is retried once elsewhere,
 *    so a PostgreSQL restart costs no request.
 */


#include "ngx_http_portail_core.h"


#define NGX_HTTP_PORTAIL_PG_CONNECTING  0
#define NGX_HTTP_PORTAIL_PG_PREPARING   1
#define NGX_HTTP_PORTAIL_PG_IDLE        2
#define NGX_HTTP_PORTAIL_PG_BUSY        3

/* how long a cancelled statement may take to report its cancellation */
#define NGX_HTTP_PORTAIL_PG_DRAIN_TIME  2000

/* how often each worker measures the standby's lag */
#define NGX_HTTP_PORTAIL_PG_PROBE_TIME  1000


struct ngx_http_portail_pg_conn_s {
    ngx_queue_t                       queue;
    ngx_http_portail_pg_pool_t       *pool;
    PGconn                           *pg;
    ngx_connection_t                 *c;
    ngx_http_portail_pg_query_t      *query;
    ngx_event_t                       timer;
    ngx_uint_t                        state;
    ngx_uint_t                        slot;      /* being read */
    ngx_uint_t                        nslots;
    ngx_int_t                         slots[2 * NGX_HTTP_PORTAIL_PG_MAX_CALLS];
    ngx_uint_t                        syncs;
    ngx_uint_t                        setup;     /* setup step being read */
    u_char                           *prepared;
    unsigned                          used:1;
    unsigned                          flushing:1;
    unsigned                          draining:1;
};


struct ngx_http_portail_pg_pool_s {
    ngx_http_portail_pg_conf_t       *conf;
    ngx_array_t                      *statements;
    const char                      **keywords;
    const char                      **values;
    ngx_http_portail_pg_conn_t       *conns;
    ngx_queue_t                       idle;
    ngx_queue_t                       waiting;
    ngx_http_portail_pg_stats_t      *stats;      /* in shared memory */
    ngx_http_portail_pg_stats_t       local;
    ngx_log_t                        *log;
    u_char                            timeout[NGX_INT_T_LEN + 1];
    time_t                            logged;

    /* the standby's: its lag, measured by a timer */
    ngx_event_t                       probe;
    ngx_http_portail_standby_stats_t *standby;
    ngx_http_portail_standby_stats_t  standby_local;
    ngx_msec_t                        max_lag;

    /* prepare statements when first used only (the standby: it is asked
     * for few of them, and refuses some) */
    unsigned                          lazy:1;
    unsigned                          probing:1;
};


static ngx_int_t ngx_http_portail_pg_parse_conninfo(
    ngx_http_portail_pg_pool_t *pool, ngx_cycle_t *cycle);
static void ngx_http_portail_pg_unqueue(ngx_http_portail_pg_query_t *q);
static void ngx_http_portail_pg_dispatch(ngx_http_portail_pg_pool_t *pool);
static ngx_int_t ngx_http_portail_pg_connect(ngx_http_portail_pg_pool_t *pool);
static void ngx_http_portail_pg_connect_step(ngx_http_portail_pg_conn_t *pc);
static ngx_int_t ngx_http_portail_pg_setup(ngx_http_portail_pg_conn_t *pc);
static ngx_int_t ngx_http_portail_pg_send(ngx_http_portail_pg_conn_t *pc,
    ngx_http_portail_pg_query_t *q);
static ngx_int_t ngx_http_portail_pg_alive(ngx_http_portail_pg_conn_t *pc);
static ngx_int_t ngx_http_portail_pg_flush(ngx_http_portail_pg_conn_t *pc);
static ngx_int_t ngx_http_portail_pg_watch(ngx_http_portail_pg_conn_t *pc,
    ngx_uint_t read, ngx_uint_t write);
static void ngx_http_portail_pg_unwatch(ngx_http_portail_pg_conn_t *pc);
static void ngx_http_portail_pg_read_handler(ngx_event_t *ev);
static void ngx_http_portail_pg_write_handler(ngx_event_t *ev);
static void ngx_http_portail_pg_timer_handler(ngx_event_t *ev);
static void ngx_http_portail_pg_wait_handler(ngx_event_t *ev);
static void ngx_http_portail_pg_read_setup(ngx_http_portail_pg_conn_t *pc);
static void ngx_http_portail_pg_read_results(ngx_http_portail_pg_conn_t *pc);
static void ngx_http_portail_pg_release(ngx_http_portail_pg_conn_t *pc);
static void ngx_http_portail_pg_fail(ngx_http_portail_pg_conn_t *pc,
    const char *why);
static void ngx_http_portail_pg_close(ngx_http_portail_pg_conn_t *pc);
static void ngx_http_portail_pg_finish(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_rc_e rc);
static void ngx_http_portail_pg_query_cleanup(void *data);
static void ngx_http_portail_pg_log_error(ngx_http_portail_pg_pool_t *pool,
    ngx_uint_t level, const char *what, PGconn *pg);
static void ngx_http_portail_pg_probe_handler(ngx_event_t *ev);
static void ngx_http_portail_pg_probe_done(ngx_http_portail_pg_query_t *q);
static void ngx_http_portail_pg_probe_result(ngx_http_portail_pg_pool_t *pool,
    int64_t lag);


/* the primary's pool, and the standby's when portail_database_standby */
static ngx_http_portail_pg_pool_t  *ngx_http_portail_pg_pools[2];


/*
 * The standby's lag in milliseconds: 0 when it has replayed all it
 * received from a primary it still streams from, else the age of the last
 * transaction it replayed; -1 when it replayed none yet.  A standby that
 * lost its primary ages, and stops being asked, even with no write to see.
 * (pg_stat_wal_receiver shows a row, with its pid, to any role.)
 */

static ngx_http_portail_stmt_t  ngx_http_portail_pg_stmts[] = {

    { "standby_retard",
      "SELECT CASE"
      " WHEN NOT pg_is_in_recovery() THEN 0"
      " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
      " AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0"
      " ELSE coalesce(greatest(0, extract(epoch FROM clock_timestamp()"
      " - pg_last_xact_replay_timestamp()) * 1000), -1)"
      " END::bigint",
      0, 0 }
};


ngx_int_t
ngx_http_portail_pg_init(ngx_conf_t *cf)
{
    return ngx_http_portail_pg_register(cf, ngx_http_portail_pg_stmts,
                                        sizeof(ngx_http_portail_pg_stmts)
                                        / sizeof(ngx_http_portail_stmt_t));
}


/* microseconds of a monotonic clock: nginx's cached time is milliseconds */

ngx_msec_int_t
ngx_http_portail_now_us(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (ngx_msec_int_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


ngx_int_t
ngx_http_portail_pg_register(ngx_conf_t *cf, ngx_http_portail_stmt_t *stmts,
    ngx_uint_t n)
{
    ngx_uint_t                      i;
    ngx_http_portail_stmt_t       **p;
    ngx_http_portail_main_conf_t   *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

    for (i = 0; i < n; i++) {
        p = ngx_array_push(&pmcf->statements);
        if (p == NULL) {
            return NGX_ERROR;
        }

        stmts[i].index = pmcf->statements.nelts - 1;
        *p = &stmts[i];
    }

    return NGX_OK;
}


static ngx_http_portail_pg_pool_t *
ngx_http_portail_pg_create(ngx_cycle_t *cycle,
    ngx_http_portail_main_conf_t *pmcf, ngx_http_portail_pg_conf_t *conf,
    ngx_http_portail_pg_stats_t *stats)
{
    ngx_uint_t                   i;
    ngx_http_portail_pg_pool_t  *pool;

    pool = ngx_pcalloc(cycle->pool, sizeof(ngx_http_portail_pg_pool_t));
    if (pool == NULL) {
        return NULL;
    }

    pool->conf = conf;
    pool->statements = &pmcf->statements;
    pool->log = cycle->log;
    pool->stats = stats ? stats : &pool->local;
    pool->stats->max_connections = conf->max_connections;

    ngx_queue_init(&pool->idle);
    ngx_queue_init(&pool->waiting);

    if (ngx_http_portail_pg_parse_conninfo(pool, cycle) != NGX_OK) {
        return NULL;
    }

    ngx_sprintf(pool->timeout, "%M%Z", conf->query_timeout);

    pool->conns = ngx_pcalloc(cycle->pool, conf->max_connections
                                           * sizeof(ngx_http_portail_pg_conn_t));
    if (pool->conns == NULL) {
        return NULL;
    }

    for (i = 0; i < conf->max_connections; i++) {
        pool->conns[i].pool = pool;
        pool->conns[i].prepared = ngx_pcalloc(cycle->pool,
                                              pool->statements->nelts + 1);
        if (pool->conns[i].prepared == NULL) {
            return NULL;
        }
    }

    return pool;
}


ngx_int_t
ngx_http_portail_pg_init_worker(ngx_cycle_t *cycle)
{
    ngx_http_portail_pg_pool_t     *pool;
    ngx_http_portail_main_conf_t   *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_portail_module);

    if (pmcf == NULL || pmcf->database.conninfo.len == 0) {
        return NGX_OK;
    }

    /* the metrics read the primary's figures from shared memory */

    ngx_http_portail_pg_pools[0] = ngx_http_portail_pg_create(cycle, pmcf,
                                        &pmcf->database,
                                        ngx_http_portail_metrics_pool_slot());
    if (ngx_http_portail_pg_pools[0] == NULL) {
        return NGX_ERROR;
    }

    pmcf->pool = ngx_http_portail_pg_pools[0];

    if (pmcf->standby.conninfo.len) {
        ngx_http_portail_pg_pools[1] = ngx_http_portail_pg_create(cycle, pmcf,
                                                       &pmcf->standby, NULL);
        if (ngx_http_portail_pg_pools[1] == NULL) {
            return NGX_ERROR;
        }

        pool = ngx_http_portail_pg_pools[1];
        pool->lazy = 1;
        pool->max_lag = pmcf->standby_max_lag;

        pool->standby = ngx_http_portail_metrics_standby_slot();
        if (pool->standby == NULL) {
            pool->standby = &pool->standby_local;
        }

        pool->standby->configured = 1;

        /* not asked until a first measure says it is close enough */

        pool->probe.handler = ngx_http_portail_pg_probe_handler;
        pool->probe.data = pool;
        pool->probe.log = cycle->log;
        pool->probe.cancelable = 1;

        ngx_add_timer(&pool->probe, 1);
    }

    return NGX_OK;
}


static void
ngx_http_portail_pg_shutdown(ngx_http_portail_pg_pool_t *pool)
{
    ngx_uint_t                    i;
    ngx_queue_t                  *qq;
    ngx_http_portail_pg_query_t  *q;

    /*
     * Queries of no request (e-mail, last-activity updates) are told the
     * database is gone, so that their owners free what they hold.
     */

    for (i = 0; i < pool->conf->max_connections; i++) {
        q = pool->conns[i].query;

        if (pool->conns[i].used && q && q->standalone) {
            pool->conns[i].query = NULL;
            q->conn = NULL;
            ngx_http_portail_pg_finish(q, NGX_HTTP_PORTAIL_PG_UNAVAILABLE);
        }
    }

    qq = ngx_queue_head(&pool->waiting);

    while (qq != ngx_queue_sentinel(&pool->waiting)) {
        q = ngx_queue_data(qq, ngx_http_portail_pg_query_t, queue);
        qq = ngx_queue_next(qq);

        if (q->standalone) {
            ngx_http_portail_pg_unqueue(q);
            ngx_http_portail_pg_finish(q, NGX_HTTP_PORTAIL_PG_UNAVAILABLE);
        }
    }

    for (i = 0; i < pool->conf->max_connections; i++) {
        if (pool->conns[i].used) {
            ngx_http_portail_pg_close(&pool->conns[i]);
        }
    }
}


void
ngx_http_portail_pg_exit_worker(ngx_cycle_t *cycle)
{
    ngx_uint_t  i;

    for (i = 0; i < 2; i++) {
        if (ngx_http_portail_pg_pools[i]) {
            if (ngx_http_portail_pg_pools[i]->probe.timer_set) {
                ngx_del_timer(&ngx_http_portail_pg_pools[i]->probe);
            }

            ngx_http_portail_pg_shutdown(ngx_http_portail_pg_pools[i]);
            ngx_http_portail_pg_pools[i] = NULL;
        }
    }
}


ngx_http_portail_pg_stats_t *
ngx_http_portail_pg_stats(void)
{
    return ngx_http_portail_pg_pools[0] ? ngx_http_portail_pg_pools[0]->stats
                                        : NULL;
}


/* whether lag-tolerant reads may go to the standby now */

ngx_uint_t
ngx_http_portail_pg_standby_usable(void)
{
    return ngx_http_portail_pg_pools[1]
           && ngx_http_portail_pg_pools[1]->standby->usable;
}


void
ngx_http_portail_pg_standby_count(ngx_uint_t fallback)
{
    ngx_http_portail_pg_pool_t  *pool;

    pool = ngx_http_portail_pg_pools[1];

    if (pool == NULL) {
        return;
    }

    if (fallback) {
        pool->standby->fallbacks++;

    } else {
        pool->standby->reads++;
    }
}


static void
ngx_http_portail_pg_probe_handler(ngx_event_t *ev)
{
    ngx_pool_t                   *mem;
    ngx_http_portail_pg_pool_t   *pool;
    ngx_http_portail_pg_query_t  *q;

    pool = ev->data;

    if (pool->probing || ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    mem = ngx_create_pool(512, pool->log);
    if (mem == NULL) {
        goto failed;
    }

    q = ngx_http_portail_pg_query(mem, pool->log);

    if (q == NULL
        || ngx_http_portail_pg_call(q, &ngx_http_portail_pg_stmts[0]) == NULL)
    {
        ngx_destroy_pool(mem);
        goto failed;
    }

    q->handler = ngx_http_portail_pg_probe_done;
    q->data = mem;
    q->standalone = 1;
    q->primary = 0;
    q->probe = 1;

    pool->probing = 1;

    if (ngx_http_portail_pg_run(q) == NGX_OK) {
        return;
    }

    pool->probing = 0;
    ngx_destroy_pool(mem);

failed:

    ngx_http_portail_pg_probe_result(pool, -1);
}


static void
ngx_http_portail_pg_probe_done(ngx_http_portail_pg_query_t *q)
{
    int64_t                      lag;
    ngx_str_t                    v;
    ngx_http_portail_pg_pool_t  *pool;

    pool = ngx_http_portail_pg_pools[1];
    lag = -1;

    if (q->rc == NGX_HTTP_PORTAIL_PG_OK
        && ngx_http_portail_pg_value(q, 0, 0, 0, &v) == NGX_OK)
    {
        lag = (v.len && v.data[0] != '-') ? ngx_atoof(v.data, v.len) : -1;
    }

    ngx_destroy_pool(q->data);

    if (pool == NULL) {
        return;
    }

    pool->probing = 0;
    ngx_http_portail_pg_probe_result(pool, lag);
}


/* lag: milliseconds, or -1 when the standby could not say */

static void
ngx_http_portail_pg_probe_result(ngx_http_portail_pg_pool_t *pool,
    int64_t lag)
{
    ngx_uint_t  usable;

    usable = (lag >= 0 && (ngx_msec_t) lag <= pool->max_lag);

    if (lag >= 0) {
        pool->standby->lag = (ngx_atomic_uint_t) lag;
    }

    if (usable != pool->standby->usable) {
        if (usable) {
            ngx_log_error(NGX_LOG_NOTICE, pool->log, 0,
                          "portail: standby within %M ms of the primary, "
                          "lag-tolerant reads go to it", pool->max_lag);

        } else if (lag >= 0) {
            ngx_log_error(NGX_LOG_WARN, pool->log, 0,
                          "portail: standby %L ms behind the primary, "
                          "reads go to the primary", lag);

        } else {
            ngx_log_error(NGX_LOG_WARN, pool->log, 0,
                          "portail: standby cannot tell its lag, "
                          "reads go to the primary");
        }

        pool->standby->usable = usable;
    }

    if (!ngx_exiting && !ngx_terminate && !ngx_quit) {
        ngx_add_timer(&pool->probe, NGX_HTTP_PORTAIL_PG_PROBE_TIME);
    }
}


static char *
ngx_http_portail_pg_strdup(ngx_pool_t *pool, const char *s)
{
    size_t   len;
    u_char  *p;

    len = ngx_strlen(s);

    p = ngx_pnalloc(pool, len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s, len + 1);

    return (char *) p;
}


/*
 * The configured string is parsed once per worker; the pool adds the
 * settings it depends on (fallback_application_name) without editing what
 * ops wrote.
 */

static ngx_int_t
ngx_http_portail_pg_parse_conninfo(ngx_http_portail_pg_pool_t *pool,
    ngx_cycle_t *cycle)
{
    char               *err, *conninfo;
    size_t              n;
    ngx_uint_t          i;
    PQconninfoOption   *opts, *o;

    conninfo = ngx_pnalloc(cycle->pool, pool->conf->conninfo.len + 1);
    if (conninfo == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(conninfo, pool->conf->conninfo.data, pool->conf->conninfo.len);
    conninfo[pool->conf->conninfo.len] = '\0';

    err = NULL;
    opts = PQconninfoParse(conninfo, &err);

    if (opts == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "portail: invalid portail_database \"%V\": %s",
                      &pool->conf->conninfo, err ? err : "out of memory");
        if (err) {
            PQfreemem(err);
        }
        return NGX_ERROR;
    }

    n = 0;
    for (o = opts; o->keyword; o++) {
        if (o->val) {
            n++;
        }
    }

    pool->keywords = ngx_pcalloc(cycle->pool, (n + 2) * sizeof(char *));
    pool->values = ngx_pcalloc(cycle->pool, (n + 2) * sizeof(char *));

    if (pool->keywords == NULL || pool->values == NULL) {
        PQconninfoFree(opts);
        return NGX_ERROR;
    }

    i = 0;
    for (o = opts; o->keyword; o++) {
        if (o->val == NULL) {
            continue;
        }

        pool->keywords[i] = ngx_http_portail_pg_strdup(cycle->pool,
                                                       o->keyword);
        pool->values[i] = ngx_http_portail_pg_strdup(cycle->pool, o->val);

        if (pool->keywords[i] == NULL || pool->values[i] == NULL) {
            PQconninfoFree(opts);
            return NGX_ERROR;
        }

        i++;
    }

    pool->keywords[i] = "fallback_application_name";
    pool->values[i] = "portail";

    PQconninfoFree(opts);

    return NGX_OK;
}


ngx_http_portail_pg_query_t *
ngx_http_portail_pg_query(ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_pool_cleanup_t           *cln;
    ngx_http_portail_pg_query_t  *q;

    q = ngx_pcalloc(pool, sizeof(ngx_http_portail_pg_query_t));
    if (q == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_portail_pg_query_cleanup;
    cln->data = q;

    q->pool = pool;
    q->log = log;
    q->primary = 1;

    return q;
}


ngx_http_portail_pg_call_t *
ngx_http_portail_pg_call(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_stmt_t *stmt)
{
    int                          n;
    ngx_http_portail_pg_call_t  *call;

    if (q->ncalls == NGX_HTTP_PORTAIL_PG_MAX_CALLS) {
        return NULL;
    }

    call = &q->calls[q->ncalls];
    n = stmt->nparams ? stmt->nparams : 1;

    call->values = ngx_pcalloc(q->pool, n * sizeof(char *));
    call->lengths = ngx_pcalloc(q->pool, n * sizeof(int));
    call->formats = ngx_pcalloc(q->pool, n * sizeof(int));

    if (call->values == NULL || call->lengths == NULL || call->formats == NULL)
    {
        return NULL;
    }

    call->stmt = stmt;
    q->ncalls++;

    return call;
}


static ngx_int_t
ngx_http_portail_pg_add_param(ngx_http_portail_pg_call_t *call, u_char *data,
    size_t len, int format)
{
    if (call->nparams >= call->stmt->nparams || len > NGX_MAX_INT32_VALUE) {
        return NGX_ERROR;
    }

    call->values[call->nparams] = (const char *) data;
    call->lengths[call->nparams] = (int) len;
    call->formats[call->nparams] = format;
    call->nparams++;

    return NGX_OK;
}


/*
 * libpq reads a text parameter up to its NUL and ignores its length (the
 * length counts for binary ones only): ngx_http_portail_pg_param() takes
 * NUL-terminated data, ngx_http_portail_pg_param_str() copies to such.
 */

ngx_int_t
ngx_http_portail_pg_param(ngx_http_portail_pg_call_t *call, u_char *data,
    size_t len)
{
    return ngx_http_portail_pg_add_param(call, data, len, 0);
}


ngx_int_t
ngx_http_portail_pg_param_binary(ngx_http_portail_pg_call_t *call,
    u_char *data, size_t len)
{
    return ngx_http_portail_pg_add_param(call, data, len, 1);
}


ngx_int_t
ngx_http_portail_pg_param_null(ngx_http_portail_pg_call_t *call)
{
    return ngx_http_portail_pg_add_param(call, NULL, 0, 0);
}


ngx_int_t
ngx_http_portail_pg_param_int(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, int64_t value)
{
    u_char  *p, *last;

    p = ngx_pnalloc(q->pool, NGX_INT64_LEN + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    last = ngx_sprintf(p, "%L", value);
    *last = '\0';

    return ngx_http_portail_pg_add_param(call, p, last - p, 0);
}


ngx_int_t
ngx_http_portail_pg_param_str(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_str_t *value)
{
    u_char  *p;

    if (value == NULL || value->data == NULL) {
        return ngx_http_portail_pg_param_null(call);
    }

    p = ngx_pnalloc(q->pool, value->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, value->data, value->len);
    p[value->len] = '\0';

    return ngx_http_portail_pg_add_param(call, p, value->len, 0);
}


int
ngx_http_portail_pg_rows(ngx_http_portail_pg_query_t *q, ngx_uint_t call)
{
    if (call >= q->ncalls || q->results[call] == NULL
        || PQresultStatus(q->results[call]) != PGRES_TUPLES_OK)
    {
        return 0;
    }

    return PQntuples(q->results[call]);
}


/* a value of a result: NGX_DECLINED when SQL NULL or absent */

ngx_int_t
ngx_http_portail_pg_value(ngx_http_portail_pg_query_t *q, ngx_uint_t call,
    int row, int col, ngx_str_t *value)
{
    PGresult  *res;

    if (row >= ngx_http_portail_pg_rows(q, call)) {
        return NGX_DECLINED;
    }

    res = q->results[call];

    if (col >= PQnfields(res) || PQgetisnull(res, row, col)) {
        return NGX_DECLINED;
    }

    value->data = (u_char *) PQgetvalue(res, row, col);
    value->len = PQgetlength(res, row, col);

    return NGX_OK;
}


/*
 * Queues the query and, when a connection is free, sends it at once.  The
 * handler may run before this returns (the database is known down): callers
 * take their reference on the request first.  NGX_ERROR means the query was
 * refused before being queued (q->rc tells why) and the handler not called.
 */

ngx_int_t
ngx_http_portail_pg_run(ngx_http_portail_pg_query_t *q)
{
    ngx_http_portail_pg_pool_t  *pool;

    /* reads that tolerate a little lag may go to the standby */

    if (q->probe) {
        pool = ngx_http_portail_pg_pools[1];

    } else if (!q->primary && ngx_http_portail_pg_standby_usable()) {
        pool = ngx_http_portail_pg_pools[1];

    } else {
        pool = ngx_http_portail_pg_pools[0];
        q->primary = 1;
    }

    if (pool == NULL) {
        q->rc = NGX_HTTP_PORTAIL_PG_UNAVAILABLE;
        return NGX_ERROR;
    }

    q->pg = pool;

    if (pool->stats->waiting >= pool->conf->queue_length) {
        pool->stats->overloads++;
        ngx_log_error(NGX_LOG_WARN, q->log, 0,
                      "portail: database wait queue full (%ui waiting)",
                      pool->stats->waiting);
        q->rc = NGX_HTTP_PORTAIL_PG_OVERLOADED;
        return NGX_ERROR;
    }

    pool->stats->queries++;

    q->start = ngx_current_msec;
    q->start_us = ngx_http_portail_now_us();
    q->queued = 1;
    ngx_queue_insert_tail(&pool->waiting, &q->queue);
    pool->stats->waiting++;

    q->wait.handler = ngx_http_portail_pg_wait_handler;
    q->wait.data = q;
    q->wait.log = q->log;
    ngx_add_timer(&q->wait, pool->conf->queue_timeout);

    ngx_http_portail_pg_dispatch(pool);

    return NGX_OK;
}


static void
ngx_http_portail_pg_unqueue(ngx_http_portail_pg_query_t *q)
{
    if (!q->queued) {
        return;
    }

    ngx_queue_remove(&q->queue);
    q->queued = 0;
    q->pg->stats->waiting--;

    if (q->wait.timer_set) {
        ngx_del_timer(&q->wait);
    }
}


/*
 * Gives waiting queries to idle connections, and opens connections while
 * queries wait and the maximum is not reached.
 */

static void
ngx_http_portail_pg_dispatch(ngx_http_portail_pg_pool_t *pool)
{
    ngx_uint_t                     opening, i;
    ngx_queue_t                   *qq;
    ngx_http_portail_pg_conn_t    *pc;
    ngx_http_portail_pg_query_t   *q;

    while (!ngx_queue_empty(&pool->waiting) && !ngx_queue_empty(&pool->idle)) {

        /* the most recently used connection first: the others may expire */
        qq = ngx_queue_last(&pool->idle);
        pc = ngx_queue_data(qq, ngx_http_portail_pg_conn_t, queue);
        ngx_queue_remove(qq);
        pool->stats->idle--;

        if (ngx_http_portail_pg_alive(pc) != NGX_OK) {
            ngx_log_error(NGX_LOG_INFO, pool->log, 0,
                          "portail: pooled database connection was closed "
                          "by the server, dropped");
            ngx_http_portail_pg_close(pc);
            continue;
        }

        qq = ngx_queue_head(&pool->waiting);
        q = ngx_queue_data(qq, ngx_http_portail_pg_query_t, queue);
        ngx_http_portail_pg_unqueue(q);

        if (ngx_http_portail_pg_send(pc, q) != NGX_OK) {
            /* the query went back to the queue when it could be retried */
            continue;
        }
    }

    if (ngx_queue_empty(&pool->waiting)) {
        return;
    }

    opening = 0;
    for (i = 0; i < pool->conf->max_connections; i++) {
        if (pool->conns[i].used
            && (pool->conns[i].state == NGX_HTTP_PORTAIL_PG_CONNECTING
                || pool->conns[i].state == NGX_HTTP_PORTAIL_PG_PREPARING))
        {
            opening++;
        }
    }

    while (opening < pool->stats->waiting
           && pool->stats->connections < pool->conf->max_connections)
    {
        if (ngx_http_portail_pg_connect(pool) != NGX_OK) {
            break;
        }

        opening++;
    }

    if (pool->stats->connections == 0) {
        /* nothing will ever serve them: fail now, not at the wait timeout */

        while (!ngx_queue_empty(&pool->waiting)) {
            qq = ngx_queue_head(&pool->waiting);
            q = ngx_queue_data(qq, ngx_http_portail_pg_query_t, queue);
            ngx_http_portail_pg_unqueue(q);
            ngx_http_portail_pg_finish(q, NGX_HTTP_PORTAIL_PG_UNAVAILABLE);
        }
    }
}


static ngx_int_t
ngx_http_portail_pg_connect(ngx_http_portail_pg_pool_t *pool)
{
    ngx_uint_t                   i;
    ngx_http_portail_pg_conn_t  *pc;

    pc = NULL;

    for (i = 0; i < pool->conf->max_connections; i++) {
        if (!pool->conns[i].used) {
            pc = &pool->conns[i];
            break;
        }
    }

    if (pc == NULL) {
        return NGX_DECLINED;
    }

    pool->stats->connects++;

    pc->pg = PQconnectStartParams(pool->keywords, pool->values, 0);

    if (pc->pg == NULL || PQstatus(pc->pg) == CONNECTION_BAD) {
        pool->stats->connect_failures++;
        ngx_http_portail_pg_log_error(pool, NGX_LOG_ERR,
                                      "cannot connect to the database",
                                      pc->pg);
        if (pc->pg) {
            PQfinish(pc->pg);
            pc->pg = NULL;
        }
        return NGX_ERROR;
    }

    pc->used = 1;
    pc->state = NGX_HTTP_PORTAIL_PG_CONNECTING;
    pc->query = NULL;
    pc->c = NULL;
    pc->flushing = 0;
    pc->draining = 0;
    ngx_memzero(pc->prepared, pool->statements->nelts + 1);

    pc->timer.handler = ngx_http_portail_pg_timer_handler;
    pc->timer.data = pc;
    pc->timer.log = pool->log;
    pc->timer.cancelable = 0;

    pool->stats->connections++;

    ngx_add_timer(&pc->timer, pool->conf->connect_timeout);

    /* after PQconnectStart, libpq waits as if polling had asked to write */

    if (ngx_http_portail_pg_watch(pc, 0, 1) != NGX_OK) {
        ngx_http_portail_pg_fail(pc, "cannot watch the database socket");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_portail_pg_connect_step(ngx_http_portail_pg_conn_t *pc)
{
    PostgresPollingStatusType  rc;

    /*
     * libpq may close this socket and open another while polling: drop our
     * events while the descriptor is still valid, and watch the new one.
     */

    ngx_http_portail_pg_unwatch(pc);

    rc = PQconnectPoll(pc->pg);

    switch (rc) {

    case PGRES_POLLING_READING:
        if (ngx_http_portail_pg_watch(pc, 1, 0) != NGX_OK) {
            ngx_http_portail_pg_fail(pc, "cannot watch the database socket");
        }
        return;

    case PGRES_POLLING_WRITING:
        if (ngx_http_portail_pg_watch(pc, 0, 1) != NGX_OK) {
            ngx_http_portail_pg_fail(pc, "cannot watch the database socket");
        }
        return;

    case PGRES_POLLING_OK:
        break;

    default: /* PGRES_POLLING_FAILED */
        ngx_http_portail_pg_fail(pc, "cannot connect to the database");
        return;
    }

    if (PQsetnonblocking(pc->pg, 1) != 0
        || PQenterPipelineMode(pc->pg) != 1
        || ngx_http_portail_pg_watch(pc, 1, 0) != NGX_OK)
    {
        ngx_http_portail_pg_fail(pc, "cannot set up the database connection");
        return;
    }

    pc->state = NGX_HTTP_PORTAIL_PG_PREPARING;

    if (ngx_http_portail_pg_setup(pc) != NGX_OK) {
        ngx_http_portail_pg_fail(pc, "cannot prepare the database connection");
    }
}


/*
 * One pipeline: the session settings, then every statement prepared, each
 * behind its own sync point so that a failing one stays alone.
 */

static ngx_int_t
ngx_http_portail_pg_setup(ngx_http_portail_pg_conn_t *pc)
{
    ngx_uint_t                   i, n;
    const char                  *values[1];
    ngx_http_portail_stmt_t    **stmts;
    ngx_http_portail_pg_pool_t  *pool;

    pool = pc->pool;
    values[0] = (const char *) pool->timeout;

    if (!PQsendQueryParams(pc->pg,
             "SELECT set_config('statement_timeout', $1, false),"
             " set_config('search_path', 'portail', false),"
             " set_config('TimeZone', 'Europe/Paris', false),"
             " set_config('DateStyle', 'ISO, DMY', false),"
             " set_config('client_encoding', 'UTF8', false)",
             1, NULL, values, NULL, NULL, 0)
        || !PQpipelineSync(pc->pg))
    {
        return NGX_ERROR;
    }

    stmts = pool->statements->elts;
    n = pool->lazy ? 0 : pool->statements->nelts;

    for (i = 0; i < n; i++) {
        if (!PQsendPrepare(pc->pg, stmts[i]->name, stmts[i]->sql,
                           stmts[i]->nparams, NULL)
            || !PQpipelineSync(pc->pg))
        {
            return NGX_ERROR;
        }
    }

    pc->setup = 0;
    pc->syncs = n + 1;

    return ngx_http_portail_pg_flush(pc);
}


/*
 * A pooled connection the server closed (restart, idle kill) says so with a
 * message or an end of file that may not have been read yet.
 */

static ngx_int_t
ngx_http_portail_pg_alive(ngx_http_portail_pg_conn_t *pc)
{
    u_char     buf[1];
    ssize_t    n;
    ngx_err_t  err;

    if (PQstatus(pc->pg) != CONNECTION_OK) {
        return NGX_ERROR;
    }

    n = recv(PQsocket(pc->pg), buf, 1, MSG_PEEK);

    if (n == -1) {
        err = ngx_socket_errno;
        return (err == NGX_EAGAIN || err == NGX_EINTR) ? NGX_OK : NGX_ERROR;
    }

    /* an idle connection has nothing to say: data is a goodbye message */
    return NGX_ERROR;
}


/*
 * The statements a connection could not prepare when it opened (a lock, a
 * migration applied since) are prepared in the same pipeline, just before
 * they run.  A slot is what one result belongs to: a call (>= 0) or the
 * preparation of a statement (-1 - its index).
 */

static ngx_int_t
ngx_http_portail_pg_send(ngx_http_portail_pg_conn_t *pc,
    ngx_http_portail_pg_query_t *q)
{
    ngx_uint_t                   i;
    ngx_http_portail_stmt_t     *stmt;
    ngx_http_portail_pg_call_t  *call;
    ngx_http_portail_pg_pool_t  *pool;

    pool = pc->pool;

    q->sent_us = ngx_http_portail_now_us();
    ngx_http_portail_metrics_queue_wait(q->sent_us - q->start_us);

    pc->state = NGX_HTTP_PORTAIL_PG_BUSY;
    pc->query = q;
    pc->slot = 0;
    pc->nslots = 0;
    pc->syncs = 1;
    pc->draining = 0;
    pc->c->idle = 0;
    q->conn = pc;
    q->sent = 0;
    pool->stats->busy++;

    if (pc->timer.timer_set) {
        ngx_del_timer(&pc->timer);
    }

    pc->timer.cancelable = 0;

    for (i = 0; i < q->ncalls; i++) {
        call = &q->calls[i];
        stmt = call->stmt;

        if (!pc->prepared[stmt->index]) {
            if (!PQsendPrepare(pc->pg, stmt->name, stmt->sql, stmt->nparams,
                               NULL))
            {
                goto failed;
            }

            pc->slots[pc->nslots++] = -1 - (ngx_int_t) stmt->index;
        }

        if (!PQsendQueryPrepared(pc->pg, stmt->name, call->nparams,
                                 call->values, call->lengths, call->formats,
                                 call->binary))
        {
            goto failed;
        }

        pc->slots[pc->nslots++] = i;
    }

    if (!PQpipelineSync(pc->pg)) {
        goto failed;
    }

    switch (ngx_http_portail_pg_flush(pc)) {

    case NGX_OK:
        q->sent = 1;
        break;

    case NGX_AGAIN:
        break;

    default:
        goto failed;
    }

    ngx_add_timer(&pc->timer, pool->conf->query_timeout);

    return NGX_OK;

failed:

    ngx_http_portail_pg_fail(pc, "cannot send a statement to the database");

    return NGX_ERROR;
}


/* NGX_OK: all sent; NGX_AGAIN: rest sent when writable; NGX_ERROR */

static ngx_int_t
ngx_http_portail_pg_flush(ngx_http_portail_pg_conn_t *pc)
{
    switch (PQflush(pc->pg)) {

    case 0:
        pc->flushing = 0;
        return ngx_http_portail_pg_watch(pc, 1, 0) == NGX_OK
               ? NGX_OK : NGX_ERROR;

    case 1:
        pc->flushing = 1;
        return ngx_http_portail_pg_watch(pc, 1, 1) == NGX_OK
               ? NGX_AGAIN : NGX_ERROR;

    default:
        return NGX_ERROR;
    }
}


static ngx_int_t
ngx_http_portail_pg_watch(ngx_http_portail_pg_conn_t *pc, ngx_uint_t read,
    ngx_uint_t write)
{
    ngx_socket_t       s;
    ngx_connection_t  *c;

    c = pc->c;

    if (c == NULL) {
        s = PQsocket(pc->pg);

        if (s == (ngx_socket_t) -1) {
            return NGX_ERROR;
        }

        c = ngx_get_connection(s, pc->pool->log);
        if (c == NULL) {
            return NGX_ERROR;
        }

        c->data = pc;
        c->read->handler = ngx_http_portail_pg_read_handler;
        c->write->handler = ngx_http_portail_pg_write_handler;
        c->read->log = pc->pool->log;
        c->write->log = pc->pool->log;
        c->log = pc->pool->log;

        pc->c = c;
    }

    /* level-triggered: see the note at the top of this file */

    if (read && !c->read->active) {
        if (ngx_add_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (!read && c->read->active) {
        if (ngx_del_event(c->read, NGX_READ_EVENT, 0) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (write && !c->write->active) {
        if (ngx_add_event(c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (!write && c->write->active) {
        if (ngx_del_event(c->write, NGX_WRITE_EVENT, 0) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* drops our events and connection; libpq keeps and closes the socket */

static void
ngx_http_portail_pg_unwatch(ngx_http_portail_pg_conn_t *pc)
{
    ngx_uint_t         flags;
    ngx_connection_t  *c;

    c = pc->c;

    if (c == NULL) {
        return;
    }

    /*
     * libpq closes its socket itself when it sees the connection lost: the
     * kernel then dropped it from epoll, and the number may already belong
     * to another connection, which a delete would harm.
     */

    flags = (PQsocket(pc->pg) == c->fd) ? 0 : NGX_CLOSE_EVENT;

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, flags);
    }

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, flags);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    c->fd = (ngx_socket_t) -1;
    ngx_free_connection(c);

    pc->c = NULL;
}


static void
ngx_http_portail_pg_read_handler(ngx_event_t *ev)
{
    ngx_connection_t            *c;
    ngx_http_portail_pg_conn_t  *pc;

    c = ev->data;
    pc = c->data;

    if (c->close) {
        /* the worker is exiting and closes idle connections */
        ngx_http_portail_pg_close(pc);
        return;
    }

    if (pc->state == NGX_HTTP_PORTAIL_PG_CONNECTING) {
        ngx_http_portail_pg_connect_step(pc);
        return;
    }

    if (pc->state == NGX_HTTP_PORTAIL_PG_IDLE) {
        /*
         * An idle connection is sent nothing but the server's goodbye
         * (shutdown, restart, idle session killed) or its end of file.
         */
        ngx_queue_remove(&pc->queue);
        pc->pool->stats->idle--;
        ngx_log_error(NGX_LOG_INFO, pc->pool->log, 0,
                      "portail: idle database connection closed by the "
                      "server");
        ngx_http_portail_pg_close(pc);
        return;
    }

    if (!PQconsumeInput(pc->pg)) {
        ngx_http_portail_pg_fail(pc, "database connection lost");
        return;
    }

    if (pc->flushing && ngx_http_portail_pg_flush(pc) == NGX_ERROR) {
        ngx_http_portail_pg_fail(pc, "database connection lost");
        return;
    }

    switch (pc->state) {

    case NGX_HTTP_PORTAIL_PG_PREPARING:
        ngx_http_portail_pg_read_setup(pc);
        return;

    case NGX_HTTP_PORTAIL_PG_BUSY:
        ngx_http_portail_pg_read_results(pc);
        return;

    default:
        return;
    }
}


static void
ngx_http_portail_pg_write_handler(ngx_event_t *ev)
{
    ngx_int_t                    rc;
    ngx_connection_t            *c;
    ngx_http_portail_pg_conn_t  *pc;

    c = ev->data;
    pc = c->data;

    if (pc->state == NGX_HTTP_PORTAIL_PG_CONNECTING) {
        ngx_http_portail_pg_connect_step(pc);
        return;
    }

    if (!pc->flushing) {
        (void) ngx_http_portail_pg_watch(pc, 1, 0);
        return;
    }

    rc = ngx_http_portail_pg_flush(pc);

    if (rc == NGX_ERROR) {
        ngx_http_portail_pg_fail(pc, "database connection lost");
        return;
    }

    if (rc == NGX_OK && pc->query) {
        pc->query->sent = 1;
    }
}


static void
ngx_http_portail_pg_read_setup(ngx_http_portail_pg_conn_t *pc)
{
    PGresult                    *res;
    ExecStatusType               status;
    ngx_http_portail_stmt_t    **stmts;
    ngx_http_portail_pg_pool_t  *pool;

    pool = pc->pool;
    stmts = pool->statements->elts;

    while (pc->syncs) {

        if (PQisBusy(pc->pg)) {
            return;
        }

        res = PQgetResult(pc->pg);

        if (res == NULL) {
            continue;
        }

        status = PQresultStatus(res);

        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            pc->setup++;
            pc->syncs--;
            continue;
        }

        if (pc->setup == 0) {
            if (status != PGRES_TUPLES_OK) {
                ngx_log_error(NGX_LOG_ERR, pool->log, 0,
                              "portail: database session settings failed: %s",
                              PQresultErrorMessage(res));
                PQclear(res);
                ngx_http_portail_pg_fail(pc, NULL);
                return;
            }

        } else if (status == PGRES_COMMAND_OK) {
            pc->prepared[stmts[pc->setup - 1]->index] = 1;

        } else {
            /* tried again when a request needs it */
            ngx_log_error(NGX_LOG_WARN, pool->log, 0,
                          "portail: statement \"%s\" cannot be prepared yet "
                          "(is the schema migrated?): %s",
                          stmts[pc->setup - 1]->name,
                          PQresultErrorMessage(res));
        }

        PQclear(res);
    }

    ngx_log_error(NGX_LOG_INFO, pool->log, 0,
                  "portail: database connection ready");

    if (pc->timer.timer_set) {
        ngx_del_timer(&pc->timer);
    }

    pc->state = NGX_HTTP_PORTAIL_PG_BUSY;
    pool->stats->busy++;

    ngx_http_portail_pg_release(pc);
}


static void
ngx_http_portail_pg_read_results(ngx_http_portail_pg_conn_t *pc)
{
    char                         *state;
    PGresult                     *res;
    ngx_int_t                     slot;
    ngx_uint_t                    index;
    ExecStatusType                status;
    ngx_http_portail_stmt_t     **stmts;
    ngx_http_portail_pg_query_t  *q;

    stmts = pc->pool->statements->elts;

    while (pc->syncs) {

        if (PQisBusy(pc->pg)) {
            return;
        }

        res = PQgetResult(pc->pg);
        q = pc->query;

        if (res == NULL) {
            /* end of one slot's results */
            pc->slot++;
            continue;
        }

        status = PQresultStatus(res);

        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            pc->syncs--;
            continue;
        }

        slot = (pc->slot < pc->nslots) ? pc->slots[pc->slot] : 0;

        if (slot < 0) {
            /* a statement prepared on the way */
            index = (ngx_uint_t) (-1 - slot);

            if (status == PGRES_COMMAND_OK) {
                pc->prepared[index] = 1;

            } else if (status == PGRES_FATAL_ERROR) {
                ngx_log_error(NGX_LOG_ERR, pc->pool->log, 0,
                              "portail: statement \"%s\" cannot be prepared: "
                              "%s", stmts[index]->name,
                              PQresultErrorMessage(res));
            }

            PQclear(res);
            continue;
        }

        if (q == NULL || pc->slot >= pc->nslots) {
            /* the query was abandoned (timeout, client gone): drain */
            PQclear(res);
            continue;
        }

        if (status == PGRES_FATAL_ERROR) {
            state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

            if (state && q->sqlstate[0] == '\0') {
                ngx_cpystrn(q->sqlstate, (u_char *) state, 6);
            }

            if (q->rc == NGX_HTTP_PORTAIL_PG_OK) {
                q->rc = (state && ngx_strcmp(state, "57014") == 0)
                        ? NGX_HTTP_PORTAIL_PG_TIMEOUT
                        : NGX_HTTP_PORTAIL_PG_FAILED;

                ngx_log_error(NGX_LOG_ERR, q->log, 0,
                              "portail: statement \"%s\" failed: %s",
                              q->calls[slot].stmt->name,
                              PQresultErrorMessage(res));
            }

        } else if (status == PGRES_PIPELINE_ABORTED) {
            if (q->rc == NGX_HTTP_PORTAIL_PG_OK) {
                q->rc = NGX_HTTP_PORTAIL_PG_FAILED;
            }
        }

        if (q->results[slot]) {
            PQclear(q->results[slot]);
        }

        q->results[slot] = res;
    }

    /* the pipeline is complete */

    q = pc->query;

    if (pc->timer.timer_set) {
        ngx_del_timer(&pc->timer);
    }

    ngx_http_portail_pg_release(pc);

    if (q) {
        ngx_http_portail_metrics_query_time(ngx_http_portail_now_us()
                                            - q->sent_us);

        if (q->rc == NGX_HTTP_PORTAIL_PG_TIMEOUT) {
            pc->pool->stats->timeouts++;

        } else if (q->rc != NGX_HTTP_PORTAIL_PG_OK) {
            pc->pool->stats->failures++;
        }

        ngx_http_portail_pg_finish(q, q->rc);
    }
}


/* a connection whose pipeline is complete serves the next query or idles */

static void
ngx_http_portail_pg_release(ngx_http_portail_pg_conn_t *pc)
{
    ngx_http_portail_pg_pool_t  *pool;

    pool = pc->pool;

    if (pc->query) {
        pc->query->conn = NULL;
        pc->query = NULL;
    }

    pool->stats->busy--;
    pc->state = NGX_HTTP_PORTAIL_PG_IDLE;
    pc->draining = 0;

    if (PQstatus(pc->pg) != CONNECTION_OK
        || PQpipelineStatus(pc->pg) != PQ_PIPELINE_ON
        || (ngx_exiting && ngx_queue_empty(&pool->waiting)))
    {
        ngx_http_portail_pg_close(pc);
        ngx_http_portail_pg_dispatch(pool);
        return;
    }

    ngx_queue_insert_tail(&pool->idle, &pc->queue);
    pool->stats->idle++;

    pc->c->idle = 1;
    pc->timer.cancelable = 1;

    if (pc->timer.timer_set) {
        ngx_del_timer(&pc->timer);
    }

    ngx_add_timer(&pc->timer, pool->conf->keepalive_timeout);

    ngx_http_portail_pg_dispatch(pool);
}


static void
ngx_http_portail_pg_timer_handler(ngx_event_t *ev)
{
    ngx_http_portail_pg_conn_t   *pc;
    ngx_http_portail_pg_query_t  *q;

    pc = ev->data;

    switch (pc->state) {

    case NGX_HTTP_PORTAIL_PG_CONNECTING:
    case NGX_HTTP_PORTAIL_PG_PREPARING:
        ngx_http_portail_pg_fail(pc, "database connection timed out");
        return;

    case NGX_HTTP_PORTAIL_PG_IDLE:
        ngx_queue_remove(&pc->queue);
        pc->pool->stats->idle--;
        ngx_http_portail_pg_close(pc);
        return;

    default: /* NGX_HTTP_PORTAIL_PG_BUSY */

        if (pc->draining) {
            ngx_log_error(NGX_LOG_WARN, pc->pool->log, 0,
                          "portail: the database did not end a timed out "
                          "statement, connection closed");
            ngx_http_portail_pg_fail(pc, NULL);
            return;
        }

        /*
         * Answer now; the server cancels the statement itself (its
         * statement_timeout is ours) and the connection is reused once it
         * has said so.
         */

        pc->draining = 1;
        ngx_add_timer(&pc->timer, NGX_HTTP_PORTAIL_PG_DRAIN_TIME);

        q = pc->query;

        if (q == NULL) {
            /* abandoned by its client already */
            return;
        }

        pc->query = NULL;
        q->conn = NULL;

        ngx_log_error(NGX_LOG_ERR, q->log, 0,
                      "portail: statement \"%s\" timed out after %Mms",
                      q->calls[0].stmt->name, pc->pool->conf->query_timeout);

        pc->pool->stats->timeouts++;
        ngx_http_portail_pg_finish(q, NGX_HTTP_PORTAIL_PG_TIMEOUT);
        return;
    }
}


static void
ngx_http_portail_pg_wait_handler(ngx_event_t *ev)
{
    ngx_http_portail_pg_query_t  *q;

    q = ev->data;

    ngx_log_error(NGX_LOG_WARN, q->log, 0,
                  "portail: no database connection free after %Mms",
                  ngx_current_msec - q->start);

    ngx_http_portail_pg_unqueue(q);
    q->pg->stats->overloads++;
    ngx_http_portail_pg_finish(q, NGX_HTTP_PORTAIL_PG_OVERLOADED);
}


/*
 * The connection is unusable.  Its query is retried once elsewhere when
 * nothing of it can have run (its sync point never left), otherwise it is
 * answered "unavailable": we never run a statement twice.
 */

static void
ngx_http_portail_pg_fail(ngx_http_portail_pg_conn_t *pc, const char *why)
{
    ngx_queue_t                  *qq;
    ngx_uint_t                    connecting;
    ngx_http_portail_pg_pool_t   *pool;
    ngx_http_portail_pg_query_t  *q, *w;

    pool = pc->pool;
    q = pc->query;

    connecting = (pc->state == NGX_HTTP_PORTAIL_PG_CONNECTING
                  || pc->state == NGX_HTTP_PORTAIL_PG_PREPARING);

    if (connecting) {
        pool->stats->connect_failures++;
    }

    if (why) {
        ngx_http_portail_pg_log_error(pool, NGX_LOG_ERR, why, pc->pg);
    }

    if (q) {
        pc->query = NULL;
        q->conn = NULL;
    }

    ngx_http_portail_pg_close(pc);

    if (q) {
        if (!q->sent && q->retries == 0) {
            q->retries++;
            q->queued = 1;
            ngx_queue_insert_head(&pool->waiting, &q->queue);
            pool->stats->waiting++;
            ngx_add_timer(&q->wait, pool->conf->queue_timeout);

        } else {
            pool->stats->failures++;
            ngx_http_portail_pg_finish(q, NGX_HTTP_PORTAIL_PG_UNAVAILABLE);
        }
    }

    if (!connecting) {
        /* a connection died: others may be opened for the waiting queries */
        ngx_http_portail_pg_dispatch(pool);
        return;
    }

    /*
     * Opening failed: the server is down or refuses us.  Opening again for
     * the same queries would spin until their wait ends; they are answered
     * now unless another connection may still serve them.
     */

    if (pool->stats->connections > 0) {
        return;
    }

    while (!ngx_queue_empty(&pool->waiting)) {
        qq = ngx_queue_head(&pool->waiting);
        w = ngx_queue_data(qq, ngx_http_portail_pg_query_t, queue);
        ngx_http_portail_pg_unqueue(w);
        ngx_http_portail_pg_finish(w, NGX_HTTP_PORTAIL_PG_UNAVAILABLE);
    }
}


/* frees the connection's slot; the caller took it off the idle queue */

static void
ngx_http_portail_pg_close(ngx_http_portail_pg_conn_t *pc)
{
    if (!pc->used) {
        return;
    }

    if (pc->timer.timer_set) {
        ngx_del_timer(&pc->timer);
    }

    if (pc->state == NGX_HTTP_PORTAIL_PG_BUSY) {
        pc->pool->stats->busy--;
    }

    if (pc->query) {
        pc->query->conn = NULL;
        pc->query = NULL;
    }

    ngx_http_portail_pg_unwatch(pc);

    if (pc->pg) {
        PQfinish(pc->pg);
        pc->pg = NULL;
    }

    pc->used = 0;
    pc->pool->stats->connections--;
}


static void
ngx_http_portail_pg_finish(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_rc_e rc)
{
    q->rc = rc;

    if (q->handler) {
        q->handler(q);
    }
}


/*
 * The owner's pool goes away (request finished or its client left): a
 * query still waiting leaves the queue; one in flight is abandoned and its
 * connection drains the results before serving again.
 */

static void
ngx_http_portail_pg_query_cleanup(void *data)
{
    ngx_http_portail_pg_query_t *q = data;

    ngx_uint_t  i;

    ngx_http_portail_pg_unqueue(q);

    if (q->conn) {
        q->conn->query = NULL;
        q->conn = NULL;
    }

    for (i = 0; i < NGX_HTTP_PORTAIL_PG_MAX_CALLS; i++) {
        if (q->results[i]) {
            PQclear(q->results[i]);
            q->results[i] = NULL;
        }
    }
}


/* connection errors are logged at most once a second: an outage is loud */

static void
ngx_http_portail_pg_log_error(ngx_http_portail_pg_pool_t *pool,
    ngx_uint_t level, const char *what, PGconn *pg)
{
    u_char  *msg, *p;
    size_t   len;

    if (pool->logged == ngx_time()) {
        return;
    }

    pool->logged = ngx_time();

    msg = (u_char *) (pg ? PQerrorMessage(pg) : "out of memory");
    len = ngx_strlen(msg);

    /* libpq ends its messages with a new line, sometimes several */
    for (p = msg; len && (msg[len - 1] == '\n' || msg[len - 1] == ' '); len--)
    {
        /* void */
    }

    ngx_log_error(level, pool->log, 0, "portail: %s: %*s", what, len, p);
}
