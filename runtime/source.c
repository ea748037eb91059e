/* Spike sources (`spike_source` populations): the spikes of the model's times lists, or
 * of a CSV file `neuron,t_ms` read, checked and sorted at set-up, emitted step by step.
 *
 * The schedule is sorted by (step, neuron) once, so each step costs O(spikes emitted):
 * a cursor walks forward and never scans neurons. */
#include "source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct spike_at {
    int64_t step;
    int32_t neuron;
} spike_at;

static int cmp_spike(const void *pa, const void *pb)
{
    const spike_at *a = pa, *b = pb;
    if (a->step != b->step)
        return a->step < b->step ? -1 : 1;
    return (a->neuron > b->neuron) - (a->neuron < b->neuron);
}

static int push(spike_at **v, int64_t *n, int64_t *cap, spike_at s)
{
    if (*n == *cap) {
        int64_t c = *cap ? *cap * 2 : 1024;
        spike_at *grown = realloc(*v, (size_t)c * sizeof **v);
        if (!grown)
            return -1;
        *v = grown;
        *cap = c;
    }
    (*v)[(*n)++] = s;
    return 0;
}

/* One data line "neuron,t_ms"; 0, or -1 with the reason in why. */
static int parse_line(const char *line, int64_t size, double dt_ms, spike_at *out, const char **why)
{
    char *end;
    errno = 0;
    long long neuron = strtoll(line, &end, 10);
    if (end == line || *end != ',' || errno) {
        *why = "expected an integer neuron index, a comma and a time in ms";
        return -1;
    }
    if (neuron < 0 || neuron >= size) {
        *why = "neuron index outside the population";
        return -1;
    }
    const char *t = end + 1;
    double ms = strtod(t, &end);
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
        end++;
    if (end == t || *end || !isfinite(ms)) {
        *why = "the time is not a number";
        return -1;
    }
    double steps = floor(ms / dt_ms + 0.5 + 1e-9);
    if (!(steps >= 1) || steps > 9e15) {
        *why = "the time must be at least one step (dt) after 0";
        return -1;
    }
    out->step = (int64_t)steps;
    out->neuron = (int32_t)neuron;
    return 0;
}

/* The lines of an open spike file; `name` is used in messages. A line may hold at most
 * 255 bytes, and a NUL byte (a binary file) is refused, not read as the line's end. */
static int read_lines(nrt_source_state *st, FILE *f, const char *name, int64_t size, double dt_ms,
                      nrt_err *err)
{
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    int64_t lineno = 0, cap = 0;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &linecap, f)) > 0) {
        lineno++;
        const char *why = NULL;
        if (memchr(line, '\0', (size_t)len))
            why = "a NUL byte (is this a text file?)";
        else if (len > 255)
            why = "line too long";
        if (lineno == 1) {
            if (why || strncmp(line, "neuron,t_ms", 11) != 0) {
                nrt_err_report(err, "spike file '%s': the first line must be the header neuron,t_ms", name);
                rc = -1;
            }
            continue;
        }
        if (!why && (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n')))
            continue;
        spike_at s;
        if (why || parse_line(line, size, dt_ms, &s, &why) != 0) {
            nrt_err_report(err, "spike file '%s' line %lld: %s", name, (long long)lineno, why);
            rc = -1;
        } else if (push(&st->spikes, &st->count, &cap, s) != 0) {
            nrt_err_report(err, "out of memory reading '%s'", name);
            rc = -1;
        }
    }
    free(line);
    if (rc == 0 && ferror(f)) {
        nrt_err_report(err, "cannot read spike file '%s': %s", name, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && lineno == 0) {
        nrt_err_report(err, "spike file '%s' is empty (it needs the header neuron,t_ms)", name);
        rc = -1;
    }
    return rc;
}

static int read_file(nrt_source_state *st, const char *path, int64_t size, double dt_ms, nrt_err *err)
{
    /* a FIFO nobody writes to would block the open: regular files only */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        nrt_err_report(err, "cannot read spike file '%s': it is not a regular file", path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        nrt_err_report(err, "cannot read spike file '%s': %s", path, strerror(errno));
        return -1;
    }
    int rc = read_lines(st, f, path, size, dt_ms, err);
    fclose(f);
    return rc;
}

static void sort_spikes(nrt_source_state *st)
{
    if (st->count > 0)
        qsort(st->spikes, (size_t)st->count, sizeof *st->spikes, cmp_spike);
}

int nrt_source_read_mem(nrt_source_state *st, const char *name, const void *data, size_t n,
                        int64_t size, double dt_ms, nrt_err *err)
{
    memset(st, 0, sizeof *st);
    char none[1];   /* fmemopen wants a buffer even for no bytes */
    FILE *f = fmemopen(n ? (void *)data : none, n, "r");
    if (!f) {
        nrt_err_report(err, "cannot read spike file '%s': %s", name, strerror(errno));
        return -1;
    }
    int rc = read_lines(st, f, name, size, dt_ms, err);
    fclose(f);
    if (rc == 0)
        sort_spikes(st);
    return rc;
}

int nrt_source_open(nrt_source_state *st, const nrt_source *src, int64_t size, double dt_ms, nrt_err *err)
{
    memset(st, 0, sizeof *st);
    if (src->file) {
        if (read_file(st, src->file, size, dt_ms, err) != 0)
            return -1;
    } else if (src->count > 0) {
        st->spikes = malloc((size_t)src->count * sizeof *st->spikes);
        if (!st->spikes) {
            nrt_err_report(err, "out of memory");
            return -1;
        }
        for (int64_t k = 0; k < src->count; k++)
            st->spikes[k] = (spike_at){src->steps[k], src->neurons[k]};
        st->count = src->count;
    }
    sort_spikes(st);
    return 0;
}

void nrt_source_emit(nrt_source_state *st, nrt_pop *pop, int64_t step)
{
    pop->nspiked = 0;
    while (st->next < st->count && st->spikes[st->next].step < step)
        st->next++;   /* cannot happen after a clean start; keeps the cursor safe */
    for (; st->next < st->count && st->spikes[st->next].step == step; st->next++) {
        int32_t i = st->spikes[st->next].neuron;
        /* the same neuron twice in one step is one spike */
        if (pop->nspiked == 0 || pop->spiked[pop->nspiked - 1] != i)
            pop->spiked[pop->nspiked++] = i;
    }
}

void nrt_source_free(nrt_source_state *st)
{
    free(st->spikes);
    memset(st, 0, sizeof *st);
}
