/* check.c: `rdn check FILE`: every syntax error, every misplaced statement, every unknown name
 * (with did-you-mean) and every unknown keyword or wrong positional count in a call of a
 * builtin, found without running anything. Scopes follow the runtime's assignment rule: a name
 * assigned in a block belongs to that block unless an enclosing one already has it. */
#include <stdarg.h>
#include <stdint.h>
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
    int *slot; int nslot;    /* hash of the interned names[] pointers: index + 1, 0 empty */
    char *unk;               /* unk[i]: names[i] is an unknown name already reported */
    struct Scope *parent;
} Scope;

/* Did-you-mean for the first unknown names only: each search reads every visible name, and a
 * file of thousands of unknown names must still be checked in linear time. */
enum { MAX_SUGGESTIONS = 200 };

typedef struct Checker { Interp *I; Source *src; FILE *errf; int nerr, nunknown, oom; } Checker;

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

static size_t ptr_hash(const char *p)
{
    size_t h = (size_t)(uintptr_t)p;
    return (h >> 4) * 0x9E3779B97F4A7C15ull;
}

/* Index of name in s alone, or -1. Small scopes are scanned; big ones use the hash. */
static int scope_find(const Scope *s, const char *name)
{
    if (!s->nslot) {
        for (int i = 0; i < s->n; i++)
            if (s->names[i] == name) return i;
        return -1;
    }
    for (size_t j = ptr_hash(name) & (size_t)(s->nslot - 1);; j = (j + 1) & (size_t)(s->nslot - 1)) {
        int k = s->slot[j];
        if (!k) return -1;
        if (s->names[k - 1] == name) return k - 1;
    }
}

static void slot_put(Scope *s, int i)
{
    size_t j = ptr_hash(s->names[i]) & (size_t)(s->nslot - 1);
    while (s->slot[j]) j = (j + 1) & (size_t)(s->nslot - 1);
    s->slot[j] = i + 1;
}

static int scope_has(const Scope *s, const char *name)
{
    for (; s; s = s->parent)
        if (scope_find(s, name) >= 0) return 1;
    return 0;
}

static void scope_bind_as(Checker *k, Scope *s, const char *name, Ast *fn, int known)
{
    int i = scope_find(s, name);
    if (i >= 0) {
        if (s->fns[i] != fn) s->fns[i] = NULL;          /* bound more than once: unknown callee */
        return;
    }
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 8;
        const char **names = mem_realloc(s->names, (size_t)cap, sizeof *names, "rdn check");
        if (names) s->names = names;
        Ast **fns = names ? mem_realloc(s->fns, (size_t)cap, sizeof *fns, "rdn check") : NULL;
        if (fns) s->fns = fns;
        Ast **mods = fns ? mem_realloc(s->mods, (size_t)cap, sizeof *mods, "rdn check") : NULL;
        if (mods) s->mods = mods;
        char *unk = mods ? mem_realloc(s->unk, (size_t)cap, 1, "rdn check") : NULL;
        if (!unk) {
            mem_clear();
            k->oom = 1;
            return;
        }
        s->unk = unk;
        s->cap = cap;
    }
    s->fns[s->n] = fn;
    s->mods[s->n] = NULL;
    s->unk[s->n] = !known;
    s->names[s->n++] = name;
    if (s->n > 16 && (size_t)s->n * 2 > (size_t)s->nslot) {
        int nslot = s->nslot ? 2 * s->nslot : 64;
        while (nslot < 2 * s->n) nslot *= 2;
        int *slot = mem_alloc((size_t)nslot, sizeof *slot, "rdn check");
        if (!slot) {                                    /* stay with the linear scan */
            mem_clear();
            free(s->slot);
            s->slot = NULL;
            s->nslot = 0;
            return;
        }
        free(s->slot);
        s->slot = slot;
        s->nslot = nslot;
        for (int j = 0; j < s->n; j++) slot_put(s, j);
    } else if (s->nslot) {
        slot_put(s, s->n - 1);
    }
}

static Checker *cur_checker;   /* for scope_add's callers below (one check at a time) */
static void scope_bind(Scope *s, const char *name, Ast *fn) { scope_bind_as(cur_checker, s, name, fn, 1); }
static void scope_add(Scope *s, const char *name) { scope_bind(s, name, NULL); }

/* The module a name was imported as (its parsed top level), or NULL. */
static Ast *scope_mod(const Scope *s, const char *name)
{
    for (; s; s = s->parent) {
        int i = scope_find(s, name);
        if (i >= 0) return s->mods[i];
    }
    return NULL;
}

static void scope_free(Scope *s)
{
    free(s->names);
    free(s->fns);
    free(s->mods);
    free(s->unk);
    free(s->slot);
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
    for (; s; s = s->parent) {
        int i = scope_find(s, name);
        if (i >= 0) return s->fns[i];
    }
    return NULL;
}

static const char *import_name(Checker *k, Ast *st)
{
    const char *p = st->str ? st->str : "";
    if (st->b) return st->b->str;
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
            int j = scope_find(s, nm);
            if (j >= 0) s->mods[j] = module_root(k, st);
            break;
        }
        default: break;
        }
    }
}

static void unknown(Checker *k, Scope *s, Ast *n)
{
    const char *sg = NULL;
    char best[128];
    if (k->nunknown++ < MAX_SUGGESTIONS) {
        /* the names a program defines (not the unknown ones already reported), then builtins */
        Words words = {0};
        for (Scope *t = s; t; t = t->parent)
            for (int i = 0; i < t->n; i++)
                if (!t->unk[i]) words_add(&words, t->names[i]);
        mem_clear();
        sg = suggest(n->str, words_str(&words), best, sizeof best);
        for (int i = 0; !sg && builtin_at(i); i++) sg = suggest(n->str, builtin_at(i)->name, best, sizeof best);
        words_free(&words);
    }
    if (sg) cerr(k, n->span, "unknown name '%s' (did you mean '%s'?)", n->str, sg);
    else cerr(k, n->span, "unknown name '%s'", n->str);
    scope_bind_as(k, s, n->str, NULL, 0);     /* report each unknown name once per scope */
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
        Words words = {0};
        for (int q = 0; q < fn->nitems; q++) words_add(&words, fn->items[q]->str);
        Span sp = arg->c ? arg->c->span : arg->span;
        const char *sg = suggest(arg->str, words_str(&words), best, sizeof best);
        if (sg) cerr(k, sp, "%s: unknown keyword '%s' (did you mean '%s'?)", fn->str, arg->str, sg);
        else cerr(k, sp, "%s: unknown keyword '%s'", fn->str, arg->str);
        words_free(&words);
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
    int npos = 0, min_pos = bi->min_pos, max_pos = bi->max_pos;
    for (const Builtin *r = builtin_next_same(bi); r; r = builtin_next_same(r)) {
        if (r->min_pos < min_pos) min_pos = r->min_pos;
        if (max_pos >= 0 && (r->max_pos < 0 || r->max_pos > max_pos)) max_pos = r->max_pos;
    }
    char best[128];
    for (int i = 0; i < n->nitems; i++) {
        Ast *arg = n->items[i];
        if (arg->kind == AST_SPREAD) continue;
        if (arg->kind != AST_KWARG) {
            npos++;
            if (max_pos >= 0 && npos == max_pos + 1)
                cerr(k, arg->span, "%s: expected at most %d positional argument%s (%s)", bi->name, max_pos,
                     max_pos == 1 ? "" : "s", bi->signature);
            continue;
        }
        /* the kinds of the arguments are not known here: a keyword of any overload is accepted */
        int any = 0;                                         /* any keyword (report) */
        for (const Builtin *r = bi; r && !any; r = builtin_next_same(r))
            any = r->keywords && strcmp(r->keywords, "*") == 0;
        if (any) continue;
        int found = 0;
        for (const Builtin *r = bi; r && !found; r = builtin_next_same(r)) {
            const char *kw = r->keywords ? r->keywords : "";
            const char *p = strstr(kw, arg->str);
            size_t l = strlen(arg->str);
            while (p && !found) {
                found = (p == kw || p[-1] == ' ') && (p[l] == 0 || p[l] == ' ');
                p = strstr(p + 1, arg->str);
            }
        }
        if (found) continue;
        char kw[1024] = "";
        for (const Builtin *r = bi; r; r = builtin_next_same(r))
            if (r->keywords && *r->keywords && strlen(kw) + strlen(r->keywords) + 2 < sizeof kw) {
                if (*kw) strcat(kw, " ");
                strcat(kw, r->keywords);
            }
        Span sp = arg->c ? arg->c->span : arg->span;
        const char *sg = suggest(arg->str, kw, best, sizeof best);
        if (sg) cerr(k, sp, "%s: unknown keyword '%s' (did you mean '%s'?)", bi->name, arg->str, sg);
        else if (!*kw) cerr(k, sp, "%s: unknown keyword '%s' (%s takes no keywords)", bi->name, arg->str, bi->name);
        else cerr(k, sp, "%s: unknown keyword '%s' (keywords: %s)", bi->name, arg->str, kw);
    }
    if (npos < min_pos)
        cerr(k, n->span, "%s: expected at least %d positional argument%s, found %d (%s)", bi->name, min_pos,
             min_pos == 1 ? "" : "s", npos, bi->signature);
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
    scope_free(&s);
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
            for (int i = 0; i < ms.n; i++) found |= ms.names[i] == n->str;
            if (!found) {
                char best[128];
                Words words = {0};
                for (int i = 0; i < ms.n; i++) words_add(&words, ms.names[i]);
                const char *sg = suggest(n->str, words_str(&words), best, sizeof best);
                Span sp = n->c ? n->c->span : n->span;
                if (sg) cerr(k, sp, "module '%s' has no member '%s' (did you mean '%s'?)", n->a->str, n->str, sg);
                else cerr(k, sp, "module '%s' has no member '%s'", n->a->str, n->str);
                words_free(&words);
            }
            scope_free(&ms);
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
    Checker k = {I, src, errf, 0, 0, 0};
    Checker *saved = cur_checker;
    cur_checker = &k;
    walk_block(&k, NULL, root, NULL, NULL);
    cur_checker = saved;
    if (k.oom) {
        mem_clear();
        k.nerr++;
        if (errf) fprintf(errf, "%s: error: out of memory: the check stopped short\n", src->name);
    }
    return n + k.nerr;
}
