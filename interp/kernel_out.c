/* kernel_out.c: where a notebook cell's output goes. print (and help) write to a stdio stream whose
 * writes become "stdout" stream messages; fit's progress to one that becomes "stderr" stream
 * messages, carriage returns kept so the notebook redraws the line as a terminal does (the
 * terminal's erase-line escape dropped); a plot becomes a display_data with the image; the value
 * of a cell's last expression becomes the execute_result's bundle (a table also as HTML). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/base64.h>
#include "kernel.h"
#include "table.h"

static Kernel *cur;                  /* one kernel per process: the display hook takes no context */

typedef struct Stream {
    const char *name;                /* "stdout" or "stderr" */
    int progress;                    /* drop "\033[K" */
    char pend[4]; size_t npend;      /* an incomplete UTF-8 sequence waiting for its bytes */
} Stream;

static Stream st_out = {"stdout", 0, {0}, 0}, st_err = {"stderr", 1, {0}, 0};
static FILE *f_out, *f_err;

char *kout_utf8(const char *s, size_t n)
{
    char *o = malloc(3 * n + 1), *w = o;
    if (!o) abort();
    const unsigned char *t = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = t[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0;
        int ok = k > 0 && i + k <= n && c != 0;
        for (size_t j = 1; ok && j < k; j++) ok = (t[i + j] & 0xC0) == 0x80;
        if (ok && k == 3 && ((c == 0xE0 && t[i + 1] < 0xA0) || (c == 0xED && t[i + 1] >= 0xA0))) ok = 0;
        if (ok && k == 4 && ((c == 0xF0 && t[i + 1] < 0x90) || (c == 0xF4 && t[i + 1] >= 0x90))) ok = 0;
        if (ok) {
            memcpy(w, t + i, k);
            w += k;
            i += k;
        } else {
            memcpy(w, "\xEF\xBF\xBD", 3);
            w += 3;
            i++;
        }
    }
    *w = 0;
    return o;
}

/* Bytes at the end of b[0..n) that start a UTF-8 sequence still missing bytes. */
static size_t incomplete_tail(const char *b, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = (unsigned char)b[n - k];
        if ((c & 0xC0) == 0x80) continue;
        size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        return need > k ? k : 0;
    }
    return 0;
}

static ssize_t stream_write(void *cookie, const char *buf, size_t size)
{
    Stream *s = cookie;
    if (!cur) return (ssize_t)size;
    char *b = malloc(s->npend + size + 1);
    if (!b) abort();
    memcpy(b, s->pend, s->npend);
    memcpy(b + s->npend, buf, size);
    size_t n = s->npend + size;
    size_t tail = incomplete_tail(b, n);
    memcpy(s->pend, b + n - tail, tail);
    s->npend = tail;
    n -= tail;
    if (s->progress) {                           /* the terminal's erase-line: not for a notebook */
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (b[i] == '\033' && i + 2 < n && b[i + 1] == '[' && b[i + 2] == 'K') { i += 2; continue; }
            b[w++] = b[i];
        }
        n = w;
    }
    if (n > 0) {
        char *t = kout_utf8(b, n);
        kernel_publish(cur, cur->parent, "stream", json_pack("{s:s, s:s}", "name", s->name, "text", t));
        free(t);
    }
    free(b);
    return (ssize_t)size;
}

static void display(Interp *I, const char *mime, const char *data, size_t len)
{
    (void)I;
    if (!cur) return;
    json_t *bundle = json_object();
    if (strncmp(mime, "image/svg", 9) == 0) {
        /* the <svg> element alone: a notebook embeds it in HTML, where an XML declaration
         * (gnuplot's <?xml ... encoding="utf-8"?>) is refused by nbconvert's HTML export */
        const char *e = memmem(data, len, "<svg", 4);
        if (e) {
            len -= (size_t)(e - data);
            data = e;
        }
        char *t = kout_utf8(data, len);
        json_object_set_new(bundle, mime, json_string(t));
        free(t);
    } else {
        char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
        if (!b64) abort();
        base64_encode_raw((char *)b64, len, (const uint8_t *)data);
        b64[BASE64_ENCODE_RAW_LENGTH(len)] = 0;
        json_object_set_new(bundle, mime, json_string(b64));
        free(b64);
    }
    json_object_set_new(bundle, "text/plain", json_string("<figure>"));
    kernel_publish(cur, cur->parent, "display_data",
                   json_pack("{s:o, s:{}, s:{}}", "data", bundle, "metadata", "transient"));
}

void kout_init(Kernel *K)
{
    if (!K) {
        if (cur && cur->I) {
            cur->I->out_print = cur->I->out_progress = NULL;
            cur->I->display = NULL;
        }
        if (f_out) fclose(f_out);
        if (f_err) fclose(f_err);
        f_out = f_err = NULL;
        cur = NULL;
        return;
    }
    cur = K;
    cookie_io_functions_t io = {.write = stream_write};
    f_out = fopencookie(&st_out, "w", io);
    f_err = fopencookie(&st_err, "w", io);
    if (f_out) setvbuf(f_out, NULL, _IOFBF, 1 << 16);
    if (f_err) setvbuf(f_err, NULL, _IOFBF, 1 << 16);
    K->I->out_print = f_out;
    K->I->out_progress = f_err;
    K->I->display = display;
}

void kout_flush(Kernel *K)
{
    (void)K;
    if (f_out) fflush(f_out);
    if (f_err) fflush(f_err);
}

/* ---- a table as HTML ---- */

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static void cell(FILE *f, const TableCol *c, int r)
{
    if (c->is_str) {
        fputs("<td style=\"text-align:left\">", f);
        esc(f, c->str[r] ? c->str[r] : "");
    } else {
        double v = c->num[r];
        fputs("<td>", f);
        if (isnan(v)) fputs("", f);
        else if (!isinf(v) && v == floor(v) && fabs(v) < 1e15) fprintf(f, "%.0f", v);
        else fprintf(f, "%.6g", v);
    }
    fputs("</td>", f);
}

enum { HTML_HEAD = 25, HTML_TAIL = 5 };

static char *table_html(const Table *t)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    fputs("<table class=\"rdn-table\">\n<thead><tr>", f);
    for (int c = 0; c < t->ncols; c++) {
        fputs("<th>", f);
        esc(f, t->cols[c].name);
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    int all = t->nrows <= HTML_HEAD + HTML_TAIL + 1;
    for (int r = 0; r < t->nrows; r++) {
        if (!all && r == HTML_HEAD) {
            fputs("<tr>", f);
            for (int c = 0; c < t->ncols; c++) fputs("<td>&hellip;</td>", f);
            fputs("</tr>\n", f);
            r = t->nrows - HTML_TAIL;
        }
        fputs("<tr>", f);
        for (int c = 0; c < t->ncols; c++) cell(f, &t->cols[c], r);
        fputs("</tr>\n", f);
    }
    fprintf(f, "</tbody>\n</table>\n<p>%d row%s &times; %d column%s</p>\n", t->nrows, t->nrows == 1 ? "" : "s",
            t->ncols, t->ncols == 1 ? "" : "s");
    fclose(f);
    return s;
}

json_t *kout_value_data(Value v)
{
    char *r = val_repr(v);
    if (!r) return NULL;
    json_t *d = json_object();
    char *t = kout_utf8(r, strlen(r));
    json_object_set_new(d, "text/plain", json_string(t));
    free(t);
    free(r);
    if (v.type == VAL_TABLE && !((const Table *)val_ptr(v))->is_history) {
        char *h = table_html(val_ptr(v));
        if (h) {
            char *u = kout_utf8(h, strlen(h));
            json_object_set_new(d, "text/html", json_string(u));
            free(u);
        }
        free(h);
    }
    return d;
}
