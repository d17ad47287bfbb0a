/* test_rmath.c: rdn's transcendental functions (runtime/rmath.h) against libm, and the vector
 * paths against the scalar functions bit for bit.
 *
 * Float functions: every 256th float bit pattern (RDN_RMATH_FULL=1: every one) plus a dense sweep
 * of [-100, 100], against libm in double; errors in units in the last place of the float result.
 * Double functions: dense sweeps and random points over their ranges, against long double libm.
 * Vector paths (rdn_vmapf_isa on every path this CPU has): the same inputs and the specials
 * (NaN, +-inf, +-0, subnormals, the overflow and underflow edges) must give the scalar bits. */
#include "check.h"
#include "isa.h"
#include "rmath.h"
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* |got - ref| in units of the float spacing at ref (2^-149 among the subnormals); an infinite
 * or NaN mismatch counts as 1e9 */
static double ulps_f(float got, double ref)
{
    if (isnan(ref)) return isnan(got) ? 0 : 1e9;
    if (ref > FLT_MAX || ref < -FLT_MAX) {
        /* past the float range: inf is right, and so is FLT_MAX when ref rounds to it */
        if (isinf(got) && (got > 0) == (ref > 0)) return 0;
        return fabs(fabs((double)got) - fabs(ref)) / ldexp(1.0, 104);
    }
    if (isinf(got)) return 1e9;
    int e;
    frexp(ref, &e);
    double ulp = ldexp(1.0, (e - 24 < -149 ? -149 : e - 24));
    return fabs((double)got - ref) / ulp;
}

static double ulps_d(double got, long double ref)
{
    if (isnan(ref)) return isnan(got) ? 0 : 1e9;
    if (isinf(ref) || fabsl(ref) > DBL_MAX) return isinf(got) && (got > 0) == (ref > 0) ? 0 : 1e9;
    if (isinf(got)) return 1e9;
    int e;
    frexpl(ref, &e);
    long double ulp = ldexpl(1.0L, e - 53 < -1074 ? -1074 : e - 53);
    return (double)(fabsl((long double)got - ref) / ulp);
}

typedef struct {
    const char *name;
    float (*f)(float);
    double (*ref)(double);
    RdnVFn vfn;
    double bound; /* the maximum error allowed, in ulps (docs/runtime.md states the measured) */
    double worst;
    float worst_x;
} FFn;

static double logistic_ref(double x) { return 1.0 / (1.0 + exp(-x)); }

static void measure_f(FFn *fn, float x)
{
    double u = ulps_f(fn->f(x), fn->ref((double)x));
    if (u > fn->worst) {
        fn->worst = u;
        fn->worst_x = x;
    }
}

static void float_accuracy(FFn *fns, int nf, uint32_t stride)
{
    for (int i = 0; i < nf; i++) {
        FFn *fn = &fns[i];
        for (uint64_t b = 0; b <= 0xffffffffu; b += stride) measure_f(fn, u2f((uint32_t)b));
        for (int k = -1000000; k <= 1000000; k++) measure_f(fn, (float)(k * 1e-4));
        printf("%-10s max error %.3f ulp (at %a) [bound %.1f]\n", fn->name, fn->worst,
               (double)fn->worst_x, fn->bound);
        CHECK(fn->worst <= fn->bound, "%s: %.3f ulp at %a", fn->name, fn->worst, (double)fn->worst_x);
    }
}

/* inputs for the bit-identity checks: specials, edges, a stride over all bit patterns */
static float *identity_inputs(int64_t *n_out, uint32_t stride)
{
    static const float special[] = {
        NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX,
        FLT_TRUE_MIN, -FLT_TRUE_MIN, 0x1p-140f, 0x1.8p-127f, 1.0f, -1.0f, 0.5f, 2.0f,
        88.0f, 88.5f, 88.72283f, 88.72284f, 88.8f, 89.0f, 89.5f, 100.0f, 1e30f,
        -87.0f, -87.33654f, -87.4f, -100.0f, -103.0f, -103.97208f, -103.98f, -104.0f, -104.5f,
        -150.0f, -1e30f, 0.625f, -0.625f, 0.62499994f, 9.0f, 9.1f, 44.0f, 45.0f, 1e-8f, -1e-8f,
        0.70710677f, 0.70710683f, 1.4142135f, 1.0000001f, 0.99999994f, 0x1.62e43p-1f,
    };
    int ns = (int)(sizeof special / sizeof special[0]);
    int64_t n = ns + (int64_t)(0x100000000ull / stride) + 2000001 + 12345;
    float *x = malloc((size_t)n * sizeof *x);
    if (!x) return NULL;
    int64_t k = 0;
    for (int i = 0; i < ns; i++) x[k++] = special[i];
    for (uint64_t b = 7; b <= 0xffffffffu; b += stride) x[k++] = u2f((uint32_t)b);
    for (int i = -1000000; i <= 1000000; i++) x[k++] = (float)(i * 1.7e-4);
    uint64_t s = 12345;
    for (int i = 0; i < 12345; i++) { /* random floats near the interesting range */
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x[k++] = (float)((double)(s >> 11) / 9007199254740992.0 * 240.0 - 120.0);
    }
    *n_out = k;
    return x;
}

static void simd_identity(const FFn *fns, int nf)
{
    int64_t n;
    float *x = identity_inputs(&n, 4093);
    float *ys = malloc((size_t)n * sizeof *ys), *yv = malloc((size_t)n * sizeof *yv);
    CHECK(x && ys && yv, "allocation");
    if (!x || !ys || !yv) return;
    for (int isa = RDN_ISA_AVX2; isa <= RDN_ISA_AVX512; isa++) {
        if (!rdn_isa_supported((RdnIsa)isa)) {
            printf("path %s: not on this CPU, not checked here\n", rdn_isa_name((RdnIsa)isa));
            continue;
        }
        for (int i = 0; i < nf; i++) {
            for (int64_t j = 0; j < n; j++) ys[j] = fns[i].f(x[j]);
            /* odd offsets and lengths exercise the tails */
            rdn_vmapf_isa(isa, fns[i].vfn, yv, x, 5);
            rdn_vmapf_isa(isa, fns[i].vfn, yv + 5, x + 5, n - 5);
            int64_t bad = 0, first = -1;
            for (int64_t j = 0; j < n; j++)
                if (f2u(ys[j]) != f2u(yv[j])) {
                    if (first < 0) first = j;
                    bad++;
                }
            CHECK(bad == 0, "%s on %s: %lld of %lld differ from scalar, first x = %a: %a vs %a",
                  fns[i].name, rdn_isa_name((RdnIsa)isa), (long long)bad, (long long)n,
                  first >= 0 ? (double)x[first] : 0.0, first >= 0 ? (double)ys[first] : 0.0,
                  first >= 0 ? (double)yv[first] : 0.0);
            printf("%-10s %s path: %lld inputs, bit-identical to scalar: %s\n", fns[i].name,
                   rdn_isa_name((RdnIsa)isa), (long long)n, bad ? "NO" : "yes");
        }
        /* in place (y == x) gives the same */
        for (int64_t j = 0; j < 1000; j++) yv[j] = x[j];
        rdn_vmapf_isa(isa, RDN_V_TANH, yv, yv, 1000);
        int same = 1;
        for (int64_t j = 0; j < 1000; j++) same &= f2u(yv[j]) == f2u(rdn_tanhf(x[j]));
        CHECK(same, "in-place map on %s", rdn_isa_name((RdnIsa)isa));
    }
    free(x), free(ys), free(yv);
}

static void float_specials(void)
{
    CHECK(isnan(rdn_expf(NAN)) && isnan(rdn_logf(NAN)) && isnan(rdn_tanhf(NAN)) &&
              isnan(rdn_logisticf(NAN)), "NaN propagates");
    CHECK(rdn_expf(INFINITY) == INFINITY && rdn_expf(-INFINITY) == 0 && rdn_expf(89.0f) == INFINITY,
          "expf saturates");
    CHECK(rdn_expf(0) == 1.0f && rdn_logf(1.0f) == 0.0f, "exp 0 = 1, log 1 = 0 exactly");
    CHECK(rdn_expf(-103.0f) > 0 && rdn_expf(-103.0f) < FLT_MIN, "expf reaches the subnormals");
    CHECK(rdn_logf(0.0f) == -INFINITY && rdn_logf(-0.0f) == -INFINITY && isnan(rdn_logf(-1.0f)) &&
              rdn_logf(INFINITY) == INFINITY, "logf specials");
    CHECK(rdn_tanhf(INFINITY) == 1.0f && rdn_tanhf(-INFINITY) == -1.0f && rdn_tanhf(20.0f) == 1.0f,
          "tanhf saturates");
    CHECK(signbit(rdn_tanhf(-0.0f)) && rdn_tanhf(-0.0f) == 0, "tanhf(-0) = -0");
    CHECK(rdn_logisticf(INFINITY) == 1.0f && rdn_logisticf(-INFINITY) == 0.0f &&
              rdn_logisticf(0.0f) == 0.5f, "logistic specials");
}

typedef struct {
    const char *name;
    double (*f)(double);
    long double (*ref)(long double);
    double lo, hi, bound;
} DFn;

static long double sigmoid_ref(long double x) { return 1.0L / (1.0L + expl(-x)); }

static void double_accuracy(void)
{
    DFn fns[] = {
        {"exp", rdn_exp, expl, -746, 710, 1.0},
        {"log", rdn_log, logl, 0, 1e300, 1.0},
        {"log[0,4]", rdn_log, logl, 0, 4, 1.0},
        {"tanh", rdn_tanh, tanhl, -25, 25, 2.0},
        {"sigmoid", rdn_sigmoid, sigmoid_ref, -745, 40, 2.5},
        {"sin", rdn_sin, sinl, -100, 100, 1.0},
        {"cos", rdn_cos, cosl, -100, 100, 1.0},
        {"sin[big]", rdn_sin, sinl, -5e5, 5e5, 1.0},
    };
    uint64_t s = 99;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        DFn *fn = &fns[i];
        double worst = 0, wx = 0;
        for (int j = 0; j <= 400000; j++) {
            double x;
            if (j % 2) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                x = fn->lo + (fn->hi - fn->lo) * ((double)(s >> 11) / 9007199254740992.0);
            } else
                x = fn->lo + (fn->hi - fn->lo) * (j / 400000.0);
            if (fn->f == rdn_log && j % 4 == 1) { /* log over all magnitudes */
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                x = ldexp(1.0 + (double)(s >> 12) / 4503599627370496.0, (int)(s % 2098) - 1074);
            }
            double u = ulps_d(fn->f(x), fn->ref((long double)x));
            if (u > worst) worst = u, wx = x;
        }
        printf("%-10s max error %.3f ulp (at %a) [bound %.1f]\n", fn->name, worst, wx, fn->bound);
        CHECK(worst <= fn->bound, "%s: %.3f ulp at %a", fn->name, worst, wx);
    }
    CHECK(rdn_exp(1000) == INFINITY && rdn_exp(-1000) == 0 && rdn_exp(0) == 1 &&
              rdn_exp(-745.0) > 0 && isnan(rdn_exp(NAN)), "exp specials");
    CHECK(rdn_log(0) == -INFINITY && isnan(rdn_log(-1)) && rdn_log(1) == 0 &&
              rdn_log(INFINITY) == INFINITY && fabs(rdn_log(4.9e-324) + 744.44007192138127) < 1e-12,
          "log specials and subnormals");
    CHECK(rdn_tanh(INFINITY) == 1 && rdn_tanh(-INFINITY) == -1 && signbit(rdn_tanh(-0.0)),
          "tanh specials");
}

static void pow_checks(void)
{
    /* C99 F.9.4.4's special cases, each against libm's pow (glibc follows them) */
    double xs[] = {0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, INFINITY, -INFINITY, NAN, 3.7, 1e300};
    double ys[] = {0.0, -0.0, 1.0, -1.0, 2.0, 3.0, -3.0, 0.5, -0.5, 2.5, INFINITY, -INFINITY, NAN, 1e20};
    int bad = 0;
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        for (size_t j = 0; j < sizeof ys / sizeof ys[0]; j++) {
            double a = rdn_pow(xs[i], ys[j]), b = pow(xs[i], ys[j]);
            int ok = (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b)) ||
                     (isfinite(b) && b != 0 && fabs(a - b) <= 1e-13 * fabs(b));
            if (!ok) {
                bad++;
                fprintf(stderr, "pow(%g, %g): %a vs libm %a\n", xs[i], ys[j], a, b);
            }
        }
    CHECK(bad == 0, "pow special cases: %d differ", bad);
    /* integer powers up to 64 by squaring, others by exp(y log x) */
    double worst = 0, wx = 0, wy = 0;
    uint64_t s = 7;
    for (int k = 0; k < 1000000; k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double x = (double)(s >> 11) / 9007199254740992.0 * 10;
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double y = k % 2 ? (double)((int)(s >> 40) % 129 - 64)
                         : ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 20;
        double u = ulps_d(rdn_pow(x, y), powl((long double)x, (long double)y));
        if (u > worst) worst = u, wx = x, wy = y;
    }
    printf("%-10s max error %.3f ulp (at %a ^ %a) for x in [0, 10], y in [-10, 10] or an "
           "integer in [-64, 64]\n", "pow", worst, wx, wy);
    CHECK(worst <= 64, "pow: %.3f ulp at %a ^ %a", worst, wx, wy);
}

int main(void)
{
    FFn fns[] = {
        {"expf", rdn_expf, exp, RDN_V_EXP, 2.0, 0, 0},
        {"logf", rdn_logf, log, RDN_V_LOG, 2.0, 0, 0},
        {"tanhf", rdn_tanhf, tanh, RDN_V_TANH, 3.0, 0, 0},
        {"logisticf", rdn_logisticf, logistic_ref, RDN_V_LOGISTIC, 3.0, 0, 0},
    };
    int nf = (int)(sizeof fns / sizeof fns[0]);
    const char *full = getenv("RDN_RMATH_FULL");
    float_specials();
    float_accuracy(fns, nf, full && *full == '1' ? 1 : 256);
    simd_identity(fns, nf);
    double_accuracy();
    pow_checks();
    return DONE();
}
