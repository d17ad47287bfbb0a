/* outfile.h: the write sandbox, atomic writes and the provenance of a run.
 * Every file rdn writes goes through rdn_out_open/rdn_out_commit: the path must stay below the
 * output folder (no absolute paths, no '..' leaving it, no symbolic link leading out), the bytes go
 * to a temporary file in the same folder that is renamed into place when complete, and the name
 * and SHA-256 of the written file are recorded for the manifest. Data files read are recorded with
 * rdn_out_note_read. */
#ifndef RDN_OUTFILE_H
#define RDN_OUTFILE_H
#include <stdio.h>
#include "rdn_err.h"

typedef struct RdnOutFile {
    char *rel;        /* path relative to the output folder, normalised */
    char *sha256;     /* hex */
} RdnOutFile;

typedef struct RdnOut {
    char *dir;                    /* absolute, resolved output folder */
    RdnOutFile *written; int nwritten, capw;
    RdnOutFile *read;    int nread, capr;   /* rel = path as given, sha256 of its bytes */
    struct RdnKeep { unsigned long long dev, ino; char *path; } *keep; int nkeep;  /* never written */
} RdnOut;

int  rdn_out_init(RdnOut *o, const char *dir, RdnErr *err);   /* creates dir if missing */
void rdn_out_free(RdnOut *o);

/* Checks user_path against the sandbox and returns the absolute target (malloc'd) in *abs.
 * Refuses (before anything is written) absolute paths, '..' escapes and symlinks leading outside.
 * Creates missing parent folders below the output folder when mkdirs is set. */
int rdn_out_resolve(RdnOut *o, const char *user_path, int mkdirs, char **abs, RdnErr *err);

typedef struct RdnWriter {
    FILE *f;          /* write here */
    char *tmp, *final_path, *rel;
} RdnWriter;

int  rdn_out_open(RdnOut *o, const char *user_path, RdnWriter *w, RdnErr *err);
/* fflush + fsync + rename into place + record name and SHA-256. Closes w->f. */
int  rdn_out_commit(RdnOut *o, RdnWriter *w, RdnErr *err);
/* The same, with the SHA-256 (64 hex chars) of every byte written computed by the caller while
 * writing (a large stream need not be read back to be hashed). */
int  rdn_out_commit_sha(RdnOut *o, RdnWriter *w, const char *sha_hex, RdnErr *err);
/* Removes the temporary file; the previous file under the final name is untouched. */
void rdn_out_abort(RdnWriter *w);
/* Marks a file that no write may replace (the running script, its imports): rdn_out_open then
 * refuses it by identity (device and inode), whatever name reaches it. */
int  rdn_out_protect(RdnOut *o, const char *path, RdnErr *err);
/* From a signal handler (async-signal-safe): removes every temporary file still being written,
 * before a forced exit. */
void rdn_out_unlink_temporaries(void);
/* Records a data file read (path as opened) with the SHA-256 of its bytes. */
int  rdn_out_note_read(RdnOut *o, const char *path, RdnErr *err);

/* SHA-256 of a file / of a buffer as 64 hex chars + NUL. */
int  rdn_sha256_file(const char *path, char hex[65], RdnErr *err);
void rdn_sha256_buf(const void *buf, size_t len, char hex[65]);

/* 1 if s[0..n) is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
int rdn_utf8_valid(const char *s, size_t n);

#endif
