/* The spike raster panel: x is time, y is neuron, populations stacked top to bottom in the
 * order summary.json lists them, each in a band of its own colour with its name on the
 * left and its spike count and mean rate on the right.
 *
 * When the run has more than PLOT_MAX_DOTS spikes, load.c kept only neurons whose index is
 * a multiple of `every`, and the title says so. Small rasters get one <circle> per spike
 * (easy to inspect and to count); large ones one <path> per population with a short
 * stroke per dot, and a dot that would land on a pixel already inked is left out, so the
 * file grows with the picture's area, not with the number of spikes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

enum { CIRCLES_MAX = 5000 };

typedef struct Bands {
    long long rows[PLOT_MAX_POPS];     /* indexed by population */
    long long offset[PLOT_MAX_POPS];
    long long total;
} Bands;

static const char *ordinal(int k)
{
    if (k % 100 >= 11 && k % 100 <= 13)
        return "th";
    return k % 10 == 1 ? "st" : k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : "th";
}

static void raster_title(const PlotData *d, char *buf, size_t size)
{
    char total[32], kept[32];
    plot_fmt_count(total, sizeof total, d->total_spikes);
    size_t nkept = 0;
    for (int p = 0; p < d->npops; p++)
        nkept += d->pops[p].n;
    plot_fmt_count(kept, sizeof kept, (long long)nkept);
    const char *src = d->spikes_csv ? "spikes.csv" : "spikes_POP_t.npy";
    if (d->every > 1)
        snprintf(buf, size, "Spike raster (%s): %s spikes; every %d%s neuron shown, %s dots",
                 src, total, d->every, ordinal(d->every), kept);
    else
        snprintf(buf, size, "Spike raster (%s): %s spike%s", src, total,
                 d->total_spikes == 1 ? "" : "s");
    int missing = 0;
    for (int p = 0; p < d->npops; p++) {
        size_t n = strlen(buf);
        if (!d->pops[p].recorded && n + 1 < size)
            snprintf(buf + n, size - n, "%s%s", missing++ ? ", " : "; not recorded: ",
                     d->pops[p].name);
    }
}

static double row_y(const Frame *fr, const Bands *b, double row)
{
    return fr->y + (row + 0.5) * fr->h / (double)b->total;
}

/* Name on the left, count and rate on the right, a line between bands. */
static void band_labels(FILE *f, const PlotData *d, const Frame *fr, const Bands *b, int p)
{
    const PlotPop *pp = &d->pops[p];
    double top = fr->y + (double)b->offset[p] * fr->h / (double)b->total;
    double bottom = fr->y + (double)(b->offset[p] + b->rows[p]) * fr->h / (double)b->total;
    double mid = (top + bottom) / 2;
    if (b->offset[p] > 0)
        fprintf(f, "<path d=\"M%g %.1fH%g\" stroke=\"#999\" stroke-dasharray=\"3 3\"/>\n", fr->x,
                top, fr->x + fr->w);
    if (bottom - top < 10 && b->rows[p] < b->total)
        return;
    char attrs[96], text[96], count[32];
    snprintf(attrs, sizeof attrs, "text-anchor=\"end\" font-weight=\"bold\" fill=\"%s\"",
             plot_colour(p));
    plot_svg_text(f, fr->x - 8, mid + 4, attrs, pp->name);
    if (bottom - top >= 40) {     /* which way the index runs */
        char last[32];
        snprintf(last, sizeof last, "%lld", (b->rows[p] - 1) * d->every);
        plot_svg_text(f, fr->x - 8, top + 11, "text-anchor=\"end\" font-size=\"9\" "
                      "fill=\"#777\"", "0");
        plot_svg_text(f, fr->x - 8, bottom - 3, "text-anchor=\"end\" font-size=\"9\" "
                      "fill=\"#777\"", last);
    }
    plot_fmt_count(count, sizeof count, pp->spikes);
    snprintf(text, sizeof text, "%s spikes", count);
    plot_svg_text(f, fr->x + fr->w + 8, mid - (bottom - top >= 26 ? 2 : -4), "font-size=\"10\"",
                  text);
    double ms = isfinite(d->simulated_ms) && d->simulated_ms > 0 ? d->simulated_ms : d->t_max;
    if (bottom - top >= 26 && ms > 0 && pp->size > 0) {
        snprintf(text, sizeof text, "%lld neurons, %.3g Hz", pp->size,
                 (double)pp->spikes * 1e3 / ((double)pp->size * ms));
        plot_svg_text(f, fr->x + fr->w + 8, mid + 11, "font-size=\"9\" fill=\"#555\"", text);
    }
}

static void circles(FILE *f, const PlotData *d, const Frame *fr, const Bands *b, int p)
{
    const PlotPop *pp = &d->pops[p];
    double r = fmin(2.5, fmax(0.8, 0.35 * fr->h / (double)b->total));
    fprintf(f, "<g fill=\"%s\">\n", plot_colour(p));
    for (size_t k = 0; k < pp->n; k++) {
        char xs[32], ys[32];
        plot_fmt_coord(xs, sizeof xs, plot_fx(fr, pp->t[k]));
        plot_fmt_coord(ys, sizeof ys, row_y(fr, b, (double)(b->offset[p] + pp->i[k] / d->every)));
        fprintf(f, "<circle cx=\"%s\" cy=\"%s\" r=\"%g\"/>\n", xs, ys, r);
    }
    fputs("</g>\n", f);
}

/* One stroke per dot, none where the pixel is inked already. */
static void strokes(FILE *f, const PlotData *d, const Frame *fr, const Bands *b, int p,
                    unsigned char *inked, int w, int h)
{
    const PlotPop *pp = &d->pops[p];
    double sw = fmin(3, fmax(1, fr->h / (double)b->total));
    fprintf(f, "<path stroke=\"%s\" stroke-width=\"%g\" d=\"", plot_colour(p), sw);
    for (size_t k = 0; k < pp->n; k++) {
        double px = floor(plot_fx(fr, pp->t[k]) - fr->x);
        double py = row_y(fr, b, (double)(b->offset[p] + pp->i[k] / d->every));
        if (!(px >= 0 && px < w && py >= fr->y && py < fr->y + h))
            continue;
        int cx = (int)px, cy = (int)(py - fr->y);
        if (inked[(size_t)cy * w + cx])
            continue;
        inked[(size_t)cy * w + cx] = 1;
        char ys[32];
        plot_fmt_coord(ys, sizeof ys, py);
        fprintf(f, "M%d %sh1", cx + (int)fr->x, ys);
    }
    fputs("\"/>\n", f);
}

static void dots(FILE *f, const PlotData *d, const Frame *fr, const Bands *b)
{
    size_t nkept = 0;
    for (int p = 0; p < d->npops; p++)
        nkept += d->pops[p].n;
    if (nkept <= CIRCLES_MAX) {
        for (int p = 0; p < d->npops; p++)
            if (d->pops[p].n > 0)
                circles(f, d, fr, b, p);
        return;
    }
    int w = (int)ceil(fr->w) + 1, h = (int)ceil(fr->h) + 1;
    unsigned char *inked = plot_xrealloc(NULL, (size_t)w * (size_t)h);
    memset(inked, 0, (size_t)w * (size_t)h);
    for (int p = 0; p < d->npops; p++)
        if (d->pops[p].n > 0)
            strokes(f, d, fr, b, p, inked, w, h);
    free(inked);
}

void plot_raster(Page *pg)
{
    const PlotData *d = pg->d;
    char title[256];
    raster_title(d, title, sizeof title);
    Frame fr = plot_panel_begin(pg, PLOT_RASTER_H, title);
    fr.y0 = 0;
    fr.y1 = 1;
    Bands *b = plot_xrealloc(NULL, sizeof *b);
    b->total = 0;
    for (int p = 0; p < d->npops; p++) {
        long long size = d->pops[p].size > 0 ? d->pops[p].size : 1;
        b->offset[p] = b->total;
        b->rows[p] = d->pops[p].recorded ? (size + d->every - 1) / d->every : 0;
        b->total += b->rows[p];
    }
    if (b->total == 0)
        b->total = 1;
    plot_svg_axes(pg->f, &fr, NULL, false);
    fprintf(pg->f, "<g font-size=\"11\">\n");
    for (int p = 0; p < d->npops; p++)
        if (d->pops[p].recorded)
            band_labels(pg->f, d, &fr, b, p);
    fprintf(pg->f, "</g>\n<g clip-path=\"url(#clip%d)\">\n", pg->panels);
    dots(pg->f, d, &fr, b);
    fputs("</g>\n", pg->f);
    if (d->total_spikes == 0)
        plot_svg_text(pg->f, fr.x + fr.w / 2, fr.y + fr.h / 2, "text-anchor=\"middle\" "
                      "fill=\"#999\"", "no spikes");
    free(b);
    plot_panel_end(pg, &fr);
}
