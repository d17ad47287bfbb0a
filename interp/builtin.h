/* builtin.h: the builtin table and the API builtins are written against.
 *
 * Every builtin is one row {name, fn, min_pos, max_pos, keywords, signature, doc}; the REPL's
 * help and completion and docs/reference.md (rdn --reference) all read these rows, so a builtin
 * cannot exist without its documentation. The evaluator checks before calling: the positional
 * count (min_pos..max_pos, -1 = any) and that every keyword is listed in `keywords` (else the
 * located "unknown keyword 'x' (did you mean 'y'?)"). The builtin then reads its arguments with
 * the arg_* helpers, which check types and locate errors at the offending argument.
 *
 * A builtin returns 0 with *out set (owned), or -1 after raising an error with rt_error/arg_error/
 * rt_error_from. Arguments are borrowed. */
#ifndef RDN_BUILTIN_H
#define RDN_BUILTIN_H
#include "rdn_err.h"
#include "value.h"

typedef struct Interp Interp;

typedef struct Span { int line, col, end_line, end_col; } Span;

typedef struct Args {
    int npos;
    const Value *pos;
    const Span *pos_span;
    int nkw;
    const char *const *kw_name;
    const Value *kw;
    const Span *kw_span;
    Span call;                   /* the whole call expression */
    const struct Builtin *bi;
} Args;

typedef int (*BuiltinFn)(Interp *I, Args *a, Value *out);

typedef struct Builtin {
    const char *name;
    BuiltinFn fn;
    int min_pos, max_pos;        /* positional arguments accepted; max -1 = any number */
    const char *keywords;        /* space-separated keyword names accepted ("" none) */
    const char *signature;       /* as shown in docs: "resnet(in:, width:, depth: 10, ...)" */
    const char *doc;             /* markdown: a summary line, details, formula, one-line example */
} Builtin;

/* Per domain type: printing, members, and how the payload is freed. */
typedef struct TypeOps {
    ValType type;
    const char *name;                 /* "tensor", "dataset", ... */
    const char *members;              /* space-separated, for completion and did-you-mean */
    char *(*repr)(Value v);           /* malloc'd; what the REPL shows */
    /* 0 ok (*out owned), 1 no such member (the evaluator reports it), -1 error raised */
    int (*get)(Interp *I, Value self, const char *member, const Span *at, Value *out);
    /* 0 ok, 1 no such member / not assignable, -1 error raised. v is borrowed. */
    int (*set)(Interp *I, Value self, const char *member, Value v, const Span *at);
} TypeOps;

/* ---- errors (all return -1) ---- */
int rt_error(Interp *I, const Span *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Located at positional argument pos, or keyword kw (whichever was given), else at the call. */
int arg_error(Interp *I, const Args *a, int pos, const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Raises a runtime RdnErr (prefixing "NAME: " is the caller's job); RDN_INTERRUPTED becomes an
 * interruption (exit 130 in a script, back to the prompt in the REPL). */
int rt_error_from(Interp *I, const Span *at, const RdnErr *err);
/* rt_error_from located at the call, the message prefixed with the builtin's name ("fit: ...")
 * unless it already starts with it. */
int rt_error_call(Interp *I, const Args *a, const RdnErr *err);

/* ---- arguments: pos is the positional index that may carry the value (-1: keyword only),
 * kw the keyword that may carry it (NULL: positional only). ---- */
/* 1 and *out borrowed if given, 0 if absent. */
int arg_get(const Args *a, int pos, const char *kw, Value *out);
/* Typed readers: 0 ok (default used when absent), -1 error raised (wrong type, out of range). */
int arg_num(Interp *I, const Args *a, int pos, const char *kw, double def, double *out);
int arg_int(Interp *I, const Args *a, int pos, const char *kw, long def, long lo, long hi, long *out);
int arg_bool(Interp *I, const Args *a, int pos, const char *kw, int def, int *out);
int arg_str(Interp *I, const Args *a, int pos, const char *kw, const char *def, const char **out);
/* choices "sgd|momentum|adam": *out is the index; an unknown word is an error with did-you-mean. */
int arg_choice(Interp *I, const Args *a, int pos, const char *kw, const char *choices, int def,
               int *out);
/* Required domain objects: absent or of another type is an error. *out borrowed. */
int arg_obj(Interp *I, const Args *a, int pos, const char *kw, ValType type, void **out);
/* A list of numbers (or a 1-D tensor) into a malloc'd double array. */
int arg_num_list(Interp *I, const Args *a, int pos, const char *kw, double **out, int *n);

/* Did-you-mean: the closest word of `words` (space-separated) to `s`, or NULL if none is close. */
const char *suggest(const char *s, const char *words, char *buf, size_t bufsize);

/* ---- the tables (one file per area owns its rows; each ends with a {NULL} row) ---- */
extern const Builtin BI_CORE[];     /* interp/bi_core.c: print, format, seed, len, ... */
extern const Builtin BI_TENSOR[];   /* interp/bi_tensor.c: tensor, zeros, reshape, ... */
extern const Builtin BI_MATH[];     /* interp/bi_math.c: sum, var, sort, sigmoid, ... */
extern const Builtin BI_TABLE[];    /* interp/bi_table.c: table */
extern const Builtin BI_DATA[];     /* interp/bi_data.c */
extern const Builtin BI_NET[];      /* interp/bi_net.c */
extern const Builtin BI_DYN[];      /* interp/bi_dyn.c */
extern const Builtin BI_CSV[];      /* interp/bi_csv.c: write_csv */
extern const Builtin BI_PLOT[];     /* interp/bi_plot.c: plot */
extern const Builtin BI_ADAPT[];    /* interp/bi_adapt.c */
extern const TypeOps OPS_TENSOR, OPS_TABLE, OPS_DATASET, OPS_NET, OPS_RECORDING, OPS_ADAPT;

/* All builtins, in table order (interp/builtins.c); NULL if no such name. */
const Builtin *builtin_find(const char *name);
const Builtin *builtin_at(int i);     /* i-th row of the concatenated tables, NULL past the end */
const TypeOps *typeops_for(ValType t);

/* ---- hooks the evaluator calls for tensor operators (interp/bi_ops.c) and indexing
 * (interp/bi_tensor.c) ----
 * op is one of '+', '-', '*', '/', '@', '^', 'n' (unary minus), '<', '>', 'l' (<=), 'g' (>=),
 * 'e' (==), '!' (!=). Either side may be a number. */
int tensor_binop(Interp *I, int op, Value a, Value b, const Span *at, Value *out);
/* t[i], t[i, j], t[a..b] (ranges as VAL_RANGE, numbers as indices; negative counts from the end). */
int tensor_index(Interp *I, Value t, int nidx, const Value *idx, const Span *at, Value *out);

/* ---- boxing runtime objects (each defined by its area's bi_*.c) ----
 * Each takes ownership of the pointer (NULL is not allowed). */
struct Tensor; struct Table; struct Dataset; struct Net;
Value val_tensor(struct Tensor *t);    /* bi_tensor.c */
Value val_table(struct Table *t);      /* bi_table.c (tables and histories) */
Value val_dataset(struct Dataset *d);  /* bi_data.c */
Value val_net(struct Net *n);          /* bi_net.c */

#endif
