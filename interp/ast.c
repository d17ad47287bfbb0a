/* ast.c: tree nodes and the arena they live in. */
#include "ast.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Block { struct Block *next; size_t used, size; max_align_t data[]; } Block;
struct Arena { Block *head; int failed; };

enum { ARENA_BLOCK = 64 * 1024, SCRATCH = 4096 };

/* What a failed arena hands out to small requests, so the parser can run to its end and report
 * one "out of memory" instead of crashing part-way; nothing built from it is ever used. */
static _Thread_local max_align_t scratch[SCRATCH / sizeof(max_align_t)];

Arena *arena_new(void) { return calloc(1, sizeof(Arena)); }

int arena_failed(const Arena *ar) { return !ar || ar->failed; }

static void *arena_fail(Arena *ar, size_t n)
{
    if (ar) ar->failed = 1;
    if (n > sizeof scratch) return NULL;
    memset(scratch, 0, n);
    return scratch;
}

void *arena_alloc(Arena *ar, size_t n)
{
    if (!ar || ar->failed || n > SIZE_MAX / 2) return arena_fail(ar, n);
    n = (n + 15) & ~(size_t)15;
    Block *b = ar->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (!b) return arena_fail(ar, n);
        b->used = 0;
        b->size = size;
        if (n > ARENA_BLOCK / 4 && ar->head) {      /* big: keep the current block in front */
            b->next = ar->head->next;
            ar->head->next = b;
        } else {
            b->next = ar->head;
            ar->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

void arena_free(Arena *ar)
{
    if (!ar) return;
    for (Block *b = ar->head, *nx; b; b = nx) {
        nx = b->next;
        free(b);
    }
    free(ar);
}

Ast *ast_new(Arena *ar, AstKind k, Span sp)
{
    Ast *n = arena_alloc(ar, sizeof *n);
    n->kind = k;
    n->span = sp;
    n->depth = 1;
    return n;
}

void ast_push(Arena *ar, Ast *list, Ast *item)
{
    if (list->nitems == list->cap) {
        int cap = list->cap ? 2 * list->cap : 4;
        Ast **items = arena_alloc(ar, sizeof *items * (size_t)cap);
        if (!items) return;                          /* the arena failed: the parse is refused */
        if (list->nitems) memcpy(items, list->items, sizeof *items * (size_t)list->nitems);
        list->items = items;
        list->cap = cap;
    }
    list->items[list->nitems++] = item;
    if (item && item->depth + 1 > list->depth) list->depth = item->depth + 1;
}

const char *ast_kind_name(AstKind k)
{
    static const char *names[AST_NKINDS] = {
        "number", "string", "bool", "nil", "name", "list", "range", "operator", "negation",
        "not", "and", "or", "call", "keyword argument", "record", "spread", "member", "index", "function",
        "parameter", "block", "expression", "assignment", "param", "if", "while", "for",
        "break", "continue", "return", "import",
    };
    return k < AST_NKINDS ? names[k] : "?";
}
