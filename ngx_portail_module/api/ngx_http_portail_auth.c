
/*
 * Accounts: registration and its confirmation, sign-in, forgotten password
 * and reset, forgotten identifiers.
 *
 * Passwords are hashed and checked with argon2id (libsodium) in nginx's
 * thread pool: one check costs tens of milliseconds and 64 MB, which the
 * event loop must never wait for.
 *
 * No answer tells whether an address or an account exists: registration
 * with an address in use, forgotten password and forgotten identifiers
 * answer the same whatever is found (the e-mail, if any, tells its owner),
 * and a sign-in with an unknown identifier checks a password against a
 * dummy hash so that it takes as long as with a known one.
 *
 * Sign-in failures count per identifier and client address, per address,
 * and per identifier from every unknown browser together (a much higher
 * limit); a browser where the account signed in before presents its
 * device cookie, and only its own failures count against it, so that an
 * attack from elsewhere never locks the owner out.  The endpoints that
 * send e-mail pass the portail_mail_max_per_* limits to their statement,
 * which keeps the e-mail back when over them; the answer stays the same.
 */


#include "ngx_http_portail_core.h"


static ngx_int_t ngx_http_portail_login(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_register(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_confirm(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_password_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_password_reset(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_identifiers_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);


typedef struct {
    ngx_str_t                         login;       /* lower-cased e-mail */
    ngx_str_t                         password;
    ngx_str_t                         nom;
    ngx_str_t                         account;     /* id as text, or empty */
    ngx_str_t                         device;      /* known device's id */
    ngx_flag_t                        remember;
    ngx_uint_t                        confirmed;
    ngx_uint_t                        throttled;
    ngx_uint_t                        has_device;  /* a device cookie came */
    ngx_uint_t                        new_device;  /* a device cookie to set */
    /* NUL-terminated: libpq reads text parameters up to their NUL */
    u_char                            reference[PORTAIL_REFERENCE_LEN + 1];
    u_char                            token[32];
    u_char                            token_hash[32];
    u_char                            token_text[44];
    u_char                            device_hash[32];
    u_char                            device_token[32];
    u_char                            device_token_hash[32];
} ngx_http_portail_auth_t;


enum {
    NGX_HTTP_PORTAIL_LOGIN_PREPARE = 0,
    NGX_HTTP_PORTAIL_LOGIN_CONCLUDE,
    NGX_HTTP_PORTAIL_REGISTER,
    NGX_HTTP_PORTAIL_CONFIRM,
    NGX_HTTP_PORTAIL_FORGOTTEN,
    NGX_HTTP_PORTAIL_TOKEN_STATE,
    NGX_HTTP_PORTAIL_RESET,
    NGX_HTTP_PORTAIL_IDENTIFIERS
};


static ngx_http_portail_route_t  ngx_http_portail_auth_routes[] = {

    { NGX_HTTP_POST, ngx_string("/api/connexion"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_login },

    { NGX_HTTP_POST, ngx_string("/api/inscription"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_register },

    { NGX_HTTP_POST, ngx_string("/api/inscription/confirmation"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_confirm },

    { NGX_HTTP_POST, ngx_string("/api/mot-de-passe/oubli"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_password_forgotten },

    { NGX_HTTP_POST, ngx_string("/api/mot-de-passe/reinitialisation"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_password_reset },

    { NGX_HTTP_POST, ngx_string("/api/identifiants/oubli"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_identifiers_forgotten },

    { 0, ngx_null_string, 0, NULL }
};



static ngx_http_portail_stmt_t  ngx_http_portail_auth_stmts[] = {

    { "connexion_preparer",
      "SELECT compte_id, mot_de_passe_hash, confirme, attente, appareil_id"
      " FROM portail.connexion_preparer($1::text, $2::inet, $3::integer,"
      " $4::integer, make_interval(secs => $5::bigint), $6::bytea,"
      " $7::integer)",
      7, 0 },

    { "connexion_conclure",
      "SELECT portail.connexion_conclure($1::text, $2::bigint, $3::inet,"
      " $4::text, $5::text, $6::bytea, make_interval(secs => $7::bigint),"
      " make_interval(secs => $8::bigint), $9::boolean, $10::bigint,"
      " $11::bytea, make_interval(secs => $12::bigint))",
      12, 0 },

    { "inscrire",
      "SELECT portail.inscrire($1::text, $2::text, $3::text, $4::text,"
      " $5::bytea, $6::text, $7::inet, $8::integer[])",
      8, 0 },

    { "confirmer_inscription",
      "SELECT portail.confirmer_inscription($1::bytea, $2::inet)",
      2, 0 },

    { "mot_de_passe_oubli",
      "SELECT portail.mot_de_passe_oubli($1::text, $2::bytea, $3::text,"
      " $4::inet, $5::integer[])",
      5, 0 },

    { "jeton_etat",
      "SELECT portail.jeton_etat($1::bytea, $2::text)",
      2, 0 },

    { "reinitialiser_mot_de_passe",
      "SELECT portail.reinitialiser_mot_de_passe($1::bytea, $2::text,"
      " $3::inet)",
      3, 0 },

    { "identifiants_oubli",
      "SELECT portail.identifiants_oubli($1::text, $2::text, $3::inet,"
      " $4::integer[])",
      4, 0 }
};


static ngx_int_t ngx_http_portail_login_checked(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_login_verified(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_login_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_login_refused(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_login_conclude(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *reason, u_char *token_hash,
    ngx_http_portail_handler_pt next);
static ngx_int_t ngx_http_portail_register_hashed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_register_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_confirm_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_forgotten_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_reset_checked(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_reset_hashed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_reset_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_identifiers_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_http_portail_auth_t *ngx_http_portail_auth_ctx(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_token_field(ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_auth_t *a);
static ngx_int_t ngx_http_portail_param_limits(ngx_http_request_t *r,
    ngx_http_portail_pg_call_t *call);
static ngx_uint_t ngx_http_portail_mail_kept(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *what);


ngx_int_t
ngx_http_portail_auth_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_auth_stmts,
            sizeof(ngx_http_portail_auth_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_auth_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_http_portail_auth_t *
ngx_http_portail_auth_ctx(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    if (ctx->data == NULL) {
        ctx->data = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_auth_t));
    }

    return ctx->data;
}


/* POST /api/connexion */

static ngx_int_t
ngx_http_portail_login(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    json_t                        *champs;
    ngx_int_t                      rc;
    ngx_str_t                      login;
    ngx_uint_t                     i;
    ngx_http_portail_auth_t       *a;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = ngx_http_portail_champs(r);

    if (a == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_portail_json_string(ctx, "identifiant", &login, 320, champs);
    if (rc == NGX_DECLINED || (rc == NGX_OK && login.len == 0)) {
        ngx_http_portail_field_error(champs, "identifiant",
                                     "Saisissez votre identifiant "
                                     "(votre adresse e-mail).");
    }

    rc = ngx_http_portail_json_string(ctx, "mot_de_passe", &a->password, 1024,
                                      champs);
    if (rc == NGX_DECLINED || (rc == NGX_OK && a->password.len == 0)) {
        ngx_http_portail_field_error(champs, "mot_de_passe",
                                     "Saisissez votre mot de passe.");
    }

    (void) ngx_http_portail_json_bool(ctx, "se_souvenir", &a->remember,
                                      champs);

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    /* the identifier is compared lower-case, without surrounding spaces */

    while (login.len && login.data[0] == ' ') {
        login.data++;
        login.len--;
    }

    while (login.len && login.data[login.len - 1] == ' ') {
        login.len--;
    }

    a->login.data = ngx_pnalloc(r->pool, login.len + 1);
    if (a->login.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < login.len; i++) {
        a->login.data[i] = ngx_tolower(login.data[i]);
    }

    a->login.len = login.len;

    a->has_device = (ngx_http_portail_device_cookie(r, a->device_hash)
                     == NGX_OK);

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_LOGIN_PREPARE],
               &q);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &a->login) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, pmcf->auth.max_failures)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                         pmcf->auth.max_failures_address)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, pmcf->auth.window) != NGX_OK
        || (a->has_device
            ? ngx_http_portail_pg_param_binary(call, a->device_hash, 32)
            : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                         pmcf->auth.max_failures_account)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_login_checked);
}


static ngx_int_t
ngx_http_portail_login_checked(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                        *hash, *p;
    ngx_str_t                      value;
    ngx_int_t                      wait;
    ngx_http_portail_auth_t       *a;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    a = ctx->data;

    wait = 0;
    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &value) == NGX_OK) {
        wait = ngx_atoi(value.data, value.len);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &value) == NGX_OK) {
        a->account.data = ngx_pstrdup(r->pool, &value);
        a->account.len = value.len;
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 4, &value) == NGX_OK) {
        a->device.data = ngx_pstrdup(r->pool, &value);
        a->device.len = value.len;

        if (a->device.data == NULL) {
            return NGX_ERROR;
        }
    }

    if (wait > 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: sign-in throttled for \"%V\"%s, retry in %is",
                      &a->login, a->device.len ? " on a known device" : "",
                      wait);

        p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
        if (p == NULL
            || ngx_http_portail_add_header(r, "Retry-After", p,
                                           ngx_sprintf(p, "%i", wait) - p)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        a->throttled = 1;

        return ngx_http_portail_login_conclude(r, ctx, "limite", NULL,
                                               ngx_http_portail_login_refused);
    }

    if (a->account.len
        && ngx_http_portail_pg_value(ctx->query, 0, 0, 1, &value) == NGX_OK)
    {
        hash = ngx_pnalloc(r->pool, value.len + 1);
        if (hash == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(hash, value.data, value.len);
        hash[value.len] = '\0';

        if (ngx_http_portail_pg_value(ctx->query, 0, 0, 2, &value) == NGX_OK) {
            a->confirmed = (value.len == 1 && value.data[0] == 't');
        }

    } else {
        a->account.len = 0;
        hash = pmcf->auth.dummy_hash;
    }

    return ngx_http_portail_password_task(r, ctx, &a->password, hash,
                                          ngx_http_portail_login_verified);
}


static ngx_int_t
ngx_http_portail_login_verified(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_auth_t  *a;

    a = ctx->data;

    if (a->account.len == 0) {
        return ngx_http_portail_login_conclude(r, ctx, "inconnu", NULL,
                                               ngx_http_portail_login_refused);
    }

    if (!ctx->pw->ok) {
        return ngx_http_portail_login_conclude(r, ctx, "mot_de_passe", NULL,
                                               ngx_http_portail_login_refused);
    }

    if (!a->confirmed) {
        return ngx_http_portail_login_conclude(r, ctx, "non_confirme", NULL,
                                               ngx_http_portail_login_refused);
    }

    /* a new token at each sign-in: a planted cookie is worth nothing */
    ngx_http_portail_new_token(a->token, a->token_hash, NULL);

    /* a browser not known yet becomes one of the account's devices */
    if (a->device.len == 0) {
        ngx_http_portail_new_token(a->device_token, a->device_token_hash,
                                   NULL);
        a->new_device = 1;
    }

    return ngx_http_portail_login_conclude(r, ctx, NULL, a->token_hash,
                                           ngx_http_portail_login_done);
}


static ngx_int_t
ngx_http_portail_login_conclude(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *reason, u_char *token_hash,
    ngx_http_portail_handler_pt next)
{
    ngx_str_t                      agent, motif;
    ngx_http_portail_auth_t       *a;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    a = ctx->data;

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_LOGIN_CONCLUDE],
               &q);
    if (call == NULL) {
        return NGX_ERROR;
    }

    if (r->headers_in.user_agent) {
        agent = r->headers_in.user_agent->value;

    } else {
        ngx_str_null(&agent);
    }

    if (reason) {
        motif.data = (u_char *) reason;
        motif.len = ngx_strlen(reason);

    } else {
        ngx_str_null(&motif);
    }

    if (ngx_http_portail_pg_param_str(q, call, &a->login) != NGX_OK
        || (a->account.len
            ? ngx_http_portail_pg_param_str(q, call, &a->account)
            : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &agent) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &motif) != NGX_OK
        || (token_hash
            ? ngx_http_portail_pg_param_binary(call, token_hash, 32)
            : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                                 a->remember ? pmcf->session.remember_lifetime
                                             : pmcf->session.lifetime)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call,
                             a->remember ? pmcf->session.remember_idle_timeout
                                         : pmcf->session.idle_timeout)
           != NGX_OK
        || ngx_http_portail_pg_param(call,
                                     (u_char *) (a->remember ? "t" : "f"), 1)
           != NGX_OK
        || (a->device.len
            ? ngx_http_portail_pg_param_str(q, call, &a->device)
            : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || (token_hash && a->new_device
            ? ngx_http_portail_pg_param_binary(call, a->device_token_hash, 32)
            : ngx_http_portail_pg_param_null(call)) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, pmcf->auth.device_lifetime)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, next);
}


/* every refusal is logged with its reason; the tenant sees one message */

static ngx_int_t
ngx_http_portail_login_refused(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_auth_t  *a;

    a = ctx->data;

    if (a->throttled) {
        ngx_http_portail_metrics_signin(NGX_HTTP_PORTAIL_SIGNIN_THROTTLED);
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_TROP_DE_TENTATIVES);
    }

    ngx_http_portail_metrics_signin(NGX_HTTP_PORTAIL_SIGNIN_FAILED);

    if (a->account.len && ctx->pw && ctx->pw->ok && !a->confirmed) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "portail: sign-in refused for \"%V\": account not "
                      "confirmed", &a->login);
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_COMPTE_NON_CONFIRME);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: sign-in failed for \"%V\": %s", &a->login,
                  a->account.len ? "wrong password" : "unknown identifier");

    return ngx_http_portail_send_error(r,
               NGX_HTTP_PORTAIL_ERR_IDENTIFIANTS_INVALIDES);
}


static ngx_int_t
ngx_http_portail_login_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                      body;
    ngx_http_portail_auth_t       *a;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    a = ctx->data;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &body) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    ngx_http_portail_metrics_signin(NGX_HTTP_PORTAIL_SIGNIN_OK);

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: sign-in ok for \"%V\" (account %V)%s%s",
                  &a->login, &a->account,
                  a->remember ? ", remembered" : "",
                  a->new_device ? ", new device" : ", known device");

    ctx->account = ngx_atoof(a->account.data, a->account.len);
    ngx_memcpy(ctx->token, a->token, 32);
    ctx->has_token = 1;

    /* before the session's: clients that keep one cookie keep that one */
    if (a->new_device
        && ngx_http_portail_set_device_cookie(r, a->device_token,
                                              pmcf->auth.device_lifetime)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_portail_set_cookie(r, a->token,
                                    a->remember
                                    ? pmcf->session.remember_lifetime : 0)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_session(r, ctx, &body);
}


/*
 * The fields registration and forgotten identifiers share; a reference
 * and a name are checked for their form only: whether they designate a
 * signatory is the database's answer.
 */

static void
ngx_http_portail_identity_fields(ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_auth_t *a, json_t *champs)
{
    ngx_int_t    rc;
    ngx_str_t    reference;
    const char  *err;

    rc = ngx_http_portail_json_string(ctx, "nom", &a->nom, 400, champs);

    if (rc == NGX_DECLINED) {
        ngx_str_set(&a->nom, "");
    }

    if (rc != NGX_ERROR) {
        err = portail_check_nom(a->nom.data, a->nom.len);
        if (err) {
            ngx_http_portail_field_error(champs, "nom", err);
        }
    }

    rc = ngx_http_portail_json_string(ctx, "reference_client", &reference, 32,
                                      champs);
    if (rc == NGX_DECLINED) {
        ngx_str_set(&reference, "");
    }

    if (rc != NGX_ERROR) {
        err = portail_check_reference(reference.data, reference.len,
                                      a->reference);
        if (err) {
            ngx_http_portail_field_error(champs, "reference_client", err);
        }
    }
}


static ngx_int_t
ngx_http_portail_email_field(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_auth_t *a, json_t *champs)
{
    ngx_int_t    rc;
    ngx_str_t    email;
    const char  *err;

    rc = ngx_http_portail_json_string(ctx, "email", &email, 1024, champs);

    if (rc == NGX_DECLINED) {
        ngx_str_set(&email, "");
    }

    if (rc == NGX_ERROR) {
        return NGX_OK;
    }

    a->login.data = ngx_pnalloc(r->pool, email.len + 1);
    if (a->login.data == NULL) {
        return NGX_ERROR;
    }

    err = portail_check_email(email.data, email.len, a->login.data,
                              &a->login.len);

    if (err) {
        ngx_http_portail_field_error(champs, "email", err);
    }

    return NGX_OK;
}


/* a new password, judged with the names and address typed beside it */

static ngx_int_t
ngx_http_portail_password_field(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_auth_t *a, json_t *champs)
{
    ngx_int_t          rc;
    portail_verdict_t  v;

    rc = ngx_http_portail_json_string(ctx, "mot_de_passe", &a->password,
                                      4 * PORTAIL_PASSWORD_MAX_CHARS, champs);
    if (rc == NGX_DECLINED) {
        ngx_str_set(&a->password, "");
    }

    if (rc == NGX_ERROR) {
        return NGX_OK;
    }

    ngx_http_portail_password_judge(r, &a->password, &a->nom, &a->login, &v);

    return ngx_http_portail_password_refused(champs, "mot_de_passe", &v);
}


/* POST /api/inscription */

static ngx_int_t
ngx_http_portail_register(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    json_t                   *champs;
    ngx_http_portail_auth_t  *a;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = ngx_http_portail_champs(r);

    if (a == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_portail_identity_fields(ctx, a, champs);

    if (ngx_http_portail_email_field(r, ctx, a, champs) != NGX_OK
        || ngx_http_portail_password_field(r, ctx, a, champs) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    return ngx_http_portail_password_task(r, ctx, &a->password, NULL,
                                          ngx_http_portail_register_hashed);
}


static ngx_int_t
ngx_http_portail_register_hashed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     hash;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ctx->data;

    if (!ctx->pw->ok) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    ngx_http_portail_new_token(a->token, a->token_hash, a->token_text);

    hash.data = ctx->pw->hash;
    hash.len = ngx_strlen(ctx->pw->hash);

    call = ngx_http_portail_request_call(r,
                 &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_REGISTER], &q);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &a->nom) != NGX_OK
        || ngx_http_portail_pg_param(call, a->reference, PORTAIL_REFERENCE_LEN)
           != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &a->login) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &hash) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, a->token_hash, 32) != NGX_OK
        || ngx_http_portail_pg_param(call, a->token_text, 43) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_param_limits(r, call) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_register_done);
}


static ngx_int_t
ngx_http_portail_register_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t     *champs;
    ngx_str_t   outcome;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &outcome) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    if ((outcome.len == 2 && ngx_strncmp(outcome.data, "ok", 2) == 0)
        || ngx_http_portail_mail_kept(r, ctx, "registration"))
    {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "portail: registration accepted");

        return ngx_http_portail_send_message(r, NGX_HTTP_ACCEPTED,
                   "Votre demande d'inscription est enregistrée. Un lien de "
                   "confirmation vient de vous être envoyé par e-mail : "
                   "cliquez dessus pour activer votre compte. Le lien est "
                   "valable 24 heures.");
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: registration refused: %V", &outcome);

    /* one message for both fields, whichever of the two is wrong */

    champs = ngx_http_portail_champs(r);
    if (champs == NULL) {
        return NGX_ERROR;
    }

    if (outcome.len == sizeof("identite_ambigue") - 1
        && ngx_strncmp(outcome.data, "identite_ambigue", outcome.len) == 0)
    {
        ngx_http_portail_field_error(champs, "nom",
                      "Plusieurs signataires portent ce nom : indiquez votre "
                      "prénom et votre nom, tels qu'ils figurent sur votre "
                      "avis d'échéance.");

        return ngx_http_portail_send_champs(r,
                   NGX_HTTP_PORTAIL_ERR_IDENTITE_AMBIGUE, champs);
    }

    ngx_http_portail_field_error(champs, "nom",
                  "Le nom et la référence client ne correspondent à aucun "
                  "signataire : vérifiez-les sur votre avis d'échéance.");
    ngx_http_portail_field_error(champs, "reference_client",
                  "Le nom et la référence client ne correspondent à aucun "
                  "signataire : vérifiez-les sur votre avis d'échéance.");

    return ngx_http_portail_send_champs(r,
               NGX_HTTP_PORTAIL_ERR_IDENTITE_NON_RECONNUE, champs);
}


static ngx_int_t
ngx_http_portail_token_field(ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_auth_t *a)
{
    ngx_str_t  jeton;

    if (ngx_http_portail_json_string(ctx, "jeton", &jeton, 64, NULL) != NGX_OK
        || portail_token_decode(jeton.data, jeton.len, a->token) != 0)
    {
        return NGX_DECLINED;
    }

    crypto_hash_sha256(a->token_hash, a->token, 32);

    return NGX_OK;
}


/* POST /api/inscription/confirmation */

static ngx_int_t
ngx_http_portail_confirm(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ngx_http_portail_auth_ctx(r, ctx);
    if (a == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_portail_token_field(ctx, a) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_JETON_INVALIDE);
    }

    call = ngx_http_portail_request_call(r,
                 &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_CONFIRM], &q);

    if (call == NULL
        || ngx_http_portail_pg_param_binary(call, a->token_hash, 32) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_confirm_done);
}


/*
 * The link's state as the database tells it: 1 when valid; otherwise the
 * error is answered here and *rc is what to return.
 */

static ngx_uint_t
ngx_http_portail_token_valid(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_int_t *rc)
{
    ngx_str_t  outcome;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &outcome) != NGX_OK) {
        *rc = ngx_http_portail_send_error(r,
                                          NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
        return 0;
    }

    if (outcome.len == 2 && ngx_strncmp(outcome.data, "ok", 2) == 0) {
        return 1;
    }

    if (outcome.len == sizeof("jeton_expire") - 1
        && ngx_strncmp(outcome.data, "jeton_expire", outcome.len) == 0)
    {
        *rc = ngx_http_portail_send_error(r,
                                          NGX_HTTP_PORTAIL_ERR_JETON_EXPIRE);
        return 0;
    }

    *rc = ngx_http_portail_send_error(r, NGX_HTTP_PORTAIL_ERR_JETON_INVALIDE);
    return 0;
}


static ngx_int_t
ngx_http_portail_confirm_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_int_t  rc;

    if (!ngx_http_portail_token_valid(r, ctx, &rc)) {
        return rc;
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: account confirmed");

    return ngx_http_portail_send_message(r, NGX_HTTP_OK,
               "Votre compte est activé. Vous pouvez maintenant vous "
               "connecter avec votre adresse e-mail et votre mot de passe.");
}


/* POST /api/mot-de-passe/oubli */

static ngx_int_t
ngx_http_portail_password_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = ngx_http_portail_champs(r);

    if (a == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_portail_email_field(r, ctx, a, champs) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    ngx_http_portail_new_token(a->token, a->token_hash, a->token_text);

    call = ngx_http_portail_request_call(r,
                 &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_FORGOTTEN], &q);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &a->login) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, a->token_hash, 32) != NGX_OK
        || ngx_http_portail_pg_param(call, a->token_text, 43) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_param_limits(r, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_forgotten_done);
}


static ngx_int_t
ngx_http_portail_forgotten_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    (void) ngx_http_portail_mail_kept(r, ctx, "forgotten password");

    return ngx_http_portail_send_message(r, NGX_HTTP_ACCEPTED,
               "Si un compte correspond à cette adresse, un e-mail vient de "
               "vous être envoyé avec un lien pour choisir un nouveau mot de "
               "passe. Le lien est valable 1 heure.");
}


/* POST /api/mot-de-passe/reinitialisation */

static ngx_int_t
ngx_http_portail_password_reset(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = ngx_http_portail_champs(r);

    if (a == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_portail_token_field(ctx, a) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_JETON_INVALIDE);
    }

    if (ngx_http_portail_password_field(r, ctx, a, champs) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    /* the link is checked before paying for a hash */

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_TOKEN_STATE],
               &q);

    if (call == NULL
        || ngx_http_portail_pg_param_binary(call, a->token_hash, 32) != NGX_OK
        || ngx_http_portail_pg_param(call, (u_char *) "reinitialisation",
                                     sizeof("reinitialisation") - 1)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_reset_checked);
}


static ngx_int_t
ngx_http_portail_reset_checked(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_int_t                 rc;
    ngx_http_portail_auth_t  *a;

    a = ctx->data;

    if (!ngx_http_portail_token_valid(r, ctx, &rc)) {
        return rc;
    }

    return ngx_http_portail_password_task(r, ctx, &a->password, NULL,
                                          ngx_http_portail_reset_hashed);
}


static ngx_int_t
ngx_http_portail_reset_hashed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     hash;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ctx->data;

    if (!ctx->pw->ok) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    hash.data = ctx->pw->hash;
    hash.len = ngx_strlen(ctx->pw->hash);

    call = ngx_http_portail_request_call(r,
                 &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_RESET], &q);

    if (call == NULL
        || ngx_http_portail_pg_param_binary(call, a->token_hash, 32) != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &hash) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_reset_done);
}


static ngx_int_t
ngx_http_portail_reset_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_int_t  rc;

    if (!ngx_http_portail_token_valid(r, ctx, &rc)) {
        return rc;
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: password reset, sessions of the account closed");

    /* this browser's session, if any, was closed with the others */
    if (ngx_http_portail_set_cookie(r, NULL, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_message(r, NGX_HTTP_OK,
               "Votre mot de passe est modifié. Vous pouvez vous connecter "
               "avec ce nouveau mot de passe.");
}


/* POST /api/identifiants/oubli */

static ngx_int_t
ngx_http_portail_identifiers_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = ngx_http_portail_champs(r);

    if (a == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_portail_identity_fields(ctx, a, champs);

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_IDENTIFIERS],
               &q);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &a->nom) != NGX_OK
        || ngx_http_portail_pg_param(call, a->reference, PORTAIL_REFERENCE_LEN)
           != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_param_limits(r, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_identifiers_done);
}


static ngx_int_t
ngx_http_portail_identifiers_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    (void) ngx_http_portail_mail_kept(r, ctx, "forgotten identifiers");

    return ngx_http_portail_send_message(r, NGX_HTTP_ACCEPTED,
               "Si ces informations correspondent à un compte, votre "
               "identifiant vient d'être envoyé à l'adresse e-mail de ce "
               "compte.");
}


/* the portail_mail_max_per_* limits, as the statements take them */

static ngx_int_t
ngx_http_portail_param_limits(ngx_http_request_t *r,
    ngx_http_portail_pg_call_t *call)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    return ngx_http_portail_pg_param(call, pmcf->mail.limits_sql.data,
                                     pmcf->mail.limits_sql.len);
}


/*
 * 1 when the statement answered "limite": the e-mail was kept back, which
 * is logged and counted, and answered as if it had gone.
 */

static ngx_uint_t
ngx_http_portail_mail_kept(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    const char *what)
{
    ngx_str_t  outcome;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &outcome) != NGX_OK
        || outcome.len != sizeof("limite") - 1
        || ngx_strncmp(outcome.data, "limite", outcome.len) != 0)
    {
        return 0;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "portail: %s: e-mail kept back by the limits", what);

    ngx_http_portail_metrics_mail_throttled();

    return 1;
}
