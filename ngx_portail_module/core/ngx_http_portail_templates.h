
/*
 * The portal's templates (ngx_http_portail_templates.c): the files of its
 * e-mails and of the wording of its PDFs, looked for in the directories of
 * portail_templates and compiled at configuration time, so that nginx -t,
 * a start and a reload read them again and refuse a broken one.  The code
 * that writes with a file registers it at its init: what the file holds
 * and which variables its texts may use.
 */


#ifndef _NGX_HTTP_PORTAIL_TEMPLATES_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_TEMPLATES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_portail_template.h"
#include "ngx_http_portail_module.h"


typedef struct {
    const char                       *file;       /* "pdf/quittance.txt" */
    const char *const                *texts;      /* its "[name]" texts, or
                                                     NULL: the file is one */
    const char *const                *variables;  /* what they may use */
    unsigned                          flags;      /* PORTAIL_TEMPLATE_LINE,
                                                     PORTAIL_TEMPLATE_FOLD */
    ngx_uint_t                        index;      /* set at registration */
} ngx_http_portail_template_file_t;


ngx_int_t ngx_http_portail_templates_register(ngx_conf_t *cf,
    ngx_http_portail_template_file_t *files, ngx_uint_t n);
ngx_int_t ngx_http_portail_templates_load(ngx_conf_t *cf);

/* the texts of a registered file, in the order of file->texts; or NULL */
portail_template_t **ngx_http_portail_templates_get(
    ngx_http_portail_main_conf_t *pmcf,
    ngx_http_portail_template_file_t *file);

/* a text rendered into pool, value() giving the values */
ngx_int_t ngx_http_portail_templates_render(ngx_pool_t *pool,
    portail_template_t *tpl, ngx_uint_t flags,
    portail_template_value_pt value, void *ctx, ngx_str_t *out);

/*
 * Every text of a registered file rendered into pool (out: one per text),
 * values[i] being the file's variables[i]: the wording of a PDF at once.
 */
ngx_int_t ngx_http_portail_templates_texts(ngx_pool_t *pool,
    ngx_http_portail_main_conf_t *pmcf,
    ngx_http_portail_template_file_t *file, ngx_str_t *values,
    ngx_str_t *out);

/* a value() whose ctx is an array of ngx_str_t, in the variables' order */
int ngx_http_portail_templates_values(void *ctx, size_t index,
    const unsigned char **data, size_t *len);


#endif /* _NGX_HTTP_PORTAIL_TEMPLATES_H_INCLUDED_ */
