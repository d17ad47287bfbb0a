/* train.c: exact gradients by backpropagation through all layers (docs/model.md "Gradients and optimizers"), the SGD,
 * momentum and Adam steps, and rdn_fit: seeded shuffling, validation, the history table, progress
 * output, the NaN/Inf guard, interruption at batch boundaries and depth adaptation hooks.
 *
 * Workspace (allocated once per fit, resized only when adaptation changes the depth):
 *   X  [B, D]           the batch's inputs (only with an embedding; else gathered into H_0)
 *   H  [T+1, m, d]      states h_0..h_T of the m rows of the batch, layer-major and contiguous
 *   Dv [T, m, d]        dh_{t+1}/dz_t (eta*sigma'(z_t) or sigma'(z_t)); overwritten by dL/dz_t
 *   dH [B, d]           dL/dh_t (updated in place layer by layer)
 *   lg, dlg [B, k]      logits and dL/dlogits
 *   rowloss [B]         each row's loss (summed in row order: the same total for any split)
 *   Wt [d, d]           W^T of a shared net (transposed once per batch for the forward products)
 * With shared weights, dL/dW = sum_t dZ_t^T H_t is ONE product [d, T*m] x [T*m, d] over the
 * contiguous Dv and H buffers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "adapt.h"
#include "net.h"
#include "gemm.h"
#include "net_impl.h"
#include "pool.h"
#include "rmath.h"
#include "tensor.h"

typedef struct Ws {
    int B, T, d, D, k;
    float *X, *H, *Dv, *dH, *lg, *dlg, *Wt;
    double *rowloss;
} Ws;

static void ws_free(Ws *w)
{
    free(w->X); free(w->H); free(w->Dv); free(w->dH); free(w->lg); free(w->dlg); free(w->Wt);
    free(w->rowloss);
    memset(w, 0, sizeof *w);
}

static int ws_alloc(Ws *w, const Net *net, int B, RdnErr *err)
{
    ws_free(w);
    w->B = B; w->T = net->depth; w->d = net->width; w->D = net->in; w->k = net->classes;
    size_t Bd = (size_t)B * w->d;
    w->X = rdn_alloc_aligned((size_t)B * (net->embed ? w->D : 1), sizeof(float), "training inputs", err);
    w->H = w->X ? rdn_alloc_aligned((size_t)(w->T + 1) * Bd, sizeof(float), "training states", err) : NULL;
    w->Dv = w->H ? rdn_alloc_aligned((size_t)w->T * Bd, sizeof(float), "training derivatives", err) : NULL;
    w->dH = w->Dv ? rdn_alloc_aligned(Bd, sizeof(float), "training gradients", err) : NULL;
    w->lg = w->dH ? rdn_alloc_aligned((size_t)B * w->k, sizeof(float), "logits", err) : NULL;
    w->dlg = w->lg ? rdn_alloc_aligned((size_t)B * w->k, sizeof(float), "logits", err) : NULL;
    w->rowloss = w->dlg ? rdn_calloc((size_t)B, sizeof(double), "losses", err) : NULL;
    w->Wt = w->rowloss && net->shared ? rdn_alloc_aligned((size_t)w->d * w->d, sizeof(float), "training weights", err) : NULL;
    if (!w->rowloss || (net->shared && !w->Wt)) {
        ws_free(w);
        return -1;
    }
    return 0;
}

/* C = op(A) op(B) + beta C: gemm.h's deterministic product (threads when it is large, the
 * calling thread inside a row shard). */
static void mm(int ta, int tb, int m, int n, int k, const float *A, int lda, const float *Bm,
               int ldb, float beta, float *C, int ldc)
{
    rdn_sgemm(ta, tb, m, n, k, 1.0f, A, lda, Bm, ldb, beta, C, ldc); /* det: rdn_gemm */
}

HOT static void colsum(float *out, const float *A, int rows, int cols)
{
    if (cols < 16 && 16 % cols == 0) {
        /* narrow rows (widths 1, 2, 4, 8): sum 16-wide strips, then fold the lanes */
        float acc[16] = {0};
        int64_t total = (int64_t)rows * cols, strips = total / 16;
        for (int64_t s = 0; s < strips; s++)
            for (int l = 0; l < 16; l++) acc[l] += A[s * 16 + l];
        for (int j = 0; j < cols; j++) out[j] = 0.0f;
        for (int l = 0; l < 16; l++) out[l % cols] += acc[l];
        for (int64_t q = strips * 16; q < total; q++) out[q % cols] += A[q];
        return;
    }
    for (int j = 0; j < cols; j++) out[j] = 0.0f;
    for (int i = 0; i < rows; i++) {
        const float *a = A + (size_t)i * cols;
        for (int j = 0; j < cols; j++) out[j] += a[j];
    }
}

/* Forward, loss and backward through the layers for rows [a, b) of the batch: a row shard,
 * independent of the other rows, so that threads need no synchronisation between layers. */
typedef struct GradJob {
    Net *net;
    Ws *w;
    const int32_t *y;
    int m;
    LossKind loss;
    int64_t correct[RDN_POOL_MAX];
} GradJob;

static void grad_rows(void *ctx, int s, int ns)
{
    GradJob *j = ctx;
    Net *net = j->net;
    Ws *w = j->w;
    int d = w->d, T = w->T, k = w->k, D = w->D, m = j->m;
    int a = (int)((int64_t)m * s / ns), n = (int)((int64_t)m * (s + 1) / ns) - a;
    j->correct[s] = 0;
    if (n <= 0) return;
    size_t md = (size_t)m * d, ad = (size_t)a * d;
    float *H = w->H, *Dv = w->Dv;
    if (net->embed) rdn_linear_fwd(H + ad, d, w->X + (size_t)a * D, D, net->E, net->e, n, d, D);
    for (int t = 0; t < T; t++)
        rdn_layer_fwd(net, t, w->Wt, H + t * md + ad, d, n, H + (t + 1) * md + ad, d, NULL, 0,
                      Dv + t * md + ad);
    float *lg = w->lg + (size_t)a * k, *dlg = w->dlg + (size_t)a * k;
    rdn_linear_fwd(lg, k, H + T * md + ad, d, net->V, net->c, n, k, d);
    for (int i = 0; i < n; i++) /* row by row: the batch's sum is taken in row order later */
        w->rowloss[a + i] = rdn_loss_rows(j->loss, lg + (size_t)i * k, j->y + a + i, 1, k,
                                          dlg + (size_t)i * k, 1.0f / (float)m, &j->correct[s]);
    float *dH = w->dH + ad;
    mm(0, 0, n, d, k, dlg, k, net->V, d, 0.0f, dH, d); /* dh_T = dlg V */
    for (int t = T - 1; t >= 0; t--) {
        float *dZ = Dv + t * md + ad;
        rdn_layer_bwd(t == 0 && !net->embed ? NULL : dH, dZ, dH, dZ, net, t, n);
    }
}

/* Forward and backward for the m rows already in ws (inputs in X or H_0). Gradients of the MEAN
 * loss over the m rows into net->grads; returns the summed loss, counts correct predictions.
 * Row shards (grad_rows) run the layers; then the weight gradients, each one product over all
 * rows (the shared W's over all T*m rows of all layers at once), split by output blocks. */
static double batch_grad(Net *net, Ws *w, const int32_t *y, int m, LossKind loss, int64_t *correct)
{
    int d = w->d, T = w->T, k = w->k, D = w->D;
    size_t md = (size_t)m * d;
    float *H = w->H, *Dv = w->Dv;
    if (w->Wt) rdn_transpose(w->Wt, net->W, d, d);
    GradJob j = {.net = net, .w = w, .y = y, .m = m, .loss = loss};
    int ns = rdn_net_shards(net, m);
    rdn_pool_run(ns, grad_rows, &j);
    double total = 0;
    for (int i = 0; i < m; i++) total += w->rowloss[i];
    if (correct)
        for (int s = 0; s < ns; s++) *correct += j.correct[s];

    /* head: gV = dlg^T H_T, gc = colsum dlg */
    mm(1, 0, k, d, m, w->dlg, k, H + T * md, d, 0.0f, net->gV, d);
    colsum(net->gc, w->dlg, m, k);
    if (net->shared) {
        /* the shared gradient over all layers: one product with inner dimension T*m */
        mm(1, 0, d, d, T * m, Dv, d, H, d, 0.0f, net->gW, d);
        colsum(net->gb, Dv, T * m, d);
    } else
        for (int t = 0; t < T; t++) { /* gW_t = dZ_t^T H_t, gb_t = colsum dZ_t */
            mm(1, 0, d, d, m, Dv + t * md, d, H + t * md, d, 0.0f, net->gW + (size_t)t * d * d, d);
            colsum(net->gb + (size_t)t * d, Dv + t * md, m, d);
        }
    if (net->embed) {
        mm(1, 0, d, D, m, w->dH, d, w->X, D, 0.0f, net->gE, D);
        colsum(net->ge, w->dH, m, d);
    }
    return total;
}

static void gather(const Net *net, Ws *w, const Dataset *ds, const int32_t *idx, int m, int32_t *y)
{
    int D = ds->dim;
    float *dst = net->embed ? w->X : w->H;
    for (int i = 0; i < m; i++) {
        int64_t r = idx ? idx[i] : i;
        memcpy(dst + (size_t)i * D, ds->x + r * D, (size_t)D * sizeof(float));
        y[i] = ds->y[r];
    }
}

int rdn_net_loss_grad(Net *net, const float *x, const int32_t *y, int64_t n, LossKind loss,
                      double *loss_out, RdnErr *err)
{
    if (n < 1 || n > (1 << 24)) return rdn_err(err, "loss_grad: bad batch size %lld", (long long)n);
    for (int64_t i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= net->classes)
            return rdn_err(err, "loss_grad: label %d out of range", y[i]);
    Ws w = {0};
    if (ws_alloc(&w, net, (int)n, err)) return -1;
    memcpy(net->embed ? w.X : w.H, x, (size_t)n * net->in * sizeof(float));
    double total = batch_grad(net, &w, y, (int)n, loss, NULL);
    ws_free(&w);
    if (loss_out) *loss_out = total / (double)n;
    return 0;
}

/* ---- optimizers over the whole slab ---- */

const char *rdn_opt_name(OptKind k) { return k == OPT_ADAM ? "adam" : k == OPT_MOMENTUM ? "momentum" : "sgd"; }
const char *rdn_loss_name(LossKind k) { return k == LOSS_MSE ? "mse" : "xent"; }

double rdn_lr_at(const LrSched *s, int64_t e)
{
    switch (s->kind) {
    case LR_STEP: return s->lr * rdn_pow(s->gamma, (double)((e - 1) / s->every));
    case LR_COSINE:
        if (e <= s->warmup) return s->lr * (double)e / (double)s->warmup;
        if (e > s->epochs) return s->min;
        return s->min + (s->lr - s->min) *
                            (1.0 + rdn_cos(M_PI * (double)(e - s->warmup - 1) / (double)(s->epochs - s->warmup))) / 2.0;
    default: return s->lr;
    }
}

/* One step over the whole slab with rate lr, fused with the NaN guard's bookkeeping: backup
 * receives the parameters before the step, and the return value says whether every new parameter
 * is finite (one pass over memory instead of three). Weight decay wd: added to the gradient (sgd,
 * momentum: g + wd p) or decoupled (adam, as PyTorch's AdamW: p *= 1 - lr wd before the step). */
HOT static int opt_step(Net *net, const FitOpts *o, OptState *s, double lr_d, float wd, float *restrict backup)
{
    float lr = (float)lr_d;
    float *restrict p = net->params;
    const float *restrict g = net->grads;
    int64_t n = net->nparams;
    int bad = 0;
    s->step++;
    if (o->opt == OPT_SGD) {
        for (int64_t i = 0; i < n; i++) {
            backup[i] = p[i];
            p[i] -= lr * (g[i] + wd * p[i]);
            bad |= p[i] - p[i] != 0.0f; /* NaN for NaN and Inf, 0 otherwise */
        }
    } else if (o->opt == OPT_MOMENTUM) {
        /* PyTorch's convention: v = mu v + g; p -= lr v */
        float mu = (float)o->momentum;
        for (int64_t i = 0; i < n; i++) {
            backup[i] = p[i];
            s->m[i] = mu * s->m[i] + (g[i] + wd * p[i]);
            p[i] -= lr * s->m[i];
            bad |= p[i] - p[i] != 0.0f;
        }
    } else {
        /* Adam as in PyTorch: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
         * p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps) */
        float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
        double bc1 = 1.0 - rdn_pow(o->beta1, (double)s->step), bc2 = 1.0 - rdn_pow(o->beta2, (double)s->step);
        float stepsize = (float)(lr_d / bc1), sbc2 = (float)sqrt(bc2);
        float decay = 1.0f - lr * wd;
        for (int64_t i = 0; i < n; i++) {
            backup[i] = p[i];
            if (wd != 0.0f) p[i] *= decay;
            s->m[i] = b1 * s->m[i] + (1.0f - b1) * g[i];
            s->v[i] = b2 * s->v[i] + (1.0f - b2) * g[i] * g[i];
            p[i] -= stepsize * s->m[i] / (sqrtf(s->v[i]) / sbc2 + eps);
            bad |= p[i] - p[i] != 0.0f;
        }
    }
    return !bad;
}

/* Scales the gradient slab so its global L2 norm (summed in double, in slab order) is at most
 * clip: g *= clip / ||g|| when ||g|| > clip. */
static void clip_grads(Net *net, double clip)
{
    double ss = 0;
    for (int64_t i = 0; i < net->nparams; i++) ss += (double)net->grads[i] * net->grads[i];
    double nrm = sqrt(ss);
    if (!(nrm > clip)) return;
    float sc = (float)(clip / nrm);
    for (int64_t i = 0; i < net->nparams; i++) net->grads[i] *= sc;
}

int rdn_fit_continues(const Net *net, const FitOpts *o)
{
    const OptState *s = &net->opt;
    return s->active && s->opt == o->opt && s->loss == o->loss &&
           (!o->seed_given || s->shuffle_seed == o->shuffle_seed);
}

/* A fresh optimizer state for the options (buffers zero). */
static int opt_begin(Net *net, const FitOpts *o, RdnErr *err)
{
    rdn_opt_reset(&net->opt);
    OptState *s = &net->opt;
    if (o->opt != OPT_SGD && !(s->m = rdn_alloc_aligned((size_t)net->nparams, sizeof(float), "optimizer state", err)))
        return -1;
    if (o->opt == OPT_ADAM && !(s->v = rdn_alloc_aligned((size_t)net->nparams, sizeof(float), "optimizer state", err))) {
        rdn_opt_reset(s);
        return -1;
    }
    s->active = 1;
    s->opt = o->opt;
    s->loss = o->loss;
    s->shuffle_seed = o->shuffle_seed;
    return 0;
}

void rdn_fit_defaults(FitOpts *o)
{
    *o = (FitOpts){.epochs = 10, .batch = 32, .lr = 0.01, .momentum = 0.9, .beta1 = 0.9,
                   .beta2 = 0.999, .eps = 1e-8, .opt = OPT_SGD, .loss = LOSS_XENT,
                   .shuffle_seed = RDN_DEFAULT_SEED, .adapt = NULL, .quiet = 0, .progress = NULL,
                   .progress_tty = 0};
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fmt_count(char *buf, size_t n, double v)
{
    long long x = llround(v);
    if (x < 1000) snprintf(buf, n, "%lld", x);
    else if (x < 1000000) snprintf(buf, n, "%lld,%03lld", x / 1000, x % 1000);
    else snprintf(buf, n, "%lld,%03lld,%03lld", x / 1000000, x / 1000 % 1000, x % 1000);
}

static void fmt_eta(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0) s = 0;
    long x = lround(s);
    if (x >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", x / 3600, x / 60 % 60, x % 60);
    else snprintf(buf, n, "%ld:%02ld", x / 60, x % 60);
}

static void progress_bar(FILE *f, int epoch, int epochs, int64_t batch, int64_t nb, double loss,
                         double rate, double eta)
{
    char bar[21], r[32], e[32];
    int fill = nb ? (int)(20 * batch / nb) : 20;
    for (int i = 0; i < 20; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[20] = 0;
    fmt_count(r, sizeof r, rate);
    fmt_eta(e, sizeof e, eta);
    fprintf(f, "\r\033[Kepoch %d/%d [%s] batch %lld/%lld loss %.4f  %s samples/s  ETA %s", epoch,
            epochs, bar, (long long)batch, (long long)nb, loss, r, e);
    fflush(f);
}

/* Early stopping's bookkeeping after one epoch with monitored value v: 1 when patience ran out. */
static int stop_update(const StopOpts *so, StopState *ss, double v, int64_t ep, const Net *net)
{
    int better = ss->best_epoch == 0 ||
                 (so->on == STOP_VAL_LOSS ? v < ss->best - so->min_delta : v > ss->best + so->min_delta);
    if (better) {
        ss->best = v;
        ss->best_epoch = ep;
        ss->wait = 0;
        if (ss->best_params) memcpy(ss->best_params, net->params, (size_t)net->nparams * sizeof(float));
        return 0;
    }
    return ++ss->wait >= so->patience;
}

int rdn_fit(Net *net, const Dataset *train, const Dataset *val, const FitOpts *o,
            Table **history, Table **adapt_log, RdnErr *err)
{
    *history = NULL;
    if (adapt_log) *adapt_log = NULL;
    if (o->epochs < 0 || o->epochs > 1000000) return rdn_err(err, "fit: epochs must be 0..1000000, got %d", o->epochs);
    if (o->batch < 1 || o->batch > (1 << 20)) return rdn_err(err, "fit: batch must be 1..%d, got %d", 1 << 20, o->batch);
    if (!o->lr_fn && (!isfinite(o->lr) || o->lr <= 0)) return rdn_err(err, "fit: lr must be a positive number, got %g", o->lr);
    if (o->opt == OPT_MOMENTUM && !(o->momentum >= 0 && o->momentum < 1))
        return rdn_err(err, "fit: momentum must be in [0, 1), got %g", o->momentum);
    if (o->opt == OPT_ADAM && !(o->beta1 >= 0 && o->beta1 < 1 && o->beta2 >= 0 && o->beta2 < 1 && o->eps > 0))
        return rdn_err(err, "fit: Adam needs 0 <= beta1, beta2 < 1 and eps > 0");
    if (!(o->weight_decay >= 0) || !isfinite(o->weight_decay))
        return rdn_err(err, "fit: weight_decay must be a number >= 0, got %g", o->weight_decay);
    if (!(o->clip >= 0) || !isfinite(o->clip))
        return rdn_err(err, "fit: clip must be a positive number (the largest gradient norm), got %g", o->clip);
    if (o->stop.on != STOP_NONE && o->stop.patience < 1)
        return rdn_err(err, "fit: early stopping needs patience >= 1, got %d", o->stop.patience);
    if (o->stop.on != STOP_NONE && !val)
        return rdn_err(err, "fit: early stopping on %s needs val: (a validation dataset)",
                       o->stop.on == STOP_VAL_LOSS ? "val_loss" : "val_acc");
    const Dataset *sets[2] = {train, val};
    for (int s = 0; s < 2; s++) {
        const Dataset *ds = sets[s];
        const char *nm = s ? "validation data" : "training data";
        if (!ds) continue;
        if (ds->dim != net->in)
            return rdn_err(err, "fit: the %s has inputs of dimension %d but the net takes in %d", nm, ds->dim, net->in);
        if (ds->n < 1) return rdn_err(err, "fit: the %s is empty", nm);
        if (ds->n > INT32_MAX) return rdn_err(err, "fit: the %s is too large", nm);
        for (int64_t i = 0; i < ds->n; i++)
            if (ds->y[i] < 0 || ds->y[i] >= net->classes)
                return rdn_err(err, "fit: %s input %lld has label %d but the net has %d classes", nm,
                               (long long)i, ds->y[i], net->classes);
    }
    /* a resumed adaptive run started at the depth of its first history row, and may be at
     * another now */
    const Table *rh = o->resume ? o->resume->history : NULL;
    int dcol = rh ? rdn_table_col(rh, "depth") : -1;
    int start_depth = rh && rh->nrows && dcol >= 0 ? (int)rh->cols[dcol].num[0] : net->depth;
    if (o->adapt && rdn_adapt_validate_at(o->adapt, net, start_depth, train, err)) return -1;

    static const char *cols[] = {"epoch", "loss", "acc", "val_loss", "val_acc", "depth", "lr"};
    enum { NCOL = 7 };
    Table *hist = o->resume && o->resume->history ? rdn_table_copy(o->resume->history, err)
                                                  : rdn_table_new(NCOL, cols, NULL, err);
    if (!hist) return -1;
    hist->is_history = 1;

    int64_t n = train->n;
    int B = o->batch < n ? o->batch : (int)n;
    int64_t nb = (n + B - 1) / B;
    FILE *pf = o->quiet ? NULL : (o->progress ? o->progress : stderr);
    Ws w = {0};
    StopState ss = {0};
    float *backup = NULL;
    int32_t *idx = NULL, *yb = NULL;
    AdaptState *as = NULL;
    int rc = 0, L = net->shared ? 1 : net->depth, first = o->resume ? o->resume->done : 0;
    int stopped = o->resume ? o->resume->finished : 0;
    double prev_val = NAN;

    if (!o->resume && !rdn_fit_continues(net, o)) {
        if (net->opt.active && pf)
            fprintf(pf, "fit: opt \"%s\", loss \"%s\"%s differ from the net's optimizer state (opt \"%s\", "
                    "loss \"%s\", %lld epochs); starting a fresh state\n", rdn_opt_name(o->opt),
                    rdn_loss_name(o->loss), o->seed_given && net->opt.shuffle_seed != o->shuffle_seed ? ", seed" : "",
                    rdn_opt_name(net->opt.opt), rdn_loss_name(net->opt.loss), (long long)net->opt.epoch);
        if (opt_begin(net, o, err)) {
            rdn_table_free(hist);
            return -1;
        }
    }
    OptState *st = &net->opt;
    ss.best = NAN;
    if (o->resume && o->resume->stop) {
        ss = *o->resume->stop;
        ss.best_params = NULL;
    }
    if (o->stop.on != STOP_NONE && o->stop.restore_best) {
        ss.best_params = rdn_alloc_aligned((size_t)net->nparams, sizeof(float), "best parameters", err);
        if (!ss.best_params) goto fail;
        const float *src = o->resume && o->resume->stop && o->resume->stop->best_params ? o->resume->stop->best_params : net->params;
        memcpy(ss.best_params, src, (size_t)net->nparams * sizeof(float));
    }

    idx = rdn_calloc((size_t)n, sizeof *idx, "shuffle order", err);
    yb = idx ? rdn_calloc((size_t)B, sizeof *yb, "batch labels", err) : NULL;
    backup = yb ? rdn_alloc_aligned((size_t)net->nparams, sizeof(float), "parameter backup", err) : NULL;
    if (!backup || ws_alloc(&w, net, B, err)) goto fail;
    memcpy(backup, net->params, (size_t)net->nparams * sizeof(float));
    if (o->adapt) {
        /* resumed: the changes so far come back into the adaptation state, which owns the log */
        const Table *log0 = rh ? rh->changes : NULL;
        rdn_table_free(hist->changes);
        hist->changes = NULL;
        if (!(as = rdn_adapt_resume(o->adapt, net, start_depth, train, log0, err))) goto fail;
        int vcol = rdn_table_col(hist, "val_loss");
        if (hist->nrows && vcol >= 0) prev_val = hist->cols[vcol].num[hist->nrows - 1];
    }

    for (int ci = first; ci < o->epochs && !stopped; ci++) {
        int64_t ep = st->epoch + 1;  /* the state's epoch: seeds the shuffle, argument of the schedule */
        double lr = o->lr_fn ? o->lr_fn(o->lr_ctx, ep, err) : o->sched.kind == LR_CONST ? o->lr : rdn_lr_at(&o->sched, ep);
        if (o->lr_fn && !(lr >= 0)) goto fail; /* the callback raised (err set) */
        if (!isfinite(lr) || lr < 0) {
            rdn_err(err, "fit: the learning-rate schedule gave %g for epoch %lld (a rate must be a number >= 0)",
                    lr, (long long)ep);
            goto fail;
        }
        RdnRng r;
        rdn_rng_derive(&r, st->shuffle_seed, (uint64_t)ep, 0x5348554646ull /* "SHUFF" */);
        for (int64_t i = 0; i < n; i++) idx[i] = (int32_t)i;
        rdn_rng_permute(&r, idx, n);
        double total = 0, t0 = now_s(), last_draw = 0;
        int64_t correct = 0, seen = 0;
        int depth_trained = net->depth;
        for (int64_t bi = 0; bi < nb; bi++) {
            if (rdn_interrupt) {
                if (pf && o->progress_tty) fputc('\n', pf);
                rc = rdn_err_interrupted(err, "fit: interrupted in epoch %lld at batch %lld of %lld; the net "
                                         "keeps the parameters after the last finished batch", (long long)ep,
                                         (long long)bi + 1, (long long)nb);
                goto done;
            }
            int m = (int)(n - bi * B < B ? n - bi * B : B);
            gather(net, &w, train, idx + bi * B, m, yb);
            double bl = batch_grad(net, &w, yb, m, o->loss, &correct);
            if (!isfinite(bl)) {
                memcpy(net->params, backup, (size_t)net->nparams * sizeof(float));
                if (pf && o->progress_tty) fputc('\n', pf);
                rc = rdn_err(err, "fit: the loss became %s in epoch %lld, batch %lld (lr %g may be too large); "
                             "the parameters of the last batch with a finite loss were restored",
                             isnan(bl) ? "NaN" : "infinite", (long long)ep, (long long)bi + 1, lr);
                goto done;
            }
            if (o->clip > 0) clip_grads(net, o->clip);
            if (!opt_step(net, o, st, lr, (float)o->weight_decay, backup)) {
                memcpy(net->params, backup, (size_t)net->nparams * sizeof(float));
                if (pf && o->progress_tty) fputc('\n', pf);
                rc = rdn_err(err, "fit: the parameters became NaN or infinite in epoch %lld, batch %lld "
                             "(lr %g may be too large); the parameters before that step were restored",
                             (long long)ep, (long long)bi + 1, lr);
                goto done;
            }
            total += bl;
            seen += m;
            if (pf && o->progress_tty) {
                double tn = now_s();
                if (tn - last_draw > 0.1 || bi + 1 == nb) {
                    last_draw = tn;
                    double rate = seen / fmax(tn - t0, 1e-9);
                    progress_bar(pf, (int)ep, (int)(ep - ci - 1 + o->epochs), bi + 1, nb, total / seen, rate,
                                 (double)(n - seen) / rate + (double)(o->epochs - ci - 1) * n / rate);
                }
            }
        }
        st->epoch = ep;
        net->epochs++;
        double rate = n / fmax(now_s() - t0, 1e-9);
        double row[NCOL] = {(double)ep, total / n, (double)correct / n, NAN, NAN, depth_trained, lr};
        if (val && rdn_net_evaluate(net, val, o->loss, &row[3], &row[4], err)) goto fail;
        if (rdn_table_push(hist, row, NULL, err)) goto fail;
        if (pf) {
            char rs[32];
            fmt_count(rs, sizeof rs, rate);
            if (o->progress_tty) fputs("\r\033[K", pf);
            fprintf(pf, "epoch %lld/%lld: loss %.4f acc %.4f", (long long)ep, (long long)(ep - ci - 1 + o->epochs),
                    row[1], row[2]);
            if (val) fprintf(pf, " val_loss %.4f val_acc %.4f", row[3], row[4]);
            if (o->lr_fn || o->sched.kind != LR_CONST) fprintf(pf, " lr %.4g", lr);
            fprintf(pf, " depth %d  (%s samples/s)\n", depth_trained, rs);
            fflush(pf);
        }
        if (as) {
            int ch = rdn_adapt_after_epoch(as, net, (int)ep, prev_val, row[3], val, pf, err);
            if (ch == RDN_INTERRUPTED) { /* the check stopped before changing anything */
                rc = RDN_INTERRUPTED;
                goto done;
            }
            if (ch < 0) goto fail;
            if (ch > 0) {
                int L1 = net->shared ? 1 : net->depth;
                if (L1 != L && (rdn_remap_slab(&backup, net, L, L1, err) ||
                                rdn_remap_slab(&ss.best_params, net, L, L1, err)))
                    goto fail;
                L = L1;
                if (ws_alloc(&w, net, B, err)) goto fail;
                memcpy(backup, net->params, (size_t)net->nparams * sizeof(float));
            }
        }
        prev_val = row[3];
        if (o->stop.on != STOP_NONE && stop_update(&o->stop, &ss, row[o->stop.on == STOP_VAL_LOSS ? 3 : 4], ep, net)) {
            stopped = 1;
            if (pf) fprintf(pf, "fit: early stop after epoch %lld: %s has not improved for %d epochs (best %.6g in epoch %lld)\n",
                            (long long)ep, o->stop.on == STOP_VAL_LOSS ? "val_loss" : "val_acc", o->stop.patience,
                            ss.best, (long long)ss.best_epoch);
        }
        if (o->epoch_hook) {
            /* the hook sees the change log so far on the history (a checkpoint writes it) */
            hist->changes = as ? (Table *)rdn_adapt_log(as) : NULL;
            int h = o->epoch_hook(o->hook_ctx, net, hist, &ss, stopped || ci + 1 == o->epochs, err);
            hist->changes = NULL;
            if (h < 0) goto fail;
            if (h > 0) stopped = 1;
        }
    }
    if (ss.best_params && ss.best_epoch > 0 && ss.best_epoch != st->epoch) {
        memcpy(net->params, ss.best_params, (size_t)net->nparams * sizeof(float));
        if (pf) fprintf(pf, "fit: restored the parameters of epoch %lld (best %s %.6g)\n", (long long)ss.best_epoch,
                        o->stop.on == STOP_VAL_LOSS ? "val_loss" : "val_acc", ss.best);
    }
    goto done;
fail:
    rc = -1;
done:
    if (as) {
        /* the change log rides on the history; adapt_log (if asked) gets its own copy */
        hist->changes = rdn_adapt_take_log(as);
        rdn_adapt_end(as);
        if (hist->changes && adapt_log && rc == 0 && !(*adapt_log = rdn_table_copy(hist->changes, err)))
            rc = -1;
    }
    ws_free(&w);
    free(backup); free(idx); free(yb); free(ss.best_params);
    *history = hist; /* also after an error or interruption: the finished epochs */
    return rc;
}
