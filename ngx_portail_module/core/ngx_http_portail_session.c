
/*
 * Sessions: the cookie, the CSRF token, the session check of API routes
 * and of any location (portail_session on), GET /api/session and
 * POST /api/deconnexion, and the $portail_account variable.
 *
 * The cookie carries 32 random bytes (base64url); PostgreSQL keeps only
 * their SHA-256, so a copy of the table opens no session.  The CSRF token
 * is HMAC-SHA-256(cookie token, "csrf"): only a page that was given it by
 * GET /api/session knows it, any node can check it without a lookup, and
 * it dies with the session.
 *
 * An authenticated read is one statement: the session check is inlined in
 * the statement that reads the tenant's data (portail.session_valide).
 * The last-activity time is refreshed at most once a minute, by a separate
 * statement nobody waits for.
 */


#include "ngx_http_portail_core.h"


/*
 * Over TLS the cookie takes the __Host- prefix: browsers then accept it
 * only Secure, for the whole site (Path=/) and from this very host (no
 * Domain), so a neighbouring subdomain cannot plant or shadow it.
 */
#define NGX_HTTP_PORTAIL_COOKIE_NAME  "portail_session"
#define NGX_HTTP_PORTAIL_COOKIE_HOST  "__Host-portail_session"

/*
 * The device cookie: a browser where the account signed in successfully
 * (OWASP's "device cookie"), its own random token, kept by PostgreSQL as
 * its SHA-256 and bound to the account.  Only POST /api/connexion reads it,
 * from the portal's own pages: SameSite=Strict.
 */
#define NGX_HTTP_PORTAIL_DEVICE_NAME  "portail_appareil"
#define NGX_HTTP_PORTAIL_DEVICE_HOST  "__Host-portail_appareil"


static ngx_uint_t ngx_http_portail_session_secure(ngx_http_request_t *r);
static ngx_int_t ngx_http_portail_cookie(ngx_http_request_t *r,
    ngx_str_t *names, ngx_str_t *same_site, u_char *token, time_t max_age);
static ngx_int_t ngx_http_portail_session_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_logout_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static void ngx_http_portail_access_done(ngx_http_portail_pg_query_t *q);
static void ngx_http_portail_touch(ngx_log_t *log, ngx_str_t *session_id);
static void ngx_http_portail_touch_done(ngx_http_portail_pg_query_t *q);
static ngx_int_t ngx_http_portail_account_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


enum {
    NGX_HTTP_PORTAIL_SESSION_CHECK = 0,
    NGX_HTTP_PORTAIL_SESSION_READ,
    NGX_HTTP_PORTAIL_SESSION_LOGOUT,
    NGX_HTTP_PORTAIL_SESSION_TOUCH
};


static ngx_http_portail_stmt_t  ngx_http_portail_session_stmts[] = {

    { "session_verifier",
      "SELECT compte_id, session_id, a_toucher"
      " FROM portail.session_valide($1::bytea)",
      1, 0 },

    { "session_lire",
      "SELECT compte_id, session_id, a_toucher,"
      " portail.session_corps(compte_id, se_souvenir)"
      " FROM portail.session_valide($1::bytea)",
      1, 0 },

    { "session_fermer",
      "SELECT portail.deconnecter($1::bytea, $2::inet)",
      2, 0 },

    { "session_toucher",
      "UPDATE portail.session SET vu_le = now()"
      " WHERE id = $1::bigint AND fermee_le IS NULL",
      1, 0 }
};


static ngx_http_portail_route_t  ngx_http_portail_session_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/session"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_session_get },

    { NGX_HTTP_POST, ngx_string("/api/deconnexion"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF,
      ngx_http_portail_session_logout },

    { 0, ngx_null_string, 0, NULL }
};


static ngx_str_t  ngx_http_portail_cookie_names[] = {
    ngx_string(NGX_HTTP_PORTAIL_COOKIE_NAME),
    ngx_string(NGX_HTTP_PORTAIL_COOKIE_HOST)
};


static ngx_str_t  ngx_http_portail_device_names[] = {
    ngx_string(NGX_HTTP_PORTAIL_DEVICE_NAME),
    ngx_string(NGX_HTTP_PORTAIL_DEVICE_HOST)
};


static ngx_http_variable_t  ngx_http_portail_session_vars[] = {

    { ngx_string("portail_account"), NULL,
      ngx_http_portail_account_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_portail_session_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    if (ngx_http_portail_pg_register(cf, ngx_http_portail_session_stmts,
            sizeof(ngx_http_portail_session_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_session_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_portail_session_access;

    return NGX_OK;
}


ngx_int_t
ngx_http_portail_session_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_portail_session_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_account_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                  *p;
    ngx_http_portail_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    if (ctx == NULL || ctx->account <= 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%L", ctx->account) - p;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = p;

    return NGX_OK;
}


/* NGX_OK with ctx->token set, or NGX_DECLINED: no (well-formed) cookie */

ngx_int_t
ngx_http_portail_session_cookie(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t   value, *name;

    if (ctx->has_token) {
        return NGX_OK;
    }

    name = &ngx_http_portail_cookie_names[ngx_http_portail_session_secure(r)];

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, name,
                                          &value)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    if (portail_token_decode(value.data, value.len, ctx->token) != 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: malformed session cookie ignored");
        return NGX_DECLINED;
    }

    crypto_hash_sha256(ctx->token_hash, ctx->token, 32);
    ctx->has_token = 1;

    return NGX_OK;
}


/* NGX_OK with the SHA-256 of the device cookie's token, or NGX_DECLINED */

ngx_int_t
ngx_http_portail_device_cookie(ngx_http_request_t *r, u_char hash[32])
{
    u_char      token[32];
    ngx_str_t   value, *name;

    name = &ngx_http_portail_device_names[ngx_http_portail_session_secure(r)];

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, name,
                                          &value)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    if (portail_token_decode(value.data, value.len, token) != 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: malformed device cookie ignored");
        return NGX_DECLINED;
    }

    crypto_hash_sha256(hash, token, 32);
    sodium_memzero(token, 32);

    return NGX_OK;
}


ngx_int_t
ngx_http_portail_set_device_cookie(ngx_http_request_t *r, u_char *token,
    time_t max_age)
{
    static ngx_str_t  strict = ngx_string("Strict");

    return ngx_http_portail_cookie(r, ngx_http_portail_device_names, &strict,
                                   token, max_age);
}


void
ngx_http_portail_new_token(u_char token[32], u_char hash[32], u_char text[44])
{
    randombytes_buf(token, 32);
    crypto_hash_sha256(hash, token, 32);

    if (text) {
        sodium_bin2base64((char *) text, 44, token, 32,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
}


void
ngx_http_portail_csrf_token(u_char token[32], u_char out[44])
{
    u_char  mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_state  st;

    crypto_auth_hmacsha256_init(&st, token, 32);
    crypto_auth_hmacsha256_update(&st, (const u_char *) "csrf", 4);
    crypto_auth_hmacsha256_final(&st, mac);

    sodium_bin2base64((char *) out, 44, mac, sizeof(mac),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}


/* the first request header of that name, if any */

static ngx_table_elt_t *
ngx_http_portail_header(ngx_http_request_t *r, const char *name, size_t len)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }
}


/* NGX_OK, or NGX_DECLINED: missing or wrong X-CSRF-Token */

ngx_int_t
ngx_http_portail_csrf_check(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    u_char            expected[44];
    ngx_table_elt_t  *h;

    if (!ctx->has_token) {
        return NGX_DECLINED;
    }

    ngx_http_portail_csrf_token(ctx->token, expected);

    h = ngx_http_portail_header(r, "X-CSRF-Token",
                                sizeof("X-CSRF-Token") - 1);

    if (h && h->value.len == 43
        && sodium_memcmp(h->value.data, expected, 43) == 0)
    {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "portail: state change without a valid CSRF token");

    return NGX_DECLINED;
}


/*
 * Browsers say where a request comes from.  A state change sent by
 * another site is refused whatever it carries: this covers the routes
 * used before any session exists (sign-in, registration), where there is
 * no CSRF token yet; requiring JSON already keeps HTML forms out.
 */

ngx_int_t
ngx_http_portail_cross_site(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_http_portail_header(r, "Sec-Fetch-Site",
                                sizeof("Sec-Fetch-Site") - 1);

    if (h && h->value.len == sizeof("cross-site") - 1
        && ngx_strncasecmp(h->value.data, (u_char *) "cross-site",
                           h->value.len) == 0)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: cross-site state change refused");
        return NGX_OK;
    }

    return NGX_DECLINED;
}


/*
 * Secure when the request came over TLS (or always/never, as configured:
 * behind a proxy that terminates TLS, "on"): 1 or 0.
 */

static ngx_uint_t
ngx_http_portail_session_secure(ngx_http_request_t *r)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (pmcf->session.secure == NGX_HTTP_PORTAIL_SECURE_AUTO) {
#if (NGX_HTTP_SSL)
        return r->connection->ssl != NULL;
#else
        return 0;
#endif
    }

    return pmcf->session.secure ? 1 : 0;
}


/*
 * The session cookie, __Host-portail_session when Secure.  Remember-me
 * sessions get a persistent cookie; the others end with the browser.
 */

ngx_int_t
ngx_http_portail_set_cookie(ngx_http_request_t *r, u_char *token,
    time_t max_age)
{
    static ngx_str_t  lax = ngx_string("Lax");

    return ngx_http_portail_cookie(r, ngx_http_portail_cookie_names, &lax,
                                   token, max_age);
}


/*
 * A cookie of the portal: names[1] (the __Host- one) when Secure; no token
 * removes it; max_age 0 makes it end with the browser.
 */

static ngx_int_t
ngx_http_portail_cookie(ngx_http_request_t *r, ngx_str_t *names,
    ngx_str_t *same_site, u_char *token, time_t max_age)
{
    u_char      *p, *cookie;
    size_t       len;
    ngx_str_t   *name;
    ngx_uint_t   secure;

    secure = ngx_http_portail_session_secure(r);
    name = &names[secure];

    len = name->len + 1 + 43
          + sizeof("; Path=/; HttpOnly; SameSite=; Secure") - 1
          + same_site->len
          + sizeof("; Max-Age=") - 1 + NGX_TIME_T_LEN;

    cookie = ngx_pnalloc(r->pool, len);
    if (cookie == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(cookie, name->data, name->len);
    *p++ = '=';

    if (token) {
        sodium_bin2base64((char *) p, 44, token, 32,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        p += 43;
    }

    p = ngx_sprintf(p, "; Path=/; HttpOnly; SameSite=%V", same_site);

    if (secure) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }

    if (token == NULL) {
        p = ngx_cpymem(p, "; Max-Age=0", sizeof("; Max-Age=0") - 1);

    } else if (max_age > 0) {
        p = ngx_sprintf(p, "; Max-Age=%T", max_age);
    }

    return ngx_http_portail_add_header(r, "Set-Cookie", cookie, p - cookie);
}


ngx_int_t
ngx_http_portail_session_param(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_pg_param_binary(call, ctx->token_hash, 32);
}


ngx_int_t
ngx_http_portail_param_ip(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_http_portail_pg_call_t *call)
{
    ngx_str_t  *ip;

    ip = &r->connection->addr_text;

    if (r->connection->sockaddr->sa_family == AF_UNIX || ip->len == 0) {
        return ngx_http_portail_pg_param_null(call);
    }

    return ngx_http_portail_pg_param_str(q, call, ip);
}


/*
 * The first columns of every statement run for a signed-in tenant are
 * (compte_id, session_id, a_toucher), from portail.session_valide: no row
 * means no valid session.  NGX_OK, or NGX_DECLINED for 401.
 */

ngx_int_t
ngx_http_portail_session_result(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t call)
{
    ngx_str_t  account, session, touch;

    if (ngx_http_portail_pg_value(ctx->query, call, 0, 0, &account) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, call, 0, 1, &session)
           != NGX_OK)
    {
        return NGX_DECLINED;
    }

    ctx->account = ngx_atoof(account.data, account.len);

    if (ngx_http_portail_pg_value(ctx->query, call, 0, 2, &touch) == NGX_OK
        && touch.len == 1 && touch.data[0] == 't')
    {
        ngx_http_portail_touch(ngx_cycle->log, &session);
    }

    return NGX_OK;
}


/* the session body from PostgreSQL, with the CSRF token put first */

ngx_int_t
ngx_http_portail_send_session(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body)
{
    u_char  *p, *out;
    size_t   len;

    if (body->len < 2 || body->data[0] != '{') {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    len = sizeof("{\"csrf\":\"\",") - 1 + 43 + body->len - 1;

    out = ngx_pnalloc(r->pool, len);
    if (out == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(out, "{\"csrf\":\"", sizeof("{\"csrf\":\"") - 1);
    ngx_http_portail_csrf_token(ctx->token, p);
    p += 43;
    *p++ = '"';
    *p++ = ',';
    p = ngx_cpymem(p, body->data + 1, body->len - 1);

    return ngx_http_portail_send_json(r, NGX_HTTP_OK, out, p - out);
}


/* GET /api/session */

ngx_int_t
ngx_http_portail_session_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_session_stmts[NGX_HTTP_PORTAIL_SESSION_READ],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_session_done);
}


static ngx_int_t
ngx_http_portail_session_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t  body;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &body) != NGX_OK)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    return ngx_http_portail_send_session(r, ctx, &body);
}


/* POST /api/deconnexion: the session ends in the database, for every node */

ngx_int_t
ngx_http_portail_session_logout(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_session_stmts[NGX_HTTP_PORTAIL_SESSION_LOGOUT],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_logout_done);
}


static ngx_int_t
ngx_http_portail_logout_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    static u_char  body[] = "{\"message\":\"Vous êtes déconnecté. "
                            "À bientôt sur votre espace locataire.\"}";

    if (ngx_http_portail_set_cookie(r, NULL, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_json(r, NGX_HTTP_OK, body, sizeof(body) - 1);
}


/*
 * portail_session on: the session check for any location (files served
 * after the check, a proxied application...).  Runs in the access phase;
 * the phases resume once PostgreSQL has answered.
 */

ngx_int_t
ngx_http_portail_session_access(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_portail_ctx_t       *ctx;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;
    ngx_http_portail_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_portail_module);

    if (!plcf->session || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_ctx_t));
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_portail_module);
    }

    if (ctx->session_checked) {
        if (ctx->session_valid) {
            return NGX_OK;
        }

        goto unauthorized;
    }

    if (ctx->waiting) {
        return NGX_AGAIN;
    }

    if (ngx_http_portail_session_cookie(r, ctx) != NGX_OK) {
        goto unauthorized;
    }

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_session_stmts[NGX_HTTP_PORTAIL_SESSION_CHECK],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q->handler = ngx_http_portail_access_done;
    q->data = r;
    ctx->query = q;
    ctx->waiting = 1;

    if (ngx_http_portail_pg_run(q) != NGX_OK) {
        ctx->waiting = 0;
        rc = ngx_http_portail_send_pg_error(r, q);
        ngx_http_finalize_request(r, rc);
        return NGX_DONE;
    }

    /* the handler may already have run the phases on */
    return NGX_DONE;

unauthorized:

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    ngx_http_finalize_request(r,
                            ngx_http_portail_send_error(r,
                                       NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE));
    return NGX_DONE;
}


static void
ngx_http_portail_access_done(ngx_http_portail_pg_query_t *q)
{
    ngx_connection_t        *c;
    ngx_http_request_t      *r;
    ngx_http_portail_ctx_t  *ctx;

    r = q->data;
    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    ctx->waiting = 0;

    if (q->rc != NGX_HTTP_PORTAIL_PG_OK) {
        ngx_http_finalize_request(r, ngx_http_portail_send_pg_error(r, q));
        ngx_http_run_posted_requests(c);
        return;
    }

    ctx->session_checked = 1;
    ctx->session_valid = (ngx_http_portail_session_result(r, ctx, 0)
                          == NGX_OK);

    if (!ctx->session_valid) {
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "portail: session cookie refused (expired or closed)");
    }

    ngx_http_core_run_phases(r);
    ngx_http_run_posted_requests(c);
}


/* a query asking whether the request's session is open, for the primary */

ngx_http_portail_pg_query_t *
ngx_http_portail_session_check_query(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_session_stmts[NGX_HTTP_PORTAIL_SESSION_CHECK],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK)
    {
        return NULL;
    }

    return q;
}


/* records activity for the idle timeout; nobody waits for it */

static void
ngx_http_portail_touch(ngx_log_t *log, ngx_str_t *session_id)
{
    ngx_pool_t                   *pool;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    pool = ngx_create_pool(512, log);
    if (pool == NULL) {
        return;
    }

    q = ngx_http_portail_pg_query(pool, log);
    if (q == NULL) {
        goto failed;
    }

    call = ngx_http_portail_pg_call(q,
             &ngx_http_portail_session_stmts[NGX_HTTP_PORTAIL_SESSION_TOUCH]);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, session_id) != NGX_OK)
    {
        goto failed;
    }

    q->handler = ngx_http_portail_touch_done;
    q->data = pool;
    q->standalone = 1;

    if (ngx_http_portail_pg_run(q) == NGX_OK) {
        return;
    }

failed:

    ngx_destroy_pool(pool);
}


static void
ngx_http_portail_touch_done(ngx_http_portail_pg_query_t *q)
{
    ngx_destroy_pool(q->data);
}
