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

/* Below this inner dimension, matrix products use plain loops (a BLAS call costs more). */
#define RDN_SMALL_INNER 16

/* out[n, m] (ld ldo) = in[n, p] (ld ldi) . Wm[m, p]^T + bias[m] (bias may be NULL). */
/* The logistic function as every layer computes it (a vectorisable exp, about 1 ulp). */
float rdn_logistic(float z);

void rdn_linear_fwd(float *out, int ldo, const float *in, int ldi, const float *Wm,
                    const float *bias, int n, int m, int p);

/* Layer t on n states h (ld ldh): h_next (ld ldn), r (ld ldr, may be NULL) and, when deriv is
 * non-NULL, the local derivative dh_next/dz [n, d] contiguous: eta*sigma'(z) for a ResNet, sigma'(z)
 * for an MLP. h_next must not alias h. */
void rdn_layer_fwd(const Net *net, int t, const float *h, int ldh, int n, float *h_next, int ldn,
                   float *r, int ldr, float *deriv);

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
