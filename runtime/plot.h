/* plot.h: line plots as data (series of x, y points) and the gnuplot script that draws them.
 * The script is written by rdn_plot_script alone (no process, no file), so it can be tested
 * byte for byte; interp/bi_plot.c builds the series from a script's values and runs gnuplot. */
#ifndef RDN_PLOT_H
#define RDN_PLOT_H
#include <stdint.h>
#include <stdio.h>

#define PLOT_MAX_LINES 1000

typedef struct PlotSeries {
    char *title;          /* owned; NULL: no legend entry */
    int64_t n;
    double *x, *y;        /* [n] each, owned */
    double *e;            /* [n] owned, the half-widths of error bars at y; NULL: no bars */
} PlotSeries;

typedef struct Plot {
    PlotSeries *s;        /* [ns] */
    int ns, cap;
} Plot;

typedef enum PlotTerm { PLOT_DUMB, PLOT_SVG, PLOT_PNG } PlotTerm;

/* How the plot is drawn; every string is borrowed, NULL when not set. */
typedef struct PlotStyle {
    PlotTerm term;        /* PLOT_DUMB: text in the terminal, 79 x 24 */
    const char *output;   /* the file gnuplot writes (svg/png), NULL for the terminal */
    const char *title, *xlabel, *ylabel;
    int logy;             /* y on a log scale */
} PlotStyle;

void rdn_plot_free(Plot *p);
/* A new series of n points (x, y zeroed) taking ownership of title, or NULL when out of memory
 * (title freed). */
PlotSeries *rdn_plot_add(Plot *p, int64_t n, char *title);
/* Gives s error bars: s->e, n zeros. 0, or -1 when out of memory. */
int rdn_plot_add_err(PlotSeries *s);
/* The number of points gnuplot can draw: x and y finite (and y > 0 with logy). */
int64_t rdn_plot_drawable(const Plot *p, int logy);
/* Writes the whole gnuplot script (terminal, labels, one inline data block $dI per series, one
 * plot command) to f. Strings are single-quoted gnuplot strings (newlines become spaces);
 * non-finite numbers are written as NaN, which gnuplot skips. A series with error bars has a
 * third column (the half-width; a non-finite one is written 0: the point, no bar) and is drawn
 * `with yerrorlines`. Returns 0, -1 if a write failed. */
int rdn_plot_script(FILE *f, const Plot *p, const PlotStyle *st);

#endif
