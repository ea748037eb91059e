/* --set and nrt_sim_set: a value for a param or initial state, given as text in the unit
 * the model declared the quantity with (a compiled model carries no unit system: "12 ms"
 * for a param declared in ms, a bare number for a dimensionless one). Shared by built
 * simulators (sim_main.c) and the embedding API (api.c), which word the failures
 * around the message this module writes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sets.h"

bool nrt_split_quantity(const char *text, double *number, const char **unit)
{
    char *end;
    errno = 0;
    *number = strtod(text, &end);
    if (end == text || errno || !isfinite(*number))
        return false;
    while (*end == ' ')
        end++;
    *unit = end;
    return true;
}

/* A number and exactly `unit` ("12ms", "12 ms"; nothing or "1" when dimensionless). */
static bool parse_value(const char *text, const char *unit, double scale, double *out)
{
    double v;
    const char *end;
    if (!nrt_split_quantity(text, &v, &end))
        return false;
    bool dimensionless = strcmp(unit, "1") == 0;
    if (!(dimensionless ? *end == '\0' || strcmp(end, "1") == 0 : strcmp(end, unit) == 0))
        return false;
    *out = v * scale;
    return true;
}

/* Param or state `name` of population pd: its overrides index, or -1. */
static int find_member(const nrt_pop_desc *pd, const char *name, const char **unit, double *scale)
{
    for (int k = 0; k < pd->nparams; k++)
        if (strcmp(pd->param_names[k], name) == 0) {
            *unit = pd->param_units[k];
            *scale = pd->param_scales[k];
            return k;
        }
    for (int k = 0; k < pd->nstates; k++)
        if (strcmp(pd->state_names[k], name) == 0) {
            *unit = pd->state_units[k];
            *scale = pd->state_scales[k];
            return pd->nparams + k;
        }
    return -1;
}

nrt_sets_status nrt_sets_add(const nrt_run_desc *d, const char *pop, const char *name, const char *value,
                             nrt_set *items, int cap, int *n, char *msg, size_t size)
{
    int matched = 0;
    for (int p = 0; p < d->npops; p++) {
        const nrt_pop_desc *pd = &d->pops[p];
        if (pop && strcmp(pd->name, pop) != 0)
            continue;
        const char *unit;
        double scale;
        int index = find_member(pd, name, &unit, &scale);
        if (index < 0)
            continue;
        double v;
        if (!parse_value(value, unit, scale, &v)) {
            snprintf(msg, size, "give the value in %s, the unit of '%s'",
                     strcmp(unit, "1") == 0 ? "no unit (it is dimensionless)" : unit, name);
            return NRT_SETS_BAD_VALUE;
        }
        int flags = index < pd->nparams && pd->param_flags ? pd->param_flags[index] : 0;
        if (flags & NRT_PARAM_FIXED) {
            snprintf(msg, size, "param '%s' cannot be set: it is the exponent of a quantity with a unit, and that "
                                "unit cannot change", name);
            return NRT_SETS_FIXED;
        }
        if ((flags & NRT_PARAM_NONNEG) && v < 0) {
            snprintf(msg, size, "'%s' sets the refractory period of population '%s'; it must not be negative", name,
                     pd->name);
            return NRT_SETS_NEGATIVE;
        }
        if (*n >= cap) {
            snprintf(msg, size, "too many values set (at most %d)", cap);
            return NRT_SETS_FULL;
        }
        items[(*n)++] = (nrt_set){.pop = p, .index = index, .value = v};
        matched++;
    }
    if (!matched) {
        if (pop)
            snprintf(msg, size, "population '%s' has no param or state '%s'", pop, name);
        else
            snprintf(msg, size, "no population has a param or state '%s'", name);
        return NRT_SETS_NONE;
    }
    return NRT_SETS_OK;
}
