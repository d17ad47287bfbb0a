/* isa.c: kernel-path detection and forcing, and the compute mode (isa.h). */
#include "isa.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static RdnIsa detected;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static _Atomic int forced = -1;  /* -1: not forced */
static _Atomic int env_read = 0;
static _Atomic int compute_mode = RDN_COMPUTE_DET;

static void detect(void)
{
    detected = RDN_ISA_GENERIC;
#if RDN_X86 && defined(__GNUC__)
    __builtin_cpu_init();
    /* libgcc's checks include the OS's XSAVE support for the wider registers */
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) detected = RDN_ISA_AVX2;
    if (detected == RDN_ISA_AVX2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq"))
        detected = RDN_ISA_AVX512;
#endif
}

RdnIsa rdn_isa_detected(void)
{
    pthread_once(&detect_once, detect);
    return detected;
}

int rdn_isa_supported(RdnIsa isa) { return isa >= RDN_ISA_GENERIC && isa <= rdn_isa_detected(); }

const char *rdn_isa_name(RdnIsa isa)
{
    switch (isa) {
    case RDN_ISA_AVX512: return "avx512";
    case RDN_ISA_AVX2: return "avx2";
    case RDN_ISA_GENERIC: return "generic";
    }
    return "?";
}

static int parse_isa(const char *name)
{
    for (int i = RDN_ISA_GENERIC; i <= RDN_ISA_AVX512; i++)
        if (!strcmp(name, rdn_isa_name((RdnIsa)i))) return i;
    return -1;
}

static const char *needs(RdnIsa isa)
{
    return isa == RDN_ISA_AVX512 ? "AVX-512 (F, VL, BW and DQ)" : "AVX2 and FMA";
}

int rdn_isa_force(const char *name, RdnErr *err)
{
    if (!name || !*name) {
        forced = -1;
        return 0;
    }
    int isa = parse_isa(name);
    if (isa < 0)
        return rdn_err(err, "unknown kernel path '%s': expected avx512, avx2 or generic", name);
    if (!rdn_isa_supported((RdnIsa)isa)) {
        RdnIsa best = rdn_isa_detected();
        return rdn_err(err, "kernel path '%s' needs %s, which %s; paths available here: %s%s",
                       name, needs((RdnIsa)isa), RDN_X86 ? "this CPU lacks" : "only x86-64 has",
                       best == RDN_ISA_AVX2 ? "avx2, " : "", "generic");
    }
    forced = isa;
    env_read = 1;
    return 0;
}

RdnIsa rdn_isa(void)
{
    if (!env_read) {
        /* RDN_ISA is honoured when it names a path this CPU has; interp/main.c checks it first
         * and refuses a bad one with a message, so a silent fallback here only happens in
         * programs that link the runtime alone (unit tests, benchmarks). */
        const char *e = getenv("RDN_ISA");
        int isa = e ? parse_isa(e) : -1;
        if (forced < 0 && isa >= 0 && rdn_isa_supported((RdnIsa)isa)) forced = isa;
        env_read = 1;
    }
    int f = forced;
    return f >= 0 ? (RdnIsa)f : rdn_isa_detected();
}

void rdn_compute_set(RdnCompute mode) { compute_mode = mode; }
RdnCompute rdn_compute(void) { return (RdnCompute)compute_mode; }

const char *rdn_compute_name(RdnCompute mode)
{
    return mode == RDN_COMPUTE_OPENBLAS ? "openblas" : "det";
}

int rdn_compute_parse(const char *name)
{
    if (!strcmp(name, "det")) return RDN_COMPUTE_DET;
    if (!strcmp(name, "openblas")) return RDN_COMPUTE_OPENBLAS;
    return -1;
}
