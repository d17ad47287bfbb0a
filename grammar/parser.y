/* parser.y: rdn's grammar. A pure parser with locations; errors name what was found and what
 * was expected; a bad statement is skipped to the end of its line so that every syntax error
 * of a file is reported. Nodes are built in the source's arena (nothing to free on errors). */
%require "3.6"
%define api.pure full
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%parse-param {ParseCtx *ctx} {void *scanner}
%lex-param {void *scanner}

%code requires {
#include "parse.h"
}

%code {
#include <stdlib.h>
#include <string.h>
int yylex(YYSTYPE *lval, YYLTYPE *lloc, void *scanner);
static void yyerror(YYLTYPE *loc, ParseCtx *ctx, void *scanner, const char *msg);
#define YYMAXDEPTH RDN_PARSER_STACK
#define SP(l) ((Span){(l).first_line, (l).first_column, (l).last_line, (l).last_column})
#define N(k, l) parse_node(ctx, k, SP(l))
#define FIX(n) parse_fix(ctx, n)
static Ast *bin(ParseCtx *ctx, int op, Ast *a, Ast *b, YYLTYPE l)
{
    Ast *n = N(AST_BINOP, l);
    n->op = op; n->a = a; n->b = b;
    return FIX(n);
}
static Ast *node2(ParseCtx *ctx, AstKind k, Ast *a, Ast *b, YYLTYPE l)
{
    Ast *n = N(k, l);
    n->a = a; n->b = b;
    return FIX(n);
}
static int assignable(ParseCtx *ctx, Ast *t)
{
    if (t->kind == AST_NAME || t->kind == AST_MEMBER || t->kind == AST_INDEX) return 1;
    parse_error(ctx, t->span, "cannot assign to this expression (assign to a name, a member or an index)");
    return 0;
}
}

%union {
    Ast *node;
}

%token <node> LITERAL "literal" NAME "name"
%token NEWLINE "newline"
%token EQ "==" NE "!=" LE "<=" GE ">=" DOTDOT ".."
%token PLUSEQ "+=" MINUSEQ "-=" TIMESEQ "*=" DIVEQ "/=" STARSTAR "**" RECORD_OPEN "{ (record)"
%token AND "and" OR "or" NOT "not"
%token IF "if" ELSE "else" WHILE "while" FOR "for" IN "in" FN "fn" RETURN "return"
%token BREAK "break" CONTINUE "continue" PARAM "param" IMPORT "import"

%type <node> program stmts stmts1 stmt simple_stmt block if_stmt expr postfix primary
%type <node> args arglist arg exprs exprlist params paramlist param targets fields fieldlist field

%left OR
%left AND
%precedence NOT
%nonassoc EQ NE '<' LE '>' GE
%nonassoc DOTDOT
%left '+' '-'
%left '*' '/' '%' '@'
%precedence UMINUS
%right '^'

%start program

%%

/* The top-level statements go straight into ctx->top as they are reduced, so that what was
 * recovered around syntax errors is there for rdn check even when error recovery pops the list. */
program:
    opt_seps                    { ctx->src->root = ctx->top; $$ = ctx->top; }
  | opt_seps tstmts opt_seps    { ctx->src->root = ctx->top; $$ = ctx->top; }
  ;
tstmts:
    stmt                        { if ($1) ast_push(ctx->src->arena, ctx->top, $1); }
  | tstmts seps stmt            { if ($3) ast_push(ctx->src->arena, ctx->top, $3); }
  ;

/* A statement list with any separators before, between and after statements. */
stmts:
    opt_seps                    { $$ = N(AST_BLOCK, @$); }
  | opt_seps stmts1 opt_seps    { $$ = $2; }
  ;
stmts1:
    stmt                        { $$ = N(AST_BLOCK, @1); if ($1) ast_push(ctx->src->arena, $$, $1);
                                }
  | stmts1 seps stmt            { $$ = $1; if ($3) ast_push(ctx->src->arena, $$, $3); }
  ;
seps: sep | seps sep ;
opt_seps: %empty | seps ;
sep: NEWLINE | ';' ;

block:
    '{' stmts '}'               { $$ = $2; $$->span = SP(@$); }
  ;

stmt:
    simple_stmt                 { $$ = $1; }
  | if_stmt                     { $$ = $1; }
  | WHILE expr block            { $$ = node2(ctx, AST_WHILE, $2, $3, @$); }
  | FOR NAME IN expr block      { $$ = N(AST_FOR, @$); $$->str = $2->str; $$->a = $4; $$->b = $5; $$->c = $2; $$ = FIX($$); }
  | FN NAME '(' params ')' block {
                                  $$ = N(AST_FN, @$); $$->str = $2->str; $$->items = $4->items;
                                  $$->nitems = $4->nitems; $$->cap = $4->cap; $$->a = $6; $$->c = $2;
                                  $$ = FIX($$);
                                }
  | error                       { $$ = NULL; }
  ;

simple_stmt:
    expr                        { $$ = node2(ctx, AST_EXPR, $1, NULL, @$); }
  | expr '=' expr               { $$ = N(AST_ASSIGN, @$); assignable(ctx, $1);
                                  ast_push(ctx->src->arena, $$, $1); $$->a = $3; $$ = FIX($$); }
  | expr ',' targets '=' expr   { $$ = $3; $$->span = SP(@$); assignable(ctx, $1);
                                  /* targets holds the rest; put the first in front */
                                  ast_push(ctx->src->arena, $$, $1);
                                  memmove($$->items + 1, $$->items, sizeof(Ast *) * (size_t)($$->nitems - 1));
                                  $$->items[0] = $1; $$->a = $5; $$ = FIX($$); }
  | expr PLUSEQ expr            { $$ = N(AST_ASSIGN, @$); $$->op = '+'; assignable(ctx, $1);
                                  ast_push(ctx->src->arena, $$, $1); $$->a = $3; $$ = FIX($$); }
  | expr MINUSEQ expr           { $$ = N(AST_ASSIGN, @$); $$->op = '-'; assignable(ctx, $1);
                                  ast_push(ctx->src->arena, $$, $1); $$->a = $3; $$ = FIX($$); }
  | expr TIMESEQ expr           { $$ = N(AST_ASSIGN, @$); $$->op = '*'; assignable(ctx, $1);
                                  ast_push(ctx->src->arena, $$, $1); $$->a = $3; $$ = FIX($$); }
  | expr DIVEQ expr             { $$ = N(AST_ASSIGN, @$); $$->op = '/'; assignable(ctx, $1);
                                  ast_push(ctx->src->arena, $$, $1); $$->a = $3; $$ = FIX($$); }
  | PARAM NAME '=' expr         { $$ = N(AST_PARAMDECL, @$); $$->str = $2->str; $$->a = $4; $$->c = $2; $$ = FIX($$); }
  | IMPORT LITERAL              { $$ = N(AST_IMPORT, @$); $$->op = 1; $$->c = $2;
                                  if ($2->kind != AST_STR) parse_error(ctx, $2->span, "import takes a module name or a \"file.rdn\" path");
                                  else $$->str = $2->str; }
  | IMPORT NAME                 { $$ = N(AST_IMPORT, @$); $$->str = $2->str; $$->c = $2; }
  | RETURN                      { $$ = N(AST_RETURN, @$); }
  | RETURN expr                 { $$ = node2(ctx, AST_RETURN, $2, NULL, @$); }
  | BREAK                       { $$ = N(AST_BREAK, @$); }
  | CONTINUE                    { $$ = N(AST_CONTINUE, @$); }
  ;

targets:
    expr                        { $$ = N(AST_ASSIGN, @$); assignable(ctx, $1); ast_push(ctx->src->arena, $$, $1); }
  | targets ',' expr            { $$ = $1; assignable(ctx, $3); ast_push(ctx->src->arena, $$, $3); }
  ;

if_stmt:
    IF expr block               { $$ = N(AST_IF, @$); $$->a = $2; $$->b = $3; $$ = FIX($$); }
  | IF expr block ELSE block    { $$ = N(AST_IF, @$); $$->a = $2; $$->b = $3; $$->c = $5; $$ = FIX($$); }
  | IF expr block ELSE if_stmt  { $$ = N(AST_IF, @$); $$->a = $2; $$->b = $3; $$->c = $5; $$ = FIX($$); }
  ;

expr:
    expr OR expr                { $$ = node2(ctx, AST_OR, $1, $3, @$); }
  | expr AND expr               { $$ = node2(ctx, AST_AND, $1, $3, @$); }
  | NOT expr                    { $$ = node2(ctx, AST_NOT, $2, NULL, @$); }
  | expr EQ expr                { $$ = bin(ctx, 'e', $1, $3, @$); }
  | expr NE expr                { $$ = bin(ctx, '!', $1, $3, @$); }
  | expr '<' expr               { $$ = bin(ctx, '<', $1, $3, @$); }
  | expr LE expr                { $$ = bin(ctx, 'l', $1, $3, @$); }
  | expr '>' expr               { $$ = bin(ctx, '>', $1, $3, @$); }
  | expr GE expr                { $$ = bin(ctx, 'g', $1, $3, @$); }
  | expr DOTDOT expr            { $$ = node2(ctx, AST_RANGE, $1, $3, @$); }
  | expr '+' expr               { $$ = bin(ctx, '+', $1, $3, @$); }
  | expr '-' expr               { $$ = bin(ctx, '-', $1, $3, @$); }
  | expr '*' expr               { $$ = bin(ctx, '*', $1, $3, @$); }
  | expr '/' expr               { $$ = bin(ctx, '/', $1, $3, @$); }
  | expr '%' expr               { $$ = bin(ctx, '%', $1, $3, @$); }
  | expr '@' expr               { $$ = bin(ctx, '@', $1, $3, @$); }
  | expr '^' expr               { $$ = bin(ctx, '^', $1, $3, @$); }
  | '-' expr %prec UMINUS       { $$ = node2(ctx, AST_NEG, $2, NULL, @$); }
  | postfix                     { $$ = $1; }
  ;

postfix:
    primary                     { $$ = $1; }
  | postfix '(' args ')'        { $$ = $3; $$->kind = AST_CALL; $$->span = SP(@$); $$->a = $1; $$ = FIX($$); }
  | postfix '.' NAME            { $$ = N(AST_MEMBER, @$); $$->a = $1; $$->str = $3->str; $$->c = $3; $$ = FIX($$); }
  | postfix '.' IN              { /* net.in */
                                  $$ = N(AST_MEMBER, @$); $$->a = $1; $$->str = core_intern(ctx->C, "in", 2);
                                  $$->c = N(AST_NAME, @3); $$->c->str = $$->str; $$ = FIX($$); }
  | postfix '[' exprs ']'       { $$ = $3; $$->kind = AST_INDEX; $$->span = SP(@$); $$->a = $1; $$ = FIX($$);
                                  if ($$->nitems == 0) parse_error(ctx, $$->span, "an index needs at least one value"); }
  ;

primary:
    LITERAL                     { $$ = $1; }
  | NAME                        { $$ = $1; }
  | '(' expr ')'                { $$ = $2; }
  | '[' exprs ']'               { $$ = $2; $$->kind = AST_LIST; $$->span = SP(@$); }
  | RECORD_OPEN fields '}'      { $$ = $2; $$->span = SP(@$); }
  | FN '(' params ')' block     { $$ = $3; $$->kind = AST_FN; $$->span = SP(@$); $$->a = $5; $$ = FIX($$); }
  ;

/* comma-separated expressions, trailing comma allowed; a node whose items are them */
exprs:
    %empty                      { $$ = N(AST_LIST, @$); }
  | exprlist                    { $$ = $1; }
  | exprlist ','                { $$ = $1; }
  ;
exprlist:
    expr                        { $$ = N(AST_LIST, @$); ast_push(ctx->src->arena, $$, $1); }
  | exprlist ',' expr           { $$ = $1; ast_push(ctx->src->arena, $$, $3); }
  ;

/* record fields: `name: expr`, `"any text": expr`, `**other` (its fields, in order) */
fields:
    %empty                      { $$ = N(AST_RECORD, @$); }
  | fieldlist                   { $$ = $1; }
  | fieldlist ','               { $$ = $1; }
  ;
fieldlist:
    field                       { $$ = N(AST_RECORD, @$); ast_push(ctx->src->arena, $$, $1); }
  | fieldlist ',' field         { $$ = $1; ast_push(ctx->src->arena, $$, $3);
                                  for (int i = 0; $3->kind == AST_KWARG && i < $$->nitems - 1; i++)
                                      if ($$->items[i]->kind == AST_KWARG && $$->items[i]->str == $3->str)
                                          parse_error(ctx, $3->span, "field '%s' given twice", $3->str); }
  ;
field:
    NAME ':' expr               { $$ = node2(ctx, AST_KWARG, $3, NULL, @$); $$->str = $1->str; $$->c = $1; }
  | IN ':' expr                 { $$ = node2(ctx, AST_KWARG, $3, NULL, @$); $$->str = core_intern(ctx->C, "in", 2);
                                  $$->c = N(AST_NAME, @1); $$->c->str = $$->str; }
  | LITERAL ':' expr            { $$ = node2(ctx, AST_KWARG, $3, NULL, @$); $$->c = $1;
                                  if ($1->kind != AST_STR) {
                                      parse_error(ctx, $1->span, "a record field is a name or a \"string\"");
                                      $$->str = core_intern(ctx->C, "?", 1);
                                  } else if (strlen($1->str) != $1->len) {
                                      parse_error(ctx, $1->span, "a record field name cannot hold a NUL byte");
                                      $$->str = core_intern(ctx->C, "?", 1);
                                  } else {
                                      $$->str = core_intern(ctx->C, $1->str, $1->len);
                                  } }
  | STARSTAR expr               { $$ = node2(ctx, AST_SPREAD, $2, NULL, @$); }
  ;

args:
    %empty                      { $$ = N(AST_CALL, @$); }
  | arglist                     { $$ = $1; }
  | arglist ','                 { $$ = $1; }
  ;
arglist:
    arg                         { $$ = N(AST_CALL, @$); ast_push(ctx->src->arena, $$, $1); }
  | arglist ',' arg             { $$ = $1; ast_push(ctx->src->arena, $$, $3);
                                  if ($3->kind != AST_KWARG && $3->kind != AST_SPREAD &&
                                      ($$->items[$$->nitems - 2]->kind == AST_KWARG || $$->items[$$->nitems - 2]->kind == AST_SPREAD))
                                      parse_error(ctx, $3->span, "a positional argument cannot follow keyword arguments");
                                  for (int i = 0; $3->kind == AST_KWARG && i < $$->nitems - 1; i++)
                                      if ($$->items[i]->kind == AST_KWARG && $$->items[i]->str == $3->str)
                                          parse_error(ctx, $3->span, "keyword '%s' given twice", $3->str); }
  ;
arg:
    expr                        { $$ = $1; }
  | NAME ':' expr               { $$ = node2(ctx, AST_KWARG, $3, NULL, @$); $$->str = $1->str; $$->c = $1; }
  | IN ':' expr                 { /* `in:` is a keyword name of resnet and mlp */
                                  $$ = node2(ctx, AST_KWARG, $3, NULL, @$); $$->str = core_intern(ctx->C, "in", 2);
                                  $$->c = N(AST_NAME, @1); $$->c->str = $$->str; }
  | STARSTAR expr               { $$ = node2(ctx, AST_SPREAD, $2, NULL, @$); }   /* a record's fields as keywords */
  ;

params:
    %empty                      { $$ = N(AST_FN, @$); }
  | paramlist                   { $$ = $1; }
  | paramlist ','               { $$ = $1; }
  ;
paramlist:
    param                       { $$ = N(AST_FN, @$); ast_push(ctx->src->arena, $$, $1); }
  | paramlist ',' param         { $$ = $1; ast_push(ctx->src->arena, $$, $3);
                                  if (!$3->a && $$->items[$$->nitems - 2]->a)
                                      parse_error(ctx, $3->span, "parameter '%s' without a default cannot follow one with a default", $3->str);
                                  for (int i = 0; i < $$->nitems - 1; i++)
                                      if ($$->items[i]->str == $3->str)
                                          parse_error(ctx, $3->span, "parameter '%s' given twice", $3->str); }
  ;
param:
    NAME                        { $$ = N(AST_PARAM, @$); $$->str = $1->str; }
  | NAME ':' expr               { $$ = N(AST_PARAM, @$); $$->str = $1->str; $$->a = $3; $$ = FIX($$); }
  ;

%%

static const char *tok_name(yysymbol_kind_t k)
{
    if (k == YYSYMBOL_YYEOF) return "end of input";
    return yysymbol_name(k);
}

static int yyreport_syntax_error(const yypcontext_t *pc, ParseCtx *ctx, void *scanner)
{
    (void)scanner;
    yysymbol_kind_t tok = yypcontext_token(pc);
    const YYLTYPE *l = yypcontext_location(pc);
    if (tok == YYSYMBOL_YYUNDEF) return 0;           /* the lexer reported it */
    if (tok == YYSYMBOL_YYEOF && ctx->nerrors == 0) ctx->incomplete = 1;
    enum { MAXEXP = 6 };
    yysymbol_kind_t exp[MAXEXP];
    int n = yypcontext_expected_tokens(pc, exp, MAXEXP);
    char msg[512];
    int len = snprintf(msg, sizeof msg, "unexpected %s", tok_name(tok));
    if (tok == YYSYMBOL_NAME || tok == YYSYMBOL_LITERAL) {
        /* name the token: "unexpected name 'z'" */
        const char *t = ctx->src->text;
        size_t off = 0;
        for (int line = 1; line < l->first_line && off < ctx->src->len; off++)
            if (t[off] == '\n') line++;
        for (int col = 1; col < l->first_column && off < ctx->src->len; off++)
            if (((unsigned char)t[off] & 0xC0) != 0x80) col++;
        while (off < ctx->src->len && ((unsigned char)t[off] & 0xC0) == 0x80) off++;
        size_t n = 0;
        while (off + n < ctx->src->len && n < 24 && t[off + n] != '\n' && (unsigned char)t[off + n] >= 0x20 &&
               (unsigned char)t[off + n] < 0x7f && (tok == YYSYMBOL_LITERAL || t[off + n] != ' '))
            n++;
        if (tok == YYSYMBOL_NAME || n < 24)
            len = snprintf(msg, sizeof msg, "unexpected %s '%.*s'", tok_name(tok), (int)n, t + off);
        if (tok == YYSYMBOL_LITERAL && n > 0 && n < 24) {
            /* a literal ends where its span ends */
            int w = l->last_line == l->first_line ? l->last_column - l->first_column + 1 : (int)n;
            if (w > 0 && w < (int)n) n = (size_t)w;
            len = snprintf(msg, sizeof msg, "unexpected %s '%.*s'", tok_name(tok), (int)n, t + off);
        }
    }
    if (n > 0 && n < MAXEXP) {
        len += snprintf(msg + len, sizeof msg - (size_t)len, ", expected ");
        for (int i = 0; i < n && len < (int)sizeof msg - 40; i++)
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s",
                            i == 0 ? "" : i == n - 1 ? " or " : ", ", tok_name(exp[i]));
    }
    Span sp = SP(*l);
    if (tok == YYSYMBOL_YYEOF) sp.end_line = sp.line, sp.end_col = sp.col;
    parse_error(ctx, sp, "%s", msg);
    return 0;
}

static void yyerror(YYLTYPE *loc, ParseCtx *ctx, void *scanner, const char *msg)
{
    (void)scanner;
    if (strstr(msg, "exhausted"))
        parse_error(ctx, SP(*loc), "nesting too deep (more than %d levels of brackets or operators)",
                    RDN_PARSER_STACK);
    else
        parse_error(ctx, SP(*loc), "%s", msg);
}
