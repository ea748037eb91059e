/* Integrator choice and set-up (LANGUAGE.md §4 `method`). */
#ifndef NRN_SOLVE_H
#define NRN_SOLVE_H

#include "ir.h"

/* Chooses each population's integrator: the model's `method`, else `override` (from
 * --method) when not NULL, else by analysis: exact for affine systems with constant
 * coefficients, expeuler when each equation is affine in its own variable, else rk4.
 * Records the reason, and adds the integrator's data (propagator slots, exponential-Euler
 * coefficients). Reports a method that cannot apply (exact on a nonlinear system). */
bool solve_select(Arena *a, Diags *d, IrModule *m, const char *override);

#endif
