
/*
 * A request of the API once routed: its body read and parsed, its queries
 * sent to the pool (the session checked by the primary when a read goes to
 * the standby), and its answer: JSON, or an error from the table.
 *
 * Every error is {"error": "<stable code>", "message": "<French sentence>"}
 * with the status the table gives; clients act on the code, people read the
 * message.  docs/openapi.yaml lists the same codes.
 */


#include "ngx_http_portail_core.h"


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
static void ngx_http_portail_body_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_http_portail_api_request(ngx_http_request_t *r);
static ngx_int_t ngx_http_portail_json_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body);
static ngx_int_t ngx_http_portail_type_is(ngx_str_t *type, const char *mime,
    size_t len);


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


/*
 * API answers are personal: never stored by a browser or a proxy.  The
 * security headers every answer carries (nosniff among them) are the
 * configuration's (conf/portail-securite.conf), set once for all.
 */

ngx_int_t
ngx_http_portail_set_no_store(ngx_http_request_t *r)
{
    if (ngx_http_portail_add_header(r, "Cache-Control", (u_char *) "no-store",
                                    sizeof("no-store") - 1)
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
ngx_http_portail_send_error(ngx_http_request_t *r, ngx_http_portail_err_e err)
{
    return ngx_http_portail_send_error_details(r, err, NULL);
}


/*
 * details, when given, is an object merged into the answer (e.g. "champs"
 * with a message per field); it is borrowed, as every json_t given to a
 * function of the core.
 */

ngx_int_t
ngx_http_portail_send_error_details(ngx_http_request_t *r,
    ngx_http_portail_err_e err, json_t *details)
{
    return ngx_http_portail_send_error_status(r, 0, err, details);
}


/* status 0: the one the table gives for the code */

ngx_int_t
ngx_http_portail_send_error_status(ngx_http_request_t *r, ngx_uint_t status,
    ngx_http_portail_err_e err, json_t *details)
{
    json_t                          *body;
    ngx_uint_t                       level;
    const ngx_http_portail_error_t  *e;

    e = ngx_http_portail_error(err);

    if (status == 0) {
        status = e->status;
    }

    /* client mistakes are routine; our failures are logged where they occur */
    level = (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) ? NGX_LOG_WARN
                                                       : NGX_LOG_INFO;

    ngx_log_error(level, r->connection->log, 0,
                  "portail: answered %ui %V", status, &e->code);

    body = ngx_http_portail_json_pool(r->pool,
               json_pack("{s:s%,s:s}", "error", e->code.data, e->code.len,
                         "message", e->message));

    if (body == NULL
        || (details && json_object_update(body, details) != 0))
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_json_value(r, status, body);
}


ngx_int_t
ngx_http_portail_send_pg_error(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q)
{
    switch (q->rc) {

    case NGX_HTTP_PORTAIL_PG_UNAVAILABLE:
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_BASE_INDISPONIBLE);

    case NGX_HTTP_PORTAIL_PG_OVERLOADED:
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_SERVICE_SURCHARGE);

    case NGX_HTTP_PORTAIL_PG_TIMEOUT:
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_DELAI_DEPASSE);

    default:
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
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
            return ngx_http_portail_send_error(r,
                       NGX_HTTP_PORTAIL_ERR_TYPE_NON_SUPPORTE);
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
            return ngx_http_portail_send_error(r,
                       NGX_HTTP_PORTAIL_ERR_TYPE_NON_SUPPORTE);
        }
    }

    /* refused before a byte of the body is read */
    if (r->headers_in.content_length_n > (off_t) max) {
        r->keepalive = 0;
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_CORPS_TROP_VOLUMINEUX);
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
                      ngx_http_portail_send_error(r,
                                 NGX_HTTP_PORTAIL_ERR_CORPS_TROP_VOLUMINEUX));
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
                      ? NGX_HTTP_PORTAIL_ERR_JSON_INVALIDE
                      : NGX_HTTP_PORTAIL_ERR_REQUETE_INVALIDE));
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (ctx->route->flags & NGX_HTTP_PORTAIL_MULTIPART) {
        /* its PDFs first, in the thread pool: the handler runs after */
        rc = ngx_http_portail_inspect(r, ctx, ctx->route->handler);

        if (rc != NGX_OK) {
            ngx_http_finalize_request(r, rc);
            return;
        }
    }

    ngx_http_finalize_request(r, ctx->route->handler(r, ctx));
}


/* NGX_DECLINED: not a JSON object */

static ngx_int_t
ngx_http_portail_json_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body)
{
    json_t        *json;
    json_error_t   err;

    /* jansson refuses invalid UTF-8 and, without JSON_ALLOW_NUL, NUL bytes */

    json = json_loadb((const char *) body->data, body->len,
                      JSON_REJECT_DUPLICATES, &err);

    if (json == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: invalid JSON body: %s", err.text);
        return NGX_DECLINED;
    }

    if (ngx_http_portail_json_pool(r->pool, json) == NULL) {
        return NGX_ERROR;
    }

    if (!json_is_object(json)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: invalid JSON body: not an object");
        return NGX_DECLINED;
    }

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


/*
 * Whether a request is the API's, by the path of its request line as the
 * client sent it: errors nginx raises while reading the request line or
 * headers (414, 494, 400) reach the handler through an internal redirect,
 * with no URI of their own or the error page's.  The line is set once nginx
 * has logged the error; before that, it starts at request_start.
 */

static ngx_uint_t
ngx_http_portail_api_request(ngx_http_request_t *r)
{
    u_char  *p, *last;

    if (r->request_line.len) {
        p = r->request_line.data;
        last = p + r->request_line.len;

    } else if (r->request_start && r->header_in
               && r->header_in->pos > r->request_start)
    {
        p = r->request_start;
        last = r->header_in->pos;

    } else {
        return r->uri.len >= 5 && ngx_strncmp(r->uri.data, "/api/", 5) == 0;
    }

    /* after the method */

    p = ngx_strlchr(p, last, ' ');
    if (p == NULL) {
        return 0;
    }

    p++;

    return last - p >= 5 && ngx_strncmp(p, "/api/", 5) == 0;
}


/*
 * error_page target, for the server (errors raised before a location is
 * chosen) and API locations: the errors nginx itself produces (body over
 * client_max_body_size, limit_req, a URI too long, a bad request line...)
 * are answered in the same JSON shape as ours on the API's paths; other
 * paths get nginx's own page.
 */

ngx_int_t
ngx_http_portail_errors_handler(ngx_http_request_t *r)
{
    ngx_uint_t   status;
    ngx_http_portail_err_e   err;

    status = r->err_status ? (ngx_uint_t) r->err_status
                           : r->headers_out.status;

    if (!ngx_http_portail_api_request(r)) {
        /* r->error_page is set: nginx now sends its own page */
        return status ? (ngx_int_t) status : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    switch (status) {

    case NGX_HTTP_BAD_REQUEST:
        err = NGX_HTTP_PORTAIL_ERR_REQUETE_INVALIDE;
        break;

    case NGX_HTTP_UNAUTHORIZED:
        err = NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE;
        break;

    case NGX_HTTP_FORBIDDEN:
        err = NGX_HTTP_PORTAIL_ERR_INTERDIT;
        break;

    case NGX_HTTP_NOT_FOUND:
        err = NGX_HTTP_PORTAIL_ERR_INTROUVABLE;
        break;

    case NGX_HTTP_NOT_ALLOWED:
        err = NGX_HTTP_PORTAIL_ERR_METHODE_NON_AUTORISEE;
        break;

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        err = NGX_HTTP_PORTAIL_ERR_CORPS_TROP_VOLUMINEUX;
        break;

    case NGX_HTTP_REQUEST_URI_TOO_LARGE:
        err = NGX_HTTP_PORTAIL_ERR_ADRESSE_TROP_LONGUE;
        break;

    case NGX_HTTP_REQUEST_HEADER_TOO_LARGE:
        err = NGX_HTTP_PORTAIL_ERR_ENTETES_TROP_VOLUMINEUX;
        break;

    case NGX_HTTP_UNSUPPORTED_MEDIA_TYPE:
        err = NGX_HTTP_PORTAIL_ERR_TYPE_NON_SUPPORTE;
        break;

    case 429:
        err = NGX_HTTP_PORTAIL_ERR_TROP_DE_REQUETES;
        break;

    case NGX_HTTP_SERVICE_UNAVAILABLE:
        err = NGX_HTTP_PORTAIL_ERR_SERVICE_SURCHARGE;
        break;

    case NGX_HTTP_GATEWAY_TIME_OUT:
        err = NGX_HTTP_PORTAIL_ERR_DELAI_DEPASSE;
        break;

    default:
        err = NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE;
        break;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    /* nginx sends err_status whatever the answer says: 494 is ours a 400 */
    r->err_status = ngx_http_portail_error(err)->status;

    return ngx_http_portail_send_error(r, err);
}


/* {"message": "..."} with that status */

ngx_int_t
ngx_http_portail_send_message(ngx_http_request_t *r, ngx_uint_t status,
    const char *message)
{
    json_t  *body;

    body = ngx_http_portail_json_pool(r->pool,
                                      json_pack("{s:s}", "message", message));
    if (body == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_json_value(r, status, body);
}


#if (NGX_THREADS)

/*
 * Work for nginx's thread pool on behalf of a request (a password, the
 * PDFs of an upload): the request is kept (count) and may not be freed
 * while the thread works (blocked), even if its client leaves.  NGX_DONE,
 * or the 503 to finalize the request with when the pool's queue is full.
 */

ngx_int_t
ngx_http_portail_thread_post(ngx_http_request_t *r, ngx_thread_pool_t *tp,
    ngx_thread_task_t *task)
{
    if (ngx_thread_task_post(tp, task) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_SERVICE_SURCHARGE);
    }

    r->main->blocked++;
    r->aio = 1;
    r->main->count++;

    return NGX_DONE;
}


/*
 * In the task's event, the request released: NGX_OK to go on, or
 * NGX_DECLINED when its client left while the thread worked (the request
 * is finalized then).
 */

ngx_int_t
ngx_http_portail_thread_resumed(ngx_http_request_t *r)
{
    ngx_connection_t  *c;

    c = r->connection;

    r->main->blocked--;
    r->aio = 0;

    if (c->error) {
        ngx_http_finalize_request(r, NGX_HTTP_CLIENT_CLOSED_REQUEST);
        ngx_http_run_posted_requests(c);
        return NGX_DECLINED;
    }

    return NGX_OK;
}

#endif
