
/*
 * PDF documents made by the portal (ngx_http_portail_pdf.c): pages of text,
 * lines and boxes, in nginx's pool; no request needed.
 */


#ifndef _NGX_HTTP_PORTAIL_PDF_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_PDF_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


typedef struct ngx_http_portail_pdf_s        ngx_http_portail_pdf_t;


ngx_http_portail_pdf_t *ngx_http_portail_pdf_create(ngx_pool_t *pool,
    ngx_str_t *title);
ngx_int_t ngx_http_portail_pdf_page(ngx_http_portail_pdf_t *pdf);
ngx_int_t ngx_http_portail_pdf_text(ngx_http_portail_pdf_t *pdf, double x,
    double y, double size, ngx_uint_t bold, ngx_uint_t right,
    ngx_str_t *text);
ngx_int_t ngx_http_portail_pdf_line(ngx_http_portail_pdf_t *pdf, double x1,
    double y1, double x2, double y2);
ngx_int_t ngx_http_portail_pdf_box(ngx_http_portail_pdf_t *pdf, double x,
    double y, double w, double h, ngx_uint_t grey);
ngx_int_t ngx_http_portail_pdf_finish(ngx_http_portail_pdf_t *pdf,
    ngx_str_t *out);
void ngx_http_portail_pdf_author(ngx_http_portail_pdf_t *pdf,
    ngx_str_t *author);
ngx_int_t ngx_http_portail_pdf_paragraph(ngx_http_portail_pdf_t *pdf,
    double x, double *y, double width, double size, double leading,
    ngx_uint_t bold, ngx_str_t *text);
/* "1 234,56 €": room for NGX_HTTP_PORTAIL_EUROS_LEN bytes */
#define NGX_HTTP_PORTAIL_EUROS_LEN  (NGX_INT64_LEN + 16)
u_char *ngx_http_portail_format_euros(u_char *p, int64_t cents);

/* a label and its value (wrapped) on a line of a form; y moves on */
ngx_int_t ngx_http_portail_pdf_field(ngx_http_portail_pdf_t *pdf, double *y,
    ngx_str_t *label, ngx_str_t *value);


#endif /* _NGX_HTTP_PORTAIL_PDF_H_INCLUDED_ */
