/* adapt.h: depth adaptation during training (docs/model.md "Depth adaptation").
 * rdn_fit calls these; the measure is the mean residual change delta_t over a fixed probe set. */
#ifndef RDN_ADAPT_H
#define RDN_ADAPT_H
#include <stdio.h>
#include "dataset.h"
#include "net.h"
#include "table.h"

typedef struct AdaptOpts {
    double tol;       /* > 0; default 1e-3 (mean delta per unit, docs/model.md) */
    int every;        /* >= 1 epochs between checks; default 1 */
    int min_depth;    /* >= 1; default 2 */
    int grow;         /* depth step when growing; 0 (default): never grow */
    int max_depth;    /* >= min_depth and >= the start depth; 0 (default): the start depth when
                       * grow is 0, else max(RDN_ADAPT_MAX_DEPTH, start depth) */
    int probe;        /* probe inputs taken from the training set; 0 (default): min(512, n);
                       * an explicit value larger than n is an error */
    uint64_t seed;    /* probe selection */
} AdaptOpts;

#define RDN_ADAPT_PROBE 512
#define RDN_ADAPT_MAX_DEPTH 200

void rdn_adapt_defaults(AdaptOpts *o);
/* The settings with the defaults (0) resolved against the net and data (for printing). */
AdaptOpts rdn_adapt_resolve(const AdaptOpts *o, const Net *net, const Dataset *train);
/* The mean residual change over n inputs x [n, in]: delta [depth-1] (docs/model.md: delta_t =
 * ||r_{t+1} - r_t||_2 / sqrt(d), averaged over the inputs). Works in chunks (bounded memory). */
int  rdn_adapt_mean_delta(const Net *net, const float *x, int64_t n, double *delta, RdnErr *err);
/* The converged layer t* for mean deltas delta[0..nd): smallest t with delta[s] < tol for every
 * s >= t; -1 when delta[nd-1] >= tol (or nd == 0). */
int  rdn_adapt_t_star(const double *delta, int nd, double tol);
/* Checks the settings against the net and data before training starts. */
int  rdn_adapt_validate(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err);
/* The same for a run resumed at net's current depth that started at start_depth (the defaults
 * resolve against start_depth). */
int  rdn_adapt_validate_at(const AdaptOpts *o, const Net *net, int start_depth, const Dataset *train,
                           RdnErr *err);

typedef struct AdaptState AdaptState;
AdaptState *rdn_adapt_begin(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err);
/* A run resumed from a checkpoint: it started at start_depth (net may be at another depth now)
 * and log (with its ->deltas; NULL: none yet) holds the changes made so far, copied. The probe
 * set is drawn as rdn_adapt_begin draws it, so the run continues as if never stopped. */
AdaptState *rdn_adapt_resume(const AdaptOpts *o, const Net *net, int start_depth,
                             const Dataset *train, const Table *log, RdnErr *err);
/* After epoch `epoch` (1-based): when epoch % every == 0 measure and maybe change net's depth.
 * val_loss_prev/val_loss: validation losses of the previous and this epoch (NaN without val).
 * eval: the data set for accuracy before and after (val if given, else the probe).
 * Logs a line to `log` when non-NULL. Returns 1 if the depth changed, 0 if not, -1 on error
 * (RDN_INTERRUPTED when interrupted during the probe pass). */
int  rdn_adapt_after_epoch(AdaptState *s, Net *net, int epoch, double val_loss_prev,
                           double val_loss, const Dataset *eval, FILE *log, RdnErr *err);
/* The per-layer mean deltas of the last check (NULL before the first), and their count. */
const double *rdn_adapt_last_delta(const AdaptState *s, int *nd);
/* The change log: epoch, old_depth, new_depth, t_star, max_delta_tail, acc_before, acc_after,
 * one row per change; its ->deltas table holds the per-layer mean deltas that decided each change,
 * one row per (change, layer): change (1-based row of the log), epoch, layer t, delta_t (exact
 * doubles). Ownership passes to the caller. */
Table *rdn_adapt_take_log(AdaptState *s);
/* The log so far, still owned by s (what a checkpoint writes). */
const Table *rdn_adapt_log(const AdaptState *s);
void   rdn_adapt_end(AdaptState *s);

#endif
