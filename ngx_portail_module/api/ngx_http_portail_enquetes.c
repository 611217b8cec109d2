
/*
 * Social surveys (enquêtes SLS, yearly, and OPS, every two years): the
 * surveys addressed to the tenant's household, the form (the household as
 * the office knows it and the campaign's questions), draft answers, tax
 * notices as attachments, and the submission: once, by a signatory, when
 * complete; read-only after.
 *
 * The questions, income ceilings and fees are data of each campaign
 * (enquete_campagne.definition, sent by the ERP): PostgreSQL checks the
 * answers against them (portail.enquete_verifier), this file only the
 * shape of what is sent.  The office receives the submitted answers and
 * their files through tools/export.
 */


#include "ngx_http_portail_core.h"


/* attachments of one survey, whatever their number per upload */
#define NGX_HTTP_PORTAIL_ENQUETE_MAX_PIECES  10


static ngx_int_t ngx_http_portail_enquetes_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_enquete_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_enquete_save(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_enquete_pieces_add(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_enquete_piece_delete(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_enquete_piece(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_enquete_send(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_enquete_action(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt, ngx_uint_t nargs);
static ngx_int_t ngx_http_portail_enquete_answer(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);


enum {
    NGX_HTTP_PORTAIL_ENQUETES_LIST = 0,
    NGX_HTTP_PORTAIL_ENQUETE_READ,
    NGX_HTTP_PORTAIL_ENQUETE_SAVE,
    NGX_HTTP_PORTAIL_ENQUETE_PIECES_ADD,
    NGX_HTTP_PORTAIL_ENQUETE_PIECE_DELETE,
    NGX_HTTP_PORTAIL_ENQUETE_SEND,
    NGX_HTTP_PORTAIL_ENQUETE_PIECE,
    NGX_HTTP_PORTAIL_ENQUETE_PIECE_FIRST,
    NGX_HTTP_PORTAIL_ENQUETE_PIECE_SLICE
};


static ngx_http_portail_stmt_t  ngx_http_portail_enquetes_stmts[] = {

    { "enquetes_liste",
      NGX_HTTP_PORTAIL_ACTION("enquetes_liste(s.compte_id)"),
      1, 0 },

    { "enquete_lire",
      NGX_HTTP_PORTAIL_ACTION("enquete_lire(s.compte_id, $2::bigint)"),
      2, 0 },

    { "enquete_enregistrer",
      NGX_HTTP_PORTAIL_ACTION("enquete_enregistrer(s.compte_id, $2::bigint,"
                              " $3::jsonb, $4::inet)"),
      4, 0 },

    /* one bytea per file: NGX_HTTP_PORTAIL_MAX_FILES of them */
    { "enquete_pieces_ajouter",
      NGX_HTTP_PORTAIL_ACTION("enquete_pieces_ajouter(s.compte_id,"
                              " $2::bigint, $3::text, $4::jsonb,"
                              " ARRAY[$5::bytea, $6::bytea, $7::bytea,"
                              " $8::bytea, $9::bytea], $10::integer,"
                              " $11::inet)"),
      11, 0 },

    { "enquete_piece_supprimer",
      NGX_HTTP_PORTAIL_ACTION("enquete_piece_supprimer(s.compte_id,"
                              " $2::bigint, $3::bigint, $4::inet)"),
      4, 0 },

    { "enquete_envoyer",
      NGX_HTTP_PORTAIL_ACTION("enquete_envoyer(s.compte_id, $2::bigint,"
                              " $3::inet)"),
      3, 0 },

    NGX_HTTP_PORTAIL_PIECE_STMTS("enquete_piece", "enquete_piece_visible",
                                 "enquete_piece")
};


static ngx_http_portail_route_t  ngx_http_portail_enquetes_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/enquetes"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_enquetes_list },

    { NGX_HTTP_GET, ngx_string("/api/enquetes/{}"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_enquete_get },

    { NGX_HTTP_PUT, ngx_string("/api/enquetes/{}"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_enquete_save },

    { NGX_HTTP_POST, ngx_string("/api/enquetes/{}/pieces"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_MULTIPART,
      ngx_http_portail_enquete_pieces_add },

    { NGX_HTTP_GET, ngx_string("/api/enquetes/{}/pieces/{}"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_enquete_piece },

    { NGX_HTTP_DELETE, ngx_string("/api/enquetes/{}/pieces/{}"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF,
      ngx_http_portail_enquete_piece_delete },

    { NGX_HTTP_POST, ngx_string("/api/enquetes/{}/envoi"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF,
      ngx_http_portail_enquete_send },

    { 0, ngx_null_string, 0, NULL }
};


static ngx_http_portail_piece_stmts_t  ngx_http_portail_enquete_piece_stmts = {
    &ngx_http_portail_enquetes_stmts[NGX_HTTP_PORTAIL_ENQUETE_PIECE],
    &ngx_http_portail_enquetes_stmts[NGX_HTTP_PORTAIL_ENQUETE_PIECE_FIRST],
    &ngx_http_portail_enquetes_stmts[NGX_HTTP_PORTAIL_ENQUETE_PIECE_SLICE]
};


ngx_int_t
ngx_http_portail_enquetes_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_enquetes_stmts,
            sizeof(ngx_http_portail_enquetes_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_enquetes_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* GET /api/enquetes */

static ngx_int_t
ngx_http_portail_enquetes_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_enquete_action(r, ctx,
                                           NGX_HTTP_PORTAIL_ENQUETES_LIST, 0);
}


/* GET /api/enquetes/{id} */

static ngx_int_t
ngx_http_portail_enquete_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_enquete_action(r, ctx,
                                           NGX_HTTP_PORTAIL_ENQUETE_READ, 1);
}


/* POST /api/enquetes/{id}/envoi */

static ngx_int_t
ngx_http_portail_enquete_send(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_enquete_action(r, ctx,
                                           NGX_HTTP_PORTAIL_ENQUETE_SEND, 1);
}


/* DELETE /api/enquetes/{id}/pieces/{piece} */

static ngx_int_t
ngx_http_portail_enquete_piece_delete(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_enquete_action(r, ctx,
                                       NGX_HTTP_PORTAIL_ENQUETE_PIECE_DELETE,
                                       2);
}


/* a statement of this section: session, ids of the path, address */

static ngx_int_t
ngx_http_portail_enquete_action(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt, ngx_uint_t nargs)
{
    return ngx_http_portail_tenant_action(r, ctx,
                                        &ngx_http_portail_enquetes_stmts[stmt],
                                        nargs,
                                        ngx_http_portail_enquete_answer);
}


/* PUT /api/enquetes/{id} {"reponses": {...}}: the draft, replaced */

static ngx_int_t
ngx_http_portail_enquete_save(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    char                         *s;
    json_t                       *reponses, *champs;
    ngx_int_t                     rc;
    ngx_str_t                     value;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    reponses = json_object_get(ctx->json, "reponses");

    if (!json_is_object(reponses)) {
        champs = ngx_http_portail_champs(r);
        if (champs == NULL
            || ngx_http_portail_field_error(champs, "reponses",
                                            "Envoyez les réponses de "
                                            "l'enquête (un objet, une "
                                            "entrée par question).")
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_portail_send_validation(r, champs);
    }

    call = ngx_http_portail_request_call(r,
              &ngx_http_portail_enquetes_stmts[NGX_HTTP_PORTAIL_ENQUETE_SAVE],
              &q);

    if (call == NULL
        || ngx_http_portail_tenant_params(q, call, ctx, 1) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    s = json_dumps(reponses, JSON_COMPACT);
    if (s == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    value.data = (u_char *) s;
    value.len = ngx_strlen(s);

    rc = ngx_http_portail_pg_param_str(q, call, &value);

    free(s);

    if (rc != NGX_OK || ngx_http_portail_param_ip(r, q, call) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->own_errors = 1;

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_enquete_answer);
}


/*
 * POST /api/enquetes/{id}/pieces (multipart/form-data): files named
 * "avis_imposition" (tax notices) or "justificatif", and "concerne", whose
 * they are ("Jean MARTIN").
 */

static ngx_int_t
ngx_http_portail_enquete_pieces_add(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_int_t                     rc;
    ngx_str_t                     concerne;
    ngx_http_portail_files_t      files;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    champs = ngx_http_portail_champs(r);
    if (champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&files, sizeof(ngx_http_portail_files_t));

    rc = ngx_http_portail_part_text(ctx, "concerne", &concerne, 200 * 4,
                                    champs);

    if (rc == NGX_DECLINED
        || (rc == NGX_OK && portail_text_blank(concerne.data, concerne.len)))
    {
        ngx_http_portail_field_error(champs, "concerne",
                                     "Indiquez à qui correspond ce document "
                                     "(prénom et nom).");

    } else if (rc == NGX_OK
               && portail_utf8_chars(concerne.data, concerne.len) > 200)
    {
        ngx_http_portail_field_error(champs, "concerne",
                                     "Ce champ est trop long (200 caractères "
                                     "au plus).");
    }

    if (ngx_http_portail_files_collect(r, ctx, "avis_imposition",
                                       "avis_imposition", &files, champs)
        != NGX_OK
        || ngx_http_portail_files_collect(r, ctx, "justificatif",
                                          "justificatif", &files, champs)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (files.n == 0) {
        ngx_http_portail_field_error(champs, "avis_imposition",
                                     "Joignez votre avis d'imposition (PDF, "
                                     "photo JPEG ou image PNG).");
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
         &ngx_http_portail_enquetes_stmts[NGX_HTTP_PORTAIL_ENQUETE_PIECES_ADD],
         &q);

    if (call == NULL
        || ngx_http_portail_tenant_params(q, call, ctx, 1) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &concerne) != NGX_OK
        || ngx_http_portail_files_params(q, call, &files) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                         NGX_HTTP_PORTAIL_ENQUETE_MAX_PIECES)
           != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->own_errors = 1;

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_enquete_answer);
}


/* GET /api/enquetes/{id}/pieces/{piece} */

static ngx_int_t
ngx_http_portail_enquete_piece(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_piece_get(r, ctx,
                                      &ngx_http_portail_enquete_piece_stmts);
}


/*
 * The schema freezes a submitted survey and its attachments by trigger
 * (check_violation).  The functions check the status first, under a row
 * lock; should a change still reach the trigger, it is the same 409.
 */

static ngx_int_t
ngx_http_portail_enquete_answer(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    if (ctx->query->rc == NGX_HTTP_PORTAIL_PG_FAILED
        && ngx_strcmp(ctx->query->sqlstate, "23514") == 0)
    {
        return ngx_http_portail_send_error_details(r,
                   NGX_HTTP_PORTAIL_ERR_CONFLIT,
                   ngx_http_portail_json_pool(r->pool,
                       json_pack("{s:s}", "message",
                                 "Cette enquête a été envoyée : elle ne "
                                 "peut plus être modifiée.")));
    }

    return ngx_http_portail_answer(r, ctx);
}
