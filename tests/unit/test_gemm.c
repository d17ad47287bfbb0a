/* test_gemm.c: rdn's deterministic matrix products (gemm.h) against a plain double-precision
 * loop, on every path this machine runs, every transpose, sizes on both sides of every tile and
 * chunk boundary, padded leading dimensions, alpha/beta/bias; and bit-identity between the
 * portable and SIMD paths and between 1, 2 and 3 threads.
 *
 * Error bound: gemm.h's formula rounds once per term (k fused multiply-adds) and at most three
 * times more (alpha, beta, bias), so |c - exact| <= (k + 3) u S with u = 2^-24 and
 * S = |alpha| sum_p |a_ip b_pj| + |beta c_ij| + |bias_j| (the classical bound, first order). The
 * test allows (k + 3) * 2^-23 * S (twice the bound) + 1e-30. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "gemm.h"
#include "rng.h"
#include "tensor.h"

static float frand(RdnRng *r) { return (float)(2 * rdn_rng_uniform(r) - 1); }

typedef struct Case {
    int ta, tb, m, n, k;
    float alpha, beta;
    int bias, pad;
} Case;

static RdnRng rng;
static int nisa;
static RdnIsa isas[3];

/* Runs one case on every path and thread count; checks the bound and identical bits. */
static void run_case(Case c)
{
    int ar = c.ta ? c.k : c.m, ac = c.ta ? c.m : c.k, br = c.tb ? c.n : c.k, bc = c.tb ? c.k : c.n;
    int lda = ac + c.pad, ldb = bc + 2 * c.pad, ldc = c.n + 3 * c.pad;
    if (lda < 1) lda = 1;
    if (ldb < 1) ldb = 1;
    size_t na = (size_t)ar * lda + 1, nb = (size_t)br * ldb + 1, nc = (size_t)c.m * ldc;
    float *A = malloc(na * sizeof(float)), *B = malloc(nb * sizeof(float));
    float *C0 = malloc(nc * sizeof(float)), *C = malloc(nc * sizeof(float)), *first = malloc(nc * sizeof(float));
    float *bias = malloc((size_t)(c.n + 1) * sizeof(float));
    for (size_t i = 0; i < na; i++) A[i] = frand(&rng);
    for (size_t i = 0; i < nb; i++) B[i] = frand(&rng);
    for (size_t i = 0; i < nc; i++) C0[i] = frand(&rng);
    for (int i = 0; i <= c.n; i++) bias[i] = frand(&rng);
    if (c.beta == 0.0f)   /* beta = 0: C is only written, NaN in it must not show */
        for (int i = 0; i < c.m; i++)
            for (int j = 0; j < c.n; j++) C0[(size_t)i * ldc + j] = NAN;
    RdnGemm g = {c.ta, c.tb, c.m, c.n, c.k, c.alpha, A, lda, B, ldb, c.beta, C, ldc, c.bias ? bias : NULL};
    int have_first = 0;
    for (int s = 0; s < nisa; s++)
        for (int th = 1; th <= 3; th++) {
            memcpy(C, C0, nc * sizeof(float));
            rdn_gemm_on(isas[s], th, &g);
            if (!have_first) {
                memcpy(first, C, nc * sizeof(float));
                have_first = 1;
                double worst = 0;
                int pad_ok = 1;
                for (int i = 0; i < c.m; i++)
                    for (int j = 0; j < ldc; j++) {
                        size_t q = (size_t)i * ldc + j;
                        if (j >= c.n) {
                            pad_ok &= memcmp(&C[q], &C0[q], sizeof(float)) == 0;
                            continue;
                        }
                        double s1 = 0, sa = 0;
                        for (int p = 0; p < c.k; p++) {
                            double a = c.ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
                            double b = c.tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
                            s1 += a * b;
                            sa += fabs(a * b);
                        }
                        double ref = c.alpha * s1, S = fabs(c.alpha) * sa;
                        if (c.beta != 0.0f) ref += (double)c.beta * C0[q], S += fabs(c.beta * C0[q]);
                        if (c.bias) ref += bias[j], S += fabs(bias[j]);
                        double e = fabs(C[q] - ref) / ((c.k + 3) * ldexp(1, -23) * S + 1e-30);
                        if (!(e <= worst)) worst = e;   /* NaN counts as worst */
                    }
                CHECK(worst <= 1.0, "%dx%dx%d ta=%d tb=%d alpha=%g beta=%g bias=%d pad=%d: error %g of the bound",
                      c.m, c.n, c.k, c.ta, c.tb, c.alpha, c.beta, c.bias, c.pad, worst);
                CHECK(pad_ok, "%dx%dx%d ta=%d tb=%d: columns past n were touched", c.m, c.n, c.k, c.ta, c.tb);
            } else {
                CHECK(memcmp(C, first, nc * sizeof(float)) == 0,
                      "%dx%dx%d ta=%d tb=%d alpha=%g beta=%g bias=%d: path %s with %d threads differs "
                      "from generic, 1 thread", c.m, c.n, c.k, c.ta, c.tb, c.alpha, c.beta, c.bias,
                      rdn_isa_name(isas[s]), th);
            }
        }
    free(A); free(B); free(C0); free(C); free(first); free(bias);
}

int main(void)
{
    rdn_rng_seed(&rng, 7);
    for (int i = RDN_ISA_GENERIC; i <= RDN_ISA_AVX512; i++)
        if (rdn_isa_supported((RdnIsa)i)) isas[nisa++] = (RdnIsa)i;
    printf("test_gemm: paths checked:");
    for (int s = 0; s < nisa; s++) printf(" %s", rdn_isa_name(isas[s]));
    printf("\n");
    /* sizes around the tiles (6x16, 8x32, generic 4x4) and the chunks (120 rows, 512 columns) */
    static const int ms[] = {1, 2, 5, 7, 8, 13, 63, 121, 200};
    static const int ns[] = {1, 3, 9, 16, 17, 33, 63, 200, 513};
    static const int ks[] = {0, 1, 7, 64, 200};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (size_t a = 0; a < sizeof ms / sizeof *ms; a++)
                for (size_t b = 0; b < sizeof ns / sizeof *ns; b++) {
                    int m = ms[a], n = ns[b], k = ks[(a + 2 * b + ta + tb) % 5];
                    int v = (int)(a + b) % 4;
                    float alpha = v == 0 ? 1.0f : v == 1 ? 0.7f : v == 2 ? -1.5f : 1.0f;
                    float beta = v == 0 ? 0.0f : v == 1 ? 0.3f : v == 2 ? 1.0f : 0.0f;
                    run_case((Case){ta, tb, m, n, k, alpha, beta, v == 3, (int)(a % 3)});
                }
    /* the widths the networks use: 784 (chunks and tiles split unevenly), 64, 2 */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            run_case((Case){ta, tb, 64, 784, 784, 1.0f, 0.0f, 1, 0});
            run_case((Case){ta, tb, 32, 64, 64, 1.0f, 1.0f, 0, 1});
            run_case((Case){ta, tb, 32, 2, 2, 1.0f, 0.0f, 1, 0});
        }
    run_case((Case){1, 0, 64, 64, 640, 1.0f, 0.0f, 0, 0});   /* a shared weight gradient, T*B deep */
    run_case((Case){0, 0, 1, 300, 250, 1.5f, 0.5f, 0, 0});   /* sgemv shapes */
    run_case((Case){0, 0, 300, 1, 250, 1.5f, 0.5f, 0, 0});
    /* products of special values: the same bits everywhere too */
    {
        float A[4] = {INFINITY, 0.0f, -0.0f, 1e-40f}, B[4] = {0.0f, NAN, 2.0f, -3.0f}, C[4], first[4];
        RdnGemm g = {0, 0, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2, NULL};
        for (int s = 0; s < nisa; s++) {
            rdn_gemm_on(isas[s], 1, &g);
            if (!s) memcpy(first, C, sizeof C);
            CHECK(memcmp(C, first, sizeof C) == 0, "special values differ on %s", rdn_isa_name(isas[s]));
        }
    }
    return DONE();
}
