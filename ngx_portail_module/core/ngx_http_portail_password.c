
/*
 * Passwords are hashed and checked with argon2id (libsodium) in nginx's
 * thread pool: one check costs tens of milliseconds and 64 MB, which the
 * event loop must never wait for.  The threads run below the worker's
 * priority (portail_password_priority).
 */


#include "ngx_http_portail_core.h"



static void ngx_http_portail_password_thread(void *data, ngx_log_t *log);
static void ngx_http_portail_password_event(ngx_event_t *ev);


ngx_int_t
ngx_http_portail_password_init(ngx_conf_t *cf)
{
    ngx_http_portail_main_conf_t  *pmcf;

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
ngx_http_portail_password_init_worker(ngx_cycle_t *cycle)
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

    return ngx_http_portail_thread_post(r, pmcf->auth.thread_pool, task);
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

    /* the password is not needed any more */
    sodium_memzero(pw->password, pw->len);

    if (ngx_http_portail_thread_resumed(r) != NGX_OK) {
        return;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);

    rc = pw->next(r, ctx);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


void
ngx_http_portail_password_judge(ngx_http_request_t *r, ngx_str_t *password,
    ngx_str_t *names, ngx_str_t *email, portail_verdict_t *v)
{
    portail_password_context_t     pc;
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    ngx_memzero(&pc, sizeof(portail_password_context_t));

    if (names) {
        pc.names = names->data;
        pc.names_len = names->len;
    }

    if (email) {
        pc.email = email->data;
        pc.email_len = email->len;
    }

    pc.office = pmcf->office.name.data;
    pc.office_len = pmcf->office.name.len;

    portail_password_judge(password->data, password->len, &pc, v);
}


ngx_int_t
ngx_http_portail_password_refused(json_t *champs, const char *field,
    portail_verdict_t *v)
{
    if (v->n == 0) {
        return NGX_OK;
    }

    return ngx_http_portail_field_error(champs, field, v->reasons[0].message);
}


ngx_int_t
ngx_http_portail_send_verdict(ngx_http_request_t *r, portail_verdict_t *v)
{
    json_t      *body, *raisons, *raison;
    ngx_uint_t   i;

    body = ngx_http_portail_json_pool(r->pool, json_object());
    raisons = json_array();

    if (body == NULL || raisons == NULL
        || json_object_set_new(body, "acceptable", json_boolean(v->n == 0))
           != 0)
    {
        json_decref(raisons);
        return NGX_ERROR;
    }

    /* json_object_set_new() takes raisons, even when it fails */

    if (json_object_set_new(body, "raisons", raisons) != 0) {
        return NGX_ERROR;
    }

    for (i = 0; i < v->n; i++) {
        raison = json_pack("{s:s, s:s}", "code", v->reasons[i].code,
                           "message", v->reasons[i].message);

        if (raison == NULL || json_array_append_new(raisons, raison) != 0) {
            return NGX_ERROR;
        }
    }

    return ngx_http_portail_send_json_value(r, NGX_HTTP_OK, body);
}
