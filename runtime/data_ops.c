/* data_ops.c: operations on data sets (split, shuffle, take, where, normalize, perturb), the
 * exchange with tensors, and small helpers (source text, class names). Each returns a new set. */
#include "data.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rdn_data_set_source(Dataset *d, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *s = strdup(buf);
    if (!s) return; /* the source is informative only */
    free(d->source);
    d->source = s;
}

const char *rdn_data_class_name(const Dataset *d, int c, char buf[24])
{
    if (d->class_names && c >= 0 && c < d->nclasses && d->class_names[c])
        return d->class_names[c];
    snprintf(buf, 24, "%d", c);
    return buf;
}

static int32_t *iota(int64_t n, RdnErr *err)
{
    int32_t *idx = rdn_calloc((size_t)(n ? n : 1), sizeof *idx, "row index", err);
    if (idx)
        for (int64_t i = 0; i < n; i++) idx[i] = (int32_t)i;
    return idx;
}

Dataset *rdn_data_shuffle(const Dataset *d, uint64_t seed, RdnErr *err)
{
    int32_t *idx = iota(d->n, err);
    if (!idx) return NULL;
    RdnRng r;
    rdn_rng_seed(&r, seed);
    rdn_rng_permute(&r, idx, d->n);
    Dataset *s = rdn_dataset_select(d, idx, d->n, err);
    free(idx);
    return s;
}

Dataset *rdn_data_take(const Dataset *d, int64_t start, int64_t count, RdnErr *err)
{
    if (start < 0) start = 0;
    if (start > d->n) start = d->n;
    if (count < 0) count = 0;
    if (count > d->n - start) count = d->n - start;
    int32_t *idx = rdn_calloc((size_t)(count ? count : 1), sizeof *idx, "take", err);
    if (!idx) return NULL;
    for (int64_t i = 0; i < count; i++) idx[i] = (int32_t)(start + i);
    Dataset *s = rdn_dataset_select(d, idx, count, err);
    free(idx);
    return s;
}

int rdn_data_split(const Dataset *d, double frac, int shuffle, uint64_t seed, Dataset **a,
                   Dataset **b, RdnErr *err)
{
    *a = *b = NULL;
    if (!(frac >= 0 && frac <= 1))
        return rdn_err(err, "split: the fraction must be between 0 and 1, got %g", frac);
    int64_t na = (int64_t)llround(frac * (double)d->n);
    int32_t *idx = iota(d->n, err);
    if (!idx) return -1;
    if (shuffle && d->n > 0) {
        RdnRng r;
        rdn_rng_seed(&r, seed);
        rdn_rng_permute(&r, idx, d->n);
        /* stratify: class c gives floor(frac * m_c) inputs to a, and the inputs still missing
         * to reach na go one each to the classes with the largest remainders */
        int k = d->nclasses > 0 ? d->nclasses : 1;
        int64_t *m = rdn_calloc((size_t)k, sizeof *m, "split", err);
        int64_t *quota = rdn_calloc((size_t)k, sizeof *quota, "split", err);
        int32_t *out = rdn_calloc((size_t)d->n, sizeof *out, "split", err);
        if (!m || !quota || !out) {
            free(m), free(quota), free(out), free(idx);
            return -1;
        }
        for (int64_t i = 0; i < d->n; i++) {
            int32_t y = d->y[i];
            m[y >= 0 && y < k ? y : 0]++;
        }
        int64_t given = 0;
        for (int c = 0; c < k; c++) {
            quota[c] = (int64_t)floor(frac * (double)m[c]);
            given += quota[c];
        }
        while (given < na) {
            int best = -1;
            double bestrem = -1;
            for (int c = 0; c < k; c++) {
                double rem = frac * (double)m[c] - (double)quota[c];
                if (quota[c] < m[c] && rem > bestrem) best = c, bestrem = rem;
            }
            if (best < 0) break;
            quota[best]++;
            given++;
        }
        /* a: the first quota[c] of each class in shuffled order, order kept; b: the rest */
        int64_t ia = 0, ib = given;
        for (int64_t i = 0; i < d->n; i++) {
            int32_t y = d->y[idx[i]];
            int c = y >= 0 && y < k ? y : 0;
            if (quota[c] > 0) {
                quota[c]--;
                out[ia++] = idx[i];
            } else {
                out[ib++] = idx[i];
            }
        }
        na = given;
        free(idx);
        free(m);
        free(quota);
        idx = out;
    }
    *a = rdn_dataset_select(d, idx, na, err);
    *b = *a ? rdn_dataset_select(d, idx + na, d->n - na, err) : NULL;
    free(idx);
    if (!*a || !*b) {
        rdn_dataset_free(*a);
        rdn_dataset_free(*b);
        *a = *b = NULL;
        return -1;
    }
    return 0;
}

Dataset *rdn_data_where(const Dataset *d, const int32_t *labels, int nl, RdnErr *err)
{
    int32_t *idx = iota(d->n, err);
    if (!idx) return NULL;
    int64_t m = 0;
    for (int64_t i = 0; i < d->n; i++)
        for (int j = 0; j < nl; j++)
            if (d->y[i] == labels[j]) {
                idx[m++] = (int32_t)i;
                break;
            }
    Dataset *s = rdn_dataset_select(d, idx, m, err);
    free(idx);
    return s;
}

Dataset *rdn_data_normalize(const Dataset *d, int how, const Dataset *like, RdnErr *err)
{
    if (!like) like = d;
    if (like->dim != d->dim)
        return rdn_err(err, "normalize: like: has dimension %d but the data have %d", like->dim,
                       d->dim), NULL;
    if (like->n < 1) return rdn_err(err, "normalize: like: has no inputs"), NULL;
    int dim = d->dim;
    double *shift = rdn_calloc((size_t)dim, sizeof(double), "normalize", err);
    double *scale = rdn_calloc((size_t)dim, sizeof(double), "normalize", err);
    Dataset *s = shift && scale ? rdn_dataset_copy(d, err) : NULL;
    if (!s) {
        free(shift), free(scale);
        return NULL;
    }
    if (how == RDN_NORM_MINMAX) {
        for (int j = 0; j < dim; j++) shift[j] = INFINITY, scale[j] = -INFINITY;
        for (int64_t i = 0; i < like->n; i++)
            for (int j = 0; j < dim; j++) {
                double v = like->x[(size_t)i * dim + j];
                if (v < shift[j]) shift[j] = v;
                if (v > scale[j]) scale[j] = v;
            }
        for (int j = 0; j < dim; j++) {
            double range = scale[j] - shift[j];
            scale[j] = range > 0 ? 1.0 / range : 1.0;
        }
    } else {
        for (int64_t i = 0; i < like->n; i++)
            for (int j = 0; j < dim; j++) shift[j] += like->x[(size_t)i * dim + j];
        for (int j = 0; j < dim; j++) shift[j] /= (double)like->n;
        for (int64_t i = 0; i < like->n; i++)
            for (int j = 0; j < dim; j++) {
                double e = like->x[(size_t)i * dim + j] - shift[j];
                scale[j] += e * e;
            }
        for (int j = 0; j < dim; j++) {
            double sd = sqrt(scale[j] / (double)like->n);
            /* a constant feature (up to rounding) is only centred */
            scale[j] = sd > 1e-12 * (1.0 + fabs(shift[j])) ? 1.0 / sd : 1.0;
        }
    }
    for (int64_t i = 0; i < s->n; i++)
        for (int j = 0; j < dim; j++) {
            float *v = &s->x[(size_t)i * dim + j];
            *v = (float)((*v - shift[j]) * scale[j]);
        }
    free(shift);
    free(scale);
    return s;
}

void rdn_data_perturb_rows(float *x, int64_t n, int dim, int64_t first, int kind, double sigma,
                           float lo, float hi, uint64_t seed)
{
    RdnRng r;
    for (int64_t i = 0; i < n; i++) {
        rdn_rng_derive(&r, seed, (uint64_t)(first + i), 0);
        float *row = x + (size_t)i * dim;
        for (int j = 0; j < dim; j++) {
            if (kind == RDN_NOISE_GAUSSIAN)
                row[j] = (float)(row[j] + sigma * rdn_rng_normal(&r));
            else if (kind == RDN_NOISE_UNIFORM)
                row[j] = (float)(row[j] + sigma * (2.0 * rdn_rng_uniform(&r) - 1.0));
            else {
                double u = rdn_rng_uniform(&r);
                if (u < sigma) row[j] = u < sigma / 2 ? lo : hi;
            }
        }
    }
}

Dataset *rdn_data_perturb(const Dataset *d, int kind, double sigma, uint64_t seed, RdnErr *err)
{
    if (!isfinite(sigma) || sigma < 0)
        return rdn_err(err, "perturb: sigma must be a finite number >= 0, got %g", sigma), NULL;
    if (kind == RDN_NOISE_SALTPEPPER && sigma > 1)
        return rdn_err(err, "perturb: for salt-and-pepper noise sigma is a probability (0..1), "
                            "got %g", sigma), NULL;
    Dataset *s = rdn_dataset_copy(d, err);
    if (!s) return NULL;
    float lo = 0, hi = 0;
    size_t total = (size_t)d->n * d->dim;
    for (size_t i = 0; i < total; i++) {
        if (i == 0 || d->x[i] < lo) lo = d->x[i];
        if (i == 0 || d->x[i] > hi) hi = d->x[i];
    }
    rdn_data_perturb_rows(s->x, s->n, s->dim, 0, kind, sigma, lo, hi, seed);
    return s;
}

Dataset *rdn_data_from_tensors(const Tensor *x, const Tensor *y, int nclasses_min, RdnErr *err)
{
    if (x->ndim < 1)
        return rdn_err(err, "dataset: x must have at least one dimension (one row per input)"),
               NULL;
    int64_t n = x->shape[0];
    int64_t dim = 1;
    for (int i = 1; i < x->ndim; i++) dim *= x->shape[i];
    if (dim < 1 || dim > 100000000)
        return rdn_err(err, "dataset: each input must have between 1 and 1e8 features, got %lld",
                       (long long)dim), NULL;
    if (y->size != n || y->ndim > 2 || (y->ndim == 2 && y->shape[1] != 1))
        return rdn_err(err, "dataset: y must hold one label per row of x (%lld), got shape with "
                            "%lld entries", (long long)n, (long long)y->size), NULL;
    int64_t maxlab = -1;
    for (int64_t i = 0; i < n; i++) {
        float v = y->data[i];
        if (!(v >= 0 && v < 1e6f && v == floorf(v)))
            return rdn_err(err, "dataset: label %lld is %g; labels must be whole numbers 0..999999",
                           (long long)i, (double)v), NULL;
        if ((int64_t)v > maxlab) maxlab = (int64_t)v;
    }
    int k = (int)(maxlab + 1 > nclasses_min ? maxlab + 1 : nclasses_min);
    if (k < 1) k = 1;
    Dataset *d = rdn_dataset_new(n, (int)dim, k, err);
    if (!d) return NULL;
    memcpy(d->x, x->data, (size_t)n * (size_t)dim * sizeof(float));
    for (int64_t i = 0; i < n; i++) d->y[i] = (int32_t)y->data[i];
    for (size_t i = 0; i < (size_t)n * (size_t)dim; i++)
        if (!isfinite(d->x[i])) {
            rdn_dataset_free(d);
            return rdn_err(err, "dataset: x holds a non-finite value (%g) at input %lld",
                           (double)x->data[i], (long long)(i / (size_t)dim)), NULL;
        }
    rdn_data_set_source(d, "dataset(x, y)");
    return d;
}

Tensor *rdn_data_x(const Dataset *d, RdnErr *err)
{
    int64_t shape[2] = {d->n, d->dim};
    Tensor *t = rdn_tensor_new(2, shape, err);
    if (t) memcpy(t->data, d->x, (size_t)d->n * d->dim * sizeof(float));
    return t;
}

Tensor *rdn_data_y(const Dataset *d, RdnErr *err)
{
    int64_t shape[1] = {d->n};
    Tensor *t = rdn_tensor_new(1, shape, err);
    if (t)
        for (int64_t i = 0; i < d->n; i++) t->data[i] = (float)d->y[i];
    return t;
}
