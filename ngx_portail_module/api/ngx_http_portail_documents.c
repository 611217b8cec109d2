
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


#include "ngx_http_portail_core.h"


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


/* the numeric filters of the list, in the order their errors are listed */

enum {
    NGX_HTTP_PORTAIL_CONTRAT = 0,
    NGX_HTTP_PORTAIL_ANNEE,
    NGX_HTTP_PORTAIL_PAGE,
    NGX_HTTP_PORTAIL_PER_PAGE,
    NGX_HTTP_PORTAIL_FILTERS
};


typedef struct {
    const char                       *name;
    size_t                            digits;     /* exactly, or 0 */
    uint64_t                          min;
    uint64_t                          max;
    uint64_t                          dflt;
    const char                       *message;
} ngx_http_portail_documents_filter_t;


#define NGX_HTTP_PORTAIL_BOLD   1
#define NGX_HTTP_PORTAIL_RIGHT  2


typedef struct {
    ngx_http_portail_pdf_t           *pdf;
    double                            y;          /* below the last text */
} ngx_http_portail_layout_t;


/*
 * The quittance's wording (templates/pdf/quittance.txt): its texts, and
 * its variables, the quittance statement's columns from reference on then
 * the office's details.
 */

enum {
    NGX_HTTP_PORTAIL_QT_CONTACT = 0,
    NGX_HTTP_PORTAIL_QT_TITLE,
    NGX_HTTP_PORTAIL_QT_PERIOD,
    NGX_HTTP_PORTAIL_QT_CLIENT,
    NGX_HTTP_PORTAIL_QT_CONTRACT,
    NGX_HTTP_PORTAIL_QT_STATEMENT,
    NGX_HTTP_PORTAIL_QT_RENT,
    NGX_HTTP_PORTAIL_QT_CHARGES,
    NGX_HTTP_PORTAIL_QT_TOTAL,
    NGX_HTTP_PORTAIL_QT_PAID,
    NGX_HTTP_PORTAIL_QT_ISSUED,
    NGX_HTTP_PORTAIL_QT_LEGAL,
    NGX_HTTP_PORTAIL_QT_ORIGIN,
    NGX_HTTP_PORTAIL_QT_FOOTER,
    NGX_HTTP_PORTAIL_QT_TEXTS
};

static const char  *ngx_http_portail_quittance_texts[] = {
    "coordonnees", "titre", "periode", "client", "contrat", "declaration",
    "libelle_loyer", "libelle_charges", "libelle_total", "paiement",
    "etablie", "mention_legale", "origine", "pied", NULL
};

#define NGX_HTTP_PORTAIL_QV(column)  ((column) - NGX_HTTP_PORTAIL_Q_REFERENCE)

enum {
    NGX_HTTP_PORTAIL_QV_OFFICE = NGX_HTTP_PORTAIL_QV(NGX_HTTP_PORTAIL_Q_ISSUED)
                                 + 1,
    NGX_HTTP_PORTAIL_QV_OFFICE_ADDRESS,
    NGX_HTTP_PORTAIL_QV_OFFICE_PHONE,
    NGX_HTTP_PORTAIL_QV_OFFICE_EMAIL,
    NGX_HTTP_PORTAIL_QV_OFFICE_WEBSITE,
    NGX_HTTP_PORTAIL_QV_VARIABLES
};

static const char  *ngx_http_portail_quittance_variables[] = {
    "reference", "titre", "mois", "du", "au", "locataires",
    "reference_client", "contrat", "nature", "designation", "adresse1",
    "adresse2", "ville", "loyer", "charges", "total", "paye_le",
    "etablie_le", "organisme_nom", "organisme_adresse",
    "organisme_telephone", "organisme_email", "organisme_site", NULL
};

static ngx_http_portail_template_file_t  ngx_http_portail_quittance_wording = {
    "pdf/quittance.txt", ngx_http_portail_quittance_texts,
    ngx_http_portail_quittance_variables, PORTAIL_TEMPLATE_FOLD, 0
};


static ngx_int_t ngx_http_portail_documents_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_list_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_arg(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static ngx_int_t ngx_http_portail_documents_filter(ngx_http_request_t *r,
    json_t *champs, ngx_http_portail_documents_filter_t *f, ngx_str_t *text,
    uint64_t *value);
static ngx_int_t ngx_http_portail_documents_file(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_file_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_documents_send(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_quittance(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, u_char *contrat, unsigned annee,
    unsigned mois);
static ngx_http_portail_pg_call_t *ngx_http_portail_quittance_call(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt,
    ngx_http_portail_pg_query_t **q);
static ngx_int_t ngx_http_portail_quittance_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_quittance_pdf(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_str_t *out);
static ngx_int_t ngx_http_portail_quittance_put(ngx_http_portail_layout_t *l,
    double x, double y, double width, double size, ngx_uint_t flags,
    ngx_str_t *text);


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


/* the numeric filters of the list, in the order their errors are listed */

static ngx_http_portail_documents_filter_t
    ngx_http_portail_documents_filters[] =
{
    { "contrat", PORTAIL_REFERENCE_LEN, 0, 9999999, 0,
      "Le numéro de contrat est fait de 7 chiffres, sans le L/ "
      "(par exemple 2013936)." },

    { "annee", 4, 1900, 2999, 0,
      "L'année s'écrit avec 4 chiffres (par exemple 2025)." },

    { "page", 0, 1, NGX_HTTP_PORTAIL_DOCUMENTS_PAGES, 1,
      "Le numéro de page est un nombre entier de 1 à 10000." },

    { "par_page", 0, 1, NGX_HTTP_PORTAIL_DOCUMENTS_MAX_PAGE,
      NGX_HTTP_PORTAIL_DOCUMENTS_PER_PAGE,
      "Le nombre de documents par page est un nombre entier de 1 à 100." }
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
           != NGX_OK
        || ngx_http_portail_templates_register(cf,
                                     &ngx_http_portail_quittance_wording, 1)
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


/*
 * A numeric filter: its text (empty when absent or wrong) and value, or a
 * field error in champs.  NGX_ERROR only when memory runs out.
 */

static ngx_int_t
ngx_http_portail_documents_filter(ngx_http_request_t *r, json_t *champs,
    ngx_http_portail_documents_filter_t *f, ngx_str_t *text, uint64_t *value)
{
    ngx_int_t  rc;

    rc = ngx_http_portail_documents_arg(r, f->name, text);

    if (rc != NGX_OK) {
        ngx_str_null(text);
        return rc == NGX_ERROR ? NGX_ERROR : NGX_OK;
    }

    if ((f->digits && text->len != f->digits)
        || portail_parse_number(text->data, text->len, f->max, value) != 0
        || *value < f->min)
    {
        ngx_str_null(text);
        return ngx_http_portail_field_error(champs, f->name, f->message);
    }

    return NGX_OK;
}


/* GET /api/documents?contrat=2013936&nature=quittance&annee=2025&page=2 */

static ngx_int_t
ngx_http_portail_documents_list(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    uint64_t                      value[NGX_HTTP_PORTAIL_FILTERS];
    ngx_int_t                     rc;
    ngx_str_t                     nature, text[NGX_HTTP_PORTAIL_FILTERS];
    ngx_uint_t                    i;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    champs = ngx_http_portail_champs(r);
    if (champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < NGX_HTTP_PORTAIL_FILTERS; i++) {
        value[i] = ngx_http_portail_documents_filters[i].dflt;

        if (ngx_http_portail_documents_filter(r, champs,
                &ngx_http_portail_documents_filters[i], &text[i], &value[i])
            == NGX_ERROR)
        {
            goto failed;
        }
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
        }

    } else {
        ngx_str_null(&nature);
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


    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_documents_stmts[
                   NGX_HTTP_PORTAIL_DOCUMENTS_LIST],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call,
                                         text[NGX_HTTP_PORTAIL_CONTRAT].len
                                         ? &text[NGX_HTTP_PORTAIL_CONTRAT]
                                         : NULL)
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, nature.len ? &nature : NULL)
           != NGX_OK
        || (text[NGX_HTTP_PORTAIL_ANNEE].len
            ? ngx_http_portail_pg_param_int(q, call,
                                            value[NGX_HTTP_PORTAIL_ANNEE])
            : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, value[NGX_HTTP_PORTAIL_PAGE])
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                         value[NGX_HTTP_PORTAIL_PER_PAGE])
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a list a few moments old is still the list: the standby may answer */
    q->primary = 0;

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_documents_list_done);

failed:


    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


static ngx_int_t
ngx_http_portail_documents_list_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t  body;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    /* NULL: the contract filter names a contract the tenant does not see */

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &body) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: documents of a contract not the tenant's "
                      "asked for: \"%V\"", &r->args);
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
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
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
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

    /* documents arrive by the nightly import: the standby may answer */
    q->primary = 0;

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_documents_file_done);
}


/* a document found by the file statement, or by storing a quittance */

static ngx_int_t
ngx_http_portail_documents_file_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
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
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
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
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    return ngx_http_portail_send_file(r, &name,
               &ngx_http_portail_documents_mime, size, &first,
               &ngx_http_portail_documents_stmts[
                   NGX_HTTP_PORTAIL_DOCUMENTS_SLICE],
               &id);
}


/*
 * A statement about the quittance of ctx->data's contract and month, with
 * its first parameters (session, contract, month) set; binary results.
 */

static ngx_http_portail_pg_call_t *
ngx_http_portail_quittance_call(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt,
    ngx_http_portail_pg_query_t **q)
{
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_quittance_t  *qt;

    qt = ctx->data;

    call = ngx_http_portail_request_call(r,
                                 &ngx_http_portail_documents_stmts[stmt], q);

    if (call == NULL
        || ngx_http_portail_session_param(*q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, qt->contrat, PORTAIL_REFERENCE_LEN)
           != NGX_OK
        || ngx_http_portail_pg_param(call, qt->periode,
                                     sizeof("2025-10-01") - 1)
           != NGX_OK)
    {
        return NULL;
    }

    call->binary = 1;

    return call;
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

    call = ngx_http_portail_quittance_call(r, ctx,
                                   NGX_HTTP_PORTAIL_DOCUMENTS_QUITTANCE, &q);

    if (call == NULL
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_quittance_done);
}


static ngx_int_t
ngx_http_portail_quittance_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     value, pdf;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
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
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    if (ngx_http_portail_quittance_pdf(r, ctx->query, &pdf) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "portail: quittance \"%V\" could not be made",
                      &ctx->args[0]);
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    call = ngx_http_portail_quittance_call(r, ctx,
                                   NGX_HTTP_PORTAIL_DOCUMENTS_STORE, &q);

    if (call == NULL
        || ngx_http_portail_pg_param_binary(call, pdf.data, pdf.len)
           != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: quittance %V made (%uz bytes)", &value, pdf.len);

    /* no row then: the ledger changed meanwhile, the month is not paid */

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_documents_file_done);
}


/*
 * Text of the quittance drawn at (x, y) mm; wrapped within width mm when
 * width is not 0, one line every half point size in mm, l->y then below
 * the last line.
 */

static ngx_int_t
ngx_http_portail_quittance_put(ngx_http_portail_layout_t *l, double x,
    double y, double width, double size, ngx_uint_t flags, ngx_str_t *text)
{
    l->y = y;

    if (width) {
        return ngx_http_portail_pdf_paragraph(l->pdf, x, &l->y, width, size,
                                              size / 2,
                                              flags & NGX_HTTP_PORTAIL_BOLD,
                                              text);
    }

    return ngx_http_portail_pdf_text(l->pdf, x, y, size,
                                     flags & NGX_HTTP_PORTAIL_BOLD,
                                     flags & NGX_HTTP_PORTAIL_RIGHT, text);
}


/*
 * The quittance, an A4 page: the office (from the configuration), the
 * contract and the tenants, the statement of receipt, rent and charges
 * apart, the date of the payment that settled the month, and the legal
 * mention.  Every value comes from the quittance statement's row, the
 * wording from templates/pdf/quittance.txt.
 */

static ngx_int_t
ngx_http_portail_quittance_pdf(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_str_t *out)
{
    u_char                          *p;
    double                           y, yr;
    int64_t                          cents;
    ngx_str_t                        v[NGX_HTTP_PORTAIL_QV_VARIABLES],
                                     t[NGX_HTTP_PORTAIL_QT_TEXTS], *euros;
    ngx_uint_t                       i;
    ngx_http_portail_layout_t        l;
    ngx_http_portail_main_conf_t    *pmcf;
    ngx_http_portail_office_conf_t  *o;

    /* the postal order: names, building, street, postal code and city */
    static ngx_uint_t  addressee[] = {
        NGX_HTTP_PORTAIL_Q_TENANTS, NGX_HTTP_PORTAIL_Q_ADDRESS2,
        NGX_HTTP_PORTAIL_Q_ADDRESS1, NGX_HTTP_PORTAIL_Q_CITY
    };

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    o = &pmcf->office;

    for (i = NGX_HTTP_PORTAIL_Q_REFERENCE; i <= NGX_HTTP_PORTAIL_Q_ISSUED;
         i++)
    {
        if (ngx_http_portail_pg_value(q, 0, 0, i, &v[NGX_HTTP_PORTAIL_QV(i)])
            != NGX_OK)
        {
            ngx_str_null(&v[NGX_HTTP_PORTAIL_QV(i)]);
        }
    }

    /* rent, charges, total: "412,50 €" */

    euros = &v[NGX_HTTP_PORTAIL_QV(NGX_HTTP_PORTAIL_Q_RENT)];

    for (i = 0; i < 3; i++) {
        cents = ngx_atoof(euros[i].data, euros[i].len);

        p = ngx_pnalloc(r->pool, NGX_HTTP_PORTAIL_EUROS_LEN);

        if (cents == NGX_ERROR || p == NULL) {
            return NGX_ERROR;
        }

        euros[i].data = p;
        euros[i].len = ngx_http_portail_format_euros(p, cents) - p;
    }

    v[NGX_HTTP_PORTAIL_QV_OFFICE] = o->name;
    v[NGX_HTTP_PORTAIL_QV_OFFICE_ADDRESS] = o->address;
    v[NGX_HTTP_PORTAIL_QV_OFFICE_PHONE] = o->phone;
    v[NGX_HTTP_PORTAIL_QV_OFFICE_EMAIL] = o->email;
    v[NGX_HTTP_PORTAIL_QV_OFFICE_WEBSITE] = o->website;

    if (ngx_http_portail_templates_texts(r->pool, pmcf,
                                         &ngx_http_portail_quittance_wording,
                                         v, t)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    l.pdf = ngx_http_portail_pdf_create(r->pool,
                          &v[NGX_HTTP_PORTAIL_QV(NGX_HTTP_PORTAIL_Q_TITLE)]);
    if (l.pdf == NULL) {
        return NGX_ERROR;
    }

    ngx_http_portail_pdf_author(l.pdf, &o->name);

    /* the office; the title and period; the contract (left) */

    if (ngx_http_portail_pdf_box(l.pdf, 12, 12, 186, 27, 92) != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 20, 0, 12,
                                   NGX_HTTP_PORTAIL_BOLD, &o->name)
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 26.5, 0, 9, 0, &o->address)
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 32, 0, 9, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_CONTACT])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 54, 0, 20,
                                   NGX_HTTP_PORTAIL_BOLD,
                                   &t[NGX_HTTP_PORTAIL_QT_TITLE])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 62, 0, 11, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_PERIOD])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 77, 0, 10,
                                   NGX_HTTP_PORTAIL_BOLD,
                                   &t[NGX_HTTP_PORTAIL_QT_CLIENT])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 83, 0, 10, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_CONTRACT])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 88, 88, 9, 0,
                   &v[NGX_HTTP_PORTAIL_QV(NGX_HTTP_PORTAIL_Q_DESIGNATION)])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the tenants and the dwelling's address (right: a window envelope) */

    yr = 77;

    for (i = 0; i < sizeof(addressee) / sizeof(addressee[0]); i++) {

        if (ngx_http_portail_quittance_put(&l, 115, yr, 80, 10,
                                   i == 0 ? NGX_HTTP_PORTAIL_BOLD : 0,
                                   &v[NGX_HTTP_PORTAIL_QV(addressee[i])])
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        yr = l.y;
    }

    /* the receipt, rent and charges apart (art. 21), the settling payment */

    if (ngx_http_portail_quittance_put(&l, 17, ngx_max(yr, 100) + 12, 176,
                                       10.5, 0,
                                       &t[NGX_HTTP_PORTAIL_QT_STATEMENT])
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    y = l.y + 6;

    if (ngx_http_portail_pdf_line(l.pdf, 17, y, 193, y) != NGX_OK
        || ngx_http_portail_quittance_put(&l, 21, y + 7, 0, 10.5, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_RENT])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 189, y + 7, 0,
                                   10.5, NGX_HTTP_PORTAIL_RIGHT, &euros[0])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 21, y + 14, 0, 10.5, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_CHARGES])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 189, y + 14, 0,
                                   10.5, NGX_HTTP_PORTAIL_RIGHT, &euros[1])
           != NGX_OK
        || ngx_http_portail_pdf_line(l.pdf, 17, y + 18, 193, y + 18) != NGX_OK
        || ngx_http_portail_quittance_put(&l, 21, y + 25, 0,
                                   11, NGX_HTTP_PORTAIL_BOLD,
                                   &t[NGX_HTTP_PORTAIL_QT_TOTAL])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 189, y + 25, 0,
                                   11, NGX_HTTP_PORTAIL_BOLD
                                       |NGX_HTTP_PORTAIL_RIGHT,
                                   &euros[2])
           != NGX_OK
        || ngx_http_portail_pdf_line(l.pdf, 17, y + 29, 193, y + 29) != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, y + 45, 0, 10, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_PAID])
           != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, y + 51, 0, 10, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_ISSUED])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the legal mention and the office, at the foot of the page */

    if (ngx_http_portail_quittance_put(&l, 17, 252, 176, 8.5, 0,
                                       &t[NGX_HTTP_PORTAIL_QT_LEGAL])
        != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, l.y + 1, 0, 8, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_ORIGIN])
           != NGX_OK
        || ngx_http_portail_pdf_line(l.pdf, 17, 278, 193, 278) != NGX_OK
        || ngx_http_portail_quittance_put(&l, 17, 283, 176, 8, 0,
                                   &t[NGX_HTTP_PORTAIL_QT_FOOTER])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_pdf_finish(l.pdf, out);
}
