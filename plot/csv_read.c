/* Reading the CSV files of an output folder: spikes.csv (population,neuron,t_ms),
 * trace_POP_VAR.csv (t_ms, one column per recorded neuron) and rate_POP.csv
 * (t_ms,rate_hz).
 *
 * Robustness first, since the folder may come from a run that was killed, a full disk or
 * a hand edit: lines of any length (the buffer grows), CR-LF accepted, every number
 * through strtod/strtoll with the whole field consumed. A file whose header is wrong is
 * reported and not used (a warning: the other files still make a plot); a line that does
 * not parse is reported as FILE:LINE with what was expected and skipped (at most
 * PLOT_MAX_REPORTS messages per file, then a count), and a last line without its newline
 * is named as the likely truncation. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

typedef struct Lines {
    FILE *f;
    FILE *log;
    const char *path;
    char *buf;
    size_t cap;
    long line;
    bool no_newline;         /* the current line ends the file without '\n' */
    bool nul;                /* the current line holds a NUL byte */
    bool report;
    bool all;                /* a trace keeps every column */
    long bad;
    char **fields;
    int nfields, fcap;
} Lines;

static bool lines_open(Lines *L, const PlotData *d, const char *path, bool report)
{
    FILE *log = d->log;
    memset(L, 0, sizeof *L);
    L->path = path;
    L->log = log;
    L->report = report;
    L->f = plot_fopen(d, path);
    if (!L->f) {
        plot_msg(report ? log : NULL, "warning", "cannot read '%s': %s", path,
                 strerror(errno));
        return false;
    }
    return true;
}

static void lines_close(Lines *L)
{
    if (L->report && L->bad > PLOT_MAX_REPORTS)
        plot_msg(L->log, "warning", "%s: %ld malformed lines skipped in all", L->path, L->bad);
    if (L->f)
        fclose(L->f);
    free(L->buf);
    free(L->fields);
}

/* The next line into L->buf without its line end; false at the end of the file. A NUL
 * byte does not end the line (L->nul says it is there), so line numbers stay right. */
static bool next_line(Lines *L)
{
    errno = 0;
    ssize_t got = getline(&L->buf, &L->cap, L->f);
    if (got < 0) {
        if (errno == ENOMEM) {
            fputs("nrnc: fatal: out of memory\n", stderr);
            exit(70);
        }
        return false;
    }
    size_t len = (size_t)got;
    L->line++;
    L->nul = memchr(L->buf, '\0', len) != NULL;
    L->no_newline = L->buf[len - 1] != '\n';
    while (len > 0 && (L->buf[len - 1] == '\n' || L->buf[len - 1] == '\r'))
        L->buf[--len] = '\0';
    return true;
}

/* Splits L->buf in place at commas. */
static int split(Lines *L)
{
    L->nfields = 0;
    char *s = L->buf;
    for (;;) {
        if (L->nfields == L->fcap) {
            L->fcap = L->fcap ? 2 * L->fcap : 16;
            L->fields = plot_xrealloc(L->fields, (size_t)L->fcap * sizeof *L->fields);
        }
        L->fields[L->nfields++] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            return L->nfields;
        *comma = '\0';
        s = comma + 1;
    }
}

static void bad_line(Lines *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad_line(Lines *L, const char *fmt, ...)
{
    L->bad++;
    if (!L->report || L->bad > PLOT_MAX_REPORTS)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    plot_msg(L->log, "warning", "%s:%ld: %s; line skipped%s", L->path, L->line, msg,
             L->no_newline ? " (the file ends inside it: truncated?)" : "");
}

/* False (reported) for a line with a NUL byte, which no row may hold. */
static bool text_line(Lines *L)
{
    if (L->nul)
        bad_line(L, "a NUL byte in the line (is this a text file?)");
    return !L->nul;
}

/* A whole field as a number (strtod takes nan and inf too; callers decide). */
static bool field_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0';
}

static bool field_index(const char *s, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return end != s && *end == '\0' && errno == 0 && *out >= 0 && *out <= INT32_MAX;
}

/* The header line: false (reported) unless it starts as `want` says. */
static bool header(Lines *L, const char *want, bool exact)
{
    if (!next_line(L)) {
        plot_msg(L->log, "warning", "%s: the file is empty (expected the header '%s')", L->path,
                 want);
        return false;
    }
    size_t n = strlen(want);
    if (L->nul || (exact ? strcmp(L->buf, want) != 0 : strncmp(L->buf, want, n) != 0)) {
        plot_msg(L->log, "warning", "%s:1: expected the header '%s%s', got '%.60s'; file not used",
                 L->path, want, exact ? "" : ",...", L->buf);
        return false;
    }
    return true;
}

static void quote(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "'%.40s%s'", s, strlen(s) > 40 ? "..." : "");
}

/* row -> POPULATION ',' INDEX ',' TIME */
static bool spike_row(Lines *L, PlotData *d, int *pop, long long *index, double *t)
{
    char q[64];
    if (!text_line(L))
        return false;
    if (split(L) != 3) {
        bad_line(L, "expected 3 fields 'population,neuron,t_ms', got %d", L->nfields);
        return false;
    }
    if (!field_index(L->fields[1], index)) {
        quote(q, sizeof q, L->fields[1]);
        bad_line(L, "expected a neuron index (an integer from 0), got %s", q);
        return false;
    }
    if (!field_num(L->fields[2], t) || !isfinite(*t)) {
        quote(q, sizeof q, L->fields[2]);
        bad_line(L, "expected a spike time in ms, got %s", q);
        return false;
    }
    quote(q, sizeof q, L->fields[0]);
    *pop = L->fields[0][0] ? plot_pop_find(d, L->fields[0], !d->pops_known) : -1;
    if (*pop < 0 && d->pops_known && L->fields[0][0]) {
        bad_line(L, "population %s is not one of summary.json's populations", q);
        return false;
    }
    if (*pop < 0) {
        bad_line(L, "expected a population name, got %s", q);
        return false;
    }
    long long size = d->pops[*pop].size;
    if (d->pops_known && size > 0 && *index >= size) {
        bad_line(L, "neuron index %lld is outside population %s (%lld neurons in summary.json)",
                 *index, q, size);
        return false;
    }
    return true;
}

bool plot_csv_spikes(PlotData *d, const char *path, bool report, PlotSpikeFn fn)
{
    Lines L;
    if (!lines_open(&L, d, path, report))
        return false;
    bool ok = report ? header(&L, "population,neuron,t_ms", true)
                     : next_line(&L) && !L.nul && strcmp(L.buf, "population,neuron,t_ms") == 0;
    while (ok && next_line(&L)) {
        int pop;
        long long index;
        double t;
        if (spike_row(&L, d, &pop, &index, &t))
            fn(d, pop, index, t);
    }
    lines_close(&L);
    return ok;
}

/* The header's neuron labels into tr, and which columns to keep. */
static bool trace_header(Lines *L, PlotTrace *tr)
{
    if (!header(L, "t_ms", false))
        return false;
    int n = split(L);
    if (strcmp(L->fields[0], "t_ms") != 0 || n < 2) {
        plot_msg(L->log, "warning", "%s:1: expected the header 't_ms,' and one column per neuron; "
                 "file not used", L->path);
        return false;
    }
    plot_trace_select(tr, n - 1, L->all);
    for (int k = 0; k < tr->nsel; k++)
        tr->labels[k] = plot_xstrdup(L->fields[1 + tr->sel[k]]);
    return true;
}

static bool trace_row(Lines *L, PlotTrace *tr, double *t, double *keep)
{
    char q[64];
    if (!text_line(L))
        return false;
    if (split(L) != tr->ncols + 1) {
        bad_line(L, "expected %d fields (t_ms and %d neurons), got %d", tr->ncols + 1,
                 tr->ncols, L->nfields);
        return false;
    }
    int next = 0;
    for (int c = 0; c <= tr->ncols; c++) {
        double v;
        if (!field_num(L->fields[c], &v) || (c == 0 && !isfinite(v))) {
            quote(q, sizeof q, L->fields[c]);
            bad_line(L, "column %d: expected a number, got %s", c + 1, q);
            return false;
        }
        if (c == 0)
            *t = v;
        else if (next < tr->nsel && tr->sel[next] == c - 1)
            keep[next++] = v;
    }
    return true;
}

bool plot_csv_trace(PlotData *d, PlotTrace *tr)
{
    Lines L;
    if (!lines_open(&L, d, tr->file, true))
        return false;
    L.all = d->opt.all_columns;
    bool ok = trace_header(&L, tr);
    while (ok && next_line(&L)) {
        double t = 0;
        if (trace_row(&L, tr, &t, tr->row))
            plot_series_push(&tr->t, &tr->v, &tr->n, &tr->cap, t, tr->row, tr->nsel);
    }
    lines_close(&L);
    return ok;
}

bool plot_csv_pairs(PlotData *d, const char *path, const char *header_text, const char *what_x,
                    const char *what_y, double **x, double **y, size_t *n, size_t *cap)
{
    Lines L;
    if (!lines_open(&L, d, path, true))
        return false;
    bool ok = header(&L, header_text, true);
    while (ok && next_line(&L)) {
        double a, b;
        char q[64];
        if (!text_line(&L))
            continue;
        if (split(&L) != 2) {
            bad_line(&L, "expected 2 fields '%s', got %d", header_text, L.nfields);
        } else if (!field_num(L.fields[0], &a) || !isfinite(a)) {
            quote(q, sizeof q, L.fields[0]);
            bad_line(&L, "expected %s, got %s", what_x, q);
        } else if (!field_num(L.fields[1], &b)) {
            quote(q, sizeof q, L.fields[1]);
            bad_line(&L, "expected %s, got %s", what_y, q);
        } else {
            plot_series_push(x, y, n, cap, a, &b, 1);
        }
    }
    lines_close(&L);
    return ok;
}

bool plot_csv_rate(PlotData *d, PlotRate *r)
{
    return plot_csv_pairs(d, r->file, "t_ms,rate_hz", "a time in ms", "a rate in Hz", &r->t, &r->hz,
                          &r->n, &r->cap);
}
