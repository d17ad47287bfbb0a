/* bi_tensor.c: the tensor builtins (tensor, zeros, sum, reshape, sigmoid, ...), the evaluator's
 * hooks for tensor operators and indexing, and the two value types this area prints: tensors
 * (OPS_TENSOR) and tables/histories (OPS_TABLE). The arithmetic itself is runtime/tensor_ops.c;
 * this file reads arguments, checks them with located errors and boxes the results. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "interp.h"
#include "table.h"
#include "tensor.h"
#include "tensor_ops.h"

#define SHAPESTR(t, buf) rdn_tensor_shape_str((t)->ndim, (t)->shape, buf, sizeof buf)

static void destroy_tensor(void *p) { rdn_tensor_free(p); }
static void destroy_table(void *p) { rdn_table_free(p); }

Value val_tensor(struct Tensor *t) { return val_box(VAL_TENSOR, t, destroy_tensor); }
Value val_table(struct Table *t) { return val_box(VAL_TABLE, t, destroy_table); }

/* A result: 0-d tensors become numbers (sum(v, axis: 0) of a vector, v @ v, t[i, j]). */
static Value boxed(Tensor *t)
{
    if (t->ndim == 0) {
        double x = t->data[0];
        rdn_tensor_free(t);
        return val_num(x);
    }
    return val_tensor(t);
}

/* ---------------------------------------------------------------------------------------------
 * Values that read as tensors: a tensor, a (nested) list of numbers or tensors, a range, a number.
 * ------------------------------------------------------------------------------------------- */

/* The error of a conversion, written into msg (the caller locates it). */
typedef struct Conv { char msg[256]; } Conv;

static int conv_fail(Conv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int conv_fail(Conv *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static void path_str(const int64_t *path, int depth, char *buf, size_t n)
{
    rdn_tensor_shape_str(depth, path, buf, n);
}

/* Number of values in lo..hi, saturated (hi - lo could overflow for extreme ends). */
static int64_t range_len(const ObjRange *r)
{
    if (r->hi <= r->lo) return 0;
    uint64_t n = (uint64_t)r->hi - (uint64_t)r->lo;
    return n > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)n;
}

/* Shape of a nested value, read along its first items. */
static int infer_shape(Value v, int *ndim, int64_t *shape, Conv *c)
{
    int nd = 0;
    for (;;) {
        if (v.type == VAL_LIST) {
            ObjList *l = (ObjList *)v.as.obj;
            if (nd >= RDN_MAX_DIMS)
                return conv_fail(c, "lists nested more than %d deep (tensors have at most %d "
                                 "dimensions)", RDN_MAX_DIMS, RDN_MAX_DIMS);
            shape[nd++] = l->len;
            if (l->len == 0) break;
            v = l->items[0];
        } else if (v.type == VAL_RANGE) {
            ObjRange *r = (ObjRange *)v.as.obj;
            if (nd >= RDN_MAX_DIMS)
                return conv_fail(c, "lists nested more than %d deep", RDN_MAX_DIMS);
            shape[nd++] = range_len(r);
            break;
        } else if (v.type == VAL_TENSOR) {
            const Tensor *t = val_ptr(v);
            if (nd + t->ndim > RDN_MAX_DIMS)
                return conv_fail(c, "the result would have %d dimensions (at most %d)",
                                 nd + t->ndim, RDN_MAX_DIMS);
            for (int d = 0; d < t->ndim; d++) shape[nd++] = t->shape[d];
            break;
        } else {
            break;
        }
    }
    *ndim = nd;
    return 0;
}

/* Writes v (at `path`, depth d) into out at *k, checking it has shape[d..]. */
static int fill(Value v, int d, int ndim, const int64_t *shape, int64_t *path, float *out,
                int64_t *k, Conv *c)
{
    char pb[96], sb[96], sb2[96];
    if (v.type == VAL_NUM || v.type == VAL_BOOL) {
        if (d != ndim) {
            path_str(path, d, pb, sizeof pb);
            return conv_fail(c, "ragged nested list: item %s is a number where a list of %lld "
                             "was expected", pb, (long long)shape[d]);
        }
        out[(*k)++] = (float)(v.type == VAL_NUM ? v.as.num : v.as.b);
        return 0;
    }
    if (v.type == VAL_TENSOR) {
        const Tensor *t = val_ptr(v);
        int ok = t->ndim == ndim - d;
        for (int i = 0; ok && i < t->ndim; i++) ok = t->shape[i] == shape[d + i];
        if (!ok) {
            path_str(path, d, pb, sizeof pb);
            return conv_fail(c, "ragged nested list: item %s is a tensor of shape %s, expected "
                             "shape %s", pb, SHAPESTR(t, sb),
                             rdn_tensor_shape_str(ndim - d, shape + d, sb2, sizeof sb2));
        }
        if (t->size) memcpy(out + *k, t->data, (size_t)t->size * sizeof(float));
        *k += t->size;
        return 0;
    }
    if (v.type == VAL_LIST || v.type == VAL_RANGE) {
        int64_t len = v.type == VAL_LIST ? ((ObjList *)v.as.obj)->len
                                         : range_len((const ObjRange *)v.as.obj);
        if (d >= ndim || len != shape[d]) {
            path_str(path, d, pb, sizeof pb);
            if (d >= ndim)
                return conv_fail(c, "ragged nested list: item %s is a list where a number was "
                                 "expected", pb);
            return conv_fail(c, "ragged nested list: item %s has length %lld, expected %lld",
                             pb, (long long)len, (long long)shape[d]);
        }
        if (v.type == VAL_RANGE) {
            if (d + 1 != ndim) {
                path_str(path, d, pb, sizeof pb);
                return conv_fail(c, "ragged nested list: item %s is a range where lists were "
                                 "expected", pb);
            }
            for (int64_t i = 0; i < len; i++) out[(*k)++] = (float)(((ObjRange *)v.as.obj)->lo + i);
            return 0;
        }
        ObjList *l = (ObjList *)v.as.obj;
        for (int64_t i = 0; i < len; i++) {
            path[d] = i;
            if (fill(l->items[i], d + 1, ndim, shape, path, out, k, c)) return -1;
        }
        return 0;
    }
    path_str(path, d, pb, sizeof pb);
    if (d == 0) return conv_fail(c, "expected a number, list or tensor, got a %s",
                                 val_type_name(v.type));
    return conv_fail(c, "item %s is a %s, expected a number", pb, val_type_name(v.type));
}

/* A new tensor from v; NULL with c->msg (or err for an allocation failure) filled. */
static Tensor *tensor_from(Value v, Conv *c, RdnErr *err)
{
    int ndim = 0;
    int64_t shape[RDN_MAX_DIMS], path[RDN_MAX_DIMS] = {0};
    c->msg[0] = 0;
    if (infer_shape(v, &ndim, shape, c)) return NULL;
    Tensor *t = rdn_tensor_new(ndim, shape, err);
    if (!t) {
        snprintf(c->msg, sizeof c->msg, "%.250s", err->msg);
        return NULL;
    }
    int64_t k = 0;
    if (fill(v, 0, ndim, shape, path, t->data, &k, c)) {
        rdn_tensor_free(t);
        return NULL;
    }
    return t;
}

static int readable_as_tensor(Value v)
{
    return v.type == VAL_TENSOR || v.type == VAL_LIST || v.type == VAL_RANGE ||
           v.type == VAL_NUM || v.type == VAL_BOOL;
}

/* Reads positional argument pos as a tensor: *t borrowed from a tensor value, or converted and
 * then owned by *own (free it with rdn_tensor_free). */
static int arg_tensor(Interp *I, const Args *a, int pos, Tensor **t, Tensor **own)
{
    const char *name = a->bi->name;
    Value v;
    *own = NULL;
    if (!arg_get(a, pos, NULL, &v))
        return arg_error(I, a, pos, NULL, "%s: missing argument %d (a tensor)", name, pos + 1);
    if (v.type == VAL_TENSOR) {
        *t = val_ptr(v);
        return 0;
    }
    if (!readable_as_tensor(v))
        return arg_error(I, a, pos, NULL, "%s: expected a tensor, got a %s", name,
                         val_type_name(v.type));
    Conv c;
    RdnErr err = {0};
    *own = *t = tensor_from(v, &c, &err);
    if (!*t) return arg_error(I, a, pos, NULL, "%s: %s", name, c.msg);
    return 0;
}

/* Sizes from the positional arguments (zeros(2, 3)) or one list (zeros([2, 3]), zeros(t.shape)),
 * starting at positional `from`. */
static int arg_shape(Interp *I, const Args *a, int from, int allow_minus1, int *ndim,
                     int64_t *shape)
{
    const char *name = a->bi->name;
    int n = a->npos - from;
    const Value *items = a->pos + from;
    int listpos = -1;
    if (n == 1 && a->pos[from].type == VAL_LIST) {
        ObjList *l = (ObjList *)a->pos[from].as.obj;
        listpos = from;
        items = l->items;
        n = l->len > RDN_MAX_DIMS ? RDN_MAX_DIMS + 1 : (int)l->len;
    }
    if (n > RDN_MAX_DIMS)
        return arg_error(I, a, listpos >= 0 ? listpos : from + RDN_MAX_DIMS, NULL,
                         "%s: at most %d sizes (dimensions), got %d or more", name, RDN_MAX_DIMS,
                         n);
    for (int d = 0; d < n; d++) {
        int at = listpos >= 0 ? listpos : from + d;
        Value v = items[d];
        if (v.type != VAL_NUM)
            return arg_error(I, a, at, NULL, "%s: sizes must be numbers, got a %s", name,
                             val_type_name(v.type));
        double x = v.as.num;
        if (x != floor(x) || !isfinite(x))
            return arg_error(I, a, at, NULL, "%s: sizes must be whole numbers, got %g", name, x);
        if (x < 0 && !(allow_minus1 && x == -1))
            return arg_error(I, a, at, NULL, "%s: sizes must be >= 0%s, got %g", name,
                             allow_minus1 ? " (or one -1)" : "", x);
        if (x > 9.2e18)
            return arg_error(I, a, at, NULL, "%s: size %g is too large", name, x);
        shape[d] = (int64_t)x;
    }
    *ndim = n;
    return 0;
}

/* The axis: keyword normalised against t's dims; *has 0 when absent or nil. */
static int arg_axis(Interp *I, const Args *a, const Tensor *t, int *has, int *axis)
{
    Value v;
    *has = 0;
    if (!arg_get(a, -1, "axis", &v) || v.type == VAL_NIL) return 0;
    long ax;
    if (arg_int(I, a, -1, "axis", 0, -1000000, 1000000, &ax)) return -1;
    char sb[128];
    if (t->ndim == 0)
        return arg_error(I, a, -1, "axis", "%s: a 0-d tensor has no axis %ld", a->bi->name, ax);
    if (ax < -t->ndim || ax >= t->ndim)
        return arg_error(I, a, -1, "axis", "%s: axis %ld is out of range for a tensor of shape "
                         "%s (axes 0..%d, or -1..-%d from the end)", a->bi->name, ax,
                         SHAPESTR(t, sb), t->ndim - 1, t->ndim);
    *axis = (int)(ax < 0 ? ax + t->ndim : ax);
    *has = 1;
    return 0;
}

/* Raises a runtime error as "NAME: message" at the call. */
static int call_error(Interp *I, const Args *a, const RdnErr *err)
{
    RdnErr e = *err;
    if (err->code != RDN_INTERRUPTED)
        snprintf(e.msg, sizeof e.msg, "%.60s: %.900s", a->bi->name, err->msg);
    return rt_error_from(I, &a->call, &e);
}

/* ---------------------------------------------------------------------------------------------
 * Builtins
 * ------------------------------------------------------------------------------------------- */

static int bi_tensor(Interp *I, Args *a, Value *out)
{
    Value v = a->pos[0];
    if (v.type == VAL_TENSOR) {
        val_incref(v);   /* tensors are immutable: the same value will do */
        *out = v;
        return 0;
    }
    if (!readable_as_tensor(v))
        return arg_error(I, a, 0, NULL, "tensor: expected a number, list or tensor, got a %s",
                         val_type_name(v.type));
    Conv c;
    RdnErr err = {0};
    Tensor *t = tensor_from(v, &c, &err);
    if (!t) return arg_error(I, a, 0, NULL, "tensor: %s", c.msg);
    *out = val_tensor(t);
    return 0;
}

static int new_from_args(Interp *I, Args *a, Tensor **t)
{
    int ndim = 0;
    int64_t shape[RDN_MAX_DIMS];
    if (arg_shape(I, a, 0, 0, &ndim, shape)) return -1;
    RdnErr err = {0};
    if (!(*t = rdn_tensor_new(ndim, shape, &err))) return call_error(I, a, &err);
    return 0;
}

static int bi_zeros(Interp *I, Args *a, Value *out)
{
    Tensor *t;
    if (new_from_args(I, a, &t)) return -1;
    *out = val_tensor(t);
    return 0;
}

static int bi_ones(Interp *I, Args *a, Value *out)
{
    Tensor *t;
    if (new_from_args(I, a, &t)) return -1;
    for (int64_t i = 0; i < t->size; i++) t->data[i] = 1.0f;
    *out = val_tensor(t);
    return 0;
}

static int bi_full(Interp *I, Args *a, Value *out)
{
    double v;
    if (arg_num(I, a, -1, "value", 0, &v)) return -1;
    Tensor *t;
    if (new_from_args(I, a, &t)) return -1;
    for (int64_t i = 0; i < t->size; i++) t->data[i] = (float)v;
    *out = val_tensor(t);
    return 0;
}

static int bi_eye(Interp *I, Args *a, Value *out)
{
    int ndim = 0;
    int64_t shape[RDN_MAX_DIMS];
    if (arg_shape(I, a, 0, 0, &ndim, shape)) return -1;
    if (ndim != 1)
        return arg_error(I, a, 0, NULL, "eye: expected one size n (an n x n matrix), got %d",
                         ndim);
    RdnErr err = {0};
    Tensor *t = rdn_tensor_eye(shape[0], &err);
    if (!t) return call_error(I, a, &err);
    *out = val_tensor(t);
    return 0;
}

static int bi_randn(Interp *I, Args *a, Value *out)
{
    double mean, std;
    if (arg_num(I, a, -1, "mean", 0, &mean) || arg_num(I, a, -1, "std", 1, &std)) return -1;
    if (!isfinite(mean))
        return arg_error(I, a, -1, "mean", "randn: mean must be a finite number, got %g", mean);
    if (!(std >= 0) || !isfinite(std))
        return arg_error(I, a, -1, "std", "randn: std must be a finite number >= 0, got %g", std);
    Tensor *t;
    if (new_from_args(I, a, &t)) return -1;
    rdn_tensor_fill_normal(t, &I->rng, mean, std);
    *out = val_tensor(t);
    return 0;
}

static int bi_rand(Interp *I, Args *a, Value *out)
{
    double lo, hi;
    if (arg_num(I, a, -1, "lo", 0, &lo) || arg_num(I, a, -1, "hi", 1, &hi)) return -1;
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
        return arg_error(I, a, -1, "hi", "rand: needs finite lo < hi, got lo %g, hi %g", lo, hi);
    Tensor *t;
    if (new_from_args(I, a, &t)) return -1;
    rdn_tensor_fill_uniform(t, &I->rng, lo, hi);
    *out = val_tensor(t);
    return 0;
}

static int bi_linspace(Interp *I, Args *a, Value *out)
{
    double lo, hi;
    long n;
    if (arg_num(I, a, 0, NULL, 0, &lo) || arg_num(I, a, 1, NULL, 0, &hi)) return -1;
    if (arg_int(I, a, 2, "n", 50, 1, 1L << 40, &n)) return -1;
    if (!isfinite(lo) || !isfinite(hi))
        return arg_error(I, a, isfinite(lo) ? 1 : 0, NULL, "linspace: ends must be finite");
    RdnErr err = {0};
    Tensor *t = rdn_tensor_linspace(lo, hi, n, &err);
    if (!t) return call_error(I, a, &err);
    *out = val_tensor(t);
    return 0;
}

static int reduce(Interp *I, Args *a, int op, Value *out)
{
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    int has, axis;
    RdnErr err = {0};
    int rc = 0;
    if (arg_axis(I, a, t, &has, &axis)) {
        rc = -1;
    } else if (!has) {
        double x;
        if (rdn_tensor_reduce_all(op, t, &x, &err)) rc = arg_error(I, a, 0, NULL, "%s", err.msg);
        else *out = val_num(x);
    } else {
        Tensor *u = rdn_tensor_reduce_axis(op, t, axis, &err);
        if (!u) rc = arg_error(I, a, 0, NULL, "%s", err.msg);
        else *out = boxed(u);
    }
    rdn_tensor_free(own);
    return rc;
}

static int bi_sum(Interp *I, Args *a, Value *out) { return reduce(I, a, RDN_R_SUM, out); }
static int bi_mean(Interp *I, Args *a, Value *out) { return reduce(I, a, RDN_R_MEAN, out); }
static int bi_argmax(Interp *I, Args *a, Value *out) { return reduce(I, a, RDN_R_ARGMAX, out); }
static int bi_argmin(Interp *I, Args *a, Value *out) { return reduce(I, a, RDN_R_ARGMIN, out); }

/* binop on two values with the call's location (for max(a, b)). */
static int value_binop(Interp *I, const Args *a, int op, Value x, Value y, Value *out);

static int minmax(Interp *I, Args *a, int rop, int bop, Value *out)
{
    if (a->npos == 2) {
        Value v;
        if (arg_get(a, -1, "axis", &v))
            return arg_error(I, a, -1, "axis", "%s: axis: applies to one tensor, not to two "
                             "values", a->bi->name);
        return value_binop(I, a, bop, a->pos[0], a->pos[1], out);
    }
    return reduce(I, a, rop, out);
}

static int bi_min(Interp *I, Args *a, Value *out) { return minmax(I, a, RDN_R_MIN, 'm', out); }
static int bi_max(Interp *I, Args *a, Value *out) { return minmax(I, a, RDN_R_MAX, 'M', out); }

static int variance(Interp *I, Args *a, int take_sqrt, Value *out)
{
    Tensor *t, *own;
    long ddof;
    if (arg_int(I, a, -1, "ddof", 0, 0, 1000000, &ddof)) return -1;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    int has, axis;
    RdnErr err = {0};
    int rc = 0;
    if (arg_axis(I, a, t, &has, &axis)) {
        rc = -1;
    } else if (!has) {
        double x;
        if (rdn_tensor_var_all(t, (int)ddof, take_sqrt, &x, &err))
            rc = arg_error(I, a, 0, NULL, "%s", err.msg);
        else *out = val_num(x);
    } else {
        Tensor *u = rdn_tensor_var_axis(t, axis, (int)ddof, take_sqrt, &err);
        if (!u) rc = arg_error(I, a, 0, NULL, "%s", err.msg);
        else *out = boxed(u);
    }
    rdn_tensor_free(own);
    return rc;
}

static int bi_var(Interp *I, Args *a, Value *out) { return variance(I, a, 0, out); }
static int bi_std(Interp *I, Args *a, Value *out) { return variance(I, a, 1, out); }

static int bi_concat(Interp *I, Args *a, Value *out)
{
    /* concat(a, b, ...) or concat([a, b, ...]) */
    const Value *items = a->pos;
    int n = a->npos, listed = 0;
    if (n == 1 && a->pos[0].type == VAL_LIST) {
        const ObjList *l = (const ObjList *)a->pos[0].as.obj;
        if (l->len > 100000)
            return arg_error(I, a, 0, NULL, "concat: at most 100000 tensors, got %lld",
                             (long long)l->len);
        items = l->items;
        n = (int)l->len;
        listed = 1;
    }
    if (n < 1) return arg_error(I, a, 0, NULL, "concat: needs at least one tensor");
    const Tensor **ts = calloc((size_t)n, sizeof *ts);
    Tensor **own = calloc((size_t)n, sizeof *own);
    int rc = -1;
    if (!ts || !own) {
        rt_error(I, &a->call, "concat: out of memory");
        goto done;
    }
    for (int k = 0; k < n; k++) {
        Value v = items[k];
        if (v.type == VAL_TENSOR) {
            ts[k] = val_ptr(v);
            continue;
        }
        if (v.type != VAL_LIST && v.type != VAL_RANGE) {
            arg_error(I, a, listed ? 0 : k, NULL, "concat: item %d is a %s, expected a tensor",
                      k + 1, val_type_name(v.type));
            goto done;
        }
        Conv c;
        RdnErr err = {0};
        if (!(ts[k] = own[k] = tensor_from(v, &c, &err))) {
            arg_error(I, a, listed ? 0 : k, NULL, "concat: %s", c.msg);
            goto done;
        }
    }
    long ax;
    if (arg_int(I, a, -1, "axis", 0, -RDN_MAX_DIMS, RDN_MAX_DIMS - 1, &ax)) goto done;
    if (ax < 0) ax += ts[0]->ndim;
    RdnErr err = {0};
    Tensor *u = rdn_tensor_concat(n, ts, (int)ax, &err);
    if (!u) {
        rt_error_from(I, &a->call, &err);
        goto done;
    }
    *out = val_tensor(u);
    rc = 0;
done:
    if (own)
        for (int k = 0; k < n; k++) rdn_tensor_free(own[k]);
    free(own);
    free(ts);
    return rc;
}

/* cumsum/sort/argsort: along axis: (default: cumsum over the flattened tensor, sort along the
 * last axis). */
static int lanewise(Interp *I, Args *a, int which, Value *out)
{
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    int has, axis;
    RdnErr err = {0};
    Tensor *u = NULL, *flat = NULL;
    if (arg_axis(I, a, t, &has, &axis)) {
        rdn_tensor_free(own);
        return -1;
    }
    if (t->ndim == 0) {
        /* a number: its own cumsum and sort (argsort: 0) */
        double x = which == 2 ? 0 : t->data[0];
        rdn_tensor_free(own);
        *out = val_num(x);
        return 0;
    }
    if (!has && which == 0) {
        int64_t n = t->size;
        if (!(flat = rdn_tensor_reshape(t, 1, &n, &err))) goto fail;
        u = rdn_tensor_cumsum(flat, 0, &err);
    } else {
        if (!has) axis = t->ndim - 1;
        u = which == 0 ? rdn_tensor_cumsum(t, axis, &err) : rdn_tensor_sort(t, axis, which == 2, &err);
    }
    if (!u) goto fail;
    rdn_tensor_free(flat);
    rdn_tensor_free(own);
    *out = val_tensor(u);
    return 0;
fail:
    rdn_tensor_free(flat);
    rdn_tensor_free(own);
    return rt_error_from(I, &a->call, &err);
}

static int bi_cumsum(Interp *I, Args *a, Value *out) { return lanewise(I, a, 0, out); }
static int bi_sort(Interp *I, Args *a, Value *out) { return lanewise(I, a, 1, out); }
static int bi_argsort(Interp *I, Args *a, Value *out) { return lanewise(I, a, 2, out); }

/* all(t) / any(t): whether every / some element is nonzero (NaN counts as nonzero, as in C). */
static int truth(Interp *I, Args *a, int want_all, Value *out)
{
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    int r = want_all;
    for (int64_t i = 0; i < t->size; i++)
        if ((t->data[i] != 0) != want_all) {
            r = !want_all;
            break;
        }
    rdn_tensor_free(own);
    *out = val_bool(r);
    return 0;
}

static int bi_all(Interp *I, Args *a, Value *out) { return truth(I, a, 1, out); }
static int bi_any(Interp *I, Args *a, Value *out) { return truth(I, a, 0, out); }

static int bi_norm(Interp *I, Args *a, Value *out)
{
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    *out = val_num(rdn_tensor_norm(t));
    rdn_tensor_free(own);
    return 0;
}

static int bi_numel(Interp *I, Args *a, Value *out)
{
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    *out = val_num((double)t->size);
    rdn_tensor_free(own);
    return 0;
}

static int bi_transpose(Interp *I, Args *a, Value *out)
{
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    RdnErr err = {0};
    Tensor *u = rdn_tensor_transpose(t, &err);
    rdn_tensor_free(own);
    if (!u) return call_error(I, a, &err);
    *out = val_tensor(u);
    return 0;
}

static int bi_reshape(Interp *I, Args *a, Value *out)
{
    Tensor *t, *own;
    int ndim = 0;
    int64_t shape[RDN_MAX_DIMS];
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    if (arg_shape(I, a, 1, 1, &ndim, shape)) {
        rdn_tensor_free(own);
        return -1;
    }
    RdnErr err = {0};
    Tensor *u = rdn_tensor_reshape(t, ndim, shape, &err);
    rdn_tensor_free(own);
    if (!u) {
        /* the runtime's message already starts with "reshape: " */
        return rt_error_from(I, &a->call, &err);
    }
    *out = val_tensor(u);
    return 0;
}

static int map_fn(Interp *I, Args *a, int fn, Value *out)
{
    Value v = a->pos[0];
    if (v.type == VAL_NUM) {
        *out = val_num(rdn_scalar_map(fn, v.as.num));
        return 0;
    }
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    RdnErr err = {0};
    Tensor *u = rdn_tensor_map(fn, t, &err);
    rdn_tensor_free(own);
    if (!u) return call_error(I, a, &err);
    *out = val_tensor(u);
    return 0;
}

static int bi_abs(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_ABS, out); }
static int bi_sqrt(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_SQRT, out); }
static int bi_exp(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_EXP, out); }
static int bi_log(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_LOG, out); }
static int bi_sigmoid(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_SIGMOID, out); }
static int bi_tanh(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_TANH, out); }
static int bi_relu(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_RELU, out); }
static int bi_sign(Interp *I, Args *a, Value *out) { return map_fn(I, a, RDN_F_SIGN, out); }

static int bi_clip(Interp *I, Args *a, Value *out)
{
    double lo, hi;
    if (arg_num(I, a, 1, "lo", -INFINITY, &lo) || arg_num(I, a, 2, "hi", INFINITY, &hi))
        return -1;
    if (isnan(lo) || isnan(hi) || lo > hi)
        return arg_error(I, a, 2, "hi", "clip: needs lo <= hi, got lo %g, hi %g", lo, hi);
    Value v = a->pos[0];
    if (v.type == VAL_NUM) {
        double x = v.as.num;
        *out = val_num(x < lo ? lo : x > hi ? hi : x);
        return 0;
    }
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    RdnErr err = {0};
    Tensor *u = rdn_tensor_clip(t, lo, hi, &err);
    rdn_tensor_free(own);
    if (!u) return call_error(I, a, &err);
    *out = val_tensor(u);
    return 0;
}

static Value list_of(const Tensor *t, int d, int64_t *k)
{
    if (d == t->ndim) return val_num(t->data[(*k)++]);
    Value l = val_list(t->shape[d]);
    for (int64_t i = 0; i < t->shape[d]; i++) val_list_push(l, list_of(t, d + 1, k));
    return l;
}

static int bi_to_list(Interp *I, Args *a, Value *out)
{
    Tensor *t, *own;
    if (arg_tensor(I, a, 0, &t, &own)) return -1;
    /* every dimension counts: [2^40, 0] holds no number but would make 2^40 empty lists */
    double lists = 0, span = 1;
    for (int d = 0; d < t->ndim; d++) {
        lists += span;
        span *= (double)t->shape[d];
    }
    if (t->size > 10000000 || lists > 10000000) {
        rdn_tensor_free(own);
        return arg_error(I, a, 0, NULL, "to_list: %lld elements in %.0f lists is too many for a list "
                         "(at most 1e7 of each)", (long long)t->size, lists);
    }
    int64_t k = 0;
    *out = list_of(t, 0, &k);
    rdn_tensor_free(own);
    return 0;
}

/* table(names, rows): the column types come from the first row (number or string). */
static int bi_table(Interp *I, Args *a, Value *out)
{
    Value names = a->pos[0], rows = a->pos[1];
    if (names.type != VAL_LIST)
        return arg_error(I, a, 0, NULL, "table: column names must be a list of strings, got a %s",
                         val_type_name(names.type));
    const ObjList *nl = (const ObjList *)names.as.obj;
    if (nl->len < 1 || nl->len > 10000)
        return arg_error(I, a, 0, NULL, "table: needs 1 to 10000 column names, got %lld",
                         (long long)nl->len);
    int ncols = (int)nl->len;
    for (int c = 0; c < ncols; c++) {
        if (nl->items[c].type != VAL_STR)
            return arg_error(I, a, 0, NULL, "table: column name %d is a %s, expected a string",
                             c + 1, val_type_name(nl->items[c].type));
        for (int e = 0; e < c; e++)
            if (!strcmp(val_cstr(nl->items[c]), val_cstr(nl->items[e])))
                return arg_error(I, a, 0, NULL, "table: column name \"%s\" appears twice",
                                 val_cstr(nl->items[c]));
    }
    const Tensor *rt = NULL;
    const ObjList *rl = NULL;
    int64_t nrows;
    if (rows.type == VAL_TENSOR) {
        rt = val_ptr(rows);
        char sb[128];
        if (rt->ndim != 2 || rt->shape[1] != ncols)
            return arg_error(I, a, 1, NULL, "table: rows as a tensor must have shape [n, %d] "
                             "(one column per name), got %s", ncols, SHAPESTR(rt, sb));
        nrows = rt->shape[0];
    } else if (rows.type == VAL_LIST) {
        rl = (const ObjList *)rows.as.obj;
        nrows = rl->len;
    } else {
        return arg_error(I, a, 1, NULL, "table: rows must be a list of lists or a 2-D tensor, "
                         "got a %s", val_type_name(rows.type));
    }
    if (nrows > 100000000)
        return arg_error(I, a, 1, NULL, "table: too many rows (%lld)", (long long)nrows);
    char *types = calloc((size_t)ncols + 1, 1);
    const char **cn = calloc((size_t)ncols, sizeof *cn);
    double *num = calloc((size_t)ncols, sizeof *num);
    const char **str = calloc((size_t)ncols, sizeof *str);
    Table *t = NULL;
    int rc = -1;
    RdnErr err = {0};
    if (!types || !cn || !num || !str) {
        rt_error(I, &a->call, "table: out of memory");
        goto done;
    }
    for (int c = 0; c < ncols; c++) {
        cn[c] = val_cstr(nl->items[c]);
        types[c] = 'n';
        if (rl && nrows > 0 && rl->items[0].type == VAL_LIST &&
            ((ObjList *)rl->items[0].as.obj)->len == ncols &&
            ((ObjList *)rl->items[0].as.obj)->items[c].type == VAL_STR)
            types[c] = 's';
    }
    if (!(t = rdn_table_new(ncols, cn, types, &err))) {
        call_error(I, a, &err);
        goto done;
    }
    for (int64_t r = 0; r < nrows; r++) {
        if (rt) {
            for (int c = 0; c < ncols; c++) num[c] = rt->data[r * ncols + c];
        } else {
            Value row = rl->items[r];
            if (row.type != VAL_LIST || ((ObjList *)row.as.obj)->len != ncols) {
                arg_error(I, a, 1, NULL, "table: row %lld must be a list of %d values (one per "
                          "column), got %s", (long long)r + 1, ncols,
                          row.type == VAL_LIST ? "a list of another length" :
                          val_type_name(row.type));
                goto done;
            }
            const ObjList *rw = (const ObjList *)row.as.obj;
            for (int c = 0; c < ncols; c++) {
                Value v = rw->items[c];
                int want_str = types[c] == 's';
                if (v.type == VAL_NIL) {
                    num[c] = NAN;
                    str[c] = "";
                } else if (want_str && v.type == VAL_STR) {
                    str[c] = val_cstr(v);
                } else if (!want_str && (v.type == VAL_NUM || v.type == VAL_BOOL)) {
                    num[c] = v.type == VAL_NUM ? v.as.num : v.as.b;
                } else {
                    arg_error(I, a, 1, NULL, "table: row %lld, column \"%s\": expected a %s "
                              "(as in the first row), got a %s", (long long)r + 1, cn[c],
                              want_str ? "string" : "number", val_type_name(v.type));
                    goto done;
                }
            }
        }
        if (rdn_table_push(t, num, str, &err)) {
            call_error(I, a, &err);
            goto done;
        }
    }
    *out = val_table(t);
    t = NULL;
    rc = 0;
done:
    rdn_table_free(t);
    free(types);
    free(cn);
    free(num);
    free(str);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Operators and indexing (hooks for the evaluator)
 * ------------------------------------------------------------------------------------------- */

static const char *opname(int op)
{
    switch (op) {
    case '+': return "+";
    case '-': return "-";
    case '*': return "*";
    case '/': return "/";
    case '%': return "%";
    case '^': return "^";
    case '@': return "@";
    case 'n': return "-";
    case '<': return "<";
    case '>': return ">";
    case 'l': return "<=";
    case 'g': return ">=";
    case 'e': return "==";
    case '!': return "!=";
    case 'M': return "max";
    case 'm': return "min";
    }
    return "?";
}

static int is_operand(Value v)
{
    return v.type == VAL_TENSOR || v.type == VAL_NUM || v.type == VAL_LIST || v.type == VAL_RANGE;
}

/* 0 ok; else -1 with err (shape errors) or conv (a list that is no tensor) filled. */
static int do_binop(int op, Value a, Value b, Value *out, RdnErr *err, Conv *conv)
{
    Tensor *ta = NULL, *tb = NULL, *owna = NULL, *ownb = NULL, *u = NULL;
    conv->msg[0] = 0;
    if (a.type == VAL_NUM && b.type == VAL_NUM) {
        *out = val_num(rdn_scalar_binop(op, a.as.num, b.as.num));
        return 0;
    }
    if (a.type == VAL_TENSOR) ta = val_ptr(a);
    else if (a.type != VAL_NUM && !(ta = owna = tensor_from(a, conv, err))) return -1;
    if (b.type == VAL_TENSOR) tb = val_ptr(b);
    else if (b.type != VAL_NUM && !(tb = ownb = tensor_from(b, conv, err))) {
        rdn_tensor_free(owna);
        return -1;
    }
    if (op == '@') {
        if (!ta || !tb) {
            snprintf(conv->msg, sizeof conv->msg, "needs two tensors (use '*' to scale by a "
                     "number)");
        } else {
            u = rdn_tensor_matmul(ta, tb, err);
        }
    } else if (ta && tb) {
        u = rdn_tensor_binop(op, ta, tb, err);
    } else if (ta) {
        u = rdn_tensor_binop_scalar(op, ta, b.as.num, 0, err);
    } else {
        u = rdn_tensor_binop_scalar(op, tb, a.as.num, 1, err);
    }
    rdn_tensor_free(owna);
    rdn_tensor_free(ownb);
    if (!u) return -1;
    *out = op == '@' ? boxed(u) : val_tensor(u);
    return 0;
}

static int value_binop(Interp *I, const Args *a, int op, Value x, Value y, Value *out)
{
    for (int i = 0; i < 2; i++) {
        Value v = i ? y : x;
        if (!is_operand(v))
            return arg_error(I, a, i, NULL, "%s: expected numbers or tensors, got a %s",
                             a->bi->name, val_type_name(v.type));
    }
    RdnErr err = {0};
    Conv conv;
    if (do_binop(op, x, y, out, &err, &conv) == 0) return 0;
    if (conv.msg[0]) return arg_error(I, a, -1, NULL, "%s: %s", a->bi->name, conv.msg);
    return rt_error_from(I, &a->call, &err);   /* "'max': shapes ..." names the builtin */
}

int tensor_binop(Interp *I, int op, Value a, Value b, const Span *at, Value *out)
{
    RdnErr err = {0};
    if (op == 'n') {
        if (a.type == VAL_NUM) {
            *out = val_num(-a.as.num);
            return 0;
        }
        if (a.type != VAL_TENSOR)
            return rt_error(I, at, "unary '-' needs a number or tensor, got a %s",
                            val_type_name(a.type));
        Tensor *u = rdn_tensor_map(RDN_F_NEG, val_ptr(a), &err);
        if (!u) return rt_error_from(I, at, &err);
        *out = val_tensor(u);
        return 0;
    }
    if (!is_operand(a) || !is_operand(b))
        return rt_error(I, at, "'%s' cannot combine a %s and a %s (numbers, lists of numbers and "
                        "tensors only)", opname(op), val_type_name(a.type), val_type_name(b.type));
    Conv conv;
    if (do_binop(op, a, b, out, &err, &conv) == 0) return 0;
    if (conv.msg[0]) return rt_error(I, at, "'%s': %s", opname(op), conv.msg);
    return rt_error_from(I, at, &err);
}

/* The whole numbers of a list, range or 1-D tensor of indices for an axis of size n (negative
 * ones counted from the end), into a malloc'd array; -1 with a located error. */
static int index_list(Interp *I, Value v, int d, const Tensor *t, const Span *at, int64_t **out,
                      int64_t *count)
{
    char sb[128];
    int64_t n = t->shape[d];
    Conv c;
    RdnErr err = {0};
    Tensor *it = v.type == VAL_TENSOR ? NULL : tensor_from(v, &c, &err);
    const Tensor *ix = v.type == VAL_TENSOR ? val_ptr(v) : it;
    if (!ix) return rt_error(I, at, "tensor index on axis %d: %s", d, c.msg);
    if (ix->ndim != 1) {
        rdn_tensor_free(it);
        return rt_error(I, at, "a list of indices must be 1-D, got shape %s", SHAPESTR(ix, sb));
    }
    int64_t *idx = malloc((size_t)(ix->size ? ix->size : 1) * sizeof *idx);
    if (!idx) {
        rdn_tensor_free(it);
        return rt_error(I, at, "tensor index: out of memory");
    }
    for (int64_t i = 0; i < ix->size; i++) {
        double x = ix->data[i];
        if (x != floor(x) || x < -(double)n || x >= (double)n) {
            free(idx);
            rdn_tensor_free(it);
            if (x != floor(x))
                return rt_error(I, at, "tensor index must be a whole number, got %g (item %lld "
                                "of the index list)", x, (long long)i);
            return rt_error(I, at, "index %g (item %lld of the index list) is out of range for "
                            "axis %d (size %lld) of a tensor of shape %s", x, (long long)i, d,
                            (long long)n, SHAPESTR(t, sb));
        }
        idx[i] = (int64_t)(x < 0 ? x + (double)n : x);
    }
    *count = ix->size;
    *out = idx;
    rdn_tensor_free(it);
    return 0;
}

int tensor_index(Interp *I, Value tv, int nidx, const Value *idx, const Span *at, Value *out)
{
    if (tv.type != VAL_TENSOR)
        return rt_error(I, at, "cannot index a %s as a tensor", val_type_name(tv.type));
    const Tensor *t = val_ptr(tv);
    char sb[128];
    if (nidx < 1)
        return rt_error(I, at, "a tensor index needs at least one number or range");
    if (nidx > t->ndim)
        return rt_error(I, at, "too many indices (%d) for a tensor of shape %s", nidx,
                        SHAPESTR(t, sb));
    int is_range[RDN_MAX_DIMS], is_list[RDN_MAX_DIMS] = {0};
    int64_t lo[RDN_MAX_DIMS], hi[RDN_MAX_DIMS];
    for (int d = 0; d < nidx; d++) {
        int64_t n = t->shape[d];
        Value v = idx[d];
        if (v.type == VAL_NUM) {
            double x = v.as.num;
            if (x != floor(x) || !isfinite(x))
                return rt_error(I, at, "tensor index must be a whole number, got %g", x);
            if (x < -(double)n || x >= (double)n)
                return rt_error(I, at, "index %g is out of range for axis %d (size %lld) of a "
                                "tensor of shape %s", x, d, (long long)n, SHAPESTR(t, sb));
            is_range[d] = 0;
            lo[d] = (int64_t)(x < 0 ? x + (double)n : x);
            hi[d] = lo[d] + 1;
        } else if (v.type == VAL_RANGE) {
            const ObjRange *r = (const ObjRange *)v.as.obj;
            int64_t a = r->lo < 0 ? r->lo + n : r->lo, b = r->hi < 0 ? r->hi + n : r->hi;
            if (a < 0 || b > n || a > b)
                return rt_error(I, at, "slice %lld..%lld is out of range for axis %d (size %lld) "
                                "of a tensor of shape %s", (long long)r->lo, (long long)r->hi, d,
                                (long long)n, SHAPESTR(t, sb));
            is_range[d] = 1;
            lo[d] = a;
            hi[d] = b;
        } else if (v.type == VAL_LIST || v.type == VAL_TENSOR) {
            /* selected after the slicing, with rdn_tensor_take */
            is_list[d] = 1;
            is_range[d] = 1;
            lo[d] = 0;
            hi[d] = n;
        } else {
            return rt_error(I, at, "a tensor index must be a number, a range (a..b) or a list of "
                            "indices, got a %s", val_type_name(v.type));
        }
    }
    RdnErr err = {0};
    Tensor *u = rdn_tensor_select(t, nidx, is_range, lo, hi, &err);
    if (!u) return rt_error_from(I, at, &err);
    /* each list of indices picks along its own axis, in the result's numbering */
    int axis = 0;
    for (int d = 0; d < nidx; d++) {
        if (is_list[d]) {
            int64_t *ix = NULL, count = 0;
            if (index_list(I, idx[d], d, t, at, &ix, &count)) {
                rdn_tensor_free(u);
                return -1;
            }
            Tensor *w = rdn_tensor_take(u, axis, ix, count, &err);
            free(ix);
            rdn_tensor_free(u);
            if (!w) return rt_error_from(I, at, &err);
            u = w;
        }
        if (is_range[d]) axis++;
    }
    *out = boxed(u);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Printing and members
 * ------------------------------------------------------------------------------------------- */

typedef struct Buf { char *s; size_t len, cap; int oom; } Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...)
{
    if (b->oom) return;
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) return;
    if (b->len + (size_t)need + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + (size_t)need + 1 > cap) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

static char *buf_done(Buf *b)
{
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    if (!b->s) return strdup("");
    return b->s;
}

/* How many entries per axis are printed: all if few, else edge(d) at each end around "...":
 * 3 along the rows and columns of a matrix, 1 along the axes that stack matrices (so a 4-D
 * tensor prints at most 4 matrices of at most 7 rows). */
static int edge(const Tensor *t, int d) { return d < t->ndim - 2 ? 1 : 3; }

static int shown(const Tensor *t, int d, int64_t i)
{
    int64_t n = t->shape[d], e = edge(t, d);
    return n <= 2 * e + 2 || i < e || i >= n - e;
}

/* %.4g, except that every NaN prints as "nan" (glibc shows a NaN with its sign bit as "-nan",
 * and 0/0 makes one) and -0 as "0". */
static void fmt_elem(char *buf, size_t n, float x)
{
    if (isnan(x)) snprintf(buf, n, "nan");
    else if (x == 0) snprintf(buf, n, "0");
    else snprintf(buf, n, "%.4g", (double)x);
}

/* Writes the entries shown (see `shown`) right-aligned to width w, NumPy style; with b NULL it
 * only measures the widest shown entry into *w, visiting no hidden entry. */
static void put_block(Buf *b, const Tensor *t, int d, int64_t off, int *w)
{
    int64_t n = t->shape[d], stride = 1;
    for (int e = d + 1; e < t->ndim; e++) stride *= t->shape[e];
    if (b) put(b, "[");
    for (int64_t i = 0; i < n; i++) {
        if (!shown(t, d, i)) {
            if (b && i == edge(t, d)) {
                if (d == t->ndim - 1) {
                    put(b, "..., ");
                } else {
                    put(b, "...,\n");
                    for (int e = 0; e < t->ndim - d - 2; e++) put(b, "\n");
                    put(b, "%*s", d + 1, "");
                }
            }
            i = n - edge(t, d) - 1;   /* straight to the tail */
            continue;
        }
        if (d == t->ndim - 1) {
            char buf[64];
            fmt_elem(buf, sizeof buf, t->data[off + i]);
            if (b) put(b, "%*s", *w, buf);
            else if ((int)strlen(buf) > *w) *w = (int)strlen(buf);
        } else {
            put_block(b, t, d + 1, off + i * stride, w);
        }
        if (b && i < n - 1) {
            if (d == t->ndim - 1) {
                put(b, ", ");
            } else {
                put(b, ",\n");
                for (int e = 0; e < t->ndim - d - 2; e++) put(b, "\n");
                put(b, "%*s", d + 1, "");
            }
        }
    }
    if (b) put(b, "]");
}

static char *tensor_repr(Value v)
{
    const Tensor *t = val_ptr(v);
    char sb[128];
    Buf b = {0};
    put(&b, "tensor %s float32\n", SHAPESTR(t, sb));
    if (t->ndim == 0) {
        char buf[64];
        fmt_elem(buf, sizeof buf, t->data[0]);
        put(&b, "%s", buf);
    } else if (t->size == 0) {
        put(&b, "[]");
    } else {
        int w = 1;
        put_block(NULL, t, 0, 0, &w);
        put_block(&b, t, 0, 0, &w);
    }
    return buf_done(&b);
}

static Value shape_list(const Tensor *t)
{
    Value l = val_list(t->ndim);
    for (int d = 0; d < t->ndim; d++) val_list_push(l, val_num((double)t->shape[d]));
    return l;
}

static int tensor_get(Interp *I, Value self, const char *m, const Span *at, Value *out)
{
    const Tensor *t = val_ptr(self);
    if (!strcmp(m, "shape")) *out = shape_list(t);
    else if (!strcmp(m, "ndim")) *out = val_num(t->ndim);
    else if (!strcmp(m, "size")) *out = val_num((double)t->size);
    else if (!strcmp(m, "dtype")) *out = val_str("float32");
    else if (!strcmp(m, "T")) {
        RdnErr err = {0};
        Tensor *u = rdn_tensor_transpose(t, &err);
        if (!u) return rt_error_from(I, at, &err);
        *out = val_tensor(u);
    } else return 1;
    return 0;
}

const TypeOps OPS_TENSOR = {VAL_TENSOR, "tensor", "shape ndim size dtype T", tensor_repr,
                            tensor_get, 0};

enum { TABLE_SHOW_ROWS = 20 };

static char *table_repr(Value v)
{
    const Table *t = val_ptr(v);
    Buf b = {0};
    if (t->is_history)
        put(&b, "history: %d epoch%s\n", t->nrows, t->nrows == 1 ? "" : "s");
    else
        put(&b, "table: %d row%s x %d column%s\n", t->nrows, t->nrows == 1 ? "" : "s", t->ncols,
            t->ncols == 1 ? "" : "s");
    char *body = rdn_table_format(t, TABLE_SHOW_ROWS);
    if (!body) {
        free(b.s);
        return NULL;
    }
    /* each line without the padding that ends lines whose last column is left-aligned text,
     * and no newline after the last */
    int first = 1;
    for (char *line = body; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        size_t e = len;
        while (e && line[e - 1] == ' ') e--;
        put(&b, "%s%.*s", first ? "" : "\n", (int)e, line);
        first = 0;
        line += len + (nl ? 1 : 0);
    }
    free(body);
    if (t->is_history && t->changes && t->changes->nrows)
        put(&b, "\n(%d depth change%s: see .changes)", t->changes->nrows,
            t->changes->nrows == 1 ? "" : "s");
    return buf_done(&b);
}

static int table_get(Interp *I, Value self, const char *m, const Span *at, Value *out)
{
    const Table *t = val_ptr(self);
    if (!strcmp(m, "columns")) {
        Value l = val_list(t->ncols);
        for (int c = 0; c < t->ncols; c++) val_list_push(l, val_str(t->cols[c].name));
        *out = l;
        return 0;
    }
    if (!strcmp(m, "nrows")) {
        *out = val_num(t->nrows);
        return 0;
    }
    if (!strcmp(m, "ncols")) {
        *out = val_num(t->ncols);
        return 0;
    }
    if (!strcmp(m, "changes")) {
        if (!t->changes) {
            *out = VNIL;
            return 0;
        }
        RdnErr err = {0};
        Table *c = rdn_table_copy(t->changes, &err);
        if (!c) return rt_error_from(I, at, &err);
        *out = val_table(c);
        return 0;
    }
    int c = rdn_table_col(t, m);
    if (c < 0) return 1;
    const TableCol *col = &t->cols[c];
    if (col->is_str) {
        Value l = val_list(t->nrows);
        for (int r = 0; r < t->nrows; r++) val_list_push(l, val_str(col->str[r]));
        *out = l;
        return 0;
    }
    RdnErr err = {0};
    int64_t n = t->nrows;
    Tensor *u = rdn_tensor_new(1, &n, &err);
    if (!u) return rt_error_from(I, at, &err);
    for (int r = 0; r < t->nrows; r++) u->data[r] = (float)col->num[r];
    *out = val_tensor(u);
    return 0;
}

const TypeOps OPS_TABLE = {VAL_TABLE, "table", "columns nrows ncols changes", table_repr,
                           table_get, 0};

/* ---------------------------------------------------------------------------------------------
 * The table
 * ------------------------------------------------------------------------------------------- */

#define AXIS_DOC                                                                                 \
    "Without `axis:` the whole tensor is reduced to a number; with `axis: k` (negative counts "   \
    "from the end: -1 is the last axis) that axis is reduced and removed: for an [n, d] tensor "  \
    "`axis: 0` gives [d] (one value per column), `axis: 1` gives [n] (one per row). A result "     \
    "with no axes left is a number. Lists of numbers are accepted as 1-D tensors. "

#define MAP_DOC(what, formula, ex)                                                               \
    what " of every element: " formula ". Takes a number (gives a number) or a tensor (gives a " \
    "tensor of the same shape, computed in double and rounded to float32).\n\nExample: `" ex "`"

const Builtin BI_TENSOR[] = {
    {"tensor", bi_tensor, 1, 1, "", "tensor(nested_list)",
     "A float32 tensor from a number (0-d), a list of numbers (1-D), a list of equal-length lists "
     "(2-D), and so on up to 4 dimensions; a range gives its numbers, and lists of tensors of one "
     "shape are stacked along a new first axis. Ragged lists are an error naming the first "
     "offending item. Tensors are values: every operation returns a new tensor.\n\n"
     "Example: `w = tensor([[1, 2], [3, 4]])`"},
    {"zeros", bi_zeros, 1, -1, "", "zeros(n, ...)",
     "A tensor of zeros of the given sizes (1 to 4 whole numbers >= 0, or one list of them such "
     "as another tensor's `.shape`).\n\nExample: `h = zeros(100, 2)`"},
    {"ones", bi_ones, 1, -1, "", "ones(n, ...)",
     "A tensor of ones of the given sizes (as for `zeros`).\n\nExample: `b = ones(10)`"},
    {"full", bi_full, 1, -1, "value", "full(n, ..., value: 0)",
     "A tensor of the given sizes (as for `zeros`) with every element `value` (default 0).\n\n"
     "Example: `full(3, 3, value: 0.5)`"},
    {"eye", bi_eye, 1, 1, "", "eye(n)",
     "The n x n identity matrix.\n\nExample: `jacobian(net, h) - eye(2)`"},
    {"randn", bi_randn, 1, -1, "mean std", "randn(n, ..., mean: 0, std: 1)",
     "A tensor of the given sizes (as for `zeros`) with independent normal draws N(mean, std^2) "
     "from the script's seeded generator (see `seed`), in C order.\n\n"
     "Example: `x = randn(500, 2, std: 0.1)`"},
    {"rand", bi_rand, 1, -1, "lo hi", "rand(n, ..., lo: 0, hi: 1)",
     "A tensor of the given sizes (as for `zeros`) with independent uniform draws from [lo, hi) "
     "from the script's seeded generator.\n\nExample: `u = rand(10, lo: -1, hi: 1)`"},
    {"linspace", bi_linspace, 2, 3, "n", "linspace(a, b, n: 50)",
     "A 1-D tensor of n evenly spaced numbers from a to b, both included: a + (b - a) i / (n - 1) "
     "for i = 0 .. n-1 (n = 1 gives [a]).\n\nExample: `sigmas = linspace(0, 0.5, 6)`"},
    {"sum", bi_sum, 1, 1, "axis", "sum(t, axis:)",
     "The sum of the elements, accumulated in double. " AXIS_DOC "An empty tensor sums to 0.\n\n"
     "Example: `sum(tensor([[1, 2], [3, 4]]), axis: 0)` gives the tensor [4, 6]"},
    {"mean", bi_mean, 1, 1, "axis", "mean(t, axis:)",
     "The arithmetic mean of the elements (sum in double / count). " AXIS_DOC
     "The mean of nothing is an error.\n\nExample: `mean(x, axis: 0)` (the mean input of x [n, d])"},
    {"min", bi_min, 1, 2, "axis", "min(t, axis:) or min(a, b)",
     "The smallest element. " AXIS_DOC "NaN is propagated (a tensor holding NaN has min NaN). "
     "With two arguments (numbers or tensors, broadcast as for `+`): the element-wise minimum.\n\n"
     "Example: `min(h.loss)`, `min(x, 0)`"},
    {"max", bi_max, 1, 2, "axis", "max(t, axis:) or max(a, b)",
     "The largest element. " AXIS_DOC "NaN is propagated. With two arguments (numbers or tensors, "
     "broadcast as for `+`): the element-wise maximum.\n\nExample: `max(h.val_acc)`, "
     "`max(x, 0)` (= relu)"},
    {"argmax", bi_argmax, 1, 1, "axis", "argmax(t, axis:)",
     "The index of the largest element (the first one on ties, the first NaN if any). Without "
     "`axis:` the flat index into the tensor in C order; with `axis: k` a tensor of indices along "
     "axis k (as float32 numbers), e.g. `argmax(scores, axis: 1)` is the predicted class of each "
     "row.\n\nExample: `argmax(tensor([3, 9, 2]))` is 1"},
    {"argmin", bi_argmin, 1, 1, "axis", "argmin(t, axis:)",
     "The index of the smallest element; as `argmax` otherwise.\n\n"
     "Example: `argmin(h.val_loss)` (the best epoch)"},
    {"var", bi_var, 1, 1, "axis ddof", "var(t, axis:, ddof: 0)",
     "The variance: sum of (x - mean)^2 / (count - ddof), two passes in double; `ddof: 0` "
     "(default) is the population variance, `ddof: 1` the unbiased sample variance. " AXIS_DOC
     "\n\nExample: `var(tensor([1, 2, 3, 4]))` is 1.25"},
    {"std", bi_std, 1, 1, "axis ddof", "std(t, axis:, ddof: 0)",
     "The standard deviation, sqrt(var(t, axis:, ddof:)) (see `var`). " AXIS_DOC
     "\n\nExample: `print(mean(accs), \"+-\", std(accs, ddof: 1))`"},
    {"cumsum", bi_cumsum, 1, 1, "axis", "cumsum(t, axis:)",
     "Running sums, accumulated in double: element i is x[0] + ... + x[i]. Without `axis:` over "
     "the flattened tensor (a 1-D result); with `axis: k` along axis k (same shape).\n\n"
     "Example: `cumsum(residual_norms(rec), axis: 1)`"},
    {"sort", bi_sort, 1, 1, "axis", "sort(t, axis: -1)",
     "The elements in ascending order along an axis (default the last: each row of a matrix is "
     "sorted); NaN sorts after every number. A list of numbers gives a 1-D tensor.\n\n"
     "Example: `sort(accs)[-1]` (the best)"},
    {"argsort", bi_argsort, 1, 1, "axis", "argsort(t, axis: -1)",
     "The positions that sort t along an axis (default the last), as float32 numbers: `t[argsort(t)]` "
     "of a vector is `sort(t)`. Stable (ties keep their order); NaN last.\n\n"
     "Example: `worst = argsort(losses)[-5..len(losses)]`"},
    {"concat", bi_concat, 1, -1, "axis", "concat(a, b, ..., axis: 0)",
     "The tensors joined along an existing axis (default 0, negative counts from the end); their "
     "other sizes must agree. Takes the tensors as arguments or as one list; lists of numbers "
     "count as 1-D tensors. To stack along a new axis use `tensor([a, b])`.\n\n"
     "Example: `concat(x_train, x_extra)`, `concat(a, b, axis: 1)`"},
    {"transpose", bi_transpose, 1, 1, "", "transpose(t)",
     "The transpose of a 2-D tensor ([m, n] -> [n, m]); a 1-D or 0-d tensor is returned "
     "unchanged; 3-D and 4-D tensors get their axes reversed.\n\nExample: `transpose(W) @ x`"},
    {"reshape", bi_reshape, 2, -1, "", "reshape(t, n, ...)",
     "The same elements (in C order) with another shape of the same size: 1 to 4 sizes, or one "
     "list of them; one size may be -1 and is then inferred.\n\n"
     "Example: `reshape(x, -1, 28, 28)`"},
    {"norm", bi_norm, 1, 1, "", "norm(t)",
     "The L2 norm of a vector, the Frobenius norm of a matrix: sqrt(sum of x^2) over every "
     "element, accumulated in double.\n\nExample: `norm(a - b) / norm(b)`"},
    {"all", bi_all, 1, 1, "", "all(t)",
     "true if every element is nonzero (an empty tensor: true). Comparisons give 0/1 tensors, so "
     "`all(a == b)` asks whether two tensors are equal and `all(abs(a - b) < 1e-6)` whether they "
     "are close. A tensor in `if` is not tested element by element: use `all` or `any`.\n\n"
     "Example: `assert(all(p >= 0))`"},
    {"any", bi_any, 1, 1, "", "any(t)",
     "true if some element is nonzero (an empty tensor: false); NaN counts as nonzero, so "
     "`any(x != x)` finds NaNs.\n\nExample: `if any(h.loss != h.loss) { print(\"diverged\") }`"},
    {"numel", bi_numel, 1, 1, "", "numel(t)",
     "The number of elements (the product of the shape; the same as `t.size`).\n\n"
     "Example: `numel(zeros(3, 4))` is 12"},
    {"abs", bi_abs, 1, 1, "", "abs(x)", MAP_DOC("Absolute value", "|x|", "abs(a - b)")},
    {"sqrt", bi_sqrt, 1, 1, "", "sqrt(x)",
     MAP_DOC("Square root", "sqrt(x) (NaN for negative x)", "sqrt(sum(x ^ 2, axis: 1))")},
    {"exp", bi_exp, 1, 1, "", "exp(x)", MAP_DOC("Exponential", "e^x", "exp(-t / 10)")},
    {"log", bi_log, 1, 1, "", "log(x)",
     MAP_DOC("Natural logarithm", "ln x (-inf at 0, NaN for negative x)", "log(residual_norms(rec))")},
    {"sigmoid", bi_sigmoid, 1, 1, "", "sigmoid(x)",
     MAP_DOC("Logistic function", "1 / (1 + e^-x), computed without overflow for large |x|",
             "sigmoid(tensor([-1, 0, 1]))")},
    {"tanh", bi_tanh, 1, 1, "", "tanh(x)", MAP_DOC("Hyperbolic tangent", "tanh x", "tanh(W @ h + b)")},
    {"relu", bi_relu, 1, 1, "", "relu(x)",
     MAP_DOC("Rectifier", "max(x, 0) (NaN stays NaN)", "relu(W @ h + b)")},
    {"sign", bi_sign, 1, 1, "", "sign(x)",
     MAP_DOC("Sign", "1 for x > 0, -1 for x < 0, 0 for 0 (NaN stays NaN)", "sign(delta)")},
    {"clip", bi_clip, 1, 3, "lo hi", "clip(x, lo: -inf, hi: inf)",
     "Every element limited to [lo, hi]: min(max(x, lo), hi); NaN stays NaN. Takes a number or a "
     "tensor; lo and hi may be given by position.\n\nExample: `clip(x, lo: 0, hi: 1)`"},
    {"to_list", bi_to_list, 1, 1, "", "to_list(t)",
     "The elements as (nested) lists of numbers, one level per dimension; a 0-d tensor gives a "
     "number.\n\nExample: `to_list(tensor([[1, 2], [3, 4]]))` is `[[1, 2], [3, 4]]`"},
    {"table", bi_table, 2, 2, "", "table(names, rows)",
     "A table with the given column names (a list of strings) and rows: a list of lists with one "
     "value per column, or a 2-D tensor [n, columns]. A column holds numbers or strings, as its "
     "first row does; nil is a missing value. Tables print as aligned columns, have members "
     "`columns`, `nrows`, `ncols` and every column by name (numbers as a 1-D tensor, strings as "
     "a list), and are what `write_csv` writes.\n\n"
     "Example: `write_csv(table([\"depth\", \"acc\"], results), \"depth.csv\")`"},
    {0},
};
