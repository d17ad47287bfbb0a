/* test_tensor.c: the tensor runtime (tensor.c, tensor_ops.c) against hand-worked cases and
 * plain-C loops written independently here. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "rmath.h"
#include "tensor.h"
#include "tensor_ops.h"

static Tensor *mk(int ndim, const int64_t *shape, const float *vals)
{
    Tensor *t = rdn_tensor_new(ndim, shape, NULL);
    if (t && vals) memcpy(t->data, vals, (size_t)t->size * sizeof(float));
    return t;
}

static Tensor *mk2(int64_t r, int64_t c, const float *vals)
{
    int64_t s[2] = {r, c};
    return mk(2, s, vals);
}

static Tensor *mk1(int64_t n, const float *vals) { return mk(1, &n, vals); }

static int same(const Tensor *t, int ndim, const int64_t *shape, const float *vals, double tol)
{
    if (!t || t->ndim != ndim) return 0;
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        if (t->shape[d] != shape[d]) return 0;
        n *= shape[d];
    }
    if (t->size != n) return 0;
    for (int64_t i = 0; i < n; i++)
        if (!(fabs((double)t->data[i] - vals[i]) <= tol)) return 0;
    return 1;
}

static void test_new(void)
{
    RdnErr err = {0};
    int64_t s[5] = {2, 3, 4, 5, 6};
    Tensor *t = rdn_tensor_new(4, s, &err);
    CHECK(t && t->size == 120 && t->ndim == 4, "4-D tensor");
    CHECK(t && ((uintptr_t)t->data % 64) == 0, "64-byte aligned");
    int zero = 1;
    for (int64_t i = 0; t && i < t->size; i++) zero &= t->data[i] == 0.0f;
    CHECK(zero, "zeroed");
    Tensor *c = rdn_tensor_copy(t, &err);
    CHECK(c && c != t && c->size == 120 && c->data != t->data, "copy");
    rdn_tensor_free(t);
    rdn_tensor_free(c);
    rdn_tensor_free(NULL);

    CHECK(rdn_tensor_new(5, s, &err) == NULL && strstr(err.msg, "at most 4"), "5 dims: %s",
          err.msg);
    int64_t neg[2] = {3, -1};
    CHECK(rdn_tensor_new(2, neg, &err) == NULL && strstr(err.msg, "negative size -1"),
          "negative: %s", err.msg);
    int64_t big[1] = {1000000000000LL};
    CHECK(rdn_tensor_new(1, big, &err) == NULL && strstr(err.msg, "[1000000000000] is too large"),
          "absurd: %s", err.msg);
    int64_t ovf[4] = {INT64_MAX / 2, 4, 4, 4};
    CHECK(rdn_tensor_new(4, ovf, &err) == NULL && strstr(err.msg, "too large"), "overflow: %s",
          err.msg);
    int64_t empty[3] = {INT64_MAX / 2, 0, 1000000};
    t = rdn_tensor_new(3, empty, &err);
    CHECK(t && t->size == 0, "a zero dim makes an empty tensor whatever the others");
    rdn_tensor_free(t);
    t = rdn_tensor_new(0, NULL, &err);
    CHECK(t && t->size == 1 && t->ndim == 0, "0-d tensor holds one element");
    rdn_tensor_free(t);
    char buf[64];
    CHECK(strcmp(rdn_tensor_shape_str(2, s, buf, sizeof buf), "[2, 3]") == 0, "shape_str");
    CHECK(strcmp(rdn_tensor_shape_str(0, s, buf, sizeof buf), "[]") == 0, "shape_str 0-d");
    rdn_tensor_shape_str(4, ovf, buf, 8);
    CHECK(strlen(buf) == 7, "shape_str truncates safely");
}

static void test_map(void)
{
    float v[6] = {-2, -0.5f, 0, 0.5f, 4, -1000};
    Tensor *t = mk1(6, v);
    Tensor *u = rdn_tensor_map(RDN_F_ABS, t, NULL);
    float abs_[6] = {2, 0.5f, 0, 0.5f, 4, 1000};
    int64_t s6 = 6;
    CHECK(same(u, 1, &s6, abs_, 0), "abs");
    rdn_tensor_free(u);
    u = rdn_tensor_map(RDN_F_RELU, t, NULL);
    float relu[6] = {0, 0, 0, 0.5f, 4, 0};
    CHECK(same(u, 1, &s6, relu, 0), "relu");
    rdn_tensor_free(u);
    u = rdn_tensor_map(RDN_F_SIGMOID, t, NULL);
    /* 1/(1+e^2) = 0.119202922, 1/(1+e^0.5) = 0.377540669 */
    float sig[6] = {0.119202922f, 0.377540669f, 0.5f, 0.622459331f, 0.982013790f, 0};
    CHECK(same(u, 1, &s6, sig, 1e-7), "sigmoid (no NaN at -1000)");
    rdn_tensor_free(u);
    u = rdn_tensor_map(RDN_F_NEG, t, NULL);
    CHECK(u && u->data[0] == 2 && u->data[4] == -4, "neg");
    rdn_tensor_free(u);
    CHECK(isnan(rdn_scalar_map(RDN_F_LOG, -1)) && isnan(rdn_scalar_map(RDN_F_SQRT, -1)),
          "log/sqrt of negatives are NaN, not errors");
    CHECK(rdn_scalar_map(RDN_F_SIGMOID, 1000) == 1.0 && rdn_scalar_map(RDN_F_SIGMOID, -1000) == 0,
          "sigmoid saturates");
    CHECK_CLOSE(rdn_scalar_map(RDN_F_TANH, 0.5), 0.46211715726, 1e-10, "tanh");
    CHECK(isnan(rdn_scalar_map(RDN_F_RELU, NAN)), "relu keeps NaN");
    /* the tensor tanh (a faster formula) against libm's, over a wide range and near 0: within
     * one float ulp everywhere, and equal but for rare ties */
    {
        int64_t n = 400001;
        Tensor *x = mk(1, &n, NULL);
        for (int64_t i = 0; i < n; i++) {
            double xv = (double)(i - n / 2) / 10000.0;          /* -20 .. 20 */
            x->data[i] = (float)(i % 2 ? xv : xv * 1e-5);         /* and -2e-4 .. 2e-4 */
        }
        x->data[0] = INFINITY;
        x->data[1] = -INFINITY;
        x->data[2] = 1e-30f;
        x->data[3] = NAN;
        Tensor *y = rdn_tensor_map(RDN_F_TANH, x, NULL);
        /* rdn's own tanhf (rmath.h), bit for bit, and within 2 ulps of libm's */
        int64_t notown = 0, far = 0;
        for (int64_t i = 0; i < n; i++) {
            float want = (float)tanh((double)x->data[i]);
            if (i == 3) {
                CHECK(isnan(y->data[i]), "tanh(NaN) is NaN");
                continue;
            }
            if (memcmp(&y->data[i], &(float){rdn_tanhf(x->data[i])}, sizeof(float))) notown++;
            if (fabsf(y->data[i] - want) > 2 * fabsf(nextafterf(want, 2.0f) - want)) far++;
        }
        CHECK(notown == 0 && far == 0, "tensor tanh: %lld differ from rdn_tanhf, %lld from libm by "
              "more than 2 ulps", (long long)notown, (long long)far);
        rdn_tensor_free(x);
        rdn_tensor_free(y);
    }
    u = rdn_tensor_clip(t, -1, 1, NULL);
    float clip[6] = {-1, -0.5f, 0, 0.5f, 1, -1};
    CHECK(same(u, 1, &s6, clip, 0), "clip");
    rdn_tensor_free(u);
    rdn_tensor_free(t);
}

static void test_binop(void)
{
    RdnErr err = {0};
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {6, 5, 4, 3, 2, 1}, r[3] = {10, 20, 30};
    float col[2] = {100, 200};
    Tensor *A = mk2(2, 3, a), *B = mk2(2, 3, b), *R = mk1(3, r), *C = mk2(2, 1, col);
    int64_t s23[2] = {2, 3};
    Tensor *u = rdn_tensor_binop(RDN_OP_ADD, A, B, &err);
    float sum[6] = {7, 7, 7, 7, 7, 7};
    CHECK(same(u, 2, s23, sum, 0), "same-shape +");
    rdn_tensor_free(u);
    u = rdn_tensor_binop(RDN_OP_SUB, A, R, &err);
    float rowb[6] = {-9, -18, -27, -6, -15, -24};
    CHECK(same(u, 2, s23, rowb, 0), "[2,3] - [3] broadcasts along rows");
    rdn_tensor_free(u);
    u = rdn_tensor_binop(RDN_OP_MUL, C, A, &err);
    float colb[6] = {100, 200, 300, 800, 1000, 1200};
    CHECK(same(u, 2, s23, colb, 0), "[2,1] * [2,3] broadcasts along columns");
    rdn_tensor_free(u);
    u = rdn_tensor_binop(RDN_OP_ADD, C, R, &err);
    float outer[6] = {110, 120, 130, 210, 220, 230};
    CHECK(same(u, 2, s23, outer, 0), "[2,1] + [3] -> [2,3]");
    rdn_tensor_free(u);
    u = rdn_tensor_binop(RDN_OP_GT, A, B, &err);
    float gt[6] = {0, 0, 0, 1, 1, 1};
    CHECK(same(u, 2, s23, gt, 0), "comparison gives 0/1");
    rdn_tensor_free(u);
    u = rdn_tensor_binop(RDN_OP_MAX, A, B, &err);
    float mx[6] = {6, 5, 4, 4, 5, 6};
    CHECK(same(u, 2, s23, mx, 0), "elementwise max");
    rdn_tensor_free(u);
    u = rdn_tensor_binop_scalar(RDN_OP_DIV, A, 2, 0, &err);
    float half[6] = {0.5f, 1, 1.5f, 2, 2.5f, 3};
    CHECK(same(u, 2, s23, half, 0), "tensor / number");
    rdn_tensor_free(u);
    u = rdn_tensor_binop_scalar(RDN_OP_SUB, A, 10, 1, &err);
    float tenm[6] = {9, 8, 7, 6, 5, 4};
    CHECK(same(u, 2, s23, tenm, 0), "number - tensor");
    rdn_tensor_free(u);
    u = rdn_tensor_binop_scalar(RDN_OP_POW, A, 2, 0, &err);
    float sq[6] = {1, 4, 9, 16, 25, 36};
    CHECK(same(u, 2, s23, sq, 0), "tensor ^ 2");
    rdn_tensor_free(u);
    u = rdn_tensor_binop_scalar(RDN_OP_MOD, A, 4, 0, &err);
    float md[6] = {1, 2, 3, 0, 1, 2};
    CHECK(same(u, 2, s23, md, 0), "tensor %% 4");
    rdn_tensor_free(u);
    CHECK(rdn_scalar_binop(RDN_OP_MOD, -1, 4) == 3 && rdn_scalar_binop(RDN_OP_MOD, 1, -4) == -3, "floored %%");
    /* the scalar is used in double: 0.1 is not rounded to float before the product */
    float big[1] = {16777216};
    Tensor *Bg = mk1(1, big);
    u = rdn_tensor_binop_scalar(RDN_OP_ADD, Bg, 0.75, 0, &err);
    CHECK(u && u->data[0] == 16777216.0f, "rounded once");
    rdn_tensor_free(u);
    rdn_tensor_free(Bg);

    float d4[4] = {1, 2, 3, 4};
    Tensor *D = mk2(2, 2, d4);
    u = rdn_tensor_binop(RDN_OP_ADD, A, D, &err);
    CHECK(!u && strstr(err.msg, "'+': shapes [2, 3] and [2, 2] do not match"), "mismatch: %s",
          err.msg);
    rdn_tensor_free(D);
    D = mk1(2, d4);
    u = rdn_tensor_binop(RDN_OP_EQ, A, D, &err);
    CHECK(!u && strstr(err.msg, "'==': shapes [2, 3] and [2]"), "trailing mismatch: %s",
          err.msg);
    rdn_tensor_free(D);

    /* 4-D broadcasting against a plain loop: [2,1,3,1] + [4,1,5] -> [2,4,3,5] */
    int64_t sa[4] = {2, 1, 3, 1}, sb[3] = {4, 1, 5};
    Tensor *X = mk(4, sa, NULL), *Y = mk(3, sb, NULL);
    for (int i = 0; i < 6; i++) X->data[i] = (float)(i + 1);
    for (int i = 0; i < 20; i++) Y->data[i] = (float)(100 * (i + 1));
    u = rdn_tensor_binop(RDN_OP_ADD, X, Y, &err);
    int ok = u && u->ndim == 4 && u->shape[0] == 2 && u->shape[1] == 4 && u->shape[2] == 3 &&
             u->shape[3] == 5;
    for (int i = 0; ok && i < 2; i++)
        for (int j = 0; j < 4; j++)
            for (int k = 0; k < 3; k++)
                for (int l = 0; l < 5; l++)
                    ok &= u->data[((i * 4 + j) * 3 + k) * 5 + l] ==
                          X->data[i * 3 + k] + Y->data[j * 5 + l];
    CHECK(ok, "4-D broadcast matches the loop");
    rdn_tensor_free(u);
    rdn_tensor_free(X);
    rdn_tensor_free(Y);
    rdn_tensor_free(A);
    rdn_tensor_free(B);
    rdn_tensor_free(R);
    rdn_tensor_free(C);
}

static void test_matmul(void)
{
    RdnErr err = {0};
    /* hand-worked: [[1,2],[3,4],[5,6]] @ [[1,0,-1],[2,1,0]] = [[5,2,-1],[11,4,-3],[17,6,-5]] */
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, -1, 2, 1, 0};
    Tensor *A = mk2(3, 2, a), *B = mk2(2, 3, b);
    Tensor *C = rdn_tensor_matmul(A, B, &err);
    int64_t s33[2] = {3, 3};
    float c[9] = {5, 2, -1, 11, 4, -3, 17, 6, -5};
    CHECK(same(C, 2, s33, c, 0), "hand-worked matmul");
    rdn_tensor_free(C);
    float x[2] = {1, -1}, y[3] = {1, 2, 3};
    Tensor *X = mk1(2, x), *Y = mk1(3, y);
    C = rdn_tensor_matmul(A, X, &err);
    int64_t s3 = 3, s2 = 2;
    float mv[3] = {-1, -1, -1};
    CHECK(same(C, 1, &s3, mv, 0), "matvec");
    rdn_tensor_free(C);
    C = rdn_tensor_matmul(Y, A, &err);   /* [1,2,3] @ [[1,2],[3,4],[5,6]] = [22, 28] */
    float vm[2] = {22, 28};
    CHECK(same(C, 1, &s2, vm, 0), "vecmat");
    rdn_tensor_free(C);
    C = rdn_tensor_matmul(Y, Y, &err);
    CHECK(C && C->ndim == 0 && C->data[0] == 14, "dot");
    rdn_tensor_free(C);
    C = rdn_tensor_matmul(A, A, &err);
    CHECK(!C && strstr(err.msg, "'@': shapes [3, 2] and [3, 2] do not match"), "mismatch: %s",
          err.msg);
    int64_t s3d[3] = {2, 2, 2};
    Tensor *T3 = mk(3, s3d, NULL);
    C = rdn_tensor_matmul(T3, A, &err);
    CHECK(!C && strstr(err.msg, "1-D or 2-D"), "3-D: %s", err.msg);
    rdn_tensor_free(T3);
    /* k = 0: all zeros, no BLAS call with bad leading dims */
    int64_t z1[2] = {2, 0}, z2[2] = {0, 3};
    Tensor *Z1 = mk(2, z1, NULL), *Z2 = mk(2, z2, NULL);
    C = rdn_tensor_matmul(Z1, Z2, &err);
    int64_t s23[2] = {2, 3};
    float zeros[6] = {0};
    CHECK(same(C, 2, s23, zeros, 0), "k = 0 gives zeros");
    rdn_tensor_free(C);
    rdn_tensor_free(Z1);
    rdn_tensor_free(Z2);

    /* random sizes against a double loop */
    RdnRng rng;
    rdn_rng_seed(&rng, 5);
    int dims[][3] = {{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {64, 128, 9}};
    for (int t = 0; t < 4; t++) {
        int m = dims[t][0], k = dims[t][1], n = dims[t][2];
        Tensor *P = mk2(m, k, NULL), *Q = mk2(k, n, NULL), *V = mk1(k, NULL);
        rdn_tensor_fill_normal(P, &rng, 0, 1);
        rdn_tensor_fill_normal(Q, &rng, 0, 1);
        rdn_tensor_fill_normal(V, &rng, 0, 1);
        Tensor *R = rdn_tensor_matmul(P, Q, &err), *Rv = rdn_tensor_matmul(P, V, &err);
        double maxerr = 0, maxerrv = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)P->data[i * k + p] * Q->data[p * n + j];
                maxerr = fmax(maxerr, fabs(s - R->data[i * n + j]));
            }
            double s = 0;
            for (int p = 0; p < k; p++) s += (double)P->data[i * k + p] * V->data[p];
            maxerrv = fmax(maxerrv, fabs(s - Rv->data[i]));
        }
        CHECK(maxerr < 1e-4 && maxerrv < 1e-4, "matmul %dx%dx%d: max error %g / %g", m, k, n,
              maxerr, maxerrv);
        rdn_tensor_free(P);
        rdn_tensor_free(Q);
        rdn_tensor_free(V);
        rdn_tensor_free(R);
        rdn_tensor_free(Rv);
    }
    rdn_tensor_free(A);
    rdn_tensor_free(B);
    rdn_tensor_free(X);
    rdn_tensor_free(Y);
}

static void test_reduce(void)
{
    RdnErr err = {0};
    float a[6] = {3, -1, 4, 1, -5, 9};
    Tensor *A = mk2(2, 3, a);
    double v;
    CHECK(rdn_tensor_reduce_all(RDN_R_SUM, A, &v, &err) == 0 && v == 11, "sum");
    CHECK(rdn_tensor_reduce_all(RDN_R_MEAN, A, &v, &err) == 0 && fabs(v - 11.0 / 6) < 1e-12,
          "mean");
    CHECK(rdn_tensor_reduce_all(RDN_R_MIN, A, &v, &err) == 0 && v == -5, "min");
    CHECK(rdn_tensor_reduce_all(RDN_R_MAX, A, &v, &err) == 0 && v == 9, "max");
    CHECK(rdn_tensor_reduce_all(RDN_R_ARGMAX, A, &v, &err) == 0 && v == 5, "argmax flat");
    CHECK(rdn_tensor_reduce_all(RDN_R_ARGMIN, A, &v, &err) == 0 && v == 4, "argmin flat");
    int64_t s3 = 3, s2 = 2;
    Tensor *u = rdn_tensor_reduce_axis(RDN_R_SUM, A, 0, &err);
    float s0[3] = {4, -6, 13};
    CHECK(same(u, 1, &s3, s0, 0), "sum axis 0");
    rdn_tensor_free(u);
    u = rdn_tensor_reduce_axis(RDN_R_MEAN, A, 1, &err);
    float m1[2] = {2, 5.0f / 3};   /* (3-1+4)/3, (1-5+9)/3 */
    CHECK(same(u, 1, &s2, m1, 1e-6), "mean axis 1");
    rdn_tensor_free(u);
    u = rdn_tensor_reduce_axis(RDN_R_ARGMAX, A, 1, &err);
    float am1[2] = {2, 2};
    CHECK(same(u, 1, &s2, am1, 0), "argmax axis 1");
    rdn_tensor_free(u);
    u = rdn_tensor_reduce_axis(RDN_R_MIN, A, 0, &err);
    float mn0[3] = {1, -5, 4};
    CHECK(same(u, 1, &s3, mn0, 0), "min axis 0");
    rdn_tensor_free(u);
    u = rdn_tensor_reduce_axis(RDN_R_SUM, A, 2, &err);
    CHECK(!u && strstr(err.msg, "axis 2 is out of range for a tensor of shape [2, 3]"), "%s",
          err.msg);

    /* a 3-D max along the middle axis against a loop */
    int64_t sh[3] = {3, 4, 5};
    Tensor *T = mk(3, sh, NULL);
    RdnRng rng;
    rdn_rng_seed(&rng, 9);
    rdn_tensor_fill_normal(T, &rng, 0, 1);
    u = rdn_tensor_reduce_axis(RDN_R_MAX, T, 1, &err);
    Tensor *w = rdn_tensor_reduce_axis(RDN_R_ARGMAX, T, 1, &err);
    int ok = u && w && u->ndim == 2 && u->shape[0] == 3 && u->shape[1] == 5;
    for (int i = 0; ok && i < 3; i++)
        for (int k = 0; k < 5; k++) {
            float best = T->data[i * 20 + k];
            int at = 0;
            for (int j = 1; j < 4; j++)
                if (T->data[i * 20 + j * 5 + k] > best) best = T->data[i * 20 + j * 5 + k], at = j;
            ok &= u->data[i * 5 + k] == best && w->data[i * 5 + k] == at;
        }
    CHECK(ok, "3-D max/argmax along axis 1 match the loop");
    rdn_tensor_free(u);
    rdn_tensor_free(w);
    rdn_tensor_free(T);

    /* NaN: min/max propagate it, argmax finds the first one */
    float n[4] = {1, NAN, 7, NAN};
    Tensor *N = mk1(4, n);
    CHECK(rdn_tensor_reduce_all(RDN_R_MAX, N, &v, &err) == 0 && isnan(v), "max with NaN");
    CHECK(rdn_tensor_reduce_all(RDN_R_ARGMAX, N, &v, &err) == 0 && v == 1, "argmax of NaN");
    CHECK(rdn_tensor_reduce_all(RDN_R_SUM, N, &v, &err) == 0 && isnan(v), "sum with NaN");
    rdn_tensor_free(N);

    /* empty */
    int64_t e[2] = {0, 3};
    Tensor *E = mk(2, e, NULL);
    CHECK(rdn_tensor_reduce_all(RDN_R_SUM, E, &v, &err) == 0 && v == 0, "sum of empty is 0");
    CHECK(rdn_tensor_reduce_all(RDN_R_MAX, E, &v, &err) < 0 && strstr(err.msg, "empty"),
          "max of empty: %s", err.msg);
    CHECK(rdn_tensor_reduce_all(RDN_R_MEAN, E, &v, &err) < 0, "mean of empty");
    u = rdn_tensor_reduce_axis(RDN_R_SUM, E, 0, &err);
    float z3[3] = {0, 0, 0};
    CHECK(same(u, 1, &s3, z3, 0), "sum over an empty axis gives zeros");
    rdn_tensor_free(u);
    u = rdn_tensor_reduce_axis(RDN_R_MAX, E, 0, &err);
    CHECK(!u && strstr(err.msg, "axis 0 of the tensor [0, 3] is empty"), "%s", err.msg);
    u = rdn_tensor_reduce_axis(RDN_R_MAX, E, 1, &err);
    CHECK(u && u->ndim == 1 && u->shape[0] == 0, "max along a full axis of an empty tensor");
    rdn_tensor_free(u);
    rdn_tensor_free(E);

    /* norm: 3-4-5, and a sum that float accumulation would get wrong */
    float f[2] = {3, 4};
    Tensor *F = mk1(2, f);
    CHECK(rdn_tensor_norm(F) == 5, "norm");
    rdn_tensor_free(F);
    int64_t big = 1 << 20;
    Tensor *O = mk(1, &big, NULL);
    for (int64_t i = 0; i < big; i++) O->data[i] = i == 0 ? 16777216.0f : 1.0f;
    CHECK(rdn_tensor_reduce_all(RDN_R_SUM, O, &v, &err) == 0 && v == 16777216.0 + big - 1,
          "sum accumulates in double: %.17g", v);
    rdn_tensor_free(O);
    rdn_tensor_free(A);
}

static void test_shape_ops(void)
{
    RdnErr err = {0};
    float a[6] = {1, 2, 3, 4, 5, 6};
    Tensor *A = mk2(2, 3, a);
    Tensor *u = rdn_tensor_transpose(A, &err);
    int64_t s32[2] = {3, 2};
    float at[6] = {1, 4, 2, 5, 3, 6};
    CHECK(same(u, 2, s32, at, 0), "transpose");
    rdn_tensor_free(u);
    int64_t s234[3] = {2, 3, 4};
    Tensor *T = mk(3, s234, NULL);
    for (int i = 0; i < 24; i++) T->data[i] = (float)i;
    u = rdn_tensor_transpose(T, &err);
    int ok = u && u->ndim == 3 && u->shape[0] == 4 && u->shape[1] == 3 && u->shape[2] == 2;
    for (int i = 0; ok && i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) ok &= u->data[(k * 3 + j) * 2 + i] == T->data[(i * 3 + j) * 4 + k];
    CHECK(ok, "3-D transpose reverses the axes");
    rdn_tensor_free(u);

    int64_t r1[2] = {3, -1};
    u = rdn_tensor_reshape(A, 2, r1, &err);
    CHECK(same(u, 2, s32, a, 0), "reshape with -1");
    rdn_tensor_free(u);
    int64_t r2[2] = {4, -1};
    CHECK(!rdn_tensor_reshape(A, 2, r2, &err) &&
          strstr(err.msg, "cannot reshape a tensor of shape [2, 3] (6 elements) to [4, -1]"),
          "%s", err.msg);
    int64_t r3[2] = {-1, -1};
    CHECK(!rdn_tensor_reshape(A, 2, r3, &err) && strstr(err.msg, "only one"), "%s", err.msg);
    int64_t r4[3] = {1000000000000LL, 1000000000000LL, 1000000000000LL};
    CHECK(!rdn_tensor_reshape(A, 3, r4, &err) && strstr(err.msg, "cannot reshape"), "%s",
          err.msg);
    int64_t r5[1] = {6};
    u = rdn_tensor_reshape(A, 1, r5, &err);
    CHECK(u && u->ndim == 1 && u->shape[0] == 6, "flatten");
    rdn_tensor_free(u);
    int64_t r6[1] = {-2};
    CHECK(!rdn_tensor_reshape(A, 1, r6, &err) && strstr(err.msg, ">= 0"), "%s", err.msg);

    /* select: T[1], T[1, 2], T[0..2, 1, 1..3], T[1, 1..1] */
    int isr[3] = {0, 0, 0};
    int64_t lo[3] = {1, 2, 0}, hi[3] = {0, 0, 0};
    u = rdn_tensor_select(T, 1, isr, lo, hi, &err);
    ok = u && u->ndim == 2 && u->shape[0] == 3 && u->shape[1] == 4;
    for (int i = 0; ok && i < 12; i++) ok &= u->data[i] == 12 + i;
    CHECK(ok, "T[1]");
    rdn_tensor_free(u);
    u = rdn_tensor_select(T, 2, isr, lo, hi, &err);
    float row[4] = {20, 21, 22, 23};
    int64_t s4 = 4;
    CHECK(same(u, 1, &s4, row, 0), "T[1, 2]");
    rdn_tensor_free(u);
    int isr2[3] = {1, 0, 1};
    int64_t lo2[3] = {0, 1, 1}, hi2[3] = {2, 0, 3};
    u = rdn_tensor_select(T, 3, isr2, lo2, hi2, &err);
    int64_t s22[2] = {2, 2};
    float mix[4] = {5, 6, 17, 18};
    CHECK(same(u, 2, s22, mix, 0), "T[0..2, 1, 1..3]");
    rdn_tensor_free(u);
    int isr3[2] = {0, 1};
    int64_t lo3[2] = {1, 1}, hi3[2] = {0, 1};
    u = rdn_tensor_select(T, 2, isr3, lo3, hi3, &err);
    CHECK(u && u->ndim == 2 && u->shape[0] == 0 && u->shape[1] == 4, "empty slice");
    rdn_tensor_free(u);
    int64_t lo4[1] = {2};
    CHECK(!rdn_tensor_select(T, 1, isr, lo4, hi, &err) &&
          strstr(err.msg, "axis 0 of a tensor of shape [2, 3, 4]"), "%s", err.msg);
    int isr5[4] = {0, 0, 0, 0};
    int64_t lo5[4] = {0, 0, 0, 0};
    CHECK(!rdn_tensor_select(T, 4, isr5, lo5, lo5, &err) && strstr(err.msg, "too many"), "%s",
          err.msg);
    int all3[3] = {0, 0, 0};
    int64_t idx3[3] = {1, 2, 3};
    u = rdn_tensor_select(T, 3, all3, idx3, idx3, &err);
    CHECK(u && u->ndim == 0 && u->data[0] == 23, "full index gives a 0-d tensor");
    rdn_tensor_free(u);
    rdn_tensor_free(T);
    rdn_tensor_free(A);

    u = rdn_tensor_eye(3, &err);
    float eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    int64_t s33[2] = {3, 3};
    CHECK(same(u, 2, s33, eye, 0), "eye");
    rdn_tensor_free(u);
    u = rdn_tensor_linspace(0, 1, 5, &err);
    float ls[5] = {0, 0.25f, 0.5f, 0.75f, 1};
    int64_t s5 = 5;
    CHECK(same(u, 1, &s5, ls, 0), "linspace");
    rdn_tensor_free(u);
    CHECK(!rdn_tensor_linspace(0, 1, 0, &err), "linspace needs a point");

    /* randn: the moments of 100000 draws */
    int64_t n = 100000;
    Tensor *R = mk(1, &n, NULL);
    RdnRng rng;
    rdn_rng_seed(&rng, 1);
    rdn_tensor_fill_normal(R, &rng, 2, 3);
    double m, s = 0;
    rdn_tensor_reduce_all(RDN_R_MEAN, R, &m, &err);
    for (int64_t i = 0; i < n; i++) s += (R->data[i] - m) * (R->data[i] - m);
    CHECK(fabs(m - 2) < 0.05 && fabs(sqrt(s / n) - 3) < 0.05, "normal moments %g %g", m,
          sqrt(s / n));
    rdn_tensor_fill_uniform(R, &rng, -1, 1);
    double lo_ = 1, hi_ = -1;
    rdn_tensor_reduce_all(RDN_R_MIN, R, &lo_, &err);
    rdn_tensor_reduce_all(RDN_R_MAX, R, &hi_, &err);
    CHECK(lo_ >= -1 && hi_ < 1 && lo_ < -0.99 && hi_ > 0.99, "uniform range");
    rdn_tensor_free(R);
}

static void test_var_concat(void)
{
    RdnErr err = {0};
    /* var/std along the middle axis of a [2,3,2] tensor against a loop */
    int64_t sh[3] = {2, 3, 2};
    Tensor *T = mk(3, sh, NULL);
    RdnRng rng;
    rdn_rng_seed(&rng, 3);
    rdn_tensor_fill_normal(T, &rng, 1, 2);
    Tensor *v = rdn_tensor_var_axis(T, 1, 1, 0, &err), *s = rdn_tensor_var_axis(T, 1, 0, 1, &err);
    int ok = v && s && v->ndim == 2 && v->shape[0] == 2 && v->shape[1] == 2;
    for (int i = 0; ok && i < 2; i++)
        for (int k = 0; k < 2; k++) {
            double m = 0, q = 0;
            for (int j = 0; j < 3; j++) m += T->data[(i * 3 + j) * 2 + k];
            m /= 3;
            for (int j = 0; j < 3; j++) {
                double d = T->data[(i * 3 + j) * 2 + k] - m;
                q += d * d;
            }
            ok &= fabs(v->data[i * 2 + k] - q / 2) <= 1e-6 * (1 + q) &&
                  fabs(s->data[i * 2 + k] - sqrt(q / 3)) <= 1e-6 * (1 + q);
        }
    CHECK(ok, "var/std along axis 1 match the loop");
    rdn_tensor_free(v);
    rdn_tensor_free(s);
    double x;
    /* a large offset: two passes keep the variance exact where sum(x^2) - n mean^2 would not */
    float big[4] = {1e4f + 1, 1e4f + 2, 1e4f + 3, 1e4f + 4};
    Tensor *B = mk1(4, big);
    CHECK(rdn_tensor_var_all(B, 0, 0, &x, &err) == 0 && x == 1.25, "var with offset: %g", x);
    CHECK(rdn_tensor_var_all(B, 4, 0, &x, &err) < 0 && strstr(err.msg, "ddof = 4"), "%s",
          err.msg);
    CHECK(!rdn_tensor_var_axis(T, 1, 3, 0, &err) && strstr(err.msg, "axis 1"), "%s", err.msg);
    rdn_tensor_free(B);

    /* concat along each axis of [2,3,2] with a [2,1,2] / [1,3,2] / [2,3,1] piece */
    int64_t p1[3] = {2, 1, 2}, p0[3] = {1, 3, 2}, p2[3] = {2, 3, 1};
    const int64_t *ps[3] = {p0, p1, p2};
    for (int axis = 0; axis < 3; axis++) {
        Tensor *P = mk(3, ps[axis], NULL);
        for (int64_t i = 0; i < P->size; i++) P->data[i] = (float)(1000 + i);
        const Tensor *both[2] = {T, P};
        Tensor *C = rdn_tensor_concat(2, both, axis, &err);
        ok = C != NULL;
        for (int d = 0; ok && d < 3; d++)
            ok = C->shape[d] == (d == axis ? T->shape[d] + P->shape[d] : T->shape[d]);
        int64_t idx[3];
        for (idx[0] = 0; ok && idx[0] < C->shape[0]; idx[0]++)
            for (idx[1] = 0; idx[1] < C->shape[1]; idx[1]++)
                for (idx[2] = 0; idx[2] < C->shape[2]; idx[2]++) {
                    float got = C->data[(idx[0] * C->shape[1] + idx[1]) * C->shape[2] + idx[2]];
                    const Tensor *src = idx[axis] < T->shape[axis] ? T : P;
                    int64_t j[3] = {idx[0], idx[1], idx[2]};
                    if (src == P) j[axis] -= T->shape[axis];
                    ok &= got == src->data[(j[0] * src->shape[1] + j[1]) * src->shape[2] + j[2]];
                }
        CHECK(ok, "concat along axis %d matches the loop", axis);
        rdn_tensor_free(C);
        const Tensor *wrong[2] = {T, P};
        CHECK(!rdn_tensor_concat(2, wrong, (axis + 1) % 3, &err) && strstr(err.msg, "does not fit"),
              "mismatch: %s", err.msg);
        rdn_tensor_free(P);
    }
    /* take: rows 1, 0, 1 of a [2,3,2] along axis 0, and columns along the last axis */
    int64_t rows[3] = {1, 0, 1}, cols[2] = {1, 1};
    Tensor *R = rdn_tensor_take(T, 0, rows, 3, &err), *K = rdn_tensor_take(T, 2, cols, 2, &err);
    ok = R && R->shape[0] == 3 && K && K->shape[2] == 2;
    for (int i = 0; ok && i < 3; i++)
        for (int j = 0; j < 6; j++) ok &= R->data[i * 6 + j] == T->data[rows[i] * 6 + j];
    for (int i = 0; ok && i < 6; i++) ok &= K->data[i * 2] == T->data[i * 2 + 1];
    CHECK(ok, "take along axes 0 and 2");
    rdn_tensor_free(R);
    rdn_tensor_free(K);
    int64_t badi[1] = {2};
    CHECK(!rdn_tensor_take(T, 0, badi, 1, &err) && strstr(err.msg, "index 2 is out of range"),
          "%s", err.msg);
    rdn_tensor_free(T);
}

static void test_sort_cumsum(void)
{
    RdnErr err = {0};
    int64_t sh[3] = {3, 5, 2};
    Tensor *T = mk(3, sh, NULL);
    RdnRng rng;
    rdn_rng_seed(&rng, 11);
    for (int64_t i = 0; i < T->size; i++)   /* small integers: plenty of ties */
        T->data[i] = (float)rdn_rng_below(&rng, 4);
    Tensor *S = rdn_tensor_sort(T, 1, 0, &err), *A = rdn_tensor_sort(T, 1, 1, &err);
    Tensor *C = rdn_tensor_cumsum(T, 1, &err);
    int ok = S && A && C;
    for (int o = 0; ok && o < 3; o++)
        for (int i = 0; i < 2; i++) {
            double run = 0;
            for (int j = 0; j < 5; j++) {
                int64_t at = (o * 5 + j) * 2 + i;
                int64_t src = (int64_t)A->data[at];
                ok &= T->data[(o * 5 + src) * 2 + i] == S->data[at];     /* argsort picks sort */
                if (j) {
                    int64_t prev = (o * 5 + j - 1) * 2 + i;
                    ok &= S->data[prev] <= S->data[at];                 /* ascending */
                    if (S->data[prev] == S->data[at])                    /* stable */
                        ok &= A->data[prev] < A->data[at];
                }
                run += T->data[at];
                ok &= C->data[at] == (float)run;
            }
        }
    CHECK(ok, "sort/argsort/cumsum along axis 1 match the loop");
    rdn_tensor_free(S);
    rdn_tensor_free(A);
    rdn_tensor_free(C);
    CHECK(!rdn_tensor_sort(T, 3, 0, &err) && strstr(err.msg, "sort: axis 3"), "%s", err.msg);
    rdn_tensor_free(T);
}

int main(void)
{
    test_new();
    test_map();
    test_binop();
    test_matmul();
    test_reduce();
    test_shape_ops();
    test_var_concat();
    test_sort_cumsum();
    return DONE();
}
