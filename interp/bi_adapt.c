/* bi_adapt.c: bindings for the adapt builtins (placeholder table until the area lands). */
#include "builtin.h"
#include "interp.h"

const Builtin BI_ADAPT[] = {
    {0},
};
