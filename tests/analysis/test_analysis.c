/* `nrnc stats` (analysis/) on output folders written here from a seeded generator, each
 * result against its closed form, with the tolerance derived from the sample size where
 * it is random. One ctest per case: test_analysis CASE WORKDIR.
 *
 *   poisson_csv, poisson_npy  independent Bernoulli trains (p = rate·dt per step, the
 *                discrete Poisson process): CV of the ISIs sqrt(1 - p), Fano factor
 *                1 - p, Golomb's chi 1/sqrt(N), rate, silent neurons counted exactly
 *   regular      one neuron every 10 ms: CV < 0.01 (exactly 0), Fano 0; every neuron
 *                at the same times: chi = 1
 *   pca_csv, pca_npy  3 latent sinusoids through random loadings into 100 units plus
 *                noise: the first 3 explained ratios > 0.95, principal angles between the
 *                recovered and the true loadings small
 *   xcorr        a train and its copy 5 ms later: the correlogram peaks at +5 ms
 *   interval     --from/--to and --window change what is counted as they should */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analysis.h"
#include "nrt.h"
#include "plot_int.h"

static const char *work;
static int failures;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                           \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* ---- writing folders ------------------------------------------------------------------ */

static char *path_of(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static char *folder(const char *name)
{
    char *dir = path_of(work, name);
    mkdir(work, 0777);
    mkdir(dir, 0777);
    return dir;
}

/* summary.json for populations names[k] of sizes[k], dt 0.1 ms, `ms` simulated. */
static void summary(const char *dir, int npops, const char *const *names, const int *sizes,
                    double ms, const char *traces)
{
    char *p = path_of(dir, "summary.json");
    FILE *f = fopen(p, "w");
    fprintf(f, "{\n  \"model\": \"synthetic\",\n  \"network\": \"T\",\n  \"status\": \"completed\",\n"
            "  \"duration_ms\": %g,\n  \"simulated_ms\": %g,\n  \"dt_ms\": 0.1,\n"
            "  \"populations\": {", ms, ms);
    for (int k = 0; k < npops; k++)
        fprintf(f, "%s\n    \"%s\": { \"size\": %d }", k ? "," : "", names[k], sizes[k]);
    fprintf(f, "\n  },\n  \"traces\": {%s}\n}\n", traces ? traces : "");
    fclose(f);
    free(p);
}

typedef struct Train {
    int n, cap;
    long long *tick;
    int *idx;
} Train;

static void push(Train *t, long long tick, int idx)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->tick = realloc(t->tick, (size_t)t->cap * sizeof *t->tick);
        t->idx = realloc(t->idx, (size_t)t->cap * sizeof *t->idx);
    }
    t->tick[t->n] = tick;
    t->idx[t->n++] = idx;
}

static void spikes_csv(const char *dir, int npops, const char *const *names, const Train *t)
{
    char *p = path_of(dir, "spikes.csv");
    FILE *f = fopen(p, "w");
    fputs("population,neuron,t_ms\n", f);
    for (int k = 0; k < npops; k++)
        for (int s = 0; s < t[k].n; s++) {
            char buf[40];
            nrt_format_time(t[k].tick[s], 0.1, buf, sizeof buf);
            fprintf(f, "%s,%d,%s\n", names[k], t[k].idx[s], buf);
        }
    fclose(f);
    free(p);
}

/* A .npy v1.0 file: descr "<f8" or "<i4", 1-D (cols 0) or 2-D. */
static void npy(const char *dir, const char *name, const char *descr, long long rows, long long cols,
                const void *data, size_t item)
{
    char *p = path_of(dir, name);
    FILE *f = fopen(p, "wb");
    char h[128];
    if (cols)
        snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (%lld, %lld), }",
                 descr, rows, cols);
    else
        snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (%lld,), }", descr,
                 rows);
    size_t len = strlen(h) + 1, total = (10 + len + 63) / 64 * 64;
    unsigned short hl = (unsigned short)(total - 10);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(hl & 0xff, f);
    fputc(hl >> 8, f);
    fputs(h, f);
    for (size_t k = 10 + strlen(h); k < total - 1; k++)
        fputc(' ', f);
    fputc('\n', f);
    fwrite(data, item, (size_t)(rows * (cols ? cols : 1)), f);
    fclose(f);
    free(p);
}

static void spikes_npy(const char *dir, int npops, const char *const *names, const Train *t)
{
    for (int k = 0; k < npops; k++) {
        double *ms = malloc((size_t)t[k].n * sizeof *ms + 1);
        int *idx = malloc((size_t)t[k].n * sizeof *idx + 1);
        for (int s = 0; s < t[k].n; s++) {
            char buf[40];
            nrt_format_time(t[k].tick[s], 0.1, buf, sizeof buf);
            ms[s] = strtod(buf, NULL);
            idx[s] = t[k].idx[s];
        }
        char name[128];
        snprintf(name, sizeof name, "spikes_%s_t.npy", names[k]);
        npy(dir, name, "<f8", t[k].n, 0, ms, 8);
        snprintf(name, sizeof name, "spikes_%s_i.npy", names[k]);
        npy(dir, name, "<i4", t[k].n, 0, idx, 4);
        free(ms);
        free(idx);
    }
}

/* ---- running nrnc stats ------------------------------------------------------------- */

static AnOptions options(const char *dir)
{
    return (AnOptions){ .outdir = dir, .from_ms = NAN, .to_ms = NAN, .window_ms = NAN,
                        .bin_ms = NAN, .lag_ms = NAN, .json = true };
}

/* an_stats_run's JSON, parsed. */
static Json *stats_json(const AnOptions *o)
{
    char *p = path_of(o->outdir, "stats.json");
    FILE *f = fopen(p, "w+");
    int rc = an_stats_run(o, f, stderr);
    CHECK(rc == 0, "nrnc stats %s exited %d", o->outdir, rc);
    fclose(f);
    bool missing;
    Json *j = plot_json_load(p, stderr, &missing);
    CHECK(j != NULL, "nrnc stats printed no JSON");
    free(p);
    return j;
}

static double stat_of(const Json *j, const char *pop, const char *key)
{
    const Json *pops = plot_json_get(j, "populations");
    const Json *obj = pops ? plot_json_get(pops, pop) : NULL;
    double v = obj ? plot_json_num(obj, key) : NAN;
    return v;
}

/* ---- the cases ----------------------------------------------------------------------- */

enum { N_POISSON = 200, N_SILENT = 10, STEPS = 100000 };   /* 10 s at 0.1 ms */

static void poisson(bool use_npy)
{
    char *dir = folder(use_npy ? "poisson_npy" : "poisson_csv");
    const double rate_hz = 20, p = rate_hz * 1e-4;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    Train t = { 0 };
    for (long long k = 1; k <= STEPS; k++)
        for (int i = 0; i < N_POISSON; i++)
            if (gsl_rng_uniform(rng) < p)
                push(&t, k, i);
    const char *names[] = { "P" };
    const int sizes[] = { N_POISSON + N_SILENT };   /* the last ones never spike */
    summary(dir, 1, names, sizes, STEPS * 0.1, NULL);
    if (use_npy)
        spikes_npy(dir, 1, names, &t);
    else
        spikes_csv(dir, 1, names, &t);
    AnOptions o = options(dir);
    Json *j = stats_json(&o);
    /* Each neuron has about n = 200 ISIs. The sample CV of n exponential ISIs has a
     * standard deviation of about 1/sqrt(n) and a bias of order 1/n; the mean over N
     * neurons: sd 1/sqrt(nN) = 0.005. Allowed: 5 sd + 1/n. */
    double n = rate_hz * STEPS * 1e-4, cv = stat_of(j, "P", "cv_isi");
    CHECK(fabs(cv - sqrt(1 - p)) < 5 / sqrt(n * N_POISSON) + 1 / n, "Poisson CV %g, expected %g",
          cv, sqrt(1 - p));
    /* Fano over K = 100 windows of 100 ms: the sample variance over the mean has sd
     * sqrt(2/(K-1)) per neuron, sqrt(2/(K-1)/N) = 0.010 for the mean. Allowed: 5 sd. */
    double fano = stat_of(j, "P", "fano");
    CHECK(fabs(fano - (1 - p)) < 5 * sqrt(2.0 / 99 / N_POISSON), "Poisson Fano %g, expected %g",
          fano, 1 - p);
    /* Independent neurons: the population average's variance is the mean variance over N
     * (N = all 210, the silent ones adding 0 to the average but counting in N, and 0 to the
     * mean variance but counting in it too: chi^2 = 1/N). B = 2000 bins of 5 ms: each
     * variance estimate has a relative sd of sqrt(2/B) = 0.03, chi^2 a ratio of two, chi
     * half of that: 0.02. Allowed: 0.15 (7 sd; the 2 % discreteness of Bernoulli is inside). */
    double chi = stat_of(j, "P", "synchrony"), want = 1 / sqrt((double)(N_POISSON + N_SILENT));
    CHECK(fabs(chi / want - 1) < 0.15, "Poisson chi %g, expected %g", chi, want);
    /* the rate: t.n spikes exactly, over 210 neurons and 10 s */
    double rate = stat_of(j, "P", "rate_hz");
    CHECK(fabs(rate - t.n / (10.0 * (N_POISSON + N_SILENT))) < 1e-12 * rate, "rate %g", rate);
    CHECK(fabs(rate * (N_POISSON + N_SILENT) / N_POISSON / rate_hz - 1) < 5 / sqrt((double)t.n),
          "rate %g of the spiking neurons, expected %g", rate * 210 / 200, rate_hz);
    CHECK(stat_of(j, "P", "silent_fraction") == (double)N_SILENT / (N_POISSON + N_SILENT),
          "silent fraction %g", stat_of(j, "P", "silent_fraction"));
    CHECK(stat_of(j, "P", "rate_min_hz") == 0, "the silent neurons' rate is 0");
    CHECK(stat_of(j, "P", "isi_neurons") == N_POISSON, "isi_neurons %g", stat_of(j, "P", "isi_neurons"));
    plot_json_free(j);
    gsl_rng_free(rng);
    free(t.tick);
    free(t.idx);
    free(dir);
}

static void regular(void)
{
    char *dir = folder("regular");
    Train t[2] = { { 0 }, { 0 } };
    for (long long k = 100; k <= 10000; k += 100)          /* every 10 ms for 1 s */
        push(&t[0], k, 0);
    for (long long k = 37; k <= 10000; k += 250)           /* 50 neurons, all together */
        for (int i = 0; i < 50; i++)
            push(&t[1], k, i);
    const char *names[] = { "R", "S" };
    const int sizes[] = { 1, 50 };
    summary(dir, 2, names, sizes, 1000, NULL);
    spikes_csv(dir, 2, names, t);
    AnOptions o = options(dir);
    Json *j = stats_json(&o);
    CHECK(stat_of(j, "R", "cv_isi") < 0.01, "regular CV %g", stat_of(j, "R", "cv_isi"));
    CHECK(stat_of(j, "R", "isi_mean_ms") == 10, "regular ISI %g", stat_of(j, "R", "isi_mean_ms"));
    CHECK(stat_of(j, "R", "fano") == 0, "regular Fano %g", stat_of(j, "R", "fano"));
    CHECK(stat_of(j, "R", "rate_hz") == 100, "regular rate %g", stat_of(j, "R", "rate_hz"));
    CHECK(fabs(stat_of(j, "S", "synchrony") - 1) < 1e-12, "synchronous chi %g",
          stat_of(j, "S", "synchrony"));
    plot_json_free(j);
    /* in text too: the same numbers, a header and one row per population */
    o.json = false;
    char *p = path_of(dir, "stats.txt");
    FILE *f = fopen(p, "w");
    CHECK(an_stats_run(&o, f, stderr) == 0, "text stats");
    fclose(f);
    f = fopen(p, "r");
    char line[512];
    int rows = 0;
    while (fgets(line, sizeof line, f))
        rows += strncmp(line, "R ", 2) == 0 || strncmp(line, "S ", 2) == 0;
    fclose(f);
    CHECK(rows == 2, "%d table rows", rows);
    free(p);
    for (int k = 0; k < 2; k++) {
        free(t[k].tick);
        free(t[k].idx);
    }
    free(dir);
}

/* ---- PCA ------------------------------------------------------------------------------- */

enum { UNITS = 100, SAMPLES = 2000, LATENT = 3 };

/* The largest principal angle (radians) between the column spaces of a and b (n x 3). */
static double max_angle(const gsl_matrix *a, const gsl_matrix *b)
{
    gsl_matrix *qa = gsl_matrix_alloc(a->size1, a->size2), *qb = gsl_matrix_alloc(b->size1, b->size2);
    gsl_matrix_memcpy(qa, a);
    gsl_matrix_memcpy(qb, b);
    gsl_matrix *c = gsl_matrix_alloc(LATENT, LATENT), *v = gsl_matrix_alloc(LATENT, LATENT);
    gsl_vector *tau = gsl_vector_alloc(LATENT), *s = gsl_vector_alloc(LATENT),
               *w = gsl_vector_alloc(LATENT);
    gsl_matrix *q1 = gsl_matrix_alloc(a->size1, a->size1), *r = gsl_matrix_alloc(a->size1, LATENT);
    gsl_matrix *q2 = gsl_matrix_alloc(a->size1, a->size1);
    gsl_linalg_QR_decomp(qa, tau);
    gsl_linalg_QR_unpack(qa, tau, q1, r);
    gsl_linalg_QR_decomp(qb, tau);
    gsl_linalg_QR_unpack(qb, tau, q2, r);
    gsl_matrix_view o1 = gsl_matrix_submatrix(q1, 0, 0, a->size1, LATENT);
    gsl_matrix_view o2 = gsl_matrix_submatrix(q2, 0, 0, a->size1, LATENT);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1, &o1.matrix, &o2.matrix, 0, c);
    gsl_linalg_SV_decomp(c, v, s, w);   /* the cosines of the principal angles */
    double smallest = gsl_vector_min(s);
    double angle = acos(smallest < 1 ? smallest : 1);
    gsl_matrix_free(qa);
    gsl_matrix_free(qb);
    gsl_matrix_free(c);
    gsl_matrix_free(v);
    gsl_matrix_free(q1);
    gsl_matrix_free(q2);
    gsl_matrix_free(r);
    gsl_vector_free(tau);
    gsl_vector_free(s);
    gsl_vector_free(w);
    return angle;
}

/* Reads a CSV of numbers (header skipped) into rows x cols; returns the rows. */
static int read_csv(const char *path, int cols, double *out, int max_rows)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    int rows = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (rows < max_rows && fgets(line, sizeof line, f)) {
        char *s = line;
        for (int c = 0; c < cols; c++) {
            out[rows * cols + c] = strtod(s, &s);
            if (*s == ',')
                s++;
        }
        rows++;
    }
    fclose(f);
    return rows;
}

static void pca(bool use_npy)
{
    char *dir = folder(use_npy ? "pca_npy" : "pca_csv");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    gsl_matrix *load = gsl_matrix_alloc(UNITS, LATENT), *x = gsl_matrix_alloc(SAMPLES, UNITS);
    for (int i = 0; i < UNITS; i++)
        for (int k = 0; k < LATENT; k++)
            gsl_matrix_set(load, i, k, gsl_ran_gaussian(rng, 1));
    const double freq[LATENT] = { 3, 7, 13 }, amp[LATENT] = { 3, 2, 1.5 };
    for (int s = 0; s < SAMPLES; s++)
        for (int i = 0; i < UNITS; i++) {
            double v = -65 + 0.05 * gsl_ran_gaussian(rng, 1);   /* noise sd 0.05 */
            for (int k = 0; k < LATENT; k++)
                v += gsl_matrix_get(load, i, k) * amp[k] * sin(2 * M_PI * freq[k] * s * 5e-4 + k);
            gsl_matrix_set(x, s, i, v);
        }
    const char *names[] = { "E" };
    const int sizes[] = { UNITS };
    const char *file = use_npy ? "trace_E_v.npy" : "trace_E_v.csv";
    char traces[200];
    snprintf(traces, sizeof traces, "\n    \"E.v\": { \"file\": \"%s\", \"unit\": \"mV\" }\n  ", file);
    summary(dir, 1, names, sizes, SAMPLES * 0.5, traces);
    double *t = malloc(SAMPLES * sizeof *t);
    for (int s = 0; s < SAMPLES; s++)
        t[s] = s * 0.5;
    if (use_npy) {
        npy(dir, "trace_E_v.npy", "<f8", SAMPLES, UNITS, x->data, 8);
        npy(dir, "trace_E_v_t.npy", "<f8", SAMPLES, 0, t, 8);
    } else {
        char *p = path_of(dir, file);
        FILE *f = fopen(p, "w");
        fputs("t_ms", f);
        for (int i = 0; i < UNITS; i++)
            fprintf(f, ",%d", i);
        for (int s = 0; s < SAMPLES; s++) {
            char buf[40];
            nrt_format_double(t[s], buf, sizeof buf);
            fprintf(f, "\n%s", buf);
            for (int i = 0; i < UNITS; i++) {
                nrt_format_double(gsl_matrix_get(x, s, i), buf, sizeof buf);
                fprintf(f, ",%s", buf);
            }
        }
        fputc('\n', f);
        fclose(f);
        free(p);
    }
    AnOptions o = options(dir);
    o.json = false;
    o.pca = "E:v";
    CHECK(an_stats_run(&o, stdout, stderr) == 0, "--pca E:v failed");
    /* the explained ratios: the first 3 carry all but the noise */
    double ratio[UNITS * 2];
    char *p = path_of(dir, "pca_E_v_variance.csv");
    int rows = read_csv(p, 2, ratio, UNITS);
    free(p);
    CHECK(rows == UNITS, "%d components, expected %d (min(neurons, samples))", rows, UNITS);
    double top = rows >= 3 ? ratio[1] + ratio[3] + ratio[5] : 0;
    CHECK(top > 0.95, "the first 3 components explain %g", top);
    for (int k = 1; k < rows; k++)
        CHECK(ratio[2 * k + 1] <= ratio[2 * k - 1], "explained ratios not decreasing at %d", k + 1);
    /* the projections span the latent signals: the recovered loadings are X_c^T P */
    double *proj = malloc((size_t)SAMPLES * 4 * sizeof *proj);
    p = path_of(dir, "pca_E_v.csv");
    rows = read_csv(p, 4, proj, SAMPLES);
    free(p);
    CHECK(rows == SAMPLES, "%d projection rows", rows);
    for (int i = 0; i < UNITS; i++) {
        gsl_vector_view col = gsl_matrix_column(x, (size_t)i);
        double mean = 0;
        for (int s = 0; s < SAMPLES; s++)
            mean += gsl_vector_get(&col.vector, (size_t)s) / SAMPLES;
        gsl_vector_add_constant(&col.vector, -mean);
    }
    gsl_matrix *pm = gsl_matrix_alloc(SAMPLES, LATENT), *rec = gsl_matrix_alloc(UNITS, LATENT);
    for (int s = 0; s < SAMPLES; s++)
        for (int k = 0; k < LATENT; k++)
            gsl_matrix_set(pm, s, k, rows == SAMPLES ? proj[s * 4 + 1 + k] : 0);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1, x, pm, 0, rec);
    double angle = max_angle(rec, load);
    /* noise sd 0.05 against signals of amplitude >= 1.5 over 2000 samples: the angle is
     * of order 0.05/1.5/sqrt(2000/100) < 0.01; allowed 0.05 rad */
    CHECK(angle < 0.05, "largest principal angle %g rad", angle);
    /* --components 2: two rows of variance and pc1, pc2 */
    o.components = 2;
    CHECK(an_stats_run(&o, stdout, stderr) == 0, "--components 2");
    p = path_of(dir, "pca_E_v.csv");
    FILE *f = fopen(p, "r");
    char head[64] = "";
    CHECK(f && fgets(head, sizeof head, f) && strcmp(head, "t_ms,pc1,pc2\n") == 0, "header '%s'", head);
    if (f)
        fclose(f);
    free(p);
    free(proj);
    free(t);
    gsl_matrix_free(pm);
    gsl_matrix_free(rec);
    gsl_matrix_free(load);
    gsl_matrix_free(x);
    gsl_rng_free(rng);
    free(dir);
}

/* ---- cross-correlograms ----------------------------------------------------------------- */

static void xcorr(void)
{
    char *dir = folder("xcorr");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    Train t[2] = { { 0 }, { 0 } };
    for (long long k = 1; k <= 100000; k++)
        if (gsl_rng_uniform(rng) < 2e-3) {       /* 20 Hz */
            push(&t[0], k, (int)(k % 4));
            if (k + 50 <= 100000)
                push(&t[1], k + 50, (int)(k % 4));   /* 5 ms later */
        }
    const char *names[] = { "A", "B" };
    const int sizes[] = { 4, 4 };
    summary(dir, 2, names, sizes, 10000, NULL);
    spikes_csv(dir, 2, names, t);
    AnOptions o = options(dir);
    o.xcorr = "A,B";
    CHECK(an_stats_run(&o, stdout, stderr) == 0, "--xcorr A,B");
    double v[101 * 2];
    char *p = path_of(dir, "xcorr_A_B.csv");
    int rows = read_csv(p, 2, v, 101);
    free(p);
    CHECK(rows == 101, "%d lag bins, expected 101 (±50 ms in 1 ms)", rows);
    int best = 0;
    for (int k = 1; k < rows; k++)
        if (v[2 * k + 1] > v[2 * best + 1])
            best = k;
    CHECK(rows > 0 && v[2 * best] == 5, "the correlogram peaks at %g ms", v[2 * best]);
    /* every spike of B has its partner: the peak holds at least all of B's spikes */
    CHECK(rows > 0 && v[2 * best + 1] >= t[1].n, "peak %g < %d", v[2 * best + 1], t[1].n);
    /* with --bin 2ms --lag 10ms: 11 bins, the peak at +4 or +6 ms (5 ms is an edge) */
    o.bin_ms = 2;
    o.lag_ms = 10;
    CHECK(an_stats_run(&o, stdout, stderr) == 0, "--xcorr --bin 2ms");
    p = path_of(dir, "xcorr_A_B.csv");
    rows = read_csv(p, 2, v, 101);
    free(p);
    CHECK(rows == 11, "%d bins, expected 11", rows);
    for (int k = 0; k < 2; k++) {
        free(t[k].tick);
        free(t[k].idx);
    }
    gsl_rng_free(rng);
    free(dir);
}

/* --from/--to: a neuron at 10 ms intervals counted over (200, 500] ms has 30 spikes. */
static void interval(void)
{
    char *dir = folder("interval");
    Train t = { 0 };
    for (long long k = 100; k <= 10000; k += 100)
        push(&t, k, 0);
    const char *names[] = { "R" };
    const int sizes[] = { 1 };
    summary(dir, 1, names, sizes, 1000, NULL);
    spikes_csv(dir, 1, names, &t);
    AnOptions o = options(dir);
    o.from_ms = 200;
    o.to_ms = 500;
    o.window_ms = 50;
    Json *j = stats_json(&o);
    CHECK(stat_of(j, "R", "rate_hz") == 100, "rate %g over (200, 500]", stat_of(j, "R", "rate_hz"));
    CHECK(stat_of(j, "R", "windows") == 6, "%g windows of 50 ms in 300 ms", stat_of(j, "R", "windows"));
    CHECK(stat_of(j, "R", "fano_window_ms") == 50, "window %g", stat_of(j, "R", "fano_window_ms"));
    plot_json_free(j);
    free(t.tick);
    free(t.idx);
    free(dir);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_analysis CASE WORKDIR\n");
        return 2;
    }
    work = argv[2];
    const char *c = argv[1];
    if (strcmp(c, "poisson_csv") == 0)
        poisson(false);
    else if (strcmp(c, "poisson_npy") == 0)
        poisson(true);
    else if (strcmp(c, "regular") == 0)
        regular();
    else if (strcmp(c, "pca_csv") == 0)
        pca(false);
    else if (strcmp(c, "pca_npy") == 0)
        pca(true);
    else if (strcmp(c, "xcorr") == 0)
        xcorr();
    else if (strcmp(c, "interval") == 0)
        interval();
    else {
        fprintf(stderr, "unknown case '%s'\n", c);
        return 2;
    }
    if (failures == 0)
        printf("ok %s\n", c);
    return failures ? 1 : 0;
}
