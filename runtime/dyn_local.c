/* dyn_local.c: local dynamics: the Jacobian of a layer, eigenvalues (LAPACK dgeev) and the
 * finite-time growth rate of random directions along each input's trajectory. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyn_impl.h"
#include "dynamics.h"

/* sigma'(z); relu'(0) is taken as 0. */
static double act_df(Act a, double z)
{
    switch (a) {
    case ACT_LOGISTIC: {
        double s = 1.0 / (1.0 + exp(-z));
        return s * (1 - s);
    }
    case ACT_TANH: {
        double t = tanh(z);
        return 1 - t * t;
    }
    case ACT_RELU: return z > 0 ? 1 : 0;
    }
    return NAN;
}

Tensor *rdn_dyn_jacobian(const Net *net, const float *h, int layer, RdnErr *err)
{
    const int d = net->width;
    if (layer < 0 || (!(net->kind == NET_RESNET && net->shared) && layer >= net->depth))
        return rdn_err(err, "jacobian: layer must be in 0..%d, got %d", net->depth - 1, layer), NULL;
    for (int j = 0; j < d; j++)
        if (!isfinite(h[j])) return rdn_err(err, "jacobian: the state has a non-finite entry at %d", j), NULL;
    const float *W = rdn_net_W(net, layer), *b = rdn_net_b(net, layer);
    Tensor *J = dyn_tensor2(d, d, err);
    if (!J) return NULL;
    for (int i = 0; i < d; i++) {
        double z = b[i];
        for (int j = 0; j < d; j++) z += (double)W[(int64_t)i * d + j] * h[j];
        double g = act_df(net->act, z);
        if (net->kind == NET_RESNET) g *= net->step;
        for (int j = 0; j < d; j++)
            J->data[(int64_t)i * d + j] = (float)(g * W[(int64_t)i * d + j] +
                                                  (net->kind == NET_RESNET && i == j ? 1.0 : 0.0));
    }
    return J;
}

/* LAPACK (Fortran symbol exported by OpenBLAS; lapacke.h is not needed). */
extern void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda,
                   double *wr, double *wi, double *vl, const int *ldvl, double *vr, const int *ldvr,
                   double *work, const int *lwork, int *info, size_t len_jobvl, size_t len_jobvr);

typedef struct EigV { double re, im, mag; } EigV;
static int eig_cmp(const void *pa, const void *pb)
{
    const EigV *a = pa, *b = pb;
    if (a->mag != b->mag) return a->mag > b->mag ? -1 : 1;
    if (a->re != b->re) return a->re > b->re ? -1 : 1;
    if (a->im != b->im) return a->im > b->im ? -1 : 1;
    return 0;
}

Tensor *rdn_dyn_eig(const Tensor *m, RdnErr *err)
{
    if (m->ndim != 2 || m->shape[0] != m->shape[1] || m->shape[0] < 1)
        return rdn_err(err, "eig: expected a square matrix [n, n], got a tensor of %d dimension(s)%s",
                       m->ndim, m->ndim == 2 ? " that is not square" : ""), NULL;
    if (m->shape[0] > 8192) return rdn_err(err, "eig: matrix too large (%lld)", (long long)m->shape[0]), NULL;
    const int n = (int)m->shape[0];
    for (int64_t i = 0; i < m->size; i++)
        if (!isfinite(m->data[i])) return rdn_err(err, "eig: the matrix has a non-finite entry (NaN or Inf)"), NULL;
    /* dgeev is column-major: passing the row-major data gives A^T, whose eigenvalues are A's */
    double *a = rdn_calloc((size_t)n * n, sizeof(double), "eig matrix", err);
    double *wr = rdn_calloc((size_t)n, sizeof(double), "eigenvalues", err);
    double *wi = rdn_calloc((size_t)n, sizeof(double), "eigenvalues", err);
    EigV *v = rdn_calloc((size_t)n, sizeof(EigV), "eigenvalues", err);
    double *work = NULL;
    Tensor *out = NULL;
    if (!a || !wr || !wi || !v) goto done;
    for (int64_t i = 0; i < (int64_t)n * n; i++) a[i] = m->data[i];
    int lwork = -1, info = 0, one = 1;
    double wq = 0, dummy = 0;
    dgeev_("N", "N", &n, a, &n, wr, wi, &dummy, &one, &dummy, &one, &wq, &lwork, &info, 1, 1);
    if (info != 0) { rdn_err(err, "eig: LAPACK workspace query failed (info %d)", info); goto done; }
    lwork = (int)wq;
    if (lwork < 4 * n) lwork = 4 * n;
    work = rdn_calloc((size_t)lwork, sizeof(double), "eig workspace", err);
    if (!work) goto done;
    dgeev_("N", "N", &n, a, &n, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info, 1, 1);
    if (info != 0) {
        rdn_err(err, "eig: LAPACK dgeev did not converge (info %d)", info);
        goto done;
    }
    for (int i = 0; i < n; i++) v[i] = (EigV){wr[i], wi[i], hypot(wr[i], wi[i])};
    qsort(v, (size_t)n, sizeof *v, eig_cmp);
    out = dyn_tensor2(n, 2, err);
    if (!out) goto done;
    for (int i = 0; i < n; i++) {
        out->data[2 * i] = (float)v[i].re;
        out->data[2 * i + 1] = (float)v[i].im;
    }
done:
    free(a);
    free(wr);
    free(wi);
    free(v);
    free(work);
    return out;
}

Tensor *rdn_dyn_growth_rate(const Net *net, const Dataset *ds, int dirs, uint64_t seed, RdnErr *err)
{
    if (ds->dim != net->in)
        return rdn_err(err, "growth_rate: the data has dimension %d but the net takes inputs of %d",
                       ds->dim, net->in), NULL;
    if (ds->n <= 0) return rdn_err(err, "growth_rate: the data set is empty"), NULL;
    if (dirs < 1 || dirs > 1024) return rdn_err(err, "growth_rate: dirs must be in 1..1024, got %d", dirs), NULL;
    const int d = net->width, T = net->depth, q = dirs;
    const int64_t n = ds->n, srow = (int64_t)(T + 1) * d;
    int64_t chunk = dyn_chunk_rows(srow + (int64_t)2 * q * d, n);
    if (chunk > 256) chunk = 256;
    float *S = rdn_alloc_aligned((size_t)(chunk * srow), sizeof(float), "states", err);
    float *U = rdn_alloc_aligned((size_t)(chunk * q * d), sizeof(float), "directions", err);
    float *V = rdn_alloc_aligned((size_t)(chunk * q * d), sizeof(float), "directions", err);
    float *Z = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "pre-activations", err);
    float *H = rdn_alloc_aligned((size_t)(chunk * d), sizeof(float), "states", err);
    double *acc = rdn_calloc((size_t)(chunk * q), sizeof(double), "log growth", err);
    Tensor *out = NULL, *res = dyn_tensor1(n, err);
    if (!S || !U || !V || !Z || !H || !acc || !res) goto done;
    for (int64_t i0 = 0; i0 < n; i0 += chunk) {
        if (rdn_interrupt) {
            rdn_err_interrupted(err, "growth_rate: interrupted");
            goto done;
        }
        int64_t m = n - i0 < chunk ? n - i0 : chunk;
        if (rdn_net_forward(net, ds->x + i0 * ds->dim, m, NULL, S, NULL, err)) goto done;
        for (int64_t i = 0; i < m; i++) {
            RdnRng rng;
            rdn_rng_derive(&rng, seed, (uint64_t)(i0 + i), 0);
            for (int j = 0; j < q; j++) {
                float *u = U + (i * q + j) * d;
                double s = 0;
                for (int e = 0; e < d; e++) {
                    u[e] = (float)rdn_rng_normal(&rng);
                    s += (double)u[e] * u[e];
                }
                double inv = s > 0 ? 1 / sqrt(s) : 0;
                for (int e = 0; e < d; e++) u[e] = (float)(u[e] * inv);
                acc[i * q + j] = 0;
            }
        }
        for (int t = 0; t < T; t++) {
            const float *W = rdn_net_W(net, t), *b = rdn_net_b(net, t);
            for (int64_t i = 0; i < m; i++)
                memcpy(H + i * d, S + (i * (T + 1) + t) * d, (size_t)d * sizeof(float));
            /* Z [m, d] = H W^T + b; V [m q, d] = U W^T */
            rdn_sgemm(0, 1, (int)m, d, d, 1.0f, H, d, W, d, 0.0f, Z, d);
            rdn_sgemm(0, 1, (int)(m * q), d, d, 1.0f, U, d, W, d, 0.0f, V, d);
            for (int64_t i = 0; i < m; i++) {
                float *z = Z + i * d;
                for (int e = 0; e < d; e++) {
                    double g = act_df(net->act, (double)z[e] + b[e]);
                    z[e] = (float)(net->kind == NET_RESNET ? net->step * g : g);
                }
                for (int j = 0; j < q; j++) {
                    float *u = U + (i * q + j) * d, *v = V + (i * q + j) * d;
                    double s = 0;
                    for (int e = 0; e < d; e++) {
                        double x = (double)z[e] * v[e] + (net->kind == NET_RESNET ? u[e] : 0.0);
                        u[e] = (float)x;
                        s += x * x;
                    }
                    double nrm = sqrt(s);
                    acc[i * q + j] += log(nrm);
                    double inv = nrm > 0 ? 1 / nrm : 0;
                    for (int e = 0; e < d; e++) u[e] = (float)(u[e] * inv);
                }
            }
        }
        for (int64_t i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < q; j++) s += acc[i * q + j];
            res->data[i0 + i] = (float)(s / q / T);
        }
    }
    out = res;
    res = NULL;
done:
    rdn_tensor_free(res);
    free(S);
    free(U);
    free(V);
    free(Z);
    free(H);
    free(acc);
    return out;
}
