/* bi_table.c: tables as values (results, histories): the table(names, rows) builtin, how a
 * table prints and its members (.columns, .nrows, a column by name). The table itself is
 * runtime/table.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bi_tensor.h"
#include "builtin.h"
#include "interp.h"
#include "table.h"
#include "tensor.h"

static void destroy_table(void *p) { rdn_table_free(p); }
Value val_table(struct Table *t) { return val_box(VAL_TABLE, t, destroy_table); }

/* table(names, rows): the column types come from the first row (number or string). */
static int bi_table(Interp *I, Args *a, Value *out)
{
    Value names = a->pos[0], rows = a->pos[1];
    if (names.type != VAL_LIST)
        return arg_error(I, a, 0, NULL, "table: column names must be a list of strings, got a %s",
                         val_type_name(names.type));
    const ObjList *nl = (const ObjList *)names.as.obj;
    if (nl->len < 1 || nl->len > 10000)
        return arg_error(I, a, 0, NULL, "table: needs 1 to 10000 column names, got %lld",
                         (long long)nl->len);
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
    if (nrows > 100000000)
        return arg_error(I, a, 1, NULL, "table: too many rows (%lld)", (long long)nrows);
    char *types = calloc((size_t)ncols + 1, 1);
    const char **cn = calloc((size_t)ncols, sizeof *cn);
    double *num = calloc((size_t)ncols, sizeof *num);
    const char **str = calloc((size_t)ncols, sizeof *str);
    Table *t = NULL;
    int rc = -1;
    RdnErr err = {0};
    if (!types || !cn || !num || !str) {
        rt_error(I, &a->call, "table: out of memory");
        goto done;
    }
    for (int c = 0; c < ncols; c++) {
        cn[c] = val_cstr(nl->items[c]);
        types[c] = 'n';
        if (rl && nrows > 0 && rl->items[0].type == VAL_LIST &&
            ((ObjList *)rl->items[0].as.obj)->len == ncols &&
            ((ObjList *)rl->items[0].as.obj)->items[c].type == VAL_STR)
            types[c] = 's';
    }
    if (!(t = rdn_table_new(ncols, cn, types, &err))) {
        call_error(I, a, &err);
        goto done;
    }
    for (int64_t r = 0; r < nrows; r++) {
        if (rt) {
            for (int c = 0; c < ncols; c++) num[c] = rt->data[r * ncols + c];
        } else {
            Value row = rl->items[r];
            if (row.type != VAL_LIST || ((ObjList *)row.as.obj)->len != ncols) {
                arg_error(I, a, 1, NULL, "table: row %lld must be a list of %d values (one per "
                          "column), got %s", (long long)r + 1, ncols,
                          row.type == VAL_LIST ? "a list of another length" :
                          val_type_name(row.type));
                goto done;
            }
            const ObjList *rw = (const ObjList *)row.as.obj;
            for (int c = 0; c < ncols; c++) {
                Value v = rw->items[c];
                int want_str = types[c] == 's';
                if (v.type == VAL_NIL) {
                    num[c] = NAN;
                    str[c] = "";
                } else if (want_str && v.type == VAL_STR) {
                    str[c] = val_cstr(v);
                } else if (!want_str && (v.type == VAL_NUM || v.type == VAL_BOOL)) {
                    num[c] = v.type == VAL_NUM ? v.as.num : v.as.b;
                } else {
                    arg_error(I, a, 1, NULL, "table: row %lld, column \"%s\": expected a %s "
                              "(as in the first row), got a %s", (long long)r + 1, cn[c],
                              want_str ? "string" : "number", val_type_name(v.type));
                    goto done;
                }
            }
        }
        if (rdn_table_push(t, num, str, &err)) {
            call_error(I, a, &err);
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
    return buf_done(&b);
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
    if (!strcmp(m, "changes")) {
        if (!t->changes) {
            *out = VNIL;
            return 0;
        }
        RdnErr err = {0};
        Table *c = rdn_table_copy(t->changes, &err);
        if (!c) return rt_error_from(I, at, &err);
        *out = val_table(c);
        return 0;
    }
    int c = rdn_table_col(t, m);
    if (c < 0) return 1;
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

const TypeOps OPS_TABLE = {VAL_TABLE, "table", "columns nrows ncols changes", table_repr,
                           table_get, 0};

/* ---------------------------------------------------------------------------------------------
 * The table
 * ------------------------------------------------------------------------------------------- */

const Builtin BI_TABLE[] = {
    {"table", bi_table, 2, 2, "", "table(names, rows)",
     "A table with the given column names (a list of strings) and rows: a list of lists with one "
     "value per column, or a 2-D tensor [n, columns]. A column holds numbers or strings, as its "
     "first row does; nil is a missing value. Tables print as aligned columns, have members "
     "`columns`, `nrows`, `ncols` and every column by name (numbers as a 1-D tensor, strings as "
     "a list), and are what `write_csv` writes.\n\n"
     "Example: `write_csv(table([\"depth\", \"acc\"], results), \"depth.csv\")`"},
    {0},
};
