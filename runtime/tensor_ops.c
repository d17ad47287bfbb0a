/* tensor_ops.c: element-wise maps, broadcasting arithmetic, reductions, reshaping, slicing and
 * the matrix product of float32 tensors. Arithmetic is done in double and rounded once to float;
 * sums accumulate in double, so results do not depend on the summation order's float error. */
#include "tensor_ops.h"
#include "rmath.h"
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SHAPE(t, buf) rdn_tensor_shape_str((t)->ndim, (t)->shape, buf, sizeof buf)

double rdn_scalar_map(int fn, double x)
{
    switch (fn) {
    case RDN_F_NEG: return -x;
    case RDN_F_ABS: return fabs(x);
    case RDN_F_SQRT: return sqrt(x);
    case RDN_F_EXP: return rdn_exp(x);
    case RDN_F_LOG: return rdn_log(x);
    case RDN_F_SIGMOID: return rdn_sigmoid(x);
    case RDN_F_TANH: return rdn_tanh(x);
    case RDN_F_RELU: return x > 0 ? x : (isnan(x) ? x : 0.0);
    case RDN_F_SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : x; /* keeps 0, -0 and NaN */
    case RDN_F_FLOOR: return floor(x);
    case RDN_F_ROUND: return round(x);
    }
    return NAN;
}

double rdn_scalar_binop(RdnOp op, double a, double b)
{
    switch (op) {
    case RDN_OP_ADD: return a + b;
    case RDN_OP_SUB: return a - b;
    case RDN_OP_MUL: return a * b;
    case RDN_OP_DIV: return a / b;
    case RDN_OP_POW: return rdn_pow(a, b);
    case RDN_OP_MOD: {
        /* floored, as in Python and Lua: the result has the sign of b */
        double r = fmod(a, b);
        if (r != 0 && ((r < 0) != (b < 0))) r += b;
        return r;
    }
    case RDN_OP_LT: return a < b;
    case RDN_OP_GT: return a > b;
    case RDN_OP_LE: return a <= b;
    case RDN_OP_GE: return a >= b;
    case RDN_OP_EQ: return a == b;
    case RDN_OP_NE: return a != b;
    case RDN_OP_MAX: return isnan(a) || isnan(b) ? NAN : (a > b ? a : b);
    case RDN_OP_MIN: return isnan(a) || isnan(b) ? NAN : (a < b ? a : b);
    default: break;
    }
    return NAN;
}

Tensor *rdn_tensor_map(int fn, const Tensor *t, RdnErr *err)
{
    Tensor *u = rdn_tensor_new(t->ndim, t->shape, err);
    if (!u) return NULL;
    const float *x = t->data;
    float *y = u->data;
    int64_t n = t->size;
    switch (fn) {
    case RDN_F_NEG:
        for (int64_t i = 0; i < n; i++) y[i] = -x[i];
        break;
    case RDN_F_ABS:
        for (int64_t i = 0; i < n; i++) y[i] = fabsf(x[i]);
        break;
    /* the activations in float, vectorised on the kernel path in use: the network's own
     * functions (rmath.h), so sigmoid(W @ h + b) has the bits of a layer's forward pass */
    case RDN_F_TANH:
        rdn_vmapf(RDN_V_TANH, y, x, n);
        break;
    case RDN_F_SIGMOID:
        rdn_vmapf(RDN_V_LOGISTIC, y, x, n);
        break;
    default:
        for (int64_t i = 0; i < n; i++) y[i] = (float)rdn_scalar_map(fn, x[i]);
    }
    return u;
}

Tensor *rdn_tensor_clip(const Tensor *t, double lo, double hi, RdnErr *err)
{
    Tensor *u = rdn_tensor_new(t->ndim, t->shape, err);
    if (!u) return NULL;
    for (int64_t i = 0; i < t->size; i++) {
        double x = t->data[i];
        if (x < lo) x = lo;
        if (x > hi) x = hi;
        u->data[i] = (float)x;
    }
    return u;
}

const char *rdn_op_name(RdnOp op)
{
    static const char *const names[RDN_OP_COUNT] = {
        [RDN_OP_NONE] = "=", [RDN_OP_ADD] = "+", [RDN_OP_SUB] = "-", [RDN_OP_MUL] = "*",
        [RDN_OP_DIV] = "/", [RDN_OP_MOD] = "%", [RDN_OP_POW] = "^", [RDN_OP_MATMUL] = "@",
        [RDN_OP_LT] = "<", [RDN_OP_GT] = ">", [RDN_OP_LE] = "<=", [RDN_OP_GE] = ">=",
        [RDN_OP_EQ] = "==", [RDN_OP_NE] = "!=", [RDN_OP_MAX] = "max", [RDN_OP_MIN] = "min",
        [RDN_OP_NEG] = "-",
    };
    return (unsigned)op < RDN_OP_COUNT && names[op] ? names[op] : "?";
}

int rdn_broadcast_shape(RdnOp op, const Tensor *a, const Tensor *b, int *ndim, int64_t *shape,
                        RdnErr *err)
{
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int d = 0; d < nd; d++) {
        /* align trailing dims: axis d of the result is axis d - (nd - ndim) of each operand */
        int da = d - (nd - a->ndim), db = d - (nd - b->ndim);
        int64_t sa = da >= 0 ? a->shape[da] : 1, sb = db >= 0 ? b->shape[db] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            char s1[128], s2[128];
            return rdn_err(err, "'%s': shapes %s and %s do not match (axis %d: %" PRId64
                           " vs %" PRId64 ")", rdn_op_name(op), SHAPE(a, s1), SHAPE(b, s2), d,
                           sa, sb);
        }
        shape[d] = sa == 1 ? sb : sa;
    }
    *ndim = nd;
    return 0;
}

/* Strides (in elements) of t seen with the result's nd dims: 0 along broadcast axes. */
static void bcast_strides(const Tensor *t, int nd, const int64_t *oshape, int64_t *st)
{
    int64_t s = 1;
    for (int d = nd - 1; d >= 0; d--) {
        int dt = d - (nd - t->ndim);
        int64_t n = dt >= 0 ? t->shape[dt] : 1;
        st[d] = (n == 1 && oshape[d] != 1) || dt < 0 ? 0 : s;
        s *= n;
    }
}

/* y[i] = a[i * sa] op b[i * sb] for one row of a broadcast; the usual operators and strides
 * (1 = contiguous, 0 = broadcast) get loops the compiler vectorises. Float arithmetic of two
 * floats is exact-then-rounded, as in double. */
static void row_binop(RdnOp op, const float *a, int64_t sa, const float *b, int64_t sb, float *y,
                      int64_t n)
{
#define ROW(OP)                                                                              \
    do {                                                                                     \
        if (sa == 1 && sb == 1) for (int64_t i = 0; i < n; i++) y[i] = a[i] OP b[i];         \
        else if (sa == 1 && sb == 0) for (int64_t i = 0; i < n; i++) y[i] = a[i] OP b[0];    \
        else if (sa == 0 && sb == 1) for (int64_t i = 0; i < n; i++) y[i] = a[0] OP b[i];    \
        else for (int64_t i = 0; i < n; i++) y[i] = a[i * sa] OP b[i * sb];                  \
    } while (0)
    switch (op) {
    case RDN_OP_ADD: ROW(+); return;
    case RDN_OP_SUB: ROW(-); return;
    case RDN_OP_MUL: ROW(*); return;
    case RDN_OP_DIV: ROW(/); return;
    default: break;
    }
#undef ROW
    for (int64_t i = 0; i < n; i++) y[i] = (float)rdn_scalar_binop(op, a[i * sa], b[i * sb]);
}

Tensor *rdn_tensor_binop(RdnOp op, const Tensor *a, const Tensor *b, RdnErr *err)
{
    int nd;
    int64_t shape[RDN_MAX_DIMS];
    if (rdn_broadcast_shape(op, a, b, &nd, shape, err)) return NULL;
    Tensor *u = rdn_tensor_new(nd, shape, err);
    if (!u || u->size == 0) return u;
    float *y = u->data;
    if (a->size == u->size && b->size == u->size) {
        /* same shape (up to leading 1s): one flat loop. For + - * / of two floats, float
         * arithmetic gives exactly the double result rounded once (double has more than
         * 2 x 24 + 2 bits), so these loops compute the same numbers, only vectorised. */
        const float *pa = a->data, *pb = b->data;
        int64_t n = u->size;
        switch (op) {
        case RDN_OP_ADD: for (int64_t i = 0; i < n; i++) y[i] = pa[i] + pb[i]; break;
        case RDN_OP_SUB: for (int64_t i = 0; i < n; i++) y[i] = pa[i] - pb[i]; break;
        case RDN_OP_MUL: for (int64_t i = 0; i < n; i++) y[i] = pa[i] * pb[i]; break;
        case RDN_OP_DIV: for (int64_t i = 0; i < n; i++) y[i] = pa[i] / pb[i]; break;
        default:
            for (int64_t i = 0; i < n; i++) y[i] = (float)rdn_scalar_binop(op, pa[i], pb[i]);
        }
        return u;
    }
    /* pad to 4 dims with leading 1s and walk the result in C order */
    int64_t os[4] = {1, 1, 1, 1}, sa[4] = {0, 0, 0, 0}, sb[4] = {0, 0, 0, 0};
    int64_t ta[RDN_MAX_DIMS], tb[RDN_MAX_DIMS];
    bcast_strides(a, nd, shape, ta);
    bcast_strides(b, nd, shape, tb);
    for (int d = 0; d < nd; d++) {
        os[4 - nd + d] = shape[d];
        sa[4 - nd + d] = ta[d];
        sb[4 - nd + d] = tb[d];
    }
    int64_t k = 0;
    for (int64_t i0 = 0; i0 < os[0]; i0++)
        for (int64_t i1 = 0; i1 < os[1]; i1++)
            for (int64_t i2 = 0; i2 < os[2]; i2++) {
                const float *pa = a->data + i0 * sa[0] + i1 * sa[1] + i2 * sa[2];
                const float *pb = b->data + i0 * sb[0] + i1 * sb[1] + i2 * sb[2];
                row_binop(op, pa, sa[3], pb, sb[3], y + k, os[3]);
                k += os[3];
            }
    return u;
}

Tensor *rdn_tensor_binop_scalar(RdnOp op, const Tensor *t, double s, int scalar_left, RdnErr *err)
{
    Tensor *u = rdn_tensor_new(t->ndim, t->shape, err);
    if (!u) return NULL;
    const float *x = t->data;
    float *y = u->data;
    int64_t n = t->size;
    /* the common cases as plain loops (same arithmetic: double, rounded once) */
    switch (scalar_left ? RDN_OP_NONE : op) {
    case RDN_OP_ADD: for (int64_t i = 0; i < n; i++) y[i] = (float)(x[i] + s); return u;
    case RDN_OP_SUB: for (int64_t i = 0; i < n; i++) y[i] = (float)(x[i] - s); return u;
    case RDN_OP_MUL: for (int64_t i = 0; i < n; i++) y[i] = (float)(x[i] * s); return u;
    case RDN_OP_DIV: for (int64_t i = 0; i < n; i++) y[i] = (float)(x[i] / s); return u;
    default: break;
    }
    if (scalar_left)
        for (int64_t i = 0; i < n; i++) y[i] = (float)rdn_scalar_binop(op, s, x[i]);
    else
        for (int64_t i = 0; i < n; i++) y[i] = (float)rdn_scalar_binop(op, x[i], s);
    return u;
}

Tensor *rdn_tensor_matmul(const Tensor *a, const Tensor *b, RdnErr *err)
{
    char s1[128], s2[128];
    if (a->ndim < 1 || a->ndim > 2 || b->ndim < 1 || b->ndim > 2)
        return rdn_err(err, "'@': needs 1-D or 2-D tensors, got shapes %s and %s", SHAPE(a, s1),
                       SHAPE(b, s2)), NULL;
    int64_t m = a->ndim == 2 ? a->shape[0] : 1, k = a->shape[a->ndim - 1];
    int64_t kb = b->shape[0], n = b->ndim == 2 ? b->shape[1] : 1;
    if (k != kb)
        return rdn_err(err, "'@': shapes %s and %s do not match for a matrix product (%" PRId64
                       " columns vs %" PRId64 " rows)", SHAPE(a, s1), SHAPE(b, s2), k, kb), NULL;
    if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
        return rdn_err(err, "'@': shapes %s and %s are too large for the BLAS (2^31 per dim)",
                       SHAPE(a, s1), SHAPE(b, s2)), NULL;
    int64_t shape[2];
    int nd = 0;
    if (a->ndim == 2) shape[nd++] = m;
    if (b->ndim == 2) shape[nd++] = n;
    Tensor *c = rdn_tensor_new(nd, shape, err);
    if (!c || m == 0 || n == 0 || k == 0) return c;   /* empty, or k = 0: all zeros */
    if (a->ndim == 2 && b->ndim == 2)
        rdn_sgemm(0, 0, (int)m, (int)n, (int)k, 1.0f, a->data, (int)k, b->data, (int)n, 0.0f,
                  c->data, (int)n);
    else if (a->ndim == 2)   /* [m,k] @ [k] */
        rdn_sgemv(0, (int)m, (int)k, 1.0f, a->data, (int)k, b->data, 0.0f, c->data);
    else if (b->ndim == 2)   /* [k] @ [k,n] = B^T x */
        rdn_sgemv(1, (int)k, (int)n, 1.0f, b->data, (int)n, a->data, 0.0f, c->data);
    else                     /* [k] @ [k]: a [1,k] matrix times b */
        rdn_sgemv(0, 1, (int)k, 1.0f, a->data, (int)k, b->data, 0.0f, c->data);
    return c;
}

static const char *reduce_name(int op)
{
    static const char *names[] = {"sum", "mean", "min", "max", "argmax", "argmin"};
    return op >= 0 && op <= RDN_R_ARGMIN ? names[op] : "reduce";
}

/* Does x beat the current best for min/max/argmin/argmax? NaN beats everything and is never
 * beaten (NumPy's rule: min/max propagate NaN, argmax/argmin point at the first one). */
static inline int beats(int op, double x, double best)
{
    if (isnan(best)) return 0;
    if (isnan(x)) return 1;
    return (op == RDN_R_MAX || op == RDN_R_ARGMAX) ? x > best : x < best;
}

int rdn_tensor_reduce_all(int op, const Tensor *t, double *out, RdnErr *err)
{
    const float *x = t->data;
    if (op == RDN_R_SUM || op == RDN_R_MEAN) {
        char sb[128];
        if (t->size == 0 && op == RDN_R_MEAN)
            return rdn_err(err, "mean: the tensor %s is empty", SHAPE(t, sb));
        double s = 0;
        for (int64_t i = 0; i < t->size; i++) s += x[i];
        *out = op == RDN_R_MEAN ? s / (double)t->size : s;
        return 0;
    }
    if (t->size == 0) {
        char sb[128];
        return rdn_err(err, "%s: the tensor %s is empty", reduce_name(op), SHAPE(t, sb));
    }
    double best = x[0];
    int64_t at = 0;
    for (int64_t i = 1; i < t->size; i++)
        if (beats(op, x[i], best)) best = x[i], at = i;
    *out = (op == RDN_R_ARGMAX || op == RDN_R_ARGMIN) ? (double)at : best;
    return 0;
}

Tensor *rdn_tensor_reduce_axis(int op, const Tensor *t, int axis, RdnErr *err)
{
    char sb[128];
    if (axis < 0 || axis >= t->ndim)
        return rdn_err(err, "%s: axis %d is out of range for a tensor of shape %s",
                       reduce_name(op), axis, SHAPE(t, sb)), NULL;
    int64_t outer = 1, inner = 1, n = t->shape[axis];
    int64_t shape[RDN_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (d < axis) outer *= t->shape[d];
        if (d > axis) inner *= t->shape[d];
        if (d != axis) shape[nd++] = t->shape[d];
    }
    int sumlike = op == RDN_R_SUM || op == RDN_R_MEAN;
    if (n == 0 && !(op == RDN_R_SUM) && outer * inner > 0)
        return rdn_err(err, "%s: axis %d of the tensor %s is empty", reduce_name(op), axis,
                       SHAPE(t, sb)), NULL;
    Tensor *u = rdn_tensor_new(nd, shape, err);
    if (!u || u->size == 0) return u;
    double *acc = rdn_calloc((size_t)inner, sizeof *acc, "reduction", err);
    int64_t *arg = rdn_calloc((size_t)inner, sizeof *arg, "reduction", err);
    if (!acc || !arg) {
        free(acc);
        free(arg);
        rdn_tensor_free(u);
        return NULL;
    }
    for (int64_t o = 0; o < outer; o++) {
        const float *base = t->data + o * n * inner;
        if (sumlike) {
            for (int64_t i = 0; i < inner; i++) acc[i] = 0;
            for (int64_t j = 0; j < n; j++)
                for (int64_t i = 0; i < inner; i++) acc[i] += base[j * inner + i];
            for (int64_t i = 0; i < inner; i++)
                u->data[o * inner + i] = (float)(op == RDN_R_MEAN ? acc[i] / (double)n : acc[i]);
        } else {
            for (int64_t i = 0; i < inner; i++) acc[i] = base[i], arg[i] = 0;
            for (int64_t j = 1; j < n; j++)
                for (int64_t i = 0; i < inner; i++)
                    if (beats(op, base[j * inner + i], acc[i]))
                        acc[i] = base[j * inner + i], arg[i] = j;
            int isarg = op == RDN_R_ARGMAX || op == RDN_R_ARGMIN;
            for (int64_t i = 0; i < inner; i++)
                u->data[o * inner + i] = (float)(isarg ? (double)arg[i] : acc[i]);
        }
    }
    free(acc);
    free(arg);
    return u;
}

int rdn_tensor_var_all(const Tensor *t, int ddof, int take_sqrt, double *out, RdnErr *err)
{
    char sb[128];
    const char *name = take_sqrt ? "std" : "var";
    if (ddof < 0 || t->size - ddof <= 0)
        return rdn_err(err, "%s: the tensor %s has %lld element%s, needs more than ddof = %d",
                       name, SHAPE(t, sb), (long long)t->size, t->size == 1 ? "" : "s", ddof);
    double m = 0, s = 0;
    for (int64_t i = 0; i < t->size; i++) m += t->data[i];
    m /= (double)t->size;
    for (int64_t i = 0; i < t->size; i++) s += (t->data[i] - m) * (t->data[i] - m);
    s /= (double)(t->size - ddof);
    *out = take_sqrt ? sqrt(s) : s;
    return 0;
}

Tensor *rdn_tensor_var_axis(const Tensor *t, int axis, int ddof, int take_sqrt, RdnErr *err)
{
    char sb[128];
    const char *name = take_sqrt ? "std" : "var";
    if (axis < 0 || axis >= t->ndim)
        return rdn_err(err, "%s: axis %d is out of range for a tensor of shape %s", name, axis,
                       SHAPE(t, sb)), NULL;
    int64_t outer = 1, inner = 1, n = t->shape[axis];
    int64_t shape[RDN_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (d < axis) outer *= t->shape[d];
        if (d > axis) inner *= t->shape[d];
        if (d != axis) shape[nd++] = t->shape[d];
    }
    if (ddof < 0 || n - ddof <= 0)
        return rdn_err(err, "%s: axis %d of the tensor %s has %lld element%s, needs more than "
                       "ddof = %d", name, axis, SHAPE(t, sb), (long long)n, n == 1 ? "" : "s",
                       ddof), NULL;
    Tensor *u = rdn_tensor_new(nd, shape, err);
    if (!u || u->size == 0) return u;
    double *mean = rdn_calloc((size_t)inner, sizeof *mean, "variance", err);
    double *acc = rdn_calloc((size_t)inner, sizeof *acc, "variance", err);
    if (!mean || !acc) {
        free(mean);
        free(acc);
        rdn_tensor_free(u);
        return NULL;
    }
    for (int64_t o = 0; o < outer; o++) {
        const float *base = t->data + o * n * inner;
        for (int64_t i = 0; i < inner; i++) mean[i] = 0, acc[i] = 0;
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < inner; i++) mean[i] += base[j * inner + i];
        for (int64_t i = 0; i < inner; i++) mean[i] /= (double)n;
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < inner; i++) {
                double d = base[j * inner + i] - mean[i];
                acc[i] += d * d;
            }
        for (int64_t i = 0; i < inner; i++) {
            double v = acc[i] / (double)(n - ddof);
            u->data[o * inner + i] = (float)(take_sqrt ? sqrt(v) : v);
        }
    }
    free(mean);
    free(acc);
    return u;
}

Tensor *rdn_tensor_concat(int n, const Tensor *const *ts, int axis, RdnErr *err)
{
    char s1[128], s2[128];
    if (n < 1) return rdn_err(err, "concat: needs at least one tensor"), NULL;
    const Tensor *f = ts[0];
    if (f->ndim < 1)
        return rdn_err(err, "concat: cannot join 0-d tensors (use tensor([...]) to stack "
                       "numbers)"), NULL;
    if (axis < 0 || axis >= f->ndim)
        return rdn_err(err, "concat: axis %d is out of range for tensors of shape %s", axis,
                       SHAPE(f, s1)), NULL;
    int64_t shape[RDN_MAX_DIMS], total = 0;
    for (int k = 0; k < n; k++) {
        const Tensor *t = ts[k];
        int ok = t->ndim == f->ndim;
        for (int d = 0; ok && d < f->ndim; d++) ok = d == axis || t->shape[d] == f->shape[d];
        if (!ok)
            return rdn_err(err, "concat: tensor %d has shape %s, which does not fit %s along "
                           "axis %d", k + 1, SHAPE(t, s2), SHAPE(f, s1), axis), NULL;
        if (total > INT64_MAX - t->shape[axis])
            return rdn_err(err, "concat: the result is too large"), NULL;
        total += t->shape[axis];
    }
    for (int d = 0; d < f->ndim; d++) shape[d] = d == axis ? total : f->shape[d];
    Tensor *u = rdn_tensor_new(f->ndim, shape, err);
    if (!u || u->size == 0) return u;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= f->shape[d];
    for (int d = axis + 1; d < f->ndim; d++) inner *= f->shape[d];
    float *y = u->data;
    for (int64_t o = 0; o < outer; o++)
        for (int k = 0; k < n; k++) {
            int64_t chunk = ts[k]->shape[axis] * inner;
            if (chunk) memcpy(y, ts[k]->data + o * chunk, (size_t)chunk * sizeof(float));
            y += chunk;
        }
    return u;
}

/* outer x n x inner view of t around axis (the lanes are the outer x inner index pairs). */
static void lanes(const Tensor *t, int axis, int64_t *outer, int64_t *n, int64_t *inner)
{
    *outer = 1;
    *inner = 1;
    *n = t->shape[axis];
    for (int d = 0; d < t->ndim; d++) {
        if (d < axis) *outer *= t->shape[d];
        if (d > axis) *inner *= t->shape[d];
    }
}

Tensor *rdn_tensor_cumsum(const Tensor *t, int axis, RdnErr *err)
{
    char sb[128];
    if (axis < 0 || axis >= t->ndim)
        return rdn_err(err, "cumsum: axis %d is out of range for a tensor of shape %s", axis,
                       SHAPE(t, sb)), NULL;
    int64_t outer, n, inner;
    lanes(t, axis, &outer, &n, &inner);
    Tensor *u = rdn_tensor_new(t->ndim, t->shape, err);
    if (!u || u->size == 0) return u;
    double *acc = rdn_calloc((size_t)inner, sizeof *acc, "cumsum", err);
    if (!acc) {
        rdn_tensor_free(u);
        return NULL;
    }
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) acc[i] = 0;
        for (int64_t j = 0; j < n; j++) {
            int64_t at = (o * n + j) * inner;
            for (int64_t i = 0; i < inner; i++) {
                acc[i] += t->data[at + i];
                u->data[at + i] = (float)acc[i];
            }
        }
    }
    free(acc);
    return u;
}

typedef struct SortItem { float v; int64_t i; } SortItem;

static int sort_cmp(const void *pa, const void *pb)
{
    const SortItem *a = pa, *b = pb;
    int na = isnan(a->v), nb = isnan(b->v);
    if (na != nb) return na - nb;                 /* NaN after every number */
    if (!na && a->v != b->v) return a->v < b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);         /* stable */
}

Tensor *rdn_tensor_sort(const Tensor *t, int axis, int want_indices, RdnErr *err)
{
    char sb[128];
    const char *name = want_indices ? "argsort" : "sort";
    if (axis < 0 || axis >= t->ndim)
        return rdn_err(err, "%s: axis %d is out of range for a tensor of shape %s", name, axis,
                       SHAPE(t, sb)), NULL;
    int64_t outer, n, inner;
    lanes(t, axis, &outer, &n, &inner);
    Tensor *u = rdn_tensor_new(t->ndim, t->shape, err);
    if (!u || u->size == 0) return u;
    SortItem *it = rdn_calloc((size_t)n, sizeof *it, name, err);
    if (!it) {
        rdn_tensor_free(u);
        return NULL;
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *src = t->data + o * n * inner + i;
            float *dst = u->data + o * n * inner + i;
            for (int64_t j = 0; j < n; j++) it[j] = (SortItem){src[j * inner], j};
            qsort(it, (size_t)n, sizeof *it, sort_cmp);
            for (int64_t j = 0; j < n; j++)
                dst[j * inner] = want_indices ? (float)it[j].i : it[j].v;
        }
    free(it);
    return u;
}

double rdn_tensor_norm(const Tensor *t)
{
    double s = 0;
    for (int64_t i = 0; i < t->size; i++) s += (double)t->data[i] * t->data[i];
    return sqrt(s);
}

Tensor *rdn_tensor_transpose(const Tensor *t, RdnErr *err)
{
    int64_t shape[RDN_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) shape[d] = t->shape[t->ndim - 1 - d];
    Tensor *u = rdn_tensor_new(t->ndim, shape, err);
    if (!u || u->size == 0) return u;
    if (t->ndim <= 1) {
        memcpy(u->data, t->data, (size_t)t->size * sizeof(float));
        return u;
    }
    /* source strides, then walk the result in C order; result axis d is source axis nd-1-d */
    int nd = t->ndim;
    int64_t st[RDN_MAX_DIMS], s = 1;
    for (int d = nd - 1; d >= 0; d--) st[d] = s, s *= t->shape[d];
    int64_t os[4] = {1, 1, 1, 1}, ss[4] = {0, 0, 0, 0};
    for (int d = 0; d < nd; d++) {
        os[4 - nd + d] = shape[d];
        ss[4 - nd + d] = st[nd - 1 - d];
    }
    int64_t k = 0;
    for (int64_t i0 = 0; i0 < os[0]; i0++)
        for (int64_t i1 = 0; i1 < os[1]; i1++)
            for (int64_t i2 = 0; i2 < os[2]; i2++) {
                const float *p = t->data + i0 * ss[0] + i1 * ss[1] + i2 * ss[2];
                for (int64_t i3 = 0; i3 < os[3]; i3++) u->data[k++] = p[i3 * ss[3]];
            }
    return u;
}

Tensor *rdn_tensor_reshape(const Tensor *t, int ndim, const int64_t *shape, RdnErr *err)
{
    char s1[128], s2[128];
    if (ndim < 0 || ndim > RDN_MAX_DIMS)
        return rdn_err(err, "reshape: %d dimensions requested, at most %d are supported", ndim,
                       RDN_MAX_DIMS), NULL;
    int64_t sh[RDN_MAX_DIMS];
    int infer = -1;
    int64_t known = 1;
    int zero = 0;
    for (int d = 0; d < ndim; d++) {
        sh[d] = shape[d];
        if (shape[d] == -1) {
            if (infer >= 0)
                return rdn_err(err, "reshape: only one size may be -1, got %s",
                               rdn_tensor_shape_str(ndim, shape, s2, sizeof s2)), NULL;
            infer = d;
        } else if (shape[d] < 0) {
            return rdn_err(err, "reshape: sizes must be >= 0 (or one -1), got %s",
                           rdn_tensor_shape_str(ndim, shape, s2, sizeof s2)), NULL;
        } else if (shape[d] == 0) {
            zero = 1;
        } else if (known > INT64_MAX / shape[d]) {
            known = INT64_MAX;   /* saturate: larger than any tensor, so a mismatch below */
        } else {
            known *= shape[d];
        }
    }
    if (infer >= 0) {
        if (zero || known == 0 || known == INT64_MAX || t->size % known != 0)
            return rdn_err(err, "reshape: cannot reshape a tensor of shape %s (%" PRId64
                           " elements) to %s", SHAPE(t, s1), t->size,
                           rdn_tensor_shape_str(ndim, shape, s2, sizeof s2)), NULL;
        sh[infer] = t->size / known;
        known = t->size;
    }
    int64_t size = zero ? 0 : known;
    if (size != t->size)
        return rdn_err(err, "reshape: cannot reshape a tensor of shape %s (%" PRId64
                       " elements) to %s", SHAPE(t, s1), t->size,
                       rdn_tensor_shape_str(ndim, shape, s2, sizeof s2)), NULL;
    Tensor *u = rdn_tensor_new(ndim, sh, err);
    if (u && t->size) memcpy(u->data, t->data, (size_t)t->size * sizeof(float));
    return u;
}

Tensor *rdn_tensor_select(const Tensor *t, int nsel, const int *is_range, const int64_t *sel_lo,
                          const int64_t *sel_hi, RdnErr *err)
{
    char sb[128];
    if (nsel > t->ndim)
        return rdn_err(err, "too many indices (%d) for a tensor of shape %s", nsel,
                       SHAPE(t, sb)), NULL;
    int nd = t->ndim;
    int64_t start[4] = {0, 0, 0, 0}, count[4] = {1, 1, 1, 1}, st[4] = {0, 0, 0, 0};
    int64_t shape[RDN_MAX_DIMS];
    int ond = 0;
    int64_t s = 1;
    int64_t stride[RDN_MAX_DIMS];
    for (int d = nd - 1; d >= 0; d--) stride[d] = s, s *= t->shape[d];
    for (int d = 0; d < nd; d++) {
        int64_t lo = 0, hi = t->shape[d];
        int keep = 1;
        if (d < nsel) {
            lo = sel_lo[d];
            hi = is_range[d] ? sel_hi[d] : lo + 1;
            keep = is_range[d];
            if (lo < 0 || hi > t->shape[d] || lo > hi)
                return rdn_err(err, "index out of range on axis %d of a tensor of shape %s", d,
                               SHAPE(t, sb)), NULL;
        }
        if (keep) shape[ond++] = hi - lo;
        start[4 - nd + d] = lo;
        count[4 - nd + d] = hi - lo;
        st[4 - nd + d] = stride[d];
    }
    Tensor *u = rdn_tensor_new(ond, shape, err);
    if (!u || u->size == 0) return u;
    const float *base = t->data + start[0] * st[0] + start[1] * st[1] + start[2] * st[2] +
                        start[3] * st[3];
    int64_t k = 0;
    for (int64_t i0 = 0; i0 < count[0]; i0++)
        for (int64_t i1 = 0; i1 < count[1]; i1++)
            for (int64_t i2 = 0; i2 < count[2]; i2++) {
                /* the last axis is contiguous in the source */
                const float *p = base + i0 * st[0] + i1 * st[1] + i2 * st[2];
                memcpy(u->data + k, p, (size_t)count[3] * sizeof(float));
                k += count[3];
            }
    return u;
}

Tensor *rdn_tensor_take(const Tensor *t, int axis, const int64_t *idx, int64_t n, RdnErr *err)
{
    char sb[128];
    if (axis < 0 || axis >= t->ndim)
        return rdn_err(err, "axis %d is out of range for a tensor of shape %s", axis,
                       SHAPE(t, sb)), NULL;
    int64_t len = t->shape[axis], outer = 1, inner = 1;
    for (int64_t i = 0; i < n; i++)
        if (idx[i] < 0 || idx[i] >= len)
            return rdn_err(err, "index %lld is out of range for axis %d (size %lld) of a tensor "
                           "of shape %s", (long long)idx[i], axis, (long long)len,
                           SHAPE(t, sb)), NULL;
    int64_t shape[RDN_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) {
        shape[d] = d == axis ? n : t->shape[d];
        if (d < axis) outer *= t->shape[d];
        if (d > axis) inner *= t->shape[d];
    }
    Tensor *u = rdn_tensor_new(t->ndim, shape, err);
    if (!u || u->size == 0) return u;
    float *y = u->data;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < n; i++) {
            memcpy(y, t->data + (o * len + idx[i]) * inner, (size_t)inner * sizeof(float));
            y += inner;
        }
    return u;
}

Tensor *rdn_tensor_eye(int64_t n, RdnErr *err)
{
    int64_t shape[2] = {n, n};
    Tensor *u = rdn_tensor_new(2, shape, err);
    if (!u) return NULL;
    for (int64_t i = 0; i < n; i++) u->data[i * n + i] = 1.0f;
    return u;
}

void rdn_tensor_fill_normal(Tensor *t, RdnRng *r, double mean, double std)
{
    for (int64_t i = 0; i < t->size; i++) t->data[i] = (float)(mean + std * rdn_rng_normal(r));
}

void rdn_tensor_fill_uniform(Tensor *t, RdnRng *r, double lo, double hi)
{
    for (int64_t i = 0; i < t->size; i++)
        t->data[i] = (float)(lo + (hi - lo) * rdn_rng_uniform(r));
}

Tensor *rdn_tensor_linspace(double a, double b, int64_t n, RdnErr *err)
{
    if (n < 1) return rdn_err(err, "linspace: needs at least 1 point, got %" PRId64, n), NULL;
    Tensor *u = rdn_tensor_new(1, &n, err);
    if (!u) return NULL;
    for (int64_t i = 0; i < n; i++)
        u->data[i] = (float)(n == 1 ? a : a + (b - a) * (double)i / (double)(n - 1));
    return u;
}
