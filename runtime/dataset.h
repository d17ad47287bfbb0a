/* dataset.h: labelled inputs. x is [n, dim] float32, y holds class indices 0..nclasses-1. */
#ifndef RDN_DATASET_H
#define RDN_DATASET_H
#include <stdint.h>
#include "rdn_err.h"
#include "rng.h"
#include "tensor.h"

typedef struct Dataset {
    int64_t n;
    int dim;
    int nclasses;
    float *x;             /* [n, dim], 64-byte aligned, owned */
    int32_t *y;           /* [n], owned */
    char **class_names;   /* nclasses owned strings, or NULL (classes are then "0", "1", ...) */
    char *source;         /* where it came from, for printing ("spirals(n: 300)", a path) */
} Dataset;

/* An empty data set of n inputs of dimension dim (zeroed), NULL with err on absurd sizes. */
Dataset *rdn_dataset_new(int64_t n, int dim, int nclasses, RdnErr *err);
void     rdn_dataset_free(Dataset *d);
Dataset *rdn_dataset_copy(const Dataset *d, RdnErr *err);
/* Rows idx[0..m) of d, in that order (class names kept). */
Dataset *rdn_dataset_select(const Dataset *d, const int32_t *idx, int64_t m, RdnErr *err);

#endif
