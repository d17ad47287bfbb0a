/* rmath_avx512.c: rdn_vmapf on the avx512 path (16 lanes, rmath_simd.h). Built with the avx512 flags
 * (Makefile); only called when rdn_isa() says the CPU has them. */
#include "isa.h"
#include "rmath.h"
#if RDN_X86
#include "rmath_simd.h"
#include <string.h>

#define LOOP(VF)                                                                                 \
    do {                                                                                         \
        int64_t i = 0;                                                                           \
        for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, VF(_mm512_loadu_ps(x + i)));             \
        if (i < n) { /* the tail through a zero-padded block: same operations, same bits */    \
            float buf[16] = {0};                                                                 \
            memcpy(buf, x + i, (size_t)(n - i) * sizeof *buf);                                   \
            _mm512_storeu_ps(buf, VF(_mm512_loadu_ps(buf)));                                         \
            memcpy(y + i, buf, (size_t)(n - i) * sizeof *buf);                                   \
        }                                                                                        \
    } while (0)

void rdn_vmapf_avx512(RdnVFn fn, float *y, const float *x, int64_t n)
{
    switch (fn) {
    case RDN_V_EXP: LOOP(rdn_expf_avx512); break;
    case RDN_V_LOG: LOOP(rdn_logf_avx512); break;
    case RDN_V_TANH: LOOP(rdn_tanhf_avx512); break;
    case RDN_V_LOGISTIC: LOOP(rdn_logisticf_avx512); break;
    }
}
#endif
