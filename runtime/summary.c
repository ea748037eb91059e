/* summary.json: what ran, how it ended, where the files are.
 *
 * Written at the start ("status": "running", with every file the run writes under
 * "files") and again last, also after a failure, a full disk or an interrupt; each time
 * it replaces the previous one whole (outdir.c), so it is valid JSON at every moment.
 * "files" gives the whole rows each file holds on disk. Keys come in a fixed order,
 * numbers in the shortest form that reads back (times in ms as exact multiples of dt,
 * timings rounded to the microsecond), strings JSON-escaped; a non-finite number, which
 * JSON cannot carry, is written as null. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "spike_stats.h"
#include "syn_monitor.h"

/* The text, built in memory: it reaches the disk in one piece. */
typedef struct json {
    char *text;
    size_t len, cap;
    bool oom;
} json;

static void put(json *j, const char *s)
{
    size_t n = strlen(s);
    if (j->oom)
        return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 4096;
        while (cap < j->len + n + 1)
            cap *= 2;
        char *grown = realloc(j->text, cap);
        if (!grown) {
            j->oom = true;
            return;
        }
        j->text = grown;
        j->cap = cap;
    }
    memcpy(j->text + j->len, s, n + 1);
    j->len += n;
}

static void put_str(json *j, const char *s)
{
    if (!s) {
        put(j, "null");
        return;
    }
    put(j, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\')
            snprintf(esc, sizeof esc, "\\%c", *p);
        else if (*p < 0x20)
            snprintf(esc, sizeof esc, "\\u%04x", *p);
        else
            snprintf(esc, sizeof esc, "%c", *p);
        put(j, esc);
    }
    put(j, "\"");
}

static void put_num(json *j, double x)
{
    char buf[NRT_NUM_BUF];
    if (!isfinite(x)) {
        put(j, "null");
        return;
    }
    nrt_format_double(x, buf, sizeof buf);
    put(j, buf);
}

static void put_time(json *j, int64_t step, double dt_ms)
{
    char buf[NRT_NUM_BUF];
    nrt_format_time(step, dt_ms, buf, sizeof buf);
    if (strcmp(buf, "nan") == 0 || strstr(buf, "inf"))
        strcpy(buf, "null");
    put(j, buf);
}

static void put_int(json *j, int64_t v)
{
    char buf[NRT_NUM_BUF];
    nrt_format_int(v, buf);
    put(j, buf);
}

/* `"key": ` at the given indentation, preceded by a comma unless first. */
static void key(json *j, int indent, bool first, const char *k)
{
    put(j, first ? "\n" : ",\n");
    for (int i = 0; i < indent; i++)
        put(j, "  ");
    put_str(j, k);
    put(j, ": ");
}

/* "stats": { POP: {...} }, the spike statistics of the run so far (spike_stats.h) per
 * population, each the same text that `nrnc stats --format json` prints for the folder.
 * A key of its own beside "populations", whose objects keep their four keys. */
static void put_stats(json *j, const nrt_summary *s)
{
    const nrt_run_desc *d = s->desc;
    put(j, "{");
    for (int p = 0; p < d->npops; p++) {
        const nrt_spike_stats *st = &s->stats[p];
        nrt_spike_summary r;
        if (!nrt_spike_stats_finish(st, s->steps_done, s->dt_ms, &r)) {
            j->oom = true;
            return;
        }
        char buf[NRT_SPIKE_JSON_MAX];
        nrt_spike_summary_json(&r, (double)st->window * s->dt_ms, (double)st->bin * s->dt_ms, buf,
                               sizeof buf);
        key(j, 2, p == 0, d->pops[p].name);
        put(j, buf);
    }
    put(j, d->npops > 0 ? "\n  }" : "}");
}

static void put_populations(json *j, const nrt_summary *s)
{
    const nrt_run_desc *d = s->desc;
    /* The simulated time as its exact decimal read back, not steps·dt in binary. */
    char buf[NRT_NUM_BUF];
    nrt_format_time(s->steps_done, s->dt_ms, buf, sizeof buf);
    double sim_ms = strtod(buf, NULL);
    put(j, "{");
    for (int p = 0; p < d->npops; p++) {
        const nrt_pop_desc *pd = &d->pops[p];
        key(j, 2, p == 0, pd->name);
        put(j, "{ \"size\": ");
        put_int(j, pd->n);
        put(j, ", \"spikes\": ");
        put_int(j, s->spike_counts[p]);
        put(j, ", \"rate_hz\": ");
        double size_ms = (double)pd->n * sim_ms;
        put_num(j, size_ms > 0 ? (double)s->spike_counts[p] * 1e3 / size_ms : 0.0);
        put(j, ", \"method\": ");
        put_str(j, pd->method);
        if (s->piece && s->piece[p] > 0) {
            put(j, ", \"piece\": ");
            put_int(j, s->piece[p]);
        }
        put(j, " }");
    }
    put(j, d->npops > 0 ? "\n  }" : "}");
}

static void put_traces(json *j, const nrt_summary *s)
{
    const nrt_run_desc *d = s->desc;
    put(j, "{");
    for (int t = 0; t < d->ntraces; t++) {
        const nrt_trace_desc *td = &d->traces[t];
        char name[256];
        bool ok = td->pop >= 0 && td->pop < d->npops;   /* else run.c reported it */
        snprintf(name, sizeof name, "%s.%s", ok ? d->pops[td->pop].name : "?", td->var);
        key(j, 2, t == 0, name);
        put(j, "{ \"file\": ");
        put_str(j, nrt_monitors_trace_file(s->mon, t));
        put(j, ", \"unit\": ");
        put_str(j, td->unit);
        put(j, " }");
    }
    put(j, d->ntraces > 0 ? "\n  }" : "}");
}

/* "rates": { "POP": { "file": "rate_POP.csv" } }; a second monitor of the same population
 * is "POP_2" (file rate_POP_2.csv), and so on. */
static void put_rates(json *j, const nrt_summary *s)
{
    const nrt_run_desc *d = s->desc;
    put(j, "{");
    for (int r = 0; r < d->nrates; r++) {
        int p = d->rates[r].pop;
        const char *pop = p >= 0 && p < d->npops ? d->pops[p].name : "?";
        char name[256];
        int ord = nrt_rate_ordinal(d, r);
        if (ord > 1)
            snprintf(name, sizeof name, "%s_%d", pop, ord);
        else
            snprintf(name, sizeof name, "%s", pop);
        key(j, 2, r == 0, name);
        put(j, "{ \"file\": ");
        put_str(j, nrt_monitors_rate_file(s->mon, r));
        put(j, " }");
    }
    put(j, "\n  }");
}

/* "connections": { NAME: { "synapses": n, "bytes": b } }, the blocks of one connect
 * statement added up (bytes: rows, indices and per-synapse values, as stored). */
static void put_connections(json *j, const nrt_summary *s)
{
    const nrt_run_desc *d = s->desc;
    key(j, 1, false, "connections");
    put(j, "{");
    bool first = true;
    for (int b = 0; b < d->nconns; b++) {
        if (b > 0 && strcmp(d->conns[b].name, d->conns[b - 1].name) == 0)
            continue;
        int64_t n = 0, bytes = 0;
        for (int c = b; c < d->nconns && strcmp(d->conns[c].name, d->conns[b].name) == 0; c++) {
            n += s->conn_synapses[c];
            bytes += s->conn_bytes[c];
        }
        key(j, 2, first, d->conns[b].name);
        first = false;
        put(j, "{ \"synapses\": ");
        put_int(j, n);
        put(j, ", \"bytes\": ");
        put_int(j, bytes);
        put(j, " }");
    }
    put(j, "\n  }");
}

static void put_timing(json *j, const nrt_summary *s)
{
    const double t[3] = { s->desc->compile_s, s->setup_s, s->run_s };
    const char *const names[3] = { "compile", "setup", "run" };
    put(j, "{ ");
    for (int i = 0; i < 3; i++) {
        put(j, i ? ", " : "");
        put_str(j, names[i]);
        put(j, ": ");
        put_num(j, round(t[i] * 1e6) / 1e6);
    }
    put(j, " }");
}

/* "files": { NAME: { "rows": n } }, every file of the run in the order created; while
 * it runs, without rows (they grow), as {}. */
static void put_files(json *j, const nrt_summary *s)
{
    const nrt_folder *f = s->folder;
    bool running = strcmp(s->status, "running") == 0;
    key(j, 1, false, "files");
    put(j, "{");
    for (int k = 0; k < f->nfiles; k++) {
        key(j, 2, k == 0, f->files[k].name);
        if (running) {
            put(j, "{}");
            continue;
        }
        put(j, "{ \"rows\": ");
        put_int(j, f->files[k].rows);
        put(j, " }");
    }
    put(j, f->nfiles > 0 ? "\n  }" : "}");
}

static void put_body(json *j, const nrt_summary *s)
{
    const nrt_run_desc *d = s->desc;
    put(j, "{");
    key(j, 1, true, "model");
    put_str(j, d->model);
    key(j, 1, false, "network");
    put_str(j, d->network);
    key(j, 1, false, "status");
    put_str(j, s->status);
    if (s->signal) {
        key(j, 1, false, "signal");
        put_str(j, s->signal);
    }
    if (s->error) {
        key(j, 1, false, "error");
        put_str(j, s->error);
    }
    if (strcmp(s->status, "completed") != 0 && strcmp(s->status, "running") != 0) {
        key(j, 1, false, "stopped_at_ms");
        put_time(j, s->steps_done, s->dt_ms);
    }
    key(j, 1, false, "duration_ms");
    put_time(j, d->nsteps, s->dt_ms);
    key(j, 1, false, "simulated_ms");
    put_time(j, s->steps_done, s->dt_ms);
    key(j, 1, false, "dt_ms");
    put_num(j, s->dt_ms);
    key(j, 1, false, "seed");
    char seed[32];
    snprintf(seed, sizeof seed, "%" PRIu64, d->seed);
    put(j, seed);
    key(j, 1, false, "threads");
    put_int(j, s->threads);
    key(j, 1, false, "populations");
    put_populations(j, s);
    if (s->stats) {
        key(j, 1, false, "stats");
        put_stats(j, s);
    }
    key(j, 1, false, "synapses");
    put_int(j, s->synapses);
    if (d->nconns > 0 && s->conn_synapses)
        put_connections(j, s);
    if (d->nsyn_traces > 0) {
        key(j, 1, false, "weights");
        put(j, "{");
        for (int t = 0; t < d->nsyn_traces; t++) {
            key(j, 2, t == 0, d->syn_traces[t].file);
            put(j, "{ \"file\": ");
            put_str(j, nrt_syn_monitors_file(s->syn_mon, t));
            put(j, ", \"unit\": ");
            put_str(j, nrt_syn_monitors_unit(s->syn_mon, t));
            put(j, " }");
        }
        put(j, "\n  }");
    }
    key(j, 1, false, "traces");
    put_traces(j, s);
    if (d->nrates > 0) {
        key(j, 1, false, "rates");
        put_rates(j, s);
    }
    if (s->resumed_step >= 0) {
        key(j, 1, false, "resumed_from_ms");
        put_time(j, s->resumed_step, s->dt_ms);
    }
    if (s->checkpoint_step >= 0) {
        key(j, 1, false, "checkpoint");
        put(j, "{ \"file\": \"" NRT_CKPT_FILE "\", \"t_ms\": ");
        put_time(j, s->checkpoint_step, s->dt_ms);
        put(j, " }");
    }
    put_files(j, s);
    key(j, 1, false, "timing_s");
    put_timing(j, s);
    put(j, "\n}\n");
}

int nrt_summary_write(const nrt_summary *s, nrt_folder *folder, bool final)
{
    json j = { .oom = false };
    put_body(&j, s);
    int rc = -1;
    if (j.oom)
        nrt_err_report(folder->err, "out of memory writing summary.json");
    else
        rc = nrt_folder_replace(folder, "summary.json", j.text, j.len, final);
    free(j.text);
    return rc;
}

size_t nrt_summary_size(const nrt_summary *s)
{
    json j = { .oom = false };
    put_body(&j, s);
    free(j.text);
    return j.oom ? 0 : j.len;
}
