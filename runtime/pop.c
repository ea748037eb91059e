/* A population's storage: the structure of arrays that generated code reads and writes.
 *
 * Every per-neuron slot is its own array of n doubles, 64-byte aligned (a cache line, and
 * the widest vector the code generator targets) and rounded up to whole lines, so the
 * generated loops may use aligned vector loads. Everything starts at zero: the generated
 * init sets params and initial states, the runtime relies on refractory = 0 and
 * cond_prev = 0 meaning "free to fire" and "condition was false". */
#define _DEFAULT_SOURCE   /* madvise */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

enum { ALIGN = 64 };
enum { HUGE_PAGE = 2 << 20, HUGE_MIN = 1 << 20 };

/* Zeroed, 64-byte aligned block of count elements of size bytes (at least one line, so a
 * population of zero neurons still gets valid pointers). */
static void *alloc_zeroed(int64_t count, size_t size)
{
    if (count < 0 || (uint64_t)count > (SIZE_MAX - ALIGN) / size)
        return NULL;
    size_t bytes = ((size_t)count * size + ALIGN - 1) / ALIGN * ALIGN;
    if (bytes == 0)
        bytes = ALIGN;
    size_t align = ALIGN;
    if (bytes >= HUGE_MIN) {
        align = HUGE_PAGE;
        bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    }
    void *p = aligned_alloc(align, bytes);
    if (p && align == HUGE_PAGE)
        madvise(p, bytes, MADV_HUGEPAGE);
    if (p)
        memset(p, 0, bytes);
    return p;
}

int nrt_pop_alloc(nrt_pop *pop, const nrt_pop_desc *desc, uint64_t seed, int pop_index)
{
    memset(pop, 0, sizeof *pop);
    pop->n = desc->n;
    int narrays = desc->narrays > 0 ? desc->narrays : 0;
    pop->arrays = calloc((size_t)narrays + 1, sizeof *pop->arrays);
    pop->scalars = alloc_zeroed(desc->nscalars > 0 ? desc->nscalars : 0, sizeof(double));
    pop->refractory = alloc_zeroed(desc->n, sizeof(int32_t));
    pop->cond_prev = alloc_zeroed(desc->n, sizeof(uint8_t));
    pop->spiked = alloc_zeroed(desc->n, sizeof(int64_t));
    /* padded to whole 64-byte blocks: the fire scan reads it a block at a time */
    pop->fired = alloc_zeroed((desc->n + 63) / 64 * 64, sizeof(uint8_t));
    int noverrides = (desc->nparams > 0 ? desc->nparams : 0) + (desc->nstates > 0 ? desc->nstates : 0);
    pop->overrides = alloc_zeroed(noverrides, sizeof(double));
    for (int k = 0; pop->overrides && k < noverrides; k++)
        pop->overrides[k] = desc->initial_values ? desc->initial_values[k] : NAN;
    pop->rng_key = nrt_rng_key(seed, pop_index);
    bool ok = pop->arrays && pop->scalars && pop->refractory && pop->cond_prev &&
              pop->spiked && pop->fired && pop->overrides;
    for (int a = 0; ok && a < narrays; a++) {
        pop->arrays[a] = alloc_zeroed(desc->n, sizeof(double));
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
    free(pop->fired);
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
