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
#include "core.h"
#include "kernel.h"
#include "tensor.h"
#include "version.h"

int repl_run(Interp *I);
int reference_print(FILE *f);

/* Ctrl-C sets the flag the evaluator and the runtime poll; a second Ctrl-C before the first was
 * noticed (a computation that does not poll) ends the process: files being written are temporary
 * ones, never the final names. */
static void on_sigint(int sig)
{
    (void)sig;
    if (rdn_interrupt) {
        static const char msg[] = "\nrdn: interrupted again: exiting\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(130);
    }
    rdn_interrupt = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rdn FILE.rdn [--set NAME=VALUE ...]   run a script (--set overrides a param)\n"
            "       rdn -e 'CODE'                         run the code given\n"
            "       rdn                                   the REPL (or a program on standard input)\n"
            "       rdn check FILE.rdn                    report every syntax and name error; run nothing\n"
            "       rdn verify NAME.run.json              rerun a recorded run and compare its outputs\n"
            "       rdn kernel CONNECTION_FILE | --install [--user | --prefix DIR] | --export NB.ipynb\n"
            "                                             the Jupyter kernel (docs/notebook.md)\n"
            "       rdn --version | --help | --reference\n"
            "options (before or after FILE):\n"
            "  --threads N   BLAS and worker threads (default: all cores)\n"
            "  --out DIR     where relative output paths land (default: the current folder)\n"
            "  --quiet       no progress output\n"
            "exit status: 0 success, 1 runtime error, 2 syntax error or wrong usage, 130 interrupted\n");
}

typedef struct Opts {
    const char *mode;        /* "run", "e", "check", "verify", "repl" */
    const char *file, *code, *out;
    int threads, quiet;
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
    if (!o->sets) abort();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(stdout); return -1; }
        if (strcmp(a, "--version") == 0) { printf("rdn %s\n", RDN_VERSION); return -1; }
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
        if (strcmp(a, "--out") == 0 || strncmp(a, "--out=", 6) == 0) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !*v) return bad_usage("%s needs a folder", "--out");
            o->out = v;
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
    if (!o->mode) o->mode = "repl";
    if ((strcmp(o->mode, "check") == 0 || strcmp(o->mode, "verify") == 0) && !o->file)
        return bad_usage("'%s' needs a file", o->mode);
    return 0;
}

static char *read_stdin(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b) abort();
    for (;;) {
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap);
            if (!b) abort();
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

static int real_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "kernel") == 0) return kernel_main(argc - 1, argv + 1, small_stack);
    Opts o = {0};
    int r = parse_args(argc, argv, &o);
    if (r) {
        free(o.sets);
        return r < 0 ? 0 : r;
    }
    if (strcmp(o.mode, "verify") == 0) {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) snprintf(exe, sizeof exe, "%s", argv[0]);
        else exe[n] = 0;
        free(o.sets);
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
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

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
            r = run(&I, src);
        }
    } else if (strcmp(o.mode, "e") == 0) {
        r = run(&I, source_new(&I, "<-e>", o.code, strlen(o.code)));
    } else if (!isatty(0)) {
        size_t len;
        char *text = read_stdin(&len);
        Source *src = source_new(&I, "<stdin>", text, len);
        free(text);
        r = run(&I, src);
    } else {
        if (I.nsets) {
            fprintf(stderr, "rdn: error: --set applies to a script's params, not to the REPL\n");
            r = ERR_USAGE;
        } else {
            r = repl_run(&I);
        }
    }
    fflush(stdout);
    rdn_out_free(&I.out);
    core_free(&I);
    free(o.sets);
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
