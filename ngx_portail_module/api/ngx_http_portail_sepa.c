
/*
 * Direct debit: the SEPA mandate of a contract.  A tenant signs a mandate
 * online for one contract: the IBAN is checked here (ISO 13616), the
 * mandate reference (RUM) comes from the database, and the mandate is a
 * PDF with every mention the SEPA rulebook asks for, filed with the
 * contract's documents.  A new bank account or debit day is a new mandate:
 * the previous one is revoked in the same transaction.  tools/export sends
 * mandates to the ERP, which does the debiting.
 */


#include "ngx_http_portail_core.h"


typedef struct {
    ngx_str_t                         titulaire;
    ngx_str_t                         iban;
    ngx_str_t                         bic;
    ngx_int_t                         jour;
    ngx_str_t                         rum;
    ngx_str_t                         signe_le;
    ngx_str_t                         pdf;
    u_char                            contrat[8];
    u_char                            iban_data[PORTAIL_IBAN_MAX];
    u_char                            bic_data[PORTAIL_BIC_MAX];
} ngx_http_portail_mandat_t;


enum {
    NGX_HTTP_PORTAIL_SEPA_READ = 0,
    NGX_HTTP_PORTAIL_SEPA_PREPARE,
    NGX_HTTP_PORTAIL_SEPA_SIGN
};


static ngx_int_t ngx_http_portail_sepa_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sepa_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sepa_post(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sepa_prepared(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sepa_signed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);

static ngx_int_t ngx_http_portail_sepa_check(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_mandat_t *m,
    json_t *champs);
static ngx_int_t ngx_http_portail_sepa_pdf(ngx_http_request_t *r,
    ngx_http_portail_mandat_t *m, ngx_str_t *numero, ngx_str_t *adresse,
    ngx_str_t *date);
static ngx_int_t ngx_http_portail_sepa_ics(ngx_str_t *ics);


static ngx_http_portail_stmt_t  ngx_http_portail_sepa_stmts[] = {

    { "prelevement_lire",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.prelevement_corps(s.compte_id, $2::text, $3::integer[],"
      " $4::text, $5::text, $6::text)"
      " FROM portail.session_valide($1::bytea) s",
      6, 0 },

    /*
     * The RUM and the time of signing, for the PDF; the mandate is stored
     * with them, and its PDF, by the next statement.  A RUM drawn for a
     * mandate never stored leaves a gap in the sequence, nothing else.
     */

    { "prelevement_preparer",
      "SELECT s.compte_id, s.session_id, s.a_toucher, k.numero,"
      " CASE WHEN k.id IS NOT NULL THEN portail.nouvelle_rum() END,"
      " now()::text, to_char(now(), 'DD/MM/YYYY à HH24:MI'),"
      " concat_ws(', ', k.adresse_ligne1, k.adresse_ligne2,"
      " k.code_postal || ' ' || k.commune)"
      " FROM portail.session_valide($1::bytea) s"
      " LEFT JOIN LATERAL portail.contrats_du_compte(s.compte_id) k"
      " ON k.numero = 'L/' || $2::text",
      2, 0 },

    { "prelevement_signer",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.mandat_signer(s.compte_id, $2::text, $3::text,"
      " $4::timestamptz, $5::text, $6::text, $7::text, $8::smallint,"
      " $9::bytea, $10::inet)"
      " FROM portail.session_valide($1::bytea) s",
      10, 0 }
};


static ngx_http_portail_route_t  ngx_http_portail_sepa_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/paiements/prelevement"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_sepa_get },

    { NGX_HTTP_POST, ngx_string("/api/paiements/prelevement"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_sepa_post },

    { 0, ngx_null_string, 0, NULL }
};


/*
 * The mandate's wording (templates/pdf/mandat.txt): its texts, and its
 * variables.
 */

enum {
    NGX_HTTP_PORTAIL_MT_TITLE = 0,
    NGX_HTTP_PORTAIL_MT_RUM,
    NGX_HTTP_PORTAIL_MT_KIND,
    NGX_HTTP_PORTAIL_MT_AUTHORISATION,
    NGX_HTTP_PORTAIL_MT_REFUND,
    NGX_HTTP_PORTAIL_MT_RIGHTS,
    NGX_HTTP_PORTAIL_MT_CREDITOR,
    NGX_HTTP_PORTAIL_MT_CREDITOR_NAME,
    NGX_HTTP_PORTAIL_MT_CREDITOR_ADDRESS,
    NGX_HTTP_PORTAIL_MT_CREDITOR_ID,
    NGX_HTTP_PORTAIL_MT_DEBTOR,
    NGX_HTTP_PORTAIL_MT_HOLDER,
    NGX_HTTP_PORTAIL_MT_IBAN,
    NGX_HTTP_PORTAIL_MT_BIC,
    NGX_HTTP_PORTAIL_MT_OBJECT,
    NGX_HTTP_PORTAIL_MT_CONTRACT,
    NGX_HTTP_PORTAIL_MT_DWELLING,
    NGX_HTTP_PORTAIL_MT_DEBIT_LABEL,
    NGX_HTTP_PORTAIL_MT_DEBIT,
    NGX_HTTP_PORTAIL_MT_SIGNATURE,
    NGX_HTTP_PORTAIL_MT_DATE_LABEL,
    NGX_HTTP_PORTAIL_MT_DATE,
    NGX_HTTP_PORTAIL_MT_MODE_LABEL,
    NGX_HTTP_PORTAIL_MT_MODE,
    NGX_HTTP_PORTAIL_MT_REPLACES,
    NGX_HTTP_PORTAIL_MT_TEXTS
};

static const char  *ngx_http_portail_mandate_texts[] = {
    "titre", "rum", "type", "autorisation", "remboursement", "droits",
    "creancier", "libelle_creancier_nom", "libelle_creancier_adresse",
    "libelle_creancier_ics", "debiteur", "libelle_titulaire", "libelle_iban",
    "libelle_bic", "objet", "libelle_contrat", "libelle_adresse_logement",
    "libelle_prelevement", "prelevement", "signature",
    "libelle_date_signature", "date_signature", "libelle_mode_signature",
    "mode_signature", "remplacement", NULL
};

enum {
    NGX_HTTP_PORTAIL_MV_CREDITOR_NAME = 0,
    NGX_HTTP_PORTAIL_MV_CREDITOR_ADDRESS,
    NGX_HTTP_PORTAIL_MV_CREDITOR_ID,
    NGX_HTTP_PORTAIL_MV_RUM,
    NGX_HTTP_PORTAIL_MV_HOLDER,
    NGX_HTTP_PORTAIL_MV_IBAN,
    NGX_HTTP_PORTAIL_MV_BIC,
    NGX_HTTP_PORTAIL_MV_CONTRACT,
    NGX_HTTP_PORTAIL_MV_DWELLING,
    NGX_HTTP_PORTAIL_MV_DAY,
    NGX_HTTP_PORTAIL_MV_SIGNED,
    NGX_HTTP_PORTAIL_MV_VARIABLES
};

static const char  *ngx_http_portail_mandate_variables[] = {
    "creancier_nom", "creancier_adresse", "creancier_ics", "rum",
    "titulaire", "iban", "bic", "contrat", "adresse_logement", "jour",
    "signe_le", NULL
};

static ngx_http_portail_template_file_t  ngx_http_portail_mandate_wording = {
    "pdf/mandat.txt", ngx_http_portail_mandate_texts,
    ngx_http_portail_mandate_variables, PORTAIL_TEMPLATE_FOLD, 0
};



ngx_int_t
ngx_http_portail_sepa_init(ngx_conf_t *cf)
{
    u_char                           *p;
    ngx_uint_t                        i, *day;
    ngx_http_portail_payment_conf_t  *pc;
    ngx_http_portail_main_conf_t     *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);
    pc = &pmcf->payment;

    if (pc->debit_days == NGX_CONF_UNSET_PTR) {
        pc->debit_days = ngx_array_create(cf->pool, 3, sizeof(ngx_uint_t));
        if (pc->debit_days == NULL) {
            return NGX_ERROR;
        }

        for (i = 5; i <= 15; i += 5) {
            day = ngx_array_push(pc->debit_days);
            if (day == NULL) {
                return NGX_ERROR;
            }

            *day = i;
        }
    }

    /* "{5,10,15}", a PostgreSQL array literal */

    pc->debit_days_sql.data = ngx_pnalloc(cf->pool,
                                          3 * pc->debit_days->nelts + 3);
    if (pc->debit_days_sql.data == NULL) {
        return NGX_ERROR;
    }

    day = pc->debit_days->elts;
    p = pc->debit_days_sql.data;
    *p++ = '{';

    for (i = 0; i < pc->debit_days->nelts; i++) {
        p = ngx_sprintf(p, i ? ",%ui" : "%ui", day[i]);
    }

    *p++ = '}';
    *p = '\0';
    pc->debit_days_sql.len = p - pc->debit_days_sql.data;

    if (pc->creditor_name.data == NULL) {
        pc->creditor_name = pmcf->office.name;
    }

    if (pc->creditor_address.data == NULL) {
        pc->creditor_address = pmcf->office.address;
    }

    if (pc->creditor_id.data && ngx_http_portail_sepa_ics(&pc->creditor_id)
                                != NGX_OK)
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail_sepa_creditor_id \"%V\" is not a valid SEPA "
                      "creditor identifier (ICS, e.g. FR72ZZZ123456)",
                      &pc->creditor_id);
        return NGX_ERROR;
    }

    if (ngx_http_portail_pg_register(cf, ngx_http_portail_sepa_stmts,
            sizeof(ngx_http_portail_sepa_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_sepa_routes)
           != NGX_OK
        || ngx_http_portail_templates_register(cf,
                                         &ngx_http_portail_mandate_wording, 1)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * A SEPA creditor identifier: country, 2 check digits, a 3-character
 * business code they do not cover, the national identifier.  The check
 * digits are ISO 7064 mod 97-10 of the national identifier followed by the
 * country and "00", as for an IBAN.
 */

static ngx_int_t
ngx_http_portail_sepa_ics(ngx_str_t *ics)
{
    u_char      c, tail[4];
    size_t      i;
    ngx_uint_t  r;

    if (ics->len < 8 || ics->len > 35) {
        return NGX_ERROR;
    }

    for (i = 0; i < ics->len; i++) {
        c = ics->data[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            || (i < 2 && !(c >= 'A' && c <= 'Z'))
            || ((i == 2 || i == 3) && !(c >= '0' && c <= '9')))
        {
            return NGX_ERROR;
        }
    }

    tail[0] = ics->data[0];
    tail[1] = ics->data[1];
    tail[2] = '0';
    tail[3] = '0';

    r = 0;

    for (i = 7; i < ics->len + 4; i++) {
        c = (i < ics->len) ? ics->data[i] : tail[i - ics->len];

        if (c >= '0' && c <= '9') {
            r = (r * 10 + (c - '0')) % 97;

        } else {
            r = (r * 100 + (c - 'A' + 10)) % 97;
        }
    }

    if (98 - r != (ngx_uint_t) ((ics->data[2] - '0') * 10
                                + (ics->data[3] - '0')))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* GET /api/paiements/prelevement?contrat=2013936 */

static ngx_int_t
ngx_http_portail_sepa_get(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    json_t                        *champs;
    ngx_str_t                      value;
    ngx_http_portail_mandat_t     *m;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    m = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_mandat_t));
    champs = ngx_http_portail_champs(r);

    if (m == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_arg(r, (u_char *) "contrat", 7, &value) == NGX_OK
        && ngx_http_portail_contrat_digits(&value, m->contrat, champs)
           != NGX_OK)
    {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_sepa_stmts[NGX_HTTP_PORTAIL_SEPA_READ], &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || (m->contrat[0] ? ngx_http_portail_pg_param(call, m->contrat, 7)
                          : ngx_http_portail_pg_param_null(call))
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call,
                                         &pmcf->payment.debit_days_sql)
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call,
                                         &pmcf->payment.creditor_name)
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call,
                                         &pmcf->payment.creditor_address)
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call,
                                         pmcf->payment.creditor_id.data
                                         ? &pmcf->payment.creditor_id : NULL)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_sepa_read);
}


static ngx_int_t
ngx_http_portail_sepa_read(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_tenant_json_answer(r, ctx, NGX_HTTP_OK);
}


/*
 * POST /api/paiements/prelevement
 * {"contrat": "2013936", "titulaire": "Marie DUPONT",
 *  "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP",
 *  "jour_prelevement": 10}
 */

static ngx_int_t
ngx_http_portail_sepa_post(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    json_t                        *champs;
    ngx_http_portail_mandat_t     *m;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (pmcf->payment.creditor_id.data == NULL) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_PRELEVEMENT_INDISPONIBLE);
    }

    m = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_mandat_t));
    champs = ngx_http_portail_champs(r);

    if (m == NULL || champs == NULL
        || ngx_http_portail_sepa_check(r, ctx, m, champs) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_sepa_stmts[NGX_HTTP_PORTAIL_SEPA_PREPARE],
               &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, m->contrat, 7) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = m;

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_sepa_prepared);
}


/* the fields of the mandate into m, mistakes into champs */

static ngx_int_t
ngx_http_portail_sepa_check(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_mandat_t *m, json_t *champs)
{
    u_char                        *msg, *p;
    json_t                        *v;
    ngx_int_t                      rc;
    ngx_str_t                      value;
    ngx_uint_t                     i, *day;
    const char                    *err;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    rc = ngx_http_portail_json_string(ctx, "contrat", &value, 16, champs);

    if (rc == NGX_DECLINED) {
        ngx_http_portail_field_error(champs, "contrat",
                                     "Choisissez le contrat concerné.");

    } else if (rc == NGX_OK) {
        (void) ngx_http_portail_contrat_digits(&value, m->contrat, champs);
    }

    rc = ngx_http_portail_json_string(ctx, "titulaire", &value,
                                      4 * PORTAIL_TITULAIRE_MAX_CHARS, champs);

    while (rc == NGX_OK && value.len && value.data[0] == ' ') {
        value.data++;
        value.len--;
    }

    while (rc == NGX_OK && value.len && value.data[value.len - 1] == ' ') {
        value.len--;
    }

    err = (rc == NGX_ERROR) ? NULL
          : portail_check_titulaire(rc == NGX_OK ? value.data : NULL,
                                    rc == NGX_OK ? value.len : 0);
    if (err) {
        ngx_http_portail_field_error(champs, "titulaire", err);
    }

    m->titulaire = value;

    rc = ngx_http_portail_json_string(ctx, "iban", &value, 64, champs);

    err = (rc == NGX_ERROR) ? NULL
          : portail_check_iban(rc == NGX_OK ? value.data : NULL,
                               rc == NGX_OK ? value.len : 0, m->iban_data,
                               &m->iban.len);
    if (err) {
        ngx_http_portail_field_error(champs, "iban", err);
    }

    m->iban.data = m->iban_data;

    rc = ngx_http_portail_json_string(ctx, "bic", &value, 32, champs);

    if (rc == NGX_OK && value.len) {
        err = portail_check_bic(value.data, value.len, m->bic_data,
                                &m->bic.len);
        if (err) {
            ngx_http_portail_field_error(champs, "bic", err);
        }

        m->bic.data = m->bic_data;
    }

    v = json_object_get(ctx->json, "jour_prelevement");
    m->jour = json_is_integer(v) ? json_integer_value(v) : 0;

    day = pmcf->payment.debit_days->elts;

    for (i = 0; i < pmcf->payment.debit_days->nelts; i++) {
        if ((ngx_int_t) day[i] == m->jour) {
            break;
        }
    }

    if (i == pmcf->payment.debit_days->nelts) {
        msg = ngx_pnalloc(r->pool, 128 + 8 * pmcf->payment.debit_days->nelts);
        if (msg == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(msg, "Choisissez le jour du prélèvement parmi ceux "
                             "que propose l'office : le ");

        for (i = 0; i < pmcf->payment.debit_days->nelts; i++) {
            p = ngx_sprintf(p, "%s%ui",
                            i == 0 ? ""
                            : (i + 1 == pmcf->payment.debit_days->nelts)
                              ? " ou le " : ", le ",
                            day[i]);
        }

        ngx_sprintf(p, " du mois.%Z");

        ngx_http_portail_field_error(champs, "jour_prelevement",
                                     (char *) msg);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_sepa_prepared(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     numero, adresse, date;
    ngx_http_portail_mandat_t    *m;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    m = ctx->data;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &numero) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 4, &m->rum) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 5, &m->signe_le)
           != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 6, &date) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 7, &adresse) != NGX_OK)
    {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    if (ngx_http_portail_sepa_pdf(r, m, &numero, &adresse, &date) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_sepa_stmts[NGX_HTTP_PORTAIL_SEPA_SIGN], &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, m->contrat, 7) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &m->rum) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &m->signe_le) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &m->titulaire) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &m->iban) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call,
                                         m->bic.len ? &m->bic : NULL)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, m->jour) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, m->pdf.data, m->pdf.len)
           != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_sepa_signed);
}


static ngx_int_t
ngx_http_portail_sepa_signed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_mandat_t  *m;

    m = ctx->data;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: SEPA mandate %V signed", &m->rum);

    return ngx_http_portail_tenant_json_answer(r, ctx, NGX_HTTP_CREATED);
}


/*
 * The mandate, with the mentions of the SEPA Core rulebook: title, RUM,
 * creditor's name, address and identifier, debtor's name and account,
 * recurrent payments, date of signing, the authorisation and the refund
 * right (EPC's standard French wording, in templates/pdf/mandat.txt).
 */

static ngx_int_t
ngx_http_portail_sepa_pdf(ngx_http_request_t *r, ngx_http_portail_mandat_t *m,
    ngx_str_t *numero, ngx_str_t *adresse, ngx_str_t *date)
{
    u_char                           *p;
    double                            y;
    size_t                            i;
    ngx_str_t                         v[NGX_HTTP_PORTAIL_MV_VARIABLES],
                                      t[NGX_HTTP_PORTAIL_MT_TEXTS];
    ngx_http_portail_pdf_t           *pdf;
    ngx_http_portail_payment_conf_t  *pc;
    ngx_http_portail_main_conf_t     *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    pc = &pmcf->payment;

    p = ngx_pnalloc(r->pool, m->iban.len + m->iban.len / 4 + NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    /* the IBAN in groups of four, as printed on a RIB */
    v[NGX_HTTP_PORTAIL_MV_IBAN].data = p;
    for (i = 0; i < m->iban.len; i++) {
        if (i && i % 4 == 0) {
            *p++ = ' ';
        }
        *p++ = m->iban.data[i];
    }
    v[NGX_HTTP_PORTAIL_MV_IBAN].len = p - v[NGX_HTTP_PORTAIL_MV_IBAN].data;

    v[NGX_HTTP_PORTAIL_MV_DAY].data = p;
    v[NGX_HTTP_PORTAIL_MV_DAY].len = ngx_sprintf(p, "%i", m->jour) - p;

    v[NGX_HTTP_PORTAIL_MV_CREDITOR_NAME] = pc->creditor_name;
    v[NGX_HTTP_PORTAIL_MV_CREDITOR_ADDRESS] = pc->creditor_address;
    v[NGX_HTTP_PORTAIL_MV_CREDITOR_ID] = pc->creditor_id;
    v[NGX_HTTP_PORTAIL_MV_RUM] = m->rum;
    v[NGX_HTTP_PORTAIL_MV_HOLDER] = m->titulaire;
    v[NGX_HTTP_PORTAIL_MV_BIC] = m->bic;
    v[NGX_HTTP_PORTAIL_MV_CONTRACT] = *numero;
    v[NGX_HTTP_PORTAIL_MV_DWELLING] = *adresse;
    v[NGX_HTTP_PORTAIL_MV_SIGNED] = *date;

    if (ngx_http_portail_templates_texts(r->pool, pmcf,
                                         &ngx_http_portail_mandate_wording,
                                         v, t)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    pdf = ngx_http_portail_pdf_create(r->pool, &t[NGX_HTTP_PORTAIL_MT_TITLE]);
    if (pdf == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_portail_pdf_text(pdf, 20, 22, 12, 1, 0, &pc->creditor_name)
        != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 20, 40, 18, 1, 0,
                                     &t[NGX_HTTP_PORTAIL_MT_TITLE])
           != NGX_OK
        || ngx_http_portail_pdf_box(pdf, 18, 45, 174, 16, 92) != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 22, 52, 11, 1, 0,
                                     &t[NGX_HTTP_PORTAIL_MT_RUM])
           != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 22, 58, 10, 0, 0,
                                     &t[NGX_HTTP_PORTAIL_MT_KIND])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    y = 72;

    for (i = NGX_HTTP_PORTAIL_MT_AUTHORISATION;
         i <= NGX_HTTP_PORTAIL_MT_RIGHTS;
         i++)
    {
        if (i != NGX_HTTP_PORTAIL_MT_AUTHORISATION) {
            y += 2;
        }

        if (ngx_http_portail_pdf_paragraph(pdf, 20, &y, 170, 9, 4.2, 0, &t[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

#define NGX_HTTP_PORTAIL_SECTION(title)                                      \
    y += 8;                                                                  \
    if (ngx_http_portail_pdf_text(pdf, 20, y, 12, 1, 0, &t[title]) != NGX_OK \
        || ngx_http_portail_pdf_line(pdf, 20, y + 2, 190, y + 2) != NGX_OK)  \
    {                                                                        \
        return NGX_ERROR;                                                    \
    }                                                                        \
    y += 8

#define NGX_HTTP_PORTAIL_ROW(label, value)                                   \
    if (ngx_http_portail_pdf_field(pdf, &y, &t[label], value) != NGX_OK) {   \
        return NGX_ERROR;                                                    \
    }

    NGX_HTTP_PORTAIL_SECTION(NGX_HTTP_PORTAIL_MT_CREDITOR);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_CREDITOR_NAME, &pc->creditor_name);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_CREDITOR_ADDRESS,
                         &pc->creditor_address);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_CREDITOR_ID, &pc->creditor_id);

    NGX_HTTP_PORTAIL_SECTION(NGX_HTTP_PORTAIL_MT_DEBTOR);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_HOLDER, &m->titulaire);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_IBAN,
                         &v[NGX_HTTP_PORTAIL_MV_IBAN]);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_BIC, &m->bic);

    NGX_HTTP_PORTAIL_SECTION(NGX_HTTP_PORTAIL_MT_OBJECT);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_CONTRACT, numero);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_DWELLING, adresse);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_DEBIT_LABEL,
                         &t[NGX_HTTP_PORTAIL_MT_DEBIT]);

    NGX_HTTP_PORTAIL_SECTION(NGX_HTTP_PORTAIL_MT_SIGNATURE);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_DATE_LABEL,
                         &t[NGX_HTTP_PORTAIL_MT_DATE]);
    NGX_HTTP_PORTAIL_ROW(NGX_HTTP_PORTAIL_MT_MODE_LABEL,
                         &t[NGX_HTTP_PORTAIL_MT_MODE]);

#undef NGX_HTTP_PORTAIL_SECTION
#undef NGX_HTTP_PORTAIL_ROW

    y += 6;

    if (ngx_http_portail_pdf_paragraph(pdf, 20, &y, 170, 8, 3.8, 0,
                                       &t[NGX_HTTP_PORTAIL_MT_REPLACES])
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_pdf_finish(pdf, &m->pdf);
}
