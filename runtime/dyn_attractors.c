/* dyn_attractors.c: where a shared-weight ResNet sends each input when iterated past its depth:
 * fixed points, cycles or still moving, grouped into attractors and tabulated per class. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyn_impl.h"
#include "dynamics.h"

void rdn_attractor_defaults(AttractorOpts *o)
{
    o->steps = 200;
    o->tol = 1e-3;
    o->max_period = 8;
}

static double dist_n(const float *a, const float *b, int d)
{
    double s = 0;
    for (int j = 0; j < d; j++) {
        double e = (double)a[j] - b[j];
        s += e * e;
    }
    return sqrt(s / d);
}

typedef struct Attr {
    int kind;          /* 0 fixed, 1 cycle */
    int period;
    float *r;          /* [period, d]: the representative's last `period` residuals, newest first */
    int64_t size;
    int64_t *per_class;
} Attr;

Table *rdn_dyn_attractors(const Net *net, const Dataset *ds, const AttractorOpts *o,
                          Table **per_input, RdnErr *err)
{
    AttractorOpts def;
    if (!o) {
        rdn_attractor_defaults(&def);
        o = &def;
    }
    if (per_input) *per_input = NULL;
    if (net->kind != NET_RESNET || !net->shared)
        return rdn_err(err, "attractors: the net does not share its weights across layers, so it is "
                            "not an iterated map (use resnet(shared: true))"), NULL;
    if (!(o->tol > 0) || isinf(o->tol))
        return rdn_err(err, "attractors: tol must be a positive number, got %g", o->tol), NULL;
    if (o->max_period < 1 || o->max_period > 64)
        return rdn_err(err, "attractors: max_period must be in 1..64, got %d", o->max_period), NULL;
    if (o->steps < 0 || o->steps > 100000000)
        return rdn_err(err, "attractors: steps must be in 0..1e8, got %d", o->steps), NULL;
    if (ds->dim != net->in)
        return rdn_err(err, "attractors: the data has dimension %d but the net takes inputs of %d",
                       ds->dim, net->in), NULL;
    if (ds->n <= 0) return rdn_err(err, "attractors: the data set is empty"), NULL;
    const int d = net->width, P = o->max_period;
    const int H = 2 * P;                       /* residuals kept: r_{K-1} .. r_{K-H} */
    const int64_t K = (int64_t)net->depth + o->steps;
    if (K < H + 1)
        return rdn_err(err, "attractors: depth + steps = %lld iterations are too few to look for "
                            "cycles up to period %d (need %d)", (long long)K, P, H + 1), NULL;
    const int64_t n = ds->n;
    int k = ds->nclasses;
    for (int64_t i = 0; i < n; i++)
        if (ds->y[i] >= k) k = ds->y[i] + 1;
    if (k < 1) k = 1;

    int64_t chunk = dyn_chunk_rows((int64_t)(H + 2) * d, n);
    if (chunk > 1024) chunk = 1024;
    float *h = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "states", err);
    float *h2 = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "states", err);
    float *ring = rdn_alloc_aligned((size_t)(chunk * H * d), sizeof(float), "residual history", err);
    float *rb = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "residuals", err);
    int *kind = rdn_calloc((size_t)n, sizeof(int), "kinds", err);        /* 0 fixed 1 cycle 2 moving */
    int *period = rdn_calloc((size_t)n, sizeof(int), "periods", err);
    int64_t *which = rdn_calloc((size_t)n, sizeof(int64_t), "attractor ids", err);
    float *cur = rdn_alloc_aligned((size_t)P * d, sizeof(float), "steady residuals", err);
    Attr *at = NULL;
    int nat = 0, cap = 0;
    Table *tb = NULL, *pi = NULL;
    char **names = NULL;
    if (!h || !h2 || !ring || !rb || !kind || !period || !which || !cur) goto done;

    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        rdn_net_embed(net, ds->x + i0 * ds->dim, m, h);
        for (int64_t t = 0; t < K; t++) {
            if ((t & 63) == 0 && rdn_interrupt) {
                rdn_err_interrupted(err, "attractors: interrupted");
                goto done;
            }
            /* the last H residuals go to the ring, r_t at slot t mod H (per input [H, d]) */
            int keep = K - t <= H;
            rdn_net_layer(net, 0, h, m, h2, keep ? rb : NULL);
            if (keep)
                for (int64_t i = 0; i < m; i++)
                    memcpy(ring + (i * H + (int)(t % H)) * d, rb + i * d, (size_t)d * sizeof(float));
            float *sw = h;
            h = h2;
            h2 = sw;
        }
        /* classify: newest residual r_{K-1} is at slot (K-1) mod H; lag j: slot (K-1-j) mod H */
        for (int64_t i = 0; i < m; i++) {
            const float *R = ring + i * H * d;
#define LAG(j) (R + (int64_t)(((K - 1 - (j)) % H + H) % H) * d)
            int fixed = 1;
            for (int j = 0; j < P && fixed; j++)
                if (!(dist_n(LAG(j), LAG(j + 1), d) < o->tol)) fixed = 0;
            int per = 0;
            if (fixed) per = 1;
            else
                for (int p = 2; p <= P && !per; p++) {
                    int match = 1;
                    for (int j = 0; j < p && match; j++)
                        if (!(dist_n(LAG(j), LAG(j + p), d) < o->tol)) match = 0;
                    if (match) per = p;
                }
            int64_t g = i0 + i;
            kind[g] = fixed ? 0 : per ? 1 : 2;
            period[g] = per;
            for (int j = 0; j < (per ? per : 1); j++)
                memcpy(cur + (int64_t)j * d, LAG(j), (size_t)d * sizeof(float));
#undef LAG
            /* group: greedily, in input order, against each attractor's representative */
            which[g] = -1;
            if (kind[g] == 2) continue;
            int found = -1;
            for (int a = 0; a < nat && found < 0; a++) {
                if (at[a].kind != kind[g] || at[a].period != per) continue;
                for (int j = 0; j < per; j++)
                    if (dist_n(cur, at[a].r + (int64_t)j * d, d) < o->tol) {
                        found = a;
                        break;
                    }
            }
            if (found < 0) {
                if (nat == cap) {
                    cap = cap ? 2 * cap : 8;
                    Attr *na = realloc(at, (size_t)cap * sizeof *at);
                    if (!na) { rdn_err(err, "attractors: out of memory"); goto done; }
                    at = na;
                }
                Attr *A = &at[nat];
                memset(A, 0, sizeof *A);
                A->kind = kind[g];
                A->period = per;
                A->r = malloc((size_t)per * d * sizeof(float));
                A->per_class = calloc((size_t)k, sizeof(int64_t));
                nat++;
                if (!A->r || !A->per_class) { rdn_err(err, "attractors: out of memory"); goto done; }
                memcpy(A->r, cur, (size_t)per * d * sizeof(float));
                found = nat - 1;
            }
            which[g] = found;
            at[found].size++;
            at[found].per_class[ds->y[g]]++;
        }
    }
    /* the table */
    int ncols = 4 + k + 2;
    names = calloc((size_t)ncols, sizeof(char *));
    char *types = calloc((size_t)ncols + 1, 1);
    if (!names || !types) { free(types); rdn_err(err, "attractors: out of memory"); goto done; }
    const char *fixed_names[4] = {"attractor", "kind", "period", "size"};
    for (int c = 0; c < 4; c++) names[c] = strdup(fixed_names[c]);
    for (int c = 0; c < k; c++) {
        const char *cn = ds->class_names && c < ds->nclasses && ds->class_names[c] ? ds->class_names[c] : NULL;
        char buf[128];
        if (cn) snprintf(buf, sizeof buf, "class_%s", cn);
        else snprintf(buf, sizeof buf, "class_%d", c);
        names[4 + c] = strdup(buf);
    }
    names[4 + k] = strdup("residual_norm");
    names[5 + k] = strdup("residual_mean");
    for (int c = 0; c < ncols; c++) {
        types[c] = c == 1 ? 's' : 'n';
        if (!names[c]) { free(types); rdn_err(err, "attractors: out of memory"); goto done; }
    }
    tb = rdn_table_new(ncols, (const char *const *)names, types, err);
    free(types);
    if (!tb) goto done;
    double *row = calloc((size_t)ncols, sizeof(double));
    const char **srow = calloc((size_t)ncols, sizeof(char *));
    if (!row || !srow) { free(row); free(srow); rdn_err(err, "attractors: out of memory"); goto done; }
    int64_t moving = 0;
    for (int64_t g = 0; g < n; g++) moving += kind[g] == 2;
    int rows = nat + (moving ? 1 : 0);
    for (int a = 0; a < rows; a++) {
        memset(row, 0, (size_t)ncols * sizeof(double));
        row[0] = a + 1;
        if (a < nat) {
            Attr *A = &at[a];
            srow[1] = A->kind == 0 ? "fixed" : "cycle";
            row[2] = A->period;
            row[3] = (double)A->size;
            for (int c = 0; c < k; c++) row[4 + c] = (double)A->per_class[c];
            double nrm = 0, mean = 0;   /* averaged over the cycle's phases (one for a fixed point) */
            for (int j = 0; j < A->period; j++) {
                double s = 0, sm = 0;
                for (int u = 0; u < d; u++) {
                    double v = A->r[(int64_t)j * d + u];
                    s += v * v;
                    sm += v;
                }
                nrm += sqrt(s);
                mean += sm / d;
            }
            row[4 + k] = nrm / A->period;
            row[5 + k] = mean / A->period;
        } else {
            srow[1] = "moving";
            row[2] = NAN;
            row[3] = (double)moving;
            for (int64_t g = 0; g < n; g++)
                if (kind[g] == 2) row[4 + ds->y[g]] += 1;
            row[4 + k] = NAN;
            row[5 + k] = NAN;
        }
        if (rdn_table_push(tb, row, srow, err)) {
            free(row);
            free(srow);
            rdn_table_free(tb);
            tb = NULL;
            goto done;
        }
    }
    free(row);
    free(srow);
    if (per_input) {
        const char *pn[5] = {"input", "label", "attractor", "kind", "period"};
        pi = rdn_table_new(5, pn, "nnnsn", err);
        if (!pi) goto fail_tb;
        for (int64_t g = 0; g < n; g++) {
            double pr[5] = {(double)g, ds->y[g], which[g] >= 0 ? which[g] + 1 : (double)(nat + 1), 0,
                            kind[g] == 2 ? NAN : period[g]};
            const char *ps[5] = {0, 0, 0, kind[g] == 0 ? "fixed" : kind[g] == 1 ? "cycle" : "moving", 0};
            if (rdn_table_push(pi, pr, ps, err)) goto fail_tb;
        }
        *per_input = pi;
        pi = NULL;
    }
    goto done;
fail_tb:
    rdn_table_free(tb);
    tb = NULL;
done:
    if (names)
        for (int c = 0; c < 4 + k + 2; c++) free(names[c]);
    free(names);
    rdn_table_free(pi);
    for (int a = 0; a < nat; a++) {
        free(at[a].r);
        free(at[a].per_class);
    }
    free(at);
    free(h);
    free(h2);
    free(ring);
    free(rb);
    free(kind);
    free(period);
    free(which);
    free(cur);
    return tb;
}
