/* parse.h: what the generated lexer and parser share with interp/parse.c. */
#ifndef RDN_PARSE_H
#define RDN_PARSE_H
#include <stdio.h>
#include "core.h"

typedef struct ParseCtx {
    Interp *I;
    Core *C;
    Source *src;
    FILE *errf;              /* where messages go (NULL: counted only) */
    int nerrors;
    int incomplete;          /* the first error was "input ended early" */
    int too_deep;
    Ast *top;                /* the top-level statement list, kept even when parsing aborts */            /* "nesting too deep" already reported */
    /* lexer state */
    int last_tok;            /* previous token returned (0 at the start) */
    char *brackets; int nbr, capbr;   /* open ( [ { */
    char *sbuf; size_t slen, scap;    /* string literal being read */
    int line, col;           /* position of the next byte */
    Span str_start;
    /* one token of lookahead kept by yylex (parse.c) */
    int has_peek, peek_tok, prev_tok;
    Ast *peek_node;
    int peek_loc[4];
} ParseCtx;

void parse_error(ParseCtx *ctx, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Ast *parse_node(ParseCtx *ctx, AstKind k, Span sp);
/* Sets the node's depth from its children; reports "nesting too deep" once. */
Ast *parse_fix(ParseCtx *ctx, Ast *n);

#endif
