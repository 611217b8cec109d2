
/*
 * The judge of a new password: the office's published floor, then zxcvbn
 * with French words and the account's own words.  Registration, password
 * change, reset and POST /api/mot-de-passe/evaluation all ask it, so that
 * the page shows the verdict the submission gets.
 */


#ifndef _NGX_HTTP_PORTAIL_STRENGTH_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_STRENGTH_H_INCLUDED_


#include <stddef.h>


/*
 * zxcvbn's estimate below which a password is refused: 28 bits, about
 * 2.7 x 10^8 guesses (docs/security.md).
 */
#define PORTAIL_PASSWORD_MIN_BITS    28.0

#define PORTAIL_REASONS_MAX          8
#define PORTAIL_CONTEXT_WORDS_MAX    48


typedef struct {
    const char          *code;      /* stable: "trop_court", ... */
    const char          *message;   /* French, for the tenant */
} portail_reason_t;


/* what the account says about its owner, each field possibly empty */
typedef struct {
    const unsigned char *names;     /* first and last names, as typed */
    size_t               names_len;
    const unsigned char *email;
    size_t               email_len;
    const unsigned char *office;    /* portail_office_name */
    size_t               office_len;
} portail_password_context_t;


typedef struct {
    portail_reason_t     reasons[PORTAIL_REASONS_MAX];
    unsigned             n;
    double               bits;      /* zxcvbn's estimate, 0 if not run */
} portail_verdict_t;


/*
 * The office's floor alone (8 to 128 characters, 2 digits, 1 special
 * character): what can be said before the account is known.
 */
void portail_password_floor(const unsigned char *s, size_t len,
    portail_verdict_t *v);

/* the whole verdict: the floor, the account's words, the estimate */
void portail_password_judge(const unsigned char *s, size_t len,
    const portail_password_context_t *ctx, portail_verdict_t *v);


extern const char    *portail_french_words[];
extern const size_t   portail_french_words_n;


#endif /* _NGX_HTTP_PORTAIL_STRENGTH_H_INCLUDED_ */
