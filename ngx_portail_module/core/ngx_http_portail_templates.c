
/*
 * The templates of the e-mails and of the PDFs' wording, read when the
 * configuration is (nginx -t, start, reload): each registered file is
 * taken from the first directory of portail_templates that has it, so that
 * an office overrides one file by copying it into /etc/portail/templates.
 * A file missing everywhere, unreadable or not valid stops the
 * configuration with a message naming the file and the line; a file in
 * those directories that the portal does not use (a misspelt copy) is
 * reported, as it would otherwise be silently ignored.
 *
 * Compiled texts live in the configuration's pool; rendering allocates
 * from the pool of whoever renders (a request, a batch of e-mails).
 */


#include "ngx_http_portail_core.h"


/* wording, not documents: anything larger is a mistake */
#define NGX_HTTP_PORTAIL_TEMPLATE_MAX_SIZE  65536


typedef struct {
    ngx_http_portail_template_file_t  *file;
    portail_template_t               **texts;     /* NULL until read */
} ngx_http_portail_template_loaded_t;


/* a directory of the path, walked for files no one uses */
typedef struct {
    ngx_array_t                       *files;     /* the loaded ones */
    size_t                             prefix;    /* "dir/" */
} ngx_http_portail_template_walk_t;


static ngx_int_t ngx_http_portail_templates_read(ngx_conf_t *cf,
    ngx_array_t *path, ngx_http_portail_template_loaded_t *t);
static ngx_int_t ngx_http_portail_templates_file(ngx_conf_t *cf,
    ngx_fd_t fd, ngx_str_t *name, u_char **text, size_t *size);
static ngx_int_t ngx_http_portail_templates_compile(ngx_conf_t *cf,
    ngx_http_portail_template_loaded_t *t, u_char *name, u_char *text,
    size_t len);
static u_char *ngx_http_portail_templates_names(u_char *p, u_char *last,
    const char *const *names);
static ngx_int_t ngx_http_portail_templates_unused(ngx_conf_t *cf,
    ngx_array_t *files, ngx_str_t *dir);
static ngx_int_t ngx_http_portail_templates_unused_file(ngx_tree_ctx_t *ctx,
    ngx_str_t *path);
static ngx_int_t ngx_http_portail_templates_walk_noop(ngx_tree_ctx_t *ctx,
    ngx_str_t *path);
static ngx_uint_t ngx_http_portail_templates_count(
    ngx_http_portail_template_file_t *file);
static void *ngx_http_portail_templates_alloc(void *ctx, size_t size);


ngx_int_t
ngx_http_portail_templates_register(ngx_conf_t *cf,
    ngx_http_portail_template_file_t *files, ngx_uint_t n)
{
    ngx_uint_t                           i;
    ngx_http_portail_main_conf_t        *pmcf;
    ngx_http_portail_template_loaded_t  *t;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

    if (pmcf->templates.files.elts == NULL
        && ngx_array_init(&pmcf->templates.files, cf->pool, 16,
                          sizeof(ngx_http_portail_template_loaded_t))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        t = ngx_array_push(&pmcf->templates.files);
        if (t == NULL) {
            return NGX_ERROR;
        }

        files[i].index = pmcf->templates.files.nelts - 1;
        t->file = &files[i];
        t->texts = NULL;
    }

    return NGX_OK;
}


/* after every registration: postconfiguration */

ngx_int_t
ngx_http_portail_templates_load(ngx_conf_t *cf)
{
    ngx_str_t                           *dir;
    ngx_uint_t                           i;
    ngx_http_portail_main_conf_t        *pmcf;
    ngx_http_portail_template_loaded_t  *t;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portail_module);

    if (pmcf->templates.path == NULL) {
        /* nothing is written without a database: nothing to read */
        return NGX_OK;
    }

    t = pmcf->templates.files.elts;

    for (i = 0; i < pmcf->templates.files.nelts; i++) {
        if (ngx_http_portail_templates_read(cf, pmcf->templates.path, &t[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    dir = pmcf->templates.path->elts;

    for (i = 0; i < pmcf->templates.path->nelts; i++) {
        if (ngx_http_portail_templates_unused(cf, &pmcf->templates.files,
                                              &dir[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


portail_template_t **
ngx_http_portail_templates_get(ngx_http_portail_main_conf_t *pmcf,
    ngx_http_portail_template_file_t *file)
{
    ngx_http_portail_template_loaded_t  *t;

    if (file->index >= pmcf->templates.files.nelts) {
        return NULL;
    }

    t = pmcf->templates.files.elts;

    return t[file->index].texts;
}


ngx_int_t
ngx_http_portail_templates_render(ngx_pool_t *pool, portail_template_t *tpl,
    ngx_uint_t flags, portail_template_value_pt value, void *ctx,
    ngx_str_t *out)
{
    size_t  len;

    len = portail_template_render(tpl, flags, value, ctx, NULL, 0);

    if (len == (size_t) -1) {
        return NGX_ERROR;
    }

    out->data = ngx_pnalloc(pool, len ? len : 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    out->len = portail_template_render(tpl, flags, value, ctx, out->data,
                                       len);

    /* value() gives the same values twice */
    return (out->len <= len) ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_http_portail_templates_texts(ngx_pool_t *pool,
    ngx_http_portail_main_conf_t *pmcf,
    ngx_http_portail_template_file_t *file, ngx_str_t *values,
    ngx_str_t *out)
{
    ngx_uint_t            i, n;
    portail_template_t  **texts;

    texts = ngx_http_portail_templates_get(pmcf, file);
    if (texts == NULL) {
        return NGX_ERROR;
    }

    n = ngx_http_portail_templates_count(file);

    for (i = 0; i < n; i++) {
        if (ngx_http_portail_templates_render(pool, texts[i], 0,
                                              ngx_http_portail_templates_values,
                                              values, &out[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


int
ngx_http_portail_templates_values(void *ctx, size_t index,
    const unsigned char **data, size_t *len)
{
    ngx_str_t  *values = ctx;

    *data = values[index].data;
    *len = values[index].len;

    return 0;
}


/* the first directory of the path that has the file */

static ngx_int_t
ngx_http_portail_templates_read(ngx_conf_t *cf, ngx_array_t *path,
    ngx_http_portail_template_loaded_t *t)
{
    u_char      *p, *last, *text, tried[NGX_MAX_ERROR_STR];
    size_t       size;
    ngx_fd_t     fd;
    ngx_str_t   *dir, name;
    ngx_err_t    err;
    ngx_int_t    rc;
    ngx_uint_t   i;

    dir = path->elts;
    p = tried;
    last = tried + sizeof(tried);

    for (i = 0; i < path->nelts; i++) {

        name.len = dir[i].len + 1 + ngx_strlen(t->file->file);
        name.data = ngx_pnalloc(cf->temp_pool, name.len + 1);
        if (name.data == NULL) {
            return NGX_ERROR;
        }

        ngx_sprintf(name.data, "%V/%s%Z", &dir[i], t->file->file);

        fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

        if (fd == NGX_INVALID_FILE) {
            err = ngx_errno;

            if (err == NGX_ENOENT || err == NGX_ENOTDIR) {
                p = ngx_slprintf(p, last, "%s%V", i ? " nor " : "", &name);
                continue;
            }

            ngx_log_error(NGX_LOG_EMERG, cf->log, err,
                          "portail: cannot open the template %V", &name);
            return NGX_ERROR;
        }

        rc = ngx_http_portail_templates_file(cf, fd, &name, &text, &size);

        if (ngx_close_file(fd) == NGX_FILE_ERROR) {
            ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                          ngx_close_file_n " \"%V\" failed", &name);
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        if (i + 1 < path->nelts) {
            ngx_log_error(NGX_LOG_NOTICE, cf->log, 0,
                          "portail: template \"%s\" read from %V",
                          t->file->file, &name);
        }

        return ngx_http_portail_templates_compile(cf, t, name.data, text,
                                                  size);
    }

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "portail: the template \"%s\" is missing: no %*s",
                  t->file->file, p - tried, tried);

    return NGX_ERROR;
}


/* the whole of an open template file, into the configuration's temp pool */

static ngx_int_t
ngx_http_portail_templates_file(ngx_conf_t *cf, ngx_fd_t fd, ngx_str_t *name,
    u_char **text, size_t *size)
{
    size_t           len;
    ssize_t          n;
    ngx_file_info_t  fi;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "portail: " ngx_fd_info_n " \"%V\" failed", name);
        return NGX_ERROR;
    }

    if (!ngx_is_file(&fi)
        || ngx_file_size(&fi) > NGX_HTTP_PORTAIL_TEMPLATE_MAX_SIZE)
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail: the template %V is not a file of %d bytes "
                      "at most", name, NGX_HTTP_PORTAIL_TEMPLATE_MAX_SIZE);
        return NGX_ERROR;
    }

    *size = ngx_file_size(&fi);

    *text = ngx_pnalloc(cf->temp_pool, *size ? *size : 1);
    if (*text == NULL) {
        return NGX_ERROR;
    }

    for (len = 0; len < *size; len += n) {
        n = ngx_read_fd(fd, *text + len, *size - len);

        if (n == -1) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                          "portail: cannot read the template %V", name);
            return NGX_ERROR;
        }

        if (n == 0) {
            /* shortened while read */
            *size = len;
            break;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_templates_compile(ngx_conf_t *cf,
    ngx_http_portail_template_loaded_t *t, u_char *name, u_char *text,
    size_t len)
{
    int                        rc;
    u_char                    *p, *last, msg[NGX_MAX_ERROR_STR];
    ngx_uint_t                 n;
    portail_template_error_t   err;

    n = ngx_http_portail_templates_count(t->file);

    t->texts = ngx_pcalloc(cf->pool, n * sizeof(portail_template_t *));
    if (t->texts == NULL) {
        return NGX_ERROR;
    }

    if (t->file->texts) {
        rc = portail_template_parse_sections(text, len, t->file->texts,
                                             t->file->variables,
                                             t->file->flags,
                                             ngx_http_portail_templates_alloc,
                                             cf->pool, t->texts, &err);
    } else {
        rc = portail_template_parse(text, len, 1, t->file->variables,
                                    t->file->flags,
                                    ngx_http_portail_templates_alloc,
                                    cf->pool, &t->texts[0], &err);
    }

    if (rc == 0) {
        return NGX_OK;
    }

    t->texts = NULL;

    if (err.error == NULL) {
        /* out of memory: nginx said so */
        return NGX_ERROR;
    }

    /* unknown variable "{{prenon}}" in /.../x.txt:3; known: prenom, nom */

    p = msg;
    last = msg + sizeof(msg);

    p = ngx_slprintf(p, last, "%s", err.error);

    if (err.what[0]) {
        p = ngx_slprintf(p, last, " \"%s\"", err.what);
    }

    p = ngx_slprintf(p, last, " in %s", name);

    if (err.line) {
        p = ngx_slprintf(p, last, ":%ui", (ngx_uint_t) err.line);
    }

    if (err.unknown == PORTAIL_TEMPLATE_UNKNOWN_VARIABLE) {
        p = ngx_slprintf(p, last, "; the variables of this template: ");
        p = ngx_http_portail_templates_names(p, last, t->file->variables);

    } else if (err.unknown == PORTAIL_TEMPLATE_UNKNOWN_TEXT) {
        p = ngx_slprintf(p, last, "; the texts of this file: ");
        p = ngx_http_portail_templates_names(p, last, t->file->texts);
    }

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "portail: %*s", p - msg, msg);

    return NGX_ERROR;
}


static u_char *
ngx_http_portail_templates_names(u_char *p, u_char *last,
    const char *const *names)
{
    ngx_uint_t  i;

    if (names[0] == NULL) {
        return ngx_slprintf(p, last, "none");
    }

    for (i = 0; names[i]; i++) {
        p = ngx_slprintf(p, last, "%s%s", i ? ", " : "", names[i]);
    }

    return p;
}


/* the files of a directory that are none of the registered ones */

static ngx_int_t
ngx_http_portail_templates_unused(ngx_conf_t *cf, ngx_array_t *files,
    ngx_str_t *dir)
{
    ngx_str_t                          tree;
    ngx_tree_ctx_t                     ctx;
    ngx_file_info_t                    fi;
    ngx_http_portail_template_walk_t   walk;

    tree.len = dir->len;
    tree.data = ngx_pnalloc(cf->temp_pool, dir->len + 1);
    if (tree.data == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_cpystrn(tree.data, dir->data, dir->len + 1);

    if (ngx_file_info(tree.data, &fi) == NGX_FILE_ERROR || !ngx_is_dir(&fi)) {
        /* nothing there: nothing unused */
        return NGX_OK;
    }

    walk.files = files;
    walk.prefix = dir->len + 1;

    ngx_memzero(&ctx, sizeof(ngx_tree_ctx_t));

    ctx.file_handler = ngx_http_portail_templates_unused_file;
    ctx.pre_tree_handler = ngx_http_portail_templates_walk_noop;
    ctx.post_tree_handler = ngx_http_portail_templates_walk_noop;
    ctx.spec_handler = ngx_http_portail_templates_walk_noop;
    ctx.data = &walk;
    ctx.log = cf->log;

    return ngx_walk_tree(&ctx, &tree);
}


static ngx_int_t
ngx_http_portail_templates_unused_file(ngx_tree_ctx_t *ctx, ngx_str_t *path)
{
    ngx_http_portail_template_walk_t *walk = ctx->data;

    u_char                              *base;
    size_t                               len;
    ngx_uint_t                           i;
    ngx_http_portail_template_loaded_t  *t;

    base = path->data + path->len;
    while (base > path->data && base[-1] != '/') {
        base--;
    }

    if (*base == '.' || path->len <= walk->prefix) {
        /* hidden: an editor's, a version control's */
        return NGX_OK;
    }

    len = path->len - walk->prefix;
    t = walk->files->elts;

    for (i = 0; i < walk->files->nelts; i++) {
        if (ngx_strlen(t[i].file->file) == len
            && ngx_strncmp(t[i].file->file, path->data + walk->prefix, len)
               == 0)
        {
            return NGX_OK;
        }
    }

    ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                  "portail: %V is not a template of the portal, it is ignored",
                  path);

    return NGX_OK;
}


static ngx_int_t
ngx_http_portail_templates_walk_noop(ngx_tree_ctx_t *ctx, ngx_str_t *path)
{
    return NGX_OK;
}


/* the texts of a file: one unless it is divided by "[name]" lines */

static ngx_uint_t
ngx_http_portail_templates_count(ngx_http_portail_template_file_t *file)
{
    ngx_uint_t  n;

    if (file->texts == NULL) {
        return 1;
    }

    for (n = 0; file->texts[n]; n++) { /* void */ }

    return n;
}


static void *
ngx_http_portail_templates_alloc(void *ctx, size_t size)
{
    return ngx_palloc(ctx, size);
}
