
/*
 * The JSON core: reading request bodies, sending JSON responses, and the one
 * table of error codes every part of the portal answers with.
 *
 * Every error is {"error": "<stable code>", "message": "<French sentence>"}
 * with the status the table gives; clients act on the code, people read the
 * message.  docs/openapi.yaml lists the same codes.
 */


#include "ngx_http_portail.h"


static void ngx_http_portail_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_portail_json_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body);
static void ngx_http_portail_json_cleanup(void *data);
static ngx_int_t ngx_http_portail_type_is(ngx_str_t *type, const char *mime,
    size_t len);


/* the codes every part of the API may answer; concerns add their own */

static ngx_http_portail_error_t  ngx_http_portail_errors[] = {

    { "requete_invalide", NGX_HTTP_BAD_REQUEST,
      "La requête est invalide." },

    { "json_invalide", NGX_HTTP_BAD_REQUEST,
      "Le contenu envoyé n'est pas un objet JSON valide." },

    { "non_authentifie", NGX_HTTP_UNAUTHORIZED,
      "Votre session a expiré ou vous n'êtes pas connecté. "
      "Connectez-vous pour continuer." },

    { "csrf_invalide", NGX_HTTP_FORBIDDEN,
      "La demande n'a pas pu être vérifiée. "
      "Rechargez la page puis réessayez." },

    { "interdit", NGX_HTTP_FORBIDDEN,
      "Vous n'avez pas accès à cette ressource." },

    { "introuvable", NGX_HTTP_NOT_FOUND,
      "La ressource demandée n'existe pas." },

    { "methode_non_autorisee", NGX_HTTP_NOT_ALLOWED,
      "Cette opération n'est pas possible à cette adresse." },

    { "conflit", NGX_HTTP_CONFLICT,
      "Cette opération n'est plus possible dans l'état actuel." },

    { "corps_trop_volumineux", NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
      "Les données envoyées sont trop volumineuses." },

    { "adresse_trop_longue", NGX_HTTP_REQUEST_URI_TOO_LARGE,
      "L'adresse demandée est trop longue." },

    { "type_non_supporte", NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
      "Le type de contenu envoyé n'est pas accepté ici." },

    { "validation", 422,
      "Certains champs sont incorrects : corrigez-les puis réessayez." },

    { "trop_de_requetes", 429,
      "Trop de demandes en peu de temps. "
      "Patientez un instant puis réessayez." },

    { "erreur_interne", NGX_HTTP_INTERNAL_SERVER_ERROR,
      "Une erreur est survenue de notre côté. "
      "Réessayez plus tard." },

    { "base_indisponible", NGX_HTTP_SERVICE_UNAVAILABLE,
      "Le service est momentanément indisponible. "
      "Réessayez dans quelques instants." },

    { "service_surcharge", NGX_HTTP_SERVICE_UNAVAILABLE,
      "Le service est très sollicité en ce moment. "
      "Réessayez dans quelques instants." },

    { "delai_depasse", NGX_HTTP_GATEWAY_TIME_OUT,
      "Le service a mis trop de temps à répondre. "
      "Réessayez dans quelques instants." },

    { NULL, 0, NULL }
};


ngx_int_t
ngx_http_portail_add_errors(ngx_conf_t *cf, ngx_http_portail_error_t *errors)
{
    ngx_http_portail_error_t      **e;
    ngx_http_portail_main_conf_t   *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

    if (pmcf->errors.nelts == 0) {
        e = ngx_array_push(&pmcf->errors);
        if (e == NULL) {
            return NGX_ERROR;
        }

        *e = ngx_http_portail_errors;
    }

    e = ngx_array_push(&pmcf->errors);
    if (e == NULL) {
        return NGX_ERROR;
    }

    *e = errors;

    return NGX_OK;
}


static ngx_http_portail_error_t *
ngx_http_portail_error_find(ngx_http_request_t *r, const char *code)
{
    ngx_uint_t                      i;
    ngx_http_portail_error_t       *e, **tables;
    ngx_http_portail_main_conf_t   *pmcf;

    for (e = ngx_http_portail_errors; e->code; e++) {
        if (ngx_strcmp(e->code, code) == 0) {
            return e;
        }
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    tables = pmcf->errors.elts;

    for (i = 1; i < pmcf->errors.nelts; i++) {
        for (e = tables[i]; e->code; e++) {
            if (ngx_strcmp(e->code, code) == 0) {
                return e;
            }
        }
    }

    return NULL;
}


/* key is a constant; value must live as long as the request */

ngx_int_t
ngx_http_portail_add_header(ngx_http_request_t *r, const char *key,
    u_char *value, size_t len)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value.data = value;
    h->value.len = len;

    return NGX_OK;
}


/* API answers are personal: never stored by a browser or a proxy */

ngx_int_t
ngx_http_portail_set_no_store(ngx_http_request_t *r)
{
    if (ngx_http_portail_add_header(r, "Cache-Control", (u_char *) "no-store",
                                    sizeof("no-store") - 1)
        != NGX_OK
        || ngx_http_portail_add_header(r, "X-Content-Type-Options",
                                       (u_char *) "nosniff",
                                       sizeof("nosniff") - 1)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* data must stay valid until the request ends (pool or PGresult memory) */

ngx_int_t
ngx_http_portail_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *data, size_t len)
{
    return ngx_http_portail_send_body(r, status,
                                      "application/json; charset=utf-8",
                                      sizeof("application/json") - 1,
                                      data, len);
}


/* type: a constant; type_len: the length of its MIME part */

ngx_int_t
ngx_http_portail_send_body(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, size_t type_len, u_char *data, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;

    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = type_len;
    r->headers_out.content_type_lowcase = NULL;

    if (ngx_http_portail_set_no_store(r) != NGX_OK) {
        return NGX_ERROR;
    }

    if (len == 0 || r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = data;
    b->last = data + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_http_portail_send_json_value(ngx_http_request_t *r, ngx_uint_t status,
    json_t *value)
{
    size_t   len;
    u_char  *p;

    len = json_dumpb(value, NULL, 0, JSON_COMPACT);
    if (len == 0) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (json_dumpb(value, (char *) p, len, JSON_COMPACT) != len) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_json(r, status, p, len);
}


ngx_int_t
ngx_http_portail_send_error(ngx_http_request_t *r, const char *code)
{
    return ngx_http_portail_send_error_details(r, code, NULL);
}


/*
 * details, when given, is an object merged into the answer (e.g. "champs"
 * with a message per field); this function takes the reference.
 */

ngx_int_t
ngx_http_portail_send_error_details(ngx_http_request_t *r, const char *code,
    json_t *details)
{
    return ngx_http_portail_send_error_status(r, 0, code, details);
}


/* status 0: the one the table gives for the code */

ngx_int_t
ngx_http_portail_send_error_status(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, json_t *details)
{
    json_t                    *body;
    ngx_int_t                  rc;
    ngx_uint_t                 level;
    ngx_http_portail_error_t  *e;

    e = ngx_http_portail_error_find(r, code);

    if (e == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "portail: unknown error code \"%s\"", code);
        e = ngx_http_portail_error_find(r, "erreur_interne");
    }

    if (status == 0) {
        status = e->status;
    }

    /* client mistakes are routine; our failures are logged where they occur */
    level = (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) ? NGX_LOG_WARN
                                                       : NGX_LOG_INFO;

    ngx_log_error(level, r->connection->log, 0,
                  "portail: answered %ui %s", status, e->code);

    body = json_pack("{s:s,s:s}", "error", e->code, "message", e->message);

    if (body == NULL) {
        json_decref(details);
        return NGX_ERROR;
    }

    if (details && json_object_update(body, details) != 0) {
        json_decref(details);
        json_decref(body);
        return NGX_ERROR;
    }

    json_decref(details);

    rc = ngx_http_portail_send_json_value(r, status, body);

    json_decref(body);

    return rc;
}


ngx_int_t
ngx_http_portail_send_pg_error(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q)
{
    switch (q->rc) {

    case NGX_HTTP_PORTAIL_PG_UNAVAILABLE:
        return ngx_http_portail_send_error(r, "base_indisponible");

    case NGX_HTTP_PORTAIL_PG_OVERLOADED:
        return ngx_http_portail_send_error(r, "service_surcharge");

    case NGX_HTTP_PORTAIL_PG_TIMEOUT:
        return ngx_http_portail_send_error(r, "delai_depasse");

    default:
        return ngx_http_portail_send_error(r, "erreur_interne");
    }
}


/*
 * Starts reading the body of a route that has one: JSON, or a multipart
 * upload.  The route's handler runs once it is read and parsed.  Only
 * application/json and multipart/form-data are accepted: that also keeps
 * other sites' plain HTML forms out, whatever the CSRF check says.  The
 * few routes that take a plain form (a payment provider's notification)
 * say so, and authenticate it otherwise.
 */

ngx_int_t
ngx_http_portail_read_body(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    size_t                         max, blen;
    ngx_int_t                      rc;
    ngx_str_t                     *type;
    const u_char                  *boundary;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    type = r->headers_in.content_type ? &r->headers_in.content_type->value
                                      : NULL;

    if (ctx->route->flags & NGX_HTTP_PORTAIL_MULTIPART) {
        max = pmcf->upload_max_body;

        if (type == NULL
            || portail_multipart_boundary(type->data, type->len, &boundary,
                                          &blen)
               != 0)
        {
            return ngx_http_portail_send_error(r, "type_non_supporte");
        }

    } else {
        max = pmcf->json_max_size;

        if (!ngx_http_portail_type_is(type,
                 (ctx->route->flags & NGX_HTTP_PORTAIL_FORM_BODY)
                 ? "application/x-www-form-urlencoded" : "application/json",
                 (ctx->route->flags & NGX_HTTP_PORTAIL_FORM_BODY)
                 ? sizeof("application/x-www-form-urlencoded") - 1
                 : sizeof("application/json") - 1))
        {
            return ngx_http_portail_send_error(r, "type_non_supporte");
        }
    }

    /* refused before a byte of the body is read */
    if (r->headers_in.content_length_n > (off_t) max) {
        r->keepalive = 0;
        return ngx_http_portail_send_error(r, "corps_trop_volumineux");
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_portail_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_portail_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_str_t                      body;
    ngx_http_portail_ctx_t        *ctx;
    ngx_http_portail_main_conf_t  *pmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);
    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    rc = ngx_http_portail_body_bytes(r, &body,
                                     (ctx->route->flags
                                      & NGX_HTTP_PORTAIL_MULTIPART)
                                     ? pmcf->upload_max_body
                                     : pmcf->json_max_size);

    if (rc == NGX_DECLINED) {
        r->keepalive = 0;
        ngx_http_finalize_request(r,
                      ngx_http_portail_send_error(r, "corps_trop_volumineux"));
        return;
    }

    if (rc == NGX_OK) {
        if (ctx->route->flags & NGX_HTTP_PORTAIL_MULTIPART) {
            rc = ngx_http_portail_multipart_parse(r, ctx, &body);

        } else if (ctx->route->flags & NGX_HTTP_PORTAIL_FORM_BODY) {
            rc = ngx_http_portail_form_parse(r, ctx, &body);

        } else {
            rc = ngx_http_portail_json_parse(r, ctx, &body);
        }
    }

    if (rc == NGX_DECLINED) {
        ngx_http_finalize_request(r, ngx_http_portail_send_error(r,
                      (ctx->route->flags & NGX_HTTP_PORTAIL_JSON_BODY)
                      ? "json_invalide" : "requete_invalide"));
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_http_finalize_request(r, ctx->route->handler(r, ctx));
}


/* NGX_DECLINED: not a JSON object */

static ngx_int_t
ngx_http_portail_json_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body)
{
    json_t              *json;
    json_error_t         err;
    ngx_pool_cleanup_t  *cln;

    /* jansson refuses invalid UTF-8 and, without JSON_ALLOW_NUL, NUL bytes */

    json = json_loadb((const char *) body->data, body->len,
                      JSON_REJECT_DUPLICATES, &err);

    if (json == NULL || !json_is_object(json)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: invalid JSON body: %s",
                      json ? "not an object" : err.text);
        json_decref(json);
        return NGX_DECLINED;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(json);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_portail_json_cleanup;
    cln->data = json;

    ctx->json = json;

    return NGX_OK;
}


/* a Content-Type of that type, with or without parameters */

static ngx_int_t
ngx_http_portail_type_is(ngx_str_t *type, const char *mime, size_t len)
{
    return type != NULL
           && type->len >= len
           && ngx_strncasecmp(type->data, (u_char *) mime, len) == 0
           && (type->len == len || type->data[len] == ';'
               || type->data[len] == ' ');
}


/*
 * application/x-www-form-urlencoded, decoded in place into ctx->parts
 * (plain fields, as a multipart body without files would give them).
 * NGX_DECLINED: malformed.
 */

ngx_int_t
ngx_http_portail_form_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body)
{
    int                       rc;
    portail_form_t            form;
    portail_field_t           field;
    ngx_http_portail_part_t  *part;

    ctx->parts = ngx_array_create(r->pool, 32, sizeof(ngx_http_portail_part_t));
    if (ctx->parts == NULL) {
        return NGX_ERROR;
    }

    portail_form_init(&form, body->data, body->len);

    for ( ;; ) {
        rc = portail_form_next(&form, &field);

        if (rc == 0) {
            return NGX_OK;
        }

        if (rc < 0 || ctx->parts->nelts == 128) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "portail: malformed form body");
            return NGX_DECLINED;
        }

        part = ngx_array_push(ctx->parts);
        if (part == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(part, sizeof(ngx_http_portail_part_t));

        part->name.data = (u_char *) field.name;
        part->name.len = field.name_len;
        part->data.data = (u_char *) field.value;
        part->data.len = field.value_len;
    }
}


/*
 * The body as one contiguous block, from memory or from the temporary file
 * nginx spilled it to; NGX_DECLINED when longer than max.
 */

ngx_int_t
ngx_http_portail_body_bytes(ngx_http_request_t *r, ngx_str_t *body,
    size_t max)
{
    off_t         len;
    u_char       *p;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    body->len = 0;
    body->data = (u_char *) "";

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (len > (off_t) max) {
        return NGX_DECLINED;
    }

    if (len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, (size_t) len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, (size_t) (b->file_last - b->file_pos),
                              b->file_pos);

            if (n != b->file_last - b->file_pos) {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "portail: cannot read the request body back "
                              "from \"%V\"", &b->file->name);
                return NGX_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    body->len = p - body->data;

    return NGX_OK;
}


static void
ngx_http_portail_json_cleanup(void *data)
{
    json_decref(data);
}


/*
 * error_page target of API locations: the errors nginx itself produces
 * (body over client_max_body_size, limit_req, bad request line...) are
 * answered in the same JSON shape as ours.
 */

ngx_int_t
ngx_http_portail_errors_handler(ngx_http_request_t *r)
{
    ngx_uint_t   status;
    const char  *code;

    status = r->err_status ? (ngx_uint_t) r->err_status
                           : r->headers_out.status;

    switch (status) {

    case NGX_HTTP_BAD_REQUEST:
        code = "requete_invalide";
        break;

    case NGX_HTTP_UNAUTHORIZED:
        code = "non_authentifie";
        break;

    case NGX_HTTP_FORBIDDEN:
        code = "interdit";
        break;

    case NGX_HTTP_NOT_FOUND:
        code = "introuvable";
        break;

    case NGX_HTTP_NOT_ALLOWED:
        code = "methode_non_autorisee";
        break;

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        code = "corps_trop_volumineux";
        break;

    case NGX_HTTP_REQUEST_URI_TOO_LARGE:
        code = "adresse_trop_longue";
        break;

    case NGX_HTTP_UNSUPPORTED_MEDIA_TYPE:
        code = "type_non_supporte";
        break;

    case 429:
        code = "trop_de_requetes";
        break;

    case NGX_HTTP_SERVICE_UNAVAILABLE:
        code = "service_surcharge";
        break;

    case NGX_HTTP_GATEWAY_TIME_OUT:
        code = "delai_depasse";
        break;

    default:
        code = "erreur_interne";
        break;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    return ngx_http_portail_send_error(r, code);
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


/* 422 with a message per field; takes the reference to champs */

ngx_int_t
ngx_http_portail_send_validation(ngx_http_request_t *r, json_t *champs)
{
    json_t  *details;

    details = json_pack("{s:o}", "champs", champs);
    if (details == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_error_details(r, "validation", details);
}
