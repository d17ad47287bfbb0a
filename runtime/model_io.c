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
 *      sections (version 2 only), each: tag (4 bytes), length (u64), payload:
 *        "EPOC" u64 epochs trained (net.epoch)
 *        "INIT" u32 scheme, f64 gain, f64 std
 *        "HIST" u32 ncols, u32 nrows, per column u32 name length + name, then ncols x nrows f64
 *               (column-major; the last fit's history)
 *        "CHNG" the history's depth changes (adaptive runs), laid out as HIST; after HIST
 *        "DLTS" the per-layer deltas of those changes, laid out as HIST; after CHNG
 *        "OPTS" u32 opt, u32 loss, u64 shuffle seed, u64 epoch, u64 step, u8 has m, u8 has v,
 *               then m and v (nparams x f32 each, when present)   (save(..., optimizer: true))
 *        "CKPT" 64 hex fingerprint, u32 done, u32 finished, 4 x u64 random stream, f64 best,
 *               u64 best epoch, u32 wait, u8 has best params, nparams x f32   (checkpoints)
 *      Unknown tags are skipped (a later version may add some).
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
#define VERSION 2u
#define HDR 68

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get32(const uint8_t *p) { uint32_t v = 0; for (int i = 3; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bitsf(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* A growing byte buffer for the sections (sizes known only once written). */
typedef struct Buf { uint8_t *p; size_t n, cap; int oom; } Buf;
static void bput(Buf *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n) nc *= 2;
        uint8_t *q = realloc(b->p, nc);
        if (!q) { b->oom = 1; return; }
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}
static void bu32(Buf *b, uint32_t v) { uint8_t t[4]; put32(t, v); bput(b, t, 4); }
static void bu64(Buf *b, uint64_t v) { uint8_t t[8]; put64(t, v); bput(b, t, 8); }
static void bf64(Buf *b, double v) { uint64_t u; memcpy(&u, &v, 8); bu64(b, u); }
static void bf32s(Buf *b, const float *x, int64_t n) { for (int64_t i = 0; i < n; i++) bu32(b, fbits(x[i])); }
/* Opens a section: the tag and a length patched by sec_end. */
static size_t sec_begin(Buf *b, const char *tag) { bput(b, tag, 4); bu64(b, 0); return b->n; }
static void sec_end(Buf *b, size_t start) { if (!b->oom) put64(b->p + start - 8, (uint64_t)(b->n - start)); }

/* A table's numeric columns as one section: u32 ncols, u32 nrows, the names (u32 length + bytes),
 * then the values as f64, column by column. */
static void put_table(Buf *b, const char *tag, const Table *h)
{
    size_t s = sec_begin(b, tag);
    int nc = 0;
    for (int c = 0; c < h->ncols; c++) nc += !h->cols[c].is_str;
    bu32(b, (uint32_t)nc);
    bu32(b, (uint32_t)h->nrows);
    for (int c = 0; c < h->ncols; c++)
        if (!h->cols[c].is_str) {
            bu32(b, (uint32_t)strlen(h->cols[c].name));
            bput(b, h->cols[c].name, strlen(h->cols[c].name));
        }
    for (int c = 0; c < h->ncols; c++)
        if (!h->cols[c].is_str)
            for (int r = 0; r < h->nrows; r++) bf64(b, h->cols[c].num[r]);
    sec_end(b, s);
}

static void sections(Buf *b, const Net *net, int with_opt, const Ckpt *ck)
{
    size_t s = sec_begin(b, "EPOC");
    bu64(b, (uint64_t)net->epochs);
    sec_end(b, s);
    s = sec_begin(b, "INIT");
    bu32(b, (uint32_t)net->init);
    bf64(b, net->gain);
    bf64(b, net->init_std);
    sec_end(b, s);
    const Table *h = net->history;
    if (h) {
        put_table(b, "HIST", h);
        /* an adaptive run's depth changes and the per-layer deltas behind them */
        if (h->changes) put_table(b, "CHNG", h->changes);
        if (h->changes && h->changes->deltas) put_table(b, "DLTS", h->changes->deltas);
    }
    const OptState *o = &net->opt;
    if (with_opt && o->active) {
        s = sec_begin(b, "OPTS");
        bu32(b, (uint32_t)o->opt);
        bu32(b, (uint32_t)o->loss);
        bu64(b, o->shuffle_seed);
        bu64(b, (uint64_t)o->epoch);
        bu64(b, (uint64_t)o->step);
        uint8_t hm = o->m != NULL, hv = o->v != NULL;
        bput(b, &hm, 1);
        bput(b, &hv, 1);
        if (o->m) bf32s(b, o->m, net->nparams);
        if (o->v) bf32s(b, o->v, net->nparams);
        sec_end(b, s);
    }
    if (ck) {
        s = sec_begin(b, "CKPT");
        bput(b, ck->fingerprint, 64);
        bu32(b, (uint32_t)ck->done);
        bu32(b, (uint32_t)ck->finished);
        for (int i = 0; i < 4; i++) bu64(b, ck->rng[i]);
        bf64(b, ck->stop.best);
        bu64(b, (uint64_t)ck->stop.best_epoch);
        bu32(b, (uint32_t)ck->stop.wait);
        uint8_t hb = ck->stop.best_params != NULL;
        bput(b, &hb, 1);
        if (hb) bf32s(b, ck->stop.best_params, net->nparams);
        sec_end(b, s);
    }
}

static int out(FILE *f, const void *buf, size_t n, uLong *crc, RdnErr *err)
{
    *crc = crc32_z(*crc, buf, n);
    if (fwrite(buf, 1, n, f) != n) return rdn_err(err, "save: write failed");
    return 0;
}

int rdn_net_write(const Net *net, FILE *f, RdnErr *err) { return rdn_net_write_ex(net, f, 0, NULL, err); }

int rdn_net_write_ex(const Net *net, FILE *f, int with_opt, const Ckpt *ck, RdnErr *err)
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
    Buf sb = {0};
    sections(&sb, net, with_opt, ck);
    if (sb.oom) {
        free(sb.p);
        return rdn_err(err, "save: out of memory");
    }
    int rc = sb.n ? out(f, sb.p, sb.n, &crc, err) : 0;
    free(sb.p);
    if (rc) return -1;
    put32(buf, (uint32_t)crc);
    if (fwrite(buf, 1, 4, f) != 4) return rdn_err(err, "save: write failed");
    return 0;
}

/* A bounds-checked reader over one section's payload. */
typedef struct Rd { const uint8_t *p; uint64_t n, at; int bad; } Rd;
static const uint8_t *rtake(Rd *r, uint64_t n)
{
    if (r->bad || n > r->n - r->at) { r->bad = 1; return NULL; }
    const uint8_t *q = r->p + r->at;
    r->at += n;
    return q;
}
static uint32_t ru32(Rd *r) { const uint8_t *q = rtake(r, 4); return q ? get32(q) : 0; }
static uint64_t ru64(Rd *r) { const uint8_t *q = rtake(r, 8); return q ? get64(q) : 0; }
static double rf64(Rd *r) { uint64_t u = ru64(r); double v; memcpy(&v, &u, 8); return v; }
static uint8_t ru8(Rd *r) { const uint8_t *q = rtake(r, 1); return q ? *q : 0; }
static float *rf32s(Rd *r, int64_t n, RdnErr *err)
{
    if (r->bad || (uint64_t)n > (r->n - r->at) / 4) { r->bad = 1; return NULL; }
    float *x = rdn_alloc_aligned((size_t)n, sizeof(float), "model file", err);
    if (!x) { r->bad = 1; return NULL; }
    for (int64_t i = 0; i < n; i++) x[i] = bitsf(ru32(r));
    return x;
}

static Table *read_hist(Rd *r, RdnErr *err)
{
    uint32_t nc = ru32(r), nr = ru32(r);
    if (r->bad || nc > 64 || (uint64_t)nr * nc > (r->n - r->at) / 8) { r->bad = 1; return NULL; }
    char *names[64] = {0};
    for (uint32_t c = 0; c < nc && !r->bad; c++) {
        uint32_t l = ru32(r);
        const uint8_t *q = l <= 256 ? rtake(r, l) : NULL;
        if (!q || memchr(q, 0, l) || !(names[c] = malloc(l + 1))) { r->bad = 1; break; }
        memcpy(names[c], q, l);
        names[c][l] = 0;
    }
    Table *t = r->bad ? NULL : rdn_table_new((int)nc, (const char *const *)names, NULL, err);
    for (uint32_t c = 0; c < nc; c++) free(names[c]);
    if (!t) { r->bad = 1; return NULL; }
    t->is_history = 1;
    double row[64];
    uint64_t base = r->at;
    for (uint32_t i = 0; i < nr && !r->bad; i++) {
        for (uint32_t c = 0; c < nc; c++) {
            Rd q = {r->p, r->n, base + ((uint64_t)c * nr + i) * 8, 0};
            row[c] = rf64(&q);
        }
        if (rdn_table_push(t, row, NULL, err)) r->bad = 1;
    }
    r->at = base + (uint64_t)nc * nr * 8;
    if (r->bad) { rdn_table_free(t); return NULL; }
    return t;
}

/* The sections of a version-2 file, in b[0..n); fills net and ck. */
static int read_sections(Net *net, const uint8_t *b, uint64_t n, Ckpt *ck, int *has_ck, RdnErr *err)
{
    uint64_t at = 0;
    while (at < n) {
        if (n - at < 12) return rdn_err(err, "load: a truncated section header (the lengths in the file do not add up)");
        const uint8_t *tag = b + at;
        uint64_t sl = get64(b + at + 4);
        at += 12;
        if (sl > n - at) return rdn_err(err, "load: a section's length runs past the end of the file");
        Rd r = {b + at, sl, 0, 0};
        if (!memcmp(tag, "EPOC", 4)) {
            uint64_t e = ru64(&r);
            if (e > INT64_MAX) r.bad = 1;
            net->epochs = (int64_t)e;
        } else if (!memcmp(tag, "INIT", 4)) {
            uint32_t k = ru32(&r);
            double g = rf64(&r), sd = rf64(&r);
            if (k > INIT_NORMAL || !(g >= 0) || !(sd >= 0) || !isfinite(g) || !isfinite(sd)) r.bad = 1;
            net->init = (InitKind)k, net->gain = g, net->init_std = sd;
        } else if (!memcmp(tag, "HIST", 4)) {
            Table *h = read_hist(&r, err);
            if (h) {
                rdn_table_free(net->history);
                net->history = h;
            }
        } else if (!memcmp(tag, "CHNG", 4) || !memcmp(tag, "DLTS", 4)) {
            /* after HIST (CHNG) and CHNG (DLTS), as the writer puts them */
            Table *h = net->history, *c = h ? h->changes : NULL;
            Table *t = (tag[0] == 'C' ? h : c) ? read_hist(&r, err) : NULL;
            if (!t) r.bad = 1;
            else if (tag[0] == 'C') {
                t->is_history = 0;
                rdn_table_free(h->changes);
                h->changes = t;
            } else {
                t->is_history = 0;
                rdn_table_free(c->deltas);
                c->deltas = t;
            }
        } else if (!memcmp(tag, "OPTS", 4)) {
            OptState *o = &net->opt;
            rdn_opt_reset(o);
            uint32_t opt = ru32(&r), loss = ru32(&r);
            o->shuffle_seed = ru64(&r);
            uint64_t ep = ru64(&r), st = ru64(&r);
            uint8_t hm = ru8(&r), hv = ru8(&r);
            if (opt > OPT_ADAM || loss > LOSS_MSE || ep > INT64_MAX || st > INT64_MAX || hm > 1 || hv > 1 ||
                hm != (opt != OPT_SGD) || hv != (opt == OPT_ADAM))
                r.bad = 1;
            o->opt = (OptKind)opt, o->loss = (LossKind)loss, o->epoch = (int64_t)ep, o->step = (int64_t)st;
            if (!r.bad && hm) o->m = rf32s(&r, net->nparams, err);
            if (!r.bad && hv) o->v = rf32s(&r, net->nparams, err);
            if (r.bad) rdn_opt_reset(o);
            else o->active = 1;
        } else if (!memcmp(tag, "CKPT", 4) && ck) {
            const uint8_t *fp = rtake(&r, 64);
            if (fp) memcpy(ck->fingerprint, fp, 64);
            ck->fingerprint[64] = 0;
            ck->done = (int)ru32(&r);
            ck->finished = (int)ru32(&r);
            for (int i = 0; i < 4; i++) ck->rng[i] = ru64(&r);
            ck->stop.best = rf64(&r);
            ck->stop.best_epoch = (int64_t)ru64(&r);
            ck->stop.wait = (int)ru32(&r);
            uint8_t hb = ru8(&r);
            free(ck->stop.best_params);
            ck->stop.best_params = !r.bad && hb ? rf32s(&r, net->nparams, err) : NULL;
            if (ck->done < 0 || ck->finished < 0 || ck->finished > 1 || ck->stop.wait < 0 || hb > 1) r.bad = 1;
            if (!r.bad) *has_ck = 1;
        } else {
            r.at = sl; /* an unknown section: skipped */
        }
        if (r.bad || r.at != sl) return rdn_err(err, "load: section '%.4s' is malformed", tag);
        at += sl;
    }
    return 0;
}

Net *rdn_net_read(const uint8_t *b, size_t len, RdnErr *err) { return rdn_net_read_ckpt(b, len, NULL, NULL, err); }

Net *rdn_net_read_ckpt(const uint8_t *b, size_t len, Ckpt *ck, int *has_ck, RdnErr *err)
{
    int hck = 0;
    if (has_ck) *has_ck = 0;
    if (len < 8 || memcmp(b, MAGIC, 8) != 0)
        return rdn_err(err, "load: not an rdn model file (no RDNMODEL magic)"), NULL;
    if (len < HDR + 4)
        return rdn_err(err, "load: the file is truncated (%zu bytes, a model file has at least %d)", len, HDR + 4), NULL;
    uint32_t version = get32(b + 8);
    if (version != 1 && version != VERSION)
        return rdn_err(err, "load: model file version %u is not supported (this rdn reads versions 1 and %u)", version, VERSION), NULL;
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
    if (np > body / 4 || (version == 1 ? plen != body - np * 4 : plen > body - np * 4))
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
    if (version >= 2 && read_sections(net, prov + plen, body - np * 4 - plen, ck, &hck, err)) {
        if (ck) free(ck->stop.best_params), ck->stop.best_params = NULL;
        rdn_net_free(net);
        return NULL;
    }
    if (has_ck) *has_ck = hck;
    return net;
}
