
/*
 * The sections of the API (api/), as the registry
 * (ngx_http_portail_sections.c) knows them: each registers its routes,
 * statements and errors at configuration time.  Nothing else in core/
 * names a section.
 */


#ifndef _NGX_HTTP_PORTAIL_SECTIONS_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_SECTIONS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


ngx_int_t ngx_http_portail_sections_init(ngx_conf_t *cf);

ngx_int_t ngx_http_portail_sante_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_auth_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_evaluation_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_accueil_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_dossier_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_contrats_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_documents_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_paiements_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_sepa_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_demandes_init(ngx_conf_t *cf);
ngx_int_t ngx_http_portail_enquetes_init(ngx_conf_t *cf);


#endif /* _NGX_HTTP_PORTAIL_SECTIONS_H_INCLUDED_ */
