/* bench_train.c: training and recording speed of shared logistic ResNets with SGD at the three
 * benchmark configurations, in both compute modes and at 1 and 2 threads, beside this machine's
 * OpenBLAS sgemm peak measured in the same run.
 * GFLOP/s counts 6*B*d^2*T per training batch (forward, input gradient and weight gradient). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "net.h"
#include "isa.h"
#include "tensor.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double sgemm_peak(int threads)
{
    int n = 2048;
    float *A = malloc(sizeof(float) * n * n), *B = malloc(sizeof(float) * n * n), *C = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) A[i] = (float)(i % 7) * 0.1f, B[i] = (float)(i % 5) * 0.1f;
    rdn_blas_set_threads(threads);
    RdnCompute mode = rdn_compute();
    rdn_compute_set(RDN_COMPUTE_OPENBLAS); /* the peak is OpenBLAS's sgemm (issue 10) */
    double best = 1e9;
    for (int r = 0; r < 6; r++) {
        double t0 = now();
        rdn_sgemm(0, 0, n, n, n, 1, A, n, B, n, 0, C, n);
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    free(A); free(B); free(C);
    rdn_compute_set(mode);
    return 2.0 * n * n * n / best / 1e9;
}

/* One configuration in one compute mode at one thread count: best-of-reps training and recording
 * samples/s. */
typedef struct { int d, T, B, NB; } Cfg;

static int run_cfg(const Cfg *c, RdnCompute mode, int threads, int reps, double *train, double *rec)
{
    int d = c->d, T = c->T, B = c->B, NB = c->NB;
    int64_t n = (int64_t)B * NB;
    RdnErr err;
    rdn_compute_set(mode);
    rdn_blas_set_threads(threads);
    Dataset *ds = rdn_dataset_new(n, d, 10, &err);
    if (!ds) { fprintf(stderr, "%s\n", err.msg); return -1; }
    RdnRng r;
    rdn_rng_seed(&r, 1);
    for (int64_t i = 0; i < n * d; i++) ds->x[i] = (float)rdn_rng_uniform(&r);
    for (int64_t i = 0; i < n; i++) ds->y[i] = (int32_t)rdn_rng_below(&r, 10);
    NetSpec sp = {NET_RESNET, d, d, T, 10, ACT_LOGISTIC, 1, 1.0f, 1};
    Net *net = rdn_net_new(&sp, &err);
    if (!net) { fprintf(stderr, "%s\n", err.msg); rdn_dataset_free(ds); return -1; }
    FitOpts o;
    rdn_fit_defaults(&o);
    o.epochs = 1; o.batch = B; o.lr = 0.01; o.quiet = 1;
    Table *h;
    int bad = rdn_fit(net, ds, NULL, &o, &h, NULL, &err); /* warm-up */
    if (!bad) rdn_table_free(h);
    double best = 1e9, bestf = 1e9;
    for (int rep = 0; rep < reps && !bad; rep++) {
        double t0 = now();
        bad = rdn_fit(net, ds, NULL, &o, &h, NULL, &err);
        double dt = now() - t0;
        if (!bad) rdn_table_free(h);
        if (dt < best) best = dt;
    }
    float *st = malloc(sizeof(float) * (size_t)n * (T + 1) * d), *lg = malloc(sizeof(float) * n * 10);
    for (int rep = 0; rep < reps + 1 && !bad && st && lg; rep++) {
        double t0 = now();
        bad = rdn_net_forward(net, ds->x, n, lg, st, NULL, &err);
        double dt = now() - t0;
        if (rep && dt < bestf) bestf = dt;
    }
    if (bad) fprintf(stderr, "%s\n", err.msg);
    free(st); free(lg);
    rdn_net_free(net);
    rdn_dataset_free(ds);
    *train = n / best;
    *rec = n / bestf;
    return bad ? -1 : 0;
}

/* Every configuration, in the deterministic default and in --compute openblas, with 1 thread and
 * with `threads`. Prints one line per run and writes them to build/bench/bench_train.txt (or
 * $RDN_BENCH_RESULTS) for bench_torch.sh's side-by-side table:
 *   run D T B MODE THREADS TRAIN_PER_S TRAIN_GFLOPS RECORD_PER_S
 *   peak THREADS GFLOPS          (OpenBLAS sgemm 2048^3, best of before and after) */
int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (threads < 1) threads = 1;
    RdnCompute modes[2] = {RDN_COMPUTE_DET, RDN_COMPUTE_OPENBLAS};
    int tcount[2] = {1, threads};
    int ntc = threads > 1 ? 2 : 1;
    /* the machine may be shared: each peak is the best of runs before and after the workloads */
    double peak[2];
    for (int t = 0; t < ntc; t++) peak[t] = sgemm_peak(tcount[t]);
    printf("rdn bench_train: kernel path %s, OpenBLAS %s; threads 1%s\n", rdn_isa_name(rdn_isa()),
           rdn_blas_name(), threads > 1 ? " and more" : "");
    const char *rp = getenv("RDN_BENCH_RESULTS");
    FILE *res = fopen(rp ? rp : "build/bench/bench_train.txt", "w");
    Cfg cfg[] = {{784, 10, 64, 20}, {64, 20, 32, 300}, {2, 50, 32, 1000}};
    for (size_t c = 0; c < sizeof cfg / sizeof *cfg; c++) {
        for (int m = 0; m < 2; m++) {
            for (int t = 0; t < ntc; t++) {
                double tr, rc;
                if (run_cfg(&cfg[c], modes[m], tcount[t], reps, &tr, &rc)) return 1;
                double gf = 6.0 * cfg[c].d * (double)cfg[c].d * cfg[c].T * tr / 1e9;
                printf("rdn   resnet D=%d T=%d B=%d %-13s %d thread%s: train %.0f samples/s "
                       "(%.1f GFLOP/s), record %.0f samples/s\n", cfg[c].d, cfg[c].T, cfg[c].B,
                       rdn_compute_name(modes[m]), tcount[t], tcount[t] > 1 ? "s" : " ", tr, gf, rc);
                fflush(stdout);
                if (res) fprintf(res, "run %d %d %d %s %d %.0f %.2f %.0f\n", cfg[c].d, cfg[c].T,
                                 cfg[c].B, rdn_compute_name(modes[m]), tcount[t], tr, gf, rc);
            }
        }
    }
    for (int t = 0; t < ntc; t++) {
        double p2 = sgemm_peak(tcount[t]);
        if (p2 > peak[t]) peak[t] = p2;
        printf("rdn   OpenBLAS sgemm 2048^3 peak with %d thread%s: %.1f GFLOP/s\n", tcount[t],
               tcount[t] > 1 ? "s" : "", peak[t]);
        if (res) fprintf(res, "peak %d %.1f\n", tcount[t], peak[t]);
    }
    rdn_compute_set(RDN_COMPUTE_DET);
    if (res) fclose(res);
    return 0;
}
