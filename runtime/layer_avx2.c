/* layer_avx2.c: the element-wise half of a layer (activation, residual, local derivative) with
 * AVX2, 8 rows' units at a time. Every lane does exactly the scalar operations of net.c's
 * kernels (exp_poly, the logistic, the residual update), in the same order and without fused
 * multiply-adds, so both give the same bits (tests/unit/test_layer.c checks it). */
#include "net_impl.h"
#if defined(__AVX2__)
#include <immintrin.h>

/* net.c's exp_poly, lane by lane */
static inline __m256 exp8(__m256 x)
{
    x = _mm256_min_ps(_mm256_set1_ps(88.0f), x);    /* x > 88 ? 88 : x (NaN stays) */
    x = _mm256_max_ps(_mm256_set1_ps(-87.0f), x);   /* x < -87 ? -87 : x */
    __m256 t = _mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _mm256_set1_ps(12582912.0f));
    __m256 n = _mm256_sub_ps(t, _mm256_set1_ps(12582912.0f));
    __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(-2.12194440e-4f)));
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), _mm256_set1_ps(1.0f));
    __m256 nn = _mm256_and_ps(n, _mm256_cmp_ps(n, n, _CMP_ORD_Q)); /* NaN -> 0 */
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(nn), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

static inline __m256 act8(Act act, __m256 z)
{
    if (act == ACT_LOGISTIC)
        return _mm256_div_ps(_mm256_set1_ps(1.0f),
                             _mm256_add_ps(_mm256_set1_ps(1.0f), exp8(_mm256_xor_ps(z, _mm256_set1_ps(-0.0f)))));
    /* relu: z > 0 ? z : 0 */
    return _mm256_and_ps(z, _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ));
}

static inline __m256 der8(Act act, __m256 z, __m256 s)
{
    if (act == ACT_LOGISTIC) return _mm256_mul_ps(s, _mm256_sub_ps(_mm256_set1_ps(1.0f), s));
    return _mm256_and_ps(_mm256_set1_ps(1.0f), _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ));
}

int rdn_act_run_avx2(Act act, int resnet, int len, const float *h, float *hn, float *r, float *dv,
                     float eta)
{
    if (act == ACT_TANH) return 0;
    __m256 ve = _mm256_set1_ps(eta);
    int j = 0;
    for (; j + 8 <= len; j += 8) {
        __m256 z = _mm256_loadu_ps(hn + j), s = act8(act, z);
        __m256 hv = _mm256_loadu_ps(h + j);
        if (resnet) {
            __m256 rr = _mm256_mul_ps(ve, s);
            _mm256_storeu_ps(hn + j, _mm256_add_ps(hv, rr));
            if (r) _mm256_storeu_ps(r + j, rr);
            if (dv) _mm256_storeu_ps(dv + j, _mm256_mul_ps(ve, der8(act, z, s)));
        } else {
            _mm256_storeu_ps(hn + j, s);
            if (r) _mm256_storeu_ps(r + j, _mm256_sub_ps(s, hv));
            if (dv) _mm256_storeu_ps(dv + j, der8(act, z, s));
        }
    }
    return j; /* the caller finishes the last len - j elements */
}
#else
int rdn_act_run_avx2(Act act, int resnet, int len, const float *h, float *hn, float *r, float *dv,
                     float eta)
{
    (void)act; (void)resnet; (void)len; (void)h; (void)hn; (void)r; (void)dv; (void)eta;
    return 0;
}
#endif
