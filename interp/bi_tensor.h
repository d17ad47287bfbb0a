/* bi_tensor.h: what the tensor builtins share (bi_tensor.c, bi_math.c, bi_ops.c, bi_print.c,
 * bi_table.c): reading values as tensors, the argument readers built on it, and the string
 * buffer that printing writes into. Internal to those files; other areas use builtin.h. */
#ifndef RDN_BI_TENSOR_H
#define RDN_BI_TENSOR_H
#include <stddef.h>
#include <stdint.h>
#include "builtin.h"
#include "tensor.h"

#define SHAPESTR(t, buf) rdn_tensor_shape_str((t)->ndim, (t)->shape, buf, sizeof buf)

/* The error of a conversion, written into msg (the caller locates it). */
typedef struct Conv { char msg[256]; } Conv;

/* bi_tensor.c */
/* A result: 0-d tensors become numbers (sum(v, axis: 0) of a vector, v @ v, t[i, j]). */
Value boxed(Tensor *t);
/* A new tensor from v; NULL with c->msg (or err for an allocation failure) filled. */
Tensor *tensor_from(Value v, Conv *c, RdnErr *err);
/* A tensor, list, range, number or bool. */
int readable_as_tensor(Value v);
/* Positional argument pos as a tensor: *t borrowed from a tensor value, or converted and then
 * owned by *own (free it with rdn_tensor_free). */
int arg_tensor(Interp *I, const Args *a, int pos, Tensor **t, Tensor **own);
/* Sizes from the positional arguments (zeros(2, 3)) or one list (zeros([2, 3]), zeros(t.shape)),
 * starting at positional `from`. */
int arg_shape(Interp *I, const Args *a, int from, int allow_minus1, int *ndim, int64_t *shape);
/* The axis: keyword normalised against t's dims; *has 0 when absent or nil. */
int arg_axis(Interp *I, const Args *a, const Tensor *t, int *has, int *axis);
/* Raises a runtime error as "NAME: message" at the call. */
int call_error(Interp *I, const Args *a, const RdnErr *err);

/* bi_ops.c: binop on two values with the call's location (for max(a, b)). */
int value_binop(Interp *I, const Args *a, int op, Value x, Value y, Value *out);

/* bi_print.c: a growable string; put appends (printf-style), buf_done gives the malloc'd string
 * (NULL if memory ran out on the way). */
typedef struct Buf { char *s; size_t len, cap; int oom; } Buf;
void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_done(Buf *b);
/* A tensor value as the REPL shows it (malloc'd; NULL when out of memory). */
char *tensor_repr(Value v);

#endif
