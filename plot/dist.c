/* The panels of `nrnc plot` that have no time axis: distributions over the neurons of each
 * recorded population (the ISI histogram, the rate distribution), from the per-neuron
 * counts load.c keeps while it reads every spike, and, when `nrnc stats --pca` left
 * pca_*.csv files in the folder, each analysis's explained variance per component and its
 * trajectory in the plane of the first two components.
 *
 * ISIs are binned on a log scale (PLOT_ISI_PER_DECADE bins a decade from
 * PLOT_ISI_MIN_MS), the axis showing log10 of the ISI in ms; each population's histogram
 * is normalised to a fraction of its ISIs, so populations of different sizes compare.
 * Rates are each neuron's spike count over the simulated time, in DIST_RATE_BINS bins
 * from 0 to the highest rate. Lines are <path> elements (the raster and the time panels
 * own the polylines and circles). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

enum { DIST_RATE_BINS = 30 };

/* n points as one path, skipping non-finite ones. */
static void path_line(FILE *f, const Frame *fr, const double *x, const double *y, size_t n,
                      const char *colour)
{
    bool open = false;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(x[k]) || !isfinite(y[k]))
            continue;
        char xs[32], ys[32];
        plot_fmt_coord(xs, sizeof xs, plot_fx(fr, x[k]));
        plot_fmt_coord(ys, sizeof ys, plot_fy(fr, y[k]));
        if (!open)
            fputs("<path d=\"", f);
        fprintf(f, "%s%s %s", open ? "L" : "M", xs, ys);
        open = true;
    }
    if (open)
        fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", colour);
}

/* A histogram of nb bins from x0, each `w` wide, as a step line. */
static void step_line(FILE *f, const Frame *fr, const double *h, int nb, double x0, double w,
                      const char *colour)
{
    double *x = plot_xrealloc(NULL, 4 * (size_t)nb * sizeof *x), *y = x + 2 * nb;
    for (int b = 0; b < nb; b++) {
        x[2 * b] = x0 + b * w;
        x[2 * b + 1] = x0 + (b + 1) * w;
        y[2 * b] = y[2 * b + 1] = h[b];
    }
    path_line(f, fr, x, y, 2 * (size_t)nb, colour);
    free(x);
}

static void legend_entry(FILE *f, const Frame *fr, int k, const char *colour, const char *label)
{
    double x = fr->x + fr->w + 10, y = fr->y + 14 + 12 * k;
    fprintf(f, "<path d=\"M%g %gh14\" stroke=\"%s\" stroke-width=\"2\"/>", x, y, colour);
    char attrs[64];
    snprintf(attrs, sizeof attrs, "font-size=\"10\" fill=\"%s\"", colour);
    plot_svg_text(f, x + 18, y + 3, attrs, label);
}

static Frame begin(Page *pg, const char *title, double x0, double x1, double y1)
{
    Frame fr = plot_panel_begin(pg, PLOT_DIST_H, title);
    fr.x0 = x0;
    fr.x1 = x1 > x0 ? x1 : x0 + 1;
    fr.y0 = 0;
    fr.y1 = y1 > 0 ? y1 * 1.05 : 1;
    return fr;
}

bool plot_has_isi(const PlotData *d)
{
    for (int p = 0; p < d->npops; p++)
        if (d->pops[p].isis > 0)
            return true;
    return false;
}

bool plot_has_rates_dist(const PlotData *d)
{
    for (int p = 0; p < d->npops; p++)
        if (d->pops[p].count)
            return true;
    return false;
}

void plot_isi_panel(Page *pg)
{
    const PlotData *d = pg->d;
    double h[PLOT_ISI_BINS], top = 0;
    for (int p = 0; p < d->npops; p++)
        for (int b = 0; d->pops[p].isis > 0 && b < PLOT_ISI_BINS; b++)
            top = fmax(top, d->pops[p].isi_hist[b] / (double)d->pops[p].isis);
    double lo = log10(PLOT_ISI_MIN_MS), w = 1.0 / PLOT_ISI_PER_DECADE;
    Frame fr = begin(pg, "ISI histogram per population (log bins, 12 a decade)", lo,
                     lo + PLOT_ISI_BINS * w, top);
    plot_svg_axes(pg->f, &fr, "fraction of ISIs", true);
    int shown = 0;
    for (int p = 0; p < d->npops; p++) {
        const PlotPop *pp = &d->pops[p];
        if (pp->isis <= 0)
            continue;
        for (int b = 0; b < PLOT_ISI_BINS; b++)
            h[b] = pp->isi_hist[b] / (double)pp->isis;
        step_line(pg->f, &fr, h, PLOT_ISI_BINS, lo, w, plot_colour(p));
        if (shown < PLOT_MAX_LINES)
            legend_entry(pg->f, &fr, shown++, plot_colour(p), pp->name);
    }
    plot_svg_xlabel(pg->f, &fr, "log10 ISI (ms)");
    plot_panel_close(pg, &fr);
}

static double run_seconds(const PlotData *d)
{
    double ms = isfinite(d->simulated_ms) && d->simulated_ms > 0 ? d->simulated_ms : d->t_max;
    return ms > 0 ? ms * 1e-3 : 1;
}

void plot_rate_dist_panel(Page *pg)
{
    const PlotData *d = pg->d;
    double secs = run_seconds(d), hi = 0, top = 0;
    for (int p = 0; p < d->npops; p++)
        for (long long i = 0; d->pops[p].count && i < d->pops[p].size; i++)
            hi = fmax(hi, (double)d->pops[p].count[i] / secs);
    double w = (hi > 0 ? hi : 1) / DIST_RATE_BINS * (1 + 1e-9);
    double h[DIST_RATE_BINS];
    double *all = plot_xrealloc(NULL, (size_t)d->npops * DIST_RATE_BINS * sizeof *all);
    for (int p = 0; p < d->npops; p++) {
        const PlotPop *pp = &d->pops[p];
        double *hp = all + (size_t)p * DIST_RATE_BINS;
        memset(hp, 0, DIST_RATE_BINS * sizeof *hp);
        for (long long i = 0; pp->count && i < pp->size; i++) {
            int b = (int)((double)pp->count[i] / secs / w);
            hp[b < DIST_RATE_BINS ? b : DIST_RATE_BINS - 1] += 1.0 / (double)pp->size;
        }
        for (int b = 0; b < DIST_RATE_BINS; b++)
            top = fmax(top, hp[b]);
    }
    Frame fr = begin(pg, "Rate distribution over neurons (spikes / simulated time)", 0,
                     w * DIST_RATE_BINS, top);
    plot_svg_axes(pg->f, &fr, "fraction of neurons", true);
    int shown = 0;
    for (int p = 0; p < d->npops; p++) {
        if (!d->pops[p].count)
            continue;
        memcpy(h, all + (size_t)p * DIST_RATE_BINS, sizeof h);
        step_line(pg->f, &fr, h, DIST_RATE_BINS, 0, w, plot_colour(p));
        if (shown < PLOT_MAX_LINES)
            legend_entry(pg->f, &fr, shown++, plot_colour(p), d->pops[p].name);
    }
    free(all);
    plot_svg_xlabel(pg->f, &fr, "rate (Hz)");
    plot_panel_close(pg, &fr);
}

/* The range of n values (finite), for an axis. */
static void range(const double *v, size_t n, size_t stride, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (isfinite(v[k * stride])) {
            *lo = fmin(*lo, v[k * stride]);
            *hi = fmax(*hi, v[k * stride]);
        }
    if (!(*lo <= *hi)) {
        *lo = 0;
        *hi = 1;
    }
    if (*hi - *lo < 1e-12) {
        *lo -= 1;
        *hi += 1;
    }
}

void plot_pca_panels(Page *pg, const PlotPca *pc)
{
    char title[300];
    double lo, hi;
    /* explained variance: each component's ratio and the cumulative one */
    double *cum = plot_xrealloc(NULL, (pc->n + 1) * sizeof *cum);
    for (size_t k = 0; k < pc->n; k++)
        cum[k] = (k ? cum[k - 1] : 0) + pc->ratio[k];
    range(pc->comp, pc->n, 1, &lo, &hi);
    snprintf(title, sizeof title, "PCA of %.100s: explained variance per component (pca_%.100s_"
             "variance.csv)", pc->name, pc->name);
    Frame fr = begin(pg, title, fmin(lo, 1) - 0.5, hi + 0.5, 1);
    plot_svg_axes(pg->f, &fr, "explained ratio", true);
    path_line(pg->f, &fr, pc->comp, pc->ratio, pc->n, plot_colour(0));
    path_line(pg->f, &fr, pc->comp, cum, pc->n, plot_colour(1));
    legend_entry(pg->f, &fr, 0, plot_colour(0), "each");
    legend_entry(pg->f, &fr, 1, plot_colour(1), "cumulative");
    plot_svg_xlabel(pg->f, &fr, "component");
    plot_panel_close(pg, &fr);
    free(cum);
    /* the trajectory in the (pc1, pc2) plane */
    const PlotTrace *tr = &pc->proj;
    if (tr->nsel < 2)
        return;
    double ylo, yhi;
    range(tr->v, tr->n, (size_t)tr->nsel, &lo, &hi);
    range(tr->v + 1, tr->n, (size_t)tr->nsel, &ylo, &yhi);
    snprintf(title, sizeof title, "PCA of %.100s: trajectory in the plane of pc1 and pc2 "
             "(pca_%.100s.csv, %zu samples)", pc->name, pc->name, tr->n);
    fr = plot_panel_begin(pg, PLOT_DIST_H, title);
    fr.x0 = lo;
    fr.x1 = hi;
    fr.y0 = ylo;
    fr.y1 = yhi;
    plot_svg_axes(pg->f, &fr, "pc2", true);
    double *x = plot_xrealloc(NULL, (tr->n + 1) * 2 * sizeof *x), *y = x + tr->n + 1;
    for (size_t k = 0; k < tr->n; k++) {
        x[k] = tr->v[k * (size_t)tr->nsel];
        y[k] = tr->v[k * (size_t)tr->nsel + 1];
    }
    path_line(pg->f, &fr, x, y, tr->n, plot_colour(2));
    free(x);
    plot_svg_xlabel(pg->f, &fr, "pc1");
    plot_panel_close(pg, &fr);
}
