/* test_data_idx.c: the IDX loader on tiny files written here: plain and gzip, truncated,
 * corrupted, lying headers (errors, never large allocations), the MNIST folder layout, and the
 * real Fashion-MNIST test split when the Debian package is installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>
#include "check.h"
#include "data.h"

static char dir[64];

static char *path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void put(const char *name, const void *b, size_t n)
{
    FILE *f = fopen(path(name), "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static void put_gz(const char *name, const void *b, size_t n)
{
    gzFile g = gzopen(path(name), "wb");
    gzwrite(g, b, (unsigned)n);
    gzclose(g);
}

static size_t be32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
    return 4;
}

/* An IDX file of n images h x w (pixel value (i * 7 + j) % 256) or of n labels (i % 3). */
static size_t make_images(unsigned char *b, uint32_t n, uint32_t h, uint32_t w, uint32_t claim_n)
{
    size_t k = 0;
    b[k++] = 0, b[k++] = 0, b[k++] = 8, b[k++] = 3;
    k += be32(b + k, claim_n), k += be32(b + k, h), k += be32(b + k, w);
    for (uint32_t i = 0; i < n * h * w; i++) b[k++] = (unsigned char)((i * 7) % 256);
    return k;
}
static size_t make_labels(unsigned char *b, uint32_t n)
{
    size_t k = 0;
    b[k++] = 0, b[k++] = 0, b[k++] = 8, b[k++] = 1;
    k += be32(b + k, n);
    for (uint32_t i = 0; i < n; i++) b[k++] = (unsigned char)(i % 3);
    return k;
}

static void test_basic(void)
{
    unsigned char img[4096], lab[64];
    size_t ni = make_images(img, 5, 2, 3, 5), nl = make_labels(lab, 5);
    put("i", img, ni), put("l", lab, nl), put_gz("i.gz", img, ni), put_gz("l.gz", lab, nl);
    RdnErr e;
    RdnOut o;
    CHECK(rdn_out_init(&o, dir, &e) == 0, "out init: %s", e.msg);
    Dataset *d = rdn_data_load_idx(path("i"), path("l"), &o, &e);
    Dataset *g = rdn_data_load_idx(path("i.gz"), path("l"), NULL, &e);
    Dataset *g2 = rdn_data_load_idx(path("i.gz"), path("l.gz"), NULL, &e);
    CHECK(d && g && g2, "load: %s", e.msg);
    if (!d || !g || !g2) return;
    CHECK(d->n == 5 && d->dim == 6 && d->nclasses == 3, "shape n %lld dim %d k %d", (long long)d->n,
          d->dim, d->nclasses);
    int ok = 1;
    for (int i = 0; i < 30; i++) ok &= d->x[i] == (float)((i * 7) % 256) / 255.0f;
    CHECK(ok, "pixels are byte / 255");
    CHECK(d->y[4] == 1 && d->y[2] == 2, "labels");
    CHECK(memcmp(d->x, g->x, 30 * sizeof(float)) == 0 && memcmp(g->x, g2->x, 30 * 4) == 0,
          "gzip gives the same");
    CHECK(o.nread == 2, "both files noted (%d)", o.nread);
    rdn_out_free(&o);
    rdn_dataset_free(d), rdn_dataset_free(g), rdn_dataset_free(g2);
}

static void expect_fail(const char *images, const char *labels, const char *needle, const char *what)
{
    RdnErr e = {0};
    Dataset *d = rdn_data_load_idx(path(images), path(labels), NULL, &e);
    CHECK(!d && strstr(e.msg, needle), "%s: expected an error with '%s', got '%s'", what, needle,
          d ? "(success)" : e.msg);
    rdn_dataset_free(d);
}

static void test_bad(void)
{
    unsigned char img[8192], lab[64];
    size_t nl = make_labels(lab, 5);
    put("l", lab, nl);
    /* truncated plain file */
    size_t ni = make_images(img, 5, 2, 3, 5);
    put("trunc", img, ni - 4);
    expect_fail("trunc", "l", "declares 30 bytes of data but the file holds 26", "truncated plain");
    /* trailing bytes in a plain file */
    put("long", img, ni), put("long", img, ni);
    img[ni] = 1;
    put("long", img, ni + 1);
    expect_fail("long", "l", "declares 30 bytes", "plain with extra bytes");
    /* lying header: 4 billion images in a tiny gzip file -> refused before allocating */
    ni = make_images(img, 5, 2, 3, 0xFFFFFFFFu);
    put_gz("lie.gz", img, ni);
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    expect_fail("lie.gz", "l", "more than a", "lying header gz");
    ni = make_images(img, 5, 2, 3, 1000); /* plausible for the ratio, but the data stop */
    put_gz("lie2.gz", img, ni);
    static unsigned char lab1000[1010];
    put("l1000", lab1000, make_labels(lab1000, 1000));
    expect_fail("lie2.gz", "l1000", "truncated", "header promising more than the gzip holds");
    put("lie", img, ni);
    expect_fail("lie", "l", "declares 6000 bytes", "lying header plain");
    getrusage(RUSAGE_SELF, &r1);
    CHECK(r1.ru_maxrss - r0.ru_maxrss < 20000, "no large allocation (%ld KiB more)",
          r1.ru_maxrss - r0.ru_maxrss);
    /* more data than declared in a gzip */
    ni = make_images(img, 6, 2, 3, 5);
    put_gz("more.gz", img, ni);
    expect_fail("more.gz", "l", "more data than its IDX header", "gzip with extra data");
    /* truncated gzip: cut the compressed file */
    ni = make_images(img, 100, 8, 8, 100);
    put_gz("cut.gz", img, ni);
    FILE *f = fopen(path("cut.gz"), "rb");
    unsigned char z[16384];
    size_t nz = fread(z, 1, sizeof z, f);
    fclose(f);
    put("cut.gz", z, nz / 2);
    unsigned char lab100[200];
    put("l100", lab100, make_labels(lab100, 100));
    expect_fail("cut.gz", "l100", "end early", "truncated gzip");
    /* corrupted gzip: flip bytes inside the deflate stream */
    for (size_t i = 12; i < 40 && i < nz; i++) z[i] ^= 0x5a;
    put("bad.gz", z, nz);
    expect_fail("bad.gz", "l100", "corrupted gzip", "corrupted gzip");
    /* not IDX, wrong type, label mismatch, wrong label dims */
    put("text", "hello world, not idx", 20);
    expect_fail("text", "l", "not an IDX file", "text file");
    ni = make_images(img, 5, 2, 3, 5);
    img[2] = 0x0D;
    put("float", img, ni);
    expect_fail("float", "l", "0x0D (float) is not supported", "float IDX");
    img[2] = 0x08;
    put("i", img, ni);
    unsigned char lab4[64];
    put("l4", lab4, make_labels(lab4, 4));
    expect_fail("i", "l4", "holds 5 images but", "count mismatch");
    expect_fail("i", "i", "one dimension", "images as labels");
    expect_fail("l", "l", "at least two dimensions", "labels as images");
    expect_fail("nope", "l", "cannot open", "missing file");
    put("empty", "", 0);
    expect_fail("empty", "l", "ends inside the IDX header", "empty file");
    /* no images of (2^32-1) x (2^32-1) pixels: refused, the size check does not overflow
     * (UBSan under make san) */
    ni = make_images(img, 0, 0xFFFFFFFFu, 0xFFFFFFFFu, 0);
    put("huge0", img, ni);
    unsigned char lab0[16];
    put("l0", lab0, make_labels(lab0, 0));
    expect_fail("huge0", "l0", "between 1 and 1e8 pixels", "no images of an absurd size");
}

static void test_folder(void)
{
    /* a tiny MNIST-style folder: 4 train images of 28 x 28, gzip; 3 test images plain */
    static unsigned char img[16 + 4 * 784];
    unsigned char lab[64];
    size_t ni = make_images(img, 4, 28, 28, 4);
    put_gz("train-images-idx3-ubyte.gz", img, ni);
    put_gz("train-labels-idx1-ubyte.gz", lab, make_labels(lab, 4));
    ni = make_images(img, 3, 28, 28, 3);
    put("t10k-images-idx3-ubyte", img, ni);
    put("t10k-labels-idx1-ubyte", lab, make_labels(lab, 3));
    RdnErr e;
    Dataset *tr = rdn_data_mnist(dir, 0, 1, NULL, &e);
    Dataset *te = rdn_data_mnist(dir, 1, 0, NULL, &e);
    CHECK(tr && te, "mnist folder: %s", e.msg);
    if (tr && te) {
        CHECK(tr->n == 4 && tr->dim == 784 && tr->nclasses == 10, "train shape");
        CHECK(te->n == 3 && te->nclasses == 10 && !te->class_names, "test shape");
        CHECK(tr->class_names && strcmp(tr->class_names[9], "Ankle boot") == 0 &&
                  strcmp(tr->class_names[0], "T-shirt/top") == 0, "Fashion class names");
        CHECK(strcmp(tr->source, "fashion_mnist(split: \"train\")") == 0, "source %s", tr->source);
    }
    rdn_dataset_free(tr), rdn_dataset_free(te);
    Dataset *none = rdn_data_mnist("/nonexistent/folder", 0, 1, NULL, &e);
    CHECK(!none && strstr(e.msg, "dataset-fashion-mnist") && strstr(e.msg, "train-images-idx3-ubyte"),
          "missing Fashion folder names the package: %s", e.msg);
    none = rdn_data_mnist("/nonexistent/folder", 1, 0, NULL, &e);
    CHECK(!none && strstr(e.msg, "mnist: t10k-images") && strstr(e.msg, "no such folder"),
          "missing MNIST folder: %s", e.msg);
    none = rdn_data_mnist(NULL, 1, 0, NULL, &e);
    CHECK(!none && strstr(e.msg, "dir:"), "mnist needs dir: %s", e.msg);
}

static void test_real_fashion(void)
{
    if (access(RDN_FASHION_DIR "/t10k-images-idx3-ubyte.gz", R_OK) != 0) {
        printf("skipped: Fashion-MNIST not installed in %s\n", RDN_FASHION_DIR);
        return;
    }
    RdnErr e;
    Dataset *d = rdn_data_mnist(NULL, 1, 1, NULL, &e);
    CHECK(d, "fashion test split: %s", e.msg);
    if (!d) return;
    CHECK(d->n == 10000 && d->dim == 784 && d->nclasses == 10, "fashion test shape");
    int cnt[10] = {0};
    for (int64_t i = 0; i < d->n; i++) cnt[d->y[i]]++;
    int ok = 1;
    for (int c = 0; c < 10; c++) ok &= cnt[c] == 1000;
    CHECK(ok, "1000 test images per class");
    CHECK(d->y[0] == 9 && d->y[1] == 2, "first labels (Ankle boot, Pullover): %d %d", d->y[0], d->y[1]);
    float mn = 1, mx = 0;
    for (int64_t i = 0; i < d->n * 784; i++) mn = fminf(mn, d->x[i]), mx = fmaxf(mx, d->x[i]);
    CHECK(mn == 0.0f && mx == 1.0f, "pixels in [0, 1]");
    rdn_dataset_free(d);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/rdn_test_idx_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_basic();
    test_bad();
    test_folder();
    test_real_fashion();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
    return DONE();
}
