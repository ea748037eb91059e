/* Private interface between the parts of lowering: lower.c (populations, records, the
 * module) and lower_conn.c (connections). */
#ifndef NRN_LOWER_INTERNAL_H
#define NRN_LOWER_INTERNAL_H

#include "lower.h"

struct ConnLower;

typedef struct LowerCtx {
    Arena *a;
    Diags *d;
    const SemaProgram *prog;
    const SemaPop *pop;
    const SemaModel *model;
    IrExpr **let_cache;
    IrExpr **fn_args;
    IrPop *ip;              /* noise streams are numbered per population */
    PtrVec noise_names;     /* xi_NAME of each stream, NULL for a plain xi */
    struct ConnLower *conn; /* lowering a connection's code, else NULL */
    int *rand_sites;        /* random call sites met so far (IrPop or IrConn nrand) */
    int rand_base;          /* the first site's number (IR_RAND_INIT_SITES in initial values) */
    bool replicated;        /* nrnc fit's population: `i` is i mod N */
    bool failed;
} LowerCtx;

IrExpr *lower_expr(LowerCtx *c, const AstExpr *e);
IrStmt *lower_stmts(LowerCtx *c, const AstStmt *s);
void lower_unsupported(LowerCtx *c, NrnLoc loc, const char *what);
const char *lower_resolve_path(Arena *a, Diags *d, NrnLoc loc, const char *path);

/* lower_conn.c: names and fields inside connection code, assignment targets there, and
 * every connection of the network. */
IrExpr *lower_conn_name(LowerCtx *c, const AstExpr *e);
IrExpr *lower_conn_field(LowerCtx *c, const AstExpr *e);
bool lower_conn_target(LowerCtx *c, const AstExpr *target, IrStmt *out);
bool lower_conns(Arena *a, Diags *d, const SemaProgram *prog, const SemaNetwork *n, IrModule *m, double dt);
bool lower_conn_records(Arena *a, Diags *d, const SemaNetwork *n, IrModule *m, double dt);

#endif
