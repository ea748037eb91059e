/* The embedding API (nrnrt.h) on examples/cuba.nrn built with `nrnc build --lib`:
 *   test_api LIB.so REF_SPIKES.csv REF7_SPIKES.csv OUTDIR
 * REF is `nrnc run --duration 200ms --threads 1`, REF7 the same with --seed 7. Checks:
 * advancing 700 then 1300 steps gives REF's spikes; two instances advanced at once on two
 * threads give REF's and REF7's; nrt_sim_set before the first advance changes the
 * result, and writing a param at t = 0 gives what setting it gives (so the exact
 * propagator follows the param); reads, units and every refusal with its message; an
 * instance with an output folder writes OUTDIR (api.sh compares it with nrnc run's). */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrnrt.h"

enum { STEPS = 2000, MAX_SPIKES = 200000 };

static int failures;

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fputc('\n', stderr);                                                                  \
            failures++;                                                                           \
        }                                                                                         \
    } while (0)

typedef struct spikes {
    int64_t n;
    char pop[MAX_SPIKES];     /* 'E' or 'I' */
    int32_t idx[MAX_SPIKES];
    double t_ms[MAX_SPIKES];
} spikes;

static const nrt_model *model;

/* spikes.csv of nrnc run: population,neuron,t_ms, by step, then population, then neuron */
static void read_csv(const char *path, spikes *out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char line[256];
    out->n = 0;
    if (!fgets(line, sizeof line, f))
        exit(1);
    char pop[16];
    int idx;
    double t;
    while (out->n < MAX_SPIKES && fscanf(f, "%15[^,],%d,%lf\n", pop, &idx, &t) == 3) {
        out->pop[out->n] = pop[0];
        out->idx[out->n] = idx;
        out->t_ms[out->n++] = t;
    }
    fclose(f);
}

/* The instance's spikes of E then I (each in time, then index order), merged into the
 * order of spikes.csv. */
/* Scratch for take_spikes, one per caller: two threads take spikes at once. */
typedef struct pop_spikes {
    int32_t idx[2][MAX_SPIKES];
    double t[2][MAX_SPIKES];
} pop_spikes;

static void take_spikes(nrt_sim *s, spikes *out)
{
    pop_spikes *buf = malloc(sizeof *buf);
    if (!buf) {
        fprintf(stderr, "take_spikes: out of memory\n");
        exit(1);
    }
    int32_t(*idx)[MAX_SPIKES] = buf->idx;
    double(*t)[MAX_SPIKES] = buf->t;
    int64_t n[2];
    const char *names[2] = {"E", "I"};
    for (int p = 0; p < 2; p++) {
        /* two calls with a small cap: what does not fit stays for the next call */
        int64_t a = nrt_sim_spikes(s, names[p], idx[p], t[p], 5);
        int64_t b = nrt_sim_spikes(s, names[p], idx[p] + (a > 0 ? a : 0), t[p] + (a > 0 ? a : 0), MAX_SPIKES - 5);
        n[p] = (a > 0 ? a : 0) + (b > 0 ? b : 0);
        CHECK(a >= 0 && b >= 0, "nrt_sim_spikes(%s): %s", names[p], nrt_sim_error(s));
    }
    int64_t i = 0, j = 0;
    out->n = 0;
    while (i < n[0] || j < n[1]) {
        bool e = j >= n[1] || (i < n[0] && t[0][i] <= t[1][j]);
        out->pop[out->n] = e ? 'E' : 'I';
        out->idx[out->n] = e ? idx[0][i] : idx[1][j];
        out->t_ms[out->n++] = (e ? t[0][i++] : t[1][j++]) * 1e3;
    }
    free(buf);
}

static bool same_spikes(const spikes *a, const spikes *b, const char *what)
{
    if (a->n != b->n) {
        fprintf(stderr, "%s: %lld spikes, expected %lld\n", what, (long long)a->n, (long long)b->n);
        return false;
    }
    for (int64_t k = 0; k < a->n; k++)
        if (a->pop[k] != b->pop[k] || a->idx[k] != b->idx[k] || fabs(a->t_ms[k] - b->t_ms[k]) > 1e-9) {
            fprintf(stderr, "%s: spike %lld is %c %d at %.10g ms, expected %c %d at %.10g ms\n", what, (long long)k,
                    a->pop[k], a->idx[k], a->t_ms[k], b->pop[k], b->idx[k], b->t_ms[k]);
            return false;
        }
    return true;
}

static nrt_sim *new_sim(uint64_t seed, int threads, const char *outdir)
{
    nrt_options opt;
    nrt_options_default(&opt);
    opt.seed = seed;
    opt.threads = threads;
    opt.outdir = outdir;
    nrt_sim *s = nrt_sim_new(model, &opt);
    if (!s) {
        fprintf(stderr, "nrt_sim_new: %s\n", nrt_last_error());
        exit(1);
    }
    return s;
}

typedef struct job {
    uint64_t seed;
    spikes *out;
    int rc;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    nrt_sim *s = new_sim(j->seed, 1, NULL);
    j->rc = nrt_sim_advance(s, STEPS);
    take_spikes(s, j->out);
    nrt_sim_free(s);
    return NULL;
}

static spikes ref, ref7, got, got2;

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: test_api LIB.so REF_SPIKES.csv REF7_SPIKES.csv OUTDIR\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    const nrt_model *(*get)(void) = (const nrt_model *(*)(void))dlsym(lib, "nrn_model");
    if (!get) {
        fprintf(stderr, "nrn_model: %s\n", dlerror());
        return 1;
    }
    model = get();
    read_csv(argv[2], &ref);
    read_csv(argv[3], &ref7);
    CHECK(ref.n > 100 && ref7.n > 100, "the reference runs should spike (%lld, %lld)", (long long)ref.n,
          (long long)ref7.n);

    /* k steps then m steps: nrnc run's spikes; the model's seed by default */
    nrt_sim *s = new_sim(NRT_MODEL_SEED, 1, NULL);
    CHECK(fabs(nrt_sim_dt(s) - 1e-4) < 1e-15, "dt %g", nrt_sim_dt(s));
    CHECK(nrt_sim_size(s, "E") == 3200 && nrt_sim_size(s, "I") == 800, "sizes %lld %lld",
          (long long)nrt_sim_size(s, "E"), (long long)nrt_sim_size(s, "I"));
    CHECK(nrt_sim_advance(s, 700) == 0 && nrt_sim_advance(s, 0) == 0 && nrt_sim_advance(s, 1300) == 0,
          "advance: %s", nrt_sim_error(s));
    CHECK(fabs(nrt_sim_time(s) - 0.2) < 1e-12, "time %g", nrt_sim_time(s));
    take_spikes(s, &got);
    CHECK(same_spikes(&got, &ref, "700 + 1300 steps"), "spikes differ from nrnc run");
    int64_t none = nrt_sim_spikes(s, "E", got.idx, got.t_ms, 10);
    CHECK(none == 0, "spikes are taken once: %lld more", (long long)none);

    /* reads and units */
    static double v[3200];
    CHECK(nrt_sim_read(s, "E.v", v, 3200) == 3200, "read E.v: %s", nrt_sim_error(s));
    double scale = 0;
    const char *unit = NULL;
    CHECK(nrt_sim_unit(s, "E.v", &scale, &unit) == 0 && scale == 1e-3 && strcmp(unit, "mV") == 0,
          "unit of E.v: %g %s", scale, unit ? unit : "(none)");
    bool in_range = true;
    for (int i = 0; i < 3200; i++)
        in_range = in_range && v[i] > -0.0801 && v[i] < -0.0499;
    CHECK(in_range, "E.v should lie between -80 and -50 mV");
    CHECK(nrt_sim_read(s, "E.tau_m", v, 3200) == 3200 && v[0] == 20e-3 && v[3199] == 20e-3, "E.tau_m %g",
          v[0]);

    /* refusals, each with its message */
    CHECK(nrt_sim_size(s, "X") < 0, "size of a missing population");
    CHECK(nrt_sim_read(s, "E.nope", v, 3200) < 0 &&
              strcmp(nrt_sim_error(s), "population 'E' has no state, param or input 'nope'") == 0,
          "read E.nope: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_read(s, "X.v", v, 3200) < 0 && strcmp(nrt_sim_error(s), "there is no population 'X'") == 0,
          "read X.v: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_read(s, "E.v", v, 10) < 0 &&
              strcmp(nrt_sim_error(s), "E.v: room for 10 values given, the population has 3200") == 0,
          "short read: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_set(s, "E.tau_m", "30 ms") < 0 &&
              strcmp(nrt_sim_error(s), "E.tau_m: values are set before the first advance (nrt_sim_write changes "
                                       "a running instance)") == 0,
          "set after advance: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_advance(s, -1) < 0, "a negative advance");
    CHECK(nrt_sim_spikes(s, "X", got.idx, got.t_ms, 10) < 0, "spikes of a missing population");
    nrt_sim_free(s);

    /* two instances at once, on two threads: each as if alone */
    job a = {.seed = 1, .out = &got}, b = {.seed = 7, .out = &got2};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_job, &a);
    pthread_create(&tb, NULL, run_job, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.rc == 0 && b.rc == 0, "threaded advances failed");
    CHECK(same_spikes(&got, &ref, "thread, seed 1"), "seed 1 on a thread differs from nrnc run");
    CHECK(same_spikes(&got2, &ref7, "thread, seed 7"), "seed 7 on a thread differs from nrnc run --seed 7");

    /* the same spikes as steps (nrt_sim_spike_steps): E's of the reference, step · 0.1 ms */
    s = new_sim(1, 1, NULL);
    CHECK(nrt_sim_advance(s, STEPS) == 0, "advance: %s", nrt_sim_error(s));
    static int32_t sidx[MAX_SPIKES];
    static int64_t sstep[MAX_SPIKES];
    int64_t ns = nrt_sim_spike_steps(s, "E", sidx, sstep, MAX_SPIKES);
    int64_t ne = 0, mismatch = 0;
    for (int64_t k = 0; k < ref.n; k++) {
        if (ref.pop[k] != 'E')
            continue;
        if (ne >= ns || sidx[ne] != ref.idx[k] || fabs((double)sstep[ne] * 0.1 - ref.t_ms[k]) > 1e-9)
            mismatch++;
        ne++;
    }
    CHECK(ns == ne && mismatch == 0, "spike steps: %lld of %lld, %lld differ", (long long)ns, (long long)ne,
          (long long)mismatch);
    CHECK(nrt_sim_spikes(s, "E", got.idx, got.t_ms, 10) == 0, "spike steps and spikes share one queue");
    nrt_sim_free(s);

    /* the pool: two threads, the same spikes */
    s = new_sim(1, 2, NULL);
    CHECK(nrt_sim_advance(s, STEPS) == 0, "advance on 2 threads: %s", nrt_sim_error(s));
    take_spikes(s, &got);
    CHECK(same_spikes(&got, &ref, "2 threads"), "2 threads differ");
    nrt_sim_free(s);

    /* set before the first advance: a slower membrane changes the spikes; units checked */
    s = new_sim(1, 1, NULL);
    CHECK(nrt_sim_set(s, "E.tau_m", "30") < 0 &&
              strcmp(nrt_sim_error(s), "E.tau_m = 30: give the value in ms, the unit of 'tau_m'") == 0,
          "set without a unit: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_set(s, "E.nope", "1") < 0 &&
              strcmp(nrt_sim_error(s), "E.nope = 1: population 'E' has no param or state 'nope'") == 0,
          "set of a missing name: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_set(s, "E.tau_m", "30 ms") == 0, "set: %s", nrt_sim_error(s));
    CHECK(nrt_sim_read(s, "E.tau_m", v, 3200) == 3200 && fabs(v[5] - 30e-3) < 1e-15, "tau_m after set: %g", v[5]);
    CHECK(nrt_sim_advance(s, STEPS) == 0, "advance after set: %s", nrt_sim_error(s));
    take_spikes(s, &got);
    CHECK(!same_spikes(&got, &ref, "tau_m = 30 ms (expected to differ)"), "setting tau_m changed nothing");
    nrt_sim_free(s);

    /* writing the param at t = 0 instead: the same spikes as setting it */
    s = new_sim(1, 1, NULL);
    for (int i = 0; i < 3200; i++)
        v[i] = 30e-3;
    CHECK(nrt_sim_write(s, "E.tau_m", v, 3200) == 0, "write tau_m: %s", nrt_sim_error(s));
    CHECK(nrt_sim_advance(s, STEPS) == 0, "advance after write: %s", nrt_sim_error(s));
    take_spikes(s, &got2);
    CHECK(same_spikes(&got2, &got, "tau_m written"), "writing tau_m differs from setting it");
    v[7] = 31e-3;
    CHECK(nrt_sim_write(s, "E.tau_m", v, 3200) < 0 &&
              strcmp(nrt_sim_error(s), "E.tau_m is one value for the whole population; the values given differ "
                                       "(neuron 7)") == 0,
          "write of differing uniform values: '%s'", nrt_sim_error(s));
    v[7] = NAN;
    CHECK(nrt_sim_write(s, "E.v", v, 3200) < 0 && strcmp(nrt_sim_error(s), "E.v: value 7 is not finite") == 0,
          "write of NaN: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_write(s, "E.v", v, 5) < 0, "a short write");
    nrt_sim_free(s);

    /* injected spikes: in the next step, each neuron once, stamped at its end, and felt by
     * the network (E's spikes excite every target through connect E -> E, I) */
    s = new_sim(1, 1, NULL);
    CHECK(nrt_sim_advance(s, 100) == 0, "advance: %s", nrt_sim_error(s));
    take_spikes(s, &got);
    static const int32_t kick[] = {7, 5, 7, 3199};
    CHECK(nrt_sim_inject(s, "E", kick, 4) == 0, "inject: %s", nrt_sim_error(s));
    CHECK(nrt_sim_advance(s, 1) == 0, "advance after inject: %s", nrt_sim_error(s));
    int32_t ids[64];
    double ts[64];
    int64_t nk = nrt_sim_spikes(s, "E", ids, ts, 64);
    int found = 0;
    for (int64_t k = 0; k < nk; k++) {
        CHECK(fabs(ts[k] - 0.0101) < 1e-12, "an injected step's spike at %.17g s", ts[k]);
        found += ids[k] == 5 || ids[k] == 7 || ids[k] == 3199;
        CHECK(k == 0 || ids[k] > ids[k - 1], "the step's spikes ascend, each once: %d after %d", ids[k], ids[k - 1]);
    }
    CHECK(found == 3, "the three injected neurons should spike once each (found %d)", found);
    CHECK(nrt_sim_advance(s, STEPS - 101) == 0, "advance: %s", nrt_sim_error(s));
    take_spikes(s, &got2);
    got.n = 0;
    int64_t later = 0;
    for (int64_t k = 0; k < ref.n; k++)
        later += ref.t_ms[k] > 10.1 + 1e-9;
    CHECK(got2.n != later, "the injected spikes should change what follows (%lld spikes either way)", (long long)later);
    const int32_t outside = 3200;
    CHECK(nrt_sim_inject(s, "E", &outside, 1) < 0 &&
              strcmp(nrt_sim_error(s), "neuron 3200 is not in population 'E' (3200 neurons)") == 0,
          "inject outside: '%s'", nrt_sim_error(s));
    CHECK(nrt_sim_inject(s, "X", kick, 1) < 0 && strcmp(nrt_sim_error(s), "there is no population 'X'") == 0,
          "inject into a missing population: '%s'", nrt_sim_error(s));
    nrt_sim_free(s);

    /* a dt the model was not compiled for is refused, with the way out */
    nrt_options opt;
    nrt_options_default(&opt);
    opt.dt = 5e-5;
    CHECK(nrt_sim_new(model, &opt) == NULL &&
              strcmp(nrt_last_error(), "this model was compiled for dt = 0.1 ms; build it again with nrnc build "
                                       "--lib --dt to change it") == 0,
          "dt refused: '%s'", nrt_last_error());
    CHECK(nrt_sim_new(NULL, NULL) == NULL && strlen(nrt_last_error()) > 0, "a NULL model");

    /* files: what nrnc run writes (api.sh compares the folder) */
    s = new_sim(NRT_MODEL_SEED, 1, argv[4]);
    CHECK(nrt_sim_advance(s, 1234) == 0 && nrt_sim_advance(s, STEPS - 1234) == 0, "advance with files: %s",
          nrt_sim_error(s));
    nrt_sim_free(s);
    dlclose(lib);
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    return failures ? 1 : 0;
}
