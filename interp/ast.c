/* ast.c: tree nodes and the arena they live in. */
#include "ast.h"
#include <stdlib.h>
#include <string.h>

typedef struct Block { struct Block *next; size_t used, size; max_align_t data[]; } Block;
struct Arena { Block *head; };

enum { ARENA_BLOCK = 64 * 1024 };

Arena *arena_new(void)
{
    Arena *ar = calloc(1, sizeof *ar);
    if (!ar) abort();
    return ar;
}

void *arena_alloc(Arena *ar, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    Block *b = ar->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (!b) abort();
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
