/* Monitors: spikes, state traces and population rates, turned into rows of the output
 * files as the run goes.
 *
 * Nothing is kept here beyond one row: spikes go straight to spikes.csv (or to the
 * per-population .npy pair), traces write one sample per due step, each a whole record
 * for output.c, which buffers them and writes whole records only. The loop's order
 * (step, then population, then the ascending spiked list) is already the order CLI.md
 * asks for, so no sorting happens here.
 *
 * Times are the exact decimals of nrt_format_time; the float64 times in .npy files are
 * those decimals read back, so CSV and NPY agree to the last bit. A trace samples at steps
 * 0, every, 2·every, ... and only touches its neurons of one array (a slice [lo, hi), or
 * the index array a stride or list was resolved into by the compiler); a population's
 * observe (which computes recorded lets and inputs into their slots) runs once on a step
 * where one of its traces samples, before the first of them reads. A rate monitor keeps
 * one counter, fed each step from the population's nspiked, and writes it as a rate every
 * `every` steps (0 at t = 0), so it costs O(1) per step whether or not spikes are written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pool.h"

/* Rows of at least SPLIT_VALUES values are formatted on the pool: a value costs about
 * 0.8 us (up to three snprintf/strtod pairs), a pool phase a few. */
enum { CHUNK = 256, SPLIT_VALUES = 512 };

static char *concat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

static int open_spikes(nrt_monitors *mon, nrt_folder *folder)
{
    const nrt_run_desc *d = mon->desc;
    bool any = false;
    for (int p = 0; p < d->npops; p++) {
        mon->csv_prefix[p] = concat3(d->pops[p].name, ",", "");
        if (!mon->csv_prefix[p]) {
            nrt_err_report(folder->err, "out of memory");
            return -1;
        }
        if (!d->pops[p].record_spikes)
            continue;
        any = true;
        if (d->format != NRT_FORMAT_NPY)
            continue;
        char *t = concat3("spikes_", d->pops[p].name, "_t.npy");
        char *i = concat3("spikes_", d->pops[p].name, "_i.npy");
        int rc = 0;
        if (!t || !i) {
            nrt_err_report(folder->err, "out of memory");
            rc = -1;
        }
        if (rc == 0)
            rc = nrt_npy_open(&mon->spikes_t[p], folder, t, NRT_NPY_F64, -1);
        if (rc == 0)
            rc = nrt_npy_open(&mon->spikes_i[p], folder, i, NRT_NPY_I32, -1);
        free(t);
        free(i);
        if (rc != 0)
            return -1;
    }
    if (!any || d->format == NRT_FORMAT_NPY)
        return 0;
    if (nrt_out_open(&mon->spikes_csv, folder, "spikes.csv") != 0)
        return -1;
    static const char header[] = "population,neuron,t_ms\n";
    return nrt_out_write(&mon->spikes_csv, header, sizeof header - 1);
}

/* The neuron of column j (from 0). */
static inline int64_t trace_neuron(const nrt_trace_mon *tm, int64_t j)
{
    return tm->index ? tm->index[j] : tm->lo + j;
}

static int write_trace_header(nrt_trace_mon *tm)
{
    if (nrt_out_puts(&tm->csv, "t_ms") != 0)
        return -1;
    for (int64_t j = 0; j < tm->n; j++) {
        char num[NRT_NUM_BUF];
        num[0] = ',';
        int len = nrt_format_int(trace_neuron(tm, j), num + 1);
        num[len + 1] = '\0';
        if (nrt_out_puts(&tm->csv, num) != 0)
            return -1;
    }
    return nrt_out_write(&tm->csv, "\n", 1);
}

static int open_trace(nrt_monitors *mon, nrt_trace_mon *tm, const nrt_trace_desc *td,
                      nrt_folder *folder)
{
    const nrt_run_desc *d = mon->desc;
    int64_t n = d->pops[td->pop].n;
    tm->d = td;
    tm->hi = td->hi < n ? td->hi : n;
    tm->lo = td->lo < 0 ? 0 : td->lo > tm->hi ? tm->hi : td->lo;
    tm->index = td->index;
    tm->n = td->index ? td->nindex : tm->hi - tm->lo;
    tm->every = td->every >= 1 ? td->every : 1;
    char *base = concat3("trace_", d->pops[td->pop].name, "_");
    char *stem = base ? concat3(base, td->var, "") : NULL;
    bool npy = d->format == NRT_FORMAT_NPY;
    tm->file = stem ? concat3(stem, npy ? ".npy" : ".csv", "") : NULL;
    char *tfile = stem ? concat3(stem, "_t.npy", "") : NULL;
    tm->row = npy ? malloc(((size_t)tm->n + 1) * sizeof *tm->row) : NULL;
    int rc = 0;
    if (!tm->file || !tfile || (npy && !tm->row)) {
        nrt_err_report(folder->err, "out of memory");
        rc = -1;
    } else if (npy) {
        rc = nrt_npy_open(&tm->data, folder, tm->file, NRT_NPY_F64, tm->n);
        if (rc == 0)
            rc = nrt_npy_open(&tm->times, folder, tfile, NRT_NPY_F64, -1);
    } else {
        rc = nrt_out_open(&tm->csv, folder, tm->file);
        if (rc == 0)
            rc = write_trace_header(tm);
    }
    free(base);
    free(stem);
    free(tfile);
    return rc;
}

int nrt_rate_ordinal(const nrt_run_desc *desc, int r)
{
    int ord = 1;
    for (int k = 0; k < r; k++)
        ord += desc->rates[k].pop == desc->rates[r].pop;
    return ord;
}

static int open_rate(nrt_monitors *mon, int r, nrt_folder *folder)
{
    const nrt_run_desc *d = mon->desc;
    nrt_rate_mon *rm = &mon->rates[r];
    const nrt_rate_desc *rd = &d->rates[r];
    rm->d = rd;
    rm->every = rd->every >= 1 ? rd->every : 1;
    /* The window as its exact decimal read back, like the times and summary.json's rate. */
    char w[NRT_NUM_BUF];
    nrt_format_time(rm->every, mon->dt_ms, w, sizeof w);
    rm->size_window_ms = (double)d->pops[rd->pop].n * strtod(w, NULL);
    char suffix[24] = "";
    int ord = nrt_rate_ordinal(d, r);
    if (ord > 1)
        snprintf(suffix, sizeof suffix, "_%d", ord);
    char *base = concat3("rate_", d->pops[rd->pop].name, suffix);
    bool npy = d->format == NRT_FORMAT_NPY;
    rm->file = base ? concat3(base, npy ? ".npy" : ".csv", "") : NULL;
    char *tfile = base ? concat3(base, "_t.npy", "") : NULL;
    int rc = 0;
    if (!rm->file || !tfile) {
        nrt_err_report(folder->err, "out of memory");
        rc = -1;
    } else if (npy) {
        rc = nrt_npy_open(&rm->data, folder, rm->file, NRT_NPY_F64, -1);
        if (rc == 0)
            rc = nrt_npy_open(&rm->times, folder, tfile, NRT_NPY_F64, -1);
    } else {
        rc = nrt_out_open(&rm->csv, folder, rm->file);
        if (rc == 0)
            rc = nrt_out_write(&rm->csv, "t_ms,rate_hz\n", 13);
    }
    free(base);
    free(tfile);
    return rc;
}

int nrt_monitors_open(nrt_monitors *mon, const nrt_run_desc *desc, double dt_ms,
                      nrt_folder *folder)
{
    memset(mon, 0, sizeof *mon);
    mon->desc = desc;
    mon->dt_ms = dt_ms;
    nrt_clock_init(&mon->clock, dt_ms);
    size_t np = desc->npops > 0 ? (size_t)desc->npops : 0;
    size_t nt = desc->ntraces > 0 ? (size_t)desc->ntraces : 0;
    size_t nr = desc->nrates > 0 ? (size_t)desc->nrates : 0;
    mon->csv_prefix = calloc(np + 1, sizeof *mon->csv_prefix);
    mon->spikes_t = calloc(np + 1, sizeof *mon->spikes_t);
    mon->spikes_i = calloc(np + 1, sizeof *mon->spikes_i);
    mon->observed = malloc((np + 1) * sizeof *mon->observed);
    mon->traces = calloc(nt + 1, sizeof *mon->traces);
    mon->rates = calloc(nr + 1, sizeof *mon->rates);
    if (!mon->csv_prefix || !mon->spikes_t || !mon->spikes_i || !mon->observed ||
        !mon->traces || !mon->rates) {
        nrt_err_report(folder->err, "out of memory");
        return -1;
    }
    for (size_t p = 0; p < np; p++)
        mon->observed[p] = -1;
    mon->ntraces = (int)nt;
    mon->nrates = (int)nr;
    if (open_spikes(mon, folder) != 0)
        return -1;
    for (int t = 0; t < mon->ntraces; t++)
        if (open_trace(mon, &mon->traces[t], &desc->traces[t], folder) != 0)
            return -1;
    for (int r = 0; r < mon->nrates; r++)
        if (open_rate(mon, r, folder) != 0)
            return -1;
    return 0;
}

/* Spikes of one population as .npy items, CHUNK at a time. */
static int spikes_npy(nrt_monitors *mon, int p, const nrt_pop *pop, double t_ms)
{
    double tb[CHUNK];
    int32_t ib[CHUNK];
    for (int64_t k = 0; k < pop->nspiked; k += CHUNK) {
        int64_t m = pop->nspiked - k < CHUNK ? pop->nspiked - k : CHUNK;
        for (int64_t j = 0; j < m; j++) {
            tb[j] = t_ms;
            ib[j] = (int32_t)pop->spiked[k + j];
        }
        if (nrt_npy_append(&mon->spikes_t[p], tb, m) != 0 ||
            nrt_npy_append(&mon->spikes_i[p], ib, m) != 0)
            return -1;
    }
    return 0;
}

/* Appends "INDEX,T\n" at row; returns its length (at most 22 + strlen(t) + 1). */
static size_t row_tail(char *row, int64_t index, const char *t, size_t tl)
{
    size_t len = (size_t)nrt_format_int(index, row);
    row[len++] = ',';
    memcpy(row + len, t, tl);
    len += tl;
    row[len++] = '\n';
    return len;
}

/* Spikes of one population as CSV rows, gathered in a local block so that stdio is
 * called once per few hundred rows rather than twice per row. */
static int spikes_csv(nrt_monitors *mon, int p, const nrt_pop *pop, const char *t)
{
    char block[8192];
    const char *prefix = mon->csv_prefix[p];
    size_t pl = strlen(prefix), tl = strlen(t), used = 0;
    size_t max_row = pl + 22 + tl + 1;
    for (int64_t k = 0; k < pop->nspiked; k++) {
        if (max_row > sizeof block) {           /* an absurdly long name: row by row */
            if (nrt_out_puts(&mon->spikes_csv, prefix) != 0 ||
                nrt_out_write(&mon->spikes_csv, block, row_tail(block, pop->spiked[k], t, tl)))
                return -1;
            continue;
        }
        if (used + max_row > sizeof block) {
            if (nrt_out_write(&mon->spikes_csv, block, used) != 0)
                return -1;
            used = 0;
        }
        memcpy(block + used, prefix, pl);
        used += pl;
        used += row_tail(block + used, pop->spiked[k], t, tl);
    }
    return nrt_out_write(&mon->spikes_csv, block, used);
}

int nrt_monitors_spikes(nrt_monitors *mon, int p, const nrt_pop *pop, int64_t step)
{
    if (!mon->desc->pops[p].record_spikes || pop->nspiked == 0)
        return 0;
    const char *t = nrt_clock_text(&mon->clock, step);
    if (mon->desc->format == NRT_FORMAT_NPY)
        return spikes_npy(mon, p, pop, strtod(t, NULL));
    return spikes_csv(mon, p, pop, t);
}

static double trace_value(const nrt_trace_mon *tm, const nrt_pop *pop, int64_t i)
{
    const nrt_trace_desc *td = tm->d;
    double si = td->scalar ? pop->scalars[td->slot] : pop->arrays[td->slot][i];
    return si / td->scale;
}

int nrt_monitors_use_pool(nrt_monitors *mon, nrt_pool *pool, nrt_err *err)
{
    int shares = nrt_pool_size(pool);
    int64_t longest = 0;
    for (int k = 0; k < mon->ntraces; k++)
        if (mon->traces[k].n > longest)
            longest = mon->traces[k].n;
    if (shares < 2 || mon->desc->format != NRT_FORMAT_CSV || longest < SPLIT_VALUES)
        return 0;
    mon->part = calloc((size_t)shares, sizeof *mon->part);
    mon->part_len = calloc((size_t)shares, sizeof *mon->part_len);
    if (!mon->part || !mon->part_len)
        goto oom;
    mon->shares = shares;
    size_t cap = (size_t)(longest / shares + 1) * (NRT_NUM_BUF + 1);
    for (int t = 0; t < shares; t++)
        if (!(mon->part[t] = malloc(cap)))
            goto oom;
    mon->pool = pool;
    return 0;
oom:
    nrt_err_report(err, "out of memory");
    return -1;
}

typedef struct format_job {
    nrt_monitors *mon;
    const nrt_trace_mon *tm;
    const nrt_pop *pop;
} format_job;

/* Share t of a trace row: ",value" for its part of the columns into mon->part[t]. */
static void format_phase(void *ctx, int t)
{
    format_job *job = ctx;
    const nrt_trace_mon *tm = job->tm;
    int64_t n = tm->n, shares = job->mon->shares;
    char *out = job->mon->part[t];
    size_t len = 0;
    for (int64_t j = n * t / shares; j < n * (t + 1) / shares; j++) {
        out[len++] = ',';
        nrt_format_double(trace_value(tm, job->pop, trace_neuron(tm, j)), out + len, NRT_NUM_BUF);
        len += strlen(out + len);
    }
    job->mon->part_len[t] = len;
}

static int sample_csv(nrt_monitors *mon, nrt_trace_mon *tm, const nrt_pop *pop, const char *t)
{
    if (nrt_out_puts(&tm->csv, t) != 0)
        return -1;
    if (mon->pool && tm->n >= SPLIT_VALUES) {
        format_job job = {.mon = mon, .tm = tm, .pop = pop};
        nrt_pool_run(mon->pool, format_phase, &job);
        for (int s = 0; s < mon->shares; s++)
            if (nrt_out_add(&tm->csv, mon->part[s], mon->part_len[s]) != 0)
                return -1;
        return nrt_out_write(&tm->csv, "\n", 1);
    }
    char num[NRT_NUM_BUF + 1];
    num[0] = ',';
    for (int64_t j = 0; j < tm->n; j++) {
        nrt_format_double(trace_value(tm, pop, trace_neuron(tm, j)), num + 1, NRT_NUM_BUF);
        if (nrt_out_puts(&tm->csv, num) != 0)
            return -1;
    }
    return nrt_out_write(&tm->csv, "\n", 1);
}

static int sample_npy(nrt_trace_mon *tm, const nrt_pop *pop, double t_ms)
{
    for (int64_t j = 0; j < tm->n; j++)
        tm->row[j] = trace_value(tm, pop, trace_neuron(tm, j));
    if (nrt_npy_append(&tm->data, tm->row, 1) != 0)
        return -1;
    return nrt_npy_append(&tm->times, &t_ms, 1);
}

void nrt_monitors_count(nrt_monitors *mon, const nrt_pop *pops)
{
    for (int r = 0; r < mon->nrates; r++)
        mon->rates[r].count += pops[mon->rates[r].d->pop].nspiked;
}

/* One row of a rate monitor: the spikes counted since the last row, as a rate in Hz. */
static int sample_rate(nrt_monitors *mon, nrt_rate_mon *rm, int64_t step, const char *t)
{
    double hz = step > 0 && rm->size_window_ms > 0 ? (double)rm->count * 1e3 / rm->size_window_ms
                                                   : 0.0;
    rm->count = 0;
    if (mon->desc->format == NRT_FORMAT_NPY) {
        double t_ms = strtod(t, NULL);
        if (nrt_npy_append(&rm->data, &hz, 1) != 0)
            return -1;
        return nrt_npy_append(&rm->times, &t_ms, 1);
    }
    char row[2 * NRT_NUM_BUF + 2];
    size_t tl = strlen(t);
    memcpy(row, t, tl);
    row[tl] = ',';
    nrt_format_double(hz, row + tl + 1, NRT_NUM_BUF);
    size_t len = strlen(row);
    row[len++] = '\n';
    return nrt_out_write(&rm->csv, row, len);
}

int nrt_monitors_sample(nrt_monitors *mon, nrt_pop *pops, int64_t step)
{
    const nrt_run_desc *d = mon->desc;
    const char *t = NULL;
    for (int k = 0; k < mon->ntraces; k++) {
        nrt_trace_mon *tm = &mon->traces[k];
        if (step % tm->every != 0)
            continue;
        if (!t)
            t = nrt_clock_text(&mon->clock, step);
        int p = tm->d->pop;
        nrt_pop *pop = &pops[p];
        if (d->pops[p].observe && mon->observed[p] != step) {
            d->pops[p].observe(pop, step, d->dt);
            mon->observed[p] = step;
        }
        int rc = d->format == NRT_FORMAT_NPY ? sample_npy(tm, pop, strtod(t, NULL))
                                             : sample_csv(mon, tm, pop, t);
        if (rc != 0)
            return -1;
    }
    for (int r = 0; r < mon->nrates; r++) {
        nrt_rate_mon *rm = &mon->rates[r];
        if (step % rm->every != 0)
            continue;
        if (!t)
            t = nrt_clock_text(&mon->clock, step);
        if (sample_rate(mon, rm, step, t) != 0)
            return -1;
    }
    return 0;
}

int nrt_monitors_close(nrt_monitors *mon)
{
    int rc = nrt_out_close(&mon->spikes_csv);
    int np = mon->desc ? mon->desc->npops : 0;
    for (int p = 0; p < np && mon->spikes_t; p++) {
        if (nrt_npy_close(&mon->spikes_t[p]) != 0)
            rc = -1;
        if (nrt_npy_close(&mon->spikes_i[p]) != 0)
            rc = -1;
    }
    for (int k = 0; k < mon->ntraces; k++) {
        nrt_trace_mon *tm = &mon->traces[k];
        /* Only one kind is open; closing a never-opened file is a no-op. */
        if (nrt_out_close(&tm->csv) != 0)
            rc = -1;
        if (nrt_npy_close(&tm->data) != 0)
            rc = -1;
        if (nrt_npy_close(&tm->times) != 0)
            rc = -1;
    }
    for (int r = 0; r < mon->nrates; r++) {
        nrt_rate_mon *rm = &mon->rates[r];
        if (nrt_out_close(&rm->csv) != 0)
            rc = -1;
        if (nrt_npy_close(&rm->data) != 0)
            rc = -1;
        if (nrt_npy_close(&rm->times) != 0)
            rc = -1;
    }
    return rc;
}

void nrt_monitors_free(nrt_monitors *mon)
{
    int np = mon->desc ? mon->desc->npops : 0;
    for (int p = 0; p < np && mon->csv_prefix; p++)
        free(mon->csv_prefix[p]);
    for (int k = 0; k < mon->ntraces; k++) {
        free(mon->traces[k].row);
        free(mon->traces[k].file);
    }
    for (int r = 0; r < mon->nrates; r++)
        free(mon->rates[r].file);
    free(mon->csv_prefix);
    free(mon->spikes_t);
    free(mon->spikes_i);
    free(mon->observed);
    free(mon->traces);
    free(mon->rates);
    for (int t = 0; t < mon->shares && mon->part; t++)
        free(mon->part[t]);
    free(mon->part);
    free(mon->part_len);
    memset(mon, 0, sizeof *mon);
}

const char *nrt_monitors_trace_file(const nrt_monitors *mon, int t)
{
    return t < mon->ntraces ? mon->traces[t].file : NULL;
}

const char *nrt_monitors_rate_file(const nrt_monitors *mon, int r)
{
    return r < mon->nrates ? mon->rates[r].file : NULL;
}

void nrt_monitors_save(const nrt_monitors *mon, nrt_ckpt_io *io)
{
    for (int r = 0; r < mon->nrates; r++)
        nrt_ckpt_put(io, &mon->rates[r].count, sizeof mon->rates[r].count);
}

int nrt_monitors_load(nrt_monitors *mon, nrt_ckpt_io *io)
{
    for (int r = 0; r < mon->nrates; r++)
        if (!nrt_ckpt_get(io, &mon->rates[r].count, sizeof mon->rates[r].count))
            return -1;
    return 0;
}
