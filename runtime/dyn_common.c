/* dyn_common.c: what the measures of dynamics.h share (dyn_impl.h): chunk sizes that bound
 * memory, small tensor constructors, the summary-recording check, the shape check and the
 * per-layer result table. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dyn_impl.h"
#include "dynamics.h"

int64_t dyn_chunk_rows(int64_t row_floats, int64_t n)
{
    int64_t m = CHUNK_FLOATS / (row_floats > 0 ? row_floats : 1);
    if (m < 16) m = 16;
    return m > n ? (n > 0 ? n : 1) : m;
}

Tensor *dyn_tensor1(int64_t a, RdnErr *err) { return rdn_tensor_new(1, &a, err); }
Tensor *dyn_tensor2(int64_t a, int64_t b, RdnErr *err)
{
    int64_t s[2] = {a, b};
    return rdn_tensor_new(2, s, err);
}

int dyn_not_summary(const Recording *r, const char *who, RdnErr *err)
{
    if (r->keep == KEEP_SUMMARY)
        return rdn_err(err, "%s: the recording keeps only a summary (keep: \"summary\"); its per-class "
                            "statistics are rec.norm_mean, rec.norm_var, rec.change_mean, "
                            "rec.state_mean, rec.state_var; record with keep: \"both\" for per-input "
                            "measures", who);
    return 0;
}

int rdn_dyn_check_shape(const Net *net, const Recording *r, const char *who, RdnErr *err)
{
    if (net->kind != r->kind || net->in != r->in || net->width != r->d || net->depth != r->T)
        return rdn_err(err, "%s: the recording comes from a %s of in %d, width %d, depth %d, but the "
                            "net is a %s of in %d, width %d, depth %d",
                       who, rdn_net_kind_name(r->kind), r->in, r->d, r->T,
                       rdn_net_kind_name(net->kind), net->in, net->width, net->depth);
    return 0;
}

Table *dyn_layer_table(const char *c1, const char *c2, const char *c3, int rows,
                          const double *v2, const double *v3, RdnErr *err)
{
    const char *names[3] = {c1, c2, c3};
    Table *tb = rdn_table_new(c3 ? 3 : 2, names, NULL, err);
    if (!tb) return NULL;
    for (int t = 0; t < rows; t++) {
        double row[3] = {t, v2[t], c3 ? v3[t] : 0};
        if (rdn_table_push(tb, row, NULL, err)) {
            rdn_table_free(tb);
            return NULL;
        }
    }
    return tb;
}
