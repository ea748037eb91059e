/* LLVM IR generation: expressions and the helpers every generated function uses.
 *
 * Every value is a double; conditions are i1 where they are used as conditions and 0/1
 * doubles where they are used as numbers (LANGUAGE.md §3). Floating-point instructions
 * carry the fast-math flags that allow reassociation, reciprocals and contraction but
 * NOT no-NaN/no-Inf, because the run must detect NaN and infinite states (§7). */
#include "cg_internal.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"



void cg_fast(LLVMValueRef v)
{
    if (LLVMIsAInstruction(v) && LLVMCanValueUseFastMathFlags(v))
        LLVMSetFastMathFlags(v, LLVMFastMathAllowReassoc | LLVMFastMathNoSignedZeros |
                                    LLVMFastMathAllowReciprocal | LLVMFastMathAllowContract |
                                    LLVMFastMathApproxFunc);
}

/* Values computed from constants and uniform params only (g->invariant) are combined
 * without fast-math flags: such a value is the same for every neuron and step, LICM
 * computes it once, and exactly as written. LLVM's Reassociate pass, whose time grows
 * faster than the size of a reassociable tree, then leaves alone a model's sum of
 * thousands of params. */
static size_t value_hash(LLVMValueRef v, size_t cap)
{
    return (size_t)(((unsigned long long)(uintptr_t)v >> 4) * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
}

static bool is_invariant(const Cg *g, LLVMValueRef v)
{
    if (LLVMIsAConstant(v))
        return true;
    const ValueSet *set = &g->invariant;
    if (!set->cap)
        return false;
    for (size_t i = value_hash(v, set->cap); set->slot[i]; i = (i + 1) & (set->cap - 1))
        if (set->slot[i] == v)
            return true;
    return false;
}

static void mark_invariant(Cg *g, LLVMValueRef v)
{
    ValueSet *set = &g->invariant;
    if (LLVMIsAConstant(v) || !set->arena)
        return;
    if (2 * (set->n + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 256;
        LLVMValueRef *slot = ARENA_ARRAY(set->arena, LLVMValueRef, cap);
        for (size_t k = 0; k < set->cap; k++) {
            if (!set->slot[k])
                continue;
            size_t i = value_hash(set->slot[k], cap);
            while (slot[i])
                i = (i + 1) & (cap - 1);
            slot[i] = set->slot[k];
        }
        set->slot = slot;
        set->cap = cap;
    }
    size_t i = value_hash(v, set->cap);
    while (set->slot[i] && set->slot[i] != v)
        i = (i + 1) & (set->cap - 1);
    if (!set->slot[i])
        set->n++;
    set->slot[i] = v;
}

LLVMValueRef cg_fbin(Cg *g, LLVMOpcode op, LLVMValueRef x, LLVMValueRef y, const char *name)
{
    LLVMValueRef v = LLVMBuildBinOp(g->b, op, x, y, name);
    if (is_invariant(g, x) && is_invariant(g, y))
        mark_invariant(g, v);
    else
        cg_fast(v);
    return v;
}

LLVMValueRef cg_fconst(Cg *g, double v) { return LLVMConstReal(g->f64, v); }

/* The intrinsics that become library calls, libmvec's when vectorised (tan, tanh...,
 * called by name, have no vector mapping in LLVM 19). */
static bool is_math_call(const char *intrinsic)
{
    static const char *const calls[] = {"llvm.exp", "llvm.exp2", "llvm.log", "llvm.log2", "llvm.log10",
                                        "llvm.pow", "llvm.sin", "llvm.cos"};
    for (size_t k = 0; k < sizeof calls / sizeof *calls; k++)
        if (strcmp(intrinsic, calls[k]) == 0)
            return true;
    return false;
}

LLVMValueRef cg_intrinsic(Cg *g, const char *name, LLVMValueRef *args, unsigned nargs)
{
    if (is_math_call(name))
        g->math_calls++;
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef over[1] = {g->f64};
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->mod, id, over, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(g->ctx, id, over, 1);
    LLVMValueRef v = LLVMBuildCall2(g->b, fty, fn, args, nargs, "");
    cg_fast(v);
    return v;
}

LLVMValueRef cg_extern_fn(Cg *g, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n,
                              LLVMTypeRef *fty_out)
{
    LLVMTypeRef fty = LLVMFunctionType(ret, params, n, 0);
    LLVMValueRef fn = LLVMGetNamedFunction(g->mod, name);
    if (!fn)
        fn = LLVMAddFunction(g->mod, name, fty);
    *fty_out = fty;
    return fn;
}

static LLVMValueRef libm1(Cg *g, const char *name, LLVMValueRef x)
{
    LLVMTypeRef fty;
    LLVMValueRef fn = cg_extern_fn(g, name, g->f64, &g->f64, 1, &fty);
    LLVMValueRef v = LLVMBuildCall2(g->b, fty, fn, &x, 1, "");
    cg_fast(v);
    return v;
}

LLVMValueRef cg_load_at(Cg *g, LLVMValueRef base, LLVMValueRef i, const char *name)
{
    LLVMValueRef p = LLVMBuildGEP2(g->b, g->f64, base, &i, 1, "");
    return LLVMBuildLoad2(g->b, g->f64, p, name);
}

LLVMValueRef cg_scalar_at(Cg *g, LLVMValueRef scalars, int slot, const char *name)
{
    LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)slot, 0);
    return cg_load_at(g, scalars, idx, name);
}

void cg_store_at(Cg *g, LLVMValueRef base, LLVMValueRef i, LLVMValueRef v)
{
    LLVMValueRef p = LLVMBuildGEP2(g->b, g->f64, base, &i, 1, "");
    LLVMBuildStore(g->b, v, p);
}

/* ---- expressions ------------------------------------------------------------------- */

static LLVMValueRef to_bool(Cg *g, LLVMValueRef x)
{
    return LLVMBuildFCmp(g->b, LLVMRealUNE, x, cg_fconst(g, 0), "");
}

static LLVMValueRef from_bool(Cg *g, LLVMValueRef c) { return LLVMBuildUIToFP(g->b, c, g->f64, ""); }

LLVMValueRef cg_emit_bool(Cg *g, Env *env, const IrExpr *e)
{
    static const LLVMRealPredicate preds[] = {
        [IR_LT] = LLVMRealOLT, [IR_GT] = LLVMRealOGT, [IR_LE] = LLVMRealOLE,
        [IR_GE] = LLVMRealOGE, [IR_EQ] = LLVMRealOEQ, [IR_NE] = LLVMRealUNE,
    };
    switch (e->op) {
    case IR_LT: case IR_GT: case IR_LE: case IR_GE: case IR_EQ: case IR_NE:
        return LLVMBuildFCmp(g->b, preds[e->op], cg_emit(g, env, e->a), cg_emit(g, env, e->b), "");
    case IR_AND:
        return LLVMBuildAnd(g->b, cg_emit_bool(g, env, e->a), cg_emit_bool(g, env, e->b), "");
    case IR_OR:
        return LLVMBuildOr(g->b, cg_emit_bool(g, env, e->a), cg_emit_bool(g, env, e->b), "");
    case IR_NOT:
        return LLVMBuildNot(g->b, cg_emit_bool(g, env, e->a), "");
    default:
        return to_bool(g, cg_emit(g, env, e));
    }
}

static LLVMValueRef emit_pow(Cg *g, Env *env, const IrExpr *e)
{
    LLVMValueRef x = cg_emit(g, env, e->a);
    if (e->b->op == IR_CONST) {
        double k = e->b->value;
        if (k == 2)
            return cg_fbin(g, LLVMFMul, x, x, "");
        if (k == 3)
            return cg_fbin(g, LLVMFMul, cg_fbin(g, LLVMFMul, x, x, ""), x, "");
        if (k == 0.5)
            return cg_intrinsic(g, "llvm.sqrt", &x, 1);
        if (k == -1)
            return cg_fbin(g, LLVMFDiv, cg_fconst(g, 1), x, "");
    }
    LLVMValueRef args[2] = {x, cg_emit(g, env, e->b)};
    return cg_intrinsic(g, "llvm.pow", args, 2);
}

/* The samples of table k: a constant array in the module, made at its first use. Large
 * tables go in as raw bytes (one constant data array, not a constant per sample), which
 * the JIT and an object file for this host both read as doubles. */
static LLVMValueRef table_global(Cg *g, int k)
{
    char name[48];
    snprintf(name, sizeof name, "nrn.table.%d", k);
    LLVMValueRef gv = LLVMGetNamedGlobal(g->mod, name);
    if (gv)
        return gv;
    const IrTable *tb = &g->m->tables[k];
    size_t n = (size_t)(tb->nsamples * tb->ncols);
    LLVMValueRef init;
    if (n <= 64) {
        LLVMValueRef vals[64];
        for (size_t j = 0; j < n; j++)
            vals[j] = cg_fconst(g, tb->values[j]);
        init = LLVMConstArray2(g->f64, vals, n);
    } else {
        init = LLVMConstStringInContext2(g->ctx, (const char *)tb->values, n * sizeof(double), true);
    }
    gv = LLVMAddGlobal(g->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, true);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(gv, 64);
    return gv;
}

/* floor(x) clamped to [0, n-1] as an i64 (NaN gives 0): an index that cannot leave the
 * array whatever the argument. */
static LLVMValueRef clamp_index(Cg *g, LLVMValueRef x, int64_t n)
{
    LLVMValueRef f = cg_intrinsic(g, "llvm.floor", &x, 1);
    LLVMValueRef lo[2] = {f, cg_fconst(g, 0)};
    f = cg_intrinsic(g, "llvm.maxnum", lo, 2);
    LLVMValueRef hi[2] = {f, cg_fconst(g, (double)(n - 1))};
    f = cg_intrinsic(g, "llvm.minnum", hi, 2);
    return LLVMBuildFPToSI(g->b, f, g->i64, "");
}

/* NAME(t[, col]): the sample at floor(t / step + 1e-9), so that a time that is a whole
 * number of samples by step * dt arithmetic takes that sample (LANGUAGE.md §3: the last
 * sample at or before t); clamped at both ends. One load from a constant array. */
static LLVMValueRef emit_table(Cg *g, Env *env, const IrExpr *e, LLVMValueRef t)
{
    const IrTable *tb = &g->m->tables[e->index];
    LLVMValueRef pos = cg_fbin(g, LLVMFAdd, cg_fbin(g, LLVMFMul, t, cg_fconst(g, 1.0 / tb->step), ""),
                               cg_fconst(g, 1e-9), "");
    LLVMValueRef at = clamp_index(g, pos, tb->nsamples);
    if (e->b) {
        LLVMValueRef col = clamp_index(g, cg_emit(g, env, e->b), tb->ncols);
        at = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, at, LLVMConstInt(g->i64, (unsigned long long)tb->ncols, 0), ""),
                          col, "");
    }
    return cg_load_at(g, table_global(g, e->index), at, tb->name);
}

static LLVMValueRef emit_call(Cg *g, Env *env, const IrExpr *e)
{
    LLVMValueRef x = cg_emit(g, env, e->a);
    switch (e->fn) {
    case FN_EXP: return cg_intrinsic(g, "llvm.exp", &x, 1);
    case FN_LOG: return cg_intrinsic(g, "llvm.log", &x, 1);
    case FN_LOG10: return cg_intrinsic(g, "llvm.log10", &x, 1);
    case FN_SQRT: return cg_intrinsic(g, "llvm.sqrt", &x, 1);
    case FN_ABS: return cg_intrinsic(g, "llvm.fabs", &x, 1);
    case FN_SIN: return cg_intrinsic(g, "llvm.sin", &x, 1);
    case FN_COS: return cg_intrinsic(g, "llvm.cos", &x, 1);
    case FN_FLOOR: return cg_intrinsic(g, "llvm.floor", &x, 1);
    case FN_CEIL: return cg_intrinsic(g, "llvm.ceil", &x, 1);
    case FN_TAN: return libm1(g, "tan", x);
    case FN_TANH: return libm1(g, "tanh", x);
    case FN_SINH: return libm1(g, "sinh", x);
    case FN_COSH: return libm1(g, "cosh", x);
    case FN_ATAN: return libm1(g, "atan", x);
    case FN_SIGN: {
        LLVMValueRef pos = from_bool(g, LLVMBuildFCmp(g->b, LLVMRealOGT, x, cg_fconst(g, 0), ""));
        LLVMValueRef neg = from_bool(g, LLVMBuildFCmp(g->b, LLVMRealOLT, x, cg_fconst(g, 0), ""));
        return cg_fbin(g, LLVMFSub, pos, neg, "");
    }
    case FN_MIN: case FN_MAX: {
        LLVMValueRef args[2] = {x, cg_emit(g, env, e->b)};
        return cg_intrinsic(g, e->fn == FN_MIN ? "llvm.minnum" : "llvm.maxnum", args, 2);
    }
    case FN_TABLE: return emit_table(g, env, e, x);
    case FN_COUNT: break;
    }
    NRN_UNREACHABLE();
}

/* A leaf of the synapse: its weight or one of its states. */
static LLVMValueRef emit_syn_leaf(Cg *g, Env *env, const IrExpr *e)
{
    const IrConn *c = env->conn;
    if (e->op == IR_WEIGHT) {
        if (env->weight_expr)
            return cg_emit(g, env, env->weight_expr);
        if (c->weight_per_syn)
            return cg_load_at(g, env->syn_arrays[c->weight_slot], env->syn, "w");
        return cg_scalar_at(g, env->syn_scalars, c->weight_slot, "w");
    }
    if (e->op == IR_STATE)
        return cg_load_at(g, env->syn_arrays[c->syn_states[e->index].slot], env->syn, c->syn_states[e->index].name);
    NRN_UNREACHABLE();
}

static LLVMValueRef emit_leaf(Cg *g, Env *env, const IrExpr *e)
{
    if (e->side == SIDE_SYN)
        return emit_syn_leaf(g, env, e);
    if (e->side == SIDE_PRE || e->side == SIDE_POST) {
        Env *o = e->side == SIDE_PRE ? env->pre : env->post;
        if (e->op == IR_INDEX) {
            int64_t offset = e->side == SIDE_PRE ? env->conn->pre_offset : env->conn->post_offset;
            LLVMValueRef gi = LLVMBuildAdd(g->b, o->i, LLVMConstInt(g->i64, (unsigned long long)offset, 0), "");
            return LLVMBuildSIToFP(g->b, gi, g->f64, e->side == SIDE_PRE ? "pre.i" : "post.i");
        }
        IrExpr self = *e;
        self.side = SIDE_SELF;
        return emit_leaf(g, o, &self);
    }
    const IrPop *p = env->pop;
    switch (e->op) {
    case IR_CONST: return cg_fconst(g, e->value);
    case IR_STATE:
        if (env->states && env->states[e->index])
            return env->states[e->index];
        return cg_load_at(g, env->arrays[p->states[e->index].slot], env->i, p->states[e->index].name);
    case IR_PARAM: {
        /* A uniform param is read where it is used, and LICM takes it out of the loop
         * (scalars is noalias there): loads gathered in the entry block instead make
         * InstCombine quadratic in their number (each is a candidate for sinking and
         * the rest of the block is scanned for stores). */
        const IrParam *q = &p->params[e->index];
        if (q->per_neuron)
            return cg_load_at(g, env->arrays[q->slot], env->i, q->name);
        LLVMValueRef v = cg_scalar_at(g, env->scalars, q->slot, q->name);
        mark_invariant(g, v);
        return v;
    }
    case IR_INPUT:
        return cg_load_at(g, env->arrays[p->input_slots[e->index]], env->i, p->input_names[e->index]);
    case IR_TIME: return env->t;
    case IR_DT: return env->dt;
    case IR_INDEX: return LLVMBuildSIToFP(g->b, env->i, g->f64, "i");
    case IR_NOISE:
        /* xi over a step is dW/dt = z/sqrt(dt): Euler then gives g sqrt(dt) z (Itô) */
        return cg_fbin(g, LLVMFDiv, env->noise[e->index], env->sqrt_dt, "xi");
    case IR_RAND: case IR_RANDN: return cg_random(g, env, e);
    default: NRN_UNREACHABLE();
    }
}

LLVMValueRef cg_emit(Cg *g, Env *env, const IrExpr *e)
{
    switch (e->op) {
    case IR_NEG: {
        LLVMValueRef a = cg_emit(g, env, e->a);
        LLVMValueRef v = LLVMBuildFNeg(g->b, a, "");
        if (is_invariant(g, a))
            mark_invariant(g, v);
        else
            cg_fast(v);
        return v;
    }
    case IR_NOT: case IR_LT: case IR_GT: case IR_LE: case IR_GE: case IR_EQ: case IR_NE:
    case IR_AND: case IR_OR:
        return from_bool(g, cg_emit_bool(g, env, e));
    case IR_ADD: return cg_fbin(g, LLVMFAdd, cg_emit(g, env, e->a), cg_emit(g, env, e->b), "");
    case IR_SUB: return cg_fbin(g, LLVMFSub, cg_emit(g, env, e->a), cg_emit(g, env, e->b), "");
    case IR_MUL: return cg_fbin(g, LLVMFMul, cg_emit(g, env, e->a), cg_emit(g, env, e->b), "");
    case IR_DIV: return cg_fbin(g, LLVMFDiv, cg_emit(g, env, e->a), cg_emit(g, env, e->b), "");
    case IR_MOD: return cg_fbin(g, LLVMFRem, cg_emit(g, env, e->a), cg_emit(g, env, e->b), "");
    case IR_POW: return emit_pow(g, env, e);
    case IR_SELECT: {
        LLVMValueRef c = cg_emit_bool(g, env, e->a);
        return LLVMBuildSelect(g->b, c, cg_emit(g, env, e->b), cg_emit(g, env, e->c), "");
    }
    case IR_CALL: return emit_call(g, env, e);
    default: return emit_leaf(g, env, e);
    }
}

/* ---- statements ------------------------------------------------------------------ */

/* Where an assignment stores: a state of this neuron, of the neuron on either side of a
 * synapse, or the synapse's own weight or state. */
static LLVMValueRef target_ptr(Cg *g, Env *env, const IrStmt *s)
{
    const IrConn *c = env->conn;
    if (s->side == SIDE_SYN) {
        int slot = s->target == IR_WEIGHT ? c->weight_slot : c->syn_states[s->state].slot;
        return LLVMBuildGEP2(g->b, g->f64, env->syn_arrays[slot], &env->syn, 1, "");
    }
    Env *o = s->side == SIDE_PRE ? env->pre : s->side == SIDE_POST ? env->post : env;
    return LLVMBuildGEP2(g->b, g->f64, o->arrays[o->pop->states[s->state].slot], &o->i, 1, "");
}

void cg_emit_stmts(Cg *g, Env *env, LLVMValueRef fn, const IrStmt *s, LLVMValueRef times, bool *assigned)
{
    static const LLVMOpcode ops[] = {[ASSIGN_ADD] = LLVMFAdd, [ASSIGN_SUB] = LLVMFSub,
                                     [ASSIGN_MUL] = LLVMFMul, [ASSIGN_DIV] = LLVMFDiv};
    for (; s; s = s->next) {
        if (!s->is_if) {
            LLVMValueRef p = target_ptr(g, env, s);
            LLVMValueRef v = cg_emit(g, env, s->value);
            if (times)
                v = cg_fbin(g, LLVMFMul, v, times, "");
            if (s->op != ASSIGN_SET)
                v = cg_fbin(g, ops[s->op], LLVMBuildLoad2(g->b, g->f64, p, ""), v, "");
            LLVMBuildStore(g->b, v, p);
            if (assigned && s->side == SIDE_SELF)
                assigned[s->state] = true;
            continue;
        }
        LLVMValueRef cond = cg_emit_bool(g, env, s->value);
        LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(g->ctx, fn, "stmt.then");
        LLVMBasicBlockRef els = LLVMAppendBasicBlockInContext(g->ctx, fn, "stmt.else");
        LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(g->ctx, fn, "stmt.join");
        LLVMBuildCondBr(g->b, cond, then, els);
        LLVMPositionBuilderAtEnd(g->b, then);
        cg_emit_stmts(g, env, fn, s->then, times, assigned);
        LLVMBuildBr(g->b, join);
        LLVMPositionBuilderAtEnd(g->b, els);
        cg_emit_stmts(g, env, fn, s->els, times, assigned);
        LLVMBuildBr(g->b, join);
        LLVMPositionBuilderAtEnd(g->b, join);
    }
}

/* ---- function scaffolding ---------------------------------------------------------- */

LLVMValueRef cg_pop_field(Cg *g, LLVMValueRef pop, int field, LLVMTypeRef ty, const char *name)
{
    LLVMValueRef p = LLVMBuildStructGEP2(g->b, g->pop_ty, pop, (unsigned)field, "");
    return LLVMBuildLoad2(g->b, ty, p, name);
}

LLVMValueRef cg_array_base(Cg *g, LLVMValueRef arrays, int slot, const char *name)
{
    LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)slot, 0);
    LLVMValueRef p = LLVMBuildGEP2(g->b, g->ptr, arrays, &idx, 1, "");
    return LLVMBuildLoad2(g->b, g->ptr, p, name);
}

const char *cg_array_name(Arena *scratch, const IrPop *p, int slot)
{
    for (int k = 0; k < p->nstates; k++)
        if (p->states[k].slot == slot)
            return p->states[k].name;
    for (int k = 0; k < p->nparams; k++)
        if (p->params[k].per_neuron && p->params[k].slot == slot)
            return p->params[k].name;
    for (int k = 0; k < p->nobserved; k++)
        if (p->observed[k].slot == slot)
            return p->observed[k].name;
    return arena_printf(scratch, "aux%d", slot);
}

Loop cg_loop_from(Cg *g, LLVMValueRef fn, LLVMValueRef lo, LLVMValueRef hi, const char *name)
{
    Loop l;
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(g->b);
    l.head = LLVMAppendBasicBlockInContext(g->ctx, fn, name);
    l.body = LLVMAppendBasicBlockInContext(g->ctx, fn, "body");
    l.exit = LLVMAppendBasicBlockInContext(g->ctx, fn, "done");
    LLVMValueRef nonempty = LLVMBuildICmp(g->b, LLVMIntSLT, lo, hi, "");
    LLVMBuildCondBr(g->b, nonempty, l.head, l.exit);
    LLVMPositionBuilderAtEnd(g->b, l.head);
    l.i = LLVMBuildPhi(g->b, g->i64, "i");
    LLVMAddIncoming(l.i, &lo, &pre, 1);
    LLVMBuildBr(g->b, l.body);
    LLVMPositionBuilderAtEnd(g->b, l.body);
    l.math_calls = g->math_calls;
    return l;
}

Loop cg_loop_begin(Cg *g, LLVMValueRef fn, LLVMValueRef n, const char *name)
{
    return cg_loop_from(g, fn, LLVMConstInt(g->i64, 0, 0), n, name);
}

/* Loop metadata !{self, !{"llvm.loop.vectorize.width", i32 width}}. The vectoriser's cost
 * model takes a call with no vector variant of its width as cheap: a loop of CUBA's
 * conductance cousin (COBA, one exp a neuron) came out 16 wide with 16 scalar exp calls,
 * 1.65x slower than 4 wide with libmvec's _ZGVdN4v_exp. */
static LLVMValueRef vector_width_md(Cg *g, unsigned width)
{
    static const char key[] = "llvm.loop.vectorize.width";
    LLVMMetadataRef self = LLVMTemporaryMDNode(g->ctx, NULL, 0);
    LLVMMetadataRef hint[2] = {LLVMMDStringInContext2(g->ctx, key, sizeof key - 1),
                               LLVMValueAsMetadata(LLVMConstInt(g->i32, width, 0))};
    LLVMMetadataRef ops[2] = {self, LLVMMDNodeInContext2(g->ctx, hint, 2)};
    LLVMMetadataRef loop = LLVMMDNodeInContext2(g->ctx, ops, 2);
    LLVMMetadataReplaceAllUsesWith(self, loop);   /* also disposes of the temporary */
    return LLVMMetadataAsValue(g->ctx, loop);
}

void cg_loop_end(Cg *g, Loop *l, LLVMValueRef n)
{
    LLVMValueRef next = LLVMBuildAdd(g->b, l->i, LLVMConstInt(g->i64, 1, 0), "i.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->b);
    LLVMAddIncoming(l->i, &next, &latch, 1);
    LLVMValueRef more = LLVMBuildICmp(g->b, LLVMIntSLT, next, n, "");
    LLVMValueRef br = LLVMBuildCondBr(g->b, more, l->head, l->exit);
    /* a loop that calls exp, log...: as wide as their vector variants */
    if (g->math_width && g->math_calls != l->math_calls) {
        static const char kind[] = "llvm.loop";
        LLVMSetMetadata(br, LLVMGetMDKindIDInContext(g->ctx, kind, sizeof kind - 1), vector_width_md(g, g->math_width));
    }
    LLVMPositionBuilderAtEnd(g->b, l->exit);
}

LLVMValueRef cg_nonfinite(Cg *g, LLVMValueRef x)
{
    LLVMValueRef ax = cg_intrinsic(g, "llvm.fabs", &x, 1);
    return LLVMBuildFCmp(g->b, LLVMRealUGE, ax, cg_fconst(g, INFINITY), "bad");
}

void cg_symbol_name(char *buf, size_t n, const char *what, int pop) { snprintf(buf, n, "nrn_%s_%d", what, pop); }

