
/*
 * Requests (demandes): the requests and complaints (réclamations) on the
 * contracts a tenant signs, whoever made them (a co-tenant, the office at
 * the counter), with their status history, the conversation with the
 * office and the attachments; filing a new one, with photos or PDFs; a
 * message on an open one.
 *
 * The office gets new requests, messages and files through tools/export,
 * and sends status changes and its answers back through tools/import,
 * which e-mails the tenant.
 *
 * Also here, because the surveys need the same: the answer of an action
 * statement (ngx_http_portail_answer), uploaded files handed to PostgreSQL
 * (ngx_http_portail_files_*) and the download of an attachment
 * (ngx_http_portail_piece_get).
 */


#include "ngx_http_portail_core.h"


#define NGX_HTTP_PORTAIL_TEXT_MAX_CHARS  10000


static ngx_int_t ngx_http_portail_demandes_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_demande_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_demande_create(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_demande_message(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_demande_piece(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_demande_fields(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *values, json_t *champs);
static ngx_int_t ngx_http_portail_choice(ngx_http_portail_ctx_t *ctx,
    const char *name, const char **choices, ngx_str_t *value,
    const char *message, json_t *champs);
static ngx_int_t ngx_http_portail_text_area(ngx_str_t *value,
    const char *name, const char *empty, json_t *champs);


enum {
    NGX_HTTP_PORTAIL_DEMANDES_LIST = 0,
    NGX_HTTP_PORTAIL_DEMANDE_READ,
    NGX_HTTP_PORTAIL_DEMANDE_CREATE,
    NGX_HTTP_PORTAIL_DEMANDE_MESSAGE,
    NGX_HTTP_PORTAIL_DEMANDE_PIECE,
    NGX_HTTP_PORTAIL_DEMANDE_PIECE_FIRST,
    NGX_HTTP_PORTAIL_DEMANDE_PIECE_SLICE
};


/* the fields of the request form, in the order of demande_creer() */
enum {
    NGX_HTTP_PORTAIL_F_CONTRAT = 0,
    NGX_HTTP_PORTAIL_F_TYPE,
    NGX_HTTP_PORTAIL_F_CATEGORIE,
    NGX_HTTP_PORTAIL_F_OBJET,
    NGX_HTTP_PORTAIL_F_DESCRIPTION,
    NGX_HTTP_PORTAIL_F_CRENEAU,
    NGX_HTTP_PORTAIL_F_N
};


static ngx_http_portail_stmt_t  ngx_http_portail_demandes_stmts[] = {

    { "demandes_liste",
      NGX_HTTP_PORTAIL_ACTION("demandes_liste(s.compte_id, $2::bigint,"
                              " $3::integer)"),
      3, 0 },

    { "demande_lire",
      NGX_HTTP_PORTAIL_ACTION("demande_lire(s.compte_id, $2::bigint)"),
      2, 0 },

    /* one bytea per file: NGX_HTTP_PORTAIL_MAX_FILES of them */
    { "demande_creer",
      NGX_HTTP_PORTAIL_ACTION("demande_creer(s.compte_id, $2::text, $3::text,"
                              " $4::text, $5::text, $6::text, $7::text,"
                              " $8::jsonb, ARRAY[$9::bytea, $10::bytea,"
                              " $11::bytea, $12::bytea, $13::bytea],"
                              " $14::inet)"),
      14, 0 },

    { "demande_message",
      NGX_HTTP_PORTAIL_ACTION("demande_message_ajouter(s.compte_id,"
                              " $2::bigint, $3::text, $4::inet)"),
      4, 0 },

    NGX_HTTP_PORTAIL_PIECE_STMTS("demande_piece", "demande_piece_visible",
                                 "demande_piece")
};


static ngx_http_portail_route_t  ngx_http_portail_demandes_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/demandes"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_demandes_list },

    { NGX_HTTP_POST, ngx_string("/api/demandes"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_MULTIPART,
      ngx_http_portail_demande_create },

    { NGX_HTTP_GET, ngx_string("/api/demandes/{}"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_demande_get },

    { NGX_HTTP_POST, ngx_string("/api/demandes/{}/messages"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_demande_message },

    { NGX_HTTP_GET, ngx_string("/api/demandes/{}/pieces/{}"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_demande_piece },

    { 0, ngx_null_string, 0, NULL }
};


static ngx_http_portail_piece_stmts_t  ngx_http_portail_demande_piece_stmts = {
    &ngx_http_portail_demandes_stmts[NGX_HTTP_PORTAIL_DEMANDE_PIECE],
    &ngx_http_portail_demandes_stmts[NGX_HTTP_PORTAIL_DEMANDE_PIECE_FIRST],
    &ngx_http_portail_demandes_stmts[NGX_HTTP_PORTAIL_DEMANDE_PIECE_SLICE]
};


/* the codes of the schema's CHECK lists (labels: migration 014) */

static const char  *ngx_http_portail_types[] = {
    "demande", "reclamation", NULL
};

static const char  *ngx_http_portail_categories[] = {
    "technique_logement", "parties_communes", "paiement", "voisinage",
    "autre", NULL
};

static const char  *ngx_http_portail_creneaux[] = {
    "matin", "midi", "apres_midi", "soir", "indifferent", NULL
};


ngx_int_t
ngx_http_portail_demandes_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_demandes_stmts,
            sizeof(ngx_http_portail_demandes_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_demandes_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* GET /api/demandes */

static ngx_int_t
ngx_http_portail_demandes_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_demandes_stmts[NGX_HTTP_PORTAIL_DEMANDES_LIST],
               &q);

    if (call == NULL
        || ngx_http_portail_tenant_params(q, call, ctx, 0) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, pmcf->upload_max_size)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_MAX_FILES)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_answer);
}


/* GET /api/demandes/{id} */

static ngx_int_t
ngx_http_portail_demande_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_tenant_action(r, ctx,
               &ngx_http_portail_demandes_stmts[NGX_HTTP_PORTAIL_DEMANDE_READ],
               1, ngx_http_portail_answer);
}


/*
 * POST /api/demandes (multipart/form-data): contrat, type, categorie,
 * objet, description, creneau_contact, and up to NGX_HTTP_PORTAIL_MAX_FILES
 * files named "pieces".  The request, its first status and its files are
 * one transaction (demande_creer).
 */

static ngx_int_t
ngx_http_portail_demande_create(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_str_t                     values[NGX_HTTP_PORTAIL_F_N];
    ngx_uint_t                    i;
    ngx_http_portail_files_t      files;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    champs = ngx_http_portail_champs(r);
    if (champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&files, sizeof(ngx_http_portail_files_t));

    if (ngx_http_portail_demande_fields(r, ctx, values, champs) != NGX_OK
        || ngx_http_portail_files_collect(r, ctx, "pieces", NULL, &files,
                                          champs)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
              &ngx_http_portail_demandes_stmts[NGX_HTTP_PORTAIL_DEMANDE_CREATE],
              &q);

    if (call == NULL
        || ngx_http_portail_tenant_params(q, call, ctx, 0) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < NGX_HTTP_PORTAIL_F_N; i++) {
        /* a NULL value is a NULL parameter */
        if (ngx_http_portail_pg_param_str(q, call, &values[i]) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_http_portail_files_params(q, call, &files) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_answer);
}


/*
 * The text fields of the request form, checked; an optional field left
 * out has a NULL value.  NGX_ERROR only when memory runs out.
 */

static ngx_int_t
ngx_http_portail_demande_fields(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *values, json_t *champs)
{
    u_char                   *ref;
    ngx_int_t                 rc;
    ngx_str_t                *v, contrat;
    ngx_http_portail_part_t  *part;

    ngx_memzero(values, NGX_HTTP_PORTAIL_F_N * sizeof(ngx_str_t));

    /* the seven digits of the contract, "L/" typed or not */

    rc = ngx_http_portail_part_text(ctx, "contrat", &contrat, 32, champs);

    if (rc == NGX_DECLINED || (rc == NGX_OK && contrat.len == 0)) {
        ngx_http_portail_field_error(champs, "contrat",
                                     "Choisissez le contrat concerné.");

    } else if (rc == NGX_OK) {
        ref = ngx_pnalloc(r->pool, PORTAIL_REFERENCE_LEN);
        if (ref == NULL) {
            return NGX_ERROR;
        }

        /* a contract number has the shape of a client reference */
        if (portail_check_reference(contrat.data, contrat.len, ref) == NULL) {
            values[NGX_HTTP_PORTAIL_F_CONTRAT].data = ref;
            values[NGX_HTTP_PORTAIL_F_CONTRAT].len = PORTAIL_REFERENCE_LEN;

        } else {
            ngx_http_portail_field_error(champs, "contrat",
                                         "Le numéro de contrat a 7 chiffres "
                                         "(L/2013936 ou 2013936).");
        }
    }

    rc = ngx_http_portail_choice(ctx, "type", ngx_http_portail_types,
                                 &values[NGX_HTTP_PORTAIL_F_TYPE],
                                 "Choisissez « demande » ou « réclamation ».",
                                 champs);
    if (rc == NGX_DECLINED) {
        ngx_str_set(&values[NGX_HTTP_PORTAIL_F_TYPE], "demande");
    }

    rc = ngx_http_portail_choice(ctx, "categorie", ngx_http_portail_categories,
                                 &values[NGX_HTTP_PORTAIL_F_CATEGORIE],
                                 "Choisissez la catégorie de votre demande.",
                                 champs);
    if (rc == NGX_DECLINED) {
        ngx_http_portail_field_error(champs, "categorie",
                                  "Choisissez la catégorie de votre demande.");
    }

    (void) ngx_http_portail_choice(ctx, "creneau_contact",
                                   ngx_http_portail_creneaux,
                                   &values[NGX_HTTP_PORTAIL_F_CRENEAU],
                                   "Choisissez un moment de la journée.",
                                   champs);

    v = &values[NGX_HTTP_PORTAIL_F_OBJET];
    rc = ngx_http_portail_part_text(ctx, "objet", v, 200 * 4, champs);

    if (rc == NGX_DECLINED
        || (rc == NGX_OK && portail_text_blank(v->data, v->len)))
    {
        ngx_http_portail_field_error(champs, "objet",
                                     "Indiquez l'objet de votre demande.");

    } else if (rc == NGX_OK && portail_utf8_chars(v->data, v->len) > 200) {
        ngx_http_portail_field_error(champs, "objet",
                             "L'objet est trop long (200 caractères au plus).");
    }

    /* several lines: part_text() would refuse the line breaks */

    part = ngx_http_portail_part(ctx, "description", 0);
    v = &values[NGX_HTTP_PORTAIL_F_DESCRIPTION];

    if (part && !part->file) {
        *v = part->data;
    }

    (void) ngx_http_portail_text_area(v, "description",
                                      "Décrivez votre demande.", champs);

    return NGX_OK;
}


/*
 * A field whose value is one of the choices: NGX_OK, NGX_DECLINED when
 * absent or empty, NGX_ERROR when refused (the message is in champs).
 */

static ngx_int_t
ngx_http_portail_choice(ngx_http_portail_ctx_t *ctx, const char *name,
    const char **choices, ngx_str_t *value, const char *message,
    json_t *champs)
{
    ngx_int_t  rc;

    rc = ngx_http_portail_part_text(ctx, name, value, 32, champs);

    if (rc == NGX_DECLINED || (rc == NGX_OK && value->len == 0)) {
        value->data = NULL;
        return NGX_DECLINED;
    }

    if (rc == NGX_OK) {
        for ( /* void */ ; *choices; choices++) {
            if (value->len == ngx_strlen(*choices)
                && ngx_strncmp(value->data, *choices, value->len) == 0)
            {
                return NGX_OK;
            }
        }

        ngx_http_portail_field_error(champs, name, message);
    }

    value->data = NULL;

    return NGX_ERROR;
}


/*
 * Several lines typed by the tenant (a description, a message): NGX_OK, or
 * NGX_DECLINED with the reason in champs.  value->data NULL: not sent.
 */

static ngx_int_t
ngx_http_portail_text_area(ngx_str_t *value, const char *name,
    const char *empty, json_t *champs)
{
    long  n;

    if (value->data == NULL || portail_text_blank(value->data, value->len)) {
        ngx_http_portail_field_error(champs, name, empty);
        return NGX_DECLINED;
    }

    n = portail_text_chars(value->data, value->len);

    if (n < 0) {
        ngx_http_portail_field_error(champs, name,
                                     "Ce texte contient un caractère non "
                                     "autorisé.");
        return NGX_DECLINED;
    }

    if (n > NGX_HTTP_PORTAIL_TEXT_MAX_CHARS) {
        ngx_http_portail_field_error(champs, name,
                                     "Ce texte est trop long (10 000 "
                                     "caractères au plus).");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* POST /api/demandes/{id}/messages {"texte": "..."} */

static ngx_int_t
ngx_http_portail_demande_message(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_int_t                     rc;
    ngx_str_t                     texte;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    champs = ngx_http_portail_champs(r);
    if (champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_null(&texte);

    rc = ngx_http_portail_json_string(ctx, "texte", &texte,
                                      4 * NGX_HTTP_PORTAIL_TEXT_MAX_CHARS,
                                      champs);
    if (rc != NGX_ERROR) {
        (void) ngx_http_portail_text_area(&texte, "texte",
                                          "Écrivez votre message.", champs);
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
             &ngx_http_portail_demandes_stmts[NGX_HTTP_PORTAIL_DEMANDE_MESSAGE],
             &q);

    if (call == NULL
        || ngx_http_portail_tenant_params(q, call, ctx, 1) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &texte) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_answer);
}


/* GET /api/demandes/{id}/pieces/{piece} */

static ngx_int_t
ngx_http_portail_demande_piece(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_piece_get(r, ctx,
                                      &ngx_http_portail_demande_piece_stmts);
}
