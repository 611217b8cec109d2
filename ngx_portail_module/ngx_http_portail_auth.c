
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
 */


#include "ngx_http_portail.h"


typedef struct {
    ngx_str_t                         login;       /* lower-cased e-mail */
    ngx_str_t                         password;
    ngx_str_t                         nom;
    ngx_str_t                         account;     /* id as text, or empty */
    ngx_flag_t                        remember;
    ngx_uint_t                        confirmed;
    ngx_uint_t                        throttled;
    /* NUL-terminated: libpq reads text parameters up to their NUL */
    u_char                            reference[PORTAIL_REFERENCE_LEN + 1];
    u_char                            token[32];
    u_char                            token_hash[32];
    u_char                            token_text[44];
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


static ngx_http_portail_error_t  ngx_http_portail_auth_errors[] = {

    { "identifiants_invalides", NGX_HTTP_UNAUTHORIZED,
      "Identifiant ou mot de passe incorrect." },

    { "compte_non_confirme", NGX_HTTP_FORBIDDEN,
      "Votre compte n'est pas encore activé : cliquez sur le lien de "
      "confirmation reçu par e-mail. Sans e-mail après 24 heures, "
      "inscrivez-vous à nouveau." },

    { "trop_de_tentatives", 429,
      "Trop de tentatives de connexion. Patientez quelques minutes avant "
      "de réessayer, ou utilisez « Mot de passe oublié ? »." },

    { "identite_non_reconnue", 422,
      "Le nom et la référence client ne correspondent à aucun signataire : "
      "vérifiez-les sur votre avis d'échéance." },

    { "identite_ambigue", 422,
      "Plusieurs signataires portent ce nom : indiquez votre prénom et "
      "votre nom." },

    { "jeton_invalide", NGX_HTTP_BAD_REQUEST,
      "Ce lien n'est pas valide ou a déjà été utilisé." },

    { "jeton_expire", 410,
      "Ce lien a expiré. Pour une inscription, inscrivez-vous à nouveau "
      "avec les mêmes informations : un nouveau lien vous sera envoyé. "
      "Pour un mot de passe, refaites « Mot de passe oublié ? »." },

    { NULL, 0, NULL }
};


static ngx_http_portail_stmt_t  ngx_http_portail_auth_stmts[] = {

    { "connexion_preparer",
      "SELECT compte_id, mot_de_passe_hash, confirme, attente"
      " FROM portail.connexion_preparer($1::text, $2::inet, $3::integer,"
      " $4::integer, make_interval(secs => $5::bigint))",
      5, 0 },

    { "connexion_conclure",
      "SELECT portail.connexion_conclure($1::text, $2::bigint, $3::inet,"
      " $4::text, $5::text, $6::bytea, make_interval(secs => $7::bigint),"
      " make_interval(secs => $8::bigint), $9::boolean)",
      9, 0 },

    { "inscrire",
      "SELECT portail.inscrire($1::text, $2::text, $3::text, $4::text,"
      " $5::bytea, $6::text, $7::inet)",
      7, 0 },

    { "confirmer_inscription",
      "SELECT portail.confirmer_inscription($1::bytea, $2::inet)",
      2, 0 },

    { "mot_de_passe_oubli",
      "SELECT portail.mot_de_passe_oubli($1::text, $2::bytea, $3::text,"
      " $4::inet)",
      4, 0 },

    { "jeton_etat",
      "SELECT portail.jeton_etat($1::bytea, $2::text)",
      2, 0 },

    { "reinitialiser_mot_de_passe",
      "SELECT portail.reinitialiser_mot_de_passe($1::bytea, $2::text,"
      " $3::inet)",
      3, 0 },

    { "identifiants_oubli",
      "SELECT portail.identifiants_oubli($1::text, $2::text, $3::inet)",
      3, 0 }
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
static void ngx_http_portail_password_thread(void *data, ngx_log_t *log);
static void ngx_http_portail_password_event(ngx_event_t *ev);
static ngx_http_portail_auth_t *ngx_http_portail_auth_ctx(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_token_field(ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_auth_t *a);


static void
ngx_http_portail_validate_cleanup(void *data)
{
    portail_validate_release();
}


ngx_int_t
ngx_http_portail_auth_init(ngx_conf_t *cf)
{
    ngx_pool_cleanup_t            *cln;
    ngx_http_portail_main_conf_t  *pmcf;

    if (ngx_http_portail_pg_register(cf, ngx_http_portail_auth_stmts,
            sizeof(ngx_http_portail_auth_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_auth_routes)
           != NGX_OK
        || ngx_http_portail_add_errors(cf, ngx_http_portail_auth_errors)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (portail_validate_init() != 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail: cannot initialise libsodium or PCRE2");
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->cycle->pool, 0);
    if (cln == NULL) {
        portail_validate_release();
        return NGX_ERROR;
    }

    cln->handler = ngx_http_portail_validate_cleanup;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

#if (NGX_THREADS)
    if (ngx_thread_pool_add(cf, &pmcf->auth.thread_pool_name) == NULL) {
        return NGX_ERROR;
    }
#endif

    /*
     * A hash of a random password with the same cost as real ones: unknown
     * identifiers are checked against it, as long as known ones.  Made once
     * here, in the master, and inherited by the workers.
     */

    if (pmcf->database.conninfo.len) {
        u_char  random[32];

        randombytes_buf(random, sizeof(random));

        if (crypto_pwhash_str((char *) pmcf->auth.dummy_hash,
                              (const char *) random, sizeof(random),
                              pmcf->auth.opslimit, pmcf->auth.memlimit)
            != 0)
        {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "portail: cannot hash a password with "
                          "portail_password_memlimit %uz",
                          pmcf->auth.memlimit);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_portail_auth_init_worker(ngx_cycle_t *cycle)
{
#if (NGX_THREADS)
    int                            base;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_portail_module);

    /*
     * The hashing threads run at the worker's priority (worker_priority)
     * lowered by portail_password_priority: on a busy core, the pages
     * tenants are reading come before a sign-in's 64 MiB of argon2id.
     */
    if (pmcf->auth.priority > 0) {
        errno = 0;
        base = getpriority(PRIO_PROCESS, 0);

        if (base == -1 && errno != 0) {
            ngx_log_error(NGX_LOG_WARN, cycle->log, ngx_errno,
                          "portail: getpriority() failed, passwords are "
                          "hashed at the worker's priority");

        } else {
            pmcf->auth.thread_nice = ngx_min(base + (int) pmcf->auth.priority,
                                             19);
            pmcf->auth.lower = 1;
        }
    }

    pmcf->auth.thread_pool = ngx_thread_pool_get(cycle,
                                                 &pmcf->auth.thread_pool_name);
    if (pmcf->auth.thread_pool == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "portail: thread pool \"%V\" not found",
                      &pmcf->auth.thread_pool_name);
        return NGX_ERROR;
    }
#endif

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

ngx_int_t
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
    champs = json_object();

    if (a == NULL || champs == NULL) {
        json_decref(champs);
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

    json_decref(champs);

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
        || ngx_http_portail_pg_param_int(q, call, pmcf->auth.window) != NGX_OK)
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

    if (wait > 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: sign-in throttled for \"%V\", retry in %is",
                      &a->login, wait);

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
        return ngx_http_portail_send_error(r, "trop_de_tentatives");
    }

    ngx_http_portail_metrics_signin(NGX_HTTP_PORTAIL_SIGNIN_FAILED);

    if (a->account.len && ctx->pw && ctx->pw->ok && !a->confirmed) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "portail: sign-in refused for \"%V\": account not "
                      "confirmed", &a->login);
        return ngx_http_portail_send_error(r, "compte_non_confirme");
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: sign-in failed for \"%V\": %s", &a->login,
                  a->account.len ? "wrong password" : "unknown identifier");

    return ngx_http_portail_send_error(r, "identifiants_invalides");
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
        return ngx_http_portail_send_error(r, "erreur_interne");
    }

    ngx_http_portail_metrics_signin(NGX_HTTP_PORTAIL_SIGNIN_OK);

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: sign-in ok for \"%V\" (account %V)%s",
                  &a->login, &a->account,
                  a->remember ? ", remembered" : "");

    ctx->account = ngx_atoof(a->account.data, a->account.len);
    ngx_memcpy(ctx->token, a->token, 32);
    ctx->has_token = 1;

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


static ngx_int_t
ngx_http_portail_password_field(ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_auth_t *a, json_t *champs)
{
    ngx_int_t    rc;
    const char  *err;

    rc = ngx_http_portail_json_string(ctx, "mot_de_passe", &a->password,
                                      4 * PORTAIL_PASSWORD_MAX_CHARS, champs);
    if (rc == NGX_DECLINED) {
        ngx_str_set(&a->password, "");
    }

    if (rc == NGX_ERROR) {
        return NGX_OK;
    }

    err = portail_check_password(a->password.data, a->password.len);
    if (err) {
        ngx_http_portail_field_error(champs, "mot_de_passe", err);
    }

    return NGX_OK;
}


/* POST /api/inscription */

ngx_int_t
ngx_http_portail_register(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx)
{
    json_t                   *champs;
    ngx_http_portail_auth_t  *a;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = json_object();

    if (a == NULL || champs == NULL) {
        json_decref(champs);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_portail_identity_fields(ctx, a, champs);

    if (ngx_http_portail_email_field(r, ctx, a, champs) != NGX_OK
        || ngx_http_portail_password_field(ctx, a, champs) != NGX_OK)
    {
        json_decref(champs);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }

    json_decref(champs);

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
        return ngx_http_portail_send_error(r, "erreur_interne");
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
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
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
        return ngx_http_portail_send_error(r, "erreur_interne");
    }

    if (outcome.len == 2 && ngx_strncmp(outcome.data, "ok", 2) == 0) {
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

    champs = json_object();
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

        return ngx_http_portail_send_error_details(r, "identite_ambigue",
                                        json_pack("{s:o}", "champs", champs));
    }

    ngx_http_portail_field_error(champs, "nom",
                  "Le nom et la référence client ne correspondent à aucun "
                  "signataire : vérifiez-les sur votre avis d'échéance.");
    ngx_http_portail_field_error(champs, "reference_client",
                  "Le nom et la référence client ne correspondent à aucun "
                  "signataire : vérifiez-les sur votre avis d'échéance.");

    return ngx_http_portail_send_error_details(r, "identite_non_reconnue",
                                        json_pack("{s:o}", "champs", champs));
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

ngx_int_t
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
        return ngx_http_portail_send_error(r, "jeton_invalide");
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
        *rc = ngx_http_portail_send_error(r, "erreur_interne");
        return 0;
    }

    if (outcome.len == 2 && ngx_strncmp(outcome.data, "ok", 2) == 0) {
        return 1;
    }

    if (outcome.len == sizeof("jeton_expire") - 1
        && ngx_strncmp(outcome.data, "jeton_expire", outcome.len) == 0)
    {
        *rc = ngx_http_portail_send_error(r, "jeton_expire");
        return 0;
    }

    *rc = ngx_http_portail_send_error(r, "jeton_invalide");
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

ngx_int_t
ngx_http_portail_password_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = json_object();

    if (a == NULL || champs == NULL) {
        json_decref(champs);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_portail_email_field(r, ctx, a, champs) != NGX_OK) {
        json_decref(champs);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }

    json_decref(champs);

    ngx_http_portail_new_token(a->token, a->token_hash, a->token_text);

    call = ngx_http_portail_request_call(r,
                 &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_FORGOTTEN], &q);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &a->login) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, a->token_hash, 32) != NGX_OK
        || ngx_http_portail_pg_param(call, a->token_text, 43) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q, ngx_http_portail_forgotten_done);
}


static ngx_int_t
ngx_http_portail_forgotten_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    return ngx_http_portail_send_message(r, NGX_HTTP_ACCEPTED,
               "Si un compte correspond à cette adresse, un e-mail vient de "
               "vous être envoyé avec un lien pour choisir un nouveau mot de "
               "passe. Le lien est valable 1 heure.");
}


/* POST /api/mot-de-passe/reinitialisation */

ngx_int_t
ngx_http_portail_password_reset(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = json_object();

    if (a == NULL || champs == NULL) {
        json_decref(champs);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_portail_token_field(ctx, a) != NGX_OK) {
        json_decref(champs);
        return ngx_http_portail_send_error(r, "jeton_invalide");
    }

    if (ngx_http_portail_password_field(ctx, a, champs) != NGX_OK) {
        json_decref(champs);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }

    json_decref(champs);

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
        return ngx_http_portail_send_error(r, "erreur_interne");
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

ngx_int_t
ngx_http_portail_identifiers_forgotten(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                       *champs;
    ngx_http_portail_auth_t      *a;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    a = ngx_http_portail_auth_ctx(r, ctx);
    champs = json_object();

    if (a == NULL || champs == NULL) {
        json_decref(champs);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_portail_identity_fields(ctx, a, champs);

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }

    json_decref(champs);

    call = ngx_http_portail_request_call(r,
               &ngx_http_portail_auth_stmts[NGX_HTTP_PORTAIL_IDENTIFIERS],
               &q);

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &a->nom) != NGX_OK
        || ngx_http_portail_pg_param(call, a->reference, PORTAIL_REFERENCE_LEN)
           != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
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
    return ngx_http_portail_send_message(r, NGX_HTTP_ACCEPTED,
               "Si ces informations correspondent à un compte, votre "
               "identifiant vient d'être envoyé à l'adresse e-mail de ce "
               "compte.");
}


ngx_int_t
ngx_http_portail_send_message(ngx_http_request_t *r, ngx_uint_t status,
    const char *message)
{
    json_t     *body;
    ngx_int_t   rc;

    body = json_pack("{s:s}", "message", message);
    if (body == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_portail_send_json_value(r, status, body);
    json_decref(body);

    return rc;
}


/*
 * Hashes (hash == NULL) or checks a password in the thread pool, then runs
 * next().  The request is kept (count) and may not be freed while the
 * thread works (blocked), even if its client leaves.
 */

ngx_int_t
ngx_http_portail_password_task(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *password, u_char *hash,
    ngx_http_portail_handler_pt next)
{
    ngx_http_portail_pw_t         *pw;
    ngx_http_portail_main_conf_t  *pmcf;
#if (NGX_THREADS)
    ngx_thread_task_t             *task;
#endif

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

#if (NGX_THREADS)
    task = ngx_thread_task_alloc(r->pool, sizeof(ngx_http_portail_pw_t));
    if (task == NULL) {
        return NGX_ERROR;
    }

    pw = task->ctx;
#else
    pw = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_pw_t));
    if (pw == NULL) {
        return NGX_ERROR;
    }
#endif

    pw->request = r;
    pw->next = next;
    pw->password = password->data;
    pw->len = password->len;
    pw->opslimit = pmcf->auth.opslimit;
    pw->memlimit = pmcf->auth.memlimit;
#if (NGX_THREADS)
    /* without threads the hash is made in the worker: never lowered */
    pw->lower = pmcf->auth.lower;
    pw->nice = pmcf->auth.thread_nice;
#endif

    if (hash) {
        pw->verify = 1;
        ngx_cpystrn(pw->hash, hash, sizeof(pw->hash));
    }

    ctx->pw = pw;

#if (NGX_THREADS)
    task->handler = ngx_http_portail_password_thread;
    task->event.handler = ngx_http_portail_password_event;
    task->event.data = pw;

    if (ngx_thread_task_post(pmcf->auth.thread_pool, task) != NGX_OK) {
        return ngx_http_portail_send_error(r, "service_surcharge");
    }

    r->main->blocked++;
    r->aio = 1;
    r->main->count++;

    return NGX_DONE;
#else
    ngx_http_portail_password_thread(pw, r->connection->log);
    return next(r, ctx);
#endif
}


/* in a thread of the pool: libsodium only, nothing of nginx */

static void
ngx_http_portail_password_thread(void *data, ngx_log_t *log)
{
    ngx_http_portail_pw_t *pw = data;

#if (NGX_THREADS && NGX_LINUX)
    /*
     * On Linux a priority belongs to a thread: this one only.  Lowering it
     * needs no privilege; were it refused, the hash is made all the same.
     * Set at each task (a system call beside half a second of hashing)
     * rather than once per thread, which nginx's thread pool has no hook
     * for.
     */
    if (pw->lower) {
        (void) setpriority(PRIO_PROCESS, (id_t) ngx_thread_tid(), pw->nice);
    }
#endif

    if (pw->verify) {
        pw->ok = (crypto_pwhash_str_verify((char *) pw->hash,
                                           (const char *) pw->password,
                                           pw->len)
                  == 0);

    } else {
        pw->ok = (crypto_pwhash_str((char *) pw->hash,
                                    (const char *) pw->password, pw->len,
                                    pw->opslimit, pw->memlimit)
                  == 0);
    }
}


static void
ngx_http_portail_password_event(ngx_event_t *ev)
{
    ngx_int_t                rc;
    ngx_connection_t        *c;
    ngx_http_request_t      *r;
    ngx_http_portail_pw_t   *pw;
    ngx_http_portail_ctx_t  *ctx;

    pw = ev->data;
    r = pw->request;
    c = r->connection;

    r->main->blocked--;
    r->aio = 0;

    /* the password is not needed any more */
    sodium_memzero(pw->password, pw->len);

    if (c->error) {
        /* the client left while the thread worked */
        ngx_http_finalize_request(r, NGX_HTTP_CLIENT_CLOSED_REQUEST);
        ngx_http_run_posted_requests(c);
        return;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    rc = pw->next(r, ctx);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}
