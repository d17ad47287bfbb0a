/* value.h: rdn's values. A Value is a small tagged union; strings, lists, functions and every
 * domain object live on the heap behind a reference-counted Obj.
 *
 * Ownership, the one rule kept everywhere: ARGUMENTS ARE BORROWED, RESULTS ARE OWNED.
 * A function that receives a Value does not release it; a function that returns a Value (or fills
 * a Value *out) hands over one reference that the caller must release with val_decref. To keep a
 * borrowed value, val_incref it. Domain objects wrap a runtime pointer (Tensor*, Dataset*, Net*,
 * Table*, ...) in an ObjBox that owns it and frees it with its destroy function. */
#ifndef RDN_VALUE_H
#define RDN_VALUE_H
#include <stddef.h>
#include <stdint.h>

typedef enum {
    VAL_NIL, VAL_BOOL, VAL_NUM, VAL_STR, VAL_LIST, VAL_RANGE, VAL_FUNC, VAL_BUILTIN, VAL_MODULE,
    VAL_RECORD,
    /* domain types: payload is an ObjBox */
    VAL_TENSOR, VAL_DATASET, VAL_NET, VAL_RECORDING, VAL_TABLE, VAL_ADAPT,
    VAL_SCHEDULE, VAL_STOPPER,     /* fit's lr: schedules and stop: rules (interp/bi_train.c) */
    VAL_NTYPES
} ValType;

typedef struct Obj {
    int32_t refcount;
    ValType type;
} Obj;

struct Builtin;
typedef struct Value {
    ValType type;
    union {
        int b;                     /* VAL_BOOL */
        double num;                /* VAL_NUM */
        Obj *obj;                  /* VAL_STR, VAL_LIST, VAL_RECORD, VAL_RANGE, VAL_FUNC, VAL_MODULE, domain */
        const struct Builtin *bi;  /* VAL_BUILTIN (static, not counted) */
    } as;
} Value;

typedef struct ObjStr { Obj h; size_t len; char *chars; /* NUL-terminated */ } ObjStr;
typedef struct ObjList { Obj h; int64_t len, cap; Value *items; } ObjList;
typedef struct ObjRange { Obj h; int64_t lo, hi; /* lo .. hi-1 */ } ObjRange;
/* A record: named fields in insertion order ({lr: 0.1, depth: 10}). keys[i] is malloc'd. */
typedef struct ObjRecord { Obj h; int64_t len, cap; char **keys; Value *vals; } ObjRecord;
typedef struct ObjBox { Obj h; void *ptr; void (*destroy)(void *); } ObjBox;

#define VNIL ((Value){.type = VAL_NIL})
static inline Value val_num(double x) { Value v = {.type = VAL_NUM}; v.as.num = x; return v; }
static inline Value val_bool(int b) { Value v = {.type = VAL_BOOL}; v.as.b = !!b; return v; }
static inline int val_is_obj(Value v) { return v.type >= VAL_STR && v.type != VAL_BUILTIN; }
/* The runtime pointer inside a domain value (Tensor*, Dataset*, ...). */
static inline void *val_ptr(Value v) { return ((ObjBox *)v.as.obj)->ptr; }

void  val_incref(Value v);
void  val_decref(Value v);

Value val_str(const char *s);                   /* copies */
Value val_str_n(const char *s, size_t n);       /* copies n bytes */
Value val_str_take(char *s);                    /* takes a malloc'd NUL-terminated string */
const char *val_cstr(Value v);                  /* VAL_STR only */
Value val_list(int64_t cap);                    /* empty list */
void  val_list_push(Value list, Value item);    /* takes item's reference */
Value val_range(int64_t lo, int64_t hi);
/* Records. A record is shared like a list: assigning a field changes it for every name bound to
 * it. Lookups are by exact key. */
Value val_record(void);                                     /* empty record */
/* Sets (or adds, at the end) key; takes v's reference. 0 ok, -1 if r is not a record. */
int   val_record_set(Value r, const char *key, Value v);
/* 0 and *out borrowed if key is there, else -1 (*out untouched). */
int   val_record_get(Value r, const char *key, Value *out);
int64_t val_record_len(Value r);
const char *val_record_key(Value r, int64_t i);             /* 0 <= i < len; borrowed */
Value val_record_at(Value r, int64_t i);                    /* borrowed */
/* Wraps a runtime object; the value owns it and calls destroy(ptr) when the last reference goes. */
Value val_box(ValType type, void *ptr, void (*destroy)(void *));

const char *val_type_name(ValType t);           /* "number", "tensor", "net", ... */
int   val_truthy(Value v);
/* Equality of two values of any depth (no recursion): numbers by value, strings by bytes, lists
 * element by element, records field by field (same keys, any order), tables cell by cell, others
 * by identity. */
int   val_equal(Value a, Value b);
/* The same, with kinds checked: 1 equal, 0 not, -1 when two values of different kinds meet
 * (nil excepted), with their kinds in *bad_a, *bad_b (which may be NULL). */
int   val_compare_eq(Value a, Value b, ValType *bad_a, ValType *bad_b);
/* Text for print (strings bare) and for the REPL echo (strings quoted). malloc'd; NULL only when
 * memory ran out (the failure is then pending, see mem.h). */
char *val_to_text(Value v);
char *val_repr(Value v);

#endif
