/* table_csv.c: a CSV file with a header read back into a table (load_table), parsed with libcsv
 * (quoted fields, CRLF, a missing final newline). A column is numeric when every non-empty cell
 * is a number (strtod: exact doubles, and "nan"/"inf" as write_csv writes them); empty cells are
 * NaN there, missing values. Any other column keeps its cells as strings. So a table written by
 * write_csv reads back equal, except a string column whose every cell looks like a number. */
#include "table.h"
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct Cell { char *s; int line; } Cell;

typedef struct TState {
    const char *name;
    RdnErr *err;
    int failed, line;
    Cell *row; int nf, capf;          /* the record being parsed */
    Cell *cells; int64_t ncells, capc;/* every record after the header, row after row */
    Cell *head; int ncols;            /* the header, once seen */
    int64_t nrows;
} TState;

static int tfail(TState *p, int line, int col, const char *fmt, long a, long b)
{
    if (p->failed) return -1;
    p->failed = 1;
    char what[300];
    snprintf(what, sizeof what, fmt, a, b);
    if (col > 0) rdn_err(p->err, "%s:%d: column %d: %s", p->name, line, col, what);
    else rdn_err(p->err, "%s:%d: %s", p->name, line, what);
    return -1;
}

/* A whole cell that is a number, with surrounding blanks allowed. */
static int cell_num(const char *s, double *v)
{
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) return 0;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (*end || end == s) return 0;
    *v = x;
    return 1;
}

static int blank(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return !*s;
}

static void t_field(void *s, size_t len, void *data)
{
    TState *p = data;
    if (p->failed) return;
    if (p->nf == p->capf) {
        int cap = p->capf ? 2 * p->capf : 16;
        Cell *r = realloc(p->row, (size_t)cap * sizeof *r);
        if (!r) { tfail(p, p->line, 0, "out of memory%.0ld%.0ld", 0, 0); return; }
        p->row = r;
        p->capf = cap;
    }
    char *c = malloc(len + 1);
    if (!c) { tfail(p, p->line, 0, "out of memory%.0ld%.0ld", 0, 0); return; }
    if (len) memcpy(c, s, len);
    c[len] = 0;
    p->row[p->nf].s = c;
    p->row[p->nf].line = p->line;
    p->nf++;
}

static void t_row(int c, void *data)
{
    TState *p = data;
    if (p->failed) goto drop;
    if (!p->head) {
        p->head = p->row;
        p->ncols = p->nf;
        p->row = NULL;
        p->nf = p->capf = 0;
        for (int j = 0; j < p->ncols; j++)
            for (int k = 0; k < j; k++)
                if (strcmp(p->head[j].s, p->head[k].s) == 0) {
                    tfail(p, p->head[j].line, j + 1, "the header names column %ld twice "
                          "(also column %ld)", j + 1, k + 1);
                    return;
                }
        return;
    }
    if (p->nf != p->ncols) {
        tfail(p, p->row[p->nf - 1].line, p->nf < p->ncols ? p->nf + 1 : p->ncols + 1,
              "ragged row: %ld fields where the header has %ld", p->nf, p->ncols);
        goto drop;
    }
    if (p->ncells + p->nf > p->capc) {
        int64_t cap = p->capc ? 2 * p->capc : 256;
        while (cap < p->ncells + p->nf) cap *= 2;
        Cell *cs = (size_t)cap <= RDN_MAX_ALLOC / sizeof *cs ? realloc(p->cells, (size_t)cap * sizeof *cs) : NULL;
        if (!cs) {
            tfail(p, p->line, 0, "too many rows%.0ld%.0ld", 0, 0);
            goto drop;
        }
        p->cells = cs;
        p->capc = cap;
    }
    memcpy(p->cells + p->ncells, p->row, (size_t)p->nf * sizeof *p->row);
    p->ncells += p->nf;
    p->nrows++;
    p->nf = 0;
    return;
drop:
    for (int j = 0; j < p->nf; j++) free(p->row[j].s);
    p->nf = 0;
}

static Table *t_build(TState *p)
{
    if (p->nrows > 0x7fffffff)
        return tfail(p, p->line, 0, "too many rows%.0ld%.0ld", 0, 0), NULL;
    const char **names = calloc((size_t)p->ncols + 1, sizeof *names);
    char *types = calloc((size_t)p->ncols + 1, 1);
    Table *t = NULL;
    if (!names || !types) goto done;
    for (int j = 0; j < p->ncols; j++) {
        names[j] = p->head[j].s;
        types[j] = 'n';
        double v;
        for (int64_t r = 0; r < p->nrows; r++) {
            const char *s = p->cells[r * p->ncols + j].s;
            if (!blank(s) && !cell_num(s, &v)) {
                types[j] = 's';
                break;
            }
        }
    }
    t = rdn_table_new(p->ncols, names, types, p->err);
    if (!t) goto done;
    for (int j = 0; j < p->ncols; j++) {
        TableCol *col = &t->cols[j];
        size_t n = (size_t)(p->nrows ? p->nrows : 1);
        if (types[j] == 's') col->str = calloc(n, sizeof *col->str);
        else col->num = calloc(n, sizeof *col->num);
        if (!col->str && !col->num) {
            t->nrows = 0;
            rdn_table_free(t);
            t = NULL;
            goto done;
        }
        for (int64_t r = 0; r < p->nrows; r++) {
            Cell *c = &p->cells[r * p->ncols + j];
            if (types[j] == 's') {
                col->str[r] = c->s;            /* moved into the table */
                c->s = NULL;
            } else if (!cell_num(c->s, &col->num[r])) {
                col->num[r] = NAN;             /* an empty cell: missing */
            }
        }
    }
    t->nrows = t->cap = (int)p->nrows;
done:
    if (!t && !p->failed) rdn_err(p->err, "%s: out of memory", p->name);
    free(names);
    free(types);
    return t;
}

Table *rdn_table_parse_csv(const char *buf, size_t len, const char *name, RdnErr *err)
{
    TState p = {.name = name, .err = err, .line = 1};
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
        if (csv_parse(&cp, buf + pos, chunk, t_field, t_row, &p) != chunk && !p.failed)
            tfail(&p, p.line, 0, "malformed CSV, e.g. a quote inside an unquoted field%.0ld%.0ld", 0, 0);
        pos += chunk;
        if (nl) p.line++;
    }
    if (!p.failed && csv_fini(&cp, t_field, t_row, &p) != 0 && !p.failed)
        tfail(&p, p.line, 0, "malformed CSV: unterminated quoted field%.0ld%.0ld", 0, 0);
    csv_free(&cp);
    if (!p.failed && !p.head) tfail(&p, 1, 0, "empty: a table needs a header row%.0ld%.0ld", 0, 0);
    Table *t = p.failed ? NULL : t_build(&p);
    for (int j = 0; j < p.nf; j++) free(p.row[j].s);
    free(p.row);
    for (int j = 0; p.head && j < p.ncols; j++) free(p.head[j].s);
    free(p.head);
    for (int64_t i = 0; i < p.ncells; i++) free(p.cells[i].s);
    free(p.cells);
    return t;
}

Table *rdn_table_load_csv(const char *path, RdnErr *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return rdn_err(err, "cannot open %s: %s", path, strerror(errno)), NULL;
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
    Table *t = rdn_table_parse_csv(buf, len, path, err);
    free(buf);
    return t;
}
