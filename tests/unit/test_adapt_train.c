/* test_adapt_train.c: training after a depth cut (runtime/adapt.c with runtime/train.c): the
 * gradient of a cut net agrees with central finite differences of its loss, and rdn_fit with
 * adapt cuts a converged net, follows the depth in the history and returns the change log. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "adapt.h"
#include "adapt_fixtures.h"
#include "check.h"

/* After a cut the net trains correctly: the gradient of the cut net agrees with central finite
 * differences of its loss, for a shared and an unshared ResNet. */
static void test_grad_after_cut(int shared)
{
    RdnErr err;
    Dataset *d = make_data(30, 4, 3, 5);
    Net *n = make_net(NET_RESNET, ACT_LOGISTIC, 4, 9, shared, 0.5f);
    float *Wsave = malloc(sizeof(float) * (size_t)nW(n));
    memcpy(Wsave, n->W, sizeof(float) * (size_t)nW(n));
    flatten(n);
    AdaptOpts o;
    rdn_adapt_defaults(&o);
    o.min_depth = 3;
    AdaptState *s = rdn_adapt_begin(&o, n, d, &err);
    CHECK(rdn_adapt_after_epoch(s, n, 1, NAN, NAN, d, NULL, &err) == 1 && n->depth == 3,
          "cut to 3: depth %d", n->depth);
    rdn_adapt_end(s);
    /* give the cut net non-trivial weights again (the kept layers only) */
    int64_t keep = (int64_t)(shared ? 1 : 3) * 16;
    memcpy(n->W, Wsave, sizeof(float) * (size_t)keep);
    free(Wsave);
    double L;
    CHECK(rdn_net_loss_grad(n, d->x, d->y, d->n, LOSS_XENT, &L, &err) == 0, "%s", err.msg);
    float *g = malloc(sizeof(float) * (size_t)n->nparams);
    memcpy(g, n->grads, sizeof(float) * (size_t)n->nparams);
    int bad = 0, checked = 0;
    for (int64_t p = 0; p < n->nparams; p += 1 + n->nparams / 40) {
        float save = n->params[p];
        double eps = 1e-2, lp, lm;
        n->params[p] = save + (float)eps;
        rdn_net_loss_grad(n, d->x, d->y, d->n, LOSS_XENT, &lp, &err);
        n->params[p] = save - (float)eps;
        rdn_net_loss_grad(n, d->x, d->y, d->n, LOSS_XENT, &lm, &err);
        n->params[p] = save;
        double fd = (lp - lm) / (2 * eps);
        checked++;
        if (fabs(fd - g[p]) > 2e-3 + 2e-2 * fabs(fd)) {
            bad++;
            fprintf(stderr, "param %lld: grad %g fd %g\n", (long long)p, g[p], fd);
        }
    }
    CHECK(bad == 0 && checked > 10, "shared %d: %d of %d gradients off", shared, bad, checked);
    free(g);
    rdn_net_free(n);
    rdn_dataset_free(d);
}

/* rdn_fit with adapt: a net converged by construction is cut at the first check, the history's
 * depth column follows, and the change log comes back. */
static void test_fit_adapt(void)
{
    RdnErr err;
    Dataset *d = make_data(90, 4, 3, 6);
    Net *n = make_net(NET_RESNET, ACT_LOGISTIC, 4, 20, 1, 0.1f);
    memset(n->W, 0, sizeof(float) * 16);
    AdaptOpts o;
    rdn_adapt_defaults(&o);
    o.tol = 0.05;
    FitOpts f;
    rdn_fit_defaults(&f);
    f.epochs = 3;
    f.batch = 30;
    f.lr = 0.01;
    f.adapt = &o;
    f.quiet = 1;
    Table *h = NULL, *log = NULL;
    int rc = rdn_fit(n, d, d, &f, &h, &log, &err);
    CHECK(rc == 0, "fit: %s", err.msg);
    CHECK(n->depth < 20, "cut during fit: depth %d", n->depth);
    CHECK(log && log->nrows >= 1, "change log returned");
    int dc = h ? rdn_table_col(h, "depth") : -1;
    CHECK(dc >= 0 && h->nrows == 3 && h->cols[dc].num[2] == n->depth, "history depth column");
    rdn_table_free(h);
    rdn_table_free(log);
    rdn_net_free(n);
    rdn_dataset_free(d);
}

int main(void)
{
    test_grad_after_cut(1);
    test_grad_after_cut(0);
    test_fit_adapt();
    return DONE();
}
