/* bi_tensor.c: tensors as values: reading values as tensors (lists, ranges, numbers; the
 * helpers every tensor builtin uses, declared in bi_tensor.h), the builtins that make and
 * reshape tensors (tensor, zeros, randn, concat, reshape, to_list, ...), indexing (the
 * evaluator's t[i, j] hook) and the tensor members (.shape, .T, ...). Reductions and
 * element-wise functions are bi_math.c, operators bi_ops.c, printing bi_print.c, tables
 * bi_table.c; the arithmetic itself is runtime/tensor_ops.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bi_tensor.h"
#include "builtin.h"
#include "interp.h"
#include "tensor.h"
#include "tensor_ops.h"

static void destroy_tensor(void *p) { rdn_tensor_free(p); }

Value val_tensor(struct Tensor *t) { return val_box(VAL_TENSOR, t, destroy_tensor); }

/* A result: 0-d tensors become numbers (sum(v, axis: 0) of a vector, v @ v, t[i, j]). */
Value boxed(Tensor *t)
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
Tensor *tensor_from(Value v, Conv *c, RdnErr *err)
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

int readable_as_tensor(Value v)
{
    return v.type == VAL_TENSOR || v.type == VAL_LIST || v.type == VAL_RANGE ||
           v.type == VAL_NUM || v.type == VAL_BOOL;
}

/* Reads positional argument pos as a tensor: *t borrowed from a tensor value, or converted and
 * then owned by *own (free it with rdn_tensor_free). */
int arg_tensor(Interp *I, const Args *a, int pos, Tensor **t, Tensor **own)
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
int arg_shape(Interp *I, const Args *a, int from, int allow_minus1, int *ndim,
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
int arg_axis(Interp *I, const Args *a, const Tensor *t, int *has, int *axis)
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
    if (!(*t = rdn_tensor_new(ndim, shape, &err))) return rt_error_call(I, a, &err);
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
    if (!t) return rt_error_call(I, a, &err);
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
    if (!t) return rt_error_call(I, a, &err);
    *out = val_tensor(t);
    return 0;
}


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
    if (!u) return rt_error_call(I, a, &err);
    u->is_mask = t->is_mask;
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
    if (u) u->is_mask = t->is_mask;
    rdn_tensor_free(own);
    if (!u) {
        /* the runtime's message already starts with "reshape: " */
        return rt_error_from(I, &a->call, &err);
    }
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

/* ---------------------------------------------------------------------------------------------
 * Indexing (the evaluator's hook)
 * ------------------------------------------------------------------------------------------- */

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

/* t[m] with m a boolean mask (a comparison's result) of t's shape: the elements where m is true,
 * in order, as a 1-D tensor (x[x > 25]). */
static int mask_select(Interp *I, const Tensor *t, const Tensor *m, const Span *at, Value *out)
{
    char sa[128], sb[128];
    int same = m->ndim == t->ndim;
    for (int d = 0; same && d < t->ndim; d++) same = m->shape[d] == t->shape[d];
    if (!same)
        return rt_error(I, at, "a mask selects from a tensor of its own shape: the mask is %s, "
                        "the tensor %s", SHAPESTR(m, sa), SHAPESTR(t, sb));
    int64_t n = 0;
    for (int64_t i = 0; i < m->size; i++) n += m->data[i] != 0;
    RdnErr err = {0};
    Tensor *u = rdn_tensor_new(1, &n, &err);
    if (!u) return rt_error_from(I, at, &err);
    int64_t k = 0;
    for (int64_t i = 0; i < m->size; i++)
        if (m->data[i] != 0) u->data[k++] = t->data[i];
    *out = val_tensor(u);
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
    if (nidx == 1 && idx[0].type == VAL_TENSOR && ((const Tensor *)val_ptr(idx[0]))->is_mask)
        return mask_select(I, t, val_ptr(idx[0]), at, out);
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
    u->is_mask = t->is_mask;   /* a part of a mask is a mask */
    *out = boxed(u);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Members
 * ------------------------------------------------------------------------------------------- */

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
    else if (!strcmp(m, "dtype")) *out = val_str(t->is_mask ? "bool" : "float32");
    else if (!strcmp(m, "T")) {
        RdnErr err = {0};
        Tensor *u = rdn_tensor_transpose(t, &err);
        if (!u) return rt_error_from(I, at, &err);
        u->is_mask = t->is_mask;
        *out = val_tensor(u);
    } else return 1;
    return 0;
}

const TypeOps OPS_TENSOR = {VAL_TENSOR, "tensor", "shape ndim size dtype T", tensor_repr,
                            tensor_get, 0};


/* ---------------------------------------------------------------------------------------------
 * The table
 * ------------------------------------------------------------------------------------------- */

const Builtin BI_TENSOR[] = {
    {"tensor", bi_tensor, 1, 1, "", "tensor(nested_list)",
     "A float32 tensor from a number (0-d), a list of numbers (1-D), a list of equal-length lists "
     "(2-D), and so on up to 4 dimensions; a range gives its numbers, and lists of tensors of one "
     "shape are stacked along a new first axis. Ragged lists are an error naming the first "
     "offending item. Tensors are values: every operation returns a new tensor. Indexing: "
     "`t[i]`, `t[i, j]`, `t[a..b]`, a list of indices, or a boolean mask of t's shape (a "
     "comparison: `x[x > 25]` is the 1-D tensor of the elements where it holds).\n\n"
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
    {"numel", bi_numel, 1, 1, "", "numel(t)",
     "The number of elements (the product of the shape; the same as `t.size`).\n\n"
     "Example: `numel(zeros(3, 4))` is 12"},
    {"to_list", bi_to_list, 1, 1, "", "to_list(t)",
     "The elements as (nested) lists of numbers, one level per dimension; a 0-d tensor gives a "
     "number.\n\nExample: `to_list(tensor([[1, 2], [3, 4]]))` is `[[1, 2], [3, 4]]`"},
    {0},
};
