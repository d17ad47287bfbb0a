/* proc.c: fork, exec and wait for a child process (proc.h). */
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
