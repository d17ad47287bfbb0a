/* sweep.c: `rdn sweep FILE.rdn --grid NAME=V1,V2 ...`: the driver (arguments, checks before
 * anything runs, resume, the output files) and the local scheduler: up to -j worker processes,
 * each this binary running the script once into its own folder with --set for its point of the
 * grid, its output in the folder's log.txt. Everything the sweep writes (sweep.csv, summary.csv,
 * sweep.run.json) is a function of the grid and of the runs' manifests, never of the order in
 * which runs finished, so it is the same bytes whatever -j is and however runs were scheduled. */
#include "sweep.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ast.h"
#include "core.h"
#include "interp.h"
#include "manifest.h"
#include "outfile.h"
#include "stats.h"
#include "table.h"
#include "version.h"

#define SWEEP_FORMAT 1
#define MAX_RUNS 100000

volatile int sweep_stop;

static int rank0(void) { return !sweep_mpi_rank || sweep_mpi_rank() == 0; }

/* Errors before anything runs: printed once (by rank 0 under MPI); returns the usage status. */
static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
{
    if (!rank0()) return ERR_USAGE;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdn sweep: error: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return ERR_USAGE;
}

double sweep_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    if (!b) abort();
    for (;;) {
        if (n + 1 >= cap) {
            b = realloc(b, cap *= 2);
            if (!b) abort();
        }
        size_t k = fread(b + n, 1, cap - n - 1, f);
        if (k == 0) break;
        n += k;
    }
    fclose(f);
    b[n] = 0;
    if (len) *len = n;
    return b;
}

/* ---- the grid ---- */

/* The kind of a param's default when it is a literal: 'n' number, 's' string, 'b' boolean,
 * 0 anything else (checked when the run starts). */
static int default_kind(const Ast *d)
{
    if (!d) return 0;
    if (d->kind == AST_NUM || (d->kind == AST_NEG && d->a && d->a->kind == AST_NUM)) return 'n';
    if (d->kind == AST_STR) return 's';
    if (d->kind == AST_BOOL) return 'b';
    return 0;
}

static int value_ok(int kind, const char *v, double *num)
{
    char *end;
    if (kind == 'n') {
        double x = strtod(v, &end);
        if (end == v || *end || !isfinite(x) || *v == ' ') return 0;
        *num = x;
        return 1;
    }
    if (kind == 'b') return strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
    return 1;
}

static const char *kind_word(int kind)
{
    return kind == 'n' ? "a number" : kind == 'b' ? "true or false" : "a string";
}

/* Appends one value (A..B expands to the whole numbers A, A+1, ..., B-1 as in the language). */
static int add_values(SweepGrid *g, const char *item, int kind, const char *arg)
{
    const char *dots = strstr(item, "..");
    if (dots && kind != 's') {
        char lo_s[64];
        snprintf(lo_s, sizeof lo_s, "%.*s", (int)(dots - item), item);
        char *e1, *e2;
        double lo = strtod(lo_s, &e1), hi = strtod(dots + 2, &e2);
        if (e1 == lo_s || *e1 || e2 == dots + 2 || *e2 || lo != floor(lo) || hi != floor(hi) ||
            fabs(lo) > 1e9 || fabs(hi) > 1e9)
            return usage_err("--grid %s: '%s' is not a range of whole numbers (A..B)", arg, item);
        if (hi <= lo)
            return usage_err("--grid %s: the range %s is empty (A..B runs from A to B-1)", arg, item);
        if (hi - lo > MAX_RUNS)
            return usage_err("--grid %s: the range %s has more than %d values", arg, item, MAX_RUNS);
        for (double x = lo; x < hi; x++) {
            char b[32];
            snprintf(b, sizeof b, "%.0f", x);
            g->vals = realloc(g->vals, sizeof *g->vals * (size_t)(g->nvals + 1));
            if (!g->vals) abort();
            g->vals[g->nvals++] = xstrdup(b);
        }
        return 0;
    }
    double x;
    if (!*item) return usage_err("--grid %s: an empty value", arg);
    if (kind && !value_ok(kind, item, &x))
        return usage_err("--grid %s: '%s' is not %s (the default of '%s' is %s)", arg, item,
                         kind_word(kind), g->name, kind_word(kind));
    char b[64];
    if (kind == 'n') rdn_num_text(b, sizeof b, x);       /* one spelling per number */
    g->vals = realloc(g->vals, sizeof *g->vals * (size_t)(g->nvals + 1));
    if (!g->vals) abort();
    g->vals[g->nvals++] = xstrdup(kind == 'n' ? b : item);
    return 0;
}

/* A value inside a folder name: bytes other than letters, digits and . _ + - as %XX. */
static void folder_part(char *out, size_t n, const char *s)
{
    size_t k = 0;
    for (; *s && k + 4 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '+' || c == '-')
            out[k++] = (char)c;
        else
            k += (size_t)snprintf(out + k, n - k, "%%%02X", c);
    }
    out[k] = 0;
}

/* ---- arguments and checks ---- */

static void sweep_usage(FILE *f)
{
    fprintf(f,
            "usage: rdn sweep FILE.rdn --grid NAME=V1,V2,... [--grid ...] [--set NAME=V ...]\n"
            "                 [--over NAME ...] [-j N] [--threads N] [--out DIR] [--force] [--quiet]\n"
            "  --grid NAME=VALUES  a param's values: V1,V2,... and A..B (A to B-1); the runs are the\n"
            "                      product of the grids, in grid order\n"
            "  --set NAME=V        a param fixed for every run\n"
            "  --over NAME         summarise over this grid param (default: seed or trial)\n"
            "  -j N                runs at a time (default: the number of cores)\n"
            "  --threads N         threads per run (default: cores / j)\n"
            "  --out DIR           the sweep's folder (default: NAME-sweep)\n"
            "  --force             rerun every run; accept a changed script or > 100000 runs\n"
            "  --quiet             no progress output\n");
}

static int parse(Sweep *S, int argc, char **argv, char ***grid_args, int *ngrid_args)
{
    *grid_args = calloc((size_t)argc + 1, sizeof **grid_args);
    S->sets = calloc((size_t)argc + 1, sizeof *S->sets);
    S->over = calloc((size_t)argc + 1, sizeof *S->over);
    if (!*grid_args || !S->sets || !S->over) abort();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
#define OPTV(NAME)                                                                          \
    (strcmp(a, NAME) == 0 ? (v = i + 1 < argc ? argv[++i] : NULL, 1)                       \
                          : strncmp(a, NAME "=", strlen(NAME) + 1) == 0 ? (v = a + strlen(NAME) + 1, 1) : 0)
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            sweep_usage(stdout);
            return -1;
        }
        if (strcmp(a, "--force") == 0) { S->force = 1; continue; }
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) { S->quiet = 1; continue; }
        if (OPTV("--grid")) {
            if (!v) return usage_err("--grid needs NAME=V1,V2,...");
            (*grid_args)[(*ngrid_args)++] = (char *)v;
            continue;
        }
        if (OPTV("--set")) {
            if (!v || !strchr(v, '=') || *v == '=') return usage_err("--set expects NAME=VALUE, found '%s'", v ? v : "");
            S->sets[S->nsets++] = v;
            continue;
        }
        if (OPTV("--over")) {
            if (!v || !*v) return usage_err("--over needs a grid param's name");
            S->over[S->nover++] = v;
            continue;
        }
        if (OPTV("--out")) {
            if (!v || !*v) return usage_err("--out needs a folder");
            S->out = v;
            continue;
        }
        int is_j = OPTV("-j") || OPTV("--jobs");
        if (is_j || OPTV("--threads")) {
            char *end;
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || n < 1 || n > 1024)
                return usage_err("%s expects a whole number from 1 to 1024, found '%s'", a, v ? v : "");
            if (is_j) S->jobs = (int)n;
            else S->threads = (int)n;
            continue;
        }
#undef OPTV
        if (a[0] == '-' && a[1]) return usage_err("unknown option '%s' (rdn sweep --help)", a);
        if (S->script) return usage_err("unexpected argument '%s' (one script per sweep)", a);
        S->script = a;
    }
    if (!S->script) return usage_err("which script? (rdn sweep FILE.rdn --grid NAME=V1,V2 ...)");
    if (*ngrid_args == 0) return usage_err("no --grid: a sweep needs at least one (--grid NAME=V1,V2,...)");
    return 0;
}

/* The script's params and the kinds of their literal defaults. */
typedef struct ParamInfo { const char **names; int *kinds; int n; char *words; } ParamInfo;

static int script_params(Sweep *S, ParamInfo *P)
{
    Interp I = {0};
    if (core_init(&I)) return ERR_RUNTIME;
    core_of(&I)->errf = rank0() ? stderr : NULL;
    Source *src = source_load(&I, S->script);
    int rc = 0;
    if (!src || core_prepare(&I, src, rank0() ? stderr : NULL)) {
        rc = ERR_USAGE;
        goto done;
    }
    Ast *root = src->root;
    P->names = calloc((size_t)root->nitems + 1, sizeof *P->names);
    P->kinds = calloc((size_t)root->nitems + 1, sizeof *P->kinds);
    size_t len = 1;
    for (int i = 0; i < root->nitems; i++)
        if (root->items[i]->kind == AST_PARAMDECL) len += strlen(root->items[i]->str) + 1;
    P->words = calloc(1, len);
    if (!P->names || !P->kinds || !P->words) abort();
    for (int i = 0; i < root->nitems; i++) {
        Ast *p = root->items[i];
        if (p->kind != AST_PARAMDECL) continue;
        P->names[P->n] = xstrdup(p->str);
        P->kinds[P->n++] = default_kind(p->a);
        strcat(P->words, p->str);
        strcat(P->words, " ");
    }
done:
    core_free(&I);
    return rc;
}

static int param_index(const ParamInfo *P, const char *name)
{
    for (int i = 0; i < P->n; i++)
        if (strcmp(P->names[i], name) == 0) return i;
    return -1;
}

static int unknown_param(Sweep *S, const ParamInfo *P, const char *opt, const char *arg, const char *name)
{
    char best[128];
    const char *s = suggest(name, P->words, best, sizeof best);
    if (s) return usage_err("%s %s: %s has no param '%s' (did you mean '%s'?)", opt, arg, S->script, name, s);
    if (P->n) return usage_err("%s %s: %s has no param '%s' (params: %s)", opt, arg, S->script, name, P->words);
    return usage_err("%s %s: %s declares no param", opt, arg, S->script);
}

static int build_grid(Sweep *S, const ParamInfo *P, char **grid_args, int ngrid_args)
{
    S->grid = calloc((size_t)ngrid_args, sizeof *S->grid);
    if (!S->grid) abort();
    for (int i = 0; i < ngrid_args; i++) {
        const char *arg = grid_args[i], *eq = strchr(arg, '=');
        if (!eq || eq == arg) return usage_err("--grid expects NAME=V1,V2,..., found '%s'", arg);
        SweepGrid *g = &S->grid[S->ngrid++];
        g->name = strndup(arg, (size_t)(eq - arg));
        if (!g->name) abort();
        int pi = param_index(P, g->name);
        if (pi < 0) return unknown_param(S, P, "--grid", arg, g->name);
        for (int j = 0; j < S->ngrid - 1; j++)
            if (strcmp(S->grid[j].name, g->name) == 0)
                return usage_err("--grid %s: '%s' has a grid already (give all its values in one --grid)", arg, g->name);
        for (int j = 0; j < S->nsets; j++)
            if (strncmp(S->sets[j], g->name, strlen(g->name)) == 0 && S->sets[j][strlen(g->name)] == '=')
                return usage_err("--grid %s: '%s' is also given by --set %s", arg, g->name, S->sets[j]);
        if (strcmp(g->name, "status") == 0 || strcmp(g->name, "error") == 0 || strcmp(g->name, "runs") == 0)
            return usage_err("--grid %s: '%s' is a column sweep.csv or summary.csv writes itself "
                             "(status, error, runs): rename the param", arg, g->name);
        int kind = P->kinds[pi];
        g->is_num = kind == 'n';
        if (!eq[1]) return usage_err("--grid %s: no values (an empty grid)", arg);
        char *list = xstrdup(eq + 1);
        int rc = 0;
        for (char *p = list, *comma; !rc; p = comma + 1) {
            comma = strchr(p, ',');
            if (comma) *comma = 0;
            rc = add_values(g, p, kind, arg);
            if (!comma) break;
        }
        free(list);
        if (rc) return rc;
        for (int a = 0; a < g->nvals; a++)
            for (int b = 0; b < a; b++)
                if (strcmp(g->vals[a], g->vals[b]) == 0)
                    return usage_err("--grid %s: the value %s is given twice", arg, g->vals[a]);
    }
    for (int j = 0; j < S->nsets; j++) {
        const char *s = S->sets[j], *eq = strchr(s, '=');
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - s), s);
        int pi = param_index(P, name);
        if (pi < 0) return unknown_param(S, P, "--set", s, name);
        double x;
        if (P->kinds[pi] && !value_ok(P->kinds[pi], eq + 1, &x))
            return usage_err("--set %s: '%s' is not %s (the default of '%s' is %s)", s, eq + 1,
                             kind_word(P->kinds[pi]), name, kind_word(P->kinds[pi]));
    }
    for (int j = 0; j < S->nover; j++) {
        int found = 0;
        for (int g = 0; g < S->ngrid; g++) found |= strcmp(S->grid[g].name, S->over[j]) == 0;
        if (!found) return usage_err("--over %s: not a grid param (the grid has: %s%s%s)", S->over[j],
                                     S->grid[0].name, S->ngrid > 1 ? ", " : "", S->ngrid > 1 ? S->grid[1].name : "");
    }
    if (S->nover == 0)
        for (int g = 0; g < S->ngrid; g++)
            if (strcmp(S->grid[g].name, "seed") == 0 || strcmp(S->grid[g].name, "trial") == 0) {
                S->over[S->nover++] = S->grid[g].name;
                break;
            }
    return 0;
}

static int build_runs(Sweep *S)
{
    double total = 1;
    for (int g = 0; g < S->ngrid; g++) total *= S->grid[g].nvals;
    if (total > MAX_RUNS && !S->force)
        return usage_err("the grid has %.0f runs, more than %d: give --force if you mean it", total, MAX_RUNS);
    if (total > 1e8) return usage_err("the grid has %.0f runs: too many", total);
    S->nruns = (int)total;
    S->runs = calloc((size_t)S->nruns, sizeof *S->runs);
    if (!S->runs) abort();
    for (int i = 0; i < S->nruns; i++) {
        SweepRun *r = &S->runs[i];
        r->at = calloc((size_t)S->ngrid, sizeof *r->at);
        r->sets = calloc((size_t)(S->nsets + S->ngrid), sizeof *r->sets);
        if (!r->at || !r->sets) abort();
        int rem = i;                         /* the last grid varies fastest */
        for (int g = S->ngrid - 1; g >= 0; g--) {
            r->at[g] = rem % S->grid[g].nvals;
            rem /= S->grid[g].nvals;
        }
        for (int j = 0; j < S->nsets; j++) r->sets[r->nsets++] = xstrdup(S->sets[j]);
        char folder[PATH_MAX] = "runs/";
        size_t k = strlen(folder);
        for (int g = 0; g < S->ngrid; g++) {
            const char *v = S->grid[g].vals[r->at[g]];
            char part[PATH_MAX], set[PATH_MAX];
            folder_part(part, sizeof part, v);
            k += (size_t)snprintf(folder + k, sizeof folder - k, "%s%s=%s", g ? "," : "", S->grid[g].name, part);
            snprintf(set, sizeof set, "%s=%s", S->grid[g].name, v);
            r->sets[r->nsets++] = xstrdup(set);
        }
        if (k >= 250 + 5) return usage_err("the run folder name %.60s... is too long (shorter values or names)", folder);
        r->folder = xstrdup(folder);
    }
    return 0;
}

/* ---- files ---- */

static void path_in(const Sweep *S, char *buf, size_t n, const char *rel1, const char *rel2)
{
    snprintf(buf, n, "%s/%s%s%s", S->out, rel1, rel2 ? "/" : "", rel2 ? rel2 : "");
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(p);
    return 0;
}

static int mkdirs(const char *path)
{
    char b[PATH_MAX];
    snprintf(b, sizeof b, "%s", path);
    for (char *p = b + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(b, 0777) && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(b, 0777) && errno != EEXIST ? -1 : 0;
}

static int same_sets(json_t *sets, const SweepRun *r)
{
    if (!json_is_array(sets) || json_array_size(sets) != (size_t)r->nsets) return 0;
    for (int i = 0; i < r->nsets; i++) {
        const char *s = json_string_value(json_array_get(sets, (size_t)i));
        if (!s || strcmp(s, r->sets[i]) != 0) return 0;
    }
    return 1;
}

char *sweep_manifest_text(Sweep *S, SweepRun *r)
{
    char p[PATH_MAX], m[300];
    snprintf(m, sizeof m, "%s.run.json", S->name);
    path_in(S, p, sizeof p, r->folder, m);
    return read_all(p, NULL);
}

char *sweep_error_line(Sweep *S, SweepRun *r)
{
    char p[PATH_MAX];
    path_in(S, p, sizeof p, r->folder, "log.txt");
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    char line[2048], *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        char *e = strstr(line, ": error: ");
        if (!e) continue;
        line[strcspn(line, "\r\n")] = 0;
        found = xstrdup(line);
    }
    fclose(f);
    return found;
}

/* ---- column names ---- */

static const char *const STAT[] = {"mean", "sd", "ci95", "min", "max"};

int sweep_column_clash(const char *result, const char *grid, char *why, size_t n)
{
    if (strcmp(result, "status") == 0 || strcmp(result, "error") == 0) {
        snprintf(why, n, "'%s' is a column sweep.csv writes itself (status, error)", result);
        return 1;
    }
    size_t len = strlen(result);
    for (const char *p = grid; p && *p;) {
        size_t k = strcspn(p, " ");
        if (k == len && strncmp(p, result, k) == 0) {
            snprintf(why, n, "'%s' is also a grid param of this sweep (--grid %s=...): sweep.csv "
                     "has one column per name", result, result);
            return 1;
        }
        for (int s = 0; s < 5; s++)
            if (k == len + 1 + strlen(STAT[s]) && strncmp(p, result, len) == 0 && p[len] == '_' &&
                strncmp(p + len + 1, STAT[s], k - len - 1) == 0) {
                snprintf(why, n, "summary.csv's column '%.*s' would be both the grid param and "
                         "the %s of '%s'", (int)k, p, STAT[s], result);
                return 1;
            }
        p += k;
        while (*p == ' ') p++;
    }
    return 0;
}

/* The sweep's grid param names, space-separated (malloc'd). */
static char *grid_words(const Sweep *S)
{
    size_t len = 1;
    for (int g = 0; g < S->ngrid; g++) len += strlen(S->grid[g].name) + 1;
    char *w = calloc(1, len);
    if (!w) abort();
    for (int g = 0; g < S->ngrid; g++) {
        if (g) strcat(w, " ");
        strcat(w, S->grid[g].name);
    }
    return w;
}

/* The first reported name of manifest m that clashes with a column (why says how), or NULL. */
static const char *results_clash(const Sweep *S, json_t *m, char *why, size_t n)
{
    char *w = grid_words(S);
    const char *k, *found = NULL;
    json_t *v;
    json_object_foreach(json_object_get(m, "results"), k, v) {
        if (sweep_column_clash(k, w, why, n)) {
            found = k;
            break;
        }
    }
    free(w);
    return found;
}

/* A run done by an earlier sweep: its folder holds a complete manifest with exit status 0 for
 * this script text and these params. */
static int already_done(Sweep *S, SweepRun *r)
{
    char *text = sweep_manifest_text(S, r);
    if (!text) return 0;
    json_t *m = json_loads(text, 0, NULL);
    free(text);
    const char *why;
    json_t *script = json_object_get(m, "script"), *es = json_object_get(m, "exit_status");
    const char *sha = json_string_value(json_object_get(script, "sha256"));
    char *again = m ? json_dumps(m, 0) : NULL;
    int ok = m && again && manifest_check_text(again, strlen(again), &why) == 0 && json_is_integer(es) &&
             json_integer_value(es) == 0 && sha && strcmp(sha, S->sha) == 0 &&
             same_sets(json_object_get(m, "sets"), r);
    char clash[400];
    if (ok && results_clash(S, m, clash, sizeof clash)) ok = 0;     /* rerun: it fails, located */
    free(again);
    if (ok) {
        r->manifest = m;
        r->status = RUN_OK;
        r->skipped = 1;
    } else {
        json_decref(m);
    }
    return ok;
}

/* ---- running ---- */

static void on_sigint(int sig)
{
    (void)sig;
    sweep_stop++;
}

int sweep_start(Sweep *S, SweepRun *r)
{
    char dir[PATH_MAX], log[PATH_MAX], threads[32];
    path_in(S, dir, sizeof dir, r->folder, NULL);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);      /* no leftovers of an earlier attempt */
    if (mkdirs(dir)) {
        fprintf(stderr, "rdn sweep: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    path_in(S, log, sizeof log, r->folder, "log.txt");
    snprintf(threads, sizeof threads, "%d", S->threads);
    const char **argv = calloc((size_t)(2 * r->nsets + 10), sizeof *argv);
    if (!argv) abort();
    int k = 0;
    argv[k++] = S->exe;
    argv[k++] = S->script;
    argv[k++] = "--out";
    argv[k++] = dir;
    argv[k++] = "--threads";
    argv[k++] = threads;
    for (int i = 0; i < r->nsets; i++) {
        argv[k++] = "--set";
        argv[k++] = r->sets[i];
    }
    argv[k] = NULL;
    char *grid = grid_words(S);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        free(argv);
        free(grid);
        fprintf(stderr, "rdn sweep: cannot start a run: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);            /* a terminal's Ctrl-C reaches the driver, which passes it on */
        signal(SIGINT, SIG_DFL);
        int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int nfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (lfd >= 0) { dup2(lfd, 1); dup2(lfd, 2); }
        if (nfd >= 0) dup2(nfd, 0);
        setenv("RDN_SWEEP_RUN", "1", 1);
        setenv("RDN_SWEEP_GRID", grid, 1);       /* the names report() may not take */
        execv(S->exe, (char *const *)argv);
        fprintf(stderr, "rdn sweep: cannot run %s: %s\n", S->exe, strerror(errno));
        _exit(127);
    }
    free(argv);
    free(grid);
    r->pid = pid;
    r->status = RUN_RUNNING;
    r->started = sweep_now();
    return 0;
}

int sweep_wait(SweepRun *r)
{
    int ws = 0;
    while (waitpid(r->pid, &ws, 0) < 0) {
        if (errno != EINTR) return 127 << 8;
        if (sweep_stop) kill(r->pid, SIGINT);
    }
    return ws;
}

static void fmt_time(char *b, size_t n, double s)
{
    if (!(s >= 0) || s > 1e7) { snprintf(b, n, "?"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

static void progress_line(Sweep *S)
{
    if (S->quiet || !S->tty) return;
    int todo = 0;
    for (int i = 0; i < S->nruns; i++) todo += !S->runs[i].skipped;
    int done = 0;
    for (int i = 0; i < S->nruns; i++)
        done += !S->runs[i].skipped && S->runs[i].status >= RUN_OK;
    double el = sweep_now() - S->t0;
    char e[32], eta[32];
    fmt_time(e, sizeof e, el);
    fmt_time(eta, sizeof eta, done ? el / done * (todo - done) : -1);
    fprintf(stderr, "\r\033[Ksweep: %d/%d done, %d failed, %d running; %s elapsed, ETA %s",
            S->ndone, S->nruns, S->nfailed, S->nrunning, e, done ? eta : "?");
    fflush(stderr);
}

void sweep_take(Sweep *S, SweepRun *r, int ws, const char *error, const char *manifest)
{
    int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    if (code == 130 || code == 128 + SIGINT) r->status = RUN_INTERRUPTED;
    else r->status = code == 0 ? RUN_OK : RUN_FAILED;
    free(r->error);
    r->error = NULL;
    if (r->status == RUN_FAILED) {
        char b[64];
        snprintf(b, sizeof b, "exit status %d", code);
        r->error = xstrdup(error ? error : b);
    }
    json_decref(r->manifest);
    r->manifest = manifest ? json_loads(manifest, 0, NULL) : NULL;
    if (r->status == RUN_OK && !r->manifest) {
        r->status = RUN_FAILED;
        r->error = xstrdup("the run wrote no manifest");
    }
    char why[400], line[512];
    const char *clash = r->status == RUN_OK ? results_clash(S, r->manifest, why, sizeof why) : NULL;
    if (clash) {                  /* report() refuses these in a sweep run; a run that got past */
        snprintf(line, sizeof line, "report(%s: ...): %s", clash, why);
        r->status = RUN_FAILED;
        r->error = xstrdup(line);
    }
    if (r->status != RUN_INTERRUPTED) S->ndone++;
    if (r->status == RUN_FAILED) S->nfailed++;
    if (S->quiet) return;
    if (S->tty) {
        if (r->status == RUN_FAILED) fprintf(stderr, "\r\033[Ksweep: failed %s\n", r->folder);
        progress_line(S);
        return;
    }
    const char *what = r->status == RUN_OK ? "ok" : r->status == RUN_FAILED ? "FAILED" : "interrupted";
    fprintf(stderr, "sweep: [%d/%d] %s %s (%.1f s)\n", S->ndone, S->nruns, what, r->folder,
            sweep_now() - r->started);
}

static void finish_local(Sweep *S, SweepRun *r, int ws)
{
    char *err = sweep_error_line(S, r), *man = sweep_manifest_text(S, r);
    S->nrunning--;
    sweep_take(S, r, ws, err, man);
    free(err);
    free(man);
}

/* Up to S->jobs workers at a time; Ctrl-C: no new runs, SIGINT to the running ones. */
static void schedule_local(Sweep *S)
{
    int next = 0, signalled = 0;
    for (;;) {
        while (!sweep_stop && S->nrunning < S->jobs && next < S->nruns) {
            SweepRun *r = &S->runs[next++];
            if (r->status != RUN_PENDING) continue;
            if (sweep_start(S, r) == 0) S->nrunning++;
            else sweep_take(S, r, 127 << 8, "rdn sweep: the run could not be started", NULL);
            progress_line(S);
        }
        if (S->nrunning == 0) break;
        if (sweep_stop > signalled) {
            signalled = sweep_stop;
            for (int i = 0; i < S->nruns; i++)
                if (S->runs[i].status == RUN_RUNNING) kill(S->runs[i].pid, SIGINT);
        }
        int ws;
        pid_t pid = waitpid(-1, &ws, WNOHANG);
        if (pid <= 0) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
            static double last;
            if (sweep_now() - last > 1) {
                last = sweep_now();
                progress_line(S);
            }
            continue;
        }
        for (int i = 0; i < S->nruns; i++)
            if (S->runs[i].status == RUN_RUNNING && S->runs[i].pid == pid) finish_local(S, &S->runs[i], ws);
    }
}

/* ---- results ---- */

typedef struct Cols { char **names; int n; } Cols;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The reported names over all runs, sorted. */
static Cols result_names(const Sweep *S)
{
    Cols c = {0};
    for (int i = 0; i < S->nruns; i++) {
        json_t *res = json_object_get(S->runs[i].manifest, "results");
        const char *k;
        json_t *v;
        json_object_foreach(res, k, v) {
            int have = 0;
            for (int j = 0; j < c.n && !have; j++) have = strcmp(c.names[j], k) == 0;
            if (have) continue;
            c.names = realloc(c.names, sizeof *c.names * (size_t)(c.n + 1));
            if (!c.names) abort();
            c.names[c.n++] = xstrdup(k);
        }
    }
    if (c.n) qsort(c.names, (size_t)c.n, sizeof *c.names, cmp_str);
    return c;
}

/* A result as a number: JSON numbers, and the strings the manifest uses for NaN and infinities. */
static int result_num(json_t *v, double *x)
{
    if (json_is_number(v)) {
        *x = json_number_value(v);
        return 1;
    }
    const char *s = json_string_value(v);
    if (s && (strcmp(s, "nan") == 0 || strcmp(s, "inf") == 0 || strcmp(s, "-inf") == 0)) {
        *x = strtod(s, NULL);
        return 1;
    }
    return 0;
}

static void write_value(FILE *f, json_t *v)
{
    double x;
    if (!v || json_is_null(v)) return;
    if (json_is_true(v)) fputs("true", f);
    else if (json_is_false(v)) fputs("false", f);
    else if (result_num(v, &x)) rdn_csv_num(f, x);
    else if (json_is_string(v)) rdn_csv_field(f, json_string_value(v));
}

static void write_grid_value(FILE *f, const SweepGrid *g, int at)
{
    if (g->is_num) fputs(g->vals[at], f);      /* already the exact shortest text */
    else rdn_csv_field(f, g->vals[at]);
}

static const char *status_word(int s)
{
    return s == RUN_OK ? "ok" : s == RUN_FAILED ? "failed" : s == RUN_INTERRUPTED ? "interrupted" : "pending";
}

static int listed(const SweepRun *r) { return r->status >= RUN_OK; }

static void write_sweep_csv(const Sweep *S, FILE *f, const Cols *c)
{
    for (int g = 0; g < S->ngrid; g++) {
        rdn_csv_field(f, S->grid[g].name);
        fputc(',', f);
    }
    fputs("status,error", f);
    for (int j = 0; j < c->n; j++) {
        fputc(',', f);
        rdn_csv_field(f, c->names[j]);
    }
    fputc('\n', f);
    for (int i = 0; i < S->nruns; i++) {
        const SweepRun *r = &S->runs[i];
        if (!listed(r)) continue;
        for (int g = 0; g < S->ngrid; g++) {
            write_grid_value(f, &S->grid[g], r->at[g]);
            fputc(',', f);
        }
        fprintf(f, "%s,", status_word(r->status));
        if (r->error) rdn_csv_field(f, r->error);
        json_t *res = json_object_get(r->manifest, "results");
        for (int j = 0; j < c->n; j++) {
            fputc(',', f);
            if (r->status == RUN_OK) write_value(f, json_object_get(res, c->names[j]));
        }
        fputc('\n', f);
    }
}

static int is_over(const Sweep *S, const char *name)
{
    for (int j = 0; j < S->nover; j++)
        if (strcmp(S->over[j], name) == 0) return 1;
    return 0;
}

/* Runs grouped by every grid param not summarised over, groups in grid order; per numeric
 * result R: R_mean, R_sd, R_ci95, R_min, R_max over the group's ok runs. */
static void write_summary_csv(const Sweep *S, FILE *f, const Cols *c)
{
    int *numeric = calloc((size_t)c->n + 1, sizeof *numeric);
    int *group = malloc(sizeof *group * (size_t)S->nruns);
    double *xs = malloc(sizeof *xs * (size_t)S->nruns);
    if (!numeric || !group || !xs) abort();
    for (int j = 0; j < c->n; j++) {
        int num = 0, other = 0;
        for (int i = 0; i < S->nruns; i++) {
            if (S->runs[i].status != RUN_OK) continue;
            json_t *v = json_object_get(json_object_get(S->runs[i].manifest, "results"), c->names[j]);
            double x;
            if (!v) continue;
            if (result_num(v, &x)) num++;
            else other++;
        }
        numeric[j] = num > 0 && other == 0;
    }
    for (int g = 0; g < S->ngrid; g++) {
        if (is_over(S, S->grid[g].name)) continue;
        rdn_csv_field(f, S->grid[g].name);
        fputc(',', f);
    }
    fputs("runs", f);
    for (int j = 0; j < c->n; j++)
        for (int s = 0; numeric[j] && s < 5; s++) {
            char col[600];
            snprintf(col, sizeof col, "%s_%s", c->names[j], STAT[s]);
            fputc(',', f);
            rdn_csv_field(f, col);
        }
    fputc('\n', f);
    /* group id of each run: the first run with the same values outside --over */
    for (int i = 0; i < S->nruns; i++) {
        group[i] = i;
        for (int k = 0; k < i && group[i] == i; k++) {
            int same = 1;
            for (int g = 0; g < S->ngrid && same; g++)
                same = is_over(S, S->grid[g].name) || S->runs[i].at[g] == S->runs[k].at[g];
            if (same) group[i] = group[k];
        }
    }
    for (int i = 0; i < S->nruns; i++) {
        if (group[i] != i) continue;
        int n = 0;
        for (int k = i; k < S->nruns; k++) n += group[k] == i && S->runs[k].status == RUN_OK;
        int any = 0;
        for (int k = i; k < S->nruns; k++) any |= group[k] == i && listed(&S->runs[k]);
        if (!any) continue;
        for (int g = 0; g < S->ngrid; g++) {
            if (is_over(S, S->grid[g].name)) continue;
            write_grid_value(f, &S->grid[g], S->runs[i].at[g]);
            fputc(',', f);
        }
        fprintf(f, "%d", n);
        for (int j = 0; j < c->n; j++) {
            if (!numeric[j]) continue;
            int64_t m = 0;
            for (int k = i; k < S->nruns; k++) {
                if (group[k] != i || S->runs[k].status != RUN_OK) continue;
                json_t *v = json_object_get(json_object_get(S->runs[k].manifest, "results"), c->names[j]);
                double x = NAN;
                if (v) result_num(v, &x);
                xs[m++] = x;
            }
            RdnSummary s;
            rdn_summarize(xs, m, &s);
            double vals[5] = {s.mean, s.sd, s.ci95, s.min, s.max};
            for (int q = 0; q < 5; q++) {
                fputc(',', f);
                rdn_csv_num(f, vals[q]);
            }
        }
        fputc('\n', f);
    }
    free(numeric);
    free(group);
    free(xs);
}

/* The SHA-256 of a run's manifest as sweep.run.json records it: of its content without the
 * threads field (the one thing -j changes), in a canonical form. */
static void manifest_hash(json_t *m, char hex[65])
{
    json_t *c = json_deep_copy(m);
    json_object_del(c, "threads");
    char *s = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
    rdn_sha256_buf(s ? s : "", s ? strlen(s) : 0, hex);
    free(s);
    json_decref(c);
}

static json_t *grid_value_json(const SweepGrid *g, int at)
{
    if (g->is_num) {
        double x = strtod(g->vals[at], NULL);
        if (x == floor(x) && fabs(x) < 9007199254740992.0) return json_integer((json_int_t)x);
        return json_real(x);
    }
    return json_string(g->vals[at]);
}

static json_t *sweep_record(const Sweep *S, const char *csv_sha, const char *sum_sha)
{
    json_t *root = json_object();
    json_object_set_new(root, "format", json_integer(SWEEP_FORMAT));
    json_object_set_new(root, "kind", json_string("sweep"));
    json_object_set_new(root, "rdn_version", json_string(RDN_VERSION));
    json_t *script = json_object();
    json_object_set_new(script, "path", json_string(S->script));
    json_object_set_new(script, "name", json_string(S->name));
    json_object_set_new(script, "sha256", json_string(S->sha));
    json_object_set_new(script, "text", json_string(S->text));
    json_object_set_new(root, "script", script);
    json_t *grid = json_array();
    for (int g = 0; g < S->ngrid; g++) {
        json_t *vals = json_array();
        for (int v = 0; v < S->grid[g].nvals; v++) json_array_append_new(vals, json_string(S->grid[g].vals[v]));
        json_array_append_new(grid, json_pack("{s:s, s:o}", "name", S->grid[g].name, "values", vals));
    }
    json_object_set_new(root, "grid", grid);
    json_t *sets = json_array(), *over = json_array();
    for (int j = 0; j < S->nsets; j++) json_array_append_new(sets, json_string(S->sets[j]));
    for (int j = 0; j < S->nover; j++) json_array_append_new(over, json_string(S->over[j]));
    json_object_set_new(root, "sets", sets);
    json_object_set_new(root, "over", over);
    json_t *runs = json_array();
    char mname[300];
    snprintf(mname, sizeof mname, "%s.run.json", S->name);
    for (int i = 0; i < S->nruns; i++) {
        const SweepRun *r = &S->runs[i];
        json_t *params = json_object();
        for (int g = 0; g < S->ngrid; g++)
            json_object_set_new(params, S->grid[g].name, grid_value_json(&S->grid[g], r->at[g]));
        json_t *e = json_pack("{s:s, s:o, s:s}", "folder", r->folder, "params", params, "status",
                              status_word(r->status));
        if (r->manifest && r->status != RUN_INTERRUPTED) {
            char hex[65], mp[PATH_MAX];
            manifest_hash(r->manifest, hex);
            snprintf(mp, sizeof mp, "%s/%s", r->folder, mname);
            json_object_set_new(e, "manifest", json_string(mp));
            json_object_set_new(e, "manifest_sha256", json_string(hex));
        }
        if (r->error) json_object_set_new(e, "error", json_string(r->error));
        json_array_append_new(runs, e);
    }
    json_object_set_new(root, "runs", runs);
    json_t *files = json_array();
    if (csv_sha) json_array_append_new(files, json_pack("{s:s, s:s}", "name", "sweep.csv", "sha256", csv_sha));
    if (sum_sha) json_array_append_new(files, json_pack("{s:s, s:s}", "name", "summary.csv", "sha256", sum_sha));
    json_object_set_new(root, "files", files);
    return root;
}

/* Writes one of the sweep's files atomically (temporary file renamed into place). */
static int write_file(Sweep *S, RdnOut *o, const char *name, void (*fill)(const Sweep *, FILE *, const Cols *),
                      const Cols *c, const char *text, char sha[65])
{
    RdnErr err = {0};
    RdnWriter w;
    if (rdn_out_open(o, name, &w, &err) != RDN_OK) {
        fprintf(stderr, "rdn sweep: cannot write %s/%s: %s\n", S->out, name, err.msg);
        return -1;
    }
    if (fill) fill(S, w.f, c);
    else fputs(text, w.f);
    if (rdn_out_commit(o, &w, &err) != RDN_OK) {
        fprintf(stderr, "rdn sweep: cannot write %s/%s: %s\n", S->out, name, err.msg);
        return -1;
    }
    if (sha) snprintf(sha, 65, "%s", o->written[o->nwritten - 1].sha256);
    return 0;
}

static int write_outputs(Sweep *S, int with_tables)
{
    RdnOut o = {0};
    RdnErr err = {0};
    if (rdn_out_init(&o, S->out, &err) != RDN_OK) {
        fprintf(stderr, "rdn sweep: --out %s: %s\n", S->out, err.msg);
        return -1;
    }
    Cols c = result_names(S);
    char csv[65], sum[65];
    int rc = 0;
    if (with_tables)
        rc = write_file(S, &o, "sweep.csv", write_sweep_csv, &c, NULL, csv) ||
             write_file(S, &o, "summary.csv", write_summary_csv, &c, NULL, sum);
    if (!rc) {
        json_t *root = sweep_record(S, with_tables ? csv : NULL, with_tables ? sum : NULL);
        char *s = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENSURE_ASCII);
        json_decref(root);
        size_t l = s ? strlen(s) : 0;
        char *t = malloc(l + 2);
        if (!s || !t) abort();
        memcpy(t, s, l);
        t[l] = '\n';
        t[l + 1] = 0;
        rc = write_file(S, &o, "sweep.run.json", NULL, NULL, t, NULL);
        free(s);
        free(t);
    }
    for (int j = 0; j < c.n; j++) free(c.names[j]);
    free(c.names);
    rdn_out_free(&o);
    return rc ? -1 : 0;
}

/* An existing sweep.run.json in the folder: the same sweep (resume), a changed script (refused
 * without --force) or another sweep (refused). */
static int check_folder(Sweep *S)
{
    char p[PATH_MAX];
    path_in(S, p, sizeof p, "sweep.run.json", NULL);
    if (access(p, F_OK) != 0) return 0;
    json_error_t je;
    json_t *m = json_load_file(p, 0, &je);
    if (!m || !json_is_string(json_object_get(m, "kind")) ||
        strcmp(json_string_value(json_object_get(m, "kind")), "sweep") != 0) {
        json_decref(m);
        return usage_err("%s is not a sweep's manifest: give another --out", p);
    }
    json_t *script = json_object_get(m, "script");
    const char *name = json_string_value(json_object_get(script, "name"));
    const char *sha = json_string_value(json_object_get(script, "sha256"));
    json_t *mine = sweep_record(S, NULL, NULL);
    int same = name && strcmp(name, S->name) == 0 &&
               json_equal(json_object_get(m, "grid"), json_object_get(mine, "grid")) &&
               json_equal(json_object_get(m, "sets"), json_object_get(mine, "sets"));
    char *g = json_dumps(json_object_get(m, "grid"), JSON_COMPACT);
    int rc = 0;
    if (!same)
        rc = usage_err("%s holds another sweep (of %s, grid %s): give another --out (or remove it)",
                       S->out, name ? name : "?", g ? g : "?");
    else if (!sha || strcmp(sha, S->sha) != 0) {
        if (!S->force)
            rc = usage_err("%s changed since the sweep in %s was run: its runs would mix two versions; "
                           "give --force to rerun every run, or another --out", S->script, S->out);
    }
    free(g);
    json_decref(mine);
    json_decref(m);
    return rc;
}

static void free_sweep(Sweep *S)
{
    for (int i = 0; i < S->nruns; i++) {
        SweepRun *r = &S->runs[i];
        for (int j = 0; j < r->nsets; j++) free(r->sets[j]);
        free(r->sets);
        free(r->at);
        free(r->folder);
        free(r->error);
        json_decref(r->manifest);
    }
    free(S->runs);
    for (int g = 0; g < S->ngrid; g++) {
        for (int v = 0; v < S->grid[g].nvals; v++) free(S->grid[g].vals[v]);
        free(S->grid[g].vals);
        free(S->grid[g].name);
    }
    free(S->grid);
    free(S->sets);
    free(S->over);
    free(S->text);
}

int sweep_main(int argc, char **argv, const char *exe)
{
    Sweep S = {0};
    S.exe = exe;
    int mpi_ranks = sweep_mpi_size ? sweep_mpi_size(&argc, &argv) : 0;
    char **grid_args = NULL;
    int ngrid_args = 0;
    ParamInfo P = {0};
    char outbuf[PATH_MAX];
    int rc = parse(&S, argc, argv, &grid_args, &ngrid_args);
    if (rc) {
        rc = rc < 0 ? 0 : rc;
        goto out;
    }
    size_t len;
    S.text = read_all(S.script, &len);
    if (!S.text) {
        rc = usage_err("cannot read %s: %s", S.script, strerror(errno));
        goto out;
    }
    if (strlen(S.text) != len) {
        rc = usage_err("%s holds a NUL byte: not a script", S.script);
        goto out;
    }
    rdn_sha256_buf(S.text, len, S.sha);
    const char *b = strrchr(S.script, '/');
    snprintf(S.name, sizeof S.name, "%s", b ? b + 1 : S.script);
    size_t nl = strlen(S.name);
    if (nl > 4 && strcmp(S.name + nl - 4, ".rdn") == 0) S.name[nl - 4] = 0;
    if (!S.out) {
        snprintf(outbuf, sizeof outbuf, "%s-sweep", S.name);
        S.out = outbuf;
    }
    if ((rc = script_params(&S, &P)) || (rc = build_grid(&S, &P, grid_args, ngrid_args)) ||
        (rc = build_runs(&S)))
        goto out;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    if (!S.jobs) S.jobs = (int)cores;
    if (!S.threads) S.threads = mpi_ranks ? 1 : (int)(cores / S.jobs > 1 ? cores / S.jobs : 1);
    S.tty = isatty(2);
    if (rank0()) {
        int skipped = 0;
        if ((rc = check_folder(&S))) {
            /* reported */
        } else if (mkdirs(S.out)) {
            rc = usage_err("cannot create %s: %s", S.out, strerror(errno));
        } else {
            for (int i = 0; i < S.nruns && !S.force; i++) skipped += already_done(&S, &S.runs[i]);
            S.ndone = skipped;
            if (write_outputs(&S, 0)) rc = ERR_RUNTIME;
        }
        if (!rc && !S.quiet)
            fprintf(stderr, "sweep: %d run%s of %s%s%s in %s\n", S.nruns, S.nruns == 1 ? "" : "s", S.script,
                    skipped ? ", already done: " : "", skipped ? (skipped == S.nruns ? "all" : "some") : "", S.out);
    }
    if (mpi_ranks > 1 && !sweep_mpi_agree(rc == 0)) rc = rc ? rc : ERR_USAGE;   /* all ranks stop */
    if (rc) goto out;
    struct sigaction sa = {0}, old;
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    S.t0 = sweep_now();
    if (mpi_ranks > 1) {
        if (sweep_mpi_schedule(&S)) rc = ERR_RUNTIME;
    } else {
        schedule_local(&S);
    }
    sigaction(SIGINT, &old, NULL);
    if (!rank0()) goto out;
    if (S.tty && !S.quiet) fputs("\r\033[K", stderr);
    int ninter = 0, nfail = 0;
    for (int i = 0; i < S.nruns; i++) {
        ninter += S.runs[i].status == RUN_INTERRUPTED || S.runs[i].status == RUN_PENDING;
        nfail += S.runs[i].status == RUN_FAILED;
    }
    if (write_outputs(&S, 1)) rc = ERR_RUNTIME;
    for (int i = 0, shown = 0; i < S.nruns; i++) {
        SweepRun *r = &S.runs[i];
        if (r->status != RUN_FAILED) continue;
        if (++shown > 10) {
            fprintf(stderr, "sweep: ... and %d more failed runs (sweep.csv lists them)\n", nfail - 10);
            break;
        }
        fprintf(stderr, "sweep: run %s failed: %s\n  (its log: %s/%s/log.txt)\n", r->folder,
                r->error ? r->error : "?", S.out, r->folder);
    }
    if (sweep_stop || ninter) {
        fprintf(stderr, "sweep: interrupted: %d of %d runs done; the same command resumes it\n",
                S.nruns - ninter, S.nruns);
        rc = 130;
    } else if (nfail) {
        fprintf(stderr, "sweep: %d of %d runs failed; results of the others are in %s/sweep.csv\n",
                nfail, S.nruns, S.out);
        if (!rc) rc = ERR_RUNTIME;
    } else if (!S.quiet) {
        fprintf(stderr, "sweep: %d runs ok: %s/sweep.csv, %s/summary.csv\n", S.nruns, S.out, S.out);
    }
out:
    if (mpi_ranks && sweep_mpi_finish) sweep_mpi_finish();
    for (int i = 0; i < P.n; i++) free((char *)P.names[i]);
    free(P.names);
    free(P.kinds);
    free(P.words);
    free(grid_args);
    free_sweep(&S);
    return rc;
}

/* ---- verify ---- */

int sweep_is_manifest(const char *path)
{
    /* only a regular file is read (a FIFO would block): the rest is refused by manifest_verify */
    RdnErr err = {0};
    int fd = rdn_open_regular(path, &err);
    if (fd < 0) return 0;
    close(fd);
    json_error_t je;
    json_t *m = json_load_file(path, 0, &je);
    const char *k = json_string_value(json_object_get(m, "kind"));
    int yes = k && strcmp(k, "sweep") == 0;
    json_decref(m);
    return yes;
}

int sweep_verify(const char *path, const char *exe, int sample, int quiet)
{
    json_error_t je;
    json_t *m = json_load_file(path, 0, &je);
    json_t *runs = json_object_get(m, "runs");
    if (!json_is_array(runs)) {
        fprintf(stderr, "%s: error: not a sweep manifest: no \"runs\" list\n", path);
        json_decref(m);
        return 2;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *sl = strrchr(dir, '/');
    if (sl) *sl = 0;
    else snprintf(dir, sizeof dir, ".");
    int bad = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(m, "files"), i, e) {
        char p[PATH_MAX * 2], now[65];
        RdnErr err = {0};
        const char *n = json_string_value(json_object_get(e, "name"));
        const char *h = json_string_value(json_object_get(e, "sha256"));
        if (!n || !h) continue;
        snprintf(p, sizeof p, "%s/%s", dir, n);
        if (rdn_sha256_file(p, now, &err) != RDN_OK || strcmp(now, h) != 0) {
            printf("DIFFERS  %s (changed since the sweep, or missing)\n", n);
            bad++;
        }
    }
    int n = 0, *pick = calloc(json_array_size(runs) + 1, sizeof *pick);
    if (!pick) abort();
    json_array_foreach(runs, i, e)
        if (json_is_string(json_object_get(e, "manifest"))) pick[n++] = (int)i;
    int k = sample > 0 && sample < n ? sample : n;
    int nrep = 0, ndiff = 0;
    for (int j = 0; j < k; j++) {
        int idx = k == n ? pick[j] : pick[(int)(((double)j + 0.5) * n / k)];   /* evenly spread */
        json_t *r = json_array_get(runs, (size_t)idx);
        const char *mp = json_string_value(json_object_get(r, "manifest"));
        const char *h = json_string_value(json_object_get(r, "manifest_sha256"));
        char p[PATH_MAX * 2], hex[65] = "";
        snprintf(p, sizeof p, "%s/%s", dir, mp);
        json_t *rm = json_load_file(p, 0, &je);
        if (rm) manifest_hash(rm, hex);
        json_decref(rm);
        if (!rm || !h || strcmp(hex, h) != 0) {
            printf("DIFFERS  %s (the run's manifest changed since the sweep, or is missing)\n", mp);
            ndiff++;
            continue;
        }
        if (!quiet) printf("== %s\n", mp);
        fflush(stdout);
        int st = manifest_verify(p, exe, 1);
        if (st == 130) {
            free(pick);
            json_decref(m);
            return 130;
        }
        if (st == 0) nrep++;
        else {
            ndiff++;
            printf("DIFFERS  run %s\n", json_string_value(json_object_get(r, "folder")));
        }
    }
    printf("verify sweep: %d of %d run%s rerun: %d reproduced, %d differ%s%s\n", k, n, n == 1 ? "" : "s",
           nrep, ndiff, bad ? "; sweep files changed" : "", ndiff + bad == 0 ? " (reproduced)" : "");
    free(pick);
    json_decref(m);
    return ndiff + bad ? 1 : 0;
}
