
/*
 * Uploads: multipart/form-data bodies (attestations, photos, tax
 * notices), checked by their content.
 *
 * Only PDF, JPEG and PNG are accepted, whatever the name or the type the
 * browser claims; PDFs are inspected before the handler runs
 * (ngx_http_portail_inspect.c), those with active content refused; image
 * metadata (EXIF with the GPS position, comments) is removed before
 * anything is stored.  The names tenants gave their files are kept as a
 * label only: nothing is ever stored or served under them.
 */


#include "ngx_http_portail_core.h"


static ngx_int_t ngx_http_portail_upload_pdf(ngx_http_request_t *r,
    ngx_http_portail_part_t *part, const char *field, json_t *champs);


/* NGX_DECLINED: not a well-formed multipart body */

ngx_int_t
ngx_http_portail_multipart_parse(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *body)
{
    int                       rc;
    size_t                    blen;
    ngx_str_t                *type;
    const u_char             *boundary;
    portail_part_t            mp_part;
    portail_multipart_t       mp;
    ngx_http_portail_part_t  *part;

    type = &r->headers_in.content_type->value;

    if (portail_multipart_boundary(type->data, type->len, &boundary, &blen)
        != 0
        || portail_multipart_init(&mp, body->data, body->len, boundary, blen)
           != 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: malformed multipart body");
        return NGX_DECLINED;
    }

    ctx->parts = ngx_array_create(r->pool, 8, sizeof(ngx_http_portail_part_t));
    if (ctx->parts == NULL) {
        return NGX_ERROR;
    }

    for ( ;; ) {
        rc = portail_multipart_next(&mp, &mp_part);

        if (rc == 0) {
            return NGX_OK;
        }

        if (rc < 0 || ctx->parts->nelts == 32) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "portail: malformed multipart body");
            return NGX_DECLINED;
        }

        part = ngx_array_push(ctx->parts);
        if (part == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(part, sizeof(ngx_http_portail_part_t));

        part->name.data = (u_char *) mp_part.name;
        part->name.len = mp_part.name_len;
        part->data.data = (u_char *) mp_part.data;
        part->data.len = mp_part.data_len;

        if (mp_part.filename) {
            part->file = 1;
            part->filename.data = ngx_pnalloc(r->pool, 256);
            if (part->filename.data == NULL) {
                return NGX_ERROR;
            }

            part->filename.len = portail_filename_clean(mp_part.filename,
                                                        mp_part.filename_len,
                                                        part->filename.data,
                                                        255);
        }
    }
}


/* the nth part of that name (files of one field share it) */

ngx_http_portail_part_t *
ngx_http_portail_part(ngx_http_portail_ctx_t *ctx, const char *name,
    ngx_uint_t nth)
{
    size_t                    len;
    ngx_uint_t                i;
    ngx_http_portail_part_t  *parts;

    if (ctx->parts == NULL) {
        return NULL;
    }

    len = ngx_strlen(name);
    parts = ctx->parts->elts;

    for (i = 0; i < ctx->parts->nelts; i++) {
        if (parts[i].name.len == len
            && ngx_strncmp(parts[i].name.data, name, len) == 0
            && nth-- == 0)
        {
            return &parts[i];
        }
    }

    return NULL;
}


/* a text field of the form: NGX_OK, NGX_DECLINED (absent), NGX_ERROR */

ngx_int_t
ngx_http_portail_part_text(ngx_http_portail_ctx_t *ctx, const char *name,
    ngx_str_t *value, size_t max, json_t *champs)
{
    ngx_http_portail_part_t  *part;

    part = ngx_http_portail_part(ctx, name, 0);

    if (part == NULL || part->file) {
        return NGX_DECLINED;
    }

    if (part->data.len > max) {
        ngx_http_portail_field_error(champs, name, "Ce champ est trop long.");
        return NGX_ERROR;
    }

    if (portail_utf8_chars(part->data.data, part->data.len) < 0) {
        ngx_http_portail_field_error(champs, name,
                                     "Ce champ contient un caractère non "
                                     "autorisé.");
        return NGX_ERROR;
    }

    *value = part->data;

    return NGX_OK;
}


/*
 * A file is acceptable when its content is a PDF that passed inspection,
 * a JPEG or a PNG, within the size limit; its metadata is removed and its
 * digest computed.  NGX_OK, or NGX_DECLINED with the reason in champs (and,
 * for a PDF refused for its content, its code in ctx->file_err).
 */

ngx_int_t
ngx_http_portail_upload_check(ngx_http_request_t *r,
    ngx_http_portail_part_t *part, const char *field, json_t *champs)
{
    u_char                        *msg;
    size_t                         len;
    const char                    *err;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (part->data.len == 0) {
        ngx_http_portail_field_error(champs, field, "Le fichier est vide.");
        return NGX_DECLINED;
    }

    if (part->data.len > pmcf->upload_max_size) {
        msg = ngx_pnalloc(r->pool, 128);
        if (msg == NULL) {
            return NGX_ERROR;
        }

        if (pmcf->upload_max_size >= 1024 * 1024) {
            ngx_sprintf(msg, "Le fichier dépasse la taille maximale de "
                             "%uz Mo.%Z", pmcf->upload_max_size / (1024 * 1024));

        } else {
            ngx_sprintf(msg, "Le fichier dépasse la taille maximale de "
                             "%uz Ko.%Z", pmcf->upload_max_size / 1024);
        }
        ngx_http_portail_field_error(champs, field, (char *) msg);
        return NGX_DECLINED;
    }

    part->mime = portail_sniff(part->data.data, part->data.len);

    if (part->mime == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: upload \"%V\" refused: not a PDF, JPEG or PNG",
                      &part->filename);
        ngx_http_portail_field_error(champs, field,
                      "Ce type de fichier n'est pas accepté : déposez un PDF, "
                      "une photo JPEG ou une image PNG.");
        return NGX_DECLINED;
    }

    len = part->data.len;

    if (ngx_strcmp(part->mime, "application/pdf") == 0) {
        return ngx_http_portail_upload_pdf(r, part, field, champs);
    }

    if (ngx_strcmp(part->mime, "image/jpeg") == 0) {
        err = portail_jpeg_strip(part->data.data, &len);

    } else {
        err = portail_png_strip(part->data.data, &len);
    }

    if (err) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: upload \"%V\" refused: %s",
                      &part->filename, err);
        ngx_http_portail_field_error(champs, field, err);
        return NGX_DECLINED;
    }

    if (len != part->data.len) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: upload \"%V\": %uz bytes of metadata removed",
                      &part->filename, part->data.len - len);
        part->data.len = len;
    }

    crypto_hash_sha256(part->sha256, part->data.data, part->data.len);
    part->checked = 1;

    return NGX_OK;
}


/* a PDF, as its inspection found it; kept as it came */

static ngx_int_t
ngx_http_portail_upload_pdf(ngx_http_request_t *r,
    ngx_http_portail_part_t *part, const char *field, json_t *champs)
{
    ngx_http_portail_ctx_t           *ctx;
    ngx_http_portail_err_e            err;
    const ngx_http_portail_error_t   *e;

    if (!part->pdf_checked) {
        /* past the PDFs inspected per request: refused, never unchecked */
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: upload \"%V\" refused: PDF not inspected",
                      &part->filename);
        err = NGX_HTTP_PORTAIL_ERR_FICHIER_ILLISIBLE;

    } else {
        err = part->pdf_err;
    }

    if (err == NGX_HTTP_PORTAIL_ERR_NONE) {
        crypto_hash_sha256(part->sha256, part->data.data, part->data.len);
        part->checked = 1;
        return NGX_OK;
    }

    e = ngx_http_portail_error(err);

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: upload \"%V\" refused: %V: %V",
                  &part->filename, &e->code, &part->pdf_why);

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    /* the field's first message is the one shown: its code goes with it */
    if (json_object_get(champs, field) == NULL
        && ctx->file_err == NGX_HTTP_PORTAIL_ERR_NONE)
    {
        ctx->file_err = err;
    }

    ngx_http_portail_field_error(champs, field, e->message);

    return NGX_DECLINED;
}
