/* Spike sources (source.c): private to the runtime. */
#ifndef NRT_SOURCE_H
#define NRT_SOURCE_H

#include "internal.h"

typedef struct spike_at spike_at;

typedef struct nrt_source_state {
    spike_at *spikes;   /* sorted by step, then neuron */
    int64_t count, next;
} nrt_source_state;

/* Loads the schedule (copying the arrays, or reading the file); 0 or -1 (reported). */
int nrt_source_open(nrt_source_state *st, const nrt_source *src, int64_t size, double dt_ms, nrt_err *err);
/* The same for a spike file already in memory (n bytes; `name` is used in messages): the
 * fuzz target's entry point, and a file read the same way as from disk. */
int nrt_source_read_mem(nrt_source_state *st, const char *name, const void *data, size_t n,
                        int64_t size, double dt_ms, nrt_err *err);
/* Sets pop->spiked / nspiked to the spikes stamped at `step`. */
void nrt_source_emit(nrt_source_state *st, nrt_pop *pop, int64_t step);
void nrt_source_free(nrt_source_state *st);

#endif
