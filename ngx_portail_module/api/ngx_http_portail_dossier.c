
/*
 * Dossier: the tenant's own details.  Phones, professional situation and
 * consents are changed at once (and exported to the office's software);
 * the sign-in address and the password only after the current password
 * was checked, with argon2id in the thread pool, a wrong one counting as a
 * failed sign-in of the account (same throttling).
 *
 * A new address is used only once confirmed by the link sent to it; the
 * old address is told.  The request answers the same whether the new
 * address already has an account or not: only the link's owner learns it,
 * when confirming.
 */


#include "ngx_http_portail_core.h"


typedef struct {
    ngx_str_t                         email;        /* new, lower-cased */
    ngx_str_t                         password;     /* the current one */
    ngx_str_t                         new_password;
    ngx_uint_t                        change_password;
    u_char                            token[32];
    u_char                            token_hash[32];
    u_char                            token_text[44];
} ngx_http_portail_dossier_t;


enum {
    NGX_HTTP_PORTAIL_DOSSIER_READ = 0,
    NGX_HTTP_PORTAIL_DOSSIER_PATCH,
    NGX_HTTP_PORTAIL_DOSSIER_CHECK,
    NGX_HTTP_PORTAIL_DOSSIER_REFUSED,
    NGX_HTTP_PORTAIL_DOSSIER_EMAIL,
    NGX_HTTP_PORTAIL_DOSSIER_CONFIRM,
    NGX_HTTP_PORTAIL_DOSSIER_PASSWORD
};


static ngx_http_portail_stmt_t  ngx_http_portail_dossier_stmts[] = {

    { "dossier_lire",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.dossier_corps(s.compte_id)"
      " FROM portail.session_valide($1::bytea) s",
      1, 0 },

    { "dossier_modifier",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.dossier_modifier(s.compte_id, $2::jsonb, $3::inet)"
      " FROM portail.session_valide($1::bytea) s",
      3, 0 },

    /*
     * the hash to check the current password against, the throttle, and
     * the words a new password must not be made of
     */
    { "dossier_verifier",
      "SELECT s.compte_id, s.session_id, s.a_toucher, c.mot_de_passe_hash,"
      " t.attente, concat_ws(' ', p.prenom, p.nom), c.email"
      " FROM portail.session_valide($1::bytea) s"
      " JOIN portail.compte c ON c.id = s.compte_id"
      " JOIN portail.personne p ON p.id = c.personne_id"
      " CROSS JOIN LATERAL portail.connexion_preparer(c.email, $2::inet,"
      " $3::integer, $4::integer, make_interval(secs => $5::bigint)) t",
      5, 0 },

    { "dossier_mot_de_passe_refuse",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.mot_de_passe_actuel_refuse(s.compte_id, $2::inet, $3::text)"
      " FROM portail.session_valide($1::bytea) s",
      3, 0 },

    { "dossier_email_demander",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.email_changement_demander(s.compte_id, $2::text, $3::bytea,"
      " $4::text, $5::inet, $6::integer[])"
      " FROM portail.session_valide($1::bytea) s",
      6, 0 },

    { "dossier_email_confirmer",
      "SELECT portail.email_changement_confirmer($1::bytea, $2::inet)",
      2, 0 },

    { "dossier_mot_de_passe_changer",
      "SELECT s.compte_id, s.session_id, s.a_toucher,"
      " portail.mot_de_passe_changer(s.compte_id, s.session_id, $2::text,"
      " $3::inet)"
      " FROM portail.session_valide($1::bytea) s",
      3, 0 }
};



static ngx_int_t ngx_http_portail_dossier_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_patch(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_phone(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *name, json_t *modifs,
    json_t *champs);
static ngx_int_t ngx_http_portail_dossier_email(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_password(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_check(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_checked(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_verified(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_refused(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_email_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_hashed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_password_done(
    ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_confirm(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_confirm_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx);
static ngx_int_t ngx_http_portail_dossier_session(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt,
    ngx_http_portail_pg_query_t **q, ngx_http_portail_pg_call_t **call);


static ngx_http_portail_route_t  ngx_http_portail_dossier_routes[] = {

    { NGX_HTTP_GET, ngx_string("/api/dossier"),
      NGX_HTTP_PORTAIL_SESSION,
      ngx_http_portail_dossier_get },

    { NGX_HTTP_PATCH, ngx_string("/api/dossier"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_dossier_patch },

    { NGX_HTTP_POST, ngx_string("/api/dossier/email"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_dossier_email },

    /* opened from the e-mail, maybe in another browser: the link is the key */
    { NGX_HTTP_POST, ngx_string("/api/dossier/email/confirmation"),
      NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_dossier_confirm },

    { NGX_HTTP_POST, ngx_string("/api/dossier/mot-de-passe"),
      NGX_HTTP_PORTAIL_SESSION|NGX_HTTP_PORTAIL_CSRF
      |NGX_HTTP_PORTAIL_JSON_BODY,
      ngx_http_portail_dossier_password },

    { 0, ngx_null_string, 0, NULL }
};


/* personne.situation_professionnelle's CHECK */

static const char  *ngx_http_portail_situations[] = {
    "salarie", "demandeur_emploi", "retraite", "etudiant", "sans_activite",
    "independant", "autre", NULL
};


ngx_int_t
ngx_http_portail_dossier_init(ngx_conf_t *cf)
{
    if (ngx_http_portail_pg_register(cf, ngx_http_portail_dossier_stmts,
            sizeof(ngx_http_portail_dossier_stmts)
            / sizeof(ngx_http_portail_stmt_t))
        != NGX_OK
        || ngx_http_portail_add_routes(cf, ngx_http_portail_dossier_routes)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a statement whose $1 is the session, to be completed by the caller */

static ngx_int_t
ngx_http_portail_dossier_session(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_uint_t stmt,
    ngx_http_portail_pg_query_t **q, ngx_http_portail_pg_call_t **call)
{
    *call = ngx_http_portail_request_call(r,
                                     &ngx_http_portail_dossier_stmts[stmt], q);

    if (*call == NULL
        || ngx_http_portail_session_param(*q, *call, ctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* GET /api/dossier */

static ngx_int_t
ngx_http_portail_dossier_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    if (ngx_http_portail_dossier_session(r, ctx,
                                         NGX_HTTP_PORTAIL_DOSSIER_READ, &q,
                                         &call)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_tenant_read_done);
}


/*
 * A phone field of PATCH /api/dossier into modifs: E.164, or null for an
 * empty string or null (the number is cleared); absent, nothing changes.
 */

static ngx_int_t
ngx_http_portail_dossier_phone(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *name, json_t *modifs,
    json_t *champs)
{
    u_char       out[PORTAIL_PHONE_MAX];
    size_t       len, i;
    ngx_int_t    rc;
    ngx_str_t    value;
    const char  *err;

    if (json_object_get(ctx->json, name) == NULL) {
        return NGX_OK;
    }

    rc = ngx_http_portail_json_string(ctx, name, &value, 64, champs);

    if (rc == NGX_ERROR) {
        return NGX_OK;
    }

    for (i = 0; rc == NGX_OK && i < value.len && value.data[i] == ' '; i++) {
        /* void */
    }

    if (rc == NGX_DECLINED || i == value.len) {
        return json_object_set_new(modifs, name, json_null()) == 0
               ? NGX_OK : NGX_ERROR;
    }

    err = portail_check_phone(value.data, value.len, out, &len);

    if (err) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: phone number refused: %s", err);
        ngx_http_portail_field_error(champs, name, err);
        return NGX_OK;
    }

    return json_object_set_new(modifs, name,
                               json_stringn((char *) out, len)) == 0
           ? NGX_OK : NGX_ERROR;
}


/* PATCH /api/dossier: only the fields sent change */

static ngx_int_t
ngx_http_portail_dossier_patch(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    char                         *text;
    json_t                       *champs, *modifs;
    ngx_int_t                     rc;
    ngx_str_t                     value, param;
    ngx_flag_t                    flag;
    ngx_uint_t                    i;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    static const char  *consents[] = {
        "consentement_dematerialisation", "consentement_actualites", NULL
    };

    champs = ngx_http_portail_champs(r);
    modifs = ngx_http_portail_json_pool(r->pool, json_object());

    if (champs == NULL || modifs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_portail_dossier_phone(r, ctx, "telephone_fixe", modifs,
                                       champs)
        != NGX_OK
        || ngx_http_portail_dossier_phone(r, ctx, "telephone_mobile", modifs,
                                          champs)
           != NGX_OK)
    {
        goto failed;
    }

    if (json_object_get(ctx->json, "situation_professionnelle")) {
        rc = ngx_http_portail_json_string(ctx, "situation_professionnelle",
                                          &value, 64, champs);

        if (rc == NGX_DECLINED || (rc == NGX_OK && value.len == 0)) {
            json_object_set_new(modifs, "situation_professionnelle",
                                json_null());

        } else if (rc == NGX_OK) {
            for (i = 0; ngx_http_portail_situations[i]; i++) {
                if (ngx_strlen(ngx_http_portail_situations[i]) == value.len
                    && ngx_strncmp(ngx_http_portail_situations[i], value.data,
                                   value.len) == 0)
                {
                    break;
                }
            }

            if (ngx_http_portail_situations[i] == NULL) {
                ngx_http_portail_field_error(champs,
                              "situation_professionnelle",
                              "Choisissez une situation dans la liste.");

            } else {
                json_object_set_new(modifs, "situation_professionnelle",
                                    json_string(
                                        ngx_http_portail_situations[i]));
            }
        }
    }

    for (i = 0; consents[i]; i++) {
        rc = ngx_http_portail_json_bool(ctx, consents[i], &flag, champs);

        if (rc == NGX_OK) {
            json_object_set_new(modifs, consents[i], json_boolean(flag));

        } else if (rc == NGX_DECLINED
                   && json_object_get(ctx->json, consents[i]))
        {
            ngx_http_portail_field_error(champs, consents[i],
                                         "Ce champ doit valoir vrai ou "
                                         "faux.");
        }
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }

    text = json_dumps(modifs, JSON_COMPACT);

    if (text == NULL) {
        goto failed;
    }

    param.data = (u_char *) text;
    param.len = ngx_strlen(text);

    rc = ngx_http_portail_dossier_session(r, ctx,
                                          NGX_HTTP_PORTAIL_DOSSIER_PATCH, &q,
                                          &call);

    if (rc != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &param) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        free(text);
        goto failed;
    }

    free(text);

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_tenant_read_done);

failed:

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/* POST /api/dossier/email {nouvel_email, mot_de_passe} */

static ngx_int_t
ngx_http_portail_dossier_email(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                      *champs;
    ngx_int_t                    rc;
    ngx_str_t                    email;
    const char                  *err;
    ngx_http_portail_dossier_t  *d;

    d = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_dossier_t));
    champs = ngx_http_portail_champs(r);

    if (d == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = d;

    rc = ngx_http_portail_json_string(ctx, "nouvel_email", &email, 1024,
                                      champs);
    if (rc == NGX_DECLINED) {
        ngx_str_set(&email, "");
    }

    if (rc != NGX_ERROR) {
        d->email.data = ngx_pnalloc(r->pool, email.len + 1);
        if (d->email.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        err = portail_check_email(email.data, email.len, d->email.data,
                                  &d->email.len);
        if (err) {
            ngx_http_portail_field_error(champs, "nouvel_email", err);
        }
    }

    rc = ngx_http_portail_json_string(ctx, "mot_de_passe", &d->password,
                                      1024, champs);
    if (rc == NGX_DECLINED || (rc == NGX_OK && d->password.len == 0)) {
        ngx_http_portail_field_error(champs, "mot_de_passe",
                                     "Saisissez votre mot de passe actuel.");
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    return ngx_http_portail_dossier_check(r, ctx);
}


/* POST /api/dossier/mot-de-passe {mot_de_passe_actuel, nouveau_mot_de_passe} */

static ngx_int_t
ngx_http_portail_dossier_password(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                      *champs;
    ngx_int_t                    rc;
    portail_verdict_t            v;
    ngx_http_portail_dossier_t  *d;

    d = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_dossier_t));
    champs = ngx_http_portail_champs(r);

    if (d == NULL || champs == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = d;
    d->change_password = 1;

    rc = ngx_http_portail_json_string(ctx, "mot_de_passe_actuel",
                                      &d->password, 1024, champs);
    if (rc == NGX_DECLINED || (rc == NGX_OK && d->password.len == 0)) {
        ngx_http_portail_field_error(champs, "mot_de_passe_actuel",
                                     "Saisissez votre mot de passe actuel.");
    }

    rc = ngx_http_portail_json_string(ctx, "nouveau_mot_de_passe",
                                      &d->new_password,
                                      4 * PORTAIL_PASSWORD_MAX_CHARS, champs);
    if (rc == NGX_DECLINED) {
        ngx_str_set(&d->new_password, "");
    }

    /* the office's floor now, the account's words once it is read */

    if (rc != NGX_ERROR) {
        portail_password_floor(d->new_password.data, d->new_password.len, &v);

        if (v.n) {
            ngx_http_portail_password_refused(champs, "nouveau_mot_de_passe",
                                              &v);

        } else if (d->new_password.len == d->password.len
                   && ngx_strncmp(d->new_password.data, d->password.data,
                                  d->password.len) == 0)
        {
            ngx_http_portail_field_error(champs, "nouveau_mot_de_passe",
                                         "Choisissez un mot de passe "
                                         "différent de l'actuel.");
        }
    }

    if (json_object_size(champs)) {
        return ngx_http_portail_send_validation(r, champs);
    }


    return ngx_http_portail_dossier_check(r, ctx);
}


/* the account's hash and whether it must wait, before paying for argon2 */

static ngx_int_t
ngx_http_portail_dossier_check(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (ngx_http_portail_dossier_session(r, ctx,
                                         NGX_HTTP_PORTAIL_DOSSIER_CHECK, &q,
                                         &call)
        != NGX_OK
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

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_dossier_checked);
}


static ngx_int_t
ngx_http_portail_dossier_checked(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    u_char                      *hash, *p;
    json_t                      *champs;
    ngx_int_t                    wait;
    ngx_str_t                    value, names, email;
    portail_verdict_t            v;
    ngx_http_portail_dossier_t  *d;

    d = ctx->data;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    wait = 0;
    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 4, &value) == NGX_OK) {
        wait = ngx_atoi(value.data, value.len);
    }

    if (wait > 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: password check of account %L throttled, "
                      "retry in %is", ctx->account, wait);

        p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
        if (p == NULL
            || ngx_http_portail_add_header(r, "Retry-After", p,
                                           ngx_sprintf(p, "%i", wait) - p)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_TROP_DE_TENTATIVES);
    }

    if (d->change_password) {
        if (ngx_http_portail_pg_value(ctx->query, 0, 0, 5, &names) != NGX_OK) {
            ngx_str_null(&names);
        }

        if (ngx_http_portail_pg_value(ctx->query, 0, 0, 6, &email) != NGX_OK) {
            ngx_str_null(&email);
        }

        ngx_http_portail_password_judge(r, &d->new_password, &names, &email,
                                        &v);

        if (v.n) {
            champs = ngx_http_portail_champs(r);

            if (champs == NULL
                || ngx_http_portail_password_refused(champs,
                                                     "nouveau_mot_de_passe",
                                                     &v)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            return ngx_http_portail_send_validation(r, champs);
        }
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &value) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    hash = ngx_pnalloc(r->pool, value.len + 1);
    if (hash == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(hash, value.data, value.len);
    hash[value.len] = '\0';

    return ngx_http_portail_password_task(r, ctx, &d->password, hash,
                                          ngx_http_portail_dossier_verified);
}


static ngx_int_t
ngx_http_portail_dossier_verified(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_http_portail_dossier_t    *d;
    ngx_http_portail_pg_call_t    *call;
    ngx_http_portail_pg_query_t   *q;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);
    d = ctx->data;

    if (!ctx->pw->ok) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "portail: wrong current password for account %L",
                      ctx->account);

        if (ngx_http_portail_dossier_session(r, ctx,
                                             NGX_HTTP_PORTAIL_DOSSIER_REFUSED,
                                             &q, &call)
            != NGX_OK
            || ngx_http_portail_param_ip(r, q, call) != NGX_OK
            || ngx_http_portail_pg_param(call,
                   (u_char *) (d->change_password
                               ? "dossier.mot_de_passe.refus"
                               : "dossier.email.refus"),
                   d->change_password ? sizeof("dossier.mot_de_passe.refus") - 1
                                      : sizeof("dossier.email.refus") - 1)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        return ngx_http_portail_query(r, ctx, q,
                                      ngx_http_portail_dossier_refused);
    }

    if (d->change_password) {
        return ngx_http_portail_password_task(r, ctx, &d->new_password, NULL,
                                              ngx_http_portail_dossier_hashed);
    }

    ngx_http_portail_new_token(d->token, d->token_hash, d->token_text);

    if (ngx_http_portail_dossier_session(r, ctx,
                                         NGX_HTTP_PORTAIL_DOSSIER_EMAIL, &q,
                                         &call)
        != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &d->email) != NGX_OK
        || ngx_http_portail_pg_param_binary(call, d->token_hash, 32) != NGX_OK
        || ngx_http_portail_pg_param(call, d->token_text, 43) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK
        || ngx_http_portail_pg_param(call, pmcf->mail.limits_sql.data,
                                     pmcf->mail.limits_sql.len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_dossier_email_done);
}


static ngx_int_t
ngx_http_portail_dossier_refused(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t                      *champs;
    ngx_http_portail_dossier_t  *d;

    d = ctx->data;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    champs = ngx_http_portail_champs(r);
    if (champs == NULL
        || ngx_http_portail_field_error(champs,
                                        d->change_password
                                        ? "mot_de_passe_actuel"
                                        : "mot_de_passe",
                                        "Le mot de passe actuel est "
                                        "incorrect.")
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_validation(r, champs);
}


static ngx_int_t
ngx_http_portail_dossier_email_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    json_t     *champs;
    ngx_str_t   outcome;

    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 3, &outcome) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    /* over the e-mail limits: nothing changed, answered as if sent */

    if (outcome.len == sizeof("limite") - 1
        && ngx_strncmp(outcome.data, "limite", outcome.len) == 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "portail: e-mail change: e-mail kept back by the "
                      "limits");
        ngx_http_portail_metrics_mail_throttled();

        ngx_str_set(&outcome, "ok");
    }

    if (outcome.len == 2 && ngx_strncmp(outcome.data, "ok", 2) == 0) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "portail: e-mail change asked by account %L",
                      ctx->account);

        return ngx_http_portail_send_message(r, NGX_HTTP_ACCEPTED,
                   "Un lien de confirmation vient d'être envoyé à votre "
                   "nouvelle adresse e-mail : ouvrez-le pour confirmer le "
                   "changement. Il est valable 24 heures. D'ici là, votre "
                   "adresse actuelle reste celle de votre compte.");
    }

    /* "meme_adresse" */

    champs = ngx_http_portail_champs(r);
    if (champs == NULL
        || ngx_http_portail_field_error(champs, "nouvel_email",
                                        "C'est déjà l'adresse e-mail de "
                                        "votre compte.")
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_send_validation(r, champs);
}


static ngx_int_t
ngx_http_portail_dossier_hashed(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     hash;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    if (!ctx->pw->ok) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    hash.data = ctx->pw->hash;
    hash.len = ngx_strlen(ctx->pw->hash);

    if (ngx_http_portail_dossier_session(r, ctx,
                                         NGX_HTTP_PORTAIL_DOSSIER_PASSWORD,
                                         &q, &call)
        != NGX_OK
        || ngx_http_portail_pg_param_str(q, call, &hash) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_dossier_password_done);
}


static ngx_int_t
ngx_http_portail_dossier_password_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    if (ngx_http_portail_session_result(r, ctx, 0) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "portail: password changed by account %L, its other "
                  "sessions closed", ctx->account);

    return ngx_http_portail_send_message(r, NGX_HTTP_OK,
               "Votre mot de passe est modifié. Vos autres sessions "
               "ouvertes ont été fermées, et un e-mail vous le confirme.");
}


/* POST /api/dossier/email/confirmation {jeton} */

static ngx_int_t
ngx_http_portail_dossier_confirm(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t                     jeton;
    ngx_http_portail_dossier_t   *d;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    d = ngx_pcalloc(r->pool, sizeof(ngx_http_portail_dossier_t));
    if (d == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = d;

    if (ngx_http_portail_json_string(ctx, "jeton", &jeton, 64, NULL)
        != NGX_OK
        || portail_token_decode(jeton.data, jeton.len, d->token) != 0)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_JETON_INVALIDE);
    }

    crypto_hash_sha256(d->token_hash, d->token, 32);

    call = ngx_http_portail_request_call(r,
            &ngx_http_portail_dossier_stmts[NGX_HTTP_PORTAIL_DOSSIER_CONFIRM],
            &q);

    if (call == NULL
        || ngx_http_portail_pg_param_binary(call, d->token_hash, 32) != NGX_OK
        || ngx_http_portail_param_ip(r, q, call) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_portail_query(r, ctx, q,
                                  ngx_http_portail_dossier_confirm_done);
}


static ngx_int_t
ngx_http_portail_dossier_confirm_done(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx)
{
    ngx_str_t  outcome;

    if (ngx_http_portail_pg_value(ctx->query, 0, 0, 0, &outcome) != NGX_OK) {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    if (outcome.len == 2 && ngx_strncmp(outcome.data, "ok", 2) == 0) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "portail: e-mail change confirmed");

        return ngx_http_portail_send_message(r, NGX_HTTP_OK,
                   "Votre nouvelle adresse e-mail est confirmée : c'est "
                   "désormais votre identifiant de connexion.");
    }

    if (outcome.len == sizeof("adresse_utilisee") - 1
        && ngx_strncmp(outcome.data, "adresse_utilisee", outcome.len) == 0)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_ADRESSE_UTILISEE);
    }

    if (outcome.len == sizeof("jeton_expire") - 1
        && ngx_strncmp(outcome.data, "jeton_expire", outcome.len) == 0)
    {
        return ngx_http_portail_send_error(r,
                   NGX_HTTP_PORTAIL_ERR_CHANGEMENT_EMAIL_EXPIRE);
    }

    return ngx_http_portail_send_error(r, NGX_HTTP_PORTAIL_ERR_JETON_INVALIDE);
}
