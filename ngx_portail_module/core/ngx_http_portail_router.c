
/*
 * The API's router: the content handler of the locations where
 * portail_api is on.  It finds the route of a method and path in the table
 * the sections filled at configuration time (ngx_http_portail_add_routes),
 * reads the body the route asks for, checks the session and CSRF token
 * where the route's flags ask for them, and calls the section's handler.
 */


#include "ngx_http_portail_core.h"


static const ngx_http_portail_route_t *ngx_http_portail_route(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx, ngx_str_t *allow);
static ngx_int_t ngx_http_portail_not_allowed(ngx_http_request_t *r,
    ngx_str_t *allow);


ngx_int_t
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

        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
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

        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (((route->flags & NGX_HTTP_PORTAIL_CSRF)
         && ngx_http_portail_csrf_check(r, ctx) != NGX_OK)
        || (route->method != NGX_HTTP_GET
            && ngx_http_portail_cross_site(r) == NGX_OK))
    {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            r->keepalive = 0;
        }

        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_CSRF_INVALIDE);
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

    return ngx_http_portail_send_error(r,
               NGX_HTTP_PORTAIL_ERR_METHODE_NON_AUTORISEE);
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
