
/*
 * portail: directives, configuration, the API router, and the glue between
 * requests and the database pool.
 */


#include "ngx_http_portail.h"


static ngx_int_t ngx_http_portail_api_handler(ngx_http_request_t *r);
static const ngx_http_portail_route_t *ngx_http_portail_route(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx, ngx_str_t *allow);
static ngx_int_t ngx_http_portail_not_allowed(ngx_http_request_t *r,
    ngx_str_t *allow);
static void ngx_http_portail_query_done(ngx_http_portail_pg_query_t *q);
static ngx_uint_t ngx_http_portail_query_again(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_query_run(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_pg_query_t *q,
    ngx_http_portail_handler_pt next);
static ngx_int_t ngx_http_portail_query_standby(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_pg_query_t *q,
    ngx_http_portail_handler_pt next);
static void ngx_http_portail_query_checked(
    ngx_http_portail_pg_query_t *check);
static void ngx_http_portail_check_broken(ngx_http_request_t *r);

static void *ngx_http_portail_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_portail_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_portail_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_portail_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_portail_api(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_api_errors(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_smtp(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_office_json(ngx_conf_t *cf,
    ngx_http_portail_main_conf_t *pmcf);
static ngx_int_t ngx_http_portail_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_portail_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_portail_init_process(ngx_cycle_t *cycle);
static void ngx_http_portail_exit_process(ngx_cycle_t *cycle);


static ngx_conf_num_bounds_t  ngx_http_portail_connections_bounds = {
    ngx_conf_check_num_bounds, 1, 1024
};


static ngx_conf_enum_t  ngx_http_portail_secure[] = {
    { ngx_string("off"), 0 },
    { ngx_string("on"), 1 },
    { ngx_string("auto"), NGX_HTTP_PORTAIL_SECURE_AUTO },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_portail_payment_modes[] = {
    { ngx_string("TEST"), NGX_HTTP_PORTAIL_PAYMENT_TEST },
    { ngx_string("PRODUCTION"), NGX_HTTP_PORTAIL_PAYMENT_PRODUCTION },
    { ngx_null_string, 0 }
};


#define NGX_HTTP_PORTAIL_MAIN_STR(name, field)                                \
    { ngx_string(name),                                                       \
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,                                      \
      ngx_conf_set_str_slot,                                                  \
      NGX_HTTP_MAIN_CONF_OFFSET,                                              \
      offsetof(ngx_http_portail_main_conf_t, field),                          \
      NULL }


static ngx_command_t  ngx_http_portail_commands[] = {

    { ngx_string("portail_database"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.conninfo),
      NULL },

    { ngx_string("portail_database_standby"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, standby.conninfo),
      NULL },

    { ngx_string("portail_database_standby_max_lag"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, standby_max_lag),
      NULL },

    { ngx_string("portail_database_max_connections"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.max_connections),
      &ngx_http_portail_connections_bounds },

    { ngx_string("portail_database_queue_length"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.queue_length),
      NULL },

    { ngx_string("portail_database_queue_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.queue_timeout),
      NULL },

    { ngx_string("portail_database_query_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.query_timeout),
      NULL },

    { ngx_string("portail_database_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.connect_timeout),
      NULL },

    { ngx_string("portail_database_keepalive_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.keepalive_timeout),
      NULL },

    { ngx_string("portail_json_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, json_max_size),
      NULL },

    { ngx_string("portail_upload_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, upload_max_size),
      NULL },

    { ngx_string("portail_upload_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, upload_max_body),
      NULL },

    { ngx_string("portail_session_idle_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.idle_timeout),
      NULL },

    { ngx_string("portail_session_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.lifetime),
      NULL },

    { ngx_string("portail_session_remember_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.remember_lifetime),
      NULL },

    { ngx_string("portail_session_remember_idle_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.remember_idle_timeout),
      NULL },

    { ngx_string("portail_cookie_secure"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.secure),
      &ngx_http_portail_secure },

    { ngx_string("portail_login_max_failures"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.max_failures),
      NULL },

    { ngx_string("portail_login_max_failures_per_address"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.max_failures_address),
      NULL },

    { ngx_string("portail_login_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.window),
      NULL },

    { ngx_string("portail_password_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.thread_pool_name),
      NULL },

    { ngx_string("portail_password_priority"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.priority),
      NULL },

    { ngx_string("portail_password_memlimit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.memlimit),
      NULL },

    { ngx_string("portail_password_opslimit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.opslimit),
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_name", office.name),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_phone", office.phone),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_email", office.email),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_address", office.address),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_website", office.website),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_public_url", office.public_url),

    { ngx_string("portail_smtp"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_portail_smtp,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_mail_from", mail.from),

    { ngx_string("portail_mail_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.interval),
      NULL },

    { ngx_string("portail_mail_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.timeout),
      NULL },

    { ngx_string("portail_mail_lease"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.lease),
      NULL },

    { ngx_string("portail_mail_max_attempts"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.max_attempts),
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_payment_url", payment.url),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_payment_site_id", payment.site_id),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_payment_key", payment.key),

    { ngx_string("portail_payment_mode"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, payment.mode),
      &ngx_http_portail_payment_modes },

    { ngx_string("portail_payment_max_amount"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, payment.max_amount),
      NULL },

    { ngx_string("portail_payment_sandbox"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, payment.sandbox),
      NULL },

    { ngx_string("portail_sepa_debit_days"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_portail_sepa_debit_days,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_sepa_creditor_name",
                              payment.creditor_name),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_sepa_creditor_address",
                              payment.creditor_address),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_sepa_creditor_id",
                              payment.creditor_id),

    { ngx_string("portail_session"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_portail_loc_conf_t, session),
      NULL },

    { ngx_string("portail_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_portail_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portail_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_portail_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portail_api_errors"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_portail_api_errors,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_portail_module_ctx = {
    ngx_http_portail_preconfiguration,     /* preconfiguration */
    ngx_http_portail_postconfiguration,    /* postconfiguration */

    ngx_http_portail_create_main_conf,     /* create main configuration */
    ngx_http_portail_init_main_conf,       /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_portail_create_loc_conf,      /* create location configuration */
    ngx_http_portail_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_portail_module = {
    NGX_MODULE_V1,
    &ngx_http_portail_module_ctx,          /* module context */
    ngx_http_portail_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_portail_init_process,         /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_portail_exit_process,         /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/*
 * The API, path by path: these, and those each concern adds with
 * ngx_http_portail_add_routes().  "{}" matches one path segment, handed to
 * the handler in ctx->args.  HEAD is served as GET.
 */

static ngx_http_portail_route_t  ngx_http_portail_core_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/sante"), 0,
      ngx_http_portail_sante_get },

    { NGX_HTTP_GET, ngx_string("/api/portail"), 0,
      ngx_http_portail_office_get },

    { 0, ngx_null_string, 0, NULL }
};


static ngx_int_t
ngx_http_portail_api_handler(ngx_http_request_t *r)
{
    ngx_int_t                        rc;
    ngx_str_t                        allow;
    ngx_http_portail_ctx_t          *ctx;
    const ngx_http_portail_route_t  *route;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_portail_module);

    route = ngx_http_portail_route(r, ctx, &allow);

    if (route == NULL) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            r->keepalive = 0;
        }

        if (allow.len) {
            return ngx_http_portail_not_allowed(r, &allow);
        }

        return ngx_http_portail_send_error(r, "introuvable");
    }

    ctx->route = route;

    /*
     * No cookie, no session: answered without asking PostgreSQL.  A
     * state change needs the CSRF token derived from the cookie.
     */

    if ((route->flags & NGX_HTTP_PORTAIL_SESSION)
        && ngx_http_portail_session_cookie(r, ctx) != NGX_OK)
    {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            r->keepalive = 0;
        }

        return ngx_http_portail_send_error(r, "non_authentifie");
    }

    if (((route->flags & NGX_HTTP_PORTAIL_CSRF)
         && ngx_http_portail_csrf_check(r, ctx) != NGX_OK)
        || (route->method != NGX_HTTP_GET
            && ngx_http_portail_cross_site(r) == NGX_OK))
    {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            r->keepalive = 0;
        }

        return ngx_http_portail_send_error(r, "csrf_invalide");
    }

    if (route->flags
        & (NGX_HTTP_PORTAIL_JSON_BODY|NGX_HTTP_PORTAIL_MULTIPART
           |NGX_HTTP_PORTAIL_FORM_BODY))
    {
        return ngx_http_portail_read_body(r, ctx);
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    return route->handler(r, ctx);
}


static ngx_int_t
ngx_http_portail_segment(ngx_str_t *path, size_t *pos, ngx_str_t *seg)
{
    size_t  i;

    if (*pos >= path->len) {
        return NGX_DONE;
    }

    /* every path of ours starts with "/", and segments are between them */

    if (path->data[*pos] != '/') {
        return NGX_ERROR;
    }

    i = *pos + 1;
    seg->data = path->data + i;

    while (i < path->len && path->data[i] != '/') {
        i++;
    }

    seg->len = path->data + i - seg->data;
    *pos = i;

    return NGX_OK;
}


/*
 * Whether the request's path is the route's; its "{}" segments are
 * collected in ctx->args.
 */

static ngx_uint_t
ngx_http_portail_path_match(ngx_http_request_t *r,
    ngx_http_portail_route_t *route, ngx_http_portail_ctx_t *ctx)
{
    size_t      upos, ppos;
    ngx_int_t   urc, prc;
    ngx_str_t   useg, pseg;
    ngx_uint_t  nargs;

    upos = 0;
    ppos = 0;
    nargs = 0;

    for ( ;; ) {
        urc = ngx_http_portail_segment(&r->uri, &upos, &useg);
        prc = ngx_http_portail_segment(&route->path, &ppos, &pseg);

        if (urc != prc || urc == NGX_ERROR) {
            return 0;
        }

        if (urc == NGX_DONE) {
            ctx->nargs = nargs;
            return 1;
        }

        if (pseg.len == 2 && pseg.data[0] == '{' && pseg.data[1] == '}') {
            if (useg.len == 0 || nargs == NGX_HTTP_PORTAIL_MAX_ARGS) {
                return 0;
            }

            ctx->args[nargs++] = useg;
            continue;
        }

        if (useg.len != pseg.len
            || ngx_strncmp(useg.data, pseg.data, useg.len) != 0)
        {
            return 0;
        }
    }
}


/*
 * The route for the request's path and method.  When the path exists but
 * not for this method, returns NULL with the methods it has in allow.
 */

static const ngx_http_portail_route_t *
ngx_http_portail_route(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    ngx_str_t *allow)
{
    u_char                         *p;
    ngx_uint_t                      method, allowed, t;
    ngx_http_portail_route_t       *route, **tables;
    ngx_http_portail_main_conf_t   *pmcf;

    method = (r->method == NGX_HTTP_HEAD) ? NGX_HTTP_GET : r->method;
    allowed = 0;
    allow->len = 0;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    tables = pmcf->routes.elts;

    for (t = 0; t < pmcf->routes.nelts; t++) {
        for (route = tables[t]; route->handler; route++) {

            if (!ngx_http_portail_path_match(r, route, ctx)) {
                continue;
            }

            if (route->method == method) {
                return route;
            }

            allowed |= route->method;
        }
    }

    if (allowed == 0) {
        return NULL;
    }

    p = ngx_pnalloc(r->pool, sizeof("GET, HEAD, POST, PUT, PATCH, DELETE"));
    if (p == NULL) {
        return NULL;
    }

    allow->data = p;

    if (allowed & NGX_HTTP_GET) {
        p = ngx_cpymem(p, "GET, HEAD, ", sizeof("GET, HEAD, ") - 1);
    }

    if (allowed & NGX_HTTP_POST) {
        p = ngx_cpymem(p, "POST, ", sizeof("POST, ") - 1);
    }

    if (allowed & NGX_HTTP_PUT) {
        p = ngx_cpymem(p, "PUT, ", sizeof("PUT, ") - 1);
    }

    if (allowed & NGX_HTTP_PATCH) {
        p = ngx_cpymem(p, "PATCH, ", sizeof("PATCH, ") - 1);
    }

    if (allowed & NGX_HTTP_DELETE) {
        p = ngx_cpymem(p, "DELETE, ", sizeof("DELETE, ") - 1);
    }

    allow->len = p - allow->data - 2;

    return NULL;
}


static ngx_int_t
ngx_http_portail_not_allowed(ngx_http_request_t *r, ngx_str_t *allow)
{
    if (ngx_http_portail_add_header(r, "Allow", allow->data, allow->len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_error(r, "methode_non_autorisee");
}


/*
 * Runs a query for a request: the request stays alive until the database
 * answers, next() then builds the response.  Database failures are
 * answered here (503/504/500) unless next() is the one to decide.
 * A read that tolerates a little lag says so with q->primary = 0: the
 * standby may answer it (docs/architecture.md lists which).
 */

ngx_int_t
ngx_http_portail_query(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_pg_query_t *q, ngx_http_portail_handler_pt next)
{
    if (!q->primary && ctx->has_token && ngx_http_portail_pg_standby_usable())
    {
        return ngx_http_portail_query_standby(r, ctx, q, next);
    }

    return ngx_http_portail_query_run(r, ctx, q, next);
}


static ngx_int_t
ngx_http_portail_query_run(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_pg_query_t *q, ngx_http_portail_handler_pt next)
{
    q->handler = ngx_http_portail_query_done;
    q->data = r;

    ctx->query = q;
    ctx->next = next;

    /* taken before running: the handler may be called right away */
    r->main->count++;
    ctx->waiting = 1;

    if (ngx_http_portail_pg_run(q) != NGX_OK) {
        r->main->count--;
        ctx->waiting = 0;
        return ctx->own_errors ? next(r, ctx)
                               : ngx_http_portail_send_pg_error(r, q);
    }

    if (ctx->waiting) {
        r->read_event_handler = ngx_http_portail_check_broken;
    }

    return NGX_DONE;
}


/* a query for the request, with its first statement to fill in */

ngx_http_portail_pg_call_t *
ngx_http_portail_request_call(ngx_http_request_t *r,
    ngx_http_portail_stmt_t *stmt, ngx_http_portail_pg_query_t **q)
{
    *q = ngx_http_portail_pg_query(r->pool, r->connection->log);
    if (*q == NULL) {
        return NULL;
    }

    return ngx_http_portail_pg_call(*q, stmt);
}


/*
 * A read that tolerates a little lag: the standby answers it while the
 * primary checks the session, both at once.  The standby may not have
 * replayed a sign-out yet, and only the primary may say a session is open.
 * Without a standby within portail_database_standby_max_lag of the
 * primary, this is ngx_http_portail_query().
 */

static ngx_int_t
ngx_http_portail_query_standby(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_pg_query_t *q,
    ngx_http_portail_handler_pt next)
{
    ngx_http_portail_pg_query_t  *check;

    check = ngx_http_portail_session_check_query(r, ctx);
    if (check == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    check->handler = ngx_http_portail_query_checked;
    check->data = r;

    ctx->session_refused = 0;
    ctx->standby_answered = 0;

    /* set first: the check may be answered at once */
    ctx->verifying = 1;

    if (ngx_http_portail_pg_run(check) != NGX_OK) {
        /* the primary refused at once: the read will say why */
        ctx->verifying = 0;
        q->primary = 1;
        return ngx_http_portail_query_run(r, ctx, q, next);
    }

    return ngx_http_portail_query_run(r, ctx, q, next);
}


/* the primary's word on the session of a read sent to the standby */

static void
ngx_http_portail_query_checked(ngx_http_portail_pg_query_t *check)
{
    ngx_http_request_t      *r;
    ngx_http_portail_ctx_t  *ctx;

    r = check->data;
    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    if (!ctx->verifying) {
        return;
    }

    ctx->verifying = 0;

    /* a failure here is the read's to report, when it asks again */
    ctx->session_refused = (check->rc != NGX_HTTP_PORTAIL_PG_OK
                            || ngx_http_portail_pg_rows(check, 0) == 0);

    if (ctx->standby_answered) {
        ctx->standby_answered = 0;
        ngx_http_portail_query_done(ctx->query);
    }
}


/*
 * A read sent to the standby is asked again of the primary when the
 * standby failed, when its first statement found no row (a session opened
 * a moment ago, or a row just written, may not have reached the standby
 * yet, and only the primary may say "no"), or when the primary did not
 * confirm the session.  1: asked again.
 */

static ngx_uint_t
ngx_http_portail_query_again(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_uint_t  i;

    if (q->rc == NGX_HTTP_PORTAIL_PG_OK && ngx_http_portail_pg_rows(q, 0) > 0
        && !ctx->session_refused)
    {
        ngx_http_portail_pg_standby_count(0);
        return 0;
    }

    ngx_http_portail_pg_standby_count(1);

    for (i = 0; i < NGX_HTTP_PORTAIL_PG_MAX_CALLS; i++) {
        if (q->results[i]) {
            PQclear(q->results[i]);
            q->results[i] = NULL;
        }
    }

    q->rc = NGX_HTTP_PORTAIL_PG_OK;
    q->sqlstate[0] = '\0';
    q->retries = 0;
    q->primary = 1;

    if (ngx_http_portail_pg_run(q) != NGX_OK) {
        /* refused at once: answered by the handler with q->rc */
        ngx_http_portail_query_done(q);
    }

    return 1;
}


static void
ngx_http_portail_query_done(ngx_http_portail_pg_query_t *q)
{
    ngx_int_t                rc;
    ngx_connection_t        *c;
    ngx_http_request_t      *r;
    ngx_http_portail_ctx_t  *ctx;

    r = q->data;
    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    if (!q->primary) {
        if (ctx->verifying) {
            /* the standby was faster than the primary's session check */
            ctx->standby_answered = 1;
            return;
        }

        if (ngx_http_portail_query_again(q, ctx)) {
            return;
        }
    }

    r->read_event_handler = ngx_http_block_reading;
    ctx->waiting = 0;

    if (q->rc != NGX_HTTP_PORTAIL_PG_OK && !ctx->own_errors) {
        rc = ngx_http_portail_send_pg_error(r, q);

    } else {
        rc = ctx->next(r, ctx);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/*
 * While the database works, a client that goes away ends its request: the
 * query is abandoned (see ngx_http_portail_pg_query_cleanup) and its
 * connection drains the results before serving again.
 */

static void
ngx_http_portail_check_broken(ngx_http_request_t *r)
{
    int                n;
    char               buf[1];
    ngx_err_t          err;
    ngx_event_t       *ev;
    ngx_connection_t  *c;

    c = r->connection;
    ev = c->read;

#if (NGX_HTTP_V2)
    if (r->stream) {
        return;
    }
#endif

    if (c->error) {
        goto closed;
    }

#if (NGX_HAVE_EPOLLRDHUP)

    if ((ngx_event_flags & NGX_USE_EPOLL_EVENT) && ngx_use_epoll_rdhup) {
        if (!ev->pending_eof) {
            return;
        }

        ev->eof = 1;
        goto closed;
    }

#endif

    n = recv(c->fd, buf, 1, MSG_PEEK);
    err = ngx_socket_errno;

    if (n > 0) {
        /* a pipelined request: it waits for this one */
        ev->ready = 0;
        return;
    }

    if (n == -1 && err == NGX_EAGAIN) {
        ev->ready = 0;
        return;
    }

    ev->eof = 1;

closed:

    c->error = 1;

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "portail: client closed the connection while the database "
                  "was working; statement abandoned");

    ngx_http_finalize_request(r, NGX_HTTP_CLIENT_CLOSED_REQUEST);
}


static void *
ngx_http_portail_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_portail_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     pmcf->database.conninfo = { 0, NULL };
     *     pmcf->pool = NULL;
     */

    pmcf->database.max_connections = NGX_CONF_UNSET_UINT;
    pmcf->database.queue_length = NGX_CONF_UNSET_UINT;
    pmcf->database.queue_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->database.query_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->database.connect_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->database.keepalive_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->standby_max_lag = NGX_CONF_UNSET_MSEC;
    pmcf->json_max_size = NGX_CONF_UNSET_SIZE;
    pmcf->upload_max_size = NGX_CONF_UNSET_SIZE;
    pmcf->upload_max_body = NGX_CONF_UNSET_SIZE;

    pmcf->session.idle_timeout = NGX_CONF_UNSET;
    pmcf->session.lifetime = NGX_CONF_UNSET;
    pmcf->session.remember_lifetime = NGX_CONF_UNSET;
    pmcf->session.remember_idle_timeout = NGX_CONF_UNSET;
    pmcf->session.secure = NGX_CONF_UNSET_UINT;

    pmcf->auth.max_failures = NGX_CONF_UNSET_UINT;
    pmcf->auth.max_failures_address = NGX_CONF_UNSET_UINT;
    pmcf->auth.window = NGX_CONF_UNSET;
    pmcf->auth.priority = NGX_CONF_UNSET;
    pmcf->auth.memlimit = NGX_CONF_UNSET_SIZE;
    pmcf->auth.opslimit = NGX_CONF_UNSET_UINT;

    pmcf->mail.smtp = NGX_CONF_UNSET_PTR;
    pmcf->mail.interval = NGX_CONF_UNSET_MSEC;
    pmcf->mail.timeout = NGX_CONF_UNSET_MSEC;
    pmcf->mail.lease = NGX_CONF_UNSET_MSEC;
    pmcf->mail.max_attempts = NGX_CONF_UNSET_UINT;

    pmcf->payment.mode = NGX_CONF_UNSET_UINT;
    pmcf->payment.max_amount = NGX_CONF_UNSET_UINT;
    pmcf->payment.sandbox = NGX_CONF_UNSET;
    pmcf->payment.debit_days = NGX_CONF_UNSET_PTR;

    if (ngx_array_init(&pmcf->statements, cf->pool, 64,
                       sizeof(ngx_http_portail_stmt_t *))
        != NGX_OK
        || ngx_array_init(&pmcf->routes, cf->pool, 16,
                          sizeof(ngx_http_portail_route_t *))
           != NGX_OK
        || ngx_array_init(&pmcf->errors, cf->pool, 16,
                          sizeof(ngx_http_portail_error_t *))
           != NGX_OK)
    {
        return NULL;
    }

    return pmcf;
}


static char *
ngx_http_portail_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_portail_main_conf_t *pmcf = conf;

    ngx_conf_init_uint_value(pmcf->database.max_connections, 8);
    ngx_conf_init_uint_value(pmcf->database.queue_length, 512);
    ngx_conf_init_msec_value(pmcf->database.queue_timeout, 3000);
    ngx_conf_init_msec_value(pmcf->database.query_timeout, 5000);
    ngx_conf_init_msec_value(pmcf->database.connect_timeout, 2000);
    ngx_conf_init_msec_value(pmcf->database.keepalive_timeout, 60000);
    ngx_conf_init_size_value(pmcf->json_max_size, 64 * 1024);
    ngx_conf_init_size_value(pmcf->upload_max_size, 5 * 1024 * 1024);
    ngx_conf_init_size_value(pmcf->upload_max_body, 26 * 1024 * 1024);

    /* the tables refuse files over 10 MiB: say so here, not with a 500 */
    if (pmcf->upload_max_size > 10 * 1024 * 1024) {
        return "portail_upload_max_size is limited to 10m";
    }

    if (pmcf->upload_max_body < pmcf->upload_max_size) {
        return "portail_upload_max_body is smaller than "
               "portail_upload_max_size";
    }

    if (pmcf->database.query_timeout < 1) {
        return "portail_database_query_timeout must be at least 1ms";
    }

    /* the standby's pool is sized and timed like the primary's */
    pmcf->standby.max_connections = pmcf->database.max_connections;
    pmcf->standby.queue_length = pmcf->database.queue_length;
    pmcf->standby.queue_timeout = pmcf->database.queue_timeout;
    pmcf->standby.query_timeout = pmcf->database.query_timeout;
    pmcf->standby.connect_timeout = pmcf->database.connect_timeout;
    pmcf->standby.keepalive_timeout = pmcf->database.keepalive_timeout;
    ngx_conf_init_msec_value(pmcf->standby_max_lag, 2000);

    ngx_conf_init_value(pmcf->session.idle_timeout, 30 * 60);
    ngx_conf_init_value(pmcf->session.lifetime, 12 * 3600);
    ngx_conf_init_value(pmcf->session.remember_lifetime, 30 * 86400);
    ngx_conf_init_value(pmcf->session.remember_idle_timeout, 7 * 86400);
    ngx_conf_init_uint_value(pmcf->session.secure,
                             NGX_HTTP_PORTAIL_SECURE_AUTO);

    if (pmcf->session.idle_timeout < 60 || pmcf->session.lifetime < 60
        || pmcf->session.remember_lifetime < 60
        || pmcf->session.remember_idle_timeout < 60)
    {
        return "portail_session_* durations must be at least 1 minute";
    }

    ngx_conf_init_uint_value(pmcf->auth.max_failures, 5);
    ngx_conf_init_uint_value(pmcf->auth.max_failures_address, 30);
    ngx_conf_init_value(pmcf->auth.window, 15 * 60);
    ngx_conf_init_size_value(pmcf->auth.memlimit,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
    ngx_conf_init_uint_value(pmcf->auth.opslimit,
                             crypto_pwhash_OPSLIMIT_INTERACTIVE);

    ngx_conf_init_value(pmcf->auth.priority, 5);

    if (pmcf->auth.priority < 0 || pmcf->auth.priority > 19) {
        return "portail_password_priority must be between 0 and 19";
    }

    if (pmcf->auth.thread_pool_name.data == NULL) {
        ngx_str_set(&pmcf->auth.thread_pool_name, "default");
    }

    if (pmcf->auth.max_failures < 1 || pmcf->auth.max_failures_address < 1) {
        return "portail_login_max_failures* must be at least 1";
    }

    /* libsodium refuses less; OWASP asks for 19 MiB at least */
    if (pmcf->auth.memlimit < 8 * 1024 * 1024
        || pmcf->auth.opslimit < crypto_pwhash_OPSLIMIT_MIN)
    {
        return "portail_password_memlimit must be at least 8m and "
               "portail_password_opslimit at least 1";
    }

    if (pmcf->office.name.data == NULL) {
        ngx_str_set(&pmcf->office.name, "Office Public de l'Habitat de "
                                        "l'Agglomération de La Rochelle");
    }

    if (pmcf->office.phone.data == NULL) {
        ngx_str_set(&pmcf->office.phone, "05 46 00 49 94");
    }

    if (pmcf->office.email.data == NULL) {
        ngx_str_set(&pmcf->office.email, "contact@office-agglo-larochelle.fr");
    }

    if (pmcf->office.address.data == NULL) {
        ngx_str_set(&pmcf->office.address, "2 avenue de Varsovie, CS10555, "
                                           "17023 La Rochelle Cedex 1");
    }

    if (pmcf->office.website.data == NULL) {
        ngx_str_set(&pmcf->office.website,
                    "https://www.office-agglo-larochelle.fr");
    }

    if (pmcf->office.public_url.data == NULL) {
        ngx_str_set(&pmcf->office.public_url, "http://127.0.0.1:8080");
    }

    while (pmcf->office.public_url.len
           && pmcf->office.public_url.data[pmcf->office.public_url.len - 1]
              == '/')
    {
        pmcf->office.public_url.len--;
    }

    ngx_conf_init_ptr_value(pmcf->mail.smtp, NULL);
    ngx_conf_init_msec_value(pmcf->mail.interval, 1000);
    ngx_conf_init_msec_value(pmcf->mail.timeout, 10000);
    ngx_conf_init_uint_value(pmcf->mail.max_attempts, 12);
    ngx_conf_init_msec_value(pmcf->mail.lease, 120000);

    /* a batch must be over, SMTP timeouts included, before another node
     * may take its messages */
    if (pmcf->mail.lease < 2 * pmcf->mail.timeout) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portail_mail_lease must be at least twice "
                           "portail_mail_timeout");
        return NGX_CONF_ERROR;
    }

    if (pmcf->mail.from.data == NULL) {
        ngx_str_set(&pmcf->mail.from, "Portail locataire "
                                      "<ne-pas-repondre@office-agglo-"
                                      "larochelle.fr>");
    }

    return ngx_http_portail_office_json(cf, pmcf);
}


/* GET /api/portail is the same for everyone: built once */

static char *
ngx_http_portail_office_json(ngx_conf_t *cf,
    ngx_http_portail_main_conf_t *pmcf)
{
    size_t   len;
    json_t  *body;

    body = json_pack("{s:{s:s%,s:s%,s:s%,s:s%,s:s%}}", "organisme",
                     "nom", pmcf->office.name.data, pmcf->office.name.len,
                     "telephone", pmcf->office.phone.data,
                     pmcf->office.phone.len,
                     "email", pmcf->office.email.data, pmcf->office.email.len,
                     "adresse", pmcf->office.address.data,
                     pmcf->office.address.len,
                     "site", pmcf->office.website.data,
                     pmcf->office.website.len);

    if (body == NULL) {
        return "the office's details must be valid UTF-8";
    }

    len = json_dumpb(body, NULL, 0, JSON_COMPACT);

    pmcf->office.json.data = ngx_pnalloc(cf->pool, len);
    if (pmcf->office.json.data == NULL) {
        json_decref(body);
        return NGX_CONF_ERROR;
    }

    pmcf->office.json.len = json_dumpb(body, (char *) pmcf->office.json.data,
                                       len, JSON_COMPACT);
    json_decref(body);

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_portail_office_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    return ngx_http_portail_send_json(r, NGX_HTTP_OK, pmcf->office.json.data,
                                      pmcf->office.json.len);
}


static char *
ngx_http_portail_smtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_portail_main_conf_t *pmcf = conf;

    ngx_str_t  *value;
    ngx_url_t  *u;

    if (pmcf->mail.smtp != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    u = ngx_pcalloc(cf->pool, sizeof(ngx_url_t));
    if (u == NULL) {
        return NGX_CONF_ERROR;
    }

    u->url = value[1];
    u->default_port = 25;
    u->no_resolve = 0;

    if (ngx_parse_url(cf->pool, u) != NGX_OK) {
        if (u->err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%s in portail_smtp \"%V\"", u->err, &u->url);
        }

        return NGX_CONF_ERROR;
    }

    pmcf->mail.smtp = u;

    return NGX_CONF_OK;
}


static void *
ngx_http_portail_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_portail_loc_conf_t  *plcf;

    plcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_portail_loc_conf_t));
    if (plcf == NULL) {
        return NULL;
    }

    plcf->api = NGX_CONF_UNSET;
    plcf->api_errors = NGX_CONF_UNSET;
    plcf->session = NGX_CONF_UNSET;

    return plcf;
}


static char *
ngx_http_portail_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_portail_loc_conf_t *prev = parent;
    ngx_http_portail_loc_conf_t *conf = child;

    /* content handlers are not inherited: these only record the choice */
    ngx_conf_merge_value(conf->api, prev->api, 0);
    ngx_conf_merge_value(conf->api_errors, prev->api_errors, 0);
    ngx_conf_merge_value(conf->session, prev->session, 0);

    return NGX_CONF_OK;
}


static char *
ngx_http_portail_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_portail_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->api != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    plcf->api = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_portail_api_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_portail_api_errors(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_portail_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->api_errors != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    plcf->api_errors = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_portail_errors_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_portail_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_portail_metrics_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_portail_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_portail_session_variables(cf);
}


ngx_int_t
ngx_http_portail_add_routes(ngx_conf_t *cf, ngx_http_portail_route_t *routes)
{
    ngx_http_portail_route_t      **r;
    ngx_http_portail_main_conf_t   *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

    r = ngx_array_push(&pmcf->routes);
    if (r == NULL) {
        return NGX_ERROR;
    }

    *r = routes;

    return ngx_http_portail_metrics_sections(cf, routes);
}


static ngx_int_t
ngx_http_portail_postconfiguration(ngx_conf_t *cf)
{
    if (ngx_http_portail_add_routes(cf, ngx_http_portail_core_routes)
        != NGX_OK
        || ngx_http_portail_metrics_init(cf) != NGX_OK
        || ngx_http_portail_pg_init(cf) != NGX_OK
        || ngx_http_portail_sante_init(cf) != NGX_OK
        || ngx_http_portail_session_init(cf) != NGX_OK
        || ngx_http_portail_auth_init(cf) != NGX_OK
        || ngx_http_portail_mail_init(cf) != NGX_OK
        || ngx_http_portail_demandes_init(cf) != NGX_OK
        || ngx_http_portail_enquetes_init(cf) != NGX_OK
        || ngx_http_portail_accueil_init(cf) != NGX_OK
        || ngx_http_portail_dossier_init(cf) != NGX_OK
        || ngx_http_portail_contrats_init(cf) != NGX_OK
        || ngx_http_portail_paiements_init(cf) != NGX_OK
        || ngx_http_portail_documents_init(cf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_init_process(ngx_cycle_t *cycle)
{
    if (ngx_http_portail_pg_init_worker(cycle) != NGX_OK
        || ngx_http_portail_auth_init_worker(cycle) != NGX_OK
        || ngx_http_portail_mail_init_worker(cycle) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_portail_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_portail_pg_exit_worker(cycle);
}
