/* dyn_transients.c: the transient measures of a recording: residual norms rho_t, residual
 * change delta_t, the converged layer and the integral error (dynamics.h; docs/model.md). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyn_impl.h"
#include "dynamics.h"

Tensor *rdn_dyn_residual_norms(const Recording *r, RdnErr *err)
{
    if (dyn_not_summary(r, "residual_norms", err)) return NULL;
    Tensor *t = dyn_tensor2(r->n, r->T, err);
    if (t) memcpy(t->data, r->rho, (size_t)(r->n * r->T) * sizeof(float));
    return t;
}

Tensor *rdn_dyn_residual_change(const Recording *r, RdnErr *err)
{
    if (dyn_not_summary(r, "residual_change", err)) return NULL;
    int m = r->T - 1;
    Tensor *t = dyn_tensor2(r->n, m, err);
    if (t && m > 0) memcpy(t->data, r->delta, (size_t)(r->n * m) * sizeof(float));
    return t;
}

int rdn_dyn_converged_layer(const float *delta, int T, double tol)
{
    int t = T - 1;                 /* deltas are 0..T-2; t = T-1 means "none below tol yet" */
    while (t > 0 && delta[t - 1] < tol) t--;
    if (T >= 2 && t == T - 1) return -1;
    return T >= 2 ? t : 0;
}

Tensor *rdn_dyn_converged_at(const Recording *r, double tol, RdnErr *err)
{
    if (dyn_not_summary(r, "converged_at", err)) return NULL;
    if (!(tol > 0) || isinf(tol))
        return rdn_err(err, "converged_at: tol must be a positive number, got %g", tol), NULL;
    Tensor *t = dyn_tensor1(r->n, err);
    if (!t) return NULL;
    for (int64_t i = 0; i < r->n; i++)
        t->data[i] = (float)rdn_dyn_converged_layer(r->delta + i * (r->T > 1 ? r->T - 1 : 0), r->T, tol);
    return t;
}

int rdn_dyn_integral_error(const Recording *r, double *out, RdnErr *err)
{
    if (dyn_not_summary(r, "integral_error", err)) return -1;
    *out = r->integral_error;
    return 0;
}
