/* The fitting core of `nrnc fit` (docs/fitting.md): a search over a few parameters of a
 * model that someone else simulates, the data it is compared with, the objectives, and
 * the files the fit writes. Nothing here knows about the compiler or the runtime: the
 * driver (compiler/drv_fit.c) gives a function that evaluates a batch of candidate
 * parameter sets at once (one vectorised run of the model), and these files decide which
 * candidates to ask for.
 *
 *   fit_data.c    the data files (strict: a bad line is an error with FILE:LINE)
 *   fit_score.c   the objectives: least squares over samples, van Rossum distance
 *   fit_search.c  GSL multimin in a transformed space (bounds), batches of candidates
 *   fit_curv.c    the curvature at the optimum: the standard errors
 *   fit_out.c     fit.json and the data-against-model plot (plot/'s SVG helpers)
 *
 * Values are SI inside; the display unit of each quantity is carried beside it. */
#ifndef NRN_FIT_H
#define NRN_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Heap memory that ends the process (exit 70, as nrnc's other allocators) when there is
 * none; fit_data.c. */
void *fit_xcalloc(size_t n, size_t size);
void *fit_xrealloc(void *p, size_t n);

/* ---- the parameters ---------------------------------------------------------------- */

typedef struct FitParam {
    const char *name;        /* "E.tau_m" */
    const char *unit;        /* its display unit ("1" when dimensionless) */
    double scale;            /* SI value of one display unit */
    double start;            /* SI */
    bool bounded;
    double lo, hi;           /* SI, lo < hi, when bounded */
} FitParam;

/* The search works on z, unbounded: x = lo + (hi - lo) / (1 + exp(-z)) for a bounded
 * param (a logistic map, so every z is inside the bounds), x = start + s·z with
 * s = |start| (or one display unit when start is 0) otherwise. */
double fit_to_x(const FitParam *q, double z);
double fit_to_z(const FitParam *q, double x);
/* dx/dz at z */
double fit_dx_dz(const FitParam *q, double z);

/* ---- the data ---------------------------------------------------------------------- */

/* trace:VAR data: header t_ms,J0,J1,... (neuron indices), one row per sample. */
typedef struct FitTrace {
    int ncols;
    int64_t *neuron;         /* ncols neuron indices */
    int64_t nsamples;
    int64_t *step;           /* per sample: t / dt, a whole number of steps */
    double *t_ms;
    double *v;               /* nsamples x ncols, in the variable's display unit */
} FitTrace;

/* spikes data: header neuron,t_ms. Per neuron of the population, its spike times (ms),
 * ascending. */
typedef struct FitSpikes {
    int64_t nneurons;
    int64_t total;
    int64_t *count;          /* per neuron */
    double **t_ms;           /* per neuron */
} FitSpikes;

/* Read a data file; false after printing "nrnc: error: FILE:LINE: ..." (or FILE: ...).
 * Neurons must lie in [0, n); times must be multiples of dt_ms (traces) or lie within
 * [0, duration_ms] (spikes). */
bool fit_trace_read(const char *path, int64_t n, double dt_ms, const char *pop, FitTrace *out);
bool fit_spikes_read(const char *path, int64_t n, double duration_ms, const char *pop, FitSpikes *out);
void fit_trace_free(FitTrace *t);
void fit_spikes_free(FitSpikes *s);

/* ---- objectives (fit_score.c) ------------------------------------------------------ */

/* Sum of squared residuals of a model trace (nsamples x ncols, as data->v) */
double fit_ssr(const FitTrace *data, const double *model);
/* Sum over the data's total of squares around each column's mean (for R²) */
double fit_sst(const FitTrace *data);
/* Van Rossum (2001) distance D² = (1/tau) ∫ (f - g)² dt between two spike trains
 * filtered with exp(-t/tau): 1/2 per unmatched spike. Times ascending, ms. */
double fit_van_rossum(const double *a, int64_t na, const double *b, int64_t nb, double tau_ms);

/* ---- the search (fit_search.c) ----------------------------------------------------- */

/* Evaluates the objective at m candidates x[r·p + k] (SI) into f[r], +inf where the
 * model failed; false: the fit cannot go on (the reason already printed). */
typedef bool (*FitEval)(void *ctx, const double *x, int m, double *f);

typedef enum FitMethod { FIT_NELDER_MEAD, FIT_BFGS } FitMethod;

typedef struct FitSpec {
    int p;
    const FitParam *params;
    FitEval eval;
    void *ctx;
    FitMethod method;
    int starts;              /* Nelder–Mead: simplices searched side by side (>= 1) */
    int max_iter;            /* per simplex, or BFGS iterations */
    double tol;              /* Nelder–Mead: simplex size in z at convergence */
    double curv_step;        /* the curvature stencil's step in z */
    double nresid;           /* independent residuals n: sigma² = f / (n - p) */
    bool verbose;            /* a line per iteration on stderr */
} FitSpec;

typedef struct FitResult {
    double *x;               /* p values, SI */
    double f;
    double *se;              /* p standard errors, SI; NaN when not available */
    long evaluations;        /* candidates evaluated */
    long runs;               /* batched runs of the model */
    int iterations;
    bool converged;
    const char *method;      /* "nelder-mead" | "bfgs" | "bfgs+nelder-mead" */
    double *history;         /* best objective after each iteration */
    int nhistory, caphistory;
    double f_start;          /* the objective at the start values */
    bool varied;             /* some candidate's objective differed from the start's */
    bool exhausted;          /* the budget of runs is spent */
    char report[2048];       /* why it did not converge, and warnings, one per line */
} FitResult;

/* Evaluates m points of the search space z[r·p + k] (their params into x) into f,
 * counting them in res; what spec->eval returns. */
bool fit_eval_points(const FitSpec *spec, FitResult *res, const double *z, int m, double *x, double *f);
/* Minimises from the params' start values. Returns false when the fit could not run at
 * all (eval failed hard); otherwise res holds the best point found, converged or not. */
bool fit_minimize(const FitSpec *spec, FitResult *res);
void fit_result_free(FitResult *res);
/* Appends a line to res->report. */
void fit_note(FitResult *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- uncertainty (fit_curv.c) ------------------------------------------------------ */

/* Standard errors from the curvature of f at res->x: H by central differences (one
 * batch of 2p² + 1 candidates), sigma² = f / (n - p), Cov = sigma² (H / 2)^-1, with H
 * in the params' own coordinates. Fills res->se (NaN where H is not positive definite
 * or a param sits at a bound, with a note). false only when eval failed hard. */
bool fit_curvature(const FitSpec *spec, FitResult *res);

/* ---- output (fit_out.c) ------------------------------------------------------------ */

/* The shortest "%.17g"-style text that reads back to v ("null" when not finite). */
void fit_fmt_double(char *buf, size_t size, double v);

typedef struct FitExtra {
    const char *target;      /* "trace:v" | "spikes" */
    const char *objective_unit;   /* "mV^2" for traces, "1" for spikes */
    double r2;               /* traces: 1 - SSR/SST, NaN otherwise */
    double rmse;             /* traces: in the variable's unit, NaN otherwise */
    int64_t model_spikes, data_spikes;   /* spikes; -1 otherwise */
    double tau_ms;           /* the van Rossum kernel, NaN for traces */
} FitExtra;

/* fit.json: {"params": {NAME: {"value", "unit", "stderr"}}, "objective", "evaluations",
 * ...}. Values in the display units. false after printing why. */
bool fit_write_json(const char *path, const FitSpec *spec, const FitResult *res, const FitExtra *extra);

/* The plot: traces (data against the model, a panel per neuron, at most 6) */
bool fit_plot_traces(const char *path, const FitTrace *data, const double *model, const char *var,
                     const char *unit, const char *title);
/* spikes: a raster with the data's and the model's spikes of each neuron side by side */
bool fit_plot_spikes(const char *path, const FitSpikes *data, const FitSpikes *model, double duration_ms,
                     const char *title);

#endif
