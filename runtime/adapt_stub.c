/* adapt_stub.c: placeholder until runtime/adapt.c lands (its owner deletes this file). */
#include "adapt.h"
#include <math.h>

void rdn_adapt_defaults(AdaptOpts *o)
{
    *o = (AdaptOpts){.tol = 1e-3, .every = 1, .min_depth = 1, .grow = 0, .max_depth = 1000, .probe = 512, .seed = 1};
}
int rdn_adapt_validate(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err)
{
    return rdn_err(err, "adaptive: not available yet");
}
AdaptState *rdn_adapt_begin(const AdaptOpts *o, const Net *net, const Dataset *train, RdnErr *err)
{
    rdn_err(err, "adaptive: not available yet");
    return NULL;
}
int rdn_adapt_after_epoch(AdaptState *s, Net *net, int epoch, double vp, double v, const Dataset *eval,
                          FILE *log, RdnErr *err)
{
    return rdn_err(err, "adaptive: not available yet");
}
Table *rdn_adapt_take_log(AdaptState *s) { return NULL; }
void rdn_adapt_end(AdaptState *s) {}
