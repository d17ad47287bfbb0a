/* manifest.c: the provenance record of a run (NAME.run.json, written with jansson through the
 * atomic writer) and `rdn verify`, which reruns the recorded run in a temporary folder and
 * compares every recorded output by SHA-256. Nothing here holds clock time: two runs of one
 * script with the same threads write identical manifests. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <nettle/base64.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "interp.h"
#include "isa.h"
#include "manifest.h"
#include "outfile.h"
#include "proc.h"
#include "tensor.h"
#include "version.h"

#define MANIFEST_FORMAT 1

/* ---- text that may not be UTF-8 ----
 * JSON strings are UTF-8: bytes that are not (a latin-1 comment, a --set value, a path) are
 * recorded losslessly as {"base64": "..."} in place of the string, and read back by text_of. */

static json_t *json_text(const char *s, size_t n)
{
    if (rdn_utf8_valid(s, n)) return json_stringn(s, n);
    size_t len = BASE64_ENCODE_RAW_LENGTH(n);
    char *b = malloc(len + 1);
    if (!b) return NULL;
    base64_encode_raw(b, n, (const uint8_t *)s);
    b[len] = '\0';
    json_t *o = json_pack("{s:s}", "base64", b);
    free(b);
    return o;
}

static json_t *json_cstr(const char *s) { return json_text(s, strlen(s)); }

/* The bytes base64 text b stands for (malloc'd, NUL-terminated), or NULL when b is not base64. */
static char *b64_decode(const char *b, size_t *n)
{
    size_t len = strlen(b);
    char *out = malloc(BASE64_DECODE_LENGTH(len) + 1);
    if (!out) return NULL;
    struct base64_decode_ctx c;
    base64_decode_init(&c);
    size_t got = BASE64_DECODE_LENGTH(len);
    if (!base64_decode_update(&c, &got, (uint8_t *)out, len, b) || !base64_decode_final(&c)) {
        free(out);
        return NULL;
    }
    out[got] = '\0';
    if (n) *n = got;
    return out;
}

/* The text of j, a string or {"base64": ...}: a malloc'd copy, or NULL when j is neither. */
static char *text_of(json_t *j)
{
    if (json_is_string(j)) return strdup(json_string_value(j));
    json_t *b = json_object_get(j, "base64");
    if (!json_is_object(j) || json_object_size(j) != 1 || !json_is_string(b)) return NULL;
    return b64_decode(json_string_value(b), NULL);
}

/* 1 if j is a string or a {"base64": string} with valid base64. */
static int is_text(json_t *j)
{
    char *t = text_of(j);
    free(t);
    return t != NULL;
}

/* ---- writing ---- */

static json_t *param_json(Value v)
{
    switch (v.type) {
    case VAL_NIL: return json_null();
    case VAL_BOOL: return json_boolean(v.as.b);
    case VAL_NUM: {
        double x = v.as.num;
        if (x == (double)(json_int_t)x && x > -9007199254740992.0 && x < 9007199254740992.0)
            return json_integer((json_int_t)x);
        if (x != x || x - x != 0) {   /* NaN, inf: JSON has no such numbers */
            char *s = val_to_text(v);
            json_t *j = json_cstr(s ? s : "?");
            free(s);
            return j;
        }
        return json_real(x);
    }
    case VAL_STR: return json_text(val_cstr(v), (size_t)((ObjStr *)v.as.obj)->len);
    default: {
        char *s = val_repr(v);
        json_t *j = json_cstr(s ? s : "?");
        free(s);
        return j;
    }
    }
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const RdnOutFile *)a)->rel, ((const RdnOutFile *)b)->rel);
}

/* [{key: rel, "sha256": hex}] sorted by name, skipping `skip` (the manifest itself). */
static json_t *files_json(const RdnOutFile *files, int n, const char *key, const char *skip)
{
    json_t *arr = json_array();
    RdnOutFile *s = n ? malloc((size_t)n * sizeof *s) : NULL;
    if (n && !s) return arr;
    if (n) memcpy(s, files, (size_t)n * sizeof *s);
    if (n) qsort(s, (size_t)n, sizeof *s, cmp_file);
    for (int i = 0; i < n; i++) {
        if (skip && strcmp(s[i].rel, skip) == 0) continue;
        json_array_append_new(arr, json_pack("{s:o, s:s}", key, json_cstr(s[i].rel), "sha256",
                                             s[i].sha256));
    }
    free(s);
    return arr;
}

/* The record of the run so far: version, script (path, name, SHA-256, text), seed, params, --set
 * strings, threads, BLAS, data files read and files written (all but `skip`). The manifest is this
 * record; model files carry it inside (bi_net.c). */
static json_t *run_record(Interp *I, const char *skip)
{
    RdnOut *o = &I->out;
    const char *name = I->script_name ? I->script_name : "rdn";
    const char *text = I->script_text ? I->script_text : "";
    char sha[65];
    rdn_sha256_buf(text, strlen(text), sha);

    json_t *root = json_object();
    json_object_set_new(root, "format", json_integer(MANIFEST_FORMAT));
    json_object_set_new(root, "rdn_version", json_string(RDN_VERSION));
    json_t *script = json_object();
    json_object_set_new(script, "path", I->script_path ? json_cstr(I->script_path) : json_null());
    json_object_set_new(script, "name", json_cstr(name));
    json_object_set_new(script, "sha256", json_string(sha));
    json_object_set_new(script, "text", json_cstr(text));
    json_object_set_new(root, "script", script);
    /* seeds are 64-bit unsigned; JSON integers are signed 64-bit: large ones go as a string */
    if (I->seed <= (uint64_t)INT64_MAX)
        json_object_set_new(root, "seed", json_integer((json_int_t)I->seed));
    else {
        char b[32];
        snprintf(b, sizeof b, "%llu", (unsigned long long)I->seed);
        json_object_set_new(root, "seed", json_string(b));
    }
    json_t *params = json_object();
    for (int i = 0; i < I->nparams; i++)
        json_object_set_new(params, I->params[i].name, param_json(I->params[i].value));
    json_object_set_new(root, "params", params);
    json_t *sets = json_array();
    for (int i = 0; i < I->nsets; i++) json_array_append_new(sets, json_cstr(I->argv_sets[i]));
    json_object_set_new(root, "sets", sets);
    json_object_set_new(root, "threads", json_integer(I->threads));
    json_object_set_new(root, "blas", json_string(rdn_blas_name()));
    /* what verify reruns with (compute) and, as information, the kernel path that ran */
    json_object_set_new(root, "compute", json_string(rdn_compute_name(rdn_compute())));
    json_object_set_new(root, "kernels", json_string(rdn_isa_name(rdn_isa())));
    json_object_set_new(root, "read", files_json(o->read, o->nread, "path", NULL));
    json_object_set_new(root, "written", files_json(o->written, o->nwritten, "name", skip));
    /* report(NAME: value): exact numbers (jansson writes reals with %.17g) */
    json_t *results = json_object();
    for (int i = 0; i < I->nresults; i++)
        json_object_set_new(results, I->results[i].name, param_json(I->results[i].value));
    json_object_set_new(root, "results", results);
    /* a run that failed after writing files still says what it wrote, and that it failed */
    json_object_set_new(root, "exit_status", json_integer(I->run_status));
    return root;
}

json_t *manifest_record(Interp *I) { return run_record(I, NULL); }

int manifest_finish(Interp *I)
{
    RdnOut *o = &I->out;
    const char *name = I->script_name ? I->script_name : "rdn";
    char mname[PATH_MAX];
    snprintf(mname, sizeof mname, "%s.run.json", name);
    int nw = 0;
    for (int i = 0; i < o->nwritten; i++) nw += strcmp(o->written[i].rel, mname) != 0;
    /* a run with results, or a run of a sweep (which reads every run's manifest), has one */
    if (nw == 0 && I->nresults == 0 && !(getenv("RDN_SWEEP_RUN") && I->run_status != 130)) return 0;

    json_t *root = run_record(I, mname);
    char *s = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENSURE_ASCII);
    json_decref(root);
    if (!s) {
        fprintf(stderr, "rdn: error: cannot encode the manifest %s\n", mname);
        return -1;
    }
    RdnErr err = {0};
    RdnWriter w;
    int rc = rdn_out_open(o, mname, &w, &err);
    if (rc == RDN_OK) {
        fputs(s, w.f);
        fputc('\n', w.f);
        rc = rdn_out_commit(o, &w, &err);
    }
    free(s);
    if (rc != RDN_OK) {
        fprintf(stderr, "rdn: error: cannot write the manifest %s: %s\n", mname, err.msg);
        return -1;
    }
    return 0;
}

/* ---- verify ---- */

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(p);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

static void print_tail(const char *path, int max_lines)
{
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char *lines[64] = {0};
    if (max_lines > 64) max_lines = 64;
    char buf[1024];
    int k = 0, total = 0;
    while (fgets(buf, sizeof buf, f)) {
        free(lines[k]);
        lines[k] = strdup(buf);
        k = (k + 1) % max_lines;
        total++;
    }
    fclose(f);
    int start = total < max_lines ? 0 : k;
    for (int i = 0; i < max_lines; i++) {
        char *l = lines[(start + i) % max_lines];
        if (l) fprintf(stderr, "  | %s%s", l, l[strlen(l) - 1] == '\n' ? "" : "\n");
    }
    for (int i = 0; i < max_lines; i++) free(lines[i]);
}

/* 0 if m has the fields verify needs, else -1 with the reason in why. */
static int check_fields(json_t *m, const char **why_out)
{
    const char *why = NULL;
    json_t *script = json_object_get(m, "script");
    if (!json_is_object(m)) why = "not a JSON object";
    else if (!json_is_object(script)) why = "no \"script\" object";
    else if (!is_text(json_object_get(script, "text"))) why = "no \"script.text\"";
    else if (!is_text(json_object_get(script, "name"))) why = "no \"script.name\"";
    else if (!json_is_null(json_object_get(script, "path")) && json_object_get(script, "path") &&
             !is_text(json_object_get(script, "path")))
        why = "\"script.path\" is not a string";
    else if (!json_is_array(json_object_get(m, "written"))) why = "no \"written\" list";
    else if (!json_is_integer(json_object_get(m, "threads"))) why = "no \"threads\"";
    else if (json_integer_value(json_object_get(m, "threads")) < 1 ||
             json_integer_value(json_object_get(m, "threads")) > 4096)
        why = "\"threads\" is not between 1 and 4096";
    else if (json_object_get(m, "exit_status") &&
             (!json_is_integer(json_object_get(m, "exit_status")) ||
              json_integer_value(json_object_get(m, "exit_status")) < 0 ||
              json_integer_value(json_object_get(m, "exit_status")) > 255))
        why = "\"exit_status\" is not a whole number from 0 to 255";
    else if (json_object_get(m, "compute") &&
             (!json_is_string(json_object_get(m, "compute")) ||
              rdn_compute_parse(json_string_value(json_object_get(m, "compute"))) < 0))
        why = "\"compute\" is neither \"det\" nor \"openblas\"";
    else {
        char *name = text_of(json_object_get(script, "name"));
        json_t *sets = json_object_get(m, "sets"), *reads = json_object_get(m, "read");
        size_t i;
        json_t *e;
        if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            why = "\"script.name\" is not a plain file name";
        else if (sets && !json_is_array(sets)) why = "\"sets\" is not a list";
        else if (reads && !json_is_array(reads)) why = "\"read\" is not a list";
        free(name);
        json_array_foreach(sets, i, e) {
            if (why) break;
            if (!is_text(e)) why = "an entry of \"sets\" is not a string";
        }
        json_array_foreach(json_object_get(m, "written"), i, e) {
            if (why) break;
            const char *n = json_string_value(json_object_get(e, "name"));
            if (!n || !json_is_string(json_object_get(e, "sha256"))) {
                why = "an entry of \"written\" lacks \"name\" or \"sha256\"";
                break;
            }
            /* the rerun's outputs are looked up by these names: keep them inside its folder */
            if (!*n || n[0] == '/' || strstr(n, "..")) {
                why = "an entry of \"written\" has a name outside the output folder";
                break;
            }
        }
    }
    *why_out = why;
    return why ? -1 : 0;
}

int manifest_check_text(const char *buf, size_t len, const char **why)
{
    json_error_t jerr;
    json_t *m = json_loadb(buf, len, 0, &jerr);
    if (!m) {
        *why = "not valid JSON";
        return -1;
    }
    int rc = check_fields(m, why);
    json_decref(m);
    return rc;
}

/* The state of one `rdn verify`: the manifest, the temporary folder and the rerun; freed by
 * verify_free alone. */
typedef struct Verify {
    const char *manifest_path, *rdn_exe;
    int quiet;
    json_t *m;                          /* the manifest (owned); the fields below borrow from it */
    char *text, *sname, *spath;         /* the script's recorded text, name, path (NULL for -e) */
    char **setv;                        /* the recorded --set strings (nsets of them) */
    size_t nsets;
    long threads;
    const char *compute;                /* the recorded compute mode, "det" or "openblas" */
    json_t *written, *reads, *sets;
    char tmp[PATH_MAX];                 /* the temporary folder; "" until made */
    char outdir[PATH_MAX + 8], logpath[PATH_MAX + 16], scriptfile[PATH_MAX * 2];
    char threads_s[32];
    const char *exe;
    const char **argv;                  /* owned array; the strings are borrowed */
    int ws;                             /* the rerun's wait status */
    int child_ok;                       /* the rerun ended with the recorded exit status */
} Verify;

static void verify_free(Verify *v)
{
    fflush(stdout);
    if (v->tmp[0]) rm_tree(v->tmp);
    free(v->argv);
    free(v->text);
    free(v->sname);
    free(v->spath);
    for (size_t i = 0; i < v->nsets; i++) free(v->setv[i]);
    free(v->setv);
    json_decref(v->m);
}

/* The manifest's bytes (malloc'd), or NULL with the reason in err. */
static char *read_manifest(const char *path, size_t *len, RdnErr *err)
{
    int fd = rdn_open_regular(path, err);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size > ((off_t)256 << 20)) {
        close(fd);
        rdn_err(err, "'%s' is larger than 256 MiB", path);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    while (buf && n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (!buf) rdn_err(err, "out of memory: reading '%s' needs %lld bytes", path, (long long)st.st_size);
    *len = n;
    return buf;
}

static double verify_timeout_s = 86400;

void manifest_set_timeout(double seconds) { verify_timeout_s = seconds; }

/* Load: the manifest, its fields, and notes when this rdn or BLAS is not the recorded one.
 * 0, or 2 when the manifest cannot be used. */
static int verify_load(Verify *v)
{
    /* a regular file of a sane size, opened without blocking (a FIFO, /dev/zero: refused) */
    RdnErr err = {0};
    size_t len = 0;
    char *buf = read_manifest(v->manifest_path, &len, &err);
    if (!buf) {
        fprintf(stderr, "%s: error: cannot read the manifest: %s\n", v->manifest_path, err.msg);
        return 2;
    }
    json_error_t jerr;
    json_t *m = v->m = json_loadb(buf, len, 0, &jerr);
    free(buf);
    if (!m) {
        if (jerr.line > 0)
            fprintf(stderr, "%s:%d:%d: error: not an rdn manifest: %s\n", v->manifest_path,
                    jerr.line, jerr.column > 0 ? jerr.column : 1, jerr.text);
        else
            fprintf(stderr, "%s: error: not an rdn manifest: %s\n", v->manifest_path, jerr.text);
        return 2;
    }
    const char *why;
    if (check_fields(m, &why) != 0) {
        fprintf(stderr, "%s: error: not an rdn manifest: %s\n", v->manifest_path, why);
        return 2;
    }
    json_t *script = json_object_get(m, "script");
    v->text = text_of(json_object_get(script, "text"));
    v->sname = text_of(json_object_get(script, "name"));
    v->spath = text_of(json_object_get(script, "path"));   /* NULL for null: an -e program */
    v->threads = (long)json_integer_value(json_object_get(m, "threads"));
    v->written = json_object_get(m, "written");
    v->reads = json_object_get(m, "read");
    v->sets = json_object_get(m, "sets");
    v->nsets = json_is_array(v->sets) ? json_array_size(v->sets) : 0;
    v->setv = calloc(v->nsets + 1, sizeof *v->setv);
    for (size_t s = 0; v->setv && s < v->nsets; s++) v->setv[s] = text_of(json_array_get(v->sets, s));
    if (!v->text || !v->sname || !v->setv) {
        fprintf(stderr, "rdn verify: error: out of memory reading %s\n", v->manifest_path);
        return 2;
    }
    const char *blas = json_string_value(json_object_get(m, "blas"));
    const char *ver = json_string_value(json_object_get(m, "rdn_version"));
    if (ver && strcmp(ver, RDN_VERSION) != 0)
        fprintf(stderr, "rdn verify: note: recorded with rdn %s, this is rdn %s\n", ver, RDN_VERSION);
    /* the rerun uses the recorded compute mode (manifests before rdn 0.2.0 have none: they
     * used OpenBLAS); the kernel path is this machine's, since a deterministic run gives the
     * same bits on every path */
    v->compute = json_string_value(json_object_get(m, "compute"));
    if (!v->compute) v->compute = "openblas";
    const char *kernels = json_string_value(json_object_get(m, "kernels"));
    if (strcmp(v->compute, "openblas") == 0) {
        fprintf(stderr, "rdn verify: warning: the run used --compute openblas, whose bits depend on "
                        "the CPU and the thread count: on another machine a difference need not "
                        "be an error\n");
        if (blas && strcmp(blas, rdn_blas_name()) != 0)
            fprintf(stderr, "rdn verify: note: recorded with BLAS '%s', this is '%s'\n", blas,
                    rdn_blas_name());
    } else if (kernels && strcmp(kernels, rdn_isa_name(rdn_isa())) != 0 && !v->quiet)
        fprintf(stderr, "rdn verify: note: recorded on the %s kernel path, rerunning on %s (the "
                        "same bits are expected)\n", kernels, rdn_isa_name(rdn_isa()));
    return 0;
}

/* Data files are re-read from their recorded paths: say so when they changed. */
static void verify_check_reads(const Verify *v)
{
    size_t i;
    json_t *e;
    json_array_foreach(v->reads, i, e) {
        char *p = text_of(json_object_get(e, "path"));
        const char *h = json_string_value(json_object_get(e, "sha256"));
        if (!p || !h) {
            free(p);
            continue;
        }
        char now[65];
        RdnErr err = {0};
        if (rdn_sha256_file(p, now, &err) != RDN_OK)
            fprintf(stderr, "rdn verify: warning: data file '%s' cannot be read now (%s)\n", p,
                    err.msg);
        else if (strcmp(now, h) != 0)
            fprintf(stderr, "rdn verify: warning: data file '%s' changed since the run (sha256 "
                    "%.12s... recorded, %.12s... now); outputs made from it will differ\n", p, h, now);
        free(p);
    }
}

/* argv: rdn SCRIPT --out TMP/out --threads N --compute M --quiet --set ... */
static int verify_argv(Verify *v)
{
    size_t nsets = v->nsets;
    const char **argv = v->argv = calloc(nsets * 2 + 12, sizeof *argv);
    if (!argv) return -1;
    snprintf(v->threads_s, sizeof v->threads_s, "%ld", v->threads > 0 ? v->threads : 1);
    int k = 0;
    v->exe = access("/proc/self/exe", X_OK) == 0 ? "/proc/self/exe" : v->rdn_exe;
    argv[k++] = v->exe;
    if (!v->spath) {
        argv[k++] = "-e";
        argv[k++] = v->text;
    } else {
        argv[k++] = v->scriptfile;
    }
    argv[k++] = "--out";
    argv[k++] = v->outdir;
    argv[k++] = "--threads";
    argv[k++] = v->threads_s;
    argv[k++] = "--compute";
    argv[k++] = v->compute;
    argv[k++] = "--quiet";
    for (size_t s = 0; s < nsets; s++) {
        const char *val = v->setv[s];
        if (!val) continue;
        argv[k++] = "--set";
        argv[k++] = val;
    }
    argv[k] = NULL;
    return 0;
}

/* Prepare: the temporary folder, the script to rerun and its command line. 0, 2 when no
 * temporary folder can be made, 1 on other failures. */
static int verify_prepare(Verify *v)
{
    const char *tmpbase = getenv("TMPDIR");
    if (!tmpbase || !*tmpbase) tmpbase = "/tmp";
    snprintf(v->tmp, sizeof v->tmp, "%s/rdn-verify-XXXXXX", tmpbase);
    if (!mkdtemp(v->tmp)) {
        fprintf(stderr, "rdn verify: error: cannot create a temporary folder in %s: %s\n", tmpbase,
                strerror(errno));
        v->tmp[0] = '\0';
        return 2;
    }
    snprintf(v->outdir, sizeof v->outdir, "%s/out", v->tmp);
    snprintf(v->logpath, sizeof v->logpath, "%s/rerun.log", v->tmp);

    /* The script: the recorded text, from its original path when that still holds exactly that
     * text (so imports relative to it resolve as before), else from a copy in the temp folder. */
    char sha[65], now[65];
    rdn_sha256_buf(v->text, strlen(v->text), sha);
    RdnErr err = {0};
    if (v->spath && rdn_sha256_file(v->spath, now, &err) == RDN_OK && strcmp(now, sha) == 0) {
        snprintf(v->scriptfile, sizeof v->scriptfile, "%s", v->spath);
    } else if (v->spath) {
        if (!v->quiet)
            fprintf(stderr, "rdn verify: note: '%s' %s; rerunning the text recorded in the "
                    "manifest\n", v->spath, access(v->spath, F_OK) == 0 ? "has changed" : "is missing");
        snprintf(v->scriptfile, sizeof v->scriptfile, "%s/%s.rdn", v->tmp, v->sname);
        if (write_text(v->scriptfile, v->text) != 0) {
            fprintf(stderr, "rdn verify: error: cannot write %s: %s\n", v->scriptfile, strerror(errno));
            return 1;
        }
    }
    return verify_argv(v) ? 1 : 0;
}

/* Rerun: the recorded command in a child process, its output into the log. 0 when it ran
 * (v->child_ok says whether it ended as recorded), 130 when interrupted, 1 when it could not
 * start. */
static int verify_rerun(Verify *v)
{
    size_t nsets = v->nsets;
    if (!v->quiet) {
        printf("verify: rerunning %s", v->spath ? v->scriptfile : "the -e program");
        for (size_t s = 0; s < nsets; s++)
            printf(" --set %s", v->setv[s] ? v->setv[s] : "");
        printf(" with %s thread%s (--compute %s) in %s\n", v->threads_s,
               v->threads == 1 ? "" : "s", v->compute, v->tmp);
        fflush(stdout);
    }
    /* Ctrl-C, SIGTERM and SIGHUP are passed to the rerun; this process waits for it to stop
     * (killing it after a grace), then removes the temporary folder and reports the
     * interruption. A rerun longer than --timeout is stopped the same way. */
    int lfd = open(v->logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ProcSpec ps = {v->exe, (char *const *)v->argv, NULL, 0, lfd, lfd, 0};
    int ws = 0, how = PROC_ENDED, sig = 0;
    int rc = proc_run_watched(&ps, verify_timeout_s, &ws, &how, &sig);
    int e = errno;
    if (lfd >= 0) close(lfd);
    if (rc != 0) {
        fprintf(stderr, "rdn verify: error: cannot start the rerun: %s\n", strerror(e));
        return 1;
    }
    v->ws = ws;
    if (how == PROC_STOPPED) {
        fprintf(stderr, "rdn verify: error: interrupted (%s); the rerun was stopped\n",
                sig == SIGINT ? "Ctrl-C" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
        return sig == SIGINT ? 130 : 128 + SIGTERM;
    }
    if (how == PROC_TIMED_OUT) {
        fprintf(stderr, "rdn verify: error: the rerun ran longer than --timeout %g seconds: stopped; "
                        "its last output:\n", verify_timeout_s);
        print_tail(v->logpath, 20);
        return 1;
    }
    if ((WIFSIGNALED(ws) && WTERMSIG(ws) == SIGINT) || (WIFEXITED(ws) && WEXITSTATUS(ws) == 130)) {
        fprintf(stderr, "rdn verify: error: interrupted\n");
        return 130;
    }
    /* the rerun must end as the recorded run did (0 for manifests without exit_status) */
    json_t *es = json_object_get(v->m, "exit_status");
    int want = json_is_integer(es) ? (int)json_integer_value(es) : 0;
    if (want != 0 && !v->quiet)
        printf("note: the recorded run ended with exit status %d; the rerun must too\n", want);
    v->child_ok = WIFEXITED(ws) && WEXITSTATUS(ws) == want;
    if (!v->child_ok) {
        if (WIFEXITED(ws))
            fprintf(stderr, "rdn verify: error: the rerun ended with exit status %d (recorded: %d); its last "
                            "output:\n", WEXITSTATUS(ws), want);
        else
            fprintf(stderr, "rdn verify: error: the rerun was killed by signal %d; its last output:\n",
                    WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
        print_tail(v->logpath, 20);
    }
    return 0;
}

/* One recorded output: the rerun must reproduce its SHA-256, and the copy beside the manifest
 * (when present) must still be the recorded one (edited afterwards?). 'm' match, 'd' differs,
 * 'x' missing. */
static int verify_output(const Verify *v, const char *mdir, json_t *e)
{
    const char *n = json_string_value(json_object_get(e, "name"));
    const char *h = json_string_value(json_object_get(e, "sha256"));
    char p[PATH_MAX * 2], got[65], here[65];
    RdnErr err = {0};
    snprintf(p, sizeof p, "%s/%s", v->outdir, n);
    int rerun_ok = rdn_sha256_file(p, got, &err) == RDN_OK;
    snprintf(p, sizeof p, "%s/%s", mdir, n);
    int beside = rdn_sha256_file(p, here, &err) == RDN_OK;
    if (!rerun_ok) {
        printf("missing  %s (the rerun did not write it)\n", n);
        return 'x';
    }
    if (strcmp(got, h) != 0) {
        printf("DIFFERS  %s (sha256 %.12s... recorded, %.12s... rerun)\n", n, h, got);
        return 'd';
    }
    if (beside && strcmp(here, h) != 0) {
        printf("DIFFERS  %s (the rerun matches the record, but %s does not: changed after "
               "the run)\n", n, p);
        return 'd';
    }
    if (!v->quiet) printf("match    %s\n", n);
    return 'm';
}

/* Outputs the rerun wrote that the manifest does not list: their number. */
static int verify_extras(const Verify *v)
{
    int nextra = 0;
    char rman[PATH_MAX * 2];
    snprintf(rman, sizeof rman, "%s/%s.run.json", v->outdir, v->spath ? v->sname : "rdn");
    json_error_t jerr;
    json_t *rm = json_load_file(rman, 0, &jerr);
    if (!rm) return 0;
    json_t *rw = json_object_get(rm, "written"), *f, *e;
    size_t j, l;
    json_array_foreach(rw, j, f) {
        const char *n = json_string_value(json_object_get(f, "name"));
        int found = 0;
        json_array_foreach(v->written, l, e)
            found |= n && strcmp(n, json_string_value(json_object_get(e, "name"))) == 0;
        if (n && !found) {
            nextra++;
            printf("extra    %s (written by the rerun, not in the manifest)\n", n);
        }
    }
    json_decref(rm);
    return nextra;
}

/* report(...) values: the rerun's results must equal the recorded ones exactly. 1 if not. */
static int verify_results(const Verify *v)
{
    json_t *res = json_object_get(v->m, "results");
    if (!res || json_object_size(res) == 0) return 0;
    char rman[PATH_MAX * 2];
    snprintf(rman, sizeof rman, "%s/%s.run.json", v->outdir, v->spath ? v->sname : "rdn");
    json_error_t jerr;
    json_t *rm = json_load_file(rman, 0, &jerr);
    int same = rm && json_equal(res, json_object_get(rm, "results"));
    json_decref(rm);
    if (!same) printf("DIFFERS  results (the rerun reported %s)\n", rm ? "other values" : "nothing");
    else if (!v->quiet)
        printf("match    results (%zu reported value%s)\n", json_object_size(res),
               json_object_size(res) == 1 ? "" : "s");
    return !same;
}

/* Compare: every recorded output, then the extras; the summary line. 0 reproduced, else 1. */
static int verify_compare(const Verify *v)
{
    char mdir[PATH_MAX];
    snprintf(mdir, sizeof mdir, "%s", v->manifest_path);
    char *ms = strrchr(mdir, '/');
    if (ms) *ms = '\0';
    else snprintf(mdir, sizeof mdir, ".");
    int nmatch = 0, ndiff = 0, nmissing = 0;
    size_t i;
    json_t *e;
    json_array_foreach(v->written, i, e) {
        int r = verify_output(v, mdir, e);
        nmatch += r == 'm';
        ndiff += r == 'd';
        nmissing += r == 'x';
    }
    int nextra = verify_extras(v);
    ndiff += verify_results(v);
    size_t total = json_array_size(v->written);
    int ok = ndiff + nmissing + nextra == 0 && v->child_ok;
    printf("verify: %zu file%s: %d match, %d differ%s, %d missing%s%s\n", total,
           total == 1 ? "" : "s", nmatch, ndiff, ndiff == 1 ? "s" : "", nmissing,
           nextra ? ", extra files written" : "", ok ? " (reproduced)" : "");
    return ok ? 0 : 1;
}

int manifest_verify(const char *manifest_path, const char *rdn_exe, int quiet)
{
    Verify v = {.manifest_path = manifest_path, .rdn_exe = rdn_exe, .quiet = quiet};
    int status = verify_load(&v);
    if (status == 0) {
        verify_check_reads(&v);
        status = verify_prepare(&v);
    }
    if (status == 0) status = verify_rerun(&v);
    if (status == 0) status = verify_compare(&v);
    verify_free(&v);
    return status;
}
