
/*
 * Metrics in Prometheus' text format (portail_metrics), for ops.
 *
 * What the node sees is counted in shared memory by every worker: API
 * requests by section and status, sign-ins by outcome, the database pools
 * (one slot per worker), the time requests waited for a connection and
 * the time statements took.  What the cluster knows is read from
 * PostgreSQL when scraped: the e-mail outbox and card payments, which any
 * node may have handled.  docs/metrics.md describes each metric.
 */


#include "ngx_http_portail_core.h"


#define NGX_HTTP_PORTAIL_SECTIONS   32
#define NGX_HTTP_PORTAIL_WORKERS    64
#define NGX_HTTP_PORTAIL_BUCKETS    12


static ngx_uint_t  ngx_http_portail_statuses[] = {
    200, 201, 202, 204, 206, 302, 304, 400, 401, 403, 404, 405, 409, 410,
    413, 414, 415, 422, 429, 499, 500, 502, 503, 504, 0
};

#define NGX_HTTP_PORTAIL_STATUSES                                             \
    (sizeof(ngx_http_portail_statuses) / sizeof(ngx_uint_t))


/* seconds, as Prometheus wants; in microseconds here */
static ngx_msec_int_t  ngx_http_portail_buckets[NGX_HTTP_PORTAIL_BUCKETS] = {
    250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
    1000000, 5000000
};


typedef struct {
    ngx_atomic_t                      count[NGX_HTTP_PORTAIL_BUCKETS + 1];
    ngx_atomic_t                      sum;        /* microseconds */
} ngx_http_portail_histogram_t;


typedef struct {
    ngx_atomic_t                      pid;
    ngx_http_portail_pg_stats_t       pool;
    ngx_http_portail_standby_stats_t  standby;
} ngx_http_portail_worker_slot_t;


typedef struct {
    ngx_atomic_t                      requests[NGX_HTTP_PORTAIL_SECTIONS]
                                              [NGX_HTTP_PORTAIL_STATUSES];
    ngx_atomic_t                      signins[3];
    ngx_atomic_t                      card_duplicates;
    ngx_atomic_t                      mails_throttled;
    ngx_http_portail_histogram_t      queue_wait;
    ngx_http_portail_histogram_t      query_time;
    ngx_http_portail_worker_slot_t    workers[NGX_HTTP_PORTAIL_WORKERS];
} ngx_http_portail_metrics_shm_t;


static ngx_int_t ngx_http_portail_metrics_init_zone(ngx_shm_zone_t *zone,
    void *data);
static ngx_int_t ngx_http_portail_metrics_log(ngx_http_request_t *r);
static ngx_int_t ngx_http_portail_metrics_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static u_char *ngx_http_portail_metrics_standby(u_char *p,
    ngx_http_portail_metrics_shm_t *m);
static void ngx_http_portail_histogram_add(ngx_http_portail_histogram_t *h,
    ngx_msec_int_t us);


static ngx_http_portail_metrics_shm_t  *ngx_http_portail_metrics;

/* section names, from the routes' first path segment after /api/ */
static ngx_str_t   ngx_http_portail_sections[NGX_HTTP_PORTAIL_SECTIONS];
static ngx_uint_t  ngx_http_portail_nsections;


static ngx_http_portail_stmt_t  ngx_http_portail_metrics_stmts[] = {

    /* what the cluster knows, for the whole of it */
    { "metriques",
      "SELECT"
      " (SELECT count(*) FROM portail.courriel"
      "  WHERE envoye_le IS NULL AND abandonne_le IS NULL),"
      " (SELECT count(*) FROM portail.courriel WHERE abandonne_le IS NOT NULL),"
      " (SELECT count(*) FROM portail.courriel"
      "  WHERE envoye_le IS NULL AND abandonne_le IS NULL AND essais > 0),"
      " (SELECT coalesce(string_agg(format("
      "  'portail_card_payments{outcome=\"%s\"} %s', statut, n), E'\\n'"
      "  ORDER BY statut), '')"
      "  FROM (SELECT statut, count(*) AS n FROM portail.paiement_carte"
      "  GROUP BY statut) s)",
      0, 0 }
};


/* the section of a path: "/api/contrats/{}/occupants" is "contrats" */

static void
ngx_http_portail_section_of(const ngx_str_t *path, ngx_str_t *name)
{
    u_char  *p, *end;

    p = path->data + sizeof("/api/") - 1;
    end = path->data + path->len;

    name->data = p;
    while (p < end && *p != '/') {
        p++;
    }
    name->len = p - name->data;
}


static ngx_uint_t
ngx_http_portail_section_index(ngx_str_t *name)
{
    ngx_uint_t  i;

    for (i = 0; i < ngx_http_portail_nsections; i++) {
        if (ngx_http_portail_sections[i].len == name->len
            && ngx_strncmp(ngx_http_portail_sections[i].data, name->data,
                           name->len) == 0)
        {
            break;
        }
    }

    return i;
}


/* the sections' names, from each table of routes as it is added */

ngx_int_t
ngx_http_portail_metrics_sections(ngx_conf_t *cf,
    ngx_http_portail_route_t *routes)
{
    ngx_str_t                  name;
    ngx_uint_t                 i;
    ngx_http_portail_route_t  *route;

    for (route = routes; route->handler; route++) {
        ngx_http_portail_section_of(&route->path, &name);

        i = ngx_http_portail_section_index(&name);

        if (i < ngx_http_portail_nsections) {
            continue;
        }

        if (i == NGX_HTTP_PORTAIL_SECTIONS) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portail: too many API sections");
            return NGX_ERROR;
        }

        ngx_http_portail_sections[i] = name;
        ngx_http_portail_nsections++;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_portail_metrics_init(ngx_conf_t *cf)
{
    ngx_str_t                   name;
    ngx_shm_zone_t             *zone;
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    if (ngx_http_portail_pg_register(cf, ngx_http_portail_metrics_stmts, 1)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_set(&name, "portail_metrics");

    zone = ngx_shared_memory_add(cf, &name,
                                 ngx_align(sizeof(
                                     ngx_http_portail_metrics_shm_t)
                                     + 8 * ngx_pagesize, ngx_pagesize),
                                 &ngx_http_portail_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }

    zone->init = ngx_http_portail_metrics_init_zone;
    zone->noreuse = 1;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_portail_metrics_log;

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_metrics_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_slab_pool_t  *shpool;

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    ngx_http_portail_metrics = ngx_slab_calloc(shpool,
                                      sizeof(ngx_http_portail_metrics_shm_t));

    return ngx_http_portail_metrics ? NGX_OK : NGX_ERROR;
}


/* the pool's gauges and counters live in this worker's slot */

ngx_http_portail_pg_stats_t *
ngx_http_portail_metrics_pool_slot(void)
{
    ngx_http_portail_worker_slot_t  *slot;

    if (ngx_http_portail_metrics == NULL
        || ngx_worker >= NGX_HTTP_PORTAIL_WORKERS)
    {
        return NULL;
    }

    slot = &ngx_http_portail_metrics->workers[ngx_worker];

    ngx_memzero(slot, sizeof(ngx_http_portail_worker_slot_t));
    slot->pid = ngx_pid;

    return &slot->pool;
}


/* called after ngx_http_portail_metrics_pool_slot(), which cleared it */

ngx_http_portail_standby_stats_t *
ngx_http_portail_metrics_standby_slot(void)
{
    if (ngx_http_portail_metrics == NULL
        || ngx_worker >= NGX_HTTP_PORTAIL_WORKERS)
    {
        return NULL;
    }

    return &ngx_http_portail_metrics->workers[ngx_worker].standby;
}


void
ngx_http_portail_metrics_signin(ngx_uint_t outcome)
{
    if (ngx_http_portail_metrics && outcome < 3) {
        (void) ngx_atomic_fetch_add(&ngx_http_portail_metrics->signins[outcome],
                                    1);
    }
}


/* a second transaction notified for an order already paid */

void
ngx_http_portail_metrics_card_duplicate(void)
{
    if (ngx_http_portail_metrics) {
        (void) ngx_atomic_fetch_add(
                   &ngx_http_portail_metrics->card_duplicates, 1);
    }
}


void
ngx_http_portail_metrics_mail_throttled(void)
{
    if (ngx_http_portail_metrics) {
        (void) ngx_atomic_fetch_add(
                   &ngx_http_portail_metrics->mails_throttled, 1);
    }
}


void
ngx_http_portail_metrics_queue_wait(ngx_msec_int_t us)
{
    if (ngx_http_portail_metrics) {
        ngx_http_portail_histogram_add(&ngx_http_portail_metrics->queue_wait,
                                       us);
    }
}


void
ngx_http_portail_metrics_query_time(ngx_msec_int_t us)
{
    if (ngx_http_portail_metrics) {
        ngx_http_portail_histogram_add(&ngx_http_portail_metrics->query_time,
                                       us);
    }
}


static void
ngx_http_portail_histogram_add(ngx_http_portail_histogram_t *h,
    ngx_msec_int_t us)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_PORTAIL_BUCKETS; i++) {
        if (us <= ngx_http_portail_buckets[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&h->count[i], 1);
    (void) ngx_atomic_fetch_add(&h->sum, us < 0 ? 0 : us);
}


static ngx_int_t
ngx_http_portail_metrics_log(ngx_http_request_t *r)
{
    ngx_str_t                name;
    ngx_uint_t               i, section, status;
    ngx_http_portail_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    if (ctx == NULL || ctx->route == NULL || ngx_http_portail_metrics == NULL
        || r != r->main)
    {
        return NGX_OK;
    }

    status = r->err_status ? (ngx_uint_t) r->err_status
                           : r->headers_out.status;

    for (i = 0; ngx_http_portail_statuses[i]; i++) {
        if (ngx_http_portail_statuses[i] == status) {
            break;
        }
    }

    ngx_http_portail_section_of(&ctx->route->path, &name);
    section = ngx_http_portail_section_index(&name);

    if (section < ngx_http_portail_nsections) {
        (void) ngx_atomic_fetch_add(
                           &ngx_http_portail_metrics->requests[section][i], 1);
    }

    return NGX_OK;
}


/* GET on a location with portail_metrics */

ngx_int_t
ngx_http_portail_metrics_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_portail_ctx_t       *ctx;
    ngx_http_portail_pg_query_t  *q;

    if (r->method != NGX_HTTP_GET && r->method != NGX_HTTP_HEAD) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_portail_module);

    if (ngx_http_portail_request_call(r, &ngx_http_portail_metrics_stmts[0],
                                      &q)
        == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the node's metrics are worth having when the database is down */
    ctx->own_errors = 1;

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_metrics_done);
}


static u_char *
ngx_http_portail_metrics_histogram(u_char *p, const char *name,
    const char *help, ngx_http_portail_histogram_t *h)
{
    ngx_uint_t      i;
    ngx_atomic_uint_t  total;

    p = ngx_sprintf(p, "# HELP %s %s\n# TYPE %s histogram\n", name, help,
                    name);

    total = 0;

    for (i = 0; i < NGX_HTTP_PORTAIL_BUCKETS; i++) {
        total += h->count[i];
        p = ngx_sprintf(p, "%s_bucket{le=\"%i.%06i\"} %uA\n", name,
                        ngx_http_portail_buckets[i] / 1000000,
                        ngx_http_portail_buckets[i] % 1000000, total);
    }

    total += h->count[NGX_HTTP_PORTAIL_BUCKETS];

    return ngx_sprintf(p, "%s_bucket{le=\"+Inf\"} %uA\n%s_sum %uA.%06uA\n"
                          "%s_count %uA\n",
                       name, total, name, h->sum / 1000000, h->sum % 1000000,
                       name, total);
}


/* portail_database_standby: where lag-tolerant reads went, and its lag */

static u_char *
ngx_http_portail_metrics_standby(u_char *p, ngx_http_portail_metrics_shm_t *m)
{
    ngx_uint_t                       i;
    ngx_atomic_uint_t                reads, fallbacks;
    ngx_http_portail_worker_slot_t  *w;

    for (i = 0, reads = 0, fallbacks = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        reads += m->workers[i].standby.reads;
        fallbacks += m->workers[i].standby.fallbacks;
    }

    p = ngx_sprintf(p,
           "# HELP portail_db_standby_reads_total Lag-tolerant reads sent to "
           "the standby, by who answered.\n"
           "# TYPE portail_db_standby_reads_total counter\n"
           "portail_db_standby_reads_total{answered_by=\"standby\"} %uA\n"
           "portail_db_standby_reads_total{answered_by=\"primary\"} %uA\n",
           reads, fallbacks);

    p = ngx_sprintf(p,
           "# HELP portail_db_standby_usable Whether the standby was within "
           "portail_database_standby_max_lag at the last measure.\n"
           "# TYPE portail_db_standby_usable gauge\n");
    for (i = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        w = &m->workers[i];
        if (w->pid && w->standby.configured) {
            p = ngx_sprintf(p, "portail_db_standby_usable{worker=\"%ui\"} "
                               "%ui\n", i, w->standby.usable);
        }
    }

    p = ngx_sprintf(p,
           "# HELP portail_db_standby_lag_seconds The standby's replay lag "
           "at the last measure that succeeded.\n"
           "# TYPE portail_db_standby_lag_seconds gauge\n");
    for (i = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        w = &m->workers[i];
        if (w->pid && w->standby.configured) {
            p = ngx_sprintf(p, "portail_db_standby_lag_seconds{worker=\"%ui\"}"
                               " %uA.%03uA\n", i, w->standby.lag / 1000,
                            w->standby.lag % 1000);
        }
    }

    return p;
}


static ngx_int_t
ngx_http_portail_metrics_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                          *out, *p;
    size_t                           size;
    ngx_int_t                        rc;
    ngx_str_t                        v[4];
    ngx_uint_t                       i, j, db;
    ngx_atomic_uint_t                n;
    ngx_http_portail_metrics_shm_t  *m;
    ngx_http_portail_worker_slot_t  *w;

    static const char  *signins[] = { "ok", "failed", "throttled" };

    m = ngx_http_portail_metrics;

    size = 16384 + NGX_HTTP_PORTAIL_SECTIONS * NGX_HTTP_PORTAIL_STATUSES * 96
           + NGX_HTTP_PORTAIL_WORKERS * 900;

    out = ngx_pnalloc(r->pool, size);
    if (out == NULL || m == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = out;

    p = ngx_sprintf(p, "# HELP portail_http_requests_total API requests "
                       "answered, by section and status.\n"
                       "# TYPE portail_http_requests_total counter\n");

    for (i = 0; i < ngx_http_portail_nsections; i++) {
        for (j = 0; j < NGX_HTTP_PORTAIL_STATUSES; j++) {
            n = m->requests[i][j];

            if (n == 0) {
                continue;
            }

            if (ngx_http_portail_statuses[j]) {
                p = ngx_sprintf(p, "portail_http_requests_total{section=\"%V\""
                                   ",status=\"%ui\"} %uA\n",
                                &ngx_http_portail_sections[i],
                                ngx_http_portail_statuses[j], n);
            } else {
                p = ngx_sprintf(p, "portail_http_requests_total{section=\"%V\""
                                   ",status=\"other\"} %uA\n",
                                &ngx_http_portail_sections[i], n);
            }
        }
    }

    p = ngx_sprintf(p, "# HELP portail_signins_total Sign-in attempts by "
                       "outcome.\n# TYPE portail_signins_total counter\n");

    for (i = 0; i < 3; i++) {
        p = ngx_sprintf(p, "portail_signins_total{outcome=\"%s\"} %uA\n",
                        signins[i], m->signins[i]);
    }

    p = ngx_sprintf(p, "# HELP portail_card_payment_duplicates_total "
                       "Notifications of a second transaction for an order "
                       "already paid (a tenant charged twice: see the "
                       "journal).\n"
                       "# TYPE portail_card_payment_duplicates_total counter\n"
                       "portail_card_payment_duplicates_total %uA\n",
                    m->card_duplicates);

    p = ngx_sprintf(p, "# HELP portail_mails_throttled_total Requests "
                       "answered as usual but whose e-mail was kept back by "
                       "the portail_mail_max_per_* limits.\n"
                       "# TYPE portail_mails_throttled_total counter\n"
                       "portail_mails_throttled_total %uA\n",
                    m->mails_throttled);

    p = ngx_sprintf(p,
           "# HELP portail_db_connections Database connections of a worker, "
           "open or opening.\n# TYPE portail_db_connections gauge\n");
    for (i = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        w = &m->workers[i];
        if (w->pid) {
            p = ngx_sprintf(p, "portail_db_connections{worker=\"%ui\"} %ui\n",
                            i, w->pool.connections);
        }
    }

    p = ngx_sprintf(p,
           "# HELP portail_db_connections_busy Connections running a query.\n"
           "# TYPE portail_db_connections_busy gauge\n");
    for (i = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        w = &m->workers[i];
        if (w->pid) {
            p = ngx_sprintf(p, "portail_db_connections_busy{worker=\"%ui\"} "
                               "%ui\n", i, w->pool.busy);
        }
    }

    p = ngx_sprintf(p,
           "# HELP portail_db_connections_idle Connections kept for reuse.\n"
           "# TYPE portail_db_connections_idle gauge\n");
    for (i = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        w = &m->workers[i];
        if (w->pid) {
            p = ngx_sprintf(p, "portail_db_connections_idle{worker=\"%ui\"} "
                               "%ui\n", i, w->pool.idle);
        }
    }

    p = ngx_sprintf(p,
           "# HELP portail_db_waiting Requests waiting for a connection.\n"
           "# TYPE portail_db_waiting gauge\n");
    for (i = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        w = &m->workers[i];
        if (w->pid) {
            p = ngx_sprintf(p, "portail_db_waiting{worker=\"%ui\"} %ui\n",
                            i, w->pool.waiting);
        }
    }

    p = ngx_sprintf(p,
           "# HELP portail_db_connections_max portail_database_max_connections."
           "\n# TYPE portail_db_connections_max gauge\n");
    for (i = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        w = &m->workers[i];
        if (w->pid) {
            p = ngx_sprintf(p, "portail_db_connections_max{worker=\"%ui\"} "
                               "%ui\n", i, w->pool.max_connections);
        }
    }

    p = ngx_sprintf(p,
           "# HELP portail_db_queries_total Queries asked of the pool.\n"
           "# TYPE portail_db_queries_total counter\n");
    for (i = 0, n = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        n += m->workers[i].pool.queries;
    }
    p = ngx_sprintf(p, "portail_db_queries_total %uA\n", n);

    p = ngx_sprintf(p,
           "# HELP portail_db_errors_total Queries that failed, by reason.\n"
           "# TYPE portail_db_errors_total counter\n");
    for (j = 0; j < 4; j++) {
        for (i = 0, n = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
            w = &m->workers[i];
            n += (j == 0) ? w->pool.failures
                 : (j == 1) ? w->pool.timeouts
                 : (j == 2) ? w->pool.overloads
                 : w->pool.connect_failures;
        }
        p = ngx_sprintf(p, "portail_db_errors_total{reason=\"%s\"} %uA\n",
                        (j == 0) ? "failed" : (j == 1) ? "timeout"
                        : (j == 2) ? "overloaded" : "connect", n);
    }

    for (i = 0, db = 0; i < NGX_HTTP_PORTAIL_WORKERS; i++) {
        db |= (m->workers[i].pid && m->workers[i].standby.configured);
    }

    if (db) {
        p = ngx_http_portail_metrics_standby(p, m);
    }

    p = ngx_http_portail_metrics_histogram(p,
              "portail_db_queue_wait_seconds",
              "Time requests waited for a database connection.",
              &m->queue_wait);

    p = ngx_http_portail_metrics_histogram(p,
              "portail_db_query_seconds",
              "Time from sending statements to their last result.",
              &m->query_time);

    /* the cluster's view, when the database answered */

    db = (ctx->query->rc == NGX_HTTP_PORTAIL_PG_OK);

    p = ngx_sprintf(p, "# HELP portail_db_up Whether this scrape could "
                       "read the database.\n# TYPE portail_db_up gauge\n"
                       "portail_db_up %ui\n", db);

    if (db) {
        for (i = 0; i < 4; i++) {
            if (ngx_http_portail_pg_value(ctx->query, 0, 0, i, &v[i])
                != NGX_OK)
            {
                ngx_str_set(&v[i], "0");
            }
        }

        p = ngx_sprintf(p,
               "# HELP portail_mail_outbox_backlog E-mails waiting to be "
               "sent.\n# TYPE portail_mail_outbox_backlog gauge\n"
               "portail_mail_outbox_backlog %V\n"
               "# HELP portail_mail_abandoned E-mails the relay refused for "
               "good.\n# TYPE portail_mail_abandoned gauge\n"
               "portail_mail_abandoned %V\n"
               "# HELP portail_mail_retrying E-mails waiting after a failed "
               "attempt.\n# TYPE portail_mail_retrying gauge\n"
               "portail_mail_retrying %V\n",
               &v[0], &v[1], &v[2]);

        p = ngx_sprintf(p,
               "# HELP portail_card_payments Card payments by outcome.\n"
               "# TYPE portail_card_payments gauge\n%V%s",
               &v[3], v[3].len ? "\n" : "");
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = p - out;
    ngx_str_set(&r->headers_out.content_type,
                "text/plain; version=0.0.4; charset=utf-8");

    if (ngx_http_portail_set_no_store(r) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    {
        ngx_buf_t    *b;
        ngx_chain_t   cl;

        b = ngx_calloc_buf(r->pool);
        if (b == NULL) {
            return NGX_ERROR;
        }

        b->pos = out;
        b->last = p;
        b->memory = 1;
        b->last_buf = 1;

        cl.buf = b;
        cl.next = NULL;

        return ngx_http_output_filter(r, &cl);
    }
}
