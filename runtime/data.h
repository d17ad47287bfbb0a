/* data.h: where data sets come from and what can be done with them.
 * Synthetic generators (data_synth.c), MNIST's IDX files (data_idx.c), CSV (data_csv.c), NumPy's
 * .npy (data_npy.c) and the dataset operations split/shuffle/take/where/normalize/perturb
 * (data_ops.c). Every function returns a new object (NULL / -1 with err filled on failure) and
 * never modifies its inputs. Loaders given a non-NULL RdnOut record the files they read in it
 * (for the manifest). */
#ifndef RDN_DATA_H
#define RDN_DATA_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dataset.h"
#include "outfile.h"
#include "rdn_err.h"
#include "tensor.h"

/* ---- synthetic sets (data_synth.c) ----
 * All draw from a generator seeded with `seed` only, so the same seed gives the same bits.
 * Classes are balanced (sizes differ by at most one, the first classes get the extra inputs),
 * labels are 0..k-1, inputs come in random order, `source` records the call. */
Dataset *rdn_data_spirals(int64_t n, int classes, double noise, uint64_t seed, RdnErr *err);
Dataset *rdn_data_moons(int64_t n, double noise, uint64_t seed, RdnErr *err);
Dataset *rdn_data_circles(int64_t n, double noise, uint64_t seed, RdnErr *err);
Dataset *rdn_data_xor(int64_t n, double noise, uint64_t seed, RdnErr *err);
Dataset *rdn_data_blobs(int64_t n, int classes, int dim, double spread, uint64_t seed,
                        RdnErr *err);

/* ---- IDX (data_idx.c) ----
 * An IDX file of unsigned bytes (type 0x08), gzip-compressed or not (detected by the bytes
 * 1f 8b). The header is checked against what the file holds: a header promising more than the
 * file can contain is an error before any large allocation, and the data are decompressed in
 * chunks straight into the result. */
/* Images (magic 0x0803 or any IDX of >= 2 dims: dim = product of the trailing dims) and labels
 * (0x0801), scaled x = byte / 255. nclasses = 1 + the largest label. */
Dataset *rdn_data_load_idx(const char *images, const char *labels, RdnOut *note, RdnErr *err);
/* The standard files in dir ("train-images-idx3-ubyte[.gz]", "t10k-..."); test = 0 train, 1 test.
 * fashion sets Fashion-MNIST's class names and, when dir is NULL, its Debian folder. */
#define RDN_FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define RDN_FASHION_PKG "dataset-fashion-mnist"
Dataset *rdn_data_mnist(const char *dir, int test, int fashion, RdnOut *note, RdnErr *err);
extern const char *const rdn_fashion_classes[10];
/* One IDX file of unsigned bytes from memory or a path, as raw bytes (tests, fuzzing):
 * fills dims (ndim <= 8) and a malloc'd byte array. */
int rdn_idx_read_bytes(const char *path, int *ndim, int64_t dims[8], uint8_t **bytes,
                       RdnErr *err);

/* ---- CSV (data_csv.c, parsed with libcsv) ---- */
typedef struct RdnCsvOpts {
    const char *label_name;  /* label column by header name, or NULL */
    int label_index;         /* label column by index (0-based, negative from the end) */
    int header;              /* 1 yes, 0 no, -1 detect */
} RdnCsvOpts;
/* Rows are inputs; every column but the label is a number. Numeric labels that are all whole
 * numbers >= 0 are class indices; any other labels are names, classes sorted (numerically when
 * all are numbers, else byte order) and kept in class_names. */
Dataset *rdn_data_load_csv(const char *path, const RdnCsvOpts *o, RdnOut *note, RdnErr *err);
/* The same from memory; `name` is used in messages. */
Dataset *rdn_data_parse_csv(const char *buf, size_t len, const char *name, const RdnCsvOpts *o,
                            RdnErr *err);

/* ---- NumPy .npy (data_npy.c) ----
 * Reads format 1.0/2.0/3.0, C order, little-endian float32, float64, int32, int64, uint8 (and
 * int8, bool), up to 4 dimensions, into a float32 tensor. Writes float32 '<f4', format 1.0. */
Tensor *rdn_npy_load(const char *path, RdnOut *note, RdnErr *err);
Tensor *rdn_npy_parse(const void *buf, size_t len, const char *name, RdnErr *err);
int     rdn_npy_write(FILE *f, const Tensor *t, RdnErr *err);
/* The format 1.0 header (magic through the '\n' padding to a multiple of 64 bytes) of a
 * little-endian C-order array of shape and dtype ("<f4", "<i4", ...): its length, 0 if it does not
 * fit in cap. The one .npy header writer (save_npy and record's streamed files). */
size_t  rdn_npy_header(char *buf, size_t cap, const char *dtype, int ndim, const int64_t *shape);

/* ---- operations (data_ops.c) ---- */
/* Splits into a (about frac of the inputs) and b (the rest). With shuffle, the inputs are
 * shuffled with `seed` and the split is stratified (each class split in the ratio frac, a has
 * round(frac * n) inputs); without, a is the first round(frac * n) rows. */
int      rdn_data_split(const Dataset *d, double frac, int shuffle, uint64_t seed, Dataset **a,
                        Dataset **b, RdnErr *err);
Dataset *rdn_data_shuffle(const Dataset *d, uint64_t seed, RdnErr *err);
Dataset *rdn_data_take(const Dataset *d, int64_t start, int64_t count, RdnErr *err);
/* The inputs whose label is one of labels[0..nl) (classes and names kept). */
Dataset *rdn_data_where(const Dataset *d, const int32_t *labels, int nl, RdnErr *err);

enum { RDN_NORM_ZSCORE, RDN_NORM_MINMAX };
/* Per feature, statistics from `like` (d itself when NULL; same dim required):
 * zscore x' = (x - mean) / std (population std), minmax x' = (x - min) / (max - min); a feature
 * with std 0 / max == min is only shifted (x - mean, x - min). */
Dataset *rdn_data_normalize(const Dataset *d, int how, const Dataset *like, RdnErr *err);

enum { RDN_NOISE_GAUSSIAN, RDN_NOISE_UNIFORM, RDN_NOISE_SALTPEPPER };
/* Input i gets its own stream rdn_rng_derive(seed, i, 0):
 * gaussian x + sigma N(0,1); uniform x + U(-sigma, sigma); saltpepper: each entry with
 * probability sigma becomes lo or hi (even odds), lo/hi the smallest/largest entry of d. */
Dataset *rdn_data_perturb(const Dataset *d, int kind, double sigma, uint64_t seed, RdnErr *err);
/* In-place perturbation of rows [0, n) of x (dim columns), stream for row i derived from
 * (seed, first + i): the kernel of rdn_data_perturb, for callers with their own buffers. */
void     rdn_data_perturb_rows(float *x, int64_t n, int dim, int64_t first, int kind,
                               double sigma, float lo, float hi, uint64_t seed);

/* A data set from x ([n, dim] or [n, a, b, ...], flattened) and y ([n], whole numbers >= 0).
 * nclasses = max(1 + largest label, nclasses_min). */
Dataset *rdn_data_from_tensors(const Tensor *x, const Tensor *y, int nclasses_min, RdnErr *err);
/* x / y as new tensors: x [n, dim], y [n] (labels as floats). */
Tensor  *rdn_data_x(const Dataset *d, RdnErr *err);
Tensor  *rdn_data_y(const Dataset *d, RdnErr *err);
/* Sets d->source (printf-style), replacing the old one. */
void     rdn_data_set_source(Dataset *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The name of class c ("3" when the set has no names); valid until d changes. */
const char *rdn_data_class_name(const Dataset *d, int c, char buf[24]);

#endif
