/* proc.c: fork, exec and wait for a child process (proc.h). */
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void write_all(int fd, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, buf + off, len - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;   /* the child stopped reading: its exit status tells the caller */
        }
        off += (size_t)n;
    }
}

int proc_run(const ProcSpec *p, int *status)
{
    int pfd[2] = {-1, -1}, nfd = -1;
    if (p->input && pipe2(pfd, O_CLOEXEC) != 0) return -1;
    if (!p->input) nfd = open("/dev/null", O_RDONLY | O_CLOEXEC);   /* -1: stdin inherited */
    struct sigaction ign = {0}, old_int, old_pipe;
    ign.sa_handler = SIG_IGN;
    if (p->ignore_sigint) sigaction(SIGINT, &ign, &old_int);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        if (p->ignore_sigint) sigaction(SIGINT, &old_int, NULL);
        if (pfd[0] >= 0) { close(pfd[0]); close(pfd[1]); }
        if (nfd >= 0) close(nfd);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        if (p->ignore_sigint) signal(SIGINT, SIG_DFL);
        int in = p->input ? pfd[0] : nfd;
        if (in >= 0) dup2(in, 0);
        if (p->out_fd >= 0) dup2(p->out_fd, 1);
        if (p->err_fd >= 0) dup2(p->err_fd, 2);
        execv(p->path, p->argv);
        dprintf(2, "cannot run %s: %s\n", p->path, strerror(errno));
        _exit(127);
    }
    if (nfd >= 0) close(nfd);
    if (p->input) {
        close(pfd[0]);
        sigaction(SIGPIPE, &ign, &old_pipe);
        write_all(pfd[1], p->input, p->input_len);
        close(pfd[1]);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (p->input) sigaction(SIGPIPE, &old_pipe, NULL);
    if (p->ignore_sigint) sigaction(SIGINT, &old_int, NULL);
    *status = st;
    return 0;
}

static volatile sig_atomic_t watched_signal;

static void on_watched_signal(int sig) { watched_signal = sig; }

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int proc_run_watched(const ProcSpec *p, double timeout_s, int *status, int *how, int *sig)
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa = {0}, old[3];
    sa.sa_handler = on_watched_signal;
    sigemptyset(&sa.sa_mask);
    watched_signal = 0;
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &sa, &old[i]);
    *how = PROC_ENDED;
    *sig = 0;
    int nfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t parent = getpid();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        for (int i = 0; i < 3; i++) sigaction(sigs[i], &old[i], NULL);
        if (nfd >= 0) close(nfd);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        for (int i = 0; i < 3; i++) signal(sigs[i], SIG_DFL);
        setpgid(0, 0);                      /* the terminal's Ctrl-C reaches the parent alone */
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* no orphan when the parent is killed */
        if (getppid() != parent) _exit(128 + SIGKILL);
        if (nfd >= 0) dup2(nfd, 0);
        if (p->out_fd >= 0) dup2(p->out_fd, 1);
        if (p->err_fd >= 0) dup2(p->err_fd, 2);
        execv(p->path, p->argv);
        dprintf(2, "cannot run %s: %s\n", p->path, strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);   /* also here: no signal is forwarded to a group not yet made */
    if (nfd >= 0) close(nfd);
    double t0 = now_s(), kill_at = 0;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) break;
        int s = watched_signal;
        if (s && *how == PROC_ENDED) {
            *how = PROC_STOPPED;
            *sig = s;
            kill(-pid, s == SIGHUP ? SIGTERM : s);
            kill_at = now_s() + 5;
        } else if (timeout_s > 0 && *how == PROC_ENDED && now_s() - t0 > timeout_s) {
            *how = PROC_TIMED_OUT;
            kill(-pid, SIGTERM);
            kill_at = now_s() + 5;
        } else if (kill_at > 0 && now_s() > kill_at) {
            kill(-pid, SIGKILL);
            kill_at = 0;
        }
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    kill(-pid, SIGKILL);   /* whatever the rerun started in its group goes with it */
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &old[i], NULL);
    *status = st;
    return 0;
}
