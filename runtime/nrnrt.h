/* nrnrt.h: a compiled model as a library (installed as <nrnc/nrnrt.h>; API.md).
 *
 * `nrnc build --lib MODEL.nrn -o libNAME.so` (or .a) writes a library that exports
 * nrn_model(); link it and libnrnrt (`pkg-config --cflags --libs nrnrt`), then:
 *
 *     nrt_options opt;
 *     nrt_options_default(&opt);
 *     nrt_sim *s = nrt_sim_new(nrn_model(), &opt);
 *     if (!s) { fprintf(stderr, "%s\n", nrt_last_error()); ... }
 *     nrt_sim_advance(s, 1000);                       // 1,000 steps of dt
 *     int64_t n = nrt_sim_spikes(s, "E", idx, t, cap);
 *     nrt_sim_free(s);
 *
 * Values are SI (seconds, volts, amperes, siemens, ...); times are seconds. A function
 * that can fail returns a negative number (or NULL) and leaves a message for
 * nrt_sim_error (nrt_last_error for nrt_sim_new); none exits or prints. There is no
 * global state: instances are independent, also when used from different threads at
 * once (one instance from one thread at a time). */
#ifndef NRNC_NRNRT_H
#define NRNC_NRNRT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nrt_model nrt_model;   /* what nrn_model() of a model library returns */
typedef struct nrt_sim nrt_sim;       /* one instance of a model */

/* nrt_options.seed: the seed of the model's simulate statement */
#define NRT_MODEL_SEED UINT64_MAX

typedef struct nrt_options {
    double dt;                        /* seconds; 0 = the model's simulate statement */
    uint64_t seed;                    /* NRT_MODEL_SEED = the model's */
    int threads;                      /* 0 = the number of cores (nrnc chooses, as nrnc run) */
    const char *outdir;               /* NULL = write no files (monitors off) */
} nrt_options;

/* The model's own dt and seed, 1 thread, no files. */
void nrt_options_default(nrt_options *opt);

/* A new instance with its populations initialised and its connections built; NULL on
 * failure, with the message in nrt_last_error() (of the calling thread). */
nrt_sim *nrt_sim_new(const nrt_model *m, const nrt_options *opt);
const char *nrt_last_error(void);

/* Like --set: "E.tau_m" (or a name every population with it shares), "12 ms"; a unit is
 * needed where the quantity has one. Before the first advance. 0 or negative. */
int nrt_sim_set(nrt_sim *s, const char *pop_dot_name, const char *value);

/* Runs `steps` steps of dt; 0, or negative (a non-finite state: the message says which,
 * where and when; the instance then refuses to advance). k steps then m steps give the
 * results of k + m at once, and the spikes of `nrnc run` with the same options. */
int nrt_sim_advance(nrt_sim *s, int64_t steps);
double nrt_sim_time(const nrt_sim *s);            /* steps done · dt, seconds */
double nrt_sim_dt(const nrt_sim *s);              /* seconds */

/* The neurons of population `pop`, or negative if there is none of that name. */
int64_t nrt_sim_size(const nrt_sim *s, const char *pop);
/* A state, input or param of every neuron of a population (SI), into out[0 .. n); returns
 * the count (the population's size), or negative. */
int64_t nrt_sim_read(const nrt_sim *s, const char *pop_dot_var, double *out, int64_t n);
/* Sets a state or param of every neuron (SI), between advances; 0 or negative. */
int nrt_sim_write(nrt_sim *s, const char *pop_dot_var, const double *in, int64_t n);
/* The SI value of one unit of the variable as the files show it (1e-3 for "mV"), and
 * that unit's text ("1" when dimensionless); 0, or negative for an unknown variable. */
int nrt_sim_unit(const nrt_sim *s, const char *pop_dot_var, double *scale, const char **unit);
/* The spikes of population `pop` since the last call (or the start), in time then index
 * order: up to cap of them into idx and t (seconds); returns the count copied, or
 * negative. Spikes beyond cap stay for the next call. */
int64_t nrt_sim_spikes(nrt_sim *s, const char *pop, int32_t *idx, double *t, int64_t cap);
/* The same spikes (taken from the same queue), with the step that stamps each instead of
 * its time (t = step · dt): for callers that want exact times in their own form. */
int64_t nrt_sim_spike_steps(nrt_sim *s, const char *pop, int32_t *idx, int64_t *step, int64_t cap);

/* Makes neurons idx[0 .. n) of population `pop` spike in the next step (stamped at its
 * end, delivered through the connections, recorded and returned by nrt_sim_spikes like
 * any spike), without their reset or refractory period: an external stimulus. A neuron
 * listed twice, or that crosses its threshold in that step too, spikes once. 0 or
 * negative (an index outside the population). */
int nrt_sim_inject(nrt_sim *s, const char *pop, const int32_t *idx, int64_t n);

const char *nrt_sim_error(const nrt_sim *s);     /* the last failure's message, or "" */
/* Writes and closes the output files, if any (summary.json last), and frees s. */
void nrt_sim_free(nrt_sim *s);

#ifdef __cplusplus
}
#endif

#endif
