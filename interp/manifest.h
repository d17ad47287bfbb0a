/* manifest.h: helpers of interp/manifest.c beyond the two entry points declared in interp.h
 * (manifest_finish, manifest_verify). */
#ifndef RDN_MANIFEST_H
#define RDN_MANIFEST_H
#include <jansson.h>
#include <stddef.h>
#include "interp.h"

/* 0 if buf[0..len) is a manifest `rdn verify` can use; else -1 and *why (static text) says what
 * is wrong. Used by verify and by the fuzz harness tests/fuzz/fuzz_manifest.c. */
int manifest_check_text(const char *buf, size_t len, const char **why);

/* The run's provenance so far (the manifest's fields, files written included); new reference.
 * Model files carry it inside, so a saved net says which script, seed and params made it. */
json_t *manifest_record(Interp *I);

/* The longest one rerun of `rdn verify` may take, in seconds (0: no limit; default 86400). */
void manifest_set_timeout(double seconds);

#endif
