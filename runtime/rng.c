/* Per-population random streams (one of the two files that include GSL).
 *
 * Each population owns a Mersenne Twister (gsl_rng_mt19937) seeded from the run seed and
 * the population's index, so a population's stream depends on nothing else: not on the
 * other populations, not on the thread count. The two are mixed with splitmix64 because
 * mt19937 only takes 32 bits of seed and nearby seeds must still give unrelated streams.
 *
 * nrt_rand draws 53 random bits (two 32-bit outputs) so that every double in [0, 1) on
 * the 2^-53 grid can come out; nrt_randn uses GSL's ziggurat. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "internal.h"
#include "net.h"

struct nrt_rng {
    gsl_rng *g;
    uint64_t key;      /* seed and population mixed: the root of nrt_noise */
};

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

nrt_rng *nrt_rng_alloc(uint64_t seed, int pop_index)
{
    nrt_rng *rng = malloc(sizeof *rng);
    if (!rng)
        return NULL;
    /* gsl_rng_alloc calls the GSL error handler (abort by default) when out of memory:
     * the same outcome as any other allocation failure in a generated simulator. */
    rng->g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng->g) {
        free(rng);
        return NULL;
    }
    uint64_t mixed = splitmix64(splitmix64(seed) ^ (uint64_t)(uint32_t)pop_index);
    rng->key = mixed;
    gsl_rng_set(rng->g, (unsigned long)(mixed & 0xFFFFFFFFu));
    return rng;
}

void nrt_rng_free(nrt_rng *rng)
{
    if (!rng)
        return;
    gsl_rng_free(rng->g);
    free(rng);
}

double nrt_rand(nrt_pop *pop)
{
    gsl_rng *g = pop->rng->g;
    uint64_t hi = gsl_rng_get(g) >> 5;   /* 27 bits */
    uint64_t lo = gsl_rng_get(g) >> 6;   /* 26 bits */
    return (double)(hi << 26 | lo) * 0x1.0p-53;
}

double nrt_randn(nrt_pop *pop)
{
    return gsl_ran_gaussian_ziggurat(pop->rng->g, 1.0);
}

/* White noise is counter-based: the normal deviate of (stream, neuron, step) is a hash of
 * those numbers and the population's key, so it does not depend on the order in which
 * neurons are visited or on the thread count, and needs no state. Box-Muller on two
 * 53-bit uniforms from a splitmix64 chain. */
uint64_t nrt_noise_key(nrt_pop *pop, int32_t stream)
{
    return splitmix64(pop->rng->key ^ (uint64_t)(uint32_t)stream * 0xD1B54A32D192ED03u);
}

double nrt_noise(nrt_pop *pop, int32_t stream, int64_t neuron, int64_t step)
{
    uint64_t x = splitmix64(nrt_noise_key(pop, stream) ^ (uint64_t)neuron);
    x = splitmix64(x ^ (uint64_t)step);
    uint64_t y = splitmix64(x);
    double u1 = ((double)(x >> 11) + 0.5) * 0x1.0p-53;   /* (0, 1): log is finite */
    double u2 = (double)(y >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double nrt_conn_rand(nrt_conn *conn)
{
    gsl_rng *g = conn->rng->g;
    uint64_t hi = gsl_rng_get(g) >> 5;
    uint64_t lo = gsl_rng_get(g) >> 6;
    return (double)(hi << 26 | lo) * 0x1.0p-53;
}

double nrt_conn_randn(nrt_conn *conn)
{
    return gsl_ran_gaussian_ziggurat(conn->rng->g, 1.0);
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

/* The Mersenne Twister's whole state, for checkpoints. */
void nrt_rng_save(const nrt_rng *rng, nrt_ckpt_io *io)
{
    int64_t size = (int64_t)gsl_rng_size(rng->g);
    nrt_ckpt_put(io, &size, sizeof size);
    nrt_ckpt_put(io, gsl_rng_state(rng->g), (size_t)size);
}

bool nrt_rng_load(nrt_rng *rng, nrt_ckpt_io *io)
{
    int64_t size = -1;
    if (!nrt_ckpt_get(io, &size, sizeof size) || size != (int64_t)gsl_rng_size(rng->g))
        return false;
    return nrt_ckpt_get(io, gsl_rng_state(rng->g), (size_t)size);
}
