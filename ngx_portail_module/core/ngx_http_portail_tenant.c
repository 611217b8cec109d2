
/*
 * Answering a signed-in tenant.  The statements of the sections check the
 * session cookie's token in PostgreSQL (portail.session_valide) and answer
 * only the tenant's own rows, so a handler here sends one query and turns
 * its answer into the response: a read's JSON, or an action's code and
 * body (portail.resultat_api), a 401 when the session is gone, a 404 when
 * the row is not the tenant's.
 */


#include "ngx_http_portail_core.h"


static ngx_int_t ngx_http_portail_contract_arg(ngx_http_request_t *r,
    u_char **out);


/*
 * "2013936", "L2013936" (a path segment) or "L/2013936" (a query argument)
 * into "L/2013936", NUL-terminated.  NGX_DECLINED: not a contract number.
 */

ngx_int_t
ngx_http_portail_contract_number(ngx_str_t *in, u_char *out)
{
    u_char  digits[PORTAIL_REFERENCE_LEN];

    if (in->len == 0 || in->len > 16
        || portail_check_reference(in->data, in->len, digits) != NULL)
    {
        return NGX_DECLINED;
    }

    out[0] = 'L';
    out[1] = '/';
    ngx_memcpy(out + 2, digits, PORTAIL_REFERENCE_LEN);
    out[NGX_HTTP_PORTAIL_NUMERO_LEN] = '\0';

    return NGX_OK;
}


/*
 * ?contrat=2013936: the contract a page is narrowed to.  NGX_OK (*out set,
 * from the request's pool: it must outlive the query), NGX_DECLINED (not
 * given) or NGX_ERROR (not a contract number: 404).
 */

static ngx_int_t
ngx_http_portail_contract_arg(ngx_http_request_t *r, u_char **out)
{
    u_char     *dst, *src;
    ngx_str_t   value, decoded;

    if (ngx_http_arg(r, (u_char *) "contrat", sizeof("contrat") - 1, &value)
        != NGX_OK || value.len == 0)
    {
        return NGX_DECLINED;
    }

    if (value.len > 32) {
        return NGX_ERROR;
    }

    decoded.data = ngx_pnalloc(r->pool, value.len);
    if (decoded.data == NULL) {
        return NGX_ERROR;
    }

    dst = decoded.data;
    src = value.data;
    ngx_unescape_uri(&dst, &src, value.len, NGX_UNESCAPE_URI);
    decoded.len = dst - decoded.data;

    *out = ngx_pnalloc(r->pool, NGX_HTTP_PORTAIL_NUMERO_LEN + 1);
    if (*out == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_portail_contract_number(&decoded, *out) == NGX_OK
           ? NGX_OK : NGX_ERROR;
}


/*
 * A list page for a signed-in tenant, narrowed to one contract by
 * ?contrat= (the statement's $2; null: all of them).
 */

ngx_int_t
ngx_http_portail_tenant_read_narrowed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt)
{
    u_char     *numero;
    ngx_int_t   rc;

    numero = NULL;
    rc = ngx_http_portail_contract_arg(r, &numero);

    if (rc == NGX_ERROR) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    return ngx_http_portail_tenant_read(r, ctx, stmt,
                                        rc == NGX_OK ? numero : NULL,
                                        NGX_HTTP_PORTAIL_NUMERO_LEN);
}


/*
 * A numeric id of a path, copied NUL-terminated (libpq reads text
 * parameters up to their NUL).  NGX_DECLINED: not an id (answered 404).
 */

ngx_int_t
ngx_http_portail_path_id(ngx_http_request_t *r, ngx_str_t *arg,
    ngx_str_t *id)
{
    size_t  i;

    if (arg->len == 0 || arg->len > 18) {
        return NGX_DECLINED;
    }

    for (i = 0; i < arg->len; i++) {
        if (arg->data[i] < '0' || arg->data[i] > '9') {
            return NGX_DECLINED;
        }
    }

    id->data = ngx_pnalloc(r->pool, arg->len + 1);
    if (id->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(id->data, arg->data, arg->len);
    id->data[arg->len] = '\0';
    id->len = arg->len;

    return NGX_OK;
}


/*
 * A read for a signed-in tenant: statement ($1 session, $2 the argument or
 * null) whose columns are compte_id, session_id, a_toucher, corps.
 */

ngx_int_t
ngx_http_portail_tenant_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt, u_char *arg,
    size_t len)
{
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    call = ngx_http_portail_request_call(r, stmt, &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || (arg ? ngx_http_portail_pg_param(call, arg, len)
                : ngx_http_portail_pg_param_null(call)) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_tenant_read_done);
}


/* the JSON PostgreSQL built, as it comes; no JSON: not the tenant's, 404 */

ngx_int_t
ngx_http_portail_tenant_read_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t  body;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &body) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    return ngx_http_portail_send_json(r, NGX_HTTP_OK, body.data, body.len);
}


/*
 * The outcome of a write (columns compte_id, session_id, a_toucher,
 * resultat, corps): "ok" sends corps with status, "introuvable" 404.  Any
 * other outcome is NGX_DECLINED, left in outcome for the caller.
 */

ngx_int_t
ngx_http_portail_tenant_write_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t status, ngx_str_t *outcome)
{
    ngx_str_t  body;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, outcome) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    if (outcome->len == 2 && ngx_strncmp(outcome->data, "ok", 2) == 0) {
        if (ngx_http_portail_pg_value(ctx->query, 0, 0, 4, &body) != NGX_OK) {
            return ngx_http_portail_send_error(r,
                       NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
        }

        return ngx_http_portail_send_json(r, status, body.data, body.len);
    }

    if (outcome->len == sizeof("introuvable") - 1
        && ngx_strncmp(outcome->data, "introuvable", outcome->len) == 0)
    {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    return NGX_DECLINED;
}





/*
 * The answer of an action statement: the session's columns, then the code
 * and the body of a portail.resultat_api.
 */

ngx_int_t
ngx_http_portail_answer(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    json_t                       *details;
    ngx_str_t                     code, body;
    json_error_t                  err;
    ngx_http_portail_pg_query_t  *q;

    q = ctx->query;

    if (q->rc != NGX_HTTP_PORTAIL_PG_OK) {
        return ngx_http_portail_send_pg_error(r, q);
    }

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(q, 0, 0, 3, &code) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    if (ngx_http_portail_pg_value(q, 0, 0, 4, &body) != NGX_OK) {
        ngx_str_null(&body);
    }

    if (body.len && code.len == 2 && ngx_strncmp(code.data, "ok", 2) == 0) {
        return ngx_http_portail_send_json(r, NGX_HTTP_OK, body.data,
                                          body.len);
    }

    if (body.len && code.len == 4 && ngx_strncmp(code.data, "cree", 4) == 0) {
        return ngx_http_portail_send_json(r, NGX_HTTP_CREATED, body.data,
                                          body.len);
    }

    if (code.len == 11 && ngx_strncmp(code.data, "introuvable", 11) == 0) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    /* a conflict's message and a validation's fields, from PostgreSQL */

    details = body.len ? ngx_http_portail_json_pool(r->pool,
                             json_loadb((const char *) body.data, body.len, 0,
                                        &err))
                       : NULL;

    if (details && json_is_object(details)) {

        if (code.len == 7 && ngx_strncmp(code.data, "conflit", 7) == 0) {
            return ngx_http_portail_send_error_details(r,
                       NGX_HTTP_PORTAIL_ERR_CONFLIT, details);
        }

        if (code.len == 10 && ngx_strncmp(code.data, "validation", 10) == 0) {
            return ngx_http_portail_send_validation(r, details);
        }
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "portail: statement \"%s\" answered \"%V\"",
                  q->calls[0].stmt->name, &code);

    return ngx_http_portail_send_error(r, NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
}


/*
 * The first parameters of a statement run for a signed-in tenant: the
 * session, then the first nargs ids of the path, each one digits only or
 * NULL (nothing matches it: 404).
 */

ngx_int_t
ngx_http_portail_tenant_params(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_ctx_t *ctx,
    ngx_uint_t nargs)
{
    size_t      j;
    ngx_int_t   rc;
    ngx_str_t  *arg;
    ngx_uint_t  i;

    rc = ngx_http_portail_session_param(q, call, ctx);

    for (i = 0; rc == NGX_OK && i < nargs; i++) {
        arg = &ctx->args[i];

        for (j = 0; j < arg->len; j++) {
            if (arg->data[j] < '0' || arg->data[j] > '9') {
                break;
            }
        }

        rc = (i < ctx->nargs && arg->len && arg->len <= 18 && j == arg->len)
             ? ngx_http_portail_pg_param_str(q, call, arg)
             : ngx_http_portail_pg_param_null(call);
    }

    return rc;
}


/*
 * A statement whose parameters are the session, the first nargs ids of the
 * path and, for a change, the client's address (for the journal).
 */

ngx_int_t
ngx_http_portail_tenant_action(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_stmt_t *stmt,
    ngx_uint_t nargs, ngx_http_portail_handler_pt next)
{
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    call = ngx_http_portail_request_call(r, stmt, &q);

    if (call == NULL
        || ngx_http_portail_tenant_params(q, call, ctx, nargs) != NGX_OK
        || (r->method != NGX_HTTP_GET && r->method != NGX_HTTP_HEAD
            && ngx_http_portail_param_ip(r, q, call) != NGX_OK))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->own_errors = 1;

    return ngx_http_portail_query(r, ctx, q, next);
}


ngx_int_t
ngx_http_portail_contrat_digits(ngx_str_t *value, u_char out[8],
    json_t *champs)
{
    if (portail_check_reference(value->data, value->len, out) != NULL) {
        ngx_http_portail_field_error(champs, "contrat",
                                     "Le numéro de contrat compte 7 "
                                     "chiffres, par exemple 2013936 pour le "
                                     "contrat L/2013936.");
        return NGX_ERROR;
    }

    out[7] = '\0';

    return NGX_OK;
}


/* answers the JSON of the statement's fourth column; none: not theirs */

ngx_int_t
ngx_http_portail_tenant_json_answer(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t status)
{
    ngx_str_t  body;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &body) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    return ngx_http_portail_send_json(r, status, body.data, body.len);
}
