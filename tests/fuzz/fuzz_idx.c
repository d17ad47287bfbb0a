/* fuzz_idx.c: the IDX loader on arbitrary bytes, as a plain file and gzip-compressed (the file
 * goes through a memfd so the real path-based reader runs). Must refuse cleanly, never crash or
 * allocate much more than the input can hold. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include "data.h"

static int memfile(const void *b, size_t n, char path[64])
{
    int fd = memfd_create("fuzz_idx", 0);
    if (fd < 0) return -1;
    if (n && write(fd, b, n) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

/* Gzip-compresses b (one member) into a malloc'd buffer. */
static unsigned char *gz(const uint8_t *b, size_t n, size_t *out)
{
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    size_t cap = deflateBound(&z, n) + 32;
    unsigned char *o = malloc(cap);
    z.next_in = (unsigned char *)b;
    z.avail_in = (uInt)n;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out = cap - z.avail_out;
    deflateEnd(&z);
    return o;
}

static void run(const uint8_t *b, size_t n)
{
    char p[64];
    int fd = memfile(b, n, p);
    if (fd < 0) return;
    RdnErr err;
    int ndim;
    int64_t dims[8];
    uint8_t *bytes = NULL;
    if (rdn_idx_read_bytes(p, &ndim, dims, &bytes, &err) == 0) free(bytes);
    Dataset *d = rdn_data_load_idx(p, p, NULL, &err);
    rdn_dataset_free(d);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (data[0] & 1) { /* the rest, gzip-compressed */
        size_t zn;
        unsigned char *z = gz(data + 1, size - 1, &zn);
        if (z) run(z, zn);
        free(z);
    } else {
        run(data + 1, size - 1);
    }
    return 0;
}
