/* bi_dyn.c: bindings for the dyn builtins (placeholder table until the area lands). */
#include "builtin.h"
#include "interp.h"

const Builtin BI_DYN[] = {
    {0},
};
