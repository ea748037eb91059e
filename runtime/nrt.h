/* libnrnrt: the runtime that compiled models link against.
 *
 * The compiler generates, per population, an init, an integrate and a fire function over
 * the population's structure-of-arrays storage (nrt_pop); the runtime owns that storage,
 * the clock-driven loop of LANGUAGE.md §7, spike and trace recording, and the output
 * files of CLI.md. It knows nothing about the model's equations: the compiler describes
 * the run with an nrt_run_desc (sizes, slot names, recorded variables, function pointers).
 *
 * No global state except the SIGINT flag: two runs in one process are independent. */
#ifndef NRT_H
#define NRT_H

#include <stdbool.h>
#include <stdint.h>
#include "nrnrt.h"

/* The largest refractory count a flag byte holds; refractory[] keeps the rest. */
#define NRT_REFR_CAP 127
/* A step of a large population goes in pieces of about NRT_PIECE_BYTES of state
 * (runtime/run.c pieces_init; NRN_PIECE_KIB may set another size): this many neurons of
 * narrays doubles and a flag byte each, a multiple of 64 and at least 64. The compiler
 * generates the piece code (conn_pre_piece) only when some population outgrows two. */
#define NRT_PIECE_BYTES (256 << 10)
static inline int64_t nrt_piece_neurons(int64_t bytes, int narrays)
{
    int64_t n = bytes / ((int64_t)narrays * (int64_t)sizeof(double) + 1) / 64 * 64;
    return n < 64 ? 64 : n;
}

/* What fire returns: a reset left a state not finite; a refractory period longer than
 * NRT_REFR_CAP steps started (from then on the runtime reloads such counts). */
#define NRT_FIRE_NONFINITE 1
#define NRT_FIRE_LONG 2

/* A population's storage, as generated code sees it. Field order is part of the ABI
 * between runtime and generated code (ORDER NRT_POP in compiler/cg_*.c). */
typedef struct nrt_pop {
    int64_t n;              /* number of neurons */
    double **arrays;        /* per-neuron slots, each n doubles: states first, then the rest */
    double *scalars;        /* population-wide slots: uniform params, propagator entries */
    int32_t *refractory;    /* per neuron: the steps of its refractory period beyond
                               those its flag byte counts (0 for a period of at most
                               NRT_REFR_CAP steps) */
    uint8_t *cond_prev;     /* threshold condition at the end of the previous step */
    int64_t *spiked;        /* indices that spiked in the current step, ascending */
    int64_t nspiked;
    uint64_t rng_key;       /* the run seed and the population mixed: its random draws' root */
    uint8_t *flags;         /* per neuron, n bytes zero-padded to a multiple of 64: bit 0,
                               its threshold passed this step (fire's scratch, zero
                               between steps); bits 1-7, min(refractory steps left,
                               NRT_REFR_CAP) */
    double *overrides;      /* per param, then per state: a value (SI) that init uses instead
                               of the model's expression, or NaN (a built simulator's --set) */
} nrt_pop;

/* A block of synapses: one (connect statement, source population, target population), in
 * compressed rows by pre-synaptic neuron (LANGUAGE.md §6). Field order is part of the ABI
 * between runtime and generated code (ORDER NRT_CONN in compiler/cg_internal.h). Indices
 * are local to the populations; pre_offset and post_offset place them in the statement's
 * concatenated index space (pre.i and post.i in expressions are those global indices). */
typedef struct nrt_conn {
    int64_t npre, npost;          /* sizes of the two populations */
    int64_t nsyn;
    int64_t *row;                 /* npre + 1: synapses of pre i are row[i] .. row[i+1]-1 */
    int32_t *post;                /* nsyn: post-synaptic index of each synapse */
    double **arrays;              /* per-synapse values, each nsyn doubles */
    double *scalars;              /* values shared by every synapse (a homogeneous weight) */
    int32_t *delay;               /* nsyn: delay in steps, when heterogeneous; else NULL */
    int64_t *col;                 /* npost + 1: synapses onto post j are col_syn[col[j] ..] */
    int64_t *col_syn;             /* nsyn: synapse ids by post, then pre */
    int32_t *col_pre;             /* nsyn: the pre index of each col_syn entry */
    int32_t *counts;              /* poisson drive: each target's count this step */
    double *dense;                /* a dense weight matrix (npre x npost, row-major), or NULL */
    uint64_t rng_key;             /* the same for the block: rand() in weights, delays, events */
    int64_t pre_offset, post_offset;
} nrt_conn;

/* Generated functions. integrate and fire work on the neurons [lo, hi) only, so that
 * threads can take disjoint ranges and a range pieces (lo a multiple of 64); integrate
 * returns nonzero, and fire NRT_FIRE_NONFINITE, when a state became NaN or infinite (the
 * runtime then finds which and stops with exit code 3). fire also returns NRT_FIRE_LONG
 * when a refractory period longer than NRT_REFR_CAP steps started, writes the range's
 * spikes, ascending, to pop->spiked[lo ..] and their count to *nspiked; the runtime
 * joins the ranges' lists into pop->spiked / pop->nspiked. */
typedef void (*nrt_init_fn)(nrt_pop *pop, double dt);
typedef int32_t (*nrt_integrate_fn)(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi);
typedef int32_t (*nrt_fire_fn)(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi, int64_t *nspiked);
/* Computes the population's recorded derived values (lets, inputs) at t = step·dt into
 * their array slots; called before a trace of that population samples. */
typedef void (*nrt_observe_fn)(nrt_pop *pop, int64_t step, double dt);

/* Generated functions of a connection block. conn_init computes per-synapse weights,
 * delays (steps) and synapse states after the runtime built the rows; pre runs on_pre for
 * every synapse of the listed pre-synaptic neurons (delivered at the start of `step`);
 * pre_syn the same for a list of (pre, synapse) pairs (heterogeneous delays); post runs
 * on_post for every synapse onto the listed post-synaptic neurons (they spiked at the end
 * of step - 1, stamped step·dt); summed adds the block's `summed` terms into the target's
 * inputs; poisson runs on_pre counts[j] times for every target j. */
/* pre, summed and poisson only touch one range of targets, so that threads can work on
 * disjoint ranges; each target's events and terms still come in the order of §6.
 * poisson (and summed over a dense matrix) takes the range [lo, hi) of local post
 * indices; pre runs the synapses [row_lo[x], row_hi[x]) of the x-th listed pre neuron,
 * summed [row_lo[i], row_hi[i]) of each pre neuron i (the row bounds c->row, c->row + 1
 * for the whole population). */
/* conn_init returns the number of synapses whose delay came out negative (an error). */
typedef int32_t (*nrt_conn_init_fn)(nrt_conn *c, nrt_pop *pre, nrt_pop *post, double dt);
typedef void (*nrt_conn_event_fn)(nrt_conn *c, nrt_pop *pre, nrt_pop *post, const int64_t *list,
                                  int64_t n, int64_t step, double dt);
typedef void (*nrt_conn_pre_fn)(nrt_conn *c, nrt_pop *pre, nrt_pop *post, const int64_t *list, int64_t n,
                                int64_t step, double dt, const int64_t *row_lo, const int64_t *row_hi);
/* pre for one piece of a range: from cursor[x] to the first synapse onto post_hi or beyond
 * (at most stop[x]), leaving cursor[x] there. */
typedef void (*nrt_conn_piece_fn)(nrt_conn *c, nrt_pop *pre, nrt_pop *post, const int64_t *list, int64_t n,
                                  int64_t step, double dt, int64_t *cursor, const int64_t *stop, int64_t post_hi);
typedef void (*nrt_conn_summed_fn)(nrt_conn *c, nrt_pop *pre, nrt_pop *post, int64_t step, double dt,
                                   const int64_t *row_lo, const int64_t *row_hi, int64_t lo, int64_t hi);
typedef void (*nrt_conn_poisson_fn)(nrt_conn *c, nrt_pop *pre, nrt_pop *post, int64_t step, double dt,
                                    int64_t lo, int64_t hi);

/* The spikes of a `spike_source` population, which the runtime emits itself (it has no
 * fire function): either arrays sorted by step then neuron, or a CSV file with header
 * `neuron,t_ms` read, checked and sorted at set-up (an unreadable or malformed file fails
 * the run with exit code 3). A spike at time t is stamped at step round(t/dt). */
typedef struct nrt_source {
    int64_t count;
    const int64_t *steps;         /* stamping steps, >= 1 */
    const int32_t *neurons;
    const char *file;             /* NULL when the arrays are used */
} nrt_source;

typedef struct nrt_pop_desc {
    const char *name;
    int64_t n;
    int narrays, nscalars;
    int nstates;                  /* arrays[0 .. nstates-1] are the states */
    const char *const *state_names;
    const double *state_scales;   /* SI value of one display unit, per state */
    const char *const *state_units;
    const char *method;           /* for summary.json */
    nrt_init_fn init;
    nrt_integrate_fn integrate;
    nrt_fire_fn fire;             /* NULL when the model has no threshold */
    bool record_spikes;
    nrt_observe_fn observe;       /* NULL when no trace of this population needs it */
    const nrt_source *source;     /* spike_source populations, else NULL */
    int nparams;                  /* for --set in a built simulator */
    const char *const *param_names;
    const char *const *param_units;
    const double *param_scales;
    const unsigned char *param_flags;   /* NRT_PARAM_* per param: what --set may not do */
    const double *initial_values; /* per param, then per state (as overrides): the value where
                                     the model's is a constant, else NaN; overrides start from
                                     these, and generated init reads such params and states
                                     from overrides (NULL: all NaN) */
    int ninputs;                  /* array slots of `input`s that summed writes: zeroed */
    const int *input_slots;       /* at the start of every step, before summing */
    /* the embedding API (api.c): every state, param and input by name, and the function
     * that recomputes what init derives from params (exact propagators) after a param
     * changed; NULL when nothing is derived */
    int nvars;
    const struct nrt_var_desc *vars;
    nrt_init_fn derive;
} nrt_pop_desc;

/* A named variable of a population, for the embedding API. */
typedef struct nrt_var_desc {
    const char *name;
    int kind;                     /* NRT_VAR_* */
    int slot;                     /* array slot, or scalar slot when scalar */
    bool scalar;                  /* one value for the whole population (a uniform param) */
    double scale;                 /* SI value of one display unit */
    const char *unit;             /* the display unit ("1": dimensionless) */
} nrt_var_desc;

enum { NRT_VAR_STATE, NRT_VAR_PARAM, NRT_VAR_INPUT };

/* param_flags: FIXED, the exponent of a quantity with a unit (its value fixes a unit
 * compiled in); NONNEG, the refractory period grows with it (no negative value). */
enum { NRT_PARAM_FIXED = 1, NRT_PARAM_NONNEG = 2 };

/* A value replacing a param's or state's initial expression: overrides[index] of pop. */
typedef struct nrt_set {
    int pop;
    int index;                    /* param k, or nparams + state k */
    double value;                 /* SI */
} nrt_set;

typedef struct nrt_trace_desc {
    int pop;                      /* index into pops */
    const char *var;              /* name for the file: trace_POP_VAR.csv */
    int slot;                     /* array or scalar slot */
    bool scalar;                  /* read scalars[slot] (same for every neuron) */
    int64_t lo, hi;               /* neurons [lo, hi), when index is NULL */
    const int64_t *index;         /* else the neurons recorded, in column order (a stride or */
    int64_t nindex;               /* a list, resolved by the compiler) */
    int64_t every;                /* in steps, >= 1 */
    double scale;                 /* SI value of one display unit */
    const char *unit;             /* display unit, e.g. "mV" */
} nrt_trace_desc;

/* `record rate of POP every T`: rate_POP.csv, header t_ms,rate_hz; the value at t is the
 * number of spikes stamped in (t - T, t] divided by size·T (0 at t = 0). */
typedef struct nrt_rate_desc {
    int pop;
    int64_t every;                /* in steps, >= 1 */
} nrt_rate_desc;

typedef enum nrt_rule {
    NRT_RULE_ALL, NRT_RULE_ONE_TO_ONE, NRT_RULE_PROB, NRT_RULE_INDEGREE, NRT_RULE_OUTDEGREE,
    NRT_RULE_MATRIX, NRT_RULE_POISSON
} nrt_rule;

/* A synapse state or weight that `record VAR of CONN` can read: per-synapse array slot (or
 * scalar slot), and for an (event) state the decay rate a of dX/dt = a X, applied from
 * the synapse's last event (array slot `last`) to the sampling time. */
typedef struct nrt_syn_var {
    const char *name;
    int slot;
    bool scalar;
    double decay;                 /* a (1/s), 0 when not an event state */
    double scale;                 /* SI value of one display unit */
    const char *unit;
} nrt_syn_var;

typedef struct nrt_conn_desc {
    const char *name;             /* `as NAME`, else "connect<k>" (k from 1) */
    int stmt;                     /* connect statement index: keys its random streams */
    int pre, post;                /* population indices (pre = -1 for poisson) */
    int64_t pre_offset, post_offset;   /* in the statement's concatenated index space */
    int64_t pre_total, post_total;
    int64_t self_offset;          /* indegree: the target population's offset among the sources;
                                     outdegree: the source's among the targets; or -1 */
    nrt_rule rule;
    double p;                     /* prob */
    int64_t k;                    /* fixed_indegree / fixed_outdegree; poisson: COUNT */
    bool allow_self;
    double poisson_lambda;        /* COUNT · RATE · dt */
    /* weight matrix (rule MATRIX): a literal (rows x cols, row-major, SI) or a file */
    const double *matrix;
    const char *matrix_file;
    double matrix_scale;          /* SI value of the file's unit */
    bool dense;                   /* keep the matrix dense (summed only) */
    int weight_slot;              /* array slot the matrix fills, or -1 */
    int narrays, nscalars;
    bool hetero_delay;            /* per-synapse delays: conn->delay */
    int64_t delay_steps;          /* homogeneous delay */
    bool post_index;              /* build col / col_syn / col_pre (on_post) */
    bool sequential_events;       /* on_pre writes or reads the pre-synaptic side: delivered
                                     as one range */
    bool sequential_sum;          /* a summed term reads an input (which summing may be
                                     writing): the run sums every block on one thread */
    int last_slot;                /* array slot of the last event time, or -1 */
    int nvars;
    const nrt_syn_var *vars;
    nrt_conn_init_fn init;
    nrt_conn_pre_fn pre_fn;       /* NULL when there is no on_pre */
    nrt_conn_piece_fn piece_fn;   /* with pre_fn, when the model has piece code
                                     (compiler/cg.h cg_wants_pieces); else NULL */
    nrt_conn_event_fn pre_syn_fn; /* heterogeneous delays */
    nrt_conn_event_fn post_fn;    /* NULL when there is no on_post */
    nrt_conn_summed_fn summed_fn; /* NULL when there is no summed */
    nrt_conn_poisson_fn poisson_fn;
} nrt_conn_desc;

/* `record VAR of CONN every T`: weights_CONN_VAR.csv, header t_ms,pre,post,value (one row
 * per synapse of each block of the statement, indices in the concatenated space). */
typedef struct nrt_syn_trace_desc {
    const char *file;             /* "weights_CONN_VAR" */
    int first, count;             /* the blocks conns[first .. first+count-1] */
    int var;                      /* index into each block's vars */
    int64_t every;
} nrt_syn_trace_desc;

typedef enum nrt_format { NRT_FORMAT_CSV, NRT_FORMAT_NPY } nrt_format;

typedef struct nrt_run_desc {
    const char *model;            /* model file name, for summary.json */
    const char *network;
    const char *outdir;
    double dt;                    /* seconds */
    int64_t nsteps;
    uint64_t seed;
    int threads;                  /* 0: up to the cores, one or all as the first steps
                                     measure faster (run.c, tune_threads) */
    double max_memory;            /* bytes a run may plan to use; 0: the memory available */
    double checkpoint_every;      /* seconds of simulated time between checkpoints; 0: none */
    bool resume;                  /* continue the run whose checkpoint is in outdir */
    nrt_format format;
    int progress;                 /* -1 auto (terminal and long run), 0 never, 1 always */
    double compile_s;             /* reported in summary.json timing_s.compile */
    int npops;
    const nrt_pop_desc *pops;
    int ntraces;
    const nrt_trace_desc *traces;
    int nrates;
    const nrt_rate_desc *rates;
    int nsets;
    const nrt_set *sets;
    int nconns;
    const nrt_conn_desc *conns;
    int nsyn_traces;
    const nrt_syn_trace_desc *syn_traces;
    bool force;                   /* write into a non-empty folder that nrnc did not write */
} nrt_run_desc;

/* Allocates the populations, runs init, the loop and the monitors, writes the output
 * folder. Returns the process exit code: 0, or 3 when the run failed (a non-finite state,
 * an output file that cannot be written, a full disk); the reason is printed to stderr.
 * An interrupted run (SIGINT) still writes complete files for the steps done and says so
 * in summary.json; it returns 130. A folder that holds files but no summary.json of an
 * nrnc run is refused (exit 2) unless desc->force; in one that has, the files that
 * summary.json lists are removed first. */
int nrt_run(const nrt_run_desc *desc);

/* The number of threads a run of desc uses when it asks for desc->threads (0: all cores):
 * no more than its largest population has ranges of NRT_GRAIN neurons (at least one;
 * NRT_GRAIN_SUMMED for a population that `summed` brings hundreds of terms per neuron),
 * and summary.json reports it. */
enum { NRT_GRAIN = 1024, NRT_GRAIN_SUMMED = 64 };
int nrt_threads_used(const nrt_run_desc *desc);

/* ---- Standalone simulators (`nrnc build`) ------------------------------------------ */

/* The main() of a built simulator calls nrt_sim_main with the run it was built for.
 * Command-line options (CLI.md RUN OPTIONS) override the duration, seed, output folder,
 * format, thread count and progress bar. Options that would need different compiled code
 * (--set, --method, a different --dt or --network) are refused with exit code 2 and a
 * message saying to rebuild. */
typedef struct nrt_sim_spec {
    nrt_run_desc run;             /* the defaults given to nrnc build */
    double duration;              /* seconds */
} nrt_sim_spec;

int nrt_sim_main(int argc, char **argv, nrt_sim_spec *spec);

/* What nrn_model() of a library written by `nrnc build --lib` returns (nrnrt.h): the
 * run it was built for, and the runtime interface it expects. */
struct nrt_model {
    int abi;                      /* NRT_MODEL_ABI when it was built */
    const nrt_sim_spec *spec;
};
enum { NRT_MODEL_ABI = 1 };

/* "512M", "8G", "1.5GiB" or a number of bytes (binary multiples); false if malformed. */
bool nrt_parse_memory(const char *text, double *bytes);

/* ---- Called from generated code --------------------------------------------------- */

/* Counter-based random draws (runtime/rng.c explains the key): the key of random call
 * site `site` of an object (a population's or block's rng_key), then a uniform in [0, 1)
 * or a standard normal (ziggurat) that is a pure function of (site key, index, step,
 * draw). Generated code inlines the uniform and calls the normal (ORDER NRT_RANDOM:
 * compiler/cg_random.c). */
uint64_t nrt_random_key(uint64_t object_key, int32_t site);
double nrt_random_uniform(uint64_t site_key, int64_t index, int64_t step, int64_t draw);
double nrt_random_normal(uint64_t site_key, int64_t index, int64_t step, int64_t draw);
/* Standard normal deviate that is a pure function of (run seed, population, stream,
 * neuron, step): the white noise xi of LANGUAGE.md §3, reproducible whatever the
 * thread count or visiting order. */
double nrt_noise(nrt_pop *pop, int32_t stream, int64_t neuron, int64_t step);
/* The per-stream key nrt_noise starts from; generated code inlines the rest of
 * nrt_noise (ORDER NRT_NOISE: compiler/cg_pop.c emit_noise repeats its arithmetic). */
uint64_t nrt_noise_key(nrt_pop *pop, int32_t stream);

/* P = exp(A·dt) and Q = ∫0^dt exp(A·s) ds for an n×n row-major A, so that the affine
 * system x' = A x + b with constant b advances exactly as x(t+dt) = P x + Q b.
 * Returns 0, or nonzero if GSL failed. */
int32_t nrt_expm_propagator(int32_t n, const double *A, double dt, double *P, double *Q);

/* ---- Formatting shared by every writer (and by the compiler's messages) ----------- */

/* Shortest decimal that reads back to the same double ("0.1", "-70", "1e-05"). */
void nrt_format_double(double x, char *buf, int n);
/* step·dt_ms as an exact decimal multiple of dt ("16.1", not "16.100000000000001"). */
void nrt_format_time(int64_t step, double dt_ms, char *buf, int n);

#endif
