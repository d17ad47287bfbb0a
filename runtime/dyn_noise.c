/* dyn_noise.c: noise: how an input perturbation grows or shrinks through the layers (noise
 * evolution) and accuracy under perturbation (robustness), with seeded trial streams. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyn_impl.h"
#include "dynamics.h"

uint64_t rdn_dyn_trial_seed(uint64_t seed, int trial)
{
    if (trial == 0) return seed;
    RdnRng r;
    rdn_rng_derive(&r, seed, 0x747269616cull /* "trial" */, (uint64_t)trial);
    return rdn_rng_u64(&r);
}

/* The smallest and largest entry of the data (salt-and-pepper values, as perturb() uses). */
static void data_range(const Dataset *d, float *lo, float *hi)
{
    *lo = *hi = 0;
    size_t total = (size_t)d->n * d->dim;
    for (size_t i = 0; i < total; i++) {
        if (i == 0 || d->x[i] < *lo) *lo = d->x[i];
        if (i == 0 || d->x[i] > *hi) *hi = d->x[i];
    }
}

static int check_noise(const Net *net, const Dataset *ds, double sigma, int trials,
                       int kind, const char *who, RdnErr *err)
{
    if (ds->dim != net->in)
        return rdn_err(err, "%s: the data has dimension %d but the net takes inputs of %d", who,
                       ds->dim, net->in);
    if (ds->n <= 0) return rdn_err(err, "%s: the data set is empty", who);
    if (!(sigma >= 0) || isinf(sigma))
        return rdn_err(err, "%s: sigma must be a number >= 0, got %g", who, sigma);
    if (kind == RDN_NOISE_SALTPEPPER && sigma > 1)
        return rdn_err(err, "%s: for kind \"saltpepper\" sigma is a probability (0..1), got %g", who, sigma);
    if (trials < 1 || trials > 1000000)
        return rdn_err(err, "%s: trials must be in 1..1000000, got %d", who, trials);
    return 0;
}

Table *rdn_dyn_noise_evolution(const Net *net, const Dataset *ds, double sigma, int trials,
                               int kind, uint64_t seed, RdnErr *err)
{
    if (check_noise(net, ds, sigma, trials, kind, "noise_evolution", err)) return NULL;
    float lo, hi;
    data_range(ds, &lo, &hi);
    const int d = net->width, T = net->depth, D = ds->dim;
    const int64_t n = ds->n, srow = (int64_t)(T + 1) * d;
    int64_t chunk = dyn_chunk_rows(2 * srow + D, n);
    float *S = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "states", err);
    float *P = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "states", err);
    float *X = rdn_alloc_aligned((size_t)(chunk * D), sizeof(float), "inputs", err);
    double *dist = rdn_calloc((size_t)T + 1, sizeof(double), "distances", err);
    double *amp = rdn_calloc((size_t)T + 1, sizeof(double), "amplification", err);
    double *e = rdn_calloc((size_t)T + 1, sizeof(double), "distances", err);
    int64_t namp = 0;
    Table *tb = NULL;
    if (!S || !P || !X || !dist || !amp || !e) goto done;
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        if (rdn_net_forward(net, ds->x + i0 * D, m, NULL, S, NULL, err)) goto done;
        for (int tr = 0; tr < trials; tr++) {
            if (rdn_interrupt) {
                rdn_err_interrupted(err, "noise_evolution: interrupted");
                goto done;
            }
            memcpy(X, ds->x + i0 * D, (size_t)(m * D) * sizeof(float));
            if (sigma != 0)
                rdn_data_perturb_rows(X, m, D, i0, kind, sigma, lo, hi, rdn_dyn_trial_seed(seed, tr));
            if (rdn_net_forward(net, X, m, NULL, P, NULL, err)) goto done;
            for (int64_t i = 0; i < m; i++) {
                for (int t = 0; t <= T; t++) {
                    const float *a = S + i * srow + (int64_t)t * d, *b = P + i * srow + (int64_t)t * d;
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        double q = (double)b[j] - a[j];
                        s += q * q;
                    }
                    e[t] = sqrt(s);
                    dist[t] += e[t];
                }
                if (e[0] > 0) {
                    namp++;
                    for (int t = 0; t <= T; t++) amp[t] += e[t] / e[0];
                }
            }
        }
    }
    double tot = (double)n * trials;
    for (int t = 0; t <= T; t++) {
        dist[t] /= tot;
        amp[t] = namp ? amp[t] / (double)namp : NAN;
    }
    tb = dyn_layer_table("layer", "distance", "amplification", T + 1, dist, amp, err);
done:
    free(S);
    free(P);
    free(X);
    free(dist);
    free(amp);
    free(e);
    return tb;
}

Table *rdn_dyn_robustness(const Net *net, const Dataset *ds, const double *sigmas, int nsigmas,
                          int trials, int kind, uint64_t seed, RdnErr *err)
{
    if (nsigmas < 1) return rdn_err(err, "robustness: sigmas is empty"), NULL;
    for (int s = 0; s < nsigmas; s++)
        if (check_noise(net, ds, sigmas[s], trials, kind, "robustness", err)) return NULL;
    float lo, hi;
    data_range(ds, &lo, &hi);
    const int D = ds->dim;
    const int64_t n = ds->n;
    int64_t chunk = dyn_chunk_rows(D + net->classes, n);
    if (chunk > 4096) chunk = 4096;
    Dataset *cd = rdn_dataset_new(chunk, D, ds->nclasses, err);
    int32_t *pred = rdn_calloc((size_t)chunk, sizeof(int32_t), "predictions", err);
    double *acc = rdn_calloc((size_t)nsigmas, sizeof(double), "accuracies", err);
    const char *names[2] = {"sigma", "accuracy"};
    Table *tb = NULL;
    if (!cd || !pred || !acc) goto done;
    for (int s = 0; s < nsigmas; s++) {
        int ntr = sigmas[s] == 0 ? 1 : trials;   /* no noise: every trial is the same */
        int64_t correct = 0;
        for (int tr = 0; tr < ntr; tr++)
            for (int64_t i0 = 0; i0 < n; i0 += chunk) {
                if (rdn_interrupt) {
                    rdn_err_interrupted(err, "robustness: interrupted");
                    goto done;
                }
                int64_t m = n - i0 < chunk ? n - i0 : chunk;
                cd->n = m;
                memcpy(cd->x, ds->x + i0 * D, (size_t)(m * D) * sizeof(float));
                memcpy(cd->y, ds->y + i0, (size_t)m * sizeof(int32_t));
                if (sigmas[s] != 0)
                    rdn_data_perturb_rows(cd->x, m, D, i0, kind, sigmas[s], lo, hi,
                                          rdn_dyn_trial_seed(seed, tr));
                if (rdn_net_predict(net, cd, pred, err)) goto done;
                for (int64_t i = 0; i < m; i++) correct += pred[i] == cd->y[i];
            }
        acc[s] = (double)correct / ((double)n * ntr);
    }
    tb = rdn_table_new(2, names, NULL, err);
    if (!tb) goto done;
    for (int s = 0; s < nsigmas; s++) {
        double row[2] = {sigmas[s], acc[s]};
        if (rdn_table_push(tb, row, NULL, err)) {
            rdn_table_free(tb);
            tb = NULL;
            goto done;
        }
    }
done:
    if (cd) cd->n = chunk;
    rdn_dataset_free(cd);
    free(pred);
    free(acc);
    return tb;
}
