/* bi_net.c: bindings for the net builtins (placeholder table until the area lands). */
#include "builtin.h"
#include "interp.h"

const Builtin BI_NET[] = {
    {0},
};
