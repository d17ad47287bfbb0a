/* bi_csv.c: write_csv, a table, tensor or data set as CSV, written through the sandbox and the
 * atomic writer of outfile.h (the CSV field quoting is runtime/data_csv.c's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "dataset.h"
#include "interp.h"
#include "outfile.h"
#include "table.h"
#include "tensor.h"

/* header: when given, a list of exactly k strings; *names borrowed (NULL when absent). Checked
 * before anything is opened, so a bad header creates nothing. */
static int header_names(Interp *I, Args *a, int64_t k, const char *what, const ObjList **names)
{
    Value h;
    *names = NULL;
    if (!arg_get(a, -1, "header", &h) || h.type == VAL_NIL) return 0;
    if (h.type != VAL_LIST)
        return arg_error(I, a, -1, "header", "write_csv: header: expected a list of %lld column "
                         "names, found a %s", (long long)k, val_type_name(h.type));
    const ObjList *l = (const ObjList *)h.as.obj;
    if (l->len != k)
        return arg_error(I, a, -1, "header", "write_csv: header: has %lld names but the %s has "
                         "%lld column%s", (long long)l->len, what, (long long)k, k == 1 ? "" : "s");
    for (int64_t c = 0; c < k; c++)
        if (l->items[c].type != VAL_STR)
            return arg_error(I, a, -1, "header", "write_csv: header: item %lld is a %s, expected "
                             "a string", (long long)c, val_type_name(l->items[c].type));
    *names = l;
    return 0;
}

/* Ctrl-C is polled every this many rows of a large write (the writer is then aborted). */
#define CSV_POLL_ROWS 16384
/* The widest CSV written: a tensor [0, 2^40] has no data to hold but would have an endless header. */
#define CSV_MAX_COLS ((int64_t)1 << 24)

/* The header row; 0, or -1 when interrupted (polled every CSV_POLL_ROWS columns). */
static int header_row(FILE *f, const ObjList *names, const char *prefix, int64_t k)
{
    for (int64_t c = 0; c < k; c++) {
        if (c % CSV_POLL_ROWS == 0 && rdn_interrupt) return -1;
        if (c) fputc(',', f);
        if (names) rdn_csv_field(f, val_cstr(names->items[c]));
        else fprintf(f, "%s%lld", prefix, (long long)c);
    }
    return 0;
}

/* A 1-D tensor is one column, a 2-D tensor [n, k] is k columns (c0, c1, ... or header:).
 * Returns 0, or -1 when interrupted. */
static int write_tensor_csv(const Tensor *t, const ObjList *names, FILE *f)
{
    int64_t rows = t->shape[0], k = t->ndim == 1 ? 1 : t->shape[1];
    if (header_row(f, names, "c", k) != 0) return -1;
    fputc('\n', f);
    for (int64_t r = 0; r < rows; r++) {
        if (r % CSV_POLL_ROWS == 0 && rdn_interrupt) return -1;
        const float *row = t->data + r * k;
        for (int64_t c = 0; c < k; c++) {
            if (c) fputc(',', f);
            rdn_csv_num_float(f, row[c]);
        }
        fputc('\n', f);
    }
    return 0;
}

/* A data set: its inputs as columns x0, x1, ... (or header:), then its label as a class index,
 * so that load_csv(path, label: "label") reads it back. */
static int write_dataset_csv(const Dataset *d, const ObjList *names, FILE *f)
{
    if (header_row(f, names, "x", d->dim) != 0) return -1;
    fputs(",label\n", f);
    for (int64_t r = 0; r < d->n; r++) {
        if (r % CSV_POLL_ROWS == 0 && rdn_interrupt) return -1;
        const float *row = d->x + r * d->dim;
        for (int c = 0; c < d->dim; c++) {
            rdn_csv_num_float(f, row[c]);
            fputc(',', f);
        }
        fprintf(f, "%d\n", (int)d->y[r]);
    }
    return 0;
}

static int bi_write_csv(Interp *I, Args *a, Value *out)
{
    Value v = a->pos[0];
    const char *path;
    if (v.type != VAL_TABLE && v.type != VAL_TENSOR && v.type != VAL_DATASET)
        return arg_error(I, a, 0, NULL, "write_csv: expected a table, a tensor or a data set, "
                         "found a %s", val_type_name(v.type));
    if (arg_str(I, a, 1, NULL, NULL, &path) != 0) return -1;
    Value h;
    const ObjList *names = NULL;
    const Tensor *t = v.type == VAL_TENSOR ? val_ptr(v) : NULL;
    const Dataset *d = v.type == VAL_DATASET ? val_ptr(v) : NULL;
    if (v.type == VAL_TABLE && arg_get(a, -1, "header", &h) && h.type != VAL_NIL)
        return arg_error(I, a, -1, "header", "write_csv: header: is for tensors and data sets; a "
                         "table already names its columns");
    if (t && (t->ndim < 1 || t->ndim > 2))
        return arg_error(I, a, 0, NULL, "write_csv: expected a 1-D or 2-D tensor, found %d-D",
                         t->ndim);
    if (t && t->ndim == 2 && t->shape[1] > CSV_MAX_COLS)
        return arg_error(I, a, 0, NULL, "write_csv: a tensor of %lld columns is too wide for CSV "
                         "(at most %lld)", (long long)t->shape[1], (long long)CSV_MAX_COLS);
    if (t && header_names(I, a, t->ndim == 1 ? 1 : t->shape[1], "tensor", &names) != 0) return -1;
    if (d && header_names(I, a, d->dim, "data set's input", &names) != 0) return -1;
    RdnErr err = {0};
    RdnWriter w;
    if (rdn_out_open(&I->out, path, &w, &err) != RDN_OK)
        return arg_error(I, a, 1, NULL, "write_csv: %s", err.msg);
    if (t || d) {
        if ((t ? write_tensor_csv(t, names, w.f) : write_dataset_csv(d, names, w.f)) != 0) {
            rdn_out_abort(&w);
            err.code = RDN_INTERRUPTED;
            snprintf(err.msg, sizeof err.msg, "write_csv: interrupted; '%s' was not written "
                     "(any previous file of that name is unchanged)", path);
            return rt_error_from(I, &a->call, &err);
        }
    } else if (rdn_table_write_csv(val_ptr(v), w.f, &err) != 0) {
        rdn_out_abort(&w);
        return arg_error(I, a, 1, NULL, "write_csv: %s", err.msg);
    }
    if (rdn_out_commit(&I->out, &w, &err) != RDN_OK)
        return arg_error(I, a, 1, NULL, "write_csv: %s", err.msg);
    *out = VNIL;
    return 0;
}

const Builtin BI_CSV[] = {
    {"write_csv", bi_write_csv, 2, 2, "header", "write_csv(table, path, header: nil)",
     "Writes a table, a 1-D or 2-D tensor, or a data set as CSV with one header row.\n\n"
     "The file lands below the output folder (`--out`, default the current directory): "
     "absolute paths and `..` leaving it are refused. The bytes go to a temporary file that is "
     "renamed into place when complete, and the file's SHA-256 goes into the run's manifest.\n\n"
     "A table keeps its column names; a tensor of shape [n] is one column, [n, k] is k "
     "columns, named `c0, c1, ...` or by `header:` (a list of k strings). A data set is its "
     "inputs as columns `x0, x1, ...` (or `header:`) and a last column `label` (the class "
     "index), which `load_csv(path, label: \"label\")` reads back. Numbers are written "
     "with 9 significant digits (integers without a point); NaN as `nan`; text is quoted per "
     "RFC 4180.\n\n"
     "Example: `write_csv(robustness(net, test, sigmas: [0, 0.1]), \"noise.csv\")`"},
    {0},
};
