/* dyn_accuracy.c: accuracy by layer, the head applied to every hidden state h_t, from a data
 * set (run through the net in chunks) or from a recording's states. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyn_impl.h"
#include "dynamics.h"

static int argmax_row(const float *l, int k)
{
    int best = 0;
    for (int c = 1; c < k; c++)
        if (l[c] > l[best]) best = c;
    return best;
}

/* Head on layer t of states S [m, T+1, d]: counts correct predictions into correct[t]. */
static int head_layers(const Net *net, const float *S, const int32_t *y, int64_t m, int T,
                       int64_t *correct, float *h, float *logits)
{
    const int d = net->width, k = net->classes;
    for (int t = 0; t <= T; t++) {
        for (int64_t i = 0; i < m; i++)
            memcpy(h + i * d, S + (i * (T + 1) + t) * d, (size_t)d * sizeof(float));
        rdn_net_head(net, h, m, logits);
        for (int64_t i = 0; i < m; i++) correct[t] += argmax_row(logits + i * k, k) == y[i];
    }
    return 0;
}

static Table *acc_common(const Net *net, const Dataset *ds, const Recording *rec, RdnErr *err)
{
    const int T = net->depth, d = net->width;
    const int64_t n = ds ? ds->n : rec->n;
    const int64_t srow = (int64_t)(T + 1) * d;
    int64_t chunk = dyn_chunk_rows(srow, n);
    float *S = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "state buffer", err);
    float *h = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "state buffer", err);
    float *lg = rdn_alloc_aligned((size_t)(chunk * net->classes), sizeof(float), "logits", err);
    int64_t *correct = rdn_calloc((size_t)T + 1, sizeof(int64_t), "counts", err);
    double *acc = rdn_calloc((size_t)T + 1, sizeof(double), "accuracies", err);
    Table *tb = NULL;
    if (!S || !h || !lg || !correct || !acc) goto done;
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        if (rdn_interrupt) {
            rdn_err_interrupted(err, "accuracy_by_layer: interrupted");
            goto done;
        }
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        const float *St;
        const int32_t *y;
        if (ds) {
            if (rdn_net_forward(net, ds->x + i0 * ds->dim, m, NULL, S, NULL, err)) goto done;
            St = S;
            y = ds->y + i0;
        } else {
            St = rdn_record_rows(rec, 0, i0, m, S, err);
            if (!St) goto done;
            y = rec->labels + i0;
        }
        head_layers(net, St, y, m, T, correct, h, lg);
    }
    for (int t = 0; t <= T; t++) acc[t] = (double)correct[t] / (double)n;
    tb = dyn_layer_table("layer", "accuracy", NULL, T + 1, acc, NULL, err);
done:
    free(S);
    free(h);
    free(lg);
    free(correct);
    free(acc);
    return tb;
}

Table *rdn_dyn_accuracy_by_layer(const Net *net, const Dataset *d, RdnErr *err)
{
    if (d->dim != net->in)
        return rdn_err(err, "accuracy_by_layer: the data has dimension %d but the net takes inputs of %d",
                       d->dim, net->in), NULL;
    if (d->n <= 0) return rdn_err(err, "accuracy_by_layer: the data set is empty"), NULL;
    return acc_common(net, d, NULL, err);
}

Table *rdn_dyn_accuracy_by_layer_rec(const Net *net, const Recording *r, RdnErr *err)
{
    if (rdn_dyn_check_shape(net, r, "accuracy_by_layer", err)) return NULL;
    if (!rdn_record_has(r, 0))
        return rdn_err(err, "accuracy_by_layer: the recording does not keep the states (keep: \"%s\"); "
                            "pass the data set instead, or record with keep: \"states\" or \"both\"",
                       rdn_record_keep_name(r->keep)), NULL;
    return acc_common(net, NULL, r, err);
}
