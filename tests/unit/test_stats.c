/* test_stats.c: rdn_summarize against hand-computed values and Student's t quantiles against
 * published ones (scipy.stats.t.ppf, closed forms for df 1 and 2). */
#include <math.h>
#include <stdint.h>
#include "check.h"
#include "stats.h"

static void check_rel(double got, double want, double rel, const char *what)
{
    CHECK(fabs(got - want) <= rel * fabs(want), "%s: %.17g vs %.17g", what, got, want);
}

int main(void)
{
    /* t(0.975, df): mpmath at 40 digits (findroot on betainc); the df 9 value often quoted as
     * 2.2621571628540993 is wrong in the 11th digit */
    check_rel(rdn_t_quantile(0.975, 1), 12.706204736174693, 1e-12, "t(0.975,1)");
    check_rel(rdn_t_quantile(0.975, 2), 4.3026527297494618, 1e-12, "t(0.975,2)");
    check_rel(rdn_t_quantile(0.975, 4), 2.7764451051977934, 1e-12, "t(0.975,4)");
    check_rel(rdn_t_quantile(0.975, 9), 2.2621571627982050, 1e-12, "t(0.975,9)");
    check_rel(rdn_t_quantile(0.975, 29), 2.0452296421327039, 1e-12, "t(0.975,29)");
    check_rel(rdn_t_quantile(0.975, 1000), 1.9623390808264081, 1e-12, "t(0.975,1000)");
    /* closed forms: df 1 is Cauchy, df 2 has t = (2p-1) sqrt(2 / (4p(1-p))) */
    for (double p = 0.01; p < 1; p += 0.07) {
        check_rel(rdn_t_quantile(p, 1), tan(M_PI * (p - 0.5)), 1e-12, "cauchy");
        check_rel(rdn_t_quantile(p, 2), (2 * p - 1) * sqrt(2 / (4 * p * (1 - p))), 1e-12, "df 2");
    }
    CHECK(rdn_t_quantile(0.5, 3) == 0, "median");
    check_rel(rdn_t_quantile(0.025, 4), -2.7764451051977935, 1e-12, "lower tail");
    CHECK(isnan(rdn_t_quantile(0, 3)) && isnan(rdn_t_quantile(1, 3)) && isnan(rdn_t_quantile(0.5, 0)),
          "out of range");
    check_rel(rdn_t_cdf(2.7764451051977934, 4), 0.975, 1e-14, "cdf");

    /* Python: statistics.mean/stdev([0.81, 0.83, 0.845, 0.82, 0.8125]) */
    double x[] = {0.81, 0.83, 0.845, 0.82, 0.8125};
    RdnSummary s;
    rdn_summarize(x, 5, &s);
    CHECK(s.n == 5, "n %lld", (long long)s.n);
    check_rel(s.mean, 0.8235, 1e-15, "mean");
    check_rel(s.sd, 0.014317821063276328, 1e-13, "sd");
    check_rel(s.ci95, 2.7764451051977934 * 0.014317821063276328 / sqrt(5), 1e-13, "ci95");
    CHECK(s.min == 0.81 && s.max == 0.845, "min max");

    double y[] = {NAN, 3, NAN};              /* NaN (missing) skipped; one value: no spread */
    rdn_summarize(y, 3, &s);
    CHECK(s.n == 1 && s.mean == 3 && s.min == 3 && s.max == 3 && isnan(s.sd) && isnan(s.ci95),
          "one value");
    rdn_summarize(y, 0, &s);
    CHECK(s.n == 0 && isnan(s.mean) && isnan(s.min), "empty");
    return DONE();
}
