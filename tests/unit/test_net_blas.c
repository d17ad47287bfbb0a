/* test_net_blas.c: the BLAS wrapper against the plain-C reference loops (every transpose, leading
 * dimensions larger than the rows, alpha/beta), and the forward pass against a naive
 * double-precision evaluation of the formulas of docs/model.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "net.h"
#include "tensor.h"

float rdn_logistic(float z); /* net_impl.h */

static float frand(RdnRng *r) { return (float)(2 * rdn_rng_uniform(r) - 1); }

static void test_gemm(void)
{
    RdnRng r;
    rdn_rng_seed(&r, 1);
    int shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 10, 128}, {2, 2, 0}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
                int lda = ac + 3, ldb = bc + 1, ldc = n + 2;
                float *A = malloc(sizeof(float) * (ar * lda + 1)), *B = malloc(sizeof(float) * (br * ldb + 1));
                float *C1 = malloc(sizeof(float) * m * ldc), *C2 = malloc(sizeof(float) * m * ldc);
                for (int i = 0; i < ar * lda; i++) A[i] = frand(&r);
                for (int i = 0; i < br * ldb; i++) B[i] = frand(&r);
                for (int i = 0; i < m * ldc; i++) C1[i] = C2[i] = frand(&r);
                rdn_sgemm(ta, tb, m, n, k, 0.7f, A, lda, B, ldb, 0.3f, C1, ldc);
                rdn_blas_use_reference(1);
                rdn_sgemm(ta, tb, m, n, k, 0.7f, A, lda, B, ldb, 0.3f, C2, ldc);
                rdn_blas_use_reference(0);
                double maxd = 0;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < ldc; j++) {
                        double dd = fabs(C1[i * ldc + j] - C2[i * ldc + j]);
                        if (j >= n) CHECK(dd == 0, "padding touched at %d,%d", i, j);
                        else if (dd > maxd) maxd = dd;
                    }
                CHECK(maxd < 1e-4 * (k + 1), "sgemm %dx%dx%d ta=%d tb=%d: max diff %g", m, n, k, ta, tb, maxd);
                /* beta = 0 ignores NaN in C */
                for (int i = 0; i < m * ldc; i++) C1[i] = NAN;
                rdn_sgemm(ta, tb, m, n, k, 1, A, lda, B, ldb, 0, C1, ldc);
                int nan = 0;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) nan |= isnan(C1[i * ldc + j]);
                CHECK(!nan, "beta=0 must overwrite C (%dx%dx%d)", m, n, k);
                free(A); free(B); free(C1); free(C2);
            }
    for (int ta = 0; ta < 2; ta++) {
        int mr = 13, nc = 21, lda = 25;
        float A[13 * 25], x[21], y1[21], y2[21];
        for (int i = 0; i < mr * lda; i++) A[i] = frand(&r);
        for (int i = 0; i < 21; i++) x[i] = frand(&r), y1[i] = y2[i] = frand(&r);
        rdn_sgemv(ta, mr, nc, 1.5f, A, lda, x, 0.5f, y1);
        rdn_sgemv_ref(ta, mr, nc, 1.5f, A, lda, x, 0.5f, y2);
        double maxd = 0;
        for (int i = 0; i < (ta ? nc : mr); i++) maxd = fmax(maxd, fabs(y1[i] - y2[i]));
        CHECK(maxd < 1e-4, "sgemv ta=%d: %g", ta, maxd);
    }
    CHECK(strstr(rdn_blas_name(), "OpenBLAS") != NULL, "blas name %s", rdn_blas_name());
    rdn_blas_set_threads(1);
    CHECK(rdn_blas_threads() == 1, "threads %d", rdn_blas_threads());
    rdn_blas_set_threads(0);
    CHECK(rdn_blas_threads() >= 1, "threads %d", rdn_blas_threads());
}

static double act(Act a, double z) { return a == ACT_LOGISTIC ? 1 / (1 + exp(-z)) : a == ACT_TANH ? tanh(z) : (z > 0 ? z : 0); }

/* naive forward of one input in double: states [T+1][d], logits [k] */
static void naive(const Net *net, const float *x, double *st, double *lg)
{
    int d = net->width, D = net->in, T = net->depth;
    for (int j = 0; j < d; j++) {
        if (net->embed) {
            double s = net->e[j];
            for (int q = 0; q < D; q++) s += (double)net->E[j * D + q] * x[q];
            st[j] = s;
        } else st[j] = x[j];
    }
    for (int t = 0; t < T; t++) {
        const float *W = rdn_net_W(net, t), *b = rdn_net_b(net, t);
        for (int j = 0; j < d; j++) {
            double z = b[j];
            for (int q = 0; q < d; q++) z += (double)W[j * d + q] * st[t * d + q];
            st[(t + 1) * d + j] = net->kind == NET_RESNET ? st[t * d + j] + net->step * act(net->act, z) : act(net->act, z);
        }
    }
    for (int c = 0; c < net->classes; c++) {
        double s = net->c[c];
        for (int q = 0; q < d; q++) s += (double)net->V[c * d + q] * st[T * d + q];
        lg[c] = s;
    }
}

static void test_forward(void)
{
    struct { NetKind kind; int in, width, depth, shared; Act act; } cases[] = {
        {NET_RESNET, 3, 3, 5, 1, ACT_LOGISTIC}, {NET_RESNET, 20, 20, 4, 1, ACT_TANH},
        {NET_RESNET, 20, 20, 3, 0, ACT_RELU}, {NET_RESNET, 5, 24, 3, 1, ACT_LOGISTIC},
        {NET_MLP, 4, 4, 3, 0, ACT_TANH}, {NET_MLP, 30, 17, 2, 0, ACT_LOGISTIC},
    };
    RdnRng r;
    rdn_rng_seed(&r, 2);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        NetSpec sp = {cases[c].kind, cases[c].in, cases[c].width, cases[c].depth, 4, cases[c].act,
                      cases[c].shared, 0.5f, 99};
        RdnErr err = {0};
        Net *net = rdn_net_new(&sp, &err);
        CHECK(net != NULL, "%s", err.msg);
        if (!net) continue;
        int n = 300, D = net->in, d = net->width, T = net->depth, k = 4; /* 300 > one chunk */
        float *x = malloc(sizeof(float) * n * D), *lg = malloc(sizeof(float) * n * k);
        float *st = malloc(sizeof(float) * n * (T + 1) * d), *rs = malloc(sizeof(float) * n * T * d);
        float *lg2 = malloc(sizeof(float) * n * k);
        for (int i = 0; i < n * D; i++) x[i] = 2 * frand(&r);
        CHECK(rdn_net_forward(net, x, n, lg, st, rs, &err) == 0, "%s", err.msg);
        CHECK(rdn_net_forward(net, x, n, lg2, NULL, NULL, &err) == 0, "%s", err.msg);
        CHECK(memcmp(lg, lg2, sizeof(float) * n * k) == 0, "logits with and without recording differ (case %zu)", c);
        double maxs = 0, maxl = 0, maxi = 0;
        double *nst = malloc(sizeof(double) * (T + 1) * d), nlg[4];
        for (int i = 0; i < n; i++) {
            naive(net, x + i * D, nst, nlg);
            for (int q = 0; q < (T + 1) * d; q++) maxs = fmax(maxs, fabs(nst[q] - st[(size_t)i * (T + 1) * d + q]));
            for (int q = 0; q < k; q++) maxl = fmax(maxl, fabs(nlg[q] - lg[i * k + q]));
            for (int t = 0; t < T; t++)
                for (int j = 0; j < d; j++) {
                    double dr = st[(size_t)i * (T + 1) * d + (t + 1) * d + j] - st[(size_t)i * (T + 1) * d + t * d + j];
                    maxi = fmax(maxi, fabs(dr - rs[(size_t)i * T * d + t * d + j]));
                }
        }
        CHECK(maxs < 1e-4 && maxl < 1e-4, "case %zu: states diff %g logits diff %g", c, maxs, maxl);
        CHECK(maxi < 1e-5, "case %zu: residual vs state difference %g", c, maxi);
        /* layer-by-layer API matches the recorded states */
        float *h = malloc(sizeof(float) * n * d), *h2 = malloc(sizeof(float) * n * d);
        rdn_net_embed(net, x, n, h);
        for (int t = 0; t < T; t++) {
            rdn_net_layer(net, t, h, n, h2, NULL);
            memcpy(h, h2, sizeof(float) * n * d);
        }
        int same = 1;
        for (int i = 0; i < n; i++) same &= memcmp(h + i * d, st + (size_t)i * (T + 1) * d + T * d, sizeof(float) * d) == 0;
        CHECK(same, "case %zu: embed+layer differs from forward states", c);
        rdn_net_head(net, h, n, lg2);
        CHECK(memcmp(lg, lg2, sizeof(float) * n * k) == 0, "case %zu: head differs", c);
        free(x); free(lg); free(lg2); free(st); free(rs); free(nst); free(h); free(h2);
        rdn_net_free(net);
    }
}

static void test_init(void)
{
    NetSpec sp = {NET_RESNET, 10, 10, 3, 3, ACT_LOGISTIC, 1, 1.0f, 7};
    RdnErr err;
    Net *a = rdn_net_new(&sp, &err), *b = rdn_net_new(&sp, &err);
    CHECK(memcmp(a->params, b->params, sizeof(float) * a->nparams) == 0, "same seed, same init");
    double bound = 1 / sqrt(10.0), mx = 0;
    for (int64_t i = 0; i < a->nparams; i++) mx = fmax(mx, fabs(a->params[i]));
    CHECK(mx <= bound && mx > 0.9 * bound, "init bound %g vs %g", mx, bound);
    CHECK(a->nparams == 10 * 10 + 10 + 3 * 10 + 3, "nparams %lld", (long long)a->nparams);
    NetSpec ms = {NET_MLP, 10, 10, 3, 3, ACT_LOGISTIC, 0, 1.0f, 7};
    ms.classes = 3;
    Net *m = rdn_net_new(&ms, &err);
    CHECK(memcmp(m->W, a->W, sizeof(float) * 100) == 0, "mlp(like:) shares the first layer's init");
    CHECK(memcmp(m->V, a->V, sizeof(float) * 30) == 0, "same head init");
    /* unshared growth gives the layers a deeper net would have had */
    NetSpec u = {NET_RESNET, 6, 6, 2, 3, ACT_TANH, 0, 1.0f, 5}, u4 = u;
    u4.depth = 4;
    Net *g = rdn_net_new(&u, &err), *g4 = rdn_net_new(&u4, &err);
    CHECK(rdn_net_set_depth(g, 4, &err) == 0, "%s", err.msg);
    CHECK(g->nparams == g4->nparams && memcmp(g->params, g4->params, sizeof(float) * g->nparams) == 0, "grown == created deeper");
    CHECK(rdn_net_set_depth(g, 1, &err) == 0 && g->nparams == 36 + 6 + 18 + 3, "pruned nparams %lld", (long long)g->nparams);
    CHECK(memcmp(g->W, g4->W, sizeof(float) * 36) == 0, "pruning keeps the first layer");
    sp.width = 0;
    CHECK(rdn_net_new(&sp, &err) == NULL && strstr(err.msg, "width"), "bad width: %s", err.msg);
    rdn_net_free(a); rdn_net_free(b); rdn_net_free(m); rdn_net_free(g); rdn_net_free(g4);
}

static void test_logistic(void)
{
    double worst = 0;
    for (double z = -100; z <= 100; z += 0.001) {
        double ref = 1 / (1 + exp(-(double)(float)z)), got = rdn_logistic((float)z);
        double rel = fabs(got - ref) / ref;
        if (ref > 1e-37 && rel > worst) worst = rel;
    }
    CHECK(worst < 5e-7, "logistic max relative error %g", worst);
    CHECK(isnan(rdn_logistic(NAN)), "NaN propagates");
    CHECK(rdn_logistic(INFINITY) == 1.0f && rdn_logistic(-INFINITY) >= 0 && rdn_logistic(-INFINITY) < 1e-37, "saturation");
}

int main(void)
{
    test_logistic();
    test_gemm();
    test_forward();
    test_init();
    return DONE();
}
