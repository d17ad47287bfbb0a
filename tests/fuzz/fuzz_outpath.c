/* fuzz_outpath.c: libFuzzer harness for the write sandbox (runtime/outfile.c). Each input is a
 * path handed to rdn_out_resolve (without creating folders) inside an output folder holding a
 * sub-folder, a file, a symbolic link inside and one leading outside. Invariant: a path is
 * either refused with a message, or resolves to a file strictly below the output folder whose
 * deepest existing ancestor, resolved, is still below it. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outfile.h"

static char root[] = "/tmp/rdn_fuzz_outpath.XXXXXX";
static RdnOut out;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (!mkdtemp(root)) abort();
    char p[PATH_MAX], q[PATH_MAX];
    snprintf(p, sizeof p, "%s/out/sub", root);
    RdnErr err = {0};
    if (rdn_out_init(&out, p, &err)) abort();
    rdn_out_free(&out);
    snprintf(p, sizeof p, "%s/outside", root);
    mkdir(p, 0755);
    snprintf(q, sizeof q, "%s/out/link", root);
    if (symlink(p, q)) abort();
    snprintf(q, sizeof q, "%s/out/inlink", root);
    if (symlink("sub", q)) abort();
    snprintf(q, sizeof q, "%s/out/file", root);
    FILE *f = fopen(q, "w");
    if (!f) abort();
    fclose(f);
    snprintf(p, sizeof p, "%s/out", root);
    if (rdn_out_init(&out, p, &err)) abort();
    return 0;
}

static int inside(const char *dir, const char *p)
{
    size_t n = strlen(dir);
    return strncmp(p, dir, n) == 0 && p[n] == '/';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *path = malloc(size + 1);
    if (!path) return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    char *abs = NULL;
    RdnErr err = {0};
    int rc = rdn_out_resolve(&out, path, 0, &abs, &err);
    if (rc == RDN_OK) {
        if (!abs || !inside(out.dir, abs)) abort();
        /* the deepest existing ancestor, resolved, stays inside */
        char *d = strdup(abs);
        for (;;) {
            char *s = strrchr(d, '/');
            if (!s) abort();
            *s = '\0';
            char *r = realpath(*d ? d : "/", NULL);
            if (r) {
                if (strcmp(r, out.dir) != 0 && !inside(out.dir, r)) abort();
                free(r);
                break;
            }
        }
        free(d);
    } else {
        if (abs || !err.msg[0]) abort();
    }
    free(abs);
    free(path);
    return 0;
}
