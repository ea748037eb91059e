/* What `nrnc fit` writes: fit.json (CLI.md's keys first, then the search's account of
 * itself) and an SVG of the data against the fitted model, drawn with plot/'s SVG
 * helpers (plot_int.h) so that it looks like `nrnc plot`'s panels. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "nrt.h"
#include "plot_int.h"

void fit_fmt_double(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "null");
    else   /* the runtime's shortest round-trip form, as in summary.json */
        nrt_format_double(v, buf, size > INT_MAX ? INT_MAX : (int)size);
}

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void put_num(FILE *f, double v)
{
    char buf[40];
    fit_fmt_double(buf, sizeof buf, v);
    fputs(buf, f);
}

static void put_params(FILE *f, const FitSpec *spec, const FitResult *res)
{
    fputs("{", f);
    for (int k = 0; k < spec->p; k++) {
        const FitParam *q = &spec->params[k];
        fputs(k ? ",\n    " : "\n    ", f);
        put_string(f, q->name);
        fputs(": {\"value\": ", f);
        put_num(f, res->x[k] / q->scale);
        fputs(", \"unit\": ", f);
        put_string(f, q->unit);
        fputs(", \"stderr\": ", f);
        put_num(f, res->se[k] / q->scale);
        fputs(", \"start\": ", f);
        put_num(f, q->start / q->scale);
        if (q->bounded) {
            fputs(", \"bounds\": [", f);
            put_num(f, q->lo / q->scale);
            fputs(", ", f);
            put_num(f, q->hi / q->scale);
            fputs("]", f);
        }
        fputs("}", f);
    }
    fputs("\n  }", f);
}

static void put_report(FILE *f, const char *report)
{
    fputs("[", f);
    bool first = true;
    for (const char *s = report; *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char *line = strndup(s, len);
        if (!line) {
            fputs("nrnc: fatal: out of memory\n", stderr);
            exit(70);
        }
        fputs(first ? "" : ", ", f);
        put_string(f, line);
        free(line);
        first = false;
        s += len + (nl ? 1 : 0);
    }
    fputs("]", f);
}

bool fit_write_json(const char *path, const FitSpec *spec, const FitResult *res, const FitExtra *extra)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", path);
        return false;
    }
    fputs("{\n  \"params\": ", f);
    put_params(f, spec, res);
    fputs(",\n  \"objective\": ", f);
    put_num(f, res->f);
    fprintf(f, ",\n  \"evaluations\": %ld,\n  \"runs\": %ld,\n  \"iterations\": %d,\n  \"method\": ", res->evaluations,
            res->runs, res->iterations);
    put_string(f, res->method ? res->method : "none");
    fprintf(f, ",\n  \"converged\": %s,\n  \"target\": ", res->converged ? "true" : "false");
    put_string(f, extra->target);
    fputs(",\n  \"objective_unit\": ", f);
    put_string(f, extra->objective_unit);
    fputs(",\n  \"objective_start\": ", f);
    put_num(f, res->f_start);
    if (!isnan(extra->r2)) {
        fputs(",\n  \"r2\": ", f);
        put_num(f, extra->r2);
        fputs(",\n  \"rmse\": ", f);
        put_num(f, extra->rmse);
    }
    if (extra->data_spikes >= 0)
        fprintf(f, ",\n  \"data_spikes\": %lld,\n  \"model_spikes\": %lld", (long long)extra->data_spikes,
                (long long)extra->model_spikes);
    if (!isnan(extra->tau_ms)) {
        fputs(",\n  \"tau_ms\": ", f);
        put_num(f, extra->tau_ms);
    }
    fputs(",\n  \"history\": [", f);
    for (int i = 0; i < res->nhistory; i++) {
        fputs(i ? ", " : "", f);
        put_num(f, res->history[i]);
    }
    fputs("],\n  \"report\": ", f);
    put_report(f, res->report);
    fputs("\n}\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", path);
        return false;
    }
    return true;
}

/* ---- the plot ---------------------------------------------------------------------- */

enum { FIT_PANEL_H = 150, FIT_GAP = 40, FIT_TOP = 60, FIT_MAX_PANELS = 6 };

static const char DATA_COLOUR[] = "#555555", MODEL_COLOUR[] = "#d62728";

static FILE *svg_begin(const char *path, double height, const char *title)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", path);
        return NULL;
    }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%g\" viewBox=\"0 0 %d %g\" "
            "font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            PLOT_WIDTH, height, PLOT_WIDTH, height);
    plot_svg_text(f, PLOT_LEFT, 24, "font-size=\"15\" font-weight=\"bold\"", title);
    double x = PLOT_WIDTH - PLOT_RIGHT + 10;
    fprintf(f, "<line x1=\"%g\" y1=\"20\" x2=\"%g\" y2=\"20\" stroke=\"%s\" stroke-width=\"2\"/>\n", x, x + 20,
            DATA_COLOUR);
    plot_svg_text(f, x + 25, 24, "font-size=\"11\"", "data");
    fprintf(f, "<line x1=\"%g\" y1=\"36\" x2=\"%g\" y2=\"36\" stroke=\"%s\" stroke-width=\"2\"/>\n", x, x + 20,
            MODEL_COLOUR);
    plot_svg_text(f, x + 25, 40, "font-size=\"11\"", "model");
    return f;
}

static bool svg_end(FILE *f, const char *path)
{
    fputs("</svg>\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", path);
        return false;
    }
    return true;
}

static void range(const double *v, size_t n, size_t stride, double *lo, double *hi)
{
    for (size_t k = 0; k < n; k++) {
        double y = v[k * stride];
        if (isfinite(y)) {
            *lo = fmin(*lo, y);
            *hi = fmax(*hi, y);
        }
    }
}

bool fit_plot_traces(const char *path, const FitTrace *data, const double *model, const char *var, const char *unit,
                     const char *title)
{
    int panels = data->ncols < FIT_MAX_PANELS ? data->ncols : FIT_MAX_PANELS;
    FILE *f = svg_begin(path, FIT_TOP + panels * (FIT_PANEL_H + FIT_GAP), title);
    if (!f)
        return false;
    size_t n = (size_t)data->nsamples, stride = (size_t)data->ncols;
    for (int c = 0; c < panels; c++) {
        /* columns spread over the file when there are more than the panels */
        int col = panels < data->ncols ? (int)((long long)c * data->ncols / panels) : c;
        double lo = INFINITY, hi = -INFINITY;
        range(data->v + col, n, stride, &lo, &hi);
        range(model + col, n, stride, &lo, &hi);
        if (!(hi > lo)) {
            lo -= 1;
            hi += 1;
        }
        double pad = 0.05 * (hi - lo);
        Frame fr = {.x = PLOT_LEFT, .y = FIT_TOP + c * (FIT_PANEL_H + FIT_GAP), .w = PLOT_WIDTH - PLOT_LEFT - PLOT_RIGHT,
                    .h = FIT_PANEL_H, .x0 = data->t_ms[0], .x1 = data->t_ms[n - 1] > data->t_ms[0] ? data->t_ms[n - 1]
                                                                                                  : data->t_ms[0] + 1,
                    .y0 = lo - pad, .y1 = hi + pad};
        char label[160];
        snprintf(label, sizeof label, "neuron %lld: %s (%s)", (long long)data->neuron[col], var, unit);
        plot_svg_axes(f, &fr, label, true);
        plot_svg_polyline(f, &fr, data->t_ms, data->v + col, n, stride, DATA_COLOUR);
        plot_svg_polyline(f, &fr, data->t_ms, model + col, n, stride, MODEL_COLOUR);
        if (c == panels - 1)
            plot_svg_xlabel(f, &fr, "time (ms)");
    }
    return svg_end(f, path);
}

bool fit_plot_spikes(const char *path, const FitSpikes *data, const FitSpikes *model, double duration_ms,
                     const char *title)
{
    int64_t rows = data->nneurons < 60 ? data->nneurons : 60;
    double h = (double)rows * 24 + 20;
    FILE *f = svg_begin(path, FIT_TOP + h + FIT_GAP, title);
    if (!f)
        return false;
    Frame fr = {.x = PLOT_LEFT, .y = FIT_TOP, .w = PLOT_WIDTH - PLOT_LEFT - PLOT_RIGHT, .h = h, .x0 = 0,
                .x1 = duration_ms > 0 ? duration_ms : 1, .y0 = -0.5, .y1 = (double)rows - 0.5};
    plot_svg_axes(f, &fr, "neuron (upper: data, lower: model)", false);
    for (int64_t j = 0; j < rows; j++) {
        char label[32];
        snprintf(label, sizeof label, "%lld", (long long)j);
        plot_svg_text(f, fr.x - 6, plot_fy(&fr, (double)j) + 4, "text-anchor=\"end\" font-size=\"10\"", label);
        const FitSpikes *sets[2] = {data, model};
        const char *colour[2] = {DATA_COLOUR, MODEL_COLOUR};
        for (int s = 0; s < 2; s++) {
            double y = plot_fy(&fr, (double)j) + (s ? 1 : -9);
            fprintf(f, "<g stroke=\"%s\" stroke-width=\"1.5\">\n", colour[s]);
            for (int64_t k = 0; k < sets[s]->count[j]; k++) {
                double x = plot_fx(&fr, sets[s]->t_ms[j][k]);
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x, y, x, y + 8);
            }
            fputs("</g>\n", f);
        }
    }
    plot_svg_xlabel(f, &fr, "time (ms)");
    return svg_end(f, path);
}
