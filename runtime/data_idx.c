/* data_idx.c: MNIST's IDX format, gzip-compressed or not, and the MNIST / Fashion-MNIST folders.
 *
 * A file is read in chunks through one small reader that inflates when the file starts with the
 * gzip magic 1f 8b; bytes go straight into the float result (no whole-file byte copy), so the
 * peak memory is the result plus a few hundred KiB. The header is never trusted for an
 * allocation: a plain file must be exactly header + data long; a gzip file's declared size must
 * fit what deflate can expand its compressed size to, and unless the gzip trailer confirms it the
 * result grows as data actually arrive. */
#include "data.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

#define IN_CHUNK (128u << 10)
#define OUT_CHUNK (256u << 10)
#define DEFLATE_MAX_RATIO 1032  /* deflate cannot expand more than this (zlib's tech notes) */

const char *const rdn_fashion_classes[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

/* ---- a file read in chunks, inflated when it is gzip ---- */
typedef struct Src {
    FILE *f;
    const char *path;
    int gz, zinit, zend;       /* gzip?, inflate initialised?, last member finished? */
    int64_t fsize;
    uint32_t isize;            /* gzip trailer: uncompressed size mod 2^32 */
    z_stream z;
    unsigned char *in;
} Src;

static int src_open(Src *s, const char *path, RdnErr *err)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->f = rdn_fopen_regular(path, err);
    if (!s->f) return RDN_ERROR;
    struct stat st;
    if (fstat(fileno(s->f), &st) || !S_ISREG(st.st_mode)) {
        fclose(s->f);
        s->f = NULL;
        return rdn_err(err, "%s is not a regular file", path);
    }
    s->fsize = st.st_size;
    unsigned char m[2] = {0, 0};
    size_t got = fread(m, 1, 2, s->f);
    s->gz = got == 2 && m[0] == 0x1f && m[1] == 0x8b;
    if (s->gz && s->fsize >= 18) {
        unsigned char t[4];
        if (fseeko(s->f, -4, SEEK_END) == 0 && fread(t, 1, 4, s->f) == 4)
            s->isize = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                       (uint32_t)t[3] << 24;
    }
    rewind(s->f);
    if (s->gz) {
        s->in = malloc(IN_CHUNK);
        if (!s->in || inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
            fclose(s->f);
            free(s->in);
            return rdn_err(err, "%s: cannot start gzip decompression (out of memory)", path);
        }
        s->zinit = 1;
    }
    return 0;
}

static void src_close(Src *s)
{
    if (s->zinit) inflateEnd(&s->z);
    if (s->f) fclose(s->f);
    free(s->in);
    memset(s, 0, sizeof *s);
}

/* Reads up to n bytes; returns how many (fewer only at the end of the data), -1 on error. */
static int64_t src_read(Src *s, unsigned char *buf, size_t n, RdnErr *err)
{
    if (!s->gz) {
        size_t got = fread(buf, 1, n, s->f);
        if (got < n && ferror(s->f)) return rdn_err(err, "%s: read error: %s", s->path, strerror(errno));
        return (int64_t)got;
    }
    s->z.next_out = buf;
    s->z.avail_out = (uInt)n;
    while (s->z.avail_out > 0) {
        if (s->z.avail_in == 0) {
            size_t got = fread(s->in, 1, IN_CHUNK, s->f);
            if (got == 0) {
                if (ferror(s->f)) return rdn_err(err, "%s: read error: %s", s->path, strerror(errno));
                if (!s->zend)
                    return rdn_err(err, "%s: the gzip data end early (truncated file)", s->path);
                break;
            }
            s->z.next_in = s->in;
            s->z.avail_in = (uInt)got;
        }
        if (s->zend) { /* another gzip member follows the finished one */
            if (inflateReset(&s->z) != Z_OK) return rdn_err(err, "%s: gzip error", s->path);
            s->zend = 0;
        }
        int rc = inflate(&s->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) s->zend = 1;
        else if (rc == Z_BUF_ERROR && s->z.avail_in == 0) continue;
        else if (rc != Z_OK)
            return rdn_err(err, "%s: corrupted gzip data (%s)", s->path,
                           s->z.msg ? s->z.msg : "inflate failed");
    }
    return (int64_t)(n - s->z.avail_out);
}

/* Reads exactly n bytes or fails naming what was being read. */
static int src_exact(Src *s, unsigned char *buf, size_t n, const char *what, RdnErr *err)
{
    int64_t got = src_read(s, buf, n, err);
    if (got < 0) return -1;
    if ((size_t)got < n) return rdn_err(err, "%s: file ends inside the %s", s->path, what);
    return 0;
}

/* ---- the IDX header ---- */
static const char *idx_type_name(int t)
{
    switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown";
    }
}

/* Reads the header; fills ndim, dims and the payload size in bytes, and checks that the file can
 * hold that many bytes. */
static int idx_header(Src *s, int *ndim, int64_t dims[8], int64_t *payload, RdnErr *err)
{
    unsigned char h[4];
    if (src_exact(s, h, 4, "IDX header", err)) return -1;
    if (h[0] != 0 || h[1] != 0 || h[3] < 1 || h[3] > 8)
        return rdn_err(err, "%s: not an IDX file (magic bytes %02x %02x %02x %02x)", s->path, h[0],
                       h[1], h[2], h[3]);
    if (h[2] != 0x08)
        return rdn_err(err, "%s: IDX element type 0x%02X (%s) is not supported; rdn reads unsigned "
                            "bytes (0x08)", s->path, h[2], idx_type_name(h[2]));
    *ndim = h[3];
    int64_t total = 1;
    for (int i = 0; i < *ndim; i++) {
        unsigned char b[4];
        if (src_exact(s, b, 4, "IDX header", err)) return -1;
        dims[i] = (int64_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
        if (dims[i] > 0 && total > ((int64_t)1 << 40) / dims[i])
            return rdn_err(err, "%s: IDX header declares an absurd size", s->path);
        total *= dims[i];
    }
    int64_t hlen = 4 + 4 * (int64_t)*ndim;
    if (!s->gz) {
        if (s->fsize != hlen + total)
            return rdn_err(err, "%s: IDX header declares %lld bytes of data but the file holds %lld",
                           s->path, (long long)total, (long long)(s->fsize - hlen));
    } else if (total > (s->fsize + 1) * (int64_t)DEFLATE_MAX_RATIO) {
        return rdn_err(err, "%s: IDX header declares %lld bytes of data, more than a %lld-byte gzip "
                            "file can hold", s->path, (long long)total, (long long)s->fsize);
    }
    *payload = total;
    return 0;
}

/* After the payload: a plain file is known to end here; a gzip stream must end too. */
static int idx_at_end(Src *s, RdnErr *err)
{
    if (!s->gz) return 0;
    unsigned char b[1];
    int64_t got = src_read(s, b, 1, err);
    if (got < 0) return -1;
    if (got > 0) return rdn_err(err, "%s: the file holds more data than its IDX header declares", s->path);
    return 0;
}

/* A 64-byte aligned buffer (freed with free) that is NOT zeroed: the payload overwrites all of it,
 * and zeroing 188 MB first would double the page-touching cost. Large buffers ask for transparent
 * huge pages, which cuts the page faults of filling them by 512. */
static void *alloc_payload(size_t count, size_t el, RdnErr *err)
{
    if (el && count > RDN_MAX_ALLOC / el)
        return rdn_err(err, "IDX data: %zu x %zu bytes is too large", count, el), NULL;
    size_t bytes = (count * el + 63) / 64 * 64;
    if (!bytes) bytes = 64;
    void *p = aligned_alloc(64, bytes);
    if (!p) return rdn_err(err, "IDX data: out of memory allocating %zu bytes", bytes), NULL;
#ifdef MADV_HUGEPAGE
    size_t huge = (size_t)2 << 20;
    if (bytes >= 4 * huge) {
        uintptr_t lo = ((uintptr_t)p + huge - 1) / huge * huge;
        uintptr_t hi = ((uintptr_t)p + bytes) / huge * huge;
        if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
#endif
    return p;
}

/* Reads the payload of n bytes into dst (floats x/255 when tofloat, else bytes); *dstp may be
 * reallocated when the buffer grows. cap is its current capacity in elements. */
static int idx_payload(Src *s, int64_t n, int tofloat, void **dstp, int64_t cap, RdnErr *err)
{
    static float lut[256];
    if (lut[255] == 0.0f)
        for (int v = 0; v < 256; v++) lut[v] = (float)v / 255.0f;
    unsigned char *buf = tofloat ? malloc(OUT_CHUNK) : NULL;
    if (tofloat && !buf) return rdn_err(err, "%s: out of memory", s->path);
    int64_t done = 0;
    int rc = 0;
    while (done < n) {
        if (rdn_interrupt) {
            rc = rdn_err_interrupted(err, "interrupted while reading %s", s->path);
            break;
        }
        if (done == cap) { /* grow: only when the gzip trailer did not confirm the header */
            int64_t ncap = cap * 2 < n ? cap * 2 : n;
            size_t el = tofloat ? sizeof(float) : 1;
            void *p = alloc_payload((size_t)ncap, el, err);
            if (!p) { rc = -1; break; }
            memcpy(p, *dstp, (size_t)done * el);
            free(*dstp);
            *dstp = p;
            cap = ncap;
        }
        int64_t want = cap - done;
        if (want > OUT_CHUNK) want = OUT_CHUNK;
        unsigned char *to = tofloat ? buf : (unsigned char *)*dstp + done;
        int64_t got = src_read(s, to, (size_t)want, err);
        if (got < 0) { rc = -1; break; }
        if (tofloat) {
            float *f = (float *)*dstp + done;
            for (int64_t i = 0; i < got; i++) f[i] = lut[buf[i]];
        }
        done += got;
        if (got < want) {
            rc = rdn_err(err, "%s: the file ends after %lld of the %lld data bytes its IDX header "
                              "declares (truncated?)", s->path, (long long)done, (long long)n);
            break;
        }
    }
    free(buf);
    return rc;
}

/* Initial capacity: everything when the size is confirmed, else a modest start. */
static int64_t first_cap(const Src *s, int64_t hlen, int64_t n)
{
    if (!s->gz || (uint32_t)(hlen + n) == s->isize) return n;
    return n < ((int64_t)1 << 20) ? n : ((int64_t)1 << 20);
}

int rdn_idx_read_bytes(const char *path, int *ndim, int64_t dims[8], uint8_t **bytes, RdnErr *err)
{
    *bytes = NULL;
    Src s;
    if (src_open(&s, path, err)) return -1;
    int64_t n;
    int rc = idx_header(&s, ndim, dims, &n, err);
    if (!rc) {
        int64_t cap = first_cap(&s, 4 + 4 * *ndim, n);
        void *p = alloc_payload((size_t)(cap ? cap : 1), 1, err);
        rc = p ? idx_payload(&s, n, 0, &p, cap, err) : -1;
        if (!rc) rc = idx_at_end(&s, err);
        if (rc) free(p);
        else *bytes = p;
    }
    src_close(&s);
    return rc;
}

/* Hashing the big image file for the manifest runs beside the decompression. */
typedef struct NoteJob { RdnOut *o; const char *path; RdnErr err; int rc; } NoteJob;
static void *note_thread(void *arg)
{
    NoteJob *j = arg;
    j->rc = rdn_out_note_read(j->o, j->path, &j->err);
    return NULL;
}

static Dataset *load_idx(const char *images, const char *labels, int fixed_classes, RdnOut *note,
                         RdnErr *err)
{
    NoteJob job = {note, images, {0}, 0};
    pthread_t th;
    int threaded = note && pthread_create(&th, NULL, note_thread, &job) == 0;
    if (note && !threaded) job.rc = rdn_out_note_read(note, images, &job.err);

    Dataset *d = NULL;
    uint8_t *lab = NULL;
    int ldim;
    int64_t ldims[8];
    if (rdn_idx_read_bytes(labels, &ldim, ldims, &lab, err)) goto fail;
    if (ldim != 1) {
        rdn_err(err, "%s: a label file has one dimension, this one has %d", labels, ldim);
        goto fail;
    }
    Src s;
    if (src_open(&s, images, err)) goto fail;
    int ndim;
    int64_t dims[8], payload;
    if (idx_header(&s, &ndim, dims, &payload, err)) goto fail_src;
    if (ndim < 2) {
        rdn_err(err, "%s: an image file has at least two dimensions (n, features...), this one "
                     "has %d", images, ndim);
        goto fail_src;
    }
    /* with no images the payload says nothing of their size: the product of the other
     * dimensions, each bounded first (dims are up to 2^32 - 1; their product must not overflow) */
    int64_t n = dims[0], dim = n ? payload / n : 1;
    for (int i = 1; n == 0 && i < ndim && dim <= 100000000; i++)
        dim = dims[i] > 100000000 ? 100000001 : dim * dims[i];
    if (dim < 1 || dim > 100000000) {
        rdn_err(err, "%s: each image must have between 1 and 1e8 pixels, got %lld", images,
                (long long)dim);
        goto fail_src;
    }
    if (ldims[0] != n) {
        rdn_err(err, "%s holds %lld images but %s holds %lld labels", images, (long long)n, labels,
                (long long)ldims[0]);
        goto fail_src;
    }
    int maxlab = 0;
    for (int64_t i = 0; i < n; i++)
        if (lab[i] > maxlab) maxlab = lab[i];
    if (fixed_classes && maxlab >= fixed_classes) {
        rdn_err(err, "%s: label %d found; this set has %d classes", labels, maxlab, fixed_classes);
        goto fail_src;
    }
    d = rdn_dataset_new(0, (int)dim, fixed_classes ? fixed_classes : maxlab + 1, err);
    if (!d) goto fail_src;
    free(d->x);
    free(d->y);
    int64_t cap = first_cap(&s, 4 + 4 * ndim, payload);
    d->y = rdn_calloc((size_t)(n ? n : 1), sizeof(int32_t), "labels", err);
    d->x = d->y ? alloc_payload((size_t)(cap ? cap : 1), sizeof(float), err) : NULL;
    if (!d->x) goto fail_src;
    if (idx_payload(&s, payload, 1, (void **)&d->x, cap, err) || idx_at_end(&s, err)) goto fail_src;
    src_close(&s);
    d->n = n;
    for (int64_t i = 0; i < n; i++) d->y[i] = lab[i];
    free(lab);
    if (threaded) pthread_join(th, NULL);
    if (job.rc) {
        if (err) *err = job.err;
        rdn_dataset_free(d);
        return NULL;
    }
    if (note && rdn_out_note_read(note, labels, err)) {
        rdn_dataset_free(d);
        return NULL;
    }
    rdn_data_set_source(d, "%s", images);
    return d;
fail_src:
    src_close(&s);
fail:
    if (threaded) pthread_join(th, NULL);
    free(lab);
    rdn_dataset_free(d);
    return NULL;
}

Dataset *rdn_data_load_idx(const char *images, const char *labels, RdnOut *note, RdnErr *err)
{
    return load_idx(images, labels, 0, note, err);
}

/* The first existing file dir/base or dir/base.gz (also the "train-images.idx3-ubyte" spelling). */
static char *find_file(const char *dir, const char *base)
{
    char alt[64];
    snprintf(alt, sizeof alt, "%s", base);
    char *dash = strrchr(alt, '-'); /* "train-images-idx3-ubyte" -> "train-images.idx3-ubyte" */
    if (dash) {
        char *prev = dash;
        while (prev > alt && prev[-1] != '-') prev--;
        if (prev > alt) prev[-1] = '.';
    }
    const char *names[2] = {base, alt};
    for (int i = 0; i < 2; i++)
        for (int gz = 1; gz >= 0; gz--) {
            size_t len = strlen(dir) + strlen(names[i]) + 8;
            char *p = malloc(len);
            if (!p) return NULL;
            snprintf(p, len, "%s/%s%s", dir, names[i], gz ? ".gz" : "");
            struct stat st;
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) return p;
            free(p);
        }
    return NULL;
}

Dataset *rdn_data_mnist(const char *dir, int test, int fashion, RdnOut *note, RdnErr *err)
{
    const char *what = fashion ? "fashion_mnist" : "mnist";
    if (!dir) {
        if (!fashion)
            return rdn_err(err, "mnist: give the folder holding the MNIST files with dir:"), NULL;
        dir = RDN_FASHION_DIR;
    }
    const char *pre = test ? "t10k" : "train";
    char ib[64], lb[64];
    snprintf(ib, sizeof ib, "%s-images-idx3-ubyte", pre);
    snprintf(lb, sizeof lb, "%s-labels-idx1-ubyte", pre);
    char *ip = find_file(dir, ib), *lp = find_file(dir, lb);
    if (!ip || !lp) {
        struct stat st;
        int nodir = stat(dir, &st) != 0;
        if (fashion)
            rdn_err(err, "fashion_mnist: %s[.gz] not found in %s%s; Fashion-MNIST comes with the "
                         "Debian package %s (apt install %s, files in %s), or give dir:",
                    !ip ? ib : lb, dir, nodir ? " (no such folder)" : "", RDN_FASHION_PKG,
                    RDN_FASHION_PKG, RDN_FASHION_DIR);
        else
            rdn_err(err, "mnist: %s[.gz] not found in %s%s", !ip ? ib : lb, dir,
                    nodir ? " (no such folder)" : "");
        free(ip);
        free(lp);
        return NULL;
    }
    Dataset *d = load_idx(ip, lp, 10, note, err);
    if (d && d->dim != 784) {
        rdn_err(err, "%s: %s holds images of %d pixels, expected 28 x 28 = 784", what, ip, d->dim);
        rdn_dataset_free(d);
        d = NULL;
    }
    if (!d && err) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        if (strncmp(inner, what, strlen(what)) != 0 && err->code == RDN_ERROR)
            rdn_err(err, "%s: %s", what, inner);
    }
    if (d && fashion) {
        d->class_names = rdn_calloc(10, sizeof(char *), "class names", err);
        for (int c = 0; d->class_names && c < 10; c++)
            d->class_names[c] = strdup(rdn_fashion_classes[c]);
        if (!d->class_names) {
            rdn_dataset_free(d);
            d = NULL;
        }
    }
    if (d) rdn_data_set_source(d, "%s(split: \"%s\")", what, test ? "test" : "train");
    free(ip);
    free(lp);
    return d;
}
