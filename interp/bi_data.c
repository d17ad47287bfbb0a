/* bi_data.c: bindings for the data builtins: synthetic sets, the IDX / MNIST / CSV / .npy loaders,
 * save_npy, the dataset operations, and the dataset value type (OPS_DATASET, val_dataset).
 * The work is in runtime/data_*.c; this file reads arguments, draws seeds from the script's
 * generator, records files read and written, and boxes the results. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "data.h"
#include "interp.h"
#include "table.h"

static void destroy_dataset(void *p) { rdn_dataset_free(p); }
Value val_dataset(struct Dataset *d) { return val_box(VAL_DATASET, d, destroy_dataset); }

/* The same, located at the argument naming the file the message is about. */
static int fail_at(Interp *I, const Args *a, int pos, const char *kw, const RdnErr *e)
{
    if (e->code == RDN_INTERRUPTED) return rt_error_from(I, &a->call, e);
    return arg_error(I, a, pos, kw, "%s: %.900s", a->bi->name, e->msg);
}

static int ret(Interp *I, const Args *a, Dataset *d, const RdnErr *e, Value *out)
{
    if (!d) return rt_error_call(I, a, e);
    *out = val_dataset(d);
    return 0;
}

/* seed: given, or drawn from the script's generator (so runs repeat, calls differ). */
static int get_seed(Interp *I, const Args *a, uint64_t *seed)
{
    Value v;
    if (!arg_get(a, -1, "seed", &v)) {
        *seed = interp_draw_seed(I);
        return 0;
    }
    double s;
    if (arg_num(I, a, -1, "seed", 0, &s)) return -1;
    if (!(s >= 0 && s <= 9007199254740992.0 && s == floor(s)))
        return arg_error(I, a, -1, "seed", "%s: seed must be a whole number >= 0, got %g",
                         a->bi->name, s);
    *seed = (uint64_t)s;
    return 0;
}

#define NMAX 100000000L

/* ---- synthetic sets ---- */

static int bi_spirals(Interp *I, Args *a, Value *out)
{
    long n, k;
    double noise;
    uint64_t seed;
    if (arg_int(I, a, -1, "n", 1000, 1, NMAX, &n) || arg_int(I, a, -1, "classes", 3, 1, 1000, &k) ||
        arg_num(I, a, -1, "noise", 0.05, &noise) || get_seed(I, a, &seed))
        return -1;
    RdnErr e = {0};
    return ret(I, a, rdn_data_spirals(n, (int)k, noise, seed, &e), &e, out);
}

static int bi_moons(Interp *I, Args *a, Value *out)
{
    long n;
    double noise;
    uint64_t seed;
    if (arg_int(I, a, -1, "n", 1000, 1, NMAX, &n) || arg_num(I, a, -1, "noise", 0.1, &noise) ||
        get_seed(I, a, &seed))
        return -1;
    RdnErr e = {0};
    return ret(I, a, rdn_data_moons(n, noise, seed, &e), &e, out);
}

static int bi_circles(Interp *I, Args *a, Value *out)
{
    long n;
    double noise;
    uint64_t seed;
    if (arg_int(I, a, -1, "n", 1000, 1, NMAX, &n) || arg_num(I, a, -1, "noise", 0.05, &noise) ||
        get_seed(I, a, &seed))
        return -1;
    RdnErr e = {0};
    return ret(I, a, rdn_data_circles(n, noise, seed, &e), &e, out);
}

static int bi_xor(Interp *I, Args *a, Value *out)
{
    long n;
    double noise;
    uint64_t seed;
    if (arg_int(I, a, -1, "n", 1000, 1, NMAX, &n) || arg_num(I, a, -1, "noise", 0.05, &noise) ||
        get_seed(I, a, &seed))
        return -1;
    RdnErr e = {0};
    return ret(I, a, rdn_data_xor(n, noise, seed, &e), &e, out);
}

static int bi_blobs(Interp *I, Args *a, Value *out)
{
    long n, k, dim;
    double spread;
    uint64_t seed;
    if (arg_int(I, a, -1, "n", 1000, 1, NMAX, &n) || arg_int(I, a, -1, "classes", 3, 1, 1000, &k) ||
        arg_int(I, a, -1, "dim", 2, 1, 100000, &dim) ||
        arg_num(I, a, -1, "spread", 0.5, &spread) || get_seed(I, a, &seed))
        return -1;
    if ((double)n * (double)dim > 4e9)
        return arg_error(I, a, -1, "n", "blobs: n x dim = %.0f numbers is too many",
                         (double)n * (double)dim);
    RdnErr e = {0};
    return ret(I, a, rdn_data_blobs(n, (int)k, (int)dim, spread, seed, &e), &e, out);
}

/* ---- loaders ---- */

static int bi_load_idx(Interp *I, Args *a, Value *out)
{
    const char *img, *lab;
    if (arg_str(I, a, 0, "images", NULL, &img) || arg_str(I, a, 1, "labels", NULL, &lab)) return -1;
    if (!img) return arg_error(I, a, 0, "images", "load_idx: the image file is missing");
    if (!lab) return arg_error(I, a, 1, "labels", "load_idx: the label file is missing");
    RdnErr e = {0};
    return ret(I, a, rdn_data_load_idx(img, lab, &I->out, &e), &e, out);
}

static int mnist_like(Interp *I, Args *a, Value *out, int fashion)
{
    const char *dir;
    int split;
    if (arg_str(I, a, -1, "dir", NULL, &dir) ||
        arg_choice(I, a, -1, "split", "train|test", 0, &split))
        return -1;
    if (!fashion && !dir)
        return arg_error(I, a, -1, NULL, "mnist: give the folder of the MNIST files with dir: "
                                         "(e.g. mnist(dir: \"data/mnist\"))");
    RdnErr e = {0};
    return ret(I, a, rdn_data_mnist(dir, split, fashion, &I->out, &e), &e, out);
}
static int bi_mnist(Interp *I, Args *a, Value *out) { return mnist_like(I, a, out, 0); }
static int bi_fashion(Interp *I, Args *a, Value *out) { return mnist_like(I, a, out, 1); }

static int bi_load_csv(Interp *I, Args *a, Value *out)
{
    const char *path;
    if (arg_str(I, a, 0, "path", NULL, &path)) return -1;
    if (!path) return arg_error(I, a, 0, "path", "load_csv: the file name is missing");
    RdnCsvOpts o = {NULL, -1, -1};
    Value v;
    if (arg_get(a, -1, "label", &v)) {
        if (v.type == VAL_STR) {
            o.label_name = val_cstr(v);
        } else {
            long li;
            if (arg_int(I, a, -1, "label", -1, -100000, 100000, &li)) return -1;
            o.label_index = (int)li;
        }
    }
    if (arg_get(a, -1, "header", &v)) {
        if (arg_bool(I, a, -1, "header", 0, &o.header)) return -1;
    }
    RdnErr e = {0};
    Dataset *d = rdn_data_load_csv(path, &o, &I->out, &e);
    if (!d) return fail_at(I, a, 0, NULL, &e);
    *out = val_dataset(d);
    return 0;
}

static int bi_load_npy(Interp *I, Args *a, Value *out)
{
    const char *path;
    if (arg_str(I, a, 0, "path", NULL, &path)) return -1;
    if (!path) return arg_error(I, a, 0, "path", "load_npy: the file name is missing");
    RdnErr e = {0};
    Tensor *t = rdn_npy_load(path, &I->out, &e);
    if (!t) return fail_at(I, a, 0, NULL, &e);
    *out = val_tensor(t);
    return 0;
}

static int bi_load_table(Interp *I, Args *a, Value *out)
{
    const char *path;
    if (arg_str(I, a, 0, "path", NULL, &path)) return -1;
    if (!path) return arg_error(I, a, 0, "path", "load_table: the file name is missing");
    RdnErr e = {0};
    Table *t = rdn_table_load_csv(path, &e);
    if (!t) return fail_at(I, a, 0, NULL, &e);
    if (rdn_out_note_read(&I->out, path, &e)) {
        rdn_table_free(t);
        return fail_at(I, a, 0, NULL, &e);
    }
    *out = val_table(t);
    return 0;
}

static int bi_save_npy(Interp *I, Args *a, Value *out)
{
    Tensor *t;
    const char *path;
    if (arg_obj(I, a, 0, "tensor", VAL_TENSOR, (void **)&t) || arg_str(I, a, 1, "path", NULL, &path))
        return -1;
    if (!path) return arg_error(I, a, 1, "path", "save_npy: the file name is missing");
    RdnErr e = {0};
    RdnWriter w;
    if (rdn_out_open(&I->out, path, &w, &e) != RDN_OK)
        return arg_error(I, a, 1, "path", "save_npy: %s", e.msg);
    if (rdn_npy_write(w.f, t, &e)) {
        rdn_out_abort(&w);
        return rt_error_call(I, a, &e);
    }
    if (rdn_out_commit(&I->out, &w, &e) != RDN_OK) return rt_error_call(I, a, &e);
    *out = VNIL;
    return 0;
}

static int bi_dataset(Interp *I, Args *a, Value *out)
{
    Tensor *x, *y;
    if (arg_obj(I, a, 0, "x", VAL_TENSOR, (void **)&x) || arg_obj(I, a, 1, "y", VAL_TENSOR, (void **)&y))
        return -1;
    Value names;
    int have_names = arg_get(a, -1, "classes", &names);
    int64_t k = 0;
    if (have_names) {
        if (names.type != VAL_LIST)
            return arg_error(I, a, -1, "classes", "dataset: classes: must be a list of names");
        ObjList *l = (ObjList *)names.as.obj;
        for (int64_t i = 0; i < l->len; i++)
            if (l->items[i].type != VAL_STR)
                return arg_error(I, a, -1, "classes", "dataset: class name %lld is a %s, not a "
                                 "string", (long long)i, val_type_name(l->items[i].type));
        k = l->len;
        if (k > 100000) return arg_error(I, a, -1, "classes", "dataset: too many classes");
    }
    RdnErr e = {0};
    Dataset *d = rdn_data_from_tensors(x, y, (int)k, &e);
    if (!d) return rt_error_call(I, a, &e);
    if (have_names && d->nclasses > k) {
        int nc = d->nclasses;
        rdn_dataset_free(d);
        return arg_error(I, a, -1, "classes", "dataset: y has labels up to %d but classes: names "
                         "only %lld", nc - 1, (long long)k);
    }
    if (have_names && k > 0) {
        ObjList *l = (ObjList *)names.as.obj;
        d->class_names = calloc((size_t)k, sizeof(char *));
        for (int64_t i = 0; d->class_names && i < k; i++)
            d->class_names[i] = strdup(val_cstr(l->items[i]));
    }
    *out = val_dataset(d);
    return 0;
}

/* ---- operations ---- */

static int bi_split(Interp *I, Args *a, Value *out)
{
    Dataset *d;
    double frac;
    int shuffle;
    uint64_t seed;
    if (arg_obj(I, a, 0, "data", VAL_DATASET, (void **)&d) ||
        arg_num(I, a, 1, "frac", 0.8, &frac) || arg_bool(I, a, -1, "shuffle", 1, &shuffle) ||
        get_seed(I, a, &seed))
        return -1;
    if (!(frac >= 0 && frac <= 1))
        return arg_error(I, a, 1, "frac", "split: the fraction must be between 0 and 1, got %g", frac);
    RdnErr e = {0};
    Dataset *x, *y;
    if (rdn_data_split(d, frac, shuffle, seed, &x, &y, &e)) return rt_error_call(I, a, &e);
    Value l = val_list(2);
    val_list_push(l, val_dataset(x));
    val_list_push(l, val_dataset(y));
    *out = l;
    return 0;
}

static int bi_shuffle(Interp *I, Args *a, Value *out)
{
    Dataset *d;
    uint64_t seed;
    if (arg_obj(I, a, 0, "data", VAL_DATASET, (void **)&d) || get_seed(I, a, &seed)) return -1;
    RdnErr e = {0};
    return ret(I, a, rdn_data_shuffle(d, seed, &e), &e, out);
}

static int bi_take(Interp *I, Args *a, Value *out)
{
    Dataset *d;
    long n, from;
    if (arg_obj(I, a, 0, "data", VAL_DATASET, (void **)&d) ||
        arg_int(I, a, 1, "n", 0, 0, 1L << 40, &n) ||
        arg_int(I, a, -1, "from", 0, 0, 1L << 40, &from))
        return -1;
    RdnErr e = {0};
    return ret(I, a, rdn_data_take(d, from, n, &e), &e, out);
}

/* A label given as a class index or a class name. */
static int label_of(Interp *I, const Args *a, const Dataset *d, Value v, int32_t *lab)
{
    if (v.type == VAL_NUM) {
        double x = v.as.num;
        if (!(x >= 0 && x < d->nclasses && x == floor(x)))
            return arg_error(I, a, -1, "label", "where: label %g is not a class of this data set "
                             "(0..%d)", x, d->nclasses - 1);
        *lab = (int32_t)x;
        return 0;
    }
    if (v.type == VAL_STR) {
        char buf[24], list[300] = "";
        for (int c = 0; c < d->nclasses; c++) {
            const char *nm = rdn_data_class_name(d, c, buf);
            if (strcmp(nm, val_cstr(v)) == 0) {
                *lab = c;
                return 0;
            }
            if (strlen(list) < 200) {
                strcat(list, c ? ", " : "");
                strncat(list, nm, 40);
            }
        }
        return arg_error(I, a, -1, "label", "where: no class named '%s' (classes: %s)", val_cstr(v),
                         list);
    }
    return arg_error(I, a, -1, "label", "where: label: takes a class index, a class name or a "
                     "list of them, not a %s", val_type_name(v.type));
}

static int bi_where(Interp *I, Args *a, Value *out)
{
    Dataset *d;
    Value v;
    if (arg_obj(I, a, 0, "data", VAL_DATASET, (void **)&d)) return -1;
    if (!arg_get(a, -1, "label", &v))
        return arg_error(I, a, -1, NULL, "where: which class? where(d, label: 3)");
    int32_t one, *labs = &one;
    int nl = 1;
    if (v.type == VAL_LIST) {
        ObjList *l = (ObjList *)v.as.obj;
        nl = (int)(l->len < 100000 ? l->len : 100000);
        labs = calloc((size_t)(nl ? nl : 1), sizeof *labs);
        if (!labs) return rt_error(I, &a->call, "where: out of memory");
        for (int i = 0; i < nl; i++)
            if (label_of(I, a, d, l->items[i], &labs[i])) {
                free(labs);
                return -1;
            }
    } else if (label_of(I, a, d, v, &one)) {
        return -1;
    }
    RdnErr e = {0};
    Dataset *s = rdn_data_where(d, labs, nl, &e);
    if (labs != &one) free(labs);
    return ret(I, a, s, &e, out);
}

static int bi_normalize(Interp *I, Args *a, Value *out)
{
    Dataset *d, *like = NULL;
    int how;
    Value v;
    if (arg_obj(I, a, 0, "data", VAL_DATASET, (void **)&d) ||
        arg_choice(I, a, -1, "how", "zscore|minmax", 0, &how))
        return -1;
    if (arg_get(a, -1, "like", &v) && arg_obj(I, a, -1, "like", VAL_DATASET, (void **)&like))
        return -1;
    RdnErr e = {0};
    Dataset *s = rdn_data_normalize(d, how == 0 ? RDN_NORM_ZSCORE : RDN_NORM_MINMAX, like, &e);
    if (!s) return arg_error(I, a, -1, like ? "like" : NULL, "%s", e.msg);
    *out = val_dataset(s);
    return 0;
}

static int bi_perturb(Interp *I, Args *a, Value *out)
{
    Dataset *d;
    double sigma;
    int kind;
    uint64_t seed;
    if (arg_obj(I, a, 0, "data", VAL_DATASET, (void **)&d) ||
        arg_num(I, a, -1, "sigma", 0.1, &sigma) ||
        arg_choice(I, a, -1, "kind", "gaussian|uniform|saltpepper", 0, &kind) ||
        get_seed(I, a, &seed))
        return -1;
    if (!isfinite(sigma) || sigma < 0 || (kind == 2 && sigma > 1))
        return arg_error(I, a, -1, "sigma", "perturb: sigma must be %s, got %g",
                         kind == 2 ? "a probability between 0 and 1 for saltpepper"
                                   : "a finite number >= 0", sigma);
    static const int kinds[3] = {RDN_NOISE_GAUSSIAN, RDN_NOISE_UNIFORM, RDN_NOISE_SALTPEPPER};
    RdnErr e = {0};
    return ret(I, a, rdn_data_perturb(d, kinds[kind], sigma, seed, &e), &e, out);
}

static int bi_batches(Interp *I, Args *a, Value *out)
{
    Dataset *d;
    long size;
    int shuffle;
    if (arg_obj(I, a, 0, "data", VAL_DATASET, (void **)&d) ||
        arg_int(I, a, 1, "size", 64, 1, 1L << 30, &size) ||
        arg_bool(I, a, -1, "shuffle", 0, &shuffle))
        return -1;
    RdnErr e = {0};
    Dataset *src = d, *tmp = NULL;
    if (shuffle) {
        tmp = rdn_data_shuffle(d, interp_draw_seed(I), &e);
        if (!tmp) return rt_error_call(I, a, &e);
        src = tmp;
    }
    Value l = val_list((src->n + size - 1) / size);
    for (int64_t i = 0; i < src->n; i += size) {
        Dataset *b = rdn_data_take(src, i, size, &e);
        if (!b) {
            val_decref(l);
            rdn_dataset_free(tmp);
            return rt_error_call(I, a, &e);
        }
        val_list_push(l, val_dataset(b));
    }
    rdn_dataset_free(tmp);
    *out = l;
    return 0;
}

/* ---- the dataset value ---- */

static char *dataset_repr(Value v)
{
    const Dataset *d = val_ptr(v);
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f) return strdup("dataset");
    fprintf(f, "dataset: %lld input%s, dim %d, %d class%s", (long long)d->n, d->n == 1 ? "" : "s",
            d->dim, d->nclasses, d->nclasses == 1 ? "" : "es");
    if (d->source) fprintf(f, " (%s)", d->source);
    if (d->class_names) {
        fputs("\nclasses: ", f);
        for (int c = 0; c < d->nclasses && c < 20; c++) fprintf(f, "%s%s", c ? ", " : "", d->class_names[c]);
        if (d->nclasses > 20) fprintf(f, ", ... (%d more)", d->nclasses - 20);
    }
    fclose(f);
    return s;
}

static int dataset_get(Interp *I, Value self, const char *m, const Span *at, Value *out)
{
    const Dataset *d = val_ptr(self);
    RdnErr e = {0};
    if (!strcmp(m, "n")) *out = val_num((double)d->n);
    else if (!strcmp(m, "dim")) *out = val_num(d->dim);
    else if (!strcmp(m, "nclasses")) *out = val_num(d->nclasses);
    else if (!strcmp(m, "source")) *out = d->source ? val_str(d->source) : VNIL;
    else if (!strcmp(m, "classes")) {
        Value l = val_list(d->nclasses);
        char buf[24];
        for (int c = 0; c < d->nclasses; c++) val_list_push(l, val_str(rdn_data_class_name(d, c, buf)));
        *out = l;
    } else if (!strcmp(m, "counts")) {
        int64_t *cnt = calloc((size_t)d->nclasses + 1, sizeof *cnt);
        if (!cnt) return rt_error(I, at, "out of memory");
        for (int64_t i = 0; i < d->n; i++)
            if (d->y[i] >= 0 && d->y[i] < d->nclasses) cnt[d->y[i]]++;
        Value l = val_list(d->nclasses);
        for (int c = 0; c < d->nclasses; c++) val_list_push(l, val_num((double)cnt[c]));
        free(cnt);
        *out = l;
    } else if (!strcmp(m, "x") || !strcmp(m, "y")) {
        Tensor *t = m[0] == 'x' ? rdn_data_x(d, &e) : rdn_data_y(d, &e);
        if (!t) return rt_error_from(I, at, &e);
        *out = val_tensor(t);
    } else {
        return 1;
    }
    return 0;
}

const TypeOps OPS_DATASET = {VAL_DATASET, "dataset", "n dim classes nclasses counts x y source",
                             dataset_repr, dataset_get, 0};

#define SEED_DOC "`seed:` fixes the draw; by default it comes from the script's generator (see `seed`), so a run repeats exactly. "
#define SYNTH_DOC "Classes are balanced (sizes differ by at most one), labels are 0..k-1 and the rows come in random order. " SEED_DOC

const Builtin BI_DATA[] = {
    {"spirals", bi_spirals, 0, 0, "n classes noise seed",
     "spirals(n: 1000, classes: 3, noise: 0.05, seed:)",
     "Interleaved spirals in 2-D, one arm per class. Point i of m in class c: t = (i + 0.5) / m, "
     "angle a = 2 pi c / classes + 4 t, x = (t cos a, t sin a) + noise N(0, I): radius in (0, 1), "
     "inputs within about [-1, 1]^2. " SYNTH_DOC "\n\n"
     "Example: `data = spirals(n: 3000, classes: 3, noise: 0.05)`"},
    {"moons", bi_moons, 0, 0, "n noise seed", "moons(n: 1000, noise: 0.1, seed:)",
     "Two interleaving half circles in 2-D: class 0 is (cos t, sin t), class 1 is "
     "(1 - cos t, 0.5 - sin t), t evenly spaced in [0, pi], plus noise N(0, I): inputs within "
     "about [-1, 2] x [-0.5, 1]. " SYNTH_DOC "\n\nExample: `d = moons(n: 500, noise: 0.2)`"},
    {"circles", bi_circles, 0, 0, "n noise seed", "circles(n: 1000, noise: 0.05, seed:)",
     "Two concentric circles in 2-D: class 0 of radius 1, class 1 of radius 0.5, angles evenly "
     "spaced, plus noise N(0, I). " SYNTH_DOC "\n\nExample: `d = circles(n: 400)`"},
    {"xor", bi_xor, 0, 0, "n noise seed", "xor(n: 1000, noise: 0.05, seed:)",
     "The XOR problem in 2-D: points uniform in the four unit quadrants of [-1, 1]^2 (equally "
     "many in each), class 1 where the signs of the coordinates differ, plus noise N(0, I) added "
     "after labelling. " SYNTH_DOC "\n\nExample: `d = xor(n: 200, noise: 0)`"},
    {"blobs", bi_blobs, 0, 0, "n classes dim spread seed",
     "blobs(n: 1000, classes: 3, dim: 2, spread: 0.5, seed:)",
     "Gaussian clusters: one centre per class drawn uniformly from [-5, 5]^dim, inputs "
     "centre + spread N(0, I). " SYNTH_DOC "\n\nExample: `d = blobs(n: 600, classes: 4, dim: 10)`"},
    {"load_idx", bi_load_idx, 2, 2, "images labels", "load_idx(images, labels)",
     "A data set from MNIST's IDX files: an image file (unsigned bytes, n x rows x cols, or any "
     "IDX of >= 2 dimensions) and a label file (n bytes). Either may be gzip-compressed (detected "
     "by its first bytes). Pixels are scaled to [0, 1] as byte / 255; classes = 1 + the largest "
     "label. The header is checked against what the file holds: truncated, corrupted or "
     "inconsistent files are errors. The files' SHA-256 go into the run's manifest.\n\n"
     "Example: `d = load_idx(\"train-images-idx3-ubyte.gz\", \"train-labels-idx1-ubyte.gz\")`"},
    {"mnist", bi_mnist, 0, 0, "dir split", "mnist(dir:, split: \"train\")",
     "MNIST from a folder holding the standard files `train-images-idx3-ubyte`, "
     "`train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte` (each "
     "optionally `.gz`). `split:` is \"train\" (60000 images) or \"test\" (10000); inputs are "
     "784 pixels in [0, 1], 10 classes.\n\nExample: `test = mnist(dir: \"data/mnist\", split: \"test\")`"},
    {"fashion_mnist", bi_fashion, 0, 0, "split dir", "fashion_mnist(split: \"train\", dir:)",
     "Fashion-MNIST (as `mnist`) with its class names (T-shirt/top, Trouser, Pullover, Dress, "
     "Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot). The default folder is "
     "/usr/share/datasets/fashion-mnist, where Debian's package dataset-fashion-mnist puts "
     "the files.\n\nExample: `train = fashion_mnist(split: \"train\")`"},
    {"load_csv", bi_load_csv, 1, 1, "label header", "load_csv(path, label: -1, header:)",
     "A data set from a CSV file (parsed with libcsv: quoted fields, CRLF, missing final "
     "newline). One row per input. `label:` is the label column, by header name or by index "
     "(0-based, negative counts from the end; default the last column); every other cell must "
     "be a number. `header:` true/false; when absent the first row is a header if one of its "
     "non-label cells is not a number (or its label cell is a word over numeric labels). Labels "
     "that are all whole numbers >= 0 are the class indices; any other labels are class names, "
     "numbered in sorted order (by value when all are numbers) and kept in `d.classes`. A "
     "non-numeric cell or a row of another length is an error naming the file, line and column."
     "\n\nExample: `iris = load_csv(\"iris.csv\", label: \"species\")`"},
    {"load_table", bi_load_table, 1, 1, "", "load_table(path)",
     "A table from a CSV file with a header row (parsed with libcsv: quoted fields, CRLF, missing "
     "final newline), e.g. a sweep's summary.csv. A column whose non-empty cells are all numbers "
     "is numeric: exact doubles (the text written by `write_csv` reads back as the same number), "
     "empty cells are NaN (missing); any other column keeps its cells as strings. A table written "
     "by `write_csv` reads back equal. A row of another length than the header, a header naming "
     "a column twice or malformed quoting is an error naming the file, line and column; the file "
     "is listed in the run's manifest as read.\n\n"
     "Example: `s = load_table(\"study/summary.csv\")`"},
    {"load_npy", bi_load_npy, 1, 1, "", "load_npy(path)",
     "A tensor from a NumPy .npy file (format 1.0, 2.0 or 3.0; C order; little-endian float32, "
     "float64, int32, int64, int8, uint8 or bool; up to 4 dimensions), converted to float32. "
     "Fortran-order, big-endian, object and structured arrays are refused with a message saying "
     "how to convert them in NumPy.\n\nExample: `w = load_npy(\"weights.npy\")`"},
    {"save_npy", bi_save_npy, 2, 2, "", "save_npy(tensor, path)",
     "Writes a tensor as a NumPy .npy file (float32 '<f4', format 1.0, C order, header padded to "
     "64 bytes) that `numpy.load` reads as it is. The path must lie below the output folder; the "
     "file appears complete or not at all and is listed in the run's manifest.\n\n"
     "Example: `save_npy(net.W, \"W.npy\")`"},
    {"dataset", bi_dataset, 2, 2, "classes", "dataset(x, y, classes:)",
     "A data set from tensors: x holds one input per row ([n, dim], or [n, a, b, ...] flattened "
     "per row), y the n labels (whole numbers >= 0). `classes:` optionally names the classes (a "
     "list of strings, at least 1 + the largest label).\n\n"
     "Example: `d = dataset(load_npy(\"x.npy\"), load_npy(\"y.npy\"))`"},
    {"split", bi_split, 1, 2, "frac shuffle seed", "split(d, frac: 0.8, shuffle: true, seed:)",
     "Two data sets [a, b]: a holds round(frac n) inputs, b the rest. With `shuffle:` (default) "
     "the inputs are shuffled and the split is stratified: each class is split in the ratio frac "
     "(the rounding remainders go to the classes with the largest fractional parts). With "
     "`shuffle: false` a is the first rows and b the last. " SEED_DOC "\n\n"
     "Example: `train, test = split(data, 0.8)`"},
    {"shuffle", bi_shuffle, 1, 1, "seed", "shuffle(d, seed:)",
     "The inputs of d in a random order (labels follow). " SEED_DOC "\n\n"
     "Example: `d = shuffle(d)`"},
    {"take", bi_take, 2, 2, "from", "take(d, n, from: 0)",
     "The n inputs of d starting at row `from` (fewer if d ends first).\n\n"
     "Example: `small = take(train, 500)`"},
    {"where", bi_where, 1, 1, "label", "where(d, label:)",
     "The inputs of d whose label is `label`: a class index, a class name (from `d.classes`) or a "
     "list of them. Class numbering and names are kept.\n\n"
     "Example: `boots = where(test, label: \"Ankle boot\")`"},
    {"normalize", bi_normalize, 1, 1, "how like", "normalize(d, how: \"zscore\", like: d)",
     "Feature by feature, with statistics from `like` (default d itself) so test data are scaled "
     "like the training data: \"zscore\" x' = (x - mean) / std (population std), \"minmax\" "
     "x' = (x - min) / (max - min). A feature that is constant in `like` is only shifted "
     "(x - mean or x - min).\n\nExample: `test = normalize(test, how: \"minmax\", like: train)`"},
    {"perturb", bi_perturb, 1, 1, "sigma kind seed",
     "perturb(d, sigma: 0.1, kind: \"gaussian\", seed:)",
     "A noisy copy of d. \"gaussian\": x + sigma N(0, 1); \"uniform\": x + U(-sigma, sigma); "
     "\"saltpepper\": each entry with probability sigma becomes the smallest or the largest entry "
     "of d (even odds). Input i draws from its own stream derived from (seed, i), so the noise of "
     "an input does not depend on the others and the same noise comes back in every run. "
     SEED_DOC "\n\nExample: `noisy = perturb(test, sigma: 0.2, seed: 1)`"},
    {"batches", bi_batches, 1, 2, "size shuffle", "batches(d, size: 64, shuffle: false)",
     "A list of data sets of `size` consecutive inputs each (the last may be smaller); with "
     "`shuffle: true` the inputs are shuffled first (seed from the script's generator).\n\n"
     "Example: `for b in batches(test, 1000) { print(accuracy(net, b)) }`"},
    {0},
};
