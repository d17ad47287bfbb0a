/* test_layer.c: the layer functions of net_impl.h. rdn_layer_bwd against central differences of
 * a double-precision reference layer (dL/dh_t, and the weight gradients dz^T h_t and colsum dz
 * the caller forms from its dz); rdn_layer_fwd giving the same bits on the portable and the AVX2
 * path, special values included; and whole training runs giving the same bits on every path and
 * with 1, 2 and 3 threads, at widths that cross the kernels' tiles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "isa.h"
#include "net.h"
#include "net_impl.h"
#include "tensor.h"

static double act(Act a, double z) { return a == ACT_LOGISTIC ? 1 / (1 + exp(-z)) : a == ACT_TANH ? tanh(z) : (z > 0 ? z : 0); }
static float frand(RdnRng *r) { return (float)(2 * rdn_rng_uniform(r) - 1); }

/* L = sum_ij g_ij h_{t+1, ij} for layer 0 of net in double, from h [n, d], W, b given as doubles */
static double ref_loss(const Net *net, const double *h, const double *W, const double *b,
                       const float *g, int n)
{
    int d = net->width;
    double L = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) {
            double z = b[j];
            for (int q = 0; q < d; q++) z += W[j * d + q] * h[i * d + q];
            double hn = net->kind == NET_RESNET ? h[i * d + j] + net->step * act(net->act, z) : act(net->act, z);
            L += g[i * d + j] * hn;
        }
    return L;
}

static void gradcheck_layer(NetKind kind, Act a, int d, int n)
{
    RdnErr err;
    NetSpec sp = {kind, d, d, 1, 3, a, kind == NET_RESNET, 0.7f, 11};
    Net *net = rdn_net_new(&sp, &err);
    RdnRng r;
    rdn_rng_seed(&r, 5);
    float *h = malloc(sizeof(float) * n * d), *hn = malloc(sizeof(float) * n * d);
    float *dv = malloc(sizeof(float) * n * d), *g = malloc(sizeof(float) * n * d);
    float *dh = malloc(sizeof(float) * n * d), *dz = malloc(sizeof(float) * n * d);
    double *hd = malloc(sizeof(double) * n * d), *Wd = malloc(sizeof(double) * d * d), *bd = malloc(sizeof(double) * d);
    for (int i = 0; i < n * d; i++) h[i] = frand(&r), g[i] = frand(&r), hd[i] = h[i];
    for (int i = 0; i < d * d; i++) Wd[i] = net->W[i];
    for (int i = 0; i < d; i++) bd[i] = net->b[i];
    rdn_layer_fwd(net, 0, NULL, h, d, n, hn, d, NULL, 0, dv);
    rdn_layer_bwd(dh, dz, g, dv, net, 0, n);
    const double eps = 1e-5;
    double worst = 0;
    /* dL/dh_t */
    for (int i = 0; i < n * d; i++) {
        double keep = hd[i];
        hd[i] = keep + eps;
        double lp = ref_loss(net, hd, Wd, bd, g, n);
        hd[i] = keep - eps;
        double lm = ref_loss(net, hd, Wd, bd, g, n);
        hd[i] = keep;
        double fd = (lp - lm) / (2 * eps);
        worst = fmax(worst, fabs(fd - dh[i]) / (1e-3 + fabs(fd)));
    }
    /* dL/dW = dz^T h_t and dL/db = colsum dz */
    for (int j = 0; j < d; j++)
        for (int q = 0; q <= d; q++) {
            double *p = q < d ? &Wd[j * d + q] : &bd[j], keep = *p;
            *p = keep + eps;
            double lp = ref_loss(net, hd, Wd, bd, g, n);
            *p = keep - eps;
            double lm = ref_loss(net, hd, Wd, bd, g, n);
            *p = keep;
            double fd = (lp - lm) / (2 * eps), an = 0;
            for (int i = 0; i < n; i++) an += (double)dz[i * d + j] * (q < d ? h[i * d + q] : 1.0);
            worst = fmax(worst, fabs(fd - an) / (1e-3 + fabs(fd)));
        }
    CHECK(worst < 2e-3, "rdn_layer_bwd %s %s d=%d n=%d: relative error %g against central differences",
          rdn_net_kind_name(kind), rdn_act_name(a), d, n, worst);
    /* in place (dh_prev == dh_next, dz == deriv): the same bits */
    memcpy(dh, g, sizeof(float) * n * d);
    float *dz0 = malloc(sizeof(float) * n * d), *dh0 = malloc(sizeof(float) * n * d);
    rdn_layer_bwd(dh0, dz0, g, dv, net, 0, n);
    rdn_layer_bwd(dh, dv, dh, dv, net, 0, n);
    CHECK(!memcmp(dh, dh0, sizeof(float) * n * d) && !memcmp(dv, dz0, sizeof(float) * n * d),
          "rdn_layer_bwd in place differs (%s)", rdn_net_kind_name(kind));
    free(dz0); free(dh0);
    free(h); free(hn); free(dv); free(g); free(dh); free(dz); free(hd); free(Wd); free(bd);
    rdn_net_free(net);
}

/* rdn_layer_fwd on the portable and the AVX2 path: identical h_next, r and deriv, with biases
 * that put special values into z (W = 0 then z = b exactly). */
static void fwd_paths(NetKind kind, Act a)
{
    if (!rdn_isa_supported(RDN_ISA_AVX2)) return;
    RdnErr err;
    int d = 37, n = 5;
    NetSpec sp = {kind, d, d, 2, 3, a, 0, 0.3f, 3};
    Net *net = rdn_net_new(&sp, &err);
    static const float special[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, 100.0f, -100.0f, 87.5f,
                                    -88.5f, 1e-30f, -1e-40f, 20.0f, -20.0f};
    float *W1 = net->W + d * d, *b1 = net->b + d;
    memset(W1, 0, sizeof(float) * d * d);
    for (int j = 0; j < d; j++) b1[j] = j < 13 ? special[j] : (float)(j - 25) * 0.77f;
    RdnRng r;
    rdn_rng_seed(&r, 9);
    float h[5 * 37], out[2][3][5 * 37];
    for (int i = 0; i < n * d; i++) h[i] = 3 * frand(&r);
    RdnErr e2;
    for (int t = 0; t < 2; t++) {
        for (int p = 0; p < 2; p++) {
            rdn_isa_force(p ? "avx2" : "generic", &e2);
            rdn_layer_fwd(net, t, NULL, h, d, n, out[p][0], d, out[p][1], d, out[p][2]);
        }
        rdn_isa_force(NULL, &e2);
        CHECK(!memcmp(out[0], out[1], sizeof out[0]), "rdn_layer_fwd %s %s layer %d: generic and avx2 differ",
              rdn_net_kind_name(kind), rdn_act_name(a), t);
    }
    rdn_net_free(net);
}

/* A short training run: the parameters' bits for each path and thread count. */
static void train_paths(NetKind kind, int shared, int d, int T, int B, int n, int embed)
{
    RdnErr err;
    RdnRng r;
    rdn_rng_seed(&r, 21);
    int D = embed ? d + 5 : d;
    Dataset *ds = rdn_dataset_new(n, D, 4, &err);
    for (int64_t i = 0; i < (int64_t)n * D; i++) ds->x[i] = frand(&r);
    for (int i = 0; i < n; i++) ds->y[i] = (int32_t)rdn_rng_below(&r, 4);
    float *first = NULL;
    int64_t np = 0;
    for (int p = RDN_ISA_GENERIC; p <= RDN_ISA_AVX512; p++) {
        if (!rdn_isa_supported((RdnIsa)p)) continue;
        for (int th = 1; th <= 3; th++) {
            rdn_isa_force(rdn_isa_name((RdnIsa)p), &err);
            rdn_blas_set_threads(th);
            NetSpec sp = {kind, D, d, T, 4, ACT_LOGISTIC, shared, 0.5f, 4};
            Net *net = rdn_net_new(&sp, &err);
            FitOpts o;
            rdn_fit_defaults(&o);
            o.epochs = 2; o.batch = B; o.lr = 0.05; o.quiet = 1; o.opt = OPT_MOMENTUM;
            Table *h = NULL;
            CHECK(rdn_fit(net, ds, NULL, &o, &h, NULL, &err) == 0, "%s", err.msg);
            rdn_table_free(h);
            float *lg = malloc(sizeof(float) * n * 4);
            rdn_net_forward(net, ds->x, n, lg, NULL, NULL, &err);
            if (!first) {
                np = net->nparams;
                first = malloc(sizeof(float) * (np + (size_t)n * 4));
                memcpy(first, net->params, sizeof(float) * np);
                memcpy(first + np, lg, sizeof(float) * n * 4);
            } else
                CHECK(!memcmp(first, net->params, sizeof(float) * np) && !memcmp(first + np, lg, sizeof(float) * n * 4),
                      "training %s shared=%d d=%d embed=%d: path %s with %d threads differs from generic, 1 thread",
                      rdn_net_kind_name(kind), shared, d, embed, rdn_isa_name((RdnIsa)p), th);
            free(lg);
            rdn_net_free(net);
        }
    }
    rdn_isa_force(NULL, &err);
    rdn_blas_set_threads(0);
    free(first);
    rdn_dataset_free(ds);
}

int main(void)
{
    Act acts[] = {ACT_LOGISTIC, ACT_TANH, ACT_RELU};
    for (int k = 0; k < 2; k++)
        for (int a = 0; a < 3; a++) {
            NetKind kind = k ? NET_MLP : NET_RESNET;
            gradcheck_layer(kind, acts[a], 7, 3);
            gradcheck_layer(kind, acts[a], 2, 5);
            fwd_paths(kind, acts[a]);
        }
    gradcheck_layer(NET_RESNET, ACT_LOGISTIC, 19, 8);
    train_paths(NET_RESNET, 1, 2, 12, 16, 64, 0);
    train_paths(NET_RESNET, 1, 64, 4, 32, 96, 0);
    train_paths(NET_RESNET, 1, 67, 3, 20, 60, 1);
    train_paths(NET_MLP, 0, 33, 3, 17, 51, 0);
    train_paths(NET_RESNET, 1, 200, 2, 16, 48, 0);
    return DONE();
}
