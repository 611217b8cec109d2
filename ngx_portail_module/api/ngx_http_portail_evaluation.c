
/*
 * POST /api/mot-de-passe/evaluation {mot_de_passe, email?, nom?}: whether
 * a new password would be accepted, and why not, so that the page's
 * checklist is the server's.  The same judge decides registration,
 * password change and reset (ngx_http_portail_password_judge()); a
 * signed-in tenant's own names and address come from the account, the
 * others from the body, as registration has them.
 *
 * The judge is no oracle to query at will: evaluations are counted per
 * client address in PostgreSQL (portail_password_evaluations_per_address
 * in portail_password_evaluation_window), which the nodes share.
 */


#include "ngx_http_portail_core.h"


typedef struct {
    ngx_str_t                         password;
    ngx_str_t                         email;
    ngx_str_t                         nom;
} ngx_http_portail_evaluation_t;


static ngx_int_t ngx_http_portail_evaluation(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_evaluation_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);


static ngx_http_portail_route_t  ngx_http_portail_evaluation_routes[] = {

    { NGX_HTTP_POST, ngx_string("/api/mot-de-passe/evaluation"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_evaluation },

    { 0, ngx_null_string, 0, NULL }
};


static ngx_http_portail_stmt_t  ngx_http_portail_evaluation_stmts[] = {

    { "mot_de_passe_evaluer",
      "SELECT permis, noms, email"
      " FROM portail.mot_de_passe_evaluer($1::bytea, $2::inet, $3::integer,"
      " make_interval(secs => $4::bigint))",
      4, 0 }
};


static ngx_int_t
ngx_http_portail_evaluation(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                         *champs;
    ngx_int_t                       rc;
    ngx_http_portail_pg_call_t     *call;
    ngx_http_portail_pg_query_t    *q;
    ngx_http_portail_evaluation_t  *e;
    ngx_http_portail_main_conf_t   *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    e = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_evaluation_t));
    champs = ngx_http_portail_champs(r);

    if (e == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = e;

    rc = ngx_http_portail_json_string(ctx, "mot_de_passe", &e->password,
                                      4 * PORTAIL_PASSWORD_MAX_CHARS, champs);
    if (rc == NGX_DECLINED) {
        ngx_http_portail_field_error(champs, "mot_de_passe",
                                     "Saisissez le mot de passe à évaluer.");
    }

    rc = ngx_http_portail_json_string(ctx, "email", &e->email, 1024, champs);
    if (rc == NGX_DECLINED) {
        ngx_str_null(&e->email);
    }

    rc = ngx_http_portail_json_string(ctx, "nom", &e->nom, 1024, champs);
    if (rc == NGX_DECLINED) {
        ngx_str_null(&e->nom);
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }

    call = ngx_http_portail_request_call(r,
                                         &ngx_http_portail_evaluation_stmts[0],
                                         &q);
    if (call == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = (ngx_http_portail_session_cookie(r, ctx) == NGX_OK)
         ? ngx_http_portail_session_param(q, call, ctx)
         : ngx_http_portail_pg_param_null(call);

    if (rc != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, pmcf->auth.evaluations)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                         pmcf->auth.evaluation_window)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_evaluation_done);
}


static ngx_int_t
ngx_http_portail_evaluation_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                         *p;
    ngx_str_t                       permis, noms, email;
    portail_verdict_t               v;
    ngx_http_portail_evaluation_t  *e;
    ngx_http_portail_main_conf_t   *pmcf;

    e = ctx->data;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &permis) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    if (permis.len != 1 || permis.data[0] != 't') {
        pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: password evaluations throttled for "
                      "this address");

        p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
        if (p == NULL
            || ngx_http_portail_add_header(r, "Retry-After", p,
                   ngx_sprintf(p, "%T", pmcf->auth.evaluation_window) - p)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_TROP_D_EVALUATIONS);
    }

    /* a signed-in tenant: the account's words, not the body's */

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 2, &email) == NGX_OK) {
        if (ngx_http_portail_pg_value(ctx->query, 0, 0, 1, &noms) != NGX_OK) {
            ngx_str_null(&noms);
        }

        ngx_http_portail_password_judge(r, &e->password, &noms, &email, &v);

    } else {
        ngx_http_portail_password_judge(r, &e->password, &e->nom, &e->email,
                                        &v);
    }

    if (ngx_http_portail_set_no_store(r) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_verdict(r, &v);
}


ngx_int_t
ngx_http_portail_evaluation_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_evaluation_stmts,
            sizeof(ngx_http_portail_evaluation_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_evaluation_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}
