/* mem.h: the interpreter's one allocation helper and the heap state of the interpreter running on
 * this thread. Like the runtime's rdn_calloc, an allocation never aborts: sizes over
 * RDN_MAX_ALLOC or that overflow are refused, and a failure returns NULL after noting
 * "out of memory: WHAT needs N bytes" as the heap's pending failure. A caller with an error path
 * raises it at once with mem_error; one without (a value constructor) returns a harmless value,
 * and the evaluator raises the pending failure, located at the expression or statement that was
 * running, as soon as that returns (an ordinary error: the REPL survives it, a script exits 1). */
#ifndef RDN_MEM_H
#define RDN_MEM_H
#include <stddef.h>

struct Obj;
struct Interp;
struct Span;

/* Per interpreter (inside its Core), bound to the thread that runs it by core_init. */
typedef struct Heap {
    struct Obj **pending;        /* objects whose count reached 0, freed without recursion */
    size_t npending, cappending;
    int freeing;
    int failed;                  /* an allocation failed and was not raised yet */
    size_t fail_bytes;
    char fail_what[96];
} Heap;

void  heap_bind(Heap *h);        /* NULL unbinds */
Heap *heap_current(void);

/* Zeroed memory for count * size bytes, or NULL (failure noted). */
void *mem_alloc(size_t count, size_t size, const char *what);
/* realloc to count * size bytes; on failure p is untouched and NULL returned (failure noted). */
void *mem_realloc(void *p, size_t count, size_t size, const char *what);
char *mem_strndup(const char *s, size_t n, const char *what);
/* Notes a failure found elsewhere (vasprintf, a library call). */
void  mem_note_failure(const char *what, size_t bytes);
/* 1 if a failure is pending. */
int   mem_failed(void);
/* Raises the pending failure (or "out of memory: WHAT" if none is pending) as a runtime error at
 * `at`, clears it, and returns -1. */
int   mem_error(struct Interp *I, const struct Span *at, const char *what);
/* Forgets a pending failure (an error already raised covers it). */
void  mem_clear(void);

#endif
