/* bi_io.c: bindings for the io builtins (placeholder table until the area lands). */
#include "builtin.h"
#include "interp.h"

const Builtin BI_IO[] = {
    {0},
};
