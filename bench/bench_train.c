/* bench_train.c: training and recording speed of shared logistic ResNets with SGD (issue 3's
 * configurations), against this machine's sgemm peak measured in the same run.
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

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double sgemm_peak_t(int threads, double (*clock)(void))
{
    int n = 2048;
    float *A = malloc(sizeof(float) * n * n), *B = malloc(sizeof(float) * n * n), *C = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) A[i] = (float)(i % 7) * 0.1f, B[i] = (float)(i % 5) * 0.1f;
    rdn_blas_set_threads(threads);
    RdnCompute mode = rdn_compute();
    rdn_compute_set(RDN_COMPUTE_OPENBLAS); /* the peak is OpenBLAS's sgemm (issue 10) */
    double best = 1e9;
    for (int r = 0; r < 6; r++) {
        double t0 = clock();
        rdn_sgemm(0, 0, n, n, n, 1, A, n, B, n, 0, C, n);
        double dt = clock() - t0;
        if (dt < best) best = dt;
    }
    free(A); free(B); free(C);
    rdn_compute_set(mode);
    return 2.0 * n * n * n / best / 1e9;
}

static double sgemm_peak(int threads) { return sgemm_peak_t(threads, now); }

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    /* the machine is shared: the peak is the best of runs before and after the workloads, and
     * the fractions below are printed at the end against that best */
    double peak = sgemm_peak(threads);
    if (getenv("RDN_COMPUTE") && !strcmp(getenv("RDN_COMPUTE"), "openblas")) rdn_compute_set(RDN_COMPUTE_OPENBLAS);
    printf("rdn bench_train: compute %s (kernel path %s), peak from %s, %d threads\n",
           rdn_compute_name(rdn_compute()), rdn_isa_name(rdn_isa()), rdn_blas_name(), threads);
    /* results for bench_torch.sh's side-by-side table */
    const char *rp = getenv("RDN_BENCH_RESULTS");
    FILE *res = fopen(rp ? rp : "build/bench/bench_train.txt", "w");
    struct { int d, T, B, NB; } cfg[] = {{784, 10, 64, 20}, {64, 20, 32, 300}, {2, 50, 32, 1000}};
    double gfs[3] = {0}, gfc[3] = {0};
    for (size_t c = 0; c < sizeof cfg / sizeof *cfg; c++) {
        int d = cfg[c].d, T = cfg[c].T, B = cfg[c].B, NB = cfg[c].NB;
        int64_t n = (int64_t)B * NB;
        RdnErr err;
        Dataset *ds = rdn_dataset_new(n, d, 10, &err);
        RdnRng r;
        rdn_rng_seed(&r, 1);
        for (int64_t i = 0; i < n * d; i++) ds->x[i] = (float)rdn_rng_uniform(&r);
        for (int64_t i = 0; i < n; i++) ds->y[i] = (int32_t)rdn_rng_below(&r, 10);
        NetSpec sp = {NET_RESNET, d, d, T, 10, ACT_LOGISTIC, 1, 1.0f, 1};
        Net *net = rdn_net_new(&sp, &err);
        FitOpts o;
        rdn_fit_defaults(&o);
        o.epochs = 1; o.batch = B; o.lr = 0.01; o.quiet = 1;
        Table *h;
        rdn_fit(net, ds, NULL, &o, &h, NULL, &err); /* warm-up */
        rdn_table_free(h);
        double best = 1e9;
        for (int rep = 0; rep < reps; rep++) {
            double t0 = now();
            if (rdn_fit(net, ds, NULL, &o, &h, NULL, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
            double dt = now() - t0;
            rdn_table_free(h);
            if (dt < best) best = dt;
        }
        /* a load-independent figure: one thread, process CPU time */
        rdn_blas_set_threads(1);
        double bestc = 1e9;
        for (int rep = 0; rep < reps; rep++) {
            double t0 = cpu_now();
            if (rdn_fit(net, ds, NULL, &o, &h, NULL, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
            double dt = cpu_now() - t0;
            rdn_table_free(h);
            if (dt < bestc) bestc = dt;
        }
        rdn_blas_set_threads(threads);
        gfc[c] = 6.0 * B * (double)d * d * T * NB / bestc / 1e9;
        float *st = malloc(sizeof(float) * (size_t)n * (T + 1) * d), *lg = malloc(sizeof(float) * n * 10);
        double bestf = 1e9;
        for (int rep = 0; rep < reps + 1; rep++) {
            double t0 = now();
            rdn_net_forward(net, ds->x, n, lg, st, NULL, &err);
            double dt = now() - t0;
            if (rep && dt < bestf) bestf = dt;
        }
        double gf = 6.0 * B * (double)d * d * T * NB / best / 1e9;
        gfs[c] = gf;
        printf("rdn   resnet D=%d T=%d B=%d: train %.0f samples/s, %.1f GFLOP/s; record %.0f samples/s; "
               "1 thread: %.0f samples per CPU-second (%.1f GFLOP/s)\n",
               d, T, B, n / best, gf, n / bestf, n / bestc, 6.0 * B * (double)d * d * T * NB / bestc / 1e9);
        if (res) fprintf(res, "%d %d %d %.0f %.1f %.0f\n", d, T, B, n / best, gf, n / bestf);
        free(st); free(lg);
        rdn_net_free(net);
        rdn_dataset_free(ds);
    }
    double p2 = sgemm_peak(threads);
    if (p2 > peak) peak = p2;
    printf("rdn   sgemm 2048^3 peak %.1f GFLOP/s (best of 12, before and after); training at width 784 "
           "reaches %.0f%%, at 64 %.0f%%, at 2 %.1f%% of it\n", peak, 100 * gfs[0] / peak,
           100 * gfs[1] / peak, 100 * gfs[2] / peak);
    double pc = sgemm_peak_t(1, cpu_now);
    rdn_blas_set_threads(threads);
    printf("rdn   1 thread, CPU time (independent of other load): sgemm peak %.1f GFLOP/s; training at "
           "width 784 reaches %.0f%%, at 64 %.0f%%, at 2 %.1f%% of it\n", pc, 100 * gfc[0] / pc,
           100 * gfc[1] / pc, 100 * gfc[2] / pc);
    if (res) {
        fprintf(res, "peak %.1f\n", peak);
        fclose(res);
    }
    return 0;
}
