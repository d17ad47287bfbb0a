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
    o->radius = 0;
}

const char *rdn_attractor_kind_name(AttractorKind k)
{
    return k == ATTRACTOR_FIXED ? "fixed" : k == ATTRACTOR_CYCLE ? "cycle" : "moving";
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

/* One attractor found: a fixed point or a cycle (moving inputs form no attractor). */
typedef struct Attr {
    AttractorKind kind;
    int period;
    float *r;          /* [period, d]: the representative's last `period` residuals, newest first */
    int64_t size;
    int64_t *per_class;  /* [k] */
    double *csum;        /* [d]: sum over the members of their phase-averaged residuals */
} Attr;

/* The workspace of one rdn_dyn_attractors call; attr_ws_free frees it all. */
typedef struct AttrWs {
    const Net *net;
    const Dataset *ds;
    const AttractorOpts *o;
    int d, P, H, k;            /* width, longest period, residuals kept (2P), classes */
    int64_t K, n, chunk;       /* iterations (depth + steps), inputs, inputs per chunk */
    float *h, *h2;             /* [chunk, d] states */
    float *ring;               /* [chunk, H, d]: the last H residuals, r_t at slot t mod H */
    float *rb;                 /* [chunk, d]: one layer's residuals */
    float *cur;                /* [P, d]: the input being grouped, its last residuals, newest first */
    AttractorKind *kind;       /* [n] */
    int *period;               /* [n]: 0 when moving */
    int64_t *which;            /* [n]: attractor index, -1 when moving */
    float *steady;             /* [n, d]: each input's last residual r_{K-1} */
    double radius;             /* grouping distance (o->radius, or tol when 0) */
    Attr *at;                  /* [nat] */
    int nat, cap;
} AttrWs;

static void attr_ws_free(AttrWs *W)
{
    for (int a = 0; a < W->nat; a++) {
        free(W->at[a].r);
        free(W->at[a].per_class);
        free(W->at[a].csum);
    }
    free(W->at);
    free(W->h);
    free(W->h2);
    free(W->ring);
    free(W->rb);
    free(W->cur);
    free(W->kind);
    free(W->period);
    free(W->which);
    free(W->steady);
}

static int attr_check(const Net *net, const Dataset *ds, const AttractorOpts *o, RdnErr *err)
{
    if (net->kind != NET_RESNET || !net->shared)
        return rdn_err(err, "attractors: the net does not share its weights across layers, so it is "
                            "not an iterated map (use resnet(shared: true))");
    if (!(o->tol > 0) || isinf(o->tol))
        return rdn_err(err, "attractors: tol must be a positive number, got %g", o->tol);
    if (!(o->radius >= 0) || isinf(o->radius))
        return rdn_err(err, "attractors: radius must be a positive number, got %g", o->radius);
    if (o->max_period < 1 || o->max_period > 64)
        return rdn_err(err, "attractors: max_period must be in 1..64, got %d", o->max_period);
    if (o->steps < 0 || o->steps > 100000000)
        return rdn_err(err, "attractors: steps must be in 0..1e8, got %d", o->steps);
    if (ds->dim != net->in)
        return rdn_err(err, "attractors: the data has dimension %d but the net takes inputs of %d",
                       ds->dim, net->in);
    if (ds->n <= 0) return rdn_err(err, "attractors: the data set is empty");
    int64_t K = (int64_t)net->depth + o->steps;
    if (K < 2 * o->max_period + 1)
        return rdn_err(err, "attractors: depth + steps = %lld iterations are too few to look for "
                            "cycles up to period %d (need %d)", (long long)K, o->max_period,
                       2 * o->max_period + 1);
    return 0;
}

static int attr_ws_init(AttrWs *W, const Net *net, const Dataset *ds, const AttractorOpts *o,
                        RdnErr *err)
{
    W->net = net;
    W->ds = ds;
    W->o = o;
    W->d = net->width;
    W->P = o->max_period;
    W->H = 2 * W->P;                       /* residuals kept: r_{K-1} .. r_{K-H} */
    W->K = (int64_t)net->depth + o->steps;
    W->n = ds->n;
    W->k = ds->nclasses;
    for (int64_t i = 0; i < W->n; i++)
        if (ds->y[i] >= W->k) W->k = ds->y[i] + 1;
    if (W->k < 1) W->k = 1;
    const int d = W->d;
    W->chunk = dyn_chunk_rows((int64_t)(W->H + 2) * d, W->n);
    if (W->chunk > 1024) W->chunk = 1024;
    const size_t cd = (size_t)(W->chunk * d);
    W->h = rdn_alloc_aligned(cd, sizeof(float), "states", err);
    W->h2 = rdn_alloc_aligned(cd, sizeof(float), "states", err);
    W->ring = rdn_alloc_aligned(cd * (size_t)W->H, sizeof(float), "residual history", err);
    W->rb = rdn_alloc_aligned(cd, sizeof(float), "residuals", err);
    W->kind = rdn_calloc((size_t)W->n, sizeof *W->kind, "kinds", err);
    W->period = rdn_calloc((size_t)W->n, sizeof(int), "periods", err);
    W->which = rdn_calloc((size_t)W->n, sizeof(int64_t), "attractor ids", err);
    W->cur = rdn_alloc_aligned((size_t)W->P * d, sizeof(float), "steady residuals", err);
    W->steady = W->cur ? rdn_alloc_aligned((size_t)W->n, (size_t)d * sizeof(float), "steady states", err) : NULL;
    W->radius = o->radius > 0 ? o->radius : o->tol;
    return W->h && W->h2 && W->ring && W->rb && W->kind && W->period && W->which && W->cur &&
           W->steady ? 0 : -1;
}

/* Iterate: inputs i0 .. i0+m-1 through K layers of the shared map, keeping the last H residuals
 * of each in the ring. -1 when interrupted. */
static int attr_iterate(AttrWs *W, int64_t i0, int64_t m, RdnErr *err)
{
    const int d = W->d, H = W->H;
    rdn_net_embed(W->net, W->ds->x + i0 * W->ds->dim, m, W->h);
    for (int64_t t = 0; t < W->K; t++) {
        if ((t & 63) == 0 && rdn_interrupt)
            return rdn_err_interrupted(err, "attractors: interrupted");
        int keep = W->K - t <= H;
        rdn_net_layer(W->net, 0, W->h, m, W->h2, keep ? W->rb : NULL);
        if (keep)
            for (int64_t i = 0; i < m; i++)
                memcpy(W->ring + (i * H + (int)(t % H)) * d, W->rb + i * d,
                       (size_t)d * sizeof(float));
        float *sw = W->h;
        W->h = W->h2;
        W->h2 = sw;
    }
    return 0;
}

/* Classify input g (row i of the chunk): fixed when its last P + 1 residuals agree, a cycle of
 * the smallest period p <= P whose residuals repeat, else moving; its steady residuals go to
 * W->cur. The newest residual r_{K-1} is at slot (K-1) mod H; lag j at slot (K-1-j) mod H. */
static void attr_classify(AttrWs *W, int64_t i, int64_t g)
{
    const int d = W->d, H = W->H, P = W->P;
    const double tol = W->o->tol;
    const int64_t K = W->K;
    const float *R = W->ring + i * H * d;
#define LAG(j) (R + (int64_t)(((K - 1 - (j)) % H + H) % H) * d)
    int fixed = 1;
    for (int j = 0; j < P && fixed; j++)
        if (!(dist_n(LAG(j), LAG(j + 1), d) < tol)) fixed = 0;
    int per = fixed ? 1 : 0;
    for (int p = 2; p <= P && !per; p++) {
        int match = 1;
        for (int j = 0; j < p && match; j++)
            if (!(dist_n(LAG(j), LAG(j + p), d) < tol)) match = 0;
        if (match) per = p;
    }
    W->kind[g] = fixed ? ATTRACTOR_FIXED : per ? ATTRACTOR_CYCLE : ATTRACTOR_MOVING;
    W->period[g] = per;
    for (int j = 0; j < (per ? per : 1); j++)
        memcpy(W->cur + (int64_t)j * d, LAG(j), (size_t)d * sizeof(float));
    memcpy(W->steady + g * d, LAG(0), (size_t)d * sizeof(float));
#undef LAG
}

/* Group: input g joins the first attractor of its kind and period whose representative is
 * within the radius of one of its phases (greedily, in input order), else founds a new one. */
static int attr_group(AttrWs *W, int64_t g, RdnErr *err)
{
    const int d = W->d, per = W->period[g];
    W->which[g] = -1;
    if (W->kind[g] == ATTRACTOR_MOVING) return 0;
    int found = -1;
    for (int a = 0; a < W->nat && found < 0; a++) {
        if (W->at[a].kind != W->kind[g] || W->at[a].period != per) continue;
        for (int j = 0; j < per; j++)
            if (dist_n(W->cur, W->at[a].r + (int64_t)j * d, d) < W->radius) {
                found = a;
                break;
            }
    }
    if (found < 0) {
        if (W->nat == W->cap) {
            int cap = W->cap ? 2 * W->cap : 8;
            Attr *na = realloc(W->at, (size_t)cap * sizeof *na);
            if (!na) return rdn_err(err, "attractors: out of memory");
            W->at = na;
            W->cap = cap;
        }
        Attr *A = &W->at[W->nat++];
        memset(A, 0, sizeof *A);
        A->kind = W->kind[g];
        A->period = per;
        A->r = malloc((size_t)per * d * sizeof(float));
        A->per_class = calloc((size_t)W->k, sizeof(int64_t));
        A->csum = calloc((size_t)d, sizeof(double));
        if (!A->r || !A->per_class || !A->csum) return rdn_err(err, "attractors: out of memory");
        memcpy(A->r, W->cur, (size_t)per * d * sizeof(float));
        found = W->nat - 1;
    }
    W->which[g] = found;
    for (int j = 0; j < per; j++)
        for (int u = 0; u < d; u++) W->at[found].csum[u] += (double)W->cur[(int64_t)j * d + u] / per;
    W->at[found].size++;
    W->at[found].per_class[W->ds->y[g]]++;
    return 0;
}

/* The empty summary table: attractor, kind, period, size, class_<name>..., residual_norm,
 * residual_mean. */
static Table *attr_table_new(const AttrWs *W, RdnErr *err)
{
    const Dataset *ds = W->ds;
    const int k = W->k, ncols = 4 + k + 2;
    char **names = calloc((size_t)ncols, sizeof(char *));
    char *types = calloc((size_t)ncols + 1, 1);
    Table *tb = NULL;
    int ok = names && types;
    const char *fixed_names[4] = {"attractor", "kind", "period", "size"};
    for (int c = 0; ok && c < ncols; c++) {
        char buf[128];
        const char *cn = c >= 4 && c < 4 + k && ds->class_names && c - 4 < ds->nclasses
                             ? ds->class_names[c - 4] : NULL;
        if (c < 4) snprintf(buf, sizeof buf, "%s", fixed_names[c]);
        else if (c == 4 + k) snprintf(buf, sizeof buf, "residual_norm");
        else if (c == 5 + k) snprintf(buf, sizeof buf, "residual_mean");
        else if (cn) snprintf(buf, sizeof buf, "class_%s", cn);
        else snprintf(buf, sizeof buf, "class_%d", c - 4);
        names[c] = strdup(buf);
        types[c] = c == 1 ? 's' : 'n';
        ok = names[c] != NULL;
    }
    if (!ok) rdn_err(err, "attractors: out of memory");
    else tb = rdn_table_new(ncols, (const char *const *)names, types, err);
    if (names)
        for (int c = 0; c < ncols; c++) free(names[c]);
    free(names);
    free(types);
    return tb;
}

/* Row a of the summary: attractor a (a < nat) or the moving inputs (a == nat). */
static void attr_row(const AttrWs *W, int a, int64_t moving, double *row, const char **srow)
{
    const int k = W->k, d = W->d;
    row[0] = a + 1;
    if (a == W->nat) {
        srow[1] = rdn_attractor_kind_name(ATTRACTOR_MOVING);
        row[2] = NAN;
        row[3] = (double)moving;
        for (int64_t g = 0; g < W->n; g++)
            if (W->kind[g] == ATTRACTOR_MOVING) row[4 + W->ds->y[g]] += 1;
        row[4 + k] = NAN;
        row[5 + k] = NAN;
        return;
    }
    const Attr *A = &W->at[a];
    srow[1] = rdn_attractor_kind_name(A->kind);
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
}

/* Tabulate: one row per attractor, then one for the moving inputs if any. */
static Table *attr_table(const AttrWs *W, RdnErr *err)
{
    Table *tb = attr_table_new(W, err);
    if (!tb) return NULL;
    const int ncols = 4 + W->k + 2;
    double *row = calloc((size_t)ncols, sizeof(double));
    const char **srow = calloc((size_t)ncols, sizeof(char *));
    int64_t moving = 0;
    for (int64_t g = 0; g < W->n; g++) moving += W->kind[g] == ATTRACTOR_MOVING;
    int rows = W->nat + (moving ? 1 : 0), ok = row && srow;
    if (!ok) rdn_err(err, "attractors: out of memory");
    for (int a = 0; ok && a < rows; a++) {
        memset(row, 0, (size_t)ncols * sizeof(double));
        attr_row(W, a, moving, row, srow);
        ok = rdn_table_push(tb, row, srow, err) == 0;
    }
    free(row);
    free(srow);
    if (!ok) {
        rdn_table_free(tb);
        return NULL;
    }
    return tb;
}

/* Per input: input, label, attractor (nat + 1 for the moving), kind, period (NaN if moving). */
static Table *attr_per_input(const AttrWs *W, RdnErr *err)
{
    const char *pn[5] = {"input", "label", "attractor", "kind", "period"};
    Table *pi = rdn_table_new(5, pn, "nnnsn", err);
    if (!pi) return NULL;
    for (int64_t g = 0; g < W->n; g++) {
        double pr[5] = {(double)g, W->ds->y[g],
                        W->which[g] >= 0 ? W->which[g] + 1 : (double)(W->nat + 1), 0,
                        W->kind[g] == ATTRACTOR_MOVING ? NAN : W->period[g]};
        const char *ps[5] = {0, 0, 0, rdn_attractor_kind_name(W->kind[g]), 0};
        if (rdn_table_push(pi, pr, ps, err)) {
            rdn_table_free(pi);
            return NULL;
        }
    }
    return pi;
}

/* The tensors steady [n, d] and centres [attractors, d] onto t. */
static int attr_tensors(const AttrWs *W, Table *t, RdnErr *err)
{
    const int d = W->d;
    int64_t sh[2] = {W->n, d}, ch[2] = {W->nat, d};
    Tensor *st = rdn_tensor_new(2, sh, err);
    if (!st) return -1;
    memcpy(st->data, W->steady, (size_t)(W->n * d) * sizeof(float));
    if (rdn_table_attach(t, "steady", st, err)) return -1;
    Tensor *ct = rdn_tensor_new(2, ch, err);
    if (!ct) return -1;
    for (int a = 0; a < W->nat; a++)
        for (int u = 0; u < d; u++)
            ct->data[(int64_t)a * d + u] = (float)(W->at[a].csum[u] / (double)W->at[a].size);
    return rdn_table_attach(t, "centres", ct, err);
}

Table *rdn_dyn_attractors(const Net *net, const Dataset *ds, const AttractorOpts *o,
                          Table **per_input, RdnErr *err)
{
    AttractorOpts def;
    if (!o) {
        rdn_attractor_defaults(&def);
        o = &def;
    }
    if (per_input) *per_input = NULL;
    if (attr_check(net, ds, o, err)) return NULL;
    AttrWs W = {0};
    Table *tb = NULL, *pi = NULL;
    if (attr_ws_init(&W, net, ds, o, err)) goto done;
    for (int64_t i0 = 0; i0 < W.n; i0 += W.chunk) {
        int64_t m = W.n - i0 < W.chunk ? W.n - i0 : W.chunk;
        if (attr_iterate(&W, i0, m, err)) goto done;
        for (int64_t i = 0; i < m; i++) {
            attr_classify(&W, i, i0 + i);
            if (attr_group(&W, i0 + i, err)) goto done;
        }
    }
    tb = attr_table(&W, err);
    if (tb && attr_tensors(&W, tb, err)) {
        rdn_table_free(tb);
        tb = NULL;
    }
    if (tb && per_input) {
        if (!(pi = attr_per_input(&W, err)) || attr_tensors(&W, pi, err)) {
            rdn_table_free(pi);
            pi = NULL;
            rdn_table_free(tb);
            tb = NULL;
        }
        *per_input = pi;
    }
done:
    attr_ws_free(&W);
    return tb;
}
