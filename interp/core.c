/* core.c: the evaluator's state (lifetime, interned names, sources), running a program, the
 * static checks a parsed program must pass before it runs (break outside a loop, ...), `param`
 * with its --set overrides, and `import`. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core.h"

typedef struct StdlibFile { const char *name; const char *text; size_t len; } StdlibFile;
extern const StdlibFile rdn_stdlib[];

enum { MAX_SOURCE_BYTES = 1 << 30 };

/* ---- interning ---- */

static size_t hash_bytes(const char *s, size_t n)
{
    size_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

const char *core_intern(Core *C, const char *s, size_t n)
{
    if (C->nintern * 2 >= C->capintern) {
        size_t cap = C->capintern ? 2 * C->capintern : 1024;
        char **t = calloc(cap, sizeof *t);
        if (!t) abort();
        for (size_t i = 0; i < C->capintern; i++) {
            char *w = C->intern[i];
            if (!w) continue;
            size_t j = hash_bytes(w, strlen(w)) & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = w;
        }
        free(C->intern);
        C->intern = t;
        C->capintern = cap;
    }
    size_t j = hash_bytes(s, n) & (C->capintern - 1);
    for (; C->intern[j]; j = (j + 1) & (C->capintern - 1))
        if (strncmp(C->intern[j], s, n) == 0 && C->intern[j][n] == 0) return C->intern[j];
    char *w = malloc(n + 1);
    if (!w) abort();
    memcpy(w, s, n);
    w[n] = 0;
    C->intern[j] = w;
    C->nintern++;
    return w;
}

/* ---- lifetime ---- */

int core_init(Interp *I)
{
    Core *C = calloc(1, sizeof *C);
    if (!C) return -1;
    I->core = C;
    C->globals = env_new(C, NULL);
    C->errf = stderr;
    C->max_depth = RDN_MAX_EVAL_DEPTH;
    C->max_calls = RDN_MAX_CALLS;
#ifdef RDN_FUZZ
    C->max_steps = 20000;
#endif
    core_seed(I, RDN_DEFAULT_SEED);
    if (!I->script_name) I->script_name = "rdn";
    return 0;
}

void core_free(Interp *I)
{
    Core *C = core_of(I);
    if (!C) return;
    diag_clear(I);
    for (int i = 0; i < C->nmodules; i++) {
        val_decref(C->modules[i].v);
        free((char *)C->modules[i].key);
    }
    free(C->modules);
    for (int i = 0; i < I->nparams; i++) {
        free(I->params[i].name);
        val_decref(I->params[i].value);
    }
    free(I->params);
    I->params = NULL;
    I->nparams = 0;
    for (int i = 0; i < I->nresults; i++) {
        free(I->results[i].name);
        val_decref(I->results[i].value);
    }
    free(I->results);
    I->results = NULL;
    I->nresults = 0;
    if (C->ret_set) val_decref(C->ret);
    env_decref(C->globals);
    env_release_all(C);
    for (Source *s = C->sources, *nx; s; s = nx) {
        nx = s->next;
        free(s->name);
        free(s->text);
        arena_free(s->arena);
        free(s);
    }
    for (size_t i = 0; i < C->capintern; i++) free(C->intern[i]);
    free(C->intern);
    free(C->frames);
    free(C->import_stack);
    for (int i = 0; i < C->nset; i++) {
        free(C->set_names[i]);
        free(C->set_values[i]);
    }
    free(C->set_names);
    free(C->set_values);
    free(C->set_used);
    free(C);
    I->core = NULL;
}

Source *source_new(Interp *I, const char *name, const char *text, size_t len)
{
    Core *C = core_of(I);
    Source *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->name = strdup(name);
    s->text = malloc(len + 1);
    if (!s->name || !s->text) abort();
    if (len) memcpy(s->text, text, len);
    s->text[len] = 0;
    s->len = len;
    s->arena = arena_new();
    s->next = C->sources;
    C->sources = s;
    return s;
}

/* Reads a whole file; NULL with errno-style text in why. */
static char *read_file(const char *path, size_t *len, char *why, size_t whysize)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whysize, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, whysize, "it is a folder");
        fclose(f);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) abort();
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_SOURCE_BYTES) {
                snprintf(why, whysize, "larger than %d MiB", MAX_SOURCE_BYTES >> 20);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(why, whysize, "read error");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

Source *source_load(Interp *I, const char *path)
{
    char why[256];
    size_t len;
    char *text = read_file(path, &len, why, sizeof why);
    if (!text) {
        fprintf(stderr, "rdn: error: cannot read '%s': %s\n", path, why);
        return NULL;
    }
    Source *s = source_new(I, path, text, len);
    free(text);
    return s;
}

/* ---- static checks after parsing ---- */

typedef struct Check { Source *src; FILE *errf; int n; } Check;

static void check_err(Check *k, Span sp, const char *msg)
{
    k->n++;
    if (k->errf) diag_print(k->errf, k->src, sp, msg);
}

static void validate(Check *k, Ast *n, int in_loop, int in_fn, int top)
{
    if (!n) return;
    switch (n->kind) {
    case AST_BREAK: case AST_CONTINUE:
        if (!in_loop) check_err(k, n->span, n->kind == AST_BREAK ? "'break' outside a loop" : "'continue' outside a loop");
        return;
    case AST_RETURN:
        if (!in_fn) check_err(k, n->span, "'return' outside a function");
        validate(k, n->a, 0, in_fn, 0);
        return;
    case AST_PARAMDECL:
        if (!top) check_err(k, n->span, "'param' must be at the top level of the script");
        validate(k, n->a, 0, in_fn, 0);
        return;
    case AST_IMPORT:
        if (!top) check_err(k, n->span, "'import' must be at the top level");
        return;
    case AST_FN:
        for (int i = 0; i < n->nitems; i++) validate(k, n->items[i], 0, 0, 0);
        validate(k, n->a, 0, 1, 0);
        return;
    case AST_WHILE: case AST_FOR:
        validate(k, n->a, in_loop, in_fn, 0);
        validate(k, n->b, 1, in_fn, 0);
        return;
    case AST_BLOCK:
        for (int i = 0; i < n->nitems; i++) validate(k, n->items[i], in_loop, in_fn, top);
        return;
    default:
        validate(k, n->a, in_loop, in_fn, 0);
        validate(k, n->b, in_loop, in_fn, 0);
        if (n->kind == AST_IF) validate(k, n->c, in_loop, in_fn, 0);
        for (int i = 0; i < n->nitems; i++) validate(k, n->items[i], in_loop, in_fn, 0);
        return;
    }
}

/* Parses (if needed) and validates; 0 ok, else the number of errors printed. */
int core_prepare(Interp *I, Source *src, FILE *errf)
{
    if (!src->root && parse_source(I, src, errf, NULL)) return 1;
    Check k = {src, errf, 0};
    validate(&k, src->root, 0, 0, 1);
    return k.n;
}

int core_run(Interp *I, Source *src, Env *env, Value *last)
{
    Core *C = core_of(I);
    if (core_prepare(I, src, C->errf)) return ERR_USAGE;
    if (!C->capframes) {
        C->capframes = 64;
        C->frames = malloc(sizeof *C->frames * (size_t)C->capframes);
        if (!C->frames) abort();
    }
    C->nframes = 1;
    C->frames[0] = (Frame){"<main>", src, {0, 0, 0, 0}};
    C->cur = src;
    C->depth = 0;
    int r = eval_block(I, src->root, env ? env : C->globals, last);
    C->nframes = 0;
    if (r < 0 || C->err) {
        if (last) { val_decref(*last); *last = VNIL; }
        return diag_report(I, C->errf);
    }
    return 0;
}

/* ---- param and --set ---- */

int core_set_overrides(Interp *I)
{
    Core *C = core_of(I);
    C->nset = I->nsets;
    C->set_names = calloc((size_t)I->nsets + 1, sizeof *C->set_names);
    C->set_values = calloc((size_t)I->nsets + 1, sizeof *C->set_values);
    C->set_used = calloc((size_t)I->nsets + 1, sizeof *C->set_used);
    if (!C->set_names || !C->set_values || !C->set_used) abort();
    for (int i = 0; i < I->nsets; i++) {
        const char *s = I->argv_sets[i], *eq = strchr(s, '=');
        if (!eq || eq == s) {
            fprintf(stderr, "rdn: error: --set expects NAME=VALUE, found '%s'\n", s);
            return ERR_USAGE;
        }
        C->set_names[i] = strndup(s, (size_t)(eq - s));
        C->set_values[i] = strdup(eq + 1);
        if (!C->set_names[i] || !C->set_values[i]) abort();
    }
    return 0;
}

/* Every --set must name a param of the script: checked before anything runs. */
int core_check_sets(Interp *I, Source *src)
{
    Core *C = core_of(I);
    if (!C->nset) return 0;
    if (!src->root && core_prepare(I, src, stderr)) return ERR_USAGE;
    size_t len = 1;
    for (int i = 0; i < src->root->nitems; i++)
        if (src->root->items[i]->kind == AST_PARAMDECL) len += strlen(src->root->items[i]->str) + 1;
    char *words = calloc(1, len), best[128];
    if (!words) abort();
    for (int i = 0; i < src->root->nitems; i++)
        if (src->root->items[i]->kind == AST_PARAMDECL) {
            strcat(words, src->root->items[i]->str);
            strcat(words, " ");
        }
    int bad = 0;
    for (int i = 0; i < C->nset; i++) {
        int found = 0;
        for (int j = 0; j < src->root->nitems && !found; j++) {
            Ast *p = src->root->items[j];
            found = p->kind == AST_PARAMDECL && strcmp(p->str, C->set_names[i]) == 0;
        }
        if (found) continue;
        bad = 1;
        const char *s = suggest(C->set_names[i], words, best, sizeof best);
        if (s) fprintf(stderr, "rdn: error: --set %s: %s has no param '%s' (did you mean '%s'?)\n", I->argv_sets[i],
                       src->name, C->set_names[i], s);
        else if (*words) fprintf(stderr, "rdn: error: --set %s: %s has no param '%s' (params: %s)\n", I->argv_sets[i],
                                 src->name, C->set_names[i], words);
        else fprintf(stderr, "rdn: error: --set %s: %s declares no param\n", I->argv_sets[i], src->name);
    }
    free(words);
    return bad ? ERR_USAGE : 0;
}

static int parse_set(Interp *I, Ast *n, const char *text, Value def, Value *out)
{
    char *end;
    const char *want = NULL;
    char dtext[64] = "";
    if (def.type == VAL_NUM) fmt_num(dtext, sizeof dtext, def.as.num);
    switch (def.type) {
    case VAL_NUM: {
        errno = 0;
        double x = strtod(text, &end);
        if (end != text && *end == 0 && isfinite(x) && !isspace((unsigned char)*text)) {
            *out = val_num(x);
            return 0;
        }
        want = "a number";
        break;
    }
    case VAL_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
            *out = val_bool(text[0] == 't');
            return 0;
        }
        want = "true or false";
        snprintf(dtext, sizeof dtext, "%s", def.as.b ? "true" : "false");
        break;
    case VAL_STR: {
        size_t l = strlen(text);
        if (l >= 2 && text[0] == '"' && text[l - 1] == '"') *out = val_str_n(text + 1, l - 2);
        else *out = val_str(text);
        return 0;
    }
    case VAL_NIL: {
        double x = strtod(text, &end);
        if (end != text && *end == 0 && isfinite(x)) *out = val_num(x);
        else if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) *out = val_bool(text[0] == 't');
        else *out = val_str(text);
        return 0;
    }
    default:
        return usage_error(I, &n->span, "--set %s=%s: param '%s' has a %s default, which --set cannot replace",
                           n->str, text, n->str, val_type_name(def.type));
    }
    if (def.type == VAL_NUM)
        return usage_error(I, &n->span, "--set %s=%s: expected %s (the default of '%s' is %s)", n->str, text, want,
                           n->str, dtext);
    return usage_error(I, &n->span, "--set %s=%s: expected %s (the default of '%s' is %s)", n->str, text, want,
                       n->str, dtext);
}

int core_param(Interp *I, Ast *n, Env *env)
{
    Core *C = core_of(I);
    if (C->importing) return rt_error(I, &n->span, "'param' is only allowed in the main script");
    for (int i = 0; i < I->nparams; i++)
        if (strcmp(I->params[i].name, n->str) == 0)
            return rt_error(I, &n->span, "param '%s' is declared twice", n->str);
    Value v;
    if (eval_expr(I, n->a, env, &v)) return -1;
    for (int i = 0; i < C->nset; i++) {
        if (strcmp(C->set_names[i], n->str) != 0) continue;
        Value nv;
        if (parse_set(I, n, C->set_values[i], v, &nv)) { val_decref(v); return -1; }
        val_decref(v);
        v = nv;
        C->set_used[i] = 1;
    }
    Param *p = realloc(I->params, sizeof *p * (size_t)(I->nparams + 1));
    if (!p) abort();
    I->params = p;
    p[I->nparams].name = strdup(n->str);
    if (!p[I->nparams].name) abort();
    val_incref(v);
    p[I->nparams].value = v;
    I->nparams++;
    env_assign(env, n->str, v);
    return 0;
}

/* ---- import ---- */

static const char *base_name(const char *path, char *buf, size_t size)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(buf, size, "%s", b);
    size_t l = strlen(buf);
    if (l > 4 && strcmp(buf + l - 4, ".rdn") == 0) buf[l - 4] = 0;
    return buf;
}

static int is_ident(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_')) return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
    return 1;
}

int core_import(Interp *I, Ast *n, Env *env)
{
    Core *C = core_of(I);
    char mname[256], key[PATH_MAX + 16], path[PATH_MAX + 16];
    const Span *at = &n->span;
    if (n->op == 1) {
        const char *p = n->str;
        const char *cur = C->cur ? C->cur->name : "";
        const char *slash = strrchr(cur, '/');
        if (p[0] != '/' && slash && cur[0] != '<')
            snprintf(path, sizeof path, "%.*s/%s", (int)(slash - cur), cur, p);
        else
            snprintf(path, sizeof path, "%s", p);
        base_name(p, mname, sizeof mname);
        if (!is_ident(mname))
            return rt_error(I, at, "import: '%s' cannot be a module name (use letters, digits and _)", mname);
        char *rp = realpath(path, NULL);
        if (!rp) return rt_error(I, at, "import: cannot open '%s': %s", path, strerror(errno));
        snprintf(key, sizeof key, "%s", rp);
        free(rp);
    } else {
        snprintf(mname, sizeof mname, "%s", n->str);
        snprintf(key, sizeof key, "std:%s", n->str);
    }
    const char *name = core_intern(C, mname, strlen(mname));
    for (int i = 0; i < C->nmodules; i++)
        if (strcmp(C->modules[i].key, key) == 0) {
            val_incref(C->modules[i].v);
            env_define(env, name, C->modules[i].v);
            return 0;
        }
    for (int i = 0; i < C->nimport_stack; i++)
        if (strcmp(C->import_stack[i], key) == 0)
            return rt_error(I, at, "import: '%s' imports itself (an import cycle)", n->str);
    Source *src = NULL;
    if (n->op == 1) {
        char why[256];
        size_t len;
        char *text = read_file(path, &len, why, sizeof why);
        if (!text) return rt_error(I, at, "import: cannot read '%s': %s", path, why);
        src = source_new(I, path, text, len);
        free(text);
        RdnErr err;
        if (rdn_out_note_read(&I->out, path, &err)) return rt_error_from(I, at, &err);
    } else {
        const StdlibFile *f = rdn_stdlib;
        while (f->name && strcmp(f->name, n->str) != 0) f++;
        if (!f->name) {
            size_t len = 1;
            for (const StdlibFile *g = rdn_stdlib; g->name; g++) len += strlen(g->name) + 1;
            char *words = calloc(1, len), best[128];
            if (!words) abort();
            for (const StdlibFile *g = rdn_stdlib; g->name; g++) { strcat(words, g->name); strcat(words, " "); }
            const char *s = suggest(n->str, words, best, sizeof best);
            int r = s ? rt_error(I, at, "import: no module '%s' in the standard library (did you mean '%s'?)", n->str, s)
                      : rt_error(I, at, "import: no module '%s' in the standard library (modules: %s; use import \"file.rdn\" for a file)",
                                 n->str, words);
            free(words);
            return r;
        }
        char sname[300];
        snprintf(sname, sizeof sname, "<stdlib>/%s.rdn", f->name);
        src = source_new(I, sname, f->text, f->len);
    }
    if (core_prepare(I, src, C->errf))
        return usage_error(I, at, "import: '%s' has errors", n->str);
    /* run it in its own top-level environment, as a call frame */
    const char **st = realloc(C->import_stack, sizeof *st * (size_t)(C->nimport_stack + 1));
    if (!st) abort();
    C->import_stack = st;
    st[C->nimport_stack++] = key;
    if (C->nframes == C->capframes) {
        C->capframes = C->capframes ? 2 * C->capframes : 64;
        C->frames = realloc(C->frames, sizeof *C->frames * (size_t)C->capframes);
        if (!C->frames) abort();
    }
    if (C->nframes > 0) C->frames[C->nframes - 1].at = n->span;
    C->frames[C->nframes++] = (Frame){name, src, {0, 0, 0, 0}};
    Source *saved = C->cur;
    C->cur = src;
    C->importing++;
    Env *menv = env_new(C, NULL);
    int r = eval_block(I, src->root, menv, NULL);
    C->importing--;
    C->cur = saved;
    C->nframes--;
    C->nimport_stack--;
    if (r) {
        env_decref(menv);
        return -1;
    }
    Value m = val_module(name, menv);
    env_decref(menv);
    Module *ms = realloc(C->modules, sizeof *ms * (size_t)(C->nmodules + 1));
    if (!ms) abort();
    C->modules = ms;
    ms[C->nmodules].key = strdup(key);
    if (!ms[C->nmodules].key) abort();
    val_incref(m);
    ms[C->nmodules].v = m;
    C->nmodules++;
    env_define(env, name, m);
    return 0;
}
