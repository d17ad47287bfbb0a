/* pool.c: the persistent worker threads of pool.h. Each worker spins briefly on its own
 * generation counter (the next task usually comes within microseconds during training), then
 * sleeps on its condition variable; the caller spins, then yields, until every task is done. */
#include "pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

#define SPIN_WORKER 20000   /* pause loops before a worker sleeps (tens of microseconds) */
#define SPIN_CALLER 2000    /* pause loops before the waiting caller starts yielding */

typedef struct Worker {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic unsigned gen;   /* bumped once per task handed over */
    int sleeping;           /* under mu */
    RdnTaskFn fn;
    void *ctx;
    int i, n;
} Worker;

static Worker workers[RDN_POOL_MAX];
static int nworkers;                  /* started so far (under run_mu) */
static _Atomic int pending;           /* tasks of the current run not yet finished */
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int in_task;

int rdn_pool_in_task(void) { return in_task; }

static void *worker_main(void *p)
{
    Worker *w = p;
    unsigned seen = 0;
    in_task = 1;
    for (;;) {
        int s = 0;
        while (atomic_load_explicit(&w->gen, memory_order_acquire) == seen && s < SPIN_WORKER) {
            CPU_RELAX();
            s++;
        }
        if (atomic_load_explicit(&w->gen, memory_order_acquire) == seen) {
            pthread_mutex_lock(&w->mu);
            while (atomic_load_explicit(&w->gen, memory_order_acquire) == seen) {
                w->sleeping = 1;
                pthread_cond_wait(&w->cv, &w->mu);
            }
            w->sleeping = 0;
            pthread_mutex_unlock(&w->mu);
        }
        seen = atomic_load_explicit(&w->gen, memory_order_acquire);
        w->fn(w->ctx, w->i, w->n);
        atomic_fetch_sub_explicit(&pending, 1, memory_order_release);
    }
    return NULL;
}

static void serial(int n, RdnTaskFn fn, void *ctx)
{
    int was = in_task;
    in_task = 1;
    for (int i = 0; i < n; i++) fn(ctx, i, n);
    in_task = was;
}

void rdn_pool_run(int n, RdnTaskFn fn, void *ctx)
{
    if (n > RDN_POOL_MAX) n = RDN_POOL_MAX;
    if (n <= 1 || in_task || pthread_mutex_trylock(&run_mu) != 0) {
        serial(n < 1 ? 1 : n, fn, ctx);
        return;
    }
    while (nworkers < n - 1) {
        Worker *w = &workers[nworkers];
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) break;
        pthread_detach(w->th);
        nworkers++;
    }
    int nw = n - 1 < nworkers ? n - 1 : nworkers;
    atomic_store_explicit(&pending, nw, memory_order_relaxed);
    for (int k = 0; k < nw; k++) {
        Worker *w = &workers[k];
        w->fn = fn;
        w->ctx = ctx;
        w->i = k + 1;
        w->n = n;
        atomic_fetch_add_explicit(&w->gen, 1, memory_order_release);
        pthread_mutex_lock(&w->mu);
        if (w->sleeping) pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
    in_task = 1;
    fn(ctx, 0, n);
    for (int i = nw + 1; i < n; i++) fn(ctx, i, n); /* tasks without a worker (none started) */
    in_task = 0;
    int s = 0;
    while (atomic_load_explicit(&pending, memory_order_acquire) > 0) {
        if (s++ < SPIN_CALLER) CPU_RELAX();
        else sched_yield();
    }
    pthread_mutex_unlock(&run_mu);
}
