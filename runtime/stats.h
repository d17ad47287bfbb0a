/* stats.h: summaries of a sample (mean, sample standard deviation, 95% t interval) and the
 * quantiles of Student's t distribution they need. Pure functions of their inputs: the same
 * numbers in the same order give the same bits on every machine. */
#ifndef RDN_STATS_H
#define RDN_STATS_H
#include <stdint.h>

typedef struct RdnSummary {
    int64_t n;          /* values summarised: NaNs (missing) are skipped */
    double mean, sd;    /* sd: sample standard deviation (divides by n - 1) */
    double ci95;        /* half-width of the 95% t interval: t(0.975, n-1) * sd / sqrt(n) */
    double min, max;
} RdnSummary;

/* Summarises x[0..n) in index order. mean, min and max are NaN when no value is left, sd and
 * ci95 when fewer than two are. */
void rdn_summarize(const double *x, int64_t n, RdnSummary *out);

/* The p-quantile of Student's t distribution with df degrees of freedom (df > 0, 0 < p < 1;
 * NaN otherwise), accurate to a few units in the last place. */
double rdn_t_quantile(double p, double df);
/* Its distribution function P(T <= t). */
double rdn_t_cdf(double t, double df);

#endif
