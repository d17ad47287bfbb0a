/* gemm_avx512.c: gemm.h's microkernel for AVX-512 (16 float lanes, tiles of 8 x 32): the same
 * source as the AVX2 one (gemm_tile.h) with wider vectors and mask registers, so every lane does
 * the same fused multiply-adds in the same order. Compiled with -mavx512f -mavx512vl
 * -mavx512bw -mavx512dq -mfma; called only when rdn_isa() is avx512. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include "gemm.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#include <stddef.h>

#define VEC __m512
#define MASK __mmask16
#define VL 16
#define TILE_MR RDN_GEMM_MR_AVX512
#define TILE_FN rdn_gemm_tile_avx512
#define V_ZERO() _mm512_setzero_ps()
#define V_LOAD(p) _mm512_loadu_ps(p)
#define V_LOADM(p, m) _mm512_maskz_loadu_ps((m), (p))
#define V_STORE(p, v) _mm512_storeu_ps((p), (v))
#define V_STOREM(p, m, v) _mm512_mask_storeu_ps((p), (m), (v))
#define V_BCAST(p) _mm512_set1_ps(*(p))
#define V_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define V_MUL(a, b) _mm512_mul_ps((a), (b))
#define V_ADD(a, b) _mm512_add_ps((a), (b))
#define V_SET1(x) _mm512_set1_ps(x)
#define MASK_FIRST(n) ((__mmask16)((1u << (n)) - 1u))
#include "gemm_tile.h"
#else
void rdn_gemm_tile_avx512(int k, const float *Ap, int ars, int aps, const float *B, int ldb, int mr, int nr,
                          float *C, int ldc, float alpha, float beta, const float *bias)
{
    (void)k; (void)Ap; (void)ars; (void)aps; (void)B; (void)ldb; (void)mr; (void)nr; (void)C; (void)ldc;
    (void)alpha; (void)beta; (void)bias;
}
#endif
