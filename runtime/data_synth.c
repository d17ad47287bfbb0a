/* data_synth.c: the built-in synthetic data sets (spirals, moons, circles, xor, blobs).
 * Each is drawn from one generator seeded with the caller's seed: classes first (balanced,
 * sizes differ by at most one), the points of a class along its curve, then the rows shuffled
 * with the same generator so that take(d, 100) sees every class. */
#include "data.h"
#include "rmath.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Number of inputs of class c when n are shared between k classes. */
static int64_t class_size(int64_t n, int k, int c) { return n / k + (c < n % k ? 1 : 0); }

static Dataset *start(int64_t n, int dim, int k, const char *what, RdnErr *err)
{
    if (n < 1 || n > ((int64_t)1 << 31) - 1)
        return rdn_err(err, "%s: n must be between 1 and 2147483647, got %lld", what, (long long)n),
               NULL;
    if (k < 1 || k > 100000)
        return rdn_err(err, "%s: classes must be between 1 and 100000, got %d", what, k), NULL;
    if (dim < 1 || dim > 1000000)
        return rdn_err(err, "%s: dim must be between 1 and 1000000, got %d", what, dim), NULL;
    return rdn_dataset_new(n, dim, k, err);
}

static int check_noise(double noise, const char *what, RdnErr *err)
{
    if (!isfinite(noise) || noise < 0)
        return rdn_err(err, "%s: noise must be a finite number >= 0, got %g", what, noise);
    return 0;
}

/* Shuffles the rows of d (labels along) in place with r. */
static int shuffle_rows(Dataset *d, RdnRng *r, RdnErr *err)
{
    int32_t *idx = rdn_calloc((size_t)d->n, sizeof *idx, "shuffle", err);
    if (!idx) return -1;
    for (int64_t i = 0; i < d->n; i++) idx[i] = (int32_t)i;
    rdn_rng_permute(r, idx, d->n);
    Dataset *s = rdn_dataset_select(d, idx, d->n, err);
    free(idx);
    if (!s) return -1;
    float *x = d->x;
    int32_t *y = d->y;
    d->x = s->x;
    d->y = s->y;
    s->x = x;
    s->y = y;
    rdn_dataset_free(s);
    return 0;
}

static Dataset *finish(Dataset *d, RdnRng *r, RdnErr *err)
{
    if (shuffle_rows(d, r, err)) {
        rdn_dataset_free(d);
        return NULL;
    }
    return d;
}

Dataset *rdn_data_spirals(int64_t n, int classes, double noise, uint64_t seed, RdnErr *err)
{
    if (check_noise(noise, "spirals", err)) return NULL;
    Dataset *d = start(n, 2, classes, "spirals", err);
    if (!d) return NULL;
    RdnRng r;
    rdn_rng_seed(&r, seed);
    int64_t row = 0;
    for (int c = 0; c < classes; c++) {
        int64_t m = class_size(n, classes, c);
        for (int64_t i = 0; i < m; i++, row++) {
            /* radius from near 0 to 1; one arm turns 4 radians, arms 2 pi / k apart */
            double t = (i + 0.5) / (double)m;
            double a = 2.0 * M_PI * c / classes + 4.0 * t;
            d->x[2 * row] = (float)(t * rdn_cos(a) + noise * rdn_rng_normal(&r));
            d->x[2 * row + 1] = (float)(t * rdn_sin(a) + noise * rdn_rng_normal(&r));
            d->y[row] = c;
        }
    }
    rdn_data_set_source(d, "spirals(n: %lld, classes: %d, noise: %g)", (long long)n, classes, noise);
    return finish(d, &r, err);
}

Dataset *rdn_data_moons(int64_t n, double noise, uint64_t seed, RdnErr *err)
{
    if (check_noise(noise, "moons", err)) return NULL;
    Dataset *d = start(n, 2, 2, "moons", err);
    if (!d) return NULL;
    RdnRng r;
    rdn_rng_seed(&r, seed);
    int64_t row = 0;
    for (int c = 0; c < 2; c++) {
        int64_t m = class_size(n, 2, c);
        for (int64_t i = 0; i < m; i++, row++) {
            double t = m > 1 ? M_PI * i / (double)(m - 1) : M_PI / 2;
            double px = c == 0 ? rdn_cos(t) : 1.0 - rdn_cos(t);
            double py = c == 0 ? rdn_sin(t) : 0.5 - rdn_sin(t);
            d->x[2 * row] = (float)(px + noise * rdn_rng_normal(&r));
            d->x[2 * row + 1] = (float)(py + noise * rdn_rng_normal(&r));
            d->y[row] = c;
        }
    }
    rdn_data_set_source(d, "moons(n: %lld, noise: %g)", (long long)n, noise);
    return finish(d, &r, err);
}

Dataset *rdn_data_circles(int64_t n, double noise, uint64_t seed, RdnErr *err)
{
    if (check_noise(noise, "circles", err)) return NULL;
    Dataset *d = start(n, 2, 2, "circles", err);
    if (!d) return NULL;
    RdnRng r;
    rdn_rng_seed(&r, seed);
    int64_t row = 0;
    for (int c = 0; c < 2; c++) {
        int64_t m = class_size(n, 2, c);
        double radius = c == 0 ? 1.0 : 0.5;
        for (int64_t i = 0; i < m; i++, row++) {
            double t = 2.0 * M_PI * i / (double)m;
            d->x[2 * row] = (float)(radius * rdn_cos(t) + noise * rdn_rng_normal(&r));
            d->x[2 * row + 1] = (float)(radius * rdn_sin(t) + noise * rdn_rng_normal(&r));
            d->y[row] = c;
        }
    }
    rdn_data_set_source(d, "circles(n: %lld, noise: %g)", (long long)n, noise);
    return finish(d, &r, err);
}

Dataset *rdn_data_xor(int64_t n, double noise, uint64_t seed, RdnErr *err)
{
    if (check_noise(noise, "xor", err)) return NULL;
    Dataset *d = start(n, 2, 2, "xor", err);
    if (!d) return NULL;
    RdnRng r;
    rdn_rng_seed(&r, seed);
    int64_t row = 0;
    for (int c = 0; c < 2; c++) {
        int64_t m = class_size(n, 2, c);
        for (int64_t i = 0; i < m; i++, row++) {
            /* class 0: quadrants (+,+) and (-,-); class 1: (+,-) and (-,+); alternating */
            double sx = (i % 2) ? -1.0 : 1.0;
            double sy = c == 0 ? sx : -sx;
            double ax = 1.0 - rdn_rng_uniform(&r), ay = 1.0 - rdn_rng_uniform(&r); /* (0, 1] */
            d->x[2 * row] = (float)(sx * ax + noise * rdn_rng_normal(&r));
            d->x[2 * row + 1] = (float)(sy * ay + noise * rdn_rng_normal(&r));
            d->y[row] = c;
        }
    }
    rdn_data_set_source(d, "xor(n: %lld, noise: %g)", (long long)n, noise);
    return finish(d, &r, err);
}

Dataset *rdn_data_blobs(int64_t n, int classes, int dim, double spread, uint64_t seed,
                        RdnErr *err)
{
    if (!isfinite(spread) || spread < 0)
        return rdn_err(err, "blobs: spread must be a finite number >= 0, got %g", spread), NULL;
    Dataset *d = start(n, dim, classes, "blobs", err);
    if (!d) return NULL;
    double *centers = rdn_calloc((size_t)classes * (size_t)dim, sizeof *centers, "blobs", err);
    if (!centers) {
        rdn_dataset_free(d);
        return NULL;
    }
    RdnRng r;
    rdn_rng_seed(&r, seed);
    for (size_t j = 0; j < (size_t)classes * (size_t)dim; j++)
        centers[j] = -5.0 + 10.0 * rdn_rng_uniform(&r);
    int64_t row = 0;
    for (int c = 0; c < classes; c++) {
        int64_t m = class_size(n, classes, c);
        for (int64_t i = 0; i < m; i++, row++) {
            for (int j = 0; j < dim; j++)
                d->x[(size_t)row * dim + j] =
                    (float)(centers[(size_t)c * dim + j] + spread * rdn_rng_normal(&r));
            d->y[row] = c;
        }
    }
    free(centers);
    rdn_data_set_source(d, "blobs(n: %lld, classes: %d, dim: %d, spread: %g)", (long long)n,
                        classes, dim, spread);
    return finish(d, &r, err);
}
