/* Counter-based random draws (runtime/rng.c): reproducible from the key, distinct across
 * seeds, objects, sites, indices, steps and draws, uniform in [0, 1) and standard normal.
 *
 * Each distribution is checked on 10^6 draws, by its first four moments and by a
 * Kolmogorov-Smirnov test against its CDF, along the index (the neurons of one step) and
 * along the step (one neuron over time). Moment tolerances are 6 standard errors of the
 * estimate for n = 10^6 (normal: mean 1e-3, variance sqrt(2)e-3, skewness sqrt(6)e-3,
 * excess kurtosis sqrt(24)e-3; uniform: mean 0.2887e-3, variance 0.0745e-3, skewness
 * 1.96e-3, excess kurtosis 2.4e-3, from the moments of U(0,1)); the KS bound is
 * 2.23/sqrt(n), the critical value at level 1e-4. The KS test hardly sees the tails, where
 * the ziggurat switches method (beyond 3.44): the counts beyond 3 and 4 are checked
 * against n·erfc(c/sqrt 2) within 6 Poisson standard deviations. A correct generator fails any one check
 * with probability about 1e-4 or less, and the draws are fixed, so a pass stays a pass.
 * The golden values pin the streams: changing the generator or the keys changes every
 * seeded run's results and should be a deliberate decision. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int failures;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

enum { N = 1000000 };

static void keys(void)
{
    uint64_t a = nrt_rng_key(42, 0), b = nrt_rng_key(42, 0), c = nrt_rng_key(42, 1), d = nrt_rng_key(43, 0);
    CHECK(a == b && a != c && a != d && c != d);
    CHECK(nrt_rng_key(42, -1) != a && nrt_rng_key(42, -1) != c);
    uint64_t s0 = nrt_random_key(a, 0), s1 = nrt_random_key(a, 1);
    CHECK(s0 != s1 && s0 != nrt_random_key(c, 0));
    /* a random call site never shares its key with a white-noise process */
    nrt_pop pop = {.rng_key = a};
    for (int k = 0; k < 64; k++)
        for (int j = 0; j < 64; j++)
            CHECK(nrt_random_key(a, k) != nrt_noise_key(&pop, j));
    int same_index = 0, same_step = 0, same_draw = 0;
    for (int i = 0; i < 1000; i++) {
        double x = nrt_random_uniform(s0, i, 7, 0);
        CHECK(x == nrt_random_uniform(s0, i, 7, 0));
        same_index += x == nrt_random_uniform(s0, i + 1, 7, 0);
        same_step += x == nrt_random_uniform(s0, i, 8, 0);
        same_draw += x == nrt_random_uniform(s0, i, 7, 1);
    }
    CHECK(same_index == 0 && same_step == 0 && same_draw == 0);
}

typedef double (*Draw)(uint64_t key, int64_t index, int64_t step, int64_t draw);
typedef double (*Cdf)(double x);

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }
static double uniform_cdf(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sup |F_n - F| of the sorted sample */
static double ks_distance(const double *x, int n, Cdf cdf)
{
    double d = 0;
    for (int i = 0; i < n; i++) {
        double f = cdf(x[i]);
        d = fmax(d, fmax(f - (double)i / n, (double)(i + 1) / n - f));
    }
    return d;
}

typedef struct Moments {
    double mean, var, skew, kurt;   /* kurt: excess kurtosis */
} Moments;

static Moments moments(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    Moments m = {.mean = s / n};
    double m2 = 0, m3 = 0, m4 = 0;
    for (int i = 0; i < n; i++) {
        double d = x[i] - m.mean, d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    m.var = m2;
    m.skew = m3 / pow(m2, 1.5);
    m.kurt = m4 / (m2 * m2) - 3;
    return m;
}

/* 10^6 draws along the index (steps fixed) or along the step (index fixed) */
static void sample(double *x, Draw draw, uint64_t key, bool along_step)
{
    for (int i = 0; i < N; i++)
        x[i] = along_step ? draw(key, 12345, i, 0) : draw(key, i, 99, 0);
}

/* |x| > c, against its expectation */
static void check_tail(const double *x, double c)
{
    double want = N * erfc(c / sqrt(2.0));
    int got = 0;
    for (int i = 0; i < N; i++)
        got += fabs(x[i]) > c;
    printf("  |z| > %g: %d, expected %.1f\n", c, got, want);
    CHECK(fabs(got - want) < 6 * sqrt(want));
}

static void check_normal(double *x, const char *what)
{
    check_tail(x, 3);
    check_tail(x, 3.442619855899);
    check_tail(x, 4);
    Moments m = moments(x, N);
    qsort(x, N, sizeof *x, by_value);
    double d = ks_distance(x, N, normal_cdf);
    printf("normal %-6s mean %+.2e var-1 %+.2e skew %+.2e kurt %+.2e KS sqrt(n)D %.3f\n", what, m.mean, m.var - 1,
           m.skew, m.kurt, d * sqrt(N));
    CHECK(fabs(m.mean) < 6 * 1e-3);
    CHECK(fabs(m.var - 1) < 6 * 1.4142e-3);
    CHECK(fabs(m.skew) < 6 * 2.4495e-3);
    CHECK(fabs(m.kurt) < 6 * 4.899e-3);
    CHECK(d * sqrt(N) < 2.23);
    CHECK(isfinite(x[0]) && isfinite(x[N - 1]));
}

static void check_uniform(double *x, const char *what)
{
    Moments m = moments(x, N);
    qsort(x, N, sizeof *x, by_value);
    double d = ks_distance(x, N, uniform_cdf);
    printf("uniform %-6s mean-1/2 %+.2e var-1/12 %+.2e skew %+.2e kurt+1.2 %+.2e KS sqrt(n)D %.3f\n", what,
           m.mean - 0.5, m.var - 1.0 / 12, m.skew, m.kurt + 1.2, d * sqrt(N));
    CHECK(x[0] >= 0 && x[N - 1] < 1);
    CHECK(fabs(m.mean - 0.5) < 6 * 0.2887e-3);
    CHECK(fabs(m.var - 1.0 / 12) < 6 * 0.0745e-3);
    CHECK(fabs(m.skew) < 6 * 1.96e-3);
    CHECK(fabs(m.kurt + 1.2) < 6 * 2.4e-3);
    CHECK(d * sqrt(N) < 2.23);
}

static void distributions(void)
{
    double *x = malloc(N * sizeof *x);
    if (!x) {
        failures++;
        return;
    }
    uint64_t key = nrt_random_key(nrt_rng_key(1, 0), 3);
    sample(x, nrt_random_uniform, key, false);
    check_uniform(x, "index");
    sample(x, nrt_random_uniform, key, true);
    check_uniform(x, "step");
    sample(x, nrt_random_normal, key, false);
    check_normal(x, "index");
    sample(x, nrt_random_normal, key, true);
    check_normal(x, "step");
    /* white noise: neurons of one step */
    nrt_pop pop = {.rng_key = nrt_rng_key(5, 2)};
    for (int i = 0; i < N; i++)
        x[i] = nrt_noise(&pop, 1, i, 17);
    check_normal(x, "noise");
    free(x);
}

static void golden(void)
{
    uint64_t key = nrt_random_key(nrt_rng_key(42, 0), 0);
    char got[128];
    snprintf(got, sizeof got, "%.17g %.17g", nrt_random_uniform(key, 3, 10, 0), nrt_random_normal(key, 3, 10, 0));
    const char *want = "0.64201926109676322 1.2207961921660151";
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "draws of (seed 42, population 0, site 0, neuron 3, step 10) changed: %s, were %s\n", got,
                want);
        failures++;
    }
}

int main(void)
{
    keys();
    distributions();
    golden();
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures != 0;
}
