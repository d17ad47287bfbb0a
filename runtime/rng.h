/* rng.h: the one seeded generator (xoshiro256**, seeded by splitmix64).
 * Every random draw in rdn comes from an RdnRng; streams derived with rdn_rng_derive are
 * independent of how many draws the parent has made, so per-input noise is reproducible. */
#ifndef RDN_RNG_H
#define RDN_RNG_H
#include <stdint.h>

#define RDN_DEFAULT_SEED 20210917u

typedef struct RdnRng { uint64_t s[4]; } RdnRng;

void     rdn_rng_seed(RdnRng *r, uint64_t seed);
/* A stream that depends only on (seed, a, b): e.g. (seed, input index, trial). */
void     rdn_rng_derive(RdnRng *r, uint64_t seed, uint64_t a, uint64_t b);
uint64_t rdn_rng_u64(RdnRng *r);
double   rdn_rng_uniform(RdnRng *r);          /* [0, 1), 53 bits */
double   rdn_rng_normal(RdnRng *r);           /* N(0, 1), Box-Muller without caching */
uint64_t rdn_rng_below(RdnRng *r, uint64_t n); /* uniform in [0, n), unbiased; n > 0 */
/* Fisher-Yates shuffle of idx[0..n). */
void     rdn_rng_permute(RdnRng *r, int32_t *idx, int64_t n);

#endif
