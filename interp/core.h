/* core.h: the evaluator's private state and the interfaces between its files (parse glue,
 * diagnostics, environments, evaluation, checking). Bindings never include this. */
#ifndef RDN_CORE_H
#define RDN_CORE_H
#include <stdio.h>
#include "ast.h"
#include "interp.h"
#include "mem.h"

/* Limits that keep hostile input from exhausting the C stack or running forever. The
 * interpreter runs on a thread with a large stack (main.c); the fuzz build uses small limits. */
#ifdef RDN_FUZZ
enum { RDN_MAX_AST_DEPTH = 300, RDN_MAX_EVAL_DEPTH = 1500, RDN_MAX_CALLS = 60,
       RDN_PARSER_STACK = 3000 };
#else
enum { RDN_MAX_AST_DEPTH = 1000, RDN_MAX_EVAL_DEPTH = 100000, RDN_MAX_CALLS = 10000,
       RDN_PARSER_STACK = 10000 };
#endif
/* Longest string and list the operators build (a doubling loop hits these, not the OOM killer). */
#ifdef RDN_FUZZ
#define RDN_MAX_STR ((size_t)1 << 22)
#define RDN_MAX_LIST ((int64_t)1 << 18)
#else
#define RDN_MAX_STR ((size_t)1 << 30)
#define RDN_MAX_LIST ((int64_t)1 << 28)
#endif
#define RDN_STACK_BYTES ((size_t)512 << 20)   /* the interpreter thread's stack */

/* ---- sources: a program text, its tree and the arena holding the tree ---- */
typedef struct Source {
    char *name;          /* "x.rdn", "<-e>", "<repl>", "<stdin>", "stats" */
    char *text;          /* NUL-terminated copy (may hold NULs before len) */
    size_t len;
    Arena *arena;
    Ast *root;           /* AST_BLOCK, or NULL after a syntax error */
    Ast *partial;        /* after syntax errors: what was recovered (for rdn check), or NULL */
    struct Source *next;
} Source;

/* ---- environments: one per block that runs, chained to the enclosing one ---- */
typedef struct Env {
    int32_t refcount;
    int n, cap;
    const char **names;  /* interned */
    Value *vals;
    struct Env *parent;
    struct Core *core;
    struct Env *all_prev, *all_next;   /* every live Env, to break closure cycles at exit */
} Env;

typedef struct ObjFunc {
    Obj h;
    Ast *def;            /* AST_FN */
    Env *closure;        /* counted */
    Source *src;
} ObjFunc;

typedef struct ObjModule {
    Obj h;
    const char *name;    /* interned */
    Env *env;            /* counted; its own names are the members */
} ObjModule;

typedef struct Frame {
    const char *name;    /* function name, "<main>" for the top level */
    Source *src;
    Span at;             /* the call being made from this frame (updated per call) */
} Frame;

typedef struct Module { const char *key; Value v; } Module;

enum { ERR_NONE = 0, ERR_RUNTIME = 1, ERR_USAGE = 2, ERR_INTERRUPT = 130 };

typedef struct Core {
    /* interned names */
    char **intern; size_t nintern, capintern;
    /* every Source ever parsed (closures point into them) */
    Source *sources;
    Source *cur;             /* source of the code running now */
    Env *globals;
    Env *all_envs;
    Frame *frames; int nframes, capframes;
    int depth;               /* nested evaluation depth (C recursion) */
    int max_depth, max_calls;/* RDN_MAX_EVAL_DEPTH, RDN_MAX_CALLS; less on a small stack */
    long long steps, max_steps;  /* max_steps 0 = no limit */
    /* the pending error */
    int err;                 /* ERR_* */
    char *err_msg;
    Span err_span;
    Source *err_src;
    char *err_trace;         /* "  at FILE:LINE in NAME\n" lines, or NULL */
    /* imports */
    Module *modules; int nmodules, capmodules;
    int importing;           /* nesting of imports, against import cycles */
    const char **import_stack; int nimport_stack;
    /* `param` overrides (--set NAME=VALUE), marked when used */
    char **set_names; char **set_values; int *set_used; int nset;
    Value ret; int ret_set;  /* the value of a `return` on its way to the call */
    int check_only;
    int core_only;           /* fuzzing: only the BI_CORE builtins exist */
    FILE *errf;              /* where errors go (stderr; the fuzzer silences them) */
    Heap heap;               /* objects being freed, a pending allocation failure (mem.h) */
    char err_oom[160];       /* the pending error's text when even it could not be allocated */
} Core;

static inline Core *core_of(Interp *I) { return (Core *)I->core; }

/* Enters a call frame (a function call or an import; core.c) under the call limit: the caller's
 * frame records `call` as the call being made, the new frame is f and code now runs in f.src;
 * *saved gets the source to give back to frame_pop, which leaves the frame. 0 ok, -1 raised at
 * `call`. */
int  frame_push(Interp *I, const Span *call, Frame f, Source **saved);
void frame_pop(Core *C, Source *saved);

/* interp/core.c: state lifetime, interning, sources, running programs */
int   core_init(Interp *I);          /* fills I->core, seeds rng; 0 ok */
void  core_free(Interp *I);          /* releases every value, env and source */
const char *core_intern(Core *C, const char *s, size_t n);
/* NULL when memory ran out (the failure is pending, see mem.h). */
Source *source_new(Interp *I, const char *name, const char *text, size_t len);
/* Parses and runs src in env (NULL: the globals). 0 ok; -1 error (pending, see diag_report).
 * *last gets the value of a final expression statement (REPL echo) if last is not NULL. */
int   core_run(Interp *I, Source *src, Env *env, Value *last);
/* Parses (unless already parsed) and checks statement placement (break outside a loop, ...);
 * 0 ok, else the number of errors (printed to errf when not NULL). */
int   core_prepare(Interp *I, Source *src, FILE *errf);
/* The statements `param NAME = default` and `import "file"` (called by the evaluator). */
int   core_param(Interp *I, Ast *n, Env *env);
int   core_import(Interp *I, Ast *n, Env *env);
/* Loads a file into a Source; -1 with a usage error message printed on failure. */
Source *source_load(Interp *I, const char *path);

/* interp/parse.c: the glue around the generated lexer and parser.
 * 0 ok; -1 syntax errors (each printed to errf when errf is not NULL). *incomplete is set when
 * the only problem is that the input ended early (the REPL then asks for more lines). */
int   parse_source(Interp *I, Source *src, FILE *errf, int *incomplete);

/* interp/diag.c: located messages */
void  diag_print(FILE *f, const Source *src, Span sp, const char *msg);
/* Prints the pending error with its traceback and clears it; returns its exit status. */
int   diag_report(Interp *I, FILE *f);
void  diag_clear(Interp *I);
/* A usage error (exit 2) located at sp. */
int   usage_error(Interp *I, const Span *sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* interp/env.c */
Env  *env_new(Core *C, Env *parent);   /* NULL when memory ran out (failure pending) */
void  env_incref(Env *e);
void  env_decref(Env *e);
/* The slot of name in e alone, or NULL. */
Value *env_find_local(Env *e, const char *name);
/* The nearest visible slot of name, or NULL. */
Value *env_find(Env *e, const char *name);
/* Binds name in e (takes v's reference; replaces an existing binding of e). When memory runs
 * out v is released and the failure left pending (mem.h). */
void  env_define(Env *e, const char *name, Value v);
/* The assignment rule: updates the nearest visible binding, else creates it in e. Takes v. */
void  env_assign(Env *e, const char *name, Value v);
/* Called once at exit: clears every env so closure cycles are released. */
void  env_release_all(Core *C);

/* --set NAME=VALUE strings (I->argv_sets) into the Core; 2 on a malformed one (printed). */
int   core_set_overrides(Interp *I);
/* Every --set must name a param declared at the top of src; 2 (printed) if not. */
int   core_check_sets(Interp *I, Source *src);

/* interp/eval.c */
int   eval_expr(Interp *I, Ast *n, Env *env, Value *out);
int   eval_block(Interp *I, Ast *block, Env *env, Value *last);
int   call_value(Interp *I, Value f, Args *a, Value *out);
/* The builtin call path: positional count and keywords checked, then the row's fn. */
int   call_builtin(Interp *I, const Builtin *bi, Args *a, Value *out);
/* "unknown name" with did-you-mean over the names visible from env and the builtins. */
int   unknown_name(Interp *I, Env *env, const char *name, const Span *at);

/* interp/repl.c: the REPL's line handling, without the terminal (the fuzz harness drives it).
 * repl_accept appends a line (ll bytes, no newline) to the statement being typed: REPL_MORE while
 * it is incomplete, REPL_READY with *src to run (core_run reports its errors) and *text the
 * statement for the history (malloc'd, may be NULL), REPL_FAILED after an error was printed (too
 * long, out of memory; the statement is dropped and the session goes on). */
typedef struct ReplInput { char *buf; size_t len; } ReplInput;
enum { REPL_MORE, REPL_READY, REPL_FAILED, REPL_IF };
int   repl_accept(Interp *I, ReplInput *in, const char *line, size_t ll, Source **src, char **text);
/* REPL_IF: the statement is complete but ends with an `if` without `else`; when the next line
 * starts with `else` (repl_starts_with_else) give it to repl_accept, else run repl_take's Source
 * (REPL_READY, or REPL_FAILED) and then give the line. */
int   repl_take(Interp *I, ReplInput *in, Source **src, char **text);
int   repl_starts_with_else(const char *line);
void  repl_input_reset(ReplInput *in);
void  repl_wake(int sig);       /* from the signal handler: wakes the prompt */

/* interp/check.c: `rdn check`: names and builtin keywords; returns the number of errors. */
int   check_source(Interp *I, Source *src, FILE *errf);

/* interp/bi_core.c */
void  core_seed(Interp *I, uint64_t seed);
int   builtin_is_core(const Builtin *b);
int   builtin_is_list(const Builtin *b);    /* interp/bi_list.c */
/* The stable order of keys[0..n) (numbers or strings; other kinds an error raised for a's
 * builtin): *order a malloc'd permutation. 0 ok, -1 error. */
int   list_sort_order(Interp *I, Args *a, const Value *keys, int64_t n, int desc, int64_t **order);

/* ObjFunc / ObjModule constructors (value.c) */
Value val_func(Ast *def, Env *closure, Source *src);
Value val_module(const char *name, Env *env);
int   val_is_func(Value v);
/* 1 if storing item in list would make a list contain itself (refused: a leak-free heap). */
int   val_list_would_cycle(Value list, Value item);
/* The text of a number as print shows it (shortest that reads back). */
void  fmt_num(char *out, size_t n, double x);

#endif
