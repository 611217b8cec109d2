
/*
 * Request bodies, parsed in place.
 */


#ifndef _NGX_HTTP_PORTAIL_FORMS_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_FORMS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/* multipart/form-data, parsed in place */

typedef struct {
    const unsigned char  *name;
    size_t                name_len;
    const unsigned char  *filename;      /* NULL: a plain field */
    size_t                filename_len;
    const unsigned char  *data;
    size_t                data_len;
} portail_part_t;

typedef struct {
    const unsigned char  *pos;
    const unsigned char  *end;
    const unsigned char  *boundary;      /* without the leading "--" */
    size_t                boundary_len;
    int                   done;
} portail_multipart_t;

/* the boundary parameter of a Content-Type header; 0 or -1 */
int portail_multipart_boundary(const unsigned char *type, size_t len,
    const unsigned char **boundary, size_t *boundary_len);
int portail_multipart_init(portail_multipart_t *mp, const unsigned char *body,
    size_t len, const unsigned char *boundary, size_t boundary_len);
/* 1: a part, 0: the end, -1: malformed */
int portail_multipart_next(portail_multipart_t *mp, portail_part_t *part);


/* application/x-www-form-urlencoded */

/* one field of an application/x-www-form-urlencoded body, decoded */
typedef struct {
    const unsigned char  *name;
    size_t                name_len;
    const unsigned char  *value;
    size_t                value_len;
} portail_field_t;

typedef struct {
    unsigned char        *pos;
    unsigned char        *end;
} portail_form_t;

/*
 * application/x-www-form-urlencoded, decoded in place ("+" and %XX):
 * 1 a field, 0 the end, -1 malformed (a bad escape, a NUL, an empty name).
 * Empty pieces ("a=1&&b=2") are skipped; a piece without "=" is a field
 * with an empty value, as browsers read it.
 */
void portail_form_init(portail_form_t *f, unsigned char *body, size_t len);
int portail_form_next(portail_form_t *f, portail_field_t *field);


#endif /* _NGX_HTTP_PORTAIL_FORMS_H_INCLUDED_ */
