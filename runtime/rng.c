/* rng.c: xoshiro256** seeded by splitmix64 (public-domain algorithms by Blackman and Vigna). */
#include "rng.h"
#include "rmath.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rdn_rng_seed(RdnRng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

void rdn_rng_derive(RdnRng *r, uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t x = seed;
    uint64_t h = splitmix64(&x);
    x = h ^ (a * 0xd1b54a32d192ed03ull);
    h = splitmix64(&x);
    x = h ^ (b * 0x8cb92ba72f3d8dd7ull);
    rdn_rng_seed(r, splitmix64(&x));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rdn_rng_u64(RdnRng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rdn_rng_uniform(RdnRng *r) { return (double)(rdn_rng_u64(r) >> 11) * 0x1.0p-53; }

double rdn_rng_normal(RdnRng *r)
{
    double u1 = 1.0 - rdn_rng_uniform(r); /* (0, 1] */
    double u2 = rdn_rng_uniform(r);
    return sqrt(-2.0 * rdn_log(u1)) * rdn_cos(2.0 * M_PI * u2);
}

uint64_t rdn_rng_below(RdnRng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = rdn_rng_u64(r); while (x >= limit);
    return x % n;
}

void rdn_rng_permute(RdnRng *r, int32_t *idx, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)rdn_rng_below(r, (uint64_t)i + 1);
        int32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
