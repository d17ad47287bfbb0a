/* bi_net.c: bindings for networks and training: resnet, mlp, fit, predict, accuracy, loss,
 * confusion, prune, save, load, and the net value type (OPS_NET: printing, members, parameter
 * tensors readable and assignable). The work is in runtime/net.c, train.c and model_io.c; this
 * file reads arguments with located errors, draws seeds from the script's generator, routes file
 * writes through the output sandbox and boxes the results. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "adapt.h"
#include "builtin.h"
#include "interp.h"
#include "manifest.h"
#include "net.h"
#include "outfile.h"
#include "table.h"
#include "tensor.h"
#include "version.h"

static void destroy_net(void *p) { rdn_net_free(p); }
Value val_net(struct Net *n) { return val_box(VAL_NET, n, destroy_net); }

/* seed: given, or drawn from the script's generator (so runs repeat, calls differ). */
static int get_seed(Interp *I, const Args *a, uint64_t *seed)
{
    Value v;
    if (!arg_get(a, -1, "seed", &v) || v.type == VAL_NIL) {
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

static int has_kw(const Args *a, const char *kw)
{
    Value v;
    return arg_get(a, -1, kw, &v) && v.type != VAL_NIL;
}

static int get_int(Interp *I, Args *a, int pos, const char *kw, long def, long lo, long hi, int *out)
{
    long v;
    if (arg_int(I, a, pos, kw, def, lo, hi, &v)) return -1;
    *out = (int)v;
    return 0;
}

/* ---- constructors ---- */

/* in: and width: default to each other; at least one is required. */
static int read_sizes(Interp *I, Args *a, NetSpec *sp)
{
    int hin = has_kw(a, "in"), hw = has_kw(a, "width");
    if (!hin && !hw)
        return arg_error(I, a, -1, NULL, "%s: give the input dimension in: (and optionally width:)",
                         a->bi->name);
    if (get_int(I, a, -1, "in", 0, 1, 1 << 24, &sp->in)) return -1;
    if (get_int(I, a, -1, "width", hin ? sp->in : 0, 1, 65536, &sp->width)) return -1;
    if (!hin) sp->in = sp->width;
    if (get_int(I, a, -1, "depth", 10, 1, 1000000, &sp->depth)) return -1;
    if (get_int(I, a, -1, "classes", 10, 2, 100000, &sp->classes)) return -1;
    int act;
    if (arg_choice(I, a, -1, "act", "logistic|tanh|relu", 0, &act)) return -1;
    sp->act = (Act)act;
    return 0;
}

static int make_net(Interp *I, Args *a, const NetSpec *sp, Value *out)
{
    RdnErr err = {0};
    Net *net = rdn_net_new(sp, &err);
    if (!net) return rt_error_call(I, a, &err);
    *out = val_net(net);
    return 0;
}

static int bi_resnet(Interp *I, Args *a, Value *out)
{
    NetSpec sp = {.kind = NET_RESNET};
    if (read_sizes(I, a, &sp)) return -1;
    if (arg_bool(I, a, -1, "shared", 1, &sp.shared)) return -1;
    double step;
    if (arg_num(I, a, -1, "step", 1.0, &step)) return -1;
    if (!(step > 0) || !isfinite(step) || step > 1e6)
        return arg_error(I, a, -1, "step", "resnet: step must be a positive number, got %g", step);
    sp.step = (float)step;
    if (get_seed(I, a, &sp.init_seed)) return -1;
    return make_net(I, a, &sp, out);
}

static int bi_mlp(Interp *I, Args *a, Value *out)
{
    NetSpec sp = {.kind = NET_MLP, .step = 1.0f};
    if (has_kw(a, "like")) {
        static const char *other[] = {"in", "width", "depth", "classes", "act", "seed"};
        for (size_t i = 0; i < sizeof other / sizeof *other; i++)
            if (has_kw(a, other[i]))
                return arg_error(I, a, -1, other[i], "mlp: like: copies the sizes, activation and "
                                 "seed of a net; do not combine it with %s:", other[i]);
        Net *like;
        if (arg_obj(I, a, -1, "like", VAL_NET, (void **)&like)) return -1;
        sp.in = like->in;
        sp.width = like->width;
        sp.depth = like->depth;
        sp.classes = like->classes;
        sp.act = like->act;
        sp.init_seed = like->init_seed;
        return make_net(I, a, &sp, out);
    }
    if (read_sizes(I, a, &sp)) return -1;
    if (get_seed(I, a, &sp.init_seed)) return -1;
    return make_net(I, a, &sp, out);
}

/* ---- training and evaluation ---- */

static int bi_fit(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *train, *val = NULL;
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)&net)) return -1;
    if (arg_obj(I, a, 1, "data", VAL_DATASET, (void **)&train)) return -1;
    if (has_kw(a, "val") && arg_obj(I, a, -1, "val", VAL_DATASET, (void **)&val)) return -1;
    FitOpts o;
    rdn_fit_defaults(&o);
    int opt, loss;
    if (get_int(I, a, -1, "epochs", o.epochs, 0, 1000000, &o.epochs)) return -1;
    if (get_int(I, a, -1, "batch", o.batch, 1, 1 << 20, &o.batch)) return -1;
    if (arg_num(I, a, -1, "lr", o.lr, &o.lr)) return -1;
    if (!(o.lr > 0) || !isfinite(o.lr))
        return arg_error(I, a, -1, "lr", "fit: lr must be a positive number, got %g", o.lr);
    if (arg_choice(I, a, -1, "opt", "sgd|momentum|adam", 0, &opt)) return -1;
    o.opt = (OptKind)opt;
    if (arg_num(I, a, -1, "momentum", o.momentum, &o.momentum)) return -1;
    if (!(o.momentum >= 0 && o.momentum < 1))
        return arg_error(I, a, -1, "momentum", "fit: momentum must be in [0, 1), got %g", o.momentum);
    if (has_kw(a, "momentum") && o.opt != OPT_MOMENTUM)
        return arg_error(I, a, -1, "momentum", "fit: momentum: applies to opt: \"momentum\" only");
    if (arg_choice(I, a, -1, "loss", "xent|mse", 0, &loss)) return -1;
    o.loss = (LossKind)loss;
    if (has_kw(a, "adapt")) {
        AdaptOpts *ad;
        if (arg_obj(I, a, -1, "adapt", VAL_ADAPT, (void **)&ad)) return -1;
        o.adapt = ad;
    }
    if (get_seed(I, a, &o.shuffle_seed)) return -1;
    o.quiet = I->quiet;
    o.progress = interp_stderr(I);
    o.progress_tty = I->progress_tty;
    Table *hist = NULL;
    RdnErr err = {0};
    int rc = rdn_fit(net, train, val, &o, &hist, NULL, &err);
    if (hist) { /* net.history: the last fit's epochs, kept also when Ctrl-C stops the run */
        RdnErr e2 = {0};
        Table *keep = rdn_table_copy(hist, &e2);
        if (keep) {
            rdn_table_free(net->history);
            net->history = keep;
        }
    }
    if (rc) {
        /* interrupted: the net keeps the parameters of the last finished batch (trained in place)
         * and net.history the finished epochs */
        if (rc == RDN_INTERRUPTED && hist) {
            size_t l = strlen(err.msg);
            snprintf(err.msg + l, sizeof err.msg - l, "; net.history holds the %d finished epoch%s",
                     hist->nrows, hist->nrows == 1 ? "" : "s");
        }
        rdn_table_free(hist);
        return rt_error_call(I, a, &err);
    }
    *out = val_table(hist);
    return 0;
}

static int get_net_data(Interp *I, Args *a, Net **net, Dataset **d)
{
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)net)) return -1;
    if (arg_obj(I, a, 1, "data", VAL_DATASET, (void **)d)) return -1;
    return 0;
}

static int bi_predict(Interp *I, Args *a, Value *out)
{
    Net *net;
    Value dv;
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)&net)) return -1;
    if (!arg_get(a, 1, "data", &dv))
        return arg_error(I, a, 1, "data", "predict: missing the data (a dataset or a tensor [n, %d])", net->in);
    RdnErr err = {0};
    Dataset tmp = {0};
    const Dataset *d;
    if (dv.type == VAL_DATASET) {
        d = val_ptr(dv);
    } else if (dv.type == VAL_TENSOR) {
        const Tensor *t = val_ptr(dv);
        if (!((t->ndim == 2 && t->shape[1] == net->in) || (t->ndim == 1 && t->shape[0] == net->in))) {
            char sb[96];
            return arg_error(I, a, 1, "data", "predict: expected a tensor [n, %d] or [%d], got %s",
                             net->in, net->in, rdn_tensor_shape_str(t->ndim, t->shape, sb, sizeof sb));
        }
        tmp.n = t->ndim == 2 ? t->shape[0] : 1;
        tmp.dim = net->in;
        tmp.x = t->data;
        d = &tmp;
    } else {
        return arg_error(I, a, 1, "data", "predict: expected a dataset or a tensor, got %s",
                         val_type_name(dv.type));
    }
    int64_t n = d->n;
    Tensor *res = rdn_tensor_new(1, &n, &err);
    int32_t *pred = res ? rdn_calloc((size_t)n, sizeof *pred, "predictions", &err) : NULL;
    if (!pred || rdn_net_predict(net, d, pred, &err)) {
        free(pred);
        rdn_tensor_free(res);
        return rt_error_call(I, a, &err);
    }
    for (int64_t i = 0; i < n; i++) res->data[i] = (float)pred[i];
    free(pred);
    *out = val_tensor(res);
    return 0;
}

static int bi_accuracy(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    if (get_net_data(I, a, &net, &d)) return -1;
    double acc;
    RdnErr err = {0};
    if (rdn_net_evaluate(net, d, LOSS_XENT, NULL, &acc, &err)) return rt_error_call(I, a, &err);
    *out = val_num(acc);
    return 0;
}

static int bi_loss(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    if (get_net_data(I, a, &net, &d)) return -1;
    int loss;
    if (arg_choice(I, a, -1, "loss", "xent|mse", 0, &loss)) return -1;
    double l;
    RdnErr err = {0};
    if (rdn_net_evaluate(net, d, (LossKind)loss, &l, NULL, &err)) return rt_error_call(I, a, &err);
    *out = val_num(l);
    return 0;
}

static int bi_confusion(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    if (get_net_data(I, a, &net, &d)) return -1;
    RdnErr err = {0};
    int k = net->classes;
    for (int64_t i = 0; i < d->n; i++)
        if (d->y[i] < 0 || d->y[i] >= k) {
            rdn_err(&err, "input %lld has label %d but the net has %d classes", (long long)i, d->y[i], k);
            return rt_error_call(I, a, &err);
        }
    int64_t shape[2] = {k, k};
    Tensor *t = rdn_tensor_new(2, shape, &err);
    int32_t *pred = t ? rdn_calloc((size_t)d->n, sizeof *pred, "predictions", &err) : NULL;
    if (!pred || rdn_net_predict(net, d, pred, &err)) {
        free(pred);
        rdn_tensor_free(t);
        return rt_error_call(I, a, &err);
    }
    for (int64_t i = 0; i < d->n; i++) t->data[(int64_t)d->y[i] * k + pred[i]] += 1.0f;
    free(pred);
    *out = val_tensor(t);
    return 0;
}

static int bi_prune(Interp *I, Args *a, Value *out)
{
    Net *net;
    int depth;
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)&net)) return -1;
    if (get_int(I, a, 1, "depth", 0, 1, 1000000, &depth)) return -1;
    if (depth > net->depth)
        return arg_error(I, a, 1, "depth", "prune: depth %d is more than the net's %d layers (prune "
                         "only removes layers; assign net.depth to grow a shared net)", depth, net->depth);
    RdnErr err = {0};
    Net *c = rdn_net_clone(net, &err);
    if (!c || rdn_net_set_depth(c, depth, &err)) {
        rdn_net_free(c);
        return rt_error_call(I, a, &err);
    }
    *out = val_net(c);
    return 0;
}

/* ---- files ---- */

/* The provenance record inside a model file: the run's manifest record so far (manifest.c), the
 * net's initial-weights seed, and the record of the file it was loaded from, if any. */
static char *provenance(Interp *I, const Net *net)
{
    json_t *o = manifest_record(I);
    json_object_set_new(o, "init_seed", json_integer((json_int_t)net->init_seed));
    if (net->provenance) {
        json_t *prev = json_loads(net->provenance, 0, NULL);
        json_object_set_new(o, "loaded_from", prev ? prev : json_string(net->provenance));
    }
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(o);
    return s;
}

static int bi_save(Interp *I, Args *a, Value *out)
{
    Net *net;
    const char *path;
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)&net)) return -1;
    if (arg_str(I, a, 1, "path", NULL, &path)) return -1;
    if (!path) return arg_error(I, a, 1, "path", "save: missing the file name");
    RdnErr err = {0};
    RdnWriter w;
    if (rdn_out_open(&I->out, path, &w, &err)) return rt_error_call(I, a, &err);
    char *prov = provenance(I, net), *old = net->provenance;
    net->provenance = prov;
    int rc = rdn_net_write(net, w.f, &err);
    net->provenance = old;
    free(prov);
    if (rc) {
        rdn_out_abort(&w);
        return rt_error_call(I, a, &err);
    }
    if (rdn_out_commit(&I->out, &w, &err)) return rt_error_call(I, a, &err);
    *out = VNIL;
    return 0;
}

/* Reads the whole file at path into a malloc'd buffer (NUL-terminated); NULL with err. */
static uint8_t *read_all(const char *path, size_t *len, RdnErr *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return rdn_err(err, "cannot open '%s': %s", path, strerror(errno)), NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return rdn_err(err, "cannot read '%s' (not a regular file?)", path), NULL;
    }
    uint8_t *buf = rdn_calloc((size_t)n + 1, 1, "model file", err);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        rdn_err(err, "cannot read '%s'", path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int bi_load(Interp *I, Args *a, Value *out)
{
    const char *path;
    if (arg_str(I, a, 0, "path", NULL, &path)) return -1;
    if (!path) return arg_error(I, a, 0, "path", "load: missing the file name");
    RdnErr err = {0};
    char *alt = NULL;
    FILE *probe = fopen(path, "rb");
    if (probe) fclose(probe);
    else if (errno == ENOENT && path[0] != '/' && I->out.dir) {
        /* a relative name not found here: try the output folder, where save put it */
        if (asprintf(&alt, "%s/%s", I->out.dir, path) < 0) alt = NULL;
        if (alt && (probe = fopen(alt, "rb"))) {
            fclose(probe);
            path = alt;
        }
    }
    size_t len = 0;
    uint8_t *buf = read_all(path, &len, &err);
    Net *net = NULL;
    if (buf) {
        net = rdn_net_read(buf, len, &err);
        free(buf);
        if (!net) {
            RdnErr e2 = err;
            rdn_err(&err, "'%s': %.900s", path, strncmp(e2.msg, "load: ", 6) == 0 ? e2.msg + 6 : e2.msg);
        } else if (rdn_out_note_read(&I->out, path, &err)) {
            rdn_net_free(net);
            net = NULL;
        }
    }
    free(alt);
    if (!net) return rt_error_call(I, a, &err);
    *out = val_net(net);
    return 0;
}

/* ---- the net type ---- */

static void fmt_int(char *buf, size_t n, long long x)
{
    if (x < 1000) snprintf(buf, n, "%lld", x);
    else if (x < 1000000) snprintf(buf, n, "%lld,%03lld", x / 1000, x % 1000);
    else if (x < 1000000000) snprintf(buf, n, "%lld,%03lld,%03lld", x / 1000000, x / 1000 % 1000, x % 1000);
    else snprintf(buf, n, "%lld", x);
}

static char *net_repr(Value v)
{
    const Net *n = val_ptr(v);
    char p[32], *s = NULL;
    fmt_int(p, sizeof p, (long long)n->nparams);
    int r;
    if (n->kind == NET_RESNET)
        r = asprintf(&s, "resnet: in %d, width %d, depth %d, classes %d, %s %s, step %g, %s params",
                     n->in, n->width, n->depth, n->classes, n->shared ? "shared" : "unshared",
                     rdn_act_name(n->act), (double)n->step, p);
    else
        r = asprintf(&s, "mlp: in %d, width %d, depth %d, classes %d, %s, %s params", n->in, n->width,
                     n->depth, n->classes, rdn_act_name(n->act), p);
    return r < 0 ? NULL : s;
}

/* A parameter block by member name: its data, shape and count; 0 if no such member. */
static int param_block(Net *n, const char *m, float **data, int *ndim, int64_t *shape)
{
    int64_t d = n->width, L = n->shared ? 1 : n->depth;
    if (!strcmp(m, "W")) {
        *data = n->W;
        if (n->shared) *ndim = 2, shape[0] = d, shape[1] = d;
        else *ndim = 3, shape[0] = L, shape[1] = d, shape[2] = d;
    } else if (!strcmp(m, "b")) {
        *data = n->b;
        if (n->shared) *ndim = 1, shape[0] = d;
        else *ndim = 2, shape[0] = L, shape[1] = d;
    } else if (!strcmp(m, "V")) {
        *data = n->V, *ndim = 2, shape[0] = n->classes, shape[1] = d;
    } else if (!strcmp(m, "c")) {
        *data = n->c, *ndim = 1, shape[0] = n->classes;
    } else if (!strcmp(m, "E")) {
        *data = n->E, *ndim = 2, shape[0] = d, shape[1] = n->in;
    } else if (!strcmp(m, "e")) {
        *data = n->e, *ndim = 1, shape[0] = d;
    } else {
        return 0;
    }
    return 1;
}

static int net_get(Interp *I, Value self, const char *m, const Span *at, Value *out)
{
    Net *n = val_ptr(self);
    if (!strcmp(m, "depth")) *out = val_num(n->depth);
    else if (!strcmp(m, "width")) *out = val_num(n->width);
    else if (!strcmp(m, "in")) *out = val_num(n->in);
    else if (!strcmp(m, "classes")) *out = val_num(n->classes);
    else if (!strcmp(m, "params")) *out = val_num((double)n->nparams);
    else if (!strcmp(m, "kind")) *out = val_str(rdn_net_kind_name(n->kind));
    else if (!strcmp(m, "act")) *out = val_str(rdn_act_name(n->act));
    else if (!strcmp(m, "shared")) *out = val_bool(n->shared);
    else if (!strcmp(m, "step")) *out = val_num(n->step);
    else if (!strcmp(m, "seed")) *out = val_num((double)n->init_seed);
    else if (!strcmp(m, "provenance")) *out = n->provenance ? val_str(n->provenance) : VNIL;
    else if (!strcmp(m, "history")) {
        RdnErr err = {0};
        Table *h = n->history ? rdn_table_copy(n->history, &err) : NULL;
        if (n->history && !h) return rt_error_from(I, at, &err);
        *out = h ? val_table(h) : VNIL;
    }
    else {
        float *data;
        int nd;
        int64_t shape[3];
        if (!param_block(n, m, &data, &nd, shape)) return 1;
        if (!data)
            return rt_error(I, at, "this net has no embedding (its width %d equals its input "
                            "dimension), so it has no .%s", n->width, m);
        RdnErr err = {0};
        Tensor *t = rdn_tensor_new(nd, shape, &err);
        if (!t) return rt_error_from(I, at, &err);
        memcpy(t->data, data, (size_t)t->size * sizeof(float));
        *out = val_tensor(t);
    }
    return 0;
}

static int net_set(Interp *I, Value self, const char *m, Value v, const Span *at)
{
    Net *n = val_ptr(self);
    if (!strcmp(m, "depth")) {
        if (v.type != VAL_NUM || v.as.num != floor(v.as.num) || v.as.num < 1 || v.as.num > 1000000)
            return rt_error(I, at, "net.depth must be a whole number from 1 to 1000000");
        RdnErr err = {0};
        if (rdn_net_set_depth(n, (int)v.as.num, &err)) return rt_error_from(I, at, &err);
        return 0;
    }
    float *data;
    int nd;
    int64_t shape[3];
    if (!param_block(n, m, &data, &nd, shape)) return 1;
    if (!data)
        return rt_error(I, at, "this net has no embedding (its width %d equals its input "
                        "dimension), so it has no .%s", n->width, m);
    char want[96], got[96];
    rdn_tensor_shape_str(nd, shape, want, sizeof want);
    if (v.type != VAL_TENSOR)
        return rt_error(I, at, "net.%s must be a tensor %s, got %s", m, want, val_type_name(v.type));
    const Tensor *t = val_ptr(v);
    int ok = t->ndim == nd;
    for (int i = 0; ok && i < nd; i++) ok = t->shape[i] == shape[i];
    if (!ok)
        return rt_error(I, at, "net.%s must be a tensor %s, got %s", m, want,
                        rdn_tensor_shape_str(t->ndim, t->shape, got, sizeof got));
    for (int64_t i = 0; i < t->size; i++)
        if (!isfinite(t->data[i]))
            return rt_error(I, at, "net.%s: element %lld is not finite", m, (long long)i);
    memcpy(data, t->data, (size_t)t->size * sizeof(float));
    return 0;
}

const TypeOps OPS_NET = {VAL_NET, "net",
                         "depth width in classes params kind act shared step seed provenance history W b V c E e",
                         net_repr, net_get, net_set};

/* ---- the table ---- */

#define NET_KW_DOC                                                                               \
    "Keywords: `in:` input dimension (default: width), `width:` d (default: in; when it differs " \
    "from in, a trained embedding h_0 = E x + e is added), `depth:` T (10), `classes:` k (10), "  \
    "`act:` \"logistic\" (default), \"tanh\" or \"relu\", `seed:` initial-weight seed (default: "  \
    "drawn from the script's generator, so `seed(n)` fixes it). Initialisation follows "          \
    "PyTorch's Linear layer: every weight and bias uniform in +-1/sqrt(fan_in) (fan_in = d for "   \
    "W, b, V, c; in for E, e), each block from its own stream of the seed. "

const Builtin BI_NET[] = {
    {"resnet", bi_resnet, 0, 0, "in width depth classes act shared step seed",
     "resnet(in:, width: in, depth: 10, classes: 10, act: \"logistic\", shared: true, step: 1, seed:)",
     "A residual network (MODEL.md): h_{t+1} = h_t + step * act(W_t h_t + b_t), t = 0..T-1, then "
     "logits = V h_T + c.\n\n" NET_KW_DOC
     "`shared:` true (default) uses one W, b for every layer (the net is an iterated map and its "
     "depth is only a number); false gives each layer its own. `step:` eta (1).\n\n"
     "Example: `net = resnet(in: 2, width: 2, depth: 30, classes: 3)`"},
    {"mlp", bi_mlp, 0, 0, "in width depth classes act seed like",
     "mlp(in:, width: in, depth: 10, classes: 10, act: \"logistic\", seed:) or mlp(like: net)",
     "A multilayer perceptron, the baseline: h_{t+1} = act(W_t h_t + b_t), then logits = V h_T + c; "
     "its residual is r_t = h_{t+1} - h_t.\n\n" NET_KW_DOC
     "`like: net` takes in, width, depth, classes, act and the initial-weight seed of another net "
     "(the fair baseline: its first layer, head and embedding start equal to the net's); it cannot "
     "be combined with the other keywords.\n\nExample: `base = mlp(like: net)`"},
    {"fit", bi_fit, 2, 2, "epochs lr batch opt momentum loss val adapt seed",
     "fit(net, data, epochs: 10, lr: 0.01, batch: 32, opt: \"sgd\", momentum: 0.9, loss: \"xent\", "
     "val:, adapt:, seed:)",
     "Trains the net in place by minibatch gradient descent with exact gradients (backpropagation "
     "through all layers) and returns the history: a table with columns epoch, loss, acc, "
     "val_loss, val_acc, depth (one row per epoch; loss and acc are the means over the epoch's "
     "batches, val_* are measured after the epoch, NaN without `val:`; depth is the depth the "
     "epoch trained at).\n\n"
     "`opt:` \"sgd\" (p -= lr g), \"momentum\" (v = momentum v + g; p -= lr v) or \"adam\" (PyTorch's "
     "Adam, betas 0.9, 0.999, eps 1e-8). `loss:` \"xent\" (mean cross-entropy of softmax(logits)) "
     "or \"mse\" (mean over inputs and classes of (softmax(logits) - onehot)^2). `batch:` inputs "
     "per step (the last batch of an epoch may be smaller). Each epoch shuffles with a stream "
     "derived from (`seed:`, epoch); the seed defaults to a draw from the script's generator. "
     "`val:` a dataset evaluated after each epoch. `adapt:` an `adaptive(...)` value: the depth "
     "is adapted during training (see adaptive; the changes are in the history's .changes).\n\n"
     "A NaN or infinite loss stops training with an error naming the epoch and batch, and the "
     "parameters of the last batch with a finite loss are restored. Ctrl-C stops at the next "
     "batch boundary with the net consistent, and `net.history` holds the finished epochs (it "
     "always holds the last fit's history). Progress goes to stderr (a bar on a terminal, one "
     "line per epoch otherwise, nothing with --quiet).\n\n"
     "Example: `h = fit(net, train, epochs: 20, lr: 0.1, val: test)`"},
    {"predict", bi_predict, 2, 2, "", "predict(net, data)",
     "The predicted class (argmax of the logits) of each input, as a tensor [n] of class indices. "
     "`data` is a dataset or a tensor [n, in] (or one input [in]).\n\n"
     "Example: `p = predict(net, test)`"},
    {"accuracy", bi_accuracy, 2, 2, "", "accuracy(net, data)",
     "The fraction of inputs of the dataset whose predicted class equals the label.\n\n"
     "Example: `print(accuracy(net, test))`"},
    {"loss", bi_loss, 2, 2, "loss", "loss(net, data, loss: \"xent\")",
     "The mean loss over the dataset: \"xent\" (cross-entropy of softmax(logits)) or \"mse\" (mean "
     "over inputs and classes of (softmax(logits) - onehot)^2), as in fit.\n\n"
     "Example: `loss(net, test)`"},
    {"confusion", bi_confusion, 2, 2, "", "confusion(net, data)",
     "The confusion matrix as a tensor [k, k] of counts: row i is the true class, column j the "
     "predicted class, so the diagonal holds the correct predictions.\n\n"
     "Example: `m = confusion(net, test); print(m[0, 0])`"},
    {"prune", bi_prune, 2, 2, "", "prune(net, depth)",
     "A copy of the net cut to its first `depth` layers (the argument is unchanged). For a shared "
     "ResNet every parameter is kept and only the depth changes; an unshared net drops the "
     "weights of the later layers.\n\nExample: `small = prune(net, 5)`"},
    {"save", bi_save, 2, 2, "", "save(net, path)",
     "Writes the net to an rdn model file (below the output folder, atomically): magic, version, "
     "kind, sizes, little-endian float32 parameters, a provenance record (JSON: rdn version, "
     "script, seed, threads, BLAS, params) and a CRC32. See docs/runtime.md for the layout.\n\n"
     "Example: `save(net, \"net.rdnm\")`"},
    {"load", bi_load, 1, 1, "", "load(path)",
     "Reads a net from an rdn model file written by save. Every field is checked against the file "
     "length and the CRC32; a corrupted or truncated file is an error. The file is recorded as "
     "read in the run's manifest.\n\nExample: `net = load(\"net.rdnm\")`"},
    {0},
};
