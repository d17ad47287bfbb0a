/* test_plot.c: the gnuplot script writer (runtime/plot.c), byte for byte, without gnuplot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "plot.h"

/* The script of p drawn with st, malloc'd. */
static char *script_of(const Plot *p, const PlotStyle *st, int *rc)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    *rc = rdn_plot_script(f, p, st);
    fclose(f);
    return s;
}

static void check_script(const Plot *p, const PlotStyle *st, const char *want, const char *what)
{
    int rc = -1;
    char *got = script_of(p, st, &rc);
    CHECK(rc == 0, "%s: rdn_plot_script returned %d", what, rc);
    CHECK(got && strcmp(got, want) == 0, "%s: got\n%s\nwanted\n%s", what, got ? got : "(null)",
          want);
    free(got);
}

/* One line in the terminal: no legend, no grid, NaN kept as NaN. */
static void test_dumb(void)
{
    Plot p = {0};
    PlotSeries *s = rdn_plot_add(&p, 3, NULL);
    CHECK(s != NULL, "add");
    if (!s) return;
    for (int i = 0; i < 3; i++) s->x[i] = i;
    s->y[0] = 0.5;
    s->y[1] = NAN;
    s->y[2] = 1e-12;
    PlotStyle st = {PLOT_DUMB, NULL, NULL, NULL, NULL, 0};
    check_script(&p, &st,
                 "set terminal dumb size 79,24 noenhanced\n"
                 "set key outside right top noautotitle\n"
                 "$d0 << EOD\n0 0.5\n1 NaN\n2 1e-12\nEOD\n"
                 "plot $d0 using 1:2 with lines lw 1\n",
                 "dumb");
    CHECK(rdn_plot_drawable(&p, 0) == 2, "drawable: %lld", (long long)rdn_plot_drawable(&p, 0));
    rdn_plot_free(&p);
}

/* Two titled lines into an SVG file: quotes doubled, newlines flattened, labels, log scale. */
static void test_svg(void)
{
    Plot p = {0};
    PlotSeries *a = rdn_plot_add(&p, 1, strdup("it's a"));
    PlotSeries *b = rdn_plot_add(&p, 2, strdup("two\nlines"));
    CHECK(a && b, "add");
    if (!a || !b) return;
    a->x[0] = 1;
    a->y[0] = -2;
    b->x[0] = 0.25;
    b->y[0] = INFINITY;
    b->x[1] = 3;
    b->y[1] = 123456789.5;
    PlotStyle st = {PLOT_SVG, "out/f.svg", "Title 'q'", "layer", "norm", 1};
    check_script(&p, &st,
                 "set terminal svg size 720,450 fixed noenhanced font 'sans,11' background "
                 "'#ffffff'\n"
                 "set output 'out/f.svg'\n"
                 "set title 'Title ''q'''\n"
                 "set xlabel 'layer'\n"
                 "set ylabel 'norm'\n"
                 "set logscale y\n"
                 "set grid lc rgb '#dddddd'\n"
                 "set key outside right top noautotitle\n"
                 "$d0 << EOD\n1 -2\nEOD\n"
                 "$d1 << EOD\n0.25 NaN\n3 123456790\nEOD\n"
                 "plot $d0 using 1:2 with lines lw 1.5 title 'it''s a', "
                 "$d1 using 1:2 with lines lw 1.5 title 'two lines'\n"
                 "unset output\n",
                 "svg");
    /* with logy only positive finite y count: -2 and inf do not */
    CHECK(rdn_plot_drawable(&p, 1) == 1, "drawable logy: %lld", (long long)rdn_plot_drawable(&p, 1));
    rdn_plot_free(&p);
    CHECK(p.ns == 0 && p.s == NULL, "free resets the plot");
}

static void test_png(void)
{
    Plot p = {0};
    PlotSeries *s = rdn_plot_add(&p, 0, strdup("empty"));
    CHECK(s != NULL, "add");
    PlotStyle st = {PLOT_PNG, "a.png", NULL, NULL, NULL, 0};
    check_script(&p, &st,
                 "set terminal pngcairo size 720,450 noenhanced font 'sans,10' background "
                 "'#ffffff'\n"
                 "set output 'a.png'\n"
                 "set grid lc rgb '#dddddd'\n"
                 "set key outside right top noautotitle\n"
                 "$d0 << EOD\nEOD\n"
                 "plot $d0 using 1:2 with lines lw 1.5 title 'empty'\n"
                 "unset output\n",
                 "png");
    CHECK(rdn_plot_drawable(&p, 0) == 0, "nothing drawable");
    rdn_plot_free(&p);
}

/* Error bars: a third column (a NaN half-width written 0), drawn with yerrorlines; a series
 * without bars beside it keeps its two columns. */
static void test_err(void)
{
    Plot p = {0};
    PlotSeries *a = rdn_plot_add(&p, 3, strdup("depth=2"));
    PlotSeries *b = rdn_plot_add(&p, 1, NULL);
    CHECK(a && b && rdn_plot_add_err(a) == 0, "add");
    if (!a || !b || !a->e) return;
    for (int i = 0; i < 3; i++) {
        a->x[i] = i + 1;
        a->y[i] = 0.5 + 0.125 * i;
        a->e[i] = 0.03125 * i;
    }
    a->e[0] = NAN;
    b->x[0] = 1;
    b->y[0] = 2;
    PlotStyle st = {PLOT_SVG, "e.svg", NULL, NULL, NULL, 0};
    check_script(&p, &st,
                 "set terminal svg size 720,450 fixed noenhanced font 'sans,11' background "
                 "'#ffffff'\n"
                 "set output 'e.svg'\n"
                 "set grid lc rgb '#dddddd'\n"
                 "set key outside right top noautotitle\n"
                 "set offsets graph 0.05, graph 0.05, 0, 0\n"
                 "$d0 << EOD\n1 0.5 0\n2 0.625 0.03125\n3 0.75 0.0625\nEOD\n"
                 "$d1 << EOD\n1 2\nEOD\n"
                 "plot $d0 using 1:2:3 with yerrorlines lw 1.5 title 'depth=2', "
                 "$d1 using 1:2 with lines lw 1.5\n"
                 "unset output\n",
                 "err");
    rdn_plot_free(&p);
}

int main(void)
{
    test_err();
    test_dumb();
    test_svg();
    test_png();
    return DONE();
}
