/* adapt.h: depth adaptation during training (MODEL.md "Depth adaptation").
 * rdn_fit calls these; the measure is the mean residual change delta_t over a fixed probe set. */
#ifndef RDN_ADAPT_H
#define RDN_ADAPT_H
#include <stdio.h>
#include "dataset.h"
#include "net.h"
#include "table.h"

typedef struct AdaptOpts {
    double tol;       /* > 0 */
    int every;        /* >= 1 epochs between checks */
    int min_depth;    /* >= 1 */
    int grow;         /* depth step when growing; 0: never grow */
    int max_depth;    /* >= min_depth */
    int probe;        /* probe inputs taken from the training set (default 512, at most n) */
    uint64_t seed;    /* probe selection */
} AdaptOpts;

void rdn_adapt_defaults(AdaptOpts *o);
/* Checks the settings against the net and data before training starts. */
int  rdn_adapt_validate(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err);

typedef struct AdaptState AdaptState;
AdaptState *rdn_adapt_begin(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err);
/* After epoch `epoch` (1-based): when epoch % every == 0 measure and maybe change net's depth.
 * val_loss_prev/val_loss: validation losses of the previous and this epoch (NaN without val).
 * eval: the data set for accuracy before and after (val if given, else the probe).
 * Logs a line to `log` when non-NULL. Returns 1 if the depth changed, 0 if not, -1 on error. */
int  rdn_adapt_after_epoch(AdaptState *s, Net *net, int epoch, double val_loss_prev,
                           double val_loss, const Dataset *eval, FILE *log, RdnErr *err);
/* The change log: epoch, old_depth, new_depth, t_star, max_delta_tail, acc_before, acc_after,
 * deltas (a string of the per-layer mean deltas). Ownership passes to the caller. */
Table *rdn_adapt_take_log(AdaptState *s);
void   rdn_adapt_end(AdaptState *s);

#endif
