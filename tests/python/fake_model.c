/* A stand-in for a model library and its runtime: every function of nrnrt.h and
 * nrn_model(), with behaviour simple enough to predict from Python, so that
 * test_binding.py checks the module's ctypes side (signatures, units, spike chunks,
 * error messages) without the compiler or the real runtime.
 *
 * One population "P" of 5 neurons. Neuron i spikes at the end of every step k (k = 1, 2,
 * ...) with k % (i + 1) == 0, at t = k · dt. Variables (SI inside, as the C API says):
 * "P.v" (mV, starts at -65 mV; a NaN in it makes the next advance fail), "P.tau" (ms,
 * 20 ms, a param: nrt_sim_set takes "NUMBER ms" for it) and "P.seed" (dimensionless, the
 * seed the options gave, read only). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrnrt.h"

enum { N = 5 };

struct nrt_model {
    int unused;
};

struct nrt_sim {
    double dt, v[N], tau[N];
    uint64_t seed;
    int64_t steps;
    int64_t next_step, next_neuron;      /* the first spike not fetched yet */
    char error[200];
};

static const nrt_model the_model = {0};
static _Thread_local char last_error[200];

const nrt_model *nrn_model(void) { return &the_model; }

void nrt_options_default(nrt_options *opt)
{
    opt->dt = 0;
    opt->seed = NRT_MODEL_SEED;
    opt->threads = 1;
    opt->outdir = NULL;
}

nrt_sim *nrt_sim_new(const nrt_model *m, const nrt_options *opt)
{
    if (m != &the_model || opt->outdir) {
        snprintf(last_error, sizeof last_error, "the fake model writes no files (outdir '%s')",
                 opt->outdir ? opt->outdir : "");
        return NULL;
    }
    nrt_sim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(last_error, sizeof last_error, "out of memory");
        return NULL;
    }
    s->dt = opt->dt > 0 ? opt->dt : 1e-4;
    s->seed = opt->seed;
    s->next_step = 1;
    for (int i = 0; i < N; i++) {
        s->v[i] = -65e-3;
        s->tau[i] = 20e-3;
    }
    return s;
}

const char *nrt_last_error(void) { return last_error; }

static int fail(nrt_sim *s, const char *what, const char *name)
{
    snprintf(s->error, sizeof s->error, "%s '%s'", what, name);
    return -1;
}

int nrt_sim_set(nrt_sim *s, const char *pop_dot_name, const char *value)
{
    if (s->steps > 0)
        return fail(s, "too late to set (after the first step):", pop_dot_name);
    if (strcmp(pop_dot_name, "P.tau") != 0)
        return fail(s, "no param", pop_dot_name);
    char *end;
    double x = strtod(value, &end);
    if (strcmp(end, " ms") != 0)
        return fail(s, "P.tau needs a value in ms, got", value);
    for (int i = 0; i < N; i++)
        s->tau[i] = x * 1e-3;
    return 0;
}

int nrt_sim_advance(nrt_sim *s, int64_t steps)
{
    for (int i = 0; i < N; i++)
        if (isnan(s->v[i])) {
            snprintf(s->error, sizeof s->error, "P.v of neuron %d is NaN at t = %g ms", i,
                     (double)s->steps * s->dt * 1e3);
            return -1;
        }
    s->steps += steps;
    return 0;
}

double nrt_sim_time(const nrt_sim *s) { return (double)s->steps * s->dt; }
double nrt_sim_dt(const nrt_sim *s) { return s->dt; }

/* Like the real one, no message: the module must not show a stale one. */
int64_t nrt_sim_size(const nrt_sim *s, const char *pop)
{
    (void)s;
    return strcmp(pop, "P") == 0 ? N : -1;
}

/* The storage of a variable and whether it can be written; NULL if there is none. */
static double *var(nrt_sim *s, const char *name, double *scale, const char **unit)
{
    if (strcmp(name, "P.v") == 0) {
        *scale = 1e-3;
        *unit = "mV";
        return s->v;
    }
    if (strcmp(name, "P.tau") == 0) {
        *scale = 1e-3;
        *unit = "ms";
        return s->tau;
    }
    fail(s, "no variable", name);
    return NULL;
}

int64_t nrt_sim_read(const nrt_sim *s, const char *name, double *out, int64_t n)
{
    double scale;
    const char *unit;
    if (strcmp(name, "P.seed") == 0) {
        for (int64_t i = 0; i < n && i < N; i++)
            out[i] = (double)s->seed;
        return N;
    }
    const double *x = var((nrt_sim *)s, name, &scale, &unit);
    if (!x)
        return -1;
    if (n < N)
        return fail((nrt_sim *)s, "the buffer is too small for", name);
    memcpy(out, x, sizeof(double) * N);
    return N;
}

int nrt_sim_write(nrt_sim *s, const char *name, const double *in, int64_t n)
{
    double scale;
    const char *unit;
    double *x = var(s, name, &scale, &unit);
    if (!x)
        return -1;
    if (n != N)
        return fail(s, "5 values needed for", name);
    memcpy(x, in, sizeof(double) * N);
    return 0;
}

int nrt_sim_unit(const nrt_sim *s, const char *name, double *scale, const char **unit)
{
    if (strcmp(name, "P.seed") == 0) {
        *scale = 1;
        *unit = "1";
        return 0;
    }
    return var((nrt_sim *)s, name, scale, unit) ? 0 : -1;
}

/* The spikes since the last call, with their times (t) or steps (step). */
static int64_t take_spikes(nrt_sim *s, const char *pop, int32_t *idx, double *t, int64_t *step, int64_t cap)
{
    if (strcmp(pop, "P") != 0)
        return fail(s, "no population", pop);
    int64_t got = 0;
    for (; s->next_step <= s->steps && got < cap; s->next_step++, s->next_neuron = 0) {
        for (; s->next_neuron < N && got < cap; s->next_neuron++)
            if (s->next_step % (s->next_neuron + 1) == 0) {
                idx[got] = (int32_t)s->next_neuron;
                if (t)
                    t[got] = (double)s->next_step * s->dt;
                if (step)
                    step[got] = s->next_step;
                got++;
            }
        if (s->next_neuron < N)
            break;                       /* cap reached inside this step */
    }
    return got;
}

int64_t nrt_sim_spikes(nrt_sim *s, const char *pop, int32_t *idx, double *t, int64_t cap)
{
    return take_spikes(s, pop, idx, t, NULL, cap);
}

int64_t nrt_sim_spike_steps(nrt_sim *s, const char *pop, int32_t *idx, int64_t *step, int64_t cap)
{
    return take_spikes(s, pop, idx, NULL, step, cap);
}

const char *nrt_sim_error(const nrt_sim *s) { return s->error; }

/* not exercised here: test_sim.py checks injection on a real model */
int nrt_sim_inject(nrt_sim *s, const char *pop, const int32_t *idx, int64_t n)
{
    (void)s, (void)pop, (void)idx, (void)n;
    return 0;
}

void nrt_sim_free(nrt_sim *s) { free(s); }
