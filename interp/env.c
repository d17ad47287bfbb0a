/* env.c: environments (one per running block), the assignment rule, and releasing closure
 * cycles at exit. Names are interned, so lookup compares pointers. */
#include <stdlib.h>
#include <string.h>
#include "core.h"

Env *env_new(Core *C, Env *parent)
{
    Env *e = mem_alloc(1, sizeof *e, "an environment");
    if (!e) return NULL;
    e->refcount = 1;
    e->parent = parent;
    e->core = C;
    if (parent) env_incref(parent);
    e->all_next = C->all_envs;
    if (C->all_envs) C->all_envs->all_prev = e;
    C->all_envs = e;
    return e;
}

void env_incref(Env *e)
{
    if (e) e->refcount++;
}

void env_decref(Env *e)
{
    while (e && --e->refcount == 0) {
        Env *parent = e->parent;
        Core *C = e->core;
        if (e->all_prev) e->all_prev->all_next = e->all_next;
        else C->all_envs = e->all_next;
        if (e->all_next) e->all_next->all_prev = e->all_prev;
        for (int i = 0; i < e->n; i++) val_decref(e->vals[i]);
        free(e->names);
        free(e->vals);
        free(e);
        e = parent;
    }
}

Value *env_find_local(Env *e, const char *name)
{
    for (int i = 0; i < e->n; i++)
        if (e->names[i] == name) return &e->vals[i];
    return NULL;
}

Value *env_find(Env *e, const char *name)
{
    for (; e; e = e->parent) {
        Value *v = env_find_local(e, name);
        if (v) return v;
    }
    return NULL;
}

void env_define(Env *e, const char *name, Value v)
{
    Value *slot = env_find_local(e, name);
    if (slot) {
        Value old = *slot;
        *slot = v;
        val_decref(old);
        return;
    }
    if (e->n == e->cap) {
        int cap = e->cap ? 2 * e->cap : 4;
        const char **names = mem_realloc(e->names, (size_t)cap, sizeof *names, "a variable");
        if (names) e->names = names;
        Value *vals = names ? mem_realloc(e->vals, (size_t)cap, sizeof *vals, "a variable") : NULL;
        if (!vals) {                     /* the failure is pending: the evaluator raises it */
            val_decref(v);
            return;
        }
        e->vals = vals;
        e->cap = cap;
    }
    e->names[e->n] = name;
    e->vals[e->n] = v;
    e->n++;
}

void env_assign(Env *e, const char *name, Value v)
{
    Value *slot = env_find(e, name);
    if (slot) {
        Value old = *slot;
        *slot = v;
        val_decref(old);
    } else {
        env_define(e, name, v);
    }
}

void env_release_all(Core *C)
{
    /* keep every env alive while their bindings are dropped, then let them go */
    int n = 0;
    for (Env *e = C->all_envs; e; e = e->all_next) n++;
    Env **all = malloc(sizeof *all * (size_t)(n ? n : 1));
    if (!all) return;                    /* out of memory at exit: leave them to the OS */
    n = 0;
    for (Env *e = C->all_envs; e; e = e->all_next) {
        e->refcount++;
        all[n++] = e;
    }
    for (int i = 0; i < n; i++) {
        Env *e = all[i];
        int cnt = e->n;
        Value *vals = e->vals;
        e->n = 0;
        e->vals = NULL;
        e->cap = 0;
        free(e->names);
        e->names = NULL;
        for (int j = 0; j < cnt; j++) val_decref(vals[j]);
        free(vals);
    }
    for (int i = 0; i < n; i++) env_decref(all[i]);
    free(all);
}
