/* builtins.c: the registry: every area's table, concatenated in a fixed order, and the TypeOps
 * of each domain type. The REPL's help and completion and docs/reference.md read from here. */
#include <string.h>
#include "builtin.h"

static const Builtin *const TABLES[] = {BI_CORE, BI_TENSOR, BI_MATH, BI_TABLE, BI_DATA, BI_NET,
                                         BI_DYN, BI_CSV, BI_PLOT, BI_ADAPT};
enum { NTABLES = sizeof TABLES / sizeof TABLES[0] };

const Builtin *builtin_at(int i)
{
    if (i < 0) return NULL;
    for (int t = 0; t < NTABLES; t++)
        for (const Builtin *b = TABLES[t]; b->name; b++)
            if (i-- == 0) return b;
    return NULL;
}

const Builtin *builtin_find(const char *name)
{
    for (int t = 0; t < NTABLES; t++)
        for (const Builtin *b = TABLES[t]; b->name; b++)
            if (strcmp(b->name, name) == 0) return b;
    return NULL;
}

const TypeOps *typeops_for(ValType t)
{
    switch (t) {
    case VAL_TENSOR: return &OPS_TENSOR;
    case VAL_TABLE: return &OPS_TABLE;
    case VAL_DATASET: return &OPS_DATASET;
    case VAL_NET: return &OPS_NET;
    case VAL_RECORDING: return &OPS_RECORDING;
    case VAL_ADAPT: return &OPS_ADAPT;
    default: return NULL;
    }
}
