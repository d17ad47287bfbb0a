/* tensor.c: creation, copy and release of float32 tensors, with the shape and size checks every
 * tensor goes through (the operations on tensors live in tensor_ops.c). */
#include "tensor.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef RDN_FUZZ
uint64_t rdn_tensor_fuzz_max_elems = (uint64_t)1 << 26;
#endif

/* "[3, 4]" into buf; shared with tensor_ops.c through rdn_tensor_shape_str. */
char *rdn_tensor_shape_str(int ndim, const int64_t *shape, char *buf, size_t n)
{
    size_t len = 0;
    if (n == 0) return buf;
    buf[0] = 0;
    len += (size_t)snprintf(buf + len, n - len, "[");
    for (int d = 0; d < ndim && len < n; d++)
        len += (size_t)snprintf(buf + len, n - len, "%s%" PRId64, d ? ", " : "", shape[d]);
    if (len < n) snprintf(buf + len, n - len, "]");
    return buf;
}

int rdn_tensor_check_shape(int ndim, const int64_t *shape, int64_t *size, RdnErr *err)
{
    char sbuf[128];
    if (ndim < 0 || ndim > RDN_MAX_DIMS)
        return rdn_err(err, "%d dimensions requested, at most %d are supported", ndim,
                       RDN_MAX_DIMS);
    int64_t n = 1;
    int overflow = 0;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return rdn_err(err, "negative size %" PRId64 " in shape %s", shape[d],
                           rdn_tensor_shape_str(ndim, shape, sbuf, sizeof sbuf));
        if (shape[d] && n > INT64_MAX / shape[d]) overflow = 1;
        else n *= shape[d];
    }
    /* a zero anywhere makes the tensor empty, whatever the other sizes */
    for (int d = 0; d < ndim; d++)
        if (shape[d] == 0) n = 0, overflow = 0;
    if (overflow || (uint64_t)n > RDN_TENSOR_MAX_ELEMS)
        return rdn_err(err, "shape %s is too large (at most %" PRIu64 " elements, %zu GiB)",
                       rdn_tensor_shape_str(ndim, shape, sbuf, sizeof sbuf),
                       (uint64_t)RDN_TENSOR_MAX_ELEMS,
                       (size_t)((uint64_t)RDN_TENSOR_MAX_ELEMS * sizeof(float) >> 30));
    if (size) *size = n;
    return 0;
}

Tensor *rdn_tensor_new(int ndim, const int64_t *shape, RdnErr *err)
{
    int64_t size;
    if (rdn_tensor_check_shape(ndim, shape, &size, err)) return NULL;
    Tensor *t = rdn_calloc(1, sizeof *t, "tensor", err);
    if (!t) return NULL;
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++) t->shape[d] = shape[d];
    t->size = size;
    t->data = rdn_alloc_aligned((size_t)size, sizeof(float), "tensor", err);
    if (!t->data) {
        free(t);
        return NULL;
    }
    return t;
}

Tensor *rdn_tensor_copy(const Tensor *t, RdnErr *err)
{
    Tensor *u = rdn_tensor_new(t->ndim, t->shape, err);
    if (u && t->size) memcpy(u->data, t->data, (size_t)t->size * sizeof(float));
    if (u) u->is_mask = t->is_mask;
    return u;
}

void rdn_tensor_free(Tensor *t)
{
    if (!t) return;
    free(t->data);
    free(t);
}
