
/*
 * portail: the module's directives, its configuration structures and their
 * merges, and its start: the sections register their routes and statements
 * (ngx_http_portail_sections.c), then each worker opens its pool.
 */


#include "ngx_http_portail_core.h"
#include "ngx_http_portail_sections.h"


static void *ngx_http_portail_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_portail_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_portail_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_portail_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_portail_api(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_api_errors(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_smtp(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_templates(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_sepa_debit_days(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_portail_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_portail_office_json(ngx_conf_t *cf,
    ngx_http_portail_main_conf_t *pmcf);
static ngx_int_t ngx_http_portail_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_portail_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_portail_lib_init(ngx_conf_t *cf);
static void ngx_http_portail_lib_cleanup(void *data);
static ngx_int_t ngx_http_portail_init_process(ngx_cycle_t *cycle);
static void ngx_http_portail_exit_process(ngx_cycle_t *cycle);


static ngx_conf_num_bounds_t  ngx_http_portail_connections_bounds = {
    ngx_conf_check_num_bounds, 1, 1024
};


static ngx_conf_enum_t  ngx_http_portail_secure[] = {
    { ngx_string("off"), 0 },
    { ngx_string("on"), 1 },
    { ngx_string("auto"), NGX_HTTP_PORTAIL_SECURE_AUTO },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_portail_payment_modes[] = {
    { ngx_string("TEST"), NGX_HTTP_PORTAIL_PAYMENT_TEST },
    { ngx_string("PRODUCTION"), NGX_HTTP_PORTAIL_PAYMENT_PRODUCTION },
    { ngx_null_string, 0 }
};


#define NGX_HTTP_PORTAIL_MAIN_STR(name, field)                                \
    { ngx_string(name),                                                       \
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,                                      \
      ngx_conf_set_str_slot,                                                  \
      NGX_HTTP_MAIN_CONF_OFFSET,                                              \
      offsetof(ngx_http_portail_main_conf_t, field),                          \
      NULL }


static ngx_command_t  ngx_http_portail_commands[] = {

    { ngx_string("portail_database"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.conninfo),
      NULL },

    { ngx_string("portail_database_standby"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, standby.conninfo),
      NULL },

    { ngx_string("portail_database_standby_max_lag"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, standby_max_lag),
      NULL },

    { ngx_string("portail_database_max_connections"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.max_connections),
      &ngx_http_portail_connections_bounds },

    { ngx_string("portail_database_queue_length"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.queue_length),
      NULL },

    { ngx_string("portail_database_queue_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.queue_timeout),
      NULL },

    { ngx_string("portail_database_query_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.query_timeout),
      NULL },

    { ngx_string("portail_database_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.connect_timeout),
      NULL },

    { ngx_string("portail_database_keepalive_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, database.keepalive_timeout),
      NULL },

    { ngx_string("portail_json_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, json_max_size),
      NULL },

    { ngx_string("portail_upload_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, upload_max_size),
      NULL },

    { ngx_string("portail_upload_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, upload_max_body),
      NULL },

    { ngx_string("portail_upload_pdf_check"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, upload.pdf_check),
      NULL },

    { ngx_string("portail_upload_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, upload.thread_pool_name),
      NULL },

    { ngx_string("portail_session_idle_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.idle_timeout),
      NULL },

    { ngx_string("portail_session_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.lifetime),
      NULL },

    { ngx_string("portail_session_remember_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.remember_lifetime),
      NULL },

    { ngx_string("portail_session_remember_idle_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.remember_idle_timeout),
      NULL },

    { ngx_string("portail_cookie_secure"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, session.secure),
      &ngx_http_portail_secure },

    { ngx_string("portail_login_max_failures"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.max_failures),
      NULL },

    { ngx_string("portail_login_max_failures_per_address"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.max_failures_address),
      NULL },

    { ngx_string("portail_login_max_failures_per_account"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.max_failures_account),
      NULL },

    { ngx_string("portail_login_device_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.device_lifetime),
      NULL },

    { ngx_string("portail_login_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.window),
      NULL },

    { ngx_string("portail_password_evaluations_per_address"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.evaluations),
      NULL },

    { ngx_string("portail_password_evaluation_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.evaluation_window),
      NULL },

    { ngx_string("portail_password_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.thread_pool_name),
      NULL },

    { ngx_string("portail_password_priority"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.priority),
      NULL },

    { ngx_string("portail_password_memlimit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.memlimit),
      NULL },

    { ngx_string("portail_password_opslimit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, auth.opslimit),
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_name", office.name),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_phone", office.phone),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_email", office.email),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_address", office.address),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_office_website", office.website),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_public_url", office.public_url),

    { ngx_string("portail_templates"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_portail_templates,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portail_smtp"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_portail_smtp,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_mail_from", mail.from),

    { ngx_string("portail_mail_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.interval),
      NULL },

    { ngx_string("portail_mail_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.timeout),
      NULL },

    { ngx_string("portail_mail_lease"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.lease),
      NULL },

    { ngx_string("portail_mail_max_attempts"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.max_attempts),
      NULL },

    { ngx_string("portail_mail_max_per_recipient"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.max_per_recipient),
      NULL },

    { ngx_string("portail_mail_max_per_account"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.max_per_account),
      NULL },

    { ngx_string("portail_mail_max_per_address"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.max_per_address),
      NULL },

    { ngx_string("portail_mail_limit_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, mail.limit_window),
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_payment_url", payment.url),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_payment_site_id", payment.site_id),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_payment_key", payment.key),

    { ngx_string("portail_payment_mode"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, payment.mode),
      &ngx_http_portail_payment_modes },

    { ngx_string("portail_payment_max_amount"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_portail_main_conf_t, payment.max_amount),
      NULL },

    { ngx_string("portail_sepa_debit_days"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_portail_sepa_debit_days,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    NGX_HTTP_PORTAIL_MAIN_STR("portail_sepa_creditor_name",
                              payment.creditor_name),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_sepa_creditor_address",
                              payment.creditor_address),
    NGX_HTTP_PORTAIL_MAIN_STR("portail_sepa_creditor_id",
                              payment.creditor_id),

    { ngx_string("portail_session"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_portail_loc_conf_t, session),
      NULL },

    { ngx_string("portail_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_portail_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portail_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_portail_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portail_api_errors"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_portail_api_errors,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_portail_module_ctx = {
    ngx_http_portail_preconfiguration,     /* preconfiguration */
    ngx_http_portail_postconfiguration,    /* postconfiguration */

    ngx_http_portail_create_main_conf,     /* create main configuration */
    ngx_http_portail_init_main_conf,       /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_portail_create_loc_conf,      /* create location configuration */
    ngx_http_portail_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_portail_module = {
    NGX_MODULE_V1,
    &ngx_http_portail_module_ctx,          /* module context */
    ngx_http_portail_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_portail_init_process,         /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_portail_exit_process,         /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_portail_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_portail_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_portail_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     pmcf->database.conninfo = { 0, NULL };
     *     pmcf->pool = NULL;
     */

    pmcf->database.max_connections = NGX_CONF_UNSET_UINT;
    pmcf->database.queue_length = NGX_CONF_UNSET_UINT;
    pmcf->database.queue_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->database.query_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->database.connect_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->database.keepalive_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->standby_max_lag = NGX_CONF_UNSET_MSEC;
    pmcf->json_max_size = NGX_CONF_UNSET_SIZE;
    pmcf->upload_max_size = NGX_CONF_UNSET_SIZE;
    pmcf->upload_max_body = NGX_CONF_UNSET_SIZE;

    pmcf->session.idle_timeout = NGX_CONF_UNSET;
    pmcf->session.lifetime = NGX_CONF_UNSET;
    pmcf->session.remember_lifetime = NGX_CONF_UNSET;
    pmcf->session.remember_idle_timeout = NGX_CONF_UNSET;
    pmcf->session.secure = NGX_CONF_UNSET_UINT;

    pmcf->auth.max_failures = NGX_CONF_UNSET_UINT;
    pmcf->auth.max_failures_address = NGX_CONF_UNSET_UINT;
    pmcf->auth.max_failures_account = NGX_CONF_UNSET_UINT;
    pmcf->auth.window = NGX_CONF_UNSET;
    pmcf->auth.device_lifetime = NGX_CONF_UNSET;
    pmcf->auth.evaluations = NGX_CONF_UNSET_UINT;
    pmcf->auth.evaluation_window = NGX_CONF_UNSET;
    pmcf->auth.priority = NGX_CONF_UNSET;
    pmcf->auth.memlimit = NGX_CONF_UNSET_SIZE;
    pmcf->auth.opslimit = NGX_CONF_UNSET_UINT;

    pmcf->templates.path = NGX_CONF_UNSET_PTR;

    pmcf->mail.smtp = NGX_CONF_UNSET_PTR;
    pmcf->mail.interval = NGX_CONF_UNSET_MSEC;
    pmcf->mail.timeout = NGX_CONF_UNSET_MSEC;
    pmcf->mail.lease = NGX_CONF_UNSET_MSEC;
    pmcf->mail.max_attempts = NGX_CONF_UNSET_UINT;
    pmcf->mail.max_per_recipient = NGX_CONF_UNSET_UINT;
    pmcf->mail.max_per_account = NGX_CONF_UNSET_UINT;
    pmcf->mail.max_per_address = NGX_CONF_UNSET_UINT;
    pmcf->mail.limit_window = NGX_CONF_UNSET;

    pmcf->payment.mode = NGX_CONF_UNSET_UINT;
    pmcf->payment.max_amount = NGX_CONF_UNSET_UINT;
    pmcf->payment.debit_days = NGX_CONF_UNSET_PTR;

    if (ngx_array_init(&pmcf->statements, cf->pool, 64,
                       sizeof(ngx_http_portail_stmt_t *))
        != NGX_OK
        || ngx_array_init(&pmcf->routes, cf->pool, 16,
                          sizeof(ngx_http_portail_route_t *))
           != NGX_OK)
    {
        return NULL;
    }

    return pmcf;
}


static char *
ngx_http_portail_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_portail_main_conf_t *pmcf = conf;

    u_char     *p;
    ngx_str_t  *dir;

    ngx_conf_init_uint_value(pmcf->database.max_connections, 8);
    ngx_conf_init_uint_value(pmcf->database.queue_length, 512);
    ngx_conf_init_msec_value(pmcf->database.queue_timeout, 3000);
    ngx_conf_init_msec_value(pmcf->database.query_timeout, 5000);
    ngx_conf_init_msec_value(pmcf->database.connect_timeout, 2000);
    ngx_conf_init_msec_value(pmcf->database.keepalive_timeout, 60000);
    ngx_conf_init_size_value(pmcf->json_max_size, 64 * 1024);
    ngx_conf_init_size_value(pmcf->upload_max_size, 5 * 1024 * 1024);
    ngx_conf_init_size_value(pmcf->upload_max_body, 26 * 1024 * 1024);

    /* the tables refuse files over 10 MiB: say so here, not with a 500 */
    if (pmcf->upload_max_size > 10 * 1024 * 1024) {
        return "portail_upload_max_size is limited to 10m";
    }

    if (pmcf->upload_max_body < pmcf->upload_max_size) {
        return "portail_upload_max_body is smaller than "
               "portail_upload_max_size";
    }

    if (pmcf->upload.pdf_check.data == NULL) {
        ngx_str_set(&pmcf->upload.pdf_check,
                    "/usr/libexec/portail/portail-pdfcheck");
    }

    if (pmcf->upload.thread_pool_name.data == NULL) {
        ngx_str_set(&pmcf->upload.thread_pool_name, "default");
    }

    if (pmcf->database.query_timeout < 1) {
        return "portail_database_query_timeout must be at least 1ms";
    }

    /* the standby's pool is sized and timed like the primary's */
    pmcf->standby.max_connections = pmcf->database.max_connections;
    pmcf->standby.queue_length = pmcf->database.queue_length;
    pmcf->standby.queue_timeout = pmcf->database.queue_timeout;
    pmcf->standby.query_timeout = pmcf->database.query_timeout;
    pmcf->standby.connect_timeout = pmcf->database.connect_timeout;
    pmcf->standby.keepalive_timeout = pmcf->database.keepalive_timeout;
    ngx_conf_init_msec_value(pmcf->standby_max_lag, 2000);

    ngx_conf_init_value(pmcf->session.idle_timeout, 30 * 60);
    ngx_conf_init_value(pmcf->session.lifetime, 12 * 3600);
    ngx_conf_init_value(pmcf->session.remember_lifetime, 30 * 86400);
    ngx_conf_init_value(pmcf->session.remember_idle_timeout, 7 * 86400);
    ngx_conf_init_uint_value(pmcf->session.secure,
                             NGX_HTTP_PORTAIL_SECURE_AUTO);

    if (pmcf->session.idle_timeout < 60 || pmcf->session.lifetime < 60
        || pmcf->session.remember_lifetime < 60
        || pmcf->session.remember_idle_timeout < 60)
    {
        return "portail_session_* durations must be at least 1 minute";
    }

    ngx_conf_init_uint_value(pmcf->auth.max_failures, 5);
    ngx_conf_init_uint_value(pmcf->auth.max_failures_address, 30);
    ngx_conf_init_uint_value(pmcf->auth.max_failures_account, 100);
    ngx_conf_init_value(pmcf->auth.window, 15 * 60);
    ngx_conf_init_value(pmcf->auth.device_lifetime, 180 * 86400);
    ngx_conf_init_uint_value(pmcf->auth.evaluations, 100);
    ngx_conf_init_value(pmcf->auth.evaluation_window, 10 * 60);
    ngx_conf_init_size_value(pmcf->auth.memlimit,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
    ngx_conf_init_uint_value(pmcf->auth.opslimit,
                             crypto_pwhash_OPSLIMIT_INTERACTIVE);

    ngx_conf_init_value(pmcf->auth.priority, 5);

    if (pmcf->auth.priority < 0 || pmcf->auth.priority > 19) {
        return "portail_password_priority must be between 0 and 19";
    }

    if (pmcf->auth.thread_pool_name.data == NULL) {
        ngx_str_set(&pmcf->auth.thread_pool_name, "default");
    }

    if (pmcf->auth.max_failures < 1 || pmcf->auth.max_failures_address < 1
        || pmcf->auth.max_failures_account < 1)
    {
        return "portail_login_max_failures* must be at least 1";
    }

    if (pmcf->auth.device_lifetime < 60) {
        return "portail_login_device_lifetime must be at least 1 minute";
    }

    if (pmcf->auth.evaluations < 1 || pmcf->auth.evaluation_window < 1) {
        return "portail_password_evaluations_per_address and "
               "portail_password_evaluation_window must be at least 1";
    }

    /* libsodium refuses less; OWASP asks for 19 MiB at least */
    if (pmcf->auth.memlimit < 8 * 1024 * 1024
        || pmcf->auth.opslimit < crypto_pwhash_OPSLIMIT_MIN)
    {
        return "portail_password_memlimit must be at least 8m and "
               "portail_password_opslimit at least 1";
    }

    if (pmcf->office.name.data == NULL) {
        ngx_str_set(&pmcf->office.name, "Office Public de l'Habitat de "
                                        "l'Agglomération de La Rochelle");
    }

    if (pmcf->office.phone.data == NULL) {
        ngx_str_set(&pmcf->office.phone, "05 46 00 49 94");
    }

    if (pmcf->office.email.data == NULL) {
        ngx_str_set(&pmcf->office.email, "contact@office-agglo-larochelle.fr");
    }

    if (pmcf->office.address.data == NULL) {
        ngx_str_set(&pmcf->office.address, "2 avenue de Varsovie, CS10555, "
                                           "17023 La Rochelle Cedex 1");
    }

    if (pmcf->office.website.data == NULL) {
        ngx_str_set(&pmcf->office.website,
                    "https://www.office-agglo-larochelle.fr");
    }

    if (pmcf->office.public_url.data == NULL) {
        ngx_str_set(&pmcf->office.public_url, "http://127.0.0.1:8080");
    }

    while (pmcf->office.public_url.len
           && pmcf->office.public_url.data[pmcf->office.public_url.len - 1]
              == '/')
    {
        pmcf->office.public_url.len--;
    }

    ngx_conf_init_ptr_value(pmcf->mail.smtp, NULL);
    ngx_conf_init_msec_value(pmcf->mail.interval, 1000);
    ngx_conf_init_msec_value(pmcf->mail.timeout, 10000);
    ngx_conf_init_uint_value(pmcf->mail.max_attempts, 12);
    ngx_conf_init_msec_value(pmcf->mail.lease, 120000);
    ngx_conf_init_uint_value(pmcf->mail.max_per_recipient, 3);
    ngx_conf_init_uint_value(pmcf->mail.max_per_account, 5);
    ngx_conf_init_uint_value(pmcf->mail.max_per_address, 30);
    ngx_conf_init_value(pmcf->mail.limit_window, 3600);

    if (pmcf->mail.max_per_recipient < 1 || pmcf->mail.max_per_account < 1
        || pmcf->mail.max_per_address < 1 || pmcf->mail.limit_window < 1)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portail_mail_max_per_* and "
                           "portail_mail_limit_window must be at least 1");
        return NGX_CONF_ERROR;
    }

    /* the limits as the statements take them, NUL-terminated for libpq */

    p = ngx_pnalloc(cf->pool, 4 * NGX_INT_T_LEN + sizeof("{,,,}"));
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    pmcf->mail.limits_sql.data = p;
    pmcf->mail.limits_sql.len = ngx_sprintf(p, "{%ui,%ui,%ui,%T}%Z",
                                            pmcf->mail.max_per_recipient,
                                            pmcf->mail.max_per_account,
                                            pmcf->mail.max_per_address,
                                            pmcf->mail.limit_window)
                                - p - 1;

    /* a batch must be over, SMTP timeouts included, before another node
     * may take its messages */
    if (pmcf->mail.lease < 2 * pmcf->mail.timeout) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portail_mail_lease must be at least twice "
                           "portail_mail_timeout");
        return NGX_CONF_ERROR;
    }

    if (pmcf->mail.from.data == NULL) {
        ngx_str_set(&pmcf->mail.from, "Portail locataire "
                                      "<ne-pas-repondre@office-agglo-"
                                      "larochelle.fr>");
    }

    /* the office's copies first, then the package's; none without a
     * database: nothing is written then */
    if (pmcf->templates.path == NGX_CONF_UNSET_PTR) {
        pmcf->templates.path = NULL;

        if (pmcf->database.conninfo.len) {
            pmcf->templates.path = ngx_array_create(cf->pool, 2,
                                                    sizeof(ngx_str_t));
            if (pmcf->templates.path == NULL) {
                return NGX_CONF_ERROR;
            }

            dir = ngx_array_push_n(pmcf->templates.path, 2);
            if (dir == NULL) {
                return NGX_CONF_ERROR;
            }

            ngx_str_set(&dir[0], "/etc/portail/templates");
            ngx_str_set(&dir[1], "/usr/share/portail/templates");
        }
    }

    return ngx_http_portail_office_json(cf, pmcf);
}


/* GET /api/portail is the same for everyone: built once */

static char *
ngx_http_portail_office_json(ngx_conf_t *cf,
    ngx_http_portail_main_conf_t *pmcf)
{
    size_t   len;
    json_t  *body;

    body = json_pack("{s:{s:s%,s:s%,s:s%,s:s%,s:s%}}", "organisme",
                     "nom", pmcf->office.name.data, pmcf->office.name.len,
                     "telephone", pmcf->office.phone.data,
                     pmcf->office.phone.len,
                     "email", pmcf->office.email.data, pmcf->office.email.len,
                     "adresse", pmcf->office.address.data,
                     pmcf->office.address.len,
                     "site", pmcf->office.website.data,
                     pmcf->office.website.len);

    if (ngx_http_portail_json_pool(cf->pool, body) == NULL) {
        return "the office's details must be valid UTF-8";
    }

    len = json_dumpb(body, NULL, 0, JSON_COMPACT);

    pmcf->office.json.data = ngx_pnalloc(cf->pool, len);
    if (pmcf->office.json.data == NULL) {
        return NGX_CONF_ERROR;
    }

    pmcf->office.json.len = json_dumpb(body, (char *) pmcf->office.json.data,
                                       len, JSON_COMPACT);

    return NGX_CONF_OK;
}


static char *
ngx_http_portail_smtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_portail_main_conf_t *pmcf = conf;

    ngx_str_t  *value;
    ngx_url_t  *u;

    if (pmcf->mail.smtp != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    u = ngx_pcalloc(cf->pool, sizeof(ngx_url_t));
    if (u == NULL) {
        return NGX_CONF_ERROR;
    }

    u->url = value[1];
    u->default_port = 25;
    u->no_resolve = 0;

    if (ngx_parse_url(cf->pool, u) != NGX_OK) {
        if (u->err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%s in portail_smtp \"%V\"", u->err, &u->url);
        }

        return NGX_CONF_ERROR;
    }

    pmcf->mail.smtp = u;

    return NGX_CONF_OK;
}


/* portail_templates /etc/portail/templates /usr/share/portail/templates; */

static char *
ngx_http_portail_templates(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_portail_main_conf_t *pmcf = conf;

    ngx_str_t   *value, *dir;
    ngx_uint_t   i;

    if (pmcf->templates.path != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    pmcf->templates.path = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                            sizeof(ngx_str_t));
    if (pmcf->templates.path == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        dir = ngx_array_push(pmcf->templates.path);
        if (dir == NULL) {
            return NGX_CONF_ERROR;
        }

        *dir = value[i];

        while (dir->len > 1 && dir->data[dir->len - 1] == '/') {
            dir->len--;
        }

        if (dir->len == 0) {
            return "has an empty directory";
        }

        if (ngx_conf_full_name(cf->cycle, dir, 1) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_portail_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_portail_loc_conf_t  *plcf;

    plcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_portail_loc_conf_t));
    if (plcf == NULL) {
        return NULL;
    }

    plcf->api = NGX_CONF_UNSET;
    plcf->api_errors = NGX_CONF_UNSET;
    plcf->session = NGX_CONF_UNSET;

    return plcf;
}


static char *
ngx_http_portail_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_portail_loc_conf_t *prev = parent;
    ngx_http_portail_loc_conf_t *conf = child;

    /* content handlers are not inherited: these only record the choice */
    ngx_conf_merge_value(conf->api, prev->api, 0);
    ngx_conf_merge_value(conf->api_errors, prev->api_errors, 0);
    ngx_conf_merge_value(conf->session, prev->session, 0);

    return NGX_CONF_OK;
}


static char *
ngx_http_portail_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_portail_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->api != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    plcf->api = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_portail_api_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_portail_api_errors(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_portail_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->api_errors != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    plcf->api_errors = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_portail_errors_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_portail_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_portail_metrics_handler;

    return NGX_CONF_OK;
}


/* portail_sepa_debit_days 5 10 15; */

static char *
ngx_http_portail_sepa_debit_days(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_portail_main_conf_t *pmcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value;
    ngx_uint_t   i, *day, last;

    if (pmcf->payment.debit_days != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    pmcf->payment.debit_days = ngx_array_create(cf->pool, cf->args->nelts,
                                                sizeof(ngx_uint_t));
    if (pmcf->payment.debit_days == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;
    last = 0;

    for (i = 1; i < cf->args->nelts; i++) {
        n = ngx_atoi(value[i].data, value[i].len);

        /* the 29th to the 31st do not come every month */
        if (n < 1 || n > 28 || (ngx_uint_t) n <= last) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid debit day \"%V\": days of the month "
                               "from 1 to 28, in increasing order",
                               &value[i]);
            return NGX_CONF_ERROR;
        }

        day = ngx_array_push(pmcf->payment.debit_days);
        if (day == NULL) {
            return NGX_CONF_ERROR;
        }

        *day = n;
        last = n;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_portail_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_portail_session_variables(cf);
}


static ngx_int_t
ngx_http_portail_postconfiguration(ngx_conf_t *cf)
{
    if (ngx_http_portail_lib_init(cf) != NGX_OK
        || ngx_http_portail_errors_init(cf) != NGX_OK
        || ngx_http_portail_metrics_init(cf) != NGX_OK
        || ngx_http_portail_pg_init(cf) != NGX_OK
        || ngx_http_portail_session_init(cf) != NGX_OK
        || ngx_http_portail_password_init(cf) != NGX_OK
        || ngx_http_portail_inspect_init(cf) != NGX_OK
        || ngx_http_portail_mail_init(cf) != NGX_OK
        || ngx_http_portail_sections_init(cf) != NGX_OK
        || ngx_http_portail_templates_load(cf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the field checks of lib/ compile their patterns once for the process */

static ngx_int_t
ngx_http_portail_lib_init(ngx_conf_t *cf)
{
    ngx_pool_cleanup_t  *cln;

    if (portail_validate_init() != 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "portail: cannot initialise libsodium or PCRE2");
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->cycle->pool, 0);
    if (cln == NULL) {
        portail_validate_release();
        return NGX_ERROR;
    }

    cln->handler = ngx_http_portail_lib_cleanup;

    return NGX_OK;
}


static void
ngx_http_portail_lib_cleanup(void *data)
{
    portail_validate_release();
}


static ngx_int_t
ngx_http_portail_init_process(ngx_cycle_t *cycle)
{
    if (ngx_http_portail_pg_init_worker(cycle) != NGX_OK
        || ngx_http_portail_password_init_worker(cycle) != NGX_OK
        || ngx_http_portail_inspect_init_worker(cycle) != NGX_OK
        || ngx_http_portail_mail_init_worker(cycle) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_portail_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_portail_pg_exit_worker(cycle);
}
