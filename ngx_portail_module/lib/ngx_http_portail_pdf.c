
/*
 * PDF documents the portal makes itself: rent receipts (quittances) for
 * fully paid months without one, payment tickets, SEPA mandates.
 *
 * A4 pages, Helvetica and Helvetica-Bold (two of the 14 standard fonts,
 * nothing embedded) with WinAnsiEncoding so that French accents and the
 * euro sign show and can be extracted (pdftotext); compressed content
 * streams; a classic cross-reference table; title and author in UTF-16 so
 * that any name survives.  Coordinates are millimetres from the top left
 * of the page, as one lays out a letter.  Nothing in the file depends on
 * the time it is made: the same data give the same bytes.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_portail_pdf.h"

#include <zlib.h>


#define NGX_HTTP_PORTAIL_PDF_PT(mm)   ((mm) * 72.0 / 25.4)
#define NGX_HTTP_PORTAIL_PDF_HEIGHT   841.89
#define NGX_HTTP_PORTAIL_PDF_WIDTH    595.28

/* a number (>= 0) with two decimals, for "%i.%02i": no %f in ngx_sprintf */
#define NGX_HTTP_PORTAIL_PDF_NUM(v)                                           \
    (ngx_int_t) ((v) * 100 + 0.5) / 100, (ngx_int_t) ((v) * 100 + 0.5) % 100


struct ngx_http_portail_pdf_s {
    ngx_pool_t                       *pool;
    ngx_array_t                       pages;     /* ngx_str_t, content */
    ngx_buf_t                        *page;
    ngx_str_t                         title;
    ngx_str_t                         author;
};


static ngx_int_t ngx_http_portail_pdf_op(ngx_http_portail_pdf_t *pdf,
    size_t need, const char *fmt, ...);
static size_t ngx_http_portail_pdf_winansi(ngx_str_t *utf8, u_char *out);
static double ngx_http_portail_pdf_width(u_char *s, size_t len, double size,
    ngx_uint_t bold);
static ngx_int_t ngx_http_portail_pdf_show(ngx_http_portail_pdf_t *pdf,
    double x, double y, double size, ngx_uint_t bold, ngx_uint_t right,
    u_char *w, size_t n);
static u_char *ngx_http_portail_pdf_utf16(u_char *p, ngx_str_t *utf8);


/*
 * Helvetica's advance widths (1/1000 em, from its AFM) of the WinAnsi
 * characters from the space on: right-aligned amounts end where they
 * should, and paragraphs wrap before the margin.
 */

static const u_short  ngx_http_portail_helvetica[224] = {
    /* 0x20 */ 278, 278, 355, 556, 556, 889, 667, 191,
               333, 333, 389, 584, 278, 333, 278, 278,
    /* 0x30 */ 556, 556, 556, 556, 556, 556, 556, 556,
               556, 556, 278, 278, 584, 584, 584, 556,
    /* 0x40 */ 1015, 667, 667, 722, 722, 667, 611, 778,
               722, 278, 500, 667, 556, 833, 722, 778,
    /* 0x50 */ 667, 778, 722, 667, 611, 722, 667, 944,
               667, 667, 611, 278, 278, 278, 469, 556,
    /* 0x60 */ 333, 556, 556, 500, 556, 556, 278, 556,
               556, 222, 222, 500, 222, 833, 556, 556,
    /* 0x70 */ 556, 556, 333, 500, 278, 556, 500, 722,
               500, 500, 500, 334, 260, 334, 584, 350,
    /* 0x80 */ 556, 350, 222, 556, 333, 1000, 556, 556,
               333, 1000, 667, 333, 1000, 350, 611, 350,
    /* 0x90 */ 350, 222, 222, 333, 333, 350, 556, 1000,
               333, 1000, 500, 333, 944, 350, 500, 667,
    /* 0xa0 */ 278, 333, 556, 556, 556, 556, 260, 556,
               333, 737, 370, 556, 584, 333, 737, 333,
    /* 0xb0 */ 400, 584, 333, 333, 333, 556, 537, 278,
               333, 333, 365, 556, 834, 834, 834, 611,
    /* 0xc0 */ 667, 667, 667, 667, 667, 667, 1000, 722,
               667, 667, 667, 667, 278, 278, 278, 278,
    /* 0xd0 */ 722, 722, 778, 778, 778, 778, 778, 584,
               778, 722, 722, 722, 722, 667, 667, 611,
    /* 0xe0 */ 556, 556, 556, 556, 556, 556, 889, 500,
               556, 556, 556, 556, 278, 278, 278, 278,
    /* 0xf0 */ 556, 556, 556, 556, 556, 556, 556, 584,
               611, 556, 556, 556, 556, 500, 556, 500
};


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

        /* ngx_utf8_decode() is for multi-byte sequences only */
        if (*p < 0x80) {
            *o++ = *p++;
            continue;
        }

        prev = p;
        cp = ngx_utf8_decode(&p, end - p);

        if (cp > 0x10ffff) {
            /* invalid or truncated: one byte skipped at least */
            if (p == prev) {
                p++;
            }

            *o++ = '?';
            continue;
        }

        if (cp >= 0xa0 && cp <= 0xff) {
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
        case 0x0178: *o++ = 0x9f; break;          /* Ÿ */
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
    ngx_str_set(&pdf->author, "Office Public de l'Habitat");

    if (ngx_array_init(&pdf->pages, pool, 2, sizeof(ngx_str_t)) != NGX_OK) {
        return NULL;
    }

    if (ngx_http_portail_pdf_page(pdf) != NGX_OK) {
        return NULL;
    }

    return pdf;
}


/* the document's author (the office's name); kept by reference */

void
ngx_http_portail_pdf_author(ngx_http_portail_pdf_t *pdf, ngx_str_t *author)
{
    pdf->author = *author;
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


/*
 * Appends one drawing operation to the current page, growing it so that
 * need bytes plus the fixed part of the operation fit: ngx_vslprintf()
 * would silently cut it otherwise.
 */

static ngx_int_t
ngx_http_portail_pdf_op(ngx_http_portail_pdf_t *pdf, size_t need,
    const char *fmt, ...)
{
    u_char     *p;
    size_t      size;
    va_list     args;
    ngx_buf_t  *b;

    b = pdf->page;
    need += 256;

    if ((size_t) (b->end - b->last) < need) {
        size = 2 * (b->end - b->start) + need;

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


/* width in points of WinAnsi text; Helvetica-Bold letters are wider */

static double
ngx_http_portail_pdf_width(u_char *s, size_t len, double size,
    ngx_uint_t bold)
{
    size_t  i;
    double  w, cw;

    w = 0;

    for (i = 0; i < len; i++) {
        cw = (s[i] >= 0x20) ? ngx_http_portail_helvetica[s[i] - 0x20] : 0;

        if (bold && (s[i] >= 0xc0
                     || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
        {
            cw *= 1.08;
        }

        w += cw;
    }

    return w * size / 1000.0;
}


/* WinAnsi text at (x, y) mm; right-aligned on x when right */

static ngx_int_t
ngx_http_portail_pdf_show(ngx_http_portail_pdf_t *pdf, double x, double y,
    double size, ngx_uint_t bold, ngx_uint_t right, u_char *w, size_t n)
{
    u_char  *e, *p;
    size_t   i;
    double   px, py;

    e = ngx_pnalloc(pdf->pool, 2 * n + 1);
    if (e == NULL) {
        return NGX_ERROR;
    }

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
        px -= ngx_http_portail_pdf_width(w, n, size, bold);
    }

    if (px < 0) {
        px = 0;
    }

    return ngx_http_portail_pdf_op(pdf, p - e,
                                   "BT /%s %i.%02i Tf %i.%02i %i.%02i Td "
                                   "(%*s) Tj ET",
                                   bold ? "F2" : "F1",
                                   NGX_HTTP_PORTAIL_PDF_NUM(size),
                                   NGX_HTTP_PORTAIL_PDF_NUM(px),
                                   NGX_HTTP_PORTAIL_PDF_NUM(py),
                                   (size_t) (p - e), e);
}


/* text at (x, y) mm from the top left; right-aligned on x when right */

ngx_int_t
ngx_http_portail_pdf_text(ngx_http_portail_pdf_t *pdf, double x, double y,
    double size, ngx_uint_t bold, ngx_uint_t right, ngx_str_t *text)
{
    u_char  *w;
    size_t   n;

    w = ngx_pnalloc(pdf->pool, text->len + 1);
    if (w == NULL) {
        return NGX_ERROR;
    }

    n = ngx_http_portail_pdf_winansi(text, w);

    return ngx_http_portail_pdf_show(pdf, x, y, size, bold, right, w, n);
}


/*
 * Text wrapped within width mm from (x, *y), one line every leading mm;
 * *y is moved below the last line.  Lines break at spaces, but never
 * inside an amount ("1 234,56 €": not between digits, nor before the euro
 * sign), so that each amount reads, and extracts, in one piece.
 */

ngx_int_t
ngx_http_portail_pdf_paragraph(ngx_http_portail_pdf_t *pdf, double x,
    double *y, double width, double size, double leading, ngx_uint_t bold,
    ngx_str_t *text)
{
    u_char  *w;
    size_t   n, start, i, brk;
    double   max, lw;

    w = ngx_pnalloc(pdf->pool, text->len + 1);
    if (w == NULL) {
        return NGX_ERROR;
    }

    n = ngx_http_portail_pdf_winansi(text, w);
    max = NGX_HTTP_PORTAIL_PDF_PT(width);
    start = 0;

    while (start < n) {

        while (start < n && w[start] == ' ') {
            start++;
        }

        if (start == n) {
            break;
        }

        lw = 0;
        brk = 0;

        for (i = start; i < n; i++) {

            if (w[i] == ' ' && i > start
                && !(i + 1 < n && w[i + 1] == 0x80)
                && !(w[i - 1] >= '0' && w[i - 1] <= '9'
                     && i + 1 < n && w[i + 1] >= '0' && w[i + 1] <= '9'))
            {
                if (lw > max && brk) {
                    break;
                }

                brk = i;
            }

            lw += ngx_http_portail_pdf_width(&w[i], 1, size, bold);
        }

        if (i == n && lw > max && brk) {
            i = brk;

        } else if (i < n) {
            i = brk;
        }

        if (ngx_http_portail_pdf_show(pdf, x, *y, size, bold, 0, &w[start],
                                      i - start)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        *y += leading;
        start = i;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_portail_pdf_line(ngx_http_portail_pdf_t *pdf, double x1, double y1,
    double x2, double y2)
{
    return ngx_http_portail_pdf_op(pdf, 0, "0.5 w %i.%02i %i.%02i m "
              "%i.%02i %i.%02i l S",
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_PT(x1)),
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_HEIGHT
                                       - NGX_HTTP_PORTAIL_PDF_PT(y1)),
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_PT(x2)),
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_HEIGHT
                                       - NGX_HTTP_PORTAIL_PDF_PT(y2)));
}


/* a grey box (grey: 0 black .. 100 white), behind what is drawn after */

ngx_int_t
ngx_http_portail_pdf_box(ngx_http_portail_pdf_t *pdf, double x, double y,
    double w, double h, ngx_uint_t grey)
{
    return ngx_http_portail_pdf_op(pdf, 0, "q 0.%02ui g %i.%02i %i.%02i "
              "%i.%02i %i.%02i re f Q",
              ngx_min(grey, 99),
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_PT(x)),
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_HEIGHT
                                       - NGX_HTTP_PORTAIL_PDF_PT(y + h)),
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_PT(w)),
              NGX_HTTP_PORTAIL_PDF_NUM(NGX_HTTP_PORTAIL_PDF_PT(h)));
}


/*
 * A text string of the document's information dictionary: UTF-16BE with
 * its byte order mark, in hexadecimal (PDF 1.4, 3.8.1): PDFDocEncoding
 * has no euro sign where WinAnsi has it.  Room: 6 + 8 per input byte.
 */

static u_char *
ngx_http_portail_pdf_utf16(u_char *p, ngx_str_t *utf8)
{
    u_char    *s, *end, *prev;
    uint32_t   cp;

    p = ngx_cpymem(p, "<FEFF", 5);

    s = utf8->data;
    end = s + utf8->len;

    while (s < end) {

        if (*s < 0x80) {
            cp = *s++;

        } else {
            prev = s;
            cp = ngx_utf8_decode(&s, end - s);

            if (cp > 0x10ffff) {
                if (s == prev) {
                    s++;
                }

                cp = 0xfffd;
            }
        }

        if (cp < 0x20) {
            cp = ' ';
        }

        if (cp >= 0x10000) {
            cp -= 0x10000;
            p = ngx_sprintf(p, "%04XD%04XD", 0xd800 + (cp >> 10),
                            0xdc00 + (cp & 0x3ff));

        } else {
            p = ngx_sprintf(p, "%04XD", cp);
        }
    }

    *p++ = '>';

    return p;
}


/* the whole file, in the pool */

ngx_int_t
ngx_http_portail_pdf_finish(ngx_http_portail_pdf_t *pdf, ngx_str_t *out)
{
    u_char      *p;
    size_t       size, len;
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

    if (z == NULL || offsets == NULL) {
        return NGX_ERROR;
    }

    size = 4096 + 8 * (pdf->title.len + pdf->author.len) + 20 * nobjs;

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
        size += zlen + 512;
    }

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
    p = ngx_sprintf(p, "5 0 obj\n<< /Title ");
    p = ngx_http_portail_pdf_utf16(p, &pdf->title);
    p = ngx_sprintf(p, " /Author ");
    p = ngx_http_portail_pdf_utf16(p, &pdf->author);
    p = ngx_sprintf(p, " /Producer (portail) >>\nendobj\n");

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

    if (out->len > size) {
        /* the estimate above is wrong: a bug, and memory overwritten */
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "portail: PDF of %uz bytes in a buffer of %uz",
                      out->len, size);
        return NGX_ERROR;
    }

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


ngx_int_t
ngx_http_portail_pdf_field(ngx_http_portail_pdf_t *pdf, double *y,
    ngx_str_t *label, ngx_str_t *value)
{
    if (value->len == 0) {
        return NGX_OK;
    }

    if (ngx_http_portail_pdf_text(pdf, 20, *y, 10, 1, 0, label) != NGX_OK
        || ngx_http_portail_pdf_paragraph(pdf, 80, y, 110, 10, 4.6, 0, value)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    *y += 2;

    return NGX_OK;
}
