/* kernel_spec.c: `rdn kernel --install [--user | --prefix DIR]` writes the kernelspec (kernel.json
 * and two logos drawn here, so nothing is fetched or generated at build time) where
 * `jupyter kernelspec list` finds it; `rdn kernel --export NOTEBOOK.ipynb` prints the notebook's
 * code cells, in order, as an .rdn program. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "kernel.h"

/* ---- the logo: a chain of three layers with a skip connection around the middle one ---- */

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double vx = bx - ax, vy = by - ay, t = ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - ax - t * vx, py - ay - t * vy);
}

/* colour at (x, y) in the unit square: 0 transparent, 1 background, 2 white, 3 the skip (orange) */
static int logo_at(double x, double y)
{
    const double cx = 0.38, r = 0.29;
    double d = hypot(x - cx, y - 0.5);
    if (x > cx && fabs(d - r) < 0.045) return 3;
    for (int i = 0; i < 3; i++)
        if (hypot(x - cx, y - (0.21 + 0.29 * i)) < 0.085) return 2;
    if (seg_dist(x, y, cx, 0.21, cx, 0.79) < 0.03) return 2;
    double qx = fabs(x - 0.5) - 0.3, qy = fabs(y - 0.5) - 0.3;     /* rounded square, radius 0.2 */
    double out = hypot(qx > 0 ? qx : 0, qy > 0 ? qy : 0) + fmin(fmax(qx, qy), 0) - 0.2;
    return out < 0 ? 1 : 0;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static int chunk(FILE *f, const char *type, const unsigned char *data, uint32_t n)
{
    unsigned char h[8];
    put32(h, n);
    memcpy(h + 4, type, 4);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (n) crc = crc32(crc, data, n);
    unsigned char c[4];
    put32(c, (uint32_t)crc);
    return fwrite(h, 1, 8, f) != 8 || (n && fwrite(data, 1, n, f) != n) || fwrite(c, 1, 4, f) != 4;
}

/* An RGBA PNG of the logo, size x size, antialiased by 4x4 supersampling. 0 ok. */
static int write_logo(const char *path, int size)
{
    static const double rgb[4][3] = {{0, 0, 0}, {31, 78, 121}, {255, 255, 255}, {255, 166, 0}};
    size_t row = 1 + 4 * (size_t)size, raw_n = row * (size_t)size;
    unsigned char *raw = calloc(raw_n, 1);
    uLongf zn = compressBound((uLong)raw_n);
    unsigned char *z = malloc(zn);
    if (!raw || !z) abort();
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            double acc[3] = {0, 0, 0}, a = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++) {
                    int k = logo_at((x + (sx + 0.5) / 4) / size, (y + (sy + 0.5) / 4) / size);
                    if (!k) continue;
                    for (int c = 0; c < 3; c++) acc[c] += rgb[k][c];
                    a += 1;
                }
            unsigned char *p = raw + (size_t)y * row + 1 + 4 * (size_t)x;
            for (int c = 0; c < 3; c++) p[c] = a ? (unsigned char)lround(acc[c] / a) : 0;
            p[3] = (unsigned char)lround(255 * a / 16);
        }
    int bad = compress2(z, &zn, raw, (uLong)raw_n, 9) != Z_OK;
    char tmp[PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = bad ? NULL : fopen(tmp, "wb");
    if (f) {
        unsigned char ihdr[13] = {0};
        put32(ihdr, (uint32_t)size);
        put32(ihdr + 4, (uint32_t)size);
        ihdr[8] = 8;
        ihdr[9] = 6;                             /* RGBA */
        bad = fwrite("\x89PNG\r\n\x1a\n", 1, 8, f) != 8 || chunk(f, "IHDR", ihdr, 13) ||
              chunk(f, "IDAT", z, (uint32_t)zn) || chunk(f, "IEND", NULL, 0);
        bad |= fclose(f) != 0;
        if (!bad) bad = rename(tmp, path) != 0;
        if (bad) unlink(tmp);
    } else {
        bad = 1;
    }
    free(raw);
    free(z);
    return bad ? -1 : 0;
}

/* ---- --install ---- */

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int r = mkdir(path, 0755);
        *p = '/';
        if (r && errno != EEXIST) return -1;
    }
    return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

static int install_error(const char *what, const char *path)
{
    fprintf(stderr, "rdn: error: kernel --install: cannot write %s: %s\n", path, strerror(errno));
    (void)what;
    return ERR_RUNTIME;
}

int kernel_install(int argc, char **argv)
{
    const char *prefix = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--user") == 0) prefix = NULL;
        else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc && argv[i + 1][0]) prefix = argv[++i];
        else {
            fprintf(stderr, "rdn: error: usage: rdn kernel --install [--user | --prefix DIR] (found '%s')\n", argv[i]);
            return ERR_USAGE;
        }
    }
    char dir[PATH_MAX];
    const char *jd = getenv("JUPYTER_DATA_DIR"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (prefix) snprintf(dir, sizeof dir, "%s/share/jupyter/kernels/rdn", prefix);
    else if (jd && *jd) snprintf(dir, sizeof dir, "%s/kernels/rdn", jd);
    else if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/jupyter/kernels/rdn", xdg);
    else if (home && *home) snprintf(dir, sizeof dir, "%s/.local/share/jupyter/kernels/rdn", home);
    else {
        fprintf(stderr, "rdn: error: kernel --install: no HOME; give --prefix DIR\n");
        return ERR_USAGE;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "rdn: error: kernel --install: cannot find rdn's own path\n");
        return ERR_RUNTIME;
    }
    exe[n] = 0;
    if (mkdirs(dir)) return install_error("the folder", dir);
    json_t *spec = json_pack("{s:[s, s, s], s:s, s:s, s:s, s:{}}", "argv", exe, "kernel", "{connection_file}",
                             "display_name", "rdn", "language", "rdn", "interrupt_mode", "signal", "env");
    char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
    snprintf(path, sizeof path, "%s/kernel.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int bad = json_dump_file(spec, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 || rename(tmp, path) != 0;
    json_decref(spec);
    if (bad) {
        unlink(tmp);
        return install_error("kernel.json", path);
    }
    for (int s = 32; s <= 64; s *= 2) {
        int k = snprintf(path, sizeof path, "%s/logo-%dx%d.png", dir, s, s);
        if (k < 0 || (size_t)k >= sizeof path || write_logo(path, s)) return install_error("a logo", path);
    }
    printf("installed the rdn kernelspec in %s\n", dir);
    return 0;
}

/* ---- --export ---- */

int kernel_export(const char *ipynb, FILE *out)
{
    json_error_t jerr;
    json_t *nb = json_load_file(ipynb, 0, &jerr);
    if (!nb) {
        if (access(ipynb, R_OK) != 0)
            fprintf(stderr, "rdn: error: kernel --export: cannot read '%s': %s\n", ipynb, strerror(errno));
        else
            fprintf(stderr, "%s:%d:%d: error: not a notebook (JSON: %s)\n", ipynb, jerr.line, jerr.column, jerr.text);
        return ERR_USAGE;
    }
    json_t *cells = json_object_get(nb, "cells");
    if (!json_is_array(cells)) {
        fprintf(stderr, "%s: error: not a notebook: no \"cells\" list (nbformat 4 is read)\n", ipynb);
        json_decref(nb);
        return ERR_USAGE;
    }
    const char *base = strrchr(ipynb, '/');
    fprintf(out, "# %s: its code cells in order (rdn kernel --export)\n", base ? base + 1 : ipynb);
    size_t i;
    json_t *c;
    int k = 0;
    json_array_foreach(cells, i, c) {
        if (!json_is_string(json_object_get(c, "cell_type")) ||
            strcmp(json_string_value(json_object_get(c, "cell_type")), "code") != 0)
            continue;
        json_t *src = json_object_get(c, "source");
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m) abort();
        if (json_is_string(src)) {
            fputs(json_string_value(src), m);
        } else if (json_is_array(src)) {
            size_t j;
            json_t *l;
            json_array_foreach(src, j, l) if (json_is_string(l)) fputs(json_string_value(l), m);
        }
        fclose(m);
        size_t e = len;
        while (e > 0 && (text[e - 1] == '\n' || text[e - 1] == ' ')) e--;
        k++;
        if (e > 0) fprintf(out, "\n# In[%d]\n%.*s\n", k, (int)e, text);
        free(text);
    }
    json_decref(nb);
    return fflush(out) == 0 ? 0 : ERR_RUNTIME;
}
