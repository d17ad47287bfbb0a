/* rdn_err.h: the runtime's error record and interrupt flag.
 * Runtime functions never exit or print errors: they return a status (0 ok, -1 error, or NULL)
 * and fill an RdnErr that the interpreter turns into a located message. */
#ifndef RDN_ERR_H
#define RDN_ERR_H
#include <signal.h>
#include <stddef.h>

enum { RDN_OK = 0, RDN_ERROR = -1, RDN_INTERRUPTED = -2 };

typedef struct RdnErr {
    int code;        /* RDN_ERROR or RDN_INTERRUPTED */
    char msg[1024];  /* "what was expected, what was found"; no FILE:LINE prefix */
} RdnErr;

/* Formats into err->msg (err may be NULL) and returns RDN_ERROR, so: return rdn_err(err, ...); */
int rdn_err(RdnErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, code RDN_INTERRUPTED. */
int rdn_err_interrupted(RdnErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set by the SIGINT handler (interp/), polled by long runtime loops at safe points
 * (batch boundaries, chunk boundaries). The one piece of global state: signals need it. */
extern volatile sig_atomic_t rdn_interrupt;

/* Allocation guard: refuses absurd sizes (overflow, or more than RDN_MAX_ALLOC bytes) with a
 * message naming what was being allocated; returns NULL and fills err. Memory is zeroed. */
#define RDN_MAX_ALLOC ((size_t)16 << 30)
void *rdn_calloc(size_t count, size_t size, const char *what, RdnErr *err);
/* 64-byte aligned, zeroed; free with free(). */
void *rdn_alloc_aligned(size_t count, size_t size, const char *what, RdnErr *err);

/* Opening a file to read (runtime/err.c), for every reader: the open never blocks (O_NONBLOCK,
 * cleared again after fstat), and anything but a regular file (a FIFO, a device such as
 * /dev/zero, a folder, a socket) is refused with "PATH: is a FIFO, not a regular file" and the
 * like. Returns the descriptor (or FILE*), or -1 (NULL) with err filled. */
#include <stdio.h>
int   rdn_open_regular(const char *path, RdnErr *err);
FILE *rdn_fopen_regular(const char *path, RdnErr *err);
/* Why st_mode is not a regular file ("a FIFO", "a device", "a folder", ...), or NULL if it is. */
const char *rdn_not_regular(unsigned mode);

#endif
