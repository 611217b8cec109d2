
/*
 * The registry of the API's sections: the one file of core/ that names
 * them.  Each section's init registers its statements, routes and errors;
 * the order is the order of their statements on each pooled connection.
 * A new section is added here and in ngx_http_portail_sections.h.
 */


#include "ngx_http_portail_core.h"
#include "ngx_http_portail_sections.h"


typedef ngx_int_t (*ngx_http_portail_section_init_pt)(ngx_conf_t *cf);


static ngx_http_portail_section_init_pt  ngx_http_portail_sections[] = {
    ngx_http_portail_sante_init,
    ngx_http_portail_auth_init,
    ngx_http_portail_evaluation_init,
    ngx_http_portail_demandes_init,
    ngx_http_portail_enquetes_init,
    ngx_http_portail_accueil_init,
    ngx_http_portail_dossier_init,
    ngx_http_portail_contrats_init,
    ngx_http_portail_paiements_init,
    ngx_http_portail_sepa_init,
    ngx_http_portail_documents_init,
    NULL
};


ngx_int_t
ngx_http_portail_sections_init(ngx_conf_t *cf)
{
    ngx_http_portail_section_init_pt  *init;

    for (init = ngx_http_portail_sections; *init; init++) {
        if ((*init)(cf) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}
