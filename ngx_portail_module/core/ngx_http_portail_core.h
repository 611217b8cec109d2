
/*
 * What a section of the API (api/) sees of the core: every core header and
 * the pure code of lib/.  Core files include it too.
 */


#ifndef _NGX_HTTP_PORTAIL_CORE_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_CORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <libpq-fe.h>
#include <jansson.h>
#include <sodium.h>

#include "ngx_http_portail_validate.h"
#include "ngx_http_portail_pdf.h"
#include "ngx_http_portail_template.h"

#include "ngx_http_portail_pg.h"
#include "ngx_http_portail_errors.h"
#include "ngx_http_portail_module.h"
#include "ngx_http_portail_request.h"
#include "ngx_http_portail_router.h"
#include "ngx_http_portail_json.h"
#include "ngx_http_portail_upload.h"
#include "ngx_http_portail_inspect.h"
#include "ngx_http_portail_file.h"
#include "ngx_http_portail_session.h"
#include "ngx_http_portail_password.h"
#include "ngx_http_portail_tenant.h"
#include "ngx_http_portail_metrics.h"
#include "ngx_http_portail_mail.h"
#include "ngx_http_portail_templates.h"





#endif /* _NGX_HTTP_PORTAIL_CORE_H_INCLUDED_ */
