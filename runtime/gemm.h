/* gemm.h: rdn's deterministic matrix products (issue 10; docs/runtime.md "Determinism").
 *
 * C[m, n] = alpha * op(A) op(B) + beta * C (+ bias), row-major with leading dimensions. Every
 * element is computed the same way on every path (portable C, AVX2+FMA, AVX-512) and with any
 * thread count:
 *     acc = 0;  for p = 0, 1, ..., k-1:  acc = fma(op(A)[i, p], op(B)[p, j], acc)
 *     c   = alpha * acc;  if beta != 0: c = fma(beta, C[i, j], c);  if bias: c = c + bias[j]
 * (one fused multiply-add per term, in order; no other rounding anywhere). The kernels keep the
 * partial sum of one element in one float lane from p = 0 to k-1, and threads split only
 * disjoint blocks of C, never the sum. */
#ifndef RDN_GEMM_H
#define RDN_GEMM_H
#include "isa.h"

typedef struct RdnGemm {
    int ta, tb;             /* op(A) = A^T when ta, op(B) = B^T when tb */
    int m, n, k;
    float alpha;
    const float *A;         /* op(A) is [m, k]: A is [m, lda>=k] or, when ta, [k, lda>=m] */
    int lda;
    const float *B;         /* op(B) is [k, n]: B is [k, ldb>=n] or, when tb, [n, ldb>=k] */
    int ldb;
    float beta;             /* 0: C is only written (it may hold NaN) */
    float *C;               /* [m, ldc>=n] */
    int ldc;
    const float *bias;      /* [n] added last, or NULL */
} RdnGemm;

/* The product on kernel path isa (which must be supported: rdn_isa_supported) with nthreads
 * threads (<= 1: the calling thread only; inside a pool task always the calling thread). */
void rdn_gemm_on(RdnIsa isa, int nthreads, const RdnGemm *g);
/* The product on rdn_isa()'s path with rdn_blas_threads() threads (small products stay on the
 * calling thread). */
void rdn_gemm(const RdnGemm *g);
/* The same on the calling thread only (for callers that split the work themselves). */
void rdn_gemm_st(const RdnGemm *g);

/* Tile sizes of a path (rows x columns of C per microkernel call), for tests that cross every
 * blocking boundary. */
void rdn_gemm_tile(RdnIsa isa, int *mr, int *nr);

/* ---- per-path microkernels (gemm_avx2.c, gemm_avx512.c); internal to gemm.c ----
 * One tile of C: mr rows (<= MR) by nr columns (<= NR). op(A)[r, p] of the tile is
 * Ap[r * ars + p * aps] (packed tiles: ars = 1, aps = MR; A's own rows: ars = lda, aps = 1); B holds op(B)'s rows at stride ldb starting at the tile's first column (only nr columns
 * are read); alpha, beta and bias (already offset to the tile's first column, or NULL) as
 * above. */
typedef void (*RdnTileFn)(int k, const float *Ap, int ars, int aps, const float *B, int ldb, int mr, int nr,
                          float *C, int ldc, float alpha, float beta, const float *bias);
void rdn_gemm_tile_avx2(int k, const float *Ap, int ars, int aps, const float *B, int ldb, int mr, int nr,
                        float *C, int ldc, float alpha, float beta, const float *bias);
void rdn_gemm_tile_avx512(int k, const float *Ap, int ars, int aps, const float *B, int ldb, int mr, int nr,
                          float *C, int ldc, float alpha, float beta, const float *bias);
#define RDN_GEMM_MR_AVX2 6
#define RDN_GEMM_NR_AVX2 16
#define RDN_GEMM_MR_AVX512 8
#define RDN_GEMM_NR_AVX512 32

#endif
