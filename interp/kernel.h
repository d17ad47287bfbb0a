/* kernel.h: the Jupyter kernel's parts (interp/kernel*.c): the wire protocol (kernel.c), where a
 * cell's output goes (kernel_out.c), and the kernelspec, logo and notebook export
 * (kernel_spec.c). Only main.c's dispatch calls kernel_main. */
#ifndef RDN_KERNEL_H
#define RDN_KERNEL_H
#include <jansson.h>
#include <pthread.h>
#include "core.h"

/* `rdn kernel ...` (argv[0] is "kernel"): the kernel, --install or --export; the exit status. */
int kernel_main(int argc, char **argv, int small_stack);

typedef struct Kernel {
    void *ctx, *shell, *control, *iopub, *stdin_sock, *hb;
    char *key; size_t keylen;       /* HMAC-SHA256 key; empty: messages are not signed */
    char session[40];
    pthread_mutex_t iopub_lock;     /* iopub is shared by the shell and control threads */
    json_t *parent;                 /* header of the shell request being handled (outputs cite it) */
    int count;                      /* execution_count of the last cell */
    volatile int stop;              /* shutdown requested */
    Interp *I;
} Kernel;

/* One message as received: the routing identities and the four JSON parts. */
typedef struct Msg {
    char **ids; size_t *idlens; int nids;
    json_t *header, *parent, *metadata, *content;
    const char *type;               /* header.msg_type */
} Msg;

/* Publishes type with content (stolen) on iopub, as a child of parent (a header, or NULL). */
void kernel_publish(Kernel *K, const json_t *parent, const char *type, json_t *content);

/* kernel_out.c: print and progress go to stream messages, plots to display_data. */
void  kout_init(Kernel *K);
void  kout_flush(Kernel *K);
/* The execute_result's data bundle for a value: text/plain, and text/html for a table. */
json_t *kout_value_data(Value v);
/* Text as valid UTF-8 (invalid bytes become U+FFFD) for a JSON string; malloc'd. */
char *kout_utf8(const char *s, size_t n);

/* kernel_spec.c */
int kernel_install(int argc, char **argv);
int kernel_export(const char *ipynb, FILE *out);

#endif
