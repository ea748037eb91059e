/* End-to-end tests of nrt_run with hand-written stand-ins for generated code.
 *
 * Usage: test_rt_run CASE DIR. Each case runs one or more small simulations into DIR/CASE
 * and compares the output files byte for byte with the text written here, so a change in
 * the loop's order, the time stamps, the number format or the file layout fails a test.
 *
 * The "counter" model: state c counts steps (starting at i % 3 in P, i + 2 in Q) and a
 * spike resets it at 10, so every neuron fires every 10 steps at a known step; state v =
 * -70 mV + c·1.3 mV gives trace values whose shortest forms are not all short
 * (-60.900000000000006). Expected values were derived by hand from the model (spike times)
 * and with IEEE double arithmetic (trace values).
 *
 * The "observe" case checks that a population's observe runs once per sampled step, just
 * before its traces read, and never on other steps; the "rate" cases use a population that
 * spikes on a fixed table of steps, so every rate row is known by hand. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nrt.h"

static int failures;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* ---- Helpers ---------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    fclose(f);
    buf[len] = '\0';
    if (size)
        *size = len;
    return buf;
}

static char *path2(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void expect_file(const char *dir, const char *name, const char *expected)
{
    char *p = path2(dir, name);
    char *got = read_file(p, NULL);
    if (!got || strcmp(got, expected) != 0) {
        fprintf(stderr, "%s: unexpected contents\n--- expected\n%s--- got\n%s---\n", p,
                expected, got ? got : "(missing)\n");
        failures++;
    }
    free(got);
    free(p);
}

static void expect_contains(const char *what, const char *text, const char *needle)
{
    if (!text || !strstr(text, needle)) {
        fprintf(stderr, "%s does not contain [%s]:\n%s\n", what, needle, text ? text : "(null)");
        failures++;
    }
}

static bool exists(const char *dir, const char *name)
{
    char *p = path2(dir, name);
    bool ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

static char *fresh_dir(const char *base, const char *name)
{
    char *dir = path2(base, name);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return dir;
}

/* Runs desc with stderr going to a file; returns the exit code, *err gets stderr. */
static int run_captured(const nrt_run_desc *desc, char **err)
{
    char tmpl[] = "/tmp/nrt_stderr_XXXXXX";
    int fd = mkstemp(tmpl);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    int rc = nrt_run(desc);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    *err = read_file(tmpl, NULL);
    unlink(tmpl);
    return rc;
}

/* ---- The counter model ------------------------------------------------------------ */

enum { C, V };                       /* states; scalars[0] is the threshold */
static int64_t sigint_at_step = -1;  /* the stand-in raises SIGINT during this step */

static void counter_init(nrt_pop *pop, int64_t (*c0)(int64_t))
{
    pop->scalars[0] = 10;
    for (int64_t i = 0; i < pop->n; i++) {
        pop->arrays[C][i] = (double)c0(i);
        pop->arrays[V][i] = -0.07 + pop->arrays[C][i] * 0.0013;
    }
}

static int64_t p_c0(int64_t i) { return i % 3; }
static int64_t q_c0(int64_t i) { return i + 2; }
static void p_init(nrt_pop *pop, double dt) { (void)dt; counter_init(pop, p_c0); }
static void q_init(nrt_pop *pop, double dt) { (void)dt; counter_init(pop, q_c0); }

static int32_t counter_integrate(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi)
{
    (void)lo;
    (void)hi;
    (void)dt;
    if (step == sigint_at_step)
        raise(SIGINT);
    for (int64_t i = 0; i < pop->n; i++) {
        pop->arrays[C][i] += 1;
        pop->arrays[V][i] = -0.07 + pop->arrays[C][i] * 0.0013;
    }
    return 0;
}

static int32_t counter_fire(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi, int64_t *nspiked)
{
    (void)hi;
    int64_t ns = 0;
    (void)step;
    (void)dt;
    for (int64_t i = 0; i < pop->n; i++) {
        if (pop->arrays[C][i] >= pop->scalars[0]) {
            pop->spiked[lo + ns++] = i;
            pop->arrays[C][i] = 0;
            pop->arrays[V][i] = -0.07;
        }
    }
    *nspiked = ns;
    return 0;
}

static const char *const counter_states[] = { "c", "v" };
static const double counter_scales[] = { 1, 1e-3 };
static const char *const counter_units[] = { "1", "mV" };

static const nrt_pop_desc counter_pops[] = {
    { .name = "P", .n = 4, .narrays = 2, .nscalars = 1, .nstates = 2,
      .state_names = counter_states, .state_scales = counter_scales,
      .state_units = counter_units, .method = "euler", .init = p_init,
      .integrate = counter_integrate, .fire = counter_fire, .record_spikes = true },
    { .name = "Q", .n = 2, .narrays = 2, .nscalars = 1, .nstates = 2,
      .state_names = counter_states, .state_scales = counter_scales,
      .state_units = counter_units, .method = "exact", .init = q_init,
      .integrate = counter_integrate, .fire = counter_fire, .record_spikes = true },
};

static const nrt_trace_desc counter_traces[] = {
    { .pop = 0, .var = "v", .slot = V, .lo = 1, .hi = 3, .every = 5, .scale = 1e-3,
      .unit = "mV" },
    { .pop = 1, .var = "c", .slot = C, .lo = 0, .hi = 2, .every = 10, .scale = 1, .unit = "1" },
    { .pop = 0, .var = "thr", .slot = 0, .scalar = true, .lo = 0, .hi = 2, .every = 25,
      .scale = 1, .unit = "1" },
};

static nrt_run_desc counter_desc(const char *outdir)
{
    return (nrt_run_desc){
        .model = "we\"ird\\counter.nrn", .network = "Counters", .outdir = outdir,
        .dt = 1e-4, .nsteps = 25, .seed = 42, .threads = 2, .format = NRT_FORMAT_CSV,
        .progress = 0, .compile_s = 0.25, .npops = 2, .pops = counter_pops,
        .ntraces = 3, .traces = counter_traces,
    };
}

static const char counter_spikes[] =
    "population,neuron,t_ms\n"
    "Q,1,0.7\n"
    "P,2,0.8\n"
    "Q,0,0.8\n"
    "P,1,0.9\n"
    "P,0,1\n"
    "P,3,1\n"
    "Q,1,1.7\n"
    "P,2,1.8\n"
    "Q,0,1.8\n"
    "P,1,1.9\n"
    "P,0,2\n"
    "P,3,2\n";

static const char counter_trace_v[] =
    "t_ms,1,2\n"
    "0,-68.7,-67.4\n"
    "0.5,-62.2,-60.900000000000006\n"
    "1,-68.7,-67.4\n"
    "1.5,-62.2,-60.900000000000006\n"
    "2,-68.7,-67.4\n"
    "2.5,-62.2,-60.900000000000006\n";

static const char counter_trace_c[] = "t_ms,0,1\n0,2,3\n1,2,3\n2,2,3\n";
static const char counter_trace_thr[] = "t_ms,0,1\n0,10,10\n2.5,10,10\n";

/* ---- Cases ------------------------------------------------------------------------ */

static void case_basic(const char *base)
{
    char *dir = fresh_dir(base, "basic/nested");
    nrt_run_desc d = counter_desc(dir);
    char *err;
    CHECK(run_captured(&d, &err) == 0);
    CHECK(err && err[0] == '\0');
    expect_file(dir, "spikes.csv", counter_spikes);
    expect_file(dir, "trace_P_v.csv", counter_trace_v);
    expect_file(dir, "trace_Q_c.csv", counter_trace_c);
    expect_file(dir, "trace_P_thr.csv", counter_trace_thr);
    char *p = path2(dir, "summary.json");
    char *sum = read_file(p, NULL);
    const char *needles[] = {
        "\"model\": \"we\\\"ird\\\\counter.nrn\"", "\"network\": \"Counters\"",
        "\"status\": \"completed\"", "\"duration_ms\": 2.5", "\"simulated_ms\": 2.5",
        /* 2 threads asked, 1 used: populations under 2 x NRT_GRAIN neurons are not split */
        "\"dt_ms\": 0.1", "\"seed\": 42", "\"threads\": 1",
        "\"P\": { \"size\": 4, \"spikes\": 8, \"rate_hz\": 800, \"method\": \"euler\" }",
        "\"Q\": { \"size\": 2, \"spikes\": 4, \"rate_hz\": 800, \"method\": \"exact\" }",
        "\"synapses\": 0", "\"P.v\": { \"file\": \"trace_P_v.csv\", \"unit\": \"mV\" }",
        "\"Q.c\": { \"file\": \"trace_Q_c.csv\", \"unit\": \"1\" }", "\"compile\": 0.25",
        "\"setup\": ", "\"run\": ",
    };
    for (size_t i = 0; i < sizeof needles / sizeof *needles; i++)
        expect_contains("summary.json", sum, needles[i]);
    CHECK(sum && !strstr(sum, "\"error\"") && !strstr(sum, "stopped_at_ms"));
    free(sum);
    free(p);
    free(err);
    free(dir);
}

/* A population whose integrate makes states non-finite at a chosen step. */
static int64_t bad_step;
static int bad_kind;   /* 0: NaN in w of 17 (and later ones), 1: inf in v of 5, 2: NaN at init */

static void e_init(nrt_pop *pop, double dt)
{
    (void)dt;
    for (int64_t i = 0; i < pop->n; i++) {
        pop->arrays[0][i] = -0.065;
        pop->arrays[1][i] = 0;
    }
    if (bad_kind == 2)
        pop->arrays[0][3] = NAN;
}

static int32_t e_integrate(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi)
{
    (void)lo;
    (void)hi;
    for (int64_t i = 0; i < pop->n; i++)
        pop->arrays[1][i] += dt;
    if (step != bad_step)
        return 0;
    if (bad_kind == 0) {
        pop->arrays[1][17] = NAN;
        pop->arrays[0][18] = INFINITY;
        pop->arrays[0][19] = NAN;
        pop->arrays[1][19] = NAN;
    } else {
        pop->arrays[0][5] = -INFINITY;
        pop->arrays[1][6] = NAN;
    }
    return 1;
}

static int32_t e_fire(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi, int64_t *nspiked)
{
    (void)hi;
    int64_t ns = 0;
    (void)step;
    (void)dt;
    pop->spiked[lo + ns++] = 0;
    *nspiked = ns;
    return 0;
}

static const char *const e_states[] = { "v", "w" };
static const double e_scales[] = { 1e-3, 1 };
static const char *const e_units[] = { "mV", "s" };

static nrt_pop_desc e_pop(void)
{
    return (nrt_pop_desc){
        .name = "E", .n = 20, .narrays = 3, .nscalars = 0, .nstates = 2,
        .state_names = e_states, .state_scales = e_scales, .state_units = e_units,
        .method = "euler", .init = e_init, .integrate = e_integrate, .fire = e_fire,
        .record_spikes = true,
    };
}

static void run_nan(const char *base, const char *name, int kind, int64_t step,
                    const char *message, const char *last_row)
{
    char *dir = fresh_dir(base, name);
    nrt_pop_desc pop = e_pop();
    nrt_trace_desc tr = { .pop = 0, .var = "v", .slot = 0, .lo = 15, .hi = 20, .every = 1,
                          .scale = 1e-3, .unit = "mV" };
    nrt_run_desc d = { .model = "e.nrn", .network = "N", .outdir = dir, .dt = 1e-4,
                       .nsteps = 1000, .threads = 1, .npops = 1, .pops = &pop,
                       .ntraces = 1, .traces = &tr };
    bad_kind = kind;
    bad_step = step;
    char *err;
    CHECK(run_captured(&d, &err) == 3);
    char line[256];
    snprintf(line, sizeof line, "nrnc: error: %s\n", message);
    CHECK(err && strcmp(err, line) == 0);
    if (err && strcmp(err, line) != 0)
        fprintf(stderr, "stderr: [%s]\nwanted: [%s]\n", err, line);
    char *p = path2(dir, "spikes.csv");
    char *spikes = read_file(p, NULL);
    free(p);
    /* One spike per completed step, the failing step's own spike not written. */
    int rows = 0;
    for (const char *s = spikes; s && *s; s++)
        rows += *s == '\n';
    CHECK(rows == 1 + step);
    p = path2(dir, "trace_E_v.csv");
    char *trace = read_file(p, NULL);
    free(p);
    size_t tl = trace ? strlen(trace) : 0, ll = strlen(last_row);
    CHECK(tl >= ll && strcmp(trace + tl - ll, last_row) == 0);
    p = path2(dir, "summary.json");
    char *sum = read_file(p, NULL);
    free(p);
    expect_contains("summary.json", sum, "\"status\": \"failed\"");
    snprintf(line, sizeof line, "\"error\": \"%s\"", message);
    expect_contains("summary.json", sum, line);
    free(sum);
    free(trace);
    free(spikes);
    free(err);
    free(dir);
}

static void case_nan(const char *base)
{
    run_nan(base, "nan", 0, 122,
            "state 'w' of population 'E' neuron 17 became NaN at t = 12.3 ms",
            "\n12.2,-65,-65,-65,-65,-65\n");
    run_nan(base, "inf", 1, 0, "state 'v' of population 'E' neuron 5 became infinite at t = 0.1 ms",
            "t_ms,15,16,17,18,19\n0,-65,-65,-65,-65,-65\n");
    run_nan(base, "init", 2, 0, "state 'v' of population 'E' neuron 3 became NaN at t = 0 ms",
            "t_ms,15,16,17,18,19\n");
}

/* Reads a .npy file: checks the v1.0 header, returns the data and the header dict. */
static char *read_npy(const char *dir, const char *name, char *dict, size_t *data_len)
{
    char *p = path2(dir, name);
    size_t size;
    char *buf = read_file(p, &size);
    free(p);
    if (!buf || size < 10 || memcmp(buf, "\x93NUMPY\x01\x00", 8) != 0) {
        fprintf(stderr, "%s: not a .npy v1.0 file\n", name);
        failures++;
        free(buf);
        return NULL;
    }
    size_t hl = (size_t)(unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8;
    CHECK((10 + hl) % 64 == 0 && 10 + hl <= size && buf[10 + hl - 1] == '\n');
    size_t dl = strcspn(buf + 10, "}") + 1;
    memcpy(dict, buf + 10, dl);
    dict[dl] = '\0';
    *data_len = size - 10 - hl;
    char *data = malloc(*data_len + 1);
    memcpy(data, buf + 10 + hl, *data_len);
    free(buf);
    return data;
}

static void case_npy(const char *base)
{
    char *dir = fresh_dir(base, "npy");
    nrt_run_desc d = counter_desc(dir);
    d.format = NRT_FORMAT_NPY;
    char *err;
    CHECK(run_captured(&d, &err) == 0);
    CHECK(!exists(dir, "spikes.csv") && !exists(dir, "trace_P_v.csv"));
    char dict[256];
    size_t len;
    double *t = (double *)read_npy(dir, "spikes_P_t.npy", dict, &len);
    CHECK(strcmp(dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (8,), }") == 0);
    const double want_t[] = { 0.8, 0.9, 1, 1, 1.8, 1.9, 2, 2 };
    CHECK(t && len == sizeof want_t && memcmp(t, want_t, sizeof want_t) == 0);
    int32_t *i = (int32_t *)read_npy(dir, "spikes_P_i.npy", dict, &len);
    CHECK(strcmp(dict, "{'descr': '<i4', 'fortran_order': False, 'shape': (8,), }") == 0);
    const int32_t want_i[] = { 2, 1, 0, 3, 2, 1, 0, 3 };
    CHECK(i && len == sizeof want_i && memcmp(i, want_i, sizeof want_i) == 0);
    double *v = (double *)read_npy(dir, "trace_P_v.npy", dict, &len);
    CHECK(strcmp(dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (6, 2), }") == 0);
    double want_v[12];
    for (int s = 0; s < 6; s++) {
        for (int n = 1; n < 3; n++) {
            double c = s % 2 ? n + 5 : n;   /* c at steps 0, 5, 10, ... */
            want_v[s * 2 + n - 1] = (-0.07 + c * 0.0013) / 1e-3;
        }
    }
    CHECK(v && len == sizeof want_v && memcmp(v, want_v, sizeof want_v) == 0);
    double *vt = (double *)read_npy(dir, "trace_P_v_t.npy", dict, &len);
    const double want_vt[] = { 0, 0.5, 1, 1.5, 2, 2.5 };
    CHECK(vt && len == sizeof want_vt && memcmp(vt, want_vt, sizeof want_vt) == 0);
    char *p = path2(dir, "summary.json");
    char *sum = read_file(p, NULL);
    expect_contains("summary.json", sum, "\"file\": \"trace_P_v.npy\"");
    free(sum);
    free(p);
    free(t);
    free(i);
    free(v);
    free(vt);
    free(err);
    free(dir);
}

/* ---- observe ---------------------------------------------------------------------- */

/* O: state x (slot 0) starts at i and grows by 1 per step; observe writes step·10 + i into
 * slot 1 and 100·x into slot 2, and logs each call. U has an observe but no trace. */
enum { OBS_MAX = 64 };
static int64_t obs_steps[OBS_MAX];
static double obs_x0[OBS_MAX], obs_dt[OBS_MAX];
static int obs_calls, u_calls;

static void o_init(nrt_pop *pop, double dt)
{
    (void)dt;
    for (int64_t i = 0; i < pop->n; i++)
        pop->arrays[0][i] = (double)i;
}

static int32_t o_integrate(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi)
{
    (void)lo;
    (void)hi;
    (void)step;
    (void)dt;
    for (int64_t i = 0; i < pop->n; i++)
        pop->arrays[0][i] += 1;
    return 0;
}

static void o_observe(nrt_pop *pop, int64_t step, double dt)
{
    if (obs_calls < OBS_MAX) {
        obs_steps[obs_calls] = step;
        obs_x0[obs_calls] = pop->arrays[0][0];
        obs_dt[obs_calls] = dt;
    }
    obs_calls++;
    for (int64_t i = 0; i < pop->n; i++) {
        pop->arrays[1][i] = (double)(step * 10 + i);
        pop->arrays[2][i] = 100 * pop->arrays[0][i];
    }
}

static void u_observe(nrt_pop *pop, int64_t step, double dt)
{
    (void)pop;
    (void)step;
    (void)dt;
    u_calls++;
}

static void case_observe(const char *base)
{
    char *dir = fresh_dir(base, "observe");
    static const char *const names[] = { "x" };
    static const double scales[] = { 1 };
    static const char *const units[] = { "1" };
    nrt_pop_desc pops[3];
    for (int p = 0; p < 3; p++)
        pops[p] = (nrt_pop_desc){ .name = p == 0 ? "O" : p == 1 ? "N" : "U", .n = 3,
                                  .narrays = 3, .nstates = 1, .state_names = names,
                                  .state_scales = scales, .state_units = units,
                                  .method = "euler", .init = o_init,
                                  .integrate = o_integrate };
    pops[0].observe = o_observe;
    pops[2].observe = u_observe;
    const nrt_trace_desc tr[] = {
        { .pop = 0, .var = "a", .slot = 1, .lo = 0, .hi = 2, .every = 2, .scale = 1, .unit = "1" },
        { .pop = 1, .var = "a", .slot = 1, .lo = 0, .hi = 1, .every = 1, .scale = 1, .unit = "1" },
        { .pop = 0, .var = "b", .slot = 2, .lo = 1, .hi = 3, .every = 3, .scale = 1, .unit = "1" },
        { .pop = 0, .var = "x", .slot = 0, .lo = 0, .hi = 1, .every = 5, .scale = 1, .unit = "1" },
    };
    nrt_run_desc d = { .model = "o.nrn", .network = "Obs", .outdir = dir, .dt = 1e-4,
                       .nsteps = 10, .threads = 1, .npops = 3, .pops = pops,
                       .ntraces = 4, .traces = tr };
    obs_calls = u_calls = 0;
    char *err;
    CHECK(run_captured(&d, &err) == 0);
    CHECK(err && err[0] == '\0');
    /* Steps where a trace of O is due: every 2, 3 or 5 of 0..10; once each, in order,
     * after init (x0 = 0 at step 0) and after that step's integration (x0 = step). */
    const int64_t want[] = { 0, 2, 3, 4, 5, 6, 8, 9, 10 };
    const int nwant = (int)(sizeof want / sizeof *want);
    CHECK(obs_calls == nwant);
    for (int k = 0; k < nwant && k < obs_calls; k++) {
        if (obs_steps[k] != want[k] || obs_x0[k] != (double)want[k] || obs_dt[k] != 1e-4) {
            fprintf(stderr, "observe call %d: step %lld x0 %g dt %g, wanted step %lld\n", k,
                    (long long)obs_steps[k], obs_x0[k], obs_dt[k], (long long)want[k]);
            failures++;
        }
    }
    CHECK(u_calls == 0);
    expect_file(dir, "trace_O_a.csv",
                "t_ms,0,1\n0,0,1\n0.2,20,21\n0.4,40,41\n0.6,60,61\n0.8,80,81\n1,100,101\n");
    expect_file(dir, "trace_O_b.csv",
                "t_ms,1,2\n0,100,200\n0.3,400,500\n0.6,700,800\n0.9,1000,1100\n");
    expect_file(dir, "trace_O_x.csv", "t_ms,0\n0,0\n0.5,5\n1,10\n");
    /* N has no observe: its slot 1 is never written. */
    expect_file(dir, "trace_N_a.csv",
                "t_ms,0\n0,0\n0.1,0\n0.2,0\n0.3,0\n0.4,0\n0.5,0\n0.6,0\n0.7,0\n0.8,0\n0.9,0\n1,0\n");
    free(err);
    free(dir);
}

/* ---- record rate ------------------------------------------------------------------ */

/* R (2 neurons) spikes at these stamped steps (stamp = step + 1); S has no threshold. */
static int32_t r_fire(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi, int64_t *nspiked)
{
    (void)hi;
    int64_t ns = 0;
    (void)dt;
    static const struct { int64_t stamp; int64_t who; } table[] = {
        { 1, 0 }, { 3, 0 }, { 3, 1 }, { 4, 1 }, { 5, 0 }, { 9, 1 }, { 10, 0 }, { 10, 1 },
    };
    for (size_t k = 0; k < sizeof table / sizeof *table; k++)
        if (table[k].stamp == step + 1)
            pop->spiked[lo + ns++] = table[k].who;
    *nspiked = ns;
    return 0;
}

static int32_t idle_integrate(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi)
{
    (void)lo;
    (void)hi;
    (void)pop;
    (void)step;
    (void)dt;
    return 0;
}

static void idle_init(nrt_pop *pop, double dt)
{
    (void)pop;
    (void)dt;
}

static const char *const rate_state[] = { "v" };
static const nrt_pop_desc rate_pops[] = {
    { .name = "R", .n = 2, .narrays = 1, .nstates = 1, .state_names = rate_state,
      .method = "euler", .init = idle_init, .integrate = idle_integrate, .fire = r_fire },
    { .name = "S", .n = 3, .narrays = 1, .nstates = 1, .state_names = rate_state,
      .method = "euler", .init = idle_init, .integrate = idle_integrate },
};
/* R every 0.5 ms, S every 0.4 ms, R again every 0.3 ms (rate_R_2). */
static const nrt_rate_desc rate_mons[] = {
    { .pop = 0, .every = 5 }, { .pop = 1, .every = 4 }, { .pop = 0, .every = 3 },
};

static nrt_run_desc rate_desc(const char *outdir, nrt_format format)
{
    return (nrt_run_desc){ .model = "r.nrn", .network = "Rates", .outdir = outdir,
                           .dt = 1e-4, .nsteps = 10, .threads = 1, .format = format,
                           .npops = 2, .pops = rate_pops, .nrates = 3, .rates = rate_mons };
}

/* Windows of 0.5 ms: (0, 0.5] holds 5 spikes, (0.5, 1] holds 3; over 2 neurons. */
static const char rate_r[] = "t_ms,rate_hz\n0,0\n0.5,5000\n1,3000\n";
/* Windows of 0.3 ms: 3, 2 and 1 spikes; (0.9, 1] has no row (10 is not a multiple of 3). */
static const char rate_r2[] =
    "t_ms,rate_hz\n0,0\n0.3,5000\n0.6,3333.3333333333335\n0.9,1666.6666666666667\n";
static const char rate_s[] = "t_ms,rate_hz\n0,0\n0.4,0\n0.8,0\n";

static void case_rate(const char *base)
{
    char *dir = fresh_dir(base, "rate");
    nrt_run_desc d = rate_desc(dir, NRT_FORMAT_CSV);
    char *err;
    CHECK(run_captured(&d, &err) == 0);
    CHECK(err && err[0] == '\0');
    CHECK(!exists(dir, "spikes.csv"));      /* rates do not need recorded spikes */
    expect_file(dir, "rate_R.csv", rate_r);
    expect_file(dir, "rate_R_2.csv", rate_r2);
    expect_file(dir, "rate_S.csv", rate_s);
    char *p = path2(dir, "summary.json");
    char *sum = read_file(p, NULL);
    expect_contains("summary.json", sum,
                    "  \"traces\": {},\n"
                    "  \"rates\": {\n"
                    "    \"R\": { \"file\": \"rate_R.csv\" },\n"
                    "    \"S\": { \"file\": \"rate_S.csv\" },\n"
                    "    \"R_2\": { \"file\": \"rate_R_2.csv\" }\n"
                    "  },\n"
                    "  \"files\": {\n"
                    "    \"rate_R.csv\": { \"rows\": 3 },\n"
                    "    \"rate_S.csv\": { \"rows\": 3 },\n"
                    "    \"rate_R_2.csv\": { \"rows\": 4 }\n"
                    "  },\n"
                    "  \"timing_s\": ");
    expect_contains("summary.json", sum,
                    "\"R\": { \"size\": 2, \"spikes\": 8, \"rate_hz\": 4000, \"method\": \"euler\" }");
    free(sum);
    free(p);
    free(err);
    /* Without rate monitors there is no "rates" key. */
    char *dir2 = fresh_dir(base, "rate_none");
    d.outdir = dir2;
    d.nrates = 0;
    CHECK(run_captured(&d, &err) == 0);
    p = path2(dir2, "summary.json");
    sum = read_file(p, NULL);
    CHECK(sum && !strstr(sum, "\"rates\"") && !exists(dir2, "rate_R.csv"));
    free(sum);
    free(p);
    free(err);
    free(dir2);
    free(dir);
}

static void expect_npy_f64(const char *dir, const char *name, const double *want, size_t n)
{
    char dict[256], shape[128];
    size_t len;
    double *got = (double *)read_npy(dir, name, dict, &len);
    snprintf(shape, sizeof shape, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }",
             n);
    if (!got || strcmp(dict, shape) != 0 || len != n * sizeof *want ||
        memcmp(got, want, len) != 0) {
        fprintf(stderr, "%s: unexpected header [%s] or data (%zu bytes)\n", name, dict, len);
        failures++;
    }
    free(got);
}

static void case_rate_npy(const char *base)
{
    char *dir = fresh_dir(base, "rate_npy");
    nrt_run_desc d = rate_desc(dir, NRT_FORMAT_NPY);
    char *err;
    CHECK(run_captured(&d, &err) == 0);
    CHECK(!exists(dir, "rate_R.csv") && !exists(dir, "rate_R_2.csv"));
    const double r[] = { 0, 5000, 3000 }, rt[] = { 0, 0.5, 1 };
    const double r2[] = { 0, 5000, 3333.3333333333335, 1666.6666666666667 };
    const double r2t[] = { 0, 0.3, 0.6, 0.9 };
    const double s[] = { 0, 0, 0 }, st[] = { 0, 0.4, 0.8 };
    expect_npy_f64(dir, "rate_R.npy", r, 3);
    expect_npy_f64(dir, "rate_R_t.npy", rt, 3);
    expect_npy_f64(dir, "rate_R_2.npy", r2, 4);
    expect_npy_f64(dir, "rate_R_2_t.npy", r2t, 4);
    expect_npy_f64(dir, "rate_S.npy", s, 3);
    expect_npy_f64(dir, "rate_S_t.npy", st, 3);
    char *p = path2(dir, "summary.json");
    char *sum = read_file(p, NULL);
    expect_contains("summary.json", sum, "\"R\": { \"file\": \"rate_R.npy\" }");
    expect_contains("summary.json", sum, "\"R_2\": { \"file\": \"rate_R_2.npy\" }");
    free(sum);
    free(p);
    free(err);
    free(dir);
}

static void mark(int sig) { (void)sig; }

static void case_interrupt(const char *base)
{
    char *dir = fresh_dir(base, "interrupt");
    nrt_run_desc d = counter_desc(dir);
    d.nsteps = 100000;
    const nrt_rate_desc rate = { .pop = 0, .every = 5 };
    d.nrates = 1;
    d.rates = &rate;
    struct sigaction mine = { .sa_handler = mark }, now;
    sigemptyset(&mine.sa_mask);
    sigaction(SIGINT, &mine, NULL);
    sigint_at_step = 12;
    char *err;
    CHECK(run_captured(&d, &err) == 130);
    sigint_at_step = -1;
    sigaction(SIGINT, NULL, &now);
    CHECK(now.sa_handler == mark);        /* the caller's handler is back */
    expect_file(dir, "spikes.csv",
                "population,neuron,t_ms\nQ,1,0.7\nP,2,0.8\nQ,0,0.8\nP,1,0.9\nP,0,1\nP,3,1\n");
    expect_file(dir, "trace_P_v.csv",
                "t_ms,1,2\n0,-68.7,-67.4\n0.5,-62.2,-60.900000000000006\n1,-68.7,-67.4\n");
    /* P's 4 spikes in (0.5, 1] ms: 4 / (4 neurons · 0.5 ms); the spikes of (1, 1.3] are
     * counted but their row (1.5 ms) never comes. */
    expect_file(dir, "rate_P.csv", "t_ms,rate_hz\n0,0\n0.5,0\n1,2000\n");
    char *p = path2(dir, "summary.json");
    char *sum = read_file(p, NULL);
    expect_contains("summary.json", sum, "\"status\": \"interrupted\"");
    expect_contains("summary.json", sum, "\"stopped_at_ms\": 1.3");
    expect_contains("summary.json", sum, "\"simulated_ms\": 1.3");
    expect_contains("summary.json", sum, "\"duration_ms\": 10000");
    signal(SIGINT, SIG_DFL);
    free(sum);
    free(p);
    free(err);
    free(dir);
}

static void case_badout(const char *base)
{
    char *dir = fresh_dir(base, "badout");
    CHECK(mkdir(dir, 0777) == 0);
    char *file = path2(dir, "plain");
    FILE *f = fopen(file, "w");
    fclose(f);
    char *out = path2(file, "sub");
    nrt_run_desc d = counter_desc(out);
    char *err;
    CHECK(run_captured(&d, &err) == 3);
    char want[4200];
    snprintf(want, sizeof want, "nrnc: error: cannot create output folder '%s': %s\n", out,
             strerror(ENOTDIR));
    CHECK(err && strcmp(err, want) == 0);
    free(err);
    d.outdir = file;
    CHECK(run_captured(&d, &err) == 3);
    expect_contains("stderr", err, "cannot create output folder");
    free(err);
    free(out);
    free(file);
    free(dir);
}

/* spikes.csv is a link to /dev/full: every write fails with ENOSPC, the first one (the
 * header) at set-up. The link is not nrnc's file, hence force. */
static void case_diskfull(const char *base)
{
    char *dir = fresh_dir(base, "diskfull");
    CHECK(mkdir(dir, 0777) == 0);
    char *link = path2(dir, "spikes.csv");
    CHECK(symlink("/dev/full", link) == 0);
    nrt_run_desc d = counter_desc(dir);
    d.nsteps = 200000;
    d.force = true;
    char *err;
    CHECK(run_captured(&d, &err) == 3);
    char want[4200];
    snprintf(want, sizeof want, "nrnc: error: cannot write '%s': %s (the disk is full)\n", link,
             strerror(ENOSPC));
    CHECK(err && strcmp(err, want) == 0);
    char *p = path2(dir, "summary.json");
    char *sum = read_file(p, NULL);
    expect_contains("summary.json", sum, "\"status\": \"disk_full\"");
    expect_contains("summary.json", sum, "No space left on device");
    /* Stopped at the first failed flush, long before the end. */
    CHECK(sum && !strstr(sum, "\"simulated_ms\": 20000"));
    free(sum);
    free(p);
    free(err);
    free(link);
    free(dir);
}

/* Initial values drawn from the population's random key: same seed, same values. */
static void r_init(nrt_pop *pop, double dt)
{
    (void)dt;
    uint64_t ku = nrt_random_key(pop->rng_key, 0), kn = nrt_random_key(pop->rng_key, 1);
    for (int64_t i = 0; i < pop->n; i++)
        pop->arrays[0][i] = nrt_random_uniform(ku, i, 0, 0) + nrt_random_normal(kn, i, 0, 0);
}

static int32_t r_integrate(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi)
{
    (void)lo;
    (void)hi;
    (void)pop;
    (void)step;
    (void)dt;
    return 0;
}

static char *rand_run(const char *base, const char *name, uint64_t seed)
{
    char *dir = fresh_dir(base, name);
    static const char *const names[] = { "x" };
    nrt_pop_desc pops[2];
    for (int p = 0; p < 2; p++)
        pops[p] = (nrt_pop_desc){ .name = p ? "B" : "A", .n = 5, .narrays = 1, .nstates = 1,
                                  .state_names = names, .method = "euler", .init = r_init,
                                  .integrate = r_integrate };
    nrt_trace_desc tr[2] = {
        { .pop = 0, .var = "x", .slot = 0, .lo = 0, .hi = 5, .every = 1, .scale = 1 },
        { .pop = 1, .var = "x", .slot = 0, .lo = 0, .hi = 5, .every = 1, .scale = 1 },
    };
    nrt_run_desc d = { .outdir = dir, .dt = 1e-4, .nsteps = 0, .seed = seed, .npops = 2,
                       .pops = pops, .ntraces = 2, .traces = tr };
    CHECK(nrt_run(&d) == 0);
    char *a = path2(dir, "trace_A_x.csv"), *b = path2(dir, "trace_B_x.csv");
    char *ta = read_file(a, NULL), *tb = read_file(b, NULL);
    CHECK(ta && tb && strcmp(ta, tb) != 0);   /* populations have their own streams */
    char *both = malloc(strlen(ta) + strlen(tb) + 1);
    strcat(strcpy(both, ta), tb);
    free(a);
    free(b);
    free(ta);
    free(tb);
    free(dir);
    return both;
}

static void case_rng(const char *base)
{
    char *a = rand_run(base, "rng1", 7), *b = rand_run(base, "rng2", 7);
    char *c = rand_run(base, "rng3", 8);
    CHECK(strcmp(a, b) == 0);
    CHECK(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
}

static void case_progress(const char *base)
{
    char *dir = fresh_dir(base, "progress");
    nrt_run_desc d = counter_desc(dir);
    d.progress = 1;
    d.nsteps = 2000;
    char *err;
    CHECK(run_captured(&d, &err) == 0);
    expect_contains("stderr", err, "\r[");
    expect_contains("stderr", err, "ms");
    size_t len = err ? strlen(err) : 0;
    CHECK(len > 0 && err[len - 1] == '\r');      /* the bar is wiped at the end */
    CHECK(err && !strchr(err, '\n'));
    free(err);
    d.progress = 0;
    CHECK(run_captured(&d, &err) == 0);
    CHECK(err && err[0] == '\0');
    free(err);
    free(dir);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CASE DIR\n", argv[0]);
        return 2;
    }
    static const struct {
        const char *name;
        void (*fn)(const char *);
    } cases[] = {
        { "basic", case_basic },       { "nan", case_nan },
        { "npy", case_npy },           { "interrupt", case_interrupt },
        { "badout", case_badout },     { "diskfull", case_diskfull },
        { "rng", case_rng },           { "progress", case_progress },
        { "observe", case_observe },   { "rate", case_rate },
        { "rate_npy", case_rate_npy },
    };
    mkdir(argv[2], 0777);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            cases[i].fn(argv[2]);
            if (failures)
                fprintf(stderr, "%s: %d check(s) failed\n", argv[1], failures);
            return failures != 0;
        }
    }
    fprintf(stderr, "unknown case '%s'\n", argv[1]);
    return 2;
}
