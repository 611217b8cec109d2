
/*
 * The e-mail outbox sender.
 *
 * Whoever wants a message sent inserts a row into portail.courriel in the
 * transaction of its action, so a message exists if and only if the action
 * happened.  Here, worker 0 of each nginx node claims rows (FOR UPDATE SKIP
 * LOCKED, with a lease) and hands them to the SMTP relay of portail_smtp
 * with a non-blocking client driven by nginx's events and timers.  Several
 * nodes share one outbox: a row is claimed by one of them at a time.
 *
 * A message is marked sent as soon as the relay has accepted it (250 after
 * DATA); temporary refusals and failures are retried with a growing delay,
 * permanent ones (5xx) are abandoned and kept with the reason.  The only
 * window for a duplicate is a crash of the worker between the relay's 250
 * and that mark; the Message-ID is stable across attempts, so a receiver can
 * tell.  When PostgreSQL cannot record the mark (it is down or restarting),
 * the worker keeps the message's id and records it first thing at its next
 * rounds, so a database restart sends nothing twice as long as it is back
 * within the lease (portail_mail_lease).
 *
 * Rows that name a model (modele) are rendered here with its templates,
 * courriels/<modele>.sujet, .txt and .html (docs/templates.md); every
 * message gets the office's signature (courriels/pied.txt) under its text
 * and its HTML inside courriels/cadre.html, with the office's details from
 * the configuration.
 */


#include "ngx_http_portail_core.h"


#define NGX_HTTP_PORTAIL_MAIL_BATCH       10
#define NGX_HTTP_PORTAIL_MAIL_LINE        1024


typedef enum {
    NGX_HTTP_PORTAIL_SMTP_GREETING = 0,
    NGX_HTTP_PORTAIL_SMTP_EHLO,
    NGX_HTTP_PORTAIL_SMTP_MAIL,
    NGX_HTTP_PORTAIL_SMTP_RCPT,
    NGX_HTTP_PORTAIL_SMTP_DATA,
    NGX_HTTP_PORTAIL_SMTP_BODY,
    NGX_HTTP_PORTAIL_SMTP_RSET,
    NGX_HTTP_PORTAIL_SMTP_QUIT
} ngx_http_portail_smtp_state_e;


typedef struct {
    ngx_str_t                         id;
    ngx_str_t                         to;
    ngx_str_t                         message;     /* headers and body */
    ngx_uint_t                        attempts;
} ngx_http_portail_mail_t;


/* a message the relay accepted that PostgreSQL could not yet record */
typedef struct {
    u_char                            id[NGX_INT64_LEN];
    size_t                            len;
} ngx_http_portail_unrecorded_t;


typedef struct {
    ngx_http_portail_main_conf_t     *conf;
    ngx_event_t                       timer;
    ngx_array_t                       unrecorded;
    ngx_uint_t                        recording;   /* their statement runs */
    ngx_uint_t                        reported;    /* how many were logged */
    ngx_pool_t                       *pool;        /* one per batch */
    ngx_http_portail_mail_t          *mails;
    ngx_uint_t                        nmails;
    ngx_uint_t                        current;
    ngx_peer_connection_t             peer;
    ngx_http_portail_smtp_state_e     state;
    ngx_buf_t                        *in;
    ngx_buf_t                        *out;
    ngx_str_t                         from;        /* address only */
    ngx_uint_t                        busy;
} ngx_http_portail_mailer_t;


/* the outcome of one message, on its own pool */
typedef struct {
    ngx_http_portail_mailer_t        *mailer;
    ngx_pool_t                       *pool;
    ngx_str_t                         id;
    ngx_uint_t                        sent;
} ngx_http_portail_mark_t;


/* the statement recording the unrecorded ones, on its own pool */
typedef struct {
    ngx_http_portail_mailer_t        *mailer;
    ngx_pool_t                       *pool;
    ngx_uint_t                        n;           /* the first n entries */
} ngx_http_portail_record_t;


/* a model of portail.courriel: its link, its three templates */
typedef struct {
    ngx_str_t                         name;
    const char                       *link;        /* path after the URL */
    ngx_http_portail_template_file_t  files[3];    /* subject, text, HTML */
} ngx_http_portail_model_t;


/* what the variables of a message's templates are */
typedef struct {
    const char *const                *names;       /* the template's */
    json_t                           *data;        /* the row's donnees */
    ngx_str_t                        *link;
    ngx_str_t                        *subject;
    ngx_str_t                        *content;     /* HTML, in the frame */
    ngx_http_portail_office_conf_t   *office;
} ngx_http_portail_mail_values_t;


enum {
    NGX_HTTP_PORTAIL_MAIL_CLAIM = 0,
    NGX_HTTP_PORTAIL_MAIL_SENT,
    NGX_HTTP_PORTAIL_MAIL_RETRY
};


static ngx_http_portail_stmt_t  ngx_http_portail_mail_stmts[] = {

    /*
     * a lease, not a lock held across the SMTP exchange; the rows come
     * back in the outbox's order (an UPDATE's RETURNING has none), so that
     * one batch's messages reach the tenant in the order of their events
     */
    { "courriel_reserver",
      "WITH reserves AS (UPDATE portail.courriel c"
      " SET reserve_jusqu_a = now() + $3::bigint * interval '1 millisecond',"
      " essais = c.essais + 1,"
      " message_id = coalesce(c.message_id, '<courriel.' || c.id || '.'"
      " || extract(epoch FROM c.cree_le)::bigint || '@' || $1::text || '>')"
      " WHERE c.id IN (SELECT id FROM portail.courriel"
      " WHERE envoye_le IS NULL AND abandonne_le IS NULL"
      " AND prochain_essai_le <= now()"
      " AND (reserve_jusqu_a IS NULL OR reserve_jusqu_a < now())"
      " ORDER BY prochain_essai_le, id LIMIT $2::integer"
      " FOR UPDATE SKIP LOCKED)"
      " RETURNING c.id, c.destinataire, c.sujet, c.texte, c.html, c.modele,"
      " c.donnees, c.message_id, c.essais, c.prochain_essai_le)"
      " SELECT id, destinataire, sujet, texte, html, modele, donnees,"
      " message_id, essais,"
      " to_char(now() AT TIME ZONE 'UTC',"
      " 'Dy, DD Mon YYYY HH24:MI:SS \"+0000\"')"
      " FROM reserves ORDER BY prochain_essai_le, id",
      3, 0 },

    /*
     * sent: the link's token has no business staying in the table.  One
     * message, or all those sent while PostgreSQL could not record them.
     */
    { "courriel_envoye",
      "UPDATE portail.courriel SET envoye_le = now(), reserve_jusqu_a = NULL,"
      " derniere_erreur = NULL, donnees = donnees - 'jeton'"
      " WHERE id = ANY ($1::bigint[]) AND envoye_le IS NULL",
      1, 0 },

    /* 1, 2, 4 ... minutes, at most an hour; abandoned after the maximum */
    { "courriel_reessayer",
      "UPDATE portail.courriel SET reserve_jusqu_a = NULL,"
      " derniere_erreur = left($2::text, 500),"
      " prochain_essai_le = now() + least(interval '1 hour',"
      " interval '1 minute' * power(2, greatest(essais - 1, 0))),"
      " abandonne_le = CASE WHEN $3::boolean OR essais >= $4::integer"
      " THEN now() END"
      " WHERE id = $1::bigint",
      4, 0 }
};


/* the office's details, which every template of an e-mail may use */
#define NGX_HTTP_PORTAIL_MAIL_OFFICE                                          \
    "organisme_nom", "organisme_adresse", "organisme_telephone",              \
    "organisme_email", "organisme_site", "adresse_portail"

static const char  *ngx_http_portail_mail_office[] = {
    NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

static const char  *ngx_http_portail_mail_frame[] = {
    "sujet", "contenu", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

/* the data each model's rows carry, and their link */
static const char  *ngx_http_portail_mail_prenom_nom_lien[] = {
    "prenom", "nom", "lien", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

static const char  *ngx_http_portail_mail_email_lien[] = {
    "email", "lien", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

static const char  *ngx_http_portail_mail_prenom_lien[] = {
    "prenom", "lien", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

static const char  *ngx_http_portail_mail_prenom[] = {
    "prenom", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

static const char  *ngx_http_portail_mail_prenom_identifiant_lien[] = {
    "prenom", "identifiant", "lien", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

static const char  *ngx_http_portail_mail_prenom_nom_email_lien[] = {
    "prenom", "nom", "email", "lien", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};

static const char  *ngx_http_portail_mail_prenom_email[] = {
    "prenom", "email", NGX_HTTP_PORTAIL_MAIL_OFFICE, NULL
};


enum {
    NGX_HTTP_PORTAIL_MAIL_FOOTER = 0,
    NGX_HTTP_PORTAIL_MAIL_FRAME
};

static ngx_http_portail_template_file_t  ngx_http_portail_mail_common[] = {
    { "courriels/pied.txt", NULL, ngx_http_portail_mail_office, 0, 0 },
    { "courriels/cadre.html", NULL, ngx_http_portail_mail_frame, 0, 0 }
};


enum {
    NGX_HTTP_PORTAIL_MAIL_SUBJECT = 0,
    NGX_HTTP_PORTAIL_MAIL_TEXT,
    NGX_HTTP_PORTAIL_MAIL_HTML
};

#define NGX_HTTP_PORTAIL_MODEL(name, link, vars)                              \
    { ngx_string(name), link,                                                 \
      { { "courriels/" name ".sujet", NULL, vars, PORTAIL_TEMPLATE_LINE, 0 }, \
        { "courriels/" name ".txt", NULL, vars, 0, 0 },                       \
        { "courriels/" name ".html", NULL, vars, 0, 0 } } }

static ngx_http_portail_model_t  ngx_http_portail_models[] = {

    NGX_HTTP_PORTAIL_MODEL("inscription_confirmation",
                           "/#/inscription/confirmation?jeton=",
                           ngx_http_portail_mail_prenom_nom_lien),

    NGX_HTTP_PORTAIL_MODEL("inscription_compte_existant", "/#/connexion",
                           ngx_http_portail_mail_prenom_nom_lien),

    NGX_HTTP_PORTAIL_MODEL("inscription_adresse_utilisee", "/#/connexion",
                           ngx_http_portail_mail_email_lien),

    NGX_HTTP_PORTAIL_MODEL("mot_de_passe_reinitialisation",
                           "/#/mot-de-passe/reinitialisation?jeton=",
                           ngx_http_portail_mail_prenom_lien),

    NGX_HTTP_PORTAIL_MODEL("mot_de_passe_modifie", NULL,
                           ngx_http_portail_mail_prenom),

    NGX_HTTP_PORTAIL_MODEL("identifiants_rappel", "/#/mot-de-passe/oubli",
                           ngx_http_portail_mail_prenom_identifiant_lien),

    NGX_HTTP_PORTAIL_MODEL("email_changement_confirmation",
                           "/#/dossier/email/confirmation?jeton=",
                           ngx_http_portail_mail_prenom_nom_email_lien),

    NGX_HTTP_PORTAIL_MODEL("email_changement_information", NULL,
                           ngx_http_portail_mail_prenom_email)
};


static void ngx_http_portail_mail_tick(ngx_event_t *ev);
static void ngx_http_portail_mail_claimed(ngx_http_portail_pg_query_t *q);
static ngx_int_t ngx_http_portail_mail_build(ngx_http_portail_mailer_t *m,
    ngx_http_portail_pg_query_t *q, int row, ngx_http_portail_mail_t *mail);
static ngx_int_t ngx_http_portail_mail_link(ngx_http_portail_mailer_t *m,
    ngx_http_portail_model_t *model, json_t *data, ngx_str_t *link);
static ngx_int_t ngx_http_portail_mail_render(ngx_http_portail_mailer_t *m,
    ngx_http_portail_template_file_t *file, ngx_uint_t flags,
    ngx_http_portail_mail_values_t *v, ngx_str_t *out);
static int ngx_http_portail_mail_value(void *ctx, size_t index,
    const unsigned char **data, size_t *len);
static void ngx_http_portail_smtp_connect(ngx_http_portail_mailer_t *m);
static void ngx_http_portail_smtp_read(ngx_event_t *ev);
static void ngx_http_portail_smtp_write(ngx_event_t *ev);
static void ngx_http_portail_smtp_reply(ngx_http_portail_mailer_t *m,
    ngx_uint_t code, ngx_str_t *line);
static ngx_int_t ngx_http_portail_smtp_send(ngx_http_portail_mailer_t *m,
    ngx_http_portail_smtp_state_e state, ngx_str_t *data);
static ngx_int_t ngx_http_portail_smtp_next(ngx_http_portail_mailer_t *m);
static void ngx_http_portail_smtp_fail(ngx_http_portail_mailer_t *m,
    const char *why);
static void ngx_http_portail_smtp_close(ngx_http_portail_mailer_t *m);
static void ngx_http_portail_mail_mark(ngx_http_portail_mailer_t *m,
    ngx_str_t *id, ngx_int_t sent, const char *error, ngx_uint_t permanent);
static void ngx_http_portail_mail_unrecorded(ngx_http_portail_mailer_t *m,
    ngx_str_t *id);
static void ngx_http_portail_mail_done(ngx_http_portail_mailer_t *m,
    ngx_msec_t next);
static void ngx_http_portail_mark_done(ngx_http_portail_pg_query_t *q);
static void ngx_http_portail_mail_record(ngx_http_portail_mailer_t *m);
static void ngx_http_portail_record_done(ngx_http_portail_pg_query_t *q);


static ngx_http_portail_mailer_t  *ngx_http_portail_mailer;


ngx_int_t
ngx_http_portail_mail_init(ngx_conf_t *cf)
{
    ngx_uint_t  i;

    if (ngx_http_portail_templates_register(cf, ngx_http_portail_mail_common,
                                            2)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; i < sizeof(ngx_http_portail_models)
                    / sizeof(ngx_http_portail_model_t); i++)
    {
        if (ngx_http_portail_templates_register(cf,
                                                ngx_http_portail_models[i].files,
                                                3)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return ngx_http_portail_pg_register(cf, ngx_http_portail_mail_stmts,
               sizeof(ngx_http_portail_mail_stmts)
               / sizeof(ngx_http_portail_stmt_t));
}


ngx_int_t
ngx_http_portail_mail_init_worker(ngx_cycle_t *cycle)
{
    u_char                        *p, *lt, *gt;
    ngx_http_portail_mailer_t     *m;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_portail_module);

    if (pmcf == NULL || pmcf->mail.smtp == NULL || pmcf->pool == NULL) {
        return NGX_OK;
    }

    /* one sender per node: the others serve tenants */
    if ((ngx_process != NGX_PROCESS_WORKER && ngx_process != NGX_PROCESS_SINGLE)
        || ngx_worker != 0)
    {
        return NGX_OK;
    }

    m = ngx_pcalloc(cycle->pool, sizeof(ngx_http_portail_mailer_t));
    if (m == NULL) {
        return NGX_ERROR;
    }

    m->conf = pmcf;

    if (ngx_array_init(&m->unrecorded, cycle->pool, NGX_HTTP_PORTAIL_MAIL_BATCH,
                       sizeof(ngx_http_portail_unrecorded_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* "Portail locataire <noreply@...>": the envelope wants the address */
    m->from = pmcf->mail.from;
    lt = ngx_strlchr(m->from.data, m->from.data + m->from.len, '<');

    if (lt) {
        gt = ngx_strlchr(lt, m->from.data + m->from.len, '>');
        if (gt) {
            m->from.data = lt + 1;
            m->from.len = gt - lt - 1;
        }
    }

    p = ngx_strlchr(m->from.data, m->from.data + m->from.len, '@');
    if (p == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "portail: portail_mail_from \"%V\" has no address",
                      &pmcf->mail.from);
        return NGX_ERROR;
    }

    m->timer.handler = ngx_http_portail_mail_tick;
    m->timer.data = m;
    m->timer.log = cycle->log;
    m->timer.cancelable = 1;

    ngx_add_timer(&m->timer, pmcf->mail.interval);

    ngx_http_portail_mailer = m;

    return NGX_OK;
}


static void
ngx_http_portail_mail_tick(ngx_event_t *ev)
{
    u_char                       *at;
    ngx_str_t                       domain;
    ngx_http_portail_mailer_t      *m;
    ngx_http_portail_pg_call_t     *call;
    ngx_http_portail_pg_query_t    *q;

    m = ev->data;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    /* messages sent but not yet recorded first */
    ngx_http_portail_mail_record(m);

    m->pool = ngx_create_pool(4096, ev->log);
    if (m->pool == NULL) {
        goto again;
    }

    q = ngx_http_portail_pg_query(m->pool, ev->log);
    if (q == NULL) {
        goto failed;
    }

    call = ngx_http_portail_pg_call(q,
                 &ngx_http_portail_mail_stmts[NGX_HTTP_PORTAIL_MAIL_CLAIM]);

    at = ngx_strlchr(m->from.data, m->from.data + m->from.len, '@');
    domain.data = at + 1;
    domain.len = m->from.data + m->from.len - at - 1;

    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &domain) != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, NGX_HTTP_PORTAIL_MAIL_BATCH)
           != NGX_OK
        || ngx_http_portail_pg_param_int(q, call, m->conf->mail.lease)
           != NGX_OK)
    {
        goto failed;
    }

    q->handler = ngx_http_portail_mail_claimed;
    q->data = m;
    q->standalone = 1;
    m->busy = 1;

    if (ngx_http_portail_pg_run(q) == NGX_OK) {
        return;
    }

failed:

    m->busy = 0;
    ngx_destroy_pool(m->pool);
    m->pool = NULL;

again:

    ngx_add_timer(&m->timer, m->conf->mail.interval);
}


static void
ngx_http_portail_mail_claimed(ngx_http_portail_pg_query_t *q)
{
    int                         i, n;
    ngx_http_portail_mailer_t  *m;

    m = q->data;

    if (q->rc != NGX_HTTP_PORTAIL_PG_OK) {
        /* the database is down: try again later, quietly (the pool logs) */
        ngx_http_portail_mail_done(m, m->conf->mail.interval);
        return;
    }

    n = ngx_http_portail_pg_rows(q, 0);

    if (n == 0) {
        ngx_http_portail_mail_done(m, m->conf->mail.interval);
        return;
    }

    m->mails = ngx_pcalloc(m->pool, n * sizeof(ngx_http_portail_mail_t));
    if (m->mails == NULL) {
        ngx_http_portail_mail_done(m, m->conf->mail.interval);
        return;
    }

    m->nmails = 0;

    for (i = 0; i < n; i++) {
        if (ngx_http_portail_mail_build(m, q, i, &m->mails[m->nmails])
            == NGX_OK)
        {
            m->nmails++;
        }
    }

    m->current = 0;

    if (m->nmails == 0) {
        ngx_http_portail_mail_done(m, 0);
        return;
    }

    ngx_http_portail_smtp_connect(m);
}


/* --- rendering ----------------------------------------------------------- */


static ngx_http_portail_model_t *
ngx_http_portail_mail_model(ngx_str_t *name)
{
    ngx_uint_t  i;

    for (i = 0; i < sizeof(ngx_http_portail_models)
                    / sizeof(ngx_http_portail_model_t); i++)
    {
        if (ngx_http_portail_models[i].name.len == name->len
            && ngx_strncmp(ngx_http_portail_models[i].name.data, name->data,
                           name->len)
               == 0)
        {
            return &ngx_http_portail_models[i];
        }
    }

    return NULL;
}


/* the portal's URL, the model's path and the row's token */

static ngx_int_t
ngx_http_portail_mail_link(ngx_http_portail_mailer_t *m,
    ngx_http_portail_model_t *model, json_t *data, ngx_str_t *link)
{
    json_t     *token;
    ngx_str_t   tok, *url;

    if (model->link == NULL) {
        ngx_str_null(link);
        return NGX_OK;
    }

    ngx_str_null(&tok);

    token = json_object_get(data, "jeton");

    if (json_is_string(token)) {
        tok.data = (u_char *) json_string_value(token);
        tok.len = ngx_strlen(tok.data);
    }

    url = &m->conf->office.public_url;

    link->len = url->len + ngx_strlen(model->link) + tok.len;
    link->data = ngx_pnalloc(m->pool, link->len);
    if (link->data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(link->data, "%V%s%V", url, model->link, &tok);

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_mail_render(ngx_http_portail_mailer_t *m,
    ngx_http_portail_template_file_t *file, ngx_uint_t flags,
    ngx_http_portail_mail_values_t *v, ngx_str_t *out)
{
    portail_template_t  **texts;

    texts = ngx_http_portail_templates_get(m->conf, file);
    if (texts == NULL) {
        return NGX_ERROR;
    }

    v->names = file->variables;

    return ngx_http_portail_templates_render(m->pool, texts[0], flags,
                                             ngx_http_portail_mail_value, v,
                                             out);
}


/*
 * A variable of an e-mail: the link, the subject and the HTML content (in
 * the frame), the office's details, or a string of the row's data.
 */

static int
ngx_http_portail_mail_value(void *ctx, size_t index,
    const unsigned char **data, size_t *len)
{
    ngx_http_portail_mail_values_t *v = ctx;

    json_t                          *value;
    ngx_str_t                       *s;
    const char                      *name;
    ngx_http_portail_office_conf_t  *o;

    name = v->names[index];
    o = v->office;

    if (ngx_strcmp(name, "contenu") == 0) {
        *data = v->content->data;
        *len = v->content->len;
        return PORTAIL_TEMPLATE_MARKUP;
    }

    s = (ngx_strcmp(name, "lien") == 0) ? v->link
        : (ngx_strcmp(name, "sujet") == 0) ? v->subject
        : (ngx_strcmp(name, "organisme_nom") == 0) ? &o->name
        : (ngx_strcmp(name, "organisme_adresse") == 0) ? &o->address
        : (ngx_strcmp(name, "organisme_telephone") == 0) ? &o->phone
        : (ngx_strcmp(name, "organisme_email") == 0) ? &o->email
        : (ngx_strcmp(name, "organisme_site") == 0) ? &o->website
        : (ngx_strcmp(name, "adresse_portail") == 0) ? &o->public_url
        : NULL;

    if (s) {
        *data = s->data;
        *len = s->len;
        return 0;
    }

    value = json_object_get(v->data, name);

    *data = (const unsigned char *) (json_is_string(value)
                                     ? json_string_value(value) : "");
    *len = ngx_strlen(*data);

    return 0;
}


/* base64 in lines of 76 characters, as MIME wants */

static u_char *
ngx_http_portail_base64_lines(u_char *p, ngx_str_t *src)
{
    size_t     chunk;
    ngx_str_t  in, out;

    for (in = *src; in.len; in.data += chunk, in.len -= chunk) {
        chunk = ngx_min(in.len, 57);
        out.data = p;
        ngx_encode_base64(&out, &(ngx_str_t) { chunk, in.data });
        p += out.len;
        *p++ = '\r';
        *p++ = '\n';
    }

    return p;
}


static ngx_int_t
ngx_http_portail_mail_build(ngx_http_portail_mailer_t *m,
    ngx_http_portail_pg_query_t *q, int row, ngx_http_portail_mail_t *mail)
{
    u_char                          *p;
    size_t                           len;
    json_t                          *data;
    ngx_str_t                        subject, text, html, content, model, raw,
                                     msgid, date, footer, link, attempts,
                                     enc_subject, tmp;
    ngx_http_portail_model_t        *t;
    ngx_http_portail_mail_values_t   v;

    if (ngx_http_portail_pg_value(q, 0, row, 0, &mail->id) != NGX_OK
        || ngx_http_portail_pg_value(q, 0, row, 1, &mail->to) != NGX_OK
        || ngx_http_portail_pg_value(q, 0, row, 7, &msgid) != NGX_OK
        || ngx_http_portail_pg_value(q, 0, row, 9, &date) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_portail_pg_value(q, 0, row, 8, &attempts) == NGX_OK) {
        mail->attempts = ngx_atoi(attempts.data, attempts.len);
    }

    ngx_str_null(&subject);
    ngx_str_null(&link);
    ngx_str_null(&content);
    ngx_str_null(&html);

    v.data = NULL;
    v.link = &link;
    v.subject = &subject;
    v.content = &content;
    v.office = &m->conf->office;

    if (ngx_http_portail_pg_value(q, 0, row, 5, &model) == NGX_OK) {

        t = ngx_http_portail_mail_model(&model);
        if (t == NULL) {
            ngx_log_error(NGX_LOG_ALERT, m->timer.log, 0,
                          "portail: e-mail %V names an unknown template "
                          "\"%V\", abandoned", &mail->id, &model);
            ngx_http_portail_mail_mark(m, &mail->id, 0, "modèle inconnu", 1);
            return NGX_ERROR;
        }

        data = NULL;
        if (ngx_http_portail_pg_value(q, 0, row, 6, &raw) == NGX_OK) {
            data = json_loadb((const char *) raw.data, raw.len, 0, NULL);

            if (data && ngx_http_portail_json_pool(m->pool, data) == NULL) {
                return NGX_ERROR;
            }
        }

        v.data = data;

        if (ngx_http_portail_mail_link(m, t, data, &link) != NGX_OK
            || ngx_http_portail_mail_render(m,
                          &t->files[NGX_HTTP_PORTAIL_MAIL_SUBJECT], 0, &v,
                          &subject)
               != NGX_OK
            || ngx_http_portail_mail_render(m,
                          &t->files[NGX_HTTP_PORTAIL_MAIL_TEXT],
                          PORTAIL_TEMPLATE_CRLF, &v, &text)
               != NGX_OK
            || ngx_http_portail_mail_render(m,
                          &t->files[NGX_HTTP_PORTAIL_MAIL_HTML],
                          PORTAIL_TEMPLATE_HTML, &v, &content)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else {
        if (ngx_http_portail_pg_value(q, 0, row, 2, &subject) != NGX_OK
            || ngx_http_portail_pg_value(q, 0, row, 3, &text) != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_http_portail_pg_value(q, 0, row, 4, &content) != NGX_OK) {
            ngx_str_null(&content);
        }
    }

    /* the office's signature under the text; the HTML in its frame */

    if (ngx_http_portail_mail_render(m,
                      &ngx_http_portail_mail_common[NGX_HTTP_PORTAIL_MAIL_FOOTER],
                      PORTAIL_TEMPLATE_CRLF, &v, &footer)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (content.len
        && ngx_http_portail_mail_render(m,
                      &ngx_http_portail_mail_common[NGX_HTTP_PORTAIL_MAIL_FRAME],
                      PORTAIL_TEMPLATE_HTML, &v, &html)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* Subject: =?UTF-8?B?...?= */

    enc_subject.len = ngx_base64_encoded_length(subject.len);
    enc_subject.data = ngx_pnalloc(m->pool, enc_subject.len);
    if (enc_subject.data == NULL) {
        return NGX_ERROR;
    }

    ngx_encode_base64(&enc_subject, &subject);

    /* the text, an empty line, the signature after its separator "-- " */

    tmp.len = text.len + footer.len + sizeof("\r\n\r\n-- \r\n\r\n") - 1;
    tmp.data = ngx_pnalloc(m->pool, tmp.len);
    if (tmp.data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(tmp.data, "%V\r\n\r\n-- \r\n%V\r\n", &text, &footer);

    len = 1024 + enc_subject.len + mail->to.len + m->conf->mail.from.len
          + msgid.len + date.len
          + 2 * ngx_base64_encoded_length(tmp.len)
          + 2 * ngx_base64_encoded_length(html.len);

    p = ngx_pnalloc(m->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    mail->message.data = p;

    p = ngx_sprintf(p,
                    "From: %V\r\n"
                    "To: <%V>\r\n"
                    "Subject: =?UTF-8?B?%V?=\r\n"
                    "Date: %V\r\n"
                    "Message-ID: %V\r\n"
                    "MIME-Version: 1.0\r\n"
                    "Auto-Submitted: auto-generated\r\n"
                    "Content-Type: multipart/alternative; "
                    "boundary=\"portail-%V\"\r\n"
                    "\r\n"
                    "--portail-%V\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n",
                    &m->conf->mail.from, &mail->to, &enc_subject, &date,
                    &msgid, &mail->id, &mail->id);

    p = ngx_http_portail_base64_lines(p, &tmp);

    if (html.len) {
        p = ngx_sprintf(p, "--portail-%V\r\n"
                           "Content-Type: text/html; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n",
                        &mail->id);

        p = ngx_http_portail_base64_lines(p, &html);
    }

    p = ngx_sprintf(p, "--portail-%V--\r\n", &mail->id);

    mail->message.len = p - mail->message.data;

    return NGX_OK;
}


/* --- SMTP ------------------------------------------------------------- */


static void
ngx_http_portail_smtp_connect(ngx_http_portail_mailer_t *m)
{
    ngx_int_t          rc;
    ngx_url_t         *u;
    ngx_connection_t  *c;

    u = m->conf->mail.smtp;

    ngx_memzero(&m->peer, sizeof(ngx_peer_connection_t));

    m->peer.sockaddr = u->addrs[0].sockaddr;
    m->peer.socklen = u->addrs[0].socklen;
    m->peer.name = &u->addrs[0].name;
    m->peer.get = ngx_event_get_peer;
    m->peer.log = m->timer.log;
    m->peer.log_error = NGX_ERROR_ERR;

    rc = ngx_event_connect_peer(&m->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        ngx_http_portail_smtp_fail(m, "connexion au relais SMTP impossible");
        return;
    }

    c = m->peer.connection;
    c->data = m;
    c->pool = m->pool;
    c->log = m->timer.log;
    c->read->log = c->log;
    c->write->log = c->log;
    c->read->handler = ngx_http_portail_smtp_read;
    c->write->handler = ngx_http_portail_smtp_write;

    m->in = ngx_create_temp_buf(m->pool, NGX_HTTP_PORTAIL_MAIL_LINE * 4);
    if (m->in == NULL) {
        ngx_http_portail_smtp_fail(m, "mémoire insuffisante");
        return;
    }

    m->out = NULL;
    m->state = NGX_HTTP_PORTAIL_SMTP_GREETING;

    ngx_add_timer(c->read, m->conf->mail.timeout);

    if (rc == NGX_OK && c->read->ready) {
        ngx_http_portail_smtp_read(c->read);
    }
}


static ngx_int_t
ngx_http_portail_smtp_send(ngx_http_portail_mailer_t *m,
    ngx_http_portail_smtp_state_e state, ngx_str_t *data)
{
    ngx_connection_t  *c;

    c = m->peer.connection;

    m->out = ngx_calloc_buf(m->pool);
    if (m->out == NULL) {
        return NGX_ERROR;
    }

    m->out->pos = data->data;
    m->out->last = data->data + data->len;
    m->state = state;

    ngx_add_timer(c->write, m->conf->mail.timeout);
    ngx_http_portail_smtp_write(c->write);

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_smtp_command(ngx_http_portail_mailer_t *m,
    ngx_http_portail_smtp_state_e state, const char *fmt, ngx_str_t *arg)
{
    ngx_str_t  line;

    line.data = ngx_pnalloc(m->pool, NGX_HTTP_PORTAIL_MAIL_LINE);
    if (line.data == NULL) {
        return NGX_ERROR;
    }

    line.len = ngx_snprintf(line.data, NGX_HTTP_PORTAIL_MAIL_LINE, fmt, arg)
               - line.data;

    return ngx_http_portail_smtp_send(m, state, &line);
}


static void
ngx_http_portail_smtp_write(ngx_event_t *ev)
{
    ssize_t                     n;
    ngx_connection_t           *c;
    ngx_http_portail_mailer_t  *m;

    c = ev->data;
    m = c->data;

    if (ev->timedout) {
        ngx_http_portail_smtp_fail(m, "délai dépassé en écrivant au relais");
        return;
    }

    if (m->out == NULL) {
        return;
    }

    while (m->out->pos < m->out->last) {
        n = c->send(c, m->out->pos, m->out->last - m->out->pos);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(ev, 0) != NGX_OK) {
                ngx_http_portail_smtp_fail(m, "erreur d'écriture");
            }
            return;
        }

        if (n == NGX_ERROR) {
            ngx_http_portail_smtp_fail(m, "connexion au relais perdue");
            return;
        }

        m->out->pos += n;
    }

    m->out = NULL;

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    ngx_add_timer(c->read, m->conf->mail.timeout);

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_portail_smtp_fail(m, "erreur de lecture");
    }
}


static void
ngx_http_portail_smtp_read(ngx_event_t *ev)
{
    u_char                     *p, *eol;
    ssize_t                     n;
    ngx_str_t                   line;
    ngx_uint_t                  code, eof;
    ngx_connection_t           *c;
    ngx_http_portail_mailer_t  *m;

    c = ev->data;
    m = c->data;

    if (ev->timedout) {
        ngx_http_portail_smtp_fail(m, "le relais SMTP ne répond pas");
        return;
    }

    eof = 0;

    for ( ;; ) {

        if (m->in->last == m->in->end) {
            ngx_http_portail_smtp_fail(m, "réponse du relais trop longue");
            return;
        }

        n = c->recv(c, m->in->last, m->in->end - m->in->last);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR || n == 0) {
            /* what arrived before the end is read first (221, 421...) */
            eof = 1;
            break;
        }

        m->in->last += n;
    }

    /*
     * A reply is complete with its last line, "ddd text"; the lines before
     * it are "ddd-text".
     */

    for ( ;; ) {
        eol = ngx_strlcasestrn(m->in->pos, m->in->last, (u_char *) "\r\n", 1);

        if (eol == NULL) {
            break;
        }

        p = m->in->pos;
        m->in->pos = eol + 2;

        if (eol - p < 3) {
            ngx_http_portail_smtp_fail(m, "réponse du relais invalide");
            return;
        }

        if (eol - p > 3 && p[3] == '-') {
            continue;
        }

        code = ngx_atoi(p, 3);

        if (code == (ngx_uint_t) NGX_ERROR) {
            ngx_http_portail_smtp_fail(m, "réponse du relais invalide");
            return;
        }

        line.data = p;
        line.len = eol - p;

        if (m->in->pos == m->in->last) {
            m->in->pos = m->in->start;
            m->in->last = m->in->start;
        }

        if (c->read->timer_set) {
            ngx_del_timer(c->read);
        }

        ngx_http_portail_smtp_reply(m, code, &line);
        return;
    }

    if (eof) {
        ngx_http_portail_smtp_fail(m, "connexion au relais perdue");
        return;
    }

    if (ngx_handle_read_event(ev, 0) != NGX_OK) {
        ngx_http_portail_smtp_fail(m, "erreur de lecture");
    }
}


static void
ngx_http_portail_smtp_reply(ngx_http_portail_mailer_t *m, ngx_uint_t code,
    ngx_str_t *line)
{
    u_char                   *err;
    ngx_str_t                 host, dot;
    ngx_uint_t                level;
    ngx_http_portail_mail_t  *mail;

    mail = &m->mails[m->current];

    switch (m->state) {

    case NGX_HTTP_PORTAIL_SMTP_GREETING:
        if (code != 220) {
            goto refused_session;
        }

        host = ngx_cycle->hostname;
        (void) ngx_http_portail_smtp_command(m, NGX_HTTP_PORTAIL_SMTP_EHLO,
                                             "EHLO %V\r\n", &host);
        return;

    case NGX_HTTP_PORTAIL_SMTP_EHLO:
    case NGX_HTTP_PORTAIL_SMTP_RSET:
        if (code != 250) {
            goto refused_session;
        }

        (void) ngx_http_portail_smtp_command(m, NGX_HTTP_PORTAIL_SMTP_MAIL,
                                             "MAIL FROM:<%V>\r\n", &m->from);
        return;

    case NGX_HTTP_PORTAIL_SMTP_MAIL:
        if (code != 250) {
            goto refused_message;
        }

        (void) ngx_http_portail_smtp_command(m, NGX_HTTP_PORTAIL_SMTP_RCPT,
                                             "RCPT TO:<%V>\r\n", &mail->to);
        return;

    case NGX_HTTP_PORTAIL_SMTP_RCPT:
        if (code != 250 && code != 251) {
            goto refused_message;
        }

        ngx_str_set(&dot, "DATA\r\n");
        (void) ngx_http_portail_smtp_send(m, NGX_HTTP_PORTAIL_SMTP_DATA, &dot);
        return;

    case NGX_HTTP_PORTAIL_SMTP_DATA:
        if (code != 354) {
            goto refused_message;
        }

        /*
         * The message has no line starting with a dot (base64 bodies,
         * encoded subject): no dot-stuffing needed before the final dot.
         */

        dot.len = mail->message.len + sizeof("\r\n.\r\n") - 1;
        dot.data = ngx_pnalloc(m->pool, dot.len);
        if (dot.data == NULL) {
            ngx_http_portail_smtp_fail(m, "mémoire insuffisante");
            return;
        }

        ngx_memcpy(ngx_cpymem(dot.data, mail->message.data,
                              mail->message.len),
                   "\r\n.\r\n", sizeof("\r\n.\r\n") - 1);

        (void) ngx_http_portail_smtp_send(m, NGX_HTTP_PORTAIL_SMTP_BODY, &dot);
        return;

    case NGX_HTTP_PORTAIL_SMTP_BODY:
        if (code != 250) {
            goto refused_message;
        }

        ngx_log_error(NGX_LOG_INFO, m->timer.log, 0,
                      "portail: e-mail %V sent to %V", &mail->id, &mail->to);

        ngx_http_portail_mail_mark(m, &mail->id, 1, NULL, 0);
        (void) ngx_http_portail_smtp_next(m);
        return;

    default: /* NGX_HTTP_PORTAIL_SMTP_QUIT */
        ngx_http_portail_smtp_close(m);
        ngx_http_portail_mail_done(m, 0);
        return;
    }

refused_message:

    err = ngx_pnalloc(m->pool, line->len + 1);
    if (err) {
        ngx_cpystrn(err, line->data, line->len + 1);
    }

    level = (code >= 500) ? NGX_LOG_ERR : NGX_LOG_WARN;

    ngx_log_error(level, m->timer.log, 0,
                  "portail: relay refused e-mail %V to %V: \"%V\"",
                  &mail->id, &mail->to, line);

    ngx_http_portail_mail_mark(m, &mail->id, 0,
                               err ? (char *) err : "refusé par le relais",
                               code >= 500);

    (void) ngx_http_portail_smtp_next(m);
    return;

refused_session:

    ngx_log_error(NGX_LOG_ERR, m->timer.log, 0,
                  "portail: SMTP relay refused the session: \"%V\"", line);

    ngx_http_portail_smtp_fail(m, "le relais SMTP refuse la session");
}


/* the next message on the same session, or goodbye */

static ngx_int_t
ngx_http_portail_smtp_next(ngx_http_portail_mailer_t *m)
{
    ngx_str_t  cmd;

    m->current++;

    if (m->current < m->nmails) {
        ngx_str_set(&cmd, "RSET\r\n");
        return ngx_http_portail_smtp_send(m, NGX_HTTP_PORTAIL_SMTP_RSET, &cmd);
    }

    ngx_str_set(&cmd, "QUIT\r\n");
    return ngx_http_portail_smtp_send(m, NGX_HTTP_PORTAIL_SMTP_QUIT, &cmd);
}


/* the session failed: what was not sent is retried later */

static void
ngx_http_portail_smtp_fail(ngx_http_portail_mailer_t *m, const char *why)
{
    ngx_uint_t  i;

    if (m->state == NGX_HTTP_PORTAIL_SMTP_QUIT) {
        /* everything was handed over already */
        ngx_http_portail_smtp_close(m);
        ngx_http_portail_mail_done(m, 0);
        return;
    }

    ngx_log_error(NGX_LOG_ERR, m->timer.log, 0,
                  "portail: e-mail delivery failed: %s; %ui message(s) "
                  "will be retried", why, m->nmails - m->current);

    for (i = m->current; i < m->nmails; i++) {
        ngx_http_portail_mail_mark(m, &m->mails[i].id, 0, why, 0);
    }

    ngx_http_portail_smtp_close(m);
    ngx_http_portail_mail_done(m, m->conf->mail.interval);
}


static void
ngx_http_portail_smtp_close(ngx_http_portail_mailer_t *m)
{
    if (m->peer.connection) {
        ngx_close_connection(m->peer.connection);
        m->peer.connection = NULL;
    }
}


/*
 * Records the outcome of one message, on its own pool: the batch's pool
 * may be gone before PostgreSQL answers.
 */

static void
ngx_http_portail_mail_mark(ngx_http_portail_mailer_t *m, ngx_str_t *id,
    ngx_int_t sent, const char *error, ngx_uint_t permanent)
{
    u_char                       *p;
    ngx_str_t                     err, ids;
    ngx_pool_t                   *pool;
    ngx_http_portail_mark_t      *mark;
    ngx_http_portail_pg_call_t   *call;
    ngx_http_portail_pg_query_t  *q;

    pool = ngx_create_pool(512, m->timer.log);
    if (pool == NULL) {
        goto unrecorded;
    }

    mark = ngx_palloc(pool, sizeof(ngx_http_portail_mark_t));
    q = ngx_http_portail_pg_query(pool, m->timer.log);
    if (mark == NULL || q == NULL) {
        goto failed;
    }

    mark->mailer = m;
    mark->pool = pool;
    mark->sent = sent;
    mark->id.len = id->len;
    mark->id.data = ngx_pstrdup(pool, id);
    if (mark->id.data == NULL) {
        goto failed;
    }

    if (sent) {
        /* an array of one: {id} */
        ids.len = id->len + 2;
        ids.data = ngx_pnalloc(pool, ids.len);
        if (ids.data == NULL) {
            goto failed;
        }

        p = ngx_cpymem(ids.data, "{", 1);
        p = ngx_cpymem(p, id->data, id->len);
        *p = '}';

        call = ngx_http_portail_pg_call(q,
                      &ngx_http_portail_mail_stmts[NGX_HTTP_PORTAIL_MAIL_SENT]);
        if (call == NULL
            || ngx_http_portail_pg_param_str(q, call, &ids) != NGX_OK)
        {
            goto failed;
        }

    } else {
        err.data = (u_char *) error;
        err.len = ngx_strlen(error);

        call = ngx_http_portail_pg_call(q,
                 &ngx_http_portail_mail_stmts[NGX_HTTP_PORTAIL_MAIL_RETRY]);
        if (call == NULL
            || ngx_http_portail_pg_param_str(q, call, &mark->id) != NGX_OK
            || ngx_http_portail_pg_param_str(q, call, &err) != NGX_OK
            || ngx_http_portail_pg_param(call,
                                         (u_char *) (permanent ? "t" : "f"), 1)
               != NGX_OK
            || ngx_http_portail_pg_param_int(q, call,
                                             m->conf->mail.max_attempts)
               != NGX_OK)
        {
            goto failed;
        }
    }

    q->handler = ngx_http_portail_mark_done;
    q->data = mark;
    q->standalone = 1;

    if (ngx_http_portail_pg_run(q) == NGX_OK) {
        return;
    }

failed:

    ngx_destroy_pool(pool);

unrecorded:

    if (sent) {
        ngx_http_portail_mail_unrecorded(m, id);
        return;
    }

    /* not sent: the lease expires and the message is tried again */
    ngx_log_error(NGX_LOG_ERR, m->timer.log, 0,
                  "portail: cannot record the outcome of e-mail %V",
                  id);
}


static void
ngx_http_portail_mark_done(ngx_http_portail_pg_query_t *q)
{
    ngx_http_portail_mark_t  *mark;

    mark = q->data;

    if (q->rc != NGX_HTTP_PORTAIL_PG_OK) {
        if (mark->sent) {
            ngx_http_portail_mail_unrecorded(mark->mailer, &mark->id);

        } else {
            /* the lease expires and the message is tried again */
            ngx_log_error(NGX_LOG_ERR, q->log, 0,
                          "portail: cannot record the outcome of e-mail %V; "
                          "it is tried again when its lease expires",
                          &mark->id);
        }
    }

    ngx_destroy_pool(mark->pool);
}


/*
 * The relay has the message but PostgreSQL does not know: keep its id and
 * record it at the next rounds, before claiming new messages, so that it is
 * not sent again when its lease expires.  Logged once here; the rounds that
 * fail to record it log only when their number changes.
 */

static void
ngx_http_portail_mail_unrecorded(ngx_http_portail_mailer_t *m, ngx_str_t *id)
{
    ngx_http_portail_unrecorded_t  *u;

    if (id->len > NGX_INT64_LEN) {
        return;
    }

    u = ngx_array_push(&m->unrecorded);
    if (u == NULL) {
        ngx_log_error(NGX_LOG_ERR, m->timer.log, 0,
                      "portail: e-mail %V was sent but cannot be recorded; "
                      "it may be sent again when its lease expires", id);
        return;
    }

    ngx_memcpy(u->id, id->data, id->len);
    u->len = id->len;

    ngx_log_error(NGX_LOG_WARN, m->timer.log, 0,
                  "portail: e-mail %V was sent; recording it when the "
                  "database answers again", id);
}


/*
 * One statement for all the messages kept by ngx_http_portail_mail_unrecorded:
 * while PostgreSQL stays down, a round costs one query, whatever their
 * number.  Entries kept while it runs are after the first n and stay.
 */

static void
ngx_http_portail_mail_record(ngx_http_portail_mailer_t *m)
{
    u_char                         *p;
    size_t                          len;
    ngx_str_t                       ids;
    ngx_uint_t                      i, n;
    ngx_pool_t                     *pool;
    ngx_http_portail_record_t      *rec;
    ngx_http_portail_pg_call_t     *call;
    ngx_http_portail_pg_query_t    *q;
    ngx_http_portail_unrecorded_t  *u;

    n = m->unrecorded.nelts;

    if (n == 0 || m->recording) {
        return;
    }

    u = m->unrecorded.elts;

    len = 2;
    for (i = 0; i < n; i++) {
        len += u[i].len + 1;
    }

    pool = ngx_create_pool(512 + len, m->timer.log);
    if (pool == NULL) {
        return;
    }

    rec = ngx_palloc(pool, sizeof(ngx_http_portail_record_t));
    ids.data = ngx_pnalloc(pool, len);
    q = ngx_http_portail_pg_query(pool, m->timer.log);
    if (rec == NULL || ids.data == NULL || q == NULL) {
        goto failed;
    }

    /* {12,15,31} */
    p = ngx_cpymem(ids.data, "{", 1);
    for (i = 0; i < n; i++) {
        if (i) {
            *p++ = ',';
        }
        p = ngx_cpymem(p, u[i].id, u[i].len);
    }
    *p++ = '}';
    ids.len = p - ids.data;

    call = ngx_http_portail_pg_call(q,
                      &ngx_http_portail_mail_stmts[NGX_HTTP_PORTAIL_MAIL_SENT]);
    if (call == NULL
        || ngx_http_portail_pg_param_str(q, call, &ids) != NGX_OK)
    {
        goto failed;
    }

    rec->mailer = m;
    rec->pool = pool;
    rec->n = n;

    q->handler = ngx_http_portail_record_done;
    q->data = rec;
    q->standalone = 1;

    if (ngx_http_portail_pg_run(q) == NGX_OK) {
        m->recording = 1;
        return;
    }

failed:

    ngx_destroy_pool(pool);
}


static void
ngx_http_portail_record_done(ngx_http_portail_pg_query_t *q)
{
    ngx_http_portail_record_t  *rec;
    ngx_http_portail_mailer_t  *m;

    rec = q->data;
    m = rec->mailer;
    m->recording = 0;

    if (q->rc != NGX_HTTP_PORTAIL_PG_OK) {
        if (m->reported != m->unrecorded.nelts) {
            ngx_log_error(NGX_LOG_WARN, q->log, 0,
                          "portail: %ui e-mails sent are not recorded yet; "
                          "trying again at the next rounds",
                          m->unrecorded.nelts);
            m->reported = m->unrecorded.nelts;
        }

        ngx_destroy_pool(rec->pool);
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, q->log, 0,
                  "portail: %ui e-mails sent while the database could not "
                  "record them are recorded", rec->n);

    ngx_memmove(m->unrecorded.elts,
                (ngx_http_portail_unrecorded_t *) m->unrecorded.elts + rec->n,
                (m->unrecorded.nelts - rec->n)
                * sizeof(ngx_http_portail_unrecorded_t));
    m->unrecorded.nelts -= rec->n;
    m->reported = 0;

    ngx_destroy_pool(rec->pool);
}


/* the batch is over: next one at once (there may be more) or later */

static void
ngx_http_portail_mail_done(ngx_http_portail_mailer_t *m, ngx_msec_t next)
{
    m->busy = 0;
    m->nmails = 0;
    m->mails = NULL;

    if (m->pool) {
        ngx_destroy_pool(m->pool);
        m->pool = NULL;
    }

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    ngx_add_timer(&m->timer, next ? next : 1);
}
