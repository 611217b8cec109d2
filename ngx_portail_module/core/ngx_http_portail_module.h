
/*
 * The module: its configuration (directives, conf structs and their
 * merges, ngx_http_portail_module.c) as every layer above reads it.
 */


#ifndef _NGX_HTTP_PORTAIL_MODULE_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <sodium.h>
#include "ngx_http_portail_pg.h"


#define NGX_HTTP_PORTAIL_SECURE_AUTO  2


typedef struct {
    time_t                            idle_timeout;
    time_t                            lifetime;
    time_t                            remember_lifetime;
    time_t                            remember_idle_timeout;
    ngx_uint_t                        secure;      /* on, off, auto */
} ngx_http_portail_session_conf_t;


typedef struct {
    ngx_uint_t                        max_failures;
    ngx_uint_t                        max_failures_address;
    ngx_uint_t                        max_failures_account;
    time_t                            window;
    time_t                            device_lifetime;
    ngx_uint_t                        evaluations; /* per address, window */
    time_t                            evaluation_window;
    ngx_str_t                         thread_pool_name;
    ngx_thread_pool_t                *thread_pool;
    ngx_int_t                         priority;    /* nice increment, 0-19 */
    ngx_uint_t                        lower;       /* thread_nice is set */
    int                               thread_nice; /* the worker's + it */
    size_t                            memlimit;
    ngx_uint_t                        opslimit;
    u_char                            dummy_hash[crypto_pwhash_STRBYTES];
} ngx_http_portail_auth_conf_t;


/* uploaded PDFs, inspected by portail-pdfcheck from a thread pool */

typedef struct {
    ngx_str_t                         pdf_check;   /* the helper's path */
    ngx_str_t                         thread_pool_name;
    ngx_thread_pool_t                *thread_pool;
} ngx_http_portail_upload_conf_t;


typedef struct {
    ngx_str_t                         name;
    ngx_str_t                         phone;
    ngx_str_t                         email;
    ngx_str_t                         address;
    ngx_str_t                         website;
    ngx_str_t                         public_url;
    ngx_str_t                         json;        /* GET /api/portail */
} ngx_http_portail_office_conf_t;


typedef struct {
    ngx_url_t                        *smtp;
    ngx_str_t                         from;
    ngx_msec_t                        interval;
    ngx_msec_t                        timeout;
    ngx_msec_t                        lease;
    ngx_uint_t                        max_attempts;
    /* how many e-mails the public endpoints may send, and in what window */
    ngx_uint_t                        max_per_recipient;
    ngx_uint_t                        max_per_account;
    ngx_uint_t                        max_per_address;
    time_t                            limit_window;
    ngx_str_t                         limits_sql;  /* "{3,5,30,3600}" */
} ngx_http_portail_mail_conf_t;


/* the e-mails' and PDFs' templates (ngx_http_portail_templates.c) */

typedef struct {
    ngx_array_t                      *path;        /* ngx_str_t; NULL: none */
    ngx_array_t                       files;       /* registered, then read */
} ngx_http_portail_templates_conf_t;


/* card payments (Lyra form API) and SEPA mandates */

#define NGX_HTTP_PORTAIL_PAYMENT_TEST        0
#define NGX_HTTP_PORTAIL_PAYMENT_PRODUCTION  1

typedef struct {
    ngx_str_t                         url;         /* the hosted page */
    ngx_str_t                         site_id;
    ngx_str_t                         key;
    ngx_uint_t                        mode;
    ngx_uint_t                        max_amount;  /* euros */
    ngx_uint_t                        card;        /* all of it configured */
    ngx_array_t                      *debit_days;  /* ngx_uint_t, ascending */
    ngx_str_t                         debit_days_sql;   /* "{5,10,15}" */
    ngx_str_t                         creditor_name;
    ngx_str_t                         creditor_address;
    ngx_str_t                         creditor_id; /* ICS */
} ngx_http_portail_payment_conf_t;


typedef struct {
    ngx_http_portail_pg_conf_t        database;
    ngx_http_portail_pg_conf_t        standby;     /* lag-tolerant reads */
    ngx_msec_t                        standby_max_lag;
    /* what the concerns registered: pointers to their tables */
    ngx_array_t                       statements;
    ngx_array_t                       routes;
    ngx_http_portail_pg_pool_t       *pool;        /* this worker's pool */
    size_t                            json_max_size;
    size_t                            upload_max_size;
    size_t                            upload_max_body;
    ngx_http_portail_upload_conf_t    upload;
    ngx_http_portail_session_conf_t   session;
    ngx_http_portail_auth_conf_t      auth;
    ngx_http_portail_office_conf_t    office;
    ngx_http_portail_templates_conf_t templates;
    ngx_http_portail_mail_conf_t      mail;
    ngx_http_portail_payment_conf_t   payment;
} ngx_http_portail_main_conf_t;


typedef struct {
    ngx_flag_t                        api;
    ngx_flag_t                        api_errors;
    ngx_flag_t                        session;     /* access phase check */
} ngx_http_portail_loc_conf_t;


extern ngx_module_t  ngx_http_portail_module;




#endif /* _NGX_HTTP_PORTAIL_MODULE_H_INCLUDED_ */
