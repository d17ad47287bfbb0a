/* blas.c: the one BLAS wrapper (tensor.h). Row-major sgemm/sgemv through rdn's deterministic
 * kernels (gemm.h, the default compute mode) or OpenBLAS's cblas (--compute openblas), and
 * plain-C reference loops that the tests compare against (rdn_blas_use_reference switches every
 * call to them). Thread count and a description of the BLAS in use for manifests. */
#include "tensor.h"
#include <cblas.h>
#include "gemm.h"
#include "isa.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int use_ref = 0;
static int nthreads = 0;  /* 0: not set yet (OpenBLAS default) */
static int cur_threads = 0; /* what OpenBLAS is set to right now */

/* Products below this many multiply-adds run on one thread: waking OpenBLAS's workers costs more
 * than it saves, and idle workers spinning in sched_yield steal the core from the caller. OpenBLAS
 * splits work by rows and columns, never along the inner dimension, so results do not depend on
 * the thread count (tests/unit/test_net_train.c checks it). */
#define SMALL_MNK ((int64_t)8 << 20)

static void want_threads(int n)
{
    if (n != cur_threads) {
        openblas_set_num_threads(n);
        cur_threads = n;
    }
}

void rdn_blas_use_reference(int on) { use_ref = !!on; }

void rdn_blas_set_threads(int n)
{
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    nthreads = n;
    want_threads(n);
}

int rdn_blas_threads(void) { return nthreads > 0 ? nthreads : openblas_get_num_threads(); }

const char *rdn_blas_name(void)
{
    static char name[256];
    if (!name[0]) {
        const char *cfg = openblas_get_config();
        const char *core = openblas_get_corename();
        snprintf(name, sizeof name, "%s (core %s)", cfg ? cfg : "OpenBLAS", core ? core : "?");
        /* the config string may end with a space */
        size_t n = strlen(name);
        while (n && name[n - 1] == ' ') name[--n] = 0;
    }
    return name;
}

/* element (i, j) of op(A) for row-major A with leading dimension lda */
#define OPA(A, trans, i, j, ld) ((trans) ? (A)[(size_t)(j) * (ld) + (i)] : (A)[(size_t)(i) * (ld) + (j)])

void rdn_sgemm_ref(int transA, int transB, int m, int n, int k, float alpha, const float *A,
                   int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++)
                s += (double)OPA(A, transA, i, p, lda) * (double)OPA(B, transB, p, j, ldb);
            float *c = &C[(size_t)i * ldc + j];
            /* beta == 0 ignores C (it may hold NaN), as BLAS does */
            *c = (float)(alpha * s + (beta == 0.0f ? 0.0 : (double)beta * *c));
        }
}

void rdn_sgemv_ref(int transA, int m_rows, int n_cols, float alpha, const float *A, int lda,
                   const float *x, float beta, float *y)
{
    int ylen = transA ? n_cols : m_rows, xlen = transA ? m_rows : n_cols;
    for (int i = 0; i < ylen; i++) {
        double s = 0;
        for (int p = 0; p < xlen; p++) s += (double)OPA(A, transA, i, p, lda) * (double)x[p];
        y[i] = (float)(alpha * s + (beta == 0.0f ? 0.0 : (double)beta * y[i]));
    }
}

void rdn_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc)
{
    if (m <= 0 || n <= 0) return;
    if (use_ref) {
        rdn_sgemm_ref(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (rdn_compute() == RDN_COMPUTE_DET || k <= 0) {
        RdnGemm g = {transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, NULL};
        rdn_gemm(&g);
        return;
    }
    if (nthreads > 1) want_threads((int64_t)m * n * k < SMALL_MNK ? 1 : nthreads);
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void rdn_sgemv(int transA, int m_rows, int n_cols, float alpha, const float *A, int lda,
               const float *x, float beta, float *y)
{
    if (m_rows <= 0 || n_cols <= 0) {
        int ylen = transA ? n_cols : m_rows;
        for (int i = 0; i < ylen; i++) y[i] = beta == 0.0f ? 0.0f : beta * y[i];
        return;
    }
    if (use_ref) {
        rdn_sgemv_ref(transA, m_rows, n_cols, alpha, A, lda, x, beta, y);
        return;
    }
    if (rdn_compute() == RDN_COMPUTE_DET) {
        /* y as a one-row product (x^T op(A)^T) so that the kernels' vectors run along y when A
         * is transposed; each y[i] is the same fused multiply-add chain either way */
        RdnGemm g = transA ? (RdnGemm){0, 0, 1, n_cols, m_rows, alpha, x, m_rows, A, lda, beta, y, n_cols, NULL}
                           : (RdnGemm){0, 0, m_rows, 1, n_cols, alpha, A, lda, x, 1, beta, y, 1, NULL};
        rdn_gemm(&g);
        return;
    }
    cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, m_rows, n_cols, alpha, A, lda, x,
                1, beta, y, 1);
}
