/*
 * libFuzzer: the inspector of uploaded PDFs (libqpdf's reading, then the
 * walk of every object and stream) on any input.  Whatever the input, it
 * answers one of its verdicts with a NUL-terminated reason, and frees all
 * it took (LeakSanitizer).  Here it runs in the fuzzer's process, without
 * portail-pdfcheck's limits on memory and time: libFuzzer's own
 * (-rss_limit_mb) stand for them.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_portail_pdfcheck.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                   why[256];
    portail_pdf_verdict_e  verdict;

    memset(why, 'x', sizeof(why));

    verdict = portail_pdf_inspect(data, size, why, sizeof(why));

    if ((unsigned) verdict >= PORTAIL_PDF_VERDICTS
        || memchr(why, '\0', sizeof(why)) == NULL
        || portail_pdf_verdict_word(verdict) == NULL)
    {
        abort();
    }

    return 0;
}
