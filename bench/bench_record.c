/* bench_record.c: recording speed against the machine's measured sgemm peak and PyTorch.
 * Width 784, depth 10 (the Fashion-MNIST setting): a recording is a forward pass, 2 d^2 T flops per
 * input, so its rate is compared with the best rate of a large square sgemm on the same threads.
 * Then the same recording streamed to .npy files (to: a folder), against the disk's write speed
 * measured by writing (and fsyncing) a file of the same size.
 * Usage: bench_record [n] [threads]   (defaults 4096, all cores). Prints the best of 3 runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "outfile.h"
#include "record.h"
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

/* One thread, CPU time (robust when other jobs share the machine): the best rates of a square
 * sgemm, of record and of the plain forward pass, in GFLOP/s. */
static void single_thread(const Net *net, const Dataset *ds, RdnOut *out, double *peak,
                          double *rec_g, double *fwd_g, double *stream_extra)
{
    RdnErr err;
    int S = 1024;
    float *A = rdn_alloc_aligned((size_t)S * S, sizeof(float), "A", &err);
    float *B = rdn_alloc_aligned((size_t)S * S, sizeof(float), "B", &err);
    float *C = rdn_alloc_aligned((size_t)S * S, sizeof(float), "C", &err);
    for (int64_t i = 0; i < (int64_t)S * S; i++) A[i] = B[i] = (float)((i % 7) - 3) * 0.01f;
    float *lg = rdn_alloc_aligned((size_t)ds->n * 10, sizeof(float), "logits", &err);
    rdn_blas_set_threads(1);
    double flop = 2.0 * net->width * net->width * net->depth * (double)ds->n;
    *peak = *rec_g = *fwd_g = 0;
    double best_mem = 1e30, best_stream = 1e30;
    for (int r = 0; r < 5; r++) {
        double t0 = cpu_now();
        rdn_sgemm(0, 0, S, S, S, 1, A, S, B, S, 0, C, S);
        double g = 2.0 * S * S * S / (cpu_now() - t0) / 1e9;
        if (g > *peak) *peak = g;
        RecordOpts o;
        rdn_record_defaults(&o);
        t0 = cpu_now();
        Recording *rec = rdn_record(net, ds, &o, &err);
        double dt = cpu_now() - t0;
        g = flop / dt / 1e9;
        rdn_record_free(rec);
        if (g > *rec_g) *rec_g = g;
        if (dt < best_mem) best_mem = dt;
        o.to = "rec1";
        o.out = out;
        t0 = cpu_now();
        rec = rdn_record(net, ds, &o, &err);   /* CPU time of every thread: writer included */
        dt = cpu_now() - t0;
        rdn_record_free(rec);
        if (dt < best_stream) best_stream = dt;
        t0 = cpu_now();
        rdn_net_forward(net, ds->x, ds->n, lg, NULL, NULL, &err);
        g = flop / (cpu_now() - t0) / 1e9;
        if (g > *fwd_g) *fwd_g = g;
    }
    *stream_extra = best_stream - best_mem;
    free(A);
    free(B);
    free(C);
    free(lg);
}

int main(int argc, char **argv)
{
    int64_t n = argc > 1 ? atoll(argv[1]) : 4096;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    rdn_blas_set_threads(threads);
    RdnErr err;
    const int d = 784, T = 10;

    /* sgemm peak: C[m, n] = A B, m = n = k = 1536, best of 5 */
    int S = 1536;
    float *A = rdn_alloc_aligned((size_t)S * S, sizeof(float), "A", &err);
    float *B = rdn_alloc_aligned((size_t)S * S, sizeof(float), "B", &err);
    float *C = rdn_alloc_aligned((size_t)S * S, sizeof(float), "C", &err);
    for (int64_t i = 0; i < (int64_t)S * S; i++) A[i] = B[i] = (float)((i % 7) - 3) * 0.01f;
    rdn_sgemm(0, 0, S, S, S, 1, A, S, B, S, 0, C, S);
    double peak = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        rdn_sgemm(0, 0, S, S, S, 1, A, S, B, S, 0, C, S);
        double g = 2.0 * S * S * S / (now() - t0) / 1e9;
        if (g > peak) peak = g;
    }
    free(A);
    free(B);
    free(C);

    NetSpec spec = {NET_RESNET, d, d, T, 10, ACT_LOGISTIC, 1, 1.0f, 1};
    Net *net = rdn_net_new(&spec, &err);
    Dataset *ds = rdn_dataset_new(n, d, 10, &err);
    if (!net || !ds) {
        fprintf(stderr, "bench_record: %s\n", err.msg);
        return 1;
    }
    for (int64_t i = 0; i < n * d; i++) ds->x[i] = (float)((i * 2654435761u) % 1000) / 1000.0f;
    for (int64_t i = 0; i < n; i++) ds->y[i] = (int32_t)(i % 10);
    double flop = 2.0 * d * d * T * (double)n;

    RecordOpts o;
    rdn_record_defaults(&o);
    double best = 1e30;
    float *A2 = rdn_alloc_aligned((size_t)S * S, sizeof(float), "A", &err);
    float *B2 = rdn_alloc_aligned((size_t)S * S, sizeof(float), "B", &err);
    float *C2 = rdn_alloc_aligned((size_t)S * S, sizeof(float), "C", &err);
    for (int r = 0; r < 5; r++) {
        /* the peak again, interleaved, so that both see the same machine load */
        double t0 = now();
        rdn_sgemm(0, 0, S, S, S, 1, A2, S, B2, S, 0, C2, S);
        double g = 2.0 * S * S * S / (now() - t0) / 1e9;
        if (g > peak) peak = g;
        t0 = now();
        Recording *rec = rdn_record(net, ds, &o, &err);
        double dt = now() - t0;
        if (!rec) {
            fprintf(stderr, "bench_record: %s\n", err.msg);
            return 1;
        }
        rdn_record_free(rec);
        if (dt < best) best = dt;
    }
    free(A2);
    free(B2);
    free(C2);
    /* the forward pass alone (logits only), for reference */
    float *lg = rdn_alloc_aligned((size_t)n * 10, sizeof(float), "logits", &err);
    double bestf = 1e30;
    for (int r = 0; r < 3; r++) {
        double t0 = now();
        rdn_net_forward(net, ds->x, n, lg, NULL, NULL, &err);
        double dt = now() - t0;
        if (dt < bestf) bestf = dt;
    }
    free(lg);
    int nthreads = rdn_blas_threads();
    double p1, r1, f1, x1;
    int64_t n1 = n < 1024 ? n : 1024;
    char dir1[] = "/tmp/rdn_bench_record1_XXXXXX";
    RdnOut out1;
    if (!mkdtemp(dir1) || rdn_out_init(&out1, dir1, &err)) return 1;
    Dataset *small = rdn_dataset_new(n1, d, 10, &err);
    memcpy(small->x, ds->x, (size_t)n1 * d * sizeof(float));
    memcpy(small->y, ds->y, (size_t)n1 * sizeof(int32_t));
    single_thread(net, small, &out1, &p1, &r1, &f1, &x1);
    rdn_out_free(&out1);
    char cmd1[300];
    snprintf(cmd1, sizeof cmd1, "rm -rf %s", dir1);
    if (system(cmd1)) return 1;
    double mb1 = (double)n1 * (2 * T + 1) * d * 4 / 1e6;
    rdn_dataset_free(small);
    rdn_blas_set_threads(threads);
    printf("bench_record: one thread, CPU time: sgemm %.1f GFLOP/s, record %.1f GFLOP/s = %.0f%% of "
           "sgemm, forward alone %.0f%%; streaming %.0f MB to .npy costs %.3f s more CPU (write + SHA-256)\n",
           p1, r1, 100 * r1 / p1, 100 * f1 / p1, mb1, x1);
    printf("bench_record: sgemm peak %.1f GFLOP/s (%d threads, wall clock, best of 10)\n", peak, nthreads);
    printf("bench_record: record d=%d T=%d n=%lld keep both: %.0f samples/s, %.1f GFLOP/s, "
           "%.0f%% of sgemm peak, %.1fx torch's 2150 samples/s\n",
           d, T, (long long)n, n / best, flop / best / 1e9, 100 * flop / best / 1e9 / peak,
           n / best / 2150);
    printf("bench_record: forward alone (no recording): %.0f samples/s, %.0f%% of sgemm peak\n",
           n / bestf, 100 * flop / bestf / 1e9 / peak);

    /* streamed to disk vs the disk: the same bytes written and fsynced */
    char dir[] = "/tmp/rdn_bench_record_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    RdnOut out;
    if (rdn_out_init(&out, dir, &err)) {
        fprintf(stderr, "bench_record: %s\n", err.msg);
        return 1;
    }
    double bytes = (double)n * ((T + 1) + T) * d * 4 + (double)n * 4;
    size_t blk = (size_t)8 << 20;
    char *junk = malloc(blk);
    memset(junk, 1, blk);
    double bestd = 1e30, bests = 1e30;
    for (int r = 0; r < 3; r++) {
        char p[256];
        snprintf(p, sizeof p, "%s/dd.bin", dir);
        double t0 = now();
        FILE *f = fopen(p, "wb");
        for (double w = 0; w < bytes; w += (double)blk) fwrite(junk, 1, blk, f);
        fflush(f);
        fsync(fileno(f));
        fclose(f);
        double dt = now() - t0;
        unlink(p);
        if (dt < bestd) bestd = dt;
        o.to = "rec";
        o.out = &out;
        t0 = now();
        Recording *rec = rdn_record(net, ds, &o, &err);
        dt = now() - t0;
        if (!rec) {
            fprintf(stderr, "bench_record: %s\n", err.msg);
            return 1;
        }
        rdn_record_free(rec);
        if (dt < bests) bests = dt;
    }
    free(junk);
    printf("bench_record: streamed to .npy: %.0f samples/s (%.2f s), in memory %.2f s; writing the "
           "same %.0f MB alone (fsync) takes %.2f s (%.0f MB/s): streaming adds %.2f s = %.2fx the "
           "disk's own time%s\n",
           n / bests, bests, best, bytes / 1e6, bestd, bytes / bestd / 1e6, bests - best,
           (bests - best) / bestd, bests - best <= bestd ? " (within the disk's speed)" : "");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    rdn_out_free(&out);
    rdn_dataset_free(ds);
    rdn_net_free(net);
    return 0;
}
