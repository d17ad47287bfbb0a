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
#include <unistd.h>
#include "adapt.h"
#include "builtin.h"
#include "core.h"
#include "interp.h"
#include "manifest.h"
#include "net.h"
#include "outfile.h"
#include "table.h"
#include "tensor.h"
#include "version.h"

static void destroy_net(void *p) { rdn_net_free(p); }
Value val_net(struct Net *n) { return val_box(VAL_NET, n, destroy_net); }

/* A 64-bit seed as rdn shows it: a number when a double holds it exactly, else its digits. */
static Value seed_value(uint64_t s)
{
    if (s <= (1ull << 53)) return val_num((double)s);
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)s);
    return val_str(buf);
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

/* init:, gain:, std: (std only with init: "normal"). */
static int read_init(Interp *I, Args *a, InitSpec *is)
{
    int k;
    if (arg_choice(I, a, -1, "init", "pytorch|glorot|orthogonal|normal", 0, &k)) return -1;
    is->kind = (InitKind)k;
    if (arg_num(I, a, -1, "gain", 0, &is->gain)) return -1;
    if (has_kw(a, "gain") && (!(is->gain > 0) || !isfinite(is->gain)))
        return arg_error(I, a, -1, "gain", "%s: gain must be a positive number, got %g", a->bi->name, is->gain);
    if (has_kw(a, "std") && is->kind != INIT_NORMAL)
        return arg_error(I, a, -1, "std", "%s: std: applies to init: \"normal\" only", a->bi->name);
    if (arg_num(I, a, -1, "std", 0, &is->std)) return -1;
    if (has_kw(a, "std") && (!(is->std > 0) || !isfinite(is->std)))
        return arg_error(I, a, -1, "std", "%s: std must be a positive number, got %g", a->bi->name, is->std);
    return 0;
}

static int make_net(Interp *I, Args *a, const NetSpec *sp, Value *out)
{
    RdnErr err = {0};
    InitSpec is = {0};
    if (read_init(I, a, &is)) return -1;
    Net *net = rdn_net_new_init(sp, &is, &err);
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
    if (arg_seed(I, a, &sp.init_seed)) return -1;
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
    if (arg_seed(I, a, &sp.init_seed)) return -1;
    return make_net(I, a, &sp, out);
}

/* ---- training and evaluation ---- */

static uint8_t *read_all(const char *path, size_t *len, RdnErr *err);

/* What fit's callbacks need: the schedule function, each_epoch, the checkpoint. */
typedef struct FitCtx {
    Interp *I;
    Args *a;
    Value lr_fn, each;        /* borrowed; VNIL when not given */
    const char *ckpt;         /* the checkpoint path as given, or NULL */
    int adapt;                /* adapt: given (a checkpoint may hold another depth) */
    char fingerprint[65];
} FitCtx;

/* Calls f(args...) with the given positional values, located at keyword kw of fit's call. */
static int call_back(FitCtx *c, Value f, const char *kw, int n, Value *args, Value *res)
{
    Span sp[2];
    for (int i = 0; i < n; i++) sp[i] = c->a->call;
    for (int i = 0; i < c->a->nkw; i++)
        if (!strcmp(c->a->kw_name[i], kw)) sp[0] = sp[1] = c->a->kw_span[i];
    Args ca = {n, args, sp, 0, NULL, NULL, NULL, sp[0], NULL};
    return call_value(c->I, f, &ca, res);
}

static double fit_lr_fn(void *ctx, int64_t epoch, RdnErr *err)
{
    FitCtx *c = ctx;
    Value arg = val_num((double)epoch), res;
    if (call_back(c, c->lr_fn, "lr", 1, &arg, &res)) {
        rdn_err(err, "fit: the lr schedule raised an error in epoch %lld", (long long)epoch);
        return NAN;
    }
    double lr = res.type == VAL_NUM ? res.as.num : NAN;
    if (res.type != VAL_NUM || !isfinite(lr) || lr < 0) {
        char num[32];
        if (res.type == VAL_NUM) snprintf(num, sizeof num, "%g", lr);
        char *t = res.type == VAL_NUM ? strdup(num) : val_repr(res);
        arg_error(c->I, c->a, -1, "lr", "fit: the lr schedule must return a number >= 0, got %s for epoch %lld",
                  t ? t : "?", (long long)epoch);
        free(t);
        val_decref(res);
        rdn_err(err, "fit: bad rate");
        return NAN;
    }
    val_decref(res);
    return lr;
}

/* Writes the checkpoint (net, optimizer state, history, early stopping, the script's random
 * stream) through the sandbox, atomically. */
static int write_ckpt(FitCtx *c, Net *net, const Table *hist, const StopState *stop, int finished, RdnErr *err)
{
    Ckpt ck = {0};
    memcpy(ck.fingerprint, c->fingerprint, 65);
    ck.done = hist->nrows;
    ck.finished = finished;
    memcpy(ck.rng, c->I->rng.s, sizeof ck.rng);
    ck.stop = *stop;
    RdnWriter w;
    if (rdn_out_open(&c->I->out, c->ckpt, &w, err)) return -1;
    Table *keep = net->history;
    net->history = (Table *)hist;
    int rc = rdn_net_write_ex(net, w.f, 1, &ck, err);
    net->history = keep;
    if (rc) {
        rdn_out_abort(&w);
        return -1;
    }
    return rdn_out_commit(&c->I->out, &w, err);
}

static int fit_hook(void *ctx, Net *net, const Table *hist, const StopState *stop, int finished, RdnErr *err)
{
    FitCtx *c = ctx;
    int stop_now = 0;
    if (c->each.type != VAL_NIL) {
        /* each_epoch: fn(epoch, row) with the epoch's history row as a record */
        int last = hist->nrows - 1;
        Value row = val_record();
        for (int ci = 0; ci < hist->ncols; ci++)
            val_record_set(row, hist->cols[ci].name,
                           hist->cols[ci].is_str ? val_str(hist->cols[ci].str[last]) : val_num(hist->cols[ci].num[last]));
        Value args[2] = {val_num(hist->cols[0].num[last]), row}, res;
        int r = call_back(c, c->each, "each_epoch", 2, args, &res);
        val_decref(args[1]);
        if (r) return rdn_err(err, "fit: each_epoch raised an error after epoch %g; the net keeps that epoch's parameters",
                              hist->cols[0].num[last]);
        stop_now = res.type == VAL_BOOL && !res.as.b;
        val_decref(res);
    }
    if (c->ckpt && write_ckpt(c, net, hist, stop, finished || stop_now, err)) return -1;
    return stop_now;
}

/* The checkpoint's fingerprint: SHA-256 of the net at fit start (spec, parameters, optimizer
 * state), the data, every fit option and the script's random stream. */
static void fingerprint(FitCtx *c, const Net *net, const Dataset *tr, const Dataset *val, const FitOpts *o,
                        char hex[65])
{
    char *txt = NULL;
    char *lrs = c->lr_fn.type != VAL_NIL ? val_repr(c->lr_fn) : NULL;
    char *eas = c->each.type != VAL_NIL ? val_repr(c->each) : NULL;
    int n = asprintf(&txt, "kind %d act %d in %d width %d depth %d classes %d shared %d step %a seed %llu init %d %a %a\n"
                     "epochs %d batch %d lr %a sched %d %a %a %a %d %d %d fn %s opt %d mom %a loss %d wd %a clip %a "
                     "stop %d %d %a %d shuffle %llu each %s val %lld opt_state %d %d %d %llu %lld %lld rng %llx %llx %llx %llx\n",
                     net->kind, net->act, net->in, net->width, net->depth, net->classes, net->shared, (double)net->step,
                     (unsigned long long)net->init_seed, net->init, net->gain, net->init_std, o->epochs, o->batch,
                     o->lr, o->sched.kind, o->sched.lr, o->sched.gamma, o->sched.min, o->sched.every, o->sched.epochs,
                     o->sched.warmup, lrs ? lrs : "-", o->opt, o->momentum, o->loss, o->weight_decay, o->clip,
                     o->stop.on, o->stop.patience, o->stop.min_delta, o->stop.restore_best,
                     (unsigned long long)o->shuffle_seed, eas ? eas : "-", val ? (long long)val->n : -1LL,
                     net->opt.active, net->opt.opt, net->opt.loss, (unsigned long long)net->opt.shuffle_seed,
                     (long long)net->opt.epoch, (long long)net->opt.step, (unsigned long long)c->I->rng.s[0],
                     (unsigned long long)c->I->rng.s[1], (unsigned long long)c->I->rng.s[2],
                     (unsigned long long)c->I->rng.s[3]);
    free(lrs);
    free(eas);
    if (n < 0) abort();
    if (o->adapt) { /* depth adaptation's settings, as given (the defaults resolve at fit start) */
        const AdaptOpts *ad = o->adapt;
        char *t2 = NULL;
        if (asprintf(&t2, "%sadapt %a %d %d %d %d %d %llu\n", txt, ad->tol, ad->every, ad->min_depth, ad->grow,
                     ad->max_depth, ad->probe, (unsigned long long)ad->seed) < 0)
            abort();
        free(txt);
        txt = t2;
    }
    /* hash of (text, params, optimizer buffers, data) as one stream of hex digests */
    size_t cap = 65 * 8 + 1, len = 0;
    char *all = calloc(1, cap);
    if (!all) abort();
    char h[65];
    rdn_sha256_buf(txt, strlen(txt), h); memcpy(all + len, h, 64); len += 64;
    rdn_sha256_buf(net->params, (size_t)net->nparams * sizeof(float), h); memcpy(all + len, h, 64); len += 64;
    if (net->opt.m) { rdn_sha256_buf(net->opt.m, (size_t)net->nparams * sizeof(float), h); memcpy(all + len, h, 64); len += 64; }
    if (net->opt.v) { rdn_sha256_buf(net->opt.v, (size_t)net->nparams * sizeof(float), h); memcpy(all + len, h, 64); len += 64; }
    const Dataset *sets[2] = {tr, val};
    for (int i = 0; i < 2; i++)
        if (sets[i]) {
            rdn_sha256_buf(sets[i]->x, (size_t)(sets[i]->n * sets[i]->dim) * sizeof(float), h); memcpy(all + len, h, 64); len += 64;
            rdn_sha256_buf(sets[i]->y, (size_t)sets[i]->n * sizeof(int32_t), h); memcpy(all + len, h, 64); len += 64;
        }
    rdn_sha256_buf(all, len, hex);
    free(all);
    free(txt);
}

/* Reads a checkpoint at the fit's start, if the file exists: 1 resumed (net, stream and *res
 * filled), 0 no file, -1 error raised. */
static int ckpt_resume(FitCtx *c, Net *net, FitResume *res, Ckpt *ck, Net **held)
{
    Interp *I = c->I;
    char *abs = NULL;
    RdnErr err = {0};
    if (rdn_out_resolve(&I->out, c->ckpt, 0, &abs, &err)) return arg_error(I, c->a, -1, "checkpoint", "fit: %s", err.msg);
    FILE *f = fopen(abs, "rb");
    if (!f) {
        int e = errno;
        free(abs);
        if (e == ENOENT) return 0;
        return arg_error(I, c->a, -1, "checkpoint", "fit: cannot open the checkpoint '%s': %s", c->ckpt, strerror(e));
    }
    fclose(f);
    size_t len = 0;
    uint8_t *buf = read_all(abs, &len, &err);
    free(abs);
    int has = 0;
    Net *cn = buf ? rdn_net_read_ckpt(buf, len, ck, &has, &err) : NULL;
    if (cn && has && ck->finished && strcmp(ck->fingerprint, c->fingerprint) == 0) {
        /* a finished run is not written again by fit: rewrite the same bytes so that this run
         * records the file it wrote, as the uninterrupted run did */
        RdnWriter w;
        int bad = rdn_out_open(&I->out, c->ckpt, &w, &err) != 0;
        if (!bad && fwrite(buf, 1, len, w.f) != len) {
            rdn_out_abort(&w);
            rdn_err(&err, "write failed");
            bad = 1;
        }
        if (bad || rdn_out_commit(&I->out, &w, &err)) {
            free(buf);
            rdn_net_free(cn);
            free(ck->stop.best_params);
            ck->stop.best_params = NULL;
            return arg_error(I, c->a, -1, "checkpoint", "fit: cannot rewrite the checkpoint '%s': %s", c->ckpt, err.msg);
        }
    }
    free(buf);
    if (!cn)
        return arg_error(I, c->a, -1, "checkpoint", "fit: the checkpoint '%s' cannot be read: %s", c->ckpt, err.msg);
    /* an adaptive run may have changed the depth (and, unshared, the number of parameters) */
    int depth_ok = cn->depth == net->depth || (c->adapt && !rdn_net_set_depth(net, cn->depth, &err));
    if (!has || strcmp(ck->fingerprint, c->fingerprint) != 0 || !depth_ok || cn->nparams != net->nparams ||
        !cn->history) {
        rdn_net_free(cn);
        free(ck->stop.best_params);
        ck->stop.best_params = NULL;
        return arg_error(I, c->a, -1, "checkpoint", "fit: '%s' is %s; delete it (or name another file) to "
                         "start this run afresh", c->ckpt, has ? "the checkpoint of another net, data or fit options"
                                                               : "not a checkpoint (a model file without training state)");
    }
    memcpy(net->params, cn->params, (size_t)net->nparams * sizeof(float));
    rdn_opt_reset(&net->opt);
    net->opt = cn->opt;
    memset(&cn->opt, 0, sizeof cn->opt);
    net->epochs = cn->epochs;
    memcpy(I->rng.s, ck->rng, sizeof ck->rng);
    res->done = ck->done;
    res->finished = ck->finished;
    res->history = cn->history;
    res->stop = &ck->stop;
    *held = cn;
    if (!I->quiet)
        fprintf(stderr, "fit: resuming from checkpoint '%s' after epoch %lld (%d of this call's epochs done%s)\n",
                c->ckpt, (long long)net->opt.epoch, ck->done, ck->finished ? "; that run had finished" : "");
    return 1;
}

static int bi_fit(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *train, *val = NULL;
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)&net)) return -1;
    if (arg_obj(I, a, 1, "data", VAL_DATASET, (void **)&train)) return -1;
    if (has_kw(a, "val") && arg_obj(I, a, -1, "val", VAL_DATASET, (void **)&val)) return -1;
    FitOpts o;
    rdn_fit_defaults(&o);
    FitCtx c = {I, a, VNIL, VNIL, NULL, 0, {0}};
    int opt, loss;
    if (get_int(I, a, -1, "epochs", o.epochs, 0, 1000000, &o.epochs)) return -1;
    if (get_int(I, a, -1, "batch", o.batch, 1, 1 << 20, &o.batch)) return -1;
    Value lv;
    o.sched = (LrSched){.kind = LR_CONST};
    if (arg_get(a, -1, "lr", &lv) && lv.type == VAL_SCHEDULE) {
        o.sched = *(const LrSched *)val_ptr(lv);
        o.lr = o.sched.lr;
    } else if (arg_get(a, -1, "lr", &lv) && val_is_func(lv)) {
        c.lr_fn = lv;
        o.lr_fn = fit_lr_fn;
        o.lr_ctx = &c;
    } else {
        if (arg_get(a, -1, "lr", &lv) && lv.type != VAL_NUM)
            return arg_error(I, a, -1, "lr", "fit: lr must be a number, a schedule (step_lr, cosine_lr) or a "
                             "function of the epoch, got %s", val_type_name(lv.type));
        if (arg_num(I, a, -1, "lr", o.lr, &o.lr)) return -1;
        if (!(o.lr > 0) || !isfinite(o.lr))
            return arg_error(I, a, -1, "lr", "fit: lr must be a positive number, got %g", o.lr);
        o.sched.lr = o.lr;
    }
    if (arg_choice(I, a, -1, "opt", "sgd|momentum|adam", 0, &opt)) return -1;
    o.opt = (OptKind)opt;
    if (arg_num(I, a, -1, "momentum", o.momentum, &o.momentum)) return -1;
    if (!(o.momentum >= 0 && o.momentum < 1))
        return arg_error(I, a, -1, "momentum", "fit: momentum must be in [0, 1), got %g", o.momentum);
    if (has_kw(a, "momentum") && o.opt != OPT_MOMENTUM)
        return arg_error(I, a, -1, "momentum", "fit: momentum: applies to opt: \"momentum\" only");
    if (arg_choice(I, a, -1, "loss", "xent|mse", 0, &loss)) return -1;
    o.loss = (LossKind)loss;
    if (arg_num(I, a, -1, "weight_decay", 0, &o.weight_decay)) return -1;
    if (!(o.weight_decay >= 0) || !isfinite(o.weight_decay))
        return arg_error(I, a, -1, "weight_decay", "fit: weight_decay must be a number >= 0, got %g", o.weight_decay);
    if (arg_num(I, a, -1, "clip", 0, &o.clip)) return -1;
    if (has_kw(a, "clip") && (!(o.clip > 0) || !isfinite(o.clip)))
        return arg_error(I, a, -1, "clip", "fit: clip must be a positive number (the largest gradient norm), got %g", o.clip);
    if (has_kw(a, "stop")) {
        StopOpts *so;
        if (arg_obj(I, a, -1, "stop", VAL_STOPPER, (void **)&so)) return -1;
        o.stop = *so;
        if (!val)
            return arg_error(I, a, -1, "stop", "fit: stop: early_stop(...) watches %s and needs val: (a validation dataset)",
                             so->on == STOP_VAL_LOSS ? "val_loss" : "val_acc");
    }
    if (has_kw(a, "each_epoch")) {
        Value ev;
        arg_get(a, -1, "each_epoch", &ev);
        if (!val_is_func(ev))
            return arg_error(I, a, -1, "each_epoch", "fit: each_epoch must be a function fn(epoch, row), got %s",
                             val_type_name(ev.type));
        c.each = ev;
    }
    if (has_kw(a, "adapt")) {
        AdaptOpts *ad;
        if (arg_obj(I, a, -1, "adapt", VAL_ADAPT, (void **)&ad)) return -1;
        o.adapt = ad;
        c.adapt = 1;
    }
    if (has_kw(a, "checkpoint")) {
        if (arg_str(I, a, -1, "checkpoint", NULL, &c.ckpt)) return -1;
    }
    /* the shuffle seed: given, the optimizer state's (when it continues), or a fresh draw */
    o.seed_given = has_kw(a, "seed");
    if (o.seed_given) {
        if (arg_seed(I, a, &o.shuffle_seed)) return -1;
    } else {
        o.shuffle_seed = net->opt.shuffle_seed;
        if (!rdn_fit_continues(net, &o)) o.shuffle_seed = interp_draw_seed(I);
    }
    o.quiet = I->quiet;
    o.progress = interp_stderr(I);
    o.progress_tty = I->progress_tty;
    if (c.each.type != VAL_NIL || c.ckpt) {
        o.epoch_hook = fit_hook;
        o.hook_ctx = &c;
    }
    FitResume res = {0};
    Ckpt ck = {0};
    Net *held = NULL;
    if (c.ckpt) {
        fingerprint(&c, net, train, val, &o, c.fingerprint);
        int r = ckpt_resume(&c, net, &res, &ck, &held);
        if (r < 0) return -1;
        if (r > 0) o.resume = &res;
    }
    Table *hist = NULL;
    RdnErr err = {0};
    int rc = rdn_fit(net, train, val, &o, &hist, NULL, &err);
    rdn_net_free(held);
    free(ck.stop.best_params);
    if (hist) { /* net.history: the last fit's epochs, kept also when Ctrl-C or an error stops the run */
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
    int with_opt;
    if (arg_bool(I, a, -1, "optimizer", 0, &with_opt)) return -1;
    RdnErr err = {0};
    RdnWriter w;
    if (rdn_out_open(&I->out, path, &w, &err)) return rt_error_call(I, a, &err);
    char *prov = provenance(I, net), *old = net->provenance;
    net->provenance = prov;
    int rc = rdn_net_write_ex(net, w.f, with_opt, NULL, &err);
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
    FILE *f = rdn_fopen_regular(path, err);
    if (!f) return NULL;
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
    if (access(path, F_OK) != 0 && errno == ENOENT && path[0] != '/' && I->out.dir) {
        /* a relative name not found here: try the output folder, where save put it */
        if (asprintf(&alt, "%s/%s", I->out.dir, path) < 0) alt = NULL;
        if (alt && access(alt, F_OK) == 0) path = alt;
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
    else if (!strcmp(m, "seed")) *out = seed_value(n->init_seed);
    else if (!strcmp(m, "epoch")) *out = val_num((double)n->epochs);
    else if (!strcmp(m, "init")) *out = val_str(rdn_init_name(n->init));
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
                         "depth width in classes params kind act shared step seed epoch init provenance history W b V c E e",
                         net_repr, net_get, net_set};

/* ---- the table ---- */

#define NET_KW_DOC                                                                               \
    "Keywords: `in:` input dimension (default: width), `width:` d (default: in; when it differs " \
    "from in, a trained embedding h_0 = E x + e is added), `depth:` T (10), `classes:` k (10), "  \
    "`act:` \"logistic\" (default), \"tanh\" or \"relu\", `seed:` initial-weight seed (default: "  \
    "drawn from the script's generator, so `seed(n)` fixes it; a whole number, or the string of "  \
    "digits net.seed gives for seeds above 2^53). Initialisation follows "                        \
    "PyTorch's Linear layer: every weight and bias uniform in +-1/sqrt(fan_in) (fan_in = d for "   \
    "W, b, V, c; in for E, e), each block from its own stream of the seed. `init:` changes how "   \
    "the layers' weights W_t are drawn (biases, head and embedding stay as above): \"pytorch\" "  \
    "U(+-gain/sqrt(d)); \"glorot\" U(+-gain*sqrt(6/(d+d))); \"orthogonal\" gain*Q, Q orthogonal "  \
    "(QR of a matrix of N(0,1) draws, R with a positive diagonal); \"normal\" N(0, (gain*std)^2), " \
    "`std:` default 1/sqrt(d). `gain:` defaults to 4 for glorot and orthogonal with the "         \
    "logistic activation (its slope at 0 is 1/4), else 1. "

const Builtin BI_NET[] = {
    {"resnet", bi_resnet, 0, 0, "in width depth classes act shared step seed init gain std",
     "resnet(in:, width: in, depth: 10, classes: 10, act: \"logistic\", shared: true, step: 1, seed:, init: \"pytorch\", gain:, std:)",
     "A residual network (docs/model.md): h_{t+1} = h_t + step * act(W_t h_t + b_t), t = 0..T-1, then "
     "logits = V h_T + c.\n\n" NET_KW_DOC
     "`shared:` true (default) uses one W, b for every layer (the net is an iterated map and its "
     "depth is only a number); false gives each layer its own. `step:` eta (1).\n\n"
     "Example: `net = resnet(in: 2, width: 2, depth: 30, classes: 3)`"},
    {"mlp", bi_mlp, 0, 0, "in width depth classes act seed like init gain std",
     "mlp(in:, width: in, depth: 10, classes: 10, act: \"logistic\", seed:, init: \"pytorch\", gain:, std:) or mlp(like: net, init:)",
     "A multilayer perceptron, the baseline: h_{t+1} = act(W_t h_t + b_t), then logits = V h_T + c; "
     "its residual is r_t = h_{t+1} - h_t.\n\n" NET_KW_DOC
     "`like: net` takes in, width, depth, classes, act and the initial-weight seed of another net "
     "(the fair baseline: its first layer, head and embedding start equal to the net's); it cannot "
     "be combined with the other keywords.\n\nExample: `base = mlp(like: net)`"},
    {"fit", bi_fit, 2, 2, "epochs lr batch opt momentum loss val adapt seed weight_decay clip stop each_epoch checkpoint",
     "fit(net, data, epochs: 10, lr: 0.01, batch: 32, opt: \"sgd\", momentum: 0.9, loss: \"xent\", "
     "val:, adapt:, seed:, weight_decay: 0, clip:, stop:, each_epoch:, checkpoint:)",
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
     "The optimizer state lives on the net (momentum velocity, Adam's moments and step count, the "
     "state's epoch counter and shuffle seed): a fit with the same `opt:` and `loss:` (and no "
     "other `seed:`) continues it, so three fit(..., epochs: 1) give the bits of one "
     "fit(..., epochs: 3); another optimizer or loss starts a fresh state and says so. "
     "`reset_optimizer(net)` drops it; `net.epoch` counts every epoch trained. The history's epoch "
     "column counts the state's epochs.\n\n"
     "`lr:` a number, a schedule (`step_lr`, `cosine_lr`) or a function fn(epoch) of the state's "
     "1-based epoch returning the rate (>= 0); the history gets an lr column. `weight_decay:` L2: "
     "sgd and momentum add wd*p to the gradient; adam is decoupled as in AdamW (p *= 1 - lr*wd "
     "before the Adam step). `clip:` when the global L2 norm of the gradient exceeds it, the "
     "gradient is scaled to that norm (before weight decay). `stop:` an `early_stop(...)` rule. "
     "`each_epoch:` fn(epoch, row) called after every epoch with its history row; returning false "
     "stops training (an error in it stops training with the net at the last finished epoch). "
     "`checkpoint:` a file (below the output folder) rewritten atomically after every epoch with "
     "the net, optimizer state, history, early-stopping progress and the script's random stream; "
     "when it exists as fit starts and was written for the same net, data and options, fit resumes "
     "from it (a killed run rerun unchanged ends with the same bits), and a checkpoint of anything "
     "else is an error. With `adapt:` the checkpoint also holds the depth reached and the changes "
     "so far, so a resumed run continues at the adapted depth as if never stopped.\n\n"
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
    {"save", bi_save, 2, 2, "optimizer", "save(net, path, optimizer: false)",
     "Writes the net to an rdn model file (below the output folder, atomically): magic, version, "
     "kind, sizes, little-endian float32 parameters, a provenance record (JSON: rdn version, "
     "script, seed, threads, BLAS, params), the epoch count, initialisation and last history, "
     "with `optimizer: true` also the optimizer state (so a loaded net continues training as if "
     "never saved), and a CRC32. See docs/runtime.md for the layout.\n\n"
     "Example: `save(net, \"net.rdnm\")`"},
    {"load", bi_load, 1, 1, "", "load(path)",
     "Reads a net from an rdn model file written by save. Every field is checked against the file "
     "length and the CRC32; a corrupted or truncated file is an error. The file is recorded as "
     "read in the run's manifest.\n\nExample: `net = load(\"net.rdnm\")`"},
    {0},
};
