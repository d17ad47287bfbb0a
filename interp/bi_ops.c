/* bi_ops.c: the operators on numbers and tensors (+ - * / % ^ @, comparisons, unary minus):
 * the evaluator's tensor_binop hook and value_binop, which min(a, b) and max(a, b) share. */
#include <stdio.h>
#include "bi_tensor.h"
#include "builtin.h"
#include "interp.h"
#include "tensor.h"
#include "tensor_ops.h"

static int is_operand(Value v)
{
    return v.type == VAL_TENSOR || v.type == VAL_NUM || v.type == VAL_LIST || v.type == VAL_RANGE;
}

/* 0 ok; else -1 with err (shape errors) or conv (a list that is no tensor) filled. */
static int do_binop(RdnOp op, Value a, Value b, Value *out, RdnErr *err, Conv *conv)
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
    if (op == RDN_OP_MATMUL) {
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
    /* comparisons give masks; m1 * m2 and min(m1, m2) are "and", max(m1, m2) is "or" (read
     * before the converted operands, which ta/tb may be, are freed) */
    int mask = rdn_op_is_compare(op) ||
               (ta && tb && ta->is_mask && tb->is_mask &&
                (op == RDN_OP_MUL || op == RDN_OP_MIN || op == RDN_OP_MAX));
    rdn_tensor_free(owna);
    rdn_tensor_free(ownb);
    if (!u) return -1;
    if (mask) u->is_mask = 1;
    *out = op == RDN_OP_MATMUL ? boxed(u) : val_tensor(u);
    return 0;
}

int value_binop(Interp *I, const Args *a, RdnOp op, Value x, Value y, Value *out)
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

int tensor_binop(Interp *I, RdnOp op, Value a, Value b, const Span *at, Value *out)
{
    RdnErr err = {0};
    if (op == RDN_OP_NEG) {
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
                        "tensors only)", rdn_op_name(op), val_type_name(a.type), val_type_name(b.type));
    Conv conv;
    if (do_binop(op, a, b, out, &err, &conv) == 0) return 0;
    if (conv.msg[0]) return rt_error(I, at, "'%s': %s", rdn_op_name(op), conv.msg);
    return rt_error_from(I, at, &err);
}

