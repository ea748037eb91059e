/* Spike-train statistics of one population, accumulated online: the one implementation
 * behind summary.json's "stats" (fed by the run loop, run.c) and `nrnc stats` (fed from
 * the files, analysis/stats.c), so that the two always give the same numbers.
 *
 * Time is counted in ticks, whole numbers: the run's steps (a spike stamped at step k is
 * at tick k), or, for files, their times divided by dt and rounded. Integer ticks make
 * the sums exact and independent of how a time was written ("0.3" and 3·0.1 are the same
 * tick). A spike at tick t counts when from < t <= to: the steps of the interval
 * [from, to]. Windows (Fano) and bins (synchrony) are (from + k·w, from + (k+1)·w], and
 * only whole ones count.
 *
 * Per spike the work is O(1) and allocates nothing: the neuron's count, first and last
 * tick, the sum of squared ISIs, and its spike count in its current window and bin, which
 * are folded into sums of squares only when a later spike of that neuron starts another
 * window (a window without spikes adds 0 to both sums, so none is ever visited). The
 * population's count in the current bin is kept the same way. Spikes must come in
 * non-decreasing time per neuron, and the population's bins non-decreasing: true of the
 * run loop, and of files once sorted by time (an_ sorts them when they are not). The
 * definitions of the results are in docs/analysis.md; nrt_spike_stats_finish is where
 * they are computed. */
#ifndef NRT_SPIKE_STATS_H
#define NRT_SPIKE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One neuron: 64 bytes, one cache line touched per spike. */
typedef struct nrt_spike_cell {
    int64_t count;            /* spikes in (from, to] */
    int64_t first, last;      /* their ticks (valid when count > 0) */
    double isi_sq;            /* sum of squared ISIs, in ticks² */
    int64_t win_sq, bin_sq;   /* sums over finished windows / bins of count² */
    int64_t win, bin;         /* the last spike's window and bin */
} nrt_spike_cell;
/* The counts in the last spike's window and bin, kept apart to keep the cell at 64 bytes. */
typedef struct nrt_spike_cur {
    int32_t win_n, bin_n;
} nrt_spike_cur;

typedef struct nrt_spike_stats {
    int64_t n;                /* neurons */
    int64_t from, to;         /* ticks */
    int64_t window, bin;      /* ticks, at least 1 */
    nrt_spike_cell *cell;     /* n of each */
    nrt_spike_cur *cur;
    int64_t pop_bin;          /* the population's current bin, -1 before the first spike */
    int64_t pop_bin_n;        /* its spikes */
    double pop_bin_sq;        /* sum over finished bins of (spikes in the bin)² */
    int64_t *pending;         /* room for n: the deferred step's neurons, ascending */
    int64_t npending, pending_tick;
} nrt_spike_stats;

/* The results; NaN where undefined (no neuron with 3 spikes, fewer than 2 windows...). */
typedef struct nrt_spike_summary {
    int64_t spikes;           /* in (from, to] */
    double rate_hz;           /* spikes / (neurons · (to - from)) */
    double rate_q[5];         /* per-neuron rates: min, 10%, 50%, 90%, max */
    double isi_mean_ms;       /* mean over neurons with >= 3 spikes of their mean ISI */
    double cv_isi;            /* mean over the same neurons of sd(ISI) / mean(ISI) */
    int64_t isi_neurons;      /* how many such neurons */
    double fano;              /* mean over neurons with spikes in whole windows of var/mean */
    int64_t windows;          /* whole windows */
    double silent_fraction;   /* neurons without a spike in (from, to] */
    double synchrony;         /* Golomb's chi over whole bins */
    int64_t bins;
} nrt_spike_summary;

/* summary.json's defaults, which `nrnc stats` shares: Fano windows and synchrony bins. */
#define NRT_STATS_WINDOW_MS 100.0
#define NRT_STATS_BIN_MS 5.0

/* A duration in whole ticks (at least 1): both sides round the same way. */
int64_t nrt_spike_stats_ticks(double ms, double tick_ms);

/* Heap storage for n neurons; 0, or -1 out of memory (nothing left allocated). */
int nrt_spike_stats_alloc(nrt_spike_stats *s, int64_t n, int64_t from, int64_t to,
                          int64_t window, int64_t bin);
void nrt_spike_stats_free(nrt_spike_stats *s);
/* Bytes nrt_spike_stats_alloc takes for n neurons (memplan.c). */
double nrt_spike_stats_bytes(int64_t n);

/* Neuron i spiked at tick t (ignored outside (from, to] or outside [0, n)). */
void nrt_spike_stats_add(nrt_spike_stats *s, int64_t i, int64_t t);
/* The spikes of one step, neurons idx[0 .. k) (ascending) at tick t, in two parts so that
 * threads can share the per-neuron work: defer counts them in the population's bin and
 * keeps a copy (replacing any earlier one); apply adds the kept ones from position `from`
 * of the copy (find(lo): the first at or above neuron lo) up to neuron hi to their
 * neurons, and must be called once for each of a set of disjoint neuron ranges covering
 * the population before the next defer. */
void nrt_spike_stats_defer(nrt_spike_stats *s, int64_t t, const int64_t *idx, int64_t k);
int64_t nrt_spike_stats_find(const nrt_spike_stats *s, int64_t lo);
void nrt_spike_stats_apply(nrt_spike_stats *s, int64_t from, int64_t hi);

/* The statistics of the spikes so far over (from, end] (end <= to: a stopped run's last
 * step), a tick being tick_ms long. Allocates n doubles for the rate quantiles (never
 * called in the step loop); false out of memory, with r left NaN. */
bool nrt_spike_stats_finish(const nrt_spike_stats *s, int64_t end, double tick_ms,
                            nrt_spike_summary *r);

/* The results as one JSON object, keys in a fixed order, numbers in the shortest form
 * that reads back, null for NaN: "rate_hz", "rate_min_hz", "rate_p10_hz", "rate_p50_hz",
 * "rate_p90_hz", "rate_max_hz", "isi_mean_ms", "cv_isi", "isi_neurons", "fano",
 * "fano_window_ms", "windows", "silent_fraction", "synchrony", "synchrony_bin_ms", "bins".
 * Both summary.json and `nrnc stats --format json` print it, so they compare as text.
 * Returns the length (as snprintf). */
int nrt_spike_summary_json(const nrt_spike_summary *r, double window_ms, double bin_ms,
                           char *buf, size_t size);
enum { NRT_SPIKE_JSON_MAX = 1024 };   /* enough for nrt_spike_summary_json */

#endif
