/* record.h: recordings of transients (docs/model.md "Transients"): the states h_0..h_T and residuals
 * r_0..r_{T-1} of every input, kept in memory, reduced to per-class statistics ("summary"), or
 * streamed to standard .npy files in chunks so that memory does not grow with n.
 *
 * Whatever is kept, a recording of kind states/residuals/both/streamed also carries the per-input
 * measures computed on the fly from the exact residuals: rho [n, T], delta [n, T-1] and the
 * integral error (so every measure is exact even when only the states are kept). A summary
 * recording holds only statistics whose size is independent of n. */
#ifndef RDN_RECORD_H
#define RDN_RECORD_H
#include <stdint.h>
#include "dataset.h"
#include "net.h"
#include "outfile.h"
#include "rdn_err.h"

#define RDN_REC_MAX_THREADS 16   /* threads for the per-chunk reductions (at most the BLAS's) */

typedef enum { KEEP_STATES, KEEP_RESIDUALS, KEEP_BOTH, KEEP_SUMMARY } RecKeep;

typedef struct Recording {
    int64_t n;              /* inputs */
    int T, d, in, nclasses; /* depth, width, input dimension of the net; classes of the data */
    NetKind kind;
    RecKeep keep;
    int streamed;           /* 1: the arrays went to files in dir (states/resid are NULL) */
    char *dir;              /* streamed: the folder as given (relative to the output folder) */
    char *states_path, *resid_path; /* streamed: absolute paths of the committed files (or NULL) */
    long states_off, resid_off;     /* streamed: bytes before the data (the .npy header) */
    int32_t *labels;        /* [n] (NULL for summary) */
    float *states;          /* [n, T+1, d] or NULL */
    float *resid;           /* [n, T, d] or NULL */
    /* per-input measures (NULL for summary) */
    float *rho;             /* [n, T]   ||r_t||_2 */
    float *delta;           /* [n, T-1] ||r_{t+1} - r_t||_2 / sqrt(d) */
    double integral_error;  /* max over inputs and units of |h_T - h_0 - sum_t r_t| (NaN summary) */
    /* per-class statistics (k = nclasses), always present except state_mean/state_var */
    int64_t *count;         /* [k] inputs per class */
    double *rho_mean, *rho_var;     /* [k, T]   mean and variance of ||r_t|| within the class */
    double *delta_mean;             /* [k, T-1] mean of delta_t within the class */
    double *state_mean, *state_var; /* [k, T+1, d] per unit mean and variance of h_t (summary only) */
    double *shift;                  /* internal: [k, T+1, d] each class's first state (summary) */
    unsigned char *shift_set;       /* internal: [k] */
} Recording;

typedef struct RecordOpts {
    RecKeep keep;           /* default KEEP_BOTH */
    const char *to;         /* NULL: memory; else a folder below the output folder (needs out) */
    RdnOut *out;            /* the sandbox for `to` */
    int64_t chunk;          /* inputs per chunk (0: chosen so the chunk buffers are ~32 MB) */
} RecordOpts;

void rdn_record_defaults(RecordOpts *o);
/* Runs the forward pass of net over d and records it. With o->to, writes states.npy
 * [n, T+1, d] (keep states/both), residuals.npy [n, T, d] (keep residuals/both) and labels.npy
 * [n] int32 into the folder, each written whole to a temporary file and renamed into place only
 * when complete; any failure (or interruption) leaves no file behind. The folder is checked (and
 * created) before anything is computed. */
Recording *rdn_record(const Net *net, const Dataset *d, const RecordOpts *o, RdnErr *err);
void rdn_record_free(Recording *r);
const char *rdn_record_keep_name(RecKeep k);

/* Rows [i0, i0+m) of the states (which = 0, [m, T+1, d]) or residuals (which = 1, [m, T, d]):
 * a pointer into memory, or into buf (m rows) filled from the streamed file. NULL with err when
 * the recording does not keep them. */
const float *rdn_record_rows(const Recording *r, int which, int64_t i0, int64_t m, float *buf,
                             RdnErr *err);
int rdn_record_has(const Recording *r, int which);

#endif
