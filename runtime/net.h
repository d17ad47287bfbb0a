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
/* Initialisation schemes (formulas: docs/runtime.md "Networks", under Initialisation; the
 * default draw: docs/model.md "Networks"). */
typedef enum { INIT_PYTORCH, INIT_GLOROT, INIT_ORTHOGONAL, INIT_NORMAL } InitKind;

/* The optimizer state a net carries between fits (train.c): consecutive fits with the same
 * optimizer, loss and shuffle seed continue it, so three fit(epochs: 1) calls equal one
 * fit(epochs: 3) bit for bit. m, v have the slab layout (nparams floats) or are NULL. */
typedef struct OptState {
    int active;                      /* 0: no state yet (the next fit starts one) */
    OptKind opt;
    LossKind loss;
    uint64_t shuffle_seed;           /* epoch e of the state shuffles with (shuffle_seed, e) */
    int64_t epoch;                   /* epochs trained with this state (1-based numbering) */
    int64_t step;                    /* optimizer steps taken (Adam's t) */
    float *m, *v;                    /* momentum velocity / Adam's first moment; Adam's second */
} OptState;

typedef struct NetSpec {
    NetKind kind;
    int in, width, depth, classes;   /* D, d, T, k */
    Act act;
    int shared;                      /* resnet: 1 (default) shares W, b across layers; mlp: 0 */
    float step;                      /* eta; resnet only (mlp ignores it) */
    uint64_t init_seed;              /* initial weights come from this seed alone */
} NetSpec;

/* How the layers' weights W_t are drawn (net.c has the formulas); {0} is PyTorch's default. */
typedef struct InitSpec {
    InitKind kind;
    double gain;                     /* 0: the scheme's default (see rdn_init_gain) */
    double std;                      /* INIT_NORMAL: the standard deviation (0: 1/sqrt(d)) */
} InitSpec;

typedef struct Net {
    NetKind kind;
    Act act;
    int in, width, depth, classes;
    int shared, embed, cap_depth;
    float step;
    uint64_t init_seed;
    InitKind init;
    double gain, init_std;           /* as given in the spec (0: defaults) */
    float *params, *grads;           /* one slab each, same layout, nparams floats */
    int64_t nparams;
    float *E, *e, *W, *b, *V, *c;    /* views into params (E, e NULL without embedding) */
    float *gE, *ge, *gW, *gb, *gV, *gc; /* the same views into grads */
    char *provenance;                /* JSON record carried in model files (owned, may be NULL) */
    Table *history;                  /* the last fit's history, also of an interrupted fit (the
                                        finished epochs); owned, NULL before any fit */
    OptState opt;                    /* optimizer state (owned buffers) */
    int64_t epochs;                  /* every epoch this net has been trained (net.epoch) */
} Net;

Net  *rdn_net_new(const NetSpec *spec, RdnErr *err);
/* The same with an initialisation scheme (init NULL: PyTorch's). */
Net  *rdn_net_new_init(const NetSpec *spec, const InitSpec *init, RdnErr *err);
void  rdn_net_free(Net *net);
Net  *rdn_net_clone(const Net *net, RdnErr *err);
static inline const float *rdn_net_W(const Net *n, int t) { return n->W + (n->shared ? 0 : (int64_t)t * n->width * n->width); }
static inline const float *rdn_net_b(const Net *n, int t) { return n->b + (n->shared ? 0 : (int64_t)t * n->width); }
const char *rdn_act_name(Act a);
const char *rdn_init_name(InitKind k);
/* The gain a scheme uses when gain is 0: glorot and orthogonal 4 for the logistic unit (its slope
 * at 0 is 1/4), 5/3 for tanh, sqrt(2) for relu; pytorch and normal 1. */
double rdn_init_gain(InitKind k, Act a);
/* Frees the optimizer state's buffers and marks it inactive (reset_optimizer). */
void rdn_opt_reset(OptState *s);
/* Copies src's state into dst (fresh buffers); 0 or error. */
int rdn_opt_copy(OptState *dst, const OptState *src, int64_t nparams, RdnErr *err);
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
/* Learning-rate schedules as functions of the 1-based epoch of the optimizer state:
 *   LR_CONST   lr
 *   LR_STEP    lr * gamma^floor((e - 1) / every)
 *   LR_COSINE  e <= warmup: lr * e / warmup; warmup < e <= epochs:
 *              min + (lr - min) * (1 + cos(pi * (e - warmup - 1) / (epochs - warmup))) / 2;
 *              e > epochs: min */
typedef enum { LR_CONST, LR_STEP, LR_COSINE } LrKind;
typedef struct LrSched {
    LrKind kind;
    double lr, gamma, min;
    int every, epochs, warmup;
} LrSched;
double rdn_lr_at(const LrSched *s, int64_t epoch);

/* Early stopping on a validation measure: stop when it has not improved by more than min_delta
 * for `patience` epochs; restore_best puts back the parameters of the best epoch at the end. */
typedef enum { STOP_NONE, STOP_VAL_LOSS, STOP_VAL_ACC } StopOn;
typedef struct StopOpts { StopOn on; int patience; double min_delta; int restore_best; } StopOpts;
/* Early stopping's progress (kept in checkpoints). best_params: nparams floats or NULL. */
typedef struct StopState { double best; int64_t best_epoch; int wait; float *best_params; } StopState;

/* What a checkpoint brings back into rdn_fit: the epochs already done in this call, their history
 * rows and early stopping's progress (ownership stays with the caller). */
typedef struct FitResume { int done; int finished; const Table *history; const StopState *stop; } FitResume;

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
    LrSched sched;                   /* the rate when lr_fn is NULL (LR_CONST: lr above) */
    /* a rate computed by the caller (an rdn function): >= 0, or NaN with err set */
    double (*lr_fn)(void *ctx, int64_t epoch, RdnErr *err);
    void *lr_ctx;
    double weight_decay;             /* sgd, momentum: g += wd p; adam: p -= lr wd p (AdamW) */
    double clip;                     /* > 0: the global gradient norm is clipped to it; 0: off */
    StopOpts stop;
    /* after every epoch (row = its history row, already in the history): 0 go on, 1 stop,
     * -1 error (err set). Checkpoints and each_epoch live here. */
    int (*epoch_hook)(void *ctx, Net *net, const Table *hist, const StopState *stop, int finished,
                      RdnErr *err);
    void *hook_ctx;
    const FitResume *resume;         /* NULL: a fresh call */
    int seed_given;                  /* shuffle_seed was given (else the state's seed is kept) */
} FitOpts;
void rdn_fit_defaults(FitOpts *o);
const char *rdn_opt_name(OptKind k);
const char *rdn_loss_name(LossKind k);


/* Trains in place. history gets columns epoch, loss, acc, val_loss, val_acc, depth (NaN where no
 * val); adapt_log (when adapt) the depth changes (see adapt.h). On NaN/Inf the parameters of the
 * last good batch are restored and an error names epoch and batch. On rdn_interrupt the run stops
 * at the batch boundary, the net is consistent, *history holds the finished epochs and the call
 * returns RDN_INTERRUPTED. *history (owned by the caller) holds the finished epochs after any
 * failure once training has started; it is NULL only when the arguments were refused. The history
 * also has an lr column (the epoch's rate); its epoch column counts the optimizer state's epochs. */
int rdn_fit(Net *net, const Dataset *train, const Dataset *val, const FitOpts *opts,
            Table **history, Table **adapt_log, RdnErr *err);
/* Whether a fit with these options continues the net's optimizer state (else it starts fresh). */
int rdn_fit_continues(const Net *net, const FitOpts *o);

/* Per-input gradients of each input's own loss with respect to that input: g [n, in]
 * (dL(x_i, y_i)/dx_i, the loss of one input, not the batch mean). Exact by backpropagation. */
int rdn_net_input_grad(const Net *net, const Dataset *d, LossKind loss, float *g, RdnErr *err);
/* The fast-gradient-sign perturbation in place on n rows x [n, in] with labels y:
 * x += eps * sign(dL(x_i, y_i)/dx_i) (sign 0 for a zero gradient; no clamping). */
int rdn_net_fgsm_rows(const Net *net, float *x, const int32_t *y, int64_t n, double eps, LossKind loss,
                      RdnErr *err);

/* Loss and gradient (into net->grads, overwritten) for one batch x [n, in], y [n]. For tests. */
int rdn_net_loss_grad(Net *net, const float *x, const int32_t *y, int64_t n, LossKind loss,
                      double *loss_out, RdnErr *err);

/* ---- model files: magic "RDNMODEL", version, kind, sizes, LE float32 params, provenance,
 * sections (version 2: history, epoch count, optimizer state, checkpoint), CRC32 */
/* What a checkpoint holds besides the net (model_io.c). */
typedef struct Ckpt {
    char fingerprint[65];            /* SHA-256 hex of the net at fit start and the fit options */
    int done;                        /* epochs finished in the checkpointed call */
    int finished;                    /* 1: that call ended (stopped or all epochs done) */
    uint64_t rng[4];                 /* the script's random stream after epoch `done` */
    StopState stop;                  /* best_params owned */
} Ckpt;
/* The net, its epoch count and history. */
int  rdn_net_write(const Net *net, FILE *f, RdnErr *err);
/* with_opt: include the optimizer state; ck: a checkpoint section (NULL: none). */
int  rdn_net_write_ex(const Net *net, FILE *f, int with_opt, const Ckpt *ck, RdnErr *err);
/* Parses a whole file image; validates every field against len; never trusts a size. Reads
 * versions 1 and 2. ck (may be NULL) receives the checkpoint section; *has_ck says if present. */
Net *rdn_net_read(const uint8_t *buf, size_t len, RdnErr *err);
Net *rdn_net_read_ckpt(const uint8_t *buf, size_t len, Ckpt *ck, int *has_ck, RdnErr *err);

#endif
