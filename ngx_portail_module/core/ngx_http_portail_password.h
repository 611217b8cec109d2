
/*
 * Passwords hashed and checked in nginx's thread pool, new ones judged
 * (ngx_http_portail_password.c).
 */


#ifndef _NGX_HTTP_PORTAIL_PASSWORD_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_PASSWORD_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <sodium.h>
#include "ngx_http_portail_request.h"


/* a password hashed or checked in the thread pool (password_task) */

struct ngx_http_portail_pw_s {
    ngx_http_request_t               *request;
    ngx_http_portail_handler_pt       next;
    u_char                           *password;
    size_t                            len;
    u_char                            hash[crypto_pwhash_STRBYTES];
    unsigned long long                opslimit;
    size_t                            memlimit;
    ngx_uint_t                        lower;      /* to nice, or as it is */
    int                               nice;
    ngx_uint_t                        verify;
    ngx_int_t                         ok;
};


ngx_int_t ngx_http_portail_password_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_password_init_worker(ngx_cycle_t *cycle);
/* hashes (hash NULL) or checks a password in the thread pool; next() then
 * finds the outcome in ctx->pw */
ngx_int_t ngx_http_portail_password_task(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_str_t *password, u_char *hash,
    ngx_http_portail_handler_pt next);

/*
 * A new password judged (lib/ngx_http_portail_strength.c) with the
 * account's names and address, either possibly NULL, and the office's name;
 * every path that sets a password and POST /api/mot-de-passe/evaluation
 * call it, so that they say the same.
 */
void ngx_http_portail_password_judge(ngx_http_request_t *r,
    ngx_str_t *password, ngx_str_t *names, ngx_str_t *email,
    portail_verdict_t *v);
/* a refused password: the first reason next to the field */
ngx_int_t ngx_http_portail_password_refused(json_t *champs,
    const char *field, portail_verdict_t *v);
/* 200 {"acceptable": bool, "raisons": [{"code", "message"}...]} */
ngx_int_t ngx_http_portail_send_verdict(ngx_http_request_t *r,
    portail_verdict_t *v);


#endif /* _NGX_HTTP_PORTAIL_PASSWORD_H_INCLUDED_ */
