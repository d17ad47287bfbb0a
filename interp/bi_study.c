/* bi_study.c: report(NAME: value, ...), the named results of a run. They go into the run's
 * manifest ("results"), where `rdn sweep` gathers them into sweep.csv and summary.csv; nothing is
 * printed. Numbers are kept as the doubles they are (the manifest writes them exactly). */
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "interp.h"
#include "sweep.h"

static int bi_report(Interp *I, Args *a, Value *out)
{
    if (a->nkw == 0)
        return rt_error(I, &a->call, "report: give results as NAME: value (e.g. report(acc: a, "
                                     "loss: l))");
    for (int i = 0; i < a->nkw; i++) {
        Value v = a->kw[i];
        if (v.type != VAL_NUM && v.type != VAL_STR && v.type != VAL_BOOL)
            return arg_error(I, a, -1, a->kw_name[i], "report: '%s' is a %s; results are numbers, "
                             "strings or booleans", a->kw_name[i], val_type_name(v.type));
        const char *grid = getenv("RDN_SWEEP_GRID");     /* set by rdn sweep for its runs */
        char why[400];
        if (grid && sweep_column_clash(a->kw_name[i], grid, why, sizeof why))
            return arg_error(I, a, -1, a->kw_name[i], "report: %s; report it under another name",
                             why);
    }
    for (int i = 0; i < a->nkw; i++) {
        int k = 0;
        while (k < I->nresults && strcmp(I->results[k].name, a->kw_name[i]) != 0) k++;
        if (k == I->nresults) {
            Param *r = realloc(I->results, sizeof *r * (size_t)(I->nresults + 1));
            if (!r) abort();
            I->results = r;
            r[k].name = strdup(a->kw_name[i]);
            if (!r[k].name) abort();
            r[k].value = VNIL;
            I->nresults++;
        }
        val_decref(I->results[k].value);        /* a name reported again: the last value wins */
        val_incref(a->kw[i]);
        I->results[k].value = a->kw[i];
    }
    *out = VNIL;
    return 0;
}

const Builtin BI_STUDY[] = {
    {"report", bi_report, 0, 0, "*", "report(NAME: value, ...)",
     "Records named results of the run (numbers, strings or booleans) in its manifest, under "
     "\"results\": numbers are written exactly (they read back as the same double). Nothing is "
     "printed. A name reported again keeps the last value. `rdn sweep` gathers every run's "
     "results into sweep.csv (one column per name) and summarises the numeric ones in "
     "summary.csv (mean, sd, 95% interval, min, max); outside a sweep the manifest still has "
     "them (a run that reports writes its manifest even when it writes no file). In a sweep run, "
     "a name that would share a column with a grid param (`depth` when the sweep has `--grid "
     "depth=...`, `acc` when it has `--grid acc_mean=...`) or with sweep.csv's own `status` and "
     "`error` is an error located at the keyword.\n\n"
     "Example: `report(acc: accuracy(net, test), loss: h.loss[9])`"},
    {0},
};
