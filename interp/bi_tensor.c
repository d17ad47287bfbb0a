/* bi_tensor.c: bindings for the tensor builtins (placeholder table until the area lands). */
#include "builtin.h"
#include "interp.h"

const Builtin BI_TENSOR[] = {
    {0},
};
