/* fuzz_model.c: the model-file loader on arbitrary bytes (must refuse cleanly, never crash). */
#include <stddef.h>
#include <stdint.h>
#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RdnErr err;
    Net *net = rdn_net_read(data, size, &err);
    rdn_net_free(net);
    return 0;
}
