/* libFuzzer target: a spike-source file (`spike_source[N](file = "x.csv")`, runtime/
 * source.c), read from memory for a population of 1,000 neurons at dt = 0.1 ms, exactly
 * as `nrnc run` reads it from disk; the schedule is then replayed step by step as the run
 * loop does, so every accepted spike must land on a neuron of the population. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

enum { NEURONS = 1000, STEPS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nrt_source_state st;
    nrt_err err = {0};
    if (nrt_source_read_mem(&st, "fuzz.csv", data, size, NEURONS, 0.1, &err) == 0) {
        int64_t spiked[NEURONS];
        nrt_pop pop;
        memset(&pop, 0, sizeof pop);
        pop.n = NEURONS;
        pop.spiked = spiked;
        for (int64_t step = 0; step < STEPS; step++) {
            nrt_source_emit(&st, &pop, step);
            for (int64_t k = 0; k < pop.nspiked; k++)
                if (spiked[k] < 0 || spiked[k] >= NEURONS)
                    abort();
        }
    }
    nrt_source_free(&st);
    nrt_err_fini(&err);
    return 0;
}
