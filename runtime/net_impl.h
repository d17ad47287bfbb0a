/* net_impl.h: pieces shared by net.c, train.c and model_io.c (private to the runtime's net area).
 * Shapes are row-major with explicit leading dimensions (row strides) so that layers can read and
 * write the [n, T+1, d] layouts of rdn_net_forward and the [T, B, d] buffers of training. */
#ifndef RDN_NET_IMPL_H
#define RDN_NET_IMPL_H
#include "net.h"

/* Hot element-wise kernels: compiled at -O3 and, with GCC on x86-64, cloned for AVX-512 and AVX2
 * (picked at load time). They only use IEEE operations whose results do not depend on the vector
 * width (no FMA contraction under -std=c11), so every clone gives the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(RDN_FUZZ)
#define HOT __attribute__((optimize("O3"), target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HOT
#endif

/* The logistic function as every layer computes it (a vectorisable exp, about 1 ulp). */
float rdn_logistic(float z);

/* out[n, m] (ld ldo) = in[n, p] (ld ldi) . Wm[m, p]^T + bias[m] (bias may be NULL): gemm.h's
 * deterministic product. */
void rdn_linear_fwd(float *out, int ldo, const float *in, int ldi, const float *Wm,
                    const float *bias, int n, int m, int p);
/* dst[cols, rows] = src[rows, cols]^T. */
void rdn_transpose(float *dst, const float *src, int rows, int cols);

/* Forward through layer t for n rows:
 *   h_next [n, d] (ld ldn)  h_{t+1}; must not alias h
 *   r      [n, d] (ld ldr)  r_t, or NULL
 *   deriv  [n, d]           dh_{t+1}/dz_t: eta*sigma'(z_t) (ResNet) or sigma'(z_t) (MLP), or NULL
 *   h      [n, d] (ld ldh)  h_t
 *   Wt     [d, d]           W_t^T when the caller has it (a shared net transposes W once), or NULL
 * z_t = h W_t^T + b_t is one product with the bias in its epilogue, then the activation and the
 * residual update run over the rows while they are in cache. */
void rdn_layer_fwd(const Net *net, int t, const float *Wt, const float *h, int ldh, int n,
                   float *h_next, int ldn, float *r, int ldr, float *deriv);
/* Backward through layer t for n rows (outputs first, sizes last; all [n, d] contiguous):
 *   dh_prev [n, d]  dL/dh_t, or NULL when not wanted (the first layer without an embedding);
 *                   may be dh_next itself (updated in place)
 *   dz      [n, d]  dL/dz_t = deriv * dh_next; may be deriv itself (overwritten)
 *   dh_next [n, d]  dL/dh_{t+1}
 *   deriv   [n, d]  rdn_layer_fwd's deriv
 * dh_t = dh_{t+1} + dz W_t for a ResNet, dz W_t for an MLP. The weight gradients dW_t = dz^T h_t
 * and db_t = colsum dz are left to the caller (train.c takes a shared W's over all layers in one
 * product). */
void rdn_layer_bwd(float *dh_prev, float *dz, const float *dh_next, const float *deriv,
                   const Net *net, int t, int n);
/* layer_avx2.c: the element-wise half of rdn_layer_fwd on the first len - len % 8 elements (hn
 * holds z on entry); returns how many it did (0 for tanh, or without AVX2). */
int rdn_act_run_avx2(Act act, int resnet, int len, const float *h, float *hn, float *r, float *dv,
                     float eta);
/* Threads (row shards) for a forward or backward pass over m rows: 1 for small work. */
int rdn_net_shards(const Net *net, int m);

/* Loss over n rows of logits [n, k] with labels y: returns the summed loss (not the mean); counts
 * correct argmax predictions into *correct (may be NULL); when dlogits is non-NULL writes
 * d(sum loss)/d logits * gscale there. Labels must be in range. */
double rdn_loss_rows(LossKind loss, const float *logits, const int32_t *y, int n, int k,
                     float *dlogits, float gscale, int64_t *correct);

/* Parameter layout for L weight layers: offsets of each block in the slab and the total. */
typedef struct NetLayout { int64_t E, e, W, b, V, c, total; } NetLayout;
NetLayout rdn_net_layout(int in, int width, int classes, int embed, int L);
/* Points the views of net (params and grads) at the blocks for L layers. */
void rdn_net_set_views(Net *net, int L);
/* Moves a slab-shaped buffer (optimizer state, a backup) from the layout of L0 weight layers to
 * L1 (kept blocks copied, new ones zero); *buf NULL is left alone. */
int rdn_remap_slab(float **buf, const Net *net, int L0, int L1, RdnErr *err);
/* Checks sizes of a spec-like description; 0 or error. */
int rdn_net_check_sizes(NetKind kind, int in, int width, int depth, int classes, float step,
                        RdnErr *err);

#endif
