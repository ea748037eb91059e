/* bench_plot: the suite's figure of time against network size, drawn with nrnc's own SVG
 * code (plot/svg.c: frames, round ticks, axes, polylines, the palette), so that the
 * benchmark figure looks like `nrnc plot`'s panels and no second plotter exists.
 *
 *   bench_plot TITLE < points.csv > figure.svg
 *
 * Input: CSV lines "series,N,seconds" (a header line starting with "series" is skipped),
 * one point per line, the series in the order they first appear (at most PLOT_MAX_LINES).
 * Output: two panels sharing the N axis: the loop time in seconds, and the same divided
 * by N and by the steps (ns per neuron-step; the input is seconds of loop per second of
 * biological time, i.e. per 10,000 steps at dt 0.1 ms), which
 * shows the small sizes that the first panel crowds into its corner. Each point gets a
 * dot; points are joined in increasing N.
 *
 * Built by bench/suite.sh against build/plot/libnrnplot.a; not part of the test suite. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

enum { MAX_POINTS = 64, PANEL_H = 260, TOP = 50, GAP = 70, STEPS = 10000 };

typedef struct Series {
    char name[64];
    int n;
    double x[MAX_POINTS], y[MAX_POINTS];
} Series;

/* Inserts (x, y) keeping x increasing. */
static void add_point(Series *s, double x, double y)
{
    if (s->n == MAX_POINTS)
        return;
    int k = s->n++;
    while (k > 0 && s->x[k - 1] > x) {
        s->x[k] = s->x[k - 1];
        s->y[k] = s->y[k - 1];
        k--;
    }
    s->x[k] = x;
    s->y[k] = y;
}

static int read_points(FILE *in, Series *series)
{
    char line[256];
    int ns = 0;
    while (fgets(line, sizeof line, in)) {
        char name[64];
        double x, y;
        if (strncmp(line, "series", 6) == 0 || sscanf(line, "%63[^,],%lf,%lf", name, &x, &y) != 3)
            continue;
        if (!isfinite(x) || !isfinite(y))
            continue;
        int k = 0;
        while (k < ns && strcmp(series[k].name, name) != 0)
            k++;
        if (k == ns) {
            if (ns == PLOT_MAX_LINES)
                continue;
            memset(&series[ns], 0, sizeof series[ns]);
            snprintf(series[ns].name, sizeof series[ns].name, "%s", name);
            ns++;
        }
        add_point(&series[k], x, y);
    }
    return ns;
}

/* per_step: y / (x * STEPS) in ns instead of y. */
static double value(const Series *s, int k, bool per_step)
{
    return per_step ? s->y[k] * 1e9 / (s->x[k] * STEPS) : s->y[k];
}

static void panel(FILE *f, const Series *series, int ns, double top, bool per_step,
                  const char *title, const char *ylabel)
{
    Frame fr = { .x = PLOT_LEFT, .y = top + 24, .w = PLOT_WIDTH - PLOT_LEFT - PLOT_RIGHT,
                 .h = PANEL_H, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1e-9 };
    for (int s = 0; s < ns; s++)
        for (int k = 0; k < series[s].n; k++) {
            fr.x1 = fmax(fr.x1, series[s].x[k]);
            fr.y1 = fmax(fr.y1, value(&series[s], k, per_step));
        }
    fr.x1 *= 1.05;
    fr.y1 *= 1.08;
    plot_svg_text(f, fr.x, top + 15, "font-size=\"12\" font-weight=\"bold\"", title);
    plot_svg_axes(f, &fr, ylabel, true);
    for (int s = 0; s < ns; s++) {
        const Series *se = &series[s];
        double y[MAX_POINTS];
        for (int k = 0; k < se->n; k++)
            y[k] = value(se, k, per_step);
        const char *colour = plot_colour(s);
        plot_svg_polyline(f, &fr, se->x, y, (size_t)se->n, 1, colour);
        for (int k = 0; k < se->n; k++)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                    plot_fx(&fr, se->x[k]), plot_fy(&fr, y[k]), colour);
        double ly = fr.y + 14 + 14 * s;
        fprintf(f, "<path d=\"M%g %.1fh14\" stroke=\"%s\" stroke-width=\"2\"/>",
                fr.x + fr.w + 10, ly, colour);
        char attrs[64];
        snprintf(attrs, sizeof attrs, "font-size=\"10\" fill=\"%s\"", colour);
        plot_svg_text(f, fr.x + fr.w + 28, ly + 3, attrs, se->name);
    }
    plot_svg_xlabel(f, &fr, "neurons N (about 80 synapses each)");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: bench_plot TITLE < points.csv > figure.svg\n", stderr);
        return 2;
    }
    static Series series[PLOT_MAX_LINES];
    int ns = read_points(stdin, series);
    if (ns == 0) {
        fputs("bench_plot: no points on stdin\n", stderr);
        return 2;
    }
    double h = TOP + 2 * (24 + PANEL_H + GAP);
    printf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%g\" "
           "viewBox=\"0 0 %d %g\" font-family=\"Helvetica, Arial, sans-serif\" "
           "font-size=\"11\">\n<rect width=\"%d\" height=\"%g\" fill=\"#fff\"/>\n",
           PLOT_WIDTH, h, PLOT_WIDTH, h, PLOT_WIDTH, h);
    plot_svg_text(stdout, PLOT_LEFT, 28, "font-size=\"15\" font-weight=\"bold\"", argv[1]);
    panel(stdout, series, ns, TOP, false,
          "Simulation loop per second of biological time (dt 0.1 ms)", "loop (s)");
    panel(stdout, series, ns, TOP + 24 + PANEL_H + GAP, true, "The same per neuron and step",
          "ns per neuron-step");
    puts("</svg>");
    return ferror(stdout) ? 3 : 0;
}
