/* bi_list.c: builtins on strings and lists: split, join, replace, strip, contains, starts_with,
 * ends_with, upper, lower; map, filter, sort, zip, enumerate, reverse; sum, mean, min, max of a
 * list in double precision. Names shared with tensors, tables and data sets (split, join,
 * filter, sort, sum, ...) are overloads: the row is chosen by the kind of the first argument. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"

static const ObjStr *S(Value v) { return (const ObjStr *)v.as.obj; }
static const ObjList *L(Value v) { return (const ObjList *)v.as.obj; }

/* A string argument (borrowed), or an error naming what was found. */
static int want_str(Interp *I, Args *a, int pos, const ObjStr **out)
{
    if (pos >= a->npos || a->pos[pos].type != VAL_STR)
        return arg_error(I, a, pos, NULL, "%s: expected a string, found %s", a->bi->name,
                         pos < a->npos ? val_type_name(a->pos[pos].type) : "nothing");
    *out = S(a->pos[pos]);
    return 0;
}

static int want_fn(Interp *I, Args *a, int pos, const char *kw, Value *f)
{
    if (!arg_get(a, pos, kw, f))
        return arg_error(I, a, pos, kw, "%s: missing the function", a->bi->name);
    if (!val_is_func(*f))
        return arg_error(I, a, pos, kw, "%s: expected a function, found %s", a->bi->name, val_type_name(f->type));
    return 0;
}

/* f(x) or f(x, y): the call a builtin makes of a function argument, located at the builtin's
 * call. *out owned. */
static int call1(Interp *I, Args *a, Value f, int n, const Value *xs, Value *out)
{
    Span sp[2] = {a->call, a->call};
    Args ca = {n, xs, sp, 0, NULL, NULL, NULL, a->call, NULL};
    return call_value(I, f, &ca, out);
}

/* ---- strings ---- */

static int64_t find_at(const ObjStr *s, size_t from, const ObjStr *sub)
{
    if (sub->len == 0) return (int64_t)from;
    for (size_t i = from; i + sub->len <= s->len; i++)
        if (memcmp(s->chars + i, sub->chars, sub->len) == 0) return (int64_t)i;
    return -1;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* split(s): words separated by white space; split(s, sep): the pieces between each sep. */
static int bi_str_split(Interp *I, Args *a, Value *out)
{
    const ObjStr *s, *sep = NULL;
    if (want_str(I, a, 0, &s)) return -1;
    if (a->npos > 1 && want_str(I, a, 1, &sep)) return -1;
    if (sep && sep->len == 0) return arg_error(I, a, 1, NULL, "split: the separator is empty (list(s) gives the characters)");
    Value l = val_list(0);
    if (!sep) {
        size_t i = 0;
        while (i < s->len) {
            while (i < s->len && is_space(s->chars[i])) i++;
            size_t j = i;
            while (j < s->len && !is_space(s->chars[j])) j++;
            if (j > i) val_list_push(l, val_str_n(s->chars + i, j - i));
            i = j;
        }
    } else {
        size_t i = 0;
        for (;;) {
            int64_t j = find_at(s, i, sep);
            if (j < 0) {
                val_list_push(l, val_str_n(s->chars + i, s->len - i));
                break;
            }
            val_list_push(l, val_str_n(s->chars + i, (size_t)j - i));
            i = (size_t)j + sep->len;
        }
    }
    *out = l;
    return 0;
}

/* Growing byte buffer for building strings. */
typedef struct Sb { char *s; size_t len, cap; } Sb;
static void sb_put(Sb *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap) cap *= 2;
        b->s = realloc(b->s, cap);
        if (!b->s) abort();
        b->cap = cap;
    }
    if (n) memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static int sb_done(Interp *I, Args *a, Sb *b, Value *out)
{
    if (b->len > RDN_MAX_STR) {
        free(b->s);
        return rt_error(I, &a->call, "%s: string too long (%zu bytes; the limit is %zu)", a->bi->name, b->len,
                        (size_t)RDN_MAX_STR);
    }
    *out = val_str_n(b->s ? b->s : "", b->len);
    free(b->s);
    return 0;
}

/* join(xs, sep): the items' text with sep between them. */
static int bi_list_join(Interp *I, Args *a, Value *out)
{
    const ObjStr *sep = NULL;
    if (a->npos > 1 && want_str(I, a, 1, &sep)) return -1;
    const ObjList *l = L(a->pos[0]);
    Sb b = {0};
    sb_put(&b, "", 0);
    for (int64_t i = 0; i < l->len; i++) {
        if (i && sep) sb_put(&b, sep->chars, sep->len);
        Value v = l->items[i];
        if (v.type == VAL_STR) {
            sb_put(&b, S(v)->chars, S(v)->len);
        } else if (v.type == VAL_NUM || v.type == VAL_BOOL || v.type == VAL_NIL) {
            char *t = val_to_text(v);
            sb_put(&b, t, strlen(t));
            free(t);
        } else {
            free(b.s);
            return arg_error(I, a, 0, NULL, "join: item %lld is a %s (join takes strings, numbers and bools; "
                             "convert others with str(x))", (long long)i, val_type_name(v.type));
        }
        if (b.len > RDN_MAX_STR) break;
    }
    return sb_done(I, a, &b, out);
}

static int bi_replace(Interp *I, Args *a, Value *out)
{
    const ObjStr *s, *old, *new;
    if (want_str(I, a, 0, &s) || want_str(I, a, 1, &old) || want_str(I, a, 2, &new)) return -1;
    if (old->len == 0) return arg_error(I, a, 1, NULL, "replace: the text to replace is empty");
    Sb b = {0};
    sb_put(&b, "", 0);
    size_t i = 0;
    for (;;) {
        int64_t j = find_at(s, i, old);
        if (j < 0) break;
        sb_put(&b, s->chars + i, (size_t)j - i);
        sb_put(&b, new->chars, new->len);
        i = (size_t)j + old->len;
        if (b.len > RDN_MAX_STR) break;
    }
    sb_put(&b, s->chars + i, s->len - i);
    return sb_done(I, a, &b, out);
}

static int bi_strip(Interp *I, Args *a, Value *out)
{
    const ObjStr *s;
    if (want_str(I, a, 0, &s)) return -1;
    size_t i = 0, j = s->len;
    while (i < j && is_space(s->chars[i])) i++;
    while (j > i && is_space(s->chars[j - 1])) j--;
    *out = val_str_n(s->chars + i, j - i);
    return 0;
}

static int bi_str_contains(Interp *I, Args *a, Value *out)
{
    const ObjStr *s, *sub;
    if (want_str(I, a, 0, &s) || want_str(I, a, 1, &sub)) return -1;
    *out = val_bool(find_at(s, 0, sub) >= 0);
    return 0;
}

static int bi_list_contains(Interp *I, Args *a, Value *out)
{
    const ObjList *l = L(a->pos[0]);
    for (int64_t i = 0; i < l->len; i++) {
        ValType ta, tb;
        int eq = val_compare_eq(l->items[i], a->pos[1], &ta, &tb);
        if (eq == 1) { *out = val_bool(1); return 0; }
    }
    *out = val_bool(0);
    return 0;
}

static int bi_starts_with(Interp *I, Args *a, Value *out)
{
    const ObjStr *s, *p;
    if (want_str(I, a, 0, &s) || want_str(I, a, 1, &p)) return -1;
    *out = val_bool(p->len <= s->len && memcmp(s->chars, p->chars, p->len) == 0);
    return 0;
}

static int bi_ends_with(Interp *I, Args *a, Value *out)
{
    const ObjStr *s, *p;
    if (want_str(I, a, 0, &s) || want_str(I, a, 1, &p)) return -1;
    *out = val_bool(p->len <= s->len && memcmp(s->chars + s->len - p->len, p->chars, p->len) == 0);
    return 0;
}

/* ASCII letters only: other bytes (UTF-8 text) are kept as they are. */
static int change_case(Interp *I, Args *a, Value *out, int up)
{
    const ObjStr *s;
    if (want_str(I, a, 0, &s)) return -1;
    char *c = malloc(s->len + 1);
    if (!c) abort();
    for (size_t i = 0; i < s->len; i++) {
        char x = s->chars[i];
        c[i] = up ? (x >= 'a' && x <= 'z' ? (char)(x - 32) : x) : (x >= 'A' && x <= 'Z' ? (char)(x + 32) : x);
    }
    c[s->len] = 0;
    *out = val_str_n(c, s->len);
    free(c);
    return 0;
}
static int bi_upper(Interp *I, Args *a, Value *out) { return change_case(I, a, out, 1); }
static int bi_lower(Interp *I, Args *a, Value *out) { return change_case(I, a, out, 0); }

/* ---- lists ---- */

static int bi_map(Interp *I, Args *a, Value *out)
{
    Value f;
    if (want_fn(I, a, 1, NULL, &f)) return -1;
    Value src = a->pos[0];
    val_incref(src);                 /* f may change the list it walks over */
    Value l = val_list(L(src)->len);
    for (int64_t i = 0; i < L(src)->len; i++) {
        Value x = L(src)->items[i], y;
        val_incref(x);
        int r = call1(I, a, f, 1, &x, &y);
        val_decref(x);
        if (r) { val_decref(l); val_decref(src); return -1; }
        val_list_push(l, y);
    }
    val_decref(src);
    *out = l;
    return 0;
}

/* keep = fn(x) must be a bool (or a number/string/list, by their truth); a tensor is an error. */
static int kept(Interp *I, Args *a, Value y, int *keep)
{
    if (y.type == VAL_TENSOR)
        return rt_error(I, &a->call, "%s: the function returned a tensor, which is neither true nor false "
                        "(use all(...) or any(...))", a->bi->name);
    *keep = val_truthy(y);
    return 0;
}

static int bi_list_filter(Interp *I, Args *a, Value *out)
{
    Value f;
    if (want_fn(I, a, 1, NULL, &f)) return -1;
    Value src = a->pos[0];
    val_incref(src);
    Value l = val_list(0);
    for (int64_t i = 0; i < L(src)->len; i++) {
        Value x = L(src)->items[i], y;
        val_incref(x);
        int keep = 0, r = call1(I, a, f, 1, &x, &y);
        if (r == 0) {
            r = kept(I, a, y, &keep);
            val_decref(y);
        }
        if (r) { val_decref(x); val_decref(l); val_decref(src); return -1; }
        if (keep) val_list_push(l, x);
        else val_decref(x);
    }
    val_decref(src);
    *out = l;
    return 0;
}

/* Order of two sort keys: numbers by value (NaN last), strings by bytes; anything else, or a
 * number against a string, is an error. */
static int key_cmp(Value x, Value y, int *bad)
{
    if (x.type == VAL_NUM && y.type == VAL_NUM) {
        double p = x.as.num, q = y.as.num;
        if (isnan(p) || isnan(q)) return isnan(p) - isnan(q);
        return p < q ? -1 : p > q;
    }
    if (x.type == VAL_STR && y.type == VAL_STR) {
        size_t m = S(x)->len < S(y)->len ? S(x)->len : S(y)->len;
        int c = memcmp(S(x)->chars, S(y)->chars, m);
        if (c) return c < 0 ? -1 : 1;
        return S(x)->len < S(y)->len ? -1 : S(x)->len > S(y)->len;
    }
    *bad = 1;
    return 0;
}

/* Stable merge sort of idx[0..n) by keys[idx], descending when desc (still stable). */
static void merge_sort(int64_t *idx, int64_t *tmp, int64_t n, const Value *keys, int desc, int *bad)
{
    for (int64_t w = 1; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                int c = key_cmp(keys[idx[j]], keys[idx[i]], bad);
                if (desc) c = -c;
                tmp[k++] = c < 0 ? idx[j++] : idx[i++];
            }
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, sizeof *idx * (size_t)n);
    }
}

int list_sort_order(Interp *I, Args *a, const Value *keys, int64_t n, int desc, int64_t **order)
{
    int64_t *idx = malloc(sizeof *idx * (size_t)(n + 1)), *tmp = malloc(sizeof *tmp * (size_t)(n + 1));
    if (!idx || !tmp) abort();
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    int bad = 0;
    merge_sort(idx, tmp, n, keys, desc, &bad);
    free(tmp);
    if (bad) {
        free(idx);
        ValType t1 = VAL_NIL, t2 = VAL_NIL;
        for (int64_t i = 0; i < n; i++) {
            if (keys[i].type != VAL_NUM && keys[i].type != VAL_STR) { t1 = keys[i].type; break; }
            if (i && keys[i].type != keys[0].type) { t1 = keys[0].type; t2 = keys[i].type; break; }
        }
        if (t2 != VAL_NIL)
            return rt_error(I, &a->call, "%s: cannot order a %s and a %s (sort numbers or strings)", a->bi->name,
                            val_type_name(t1), val_type_name(t2));
        return rt_error(I, &a->call, "%s: cannot order a %s (sort numbers or strings, or give by:)", a->bi->name,
                        val_type_name(t1));
    }
    *order = idx;
    return 0;
}

static int bi_list_sort(Interp *I, Args *a, Value *out)
{
    Value by = VNIL;
    int desc;
    if (arg_bool(I, a, -1, "desc", 0, &desc)) return -1;
    int has_by = arg_get(a, -1, "by", &by);
    if (has_by && !val_is_func(by))
        return arg_error(I, a, -1, "by", "sort: by: takes a function giving each item's key, found %s",
                         val_type_name(by.type));
    const ObjList *l = L(a->pos[0]);
    int64_t n = l->len;
    Value *keys = calloc((size_t)n + 1, sizeof *keys), *items = calloc((size_t)n + 1, sizeof *items);
    if (!keys || !items) abort();
    int r = 0;
    for (int64_t i = 0; i < n; i++) {
        items[i] = l->items[i];
        val_incref(items[i]);
    }
    for (int64_t i = 0; i < n && r == 0; i++) {
        if (has_by) r = call1(I, a, by, 1, &items[i], &keys[i]);
        else { keys[i] = items[i]; val_incref(keys[i]); }
    }
    int64_t *order = NULL;
    if (r == 0) r = list_sort_order(I, a, keys, n, desc, &order);
    if (r == 0) {
        Value res = val_list(n);
        for (int64_t i = 0; i < n; i++) {
            val_incref(items[order[i]]);
            val_list_push(res, items[order[i]]);
        }
        *out = res;
    }
    for (int64_t i = 0; i < n; i++) { val_decref(keys[i]); val_decref(items[i]); }
    free(keys);
    free(items);
    free(order);
    return r ? -1 : 0;
}

/* zip(a, b, ...): [[a0, b0, ...], [a1, b1, ...], ...]; the lists must have one length. */
static int bi_zip(Interp *I, Args *a, Value *out)
{
    if (a->npos < 1) return rt_error(I, &a->call, "zip: expected at least one list");
    for (int k = 0; k < a->npos; k++) {
        if (a->pos[k].type != VAL_LIST)
            return arg_error(I, a, k, NULL, "zip: expected lists, found %s", val_type_name(a->pos[k].type));
        if (L(a->pos[k])->len != L(a->pos[0])->len)
            return arg_error(I, a, k, NULL, "zip: the lists differ in length (%lld and %lld)",
                             (long long)L(a->pos[0])->len, (long long)L(a->pos[k])->len);
    }
    int64_t n = L(a->pos[0])->len;
    Value res = val_list(n);
    for (int64_t i = 0; i < n; i++) {
        Value t = val_list(a->npos);
        for (int k = 0; k < a->npos; k++) {
            val_incref(L(a->pos[k])->items[i]);
            val_list_push(t, L(a->pos[k])->items[i]);
        }
        val_list_push(res, t);
    }
    *out = res;
    return 0;
}

static int bi_enumerate(Interp *I, Args *a, Value *out)
{
    const ObjList *l = L(a->pos[0]);
    Value res = val_list(l->len);
    for (int64_t i = 0; i < l->len; i++) {
        Value t = val_list(2);
        val_list_push(t, val_num((double)i));
        val_incref(l->items[i]);
        val_list_push(t, l->items[i]);
        val_list_push(res, t);
    }
    *out = res;
    return 0;
}

static int bi_reverse(Interp *I, Args *a, Value *out)
{
    const ObjList *l = L(a->pos[0]);
    Value res = val_list(l->len);
    for (int64_t i = l->len - 1; i >= 0; i--) {
        val_incref(l->items[i]);
        val_list_push(res, l->items[i]);
    }
    *out = res;
    return 0;
}

/* ---- reductions of a list (or range) of numbers, in double ---- */

/* The numbers of a list or range into a malloc'd array (*x NULL when n is 0). */
static int numbers_of(Interp *I, Args *a, double **x, int64_t *n)
{
    Value v = a->pos[0];
    if (v.type == VAL_RANGE) {
        const ObjRange *g = (const ObjRange *)v.as.obj;
        *n = g->hi > g->lo ? g->hi - g->lo : 0;
        if (*n > RDN_MAX_LIST) return arg_error(I, a, 0, NULL, "%s: range too long", a->bi->name);
        *x = malloc(sizeof **x * (size_t)(*n + 1));
        if (!*x) abort();
        for (int64_t i = 0; i < *n; i++) (*x)[i] = (double)(g->lo + i);
        return 0;
    }
    const ObjList *l = L(v);
    *n = l->len;
    *x = malloc(sizeof **x * (size_t)(*n + 1));
    if (!*x) abort();
    for (int64_t i = 0; i < l->len; i++) {
        if (l->items[i].type != VAL_NUM) {
            free(*x);
            return arg_error(I, a, 0, NULL, "%s: item %lld is a %s (expected numbers)", a->bi->name, (long long)i,
                             val_type_name(l->items[i].type));
        }
        (*x)[i] = l->items[i].as.num;
    }
    return 0;
}

static int no_axis(Interp *I, Args *a)
{
    Value v;
    if (arg_get(a, -1, "axis", &v))
        return arg_error(I, a, -1, "axis", "%s: axis: applies to tensors, not to a %s", a->bi->name,
                         val_type_name(a->pos[0].type));
    return 0;
}

/* sum in index order with Neumaier's compensation: the exact sum rounded once for lists of
 * moderate condition (mean([0.711, 0.711]) is 0.711). */
static double exact_sum(const double *x, int64_t n)
{
    double s = 0, c = 0;
    for (int64_t i = 0; i < n; i++) {
        double t = s + x[i];
        if (fabs(s) >= fabs(x[i])) c += (s - t) + x[i];
        else c += (x[i] - t) + s;
        s = t;
    }
    return s + c;
}

static int bi_list_sum(Interp *I, Args *a, Value *out)
{
    double *x;
    int64_t n;
    if (no_axis(I, a) || numbers_of(I, a, &x, &n)) return -1;
    *out = val_num(exact_sum(x, n));
    free(x);
    return 0;
}

static int bi_list_mean(Interp *I, Args *a, Value *out)
{
    double *x;
    int64_t n;
    if (no_axis(I, a) || numbers_of(I, a, &x, &n)) return -1;
    if (n == 0) {
        free(x);
        return arg_error(I, a, 0, NULL, "mean: the list is empty");
    }
    *out = val_num(exact_sum(x, n) / (double)n);
    free(x);
    return 0;
}

static int list_extreme(Interp *I, Args *a, Value *out, int want_max)
{
    if (a->npos == 2)
        return arg_error(I, a, 1, NULL, "%s: takes one list, or two numbers", a->bi->name);
    double *x;
    int64_t n;
    if (no_axis(I, a) || numbers_of(I, a, &x, &n)) return -1;
    if (n == 0) {
        free(x);
        return arg_error(I, a, 0, NULL, "%s: the list is empty", a->bi->name);
    }
    double m = x[0];
    for (int64_t i = 1; i < n; i++)
        if (isnan(x[i]) || (want_max ? x[i] > m : x[i] < m)) m = isnan(m) ? m : x[i];
    free(x);
    *out = val_num(m);
    return 0;
}
static int bi_list_min(Interp *I, Args *a, Value *out) { return list_extreme(I, a, out, 0); }
static int bi_list_max(Interp *I, Args *a, Value *out) { return list_extreme(I, a, out, 1); }

#define STR_ ON(VAL_STR)
#define LIST_ ON(VAL_LIST)

const Builtin BI_LIST[] = {
    /* strings */
    {"split", bi_str_split, 1, 2, "", "split(s, sep)",
     "The pieces of the string s between each occurrence of sep, or with no sep the words of s "
     "(separated by white space). `split(d, 0.8)` of a dataset is the data split.\n\n"
     "Example: `split(\"a,b,,c\", \",\")` is [\"a\", \"b\", \"\", \"c\"]", STR_},
    {"join", bi_list_join, 1, 2, "", "join(xs, sep)",
     "One string of the items of a list (strings, numbers, bools) with sep between them. "
     "`join(a, b, on:)` of two tables is the table join.\n\nExample: `join([\"a\", \"b\"], \"-\")` is \"a-b\"",
     LIST_},
    {"replace", bi_replace, 3, 3, "", "replace(s, old, new)",
     "s with every occurrence of old replaced by new.\n\nExample: `replace(\"a-b-c\", \"-\", \"+\")` is \"a+b+c\""},
    {"strip", bi_strip, 1, 1, "", "strip(s)",
     "s without white space at either end.\n\nExample: `strip(\"  x \\n\")` is \"x\""},
    {"contains", bi_str_contains, 2, 2, "", "contains(s, sub)",
     "Whether the string s contains sub.\n\nExample: `contains(\"resnet-50\", \"net\")` is true", STR_},
    {"contains", bi_list_contains, 2, 2, "", "contains(xs, v)",
     "Whether the list xs holds an item equal to v (== of that kind; items of other kinds are not "
     "equal).\n\nExample: `contains([5, 10, 20], 10)` is true", LIST_},
    {"starts_with", bi_starts_with, 2, 2, "", "starts_with(s, prefix)",
     "Whether the string s begins with prefix.\n\nExample: `starts_with(\"class_0\", \"class_\")` is true"},
    {"ends_with", bi_ends_with, 2, 2, "", "ends_with(s, suffix)",
     "Whether the string s ends with suffix.\n\nExample: `ends_with(\"run.csv\", \".csv\")` is true"},
    {"upper", bi_upper, 1, 1, "", "upper(s)",
     "s with the ASCII letters in upper case.\n\nExample: `upper(\"adam\")` is \"ADAM\""},
    {"lower", bi_lower, 1, 1, "", "lower(s)",
     "s with the ASCII letters in lower case.\n\nExample: `lower(\"SGD\")` is \"sgd\""},
    /* lists */
    {"map", bi_map, 2, 2, "", "map(xs, fn)",
     "A new list of fn(x) for every item x of xs, in order.\n\nExample: `map([1, 2, 3], fn(x) { return x * x })` is [1, 4, 9]",
     LIST_},
    {"filter", bi_list_filter, 2, 2, "", "filter(xs, fn)",
     "A new list of the items x of xs for which fn(x) is true. `filter(t, fn)` of a table keeps rows.\n\n"
     "Example: `filter([1, 5, 2, 8], fn(x) { return x > 2 })` is [5, 8]", LIST_},
    {"sort", bi_list_sort, 1, 1, "by desc", "sort(xs, by: fn, desc: false)",
     "A new list of the items of xs in increasing order (numbers by value, strings by bytes; NaN "
     "last), or of the keys by(x) gives; `desc: true` for decreasing. Stable: equal keys keep their "
     "order. Items of different kinds are an error. `sort(t, by: \"col\")` sorts a table's rows, "
     "`sort(t, axis:)` a tensor.\n\nExample: `sort(runs, by: fn(r) { return r.acc }, desc: true)`", LIST_},
    {"zip", bi_zip, 1, -1, "", "zip(xs, ys, ...)",
     "A list of lists taking one item from each list in turn; the lists must have one length.\n\n"
     "Example: `zip([1, 2], [\"a\", \"b\"])` is [[1, \"a\"], [2, \"b\"]]"},
    {"enumerate", bi_enumerate, 1, 1, "", "enumerate(xs)",
     "A list of [i, x] pairs: each item of xs with its index.\n\n"
     "Example: `for p in enumerate([\"a\", \"b\"]) { print(p[0], p[1]) }`", LIST_},
    {"reverse", bi_reverse, 1, 1, "", "reverse(xs)",
     "A new list of the items of xs in reverse order.\n\nExample: `reverse([1, 2, 3])` is [3, 2, 1]", LIST_},
    /* reductions of lists, in double */
    {"sum", bi_list_sum, 1, 1, "axis", "sum(xs)",
     "The sum of a list or range of numbers, in double precision and rounded once (compensated "
     "summation). `sum(t, axis:)` of a tensor is the tensor sum.\n\nExample: `sum([0.1, 0.2])` is 0.30000000000000004",
     LIST_ | ON(VAL_RANGE)},
    {"mean", bi_list_mean, 1, 1, "axis", "mean(xs)",
     "The mean of a list or range of numbers in double precision; an empty list is an error.\n\n"
     "Example: `mean([0.711, 0.711])` is 0.711", LIST_ | ON(VAL_RANGE)},
    {"min", bi_list_min, 1, 2, "axis", "min(xs)",
     "The smallest number of a list or range (NaN if any is NaN); an empty list is an error.\n\n"
     "Example: `min([3, 1, 2])` is 1", LIST_ | ON(VAL_RANGE)},
    {"max", bi_list_max, 1, 2, "axis", "max(xs)",
     "The largest number of a list or range (NaN if any is NaN); an empty list is an error.\n\n"
     "Example: `max([3, 1, 2])` is 3", LIST_ | ON(VAL_RANGE)},
    {0},
};

int builtin_is_list(const Builtin *b)
{
    return b >= BI_LIST && b < BI_LIST + sizeof BI_LIST / sizeof BI_LIST[0];
}
