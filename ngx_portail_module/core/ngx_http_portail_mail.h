
/*
 * The outbox's sender (ngx_http_portail_mail.c): each worker delivers the
 * messages PostgreSQL holds to the SMTP relay.
 */


#ifndef _NGX_HTTP_PORTAIL_MAIL_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_MAIL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


ngx_int_t ngx_http_portail_mail_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_mail_init_worker(ngx_cycle_t *cycle);


#endif /* _NGX_HTTP_PORTAIL_MAIL_H_INCLUDED_ */
