/* dynamics.c: every measure of dynamics.h. Sums are taken in double; inputs are processed in
 * chunks so that memory stays bounded by the chunk, not by n. */
#include "dynamics.h"
#include "rmath.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_FLOATS ((int64_t)4 << 20)   /* ~16 MB per chunk buffer */

static int64_t chunk_rows(int64_t row_floats, int64_t n)
{
    int64_t m = CHUNK_FLOATS / (row_floats > 0 ? row_floats : 1);
    if (m < 16) m = 16;
    return m > n ? (n > 0 ? n : 1) : m;
}

static Tensor *tensor1(int64_t a, RdnErr *err) { return rdn_tensor_new(1, &a, err); }
static Tensor *tensor2(int64_t a, int64_t b, RdnErr *err)
{
    int64_t s[2] = {a, b};
    return rdn_tensor_new(2, s, err);
}

static int not_summary(const Recording *r, const char *who, RdnErr *err)
{
    if (r->keep == KEEP_SUMMARY)
        return rdn_err(err, "%s: the recording keeps only a summary (keep: \"summary\"); its per-class "
                            "statistics are rec.norm_mean, rec.norm_var, rec.change_mean, "
                            "rec.state_mean, rec.state_var; record with keep: \"both\" for per-input "
                            "measures", who);
    return 0;
}

/* ---------------------------------------------------------------- transients */

Tensor *rdn_dyn_residual_norms(const Recording *r, RdnErr *err)
{
    if (not_summary(r, "residual_norms", err)) return NULL;
    Tensor *t = tensor2(r->n, r->T, err);
    if (t) memcpy(t->data, r->rho, (size_t)(r->n * r->T) * sizeof(float));
    return t;
}

Tensor *rdn_dyn_residual_change(const Recording *r, RdnErr *err)
{
    if (not_summary(r, "residual_change", err)) return NULL;
    int m = r->T - 1;
    Tensor *t = tensor2(r->n, m, err);
    if (t && m > 0) memcpy(t->data, r->delta, (size_t)(r->n * m) * sizeof(float));
    return t;
}

int rdn_dyn_converged_layer(const float *delta, int T, double tol)
{
    int t = T - 1;                 /* deltas are 0..T-2; t = T-1 means "none below tol yet" */
    while (t > 0 && delta[t - 1] < tol) t--;
    if (T >= 2 && t == T - 1) return -1;
    return T >= 2 ? t : 0;
}

Tensor *rdn_dyn_converged_at(const Recording *r, double tol, RdnErr *err)
{
    if (not_summary(r, "converged_at", err)) return NULL;
    if (!(tol > 0) || isinf(tol))
        return rdn_err(err, "converged_at: tol must be a positive number, got %g", tol), NULL;
    Tensor *t = tensor1(r->n, err);
    if (!t) return NULL;
    for (int64_t i = 0; i < r->n; i++)
        t->data[i] = (float)rdn_dyn_converged_layer(r->delta + i * (r->T > 1 ? r->T - 1 : 0), r->T, tol);
    return t;
}

int rdn_dyn_integral_error(const Recording *r, double *out, RdnErr *err)
{
    if (not_summary(r, "integral_error", err)) return -1;
    *out = r->integral_error;
    return 0;
}

int rdn_dyn_check_shape(const Net *net, const Recording *r, const char *who, RdnErr *err)
{
    if (net->kind != r->kind || net->in != r->in || net->width != r->d || net->depth != r->T)
        return rdn_err(err, "%s: the recording comes from a %s of in %d, width %d, depth %d, but the "
                            "net is a %s of in %d, width %d, depth %d",
                       who, rdn_net_kind_name(r->kind), r->in, r->d, r->T,
                       rdn_net_kind_name(net->kind), net->in, net->width, net->depth);
    return 0;
}

static int argmax_row(const float *l, int k)
{
    int best = 0;
    for (int c = 1; c < k; c++)
        if (l[c] > l[best]) best = c;
    return best;
}

/* Head on layer t of states S [m, T+1, d]: counts correct predictions into correct[t]. */
static int head_layers(const Net *net, const float *S, const int32_t *y, int64_t m, int T,
                       int64_t *correct, float *h, float *logits)
{
    const int d = net->width, k = net->classes;
    for (int t = 0; t <= T; t++) {
        for (int64_t i = 0; i < m; i++)
            memcpy(h + i * d, S + (i * (T + 1) + t) * d, (size_t)d * sizeof(float));
        rdn_net_head(net, h, m, logits);
        for (int64_t i = 0; i < m; i++) correct[t] += argmax_row(logits + i * k, k) == y[i];
    }
    return 0;
}

static Table *layer_table(const char *c1, const char *c2, const char *c3, int rows,
                          const double *v2, const double *v3, RdnErr *err)
{
    const char *names[3] = {c1, c2, c3};
    Table *tb = rdn_table_new(c3 ? 3 : 2, names, NULL, err);
    if (!tb) return NULL;
    for (int t = 0; t < rows; t++) {
        double row[3] = {t, v2[t], c3 ? v3[t] : 0};
        if (rdn_table_push(tb, row, NULL, err)) {
            rdn_table_free(tb);
            return NULL;
        }
    }
    return tb;
}

static Table *acc_common(const Net *net, const Dataset *ds, const Recording *rec, RdnErr *err)
{
    const int T = net->depth, d = net->width;
    const int64_t n = ds ? ds->n : rec->n;
    const int64_t srow = (int64_t)(T + 1) * d;
    int64_t chunk = chunk_rows(srow, n);
    float *S = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "state buffer", err);
    float *h = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "state buffer", err);
    float *lg = rdn_alloc_aligned((size_t)(chunk * net->classes), sizeof(float), "logits", err);
    int64_t *correct = rdn_calloc((size_t)T + 1, sizeof(int64_t), "counts", err);
    double *acc = rdn_calloc((size_t)T + 1, sizeof(double), "accuracies", err);
    Table *tb = NULL;
    if (!S || !h || !lg || !correct || !acc) goto done;
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        if (rdn_interrupt) {
            rdn_err_interrupted(err, "accuracy_by_layer: interrupted");
            goto done;
        }
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        const float *St;
        const int32_t *y;
        if (ds) {
            if (rdn_net_forward(net, ds->x + i0 * ds->dim, m, NULL, S, NULL, err)) goto done;
            St = S;
            y = ds->y + i0;
        } else {
            St = rdn_record_rows(rec, 0, i0, m, S, err);
            if (!St) goto done;
            y = rec->labels + i0;
        }
        head_layers(net, St, y, m, T, correct, h, lg);
    }
    for (int t = 0; t <= T; t++) acc[t] = (double)correct[t] / (double)n;
    tb = layer_table("layer", "accuracy", NULL, T + 1, acc, NULL, err);
done:
    free(S);
    free(h);
    free(lg);
    free(correct);
    free(acc);
    return tb;
}

Table *rdn_dyn_accuracy_by_layer(const Net *net, const Dataset *d, RdnErr *err)
{
    if (d->dim != net->in)
        return rdn_err(err, "accuracy_by_layer: the data has dimension %d but the net takes inputs of %d",
                       d->dim, net->in), NULL;
    if (d->n <= 0) return rdn_err(err, "accuracy_by_layer: the data set is empty"), NULL;
    return acc_common(net, d, NULL, err);
}

Table *rdn_dyn_accuracy_by_layer_rec(const Net *net, const Recording *r, RdnErr *err)
{
    if (rdn_dyn_check_shape(net, r, "accuracy_by_layer", err)) return NULL;
    if (!rdn_record_has(r, 0))
        return rdn_err(err, "accuracy_by_layer: the recording does not keep the states (keep: \"%s\"); "
                            "pass the data set instead, or record with keep: \"states\" or \"both\"",
                       rdn_record_keep_name(r->keep)), NULL;
    return acc_common(net, NULL, r, err);
}

/* ---------------------------------------------------------------- separability */

Table *rdn_dyn_separability(const Recording *r, int of_resid, RdnErr *err)
{
    if (not_summary(r, "separability", err)) return NULL;
    if (!rdn_record_has(r, of_resid))
        return rdn_err(err, "separability: the recording does not keep the %s (keep: \"%s\"); record "
                            "with keep: \"%s\" or \"both\", or use of: \"%s\"",
                       of_resid ? "residuals" : "states", rdn_record_keep_name(r->keep),
                       of_resid ? "residuals" : "states", of_resid ? "states" : "residuals"), NULL;
    const int L = of_resid ? r->T : r->T + 1, d = r->d, k = r->nclasses;
    const int64_t n = r->n, row = (int64_t)L * d;
    int64_t chunk = chunk_rows(row, n);
    float *buf = r->streamed ? rdn_alloc_aligned((size_t)(chunk * row), sizeof(float), "buffer", err)
                             : NULL;
    double *mu = rdn_calloc((size_t)k * (size_t)row, sizeof(double), "class means", err);
    double *gm = rdn_calloc((size_t)row, sizeof(double), "mean", err);
    int64_t *cnt = rdn_calloc((size_t)k, sizeof(int64_t), "counts", err);
    double *sw = rdn_calloc((size_t)L, sizeof(double), "scatter", err);
    double *sb = rdn_calloc((size_t)L, sizeof(double), "scatter", err);
    double *acc = rdn_calloc((size_t)L, sizeof(double), "accuracy", err);
    double *fis = rdn_calloc((size_t)L, sizeof(double), "fisher", err);
    int64_t *ok = rdn_calloc((size_t)L, sizeof(int64_t), "counts", err);
    Table *tb = NULL;
    if ((r->streamed && !buf) || !mu || !gm || !cnt || !sw || !sb || !acc || !fis || !ok) goto done;
    /* pass 1: class means (sums, then divided) */
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        const float *X = rdn_record_rows(r, of_resid, i0, m, buf, err);
        if (!X) goto done;
        for (int64_t i = 0; i < m; i++) {
            int c = r->labels[i0 + i];
            cnt[c]++;
            double *mc = mu + (int64_t)c * row;
            const float *x = X + i * row;
            for (int64_t j = 0; j < row; j++) mc[j] += x[j];
        }
    }
    for (int c = 0; c < k; c++)
        for (int64_t j = 0; j < row; j++) {
            gm[j] += mu[(int64_t)c * row + j];
            if (cnt[c]) mu[(int64_t)c * row + j] /= (double)cnt[c];
        }
    for (int64_t j = 0; j < row; j++) gm[j] /= (double)n;
    for (int t = 0; t < L; t++)
        for (int c = 0; c < k; c++) {
            if (!cnt[c]) continue;
            double s = 0;
            for (int j = 0; j < d; j++) {
                double e = mu[(int64_t)c * row + (int64_t)t * d + j] - gm[(int64_t)t * d + j];
                s += e * e;
            }
            sb[t] += (double)cnt[c] * s;
        }
    /* pass 2: within-class scatter and nearest-class-mean predictions */
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        if (rdn_interrupt) {
            rdn_err_interrupted(err, "separability: interrupted");
            goto done;
        }
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        const float *X = rdn_record_rows(r, of_resid, i0, m, buf, err);
        if (!X) goto done;
        for (int64_t i = 0; i < m; i++) {
            int y = r->labels[i0 + i];
            for (int t = 0; t < L; t++) {
                const float *x = X + i * row + (int64_t)t * d;
                int best = -1;
                double bestd = INFINITY;
                for (int c = 0; c < k; c++) {
                    if (!cnt[c]) continue;
                    const double *mc = mu + (int64_t)c * row + (int64_t)t * d;
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        double e = x[j] - mc[j];
                        s += e * e;
                    }
                    if (c == y) sw[t] += s;
                    if (s < bestd || best < 0) {
                        bestd = s;
                        best = c;
                    }
                }
                ok[t] += best == y;
            }
        }
    }
    for (int t = 0; t < L; t++) {
        acc[t] = (double)ok[t] / (double)n;
        fis[t] = sw[t] > 0 ? sb[t] / sw[t] : (sb[t] > 0 ? INFINITY : NAN);
    }
    tb = layer_table("layer", "accuracy", "fisher", L, acc, fis, err);
done:
    free(buf);
    free(mu);
    free(gm);
    free(cnt);
    free(sw);
    free(sb);
    free(acc);
    free(fis);
    free(ok);
    return tb;
}

/* ---------------------------------------------------------------- attractors */

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

    int64_t chunk = chunk_rows((int64_t)(H + 2) * d, n);
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

/* ---------------------------------------------------------------- local dynamics */

/* sigma'(z); relu'(0) is taken as 0. */
static double act_df(Act a, double z)
{
    switch (a) {
    case ACT_LOGISTIC: {
        double s = rdn_sigmoid(z);
        return s * (1 - s);
    }
    case ACT_TANH: {
        double t = rdn_tanh(z);
        return 1 - t * t;
    }
    case ACT_RELU: return z > 0 ? 1 : 0;
    }
    return NAN;
}

Tensor *rdn_dyn_jacobian(const Net *net, const float *h, int layer, RdnErr *err)
{
    const int d = net->width;
    if (layer < 0 || (!(net->kind == NET_RESNET && net->shared) && layer >= net->depth))
        return rdn_err(err, "jacobian: layer must be in 0..%d, got %d", net->depth - 1, layer), NULL;
    for (int j = 0; j < d; j++)
        if (!isfinite(h[j])) return rdn_err(err, "jacobian: the state has a non-finite entry at %d", j), NULL;
    const float *W = rdn_net_W(net, layer), *b = rdn_net_b(net, layer);
    Tensor *J = tensor2(d, d, err);
    if (!J) return NULL;
    for (int i = 0; i < d; i++) {
        double z = b[i];
        for (int j = 0; j < d; j++) z += (double)W[(int64_t)i * d + j] * h[j];
        double g = act_df(net->act, z);
        if (net->kind == NET_RESNET) g *= net->step;
        for (int j = 0; j < d; j++)
            J->data[(int64_t)i * d + j] = (float)(g * W[(int64_t)i * d + j] +
                                                  (net->kind == NET_RESNET && i == j ? 1.0 : 0.0));
    }
    return J;
}

/* LAPACK (Fortran symbol exported by OpenBLAS; lapacke.h is not needed). */
extern void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda,
                   double *wr, double *wi, double *vl, const int *ldvl, double *vr, const int *ldvr,
                   double *work, const int *lwork, int *info, size_t len_jobvl, size_t len_jobvr);

typedef struct EigV { double re, im, mag; } EigV;
static int eig_cmp(const void *pa, const void *pb)
{
    const EigV *a = pa, *b = pb;
    if (a->mag != b->mag) return a->mag > b->mag ? -1 : 1;
    if (a->re != b->re) return a->re > b->re ? -1 : 1;
    if (a->im != b->im) return a->im > b->im ? -1 : 1;
    return 0;
}

Tensor *rdn_dyn_eig(const Tensor *m, RdnErr *err)
{
    if (m->ndim != 2 || m->shape[0] != m->shape[1] || m->shape[0] < 1)
        return rdn_err(err, "eig: expected a square matrix [n, n], got a tensor of %d dimension(s)%s",
                       m->ndim, m->ndim == 2 ? " that is not square" : ""), NULL;
    if (m->shape[0] > 8192) return rdn_err(err, "eig: matrix too large (%lld)", (long long)m->shape[0]), NULL;
    const int n = (int)m->shape[0];
    for (int64_t i = 0; i < m->size; i++)
        if (!isfinite(m->data[i])) return rdn_err(err, "eig: the matrix has a non-finite entry (NaN or Inf)"), NULL;
    /* dgeev is column-major: passing the row-major data gives A^T, whose eigenvalues are A's */
    double *a = rdn_calloc((size_t)n * n, sizeof(double), "eig matrix", err);
    double *wr = rdn_calloc((size_t)n, sizeof(double), "eigenvalues", err);
    double *wi = rdn_calloc((size_t)n, sizeof(double), "eigenvalues", err);
    EigV *v = rdn_calloc((size_t)n, sizeof(EigV), "eigenvalues", err);
    double *work = NULL;
    Tensor *out = NULL;
    if (!a || !wr || !wi || !v) goto done;
    for (int64_t i = 0; i < (int64_t)n * n; i++) a[i] = m->data[i];
    int lwork = -1, info = 0, one = 1;
    double wq = 0, dummy = 0;
    dgeev_("N", "N", &n, a, &n, wr, wi, &dummy, &one, &dummy, &one, &wq, &lwork, &info, 1, 1);
    if (info != 0) { rdn_err(err, "eig: LAPACK workspace query failed (info %d)", info); goto done; }
    lwork = (int)wq;
    if (lwork < 4 * n) lwork = 4 * n;
    work = rdn_calloc((size_t)lwork, sizeof(double), "eig workspace", err);
    if (!work) goto done;
    dgeev_("N", "N", &n, a, &n, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info, 1, 1);
    if (info != 0) {
        rdn_err(err, "eig: LAPACK dgeev did not converge (info %d)", info);
        goto done;
    }
    for (int i = 0; i < n; i++) v[i] = (EigV){wr[i], wi[i], sqrt(wr[i] * wr[i] + wi[i] * wi[i])};
    qsort(v, (size_t)n, sizeof *v, eig_cmp);
    out = tensor2(n, 2, err);
    if (!out) goto done;
    for (int i = 0; i < n; i++) {
        out->data[2 * i] = (float)v[i].re;
        out->data[2 * i + 1] = (float)v[i].im;
    }
done:
    free(a);
    free(wr);
    free(wi);
    free(v);
    free(work);
    return out;
}

Tensor *rdn_dyn_growth_rate(const Net *net, const Dataset *ds, int dirs, uint64_t seed, RdnErr *err)
{
    if (ds->dim != net->in)
        return rdn_err(err, "growth_rate: the data has dimension %d but the net takes inputs of %d",
                       ds->dim, net->in), NULL;
    if (ds->n <= 0) return rdn_err(err, "growth_rate: the data set is empty"), NULL;
    if (dirs < 1 || dirs > 1024) return rdn_err(err, "growth_rate: dirs must be in 1..1024, got %d", dirs), NULL;
    const int d = net->width, T = net->depth, q = dirs;
    const int64_t n = ds->n, srow = (int64_t)(T + 1) * d;
    int64_t chunk = chunk_rows(srow + (int64_t)2 * q * d, n);
    if (chunk > 256) chunk = 256;
    float *S = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "states", err);
    float *U = rdn_alloc_aligned((size_t)(chunk * q * d), sizeof(float), "directions", err);
    float *V = rdn_alloc_aligned((size_t)(chunk * q * d), sizeof(float), "directions", err);
    float *Z = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "pre-activations", err);
    float *H = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "states", err);
    double *acc = rdn_calloc((size_t)(chunk * q), sizeof(double), "log growth", err);
    Tensor *out = NULL, *res = tensor1(n, err);
    if (!S || !U || !V || !Z || !H || !acc || !res) goto done;
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        if (rdn_interrupt) {
            rdn_err_interrupted(err, "growth_rate: interrupted");
            goto done;
        }
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        if (rdn_net_forward(net, ds->x + i0 * ds->dim, m, NULL, S, NULL, err)) goto done;
        for (int64_t i = 0; i < m; i++) {
            RdnRng rng;
            rdn_rng_derive(&rng, seed, (uint64_t)(i0 + i), 0);
            for (int j = 0; j < q; j++) {
                float *u = U + (i * q + j) * d;
                double s = 0;
                for (int e = 0; e < d; e++) {
                    u[e] = (float)rdn_rng_normal(&rng);
                    s += (double)u[e] * u[e];
                }
                double inv = s > 0 ? 1 / sqrt(s) : 0;
                for (int e = 0; e < d; e++) u[e] = (float)(u[e] * inv);
                acc[i * q + j] = 0;
            }
        }
        for (int t = 0; t < T; t++) {
            const float *W = rdn_net_W(net, t), *b = rdn_net_b(net, t);
            for (int64_t i = 0; i < m; i++)
                memcpy(H + i * d, S + (i * (T + 1) + t) * d, (size_t)d * sizeof(float));
            /* Z [m, d] = H W^T + b; V [m q, d] = U W^T */
            rdn_sgemm(0, 1, (int)m, d, d, 1.0f, H, d, W, d, 0.0f, Z, d);
            rdn_sgemm(0, 1, (int)(m * q), d, d, 1.0f, U, d, W, d, 0.0f, V, d);
            for (int64_t i = 0; i < m; i++) {
                float *z = Z + i * d;
                for (int e = 0; e < d; e++) {
                    double g = act_df(net->act, (double)z[e] + b[e]);
                    z[e] = (float)(net->kind == NET_RESNET ? net->step * g : g);
                }
                for (int j = 0; j < q; j++) {
                    float *u = U + (i * q + j) * d, *v = V + (i * q + j) * d;
                    double s = 0;
                    for (int e = 0; e < d; e++) {
                        double x = (double)z[e] * v[e] + (net->kind == NET_RESNET ? u[e] : 0.0);
                        u[e] = (float)x;
                        s += x * x;
                    }
                    double nrm = sqrt(s);
                    acc[i * q + j] += rdn_log(nrm);
                    double inv = nrm > 0 ? 1 / nrm : 0;
                    for (int e = 0; e < d; e++) u[e] = (float)(u[e] * inv);
                }
            }
        }
        for (int64_t i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < q; j++) s += acc[i * q + j];
            res->data[i0 + i] = (float)(s / q / T);
        }
    }
    out = res;
    res = NULL;
done:
    rdn_tensor_free(res);
    free(S);
    free(U);
    free(V);
    free(Z);
    free(H);
    free(acc);
    return out;
}

/* ---------------------------------------------------------------- noise */

uint64_t rdn_dyn_trial_seed(uint64_t seed, int trial)
{
    if (trial == 0) return seed;
    RdnRng r;
    rdn_rng_derive(&r, seed, 0x747269616cull /* "trial" */, (uint64_t)trial);
    return rdn_rng_u64(&r);
}

/* The smallest and largest entry of the data (salt-and-pepper values, as perturb() uses). */
static void data_range(const Dataset *d, float *lo, float *hi)
{
    *lo = *hi = 0;
    size_t total = (size_t)d->n * d->dim;
    for (size_t i = 0; i < total; i++) {
        if (i == 0 || d->x[i] < *lo) *lo = d->x[i];
        if (i == 0 || d->x[i] > *hi) *hi = d->x[i];
    }
}

static int check_noise(const Net *net, const Dataset *ds, double sigma, int trials,
                       int kind, const char *who, RdnErr *err)
{
    if (ds->dim != net->in)
        return rdn_err(err, "%s: the data has dimension %d but the net takes inputs of %d", who,
                       ds->dim, net->in);
    if (ds->n <= 0) return rdn_err(err, "%s: the data set is empty", who);
    if (!(sigma >= 0) || isinf(sigma))
        return rdn_err(err, "%s: sigma must be a number >= 0, got %g", who, sigma);
    if (kind == RDN_NOISE_SALTPEPPER && sigma > 1)
        return rdn_err(err, "%s: for kind \"saltpepper\" sigma is a probability (0..1), got %g", who, sigma);
    if (trials < 1 || trials > 1000000)
        return rdn_err(err, "%s: trials must be in 1..1000000, got %d", who, trials);
    return 0;
}

Table *rdn_dyn_noise_evolution(const Net *net, const Dataset *ds, double sigma, int trials,
                               int kind, uint64_t seed, RdnErr *err)
{
    if (check_noise(net, ds, sigma, trials, kind, "noise_evolution", err)) return NULL;
    float lo, hi;
    data_range(ds, &lo, &hi);
    const int d = net->width, T = net->depth, D = ds->dim;
    const int64_t n = ds->n, srow = (int64_t)(T + 1) * d;
    int64_t chunk = chunk_rows(2 * srow + D, n);
    float *S = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "states", err);
    float *P = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "states", err);
    float *X = rdn_alloc_aligned((size_t)(chunk * D), sizeof(float), "inputs", err);
    double *dist = rdn_calloc((size_t)T + 1, sizeof(double), "distances", err);
    double *amp = rdn_calloc((size_t)T + 1, sizeof(double), "amplification", err);
    double *e = rdn_calloc((size_t)T + 1, sizeof(double), "distances", err);
    int64_t namp = 0;
    Table *tb = NULL;
    if (!S || !P || !X || !dist || !amp || !e) goto done;
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        if (rdn_net_forward(net, ds->x + i0 * D, m, NULL, S, NULL, err)) goto done;
        for (int tr = 0; tr < trials; tr++) {
            if (rdn_interrupt) {
                rdn_err_interrupted(err, "noise_evolution: interrupted");
                goto done;
            }
            memcpy(X, ds->x + i0 * D, (size_t)(m * D) * sizeof(float));
            if (sigma != 0)
                rdn_data_perturb_rows(X, m, D, i0, kind, sigma, lo, hi, rdn_dyn_trial_seed(seed, tr));
            if (rdn_net_forward(net, X, m, NULL, P, NULL, err)) goto done;
            for (int64_t i = 0; i < m; i++) {
                for (int t = 0; t <= T; t++) {
                    const float *a = S + i * srow + (int64_t)t * d, *b = P + i * srow + (int64_t)t * d;
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        double q = (double)b[j] - a[j];
                        s += q * q;
                    }
                    e[t] = sqrt(s);
                    dist[t] += e[t];
                }
                if (e[0] > 0) {
                    namp++;
                    for (int t = 0; t <= T; t++) amp[t] += e[t] / e[0];
                }
            }
        }
    }
    double tot = (double)n * trials;
    for (int t = 0; t <= T; t++) {
        dist[t] /= tot;
        amp[t] = namp ? amp[t] / (double)namp : NAN;
    }
    tb = layer_table("layer", "distance", "amplification", T + 1, dist, amp, err);
done:
    free(S);
    free(P);
    free(X);
    free(dist);
    free(amp);
    free(e);
    return tb;
}

Table *rdn_dyn_robustness(const Net *net, const Dataset *ds, const double *sigmas, int nsigmas,
                          int trials, int kind, uint64_t seed, RdnErr *err)
{
    if (nsigmas < 1) return rdn_err(err, "robustness: sigmas is empty"), NULL;
    for (int s = 0; s < nsigmas; s++)
        if (check_noise(net, ds, sigmas[s], trials, kind, "robustness", err)) return NULL;
    float lo, hi;
    data_range(ds, &lo, &hi);
    const int D = ds->dim;
    const int64_t n = ds->n;
    int64_t chunk = chunk_rows(D + net->classes, n);
    if (chunk > 4096) chunk = 4096;
    Dataset *cd = rdn_dataset_new(chunk, D, ds->nclasses, err);
    int32_t *pred = rdn_calloc((size_t)chunk, sizeof(int32_t), "predictions", err);
    double *acc = rdn_calloc((size_t)nsigmas, sizeof(double), "accuracies", err);
    const char *names[2] = {"sigma", "accuracy"};
    Table *tb = NULL;
    if (!cd || !pred || !acc) goto done;
    for (int s = 0; s < nsigmas; s++) {
        int ntr = sigmas[s] == 0 ? 1 : trials;   /* no noise: every trial is the same */
        int64_t correct = 0;
        for (int tr = 0; tr < ntr; tr++)
            for (int64_t i0 = 0; i0 < n; i0 += chunk) {
                if (rdn_interrupt) {
                    rdn_err_interrupted(err, "robustness: interrupted");
                    goto done;
                }
                int64_t m = n - i0 < chunk ? n - i0 : chunk;
                cd->n = m;
                memcpy(cd->x, ds->x + i0 * D, (size_t)(m * D) * sizeof(float));
                memcpy(cd->y, ds->y + i0, (size_t)m * sizeof(int32_t));
                if (sigmas[s] != 0)
                    rdn_data_perturb_rows(cd->x, m, D, i0, kind, sigmas[s], lo, hi,
                                          rdn_dyn_trial_seed(seed, tr));
                if (rdn_net_predict(net, cd, pred, err)) goto done;
                for (int64_t i = 0; i < m; i++) correct += pred[i] == cd->y[i];
            }
        acc[s] = (double)correct / ((double)n * ntr);
    }
    tb = rdn_table_new(2, names, NULL, err);
    if (!tb) goto done;
    for (int s = 0; s < nsigmas; s++) {
        double row[2] = {sigmas[s], acc[s]};
        if (rdn_table_push(tb, row, NULL, err)) {
            rdn_table_free(tb);
            tb = NULL;
            goto done;
        }
    }
done:
    if (cd) cd->n = chunk;
    rdn_dataset_free(cd);
    free(pred);
    free(acc);
    return tb;
}
