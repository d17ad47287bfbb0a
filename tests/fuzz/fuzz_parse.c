/* fuzz_parse.c: libFuzzer harness for the lexer, parser, checker and evaluator. Each input is
 * checked as `rdn check` would and then run with a step limit (RDN_FUZZ), only the core
 * builtins (no file writes, no huge tensors), output to /dev/null and --out in a temporary
 * folder. Any crash, sanitizer report, leak or hang is a finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core.h"

/* Undefined behaviour is a finding too: stop at the first report instead of printing and going on. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1"; }

static char outdir[] = "/tmp/rdn_fuzz_parse.XXXXXX";
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (!mkdtemp(outdir)) abort();
    devnull = fopen("/dev/null", "w");
    if (!devnull || !freopen("/dev/null", "w", stdout)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20)) return 0;
    Interp I = {0};
    if (core_init(&I)) abort();
    Core *C = core_of(&I);
    C->core_only = 1;
    C->errf = devnull;
    I.threads = 1;
    RdnErr err;
    if (rdn_out_init(&I.out, outdir, &err) != RDN_OK) abort();
    Source *src = source_new(&I, "<fuzz>", (const char *)data, size);
    check_source(&I, src, devnull);
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
