/* builtins.c: the registry: every area's table, concatenated in a fixed order, and the TypeOps
 * of each domain type. The REPL's help and completion and docs/reference.md read from here. */
#include <stdlib.h>
#include <string.h>
#include "builtin.h"

static const Builtin *const TABLES[] = {BI_CORE, BI_LIST, BI_TENSOR, BI_MATH, BI_TABLE, BI_DATA,
                                         BI_NET, BI_DYN, BI_CSV, BI_PLOT, BI_ADAPT, BI_STUDY, BI_TRAIN};
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

int rt_box(Interp *I, const Args *a, ValType type, void *p, const RdnErr *err, Value *out)
{
    if (!p) return rt_error_call(I, a, err);
    switch (type) {
    case VAL_TENSOR: *out = val_tensor(p); break;
    case VAL_TABLE: *out = val_table(p); break;
    case VAL_DATASET: *out = val_dataset(p); break;
    case VAL_NET: *out = val_net(p); break;
    default: abort();   /* a programming error: no such boxing */
    }
    return 0;
}

/* next[t][i]: the next row with the name of row i of table t (computed once: the tables are
 * constant), so that a call pays one lookup for the question "is this name overloaded?". */
static const Builtin **next_rows[NTABLES];
static int table_len[NTABLES];

static int indexed;

/* The next row after row i of table t with the same name, by search. */
static const Builtin *find_next(int t, int i)
{
    const Builtin *b = &TABLES[t][i];
    for (int u = t; u < NTABLES; u++)
        for (int j = u == t ? i + 1 : 0; j < table_len[u]; j++)
            if (strcmp(TABLES[u][j].name, b->name) == 0) return &TABLES[u][j];
    return NULL;
}

/* Without memory for the index, lookups search instead (slower, same answers). */
static void index_overloads(void)
{
    for (int t = 0; t < NTABLES; t++) {
        table_len[t] = 0;
        while (TABLES[t][table_len[t]].name) table_len[t]++;
    }
    for (int t = 0; t < NTABLES; t++) {
        next_rows[t] = calloc((size_t)table_len[t] + 1, sizeof *next_rows[t]);
        for (int i = 0; next_rows[t] && i < table_len[t]; i++) next_rows[t][i] = find_next(t, i);
    }
    indexed = 1;
}

const Builtin *builtin_next_same(const Builtin *b)
{
    if (!indexed) index_overloads();
    for (int t = 0; t < NTABLES; t++)
        if (b >= TABLES[t] && b < TABLES[t] + table_len[t])
            return next_rows[t] ? next_rows[t][b - TABLES[t]] : find_next(t, (int)(b - TABLES[t]));
    return NULL;
}

const Builtin *builtin_dispatch(const Builtin *b, Value first, int has_first)
{
    const Builtin *any = NULL;
    for (const Builtin *r = b; r; r = builtin_next_same(r)) {
        if (r->on == 0) {
            if (!any) any = r;
        } else if (has_first && (r->on & ON(first.type))) {
            return r;
        }
    }
    return any ? any : has_first ? NULL : b;
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
    case VAL_SCHEDULE: return &OPS_SCHEDULE;
    case VAL_STOPPER: return &OPS_STOPPER;
    default: return NULL;
    }
}
