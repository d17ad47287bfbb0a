/* test_net_train.c: backpropagation against double-precision central differences of an
 * independent naive loss (every kind x activation x loss, with and without an embedding, on the
 * plain-loop and the BLAS paths); optimizer steps against hand-computed values; determinism; the
 * NaN guard; learning a small spirals set. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "adapt.h"
#include "check.h"
#include "net.h"
#include "tensor.h"

static double act(Act a, double z) { return a == ACT_LOGISTIC ? 1 / (1 + exp(-z)) : a == ACT_TANH ? tanh(z) : (z > 0 ? z : 0); }

/* mean loss of the batch in double, straight from docs/model.md, reading params as doubles */
static double naive_loss(const Net *net, const double *P, const float *x, const int32_t *y, int n, LossKind loss)
{
    int d = net->width, D = net->in, T = net->depth, k = net->classes;
    const double *E = P + (net->E ? net->E - net->params : 0), *e = P + (net->e ? net->e - net->params : 0);
    const double *W = P + (net->W - net->params), *b = P + (net->b - net->params);
    const double *V = P + (net->V - net->params), *c = P + (net->c - net->params);
    double *h = malloc(sizeof(double) * d), *h2 = malloc(sizeof(double) * d), total = 0;
    for (int i = 0; i < n; i++) {
        const float *xi = x + (size_t)i * D;
        for (int j = 0; j < d; j++) {
            if (net->embed) {
                double s = e[j];
                for (int q = 0; q < D; q++) s += E[j * D + q] * xi[q];
                h[j] = s;
            } else h[j] = xi[j];
        }
        for (int t = 0; t < T; t++) {
            const double *Wt = W + (net->shared ? 0 : (size_t)t * d * d), *bt = b + (net->shared ? 0 : (size_t)t * d);
            for (int j = 0; j < d; j++) {
                double z = bt[j];
                for (int q = 0; q < d; q++) z += Wt[j * d + q] * h[q];
                h2[j] = net->kind == NET_RESNET ? h[j] + net->step * act(net->act, z) : act(net->act, z);
            }
            memcpy(h, h2, sizeof(double) * d);
        }
        double lg[16], mx = -1e300, se = 0;
        for (int a = 0; a < k; a++) {
            double s = c[a];
            for (int q = 0; q < d; q++) s += V[a * d + q] * h[q];
            lg[a] = s;
            mx = fmax(mx, s);
        }
        for (int a = 0; a < k; a++) se += exp(lg[a] - mx);
        if (loss == LOSS_XENT) total += log(se) + mx - lg[y[i]];
        else
            for (int a = 0; a < k; a++) {
                double p = exp(lg[a] - mx) / se - (a == y[i]);
                total += p * p / k;
            }
    }
    free(h); free(h2);
    return total / n;
}

static void gradcheck(NetKind kind, int shared, Act a, LossKind loss, int in, int width)
{
    NetSpec sp = {kind, in, width, 3, 3, a, shared, 0.7f, 11};
    RdnErr err = {0};
    Net *net = rdn_net_new(&sp, &err);
    CHECK(net != NULL, "%s", err.msg);
    if (!net) return;
    int n = 8;
    RdnRng r;
    rdn_rng_seed(&r, 3);
    float *x = malloc(sizeof(float) * n * in);
    int32_t y[8];
    for (int i = 0; i < n * in; i++) x[i] = (float)(2 * rdn_rng_uniform(&r) - 1);
    for (int i = 0; i < n; i++) y[i] = i % 3;
    /* perturb the init a little so that relu units are away from kinks */
    for (int64_t i = 0; i < net->nparams; i++) net->params[i] += (float)(0.3 * (rdn_rng_uniform(&r) - 0.5));
    double L;
    CHECK(rdn_net_loss_grad(net, x, y, n, loss, &L, &err) == 0, "%s", err.msg);
    double *P = malloc(sizeof(double) * net->nparams);
    for (int64_t i = 0; i < net->nparams; i++) P[i] = net->params[i];
    double L0 = naive_loss(net, P, x, y, n, loss);
    CHECK(fabs(L - L0) < 1e-5 * (1 + fabs(L0)), "loss %g vs naive %g", L, L0);
    int bad = 0;
    double worst = 0;
    for (int64_t i = 0; i < net->nparams; i++) {
        double h = 1e-5, p0 = P[i];
        P[i] = p0 + h;
        double lp = naive_loss(net, P, x, y, n, loss);
        P[i] = p0 - h;
        double lm = naive_loss(net, P, x, y, n, loss);
        P[i] = p0;
        double fd = (lp - lm) / (2 * h), g = net->grads[i];
        double rel = fabs(g - fd) / fmax(fabs(g) + fabs(fd), 1e-3);
        if (rel > worst) worst = rel;
        if (rel > 1e-2 && fabs(g - fd) > 1e-5) bad++;
    }
    CHECK(bad == 0, "%s shared=%d act=%s loss=%s in=%d width=%d: %d of %lld gradients off (worst rel %g)",
          rdn_net_kind_name(kind), shared, rdn_act_name(a), loss == LOSS_XENT ? "xent" : "mse", in, width,
          bad, (long long)net->nparams, worst);
    free(P); free(x);
    rdn_net_free(net);
}

static Dataset *spirals(int n, int classes, double noise, uint64_t seed)
{
    Dataset *d = rdn_dataset_new(n, 2, classes, NULL);
    RdnRng r;
    rdn_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int c = i % classes;
        double t = rdn_rng_uniform(&r);
        double ang = 2 * M_PI * c / classes + 3.0 * t;
        d->x[2 * i] = (float)(t * cos(ang) + noise * rdn_rng_normal(&r));
        d->x[2 * i + 1] = (float)(t * sin(ang) + noise * rdn_rng_normal(&r));
        d->y[i] = c;
    }
    return d;
}

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

/* one or two full-batch steps of each optimizer against the update computed by hand from
 * rdn_net_loss_grad's gradients */
static void test_optimizers(void)
{
    Dataset *ds = blobs(16, 4, 3, 5);
    for (int opt = 0; opt < 3; opt++)
        for (int steps = 1; steps <= 2; steps++) {
            NetSpec sp = {NET_RESNET, 4, 4, 2, 3, ACT_TANH, 1, 1.0f, 3};
            RdnErr err;
            Net *net = rdn_net_new(&sp, &err), *ref = rdn_net_clone(net, &err);
            FitOpts o;
            rdn_fit_defaults(&o);
            o.epochs = steps; o.batch = 16; o.lr = 0.05; o.opt = (OptKind)opt; o.quiet = 1;
            o.momentum = 0.8;
            Table *h = NULL;
            CHECK(rdn_fit(net, ds, NULL, &o, &h, NULL, &err) == 0, "%s", err.msg);
            int64_t np = ref->nparams;
            double *m = calloc(np, sizeof(double)), *v = calloc(np, sizeof(double));
            for (int s = 1; s <= steps; s++) {
                double L;
                rdn_net_loss_grad(ref, ds->x, ds->y, 16, LOSS_XENT, &L, &err);
                for (int64_t i = 0; i < np; i++) {
                    double g = ref->grads[i], p = ref->params[i];
                    if (opt == OPT_SGD) p -= 0.05 * g;
                    else if (opt == OPT_MOMENTUM) { m[i] = 0.8 * m[i] + g; p -= 0.05 * m[i]; }
                    else {
                        m[i] = 0.9 * m[i] + 0.1 * g;
                        v[i] = 0.999 * v[i] + 0.001 * g * g;
                        double mh = m[i] / (1 - pow(0.9, s)), vh = v[i] / (1 - pow(0.999, s));
                        p -= 0.05 * mh / (sqrt(vh) + 1e-8);
                    }
                    ref->params[i] = (float)p;
                }
            }
            double maxd = 0;
            for (int64_t i = 0; i < np; i++) maxd = fmax(maxd, fabs(net->params[i] - ref->params[i]));
            CHECK(maxd < 2e-5, "optimizer %d, %d step(s): max diff %g", opt, steps, maxd);
            CHECK(h && h->nrows == steps && h->is_history && h->ncols == 7, "history rows");
            rdn_table_free(h);
            free(m); free(v);
            rdn_net_free(net); rdn_net_free(ref);
        }
    rdn_dataset_free(ds);
}

static void test_determinism(void)
{
    Dataset *ds = blobs(200, 400, 4, 9); /* width 400: the weight-gradient product is big enough to be threaded */
    uint32_t sums[3];
    for (int run = 0; run < 3; run++) {
        rdn_blas_set_threads(run == 2 ? 1 : 2);
        NetSpec sp = {NET_RESNET, 400, 400, 5, 4, ACT_LOGISTIC, 1, 1.0f, 21};
        RdnErr err;
        Net *net = rdn_net_new(&sp, &err);
        FitOpts o;
        rdn_fit_defaults(&o);
        o.epochs = 3; o.batch = 32; o.lr = 0.1; o.opt = OPT_ADAM; o.lr = 0.01; o.quiet = 1;
        Table *h;
        CHECK(rdn_fit(net, ds, ds, &o, &h, NULL, &err) == 0, "%s", err.msg);
        uint32_t hsum = 2166136261u;
        const unsigned char *p = (const unsigned char *)net->params;
        for (size_t i = 0; i < net->nparams * sizeof(float); i++) hsum = (hsum ^ p[i]) * 16777619u;
        for (int c = 0; c < h->ncols; c++)
            for (int rr = 0; rr < h->nrows; rr++) {
                p = (const unsigned char *)&h->cols[c].num[rr];
                for (int q = 0; q < 8; q++) hsum = (hsum ^ p[q]) * 16777619u;
            }
        sums[run] = hsum;
        rdn_table_free(h);
        rdn_net_free(net);
    }
    rdn_blas_set_threads(0);
    CHECK(sums[0] == sums[1], "same seed, same threads: different bits");
    /* documented in docs/runtime.md: OpenBLAS's threaded products may round differently, so a
     * different thread count may change the last bits; the same thread count never does */
    printf("thread count 1 vs 2 gives %s bits\n", sums[0] == sums[2] ? "identical" : "different");
    rdn_dataset_free(ds);
}

/* below the threading threshold the thread count cannot matter (docs/runtime.md says so) */
static void test_small_threads(void)
{
    Dataset *ds = blobs(160, 64, 4, 9);
    uint32_t sums[2];
    for (int run = 0; run < 2; run++) {
        rdn_blas_set_threads(run + 1);
        NetSpec sp = {NET_RESNET, 64, 64, 20, 4, ACT_LOGISTIC, 1, 1.0f, 21};
        RdnErr err;
        Net *net = rdn_net_new(&sp, &err);
        FitOpts o;
        rdn_fit_defaults(&o);
        o.epochs = 2; o.batch = 32; o.lr = 0.1; o.quiet = 1;
        Table *h;
        CHECK(rdn_fit(net, ds, NULL, &o, &h, NULL, &err) == 0, "%s", err.msg);
        uint32_t hsum = 2166136261u;
        const unsigned char *p = (const unsigned char *)net->params;
        for (size_t i = 0; i < net->nparams * sizeof(float); i++) hsum = (hsum ^ p[i]) * 16777619u;
        sums[run] = hsum;
        rdn_table_free(h);
        rdn_net_free(net);
    }
    rdn_blas_set_threads(0);
    CHECK(sums[0] == sums[1], "width 64: 1 thread vs 2 threads differ");
    rdn_dataset_free(ds);
}

static void test_nan_guard(void)
{
    Dataset *ds = blobs(64, 8, 3, 4);
    NetSpec sp = {NET_MLP, 8, 8, 3, 3, ACT_RELU, 0, 1.0f, 5};
    RdnErr err = {0};
    Net *net = rdn_net_new(&sp, &err);
    FitOpts o;
    rdn_fit_defaults(&o);
    o.epochs = 50; o.batch = 8; o.lr = 1e30; o.quiet = 1;
    Table *h = NULL;
    int rc = rdn_fit(net, ds, NULL, &o, &h, NULL, &err);
    CHECK(rc == RDN_ERROR && strstr(err.msg, "epoch 1") && strstr(err.msg, "batch"), "rc %d: %s", rc, err.msg);
    int fin = 1;
    for (int64_t i = 0; i < net->nparams; i++) fin &= isfinite(net->params[i]);
    CHECK(fin, "parameters finite after the guard");
    double L;
    CHECK(rdn_net_evaluate(net, ds, LOSS_XENT, &L, NULL, &err) == 0 && isfinite(L), "restored params give a finite loss (%g)", L);
    CHECK(h != NULL, "an error returns the finished epochs");
    rdn_table_free(h);
    rdn_net_free(net);
    rdn_dataset_free(ds);
}

/* The restored parameters are exactly the last ones with a finite loss: replayed by hand on a
 * one-input set (so the shuffle cannot matter) with the same float update. */
static void test_nan_guard_exact(void)
{
    Dataset *ds = blobs(1, 6, 3, 4);
    NetSpec sp = {NET_MLP, 6, 6, 3, 3, ACT_RELU, 0, 1.0f, 5};
    RdnErr err = {0};
    Net *net = rdn_net_new(&sp, &err), *ref = rdn_net_clone(net, &err);
    FitOpts o;
    rdn_fit_defaults(&o);
    o.epochs = 100; o.batch = 1; o.lr = 1e25; o.quiet = 1;
    Table *h = NULL;
    int rc = rdn_fit(net, ds, NULL, &o, &h, NULL, &err);
    CHECK(rc == RDN_ERROR, "the run should diverge");
    float *backup = malloc(sizeof(float) * ref->nparams);
    memcpy(backup, ref->params, sizeof(float) * ref->nparams);
    int steps = 0;
    for (; steps < 100; steps++) {
        double L;
        rdn_net_loss_grad(ref, ds->x, ds->y, 1, LOSS_XENT, &L, &err);
        if (!isfinite(L)) break;
        memcpy(backup, ref->params, sizeof(float) * ref->nparams);
        int fin = 1;
        for (int64_t i = 0; i < ref->nparams; i++) {
            ref->params[i] -= (float)o.lr * ref->grads[i];
            fin &= isfinite(ref->params[i]);
        }
        if (!fin) break;
    }
    char want[64];
    snprintf(want, sizeof want, "epoch %d, batch 1", steps + 1);
    CHECK(strstr(err.msg, want) != NULL, "expected '%s' in: %s", want, err.msg);
    CHECK(memcmp(net->params, backup, sizeof(float) * net->nparams) == 0, "restored parameters differ from the last good ones");
    free(backup);
    rdn_net_free(net); rdn_net_free(ref);
    rdn_dataset_free(ds);
    rdn_table_free(h);
}

static void test_interrupt(void)
{
    Dataset *ds = blobs(64, 8, 3, 4);
    NetSpec sp = {NET_RESNET, 8, 8, 3, 3, ACT_LOGISTIC, 1, 1.0f, 5};
    RdnErr err = {0};
    Net *net = rdn_net_new(&sp, &err);
    FitOpts o;
    rdn_fit_defaults(&o);
    o.quiet = 1;
    Table *h = NULL;
    rdn_interrupt = 1;
    int rc = rdn_fit(net, ds, NULL, &o, &h, NULL, &err);
    rdn_interrupt = 0;
    CHECK(rc == RDN_INTERRUPTED && h && h->nrows == 0, "interrupted: rc %d", rc);
    rdn_table_free(h);
    rdn_net_free(net);
    rdn_dataset_free(ds);
}

static void test_spirals(void)
{
    Dataset *tr = spirals(900, 3, 0.02, 1), *te = spirals(300, 3, 0.02, 2);
    NetSpec sp = {NET_RESNET, 2, 16, 8, 3, ACT_TANH, 1, 0.5f, 8};
    RdnErr err;
    Net *net = rdn_net_new(&sp, &err);
    FitOpts o;
    rdn_fit_defaults(&o);
    o.epochs = 150; o.batch = 32; o.lr = 0.01; o.opt = OPT_ADAM; o.quiet = 1;
    Table *h;
    CHECK(rdn_fit(net, tr, te, &o, &h, NULL, &err) == 0, "%s", err.msg);
    double acc;
    rdn_net_evaluate(net, te, LOSS_XENT, NULL, &acc, &err);
    printf("spirals: test accuracy %.3f\n", acc);
    CHECK(acc >= 0.9, "spirals test accuracy %.3f", acc);
    rdn_table_free(h);
    rdn_net_free(net);
    rdn_dataset_free(tr);
    rdn_dataset_free(te);
}

int main(void)
{
    Act acts[] = {ACT_LOGISTIC, ACT_TANH, ACT_RELU};
    for (int ai = 0; ai < 3; ai++)
        for (int l = 0; l < 2; l++) {
            gradcheck(NET_RESNET, 1, acts[ai], (LossKind)l, 3, 3);
            gradcheck(NET_RESNET, 0, acts[ai], (LossKind)l, 3, 3);
            gradcheck(NET_MLP, 0, acts[ai], (LossKind)l, 3, 3);
            gradcheck(NET_RESNET, 1, acts[ai], (LossKind)l, 4, 5);   /* embedding */
            gradcheck(NET_RESNET, 0, acts[ai], (LossKind)l, 4, 5);
            gradcheck(NET_MLP, 0, acts[ai], (LossKind)l, 4, 5);
            gradcheck(NET_RESNET, 1, acts[ai], (LossKind)l, 2, 2);   /* the paper's 2-D setting */
            gradcheck(NET_RESNET, 0, acts[ai], (LossKind)l, 3, 4);
            gradcheck(NET_RESNET, 1, acts[ai], (LossKind)l, 20, 20); /* BLAS path */
            gradcheck(NET_RESNET, 0, acts[ai], (LossKind)l, 18, 20);
            gradcheck(NET_MLP, 0, acts[ai], (LossKind)l, 20, 20);
        }
    test_optimizers();
    test_determinism();
    test_small_threads();
    test_nan_guard();
    test_nan_guard_exact();
    test_interrupt();
    test_spirals();
    return DONE();
}
