/* stats.c: sample summaries and Student's t distribution.
 * The t distribution function goes through the regularized incomplete beta function
 * (continued fraction, modified Lentz); its quantile is found by bisection down to adjacent
 * doubles, so it is as accurate as the distribution function. */
#include "stats.h"
#include <math.h>

void rdn_summarize(const double *x, int64_t n, RdnSummary *out)
{
    int64_t k = 0;
    double sum = 0, lo = NAN, hi = NAN;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(x[i])) continue;
        if (k == 0 || x[i] < lo) lo = x[i];
        if (k == 0 || x[i] > hi) hi = x[i];
        sum += x[i];
        k++;
    }
    out->n = k;
    out->min = lo;
    out->max = hi;
    out->mean = k ? sum / (double)k : NAN;
    out->sd = out->ci95 = NAN;
    if (k < 2) return;
    double ss = 0;                      /* two passes: no cancellation from sum of squares */
    for (int64_t i = 0; i < n; i++)
        if (!isnan(x[i])) ss += (x[i] - out->mean) * (x[i] - out->mean);
    out->sd = sqrt(ss / (double)(k - 1));
    out->ci95 = rdn_t_quantile(0.975, (double)(k - 1)) * out->sd / sqrt((double)k);
}

/* Continued fraction for the incomplete beta function (Numerical Recipes' betacf, Lentz). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16) break;
    }
    return h;
}

/* I_x(a, b), the regularized incomplete beta function. */
static double beta_inc(double a, double b, double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2)) return front * beta_cf(a, b, x) / a;
    return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double rdn_t_cdf(double t, double df)
{
    if (isnan(t) || !(df > 0)) return NAN;
    if (isinf(t)) return t > 0 ? 1 : 0;
    double x = df / (df + t * t);
    double tail = 0.5 * beta_inc(df / 2, 0.5, x);    /* P(T > |t|) */
    return t > 0 ? 1 - tail : tail;
}

/* P(T > t) for t >= 0, without the cancellation of 1 - cdf. */
static double t_upper(double t, double df)
{
    return 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));
}

double rdn_t_quantile(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0)) return NAN;
    if (p == 0.5) return 0;
    double q = p > 0.5 ? 1 - p : p;     /* the upper tail probability to match */
    double lo = 0, hi = 1;
    while (t_upper(hi, df) > q) {
        lo = hi;
        hi *= 2;
        if (isinf(hi)) return p > 0.5 ? INFINITY : -INFINITY;
    }
    for (int i = 0; i < 2000; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi) break;
        if (t_upper(mid, df) > q) lo = mid;
        else hi = mid;
    }
    double t = (t_upper(lo, df) - q <= q - t_upper(hi, df)) ? lo : hi;
    return p > 0.5 ? t : -t;
}
