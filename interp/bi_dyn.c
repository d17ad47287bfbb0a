/* bi_dyn.c: the dynamics builtins of docs/dynamics.md (record and every measure of docs/model.md
 * "Transients", "Attractors", "Local dynamics", "Noise evolution") and the recording type
 * (OPS_RECORDING). The numbers come from runtime/record.c and runtime/dyn_*.c; this file reads
 * arguments, locates errors at the argument at fault and boxes results. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "dynamics.h"
#include "interp.h"
#include "record.h"

static void rec_destroy(void *p) { rdn_record_free(p); }

static Value val_recording(Recording *r) { return val_box(VAL_RECORDING, r, rec_destroy); }

static int get_net(Interp *I, Args *a, int pos, Net **net)
{
    return arg_obj(I, a, pos, NULL, VAL_NET, (void **)net);
}

/* A data set argument that fits the net: located at the argument. */
static int get_data(Interp *I, Args *a, int pos, const Net *net, Dataset **d)
{
    if (arg_obj(I, a, pos, NULL, VAL_DATASET, (void **)d)) return -1;
    if ((*d)->dim != net->in)
        return arg_error(I, a, pos, NULL, "%s: the data has dimension %d but the net takes inputs of "
                         "dimension %d", a->bi->name, (*d)->dim, net->in);
    if ((*d)->n <= 0) return arg_error(I, a, pos, NULL, "%s: the data set is empty", a->bi->name);
    return 0;
}

static int get_rec(Interp *I, Args *a, int pos, Recording **r)
{
    return arg_obj(I, a, pos, NULL, VAL_RECORDING, (void **)r);
}

static int get_tol(Interp *I, Args *a, double def, double *tol)
{
    if (arg_num(I, a, -1, "tol", def, tol)) return -1;
    if (!(*tol > 0) || isinf(*tol))
        return arg_error(I, a, -1, "tol", "%s: tol must be a positive number, got %g", a->bi->name, *tol);
    return 0;
}

static int get_kind(Interp *I, Args *a, int *k)
{
    static const int kinds[3] = {RDN_NOISE_GAUSSIAN, RDN_NOISE_UNIFORM, RDN_NOISE_SALTPEPPER};
    int c;
    if (arg_choice(I, a, -1, "kind", "gaussian|uniform|saltpepper", 0, &c)) return -1;
    *k = kinds[c];
    return 0;
}

/* ------------------------------------------------------------------ builtins */

static int bi_record(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    if (get_net(I, a, 0, &net) || get_data(I, a, 1, net, &d)) return -1;
    RecordOpts o;
    rdn_record_defaults(&o);
    int keep;
    if (arg_choice(I, a, -1, "keep", "states|residuals|both|summary", KEEP_BOTH, &keep)) return -1;
    o.keep = (RecKeep)keep;
    Value v;
    if (arg_get(a, -1, "to", &v) && v.type != VAL_NIL) {
        if (arg_str(I, a, -1, "to", NULL, &o.to)) return -1;
        if (o.keep == KEEP_SUMMARY)
            return arg_error(I, a, -1, "to", "record: keep: \"summary\" stays in memory; drop to: or "
                             "keep the \"states\", \"residuals\" or \"both\"");
        o.out = &I->out;
    }
    RdnErr err = {0};
    Recording *r = rdn_record(net, d, &o, &err);
    if (!r) {
        /* errors about the folder are located at to: */
        if (err.code != RDN_INTERRUPTED && !strncmp(err.msg, "record: to:", 11))
            return arg_error(I, a, -1, "to", "%s", err.msg);
        return rt_error_call(I, a, &err);
    }
    *out = val_recording(r);
    return 0;
}

static int bi_residual_norms(Interp *I, Args *a, Value *out)
{
    Recording *r;
    if (get_rec(I, a, 0, &r)) return -1;
    RdnErr err = {0};
    return rt_box(I, a, VAL_TENSOR, rdn_dyn_residual_norms(r, &err), &err, out);
}

static int bi_residual_change(Interp *I, Args *a, Value *out)
{
    Recording *r;
    if (get_rec(I, a, 0, &r)) return -1;
    RdnErr err = {0};
    return rt_box(I, a, VAL_TENSOR, rdn_dyn_residual_change(r, &err), &err, out);
}

static int bi_converged_at(Interp *I, Args *a, Value *out)
{
    Recording *r;
    double tol;
    if (get_rec(I, a, 0, &r) || get_tol(I, a, 1e-3, &tol)) return -1;
    RdnErr err = {0};
    return rt_box(I, a, VAL_TENSOR, rdn_dyn_converged_at(r, tol, &err), &err, out);
}

static int bi_integral_error(Interp *I, Args *a, Value *out)
{
    Recording *r;
    if (get_rec(I, a, 0, &r)) return -1;
    RdnErr err = {0};
    double e;
    if (rdn_dyn_integral_error(r, &e, &err)) return rt_error_call(I, a, &err);
    *out = val_num(e);
    return 0;
}

static int bi_accuracy_by_layer(Interp *I, Args *a, Value *out)
{
    Net *net;
    if (get_net(I, a, 0, &net)) return -1;
    Value v;
    RdnErr err = {0};
    if (arg_get(a, 1, NULL, &v) && v.type == VAL_RECORDING) {
        Recording *r = val_ptr(v);
        if (rdn_dyn_check_shape(net, r, "accuracy_by_layer", &err))
            return arg_error(I, a, 1, NULL, "%s", err.msg);
        return rt_box(I, a, VAL_TABLE, rdn_dyn_accuracy_by_layer_rec(net, r, &err), &err, out);
    }
    Dataset *d;
    if (arg_get(a, 1, NULL, &v) && v.type != VAL_DATASET)
        return arg_error(I, a, 1, NULL, "accuracy_by_layer: expected a dataset or a recording, got %s",
                         val_type_name(v.type));
    if (get_data(I, a, 1, net, &d)) return -1;
    return rt_box(I, a, VAL_TABLE, rdn_dyn_accuracy_by_layer(net, d, &err), &err, out);
}

static int bi_separability(Interp *I, Args *a, Value *out)
{
    Recording *r;
    int of;
    if (get_rec(I, a, 0, &r) || arg_choice(I, a, -1, "of", "states|residuals", 0, &of)) return -1;
    RdnErr err = {0};
    return rt_box(I, a, VAL_TABLE, rdn_dyn_separability(r, of, &err), &err, out);
}

static int bi_attractors(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    if (get_net(I, a, 0, &net)) return -1;
    if (net->kind != NET_RESNET || !net->shared)
        return arg_error(I, a, 0, NULL, "attractors: the net does not share its weights across "
                         "layers, so it is not an iterated map (use resnet(shared: true))");
    if (get_data(I, a, 1, net, &d)) return -1;
    AttractorOpts o;
    rdn_attractor_defaults(&o);
    long steps, mp;
    int per_input;
    if (arg_int(I, a, -1, "steps", o.steps, 0, 100000000, &steps) || get_tol(I, a, o.tol, &o.tol) ||
        arg_int(I, a, -1, "max_period", o.max_period, 1, 64, &mp) ||
        arg_bool(I, a, -1, "per_input", 0, &per_input) || arg_num(I, a, -1, "radius", o.tol, &o.radius))
        return -1;
    if (!(o.radius > 0) || isinf(o.radius))
        return arg_error(I, a, -1, "radius", "attractors: radius must be a positive number, got %g", o.radius);
    o.steps = (int)steps;
    o.max_period = (int)mp;
    RdnErr err = {0};
    Table *pi = NULL;
    Table *t = rdn_dyn_attractors(net, d, &o, per_input ? &pi : NULL, &err);
    if (!t) return rt_error_call(I, a, &err);
    if (per_input) {
        rdn_table_free(t);
        *out = val_table(pi);
    } else {
        *out = val_table(t);
    }
    return 0;
}

static int bi_jacobian(Interp *I, Args *a, Value *out)
{
    Net *net;
    if (get_net(I, a, 0, &net)) return -1;
    long layer;
    long hi = (net->kind == NET_RESNET && net->shared) ? 1000000000L : net->depth - 1;
    if (arg_int(I, a, -1, "layer", 0, 0, hi, &layer)) return -1;
    Value v;
    float *h = NULL;
    double *nums = NULL;
    int nn = 0;
    if (arg_get(a, 1, NULL, &v) && v.type == VAL_TENSOR) {
        Tensor *t = val_ptr(v);
        if (t->size != net->width)
            return arg_error(I, a, 1, NULL, "jacobian: the state must have %d entries (the net's "
                             "width), got %lld", net->width, (long long)t->size);
        h = t->data;
    } else {
        if (arg_num_list(I, a, 1, NULL, &nums, &nn)) return -1;
        if (nn != net->width) {
            free(nums);
            return arg_error(I, a, 1, NULL, "jacobian: the state must have %d entries (the net's "
                             "width), got %d", net->width, nn);
        }
        h = malloc((size_t)nn * sizeof(float));
        if (!h) {
            free(nums);
            return rt_error(I, &a->call, "jacobian: out of memory");
        }
        for (int i = 0; i < nn; i++) h[i] = (float)nums[i];
        free(nums);
    }
    RdnErr err = {0};
    Tensor *J = rdn_dyn_jacobian(net, h, (int)layer, &err);
    if (nn) free(h);
    if (!J) return arg_error(I, a, 1, NULL, "%s", err.msg);
    *out = val_tensor(J);
    return 0;
}

static int bi_eig(Interp *I, Args *a, Value *out)
{
    Tensor *m;
    if (arg_obj(I, a, 0, NULL, VAL_TENSOR, (void **)&m)) return -1;
    RdnErr err = {0};
    Tensor *e = rdn_dyn_eig(m, &err);
    if (!e) return arg_error(I, a, 0, NULL, "%s", err.msg);
    *out = val_tensor(e);
    return 0;
}

static int bi_growth_rate(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    long dirs;
    uint64_t seed;
    if (get_net(I, a, 0, &net) || get_data(I, a, 1, net, &d) ||
        arg_int(I, a, -1, "dirs", 4, 1, 1024, &dirs) || arg_seed(I, a, &seed))
        return -1;
    RdnErr err = {0};
    return rt_box(I, a, VAL_TENSOR, rdn_dyn_growth_rate(net, d, (int)dirs, seed, &err), &err, out);
}

static int get_sigma(Interp *I, Args *a, const char *kw, double s, int k)
{
    if (!(s >= 0) || isinf(s))
        return arg_error(I, a, -1, kw, "%s: sigma must be a number >= 0, got %g", a->bi->name, s);
    if (k == RDN_NOISE_SALTPEPPER && s > 1)
        return arg_error(I, a, -1, kw, "%s: for kind \"saltpepper\" sigma is a probability (0..1), got %g",
                         a->bi->name, s);
    return 0;
}

static int bi_noise_evolution(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    double sigma;
    long trials;
    int kind;
    uint64_t seed;
    if (get_net(I, a, 0, &net) || get_data(I, a, 1, net, &d) ||
        arg_num(I, a, -1, "sigma", 0.1, &sigma) || arg_int(I, a, -1, "trials", 1, 1, 1000000, &trials) ||
        get_kind(I, a, &kind) || get_sigma(I, a, "sigma", sigma, kind) || arg_seed(I, a, &seed))
        return -1;
    RdnErr err = {0};
    return rt_box(I, a, VAL_TABLE, rdn_dyn_noise_evolution(net, d, sigma, (int)trials, kind, seed, &err),
                     &err, out);
}

/* robustness(..., kind: "fgsm"): accuracy on fast-gradient-sign inputs, one eps per sigma. */
static int robustness_fgsm(Interp *I, Args *a, const Net *net, const Dataset *d, Value *out)
{
    Value v;
    if (arg_get(a, -1, "seed", &v))
        return arg_error(I, a, -1, "seed", "robustness: kind \"fgsm\" is deterministic and takes no seed:");
    double *eps = NULL;
    int ne = 0;
    if (!arg_get(a, -1, "sigmas", &v))
        return arg_error(I, a, -1, NULL, "robustness: kind \"fgsm\" needs sigmas: (the eps values)");
    if (arg_num_list(I, a, -1, "sigmas", &eps, &ne)) return -1;
    RdnErr err = {0};
    const char *names[2] = {"sigma", "accuracy"};
    Table *t = ne > 0 ? rdn_table_new(2, names, NULL, &err) : NULL;
    if (ne < 1) {
        free(eps);
        return arg_error(I, a, -1, "sigmas", "robustness: sigmas is empty");
    }
    for (int i = 0; t && i < ne; i++) {
        if (!(eps[i] >= 0) || !isfinite(eps[i])) {
            free(eps);
            rdn_table_free(t);
            return arg_error(I, a, -1, "sigmas", "robustness: an fgsm eps must be a finite number >= 0, got %g", eps[i]);
        }
        Dataset *c = rdn_dataset_copy(d, &err);
        double acc = NAN;
        int bad = !c || rdn_net_fgsm_rows(net, c->x, c->y, c->n, eps[i], LOSS_XENT, &err) ||
                  rdn_net_evaluate(net, c, LOSS_XENT, NULL, &acc, &err);
        rdn_dataset_free(c);
        double row[2] = {eps[i], acc};
        if (bad || rdn_table_push(t, row, NULL, &err)) {
            rdn_table_free(t);
            t = NULL;
        }
    }
    free(eps);
    return rt_box(I, a, VAL_TABLE, t, &err, out);
}

static int bi_robustness(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    long trials;
    int kind;
    uint64_t seed;
    Value kv;
    if (get_net(I, a, 0, &net) || get_data(I, a, 1, net, &d) ||
        arg_int(I, a, -1, "trials", 1, 1, 1000000, &trials))
        return -1;
    if (arg_get(a, -1, "kind", &kv) && kv.type == VAL_STR && !strcmp(val_cstr(kv), "fgsm"))
        return robustness_fgsm(I, a, net, d, out);
    if (get_kind(I, a, &kind)) return -1;
    double *sig = NULL;
    int ns = 0;
    Value v;
    if (arg_get(a, -1, "sigmas", &v)) {
        if (arg_num_list(I, a, -1, "sigmas", &sig, &ns)) return -1;
        if (ns < 1) {
            free(sig);
            return arg_error(I, a, -1, "sigmas", "robustness: sigmas is empty");
        }
    } else {
        static const double def[5] = {0, 0.05, 0.1, 0.2, 0.4};
        sig = malloc(sizeof def);
        if (!sig) return rt_error(I, &a->call, "robustness: out of memory");
        memcpy(sig, def, sizeof def);
        ns = 5;
    }
    for (int i = 0; i < ns; i++)
        if (get_sigma(I, a, "sigmas", sig[i], kind)) {
            free(sig);
            return -1;
        }
    if (arg_seed(I, a, &seed)) {
        free(sig);
        return -1;
    }
    RdnErr err = {0};
    Table *t = rdn_dyn_robustness(net, d, sig, ns, (int)trials, kind, seed, &err);
    free(sig);
    return rt_box(I, a, VAL_TABLE, t, &err, out);
}

/* ------------------------------------------------------------------ the recording type */

static char *rec_repr(Value v)
{
    const Recording *r = val_ptr(v);
    char *s = NULL, ie[64] = "";
    if (r->keep != KEEP_SUMMARY) snprintf(ie, sizeof ie, ", integral error %.3g", r->integral_error);
    int rc;
    if (r->streamed)
        rc = asprintf(&s, "<recording of %lld inputs of a %s, depth %d, width %d, %d classes: %s "
                      "streamed to %s/%s%s>", (long long)r->n, rdn_net_kind_name(r->kind), r->T,
                      r->d, r->nclasses, rdn_record_keep_name(r->keep), r->dir,
                      r->keep == KEEP_BOTH ? "{states,residuals,labels}.npy"
                      : r->keep == KEEP_STATES ? "{states,labels}.npy" : "{residuals,labels}.npy", ie);
    else
        rc = asprintf(&s, "<recording of %lld inputs of a %s, depth %d, width %d, %d classes: keeps %s%s>",
                      (long long)r->n, rdn_net_kind_name(r->kind), r->T, r->d, r->nclasses,
                      rdn_record_keep_name(r->keep), ie);
    return rc < 0 ? NULL : s;
}

static Tensor *tensor_from_doubles(int ndim, const int64_t *shape, const double *src, RdnErr *err)
{
    Tensor *t = rdn_tensor_new(ndim, shape, err);
    if (t)
        for (int64_t i = 0; i < t->size; i++) t->data[i] = (float)src[i];
    return t;
}

static int rec_get(Interp *I, Value self, const char *m, const Span *at, Value *out)
{
    const Recording *r = val_ptr(self);
    RdnErr err = {0};
    Tensor *t = NULL;
    int k = r->nclasses, T = r->T, d = r->d;
    if (!strcmp(m, "n")) { *out = val_num((double)r->n); return 0; }
    if (!strcmp(m, "depth")) { *out = val_num(T); return 0; }
    if (!strcmp(m, "width")) { *out = val_num(d); return 0; }
    if (!strcmp(m, "classes")) { *out = val_num(k); return 0; }
    if (!strcmp(m, "keep")) { *out = val_str(rdn_record_keep_name(r->keep)); return 0; }
    if (!strcmp(m, "dir")) { *out = r->dir ? val_str(r->dir) : VNIL; return 0; }
    if (!strcmp(m, "states") || !strcmp(m, "residuals")) {
        int which = m[0] == 'r';
        int64_t shape[3] = {r->n, which ? T : T + 1, d};
        if (!rdn_record_has(r, which)) {
            rdn_record_rows(r, which, 0, 0, NULL, &err);
            return rt_error(I, at, "%s", err.msg);
        }
        t = rdn_tensor_new(3, shape, &err);
        if (!t) return rt_error_from(I, at, &err);
        const float *p = rdn_record_rows(r, which, 0, r->n, t->data, &err);
        if (!p) {
            rdn_tensor_free(t);
            return rt_error_from(I, at, &err);
        }
        if (p != t->data) memcpy(t->data, p, (size_t)t->size * sizeof(float));
    } else if (!strcmp(m, "labels")) {
        if (!r->labels) return rt_error(I, at, "the recording keeps only a summary: no labels");
        int64_t shape[1] = {r->n};
        t = rdn_tensor_new(1, shape, &err);
        if (t)
            for (int64_t i = 0; i < r->n; i++) t->data[i] = (float)r->labels[i];
    } else if (!strcmp(m, "count")) {
        int64_t shape[1] = {k};
        t = rdn_tensor_new(1, shape, &err);
        if (t)
            for (int c = 0; c < k; c++) t->data[c] = (float)r->count[c];
    } else if (!strcmp(m, "norm_mean") || !strcmp(m, "norm_var")) {
        int64_t shape[2] = {k, T};
        t = tensor_from_doubles(2, shape, m[5] == 'm' ? r->rho_mean : r->rho_var, &err);
    } else if (!strcmp(m, "change_mean")) {
        int64_t shape[2] = {k, T - 1};
        t = tensor_from_doubles(2, shape, r->delta_mean, &err);
    } else if (!strcmp(m, "state_mean") || !strcmp(m, "state_var")) {
        int64_t shape[3] = {k, T + 1, d};
        if (!r->state_mean)
            return rt_error(I, at, "%s is kept by summary recordings (record(..., keep: \"summary\")); "
                            "this one keeps %s: take mean(...) of rec.states by class instead", m,
                            rdn_record_keep_name(r->keep));
        t = tensor_from_doubles(3, shape, m[6] == 'm' ? r->state_mean : r->state_var, &err);
    } else {
        return 1;
    }
    if (!t) return rt_error_from(I, at, &err);
    *out = val_tensor(t);
    return 0;
}

const TypeOps OPS_RECORDING = {
    VAL_RECORDING, "recording",
    "n depth width classes keep dir states residuals labels count norm_mean norm_var change_mean "
    "state_mean state_var",
    rec_repr, rec_get, 0};

/* ------------------------------------------------------------------ the table */

const Builtin BI_DYN[] = {
    {"record", bi_record, 2, 2, "keep to", "record(net, data, keep: \"both\", to: nil)",
     "Runs `data` through `net` and keeps the transients of every input (docs/model.md, \"Transients\"): "
     "the states h_0 .. h_T and the residuals r_0 .. r_{T-1} (r_t = eta sigma(W_t h_t + b_t) for a "
     "ResNet, h_{t+1} - h_t for an MLP), with the labels. Returns a `recording`.\n\n"
     "`keep:` \"states\", \"residuals\", \"both\" (default) or \"summary\": per class and layer, the "
     "mean and variance of ||r_t|| (`rec.norm_mean`, `rec.norm_var` [classes, T]), the mean residual "
     "change (`rec.change_mean` [classes, T-1]) and the per-unit mean and variance of the states "
     "(`rec.state_mean`, `rec.state_var` [classes, T+1, width]); memory independent of the number "
     "of inputs. (`norm_mean`, `norm_var`, `change_mean` and `count` exist for every recording.) Whatever is kept, the residual norms, changes and integral error are computed from "
     "the exact residuals during the pass.\n\n"
     "`to: \"dir\"` streams the arrays, chunk by chunk, to standard NumPy files in that folder "
     "(below the output folder): `states.npy` float32 [n, T+1, width], `residuals.npy` float32 "
     "[n, T, width] and `labels.npy` int32 [n], so memory does not grow with n. Each file is written "
     "to a temporary name and renamed when complete: an error or Ctrl-C leaves no partial file. "
     "Measures that need the arrays (`separability`, `rec.states`) read them back from the files.\n\n"
     "Members: `n`, `depth`, `width`, `classes`, `keep`, `dir`, `states` [n, T+1, width], "
     "`residuals` [n, T, width], `labels` [n], `count` [classes] and the summary tensors above.\n\n"
     "Example: `rec = record(net, test, to: \"transients\")`"},
    {"residual_norms", bi_residual_norms, 1, 1, "", "residual_norms(rec)",
     "The norm of every residual: rho_t = ||r_t||_2, a tensor [n, T] (row i is input i). "
     "`plot(residual_norms(rec), by: test.y)` draws the mean per class against the layer.\n\n"
     "Example: `rho = residual_norms(record(net, test))`"},
    {"residual_change", bi_residual_change, 1, 1, "", "residual_change(rec)",
     "How much the residual still changes from layer to layer: "
     "delta_t = ||r_{t+1} - r_t||_2 / sqrt(width) for t = 0 .. T-2, a tensor [n, T-1].\n\n"
     "Example: `plot(residual_change(rec), by: test.y, to: \"delta.svg\")`"},
    {"converged_at", bi_converged_at, 1, 1, "tol", "converged_at(rec, tol: 1e-3)",
     "The layer from which each input's residual dynamics have converged: the smallest t with "
     "delta_s < `tol` for every s >= t (delta as in `residual_change`), a tensor [n]. An input whose "
     "last change delta_{T-2} is still >= `tol` (or NaN) has not converged: its entry is -1. With "
     "depth 1 there is no change to measure and every entry is 0. `tol` must be > 0.\n\n"
     "Example: `c = converged_at(rec, tol: 1e-4); print(mean(c))`"},
    {"integral_error", bi_integral_error, 1, 1, "", "integral_error(rec)",
     "Checks that the output integrates the transients: max over inputs and units of "
     "|h_T - h_0 - sum_t r_t|, the sum taken in double precision. At float rounding level for a "
     "ResNet (for an MLP the identity holds by definition of r_t).\n\n"
     "Example: `print(integral_error(record(net, test)))`"},
    {"accuracy_by_layer", bi_accuracy_by_layer, 2, 2, "", "accuracy_by_layer(net, data)",
     "The accuracy of the trained head applied to each state h_t instead of h_T, t = 0 .. T: a "
     "table `layer`, `accuracy` (argmax of V h_t + c against the labels; the row t = T equals "
     "`accuracy(net, data)`). The second argument may also be a recording that keeps the states, "
     "made from a net of the same kind, input dimension, width and depth (else an error).\n\n"
     "Example: `write_csv(accuracy_by_layer(net, test), \"acc_layer.csv\")`"},
    {"separability", bi_separability, 1, 1, "of", "separability(rec, of: \"states\")",
     "How separable the classes are at each layer, for the states h_t (t = 0 .. T) or, with "
     "`of: \"residuals\"`, the residuals r_t (t = 0 .. T-1). A table `layer`, `accuracy`, `fisher`:\n\n"
     "- accuracy: nearest-class-mean accuracy; each input is assigned the class whose mean (over the "
     "same recording) is closest in Euclidean distance;\n"
     "- fisher: trace(S_b) / trace(S_w), S_b = sum_c n_c (mu_c - mu)(mu_c - mu)^T, "
     "S_w = sum_i (x_i - mu_{y_i})(x_i - mu_{y_i})^T (NaN when both are 0, Inf when only S_w is).\n\n"
     "Needs a recording that keeps what is asked (a summary is refused).\n\n"
     "Example: `separability(rec, of: \"residuals\")`"},
    {"attractors", bi_attractors, 2, 2, "steps tol max_period per_input radius",
     "attractors(net, data, steps: 200, tol: 1e-3, radius: tol, max_period: 8, per_input: false)",
     "Iterates a shared-weight ResNet's map h -> h + eta sigma(W h + b) past its depth "
     "(depth + `steps` iterations in all) and says where each input's residual goes "
     "(docs/model.md, \"Attractors\"). Distances are ||a - b||_2 / sqrt(width), as for delta. With K "
     "iterations and P = `max_period`:\n\n"
     "- fixed: the last P changes ||r_{K-j} - r_{K-j-1}|| are all < `tol`;\n"
     "- cycle of period p (2 <= p <= P, the smallest): ||r_{K-1-j} - r_{K-1-j-p}|| < `tol` for "
     "j = 0 .. p-1;\n- moving: neither.\n\n"
     "`tol` decides convergence only. Steady states are grouped greedily in input order: an input "
     "joins the first attractor of the same kind and period whose representative (its first "
     "member's last residuals) is within `radius` (default: `tol`, as before the two were "
     "separate) of its last residual (for a cycle: of any phase). Returns a table `attractor`, `kind`, "
     "`period`, `size`, one column `class_<name>` per class (how many inputs of that class), "
     "`residual_norm` and `residual_mean` (||r*||_2 and the mean entry of r*, averaged over a "
     "cycle's phases); the inputs that keep moving share one last row. With `per_input: true` "
     "returns instead one row per input: `input`, `label`, `attractor`, `kind`, `period`. "
     "Either table carries two tensors for further analysis: `a.steady` [n, width], every input's "
     "last residual r_{K-1} (its steady state r* when fixed; the newest phase of a cycle; for a "
     "moving input just where it was), and `a.centres` [attractors, width], row i the centre of "
     "attractor i+1: the mean over its members of their last p residuals averaged (p the period; "
     "r* for a fixed point), so it does not depend on the phase a member ended in. "
     "A net with unshared layers, or an MLP, is an error.\n\n"
     "Example: `a = attractors(net, test, steps: 500, tol: 1e-4, radius: 1e-2); a.centres`"},
    {"jacobian", bi_jacobian, 2, 2, "layer", "jacobian(net, h, layer: 0)",
     "The Jacobian of one layer at the state `h` (a tensor or list of `width` numbers): "
     "J(h) = I + eta diag(sigma'(W h + b)) W for a ResNet, diag(sigma'(W h + b)) W for an MLP "
     "(relu'(0) = 0), a tensor [width, width]. `layer:` picks W_t, b_t of an unshared net "
     "(0 .. depth-1; a shared net has one map).\n\n"
     "Example: `e = eig(jacobian(net, record(net, test).states[0, 5]))`"},
    {"eig", bi_eig, 1, 1, "", "eig(m)",
     "The eigenvalues of a square matrix (LAPACK dgeev, in double precision): a tensor [n, 2] of "
     "real and imaginary parts, sorted by magnitude, largest first (ties: by real part, then "
     "imaginary part, descending, so a complex pair comes + then -). The spectral radius is the "
     "magnitude of the first row. NaN or Inf entries are an error.\n\n"
     "Example: `ev = eig(jacobian(net, test.x[0])); print(norm(ev[0]))`"},
    {"growth_rate", bi_growth_rate, 2, 2, "dirs seed", "growth_rate(net, data, dirs: 4, seed:)",
     "The finite-time growth rate of perturbations along each input's trajectory: "
     "(1/T) log ||J_{T-1} ... J_0 u||, J_t the Jacobian of layer t at h_t (see `jacobian`), "
     "averaged over `dirs` random unit directions u (Gaussian, normalised; input i draws from the "
     "stream (seed, i, 0)). The product is renormalised at every layer, so no overflow. A tensor "
     "[n]; > 0 means small perturbations grow, < 0 that they shrink. `seed:` defaults to a draw "
     "from the script's generator.\n\n"
     "Example: `print(mean(growth_rate(net, test)))`"},
    {"noise_evolution", bi_noise_evolution, 2, 2, "sigma trials kind seed",
     "noise_evolution(net, data, sigma: 0.1, trials: 1, kind: \"gaussian\", seed:)",
     "How input noise travels through the layers (docs/model.md, \"Noise evolution\"). Each input is "
     "perturbed exactly as `perturb` does: `kind` \"gaussian\" x + sigma N(0, 1), \"uniform\" "
     "x + U(-sigma, sigma), \"saltpepper\" (each entry with probability sigma becomes the smallest "
     "or largest entry of the data). Trial 0 uses `seed` itself, so it is exactly "
     "`perturb(data, sigma:, kind:, seed:)`; later trials use seeds derived from (seed, trial); "
     "input i draws from its own stream. Clean and noisy inputs run through the same net. A table "
     "`layer` (0 .. T), `distance` (the mean of e_t = ||h~_t - h_t||_2), `amplification` (the mean "
     "of e_t / e_0 over inputs with e_0 > 0, so 1 at layer 0; NaN if no input moved), averaged "
     "over inputs and `trials`. `seed:` defaults to a draw from the script's generator.\n\n"
     "Example: `write_csv(noise_evolution(net, test, sigma: 0.2, trials: 5), \"noise.csv\")`"},
    {"robustness", bi_robustness, 2, 2, "sigmas trials kind seed",
     "robustness(net, data, sigmas: [0, 0.05, 0.1, 0.2, 0.4], trials: 1, kind: \"gaussian\", seed:)",
     "Accuracy under input noise: for each sigma, the accuracy on perturbed inputs (noise, kinds and "
     "seeds as in `noise_evolution`: with trials 1 the accuracy at sigma s is exactly "
     "`accuracy(net, perturb(data, sigma: s, kind:, seed:))`), averaged over `trials`. Every sigma "
     "uses the same streams, so the curve is not jagged by resampling; sigma 0 is exactly "
     "`accuracy(net, data)`. A table `sigma`, `accuracy`. With `kind: \"fgsm\"` each sigma is the "
     "eps of `perturb(data, kind: \"fgsm\", eps:, net: net)` (the worst case to first order; "
     "deterministic, so no trials or seed).\n\n"
     "Example: `write_csv(robustness(net, test, sigmas: [0, 0.1, 0.2]), \"noise.csv\")`"},
    {0},
};
