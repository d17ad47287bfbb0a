/* tensor.h: float32 tensors (up to 4 dimensions, C order) and the one BLAS wrapper.
 * Tensors are plain owned buffers; the interpreter wraps them in reference-counted values and
 * treats them as immutable (every operation returns a new tensor). */
#ifndef RDN_TENSOR_H
#define RDN_TENSOR_H
#include <stddef.h>
#include <stdint.h>
#include "rdn_err.h"
#include "rng.h"

#define RDN_MAX_DIMS 4

typedef struct Tensor {
    int ndim;                  /* 0 (scalar) .. 4 */
    int64_t shape[RDN_MAX_DIMS];
    int64_t size;              /* product of shape */
    float *data;               /* 64-byte aligned, owned */
    int is_mask;               /* 1: a boolean mask (entries 0/1, from a comparison); indexing with
                                * it selects elements. New tensors are 0; copies keep it. */
} Tensor;

/* New zeroed tensor; NULL with err on absurd size or bad shape (negative dims, ndim > 4). */
Tensor *rdn_tensor_new(int ndim, const int64_t *shape, RdnErr *err);
Tensor *rdn_tensor_copy(const Tensor *t, RdnErr *err);
void    rdn_tensor_free(Tensor *t);

/* Largest tensor accepted, in elements (16 GiB of float32; 256 MiB in fuzzing builds so that a
 * fuzzer's zeros(1e9) is a clean error rather than an out-of-memory finding). */
#ifdef RDN_FUZZ
/* 2^26 unless a harness lowers it (fuzz_tensor does, so that a loop of products stays fast) */
extern uint64_t rdn_tensor_fuzz_max_elems;
#define RDN_TENSOR_MAX_ELEMS rdn_tensor_fuzz_max_elems
#else
#define RDN_TENSOR_MAX_ELEMS ((uint64_t)RDN_MAX_ALLOC / sizeof(float))
#endif
/* 0 if ndim (0..4) and shape (every dim >= 0, product within the limit) are acceptable, with
 * *size (may be NULL) the element count; else -1 and err names the shape. */
int   rdn_tensor_check_shape(int ndim, const int64_t *shape, int64_t *size, RdnErr *err);
/* "[3, 4]" ("[]" for a 0-d tensor) into buf of n bytes; returns buf. */
char *rdn_tensor_shape_str(int ndim, const int64_t *shape, char *buf, size_t n);

/* ---- BLAS wrapper: every matrix product in rdn goes through these. ----
 * Row-major. C[m,n] = alpha * op(A) op(B) + beta * C, with leading dimensions (row strides).
 * With rdn_blas_use_reference(1) the plain-C loops are used instead (tests compare both). */
void rdn_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc);
/* y[m] = alpha * op(A) x + beta * y, A row-major [m_rows, n_cols] with lda. */
void rdn_sgemv(int transA, int m_rows, int n_cols, float alpha, const float *A, int lda,
               const float *x, float beta, float *y);
void rdn_sgemm_ref(int transA, int transB, int m, int n, int k, float alpha, const float *A,
                   int lda, const float *B, int ldb, float beta, float *C, int ldc);
void rdn_sgemv_ref(int transA, int m_rows, int n_cols, float alpha, const float *A, int lda,
                   const float *x, float beta, float *y);
void rdn_blas_use_reference(int on);
void rdn_blas_set_threads(int n);   /* openblas_set_num_threads; n <= 0 means all cores */
int  rdn_blas_threads(void);
const char *rdn_blas_name(void);    /* e.g. "OpenBLAS 0.3.21 (Haswell, pthreads)" for manifests */

#endif
