/* Values set by name before a run starts (private to the runtime): sets.c. */
#ifndef NRT_SETS_H
#define NRT_SETS_H

#include <stdbool.h>
#include <stddef.h>

#include "nrt.h"

/* "12.5 ms" -> 12.5 and "ms" (the text after the number and optional spaces: "" when
 * none); false when there is no finite number first. */
bool nrt_split_quantity(const char *text, double *number, const char **unit);

typedef enum nrt_sets_status {
    NRT_SETS_OK,
    NRT_SETS_BAD_VALUE,       /* not a number in the declared unit */
    NRT_SETS_FIXED,           /* a param that fixes a compiled unit (an exponent) */
    NRT_SETS_NEGATIVE,        /* a refractory period would become negative */
    NRT_SETS_FULL,            /* more than cap items */
    NRT_SETS_NONE,            /* no population (or not pop) has the name */
} nrt_sets_status;

/* Appends to items[*n ..] an nrt_set for NAME = VALUE in population `pop`, or in every
 * population that has NAME when pop is NULL. On failure, msg says why (without naming
 * the option the text came from). */
nrt_sets_status nrt_sets_add(const nrt_run_desc *d, const char *pop, const char *name, const char *value,
                             nrt_set *items, int cap, int *n, char *msg, size_t size);

#endif
