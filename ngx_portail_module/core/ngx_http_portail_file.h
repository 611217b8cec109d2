
/*
 * Files kept in PostgreSQL (ngx_http_portail_file.c): sent in slices, and
 * the attachments of requests and surveys, received and downloaded.
 */


#ifndef _NGX_HTTP_PORTAIL_FILE_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_FILE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>
#include "ngx_http_portail_request.h"


#define NGX_HTTP_PORTAIL_SLICE            (256 * 1024)
#define NGX_HTTP_PORTAIL_MAX_FILES  5


/*
 * The three statements of an attachment's download: the owner check with
 * the name, type and size; the first slice; the next slices.  visible is a
 * SQL function (account, parent id, attachment id) returning the row.
 */

#define NGX_HTTP_PORTAIL_PIECE_STMTS(name, visible, table)                    \
    { name, "SELECT s.compte_id, s.session_id, s.a_toucher, p.nom_origine,"   \
      " p.mime, p.taille FROM portail.session_valide($1::bytea) s"            \
      " LEFT JOIN LATERAL portail." visible "(s.compte_id, $2::bigint,"       \
      " $3::bigint) p ON true", 3, 0 },                                       \
    { name "_debut", "SELECT substring(p.contenu FROM 1 FOR $4::integer)"    \
      " FROM portail.session_valide($1::bytea) s, LATERAL portail." visible  \
      "(s.compte_id, $2::bigint, $3::bigint) p", 4, 0 },                      \
    { name "_tranche", "SELECT substring(contenu FROM $2::integer"           \
      " FOR $3::integer) FROM portail." table " WHERE id = $1::bigint", 3, 0 }

typedef struct {
    json_t                           *meta;    /* [{nom, mime, sha256...}] */
    ngx_http_portail_part_t          *parts[NGX_HTTP_PORTAIL_MAX_FILES];
    ngx_uint_t                        n;
} ngx_http_portail_files_t;

typedef struct {
    ngx_http_portail_stmt_t          *info;    /* session, nom, mime, taille */
    ngx_http_portail_stmt_t          *first;   /* the first slice (binary) */
    ngx_http_portail_stmt_t          *slice;   /* $1 id, $2 offset, $3 length */
} ngx_http_portail_piece_stmts_t;


ngx_int_t ngx_http_portail_send_file(ngx_http_request_t *r,
    ngx_str_t *filename, ngx_str_t *mime, off_t size, ngx_str_t *first,
    ngx_http_portail_stmt_t *slice, ngx_str_t *id);
ngx_int_t ngx_http_portail_files_collect(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, const char *field, const char *nature,
    ngx_http_portail_files_t *files, json_t *champs);
ngx_int_t ngx_http_portail_files_params(ngx_http_portail_pg_query_t *q,
    ngx_http_portail_pg_call_t *call, ngx_http_portail_files_t *files);
ngx_int_t ngx_http_portail_piece_get(ngx_http_request_t *r,
    ngx_http_portail_ctx_t *ctx, ngx_http_portail_piece_stmts_t *stmts);


#endif /* _NGX_HTTP_PORTAIL_FILE_H_INCLUDED_ */
