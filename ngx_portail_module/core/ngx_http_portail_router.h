
/*
 * The router (ngx_http_portail_router.c): the content handler of API
 * locations, and the table each section adds its routes to.
 */


#ifndef _NGX_HTTP_PORTAIL_ROUTER_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_ROUTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_portail_request.h"


ngx_int_t ngx_http_portail_api_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_portail_add_routes(ngx_conf_t *cf,
    ngx_http_portail_route_t *routes);


#endif /* _NGX_HTTP_PORTAIL_ROUTER_H_INCLUDED_ */
