/* dyn_separability.c: how separable the classes are at each layer: nearest-class-mean accuracy
 * and the Fisher ratio trace(S_b) / trace(S_w) of the states or residuals of a recording. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyn_impl.h"
#include "dynamics.h"

Table *rdn_dyn_separability(const Recording *r, int of_resid, RdnErr *err)
{
    if (dyn_not_summary(r, "separability", err)) return NULL;
    if (!rdn_record_has(r, of_resid))
        return rdn_err(err, "separability: the recording does not keep the %s (keep: \"%s\"); record "
                            "with keep: \"%s\" or \"both\", or use of: \"%s\"",
                       of_resid ? "residuals" : "states", rdn_record_keep_name(r->keep),
                       of_resid ? "residuals" : "states", of_resid ? "states" : "residuals"), NULL;
    const int L = of_resid ? r->T : r->T + 1, d = r->d, k = r->nclasses;
    const int64_t n = r->n, row = (int64_t)L * d;
    int64_t chunk = dyn_chunk_rows(row, n);
    float *buf = r->streamed ? rdn_alloc_aligned((size_t)(chunk * row), sizeof(float), "buffer", err)
                             : NULL;
    double *mu = rdn_calloc((size_t)k * (size_t)row, sizeof(double), "class means", err);
    double *gm = rdn_calloc((size_t)row, sizeof(double), "mean", err);
    int64_t *cnt = rdn_calloc((size_t)k, sizeof(int64_t), "counts", err);
    double *sw = rdn_calloc((size_t)L, sizeof(double), "scatter", err);
    double *sb = rdn_calloc((size_t)L, sizeof(double), "scatter", err);
    double *acc = rdn_calloc((size_t)L, sizeof(double), "accuracy", err);
    double *fis = rdn_calloc((size_t)L, sizeof(double), "fisher", err);
    int64_t *ok = rdn_calloc((size_t)L, sizeof(int64_t), "counts", err);
    Table *tb = NULL;
    if ((r->streamed && !buf) || !mu || !gm || !cnt || !sw || !sb || !acc || !fis || !ok) goto done;
    /* pass 1: class means (sums, then divided) */
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        const float *X = rdn_record_rows(r, of_resid, i0, m, buf, err);
        if (!X) goto done;
        for (int64_t i = 0; i < m; i++) {
            int c = r->labels[i0 + i];
            cnt[c]++;
            double *mc = mu + (int64_t)c * row;
            const float *x = X + i * row;
            for (int64_t j = 0; j < row; j++) mc[j] += x[j];
        }
    }
    for (int c = 0; c < k; c++)
        for (int64_t j = 0; j < row; j++) {
            gm[j] += mu[(int64_t)c * row + j];
            if (cnt[c]) mu[(int64_t)c * row + j] /= (double)cnt[c];
        }
    for (int64_t j = 0; j < row; j++) gm[j] /= (double)n;
    for (int t = 0; t < L; t++)
        for (int c = 0; c < k; c++) {
            if (!cnt[c]) continue;
            double s = 0;
            for (int j = 0; j < d; j++) {
                double e = mu[(int64_t)c * row + (int64_t)t * d + j] - gm[(int64_t)t * d + j];
                s += e * e;
            }
            sb[t] += (double)cnt[c] * s;
        }
    /* pass 2: within-class scatter and nearest-class-mean predictions */
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        if (rdn_interrupt) {
            rdn_err_interrupted(err, "separability: interrupted");
            goto done;
        }
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        const float *X = rdn_record_rows(r, of_resid, i0, m, buf, err);
        if (!X) goto done;
        for (int64_t i = 0; i < m; i++) {
            int y = r->labels[i0 + i];
            for (int t = 0; t < L; t++) {
                const float *x = X + i * row + (int64_t)t * d;
                int best = -1;
                double bestd = INFINITY;
                for (int c = 0; c < k; c++) {
                    if (!cnt[c]) continue;
                    const double *mc = mu + (int64_t)c * row + (int64_t)t * d;
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        double e = x[j] - mc[j];
                        s += e * e;
                    }
                    if (c == y) sw[t] += s;
                    if (s < bestd || best < 0) {
                        bestd = s;
                        best = c;
                    }
                }
                ok[t] += best == y;
            }
        }
    }
    for (int t = 0; t < L; t++) {
        acc[t] = (double)ok[t] / (double)n;
        fis[t] = sw[t] > 0 ? sb[t] / sw[t] : (sb[t] > 0 ? INFINITY : NAN);
    }
    tb = dyn_layer_table("layer", "accuracy", "fisher", L, acc, fis, err);
done:
    free(buf);
    free(mu);
    free(gm);
    free(cnt);
    free(sw);
    free(sb);
    free(acc);
    free(fis);
    free(ok);
    return tb;
}
