/* Connections at run time (private to the runtime): building the synapses of every block
 * (conn.c) and moving spikes through them every step (net.c). */
#ifndef NRT_NET_H
#define NRT_NET_H

#include "internal.h"

/* Counter-based random streams (rng.c): a stream is a key and a counter, so the numbers a
 * target (or source) draws depend only on (seed, statement, index), never on which block
 * or thread builds it. */
typedef struct nrt_stream {
    uint64_t key, ctr;
} nrt_stream;

nrt_stream nrt_stream_make(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
uint64_t nrt_stream_next(nrt_stream *s);
double nrt_stream_uniform(nrt_stream *s);     /* [0, 1), 53 bits */
/* Poisson deviates, one per target j of [0, n): counts[j] ~ Poisson(lambda), drawn from
 * the stream (seed, stmt, post_offset + j, step). */
void nrt_poisson_counts(uint64_t seed, int stmt, int64_t post_offset, int64_t step, double lambda,
                        int32_t *counts, int64_t n);

/* Allocates and builds block `b` of desc (rows, post index, weights from a matrix, then
 * the generated init); 0, or -1 with the error reported. */
int nrt_conn_build(nrt_conn *c, const nrt_run_desc *desc, int b, nrt_pop *pops, nrt_err *err);
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
 * drive) onto the targets [lo, hi) of the block's post population. Blocks are delivered
 * in order; when nrt_net_block_splits(net, b), threads may deliver disjoint ranges of a
 * run of such blocks at once (each target's events keep their order), else the block
 * is delivered whole (lo = 0, hi = its post population's size) on its own. */
bool nrt_net_block_splits(const nrt_net *net, int b);
void nrt_net_deliver_block(nrt_net *net, nrt_pop *pops, int b, int64_t k, int64_t lo, int64_t hi);
/* The summed inputs only (zeroed, then every block's terms added), from the current state. */
void nrt_net_sum(nrt_net *net, nrt_pop *pops, int64_t k);
/* §7 (3), after every population fired in step k: queue the outgoing spikes, run on_post. */
int nrt_net_after_fire(nrt_net *net, nrt_pop *pops, int64_t k);

/* The spike histories and delay queues, for checkpoints; load returns 0 or -1. */
void nrt_net_save(const nrt_net *net, nrt_ckpt_io *io);
int nrt_net_load(nrt_net *net, nrt_ckpt_io *io);

#endif
