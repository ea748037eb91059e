/* The embedding API of nrnrt.h (API.md): a model instance driven step by step.
 *
 * An instance is the runner of nrt_run (run.h) opened on a copy of the model's run
 * description with the caller's options: the same set-up, the same step, so advancing by
 * k then m steps is advancing by k + m, and the spikes are those of `nrnc run`. What the
 * API adds: no signal handlers, no progress bar, nothing printed (the runner's errors are
 * kept, quiet); without an output folder the monitors are removed from the copy, so
 * nothing is written. Each step's spikes are kept per population until nrt_sim_spikes
 * takes them. nrt_sim_set before the first advance changes initial values, so the
 * instance is set up again with the values set (the connections too: weights may read
 * params). The only state outside an instance is nrt_last_error's thread-local buffer. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrnrt.h"
#include "run.h"
#include "sets.h"

enum { MAX_SETS = 256 };

typedef struct spike_buf {
    int32_t *idx;
    int64_t *step;            /* stamping step: the spike's time is step·dt */
    int64_t n, cap, taken;    /* spikes kept, room, and how many nrt_sim_spikes took */
} spike_buf;

struct nrt_sim {
    nrt_runner run;
    bool open;                /* run is set up (and must be closed) */
    bool started;             /* advanced at least once */
    bool stale;               /* a value was set since the set-up: set up again first */
    nrt_run_desc desc;        /* the model's, with the options and the values set */
    nrt_pop_desc *pops;       /* the model's, records off when there are no files */
    nrt_set sets[MAX_SETS];
    char *outdir;
    spike_buf *spikes;        /* per population */
    char msg[1024];           /* the last failure of an API call, or "" */
};

static _Thread_local char last_error[1024];

const char *nrt_last_error(void) { return last_error; }

static void fail(nrt_sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(nrt_sim *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
}

void nrt_options_default(nrt_options *opt)
{
    *opt = (nrt_options){.dt = 0, .seed = NRT_MODEL_SEED, .threads = 1, .outdir = NULL};
}

/* The runner's first error, as this instance's message. */
static void take_run_error(nrt_sim *s, const char *what)
{
    fail(s, "%s%s", what, s->run.err.first ? s->run.err.first : "failed");
}

static int open_run(nrt_sim *s)
{
    s->open = true;
    s->stale = false;
    /* the steps the caller will advance are not known: the summary says those done */
    s->desc.nsteps = 0;
    if (nrt_runner_open(&s->run, &s->desc, s->outdir != NULL, true) != 0) {
        take_run_error(s, "");
        return -1;
    }
    return 0;
}

static int close_run(nrt_sim *s)
{
    if (!s->open)
        return 0;
    s->open = false;
    s->desc.nsteps = s->run.steps_done;   /* the summary: a completed run of the steps done */
    return nrt_runner_close(&s->run);
}

static void free_sim(nrt_sim *s)
{
    for (int p = 0; s->spikes && p < s->desc.npops; p++) {
        free(s->spikes[p].idx);
        free(s->spikes[p].step);
    }
    free(s->spikes);
    free(s->pops);
    free(s->outdir);
    free(s);
}

nrt_sim *nrt_sim_new(const nrt_model *m, const nrt_options *opt)
{
    last_error[0] = '\0';
    if (!m || !m->spec || m->abi != NRT_MODEL_ABI) {
        snprintf(last_error, sizeof last_error, "not a model built by this version of nrnc (rebuild it with "
                                                "nrnc build --lib)");
        return NULL;
    }
    nrt_options defaults;
    nrt_options_default(&defaults);
    if (!opt)
        opt = &defaults;
    const nrt_run_desc *model = &m->spec->run;
    if (opt->dt < 0 || (opt->dt > 0 && fabs(opt->dt - model->dt) > 1e-12 * model->dt)) {
        snprintf(last_error, sizeof last_error,
                 "this model was compiled for dt = %g ms; build it again with nrnc build --lib --dt to change it",
                 model->dt * 1e3);
        return NULL;
    }
    if (opt->threads < 0) {
        snprintf(last_error, sizeof last_error, "threads must be 0 (the cores) or positive, got %d", opt->threads);
        return NULL;
    }
    nrt_sim *s = calloc(1, sizeof *s);
    size_t np = model->npops > 0 ? (size_t)model->npops : 0;
    if (!s || !(s->pops = calloc(np + 1, sizeof *s->pops)) || !(s->spikes = calloc(np + 1, sizeof *s->spikes)) ||
        (opt->outdir && !(s->outdir = strdup(opt->outdir)))) {
        snprintf(last_error, sizeof last_error, "out of memory");
        if (s)
            free_sim(s);
        return NULL;
    }
    s->desc = *model;
    if (np)
        memcpy(s->pops, model->pops, np * sizeof *s->pops);
    s->desc.pops = s->pops;
    s->desc.seed = opt->seed == NRT_MODEL_SEED ? model->seed : opt->seed;
    s->desc.threads = opt->threads;
    s->desc.outdir = s->outdir;
    s->desc.progress = 0;
    s->desc.checkpoint_every = 0;
    s->desc.resume = false;
    s->desc.force = false;
    s->desc.compile_s = 0;
    s->desc.sets = s->sets;
    s->desc.nsets = 0;
    for (int k = 0; k < model->nsets && k < MAX_SETS; k++)
        s->sets[s->desc.nsets++] = model->sets[k];
    if (!s->outdir) {
        s->desc.ntraces = s->desc.nrates = s->desc.nsyn_traces = 0;
        for (size_t p = 0; p < np; p++)
            s->pops[p].record_spikes = false;
    }
    if (open_run(s) != 0) {
        snprintf(last_error, sizeof last_error, "%s", s->msg);
        close_run(s);
        free_sim(s);
        return NULL;
    }
    return s;
}

const char *nrt_sim_error(const nrt_sim *s) { return s ? s->msg : "no instance"; }

int nrt_sim_set(nrt_sim *s, const char *pop_dot_name, const char *value)
{
    if (!pop_dot_name || !value) {
        fail(s, "nrt_sim_set needs a name and a value");
        return -1;
    }
    if (s->started) {
        fail(s, "%s: values are set before the first advance (nrt_sim_write changes a running instance)",
             pop_dot_name);
        return -1;
    }
    char pop[256] = "", name[256];
    const char *dot = strchr(pop_dot_name, '.');
    const char *base = dot ? dot + 1 : pop_dot_name;
    if ((dot && (size_t)(dot - pop_dot_name) >= sizeof pop) || strlen(base) >= sizeof name || !*base) {
        fail(s, "'%s' is not POP.NAME or NAME", pop_dot_name);
        return -1;
    }
    if (dot) {
        memcpy(pop, pop_dot_name, (size_t)(dot - pop_dot_name));
        pop[dot - pop_dot_name] = '\0';
    }
    strcpy(name, base);
    char msg[512];
    int n = s->desc.nsets;
    if (nrt_sets_add(&s->desc, dot ? pop : NULL, name, value, s->sets, MAX_SETS, &n, msg, sizeof msg) !=
        NRT_SETS_OK) {
        fail(s, "%s = %s: %s", pop_dot_name, value, msg);
        return -1;
    }
    s->desc.nsets = n;
    s->stale = true;
    return 0;
}

/* The instance as the values set make it: set up again if one was set since. */
static int fresh(nrt_sim *s)
{
    if (!s->stale)
        return 0;
    close_run(s);
    return open_run(s);
}

/* Appends the step's spikes (stamped `step`) of every population. */
static int keep_spikes(nrt_sim *s, int64_t step)
{
    for (int p = 0; p < s->desc.npops; p++) {
        const nrt_pop *pop = &s->run.pops[p];
        spike_buf *b = &s->spikes[p];
        if (!pop->nspiked)
            continue;
        if (b->n + pop->nspiked > b->cap) {
            int64_t cap = b->cap ? b->cap : 256;
            while (cap < b->n + pop->nspiked)
                cap *= 2;
            int32_t *idx = realloc(b->idx, (size_t)cap * sizeof *idx);
            if (idx)
                b->idx = idx;
            int64_t *st = idx ? realloc(b->step, (size_t)cap * sizeof *st) : NULL;
            if (!st) {
                fail(s, "out of memory keeping the spikes of population '%s'", s->desc.pops[p].name);
                return -1;
            }
            b->step = st;
            b->cap = cap;
        }
        for (int64_t k = 0; k < pop->nspiked; k++) {
            b->idx[b->n] = (int32_t)pop->spiked[k];
            b->step[b->n++] = step;
        }
    }
    return 0;
}

int nrt_sim_advance(nrt_sim *s, int64_t steps)
{
    if (steps < 0) {
        fail(s, "cannot advance by a negative number of steps (%lld)", (long long)steps);
        return -1;
    }
    if (fresh(s) != 0)
        return -1;
    if (s->run.code != 0) {
        fail(s, "the instance failed earlier: %s", s->run.err.first ? s->run.err.first : "see the first error");
        return -1;
    }
    s->started = true;
    double t0 = nrt_now();
    for (int64_t k = 0; k < steps; k++) {
        int64_t done = s->run.steps_done;
        if (nrt_runner_steps(&s->run, done + 1, NULL) != 0) {
            take_run_error(s, "");
            s->run.run_s += nrt_now() - t0;
            return -1;
        }
        if (keep_spikes(s, done + 1) != 0)
            return -1;
    }
    s->run.run_s += nrt_now() - t0;
    return 0;
}

double nrt_sim_time(const nrt_sim *s) { return (double)s->run.steps_done * s->desc.dt; }

double nrt_sim_dt(const nrt_sim *s) { return s->desc.dt; }

static int find_pop(const nrt_sim *s, const char *name)
{
    for (int p = 0; name && p < s->desc.npops; p++)
        if (strcmp(s->desc.pops[p].name, name) == 0)
            return p;
    return -1;
}

int64_t nrt_sim_size(const nrt_sim *s, const char *pop)
{
    int p = find_pop(s, pop);
    return p < 0 ? -1 : s->desc.pops[p].n;
}

/* "POP.VAR": the population and its variable, or NULL with the failure set on s. */
static const nrt_var_desc *find_var(nrt_sim *s, const char *pop_dot_var, int *pop)
{
    const char *dot = pop_dot_var ? strchr(pop_dot_var, '.') : NULL;
    if (!dot) {
        fail(s, "'%s' is not POP.VAR", pop_dot_var ? pop_dot_var : "(null)");
        return NULL;
    }
    size_t len = (size_t)(dot - pop_dot_var);
    for (int p = 0; p < s->desc.npops; p++) {
        const nrt_pop_desc *pd = &s->desc.pops[p];
        if (strlen(pd->name) != len || strncmp(pd->name, pop_dot_var, len) != 0)
            continue;
        for (int v = 0; v < pd->nvars; v++)
            if (strcmp(pd->vars[v].name, dot + 1) == 0) {
                *pop = p;
                return &pd->vars[v];
            }
        fail(s, "population '%s' has no state, param or input '%s'", pd->name, dot + 1);
        return NULL;
    }
    fail(s, "there is no population '%.*s'", (int)len, pop_dot_var);
    return NULL;
}

int nrt_sim_unit(const nrt_sim *s, const char *pop_dot_var, double *scale, const char **unit)
{
    int p;
    const nrt_var_desc *v = find_var((nrt_sim *)s, pop_dot_var, &p);   /* only the message changes */
    if (!v)
        return -1;
    if (scale)
        *scale = v->scale;
    if (unit)
        *unit = v->unit;
    return 0;
}

int64_t nrt_sim_read(const nrt_sim *s_in, const char *pop_dot_var, double *out, int64_t n)
{
    nrt_sim *s = (nrt_sim *)s_in;   /* reading may first set up again after nrt_sim_set */
    int p;
    const nrt_var_desc *v = find_var(s, pop_dot_var, &p);
    if (!v)
        return -1;
    if (fresh(s) != 0)
        return -1;
    const nrt_pop *pop = &s->run.pops[p];
    if (!out || n < pop->n) {
        fail(s, "%s: room for %lld values given, the population has %lld", pop_dot_var, (long long)n,
             (long long)pop->n);
        return -1;
    }
    for (int64_t i = 0; i < pop->n; i++)
        out[i] = v->scalar ? pop->scalars[v->slot] : pop->arrays[v->slot][i];
    return pop->n;
}

int nrt_sim_write(nrt_sim *s, const char *pop_dot_var, const double *in, int64_t n)
{
    int p;
    const nrt_var_desc *v = find_var(s, pop_dot_var, &p);
    if (!v)
        return -1;
    if (v->kind == NRT_VAR_INPUT) {
        fail(s, "%s is an input: its value is computed every step, so it cannot be written", pop_dot_var);
        return -1;
    }
    if (fresh(s) != 0)
        return -1;
    nrt_pop *pop = &s->run.pops[p];
    if (!in || n != pop->n) {
        fail(s, "%s: %lld values given, the population has %lld", pop_dot_var, (long long)n, (long long)pop->n);
        return -1;
    }
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(in[i])) {
            fail(s, "%s: value %lld is not finite", pop_dot_var, (long long)i);
            return -1;
        }
    if (v->scalar) {
        for (int64_t i = 1; i < n; i++)
            if (in[i] != in[0]) {
                fail(s, "%s is one value for the whole population; the values given differ (neuron %lld)",
                     pop_dot_var, (long long)i);
                return -1;
            }
        if (n)
            pop->scalars[v->slot] = in[0];
    } else {
        memcpy(pop->arrays[v->slot], in, (size_t)n * sizeof *in);
    }
    /* a param may enter what init derived from it (an exact propagator) */
    if (v->kind == NRT_VAR_PARAM && s->desc.pops[p].derive)
        s->desc.pops[p].derive(pop, s->desc.dt);
    return 0;
}

/* Up to cap of population pop's spikes since the last take, into idx and t (seconds) or
 * step; the count, or -1 (the failure set). */
static int64_t take(nrt_sim *s, const char *pop, int32_t *idx, double *t, int64_t *step, int64_t cap)
{
    int p = find_pop(s, pop);
    if (p < 0) {
        fail(s, "there is no population '%s'", pop ? pop : "(null)");
        return -1;
    }
    if (cap < 0 || (cap > 0 && (!idx || (!t && !step)))) {
        fail(s, "nrt_sim_spikes needs room: idx and times of cap (%lld) entries", (long long)cap);
        return -1;
    }
    spike_buf *b = &s->spikes[p];
    int64_t m = b->n - b->taken < cap ? b->n - b->taken : cap;
    for (int64_t k = 0; k < m; k++) {
        idx[k] = b->idx[b->taken + k];
        if (t)
            t[k] = (double)b->step[b->taken + k] * s->desc.dt;
        else
            step[k] = b->step[b->taken + k];
    }
    b->taken += m;
    if (b->taken == b->n)
        b->n = b->taken = 0;
    return m;
}

int64_t nrt_sim_spikes(nrt_sim *s, const char *pop, int32_t *idx, double *t, int64_t cap)
{
    return take(s, pop, idx, t, NULL, cap);
}

int64_t nrt_sim_spike_steps(nrt_sim *s, const char *pop, int32_t *idx, int64_t *step, int64_t cap)
{
    return take(s, pop, idx, NULL, step, cap);
}

int nrt_sim_inject(nrt_sim *s, const char *pop, const int32_t *idx, int64_t n)
{
    int p = find_pop(s, pop);
    if (p < 0) {
        fail(s, "there is no population '%s'", pop ? pop : "(null)");
        return -1;
    }
    if (n < 0 || (n > 0 && !idx)) {
        fail(s, "nrt_sim_inject needs n (%lld) neuron indices", (long long)n);
        return -1;
    }
    if (fresh(s) != 0)
        return -1;
    return nrt_runner_inject(&s->run, p, idx, n, s->msg, sizeof s->msg);
}

void nrt_sim_free(nrt_sim *s)
{
    if (!s)
        return;
    close_run(s);
    free_sim(s);
}
