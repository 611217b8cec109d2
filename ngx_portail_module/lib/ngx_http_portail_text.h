
/*
 * UTF-8 and text areas.  Each check returns NULL when the value is
 * acceptable, or the French sentence to show next to the field (the same
 * in every header of lib/).
 */


#ifndef _NGX_HTTP_PORTAIL_TEXT_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_TEXT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/* code points in valid UTF-8 without control characters, or -1 */
long portail_utf8_chars(const unsigned char *s, size_t len);

/* one UTF-8 sequence decoded into cp: its length, or 0 when invalid */
size_t portail_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);

/* a hexadecimal digit's value, or -1 */
int portail_hex_digit(int c);

/*
 * Text areas (a request's description, a message): code points, a CR LF
 * pair counting as one, or -1 for invalid UTF-8 or control characters
 * other than tab and line breaks; and whether only white space was typed.
 */
long portail_text_chars(const unsigned char *s, size_t len);
int portail_text_blank(const unsigned char *s, size_t len);


#endif /* _NGX_HTTP_PORTAIL_TEXT_H_INCLUDED_ */
