/* bi_table.c: tables as values (results, histories): the table(names, rows) builtin, how a
 * table prints and its members (.columns, .nrows, a column by name). The table itself is
 * runtime/table.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bi_tensor.h"
#include "builtin.h"
#include "core.h"
#include "interp.h"
#include "table.h"
#include "tensor.h"

static void destroy_table(void *p) { rdn_table_free(p); }
Value val_table(struct Table *t) { return val_box(VAL_TABLE, t, destroy_table); }

/* The value of row r, column c of table()'s input (borrowed): a list of lists (rl), or a list of
 * records (recs, by column name). A tensor's rows are read directly. */
static Value input_cell(const ObjList *rl, int recs, const char *name, int64_t r, int c)
{
    Value row = rl->items[r], v = VNIL;
    if (recs) val_record_get(row, name, &v);
    else v = ((ObjList *)row.as.obj)->items[c];
    return v;
}

/* Checks that row r of a list of lists has ncols values, or that record r has exactly the keys
 * of the first record. 0 ok, else the error is raised. */
static int check_input_row(Interp *I, Args *a, const ObjList *rl, int recs, int64_t r,
                           int ncols)
{
    Value row = rl->items[r];
    if (!recs) {
        if (row.type == VAL_LIST && ((ObjList *)row.as.obj)->len == ncols) return 0;
        return arg_error(I, a, 1, NULL, "table: row %lld must be a list of %d values (one per "
                         "column), got %s", (long long)r + 1, ncols,
                         row.type == VAL_LIST ? "a list of another length" :
                         val_type_name(row.type));
    }
    if (row.type != VAL_RECORD)
        return arg_error(I, a, 0, NULL, "table: item %lld is a %s; table(records) takes a list of "
                         "records", (long long)r + 1, val_type_name(row.type));
    Value first = rl->items[0], v;
    for (int64_t k = 0; k < val_record_len(row); k++)
        if (val_record_get(first, val_record_key(row, k), &v))
            return arg_error(I, a, 0, NULL, "table: record %lld has field '%s', which the first "
                             "record has not (every record needs the same fields)",
                             (long long)r + 1, val_record_key(row, k));
    for (int64_t k = 0; k < val_record_len(first); k++)
        if (val_record_get(row, val_record_key(first, k), &v))
            return arg_error(I, a, 0, NULL, "table: record %lld has no field '%s' (every record "
                             "needs the same fields as the first)", (long long)r + 1,
                             val_record_key(first, k));
    return 0;
}

/* table(names, rows) or table(records). A column holds strings when its first non-nil value is
 * a string, else numbers. */
static int bi_table(Interp *I, Args *a, Value *out)
{
    int recs = a->npos == 1;
    Value names = a->pos[0], rows = recs ? a->pos[0] : a->pos[1];
    Value rec_names = VNIL;
    if (recs) {
        const ObjList *l = rows.type == VAL_LIST ? (const ObjList *)rows.as.obj : NULL;
        if (!l || l->len < 1 || l->items[0].type != VAL_RECORD)
            return arg_error(I, a, 0, NULL, "table: with one argument, expected a non-empty list "
                             "of records ({name: value, ...}), got %s%s",
                             l ? (l->len ? "a list whose first item is a " : "an empty list") : "a ",
                             l ? (l->len ? val_type_name(l->items[0].type) : "")
                               : val_type_name(rows.type));
        Value first = l->items[0];
        rec_names = val_list(val_record_len(first));
        for (int64_t k = 0; k < val_record_len(first); k++)
            val_list_push(rec_names, val_str(val_record_key(first, k)));
        names = rec_names;
    }
    if (names.type != VAL_LIST)
        return arg_error(I, a, 0, NULL, "table: column names must be a list of strings, got a %s",
                         val_type_name(names.type));
    const ObjList *nl = (const ObjList *)names.as.obj;
    int rc = -1;
    if (nl->len < 1 || nl->len > 10000) {
        arg_error(I, a, 0, NULL, "table: needs 1 to 10000 column names, got %lld",
                  (long long)nl->len);
        val_decref(rec_names);
        return -1;
    }
    int ncols = (int)nl->len;
    for (int c = 0; c < ncols; c++) {
        if (nl->items[c].type != VAL_STR)
            return arg_error(I, a, 0, NULL, "table: column name %d is a %s, expected a string",
                             c + 1, val_type_name(nl->items[c].type));
        for (int e = 0; e < c; e++)
            if (!strcmp(val_cstr(nl->items[c]), val_cstr(nl->items[e])))
                return arg_error(I, a, 0, NULL, "table: column name \"%s\" appears twice",
                                 val_cstr(nl->items[c]));
    }
    const Tensor *rt = NULL;
    const ObjList *rl = NULL;
    int64_t nrows;
    if (rows.type == VAL_TENSOR) {
        rt = val_ptr(rows);
        char sb[128];
        if (rt->ndim != 2 || rt->shape[1] != ncols)
            return arg_error(I, a, 1, NULL, "table: rows as a tensor must have shape [n, %d] "
                             "(one column per name), got %s", ncols, SHAPESTR(rt, sb));
        nrows = rt->shape[0];
    } else if (rows.type == VAL_LIST) {
        rl = (const ObjList *)rows.as.obj;
        nrows = rl->len;
    } else {
        return arg_error(I, a, 1, NULL, "table: rows must be a list of lists or a 2-D tensor, "
                         "got a %s", val_type_name(rows.type));
    }
    char *types = calloc((size_t)ncols + 1, 1);
    const char **cn = calloc((size_t)ncols, sizeof *cn);
    double *num = calloc((size_t)ncols, sizeof *num);
    const char **str = calloc((size_t)ncols, sizeof *str);
    int *type_row = calloc((size_t)ncols, sizeof *type_row);
    Table *t = NULL;
    RdnErr err = {0};
    if (!types || !cn || !num || !str || !type_row) {
        rt_error(I, &a->call, "table: out of memory");
        goto done;
    }
    if (nrows > 100000000) {
        arg_error(I, a, recs ? 0 : 1, NULL, "table: too many rows (%lld)", (long long)nrows);
        goto done;
    }
    for (int64_t r = 0; rl && r < nrows; r++)
        if (check_input_row(I, a, rl, recs, r, ncols)) goto done;
    for (int c = 0; c < ncols; c++) {
        cn[c] = val_cstr(nl->items[c]);
        types[c] = 'n';
        for (int64_t r = 0; rl && r < nrows; r++) {
            Value v = input_cell(rl, recs, cn[c], r, c);
            if (v.type == VAL_NIL) continue;
            types[c] = v.type == VAL_STR ? 's' : 'n';
            type_row[c] = (int)r;
            break;
        }
    }
    if (!(t = rdn_table_new(ncols, cn, types, &err))) {
        rt_error_call(I, a, &err);
        goto done;
    }
    for (int64_t r = 0; r < nrows; r++) {
        if (rt) {
            for (int c = 0; c < ncols; c++) num[c] = rt->data[r * ncols + c];
        } else {
            for (int c = 0; c < ncols; c++) {
                Value v = input_cell(rl, recs, cn[c], r, c);
                int want_str = types[c] == 's';
                if (v.type == VAL_NIL) {
                    num[c] = NAN;
                    str[c] = "";
                } else if (want_str && v.type == VAL_STR) {
                    str[c] = val_cstr(v);
                } else if (!want_str && (v.type == VAL_NUM || v.type == VAL_BOOL)) {
                    num[c] = v.type == VAL_NUM ? v.as.num : v.as.b;
                } else {
                    arg_error(I, a, recs ? 0 : 1, NULL, "table: row %lld, column \"%s\": "
                              "expected a %s (as in row %d), got a %s", (long long)r + 1, cn[c],
                              want_str ? "string" : "number", type_row[c] + 1,
                              val_type_name(v.type));
                    goto done;
                }
            }
        }
        if (rdn_table_push(t, num, str, &err)) {
            rt_error_call(I, a, &err);
            goto done;
        }
    }
    *out = val_table(t);
    t = NULL;
    rc = 0;
done:
    rdn_table_free(t);
    free(types);
    free(cn);
    free(num);
    free(str);
    free(type_row);
    val_decref(rec_names);
    return rc;
}

enum { TABLE_SHOW_ROWS = 20 };

static char *table_repr(Value v)
{
    const Table *t = val_ptr(v);
    Buf b = {0};
    if (t->is_history)
        put(&b, "history: %d epoch%s\n", t->nrows, t->nrows == 1 ? "" : "s");
    else
        put(&b, "table: %d row%s x %d column%s\n", t->nrows, t->nrows == 1 ? "" : "s", t->ncols,
            t->ncols == 1 ? "" : "s");
    char *body = rdn_table_format(t, TABLE_SHOW_ROWS);
    if (!body) {
        free(b.s);
        return NULL;
    }
    /* each line without the padding that ends lines whose last column is left-aligned text,
     * and no newline after the last */
    int first = 1;
    for (char *line = body; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        size_t e = len;
        while (e && line[e - 1] == ' ') e--;
        put(&b, "%s%.*s", first ? "" : "\n", (int)e, line);
        first = 0;
        line += len + (nl ? 1 : 0);
    }
    free(body);
    if (t->is_history && t->changes && t->changes->nrows)
        put(&b, "\n(%d depth change%s: see .changes)", t->changes->nrows,
            t->changes->nrows == 1 ? "" : "s");
    for (int i = 0; i < t->ntensors; i++) {
        const Tensor *x = t->tensors[i].t;
        put(&b, "%s.%s [", i ? ", " : "\n(tensors: ", t->tensors[i].name);
        for (int k = 0; k < x->ndim; k++) put(&b, "%s%lld", k ? ", " : "", (long long)x->shape[k]);
        put(&b, "]%s", i + 1 == t->ntensors ? ")" : "");
    }
    if (t->deltas && t->deltas->nrows)
        put(&b, "\n(the per-layer deltas behind each change: see .deltas)");
    return buf_done(&b);
}

/* "table has no column 'x' (did you mean 'y'?)" over the columns and members. */
static int no_column(Interp *I, const Table *t, const char *name, const Span *at)
{
    char best[128];
    Words wl = {0};
    for (int c = 0; c < t->ncols; c++) words_add(&wl, t->cols[c].name);
    const char *cols = words_str(&wl);
    const char *s = suggest(name, cols, best, sizeof best);
    if (!s) s = suggest(name, OPS_TABLE.members, best, sizeof best);
    int rc = s ? rt_error(I, at, "table has no column '%s' (did you mean '%s'?)", name, s)
         : *cols ? rt_error(I, at, "table has no column '%s' (columns: %.*s)", name,
                            (int)strlen(cols) - 1, cols)
         : rt_error(I, at, "table has no column '%s' (it has no columns)", name);
    words_free(&wl);
    return rc;
}

/* Row r (0 <= r < nrows) as a record {column: value}; a missing number (NaN) is nil. */
int table_nrows(Value v) { return ((const Table *)val_ptr(v))->nrows; }

Value table_row(Value v, int r)
{
    const Table *t = val_ptr(v);
    Value rec = val_record();
    for (int c = 0; c < t->ncols; c++) {
        const TableCol *col = &t->cols[c];
        Value cell = col->is_str ? val_str(col->str[r]) : isnan(col->num[r]) ? VNIL : val_num(col->num[r]);
        val_record_set(rec, col->name, cell);
    }
    return rec;
}

static int table_get(Interp *I, Value self, const char *m, const Span *at, Value *out);

int table_index(Interp *I, Value self, int nidx, const Value *idx, const Span *spans, const Span *at,
                Value *out)
{
    const Table *t = val_ptr(self);
    if (nidx != 1)
        return rt_error(I, at, "a table takes one index (a row number or a column name), found %d", nidx);
    if (idx[0].type == VAL_STR) {
        int c = rdn_table_col(t, val_cstr(idx[0]));
        if (c < 0) return no_column(I, t, val_cstr(idx[0]), &spans[0]);
        return table_get(I, self, t->cols[c].name, &spans[0], out);
    }
    if (idx[0].type != VAL_NUM)
        return rt_error(I, &spans[0], "a table's index is a row number or a column name (a string), "
                        "found %s", val_type_name(idx[0].type));
    double x = idx[0].as.num;
    if (x != floor(x) || !isfinite(x))
        return rt_error(I, &spans[0], "a row number must be a whole number, found %.17g", x);
    if (x < 0) x += t->nrows;
    if (x < 0 || x >= t->nrows)
        return rt_error(I, &spans[0], "row %.17g is out of range (the table has %d row%s)",
                        idx[0].as.num, t->nrows, t->nrows == 1 ? "" : "s");
    *out = table_row(self, (int)x);
    return 0;
}

static int table_get(Interp *I, Value self, const char *m, const Span *at, Value *out)
{
    const Table *t = val_ptr(self);
    if (!strcmp(m, "columns")) {
        Value l = val_list(t->ncols);
        for (int c = 0; c < t->ncols; c++) val_list_push(l, val_str(t->cols[c].name));
        *out = l;
        return 0;
    }
    if (!strcmp(m, "nrows")) {
        *out = val_num(t->nrows);
        return 0;
    }
    if (!strcmp(m, "ncols")) {
        *out = val_num(t->ncols);
        return 0;
    }
    if (!strcmp(m, "changes") || (!strcmp(m, "deltas") && t->deltas)) {
        const Table *sub = m[0] == 'c' ? t->changes : t->deltas;
        if (!sub) {
            *out = VNIL;
            return 0;
        }
        RdnErr err = {0};
        Table *c = rdn_table_copy(sub, &err);
        if (!c) return rt_error_from(I, at, &err);
        *out = val_table(c);
        return 0;
    }
    const Tensor *tx = rdn_table_tensor(t, m);
    if (tx) { /* a tensor riding on the table (attractors' steady, centres) */
        RdnErr err = {0};
        Tensor *u = rdn_tensor_copy(tx, &err);
        if (!u) return rt_error_from(I, at, &err);
        *out = val_tensor(u);
        return 0;
    }
    int c = rdn_table_col(t, m);
    if (c < 0) return no_column(I, t, m, at);
    const TableCol *col = &t->cols[c];
    if (col->is_str) {
        Value l = val_list(t->nrows);
        for (int r = 0; r < t->nrows; r++) val_list_push(l, val_str(col->str[r]));
        *out = l;
        return 0;
    }
    RdnErr err = {0};
    int64_t n = t->nrows;
    Tensor *u = rdn_tensor_new(1, &n, &err);
    if (!u) return rt_error_from(I, at, &err);
    for (int r = 0; r < t->nrows; r++) u->data[r] = (float)col->num[r];
    *out = val_tensor(u);
    return 0;
}

const TypeOps OPS_TABLE = {VAL_TABLE, "table", "columns nrows ncols changes deltas", table_repr,
                           table_get, 0};

/* ---------------------------------------------------------------------------------------------
 * filter and sort of a table's rows
 * ------------------------------------------------------------------------------------------- */

/* A new table of rows[0..n) of t (same columns, a plain table, not a history). */
static Table *take_rows(const Table *t, const int64_t *rows, int64_t n, RdnErr *err)
{
    const char **names = calloc((size_t)t->ncols + 1, sizeof *names);
    char *types = calloc((size_t)t->ncols + 1, 1);
    double *nums = calloc((size_t)t->ncols + 1, sizeof *nums);
    const char **strs = calloc((size_t)t->ncols + 1, sizeof *strs);
    if (!names || !types || !nums || !strs) abort();
    for (int c = 0; c < t->ncols; c++) {
        names[c] = t->cols[c].name;
        types[c] = t->cols[c].is_str ? 's' : 'n';
    }
    Table *u = rdn_table_new(t->ncols, names, types, err);
    for (int64_t i = 0; u && i < n; i++) {
        for (int c = 0; c < t->ncols; c++) {
            if (t->cols[c].is_str) strs[c] = t->cols[c].str[rows[i]];
            else nums[c] = t->cols[c].num[rows[i]];
        }
        if (rdn_table_push(u, nums, strs, err)) {
            rdn_table_free(u);
            u = NULL;
        }
    }
    free(names);
    free(types);
    free(nums);
    free(strs);
    return u;
}

/* fn(row) of a builtin's function argument, the row a record; located at the call. */
static int call_on_row(Interp *I, Args *a, Value f, Value self, int r, Value *out)
{
    Value row = table_row(self, r);
    Span sp[1] = {a->call};
    Args ca = {1, &row, sp, 0, NULL, NULL, NULL, a->call, NULL};
    int rc = call_value(I, f, &ca, out);
    val_decref(row);
    return rc;
}

static int bi_table_filter(Interp *I, Args *a, Value *out)
{
    Value f = a->pos[1], self = a->pos[0];
    if (!val_is_func(f))
        return arg_error(I, a, 1, NULL, "filter: expected a function of a row, found %s",
                         val_type_name(f.type));
    val_incref(self);                /* f may rebind the name of the table it walks over */
    const Table *t = val_ptr(self);
    int64_t *rows = malloc(sizeof *rows * ((size_t)t->nrows + 1)), n = 0;
    if (!rows) abort();
    int rc = 0;
    for (int r = 0; r < t->nrows && rc == 0; r++) {
        Value y;
        rc = call_on_row(I, a, f, self, r, &y);
        if (rc) break;
        if (y.type == VAL_TENSOR)
            rc = rt_error(I, &a->call, "filter: the function returned a tensor, which is neither true "
                          "nor false (use all(...) or any(...))");
        else if (val_truthy(y)) rows[n++] = r;
        val_decref(y);
    }
    RdnErr err = {0};
    Table *u = rc ? NULL : take_rows(t, rows, n, &err);
    free(rows);
    val_decref(self);
    if (rc) return -1;
    return rt_box(I, a, VAL_TABLE, u, &err, out);
}

/* sort(t, by: "col" or fn(row), desc:): the rows in the stable order of their keys; a missing
 * number (NaN) sorts last. */
static int bi_table_sort(Interp *I, Args *a, Value *out)
{
    Value by = VNIL, self = a->pos[0];
    int desc;
    if (arg_bool(I, a, -1, "desc", 0, &desc)) return -1;
    if (!arg_get(a, -1, "by", &by))
        return rt_error(I, &a->call, "sort: a table needs by: (a column name or a function of a row)");
    const Table *t = val_ptr(self);
    int col = -1;
    if (by.type == VAL_STR) {
        col = rdn_table_col(t, val_cstr(by));
        if (col < 0) return no_column(I, t, val_cstr(by), &a->call);
    } else if (!val_is_func(by))
        return arg_error(I, a, -1, "by", "sort: by: takes a column name or a function of a row, found %s",
                         val_type_name(by.type));
    val_incref(self);
    int64_t n = t->nrows, *order = NULL;
    Value *keys = calloc((size_t)n + 1, sizeof *keys);
    if (!keys) abort();
    int rc = 0;
    for (int64_t r = 0; r < n && rc == 0; r++) {
        if (col < 0) rc = call_on_row(I, a, by, self, (int)r, &keys[r]);
        else if (t->cols[col].is_str) keys[r] = val_str(t->cols[col].str[r]);
        else keys[r] = val_num(t->cols[col].num[r]);
    }
    /* the rows with a key sort (from[i]: the row of keys[i]); a missing number (NaN) goes
     * last, in row order, either way */
    int64_t m = 0, nmiss = 0;
    int64_t *from = malloc(sizeof *from * ((size_t)n + 1)), *miss = malloc(sizeof *miss * ((size_t)n + 1));
    if (!from || !miss) abort();
    for (int64_t r = 0; r < n; r++) {               /* also after an error: keys[0..m) are freed */
        if (keys[r].type == VAL_NUM && isnan(keys[r].as.num)) {
            miss[nmiss++] = r;
        } else {
            from[m] = r;
            keys[m++] = keys[r];
        }
    }
    if (rc == 0) rc = list_sort_order(I, a, keys, m, desc, &order);
    if (rc == 0) {
        int64_t *rows = malloc(sizeof *rows * ((size_t)n + 1));
        if (!rows) abort();
        for (int64_t i = 0; i < m; i++) rows[i] = from[order[i]];
        for (int64_t i = 0; i < nmiss; i++) rows[m + i] = miss[i];
        free(order);
        order = rows;
    }
    free(from);
    free(miss);
    for (int64_t r = 0; r < m; r++) val_decref(keys[r]);
    free(keys);
    RdnErr err = {0};
    Table *u = rc ? NULL : take_rows(t, order, n, &err);
    free(order);
    val_decref(self);
    if (rc) return -1;
    return rt_box(I, a, VAL_TABLE, u, &err, out);
}

/* ---------------------------------------------------------------------------------------------
 * The table
 * ------------------------------------------------------------------------------------------- */

const Builtin BI_TABLE[] = {
    {"table", bi_table, 1, 2, "", "table(names, rows) or table(records)",
     "A table with the given column names (a list of strings) and rows: a list of lists with one "
     "value per column, or a 2-D tensor [n, columns]. `table(records)` takes a list of records "
     "with the same fields (in any order; the first record's order names the columns). A "
     "column holds numbers (doubles) or strings, as its first non-nil value does; nil is a "
     "missing value.\n\n"
     "A table prints as aligned columns (numbers in their shortest exact form) and has members "
     "`columns` (the names), `nrows`, `ncols` and every column by name, `t.acc` or "
     "`t[\"class_T-shirt/top\"]` (numbers as a 1-D float32 tensor, strings as a list). `t[i]` "
     "is row i as a record (negative i counts from the end; a missing number is nil), "
     "`for row in t { ... }` runs over the rows as records and `len(t)` is the number of rows. "
     "Tables are what `write_csv` writes.\n\n"
     "Example: `t = table([{depth: 5, acc: 0.9}, {depth: 10, acc: 0.93}]); print(t[-1].acc)`"},
    {"filter", bi_table_filter, 2, 2, "", "filter(t, fn)",
     "A new table of the rows of t (each a record) for which fn(row) is true, in order; the "
     "columns stay as they are.\n\n"
     "Example: `deep = filter(t, fn(r) { return r.depth >= 10 })`", ON(VAL_TABLE)},
    {"sort", bi_table_sort, 1, 1, "by desc", "sort(t, by: \"col\", desc: false)",
     "A new table of the rows of t in increasing order of a column (by: its name) or of the key "
     "by(row) gives (numbers or strings); `desc: true` for decreasing. Stable: rows with equal "
     "keys keep their order; a missing number sorts last.\n\n"
     "Example: `best = sort(t, by: \"acc\", desc: true)[0]`", ON(VAL_TABLE)},
    {0},
};
