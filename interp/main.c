/* main.c: the command line (rdn FILE [--set ...], -e, check, verify, the REPL, stdin programs,
 * --threads/--out/--quiet anywhere, --version/--help/--reference). Only main() lives here: every
 * other piece is reusable (the fuzz harnesses link everything but this file).
 * The interpreter runs on a thread with a large stack, so deep but legitimate recursion works and
 * the evaluator's depth limits, not the C stack, decide where hostile input stops. */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "builtin.h"
#include "core.h"
#include "isa.h"
#include "kernel.h"
#include "manifest.h"
#include "sweep.h"
#include "tensor.h"
#include "version.h"

int repl_run(Interp *I);

/* Ctrl-C and SIGTERM set the flag the evaluator and the runtime poll, and wake the REPL's
 * select (a signal may land on any thread, a BLAS worker's too, so the flag alone would not).
 * In the REPL Ctrl-C never exits: at the prompt it clears the line, during a computation it stops
 * it at its next check, however often it is pressed (Ctrl-\ is the way out that loses the
 * session). In a script a second signal before the first was noticed ends the process at once,
 * after removing the temporary files being written (the final names are never half-written). */
static volatile sig_atomic_t last_signal, repl_mode;

static void say(const char *msg, size_t n)
{
    ssize_t w = write(2, msg, n);
    (void)w;
}

static void on_signal(int sig)
{
    int again = rdn_interrupt != 0;
    rdn_interrupt = 1;
    last_signal = sig;
    repl_wake(sig);
    if (!again) return;
    if (repl_mode) {
        if (sig == SIGINT) {
            static const char msg[] = "\nrdn: stopping at the next check (Ctrl-\\ quits and loses the session)\n";
            say(msg, sizeof msg - 1);
        }
        return;
    }
    static const char msg[] = "\nrdn: interrupted again: exiting\n";
    say(msg, sizeof msg - 1);
    rdn_out_unlink_temporaries();
    _exit(sig == SIGTERM ? 143 : 130);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rdn FILE.rdn [--set NAME=VALUE ...]   run a script (--set overrides a param)\n"
            "       rdn -e 'CODE'                         run the code given\n"
            "       rdn                                   the REPL (or a program on standard input)\n"
            "       rdn check FILE.rdn                    report every syntax and name error; run nothing\n"
            "       rdn verify NAME.run.json [--timeout S]  rerun a recorded run and compare its outputs\n"
            "                                             (a rerun longer than S seconds, default 86400, fails)\n"
            "       rdn sweep FILE.rdn --grid NAME=V1,V2  a study: every point of the grids (rdn sweep --help)\n"
            "       rdn verify DIR/sweep.run.json [--sample K]  rerun a sweep's runs (or K of them)\n"
            "       rdn kernel CONNECTION_FILE | --install [--user | --prefix DIR] | --export NB.ipynb\n"
            "                                             the Jupyter kernel (docs/notebook.md)\n"
            "       rdn --version | --help | --reference\n"
            "options (before or after FILE):\n"
            "  --threads N   worker threads (default: all cores); changes speed, never results\n"
            "  --compute M   det (default: rdn's kernels, the same bits on every machine) or\n"
            "                openblas (faster on some machines; bits depend on the CPU and threads)\n"
            "  --out DIR     where relative output paths land (default: the current folder)\n"
            "  --quiet       no progress output\n"
            "environment: RDN_ISA=avx512|avx2|generic forces a kernel path (same results, other speed)\n"
            "exit status: 0 success, 1 runtime error, 2 syntax error or wrong usage, 130 interrupted\n");
}

typedef struct Opts {
    const char *mode;        /* "run", "e", "check", "verify", "repl" */
    const char *file, *code, *out;
    int threads, quiet, version, sample, has_timeout;
    double timeout;          /* verify: the longest a rerun may take (seconds) */
    const char **sets; int nsets;
} Opts;

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "rdn: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(rdn --help shows the usage)\n");
    return ERR_USAGE;
}

/* 0 ok, -1 done (exit 0), else an exit status */
static int parse_args(int argc, char **argv, Opts *o)
{
    o->mode = NULL;
    o->sets = calloc((size_t)argc + 1, sizeof *o->sets);
    if (!o->sets) {
        fprintf(stderr, "rdn: error: out of memory reading the command line\n");
        return ERR_RUNTIME;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return -1; }
        if (strcmp(a, "--version") == 0) { o->version = 1; continue; }
        if (strcmp(a, "--reference") == 0) { reference_print(stdout); return -1; }
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) { o->quiet = 1; continue; }
        if (strcmp(a, "--set") == 0 || strncmp(a, "--set=", 6) == 0) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) return bad_usage("%s needs NAME=VALUE", "--set");
            o->sets[o->nsets++] = v;
            continue;
        }
        if (strcmp(a, "--threads") == 0 || strncmp(a, "--threads=", 10) == 0) {
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || n < 1 || n > 1024)
                return bad_usage("--threads expects a whole number from 1 to 1024, found '%s'", v ? v : "");
            o->threads = (int)n;
            continue;
        }
        if (strcmp(a, "--compute") == 0 || strncmp(a, "--compute=", 10) == 0) {
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            int m = v ? rdn_compute_parse(v) : -1;
            if (m < 0) return bad_usage("--compute expects det or openblas, found '%s'", v ? v : "");
            rdn_compute_set((RdnCompute)m);
            continue;
        }
        if (strcmp(a, "--out") == 0 || strncmp(a, "--out=", 6) == 0) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !*v) return bad_usage("%s needs a folder", "--out");
            o->out = v;
            continue;
        }
        if (strcmp(a, "--sample") == 0 || strncmp(a, "--sample=", 9) == 0) {   /* verify of a sweep */
            const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || n < 1 || n > 100000000)
                return bad_usage("--sample expects a whole number >= 1, found '%s'", v ? v : "");
            o->sample = (int)n;
            continue;
        }
        if (strcmp(a, "--timeout") == 0 || strncmp(a, "--timeout=", 10) == 0) {   /* verify */
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            double t = v ? strtod(v, &end) : -1;
            if (!v || !*v || *end || !(t >= 0) || t > 1e9)
                return bad_usage("--timeout expects seconds (0: no limit), found '%s'", v ? v : "");
            o->timeout = t;
            o->has_timeout = 1;
            continue;
        }
        if (strcmp(a, "-e") == 0) {
            if (i + 1 >= argc) return bad_usage("%s needs the code to run", "-e");
            if (o->mode) return bad_usage("-e cannot be combined with '%s'", o->file ? o->file : o->mode);
            o->mode = "e";
            o->code = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1]) return bad_usage("unknown option '%s'", a);
        if (!o->mode && (strcmp(a, "check") == 0 || strcmp(a, "verify") == 0)) {
            o->mode = a;
            continue;
        }
        if (o->file) return bad_usage("unexpected argument '%s' (one script at a time)", a);
        if (o->mode && strcmp(o->mode, "e") == 0) return bad_usage("unexpected argument '%s' after -e", a);
        if (!o->mode) o->mode = "run";
        o->file = a;
    }
    if (o->version) {
        /* after the loop, so that --compute anywhere on the line is reflected */
        printf("rdn %s (%s, %s)\n", RDN_VERSION,
               rdn_compute() == RDN_COMPUTE_DET ? "deterministic" : "openblas", rdn_isa_name(rdn_isa()));
        return -1;
    }
    if (!o->mode) o->mode = "repl";
    if ((strcmp(o->mode, "check") == 0 || strcmp(o->mode, "verify") == 0) && !o->file)
        return bad_usage("'%s' needs a file", o->mode);
    return 0;
}

enum { MAX_STDIN_BYTES = 1 << 30 };    /* as for a script file */

/* A program on standard input, up to MAX_STDIN_BYTES (/dev/zero ends there, not in the OOM
 * killer); NULL with the reason printed. */
static char *read_stdin(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    for (;;) {
        if (!b) {
            fprintf(stderr, "<stdin>: error: out of memory: the program needs %zu bytes\n", cap);
            return NULL;
        }
        if (n == cap) {
            if (cap >= MAX_STDIN_BYTES) {
                fprintf(stderr, "<stdin>: error: the program is larger than %d MiB\n", MAX_STDIN_BYTES >> 20);
                free(b);
                return NULL;
            }
            char *nb = realloc(b, 2 * cap);
            if (!nb) free(b);
            b = nb;
            cap *= 2;
            continue;
        }
        if (rdn_interrupt) {
            free(b);
            return NULL;
        }
        size_t k = fread(b + n, 1, cap - n, stdin);
        if (k == 0) break;
        n += k;
    }
    *len = n;
    return b;
}

static const char *script_name_of(const char *path, char *buf, size_t n)
{
    const char *b = strrchr(path, '/');
    snprintf(buf, n, "%s", b ? b + 1 : path);
    size_t l = strlen(buf);
    if (l > 4 && strcmp(buf + l - 4, ".rdn") == 0) buf[l - 4] = 0;
    return buf;
}

static int run(Interp *I, Source *src)
{
    I->script_text = src->text;
    int r = core_check_sets(I, src);
    if (r) return r;
    r = core_run(I, src, NULL, NULL);
    /* files written before an error or an interruption get their manifest too */
    I->run_status = r;
    if (manifest_finish(I) != 0 && r == 0) r = ERR_RUNTIME;
    return r;
}

typedef struct Job { int argc; char **argv; int status; } Job;

static int small_stack;      /* the big-stack thread could not be made: tighter depth limits */

static void self_exe(char *exe, size_t size, const char *argv0)
{
    ssize_t n = readlink("/proc/self/exe", exe, size - 1);
    if (n <= 0) snprintf(exe, size, "%s", argv0);
    else exe[n] = 0;
}

static int real_main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "sweep") == 0) {      /* interp/sweep.c */
        char exe[PATH_MAX];
        self_exe(exe, sizeof exe, argv[0]);
        return sweep_main(argc - 1, argv + 1, exe);
    }
    if (argc >= 2 && strcmp(argv[1], "kernel") == 0) return kernel_main(argc - 1, argv + 1, small_stack);
    Opts o = {0};
    /* RDN_ISA forces a kernel path: a path this CPU lacks is a usage error, before anything runs */
    const char *isa = getenv("RDN_ISA");
    if (isa && *isa) {
        RdnErr e = {0};
        if (rdn_isa_force(isa, &e) != RDN_OK) {
            fprintf(stderr, "rdn: error: RDN_ISA=%s: %s\n", isa, e.msg);
            return ERR_USAGE;
        }
    }
    int r = parse_args(argc, argv, &o);
    if (r) {
        free(o.sets);
        return r < 0 ? 0 : r;
    }
    if (strcmp(o.mode, "verify") == 0) {
        char exe[PATH_MAX];
        self_exe(exe, sizeof exe, argv[0]);
        free(o.sets);
        if (o.has_timeout) manifest_set_timeout(o.timeout);
        if (sweep_is_manifest(o.file)) return sweep_verify(o.file, exe, o.sample, o.quiet);
        return manifest_verify(o.file, exe, o.quiet);
    }

    Interp I = {0};
    if (core_init(&I)) return ERR_RUNTIME;
    if (small_stack) {
        core_of(&I)->max_depth = 3000;
        core_of(&I)->max_calls = 300;
    }
    I.quiet = o.quiet;
    I.progress_tty = isatty(2);
    I.argv_sets = (char **)o.sets;
    I.nsets = o.nsets;
    rdn_blas_set_threads(o.threads);
    I.threads = o.threads > 0 ? o.threads : rdn_blas_threads();
    if (I.threads < 1) I.threads = 1;
    RdnErr err = {0};
    if (rdn_out_init(&I.out, o.out ? o.out : ".", &err) != RDN_OK) {
        fprintf(stderr, "rdn: error: --out %s: %s\n", o.out ? o.out : ".", err.msg);
        core_free(&I);
        free(o.sets);
        return ERR_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    r = core_set_overrides(&I);
    char name[256];
    if (r) {
        /* malformed --set: reported */
    } else if (strcmp(o.mode, "run") == 0 || strcmp(o.mode, "check") == 0) {
        Source *src = source_load(&I, o.file);
        if (!src) r = ERR_USAGE;
        else if (strcmp(o.mode, "check") == 0) {
            r = check_source(&I, src, stderr) ? ERR_USAGE : 0;
            if (r == 0 && !o.quiet) printf("%s: no errors found\n", o.file);
        } else {
            I.script_path = o.file;
            I.script_name = script_name_of(o.file, name, sizeof name);
            if (rdn_out_protect(&I.out, o.file, &err) != RDN_OK) {
                fprintf(stderr, "rdn: error: %s\n", err.msg);
                r = ERR_RUNTIME;
            } else {
                r = run(&I, src);
            }
        }
    } else if (strcmp(o.mode, "e") == 0) {
        Source *src = source_new(&I, "<-e>", o.code, strlen(o.code));
        if (!src) {
            mem_clear();
            fprintf(stderr, "<-e>: error: out of memory: the program needs %zu bytes\n", strlen(o.code));
            r = ERR_RUNTIME;
        } else {
            r = run(&I, src);
        }
    } else if (!isatty(0)) {
        size_t len;
        char *text = read_stdin(&len);
        Source *src = text ? source_new(&I, "<stdin>", text, len) : NULL;
        if (text && !src) {
            mem_clear();
            fprintf(stderr, "<stdin>: error: out of memory: the program needs %zu bytes\n", len);
        }
        free(text);
        r = src ? run(&I, src) : rdn_interrupt ? ERR_INTERRUPT : ERR_RUNTIME;
    } else {
        if (I.nsets) {
            fprintf(stderr, "rdn: error: --set applies to a script's params, not to the REPL\n");
            r = ERR_USAGE;
        } else {
            repl_mode = 1;
            r = repl_run(&I);
            repl_mode = 0;
        }
    }
    fflush(stdout);
    rdn_out_free(&I.out);
    core_free(&I);
    free(o.sets);
    if (r == ERR_INTERRUPT && last_signal == SIGTERM) r = 128 + SIGTERM;
    return r;
}

static void *job_main(void *p)
{
    Job *j = p;
    j->status = real_main(j->argc, j->argv);
    return NULL;
}

int main(int argc, char **argv)
{
    Job j = {argc, argv, 0};
    pthread_attr_t at;
    pthread_t th;
    if (pthread_attr_init(&at) == 0 && pthread_attr_setstacksize(&at, RDN_STACK_BYTES) == 0 &&
        pthread_create(&th, &at, job_main, &j) == 0) {
        /* Ctrl-C must reach the interpreter's thread (it interrupts the REPL's select) */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        pthread_join(th, NULL);
    } else {
        small_stack = 1;                      /* the main thread's stack: smaller limits */
        j.status = real_main(argc, argv);
    }
    fflush(stdout);
    return j.status;
}
