/* args.c: the arg_* readers builtins use to take their arguments: each checks the type and
 * range and raises an error located at the offending argument ("fit: lr: expected a number,
 * found string"). Arguments are borrowed. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "interp.h"
#include "mem.h"
#include "tensor.h"

int arg_get(const Args *a, int pos, const char *kw, Value *out)
{
    if (pos >= 0 && pos < a->npos) {
        *out = a->pos[pos];
        return 1;
    }
    if (kw)
        for (int i = 0; i < a->nkw; i++)
            if (strcmp(a->kw_name[i], kw) == 0) {
                *out = a->kw[i];
                return 1;
            }
    return 0;
}

static const char *bname(const Args *a) { return a->bi ? a->bi->name : "call"; }

/* "depth" or "argument 2", for messages */
static const char *label(const Args *a, int pos, const char *kw, char *buf, size_t n)
{
    if (kw) return kw;
    snprintf(buf, n, "argument %d", pos + 1);
    return buf;
}

static int wrong(Interp *I, const Args *a, int pos, const char *kw, const char *want, Value v)
{
    char b[32];
    return arg_error(I, a, pos, kw, "%s: %s: expected %s, found %s", bname(a), label(a, pos, kw, b, sizeof b),
                     want, val_type_name(v.type));
}

int arg_num(Interp *I, const Args *a, int pos, const char *kw, double def, double *out)
{
    Value v;
    if (!arg_get(a, pos, kw, &v)) { *out = def; return 0; }
    if (v.type == VAL_BOOL) { *out = v.as.b; return 0; }
    if (v.type != VAL_NUM) return wrong(I, a, pos, kw, "a number", v);
    *out = v.as.num;
    return 0;
}

int arg_int(Interp *I, const Args *a, int pos, const char *kw, long def, long lo, long hi, long *out)
{
    Value v;
    char b[32];
    if (!arg_get(a, pos, kw, &v)) { *out = def; return 0; }
    if (v.type != VAL_NUM) return wrong(I, a, pos, kw, "a whole number", v);
    double x = v.as.num;
    if (x != floor(x) || !isfinite(x))
        return arg_error(I, a, pos, kw, "%s: %s: expected a whole number, found %g", bname(a),
                         label(a, pos, kw, b, sizeof b), x);
    if (x < (double)lo || x > (double)hi)
        return arg_error(I, a, pos, kw, "%s: %s must be between %ld and %ld, found %g", bname(a),
                         label(a, pos, kw, b, sizeof b), lo, hi, x);
    *out = (long)x;
    return 0;
}

int arg_bool(Interp *I, const Args *a, int pos, const char *kw, int def, int *out)
{
    Value v;
    if (!arg_get(a, pos, kw, &v)) { *out = def; return 0; }
    if (v.type != VAL_BOOL) return wrong(I, a, pos, kw, "true or false", v);
    *out = v.as.b;
    return 0;
}

int arg_str(Interp *I, const Args *a, int pos, const char *kw, const char *def, const char **out)
{
    Value v;
    if (!arg_get(a, pos, kw, &v)) { *out = def; return 0; }
    if (v.type != VAL_STR) return wrong(I, a, pos, kw, "a string", v);
    *out = val_cstr(v);
    return 0;
}

int arg_choice(Interp *I, const Args *a, int pos, const char *kw, const char *choices, int def, int *out)
{
    const char *s;
    char b[32], best[128];
    if (arg_str(I, a, pos, kw, NULL, &s)) return -1;
    if (!s) { *out = def; return 0; }
    size_t sl = strlen(s);
    int idx = 0;
    for (const char *p = choices;; idx++) {
        const char *q = strchr(p, '|');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == sl && memcmp(p, s, n) == 0) { *out = idx; return 0; }
        if (!q) break;
        p = q + 1;
    }
    char *list = mem_strndup(choices, strlen(choices), "a message");
    if (!list) return mem_error(I, &a->call, "a message");
    for (char *p = list; *p; p++)
        if (*p == '|') *p = ',';
    const char *sug = suggest(s, choices, best, sizeof best);
    int r = sug ? arg_error(I, a, pos, kw, "%s: %s: unknown choice \"%s\" (did you mean \"%s\"?)", bname(a),
                            label(a, pos, kw, b, sizeof b), s, sug)
                : arg_error(I, a, pos, kw, "%s: %s: unknown choice \"%s\" (one of: %s)", bname(a),
                            label(a, pos, kw, b, sizeof b), s, list);
    free(list);
    return r;
}

int arg_seed(Interp *I, const Args *a, uint64_t *seed)
{
    Value v;
    if (!arg_get(a, -1, "seed", &v) || v.type == VAL_NIL) {
        *seed = interp_draw_seed(I);
        return 0;
    }
    if (v.type == VAL_STR) {
        const char *t = val_cstr(v);
        char *end;
        errno = 0;
        unsigned long long u = strtoull(t, &end, 10);
        if (!*t || *t == '-' || *t == '+' || *end || errno == ERANGE)
            return arg_error(I, a, -1, "seed", "%s: a seed string must hold a whole number 0..%llu "
                             "in decimal digits, got \"%s\"", a->bi->name, (unsigned long long)UINT64_MAX, t);
        *seed = (uint64_t)u;
        return 0;
    }
    double s;
    if (arg_num(I, a, -1, "seed", 0, &s)) return -1;
    if (!(s >= 0 && s <= 9007199254740992.0 && s == floor(s)))
        return arg_error(I, a, -1, "seed", "%s: seed must be a whole number 0..2^53 (or a string of "
                         "digits for larger ones, as net.seed gives), got %.17g", a->bi->name, s);
    *seed = (uint64_t)s;
    return 0;
}

int arg_obj(Interp *I, const Args *a, int pos, const char *kw, ValType type, void **out)
{
    Value v;
    char b[32], want[64];
    snprintf(want, sizeof want, "a %s", val_type_name(type));
    if (!arg_get(a, pos, kw, &v))
        return arg_error(I, a, pos, kw, "%s: missing %s (%s)", bname(a), label(a, pos, kw, b, sizeof b), want);
    if (v.type != type) return wrong(I, a, pos, kw, want, v);
    *out = val_ptr(v);
    return 0;
}

int arg_num_list(Interp *I, const Args *a, int pos, const char *kw, double **out, int *n)
{
    Value v;
    char b[32];
    *out = NULL;
    *n = 0;
    if (!arg_get(a, pos, kw, &v))
        return arg_error(I, a, pos, kw, "%s: missing %s (a list of numbers)", bname(a), label(a, pos, kw, b, sizeof b));
    if (v.type == VAL_NUM) {
        *out = mem_alloc(1, sizeof **out, "a list of numbers");
        if (!*out) return mem_error(I, &a->call, NULL);
        (*out)[0] = v.as.num;
        *n = 1;
        return 0;
    }
    if (v.type == VAL_TENSOR) {
        const Tensor *t = val_ptr(v);
        if (t->ndim > 1)
            return arg_error(I, a, pos, kw, "%s: %s: expected a list of numbers or a 1-D tensor, found a %d-D tensor",
                             bname(a), label(a, pos, kw, b, sizeof b), t->ndim);
        if (t->size > 1 << 30)
            return arg_error(I, a, pos, kw, "%s: %s: too many numbers", bname(a), label(a, pos, kw, b, sizeof b));
        *out = mem_alloc((size_t)t->size, sizeof **out, "a list of numbers");
        if (!*out) return mem_error(I, &a->call, NULL);
        for (int64_t i = 0; i < t->size; i++) (*out)[i] = t->data[i];
        *n = (int)t->size;
        return 0;
    }
    if (v.type != VAL_LIST) return wrong(I, a, pos, kw, "a list of numbers", v);
    const ObjList *l = (const ObjList *)v.as.obj;
    if (l->len > 1 << 30)
        return arg_error(I, a, pos, kw, "%s: %s: too many numbers", bname(a), label(a, pos, kw, b, sizeof b));
    double *d = mem_alloc((size_t)l->len, sizeof *d, "a list of numbers");
    if (!d) return mem_error(I, &a->call, NULL);
    for (int64_t i = 0; i < l->len; i++) {
        if (l->items[i].type != VAL_NUM) {
            free(d);
            return arg_error(I, a, pos, kw, "%s: %s: item %lld: expected a number, found %s", bname(a),
                             label(a, pos, kw, b, sizeof b), (long long)i, val_type_name(l->items[i].type));
        }
        d[i] = l->items[i].as.num;
    }
    *out = d;
    *n = (int)l->len;
    return 0;
}
