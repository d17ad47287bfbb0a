/* gemm.c: the driver of rdn's deterministic matrix products (gemm.h): the portable C path,
 * packing and tiling for the SIMD paths (gemm_avx2.c, gemm_avx512.c), and the split of C into
 * disjoint blocks for the threads of pool.h.
 *
 * Blocking: C is cut into chunks of MC rows by NC columns; a chunk's rows of op(A) are packed
 * into tiles [k][MR] (zero rows past the end), and op(B) is read in place when it is B's rows
 * (B not transposed) or packed into panels [k][NR] when it is B^T. Inside a chunk every column
 * panel runs over every row tile, so a panel of B stays in cache while the tiles stream through.
 * None of this changes a bit of the result: each element's sum runs from p = 0 to k-1 in one
 * float lane whatever the blocking. */
#include "gemm.h"
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pool.h"
#include "tensor.h"

#define MC 120          /* rows of C per chunk (a multiple of both tile heights) */
#define NC 512          /* columns of C per chunk */
/* products below this many multiply-adds stay on the calling thread: waking a worker costs
 * more than it saves */
#define SMALL_MNK ((int64_t)1 << 17)

typedef struct Path {
    int mr, nr;
    RdnTileFn tile;     /* NULL: the portable C loops */
} Path;

static Path path_of(RdnIsa isa)
{
    if (isa == RDN_ISA_AVX512) return (Path){RDN_GEMM_MR_AVX512, RDN_GEMM_NR_AVX512, rdn_gemm_tile_avx512};
    if (isa == RDN_ISA_AVX2) return (Path){RDN_GEMM_MR_AVX2, RDN_GEMM_NR_AVX2, rdn_gemm_tile_avx2};
    return (Path){4, 4, NULL};
}

void rdn_gemm_tile(RdnIsa isa, int *mr, int *nr)
{
    Path p = path_of(isa);
    *mr = p.mr;
    *nr = p.nr;
}

/* element (i, p) of op(A) and (p, j) of op(B) */
static inline float opa(const RdnGemm *g, int i, int p)
{
    return g->ta ? g->A[(size_t)p * g->lda + i] : g->A[(size_t)i * g->lda + p];
}
static inline float opb(const RdnGemm *g, int p, int j)
{
    return g->tb ? g->B[(size_t)j * g->ldb + p] : g->B[(size_t)p * g->ldb + j];
}

static inline float epilogue(const RdnGemm *g, float acc, const float *c, int j)
{
    float t = g->alpha * acc;
    if (g->beta != 0.0f) t = fmaf(g->beta, *c, t);
    if (g->bias) t = t + g->bias[j];
    return t;
}

/* The portable path on rows [i0, i1) and columns [j0, j1): gemm.h's formula written out, with
 * a row of partial sums so that op(B)'s rows are read in order. */
static void block_generic(const RdnGemm *g, int i0, int i1, int j0, int j1)
{
    enum { W = 64 };
    float acc[W];
    for (int i = i0; i < i1; i++)
        for (int jb = j0; jb < j1; jb += W) {
            int nj = j1 - jb < W ? j1 - jb : W;
            for (int j = 0; j < nj; j++) acc[j] = 0.0f;
            for (int p = 0; p < g->k; p++) {
                float a = opa(g, i, p);
                if (g->tb)
                    for (int j = 0; j < nj; j++) acc[j] = fmaf(a, opb(g, p, jb + j), acc[j]);
                else {
                    const float *b = g->B + (size_t)p * g->ldb + jb;
                    for (int j = 0; j < nj; j++) acc[j] = fmaf(a, b[j], acc[j]);
                }
            }
            float *c = g->C + (size_t)i * g->ldc + jb;
            for (int j = 0; j < nj; j++) c[j] = epilogue(g, acc[j], &c[j], jb + j);
        }
}

/* Row tiles of a chunk of R rows: MR each, except that a remainder of less than MR/2 rows is
 * shared with the tile before it (7 rows on 6-row tiles: 4 + 3), so that no tile is so thin
 * that its few sums wait on the FMA latency. */
static inline int tile_rows(int left, int MR)
{
    if (left > MR && left < MR + MR / 2) return (left + 1) / 2;
    return left < MR ? left : MR;
}

/* Per-thread packing buffer, kept between calls (grown when needed). Each is also held in a
 * global slot so that it stays reachable (leak checkers) for the life of the process. */
static _Thread_local float *tl_buf;
static _Thread_local size_t tl_cap;
static _Thread_local int tl_slot = -1;
static float *all_bufs[4 * RDN_POOL_MAX];
static _Atomic int nbufs;

static float *scratch(size_t n)
{
    if (n <= tl_cap) return tl_buf;
    size_t bytes = (n * sizeof(float) + 4095) / 4096 * 4096;
    if (bytes > ((size_t)512 << 20)) return NULL;
    float *p = aligned_alloc(64, bytes);
    if (!p) return NULL;
    free(tl_buf);
    tl_buf = p;
    if (tl_slot < 0) tl_slot = nbufs++;
    if (tl_slot < 4 * RDN_POOL_MAX) all_bufs[tl_slot] = p;
    tl_cap = bytes / sizeof(float);
    return p;
}

static void block_simd(const Path *pp, const RdnGemm *g, int i0, int i1, int j0, int j1)
{
    const int MR = pp->mr, NR = pp->nr, k = g->k;
    int mc = i1 - i0 < MC ? i1 - i0 : MC, nc = j1 - j0 < NC ? j1 - j0 : NC;
    size_t bsz = g->tb ? (size_t)((nc + NR - 1) / NR) * NR * k : 0;
    size_t asz = g->ta ? (size_t)(mc / MR + 2) * MR * k : 0; /* tiles of a chunk: <= mc/MR + 2 */
    float *Bp = bsz + asz ? scratch(bsz + asz) : NULL;
    if (bsz + asz && !Bp) {
        block_generic(g, i0, i1, j0, j1);
        return;
    }
    float *Ap = Bp + bsz;
    for (int jc = j0; jc < j1; jc += NC) {
        int jn = j1 - jc < NC ? j1 - jc : NC;
        int npan = (jn + NR - 1) / NR;
        /* op(B) = B^T: panels Bp[panel][p][c] (zero columns past the end) */
        if (g->tb)
            for (int pn = 0; pn < npan; pn++) {
                int j = jc + pn * NR, nr = jc + jn - j < NR ? jc + jn - j : NR;
                float *dst = Bp + (size_t)pn * NR * k;
                for (int c = 0; c < nr; c++) {
                    const float *src = g->B + (size_t)(j + c) * g->ldb;
                    for (int p = 0; p < k; p++) dst[(size_t)p * NR + c] = src[p];
                }
                for (int c = nr; c < NR; c++)
                    for (int p = 0; p < k; p++) dst[(size_t)p * NR + c] = 0.0f;
            }
        for (int ic = i0; ic < i1; ic += MC) {
            int in = i1 - ic < MC ? i1 - ic : MC;
            /* A^T: op(A)'s rows of each tile, interleaved: Ap[tile][p][r] (A's own rows are read
             * in place) */
            float *a = Ap;
            for (int r = 0; r < in && g->ta; a += (size_t)MR * k) {
                int mr = tile_rows(in - r, MR);
                for (int p = 0; p < k; p++) {
                    float *dst = a + (size_t)p * MR;
                    memcpy(dst, g->A + (size_t)p * g->lda + ic + r, (size_t)mr * sizeof(float));
                    for (int q = mr; q < MR; q++) dst[q] = 0.0f;
                }
                r += mr;
            }
            for (int pn = 0; pn < npan; pn++) {
                int j = jc + pn * NR, nr = jc + jn - j < NR ? jc + jn - j : NR;
                const float *b = g->tb ? Bp + (size_t)pn * NR * k : g->B + j;
                int ldb = g->tb ? NR : g->ldb;
                const float *bias = g->bias ? g->bias + j : NULL;
                a = Ap;
                for (int r = 0; r < in; a += (size_t)MR * k) {
                    int mr = tile_rows(in - r, MR);
                    const float *ta = g->ta ? a : g->A + (size_t)(ic + r) * g->lda;
                    pp->tile(k, ta, g->ta ? 1 : g->lda, g->ta ? MR : 1, b, ldb, mr, nr, g->C + (size_t)(ic + r) * g->ldc + j, g->ldc,
                             g->alpha, g->beta, bias);
                    r += mr;
                }
            }
        }
    }
}

static void block(RdnIsa isa, const RdnGemm *g, int i0, int i1, int j0, int j1)
{
    if (i0 >= i1 || j0 >= j1) return;
    Path pp = path_of(isa);
    if (!pp.tile || g->k <= 0) block_generic(g, i0, i1, j0, j1);
    else block_simd(&pp, g, i0, i1, j0, j1);
}

/* Thread t of n takes a fixed range of whole row tiles or whole column panels. */
typedef struct Split {
    RdnIsa isa;
    const RdnGemm *g;
    int by_rows, unit;
} Split;

static void split_task(void *ctx, int t, int n)
{
    const Split *s = ctx;
    const RdnGemm *g = s->g;
    int len = s->by_rows ? g->m : g->n;
    int units = (len + s->unit - 1) / s->unit;
    int a = (int)((int64_t)units * t / n) * s->unit, b = (int)((int64_t)units * (t + 1) / n) * s->unit;
    if (b > len) b = len;
    if (s->by_rows) block(s->isa, g, a, b, 0, g->n);
    else block(s->isa, g, 0, g->m, a, b);
}

void rdn_gemm_on(RdnIsa isa, int nthreads, const RdnGemm *g)
{
    if (g->m <= 0 || g->n <= 0) return;
    Path pp = path_of(isa);
    if (nthreads > 1 && !rdn_pool_in_task()) {
        /* rows when there are enough of them (each thread packs only its rows of A and reads B
         * in place), else columns; B^T favours columns (each thread packs only its panels) */
        int rows_ok = g->m >= 4 * pp.mr * nthreads, cols_ok = g->n >= 2 * pp.nr * nthreads;
        int by_rows = g->tb ? !cols_ok && rows_ok : rows_ok || !cols_ok;
        int unit = by_rows ? pp.mr : pp.nr;
        int units = ((by_rows ? g->m : g->n) + unit - 1) / unit;
        if (nthreads > units) nthreads = units;
        if (nthreads > 1) {
            Split s = {isa, g, by_rows, unit};
            rdn_pool_run(nthreads, split_task, &s);
            return;
        }
    }
    block(isa, g, 0, g->m, 0, g->n);
}

void rdn_gemm_st(const RdnGemm *g) { rdn_gemm_on(rdn_isa(), 1, g); }

void rdn_gemm(const RdnGemm *g)
{
    int nth = rdn_blas_threads();
    if ((int64_t)g->m * g->n * (g->k > 0 ? g->k : 1) < SMALL_MNK) nth = 1;
    rdn_gemm_on(rdn_isa(), nth, g);
}
