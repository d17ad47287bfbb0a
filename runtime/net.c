/* net.c: ResNets and MLPs (docs/model.md "Networks"): creation with PyTorch-Linear initialisation from a
 * seed, the forward pass (optionally recording states and residuals straight into [n, T+1, d] and
 * [n, T, d] layouts), the head, depth changes, evaluation and prediction. Training is in train.c,
 * model files in model_io.c. */
#include "net.h"
#include "rmath.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gemm.h"
#include "net_impl.h"
#include "pool.h"
#include "tensor.h"

#define FWD_CHUNK 256      /* rows per internal batch of the forward pass */
#define MAX_WIDTH 65536
#define MAX_IN (1 << 24)
#define MAX_DEPTH 1000000
#define MAX_CLASSES 100000

const char *rdn_act_name(Act a)
{
    return a == ACT_TANH ? "tanh" : a == ACT_RELU ? "relu" : "logistic";
}

const char *rdn_net_kind_name(NetKind k) { return k == NET_MLP ? "mlp" : "resnet"; }

NetLayout rdn_net_layout(int in, int width, int classes, int embed, int L)
{
    NetLayout l;
    int64_t d = width, off = 0;
    l.E = off; off += embed ? d * in : 0;
    l.e = off; off += embed ? d : 0;
    l.W = off; off += (int64_t)L * d * d;
    l.b = off; off += (int64_t)L * d;
    l.V = off; off += (int64_t)classes * d;
    l.c = off; off += classes;
    l.total = off;
    return l;
}

void rdn_net_set_views(Net *net, int L)
{
    NetLayout l = rdn_net_layout(net->in, net->width, net->classes, net->embed, L);
    float *p = net->params, *g = net->grads;
    net->E = net->embed ? p + l.E : NULL;
    net->e = net->embed ? p + l.e : NULL;
    net->gE = net->embed ? g + l.E : NULL;
    net->ge = net->embed ? g + l.e : NULL;
    net->W = p + l.W; net->gW = g + l.W;
    net->b = p + l.b; net->gb = g + l.b;
    net->V = p + l.V; net->gV = g + l.V;
    net->c = p + l.c; net->gc = g + l.c;
    net->nparams = l.total;
}

int rdn_net_check_sizes(NetKind kind, int in, int width, int depth, int classes, float step,
                        RdnErr *err)
{
    const char *who = rdn_net_kind_name(kind);
    if (in < 1 || in > MAX_IN) return rdn_err(err, "%s: in must be 1..%d, got %d", who, MAX_IN, in);
    if (width < 1 || width > MAX_WIDTH)
        return rdn_err(err, "%s: width must be 1..%d, got %d", who, MAX_WIDTH, width);
    if (depth < 1 || depth > MAX_DEPTH)
        return rdn_err(err, "%s: depth must be 1..%d, got %d", who, MAX_DEPTH, depth);
    if (classes < 2 || classes > MAX_CLASSES)
        return rdn_err(err, "%s: classes must be 2..%d, got %d", who, MAX_CLASSES, classes);
    if (!isfinite(step) || step <= 0)
        return rdn_err(err, "%s: step must be a positive number, got %g", who, (double)step);
    return 0;
}

/* Block ids for the seeded initialisation: each block (and each layer's W_t, b_t) has its own
 * stream derived from (init_seed, block, layer), so a net grown later gets the same layers it
 * would have had if created deeper, and mlp(like:) gets the same initial weights. */
enum { BLK_E = 1, BLK_e, BLK_W, BLK_b, BLK_V, BLK_c };

static void init_uniform(float *p, int64_t n, double bound, uint64_t seed, int blk, int layer)
{
    RdnRng r;
    rdn_rng_derive(&r, seed, (uint64_t)blk, (uint64_t)layer);
    for (int64_t i = 0; i < n; i++) p[i] = (float)(bound * (2.0 * rdn_rng_uniform(&r) - 1.0));
}

const char *rdn_init_name(InitKind k)
{
    static const char *names[] = {"pytorch", "glorot", "orthogonal", "normal"};
    return k >= INIT_PYTORCH && k <= INIT_NORMAL ? names[k] : "pytorch";
}

double rdn_init_gain(InitKind k, Act a)
{
    return (k == INIT_GLOROT || k == INIT_ORTHOGONAL) && a == ACT_LOGISTIC ? 4.0 : 1.0;
}

/* W_t [d, d] by the net's scheme, from the stream (init_seed, BLK_W, t):
 *   pytorch     U(-a, a), a = gain / sqrt(d)
 *   glorot      U(-a, a), a = gain * sqrt(6 / (d + d))
 *   normal      N(0, (gain * std)^2), std = init_std or 1 / sqrt(d)
 *   orthogonal  gain * Q, Q the orthogonal factor (R with a positive diagonal) of a d x d matrix
 *               of N(0, 1) draws, by modified Gram-Schmidt in double precision */
static void init_weights(const Net *net, float *W, int t)
{
    int64_t d = net->width;
    double gain = net->gain > 0 ? net->gain : rdn_init_gain(net->init, net->act);
    if (net->init == INIT_PYTORCH) {
        init_uniform(W, d * d, gain / sqrt((double)d), net->init_seed, BLK_W, t);
        return;
    }
    if (net->init == INIT_GLOROT) {
        init_uniform(W, d * d, gain * sqrt(6.0 / (double)(d + d)), net->init_seed, BLK_W, t);
        return;
    }
    RdnRng r;
    rdn_rng_derive(&r, net->init_seed, BLK_W, (uint64_t)t);
    if (net->init == INIT_NORMAL) {
        double sd = gain * (net->init_std > 0 ? net->init_std : 1.0 / sqrt((double)d));
        for (int64_t i = 0; i < d * d; i++) W[i] = (float)(sd * rdn_rng_normal(&r));
        return;
    }
    /* orthogonal: columns of A orthonormalised in order; a (numerically) dependent column is
     * redrawn, which happens with probability 0 */
    double *A = malloc(sizeof(double) * (size_t)(d * d));
    if (!A) { /* out of memory: fall back to a scaled identity, still orthogonal */
        for (int64_t i = 0; i < d * d; i++) W[i] = (float)(i % (d + 1) == 0 ? gain : 0.0);
        return;
    }
    for (int64_t i = 0; i < d * d; i++) A[i] = rdn_rng_normal(&r);
    for (int64_t j = 0; j < d; j++) {
        for (;;) {
            for (int64_t q = 0; q < j; q++) {
                double dot = 0;
                for (int64_t i = 0; i < d; i++) dot += A[i * d + q] * A[i * d + j];
                for (int64_t i = 0; i < d; i++) A[i * d + j] -= dot * A[i * d + q];
            }
            double nrm = 0;
            for (int64_t i = 0; i < d; i++) nrm += A[i * d + j] * A[i * d + j];
            nrm = sqrt(nrm);
            if (nrm > 1e-10) {
                for (int64_t i = 0; i < d; i++) A[i * d + j] /= nrm;
                break;
            }
            for (int64_t i = 0; i < d; i++) A[i * d + j] = rdn_rng_normal(&r);
        }
    }
    for (int64_t i = 0; i < d * d; i++) W[i] = (float)(gain * A[i]);
    free(A);
}

/* Layer t: W_t by the scheme, b_t always as PyTorch's Linear (U(+-1/sqrt(d))). */
static void init_layer(Net *net, int t)
{
    int64_t d = net->width;
    init_weights(net, net->W + t * d * d, t);
    init_uniform(net->b + t * d, d, 1.0 / sqrt((double)d), net->init_seed, BLK_b, t);
}

void rdn_opt_reset(OptState *s)
{
    free(s->m);
    free(s->v);
    memset(s, 0, sizeof *s);
}

int rdn_opt_copy(OptState *dst, const OptState *src, int64_t nparams, RdnErr *err)
{
    *dst = *src;
    dst->m = dst->v = NULL;
    if (src->m && !(dst->m = rdn_alloc_aligned((size_t)nparams, sizeof(float), "optimizer state", err)))
        return -1;
    if (src->v && !(dst->v = rdn_alloc_aligned((size_t)nparams, sizeof(float), "optimizer state", err))) {
        free(dst->m);
        dst->m = NULL;
        return -1;
    }
    if (src->m) memcpy(dst->m, src->m, (size_t)nparams * sizeof(float));
    if (src->v) memcpy(dst->v, src->v, (size_t)nparams * sizeof(float));
    return 0;
}

static int alloc_slabs(Net *net, int L, RdnErr *err)
{
    NetLayout l = rdn_net_layout(net->in, net->width, net->classes, net->embed, L);
    net->params = rdn_alloc_aligned((size_t)l.total, sizeof(float), "net parameters", err);
    net->grads = net->params ? rdn_alloc_aligned((size_t)l.total, sizeof(float), "net gradients", err) : NULL;
    if (!net->grads) {
        free(net->params);
        net->params = NULL;
        return -1;
    }
    rdn_net_set_views(net, L);
    return 0;
}

Net *rdn_net_new(const NetSpec *spec, RdnErr *err) { return rdn_net_new_init(spec, NULL, err); }

Net *rdn_net_new_init(const NetSpec *spec, const InitSpec *init, RdnErr *err)
{
    InitSpec is = init ? *init : (InitSpec){0};
    float step = spec->kind == NET_MLP ? 1.0f : spec->step;
    if (rdn_net_check_sizes(spec->kind, spec->in, spec->width, spec->depth, spec->classes, step, err))
        return NULL;
    if (spec->kind == NET_MLP && spec->shared)
        return rdn_err(err, "mlp: layers of an MLP are never shared"), NULL;
    Net *net = rdn_calloc(1, sizeof *net, "net", err);
    if (!net) return NULL;
    net->kind = spec->kind;
    net->act = spec->act;
    net->in = spec->in;
    net->width = spec->width;
    net->depth = spec->depth;
    net->classes = spec->classes;
    net->shared = spec->kind == NET_RESNET && spec->shared;
    net->embed = spec->width != spec->in;
    net->step = step;
    net->init_seed = spec->init_seed;
    net->init = is.kind;
    net->gain = is.gain;
    net->init_std = is.std;
    if (net->init < INIT_PYTORCH || net->init > INIT_NORMAL || !(net->gain >= 0) || !isfinite(net->gain) ||
        !(net->init_std >= 0) || !isfinite(net->init_std)) {
        free(net);
        return rdn_err(err, "%s: bad initialisation settings", rdn_net_kind_name(spec->kind)), NULL;
    }
    int L = net->shared ? 1 : net->depth;
    net->cap_depth = net->shared ? net->depth : L;
    if (alloc_slabs(net, L, err)) {
        free(net);
        return NULL;
    }
    int64_t d = net->width;
    if (net->embed) {
        double be = 1.0 / sqrt((double)net->in);
        init_uniform(net->E, d * net->in, be, net->init_seed, BLK_E, 0);
        init_uniform(net->e, d, be, net->init_seed, BLK_e, 0);
    }
    for (int t = 0; t < L; t++) init_layer(net, t);
    double bv = 1.0 / sqrt((double)d);
    init_uniform(net->V, (int64_t)net->classes * d, bv, net->init_seed, BLK_V, 0);
    init_uniform(net->c, net->classes, bv, net->init_seed, BLK_c, 0);
    return net;
}

void rdn_net_free(Net *net)
{
    if (!net) return;
    free(net->params);
    free(net->grads);
    free(net->provenance);
    rdn_table_free(net->history);
    rdn_opt_reset(&net->opt);
    free(net);
}

Net *rdn_net_clone(const Net *src, RdnErr *err)
{
    Net *net = rdn_calloc(1, sizeof *net, "net", err);
    if (!net) return NULL;
    *net = *src;
    net->params = net->grads = NULL;
    net->provenance = NULL;
    net->history = NULL;
    memset(&net->opt, 0, sizeof net->opt);
    int L = src->shared ? 1 : src->depth;
    if (alloc_slabs(net, L, err)) {
        free(net);
        return NULL;
    }
    if (rdn_opt_copy(&net->opt, &src->opt, src->nparams, err)) {
        rdn_net_free(net);
        return NULL;
    }
    memcpy(net->params, src->params, (size_t)src->nparams * sizeof(float));
    memcpy(net->grads, src->grads, (size_t)src->nparams * sizeof(float));
    if (src->provenance && !(net->provenance = strdup(src->provenance))) {
        rdn_net_free(net);
        return rdn_err(err, "net: out of memory"), NULL;
    }
    return net;
}

int rdn_remap_slab(float **buf, const Net *net, int L0, int L1, RdnErr *err)
{
    if (!*buf) return 0;
    NetLayout a = rdn_net_layout(net->in, net->width, net->classes, net->embed, L0);
    NetLayout b = rdn_net_layout(net->in, net->width, net->classes, net->embed, L1);
    float *nb = rdn_alloc_aligned((size_t)b.total, sizeof(float), "optimizer state", err);
    if (!nb) return -1;
    int64_t d = net->width, keep = L0 < L1 ? L0 : L1;
    memset(nb, 0, (size_t)b.total * sizeof(float));
    memcpy(nb + b.E, *buf + a.E, (size_t)(a.W - a.E) * sizeof(float)); /* E and e */
    memcpy(nb + b.W, *buf + a.W, (size_t)(keep * d * d) * sizeof(float));
    memcpy(nb + b.b, *buf + a.b, (size_t)(keep * d) * sizeof(float));
    memcpy(nb + b.V, *buf + a.V, (size_t)(a.total - a.V) * sizeof(float));
    free(*buf);
    *buf = nb;
    return 0;
}

int rdn_net_set_depth(Net *net, int depth, RdnErr *err)
{
    if (depth < 1 || depth > MAX_DEPTH)
        return rdn_err(err, "depth must be 1..%d, got %d", MAX_DEPTH, depth);
    if (net->shared) {
        net->depth = net->cap_depth = depth;
        return 0;
    }
    if (depth == net->depth) return 0;
    /* unshared: a new slab holding exactly `depth` layers; kept layers copied, new ones seeded */
    Net tmp = *net;
    if (alloc_slabs(&tmp, depth, err)) return -1;
    int64_t d = net->width, keep = depth < net->depth ? depth : net->depth;
    if (net->embed) {
        memcpy(tmp.E, net->E, (size_t)(d * net->in) * sizeof(float));
        memcpy(tmp.e, net->e, (size_t)d * sizeof(float));
    }
    memcpy(tmp.W, net->W, (size_t)(keep * d * d) * sizeof(float));
    memcpy(tmp.b, net->b, (size_t)(keep * d) * sizeof(float));
    memcpy(tmp.V, net->V, (size_t)(net->classes * d) * sizeof(float));
    memcpy(tmp.c, net->c, (size_t)net->classes * sizeof(float));
    if (rdn_remap_slab(&tmp.opt.m, net, net->depth, depth, err) || rdn_remap_slab(&tmp.opt.v, net, net->depth, depth, err)) {
        rdn_opt_reset(&tmp.opt); /* out of memory: the state is dropped, never left dangling */
        net->opt = tmp.opt;
        free(tmp.params);
        free(tmp.grads);
        return -1;
    }
    free(net->params);
    free(net->grads);
    *net = tmp;
    for (int t = (int)keep; t < depth; t++) init_layer(net, t);
    net->depth = net->cap_depth = depth;
    return 0;
}

/* ---- forward ---- */

/* --compute openblas: the product through rdn_sgemm (OpenBLAS), then the bias */
static void gemm_bias(const RdnGemm *g)
{
    if (rdn_compute() == RDN_COMPUTE_DET) {
        rdn_gemm(g);
        return;
    }
    rdn_sgemm(g->ta, g->tb, g->m, g->n, g->k, g->alpha, g->A, g->lda, g->B, g->ldb, g->beta, g->C, g->ldc);
    if (g->bias)
        for (int i = 0; i < g->m; i++)
            for (int j = 0; j < g->n; j++) g->C[(size_t)i * g->ldc + j] += g->bias[j];
}

void rdn_linear_fwd(float *out, int ldo, const float *in, int ldi, const float *Wm,
                    const float *bias, int n, int m, int p)
{
    RdnGemm g = {0, 1, n, m, p, 1.0f, in, ldi, Wm, p, 0.0f, out, ldo, bias};
    gemm_bias(&g);
}

void rdn_transpose(float *dst, const float *src, int rows, int cols)
{
    enum { TB = 32 };
    for (int i0 = 0; i0 < rows; i0 += TB)
        for (int j0 = 0; j0 < cols; j0 += TB)
            for (int i = i0; i < i0 + TB && i < rows; i++)
                for (int j = j0; j < j0 + TB && j < cols; j++)
                    dst[(size_t)j * rows + i] = src[(size_t)i * cols + j];
}

/* exp(x) for float in a form that vectorises: Cody-Waite reduction x = n ln2 + r, a degree-6
 * polynomial (Cephes' expf coefficients, about 1 ulp), and 2^n built in the exponent bits.
 * NaN propagates; large inputs saturate to about 3.4e38 and tiny ones to about 1.2e-38. */
static inline float exp_poly(float x)
{
    x = x > 88.0f ? 88.0f : x;
    x = x < -87.0f ? -87.0f : x;
    float t = x * 1.44269504088896341f + 12582912.0f; /* round to nearest via 1.5 * 2^23 */
    float n = t - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    /* n is in [-126, 127] after the clamps; NaN (which p carries on) takes the scale of n = 0 */
    float nn = n == n ? n : 0.0f;
    uint32_t e = (uint32_t)((int32_t)nn + 127) << 23;
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}

/* One contiguous run of len elements. On entry hn holds z = W h + b (the bias argument is unused:
 * the product adds it). Leaves h_next in hn, the residual in r and the local
 * derivative in dv (either may be NULL). */
#define KERNEL(NAME, ACTEXPR, DEREXPR)                                                           \
    HOT static void NAME(int len, const float *restrict h, float *restrict hn, float *restrict r, \
                         float *restrict dv, const float *restrict bias, float eta, int resnet)  \
    {                                                                                            \
        if (resnet) {                                                                            \
            for (int j = 0; j < len; j++) {                                                      \
                float z = hn[j];                                                                  \
                float s = ACTEXPR;                                                               \
                float rr = eta * s;                                                              \
                hn[j] = h[j] + rr;                                                               \
                if (r) r[j] = rr;                                                                \
                if (dv) dv[j] = eta * (DEREXPR);                                                 \
            }                                                                                    \
        } else {                                                                                 \
            for (int j = 0; j < len; j++) {                                                      \
                float z = hn[j];                                                                  \
                float s = ACTEXPR;                                                               \
                hn[j] = s;                                                                       \
                if (r) r[j] = s - h[j];                                                          \
                if (dv) dv[j] = DEREXPR;                                                         \
            }                                                                                    \
        }                                                                                        \
    }
KERNEL(kern_logistic, 1.0f / (1.0f + exp_poly(-z)), s * (1.0f - s))
KERNEL(kern_tanh, rdn_tanhf(z), 1.0f - s * s)
KERNEL(kern_relu, z > 0.0f ? z : 0.0f, z > 0.0f ? 1.0f : 0.0f)

float rdn_logistic(float z) { return 1.0f / (1.0f + exp_poly(-z)); }

typedef void (*KernFn)(int, const float *, float *, float *, float *, const float *, float, int);
static KernFn kern_of(Act a)
{
    return a == ACT_LOGISTIC ? kern_logistic : a == ACT_TANH ? kern_tanh : kern_relu;
}

/* The element-wise half of a layer on len elements: AVX2 lanes where the path has them, the
 * scalar kernel for the rest (the same bits either way). */
static void act_run(const Net *net, int resnet, int len, const float *h, float *hn, float *r,
                    float *dv)
{
    int j = rdn_isa() != RDN_ISA_GENERIC ? rdn_act_run_avx2(net->act, resnet, len, h, hn, r, dv, net->step) : 0;
    if (j < len)
        kern_of(net->act)(len - j, h + j, hn + j, r ? r + j : NULL, dv ? dv + j : NULL, NULL,
                          net->step, resnet);
}

void rdn_layer_fwd(const Net *net, int t, const float *Wt, const float *hin, int ldh, int n,
                   float *hnext, int ldn, float *rout, int ldr, float *deriv)
{
    int d = net->width, resnet = net->kind == NET_RESNET;
    /* z = h W_t^T + b_t into h_next: one product with the bias in its epilogue; W_t^T given
     * (Wt) is read in place, else the kernels pack it */
    RdnGemm g = Wt ? (RdnGemm){0, 0, n, d, d, 1.0f, hin, ldh, Wt, d, 0.0f, hnext, ldn, rdn_net_b(net, t)}
                   : (RdnGemm){0, 1, n, d, d, 1.0f, hin, ldh, rdn_net_W(net, t), d, 0.0f, hnext, ldn, rdn_net_b(net, t)};
    gemm_bias(&g);
    if (ldh == d && ldn == d && (!rout || ldr == d)) {
        act_run(net, resnet, n * d, hin, hnext, rout, deriv); /* one flat run */
        return;
    }
    for (int i = 0; i < n; i++)
        act_run(net, resnet, d, hin + (size_t)i * ldh, hnext + (size_t)i * ldn,
                rout ? rout + (size_t)i * ldr : NULL, deriv ? deriv + (size_t)i * d : NULL);
}

HOT static void mul_into(float *dz, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++) dz[i] = a[i] * b[i];
}

void rdn_layer_bwd(float *dh_prev, float *dz, const float *dh_next, const float *deriv,
                   const Net *net, int t, int n)
{
    int d = net->width;
    size_t nd = (size_t)n * d;
    mul_into(dz, deriv, dh_next, nd);
    if (!dh_prev) return;
    float beta = 0.0f;
    if (net->kind == NET_RESNET) { /* dh_t = dh_{t+1} + dz W_t */
        if (dh_prev != dh_next) memcpy(dh_prev, dh_next, nd * sizeof(float));
        beta = 1.0f;
    }
    RdnGemm g = {0, 0, n, d, d, 1.0f, dz, d, rdn_net_W(net, t), d, beta, dh_prev, d, NULL};
    gemm_bias(&g);
}

void rdn_net_layer(const Net *net, int t, const float *h, int64_t n, float *h_next, float *r)
{
    int d = net->width;
    for (int64_t i0 = 0; i0 < n; i0 += FWD_CHUNK) {
        int m = (int)(n - i0 < FWD_CHUNK ? n - i0 : FWD_CHUNK);
        rdn_layer_fwd(net, t, NULL, h + i0 * d, d, m, h_next + i0 * d, d, r ? r + i0 * d : NULL, d, NULL);
    }
}

void rdn_net_embed(const Net *net, const float *x, int64_t n, float *h0)
{
    int d = net->width, D = net->in;
    for (int64_t i0 = 0; i0 < n; i0 += FWD_CHUNK) {
        int m = (int)(n - i0 < FWD_CHUNK ? n - i0 : FWD_CHUNK);
        if (net->embed)
            rdn_linear_fwd(h0 + i0 * d, d, x + i0 * D, D, net->E, net->e, m, d, D);
        else
            memcpy(h0 + i0 * d, x + i0 * D, (size_t)m * d * sizeof(float));
    }
}

void rdn_net_head(const Net *net, const float *h, int64_t n, float *logits)
{
    int d = net->width, k = net->classes;
    for (int64_t i0 = 0; i0 < n; i0 += FWD_CHUNK) {
        int m = (int)(n - i0 < FWD_CHUNK ? n - i0 : FWD_CHUNK);
        rdn_linear_fwd(logits + i0 * k, k, h + i0 * d, d, net->V, net->c, m, k, d);
    }
}

/* One chunk of the forward pass split into row shards, one per thread: each shard runs its rows
 * through every layer with no synchronisation between layers (rows are independent). */
typedef struct FwdJob {
    const Net *net;
    const float *Wt;        /* W^T [d, d] of a shared net, or NULL */
    const float *x;         /* the chunk's inputs [m, D] */
    int m;
    float *logits;          /* [m, k] or NULL */
    float *states;          /* [m, T+1, d] or NULL (then buf) */
    float *resid;           /* rows at stride ldr, or NULL */
    int64_t ldr;
    float *buf;             /* [2, ch, d] ping-pong when states are not kept */
    int64_t ch;
} FwdJob;

static void fwd_rows(void *ctx, int s, int ns)
{
    const FwdJob *j = ctx;
    const Net *net = j->net;
    int d = net->width, D = net->in, T = net->depth, k = net->classes;
    int a = (int)((int64_t)j->m * s / ns), n = (int)((int64_t)j->m * (s + 1) / ns) - a;
    if (n <= 0) return;
    int64_t lds = (int64_t)(T + 1) * d;
    float *h = j->states ? j->states + a * lds : j->buf + (int64_t)a * d; /* one is set */
    int ldh = j->states ? (int)lds : d;
    if (net->embed)
        rdn_linear_fwd(h, ldh, j->x + (int64_t)a * D, D, net->E, net->e, n, d, D);
    else
        for (int i = 0; i < n; i++)
            memcpy(h + (size_t)i * ldh, j->x + (int64_t)(a + i) * D, (size_t)d * sizeof(float));
    float *pp[2] = {NULL, NULL};
    if (j->buf) pp[0] = j->buf + (int64_t)a * d, pp[1] = j->buf + (j->ch + a) * d;
    for (int t = 0; t < T; t++) {
        float *hn = j->states ? h + d : (h == pp[0] ? pp[1] : pp[0]);
        float *r = j->resid ? j->resid + a * j->ldr + (int64_t)t * d : NULL;
        rdn_layer_fwd(net, t, j->Wt, h, ldh, n, hn, ldh, r, (int)j->ldr, NULL);
        h = hn;
    }
    if (j->logits) rdn_linear_fwd(j->logits + (int64_t)a * k, k, h, ldh, net->V, net->c, n, k, d);
}

/* Threads for m rows of a net: one unless every shard gets enough work to pay for the wake-up
 * (the split never changes a result). */
int rdn_net_shards(const Net *net, int m)
{
    int nth = rdn_blas_threads();
    int64_t work = (int64_t)m * net->width * net->width * (net->depth + 1);
    if (nth <= 1 || work < ((int64_t)1 << 17) || rdn_pool_in_task()) return 1;
    if (nth > m / 4) nth = m / 4;
    return nth < 1 ? 1 : nth;
}

int rdn_net_forward(const Net *net, const float *x, int64_t n, float *logits, float *states,
                    float *resid, RdnErr *err)
{
    int d = net->width, D = net->in, T = net->depth, k = net->classes;
    int64_t ch = n < FWD_CHUNK ? (n > 0 ? n : 1) : FWD_CHUNK;
    /* ping-pong buffers when states are not recorded; W^T once for a shared net */
    float *buf = states ? NULL : rdn_alloc_aligned((size_t)(2 * ch * d), sizeof(float), "forward buffers", err);
    if (!states && !buf) return -1;
    float *Wt = net->shared ? rdn_alloc_aligned((size_t)d * d, sizeof(float), "forward buffers", err) : NULL;
    if (net->shared && !Wt) {
        free(buf);
        return -1;
    }
    if (Wt) rdn_transpose(Wt, net->W, d, d);
    int64_t lds = (int64_t)(T + 1) * d, ldr = (int64_t)T * d;
    for (int64_t i0 = 0; i0 < n; i0 += ch) {
        if (i0 && rdn_interrupt) {
            free(buf);
            free(Wt);
            return rdn_err_interrupted(err, "interrupted");
        }
        int m = (int)(n - i0 < ch ? n - i0 : ch);
        FwdJob j = {net, Wt, x + i0 * D, m, logits ? logits + i0 * k : NULL,
                    states ? states + i0 * lds : NULL, resid ? resid + i0 * ldr : NULL, ldr, buf, ch};
        rdn_pool_run(rdn_net_shards(net, m), fwd_rows, &j);
    }
    free(buf);
    free(Wt);
    return 0;
}

/* ---- loss, evaluation, prediction ---- */

double rdn_loss_rows(LossKind loss, const float *logits, const int32_t *y, int n, int k,
                     float *dlogits, float gscale, int64_t *correct)
{
    double total = 0;
    for (int i = 0; i < n; i++) {
        const float *l = logits + (size_t)i * k;
        int am = 0;
        float mx = l[0];
        for (int j = 1; j < k; j++)
            if (l[j] > mx) mx = l[j], am = j;
        if (correct && am == y[i]) (*correct)++;
        double se = 0;
        for (int j = 0; j < k; j++) se += rdn_exp((double)l[j] - mx);
        if (loss == LOSS_XENT) {
            total += rdn_log(se) - ((double)l[y[i]] - mx);
            if (dlogits) {
                float *g = dlogits + (size_t)i * k;
                for (int j = 0; j < k; j++)
                    g[j] = (float)((rdn_exp((double)l[j] - mx) / se - (j == y[i])) * gscale);
            }
        } else {
            /* mean over classes of (p_j - onehot_j)^2, p = softmax(logits); gradient through the
             * softmax: dL/dl_m = p_m (g_m - sum_j g_j p_j), g_j = 2 (p_j - onehot_j) / k */
            double dot = 0, sq = 0;
            for (int j = 0; j < k; j++) {
                double pj = rdn_exp((double)l[j] - mx) / se, diff = pj - (j == y[i]);
                sq += diff * diff;
                dot += 2.0 * diff / k * pj;
            }
            total += sq / k;
            if (dlogits) {
                float *g = dlogits + (size_t)i * k;
                for (int j = 0; j < k; j++) {
                    double pj = rdn_exp((double)l[j] - mx) / se;
                    g[j] = (float)(pj * (2.0 * (pj - (j == y[i])) / k - dot) * gscale);
                }
            }
        }
    }
    return total;
}

/* Messages carry no function prefix: the bindings add the builtin's name. */
static int check_data(const Net *net, const Dataset *d, int labels, RdnErr *err)
{
    if (d->dim != net->in)
        return rdn_err(err, "the data has inputs of dimension %d but the net takes in %d", d->dim,
                       net->in);
    if (labels)
        for (int64_t i = 0; i < d->n; i++)
            if (d->y[i] < 0 || d->y[i] >= net->classes)
                return rdn_err(err, "input %lld has label %d but the net has %d classes",
                               (long long)i, d->y[i], net->classes);
    return 0;
}

int rdn_net_evaluate(const Net *net, const Dataset *d, LossKind loss, double *mean_loss,
                     double *acc, RdnErr *err)
{
    if (check_data(net, d, 1, err)) return -1;
    if (d->n == 0) return rdn_err(err, "the data set is empty");
    int k = net->classes;
    float *lg = rdn_alloc_aligned((size_t)FWD_CHUNK * k, sizeof(float), "logits", err);
    if (!lg) return -1;
    double total = 0;
    int64_t correct = 0;
    for (int64_t i0 = 0; i0 < d->n; i0 += FWD_CHUNK) {
        int m = (int)(d->n - i0 < FWD_CHUNK ? d->n - i0 : FWD_CHUNK);
        if (rdn_net_forward(net, d->x + i0 * d->dim, m, lg, NULL, NULL, err)) {
            free(lg);
            return -1;
        }
        total += rdn_loss_rows(loss, lg, d->y + i0, m, k, NULL, 0, &correct);
    }
    free(lg);
    if (mean_loss) *mean_loss = total / (double)d->n;
    if (acc) *acc = (double)correct / (double)d->n;
    return 0;
}

int rdn_net_predict(const Net *net, const Dataset *d, int32_t *pred, RdnErr *err)
{
    if (check_data(net, d, 0, err)) return -1;
    int k = net->classes;
    float *lg = rdn_alloc_aligned((size_t)FWD_CHUNK * k, sizeof(float), "logits", err);
    if (!lg) return -1;
    for (int64_t i0 = 0; i0 < d->n; i0 += FWD_CHUNK) {
        int m = (int)(d->n - i0 < FWD_CHUNK ? d->n - i0 : FWD_CHUNK);
        if (rdn_net_forward(net, d->x + i0 * d->dim, m, lg, NULL, NULL, err)) {
            free(lg);
            return -1;
        }
        for (int i = 0; i < m; i++) {
            const float *l = lg + (size_t)i * k;
            int am = 0;
            for (int j = 1; j < k; j++)
                if (l[j] > l[am]) am = j;
            pred[i0 + i] = am;
        }
    }
    free(lg);
    return 0;
}
