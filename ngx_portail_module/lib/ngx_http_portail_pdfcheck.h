
/*
 * Uploaded PDFs inspected with libqpdf (ngx_http_portail_pdfcheck.c).
 *
 * Plain C on qpdf's C API, no nginx type.  It is not linked into the
 * module: it runs in a process of its own, pdfcheck/portail-pdfcheck,
 * whose limits (memory, processor time) keep a hostile file away from the
 * worker; the fuzzer links it directly.
 */


#ifndef _NGX_HTTP_PORTAIL_PDFCHECK_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_PDFCHECK_H_INCLUDED_


#include <stddef.h>


typedef enum {
    PORTAIL_PDF_OK = 0,
    /* scripts, actions that leave the document, embedded files, XFA, media */
    PORTAIL_PDF_ACTIVE,
    /* encrypted: what it holds cannot be inspected */
    PORTAIL_PDF_ENCRYPTED,
    /* qpdf cannot read it, or one of its streams cannot be decoded */
    PORTAIL_PDF_UNREADABLE,
    /* over the limits below */
    PORTAIL_PDF_TOO_COMPLEX,
    PORTAIL_PDF_VERDICTS
} portail_pdf_verdict_e;


/*
 * Limits of one inspection.  A genuine attestation or tax notice has a few
 * hundred objects and decodes to a few megabytes; a scanned document of
 * many pages to some hundreds.  The helper process adds its own limits on
 * memory and processor time, which also bound what qpdf decodes by itself
 * (cross-reference and object streams).
 */
#define PORTAIL_PDF_MAX_OBJECTS   500000      /* indirect objects walked */
#define PORTAIL_PDF_MAX_VALUES    8000000     /* values of every kind */
#define PORTAIL_PDF_MAX_DECODED   (512 * 1024 * 1024)  /* bytes, all streams */


/*
 * Inspects a PDF.  why receives, for the log, what was found and where
 * ("objet 12 0 : action /JavaScript"), NUL-terminated, at most size bytes.
 */
portail_pdf_verdict_e portail_pdf_inspect(const unsigned char *p, size_t len,
    char *why, size_t size);

/* the verdict's word in the helper's answer: "ok", "actif"... */
const char *portail_pdf_verdict_word(portail_pdf_verdict_e verdict);


#endif /* _NGX_HTTP_PORTAIL_PDFCHECK_H_INCLUDED_ */
