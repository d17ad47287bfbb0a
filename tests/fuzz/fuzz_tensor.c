/* fuzz_tensor.c: libFuzzer harness for the tensor builtins, operators, indexing and printing
 * (interp/bi_tensor.c, bi_math.c, bi_ops.c, bi_print.c, bi_table.c, runtime/tensor*.c) driven
 * through the evaluator. fuzz_parse runs with the core builtins only; this one also lets the
 * tensor builtins (BI_TENSOR, BI_MATH, BI_TABLE) run. An input that names any other builtin
 * (file writes, training, data loaders) or imports anything is skipped: every identifier in the
 * raw bytes is checked, strings and comments included, so no builtin can be reached without being
 * named. Tensors are capped at 4096 elements here so that a loop of products within the step
 * limit stays fast. Any crash, sanitizer report, leak or hang is a finding. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core.h"
#include "tensor.h"

static char outdir[] = "/tmp/rdn_fuzz_tensor.XXXXXX";
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (!mkdtemp(outdir)) abort();
    devnull = fopen("/dev/null", "w");
    if (!devnull || !freopen("/dev/null", "w", stdout)) abort();
    rdn_tensor_fuzz_max_elems = 4096;
    return 0;
}

static int in_table(const Builtin *b, const Builtin *table)
{
    for (const Builtin *r = table; r->name; r++)
        if (r == b) return 1;
    return 0;
}

/* 1 if every identifier is either no builtin or a core/tensor one, and nothing is imported. */
static int allowed(const uint8_t *data, size_t size)
{
    char word[64];
    for (size_t i = 0; i < size;) {
        if (!(isalpha(data[i]) || data[i] == '_')) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < size && (isalnum(data[j]) || data[j] == '_')) j++;
        size_t n = j - i;
        if (n < sizeof word) {
            memcpy(word, data + i, n);
            word[n] = 0;
            if (!strcmp(word, "import")) return 0;
            const Builtin *b = builtin_find(word);
            if (b && !in_table(b, BI_CORE) && !in_table(b, BI_TENSOR) && !in_table(b, BI_MATH) &&
                !in_table(b, BI_TABLE))
                return 0;
        }
        i = j;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 16) || !allowed(data, size)) return 0;
    Interp I = {0};
    if (core_init(&I)) abort();
    Core *C = core_of(&I);
    C->errf = devnull;
    I.threads = 1;
    RdnErr err;
    if (rdn_out_init(&I.out, outdir, &err) != RDN_OK) abort();
    Source *run = source_new(&I, "<fuzz>", (const char *)data, size);
    Value last = VNIL;
    core_run(&I, run, NULL, &last);
    char *s = val_repr(last);
    free(s);
    val_decref(last);
    rdn_out_free(&I.out);
    core_free(&I);
    rdn_interrupt = 0;
    return 0;
}
