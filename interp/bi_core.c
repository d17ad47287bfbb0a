/* bi_core.c: the core builtins: output (print, format), randomness (seed), and the small tools
 * every script needs on numbers, strings and lists (len, str, num, type, range, list, append,
 * pop, round, floor, ceil, assert, error, help). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "rmath.h"

void core_seed(Interp *I, uint64_t seed)
{
    I->seed = seed;
    rdn_rng_seed(&I->rng, seed);
}

uint64_t interp_draw_seed(Interp *I) { return rdn_rng_u64(&I->rng); }

/* ---- output ---- */

static int bi_print(Interp *I, Args *a, Value *out)
{
    FILE *f = interp_stdout(I);
    const char *sep, *end;
    if (arg_str(I, a, -1, "sep", " ", &sep) || arg_str(I, a, -1, "end", "\n", &end)) return -1;
    for (int i = 0; i < a->npos; i++) {
        char *s = a->pos[i].type == VAL_STR ? NULL : val_to_text(a->pos[i]);
        if (!s && a->pos[i].type != VAL_STR) return mem_error(I, &a->pos_span[i], "the text to print");
        if (i) fputs(sep, f);
        if (a->pos[i].type == VAL_STR) fwrite(val_cstr(a->pos[i]), 1, ((ObjStr *)a->pos[i].as.obj)->len, f);
        else fputs(s, f);
        free(s);
    }
    fputs(end, f);
    fflush(f);
    return 0;
}

typedef struct Buf { char *s; size_t len, cap; int failed; } Buf;

static void bput(Buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = mem_realloc(b->s, cap, 1, "a formatted string");
        if (!p) {                                  /* pending: format raises it at the end */
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

static int bi_format(Interp *I, Args *a, Value *out)
{
    const char *fmt;
    if (arg_str(I, a, 0, NULL, NULL, &fmt)) return -1;
    if (!fmt) return arg_error(I, a, 0, NULL, "format: missing the format string");
    Buf b = {0};
    bput(&b, "", 0);
    int next = 1;
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            const char *q = strchr(p, '%');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            bput(&b, p, n);
            p += n;
            continue;
        }
        const char *start = p++;
        if (*p == '%') { bput(&b, "%", 1); p++; continue; }
        while (*p && strchr("-+ 0#", *p)) p++;
        int width = 0, prec = -1;
        /* saturating: the limit check below reports absurd widths */
        for (; *p >= '0' && *p <= '9'; p++)
            if (width <= 100000) width = width * 10 + (*p - '0');
        if (*p == '.') {
            prec = 0;
            p++;
            for (; *p >= '0' && *p <= '9'; p++)
                if (prec <= 100000) prec = prec * 10 + (*p - '0');
        }
        char conv = *p;
        if (!conv || !strchr("dfegsxi", conv)) {
            free(b.s);
            return arg_error(I, a, 0, NULL, "format: unknown directive '%.*s' (use %%d %%f %%e %%g %%s %%x %%%%)",
                             (int)(p - start + (conv ? 1 : 0)), start);
        }
        p++;
        if (width > 1000 || prec > 100) {
            free(b.s);
            return arg_error(I, a, 0, NULL, "format: width or precision too large in '%.*s'", (int)(p - start), start);
        }
        if (next >= a->npos) {
            free(b.s);
            return arg_error(I, a, 0, NULL, "format: '%.*s' has no value (%d given)", (int)(p - start), start,
                             a->npos - 1);
        }
        Value v = a->pos[next];
        char spec[64], piece[1200];
        int sl = (int)(p - start);
        const char *okflags = conv == 's' ? "-" : conv == 'x' ? "-0#" : (conv == 'd' || conv == 'i') ? "-+ 0" : "-+ 0#";
        for (const char *f = start + 1; f < p && strchr("-+ 0#", *f); f++)
            if (!strchr(okflags, *f)) {
                free(b.s);
                return arg_error(I, a, 0, NULL, "format: flag '%c' does not apply to %%%c", *f, conv);
            }
        if (conv == 's') {
            char *t = val_to_text(v);
            if (!t) {
                free(b.s);
                return mem_error(I, &a->pos_span[next], "a formatted string");
            }
            snprintf(spec, sizeof spec, "%.*s", sl, start);
            int n = snprintf(NULL, 0, spec, t);
            char *big = n >= 0 ? mem_alloc((size_t)n + 1, 1, "a formatted string") : NULL;
            if (!big) {
                free(t);
                free(b.s);
                return mem_error(I, &a->pos_span[next], "a formatted string");
            }
            snprintf(big, (size_t)n + 1, spec, t);
            bput(&b, big, (size_t)n);
            free(big);
            free(t);
        } else {
            if (v.type != VAL_NUM && v.type != VAL_BOOL) {
                free(b.s);
                return arg_error(I, a, next, NULL, "format: '%.*s' expects a number, found %s", sl, start,
                                 val_type_name(v.type));
            }
            double x = v.type == VAL_BOOL ? v.as.b : v.as.num;
            if (conv == 'd' || conv == 'i' || conv == 'x') {
                if (x != floor(x) || fabs(x) > 9.2e18) {
                    free(b.s);
                    return arg_error(I, a, next, NULL, "format: '%.*s' expects a whole number, found %g", sl, start, x);
                }
                snprintf(spec, sizeof spec, "%.*sll%c", sl - 1, start, conv);
                snprintf(piece, sizeof piece, spec, (long long)x);
            } else {
                snprintf(spec, sizeof spec, "%.*s", sl, start);
                snprintf(piece, sizeof piece, spec, x);
            }
            bput(&b, piece, strlen(piece));
        }
        next++;
    }
    if (next < a->npos) {
        free(b.s);
        return arg_error(I, a, next, NULL, "format: %d value%s given but the format uses %d", a->npos - 1,
                         a->npos - 1 == 1 ? "" : "s", next - 1);
    }
    if (b.failed) {
        free(b.s);
        return mem_error(I, &a->call, "a formatted string");
    }
    *out = val_str_n(b.s, b.len);
    free(b.s);
    return 0;
}

/* ---- randomness ---- */

static int bi_seed(Interp *I, Args *a, Value *out)
{
    double x = 0;
    if (arg_num(I, a, 0, NULL, 0, &x)) return -1;
    if (x != floor(x) || x < 0 || x > 9007199254740992.0)
        return arg_error(I, a, 0, NULL, "seed: expected a whole number from 0 to 2^53, found %g", x);
    core_seed(I, (uint64_t)x);
    return 0;
}

/* ---- values ---- */

static int bi_len(Interp *I, Args *a, Value *out)
{
    Value v = a->pos[0];
    switch (v.type) {
    case VAL_STR: *out = val_num((double)((ObjStr *)v.as.obj)->len); return 0;
    case VAL_LIST: *out = val_num((double)((ObjList *)v.as.obj)->len); return 0;
    case VAL_RECORD: *out = val_num((double)val_record_len(v)); return 0;
    case VAL_TABLE: *out = val_num((double)table_nrows(v)); return 0;
    case VAL_RANGE: {
        const ObjRange *r = (const ObjRange *)v.as.obj;
        *out = val_num(r->hi > r->lo ? (double)(r->hi - r->lo) : 0);
        return 0;
    }
    default: break;
    }
    const TypeOps *ops = typeops_for(v.type);
    if (ops && ops->get) {
        Value m = VNIL;
        int r = ops->get(I, v, "shape", &a->pos_span[0], &m);
        if (r < 0) return -1;
        if (r == 0 && m.type == VAL_LIST && ((ObjList *)m.as.obj)->len > 0 &&
            ((ObjList *)m.as.obj)->items[0].type == VAL_NUM) {
            *out = ((ObjList *)m.as.obj)->items[0];
            val_decref(m);
            return 0;
        }
        val_decref(m);
        m = VNIL;
        r = ops->get(I, v, "n", &a->pos_span[0], &m);
        if (r < 0) return -1;
        if (r == 0 && m.type == VAL_NUM) { *out = m; return 0; }
        val_decref(m);
    }
    return arg_error(I, a, 0, NULL, "len: a %s has no length", val_type_name(v.type));
}

static int bi_str(Interp *I, Args *a, Value *out)
{
    *out = val_str_take(val_to_text(a->pos[0]));
    return 0;
}

static int bi_num(Interp *I, Args *a, Value *out)
{
    Value v = a->pos[0];
    if (v.type == VAL_NUM) { *out = v; return 0; }
    if (v.type == VAL_BOOL) { *out = val_num(v.as.b); return 0; }
    if (v.type != VAL_STR) return arg_error(I, a, 0, NULL, "num: expected a string or a number, found %s",
                                            val_type_name(v.type));
    const char *s = val_cstr(v);
    char *end;
    double x = strtod(s, &end);
    while (*end == ' ' || *end == '\t' || *end == '\n') end++;
    if (end == s || *end) return arg_error(I, a, 0, NULL, "num: \"%.60s\" is not a number", s);
    *out = val_num(x);
    return 0;
}

static int bi_type(Interp *I, Args *a, Value *out)
{
    *out = val_str(val_type_name(a->pos[0].type));
    return 0;
}

static int bi_range(Interp *I, Args *a, Value *out)
{
    long lo = 0, hi;
    const long big = 1L << 53;
    if (a->npos == 1) {
        if (arg_int(I, a, 0, NULL, 0, -big, big, &hi)) return -1;
    } else if (arg_int(I, a, 0, NULL, 0, -big, big, &lo) || arg_int(I, a, 1, NULL, 0, -big, big, &hi)) {
        return -1;
    }
    *out = val_range(lo, hi);
    return 0;
}

static int bi_list(Interp *I, Args *a, Value *out)
{
    Value v = a->pos[0];
    if (v.type == VAL_LIST) {
        const ObjList *l = (const ObjList *)v.as.obj;
        Value r = val_list(l->len);
        for (int64_t i = 0; i < l->len; i++) { val_incref(l->items[i]); val_list_push(r, l->items[i]); }
        *out = r;
        return 0;
    }
    if (v.type == VAL_RANGE) {
        const ObjRange *g = (const ObjRange *)v.as.obj;
        if (g->hi - g->lo > RDN_MAX_LIST) return arg_error(I, a, 0, NULL, "list: range too long (%lld items)",
                                                        (long long)(g->hi - g->lo));
        Value r = val_list(g->hi > g->lo ? g->hi - g->lo : 0);
        for (int64_t i = g->lo; i < g->hi; i++) val_list_push(r, val_num((double)i));
        *out = r;
        return 0;
    }
    if (v.type == VAL_STR) {
        const ObjStr *s = (const ObjStr *)v.as.obj;
        Value r = val_list((int64_t)s->len);
        for (size_t i = 0; i < s->len;) {
            size_t k = 1;
            if ((unsigned char)s->chars[i] >= 0xC0)
                while (i + k < s->len && ((unsigned char)s->chars[i + k] & 0xC0) == 0x80) k++;
            val_list_push(r, val_str_n(s->chars + i, k));
            i += k;
        }
        *out = r;
        return 0;
    }
    return arg_error(I, a, 0, NULL, "list: expected a list, range or string, found %s (to_list(t) converts a tensor)",
                     val_type_name(v.type));
}

static int bi_append(Interp *I, Args *a, Value *out)
{
    if (a->pos[0].type != VAL_LIST)
        return arg_error(I, a, 0, NULL, "append: expected a list, found %s", val_type_name(a->pos[0].type));
    if (val_list_would_cycle(a->pos[0], a->pos[1]))
        return arg_error(I, a, 1, NULL, "append: a list cannot contain itself (copy it with list(x))");
    if (((ObjList *)a->pos[0].as.obj)->len >= RDN_MAX_LIST)
        return arg_error(I, a, 0, NULL, "append: list too long (the limit is %lld items)", (long long)RDN_MAX_LIST);
    val_incref(a->pos[1]);
    val_list_push(a->pos[0], a->pos[1]);
    return 0;
}

static int bi_pop(Interp *I, Args *a, Value *out)
{
    if (a->pos[0].type != VAL_LIST)
        return arg_error(I, a, 0, NULL, "pop: expected a list, found %s", val_type_name(a->pos[0].type));
    ObjList *l = (ObjList *)a->pos[0].as.obj;
    if (l->len == 0) return arg_error(I, a, 0, NULL, "pop: the list is empty");
    *out = l->items[--l->len];
    return 0;
}

static int num_arg(Interp *I, Args *a, const char *name, double *x)
{
    if (a->pos[0].type != VAL_NUM)
        return arg_error(I, a, 0, NULL, "%s: expected a number, found %s", name, val_type_name(a->pos[0].type));
    *x = a->pos[0].as.num;
    return 0;
}

static int bi_round(Interp *I, Args *a, Value *out)
{
    double x = 0;
    long d;
    if (num_arg(I, a, "round", &x) || arg_int(I, a, 1, "digits", 0, 0, 15, &d)) return -1;
    double s = rdn_pow(10, (double)d);
    *out = val_num(d ? round(x * s) / s : round(x));
    return 0;
}

static int bi_floor(Interp *I, Args *a, Value *out)
{
    double x = 0;
    if (num_arg(I, a, "floor", &x)) return -1;
    *out = val_num(floor(x));
    return 0;
}

static int bi_ceil(Interp *I, Args *a, Value *out)
{
    double x = 0;
    if (num_arg(I, a, "ceil", &x)) return -1;
    *out = val_num(ceil(x));
    return 0;
}

static int bi_isnan(Interp *I, Args *a, Value *out)
{
    double x = 0;
    if (num_arg(I, a, "isnan", &x)) return -1;
    *out = val_bool(isnan(x));
    return 0;
}

static int bi_assert(Interp *I, Args *a, Value *out)
{
    const char *msg;
    if (arg_str(I, a, 1, "msg", NULL, &msg)) return -1;
    if (val_truthy(a->pos[0])) return 0;
    if (msg) return rt_error(I, &a->call, "assertion failed: %s", msg);
    return rt_error(I, &a->call, "assertion failed");
}

static int bi_error(Interp *I, Args *a, Value *out)
{
    char *s = val_to_text(a->pos[0]);
    if (!s) return mem_error(I, &a->call, "the error's text");
    rt_error(I, &a->call, "%s", s);
    free(s);
    return -1;
}

/* ---- records ---- */

static int bi_keys(Interp *I, Args *a, Value *out)
{
    Value r = a->pos[0];
    if (r.type != VAL_RECORD)
        return arg_error(I, a, 0, NULL, "keys: expected a record, found %s", val_type_name(r.type));
    Value l = val_list(val_record_len(r));
    for (int64_t i = 0; i < val_record_len(r); i++) val_list_push(l, val_str(val_record_key(r, i)));
    *out = l;
    return 0;
}

static int bi_has(Interp *I, Args *a, Value *out)
{
    Value r = a->pos[0], k = a->pos[1], v;
    if (r.type != VAL_RECORD)
        return arg_error(I, a, 0, NULL, "has: expected a record, found %s", val_type_name(r.type));
    if (k.type != VAL_STR)
        return arg_error(I, a, 1, NULL, "has: expected a field name (a string), found %s", val_type_name(k.type));
    *out = val_bool(val_record_get(r, val_cstr(k), &v) == 0);
    return 0;
}

static void print_row(FILE *f, const Builtin *b)
{
    fprintf(f, "%s\n\n%s\n", b->signature, b->doc);
}

static int bi_help(Interp *I, Args *a, Value *out)
{
    FILE *f = interp_stdout(I);
    if (a->npos == 0) {
        fprintf(f, "Builtins (help(name) for one of them):\n");
        int col = 0;
        for (int i = 0; builtin_at(i); i++) {
            const char *n = builtin_at(i)->name;
            int w = (int)strlen(n) + 2;
            if (col + w > 78) { fprintf(f, "\n"); col = 0; }
            fprintf(f, "  %s", n);
            col += w;
        }
        fprintf(f, "\n");
        return 0;
    }
    Value v = a->pos[0];
    const Builtin *b = NULL;
    if (v.type == VAL_BUILTIN) b = v.as.bi;
    else if (v.type == VAL_STR) b = builtin_find(val_cstr(v));
    if (b) {
        for (const Builtin *r = b; r; r = builtin_next_same(r)) {
            if (r != b) fprintf(f, "\n");
            print_row(f, r);
        }
        return 0;
    }
    const KeywordDoc *kd = v.type == VAL_STR ? keyword_doc(val_cstr(v)) : NULL;
    if (kd) {
        fprintf(f, "%s\n\n%s\n", kd->syntax, kd->doc);
        return 0;
    }
    if (v.type == VAL_MODULE) {         /* its functions and values, in definition order */
        const ObjModule *m = (const ObjModule *)v.as.obj;
        fprintf(f, "module %s:\n", m->name);
        for (int i = 0; i < m->env->n; i++) {
            char *s = val_repr(m->env->vals[i]);
            if (m->env->vals[i].type == VAL_FUNC) fprintf(f, "  %s\n", s);
            else fprintf(f, "  %s = %.60s\n", m->env->names[i], s);
            free(s);
        }
        return 0;
    }
    if (v.type == VAL_RECORD) {
        char *s = val_repr(v);
        fprintf(f, "a record with %lld field%s: %s\n", (long long)val_record_len(v), val_record_len(v) == 1 ? "" : "s", s);
        free(s);
        return 0;
    }
    if (v.type == VAL_FUNC) {
        char *s = val_repr(v);
        if (!s) return mem_error(I, &a->call, "help");
        fprintf(f, "%s (defined in a script)\n", s);
        free(s);
        return 0;
    }
    if (v.type == VAL_STR) {
        char best[128];
        Words words = {0};
        for (int i = 0; builtin_at(i); i++) words_add(&words, builtin_at(i)->name);
        for (const KeywordDoc *k = KEYWORD_DOCS; k->word; k++) words_add(&words, k->word);
        const char *s = suggest(val_cstr(v), words_str(&words), best, sizeof best);
        int r = s ? arg_error(I, a, 0, NULL, "help: no builtin or statement '%s' (did you mean '%s'?)", val_cstr(v), s)
                  : arg_error(I, a, 0, NULL, "help: no builtin or statement '%s'", val_cstr(v));
        words_free(&words);
        return r;
    }
    const TypeOps *ops = typeops_for(v.type);
    fprintf(f, "a %s%s%s\n", val_type_name(v.type), ops && ops->members && *ops->members ? "; members: " : "",
           ops && ops->members ? ops->members : "");
    return 0;
}

int builtin_is_core(const Builtin *b);

const Builtin BI_CORE[] = {
    {"print", bi_print, 0, -1, "sep end", "print(v, ..., sep: \" \", end: \"\\n\")",
     "Prints the values separated by `sep` and followed by `end` (strings bare, everything else as "
     "the REPL shows it).\n\nExample: `print(\"accuracy:\", acc)`"},
    {"format", bi_format, 1, -1, "", "format(fmt, v, ...)",
     "A string built from a printf-style format: `%d` (whole number), `%f`, `%e`, `%g` (numbers, "
     "with width and precision as in `%8.3f`), `%x`, `%s` (any value as print shows it) and `%%`. "
     "The number and types of the values are checked.\n\nExample: `print(format(\"%-6s %.3f\", \"loss\", l))`"},
    {"seed", bi_seed, 1, 1, "", "seed(n)",
     "Reseeds the one random generator every random draw comes from (initialisation, shuffling, "
     "noise). Without `seed` a script uses the fixed default seed 20210917, so every run is "
     "reproducible; the seed in force is recorded in the run's manifest.\n\nExample: `seed(7)`"},
    {"len", bi_len, 1, 1, "", "len(x)",
     "The length of a string (bytes), list or range, the first dimension of a tensor, or the number "
     "of examples of a dataset, or the number of fields of a record.\n\nExample: `len([1, 2, 3])` is 3"},
    {"str", bi_str, 1, 1, "", "str(v)",
     "The text of a value, as print shows it.\n\nExample: `\"depth \" + str(net.depth)`"},
    {"num", bi_num, 1, 1, "", "num(s)",
     "The number a string holds (leading and trailing spaces allowed); an error if it holds none.\n\n"
     "Example: `num(\"0.25\")` is 0.25"},
    {"type", bi_type, 1, 1, "", "type(v)",
     "The name of a value's type: \"nil\", \"bool\", \"number\", \"string\", \"list\", \"range\", "
     "\"function\", \"builtin\", \"module\", \"record\", \"tensor\", \"dataset\", \"net\", ...\n\n"
     "Example: `type(1.5)` is \"number\""},
    {"range", bi_range, 1, 2, "", "range(n) or range(a, b)",
     "The whole numbers 0 up to n-1, or a up to b-1, as a range (the same as `0..n` and `a..b`).\n\n"
     "Example: `for i in range(3) { print(i) }`"},
    {"list", bi_list, 1, 1, "", "list(x)",
     "A new list holding the items of a list (a copy), the numbers of a range, or the characters of "
     "a string.\n\nExample: `list(0..3)` is [0, 1, 2]"},
    {"append", bi_append, 2, 2, "", "append(list, v)",
     "Adds v at the end of the list, in place (every name bound to that list sees it).\n\n"
     "Example: `xs = []; append(xs, 1)`"},
    {"pop", bi_pop, 1, 1, "", "pop(list)",
     "Removes the last item of the list, in place, and returns it.\n\nExample: `last = pop(xs)`"},
    {"round", bi_round, 1, 2, "digits", "round(x, digits: 0)",
     "x rounded to `digits` decimal places (halves away from zero).\n\nExample: `round(2.345, digits: 2)` is 2.35"},
    {"floor", bi_floor, 1, 1, "", "floor(x)", "The largest whole number <= x.\n\nExample: `floor(2.7)` is 2"},
    {"ceil", bi_ceil, 1, 1, "", "ceil(x)", "The smallest whole number >= x.\n\nExample: `ceil(2.1)` is 3"},
    {"isnan", bi_isnan, 1, 1, "", "isnan(x)",
     "Whether the number x is NaN (not a number; `x != x` is also true only then).\n\nExample: `isnan(0/0)` is true"},
    {"assert", bi_assert, 1, 2, "msg", "assert(cond, msg:)",
     "Stops the script with a located error \"assertion failed: msg\" unless cond is true.\n\n"
     "Example: `assert(acc > 0.9, msg: \"training did not converge\")`"},
    {"error", bi_error, 1, 1, "", "error(msg)",
     "Stops the script with a located runtime error carrying msg (exit status 1).\n\n"
     "Example: `if n < 1 { error(\"n must be positive\") }`"},
    {"keys", bi_keys, 1, 1, "", "keys(r)",
     "The field names of a record, in the order they were first set, as a list of strings.\n\n"
     "Example: `for k in keys(cfg) { print(k, cfg[k]) }`"},
    {"has", bi_has, 2, 2, "", "has(r, name)",
     "Whether the record r has a field called name.\n\nExample: `if has(cfg, \"lr\") { lr = cfg.lr }`"},
    {"help", bi_help, 0, 1, "", "help(name)",
     "Prints the documentation of a builtin (`help(resnet)` or `help(\"resnet\")`), of a statement "
     "or word of the language (`help(\"for\")`), the functions of a module (`help(stats)`), what a "
     "value is and its members (a table's columns), or with no argument the list of builtins.\n\n"
     "Example: `help(fit)`"},
    {0},
};

int builtin_is_core(const Builtin *b)
{
    return (b >= BI_CORE && b < BI_CORE + sizeof BI_CORE / sizeof BI_CORE[0]) || builtin_is_list(b);
}
