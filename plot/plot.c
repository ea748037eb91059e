/* `nrnc plot`: the page. One SVG, 1000 px wide, panels stacked under a title block:
 *
 *   title      model and network from summary.json, status in colour (completed /
 *              interrupted / failed), duration, dt, seed, spike count, error if any
 *   raster     raster.c; when spikes were recorded
 *   traces     one panel per trace file, each recorded neuron a polyline (at most
 *              PLOT_MAX_LINES, evenly chosen), y axis "VAR (UNIT)", legend on the right
 *   rates      the rate_POP files, or else a histogram of spikes.csv (1% of the duration,
 *              a whole number of steps), the bin named in the title
 *   dist.c     below the time axis: ISI histograms and rate distributions per population,
 *              and the panels of any pca_*.csv files that `nrnc stats --pca` wrote
 *
 * Every panel shares the time axis [0, duration], so a stopped run shows where it stopped
 * (a dashed line) and how much is missing. The file is written in one pass after all data
 * are loaded; a write error removes the partial file and gives exit code 3. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "plot_int.h"

enum { TITLE_H = 70, PANEL_TITLE_H = 24, PANEL_FOOT_H = 40, TRACE_H = 180, RATE_H = 170 };

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

Frame plot_panel_begin(Page *pg, double h, const char *title)
{
    Frame fr = { .x = PLOT_LEFT, .y = pg->top + PANEL_TITLE_H, .h = h,
                 .w = PLOT_WIDTH - PLOT_LEFT - PLOT_RIGHT, .x0 = pg->x0, .x1 = pg->x1 };
    pg->panels++;
    fprintf(pg->f, "<g class=\"panel\">\n<clipPath id=\"clip%d\"><rect x=\"%g\" y=\"%g\" "
            "width=\"%g\" height=\"%g\"/></clipPath>\n", pg->panels, fr.x, fr.y, fr.w, fr.h);
    plot_svg_text(pg->f, fr.x, pg->top + 15, "font-size=\"12\" font-weight=\"bold\"", title);
    return fr;
}

static bool stopped_early(const PlotData *d)
{
    return d->status && strcmp(d->status, "completed") != 0 && isfinite(d->simulated_ms);
}

void plot_panel_end(Page *pg, const Frame *fr)
{
    const PlotData *d = pg->d;
    if (stopped_early(d) && d->simulated_ms >= fr->x0 && d->simulated_ms <= fr->x1) {
        double x = plot_fx(fr, d->simulated_ms);
        fprintf(pg->f, "<path d=\"M%.1f %gv%g\" stroke=\"#c00\" stroke-dasharray=\"5 3\"/>\n", x,
                fr->y, fr->h);
        plot_svg_text(pg->f, x - 4, fr->y + 12, "text-anchor=\"end\" font-size=\"10\" "
                      "fill=\"#c00\"", "stopped");
    }
    plot_panel_close(pg, fr);
}

void plot_panel_close(Page *pg, const Frame *fr)
{
    fputs("</g>\n", pg->f);
    pg->top = fr->y + fr->h + PANEL_FOOT_H;
}

/* ---- title -------------------------------------------------------------------------- */

static const char *status_colour(const char *status)
{
    if (!status)
        return "#777";
    return strcmp(status, "completed") == 0 ? "#2a7d2a"
         : strcmp(status, "interrupted") == 0 ? "#c60" : "#c00";
}

static void run_facts(const PlotData *d, char *buf, size_t size)
{
    char part[160];
    buf[0] = '\0';
    if (isfinite(d->duration_ms)) {
        snprintf(part, sizeof part, "%g ms", d->duration_ms);
        strncat(buf, part, size - strlen(buf) - 1);
    }
    if (stopped_early(d)) {
        snprintf(part, sizeof part, ", stopped at %g ms", d->simulated_ms);
        strncat(buf, part, size - strlen(buf) - 1);
    }
    if (isfinite(d->dt_ms)) {
        snprintf(part, sizeof part, ", dt %g ms", d->dt_ms);
        strncat(buf, part, size - strlen(buf) - 1);
    }
    if (isfinite(d->seed) && d->seed < 9007199254740992.0) {
        snprintf(part, sizeof part, ", seed %.0f", d->seed);
        strncat(buf, part, size - strlen(buf) - 1);
    }
    snprintf(part, sizeof part, "%s%d population%s", buf[0] ? "; " : "", d->npops,
             d->npops == 1 ? "" : "s");
    strncat(buf, part, size - strlen(buf) - 1);
    snprintf(part, sizeof part, "; folder %.100s", d->dir);
    strncat(buf, part, size - strlen(buf) - 1);
}

static void title_block(Page *pg)
{
    const PlotData *d = pg->d;
    FILE *f = pg->f;
    char head[512], facts[512], attrs[96];
    if (d->have_summary)
        snprintf(head, sizeof head, "%.200s, network %.200s", d->model ? d->model : "?",
                 d->network ? d->network : "?");
    else
        snprintf(head, sizeof head, "%.200s (no summary.json)", base_name(d->dir));
    fputs("<g class=\"title\">\n", f);
    plot_svg_text(f, PLOT_LEFT, 26, "font-size=\"17\" font-weight=\"bold\"", head);
    snprintf(attrs, sizeof attrs, "text-anchor=\"end\" font-size=\"15\" font-weight=\"bold\" "
             "fill=\"%s\"", status_colour(d->status));
    plot_svg_text(f, PLOT_WIDTH - 20, 26, attrs, d->status ? d->status : "status unknown");
    run_facts(d, facts, sizeof facts);
    plot_svg_text(f, PLOT_LEFT, 46, "font-size=\"11\" fill=\"#555\"", facts);
    if (d->error) {
        snprintf(head, sizeof head, "error: %.400s", d->error);
        plot_svg_text(f, PLOT_LEFT, 62, "font-size=\"11\" fill=\"#c00\"", head);
    }
    fputs("</g>\n", f);
}

/* ---- shared by the trace and rate panels ------------------------------------------ */

/* The y range of n rows of `cols` values (finite ones), padded by 5%. */
static void y_range(Frame *fr, const double *v, size_t n, int cols, bool from_zero)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n * (size_t)cols; k++) {
        if (isfinite(v[k])) {
            lo = fmin(lo, v[k]);
            hi = fmax(hi, v[k]);
        }
    }
    if (from_zero)
        lo = fmin(lo, 0);
    if (!isfinite(hi - lo)) {     /* ±1e308 in a file: keep the arithmetic finite */
        lo = fmax(lo, -1e307);
        hi = fmin(hi, 1e307);
    }
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-12 * fmax(1, fabs(hi))) {
        double pad = fabs(hi) > 0 ? 0.1 * fabs(hi) : 1;
        lo -= pad;
        hi += pad;
    }
    double pad = 0.05 * (hi - lo);
    fr->y0 = from_zero && lo >= 0 ? lo : lo - pad;
    fr->y1 = hi + pad;
}

static void legend(FILE *f, const Frame *fr, const char *heading, int k, int n,
                   const char *colour, const char *label)
{
    double step = fmin(12, (fr->h - 14) / (n > 0 ? n : 1));
    double x = fr->x + fr->w + 10, y = fr->y + 14 + step * k + step / 2;
    if (k == 0 && heading)
        plot_svg_text(f, x, fr->y + 8, "font-size=\"9\" fill=\"#555\"", heading);
    fprintf(f, "<path d=\"M%g %.1fh14\" stroke=\"%s\" stroke-width=\"2\"/>", x, y, colour);
    char attrs[64];
    snprintf(attrs, sizeof attrs, "font-size=\"%d\" fill=\"%s\"", step < 10 ? 8 : 10, colour);
    plot_svg_text(f, x + 18, y + 3, attrs, label);
}

/* ---- traces --------------------------------------------------------------------------- */

static void trace_labels(const PlotTrace *tr, char *title, size_t tsize, char *ylab,
                         size_t ysize)
{
    const char *dot = strchr(tr->name, '.');
    const char *var = dot ? dot + 1 : tr->name;
    bool unit = tr->unit && *tr->unit && strcmp(tr->unit, "1") != 0;
    snprintf(ylab, ysize, unit ? "%.60s (%.40s)" : "%.60s%.0s", var, unit ? tr->unit : "");
    char shown[64];
    if (tr->nsel < tr->ncols)
        snprintf(shown, sizeof shown, "%d of %d neurons shown", tr->nsel, tr->ncols);
    else
        snprintf(shown, sizeof shown, "%d neuron%s", tr->ncols, tr->ncols == 1 ? "" : "s");
    snprintf(title, tsize, "Trace %.80s (%.100s): %s, %zu samples", tr->name,
             base_name(tr->file), shown, tr->n);
}

static void trace_panel(Page *pg, const PlotTrace *tr)
{
    char title[300], ylab[128];
    trace_labels(tr, title, sizeof title, ylab, sizeof ylab);
    Frame fr = plot_panel_begin(pg, TRACE_H, title);
    y_range(&fr, tr->v, tr->n, tr->nsel, false);
    plot_svg_axes(pg->f, &fr, ylab, true);
    fprintf(pg->f, "<g clip-path=\"url(#clip%d)\">\n", pg->panels);
    for (int k = 0; k < tr->nsel; k++)
        plot_svg_polyline(pg->f, &fr, tr->t, tr->v + k, tr->n, (size_t)tr->nsel,
                          plot_colour(k));
    fputs("</g>\n<g class=\"legend\">\n", pg->f);
    for (int k = 0; k < tr->nsel; k++)
        legend(pg->f, &fr, tr->npy ? "column" : "neuron", k, tr->nsel, plot_colour(k),
               tr->labels[k]);
    fputs("</g>\n", pg->f);
    if (tr->n == 0)
        plot_svg_text(pg->f, fr.x + fr.w / 2, fr.y + fr.h / 2, "text-anchor=\"middle\" "
                      "fill=\"#999\"", "no samples");
    plot_panel_end(pg, &fr);
}

/* ---- rates ---------------------------------------------------------------------------- */

static void rate_title(const PlotData *d, char *buf, size_t size)
{
    int shown = 0, ok = 0;
    for (int k = 0; k < d->nrates; k++)
        ok += d->rates[k].ok;
    if (ok == 0) {
        snprintf(buf, size, "Population rate, from the spikes in %g ms bins (1%% of the "
                 "duration%s)", d->bin_ms, isfinite(d->dt_ms) ? ", whole steps" : "");
        return;
    }
    snprintf(buf, size, "Population rate (");
    for (int k = 0; k < d->nrates && shown < 3; k++) {
        if (!d->rates[k].ok)
            continue;
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, "%s%.60s", shown++ ? ", " : "", base_name(d->rates[k].file));
    }
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s)", ok > shown ? ", ..." : "");
}

/* Bin b of population p's histogram in Hz; its edges in lo, hi (the last bin ends where
 * the run did). */
static double bin_rate(const PlotData *d, const PlotPop *p, int b, double *lo, double *hi)
{
    double end = isfinite(d->simulated_ms) && d->simulated_ms > 0 ? d->simulated_ms : d->t_max;
    *lo = b * d->bin_ms;
    *hi = (b + 1) * d->bin_ms;
    if (b == d->nbins - 1 && end > *lo && end < *hi)
        *hi = end;
    return p->size > 0 ? p->hist[b] * 1e3 / ((double)p->size * (*hi - *lo)) : 0;
}

/* A histogram as a step line: two points per bin. */
static void hist_line(FILE *f, const Frame *fr, const PlotData *d, const PlotPop *p,
                      double *t, double *y)
{
    for (int b = 0; b < d->nbins; b++)
        y[2 * b] = y[2 * b + 1] = bin_rate(d, p, b, &t[2 * b], &t[2 * b + 1]);
    plot_svg_polyline(f, fr, t, y, 2 * (size_t)d->nbins, 1, plot_colour((int)(p - d->pops)));
}

static double rate_max(const PlotData *d, bool files)
{
    double hi = 0, lo, top;
    for (int k = 0; files && k < d->nrates; k++)
        for (size_t s = 0; d->rates[k].ok && s < d->rates[k].n; s++)
            if (isfinite(d->rates[k].hz[s]))
                hi = fmax(hi, d->rates[k].hz[s]);
    for (int p = 0; !files && p < d->npops; p++)
        for (int b = 0; d->pops[p].hist && b < d->nbins; b++)
            hi = fmax(hi, bin_rate(d, &d->pops[p], b, &lo, &top));
    return hi;
}

static void rate_panel(Page *pg, bool files)
{
    const PlotData *d = pg->d;
    char title[300];
    rate_title(d, title, sizeof title);
    Frame fr = plot_panel_begin(pg, RATE_H, title);
    double hi = rate_max(d, files);
    y_range(&fr, &hi, 1, 1, true);
    plot_svg_axes(pg->f, &fr, "rate (Hz)", true);
    fprintf(pg->f, "<g clip-path=\"url(#clip%d)\">\n", pg->panels);
    int lines = 0;
    for (int k = 0; files && k < d->nrates; k++)
        if (d->rates[k].ok)
            plot_svg_polyline(pg->f, &fr, d->rates[k].t, d->rates[k].hz, d->rates[k].n, 1,
                              plot_colour(d->rates[k].pop >= 0 ? d->rates[k].pop : k));
    double *t = files ? NULL : plot_xrealloc(NULL, 4 * (size_t)d->nbins * sizeof *t);
    for (int p = 0; !files && p < d->npops; p++)
        if (d->pops[p].hist)
            hist_line(pg->f, &fr, d, &d->pops[p], t, t + 2 * d->nbins);
    free(t);
    fputs("</g>\n<g class=\"legend\">\n", pg->f);
    int n = files ? d->nrates : d->npops;
    for (int k = 0; k < n && k < PLOT_MAX_LINES; k++) {
        if (files ? !d->rates[k].ok : !d->pops[k].hist)
            continue;
        const char *name = files ? d->rates[k].name : d->pops[k].name;
        int c = files && d->rates[k].pop < 0 ? k : files ? d->rates[k].pop : k;
        legend(pg->f, &fr, "population", lines++, n < PLOT_MAX_LINES ? n : PLOT_MAX_LINES,
               plot_colour(c), name);
    }
    fputs("</g>\n", pg->f);
    plot_panel_end(pg, &fr);
}

/* ---- the page --------------------------------------------------------------------------- */

typedef struct Plan {
    bool raster, rate_files, rate_hist;
    int traces;
    int dists;               /* panels of dist.c */
} Plan;

static Plan plan(const PlotData *d)
{
    Plan p = { .raster = d->spikes_csv || d->spikes_npy };
    for (int k = 0; k < d->ntraces; k++)
        p.traces += d->traces[k].ok;
    for (int k = 0; k < d->nrates; k++)
        p.rate_files |= d->rates[k].ok;
    p.rate_hist = !p.rate_files && p.raster && d->nbins > 0;
    p.dists = plot_has_isi(d) + plot_has_rates_dist(d);
    for (int k = 0; k < d->npcas; k++)
        p.dists += d->pcas[k].ok ? 1 + (d->pcas[k].proj.nsel >= 2) : 0;
    return p;
}

static double page_height(const Plan *p)
{
    double h = TITLE_H + 20;
    if (p->raster)
        h += PANEL_TITLE_H + PLOT_RASTER_H + PANEL_FOOT_H;
    h += p->traces * (PANEL_TITLE_H + TRACE_H + PANEL_FOOT_H);
    if (p->rate_files || p->rate_hist)
        h += PANEL_TITLE_H + RATE_H + PANEL_FOOT_H;
    h += p->dists * (PANEL_TITLE_H + PLOT_DIST_H + PANEL_FOOT_H);
    return h;
}

static void time_axis(const PlotData *d, Page *pg)
{
    pg->x0 = 0;
    pg->x1 = isfinite(d->duration_ms) && d->duration_ms > 0 ? d->duration_ms : d->t_max;
    if (d->t_max > pg->x1)
        pg->x1 = d->t_max;
    if (!(pg->x1 > 0) || !isfinite(pg->x1))
        pg->x1 = 1;
}

static void write_page(const PlotData *d, FILE *f)
{
    Plan p = plan(d);
    Page pg = { .f = f, .d = d, .top = TITLE_H };
    time_axis(d, &pg);
    double h = page_height(&p);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%g\" "
            "viewBox=\"0 0 %d %g\" font-family=\"Helvetica, Arial, sans-serif\" "
            "font-size=\"11\">\n", PLOT_WIDTH, h, PLOT_WIDTH, h);
    fprintf(f, "<rect width=\"%d\" height=\"%g\" fill=\"#fff\"/>\n", PLOT_WIDTH, h);
    title_block(&pg);
    if (p.raster)
        plot_raster(&pg);
    for (int k = 0; k < d->ntraces; k++)
        if (d->traces[k].ok)
            trace_panel(&pg, &d->traces[k]);
    if (p.rate_files || p.rate_hist)
        rate_panel(&pg, p.rate_files);
    Frame last = { .x = PLOT_LEFT, .w = PLOT_WIDTH - PLOT_LEFT - PLOT_RIGHT,
                   .y = pg.top - PANEL_FOOT_H, .h = 0 };
    plot_svg_xlabel(f, &last, "time (ms)");
    if (plot_has_isi(d))
        plot_isi_panel(&pg);
    if (plot_has_rates_dist(d))
        plot_rate_dist_panel(&pg);
    for (int k = 0; k < d->npcas; k++)
        if (d->pcas[k].ok)
            plot_pca_panels(&pg, &d->pcas[k]);
    fputs("</svg>\n", f);
}

int plot_run(const char *outdir, const char *svg_path, FILE *log)
{
    PlotData d;
    int rc = plot_data_load(&d, outdir, log);
    char *path = svg_path ? plot_xstrdup(svg_path) : plot_join(outdir, "plot.svg");
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = rc != 0 ? NULL : to_stdout ? stdout : fopen(path, "w");
    if (rc == 0 && !f) {
        plot_msg(log, "error", "cannot write '%s': %s", path, strerror(errno));
        rc = PLOT_EXIT_WRITE;
    } else if (rc == 0) {
        write_page(&d, f);
        bool bad = ferror(f) != 0;
        int err = errno;
        if ((to_stdout ? fflush(f) : fclose(f)) != 0 || bad) {
            plot_msg(log, "error", "cannot write '%s': %s", path, strerror(bad ? err : errno));
            if (!to_stdout && plot_file_exists(path))   /* never a device: /dev/full */
                remove(path);
            rc = PLOT_EXIT_WRITE;
        }
    }
    free(path);
    plot_data_free(&d);
    return rc;
}

int plot_main(const char *outdir, const char *svg_path)
{
    return plot_run(outdir, svg_path, stderr);
}
