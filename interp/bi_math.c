/* bi_math.c: the numeric builtins over tensors: reductions (sum, mean, min, var, ...), lane-wise
 * operations (cumsum, sort, argsort), truth tests (all, any), norm and the element-wise
 * functions (abs, exp, sigmoid, clip, ...). The arithmetic is runtime/tensor_ops.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bi_tensor.h"
#include "builtin.h"
#include "interp.h"
#include "tensor.h"
#include "tensor_ops.h"

static int reduce(Interp *I, Args *a, int op, Value *out)
{
    Tensor *t, *own;
    if (a->npos >= 1 && a->pos[0].type == VAL_BOOL)   /* sum(false) is a mistake, not 0 */
        return arg_error(I, a, 0, NULL, "%s: expected a tensor or a list of numbers, got a bool",
                         a->bi->name);
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

static int minmax(Interp *I, Args *a, int rop, RdnOp bop, Value *out)
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

static int bi_min(Interp *I, Args *a, Value *out) { return minmax(I, a, RDN_R_MIN, RDN_OP_MIN, out); }
static int bi_max(Interp *I, Args *a, Value *out) { return minmax(I, a, RDN_R_MAX, RDN_OP_MAX, out); }

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
    if (!u) return rt_error_call(I, a, &err);
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
    if (!u) return rt_error_call(I, a, &err);
    *out = val_tensor(u);
    return 0;
}

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

const Builtin BI_MATH[] = {
    {"sum", bi_sum, 1, 1, "axis", "sum(t, axis:)",
     "The sum of the elements, accumulated in double. " AXIS_DOC "An empty tensor sums to 0; "
     "a bool is an error (`sum(x > 0)` counts the elements of a mask).\n\n"
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
    {"norm", bi_norm, 1, 1, "", "norm(t)",
     "The L2 norm of a vector, the Frobenius norm of a matrix: sqrt(sum of x^2) over every "
     "element, accumulated in double.\n\nExample: `norm(a - b) / norm(b)`"},
    {"all", bi_all, 1, 1, "", "all(t)",
     "true if every element is nonzero (an empty tensor: true). Comparisons give boolean masks, so "
     "`all(a == b)` asks whether two tensors are equal and `all(abs(a - b) < 1e-6)` whether they "
     "are close. A tensor in `if` is not tested element by element: use `all` or `any`.\n\n"
     "Example: `assert(all(p >= 0))`"},
    {"any", bi_any, 1, 1, "", "any(t)",
     "true if some element is nonzero (an empty tensor: false); NaN counts as nonzero, so "
     "`any(x != x)` finds NaNs.\n\nExample: `if any(h.loss != h.loss) { print(\"diverged\") }`"},
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
    {0},
};
