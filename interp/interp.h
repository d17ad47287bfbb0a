/* interp.h: the interpreter state, passed explicitly to everything (never global).
 * Fields below `core` are the evaluator's own; bindings use the public ones above it. */
#ifndef RDN_INTERP_H
#define RDN_INTERP_H
#include <stdint.h>
#include <stdio.h>
#include "builtin.h"
#include "outfile.h"
#include "rng.h"
#include "value.h"

typedef struct Param { char *name; Value value; } Param;

struct Interp {
    /* randomness: seed(n) sets seed and reseeds rng; every draw comes from rng */
    RdnRng rng;
    uint64_t seed;
    /* output: the write sandbox and the record of files read and written (for the manifest) */
    RdnOut out;
    int threads;            /* --threads (resolved: >= 1) */
    int quiet;              /* --quiet */
    int progress_tty;       /* stderr is a terminal */
    int in_repl;
    /* where output goes, for the Jupyter kernel (interp/kernel.c); NULL: the terminal.
     * out_print: print and help (stdout); out_progress: fit's progress (stderr);
     * display: shows an image inline (plot without to: shows it instead of the text plot, a plot
     * with to: writes its file and also shows it); mime "image/svg+xml" or "image/png". */
    FILE *out_print, *out_progress;
    void (*display)(Interp *I, const char *mime, const char *data, size_t len);
    /* the run, for manifests */
    const char *script_path;    /* NULL for -e / stdin / REPL */
    const char *script_name;    /* base name without .rdn ("quickstart"), or "rdn" */
    const char *script_text;
    Param *params; int nparams; /* every `param`, in declaration order, with its final value */
    char **argv_sets; int nsets;/* the --set NAME=VALUE strings given */
    Param *results; int nresults;/* report(NAME: value): numbers, strings, booleans; last wins */
    int run_status;             /* the run's exit status so far (0, 1 error, 130 interrupted) */
    void *core;                 /* evaluator-private state */
};

static inline FILE *interp_stdout(Interp *I) { return I->out_print ? I->out_print : stdout; }
static inline FILE *interp_stderr(Interp *I) { return I->out_progress ? I->out_progress : stderr; }

/* A fresh 64-bit seed drawn from the interpreter's generator (for net init, shuffling, noise). */
uint64_t interp_draw_seed(Interp *I);

/* Writes NAME.run.json in the output folder if the run wrote any file (interp/manifest.c).
 * Called by main after a script or -e program finishes successfully. */
int manifest_finish(Interp *I);
/* `rdn verify NAME.run.json`: returns the exit status (interp/manifest.c). */
int manifest_verify(const char *manifest_path, const char *rdn_exe, int quiet);

#endif
