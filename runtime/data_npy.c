/* data_npy.c: NumPy's .npy format (numpy.lib.format), read into float32 tensors and written as
 * float32 '<f4' format 1.0 with the header padded to a multiple of 64 bytes, as numpy.save does.
 * The header is a Python dict literal; only the three keys NumPy writes are accepted. */
#include "data.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef enum { DT_F4, DT_F8, DT_I4, DT_I8, DT_U1, DT_I1, DT_B1 } DType;
static const struct { const char *descr; DType t; int size; } DTYPES[] = {
    {"<f4", DT_F4, 4}, {"<f8", DT_F8, 8}, {"<i4", DT_I4, 4}, {"<i8", DT_I8, 8},
    {"|u1", DT_U1, 1}, {"<u1", DT_U1, 1}, {"|i1", DT_I1, 1}, {"<i1", DT_I1, 1},
    {"|b1", DT_B1, 1},
};

typedef struct Hdr {
    DType t; int size;
    int ndim; int64_t shape[RDN_MAX_DIMS];
    int64_t count;
} Hdr;

static const char *skip_ws(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++;
    return s;
}

/* A quoted Python string ('...' or "...", no escapes needed for the keys and descrs NumPy
 * writes); copies at most cap-1 bytes. */
static const char *py_str(const char *s, const char *e, char *out, size_t cap)
{
    if (s >= e || (*s != '\'' && *s != '"')) return NULL;
    char q = *s++;
    size_t n = 0;
    while (s < e && *s != q) {
        if (*s == '\\') return NULL;
        if (n + 1 < cap) out[n++] = *s;
        s++;
    }
    out[n] = 0;
    return s < e ? s + 1 : NULL;
}

static int parse_dict(const char *h, size_t len, const char *name, Hdr *hd, RdnErr *err)
{
    const char *s = h, *e = h + len;
    int have_descr = 0, have_order = 0, have_shape = 0;
    s = skip_ws(s, e);
    if (s >= e || *s++ != '{') return rdn_err(err, "%s: .npy header is not a dict", name);
    for (;;) {
        s = skip_ws(s, e);
        if (s < e && *s == '}') break;
        char key[32], val[64];
        s = py_str(s, e, key, sizeof key);
        if (!s) return rdn_err(err, "%s: malformed .npy header", name);
        s = skip_ws(s, e);
        if (s >= e || *s++ != ':') return rdn_err(err, "%s: malformed .npy header", name);
        s = skip_ws(s, e);
        if (strcmp(key, "descr") == 0) {
            if (s < e && *s == '[')
                return rdn_err(err, "%s: structured arrays (record dtypes) are not supported; "
                                    "save a plain numeric array", name);
            s = py_str(s, e, val, sizeof val);
            if (!s) return rdn_err(err, "%s: malformed dtype in the .npy header", name);
            int found = 0;
            for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
                if (strcmp(val, DTYPES[i].descr) == 0) {
                    hd->t = DTYPES[i].t;
                    hd->size = DTYPES[i].size;
                    found = 1;
                }
            if (!found) {
                if (val[0] == '>')
                    return rdn_err(err, "%s: dtype '%s' is big-endian; rdn reads little-endian "
                                        "arrays (in NumPy: a.astype(a.dtype.newbyteorder('<')))",
                                   name, val);
                if (strchr(val, 'O'))
                    return rdn_err(err, "%s: object arrays (dtype '%s') hold Python objects, not "
                                        "numbers; rdn cannot read them", name, val);
                return rdn_err(err, "%s: dtype '%s' is not supported; rdn reads float32, float64, "
                                    "int32, int64, int8, uint8 and bool", name, val);
            }
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (e - s >= 5 && strncmp(s, "False", 5) == 0) s += 5;
            else if (e - s >= 4 && strncmp(s, "True", 4) == 0)
                return rdn_err(err, "%s: the array is stored in Fortran order; rdn reads C order "
                                    "(in NumPy: np.save(path, np.ascontiguousarray(a)))", name);
            else return rdn_err(err, "%s: malformed fortran_order in the .npy header", name);
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (s >= e || *s++ != '(') return rdn_err(err, "%s: malformed shape in the .npy header", name);
            hd->ndim = 0;
            hd->count = 1;
            for (;;) {
                s = skip_ws(s, e);
                if (s < e && *s == ')') { s++; break; }
                char *end;
                errno = 0;
                long long v = strtoll(s, &end, 10);
                if (end == s || end > e || errno || v < 0)
                    return rdn_err(err, "%s: malformed shape in the .npy header", name);
                s = end;
                if (hd->ndim == RDN_MAX_DIMS)
                    return rdn_err(err, "%s: the array has more than %d dimensions", name,
                                   RDN_MAX_DIMS);
                if (v > 0 && hd->count > ((int64_t)1 << 40) / v)
                    return rdn_err(err, "%s: the .npy header declares an absurd shape", name);
                hd->shape[hd->ndim++] = v;
                hd->count *= v;
                s = skip_ws(s, e);
                if (s < e && *s == ',') s++;
                else if (s < e && *s == ')') { s++; break; }
                else return rdn_err(err, "%s: malformed shape in the .npy header", name);
            }
            have_shape = 1;
        } else {
            return rdn_err(err, "%s: unexpected key '%s' in the .npy header", name, key);
        }
        s = skip_ws(s, e);
        if (s < e && *s == ',') s++;
        else if (s < e && *s == '}') break;
        else return rdn_err(err, "%s: malformed .npy header", name);
    }
    if (!have_descr || !have_order || !have_shape)
        return rdn_err(err, "%s: the .npy header lacks '%s'", name,
                       !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    return 0;
}

/* The dict text is copied so that it ends in a NUL (strtoll must not run past it). */
static int parse_header(const char *h, size_t len, const char *name, Hdr *hd, RdnErr *err)
{
    char *t = malloc(len + 1);
    if (!t) return rdn_err(err, "%s: out of memory", name);
    memcpy(t, h, len);
    t[len] = 0;
    int rc = parse_dict(t, len, name, hd, err);
    free(t);
    return rc;
}

/* Magic, version and header: fills hd and the data offset. */
static int read_preamble(const unsigned char *b, size_t len, const char *name, Hdr *hd,
                         size_t *offset, RdnErr *err)
{
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        return rdn_err(err, "%s: not a .npy file (no \\x93NUMPY magic)", name);
    int major = b[6];
    size_t hlen, pre;
    if (major == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        pre = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return rdn_err(err, "%s: truncated .npy header", name);
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        pre = 12;
    } else {
        return rdn_err(err, "%s: .npy format version %d.%d is not supported (1.0, 2.0, 3.0 are)",
                       name, major, b[7]);
    }
    if (hlen > len - pre) return rdn_err(err, "%s: truncated .npy header", name);
    if (parse_header((const char *)b + pre, hlen, name, hd, err)) return -1;
    *offset = pre + hlen;
    return 0;
}

static void convert(float *dst, const unsigned char *src, int64_t n, DType t)
{
    for (int64_t i = 0; i < n; i++) {
        const unsigned char *p = src + (size_t)i * (t == DT_F8 || t == DT_I8 ? 8 : t == DT_F4 || t == DT_I4 ? 4 : 1);
        switch (t) {
        case DT_F4: { float v; memcpy(&v, p, 4); dst[i] = v; break; }
        case DT_F8: { double v; memcpy(&v, p, 8); dst[i] = (float)v; break; }
        case DT_I4: { int32_t v; memcpy(&v, p, 4); dst[i] = (float)v; break; }
        case DT_I8: { int64_t v; memcpy(&v, p, 8); dst[i] = (float)v; break; }
        case DT_U1: dst[i] = (float)p[0]; break;
        case DT_I1: dst[i] = (float)(int8_t)p[0]; break;
        case DT_B1: dst[i] = p[0] ? 1.0f : 0.0f; break;
        }
    }
}

static int check_size(const Hdr *hd, int64_t have, const char *name, RdnErr *err)
{
    int64_t want = hd->count * hd->size;
    if (have != want)
        return rdn_err(err, "%s: the .npy header declares %lld bytes of data but the file holds "
                            "%lld%s", name, (long long)want, (long long)have,
                       have < want ? " (truncated?)" : "");
    return 0;
}

Tensor *rdn_npy_parse(const void *buf, size_t len, const char *name, RdnErr *err)
{
    Hdr hd;
    size_t off;
    if (read_preamble(buf, len, name, &hd, &off, err)) return NULL;
    if (check_size(&hd, (int64_t)(len - off), name, err)) return NULL;
    Tensor *t = rdn_tensor_new(hd.ndim, hd.shape, err);
    if (t) convert(t->data, (const unsigned char *)buf + off, hd.count, hd.t);
    return t;
}

Tensor *rdn_npy_load(const char *path, RdnOut *note, RdnErr *err)
{
    FILE *f = rdn_fopen_regular(path, err);
    if (!f) return NULL;
    struct stat st;
    Tensor *t = NULL;
    unsigned char *head = NULL, *chunk = NULL;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        rdn_err(err, "%s is not a regular file", path);
        goto out;
    }
    /* the preamble: 12 bytes, then at most the declared header length (checked against the file) */
    unsigned char pre[12];
    size_t got = fread(pre, 1, sizeof pre, f);
    size_t hlen = got >= 10 && pre[6] == 1 ? ((size_t)pre[8] | (size_t)pre[9] << 8) + 10
                  : got >= 12 && (pre[6] == 2 || pre[6] == 3) ? ((size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
                                 (size_t)pre[11] << 24) + 12
                              : got;
    if (hlen > (size_t)st.st_size) hlen = (size_t)st.st_size;
    if (hlen > (1u << 20)) {
        rdn_err(err, "%s: the .npy header is larger than 1 MiB; not a plain numeric array", path);
        goto out;
    }
    head = malloc(hlen + 1);
    if (!head) {
        rdn_err(err, "%s: out of memory", path);
        goto out;
    }
    memcpy(head, pre, got < hlen ? got : hlen);
    if (hlen > got && fread(head + got, 1, hlen - got, f) != hlen - got) {
        rdn_err(err, "%s: truncated .npy header", path);
        goto out;
    }
    Hdr hd;
    size_t off;
    if (read_preamble(head, hlen, path, &hd, &off, err)) goto out;
    if (check_size(&hd, (int64_t)st.st_size - (int64_t)off, path, err)) goto out;
    if (fseeko(f, (off_t)off, SEEK_SET)) {
        rdn_err(err, "%s: seek failed", path);
        goto out;
    }
    t = rdn_tensor_new(hd.ndim, hd.shape, err);
    if (!t) goto out;
    if (hd.t == DT_F4) { /* straight into the tensor */
        if (fread(t->data, 4, (size_t)hd.count, f) != (size_t)hd.count) {
            rdn_err(err, "%s: read error or file shrank while reading", path);
            rdn_tensor_free(t);
            t = NULL;
        }
        goto out;
    }
    enum { CH = 1 << 16 };
    chunk = malloc((size_t)CH * 8);
    if (!chunk) {
        rdn_err(err, "%s: out of memory", path);
        rdn_tensor_free(t);
        t = NULL;
        goto out;
    }
    for (int64_t done = 0; done < hd.count;) {
        int64_t m = hd.count - done < CH ? hd.count - done : CH;
        if (fread(chunk, (size_t)hd.size, (size_t)m, f) != (size_t)m) {
            rdn_err(err, "%s: read error or file shrank while reading", path);
            rdn_tensor_free(t);
            t = NULL;
            goto out;
        }
        convert(t->data + done, chunk, m, hd.t);
        done += m;
    }
out:
    free(head);
    free(chunk);
    fclose(f);
    if (t && note && rdn_out_note_read(note, path, err)) {
        rdn_tensor_free(t);
        t = NULL;
    }
    return t;
}

size_t rdn_npy_header(char *buf, size_t cap, const char *dtype, int ndim, const int64_t *shape)
{
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '%.8s', 'fortran_order': False, 'shape': (",
                     dtype);
    for (int i = 0; i < ndim && n < (int)sizeof dict; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%lld,%s", (long long)shape[i],
                      i + 1 < ndim ? " " : "");
    if (ndim > 1) n--; /* NumPy writes (3,) for one dimension, (3, 4) for more */
    if (n < (int)sizeof dict) n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    if (n >= (int)sizeof dict) return 0;
    size_t total = 10 + (size_t)n + 1;
    total = (total + 63) / 64 * 64;
    if (total > cap) return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    size_t hlen = total - 10;
    buf[8] = (char)(hlen & 0xff);
    buf[9] = (char)(hlen >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', total - 10 - (size_t)n - 1);
    buf[total - 1] = '\n';
    return total;
}

int rdn_npy_write(FILE *f, const Tensor *t, RdnErr *err)
{
    char h[512];
    size_t hl = rdn_npy_header(h, sizeof h, "<f4", t->ndim, t->shape);
    if (!hl) return rdn_err(err, "save_npy: header too long");
    if (fwrite(h, 1, hl, f) != hl || fwrite(t->data, sizeof(float), (size_t)t->size, f) != (size_t)t->size)
        return rdn_err(err, "save_npy: write error: %s", strerror(errno));
    return 0;
}
