/* model_io.c: rdn's model files. Layout (all integers and floats little-endian):
 *   0  "RDNMODEL"                      8 bytes
 *   8  version (1)                     u32
 *  12  kind (0 resnet, 1 mlp)          u32
 *  16  activation (0 logistic, 1 tanh, 2 relu)  u32
 *  20  flags (bit 0 shared, bit 1 embedding)   u32
 *  24  in, width, depth, classes       4 x u32
 *  40  step                            f32
 *  44  init_seed                       u64
 *  52  nparams                         u64
 *  60  provenance length               u64
 *  68  parameters                      nparams x f32, in the slab order of net.h
 *      provenance                      JSON text (UTF-8, no NUL)
 *      CRC32 (zlib) of every byte before it   u32
 * The reader checks the magic, then the CRC, then every field against the others and against the
 * file length before allocating anything. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "net.h"
#include "net_impl.h"

#define MAGIC "RDNMODEL"
#define VERSION 1u
#define HDR 68

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get32(const uint8_t *p) { uint32_t v = 0; for (int i = 3; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bitsf(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static int out(FILE *f, const void *buf, size_t n, uLong *crc, RdnErr *err)
{
    *crc = crc32_z(*crc, buf, n);
    if (fwrite(buf, 1, n, f) != n) return rdn_err(err, "save: write failed");
    return 0;
}

int rdn_net_write(const Net *net, FILE *f, RdnErr *err)
{
    uint8_t h[HDR];
    const char *prov = net->provenance ? net->provenance : "";
    size_t plen = strlen(prov);
    memcpy(h, MAGIC, 8);
    put32(h + 8, VERSION);
    put32(h + 12, net->kind == NET_MLP);
    put32(h + 16, (uint32_t)net->act);
    put32(h + 20, (net->shared ? 1u : 0u) | (net->embed ? 2u : 0u));
    put32(h + 24, (uint32_t)net->in);
    put32(h + 28, (uint32_t)net->width);
    put32(h + 32, (uint32_t)net->depth);
    put32(h + 36, (uint32_t)net->classes);
    put32(h + 40, fbits(net->step));
    put64(h + 44, net->init_seed);
    put64(h + 52, (uint64_t)net->nparams);
    put64(h + 60, (uint64_t)plen);
    uLong crc = crc32(0L, Z_NULL, 0);
    if (out(f, h, HDR, &crc, err)) return -1;
    uint8_t buf[4096];
    for (int64_t i = 0; i < net->nparams;) {
        int64_t m = net->nparams - i < 1024 ? net->nparams - i : 1024;
        for (int64_t j = 0; j < m; j++) put32(buf + 4 * j, fbits(net->params[i + j]));
        if (out(f, buf, (size_t)m * 4, &crc, err)) return -1;
        i += m;
    }
    if (plen && out(f, prov, plen, &crc, err)) return -1;
    put32(buf, (uint32_t)crc);
    if (fwrite(buf, 1, 4, f) != 4) return rdn_err(err, "save: write failed");
    return 0;
}

Net *rdn_net_read(const uint8_t *b, size_t len, RdnErr *err)
{
    if (len < 8 || memcmp(b, MAGIC, 8) != 0)
        return rdn_err(err, "load: not an rdn model file (no RDNMODEL magic)"), NULL;
    if (len < HDR + 4)
        return rdn_err(err, "load: the file is truncated (%zu bytes, a model file has at least %d)", len, HDR + 4), NULL;
    uint32_t version = get32(b + 8);
    if (version != VERSION)
        return rdn_err(err, "load: model file version %u is not supported (this rdn reads version %u)", version, VERSION), NULL;
    uint32_t want = get32(b + len - 4), got = (uint32_t)crc32_z(crc32(0L, Z_NULL, 0), b, len - 4);
    if (want != got)
        return rdn_err(err, "load: the file is corrupted or truncated (CRC32 %08x, expected %08x)", got, want), NULL;
    uint32_t kind = get32(b + 12), act = get32(b + 16), flags = get32(b + 20);
    uint32_t in = get32(b + 24), width = get32(b + 28), depth = get32(b + 32), classes = get32(b + 36);
    float step = bitsf(get32(b + 40));
    uint64_t seed = get64(b + 44), np = get64(b + 52), plen = get64(b + 60);
    if (kind > 1) return rdn_err(err, "load: unknown net kind %u", kind), NULL;
    if (act > 2) return rdn_err(err, "load: unknown activation %u", act), NULL;
    if (flags > 3) return rdn_err(err, "load: unknown flags %#x", flags), NULL;
    if (in > INT32_MAX || width > INT32_MAX || depth > INT32_MAX || classes > INT32_MAX)
        return rdn_err(err, "load: sizes out of range"), NULL;
    if (rdn_net_check_sizes(kind ? NET_MLP : NET_RESNET, (int)in, (int)width, (int)depth, (int)classes, step, err))
        return NULL;
    int shared = flags & 1, embed = (flags >> 1) & 1;
    if (embed != (width != in)) return rdn_err(err, "load: the embedding flag contradicts in %u and width %u", in, width), NULL;
    if (kind == 1 && shared) return rdn_err(err, "load: an MLP with shared layers is not valid"), NULL;
    NetLayout l = rdn_net_layout((int)in, (int)width, (int)classes, embed, shared ? 1 : (int)depth);
    if (np != (uint64_t)l.total)
        return rdn_err(err, "load: the file holds %llu parameters but its sizes need %lld", (unsigned long long)np, (long long)l.total), NULL;
    /* exact length: header + params + provenance + crc, computed without overflow */
    uint64_t body = len - HDR - 4;
    if (np > body / 4 || plen != body - np * 4)
        return rdn_err(err, "load: the sizes in the header do not match the file length (%zu bytes)", len), NULL;
    const uint8_t *pp = b + HDR, *prov = pp + np * 4;
    if (memchr(prov, 0, plen)) return rdn_err(err, "load: the provenance record holds a NUL byte"), NULL;
    NetSpec sp = {kind ? NET_MLP : NET_RESNET, (int)in, (int)width, (int)depth, (int)classes, (Act)act, shared, step, seed};
    Net *net = rdn_net_new(&sp, err);
    if (!net) return NULL;
    net->step = step;
    for (uint64_t i = 0; i < np; i++) net->params[i] = bitsf(get32(pp + 4 * i));
    if (plen) {
        net->provenance = malloc(plen + 1);
        if (!net->provenance) {
            rdn_net_free(net);
            return rdn_err(err, "load: out of memory"), NULL;
        }
        memcpy(net->provenance, prov, plen);
        net->provenance[plen] = 0;
    }
    return net;
}
