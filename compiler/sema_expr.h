/* Private interface between the parts of sema: the expression checker and its context. */
#ifndef NRN_SEMA_EXPR_H
#define NRN_SEMA_EXPR_H

#include "sema.h"

typedef enum ExprWhere {
    WHERE_PARAM,        /* a param's value (model or population override) */
    WHERE_STATE_INIT,   /* a state's initial value */
    WHERE_LET,
    WHERE_ODE,
    WHERE_THRESHOLD,
    WHERE_RESET,
    WHERE_REFRACTORY,
    WHERE_EVENT,        /* on_pre / on_post / weights / delays */
    WHERE_NETWORK,      /* network params, sizes, slices, every, simulate */
    WHERE_FUNCTION      /* a user function's body */
} ExprWhere;

/* The user functions being checked, innermost first (recursion detection). */
typedef struct SemaCallFrame {
    const AstItem *fn;
    const struct SemaCallFrame *up;
} SemaCallFrame;

typedef struct SemaCtx {
    SemaProgram *prog;
    Diags *d;
    Arena *a;
    SemaModel *model;       /* NULL outside a model */
    SemaNetwork *net;       /* NULL outside a network */
    /* In a connect: the populations (SemaPop*) behind pre. and post.; `pre.X` must be a
     * member of every source model and `post.X` of every target model, with one
     * dimension. NULL in a synapse type checked on its own (pre.X and post.X adapt). */
    const PtrVec *pre_pops, *post_pops;
    bool no_pre;            /* connect poisson(...): there is no pre-synaptic neuron */
    PtrVec *reported;       /* in a connect: missing members already reported (one message each) */
    bool lenient_names;     /* the connection's synapse type is unknown (reported): its names are too */
    PtrVec *synapse_parts_reported;   /* in a network: synapse type parts (AstDecl*) that a
                                       * connection's check reported already, once for all */
    bool in_synapse;        /* pre./post./w allowed */
    Dim weight_dim;         /* dimension of `w` in a connect block */
    bool weight_known;
    DisplayUnit weight_unit;   /* how `w` is shown: the unit its value was written in */
    NrnLoc weight_loc;         /* where it is given (for a note), when weight_given */
    bool weight_given;
    ExprWhere where;
    /* The member whose value is being checked: names declared after it (of the same
     * kind) are not yet evaluated (LANGUAGE.md §4, evaluation order). */
    const AstSym *current;
    /* While checking a function body: its arguments' dimensions. */
    AstName *fn_params;
    const Dim *fn_arg_dims;
    const bool *fn_arg_free;
    int fn_depth;
    const SemaCallFrame *fn_stack;
    int let_depth;          /* lets being inferred, one inside the other */
    bool saw_random, saw_noise; /* set when the checked expression uses them */
} SemaCtx;

void sema_expr(SemaCtx *c, AstExpr *e);
/* Checks e and that its dimension is `want` (a bare 0 adapts); `what` names the slot in
 * messages ("the initial value of 'v'"). */
void sema_expect_dim(SemaCtx *c, AstExpr *e, Dim want, const char *want_unit, const char *what);
/* The unit an expression's value is best shown in, in messages: what the user wrote,
 * composed through * / ^ sqrt (v * v in mV^2), else SI. */
const char *sema_expr_unit(SemaCtx *c, const AstExpr *e);
/* The unit a value is stored and shown in (an undeclared unit, a trace): that of the
 * literal or name it comes from, else SI. */
DisplayUnit sema_expr_display(SemaCtx *c, const AstExpr *e);
/* Resolves a unit annotation; reports unknown units. */
bool sema_unit(SemaCtx *c, const AstUnit *u, UnitInfo *out);
void sema_infer_let(SemaCtx *c, AstSym *let);
/* sema_table.c: reads and checks every table's data; checks a call NAME(t[, i]) of a
 * table (false if NAME is not one). */
void sema_check_tables(SemaProgram *prog, Diags *d);
bool sema_table_call(SemaCtx *c, AstExpr *e);
/* Every NAME(t, i) in p's model has a column for each of p's neurons. */
void sema_table_check_pop(SemaProgram *prog, Diags *d, const SemaPop *p);
/* For `pre.X` / `post.X` in a connect: a member X of that side's models whose kind is not
 * `kind` (with its population in *pop), or NULL if all are (or X is unresolved). In a
 * synapse type checked on its own: field->sym when its kind differs, *pop NULL. */
AstSym *sema_field_not_kind(const SemaCtx *c, const AstExpr *field, SymKind kind, const SemaPop **pop);
const char *sema_kind_word(SymKind k);   /* "param", "state", ... */
void sema_check_event_body(SemaCtx *c, SemaModel *m, AstStmt *body, ExprWhere where);
const char *sema_builtin_name_check(const char *name);   /* non-NULL if name is built in */

#endif
