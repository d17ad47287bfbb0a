/* isa.h: which kernel path runs (instruction set) and which compute mode products use.
 *
 * The kernel path is detected once from CPUID: AVX-512 needs AVX512F+VL+BW+DQ, AVX2 needs
 * AVX2+FMA, anything else (and every non-x86 build) is the portable C path. RDN_ISA=avx512|
 * avx2|generic in the environment, or rdn_isa_force, picks one explicitly. Every path gives the
 * same bits (rmath.h, docs/runtime.md "Determinism"): the choice changes speed, never results.
 *
 * The compute mode says whether matrix products use rdn's own deterministic kernels (the default)
 * or OpenBLAS (fast, but its bits depend on the CPU and the thread count). */
#ifndef RDN_ISA_H
#define RDN_ISA_H
#include "rdn_err.h"

#if defined(__x86_64__) || defined(_M_X64)
#define RDN_X86 1
#else
#define RDN_X86 0
#endif

typedef enum { RDN_ISA_GENERIC = 0, RDN_ISA_AVX2 = 1, RDN_ISA_AVX512 = 2 } RdnIsa;

/* The path in use: forced (rdn_isa_force, or RDN_ISA if it names a path this CPU has), else
 * the best the CPU has. Cheap after the first call; safe from any thread. */
RdnIsa rdn_isa(void);
/* The best path this CPU has (never forced). */
RdnIsa rdn_isa_detected(void);
/* 1 if this CPU (and this build) can run path isa. */
int rdn_isa_supported(RdnIsa isa);
/* Forces the path named "avx512", "avx2" or "generic" (NULL or "" = back to detection). An
 * unknown name or a path the CPU lacks is an error naming the paths available here. */
int rdn_isa_force(const char *name, RdnErr *err);
/* "avx512", "avx2" or "generic". */
const char *rdn_isa_name(RdnIsa isa);

typedef enum { RDN_COMPUTE_DET = 0, RDN_COMPUTE_OPENBLAS = 1 } RdnCompute;
void rdn_compute_set(RdnCompute mode);
RdnCompute rdn_compute(void);
/* "det" or "openblas" (the --compute spelling); rdn_compute_parse is its inverse (-1 if
 * neither). */
const char *rdn_compute_name(RdnCompute mode);
int rdn_compute_parse(const char *name);

#endif
