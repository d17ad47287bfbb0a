/* rmath_simd.h: vector twins of rmath.h's float functions, 8 lanes (AVX2+FMA) and 16 lanes
 * (AVX-512). Include only from files built for that instruction set (runtime/NAME_avx2.c,
 * runtime/NAME_avx512.c). Each does rmath.c's operations in rmath.c's order, lane by lane: a
 * scalar fmaf is a vector fused multiply-add, a scalar branch is both sides blended, the
 * division is the correctly rounded one. So every lane has the scalar function's bits
 * (tests/unit/test_rmath.c checks it, specials included). */
#ifndef RDN_RMATH_SIMD_H
#define RDN_RMATH_SIMD_H
#include "rmath.h"
#include <immintrin.h>
#include <math.h>

#if defined(__AVX2__) && defined(__FMA__)
#define V8(c) _mm256_set1_ps(c)
#define V8I(c) _mm256_set1_epi32((int)(c))

static inline __m256 rdn_expf_avx2(__m256 x)
{
    __m256 xc = _mm256_min_ps(_mm256_max_ps(x, V8(RDN_RM_EXPF_LO)), V8(RDN_RM_EXPF_HI));
    __m256 n = _mm256_sub_ps(_mm256_fmadd_ps(xc, V8(RDN_RM_LOG2EF), V8(RDN_RM_SHIFTF)),
                             V8(RDN_RM_SHIFTF));
    __m256 r = _mm256_fnmadd_ps(n, V8(RDN_RM_LN2HIF), xc);
    r = _mm256_fnmadd_ps(n, V8(RDN_RM_LN2LOF), r);
    __m256 p = V8(RDN_RM_EXPF_P0);
    p = _mm256_fmadd_ps(p, r, V8(RDN_RM_EXPF_P1));
    p = _mm256_fmadd_ps(p, r, V8(RDN_RM_EXPF_P2));
    p = _mm256_fmadd_ps(p, r, V8(RDN_RM_EXPF_P3));
    p = _mm256_fmadd_ps(p, r, V8(RDN_RM_EXPF_P4));
    p = _mm256_fmadd_ps(p, r, V8(RDN_RM_EXPF_P5));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
    p = _mm256_add_ps(p, V8(1.0f));
    __m256i ni = _mm256_cvttps_epi32(n);
    __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, V8I(127)), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, V8I(127)), 23));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    return _mm256_blendv_ps(y, _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

static inline __m256 rdn_logf_avx2(__m256 x)
{
    __m256 zero = _mm256_setzero_ps();
    __m256 sub = _mm256_cmp_ps(x, V8(0x1p-126f), _CMP_LT_OQ);
    __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, V8(0x1p23f)), sub);
    __m256i k = _mm256_and_si256(_mm256_castps_si256(sub), V8I(-23));
    __m256i ix = _mm256_sub_epi32(_mm256_castps_si256(xs), V8I(RDN_RM_SQRTHF_BITS));
    k = _mm256_add_epi32(k, _mm256_srai_epi32(ix, 23));
    ix = _mm256_add_epi32(_mm256_and_si256(ix, V8I(0x007fffff)), V8I(RDN_RM_SQRTHF_BITS));
    __m256 f = _mm256_sub_ps(_mm256_castsi256_ps(ix), V8(1.0f));
    __m256 z = _mm256_mul_ps(f, f);
    __m256 p = V8(RDN_RM_LOGF_P0);
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P1));
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P2));
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P3));
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P4));
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P5));
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P6));
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P7));
    p = _mm256_fmadd_ps(p, f, V8(RDN_RM_LOGF_P8));
    p = _mm256_mul_ps(p, f);
    p = _mm256_mul_ps(p, z);
    p = _mm256_fmadd_ps(z, V8(-0.5f), p);
    __m256 kf = _mm256_cvtepi32_ps(k);
    __m256 r = _mm256_fmadd_ps(kf, V8(RDN_RM_LOGF_LO), p);
    r = _mm256_add_ps(r, f);
    r = _mm256_fmadd_ps(kf, V8(RDN_RM_LOGF_HI), r);
    r = _mm256_blendv_ps(r, _mm256_castsi256_ps(V8I(RDN_RM_NANF_BITS)),
                         _mm256_cmp_ps(x, zero, _CMP_LT_OQ));
    r = _mm256_blendv_ps(r, V8(-INFINITY), _mm256_cmp_ps(x, zero, _CMP_EQ_OQ));
    r = _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, V8(INFINITY), _CMP_EQ_OQ));
    return _mm256_blendv_ps(r, _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

static inline __m256 rdn_tanhf_avx2(__m256 x)
{
    __m256 sign = V8(-0.0f);
    __m256 ax = _mm256_andnot_ps(sign, x);
    __m256 z = _mm256_mul_ps(ax, ax);
    __m256 p = V8(RDN_RM_TANHF_P0);
    p = _mm256_fmadd_ps(p, z, V8(RDN_RM_TANHF_P1));
    p = _mm256_fmadd_ps(p, z, V8(RDN_RM_TANHF_P2));
    p = _mm256_fmadd_ps(p, z, V8(RDN_RM_TANHF_P3));
    p = _mm256_fmadd_ps(p, z, V8(RDN_RM_TANHF_P4));
    p = _mm256_mul_ps(p, z);
    __m256 small = _mm256_fmadd_ps(p, ax, ax);
    __m256 e = rdn_expf_avx2(_mm256_add_ps(ax, ax));
    __m256 big = _mm256_sub_ps(V8(1.0f), _mm256_div_ps(V8(2.0f), _mm256_add_ps(e, V8(1.0f))));
    __m256 r = _mm256_blendv_ps(big, small, _mm256_cmp_ps(ax, V8(RDN_RM_TANHF_SMALL), _CMP_LT_OQ));
    r = _mm256_or_ps(r, _mm256_and_ps(x, sign));
    return _mm256_blendv_ps(r, _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

static inline __m256 rdn_logisticf_avx2(__m256 x)
{
    __m256 e = rdn_expf_avx2(_mm256_or_ps(x, V8(-0.0f)));
    __m256 num = _mm256_blendv_ps(e, V8(1.0f), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ));
    __m256 r = _mm256_div_ps(num, _mm256_add_ps(V8(1.0f), e));
    return _mm256_blendv_ps(r, _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}
#undef V8
#undef V8I
#endif

#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__FMA__)
#define V16(c) _mm512_set1_ps(c)
#define V16I(c) _mm512_set1_epi32((int)(c))

static inline __m512 rdn_expf_avx512(__m512 x)
{
    __m512 xc = _mm512_min_ps(_mm512_max_ps(x, V16(RDN_RM_EXPF_LO)), V16(RDN_RM_EXPF_HI));
    __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(xc, V16(RDN_RM_LOG2EF), V16(RDN_RM_SHIFTF)),
                             V16(RDN_RM_SHIFTF));
    __m512 r = _mm512_fnmadd_ps(n, V16(RDN_RM_LN2HIF), xc);
    r = _mm512_fnmadd_ps(n, V16(RDN_RM_LN2LOF), r);
    __m512 p = V16(RDN_RM_EXPF_P0);
    p = _mm512_fmadd_ps(p, r, V16(RDN_RM_EXPF_P1));
    p = _mm512_fmadd_ps(p, r, V16(RDN_RM_EXPF_P2));
    p = _mm512_fmadd_ps(p, r, V16(RDN_RM_EXPF_P3));
    p = _mm512_fmadd_ps(p, r, V16(RDN_RM_EXPF_P4));
    p = _mm512_fmadd_ps(p, r, V16(RDN_RM_EXPF_P5));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
    p = _mm512_add_ps(p, V16(1.0f));
    __m512i ni = _mm512_cvttps_epi32(n);
    __m512i n1 = _mm512_srai_epi32(ni, 1), n2 = _mm512_sub_epi32(ni, n1);
    __m512 s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n1, V16I(127)), 23));
    __m512 s2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n2, V16I(127)), 23));
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, _mm512_add_ps(x, x));
}

static inline __m512 rdn_logf_avx512(__m512 x)
{
    __m512 zero = _mm512_setzero_ps();
    __mmask16 sub = _mm512_cmp_ps_mask(x, V16(0x1p-126f), _CMP_LT_OQ);
    __m512 xs = _mm512_mask_blend_ps(sub, x, _mm512_mul_ps(x, V16(0x1p23f)));
    __m512i k = _mm512_maskz_mov_epi32(sub, V16I(-23));
    __m512i ix = _mm512_sub_epi32(_mm512_castps_si512(xs), V16I(RDN_RM_SQRTHF_BITS));
    k = _mm512_add_epi32(k, _mm512_srai_epi32(ix, 23));
    ix = _mm512_add_epi32(_mm512_and_si512(ix, V16I(0x007fffff)), V16I(RDN_RM_SQRTHF_BITS));
    __m512 f = _mm512_sub_ps(_mm512_castsi512_ps(ix), V16(1.0f));
    __m512 z = _mm512_mul_ps(f, f);
    __m512 p = V16(RDN_RM_LOGF_P0);
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P1));
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P2));
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P3));
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P4));
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P5));
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P6));
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P7));
    p = _mm512_fmadd_ps(p, f, V16(RDN_RM_LOGF_P8));
    p = _mm512_mul_ps(p, f);
    p = _mm512_mul_ps(p, z);
    p = _mm512_fmadd_ps(z, V16(-0.5f), p);
    __m512 kf = _mm512_cvtepi32_ps(k);
    __m512 r = _mm512_fmadd_ps(kf, V16(RDN_RM_LOGF_LO), p);
    r = _mm512_add_ps(r, f);
    r = _mm512_fmadd_ps(kf, V16(RDN_RM_LOGF_HI), r);
    r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), r,
                             _mm512_castsi512_ps(V16I(RDN_RM_NANF_BITS)));
    r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, zero, _CMP_EQ_OQ), r, V16(-INFINITY));
    r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, V16(INFINITY), _CMP_EQ_OQ), r, x);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), r, _mm512_add_ps(x, x));
}

static inline __m512 rdn_tanhf_avx512(__m512 x)
{
    __m512 sign = V16(-0.0f);
    __m512 ax = _mm512_andnot_ps(sign, x);
    __m512 z = _mm512_mul_ps(ax, ax);
    __m512 p = V16(RDN_RM_TANHF_P0);
    p = _mm512_fmadd_ps(p, z, V16(RDN_RM_TANHF_P1));
    p = _mm512_fmadd_ps(p, z, V16(RDN_RM_TANHF_P2));
    p = _mm512_fmadd_ps(p, z, V16(RDN_RM_TANHF_P3));
    p = _mm512_fmadd_ps(p, z, V16(RDN_RM_TANHF_P4));
    p = _mm512_mul_ps(p, z);
    __m512 small = _mm512_fmadd_ps(p, ax, ax);
    __m512 e = rdn_expf_avx512(_mm512_add_ps(ax, ax));
    __m512 big = _mm512_sub_ps(V16(1.0f), _mm512_div_ps(V16(2.0f), _mm512_add_ps(e, V16(1.0f))));
    __m512 r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, V16(RDN_RM_TANHF_SMALL), _CMP_LT_OQ),
                                    big, small);
    r = _mm512_or_ps(r, _mm512_and_ps(x, sign));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), r, _mm512_add_ps(x, x));
}

static inline __m512 rdn_logisticf_avx512(__m512 x)
{
    __m512 e = rdn_expf_avx512(_mm512_or_ps(x, V16(-0.0f)));
    __m512 num = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ), e,
                                      V16(1.0f));
    __m512 r = _mm512_div_ps(num, _mm512_add_ps(V16(1.0f), e));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), r, _mm512_add_ps(x, x));
}
#undef V16
#undef V16I
#endif

#endif
