/* SVG pieces the panels are drawn with: data-to-pixel mapping, round tick steps, number
 * formatting, escaped text, framed axes, and the polyline that stays small.
 *
 * A polyline of more than PLOT_MAX_POINTS samples is decimated per pixel column: of the
 * samples falling in one column only the lowest and the highest are kept, in their time
 * order. At most two points per column is all a screen can show, and unlike taking every
 * k-th sample it cannot drop a spike's peak out of a voltage trace. Coordinates are
 * written with one decimal, trailing ".0" dropped, which keeps files small. */
#include <math.h>
#include <string.h>

#include "plot_int.h"

enum { PLOT_MAX_POINTS = 2000 };

double plot_fx(const Frame *f, double x)
{
    return f->x + (x - f->x0) / (f->x1 - f->x0) * f->w;
}

double plot_fy(const Frame *f, double y)
{
    return f->y + f->h - (y - f->y0) / (f->y1 - f->y0) * f->h;
}

double plot_tick_step(double lo, double hi, int target)
{
    double raw = (hi - lo) / (target > 0 ? target : 1);
    if (!(raw > 0) || !isfinite(raw))
        return 1;
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag;
    return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

/* v as a tick label: as many decimals as the step needs, no "-0". */
void plot_fmt_num(char *buf, size_t size, double v, double step)
{
    if (fabs(v) < step * 1e-6)
        v = 0;
    if (fabs(v) >= 1e7 || (v != 0 && fabs(v) < 1e-4)) {
        snprintf(buf, size, "%.3g", v);
        return;
    }
    int dec = (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, size, "%.*f", dec > 0 ? (dec < 9 ? dec : 9) : 0, v);
}

void plot_fmt_coord(char *buf, size_t size, double v)
{
    if (fabs(v) < 0.05)
        v = 0;
    snprintf(buf, size, "%.1f", v);
    size_t n = strlen(buf);
    if (n > 2 && strcmp(buf + n - 2, ".0") == 0)
        buf[n - 2] = '\0';
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (s[0] >= 0xf5)
        n = 0;
    for (int k = 1; k < n; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* Text content or attribute value: XML-escaped, control bytes and invalid UTF-8 as '?'. */
static void put_escaped(FILE *f, const char *text)
{
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); continue;
        case '<': fputs("&lt;", f); continue;
        case '>': fputs("&gt;", f); continue;
        case '"': fputs("&quot;", f); continue;
        default: break;
        }
        if (*s < 0x20 || *s == 0x7f) {
            fputc('?', f);
        } else if (*s < 0x80) {
            fputc(*s, f);
        } else {
            int n = utf8_len(s);
            if (n == 0) {
                fputc('?', f);
                continue;
            }
            fwrite(s, 1, (size_t)n, f);
            s += n - 1;
        }
    }
}

void plot_svg_text(FILE *f, double x, double y, const char *attrs, const char *text)
{
    char xs[32], ys[32];
    plot_fmt_coord(xs, sizeof xs, x);
    plot_fmt_coord(ys, sizeof ys, y);
    fprintf(f, "<text x=\"%s\" y=\"%s\"%s%s>", xs, ys, attrs && *attrs ? " " : "",
            attrs ? attrs : "");
    put_escaped(f, text);
    fputs("</text>\n", f);
}

static void x_ticks(FILE *f, const Frame *fr)
{
    double step = plot_tick_step(fr->x0, fr->x1, 10);
    double first = ceil(fr->x0 / step - 1e-9), last = floor(fr->x1 / step + 1e-9);
    for (int n = 0; n < 100 && first + n <= last; n++) {    /* n, not k: k + 1 == k at 1e300 */
        double t = (first + n) * step;
        char label[48], xs[32];
        double px = plot_fx(fr, t);
        plot_fmt_coord(xs, sizeof xs, px);
        fprintf(f, "<path d=\"M%s %gV%g\" stroke=\"#eee\"/>", xs, fr->y, fr->y + fr->h);
        fprintf(f, "<path d=\"M%s %gv5\" stroke=\"#333\"/>\n", xs, fr->y + fr->h);
        plot_fmt_num(label, sizeof label, t, step);
        plot_svg_text(f, px, fr->y + fr->h + 16, "text-anchor=\"middle\"", label);
    }
}

static void y_ticks(FILE *f, const Frame *fr)
{
    double step = plot_tick_step(fr->y0, fr->y1, 5);
    double first = ceil(fr->y0 / step - 1e-9), last = floor(fr->y1 / step + 1e-9);
    for (int n = 0; n < 100 && first + n <= last; n++) {    /* n, not k: k + 1 == k at 1e300 */
        double v = (first + n) * step;
        char label[48], ys[32];
        double py = plot_fy(fr, v);
        plot_fmt_coord(ys, sizeof ys, py);
        fprintf(f, "<path d=\"M%g %sH%g\" stroke=\"#eee\"/>", fr->x, ys, fr->x + fr->w);
        fprintf(f, "<path d=\"M%g %sh-5\" stroke=\"#333\"/>\n", fr->x, ys);
        plot_fmt_num(label, sizeof label, v, step);
        plot_svg_text(f, fr->x - 8, py + 4, "text-anchor=\"end\"", label);
    }
}

/* Grid, ticks with labels at round numbers, the frame, and the y axis label. */
void plot_svg_axes(FILE *f, const Frame *fr, const char *ylabel, bool yticks)
{
    fputs("<g class=\"axes\" font-size=\"10\" fill=\"#333\">\n", f);
    x_ticks(f, fr);
    if (yticks)
        y_ticks(f, fr);
    fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" "
            "stroke=\"#333\"/>\n", fr->x, fr->y, fr->w, fr->h);
    if (ylabel) {
        char attrs[128];
        double cx = fr->x - 58, cy = fr->y + fr->h / 2;
        snprintf(attrs, sizeof attrs, "text-anchor=\"middle\" font-size=\"11\" "
                 "transform=\"rotate(-90 %g %g)\"", cx, cy);
        plot_svg_text(f, cx, cy, attrs, ylabel);
    }
    fputs("</g>\n", f);
}

void plot_svg_xlabel(FILE *f, const Frame *fr, const char *label)
{
    plot_svg_text(f, fr->x + fr->w / 2, fr->y + fr->h + 34, "text-anchor=\"middle\"", label);
}

static void put_point(FILE *f, const Frame *fr, double t, double y)
{
    char xs[32], ys[32];
    plot_fmt_coord(xs, sizeof xs, plot_fx(fr, t));
    plot_fmt_coord(ys, sizeof ys, plot_fy(fr, y));
    fprintf(f, "%s,%s ", xs, ys);
}

/* The lowest and highest sample of one pixel column, in time order. */
static void put_column(FILE *f, const Frame *fr, const double *t, const double *y,
                       size_t stride, size_t lo, size_t hi)
{
    size_t a = lo < hi ? lo : hi, b = lo < hi ? hi : lo;
    put_point(f, fr, t[a], y[a * stride]);
    if (b != a)
        put_point(f, fr, t[b], y[b * stride]);
}

void plot_svg_polyline(FILE *f, const Frame *fr, const double *t, const double *y, size_t n,
                       size_t stride, const char *colour)
{
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1\" "
            "stroke-linejoin=\"round\" points=\"", colour);
    bool decimate = n > PLOT_MAX_POINTS;
    bool open = false;
    double col = 0;
    size_t lo = 0, hi = 0;
    for (size_t k = 0; k < n; k++) {
        double v = y[k * stride];
        if (!isfinite(v) || !isfinite(t[k]))
            continue;
        if (!decimate) {
            put_point(f, fr, t[k], v);
            continue;
        }
        double c = floor(plot_fx(fr, t[k]));
        if (open && c == col) {
            lo = v < y[lo * stride] ? k : lo;
            hi = v > y[hi * stride] ? k : hi;
            continue;
        }
        if (open)
            put_column(f, fr, t, y, stride, lo, hi);
        open = true;
        col = c;
        lo = hi = k;
    }
    if (open)
        put_column(f, fr, t, y, stride, lo, hi);
    fputs("\"/>\n", f);
}

const char *plot_colour(int k)
{
    static const char *const palette[] = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#e7969c",
        "#7b4173", "#a55194", "#8ca252", "#bd9e39", "#3182bd", "#31a354",
    };
    int n = (int)(sizeof palette / sizeof palette[0]);
    return palette[((k % n) + n) % n];
}

void plot_fmt_count(char *buf, size_t size, long long n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", n < 0 ? -n : n);
    size_t len = strlen(digits), o = 0;
    char out[48];
    if (n < 0)
        out[o++] = '-';
    for (size_t k = 0; k < len; k++) {
        if (k > 0 && (len - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[k];
    }
    out[o] = '\0';
    snprintf(buf, size, "%s", out);
}
