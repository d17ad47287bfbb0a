/* check.c: `rdn check FILE`: every syntax error, every misplaced statement, every unknown name
 * (with did-you-mean) and every unknown keyword or wrong positional count in a call of a
 * builtin, found without running anything. Scopes follow the runtime's assignment rule: a name
 * assigned in a block belongs to that block unless an enclosing one already has it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core.h"

typedef struct StdlibFile { const char *name; const char *text; size_t len; } StdlibFile;
extern const StdlibFile rdn_stdlib[];

typedef struct Scope {
    const char **names; int n, cap;
    Ast **fns;               /* the `fn` that alone binds names[i], or NULL */
    Ast **mods;              /* the top level of the module names[i] imports, or NULL */
    struct Scope *parent;
} Scope;

typedef struct Checker { Interp *I; Source *src; FILE *errf; int nerr; } Checker;

static void cerr(Checker *k, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cerr(Checker *k, Span sp, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    k->nerr++;
    if (k->errf) diag_print(k->errf, k->src, sp, msg);
}

static int scope_has(const Scope *s, const char *name)
{
    for (; s; s = s->parent)
        for (int i = 0; i < s->n; i++)
            if (s->names[i] == name) return 1;
    return 0;
}

static void scope_bind(Scope *s, const char *name, Ast *fn)
{
    for (int i = 0; i < s->n; i++)
        if (s->names[i] == name) {
            if (s->fns[i] != fn) s->fns[i] = NULL;      /* bound more than once: unknown callee */
            return;
        }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->names = realloc(s->names, sizeof *s->names * (size_t)s->cap);
        s->fns = realloc(s->fns, sizeof *s->fns * (size_t)s->cap);
        s->mods = realloc(s->mods, sizeof *s->mods * (size_t)s->cap);
        if (!s->names || !s->fns || !s->mods) abort();
    }
    s->fns[s->n] = fn;
    s->mods[s->n] = NULL;
    s->names[s->n++] = name;
}

static void scope_add(Scope *s, const char *name) { scope_bind(s, name, NULL); }

/* The module a name was imported as (its parsed top level), or NULL. */
static Ast *scope_mod(const Scope *s, const char *name)
{
    for (; s; s = s->parent)
        for (int i = 0; i < s->n; i++)
            if (s->names[i] == name) return s->mods[i];
    return NULL;
}

/* The file an import statement names, resolved as import does. */
static void import_path(Checker *k, Ast *st, char *path, size_t n)
{
    const char *cur = k->src->name, *slash = strrchr(cur, '/');
    if (st->str[0] != '/' && slash && cur[0] != '<')
        snprintf(path, n, "%.*s/%s", (int)(slash - cur), cur, st->str);
    else
        snprintf(path, n, "%s", st->str);
}

/* Parses the module an import names (quietly) for checking its members; NULL if unavailable. */
static Ast *module_root(Checker *k, Ast *st)
{
    if (!st->str) return NULL;
    Source *src = NULL;
    if (st->op == 1) {
        char path[4096];
        import_path(k, st, path, sizeof path);
        FILE *f = fopen(path, "rb");
        if (!f) return NULL;
        fclose(f);
        Core *C = core_of(k->I);
        FILE *saved = C->errf;
        C->errf = NULL;
        src = source_load(k->I, path);
        C->errf = saved;
    } else {
        const StdlibFile *f = rdn_stdlib;
        while (f->name && strcmp(f->name, st->str) != 0) f++;
        if (f->name) src = source_new(k->I, f->name, f->text, f->len);
    }
    if (!src || parse_source(k->I, src, NULL, NULL) != 0) return NULL;
    return src->root;
}

/* The fn a name is bound to, if that is the only binding of the nearest scope holding it. */
static Ast *scope_fn(const Scope *s, const char *name)
{
    for (; s; s = s->parent)
        for (int i = 0; i < s->n; i++)
            if (s->names[i] == name) return s->fns[i];
    return NULL;
}

static const char *import_name(Checker *k, Ast *st)
{
    const char *p = st->str ? st->str : "";
    if (st->op != 1) return p;
    const char *b = strrchr(p, '/');
    b = b ? b + 1 : p;
    size_t l = strlen(b);
    if (l > 4 && strcmp(b + l - 4, ".rdn") == 0) l -= 4;
    return core_intern(core_of(k->I), b, l);
}

/* Binds, ahead of use (a block may call functions defined further down), the names a block's
 * own statements assign. */
static void collect(Checker *k, Scope *s, Ast *block)
{
    for (int i = 0; i < block->nitems; i++) {
        Ast *st = block->items[i];
        switch (st->kind) {
        case AST_ASSIGN:
            for (int j = 0; j < st->nitems; j++)
                if (st->items[j]->kind == AST_NAME && !scope_has(s, st->items[j]->str)) scope_add(s, st->items[j]->str);
            break;
        case AST_FN:
            scope_bind(s, st->str, st);
            break;
        case AST_PARAMDECL:
            scope_add(s, st->str);
            break;
        case AST_IMPORT: {
            const char *nm = import_name(k, st);
            scope_add(s, nm);
            for (int j = 0; j < s->n; j++)
                if (s->names[j] == nm) s->mods[j] = module_root(k, st);
            break;
        }
        default: break;
        }
    }
}

static void unknown(Checker *k, Scope *s, Ast *n)
{
    size_t cap = 256, len = 0;
    char *words = malloc(cap), best[128];
    if (!words) abort();
    words[0] = 0;
    for (Scope *t = s; t; t = t->parent)
        for (int i = 0; i < t->n; i++) {
            size_t l = strlen(t->names[i]);
            if (len + l + 2 > cap) {
                cap = 2 * (len + l + 2);
                words = realloc(words, cap);
                if (!words) abort();
            }
            memcpy(words + len, t->names[i], l);
            len += l;
            words[len++] = ' ';
            words[len] = 0;
        }
    const char *sg = suggest(n->str, words, best, sizeof best);
    for (int i = 0; !sg && builtin_at(i); i++) sg = suggest(n->str, builtin_at(i)->name, best, sizeof best);
    if (sg) cerr(k, n->span, "unknown name '%s' (did you mean '%s'?)", n->str, sg);
    else cerr(k, n->span, "unknown name '%s'", n->str);
    free(words);
    scope_add(s, n->str);          /* report each unknown name once per scope */
}

/* A call of a function defined with `fn NAME`: keywords, argument counts. */
static void check_fn_call(Checker *k, Ast *fn, Ast *n)
{
    char best[128];
    int npos = 0, spread = 0;
    for (int i = 0; i < n->nitems; i++) {
        Ast *arg = n->items[i];
        if (arg->kind == AST_SPREAD) { spread = 1; continue; }   /* its keywords are known at run time */
        if (arg->kind != AST_KWARG) {
            if (++npos == fn->nitems + 1)
                cerr(k, arg->span, "%s: expected at most %d argument%s", fn->str, fn->nitems, fn->nitems == 1 ? "" : "s");
            continue;
        }
        int j = 0;
        while (j < fn->nitems && fn->items[j]->str != arg->str) j++;
        if (j < fn->nitems) continue;
        size_t len = 1;
        for (int q = 0; q < fn->nitems; q++) len += strlen(fn->items[q]->str) + 1;
        char *words = calloc(1, len);
        if (!words) abort();
        for (int q = 0; q < fn->nitems; q++) { strcat(words, fn->items[q]->str); strcat(words, " "); }
        Span sp = arg->c ? arg->c->span : arg->span;
        const char *sg = suggest(arg->str, words, best, sizeof best);
        if (sg) cerr(k, sp, "%s: unknown keyword '%s' (did you mean '%s'?)", fn->str, arg->str, sg);
        else cerr(k, sp, "%s: unknown keyword '%s'", fn->str, arg->str);
        free(words);
    }
    for (int j = npos; j < fn->nitems && !spread; j++) {
        if (fn->items[j]->a) continue;
        int given = 0;
        for (int i = 0; i < n->nitems && !given; i++)
            given = n->items[i]->kind == AST_KWARG && n->items[i]->str == fn->items[j]->str;
        if (!given) cerr(k, n->span, "%s: missing argument '%s'", fn->str, fn->items[j]->str);
    }
}

static void check_call(Checker *k, Scope *s, Ast *n)
{
    if (n->a->kind != AST_NAME) return;
    if (scope_has(s, n->a->str)) {
        Ast *fn = scope_fn(s, n->a->str);
        if (fn) check_fn_call(k, fn, n);
        return;
    }
    const Builtin *bi = builtin_find(n->a->str);
    if (!bi) return;
    int npos = 0;
    char best[128];
    for (int i = 0; i < n->nitems; i++) {
        Ast *arg = n->items[i];
        if (arg->kind == AST_SPREAD) continue;
        if (arg->kind != AST_KWARG) {
            npos++;
            if (bi->max_pos >= 0 && npos == bi->max_pos + 1)
                cerr(k, arg->span, "%s: expected at most %d positional argument%s (%s)", bi->name, bi->max_pos,
                     bi->max_pos == 1 ? "" : "s", bi->signature);
            continue;
        }
        const char *kw = bi->keywords ? bi->keywords : "";
        const char *p = strstr(kw, arg->str);
        size_t l = strlen(arg->str);
        int found = 0;
        while (p && !found) {
            found = (p == kw || p[-1] == ' ') && (p[l] == 0 || p[l] == ' ');
            p = strstr(p + 1, arg->str);
        }
        if (found) continue;
        Span sp = arg->c ? arg->c->span : arg->span;
        const char *sg = suggest(arg->str, kw, best, sizeof best);
        if (sg) cerr(k, sp, "%s: unknown keyword '%s' (did you mean '%s'?)", bi->name, arg->str, sg);
        else if (!*kw) cerr(k, sp, "%s: unknown keyword '%s' (%s takes no keywords)", bi->name, arg->str, bi->name);
        else cerr(k, sp, "%s: unknown keyword '%s' (keywords: %s)", bi->name, arg->str, kw);
    }
    if (npos < bi->min_pos)
        cerr(k, n->span, "%s: expected at least %d positional argument%s, found %d (%s)", bi->name, bi->min_pos,
             bi->min_pos == 1 ? "" : "s", npos, bi->signature);
}

static void walk(Checker *k, Scope *s, Ast *n);

static void walk_block(Checker *k, Scope *parent, Ast *block, Ast *fn, const char *loopvar)
{
    Scope s = {0};
    s.parent = parent;
    if (fn)
        for (int i = 0; i < fn->nitems; i++) scope_add(&s, fn->items[i]->str);
    if (loopvar) scope_add(&s, loopvar);
    collect(k, &s, block);
    if (fn)
        for (int i = 0; i < fn->nitems; i++) walk(k, &s, fn->items[i]->a);
    for (int i = 0; i < block->nitems; i++) walk(k, &s, block->items[i]);
    free(s.names);
    free(s.fns);
    free(s.mods);
}

static void walk(Checker *k, Scope *s, Ast *n)
{
    if (!n) return;
    switch (n->kind) {
    case AST_NAME:
        if (!scope_has(s, n->str) && !builtin_find(n->str)) unknown(k, s, n);
        return;
    case AST_FN:
        if (n->str && !scope_has(s, n->str)) scope_bind(s, n->str, n);
        walk_block(k, s, n->a, n, NULL);
        return;
    case AST_FOR:
        walk(k, s, n->a);
        walk_block(k, s, n->b, NULL, n->str);
        return;
    case AST_WHILE:
        walk(k, s, n->a);
        walk_block(k, s, n->b, NULL, NULL);
        return;
    case AST_IF:
        walk(k, s, n->a);
        walk_block(k, s, n->b, NULL, NULL);
        if (n->c && n->c->kind == AST_IF) walk(k, s, n->c);
        else if (n->c) walk_block(k, s, n->c, NULL, NULL);
        return;
    case AST_BLOCK:
        walk_block(k, s, n, NULL, NULL);
        return;
    case AST_ASSIGN:
        walk(k, s, n->a);
        for (int i = 0; i < n->nitems; i++) {
            Ast *t = n->items[i];
            if (t->kind == AST_NAME) {
                if (n->op && !scope_has(s, t->str) && !builtin_find(t->str)) unknown(k, s, t);
                else scope_add(s, t->str);
            } else {
                walk(k, s, t);
            }
        }
        return;
    case AST_MEMBER:
        walk(k, s, n->a);
        if (n->a->kind == AST_NAME) {
            Ast *m = scope_mod(s, n->a->str);
            if (!m) return;
            Scope ms = {0};
            collect(k, &ms, m);
            int found = 0;
            size_t len = 1;
            for (int i = 0; i < ms.n; i++) {
                found |= ms.names[i] == n->str;
                len += strlen(ms.names[i]) + 1;
            }
            if (!found) {
                char *words = calloc(1, len), best[128];
                if (!words) abort();
                for (int i = 0; i < ms.n; i++) { strcat(words, ms.names[i]); strcat(words, " "); }
                const char *sg = suggest(n->str, words, best, sizeof best);
                Span sp = n->c ? n->c->span : n->span;
                if (sg) cerr(k, sp, "module '%s' has no member '%s' (did you mean '%s'?)", n->a->str, n->str, sg);
                else cerr(k, sp, "module '%s' has no member '%s'", n->a->str, n->str);
                free(words);
            }
            free(ms.names);
            free(ms.fns);
            free(ms.mods);
        }
        return;
    case AST_KWARG:
        walk(k, s, n->a);
        return;
    case AST_CALL:
        check_call(k, s, n);
        break;
    case AST_IMPORT:
        if (!n->str) return;
        if (n->op == 1) {
            /* the file must exist (relative to the checked file, as import resolves it) */
            char path[4096];
            import_path(k, n, path, sizeof path);
            if (access(path, R_OK) != 0) cerr(k, n->span, "import: cannot open '%s'", path);
        } else {
            const StdlibFile *f = rdn_stdlib;
            while (f->name && strcmp(f->name, n->str) != 0) f++;
            if (!f->name) cerr(k, n->span, "import: no module '%s' in the standard library", n->str);
        }
        return;
    default:
        break;
    }
    walk(k, s, n->a);
    walk(k, s, n->b);
    walk(k, s, n->c);
    for (int i = 0; i < n->nitems; i++) walk(k, s, n->items[i]);
}

int check_source(Interp *I, Source *src, FILE *errf)
{
    int n = core_prepare(I, src, errf);
    Ast *root = src->root ? src->root : src->partial;
    if (!root) return n ? n : 1;
    Checker k = {I, src, errf, 0};
    walk_block(&k, NULL, root, NULL, NULL);
    return n + k.nerr;
}
