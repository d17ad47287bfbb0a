/* table.h: named columns of numbers or strings; what experiments return and write as CSV.
 * A history (fit's result) is a table with is_history set. */
#ifndef RDN_TABLE_H
#define RDN_TABLE_H
#include <stdio.h>
#include "rdn_err.h"

typedef struct TableCol {
    char *name;
    int is_str;      /* 1: str[] holds owned strings; 0: num[] holds doubles (NaN = missing) */
    double *num;
    char **str;
} TableCol;

typedef struct Table {
    int ncols;
    int nrows, cap;
    TableCol *cols;
    int is_history;
    struct Table *changes;   /* a history's depth-change log (adaptive training), owned, or NULL */
    struct Table *deltas;    /* a change log's per-layer deltas (change, epoch, layer, delta), owned,
                              * or NULL */
    int ntensors;            /* named tensors riding on the table (attractors: steady, centres) */
    struct TableTensor { char *name; struct Tensor *t; } *tensors;   /* owned */
} Table;

/* A table with the given columns and no rows. types: one char per column, 'n' number, 's' string
 * (NULL: all numeric). */
Table *rdn_table_new(int ncols, const char *const *names, const char *types, RdnErr *err);
void   rdn_table_free(Table *t);
Table *rdn_table_copy(const Table *t, RdnErr *err);
/* Appends one row: nums[c] for numeric columns, strs[c] for string columns (either array may be
 * NULL when the table has no column of that type). */
int    rdn_table_push(Table *t, const double *nums, const char *const *strs, RdnErr *err);
int    rdn_table_col(const Table *t, const char *name);   /* index or -1 */
/* Attaches tensor x under `name` (ownership passes to t, also on error; a name given twice
 * replaces). rdn_table_tensor: the tensor of that name or NULL. */
int    rdn_table_attach(Table *t, const char *name, struct Tensor *x, RdnErr *err);
const struct Tensor *rdn_table_tensor(const Table *t, const char *name);
/* 1 when a and b hold the same columns (names, kinds, order) and the same cells (numbers by value,
 * a missing NaN equal to a missing NaN), else 0. Whether either is a history does not matter. */
int    rdn_table_equal(const Table *a, const Table *b);
/* CSV: one header row, RFC 4180 quoting, numbers exact (the shortest of %.15g, %.16g, %.17g that
 * reads back as the same double; integers without a point), '\n'. */
int    rdn_table_write_csv(const Table *t, FILE *f, RdnErr *err);
/* One CSV field (quoted when it holds , " CR or LF) and one number as write_csv writes them. */
void   rdn_csv_field(FILE *f, const char *s);
void   rdn_csv_num(FILE *f, double v);
/* A float32 (a tensor's entry): the shortest of %.6g .. %.9g that reads back as the same float. */
void   rdn_csv_num_float(FILE *f, float v);
/* The text rdn_csv_num writes, into buf (n >= 32). */
void   rdn_num_text(char *buf, size_t n, double v);
/* A CSV with a header row into a table (load_table): a column whose non-empty cells are all
 * numbers is numeric (exact doubles; empty cells NaN), any other keeps strings. Errors name the
 * file, line and column (ragged rows, duplicate header names, malformed quoting). */
Table *rdn_table_parse_csv(const char *buf, size_t len, const char *name, RdnErr *err);
Table *rdn_table_load_csv(const char *path, RdnErr *err);
/* Aligned text for the REPL; max_rows 0 = all (else head and tail with "..."). Caller frees. */
char  *rdn_table_format(const Table *t, int max_rows);

#endif
