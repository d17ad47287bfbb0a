/* gemm_tile.h: the one microkernel, included by gemm_avx2.c and gemm_avx512.c with the vector
 * operations defined for 8 or 16 float lanes. Same code shape on both paths: every lane keeps one
 * element's sum and does exactly the fused multiply-adds of gemm.h's formula, in order. Needs:
 * VEC, MASK, VL (lanes), TILE_MR, TILE_FN (the function's name), V_ZERO(), V_LOAD(p),
 * V_LOADM(p, m), V_STORE(p, v), V_STOREM(p, m, v), V_BCAST(p), V_FMA(a, b, c) = a*b+c,
 * V_MUL(a, b), V_ADD(a, b), V_SET1(x), MASK_FIRST(n) (the first n lanes). */

/* mr rows (constant after inlining) by NV vectors of columns; FULL: all NV*VL columns, else
 * masks m0, m1 select the columns that exist (loads of B and C and stores to C). */
static inline __attribute__((always_inline)) void tile_body(
    const int MR_, const int NV, const int FULL, int k, const float *restrict Ap, int ars, int aps,
    const float *restrict B, int ldb, float *restrict C, int ldc, float alpha, float beta,
    const float *restrict bias, MASK m0, MASK m1)
{
    VEC acc[TILE_MR][2];
#pragma GCC unroll 16
    for (int r = 0; r < TILE_MR; r++) acc[r][0] = acc[r][1] = V_ZERO();
    for (int p = 0; p < k; p++) {
        const float *b = B + (size_t)p * ldb;
        VEC b0 = FULL ? V_LOAD(b) : V_LOADM(b, m0), b1 = V_ZERO();
        if (NV > 1) b1 = FULL ? V_LOAD(b + VL) : V_LOADM(b + VL, m1);
        const float *a = Ap + (size_t)p * aps;
#pragma GCC unroll 16
        for (int r = 0; r < TILE_MR; r++) {
            if (r >= MR_) break;
            VEC ar = V_BCAST(a + (size_t)r * ars);
            acc[r][0] = V_FMA(ar, b0, acc[r][0]);
            if (NV > 1) acc[r][1] = V_FMA(ar, b1, acc[r][1]);
        }
    }
    VEC va = V_SET1(alpha), vb = V_SET1(beta);
    VEC bi0 = V_ZERO(), bi1 = V_ZERO();
    if (bias) {
        bi0 = FULL ? V_LOAD(bias) : V_LOADM(bias, m0);
        if (NV > 1) bi1 = FULL ? V_LOAD(bias + VL) : V_LOADM(bias + VL, m1);
    }
#pragma GCC unroll 16
    for (int r = 0; r < TILE_MR; r++) {
        if (r >= MR_) break;
        float *c = C + (size_t)r * ldc;
        for (int v = 0; v < NV; v++) {
            MASK mv = v ? m1 : m0;
            VEC t = V_MUL(va, acc[r][v]);
            if (beta != 0.0f) t = V_FMA(vb, FULL ? V_LOAD(c + v * VL) : V_LOADM(c + v * VL, mv), t);
            if (bias) t = V_ADD(t, v ? bi1 : bi0);
            if (FULL) V_STORE(c + v * VL, t);
            else V_STOREM(c + v * VL, mv, t);
        }
    }
}

#define TILE_CASE(R)                                                                             \
    case R:                                                                                      \
        if (nv == 2 && full) tile_body(R, 2, 1, k, Ap, ars, aps, B, ldb, C, ldc, alpha, beta, bias, m0, m1); \
        else if (nv == 2) tile_body(R, 2, 0, k, Ap, ars, aps, B, ldb, C, ldc, alpha, beta, bias, m0, m1);  \
        else if (full) tile_body(R, 1, 1, k, Ap, ars, aps, B, ldb, C, ldc, alpha, beta, bias, m0, m1);      \
        else tile_body(R, 1, 0, k, Ap, ars, aps, B, ldb, C, ldc, alpha, beta, bias, m0, m1);                \
        break;

void TILE_FN(int k, const float *Ap, int ars, int aps, const float *B, int ldb, int mr, int nr, float *C, int ldc,
             float alpha, float beta, const float *bias)
{
    int nv = nr > VL ? 2 : 1;
    int full = nr == nv * VL;
    MASK m0 = MASK_FIRST(nr > VL ? VL : nr), m1 = MASK_FIRST(nr > VL ? nr - VL : 0);
    switch (mr) {
        TILE_CASE(1) TILE_CASE(2) TILE_CASE(3) TILE_CASE(4) TILE_CASE(5) TILE_CASE(6)
#if TILE_MR > 6
        TILE_CASE(7) TILE_CASE(8)
#endif
    default: break;
    }
}
