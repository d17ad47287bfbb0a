/* value.c: reference counting, strings, lists, ranges, boxes, functions, modules, and the text of
 * every value (print shows strings bare, the REPL echo quotes them; domain types print through
 * their TypeOps). Objects are freed without recursion, so a deeply nested list cannot overflow
 * the C stack when it goes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"

/* ---- freeing ---- */

static Obj **pending;
static size_t npending, cappending;
static int freeing;

static void obj_free(Obj *o)
{
    switch (o->type) {
    case VAL_STR:
        free(((ObjStr *)o)->chars);
        break;
    case VAL_LIST: {
        ObjList *l = (ObjList *)o;
        for (int64_t i = 0; i < l->len; i++) val_decref(l->items[i]);
        free(l->items);
        break;
    }
    case VAL_FUNC:
        env_decref(((ObjFunc *)o)->closure);
        break;
    case VAL_MODULE:
        env_decref(((ObjModule *)o)->env);
        break;
    case VAL_RANGE: case VAL_NIL: case VAL_BOOL: case VAL_NUM: case VAL_BUILTIN: case VAL_NTYPES:
        break;
    default: {
        ObjBox *b = (ObjBox *)o;
        if (b->destroy && b->ptr) b->destroy(b->ptr);
        break;
    }
    }
    free(o);
}

void val_incref(Value v)
{
    if (val_is_obj(v)) v.as.obj->refcount++;
}

void val_decref(Value v)
{
    if (!val_is_obj(v)) return;
    Obj *o = v.as.obj;
    if (--o->refcount > 0) return;
    if (npending == cappending) {
        cappending = cappending ? 2 * cappending : 256;
        pending = realloc(pending, cappending * sizeof *pending);
        if (!pending) abort();
    }
    pending[npending++] = o;
    if (freeing) return;
    freeing = 1;
    while (npending) obj_free(pending[--npending]);
    freeing = 0;
    if (cappending > 4096) {
        free(pending);
        pending = NULL;
        cappending = 0;
    }
}

static void *obj_new(size_t size, ValType t)
{
    Obj *o = calloc(1, size);
    if (!o) abort();
    o->refcount = 1;
    o->type = t;
    return o;
}

static Value mk(ValType t, void *o)
{
    Value v = {.type = t};
    v.as.obj = o;
    return v;
}

/* ---- constructors ---- */

Value val_str_n(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (!c) abort();
    if (n) memcpy(c, s, n);
    c[n] = 0;
    ObjStr *o = obj_new(sizeof *o, VAL_STR);
    o->chars = c;
    o->len = n;
    return mk(VAL_STR, o);
}

Value val_str(const char *s) { return val_str_n(s, strlen(s)); }

Value val_str_take(char *s)
{
    ObjStr *o = obj_new(sizeof *o, VAL_STR);
    o->chars = s;
    o->len = strlen(s);
    return mk(VAL_STR, o);
}

const char *val_cstr(Value v) { return v.type == VAL_STR ? ((ObjStr *)v.as.obj)->chars : ""; }

Value val_list(int64_t cap)
{
    ObjList *o = obj_new(sizeof *o, VAL_LIST);
    if (cap > 0) {
        o->items = malloc(sizeof(Value) * (size_t)cap);
        if (!o->items) abort();
        o->cap = cap;
    }
    return mk(VAL_LIST, o);
}

void val_list_push(Value list, Value item)
{
    ObjList *l = (ObjList *)list.as.obj;
    if (l->len == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 8;
        Value *it = realloc(l->items, sizeof(Value) * (size_t)cap);
        if (!it) abort();
        l->items = it;
        l->cap = cap;
    }
    l->items[l->len++] = item;
}

Value val_range(int64_t lo, int64_t hi)
{
    ObjRange *o = obj_new(sizeof *o, VAL_RANGE);
    o->lo = lo;
    o->hi = hi;
    return mk(VAL_RANGE, o);
}

Value val_box(ValType type, void *ptr, void (*destroy)(void *))
{
    ObjBox *o = obj_new(sizeof *o, type);
    o->ptr = ptr;
    o->destroy = destroy;
    return mk(type, o);
}

Value val_func(Ast *def, Env *closure, Source *src)
{
    ObjFunc *o = obj_new(sizeof *o, VAL_FUNC);
    o->def = def;
    o->closure = closure;
    o->src = src;
    env_incref(closure);
    return mk(VAL_FUNC, o);
}

Value val_module(const char *name, Env *env)
{
    ObjModule *o = obj_new(sizeof *o, VAL_MODULE);
    o->name = name;
    o->env = env;
    env_incref(env);
    return mk(VAL_MODULE, o);
}

int val_is_func(Value v) { return v.type == VAL_FUNC || v.type == VAL_BUILTIN; }

/* ---- questions ---- */

const char *val_type_name(ValType t)
{
    static const char *names[VAL_NTYPES] = {
        "nil", "bool", "number", "string", "list", "range", "function", "builtin", "module",
        "tensor", "dataset", "net", "recording", "table", "adaptive", "schedule", "early_stop",
    };
    if (t == VAL_TABLE || (t >= VAL_TENSOR && t < VAL_NTYPES)) {
        const TypeOps *ops = typeops_for(t);
        if (ops && ops->name) return ops->name;
    }
    return t < VAL_NTYPES ? names[t] : "?";
}

int val_truthy(Value v)
{
    switch (v.type) {
    case VAL_NIL: return 0;
    case VAL_BOOL: return v.as.b;
    case VAL_NUM: return v.as.num != 0;
    case VAL_STR: return ((ObjStr *)v.as.obj)->len > 0;
    case VAL_LIST: return ((ObjList *)v.as.obj)->len > 0;
    case VAL_RANGE: return ((ObjRange *)v.as.obj)->hi > ((ObjRange *)v.as.obj)->lo;
    default: return 1;
    }
}

static int equal_at(Value a, Value b, int depth);

int val_equal(Value a, Value b) { return equal_at(a, b, 0); }

/* Would storing item inside list make a list contain itself (a cycle reference counting
 * cannot free)? Depth-first over the lists inside item. */
static int reaches(const ObjList *from, const Obj *target, int depth, long *budget)
{
    if (depth > 10000 || --*budget < 0) return 1;
    for (int64_t i = 0; i < from->len; i++) {
        if (from->items[i].type != VAL_LIST) continue;
        const ObjList *l = (const ObjList *)from->items[i].as.obj;
        if (&l->h == target || reaches(l, target, depth + 1, budget)) return 1;
    }
    return 0;
}

int val_list_would_cycle(Value list, Value item)
{
    if (item.type != VAL_LIST || list.type != VAL_LIST) return 0;
    if (item.as.obj == list.as.obj) return 1;
    long budget = 1000000;
    return reaches((const ObjList *)item.as.obj, list.as.obj, 0, &budget);
}

static int equal_at(Value a, Value b, int depth)
{
    if (a.type != b.type) return 0;
    switch (a.type) {
    case VAL_NIL: return 1;
    case VAL_BOOL: return a.as.b == b.as.b;
    case VAL_NUM: return a.as.num == b.as.num;
    case VAL_BUILTIN: return a.as.bi == b.as.bi;
    case VAL_STR: {
        ObjStr *x = (ObjStr *)a.as.obj, *y = (ObjStr *)b.as.obj;
        return x->len == y->len && memcmp(x->chars, y->chars, x->len) == 0;
    }
    case VAL_RANGE: {
        ObjRange *x = (ObjRange *)a.as.obj, *y = (ObjRange *)b.as.obj;
        return x->lo == y->lo && x->hi == y->hi;
    }
    case VAL_LIST: {
        ObjList *x = (ObjList *)a.as.obj, *y = (ObjList *)b.as.obj;
        if (x == y) return 1;
        if (x->len != y->len) return 0;
        if (depth > 1000) return 0;
        for (int64_t i = 0; i < x->len; i++)
            if (!equal_at(x->items[i], y->items[i], depth + 1)) return 0;
        return 1;
    }
    default: return a.as.obj == b.as.obj;
    }
}

/* ---- text ---- */

typedef struct Buf { char *s; size_t len, cap; } Buf;

static void bput(Buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) abort();
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}
static void bputs(Buf *b, const char *s) { bput(b, s, strlen(s)); }

/* The shortest of %.15g..%.17g that reads back as x; integers without a point. */
void fmt_num(char *out, size_t n, double x)
{
    if (isnan(x)) { snprintf(out, n, "nan"); return; }
    if (isinf(x)) { snprintf(out, n, x > 0 ? "inf" : "-inf"); return; }
    if (x == 0) { snprintf(out, n, "%s", signbit(x) ? "-0" : "0"); return; }
    for (int p = 15; p <= 17; p++) {
        snprintf(out, n, "%.*g", p, x);
        if (strtod(out, NULL) == x) return;
    }
}

static void put_quoted(Buf *b, const ObjStr *s)
{
    bputs(b, "\"");
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->chars[i];
        char esc[8];
        switch (c) {
        case '\n': bputs(b, "\\n"); break;
        case '\t': bputs(b, "\\t"); break;
        case '\r': bputs(b, "\\r"); break;
        case '"': bputs(b, "\\\""); break;
        case '\\': bputs(b, "\\\\"); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(esc, sizeof esc, "\\x%02x", c);
                bputs(b, esc);
            } else {
                bput(b, (const char *)&c, 1);
            }
        }
    }
    bputs(b, "\"");
}

enum { MAX_SHOW_DEPTH = 40, MAX_SHOW_ITEMS = 1000 };
#define MAX_SHOW_BYTES ((size_t)64 << 20)

static void put_value(Buf *b, Value v, int quote, int depth)
{
    char num[64];
    if (b->len > MAX_SHOW_BYTES && depth > 0) {
        if (b->len < MAX_SHOW_BYTES + 16) bputs(b, "...");
        return;
    }
    switch (v.type) {
    case VAL_NIL: bputs(b, "nil"); return;
    case VAL_BOOL: bputs(b, v.as.b ? "true" : "false"); return;
    case VAL_NUM: fmt_num(num, sizeof num, v.as.num); bputs(b, num); return;
    case VAL_STR:
        if (quote) put_quoted(b, (ObjStr *)v.as.obj);
        else bput(b, ((ObjStr *)v.as.obj)->chars, ((ObjStr *)v.as.obj)->len);
        return;
    case VAL_RANGE:
        snprintf(num, sizeof num, "%lld..%lld", (long long)((ObjRange *)v.as.obj)->lo,
                 (long long)((ObjRange *)v.as.obj)->hi);
        bputs(b, num);
        return;
    case VAL_LIST: {
        ObjList *l = (ObjList *)v.as.obj;
        if (depth >= MAX_SHOW_DEPTH) { bputs(b, "[...]"); return; }
        bputs(b, "[");
        for (int64_t i = 0; i < l->len; i++) {
            if (i) bputs(b, ", ");
            if (i == MAX_SHOW_ITEMS && l->len > MAX_SHOW_ITEMS + 10) {
                snprintf(num, sizeof num, "... (%lld items)", (long long)l->len);
                bputs(b, num);
                break;
            }
            put_value(b, l->items[i], 1, depth + 1);
        }
        bputs(b, "]");
        return;
    }
    case VAL_FUNC: {
        Ast *d = ((ObjFunc *)v.as.obj)->def;
        bputs(b, "<fn ");
        bputs(b, d->str ? d->str : "anonymous");
        bputs(b, "(");
        for (int i = 0; i < d->nitems; i++) {
            if (i) bputs(b, ", ");
            bputs(b, d->items[i]->str);
            if (d->items[i]->a) bputs(b, ":");
        }
        bputs(b, ")>");
        return;
    }
    case VAL_BUILTIN:
        bputs(b, "<builtin ");
        bputs(b, v.as.bi->signature ? v.as.bi->signature : v.as.bi->name);
        bputs(b, ">");
        return;
    case VAL_MODULE:
        bputs(b, "<module ");
        bputs(b, ((ObjModule *)v.as.obj)->name);
        bputs(b, ">");
        return;
    default: {
        const TypeOps *ops = typeops_for(v.type);
        if (ops && ops->repr) {
            char *s = ops->repr(v);
            if (s) {
                bputs(b, s);
                free(s);
                return;
            }
        }
        bputs(b, "<");
        bputs(b, val_type_name(v.type));
        bputs(b, ">");
        return;
    }
    }
}

char *val_to_text(Value v)
{
    Buf b = {0};
    bputs(&b, "");
    put_value(&b, v, 0, 0);
    return b.s;
}

char *val_repr(Value v)
{
    Buf b = {0};
    bputs(&b, "");
    put_value(&b, v, 1, 0);
    return b.s;
}
