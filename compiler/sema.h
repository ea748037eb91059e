/* Semantic checking: names and dimensions (LANGUAGE.md §2–§4, §6, §8).
 *
 * Input: the parsed files of one compilation (the main file and its imports). Output: the
 * same trees with every expression's dimension and referent filled in (the "sema:" fields
 * of ast.h), literals converted to SI, and per-model / per-network tables that lowering
 * reads. Errors go to Diags; checking goes on after an error to report the independent
 * ones. Nothing here knows about integrators or code generation. */
#ifndef NRN_SEMA_H
#define NRN_SEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "units.h"

typedef enum SymKind {
    SYM_PARAM, SYM_STATE, SYM_LET, SYM_INPUT,   /* model members */
    SYM_NET_PARAM, SYM_POP, SYM_CONN,           /* network members (SYM_CONN: connect ... as NAME) */
    SYM_TIME, SYM_DT, SYM_INDEX, SYM_SIZE, SYM_PI,
    SYM_XI,                                     /* white noise xi / xi_NAME */
    SYM_WEIGHT,                                 /* `w` in a synapse or connect block */
    SYM_UNIT,                                   /* an unshadowed unit name used as a constant */
    SYM_FUNC_ARG,                               /* a user function's parameter */
    SYM_MODEL, SYM_NETWORK, SYM_FUNCTION,       /* top-level items (prog->globals) */
    SYM_TABLE                                   /* `table NAME = ...`: sema is a SemaTable* */
} SymKind;

/* How a value is shown to the user: the unit they wrote (or the SI unit of its dimension). */
typedef struct DisplayUnit {
    const char *text;
    double scale;           /* SI value of one display unit */
} DisplayUnit;

struct AstSym {
    SymKind kind;
    const char *name;
    NrnLoc loc;
    AstDecl *decl;          /* model members */
    AstNetItem *net_item;   /* network members */
    int index;              /* order among the model's members of this kind */
    Dim dim;
    DisplayUnit unit;
    double value;           /* SYM_UNIT: scale; SYM_NET_PARAM: SI value; SYM_PI */
    int visit;              /* 0 new, 1 being inferred, 2 done (recursion detection) */
    bool uses_random;       /* SYM_LET: its expression calls a random function */
    bool uses_noise;        /* SYM_LET: its expression uses white noise (xi) */
    bool poisoned;          /* its own value had an error: uses adapt, to avoid cascades */
    bool adapts;            /* a state initialised to a bare 0 while its unit is inferred */
    /* SYM_PARAM: an exponent of a quantity with a unit that this param's value goes
     * into. It fixes that quantity's unit, so the param cannot be overridden. */
    const AstExpr *unit_exponent;
    AstItem *item;          /* SYM_MODEL / SYM_NETWORK / SYM_FUNCTION */
    void *sema;             /* SYM_MODEL: SemaModel*; SYM_NETWORK: SemaNetwork* */
};

typedef struct SymTab SymTab;   /* name -> AstSym*, insertion-ordered */

typedef struct SemaModel {
    AstItem *item;
    bool is_synapse;
    SymTab *scope;
    PtrVec params, states, lets, inputs;   /* AstSym*, declaration order */
    AstDecl **ode;                         /* per state index: its ODE, or NULL */
    AstDecl *threshold, *reset, *refractory, *method;
    bool uses_noise;
} SemaModel;

typedef struct SemaPop {
    AstNetItem *item;
    const char *name;
    SemaModel *model;
    int64_t size;
    AstExpr **arg_value;    /* per model param index: Model[N](X = e), or NULL */
    AstExpr **init_value;   /* per param index then per state index (nparams + k): POP.X = e */
    AstSym *sym;
    /* spike_source[N](times = [[...], ...]) or (file = "x.csv"); model is then an empty
     * stand-in named spike_source */
    bool is_source;
    AstExpr *source_times;
    const char *source_file;
    NrnLoc source_loc;
} SemaPop;

typedef struct SemaRecord {
    AstNetItem *item;
    AstRecordKind what;
    SemaPop *pop;           /* NULL when a connection's variable is recorded */
    struct SemaConn *conn;  /* record VAR of CONN: the connection, and var_name below */
    const char *var_name;
    AstSym *var;            /* REC_VAR */
    int64_t lo, hi;         /* slice, [0, size) when absent */
    const int64_t *index;   /* POP[a:b:step] or POP[i, j, ...]: the neurons in column order
                               (a list keeps its order), else NULL and [lo, hi) is recorded */
    int64_t nindex;
    double every_s;         /* seconds; 0 = every step */
} SemaRecord;

/* A connection rule (LANGUAGE.md §6). CONN_MATRIX: a literal or file weight matrix gives
 * the connections; CONN_POISSON: connect poisson(RATE, COUNT), no stored synapses. */
typedef enum SemaRule {
    CONN_ALL, CONN_ONE_TO_ONE, CONN_PROB, CONN_INDEGREE, CONN_OUTDEGREE, CONN_MATRIX, CONN_POISSON
} SemaRule;

/* One checked connect statement: what lowering needs, with names resolved. Expressions
 * (weight, delay, event bodies, summed) stay in the AST (item->u.connect); `post.X` in
 * them names a member that every target model has, with one dimension (checked here),
 * and lowering resolves it again per target population by name. */
typedef struct SemaConn {
    AstNetItem *item;
    const char *name;       /* `as NAME`, or NULL */
    int index;              /* order among the network's connect statements */
    PtrVec sources;         /* SemaPop*, in the order listed (empty for poisson) */
    PtrVec targets;         /* SemaPop* */
    int64_t nsources, ntargets;   /* concatenated sizes */
    SemaModel *synapse;     /* `using S`, or NULL */
    AstExpr **synapse_args; /* per param index of the synapse type: using S(p = e), or NULL */
    SemaRule rule;
    double rule_p;          /* CONN_PROB: p in [0, 1] */
    int64_t rule_k;         /* CONN_INDEGREE / CONN_OUTDEGREE: k */
    bool allow_self;        /* default true */
    double poisson_rate;    /* CONN_POISSON: RATE in 1/s */
    int64_t poisson_count;  /* CONN_POISSON: COUNT >= 1 */
    AstSym *sym;            /* SYM_CONN when named, else NULL */
} SemaConn;

typedef struct SemaNetwork {
    AstItem *item;
    const char *name;
    SymTab *scope;
    PtrVec params;          /* AstSym* (SYM_NET_PARAM) */
    PtrVec pops;            /* SemaPop* */
    PtrVec records;         /* SemaRecord* */
    PtrVec conns;           /* SemaConn*, in statement order */
} SemaNetwork;

/* A table (LANGUAGE.md §3 "Tables"), its data read and checked by sema_table.c: samples
 * every `step` seconds from t = 0 (a CSV file's own times are put on the finest grid they
 * share), values in SI, sample-major (values[k * ncols + col]). */
typedef struct SemaTable {
    AstItem *item;
    int index;              /* in prog->tables: the IR's table number */
    Dim dim;
    bool ok;                /* the data were read; else uses are not checked further */
    bool per_neuron;        /* a column per neuron: used as NAME(t, i) */
    int64_t nsamples, ncols;
    double step;
    double *values;
    const char *path;       /* a file table: the resolved path, for messages */
} SemaTable;

typedef struct SemaProgram {
    Arena *arena;
    PtrVec files;           /* AstFile*, main file first */
    SymTab *globals;        /* models, networks, functions */
    PtrVec models;          /* SemaModel* */
    PtrVec networks;        /* SemaNetwork* */
    AstItem *simulate;      /* the last `simulate` statement of the main file, or NULL */
    SemaNetwork *simulate_net;
    double sim_duration_s, sim_dt_s;   /* from `simulate`; 0 when absent */
    int64_t sim_seed;
    bool sim_has_dt, sim_has_seed;
    long inlined_calls;     /* user-function bodies checked so far (bounded) */
    PtrVec tables;          /* SemaTable*, in declaration order */
} SemaProgram;

/* Checks every file of prog (files must be set). Returns false if errors were reported. */
bool sema_check(SemaProgram *prog, Diags *d);

SemaNetwork *sema_find_network(const SemaProgram *prog, const char *name);
AstSym *sema_model_member(const SemaModel *m, const char *name);
/* The nearest name in the model's scope and the builtins, for "did you mean", or NULL. */
const char *sema_suggest_member(const SemaModel *m, const char *name);

/* Constant value of an expression of literals, network params, model params (their
 * declared values), units and pi, in SI. False if it is not constant. */
bool sema_const_eval(const AstExpr *e, double *out);

const char *sema_unit_text(Arena *a, Dim d, DisplayUnit u);

/* Symbol tables */
SymTab *symtab_new(Arena *a);
AstSym *symtab_get(const SymTab *t, const char *name);
bool symtab_put(Arena *a, SymTab *t, AstSym *sym);   /* false if the name exists */
int symtab_count(const SymTab *t);
AstSym *symtab_at(const SymTab *t, int i);           /* insertion order */

#endif
