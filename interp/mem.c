/* mem.c: allocation that reports failure instead of aborting (see mem.h). */
#include "mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "rdn_err.h"

/* val_decref and the value constructors take no interpreter (every call site would carry one),
 * so the interpreter running on this thread is found here, bound once by core_init. */
static _Thread_local Heap *heap_now;

void heap_bind(Heap *h) { heap_now = h; }
Heap *heap_current(void) { return heap_now; }

void mem_note_failure(const char *what, size_t bytes)
{
    Heap *h = heap_now;
    if (!h || h->failed) return;              /* the first failure is the one reported */
    h->failed = 1;
    h->fail_bytes = bytes;
    snprintf(h->fail_what, sizeof h->fail_what, "%s", what ? what : "a value");
}

static int too_big(size_t count, size_t size, const char *what)
{
    if (size && count > RDN_MAX_ALLOC / size) {
        /* the product may overflow size_t: report the largest representable figure */
        mem_note_failure(what, count > SIZE_MAX / size ? SIZE_MAX : count * size);
        return 1;
    }
    return 0;
}

void *mem_alloc(size_t count, size_t size, const char *what)
{
    if (too_big(count, size, what)) return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) mem_note_failure(what, count * size);
    return p;
}

void *mem_realloc(void *p, size_t count, size_t size, const char *what)
{
    if (too_big(count, size, what)) return NULL;
    size_t bytes = count * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) mem_note_failure(what, bytes);
    return q;
}

char *mem_strndup(const char *s, size_t n, const char *what)
{
    char *c = mem_alloc(n + 1, 1, what);
    if (c && n) memcpy(c, s, n);
    return c;
}

int mem_failed(void) { return heap_now && heap_now->failed; }

void mem_clear(void)
{
    if (heap_now) heap_now->failed = 0;
}

int mem_error(Interp *I, const Span *at, const char *what)
{
    Heap *h = heap_now;
    int r;
    if (h && h->failed)
        r = rt_error(I, at, "out of memory: %s needs %zu bytes", h->fail_what, h->fail_bytes);
    else
        r = rt_error(I, at, "out of memory: %s", what ? what : "an allocation failed");
    mem_clear();
    return r;
}
