/* rmath_avx2.c: rdn_vmapf on the avx2 path (8 lanes, rmath_simd.h). Built with the avx2 flags
 * (Makefile); only called when rdn_isa() says the CPU has them. */
#include "isa.h"
#include "rmath.h"
#if RDN_X86
#include "rmath_simd.h"
#include <string.h>

#define LOOP(VF)                                                                                 \
    do {                                                                                         \
        int64_t i = 0;                                                                           \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, VF(_mm256_loadu_ps(x + i)));             \
        if (i < n) { /* the tail through a zero-padded block: same operations, same bits */    \
            float buf[8] = {0};                                                                 \
            memcpy(buf, x + i, (size_t)(n - i) * sizeof *buf);                                   \
            _mm256_storeu_ps(buf, VF(_mm256_loadu_ps(buf)));                                         \
            memcpy(y + i, buf, (size_t)(n - i) * sizeof *buf);                                   \
        }                                                                                        \
    } while (0)

void rdn_vmapf_avx2(RdnVFn fn, float *y, const float *x, int64_t n)
{
    switch (fn) {
    case RDN_V_EXP: LOOP(rdn_expf_avx2); break;
    case RDN_V_LOG: LOOP(rdn_logf_avx2); break;
    case RDN_V_TANH: LOOP(rdn_tanhf_avx2); break;
    case RDN_V_LOGISTIC: LOOP(rdn_logisticf_avx2); break;
    }
}
#endif
