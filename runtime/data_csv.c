/* data_csv.c: CSV files as data sets, parsed with libcsv (quoting, CRLF and a missing final
 * newline are its business). One row is one input; one column holds the label, the others must be
 * numbers. Errors name the file, the line and the column (1-based). */
#include "data.h"
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct Field { char *s; int line; } Field;

typedef struct CsvState {
    const char *name;
    const RdnCsvOpts *o;
    RdnErr *err;
    int failed;
    int line;                 /* line being fed to the parser (1-based) */
    Field *row; int nf, capf; /* the current record */
    Field *first; int nfirst; /* the first record, until we know whether it is a header */
    int nrows;                /* records seen */
    int header;               /* decided: 1 header, 0 none, -1 undecided */
    int ncols, label;         /* column count, label column (0-based) */
    /* results */
    float *x; int64_t n, capx;
    char **lab; int64_t caplab;
} CsvState;

static int fail(CsvState *p, int line, int col, const char *fmt, const char *a, const char *b)
{
    if (p->failed) return -1;
    p->failed = 1;
    char what[512];
    snprintf(what, sizeof what, fmt, a ? a : "", b ? b : "");
    if (col > 0) rdn_err(p->err, "%s:%d: column %d: %s", p->name, line, col, what);
    else rdn_err(p->err, "%s:%d: %s", p->name, line, what);
    return -1;
}

/* A whole cell that is a finite number (surrounding blanks allowed). */
static int parse_num(const char *s, double *v)
{
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) return 0;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (*end || end == s || !isfinite(x)) return 0;
    *v = x;
    return 1;
}

static void free_fields(Field *f, int n)
{
    for (int i = 0; i < n; i++) free(f[i].s);
}

static void on_field(void *s, size_t len, void *data)
{
    CsvState *p = data;
    if (p->failed) return;
    if (p->nf == p->capf) {
        int cap = p->capf ? 2 * p->capf : 16;
        Field *r = realloc(p->row, (size_t)cap * sizeof *r);
        if (!r) { fail(p, p->line, 0, "out of memory%s%s", "", ""); return; }
        p->row = r;
        p->capf = cap;
    }
    char *c = malloc(len + 1);
    if (!c) { fail(p, p->line, 0, "out of memory%s%s", "", ""); return; }
    if (len) memcpy(c, s, len);
    c[len] = 0;
    p->row[p->nf].s = c;
    p->row[p->nf].line = p->line;
    p->nf++;
}

static int resolve_label(CsvState *p, Field *names)
{
    if (p->o->label_name) {
        for (int j = 0; j < p->ncols; j++)
            if (strcmp(names[j].s, p->o->label_name) == 0) return p->label = j, 0;
        char list[400] = "";
        for (int j = 0; j < p->ncols && strlen(list) < 300; j++) {
            strcat(list, j ? ", " : "");
            strncat(list, names[j].s, 40);
        }
        return fail(p, names[0].line, 0, "no column named '%s' (the header has: %s)",
                    p->o->label_name, list);
    }
    int li = p->o->label_index;
    int j = li < 0 ? p->ncols + li : li;
    if (j < 0 || j >= p->ncols) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%d", li);
        snprintf(b, sizeof b, "%d", p->ncols);
        return fail(p, names[0].line, 0, "label column %s does not exist (the rows have %s columns)",
                    a, b);
    }
    p->label = j;
    return 0;
}

static int add_row(CsvState *p, Field *f, int nf)
{
    if (nf != p->ncols) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%d", nf);
        snprintf(b, sizeof b, "%d", p->ncols);
        return fail(p, f[nf - 1].line, nf < p->ncols ? nf + 1 : p->ncols + 1,
                    "ragged row: %s fields where the first row has %s", a, b);
    }
    int dim = p->ncols - 1;
    if (p->n == p->capx) {
        int64_t cap = p->capx ? 2 * p->capx : 256;
        if ((size_t)cap * (size_t)dim > RDN_MAX_ALLOC / sizeof(float))
            return fail(p, f[0].line, 0, "too many rows%s%s", "", "");
        float *x = realloc(p->x, (size_t)cap * (size_t)dim * sizeof(float));
        char **l = realloc(p->lab, (size_t)cap * sizeof(char *));
        if (x) p->x = x;
        if (l) p->lab = l;
        if (!x || !l) return fail(p, f[0].line, 0, "out of memory%s%s", "", "");
        p->capx = cap;
    }
    float *row = p->x + (size_t)p->n * dim;
    for (int j = 0, k = 0; j < nf; j++) {
        if (j == p->label) continue;
        double v;
        if (!parse_num(f[j].s, &v)) {
            char shown[48];
            snprintf(shown, sizeof shown, "%.40s", f[j].s);
            return fail(p, f[j].line, j + 1, "expected a number, found '%s'%s", shown,
                        *f[j].s ? "" : " (an empty cell)");
        }
        if (fabs(v) > 3.4e38)
            return fail(p, f[j].line, j + 1, "'%s' is out of float range%s", f[j].s, "");
        row[k++] = (float)v;
    }
    p->lab[p->n] = f[p->label].s;
    f[p->label].s = NULL;
    p->n++;
    return 0;
}

static int row_is_header(CsvState *p, Field *r0, int n0, Field *r1, int n1)
{
    if (p->o->label_name) return 1;
    int li = p->o->label_index, lab = li < 0 ? n0 + li : li;
    double v;
    for (int j = 0; j < n0; j++)
        if (j != lab && !parse_num(r0[j].s, &v)) return 1;
    /* a numeric row whose label cell is a word, over rows whose label is a number */
    if (lab >= 0 && lab < n0 && !parse_num(r0[lab].s, &v) && r1 && lab < n1 &&
        parse_num(r1[lab].s, &v))
        return 1;
    return 0;
}

/* Decides the header once two records (or the end) are seen, then handles the first record. */
static int settle_first(CsvState *p, Field *r1, int n1)
{
    p->ncols = p->nfirst;
    p->header = p->o->header >= 0 ? p->o->header
                                  : row_is_header(p, p->first, p->nfirst, r1, n1);
    if (p->o->label_name && !p->header)
        return fail(p, p->first[0].line, 0, "label: '%s' names a column but header: false was "
                                            "given%s", p->o->label_name, "");
    if (p->ncols < 2)
        return fail(p, p->first[0].line, 0, "a data file needs a label column and at least one "
                                            "number column; this one has one column%s%s", "", "");
    if (resolve_label(p, p->first)) return -1;
    if (!p->header && add_row(p, p->first, p->nfirst)) return -1;
    return 0;
}

static void on_row(int c, void *data)
{
    CsvState *p = data;
    if (p->failed) goto done;
    if (p->nrows == 0) {
        p->first = p->row;
        p->nfirst = p->nf;
        p->row = NULL;
        p->nf = p->capf = 0;
        p->nrows++;
        return;
    }
    if (p->nrows == 1 && settle_first(p, p->row, p->nf)) goto done;
    p->nrows++;
    add_row(p, p->row, p->nf);
done:
    free_fields(p->row, p->nf);
    p->nf = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}
static int cmp_num(const void *a, const void *b)
{
    double x, y;
    parse_num(*(char *const *)a, &x);
    parse_num(*(char *const *)b, &y);
    return x < y ? -1 : x > y;
}

/* Turns the label strings into class indices (and names when they are not plain indices). */
static Dataset *build(CsvState *p)
{
    int dim = p->ncols - 1;
    int all_num = 1, all_index = 1;
    double v, maxv = 0;
    for (int64_t i = 0; i < p->n; i++) {
        if (!parse_num(p->lab[i], &v)) all_num = all_index = 0;
        else if (!(v >= 0 && v <= 100000 && v == floor(v))) all_index = 0;
        else if (v > maxv) maxv = v;
    }
    char **names = NULL;
    int k = 0;
    if (all_index) {
        k = p->n ? (int)maxv + 1 : 1;
    } else {
        names = malloc((size_t)p->n * sizeof *names);
        if (!names) return rdn_err(p->err, "%s: out of memory", p->name), NULL;
        memcpy(names, p->lab, (size_t)p->n * sizeof *names);
        int (*cmp)(const void *, const void *) = all_num ? cmp_num : cmp_str;
        qsort(names, (size_t)p->n, sizeof *names, cmp);
        for (int64_t i = 0; i < p->n; i++)
            if (k == 0 || cmp(&names[k - 1], &names[i]) != 0) names[k++] = names[i];
        if (k > 100000) {
            free(names);
            return rdn_err(p->err, "%s: the label column has %d different values; more than "
                                   "100000 classes is not a classification task", p->name, k), NULL;
        }
    }
    Dataset *d = rdn_dataset_new(p->n, dim, k, p->err);
    if (!d) {
        free(names);
        return NULL;
    }
    memcpy(d->x, p->x, (size_t)p->n * dim * sizeof(float));
    for (int64_t i = 0; i < p->n; i++) {
        if (all_index) {
            parse_num(p->lab[i], &v);
            d->y[i] = (int32_t)v;
        } else {
            int (*cmp)(const void *, const void *) = all_num ? cmp_num : cmp_str;
            char **hit = bsearch(&p->lab[i], names, (size_t)k, sizeof *names, cmp);
            d->y[i] = (int32_t)(hit - names);
        }
    }
    if (names) {
        d->class_names = rdn_calloc((size_t)k, sizeof(char *), "class names", p->err);
        for (int c = 0; d->class_names && c < k; c++) {
            const char *s = names[c];
            while (*s == ' ' || *s == '\t') s++;
            d->class_names[c] = strdup(s);
        }
        free(names);
        if (!d->class_names) {
            rdn_dataset_free(d);
            return NULL;
        }
    }
    rdn_data_set_source(d, "%s", p->name);
    return d;
}

Dataset *rdn_data_parse_csv(const char *buf, size_t len, const char *name, const RdnCsvOpts *o,
                            RdnErr *err)
{
    CsvState p = {.name = name, .o = o, .err = err, .line = 1, .header = -1};
    struct csv_parser cp;
    if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL))
        return rdn_err(err, "%s: cannot start the CSV parser", name), NULL;
    size_t pos = 0;
    while (pos < len && !p.failed) {
        if (rdn_interrupt) {
            rdn_err_interrupted(err, "interrupted while reading %s", name);
            p.failed = 1;
            break;
        }
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t chunk = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
        if (csv_parse(&cp, buf + pos, chunk, on_field, on_row, &p) != chunk && !p.failed)
            fail(&p, p.line, 0, "malformed CSV (%s), e.g. a quote inside an unquoted field or an "
                                "unterminated quote%s", csv_strerror(csv_error(&cp)), "");
        pos += chunk;
        if (nl) p.line++;
    }
    if (!p.failed && csv_fini(&cp, on_field, on_row, &p) != 0 && !p.failed)
        fail(&p, p.line, 0, "malformed CSV: unterminated quoted field%s%s", "", "");
    csv_free(&cp);
    if (!p.failed && p.nrows == 0) fail(&p, 1, 0, "no rows%s%s", "", "");
    if (!p.failed && p.nrows == 1) settle_first(&p, NULL, 0);
    if (!p.failed && p.n == 0) fail(&p, p.line, 0, "a header but no data rows%s%s", "", "");
    Dataset *d = p.failed ? NULL : build(&p);
    free_fields(p.row, p.nf);
    free(p.row);
    free_fields(p.first, p.nfirst);
    free(p.first);
    for (int64_t i = 0; i < p.n; i++) free(p.lab[i]);
    free(p.lab);
    free(p.x);
    return d;
}

Dataset *rdn_data_load_csv(const char *path, const RdnCsvOpts *o, RdnOut *note, RdnErr *err)
{
    FILE *f = rdn_fopen_regular(path, err);
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            char *b = cap <= RDN_MAX_ALLOC ? realloc(buf, cap) : NULL;
            if (!b) {
                free(buf);
                fclose(f);
                return rdn_err(err, "%s: too large to read", path), NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return rdn_err(err, "%s: read error", path), NULL;
    }
    Dataset *d = rdn_data_parse_csv(buf, len, path, o, err);
    free(buf);
    if (d && note && rdn_out_note_read(note, path, err)) {
        rdn_dataset_free(d);
        return NULL;
    }
    return d;
}
