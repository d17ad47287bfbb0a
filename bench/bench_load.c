/* bench_load.c: loading Fashion-MNIST's training set (gunzip + convert to float32 in [0, 1], with
 * the SHA-256 of both files recorded as a script run does). `bench_load` prints the best of 5
 * runs; `bench_load once` loads once (for peak-memory measurement by bench_load.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "data.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (access(RDN_FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) != 0) {
        printf("bench_load: skipped (Fashion-MNIST not installed in %s)\n", RDN_FASHION_DIR);
        return 0;
    }
    int once = argc > 1 && !strcmp(argv[1], "once");
    char dir[] = "/tmp/rdn_bench_load_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    double best = 1e9;
    int64_t n = 0;
    int dim = 0;
    for (int r = 0; r < (once ? 1 : 5); r++) {
        RdnErr e;
        RdnOut o;
        if (rdn_out_init(&o, dir, &e)) return fprintf(stderr, "%s\n", e.msg), 1;
        double t0 = now();
        Dataset *d = rdn_data_mnist(NULL, 0, 1, &o, &e);
        double t = now() - t0;
        if (!d) return fprintf(stderr, "bench_load: %s\n", e.msg), 1;
        n = d->n, dim = d->dim;
        rdn_dataset_free(d);
        rdn_out_free(&o);
        if (t < best) best = t;
    }
    rmdir(dir);
    double mb = (double)n * dim * 4 / 1e6;
    if (once) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("%.3f %.1f %.1f\n", best, mb, ru.ru_maxrss / 1024.0 * 1.048576);
    } else {
        printf("bench_load: fashion_mnist(split: \"train\") %lld x %d float32 (%.0f MB) in %.3f s "
               "(best of 5, gunzip + convert + SHA-256 for the manifest)\n", (long long)n, dim, mb,
               best);
    }
    return 0;
}
