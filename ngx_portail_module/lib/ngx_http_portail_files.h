
/*
 * Uploaded files.
 */


#ifndef _NGX_HTTP_PORTAIL_FILES_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_FILES_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/*
 * Uploaded files: PDF, JPEG and PNG only, recognised by their content.
 * The MIME type, or NULL.
 */
const char *portail_sniff(const unsigned char *p, size_t len);

/*
 * What a file must not carry: JPEG and PNG metadata (EXIF, GPS position,
 * comments, text chunks) is removed in place.  Each returns NULL or the
 * French reason for refusing the file; len is updated.  PDFs are inspected
 * by portail_pdf_inspect() (ngx_http_portail_pdfcheck.h), in a process of
 * their own.
 */
const char *portail_jpeg_strip(unsigned char *p, size_t *len);
const char *portail_png_strip(unsigned char *p, size_t *len);

/* a file name as shown back to its owner: base name, no control characters */
size_t portail_filename_clean(const unsigned char *in, size_t len,
    unsigned char *out, size_t max);


#endif /* _NGX_HTTP_PORTAIL_FILES_H_INCLUDED_ */
