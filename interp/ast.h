/* ast.h: the syntax tree. Every node carries its source span. Nodes, their child arrays and their
 * strings live in the arena of the Source they were parsed from, so a tree is freed all at once
 * (no recursion) when its Source goes, and closures keep their Source alive. */
#ifndef RDN_AST_H
#define RDN_AST_H
#include <stddef.h>
#include "builtin.h"

typedef enum {
    /* expressions */
    AST_NUM, AST_STR, AST_BOOL, AST_NIL, AST_NAME, AST_LIST, AST_RANGE,
    AST_BINOP,      /* op in '+','-','*','/','%','@','^','<','>','l','g','e','!'; a, b */
    AST_NEG,        /* -a */
    AST_NOT, AST_AND, AST_OR,
    AST_CALL,       /* a = callee; items = arguments (AST_KWARG for keywords) */
    AST_KWARG,      /* str = keyword, a = value (also a field of a record literal) */
    AST_RECORD,     /* {name: value, ...}: items = AST_KWARG or AST_SPREAD */
    AST_SPREAD,     /* **a: a record's fields as keyword arguments or fields */
    AST_MEMBER,     /* a.str */
    AST_INDEX,      /* a[items] */
    AST_FN,         /* str = name or NULL; items = AST_PARAM; a = body (AST_BLOCK) */
    AST_PARAM,      /* str = name, a = default or NULL */
    /* statements */
    AST_BLOCK,      /* items = statements */
    AST_EXPR,       /* a */
    AST_ASSIGN,     /* items = targets (NAME, MEMBER, INDEX); a = value; op = 0 or '+','-','*','/' */
    AST_PARAMDECL,  /* param str = a */
    AST_IF,         /* a = cond, b = then block, c = else (block or IF) or NULL */
    AST_WHILE,      /* a = cond, b = body */
    AST_FOR,        /* str = loop name, a = iterable, b = body */
    AST_BREAK, AST_CONTINUE,
    AST_RETURN,     /* a = value or NULL */
    AST_IMPORT,     /* str = path or module name; op = 1 for a file path ("..."), 0 for a name */
    AST_NKINDS
} AstKind;

typedef struct Ast {
    AstKind kind;
    int op;
    Span span;
    int depth;               /* height of the subtree (bounded by the parser) */
    double num;
    const char *str;         /* interned for names; arena copy for strings */
    size_t len;              /* AST_STR length (may hold NUL bytes) */
    struct Ast *a, *b, *c;
    struct Ast **items;
    int nitems, cap;
} Ast;

/* An arena of nodes and bytes, freed in one go. */
typedef struct Arena Arena;
Arena *arena_new(void);
void  *arena_alloc(Arena *ar, size_t n);       /* zeroed, 16-byte aligned */
void   arena_free(Arena *ar);

Ast  *ast_new(Arena *ar, AstKind k, Span sp);
void  ast_push(Arena *ar, Ast *list, Ast *item);
const char *ast_kind_name(AstKind k);

#endif
