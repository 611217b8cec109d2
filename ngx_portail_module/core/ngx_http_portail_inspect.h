
/*
 * The PDFs of an upload inspected before the route's handler runs
 * (ngx_http_portail_inspect.c): each by portail-pdfcheck, a process of its
 * own, from nginx's thread pool.
 */


#ifndef _NGX_HTTP_PORTAIL_INSPECT_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_INSPECT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_portail_request.h"


/* PDFs inspected per request: a handler takes NGX_HTTP_PORTAIL_MAX_FILES */
#define NGX_HTTP_PORTAIL_INSPECT_MAX      5

/* how long one inspection may take, the helper's own limits included */
#define NGX_HTTP_PORTAIL_INSPECT_TIMEOUT  15000


ngx_int_t ngx_http_portail_inspect_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_inspect_init_worker(ngx_cycle_t *cycle);
/*
 * The PDF parts of ctx->parts inspected, then next() runs: NGX_DONE (the
 * request resumes when the thread is done), NGX_OK (no PDF: call next()
 * now), or what to finalize the request with.
 */
ngx_int_t ngx_http_portail_inspect(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_handler_pt next);


#endif /* _NGX_HTTP_PORTAIL_INSPECT_H_INCLUDED_ */
