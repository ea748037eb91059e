/* Connections at run time (private to the runtime): building the synapses of every block
 * (conn.c) and moving spikes through them every step (net.c). */
#ifndef NRT_NET_H
#define NRT_NET_H

#include "internal.h"
#include "pool.h"

/* Counter-based random streams (rng.c): a stream is a key and a counter, so the numbers a
 * target (or source) draws depend only on (seed, statement, index), never on which block
 * or thread builds it. */
typedef struct nrt_stream {
    uint64_t key, ctr;
} nrt_stream;

/* splitmix64's finaliser after its Weyl step: a bijection of 64-bit words whose outputs
 * pass BigCrush as a sequence (Steele, Lea and Flood 2014). Inline, with the stream
 * draws, because set-up and the Poisson drive call them per synapse or per target. */
static inline uint64_t nrt_splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

nrt_stream nrt_stream_make(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
/* splitmix64's own sequence: the key plus a Weyl step per draw, then its finaliser */
static inline uint64_t nrt_stream_next(nrt_stream *s)
{
    return nrt_splitmix64(s->key + 0x9E3779B97F4A7C15u * s->ctr++);
}
/* [0, 1), 53 bits */
static inline double nrt_stream_uniform(nrt_stream *s) { return (double)(nrt_stream_next(s) >> 11) * 0x1.0p-53; }
/* Poisson deviates, one per target j of [0, n): counts[j] ~ Poisson(lambda), drawn from
 * the stream (seed, stmt, post_offset + j, step). */
void nrt_poisson_counts(uint64_t seed, int stmt, int64_t post_offset, int64_t step, double lambda,
                        int32_t *counts, int64_t n);

/* Allocates and builds block `b` of desc (rows, post index, weights from a matrix, then
 * the generated init), on the threads of `pool` (NULL: the caller's alone) with the same
 * result; 0, or -1 with the error reported. */
int nrt_conn_build(nrt_conn *c, const nrt_run_desc *desc, int b, nrt_pop *pops, nrt_pool *pool, nrt_err *err);
void nrt_conn_free(nrt_conn *c, const nrt_conn_desc *d);
/* Bytes the block's storage takes (for summary.json and the docs' bytes per synapse). */
int64_t nrt_conn_bytes(const nrt_conn *c, const nrt_conn_desc *d);
/* Bytes a block of npre x npost will take once built, before anything is drawn; the
 * expected synapse count goes to *synapses. */
double nrt_conn_estimate(const nrt_conn_desc *d, int64_t npre, int64_t npost, double *synapses);

typedef struct nrt_net nrt_net;

/* Spike histories and delay queues for every block; NULL with the error reported. */
nrt_net *nrt_net_alloc(const nrt_run_desc *desc, nrt_conn *conns, nrt_err *err);
void nrt_net_free(nrt_net *net);
/* LANGUAGE.md §7 (1), block b: the spikes due at the start of step k (on_pre, poisson
 * drive) onto range r, the targets [lo, hi), of the block's post population. Blocks are
 * delivered in order; when nrt_net_block_splits(net, b), threads may deliver disjoint
 * ranges of a run of such blocks at once (each target's events keep their order), else
 * the block is delivered whole (r = -1, lo = 0, hi = its post population's size) on its
 * own. */
bool nrt_net_block_splits(const nrt_net *net, int b);
void nrt_net_deliver_block(nrt_net *net, nrt_pop *pops, int b, int64_t k, int r, int64_t lo, int64_t hi);
/* Splits block b's rows at the range bounds lo[0] = 0 < lo[1] < ... < lo[nranges] (its
 * post population's size), so that delivery to range r finds its stretch of each row
 * without a search: nranges - 1 row offsets per pre neuron. 0, or -1 out of memory. */
int nrt_net_split(nrt_net *net, int b, const int64_t *lo, int nranges);
/* The bytes nrt_net_split takes for a block of npre rows split into nranges. */
int64_t nrt_net_split_bytes(int64_t npre, int nranges);
/* Delivery in pieces, for a step that integrates a large range in cache-sized pieces:
 * range r's targets delivered piece by piece, [lo, hi) in ascending order, each just
 * before that piece integrates, so that the delivery's scattered writes land in state
 * the integration is about to stream anyway. Each target still gets its events in
 * order. nrt_net_block_parts: block b can be (it splits by target, and has one delay);
 * `first` and `last` mark the range's first and last piece. */
bool nrt_net_block_parts(const nrt_net *net, int b);
void nrt_net_deliver_part(nrt_net *net, nrt_pop *pops, int b, int64_t k, int r, int64_t lo, int64_t hi, bool first,
                          bool last);
/* The summed inputs only (zeroed, then every block's terms added), from the current state. */
void nrt_net_sum(nrt_net *net, nrt_pop *pops, int64_t k);
/* The same for range r, the targets [lo, hi), of a population (r < 0: all of it): every
 * population's inputs zeroed, then the blocks' terms added in block order. Ranges of
 * different threads are independent: the terms only read states and write their range. */
void nrt_net_zero_inputs(const nrt_net *net, nrt_pop *pops, int p, int64_t lo, int64_t hi);
void nrt_net_sum_block(nrt_net *net, nrt_pop *pops, int b, int64_t k, int r, int64_t lo, int64_t hi);
/* §7 (3), after every population fired in step k: queue the outgoing spikes, run on_post. */
int nrt_net_after_fire(nrt_net *net, nrt_pop *pops, int64_t k, nrt_pool *pool);

/* The spike histories and delay queues, for checkpoints; load returns 0 or -1. */
void nrt_net_save(const nrt_net *net, nrt_ckpt_io *io);
int nrt_net_load(nrt_net *net, nrt_ckpt_io *io);

#endif
