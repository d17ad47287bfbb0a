/* fuzz_csv.c: the CSV loader on arbitrary bytes; the first byte picks the options (label column
 * by index or by name, header given or detected). Must refuse cleanly, never crash. */
#include <stddef.h>
#include <stdint.h>
#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    RdnCsvOpts o = {NULL, -1, -1};
    switch (data[0] % 6) {
    case 1: o.label_index = 0; break;
    case 2: o.header = 1; break;
    case 3: o.header = 0; break;
    case 4: o.label_name = "label"; break;
    case 5: o.label_index = 2; o.header = 0; break;
    }
    RdnErr err;
    Dataset *d = rdn_data_parse_csv((const char *)data + 1, size - 1, "fuzz.csv", &o, &err);
    rdn_dataset_free(d);
    return 0;
}
