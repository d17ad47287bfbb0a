/* stub_io.c: placeholder until its area lands; the area's owner deletes this file. */
#include "builtin.h"
#include "interp.h"

int manifest_finish(Interp *I) { return 0; }
int manifest_verify(const char *manifest_path, const char *rdn_exe, int quiet) { return 2; }
