
/*
 * A payment provider for development and tests (portail_payment_sandbox
 * on; never in production: PRODUCTION mode refuses it).  It speaks the
 * provider's protocol: it receives the signed form the browser posts,
 * checks it as the provider would, shows a page with the amount and two
 * buttons, then builds the provider's notification (the same fields, signed
 * with the same key) and hands it to the code that serves
 * /api/paiements/notification, in the same process, before sending the
 * browser back to vads_url_return.  No card is asked for or debited.
 */


#include "ngx_http_portail_paiements.h"


static ngx_int_t ngx_http_portail_sandbox_page(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sandbox_decision(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sandbox_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_err_e error,
    ngx_str_t *statut);
static ngx_http_portail_err_e ngx_http_portail_sandbox_check(
    ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_sandbox_field(ngx_array_t *fields,
    const char *name, u_char *value, size_t len);


static ngx_http_portail_route_t  ngx_http_portail_sandbox_routes[] = {

    /* what the browser posts instead of the provider's page */
    { NGX_HTTP_POST, ngx_string("/api/bac-a-sable/paiement"),
      NGX_HTTP_PORTAIL_FORM_BODY,
      ngx_http_portail_sandbox_page },

    { NGX_HTTP_POST, ngx_string("/api/bac-a-sable/paiement/decision"),
      NGX_HTTP_PORTAIL_FORM_BODY,
      ngx_http_portail_sandbox_decision },

    { 0, ngx_null_string, 0, NULL }
};



/* the form's fields the provider requires, with the only value we send */

static struct {
    const char  *name;
    const char  *value;
} ngx_http_portail_sandbox_fixed[] = {
    { "vads_action_mode", "INTERACTIVE" },
    { "vads_page_action", "PAYMENT" },
    { "vads_payment_config", "SINGLE" },
    { "vads_version", "V2" },
    { "vads_currency", "978" },
    { "vads_ctx_mode", "TEST" },
    { NULL, NULL }
};


static u_char  ngx_http_portail_sandbox_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"fr\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n"
    "<title>Paiement de test — aucune carte n'est débitée</title>\n"
    "</head>\n"
    "<body>\n"
    "<main>\n"
    "<h1>Paiement de test — aucune carte n'est débitée</h1>\n"
    "<p>Cette page remplace celle du prestataire de paiement pendant les "
    "essais du portail : aucune carte n'est demandée ni débitée.</p>\n";


static u_char  ngx_http_portail_sandbox_tail[] =
    "<button type=\"submit\" name=\"decision\" value=\"payer\">Payer"
    "</button>\n"
    "<button type=\"submit\" name=\"decision\" value=\"refuser\">Refuser"
    "</button>\n"
    "</form>\n"
    "</main>\n"
    "</body>\n"
    "</html>\n";


ngx_int_t
ngx_http_portail_sandbox_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_add_routes(cf, ngx_http_portail_sandbox_routes)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * What the provider checks before showing its page: our signature, the
 * shop, and the form's fixed fields.  NULL, or the error code (a portal
 * without the sandbox has no such page).
 */

static ngx_http_portail_err_e
ngx_http_portail_sandbox_check(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                      v;
    ngx_uint_t                     i;
    ngx_http_portail_err_e           err;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (!pmcf->payment.sandbox) {
        return NGX_HTTP_PORTAIL_ERR_INTROUVABLE;
    }

    err = ngx_http_portail_payment_verify(r, ctx);

    if (err) {
        return err == NGX_HTTP_PORTAIL_ERR_SIGNATURE_INVALIDE
               ? err : NGX_HTTP_PORTAIL_ERR_FORMULAIRE_PAIEMENT_INVALIDE;
    }

    for (i = 0; ngx_http_portail_sandbox_fixed[i].name; i++) {
        if (ngx_http_portail_payment_field(ctx,
                                        ngx_http_portail_sandbox_fixed[i].name,
                                        1, 16, NGX_HTTP_PORTAIL_FIELD_CODE, &v)
            != NGX_OK
            || v.len != ngx_strlen(ngx_http_portail_sandbox_fixed[i].value)
            || ngx_strncmp(v.data, ngx_http_portail_sandbox_fixed[i].value,
                           v.len) != 0)
        {
            goto invalid;
        }
    }

    if (ngx_http_portail_payment_field(ctx, "vads_site_id", 8, 8,
                                       NGX_HTTP_PORTAIL_FIELD_DIGITS, &v)
        != NGX_OK
        || ngx_strncmp(v.data, pmcf->payment.site_id.data, 8) != 0
        || ngx_http_portail_payment_field(ctx, "vads_amount", 1, 12,
                                          NGX_HTTP_PORTAIL_FIELD_DIGITS, &v)
           != NGX_OK
        || ngx_atoof(v.data, v.len) < 1
        || ngx_http_portail_payment_field(ctx, "vads_trans_id", 6, 6,
                                          NGX_HTTP_PORTAIL_FIELD_DIGITS, &v)
           != NGX_OK
        || ngx_http_portail_payment_field(ctx, "vads_trans_date", 14, 14,
                                          NGX_HTTP_PORTAIL_FIELD_DIGITS, &v)
           != NGX_OK
        || ngx_http_portail_payment_field(ctx, "vads_order_id", 1, 64,
                                          NGX_HTTP_PORTAIL_FIELD_ID, &v)
           != NGX_OK
        || ngx_http_portail_payment_field(ctx, "vads_url_return", 0, 2048,
                                          NGX_HTTP_PORTAIL_FIELD_TEXT, &v)
           == NGX_ERROR)
    {
        goto invalid;
    }

    return NGX_HTTP_PORTAIL_ERR_NONE;

invalid:

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: sandbox: payment form refused");

    return NGX_HTTP_PORTAIL_ERR_FORMULAIRE_PAIEMENT_INVALIDE;
}


/* POST /api/bac-a-sable/paiement: the provider's page */

static ngx_int_t
ngx_http_portail_sandbox_page(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                        *html, *p;
    size_t                         len;
    ngx_str_t                      amount, order;
    ngx_uint_t                     i;
    ngx_http_portail_err_e           err;
    ngx_http_portail_part_t       *part;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    err = ngx_http_portail_sandbox_check(r, ctx);
    if (err) {
        return ngx_http_portail_send_error(r, err);
    }

    (void) ngx_http_portail_payment_field(ctx, "vads_amount", 1, 12,
                                          NGX_HTTP_PORTAIL_FIELD_DIGITS,
                                          &amount);
    (void) ngx_http_portail_payment_field(ctx, "vads_order_id", 1, 64,
                                          NGX_HTTP_PORTAIL_FIELD_ID, &order);

    /* the signed fields go back as they came, for the decision */

    part = ctx->parts->elts;
    len = sizeof(ngx_http_portail_sandbox_head)
          + sizeof(ngx_http_portail_sandbox_tail) + order.len + 512;

    for (i = 0; i < ctx->parts->nelts; i++) {
        len += 64 + part[i].name.len + part[i].data.len
               + ngx_escape_html(NULL, part[i].name.data, part[i].name.len)
               + ngx_escape_html(NULL, part[i].data.data, part[i].data.len);
    }

    html = ngx_pnalloc(r->pool, len);
    if (html == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(html, ngx_http_portail_sandbox_head,
                   sizeof(ngx_http_portail_sandbox_head) - 1);

    p = ngx_sprintf(p, "<dl>\n<dt>Montant</dt><dd>");
    p = ngx_http_portail_format_euros(p, ngx_atoof(amount.data, amount.len));
    p = ngx_sprintf(p, "</dd>\n<dt>Commande</dt><dd>%V</dd>\n"
                       "<dt>Boutique</dt><dd>%V (mode TEST)</dd>\n</dl>\n"
                       "<form method=\"post\" "
                       "action=\"/api/bac-a-sable/paiement/decision\">\n",
                    &order, &pmcf->payment.site_id);

    for (i = 0; i < ctx->parts->nelts; i++) {
        if (part[i].name.len == sizeof("decision") - 1
            && ngx_strncmp(part[i].name.data, "decision", 8) == 0)
        {
            continue;
        }

        p = ngx_cpymem(p, "<input type=\"hidden\" name=\"",
                       sizeof("<input type=\"hidden\" name=\"") - 1);
        p = (u_char *) ngx_escape_html(p, part[i].name.data,
                                       part[i].name.len);
        p = ngx_cpymem(p, "\" value=\"", sizeof("\" value=\"") - 1);
        p = (u_char *) ngx_escape_html(p, part[i].data.data,
                                       part[i].data.len);
        p = ngx_cpymem(p, "\">\n", sizeof("\">\n") - 1);
    }

    p = ngx_cpymem(p, ngx_http_portail_sandbox_tail,
                   sizeof(ngx_http_portail_sandbox_tail) - 1);

    return ngx_http_portail_send_body(r, NGX_HTTP_OK,
                                      "text/html; charset=utf-8",
                                      sizeof("text/html") - 1,
                                      html, p - html);
}


static ngx_int_t
ngx_http_portail_sandbox_field(ngx_array_t *fields, const char *name,
    u_char *value, size_t len)
{
    ngx_http_portail_part_t  *f;

    f = ngx_array_push(fields);
    if (f == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(f, sizeof(ngx_http_portail_part_t));

    f->name.data = (u_char *) name;
    f->name.len = ngx_strlen(name);
    f->data.data = value;
    f->data.len = len;

    return NGX_OK;
}


/*
 * POST /api/bac-a-sable/paiement/decision: "Payer" or "Refuser".  The
 * notification carries the form's fields and what the provider adds: the
 * transaction's status and uuid, the authorisation, a test card's masked
 * number.
 */

static ngx_int_t
ngx_http_portail_sandbox_decision(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                        *uuid, *auth;
    ngx_int_t                      rc;
    ngx_str_t                      decision, amount;
    ngx_uint_t                     i, pay;
    ngx_http_portail_err_e           err;
    ngx_array_t                   *ipn;
    ngx_http_portail_part_t       *part, *f;
    ngx_http_portail_main_conf_t  *pmcf;
    u_char                         random[16];

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    err = ngx_http_portail_sandbox_check(r, ctx);
    if (err) {
        return ngx_http_portail_send_error(r, err);
    }

    if (ngx_http_portail_payment_field(ctx, "decision", 5, 7,
                                       NGX_HTTP_PORTAIL_FIELD_ID, &decision)
        != NGX_OK
        || !((decision.len == 5
              && ngx_strncmp(decision.data, "payer", 5) == 0)
             || (decision.len == 7
                 && ngx_strncmp(decision.data, "refuser", 7) == 0)))
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_FORMULAIRE_PAIEMENT_INVALIDE);
    }

    pay = (decision.len == 5);

    ipn = ngx_array_create(r->pool, ctx->parts->nelts + 16,
                           sizeof(ngx_http_portail_part_t));
    uuid = ngx_pnalloc(r->pool, 2 * sizeof(random) + 1);
    auth = ngx_pnalloc(r->pool, NGX_INT_T_LEN);

    if (ipn == NULL || uuid == NULL || auth == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (void) ngx_http_portail_payment_field(ctx, "vads_amount", 1, 12,
                                          NGX_HTTP_PORTAIL_FIELD_DIGITS,
                                          &amount);

    part = ctx->parts->elts;
    rc = NGX_OK;

    for (i = 0; i < ctx->parts->nelts; i++) {
        if (part[i].name.len > 5
            && ngx_strncmp(part[i].name.data, "vads_", 5) == 0)
        {
            f = ngx_array_push(ipn);
            if (f == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            *f = part[i];
        }
    }

    randombytes_buf(random, sizeof(random));
    sodium_bin2hex((char *) uuid, 2 * sizeof(random) + 1, random,
                   sizeof(random));

    ngx_sprintf(auth, "%06uD", randombytes_uniform(1000000));

#define NGX_HTTP_PORTAIL_IPN(name, value, len)                               \
    rc |= ngx_http_portail_sandbox_field(ipn, name, (u_char *) (value), len)

    NGX_HTTP_PORTAIL_IPN("vads_trans_status", pay ? "AUTHORISED" : "REFUSED",
                         pay ? 10 : 7);
    NGX_HTTP_PORTAIL_IPN("vads_result", pay ? "00" : "05", 2);
    NGX_HTTP_PORTAIL_IPN("vads_auth_result", pay ? "00" : "05", 2);
    NGX_HTTP_PORTAIL_IPN("vads_auth_mode", "FULL", 4);
    NGX_HTTP_PORTAIL_IPN("vads_auth_number", auth, pay ? 6 : 0);
    NGX_HTTP_PORTAIL_IPN("vads_card_brand", "CB", 2);
    NGX_HTTP_PORTAIL_IPN("vads_card_number", "497010XXXXXX0055", 16);
    NGX_HTTP_PORTAIL_IPN("vads_effective_amount", amount.data, amount.len);
    NGX_HTTP_PORTAIL_IPN("vads_effective_currency", "978", 3);
    NGX_HTTP_PORTAIL_IPN("vads_operation_type", "DEBIT", 5);
    NGX_HTTP_PORTAIL_IPN("vads_trans_uuid", uuid, 2 * sizeof(random));
    NGX_HTTP_PORTAIL_IPN("vads_url_check_src", "PAY", 3);

#undef NGX_HTTP_PORTAIL_IPN

    f = ngx_array_push(ipn);

    if (rc != NGX_OK || f == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(f, sizeof(ngx_http_portail_part_t));
    ngx_str_set(&f->name, "signature");

    f->data.data = ngx_pnalloc(r->pool, PORTAIL_SIGNATURE_LEN);
    if (f->data.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_portail_payment_sign(r->pool, &pmcf->payment.key,
                                      ipn->elts, ipn->nelts - 1,
                                      f->data.data)
        != NGX_OK)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_FORMULAIRE_PAIEMENT_INVALIDE);
    }

    f->data.len = PORTAIL_SIGNATURE_LEN - 1;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: sandbox: payment %s, notifying the portal",
                  pay ? "authorised" : "refused");

    ctx->parts = ipn;

    return ngx_http_portail_payment_notify(r, ctx,
                                           ngx_http_portail_sandbox_done);
}


/*
 * As the provider does: the payer goes back to the shop whatever the
 * notification's fate (the shop's page tells what it knows).
 */

static ngx_int_t
ngx_http_portail_sandbox_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_err_e error,
    ngx_str_t *statut)
{
    ngx_str_t                      url;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (error) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: sandbox: the portal refused the "
                      "notification: %V", &ngx_http_portail_error(error)->code);
    }

    /* the shop's page, signed with the form; or the portal's home page */

    if (ngx_http_portail_payment_field(ctx, "vads_url_return", 1, 2048,
                                       NGX_HTTP_PORTAIL_FIELD_TEXT, &url)
        != NGX_OK
        || !((url.len > 8 && ngx_strncmp(url.data, "https://", 8) == 0)
             || (url.len > 7 && ngx_strncmp(url.data, "http://", 7) == 0)))
    {
        url = pmcf->office.public_url;
    }

    if (ngx_http_portail_add_header(r, "Location", url.data, url.len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_body(r, NGX_HTTP_SEE_OTHER,
                                      "text/plain; charset=utf-8",
                                      sizeof("text/plain") - 1, NULL, 0);
}
