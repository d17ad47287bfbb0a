/* dynamics.h: the measures of docs/model.md "Transients", "Attractors", "Local dynamics" and "Noise
 * evolution", on recordings (record.h) or directly on a net and a data set. One file per measure:
 * dyn_transients.c, dyn_accuracy.c, dyn_separability.c, dyn_attractors.c, dyn_local.c,
 * dyn_noise.c (their shared helpers: dyn_common.c, dyn_impl.h).
 * Every function returns a new tensor or table (owned by the caller), or NULL with err filled. */
#ifndef RDN_DYNAMICS_H
#define RDN_DYNAMICS_H
#include <stdint.h>
#include "data.h"
#include "dataset.h"
#include "net.h"
#include "record.h"
#include "table.h"
#include "tensor.h"

/* ---- transients (a recording that is not a summary) ---- */
/* rho_t = ||r_t||_2: [n, T]. */
Tensor *rdn_dyn_residual_norms(const Recording *r, RdnErr *err);
/* delta_t = ||r_{t+1} - r_t||_2 / sqrt(d), t = 0..T-2: [n, T-1]. */
Tensor *rdn_dyn_residual_change(const Recording *r, RdnErr *err);
/* The converged layer of each input: [n], the smallest t with delta_s < tol for all s >= t;
 * -1 when not converged (delta_{T-2} >= tol, or NaN). With T = 1 (no delta) every input is 0. */
Tensor *rdn_dyn_converged_at(const Recording *r, double tol, RdnErr *err);
/* Same on one row of deltas (for adaptation and tests). */
int rdn_dyn_converged_layer(const float *delta, int T, double tol);
/* max over inputs and units of |h_T - h_0 - sum_t r_t| (sum in double). */
int rdn_dyn_integral_error(const Recording *r, double *out, RdnErr *err);

/* Accuracy of the head applied to h_t for t = 0..T: table layer, accuracy. */
Table *rdn_dyn_accuracy_by_layer(const Net *net, const Dataset *d, RdnErr *err);
/* Same from a recording's states (which must come from a net of the same shape). */
Table *rdn_dyn_accuracy_by_layer_rec(const Net *net, const Recording *r, RdnErr *err);
/* Checks that r was recorded from a net shaped like net (kind, in, width, depth). */
int rdn_dyn_check_shape(const Net *net, const Recording *r, const char *who, RdnErr *err);

/* Per layer of the states (of_resid = 0; t = 0..T) or the residuals (1; t = 0..T-1): table
 * layer, accuracy (nearest class mean, means taken over the same inputs), fisher
 * (trace(S_b) / trace(S_w), S_b = sum_c n_c (mu_c - mu)(mu_c - mu)^T,
 * S_w = sum_i (x_i - mu_{y_i})(x_i - mu_{y_i})^T). */
Table *rdn_dyn_separability(const Recording *r, int of_resid, RdnErr *err);

/* ---- attractors (shared-weight ResNets) ---- */
typedef struct AttractorOpts {
    int steps;         /* iterations past the net's depth (default 200) */
    double tol;        /* > 0 (default 1e-3), on distances ||a - b||_2 / sqrt(d): convergence */
    int max_period;    /* longest cycle looked for (default 8) */
    double radius;     /* > 0: steady states this close share an attractor; 0 (default): tol */
} AttractorOpts;
void rdn_attractor_defaults(AttractorOpts *o);
/* Where an input's trajectory ends: its last residuals agree (a fixed point), repeat with a
 * period 2..max_period (a cycle), or neither (moving). */
typedef enum AttractorKind { ATTRACTOR_FIXED, ATTRACTOR_CYCLE, ATTRACTOR_MOVING } AttractorKind;
const char *rdn_attractor_kind_name(AttractorKind k);   /* "fixed", "cycle", "moving" */
/* Table attractor, kind ("fixed" | "cycle" | "moving"), period, size, one count column per class
 * (class_<name>), residual_norm, residual_mean. per_input (may be NULL) gets a table input, label,
 * attractor, kind, period. Both carry the tensors (rdn_table_attach) "steady" [n, d], every
 * input's last residual r_{K-1}, and "centres" [attractors, d], row a the mean over attractor
 * a+1's members of their residuals averaged over the cycle's phases (r* for a fixed point). */
Table *rdn_dyn_attractors(const Net *net, const Dataset *d, const AttractorOpts *o,
                          Table **per_input, RdnErr *err);

/* ---- local dynamics ---- */
/* J(h) of layer `layer` at state h [width]: [width, width]. */
Tensor *rdn_dyn_jacobian(const Net *net, const float *h, int layer, RdnErr *err);
/* Eigenvalues of a square matrix [n, n] (LAPACK dgeev in double): [n, 2] (real, imaginary),
 * sorted by magnitude, largest first (ties: real part, then imaginary part, descending). */
Tensor *rdn_dyn_eig(const Tensor *m, RdnErr *err);
/* Finite-time growth rate of each input: the mean over `dirs` seeded random unit directions u
 * (stream (seed, input, 0)) of (1/T) log ||J_{T-1} ... J_0 u||: [n]. */
Tensor *rdn_dyn_growth_rate(const Net *net, const Dataset *d, int dirs, uint64_t seed, RdnErr *err);

/* ---- noise ----
 * The perturbation is perturb()'s (data.h, rdn_data_perturb_rows): kind RDN_NOISE_GAUSSIAN
 * x + sigma N(0, 1), RDN_NOISE_UNIFORM x + U(-sigma, sigma), RDN_NOISE_SALTPEPPER each entry with
 * probability sigma becomes the smallest or largest entry of the data set. Trial 0 uses `seed`
 * itself, so it is exactly perturb(d, sigma:, kind:, seed:); trial j > 0 uses
 * rdn_dyn_trial_seed(seed, j). Input i of a trial draws from the stream (trial seed, i, 0). */
uint64_t rdn_dyn_trial_seed(uint64_t seed, int trial);
/* Table layer (0..T), distance (mean e_t = ||h~_t - h_t||_2), amplification (mean e_t / e_0 over
 * the inputs whose e_0 > 0), over every input and `trials` trials. */
Table *rdn_dyn_noise_evolution(const Net *net, const Dataset *d, double sigma, int trials,
                               int kind, uint64_t seed, RdnErr *err);
/* Table sigma, accuracy (mean over trials); the same streams at every sigma. sigma 0 is the
 * clean accuracy exactly. */
Table *rdn_dyn_robustness(const Net *net, const Dataset *d, const double *sigmas, int nsigmas,
                          int trials, int kind, uint64_t seed, RdnErr *err);

#endif
