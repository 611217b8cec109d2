
/*
 * GET /api/sante: the health check load balancers and ops probe.  It
 * makes a real round trip to PostgreSQL through the pool, so it fails as
 * soon as the portal cannot serve tenants.
 */


#include "ngx_http_portail.h"


static ngx_int_t ngx_http_portail_sante_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);


static ngx_http_portail_stmt_t  ngx_http_portail_sante_stmts[] = {

    /* reads the schema version: a missing migration table is a failure */
    { "sante",
      "SELECT max(version) FROM portail.schema_migrations",
      0, 0 }
};


ngx_int_t
ngx_http_portail_sante_init(ngx_conf_t *cf)
{
    return ngx_http_portail_pg_register(cf, ngx_http_portail_sante_stmts,
                                        1);
}


ngx_int_t
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
ngx_http_portail_sante_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t       *body;
    const char   *code, *database;
    ngx_uint_t    status;

    static u_char  ok[] = "{\"status\":\"ok\",\"database\":\"ok\"}";

    switch (ctx->query->rc) {

    case NGX_HTTP_PORTAIL_PG_OK:
        if (ngx_http_portail_pg_rows(ctx->query, 0) == 1) {
            return ngx_http_portail_send_json(r, NGX_HTTP_OK, ok,
                                              sizeof(ok) - 1);
        }

        /* fall through */

    case NGX_HTTP_PORTAIL_PG_FAILED:
        code = "erreur_interne";
        database = "erreur";
        break;

    case NGX_HTTP_PORTAIL_PG_TIMEOUT:
        code = "delai_depasse";
        database = "lente";
        break;

    case NGX_HTTP_PORTAIL_PG_OVERLOADED:
        code = "service_surcharge";
        database = "saturee";
        break;

    default: /* NGX_HTTP_PORTAIL_PG_UNAVAILABLE */
        code = "base_indisponible";
        database = "indisponible";
        break;
    }

    /* a failing check is a 503 for load balancers, 504 when only slow */
    status = (ctx->query->rc == NGX_HTTP_PORTAIL_PG_TIMEOUT)
             ? NGX_HTTP_GATEWAY_TIME_OUT : NGX_HTTP_SERVICE_UNAVAILABLE;

    body = json_pack("{s:s,s:s}", "status", "indisponible",
                     "database", database);
    if (body == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_error_status(r, status, code, body);
}
