/* Lowering: checked AST of one network + run options -> IrModule (see ir.h). */
#ifndef NRN_LOWER_H
#define NRN_LOWER_H

#include "ir.h"
#include "sema.h"

/* A `--set [POP.]NAME=VALUE` from the command line, already parsed. */
typedef struct LowerSet {
    const char *pop;        /* NULL: every population whose model has NAME */
    const char *name;
    double si_value;
    Dim dim;
    bool dimensionless_literal;   /* written without a unit */
    const char *text;       /* as written, for messages */
    bool used;
} LowerSet;

typedef struct LowerOptions {
    const char *model_path;
    SemaNetwork *network;
    double dt, duration;    /* seconds */
    bool timing_from_flags; /* --duration or --dt given: their errors are command-line errors */
    uint64_t seed;
    LowerSet *sets;
    int nsets;
    bool set_error;         /* out: a --set was wrong (a command-line error, exit 2) */
    /* nrnc fit (drv_fit.c): population fit_pop may be run replicated, candidate r's
     * neuron j being neuron r·N + j, so `i` there reads i mod N; its params fit_params
     * are per neuron, and init keeps the values written into their arrays (their value
     * is themselves) unless an override gives one. */
    const char *fit_pop;
    const char *const *fit_params;
    int nfit_params;
} LowerOptions;

/* Returns NULL after reporting errors (unsupported forms, bad --set values, `every` that
 * is not a multiple of the final dt). */
IrModule *lower_network(Arena *a, Diags *d, const SemaProgram *prog, LowerOptions *opt);

#endif
