/* A population's storage: the structure of arrays that generated code reads and writes.
 *
 * Every per-neuron slot is its own array of n doubles (nrt_array_zeroed: aligned, whole
 * cache lines, huge pages when large). Everything starts at zero: the generated
 * init sets params and initial states, the runtime relies on refractory = 0 and
 * cond_prev = 0 meaning "free to fire" and "condition was false". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int nrt_pop_alloc(nrt_pop *pop, const nrt_pop_desc *desc, uint64_t seed, int pop_index)
{
    memset(pop, 0, sizeof *pop);
    pop->n = desc->n;
    int narrays = desc->narrays > 0 ? desc->narrays : 0;
    pop->arrays = calloc((size_t)narrays + 1, sizeof *pop->arrays);
    pop->scalars = nrt_array_zeroed(desc->nscalars > 0 ? desc->nscalars : 0, sizeof(double));
    pop->refractory = nrt_array_zeroed(desc->n, sizeof(int32_t));
    pop->cond_prev = nrt_array_zeroed(desc->n, sizeof(uint8_t));
    pop->spiked = nrt_array_zeroed(desc->n, sizeof(int64_t));
    /* padded to whole 64-byte blocks: the fire scan reads it a block at a time */
    pop->flags = nrt_array_zeroed((desc->n + 63) / 64 * 64, sizeof(uint8_t));
    int noverrides = (desc->nparams > 0 ? desc->nparams : 0) + (desc->nstates > 0 ? desc->nstates : 0);
    pop->overrides = nrt_array_zeroed(noverrides, sizeof(double));
    for (int k = 0; pop->overrides && k < noverrides; k++)
        pop->overrides[k] = desc->initial_values ? desc->initial_values[k] : NAN;
    pop->rng_key = nrt_rng_key(seed, pop_index);
    bool ok = pop->arrays && pop->scalars && pop->refractory && pop->cond_prev &&
              pop->spiked && pop->flags && pop->overrides;
    for (int a = 0; ok && a < narrays; a++) {
        pop->arrays[a] = nrt_array_zeroed(desc->n, sizeof(double));
        ok = pop->arrays[a] != NULL;
    }
    if (!ok) {
        nrt_pop_free(pop, desc);
        return -1;
    }
    return 0;
}

void nrt_pop_free(nrt_pop *pop, const nrt_pop_desc *desc)
{
    if (pop->arrays) {
        for (int a = 0; a < desc->narrays; a++)
            free(pop->arrays[a]);
        free(pop->arrays);
    }
    free(pop->scalars);
    free(pop->refractory);
    free(pop->cond_prev);
    free(pop->spiked);
    free(pop->flags);
    free(pop->overrides);
    memset(pop, 0, sizeof *pop);
}

/* Only called after integrate or fire reported a problem, so it may scan everything. */
bool nrt_pop_find_nonfinite(const nrt_pop *pop, const nrt_pop_desc *desc,
                            int *state, int64_t *neuron)
{
    int64_t best = pop->n;
    int best_state = -1;
    for (int s = 0; s < desc->nstates && s < desc->narrays; s++) {
        const double *x = pop->arrays[s];
        for (int64_t i = 0; i < best; i++) {
            if (!isfinite(x[i])) {
                best = i;           /* an equal index in a later state loses: i < best */
                best_state = s;
                break;
            }
        }
    }
    if (best_state < 0)
        return false;
    *state = best_state;
    *neuron = best;
    return true;
}

void nrt_pop_counts_out(nrt_pop *pop)
{
    for (int64_t i = 0; i < pop->n; i++)
        pop->refractory[i] += pop->flags[i] >> 1;
}

void nrt_pop_counts_in(nrt_pop *pop)
{
    for (int64_t i = 0; i < pop->n; i++) {
        int32_t r = pop->refractory[i] < 0 ? 0 : pop->refractory[i];
        int32_t c = r > NRT_REFR_CAP ? NRT_REFR_CAP : r;
        pop->flags[i] = (uint8_t)(c << 1);
        pop->refractory[i] = r - c;
    }
}

void nrt_refr_reload(nrt_pop *pop, int64_t lo, int64_t hi)
{
    /* a count of 1 after the step's loop: the period ends with the next step unless
     * refractory[] has more of it. memchr finds those (about one per spike of a period
     * ago) at vector speed; scanning every byte, or every neuron at the cap each step,
     * cost as much as the integration itself (CUBA 64,000 at dt 0.01 ms) */
    enum { LAST_STEP = 2 };
    uint8_t *p = pop->flags + lo, *end = pop->flags + hi;
    while (p < end && (p = memchr(p, LAST_STEP, (size_t)(end - p))) != NULL) {
        int64_t i = p++ - pop->flags;
        int32_t rest = pop->refractory[i];
        if (rest <= 0)
            continue;
        int32_t more = rest < NRT_REFR_CAP - 1 ? rest : NRT_REFR_CAP - 1;
        pop->flags[i] = (uint8_t)((1 + more) << 1);
        pop->refractory[i] = rest - more;
    }
}
