
/*
 * Uploaded PDFs inspected with libqpdf.
 *
 * The file is read as a reader reads it: its cross-reference table or
 * streams, its object streams, whatever their filters.  A file qpdf can
 * only read by rebuilding a broken cross-reference table is refused, and
 * so is one where qpdf had to warn about its structure (an object not
 * where the table says, an object stream without its objects): qpdf then
 * reads null where another reader, rebuilding the table, could find an
 * object qpdf did not see.  Warnings about a stream's data only (a Flate
 * stream cut short) are no such risk.  Then every object is walked, those
 * reachable from the trailer (every reference followed) and every object
 * number below /Size, and every stream is decoded through its filters.
 *
 * What is refused, and why:
 *
 *   - actions that run code, leave the document or play media, wherever
 *     they are (/S /JavaScript, /Launch, /URI, /SubmitForm, /ImportData,
 *     /GoToR, /GoToE, /GoTo3DView, /RichMediaExecute, /Rendition, /Sound,
 *     /Movie; /Thread with a file): a click on a link in an attestation
 *     must not lead office staff anywhere;
 *   - /JS and /JavaScript (scripts, the document's script name tree),
 *     wherever they are;
 *   - what runs without a click, /OpenAction and additional actions
 *     (/AA), unless they only go to a page of the document: a destination,
 *     or a /GoTo action whose /Next actions are /GoTo too;
 *   - embedded files (/EmbeddedFiles, /EF, /Type /EmbeddedFile, file
 *     attachment annotations), XFA forms (/XFA), media and 3D annotations
 *     (/Sound, /Movie, /Screen, /RichMedia, /3D) and PostScript XObjects
 *     (/PS, which printers run);
 *   - encrypted files (their content cannot be inspected without the
 *     password, and with an empty one, what is stored stays encrypted);
 *   - what qpdf cannot read, and streams whose filters it cannot decode,
 *     images excepted (DCT, JPX, JBIG2 and CCITT data are left to the
 *     viewer's image decoders, and hold no object).
 *
 * Accepted: links and outlines within the document (/GoTo, /Named,
 * /Hide, /SetOCGState, /ResetForm, /Trans, /Thread within it), an
 * /OpenAction that opens a page ([3 0 R /Fit]), AcroForm fields without
 * scripts, everything genuine documents are made of.
 *
 * No nginx type: see ngx_http_portail_pdfcheck.h.
 */


#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>

#include "ngx_http_portail_pdfcheck.h"


typedef struct {
    qpdf_oh                   oh;
    int                       id;     /* the object it is part of; 0: trailer */
    int                       gen;
} portail_pdf_item_t;


typedef struct {
    qpdf_data                 q;
    portail_pdf_item_t       *stack;  /* what is left to visit */
    size_t                    n;
    size_t                    cap;
    uint64_t                 *seen;   /* (id << 32 | gen) + 1; 0: free */
    size_t                    nseen;
    size_t                    seen_cap;
    size_t                    values;
    size_t                    decoded;
    int                       id;     /* the object being visited */
    int                       gen;
    portail_pdf_verdict_e     verdict;
    char                     *why;
    size_t                    size;
} portail_pdf_walk_t;


static int portail_pdf_fail(portail_pdf_walk_t *w,
    portail_pdf_verdict_e verdict, const char *fmt, ...);
static int portail_pdf_error(portail_pdf_walk_t *w);
static int portail_pdf_warning(portail_pdf_walk_t *w);
static void portail_pdf_drain(portail_pdf_walk_t *w);
static int portail_pdf_push(portail_pdf_walk_t *w, qpdf_oh oh);
static int portail_pdf_child(portail_pdf_walk_t *w, qpdf_oh oh);
static size_t portail_pdf_slot(uint64_t *seen, size_t cap, uint64_t key);
static int portail_pdf_seen(portail_pdf_walk_t *w, int id, int gen);
static void portail_pdf_walk(portail_pdf_walk_t *w);
static int portail_pdf_visit(portail_pdf_walk_t *w, portail_pdf_item_t *item);
static int portail_pdf_dict(portail_pdf_walk_t *w, qpdf_oh dict);
static int portail_pdf_automatic(portail_pdf_walk_t *w, qpdf_oh oh,
    const char *where, int depth);
static int portail_pdf_additional(portail_pdf_walk_t *w, qpdf_oh aa);
static int portail_pdf_stream(portail_pdf_walk_t *w, qpdf_oh stream);
static const char *portail_pdf_name(portail_pdf_walk_t *w, qpdf_oh dict,
    const char *key, char *buf, size_t size);
static int portail_pdf_in(const char *name, const char *const *list);


/* action types refused wherever they are */
static const char *const  portail_pdf_actions[] = {
    "/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData",
    "/GoToR", "/GoToE", "/GoTo3DView", "/RichMediaExecute", "/Rendition",
    "/Sound", "/Movie", NULL
};

/* keys refused wherever they are */
static const char *const  portail_pdf_keys[] = {
    "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", NULL
};

/* annotations and XObjects refused */
static const char *const  portail_pdf_subtypes[] = {
    "/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D",
    "/PS", NULL
};

/* the filters of image data, which qpdf does not decode */
static const char *const  portail_pdf_image_filters[] = {
    "/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode",
    "/CCF", NULL
};

static const char *const  portail_pdf_words[] = {
    "ok", "actif", "chiffre", "illisible", "complexe"
};


const char *
portail_pdf_verdict_word(portail_pdf_verdict_e verdict)
{
    return verdict < PORTAIL_PDF_VERDICTS ? portail_pdf_words[verdict]
                                          : "illisible";
}


portail_pdf_verdict_e
portail_pdf_inspect(const unsigned char *p, size_t len, char *why,
    size_t size)
{
    int                 id, objects;
    qpdf_oh             trailer, oh;
    QPDF_ERROR_CODE     rc;
    portail_pdf_walk_t  w;

    memset(&w, 0, sizeof(w));
    w.why = why;
    w.size = size;

    if (size) {
        why[0] = '\0';
    }

    /* qpdf would look for the header further in: a PDF starts with it */
    if (len < 8 || memcmp(p, "%PDF-", 5) != 0) {
        (void) portail_pdf_fail(&w, PORTAIL_PDF_UNREADABLE,
                                "pas d'en-tête %%PDF-");
        return w.verdict;
    }

    w.q = qpdf_init();

    /* errors are asked for after each call; nothing goes to stderr */
    qpdf_silence_errors(w.q);
    qpdf_set_suppress_warnings(w.q, QPDF_TRUE);
    qpdf_set_attempt_recovery(w.q, QPDF_FALSE);

    rc = qpdf_read_memory(w.q, "pdf", (const char *) p, len, "");

    if (((rc & QPDF_ERRORS) && portail_pdf_error(&w) != 0)
        || portail_pdf_warning(&w) != 0)
    {
        goto done;
    }

    if (qpdf_is_encrypted(w.q)) {
        (void) portail_pdf_fail(&w, PORTAIL_PDF_ENCRYPTED, "/Encrypt");
        goto done;
    }

    trailer = qpdf_get_trailer(w.q);

    if (portail_pdf_error(&w) != 0) {
        goto done;
    }

    oh = qpdf_oh_get_key(w.q, trailer, "/Size");
    objects = qpdf_oh_is_integer(w.q, oh) ? qpdf_oh_get_int_value_as_int(w.q,
                                                                         oh)
                                          : 0;
    qpdf_oh_release(w.q, oh);

    if (objects > PORTAIL_PDF_MAX_OBJECTS) {
        (void) portail_pdf_fail(&w, PORTAIL_PDF_TOO_COMPLEX,
                                "/Size %d", objects);
        goto done;
    }

    /* what a reader can reach, then what it could find by number */

    if (portail_pdf_push(&w, trailer) != 0) {
        goto done;
    }

    portail_pdf_walk(&w);

    for (id = 1; id < objects && w.verdict == PORTAIL_PDF_OK; id++) {
        w.id = 0;
        w.gen = 0;

        if (portail_pdf_push(&w, qpdf_get_object_by_id(w.q, id, 0)) != 0) {
            break;
        }

        portail_pdf_walk(&w);
    }

    if (w.verdict == PORTAIL_PDF_OK && size) {
        snprintf(why, size, "%zu objets, %zu octets décodés", w.nseen,
                 w.decoded);
    }

done:

    free(w.stack);
    free(w.seen);

    /* every handle and every string qpdf returned goes with it */
    qpdf_cleanup(&w.q);

    return w.verdict;
}


/* the first refusal is the one kept; -1, for the callers to return */

static int
portail_pdf_fail(portail_pdf_walk_t *w, portail_pdf_verdict_e verdict,
    const char *fmt, ...)
{
    int      n;
    va_list  args;

    if (w->verdict != PORTAIL_PDF_OK) {
        return -1;
    }

    w->verdict = verdict;

    if (w->size == 0) {
        return -1;
    }

    n = w->id ? snprintf(w->why, w->size, "objet %d %d : ", w->id, w->gen)
              : 0;

    if (n < 0 || (size_t) n >= w->size) {
        n = 0;
    }

    va_start(args, fmt);
    (void) vsnprintf(w->why + n, w->size - n, fmt, args);
    va_end(args);

    return -1;
}


/*
 * An error qpdf reported to the last call, if any.  A password asked for
 * is an encrypted file.  Memory running out (the helper's limit) shows as
 * std::bad_alloc, in the error or in the warning of the stream that was
 * being decoded.
 */

static int
portail_pdf_error(portail_pdf_walk_t *w)
{
    int         memory;
    char        text[256];
    qpdf_error  e;

    if (!qpdf_has_error(w->q)) {
        return 0;
    }

    e = qpdf_get_error(w->q);

    if (e && qpdf_get_error_code(w->q, e) == qpdf_e_password) {
        return portail_pdf_fail(w, PORTAIL_PDF_ENCRYPTED,
                                "protégé par un mot de passe");
    }

    snprintf(text, sizeof(text), "%s",
             e ? qpdf_get_error_full_text(w->q, e) : "erreur de qpdf");

    memory = (strstr(text, "bad_alloc") != NULL);

    while (!memory && qpdf_more_warnings(w->q)) {
        e = qpdf_next_warning(w->q);
        memory = (e && strstr(qpdf_get_error_full_text(w->q, e), "bad_alloc"));
    }

    return portail_pdf_fail(w, memory ? PORTAIL_PDF_TOO_COMPLEX
                                      : PORTAIL_PDF_UNREADABLE,
                            "%s", memory ? "mémoire épuisée" : text);
}


/*
 * A warning about the file's structure: what qpdf read may not be all.
 * Memory running out while qpdf decoded an object stream is one too.
 */

static int
portail_pdf_warning(portail_pdf_walk_t *w)
{
    qpdf_error   e;
    const char  *text;

    if (!qpdf_more_warnings(w->q)) {
        return 0;
    }

    e = qpdf_next_warning(w->q);
    text = e ? qpdf_get_error_full_text(w->q, e) : "avertissement de qpdf";

    if (strstr(text, "bad_alloc")) {
        (void) portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX, "mémoire épuisée");

    } else {
        (void) portail_pdf_fail(w, PORTAIL_PDF_UNREADABLE, "%s", text);
    }

    portail_pdf_drain(w);

    return -1;
}


/* warnings about a stream's data: nothing hides behind them */

static void
portail_pdf_drain(portail_pdf_walk_t *w)
{
    while (qpdf_more_warnings(w->q)) {
        (void) qpdf_next_warning(w->q);
    }
}


static int
portail_pdf_push(portail_pdf_walk_t *w, qpdf_oh oh)
{
    size_t               cap;
    portail_pdf_item_t  *stack;

    if (w->n == w->cap) {
        cap = w->cap ? 2 * w->cap : 256;
        stack = realloc(w->stack, cap * sizeof(portail_pdf_item_t));

        if (stack == NULL) {
            qpdf_oh_release(w->q, oh);
            return portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX,
                                    "mémoire épuisée");
        }

        w->stack = stack;
        w->cap = cap;
    }

    w->stack[w->n].oh = oh;
    w->stack[w->n].id = w->id;
    w->stack[w->n].gen = w->gen;
    w->n++;

    return 0;
}


/*
 * A value inside the object being visited: references and containers are
 * visited later, other values (numbers, names, strings) have nothing more
 * to show and are released at once.
 */

static int
portail_pdf_child(portail_pdf_walk_t *w, qpdf_oh oh)
{
    enum qpdf_object_type_e  type;

    if (++w->values > PORTAIL_PDF_MAX_VALUES) {
        qpdf_oh_release(w->q, oh);
        return portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX,
                                "plus de %d valeurs", PORTAIL_PDF_MAX_VALUES);
    }

    if (qpdf_oh_is_indirect(w->q, oh)) {
        return portail_pdf_push(w, oh);
    }

    type = qpdf_oh_get_type_code(w->q, oh);

    if (type == ot_array || type == ot_dictionary || type == ot_stream) {
        return portail_pdf_push(w, oh);
    }

    qpdf_oh_release(w->q, oh);

    return portail_pdf_error(w);
}


/* open addressing: a multiplicative hash, linear probing */

static size_t
portail_pdf_slot(uint64_t *seen, size_t cap, uint64_t key)
{
    size_t  i, mask;

    mask = cap - 1;

    for (i = (size_t) ((key * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
         seen[i] != 0 && seen[i] != key;
         i = (i + 1) & mask)
    {
        /* void */
    }

    return i;
}


/* 1: that object was visited already; -1: no memory */

static int
portail_pdf_seen(portail_pdf_walk_t *w, int id, int gen)
{
    size_t     i, cap;
    uint64_t   key, *seen;

    if (2 * (w->nseen + 1) > w->seen_cap) {
        cap = w->seen_cap ? 2 * w->seen_cap : 1024;

        seen = calloc(cap, sizeof(uint64_t));
        if (seen == NULL) {
            return -1;
        }

        for (i = 0; i < w->seen_cap; i++) {
            if (w->seen[i]) {
                seen[portail_pdf_slot(seen, cap, w->seen[i])] = w->seen[i];
            }
        }

        free(w->seen);
        w->seen = seen;
        w->seen_cap = cap;
    }

    key = (((uint64_t) (uint32_t) id << 32) | (uint32_t) gen) + 1;
    i = portail_pdf_slot(w->seen, w->seen_cap, key);

    if (w->seen[i] == key) {
        return 1;
    }

    w->seen[i] = key;
    w->nseen++;

    return 0;
}


static void
portail_pdf_walk(portail_pdf_walk_t *w)
{
    portail_pdf_item_t  item;

    while (w->n && w->verdict == PORTAIL_PDF_OK) {
        item = w->stack[--w->n];

        if (portail_pdf_visit(w, &item) == 0) {
            (void) portail_pdf_warning(w);
        }

        qpdf_oh_release(w->q, item.oh);
    }
}


static int
portail_pdf_visit(portail_pdf_walk_t *w, portail_pdf_item_t *item)
{
    int                      i, n, rc;
    qpdf_oh                  oh, dict;
    enum qpdf_object_type_e  type;

    oh = item->oh;
    w->id = item->id;
    w->gen = item->gen;

    if (qpdf_oh_is_indirect(w->q, oh)) {
        w->id = qpdf_oh_get_object_id(w->q, oh);
        w->gen = qpdf_oh_get_generation(w->q, oh);

        rc = portail_pdf_seen(w, w->id, w->gen);

        if (rc == 1) {
            return 0;
        }

        if (rc < 0) {
            return portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX,
                                    "mémoire épuisée");
        }

        if (w->nseen > PORTAIL_PDF_MAX_OBJECTS) {
            return portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX,
                                    "plus de %d objets",
                                    PORTAIL_PDF_MAX_OBJECTS);
        }
    }

    /* resolves a reference: parses the object, maybe its object stream */
    type = qpdf_oh_get_type_code(w->q, oh);

    if (portail_pdf_error(w) != 0) {
        return -1;
    }

    switch (type) {

    case ot_array:
        n = qpdf_oh_get_array_n_items(w->q, oh);

        for (i = 0; i < n; i++) {
            if (portail_pdf_child(w, qpdf_oh_get_array_item(w->q, oh, i))
                != 0)
            {
                return -1;
            }
        }

        return portail_pdf_error(w);

    case ot_dictionary:
        return portail_pdf_dict(w, oh);

    case ot_stream:
        dict = qpdf_oh_get_dict(w->q, oh);
        rc = portail_pdf_dict(w, dict);
        qpdf_oh_release(w->q, dict);

        return rc == 0 ? portail_pdf_stream(w, oh) : rc;

    default:
        return 0;
    }
}


/* a dictionary (a stream's too): the rules, then its values */

static int
portail_pdf_dict(portail_pdf_walk_t *w, qpdf_oh dict)
{
    int          rc;
    char        *keys, *k;
    char         s[64], type[64], subtype[64];
    size_t       len, used, cap, off;
    qpdf_oh      v;
    const char  *key, *action, *t, *st;

    action = portail_pdf_name(w, dict, "/S", s, sizeof(s));
    t = portail_pdf_name(w, dict, "/Type", type, sizeof(type));
    st = portail_pdf_name(w, dict, "/Subtype", subtype, sizeof(subtype));

    if (portail_pdf_error(w) != 0) {
        return -1;
    }

    if (action && portail_pdf_in(action, portail_pdf_actions)) {
        return portail_pdf_fail(w, PORTAIL_PDF_ACTIVE, "action %s", action);
    }

    if (action && strcmp(action, "/Thread") == 0
        && qpdf_oh_has_key(w->q, dict, "/F"))
    {
        return portail_pdf_fail(w, PORTAIL_PDF_ACTIVE,
                                "action /Thread vers un autre fichier");
    }

    if (t && strcmp(t, "/EmbeddedFile") == 0) {
        return portail_pdf_fail(w, PORTAIL_PDF_ACTIVE, "/Type %s", t);
    }

    if (st && portail_pdf_in(st, portail_pdf_subtypes)) {
        return portail_pdf_fail(w, PORTAIL_PDF_ACTIVE, "/Subtype %s", st);
    }

    /*
     * The keys are copied first: qpdf iterates over one dictionary at a
     * time, and /AA is a dictionary whose keys are needed too.
     */

    keys = NULL;
    used = 0;
    cap = 0;

    qpdf_oh_begin_dict_key_iter(w->q, dict);

    while (qpdf_oh_dict_more_keys(w->q)) {
        key = qpdf_oh_dict_next_key(w->q);
        len = strlen(key) + 1;

        if (used + len > cap) {
            cap = 2 * (used + len) + 256;
            k = realloc(keys, cap);

            if (k == NULL) {
                free(keys);
                return portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX,
                                        "mémoire épuisée");
            }

            keys = k;
        }

        memcpy(keys + used, key, len);
        used += len;
    }

    rc = portail_pdf_error(w);

    for (off = 0; rc == 0 && off < used; off += strlen(k) + 1) {
        k = keys + off;

        if (portail_pdf_in(k, portail_pdf_keys)) {
            rc = portail_pdf_fail(w, PORTAIL_PDF_ACTIVE, "clé %s", k);
            break;
        }

        v = qpdf_oh_get_key(w->q, dict, k);

        if (strcmp(k, "/OpenAction") == 0) {
            rc = portail_pdf_automatic(w, v, "/OpenAction", 0);

        } else if (strcmp(k, "/AA") == 0) {
            rc = portail_pdf_additional(w, v);
        }

        if (rc != 0) {
            qpdf_oh_release(w->q, v);
            break;
        }

        rc = portail_pdf_child(w, v);
    }

    free(keys);

    return rc;
}


/*
 * What runs without a click (/OpenAction, an entry of /AA): a destination
 * (an array, or a name or string naming one), or a /GoTo action whose
 * /Next actions, if any, are /GoTo too.  A dictionary without /S is no
 * action: readers ignore it.
 */

static int
portail_pdf_automatic(portail_pdf_walk_t *w, qpdf_oh oh, const char *where,
    int depth)
{
    int                      i, n, rc;
    char                     s[64];
    qpdf_oh                  next, item;
    const char              *action;
    enum qpdf_object_type_e  type;

    if (++w->values > PORTAIL_PDF_MAX_VALUES || depth > 32) {
        return portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX,
                                "%s : trop d'actions enchaînées", where);
    }

    type = qpdf_oh_get_type_code(w->q, oh);

    if (portail_pdf_error(w) != 0) {
        return -1;
    }

    if (type != ot_dictionary) {
        /* destinations, or values readers ignore */
        return 0;
    }

    action = portail_pdf_name(w, oh, "/S", s, sizeof(s));

    if (portail_pdf_error(w) != 0) {
        return -1;
    }

    if (action == NULL) {
        return 0;
    }

    if (strcmp(action, "/GoTo") != 0) {
        return portail_pdf_fail(w, PORTAIL_PDF_ACTIVE,
                                "%s : action %s", where, action);
    }

    next = qpdf_oh_get_key(w->q, oh, "/Next");
    rc = 0;

    if (qpdf_oh_is_array(w->q, next)) {
        n = qpdf_oh_get_array_n_items(w->q, next);

        for (i = 0; rc == 0 && i < n; i++) {
            item = qpdf_oh_get_array_item(w->q, next, i);
            rc = portail_pdf_automatic(w, item, where, depth + 1);
            qpdf_oh_release(w->q, item);
        }

    } else {
        rc = portail_pdf_automatic(w, next, where, depth + 1);
    }

    qpdf_oh_release(w->q, next);

    return rc == 0 ? portail_pdf_error(w) : rc;
}


/* /AA: page open and close, a field's focus and formatting, printing... */

static int
portail_pdf_additional(portail_pdf_walk_t *w, qpdf_oh aa)
{
    int          rc;
    char         trigger[64];
    qpdf_oh      v;
    const char  *key;

    if (!qpdf_oh_is_dictionary(w->q, aa)) {
        return portail_pdf_error(w);
    }

    /* one key at a time: each value may be a dictionary with keys of its own */

    qpdf_oh_begin_dict_key_iter(w->q, aa);

    rc = 0;

    while (rc == 0 && qpdf_oh_dict_more_keys(w->q)) {
        key = qpdf_oh_dict_next_key(w->q);
        snprintf(trigger, sizeof(trigger), "/AA %s", key);

        v = qpdf_oh_get_key(w->q, aa, key);

        /* portail_pdf_automatic() iterates over nothing: the loop goes on */
        rc = portail_pdf_automatic(w, v, trigger, 0);

        qpdf_oh_release(w->q, v);
    }

    return rc == 0 ? portail_pdf_error(w) : rc;
}


/*
 * A stream, decoded through its filters.  Its data is thrown away: what
 * matters is that it decodes, and how much it makes.  Image filters are
 * left to the viewer; any other filter qpdf cannot decode (unknown, or
 * parameters it does not know) makes the file unreadable.
 */

static int
portail_pdf_stream(portail_pdf_walk_t *w, qpdf_oh stream)
{
    int              i, n, image;
    size_t           len;
    qpdf_oh          dict, filter, f;
    QPDF_BOOL        filtered;
    const char      *name;
    unsigned char   *buf;
    QPDF_ERROR_CODE  rc;

    /* what resolving the stream and its dictionary told first */
    if (portail_pdf_warning(w) != 0) {
        return -1;
    }

    buf = NULL;
    len = 0;
    filtered = QPDF_FALSE;

    rc = qpdf_oh_get_stream_data(w->q, stream, qpdf_dl_specialized,
                                 &filtered, &buf, &len);

    /* allocated by qpdf with malloc(), for the caller to free */
    free(buf);

    if ((rc & QPDF_ERRORS) || qpdf_has_error(w->q)) {
        return portail_pdf_error(w) ? -1
                                    : portail_pdf_fail(w,
                                          PORTAIL_PDF_UNREADABLE,
                                          "flux impossible à décoder");
    }

    portail_pdf_drain(w);

    if (len > PORTAIL_PDF_MAX_DECODED - w->decoded) {
        return portail_pdf_fail(w, PORTAIL_PDF_TOO_COMPLEX,
                                "plus de %d Mo décodés",
                                PORTAIL_PDF_MAX_DECODED / (1024 * 1024));
    }

    w->decoded += len;

    if (filtered) {
        return 0;
    }

    /* not decoded: acceptable for image data only */

    dict = qpdf_oh_get_dict(w->q, stream);
    filter = qpdf_oh_get_key(w->q, dict, "/Filter");
    qpdf_oh_release(w->q, dict);

    image = 0;
    name = NULL;

    if (qpdf_oh_is_name(w->q, filter)) {
        name = qpdf_oh_get_name(w->q, filter);
        image = portail_pdf_in(name, portail_pdf_image_filters);

    } else if (qpdf_oh_is_array(w->q, filter)) {
        n = qpdf_oh_get_array_n_items(w->q, filter);

        for (i = 0; !image && i < n; i++) {
            f = qpdf_oh_get_array_item(w->q, filter, i);

            image = qpdf_oh_is_name(w->q, f)
                    && portail_pdf_in(qpdf_oh_get_name(w->q, f),
                                      portail_pdf_image_filters);

            qpdf_oh_release(w->q, f);
        }
    }

    qpdf_oh_release(w->q, filter);

    if (portail_pdf_error(w) != 0) {
        return -1;
    }

    return image ? 0 : portail_pdf_fail(w, PORTAIL_PDF_UNREADABLE,
                                        "flux que qpdf ne sait pas décoder");
}


/* the name a dictionary has under that key, copied into buf; or NULL */

static const char *
portail_pdf_name(portail_pdf_walk_t *w, qpdf_oh dict, const char *key,
    char *buf, size_t size)
{
    qpdf_oh      v;
    const char  *name;

    v = qpdf_oh_get_key(w->q, dict, key);
    name = NULL;

    if (qpdf_oh_is_name(w->q, v)) {
        snprintf(buf, size, "%s", qpdf_oh_get_name(w->q, v));
        name = buf;
    }

    qpdf_oh_release(w->q, v);

    return name;
}


static int
portail_pdf_in(const char *name, const char *const *list)
{
    for ( /* void */ ; *list; list++) {
        if (strcmp(name, *list) == 0) {
            return 1;
        }
    }

    return 0;
}
