/* stub_ops.c: TypeOps and hooks not yet provided by their area. Each area's owner deletes the
 * matching definition here when its bi_*.c defines it. */
#include "builtin.h"
#include "interp.h"

const TypeOps OPS_TENSOR = {VAL_TENSOR, "tensor", "", 0, 0, 0};
const TypeOps OPS_TABLE = {VAL_TABLE, "table", "", 0, 0, 0};
const TypeOps OPS_DATASET = {VAL_DATASET, "dataset", "", 0, 0, 0};
const TypeOps OPS_NET = {VAL_NET, "net", "", 0, 0, 0};
const TypeOps OPS_RECORDING = {VAL_RECORDING, "recording", "", 0, 0, 0};
const TypeOps OPS_ADAPT = {VAL_ADAPT, "adaptive", "", 0, 0, 0};

int tensor_binop(Interp *I, int op, Value a, Value b, const Span *at, Value *out)
{
    return rt_error(I, at, "tensor operators are not available yet");
}

int tensor_index(Interp *I, Value t, int nidx, const Value *idx, const Span *at, Value *out)
{
    return rt_error(I, at, "tensor indexing is not available yet");
}

int manifest_finish(Interp *I) { return 0; }
int manifest_verify(const char *manifest_path, const char *rdn_exe, int quiet) { return 2; }
