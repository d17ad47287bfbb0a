/* test_train_steer.c: what steers training (issue 13): optimizer state across fits (three
 * one-epoch fits equal one three-epoch fit, bit for bit, for every optimizer), weight decay and
 * gradient clipping against hand-computed steps, early stopping restoring the best epoch's
 * parameters, the initialisation schemes' drawn ranges and variances against their closed forms,
 * and input gradients against double-precision central differences of an independent loss. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "net.h"
#include "tensor.h"

static Dataset *blobs(int n, int dim, int classes, uint64_t seed)
{
    Dataset *d = rdn_dataset_new(n, dim, classes, NULL);
    RdnRng r;
    rdn_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        d->y[i] = i % classes;
        for (int j = 0; j < dim; j++) d->x[i * dim + j] = (float)(0.5 * rdn_rng_normal(&r) + ((j % classes) == d->y[i]));
    }
    return d;
}

static void fit_quiet(Net *net, const Dataset *ds, const Dataset *val, FitOpts *o)
{
    RdnErr err = {0};
    Table *h = NULL;
    o->quiet = 1;
    int rc = rdn_fit(net, ds, val, o, &h, NULL, &err);
    CHECK(rc == 0, "fit: %s", err.msg);
    rdn_table_free(h);
}

/* ---- three calls equal one call ---- */
static void test_continue(void)
{
    Dataset *ds = blobs(50, 4, 3, 1);
    for (int opt = 0; opt < 3; opt++) {
        NetSpec sp = {NET_RESNET, 4, 4, 3, 3, ACT_LOGISTIC, 1, 1.0f, 7};
        RdnErr err;
        Net *a = rdn_net_new(&sp, &err), *b = rdn_net_new(&sp, &err);
        FitOpts o;
        rdn_fit_defaults(&o);
        o.opt = (OptKind)opt; o.lr = 0.05; o.batch = 8; o.shuffle_seed = 99;
        o.epochs = 3;
        fit_quiet(a, ds, NULL, &o);
        o.epochs = 1;
        for (int i = 0; i < 3; i++) fit_quiet(b, ds, NULL, &o);
        CHECK(memcmp(a->params, b->params, sizeof(float) * a->nparams) == 0, "opt %d: 3 x 1 epoch != 1 x 3 epochs", opt);
        CHECK(a->opt.epoch == 3 && b->opt.epoch == 3 && b->epochs == 3, "epoch counters");
        /* without the state (what fit did before): different bits */
        Net *c = rdn_net_new(&sp, &err);
        for (int i = 0; i < 3; i++) {
            fit_quiet(c, ds, NULL, &o);
            rdn_opt_reset(&c->opt);
        }
        CHECK(memcmp(a->params, c->params, sizeof(float) * a->nparams) != 0, "opt %d: the state made no difference", opt);
        rdn_net_free(a); rdn_net_free(b); rdn_net_free(c);
    }
    rdn_dataset_free(ds);
}

/* ---- weight decay and clipping: one full-batch step by hand ---- */
static void test_decay_clip(void)
{
    Dataset *ds = blobs(12, 3, 3, 2);
    for (int opt = 0; opt < 3; opt++)
        for (int variant = 0; variant < 2; variant++) { /* 0: weight decay, 1: clip */
            NetSpec sp = {NET_RESNET, 3, 3, 2, 3, ACT_TANH, 1, 1.0f, 4};
            RdnErr err;
            Net *net = rdn_net_new(&sp, &err), *ref = rdn_net_clone(net, &err);
            FitOpts o;
            rdn_fit_defaults(&o);
            o.epochs = 2; o.batch = 12; o.lr = 0.1; o.opt = (OptKind)opt; o.momentum = 0.5;
            double wd = variant == 0 ? 0.3 : 0, clip = variant == 1 ? 0.05 : 0;
            o.weight_decay = wd;
            o.clip = clip;
            fit_quiet(net, ds, NULL, &o);
            int64_t np = ref->nparams;
            double *m = calloc(np, sizeof(double)), *v = calloc(np, sizeof(double));
            for (int s = 1; s <= 2; s++) {
                double L;
                rdn_net_loss_grad(ref, ds->x, ds->y, 12, LOSS_XENT, &L, &err);
                double nrm = 0;
                for (int64_t i = 0; i < np; i++) nrm += (double)ref->grads[i] * ref->grads[i];
                nrm = sqrt(nrm);
                double sc = clip > 0 && nrm > clip ? clip / nrm : 1;
                if (variant == 1) CHECK(nrm > clip, "the clip must bite (norm %g)", nrm);
                for (int64_t i = 0; i < np; i++) {
                    double g = ref->grads[i] * sc, p = ref->params[i];
                    if (opt == OPT_SGD) p -= 0.1 * (g + wd * p);
                    else if (opt == OPT_MOMENTUM) { m[i] = 0.5 * m[i] + g + wd * p; p -= 0.1 * m[i]; }
                    else {
                        p *= 1 - 0.1 * wd; /* AdamW: decoupled */
                        m[i] = 0.9 * m[i] + 0.1 * g;
                        v[i] = 0.999 * v[i] + 0.001 * g * g;
                        double mh = m[i] / (1 - pow(0.9, s)), vh = v[i] / (1 - pow(0.999, s));
                        p -= 0.1 * mh / (sqrt(vh) + 1e-8);
                    }
                    ref->params[i] = (float)p;
                }
            }
            double maxd = 0;
            for (int64_t i = 0; i < np; i++) maxd = fmax(maxd, fabs(net->params[i] - ref->params[i]));
            CHECK(maxd < 2e-5, "opt %d %s: max diff %g", opt, variant ? "clip" : "weight decay", maxd);
            free(m); free(v);
            rdn_net_free(net); rdn_net_free(ref);
        }
    rdn_dataset_free(ds);
}

/* ---- early stopping: the final parameters are those after the best epoch ---- */
typedef struct Snap { int n; float *p[64]; double val[64]; } Snap;
static int snap_hook(void *ctx, Net *net, const Table *hist, const StopState *st, int fin, RdnErr *err)
{
    Snap *s = ctx;
    s->p[s->n] = malloc(sizeof(float) * net->nparams);
    memcpy(s->p[s->n], net->params, sizeof(float) * net->nparams);
    s->val[s->n] = hist->cols[3].num[hist->nrows - 1];
    s->n++;
    return 0;
}

static void test_early_stop(void)
{
    Dataset *tr = blobs(60, 4, 3, 3), *va = blobs(30, 4, 3, 4);
    NetSpec sp = {NET_RESNET, 4, 4, 3, 3, ACT_LOGISTIC, 1, 1.0f, 2};
    RdnErr err;
    Net *net = rdn_net_new(&sp, &err);
    FitOpts o;
    rdn_fit_defaults(&o);
    /* a rate so large the validation loss bounces: the best epoch is not the last */
    o.epochs = 40; o.batch = 4; o.lr = 3.0; o.shuffle_seed = 5;
    o.stop = (StopOpts){STOP_VAL_LOSS, 3, 0.0, 1};
    Snap s = {0};
    o.epoch_hook = snap_hook;
    o.hook_ctx = &s;
    fit_quiet(net, tr, va, &o);
    int best = 0;
    for (int i = 1; i < s.n; i++)
        if (s.val[i] < s.val[best]) best = i;
    CHECK(s.n < 40, "stopped early (%d epochs)", s.n);
    CHECK(best != s.n - 1, "the best epoch (%d) should not be the last (%d) for this test to mean something", best + 1, s.n);
    CHECK(s.n - 1 - best == 3, "stopped %d epochs after the best, patience 3", s.n - 1 - best);
    CHECK(memcmp(net->params, s.p[best], sizeof(float) * net->nparams) == 0, "parameters of epoch %d restored", best + 1);
    double L;
    rdn_net_evaluate(net, va, LOSS_XENT, &L, NULL, &err);
    CHECK(L == s.val[best], "restored val loss %g vs best %g", L, s.val[best]);
    for (int i = 0; i < s.n; i++) free(s.p[i]);
    rdn_net_free(net);
    rdn_dataset_free(tr); rdn_dataset_free(va);
}

/* ---- a hook failing after epoch 2: an error, the net and history keep epoch 2 ---- */
static int failing_hook(void *ctx, Net *net, const Table *hist, const StopState *st, int fin, RdnErr *err)
{
    snap_hook(ctx, net, hist, st, fin, err);
    return hist->nrows == 2 ? rdn_err(err, "callback failed") : 0;
}

static void test_hook_error(void)
{
    Dataset *tr = blobs(40, 4, 3, 3);
    NetSpec sp = {NET_RESNET, 4, 4, 3, 3, ACT_LOGISTIC, 1, 1.0f, 2};
    RdnErr err = {0};
    Net *net = rdn_net_new(&sp, &err);
    FitOpts o;
    rdn_fit_defaults(&o);
    o.epochs = 5; o.quiet = 1; o.opt = OPT_MOMENTUM;
    Snap s = {0};
    o.epoch_hook = failing_hook;
    o.hook_ctx = &s;
    Table *h = NULL;
    int rc = rdn_fit(net, tr, NULL, &o, &h, NULL, &err);
    CHECK(rc == RDN_ERROR && strstr(err.msg, "callback failed"), "rc %d: %s", rc, err.msg);
    CHECK(h && h->nrows == 2 && net->epochs == 2 && net->opt.epoch == 2, "two epochs kept");
    CHECK(s.n == 2 && memcmp(net->params, s.p[1], sizeof(float) * net->nparams) == 0, "the net holds epoch 2");
    for (int i = 0; i < s.n; i++) free(s.p[i]);
    rdn_table_free(h);
    rdn_net_free(net);
    rdn_dataset_free(tr);
}

/* ---- initialisation: range and variance against the closed forms ---- */
static void moments(const float *x, int64_t n, double *mean, double *var, double *amax)
{
    double s = 0, ss = 0, m = 0;
    for (int64_t i = 0; i < n; i++) s += x[i];
    s /= n;
    for (int64_t i = 0; i < n; i++) ss += (x[i] - s) * (x[i] - s), m = fmax(m, fabs(x[i]));
    *mean = s, *var = ss / (n - 1), *amax = m;
}

static void test_init(void)
{
    int d = 200;
    RdnErr err;
    NetSpec sp = {NET_MLP, d, d, 3, 2, ACT_LOGISTIC, 0, 1.0f, 11};
    int64_t nw = (int64_t)3 * d * d;
    double mean, var, amax;
    /* pytorch: U(+-1/sqrt(d)), variance 1/(3d) */
    Net *n0 = rdn_net_new(&sp, &err);
    moments(n0->W, nw, &mean, &var, &amax);
    double a = 1 / sqrt((double)d);
    CHECK(amax <= a && amax > 0.999 * a, "pytorch range %g vs %g", amax, a);
    CHECK(fabs(var / (a * a / 3) - 1) < 0.01, "pytorch variance %g vs %g", var, a * a / 3);
    /* glorot, logistic: gain 4, U(+-4 sqrt(6/(2d))) */
    InitSpec is = {INIT_GLOROT, 0, 0};
    Net *n1 = rdn_net_new_init(&sp, &is, &err);
    a = 4 * sqrt(6.0 / (2 * d));
    moments(n1->W, nw, &mean, &var, &amax);
    CHECK(amax <= a && amax > 0.999 * a, "glorot range %g vs %g", amax, a);
    CHECK(fabs(var / (a * a / 3) - 1) < 0.01, "glorot variance %g vs %g", var, a * a / 3);
    CHECK(memcmp(n1->b, n0->b, sizeof(float) * 3 * d) == 0, "biases stay PyTorch's");
    /* glorot is the pytorch draw scaled by 4 sqrt(3) (same stream): the paper's hand scaling */
    double maxrel = 0;
    for (int64_t i = 0; i < nw; i++) maxrel = fmax(maxrel, fabs(n1->W[i] - n0->W[i] * 4 * sqrt(3.0)));
    CHECK(maxrel < 1e-6, "glorot = pytorch x 4 sqrt(3): %g", maxrel);
    /* gain given; tanh default gain 1 */
    NetSpec st = sp;
    st.act = ACT_TANH;
    is.gain = 0;
    Net *n2 = rdn_net_new_init(&st, &is, &err);
    moments(n2->W, nw, &mean, &var, &amax);
    a = sqrt(6.0 / (2 * d));
    CHECK(amax <= a && amax > 0.999 * a, "glorot tanh range %g vs %g", amax, a);
    /* normal: std 0.05, gain 2 -> variance 0.01 */
    InitSpec isn = {INIT_NORMAL, 2.0, 0.05};
    Net *n3 = rdn_net_new_init(&sp, &isn, &err);
    moments(n3->W, nw, &mean, &var, &amax);
    CHECK(fabs(var / 0.01 - 1) < 0.01 && fabs(mean) < 0.001, "normal variance %g vs 0.01, mean %g", var, mean);
    /* orthogonal: W^T W = gain^2 I (gain 4 for logistic) */
    InitSpec iso = {INIT_ORTHOGONAL, 0, 0};
    NetSpec so = {NET_MLP, 20, 20, 2, 2, ACT_LOGISTIC, 0, 1.0f, 3};
    Net *n4 = rdn_net_new_init(&so, &iso, &err);
    for (int t = 0; t < 2; t++) {
        const float *W = n4->W + t * 400;
        double md = 0;
        for (int i = 0; i < 20; i++)
            for (int j = 0; j < 20; j++) {
                double s = 0;
                for (int k = 0; k < 20; k++) s += (double)W[k * 20 + i] * W[k * 20 + j];
                md = fmax(md, fabs(s - (i == j ? 16.0 : 0.0)));
            }
        CHECK(md < 1e-4, "orthogonal layer %d: max |W^T W - 16 I| = %g", t, md);
    }
    rdn_net_free(n0); rdn_net_free(n1); rdn_net_free(n2); rdn_net_free(n3); rdn_net_free(n4);
}

/* ---- input gradients against central differences of a double-precision loss ---- */
static double actf(Act a, double z) { return a == ACT_LOGISTIC ? 1 / (1 + exp(-z)) : a == ACT_TANH ? tanh(z) : (z > 0 ? z : 0); }

/* the loss of one input x (double) straight from docs/model.md ("Losses"), parameters read as doubles */
static double loss1(const Net *net, const double *x, int y, LossKind loss)
{
    int d = net->width, D = net->in, T = net->depth, k = net->classes;
    double h[16], h2[16], lg[8];
    for (int j = 0; j < d; j++) {
        if (net->embed) {
            double s = net->e[j];
            for (int q = 0; q < D; q++) s += (double)net->E[j * D + q] * x[q];
            h[j] = s;
        } else h[j] = x[j];
    }
    for (int t = 0; t < T; t++) {
        const float *W = rdn_net_W(net, t), *b = rdn_net_b(net, t);
        for (int j = 0; j < d; j++) {
            double z = b[j];
            for (int q = 0; q < d; q++) z += (double)W[j * d + q] * h[q];
            h2[j] = net->kind == NET_RESNET ? h[j] + net->step * actf(net->act, z) : actf(net->act, z);
        }
        memcpy(h, h2, sizeof h);
    }
    double mx = -1e300, se = 0;
    for (int a = 0; a < k; a++) {
        double s = net->c[a];
        for (int q = 0; q < d; q++) s += (double)net->V[a * d + q] * h[q];
        lg[a] = s;
        mx = fmax(mx, s);
    }
    for (int a = 0; a < k; a++) se += exp(lg[a] - mx);
    if (loss == LOSS_XENT) return log(se) + mx - lg[y];
    double tot = 0;
    for (int a = 0; a < k; a++) {
        double p = exp(lg[a] - mx) / se - (a == y);
        tot += p * p / k;
    }
    return tot;
}

static void input_grad_case(NetKind kind, int shared, Act act, LossKind loss, int in, int width)
{
    NetSpec sp = {kind, in, width, 4, 3, act, shared, kind == NET_RESNET ? 0.7f : 1.0f, 21};
    RdnErr err = {0};
    Net *net = rdn_net_new(&sp, &err);
    /* larger weights than the default so every layer matters */
    for (int64_t i = 0; i < net->nparams; i++) net->params[i] *= 2.5f;
    Dataset *ds = blobs(7, in, 3, 8);
    float *g = malloc(sizeof(float) * 7 * in);
    CHECK(rdn_net_input_grad(net, ds, loss, g, &err) == 0, "%s", err.msg);
    double maxe = 0, maxg = 0;
    for (int i = 0; i < 7; i++) {
        double x[16];
        for (int q = 0; q < in; q++) x[q] = ds->x[i * in + q];
        for (int q = 0; q < in; q++) {
            double h = 1e-5, keep = x[q];
            x[q] = keep + h;
            double lp = loss1(net, x, ds->y[i], loss);
            x[q] = keep - h;
            double lm = loss1(net, x, ds->y[i], loss);
            x[q] = keep;
            double fd = (lp - lm) / (2 * h);
            maxe = fmax(maxe, fabs(fd - g[i * in + q]));
            maxg = fmax(maxg, fabs(fd));
        }
    }
    CHECK(maxe < 1e-4 * fmax(1, maxg) && maxg > 1e-4, "input_grad %s %s %s %s in %d width %d: max err %g (max |g| %g)",
          rdn_net_kind_name(kind), shared ? "shared" : "unshared", rdn_act_name(act), loss == LOSS_XENT ? "xent" : "mse",
          in, width, maxe, maxg);
    free(g);
    rdn_net_free(net);
    rdn_dataset_free(ds);
}

static void test_input_grad(void)
{
    for (int a = 0; a < 3; a++)
        for (int l = 0; l < 2; l++) {
            input_grad_case(NET_RESNET, 1, (Act)a, (LossKind)l, 5, 5);
            input_grad_case(NET_RESNET, 0, (Act)a, (LossKind)l, 5, 5);
            input_grad_case(NET_MLP, 0, (Act)a, (LossKind)l, 5, 5);
            input_grad_case(NET_RESNET, 1, (Act)a, (LossKind)l, 3, 6); /* with an embedding */
            input_grad_case(NET_MLP, 0, (Act)a, (LossKind)l, 6, 4);
        }
}

/* ---- schedules ---- */
static void test_schedules(void)
{
    LrSched st = {LR_STEP, 0.1, 0.5, 0, 2, 0, 0};
    CHECK(rdn_lr_at(&st, 1) == 0.1 && rdn_lr_at(&st, 2) == 0.1 && rdn_lr_at(&st, 3) == 0.05 && rdn_lr_at(&st, 5) == 0.025, "step_lr");
    LrSched co = {LR_COSINE, 0.1, 0, 0.01, 0, 10, 2};
    CHECK(rdn_lr_at(&co, 1) == 0.05 && rdn_lr_at(&co, 2) == 0.1, "warmup");
    CHECK(rdn_lr_at(&co, 3) == 0.1, "cosine starts at lr");
    CHECK_CLOSE(rdn_lr_at(&co, 7), 0.01 + 0.09 * (1 + cos(M_PI * 4 / 8)) / 2, 1e-15, "cosine middle");
    CHECK(rdn_lr_at(&co, 11) == 0.01, "after epochs: min");
}

int main(void)
{
    test_continue();
    test_decay_clip();
    test_early_stop();
    test_hook_error();
    test_init();
    test_input_grad();
    test_schedules();
    return DONE();
}
