/* test_dyn.c: record and every dynamics measure against closed forms, hand-computed cases and a
 * plain-C forward loop written here (independent of net.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "dynamics.h"
#include "outfile.h"
#include "record.h"

static RdnErr err;

static Net *mknet(NetKind kind, int in, int width, int depth, int classes, Act act, int shared,
                  float step)
{
    NetSpec s = {kind, in, width, depth, classes, act, shared, step, 7};
    Net *n = rdn_net_new(&s, &err);
    if (!n) fprintf(stderr, "net: %s\n", err.msg);
    return n;
}

static Dataset *mkdata(int64_t n, int dim, int k, uint64_t seed, double scale)
{
    Dataset *d = rdn_dataset_new(n, dim, k, &err);
    RdnRng r;
    rdn_rng_seed(&r, seed);
    for (int64_t i = 0; i < n * dim; i++) d->x[i] = (float)(scale * (2 * rdn_rng_uniform(&r) - 1));
    for (int64_t i = 0; i < n; i++) d->y[i] = (int32_t)(i % k);
    return d;
}

static double act(Act a, double z)
{
    return a == ACT_LOGISTIC ? 1 / (1 + exp(-z)) : a == ACT_TANH ? tanh(z) : (z > 0 ? z : 0);
}

/* The reference: docs/model.md "Networks" in double, one input at a time. hs [T+1, d], rs [T, d]. */
static void ref_forward(const Net *net, const float *x, double *hs, double *rs)
{
    int d = net->width, D = net->in, T = net->depth;
    for (int j = 0; j < d; j++) {
        if (!net->embed) hs[j] = x[j];
        else {
            double s = net->e[j];
            for (int q = 0; q < D; q++) s += (double)net->E[j * D + q] * x[q];
            hs[j] = s;
        }
    }
    for (int t = 0; t < T; t++) {
        const float *W = rdn_net_W(net, t), *b = rdn_net_b(net, t);
        for (int i = 0; i < d; i++) {
            double z = b[i];
            for (int j = 0; j < d; j++) z += (double)W[i * d + j] * hs[t * d + j];
            double s = act(net->act, z);
            double h1 = net->kind == NET_RESNET ? hs[t * d + i] + net->step * s : s;
            hs[(t + 1) * d + i] = h1;
            rs[t * d + i] = h1 - hs[t * d + i];
        }
    }
}

static void test_states_match_reference(void)
{
    struct { NetKind k; int in, w, T; Act a; int shared; } cases[] = {
        {NET_RESNET, 5, 5, 6, ACT_LOGISTIC, 1},  {NET_RESNET, 4, 20, 4, ACT_TANH, 0},
        {NET_MLP, 6, 6, 5, ACT_RELU, 0},          {NET_RESNET, 30, 30, 3, ACT_LOGISTIC, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        Net *net = mknet(cases[c].k, cases[c].in, cases[c].w, cases[c].T, 3, cases[c].a,
                         cases[c].shared, 0.5f);
        Dataset *ds = mkdata(37, cases[c].in, 3, 11 + c, 1.0);
        RecordOpts o;
        rdn_record_defaults(&o);
        o.chunk = 8;   /* several chunks, a partial last one */
        Recording *r = rdn_record(net, ds, &o, &err);
        CHECK(r != NULL, "record: %s", err.msg);
        if (!r) continue;
        int d = net->width, T = net->depth;
        double *hs = malloc(sizeof(double) * (T + 1) * d), *rs = malloc(sizeof(double) * T * d);
        double maxe = 0, maxr = 0, maxrho = 0;
        for (int64_t i = 0; i < ds->n; i++) {
            ref_forward(net, ds->x + i * ds->dim, hs, rs);
            for (int q = 0; q < (T + 1) * d; q++)
                maxe = fmax(maxe, fabs(hs[q] - r->states[i * (T + 1) * d + q]));
            for (int q = 0; q < T * d; q++) maxr = fmax(maxr, fabs(rs[q] - r->resid[i * T * d + q]));
            for (int t = 0; t < T; t++) {
                double s = 0;
                for (int j = 0; j < d; j++) s += rs[t * d + j] * rs[t * d + j];
                maxrho = fmax(maxrho, fabs(sqrt(s) - r->rho[i * T + t]));
            }
            CHECK(r->labels[i] == ds->y[i], "labels");
        }
        CHECK(maxe < 1e-4, "case %zu: states vs plain-C loop, max error %g", c, maxe);
        CHECK(maxr < 1e-4, "case %zu: residuals vs plain-C loop, max error %g", c, maxr);
        CHECK(maxrho < 1e-4, "case %zu: residual norms, max error %g", c, maxrho);
        CHECK(r->integral_error < 1e-5, "case %zu: integral error %g", c, r->integral_error);
        /* keep: states only still gives exact norms; summary means match the full recording */
        o.keep = KEEP_STATES;
        Recording *rs2 = rdn_record(net, ds, &o, &err);
        o.keep = KEEP_SUMMARY;
        Recording *sm = rdn_record(net, ds, &o, &err);
        CHECK(rs2 && sm, "%s", err.msg);
        if (rs2 && sm) {
            CHECK(rs2->resid == NULL && rs2->states != NULL, "keep states");
            CHECK(memcmp(rs2->rho, r->rho, sizeof(float) * ds->n * T) == 0, "rho independent of keep");
            CHECK(sm->states == NULL && sm->resid == NULL && sm->rho == NULL, "summary keeps no arrays");
            double emax = 0, vmax = 0, rmax = 0;
            for (int cl = 0; cl < 3; cl++)
                for (int t = 0; t <= T; t++)
                    for (int j = 0; j < d; j++) {
                        double s = 0, s2 = 0;
                        int cnt = 0;
                        for (int64_t i = 0; i < ds->n; i++)
                            if (ds->y[i] == cl) {
                                double v = r->states[(i * (T + 1) + t) * d + j];
                                s += v;
                                s2 += v * v;
                                cnt++;
                            }
                        double mu = s / cnt, var = s2 / cnt - mu * mu;
                        emax = fmax(emax, fabs(mu - sm->state_mean[((int64_t)cl * (T + 1) + t) * d + j]));
                        vmax = fmax(vmax, fabs(var - sm->state_var[((int64_t)cl * (T + 1) + t) * d + j]));
                    }
            for (int cl = 0; cl < 3; cl++)
                for (int t = 0; t < T; t++) {
                    double s = 0;
                    int cnt = 0;
                    for (int64_t i = 0; i < ds->n; i++)
                        if (ds->y[i] == cl) s += r->rho[i * T + t], cnt++;
                    rmax = fmax(rmax, fabs(s / cnt - sm->rho_mean[cl * T + t]));
                }
            CHECK(emax < 1e-5 && vmax < 1e-5 && rmax < 1e-5, "summary: mean %g var %g rho %g", emax, vmax, rmax);
            CHECK(sm->count[0] == 13 && sm->count[1] == 12, "class counts");
        }
        rdn_record_free(rs2);
        rdn_record_free(sm);
        free(hs);
        free(rs);
        rdn_record_free(r);
        rdn_dataset_free(ds);
        rdn_net_free(net);
    }
}

/* W = 0: r_t = eta sigma(b) for every t, so delta = 0, converged at 0, h_T = h_0 + T eta sigma(b). */
static void test_zero_weights(void)
{
    Net *net = mknet(NET_RESNET, 4, 4, 7, 2, ACT_LOGISTIC, 1, 0.3f);
    memset(net->W, 0, sizeof(float) * 16);
    float b[4] = {-1, 0, 0.5f, 2};
    memcpy(net->b, b, sizeof b);
    Dataset *ds = mkdata(50, 4, 2, 3, 5.0);
    Recording *r = rdn_record(net, ds, NULL, &err);
    CHECK(r != NULL, "%s", err.msg);
    double rr = 0;
    for (int j = 0; j < 4; j++) rr += pow(0.3 / (1 + exp(-b[j])), 2);
    rr = sqrt(rr);
    double maxres = 0;
    for (int64_t i = 0; i < 50 * 7; i++)
        for (int j = 0; j < 4; j++)
            maxres = fmax(maxres, fabs(r->resid[i * 4 + j] - 0.3 / (1 + exp(-b[j]))));
    CHECK(maxres < 1e-6, "every residual is eta sigma(b): %g", maxres);
    Tensor *rho = rdn_dyn_residual_norms(r, &err), *dl = rdn_dyn_residual_change(r, &err);
    Tensor *cv = rdn_dyn_converged_at(r, 1e-6, &err);
    CHECK(rho && rho->ndim == 2 && rho->shape[0] == 50 && rho->shape[1] == 7, "norms [n, T]");
    CHECK(dl && dl->shape[0] == 50 && dl->shape[1] == 6, "change [n, T-1]");
    CHECK(cv && cv->ndim == 1 && cv->shape[0] == 50, "converged [n]");
    double e1 = 0, e2 = 0, e3 = 0;
    for (int64_t i = 0; i < rho->size; i++) e1 = fmax(e1, fabs(rho->data[i] - rr));
    for (int64_t i = 0; i < dl->size; i++) e2 = fmax(e2, fabs(dl->data[i]));
    for (int64_t i = 0; i < cv->size; i++) e3 = fmax(e3, fabs(cv->data[i]));
    CHECK(e1 < 1e-6, "norm = ||eta sigma(b)||: %g", e1);
    CHECK(e2 == 0, "change exactly 0: %g", e2);
    CHECK(e3 == 0, "converged at layer 0");
    double ie = -1;
    CHECK(rdn_dyn_integral_error(r, &ie, &err) == 0 && ie < 1e-5, "integral error %g", ie);
    /* separability of the residuals: all equal, so no between-class scatter and no within */
    rdn_tensor_free(rho);
    rdn_tensor_free(dl);
    rdn_tensor_free(cv);
    /* noise through a W = 0 ResNet: the residuals do not depend on h, so e_t = e_0 at every layer */
    Table *ne = rdn_dyn_noise_evolution(net, ds, 0.1, 3, RDN_NOISE_GAUSSIAN, 99, &err);
    CHECK(ne && ne->nrows == 8, "noise_evolution rows: %s", err.msg);
    if (ne) {
        int ca = rdn_table_col(ne, "amplification"), cd = rdn_table_col(ne, "distance");
        double am = 0;
        for (int t = 0; t <= 7; t++) am = fmax(am, fabs(ne->cols[ca].num[t] - 1));
        CHECK(am < 1e-4, "amplification 1 at every layer when W = 0: %g", am);
        /* e_0 = ||xi|| with xi ~ N(0, 0.01 I_4): mean of a chi_4 times 0.1 ~ 0.188 */
        CHECK(fabs(ne->cols[cd].num[0] - 0.188) < 0.03, "distance at 0: %g", ne->cols[cd].num[0]);
    }
    rdn_table_free(ne);
    /* growth rate: J = I, so growth 0 */
    Tensor *g = rdn_dyn_growth_rate(net, ds, 3, 5, &err);
    CHECK(g && g->shape[0] == 50, "growth shape: %s", err.msg);
    double gm = 0;
    for (int64_t i = 0; g && i < g->size; i++) gm = fmax(gm, fabs(g->data[i]));
    CHECK(gm < 1e-6, "growth rate 0 with J = I: %g", gm);
    rdn_tensor_free(g);
    rdn_record_free(r);
    rdn_dataset_free(ds);
    rdn_net_free(net);
}

static void test_converged_layer(void)
{
    float d1[5] = {0.5f, 0.2f, 0.01f, 0.001f, 0.0005f};
    CHECK(rdn_dyn_converged_layer(d1, 6, 0.05) == 2, "tail below tol from 2");
    CHECK(rdn_dyn_converged_layer(d1, 6, 1.0) == 0, "all below");
    CHECK(rdn_dyn_converged_layer(d1, 6, 1e-4) == -1, "last above: not converged");
    float d2[4] = {0.001f, 0.5f, 0.001f, 0.001f};
    CHECK(rdn_dyn_converged_layer(d2, 5, 0.01) == 2, "a late spike resets: %d", rdn_dyn_converged_layer(d2, 5, 0.01));
    float d3[1] = {NAN};
    CHECK(rdn_dyn_converged_layer(d3, 2, 1) == -1, "NaN is not converged");
    CHECK(rdn_dyn_converged_layer(NULL, 1, 1) == 0, "depth 1: converged at 0");
}

/* one unit, self-inhibition: r -> 0; self-excitation: r -> eta; tanh with strong inhibition and
 * eta 1: h jumps across 0 and r alternates between -1 and +1 (a cycle of period 2); relu growth
 * keeps moving. */
static void test_attractors(void)
{
    struct { Act a; float w, b, eta; double lo, hi; const char *kind; int period; double res; } c[] = {
        {ACT_LOGISTIC, -20, 0, 0.5f, 0, 1, "fixed", 1, 0.0},
        {ACT_LOGISTIC, 10, 0, 0.5f, 0, 1, "fixed", 1, 0.5},
        {ACT_TANH, -200, 0, 1.0f, 0.2, 0.8, "cycle", 2, 1.0},
        {ACT_RELU, 0.5f, 0, 1.0f, 1, 2, "moving", 0, NAN},
    };
    for (int q = 0; q < 4; q++) {
        Net *net = mknet(NET_RESNET, 1, 1, 3, 2, c[q].a, 1, c[q].eta);
        net->W[0] = c[q].w;
        net->b[0] = c[q].b;
        Dataset *ds = rdn_dataset_new(40, 1, 2, &err);
        for (int i = 0; i < 40; i++) {
            ds->x[i] = (float)(c[q].lo + (c[q].hi - c[q].lo) * (i + 0.5) / 40);
            ds->y[i] = i % 2;
        }
        AttractorOpts o;
        rdn_attractor_defaults(&o);
        o.steps = q == 3 ? 40 : 3000;
        Table *pi = NULL;
        Table *t = rdn_dyn_attractors(net, ds, &o, &pi, &err);
        CHECK(t != NULL, "attractors %d: %s", q, err.msg);
        if (t) {
            CHECK(t->nrows == 1, "case %d: one attractor, got %d rows", q, t->nrows);
            int ck = rdn_table_col(t, "kind"), cs = rdn_table_col(t, "size"), cp = rdn_table_col(t, "period");
            int cr = rdn_table_col(t, "residual_norm"), c0 = rdn_table_col(t, "class_0"),
                c1 = rdn_table_col(t, "class_1");
            CHECK(ck >= 0 && strcmp(t->cols[ck].str[0], c[q].kind) == 0, "case %d kind %s", q,
                  ck >= 0 ? t->cols[ck].str[0] : "?");
            CHECK(t->cols[cs].num[0] == 40 && t->cols[c0].num[0] == 20 && t->cols[c1].num[0] == 20,
                  "case %d size and class make-up", q);
            if (c[q].period) {
                CHECK(t->cols[cp].num[0] == c[q].period, "case %d period %g", q, t->cols[cp].num[0]);
                CHECK(fabs(t->cols[cr].num[0] - c[q].res) < 1e-3, "case %d steady residual %g", q,
                      t->cols[cr].num[0]);
            }
            CHECK(pi && pi->nrows == 40, "per input table");
            rdn_table_free(t);
        }
        rdn_table_free(pi);
        rdn_dataset_free(ds);
        rdn_net_free(net);
    }
    /* two attractors: logistic self-excitation with a negative bias: inputs starting low stay
     * near r = 0 ... use two separated fixed points through a d = 2 net with no coupling */
    Net *net = mknet(NET_RESNET, 2, 2, 2, 2, ACT_LOGISTIC, 0, 0.5f);
    Dataset *ds = mkdata(10, 2, 2, 1, 1);
    AttractorOpts o;
    rdn_attractor_defaults(&o);
    CHECK(rdn_dyn_attractors(net, ds, &o, NULL, &err) == NULL && strstr(err.msg, "share"),
          "unshared net refused: %s", err.msg);
    rdn_net_free(net);
    net = mknet(NET_RESNET, 2, 2, 2, 2, ACT_LOGISTIC, 1, 0.5f);
    o.tol = 0;
    CHECK(rdn_dyn_attractors(net, ds, &o, NULL, &err) == NULL && strstr(err.msg, "tol"), "tol 0 refused");
    o.tol = 1e-3;
    Dataset *bad = mkdata(10, 3, 2, 1, 1);
    CHECK(rdn_dyn_attractors(net, bad, &o, NULL, &err) == NULL && strstr(err.msg, "dimension"),
          "dimension refused: %s", err.msg);
    rdn_dataset_free(bad);
    rdn_dataset_free(ds);
    rdn_net_free(net);
}

static void test_eig_jacobian(void)
{
    int64_t sh[2] = {4, 4};
    Tensor *m = rdn_tensor_new(2, sh, &err);
    float dg[4] = {0.5f, -3, 2, 1};
    for (int i = 0; i < 4; i++) m->data[i * 4 + i] = dg[i];
    Tensor *e = rdn_dyn_eig(m, &err);
    CHECK(e && e->shape[0] == 4 && e->shape[1] == 2, "eig shape: %s", err.msg);
    float want[4] = {-3, 2, 1, 0.5f};
    for (int i = 0; e && i < 4; i++) {
        CHECK_CLOSE(e->data[2 * i], want[i], 1e-6, "diagonal eigenvalue");
        CHECK_CLOSE(e->data[2 * i + 1], 0, 1e-6, "real");
    }
    rdn_tensor_free(e);
    rdn_tensor_free(m);
    /* a rotation by 0.3 scaled by 2: eigenvalues 2 e^{+-0.3i}; plus a 0.1 block */
    int64_t s3[2] = {3, 3};
    m = rdn_tensor_new(2, s3, &err);
    float c = (float)(2 * cos(0.3)), s = (float)(2 * sin(0.3));
    float R[9] = {c, -s, 0, s, c, 0, 0, 0, 0.1f};
    memcpy(m->data, R, sizeof R);
    e = rdn_dyn_eig(m, &err);
    CHECK(e != NULL, "%s", err.msg);
    if (e) {
        CHECK_CLOSE(e->data[0], c, 1e-5, "re");
        CHECK_CLOSE(e->data[1], s, 1e-5, "+im first");
        CHECK_CLOSE(e->data[2], c, 1e-5, "re");
        CHECK_CLOSE(e->data[3], -s, 1e-5, "-im");
        CHECK_CLOSE(e->data[4], 0.1, 1e-6, "small last");
    }
    rdn_tensor_free(e);
    m->data[4] = NAN;
    CHECK(rdn_dyn_eig(m, &err) == NULL && strstr(err.msg, "non-finite"), "NaN refused");
    rdn_tensor_free(m);
    int64_t s23[2] = {2, 3};
    m = rdn_tensor_new(2, s23, &err);
    CHECK(rdn_dyn_eig(m, &err) == NULL && strstr(err.msg, "square"), "non-square refused");
    rdn_tensor_free(m);

    /* jacobian vs central differences of rdn_net_layer, for each kind and activation */
    struct { NetKind k; Act a; int shared; } cs[] = {
        {NET_RESNET, ACT_LOGISTIC, 1}, {NET_RESNET, ACT_TANH, 0}, {NET_MLP, ACT_LOGISTIC, 0}, {NET_MLP, ACT_TANH, 0}};
    for (int q = 0; q < 4; q++) {
        int d = 6;
        Net *net = mknet(cs[q].k, d, d, 3, 2, cs[q].a, cs[q].shared, 0.7f);
        float h[6] = {0.3f, -0.2f, 0.9f, 0.1f, -0.7f, 0.4f};
        int layer = 1;
        Tensor *J = rdn_dyn_jacobian(net, h, layer, &err);
        CHECK(J && J->shape[0] == d && J->shape[1] == d, "jacobian shape: %s", err.msg);
        double maxe = 0, eps = 1e-2;
        float hp[6], hm[6], op[6], om[6];
        for (int j = 0; J && j < d; j++) {
            memcpy(hp, h, sizeof h);
            memcpy(hm, h, sizeof h);
            hp[j] += (float)eps;
            hm[j] -= (float)eps;
            rdn_net_layer(net, layer, hp, 1, op, NULL);
            rdn_net_layer(net, layer, hm, 1, om, NULL);
            for (int i = 0; i < d; i++) {
                double fd = ((double)op[i] - om[i]) / ((double)hp[j] - hm[j]);
                maxe = fmax(maxe, fabs(fd - J->data[i * d + j]));
            }
        }
        CHECK(maxe < 2e-3, "case %d: jacobian vs finite differences: %g", q, maxe);
        rdn_tensor_free(J);
        Tensor *J3 = rdn_dyn_jacobian(net, h, 3, &err);
        CHECK((J3 == NULL) == !(cs[q].k == NET_RESNET && cs[q].shared),
              "layer past the depth: refused unless the map is shared");
        rdn_tensor_free(J3);
        rdn_net_free(net);
    }
}

/* relu ResNet with W = a I, b = 0 and positive states: J = (1 + eta a) I, growth log(1 + eta a);
 * MLP with W = a I: growth log a. */
static void test_growth(void)
{
    for (int q = 0; q < 2; q++) {
        int d = 5;
        Net *net = q == 0 ? mknet(NET_RESNET, d, d, 4, 2, ACT_RELU, 1, 0.5f)
                          : mknet(NET_MLP, d, d, 4, 2, ACT_RELU, 0, 1);
        int L = q == 0 ? 1 : 4;
        memset(net->W, 0, sizeof(float) * L * d * d);
        memset(net->b, 0, sizeof(float) * L * d);
        for (int t = 0; t < L; t++)
            for (int j = 0; j < d; j++) net->W[t * d * d + j * d + j] = 1.5f;
        Dataset *ds = mkdata(9, d, 2, 4, 1);
        for (int i = 0; i < 9 * d; i++) ds->x[i] = fabsf(ds->x[i]) + 0.1f;
        Tensor *g = rdn_dyn_growth_rate(net, ds, 4, 1, &err);
        double want = q == 0 ? log(1 + 0.5 * 1.5) : log(1.5);
        double me = 0;
        for (int i = 0; g && i < 9; i++) me = fmax(me, fabs(g->data[i] - want));
        CHECK(g && me < 1e-5, "growth case %d: %g (want %g)", q, g ? g->data[0] : NAN, want);
        rdn_tensor_free(g);
        rdn_dataset_free(ds);
        rdn_net_free(net);
    }
}

/* Fisher ratio by hand: d = 1, class 0 at {0, 2}, class 1 at {10, 12}: S_b = 100, S_w = 4. */
static void test_separability(void)
{
    Net *net = mknet(NET_RESNET, 1, 1, 2, 2, ACT_LOGISTIC, 1, 0.5f);
    net->W[0] = 0;
    Dataset *ds = rdn_dataset_new(4, 1, 2, &err);
    float xs[4] = {0, 2, 10, 12};
    int32_t ys[4] = {0, 0, 1, 1};
    memcpy(ds->x, xs, sizeof xs);
    memcpy(ds->y, ys, sizeof ys);
    Recording *r = rdn_record(net, ds, NULL, &err);
    Table *t = rdn_dyn_separability(r, 0, &err);
    CHECK(t && t->nrows == 3, "states: T+1 rows: %s", err.msg);
    if (t) {
        int cf = rdn_table_col(t, "fisher"), ca = rdn_table_col(t, "accuracy");
        CHECK_CLOSE(t->cols[cf].num[0], 25, 1e-9, "fisher by hand");
        CHECK_CLOSE(t->cols[ca].num[0], 1, 0, "ncm accuracy");
        CHECK_CLOSE(t->cols[cf].num[2], 25, 1e-3, "W = 0 shifts every state alike");
    }
    rdn_table_free(t);
    t = rdn_dyn_separability(r, 1, &err);
    CHECK(t && t->nrows == 2, "residuals: T rows");
    if (t) CHECK(isnan(t->cols[rdn_table_col(t, "fisher")].num[0]), "identical residuals: 0/0 = NaN");
    rdn_table_free(t);
    rdn_record_free(r);
    rdn_dataset_free(ds);
    rdn_net_free(net);

    /* well separated blobs through a trained-free random net: layer 0 is the input */
    net = mknet(NET_RESNET, 8, 8, 5, 3, ACT_LOGISTIC, 1, 0.5f);
    ds = mkdata(90, 8, 3, 8, 0.1);
    for (int i = 0; i < 90; i++) ds->x[i * 8 + ds->y[i]] += 20;
    RecordOpts o;
    rdn_record_defaults(&o);
    o.keep = KEEP_RESIDUALS;
    r = rdn_record(net, ds, &o, &err);
    CHECK(rdn_dyn_separability(r, 0, &err) == NULL && strstr(err.msg, "keep"), "states not kept: %s", err.msg);
    rdn_record_free(r);
    o.keep = KEEP_BOTH;
    r = rdn_record(net, ds, &o, &err);
    t = rdn_dyn_separability(r, 0, &err);
    if (t) {
        CHECK(t->cols[1].num[0] == 1, "blobs: separability 1 at layer 0");
        CHECK(t->cols[2].num[0] > 1000, "blobs: large fisher ratio %g", t->cols[2].num[0]);
    }
    rdn_table_free(t);
    /* accuracy by layer: the last layer equals the net's own accuracy; from the recording too */
    Table *a = rdn_dyn_accuracy_by_layer(net, ds, &err), *a2 = rdn_dyn_accuracy_by_layer_rec(net, r, &err);
    double acc = -1;
    rdn_net_evaluate(net, ds, LOSS_XENT, NULL, &acc, &err);
    CHECK(a && a->nrows == 6 && a->cols[1].num[5] == acc, "accuracy_by_layer at T = accuracy (%g)", acc);
    CHECK(a2 && memcmp(a->cols[1].num, a2->cols[1].num, 6 * sizeof(double)) == 0, "same from a recording");
    /* layer 0 by hand: head on x */
    if (a) {
        int ok = 0;
        for (int i = 0; i < 90; i++) {
            float lg[3];
            rdn_net_head(net, ds->x + i * 8, 1, lg);
            int am = 0;
            for (int c = 1; c < 3; c++) if (lg[c] > lg[am]) am = c;
            ok += am == ds->y[i];
        }
        CHECK(a->cols[1].num[0] == ok / 90.0, "layer 0 accuracy by hand");
    }
    rdn_table_free(a);
    rdn_table_free(a2);
    /* robustness at sigma 0 equals the accuracy; more noise does not help much */
    double sig[3] = {0, 0.5, 5};
    Table *rb = rdn_dyn_robustness(net, ds, sig, 3, 2, RDN_NOISE_GAUSSIAN, 3, &err);
    CHECK(rb && rb->nrows == 3 && rb->cols[1].num[0] == acc, "robustness at 0 = accuracy: %s", err.msg);
    /* trial 0 is perturb()'s noise exactly */
    for (int kind = 0; kind < 3 && rb; kind++) {
        double s1 = kind == RDN_NOISE_SALTPEPPER ? 0.3 : 2.0;
        Table *r1 = rdn_dyn_robustness(net, ds, &s1, 1, 1, kind, 77, &err);
        Dataset *pd = rdn_data_perturb(ds, kind, s1, 77, &err);
        double pa = -1;
        rdn_net_evaluate(net, pd, LOSS_XENT, NULL, &pa, &err);
        CHECK(r1 && r1->cols[1].num[0] == pa, "kind %d: robustness = accuracy(perturb(...)): %g vs %g",
              kind, r1 ? r1->cols[1].num[0] : -1, pa);
        rdn_dataset_free(pd);
        rdn_table_free(r1);
    }
    rdn_table_free(rb);
    Table *ne = rdn_dyn_noise_evolution(net, ds, 0.2, 2, RDN_NOISE_UNIFORM, 3, &err);
    CHECK(ne && ne->cols[2].num[0] == 1, "amplification at layer 0 is 1");
    rdn_table_free(ne);
    /* shape mismatch between a recording and a net */
    Net *other = mknet(NET_RESNET, 8, 8, 4, 3, ACT_LOGISTIC, 1, 0.5f);
    CHECK(rdn_dyn_accuracy_by_layer_rec(other, r, &err) == NULL && strstr(err.msg, "depth"),
          "mismatched net refused: %s", err.msg);
    rdn_net_free(other);
    Dataset *bad = mkdata(5, 7, 3, 1, 1);
    CHECK(rdn_record(net, bad, NULL, &err) == NULL && strstr(err.msg, "dimension"), "record: dim");
    CHECK(rdn_dyn_accuracy_by_layer(net, bad, &err) == NULL, "accuracy_by_layer: dim");
    CHECK(rdn_dyn_noise_evolution(net, bad, 0.1, 1, RDN_NOISE_GAUSSIAN, 1, &err) == NULL, "noise: dim");
    CHECK(rdn_dyn_growth_rate(net, bad, 1, 1, &err) == NULL, "growth: dim");
    CHECK(rdn_dyn_converged_at(r, -1, &err) == NULL && strstr(err.msg, "tol"), "tol < 0");
    CHECK(rdn_dyn_converged_at(r, 0, &err) == NULL, "tol 0");
    rdn_dataset_free(bad);
    rdn_record_free(r);
    rdn_dataset_free(ds);
    rdn_net_free(net);
}

static int64_t npy_data(const char *path, char *hdr, size_t hcap, float **data, int64_t *nbytes)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char pre[10];
    if (fread(pre, 1, 10, f) != 10) { fclose(f); return -1; }
    int hl = pre[8] | pre[9] << 8;
    if ((size_t)hl >= hcap || fread(hdr, 1, (size_t)hl, f) != (size_t)hl) { fclose(f); return -1; }
    hdr[hl] = 0;
    fseek(f, 0, SEEK_END);
    long end = ftell(f);
    *nbytes = end - 10 - hl;
    *data = malloc((size_t)*nbytes);
    fseek(f, 10 + hl, SEEK_SET);
    if (fread(*data, 1, (size_t)*nbytes, f) != (size_t)*nbytes) { fclose(f); return -1; }
    fclose(f);
    return 10 + hl;
}

static void test_stream(void)
{
    char dir[] = "/tmp/rdn_test_dyn_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    RdnOut out;
    CHECK(rdn_out_init(&out, dir, &err) == 0, "%s", err.msg);
    Net *net = mknet(NET_RESNET, 3, 5, 4, 2, ACT_TANH, 0, 0.4f);
    Dataset *ds = mkdata(53, 3, 2, 21, 1);
    RecordOpts o;
    rdn_record_defaults(&o);
    Recording *mem = rdn_record(net, ds, &o, &err);
    o.to = "rec/run1";
    o.out = &out;
    o.chunk = 10;
    Recording *st = rdn_record(net, ds, &o, &err);
    CHECK(st && st->streamed && !st->states && !st->resid, "streamed: %s", err.msg);
    char path[512], hdr[256];
    float *data;
    int64_t nb;
    snprintf(path, sizeof path, "%s/rec/run1/states.npy", dir);
    int64_t off = npy_data(path, hdr, sizeof hdr, &data, &nb);
    CHECK(off > 0 && off % 64 == 0, "states.npy header length %lld", (long long)off);
    CHECK(strstr(hdr, "'shape': (53, 5, 5)") && strstr(hdr, "'<f4'"), "header %s", hdr);
    CHECK(nb == 53 * 5 * 5 * 4 && memcmp(data, mem->states, (size_t)nb) == 0, "states bytes");
    free(data);
    snprintf(path, sizeof path, "%s/rec/run1/residuals.npy", dir);
    off = npy_data(path, hdr, sizeof hdr, &data, &nb);
    CHECK(strstr(hdr, "'shape': (53, 4, 5)"), "header %s", hdr);
    CHECK(nb == 53 * 4 * 5 * 4 && memcmp(data, mem->resid, (size_t)nb) == 0, "residual bytes");
    free(data);
    snprintf(path, sizeof path, "%s/rec/run1/labels.npy", dir);
    off = npy_data(path, hdr, sizeof hdr, &data, &nb);
    CHECK(strstr(hdr, "'shape': (53,)") && strstr(hdr, "'<i4'"), "header %s", hdr);
    CHECK(nb == 53 * 4 && memcmp(data, ds->y, (size_t)nb) == 0, "label bytes");
    free(data);
    CHECK(out.nwritten == 3, "three files recorded for the manifest: %d", out.nwritten);
    for (int i = 0; i < out.nwritten; i++) {
        char p2[600], hex[65];
        snprintf(p2, sizeof p2, "%s/%s", dir, out.written[i].rel);
        CHECK(rdn_sha256_file(p2, hex, &err) == 0 && strcmp(hex, out.written[i].sha256) == 0,
              "hash computed while streaming = hash of the file (%s)", out.written[i].rel);
    }
    if (st) {
        CHECK(memcmp(st->rho, mem->rho, sizeof(float) * 53 * 4) == 0, "streamed norms");
        CHECK(st->integral_error == mem->integral_error, "streamed integral error");
        Table *a = rdn_dyn_separability(st, 0, &err), *b = rdn_dyn_separability(mem, 0, &err);
        CHECK(a && b && memcmp(a->cols[2].num, b->cols[2].num, 5 * sizeof(double)) == 0,
              "separability reads the streamed file back");
        rdn_table_free(a);
        rdn_table_free(b);
    }
    rdn_record_free(st);
    /* a folder that cannot be written: a file in the way; nothing is left behind */
    snprintf(path, sizeof path, "%s/blocked", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    o.to = "blocked";
    CHECK(rdn_record(net, ds, &o, &err) == NULL, "blocked folder refused");
    o.to = "../escape";
    CHECK(rdn_record(net, ds, &o, &err) == NULL, "escape refused: %s", err.msg);
    /* an interruption midway leaves no file */
    o.to = "rec/int";
    rdn_interrupt = 1;
    CHECK(rdn_record(net, ds, &o, &err) == NULL && err.code == RDN_INTERRUPTED, "interrupted");
    rdn_interrupt = 0;
    snprintf(path, sizeof path, "%s/rec/int", dir);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s 2>/dev/null)\"", path);
    CHECK(system(cmd) == 0, "nothing left in %s", path);
    /* a write that fails midway (file size limit, as a full disk would): error, nothing left */
    {
        Dataset *big = mkdata(4000, 3, 2, 5, 1);
        struct rlimit old, lim;
        getrlimit(RLIMIT_FSIZE, &old);
        lim = old;
        lim.rlim_cur = 64 << 10;
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &lim);
        o.to = "rec/full";
        o.chunk = 100;
        Recording *x = rdn_record(net, big, &o, &err);
        setrlimit(RLIMIT_FSIZE, &old);
        CHECK(x == NULL && strstr(err.msg, "disk full"), "failed write reported: %s", x ? "no error" : err.msg);
        rdn_record_free(x);
        snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s/rec/full 2>/dev/null)\"", dir);
        CHECK(system(cmd) == 0, "nothing left after a failed write");
        rdn_dataset_free(big);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
    rdn_record_free(mem);
    rdn_dataset_free(ds);
    rdn_net_free(net);
    rdn_out_free(&out);
}

int main(void)
{
    test_states_match_reference();
    test_zero_weights();
    test_converged_layer();
    test_attractors();
    test_eig_jacobian();
    test_growth();
    test_separability();
    test_stream();
    return DONE();
}
