/* proc.h: running a child process to completion (fork, exec, wait), the one place rdn does so:
 * `rdn verify` reruns a script, `plot` runs gnuplot. */
#ifndef RDN_PROC_H
#define RDN_PROC_H
#include <stddef.h>

typedef struct ProcSpec {
    const char *path;           /* the executable */
    char *const *argv;          /* NULL-terminated; argv[0] is the name the child sees */
    const void *input;          /* when non-NULL: input_len bytes piped to the child's stdin */
    size_t input_len;
    int out_fd, err_fd;         /* the child's stdout / stderr: these descriptors, or -1 to inherit */
    int ignore_sigint;          /* this process ignores Ctrl-C while the child runs (the child
                                 * keeps the default, so Ctrl-C stops it and the caller sees it) */
} ProcSpec;

/* Runs the child; without input its stdin is /dev/null. The child may stop reading its input
 * early (SIGPIPE is ignored while writing; its status says why). Returns 0 with *status the
 * waitpid status, or -1 with errno set when the child could not be started. An exec failure is
 * the child's exit status 127, with "cannot run PATH: REASON" on its stderr. */
int proc_run(const ProcSpec *p, int *status);

/* How a watched child ended (proc_run_watched). */
enum { PROC_ENDED = 0, PROC_TIMED_OUT, PROC_STOPPED };

/* proc_run for a long child (`rdn verify`'s rerun), in its own process group and killed with
 * this process (PR_SET_PDEATHSIG): SIGINT, SIGTERM or SIGHUP sent to this process is passed to
 * the child (*how = PROC_STOPPED, *sig = the signal); after timeout_s seconds (0: no limit) the
 * child gets SIGTERM (*how = PROC_TIMED_OUT). A child that outlives a 5-second grace after
 * either gets SIGKILL. Returns when the child is reaped; p->input and p->ignore_sigint are not
 * used. */
int proc_run_watched(const ProcSpec *p, double timeout_s, int *status, int *how, int *sig);

#endif
