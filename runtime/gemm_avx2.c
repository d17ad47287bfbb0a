/* gemm_avx2.c: gemm.h's microkernel for AVX2+FMA (8 float lanes, tiles of 6 x 16). Compiled
 * with -mavx2 -mfma; called only when rdn_isa() is avx2 (or a test forces it). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include "gemm.h"
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#include <stddef.h>

#define VEC __m256
#define MASK __m256i
#define VL 8
#define TILE_MR RDN_GEMM_MR_AVX2
#define TILE_FN rdn_gemm_tile_avx2
#define V_ZERO() _mm256_setzero_ps()
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_LOADM(p, m) _mm256_maskload_ps((p), (m))
#define V_STORE(p, v) _mm256_storeu_ps((p), (v))
#define V_STOREM(p, m, v) _mm256_maskstore_ps((p), (m), (v))
#define V_BCAST(p) _mm256_broadcast_ss(p)
#define V_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define V_MUL(a, b) _mm256_mul_ps((a), (b))
#define V_ADD(a, b) _mm256_add_ps((a), (b))
#define V_SET1(x) _mm256_set1_ps(x)
#define MASK_FIRST(n) _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#include "gemm_tile.h"
#else
/* not an x86-64 build: the path is never chosen (rdn_isa_supported) */
void rdn_gemm_tile_avx2(int k, const float *Ap, int ars, int aps, const float *B, int ldb, int mr, int nr,
                        float *C, int ldc, float alpha, float beta, const float *bias)
{
    (void)k; (void)Ap; (void)ars; (void)aps; (void)B; (void)ldb; (void)mr; (void)nr; (void)C; (void)ldc;
    (void)alpha; (void)beta; (void)bias;
}
#endif
