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
    SemaModel *pre, *post;  /* connect / synapse context: models behind pre. and post. */
    bool in_synapse;        /* pre./post./w allowed */
    Dim weight_dim;         /* dimension of `w` in a connect block */
    bool weight_known;
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
/* The unit an expression's value is best shown in (what the user wrote, else SI). */
const char *sema_expr_unit(SemaCtx *c, const AstExpr *e);
DisplayUnit sema_expr_display(SemaCtx *c, const AstExpr *e);
/* Resolves a unit annotation; reports unknown units. */
bool sema_unit(SemaCtx *c, const AstUnit *u, UnitInfo *out);
void sema_infer_let(SemaCtx *c, AstSym *let);
const char *sema_builtin_name_check(const char *name);   /* non-NULL if name is built in */

#endif
