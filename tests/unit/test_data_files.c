/* test_data_files.c: CSV (header detection, label columns, string classes, CRLF, quotes, errors
 * with line and column) and .npy (every dtype read, the written header, refusals). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "data.h"

static Dataset *csv(const char *text, const char *label_name, int label_index, int header,
                    RdnErr *e)
{
    RdnCsvOpts o = {label_name, label_index, header};
    return rdn_data_parse_csv(text, strlen(text), "t.csv", &o, e);
}

static void csv_fails(const char *text, const char *label_name, int label_index, int header,
                      const char *needle)
{
    RdnErr e = {0};
    Dataset *d = csv(text, label_name, label_index, header, &e);
    CHECK(!d && strstr(e.msg, needle), "csv %.30s...: expected '%s', got '%s'", text, needle,
          d ? "(success)" : e.msg);
    rdn_dataset_free(d);
}

static void test_csv(void)
{
    RdnErr e;
    /* header detected, string labels sorted into classes, last column by default */
    Dataset *d = csv("sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,"
                     "virginica\n4.9,1.4,setosa\n", NULL, -1, -1, &e);
    CHECK(d, "iris-like: %s", e.msg);
    if (d) {
        CHECK(d->n == 4 && d->dim == 2 && d->nclasses == 3, "shape");
        CHECK(d->x[0] == 5.1f && d->x[1] == 1.4f && d->x[7] == 1.4f, "values");
        CHECK(d->y[0] == 0 && d->y[1] == 1 && d->y[2] == 2 && d->y[3] == 0, "labels");
        CHECK(d->class_names && strcmp(d->class_names[1], "versicolor") == 0, "names kept");
        CHECK(strcmp(d->source, "t.csv") == 0, "source");
    }
    rdn_dataset_free(d);
    /* classes sorted, not in order of appearance */
    d = csv("1,b\n2,a\n3,c\n", NULL, -1, -1, &e);
    CHECK(d && d->y[0] == 1 && d->y[1] == 0 && d->y[2] == 2 && !strcmp(d->class_names[0], "a"),
          "sorted classes, no header (a label word over label words is data)");
    rdn_dataset_free(d);
    /* no header, integer labels are indices; label first by index 0 */
    d = csv("2,0.5,1\n0,1.5,2\n", NULL, 0, -1, &e);
    CHECK(d && d->n == 2 && d->dim == 2 && d->nclasses == 3 && d->y[0] == 2 && !d->class_names &&
              d->x[0] == 0.5f && d->x[3] == 2.0f, "label column 0: %s", d ? "" : e.msg);
    rdn_dataset_free(d);
    /* CRLF, quoted fields (with a comma and a quote), no final newline, label by name */
    d = csv("\"x 1\",label,x2\r\n1,\"cat, big\",2\r\n\"3\",\"dog \"\"rex\"\"\",4\r\n5,\"cat, big\",6",
            "label", 0, -1, &e);
    CHECK(d, "quoted CRLF: %s", e.msg);
    if (d) {
        CHECK(d->n == 3 && d->dim == 2 && d->nclasses == 2, "shape %lld %d", (long long)d->n, d->dim);
        CHECK(d->x[2] == 3 && d->x[3] == 4 && d->x[5] == 6, "values across CRLF");
        CHECK(!strcmp(d->class_names[0], "cat, big") && !strcmp(d->class_names[1], "dog \"rex\""),
              "quoted names '%s' '%s'", d->class_names[0], d->class_names[1]);
        CHECK(d->y[0] == 0 && d->y[1] == 1 && d->y[2] == 0, "labels by name");
    }
    rdn_dataset_free(d);
    /* numeric but not index labels: classes sorted by value */
    d = csv("a,b,y\n1,2,-1\n3,4,1\n5,6,0.5\n", NULL, -1, -1, &e);
    CHECK(d && d->nclasses == 3 && d->y[0] == 0 && d->y[1] == 2 && d->y[2] == 1 &&
              !strcmp(d->class_names[2], "1"), "numeric classes sorted by value");
    rdn_dataset_free(d);
    /* header: all numbers but the label cell is a word over numeric labels */
    d = csv("1,2,label\n3,4,0\n5,6,1\n", NULL, -1, -1, &e);
    CHECK(d && d->n == 2 && d->nclasses == 2, "numeric header names detected");
    rdn_dataset_free(d);
    d = csv("1,2,3\n4,5,6\n", NULL, -1, 1, &e);
    CHECK(d && d->n == 1 && d->y[0] == 6, "header: true skips the first row");
    rdn_dataset_free(d);
    d = csv("  1 , 2 ,0\n\n3,4,1\n\n", NULL, -1, 0, &e);
    CHECK(d && d->n == 2 && d->x[1] == 2, "blanks around numbers and blank lines: %s", d ? "" : e.msg);
    rdn_dataset_free(d);
    /* errors name file, line and column */
    csv_fails("a,b,c\n1,2,0\n1,abc,1\n", NULL, -1, -1, "t.csv:3: column 2: expected a number, found 'abc'");
    csv_fails("a,b,c\n1,2,0\n1,,1\n", NULL, -1, -1, "t.csv:3: column 2: expected a number, found '' (an empty cell)");
    csv_fails("a,b,c\n1,2,0\n1,2\n", NULL, -1, -1, "t.csv:3: column 3: ragged row: 2 fields where the first row has 3");
    csv_fails("a,b,c\n1,2,0\n1,2,3,4\n", NULL, -1, -1, "t.csv:3: column 4: ragged row");
    csv_fails("a,b,c\n1,2,0\n", "species", 0, -1, "no column named 'species' (the header has: a, b, c)");
    csv_fails("1,2,0\n", "c", 0, 0, "header: false");
    csv_fails("a,b,c\n1,2,0\n", NULL, 5, -1, "label column 5 does not exist");
    csv_fails("", NULL, -1, -1, "t.csv:1: no rows");
    csv_fails("a,b,c\n", NULL, -1, -1, "header but no data rows");
    csv_fails("a\n1\n", NULL, -1, -1, "one column");
    csv_fails("a,b,c\n1,2,\"0\n", NULL, -1, -1, "unterminated");
    csv_fails("a,b,c\n1,2,0\n1,2\"x\",0\n", NULL, -1, -1, "t.csv:3: malformed CSV");
    csv_fails("a,b,c\n1,nan,0\n", NULL, -1, -1, "column 2: expected a number, found 'nan'");
    csv_fails("a,b,c\n1,1e50,0\n", NULL, -1, -1, "out of float range");

    /* from a file, with the read noted */
    char dir[] = "/tmp/rdn_test_csv_XXXXXX";
    if (!mkdtemp(dir)) return;
    char p[128];
    snprintf(p, sizeof p, "%s/d.csv", dir);
    FILE *f = fopen(p, "w");
    fputs("x,y\n0.25,1\n0.75,0\n", f);
    fclose(f);
    RdnOut o;
    rdn_out_init(&o, dir, &e);
    RdnCsvOpts opt = {NULL, -1, -1};
    d = rdn_data_load_csv(p, &opt, &o, &e);
    CHECK(d && d->n == 2 && d->x[1] == 0.75f && o.nread == 1, "load_csv file: %s", d ? "" : e.msg);
    rdn_dataset_free(d);
    d = rdn_data_load_csv("/nonexistent.csv", &opt, &o, &e);
    CHECK(!d && strstr(e.msg, "cannot open /nonexistent.csv"), "missing csv: %s", e.msg);
    rdn_out_free(&o);
    unlink(p);
    rmdir(dir);
}

/* A .npy buffer with the given header dict and data. */
static size_t npy(unsigned char *b, const char *dict, const void *data, size_t n)
{
    size_t hl = strlen(dict);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (unsigned char)(hl & 0xff);
    b[9] = (unsigned char)(hl >> 8);
    memcpy(b + 10, dict, hl);
    if (n) memcpy(b + 10 + hl, data, n);
    return 10 + hl + n;
}

static void npy_fails(const char *dict, const void *data, size_t n, const char *needle)
{
    unsigned char b[1024];
    RdnErr e = {0};
    Tensor *t = rdn_npy_parse(b, npy(b, dict, data, n), "a.npy", &e);
    CHECK(!t && strstr(e.msg, needle), "npy %s: expected '%s', got '%s'", dict, needle,
          t ? "(success)" : e.msg);
    rdn_tensor_free(t);
}

static void test_npy(void)
{
    RdnErr e;
    unsigned char b[1024];
    double f8[6] = {1.5, -2, 3, 4, 5, 6.25};
    int32_t i4[3] = {-7, 0, 2147483647};
    int64_t i8[2] = {-3, 1ll << 40};
    uint8_t u1[4] = {0, 1, 128, 255};
    Tensor *t = rdn_npy_parse(b, npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\n", f8, 48), "a", &e);
    CHECK(t && t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3 && t->data[0] == 1.5f &&
              t->data[5] == 6.25f, "f8: %s", t ? "" : e.msg);
    rdn_tensor_free(t);
    t = rdn_npy_parse(b, npy(b, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", i4, 12), "a", &e);
    CHECK(t && t->ndim == 1 && t->data[0] == -7 && t->data[2] == 2147483647.0f, "i4");
    rdn_tensor_free(t);
    t = rdn_npy_parse(b, npy(b, "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<i8\"}", i8, 16), "a", &e);
    CHECK(t && t->data[0] == -3 && t->data[1] == (float)(1ll << 40), "i8, keys in any order");
    rdn_tensor_free(t);
    t = rdn_npy_parse(b, npy(b, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 2), }", u1, 4), "a", &e);
    CHECK(t && t->ndim == 3 && t->data[3] == 255, "u1");
    rdn_tensor_free(t);
    float f4 = 2.5f;
    t = rdn_npy_parse(b, npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", &f4, 4), "a", &e);
    CHECK(t && t->ndim == 0 && t->size == 1 && t->data[0] == 2.5f, "0-d array");
    rdn_tensor_free(t);
    t = rdn_npy_parse(b, npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", NULL, 0), "a", &e);
    CHECK(t && t->size == 0 && t->shape[1] == 3, "empty array");
    rdn_tensor_free(t);

    npy_fails("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", &f4, 4, "Fortran order");
    npy_fails("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", &f4, 4, "big-endian");
    npy_fails("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", f8, 8, "object arrays");
    npy_fails("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", f8, 8, "'<c8' is not supported");
    npy_fails("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", &f4, 4, "structured");
    npy_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", &f4, 4, "declares 8 bytes of data but the file holds 4 (truncated?)");
    npy_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", &f4, 4, "absurd shape");
    npy_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 1048576), }", &f4, 4, "declares");
    npy_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", &f4, 4, "more than 4 dimensions");
    npy_fails("{'descr': '<f4', 'shape': (1,), }", &f4, 4, "lacks 'fortran_order'");
    npy_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", &f4, 4, "unexpected key");
    npy_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", &f4, 4, "malformed shape");
    npy_fails("{'descr': '<f4' 'fortran_order': False}", &f4, 4, "malformed");
    CHECK(!rdn_npy_parse("\x93NUMPY\x01\x00\xff\x7f{", 11, "a", &e) && strstr(e.msg, "truncated .npy header"),
          "lying header length: %s", e.msg);
    CHECK(!rdn_npy_parse("PK\x03\x04 zip", 10, "a", &e) && strstr(e.msg, "not a .npy"), "zip: %s", e.msg);
    CHECK(!rdn_npy_parse("\x93NUMPY\x04\x00\x00\x00\x00\x00", 12, "a", &e) && strstr(e.msg, "version 4.0"),
          "version: %s", e.msg);

    /* regression (fuzz): a header ending inside the shape's digits, in a buffer with no NUL after
     * it, must not be read past (strtoll ran off the end; ASan catches a regression) */
    {
        const char *hdr = "\x93NUMPY\x01\x00\x35\x00{'descr': '<f4', 'fortran_order': False, 'shape': (12";
        size_t hn = 10 + 0x35;
        char *exact = malloc(hn);
        memcpy(exact, hdr, hn);
        CHECK(!rdn_npy_parse(exact, hn, "a", &e) && strstr(e.msg, "malformed"), "unterminated: %s", e.msg);
        free(exact);
    }

    /* the written header: as numpy.save writes it, padded to 64 bytes */
    char h[256];
    int64_t s2[2] = {3, 4}, s1[1] = {5};
    size_t hl = rdn_npy_header(h, sizeof h, "<f4", 2, s2);
    const char *want = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
    CHECK(hl == 128 && h[127] == '\n' && memcmp(h + 10, want, strlen(want)) == 0 && h[126] == ' ',
          "header (3, 4): %.*s", (int)hl, h);
    hl = rdn_npy_header(h, sizeof h, "<f4", 1, s1);
    CHECK(hl % 64 == 0 && strstr(h + 10, "'shape': (5,), }"), "header (5,)");
    hl = rdn_npy_header(h, sizeof h, "<f4", 0, s1);
    CHECK(hl % 64 == 0 && strstr(h + 10, "'shape': (), }"), "header ()");
    hl = rdn_npy_header(h, sizeof h, "<i4", 1, s1);   /* record's labels.npy */
    const char *want_i4 = "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }";
    CHECK(hl == 128 && h[127] == '\n' && memcmp(h + 10, want_i4, strlen(want_i4)) == 0,
          "header <i4 (5,): %.*s", (int)hl, h);
    CHECK(rdn_npy_header(h, 32, "<f4", 2, s2) == 0, "a header larger than the buffer: 0");

    /* write and read back through a file */
    char dir[] = "/tmp/rdn_test_npy_XXXXXX";
    if (!mkdtemp(dir)) return;
    char p[128];
    snprintf(p, sizeof p, "%s/a.npy", dir);
    int64_t sh[3] = {2, 3, 5};
    Tensor *w = rdn_tensor_new(3, sh, &e);
    for (int i = 0; i < 30; i++) w->data[i] = (float)i / 7 - 1;
    FILE *f = fopen(p, "wb");
    CHECK(rdn_npy_write(f, w, &e) == 0, "write");
    fclose(f);
    RdnOut o;
    rdn_out_init(&o, dir, &e);
    t = rdn_npy_load(p, &o, &e);
    CHECK(t && t->ndim == 3 && t->shape[2] == 5 && memcmp(t->data, w->data, 30 * 4) == 0 &&
              o.nread == 1, "round trip: %s", t ? "" : e.msg);
    rdn_tensor_free(t);
    /* a file version of a non-float dtype goes through the chunked conversion */
    f = fopen(p, "wb");
    fwrite(b, 1, npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\n", f8, 48), f);
    fclose(f);
    t = rdn_npy_load(p, NULL, &e);
    CHECK(t && t->data[5] == 6.25f, "f8 from file");
    rdn_tensor_free(t);
    f = fopen(p, "wb");
    fwrite(b, 1, npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\n", f8, 40), f);
    fclose(f);
    t = rdn_npy_load(p, NULL, &e);
    CHECK(!t && strstr(e.msg, "truncated"), "truncated file: %s", e.msg);
    CHECK(!rdn_npy_load(dir, NULL, &e) && strstr(e.msg, "not a regular file"), "folder");
    rdn_out_free(&o);
    rdn_tensor_free(w);
    unlink(p);
    rmdir(dir);
}

int main(void)
{
    test_csv();
    test_npy();
    return DONE();
}
