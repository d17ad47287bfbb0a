/* value.c: reference counting, strings, lists, ranges, boxes, functions, modules, and the text of
 * every value (print shows strings bare, the REPL echo quotes them; domain types print through
 * their TypeOps). Objects are freed without recursion, so a deeply nested list cannot overflow
 * the C stack when it goes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "table.h"

/* ---- freeing ---- */

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
    case VAL_RECORD: {
        ObjRecord *r = (ObjRecord *)o;
        for (int64_t i = 0; i < r->len; i++) {
            free(r->keys[i]);
            val_decref(r->vals[i]);
        }
        free(r->keys);
        free(r->vals);
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
    /* the interpreter's heap (mem.h) holds the objects waiting to be freed */
    Heap *h = heap_current();
    if (!h) { obj_free(o); return; }             /* no interpreter: nothing deep is alive */
    if (h->npending == h->cappending) {
        size_t cap = h->cappending ? 2 * h->cappending : 256;
        Obj **p = realloc(h->pending, cap * sizeof *p);
        if (!p) {                                /* out of memory: free this one right away */
            obj_free(o);
            return;
        }
        h->pending = p;
        h->cappending = cap;
    }
    h->pending[h->npending++] = o;
    if (h->freeing) return;
    h->freeing = 1;
    while (h->npending) obj_free(h->pending[--h->npending]);
    h->freeing = 0;
    if (h->cappending > 4096) {
        free(h->pending);
        h->pending = NULL;
        h->cappending = 0;
    }
}

/* What a constructor returns when memory ran out (the failure is pending, the evaluator raises
 * it when the expression returns): immortal empty objects, never freed, never grown. */
#define IMMORTAL (INT32_MAX / 2)
static ObjStr oom_str = {{IMMORTAL, VAL_STR}, 0, (char[1]){0}};
static ObjList oom_list = {{IMMORTAL, VAL_LIST}, 0, 0, NULL};
static ObjRange oom_range = {{IMMORTAL, VAL_RANGE}, 0, 0};

static void *obj_new(size_t size, ValType t)
{
    Obj *o = mem_alloc(1, size, "a value");
    if (!o) return NULL;
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
    char *c = n < SIZE_MAX ? mem_strndup(s, n, "a string") : NULL;
    ObjStr *o = c ? obj_new(sizeof *o, VAL_STR) : NULL;
    if (!o) {
        free(c);
        return mk(VAL_STR, &oom_str);
    }
    o->chars = c;
    o->len = n;
    return mk(VAL_STR, o);
}

Value val_str(const char *s) { return val_str_n(s, strlen(s)); }

Value val_str_take(char *s)
{
    ObjStr *o = s ? obj_new(sizeof *o, VAL_STR) : NULL;
    if (!o) {
        free(s);
        return mk(VAL_STR, &oom_str);
    }
    o->chars = s;
    o->len = strlen(s);
    return mk(VAL_STR, o);
}

const char *val_cstr(Value v) { return v.type == VAL_STR ? ((ObjStr *)v.as.obj)->chars : ""; }

Value val_list(int64_t cap)
{
    ObjList *o = obj_new(sizeof *o, VAL_LIST);
    if (!o) return mk(VAL_LIST, &oom_list);
    if (cap > 0) {
        o->items = mem_alloc((size_t)cap, sizeof(Value), "a list");
        if (o->items) o->cap = cap;            /* else empty: the failure is pending */
    }
    return mk(VAL_LIST, o);
}

void val_list_push(Value list, Value item)
{
    ObjList *l = (ObjList *)list.as.obj;
    if (l->len == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 8;
        Value *it = l == &oom_list ? NULL : mem_realloc(l->items, (size_t)cap, sizeof(Value), "a list");
        if (!it) {
            if (l == &oom_list) mem_note_failure("a list", sizeof(Value));
            val_decref(item);
            return;
        }
        l->items = it;
        l->cap = cap;
    }
    l->items[l->len++] = item;
}

Value val_record(void) { return mk(VAL_RECORD, obj_new(sizeof(ObjRecord), VAL_RECORD)); }

static int64_t record_find(const ObjRecord *r, const char *key)
{
    for (int64_t i = 0; i < r->len; i++)
        if (strcmp(r->keys[i], key) == 0) return i;
    return -1;
}

int val_record_set(Value rv, const char *key, Value v)
{
    if (rv.type != VAL_RECORD) { val_decref(v); return -1; }
    ObjRecord *r = (ObjRecord *)rv.as.obj;
    int64_t i = record_find(r, key);
    if (i >= 0) {
        Value old = r->vals[i];
        r->vals[i] = v;
        val_decref(old);
        return 0;
    }
    if (r->len == r->cap) {
        int64_t cap = r->cap ? 2 * r->cap : 8;
        char **k = mem_realloc(r->keys, (size_t)cap, sizeof *k, "a record");
        if (!k) { val_decref(v); return -1; }
        r->keys = k;
        Value *vs = mem_realloc(r->vals, (size_t)cap, sizeof *vs, "a record");
        if (!vs) { val_decref(v); return -1; }
        r->vals = vs;
        r->cap = cap;
    }
    char *k = mem_strndup(key, strlen(key), "a record");
    if (!k) { val_decref(v); return -1; }
    r->keys[r->len] = k;
    r->vals[r->len++] = v;
    return 0;
}

int val_record_get(Value rv, const char *key, Value *out)
{
    if (rv.type != VAL_RECORD) return -1;
    const ObjRecord *r = (const ObjRecord *)rv.as.obj;
    int64_t i = record_find(r, key);
    if (i < 0) return -1;
    *out = r->vals[i];
    return 0;
}

int64_t val_record_len(Value r) { return r.type == VAL_RECORD ? ((ObjRecord *)r.as.obj)->len : 0; }
const char *val_record_key(Value r, int64_t i) { return ((ObjRecord *)r.as.obj)->keys[i]; }
Value val_record_at(Value r, int64_t i) { return ((ObjRecord *)r.as.obj)->vals[i]; }

Value val_range(int64_t lo, int64_t hi)
{
    ObjRange *o = obj_new(sizeof *o, VAL_RANGE);
    if (!o) return mk(VAL_RANGE, &oom_range);
    o->lo = lo;
    o->hi = hi;
    return mk(VAL_RANGE, o);
}

Value val_box(ValType type, void *ptr, void (*destroy)(void *))
{
    ObjBox *o = obj_new(sizeof *o, type);
    if (!o) {
        if (destroy && ptr) destroy(ptr);
        return VNIL;
    }
    o->ptr = ptr;
    o->destroy = destroy;
    return mk(type, o);
}

Value val_func(Ast *def, Env *closure, Source *src)
{
    ObjFunc *o = obj_new(sizeof *o, VAL_FUNC);
    if (!o) return VNIL;
    o->def = def;
    o->closure = closure;
    o->src = src;
    env_incref(closure);
    return mk(VAL_FUNC, o);
}

Value val_module(const char *name, Env *env)
{
    ObjModule *o = obj_new(sizeof *o, VAL_MODULE);
    if (!o) return VNIL;
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
        "nil", "bool", "number", "string", "list", "range", "function", "builtin", "module", "record",
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
    case VAL_RECORD: return ((ObjRecord *)v.as.obj)->len > 0;
    case VAL_RANGE: return ((ObjRange *)v.as.obj)->hi > ((ObjRange *)v.as.obj)->lo;
    default: return 1;
    }
}

/* Would storing item inside container (a list or a record) make it contain itself (a cycle
 * reference counting cannot free)? A reachability search over the lists and records inside item:
 * an explicit stack (no recursion) and a set of the containers already seen, so a widely shared
 * structure ([b, b] nested 25 times: 2^25 paths, 26 containers) costs its size, not its paths. */
static int is_container(Value v) { return v.type == VAL_LIST || v.type == VAL_RECORD; }

typedef struct ObjSet { const Obj **slot; size_t cap, n; } ObjSet;   /* open addressing */

static size_t obj_hash(const Obj *o, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)o * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

/* 1 if o was added, 0 if it was there, -1 when memory ran out (the failure is pending). */
static int objset_add(ObjSet *s, const Obj *o)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        const Obj **slot = mem_alloc(cap, sizeof *slot, "a cycle check");
        if (!slot) return -1;
        memset(slot, 0, cap * sizeof *slot);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i]) continue;
            size_t k = obj_hash(s->slot[i], cap);
            while (slot[k]) k = (k + 1) & (cap - 1);
            slot[k] = s->slot[i];
        }
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    size_t k = obj_hash(o, s->cap);
    while (s->slot[k]) {
        if (s->slot[k] == o) return 0;
        k = (k + 1) & (s->cap - 1);
    }
    s->slot[k] = o;
    s->n++;
    return 1;
}

int val_list_would_cycle(Value list, Value item)
{
    if (!is_container(item) || !is_container(list)) return 0;
    if (item.as.obj == list.as.obj) return 1;
    size_t n = 0, cap = 64;
    const Obj **stack = mem_alloc(cap, sizeof *stack, "a cycle check");
    if (!stack) return 1;                  /* refused; the failure is pending */
    ObjSet seen = {0};
    int found = objset_add(&seen, item.as.obj) < 0;
    stack[n++] = item.as.obj;
    while (n && !found) {
        const Obj *o = stack[--n];
        int64_t len = o->type == VAL_LIST ? ((const ObjList *)o)->len : ((const ObjRecord *)o)->len;
        const Value *it = o->type == VAL_LIST ? ((const ObjList *)o)->items : ((const ObjRecord *)o)->vals;
        for (int64_t i = 0; i < len && !found; i++) {
            if (!is_container(it[i])) continue;
            if (it[i].as.obj == list.as.obj) { found = 1; break; }
            int added = objset_add(&seen, it[i].as.obj);
            if (added < 0) { found = 1; break; }      /* refused; the failure is pending */
            if (!added) continue;
            if (n == cap) {
                const Obj **bigger = mem_realloc(stack, 2 * cap, sizeof *stack, "a cycle check");
                if (!bigger) { found = 1; break; }    /* refused; the failure is pending */
                stack = bigger;
                cap *= 2;
            }
            stack[n++] = it[i].as.obj;
        }
    }
    free(stack);
    free(seen.slot);
    return found;
}

/* May a == b be asked? nil with anything, and values of one kind. */
static int comparable(Value a, Value b)
{
    return a.type == b.type || a.type == VAL_NIL || b.type == VAL_NIL;
}

/* One pair of values: 1 equal, 0 not, -1 not comparable; containers of equal size push their
 * element pairs onto the stack instead. */
typedef struct Pair { Value a, b; } Pair;
typedef struct PairStack { Pair *p; size_t n, cap; int failed; } PairStack;

/* Out of memory, the comparison stops with "not equal" and the failure pending (mem.h). */
static void pair_push(PairStack *st, Value a, Value b)
{
    if (st->failed) return;
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 64;
        Pair *p = mem_realloc(st->p, cap, sizeof *p, "a comparison");
        if (!p) { st->failed = 1; return; }
        st->p = p;
        st->cap = cap;
    }
    st->p[st->n++] = (Pair){a, b};
}

static int equal_one(Value a, Value b, PairStack *st)
{
    if (!comparable(a, b)) return -1;
    if (a.type != b.type) return 0;          /* nil and something else */
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
        for (int64_t i = x->len - 1; i >= 0; i--) pair_push(st, x->items[i], y->items[i]);
        return 1;
    }
    case VAL_RECORD: {
        ObjRecord *x = (ObjRecord *)a.as.obj, *y = (ObjRecord *)b.as.obj;
        if (x == y) return 1;
        if (x->len != y->len) return 0;
        for (int64_t i = x->len - 1; i >= 0; i--) {
            int64_t j = record_find(y, x->keys[i]);
            if (j < 0) return 0;
            pair_push(st, x->vals[i], y->vals[j]);
        }
        return 1;
    }
    case VAL_TABLE: return rdn_table_equal(val_ptr(a), val_ptr(b));
    default: return a.as.obj == b.as.obj;
    }
}

int val_compare_eq(Value a, Value b, ValType *bad_a, ValType *bad_b)
{
    PairStack st = {0};
    pair_push(&st, a, b);
    int r = 1;
    while (st.n && r == 1 && !st.failed) {
        Pair p = st.p[--st.n];
        r = equal_one(p.a, p.b, &st);
        if (r < 0) {
            if (bad_a) *bad_a = p.a.type;
            if (bad_b) *bad_b = p.b.type;
        }
    }
    if (st.failed) r = 0;
    free(st.p);
    return r;
}

int val_equal(Value a, Value b) { return val_compare_eq(a, b, NULL, NULL) == 1; }

/* ---- text ---- */

typedef struct Buf { char *s; size_t len, cap; int failed; } Buf;

static void bput(Buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = mem_realloc(b->s, cap, 1, "the text of a value");
        if (!p) {                          /* the failure is pending; the text stops here */
            b->failed = 1;
            return;
        }
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

/* A record key that prints bare: a name, and not a word of the language. */
static int is_identifier(const char *s)
{
    static const char *const words[] = {"and", "or", "not", "if", "else", "while", "for", "in", "fn",
        "return", "break", "continue", "param", "import", "true", "false", "nil", NULL};
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    for (int i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0) return 0;
    return 1;
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
    case VAL_RECORD: {
        ObjRecord *r = (ObjRecord *)v.as.obj;
        if (depth >= MAX_SHOW_DEPTH) { bputs(b, "{...}"); return; }
        bputs(b, "{");
        for (int64_t i = 0; i < r->len; i++) {
            if (i) bputs(b, ", ");
            if (i == MAX_SHOW_ITEMS && r->len > MAX_SHOW_ITEMS + 10) {
                snprintf(num, sizeof num, "... (%lld fields)", (long long)r->len);
                bputs(b, num);
                break;
            }
            if (is_identifier(r->keys[i])) {
                bputs(b, r->keys[i]);
            } else {
                ObjStr k = {.len = strlen(r->keys[i]), .chars = r->keys[i]};
                put_quoted(b, &k);
            }
            bputs(b, ": ");
            put_value(b, r->vals[i], 1, depth + 1);
        }
        bputs(b, "}");
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

/* NULL only when memory ran out (the failure is pending). */
char *val_to_text(Value v)
{
    Buf b = {0};
    bputs(&b, "");
    put_value(&b, v, 0, 0);
    if (b.failed) { free(b.s); return NULL; }
    return b.s;
}

char *val_repr(Value v)
{
    Buf b = {0};
    bputs(&b, "");
    put_value(&b, v, 1, 0);
    if (b.failed) { free(b.s); return NULL; }
    return b.s;
}
