/* input_grad.c: per-input gradients of each input's own loss with respect to the input
 * (rdn_net_input_grad), by backpropagation through the head, every layer and the embedding.
 * What fgsm perturbations and saliency maps are built from.
 *
 * Per chunk of m rows:
 *   H  [T+1, m, d]   states h_0..h_T
 *   Dv [T, m, d]     dh_{t+1}/dz_t (eta*sigma'(z_t) for a ResNet, sigma'(z_t) for an MLP)
 *   lg [m, k]        logits, overwritten by dL_i/dlogits (the loss of row i alone)
 *   g, g2 [m, d]     dL_i/dh_t (ping-pong)
 * Backward, rows as vectors: dz = Dv_t . g; ResNet g <- g + dz W_t; MLP g <- dz W_t; at the end
 * dx = g E with an embedding, else dx = g. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"
#include "net_impl.h"
#include "tensor.h"

#define IG_CHUNK 256

/* out[m, p] = in[m, q] . A[q, p] (rows of A are the q output units of the forward map) */
static void rowvec_times(float *out, const float *in, const float *A, int m, int q, int p)
{
    for (int i = 0; i < m; i++) {
        float *o = out + (size_t)i * p;
        const float *v = in + (size_t)i * q;
        for (int j = 0; j < p; j++) o[j] = 0.0f;
        for (int r = 0; r < q; r++) {
            float s = v[r];
            const float *a = A + (size_t)r * p;
            for (int j = 0; j < p; j++) o[j] += s * a[j];
        }
    }
}

int rdn_net_input_grad(const Net *net, const Dataset *ds, LossKind loss, float *gout, RdnErr *err)
{
    if (ds->dim != net->in)
        return rdn_err(err, "input_grad: the data has inputs of dimension %d but the net takes in %d", ds->dim, net->in);
    for (int64_t i = 0; i < ds->n; i++)
        if (ds->y[i] < 0 || ds->y[i] >= net->classes)
            return rdn_err(err, "input_grad: input %lld has label %d but the net has %d classes", (long long)i,
                           ds->y[i], net->classes);
    int d = net->width, T = net->depth, k = net->classes, D = net->in;
    size_t md = (size_t)IG_CHUNK * d;
    float *H = rdn_alloc_aligned((size_t)(T + 1) * md, sizeof(float), "input_grad states", err);
    float *Dv = H ? rdn_alloc_aligned((size_t)T * md, sizeof(float), "input_grad derivatives", err) : NULL;
    float *lg = Dv ? rdn_alloc_aligned((size_t)IG_CHUNK * k, sizeof(float), "input_grad logits", err) : NULL;
    float *g = lg ? rdn_alloc_aligned(md, sizeof(float), "input_grad gradients", err) : NULL;
    float *g2 = g ? rdn_alloc_aligned(md, sizeof(float), "input_grad gradients", err) : NULL;
    float *dz = g2 ? rdn_alloc_aligned(md, sizeof(float), "input_grad gradients", err) : NULL;
    float *dlg = dz ? rdn_alloc_aligned((size_t)IG_CHUNK * k, sizeof(float), "input_grad logits", err) : NULL;
    int rc = dlg ? 0 : -1;
    for (int64_t i0 = 0; rc == 0 && i0 < ds->n; i0 += IG_CHUNK) {
        if (rdn_interrupt) {
            rc = rdn_err_interrupted(err, "input_grad: interrupted");
            break;
        }
        int m = (int)(ds->n - i0 < IG_CHUNK ? ds->n - i0 : IG_CHUNK);
        size_t cm = (size_t)m * d;
        rdn_net_embed(net, ds->x + i0 * D, m, H);
        for (int t = 0; t < T; t++)
            rdn_layer_fwd(net, t, NULL, H + t * cm, d, m, H + (t + 1) * cm, d, NULL, 0, Dv + t * cm);
        rdn_net_head(net, H + T * cm, m, lg);
        rdn_loss_rows(loss, lg, ds->y + i0, m, k, dlg, 1.0f, NULL);
        rowvec_times(g, dlg, net->V, m, k, d);          /* dL/dh_T = dlogits V */
        for (int t = T - 1; t >= 0; t--) {
            const float *Dt = Dv + t * cm;
            for (size_t j = 0; j < cm; j++) dz[j] = Dt[j] * g[j];
            rowvec_times(g2, dz, rdn_net_W(net, t), m, d, d);
            if (net->kind == NET_RESNET)
                for (size_t j = 0; j < cm; j++) g[j] += g2[j];
            else {
                float *s = g; g = g2; g2 = s;
            }
        }
        if (net->embed) rowvec_times(gout + i0 * D, g, net->E, m, d, D);
        else memcpy(gout + i0 * D, g, cm * sizeof(float));
    }
    free(H); free(Dv); free(lg); free(g); free(g2); free(dz); free(dlg);
    return rc;
}

int rdn_net_fgsm_rows(const Net *net, float *x, const int32_t *y, int64_t n, double eps, LossKind loss,
                      RdnErr *err)
{
    if (!(eps >= 0) || !isfinite(eps)) return rdn_err(err, "fgsm: eps must be a number >= 0, got %g", eps);
    Dataset view = {0};
    view.n = n;
    view.dim = net->in;
    view.nclasses = net->classes;
    view.x = x;
    view.y = (int32_t *)y;
    float *g = rdn_alloc_aligned((size_t)(n * net->in), sizeof(float), "fgsm gradients", err);
    if (!g) return -1;
    int rc = rdn_net_input_grad(net, &view, loss, g, err);
    float e = (float)eps;
    if (rc == 0)
        for (int64_t i = 0; i < n * net->in; i++) x[i] += g[i] > 0 ? e : g[i] < 0 ? -e : 0.0f;
    free(g);
    return rc;
}
