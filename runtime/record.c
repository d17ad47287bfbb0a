/* record.c: the forward pass that keeps transients (record.h), chunk by chunk: in memory the
 * chunk's outputs are written by rdn_net_forward straight into the final arrays (no copy); when
 * streaming they go to chunk buffers that are appended to the .npy files. Per-input measures and
 * per-class statistics are accumulated from each chunk while it is hot. */
#include "record.h"
#include "data.h"
#include "tensor.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <nettle/sha2.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, ".npy output assumes a little-endian host");

void rdn_record_defaults(RecordOpts *o)
{
    memset(o, 0, sizeof *o);
    o->keep = KEEP_BOTH;
}

const char *rdn_record_keep_name(RecKeep k)
{
    switch (k) {
    case KEEP_STATES: return "states";
    case KEEP_RESIDUALS: return "residuals";
    case KEEP_BOTH: return "both";
    case KEEP_SUMMARY: return "summary";
    }
    return "?";
}

void rdn_record_free(Recording *r)
{
    if (!r) return;
    free(r->dir);
    free(r->states_path);
    free(r->resid_path);
    free(r->labels);
    free(r->states);
    free(r->resid);
    free(r->rho);
    free(r->delta);
    free(r->count);
    free(r->rho_mean);
    free(r->rho_var);
    free(r->delta_mean);
    free(r->state_mean);
    free(r->state_var);
    free(r->shift);
    free(r->shift_set);
    free(r);
}

int rdn_record_has(const Recording *r, int which)
{
    if (r->keep == KEEP_SUMMARY) return 0;
    if (which == 0) return r->keep == KEEP_STATES || r->keep == KEEP_BOTH;
    return r->keep == KEEP_RESIDUALS || r->keep == KEEP_BOTH;
}

const float *rdn_record_rows(const Recording *r, int which, int64_t i0, int64_t m, float *buf,
                             RdnErr *err)
{
    if (!rdn_record_has(r, which))
        return rdn_err(err, "the recording does not keep the %s (it was made with keep: \"%s\"; "
                            "use keep: \"%s\" or \"both\")",
                       which ? "residuals" : "states", rdn_record_keep_name(r->keep),
                       which ? "residuals" : "states"), NULL;
    int64_t row = (int64_t)(which ? r->T : r->T + 1) * r->d;
    if (i0 < 0 || m < 0 || i0 + m > r->n) return rdn_err(err, "record: rows out of range"), NULL;
    if (!r->streamed) return (which ? r->resid : r->states) + i0 * row;
    const char *path = which ? r->resid_path : r->states_path;
    long off = which ? r->resid_off : r->states_off;
    FILE *f = rdn_fopen_regular(path, err);
    if (!f) return NULL;
    size_t want = (size_t)(m * row);
    int ok = fseeko(f, (off_t)off + (off_t)(i0 * row) * (off_t)sizeof(float), SEEK_SET) == 0 &&
             fread(buf, sizeof(float), want, f) == want;
    fclose(f);
    if (!ok) return rdn_err(err, "the recorded file %s is shorter than recorded (changed since?)",
                            path), NULL;
    return buf;
}

/* Welford update of (mean, M2) with x, count already incremented to cnt. */
static inline void welford(double *mean, double *m2, double x, double inv_cnt)
{
    double dm = x - *mean;
    *mean += dm * inv_cnt;
    *m2 += dm * (x - *mean);
}

/* ---- accumulation of one chunk: m inputs starting at global index i0, states S [m, T+1, d],
 * residuals R [m, T, d]. Per-input measures are computed in parallel over inputs (the BLAS
 * threads are idle between forward passes), per-unit state statistics (summary) in parallel over
 * units, then the per-class statistics of rho and delta serially from the per-input values. */

typedef struct AccJob {
    const Recording *rec;
    const float *S, *R;
    const int32_t *y;
    int64_t a, b;           /* inputs [a, b) (per-input phase) or columns [a, b) (state phase) */
    int64_t m;
    float *rho, *delta;     /* [m, T], [m, T-1] for this chunk */
    double *acc;            /* [d] scratch */
    double ie;              /* max integral error over the job's inputs */
    int phase;              /* 0 per input, 1 state statistics */
} AccJob;

static void per_input(AccJob *j)
{
    const Recording *rec = j->rec;
    const int T = rec->T, d = rec->d;
    const double inv_sqrt_d = 1.0 / sqrt((double)d);
    const int want_ie = rec->keep != KEEP_SUMMARY;
    double ie = 0, *acc = j->acc;
    for (int64_t i = j->a; i < j->b; i++) {
        const float *h = j->S + i * (int64_t)(T + 1) * d;
        const float *r = j->R + i * (int64_t)T * d;
        for (int u = 0; u < d; u++) acc[u] = 0;
        for (int t = 0; t < T; t++) {
            const float *rt = r + (int64_t)t * d;
            /* four partial sums: independent chains for the pipeline */
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int u = 0;
            for (; u + 4 <= d; u += 4) {
                double x0 = rt[u], x1 = rt[u + 1], x2 = rt[u + 2], x3 = rt[u + 3];
                s0 += x0 * x0; s1 += x1 * x1; s2 += x2 * x2; s3 += x3 * x3;
                acc[u] += x0; acc[u + 1] += x1; acc[u + 2] += x2; acc[u + 3] += x3;
            }
            for (; u < d; u++) {
                double x = rt[u];
                s0 += x * x;
                acc[u] += x;
            }
            j->rho[i * T + t] = (float)sqrt((s0 + s1) + (s2 + s3));
            if (t + 1 < T) {
                const float *rn = rt + d;
                double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
                u = 0;
                for (; u + 4 <= d; u += 4) {
                    double e0 = (double)rn[u] - rt[u], e1 = (double)rn[u + 1] - rt[u + 1];
                    double e2 = (double)rn[u + 2] - rt[u + 2], e3 = (double)rn[u + 3] - rt[u + 3];
                    q0 += e0 * e0; q1 += e1 * e1; q2 += e2 * e2; q3 += e3 * e3;
                }
                for (; u < d; u++) {
                    double e = (double)rn[u] - rt[u];
                    q0 += e * e;
                }
                j->delta[i * (T - 1) + t] = (float)(sqrt((q0 + q1) + (q2 + q3)) * inv_sqrt_d);
            }
        }
        if (want_ie) {
            const float *hT = h + (int64_t)T * d;
            for (int u = 0; u < d; u++) {
                double e = fabs((double)hT[u] - (double)h[u] - acc[u]);
                if (e > ie || isnan(e)) ie = e;
            }
        }
    }
    j->ie = ie;
}

/* Shifted sums of the states per class, columns [a, b) of the (T+1)*d per input. */
static void state_sums(AccJob *j)
{
    const Recording *rec = j->rec;
    const int64_t row = (int64_t)(rec->T + 1) * rec->d;
    for (int64_t i = 0; i < j->m; i++) {
        int64_t base = (int64_t)j->y[i] * row;
        const double *K = rec->shift + base;
        double *su = rec->state_mean + base, *sq = rec->state_var + base;
        const float *h = j->S + i * row;
        for (int64_t u = j->a; u < j->b; u++) {
            double e = (double)h[u] - K[u];
            su[u] += e;
            sq[u] += e * e;
        }
    }
}

static void *acc_thread(void *p)
{
    AccJob *j = p;
    if (j->phase == 0) per_input(j);
    else state_sums(j);
    return NULL;
}

/* Runs jobs[0..nj) on nj threads (this one included); falls back to this thread alone. */
static void run_jobs(AccJob *jobs, int nj)
{
    pthread_t th[RDN_REC_MAX_THREADS];
    int started[RDN_REC_MAX_THREADS] = {0};
    for (int k = 1; k < nj; k++) started[k] = pthread_create(&th[k], NULL, acc_thread, &jobs[k]) == 0;
    acc_thread(&jobs[0]);
    for (int k = 1; k < nj; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else acc_thread(&jobs[k]);
    }
}

static void accumulate(Recording *rec, int64_t i0, int64_t m, const int32_t *y, const float *S,
                       const float *R, double *acc, float *rho_buf, float *delta_buf)
{
    const int T = rec->T, d = rec->d;
    const int64_t row = (int64_t)(T + 1) * d;
    float *rho = rec->rho ? rec->rho + i0 * T : rho_buf;
    float *delta = rec->delta ? rec->delta + i0 * (T > 1 ? T - 1 : 0) : delta_buf;
    int nth = rdn_blas_threads();
    if (nth > RDN_REC_MAX_THREADS) nth = RDN_REC_MAX_THREADS;
    if (nth < 1 || m * row < 100000) nth = 1;
    if (nth > m) nth = (int)m;
    AccJob jobs[RDN_REC_MAX_THREADS];
    for (int k = 0; k < nth; k++)
        jobs[k] = (AccJob){rec, S, R, y, m * k / nth, m * (k + 1) / nth, m, rho, delta,
                           acc + (int64_t)k * d, 0, 0};
    run_jobs(jobs, nth);
    for (int k = 0; k < nth; k++)
        if (jobs[k].ie > rec->integral_error || isnan(jobs[k].ie)) rec->integral_error = jobs[k].ie;
    if (rec->keep == KEEP_SUMMARY) {
        /* the first state of each class ever seen is its shift */
        for (int64_t i = 0; i < m; i++) {
            int c = y[i];
            if (rec->count[c] == 0 && !rec->shift_set[c]) {
                for (int64_t u = 0; u < row; u++) rec->shift[(int64_t)c * row + u] = S[i * row + u];
                rec->shift_set[c] = 1;
            }
        }
        int nc = row < 4096 ? 1 : nth;
        for (int k = 0; k < nc; k++)
            jobs[k] = (AccJob){rec, S, R, y, row * k / nc, row * (k + 1) / nc, m, NULL, NULL, NULL, 0, 1};
        run_jobs(jobs, nc);
    }
    /* per-class statistics of rho and delta, in input order */
    for (int64_t i = 0; i < m; i++) {
        int c = y[i];
        double inv = 1.0 / (double)(++rec->count[c]);
        for (int t = 0; t < T; t++)
            welford(&rec->rho_mean[c * T + t], &rec->rho_var[c * T + t], rho[i * T + t], inv);
        for (int t = 0; t + 1 < T; t++)
            rec->delta_mean[c * (T - 1) + t] += (delta[i * (T - 1) + t] - rec->delta_mean[c * (T - 1) + t]) * inv;
    }
}

static void finish_stats(Recording *rec)
{
    const int T = rec->T, d = rec->d;
    const int64_t row = (int64_t)(T + 1) * d;
    for (int c = 0; c < rec->nclasses; c++) {
        double cnt = (double)rec->count[c];
        for (int t = 0; t < T; t++) {
            rec->rho_var[c * T + t] = cnt > 0 ? rec->rho_var[c * T + t] / cnt : NAN;
            if (cnt == 0) rec->rho_mean[c * T + t] = NAN;
        }
        if (cnt == 0)
            for (int t = 0; t < T - 1; t++) rec->delta_mean[c * (T - 1) + t] = NAN;
        if (!rec->state_mean) continue;
        double *K = rec->shift + c * row, *su = rec->state_mean + c * row, *sq = rec->state_var + c * row;
        for (int64_t j = 0; j < row; j++) {
            if (cnt == 0) {
                su[j] = sq[j] = NAN;
                continue;
            }
            double ms = su[j] / cnt, v = sq[j] / cnt - ms * ms;
            su[j] = K[j] + ms;
            sq[j] = v > 0 ? v : 0;
        }
    }
}

/* Floats that the forward pass overwrites entirely: no zeroing pass, the same size guard as
 * rdn_alloc_aligned. */
static float *alloc_uninit(size_t count, const char *what, RdnErr *err)
{
    if (count > RDN_MAX_ALLOC / sizeof(float))
        return rdn_err(err, "%s: %zu floats is more than the allocation limit (%zu bytes); stream "
                            "them to files with to: \"dir\", or keep: \"summary\"", what, count,
                       (size_t)RDN_MAX_ALLOC), NULL;
    /* large arrays: 2 MB aligned and backed by huge pages where the kernel allows, so that the
     * first touch by the forward pass costs one page fault per 2 MB instead of per 4 KB */
    const size_t huge = (size_t)2 << 20;
    size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    int big = bytes >= 2 * huge;
    if (big) bytes = (bytes + huge - 1) / huge * huge;
    float *p = aligned_alloc(big ? huge : 64, bytes ? bytes : 64);
    if (!p) return rdn_err(err, "%s: out of memory allocating %zu bytes", what, bytes), NULL;
#ifdef MADV_HUGEPAGE
    if (big) madvise(p, bytes, MADV_HUGEPAGE);   /* advice only: failure changes nothing */
#endif
    return p;
}

/* An open .npy file: every byte written also goes into its SHA-256, so that committing it does
 * not read the file back (the manifest needs the hash). */
typedef struct Stream {
    RdnWriter w;
    int open;
    char *abs;
    long off;
    struct sha256_ctx sha;
} Stream;

static int stream_write(Stream *s, const void *p, size_t bytes)
{
    if (fwrite(p, 1, bytes, s->w.f) != bytes) return -1;
    sha256_update(&s->sha, bytes, p);
    return 0;
}

static int stream_commit(RdnOut *out, Stream *s, RdnErr *err)
{
    uint8_t dg[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    sha256_digest(&s->sha, sizeof dg, dg);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(hex + 2 * i, 3, "%02x", dg[i]);
    s->open = 0;
    return rdn_out_commit_sha(out, &s->w, hex, err);
}

static int stream_open(RdnOut *out, const char *dir, const char *name, const char *dtype, int ndim,
                       const int64_t *shape, Stream *s, RdnErr *err)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *rel = malloc(len);
    if (!rel) return rdn_err(err, "record: out of memory");
    snprintf(rel, len, "%s/%s", dir, name);
    int rc = rdn_out_resolve(out, rel, 1, &s->abs, err);
    if (rc == 0) rc = rdn_out_open(out, rel, &s->w, err);
    free(rel);
    if (rc != 0) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err ? err->msg : "");
        return rdn_err(err, "record: to: %s", m);
    }
    s->open = 1;
    sha256_init(&s->sha);
    char h[256];
    s->off = (long)rdn_npy_header(h, sizeof h, dtype, ndim, shape);
    if (s->off == 0 || stream_write(s, h, (size_t)s->off)) return rdn_err(err, "record: to: cannot write %s/%s", dir, name);
    return 0;
}

/* One chunk appended to the open files, on a thread of its own so that the disk works while
 * the next chunk is computed (two buffers alternate). */
typedef struct ChunkWrite {
    Stream *fs, *fr;
    const float *S, *R;
    size_t ns, nr;
    int ok;
} ChunkWrite;

static void *write_chunk(void *p)
{
    ChunkWrite *c = p;
    c->ok = (!c->fs || stream_write(c->fs, c->S, c->ns * sizeof(float)) == 0) &&
            (!c->fr || stream_write(c->fr, c->R, c->nr * sizeof(float)) == 0);
    return NULL;
}

static void stream_abort(Stream *s)
{
    if (s->open) rdn_out_abort(&s->w);
    s->open = 0;
}

/* The workspace of one rdn_record call: the recording being filled, the open files and the
 * chunk buffers; rec_ws_free frees it all (and the recording, unless it was handed out). */
typedef struct RecWs {
    const Net *net;
    const Dataset *ds;
    const RecordOpts *o;
    Recording *rec;
    int keep_s, keep_r;        /* states / residuals are kept (in memory or streamed) */
    int nbuf;                  /* chunk buffers: 2 when streaming (one computed, one written) */
    int64_t srow, rrow, chunk; /* floats per input of states [(T+1) d] and residuals [T d] */
    Stream st[3];              /* states.npy, residuals.npy, labels.npy */
    float *sbuf[2], *rbuf[2];  /* [chunk, srow], [chunk, rrow] when not kept whole in memory */
    double *acc;               /* [RDN_REC_MAX_THREADS, d] scratch of the accumulation */
    float *rho_buf, *delta_buf;  /* [chunk, T], [chunk, T-1] when the recording keeps neither */
    pthread_t writer;
    int pending;               /* the writer thread runs */
    ChunkWrite cw;
} RecWs;

static void rec_ws_free(RecWs *W)
{
    if (W->pending) pthread_join(W->writer, NULL);
    for (int s = 0; s < 3; s++) {
        stream_abort(&W->st[s]);
        free(W->st[s].abs);
    }
    free(W->acc);
    free(W->rho_buf);
    free(W->delta_buf);
    for (int b = 0; b < 2; b++) {
        free(W->sbuf[b]);
        free(W->rbuf[b]);
    }
    rdn_record_free(W->rec);
}

/* The arguments, and the number of classes (*k: the largest label + 1, at least nclasses). */
static int rec_check(const Net *net, const Dataset *ds, const RecordOpts *o, int *k, RdnErr *err)
{
    if (ds->dim != net->in)
        return rdn_err(err, "record: the data has dimension %d but the net takes inputs of %d",
                       ds->dim, net->in);
    if (ds->n <= 0) return rdn_err(err, "record: the data set is empty");
    if (o->to && !o->out) return rdn_err(err, "record: to: needs an output folder");
    if (o->to && o->keep == KEEP_SUMMARY)
        return rdn_err(err, "record: keep: \"summary\" keeps statistics in memory; it cannot go "
                            "to: a folder");
    *k = ds->nclasses;
    for (int64_t i = 0; i < ds->n; i++) {
        if (ds->y[i] < 0) return rdn_err(err, "record: label %d of input %lld is negative",
                                         ds->y[i], (long long)i);
        if (ds->y[i] >= *k) *k = ds->y[i] + 1;
    }
    if (*k < 1) *k = 1;
    return 0;
}

/* The recording and its per-class statistics (and per-input norms unless a summary). */
static int rec_new(RecWs *W, int k, RdnErr *err)
{
    const int T = W->net->depth, d = W->net->width;
    const int64_t n = W->ds->n, srow = W->srow;
    Recording *rec = W->rec = rdn_calloc(1, sizeof *rec, "recording", err);
    if (!rec) return -1;
    rec->n = n; rec->T = T; rec->d = d; rec->in = W->net->in; rec->nclasses = k;
    rec->kind = W->net->kind; rec->keep = W->o->keep; rec->streamed = W->o->to != NULL;
    rec->count = rdn_calloc((size_t)k, sizeof(int64_t), "recording statistics", err);
    rec->rho_mean = rdn_calloc((size_t)k * T, sizeof(double), "recording statistics", err);
    rec->rho_var = rdn_calloc((size_t)k * T, sizeof(double), "recording statistics", err);
    rec->delta_mean = rdn_calloc((size_t)k * (T > 1 ? T - 1 : 1), sizeof(double),
                                 "recording statistics", err);
    W->acc = rdn_calloc((size_t)d * RDN_REC_MAX_THREADS, sizeof(double), "scratch", err);
    if (!rec->count || !rec->rho_mean || !rec->rho_var || !rec->delta_mean || !W->acc) return -1;
    if (W->o->keep == KEEP_SUMMARY) {
        rec->state_mean = rdn_calloc((size_t)k * (size_t)srow, sizeof(double), "recording statistics", err);
        rec->state_var = rdn_calloc((size_t)k * (size_t)srow, sizeof(double), "recording statistics", err);
        rec->shift = rdn_calloc((size_t)k * (size_t)srow, sizeof(double), "recording statistics", err);
        rec->shift_set = rdn_calloc((size_t)k, 1, "recording statistics", err);
        if (!rec->state_mean || !rec->state_var || !rec->shift || !rec->shift_set) return -1;
        rec->integral_error = NAN;
        return 0;
    }
    rec->labels = rdn_calloc((size_t)n, sizeof(int32_t), "recording labels", err);
    rec->rho = rdn_alloc_aligned((size_t)n * T, sizeof(float), "residual norms", err);
    rec->delta = rdn_alloc_aligned((size_t)n * (T > 1 ? T - 1 : 1), sizeof(float),
                                   "residual changes", err);
    if (!rec->labels || !rec->rho || !rec->delta) return -1;
    memcpy(rec->labels, W->ds->y, (size_t)n * sizeof(int32_t));
    return 0;
}

/* The folder first: nothing is computed before every file can be opened (labels are written
 * whole now). */
static int rec_open_files(RecWs *W, RdnErr *err)
{
    const RecordOpts *o = W->o;
    const int T = W->net->depth, d = W->net->width;
    const int64_t n = W->ds->n;
    if (!(W->rec->dir = strdup(o->to))) return rdn_err(err, "record: out of memory");
    int64_t sh_s[3] = {n, T + 1, d}, sh_r[3] = {n, T, d}, sh_l[1] = {n};
    if (stream_open(o->out, o->to, "labels.npy", "<i4", 1, sh_l, &W->st[2], err)) return -1;
    if (stream_write(&W->st[2], W->ds->y, (size_t)n * sizeof(int32_t)))
        return rdn_err(err, "record: cannot write %s/labels.npy", o->to);
    if (W->keep_s && stream_open(o->out, o->to, "states.npy", "<f4", 3, sh_s, &W->st[0], err))
        return -1;
    if (W->keep_r && stream_open(o->out, o->to, "residuals.npy", "<f4", 3, sh_r, &W->st[1], err))
        return -1;
    return 0;
}

/* The chunk size and buffers: whole arrays when kept in memory, else one (two when streaming)
 * chunk buffers. */
static int rec_buffers(RecWs *W, RdnErr *err)
{
    Recording *rec = W->rec;
    const int T = W->net->depth;
    const int64_t n = W->ds->n, srow = W->srow, rrow = W->rrow;
    int64_t chunk = W->o->chunk;
    if (chunk <= 0) {
        chunk = ((int64_t)8 << 20) / (srow + rrow);     /* ~32 MB of float buffers */
        if (chunk < 64) chunk = 64;
    }
    if (chunk > n) chunk = n;
    W->chunk = chunk;
    if (!rec->rho) {
        W->rho_buf = rdn_alloc_aligned((size_t)chunk * (T ? T : 1), sizeof(float), "residual norms", err);
        W->delta_buf = rdn_alloc_aligned((size_t)chunk * (T > 1 ? T - 1 : 1), sizeof(float),
                                         "residual changes", err);
        if (!W->rho_buf || !W->delta_buf) return -1;
    }
    if (W->keep_s && !W->o->to) {
        if (!(rec->states = alloc_uninit((size_t)n * (size_t)srow, "recorded states", err))) return -1;
    } else {
        for (int b = 0; b < W->nbuf; b++)
            if (!(W->sbuf[b] = rdn_alloc_aligned((size_t)chunk * (size_t)srow, sizeof(float),
                                                 "state buffer", err)))
                return -1;
    }
    if (W->keep_r && !W->o->to) {
        if (!(rec->resid = alloc_uninit((size_t)n * (size_t)rrow, "recorded residuals", err))) return -1;
    } else {
        for (int b = 0; b < W->nbuf; b++)
            if (!(W->rbuf[b] = rdn_alloc_aligned((size_t)chunk * (size_t)(rrow ? rrow : 1),
                                                 sizeof(float), "residual buffer", err)))
                return -1;
    }
    return 0;
}

/* Waits for the writer thread, if any: 0 when its chunk was written. */
static int rec_wait(RecWs *W, RdnErr *err)
{
    if (!W->pending) return 0;
    pthread_join(W->writer, NULL);
    W->pending = 0;
    return W->cw.ok ? 0
                    : rdn_err(err, "record: cannot write the recording to %s (disk full?)", W->o->to);
}

/* The forward pass, chunk by chunk: statistics accumulated, and each chunk handed to the
 * writer thread while the next one is computed. */
static int rec_run(RecWs *W, RdnErr *err)
{
    Recording *rec = W->rec;
    const Dataset *ds = W->ds;
    const int64_t n = ds->n, srow = W->srow, rrow = W->rrow;
    for (int64_t i0 = 0, c = 0; i0 < n; i0 += W->chunk, c++) {
        if (rdn_interrupt) return rdn_err_interrupted(err, "record: interrupted");
        int64_t m = n - i0 < W->chunk ? n - i0 : W->chunk;
        int b = (int)(c % W->nbuf);
        float *S = rec->states ? rec->states + i0 * srow : W->sbuf[b];
        float *R = rec->resid ? rec->resid + i0 * rrow : W->rbuf[b];
        if (rdn_net_forward(W->net, ds->x + i0 * ds->dim, m, NULL, S, R, err)) return -1;
        accumulate(rec, i0, m, ds->y + i0, S, R, W->acc, W->rho_buf, W->delta_buf);
        if (!W->o->to) continue;
        /* the previous chunk's write must be done: its buffer is the next chunk's */
        if (rec_wait(W, err)) return -1;
        W->cw = (ChunkWrite){W->st[0].open ? &W->st[0] : NULL, W->st[1].open ? &W->st[1] : NULL,
                             S, R, (size_t)(m * srow), (size_t)(m * rrow), 0};
        if (pthread_create(&W->writer, NULL, write_chunk, &W->cw) == 0) W->pending = 1;
        else {
            write_chunk(&W->cw);   /* no thread: write in line */
            if (!W->cw.ok)
                return rdn_err(err, "record: cannot write the recording to %s (disk full?)", W->o->to);
        }
    }
    return rec_wait(W, err);
}

/* The files committed (SHA-256 into the manifest); the recording notes their paths. */
static int rec_commit(RecWs *W, RdnErr *err)
{
    Recording *rec = W->rec;
    Stream *st = W->st;
    for (int s = 0; s < 3; s++)
        if (st[s].open && stream_commit(W->o->out, &st[s], err)) return -1;
    rec->states_path = W->keep_s ? st[0].abs : NULL;
    rec->resid_path = W->keep_r ? st[1].abs : NULL;
    if (W->keep_s) st[0].abs = NULL;
    if (W->keep_r) st[1].abs = NULL;
    rec->states_off = st[0].off;
    rec->resid_off = st[1].off;
    return 0;
}

Recording *rdn_record(const Net *net, const Dataset *ds, const RecordOpts *o, RdnErr *err)
{
    RecordOpts def;
    if (!o) {
        rdn_record_defaults(&def);
        o = &def;
    }
    int k = 1;
    if (rec_check(net, ds, o, &k, err)) return NULL;
    RecWs W = {.net = net, .ds = ds, .o = o, .nbuf = o->to ? 2 : 1};
    W.keep_s = o->keep == KEEP_STATES || o->keep == KEEP_BOTH;
    W.keep_r = o->keep == KEEP_RESIDUALS || o->keep == KEEP_BOTH;
    W.srow = (int64_t)(net->depth + 1) * net->width;
    W.rrow = (int64_t)net->depth * net->width;
    int rc = rec_new(&W, k, err);
    if (rc == 0 && o->to) rc = rec_open_files(&W, err);
    if (rc == 0) rc = rec_buffers(&W, err);
    if (rc == 0) rc = rec_run(&W, err);
    if (rc == 0) finish_stats(W.rec);
    if (rc == 0 && o->to) rc = rec_commit(&W, err);
    Recording *rec = rc == 0 ? W.rec : NULL;
    if (rec) W.rec = NULL;   /* handed out */
    rec_ws_free(&W);
    return rec;
}
