/* Reading the .npy files of a `--format npy` folder: spikes_POP_t.npy (float64 ms) with
 * spikes_POP_i.npy (int32), trace_POP_VAR.npy (float64 [samples, neurons]) with
 * trace_POP_VAR_t.npy, and rate_POP.npy with rate_POP_t.npy.
 *
 * The header is parsed, not assumed: magic and version (1.0 to 3.x), 'descr' (float64,
 * float32, int32 or int64, either byte order), 'fortran_order' (refused for 2-D data) and
 * 'shape'. The data are read row by row and converted to double. When the header's row
 * count and the file's size disagree (a killed writer), the smaller is read and the
 * difference reported; a pair of files (times and values) of different lengths is read
 * up to the shorter. The columns of a 2-D trace carry no neuron indices, so they are
 * labelled by column number. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

typedef struct Npy {
    FILE *f;
    const char *path;
    char type;               /* 'f' or 'i' */
    int item;                /* bytes per item */
    bool swap;               /* big-endian data */
    long long rows, cols;    /* cols is 1 for a 1-D array */
    bool two_d;
    unsigned char *raw;
} Npy;

static bool npy_fail(Npy *z, FILE *log, const char *why)
{
    plot_msg(log, "warning", "%s: %s; file not used", z->path, why);
    return false;
}

/* 'descr': '<f8' and friends */
static bool parse_descr(Npy *z, const char *h)
{
    const char *p = strstr(h, "'descr'");
    if (!p || !(p = strchr(p + 7, '\'')))
        return false;
    if (!p[1] || !p[2] || !p[3] || !p[4])
        return false;
    char order = p[1], kind = p[2];
    int bytes = p[3] - '0';
    if (p[4] != '\'' || (order != '<' && order != '>' && order != '|'))
        return false;
    z->swap = order == '>';
    z->type = kind;
    z->item = bytes;
    return (kind == 'f' && (bytes == 4 || bytes == 8)) || (kind == 'i' && (bytes == 4 || bytes == 8));
}

/* 'shape': (N,) or (N, M) */
static bool parse_shape(Npy *z, const char *h)
{
    const char *p = strstr(h, "'shape'");
    if (!p || !(p = strchr(p, '(')))
        return false;
    long long dims[2] = { 1, 1 };
    int nd = 0;
    for (p++; *p != ')'; ) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0 || errno != 0 || nd == 2)
            return false;
        dims[nd++] = v;
        p = end;
        while (*p == ' ' || *p == ',')
            p++;
    }
    z->rows = nd == 0 ? 1 : dims[0];
    z->cols = nd == 2 ? dims[1] : 1;
    z->two_d = nd == 2;
    return z->cols < (1LL << 20);
}

static bool read_header(Npy *z, FILE *log, long *offset)
{
    unsigned char pre[12];
    if (fread(pre, 1, 10, z->f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return npy_fail(z, log, "not a .npy file (no \\x93NUMPY magic)");
    if (pre[6] < 1 || pre[6] > 3)
        return npy_fail(z, log, "unknown .npy version");
    unsigned long hlen = pre[8] | (unsigned long)pre[9] << 8;
    *offset = 10;
    if (pre[6] >= 2) {
        if (fread(pre + 10, 1, 2, z->f) != 2)
            return npy_fail(z, log, "truncated header");
        hlen |= (unsigned long)pre[10] << 16 | (unsigned long)pre[11] << 24;
        *offset = 12;
    }
    if (hlen > (1u << 20))
        return npy_fail(z, log, "header longer than 1 MiB");
    char *h = plot_xrealloc(NULL, hlen + 1);
    bool ok = fread(h, 1, hlen, z->f) == hlen;
    h[ok ? hlen : 0] = '\0';
    *offset += (long)hlen;
    const char *why = !ok ? "truncated header"
                    : !parse_descr(z, h) ? "expected 'descr' float64, float32, int32 or int64"
                    : !parse_shape(z, h) ? "expected 'shape' (N,) or (N, M)"
                    : z->two_d && strstr(h, "'fortran_order': True") ? "Fortran order is not read"
                    : NULL;
    free(h);
    return why ? npy_fail(z, log, why) : true;
}

/* Opens a .npy file and checks its size against the header. */
static bool npy_open(Npy *z, const PlotData *d, const char *path, FILE *log)
{
    memset(z, 0, sizeof *z);
    z->path = path;
    z->f = plot_fopen(d, path);
    if (!z->f) {
        plot_msg(log, "warning", "cannot read '%s': %s", path, strerror(errno));
        return false;
    }
    long offset;
    if (!read_header(z, log, &offset) || fseek(z->f, 0, SEEK_END) != 0) {
        fclose(z->f);
        z->f = NULL;
        return false;
    }
    long size = ftell(z->f);
    long long row_bytes = (long long)z->item * z->cols;
    long long have = row_bytes > 0 && size > offset ? (size - offset) / row_bytes : 0;
    if (have < z->rows) {
        plot_msg(log, "warning", "%s: the header says %lld rows, the file holds %lld "
                 "(truncated?); reading those", path, z->rows, have);
        z->rows = have;
    }
    fseek(z->f, offset, SEEK_SET);
    z->raw = plot_xrealloc(NULL, (size_t)(row_bytes > 0 ? row_bytes : 1));
    return true;
}

static void npy_close(Npy *z)
{
    if (z->f)
        fclose(z->f);
    free(z->raw);
    z->f = NULL;
    z->raw = NULL;
}

static double item_at(const Npy *z, long long k)
{
    unsigned char b[8];
    memcpy(b, z->raw + k * z->item, (size_t)z->item);
    if (z->swap)
        for (int a = 0, c = z->item - 1; a < c; a++, c--) {
            unsigned char s = b[a];
            b[a] = b[c];
            b[c] = s;
        }
    if (z->type == 'f' && z->item == 8) {
        double v;
        memcpy(&v, b, 8);
        return v;
    }
    if (z->type == 'f') {
        float v;
        memcpy(&v, b, 4);
        return v;
    }
    if (z->item == 8) {
        int64_t v;
        memcpy(&v, b, 8);
        return (double)v;
    }
    int32_t v;
    memcpy(&v, b, 4);
    return v;
}

/* The next row into the raw buffer; false at its end or on a read error. */
static bool npy_row(Npy *z)
{
    return fread(z->raw, (size_t)z->item, (size_t)z->cols, z->f) == (size_t)z->cols;
}

/* Both files open, of the same length (the shorter one wins, reported). */
static bool open_pair(const PlotData *d, Npy *t, const char *tpath, Npy *v, const char *vpath,
                      FILE *log)
{
    if (!npy_open(t, d, tpath, log))
        return false;
    if (!npy_open(v, d, vpath, log)) {
        npy_close(t);
        return false;
    }
    if (t->rows != v->rows) {
        plot_msg(log, "warning", "%s has %lld rows but %s has %lld; reading %lld", tpath, t->rows,
                 vpath, v->rows, t->rows < v->rows ? t->rows : v->rows);
        t->rows = v->rows = t->rows < v->rows ? t->rows : v->rows;
    }
    return true;
}

static char *with_suffix(const char *path, const char *old, const char *add)
{
    size_t n = strlen(path), k = strlen(old);
    char *s = plot_xrealloc(NULL, n + strlen(add) + 1);
    memcpy(s, path, n);
    if (n >= k && strcmp(path + n - k, old) == 0)
        n -= k;
    strcpy(s + n, add);
    return s;
}

bool plot_npy_spikes(PlotData *d, int pop, bool report, PlotSpikeFn fn)
{
    char name[300];
    snprintf(name, sizeof name, "spikes_%s_t.npy", d->pops[pop].name);
    char *tpath = plot_join(d->dir, name);
    char *ipath = with_suffix(tpath, "_t.npy", "_i.npy");
    Npy t = { 0 }, i = { 0 };
    FILE *log = report ? d->log : NULL;
    bool ok = open_pair(d, &t, tpath, &i, ipath, log);
    long long skipped = 0;
    for (long long r = 0; ok && r < t.rows && npy_row(&t) && npy_row(&i); r++) {
        double tv = item_at(&t, 0), iv = item_at(&i, 0);
        if (isfinite(tv) && iv >= 0 && iv <= INT32_MAX)
            fn(d, pop, (long long)iv, tv);
        else
            skipped++;
    }
    if (ok && skipped && report)
        plot_msg(d->log, "warning", "%s: %lld spikes with a non-finite time or a bad index "
                 "skipped", tpath, skipped);
    npy_close(&t);
    npy_close(&i);
    free(tpath);
    free(ipath);
    return ok;
}

bool plot_npy_trace(PlotData *d, PlotTrace *tr)
{
    char *tpath = with_suffix(tr->file, ".npy", "_t.npy");
    Npy t = { 0 }, v = { 0 };
    bool ok = open_pair(d, &t, tpath, &v, tr->file, d->log);
    if (ok && (v.cols < 1 || t.cols != 1)) {
        plot_msg(d->log, "warning", "%s: expected times of shape (N,) and values of shape (N, M); "
                 "file not used", tr->file);
        ok = false;
    }
    if (ok) {
        plot_trace_select(tr, (int)v.cols, d->opt.all_columns);
        for (int k = 0; k < tr->nsel; k++) {
            char label[24];
            snprintf(label, sizeof label, "%d", tr->sel[k]);
            tr->labels[k] = plot_xstrdup(label);
        }
    }
    for (long long r = 0; ok && r < t.rows && npy_row(&t) && npy_row(&v); r++) {
        double tv = item_at(&t, 0);
        for (int k = 0; k < tr->nsel; k++)
            tr->row[k] = item_at(&v, tr->sel[k]);
        if (isfinite(tv))
            plot_series_push(&tr->t, &tr->v, &tr->n, &tr->cap, tv, tr->row, tr->nsel);
    }
    npy_close(&t);
    npy_close(&v);
    free(tpath);
    return ok;
}

bool plot_npy_rate(PlotData *d, PlotRate *r)
{
    char *tpath = with_suffix(r->file, ".npy", "_t.npy");
    Npy t = { 0 }, v = { 0 };
    bool ok = open_pair(d, &t, tpath, &v, r->file, d->log);
    for (long long k = 0; ok && k < t.rows && npy_row(&t) && npy_row(&v); k++) {
        double tv = item_at(&t, 0), hz = item_at(&v, 0);
        if (isfinite(tv))
            plot_series_push(&r->t, &r->hz, &r->n, &r->cap, tv, &hz, 1);
    }
    npy_close(&t);
    npy_close(&v);
    free(tpath);
    return ok;
}
