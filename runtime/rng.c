/* Random numbers of the generated code (one of the two files that include GSL).
 *
 * Every draw is a pure function of its key, with no state to carry from one draw to the
 * next: the number a neuron (or synapse) gets does not depend on the order in which
 * neurons are visited, on how work is split between threads, or on what else drew
 * before it. The key is
 *   object: the run seed mixed with the population (or connection block) index: rng_key;
 *   site:   the random call site in the source (rand() in a threshold, normal() in a
 *           weight, ...; numbered by lowering, compiler/ir.h) or the white-noise process;
 *   index:  the neuron, or the synapse id of the block;
 *   step:   the time step (0 at set-up);
 *   draw:   how many times the site already ran for this index in this step (a Poisson
 *           drive's on_pre runs once per event), 0 otherwise.
 * They are mixed with splitmix64's finaliser (a bijection of 64-bit words with full
 * avalanche): x = h(h(site_key ^ index) ^ step), then h(x ^ draw) when draw is not 0.
 * A uniform is x's top 53 bits times 2^-53, so every double of [0, 1) on that grid can
 * come out; generated code inlines it (ORDER NRT_RANDOM: compiler/cg_random.c repeats
 * this arithmetic), so loops that draw have no call and vectorise. randn() is a
 * ziggurat started from x (a call: 10 ns a draw, against 34 for scalar Box-Muller);
 * white noise is Box-Muller on x and h(x), inlined in the integrate loop, where libmvec's
 * vector log and cos make it cheaper than a ziggurat call (a noisy LIF step: 5 against
 * 14 ns a neuron, bench/README.md). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "internal.h"
#include "net.h"


uint64_t nrt_rng_key(uint64_t seed, int object)
{
    return nrt_splitmix64(nrt_splitmix64(seed) ^ (uint64_t)(uint32_t)object);
}

/* Noise processes are sites 0, 1, ... of the noise domain; random call sites are mixed
 * in as 2^32 + site, so the two never share a key (the product with an odd constant is
 * a bijection). */
static const uint64_t SITE_MIX = 0xD1B54A32D192ED03u;

uint64_t nrt_random_key(uint64_t object_key, int32_t site)
{
    return nrt_splitmix64(object_key ^ ((uint64_t)(uint32_t)site + (1ull << 32)) * SITE_MIX);
}

static uint64_t mix(uint64_t site_key, int64_t index, int64_t step, int64_t draw)
{
    uint64_t x = nrt_splitmix64(site_key ^ (uint64_t)index);
    x = nrt_splitmix64(x ^ (uint64_t)step);
    return draw ? nrt_splitmix64(x ^ (uint64_t)draw) : x;
}

double nrt_random_uniform(uint64_t site_key, int64_t index, int64_t step, int64_t draw)
{
    return (double)(mix(site_key, index, step, draw) >> 11) * 0x1.0p-53;
}

/* Box-Muller on the word x and the next one: what white noise uses, inlined in the
 * vectorised integrate loop (libmvec's log and cos). */
static double box_muller(uint64_t x)
{
    uint64_t y = nrt_splitmix64(x);
    double u1 = ((double)(x >> 11) + 0.5) * 0x1.0p-53;   /* (0, 1): log is finite */
    double u2 = (double)(y >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Marsaglia and Tsang's ziggurat ("The ziggurat method for generating random variables",
 * J. Stat. Softw. 5(8), 2000) with 128 layers of equal area ZV under exp(-z^2/2), the
 * base layer holding the tail beyond ZR. A word gives the layer (bits 0-6), the sign (bit
 * 7) and a 53-bit uniform (bits 11-63); about 98.8% of draws end at the first test, the
 * rest take further words of the splitmix64 chain from the same key, so the result is
 * still a pure function of the key. Exact: the layers cover the density exactly, and
 * wedge and tail are resolved by rejection. The tables are computed once per process
 * and only read afterwards. */
enum { ZIG_LAYERS = 128 };
static const double ZR = 3.442619855899, ZV = 9.91256303526217e-3;

typedef struct Ziggurat {
    double x[ZIG_LAYERS + 1];   /* right edges, decreasing from x[1] = ZR to x[128] = 0 */
    double f[ZIG_LAYERS + 1];   /* exp(-x^2/2) at each */
    double ratio[ZIG_LAYERS];   /* x[i+1]/x[i]: u below it is inside the curve */
} Ziggurat;

static Ziggurat zig;
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_tables(void)
{
    zig.x[0] = ZV / exp(-0.5 * ZR * ZR);   /* the base layer's width, tail included */
    zig.x[1] = ZR;
    for (int i = 1; i < ZIG_LAYERS - 1; i++)
        zig.x[i + 1] = sqrt(-2 * log(ZV / zig.x[i] + exp(-0.5 * zig.x[i] * zig.x[i])));
    zig.x[ZIG_LAYERS] = 0;
    for (int i = 0; i <= ZIG_LAYERS; i++)
        zig.f[i] = exp(-0.5 * zig.x[i] * zig.x[i]);
    for (int i = 0; i < ZIG_LAYERS; i++)
        zig.ratio[i] = zig.x[i + 1] / zig.x[i];
}

static double unit53(uint64_t x) { return (double)(x >> 11) * 0x1.0p-53; }

/* beyond ZR: Marsaglia's tail method, from the words after x */
static double zig_tail(uint64_t x)
{
    for (;;) {
        x = nrt_splitmix64(x);
        uint64_t y = nrt_splitmix64(x);
        double a = -log(unit53(x) + 0x1.0p-54) / ZR, b = -log(unit53(y) + 0x1.0p-54);
        x = y;
        if (b + b >= a * a)
            return ZR + a;
    }
}

static double ziggurat(uint64_t x)
{
    pthread_once(&zig_once, zig_tables);
    for (;;) {
        int layer = (int)(x & (ZIG_LAYERS - 1));
        double sign = x & ZIG_LAYERS ? -1.0 : 1.0, u = unit53(x);
        if (u < zig.ratio[layer])
            return sign * u * zig.x[layer];
        if (layer == 0)
            return sign * zig_tail(x);
        double z = u * zig.x[layer];
        x = nrt_splitmix64(x);
        double y = zig.f[layer] + unit53(x) * (zig.f[layer + 1] - zig.f[layer]);
        if (y < exp(-0.5 * z * z))
            return sign * z;
        x = nrt_splitmix64(x);
    }
}

double nrt_random_normal(uint64_t site_key, int64_t index, int64_t step, int64_t draw)
{
    return ziggurat(mix(site_key, index, step, draw));
}

/* White noise: the normal deviate of (process, neuron, step). */
uint64_t nrt_noise_key(nrt_pop *pop, int32_t stream)
{
    return nrt_splitmix64(pop->rng_key ^ (uint64_t)(uint32_t)stream * SITE_MIX);
}

double nrt_noise(nrt_pop *pop, int32_t stream, int64_t neuron, int64_t step)
{
    return box_muller(mix(nrt_noise_key(pop, stream), neuron, step, 0));
}

/* ---- Counter-based streams (net.h) -------------------------------------------------- */

/* The key of (seed, a, b), to which stream_at adds c: split so that a loop over c
 * hashes the fixed part once. */
static uint64_t stream_prefix(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t k = nrt_splitmix64(nrt_splitmix64(seed) ^ 0x5DEECE66Du);
    k = nrt_splitmix64(k ^ a * 0xD1B54A32D192ED03u);
    return nrt_splitmix64(k ^ b * 0xABC98388FB8FAC03u);
}

static nrt_stream stream_at(uint64_t prefix, uint64_t c) { return (nrt_stream){.key = nrt_splitmix64(prefix ^ c), .ctr = 0}; }

nrt_stream nrt_stream_make(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return stream_at(stream_prefix(seed, a, b), c);
}


/* A gsl_rng whose state is a counter-based stream, so that GSL's Poisson sampler draws
 * from (seed, statement, target, step) and nothing else. */
static void stream_set(void *state, unsigned long seed) { ((nrt_stream *)state)->ctr = seed; }
static unsigned long stream_get(void *state) { return (unsigned long)(nrt_stream_next(state) >> 32); }
static double stream_get_double(void *state) { return nrt_stream_uniform(state); }

static const gsl_rng_type stream_type = {
    "nrt_stream", 0xFFFFFFFFul, 0, sizeof(nrt_stream), stream_set, stream_get, stream_get_double,
};

enum { ROLE_POISSON = 3 };

/* Counts below this mean are drawn by inversion against a table of the CDF. */
#define POISSON_TABLE_MAX 30
#define POISSON_COUNT_MAX 1000

void nrt_poisson_counts(uint64_t seed, int stmt, int64_t post_offset, int64_t step, double lambda,
                        int32_t *counts, int64_t n)
{
    uint64_t prefix = stream_prefix(seed, (uint64_t)stmt, ROLE_POISSON), step_key = nrt_splitmix64((uint64_t)step);
    if (lambda < POISSON_TABLE_MAX) {
        /* The CDF by the recurrence p(k) = p(k-1) lambda / k, up to where adding terms no
         * longer changes it; a uniform beyond its last value counts POISSON_COUNT_MAX. */
        double cdf[4 * POISSON_TABLE_MAX + 64];
        int ncdf = 0;
        double p = exp(-lambda), c = p;
        cdf[ncdf++] = c;
        for (int k = 1; ncdf < (int)(sizeof cdf / sizeof *cdf); k++) {
            p *= lambda / k;
            if (c + p == c)
                break;
            c += p;
            cdf[ncdf++] = c;
        }
        for (int64_t j = 0; j < n; j++) {
            nrt_stream st = stream_at(prefix, (uint64_t)(post_offset + j));
            st.key ^= step_key;
            double u = nrt_stream_uniform(&st);
            int32_t k = 0;
            while (k < ncdf && u > cdf[k])
                k++;
            counts[j] = k < ncdf ? k : POISSON_COUNT_MAX;
        }
        return;
    }
    gsl_rng g = {.type = &stream_type};
    nrt_stream st;
    g.state = &st;
    for (int64_t j = 0; j < n; j++) {
        st = stream_at(prefix, (uint64_t)(post_offset + j));
        st.key ^= step_key;
        counts[j] = (int32_t)gsl_ran_poisson(&g, lambda);
    }
}
