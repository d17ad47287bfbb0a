/* fuzz_repl.c: libFuzzer harness for the REPL's line handling without the terminal
 * (repl_accept, repl_take, repl_starts_with_else, as repl_run drives them): the input is split
 * into lines, each given in turn; every complete statement is run in one session (globals kept
 * between statements) with a step limit (RDN_FUZZ) and only the core builtins. Any crash,
 * sanitizer report, leak or hang is a finding, and so is a statement buffer left in an
 * inconsistent state (a REPL_READY without a Source, a REPL_FAILED that keeps text). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1"; }

static char outdir[] = "/tmp/rdn_fuzz_repl.XXXXXX";
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (!mkdtemp(outdir)) abort();
    devnull = fopen("/dev/null", "w");
    if (!devnull || !freopen("/dev/null", "w", stdout)) abort();
    return 0;
}

static void run(Interp *I, Source *src)
{
    Value last = VNIL;
    rdn_interrupt = 0;
    core_run(I, src, core_of(I)->globals, &last);
    char *s = val_repr(last);
    free(s);
    mem_clear();
    val_decref(last);
}

/* One result of repl_accept or repl_take: run what is ready; check the buffer's state. */
static void handle(Interp *I, ReplInput *in, int r, Source *src, char *text)
{
    if (r == REPL_READY && !src) abort();
    if (r != REPL_READY && src) abort();
    if (r == REPL_FAILED && (in->buf || in->len)) abort();
    if (src) run(I, src);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 16)) return 0;
    Interp I = {0};
    if (core_init(&I)) abort();
    Core *C = core_of(&I);
    C->core_only = 1;
    C->errf = devnull;
    I.threads = 1;
    I.in_repl = 1;
    RdnErr err;
    if (rdn_out_init(&I.out, outdir, &err) != RDN_OK) abort();
    ReplInput in = {0};
    const char *p = (const char *)data, *end = p + size;
    int pending_if = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = strndup(p, ll);   /* readline's lines end at the first NUL */
        if (!line) abort();
        p += ll + (nl != NULL);
        Source *src = NULL;
        char *text = NULL;
        if (pending_if && !repl_starts_with_else(line)) {
            int r = repl_take(&I, &in, &src, &text);
            handle(&I, &in, r, src, text);
        }
        int r = repl_accept(&I, &in, line, strlen(line), &src, &text);
        free(line);
        pending_if = r == REPL_IF;
        if (r != REPL_IF) handle(&I, &in, r, src, text);
    }
    Source *src = NULL;
    char *text = NULL;
    if (pending_if) handle(&I, &in, repl_take(&I, &in, &src, &text), src, text);
    repl_input_reset(&in);
    rdn_out_free(&I.out);
    core_free(&I);
    rdn_interrupt = 0;
    return 0;
}
