/* dataset.c: creation, copy and row selection of data sets (loaders live in data_*.c). */
#include "dataset.h"
#include <stdlib.h>
#include <string.h>

Dataset *rdn_dataset_new(int64_t n, int dim, int nclasses, RdnErr *err)
{
    if (n < 0 || dim <= 0 || nclasses < 0)
        return rdn_err(err, "data set: bad size n=%lld dim=%d classes=%d", (long long)n, dim,
                       nclasses), NULL;
    Dataset *d = rdn_calloc(1, sizeof *d, "data set", err);
    if (!d) return NULL;
    d->n = n;
    d->dim = dim;
    d->nclasses = nclasses;
    d->x = rdn_alloc_aligned((size_t)n * (size_t)dim, sizeof(float), "data set inputs", err);
    d->y = rdn_calloc((size_t)n, sizeof(int32_t), "data set labels", err);
    if (!d->x || !d->y) {
        rdn_dataset_free(d);
        return NULL;
    }
    return d;
}

void rdn_dataset_free(Dataset *d)
{
    if (!d) return;
    if (d->class_names)
        for (int c = 0; c < d->nclasses; c++) free(d->class_names[c]);
    free(d->class_names);
    free(d->source);
    free(d->x);
    free(d->y);
    free(d);
}

static int copy_meta(Dataset *dst, const Dataset *src, RdnErr *err)
{
    if (src->source) dst->source = strdup(src->source);
    if (!src->class_names) return 0;
    dst->class_names = rdn_calloc((size_t)src->nclasses, sizeof(char *), "class names", err);
    if (!dst->class_names) return -1;
    for (int c = 0; c < src->nclasses; c++)
        dst->class_names[c] = strdup(src->class_names[c] ? src->class_names[c] : "");
    return 0;
}

Dataset *rdn_dataset_copy(const Dataset *d, RdnErr *err)
{
    Dataset *c = rdn_dataset_new(d->n, d->dim, d->nclasses, err);
    if (!c) return NULL;
    memcpy(c->x, d->x, (size_t)d->n * (size_t)d->dim * sizeof(float));
    memcpy(c->y, d->y, (size_t)d->n * sizeof(int32_t));
    if (copy_meta(c, d, err)) {
        rdn_dataset_free(c);
        return NULL;
    }
    return c;
}

Dataset *rdn_dataset_select(const Dataset *d, const int32_t *idx, int64_t m, RdnErr *err)
{
    Dataset *c = rdn_dataset_new(m, d->dim, d->nclasses, err);
    if (!c) return NULL;
    for (int64_t i = 0; i < m; i++) {
        memcpy(c->x + (size_t)i * d->dim, d->x + (size_t)idx[i] * d->dim, (size_t)d->dim * sizeof(float));
        c->y[i] = d->y[idx[i]];
    }
    if (copy_meta(c, d, err)) {
        rdn_dataset_free(c);
        return NULL;
    }
    return c;
}
