
/*
 * Counters in shared memory and their Prometheus page
 * (ngx_http_portail_metrics.c).
 */


#ifndef _NGX_HTTP_PORTAIL_METRICS_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_portail_pg.h"
#include "ngx_http_portail_request.h"


ngx_int_t ngx_http_portail_metrics_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_metrics_sections(ngx_conf_t *cf,
    ngx_http_portail_route_t *routes);
ngx_http_portail_pg_stats_t *ngx_http_portail_metrics_pool_slot(void);
ngx_http_portail_standby_stats_t *ngx_http_portail_metrics_standby_slot(void);
void ngx_http_portail_metrics_signin(ngx_uint_t outcome);
void ngx_http_portail_metrics_card_duplicate(void);
void ngx_http_portail_metrics_mail_throttled(void);
void ngx_http_portail_metrics_queue_wait(ngx_msec_int_t us);
void ngx_http_portail_metrics_query_time(ngx_msec_int_t us);
ngx_int_t ngx_http_portail_metrics_handler(ngx_http_request_t *r);
ngx_msec_int_t ngx_http_portail_now_us(void);

#define NGX_HTTP_PORTAIL_SIGNIN_OK         0
#define NGX_HTTP_PORTAIL_SIGNIN_FAILED     1
#define NGX_HTTP_PORTAIL_SIGNIN_THROTTLED  2


#endif /* _NGX_HTTP_PORTAIL_METRICS_H_INCLUDED_ */
