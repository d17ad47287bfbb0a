/* rmath.c: the scalar transcendental functions (rmath.h) and the array dispatcher.
 *
 * The float functions mirror rmath_simd.h operation by operation: every fmaf here is a fused
 * multiply-add there, every branch there is both sides computed and blended, so both give the
 * same bits. Keep them in step: tests/unit/test_rmath.c compares them on every path.
 * The double ones follow fdlibm / musl (exp, log, sin, cos) and Cephes (tanh). */
#include "rmath.h"
#include "isa.h"
#include <math.h>
#include <string.h>

static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
static inline float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static inline uint64_t d2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}
static inline double u2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ---- float ---- */

/* e^x = 2^n e^r with n = round(x / ln 2), r = x - n ln 2 (the first step is exact under FMA),
 * e^r by a polynomial, 2^n applied as two factors 2^(n/2) 2^(n - n/2) so that results near the
 * overflow and underflow edges (subnormals included) are rounded once, correctly scaled. */
float rdn_expf(float x)
{
    if (x != x) return x + x;
    float xc = x > RDN_RM_EXPF_HI ? RDN_RM_EXPF_HI : x;
    xc = xc < RDN_RM_EXPF_LO ? RDN_RM_EXPF_LO : xc;
    float n = fmaf(xc, RDN_RM_LOG2EF, RDN_RM_SHIFTF) - RDN_RM_SHIFTF;
    float r = fmaf(-n, RDN_RM_LN2HIF, xc);
    r = fmaf(-n, RDN_RM_LN2LOF, r);
    float p = RDN_RM_EXPF_P0;
    p = fmaf(p, r, RDN_RM_EXPF_P1);
    p = fmaf(p, r, RDN_RM_EXPF_P2);
    p = fmaf(p, r, RDN_RM_EXPF_P3);
    p = fmaf(p, r, RDN_RM_EXPF_P4);
    p = fmaf(p, r, RDN_RM_EXPF_P5);
    p = fmaf(p, r * r, r);
    p = p + 1.0f;
    int32_t ni = (int32_t)n, n1 = ni >> 1, n2 = ni - n1;
    float s1 = u2f((uint32_t)(n1 + 127) << 23), s2 = u2f((uint32_t)(n2 + 127) << 23);
    return (p * s1) * s2;
}

/* x = 2^k m with m in [sqrt(1/2), sqrt(2)), log x = k ln 2 + log(1 + f), f = m - 1 (exact).
 * Subnormals are scaled by 2^23 first. */
float rdn_logf(float x)
{
    if (x != x) return x + x;
    if (x < 0.0f) return u2f(RDN_RM_NANF_BITS);
    if (x == 0.0f) return -INFINITY;
    if (x == INFINITY) return x;
    uint32_t ix = f2u(x);
    int32_t k = 0;
    if (x < 0x1p-126f) {
        ix = f2u(x * 0x1p23f);
        k = -23;
    }
    ix -= RDN_RM_SQRTHF_BITS;
    k += (int32_t)ix >> 23;
    ix = (ix & 0x007fffffu) + RDN_RM_SQRTHF_BITS;
    float f = u2f(ix) - 1.0f;
    float z = f * f;
    float p = RDN_RM_LOGF_P0;
    p = fmaf(p, f, RDN_RM_LOGF_P1);
    p = fmaf(p, f, RDN_RM_LOGF_P2);
    p = fmaf(p, f, RDN_RM_LOGF_P3);
    p = fmaf(p, f, RDN_RM_LOGF_P4);
    p = fmaf(p, f, RDN_RM_LOGF_P5);
    p = fmaf(p, f, RDN_RM_LOGF_P6);
    p = fmaf(p, f, RDN_RM_LOGF_P7);
    p = fmaf(p, f, RDN_RM_LOGF_P8);
    p = p * f;
    p = p * z;
    p = fmaf(z, -0.5f, p);
    float kf = (float)k;
    float r = fmaf(kf, RDN_RM_LOGF_LO, p);
    r = r + f;
    return fmaf(kf, RDN_RM_LOGF_HI, r);
}

float rdn_tanhf(float x)
{
    if (x != x) return x + x;
    float ax = fabsf(x), r;
    if (ax < RDN_RM_TANHF_SMALL) {
        float z = ax * ax;
        float p = RDN_RM_TANHF_P0;
        p = fmaf(p, z, RDN_RM_TANHF_P1);
        p = fmaf(p, z, RDN_RM_TANHF_P2);
        p = fmaf(p, z, RDN_RM_TANHF_P3);
        p = fmaf(p, z, RDN_RM_TANHF_P4);
        p = p * z;
        r = fmaf(p, ax, ax);
    } else {
        float e = rdn_expf(ax + ax);
        r = 1.0f - 2.0f / (e + 1.0f);
    }
    return copysignf(r, x);
}

/* e = e^-|x|, then 1 / (1 + e) for x >= 0 and e / (1 + e) below (where 1 / (1 + e^-x) would
 * lose the result to overflow past x = -88.7). */
float rdn_logisticf(float x)
{
    if (x != x) return x + x;
    float e = rdn_expf(-fabsf(x));
    return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

/* ---- double ---- */

static const double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10,
                    INVLN2 = 1.44269504088896338700e+00;

static inline double two_pow(int k) { return u2d((uint64_t)(k + 1023) << 52); }

/* fdlibm's e_exp.c: r = x - k ln 2 in two pieces, e^r = 1 + r + r c / (2 - c) with c a
 * degree-10 polynomial in r, then 2^k as two factors (see rdn_expf). */
double rdn_exp(double x)
{
    static const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
                        P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                        P5 = 4.13813679705723846039e-08;
    if (x != x) return x + x;
    if (x > 7.09782712893383973096e+02) return INFINITY;
    if (x < -7.45133219101941108420e+02) return 0.0;
    double kd = (x * INVLN2 + 0x1.8p52) - 0x1.8p52;
    double hi = x - kd * LN2_HI, lo = kd * LN2_LO;
    double r = hi - lo, t = r * r;
    double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    int k = (int)kd, k1 = k >> 1, k2 = k - k1;
    return y * two_pow(k1) * two_pow(k2);
}

/* musl's log.c (fdlibm): x = 2^k (1 + f), log(1 + f) = 2s + 2s^3/3 + ... with s = f / (2 + f). */
double rdn_log(double x)
{
    static const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                        Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                        Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                        Lg7 = 1.479819860511658591e-01;
    if (x != x) return x + x;
    if (x < 0) return u2d(0x7ff8000000000000ull);
    if (x == 0) return -INFINITY;
    if (x == INFINITY) return x;
    int k = 0;
    if (x < 0x1p-1022) {
        x *= 0x1p54;
        k = -54;
    }
    uint64_t ix = d2u(x);
    uint32_t hx = (uint32_t)(ix >> 32);
    hx += 0x3ff00000u - 0x3fe6a09eu;
    k += (int)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
    x = u2d((uint64_t)hx << 32 | (ix & 0xffffffffull));
    double f = x - 1.0, hfsq = 0.5 * f * f, s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6)), t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1, dk = k;
    return s * (hfsq + R) + dk * LN2_LO - hfsq + f + dk * LN2_HI;
}

/* Cephes tanh.c: a rational function below 0.625, 1 - 2 / (e^2|x| + 1) above, 1 past 22. */
double rdn_tanh(double x)
{
    static const double P0 = -9.64399179425052238628e-1, P1 = -9.92877231001918586564e1,
                        P2 = -1.61468768441708447952e3, Q0 = 1.12811678491632931402e2,
                        Q1 = 2.23548839060100448583e3, Q2 = 4.84406305325125486048e3;
    if (x != x) return x + x;
    double ax = fabs(x), r;
    if (ax > 22.0)
        r = 1.0;
    else if (ax >= 0.625) {
        double s = rdn_exp(ax + ax);
        r = 1.0 - 2.0 / (s + 1.0);
    } else {
        if (ax == 0) return x;
        double z = ax * ax;
        double p = (P0 * z + P1) * z + P2, q = ((z + Q0) * z + Q1) * z + Q2;
        r = ax + ax * z * (p / q);
    }
    return copysign(r, x);
}

double rdn_sigmoid(double x)
{
    if (x >= 0) return 1.0 / (1.0 + rdn_exp(-x));
    double e = rdn_exp(x);
    return e / (1.0 + e);
}

/* Dekker's exact product with plain operations: a * b = *hi + *lo exactly (no FMA, so the same
 * on every machine; |a|, |b| < 2^996). */
static void two_prod(double a, double b, double *hi, double *lo)
{
    const double split = 134217729.0; /* 2^27 + 1 */
    double ca = split * a, ah = ca - (ca - a), al = a - ah;
    double cb = split * b, bh = cb - (cb - b), bl = b - bh;
    *hi = a * b;
    *lo = ((ah * bh - *hi) + ah * bl + al * bh) + al * bl;
}

/* (*h + *l) *= (bh + bl), about 2^-104 relative; past 2^995 (where the splitting would
 * overflow) a plain product */
static void dd_mul(double *h, double *l, double bh, double bl)
{
    if (!(fabs(*h) < 0x1p995 && fabs(bh) < 0x1p995)) {
        *h = *h * bh;
        *l = 0.0;
        return;
    }
    double ph, pl;
    two_prod(*h, bh, &ph, &pl);
    pl += *h * bl + *l * bh;
    *h = ph + pl;
    *l = pl - (*h - ph);
}

static void two_sum(double a, double b, double *s, double *e)
{
    *s = a + b;
    double bb = *s - a;
    *e = (a - (*s - bb)) + (b - bb);
}

/* log x as hi + lo, about 2^-57 relative (fdlibm's polynomial is good to 2^-58.45): rdn_log's decomposition with f - f^2/2 and k ln 2 kept
 * exactly and only the small s (f^2/2 + R) term rounded. x positive and finite. */
static void log_dd(double x, double *hi, double *lo)
{
    static const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                        Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                        Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                        Lg7 = 1.479819860511658591e-01;
    int k = 0;
    if (x < 0x1p-1022) {
        x *= 0x1p54;
        k = -54;
    }
    uint64_t ix = d2u(x);
    uint32_t hx = (uint32_t)(ix >> 32);
    hx += 0x3ff00000u - 0x3fe6a09eu;
    k += (int)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
    x = u2d((uint64_t)hx << 32 | (ix & 0xffffffffull));
    double f = x - 1.0, s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6)), t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double ffh, ffl;
    two_prod(f, f, &ffh, &ffl);
    double hh = 0.5 * ffh, hl = 0.5 * ffl; /* f^2/2 = hh + hl exactly */
    double T = s * ((hh + hl) + (t2 + t1));
    double dk = k;
    /* dk * LN2_HI is exact (LN2_HI has 32 significant bits, |k| < 1100) */
    double a, ae, b, be;
    two_sum(dk * LN2_HI, f, &a, &ae);
    two_sum(a, -hh, &b, &be);
    double rest = ae + be - hl + T + dk * LN2_LO;
    two_sum(b, rest, hi, lo);
}

/* C99's special cases (F.9.4.4); integer exponents up to 64 by repeated squaring (exact whenever
 * the result is representable, so 2 ^ 10 is 1024); otherwise e^(y log x) with log x in
 * double-double (about 2^-57 relative, so the error grows with |y log x|: 1.4 ulp up to 20, about
 * 60 ulp near the overflow edge 700), y log x as an exact product, and e^(p + q) = e^p (1 + q). */
double rdn_pow(double x, double y)
{
    if (y == 0 || x == 1) return 1.0;
    if (x != x || y != y) return x + y;
    double ax = fabs(x);
    if (isinf(y)) {
        if (ax == 1) return 1.0;
        return (ax > 1) == (y > 0) ? INFINITY : 0.0;
    }
    int yint = y == floor(y);
    int yodd = yint && fabs(y) < 0x1p53 && fmod(y, 2.0) != 0;
    if (x == 0 || isinf(x)) {
        double mag = (x == 0) == (y < 0) ? INFINITY : 0.0;
        return signbit(x) && yodd ? -mag : mag;
    }
    if (x < 0 && !yint) return u2d(0x7ff8000000000000ull);
    double r;
    if (yint && fabs(y) <= 64) {
        /* squaring in double-double: exact while representable, else rounded about once */
        int n = (int)fabs(y);
        double rh = 1.0, rl = 0.0, bh = ax, bl = 0.0;
        for (; n; n >>= 1) {
            if (n & 1) dd_mul(&rh, &rl, bh, bl);
            if (n > 1) dd_mul(&bh, &bl, bh, bl);
        }
        if (y < 0) {
            double q = 1.0 / rh, p, pe;
            if (isfinite(q) && q != 0 && fabs(rh) < 0x1p995 && fabs(q) < 0x1p995) {
                two_prod(q, rh, &p, &pe);
                q += q * (((1.0 - p) - pe) - q * rl);
            }
            r = q;
        } else
            r = rh + rl;
    } else {
        double lh, ll;
        log_dd(ax, &lh, &ll);
        double ph = y * lh;
        if (ph > 710.0) r = INFINITY;
        else if (ph < -746.0) r = 0.0;
        else {
            double pl;
            two_prod(y, lh, &ph, &pl);
            pl += y * ll;
            double e = rdn_exp(ph);
            r = e + e * pl;
        }
    }
    return x < 0 && yodd ? -r : r;
}

/* log(1 + x) by Goldberg's trick: u = 1 + x rounded, then log u scaled by x / (u - 1), which
 * corrects the rounding of u (a few ulps). */
double rdn_log1p(double x)
{
    if (x != x) return x + x;
    if (x == INFINITY) return x;
    double u = 1.0 + x;
    if (u == 1.0) return x;
    if (u <= 0.0) return rdn_log(u);
    return rdn_log(u) * (x / (u - 1.0));
}

/* log |Gamma(x)|: Lanczos' approximation (g = 7, 9 terms) for x >= 0.5 and the reflection
 * formula below; about 1e-15 relative except near its zeros x = 1, 2 (absolute there). */
double rdn_lgamma(double x)
{
    static const double c[9] = {0.99999999999980993,  676.5203681218851,   -1259.1392167224028,
                                771.32342877765313,   -176.61502916214059, 12.507343278686905,
                                -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    static const double half_log_2pi = 0.91893853320467274178, pi = 3.14159265358979323846;
    if (x != x) return x + x;
    if (isinf(x)) return INFINITY;
    if (x == 1.0 || x == 2.0) return 0.0;
    if (x < 0.5) {
        if (x == floor(x)) return INFINITY; /* the poles 0, -1, -2, ... */
        double s = rdn_sin(pi * (x - 2.0 * floor(x / 2.0))); /* sin(pi x), argument reduced */
        return rdn_log(pi / fabs(s)) - rdn_lgamma(1.0 - x);
    }
    double z = x - 1.0, a = c[0];
    for (int i = 1; i < 9; i++) a += c[i] / (z + i);
    double t = z + 7.5;
    return half_log_2pi + (z + 0.5) * rdn_log(t) - t + rdn_log(a);
}

/* sin and cos: x = n pi/2 + (y0 + y1) with pi/2 in three pieces (musl's __rem_pio2, medium
 * case, always with its second step), then musl's kernels on [-pi/4, pi/4]. */
static int rem_pio2(double x, double *y0, double *y1)
{
    static const double invpio2 = 6.36619772367581382433e-01, pio2_1 = 1.57079632673412561417e+00,
                        pio2_1t = 6.07710050650619224932e-11, pio2_2 = 6.07710050630396597660e-11,
                        pio2_2t = 2.02226624879595063154e-21;
    double fn = (x * invpio2 + 0x1.8p52) - 0x1.8p52;
    double r = x - fn * pio2_1, w;
    double t = r;
    w = fn * pio2_2;
    r = t - w;
    w = fn * pio2_2t - ((t - r) - w);
    *y0 = r - w;
    *y1 = (r - *y0) - w;
    (void)pio2_1t;
    return (int)(int64_t)fn;
}

static double ksin(double x, double y)
{
    static const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                        S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                        S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    double z = x * x, w = z * z;
    double r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    double v = z * x;
    return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

static double kcos(double x, double y)
{
    static const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                        C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                        C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    double z = x * x, w = z * z;
    double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    double hz = 0.5 * z;
    w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}

double rdn_sin(double x)
{
    if (x != x || isinf(x)) return x - x;
    if (fabs(x) < 0x1p-26) return x;
    double y0, y1;
    int n = rem_pio2(x, &y0, &y1);
    switch (n & 3) {
    case 0: return ksin(y0, y1);
    case 1: return kcos(y0, y1);
    case 2: return -ksin(y0, y1);
    default: return -kcos(y0, y1);
    }
}

double rdn_cos(double x)
{
    if (x != x || isinf(x)) return x - x;
    double y0, y1;
    int n = rem_pio2(x, &y0, &y1);
    switch (n & 3) {
    case 0: return kcos(y0, y1);
    case 1: return -ksin(y0, y1);
    case 2: return -kcos(y0, y1);
    default: return ksin(y0, y1);
    }
}

/* ---- arrays ---- */


static void vmapf_generic(RdnVFn fn, float *y, const float *x, int64_t n)
{
    switch (fn) {
    case RDN_V_EXP:
        for (int64_t i = 0; i < n; i++) y[i] = rdn_expf(x[i]);
        break;
    case RDN_V_LOG:
        for (int64_t i = 0; i < n; i++) y[i] = rdn_logf(x[i]);
        break;
    case RDN_V_TANH:
        for (int64_t i = 0; i < n; i++) y[i] = rdn_tanhf(x[i]);
        break;
    case RDN_V_LOGISTIC:
        for (int64_t i = 0; i < n; i++) y[i] = rdn_logisticf(x[i]);
        break;
    }
}

void rdn_vmapf_isa(int isa, RdnVFn fn, float *y, const float *x, int64_t n)
{
#if RDN_X86
    if (isa == RDN_ISA_AVX512) {
        rdn_vmapf_avx512(fn, y, x, n);
        return;
    }
    if (isa == RDN_ISA_AVX2) {
        rdn_vmapf_avx2(fn, y, x, n);
        return;
    }
#endif
    vmapf_generic(fn, y, x, n);
}

void rdn_vmapf(RdnVFn fn, float *y, const float *x, int64_t n)
{
    rdn_vmapf_isa(rdn_isa(), fn, y, x, n);
}
