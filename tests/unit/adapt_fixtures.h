/* adapt_fixtures.h: data and nets shared by test_adapt.c and test_adapt_train.c. */
#ifndef RDN_ADAPT_FIXTURES_H
#define RDN_ADAPT_FIXTURES_H
#include <stdio.h>
#include <string.h>
#include "adapt.h"

static inline Dataset *make_data(int64_t n, int dim, int classes, uint64_t seed)
{
    RdnErr err;
    Dataset *d = rdn_dataset_new(n, dim, classes, &err);
    RdnRng r;
    rdn_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++) {
        d->y[i] = (int32_t)(i % classes);
        for (int j = 0; j < dim; j++)
            d->x[i * dim + j] = (float)(rdn_rng_normal(&r) * 0.5 + (j == d->y[i] ? 1.0 : 0.0));
    }
    return d;
}

static inline Net *make_net(NetKind kind, Act act, int dim, int depth, int shared, float step)
{
    RdnErr err;
    NetSpec sp = {.kind = kind, .in = dim, .width = dim, .depth = depth, .classes = 3, .act = act,
                  .shared = shared, .step = step, .init_seed = 42};
    Net *n = rdn_net_new(&sp, &err);
    if (!n) fprintf(stderr, "rdn_net_new: %s\n", err.msg);
    return n;
}

static inline int64_t nW(const Net *n) { return (int64_t)(n->shared ? 1 : n->cap_depth) * n->width * n->width; }

/* W = 0 and the same bias at every layer: the dynamics are converged by construction. */
static inline void flatten(Net *n)
{
    memset(n->W, 0, sizeof(float) * (size_t)nW(n));
    if (!n->shared)
        for (int t = 1; t < n->cap_depth; t++)
            memcpy(n->b + (int64_t)t * n->width, n->b, sizeof(float) * (size_t)n->width);
}

#endif
