/* rmath.h: rdn's own transcendental functions, the same bits on every machine.
 *
 * libm's results differ between machines (glibc picks FMA or non-FMA variants at run time, other
 * libcs use other algorithms), so every number rdn computes goes through these instead. Each is
 * a fixed sequence of IEEE operations: range reduction, a fixed polynomial evaluated by explicit
 * fused multiply-adds (float) or plain operations (double), 2^n built in the exponent bits and
 * correctly rounded division; never an approximate reciprocal. Compiled with -ffp-contract=off,
 * so the compiler cannot fuse or reorder them differently on different machines.
 *
 * The float functions have vector twins in rmath_simd.h (AVX2+FMA and AVX-512) that perform the
 * identical operations lane by lane, so they give the identical bits; rdn_vmapf applies one to
 * an array on the kernel path in use (isa.h). Errors against libm in double, measured by
 * tests/unit/test_rmath.c, are listed in docs/runtime.md ("Determinism"). */
#ifndef RDN_RMATH_H
#define RDN_RMATH_H
#include <stdint.h>

/* float: NaN in gives NaN out; expf overflows to +inf past 88.72 and underflows through the
 * subnormals to 0 below -103.9; logf of a negative is NaN, of +-0 is -inf. */
float rdn_expf(float x);
float rdn_logf(float x);
float rdn_tanhf(float x);
float rdn_logisticf(float x);     /* 1 / (1 + e^-x) */

/* double */
double rdn_exp(double x);
double rdn_log(double x);
double rdn_tanh(double x);
double rdn_sigmoid(double x);     /* 1 / (1 + e^-x) in double, without inf / inf for x << 0 */
double rdn_pow(double x, double y); /* C99's special cases; integer y up to 64 by squaring (exact
                                     * when representable), else e^(y log x) in extra precision */
double rdn_log1p(double x);       /* log(1 + x), accurate near 0 */
double rdn_lgamma(double x);      /* log |Gamma(x)| (statistics: Student's t) */
/* sin, cos: accurate for |x| < 2^19 (the data generators' range); past that still the same bits
 * everywhere but less accurate. */
double rdn_sin(double x);
double rdn_cos(double x);

/* y[i] = f(x[i]) for i < n (y may be x), on the kernel path in use. Same bits as the scalar
 * functions on every path. */
typedef enum { RDN_V_EXP, RDN_V_LOG, RDN_V_TANH, RDN_V_LOGISTIC } RdnVFn;
void rdn_vmapf(RdnVFn fn, float *y, const float *x, int64_t n);
/* Same, on a given path (for tests; the path must be supported, isa.h). */
void rdn_vmapf_isa(int isa, RdnVFn fn, float *y, const float *x, int64_t n);
/* The vector twins rdn_vmapf picks from (rmath_avx2.c, rmath_avx512.c; call rdn_vmapf). */
void rdn_vmapf_avx2(RdnVFn fn, float *y, const float *x, int64_t n);
void rdn_vmapf_avx512(RdnVFn fn, float *y, const float *x, int64_t n);

/* The constants the scalar and the vector versions share (rmath.c, rmath_simd.h). */
#define RDN_RM_EXPF_HI    89.0f           /* clamps: past these e^x is inf / 0 anyway */
#define RDN_RM_EXPF_LO    (-104.0f)
#define RDN_RM_LOG2EF     0x1.715476p+0f
#define RDN_RM_SHIFTF     0x1.8p23f       /* x + 1.5 * 2^23 rounds x to an integer */
#define RDN_RM_LN2HIF     0x1.62e43p-1f   /* ln 2 = HI + LO */
#define RDN_RM_LN2LOF     (-0x1.05c61p-29f)
/* e^r = 1 + r + r^2 P(r) on [-ln2/2, ln2/2] (Cephes expf) */
#define RDN_RM_EXPF_P0    1.9875691500e-4f
#define RDN_RM_EXPF_P1    1.3981999507e-3f
#define RDN_RM_EXPF_P2    8.3334519073e-3f
#define RDN_RM_EXPF_P3    4.1665795894e-2f
#define RDN_RM_EXPF_P4    1.6666665459e-1f
#define RDN_RM_EXPF_P5    5.0000001201e-1f
/* log(1 + f) = f - f^2/2 + f^3 P(f) on [sqrt(1/2) - 1, sqrt(2) - 1] (Cephes logf);
 * the logarithm's k ln 2 uses a shorter split so that k * HI is exact */
#define RDN_RM_SQRTHF_BITS 0x3f3504f3u    /* sqrt(1/2) as float bits */
#define RDN_RM_LOGF_HI    0.693359375f
#define RDN_RM_LOGF_LO    (-2.12194440e-4f)
#define RDN_RM_LOGF_P0    7.0376836292e-2f
#define RDN_RM_LOGF_P1    (-1.1514610310e-1f)
#define RDN_RM_LOGF_P2    1.1676998740e-1f
#define RDN_RM_LOGF_P3    (-1.2420140846e-1f)
#define RDN_RM_LOGF_P4    1.4249322787e-1f
#define RDN_RM_LOGF_P5    (-1.6668057665e-1f)
#define RDN_RM_LOGF_P6    2.0000714765e-1f
#define RDN_RM_LOGF_P7    (-2.4999993993e-1f)
#define RDN_RM_LOGF_P8    3.3333331174e-1f
/* tanh x = x + x^3 P(x^2) for |x| < 0.625 (Cephes tanhf), else 1 - 2 / (e^2|x| + 1) */
#define RDN_RM_TANHF_SMALL 0.625f
#define RDN_RM_TANHF_P0   (-5.70498872745e-3f)
#define RDN_RM_TANHF_P1   2.06390887954e-2f
#define RDN_RM_TANHF_P2   (-5.37397155531e-2f)
#define RDN_RM_TANHF_P3   1.33314422036e-1f
#define RDN_RM_TANHF_P4   (-3.33332819422e-1f)
#define RDN_RM_NANF_BITS  0x7fc00000u     /* the NaN logf returns for negative input */

#endif
