/* bi_adapt.c: `adaptive(...)`, the depth-adaptation settings that `fit(..., adapt:)` takes, and
 * their type (OPS_ADAPT). The value boxes a malloc'd AdaptOpts (runtime/adapt.h); fit validates
 * it against the net and data before training and runs runtime/adapt.c after each epoch. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "adapt.h"
#include "builtin.h"
#include "interp.h"

/* Reads an integer keyword without a range (the range check below gives a clearer message). */
static int kw_int(Interp *I, Args *a, const char *kw, int def, int *out)
{
    long v;
    if (arg_int(I, a, -1, kw, def, INT_MIN, INT_MAX, &v)) return -1;
    *out = (int)v;
    return 0;
}

static int bi_adaptive(Interp *I, Args *a, Value *out)
{
    AdaptOpts o;
    rdn_adapt_defaults(&o);
    if (arg_num(I, a, -1, "tol", o.tol, &o.tol)) return -1;
    if (!(o.tol > 0) || !isfinite(o.tol))
        return arg_error(I, a, -1, "tol", "adaptive: tol must be a positive number, got %g", o.tol);
    if (kw_int(I, a, "every", o.every, &o.every)) return -1;
    if (o.every < 1)
        return arg_error(I, a, -1, "every", "adaptive: every must be at least 1 epoch, got %d",
                         o.every);
    if (kw_int(I, a, "min_depth", o.min_depth, &o.min_depth)) return -1;
    if (o.min_depth < 1)
        return arg_error(I, a, -1, "min_depth", "adaptive: min_depth must be at least 1, got %d",
                         o.min_depth);
    if (kw_int(I, a, "grow", o.grow, &o.grow)) return -1;
    if (o.grow < 0)
        return arg_error(I, a, -1, "grow",
                         "adaptive: grow must be 0 (never grow) or a positive step, got %d", o.grow);
    Value v;
    if (arg_get(a, -1, "max_depth", &v) && v.type != VAL_NIL) {
        if (kw_int(I, a, "max_depth", 0, &o.max_depth)) return -1;
        if (o.max_depth < 1)
            return arg_error(I, a, -1, "max_depth", "adaptive: max_depth must be at least 1, got %d",
                             o.max_depth);
        if (o.min_depth > o.max_depth)
            return arg_error(I, a, -1, "max_depth",
                             "adaptive: min_depth %d is larger than max_depth %d", o.min_depth,
                             o.max_depth);
    }
    if (arg_get(a, -1, "probe", &v) && v.type != VAL_NIL) {
        if (kw_int(I, a, "probe", 0, &o.probe)) return -1;
        if (o.probe < 1)
            return arg_error(I, a, -1, "probe",
                             "adaptive: probe must be a positive number of inputs, got %d", o.probe);
    }
    if (arg_get(a, -1, "seed", &v) && v.type != VAL_NIL) {
        double s;
        if (arg_num(I, a, -1, "seed", 0, &s)) return -1;
        if (!(s >= 0) || s != floor(s) || s > 9007199254740992.0)
            return arg_error(I, a, -1, "seed", "adaptive: seed must be a whole number >= 0, got %g",
                             s);
        o.seed = (uint64_t)s;
    } else {
        o.seed = interp_draw_seed(I);
    }
    AdaptOpts *p = malloc(sizeof *p);
    if (!p) return rt_error(I, &a->call, "adaptive: out of memory");
    *p = o;
    *out = val_box(VAL_ADAPT, p, free);
    return 0;
}

static char *adapt_repr(Value v)
{
    const AdaptOpts *o = val_ptr(v);
    char maxd[32], probe[32];
    if (o->max_depth) snprintf(maxd, sizeof maxd, "%d", o->max_depth);
    else snprintf(maxd, sizeof maxd, "%s", o->grow ? "max(200, start)" : "start depth");
    if (o->probe) snprintf(probe, sizeof probe, "%d", o->probe);
    else snprintf(probe, sizeof probe, "min(%d, n)", RDN_ADAPT_PROBE);
    char *s = NULL;
    if (asprintf(&s, "<adaptive tol: %g, every: %d, min_depth: %d, grow: %d, max_depth: %s, "
                 "probe: %s>", o->tol, o->every, o->min_depth, o->grow, maxd, probe) < 0)
        return NULL;
    return s;
}

static int adapt_get(Interp *I, Value self, const char *m, const Span *at, Value *out)
{
    const AdaptOpts *o = val_ptr(self);
    if (!strcmp(m, "tol")) *out = val_num(o->tol);
    else if (!strcmp(m, "every")) *out = val_num(o->every);
    else if (!strcmp(m, "min_depth")) *out = val_num(o->min_depth);
    else if (!strcmp(m, "grow")) *out = val_num(o->grow);
    else if (!strcmp(m, "max_depth")) *out = o->max_depth ? val_num(o->max_depth) : VNIL;
    else if (!strcmp(m, "probe")) *out = o->probe ? val_num(o->probe) : VNIL;
    else return 1;
    return 0;
}

/* clock(): for timing training runs (examples/paper/5_depth.rdn); lives here because timing
 * depth adaptation is what needs it. */
static int bi_clock(Interp *I, Args *a, Value *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    *out = val_num((double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
    return 0;
}

const TypeOps OPS_ADAPT = {VAL_ADAPT, "adaptive", "tol every min_depth grow max_depth probe",
                           adapt_repr, adapt_get, 0};

const Builtin BI_ADAPT[] = {
    {"adaptive", bi_adaptive, 0, 0, "tol every min_depth grow max_depth probe seed",
     "adaptive(tol: 1e-3, every: 1, min_depth: 2, grow: 0, max_depth:, probe:, seed:)",
     "Depth adaptation settings for `fit(net, data, adapt: ...)` (docs/model.md, \"Depth adaptation\").\n\n"
     "Every `every` epochs a fixed probe set of `probe` training inputs runs through the net and "
     "the mean residual change per layer is measured:\n\n"
     "    delta_t = mean over the probe of ||r_{t+1} - r_t||_2 / sqrt(width),  t = 0 .. depth-2\n\n"
     "(for an MLP r_t = h_{t+1} - h_t). If the dynamics have converged from layer t* on (delta_s < "
     "`tol` for every s >= t*, with t* the smallest such layer), the depth becomes max(`min_depth`, "
     "t* + 2) when that is smaller. Otherwise, when `grow` > 0, the last layer has not converged "
     "and the validation loss fell since the last epoch, the depth grows by `grow`, up to "
     "`max_depth`. A shared-weight ResNet keeps every parameter (depth is only a number); an "
     "unshared net drops its last layers, or gains fresh ones.\n\n"
     "Keywords: `tol` (default 1e-3, > 0), `every` (epochs between checks, default 1), "
     "`min_depth` (default 2), `grow` (default 0: never grow), `max_depth` (default: the start "
     "depth, or max(200, start depth) when growing), `probe` (default min(512, training inputs); "
     "more than the training set is an error), `seed` (probe selection; default drawn from the "
     "script's generator).\n\n"
     "Every change is printed as one line and logged, with the epoch, old and new depth, t*, the "
     "largest tail delta and the accuracy before and after (on `val:` if given, else the probe), "
     "as one row of the table `h.changes` of the history `h` that `fit` returns; the per-layer "
     "deltas that decided each change are the table `h.changes.deltas` (columns `change`, the row "
     "of `h.changes` from 1, `epoch`, `layer`, `delta`: one row per change and layer). The "
     "history's `depth` column follows the depth per epoch. Members: `tol`, `every`, `min_depth`, "
     "`grow`, `max_depth`, `probe`.\n\n"
     "Example: `h = fit(net, train, epochs: 10, val: test, adapt: adaptive(tol: 1e-3, min_depth: 3))`"},
    {"clock", bi_clock, 0, 0, "", "clock()",
     "Seconds on a monotonic clock from an arbitrary start: differences time a piece of a script. "
     "Print times, do not write them to files: a file holding clock time differs from run to run, "
     "so `rdn verify` would report it.\n\n"
     "Example: `t0 = clock(); fit(net, train); print(\"took\", clock() - t0, \"s\")`"},
    {0},
};
