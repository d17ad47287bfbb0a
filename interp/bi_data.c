/* bi_data.c: bindings for the data builtins (placeholder table until the area lands). */
#include "builtin.h"
#include "interp.h"

const Builtin BI_DATA[] = {
    {0},
};
