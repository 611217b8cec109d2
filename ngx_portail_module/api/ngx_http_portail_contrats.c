
/*
 * Contrat: the tenant's contracts, the occupants of a dwelling, the billing
 * address and the home insurance certificates; and the helpers the
 * sections share to answer a signed-in tenant (contract numbers, one-
 * statement reads, write outcomes).
 *
 * A contract number in a path is its seven digits (/api/contrats/2013936
 * for L/2013936), an optional leading L accepted.  Every statement starts
 * from portail.session_valide() and looks the contract up among the
 * account's (portail.contrats_du_compte()): a number or an id that is not
 * the tenant's is answered 404, exactly like one that does not exist.
 */


#include "ngx_http_portail_core.h"


#define NGX_HTTP_PORTAIL_NUMERO_LEN  9      /* "L/2013936" */


typedef struct {
    u_char                            numero[NGX_HTTP_PORTAIL_NUMERO_LEN + 1];
    ngx_str_t                         id;          /* occupant, certificate */
} ngx_http_portail_contrat_t;


enum {
    NGX_HTTP_PORTAIL_CONTRATS_LIST = 0,
    NGX_HTTP_PORTAIL_CONTRAT_GET,
    NGX_HTTP_PORTAIL_OCCUPANTS_LIST,
    NGX_HTTP_PORTAIL_OCCUPANT_WRITE,
    NGX_HTTP_PORTAIL_BILLING_GET,
    NGX_HTTP_PORTAIL_BILLING_PUT,
    NGX_HTTP_PORTAIL_INSURANCE_LIST,
    NGX_HTTP_PORTAIL_INSURANCE_POST,
    NGX_HTTP_PORTAIL_INSURANCE_FILE,
    NGX_HTTP_PORTAIL_INSURANCE_FIRST,
    NGX_HTTP_PORTAIL_INSURANCE_SLICE
};


static ngx_http_portail_stmt_t  ngx_http_portail_contrats_stmts[] = {

    { "contrats_liste",
      "SELECT compte_id, session_id, a_toucher, corps"
      " FROM portail.contrats_liste($1::bytea, $2::text)",
      2, 0 },

    { "contrat_detail",
      "SELECT compte_id, session_id, a_toucher, corps"
      " FROM portail.contrat_detail($1::bytea, $2::text)",
      2, 0 },

    { "occupants_liste",
      "SELECT compte_id, session_id, a_toucher, corps"
      " FROM portail.occupants_liste($1::bytea, $2::text)",
      2, 0 },

    { "occupant_ecrire",
      "SELECT s.compte_id, s.session_id, s.a_toucher, o.resultat, o.corps"
      " FROM portail.session_valide($1::bytea) s"
      " CROSS JOIN LATERAL portail.occupant_ecrire(s.compte_id, $2::text,"
      " $3::bigint, $4::boolean, $5::text, $6::text, $7::date, $8::text,"
      " $9::inet) o",
      9, 0 },

    { "adresse_facturation_lire",
      "SELECT compte_id, session_id, a_toucher, corps"
      " FROM portail.adresse_facturation_lire($1::bytea, $2::text)",
      2, 0 },

    { "adresse_facturation_modifier",
      "SELECT s.compte_id, s.session_id, s.a_toucher, a.resultat, a.corps"
      " FROM portail.session_valide($1::bytea) s"
      " CROSS JOIN LATERAL portail.adresse_facturation_modifier(s.compte_id,"
      " $2::text, $3::text, $4::text, $5::text, $6::text, $7::text,"
      " $8::text, $9::text, $10::inet) a",
      10, 0 },

    { "assurances_lire",
      "SELECT compte_id, session_id, a_toucher, corps"
      " FROM portail.assurances_lire($1::bytea, $2::text)",
      2, 0 },

    { "assurance_deposer",
      "SELECT s.compte_id, s.session_id, s.a_toucher, a.resultat, a.corps"
      " FROM portail.session_valide($1::bytea) s"
      " CROSS JOIN LATERAL portail.assurance_deposer(s.compte_id, $2::text,"
      " $3::text, $4::text, $5::date, $6::date, $7::bytea, $8::text,"
      " $9::bytea, $10::text, $11::inet) a",
      11, 0 },

    /* the certificate's owner and size; its first slice comes with it */
    { "assurance_fichier",
      "SELECT s.compte_id, s.session_id, s.a_toucher, a.id, a.fichier_mime,"
      " a.fichier_taille"
      " FROM portail.session_valide($1::bytea) s"
      " LEFT JOIN LATERAL (SELECT a.id, a.fichier_mime, a.fichier_taille"
      " FROM portail.contrats_du_compte(s.compte_id) k"
      " JOIN portail.assurance_habitation a ON a.contrat_id = k.id"
      " WHERE k.numero = $2::text AND a.id = $3::bigint) a ON true",
      3, 0 },

    { "assurance_fichier_debut",
      "SELECT substring(a.fichier FROM 1 FOR $4::integer)"
      " FROM portail.session_valide($1::bytea) s"
      " CROSS JOIN LATERAL portail.contrats_du_compte(s.compte_id) k"
      " JOIN portail.assurance_habitation a ON a.contrat_id = k.id"
      " WHERE k.numero = $2::text AND a.id = $3::bigint",
      4, 0 },

    { "assurance_fichier_tranche",
      "SELECT substring(fichier FROM $2::integer FOR $3::integer)"
      " FROM portail.assurance_habitation WHERE id = $1::bigint",
      3, 0 }
};


static ngx_int_t ngx_http_portail_contrats_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_contrat_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_occupants_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_occupant_add(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_occupant_change(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_occupant_remove(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_occupant_write(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t has_id, ngx_uint_t remove);
static ngx_int_t ngx_http_portail_occupant_created(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_occupant_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_billing_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_billing_put(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_insurance_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_insurance_post(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_insurance_created(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_contrat_written(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_insurance_file(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_insurance_file_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_http_portail_contrat_t *ngx_http_portail_contrat_ctx(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx, ngx_uint_t id);
static ngx_int_t ngx_http_portail_contrat_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt);
static ngx_int_t ngx_http_portail_line(json_t *champs, const char *name,
    ngx_int_t rc, ngx_str_t *value, size_t max, const char *missing);
static ngx_int_t ngx_http_portail_date(json_t *champs, const char *name,
    ngx_int_t rc, ngx_str_t *value, const char *missing, int *ymd);


static ngx_http_portail_route_t  ngx_http_portail_contrats_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/contrats"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_contrats_list },

    { NGX_HTTP_GET, ngx_string("/api/contrats/{}"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_contrat_get },

    { NGX_HTTP_GET, ngx_string("/api/contrats/{}/occupants"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_occupants_get },

    { NGX_HTTP_POST, ngx_string("/api/contrats/{}/occupants"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_occupant_add },

    { NGX_HTTP_PUT, ngx_string("/api/contrats/{}/occupants/{}"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_occupant_change },

    { NGX_HTTP_DELETE, ngx_string("/api/contrats/{}/occupants/{}"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF,
      ngx_http_portail_occupant_remove },

    { NGX_HTTP_GET, ngx_string("/api/contrats/{}/adresse-facturation"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_billing_get },

    { NGX_HTTP_PUT, ngx_string("/api/contrats/{}/adresse-facturation"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_billing_put },

    { NGX_HTTP_GET, ngx_string("/api/contrats/{}/assurance"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_insurance_get },

    { NGX_HTTP_POST, ngx_string("/api/contrats/{}/assurance"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_MULTIPART,
      ngx_http_portail_insurance_post },

    { NGX_HTTP_GET, ngx_string("/api/contrats/{}/assurance/{}/fichier"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_insurance_file },

    { 0, ngx_null_string, 0, NULL }
};


/* the occupants' relationships, as the CHECK of portail.occupant has them */

static const char  *ngx_http_portail_liens[] = {
    "signataire", "conjoint", "enfant", "ascendant", "autre_parent", "autre",
    NULL
};


ngx_int_t
ngx_http_portail_contrats_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_contrats_stmts,
            sizeof(ngx_http_portail_contrats_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_contrats_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The contract of the path (ctx->args[0]) and, with id, the numeric id of
 * ctx->args[1]; NULL when either is malformed (answered 404 by callers).
 */

static ngx_http_portail_contrat_t *
ngx_http_portail_contrat_ctx(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t id)
{
    ngx_http_portail_contrat_t  *c;

    c = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_contrat_t));
    if (c == NULL) {
        return NULL;
    }

    ctx->data = c;

    if (ctx->nargs < 1
        || ngx_http_portail_contract_number(&ctx->args[0], c->numero)
           != NGX_OK)
    {
        return NULL;
    }

    if (!id) {
        return c;
    }

    if (ctx->nargs < 2
        || ngx_http_portail_path_id(r, &ctx->args[1], &c->id) != NGX_OK)
    {
        return NULL;
    }

    return c;
}


static ngx_int_t
ngx_http_portail_contrat_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt)
{
    ngx_http_portail_contrat_t  *c;

    c = ngx_http_portail_contrat_ctx(r, ctx, 0);
    if (c == NULL) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    return ngx_http_portail_tenant_read(r, ctx,
                                        &ngx_http_portail_contrats_stmts[stmt],
                                        c->numero, NGX_HTTP_PORTAIL_NUMERO_LEN);
}


/* GET /api/contrats[?contrat=] */

static ngx_int_t
ngx_http_portail_contrats_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_tenant_read_narrowed(r, ctx,
              &ngx_http_portail_contrats_stmts[NGX_HTTP_PORTAIL_CONTRATS_LIST]);
}


/* GET /api/contrats/{numero} */

static ngx_int_t
ngx_http_portail_contrat_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_contrat_read(r, ctx,
                                         NGX_HTTP_PORTAIL_CONTRAT_GET);
}


/* GET /api/contrats/{numero}/occupants */

static ngx_int_t
ngx_http_portail_occupants_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_contrat_read(r, ctx,
                                         NGX_HTTP_PORTAIL_OCCUPANTS_LIST);
}


/*
 * A line a tenant typed, trimmed: NGX_OK (value empty: a null parameter),
 * or NGX_ERROR with the message in champs.  rc is what read the field
 * (NGX_DECLINED: absent).
 */

static ngx_int_t
ngx_http_portail_line(json_t *champs, const char *name, ngx_int_t rc,
    ngx_str_t *value, size_t max, const char *missing)
{
    long    chars;
    u_char  msg[80];

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        value->len = 0;
    }

    while (value->len && (value->data[0] == ' ' || value->data[0] == '\t')) {
        value->data++;
        value->len--;
    }

    while (value->len && (value->data[value->len - 1] == ' '
                          || value->data[value->len - 1] == '\t'))
    {
        value->len--;
    }

    if (value->len == 0) {
        value->data = NULL;

        if (missing) {
            ngx_http_portail_field_error(champs, name, missing);
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    chars = portail_utf8_chars(value->data, value->len);

    if (chars < 0) {
        ngx_http_portail_field_error(champs, name,
                                     "Ce champ contient un caractère non "
                                     "autorisé.");
        return NGX_ERROR;
    }

    if ((size_t) chars > max) {
        ngx_sprintf(msg, "Ce champ ne doit pas dépasser %uz caractères.%Z",
                    max);
        ngx_http_portail_field_error(champs, name, (char *) msg);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* an ISO date field: NGX_OK with ymd = year * 10000 + month * 100 + day */

static ngx_int_t
ngx_http_portail_date(json_t *champs, const char *name, ngx_int_t rc,
    ngx_str_t *value, const char *missing, int *ymd)
{
    int  y, m, d;

    if (ngx_http_portail_line(champs, name, rc, value, 32, missing)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (portail_parse_date(value->data, value->len, &y, &m, &d) != 0
        || y < 1900 || y > 2199)
    {
        ngx_http_portail_field_error(champs, name,
                                     "Indiquez une date valide, au format "
                                     "AAAA-MM-JJ.");
        return NGX_ERROR;
    }

    *ymd = y * 10000 + m * 100 + d;

    return NGX_OK;
}


/* POST /api/contrats/{numero}/occupants */

static ngx_int_t
ngx_http_portail_occupant_add(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_occupant_write(r, ctx, 0, 0);
}


/* PUT /api/contrats/{numero}/occupants/{id} */

static ngx_int_t
ngx_http_portail_occupant_change(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_occupant_write(r, ctx, 1, 0);
}


/* DELETE /api/contrats/{numero}/occupants/{id}: a removal, never a DELETE */

static ngx_int_t
ngx_http_portail_occupant_remove(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_occupant_write(r, ctx, 1, 1);
}


static ngx_int_t
ngx_http_portail_occupant_write(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t has_id, ngx_uint_t remove)
{
    int                           ymd;
    json_t                       *champs;
    ngx_str_t                     nom, prenom, date, lien;
    ngx_uint_t                    i;
    ngx_http_portail_contrat_t   *c;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    c = ngx_http_portail_contrat_ctx(r, ctx, has_id);
    if (c == NULL) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    ngx_str_null(&nom);
    ngx_str_null(&prenom);
    ngx_str_null(&date);
    ngx_str_null(&lien);

    if (!remove) {
        champs = ngx_http_portail_champs(r);
        if (champs == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        (void) ngx_http_portail_line(champs, "nom",
                   ngx_http_portail_json_string(ctx, "nom", &nom, 400,
                                                champs),
                   &nom, 100, "Indiquez le nom de l'occupant.");

        (void) ngx_http_portail_line(champs, "prenom",
                   ngx_http_portail_json_string(ctx, "prenom", &prenom, 400,
                                                champs),
                   &prenom, 100, "Indiquez le prénom de l'occupant.");

        if (ngx_http_portail_date(champs, "date_naissance",
                ngx_http_portail_json_string(ctx, "date_naissance", &date, 32,
                                             champs),
                &date, "Indiquez la date de naissance.", &ymd)
            == NGX_OK
            && ymd <= 19000101)
        {
            ngx_http_portail_field_error(champs, "date_naissance",
                                         "La date de naissance doit être "
                                         "postérieure au 1er janvier 1900.");
        }

        if (ngx_http_portail_line(champs, "lien",
                ngx_http_portail_json_string(ctx, "lien", &lien, 32, champs),
                &lien, 32, "Indiquez le lien avec le titulaire du contrat.")
            == NGX_OK)
        {
            for (i = 0; ngx_http_portail_liens[i]; i++) {
                if (ngx_strlen(ngx_http_portail_liens[i]) == lien.len
                    && ngx_strncmp(ngx_http_portail_liens[i], lien.data,
                                   lien.len) == 0)
                {
                    break;
                }
            }

            if (ngx_http_portail_liens[i] == NULL) {
                ngx_http_portail_field_error(champs, "lien",
                              "Choisissez un lien dans la liste : conjoint, "
                              "enfant, ascendant, autre_parent, autre ou "
                              "signataire.");
            }
        }

        if (json_object_size(champs)) {
            return ngx_http_portail_send_validation(r, champs);
        }

    }

    call = ngx_http_portail_request_call(r,
              &ngx_http_portail_contrats_stmts[NGX_HTTP_PORTAIL_OCCUPANT_WRITE],
              &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, c->numero,
                                     NGX_HTTP_PORTAIL_NUMERO_LEN) != NGX_OK
        || (has_id ? ngx_http_portail_pg_param_str(q, call, &c->id)
                   : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || ngx_http_portail_pg_param(call, (u_char *) (remove ? "t" : "f"), 1)
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &nom) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &prenom) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &date) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &lien) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  has_id ? ngx_http_portail_occupant_done
                                         : ngx_http_portail_occupant_created);
}


static ngx_int_t
ngx_http_portail_occupant_outcome(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t status)
{
    json_t     *champs;
    ngx_int_t   rc;
    ngx_str_t   outcome;

    rc = ngx_http_portail_tenant_write_done(r, ctx, status, &outcome);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    /* "date_future": the only other outcome */

    champs = ngx_http_portail_champs(r);
    if (champs == NULL
        || ngx_http_portail_field_error(champs, "date_naissance",
                                        "La date de naissance ne peut pas "
                                        "être dans le futur.")
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_validation(r, champs);
}


static ngx_int_t
ngx_http_portail_occupant_created(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_occupant_outcome(r, ctx, NGX_HTTP_CREATED);
}


static ngx_int_t
ngx_http_portail_occupant_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_occupant_outcome(r, ctx, NGX_HTTP_OK);
}


/* GET /api/contrats/{numero}/adresse-facturation */

static ngx_int_t
ngx_http_portail_billing_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_contrat_read(r, ctx, NGX_HTTP_PORTAIL_BILLING_GET);
}


/*
 * PUT /api/contrats/{numero}/adresse-facturation: the lines of a French
 * postal address (NF Z10-011), 38 characters each; the locality is put in
 * capitals without accents, as line 6 wants it.
 */

static ngx_int_t
ngx_http_portail_billing_put(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_int_t                     rc;
    ngx_str_t                     v[7], localite;
    ngx_uint_t                    i;
    const char                   *err;
    ngx_http_portail_contrat_t   *c;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    static const char  *names[] = {
        "destinataire", "complement_destinataire", "complement_adresse",
        "voie", "lieu_dit", "code_postal", "localite"
    };

    static const char  *missing[] = {
        "Indiquez le destinataire (nom et prénom, ou raison sociale).",
        NULL, NULL,
        "Indiquez le numéro et le nom de la voie.",
        NULL,
        "Indiquez le code postal.",
        "Indiquez la localité."
    };

    c = ngx_http_portail_contrat_ctx(r, ctx, 0);
    if (c == NULL) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    champs = ngx_http_portail_champs(r);
    if (champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < 7; i++) {
        ngx_str_null(&v[i]);

        rc = ngx_http_portail_json_string(ctx, names[i], &v[i], 400, champs);

        if (ngx_http_portail_line(champs, names[i], rc, &v[i], 38, missing[i])
            != NGX_OK)
        {
            continue;
        }

        if (i == 5) {
            err = portail_check_code_postal(v[i].data, v[i].len);
            if (err) {
                ngx_http_portail_field_error(champs, names[i], err);
            }
        }

        if (i == 6) {
            localite.data = ngx_pnalloc(r->pool, PORTAIL_LOCALITE_MAX);
            if (localite.data == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            err = portail_check_localite(v[i].data, v[i].len, localite.data,
                                         &localite.len);
            if (err) {
                ngx_http_portail_field_error(champs, names[i], err);

            } else {
                v[i] = localite;
            }
        }
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_contrats_stmts[NGX_HTTP_PORTAIL_BILLING_PUT],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, c->numero,
                                     NGX_HTTP_PORTAIL_NUMERO_LEN) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < 7; i++) {
        if (ngx_http_portail_pg_param_str(q, call, &v[i]) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_http_portail_param_ip(r, q, call) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_contrat_written);
}


/* GET /api/contrats/{numero}/assurance */

static ngx_int_t
ngx_http_portail_insurance_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_contrat_read(r, ctx,
                                         NGX_HTTP_PORTAIL_INSURANCE_LIST);
}


/*
 * POST /api/contrats/{numero}/assurance (multipart/form-data): assureur,
 * numero_police, date_debut, date_fin and the file "attestation", a PDF,
 * JPEG or PNG recognised by its content; kept pending the office's review.
 */

static ngx_int_t
ngx_http_portail_insurance_post(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    int                           debut, fin;
    json_t                       *champs;
    ngx_int_t                     rc_debut, rc_fin;
    ngx_str_t                     assureur, police, date_debut, date_fin;
    ngx_str_t                     mime, nom;
    ngx_http_portail_part_t      *file;
    ngx_http_portail_contrat_t   *c;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    c = ngx_http_portail_contrat_ctx(r, ctx, 0);
    if (c == NULL) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    champs = ngx_http_portail_champs(r);
    if (champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (void) ngx_http_portail_line(champs, "assureur",
               ngx_http_portail_part_text(ctx, "assureur", &assureur, 400,
                                          champs),
               &assureur, 100, "Indiquez le nom de votre assureur.");

    (void) ngx_http_portail_line(champs, "numero_police",
               ngx_http_portail_part_text(ctx, "numero_police", &police, 200,
                                          champs),
               &police, 50, "Indiquez le numéro de votre contrat "
                            "d'assurance (police).");

    rc_debut = ngx_http_portail_date(champs, "date_debut",
                   ngx_http_portail_part_text(ctx, "date_debut", &date_debut,
                                              32, champs),
                   &date_debut, "Indiquez la date de début de la garantie.",
                   &debut);

    rc_fin = ngx_http_portail_date(champs, "date_fin",
                 ngx_http_portail_part_text(ctx, "date_fin", &date_fin, 32,
                                            champs),
                 &date_fin, "Indiquez la date de fin de la garantie.", &fin);

    if (rc_debut == NGX_OK && rc_fin == NGX_OK && fin <= debut) {
        ngx_http_portail_field_error(champs, "date_fin",
                                     "La date de fin doit être postérieure "
                                     "à la date de début.");
    }

    file = ngx_http_portail_part(ctx, "attestation", 0);

    if (file == NULL || !file->file) {
        ngx_http_portail_field_error(champs, "attestation",
                                     "Joignez votre attestation d'assurance "
                                     "(PDF, JPEG ou PNG).");

    } else if (ngx_http_portail_upload_check(r, file, "attestation", champs)
               == NGX_ERROR)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    mime.data = (u_char *) file->mime;
    mime.len = ngx_strlen(file->mime);

    nom = file->filename;
    if (nom.len == 0) {
        ngx_str_set(&nom, "attestation");
    }

    call = ngx_http_portail_request_call(r,
             &ngx_http_portail_contrats_stmts[NGX_HTTP_PORTAIL_INSURANCE_POST],
             &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, c->numero,
                                     NGX_HTTP_PORTAIL_NUMERO_LEN) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &assureur) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &police) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &date_debut) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &date_fin) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, file->data.data,
                                            file->data.len) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &mime) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, file->sha256, 32) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &nom) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_insurance_created);
}


static ngx_int_t
ngx_http_portail_insurance_created(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_int_t  rc;
    ngx_str_t  outcome;

    rc = ngx_http_portail_tenant_write_done(r, ctx, NGX_HTTP_CREATED,
                                            &outcome);

    return rc != NGX_DECLINED
           ? rc
           : ngx_http_portail_send_error(r,
                                         NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
}


static ngx_int_t
ngx_http_portail_contrat_written(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_int_t  rc;
    ngx_str_t  outcome;

    rc = ngx_http_portail_tenant_write_done(r, ctx, NGX_HTTP_OK, &outcome);

    return rc != NGX_DECLINED
           ? rc
           : ngx_http_portail_send_error(r,
                                         NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
}


/*
 * GET /api/contrats/{numero}/assurance/{id}/fichier: what the tenant sent,
 * under a name the portal chooses.  One round trip for the owner check and
 * the first slice, then slice by slice.
 */

static ngx_int_t
ngx_http_portail_insurance_file(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_contrat_t   *c;
    ngx_http_portail_pg_call_t   *info, *first;
    ngx_http_portail_pg_query_t  *q;

    c = ngx_http_portail_contrat_ctx(r, ctx, 1);
    if (c == NULL) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    /* both statements check the owner: they run in one transaction */

    info = ngx_http_portail_request_call(r,
             &ngx_http_portail_contrats_stmts[NGX_HTTP_PORTAIL_INSURANCE_FILE],
             &q);
    first = info ? ngx_http_portail_pg_call(q,
             &ngx_http_portail_contrats_stmts[NGX_HTTP_PORTAIL_INSURANCE_FIRST])
                 : NULL;

    if (first == NULL
        || ngx_http_portail_session_param(q, info, ctx) != NGX_OK
        || ngx_http_portail_pg_param(info, c->numero,
                                     NGX_HTTP_PORTAIL_NUMERO_LEN) != NGX_OK
        || ngx_http_portail_pg_param_str(q, info, &c->id) != NGX_OK
        || ngx_http_portail_session_param(q, first, ctx) != NGX_OK
        || ngx_http_portail_pg_param(first, c->numero,
                                     NGX_HTTP_PORTAIL_NUMERO_LEN) != NGX_OK
        || ngx_http_portail_pg_param_str(q, first, &c->id) != NGX_OK
        || ngx_http_portail_pg_param_int(q, first, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    first->binary = 1;

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_insurance_file_done);
}


static ngx_int_t
ngx_http_portail_insurance_file_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                      *p;
    off_t                        size;
    ngx_str_t                    id, mime, taille, first, filename;
    const char                  *ext;
    ngx_http_portail_contrat_t  *c;

    c = ctx->data;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &id) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 4, &mime) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 5, &taille) != NGX_OK)
    {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 1, 0, 0, &first) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    size = ngx_atoof(taille.data, taille.len);

    ext = (mime.len == sizeof("application/pdf") - 1) ? "pdf"
          : (mime.len == sizeof("image/png") - 1) ? "png" : "jpg";

    filename.data = ngx_pnalloc(r->pool, 64);
    if (filename.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(filename.data, "attestation-assurance-%s-%V.%s",
                    c->numero + 2, &id, ext);
    filename.len = p - filename.data;

    return ngx_http_portail_send_file(r, &filename, &mime, size, &first,
             &ngx_http_portail_contrats_stmts[NGX_HTTP_PORTAIL_INSURANCE_SLICE],
             &id);
}
