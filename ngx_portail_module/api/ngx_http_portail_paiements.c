
/*
 * Payments: the account of a contract (balance, how it is paid,
 * the ledger), card payments through the provider's hosted page (the Lyra
 * form API of PayZen, Systempay...), the provider's notifications and the
 * payment ticket.  SEPA mandates are in ngx_http_portail_sepa.c.  For
 * development and tests, tools/payment-sandbox plays the provider in a
 * process of its own: the portal cannot tell it from the real one.
 *
 * The portal never sees a card.  It signs a form that the browser posts to
 * the provider's page; the provider then calls the portal server to server
 * (the IPN) with signed fields, also when the payer never comes back, and
 * only that call records a payment.  The browser's return shows the
 * order's state, nothing more.
 */


#include "ngx_http_portail_core.h"


/* the kinds of characters a field of the provider's form may hold */
#define NGX_HTTP_PORTAIL_FIELD_DIGITS        1
#define NGX_HTTP_PORTAIL_FIELD_CODE          2   /* A-Z 0-9 _ */
#define NGX_HTTP_PORTAIL_FIELD_ID            3   /* A-Z a-z 0-9 _ - */
#define NGX_HTTP_PORTAIL_FIELD_TEXT          4   /* UTF-8, no control */

#define NGX_HTTP_PORTAIL_PAIEMENTS_PAR_PAGE  20
#define NGX_HTTP_PORTAIL_RECU_COLUMNS        12


typedef struct {
    ngx_str_t                         statut;
    ngx_str_t                         commande;
    ngx_str_t                         pdf;
    u_char                            contrat[8];
} ngx_http_portail_paiement_t;


enum {
    NGX_HTTP_PORTAIL_PAIEMENTS_READ = 0,
    NGX_HTTP_PORTAIL_CARTE_CREATE,
    NGX_HTTP_PORTAIL_CARTE_STATE,
    NGX_HTTP_PORTAIL_CARTE_TICKET,
    NGX_HTTP_PORTAIL_CARTE_NOTIFY,
    NGX_HTTP_PORTAIL_CARTE_RECEIPT,
    NGX_HTTP_PORTAIL_CARTE_RECEIPT_STORE,
    NGX_HTTP_PORTAIL_CARTE_SLICE
};


static ngx_int_t ngx_http_portail_paiements_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_payment_sign(ngx_pool_t *pool,
    ngx_str_t *key, ngx_http_portail_part_t *fields, ngx_uint_t n,
    u_char *out);
static ngx_int_t ngx_http_portail_payment_field(ngx_http_portail_ctx_t *ctx,
    const char *name, size_t min, size_t max, ngx_uint_t kind,
    ngx_str_t *value);
static ngx_http_portail_err_e ngx_http_portail_payment_verify(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_payment_notify(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_paiements_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_carte_create(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_carte_created(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_carte_form(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_carte_state(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_carte_ticket(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_carte_ticket_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_carte_ticket_stored(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_notification(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_notification_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_err_e error,
    ngx_str_t *statut);
static ngx_int_t ngx_http_portail_payment_notified(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_payment_receipt_stored(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_receipt_store(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *paiement_id,
    ngx_http_portail_handler_pt next);
static ngx_int_t ngx_http_portail_receipt_pdf(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_uint_t call, int col, ngx_str_t *out);
static ngx_int_t ngx_http_portail_receipt_init(ngx_conf_t *cf);
static ngx_http_portail_paiement_t *ngx_http_portail_paiement_ctx(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_commande_arg(ngx_str_t *value);
static ngx_int_t ngx_http_portail_payment_conf(ngx_conf_t *cf,
    ngx_http_portail_main_conf_t *pmcf);


static ngx_http_portail_stmt_t  ngx_http_portail_paiements_stmts[] = {

    { "paiements_lire",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.paiements_corps(s.compte_id, $2::text, $3::integer,"
      " $4::integer, $5::bigint, $6::boolean)"
      " FROM portail.session_valide($1::bytea) s",
      6, 0 },

    { "paiement_carte_creer",
      "SELECT s.compte_id, s.session_id, s.a_toucher, r.resultat,"
      " r.commande, r.transaction_id, r.transaction_date, r.montant_cents,"
      " r.du_cents, r.numero"
      " FROM portail.session_valide($1::bytea) s,"
      " portail.paiement_carte_creer(s.compte_id, $2::text, $3::bigint,"
      " $4::bigint, $5::text, $6::text, $7::inet) r",
      7, 0 },

    { "paiement_carte_etat",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.paiement_carte_etat(s.compte_id, $2::text)"
      " FROM portail.session_valide($1::bytea) s",
      2, 0 },

    /*
     * Binary results (the first slice of the PDF): every other column is
     * text, whose binary form is its text.  Without a stored ticket, what
     * it shows, to make it.
     */

    { "paiement_carte_ticket",
      "SELECT s.compte_id::text, s.session_id::text,"
      " CASE WHEN s.a_toucher THEN 't' ELSE 'f' END,"
      " pc.id::text, pc.statut, d.id::text, d.taille::text,"
      " substring(d.contenu FROM 1 FOR $3::integer),"
      " r.numero, r.designation, r.adresse, r.payeur, r.montant_cents::text,"
      " r.paye_le, r.commande, r.transaction_id, r.autorisation, r.marque,"
      " r.carte, r.mode"
      " FROM portail.session_valide($1::bytea) s"
      " LEFT JOIN portail.paiement_carte pc ON pc.commande = $2::text"
      " AND pc.compte_id = s.compte_id AND pc.contrat_id IN"
      " (SELECT k.id FROM portail.contrats_du_compte(s.compte_id) k)"
      " LEFT JOIN portail.document d"
      " ON d.reference = 'PORTAIL-RECU-' || pc.commande"
      " LEFT JOIN LATERAL portail.paiement_recu(pc.id) r ON d.id IS NULL",
      3, 0 },

    { "paiement_carte_notifier",
      "SELECT resultat, statut, paiement_id, recu"
      " FROM portail.paiement_carte_notifier($1::text, $2::text, $3::text,"
      " $4::bigint, $5::text, $6::text, $7::text, $8::text, $9::text,"
      " $10::text, $11::jsonb, $12::inet)",
      12, 0 },

    /* after the notification, in the same transaction: what it shows */

    { "paiement_carte_recu",
      "SELECT r.numero, r.designation, r.adresse, r.payeur, r.montant_cents,"
      " r.paye_le, r.commande, r.transaction_id, r.autorisation, r.marque,"
      " r.carte, r.mode, r.paiement_id"
      " FROM portail.paiement_carte pc, portail.paiement_recu(pc.id) r"
      " WHERE pc.commande = $1::text",
      1, 0 },

    /* the payment was checked by the statement before (session or IPN) */

    { "paiement_recu_enregistrer",
      "SELECT portail.paiement_recu_enregistrer($1::bigint, $2::bytea)",
      2, 0 },

    { "paiement_recu_tranche",
      "SELECT substring(contenu FROM $2::integer FOR $3::integer)"
      " FROM portail.document"
      " WHERE id = $1::bigint AND nature = 'recu_paiement'",
      3, 0 }
};


static ngx_http_portail_route_t  ngx_http_portail_paiements_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/paiements"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_paiements_get },

    { NGX_HTTP_POST, ngx_string("/api/paiements/carte"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_carte_create },

    { NGX_HTTP_GET, ngx_string("/api/paiements/carte/{}"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_carte_state },

    { NGX_HTTP_GET, ngx_string("/api/paiements/carte/{}/ticket"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_carte_ticket },

    /* the provider, server to server: the signature authenticates it */
    { NGX_HTTP_POST, ngx_string("/api/paiements/notification"),
      NGX_HTTP_PORTAIL_FORM_BODY,
      ngx_http_portail_notification },

    { 0, ngx_null_string, 0, NULL }
};



/*
 * The fields of a notification the portal reads, in the order of the
 * parameters of paiement_carte_notifier() (the shop comes last: it is
 * checked here).
 */

typedef struct {
    const char                       *name;
    size_t                            min;
    size_t                            max;
    ngx_uint_t                        kind;
    ngx_uint_t                        required;
} ngx_http_portail_ipn_field_t;


enum {
    NGX_HTTP_PORTAIL_IPN_ORDER = 0,
    NGX_HTTP_PORTAIL_IPN_SITE = 10,
    NGX_HTTP_PORTAIL_IPN_FIELDS
};


static ngx_http_portail_ipn_field_t  ngx_http_portail_ipn_fields[] = {
    { "vads_order_id", 1, 64, NGX_HTTP_PORTAIL_FIELD_ID, 1 },
    { "vads_trans_id", 6, 6, NGX_HTTP_PORTAIL_FIELD_ID, 1 },
    { "vads_trans_date", 14, 14, NGX_HTTP_PORTAIL_FIELD_DIGITS, 1 },
    { "vads_amount", 1, 12, NGX_HTTP_PORTAIL_FIELD_DIGITS, 1 },
    { "vads_currency", 3, 3, NGX_HTTP_PORTAIL_FIELD_DIGITS, 1 },
    { "vads_ctx_mode", 4, 10, NGX_HTTP_PORTAIL_FIELD_CODE, 1 },
    { "vads_trans_status", 1, 40, NGX_HTTP_PORTAIL_FIELD_CODE, 1 },
    { "vads_trans_uuid", 1, 64, NGX_HTTP_PORTAIL_FIELD_ID, 0 },
    { "vads_auth_number", 1, 20, NGX_HTTP_PORTAIL_FIELD_TEXT, 0 },
    { "vads_card_brand", 1, 40, NGX_HTTP_PORTAIL_FIELD_TEXT, 0 },
    { "vads_site_id", 8, 8, NGX_HTTP_PORTAIL_FIELD_DIGITS, 1 }
};


/* what paiement_carte_notifier() may answer besides "ok" */

static const ngx_http_portail_err_e  ngx_http_portail_notify_results[] = {
    NGX_HTTP_PORTAIL_ERR_COMMANDE_INCONNUE,
    NGX_HTTP_PORTAIL_ERR_TRANSACTION_INCOHERENTE,
    NGX_HTTP_PORTAIL_ERR_MONTANT_INCOHERENT,
    NGX_HTTP_PORTAIL_ERR_DEVISE_INCOHERENTE,
    NGX_HTTP_PORTAIL_ERR_TRANSACTION_EN_DOUBLE,
    NGX_HTTP_PORTAIL_ERR_NONE
};


ngx_int_t
ngx_http_portail_paiements_init(ngx_conf_t *cf)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

    if (ngx_http_portail_payment_conf(cf, pmcf) != NGX_OK
        || ngx_http_portail_pg_register(cf, ngx_http_portail_paiements_stmts,
               sizeof(ngx_http_portail_paiements_stmts)
               / sizeof(ngx_http_portail_stmt_t))
           != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_paiements_routes)
           != NGX_OK
        || ngx_http_portail_receipt_init(cf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The card payment directives: defaults, and what does not go together.
 * Card payments are offered when the page, the shop and its key are all
 * known.
 */

static ngx_int_t
ngx_http_portail_payment_conf(ngx_conf_t *cf,
    ngx_http_portail_main_conf_t *pmcf)
{
    ngx_uint_t                        i;
    ngx_http_portail_payment_conf_t  *pc;

    pc = &pmcf->payment;

    ngx_conf_init_uint_value(pc->mode, NGX_HTTP_PORTAIL_PAYMENT_TEST);
    ngx_conf_init_uint_value(pc->max_amount, 5000);

    if (pc->max_amount < 1 || pc->max_amount > 1000000) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail_payment_max_amount must be between 1 and "
                      "1000000 euros");
        return NGX_ERROR;
    }

    if (pc->url.data == NULL && pc->site_id.data == NULL
        && pc->key.data == NULL)
    {
        pc->card = 0;
        return NGX_OK;
    }

    if (pc->url.data == NULL || pc->site_id.data == NULL
        || pc->key.data == NULL)
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "card payments need portail_payment_url, "
                      "portail_payment_site_id and portail_payment_key "
                      "together");
        return NGX_ERROR;
    }

    if (!(pc->url.len > sizeof("https://") - 1
          && ngx_strncmp(pc->url.data, "https://", sizeof("https://") - 1)
             == 0)
        && !(pc->mode == NGX_HTTP_PORTAIL_PAYMENT_TEST
             && pc->url.len > sizeof("http://") - 1
             && ngx_strncmp(pc->url.data, "http://", sizeof("http://") - 1)
                == 0))
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail_payment_url \"%V\" must be an https:// URL "
                      "(http:// is accepted in TEST mode only)", &pc->url);
        return NGX_ERROR;
    }

    for (i = 0; i < pc->site_id.len; i++) {
        if (pc->site_id.data[i] < '0' || pc->site_id.data[i] > '9') {
            break;
        }
    }

    if (pc->site_id.len != 8 || i != 8) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail_payment_site_id \"%V\" must be the shop's 8 "
                      "digits", &pc->site_id);
        return NGX_ERROR;
    }

    for (i = 0; i < pc->key.len; i++) {
        if (pc->key.data[i] <= ' ' || pc->key.data[i] >= 0x7f) {
            break;
        }
    }

    if (pc->key.len < 16 || i != pc->key.len) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail_payment_key must be the provider's key: 16 "
                      "printable characters at least");
        return NGX_ERROR;
    }

    pc->card = 1;

    return NGX_OK;
}


static ngx_http_portail_paiement_t *
ngx_http_portail_paiement_ctx(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    if (ctx->data == NULL) {
        ctx->data = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_paiement_t));
    }

    return ctx->data;
}


/* an order reference in a path: anything else is an order nobody has */

static ngx_int_t
ngx_http_portail_commande_arg(ngx_str_t *value)
{
    size_t  i;
    u_char  c;

    if (value->len == 0 || value->len > 64) {
        return NGX_DECLINED;
    }

    for (i = 0; i < value->len; i++) {
        c = value->data[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '_' || c == '-'))
        {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* GET /api/paiements?contrat=2013936&page=2 */

static ngx_int_t
ngx_http_portail_paiements_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                        *champs;
    ngx_int_t                      page;
    ngx_str_t                      value;
    ngx_http_portail_paiement_t   *p;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    p = ngx_http_portail_paiement_ctx(r, ctx);
    champs = ngx_http_portail_champs(r);

    if (p == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_arg(r, (u_char *) "contrat", 7, &value) == NGX_OK) {
        (void) ngx_http_portail_contrat_digits(&value, p->contrat, champs);
    }

    page = 1;

    if (ngx_http_arg(r, (u_char *) "page", 4, &value) == NGX_OK) {
        page = (value.len > 0 && value.len <= 6)
               ? ngx_atoi(value.data, value.len) : NGX_ERROR;

        if (page < 1) {
            ngx_http_portail_field_error(champs, "page",
                                         "La page est un nombre entier à "
                                         "partir de 1.");
        }
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
           &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_PAIEMENTS_READ],
           &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || (p->contrat[0]
            ? ngx_http_portail_pg_param(call, p->contrat, 7)
            : ngx_http_portail_pg_param_null(call))
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, page) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                         NGX_HTTP_PORTAIL_PAIEMENTS_PAR_PAGE)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                         (int64_t) pmcf->payment.max_amount
                                         * 100)
           != NGX_OK
        || ngx_http_portail_pg_param(call, (u_char *)
                                     (pmcf->payment.card ? "true" : "false"),
                                     pmcf->payment.card ? 4 : 5)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_paiements_read);
}


static ngx_int_t
ngx_http_portail_paiements_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_tenant_json_answer(r, ctx, NGX_HTTP_OK);
}


/* POST /api/paiements/carte {"contrat": "2045678", "montant_cents": 47180} */

static ngx_int_t
ngx_http_portail_carte_create(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                        *msg, *m;
    json_t                        *champs, *v;
    int64_t                        montant, max;
    ngx_int_t                      rc;
    ngx_str_t                      contrat, mode, provider;
    ngx_http_portail_paiement_t   *p;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (!pmcf->payment.card) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_PAIEMENT_INDISPONIBLE);
    }

    p = ngx_http_portail_paiement_ctx(r, ctx);
    champs = ngx_http_portail_champs(r);
    msg = ngx_pnalloc(r->pool, 128 + NGX_HTTP_PORTAIL_EUROS_LEN);

    if (p == NULL || champs == NULL || msg == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_portail_json_string(ctx, "contrat", &contrat, 16, champs);

    if (rc == NGX_DECLINED) {
        ngx_http_portail_field_error(champs, "contrat",
                                     "Choisissez le contrat à payer.");

    } else if (rc == NGX_OK) {
        (void) ngx_http_portail_contrat_digits(&contrat, p->contrat, champs);
    }

    /* no amount: what is due */
    montant = -1;
    max = (int64_t) pmcf->payment.max_amount * 100;

    v = json_object_get(ctx->json, "montant_cents");

    if (v && !json_is_null(v)) {
        montant = json_is_integer(v) ? json_integer_value(v) : -1;

        if (!json_is_integer(v)) {
            ngx_http_portail_field_error(champs, "montant_cents",
                                         "Le montant est un nombre entier de "
                                         "centimes (47180 pour 471,80 €).");

        } else if (montant < 100) {
            ngx_http_portail_field_error(champs, "montant_cents",
                                         "Un paiement par carte est de "
                                         "1,00 € au moins.");

        } else if (montant > max) {
            m = ngx_cpymem(msg, "Un paiement par carte est de ",
                           sizeof("Un paiement par carte est de ") - 1);
            m = ngx_http_portail_format_euros(m, max);
            ngx_sprintf(m, " au plus.%Z");
            ngx_http_portail_field_error(champs, "montant_cents",
                                         (char *) msg);
        }
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    if (pmcf->payment.mode == NGX_HTTP_PORTAIL_PAYMENT_PRODUCTION) {
        ngx_str_set(&mode, "PRODUCTION");

    } else {
        ngx_str_set(&mode, "TEST");
    }

    ngx_str_set(&provider, "payzen");

    call = ngx_http_portail_request_call(r,
           &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_CARTE_CREATE],
           &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param(call, p->contrat, 7) != NGX_OK
        || (montant > 0 ? ngx_http_portail_pg_param_int(q, call, montant)
                        : ngx_http_portail_pg_param_null(call))
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, max) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &mode) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &provider) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_carte_created);
}


static ngx_int_t
ngx_http_portail_carte_created(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                  *msg, *m;
    json_t                  *champs;
    ngx_str_t                result, du;
    ngx_http_portail_err_e   err;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &result) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    if (result.len == 2 && ngx_strncmp(result.data, "ok", 2) == 0) {
        return ngx_http_portail_carte_form(r, ctx);
    }

    if (result.len == sizeof("montant_superieur_du") - 1
        && ngx_strncmp(result.data, "montant_superieur_du", result.len) == 0
        && ngx_http_portail_pg_value(ctx->query, 0, 0, 8, &du) == NGX_OK)
    {
        msg = ngx_pnalloc(r->pool, 128 + NGX_HTTP_PORTAIL_EUROS_LEN);
        champs = ngx_http_portail_champs(r);

        if (msg == NULL || champs == NULL) {
            return NGX_ERROR;
        }

        m = ngx_cpymem(msg, "Le montant ne peut pas dépasser la somme due (",
                       sizeof("Le montant ne peut pas dépasser la somme "
                              "due (") - 1);
        m = ngx_http_portail_format_euros(m, ngx_atoof(du.data, du.len));
        ngx_sprintf(m, ").%Z");

        ngx_http_portail_field_error(champs, "montant_cents", (char *) msg);

        return ngx_http_portail_send_validation(r, champs);
    }

    /*
     * introuvable, trop_de_requetes, aucun_montant_du, paiement_deja_recu,
     * montant_du_trop_faible
     */

    err = ngx_http_portail_error_by_code(&result);

    if (err == NGX_HTTP_PORTAIL_ERR_NONE) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "portail: the card order answered \"%V\"", &result);
        err = NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE;
    }

    return ngx_http_portail_send_error(r, err);
}


/*
 * The order is made: the fields the browser posts to the provider's page,
 * signed.  The provider shows the amount and the order, takes the card,
 * then notifies vads_url_check and sends the payer back to vads_url_return
 * (where the SPA shows the order's state).
 */

static ngx_int_t
ngx_http_portail_carte_form(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                        *s;
    json_t                        *body, *champs;
    ngx_int_t                      rc;
    ngx_str_t                      commande, trans_id, trans_date, amount,
                                   numero, *pub;
    ngx_uint_t                     i, n;
    ngx_http_portail_part_t        f[16];
    ngx_http_portail_main_conf_t  *pmcf;
    u_char                         sig[PORTAIL_SIGNATURE_LEN];

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    pub = &pmcf->office.public_url;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 4, &commande) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 5, &trans_id)
           != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 6, &trans_date)
           != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 7, &amount) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 9, &numero) != NGX_OK)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    s = ngx_pnalloc(r->pool, 3 * pub->len + 3 * commande.len + numero.len
                             + 128);
    if (s == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(f, sizeof(f));
    n = 0;

#define NGX_HTTP_PORTAIL_FIELD(n_, v_, l_)                                   \
    f[n].name.data = (u_char *) n_;                                          \
    f[n].name.len = sizeof(n_) - 1;                                          \
    f[n].data.data = (u_char *) (v_);                                        \
    f[n].data.len = l_;                                                      \
    n++

    NGX_HTTP_PORTAIL_FIELD("vads_action_mode", "INTERACTIVE", 11);
    NGX_HTTP_PORTAIL_FIELD("vads_amount", amount.data, amount.len);
    NGX_HTTP_PORTAIL_FIELD("vads_ctx_mode",
        pmcf->payment.mode == NGX_HTTP_PORTAIL_PAYMENT_PRODUCTION
        ? "PRODUCTION" : "TEST",
        pmcf->payment.mode == NGX_HTTP_PORTAIL_PAYMENT_PRODUCTION ? 10 : 4);
    NGX_HTTP_PORTAIL_FIELD("vads_currency", "978", 3);
    NGX_HTTP_PORTAIL_FIELD("vads_language", "fr", 2);
    NGX_HTTP_PORTAIL_FIELD("vads_order_id", commande.data, commande.len);

    f[n].data.data = s;
    s = ngx_sprintf(s, "Contrat %V", &numero);
    NGX_HTTP_PORTAIL_FIELD("vads_order_info", f[n].data.data,
                           s - f[n].data.data);

    NGX_HTTP_PORTAIL_FIELD("vads_page_action", "PAYMENT", 7);
    NGX_HTTP_PORTAIL_FIELD("vads_payment_config", "SINGLE", 6);
    NGX_HTTP_PORTAIL_FIELD("vads_site_id", pmcf->payment.site_id.data,
                           pmcf->payment.site_id.len);
    NGX_HTTP_PORTAIL_FIELD("vads_trans_date", trans_date.data,
                           trans_date.len);
    NGX_HTTP_PORTAIL_FIELD("vads_trans_id", trans_id.data, trans_id.len);

    f[n].data.data = s;
    s = ngx_sprintf(s, "%V/api/paiements/notification", pub);
    NGX_HTTP_PORTAIL_FIELD("vads_url_check", f[n].data.data,
                           s - f[n].data.data);

    f[n].data.data = s;
    s = ngx_sprintf(s, "%V/#/paiement/retour?commande=%V", pub, &commande);
    NGX_HTTP_PORTAIL_FIELD("vads_url_return", f[n].data.data,
                           s - f[n].data.data);

    NGX_HTTP_PORTAIL_FIELD("vads_version", "V2", 2);

#undef NGX_HTTP_PORTAIL_FIELD

    if (ngx_http_portail_payment_sign(r->pool, &pmcf->payment.key, f, n, sig)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    body = ngx_http_portail_json_pool(r->pool, json_object());
    champs = json_object();

    /* champs, fresh, goes into body: body's pool releases both */
    if (body == NULL || json_object_set_new(body, "champs", champs) != 0) {
        return NGX_ERROR;
    }

    rc = 0;

    for (i = 0; i < n; i++) {
        rc |= json_object_set_new(champs, (char *) f[i].name.data,
                                  json_stringn((char *) f[i].data.data,
                                               f[i].data.len));
    }

    rc |= json_object_set_new(champs, "signature",
                              json_string((char *) sig));
    rc |= json_object_set_new(body, "commande",
                              json_stringn((char *) commande.data,
                                           commande.len));
    rc |= json_object_set_new(body, "montant_cents",
                              json_integer(ngx_atoof(amount.data,
                                                     amount.len)));
    rc |= json_object_set_new(body, "url",
                              json_stringn((char *) pmcf->payment.url.data,
                                           pmcf->payment.url.len));

    if (rc != 0) {
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: card payment order %V for %V", &commande,
                  &amount);

    return ngx_http_portail_send_json_value(r, NGX_HTTP_CREATED, body);
}


/* GET /api/paiements/carte/{commande}: the page the payer comes back to */

static ngx_int_t
ngx_http_portail_carte_state(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    if (ngx_http_portail_commande_arg(&ctx->args[0]) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    call = ngx_http_portail_request_call(r,
           &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_CARTE_STATE],
           &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &ctx->args[0]) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_paiements_read);
}


/*
 * GET /api/paiements/carte/{commande}/ticket: the ticket of an accepted
 * payment, a PDF filed with the contract's documents.  Made when the
 * notification came; made now if that failed.
 */

static ngx_int_t
ngx_http_portail_carte_ticket(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_paiement_t  *p;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    if (ngx_http_portail_commande_arg(&ctx->args[0]) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    p = ngx_http_portail_paiement_ctx(r, ctx);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p->commande = ctx->args[0];

    call = ngx_http_portail_request_call(r,
           &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_CARTE_TICKET],
           &q);

    if (call == NULL
        || ngx_http_portail_session_param(q, call, ctx) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &ctx->args[0]) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_SLICE)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    call->binary = 1;

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_carte_ticket_read);
}


static ngx_int_t
ngx_http_portail_carte_ticket_read(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     id, statut, doc, size, first, name, mime;
    ngx_http_portail_paiement_t  *p;

    p = ctx->data;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &id) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 4, &statut) != NGX_OK)
    {
        return ngx_http_portail_send_error(r,
                                           NGX_HTTP_PORTAIL_ERR_INTROUVABLE);
    }

    if (statut.len != sizeof("accepte") - 1
        || ngx_strncmp(statut.data, "accepte", statut.len) != 0)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_RECU_INDISPONIBLE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 5, &doc) == NGX_OK
        && ngx_http_portail_pg_value(ctx->query, 0, 0, 6, &size) == NGX_OK
        && ngx_http_portail_pg_value(ctx->query, 0, 0, 7, &first) == NGX_OK)
    {
        name.data = ngx_pnalloc(r->pool, p->commande.len + 32);
        if (name.data == NULL) {
            return NGX_ERROR;
        }

        name.len = ngx_sprintf(name.data, "recu-paiement-%V.pdf",
                               &p->commande)
                   - name.data;
        ngx_str_set(&mime, "application/pdf");

        return ngx_http_portail_send_file(r, &name, &mime,
                   ngx_atoof(size.data, size.len), &first,
                   &ngx_http_portail_paiements_stmts[
                       NGX_HTTP_PORTAIL_CARTE_SLICE],
                   &doc);
    }

    /* no ticket filed yet */

    if (ngx_http_portail_receipt_pdf(r, ctx->query, 0, 8, &p->pdf) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    return ngx_http_portail_receipt_store(r, ctx, &id,
                                      ngx_http_portail_carte_ticket_stored);
}


static ngx_int_t
ngx_http_portail_carte_ticket_stored(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     name, mime, id;
    ngx_http_portail_paiement_t  *p;

    p = ctx->data;
    ctx->own_errors = 0;

    /* not filed: the tenant gets the ticket anyway, and it is made again */
    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &id) != NGX_OK) {
        ngx_str_set(&id, "0");
    }

    name.data = ngx_pnalloc(r->pool, p->commande.len + 32);
    if (name.data == NULL) {
        return NGX_ERROR;
    }

    name.len = ngx_sprintf(name.data, "recu-paiement-%V.pdf", &p->commande)
               - name.data;
    ngx_str_set(&mime, "application/pdf");

    return ngx_http_portail_send_file(r, &name, &mime, p->pdf.len, &p->pdf,
               &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_CARTE_SLICE],
               &id);
}


/* files the ticket in p->pdf, then next (failures are next's to see) */

static ngx_int_t
ngx_http_portail_receipt_store(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *paiement_id,
    ngx_http_portail_handler_pt next)
{
    ngx_http_portail_paiement_t  *p;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    p = ctx->data;

    call = ngx_http_portail_request_call(r,
       &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_CARTE_RECEIPT_STORE],
       &q);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, paiement_id) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, p->pdf.data, p->pdf.len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ctx->own_errors = 1;

    return ngx_http_portail_query(r, ctx, q, next);
}


/*
 * The ticket's wording (templates/pdf/recu_paiement.txt): its texts, and
 * its variables, the columns of paiement_recu() then the office's name and
 * address.
 */

enum {
    NGX_HTTP_PORTAIL_RT_TITLE = 0,
    NGX_HTTP_PORTAIL_RT_NOTICE,
    NGX_HTTP_PORTAIL_RT_AMOUNT,
    NGX_HTTP_PORTAIL_RT_CONTRACT,
    NGX_HTTP_PORTAIL_RT_DWELLING,
    NGX_HTTP_PORTAIL_RT_ADDRESS,
    NGX_HTTP_PORTAIL_RT_PAYER,
    NGX_HTTP_PORTAIL_RT_PAID,
    NGX_HTTP_PORTAIL_RT_ORDER,
    NGX_HTTP_PORTAIL_RT_TRANSACTION,
    NGX_HTTP_PORTAIL_RT_AUTHORISATION,
    NGX_HTTP_PORTAIL_RT_CARD,
    NGX_HTTP_PORTAIL_RT_TEST,
    NGX_HTTP_PORTAIL_RT_BALANCE,
    NGX_HTTP_PORTAIL_RT_TEXTS
};

static const char  *ngx_http_portail_receipt_texts[] = {
    "titre", "avertissement", "libelle_montant", "libelle_contrat",
    "libelle_logement", "libelle_adresse", "libelle_payeur",
    "libelle_paye_le", "libelle_commande", "libelle_transaction",
    "libelle_autorisation", "libelle_carte", "test", "solde", NULL
};

/* the label of each column shown on a line of its own (not the title) */
static ngx_uint_t  ngx_http_portail_receipt_labels[] = {
    NGX_HTTP_PORTAIL_RT_CONTRACT, NGX_HTTP_PORTAIL_RT_DWELLING,
    NGX_HTTP_PORTAIL_RT_ADDRESS, NGX_HTTP_PORTAIL_RT_PAYER,
    NGX_HTTP_PORTAIL_RT_TITLE, NGX_HTTP_PORTAIL_RT_PAID,
    NGX_HTTP_PORTAIL_RT_ORDER, NGX_HTTP_PORTAIL_RT_TRANSACTION,
    NGX_HTTP_PORTAIL_RT_AUTHORISATION, NGX_HTTP_PORTAIL_RT_CARD,
    NGX_HTTP_PORTAIL_RT_TITLE, NGX_HTTP_PORTAIL_RT_TITLE
};

static const char  *ngx_http_portail_receipt_variables[] = {
    "contrat", "logement", "adresse", "payeur", "montant", "paye_le",
    "commande", "transaction", "autorisation", "carte", "numero_carte",
    "mode", "organisme_nom", "organisme_adresse", NULL
};

static ngx_http_portail_template_file_t  ngx_http_portail_receipt_wording = {
    "pdf/recu_paiement.txt", ngx_http_portail_receipt_texts,
    ngx_http_portail_receipt_variables, PORTAIL_TEMPLATE_FOLD, 0
};


static ngx_int_t
ngx_http_portail_receipt_init(ngx_conf_t *cf)
{
    return ngx_http_portail_templates_register(cf,
                                         &ngx_http_portail_receipt_wording, 1);
}


/*
 * The payment ticket: a receipt for money received by card, never a rent
 * receipt (quittance), which only a fully paid period gives.  Made from the
 * columns of paiement_recu() from col on: numero, designation, adresse,
 * payeur, montant_cents, paye_le, commande, transaction_id, autorisation,
 * marque, carte, mode.
 */

static ngx_int_t
ngx_http_portail_receipt_pdf(ngx_http_request_t *r,
    ngx_http_portail_pg_query_t *q, ngx_uint_t call, int col, ngx_str_t *out)
{
    u_char                        *p;
    double                         y;
    ngx_str_t                      v[NGX_HTTP_PORTAIL_RECU_COLUMNS + 2],
                                   t[NGX_HTTP_PORTAIL_RT_TEXTS];
    ngx_uint_t                     i;
    ngx_http_portail_pdf_t        *pdf;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    for (i = 0; i < NGX_HTTP_PORTAIL_RECU_COLUMNS; i++) {
        if (ngx_http_portail_pg_value(q, call, 0, col + i, &v[i]) != NGX_OK) {
            ngx_str_null(&v[i]);
        }
    }

    /* the card: its brand and the digits the provider shows (497010XX...) */
    if (v[9].len && v[10].len) {
        p = ngx_pnalloc(r->pool, v[9].len + v[10].len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        v[9].len = ngx_sprintf(p, "%V %V", &v[9], &v[10]) - p;
        v[9].data = p;
    }

    /* the amount: "100,00 €" */
    p = ngx_pnalloc(r->pool, NGX_HTTP_PORTAIL_EUROS_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v[4].len = ngx_http_portail_format_euros(p, ngx_atoof(v[4].data, v[4].len))
               - p;
    v[4].data = p;

    v[NGX_HTTP_PORTAIL_RECU_COLUMNS] = pmcf->office.name;
    v[NGX_HTTP_PORTAIL_RECU_COLUMNS + 1] = pmcf->office.address;

    if (ngx_http_portail_templates_texts(r->pool, pmcf,
                                         &ngx_http_portail_receipt_wording,
                                         v, t)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    pdf = ngx_http_portail_pdf_create(r->pool, &t[NGX_HTTP_PORTAIL_RT_TITLE]);
    if (pdf == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_portail_pdf_text(pdf, 20, 22, 13, 1, 0, &pmcf->office.name)
        != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 20, 28, 9, 0, 0,
                                     &pmcf->office.address)
           != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 20, 50, 17, 1, 0,
                                     &t[NGX_HTTP_PORTAIL_RT_TITLE])
           != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 20, 58, 10, 0, 0,
                                     &t[NGX_HTTP_PORTAIL_RT_NOTICE])
           != NGX_OK
        || ngx_http_portail_pdf_box(pdf, 18, 66, 174, 14, 92) != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 22, 75, 12, 1, 0,
                                     &t[NGX_HTTP_PORTAIL_RT_AMOUNT])
           != NGX_OK
        || ngx_http_portail_pdf_text(pdf, 188, 75, 14, 1, 1, &v[4]) != NGX_OK)
    {
        return NGX_ERROR;
    }

    y = 92;

    for (i = 0; i < NGX_HTTP_PORTAIL_RECU_COLUMNS; i++) {
        if (ngx_http_portail_receipt_labels[i] != NGX_HTTP_PORTAIL_RT_TITLE
            && ngx_http_portail_pdf_field(pdf, &y,
                                  &t[ngx_http_portail_receipt_labels[i]], &v[i])
               != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (v[11].len == 4 && ngx_strncmp(v[11].data, "TEST", 4) == 0) {
        if (ngx_http_portail_pdf_text(pdf, 20, y + 4, 10, 1, 0,
                                      &t[NGX_HTTP_PORTAIL_RT_TEST])
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        y += 10;
    }

    y += 8;

    if (ngx_http_portail_pdf_line(pdf, 20, y - 4, 190, y - 4) != NGX_OK
        || ngx_http_portail_pdf_paragraph(pdf, 20, &y, 170, 9, 4.2, 0,
                                          &t[NGX_HTTP_PORTAIL_RT_BALANCE])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_pdf_finish(pdf, out);
}


/* --- the provider's notification ------------------------------------------ */


static ngx_int_t
ngx_http_portail_payment_sign(ngx_pool_t *pool, ngx_str_t *key,
    ngx_http_portail_part_t *fields, ngx_uint_t n, u_char *out)
{
    ngx_uint_t        i;
    portail_field_t  *pf;

    pf = ngx_palloc(pool, (n ? n : 1) * sizeof(portail_field_t));
    if (pf == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        pf[i].name = fields[i].name.data;
        pf[i].name_len = fields[i].name.len;
        pf[i].value = fields[i].data.data;
        pf[i].value_len = fields[i].data.len;
    }

    if (portail_payment_signature(pf, n, key->data, key->len, (char *) out)
        != 0)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_payment_field(ngx_http_portail_ctx_t *ctx, const char *name,
    size_t min, size_t max, ngx_uint_t kind, ngx_str_t *value)
{
    u_char                    c;
    size_t                    i;
    ngx_uint_t                ok;
    ngx_http_portail_part_t  *part;

    part = ngx_http_portail_part(ctx, name, 0);

    if (part == NULL) {
        return NGX_DECLINED;
    }

    if (ngx_http_portail_part(ctx, name, 1) != NULL
        || part->data.len < min || part->data.len > max)
    {
        return NGX_ERROR;
    }

    if (kind == NGX_HTTP_PORTAIL_FIELD_TEXT) {
        if (portail_utf8_chars(part->data.data, part->data.len) < 0) {
            return NGX_ERROR;
        }

        *value = part->data;
        return NGX_OK;
    }

    for (i = 0; i < part->data.len; i++) {
        c = part->data.data[i];

        ok = (c >= '0' && c <= '9');

        if (kind != NGX_HTTP_PORTAIL_FIELD_DIGITS) {
            ok = ok || (c >= 'A' && c <= 'Z') || c == '_';
        }

        if (kind == NGX_HTTP_PORTAIL_FIELD_ID) {
            ok = ok || (c >= 'a' && c <= 'z') || c == '-';
        }

        if (!ok) {
            return NGX_ERROR;
        }
    }

    *value = part->data;

    return NGX_OK;
}


static ngx_http_portail_err_e
ngx_http_portail_payment_verify(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_int_t                      rc;
    ngx_str_t                      given;
    ngx_http_portail_main_conf_t  *pmcf;
    u_char                         expected[PORTAIL_SIGNATURE_LEN];

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (ngx_http_portail_payment_field(ctx, "signature", 44, 44,
                                       NGX_HTTP_PORTAIL_FIELD_TEXT, &given)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: payment form without a signature refused");
        return NGX_HTTP_PORTAIL_ERR_SIGNATURE_INVALIDE;
    }

    rc = ngx_http_portail_payment_sign(r->pool, &pmcf->payment.key,
                                       ctx->parts->elts, ctx->parts->nelts,
                                       expected);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: payment form with a repeated field refused");
        return NGX_HTTP_PORTAIL_ERR_NOTIFICATION_INVALIDE;
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE;
    }

    /* in constant time: a forger learns nothing from how long it took */

    if (sodium_memcmp(expected, given.data, 44) != 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: payment form with a wrong signature refused");
        return NGX_HTTP_PORTAIL_ERR_SIGNATURE_INVALIDE;
    }

    return NGX_HTTP_PORTAIL_ERR_NONE;
}


/* POST /api/paiements/notification: the provider's IPN */

static ngx_int_t
ngx_http_portail_notification(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_payment_notify(r, ctx);
}


/* the provider wants a 2xx to stop retrying; anything else is retried */

static ngx_int_t
ngx_http_portail_notification_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_err_e error,
    ngx_str_t *statut)
{
    u_char  *body, *p;

    if (error) {
        return ngx_http_portail_send_error(r, error);
    }

    body = ngx_pnalloc(r->pool, statut->len + 8);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(body, "OK %V\n", statut);

    return ngx_http_portail_send_body(r, NGX_HTTP_OK,
                                      "text/plain; charset=utf-8",
                                      sizeof("text/plain") - 1,
                                      body, p - body);
}


/*
 * The fields of the provider's notification (the IPN), checked and
 * recorded; done() gets the outcome.  The signature is checked
 * first: whoever does not have the key learns nothing about our orders.
 */

static ngx_int_t
ngx_http_portail_payment_notify(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    char                          *dump;
    json_t                        *raw;
    ngx_int_t                      rc;
    ngx_str_t                      v[NGX_HTTP_PORTAIL_IPN_FIELDS], fields;
    ngx_uint_t                     i, bad;
    ngx_http_portail_err_e           err;
    ngx_http_portail_part_t       *part;
    ngx_http_portail_ipn_field_t  *f;
    ngx_http_portail_paiement_t   *p;
    ngx_http_portail_pg_call_t    *call, *receipt;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    p = ngx_http_portail_paiement_ctx(r, ctx);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!pmcf->payment.card) {
        return ngx_http_portail_notification_done(r, ctx,
                   NGX_HTTP_PORTAIL_ERR_PAIEMENT_INDISPONIBLE, NULL);
    }

    err = ngx_http_portail_payment_verify(r, ctx);
    if (err) {
        return ngx_http_portail_notification_done(r, ctx, err, NULL);
    }

    /* the raw fields, kept with the payment for disputes */

    raw = ngx_http_portail_json_pool(r->pool, json_object());
    if (raw == NULL) {
        return NGX_ERROR;
    }

    part = ctx->parts->elts;
    bad = 0;

    for (i = 0; i < ctx->parts->nelts; i++) {
        if (portail_utf8_chars(part[i].name.data, part[i].name.len) < 0
            || portail_utf8_chars(part[i].data.data, part[i].data.len) < 0
            || json_object_setn_new(raw, (char *) part[i].name.data,
                                    part[i].name.len,
                                    json_stringn((char *) part[i].data.data,
                                                 part[i].data.len))
               != 0)
        {
            bad = 1;
        }
    }

    for (i = 0; i < NGX_HTTP_PORTAIL_IPN_FIELDS; i++) {
        f = &ngx_http_portail_ipn_fields[i];

        rc = ngx_http_portail_payment_field(ctx, f->name,
                                            f->required ? f->min : 0, f->max,
                                            f->kind, &v[i]);

        if (rc == NGX_DECLINED && !f->required) {
            ngx_str_null(&v[i]);
            continue;
        }

        if (rc != NGX_OK) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "portail: payment notification refused: field "
                          "\"%s\" missing or malformed", f->name);
            bad = 1;
        }
    }

    if (bad) {
        return ngx_http_portail_notification_done(r, ctx,
                   NGX_HTTP_PORTAIL_ERR_NOTIFICATION_INVALIDE, NULL);
    }

    /* signed with our key for another shop: a configuration mistake */

    if (v[NGX_HTTP_PORTAIL_IPN_SITE].len != pmcf->payment.site_id.len
        || ngx_strncmp(v[NGX_HTTP_PORTAIL_IPN_SITE].data,
                       pmcf->payment.site_id.data,
                       pmcf->payment.site_id.len) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "portail: payment notification for shop \"%V\", not "
                      "ours (\"%V\")", &v[NGX_HTTP_PORTAIL_IPN_SITE],
                      &pmcf->payment.site_id);
        return ngx_http_portail_notification_done(r, ctx,
                   NGX_HTTP_PORTAIL_ERR_TRANSACTION_INCOHERENTE, NULL);
    }

    dump = json_dumps(raw, JSON_COMPACT);

    if (dump == NULL) {
        return NGX_ERROR;
    }

    fields.len = ngx_strlen(dump);
    fields.data = ngx_pnalloc(r->pool, fields.len);

    if (fields.data == NULL) {
        free(dump);
        return NGX_ERROR;
    }

    ngx_memcpy(fields.data, dump, fields.len);
    free(dump);

    p->commande = v[NGX_HTTP_PORTAIL_IPN_ORDER];

    call = ngx_http_portail_request_call(r,
           &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_CARTE_NOTIFY],
           &q);
    if (call == NULL) {
        return NGX_ERROR;
    }

    /* the statement's parameters, in the table's order; absent: NULL */

    for (i = 0; i < NGX_HTTP_PORTAIL_IPN_SITE; i++) {
        if (ngx_http_portail_pg_param_str(q, call, v[i].len ? &v[i] : NULL)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_http_portail_pg_param_str(q, call, &fields) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* in the same round trip and transaction: what the ticket shows */

    receipt = ngx_http_portail_pg_call(q,
           &ngx_http_portail_paiements_stmts[NGX_HTTP_PORTAIL_CARTE_RECEIPT]);

    if (receipt == NULL
        || ngx_http_portail_pg_param_str(q, receipt,
                                         &v[NGX_HTTP_PORTAIL_IPN_ORDER])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_payment_notified);
}


static ngx_int_t
ngx_http_portail_payment_notified(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     result, statut, receipt, id;
    ngx_uint_t                    i;
    ngx_http_portail_err_e        err;
    ngx_http_portail_paiement_t  *p;

    p = ctx->data;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &result) != NGX_OK) {
        return ngx_http_portail_notification_done(r, ctx,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE, NULL);
    }

    if (result.len != 2 || ngx_strncmp(result.data, "ok", 2) != 0) {
        err = ngx_http_portail_error_by_code(&result);

        /* the refusals the statement may answer; anything else is ours */
        if (err == NGX_HTTP_PORTAIL_ERR_TRANSACTION_EN_DOUBLE) {
            /* money taken twice: the office must refund, so say it loud */
            ngx_http_portail_metrics_card_duplicate();
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "portail: order \"%V\" already paid, and the "
                          "provider notifies another transaction: recorded "
                          "in the journal, to be refunded", &p->commande);
            return ngx_http_portail_notification_done(r, ctx, err, NULL);
        }

        for (i = 0; ngx_http_portail_notify_results[i]; i++) {
            if (err == ngx_http_portail_notify_results[i]) {
                ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                              "portail: payment notification for order "
                              "\"%V\" refused: %V", &p->commande, &result);
                return ngx_http_portail_notification_done(r, ctx, err, NULL);
            }
        }

        return ngx_http_portail_notification_done(r, ctx,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE, NULL);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 1, &statut) != NGX_OK
        || ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &receipt)
           != NGX_OK)
    {
        return ngx_http_portail_notification_done(r, ctx,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE, NULL);
    }

    p->statut.len = statut.len;
    p->statut.data = ngx_pstrdup(r->pool, &statut);
    if (p->statut.data == NULL) {
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: payment notification for order \"%V\": %V",
                  &p->commande, &p->statut);

    if (receipt.len == 1 && receipt.data[0] == 't'
        && ngx_http_portail_pg_value(ctx->query, 1, 0,
                                     NGX_HTTP_PORTAIL_RECU_COLUMNS, &id)
           == NGX_OK)
    {
        if (ngx_http_portail_receipt_pdf(r, ctx->query, 1, 0, &p->pdf)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "portail: cannot make the ticket of order \"%V\"",
                          &p->commande);
            return ngx_http_portail_notification_done(r, ctx,
                       NGX_HTTP_PORTAIL_ERR_NONE, &p->statut);
        }

        return ngx_http_portail_receipt_store(r, ctx, &id,
                                      ngx_http_portail_payment_receipt_stored);
    }

    return ngx_http_portail_notification_done(r, ctx,
               NGX_HTTP_PORTAIL_ERR_NONE, &p->statut);
}


/* the payment is recorded whatever happened to its ticket */

static ngx_int_t
ngx_http_portail_payment_receipt_stored(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_paiement_t  *p;

    p = ctx->data;
    ctx->own_errors = 0;

    if (ctx->query->rc != NGX_HTTP_PORTAIL_PG_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "portail: ticket of order \"%V\" not filed; it will be "
                      "made when asked for", &p->commande);
    }

    return ngx_http_portail_notification_done(r, ctx,
               NGX_HTTP_PORTAIL_ERR_NONE, &p->statut);
}
