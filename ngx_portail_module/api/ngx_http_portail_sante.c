
/*
 * GET /api/sante: the health check load balancers and ops probe.  It
 * makes a real round trip to PostgreSQL through the pool, so it fails as
 * soon as the portal cannot serve tenants.  GET /api/portail: the office's
 * details, the same for everyone, built once from the configuration.
 */


#include "ngx_http_portail_core.h"


static ngx_int_t ngx_http_portail_sante_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sante_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_office_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);


static ngx_http_portail_route_t  ngx_http_portail_sante_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/sante"), 0,
      ngx_http_portail_sante_get },

    { NGX_HTTP_GET, ngx_string("/api/portail"), 0,
      ngx_http_portail_office_get },

    { 0, ngx_null_string, 0, NULL }
};


static ngx_http_portail_stmt_t  ngx_http_portail_sante_stmts[] = {

    /* reads the schema version: a missing migration table is a failure */
    { "sante",
      "SELECT max(version) FROM portail.schema_migrations",
      0, 0 }
};


ngx_int_t
ngx_http_portail_sante_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_sante_stmts, 1)
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_sante_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_sante_get(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_query_t  *q;

    if (ngx_http_portail_request_call(r, &ngx_http_portail_sante_stmts[0], &q)
        == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->own_errors = 1;

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_sante_done);
}


static ngx_int_t
ngx_http_portail_office_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    return ngx_http_portail_send_json(r, NGX_HTTP_OK, pmcf->office.json.data,
                                      pmcf->office.json.len);
}


static ngx_int_t
ngx_http_portail_sante_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                  *body;
    const char              *database;
    ngx_uint_t               status;
    ngx_http_portail_err_e   err;

    static u_char  ok[] = "{\"status\":\"ok\",\"database\":\"ok\"}";

    switch (ctx->query->rc) {

    case NGX_HTTP_PORTAIL_PG_OK:
        if (ngx_http_portail_pg_rows(ctx->query, 0) == 1) {
            return ngx_http_portail_send_json(r, NGX_HTTP_OK, ok,
                                              sizeof(ok) - 1);
        }

        /* fall through */

    case NGX_HTTP_PORTAIL_PG_FAILED:
        err = NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE;
        database = "erreur";
        break;

    case NGX_HTTP_PORTAIL_PG_TIMEOUT:
        err = NGX_HTTP_PORTAIL_ERR_DELAI_DEPASSE;
        database = "lente";
        break;

    case NGX_HTTP_PORTAIL_PG_OVERLOADED:
        err = NGX_HTTP_PORTAIL_ERR_SERVICE_SURCHARGE;
        database = "saturee";
        break;

    default: /* NGX_HTTP_PORTAIL_PG_UNAVAILABLE */
        err = NGX_HTTP_PORTAIL_ERR_BASE_INDISPONIBLE;
        database = "indisponible";
        break;
    }

    /* a failing check is a 503 for load balancers, 504 when only slow */
    status = (ctx->query->rc == NGX_HTTP_PORTAIL_PG_TIMEOUT)
             ? NGX_HTTP_GATEWAY_TIME_OUT : NGX_HTTP_SERVICE_UNAVAILABLE;

    body = ngx_http_portail_json_pool(r->pool,
               json_pack("{s:s,s:s}", "status", "indisponible",
                         "database", database));
    if (body == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_error_status(r, status, err, body);
}
