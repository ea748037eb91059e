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
 * come out; a normal is Box-Muller on x and h(x), which generated code inlines (ORDER
 * NRT_RANDOM: compiler/cg_random.c repeats this arithmetic) so that loops that draw have
 * no call and vectorise with the vector math library's log and cos. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "internal.h"
#include "net.h"

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

uint64_t nrt_rng_key(uint64_t seed, int object)
{
    return splitmix64(splitmix64(seed) ^ (uint64_t)(uint32_t)object);
}

/* Noise processes are sites 0, 1, ... of the noise domain; random call sites are mixed
 * in as 2^32 + site, so the two never share a key (the product with an odd constant is
 * a bijection). */
static const uint64_t SITE_MIX = 0xD1B54A32D192ED03u;

uint64_t nrt_random_key(uint64_t object_key, int32_t site)
{
    return splitmix64(object_key ^ ((uint64_t)(uint32_t)site + (1ull << 32)) * SITE_MIX);
}

static uint64_t mix(uint64_t site_key, int64_t index, int64_t step, int64_t draw)
{
    uint64_t x = splitmix64(site_key ^ (uint64_t)index);
    x = splitmix64(x ^ (uint64_t)step);
    return draw ? splitmix64(x ^ (uint64_t)draw) : x;
}

double nrt_random_uniform(uint64_t site_key, int64_t index, int64_t step, int64_t draw)
{
    return (double)(mix(site_key, index, step, draw) >> 11) * 0x1.0p-53;
}

double nrt_random_normal(uint64_t site_key, int64_t index, int64_t step, int64_t draw)
{
    uint64_t x = mix(site_key, index, step, draw), y = splitmix64(x);
    double u1 = ((double)(x >> 11) + 0.5) * 0x1.0p-53;   /* (0, 1): log is finite */
    double u2 = (double)(y >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* White noise: the normal deviate of (process, neuron, step). */
uint64_t nrt_noise_key(nrt_pop *pop, int32_t stream)
{
    return splitmix64(pop->rng_key ^ (uint64_t)(uint32_t)stream * SITE_MIX);
}

double nrt_noise(nrt_pop *pop, int32_t stream, int64_t neuron, int64_t step)
{
    return nrt_random_normal(nrt_noise_key(pop, stream), neuron, step, 0);
}

/* ---- Counter-based streams (net.h) -------------------------------------------------- */

nrt_stream nrt_stream_make(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t k = splitmix64(splitmix64(seed) ^ 0x5DEECE66Du);
    k = splitmix64(k ^ a * 0xD1B54A32D192ED03u);
    k = splitmix64(k ^ b * 0xABC98388FB8FAC03u);
    k = splitmix64(k ^ c);
    return (nrt_stream){.key = k, .ctr = 0};
}

/* splitmix64's own sequence: the key plus a Weyl step per draw, then its finaliser */
uint64_t nrt_stream_next(nrt_stream *s)
{
    return splitmix64(s->key + 0x9E3779B97F4A7C15u * s->ctr++);
}

double nrt_stream_uniform(nrt_stream *s) { return (double)(nrt_stream_next(s) >> 11) * 0x1.0p-53; }

/* A gsl_rng whose state is a counter-based stream, so that GSL's Poisson sampler draws
 * from (seed, statement, target, step) and nothing else. */
static void stream_set(void *state, unsigned long seed) { ((nrt_stream *)state)->ctr = seed; }
static unsigned long stream_get(void *state) { return (unsigned long)(nrt_stream_next(state) >> 32); }
static double stream_get_double(void *state) { return nrt_stream_uniform(state); }

static const gsl_rng_type stream_type = {
    "nrt_stream", 0xFFFFFFFFul, 0, sizeof(nrt_stream), stream_set, stream_get, stream_get_double,
};

enum { ROLE_POISSON = 3 };

void nrt_poisson_counts(uint64_t seed, int stmt, int64_t post_offset, int64_t step, double lambda,
                        int32_t *counts, int64_t n)
{
    gsl_rng g = {.type = &stream_type};
    nrt_stream st;
    g.state = &st;
    double p0 = exp(-lambda);
    for (int64_t j = 0; j < n; j++) {
        st = nrt_stream_make(seed, (uint64_t)stmt, ROLE_POISSON, (uint64_t)(post_offset + j));
        st.key ^= splitmix64((uint64_t)step);
        if (lambda < 30) {
            /* inversion: one uniform, about lambda + 1 comparisons */
            double u = nrt_stream_uniform(&st), p = p0, cdf = p0;
            int32_t k = 0;
            while (u > cdf && k < 1000) {
                k++;
                p *= lambda / k;
                cdf += p;
            }
            counts[j] = k;
        } else {
            counts[j] = (int32_t)gsl_ran_poisson(&g, lambda);
        }
    }
}
