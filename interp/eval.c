/* eval.c: the tree walker. One switch over expression kinds (eval) and one over statement kinds
 * (exec); calls of functions and builtins; member access and indexing; imports.
 * Every function returns 0 (or a control code) and fills an owned Value, or -1 with the error
 * pending in the Core (see diag.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "rmath.h"

enum { EX_OK = 0, EX_ERR = -1, EX_BREAK = 1, EX_CONTINUE = 2, EX_RETURN = 3 };

static int eval(Interp *I, Ast *n, Env *env, Value *out);
static int exec(Interp *I, Ast *n, Env *env, Value *ret);

/* The truth of a condition. A tensor has none: `t == u` compares element by element, so taking
 * it as true would silently pass every test; the error points to all() and any(). */
static int truth(Interp *I, const Span *at, Value v, int *t)
{
    if (v.type == VAL_TENSOR)
        return rt_error(I, at, "a tensor is neither true nor false (tensor comparisons are element "
                               "by element): use all(...) or any(...)");
    *t = val_truthy(v);
    return 0;
}

static int interrupted(Interp *I, const Span *at)
{
    rdn_interrupt = 0;
    RdnErr e = {RDN_INTERRUPTED, "interrupted"};
    return rt_error_from(I, at, &e);
}

/* Polled at every loop iteration and call: Ctrl-C and the fuzzer's step limit. */
static int poll(Interp *I, const Span *at)
{
    Core *C = core_of(I);
    if (rdn_interrupt) return interrupted(I, at);
    if (C->max_steps && ++C->steps > C->max_steps)
        return rt_error(I, at, "step limit reached (%lld steps)", C->max_steps);
    return 0;
}

int unknown_name(Interp *I, Env *env, const char *name, const Span *at)
{
    char best[128];
    Words words = {0};
    for (Env *e = env; e; e = e->parent)
        for (int i = 0; i < e->n; i++) words_add(&words, e->names[i]);
    const char *s = suggest(name, words_str(&words), best, sizeof best);
    if (!s) {
        /* builtins */
        int bestd = 0;
        for (int i = 0; builtin_at(i); i++) {
            const char *w = builtin_at(i)->name;
            if (suggest(name, w, best, sizeof best)) { s = best; bestd = 1; break; }
        }
        (void)bestd;
    }
    words_free(&words);
    if (s) return rt_error(I, at, "unknown name '%s' (did you mean '%s'?)", name, s);
    return rt_error(I, at, "unknown name '%s'", name);
}

/* ---- operators ---- */

static int is_tensor(Value v) { return v.type == VAL_TENSOR; }

static int cmp_result(RdnOp op, int c)
{
    switch (op) {
    case RDN_OP_LT: return c < 0;
    case RDN_OP_GT: return c > 0;
    case RDN_OP_LE: return c <= 0;
    case RDN_OP_GE: return c >= 0;
    default: return 0;
    }
}

static int binop(Interp *I, RdnOp op, Value a, Value b, const Span *at, Value *out)
{
    if (op == RDN_OP_EQ || op == RDN_OP_NE) {
        if ((is_tensor(a) || is_tensor(b)) && (a.type == VAL_NUM || is_tensor(a)) &&
            (b.type == VAL_NUM || is_tensor(b)))
            return tensor_binop(I, op, a, b, at, out);
        ValType ta = a.type, tb = b.type;
        int eq = val_compare_eq(a, b, &ta, &tb);
        if (eq < 0) {
            if (ta == a.type && tb == b.type)
                return rt_error(I, at, "cannot compare a %s with a %s (%s between different kinds is an "
                                "error; only nil compares with anything)", val_type_name(ta),
                                val_type_name(tb), rdn_op_name(op));
            return rt_error(I, at, "cannot compare a %s with a %s inside the %ss compared by %s",
                            val_type_name(ta), val_type_name(tb), val_type_name(a.type), rdn_op_name(op));
        }
        *out = val_bool(op == RDN_OP_EQ ? eq : !eq);
        return 0;
    }
    if (is_tensor(a) || is_tensor(b)) return tensor_binop(I, op, a, b, at, out);
    if (a.type == VAL_NUM && b.type == VAL_NUM) {
        double x = a.as.num, y = b.as.num, r;
        switch (op) {
        case RDN_OP_ADD: r = x + y; break;
        case RDN_OP_SUB: r = x - y; break;
        case RDN_OP_MUL: r = x * y; break;
        case RDN_OP_DIV: r = x / y; break;
        case RDN_OP_MOD:
            r = fmod(x, y);
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            break;
        case RDN_OP_POW: r = rdn_pow(x, y); break;
        case RDN_OP_LT: case RDN_OP_GT: case RDN_OP_LE: case RDN_OP_GE:
            *out = val_bool(cmp_result(op, x < y ? -1 : x > y ? 1 : 0) && !isnan(x) && !isnan(y));
            return 0;
        default:
            return rt_error(I, at, "operator '%s' needs tensors (found two numbers)", rdn_op_name(op));
        }
        *out = val_num(r);
        return 0;
    }
    if (a.type == VAL_STR && b.type == VAL_STR) {
        const ObjStr *x = (const ObjStr *)a.as.obj, *y = (const ObjStr *)b.as.obj;
        if (op == RDN_OP_ADD) {
            if (x->len + y->len > RDN_MAX_STR)
                return rt_error(I, at, "string too long (%zu bytes; the limit is %zu)", x->len + y->len,
                                (size_t)RDN_MAX_STR);
            char *s = mem_alloc(x->len + y->len + 1, 1, "a string");
            if (!s) return mem_error(I, at, "a string");
            memcpy(s, x->chars, x->len);
            memcpy(s + x->len, y->chars, y->len + 1);
            *out = val_str_n(s, x->len + y->len);
            free(s);
            return 0;
        }
        if (op == RDN_OP_LT || op == RDN_OP_GT || op == RDN_OP_LE || op == RDN_OP_GE) {
            size_t m = x->len < y->len ? x->len : y->len;
            int c = memcmp(x->chars, y->chars, m);
            if (c == 0) c = x->len < y->len ? -1 : x->len > y->len;
            *out = val_bool(cmp_result(op, c));
            return 0;
        }
    }
    if (a.type == VAL_LIST && b.type == VAL_LIST && op == RDN_OP_ADD) {
        const ObjList *x = (const ObjList *)a.as.obj, *y = (const ObjList *)b.as.obj;
        if (x->len + y->len > RDN_MAX_LIST)
            return rt_error(I, at, "list too long (%lld items; the limit is %lld)", (long long)(x->len + y->len),
                            (long long)RDN_MAX_LIST);
        Value l = val_list(x->len + y->len);
        for (int64_t i = 0; i < x->len; i++) { val_incref(x->items[i]); val_list_push(l, x->items[i]); }
        for (int64_t i = 0; i < y->len; i++) { val_incref(y->items[i]); val_list_push(l, y->items[i]); }
        *out = l;
        return 0;
    }
    if ((a.type == VAL_STR || b.type == VAL_STR) && op == RDN_OP_ADD)
        return rt_error(I, at, "operator '+' cannot join %s and %s (convert with str(x) or format(...))",
                        val_type_name(a.type), val_type_name(b.type));
    return rt_error(I, at, "operator '%s' cannot combine %s and %s", rdn_op_name(op),
                    val_type_name(a.type), val_type_name(b.type));
}

/* ---- indexing ---- */

static int no_field(Interp *I, Value r, const char *name, const Span *at);

static int to_index(Interp *I, Value v, int64_t len, const Span *at, int64_t *out)
{
    if (v.type != VAL_NUM)
        return rt_error(I, at, "an index must be a number or a range, found %s", val_type_name(v.type));
    double x = v.as.num;
    if (x != floor(x) || !isfinite(x))
        return rt_error(I, at, "an index must be a whole number, found %g", x);
    if (x < 0) x += (double)len;
    if (x < 0 || x >= (double)len)
        return rt_error(I, at, "index %g is out of range (length %lld)", v.as.num, (long long)len);
    *out = (int64_t)x;
    return 0;
}

static int slice_bounds(Interp *I, const ObjRange *r, int64_t len, const Span *at, int64_t *lo, int64_t *hi)
{
    int64_t a = r->lo < 0 ? r->lo + len : r->lo, b = r->hi < 0 ? r->hi + len : r->hi;
    if (a < 0 || b > len || a > b)
        return rt_error(I, at, "slice %lld..%lld is out of range (length %lld)", (long long)r->lo,
                        (long long)r->hi, (long long)len);
    *lo = a;
    *hi = b;
    return 0;
}

static int index_value(Interp *I, Value obj, int nidx, Value *idx, const Span *spans, const Span *at,
                       Value *out)
{
    if (obj.type == VAL_TENSOR) return tensor_index(I, obj, nidx, idx, at, out);
    if (obj.type == VAL_TABLE) return table_index(I, obj, nidx, idx, spans, at, out);
    if (obj.type == VAL_RECORD) {
        if (nidx != 1) return rt_error(I, at, "a record takes one index (a field name), found %d", nidx);
        if (idx[0].type != VAL_STR)
            return rt_error(I, &spans[0], "a record's index is a field name (a string), found %s",
                            val_type_name(idx[0].type));
        if (val_record_get(obj, val_cstr(idx[0]), out) == 0) {
            val_incref(*out);
            return 0;
        }
        return no_field(I, obj, val_cstr(idx[0]), &spans[0]);
    }
    if (obj.type != VAL_LIST && obj.type != VAL_STR && obj.type != VAL_RANGE)
        return rt_error(I, at, "cannot index a %s", val_type_name(obj.type));
    if (nidx != 1)
        return rt_error(I, at, "a %s takes one index, found %d", val_type_name(obj.type), nidx);
    int64_t len = obj.type == VAL_LIST ? ((ObjList *)obj.as.obj)->len
                : obj.type == VAL_STR ? (int64_t)((ObjStr *)obj.as.obj)->len
                : ((ObjRange *)obj.as.obj)->hi - ((ObjRange *)obj.as.obj)->lo;
    if (len < 0) len = 0;
    if (idx[0].type == VAL_RANGE) {
        int64_t lo = 0, hi = 0;
        if (slice_bounds(I, (ObjRange *)idx[0].as.obj, len, &spans[0], &lo, &hi)) return -1;
        if (obj.type == VAL_LIST) {
            Value l = val_list(hi - lo);
            for (int64_t i = lo; i < hi; i++) {
                Value it = ((ObjList *)obj.as.obj)->items[i];
                val_incref(it);
                val_list_push(l, it);
            }
            *out = l;
        } else if (obj.type == VAL_STR) {
            *out = val_str_n(((ObjStr *)obj.as.obj)->chars + lo, (size_t)(hi - lo));
        } else {
            int64_t base = ((ObjRange *)obj.as.obj)->lo;
            *out = val_range(base + lo, base + hi);
        }
        return 0;
    }
    int64_t i = 0;
    if (to_index(I, idx[0], len, &spans[0], &i)) return -1;
    if (obj.type == VAL_LIST) {
        *out = ((ObjList *)obj.as.obj)->items[i];
        val_incref(*out);
    } else if (obj.type == VAL_STR) {
        *out = val_str_n(((ObjStr *)obj.as.obj)->chars + i, 1);
    } else {
        *out = val_num((double)(((ObjRange *)obj.as.obj)->lo + i));
    }
    return 0;
}

/* ---- members ---- */

/* "record has no field 'x' (did you mean 'y'?)" over the record's keys. */
static int no_field(Interp *I, Value r, const char *name, const Span *at)
{
    char best[128];
    Words wl = {0};
    for (int64_t i = 0; i < val_record_len(r); i++) words_add(&wl, val_record_key(r, i));
    const char *words = words_str(&wl);
    const char *s = suggest(name, words, best, sizeof best);
    int rc = s ? rt_error(I, at, "record has no field '%s' (did you mean '%s'?)", name, s)
         : *words ? rt_error(I, at, "record has no field '%s' (fields: %.*s)", name, (int)wl.len - 1, words)
         : rt_error(I, at, "record has no field '%s' (it is empty)", name);
    words_free(&wl);
    return rc;
}

/* r.name = v, r["name"] = v (v borrowed). */
static int record_assign(Interp *I, Value r, const char *name, Value v, const Span *at)
{
    if (val_list_would_cycle(r, v))
        return rt_error(I, at, "a record cannot contain itself (copy it first)");
    val_incref(v);
    val_record_set(r, name, v);
    return 0;
}

static int get_member(Interp *I, Value obj, const char *name, const Span *at, Value *out)
{
    char best[128];
    if (obj.type == VAL_RECORD) {
        if (val_record_get(obj, name, out) == 0) {
            val_incref(*out);
            return 0;
        }
        return no_field(I, obj, name, at);
    }
    if (obj.type == VAL_MODULE) {
        ObjModule *m = (ObjModule *)obj.as.obj;
        Value *v = env_find_local(m->env, name);
        if (v) {
            *out = *v;
            val_incref(*out);
            return 0;
        }
        Words words = {0};
        for (int i = 0; i < m->env->n; i++) words_add(&words, m->env->names[i]);
        const char *s = suggest(name, words_str(&words), best, sizeof best);
        int r = s ? rt_error(I, at, "module '%s' has no member '%s' (did you mean '%s'?)", m->name, name, s)
                  : rt_error(I, at, "module '%s' has no member '%s'", m->name, name);
        words_free(&words);
        return r;
    }
    const TypeOps *ops = typeops_for(obj.type);
    if (ops && ops->get) {
        int r = ops->get(I, obj, name, at, out);
        if (r <= 0) return r;
    }
    const char *members = ops && ops->members ? ops->members : "";
    const char *s = suggest(name, members, best, sizeof best);
    if (s) return rt_error(I, at, "%s has no member '%s' (did you mean '%s'?)", val_type_name(obj.type), name, s);
    if (*members) return rt_error(I, at, "%s has no member '%s' (members: %s)", val_type_name(obj.type), name, members);
    return rt_error(I, at, "%s has no member '%s'", val_type_name(obj.type), name);
}

static int set_member(Interp *I, Value obj, const char *name, Value v, const Span *at)
{
    if (obj.type == VAL_RECORD) return record_assign(I, obj, name, v, at);
    if (obj.type == VAL_MODULE) {
        val_incref(v);
        env_define(((ObjModule *)obj.as.obj)->env, name, v);
        return 0;
    }
    const TypeOps *ops = typeops_for(obj.type);
    if (ops && ops->set) {
        int r = ops->set(I, obj, name, v, at);
        if (r <= 0) return r;
    }
    return rt_error(I, at, "cannot assign member '%s' of a %s", name, val_type_name(obj.type));
}

/* ---- calls ---- */

/* "split: expected a dataset or a string as the first argument, found number" */
static int no_overload(Interp *I, const Builtin *bi, Args *a)
{
    char kinds[256] = "";
    size_t len = 0;
    for (const Builtin *r = bi; r; r = builtin_next_same(r))
        for (int t = 0; t < VAL_NTYPES; t++)
            if ((r->on & ON(t)) && len + 40 < sizeof kinds)
                len += (size_t)snprintf(kinds + len, sizeof kinds - len, "%s%s", len ? " or a " : "a ",
                                        val_type_name((ValType)t));
    return rt_error(I, &a->pos_span[0], "%s: expected %s as the first argument, found %s", bi->name, kinds,
                    val_type_name(a->pos[0].type));
}

int call_builtin(Interp *I, const Builtin *bi, Args *a, Value *out)
{
    char best[128];
    if (bi->on || builtin_next_same(bi)) {
        const Builtin *row = builtin_dispatch(bi, a->npos ? a->pos[0] : VNIL, a->npos > 0);
        if (row && core_of(I)->core_only && !builtin_is_core(row)) row = NULL;
        if (!row) return no_overload(I, bi, a);
        bi = row;
    }
    if (a->npos < bi->min_pos) {
        if (bi->max_pos == bi->min_pos)
            return rt_error(I, &a->call, "%s: expected %d positional argument%s, found %d (%s)", bi->name,
                            bi->min_pos, bi->min_pos == 1 ? "" : "s", a->npos, bi->signature);
        return rt_error(I, &a->call, "%s: expected at least %d positional argument%s, found %d (%s)",
                        bi->name, bi->min_pos, bi->min_pos == 1 ? "" : "s", a->npos, bi->signature);
    }
    if (bi->max_pos >= 0 && a->npos > bi->max_pos) {
        if (bi->max_pos == 0)
            return rt_error(I, &a->pos_span[0], "%s: takes no positional arguments, found %d (%s)",
                            bi->name, a->npos, bi->signature);
        return rt_error(I, &a->pos_span[bi->max_pos], "%s: expected at most %d positional argument%s, found %d (%s)",
                        bi->name, bi->max_pos, bi->max_pos == 1 ? "" : "s", a->npos, bi->signature);
    }
    for (int i = 0; i < a->nkw && strcmp(bi->keywords ? bi->keywords : "", "*") != 0; i++) {
        const char *k = a->kw_name[i];
        const char *p = bi->keywords ? bi->keywords : "";
        size_t kl = strlen(k);
        int found = 0;
        while (*p && !found) {
            while (*p == ' ') p++;
            const char *q = p;
            while (*q && *q != ' ') q++;
            if ((size_t)(q - p) == kl && memcmp(p, k, kl) == 0) found = 1;
            p = q;
        }
        if (found) continue;
        const char *s = suggest(k, bi->keywords ? bi->keywords : "", best, sizeof best);
        if (s) return rt_error(I, &a->kw_span[i], "%s: unknown keyword '%s' (did you mean '%s'?)", bi->name, k, s);
        if (!bi->keywords || !*bi->keywords)
            return rt_error(I, &a->kw_span[i], "%s: unknown keyword '%s' (%s takes no keywords)", bi->name, k, bi->name);
        return rt_error(I, &a->kw_span[i], "%s: unknown keyword '%s' (keywords: %s)", bi->name, k, bi->keywords);
    }
    a->bi = bi;
    *out = VNIL;
    Core *C = core_of(I);
    int r = bi->fn(I, a, out);
    if (r != 0) {
        if (!C->err) rt_error(I, &a->call, "%s failed", bi->name);
        val_decref(*out);
        *out = VNIL;
        return -1;
    }
    if (rdn_interrupt) {
        val_decref(*out);
        *out = VNIL;
        return interrupted(I, &a->call);
    }
    return 0;
}

static int call_func(Interp *I, ObjFunc *f, Args *a, Value *out)
{
    Core *C = core_of(I);
    Ast *d = f->def;
    const char *fname = d->str ? d->str : "anonymous function";
    char best[128];
    if (a->npos > d->nitems)
        return rt_error(I, &a->pos_span[d->nitems], "%s: expected at most %d argument%s, found %d", fname,
                        d->nitems, d->nitems == 1 ? "" : "s", a->npos);
    if (C->nframes >= C->max_calls)
        return rt_error(I, &a->call, "too many nested calls (more than %d): is the recursion unbounded?",
                        C->max_calls);
    Env *fenv = env_new(C, f->closure);
    if (!fenv) return mem_error(I, &a->call, "a call");
    for (int i = 0; i < a->npos; i++) {
        val_incref(a->pos[i]);
        env_define(fenv, d->items[i]->str, a->pos[i]);
    }
    for (int k = 0; k < a->nkw; k++) {
        int j = 0;
        while (j < d->nitems && strcmp(d->items[j]->str, a->kw_name[k]) != 0) j++;
        if (j == d->nitems) {
            Words words = {0};
            for (int i = 0; i < d->nitems; i++) words_add(&words, d->items[i]->str);
            const char *s = suggest(a->kw_name[k], words_str(&words), best, sizeof best);
            if (s) rt_error(I, &a->kw_span[k], "%s: unknown keyword '%s' (did you mean '%s'?)", fname, a->kw_name[k], s);
            else rt_error(I, &a->kw_span[k], "%s: unknown keyword '%s'", fname, a->kw_name[k]);
            words_free(&words);
            env_decref(fenv);
            return -1;
        }
        if (j < a->npos) {
            rt_error(I, &a->kw_span[k], "%s: '%s' given both by position and by keyword", fname, a->kw_name[k]);
            env_decref(fenv);
            return -1;
        }
        val_incref(a->kw[k]);
        env_define(fenv, d->items[j]->str, a->kw[k]);
    }
    for (int i = a->npos; i < d->nitems; i++)
        if (!d->items[i]->a && !env_find_local(fenv, d->items[i]->str)) {
            rt_error(I, &a->call, "%s: missing argument '%s'", fname, d->items[i]->str);
            env_decref(fenv);
            return -1;
        }
    /* the frame: from here on errors are located inside the function */
    Source *saved;
    if (frame_push(I, &a->call, (Frame){fname, f->src, d->span}, &saved)) {
        env_decref(fenv);
        return -1;
    }
    int r = 0;
    for (int i = a->npos; i < d->nitems && r == 0; i++) {
        Ast *p = d->items[i];
        if (env_find_local(fenv, p->str)) continue;
        Value v;
        r = eval(I, p->a, fenv, &v);
        if (r == 0) env_define(fenv, p->str, v);
    }
    if (r == 0) {
        r = eval_block(I, d->a, fenv, NULL);
        if (r == EX_RETURN) r = 0;
        else if (r == 0) *out = VNIL;
    }
    frame_pop(C, saved);
    env_decref(fenv);
    return r;
}

int call_value(Interp *I, Value f, Args *a, Value *out)
{
    *out = VNIL;
    if (f.type == VAL_BUILTIN) return call_builtin(I, f.as.bi, a, out);
    if (f.type == VAL_FUNC) {
        Core *C = core_of(I);
        int r = call_func(I, (ObjFunc *)f.as.obj, a, out);
        if (C->ret_set) {      /* the value of `return`, handed over by exec */
            if (r == 0) *out = C->ret;
            else val_decref(C->ret);
            C->ret = VNIL;
            C->ret_set = 0;
        }
        return r ? -1 : 0;
    }
    return rt_error(I, &a->call, "cannot call a %s", val_type_name(f.type));
}

/* The evaluated arguments of one call: small calls on the stack, long ones (or ones that
 * spread a big record) on the heap. */
enum { SMALL_ARGS = 8 };
typedef struct CallArgs {
    int np, nk, cap;
    Value *pos, *kw;
    Span *pspan, *kspan;
    const char **kname;
    Value spos[SMALL_ARGS], skw[SMALL_ARGS];
    Span spspan[SMALL_ARGS], skspan[SMALL_ARGS];
    const char *skname[SMALL_ARGS];
} CallArgs;

static void callargs_init(CallArgs *c)
{
    c->np = c->nk = 0;
    c->cap = SMALL_ARGS;
    c->pos = c->spos; c->kw = c->skw; c->pspan = c->spspan; c->kspan = c->skspan; c->kname = c->skname;
}

static void *grow(void *old, void *small, size_t elem, int n, int cap)
{
    void *p = old == small ? mem_alloc((size_t)cap, elem, "a call's arguments")
                           : mem_realloc(old, (size_t)cap, elem, "a call's arguments");
    if (p && old == small) memcpy(p, small, elem * (size_t)n);
    return p;
}

/* Room for one more positional and one more keyword argument; -1 when memory ran out (raised at
 * `at`, the arguments so far still owned by c). */
static int callargs_reserve(Interp *I, CallArgs *c, const Span *at)
{
    if (c->np < c->cap && c->nk < c->cap) return 0;
    int cap = 2 * c->cap;
    void *p;
    if (!(p = grow(c->pos, c->spos, sizeof *c->pos, c->np, cap))) goto oom;
    c->pos = p;
    if (!(p = grow(c->pspan, c->spspan, sizeof *c->pspan, c->np, cap))) goto oom;
    c->pspan = p;
    if (!(p = grow(c->kw, c->skw, sizeof *c->kw, c->nk, cap))) goto oom;
    c->kw = p;
    if (!(p = grow(c->kspan, c->skspan, sizeof *c->kspan, c->nk, cap))) goto oom;
    c->kspan = p;
    if (!(p = grow(c->kname, c->skname, sizeof *c->kname, c->nk, cap))) goto oom;
    c->kname = p;
    c->cap = cap;
    return 0;
oom:
    return mem_error(I, at, "a call's arguments");
}

static void callargs_free(CallArgs *c)
{
    for (int i = 0; i < c->np; i++) val_decref(c->pos[i]);
    for (int i = 0; i < c->nk; i++) val_decref(c->kw[i]);
    if (c->pos != c->spos) free(c->pos);
    if (c->pspan != c->spspan) free(c->pspan);
    if (c->kw != c->skw) free(c->kw);
    if (c->kspan != c->skspan) free(c->kspan);
    if (c->kname != c->skname) free(c->kname);
}

/* A keyword argument (takes v); a keyword given twice (by name and by a spread record, or by two
 * records) is an error. */
static int callargs_kw(Interp *I, CallArgs *c, const char *name, Value v, Span at)
{
    for (int i = 0; i < c->nk; i++)
        if (strcmp(c->kname[i], name) == 0) {
            val_decref(v);
            return rt_error(I, &at, "keyword '%s' given twice", name);
        }
    if (callargs_reserve(I, c, &at)) {
        val_decref(v);
        return -1;
    }
    c->kname[c->nk] = name;
    c->kw[c->nk] = v;
    c->kspan[c->nk++] = at;
    return 0;
}

static int eval_call(Interp *I, Ast *n, Env *env, Value *out)
{
    Value f;
    if (eval(I, n->a, env, &f)) return -1;
    CallArgs c;
    callargs_init(&c);
    int r = 0;
    for (int i = 0; i < n->nitems && r == 0; i++) {
        Ast *arg = n->items[i];
        Value v;
        if ((r = eval(I, arg->kind == AST_KWARG || arg->kind == AST_SPREAD ? arg->a : arg, env, &v))) break;
        if (arg->kind == AST_KWARG) {
            r = callargs_kw(I, &c, arg->str, v, arg->span);
        } else if (arg->kind == AST_SPREAD) {           /* f(**cfg): each field a keyword */
            if (v.type != VAL_RECORD) {
                r = rt_error(I, &arg->a->span, "** takes a record of keyword arguments, found %s",
                             val_type_name(v.type));
            }
            for (int64_t j = 0; r == 0 && j < val_record_len(v); j++) {
                const char *k = val_record_key(v, j);
                Value x = val_record_at(v, j);
                val_incref(x);
                r = callargs_kw(I, &c, core_intern(core_of(I), k, strlen(k)), x, arg->span);
            }
            val_decref(v);
        } else {
            if ((r = callargs_reserve(I, &c, &arg->span))) {
                val_decref(v);
                break;
            }
            c.pos[c.np] = v;
            c.pspan[c.np++] = arg->span;
        }
    }
    if (r == 0) r = poll(I, &n->span);
    if (r == 0) {
        Args a = {c.np, c.pos, c.pspan, c.nk, (const char *const *)c.kname, c.kw, c.kspan, n->span, NULL};
        r = call_value(I, f, &a, out);
    }
    callargs_free(&c);
    val_decref(f);
    return r ? -1 : 0;
}

/* ---- expressions ---- */

static int eval_inner(Interp *I, Ast *n, Env *env, Value *out)
{
    Core *C = core_of(I);
    *out = VNIL;
    switch (n->kind) {
    case AST_NUM: *out = val_num(n->num); return 0;
    case AST_STR: *out = val_str_n(n->str, n->len); return 0;
    case AST_BOOL: *out = val_bool(n->op); return 0;
    case AST_NIL: return 0;
    case AST_NAME: {
        Value *v = env_find(env, n->str);
        if (v) {
            *out = *v;
            val_incref(*out);
            return 0;
        }
        const Builtin *bi = builtin_find(n->str);
        if (bi && C->core_only && !builtin_is_core(bi)) bi = NULL;
        if (bi) {
            out->type = VAL_BUILTIN;
            out->as.bi = bi;
            return 0;
        }
        return unknown_name(I, env, n->str, &n->span);
    }
    case AST_LIST: {
        Value l = val_list(n->nitems);
        for (int i = 0; i < n->nitems; i++) {
            Value v;
            if (eval(I, n->items[i], env, &v)) { val_decref(l); return -1; }
            val_list_push(l, v);
        }
        *out = l;
        return 0;
    }
    case AST_RECORD: {
        Value rec = val_record();
        for (int i = 0; i < n->nitems; i++) {
            Ast *f = n->items[i];
            Value v;
            if (eval(I, f->a, env, &v)) { val_decref(rec); return -1; }
            if (f->kind == AST_KWARG) {
                val_record_set(rec, f->str, v);
                continue;
            }
            if (v.type != VAL_RECORD) {             /* AST_SPREAD */
                int r = rt_error(I, &f->a->span, "** takes a record, found %s", val_type_name(v.type));
                val_decref(v);
                val_decref(rec);
                return r;
            }
            for (int64_t j = 0; j < val_record_len(v); j++) {
                Value x = val_record_at(v, j);
                val_incref(x);
                val_record_set(rec, val_record_key(v, j), x);
            }
            val_decref(v);
        }
        *out = rec;
        return 0;
    }
    case AST_RANGE: {
        Value a, b;
        if (eval(I, n->a, env, &a)) return -1;
        if (eval(I, n->b, env, &b)) { val_decref(a); return -1; }
        int r = 0;
        Ast *bad = a.type != VAL_NUM ? n->a : b.type != VAL_NUM ? n->b : NULL;
        if (bad) r = rt_error(I, &bad->span, "a range needs whole numbers, found %s",
                               val_type_name((bad == n->a ? a : b).type));
        else if (a.as.num != floor(a.as.num) || fabs(a.as.num) > 9e15)
            r = rt_error(I, &n->a->span, "a range needs whole numbers, found %g", a.as.num);
        else if (b.as.num != floor(b.as.num) || fabs(b.as.num) > 9e15)
            r = rt_error(I, &n->b->span, "a range needs whole numbers, found %g", b.as.num);
        else *out = val_range((int64_t)a.as.num, (int64_t)b.as.num);
        val_decref(a);
        val_decref(b);
        return r;
    }
    case AST_BINOP: {
        Value a, b;
        if (eval(I, n->a, env, &a)) return -1;
        if (eval(I, n->b, env, &b)) { val_decref(a); return -1; }
        int r = binop(I, n->op, a, b, &n->span, out);
        val_decref(a);
        val_decref(b);
        return r;
    }
    case AST_NEG: {
        Value a;
        if (eval(I, n->a, env, &a)) return -1;
        int r = 0;
        if (a.type == VAL_NUM) *out = val_num(-a.as.num);
        else if (a.type == VAL_TENSOR) r = tensor_binop(I, RDN_OP_NEG, a, VNIL, &n->span, out);
        else r = rt_error(I, &n->span, "cannot negate a %s", val_type_name(a.type));
        val_decref(a);
        return r;
    }
    case AST_NOT: {
        Value a;
        if (eval(I, n->a, env, &a)) return -1;
        int t = 0;
        int r = truth(I, &n->a->span, a, &t);
        val_decref(a);
        if (r) return r;
        *out = val_bool(!t);
        return 0;
    }
    case AST_AND: case AST_OR: {
        Value a;
        if (eval(I, n->a, env, &a)) return -1;
        int t = 0;
        if (truth(I, &n->a->span, a, &t)) {
            val_decref(a);
            return -1;
        }
        if ((n->kind == AST_AND && !t) || (n->kind == AST_OR && t)) {
            *out = a;
            return 0;
        }
        val_decref(a);
        return eval(I, n->b, env, out);
    }
    case AST_CALL: return eval_call(I, n, env, out);
    case AST_MEMBER: {
        Value a;
        if (eval(I, n->a, env, &a)) return -1;
        Span at = n->c ? n->c->span : n->span;
        int r = get_member(I, a, n->str, &at, out);
        val_decref(a);
        return r;
    }
    case AST_INDEX: {
        Value a;
        if (eval(I, n->a, env, &a)) return -1;
        Value idx[8];
        Span spans[8];
        int ni = n->nitems, r = 0;
        if (ni > 8) {
            val_decref(a);
            return rt_error(I, &n->span, "too many indices (%d)", ni);
        }
        int k = 0;
        for (; k < ni; k++) {
            spans[k] = n->items[k]->span;
            if (eval(I, n->items[k], env, &idx[k])) { r = -1; break; }
        }
        if (r == 0) r = index_value(I, a, ni, idx, spans, &n->span, out);
        for (int i = 0; i < k; i++) val_decref(idx[i]);
        val_decref(a);
        return r;
    }
    case AST_FN:
        *out = val_func(n, env, C->cur);
        return 0;
    default:
        return rt_error(I, &n->span, "internal: %s is not an expression", ast_kind_name(n->kind));
    }
}

static int eval(Interp *I, Ast *n, Env *env, Value *out)
{
    Core *C = core_of(I);
    if (++C->depth > C->max_depth) {
        C->depth--;
        *out = VNIL;
        return rt_error(I, &n->span, "nesting too deep (evaluation deeper than %d)", C->max_depth);
    }
    int r = eval_inner(I, n, env, out);
    C->depth--;
    if (mem_failed()) {
        /* a constructor ran out of memory part-way: its value is not the one asked for */
        if (r == 0) val_decref(*out);
        *out = VNIL;
        r = mem_error(I, &n->span, NULL);
    }
    return r;
}

int eval_expr(Interp *I, Ast *n, Env *env, Value *out) { return eval(I, n, env, out); }

/* ---- statements ---- */

static int assign_to(Interp *I, Ast *t, Env *env, Value v)   /* takes v */
{
    if (t->kind == AST_NAME) {
        env_assign(env, t->str, v);
        return 0;
    }
    Value obj;
    if (eval(I, t->a, env, &obj)) { val_decref(v); return -1; }
    int r = 0;
    if (t->kind == AST_MEMBER) {
        r = set_member(I, obj, t->str, v, t->c ? &t->c->span : &t->span);
    } else if (obj.type == VAL_RECORD) {                          /* r["name"] = v */
        Value ix;
        if (t->nitems != 1) r = rt_error(I, &t->span, "a record takes one index (a field name)");
        else if (eval(I, t->items[0], env, &ix)) r = -1;
        else {
            if (ix.type != VAL_STR)
                r = rt_error(I, &t->items[0]->span, "a record's index is a field name (a string), found %s",
                             val_type_name(ix.type));
            else r = record_assign(I, obj, val_cstr(ix), v, &t->span);
            val_decref(ix);
        }
    } else {                                                      /* AST_INDEX */
        if (obj.type != VAL_LIST) {
            r = rt_error(I, &t->span, "cannot assign to an element of a %s%s", val_type_name(obj.type),
                         obj.type == VAL_TENSOR ? " (build a new tensor instead)" : "");
        } else if (t->nitems != 1) {
            r = rt_error(I, &t->span, "a list takes one index");
        } else {
            Value ix;
            if (eval(I, t->items[0], env, &ix)) r = -1;
            else {
                ObjList *l = (ObjList *)obj.as.obj;
                int64_t i = 0;
                if (ix.type == VAL_RANGE) r = rt_error(I, &t->items[0]->span, "cannot assign to a slice");
                else if (val_list_would_cycle(obj, v))
                    r = rt_error(I, &t->span, "a list cannot contain itself (copy it with list(x))");
                else if ((r = to_index(I, ix, l->len, &t->items[0]->span, &i)) == 0) {
                    Value old = l->items[i];
                    val_incref(v);
                    l->items[i] = v;
                    val_decref(old);
                }
                val_decref(ix);
            }
        }
    }
    val_decref(obj);
    val_decref(v);
    return r ? -1 : 0;
}

static int exec_assign(Interp *I, Ast *n, Env *env)
{
    Value v;
    if (eval(I, n->a, env, &v)) return -1;
    if (n->nitems == 1) {
        if (n->op) {
            Value cur, res;
            if (eval(I, n->items[0], env, &cur)) { val_decref(v); return -1; }
            int r = binop(I, n->op, cur, v, &n->span, &res);
            val_decref(cur);
            val_decref(v);
            if (r) return -1;
            v = res;
        }
        return assign_to(I, n->items[0], env, v);
    }
    if (v.type != VAL_LIST) {
        int r = rt_error(I, &n->a->span, "cannot unpack a %s into %d names (expected a list of %d values)",
                         val_type_name(v.type), n->nitems, n->nitems);
        val_decref(v);
        return r;
    }
    ObjList *l = (ObjList *)v.as.obj;
    if (l->len != n->nitems) {
        int r = rt_error(I, &n->a->span, "expected %d values to unpack, found a list of %lld", n->nitems,
                         (long long)l->len);
        val_decref(v);
        return r;
    }
    int r = 0;
    for (int i = 0; i < n->nitems && r == 0; i++) {
        Value it = l->items[i];
        val_incref(it);
        r = assign_to(I, n->items[i], env, it);
    }
    val_decref(v);
    return r;
}

/* Runs a nested block in a fresh environment. */
static int exec_nested(Interp *I, Ast *block, Env *env)
{
    Env *e = env_new(core_of(I), env);
    if (!e) return mem_error(I, &block->span, "a block");
    int r = eval_block(I, block, e, NULL);
    env_decref(e);
    return r;
}

static int exec_for(Interp *I, Ast *n, Env *env)
{
    Value it;
    if (eval(I, n->a, env, &it)) return -1;
    int r = 0;
    int64_t len = 0, lo = 0;
    Value shape = VNIL;
    switch (it.type) {
    case VAL_LIST: break;
    case VAL_RANGE: lo = ((ObjRange *)it.as.obj)->lo; len = ((ObjRange *)it.as.obj)->hi - lo; break;
    case VAL_STR: len = (int64_t)((ObjStr *)it.as.obj)->len; break;
    case VAL_TENSOR: {
        const TypeOps *ops = typeops_for(VAL_TENSOR);
        if (!ops || !ops->get || ops->get(I, it, "shape", &n->a->span, &shape) != 0 || shape.type != VAL_LIST ||
            ((ObjList *)shape.as.obj)->len < 1 || ((ObjList *)shape.as.obj)->items[0].type != VAL_NUM) {
            val_decref(shape);
            val_decref(it);
            if (core_of(I)->err) return -1;
            return rt_error(I, &n->a->span, "cannot iterate over this tensor");
        }
        len = (int64_t)((ObjList *)shape.as.obj)->items[0].as.num;
        val_decref(shape);
        break;
    }
    case VAL_TABLE: len = table_nrows(it); break;
    default:
        r = rt_error(I, &n->a->span, "cannot iterate over a %s (a list, range, string, tensor or table)",
                     val_type_name(it.type));
        val_decref(it);
        return r;
    }
    for (int64_t i = 0;; i++) {
        if (it.type == VAL_LIST ? i >= ((ObjList *)it.as.obj)->len : i >= len) break;
        if ((r = poll(I, &n->span))) break;
        Value x;
        if (it.type == VAL_LIST) {
            x = ((ObjList *)it.as.obj)->items[i];
            val_incref(x);
        } else if (it.type == VAL_RANGE) {
            x = val_num((double)(lo + i));
        } else if (it.type == VAL_STR) {
            const unsigned char *s = (const unsigned char *)((ObjStr *)it.as.obj)->chars;
            int64_t k = 1;
            if (s[i] >= 0xC0) while (i + k < len && (s[i + k] & 0xC0) == 0x80) k++;
            x = val_str_n((const char *)s + i, (size_t)k);
            i += k - 1;
        } else if (it.type == VAL_TABLE) {
            x = table_row(it, (int)i);   /* tables are immutable: len holds */
        } else {
            Value ix = val_num((double)i);
            if ((r = tensor_index(I, it, 1, &ix, &n->a->span, &x))) break;
        }
        Env *e = env_new(core_of(I), env);
        if (!e) {
            val_decref(x);
            r = mem_error(I, &n->span, "a loop");
            break;
        }
        env_define(e, n->str, x);
        r = eval_block(I, n->b, e, NULL);
        env_decref(e);
        if (r == EX_BREAK) { r = 0; break; }
        if (r == EX_CONTINUE) { r = 0; continue; }
        if (r != 0) break;
    }
    val_decref(it);
    return r;
}

static int exec(Interp *I, Ast *n, Env *env, Value *last)
{
    Core *C = core_of(I);
    switch (n->kind) {
    case AST_EXPR: {
        Value v;
        if (eval(I, n->a, env, &v)) return -1;
        if (last) {
            val_decref(*last);
            *last = v;
        } else {
            val_decref(v);
        }
        return 0;
    }
    case AST_ASSIGN: return exec_assign(I, n, env);
    case AST_FN: {
        Value f = val_func(n, env, C->cur);
        env_define(env, n->str, f);
        return 0;
    }
    case AST_IF: {
        Value c;
        if (eval(I, n->a, env, &c)) return -1;
        int t = 0, r = truth(I, &n->a->span, c, &t);
        val_decref(c);
        if (r) return r;
        if (t) return exec_nested(I, n->b, env);
        if (!n->c) return 0;
        if (n->c->kind == AST_IF) return exec(I, n->c, env, NULL);
        return exec_nested(I, n->c, env);
    }
    case AST_WHILE:
        for (;;) {
            int r = poll(I, &n->span);
            if (r) return r;
            Value c;
            if (eval(I, n->a, env, &c)) return -1;
            int t = 0;
            r = truth(I, &n->a->span, c, &t);
            val_decref(c);
            if (r) return r;
            if (!t) return 0;
            r = exec_nested(I, n->b, env);
            if (r == EX_BREAK) return 0;
            if (r == EX_CONTINUE || r == 0) continue;
            return r;
        }
    case AST_FOR: return exec_for(I, n, env);
    case AST_BREAK: return EX_BREAK;
    case AST_CONTINUE: return EX_CONTINUE;
    case AST_RETURN: {
        Value v = VNIL;
        if (n->a && eval(I, n->a, env, &v)) return -1;
        if (C->ret_set) val_decref(C->ret);
        C->ret = v;
        C->ret_set = 1;
        return EX_RETURN;
    }
    case AST_PARAMDECL: return core_param(I, n, env);
    case AST_IMPORT: return core_import(I, n, env);
    default: {
        Value v;
        if (eval(I, n, env, &v)) return -1;
        val_decref(v);
        return 0;
    }
    }
}

int eval_block(Interp *I, Ast *block, Env *env, Value *last)
{
    Core *C = core_of(I);
    for (int i = 0; i < block->nitems; i++) {
        Ast *s = block->items[i];
        if (++C->depth > C->max_depth) {
            C->depth--;
            return rt_error(I, &s->span, "nesting too deep (evaluation deeper than %d)", C->max_depth);
        }
        int r = exec(I, s, env, last);
        C->depth--;
        if (mem_failed()) {                  /* e.g. a binding that could not be stored */
            if (r == EX_RETURN && C->ret_set) { val_decref(C->ret); C->ret_set = 0; }
            r = mem_error(I, &s->span, NULL);
        }
        if (r != 0) return r;
    }
    return 0;
}
