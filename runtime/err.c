/* err.c: error records, the interrupt flag and guarded allocation. */
#include "rdn_err.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t rdn_interrupt = 0;

static int vset(RdnErr *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

int rdn_err(RdnErr *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vset(err, RDN_ERROR, fmt, ap);
    va_end(ap);
    return r;
}

int rdn_err_interrupted(RdnErr *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vset(err, RDN_INTERRUPTED, fmt, ap);
    va_end(ap);
    return r;
}

static int size_ok(size_t count, size_t size, const char *what, RdnErr *err)
{
    if (size && count > RDN_MAX_ALLOC / size) {
        rdn_err(err, "%s: %zu x %zu bytes is too large (limit %zu GiB)", what, count, size,
                (size_t)(RDN_MAX_ALLOC >> 30));
        return 0;
    }
    return 1;
}

void *rdn_calloc(size_t count, size_t size, const char *what, RdnErr *err)
{
    if (!size_ok(count, size, what, err)) return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) rdn_err(err, "%s: out of memory allocating %zu bytes", what, count * size);
    return p;
}

void *rdn_alloc_aligned(size_t count, size_t size, const char *what, RdnErr *err)
{
    if (!size_ok(count, size, what, err)) return NULL;
    size_t bytes = count * size;
    bytes = (bytes + 63) / 64 * 64;
    if (!bytes) bytes = 64;
    void *p = aligned_alloc(64, bytes);
    if (!p) {
        rdn_err(err, "%s: out of memory allocating %zu bytes", what, bytes);
        return NULL;
    }
    memset(p, 0, bytes);
    return p;
}

const char *rdn_not_regular(unsigned mode)
{
    if (S_ISREG(mode)) return NULL;
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

int rdn_open_regular(const char *path, RdnErr *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return rdn_err(err, "cannot open %s: %s", path, strerror(errno)), -1;
    struct stat st;
    const char *why = fstat(fd, &st) != 0 ? "not readable" : rdn_not_regular(st.st_mode);
    if (why) {
        close(fd);
        return rdn_err(err, "cannot read %s: it is %s, not a regular file", path, why), -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

FILE *rdn_fopen_regular(const char *path, RdnErr *err)
{
    int fd = rdn_open_regular(path, err);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        rdn_err(err, "cannot open %s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}
