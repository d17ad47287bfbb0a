/* adapt.c: depth adaptation during training (docs/model.md "Depth adaptation").
 * Every `every` epochs a fixed probe set of training inputs runs through the net; the mean
 * residual change delta_t decides: cut where the dynamics have converged, or grow when they have
 * not and the validation loss still falls. Every change is logged to a table and a line. */
#include "adapt.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* inputs per forward chunk in rdn_adapt_mean_delta: bounds the residual buffer */
#define CHUNK 64

struct AdaptState {
    AdaptOpts o;          /* resolved: no zeros left */
    Dataset *probe;       /* the fixed probe inputs (owned) */
    Table *log;           /* the change log (owned until taken) */
    double *delta;        /* the last check's mean deltas [cap_delta] */
    int ndelta, cap_delta;
};

void rdn_adapt_defaults(AdaptOpts *o)
{
    *o = (AdaptOpts){.tol = 1e-3, .every = 1, .min_depth = 2, .grow = 0, .max_depth = 0,
                     .probe = 0, .seed = RDN_DEFAULT_SEED};
}

/* The defaults resolved for a run that started at depth `start` (max_depth's default is that
 * depth, not the net's current one: a resumed run adapted already). */
static AdaptOpts resolve_at(const AdaptOpts *o, int start, const Dataset *train)
{
    AdaptOpts r = *o;
    if (r.max_depth == 0) {
        r.max_depth = start;
        if (r.grow > 0 && r.max_depth < RDN_ADAPT_MAX_DEPTH) r.max_depth = RDN_ADAPT_MAX_DEPTH;
        if (r.max_depth < r.min_depth) r.max_depth = r.min_depth;
    }
    if (r.probe == 0) r.probe = train->n < RDN_ADAPT_PROBE ? (int)train->n : RDN_ADAPT_PROBE;
    return r;
}

AdaptOpts rdn_adapt_resolve(const AdaptOpts *o, const Net *net, const Dataset *train)
{
    return resolve_at(o, net->depth, train);
}

int rdn_adapt_validate(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err)
{
    return rdn_adapt_validate_at(o, net, net->depth, train, err);
}

int rdn_adapt_validate_at(const AdaptOpts *o, const Net *net, int start, const Dataset *train,
                          RdnErr *err)
{
    if (!(o->tol > 0) || !isfinite(o->tol))
        return rdn_err(err, "adaptive: tol must be a positive number, got %g", o->tol);
    if (o->every < 1)
        return rdn_err(err, "adaptive: every must be at least 1 epoch, got %d", o->every);
    if (o->min_depth < 1)
        return rdn_err(err, "adaptive: min_depth must be at least 1, got %d", o->min_depth);
    if (o->grow < 0)
        return rdn_err(err, "adaptive: grow must be 0 (never grow) or a positive step, got %d",
                       o->grow);
    if (o->max_depth < 0)
        return rdn_err(err, "adaptive: max_depth must be positive, got %d", o->max_depth);
    if (o->probe < 0)
        return rdn_err(err, "adaptive: probe must be a positive number of inputs, got %d", o->probe);
    if (!train || train->n < 1)
        return rdn_err(err, "adaptive: the training data is empty, so there is no probe set");
    if (train->dim != net->in)
        return rdn_err(err, "adaptive: the data has %d inputs per example but the net takes %d",
                       train->dim, net->in);
    if (o->probe > train->n)
        return rdn_err(err, "adaptive: probe: %d inputs asked for, but the training data has only "
                       "%lld", o->probe, (long long)train->n);
    AdaptOpts r = resolve_at(o, start, train);
    if (r.min_depth > r.max_depth)
        return rdn_err(err, "adaptive: min_depth %d is larger than max_depth %d", r.min_depth,
                       r.max_depth);
    if (net->depth > r.max_depth)
        return rdn_err(err, "adaptive: max_depth %d is below the network's depth %d", r.max_depth,
                       net->depth);
    return 0;
}

int rdn_adapt_t_star(const double *delta, int nd, double tol)
{
    if (nd < 1 || !(delta[nd - 1] < tol)) return -1;
    int t = nd - 1;
    while (t > 0 && delta[t - 1] < tol) t--;
    return t;
}

int rdn_adapt_mean_delta(const Net *net, const float *x, int64_t n, double *delta, RdnErr *err)
{
    int T = net->depth, d = net->width;
    if (T < 2) return 0;
    for (int t = 0; t < T - 1; t++) delta[t] = 0;
    if (n < 1) return 0;
    int64_t chunk = n < CHUNK ? n : CHUNK;
    float *r = rdn_alloc_aligned((size_t)(chunk * T), (size_t)d * sizeof(float), "adaptive probe",
                                 err);
    if (!r) return -1;
    double inv_sqrt_d = 1.0 / sqrt((double)d);
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        int rc = rdn_net_forward(net, x + i0 * net->in, m, NULL, NULL, r, err);
        if (rc) {
            free(r);
            return rc;
        }
        /* r [m, T, d]: r_t of input i at r + (i*T + t)*d */
        for (int64_t i = 0; i < m; i++)
            for (int t = 0; t < T - 1; t++) {
                const float *a = r + (i * T + t) * d, *b = a + d;
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double e = (double)b[j] - (double)a[j];
                    s += e * e;
                }
                delta[t] += sqrt(s) * inv_sqrt_d;
            }
    }
    free(r);
    for (int t = 0; t < T - 1; t++) delta[t] /= (double)n;
    return 0;
}

AdaptState *rdn_adapt_begin(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err)
{
    return rdn_adapt_resume(o, net, net->depth, train, NULL, err);
}

AdaptState *rdn_adapt_resume(const AdaptOpts *o, const Net *net, int start_depth,
                             const Dataset *train, const Table *log, RdnErr *err)
{
    if (rdn_adapt_validate_at(o, net, start_depth, train, err)) return NULL;
    if (log && (log->ncols != 7 || !log->deltas || log->deltas->ncols != 4)) {
        rdn_err(err, "adaptive: the depth-change log to resume is not one this version wrote");
        return NULL;
    }
    AdaptState *s = rdn_calloc(1, sizeof *s, "adaptive state", err);
    if (!s) return NULL;
    s->o = resolve_at(o, start_depth, train);
    int32_t *idx = rdn_calloc((size_t)train->n, sizeof *idx, "adaptive probe", err);
    if (!idx) goto fail;
    for (int64_t i = 0; i < train->n; i++) idx[i] = (int32_t)i;
    RdnRng rng;
    rdn_rng_seed(&rng, s->o.seed);
    rdn_rng_permute(&rng, idx, train->n);
    s->probe = rdn_dataset_select(train, idx, s->o.probe, err);
    free(idx);
    if (!s->probe) goto fail;
    static const char *const names[] = {"epoch", "old_depth", "new_depth", "t_star",
                                        "max_delta_tail", "acc_before", "acc_after"};
    static const char *const dnames[] = {"change", "epoch", "layer", "delta"};
    s->log = rdn_table_new(7, names, NULL, err);
    if (!s->log || !(s->log->deltas = rdn_table_new(4, dnames, NULL, err))) goto fail;
    if (log) {
        Table *c = rdn_table_copy(log, err);
        if (!c) goto fail;
        rdn_table_free(s->log);
        s->log = c;
    }
    return s;
fail:
    rdn_adapt_end(s);
    return NULL;
}

static int eval_acc(const Net *net, const Dataset *d, double *acc, RdnErr *err)
{
    return rdn_net_evaluate(net, d, LOSS_XENT, NULL, acc, err);
}

int rdn_adapt_after_epoch(AdaptState *s, Net *net, int epoch, double val_loss_prev,
                          double val_loss, const Dataset *eval, FILE *log, RdnErr *err)
{
    if (epoch < 1 || epoch % s->o.every) return 0;
    int T = net->depth, nd = T > 1 ? T - 1 : 0;
    if (nd > s->cap_delta) {
        double *p = realloc(s->delta, (size_t)nd * sizeof *p);
        if (!p) return rdn_err(err, "adaptive: out of memory");
        s->delta = p;
        s->cap_delta = nd;
    }
    int rc = rdn_adapt_mean_delta(net, s->probe->x, s->probe->n, s->delta, err);
    if (rc) return rc;
    s->ndelta = nd;

    int t_star = rdn_adapt_t_star(s->delta, nd, s->o.tol);
    int new_depth = T;
    double tail = NAN;
    if (t_star >= 0) {
        int cut = t_star + 2 > s->o.min_depth ? t_star + 2 : s->o.min_depth;
        if (cut < T) new_depth = cut;
        tail = 0;
        for (int t = t_star; t < nd; t++)
            if (s->delta[t] > tail) tail = s->delta[t];
    } else if (s->o.grow > 0 && T < s->o.max_depth && isfinite(val_loss) &&
               isfinite(val_loss_prev) && val_loss < val_loss_prev) {
        new_depth = T + s->o.grow < s->o.max_depth ? T + s->o.grow : s->o.max_depth;
        tail = nd ? s->delta[nd - 1] : NAN;
    }
    if (new_depth == T) return 0;

    const Dataset *ev = eval ? eval : s->probe;
    double acc_before = NAN, acc_after = NAN;
    if ((rc = eval_acc(net, ev, &acc_before, err))) return rc;
    if (rdn_net_set_depth(net, new_depth, err)) return -1;
    if ((rc = eval_acc(net, ev, &acc_after, err))) return rc;

    double row[7] = {epoch, T, new_depth, t_star >= 0 ? t_star : NAN, tail, acc_before, acc_after};
    if (rdn_table_push(s->log, row, NULL, err)) return -1;
    for (int t = 0; t < nd; t++) {
        double drow[4] = {s->log->nrows, epoch, t, s->delta[t]};
        if (rdn_table_push(s->log->deltas, drow, NULL, err)) return -1;
    }
    if (log) {
        if (new_depth < T)
            fprintf(log, "adapt: epoch %d: depth %d -> %d (residuals converged from layer %d: "
                    "max delta %.3g < tol %g); accuracy %.4f -> %.4f\n", epoch, T, new_depth,
                    t_star, tail, s->o.tol, acc_before, acc_after);
        else
            fprintf(log, "adapt: epoch %d: depth %d -> %d (last delta %.3g >= tol %g, val loss "
                    "%.4g -> %.4g); accuracy %.4f -> %.4f\n", epoch, T, new_depth, tail, s->o.tol,
                    val_loss_prev, val_loss, acc_before, acc_after);
        fflush(log);
    }
    return 1;
}

const double *rdn_adapt_last_delta(const AdaptState *s, int *nd)
{
    if (nd) *nd = s->ndelta;
    return s->ndelta ? s->delta : NULL;
}

const Table *rdn_adapt_log(const AdaptState *s) { return s->log; }

Table *rdn_adapt_take_log(AdaptState *s)
{
    Table *t = s->log;
    s->log = NULL;
    return t;
}

void rdn_adapt_end(AdaptState *s)
{
    if (!s) return;
    rdn_dataset_free(s->probe);
    rdn_table_free(s->log);
    free(s->delta);
    free(s);
}
