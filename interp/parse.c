/* parse.c: runs the generated lexer and parser over a Source and reports syntax errors. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include "parse.h"
#include "parser.h"
#include "lexer.h"

enum { MAX_SYNTAX_ERRORS = 25 };

int rdn_lex_raw(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t sc);

/* Tokens that start a statement and cannot continue an expression. */
static int starts_stmt(int t)
{
    switch (t) {
    case NAME: case LITERAL: case IF: case WHILE: case FOR: case FN: case RETURN: case BREAK:
    case CONTINUE: case PARAM: case IMPORT: case NOT:
        return 1;
    }
    return 0;
}

static void stash(ParseCtx *ctx, int t, const YYSTYPE *v, const YYLTYPE *l)
{
    ctx->has_peek = 1;
    ctx->peek_tok = t;
    ctx->peek_node = v->node;
    ctx->peek_loc[0] = l->first_line;
    ctx->peek_loc[1] = l->first_column;
    ctx->peek_loc[2] = l->last_line;
    ctx->peek_loc[3] = l->last_column;
}

static int next_raw(ParseCtx *ctx, YYSTYPE *lval, YYLTYPE *lloc, yyscan_t sc)
{
    if (ctx->has_peek) {
        ctx->has_peek = 0;
        lval->node = ctx->peek_node;
        *lloc = (YYLTYPE){ctx->peek_loc[0], ctx->peek_loc[1], ctx->peek_loc[2], ctx->peek_loc[3]};
        return ctx->peek_tok;
    }
    return rdn_lex_raw(lval, lloc, sc);
}

/* The scanner with one token of lookahead, for two conveniences: a newline followed by `else`
 * is dropped (so `}` and `else` may stand on separate lines), and a statement may follow a
 * closing `}` on the same line (`if n == 0 { return 0 } return n`): a separator is put in. */
int yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t sc)
{
    ParseCtx *ctx = yyget_extra(sc);
    int t = next_raw(ctx, lval, lloc, sc);
    if (ctx->prev_tok == '}' && starts_stmt(t)) {
        stash(ctx, t, lval, lloc);
        lloc->last_line = lloc->first_line;
        lloc->last_column = lloc->first_column;
        return ctx->prev_tok = NEWLINE;
    }
    if (t == NEWLINE) {
        YYSTYPE v;
        YYLTYPE l;
        v.node = NULL;
        int t2 = next_raw(ctx, &v, &l, sc);
        if (t2 == ELSE) {
            *lval = v;
            *lloc = l;
            return ctx->prev_tok = t2;
        }
        stash(ctx, t2, &v, &l);
    }
    return ctx->prev_tok = t;
}

void parse_error(ParseCtx *ctx, Span sp, const char *fmt, ...)
{
    ctx->nerrors++;
    if (!ctx->errf || ctx->nerrors > MAX_SYNTAX_ERRORS) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_print(ctx->errf, ctx->src, sp, msg);
    if (ctx->nerrors == MAX_SYNTAX_ERRORS)
        fprintf(ctx->errf, "%s: too many errors, stopping\n", ctx->src->name);
}

Ast *parse_node(ParseCtx *ctx, AstKind k, Span sp)
{
    return ast_new(ctx->src->arena, k, sp);
}

Ast *parse_fix(ParseCtx *ctx, Ast *n)
{
    int d = n->depth;
    if (n->a && n->a->depth + 1 > d) d = n->a->depth + 1;
    if (n->b && n->b->depth + 1 > d) d = n->b->depth + 1;
    if (n->c && n->c->depth + 1 > d) d = n->c->depth + 1;
    n->depth = d;
    if (d > RDN_MAX_AST_DEPTH && !ctx->too_deep) {
        ctx->too_deep = 1;
        parse_error(ctx, n->span, "nesting too deep (more than %d levels)", RDN_MAX_AST_DEPTH);
    }
    return n;
}

int parse_source(Interp *I, Source *src, FILE *errf, int *incomplete)
{
    ParseCtx ctx = {.I = I, .C = core_of(I), .src = src, .errf = errf, .line = 1, .col = 1};
    yyscan_t sc;
    src->root = NULL;
    src->partial = NULL;
    if (incomplete) *incomplete = 0;
    if (src->len > INT_MAX) {
        if (errf) diag_print(errf, src, (Span){1, 1, 1, 1}, "the program is too long (more than 2 GiB)");
        return -1;
    }
    if (yylex_init_extra(&ctx, &sc)) {
        if (errf) diag_print(errf, src, (Span){1, 1, 1, 1}, "out of memory: the parser could not start");
        return -1;
    }
    YY_BUFFER_STATE buf = yy_scan_bytes(src->text, (int)src->len, sc);
    ctx.top = ast_new(src->arena, AST_BLOCK, (Span){1, 1, 1, 1});
    int r = buf ? yyparse(&ctx, sc) : 2;
    if (buf) yy_delete_buffer(buf, sc);
    yylex_destroy(sc);
    free(ctx.brackets);
    free(ctx.sbuf);
    if (arena_failed(src->arena)) {
        /* memory ran out part-way: what was built is not a tree */
        if (errf)
            diag_print(errf, src, (Span){ctx.line, ctx.col, ctx.line, ctx.col},
                       "out of memory: parsing this program needs more memory than is available");
        return -1;
    }
    if (incomplete) *incomplete = ctx.incomplete && ctx.nerrors == 1;
    if (r != 0 || ctx.nerrors) {
        if (r != 0 && ctx.nerrors == 0 && errf)
            diag_print(errf, src, (Span){ctx.line, ctx.col, ctx.line, ctx.col}, "cannot parse this program");
        src->partial = ctx.too_deep ? NULL : ctx.top;
        src->root = NULL;
        return -1;
    }
    return 0;
}
