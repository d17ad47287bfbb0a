/* table.c: named columns (numbers or strings), CSV output and aligned printing. */
#include "table.h"
#include "tensor.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

Table *rdn_table_new(int ncols, const char *const *names, const char *types, RdnErr *err)
{
    Table *t = rdn_calloc(1, sizeof *t, "table", err);
    if (!t) return NULL;
    t->cols = rdn_calloc((size_t)(ncols ? ncols : 1), sizeof(TableCol), "table", err);
    if (!t->cols) {
        free(t);
        return NULL;
    }
    t->ncols = ncols;
    for (int c = 0; c < ncols; c++) {
        t->cols[c].name = strdup(names[c]);
        t->cols[c].is_str = types && types[c] == 's';
    }
    return t;
}

void rdn_table_free(Table *t)
{
    if (!t) return;
    for (int c = 0; c < t->ncols; c++) {
        TableCol *col = &t->cols[c];
        if (col->str)
            for (int r = 0; r < t->nrows; r++) free(col->str[r]);
        free(col->str);
        free(col->num);
        free(col->name);
    }
    free(t->cols);
    rdn_table_free(t->changes);
    rdn_table_free(t->deltas);
    for (int i = 0; i < t->ntensors; i++) {
        free(t->tensors[i].name);
        rdn_tensor_free(t->tensors[i].t);
    }
    free(t->tensors);
    free(t);
}

static int grow(Table *t, RdnErr *err)
{
    if (t->nrows < t->cap) return 0;
    int cap = t->cap ? t->cap * 2 : 16;
    for (int c = 0; c < t->ncols; c++) {
        TableCol *col = &t->cols[c];
        if (col->is_str) {
            char **s = realloc(col->str, (size_t)cap * sizeof *s);
            if (!s) return rdn_err(err, "table: out of memory");
            col->str = s;
        } else {
            double *n = realloc(col->num, (size_t)cap * sizeof *n);
            if (!n) return rdn_err(err, "table: out of memory");
            col->num = n;
        }
    }
    t->cap = cap;
    return 0;
}

int rdn_table_push(Table *t, const double *nums, const char *const *strs, RdnErr *err)
{
    if (grow(t, err)) return -1;
    for (int c = 0; c < t->ncols; c++) {
        TableCol *col = &t->cols[c];
        if (col->is_str)
            col->str[t->nrows] = strdup(strs && strs[c] ? strs[c] : "");
        else
            col->num[t->nrows] = nums ? nums[c] : NAN;
    }
    t->nrows++;
    return 0;
}

Table *rdn_table_copy(const Table *t, RdnErr *err)
{
    const char **names = calloc((size_t)t->ncols + 1, sizeof *names);
    char *types = calloc((size_t)t->ncols + 1, 1);
    if (!names || !types) {
        free(names);
        free(types);
        return rdn_err(err, "table: out of memory"), NULL;
    }
    for (int c = 0; c < t->ncols; c++) {
        names[c] = t->cols[c].name;
        types[c] = t->cols[c].is_str ? 's' : 'n';
    }
    Table *u = rdn_table_new(t->ncols, names, types, err);
    free(names);
    free(types);
    if (!u) return NULL;
    u->is_history = t->is_history;
    if ((t->changes && !(u->changes = rdn_table_copy(t->changes, err))) ||
        (t->deltas && !(u->deltas = rdn_table_copy(t->deltas, err)))) {
        rdn_table_free(u);
        return NULL;
    }
    for (int i = 0; i < t->ntensors; i++) {
        Tensor *x = rdn_tensor_copy(t->tensors[i].t, err);
        if (!x || rdn_table_attach(u, t->tensors[i].name, x, err)) {
            rdn_table_free(u);
            return NULL;
        }
    }
    for (int r = 0; r < t->nrows; r++) {
        if (grow(u, err)) {
            rdn_table_free(u);
            return NULL;
        }
        for (int c = 0; c < t->ncols; c++) {
            if (t->cols[c].is_str)
                u->cols[c].str[r] = strdup(t->cols[c].str[r]);
            else
                u->cols[c].num[r] = t->cols[c].num[r];
        }
        u->nrows++;
    }
    return u;
}

int rdn_table_col(const Table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c].name, name) == 0) return c;
    return -1;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double; integers plain. */
int rdn_table_equal(const Table *a, const Table *b)
{
    if (a == b) return 1;
    if (a->ncols != b->ncols || a->nrows != b->nrows) return 0;
    for (int c = 0; c < a->ncols; c++) {
        const TableCol *x = &a->cols[c], *y = &b->cols[c];
        if (strcmp(x->name, y->name) || x->is_str != y->is_str) return 0;
        for (int r = 0; r < a->nrows; r++)
            if (x->is_str ? strcmp(x->str[r], y->str[r]) != 0
                          : !(x->num[r] == y->num[r] || (isnan(x->num[r]) && isnan(y->num[r]))))
                return 0;
    }
    return 1;
}

static void fmt_num(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "nan");
    else if (isinf(v))
        snprintf(buf, n, v > 0 ? "inf" : "-inf");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, n, "%.0f", v);
    else
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(buf, n, "%.*g", digits, v);
            if (strtod(buf, NULL) == v) break;
        }
}

void rdn_num_text(char *buf, size_t n, double v)
{
    fmt_num(buf, n, v);
}

void rdn_csv_num(FILE *f, double v)
{
    char buf[64];
    fmt_num(buf, sizeof buf, v);
    fputs(buf, f);
}

void rdn_csv_num_float(FILE *f, float v)
{
    char buf[64];
    if (!isfinite(v) || (v == floorf(v) && fabsf(v) < 1e15f)) {
        fmt_num(buf, sizeof buf, v);
    } else {
        for (int digits = 6; digits <= 9; digits++) {
            snprintf(buf, sizeof buf, "%.*g", digits, (double)v);
            if (strtof(buf, NULL) == v) break;
        }
    }
    fputs(buf, f);
}

void rdn_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int rdn_table_write_csv(const Table *t, FILE *f, RdnErr *err)
{
    for (int c = 0; c < t->ncols; c++) {
        if (c) fputc(',', f);
        rdn_csv_field(f, t->cols[c].name);
    }
    fputc('\n', f);
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            if (c) fputc(',', f);
            if (t->cols[c].is_str)
                rdn_csv_field(f, t->cols[c].str[r]);
            else
                rdn_csv_num(f, t->cols[c].num[r]);
        }
        fputc('\n', f);
    }
    if (ferror(f)) return rdn_err(err, "write_csv: write failed");
    return 0;
}

/* Display: numbers exactly as write_csv writes them (the shortest text that reads back as the same
 * double), so what a table shows is what it holds. */
static void cell(const Table *t, int c, int r, char *buf, size_t n)
{
    if (t->cols[c].is_str)
        snprintf(buf, n, "%s", t->cols[c].str[r]);
    else
        fmt_num(buf, n, t->cols[c].num[r]);
}

char *rdn_table_format(const Table *t, int max_rows)
{
    int show_all = max_rows <= 0 || t->nrows <= max_rows;
    int head = show_all ? t->nrows : max_rows / 2, tail = show_all ? 0 : max_rows - head;
    int *w = calloc((size_t)t->ncols + 1, sizeof *w);
    char buf[256];
    if (!w) return NULL;
    for (int c = 0; c < t->ncols; c++) {
        w[c] = (int)strlen(t->cols[c].name);
        for (int r = 0; r < t->nrows; r++) {
            if (!show_all && r >= head && r < t->nrows - tail) continue;
            cell(t, c, r, buf, sizeof buf);
            int l = (int)strlen(buf);
            if (l > w[c]) w[c] = l;
        }
    }
    size_t cap = 256, len = 0;
    char *out = malloc(cap);
    if (!out) {
        free(w);
        return NULL;
    }
    out[0] = 0;
#define APPEND(...)                                                              \
    do {                                                                         \
        int need = snprintf(NULL, 0, __VA_ARGS__);                               \
        while (len + (size_t)need + 1 > cap) {                                   \
            char *o2 = realloc(out, cap *= 2);                                   \
            if (!o2) { free(out); free(w); return NULL; }                        \
            out = o2;                                                            \
        }                                                                        \
        len += (size_t)snprintf(out + len, cap - len, __VA_ARGS__);              \
    } while (0)
    for (int c = 0; c < t->ncols; c++)
        APPEND(t->cols[c].is_str ? "%s%-*s" : "%s%*s", c ? "  " : "", w[c], t->cols[c].name);
    APPEND("\n");
    for (int r = 0; r < t->nrows; r++) {
        if (!show_all && r == head) {
            APPEND("... (%d rows)\n", t->nrows);
            r = t->nrows - tail - 1;
            continue;
        }
        for (int c = 0; c < t->ncols; c++) {
            cell(t, c, r, buf, sizeof buf);
            APPEND(t->cols[c].is_str ? "%s%-*s" : "%s%*s", c ? "  " : "", w[c], buf);
        }
        APPEND("\n");
    }
#undef APPEND
    free(w);
    return out;
}

int rdn_table_attach(Table *t, const char *name, Tensor *x, RdnErr *err)
{
    for (int i = 0; i < t->ntensors; i++)
        if (!strcmp(t->tensors[i].name, name)) {
            rdn_tensor_free(t->tensors[i].t);
            t->tensors[i].t = x;
            return 0;
        }
    struct TableTensor *n = realloc(t->tensors, (size_t)(t->ntensors + 1) * sizeof *n);
    char *nm = n ? strdup(name) : NULL;
    if (!nm) {
        if (n) t->tensors = n;
        rdn_tensor_free(x);
        return rdn_err(err, "table: out of memory");
    }
    t->tensors = n;
    t->tensors[t->ntensors++] = (struct TableTensor){nm, x};
    return 0;
}

const Tensor *rdn_table_tensor(const Table *t, const char *name)
{
    for (int i = 0; i < t->ntensors; i++)
        if (!strcmp(t->tensors[i].name, name)) return t->tensors[i].t;
    return NULL;
}
