/* diag.c: located messages (FILE:LINE:COL: error: ..., the source line, a caret underline),
 * the pending runtime error with its traceback, and did-you-mean suggestions. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"

enum { SHOW_BEFORE = 60, SHOW_WIDTH = 160, TRACE_HEAD = 10, TRACE_TAIL = 10 };

/* Length of a valid UTF-8 sequence starting at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t k = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
             : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (k == 0 || k > n) return 0;
    for (size_t j = 1; j < k; j++)
        if ((s[j] & 0xC0) != 0x80) return 0;
    return k;
}

/* Prints text[b..e) for a terminal: control bytes and invalid UTF-8 as '?'. */
static void put_safe(FILE *f, const unsigned char *t, size_t b, size_t e)
{
    for (size_t i = b; i < e;) {
        unsigned char c = t[i];
        if (c == '\t' || (c >= 0x20 && c < 0x7f)) { fputc(c, f); i++; continue; }
        if (c == '\r' && i + 1 == e) { i++; continue; }    /* CRLF line ends */
        if (c < 0x80) { fputc('?', f); i++; continue; }
        size_t k = utf8_seq(t + i, e - i);
        if (k > 1) { fwrite(t + i, 1, k, f); i += k; continue; }
        if ((c & 0xC0) != 0x80) fputc('?', f);       /* stray continuation bytes take no column */
        i++;
    }
}

void diag_print(FILE *f, const Source *src, Span sp, const char *msg)
{
    const char *name = src ? src->name : "rdn";
    if (!src || sp.line <= 0) {
        fprintf(f, "%s: error: %s\n", name, msg);
        return;
    }
    fprintf(f, "%s:%d:%d: error: %s\n", name, sp.line, sp.col, msg);
    const unsigned char *t = (const unsigned char *)src->text;
    size_t n = src->len, ls = 0;
    for (int line = 1; line < sp.line && ls < n; ls++)
        if (t[ls] == '\n') line++;
    if (ls > n) return;
    size_t le = ls;
    while (le < n && t[le] != '\n') le++;
    /* byte offset of column c: columns count every byte but UTF-8 continuation bytes */
    size_t cb = ls;
    for (int c = 1; cb < le; cb++) {
        if ((t[cb] & 0xC0) == 0x80) continue;
        if (c == sp.col) break;
        c++;
    }
    size_t eb = le;                                  /* end of the underline (exclusive) */
    if (sp.end_line == sp.line && sp.end_col >= sp.col) {
        eb = cb;
        for (int c = sp.col; eb < le; eb++) {
            if ((t[eb] & 0xC0) == 0x80) continue;
            if (c > sp.end_col) break;
            c++;
        }
        while (eb < le && (t[eb] & 0xC0) == 0x80) eb++;
    }
    if (eb <= cb) eb = cb + 1 <= le ? cb + 1 : cb;
    /* a window around the column for very long lines */
    size_t wb = ls, we = le;
    if (le - ls > SHOW_WIDTH) {
        wb = cb > ls + SHOW_BEFORE ? cb - SHOW_BEFORE : ls;
        while (wb > ls && (t[wb] & 0xC0) == 0x80) wb--;
        we = wb + SHOW_WIDTH < le ? wb + SHOW_WIDTH : le;
        while (we < le && (t[we] & 0xC0) == 0x80) we++;
    }
    int lead = wb > ls;
    if (lead) fputs("...", f);
    put_safe(f, t, wb, we);
    if (we < le) fputs("...", f);
    fputc('\n', f);
    if (lead) fputs("   ", f);
    for (size_t i = wb; i < cb && i < we; i++) {
        if ((t[i] & 0xC0) == 0x80) continue;
        fputc(t[i] == '\t' ? '\t' : ' ', f);
    }
    size_t carets = 0;
    for (size_t i = cb; i < eb && i < we; i++)
        if ((t[i] & 0xC0) != 0x80) carets++;
    if (carets == 0) carets = 1;
    for (size_t i = 0; i < carets; i++) fputc('^', f);
    fputc('\n', f);
}

static char *vfmt(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) return NULL;     /* raise_error says "out of memory" */
    return s;
}

static void trace_add(char **buf, size_t *len, const char *line)
{
    size_t n = strlen(line);
    if (!*buf && *len) return;                       /* an earlier line did not fit */
    char *b = realloc(*buf, *len + n + 1);
    if (!b) {                                        /* out of memory: no traceback */
        free(*buf);
        *buf = NULL;
        *len = 1;
        return;
    }
    memcpy(b + *len, line, n + 1);
    *buf = b;
    *len += n;
}

/* Records the error with the call stack as it is now. */
static int raise_error(Interp *I, int kind, const Span *at, char *msg)
{
    Core *C = core_of(I);
    mem_clear();                                     /* a pending allocation failure is covered */
    if (C->err) { free(msg); return -1; }            /* the first error wins */
    C->err = kind;
    if (!msg) {
        snprintf(C->err_oom, sizeof C->err_oom, "out of memory (the text of an error did not fit)");
        msg = C->err_oom;
    }
    C->err_msg = msg;
    C->err_span = at ? *at : (Span){0, 0, 0, 0};
    C->err_src = at ? C->cur : NULL;
    C->err_trace = NULL;
    if (C->nframes > 1) {
        char *buf = NULL, line[512];
        size_t len = 0;
        int n = C->nframes;
        for (int k = n - 1; k >= 0; k--) {
            int shown = n <= TRACE_HEAD + TRACE_TAIL + 1 || k >= n - TRACE_HEAD || k < TRACE_TAIL;
            if (!shown) {
                if (k == n - TRACE_HEAD - 1) {
                    snprintf(line, sizeof line, "  ... %d more calls ...\n", n - TRACE_HEAD - TRACE_TAIL);
                    trace_add(&buf, &len, line);
                }
                continue;
            }
            int l = k == n - 1 ? C->err_span.line : C->frames[k].at.line;
            snprintf(line, sizeof line, "  at %s:%d in %s\n", C->frames[k].src ? C->frames[k].src->name : "?",
                     l, C->frames[k].name);
            trace_add(&buf, &len, line);
        }
        C->err_trace = buf;
    }
    return -1;
}

int rt_error(Interp *I, const Span *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vfmt(fmt, ap);
    va_end(ap);
    return raise_error(I, ERR_RUNTIME, at, msg);
}

int usage_error(Interp *I, const Span *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vfmt(fmt, ap);
    va_end(ap);
    return raise_error(I, ERR_USAGE, at, msg);
}

int rt_error_from(Interp *I, const Span *at, const RdnErr *err)
{
    char *msg = strdup(err && err->msg[0] ? err->msg : "interrupted");   /* NULL: see raise_error */
    if (err && err->code == RDN_INTERRUPTED) {
        rdn_interrupt = 0;
        return raise_error(I, ERR_INTERRUPT, at, msg);
    }
    return raise_error(I, ERR_RUNTIME, at, msg);
}

static Span arg_span(const Args *a, int pos, const char *kw)
{
    if (pos >= 0 && pos < a->npos && a->pos_span) return a->pos_span[pos];
    if (kw)
        for (int i = 0; i < a->nkw; i++)
            if (strcmp(a->kw_name[i], kw) == 0 && a->kw_span) return a->kw_span[i];
    return a->call;
}

int arg_error(Interp *I, const Args *a, int pos, const char *kw, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vfmt(fmt, ap);
    va_end(ap);
    Span sp = arg_span(a, pos, kw);
    return raise_error(I, ERR_RUNTIME, &sp, msg);
}

void diag_clear(Interp *I)
{
    Core *C = core_of(I);
    if (C->err_msg != C->err_oom) free(C->err_msg);
    free(C->err_trace);
    C->err_msg = NULL;
    C->err_trace = NULL;
    C->err = ERR_NONE;
    C->err_src = NULL;
}

int diag_report(Interp *I, FILE *f)
{
    Core *C = core_of(I);
    int code = C->err;
    if (!code) return 0;
    if (code == ERR_INTERRUPT && I->in_repl) fputc('\n', f);   /* after the terminal's ^C */
    diag_print(f, C->err_src, C->err_span, C->err_msg ? C->err_msg : "error");
    if (C->err_trace) fputs(C->err_trace, f);
    fflush(f);
    diag_clear(I);
    return code;
}

/* Optimal string alignment distance (edits, with adjacent transpositions), capped. */
static int osa(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 99;
    int d[65][65];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *suggest(const char *s, const char *words, char *buf, size_t bufsize)
{
    if (!s || !words || bufsize == 0) return NULL;
    int best = 1 << 30;
    char word[128];
    const char *p = words;
    int slen = (int)strlen(s);
    int limit = 1 + slen / 4;
    if (limit > 3) limit = 3;
    while (*p) {
        while (*p == ' ' || *p == '|') p++;
        const char *q = p;
        while (*q && *q != ' ' && *q != '|') q++;
        size_t n = (size_t)(q - p);
        if (n > 0 && n < sizeof word) {
            memcpy(word, p, n);
            word[n] = 0;
            int d = osa(s, word);
            if (d < best && d <= limit && d < slen && strcmp(word, s) != 0) {
                best = d;
                snprintf(buf, bufsize, "%s", word);
            }
        }
        p = q;
    }
    return best <= limit ? buf : NULL;
}

void words_add(Words *w, const char *word)
{
    size_t k = strlen(word);
    if (w->len + k + 2 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (w->len + k + 2 > cap) cap *= 2;
        char *s = realloc(w->s, cap);
        if (!s) return;
        w->s = s;
        w->cap = cap;
    }
    memcpy(w->s + w->len, word, k);
    w->len += k;
    w->s[w->len++] = ' ';
    w->s[w->len] = '\0';
}

const char *words_str(const Words *w) { return w->s ? w->s : ""; }

void words_free(Words *w)
{
    free(w->s);
    *w = (Words){0};
}

int rt_error_call(Interp *I, const Args *a, const RdnErr *err)
{
    const char *name = a->bi ? a->bi->name : "";
    size_t k = strlen(name);
    if (err->code == RDN_INTERRUPTED || !k || (strncmp(err->msg, name, k) == 0 && err->msg[k] == ':'))
        return rt_error_from(I, &a->call, err);
    RdnErr p = *err;
    snprintf(p.msg, sizeof p.msg, "%.60s: %.900s", name, err->msg);
    return rt_error_from(I, &a->call, &p);
}
