/* bi_print.c: how a tensor prints (NumPy style, elided in the middle when large), and the small
 * growable string buffer (Buf) that the printing of tensors and tables writes into. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bi_tensor.h"
#include "tensor.h"


void put(Buf *b, const char *fmt, ...)
{
    if (b->oom) return;
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) return;
    if (b->len + (size_t)need + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + (size_t)need + 1 > cap) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

char *buf_done(Buf *b)
{
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    if (!b->s) return strdup("");
    return b->s;
}

/* How many entries per axis are printed: all if few, else edge(d) at each end around "...":
 * 3 along the rows and columns of a matrix, 1 along the axes that stack matrices (so a 4-D
 * tensor prints at most 4 matrices of at most 7 rows). */
static int edge(const Tensor *t, int d) { return d < t->ndim - 2 ? 1 : 3; }

static int shown(const Tensor *t, int d, int64_t i)
{
    int64_t n = t->shape[d], e = edge(t, d);
    return n <= 2 * e + 2 || i < e || i >= n - e;
}

/* %.4g, except that every NaN prints as "nan" (glibc shows a NaN with its sign bit as "-nan",
 * and 0/0 makes one) and -0 as "0". */
static void fmt_elem(char *buf, size_t n, float x)
{
    if (isnan(x)) snprintf(buf, n, "nan");
    else if (x == 0) snprintf(buf, n, "0");
    else snprintf(buf, n, "%.4g", (double)x);
}

/* Writes the entries shown (see `shown`) right-aligned to width w, NumPy style; with b NULL it
 * only measures the widest shown entry into *w, visiting no hidden entry. */
static void put_block(Buf *b, const Tensor *t, int d, int64_t off, int *w)
{
    int64_t n = t->shape[d], stride = 1;
    for (int e = d + 1; e < t->ndim; e++) stride *= t->shape[e];
    if (b) put(b, "[");
    for (int64_t i = 0; i < n; i++) {
        if (!shown(t, d, i)) {
            if (b && i == edge(t, d)) {
                if (d == t->ndim - 1) {
                    put(b, "..., ");
                } else {
                    put(b, "...,\n");
                    for (int e = 0; e < t->ndim - d - 2; e++) put(b, "\n");
                    put(b, "%*s", d + 1, "");
                }
            }
            i = n - edge(t, d) - 1;   /* straight to the tail */
            continue;
        }
        if (d == t->ndim - 1) {
            char buf[64];
            fmt_elem(buf, sizeof buf, t->data[off + i]);
            if (b) put(b, "%*s", *w, buf);
            else if ((int)strlen(buf) > *w) *w = (int)strlen(buf);
        } else {
            put_block(b, t, d + 1, off + i * stride, w);
        }
        if (b && i < n - 1) {
            if (d == t->ndim - 1) {
                put(b, ", ");
            } else {
                put(b, ",\n");
                for (int e = 0; e < t->ndim - d - 2; e++) put(b, "\n");
                put(b, "%*s", d + 1, "");
            }
        }
    }
    if (b) put(b, "]");
}

char *tensor_repr(Value v)
{
    const Tensor *t = val_ptr(v);
    char sb[128];
    Buf b = {0};
    put(&b, "tensor %s %s\n", SHAPESTR(t, sb), t->is_mask ? "bool" : "float32");
    if (t->ndim == 0) {
        char buf[64];
        fmt_elem(buf, sizeof buf, t->data[0]);
        put(&b, "%s", buf);
    } else if (t->size == 0) {
        put(&b, "[]");
    } else {
        int w = 1;
        put_block(NULL, t, 0, 0, &w);
        put_block(&b, t, 0, 0, &w);
    }
    return buf_done(&b);
}
