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
#include <stdint.h>
#include <stdio.h>
#include "rdn_err.h"
#include "value.h"
#include "tensor_ops.h"   /* RdnOp */

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

/* docs/reference.md, from the builtin table (`rdn --reference`; interp/reference.c). */
int reference_print(FILE *f);

typedef struct Builtin {
    const char *name;
    BuiltinFn fn;
    int min_pos, max_pos;        /* positional arguments accepted; max -1 = any number */
    const char *keywords;        /* space-separated keyword names accepted ("" none, "*" any) */
    const char *signature;       /* as shown in docs: "resnet(in:, width:, depth: 10, ...)" */
    const char *doc;             /* markdown: a summary line, details, formula, one-line example */
    /* Overloads: rows may share a name when they take different kinds of first argument
     * (split(d, 0.8) of a dataset, split(s, ",") of a string). `on` is the set of kinds, as
     * ON(VAL_STR) | ON(VAL_LIST), this row takes first; 0 takes any kind not claimed by a row of
     * the same name. The evaluator picks the row before checking the arguments. */
    unsigned on;
} Builtin;
#define ON(t) (1u << (t))

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
/* The usual end of a builtin around a runtime call that returns a new object or NULL: with p,
 * *out is p boxed as a value of `type` (VAL_TENSOR, VAL_TABLE, VAL_DATASET or VAL_NET; owned)
 * and 0 is returned; without, err is raised as rt_error_call does. (interp/builtins.c) */
int rt_box(Interp *I, const Args *a, ValType type, void *p, const RdnErr *err, Value *out);

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
/* The seed: keyword: a whole number >= 0 (at most 2^53); absent or nil: a draw from the script's
 * generator, so runs repeat and successive calls differ. */
/* seed: given, or drawn from the script's generator (so runs repeat, calls differ). A seed is a
 * whole number 0 .. 2^53 (exact as a double) or, for the full 64-bit range net.seed may give
 * back, a string of decimal digits. */
int arg_seed(Interp *I, const Args *a, uint64_t *seed);
/* Required domain objects: absent or of another type is an error. *out borrowed. */
int arg_obj(Interp *I, const Args *a, int pos, const char *kw, ValType type, void **out);
/* A list of numbers (or a 1-D tensor) into a malloc'd double array. */
int arg_num_list(Interp *I, const Args *a, int pos, const char *kw, double **out, int *n);

/* Did-you-mean: the closest word of `words` (space-separated) to `s`, or NULL if none is close. */
const char *suggest(const char *s, const char *words, char *buf, size_t bufsize);
/* The one way to build the word list suggest() reads: words_add appends "word " (running out of
 * memory only shortens the list: a suggestion is a courtesy); words_str is "" when empty. */
typedef struct Words { char *s; size_t len, cap; } Words;
void words_add(Words *w, const char *word);
const char *words_str(const Words *w);
void words_free(Words *w);

/* ---- the tables (one file per area owns its rows; each ends with a {NULL} row) ---- */
extern const Builtin BI_CORE[];     /* interp/bi_core.c: print, format, seed, len, ... */
extern const Builtin BI_LIST[];     /* interp/bi_list.c: strings and lists (split, join, map, sort, ...) */
extern const Builtin BI_TENSOR[];   /* interp/bi_tensor.c: tensor, zeros, reshape, ... */
extern const Builtin BI_MATH[];     /* interp/bi_math.c: sum, var, sort, sigmoid, ... */
extern const Builtin BI_TABLE[];    /* interp/bi_table.c: table */
extern const Builtin BI_DATA[];     /* interp/bi_data.c */
extern const Builtin BI_NET[];      /* interp/bi_net.c */
extern const Builtin BI_DYN[];      /* interp/bi_dyn.c */
extern const Builtin BI_CSV[];      /* interp/bi_csv.c: write_csv */
extern const Builtin BI_PLOT[];     /* interp/bi_plot.c: plot */
extern const Builtin BI_ADAPT[];    /* interp/bi_adapt.c */
extern const Builtin BI_STUDY[];    /* interp/bi_study.c: report */
extern const Builtin BI_TRAIN[];    /* interp/bi_train.c: schedules, early stopping, input gradients */
extern const TypeOps OPS_TENSOR, OPS_TABLE, OPS_DATASET, OPS_NET, OPS_RECORDING, OPS_ADAPT,
    OPS_SCHEDULE, OPS_STOPPER;

/* The words of the language (if, for, fn, ...), for help("for") and the reference
 * (interp/keywords.c); the table ends with a {NULL} row. */
typedef struct KeywordDoc { const char *word, *syntax, *doc; } KeywordDoc;
extern const KeywordDoc KEYWORD_DOCS[];
const KeywordDoc *keyword_doc(const char *word);

/* All builtins, in table order (interp/builtins.c); NULL if no such name. */
const Builtin *builtin_find(const char *name);
/* The next row with b's name (an overload), or NULL. */
const Builtin *builtin_next_same(const Builtin *b);
/* The row of b's name for a call whose first argument is `first` (VNIL when there is none):
 * the row whose `on` holds its kind, else the row with on == 0; NULL if none applies. */
const Builtin *builtin_dispatch(const Builtin *b, Value first, int has_first);
const Builtin *builtin_at(int i);     /* i-th row of the concatenated tables, NULL past the end */
const TypeOps *typeops_for(ValType t);

/* ---- hooks the evaluator calls for tensor operators (interp/bi_ops.c) and indexing
 * (interp/bi_tensor.c) ----
 * op is an RdnOp (runtime/tensor_ops.h; RDN_OP_NEG with b nil for unary minus). Either side may
 * be a number. A comparison gives a boolean mask. */
int tensor_binop(Interp *I, RdnOp op, Value a, Value b, const Span *at, Value *out);
/* t[i], t[i, j], t[a..b] (ranges as VAL_RANGE, numbers as indices; negative counts from the end). */
int tensor_index(Interp *I, Value t, int nidx, const Value *idx, const Span *at, Value *out);

/* ---- boxing runtime objects (each defined by its area's bi_*.c) ----
 * Each takes ownership of the pointer (NULL is not allowed). */
struct Tensor; struct Table; struct Dataset; struct Net;
Value val_tensor(struct Tensor *t);    /* bi_tensor.c */
Value val_table(struct Table *t);      /* bi_table.c (tables and histories) */
/* A table's number of rows, its row r as a record (0 <= r < nrows; owned), and t[i] / t["col"]
 * (bi_table.c). */
int table_nrows(Value t);
Value table_row(Value t, int r);
int table_index(Interp *I, Value t, int nidx, const Value *idx, const Span *spans, const Span *at,
                Value *out);
Value val_dataset(struct Dataset *d);  /* bi_data.c */
Value val_net(struct Net *n);          /* bi_net.c */

#endif
