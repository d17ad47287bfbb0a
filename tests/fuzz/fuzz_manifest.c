/* fuzz_manifest.c: libFuzzer harness for the manifest reader of `rdn verify` (jansson parse and
 * the field checks of interp/manifest.c). Any crash, sanitizer report or leak is a finding,
 * and so is a verdict without a reason. */
#include <stdint.h>
#include <stdlib.h>
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20)) return 0;
    const char *why = NULL;
    int rc = manifest_check_text((const char *)data, size, &why);
    if (rc != 0 && (!why || !*why)) abort();
    if (rc == 0 && why) abort();
    return 0;
}
