/* stub_tensor.c: placeholder until its area lands; the area's owner deletes this file. */
#include "builtin.h"
#include "interp.h"

const TypeOps OPS_TENSOR = {VAL_TENSOR, "tensor", "", 0, 0, 0};
const TypeOps OPS_TABLE = {VAL_TABLE, "table", "", 0, 0, 0};

int tensor_binop(Interp *I, int op, Value a, Value b, const Span *at, Value *out)
{
    return rt_error(I, at, "tensor operators are not available yet");
}

int tensor_index(Interp *I, Value t, int nidx, const Value *idx, const Span *at, Value *out)
{
    return rt_error(I, at, "tensor indexing is not available yet");
}
