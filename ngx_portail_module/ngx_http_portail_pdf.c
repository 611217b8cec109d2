
/*
 * PDF documents the portal makes itself: rent receipts (quittances) for
 * fully paid months without one, payment tickets, SEPA mandates.
 *
 * A4 pages, Helvetica and Helvetica-Bold (two of the 14 standard fonts,
 * nothing embedded) with WinAnsiEncoding so that French accents and the
 * euro sign show and can be extracted (pdftotext); compressed content
 * streams; a classic cross-reference table.  Coordinates are millimetres
 * from the top left of the page, as one lays out a letter.
 */


#include "ngx_http_portail.h"

#include <zlib.h>


#define NGX_HTTP_PORTAIL_PDF_PT(mm)   ((mm) * 72.0 / 25.4)
#define NGX_HTTP_PORTAIL_PDF_HEIGHT   841.89
#define NGX_HTTP_PORTAIL_PDF_WIDTH    595.28


struct ngx_http_portail_pdf_s {
    ngx_pool_t                       *pool;
    ngx_array_t                       pages;     /* ngx_str_t, content */
    ngx_buf_t                        *page;
    ngx_str_t                         title;
};


static ngx_int_t ngx_http_portail_pdf_op(ngx_http_portail_pdf_t *pdf,
    const char *fmt, ...);
static size_t ngx_http_portail_pdf_winansi(ngx_str_t *utf8, u_char *out);


/* UTF-8 to Windows-1252, for the characters French text uses */

static size_t
ngx_http_portail_pdf_winansi(ngx_str_t *utf8, u_char *out)
{
    u_char    *p, *prev, *end, *o;
    uint32_t   cp;

    o = out;
    p = utf8->data;
    end = p + utf8->len;

    while (p < end) {

        /* ngx_utf8_decode() takes multibyte sequences only */
        if (*p < 0x80) {
            *o++ = *p++;
            continue;
        }

        prev = p;
        cp = ngx_utf8_decode(&p, end - p);

        if (cp > 0x10ffff) {
            /* invalid: one byte skipped at least */
            if (p == prev) {
                p++;
            }

            *o++ = '?';
            continue;
        }

        if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) {
            *o++ = (u_char) cp;
            continue;
        }

        switch (cp) {
        case 0x20ac: *o++ = 0x80; break;          /* € */
        case 0x2019: *o++ = 0x92; break;          /* ’ */
        case 0x2018: *o++ = 0x91; break;
        case 0x201c: *o++ = 0x93; break;
        case 0x201d: *o++ = 0x94; break;
        case 0x2013: *o++ = 0x96; break;          /* – */
        case 0x2014: *o++ = 0x97; break;
        case 0x2026: *o++ = 0x85; break;          /* … */
        case 0x0152: *o++ = 0x8c; break;          /* Œ */
        case 0x0153: *o++ = 0x9c; break;          /* œ */
        case 0x202f: *o++ = ' '; break;           /* narrow no-break space */
        default:     *o++ = '?'; break;
        }
    }

    return o - out;
}


ngx_http_portail_pdf_t *
ngx_http_portail_pdf_create(ngx_pool_t *pool, ngx_str_t *title)
{
    ngx_http_portail_pdf_t  *pdf;

    pdf = ngx_pcalloc(pool, sizeof(ngx_http_portail_pdf_t));
    if (pdf == NULL) {
        return NULL;
    }

    pdf->pool = pool;
    pdf->title = *title;

    if (ngx_array_init(&pdf->pages, pool, 2, sizeof(ngx_str_t)) != NGX_OK) {
        return NULL;
    }

    if (ngx_http_portail_pdf_page(pdf) != NGX_OK) {
        return NULL;
    }

    return pdf;
}


ngx_int_t
ngx_http_portail_pdf_page(ngx_http_portail_pdf_t *pdf)
{
    ngx_str_t  *done;

    if (pdf->page) {
        done = ngx_array_push(&pdf->pages);
        if (done == NULL) {
            return NGX_ERROR;
        }

        done->data = pdf->page->pos;
        done->len = pdf->page->last - pdf->page->pos;
    }

    pdf->page = ngx_create_temp_buf(pdf->pool, 16384);

    return pdf->page ? NGX_OK : NGX_ERROR;
}


/* appends one drawing operation to the current page, growing it */

static ngx_int_t
ngx_http_portail_pdf_op(ngx_http_portail_pdf_t *pdf, const char *fmt, ...)
{
    u_char     *p;
    size_t      size;
    va_list     args;
    ngx_buf_t  *b;

    b = pdf->page;

    if ((size_t) (b->end - b->last) < 1024) {
        size = 2 * (b->end - b->start);

        p = ngx_palloc(pdf->pool, size);
        if (p == NULL) {
            return NGX_ERROR;
        }

        b->last = ngx_cpymem(p, b->pos, b->last - b->pos);
        b->pos = p;
        b->start = p;
        b->end = p + size;
    }

    va_start(args, fmt);
    b->last = ngx_vslprintf(b->last, b->end - 1, fmt, args);
    va_end(args);

    *b->last++ = '\n';

    return NGX_OK;
}


/*
 * Helvetica's advance widths (1/1000 em) of what right-aligned columns
 * hold: digits, the euro sign, separators; the rest is an average.
 */

static double
ngx_http_portail_pdf_width(u_char *s, size_t len, double size)
{
    size_t  i;
    double  w;

    w = 0;

    for (i = 0; i < len; i++) {
        switch (s[i]) {
        case ' ': case ',': case '.': case '/':
            w += 278;
            break;
        case '-':
            w += 333;
            break;
        case 0x80:
            w += 556;
            break;
        default:
            w += (s[i] >= '0' && s[i] <= '9') ? 556 : 520;
        }
    }

    return w * size / 1000.0;
}


/* text at (x, y) mm from the top left; right-aligned on x when right */

ngx_int_t
ngx_http_portail_pdf_text(ngx_http_portail_pdf_t *pdf, double x, double y,
    double size, ngx_uint_t bold, ngx_uint_t right, ngx_str_t *text)
{
    u_char     *w, *e, *p;
    size_t      n, i;
    double      px, py;

    w = ngx_pnalloc(pdf->pool, text->len + 1);
    e = ngx_pnalloc(pdf->pool, 2 * text->len + 1);
    if (w == NULL || e == NULL) {
        return NGX_ERROR;
    }

    n = ngx_http_portail_pdf_winansi(text, w);

    /* a PDF string: parentheses and backslashes escaped */
    for (i = 0, p = e; i < n; i++) {
        if (w[i] == '(' || w[i] == ')' || w[i] == '\\') {
            *p++ = '\\';
        }
        *p++ = w[i] < 0x20 ? ' ' : w[i];
    }

    px = NGX_HTTP_PORTAIL_PDF_PT(x);
    py = NGX_HTTP_PORTAIL_PDF_HEIGHT - NGX_HTTP_PORTAIL_PDF_PT(y);

    if (right) {
        px -= ngx_http_portail_pdf_width(w, n, size);
    }

    /* ngx_sprintf has no %f: hundredths of a point as integers */
    return ngx_http_portail_pdf_op(pdf, "BT /%s %ui Tf %i.%02i %i.%02i Td "
                                   "(%*s) Tj ET",
                                   bold ? "F2" : "F1", (ngx_uint_t) size,
                                   (ngx_int_t) px,
                                   (ngx_int_t) (px * 100) % 100,
                                   (ngx_int_t) py,
                                   (ngx_int_t) (py * 100) % 100,
                                   (size_t) (p - e), e);
}


ngx_int_t
ngx_http_portail_pdf_line(ngx_http_portail_pdf_t *pdf, double x1, double y1,
    double x2, double y2)
{
    return ngx_http_portail_pdf_op(pdf, "0.5 w %i %i m %i %i l S",
              (ngx_int_t) NGX_HTTP_PORTAIL_PDF_PT(x1),
              (ngx_int_t) (NGX_HTTP_PORTAIL_PDF_HEIGHT
                           - NGX_HTTP_PORTAIL_PDF_PT(y1)),
              (ngx_int_t) NGX_HTTP_PORTAIL_PDF_PT(x2),
              (ngx_int_t) (NGX_HTTP_PORTAIL_PDF_HEIGHT
                           - NGX_HTTP_PORTAIL_PDF_PT(y2)));
}


/* a grey box (grey: 0 black .. 100 white), behind what is drawn after */

ngx_int_t
ngx_http_portail_pdf_box(ngx_http_portail_pdf_t *pdf, double x, double y,
    double w, double h, ngx_uint_t grey)
{
    return ngx_http_portail_pdf_op(pdf, "q 0.%02ui g %i %i %i %i re f Q",
              ngx_min(grey, 99),
              (ngx_int_t) NGX_HTTP_PORTAIL_PDF_PT(x),
              (ngx_int_t) (NGX_HTTP_PORTAIL_PDF_HEIGHT
                           - NGX_HTTP_PORTAIL_PDF_PT(y + h)),
              (ngx_int_t) NGX_HTTP_PORTAIL_PDF_PT(w),
              (ngx_int_t) NGX_HTTP_PORTAIL_PDF_PT(h));
}


/* the whole file, in the pool */

ngx_int_t
ngx_http_portail_pdf_finish(ngx_http_portail_pdf_t *pdf, ngx_str_t *out)
{
    u_char      *p, *title;
    size_t       size, len, tlen;
    uLongf       zlen;
    ngx_str_t   *pages, *z;
    ngx_uint_t   i, n, obj, nobjs;
    off_t       *offsets;

    if (ngx_http_portail_pdf_page(pdf) != NGX_OK) {
        return NGX_ERROR;
    }

    pages = pdf->pages.elts;
    n = pdf->pages.nelts;

    /* 1 catalog, 2 pages, 3-4 fonts, 5 info, then a page and its content */
    nobjs = 5 + 2 * n;

    z = ngx_palloc(pdf->pool, n * sizeof(ngx_str_t));
    offsets = ngx_palloc(pdf->pool, (nobjs + 1) * sizeof(off_t));
    title = ngx_pnalloc(pdf->pool, 2 * pdf->title.len + 1);

    if (z == NULL || offsets == NULL || title == NULL) {
        return NGX_ERROR;
    }

    size = 4096;

    for (i = 0; i < n; i++) {
        zlen = compressBound(pages[i].len);
        z[i].data = ngx_pnalloc(pdf->pool, zlen);
        if (z[i].data == NULL) {
            return NGX_ERROR;
        }

        if (compress2(z[i].data, &zlen, pages[i].data, pages[i].len, 6)
            != Z_OK)
        {
            return NGX_ERROR;
        }

        z[i].len = zlen;
        size += zlen + 256;
    }

    len = ngx_http_portail_pdf_winansi(&pdf->title, title);
    tlen = 0;
    for (i = 0; i < len; i++) {
        if (title[i] == '(' || title[i] == ')' || title[i] == '\\') {
            tlen++;
        }
    }

    /* escape in place, from the end */
    for (i = len; i > 0; i--) {
        title[i - 1 + tlen] = title[i - 1];
        if (title[i - 1] == '(' || title[i - 1] == ')'
            || title[i - 1] == '\\')
        {
            tlen--;
            title[i - 1 + tlen] = '\\';
        }
    }

    len += tlen;
    size += len + 64 * n;

    out->data = ngx_pnalloc(pdf->pool, size);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(out->data, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
                   sizeof("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") - 1);

    offsets[1] = p - out->data;
    p = ngx_sprintf(p, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");

    offsets[2] = p - out->data;
    p = ngx_sprintf(p, "2 0 obj\n<< /Type /Pages /Kids [");
    for (i = 0; i < n; i++) {
        p = ngx_sprintf(p, "%ui 0 R ", 6 + 2 * i);
    }
    p = ngx_sprintf(p, "] /Count %ui >>\nendobj\n", n);

    offsets[3] = p - out->data;
    p = ngx_sprintf(p, "3 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont "
                       "/Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n");

    offsets[4] = p - out->data;
    p = ngx_sprintf(p, "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont "
                       "/Helvetica-Bold /Encoding /WinAnsiEncoding >>\n"
                       "endobj\n");

    offsets[5] = p - out->data;
    p = ngx_sprintf(p, "5 0 obj\n<< /Title (%*s) /Author (Office Public de "
                       "l'Habitat) /Producer (portail) >>\nendobj\n",
                    len, title);

    for (i = 0; i < n; i++) {
        obj = 6 + 2 * i;

        offsets[obj] = p - out->data;
        p = ngx_sprintf(p, "%ui 0 obj\n<< /Type /Page /Parent 2 0 R "
                           "/MediaBox [0 0 595.28 841.89] /Resources "
                           "<< /Font << /F1 3 0 R /F2 4 0 R >> >> "
                           "/Contents %ui 0 R >>\nendobj\n", obj, obj + 1);

        offsets[obj + 1] = p - out->data;
        p = ngx_sprintf(p, "%ui 0 obj\n<< /Length %uz /Filter /FlateDecode >>"
                           "\nstream\n", obj + 1, z[i].len);
        p = ngx_cpymem(p, z[i].data, z[i].len);
        p = ngx_sprintf(p, "\nendstream\nendobj\n");
    }

    len = p - out->data;

    p = ngx_sprintf(p, "xref\n0 %ui\n0000000000 65535 f \n", nobjs + 1);
    for (i = 1; i <= nobjs; i++) {
        p = ngx_sprintf(p, "%010O 00000 n \n", offsets[i]);
    }

    p = ngx_sprintf(p, "trailer\n<< /Size %ui /Root 1 0 R /Info 5 0 R >>\n"
                       "startxref\n%uz\n%%%%EOF\n", nobjs + 1, len);

    out->len = p - out->data;

    return NGX_OK;
}


/* 1 234,56 € (plain spaces: what pdftotext shows and tenants search) */

u_char *
ngx_http_portail_format_euros(u_char *p, int64_t cents)
{
    u_char    digits[NGX_INT64_LEN];
    int64_t   units;
    size_t    n, i;

    if (cents < 0) {
        *p++ = '-';
        cents = -cents;
    }

    units = cents / 100;
    n = ngx_sprintf(digits, "%L", units) - digits;

    for (i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) {
            *p++ = ' ';
        }
        *p++ = digits[i];
    }

    return ngx_sprintf(p, ",%02L \xe2\x82\xac", cents % 100);
}
