/* dyn_impl.h: helpers shared by the dyn_*.c files (the measures of dynamics.h), defined in
 * dyn_common.c. Internal to runtime/dyn_*.c. */
#ifndef RDN_DYN_IMPL_H
#define RDN_DYN_IMPL_H
#include <stdint.h>
#include "rdn_err.h"
#include "record.h"
#include "table.h"
#include "tensor.h"

#define CHUNK_FLOATS ((int64_t)4 << 20)   /* ~16 MB per chunk buffer */

/* Rows of row_floats floats per chunk (at least 16, at most n; 1 when n is 0). */
int64_t dyn_chunk_rows(int64_t row_floats, int64_t n);
Tensor *dyn_tensor1(int64_t a, RdnErr *err);
Tensor *dyn_tensor2(int64_t a, int64_t b, RdnErr *err);
/* -1 with err filled when r keeps only a summary (who names the measure). */
int dyn_not_summary(const Recording *r, const char *who, RdnErr *err);
/* Table c1 (0..rows-1), c2 (v2), and c3 (v3) unless c3 is NULL. */
Table *dyn_layer_table(const char *c1, const char *c2, const char *c3, int rows,
                       const double *v2, const double *v3, RdnErr *err);

#endif
