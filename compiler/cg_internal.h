/* Private interface of the code generator (cg_*.c). */
#ifndef NRN_CG_INTERNAL_H
#define NRN_CG_INTERNAL_H

#include "arena.h"
#include "cg.h"

enum { POP_N, POP_ARRAYS, POP_SCALARS, POP_REFRACTORY, POP_COND_PREV, POP_SPIKED, POP_NSPIKED, POP_RNG,
       POP_FLAGS, POP_OVERRIDES, POP_NFIELDS };   /* ORDER NRT_POP */
enum { CONN_NPRE, CONN_NPOST, CONN_NSYN, CONN_ROW, CONN_POST, CONN_ARRAYS, CONN_SCALARS, CONN_DELAY, CONN_COL,
       CONN_COL_SYN, CONN_COL_PRE, CONN_COUNTS, CONN_DENSE, CONN_RNG, CONN_PRE_OFFSET, CONN_POST_OFFSET,
       CONN_NFIELDS };   /* ORDER NRT_CONN */

/* A set of LLVM values (open addressing, in an arena). */
typedef struct ValueSet {
    Arena *arena;
    LLVMValueRef *slot;
    size_t n, cap;
} ValueSet;

typedef struct Cg {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef f64, i64, i32, i8, i1, ptr, pop_ty, conn_ty;
    const IrModule *m;
    ValueSet invariant;        /* computed from constants and uniform params only */
    unsigned math_calls;       /* calls to exp, log, sin... emitted so far */
    unsigned math_width;       /* the widest libmvec variant of those on the target (4
                                  with AVX2), or 0: leave the vectoriser's choice */
} Cg;

/* Where an expression finds its operands while being emitted. */
typedef struct Env {
    const IrPop *pop;
    LLVMValueRef i;            /* i64 neuron index, or NULL outside a loop */
    LLVMValueRef t, dt;
    LLVMValueRef pop_ptr;
    LLVMValueRef *arrays;      /* base pointer per array slot */
    LLVMValueRef scalars;
    LLVMValueRef *states;      /* current value per state, or NULL: load from its array */
    LLVMValueRef *noise;       /* per noise stream: this neuron's N(0,1) deviate this step */
    LLVMValueRef sqrt_dt;      /* sqrt(dt), where noise is used */
    /* connection code (cg_conn.c): the synapse and the neurons on either side */
    const IrConn *conn;
    struct Env *pre, *post;    /* their i: the pre- and post-synaptic index (local) */
    LLVMValueRef conn_ptr;
    LLVMValueRef syn;          /* i64 synapse id */
    LLVMValueRef *syn_arrays;  /* base pointer per synapse array slot */
    LLVMValueRef syn_scalars;
    const IrExpr *weight_expr; /* poisson drive: w is this expression, not stored */
    /* random draws (cg_random.c): the step, or NULL at set-up (step 0); the number of
     * earlier runs of the same code for this index in this step, or NULL (0) */
    LLVMValueRef step, draw;
} Env;


void cg_fast(LLVMValueRef v);
LLVMValueRef cg_fbin(Cg *g, LLVMOpcode op, LLVMValueRef x, LLVMValueRef y, const char *name);
LLVMValueRef cg_fconst(Cg *g, double v);
LLVMValueRef cg_intrinsic(Cg *g, const char *name, LLVMValueRef *args, unsigned nargs);
LLVMValueRef cg_extern_fn(Cg *g, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n,
                       LLVMTypeRef *fty_out);
LLVMValueRef cg_load_at(Cg *g, LLVMValueRef base, LLVMValueRef i, const char *name);
LLVMValueRef cg_scalar_at(Cg *g, LLVMValueRef scalars, int slot, const char *name);
void cg_store_at(Cg *g, LLVMValueRef base, LLVMValueRef i, LLVMValueRef v);
LLVMValueRef cg_emit(Cg *g, Env *env, const IrExpr *e);
LLVMValueRef cg_emit_bool(Cg *g, Env *env, const IrExpr *e);
/* The statements of a reset or of event code. times: every assigned value is multiplied
 * by it first (additive event code run k times at once), or NULL. assigned: marks each
 * state of env->pop written (SIDE_SELF), or NULL. */
void cg_emit_stmts(Cg *g, Env *env, LLVMValueRef fn, const IrStmt *s, LLVMValueRef times, bool *assigned);
LLVMValueRef cg_pop_field(Cg *g, LLVMValueRef pop, int field, LLVMTypeRef ty, const char *name);
LLVMValueRef cg_array_base(Cg *g, LLVMValueRef arrays, int slot, const char *name);
const char *cg_array_name(Arena *scratch, const IrPop *p, int slot);

typedef struct Loop {
    LLVMBasicBlockRef head, body, exit;
    LLVMValueRef i;
    unsigned math_calls;       /* g->math_calls when the loop began */
} Loop;

/* for (i = 0; i < n; i++): leaves the builder in the body; finish with loop_end. */
Loop cg_loop_begin(Cg *g, LLVMValueRef fn, LLVMValueRef n, const char *name);
/* for (i = lo; i < hi; i++); finish with cg_loop_end(g, l, hi). */
Loop cg_loop_from(Cg *g, LLVMValueRef fn, LLVMValueRef lo, LLVMValueRef hi, const char *name);
void cg_loop_end(Cg *g, Loop *l, LLVMValueRef n);
/* i1: x is NaN or infinite */
LLVMValueRef cg_nonfinite(Cg *g, LLVMValueRef x);

/* cg_method.c: loop-invariant values the method needs (read before the loop), then the
 * next value of every state with an ODE (indexed by state; the method sees env->states
 * as the values at the start of the step; held: i1 "refractory", or NULL). */
LLVMValueRef *cg_method_prepare(Cg *g, Arena *scratch, Env *env);
/* reach[r*n + c]: x_c can influence x_r over a step (else P and Q are 0 there). */
bool *cg_exact_reach(Arena *scratch, const IrExact *x);
LLVMValueRef *cg_method_step(Cg *g, Arena *scratch, Env *env, LLVMValueRef *invariant, LLVMValueRef held);

/* An alloca at the top of the current function's entry block (outside every loop). */
LLVMValueRef cg_entry_alloca(Cg *g, LLVMTypeRef ty, const char *name);
/* cg_rk45.c: adaptive Dormand-Prince inside the step; may add basic blocks. */
LLVMValueRef *cg_step_rk45(Cg *g, Arena *scratch, Env *env, LLVMValueRef held);
/* cg_method.c, shared with cg_rk45.c: f(x, t) for every state with an ODE, held ones 0. */
LLVMValueRef *cg_derivs(Cg *g, Arena *scratch, Env *env, LLVMValueRef *x, LLVMValueRef t, LLVMValueRef held);

/* cg_method.c: expm1 in straight-line code that vectorises (exp and a polynomial) */
LLVMValueRef cg_expm1(Cg *g, LLVMValueRef x);

/* cg_random.c: splitmix64's finaliser on an i64 (runtime/rng.c); the draw of random
 * call site e (IR_RAND inline, IR_RANDN a call to the runtime's ziggurat) for env's neuron
 * or synapse (ORDER NRT_RANDOM). */
LLVMValueRef cg_splitmix(Cg *g, LLVMValueRef x);
LLVMValueRef cg_random(Cg *g, Env *env, const IrExpr *e);
/* A standard normal by Box-Muller from the 64-bit word x (and splitmix of it). */
LLVMValueRef cg_box_muller(Cg *g, LLVMValueRef x);

/* cg_pop.c */
/* same: an earlier population with the same step code (ir_shared_step_code), whose
 * integrate, fire and observe this one aliases; same_init: one with the same init code
 * (ir_shared_init_code), whose init this one aliases; or -1 */
void cg_pop_functions(Cg *g, int index, const IrPop *p, int same, int same_init);
/* cg_conn.c */
/* same, same_init: an earlier block with the same event code, or init code
 * (ir_shared_conn_code), whose functions this one aliases; or -1. pieces: emit
 * conn_pre_piece too (cg_wants_pieces). */
void cg_conn_functions(Cg *g, int index, const IrConn *c, int same, int same_init, bool pieces);
LLVMValueRef cg_conn_field(Cg *g, LLVMValueRef conn, int field, LLVMTypeRef ty, const char *name);

#endif
