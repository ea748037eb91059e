/* The data of `nrnc fit`: a trace file (header t_ms,0,1,... as nrnc run writes
 * trace_POP_VAR.csv) or a spike file (header neuron,t_ms, as a spike_source reads).
 *
 * Unlike `nrnc plot`, which skips what it cannot read to draw the rest, a fit must not
 * quietly fit half a file: the first bad line stops it with FILE:LINE and what was
 * expected. Lines of any length, CR-LF accepted, numbers through strtod/strtoll with the
 * whole field consumed. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"

typedef struct Reader {
    FILE *f;
    const char *path;
    char *buf;
    size_t cap;
    long line;
} Reader;

void *fit_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("nrnc: fatal: out of memory\n", stderr);
        exit(70);
    }
    return q;
}

void *fit_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("nrnc: fatal: out of memory\n", stderr);
        exit(70);
    }
    return p;
}

static bool bad(const Reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool bad(const Reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->line > 0)
        fprintf(stderr, "nrnc: error: %s:%ld: ", r->path, r->line);
    else
        fprintf(stderr, "nrnc: error: %s: ", r->path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

static bool reader_open(Reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = fopen(path, "rb");
    if (!r->f)
        return bad(r, "cannot read the data file: %s", strerror(errno));
    return true;
}

static void reader_close(Reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->buf);
}

/* The next non-empty line, without its line end; false at the end (or a NUL byte,
 * reported: the file is not text). */
static bool next_line(Reader *r, bool *failed)
{
    for (;;) {
        ssize_t got = getline(&r->buf, &r->cap, r->f);
        if (got < 0)
            return false;
        r->line++;
        size_t len = (size_t)got;
        if (memchr(r->buf, '\0', len)) {
            *failed = true;
            return bad(r, "a NUL byte: this is not a CSV text file");
        }
        while (len > 0 && (r->buf[len - 1] == '\n' || r->buf[len - 1] == '\r'))
            r->buf[--len] = '\0';
        if (len > 0)
            return true;
    }
}

/* Splits buf at commas in place; the fields (at most cap) and their count. */
static int split(char *buf, char ***fields, int *cap)
{
    int n = 0;
    for (char *s = buf;; n++) {
        if (n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *fields = fit_xrealloc(*fields, sizeof **fields * (size_t)*cap);
        }
        (*fields)[n] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            return n + 1;
        *comma = '\0';
        s = comma + 1;
    }
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        s[--len] = '\0';
    return s;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno != ERANGE && isfinite(*out);
}

static bool parse_index(const char *s, int64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

static bool read_header(Reader *r, const char *want, char ***fields, int *cap, int *n)
{
    bool failed = false;
    if (!next_line(r, &failed))
        return failed ? false : bad(r, "the file is empty; expected the header '%s'", want);
    *n = split(r->buf, fields, cap);
    for (int k = 0; k < *n; k++)
        (*fields)[k] = trim((*fields)[k]);
    return true;
}

static bool trace_header(Reader *r, char **fields, int n, int64_t nneurons, const char *pop, FitTrace *out)
{
    if (strcmp(fields[0], "t_ms") != 0 || n < 2)
        return bad(r, "expected the header 't_ms,0,1,...' (a column of times, then one per neuron of "
                      "'%s'), got '%s%s'", pop, fields[0], n > 1 ? ",..." : "");
    out->ncols = n - 1;
    out->neuron = fit_xrealloc(NULL, sizeof *out->neuron * (size_t)out->ncols);
    for (int k = 1; k < n; k++) {
        int64_t j;
        if (!parse_index(fields[k], &j))
            return bad(r, "column %d is named '%s'; columns after t_ms are named by neuron indices (0, 1, ...)",
                       k + 1, fields[k]);
        if (j >= nneurons)
            return bad(r, "column '%s' is outside population '%s' (%lld neurons: 0 to %lld)", fields[k], pop,
                       (long long)nneurons, (long long)nneurons - 1);
        for (int q = 0; q < k - 1; q++)
            if (out->neuron[q] == j)
                return bad(r, "neuron %lld has two columns", (long long)j);
        out->neuron[k - 1] = j;
    }
    return true;
}

/* A sample time that is a whole number of steps (the model samples at steps). */
static bool sample_step(const Reader *r, double t, double dt_ms, int64_t prev, int64_t *step)
{
    double k = t / dt_ms;
    double near = nearbyint(k);
    if (t < 0)
        return bad(r, "time %g ms is negative", t);
    if (fabs(k - near) > 1e-6 * fmax(1.0, fabs(k)))
        return bad(r, "time %g ms is not a multiple of dt (%g ms); give --dt to match the data", t, dt_ms);
    if (near > 1e12)
        return bad(r, "time %g ms is too far (more than 1e12 steps of %g ms)", t, dt_ms);
    *step = (int64_t)near;
    if (*step <= prev)
        return bad(r, "time %g ms does not come after the previous sample's", t);
    return true;
}

bool fit_trace_read(const char *path, int64_t nneurons, double dt_ms, const char *pop, FitTrace *out)
{
    memset(out, 0, sizeof *out);
    Reader r;
    if (!reader_open(&r, path))
        return false;
    char **fields = NULL;
    int cap = 0, n = 0;
    bool ok = read_header(&r, "t_ms,0,1,...", &fields, &cap, &n) &&
              trace_header(&r, fields, n, nneurons, pop, out);
    int64_t rows = 0, room = 0, prev = -1;
    bool failed = false;
    while (ok && next_line(&r, &failed)) {
        n = split(r.buf, &fields, &cap);
        if (n != out->ncols + 1) {
            ok = bad(&r, "%d fields; the header has %d", n, out->ncols + 1);
            break;
        }
        if (rows == room) {
            room = room ? 2 * room : 1024;
            out->step = fit_xrealloc(out->step, sizeof *out->step * (size_t)room);
            out->t_ms = fit_xrealloc(out->t_ms, sizeof *out->t_ms * (size_t)room);
            out->v = fit_xrealloc(out->v, sizeof *out->v * (size_t)room * (size_t)out->ncols);
        }
        double t;
        if (!parse_double(trim(fields[0]), &t)) {
            ok = bad(&r, "'%s' is not a time in ms", trim(fields[0]));
            break;
        }
        if (!(ok = sample_step(&r, t, dt_ms, prev, &out->step[rows])))
            break;
        prev = out->step[rows];
        out->t_ms[rows] = t;
        for (int k = 0; k < out->ncols && ok; k++)
            if (!parse_double(trim(fields[k + 1]), &out->v[rows * out->ncols + k]))
                ok = bad(&r, "field %d, '%s', is not a finite number", k + 2, trim(fields[k + 1]));
        rows++;
    }
    ok = ok && !failed;
    out->nsamples = rows;
    if (ok && rows == 0)
        ok = bad(&r, "no samples after the header");
    free(fields);
    reader_close(&r);
    if (!ok)
        fit_trace_free(out);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void push_spike(FitSpikes *s, int64_t *room, int64_t j, double t)
{
    if (s->count[j] == room[j]) {
        room[j] = room[j] ? 2 * room[j] : 16;
        s->t_ms[j] = fit_xrealloc(s->t_ms[j], sizeof *s->t_ms[j] * (size_t)room[j]);
    }
    s->t_ms[j][s->count[j]++] = t;
    s->total++;
}

bool fit_spikes_read(const char *path, int64_t nneurons, double duration_ms, const char *pop, FitSpikes *out)
{
    memset(out, 0, sizeof *out);
    Reader r;
    if (!reader_open(&r, path))
        return false;
    char **fields = NULL;
    int cap = 0, n = 0;
    bool ok = read_header(&r, "neuron,t_ms", &fields, &cap, &n);
    if (ok && (n != 2 || strcmp(fields[0], "neuron") != 0 || strcmp(fields[1], "t_ms") != 0))
        ok = bad(&r, "expected the header 'neuron,t_ms'");
    out->nneurons = nneurons;
    out->count = fit_xrealloc(NULL, sizeof *out->count * (size_t)nneurons);
    out->t_ms = fit_xrealloc(NULL, sizeof *out->t_ms * (size_t)nneurons);
    int64_t *room = fit_xrealloc(NULL, sizeof *room * (size_t)nneurons);
    for (int64_t j = 0; j < nneurons; j++) {
        out->count[j] = room[j] = 0;
        out->t_ms[j] = NULL;
    }
    bool failed = false;
    while (ok && next_line(&r, &failed)) {
        n = split(r.buf, &fields, &cap);
        int64_t j;
        double t;
        if (n != 2)
            ok = bad(&r, "%d fields; expected 2 (neuron,t_ms)", n);
        else if (!parse_index(trim(fields[0]), &j))
            ok = bad(&r, "'%s' is not a neuron index", trim(fields[0]));
        else if (j >= nneurons)
            ok = bad(&r, "neuron %lld is outside population '%s' (%lld neurons: 0 to %lld)", (long long)j, pop,
                     (long long)nneurons, (long long)nneurons - 1);
        else if (!parse_double(trim(fields[1]), &t))
            ok = bad(&r, "'%s' is not a time in ms", trim(fields[1]));
        else if (t < 0 || t > duration_ms * (1 + 1e-12))
            ok = bad(&r, "spike time %g ms is outside the run [0, %g ms]; give --duration to cover the data", t,
                     duration_ms);
        else
            push_spike(out, room, j, t);
    }
    ok = ok && !failed;
    if (ok && out->total == 0)
        ok = bad(&r, "no spikes after the header: nothing to fit");
    for (int64_t j = 0; ok && j < nneurons; j++)
        if (out->count[j] > 1)
            qsort(out->t_ms[j], (size_t)out->count[j], sizeof(double), cmp_double);
    free(room);
    free(fields);
    reader_close(&r);
    if (!ok)
        fit_spikes_free(out);
    return ok;
}

void fit_trace_free(FitTrace *t)
{
    free(t->neuron);
    free(t->step);
    free(t->t_ms);
    free(t->v);
    memset(t, 0, sizeof *t);
}

void fit_spikes_free(FitSpikes *s)
{
    for (int64_t j = 0; s->t_ms && j < s->nneurons; j++)
        free(s->t_ms[j]);
    free(s->t_ms);
    free(s->count);
    memset(s, 0, sizeof *s);
}
