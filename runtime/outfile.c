/* outfile.c: the write sandbox (every path stays below the output folder), atomic writes
 * (temporary file ".NAME.tmp.XXXXXX" in the same folder, fsync, rename, fsync of the folder) and
 * the record of files read and written with their SHA-256 (nettle), for the manifest. */
#include "outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- SHA-256 ---- */

static void hex_digest(const uint8_t *d, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

void rdn_sha256_buf(const void *buf, size_t len, char hex[65])
{
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, len, buf);
    sha256_digest(&c, sizeof d, d);
    hex_digest(d, hex);
}

int rdn_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p++;
        if (c < 0x80) continue;
        int k = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
        if (k < 0 || end - p < k) return 0;
        unsigned lo = 0x80, hi = 0xBF;   /* the second byte's range */
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;        /* no surrogates */
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;        /* nothing past U+10FFFF */
        if (p[0] < lo || p[0] > hi) return 0;
        for (int i = 1; i < k; i++)
            if (p[i] < 0x80 || p[i] > 0xBF) return 0;
        p += k;
    }
    return 1;
}

int rdn_sha256_file(const char *path, char hex[65], RdnErr *err)
{
    int fd = rdn_open_regular(path, err);
    if (fd < 0) return RDN_ERROR;
    struct sha256_ctx c;
    sha256_init(&c);
    static __thread uint8_t buf[1 << 16];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            return rdn_err(err, "cannot read '%s': %s", path, strerror(e));
        }
        if (n == 0) break;
        sha256_update(&c, (size_t)n, buf);
    }
    close(fd);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof d, d);
    hex_digest(d, hex);
    return RDN_OK;
}

/* ---- the output folder ---- */

int rdn_out_init(RdnOut *o, const char *dir, RdnErr *err)
{
    memset(o, 0, sizeof *o);
    if (!dir || !*dir) dir = ".";
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) return rdn_err(err, "output folder '%s': %s", dir, strerror(errno));
        /* create it and its missing parents (like mkdir -p) */
        char *p = strdup(dir);
        if (!p) return rdn_err(err, "out of memory");
        for (char *s = p + 1; ; s++) {
            if (*s == '/' || *s == '\0') {
                char c = *s;
                *s = '\0';
                if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                    int e = errno;
                    rdn_err(err, "cannot create output folder '%s': %s", p, strerror(e));
                    free(p);
                    return RDN_ERROR;
                }
                *s = c;
                if (!c) break;
            }
        }
        free(p);
        if (stat(dir, &st) != 0)
            return rdn_err(err, "output folder '%s': %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) return rdn_err(err, "output folder '%s' is not a folder", dir);
    o->dir = realpath(dir, NULL);
    if (!o->dir) return rdn_err(err, "output folder '%s': %s", dir, strerror(errno));
    return RDN_OK;
}

static void files_free(RdnOutFile *f, int n)
{
    for (int i = 0; i < n; i++) {
        free(f[i].rel);
        free(f[i].sha256);
    }
    free(f);
}

void rdn_out_free(RdnOut *o)
{
    if (!o) return;
    free(o->dir);
    files_free(o->written, o->nwritten);
    files_free(o->read, o->nread);
    for (int i = 0; i < o->nkeep; i++) free(o->keep[i].path);
    free(o->keep);
    memset(o, 0, sizeof *o);
}

/* Is the absolute, resolved path p the folder dir or below it? */
static int inside(const char *dir, const char *p)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/') return p[0] == '/';
    return strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);
    if (!s) return NULL;
    memcpy(s, a, na);
    size_t k = na;
    if (!(na && a[na - 1] == '/')) s[k++] = '/';
    memcpy(s + k, b, nb + 1);
    return s;
}

/* Splits user_path into normalised components ("." and empty ones dropped, ".." applied).
 * Returns the count, or -1 if a ".." leaves the folder. comps point into buf. */
static int split_path(char *buf, char ***comps_out)
{
    size_t cap = 8;
    int n = 0;
    char **comps = malloc(cap * sizeof *comps);
    if (!comps) return -2;
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0) continue;
        if (strcmp(t, "..") == 0) {
            if (n == 0) { free(comps); return -1; }
            n--;
            continue;
        }
        if ((size_t)n == cap) {
            cap *= 2;
            char **c2 = realloc(comps, cap * sizeof *comps);
            if (!c2) { free(comps); return -2; }
            comps = c2;
        }
        comps[n++] = t;
    }
    *comps_out = comps;
    return n;
}

int rdn_out_resolve(RdnOut *o, const char *user_path, int mkdirs, char **abs, RdnErr *err)
{
    *abs = NULL;
    if (!o->dir) return rdn_err(err, "no output folder set");
    if (!user_path || !*user_path) return rdn_err(err, "empty file name");
    if (user_path[0] == '/')
        return rdn_err(err, "refusing to write '%s': absolute paths are not allowed; paths are "
                       "relative to the output folder %s", user_path, o->dir);
    if (strlen(user_path) >= PATH_MAX) return rdn_err(err, "file name too long");
    /* the manifest records every name written (JSON text): a name must be UTF-8 */
    if (!rdn_utf8_valid(user_path, strlen(user_path)))
        return rdn_err(err, "refusing to write '%s': the file name is not valid UTF-8", user_path);
    char *buf = strdup(user_path);
    char **comps = NULL;
    if (!buf) return rdn_err(err, "out of memory");
    int n = split_path(buf, &comps);
    if (n == -2) { free(buf); return rdn_err(err, "out of memory"); }
    if (n == -1) {
        free(buf);
        return rdn_err(err, "refusing to write '%s': '..' leaves the output folder %s", user_path,
                       o->dir);
    }
    if (n == 0) {
        free(buf); free(comps);
        return rdn_err(err, "'%s' names the output folder itself, not a file", user_path);
    }

    /* Walk the existing components first, checking every symbolic link, so that a refusal
     * happens before anything is created. `cur` is always a resolved path inside o->dir. */
    int rc = RDN_ERROR;
    char *cur = strdup(o->dir), *next = NULL;
    int i = 0, missing_from = n;
    if (!cur) goto oom;
    for (i = 0; i < n; i++) {
        next = join(cur, comps[i]);
        if (!next) goto oom;
        struct stat st;
        if (lstat(next, &st) != 0) {
            if (errno != ENOENT) {
                rdn_err(err, "cannot write '%s': %s: %s", user_path, next, strerror(errno));
                goto out;
            }
            missing_from = i;
            free(next); next = NULL;
            break;
        }
        if (S_ISLNK(st.st_mode)) {
            char *r = realpath(next, NULL);
            if (!r) {
                rdn_err(err, "refusing to write '%s': the symbolic link '%s' leads nowhere (%s)",
                        user_path, comps[i], strerror(errno));
                goto out;
            }
            if (!inside(o->dir, r)) {
                rdn_err(err, "refusing to write '%s': the symbolic link '%s' leads to %s, outside "
                        "the output folder %s", user_path, comps[i], r, o->dir);
                free(r);
                goto out;
            }
            free(next);
            next = r;
            if (stat(next, &st) != 0) {
                rdn_err(err, "cannot write '%s': %s", user_path, strerror(errno));
                goto out;
            }
        }
        if (i < n - 1 && !S_ISDIR(st.st_mode)) {
            rdn_err(err, "cannot write '%s': '%s' is not a folder", user_path, comps[i]);
            goto out;
        }
        if (i == n - 1 && S_ISDIR(st.st_mode)) {
            rdn_err(err, "cannot write '%s': it is a folder", user_path);
            goto out;
        }
        free(cur);
        cur = next;
        next = NULL;
    }
    if (missing_from < n) {
        /* cur is the deepest existing folder; comps[missing_from..n) do not exist. */
        if (missing_from < n - 1 && !mkdirs) {
            rdn_err(err, "cannot write '%s': folder '%s' does not exist", user_path,
                    comps[missing_from]);
            goto out;
        }
        for (i = missing_from; i < n; i++) {
            next = join(cur, comps[i]);
            if (!next) goto oom;
            if (i < n - 1 && mkdir(next, 0755) != 0 && errno != EEXIST) {
                rdn_err(err, "cannot create folder '%s': %s", next, strerror(errno));
                goto out;
            }
            free(cur);
            cur = next;
            next = NULL;
        }
    }
    *abs = cur;
    cur = NULL;
    rc = RDN_OK;
    goto out;
oom:
    rdn_err(err, "out of memory");
out:
    free(cur);
    free(next);
    free(comps);
    free(buf);
    return rc;
}

/* The normalised relative name of abs below o->dir (for the record). */
static char *rel_of(const RdnOut *o, const char *abs)
{
    size_t n = strlen(o->dir);
    if (n == 1) return strdup(abs + 1);
    return strdup(abs + n + (abs[n] == '/'));
}

/* ---- atomic writes ---- */

static unsigned long tmp_counter;

/* The temporary files being written, for rdn_out_unlink_temporaries (a signal handler): a slot's
 * path is complete before its flag is set. Process-wide, like rdn_interrupt: signals need it. */
enum { MAX_LIVE_TMP = 64, LIVE_TMP_PATH = 4096 };
static char live_tmp[MAX_LIVE_TMP][LIVE_TMP_PATH];
static volatile sig_atomic_t live_used[MAX_LIVE_TMP];

static void live_add(const char *tmp)
{
    if (strlen(tmp) >= LIVE_TMP_PATH) return;
    for (int i = 0; i < MAX_LIVE_TMP; i++)
        if (!live_used[i]) {
            strcpy(live_tmp[i], tmp);
            live_used[i] = 1;
            return;
        }
}

static void live_remove(const char *tmp)
{
    for (int i = 0; i < MAX_LIVE_TMP; i++)
        if (live_used[i] && strcmp(live_tmp[i], tmp) == 0) {
            live_used[i] = 0;
            return;
        }
}

void rdn_out_unlink_temporaries(void)
{
    for (int i = 0; i < MAX_LIVE_TMP; i++)
        if (live_used[i]) unlink(live_tmp[i]);
}

int rdn_out_protect(RdnOut *o, const char *path, RdnErr *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return RDN_OK;             /* nothing there to protect */
    for (int i = 0; i < o->nkeep; i++)
        if (o->keep[i].dev == (unsigned long long)st.st_dev && o->keep[i].ino == (unsigned long long)st.st_ino)
            return RDN_OK;
    struct RdnKeep *k = realloc(o->keep, sizeof *k * (size_t)(o->nkeep + 1));
    if (!k) return rdn_err(err, "out of memory");
    o->keep = k;
    k[o->nkeep].path = strdup(path);
    if (!k[o->nkeep].path) return rdn_err(err, "out of memory");
    k[o->nkeep].dev = (unsigned long long)st.st_dev;
    k[o->nkeep].ino = (unsigned long long)st.st_ino;
    o->nkeep++;
    return RDN_OK;
}

/* The protected file abs would replace, or NULL. */
static const char *protected_by(const RdnOut *o, const char *abs)
{
    struct stat st;
    if (!o->nkeep || stat(abs, &st) != 0) return NULL;
    for (int i = 0; i < o->nkeep; i++)
        if (o->keep[i].dev == (unsigned long long)st.st_dev && o->keep[i].ino == (unsigned long long)st.st_ino)
            return o->keep[i].path;
    return NULL;
}

int rdn_out_open(RdnOut *o, const char *user_path, RdnWriter *w, RdnErr *err)
{
    memset(w, 0, sizeof *w);
    char *abs = NULL;
    if (rdn_out_resolve(o, user_path, 1, &abs, err) != RDN_OK) return RDN_ERROR;
    const char *keep = protected_by(o, abs);
    if (keep) {
        rdn_err(err, "refusing to write '%s': it would replace %s, which this run reads as its code",
                user_path, keep);
        free(abs);
        return RDN_ERROR;
    }
    const char *slash = strrchr(abs, '/');
    size_t dlen = (size_t)(slash - abs);
    const char *base = slash + 1;
    size_t blen = strlen(base);
    if (blen > 200) blen = 200;   /* keep ".NAME.tmp.XXXXXX" within NAME_MAX */
    size_t cap = dlen + blen + 32;
    char *tmp = malloc(cap);
    if (!tmp) { free(abs); return rdn_err(err, "out of memory"); }
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        uint64_t x = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)w ^
                     (uint64_t)(++tmp_counter * 0x9E3779B97F4A7C15ull);
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 32;
        snprintf(tmp, cap, "%.*s/.%.*s.tmp.%06llx", (int)dlen, abs, (int)blen, base,
                 (unsigned long long)(x & 0xffffff));
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) {
            int e = errno;
            rdn_err(err, "cannot write '%s': %s", user_path, strerror(e));
            free(tmp); free(abs);
            return RDN_ERROR;
        }
    }
    if (fd < 0) {
        free(tmp); free(abs);
        return rdn_err(err, "cannot write '%s': no free temporary name", user_path);
    }
    w->f = fdopen(fd, "wb");
    if (!w->f) {
        int e = errno;
        close(fd); unlink(tmp); free(tmp); free(abs);
        return rdn_err(err, "cannot write '%s': %s", user_path, strerror(e));
    }
    w->tmp = tmp;
    live_add(tmp);
    w->final_path = abs;
    w->rel = rel_of(o, abs);
    if (!w->rel) {
        rdn_out_abort(w);
        return rdn_err(err, "out of memory");
    }
    return RDN_OK;
}

static void writer_clear(RdnWriter *w)
{
    free(w->tmp);
    free(w->final_path);
    free(w->rel);
    memset(w, 0, sizeof *w);
}

void rdn_out_abort(RdnWriter *w)
{
    if (!w) return;
    if (w->f) fclose(w->f);
    if (w->tmp) {
        unlink(w->tmp);
        live_remove(w->tmp);
    }
    writer_clear(w);
}

/* Adds or replaces (same name) an entry of a record list. */
static int record(RdnOutFile **list, int *n, int *cap, const char *name, const char *hex,
                  RdnErr *err)
{
    for (int i = 0; i < *n; i++) {
        if (strcmp((*list)[i].rel, name) == 0) {
            char *h = strdup(hex);
            if (!h) return rdn_err(err, "out of memory");
            free((*list)[i].sha256);
            (*list)[i].sha256 = h;
            return RDN_OK;
        }
    }
    if (*n == *cap) {
        int nc = *cap ? 2 * *cap : 8;
        RdnOutFile *l = realloc(*list, (size_t)nc * sizeof *l);
        if (!l) return rdn_err(err, "out of memory");
        *list = l;
        *cap = nc;
    }
    char *r = strdup(name), *h = strdup(hex);
    if (!r || !h) { free(r); free(h); return rdn_err(err, "out of memory"); }
    (*list)[*n].rel = r;
    (*list)[*n].sha256 = h;
    (*n)++;
    return RDN_OK;
}

static int commit(RdnOut *o, RdnWriter *w, const char *known_sha, RdnErr *err);

int rdn_out_commit(RdnOut *o, RdnWriter *w, RdnErr *err) { return commit(o, w, NULL, err); }

int rdn_out_commit_sha(RdnOut *o, RdnWriter *w, const char *sha_hex, RdnErr *err)
{
    return commit(o, w, sha_hex, err);
}

static int commit(RdnOut *o, RdnWriter *w, const char *known_sha, RdnErr *err)
{
    if (!w->f) return rdn_err(err, "internal: commit of a writer that is not open");
    int bad = fflush(w->f) != 0 || ferror(w->f);
    int e = errno;
    if (!bad && fsync(fileno(w->f)) != 0) { bad = 1; e = errno; }
    if (fclose(w->f) != 0 && !bad) { bad = 1; e = errno; }
    w->f = NULL;
    if (bad) {
        rdn_err(err, "cannot write '%s': %s", w->rel, strerror(e));
        rdn_out_abort(w);
        return RDN_ERROR;
    }
    if (rename(w->tmp, w->final_path) != 0) {
        rdn_err(err, "cannot write '%s': rename: %s", w->rel, strerror(errno));
        rdn_out_abort(w);
        return RDN_ERROR;
    }
    live_remove(w->tmp);
    /* make the rename itself durable */
    char *slash = strrchr(w->final_path, '/');
    *slash = '\0';
    int dfd = open(slash == w->final_path ? "/" : w->final_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *slash = '/';
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    char hex[65];
    int rc = RDN_OK;
    if (known_sha) snprintf(hex, sizeof hex, "%s", known_sha);
    else rc = rdn_sha256_file(w->final_path, hex, err);
    if (rc == RDN_OK) rc = record(&o->written, &o->nwritten, &o->capw, w->rel, hex, err);
    free(w->tmp);
    w->tmp = NULL;   /* renamed: nothing to remove */
    writer_clear(w);
    return rc;
}

int rdn_out_note_read(RdnOut *o, const char *path, RdnErr *err)
{
    char hex[65];
    if (rdn_sha256_file(path, hex, err) != RDN_OK) return RDN_ERROR;
    return record(&o->read, &o->nread, &o->capr, path, hex, err);
}
