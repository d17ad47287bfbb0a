/* test_data_synth.c: synthetic generators (shapes, balance, geometry, determinism) and the dataset
 * operations (split, shuffle, take, where, normalize, perturb, tensor exchange). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "data.h"

static int same(const Dataset *a, const Dataset *b)
{
    return a->n == b->n && a->dim == b->dim &&
           memcmp(a->x, b->x, (size_t)a->n * a->dim * sizeof(float)) == 0 &&
           memcmp(a->y, b->y, (size_t)a->n * sizeof(int32_t)) == 0;
}

static void check_balance(const Dataset *d, const char *what)
{
    int64_t cnt[64] = {0};
    for (int64_t i = 0; i < d->n; i++) {
        CHECK(d->y[i] >= 0 && d->y[i] < d->nclasses, "%s: label %d", what, d->y[i]);
        if (d->y[i] >= 0 && d->y[i] < 64) cnt[d->y[i]]++;
    }
    for (int c = 0; c < d->nclasses && c < 64; c++)
        CHECK(cnt[c] == d->n / d->nclasses + (c < d->n % d->nclasses), "%s: class %d has %lld", what,
              c, (long long)cnt[c]);
}

/* Labels are not sorted: the rows come shuffled. */
static void check_mixed(const Dataset *d, const char *what)
{
    int changes = 0;
    for (int64_t i = 1; i < d->n; i++) changes += d->y[i] != d->y[i - 1];
    CHECK(changes > d->n / 4, "%s: rows look grouped by class (%d label changes)", what, changes);
}

static void test_generators(void)
{
    RdnErr e;
    Dataset *a = rdn_data_spirals(301, 3, 0.0, 7, &e), *b = rdn_data_spirals(301, 3, 0.0, 7, &e);
    Dataset *c = rdn_data_spirals(301, 3, 0.05, 8, &e);
    CHECK(a && b && c, "spirals: %s", e.msg);
    CHECK(a->n == 301 && a->dim == 2 && a->nclasses == 3, "spirals shape");
    CHECK(same(a, b), "spirals: same seed, same data");
    CHECK(!same(a, c), "spirals: another seed or noise gives other data");
    CHECK(strcmp(a->source, "spirals(n: 301, classes: 3, noise: 0)") == 0, "source %s", a->source);
    check_balance(a, "spirals");
    check_mixed(a, "spirals");
    for (int64_t i = 0; i < a->n; i++) {
        double r = hypot(a->x[2 * i], a->x[2 * i + 1]);
        CHECK(r > 0 && r < 1.0 + 1e-6, "spirals radius %g", r);
        /* the angle of a noiseless point is 2 pi c / k + 4 r (mod 2 pi) */
        double ang = atan2(a->x[2 * i + 1], a->x[2 * i]);
        double want = 2 * M_PI * a->y[i] / 3 + 4 * r;
        double diff = remainder(ang - want, 2 * M_PI);
        CHECK(fabs(diff) < 1e-4, "spirals angle off by %g", diff);
    }
    rdn_dataset_free(a), rdn_dataset_free(b), rdn_dataset_free(c);

    a = rdn_data_moons(200, 0.0, 1, &e);
    CHECK(a && a->dim == 2 && a->nclasses == 2, "moons");
    check_balance(a, "moons");
    for (int64_t i = 0; i < a->n; i++) {
        double x = a->x[2 * i], y = a->x[2 * i + 1];
        double r = a->y[i] == 0 ? hypot(x, y) : hypot(x - 1.0, y - 0.5);
        CHECK(fabs(r - 1.0) < 1e-5, "moons: point off its half circle (r %g)", r);
        CHECK(a->y[i] == 0 ? y >= -1e-6 : y <= 0.5 + 1e-6, "moons: wrong half");
    }
    rdn_dataset_free(a);

    a = rdn_data_circles(101, 0.0, 1, &e);
    CHECK(a && a->dim == 2 && a->nclasses == 2, "circles");
    check_balance(a, "circles");
    for (int64_t i = 0; i < a->n; i++) {
        double r = hypot(a->x[2 * i], a->x[2 * i + 1]);
        CHECK(fabs(r - (a->y[i] == 0 ? 1.0 : 0.5)) < 1e-5, "circles radius %g class %d", r, a->y[i]);
    }
    rdn_dataset_free(a);

    a = rdn_data_xor(400, 0.0, 3, &e);
    CHECK(a && a->dim == 2 && a->nclasses == 2, "xor");
    check_balance(a, "xor");
    check_mixed(a, "xor");
    int quad[4] = {0};
    for (int64_t i = 0; i < a->n; i++) {
        float x = a->x[2 * i], y = a->x[2 * i + 1];
        CHECK(fabsf(x) <= 1 && fabsf(y) <= 1 && x != 0 && y != 0, "xor range");
        CHECK(((x > 0) != (y > 0)) == (a->y[i] == 1), "xor label");
        quad[(x > 0) * 2 + (y > 0)]++;
    }
    CHECK(quad[0] == 100 && quad[1] == 100 && quad[2] == 100 && quad[3] == 100, "xor quadrants");
    rdn_dataset_free(a);

    a = rdn_data_blobs(3000, 3, 5, 0.5, 11, &e);
    CHECK(a && a->dim == 5 && a->nclasses == 3 && a->n == 3000, "blobs");
    check_balance(a, "blobs");
    /* within-class spread per coordinate ~ 0.5 */
    double s = 0, s2 = 0, mean[5] = {0};
    int64_t m = 0;
    for (int64_t i = 0; i < a->n; i++)
        if (a->y[i] == 1) {
            for (int j = 0; j < 5; j++) mean[j] += a->x[i * 5 + j];
            m++;
        }
    for (int j = 0; j < 5; j++) mean[j] /= m;
    for (int64_t i = 0; i < a->n; i++)
        if (a->y[i] == 1)
            for (int j = 0; j < 5; j++) {
                double dlt = a->x[i * 5 + j] - mean[j];
                s += dlt, s2 += dlt * dlt;
            }
    double sd = sqrt(s2 / (5.0 * m));
    CHECK(fabs(sd - 0.5) < 0.03, "blobs spread %g", sd);
    for (int j = 0; j < 5; j++) CHECK(fabs(mean[j]) <= 5.1, "blobs centre in [-5, 5]: %g", mean[j]);
    rdn_dataset_free(a);

    /* bad arguments are errors */
    CHECK(!rdn_data_spirals(0, 3, 0.1, 1, &e) && strstr(e.msg, "n must be"), "n 0: %s", e.msg);
    CHECK(!rdn_data_spirals(10, 0, 0.1, 1, &e) && strstr(e.msg, "classes"), "classes 0: %s", e.msg);
    CHECK(!rdn_data_moons(10, -1, 1, &e) && strstr(e.msg, "noise"), "noise < 0: %s", e.msg);
    CHECK(!rdn_data_circles(10, NAN, 1, &e) && strstr(e.msg, "noise"), "noise NaN: %s", e.msg);
    CHECK(!rdn_data_blobs(10, 2, 0, 1, 1, &e) && strstr(e.msg, "dim"), "dim 0: %s", e.msg);
    CHECK(!rdn_data_blobs(10, 2, 2, -1, 1, &e) && strstr(e.msg, "spread"), "spread: %s", e.msg);
}

/* A set whose input i is (i, 10 i) with label i % k: rows are identifiable after selection. */
static Dataset *ramp(int64_t n, int k)
{
    RdnErr e;
    Dataset *d = rdn_dataset_new(n, 2, k, &e);
    for (int64_t i = 0; i < n; i++) {
        d->x[2 * i] = (float)i;
        d->x[2 * i + 1] = (float)(10 * i);
        d->y[i] = (int32_t)(i % k);
    }
    rdn_data_set_source(d, "ramp");
    return d;
}

static void test_ops(void)
{
    RdnErr e;
    Dataset *d = ramp(103, 3), *a, *b;
    /* shuffled, stratified split: sizes, classes, disjoint and complete */
    CHECK(rdn_data_split(d, 0.8, 1, 5, &a, &b, &e) == 0, "split: %s", e.msg);
    CHECK(a->n == 82 && b->n == 21, "split sizes %lld %lld", (long long)a->n, (long long)b->n);
    int seen[103] = {0}, ca[3] = {0};
    for (int64_t i = 0; i < a->n; i++) seen[(int)a->x[2 * i]]++, ca[a->y[i]]++;
    for (int64_t i = 0; i < b->n; i++) seen[(int)b->x[2 * i]]++;
    int ok = 1;
    for (int i = 0; i < 103; i++) ok &= seen[i] == 1;
    CHECK(ok, "split: every input in exactly one part");
    /* classes of 35, 34, 34: 80% is 28, 27.2, 27.2 -> 28 + 27 + 27 = 82 */
    CHECK(ca[0] == 28 && ca[1] == 27 && ca[2] == 27, "stratified %d %d %d", ca[0], ca[1], ca[2]);
    int moved = 0;
    for (int64_t i = 0; i < a->n; i++) moved += (int)a->x[2 * i] != i;
    CHECK(moved > 40, "split shuffles");
    CHECK(a->y[0] == (int)a->x[0] % 3, "labels follow inputs");
    CHECK(strcmp(a->source, "ramp") == 0, "source kept");
    Dataset *a2, *b2;
    rdn_data_split(d, 0.8, 1, 5, &a2, &b2, &e);
    CHECK(same(a, a2) && same(b, b2), "split: same seed same split");
    rdn_dataset_free(a), rdn_dataset_free(b), rdn_dataset_free(a2), rdn_dataset_free(b2);
    CHECK(rdn_data_split(d, 0.5, 0, 5, &a, &b, &e) == 0 && a->n == 52 && b->n == 51 &&
              a->x[0] == 0 && b->x[0] == 52, "unshuffled split is head/tail");
    rdn_dataset_free(a), rdn_dataset_free(b);
    CHECK(rdn_data_split(d, 1.5, 1, 5, &a, &b, &e) == -1 && strstr(e.msg, "between 0 and 1"),
          "split frac: %s", e.msg);
    CHECK(rdn_data_split(d, 0.0, 1, 5, &a, &b, &e) == 0 && a->n == 0 && b->n == 103, "frac 0");
    rdn_dataset_free(a), rdn_dataset_free(b);

    Dataset *s = rdn_data_shuffle(d, 9, &e);
    long sum = 0;
    for (int64_t i = 0; i < s->n; i++) sum += (long)s->x[2 * i];
    CHECK(s->n == 103 && sum == 103 * 102 / 2 && !same(s, d), "shuffle is a permutation");
    rdn_dataset_free(s);

    Dataset *t = rdn_data_take(d, 0, 5, &e);
    CHECK(t->n == 5 && t->x[8] == 4 && t->y[4] == 1 && t->nclasses == 3, "take 5");
    rdn_dataset_free(t);
    t = rdn_data_take(d, 0, 1000, &e);
    CHECK(t->n == 103, "take more than n gives all");
    rdn_dataset_free(t);

    int32_t lab[1] = {2};
    Dataset *w = rdn_data_where(d, lab, 1, &e);
    CHECK(w->n == 34 && w->nclasses == 3, "where n %lld", (long long)w->n);
    for (int64_t i = 0; i < w->n; i++) CHECK(w->y[i] == 2 && (int)w->x[2 * i] % 3 == 2, "where row");
    rdn_dataset_free(w);

    /* normalize: zscore of 0..102 is (i - 51) / sd with sd = sqrt((n^2 - 1) / 12) */
    Dataset *z = rdn_data_normalize(d, RDN_NORM_ZSCORE, NULL, &e);
    double sd = sqrt((103.0 * 103.0 - 1) / 12.0);
    CHECK_CLOSE(z->x[0], -51 / sd, 1e-5, "zscore x0");
    CHECK_CLOSE(z->x[2 * 102 + 1], 51 / sd, 1e-5, "zscore x102 (feature 2)");
    rdn_dataset_free(z);
    Dataset *lk = ramp(11, 3); /* like: values 0..10: min 0 max 10, second feature 0..100 */
    Dataset *mm = rdn_data_normalize(d, RDN_NORM_MINMAX, lk, &e);
    CHECK_CLOSE(mm->x[2 * 20], 2.0, 1e-6, "minmax with like: 20 -> 2");
    CHECK_CLOSE(mm->x[2 * 20 + 1], 2.0, 1e-6, "minmax with like: 200 -> 2");
    rdn_dataset_free(mm);
    for (int64_t i = 0; i < lk->n; i++) lk->x[2 * i + 1] = 7; /* a constant feature */
    mm = rdn_data_normalize(d, RDN_NORM_MINMAX, lk, &e);
    z = rdn_data_normalize(d, RDN_NORM_ZSCORE, lk, &e);
    CHECK(mm && z, "constant feature: %s", e.msg);
    CHECK_CLOSE(mm->x[2 * 3 + 1], 30 - 7, 1e-6, "minmax: constant feature only shifted");
    CHECK_CLOSE(z->x[2 * 3 + 1], 30 - 7, 1e-6, "zscore: constant feature only centred");
    CHECK(isfinite(z->x[1]) && isfinite(mm->x[1]), "no NaN from zero variance");
    rdn_dataset_free(mm), rdn_dataset_free(z), rdn_dataset_free(lk);
    Dataset *bl = rdn_data_blobs(10, 2, 3, 1, 1, &e);
    CHECK(!rdn_data_normalize(d, RDN_NORM_ZSCORE, bl, &e) && strstr(e.msg, "dimension"), "like dim");
    rdn_dataset_free(bl);

    /* perturb: reproducible, per-input streams, right size */
    Dataset *big = rdn_dataset_new(2000, 10, 2, &e);
    Dataset *p1 = rdn_data_perturb(big, RDN_NOISE_GAUSSIAN, 0.3, 42, &e);
    Dataset *p2 = rdn_data_perturb(big, RDN_NOISE_GAUSSIAN, 0.3, 42, &e);
    Dataset *p3 = rdn_data_perturb(big, RDN_NOISE_GAUSSIAN, 0.3, 43, &e);
    CHECK(same(p1, p2) && !same(p1, p3), "perturb: same seed, same noise");
    double q = 0, q2 = 0;
    for (int64_t i = 0; i < 20000; i++) q += p1->x[i], q2 += (double)p1->x[i] * p1->x[i];
    CHECK(fabs(q / 20000) < 0.01 && fabs(sqrt(q2 / 20000) - 0.3) < 0.01, "gaussian sd %g",
          sqrt(q2 / 20000));
    Dataset *head = rdn_data_take(big, 0, 7, &e);
    Dataset *ph = rdn_data_perturb(head, RDN_NOISE_GAUSSIAN, 0.3, 42, &e);
    CHECK(memcmp(ph->x, p1->x, 70 * sizeof(float)) == 0, "input i's noise does not depend on n");
    float row[10] = {0};
    rdn_data_perturb_rows(row, 1, 10, 5, RDN_NOISE_GAUSSIAN, 0.3, 0, 0, 42);
    CHECK(memcmp(row, p1->x + 50, sizeof row) == 0, "perturb_rows with first = 5 is row 5");
    rdn_dataset_free(p1), rdn_dataset_free(p2), rdn_dataset_free(p3), rdn_dataset_free(ph);
    rdn_dataset_free(head);
    p1 = rdn_data_perturb(big, RDN_NOISE_UNIFORM, 0.5, 1, &e);
    float mx = 0;
    q2 = 0;
    for (int64_t i = 0; i < 20000; i++) mx = fmaxf(mx, fabsf(p1->x[i])), q2 += p1->x[i] * p1->x[i];
    CHECK(mx <= 0.5 && mx > 0.49 && fabs(q2 / 20000 - 0.25 / 3) < 0.005, "uniform noise");
    rdn_dataset_free(p1);
    for (int64_t i = 0; i < 20000; i++) big->x[i] = (i % 2) ? 1.0f : 0.5f;
    p1 = rdn_data_perturb(big, RDN_NOISE_SALTPEPPER, 0.2, 1, &e);
    int changed = 0, bad = 0;
    for (int64_t i = 0; i < 20000; i++) {
        float v = p1->x[i], o = big->x[i];
        if (v != o) changed++;
        if (v != o && v != 0.5f && v != 1.0f) bad++;
    }
    /* an entry hit (prob 0.2) changes unless it gets its own value (half the time for 0.5/1) */
    CHECK(bad == 0 && fabs(changed / 20000.0 - 0.1) < 0.01, "saltpepper changed %d", changed);
    rdn_dataset_free(p1);
    CHECK(!rdn_data_perturb(big, RDN_NOISE_SALTPEPPER, 1.5, 1, &e) && strstr(e.msg, "probability"),
          "saltpepper > 1");
    CHECK(!rdn_data_perturb(big, RDN_NOISE_GAUSSIAN, -1, 1, &e), "sigma < 0");
    rdn_dataset_free(big);

    /* tensors and back */
    Tensor *x = rdn_data_x(d, &e), *y = rdn_data_y(d, &e);
    CHECK(x && y && x->ndim == 2 && x->shape[0] == 103 && x->shape[1] == 2 && y->shape[0] == 103,
          "x/y shapes");
    Dataset *back = rdn_data_from_tensors(x, y, 0, &e);
    CHECK(back && same(back, d) && back->nclasses == 3, "from_tensors round trip");
    rdn_dataset_free(back);
    y->data[3] = 1.5f;
    CHECK(!rdn_data_from_tensors(x, y, 0, &e) && strstr(e.msg, "whole numbers"), "label 1.5");
    y->data[3] = 0;
    x->data[5] = NAN;
    CHECK(!rdn_data_from_tensors(x, y, 0, &e) && strstr(e.msg, "non-finite"), "NaN input");
    rdn_tensor_free(x), rdn_tensor_free(y);
    rdn_dataset_free(d);
}

int main(void)
{
    test_generators();
    test_ops();
    return DONE();
}
