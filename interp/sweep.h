/* sweep.h: `rdn sweep`, a study: the cartesian product of parameter grids, one run per point
 * in its own folder, the runs' reported results gathered into sweep.csv and summary.csv, and
 * the sweep's own manifest sweep.run.json. interp/sweep.c holds the driver and the local
 * scheduler (worker processes); interp/mpi/sweep_mpi.c, linked only into rdn-mpi, spreads the
 * runs over MPI ranks through the hooks below. */
#ifndef RDN_SWEEP_H
#define RDN_SWEEP_H
#include <jansson.h>
#include <sys/types.h>

enum { RUN_PENDING, RUN_RUNNING, RUN_OK, RUN_FAILED, RUN_INTERRUPTED };

typedef struct SweepGrid {
    char *name;
    char **vals; int nvals;   /* canonical texts, as given to --set (numbers: exact shortest form) */
    int is_num;               /* the param's default is a number: values are numbers */
} SweepGrid;

typedef struct SweepRun {
    int *at;                  /* index into each grid's values */
    char *folder;             /* "runs/depth=2,seed=1" */
    char **sets;  int nsets;  /* the --set strings of the run: the sweep's, then the grid's */
    int status;               /* RUN_* */
    int skipped;              /* done by an earlier sweep (resume) */
    char *error;              /* first error line of a failed run */
    json_t *manifest;         /* the run's manifest once finished (NULL if it wrote none) */
    pid_t pid;
    double started;
} SweepRun;

typedef struct Sweep {
    const char *exe;          /* this binary, for the workers */
    const char *script;       /* as given */
    char *text; char sha[65]; char name[256];
    SweepGrid *grid; int ngrid;
    const char **sets; int nsets;
    const char **over; int nover;
    int jobs, threads, force, quiet, tty;
    const char *out;
    SweepRun *runs; int nruns;
    int ndone, nfailed, nrunning;
    double t0;
} Sweep;

/* `rdn sweep ...` (argv[0] is "sweep"): the exit status. */
int sweep_main(int argc, char **argv, const char *exe);
/* `rdn verify DIR/sweep.run.json [--sample K]`: reruns every run (or K chosen evenly over the
 * grid) with `rdn verify` and checks sweep.csv and summary.csv. */
int sweep_verify(const char *path, const char *exe, int sample, int quiet);
/* 1 if path holds a sweep's manifest (rather than a run's). */
int sweep_is_manifest(const char *path);

/* 1 when a result named `result` would share a column name in sweep.csv or summary.csv with
 * one of the grid params `grid` (space-separated names) or a column the sweep writes itself
 * (status, error); why (n bytes) then says which. report() refuses such a name in a sweep run
 * (RDN_SWEEP_GRID holds the grid's names) and the sweep fails a run that still reports one. */
int sweep_column_clash(const char *result, const char *grid, char *why, size_t n);

/* ---- for the schedulers ---- */
/* Prepares r's folder (emptied) and starts its worker process; 0 ok. */
int  sweep_start(Sweep *S, SweepRun *r);
/* Blocks until r's worker ends; returns its wait status. */
int  sweep_wait(SweepRun *r);
/* The first error line of r's log.txt (malloc'd) or NULL; the text of its manifest or NULL. */
char *sweep_error_line(Sweep *S, SweepRun *r);
char *sweep_manifest_text(Sweep *S, SweepRun *r);
/* Records a finished run from its wait status, error line and manifest text (either may be
 * NULL); prints its progress line. */
void sweep_take(Sweep *S, SweepRun *r, int wstatus, const char *error, const char *manifest);
/* Monotonic seconds (progress and ETA only: nothing written depends on time). */
double sweep_now(void);
/* Set by SIGINT during a sweep. */
extern volatile int sweep_stop;

/* Provided by interp/mpi/sweep_mpi.c in rdn-mpi (weak: absent from plain rdn).
 * sweep_mpi_size(): the number of ranks when started under MPI, else 0 (plain local sweep).
 * sweep_mpi_rank(): this process's rank. sweep_mpi_schedule(): runs every pending run over the
 * ranks (rank 0 hands them out and records the results it receives; others work); 0 ok.
 * sweep_mpi_finish(): the last MPI call of every rank. */
int sweep_mpi_size(int *argc, char ***argv) __attribute__((weak));
int sweep_mpi_rank(void) __attribute__((weak));
int sweep_mpi_schedule(Sweep *S) __attribute__((weak));
int sweep_mpi_agree(int ok) __attribute__((weak));
void sweep_mpi_finish(void) __attribute__((weak));

#endif
