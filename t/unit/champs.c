/*
 * Unit test of the field checks and parsers of lib/ (text, account, ids,
 * contact, payment, forms, files): what each accepts, refuses and gives
 * back, on the examples of the office's guide and of the bank's and the
 * provider's formats.  Built and run by t/007-champs-lib.t; prints TAP.
 */

#include <stdio.h>
#include <string.h>

#include "ngx_http_portail_validate.h"


static int  tests;
static int  failed;


static void
ok(int cond, const char *what)
{
    tests++;
    printf("%s %d - %s\n", cond ? "ok" : "not ok", tests, what);
    failed += !cond;
}


#define S(s)  (const unsigned char *) (s), sizeof(s) - 1


static int
same(const unsigned char *got, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(got, want, len) == 0;
}


static void
text(void)
{
    ok(portail_utf8_chars(S("Nguyễn")) == 6, "Nguyễn is 6 code points");
    ok(portail_utf8_chars(S("a\xc0\xaf")) == -1, "an overlong sequence is refused");
    ok(portail_utf8_chars(S("\xed\xa0\x80")) == -1, "a surrogate is refused");
    ok(portail_utf8_chars(S("a\x01")) == -1, "a control character is refused");
    ok(portail_text_chars(S("ligne 1\r\nligne 2")) == 15, "a CR LF pair counts once in a text area");
    ok(portail_text_chars(S("tab\there")) == 8, "a tab is allowed in a text area");
    ok(portail_text_blank(S(" \r\n\t ")), "only white space is blank");
    ok(!portail_text_blank(S(" x ")), "a letter is not blank");
    ok(portail_hex_digit('F') == 15 && portail_hex_digit('a') == 10
       && portail_hex_digit('g') == -1, "hexadecimal digits");
}


static void
account(void)
{
    unsigned char  email[PORTAIL_EMAIL_MAX], ref[PORTAIL_REFERENCE_LEN];
    size_t         n;

    ok(portail_check_email(S("  Jean.MARTIN@Example.org "), email, &n) == NULL
       && same(email, n, "jean.martin@example.org"),
       "an e-mail address trimmed and lower-cased");
    ok(portail_check_email(S("jean@localhost"), email, &n) != NULL,
       "an address on a bare host name is refused");
    ok(portail_check_email(S("jean martin@example.org"), email, &n) != NULL,
       "a space in the address is refused");

    ok(portail_check_reference(S("L/1234567"), ref) == NULL
       && memcmp(ref, "1234567", 7) == 0, "a reference as the guide writes it");
    ok(portail_check_reference(S("l 1234567"), ref) == NULL
       && memcmp(ref, "1234567", 7) == 0, "lower case and a space");
    ok(portail_check_reference(S("123456"), ref) != NULL, "six digits are refused");

    ok(portail_check_nom(S("Martin-Leroy")) == NULL, "a compound name");
    ok(portail_check_nom(S("")) != NULL, "an empty name is refused");
}


static void
ids(void)
{
    unsigned char  token[32], contrat[PORTAIL_REFERENCE_LEN];
    unsigned       annee, mois;
    uint64_t       v;

    ok(portail_parse_number(S("42"), 100, &v) == 0 && v == 42, "a number");
    ok(portail_parse_number(S("101"), 100, &v) != 0, "over its maximum");
    ok(portail_parse_number(S("4a"), 100, &v) != 0, "not only digits");
    ok(portail_parse_number(S(""), 100, &v) != 0, "nothing");

    ok(portail_quittance_id(S("q-2013936-2025-10"), contrat, &annee, &mois) == 0
       && memcmp(contrat, "2013936", 7) == 0 && annee == 2025 && mois == 10,
       "a quittance id");
    ok(portail_quittance_id(S("q-2013936-2025-13"), contrat, &annee, &mois) != 0,
       "a thirteenth month is refused");

    ok(portail_token_decode(S("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), token) == 0,
       "a token of 43 base64url characters");
    ok(portail_token_decode(S("AAAA"), token) != 0, "a short token is refused");
}


static void
contact(void)
{
    unsigned char  phone[PORTAIL_PHONE_MAX], loc[PORTAIL_LOCALITE_MAX];
    size_t         n;
    int            y, m, d;

    ok(portail_check_phone(S("06 12 34 56 78"), phone, &n) == NULL
       && same(phone, n, "+33612345678"), "a French mobile into E.164");
    ok(portail_check_phone(S("+33 (0)5 46 00 49 94"), phone, &n) == NULL
       && same(phone, n, "+33546004994"), "+33 (0) as people write it");
    ok(portail_check_phone(S("06 12"), phone, &n) != NULL, "too short");

    ok(portail_parse_date(S("2024-02-29"), &y, &m, &d) == 0
       && y == 2024 && m == 2 && d == 29, "29 February of a leap year");
    ok(portail_parse_date(S("2025-02-29"), &y, &m, &d) != 0,
       "29 February of another year is refused");

    ok(portail_check_localite(S("La Rochelle"), loc, &n) == NULL
       && same(loc, n, "LA ROCHELLE"), "a locality in capitals");
    ok(portail_check_localite(S("Saint-Étienne"), loc, &n) == NULL
       && same(loc, n, "SAINT-ETIENNE"), "without accents");
    ok(portail_check_code_postal(S("17000")) == NULL, "a postcode");
    ok(portail_check_code_postal(S("1700")) != NULL, "four digits are refused");
}


static void
payment(void)
{
    unsigned char    iban[PORTAIL_IBAN_MAX], bic[PORTAIL_BIC_MAX];
    char             sig[PORTAIL_SIGNATURE_LEN];
    size_t           n;
    portail_field_t  f[3];

    ok(portail_check_iban(S("fr76 3000 6000 0112 3456 7890 189"), iban, &n) == NULL
       && same(iban, n, "FR7630006000011234567890189"), "an IBAN as typed, compacted");
    ok(portail_check_iban(S("FR76 3000 6000 0112 3456 7890 188"), iban, &n) != NULL,
       "a wrong check digit is refused");
    ok(portail_check_iban(S("US12345678901234"), iban, &n) != NULL,
       "a country outside SEPA is refused");
    ok(portail_check_bic(S("agrifrpp"), bic, &n) == NULL && same(bic, n, "AGRIFRPP"),
       "a BIC of 8 characters, upper case");
    ok(portail_check_bic(S("AGRIFRP"), bic, &n) != NULL, "seven characters are refused");

    /* the provider's example: values sorted by name, "+", the key */
    f[0].name = (const unsigned char *) "vads_ctx_mode";
    f[0].name_len = 13;
    f[0].value = (const unsigned char *) "TEST";
    f[0].value_len = 4;
    f[1].name = (const unsigned char *) "vads_amount";
    f[1].name_len = 11;
    f[1].value = (const unsigned char *) "100";
    f[1].value_len = 3;
    f[2].name = (const unsigned char *) "signature";
    f[2].name_len = 9;
    f[2].value = (const unsigned char *) "ignored";
    f[2].value_len = 7;

    ok(portail_payment_signature(f, 3, S("cle-de-test-0001"), sig) == 0
       && strcmp(sig, "4xSzju6+XVeEH8keEOPyeij3UKrXi9jwJyiuXu2ZZV4=") == 0,
       "the form's signature: HMAC-SHA-256 of the sorted vads_ values and the key");

    f[0] = f[1];
    ok(portail_payment_signature(f, 2, S("cle-de-test-0001"), sig) != 0,
       "a vads_ field given twice is refused");
}


static void
forms(void)
{
    unsigned char         body[] = "a=1&&b=%C3%A9t%C3%A9+x&c";
    unsigned char         bad[] = "a=%zz";
    portail_form_t        form;
    portail_field_t       f;
    portail_multipart_t   mp;
    portail_part_t        part;
    const unsigned char  *boundary;
    size_t                blen;
    static const char     mpbody[] =
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"piece\"; filename=\"avis.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF-1.4\r\n"
        "--XyZ--\r\n";

    portail_form_init(&form, body, sizeof(body) - 1);
    ok(portail_form_next(&form, &f) == 1 && same(f.name, f.name_len, "a")
       && same(f.value, f.value_len, "1"), "a form's first field");
    ok(portail_form_next(&form, &f) == 1 && same(f.value, f.value_len, "été x"),
       "%XX and + decoded, an empty piece skipped");
    ok(portail_form_next(&form, &f) == 1 && same(f.name, f.name_len, "c")
       && f.value_len == 0, "a name without = has an empty value");
    ok(portail_form_next(&form, &f) == 0, "the end");

    portail_form_init(&form, bad, sizeof(bad) - 1);
    ok(portail_form_next(&form, &f) == -1, "a bad escape is refused");

    ok(portail_multipart_boundary(S("multipart/form-data; boundary=XyZ"),
                                  &boundary, &blen) == 0
       && same(boundary, blen, "XyZ"), "the multipart boundary");
    ok(portail_multipart_init(&mp, (const unsigned char *) mpbody,
                              sizeof(mpbody) - 1, boundary, blen) == 0
       && portail_multipart_next(&mp, &part) == 1
       && same(part.name, part.name_len, "piece")
       && same(part.filename, part.filename_len, "avis.pdf")
       && same(part.data, part.data_len, "%PDF-1.4"),
       "a file part: its name, file name and bytes");
    ok(portail_multipart_next(&mp, &part) == 0, "then the end");
}


static void
files(void)
{
    unsigned char  name[64];
    size_t         n;

    ok(portail_sniff(S("%PDF-1.7\n")) != NULL
       && strcmp(portail_sniff(S("%PDF-1.7\n")), "application/pdf") == 0,
       "a PDF by its content");
    ok(portail_sniff(S("\x89PNG\r\n\x1a\n0000")) != NULL, "a PNG by its content");
    ok(portail_sniff(S("MZ\x90\x00 a program")) == NULL, "a program is not a document");

    n = portail_filename_clean(S("../../etc/passwd"), name, sizeof(name));
    ok(same(name, n, "passwd"), "a path is reduced to its base name");
}


int
main(void)
{
    if (portail_validate_init() != 0) {
        printf("Bail out! portail_validate_init\n");
        return 1;
    }

    text();
    account();
    ids();
    contact();
    payment();
    forms();
    files();

    portail_validate_release();

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}
