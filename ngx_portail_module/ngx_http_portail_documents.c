
/*
 * Documents: GET /api/documents, the tenant's documents per contract and
 * kind (due notices, quittances, charge reconciliations, receipts,
 * mandates), and GET /api/documents/{id}/fichier, one of them, streamed
 * from PostgreSQL slice by slice.
 *
 * Quittances (law of 6 July 1989, art. 21) exist only for fully paid
 * months (portail.mois_acquittes, sql/migrations/012_documents.sql).  A
 * fully paid month the ERP sent no quittance for is listed with the
 * pseudo-id q-<contract digits>-<YYYY-MM>; its first download makes the
 * PDF here and stores it, and every later download serves those bytes.
 */


#include "ngx_http_portail.h"


#define NGX_HTTP_PORTAIL_DOCUMENTS_PER_PAGE   50
#define NGX_HTTP_PORTAIL_DOCUMENTS_MAX_PAGE   100
#define NGX_HTTP_PORTAIL_DOCUMENTS_PAGES      10000


enum {
    NGX_HTTP_PORTAIL_DOCUMENTS_LIST = 0,
    NGX_HTTP_PORTAIL_DOCUMENTS_FILE,
    NGX_HTTP_PORTAIL_DOCUMENTS_SLICE,
    NGX_HTTP_PORTAIL_DOCUMENTS_QUITTANCE,
    NGX_HTTP_PORTAIL_DOCUMENTS_STORE
};


/* the columns of a file statement; the quittance statement's go on */
enum {
    NGX_HTTP_PORTAIL_DOC_ID = 3,
    NGX_HTTP_PORTAIL_DOC_SIZE,
    NGX_HTTP_PORTAIL_DOC_NAME,
    NGX_HTTP_PORTAIL_DOC_FIRST,
    NGX_HTTP_PORTAIL_Q_REFERENCE,
    NGX_HTTP_PORTAIL_Q_TITLE,
    NGX_HTTP_PORTAIL_Q_MONTH,
    NGX_HTTP_PORTAIL_Q_FROM,
    NGX_HTTP_PORTAIL_Q_TO,
    NGX_HTTP_PORTAIL_Q_TENANTS,
    NGX_HTTP_PORTAIL_Q_CLIENT,
    NGX_HTTP_PORTAIL_Q_CONTRACT,
    NGX_HTTP_PORTAIL_Q_KIND,
    NGX_HTTP_PORTAIL_Q_DESIGNATION,
    NGX_HTTP_PORTAIL_Q_ADDRESS1,
    NGX_HTTP_PORTAIL_Q_ADDRESS2,
    NGX_HTTP_PORTAIL_Q_CITY,
    NGX_HTTP_PORTAIL_Q_RENT,
    NGX_HTTP_PORTAIL_Q_CHARGES,
    NGX_HTTP_PORTAIL_Q_TOTAL,
    NGX_HTTP_PORTAIL_Q_PAID,
    NGX_HTTP_PORTAIL_Q_ISSUED
};


typedef struct {
    /* NUL-terminated: libpq reads text parameters up to their NUL */
    u_char                            contrat[PORTAIL_REFERENCE_LEN + 1];
    u_char                            periode[sizeof("2025-10-01")];
} ngx_http_portail_quittance_t;


static ngx_int_t ngx_http_portail_documents_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_list_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_arg(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static ngx_int_t ngx_http_portail_documents_file(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_file_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_send(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_quittance(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, u_char *contrat, unsigned annee,
    unsigned mois);
static ngx_int_t ngx_http_portail_quittance_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_quittance_stored(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_quittance_pdf(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_str_t *out);


static ngx_http_portail_stmt_t  ngx_http_portail_documents_stmts[] = {

    { "documents_liste",
      "SELECT compte_id, session_id, a_toucher,"
      " portail.documents_liste(compte_id, $2::text, $3::text, $4::integer,"
      " $5::integer, $6::integer)"
      " FROM portail.session_valide($1::bytea)",
      6, 0 },

    /*
     * Binary results (the first slice is bytea): the other columns are
     * text, whose binary form is the text itself.
     */

    { "documents_fichier",
      "SELECT s.compte_id::text, s.session_id::text, s.a_toucher::text,"
      " x.id::text, x.taille::text, x.nom, x.debut"
      " FROM portail.session_valide($1::bytea) s"
      " LEFT JOIN LATERAL ("
      "SELECT d.id, d.taille,"
      " portail.document_nom_fichier(d.nature, d.periode, d.titre, k.numero)"
      " AS nom,"
      " substring(d.contenu FROM 1 FOR $3::integer) AS debut"
      " FROM portail.document d"
      " JOIN portail.contrats_du_compte(s.compte_id) k"
      " ON k.id = d.contrat_id"
      " WHERE d.id = $2::bigint) x ON true",
      3, 0 },

    /* the next slices of a document whose owner was checked */
    { "documents_tranche",
      "SELECT substring(contenu FROM $2::integer FOR $3::integer)"
      " FROM portail.document WHERE id = $1::bigint",
      3, 0 },

    { "documents_quittance",
      "SELECT s.compte_id::text, s.session_id::text, s.a_toucher::text,"
      " q.document_id::text, q.taille::text, q.nom_fichier, q.debut,"
      " q.reference, q.titre, q.periode_libelle, q.periode_du, q.periode_au,"
      " q.locataires, q.reference_client, q.contrat, q.contrat_nature,"
      " q.designation, q.adresse1, q.adresse2, q.ville,"
      " q.loyer_cents::text, q.charges_cents::text, q.montant_cents::text,"
      " q.paiement_le, q.etablie_le"
      " FROM portail.session_valide($1::bytea) s"
      " LEFT JOIN LATERAL portail.quittance_a_produire(s.compte_id,"
      " $2::text, $3::date, $4::integer) q ON true",
      4, 0 },

    { "documents_quittance_enregistrer",
      "SELECT s.compte_id::text, s.session_id::text, s.a_toucher::text,"
      " q.document_id::text, q.taille::text, q.nom_fichier, q.debut"
      " FROM portail.session_valide($1::bytea) s"
      " LEFT JOIN LATERAL portail.quittance_enregistrer(s.compte_id,"
      " $2::text, $3::date, $4::bytea, $5::inet, $6::integer) q ON true",
      6, 0 }
};


static ngx_http_portail_route_t  ngx_http_portail_documents_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/documents"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_documents_list },

    { NGX_HTTP_GET, ngx_string("/api/documents/{}/fichier"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_documents_file },

    { 0, ngx_null_string, 0, NULL }
};


static const char  *ngx_http_portail_documents_natures[] = {
    "avis_echeance",
    "quittance",
    "regularisation_charges",
    "recu_paiement",
    "mandat",
    NULL
};


static ngx_str_t  ngx_http_portail_documents_mime =
    ngx_string("application/pdf");


ngx_int_t
ngx_http_portail_documents_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_documents_stmts,
            sizeof(ngx_http_portail_documents_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_documents_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * A query string argument, percent-decoded; NGX_DECLINED when absent or
 * empty (a form's "all" choice sends "contrat=").
 */

static ngx_int_t
ngx_http_portail_documents_arg(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    u_char     *dst, *src;
    ngx_str_t   raw;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &raw) != NGX_OK
        || raw.len == 0)
    {
        return NGX_DECLINED;
    }

    dst = ngx_pnalloc(r->pool, raw.len + 1);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    value->data = dst;
    src = raw.data;

    ngx_unescape_uri(&dst, &src, raw.len, 0);

    value->len = dst - value->data;
    *dst = '\0';

    return value->len ? NGX_OK : NGX_DECLINED;
}


/* GET /api/documents?contrat=2013936&nature=quittance&annee=2025&page=2 */

static ngx_int_t
ngx_http_portail_documents_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    uint64_t                      n;
    ngx_int_t                     rc;
    ngx_str_t                     contrat, nature, value;
    ngx_uint_t                    i, annee, page, per_page;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    champs = json_object();
    if (champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_null(&contrat);
    ngx_str_null(&nature);
    annee = 0;
    page = 1;
    per_page = NGX_HTTP_PORTAIL_DOCUMENTS_PER_PAGE;

    rc = ngx_http_portail_documents_arg(r, "contrat", &contrat);

    if (rc == NGX_OK
        && (contrat.len != PORTAIL_REFERENCE_LEN
            || portail_parse_number(contrat.data, contrat.len, 9999999, &n)
               != 0))
    {
        rc = ngx_http_portail_field_error(champs, "contrat",
                 "Le numéro de contrat est fait de 7 chiffres, sans le L/ "
                 "(par exemple 2013936).");
    }

    if (rc == NGX_ERROR) {
        goto failed;
    }

    rc = ngx_http_portail_documents_arg(r, "nature", &nature);

    if (rc == NGX_OK) {
        for (i = 0; ngx_http_portail_documents_natures[i]; i++) {
            if (nature.len == ngx_strlen(ngx_http_portail_documents_natures[i])
                && ngx_strncmp(nature.data,
                               ngx_http_portail_documents_natures[i],
                               nature.len) == 0)
            {
                break;
            }
        }

        if (ngx_http_portail_documents_natures[i] == NULL) {
            rc = ngx_http_portail_field_error(champs, "nature",
                     "Type de document inconnu : choisissez avis_echeance, "
                     "quittance, regularisation_charges, recu_paiement ou "
                     "mandat.");
            ngx_str_null(&nature);
        }
    }

    if (rc == NGX_ERROR) {
        goto failed;
    }

    rc = ngx_http_portail_documents_arg(r, "annee", &value);

    if (rc == NGX_OK) {
        if (value.len != 4
            || portail_parse_number(value.data, value.len, 2999, &n) != 0
            || n < 1900)
        {
            rc = ngx_http_portail_field_error(champs, "annee",
                     "L'année s'écrit avec 4 chiffres (par exemple 2025).");

        } else {
            annee = (ngx_uint_t) n;
        }
    }

    if (rc == NGX_ERROR) {
        goto failed;
    }

    rc = ngx_http_portail_documents_arg(r, "page", &value);

    if (rc == NGX_OK) {
        if (portail_parse_number(value.data, value.len,
                                 NGX_HTTP_PORTAIL_DOCUMENTS_PAGES, &n)
            != 0 || n < 1)
        {
            rc = ngx_http_portail_field_error(champs, "page",
                     "Le numéro de page est un nombre entier de 1 à 10000.");

        } else {
            page = (ngx_uint_t) n;
        }
    }

    if (rc == NGX_ERROR) {
        goto failed;
    }

    rc = ngx_http_portail_documents_arg(r, "par_page", &value);

    if (rc == NGX_OK) {
        if (portail_parse_number(value.data, value.len,
                                 NGX_HTTP_PORTAIL_DOCUMENTS_MAX_PAGE, &n)
            != 0 || n < 1)
        {
            rc = ngx_http_portail_field_error(champs, "par_page",
                     "Le nombre de documents par page est un nombre entier "
                     "de 1 à 100.");

        } else {
            per_page = (ngx_uint_t) n;
        }
    }

    if (rc == NGX_ERROR) {
        goto failed;
    }

    if (json_object_size(champs)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: documents list with invalid filters \"%V\"",
                      &r->args);
        return ngx_http_portail_send_validation(r, champs);
    }

    json_decref(champs);

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_documents_stmts[
                   NGX_HTTP_PORTAIL_DOCUMENTS_LIST],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call,
                                         contrat.len ? &contrat : NULL)
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, nature.len ? &nature : NULL)
           != NGX_OK
        || (annee ? ngx_http_portail_pg_param_int(q, call, annee)
                  : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, page) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, per_page) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_documents_list_done);

failed:

    json_decref(champs);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


static ngx_int_t
ngx_http_portail_documents_list_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t  body;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r, "non_authentifie");
    }

    /* NULL: the contract filter names a contract the tenant does not see */

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &body) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: documents of a contract not the tenant's "
                      "asked for: \"%V\"", &r->args);
        return ngx_http_portail_send_error(r, "introuvable");
    }

    return ngx_http_portail_send_json(r, NGX_HTTP_OK, body.data, body.len);
}


/*
 * GET /api/documents/{id}/fichier: {id} is a document's id, or the
 * pseudo-id of a quittance the portal makes (q-2013936-2025-10).  An id
 * of another tenant, an unknown one and a malformed one are all 404.
 */

static ngx_int_t
ngx_http_portail_documents_file(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                        contrat[PORTAIL_REFERENCE_LEN];
    uint64_t                      id;
    unsigned                      annee, mois;
    ngx_str_t                    *arg;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    arg = &ctx->args[0];

    if (portail_quittance_id(arg->data, arg->len, contrat, &annee, &mois)
        == 0)
    {
        return ngx_http_portail_quittance(r, ctx, contrat, annee, mois);
    }

    if (portail_parse_number(arg->data, arg->len,
                             (uint64_t) NGX_MAX_OFF_T_VALUE, &id)
        != 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: malformed document id \"%V\"", arg);
        return ngx_http_portail_send_error(r, "introuvable");
    }

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_documents_stmts[
                   NGX_HTTP_PORTAIL_DOCUMENTS_FILE],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, (int64_t) id) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    call->binary = 1;

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_documents_file_done);
}


static ngx_int_t
ngx_http_portail_documents_file_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r, "non_authentifie");
    }

    return ngx_http_portail_documents_send(r, ctx);
}


/* the document the last statement found for the tenant, or 404 */

static ngx_int_t
ngx_http_portail_documents_send(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    off_t                         size;
    ngx_str_t                     id, taille, name, first;
    ngx_http_portail_pg_query_t  *q;

    q = ctx->query;

    if (ngx_http_portail_pg_value(q, 0, 0, NGX_HTTP_PORTAIL_DOC_ID, &id)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: document \"%V\" refused: unknown or not the "
                      "tenant's", &ctx->args[0]);
        return ngx_http_portail_send_error(r, "introuvable");
    }

    if (ngx_http_portail_pg_value(q, 0, 0, NGX_HTTP_PORTAIL_DOC_SIZE, &taille)
        != NGX_OK
        || ngx_http_portail_pg_value(q, 0, 0, NGX_HTTP_PORTAIL_DOC_NAME, &name)
           != NGX_OK
        || ngx_http_portail_pg_value(q, 0, 0, NGX_HTTP_PORTAIL_DOC_FIRST,
                                     &first)
           != NGX_OK
        || (size = ngx_atoof(taille.data, taille.len)) == NGX_ERROR)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "portail: document %V: incomplete answer", &id);
        return ngx_http_portail_send_error(r, "erreur_interne");
    }

    return ngx_http_portail_send_file(r, &name,
               &ngx_http_portail_documents_mime, size, &first,
               &ngx_http_portail_documents_stmts[
                   NGX_HTTP_PORTAIL_DOCUMENTS_SLICE],
               &id);
}


/* a quittance of a fully paid month: stored, or to make */

static ngx_int_t
ngx_http_portail_quittance(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    u_char *contrat, unsigned annee, unsigned mois)
{
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_quittance_t  *qt;

    qt = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_quittance_t));
    if (qt == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(qt->contrat, contrat, PORTAIL_REFERENCE_LEN);
    ngx_sprintf(qt->periode, "%04ud-%02ud-01%Z", annee, mois);
    ctx->data = qt;

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_documents_stmts[
                   NGX_HTTP_PORTAIL_DOCUMENTS_QUITTANCE],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, qt->contrat, PORTAIL_REFERENCE_LEN)
           != NGX_OK
        || ngx_http_portail_pg_param(call, qt->periode,
                                     sizeof("2025-10-01") - 1)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    call->binary = 1;

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_quittance_done);
}


static ngx_int_t
ngx_http_portail_quittance_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                      value, pdf;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_quittance_t  *qt;

    qt = ctx->data;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r, "non_authentifie");
    }

    /* made already, by the ERP or at an earlier download */

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, NGX_HTTP_PORTAIL_DOC_ID,
                                  &value)
        == NGX_OK)
    {
        return ngx_http_portail_documents_send(r, ctx);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0,
                                  NGX_HTTP_PORTAIL_Q_REFERENCE, &value)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: quittance \"%V\" refused: month not fully "
                      "paid, or contract not the tenant's", &ctx->args[0]);
        return ngx_http_portail_send_error(r, "introuvable");
    }

    if (ngx_http_portail_quittance_pdf(r, ctx->query, &pdf) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "portail: quittance \"%V\" could not be made",
                      &ctx->args[0]);
        return ngx_http_portail_send_error(r, "erreur_interne");
    }

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_documents_stmts[
                   NGX_HTTP_PORTAIL_DOCUMENTS_STORE],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, qt->contrat, PORTAIL_REFERENCE_LEN)
           != NGX_OK
        || ngx_http_portail_pg_param(call, qt->periode,
                                     sizeof("2025-10-01") - 1)
           != NGX_OK
        || ngx_http_portail_pg_param_binary(call, pdf.data, pdf.len)
           != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    call->binary = 1;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: quittance %V made (%uz bytes)", &value, pdf.len);

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_quittance_stored);
}


static ngx_int_t
ngx_http_portail_quittance_stored(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r, "non_authentifie");
    }

    /* no row: the ledger changed in between (the month is no longer paid) */

    return ngx_http_portail_documents_send(r, ctx);
}


/* a line of the PDF, made with ngx_sprintf() into the request's pool */

static ngx_str_t *
ngx_http_portail_quittance_line(ngx_pool_t *pool, size_t max,
    const char *fmt, ...)
{
    va_list     args;
    ngx_str_t  *s;

    s = ngx_palloc(pool, sizeof(ngx_str_t));
    if (s == NULL) {
        return NULL;
    }

    s->data = ngx_pnalloc(pool, max);
    if (s->data == NULL) {
        return NULL;
    }

    va_start(args, fmt);
    s->len = ngx_vslprintf(s->data, s->data + max, fmt, args) - s->data;
    va_end(args);

    return s;
}


/*
 * The quittance, an A4 page: the office (from the configuration), the
 * contract and the tenants, the statement of receipt, rent and charges
 * apart, the date of the payment that settled the month, and the legal
 * mention.  Every value comes from the quittance statement's row.
 */

static ngx_int_t
ngx_http_portail_quittance_pdf(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_str_t *out)
{
    u_char                          *p;
    double                           y;
    size_t                           max;
    int64_t                          cents;
    ngx_str_t                        v[NGX_HTTP_PORTAIL_Q_ISSUED + 1], *s;
    ngx_str_t                        euros[3], text;
    ngx_uint_t                       i;
    ngx_http_portail_pdf_t          *pdf;
    ngx_http_portail_main_conf_t    *pmcf;
    ngx_http_portail_office_conf_t  *office;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    office = &pmcf->office;

    max = office->name.len + office->address.len + office->phone.len
          + office->email.len + office->website.len + 512;

    for (i = NGX_HTTP_PORTAIL_Q_REFERENCE; i <= NGX_HTTP_PORTAIL_Q_ISSUED;
         i++)
    {
        if (ngx_http_portail_pg_value(q, 0, 0, i, &v[i]) != NGX_OK) {
            ngx_str_null(&v[i]);
        }

        max += v[i].len;
    }

    /* amounts: "412,50 €" */

    for (i = 0; i < 3; i++) {
        s = &v[NGX_HTTP_PORTAIL_Q_RENT + i];
        cents = ngx_atoof(s->data, s->len);

        if (cents == NGX_ERROR) {
            return NGX_ERROR;
        }

        euros[i].data = ngx_pnalloc(r->pool, NGX_HTTP_PORTAIL_EUROS_LEN);
        if (euros[i].data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_http_portail_format_euros(euros[i].data, cents);
        euros[i].len = p - euros[i].data;
    }

    pdf = ngx_http_portail_pdf_create(r->pool, &v[NGX_HTTP_PORTAIL_Q_TITLE]);
    if (pdf == NULL) {
        return NGX_ERROR;
    }

    ngx_http_portail_pdf_author(pdf, &office->name);

    /* the office */

    if (ngx_http_portail_pdf_box(pdf, 12, 12, 186, 27, 92) != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 17, 20, 12, 1, 0, &office->name)
           != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 17, 26.5, 9, 0, 0, &office->address)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Tél. %V – %V – %V", &office->phone, &office->email,
            &office->website);

    if (s == NULL
        || ngx_http_portail_pdf_text(pdf, 17, 32, 9, 0, 0, s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* title and period */

    ngx_str_set(&text, "Quittance de loyer");

    if (ngx_http_portail_pdf_text(pdf, 17, 54, 20, 1, 0, &text) != NGX_OK) {
        return NGX_ERROR;
    }

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Période du %V au %V (%V)", &v[NGX_HTTP_PORTAIL_Q_FROM],
            &v[NGX_HTTP_PORTAIL_Q_TO], &v[NGX_HTTP_PORTAIL_Q_MONTH]);

    if (s == NULL
        || ngx_http_portail_pdf_text(pdf, 17, 62, 11, 0, 0, s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the contract (left) */

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Référence client : %V", &v[NGX_HTTP_PORTAIL_Q_CLIENT]);

    if (s == NULL
        || ngx_http_portail_pdf_text(pdf, 17, 77, 10, 1, 0, s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Contrat n° %V – %V", &v[NGX_HTTP_PORTAIL_Q_CONTRACT],
            &v[NGX_HTTP_PORTAIL_Q_KIND]);

    y = 88;

    if (s == NULL
        || ngx_http_portail_pdf_text(pdf, 17, 83, 10, 0, 0, s) != NGX_OK
        || ngx_http_portail_pdf_paragraph(pdf, 17, &y, 88, 9, 4.5, 0,
                                 &v[NGX_HTTP_PORTAIL_Q_DESIGNATION])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the tenants and the dwelling's address (right: a window envelope) */

    y = 77;

    if (ngx_http_portail_pdf_paragraph(pdf, 115, &y, 80, 10, 5, 1,
                                       &v[NGX_HTTP_PORTAIL_Q_TENANTS])
        != NGX_OK
        || ngx_http_portail_pdf_paragraph(pdf, 115, &y, 80, 10, 5, 0,
                                          &v[NGX_HTTP_PORTAIL_Q_ADDRESS2])
           != NGX_OK
        || ngx_http_portail_pdf_paragraph(pdf, 115, &y, 80, 10, 5, 0,
                                          &v[NGX_HTTP_PORTAIL_Q_ADDRESS1])
           != NGX_OK
        || ngx_http_portail_pdf_paragraph(pdf, 115, &y, 80, 10, 5, 0,
                                          &v[NGX_HTTP_PORTAIL_Q_CITY])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the receipt */

    y = ngx_max(y, 100) + 12;

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Le bailleur, %V, déclare avoir reçu de %V la somme de %V au "
            "titre du loyer et des charges de la période du %V au %V "
            "(%V), et en donne quittance, sous réserve de tous ses droits.", &office->name, &v[NGX_HTTP_PORTAIL_Q_TENANTS],
            &euros[2], &v[NGX_HTTP_PORTAIL_Q_FROM], &v[NGX_HTTP_PORTAIL_Q_TO],
            &v[NGX_HTTP_PORTAIL_Q_MONTH]);

    if (s == NULL
        || ngx_http_portail_pdf_paragraph(pdf, 17, &y, 176, 10.5, 5.5, 0, s)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* rent and charges apart (art. 21) */

    y += 6;

    if (ngx_http_portail_pdf_line(pdf, 17, y, 193, y) != NGX_OK) {
        return NGX_ERROR;
    }

    y += 7;
    ngx_str_set(&text, "Loyer");

    if (ngx_http_portail_pdf_text(pdf, 21, y, 10.5, 0, 0, &text) != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 189, y, 10.5, 0, 1, &euros[0])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    y += 7;
    ngx_str_set(&text, "Provisions sur charges");

    if (ngx_http_portail_pdf_text(pdf, 21, y, 10.5, 0, 0, &text) != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 189, y, 10.5, 0, 1, &euros[1])
           != NGX_OK
        || ngx_http_portail_pdf_line(pdf, 17, y + 4, 193, y + 4) != NGX_OK)
    {
        return NGX_ERROR;
    }

    y += 11;
    ngx_str_set(&text, "Total acquitté");

    if (ngx_http_portail_pdf_text(pdf, 21, y, 11, 1, 0, &text) != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 189, y, 11, 1, 1, &euros[2])
           != NGX_OK
        || ngx_http_portail_pdf_line(pdf, 17, y + 4, 193, y + 4) != NGX_OK)
    {
        return NGX_ERROR;
    }

    y += 16;

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Date du paiement qui a soldé cette période : %V.",
            &v[NGX_HTTP_PORTAIL_Q_PAID]);

    if (s == NULL
        || ngx_http_portail_pdf_text(pdf, 17, y, 10, 0, 0, s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    y += 6;

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Quittance établie le %V.", &v[NGX_HTTP_PORTAIL_Q_ISSUED]);

    if (s == NULL
        || ngx_http_portail_pdf_text(pdf, 17, y, 10, 0, 0, s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the legal mention and the office, at the foot of the page */

    y = 252;
    ngx_str_set(&text, "Quittance délivrée gratuitement (loi n° 89-462 du "
                       "6 juillet 1989, article 21) pour une période "
                       "intégralement payée. Elle annule tous les reçus qui "
                       "auraient pu être délivrés pour cette même période.");

    if (ngx_http_portail_pdf_paragraph(pdf, 17, &y, 176, 8.5, 4.2, 0, &text)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    s = ngx_http_portail_quittance_line(r->pool, max,
            "Document établi par le portail locataire, référence %V.",
            &v[NGX_HTTP_PORTAIL_Q_REFERENCE]);

    if (s == NULL
        || ngx_http_portail_pdf_text(pdf, 17, y + 1, 8, 0, 0, s) != NGX_OK
        || ngx_http_portail_pdf_line(pdf, 17, 278, 193, 278) != NGX_OK)
    {
        return NGX_ERROR;
    }

    y = 283;

    s = ngx_http_portail_quittance_line(r->pool, max, "%V – %V",
                                        &office->name, &office->address);

    if (s == NULL
        || ngx_http_portail_pdf_paragraph(pdf, 17, &y, 176, 8, 4, 0, s)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_pdf_finish(pdf, out);
}
