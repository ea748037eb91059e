/* One run's state between set-up and the end (private to the runtime): nrt_run drives it
 * for `nrnc run` and built simulators, the embedding API (api.c) step by step. */
#ifndef NRT_RUN_H
#define NRT_RUN_H

#include <signal.h>

#include "internal.h"
#include "net.h"
#include "pool.h"
#include "source.h"
#include "spike_stats.h"
#include "syn_monitor.h"

/* Neuron ranges: population p is split into nranges[p] ranges of at least NRT_GRAIN
 * neurons (one when it must stay sequential), range r being [lo[p*T + r], lo[p*T + r + 1])
 * with T = threads + 1 bounds per population; share r of a phase of the pool (whichever
 * thread takes it) runs range r of every population.
 * Per-range results (the fire function's spike count, the non-finite flags) are stored
 * per (population, range) and combined in range order after the phase, so that the
 * spike lists and the reported failures are those of a single-threaded run. */
typedef struct ranges {
    int threads;
    int *nranges;                 /* per population */
    int64_t *lo;                  /* npops x (threads + 1) */
    size_t stride;                /* per-range results, range r of population p at
                                     [r * stride + p] (range_slot): each thread writes
                                     its own cache lines */
    int64_t *nspiked;
    int32_t *bad;                 /* integrate's non-finite flags */
    int32_t *fire_bad;            /* fire's */
    uint8_t *longer;              /* a refractory period longer than NRT_REFR_CAP steps has
                                     started in the range: reload counts after each fire */
    int64_t *stats_from;          /* where range r's spikes start in the list deferred to
                                     the statistics (found by the caller, whose cache
                                     holds the list) */
} ranges;

static inline size_t range_slot(const ranges *rg, int p, int r)
{
    return (size_t)r * rg->stride + (size_t)p;
}

/* Neurons of one population made to spike in the next step (nrt_runner_inject). */
typedef struct nrt_injected {
    int64_t *idx, n, cap;
    int64_t *merged;              /* room for the step's spikes and these together */
} nrt_injected;

typedef struct nrt_runner {
    const nrt_run_desc *d;
    double dt_ms;
    ranges rg;
    nrt_pool *pool;
    int64_t step;                 /* the step the pool's phases work on */
    int first_block, last_block;  /* the blocks a delivery phase works on */
    int threads_run;              /* the threads the steps run on (summary.json) */
    bool tuning;                  /* choosing between the pool and the caller alone */
    double tune_t0, tune_best[2]; /* the current block's start; the fastest block with the
                                     pool [0] and without [1] */
    nrt_injected *inject;         /* per population, or NULL: spikes the embedding API adds */
    bool summing;                 /* some population has inputs that summed writes */
    bool sum_whole;               /* ... and a summed term reads an input: one thread */
    bool fused;                   /* delivery, integrate and fire of a range run in one
                                     phase: every block splits by target, nothing sums */
    int64_t *piece;               /* per population, when fused: the neurons of the pieces
                                     its ranges are stepped in (0: a range in one piece) */
    nrt_pop *pops;
    int64_t *spike_counts;
    nrt_spike_stats *stats;       /* per population, for summary.json; NULL without files */
    bool stats_pending;           /* the last step's spikes are deferred in stats, for the
                                     next step's phase to add range by range */
    nrt_source_state *sources;    /* per population; used by spike_source populations */
    nrt_conn *conns;              /* per connection block */
    nrt_net *net;
    nrt_syn_monitors syn_mon;
    int64_t synapses;
    int64_t *conn_synapses, *conn_bytes;   /* per block, for summary.json */
    nrt_monitors mon;
    bool files;                   /* false: an embedded instance with no output folder */
    bool prepared;                /* the folder is ready: the files and summary.json may be
                                     written (set-up may still have failed) */
    nrt_folder folder;
    nrt_err err;
    nrt_progress progress;
    int64_t steps_done;
    int64_t start;                /* the first step: 0, or the checkpoint's when resuming */
    int64_t checkpoint_steps;     /* --checkpoint-every in steps, or 0 */
    int64_t checkpoint_step;      /* the step of the last checkpoint written, or -1 */
    nrt_ckpt_reader resume;       /* --resume: the checkpoint, open until restored */
    const char *status;
    const char *signal;           /* the signal that stopped the run, or NULL */
    int code;
    double setup_s, run_s;
} nrt_runner;

/* Prepares desc's output folder (when files) and sets everything up to the t = 0
 * sample: populations, connections, monitors. 0, or -1 with the reason in s->err and
 * s->code set (nrt_runner_close must follow either way). Without files, nothing is
 * written: no folder, no monitors, no summary; quiet: errors are kept, not printed. */
int nrt_runner_open(nrt_runner *s, const nrt_run_desc *desc, bool files, bool quiet);
/* Steps from s->steps_done up to `until` (at most desc->nsteps for a run), stopping early
 * when *stop (may be NULL) becomes nonzero; 0, or -1 once a step failed (reported). */
int nrt_runner_steps(nrt_runner *s, int64_t until, volatile sig_atomic_t *stop);
/* Makes neurons idx[0 .. n) of population p spike in the next step, as if they crossed
 * their threshold (stamped at its end, delivered and recorded like any spike) but
 * without their reset or refractory period; a neuron that fires anyway spikes once.
 * 0, or -1 with msg saying why (out of memory, an index outside the population); the
 * run itself goes on. */
int nrt_runner_inject(nrt_runner *s, int p, const int32_t *idx, int64_t n, char *msg, size_t size);
/* Closes the files, writes summary.json (with files), frees everything; the exit code. */
int nrt_runner_close(nrt_runner *s);

#endif
