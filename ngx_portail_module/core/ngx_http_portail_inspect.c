
/*
 * The PDFs of an upload, inspected before the route's handler sees them.
 *
 * Each one goes to portail-pdfcheck (pdfcheck/, with libqpdf), a process
 * started for it, that reads the file on its standard input and answers
 * one line.  A thread of nginx's pool (portail_upload_thread_pool) starts
 * the processes and waits for them, one PDF after the other: the event
 * loop goes on serving others, and the request resumes when the thread is
 * done.  The process, not the worker, holds what qpdf decodes and runs
 * whatever a hostile file makes it do, under its own limits (memory,
 * processor time, a seccomp filter); the thread gives it
 * NGX_HTTP_PORTAIL_INSPECT_TIMEOUT, then kills it.
 *
 * The verdicts go to the parts; ngx_http_portail_upload_check() turns
 * them into answers.
 */


#include "ngx_http_portail_core.h"

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>


typedef struct {
    ngx_http_portail_part_t          *part;
    u_char                           *data;
    size_t                            len;
    /* what the thread found */
    u_char                            answer[256];
    size_t                            answer_len;
    const char                       *failure;    /* what went wrong, or NULL */
    ngx_err_t                         err;
    int                               status;     /* waitpid()'s, or -1 */
    unsigned                          timed_out:1;
    unsigned                          spawned:1;
} ngx_http_portail_inspect_file_t;


typedef struct {
    ngx_http_request_t               *request;
    ngx_http_portail_handler_pt       next;
    const char                       *path;
    ngx_uint_t                        nfiles;
    ngx_http_portail_inspect_file_t   files[NGX_HTTP_PORTAIL_INSPECT_MAX];
} ngx_http_portail_inspect_task_t;


#if (NGX_THREADS)
static void ngx_http_portail_inspect_thread(void *data, ngx_log_t *log);
static void ngx_http_portail_inspect_run(const char *path,
    ngx_http_portail_inspect_file_t *f);
static ngx_int_t ngx_http_portail_inspect_wait(
    ngx_http_portail_inspect_file_t *f, int fd, short events,
    ngx_msec_t deadline);
static ngx_msec_t ngx_http_portail_inspect_now(void);
static void ngx_http_portail_inspect_event(ngx_event_t *ev);
static void ngx_http_portail_inspect_verdict(ngx_http_request_t *r,
    ngx_http_portail_inspect_task_t *t, ngx_http_portail_inspect_file_t *f);
#endif


/* the helper's words, in the order of its verdicts */

static const struct {
    ngx_str_t                         word;
    ngx_http_portail_err_e            err;
} ngx_http_portail_inspect_words[] = {
    { ngx_string("ok"), NGX_HTTP_PORTAIL_ERR_NONE },
    { ngx_string("actif"), NGX_HTTP_PORTAIL_ERR_FICHIER_CONTENU_ACTIF },
    { ngx_string("chiffre"), NGX_HTTP_PORTAIL_ERR_FICHIER_CHIFFRE },
    { ngx_string("illisible"), NGX_HTTP_PORTAIL_ERR_FICHIER_ILLISIBLE },
    { ngx_string("complexe"), NGX_HTTP_PORTAIL_ERR_FICHIER_TROP_COMPLEXE },
};


ngx_int_t
ngx_http_portail_inspect_init(ngx_conf_t *cf)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

#if (NGX_THREADS)
    if (ngx_thread_pool_add(cf, &pmcf->upload.thread_pool_name) == NULL) {
        return NGX_ERROR;
    }

    /* a portal that takes uploads: its inspector must be there */
    if (pmcf->database.conninfo.len
        && access((char *) pmcf->upload.pdf_check.data, X_OK) != 0)
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "portail: portail_upload_pdf_check \"%V\" cannot be "
                      "run: uploaded PDFs could not be inspected",
                      &pmcf->upload.pdf_check);
        return NGX_ERROR;
    }

    return NGX_OK;
#else
    if (pmcf->database.conninfo.len == 0) {
        return NGX_OK;
    }

    /* inspecting a PDF takes up to seconds: never in the event loop */
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "portail: nginx is built without thread pools "
                  "(--with-threads): uploaded PDFs cannot be inspected");
    return NGX_ERROR;
#endif
}


ngx_int_t
ngx_http_portail_inspect_init_worker(ngx_cycle_t *cycle)
{
#if (NGX_THREADS)
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_portail_module);

    pmcf->upload.thread_pool = ngx_thread_pool_get(cycle,
                                              &pmcf->upload.thread_pool_name);
    if (pmcf->upload.thread_pool == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "portail: thread pool \"%V\" not found",
                      &pmcf->upload.thread_pool_name);
        return NGX_ERROR;
    }
#endif

    return NGX_OK;
}


ngx_int_t
ngx_http_portail_inspect(ngx_http_request_t *r, ngx_http_portail_ctx_t *ctx,
    ngx_http_portail_handler_pt next)
{
#if (NGX_THREADS)
    ngx_uint_t                        i;
    ngx_thread_task_t                *task;
    ngx_http_portail_part_t          *parts;
    ngx_http_portail_inspect_file_t  *f;
    ngx_http_portail_main_conf_t     *pmcf;
    ngx_http_portail_inspect_task_t  *t;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portail_module);

    if (ctx->parts == NULL) {
        return NGX_OK;
    }

    task = NULL;
    t = NULL;
    parts = ctx->parts->elts;

    /*
     * Files over portail_upload_max_size are refused for their size; past
     * NGX_HTTP_PORTAIL_INSPECT_MAX PDFs, a handler refuses the number of
     * files, or the file as not inspected.
     */

    for (i = 0; i < ctx->parts->nelts; i++) {

        if (!parts[i].file || parts[i].data.len == 0
            || parts[i].data.len > pmcf->upload_max_size
            || portail_sniff(parts[i].data.data, parts[i].data.len) == NULL
            || ngx_strcmp(portail_sniff(parts[i].data.data, parts[i].data.len),
                          "application/pdf") != 0)
        {
            continue;
        }

        if (task == NULL) {
            task = ngx_thread_task_alloc(r->pool,
                                    sizeof(ngx_http_portail_inspect_task_t));
            if (task == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            t = task->ctx;
            t->request = r;
            t->next = next;
            t->path = (const char *) pmcf->upload.pdf_check.data;
        }

        if (t->nfiles == NGX_HTTP_PORTAIL_INSPECT_MAX) {
            break;
        }

        f = &t->files[t->nfiles++];
        f->part = &parts[i];
        f->data = parts[i].data.data;
        f->len = parts[i].data.len;
        f->status = -1;
    }

    if (task == NULL) {
        return NGX_OK;
    }

    task->handler = ngx_http_portail_inspect_thread;
    task->event.handler = ngx_http_portail_inspect_event;
    task->event.data = t;

    return ngx_http_portail_thread_post(r, pmcf->upload.thread_pool, task);
#else
    /* refused at configuration time */
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
#endif
}


#if (NGX_THREADS)

/* in a thread of the pool: system calls only, nothing of nginx */

static void
ngx_http_portail_inspect_thread(void *data, ngx_log_t *log)
{
    ngx_http_portail_inspect_task_t *t = data;

    ngx_uint_t  i;

    for (i = 0; i < t->nfiles; i++) {
        ngx_http_portail_inspect_run(t->path, &t->files[i]);
    }
}


/*
 * One file: portail-pdfcheck started with the file on a pipe to its
 * standard input and its answer on another from its standard output,
 * its standard error the worker's (nginx's error log), every other
 * descriptor of the worker closed, default signal dispositions, an empty
 * environment.
 */

static void
ngx_http_portail_inspect_run(const char *path,
    ngx_http_portail_inspect_file_t *f)
{
    int                          in[2], out[2], rc;
    char                        *argv[2], *envp[1];
    pid_t                        pid;
    size_t                       sent;
    ssize_t                      n;
    sigset_t                     signals;
    ngx_msec_t                   deadline;
    posix_spawnattr_t            attr;
    posix_spawn_file_actions_t   fa;

    in[0] = in[1] = out[0] = out[1] = -1;

    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        f->failure = "pipe2() failed";
        f->err = errno;
        goto close;
    }

    if (posix_spawn_file_actions_init(&fa) != 0) {
        f->failure = "posix_spawn_file_actions_init() failed";
        goto close;
    }

    if (posix_spawnattr_init(&attr) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        f->failure = "posix_spawnattr_init() failed";
        goto close;
    }

    sigfillset(&signals);

    rc = posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    if (rc == 0) {
        rc = posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    }
    if (rc == 0) {
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    }
    if (rc == 0) {
        rc = posix_spawnattr_setsigdefault(&attr, &signals);
    }
    if (rc == 0) {
        /* the pool's threads block every signal: the helper must not */
        sigemptyset(&signals);
        rc = posix_spawnattr_setsigmask(&attr, &signals);
    }
    if (rc == 0) {
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF
                                             |POSIX_SPAWN_SETSIGMASK);
    }

    argv[0] = (char *) path;
    argv[1] = NULL;
    envp[0] = NULL;

    if (rc == 0) {
        rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
    }

    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);

    if (rc != 0) {
        f->failure = "posix_spawn() failed";
        f->err = rc;
        goto close;
    }

    f->spawned = 1;

    close(in[0]);
    close(out[1]);
    in[0] = out[1] = -1;

    /* the file, then the answer, within the deadline */

    deadline = ngx_http_portail_inspect_now()
               + NGX_HTTP_PORTAIL_INSPECT_TIMEOUT;

    if (fcntl(in[1], F_SETFL, O_NONBLOCK) == -1) {
        f->failure = "fcntl(O_NONBLOCK) failed";
        f->err = errno;
        goto kill;
    }

    sent = 0;

    while (sent < f->len) {
        n = write(in[1], f->data + sent, f->len - sent);

        if (n > 0) {
            sent += n;
            continue;
        }

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n == -1 && errno == EPIPE) {
            /* it stopped reading: its answer says why */
            break;
        }

        if (n == -1 && errno != EAGAIN) {
            f->failure = "write() to portail-pdfcheck failed";
            f->err = errno;
            goto kill;
        }

        if (ngx_http_portail_inspect_wait(f, in[1], POLLOUT, deadline)
            != NGX_OK)
        {
            goto kill;
        }
    }

    close(in[1]);
    in[1] = -1;

    for ( ;; ) {
        if (ngx_http_portail_inspect_wait(f, out[0], POLLIN, deadline)
            != NGX_OK)
        {
            goto kill;
        }

        n = read(out[0], f->answer + f->answer_len,
                 sizeof(f->answer) - f->answer_len);

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n == -1) {
            f->failure = "read() from portail-pdfcheck failed";
            f->err = errno;
            goto kill;
        }

        if (n == 0) {
            /* it ended */
            break;
        }

        f->answer_len += n;

        if (f->answer_len == sizeof(f->answer)) {
            /* the line is longer than it can be: the rest is not read */
            goto kill;
        }
    }

    goto wait;

kill:

    /* its output is still open: it is alive, its pid still its own */
    (void) kill(pid, SIGKILL);

wait:

    /*
     * The worker's SIGCHLD handler may have collected it first (and
     * logged how it ended): then there is no status here.
     */
    while (waitpid(pid, &f->status, 0) == -1) {
        if (errno != EINTR) {
            f->status = -1;
            break;
        }
    }

close:

    if (in[0] != -1) {
        close(in[0]);
    }

    if (in[1] != -1) {
        close(in[1]);
    }

    if (out[0] != -1) {
        close(out[0]);
    }

    if (out[1] != -1) {
        close(out[1]);
    }
}


/*
 * Until fd is ready, within the deadline: NGX_OK, or NGX_ERROR with what
 * went wrong (the deadline passed, poll() failed) in f.
 */

static ngx_int_t
ngx_http_portail_inspect_wait(ngx_http_portail_inspect_file_t *f, int fd,
    short events, ngx_msec_t deadline)
{
    int            rc;
    ngx_msec_t     now;
    struct pollfd  pfd;

    for ( ;; ) {
        now = ngx_http_portail_inspect_now();

        if ((ngx_msec_int_t) (deadline - now) <= 0) {
            f->timed_out = 1;
            return NGX_ERROR;
        }

        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;

        rc = poll(&pfd, 1, (int) (deadline - now));

        if (rc > 0) {
            return NGX_OK;
        }

        if (rc == -1 && errno != EINTR) {
            f->failure = "poll() failed";
            f->err = errno;
            return NGX_ERROR;
        }
    }
}


/* nginx's clock is the event loop's: the thread reads the system's */

static ngx_msec_t
ngx_http_portail_inspect_now(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (ngx_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void
ngx_http_portail_inspect_event(ngx_event_t *ev)
{
    ngx_int_t                         rc;
    ngx_uint_t                        i;
    ngx_connection_t                 *c;
    ngx_http_request_t               *r;
    ngx_http_portail_ctx_t           *ctx;
    ngx_http_portail_inspect_task_t  *t;

    t = ev->data;
    r = t->request;
    c = r->connection;

    if (ngx_http_portail_thread_resumed(r) != NGX_OK) {
        return;
    }

    rc = NGX_OK;

    for (i = 0; i < t->nfiles; i++) {
        ngx_http_portail_inspect_verdict(r, t, &t->files[i]);

        if (!t->files[i].spawned) {
            /* the worker's problem, not the file's */
            rc = NGX_ERROR;
        }
    }

    if (rc == NGX_OK) {
        ctx = ngx_http_get_module_ctx(r, ngx_http_portail_module);
        rc = t->next(r, ctx);

    } else {
        rc = ngx_http_portail_send_error(r,
                                         NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* the answer of one file, on its part; what went wrong, in the log */

static void
ngx_http_portail_inspect_verdict(ngx_http_request_t *r,
    ngx_http_portail_inspect_task_t *t, ngx_http_portail_inspect_file_t *f)
{
    u_char                   *p, *end;
    ngx_str_t                 word, why;
    ngx_uint_t                i;
    ngx_http_portail_part_t  *part;

    part = f->part;
    part->pdf_checked = 1;
    part->pdf_err = NGX_HTTP_PORTAIL_ERR_FICHIER_ILLISIBLE;

    if (f->failure) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, f->err,
                      "portail: upload \"%V\": %s, portail_upload_pdf_check "
                      "\"%s\"", &part->filename, f->failure, t->path);
        return;
    }

    if (f->timed_out) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "portail: upload \"%V\": portail-pdfcheck killed "
                      "after %d ms", &part->filename,
                      NGX_HTTP_PORTAIL_INSPECT_TIMEOUT);
        part->pdf_err = NGX_HTTP_PORTAIL_ERR_FICHIER_TROP_COMPLEXE;
        ngx_str_set(&part->pdf_why, "délai dépassé");
        return;
    }

    /* "<word> <why>\n" */

    end = ngx_strlchr(f->answer, f->answer + f->answer_len, '\n');

    if (end == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "portail: upload \"%V\": portail-pdfcheck gave no "
                      "verdict (status %d, %uz bytes of answer)",
                      &part->filename, f->status, f->answer_len);
        ngx_str_set(&part->pdf_why, "pas de verdict");
        return;
    }

    p = ngx_strlchr(f->answer, end, ' ');

    word.data = f->answer;
    word.len = (p ? p : end) - f->answer;

    why.data = p ? p + 1 : end;
    why.len = end - why.data;

    part->pdf_why.data = ngx_pnalloc(r->pool, why.len);
    if (part->pdf_why.data) {
        part->pdf_why.len = why.len;
        ngx_memcpy(part->pdf_why.data, why.data, why.len);
    }

    for (i = 0; i < sizeof(ngx_http_portail_inspect_words)
                    / sizeof(ngx_http_portail_inspect_words[0]); i++)
    {
        if (word.len == ngx_http_portail_inspect_words[i].word.len
            && ngx_strncmp(word.data, ngx_http_portail_inspect_words[i].word.data,
                           word.len) == 0)
        {
            part->pdf_err = ngx_http_portail_inspect_words[i].err;

            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "portail: upload \"%V\": PDF inspected: %V",
                          &part->filename, &word);
            return;
        }
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "portail: upload \"%V\": portail-pdfcheck answered "
                  "\"%V\"", &part->filename, &word);
}

#endif
