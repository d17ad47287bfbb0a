/* bi_plot.c: plot(y, ...): the series drawn (from a tensor, a list or a table, grouped by `by:`),
 * then gnuplot, started as a child process with the script of runtime/plot.c and its data
 * piped to its standard input (no temporary data files); a file drawn goes through the
 * sandbox and the atomic writer of outfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "builtin.h"
#include "dataset.h"
#include "interp.h"
#include "outfile.h"
#include "plot.h"
#include "proc.h"
#include "table.h"
#include "tensor.h"

/* ---- the series ---- */

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return s;
}

/* Group labels for `by:`: one label per row, each either a number or a string; names[g] is the
 * legend of group g, group[r] the group of row r. Groups: numbers ascending, strings in order of
 * first appearance. */
typedef struct Groups {
    int ng;
    int *group;          /* [nrows] */
    char **names;        /* [ng] */
} Groups;

static void groups_free(Groups *g)
{
    for (int i = 0; i < g->ng; i++) free(g->names[i]);
    free(g->names);
    free(g->group);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Groups from numeric labels; class_names (may be NULL) name integer labels 0..nnames-1; other
 * labels are named "COLUMN=v" when column is given (a table's by: column), else "class v". */
static int groups_from_nums(const double *lab, int64_t n, char *const *class_names, int nnames,
                            const char *column, Groups *g)
{
    double *u = malloc((size_t)(n ? n : 1) * sizeof *u);
    g->group = malloc((size_t)(n ? n : 1) * sizeof *g->group);
    if (!u || !g->group) { free(u); return -1; }
    int64_t nu = 0;
    memcpy(u, lab, (size_t)n * sizeof *u);
    qsort(u, (size_t)n, sizeof *u, cmp_double);
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || u[i] != u[nu - 1]) u[nu++] = u[i];
    g->names = calloc((size_t)(nu ? nu : 1), sizeof *g->names);
    if (!g->names) { free(u); return -1; }
    g->ng = (int)nu;
    for (int64_t i = 0; i < nu; i++) {
        double v = u[i];
        if (class_names && v == floor(v) && v >= 0 && v < nnames)
            g->names[i] = strdup(class_names[(int)v]);
        else if (column)
            g->names[i] = dupf("%s=%g", column, v);
        else
            g->names[i] = dupf("class %g", v);
        if (!g->names[i]) { free(u); return -1; }
    }
    for (int64_t r = 0; r < n; r++) {
        double *hit = bsearch(&lab[r], u, (size_t)nu, sizeof *u, cmp_double);
        g->group[r] = (int)(hit - u);
    }
    free(u);
    return 0;
}

static int groups_from_strs(const char *const *lab, int64_t n, Groups *g)
{
    g->group = malloc((size_t)(n ? n : 1) * sizeof *g->group);
    g->names = calloc((size_t)(n ? n : 1), sizeof *g->names);
    if (!g->group || !g->names) return -1;
    for (int64_t r = 0; r < n; r++) {
        int k;
        for (k = 0; k < g->ng; k++)
            if (strcmp(g->names[k], lab[r]) == 0) break;
        if (k == g->ng) {
            if (!(g->names[g->ng] = strdup(lab[r]))) return -1;
            g->ng++;
        }
        g->group[r] = k;
    }
    return 0;
}

/* by: for a tensor's rows: a data set (its labels and class names), a tensor of labels, or a list
 * of numbers or strings. */
static int groups_from_value(Interp *I, Args *a, Value by, int64_t n, Groups *g)
{
    int rc = -1;
    double *nums = NULL;
    const char **strs = NULL;
    int64_t len = -1;
    if (by.type == VAL_DATASET) {
        const Dataset *d = val_ptr(by);
        len = d->n;
        if (len == n) {
            nums = malloc((size_t)(n ? n : 1) * sizeof *nums);
            if (!nums) goto oom;
            for (int64_t i = 0; i < n; i++) nums[i] = d->y[i];
            rc = groups_from_nums(nums, n, d->class_names, d->nclasses, NULL, g);
        }
    } else if (by.type == VAL_TENSOR) {
        const Tensor *t = val_ptr(by);
        if (t->ndim != 1)
            return arg_error(I, a, -1, "by", "plot: by: expected a 1-D tensor of labels, found "
                             "%d-D", t->ndim);
        len = t->shape[0];
        if (len == n) {
            nums = malloc((size_t)(n ? n : 1) * sizeof *nums);
            if (!nums) goto oom;
            for (int64_t i = 0; i < n; i++) nums[i] = t->data[i];
            rc = groups_from_nums(nums, n, NULL, 0, NULL, g);
        }
    } else if (by.type == VAL_LIST) {
        ObjList *l = (ObjList *)by.as.obj;
        len = l->len;
        if (len == n) {
            int all_str = n > 0 && l->items[0].type == VAL_STR;
            nums = malloc((size_t)(n ? n : 1) * sizeof *nums);
            strs = malloc((size_t)(n ? n : 1) * sizeof *strs);
            if (!nums || !strs) goto oom;
            for (int64_t i = 0; i < n; i++) {
                Value it = l->items[i];
                if (all_str ? it.type != VAL_STR : it.type != VAL_NUM) {
                    free(nums); free(strs);
                    return arg_error(I, a, -1, "by", "plot: by: item %lld is a %s; labels must "
                                     "be all numbers or all strings", (long long)i,
                                     val_type_name(it.type));
                }
                if (all_str) strs[i] = val_cstr(it);
                else nums[i] = it.as.num;
            }
            rc = all_str ? groups_from_strs(strs, n, g) : groups_from_nums(nums, n, NULL, 0, NULL, g);
        }
    } else {
        return arg_error(I, a, -1, "by", "plot: by: expected a data set, a tensor of labels or a "
                         "list, found a %s", val_type_name(by.type));
    }
    free(nums);
    free(strs);
    if (len != n)
        return arg_error(I, a, -1, "by", "plot: by: has %lld labels but y has %lld rows",
                         (long long)len, (long long)n);
    if (rc != 0) return arg_error(I, a, -1, "by", "plot: out of memory grouping rows");
    return 0;
oom:
    free(nums);
    free(strs);
    return arg_error(I, a, -1, "by", "plot: out of memory grouping rows");
}

/* x: for tensor data: a range, a list of numbers or a 1-D tensor of length T; default 0..T-1. */
static int x_values(Interp *I, Args *a, int64_t T, double **xs)
{
    Value xv;
    *xs = malloc((size_t)(T ? T : 1) * sizeof **xs);
    if (!*xs) return arg_error(I, a, -1, "x", "plot: out of memory");
    if (!arg_get(a, -1, "x", &xv) || xv.type == VAL_NIL) {
        for (int64_t t = 0; t < T; t++) (*xs)[t] = (double)t;
        return 0;
    }
    if (xv.type == VAL_RANGE) {
        ObjRange *r = (ObjRange *)xv.as.obj;
        int64_t len = r->hi > r->lo ? r->hi - r->lo : 0;
        if (len != T) {
            free(*xs);
            return arg_error(I, a, -1, "x", "plot: x: has %lld values but y has %lld points",
                             (long long)len, (long long)T);
        }
        for (int64_t t = 0; t < T; t++) (*xs)[t] = (double)(r->lo + t);
        return 0;
    }
    free(*xs);
    *xs = NULL;
    if (xv.type == VAL_STR)
        return arg_error(I, a, -1, "x", "plot: x: a column name needs a table as y");
    int n = 0;
    if (arg_num_list(I, a, -1, "x", xs, &n) != 0) return -1;
    if (n != T) {
        free(*xs);
        *xs = NULL;
        return arg_error(I, a, -1, "x", "plot: x: has %d values but y has %lld points", n,
                         (long long)T);
    }
    return 0;
}

static int series_from_tensor(Interp *I, Args *a, const Tensor *t, Plot *p)
{
    if (t->ndim < 1 || t->ndim > 2)
        return arg_error(I, a, 0, NULL, "plot: y: expected a 1-D tensor (one line) or a 2-D "
                         "tensor [n, T] (one line per row or per group), found %d-D", t->ndim);
    int64_t rows = t->ndim == 1 ? 1 : t->shape[0], T = t->shape[t->ndim - 1];
    if (rows == 0 || T == 0) return arg_error(I, a, 0, NULL, "plot: y is empty");
    double *xs;
    if (x_values(I, a, T, &xs) != 0) return -1;
    Value by;
    int has_by = arg_get(a, -1, "by", &by) && by.type != VAL_NIL;
    if (has_by && t->ndim == 1) {
        free(xs);
        return arg_error(I, a, -1, "by", "plot: by: groups the rows of a 2-D y; this y is 1-D");
    }
    if (!has_by && rows > PLOT_MAX_LINES) {
        free(xs);
        return arg_error(I, a, 0, NULL, "plot: y has %lld rows, more lines than anyone can read "
                         "(at most %d); draw the mean per group with by:, or select rows "
                         "(y[0..10])", (long long)rows, PLOT_MAX_LINES);
    }
    if (!has_by) {
        for (int64_t r = 0; r < rows; r++) {
            char *title = rows == 1 || rows > 12 ? NULL : dupf("row %lld", (long long)r);
            PlotSeries *s = rdn_plot_add(p, T, title);
            if (!s) { free(xs); return arg_error(I, a, 0, NULL, "plot: out of memory"); }
            memcpy(s->x, xs, (size_t)T * sizeof *xs);
            for (int64_t j = 0; j < T; j++) s->y[j] = t->data[r * T + j];
        }
        free(xs);
        return 0;
    }
    Groups g = {0};
    if (groups_from_value(I, a, by, rows, &g) != 0) {
        groups_free(&g);
        free(xs);
        return -1;
    }
    /* one line per group: the mean of its rows at each point (NaN entries skipped) */
    int64_t *cnt = calloc((size_t)T, sizeof *cnt);
    int first = p->ns;
    for (int k = 0; k < g.ng && cnt; k++) {
        PlotSeries *s = rdn_plot_add(p, T, strdup(g.names[k]));
        if (!s) { free(cnt); cnt = NULL; break; }
        memcpy(s->x, xs, (size_t)T * sizeof *xs);
    }
    if (!cnt) {
        groups_free(&g);
        free(xs);
        return arg_error(I, a, 0, NULL, "plot: out of memory");
    }
    for (int k = 0; k < g.ng; k++) {
        PlotSeries *s = &p->s[first + k];
        memset(cnt, 0, (size_t)T * sizeof *cnt);
        for (int64_t r = 0; r < rows; r++) {
            if (g.group[r] != k) continue;
            for (int64_t j = 0; j < T; j++) {
                float v = t->data[r * T + j];
                if (isnan(v)) continue;
                s->y[j] += v;
                cnt[j]++;
            }
        }
        for (int64_t j = 0; j < T; j++) s->y[j] = cnt[j] ? s->y[j] / (double)cnt[j] : NAN;
    }
    free(cnt);
    groups_free(&g);
    free(xs);
    return 0;
}

/* A numeric column of a table by name, with an error at keyword kw when absent or textual. */
static int table_num_col(Interp *I, Args *a, const Table *t, const char *name, const char *kw)
{
    int c = rdn_table_col(t, name);
    if (c < 0) {
        char buf[256];
        Words words = {0};
        for (int i = 0; i < t->ncols; i++) words_add(&words, t->cols[i].name);
        const char *s = suggest(name, words_str(&words), buf, sizeof buf);
        words_free(&words);
        return arg_error(I, a, -1, kw, "plot: %s: the table has no column '%s'%s%s%s", kw, name,
                         s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    }
    if (t->cols[c].is_str)
        return arg_error(I, a, -1, kw, "plot: %s: column '%s' holds text, not numbers", kw, name);
    return c;
}

/* A column name or a list of them, as the numeric columns cs[*n] (at most t->ncols); 0 or -1
 * after an error located at keyword kw. */
static int table_col_list(Interp *I, Args *a, const Table *t, const char *kw, Value v, int *cs,
                          int *n)
{
    if (v.type == VAL_STR) return (cs[(*n)++] = table_num_col(I, a, t, val_cstr(v), kw)) < 0 ? -1 : 0;
    if (v.type != VAL_LIST)
        return arg_error(I, a, -1, kw, "plot: %s: expected a column name or a list of them, "
                         "found a %s", kw, val_type_name(v.type));
    ObjList *l = (ObjList *)v.as.obj;
    for (int64_t i = 0; i < l->len; i++) {
        if (l->items[i].type != VAL_STR)
            return arg_error(I, a, -1, kw, "plot: %s: item %lld is a %s, expected a column name",
                             kw, (long long)i, val_type_name(l->items[i].type));
        if (*n == t->ncols) break;
        if ((cs[(*n)++] = table_num_col(I, a, t, val_cstr(l->items[i]), kw)) < 0) return -1;
    }
    return 0;
}

/* y a table: x: names the x column (default the first), cols: (or y:) the columns drawn (a name
 * or a list; default every other numeric column), err: their error bars' half-widths (one
 * column per column drawn), by: a column whose values split rows into lines. */
static int series_from_table(Interp *I, Args *a, const Table *t, Plot *p)
{
    if (t->ncols == 0 || t->nrows == 0) return arg_error(I, a, 0, NULL, "plot: the table is empty");
    const char *xname = t->cols[0].name, *byname = NULL;
    Value v;
    if (arg_get(a, -1, "x", &v) && v.type != VAL_NIL) {
        if (v.type != VAL_STR)
            return arg_error(I, a, -1, "x", "plot: x: with a table, expected a column name, "
                             "found a %s", val_type_name(v.type));
        xname = val_cstr(v);
    }
    int xc = table_num_col(I, a, t, xname, "x");
    if (xc < 0) return -1;
    int bc = -1;
    if (arg_get(a, -1, "by", &v) && v.type != VAL_NIL) {
        if (v.type != VAL_STR)
            return arg_error(I, a, -1, "by", "plot: by: with a table, expected a column name, "
                             "found a %s", val_type_name(v.type));
        byname = val_cstr(v);
        bc = rdn_table_col(t, byname);
        if (bc < 0) return arg_error(I, a, -1, "by", "plot: by: the table has no column '%s'",
                                     byname);
    }
    const char *ykw = "cols";
    if (arg_get(a, -1, "y", &v) && v.type != VAL_NIL) {
        Value c2;
        if (arg_get(a, -1, "cols", &c2) && c2.type != VAL_NIL)
            return arg_error(I, a, -1, "y", "plot: y: and cols: both name the columns drawn; "
                             "give one");
        ykw = "y";
    }
    int *ycols = calloc((size_t)t->ncols, sizeof *ycols), ny = 0;
    int *ecols = calloc((size_t)t->ncols, sizeof *ecols), ne = -1;
    if (!ycols || !ecols) {
        free(ycols);
        free(ecols);
        return arg_error(I, a, 0, NULL, "plot: out of memory");
    }
    if (arg_get(a, -1, ykw, &v) && v.type != VAL_NIL) {
        if (table_col_list(I, a, t, ykw, v, ycols, &ny) != 0) goto fail;
    } else {
        for (int c = 0; c < t->ncols; c++)
            if (c != xc && c != bc && !t->cols[c].is_str) ycols[ny++] = c;
    }
    if (arg_get(a, -1, "err", &v) && v.type != VAL_NIL) {
        ne = 0;
        if (table_col_list(I, a, t, "err", v, ecols, &ne) != 0) goto fail;
        if (ne != ny) {
            arg_error(I, a, -1, "err", "plot: err: names %d column%s for %d column%s drawn (one "
                      "error column per line: err: \"acc_ci95\" beside y: \"acc_mean\")", ne,
                      ne == 1 ? "" : "s", ny, ny == 1 ? "" : "s");
            goto fail;
        }
    }
    if (ny == 0) {
        arg_error(I, a, 0, NULL, "plot: the table has no numeric column to draw besides x '%s'",
                  xname);
        goto fail;
    }
    Groups g = {0};
    if (bc >= 0) {
        int r;
        if (t->cols[bc].is_str) r = groups_from_strs((const char *const *)t->cols[bc].str,
                                                     t->nrows, &g);
        else r = groups_from_nums(t->cols[bc].num, t->nrows, NULL, 0, byname, &g);
        if (r != 0) {
            groups_free(&g);
            arg_error(I, a, 0, NULL, "plot: out of memory");
            goto fail;
        }
    } else {
        g.ng = 1;
    }
    for (int k = 0; k < g.ng; k++) {
        int64_t n = 0;
        for (int64_t r = 0; r < t->nrows; r++) n += bc < 0 || g.group[r] == k;
        for (int j = 0; j < ny; j++) {
            const char *cn = t->cols[ycols[j]].name;
            char *title = bc < 0 ? strdup(cn)
                        : ny == 1 ? strdup(g.names[k]) : dupf("%s %s", g.names[k], cn);
            PlotSeries *s = rdn_plot_add(p, n, title);
            if (!s || (ne >= 0 && rdn_plot_add_err(s) != 0)) {
                if (bc >= 0) groups_free(&g);
                arg_error(I, a, 0, NULL, "plot: out of memory");
                goto fail;
            }
            int64_t m = 0;
            for (int64_t r = 0; r < t->nrows; r++) {
                if (bc >= 0 && g.group[r] != k) continue;
                s->x[m] = t->cols[xc].num[r];
                s->y[m] = t->cols[ycols[j]].num[r];
                if (s->e) s->e[m] = t->cols[ecols[j]].num[r];
                m++;
            }
        }
    }
    if (bc >= 0) groups_free(&g);
    free(ycols);
    free(ecols);
    return 0;
fail:
    free(ycols);
    free(ecols);
    return -1;
}

/* ---- gnuplot ---- */

/* The full path of gnuplot on PATH, or NULL. */
static char *find_gnuplot(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path) return NULL;
    char *dirs = strdup(path), *save = NULL;
    if (!dirs) return NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *p = dupf("%s/gnuplot", *d ? d : ".");
        if (p && access(p, X_OK) == 0) {
            free(dirs);
            return p;
        }
        free(p);
    }
    free(dirs);
    return NULL;
}

/* Runs gnuplot with `script` on its standard input. Its standard error (and, when drawing to a
 * file, its standard output) go to an anonymous memory file, returned in *msg on failure.
 * Returns 0 when gnuplot exited with status 0. */
static int run_gnuplot(const char *gp, const char *script, size_t len, int to_stdout, char **msg)
{
    *msg = NULL;
    int efd = memfd_create("rdn-gnuplot-stderr", MFD_CLOEXEC);
    /* -d: ignore the user's ~/.gnuplot, so figures depend on the script only */
    char *const argv[] = {"gnuplot", "-d", NULL};
    ProcSpec ps = {gp, argv, script, len, to_stdout ? -1 : efd, efd, 0};
    int st = 0;
    if (efd < 0 || proc_run(&ps, &st) != 0) {
        *msg = dupf("cannot start gnuplot: %s", strerror(errno));
        if (efd >= 0) close(efd);
        return -1;
    }
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!ok) {
        char buf[2048];
        ssize_t n = pread(efd, buf, sizeof buf - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        /* trim trailing space; gnuplot's messages are short */
        for (ssize_t i = (ssize_t)strlen(buf) - 1; i >= 0 && (buf[i] == '\n' || buf[i] == ' '); i--)
            buf[i] = '\0';
        if (WIFSIGNALED(st)) *msg = dupf("gnuplot was killed by signal %d", WTERMSIG(st));
        else *msg = dupf("gnuplot failed (exit status %d)%s%s", WEXITSTATUS(st),
                         *buf ? ":\n" : "", buf);
    }
    close(efd);
    return ok ? 0 : -1;
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcasecmp(s + n - m, suf) == 0;
}

/* ---- plot(): style, series, script, gnuplot, commit ---- */

/* The keywords that say where and how to draw; *to is the file asked for (NULL: terminal). */
static int plot_style(Interp *I, Args *a, const char **to, PlotStyle *st)
{
    *to = NULL;
    if (arg_str(I, a, -1, "to", NULL, to) || arg_str(I, a, -1, "title", NULL, &st->title) ||
        arg_str(I, a, -1, "xlabel", NULL, &st->xlabel) ||
        arg_str(I, a, -1, "ylabel", NULL, &st->ylabel) || arg_bool(I, a, -1, "logy", 0, &st->logy))
        return -1;
    /* in a notebook (a display hook set) a plot with no file is drawn as SVG and shown */
    st->term = I->display ? PLOT_SVG : PLOT_DUMB;
    if (*to) {
        if (ends_with(*to, ".svg")) st->term = PLOT_SVG;
        else if (ends_with(*to, ".png")) st->term = PLOT_PNG;
        else
            return arg_error(I, a, -1, "to", "plot: to: '%s' must end in .svg or .png (with no "
                             "to:, the plot is drawn as text in the terminal)", *to);
    }
    return 0;
}

/* y as a list of numbers: one line. */
static int series_from_list(Interp *I, Args *a, Plot *p)
{
    double *v = NULL;
    int n = 0;
    int rc = arg_num_list(I, a, 0, NULL, &v, &n);
    if (rc == 0 && n == 0) {
        rc = arg_error(I, a, 0, NULL, "plot: y is empty");
    } else if (rc == 0) {
        int64_t sh[1] = {n};
        RdnErr err = {0};
        Tensor *t = rdn_tensor_new(1, sh, &err);
        if (!t) rc = arg_error(I, a, 0, NULL, "plot: %s", err.msg);
        else {
            for (int i = 0; i < n; i++) t->data[i] = (float)v[i];
            rc = series_from_tensor(I, a, t, p);
            rdn_tensor_free(t);
        }
    }
    free(v);
    return rc;
}

/* The lines of y (a tensor, a list of numbers or a table), at least one drawable point. */
static int plot_series(Interp *I, Args *a, int logy, Plot *p)
{
    Value y = a->pos[0];
    Value cols;
    static const char *const table_kws[] = {"cols", "y", "err"};
    for (int k = 0; k < 3; k++)
        if (y.type != VAL_TABLE && arg_get(a, -1, table_kws[k], &cols) && cols.type != VAL_NIL)
            return arg_error(I, a, -1, table_kws[k], "plot: %s: names columns of a table; y is a %s",
                             table_kws[k], val_type_name(y.type));
    int rc;
    if (y.type == VAL_TENSOR) rc = series_from_tensor(I, a, val_ptr(y), p);
    else if (y.type == VAL_TABLE) rc = series_from_table(I, a, val_ptr(y), p);
    else if (y.type == VAL_LIST) rc = series_from_list(I, a, p);
    else
        rc = arg_error(I, a, 0, NULL, "plot: y: expected a tensor, a list of numbers or a table, "
                       "found a %s", val_type_name(y.type));
    if (rc != 0) return -1;
    if (rdn_plot_drawable(p, logy) == 0)
        return arg_error(I, a, 0, NULL, "plot: nothing to draw: every value is NaN or infinite%s",
                         logy ? " or, with logy:, not positive" : "");
    return 0;
}

/* The gnuplot script in memory (malloc'd, *len bytes), or NULL when out of memory. */
static char *plot_script_text(const Plot *p, const PlotStyle *st, size_t *len)
{
    char *script = NULL;
    FILE *f = open_memstream(&script, len);
    if (!f) return NULL;
    int bad = rdn_plot_script(f, p, st) != 0;
    bad |= fclose(f) != 0;
    if (bad) {
        free(script);
        return NULL;
    }
    return script;
}

/* The bytes of the file at path in *buf (malloc'd, *len bytes); -1 when unreadable or empty. */
static int slurp(const char *path, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (*buf = malloc((size_t)n)) &&
        fread(*buf, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    fclose(f);
    if (*len == 0) {
        free(*buf);
        *buf = NULL;
        return -1;
    }
    return 0;
}

/* Runs gnuplot on the script and, drawing to a file, commits it (w open); on any failure the
 * file is abandoned and an error raised. With a display hook (the notebook) the image drawn is
 * also shown: w is then the file asked for or, with no to:, a temporary file the caller removes. */
static int plot_run(Interp *I, Args *a, const char *gp, const char *script, size_t len,
                    const PlotStyle *st, const char *to, RdnWriter *w)
{
    char *msg = NULL, *img = NULL;
    size_t nimg = 0;
    int rc = run_gnuplot(gp, script, len, st->term == PLOT_DUMB, &msg);
    if (rc == 0 && w->f) {
        /* gnuplot wrote the temporary path; w->f is the same file, so commit syncs its bytes */
        fseek(w->f, 0, SEEK_END);
        if (ftell(w->f) <= 0) {
            rc = -1;
            msg = dupf("gnuplot wrote nothing to %s", to ? to : "its image");
        } else if (I->display && slurp(w->tmp, &img, &nimg) != 0) {
            rc = -1;
            msg = dupf("cannot read back the image gnuplot drew");
        }
    }
    if (rc != 0) {
        free(img);
        if (to) rdn_out_abort(w);
        int r;
        if (msg && st->term == PLOT_PNG && strstr(msg, "unknown or ambiguous terminal type"))
            r = arg_error(I, a, -1, "to", "plot: this gnuplot cannot write PNG (no pngcairo "
                          "terminal); write .svg instead");
        else
            r = rt_error(I, &a->call, "plot: %s", msg ? msg : "gnuplot failed");
        free(msg);
        return r;
    }
    RdnErr err = {0};
    if (rdn_interrupt) {
        free(img);
        if (to) rdn_out_abort(w);
        err.code = RDN_INTERRUPTED;
        snprintf(err.msg, sizeof err.msg, "plot: interrupted");
        return rt_error_from(I, &a->call, &err);
    }
    if (to && rdn_out_commit(&I->out, w, &err) != RDN_OK) {
        free(img);
        return arg_error(I, a, -1, "to", "plot: %s", err.msg);
    }
    if (img) I->display(I, st->term == PLOT_PNG ? "image/png" : "image/svg+xml", img, nimg);
    free(img);
    return 0;
}

/* A temporary file for a figure shown but not kept (no to: in a notebook), outside the output
 * folder: it is no output of the run. w->tmp is its path; the caller closes and unlinks it. */
static int plot_tmp_open(RdnWriter *w)
{
    const char *dir = getenv("TMPDIR");
    char *path = dupf("%s/rdn-plot-XXXXXX.svg", dir && *dir ? dir : "/tmp");
    if (!path) return -1;
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        free(path);
        return -1;
    }
    w->f = fdopen(fd, "r+");
    if (!w->f) {
        close(fd);
        unlink(path);
        free(path);
        return -1;
    }
    w->tmp = path;
    return 0;
}

static void plot_tmp_close(RdnWriter *w)
{
    if (w->f) fclose(w->f);
    if (w->tmp) {
        unlink(w->tmp);
        free(w->tmp);
    }
    memset(w, 0, sizeof *w);
}

static int bi_plot(Interp *I, Args *a, Value *out)
{
    const char *to;
    PlotStyle st = {0};
    if (plot_style(I, a, &to, &st)) return -1;
    Plot p = {0};
    if (plot_series(I, a, st.logy, &p)) {
        rdn_plot_free(&p);
        return -1;
    }
    char *gp = find_gnuplot();
    if (!gp) {
        rdn_plot_free(&p);
        return rt_error(I, &a->call, "plot: gnuplot is not installed (or not on PATH); install "
                        "the Debian package gnuplot-nox (apt-get install gnuplot-nox)");
    }
    RdnErr err = {0};
    RdnWriter w = {0};
    if (to && rdn_out_open(&I->out, to, &w, &err) != RDN_OK) {
        free(gp);
        rdn_plot_free(&p);
        return arg_error(I, a, -1, "to", "plot: %s", err.msg);
    }
    int shown_only = !to && I->display;
    if (shown_only && plot_tmp_open(&w) != 0) {
        free(gp);
        rdn_plot_free(&p);
        return rt_error(I, &a->call, "plot: cannot create a temporary file for the figure: %s",
                        strerror(errno));
    }
    st.output = w.tmp;
    size_t len = 0;
    char *script = plot_script_text(&p, &st, &len);
    rdn_plot_free(&p);   /* the script holds the data now */
    int rc = script ? plot_run(I, a, gp, script, len, &st, to, &w)
                    : rt_error(I, &a->call, "plot: out of memory");
    if (!script && to) rdn_out_abort(&w);
    if (shown_only) plot_tmp_close(&w);
    free(script);
    free(gp);
    if (rc) return -1;
    *out = VNIL;
    return 0;
}


const Builtin BI_PLOT[] = {
    {"plot", bi_plot, 1, 1, "by x y cols err to title xlabel ylabel logy",
     "plot(y, by: nil, x: nil, cols: nil, err: nil, to: nil, title: nil, xlabel: nil, "
     "ylabel: nil, logy: false)",
     "Draws lines with gnuplot: into an SVG or PNG file with `to:`, else as text in the "
     "terminal. In a Jupyter notebook (`rdn kernel`) the figure is shown inline as SVG, and a "
     "plot with `to:` writes its file and shows it too.\n\n"
     "`y` is one of:\n"
     "- a 1-D tensor or a list of numbers: one line;\n"
     "- a 2-D tensor [n, T]: one line per row (at most 1000), or with `by:` one line per group, the mean of "
     "its rows (NaN skipped). `by:` is a data set (its labels; legends are its class names, "
     "else `class k`), a 1-D tensor of labels or a list of numbers or strings, of length n. "
     "`x:` gives the T x values (a range, list or tensor; default 0..T-1);\n"
     "- a table: `x:` names the x column (default the first), `cols:` (or `y:`) the column or "
     "list of columns drawn (default every other numeric column), `by:` a column whose values "
     "split the rows into one line each, `err:` the column (or list, one per column drawn) of "
     "the half-widths of error bars at each point (gnuplot's yerrorlines; no bar where it is "
     "NaN, as the `_ci95` of a group of one run). For a sweep's summary: `plot(s, x: "
     "\"depth\", y: \"acc_mean\", err: \"acc_ci95\", by: \"width\", to: \"acc.svg\")`.\n\n"
     "`to:` must end in `.svg` or `.png` and is written like `write_csv` (sandboxed, atomic, "
     "recorded in the manifest). `logy: true` draws y on a log scale. gnuplot (Debian package "
     "gnuplot-nox) runs as a child process with the data piped in.\n\n"
     "Example: `plot(residual_norms(rec), by: test, to: \"residuals.svg\", xlabel: \"layer\")`"},
    {0},
};
