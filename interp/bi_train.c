/* bi_train.c: what steers training besides fit's own keywords: learning-rate schedules
 * (step_lr, cosine_lr; the schedule type OPS_SCHEDULE), early stopping (early_stop; OPS_STOPPER),
 * reset_optimizer, and input gradients (input_grad). The values box runtime structs of net.h
 * (LrSched, StopOpts); runtime/train.c does the work. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "interp.h"
#include "net.h"
#include "tensor.h"

/* ---- schedules ---- */

static Value box_sched(const LrSched *s)
{
    LrSched *p = malloc(sizeof *p);
    if (!p) abort();
    *p = *s;
    return val_box(VAL_SCHEDULE, p, free);
}

static int get_rate(Interp *I, Args *a, double *lr)
{
    if (arg_num(I, a, 0, "lr", NAN, lr)) return -1;
    if (isnan(*lr)) return arg_error(I, a, 0, "lr", "%s: missing the base rate lr", a->bi->name);
    if (!(*lr > 0) || !isfinite(*lr))
        return arg_error(I, a, 0, "lr", "%s: lr must be a positive number, got %g", a->bi->name, *lr);
    return 0;
}

static int bi_step_lr(Interp *I, Args *a, Value *out)
{
    LrSched s = {.kind = LR_STEP};
    long every;
    if (get_rate(I, a, &s.lr)) return -1;
    if (arg_int(I, a, -1, "every", 10, 1, 100000000, &every)) return -1;
    if (arg_num(I, a, -1, "gamma", 0.1, &s.gamma)) return -1;
    if (!(s.gamma > 0) || !isfinite(s.gamma))
        return arg_error(I, a, -1, "gamma", "step_lr: gamma must be a positive number, got %g", s.gamma);
    s.every = (int)every;
    *out = box_sched(&s);
    return 0;
}

static int bi_cosine_lr(Interp *I, Args *a, Value *out)
{
    LrSched s = {.kind = LR_COSINE};
    long epochs, warmup;
    if (get_rate(I, a, &s.lr)) return -1;
    Value v;
    if (!arg_get(a, -1, "epochs", &v))
        return arg_error(I, a, -1, NULL, "cosine_lr: give epochs: (the epoch the rate reaches min)");
    if (arg_int(I, a, -1, "epochs", 0, 1, 100000000, &epochs)) return -1;
    if (arg_int(I, a, -1, "warmup", 0, 0, 100000000, &warmup)) return -1;
    if (warmup >= epochs)
        return arg_error(I, a, -1, "warmup", "cosine_lr: warmup (%ld) must be less than epochs (%ld)", warmup, epochs);
    if (arg_num(I, a, -1, "min", 0, &s.min)) return -1;
    if (!(s.min >= 0) || !isfinite(s.min) || s.min > s.lr)
        return arg_error(I, a, -1, "min", "cosine_lr: min must be a number from 0 to lr (%g), got %g", s.lr, s.min);
    s.epochs = (int)epochs;
    s.warmup = (int)warmup;
    *out = box_sched(&s);
    return 0;
}

static char *sched_repr(Value v)
{
    const LrSched *s = val_ptr(v);
    char *r = NULL;
    int n;
    if (s->kind == LR_STEP)
        n = asprintf(&r, "step_lr(%g, every: %d, gamma: %g)", s->lr, s->every, s->gamma);
    else if (s->kind == LR_COSINE)
        n = asprintf(&r, "cosine_lr(%g, epochs: %d, warmup: %d, min: %g)", s->lr, s->epochs, s->warmup, s->min);
    else
        n = asprintf(&r, "schedule(%g)", s->lr);
    return n < 0 ? NULL : r;
}

const TypeOps OPS_SCHEDULE = {VAL_SCHEDULE, "schedule", "", sched_repr, NULL, NULL};

/* ---- early stopping ---- */

static int bi_early_stop(Interp *I, Args *a, Value *out)
{
    StopOpts s = {0};
    int on;
    long patience;
    if (arg_choice(I, a, -1, "on", "val_loss|val_acc", 0, &on)) return -1;
    s.on = on == 0 ? STOP_VAL_LOSS : STOP_VAL_ACC;
    if (arg_int(I, a, -1, "patience", 5, -1000000000, 1000000000, &patience)) return -1;
    if (patience < 1)
        return arg_error(I, a, -1, "patience", "early_stop: patience must be at least 1 epoch, got %ld", patience);
    s.patience = (int)patience;
    if (arg_num(I, a, -1, "min_delta", 0, &s.min_delta)) return -1;
    if (!(s.min_delta >= 0) || !isfinite(s.min_delta))
        return arg_error(I, a, -1, "min_delta", "early_stop: min_delta must be a number >= 0, got %g", s.min_delta);
    if (arg_bool(I, a, -1, "restore_best", 1, &s.restore_best)) return -1;
    StopOpts *p = malloc(sizeof *p);
    if (!p) abort();
    *p = s;
    *out = val_box(VAL_STOPPER, p, free);
    return 0;
}

static char *stop_repr(Value v)
{
    const StopOpts *s = val_ptr(v);
    char *r = NULL;
    int n = asprintf(&r, "early_stop(on: \"%s\", patience: %d, min_delta: %g, restore_best: %s)",
                     s->on == STOP_VAL_LOSS ? "val_loss" : "val_acc", s->patience, s->min_delta,
                     s->restore_best ? "true" : "false");
    return n < 0 ? NULL : r;
}

const TypeOps OPS_STOPPER = {VAL_STOPPER, "early_stop", "", stop_repr, NULL, NULL};

/* ---- the optimizer state ---- */

static int bi_reset_optimizer(Interp *I, Args *a, Value *out)
{
    Net *net;
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)&net)) return -1;
    rdn_opt_reset(&net->opt);
    *out = VNIL;
    return 0;
}

/* ---- input gradients ---- */

static int bi_input_grad(Interp *I, Args *a, Value *out)
{
    Net *net;
    Dataset *d;
    int loss;
    if (arg_obj(I, a, 0, "net", VAL_NET, (void **)&net)) return -1;
    if (arg_obj(I, a, 1, "data", VAL_DATASET, (void **)&d)) return -1;
    if (arg_choice(I, a, -1, "loss", "xent|mse", 0, &loss)) return -1;
    RdnErr err = {0};
    int64_t shape[2] = {d->n, d->dim};
    Tensor *t = rdn_tensor_new(2, shape, &err);
    if (!t || rdn_net_input_grad(net, d, (LossKind)loss, t->data, &err)) {
        rdn_tensor_free(t);
        return rt_error_call(I, a, &err);
    }
    *out = val_tensor(t);
    return 0;
}

const Builtin BI_TRAIN[] = {
    {"step_lr", bi_step_lr, 0, 1, "lr every gamma", "step_lr(lr, every: 10, gamma: 0.1)",
     "A step learning-rate schedule for fit's `lr:`: the rate of epoch e (1-based, counted by the "
     "net's optimizer state) is lr * gamma^floor((e - 1) / every).\n\n"
     "Example: `fit(net, train, epochs: 30, lr: step_lr(0.1, every: 10, gamma: 0.5))`"},
    {"cosine_lr", bi_cosine_lr, 0, 1, "lr epochs warmup min", "cosine_lr(lr, epochs:, warmup: 0, min: 0)",
     "A cosine learning-rate schedule for fit's `lr:` with optional linear warm-up. For epoch e "
     "(1-based): e <= warmup gives lr * e / warmup; warmup < e <= epochs gives min + (lr - min) * "
     "(1 + cos(pi * (e - warmup - 1) / (epochs - warmup))) / 2; later epochs get min.\n\n"
     "Example: `fit(net, train, epochs: 20, lr: cosine_lr(0.1, epochs: 20, warmup: 2))`"},
    {"early_stop", bi_early_stop, 0, 0, "on patience min_delta restore_best",
     "early_stop(on: \"val_loss\", patience: 5, min_delta: 0, restore_best: true)",
     "An early-stopping rule for fit's `stop:` (fit then needs `val:`). After every epoch the "
     "monitored value (`on:` \"val_loss\", lower is better, or \"val_acc\", higher is better) "
     "counts as an improvement when it beats the best so far by more than `min_delta`; training "
     "ends after `patience` epochs without one. With `restore_best` the net gets back the "
     "parameters of the best epoch when fit ends (the optimizer state and net.epoch stay those of "
     "the last epoch trained; the history keeps every epoch).\n\n"
     "Example: `fit(net, train, epochs: 100, val: test, stop: early_stop(patience: 3))`"},
    {"reset_optimizer", bi_reset_optimizer, 1, 1, "", "reset_optimizer(net)",
     "Drops the net's optimizer state (momentum velocity, Adam's moments and step count, the "
     "state's epoch counter that seeds each epoch's shuffle and the schedule), so the next fit "
     "starts afresh. net.epoch (all epochs ever trained) is kept.\n\n"
     "Example: `reset_optimizer(net)`"},
    {"input_grad", bi_input_grad, 2, 2, "loss", "input_grad(net, data, loss: \"xent\")",
     "For each input x_i of the dataset, the gradient of its own loss L(x_i, y_i) (not the batch "
     "mean) with respect to x_i, as a tensor [n, in], exact by backpropagation through every "
     "layer (and the embedding). `loss:` as in fit.\n\n"
     "Example: `g = input_grad(net, test)`"},
    {0},
};
