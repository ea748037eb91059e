/* The compiler's own intermediate representation: per population, the update that one
 * time step performs (LANGUAGE.md §4, §7), with every name resolved to a slot, lets
 * substituted, user functions inlined, constants folded, values in SI.
 *
 * Lowering (lower.c) builds it from the checked AST for one network and one set of run
 * options; the solver (solve.c) analyses it (linearity, the integrator choice) and adds
 * the integrator's data; codegen (cg.c) turns it into LLVM IR; ir_dump prints it. */
#ifndef NRN_IR_H
#define NRN_IR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "ast.h"
#include "builtins.h"
#include "sema.h"

typedef enum IrOp {
    IR_CONST,       /* value */
    IR_STATE,       /* index: state of this neuron (side: of pre, post, the synapse) */
    IR_PARAM,       /* index: param of this neuron (uniform or per-neuron, see IrParam) */
    IR_INPUT,       /* index: an input of this neuron (or of pre, post) */
    IR_TIME,        /* the current time (stage time in ODEs) */
    IR_DT,
    IR_INDEX,       /* the neuron's index i (side pre, post: pre.i, post.i) */
    IR_WEIGHT,      /* connection code: the synapse's weight w */
    IR_NEG, IR_NOT,
    IR_ADD, IR_SUB, IR_MUL, IR_DIV, IR_MOD, IR_POW,
    IR_LT, IR_GT, IR_LE, IR_GE, IR_EQ, IR_NE, IR_AND, IR_OR,
    IR_SELECT,      /* a ? b : c */
    IR_CALL,        /* fn(a[, b]) */
    IR_RAND, IR_RANDN,  /* index: the call site, its own random stream (IR_RAND_INIT_SITES) */
    IR_NOISE,       /* index: white-noise process of this neuron */
    IR_AUX          /* index: an auxiliary value the solver stores (propagator entries) */
} IrOp;


/* Whose variable a leaf or an assignment names. Neuron code only has SIDE_SELF;
 * connection code (IrConn) reads and writes the pre- and post-synaptic neurons and the
 * synapse itself. */
typedef enum IrSide { SIDE_SELF, SIDE_PRE, SIDE_POST, SIDE_SYN } IrSide;

/* Random call sites are numbered per population (or connection block) in the order
 * lowering meets them: those of step code (threshold, reset, refractory, recorded lets)
 * from 0, those of initial values from IR_RAND_INIT_SITES, so that populations whose
 * step code is the same get the same numbers whatever their initial values draw. */
enum { IR_RAND_INIT_SITES = 1 << 20 };

typedef struct IrExpr IrExpr;
struct IrExpr {
    IrOp op;
    IrSide side;
    IrFn fn;
    int index;
    double value;
    IrExpr *a, *b, *c;
};

typedef struct IrStmt IrStmt;
struct IrStmt {
    bool is_if;
    IrOp target;            /* IR_STATE, or IR_WEIGHT / IR_INPUT in connection code */
    IrSide side;
    int state;              /* assignment target's index */
    AstAssignOp op;
    IrExpr *value;          /* assignment value, or the if's condition */
    IrStmt *then, *els;     /* if branches */
    IrStmt *next;
};

typedef struct IrParam {
    const char *name;
    IrExpr *value;          /* evaluated once per neuron at set-up, in declaration order */
    bool per_neuron;        /* false: one value for the whole population */
    int slot;               /* scalar slot (uniform) or array slot (per neuron) */
    const char *origin;     /* "declaration", "population", "--set" */
    DisplayUnit unit;
    bool fixed;             /* the exponent of a quantity with a unit: not overridable */
    bool nonneg;            /* the refractory period grows with it: not negative */
} IrParam;

typedef struct IrState {
    const char *name;
    IrExpr *init;
    IrExpr *deriv;          /* dX/dt, or NULL: constant between events */
    bool held;              /* listed in refractory ... hold */
    int slot;               /* array slot (states are arrays 0..nstates-1) */
    DisplayUnit unit;
} IrState;


/* The Jacobian of the ODE system, for `implicit`: J[r*n + c] = d f_r / d x_c over the n
 * states that have an ODE. */
typedef struct IrJacobian {
    int n;
    int *states;
    IrExpr **J;
} IrJacobian;


/* Exact integration of an affine system x' = A x + b over the states with ODEs:
 * x(t+dt) = P x + Q b, P and Q computed at set-up from A (LANGUAGE.md §4, `exact`). */
typedef struct IrExact {
    int n;
    int *states;            /* n state indices */
    IrExpr **A;             /* n×n, row-major: dx_j/dt's coefficient of x_k */
    IrExpr **b;             /* n: the inhomogeneous part (params, inputs) */
    bool per_neuron;        /* A differs between neurons: P, Q are stored per neuron */
    int P_slot, Q_slot;     /* first of n*n consecutive scalar (or array) slots each */
    /* While refractory, held states do not move, which changes the system: rows of held
     * states zeroed, a second propagator, chosen per neuron. */
    bool has_held;
    int Ph_slot, Qh_slot;
} IrExact;

/* Exponential Euler for equations affine in their own variable: dx/dt = a + b x. */
typedef struct IrExpEuler {
    IrExpr **a, **b;        /* per state index (NULL for states without an ODE) */
} IrExpEuler;

/* A derived value (let, input) that a trace records: computed into an array slot before
 * the trace samples. */
typedef struct IrObserved {
    const char *name;
    IrExpr *value;
    int slot;
} IrObserved;

/* Milstein's correction for state j and noise s: 1/2 g·dg (dW_s^2 - dt), where g·dg is
 * the derivative of j's noise coefficient along the noise direction (solve.c). */
typedef struct IrMilsteinTerm {
    int state, noise;
    IrExpr *g, *dg;
} IrMilsteinTerm;

typedef struct IrPop {
    const char *name;
    const char *model;
    int64_t size;
    int nparams, nstates;
    IrParam *params;
    IrState *states;
    IrMethod method;
    const char *method_reason;
    const char *method_requested;   /* the model's `method NAME`, or NULL */
    NrnLoc method_loc;
    IrExact *exact;
    IrExpEuler *expeuler;
    IrJacobian *jacobian;   /* implicit */
    double rtol, atol;      /* rk45: error per step <= atol * unit + rtol * |x| */
    int nnoise;             /* white-noise streams per neuron (IR_NOISE indices) */
    int nrand, nrand_init;  /* random call sites in step code, in initial values */
    int nmilstein;
    IrMilsteinTerm *milstein;
    IrExpr *threshold;      /* NULL: never spikes */
    bool upward_crossing;   /* spike only when the condition becomes true */
    IrStmt *reset;
    IrExpr *refractory;     /* NULL: none */
    int narrays, nscalars;  /* storage (nrt_pop) */
    bool record_spikes;
    /* spike_source: spikes the runtime emits (sorted by step, then neuron), or a file */
    bool is_source;
    int64_t nsource;
    int64_t *source_steps;
    int32_t *source_neurons;
    const char *source_file;
    int nobserved;
    IrObserved *observed;
    int ninputs;            /* `input` declarations: one array slot each */
    const char **input_names;
    DisplayUnit *input_units;
    int *input_slots;
    bool *input_summed;     /* written by a summed term (zeroed every step) */
    NrnLoc loc;
} IrPop;

typedef struct IrTrace {
    int pop;
    const char *var;        /* names the file: the variable, with _2, _3 ... when recorded again */
    const char *base;       /* the variable */
    int slot;
    bool scalar;
    int64_t lo, hi, every;
    const int64_t *index;   /* the recorded neurons in column order, or NULL: [lo, hi) */
    int64_t nindex;
    DisplayUnit unit;
} IrTrace;

typedef struct IrRate {
    int pop;
    int64_t every;          /* steps */
} IrRate;

/* A synapse type's state (other than w, which is the weight). An (event) state decays as
 * dX/dt = decay·X, applied lazily from the synapse's last event (LANGUAGE.md §5). */
typedef struct IrSynState {
    const char *name;
    IrExpr *init;
    IrExpr *decay;          /* constant (1/s), or NULL: constant between events */
    int slot;
    DisplayUnit unit;
} IrSynState;

typedef struct IrSummed {
    int input;              /* the post-synaptic population's input index */
    IrExpr *value;
} IrSummed;

/* One (connect statement, source population, target population): the lowered rule,
 * weight, delay, synapse states, event code and summed terms. Names in expressions are
 * resolved for this pair: post.X is the target population's X. Synapse params are
 * constants (folded). */
typedef struct IrConn {
    const char *label;      /* `as NAME`, else "connect<k>" */
    const char *named;      /* `as NAME`, or NULL */
    int stmt;               /* connect statement index */
    int pre, post;          /* population indices; pre = -1 for poisson */
    int64_t pre_offset, post_offset, pre_total, post_total;
    int64_t self_offset;    /* fixed_indegree: the target population's offset among the sources;
                               fixed_outdegree: the source's among the targets; or -1 */
    SemaRule rule;
    double p;
    int64_t k;
    bool allow_self;
    double poisson_lambda;  /* COUNT·RATE·dt */
    IrExpr *weight;         /* the weight of each synapse (NULL for a matrix) */
    bool weight_per_syn;    /* else stored once (scalar slot) */
    int weight_slot;
    DisplayUnit weight_unit;
    double *matrix;         /* literal matrix, pre_total x post_total, SI; NULL otherwise */
    const char *matrix_file;
    double matrix_scale;
    bool dense;             /* stored dense: summed only, linear in w */
    IrExpr *delay;          /* per synapse, when hetero_delay */
    bool hetero_delay;
    int64_t delay_steps;
    const char *synapse;    /* synapse type, or NULL */
    int nsyn_states;
    IrSynState *syn_states;
    IrStmt *on_pre, *on_post;
    bool pre_additive;      /* on_pre is only post.X += e, e reading no state: k runs are += k·e */
    int nsummed;
    IrSummed *summed;
    int narrays, nscalars;
    int nrand;              /* random call sites (weights, delays, states, events) */
    int last_slot;          /* array slot of the last event time, or -1 */
    NrnLoc loc;
} IrConn;

typedef struct IrSynTrace {
    int first, count;       /* IrModule.conns[first .. first+count-1] */
    const char *var;        /* "w" or a synapse state */
    const char *file;       /* weights_CONN_VAR */
    int64_t every;
} IrSynTrace;

/* A table (LANGUAGE.md §3): samples every `step` seconds from t = 0, stored once in the
 * module as constant data (inline and file tables alike: the file is read at compile
 * time), values in SI, sample-major: values[k * ncols + col]. */
typedef struct IrTable {
    const char *name;
    int64_t nsamples, ncols;
    double step;
    const double *values;
} IrTable;

typedef struct IrModule {
    const char *model_path;
    const char *network;
    double dt;              /* seconds */
    int64_t nsteps;
    uint64_t seed;
    int npops, ntraces, nrates;
    IrPop *pops;
    IrTrace *traces;
    IrRate *rates;
    int nconns, nsyn_traces;
    IrConn *conns;
    IrSynTrace *syn_traces;
    int ntables;
    IrTable *tables;
} IrModule;

/* Expression constructors fold constants and trivial identities (x*1, x+0, ...). */
IrExpr *ir_const(Arena *a, double v);
IrExpr *ir_leaf(Arena *a, IrOp op, int index);
IrExpr *ir_ref(Arena *a, IrOp op, IrSide side, int index);
IrExpr *ir_unary(Arena *a, IrOp op, IrExpr *x);
IrExpr *ir_binary(Arena *a, IrOp op, IrExpr *x, IrExpr *y);
IrExpr *ir_select(Arena *a, IrExpr *c, IrExpr *x, IrExpr *y);
IrExpr *ir_call(Arena *a, IrFn fn, IrExpr *x, IrExpr *y);
/* table(t[, col]): IR_CALL of FN_TABLE with index = the table (IrModule.tables) */
IrExpr *ir_table(Arena *a, int table, IrExpr *t, IrExpr *col);
/* A call rebuilt with new arguments: e's function (and table) */
IrExpr *ir_call_like(Arena *a, const IrExpr *e, IrExpr *x, IrExpr *y);

bool ir_is_const(const IrExpr *e, double v);
/* A uniform param whose value is a constant: data in the run description, which init
 * copies (cg_pop.c), rather than code. */
bool ir_param_is_constant(const IrParam *q);
/* A state whose initial value is a constant: data too. */
bool ir_state_is_constant(const IrState *s);
/* Whether e reads any node with this op (any index when index < 0). */
bool ir_uses(const IrExpr *e, IrOp op, int index);
/* Whether e depends on a per-neuron param of pop. */
bool ir_uses_per_neuron_param(const IrPop *pop, const IrExpr *e);
/* e with every IR_STATE replaced by zero (the inhomogeneous part of an affine e). */
IrExpr *ir_zero_states(Arena *a, const IrExpr *e);
/* d e / d state[k], or NULL where e is not differentiable in closed form (floor, a
 * comparison or a select on a state, ...). */
IrExpr *ir_diff(Arena *a, const IrExpr *e, int k);
/* d e / d (the leaf `var` with index k), e.g. the coefficient of a noise term. */
IrExpr *ir_diff_by(Arena *a, const IrExpr *e, IrOp var, int k);

/* The number of nodes of e written out as a tree (lets and functions shared in the DAG
 * count at each use), at most cap + 1. */
long ir_expanded_size(const IrExpr *e, long cap);

/* Whether e reads a leaf `op` of this side (any index). */
bool ir_uses_side(const IrExpr *e, IrOp op, IrSide side);
/* e with every leaf (op, side) replaced by `by`. */
IrExpr *ir_replace(Arena *a, const IrExpr *e, IrOp op, IrSide side, IrExpr *by);

/* ir_share.c: which populations and connection blocks share generated code.
 * Per population, the first earlier population with the same integrate, fire and
 * observe code (params and initial values may differ), or -1. */
int *ir_shared_step_code(Arena *a, const IrModule *m);
/* The same for init, whose code differs by initial values but not by the values of
 * constant uniform params (cg_pop.c passes those in a table). */
int *ir_shared_init_code(Arena *a, const IrModule *m);
/* Per connection block, the first earlier one with the same event code (init: the same
 * conn_init), or -1; same_step from ir_shared_step_code. */
int *ir_shared_conn_code(Arena *a, const IrModule *m, const int *same_step, bool init);

void ir_dump(FILE *out, const IrModule *m);
void ir_dump_expr(FILE *out, const IrPop *pop, const IrExpr *e);

#endif
