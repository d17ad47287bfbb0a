/* sweep_mpi.c: `mpirun -np N rdn-mpi sweep ...`, the runs of a sweep spread over MPI ranks.
 * Linked only into rdn-mpi (the Makefile builds it when mpicc exists); plain rdn has none of it
 * and needs no MPI library. Rank 0 hands out runs (by index, in grid order) as ranks become free
 * and records the results they send back; every other rank runs what it is given as a worker
 * process in the run's folder, exactly as a local sweep does, and sends rank 0 the run's wait
 * status, first error line and manifest text. Rank 0 then writes the same sweep.csv,
 * summary.csv and sweep.run.json as a local sweep of the same grid: they depend only on the
 * grid and the runs' manifests. The run folders must be on a file system every rank sees. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sweep.h"

enum { TAG_READY = 1, TAG_WORK, TAG_STOP, TAG_RESULT };

static int world_rank, world_size;

int sweep_mpi_size(int *argc, char ***argv)
{
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK") &&
        !getenv("SLURM_PROCID"))
        return 0;                                   /* not started by mpirun / srun */
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) return 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    return world_size;
}

int sweep_mpi_rank(void) { return world_rank; }

void sweep_mpi_finish(void) { MPI_Finalize(); }

int sweep_mpi_agree(int ok)
{
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return ok;
}

static void nap(void)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* A result: "INDEX WSTATUS ERRLEN MANLEN\n" then the error line and the manifest text. */
static void worker(Sweep *S)
{
    int dummy = 0;
    MPI_Send(&dummy, 1, MPI_INT, 0, TAG_READY, MPI_COMM_WORLD);
    for (;;) {
        int idx;
        MPI_Status st;
        MPI_Recv(&idx, 1, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == TAG_STOP || idx < 0 || idx >= S->nruns) break;
        SweepRun *r = &S->runs[idx];
        int ws = sweep_start(S, r) == 0 ? sweep_wait(r) : 127 << 8;
        char *err = sweep_error_line(S, r), *man = sweep_manifest_text(S, r);
        size_t el = err ? strlen(err) : 0, ml = man ? strlen(man) : 0;
        char head[96];
        int hl = snprintf(head, sizeof head, "%d %d %zu %zu\n", idx, ws, el, ml);
        char *msg = malloc((size_t)hl + el + ml + 1);
        if (!msg) abort();
        memcpy(msg, head, (size_t)hl);
        if (el) memcpy(msg + hl, err, el);
        if (ml) memcpy(msg + hl + el, man, ml);
        MPI_Send(msg, (int)((size_t)hl + el + ml), MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD);
        free(msg);
        free(err);
        free(man);
    }
}

static void take_result(Sweep *S, char *msg, int len)
{
    int idx, ws, n = 0;
    size_t el, ml;
    msg[len] = 0;
    if (sscanf(msg, "%d %d %zu %zu\n%n", &idx, &ws, &el, &ml, &n) != 4 || idx < 0 || idx >= S->nruns ||
        (size_t)n + el + ml != (size_t)len) {
        fprintf(stderr, "rdn sweep: a malformed result message from a rank (ignored)\n");
        return;
    }
    char *err = el ? strndup(msg + n, el) : NULL;
    char *man = ml ? strndup(msg + n + el, ml) : NULL;
    S->nrunning--;
    sweep_take(S, &S->runs[idx], ws, err, man);
    free(err);
    free(man);
}

static void leader(Sweep *S)
{
    int next = 0, stopped = 0;
    while (stopped < world_size - 1) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            nap();
            continue;
        }
        int len;
        MPI_Get_count(&st, MPI_CHAR, &len);
        char *msg = malloc((size_t)len + 1);
        if (!msg) abort();
        MPI_Recv(msg, len, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (st.MPI_TAG == TAG_RESULT) take_result(S, msg, len);
        free(msg);
        /* the sender is free: its next run, or stop */
        while (next < S->nruns && S->runs[next].status != RUN_PENDING) next++;
        if (next < S->nruns && !sweep_stop) {
            S->runs[next].status = RUN_RUNNING;
            S->runs[next].started = sweep_now();
            S->nrunning++;
            MPI_Send(&next, 1, MPI_INT, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
            next++;
        } else {
            int none = -1;
            MPI_Send(&none, 1, MPI_INT, st.MPI_SOURCE, TAG_STOP, MPI_COMM_WORLD);
            stopped++;
        }
    }
}

int sweep_mpi_schedule(Sweep *S)
{
    if (world_rank == 0) leader(S);
    else worker(S);
    return 0;
}
