/* tensor_ops.h: what rdn computes on tensors: element-wise maps, broadcasting arithmetic,
 * reductions, reshaping, slicing and the matrix product (through the BLAS wrapper of tensor.h).
 * Every function leaves its inputs untouched and returns a new tensor (NULL with err filled on
 * a shape error or an absurd size). Element-wise arithmetic is done in double and rounded once
 * to float32; reductions accumulate in double. */
#ifndef RDN_TENSOR_OPS_H
#define RDN_TENSOR_OPS_H
#include "tensor.h"

/* Element-wise functions (rdn_tensor_map, rdn_scalar_map). */
typedef enum {
    RDN_F_NEG, RDN_F_ABS, RDN_F_SQRT, RDN_F_EXP, RDN_F_LOG, RDN_F_SIGMOID, RDN_F_TANH,
    RDN_F_RELU, RDN_F_SIGN, RDN_F_FLOOR, RDN_F_ROUND
} RdnFn;

/* The operators: one enum for the parser, the evaluator and the tensor operations, with one
 * name table (rdn_op_name: "+", "<=", "max", ...). RDN_OP_NONE is "no operator" (a plain `=`).
 * Comparisons give 0/1 (a tensor of them is a boolean mask); '@' is rdn_tensor_matmul; MAX and
 * MIN are the element-wise max(a, b) and min(a, b); NEG is unary minus. */
typedef enum RdnOp {
    RDN_OP_NONE, RDN_OP_ADD, RDN_OP_SUB, RDN_OP_MUL, RDN_OP_DIV, RDN_OP_MOD, RDN_OP_POW,
    RDN_OP_MATMUL, RDN_OP_LT, RDN_OP_GT, RDN_OP_LE, RDN_OP_GE, RDN_OP_EQ, RDN_OP_NE,
    RDN_OP_MAX, RDN_OP_MIN, RDN_OP_NEG,
    RDN_OP_COUNT
} RdnOp;
const char *rdn_op_name(RdnOp op);
static inline int rdn_op_is_compare(RdnOp op) { return op >= RDN_OP_LT && op <= RDN_OP_NE; }

double  rdn_scalar_map(int fn, double x);
double  rdn_scalar_binop(RdnOp op, double a, double b);
Tensor *rdn_tensor_map(int fn, const Tensor *t, RdnErr *err);
/* clip to [lo, hi] (NaN stays NaN). */
Tensor *rdn_tensor_clip(const Tensor *t, double lo, double hi, RdnErr *err);

/* The shape two operands broadcast to (NumPy's rule: trailing dims aligned, each pair equal or
 * one of them 1); -1 with a message naming both shapes and the operator if they do not. */
int     rdn_broadcast_shape(RdnOp op, const Tensor *a, const Tensor *b, int *ndim, int64_t *shape,
                            RdnErr *err);
Tensor *rdn_tensor_binop(RdnOp op, const Tensor *a, const Tensor *b, RdnErr *err);
/* t op s (scalar_left 0) or s op t (scalar_left 1). */
Tensor *rdn_tensor_binop_scalar(RdnOp op, const Tensor *t, double s, int scalar_left, RdnErr *err);

/* Matrix product: [m,k]@[k,n] -> [m,n], [m,k]@[k] -> [m], [k]@[k,n] -> [n], [k]@[k] -> 0-d. */
Tensor *rdn_tensor_matmul(const Tensor *a, const Tensor *b, RdnErr *err);

/* Reductions. */
typedef enum { RDN_R_SUM, RDN_R_MEAN, RDN_R_MIN, RDN_R_MAX, RDN_R_ARGMAX, RDN_R_ARGMIN } RdnReduce;
/* Over the whole tensor: sum, mean, min, max, or the flat index of the first max/min (NaN counts
 * as the largest and smallest, as in NumPy: min/max propagate it, argmax/argmin find it).
 * Empty tensors: sum 0; the others are errors. */
int     rdn_tensor_reduce_all(int op, const Tensor *t, double *out, RdnErr *err);
/* Along one axis (0..ndim-1; callers normalise negative axes): the result drops that axis. */
Tensor *rdn_tensor_reduce_axis(int op, const Tensor *t, int axis, RdnErr *err);
/* Variance (or, with take_sqrt, standard deviation): sum of (x - mean)^2 / (count - ddof), two
 * passes in double. Over everything, or along one axis (dropped). count - ddof must be > 0. */
int     rdn_tensor_var_all(const Tensor *t, int ddof, int take_sqrt, double *out, RdnErr *err);
Tensor *rdn_tensor_var_axis(const Tensor *t, int axis, int ddof, int take_sqrt, RdnErr *err);
/* n tensors of one ndim (>= 1) joined along axis; the other sizes must agree. */
Tensor *rdn_tensor_concat(int n, const Tensor *const *ts, int axis, RdnErr *err);
/* Running sums along axis (same shape), accumulated in double. */
Tensor *rdn_tensor_cumsum(const Tensor *t, int axis, RdnErr *err);
/* Sorted along axis, ascending and stable, NaN last; with want_indices the positions (as float
 * numbers) that sort each lane instead (argsort). */
Tensor *rdn_tensor_sort(const Tensor *t, int axis, int want_indices, RdnErr *err);
/* sqrt(sum of squares), accumulated in double (L2 / Frobenius norm). */
double  rdn_tensor_norm(const Tensor *t);

/* Axes reversed (2-D: the transpose; 1-D and 0-d: a copy). */
Tensor *rdn_tensor_transpose(const Tensor *t, RdnErr *err);
/* New shape with the same element count; at most one -1, which is inferred. */
Tensor *rdn_tensor_reshape(const Tensor *t, int ndim, const int64_t *shape, RdnErr *err);

/* Indexing: per leading axis d < nsel, either one index (sel_lo[d] with is_range[d] = 0; the axis
 * is dropped) or the half-open range [sel_lo[d], sel_hi[d]) (the axis is kept). Indices must
 * already be normalised (non-negative) and in range; axes past nsel are taken whole. */
Tensor *rdn_tensor_select(const Tensor *t, int nsel, const int *is_range, const int64_t *sel_lo,
                          const int64_t *sel_hi, RdnErr *err);

/* Entries idx[0..n) along axis (each 0 <= idx < shape[axis]; repeats allowed): the axis keeps
 * its place with length n. */
Tensor *rdn_tensor_take(const Tensor *t, int axis, const int64_t *idx, int64_t n, RdnErr *err);

/* Identity matrix [n, n]. */
Tensor *rdn_tensor_eye(int64_t n, RdnErr *err);
/* Fills t with N(mean, std^2) or U[lo, hi) draws from r, in C order. */
void    rdn_tensor_fill_normal(Tensor *t, RdnRng *r, double mean, double std);
void    rdn_tensor_fill_uniform(Tensor *t, RdnRng *r, double lo, double hi);
/* n points from a to b inclusive (n >= 1; n = 1 gives [a]). */
Tensor *rdn_tensor_linspace(double a, double b, int64_t n, RdnErr *err);

#endif
