/* test_adapt.c: depth adaptation (runtime/adapt.c) against docs/model.md "Depth adaptation":
 * the mean delta against a plain-C loop, cuts of nets converged by construction, no cut when
 * the dynamics keep moving, min_depth/max_depth, growth, settings validation. Training after a
 * cut (gradients by finite differences, rdn_fit with adapt) is in test_adapt_train.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "adapt.h"
#include "adapt_fixtures.h"
#include "check.h"

static double sigma(Act a, double z)
{
    if (a == ACT_TANH) return tanh(z);
    if (a == ACT_RELU) return z > 0 ? z : 0;
    return 1 / (1 + exp(-z));
}

/* The plain-C reference of docs/model.md's mean delta for a ResNet or MLP without embedding. */
static void ref_delta(const Net *n, const Dataset *d, double *delta)
{
    int T = n->depth, w = n->width;
    double *h = malloc(sizeof(double) * w), *hn = malloc(sizeof(double) * w);
    double *r = malloc(sizeof(double) * (size_t)T * w);
    for (int t = 0; t < T - 1; t++) delta[t] = 0;
    for (int64_t i = 0; i < d->n; i++) {
        for (int j = 0; j < w; j++) h[j] = d->x[i * w + j];
        for (int t = 0; t < T; t++) {
            const float *W = rdn_net_W(n, t), *b = rdn_net_b(n, t);
            for (int u = 0; u < w; u++) {
                double z = b[u];
                for (int j = 0; j < w; j++) z += (double)W[u * w + j] * h[j];
                double s = sigma(n->act, z);
                hn[u] = n->kind == NET_RESNET ? h[u] + n->step * s : s;
            }
            for (int u = 0; u < w; u++) {
                r[t * w + u] = hn[u] - h[u];
                h[u] = hn[u];
            }
        }
        for (int t = 0; t < T - 1; t++) {
            double s = 0;
            for (int u = 0; u < w; u++) s += (r[(t + 1) * w + u] - r[t * w + u]) * (r[(t + 1) * w + u] - r[t * w + u]);
            delta[t] += sqrt(s) / sqrt(w);
        }
    }
    for (int t = 0; t < T - 1; t++) delta[t] /= (double)d->n;
    free(h), free(hn), free(r);
}

static void test_mean_delta(void)
{
    RdnErr err;
    Dataset *d = make_data(150, 5, 3, 1);     /* 150 > one chunk of 64 */
    Net *kinds[3] = {make_net(NET_RESNET, ACT_LOGISTIC, 5, 7, 1, 0.5f),
                     make_net(NET_RESNET, ACT_TANH, 5, 7, 0, 1.0f),
                     make_net(NET_MLP, ACT_TANH, 5, 7, 0, 1.0f)};
    for (int k = 0; k < 3; k++) {
        Net *n = kinds[k];
        double got[6], want[6];
        CHECK(rdn_adapt_mean_delta(n, d->x, d->n, got, &err) == 0, "%s", err.msg);
        ref_delta(n, d, want);
        for (int t = 0; t < 6; t++)
            CHECK(fabs(got[t] - want[t]) <= 1e-5 * (1 + fabs(want[t])), "kind %d t %d: %g vs %g",
                  k, t, got[t], want[t]);
        rdn_net_free(n);
    }
    rdn_dataset_free(d);
}

static void test_t_star(void)
{
    double a[] = {0.5, 0.2, 1e-4, 2e-4, 1e-5};
    CHECK(rdn_adapt_t_star(a, 5, 1e-3) == 2, "t* %d", rdn_adapt_t_star(a, 5, 1e-3));
    double b[] = {1e-5, 0.2, 1e-4, 2e-3};
    CHECK(rdn_adapt_t_star(b, 4, 1e-3) == -1, "last not converged");
    double c[] = {1e-5, 1e-5};
    CHECK(rdn_adapt_t_star(c, 2, 1e-3) == 0, "all converged");
    CHECK(rdn_adapt_t_star(c, 0, 1e-3) == -1, "no deltas");
    double e[] = {1e-5, NAN};
    CHECK(rdn_adapt_t_star(e, 2, 1e-3) == -1, "NaN is not converged");
}

/* W = 0, one bias: every residual is eta*sigma(b), the same at every layer: all deltas 0, t* = 0. */
static void test_converged_cut(int shared, int min_depth, int expect)
{
    RdnErr err;
    Dataset *d = make_data(100, 4, 3, 2);
    Net *n = make_net(NET_RESNET, ACT_LOGISTIC, 4, 12, shared, 1.0f);
    flatten(n);
    float V0 = n->V[0], b0 = n->b[0];
    AdaptOpts o;
    rdn_adapt_defaults(&o);
    o.min_depth = min_depth;
    o.probe = 50;
    AdaptState *s = rdn_adapt_begin(&o, n, d, &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s) return;
    char buf[4096];
    FILE *log = fmemopen(buf, sizeof buf, "w");
    int rc = rdn_adapt_after_epoch(s, n, 1, NAN, NAN, d, log, &err);
    fclose(log);
    CHECK(rc == 1, "rc %d %s", rc, err.msg);
    CHECK(n->depth == expect, "shared %d min_depth %d: depth %d, want %d", shared, min_depth,
          n->depth, expect);
    CHECK(n->V[0] == V0 && n->b[0] == b0, "parameters kept");
    CHECK(strstr(buf, "depth 12 ->") != NULL, "log line: %s", buf);
    int nd;
    const double *dl = rdn_adapt_last_delta(s, &nd);
    CHECK(nd == 11 && dl && dl[0] == 0 && dl[10] == 0, "deltas 0");
    /* a second check: still converged, already at the bound: no change */
    rc = rdn_adapt_after_epoch(s, n, 2, NAN, NAN, d, NULL, &err);
    CHECK(rc == 0, "no second cut rc %d", rc);
    Table *t = rdn_adapt_take_log(s);
    CHECK(t && t->nrows == 1, "one change logged");
    if (t && t->nrows == 1) {
        CHECK(t->cols[rdn_table_col(t, "epoch")].num[0] == 1, "epoch");
        CHECK(t->cols[rdn_table_col(t, "old_depth")].num[0] == 12, "old");
        CHECK(t->cols[rdn_table_col(t, "new_depth")].num[0] == expect, "new");
        CHECK(t->cols[rdn_table_col(t, "t_star")].num[0] == 0, "t*");
        CHECK(t->cols[rdn_table_col(t, "max_delta_tail")].num[0] == 0, "tail");
        double ab = t->cols[rdn_table_col(t, "acc_before")].num[0];
        double aa = t->cols[rdn_table_col(t, "acc_after")].num[0];
        CHECK(ab >= 0 && ab <= 1 && aa >= 0 && aa <= 1, "acc %g %g", ab, aa);
        CHECK(rdn_table_col(t, "deltas") < 0, "no string of deltas");
        const Table *dt = t->deltas;
        CHECK(dt && dt->ncols == 4 && dt->nrows == 11, "deltas table: one row per layer");
        for (int r = 0; dt && r < dt->nrows && r < 11; r++)
            CHECK(dt->cols[0].num[r] == 1 && dt->cols[1].num[r] == 1 && dt->cols[2].num[r] == r &&
                  dt->cols[3].num[r] == 0, "delta row %d", r);
    }
    rdn_table_free(t);
    rdn_adapt_end(s);
    rdn_net_free(n);
    rdn_dataset_free(d);
}

/* An MLP h_{t+1} = tanh(-2 h_t) flips sign at every layer: residuals never settle. */
static Net *oscillator(int depth)
{
    Net *n = make_net(NET_MLP, ACT_TANH, 4, depth, 0, 1.0f);
    memset(n->W, 0, sizeof(float) * (size_t)nW(n));
    memset(n->b, 0, sizeof(float) * (size_t)(n->cap_depth) * n->width);
    for (int t = 0; t < n->cap_depth; t++)
        for (int u = 0; u < 4; u++) n->W[(int64_t)t * 16 + u * 4 + u] = -2;
    return n;
}

static void test_not_converged(void)
{
    RdnErr err;
    Dataset *d = make_data(60, 4, 3, 3);
    Net *n = oscillator(6);
    AdaptOpts o;
    rdn_adapt_defaults(&o);
    AdaptState *s = rdn_adapt_begin(&o, n, d, &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s) return;
    int rc = rdn_adapt_after_epoch(s, n, 1, 2.0, 1.0, d, NULL, &err);
    CHECK(rc == 0 && n->depth == 6, "not cut (rc %d, depth %d)", rc, n->depth);
    int nd;
    const double *dl = rdn_adapt_last_delta(s, &nd);
    CHECK(nd == 5 && dl[4] > 0.1, "last delta large: %g", dl ? dl[4] : -1);
    rdn_adapt_end(s);

    /* growth: not converged and the validation loss falls -> +grow, capped at max_depth */
    o.grow = 3;
    o.max_depth = 11;
    s = rdn_adapt_begin(&o, n, d, &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s) return;
    rc = rdn_adapt_after_epoch(s, n, 1, 2.0, 2.5, d, NULL, &err);
    CHECK(rc == 0 && n->depth == 6, "val loss rising: no growth");
    rc = rdn_adapt_after_epoch(s, n, 2, NAN, NAN, d, NULL, &err);
    CHECK(rc == 0 && n->depth == 6, "no val: no growth");
    rc = rdn_adapt_after_epoch(s, n, 3, 2.0, 1.5, d, NULL, &err);
    CHECK(rc == 1 && n->depth == 9, "grown to 9: rc %d depth %d %s", rc, n->depth, err.msg);
    rc = rdn_adapt_after_epoch(s, n, 4, 1.5, 1.0, d, NULL, &err);
    CHECK(rc == 1 && n->depth == 11, "grown to max_depth 11: depth %d", n->depth);
    rc = rdn_adapt_after_epoch(s, n, 5, 1.0, 0.5, d, NULL, &err);
    CHECK(rc == 0 && n->depth == 11, "max_depth holds: depth %d", n->depth);
    Table *t = rdn_adapt_take_log(s);
    CHECK(t && t->nrows == 2, "two growths logged");
    if (t && t->nrows == 2) CHECK(isnan(t->cols[rdn_table_col(t, "t_star")].num[0]), "t* NaN");
    /* the deltas behind each growth: 5 layers' at depth 6, then 8 at depth 9; the logged tail is
     * the last of them */
    const Table *dt = t ? t->deltas : NULL;
    CHECK(dt && dt->nrows == 5 + 8, "deltas rows %d", dt ? dt->nrows : -1);
    if (dt && dt->nrows == 13) {
        CHECK(dt->cols[0].num[4] == 1 && dt->cols[0].num[5] == 2 && dt->cols[1].num[5] == 4 &&
              dt->cols[2].num[12] == 7, "change, epoch, layer columns");
        CHECK(dt->cols[3].num[4] == t->cols[rdn_table_col(t, "max_delta_tail")].num[0] &&
              dt->cols[3].num[12] == t->cols[rdn_table_col(t, "max_delta_tail")].num[1],
              "the last delta is the logged tail");
    }
    rdn_table_free(t);
    rdn_adapt_end(s);
    rdn_net_free(n);

    /* every: only epochs divisible by every are checked */
    n = make_net(NET_RESNET, ACT_LOGISTIC, 4, 8, 1, 1.0f);
    memset(n->W, 0, sizeof(float) * 16);
    rdn_adapt_defaults(&o);
    o.every = 3;
    s = rdn_adapt_begin(&o, n, d, &err);
    CHECK(rdn_adapt_after_epoch(s, n, 1, NAN, NAN, d, NULL, &err) == 0 && n->depth == 8, "every 3: epoch 1 skipped");
    CHECK(rdn_adapt_after_epoch(s, n, 2, NAN, NAN, d, NULL, &err) == 0 && n->depth == 8, "every 3: epoch 2 skipped");
    CHECK(rdn_adapt_after_epoch(s, n, 3, NAN, NAN, d, NULL, &err) == 1 && n->depth == 2, "every 3: epoch 3 cut");
    rdn_adapt_end(s);
    rdn_net_free(n);
    rdn_dataset_free(d);
}

/* An MLP with W = 0 and one bias: h_1 = h_2 = ... = sigma(b), so r_0 = sigma(b) - x and r_t = 0 after:
 * delta_0 > 0, the rest 0, t* = 1, depth max(min_depth, 3). */
static void test_mlp_cut(void)
{
    RdnErr err;
    Dataset *d = make_data(50, 4, 3, 7);
    Net *n = make_net(NET_MLP, ACT_LOGISTIC, 4, 10, 0, 1.0f);
    flatten(n);
    AdaptOpts o;
    rdn_adapt_defaults(&o);
    AdaptState *s = rdn_adapt_begin(&o, n, d, &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s) return;
    int rc = rdn_adapt_after_epoch(s, n, 1, NAN, NAN, NULL, NULL, &err);
    CHECK(rc == 1 && n->depth == 3, "mlp cut to 3: rc %d depth %d %s", rc, n->depth, err.msg);
    int nd;
    const double *dl = rdn_adapt_last_delta(s, &nd);
    CHECK(nd == 9 && dl[0] > 0.1 && dl[1] == 0 && dl[8] == 0, "mlp deltas %g %g", dl[0], dl[1]);
    rdn_adapt_end(s);
    rdn_net_free(n);
    rdn_dataset_free(d);
}

static void expect_invalid(AdaptOpts o, const Net *n, const Dataset *d, const char *needle)
{
    RdnErr err = {0};
    int rc = rdn_adapt_validate(&o, n, d, &err);
    CHECK(rc == RDN_ERROR && strstr(err.msg, needle), "want error with '%s', got rc %d '%s'",
          needle, rc, err.msg);
    CHECK(rdn_adapt_begin(&o, n, d, &err) == NULL, "begin refuses too");
}

static void test_validate(void)
{
    RdnErr err;
    Dataset *d = make_data(40, 4, 3, 4);
    Net *n = make_net(NET_RESNET, ACT_LOGISTIC, 4, 10, 1, 1.0f);
    AdaptOpts o, b;
    rdn_adapt_defaults(&o);
    CHECK(rdn_adapt_validate(&o, n, d, &err) == 0, "defaults valid: %s", err.msg);
    AdaptOpts r = rdn_adapt_resolve(&o, n, d);
    CHECK(r.probe == 40 && r.max_depth == 10 && r.min_depth == 2, "resolved probe %d max %d",
          r.probe, r.max_depth);
    b = o, b.grow = 5;
    r = rdn_adapt_resolve(&b, n, d);
    CHECK(r.max_depth == RDN_ADAPT_MAX_DEPTH, "growing default cap %d", r.max_depth);
    b = o, b.tol = 0;          expect_invalid(b, n, d, "tol must be a positive");
    b = o, b.tol = -1;         expect_invalid(b, n, d, "tol must be a positive");
    b = o, b.tol = NAN;        expect_invalid(b, n, d, "tol must be a positive");
    b = o, b.every = 0;        expect_invalid(b, n, d, "every must be at least 1");
    b = o, b.min_depth = 0;    expect_invalid(b, n, d, "min_depth must be at least 1");
    b = o, b.grow = -2;        expect_invalid(b, n, d, "grow must be 0");
    b = o, b.probe = 41;       expect_invalid(b, n, d, "41 inputs asked for");
    b = o, b.min_depth = 12, b.max_depth = 11; expect_invalid(b, n, d, "min_depth 12 is larger than max_depth 11");
    b = o, b.max_depth = 5;    expect_invalid(b, n, d, "below the network's depth 10");
    b = o, b.probe = 40;
    CHECK(rdn_adapt_validate(&b, n, d, &err) == 0, "probe = n is fine");
    Dataset *wrong = make_data(40, 3, 3, 4);
    expect_invalid(o, n, wrong, "net takes 4");
    rdn_dataset_free(wrong);
    rdn_net_free(n);
    rdn_dataset_free(d);
}

int main(void)
{
    test_t_star();
    test_mean_delta();
    test_converged_cut(1, 2, 2);
    test_converged_cut(1, 5, 5);
    test_converged_cut(0, 2, 2);
    test_converged_cut(0, 7, 7);
    test_mlp_cut();
    test_not_converged();
    test_validate();
    return DONE();
}
