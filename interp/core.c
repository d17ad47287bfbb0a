/* core.c: the evaluator's state (lifetime, interned names, sources), running a program, the
 * static checks a parsed program must pass before it runs (break outside a loop, ...), `param`
 * with its --set overrides, and `import`. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
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
        char **t = mem_alloc(cap, sizeof *t, "the table of names");
        if (!t) return "?";               /* the failure is pending: raised when this returns */
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
    char *w = mem_strndup(s, n, "a name");
    if (!w) return "?";
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
    heap_bind(&C->heap);
    C->globals = env_new(C, NULL);
    if (!C->globals) {
        heap_bind(NULL);
        free(C);
        I->core = NULL;
        return -1;
    }
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
    free(C->heap.pending);
    if (heap_current() == &C->heap) heap_bind(NULL);
    free(C);
    I->core = NULL;
}

Source *source_new(Interp *I, const char *name, const char *text, size_t len)
{
    Core *C = core_of(I);
    Source *s = mem_alloc(1, sizeof *s, "a program");
    if (!s) return NULL;
    s->name = mem_strndup(name, strlen(name), "a program's name");
    s->text = len < SIZE_MAX ? mem_strndup(text, len, "a program's text") : NULL;
    s->arena = arena_new();
    if (!s->name || !s->text || !s->arena) {
        if (!s->arena) mem_note_failure("a program's tree", sizeof(void *));
        free(s->name);
        free(s->text);
        arena_free(s->arena);
        free(s);
        return NULL;
    }
    s->len = len;
    s->next = C->sources;
    C->sources = s;
    return s;
}

/* Reads a whole file; NULL with errno-style text in why. */
static char *read_file(const char *path, size_t *len, char *why, size_t whysize)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);   /* a FIFO must not block the open */
    if (fd < 0) {
        snprintf(why, whysize, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    const char *bad_kind = fstat(fd, &st) != 0 ? "not readable" : rdn_not_regular(st.st_mode);
    if (bad_kind) {
        snprintf(why, whysize, "it is %s, not a regular file", bad_kind);
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(why, whysize, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(why, whysize, "out of memory: reading it needs %zu bytes", cap);
        fclose(f);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_SOURCE_BYTES) {
                snprintf(why, whysize, "larger than %d MiB", MAX_SOURCE_BYTES >> 20);
                free(buf);
                fclose(f);
                return NULL;
            }
            char *nb = realloc(buf, 2 * cap);
            if (!nb) {
                snprintf(why, whysize, "out of memory: reading it needs %zu bytes", 2 * cap);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap *= 2;
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
    if (!s) fprintf(stderr, "rdn: error: cannot read '%s': out of memory (%zu bytes)\n", path, len);
    mem_clear();
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
        C->frames = mem_alloc(64, sizeof *C->frames, "the call stack");
        if (!C->frames) {
            mem_clear();
            fprintf(C->errf, "%s: error: out of memory: the call stack needs %zu bytes\n", src->name,
                    64 * sizeof *C->frames);
            return ERR_RUNTIME;
        }
        C->capframes = 64;
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

/* Enters a call frame under the call limit: the caller's frame records `call` as the call being
 * made, the new frame is f and code now runs in f.src; *saved gets the source to give back to
 * frame_pop. 0 ok, -1 error raised at `call`. */
int frame_push(Interp *I, const Span *call, Frame f, Source **saved)
{
    Core *C = core_of(I);
    if (C->nframes >= C->max_calls)
        return rt_error(I, call, "too many nested calls (more than %d): is the recursion unbounded?",
                        C->max_calls);
    if (C->nframes == C->capframes) {
        int cap = C->capframes ? 2 * C->capframes : 64;
        Frame *fr = mem_realloc(C->frames, (size_t)cap, sizeof *fr, "the call stack");
        if (!fr) return mem_error(I, call, "the call stack");
        C->frames = fr;
        C->capframes = cap;
    }
    if (C->nframes > 0) C->frames[C->nframes - 1].at = *call;
    C->frames[C->nframes++] = f;
    *saved = C->cur;
    C->cur = f.src;
    return 0;
}

void frame_pop(Core *C, Source *saved)
{
    C->cur = saved;
    C->nframes--;
}

/* ---- param and --set ---- */

int core_set_overrides(Interp *I)
{
    Core *C = core_of(I);
    C->nset = I->nsets;
    C->set_names = mem_alloc((size_t)I->nsets + 1, sizeof *C->set_names, "--set");
    C->set_values = mem_alloc((size_t)I->nsets + 1, sizeof *C->set_values, "--set");
    C->set_used = mem_alloc((size_t)I->nsets + 1, sizeof *C->set_used, "--set");
    if (!C->set_names || !C->set_values || !C->set_used) {
        C->nset = 0;
        mem_clear();
        fprintf(stderr, "rdn: error: out of memory reading the --set options\n");
        return ERR_RUNTIME;
    }
    for (int i = 0; i < I->nsets; i++) {
        const char *s = I->argv_sets[i], *eq = strchr(s, '=');
        if (!eq || eq == s) {
            fprintf(stderr, "rdn: error: --set expects NAME=VALUE, found '%s'\n", s);
            return ERR_USAGE;
        }
        C->set_names[i] = strndup(s, (size_t)(eq - s));
        C->set_values[i] = strdup(eq + 1);
        if (!C->set_names[i] || !C->set_values[i]) {
            fprintf(stderr, "rdn: error: out of memory reading --set %s\n", s);
            return ERR_RUNTIME;
        }
    }
    return 0;
}

/* Every --set must name a param of the script: checked before anything runs. */
int core_check_sets(Interp *I, Source *src)
{
    Core *C = core_of(I);
    if (!C->nset) return 0;
    if (!src->root && core_prepare(I, src, stderr)) return ERR_USAGE;
    char best[128];
    Words wl = {0};
    for (int i = 0; i < src->root->nitems; i++)
        if (src->root->items[i]->kind == AST_PARAMDECL) words_add(&wl, src->root->items[i]->str);
    const char *words = words_str(&wl);
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
    words_free(&wl);
    return bad ? ERR_USAGE : 0;
}

/* Only literals: numbers, strings, true/false/nil, lists and records of them. */
static int is_literal(const Ast *e)
{
    switch (e->kind) {
    case AST_NUM: case AST_STR: case AST_BOOL: case AST_NIL: return 1;
    case AST_NEG: return e->a->kind == AST_NUM;
    case AST_LIST:
        for (int i = 0; i < e->nitems; i++)
            if (!is_literal(e->items[i])) return 0;
        return 1;
    case AST_RECORD:
        for (int i = 0; i < e->nitems; i++)
            if (e->items[i]->kind != AST_KWARG || !is_literal(e->items[i]->a)) return 0;
        return 1;
    default: return 0;
    }
}

/* --set NAME=[5, 10, 20] or NAME={lr: 0.2}: the text is an rdn literal of the default's kind. A
 * record replaces only the fields it names; a field the default lacks is an error (as an
 * unknown keyword is). */
static int parse_set_literal(Interp *I, Ast *n, const char *text, Value def, Value *out)
{
    Core *C = core_of(I);
    char name[256];
    snprintf(name, sizeof name, "--set %s", n->str);
    Source *src = source_new(I, name, text, strlen(text));
    if (parse_source(I, src, C->errf, NULL))
        return usage_error(I, &n->span, "--set %s=%s: not a %s literal", n->str, text, val_type_name(def.type));
    Ast *root = src->root;
    if (root->nitems != 1 || root->items[0]->kind != AST_EXPR || !is_literal(root->items[0]->a) ||
        (root->items[0]->a->kind != (def.type == VAL_LIST ? AST_LIST : AST_RECORD)))
        return usage_error(I, &n->span, "--set %s=%s: expected a %s of literal values (the default of '%s' is a %s, "
                           "as in %s)", n->str, text, val_type_name(def.type), n->str, val_type_name(def.type),
                           def.type == VAL_LIST ? "[5, 10, 20]" : "{lr: 0.2}");
    Value v;
    if (eval_expr(I, root->items[0]->a, C->globals, &v)) return -1;
    if (def.type == VAL_LIST) {
        *out = v;
        return 0;
    }
    Value merged = val_record(), x;
    for (int64_t i = 0; i < val_record_len(def); i++) {
        Value d = val_record_at(def, i);
        val_incref(d);
        val_record_set(merged, val_record_key(def, i), d);
    }
    for (int64_t i = 0; i < val_record_len(v); i++) {
        const char *k = val_record_key(v, i);
        if (val_record_get(def, k, &x) != 0) {
            int r = usage_error(I, &n->span, "--set %s=%s: param '%s' has no field '%s'", n->str, text, n->str, k);
            val_decref(v);
            val_decref(merged);
            return r;
        }
        x = val_record_at(v, i);
        val_incref(x);
        val_record_set(merged, k, x);
    }
    val_decref(v);
    *out = merged;
    return 0;
}

static int parse_set(Interp *I, Ast *n, const char *text, Value def, Value *out)
{
    if (def.type == VAL_LIST || def.type == VAL_RECORD) return parse_set_literal(I, n, text, def, out);
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
    Param *p = mem_realloc(I->params, (size_t)I->nparams + 1, sizeof *p, "a param");
    char *pname = p ? mem_strndup(n->str, strlen(n->str), "a param") : NULL;
    if (!pname) {
        if (p) I->params = p;
        val_decref(v);
        return mem_error(I, &n->span, "a param");
    }
    I->params = p;
    p[I->nparams].name = pname;
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
        if (n->b) snprintf(mname, sizeof mname, "%s", n->b->str);
        else if (!is_ident(mname))
            return rt_error(I, at, "import: '%s' cannot be a module name (use letters, digits and _, or "
                            "give one: import \"%s\" as NAME)", mname, p);
        char *rp = realpath(path, NULL);
        if (!rp) return rt_error(I, at, "import: cannot open '%s': %s", path, strerror(errno));
        snprintf(key, sizeof key, "%s", rp);
        free(rp);
    } else {
        snprintf(mname, sizeof mname, "%s", n->b ? n->b->str : n->str);
        snprintf(key, sizeof key, "std:%s", n->str);
    }
    const char *name = core_intern(C, mname, strlen(mname));
    Value cached = VNIL;
    for (int i = 0; i < C->nmodules; i++)
        if (strcmp(C->modules[i].key, key) == 0) cached = C->modules[i].v;
    /* two different modules under one name: the second would silently hide the first */
    Value *old = env_find_local(env, name);
    if (old && old->type == VAL_MODULE && (cached.type != VAL_MODULE || old->as.obj != cached.as.obj)) {
        const char *other = "?";
        for (int i = 0; i < C->nmodules; i++)
            if (C->modules[i].v.as.obj == old->as.obj) other = C->modules[i].key;
        if (strncmp(other, "std:", 4) == 0) other += 4;
        return rt_error(I, at, "import: a module named '%s' is already imported (from %s); give this one "
                        "another name with `as NAME`", name, other);
    }
    if (cached.type == VAL_MODULE) {
        val_incref(cached);
        env_define(env, name, cached);
        return 0;
    }
    /* keys are interned: the cycle check compares pointers (an import chain can be long) */
    const char *ikey = core_intern(C, key, strlen(key));
    if (mem_failed()) return mem_error(I, at, "an import");
    for (int i = 0; i < C->nimport_stack; i++)
        if (C->import_stack[i] == ikey)
            return rt_error(I, at, "import: '%s' imports itself (an import cycle)", n->str);
    Source *src = NULL;
    if (n->op == 1) {
        char why[256];
        size_t len;
        char *text = read_file(path, &len, why, sizeof why);
        if (!text) return rt_error(I, at, "import: cannot read '%s': %s", path, why);
        src = source_new(I, path, text, len);
        free(text);
        if (!src) return mem_error(I, at, "an import");
        RdnErr err;
        if (rdn_out_note_read(&I->out, path, &err) || rdn_out_protect(&I->out, path, &err))
            return rt_error_from(I, at, &err);
    } else {
        const StdlibFile *f = rdn_stdlib;
        while (f->name && strcmp(f->name, n->str) != 0) f++;
        if (!f->name) {
            char best[128];
            Words wl = {0};
            for (const StdlibFile *g = rdn_stdlib; g->name; g++) words_add(&wl, g->name);
            const char *words = words_str(&wl);
            const char *s = suggest(n->str, words, best, sizeof best);
            int r = s ? rt_error(I, at, "import: no module '%s' in the standard library (did you mean '%s'?)", n->str, s)
                      : rt_error(I, at, "import: no module '%s' in the standard library (modules: %s; use import \"file.rdn\" for a file)",
                                 n->str, words);
            words_free(&wl);
            return r;
        }
        char sname[300];
        snprintf(sname, sizeof sname, "<stdlib>/%s.rdn", f->name);
        src = source_new(I, sname, f->text, f->len);
        if (!src) return mem_error(I, at, "an import");
    }
    if (core_prepare(I, src, C->errf))
        return usage_error(I, at, "import: '%s' has errors", n->str);
    /* run it in its own top-level environment, as a call frame */
    const char **st = mem_realloc(C->import_stack, (size_t)C->nimport_stack + 1, sizeof *st, "the import stack");
    if (!st) return mem_error(I, at, "the import stack");
    C->import_stack = st;
    /* an import is a call: it counts against the call limit (a chain of imports thousands deep
     * stops there, not on the C stack) */
    Source *saved;
    if (frame_push(I, at, (Frame){name, src, {0, 0, 0, 0}}, &saved)) return -1;
    st[C->nimport_stack++] = ikey;
    Env *menv = env_new(C, NULL);
    if (!menv) {
        frame_pop(C, saved);
        C->nimport_stack--;
        return mem_error(I, at, "a module");
    }
    C->importing++;
    int r = eval_block(I, src->root, menv, NULL);
    C->importing--;
    frame_pop(C, saved);
    C->nimport_stack--;
    if (r) {
        env_decref(menv);
        return -1;
    }
    Value m = val_module(name, menv);
    env_decref(menv);
    Module *ms = m.type == VAL_MODULE ? mem_realloc(C->modules, (size_t)C->nmodules + 1, sizeof *ms, "a module") : NULL;
    char *mkey = ms ? mem_strndup(key, strlen(key), "a module") : NULL;
    if (!mkey) {
        if (ms) C->modules = ms;
        val_decref(m);
        return mem_error(I, at, "a module");
    }
    C->modules = ms;
    ms[C->nmodules].key = mkey;
    val_incref(m);
    ms[C->nmodules].v = m;
    C->nmodules++;
    env_define(env, name, m);
    return 0;
}
