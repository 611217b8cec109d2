
/*
 * Sending a file kept in PostgreSQL (documents, attestations, photos, tax
 * notices), after its owner was checked.
 *
 * The file is read in slices of NGX_HTTP_PORTAIL_SLICE bytes with
 * substring() (the columns are STORAGE EXTERNAL: only the chunks of the
 * slice are read), one slice at a time: the next is asked for once the
 * previous one has left for the client, so a large file neither sits whole
 * in memory nor holds the worker.  The first slice comes with the
 * statement that checked the owner: a document of ordinary size costs one
 * round trip.
 */


#include "ngx_http_portail_core.h"


typedef struct {
    ngx_http_request_t               *request;
    ngx_http_portail_stmt_t          *slice;
    ngx_str_t                         id;
    off_t                             size;
    off_t                             offset;     /* bytes handed over */
    ngx_pool_t                       *pool;       /* the slice being sent */
} ngx_http_portail_stream_t;


static ngx_int_t ngx_http_portail_stream_send(ngx_http_portail_stream_t *s,
    ngx_str_t *data);
static void ngx_http_portail_stream_next(ngx_http_portail_stream_t *s);
static void ngx_http_portail_stream_slice(ngx_http_portail_pg_query_t *q);
static ngx_int_t ngx_http_portail_stream_wait(ngx_http_request_t *r);
static void ngx_http_portail_stream_writer(ngx_http_request_t *r);
static void ngx_http_portail_stream_cleanup(void *data);
static ngx_int_t ngx_http_portail_piece_send(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_disposition(ngx_http_request_t *r,
    ngx_str_t *filename);


/*
 * Content-Disposition: attachment, with an ASCII name for old clients and
 * the UTF-8 one (RFC 6266 / 5987) for the others.  The ASCII name keeps
 * French words readable: accented Latin letters lose their accent
 * ("Régularisation" gives "Regularisation"), other characters become "_".
 * It is never longer than the name.
 */

static const char  *ngx_http_portail_latin1_ascii[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C",          /* U+00C0 */
    "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "x",           /* U+00D0 */
    "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c",          /* U+00E0 */
    "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "_",           /* U+00F0 */
    "o", "u", "u", "u", "u", "y", "th", "y"
};


static ngx_int_t
ngx_http_portail_disposition(ngx_http_request_t *r, ngx_str_t *filename)
{
    u_char           *p, *value, c;
    size_t            i, len;
    const char       *ascii;

    static u_char     hex[] = "0123456789ABCDEF";

    len = sizeof("attachment; filename=\"\"; filename*=UTF-8''") - 1
          + filename->len + 3 * filename->len;

    value = ngx_pnalloc(r->pool, len);
    if (value == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(value, "attachment; filename=\"",
                   sizeof("attachment; filename=\"") - 1);

    for (i = 0; i < filename->len; i++) {
        c = filename->data[i];

        if (c < 0x80) {
            *p++ = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
                    && c != '%') ? c : '_';
            continue;
        }

        /* a multi-byte character: its lead byte, then continuation bytes */
        ascii = "_";

        if (i + 1 < filename->len && (filename->data[i + 1] & 0xc0) == 0x80) {
            if (c == 0xc3) {
                ascii = ngx_http_portail_latin1_ascii[filename->data[i + 1]
                                                      - 0x80];

            } else if (c == 0xc5 && filename->data[i + 1] == 0x92) {
                ascii = "OE";

            } else if (c == 0xc5 && filename->data[i + 1] == 0x93) {
                ascii = "oe";
            }
        }

        while (*ascii) {
            *p++ = *ascii++;
        }

        while (i + 1 < filename->len && (filename->data[i + 1] & 0xc0) == 0x80)
        {
            i++;
        }
    }

    p = ngx_cpymem(p, "\"; filename*=UTF-8''",
                   sizeof("\"; filename*=UTF-8''") - 1);

    for (i = 0; i < filename->len; i++) {
        c = filename->data[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
        {
            *p++ = c;

        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];
        }
    }

    return ngx_http_portail_add_header(r, "Content-Disposition", value,
                                       p - value);
}


/*
 * Sends the file whose first slice is given: headers, that slice, then the
 * rest, slice by slice, with the statement slice ($1 id, $2 offset from 1,
 * $3 length).
 */

ngx_int_t
ngx_http_portail_send_file(ngx_http_request_t *r, ngx_str_t *filename,
    ngx_str_t *mime, off_t size, ngx_str_t *first,
    ngx_http_portail_stmt_t *slice, ngx_str_t *id)
{
    ngx_int_t                   rc;
    ngx_pool_cleanup_t         *cln;
    ngx_http_portail_ctx_t     *ctx;
    ngx_http_portail_stream_t  *s;

    if ((off_t) first->len > size) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = size;
    r->headers_out.content_type = *mime;
    r->headers_out.content_type_len = mime->len;
    r->headers_out.content_type_lowcase = NULL;

    if (ngx_http_portail_set_no_store(r) != NGX_OK
        || ngx_http_portail_disposition(r, filename) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (r->method == NGX_HTTP_HEAD || size == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    s = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_stream_t));
    if (s == NULL) {
        return NGX_ERROR;
    }

    s->request = r;
    s->slice = slice;
    s->size = size;
    s->id.data = ngx_pstrdup(r->pool, id);
    s->id.len = id->len;

    if (s->id.data == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_portail_stream_cleanup;
    cln->data = s;

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);
    ctx->stream = s;

    rc = ngx_http_portail_stream_send(s, first);

    if (rc == NGX_ERROR || s->offset == s->size) {
        return rc;
    }

    /* more to come: the request lives until the last slice is out */

    r->main->count++;

    if (rc == NGX_OK) {
        ngx_http_portail_stream_next(s);

    } else if (ngx_http_portail_stream_wait(r) != NGX_OK) {
        r->main->count--;
        return NGX_ERROR;
    }

    return NGX_DONE;
}


/* NGX_OK: all written; NGX_AGAIN: the rest when writable; NGX_ERROR */

static ngx_int_t
ngx_http_portail_stream_send(ngx_http_portail_stream_t *s, ngx_str_t *data)
{
    ngx_int_t            rc;
    ngx_buf_t           *b;
    ngx_chain_t          out;
    ngx_http_request_t  *r;

    r = s->request;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = data->data;
    b->last = data->data + data->len;
    b->memory = data->len ? 1 : 0;
    b->flush = 1;

    s->offset += data->len;

    if (s->offset == s->size) {
        b->last_buf = (r == r->main) ? 1 : 0;
        b->last_in_chain = 1;
    }

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_output_filter(r, &out);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_AGAIN || r->connection->buffered || r->buffered) {
        return NGX_AGAIN;
    }

    return NGX_OK;
}


static void
ngx_http_portail_stream_next(ngx_http_portail_stream_t *s)
{
    ngx_http_request_t           *r;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    r = s->request;

    /* the slice sent is out: its memory goes */
    if (s->pool) {
        ngx_destroy_pool(s->pool);
        s->pool = NULL;
    }

    s->pool = ngx_create_pool(1024, r->connection->log);
    if (s->pool == NULL) {
        goto failed;
    }

    q = ngx_http_portail_pg_query(s->pool, r->connection->log);
    if (q == NULL) {
        goto failed;
    }

    call = ngx_http_portail_pg_call(q, s->slice);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &s->id) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, s->offset + 1) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        goto failed;
    }

    call->binary = 1;
    q->handler = ngx_http_portail_stream_slice;
    q->data = s;

    if (ngx_http_portail_pg_run(q) == NGX_OK) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "portail: file %V interrupted at %O bytes: the database "
                  "is unavailable", &s->id, s->offset);

failed:

    /* the headers are gone: all that is left is to cut the connection */
    r->connection->error = 1;
    ngx_http_finalize_request(r, NGX_ERROR);
}


static void
ngx_http_portail_stream_slice(ngx_http_portail_pg_query_t *q)
{
    ngx_int_t                   rc;
    ngx_str_t                   data;
    ngx_connection_t           *c;
    ngx_http_request_t         *r;
    ngx_http_portail_stream_t  *s;

    s = q->data;
    r = s->request;
    c = r->connection;

    if (q->rc != NGX_HTTP_PORTAIL_PG_OK
        || ngx_http_portail_pg_value(q, 0, 0, 0, &data) != NGX_OK
        || data.len == 0
        || s->offset + (off_t) data.len > s->size)
    {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "portail: file %V interrupted at %O bytes",
                      &s->id, s->offset);
        c->error = 1;
        ngx_http_finalize_request(r, NGX_ERROR);
        ngx_http_run_posted_requests(c);
        return;
    }

    rc = ngx_http_portail_stream_send(s, &data);

    if (rc == NGX_ERROR) {
        ngx_http_finalize_request(r, NGX_ERROR);

    } else if (rc == NGX_AGAIN) {
        if (ngx_http_portail_stream_wait(r) != NGX_OK) {
            ngx_http_finalize_request(r, NGX_ERROR);
        }

    } else if (s->offset < s->size) {
        ngx_http_portail_stream_next(s);

    } else {
        ngx_http_finalize_request(r, NGX_OK);
    }

    ngx_http_run_posted_requests(c);
}


/*
 * The client's socket is full: wait until it is writable, for at most
 * send_timeout.  With epoll, nginx watches a connection's write side only
 * when asked (ngx_handle_write_event), as ngx_http_writer() does: without
 * this, a client slower than the database never gets the rest.
 */

static ngx_int_t
ngx_http_portail_stream_wait(ngx_http_request_t *r)
{
    ngx_event_t               *wev;
    ngx_http_core_loc_conf_t  *clcf;

    wev = r->connection->write;
    clcf = ngx_http_get_module_loc_conf(r->main, ngx_http_core_module);

    r->write_event_handler = ngx_http_portail_stream_writer;

    if (!wev->delayed) {
        ngx_add_timer(wev, clcf->send_timeout);
    }

    if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_portail_stream_writer(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_event_t                *wev;
    ngx_http_portail_ctx_t     *ctx;
    ngx_http_portail_stream_t  *s;

    wev = r->connection->write;

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, NGX_ETIMEDOUT,
                      "portail: client timed out while receiving a file");
        r->connection->timedout = 1;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    if (wev->delayed) {
        /* limit_rate: the timer that delayed the event brings it back */
        if (ngx_handle_write_event(wev, 0) != NGX_OK) {
            ngx_http_finalize_request(r, NGX_ERROR);
        }

        return;
    }

    rc = ngx_http_output_filter(r, NULL);

    if (rc == NGX_ERROR) {
        ngx_http_finalize_request(r, NGX_ERROR);
        return;
    }

    if (rc == NGX_AGAIN || r->connection->buffered || r->buffered) {
        if (ngx_http_portail_stream_wait(r) != NGX_OK) {
            ngx_http_finalize_request(r, NGX_ERROR);
        }

        return;
    }

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);
    s = ctx->stream;

    if (s->offset < s->size) {
        ngx_http_portail_stream_next(s);
        return;
    }

    ngx_http_finalize_request(r, NGX_OK);
}


static void
ngx_http_portail_stream_cleanup(void *data)
{
    ngx_http_portail_stream_t *s = data;

    /* a slice asked for or being sent when the request ends */
    if (s->pool) {
        ngx_destroy_pool(s->pool);
        s->pool = NULL;
    }
}


/*
 * The files of a form field, checked by content and cleaned of their
 * metadata, added to files (NGX_HTTP_PORTAIL_MAX_FILES at most, whatever
 * the fields).  Refusals go to champs; NGX_ERROR only when memory runs out.
 */

ngx_int_t
ngx_http_portail_files_collect(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *field, const char *nature,
    ngx_http_portail_files_t *files, json_t *champs)
{
    u_char                    hex[64];
    json_t                   *item;
    ngx_int_t                 rc;
    ngx_uint_t                i;
    ngx_http_portail_part_t  *part;

    if (files->meta == NULL) {
        files->meta = ngx_http_portail_json_pool(r->pool, json_array());
        if (files->meta == NULL) {
            return NGX_ERROR;
        }
    }

    for (i = 0; (part = ngx_http_portail_part(ctx, field, i)); i++) {

        /* a file input left empty is sent as an empty file: none chosen */
        if (!part->file || part->data.len == 0) {
            continue;
        }

        if (files->n == NGX_HTTP_PORTAIL_MAX_FILES) {
            ngx_http_portail_field_error(champs, field,
                                         "Vous pouvez joindre 5 fichiers au "
                                         "plus.");
            return NGX_OK;
        }

        rc = ngx_http_portail_upload_check(r, part, field, champs);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc != NGX_OK) {
            continue;
        }

        ngx_hex_dump(hex, part->sha256, sizeof(part->sha256));

        item = json_pack("{s:s%,s:s,s:s%,s:s?}",
                         "nom", part->filename.data, part->filename.len,
                         "mime", part->mime,
                         "sha256", hex, sizeof(hex),
                         "nature", nature);

        if (item == NULL || json_array_append_new(files->meta, item) != 0) {
            return NGX_ERROR;
        }

        files->parts[files->n++] = part;
    }

    return NGX_OK;
}


/*
 * The files as a statement's parameters: their description (JSON), then
 * NGX_HTTP_PORTAIL_MAX_FILES bytea, NULL past the last file.
 */

ngx_int_t
ngx_http_portail_files_params(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_files_t *files)
{
    char                     *s;
    ngx_int_t                 rc;
    ngx_str_t                 meta;
    ngx_uint_t                i;
    ngx_http_portail_part_t  *part;

    s = json_dumps(files->meta, JSON_COMPACT);
    if (s == NULL) {
        return NGX_ERROR;
    }

    meta.data = (u_char *) s;
    meta.len = ngx_strlen(s);

    rc = ngx_http_portail_pg_param_str(q, call, &meta);

    free(s);

    for (i = 0; rc == NGX_OK && i < NGX_HTTP_PORTAIL_MAX_FILES; i++) {
        part = (i < files->n) ? files->parts[i] : NULL;

        rc = part ? ngx_http_portail_pg_param_binary(call, part->data.data,
                                                     part->data.len)
                  : ngx_http_portail_pg_param_null(call);
    }

    return rc;
}


/*
 * An attachment, path /api/<section>/{id}/pieces/{piece}: its owner is
 * checked, and its first slice read, in one round trip.
 */

ngx_int_t
ngx_http_portail_piece_get(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_piece_stmts_t *stmts)
{
    ngx_http_portail_pg_call_t   *info, *first;
    ngx_http_portail_pg_query_t  *q;

    info = ngx_http_portail_request_call(r, stmts->info, &q);

    if (info == NULL
        || ngx_http_portail_tenant_params(q, info, ctx, 2) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    first = ngx_http_portail_pg_call(q, stmts->first);

    if (first == NULL
        || ngx_http_portail_tenant_params(q, first, ctx, 2) != NGX_OK
        || ngx_http_portail_pg_param_int(q, first, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    first->binary = 1;
    ctx->data = stmts;

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_piece_send);
}


static ngx_int_t
ngx_http_portail_piece_send(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    off_t                            size;
    ngx_str_t                        name, mime, taille, first;
    ngx_http_portail_pg_query_t     *q;
    ngx_http_portail_piece_stmts_t  *stmts;

    q = ctx->query;
    stmts = ctx->data;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(q, 0, 0, 3, &name) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    if (ngx_http_portail_pg_value(q, 0, 0, 4, &mime) != NGX_OK
        || ngx_http_portail_pg_value(q, 0, 0, 5, &taille) != NGX_OK
        || ngx_http_portail_pg_value(q, 1, 0, 0, &first) != NGX_OK)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    size = ngx_atoof(taille.data, taille.len);

    if (size == NGX_ERROR) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    return ngx_http_portail_send_file(r, &name, &mime, size, &first,
                                      stmts->slice, &ctx->args[1]);
}

