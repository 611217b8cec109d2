
/*
 * The fields of a JSON request body, read with their type and length
 * checked, and the 422 answer that lists a message per field.
 */


#include "ngx_http_portail_core.h"


static void ngx_http_portail_json_release(void *data);


json_t *
ngx_http_portail_json_pool(ngx_pool_t *pool, json_t *value)
{
    ngx_pool_cleanup_t  *cln;

    if (value == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        json_decref(value);
        return NULL;
    }

    cln->handler = ngx_http_portail_json_release;
    cln->data = value;

    return value;
}


json_t *
ngx_http_portail_champs(ngx_http_request_t *r)
{
    return ngx_http_portail_json_pool(r->pool, json_object());
}


static void
ngx_http_portail_json_release(void *data)
{
    json_decref(data);
}


/*
 * A string field of the request body.  Too long (in bytes: max counts what
 * we are ready to store) or of another JSON type is a field error; an
 * absent or null field is NGX_DECLINED, for the caller to decide.
 */

ngx_int_t
ngx_http_portail_json_string(ngx_http_portail_ctx_t *ctx, const char *name,
    ngx_str_t *value, size_t max, json_t *champs)
{
    json_t  *v;

    v = json_object_get(ctx->json, name);

    if (v == NULL || json_is_null(v)) {
        return NGX_DECLINED;
    }

    if (!json_is_string(v)) {
        ngx_http_portail_field_error(champs, name,
                                     "Ce champ doit être un texte.");
        return NGX_ERROR;
    }

    value->data = (u_char *) json_string_value(v);
    value->len = json_string_length(v);

    if (value->len > max) {
        ngx_http_portail_field_error(champs, name, "Ce champ est trop long.");
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_portail_json_bool(ngx_http_portail_ctx_t *ctx, const char *name,
    ngx_flag_t *value, json_t *champs)
{
    json_t  *v;

    v = json_object_get(ctx->json, name);

    if (v == NULL || json_is_null(v)) {
        return NGX_DECLINED;
    }

    if (!json_is_boolean(v)) {
        ngx_http_portail_field_error(champs, name,
                                     "Ce champ doit valoir vrai ou faux.");
        return NGX_ERROR;
    }

    *value = json_is_true(v);

    return NGX_OK;
}


/* the first message for a field wins: it is the most basic one */

ngx_int_t
ngx_http_portail_field_error(json_t *champs, const char *name,
    const char *message)
{
    if (json_object_get(champs, name)) {
        return NGX_OK;
    }

    return json_object_set_new(champs, name, json_string(message)) == 0
           ? NGX_OK : NGX_ERROR;
}


/*
 * 422 with a message per field; its code is that of the first file
 * refused for its content (a PDF with a script...), validation otherwise
 */

ngx_int_t
ngx_http_portail_send_validation(ngx_http_request_t *r, json_t *champs)
{
    ngx_http_portail_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    return ngx_http_portail_send_champs(r,
               (ctx && ctx->file_err != NGX_HTTP_PORTAIL_ERR_NONE)
               ? ctx->file_err : NGX_HTTP_PORTAIL_ERR_VALIDATION,
               champs);
}


/* that error, with {"champs": {"<field>": "<message>"...}} */

ngx_int_t
ngx_http_portail_send_champs(ngx_http_request_t *r,
    ngx_http_portail_err_e err, json_t *champs)
{
    json_t  *details;

    details = ngx_http_portail_json_pool(r->pool,
                  json_pack("{s:O}", "champs", champs));
    if (details == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_error_details(r, err, details);
}
