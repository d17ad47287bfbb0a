/* fuzz_npy.c: the .npy reader on arbitrary bytes, from memory and through the file reader (a
 * memfd). Must refuse cleanly, never crash or allocate more than the input holds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RdnErr err;
    rdn_tensor_free(rdn_npy_parse(data, size, "fuzz.npy", &err));
    int fd = memfd_create("fuzz_npy", 0);
    if (fd < 0) return 0;
    if (size == 0 || write(fd, data, size) == (ssize_t)size) {
        char p[64];
        snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
        rdn_tensor_free(rdn_npy_load(p, NULL, &err));
    }
    close(fd);
    return 0;
}
