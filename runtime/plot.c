/* plot.c: the series of a line plot and the gnuplot script that draws them (plot.h). */
#include "plot.h"
#include <math.h>
#include <stdlib.h>

void rdn_plot_free(Plot *p)
{
    for (int i = 0; i < p->ns; i++) {
        free(p->s[i].title);
        free(p->s[i].x);
        free(p->s[i].y);
        free(p->s[i].e);
    }
    free(p->s);
    p->s = NULL;
    p->ns = p->cap = 0;
}

PlotSeries *rdn_plot_add(Plot *p, int64_t n, char *title)
{
    if (p->ns == p->cap) {
        int nc = p->cap ? 2 * p->cap : 8;
        PlotSeries *s = realloc(p->s, (size_t)nc * sizeof *s);
        if (!s) { free(title); return NULL; }
        p->s = s;
        p->cap = nc;
    }
    PlotSeries *s = &p->s[p->ns];
    s->title = title;
    s->n = n;
    s->e = NULL;
    s->x = calloc((size_t)(n ? n : 1), sizeof *s->x);
    s->y = calloc((size_t)(n ? n : 1), sizeof *s->y);
    if (!s->x || !s->y) {
        free(s->x); free(s->y); free(title);
        return NULL;
    }
    p->ns++;
    return s;
}

int rdn_plot_add_err(PlotSeries *s)
{
    s->e = calloc((size_t)(s->n ? s->n : 1), sizeof *s->e);
    return s->e ? 0 : -1;
}

int64_t rdn_plot_drawable(const Plot *p, int logy)
{
    int64_t drawable = 0;
    for (int i = 0; i < p->ns; i++)
        for (int64_t j = 0; j < p->s[i].n; j++)
            drawable += isfinite(p->s[i].x[j]) && isfinite(p->s[i].y[j]) &&
                        (!logy || p->s[i].y[j] > 0);
    return drawable;
}

/* gnuplot's single-quoted string: '' is a quote; newlines become spaces. */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputs("''", f);
        else if (*s == '\n' || *s == '\r') fputc(' ', f);
        else fputc(*s, f);
    }
    fputc('\'', f);
}

static void gp_num(FILE *f, double v)
{
    if (!isfinite(v)) fputs("NaN", f);
    else fprintf(f, "%.9g", v);
}

static void gp_set_str(FILE *f, const char *what, const char *s)
{
    if (!s) return;
    fprintf(f, "set %s ", what);
    gp_str(f, s);
    fputc('\n', f);
}

/* Terminal, output, labels and axes. */
static void gp_header(FILE *f, const PlotStyle *st)
{
    if (st->term == PLOT_SVG)
        fputs("set terminal svg size 720,450 fixed noenhanced font 'sans,11' background "
              "'#ffffff'\n", f);
    else if (st->term == PLOT_PNG)
        fputs("set terminal pngcairo size 720,450 noenhanced font 'sans,10' background "
              "'#ffffff'\n", f);
    else
        fputs("set terminal dumb size 79,24 noenhanced\n", f);
    gp_set_str(f, "output", st->output);
    gp_set_str(f, "title", st->title);
    gp_set_str(f, "xlabel", st->xlabel);
    gp_set_str(f, "ylabel", st->ylabel);
    if (st->logy) fputs("set logscale y\n", f);
    if (st->term != PLOT_DUMB) fputs("set grid lc rgb '#dddddd'\n", f);
    fputs("set key outside right top noautotitle\n", f);
}

int rdn_plot_script(FILE *f, const Plot *p, const PlotStyle *st)
{
    gp_header(f, st);
    int bars = 0;
    for (int i = 0; i < p->ns; i++) bars |= p->s[i].e != NULL;
    if (bars) fputs("set offsets graph 0.05, graph 0.05, 0, 0\n", f);   /* bars off the axes */
    for (int i = 0; i < p->ns; i++) {
        fprintf(f, "$d%d << EOD\n", i);
        for (int64_t j = 0; j < p->s[i].n; j++) {
            gp_num(f, p->s[i].x[j]);
            fputc(' ', f);
            gp_num(f, p->s[i].y[j]);
            if (p->s[i].e) {
                fputc(' ', f);
                gp_num(f, isfinite(p->s[i].e[j]) ? p->s[i].e[j] : 0);
            }
            fputc('\n', f);
        }
        fputs("EOD\n", f);
    }
    fputs("plot ", f);
    for (int i = 0; i < p->ns; i++) {
        fprintf(f, "%s$d%d using %s lw %s", i ? ", " : "", i,
                p->s[i].e ? "1:2:3 with yerrorlines" : "1:2 with lines",
                st->term == PLOT_DUMB ? "1" : "1.5");
        if (p->s[i].title) {
            fputs(" title ", f);
            gp_str(f, p->s[i].title);
        }
    }
    fputs("\n", f);
    if (st->output) fputs("unset output\n", f);
    return ferror(f) ? -1 : 0;
}
