/* pool.h: rdn's own thread pool for the deterministic compute layer (gemm.h, train.c).
 *
 * Persistent workers, created on first use. A run hands task i (0 <= i < n) to worker i, the
 * caller doing task 0 itself, and returns when every task has returned. What a task computes
 * must depend only on i and n, never on timing: the callers give each task a fixed, disjoint
 * block of outputs, so the bits never depend on how many threads ran. */
#ifndef RDN_POOL_H
#define RDN_POOL_H

#define RDN_POOL_MAX 64

typedef void (*RdnTaskFn)(void *ctx, int i, int n);

/* Runs fn(ctx, i, n) for i = 0..n-1. Called from inside a task (or while another thread runs
 * the pool), the n tasks run one after another on the calling thread: same results. */
void rdn_pool_run(int n, RdnTaskFn fn, void *ctx);
/* 1 when the calling thread is running a pool task (products inside then stay on it). */
int rdn_pool_in_task(void);

#endif
