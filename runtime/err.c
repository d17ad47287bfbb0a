/* err.c: error records, the interrupt flag and guarded allocation. */
#include "rdn_err.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t rdn_interrupt = 0;

static int vset(RdnErr *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

int rdn_err(RdnErr *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vset(err, RDN_ERROR, fmt, ap);
    va_end(ap);
    return r;
}

int rdn_err_interrupted(RdnErr *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vset(err, RDN_INTERRUPTED, fmt, ap);
    va_end(ap);
    return r;
}

static int size_ok(size_t count, size_t size, const char *what, RdnErr *err)
{
    if (size && count > RDN_MAX_ALLOC / size) {
        rdn_err(err, "%s: %zu x %zu bytes is too large (limit %zu GiB)", what, count, size,
                (size_t)(RDN_MAX_ALLOC >> 30));
        return 0;
    }
    return 1;
}

void *rdn_calloc(size_t count, size_t size, const char *what, RdnErr *err)
{
    if (!size_ok(count, size, what, err)) return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) rdn_err(err, "%s: out of memory allocating %zu bytes", what, count * size);
    return p;
}

void *rdn_alloc_aligned(size_t count, size_t size, const char *what, RdnErr *err)
{
    if (!size_ok(count, size, what, err)) return NULL;
    size_t bytes = count * size;
    bytes = (bytes + 63) / 64 * 64;
    if (!bytes) bytes = 64;
    void *p = aligned_alloc(64, bytes);
    if (!p) {
        rdn_err(err, "%s: out of memory allocating %zu bytes", what, bytes);
        return NULL;
    }
    memset(p, 0, bytes);
    return p;
}
