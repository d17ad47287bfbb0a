/* net.h: ResNets and MLPs (docs/model.md "Networks"), training (docs/model.md "Gradients and optimizers"), model files.
 *
 * Parameters live in one slab (params) and gradients in another of the same layout (grads).
 * Layout in the slab, in this order:
 *   E [d, D], e [d]          only when embed (width != in)
 *   W [L, d, d], b [L, d]    L = 1 when shared, else cap_depth (>= depth); rows are output units
 *   V [k, d], c [k]          the head
 * Layer t uses W_t = W + (shared ? 0 : t*d*d), b_t likewise (rdn_net_W / rdn_net_b). */
#ifndef RDN_NET_H
#define RDN_NET_H
#include <stdint.h>
#include <stdio.h>
#include "dataset.h"
#include "rdn_err.h"
#include "rng.h"
#include "table.h"

typedef enum { NET_RESNET, NET_MLP } NetKind;
typedef enum { ACT_LOGISTIC, ACT_TANH, ACT_RELU } Act;
typedef enum { OPT_SGD, OPT_MOMENTUM, OPT_ADAM } OptKind;
typedef enum { LOSS_XENT, LOSS_MSE } LossKind;

typedef struct NetSpec {
    NetKind kind;
    int in, width, depth, classes;   /* D, d, T, k */
    Act act;
    int shared;                      /* resnet: 1 (default) shares W, b across layers; mlp: 0 */
    float step;                      /* eta; resnet only (mlp ignores it) */
    uint64_t init_seed;              /* initial weights come from this seed alone */
} NetSpec;

typedef struct Net {
    NetKind kind;
    Act act;
    int in, width, depth, classes;
    int shared, embed, cap_depth;
    float step;
    uint64_t init_seed;
    float *params, *grads;           /* one slab each, same layout, nparams floats */
    int64_t nparams;
    float *E, *e, *W, *b, *V, *c;    /* views into params (E, e NULL without embedding) */
    float *gE, *ge, *gW, *gb, *gV, *gc; /* the same views into grads */
    char *provenance;                /* JSON record carried in model files (owned, may be NULL) */
    Table *history;                  /* the last fit's history, also of an interrupted fit (the
                                        finished epochs); owned, NULL before any fit; not saved */
} Net;

Net  *rdn_net_new(const NetSpec *spec, RdnErr *err);
void  rdn_net_free(Net *net);
Net  *rdn_net_clone(const Net *net, RdnErr *err);
static inline const float *rdn_net_W(const Net *n, int t) { return n->W + (n->shared ? 0 : (int64_t)t * n->width * n->width); }
static inline const float *rdn_net_b(const Net *n, int t) { return n->b + (n->shared ? 0 : (int64_t)t * n->width); }
const char *rdn_act_name(Act a);
const char *rdn_net_kind_name(NetKind k);

/* Forward pass for n inputs x [n, in]. Any output may be NULL:
 *   logits [n, classes]; states [n, depth+1, width] (h_0..h_T per input);
 *   resid [n, depth, width] (r_0..r_{T-1}: eta*sigma(z_t) for a ResNet, h_{t+1}-h_t for an MLP).
 * Works in batches internally; polls rdn_interrupt between batches. */
int rdn_net_forward(const Net *net, const float *x, int64_t n, float *logits, float *states,
                    float *resid, RdnErr *err);
/* The head alone on states h [n, width]: logits [n, classes]. */
void rdn_net_head(const Net *net, const float *h, int64_t n, float *logits);
/* h_0 from inputs (the embedding, or a copy): h0 [n, width]. */
void rdn_net_embed(const Net *net, const float *x, int64_t n, float *h0);
/* One layer t on n states: h_next [n, width], r [n, width] (r may be NULL). For shared ResNets any
 * t >= 0 is allowed (the iterated map); otherwise 0 <= t < depth. h_next may not alias h. */
void rdn_net_layer(const Net *net, int t, const float *h, int64_t n, float *h_next, float *r);

/* Depth: shared ResNets take any depth >= 1 and keep every parameter; unshared nets drop the last
 * layers (prune) or grow with fresh layers initialised from init_seed. */
int rdn_net_set_depth(Net *net, int depth, RdnErr *err);

/* Mean loss and accuracy over a data set (no gradient). Either output may be NULL. */
int rdn_net_evaluate(const Net *net, const Dataset *d, LossKind loss, double *mean_loss,
                     double *acc, RdnErr *err);
/* Argmax predictions pred [n]. */
int rdn_net_predict(const Net *net, const Dataset *d, int32_t *pred, RdnErr *err);

/* ---- training ---- */
struct AdaptOpts;
typedef struct FitOpts {
    int epochs, batch;
    double lr, momentum;             /* momentum used by OPT_MOMENTUM (and 0.9 default) */
    double beta1, beta2, eps;        /* Adam */
    OptKind opt;
    LossKind loss;
    uint64_t shuffle_seed;           /* epoch e shuffles with a stream derived from (seed, e) */
    const struct AdaptOpts *adapt;   /* NULL: fixed depth */
    int quiet;                       /* no progress output */
    FILE *progress;                  /* where progress goes (stderr) */
    int progress_tty;                /* 1: a redrawn progress bar; 0: one line per epoch */
} FitOpts;
void rdn_fit_defaults(FitOpts *o);

/* Trains in place. history gets columns epoch, loss, acc, val_loss, val_acc, depth (NaN where no
 * val); adapt_log (when adapt) the depth changes (see adapt.h). On NaN/Inf the parameters of the
 * last good batch are restored and an error names epoch and batch. On rdn_interrupt the run stops
 * at the batch boundary, the net is consistent, *history holds the finished epochs and the call
 * returns RDN_INTERRUPTED. */
int rdn_fit(Net *net, const Dataset *train, const Dataset *val, const FitOpts *opts,
            Table **history, Table **adapt_log, RdnErr *err);

/* Loss and gradient (into net->grads, overwritten) for one batch x [n, in], y [n]. For tests. */
int rdn_net_loss_grad(Net *net, const float *x, const int32_t *y, int64_t n, LossKind loss,
                      double *loss_out, RdnErr *err);

/* ---- model files: magic "RDNMODEL", version, kind, sizes, LE float32 params, provenance, CRC32 */
int  rdn_net_write(const Net *net, FILE *f, RdnErr *err);
/* Parses a whole file image; validates every field against len; never trusts a size. */
Net *rdn_net_read(const uint8_t *buf, size_t len, RdnErr *err);

#endif
