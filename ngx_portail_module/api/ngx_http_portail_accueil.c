
/*
 * Accueil: the home page of a signed-in tenant, and one news item in full.
 *
 * GET /api/accueil is the portal's hot path: every tenant opens it at each
 * visit.  It is one prepared statement (portail.accueil, inlined by
 * PostgreSQL) that checks the session and builds the whole JSON answer:
 * the news of the tenant's profile, and at a glance each contract's
 * balance, next due date and insurance, the open requests, the survey
 * waiting for an answer.  The module only relays the bytes.
 */


#include "ngx_http_portail_core.h"


static ngx_int_t ngx_http_portail_accueil_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_actualite_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);


enum {
    NGX_HTTP_PORTAIL_ACCUEIL = 0,
    NGX_HTTP_PORTAIL_ACTUALITE
};


static ngx_http_portail_stmt_t  ngx_http_portail_accueil_stmts[] = {

    { "accueil",
      "SELECT compte_id, session_id, a_toucher, corps"
      " FROM portail.accueil($1::bytea, $2::text)",
      2, 0 },

    { "actualite_lire",
      "SELECT compte_id, session_id, a_toucher, corps"
      " FROM portail.actualite_lire($1::bytea, $2::bigint)",
      2, 0 }
};


static ngx_http_portail_route_t  ngx_http_portail_accueil_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/accueil"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_accueil_get },

    { NGX_HTTP_GET, ngx_string("/api/actualites/{}"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_actualite_get },

    { 0, ngx_null_string, 0, NULL }
};


ngx_int_t
ngx_http_portail_accueil_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_accueil_stmts,
            sizeof(ngx_http_portail_accueil_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_accueil_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* GET /api/accueil[?contrat=2013936] */

static ngx_int_t
ngx_http_portail_accueil_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_tenant_read_narrowed(r, ctx,
                    &ngx_http_portail_accueil_stmts[NGX_HTTP_PORTAIL_ACCUEIL]);
}


/* GET /api/actualites/{id}: only a news item this tenant is shown */

static ngx_int_t
ngx_http_portail_actualite_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_int_t                     rc;
    ngx_str_t                     id;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    rc = ngx_http_portail_path_id(r, &ctx->args[0], &id);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    call = ngx_http_portail_request_call(r,
                    &ngx_http_portail_accueil_stmts[NGX_HTTP_PORTAIL_ACTUALITE],
                    &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, id.data, id.len) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* news are published ahead of time: the standby may answer */
    q->primary = 0;

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_tenant_read_done);
}
