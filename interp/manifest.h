/* manifest.h: helpers of interp/manifest.c beyond the two entry points declared in interp.h
 * (manifest_finish, manifest_verify). */
#ifndef RDN_MANIFEST_H
#define RDN_MANIFEST_H
#include <stddef.h>

/* 0 if buf[0..len) is a manifest `rdn verify` can use; else -1 and *why (static text) says what
 * is wrong. Used by verify and by the fuzz harness tests/fuzz/fuzz_manifest.c. */
int manifest_check_text(const char *buf, size_t len, const char **why);

#endif
