/* Generated functions of one population: init, integrate, fire (see cg.h).
 *
 * integrate: one loop over the population; each state read once, advanced by the chosen
 * method, written once; held states keep their value while refractory; a NaN/Inf flag is
 * OR-reduced so the loop stays vectorisable. It is emitted as an internal body function
 * whose array arguments are noalias (the vectoriser needs no run-time alias checks), and
 * a thin entry that unpacks nrt_pop. fire: a scalar loop (threshold, reset, refractory
 * count-down, spike list), rarely the hot spot. */
#include <string.h>

#include "cg_internal.h"
#include "nrt.h"
#include "util.h"

static LLVMValueRef add_function(Cg *g, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n)
{
    LLVMValueRef fn = LLVMAddFunction(g->mod, name, LLVMFunctionType(ret, params, n, 0));
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(g->ctx, fn, "entry");
    LLVMPositionBuilderAtEnd(g->b, entry);
    return fn;
}

static void set_noalias(Cg *g, LLVMValueRef fn, unsigned param_index)
{
    unsigned kind = LLVMGetEnumAttributeKindForName("noalias", 7);
    LLVMAddAttributeAtIndex(fn, param_index + 1, LLVMCreateEnumAttribute(g->ctx, kind, 0));
}

/* Loads the base pointer of every array slot from pop->arrays. */
static LLVMValueRef *load_arrays(Cg *g, Arena *scratch, const IrPop *p, LLVMValueRef pop)
{
    LLVMValueRef arrays = cg_pop_field(g, pop, POP_ARRAYS, g->ptr, "arrays");
    LLVMValueRef *base = ARENA_ARRAY(scratch, LLVMValueRef, p->narrays + 1);
    for (int k = 0; k < p->narrays; k++)
        base[k] = cg_array_base(g, arrays, k, cg_array_name(scratch, p, k));
    return base;
}

/* ---- init -------------------------------------------------------------------------- */

/* A = the system matrix from the params; P, Q = its propagators (nrt_expm_propagator).
 * A is cleared as a whole and only its entries that are not the constant 0 are stored:
 * code in proportion to the couplings, not to n² (a neuron with many uncoupled
 * synaptic traces has a large, mostly empty A). */
static void emit_propagator(Cg *g, Arena *scratch, Env *env, const IrExact *x, bool held, LLVMValueRef A,
                            LLVMValueRef P, LLVMValueRef Q)
{
    int n = x->n;
    LLVMValueRef bytes = LLVMConstInt(g->i64, (unsigned long long)n * (unsigned long long)n * sizeof(double), 0);
    LLVMBuildMemSet(g->b, A, LLVMConstInt(g->i8, 0, 0), bytes, 8);
    /* every entry first, then the stores: with no store in between, the repeated loads
     * of a param (and -1/tau on every diagonal) fold into one */
    LLVMValueRef *value = ARENA_ARRAY(scratch, LLVMValueRef, n * n);
    for (int k = 0; k < n * n; k++) {
        bool zero = held && env->pop->states[x->states[k / n]].held;
        if (!zero && !ir_is_const(x->A[k], 0))
            value[k] = cg_emit(g, env, x->A[k]);
    }
    for (int k = 0; k < n * n; k++)
        if (value[k])
            cg_store_at(g, A, LLVMConstInt(g->i64, (unsigned long long)k, 0), value[k]);
    LLVMTypeRef params[5] = {g->i32, g->ptr, g->f64, g->ptr, g->ptr};
    LLVMTypeRef fty;
    LLVMValueRef fn = cg_extern_fn(g, "nrt_expm_propagator", g->i32, params, 5, &fty);
    LLVMValueRef args[5] = {LLVMConstInt(g->i32, (unsigned long long)n, 0), A, env->dt, P, Q};
    LLVMBuildCall2(g->b, fty, fn, args, 5, "");
}

static LLVMValueRef scalar_ptr(Cg *g, LLVMValueRef scalars, int slot)
{
    LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)slot, 0);
    return LLVMBuildGEP2(g->b, g->f64, scalars, &idx, 1, "");
}

static void init_per_neuron_propagator(Cg *g, Arena *scratch, Env *env, const IrExact *x, bool held,
                                       LLVMValueRef A, LLVMValueRef tmp, const bool *reach)
{
    int n = x->n;
    LLVMValueRef Q = scalar_ptr(g, tmp, n * n);
    emit_propagator(g, scratch, env, x, held, A, tmp, Q);
    for (int k = 0; k < n * n; k++) {
        if (!reach[k])   /* exactly zero, and never read (cg_method.c) */
            continue;
        cg_store_at(g, env->arrays[(held ? x->Ph_slot : x->P_slot) + k], env->i, cg_scalar_at(g, tmp, k, "P"));
        cg_store_at(g, env->arrays[(held ? x->Qh_slot : x->Q_slot) + k], env->i, cg_scalar_at(g, tmp, n * n + k, "Q"));
    }
}

/* The initial value of param or state `k` (overrides index): a built simulator's --set
 * (pop->overrides[k], NaN when absent) or the model's expression. */
static LLVMValueRef initial_value(Cg *g, Env *env, LLVMValueRef overrides, int k, const IrExpr *e)
{
    LLVMValueRef ov = cg_scalar_at(g, overrides, k, "override");
    LLVMValueRef none = LLVMBuildFCmp(g->b, LLVMRealUNO, ov, ov, "");
    return LLVMBuildSelect(g->b, none, cg_emit(g, env, e), ov, "");
}

/* A private constant array of n values of type ty, named after the population. */
static LLVMValueRef const_table(Cg *g, const char *what, int index, LLVMTypeRef ty, LLVMValueRef *vals, int n)
{
    char name[64];
    cg_symbol_name(name, sizeof name, what, index);
    LLVMTypeRef aty = LLVMArrayType2(ty, (uint64_t)n);
    LLVMValueRef gv = LLVMAddGlobal(g->mod, aty, name);
    LLVMSetInitializer(gv, LLVMConstArray2(ty, vals, (uint64_t)n));
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    return gv;
}

static int count_constant_params(const IrPop *p)
{
    int m = 0;
    for (int k = 0; k < p->nparams; k++)
        m += ir_param_is_constant(&p->params[k]);
    return m;
}

/* Uniform params whose value is a constant (the usual case, and every param a model
 * declares but never reads) are data: the run description carries their values, the
 * runtime starts pop->overrides from them (a built simulator's --set overwrites them),
 * and init copies them with one loop over a table of (overrides index, scalar slot).
 * So init, and the time LLVM spends on it, does not grow with the number of params, and
 * populations that differ only in such values share init. The other params are
 * computed afterwards, in declaration order. */
static void init_constant_params(Cg *g, Arena *scratch, int index, const IrPop *p, LLVMValueRef fn,
                                 LLVMValueRef scalars, LLVMValueRef overrides)
{
    int m = count_constant_params(p);
    if (m == 0)
        return;
    LLVMValueRef *which = ARENA_ARRAY(scratch, LLVMValueRef, m), *slot = ARENA_ARRAY(scratch, LLVMValueRef, m);
    for (int k = 0, j = 0; k < p->nparams; k++) {
        if (!ir_param_is_constant(&p->params[k]))
            continue;
        which[j] = LLVMConstInt(g->i32, (unsigned long long)k, 0);
        slot[j++] = LLVMConstInt(g->i32, (unsigned long long)p->params[k].slot, 0);
    }
    LLVMValueRef twhich = const_table(g, "param_index", index, g->i32, which, m);
    LLVMValueRef tslot = const_table(g, "param_slot", index, g->i32, slot, m);
    LLVMValueRef count = LLVMConstInt(g->i64, (unsigned long long)m, 0);
    Loop l = cg_loop_begin(g, fn, count, "init.params");
    LLVMValueRef k = LLVMBuildLoad2(g->b, g->i32, LLVMBuildGEP2(g->b, g->i32, twhich, &l.i, 1, ""), "k");
    LLVMValueRef s = LLVMBuildLoad2(g->b, g->i32, LLVMBuildGEP2(g->b, g->i32, tslot, &l.i, 1, ""), "slot");
    LLVMValueRef v = cg_load_at(g, overrides, LLVMBuildZExt(g->b, k, g->i64, ""), "value");
    cg_store_at(g, scalars, LLVMBuildZExt(g->b, s, g->i64, ""), v);
    cg_loop_end(g, &l, count);
}

/* States whose initial value is a constant, like constant params, come from overrides:
 * for each (overrides index, array slot) of a table, the array is filled with its value.
 * Before the per-neuron loop, whose states may read them (no state reads a later one). */
static void init_constant_states(Cg *g, Arena *scratch, int index, const IrPop *p, LLVMValueRef fn,
                                 LLVMValueRef pop, LLVMValueRef n, LLVMValueRef overrides)
{
    int m = 0;
    for (int k = 0; k < p->nstates; k++)
        m += ir_state_is_constant(&p->states[k]);
    if (m == 0)
        return;
    LLVMValueRef *which = ARENA_ARRAY(scratch, LLVMValueRef, m), *slot = ARENA_ARRAY(scratch, LLVMValueRef, m);
    for (int k = 0, j = 0; k < p->nstates; k++) {
        if (!ir_state_is_constant(&p->states[k]))
            continue;
        which[j] = LLVMConstInt(g->i32, (unsigned long long)(p->nparams + k), 0);
        slot[j++] = LLVMConstInt(g->i32, (unsigned long long)p->states[k].slot, 0);
    }
    LLVMValueRef twhich = const_table(g, "state_index", index, g->i32, which, m);
    LLVMValueRef tslot = const_table(g, "state_slot", index, g->i32, slot, m);
    LLVMValueRef arrays = cg_pop_field(g, pop, POP_ARRAYS, g->ptr, "arrays");
    LLVMValueRef count = LLVMConstInt(g->i64, (unsigned long long)m, 0);
    Loop ls = cg_loop_begin(g, fn, count, "init.states");
    LLVMValueRef k = LLVMBuildLoad2(g->b, g->i32, LLVMBuildGEP2(g->b, g->i32, twhich, &ls.i, 1, ""), "k");
    LLVMValueRef s = LLVMBuildLoad2(g->b, g->i32, LLVMBuildGEP2(g->b, g->i32, tslot, &ls.i, 1, ""), "slot");
    LLVMValueRef v = cg_load_at(g, overrides, LLVMBuildZExt(g->b, k, g->i64, ""), "value");
    LLVMValueRef si = LLVMBuildZExt(g->b, s, g->i64, "");
    LLVMValueRef base = LLVMBuildLoad2(g->b, g->ptr, LLVMBuildGEP2(g->b, g->ptr, arrays, &si, 1, ""), "state");
    Loop li = cg_loop_begin(g, fn, n, "init.fill");
    cg_store_at(g, base, li.i, v);
    cg_loop_end(g, &li, n);
    cg_loop_end(g, &ls, count);
}

/* The entry of a set-up function what(pop, dt) of population p: env at t = 0 with its
 * scalars and arrays loaded. */
static LLVMValueRef begin_pop_setup(Cg *g, Arena *scratch, const char *what, int index, const IrPop *p, Env *env)
{
    char name[64];
    cg_symbol_name(name, sizeof name, what, index);
    LLVMTypeRef params[2] = {g->ptr, g->f64};
    LLVMValueRef fn = add_function(g, name, LLVMVoidTypeInContext(g->ctx), params, 2);
    *env = (Env){.pop = p, .pop_ptr = LLVMGetParam(fn, 0), .dt = LLVMGetParam(fn, 1), .t = cg_fconst(g, 0)};
    env->scalars = cg_pop_field(g, env->pop_ptr, POP_SCALARS, g->ptr, "scalars");
    env->arrays = load_arrays(g, scratch, p, env->pop_ptr);
    return fn;
}

static void emit_init(Cg *g, Arena *scratch, int index, const IrPop *p)
{
    Env env;
    LLVMValueRef fn = begin_pop_setup(g, scratch, "init", index, p, &env);
    LLVMValueRef n = cg_pop_field(g, env.pop_ptr, POP_N, g->i64, "n");
    LLVMValueRef ov = cg_pop_field(g, env.pop_ptr, POP_OVERRIDES, g->ptr, "overrides");
    env.i = LLVMConstInt(g->i64, 0, 0);
    LLVMValueRef A = NULL, PQ = NULL;
    if (p->exact) {
        /* Scratch for the propagator, in the entry block so that the loop does not grow
         * the stack. */
        int nn = p->exact->n * p->exact->n;
        A = LLVMBuildAlloca(g->b, LLVMArrayType2(g->f64, (uint64_t)nn), "A");
        PQ = LLVMBuildAlloca(g->b, LLVMArrayType2(g->f64, (uint64_t)(2 * nn)), "PQ");
    }
    init_constant_params(g, scratch, index, p, fn, env.scalars, ov);
    for (int k = 0; k < p->nparams; k++)
        if (!p->params[k].per_neuron && !ir_param_is_constant(&p->params[k]))
            LLVMBuildStore(g->b, initial_value(g, &env, ov, k, p->params[k].value),
                           scalar_ptr(g, env.scalars, p->params[k].slot));
    if (p->exact && !p->exact->per_neuron) {
        emit_propagator(g, scratch, &env, p->exact, false, A, scalar_ptr(g, env.scalars, p->exact->P_slot),
                        scalar_ptr(g, env.scalars, p->exact->Q_slot));
        if (p->exact->has_held)
            emit_propagator(g, scratch, &env, p->exact, true, A, scalar_ptr(g, env.scalars, p->exact->Ph_slot),
                            scalar_ptr(g, env.scalars, p->exact->Qh_slot));
    }
    init_constant_states(g, scratch, index, p, fn, env.pop_ptr, n, ov);
    Loop l = cg_loop_begin(g, fn, n, "init.loop");
    env.i = l.i;
    for (int k = 0; k < p->nparams; k++)
        if (p->params[k].per_neuron)
            cg_store_at(g, env.arrays[p->params[k].slot], l.i, initial_value(g, &env, ov, k, p->params[k].value));
    for (int k = 0; k < p->nstates; k++)
        if (!ir_state_is_constant(&p->states[k]))
            cg_store_at(g, env.arrays[p->states[k].slot], l.i,
                        initial_value(g, &env, ov, p->nparams + k, p->states[k].init));
    if (p->exact && p->exact->per_neuron) {
        const bool *reach = cg_exact_reach(scratch, p->exact);
        init_per_neuron_propagator(g, scratch, &env, p->exact, false, A, PQ, reach);
        if (p->exact->has_held)
            init_per_neuron_propagator(g, scratch, &env, p->exact, true, A, PQ, reach);
    }
    if (p->upward_crossing) {
        /* The initial state counts as the previous step (LANGUAGE.md §4). */
        LLVMValueRef cond = LLVMBuildZExt(g->b, cg_emit_bool(g, &env, p->threshold), g->i8, "");
        LLVMValueRef prev = cg_pop_field(g, env.pop_ptr, POP_COND_PREV, g->ptr, "cond_prev");
        LLVMBuildStore(g->b, cond, LLVMBuildGEP2(g->b, g->i8, prev, &l.i, 1, ""));
    }
    cg_loop_end(g, &l, n);
    LLVMBuildRetVoid(g->b);
}

/* derive(pop, dt): an exact population's propagators again, from its params as they are
 * now, states and params untouched: after the embedding API changed a param
 * (nrt_sim_write), the propagators init computed would be stale. */
static void emit_derive(Cg *g, Arena *scratch, int index, const IrPop *p)
{
    Env env;
    LLVMValueRef fn = begin_pop_setup(g, scratch, "derive", index, p, &env);
    env.i = LLVMConstInt(g->i64, 0, 0);
    const IrExact *x = p->exact;
    int nn = x->n * x->n;
    LLVMValueRef A = LLVMBuildAlloca(g->b, LLVMArrayType2(g->f64, (uint64_t)nn), "A");
    LLVMValueRef PQ = LLVMBuildAlloca(g->b, LLVMArrayType2(g->f64, (uint64_t)(2 * nn)), "PQ");
    if (!x->per_neuron) {
        emit_propagator(g, scratch, &env, x, false, A, scalar_ptr(g, env.scalars, x->P_slot),
                        scalar_ptr(g, env.scalars, x->Q_slot));
        if (x->has_held)
            emit_propagator(g, scratch, &env, x, true, A, scalar_ptr(g, env.scalars, x->Ph_slot),
                            scalar_ptr(g, env.scalars, x->Qh_slot));
        LLVMBuildRetVoid(g->b);
        return;
    }
    LLVMValueRef n = cg_pop_field(g, env.pop_ptr, POP_N, g->i64, "n");
    const bool *reach = cg_exact_reach(scratch, x);
    Loop l = cg_loop_begin(g, fn, n, "derive.loop");
    env.i = l.i;
    init_per_neuron_propagator(g, scratch, &env, x, false, A, PQ, reach);
    if (x->has_held)
        init_per_neuron_propagator(g, scratch, &env, x, true, A, PQ, reach);
    cg_loop_end(g, &l, n);
    LLVMBuildRetVoid(g->b);
}

/* ---- integrate --------------------------------------------------------------------- */

/* Per noise stream, this neuron's N(0,1) deviate for this step: the counter-based
 * generator of nrt_noise (runtime/rng.c, which documents it) inlined, so that the loop
 * has no call and its integer part vectorises. stream_keys[s] = the population key mixed
 * with the stream, computed once per call by nrt_noise_key. */
static LLVMValueRef *emit_noise(Cg *g, Arena *scratch, const IrPop *p, LLVMValueRef *stream_keys, LLVMValueRef i,
                                LLVMValueRef step)
{
    LLVMValueRef *z = ARENA_ARRAY(scratch, LLVMValueRef, p->nnoise + 1);
    for (int s = 0; s < p->nnoise; s++) {
        LLVMValueRef x = cg_splitmix(g, LLVMBuildXor(g->b, stream_keys[s], i, ""));
        z[s] = cg_box_muller(g, cg_splitmix(g, LLVMBuildXor(g->b, x, step, "")));
    }
    return z;
}

/* The key of each noise stream, before the loop. */
static LLVMValueRef *noise_keys(Cg *g, Arena *scratch, const IrPop *p, LLVMValueRef pop)
{
    LLVMValueRef *keys = ARENA_ARRAY(scratch, LLVMValueRef, p->nnoise + 1);
    LLVMTypeRef params[2] = {g->ptr, g->i32};
    LLVMTypeRef fty;
    LLVMValueRef fn = cg_extern_fn(g, "nrt_noise_key", g->i64, params, 2, &fty);
    for (int s = 0; s < p->nnoise; s++) {
        LLVMValueRef args[2] = {pop, LLVMConstInt(g->i32, (unsigned long long)s, 0)};
        keys[s] = LLVMBuildCall2(g->b, fty, fn, args, 2, "key");
    }
    return keys;
}

/* Whether the fire mask is computed inside the integrate loop (one pass over the state):
 * when the threshold draws no random number. A threshold that draws keeps a loop of its
 * own (fire_mask), keyed by fire's step; its draws are inlined too, so it vectorises. */
static bool fused_mask(const IrPop *p)
{
    return p->threshold && !ir_uses(p->threshold, IR_RAND, -1) && !ir_uses(p->threshold, IR_RANDN, -1);
}

/* The refractory count lives in two places (runtime/nrt.h): the neuron's flag byte holds
 * 2·min(count, NRT_REFR_CAP) (bit 0 says whether it fires this step), and is read and
 * written every step anyway; a period longer than NRT_REFR_CAP steps keeps the rest in
 * refractory[], which the runtime moves into the byte whenever its count reaches 1
 * (nrt_refr_reload). A step thus streams one byte per neuron for the count and the fire
 * flag together, where an int32 count and a flag byte took five, and the loop's
 * count-down is one saturating subtract: CUBA at 256,000 neurons, one thread, loop
 * 3.37 -> 3.00 s; at 4,000, 0.0258 -> 0.0251 s (medians of 4 and 5 interleaved runs of
 * built simulators). Counting the full count in the loop too (masked loads and stores
 * for every neuron) lost all of it at 256,000 and made 4,000 9% slower.
 * Bit 0 is zero when a step starts: the spike block rewrites the byte of every neuron
 * that fired. */

/* 2·min(max(r, 0), NRT_REFR_CAP) of an i32 count, as an i8 */
static LLVMValueRef refr_byte(Cg *g, LLVMValueRef r)
{
    LLVMValueRef cap = LLVMConstInt(g->i32, NRT_REFR_CAP, 0), zero = LLVMConstInt(g->i32, 0, 0);
    r = LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, r, zero, ""), zero, r, "");
    r = LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntSGT, r, cap, ""), cap, r, "");
    return LLVMBuildShl(g->b, LLVMBuildTrunc(g->b, r, g->i8, ""), LLVMConstInt(g->i8, 1, 0), "");
}

/* Neuron i's flag byte as the step starts: its count, 2·min(count, NRT_REFR_CAP). */
static LLVMValueRef flag_byte(Cg *g, LLVMValueRef flags, LLVMValueRef i)
{
    return LLVMBuildLoad2(g->b, g->i8, LLVMBuildGEP2(g->b, g->i8, flags, &i, 1, ""), "flags");
}

/* One neuron's fire mask (LANGUAGE.md §4, §7): the threshold on env's states at the end
 * of the step, discarded while refractory; the upward-crossing memory; the refractory
 * count-down; the flag byte, flags[i] = 2·count | fires. */
static void emit_mask_step(Cg *g, Env *env, LLVMValueRef i, LLVMValueRef prev, LLVMValueRef flags)
{
    const IrPop *p = env->pop;
    LLVMValueRef fire = cg_emit_bool(g, env, p->threshold);
    if (p->upward_crossing) {
        LLVMValueRef pp = LLVMBuildGEP2(g->b, g->i8, prev, &i, 1, "");
        LLVMValueRef was = LLVMBuildICmp(g->b, LLVMIntNE, LLVMBuildLoad2(g->b, g->i8, pp, ""),
                                         LLVMConstInt(g->i8, 0, 0), "was");
        LLVMBuildStore(g->b, LLVMBuildZExt(g->b, fire, g->i8, ""), pp);
        fire = LLVMBuildAnd(g->b, fire, LLVMBuildNot(g->b, was, ""), "crossed");
    }
    LLVMValueRef byte = LLVMBuildZExt(g->b, fire, g->i8, "");
    if (p->refractory) {
        LLVMValueRef b = flag_byte(g, flags, i);
        LLVMValueRef active = LLVMBuildICmp(g->b, LLVMIntEQ, b, LLVMConstInt(g->i8, 0, 0), "active");
        LLVMValueRef two = LLVMConstInt(g->i8, 2, 0);   /* b - 2 down to 0: a saturating subtract */
        LLVMValueRef next = LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntUGE, b, two, ""),
                                            LLVMBuildSub(g->b, b, two, ""), LLVMConstInt(g->i8, 0, 0), "");
        fire = LLVMBuildAnd(g->b, fire, active, "fire");
        byte = LLVMBuildOr(g->b, next, LLVMBuildZExt(g->b, fire, g->i8, ""), "");
    }
    LLVMBuildStore(g->b, byte, LLVMBuildGEP2(g->b, g->i8, flags, &i, 1, ""));
}

/* lo, hi, t, dt, step, pop, scalars, refractory, cond_prev, flags; then the arrays */
enum { BODY_FIXED = 10 };

/* i32 body(i64 lo, i64 hi, double t, double dt, i64 step, ptr pop, ptr scalars,
 *          ptr refractory, ptr cond_prev, ptr flags, ptr array0, ...) over the neurons
 * [lo, hi); with a fused mask (fused_mask) the loop also computes the fire mask on the
 * new state. */
static LLVMValueRef emit_integrate_body(Cg *g, Arena *scratch, int index, const IrPop *p)
{
    char name[64];
    cg_symbol_name(name, sizeof name, "integrate_body", index);
    int nparams = BODY_FIXED + p->narrays;
    LLVMTypeRef *types = ARENA_ARRAY(scratch, LLVMTypeRef, nparams);
    types[0] = types[1] = types[4] = g->i64;
    types[2] = types[3] = g->f64;
    for (int k = 5; k < nparams; k++)
        types[k] = g->ptr;
    LLVMValueRef fn = add_function(g, name, g->i32, types, (unsigned)nparams);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    for (int k = 6; k < nparams; k++)
        set_noalias(g, fn, (unsigned)k);
    Env env = {.pop = p, .t = LLVMGetParam(fn, 2), .dt = LLVMGetParam(fn, 3), .scalars = LLVMGetParam(fn, 6)};
    LLVMValueRef lo = LLVMGetParam(fn, 0), hi = LLVMGetParam(fn, 1);
    LLVMValueRef prev = LLVMGetParam(fn, 8), flags = LLVMGetParam(fn, 9);
    LLVMValueRef step = LLVMGetParam(fn, 4);
    env.step = step;
    env.pop_ptr = LLVMGetParam(fn, 5);
    LLVMValueRef *keys = NULL;
    if (p->nnoise) {
        env.sqrt_dt = cg_intrinsic(g, "llvm.sqrt", &env.dt, 1);
        keys = noise_keys(g, scratch, p, env.pop_ptr);
    }
    env.arrays = ARENA_ARRAY(scratch, LLVMValueRef, p->narrays + 1);
    for (int k = 0; k < p->narrays; k++) {
        env.arrays[k] = LLVMGetParam(fn, (unsigned)(BODY_FIXED + k));
        LLVMSetValueName2(env.arrays[k], cg_array_name(scratch, p, k), strlen(cg_array_name(scratch, p, k)));
    }
    LLVMValueRef *invariant = cg_method_prepare(g, scratch, &env);
    /* One test per range for NaN or infinity in any new state: x·0 is ±0 for a finite x
     * and NaN otherwise (not folded: no no-NaN flag), and NaN stays NaN in a sum, so
     * z_k = Σ_i x_k,i·0 (one multiply-add per state and neuron, a reduction the vectoriser
     * keeps in registers) is NaN iff one of them is not finite. */
    LLVMValueRef *zeros = ARENA_ARRAY(scratch, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++)
        if (p->states[k].deriv) {
            zeros[k] = LLVMBuildAlloca(g->b, g->f64, "zeros");
            LLVMBuildStore(g->b, cg_fconst(g, 0), zeros[k]);
        }
    Loop l = cg_loop_from(g, fn, lo, hi, "step.loop");
    env.i = l.i;
    if (p->nnoise)
        env.noise = emit_noise(g, scratch, p, keys, l.i, step);
    env.states = ARENA_ARRAY(scratch, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++)
        env.states[k] = cg_load_at(g, env.arrays[p->states[k].slot], l.i, p->states[k].name);
    LLVMValueRef held = NULL;
    for (int k = 0; k < p->nstates; k++)
        if (p->states[k].held && p->states[k].deriv && !held) {
            held = LLVMBuildICmp(g->b, LLVMIntNE, flag_byte(g, flags, l.i), LLVMConstInt(g->i8, 0, 0), "held");
        }
    LLVMValueRef *next = cg_method_step(g, scratch, &env, invariant, held);
    LLVMValueRef *after = ARENA_ARRAY(scratch, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++) {
        after[k] = env.states[k];
        if (!p->states[k].deriv)
            continue;
        LLVMValueRef v = next[k];
        if (held && p->states[k].held)
            v = LLVMBuildSelect(g->b, held, env.states[k], v, "");
        cg_store_at(g, env.arrays[p->states[k].slot], l.i, v);
        LLVMValueRef args[3] = {v, cg_fconst(g, 0), LLVMBuildLoad2(g->b, g->f64, zeros[k], "")};
        LLVMBuildStore(g->b, cg_intrinsic(g, "llvm.fmuladd", args, 3), zeros[k]);
        after[k] = v;
    }
    if (fused_mask(p)) {
        /* the threshold sees the state at the end of the step, at t + dt */
        Env end = env;
        end.states = after;
        end.t = cg_fbin(g, LLVMFAdd, env.t, env.dt, "t.end");
        emit_mask_step(g, &end, l.i, prev, flags);
    }
    cg_loop_end(g, &l, hi);
    LLVMValueRef bad = LLVMConstInt(g->i1, 0, 0);
    for (int k = 0; k < p->nstates; k++)
        if (p->states[k].deriv) {
            LLVMValueRef z = LLVMBuildLoad2(g->b, g->f64, zeros[k], "");
            bad = LLVMBuildOr(g->b, bad, LLVMBuildFCmp(g->b, LLVMRealUNO, z, z, ""), "bad");
        }
    LLVMBuildRet(g->b, LLVMBuildZExt(g->b, bad, g->i32, ""));
    return fn;
}

static void emit_integrate(Cg *g, Arena *scratch, int index, const IrPop *p)
{
    LLVMValueRef body = emit_integrate_body(g, scratch, index, p);
    char name[64];
    cg_symbol_name(name, sizeof name, "integrate", index);
    LLVMTypeRef params[5] = {g->ptr, g->i64, g->f64, g->i64, g->i64};
    LLVMValueRef fn = add_function(g, name, g->i32, params, 5);
    LLVMValueRef pop = LLVMGetParam(fn, 0);
    int nargs = BODY_FIXED + p->narrays;
    LLVMValueRef *args = ARENA_ARRAY(scratch, LLVMValueRef, nargs);
    args[0] = LLVMGetParam(fn, 3);
    args[1] = LLVMGetParam(fn, 4);
    args[3] = LLVMGetParam(fn, 2);
    args[2] = LLVMBuildFMul(g->b, LLVMBuildSIToFP(g->b, LLVMGetParam(fn, 1), g->f64, ""), args[3], "t");
    args[4] = LLVMGetParam(fn, 1);
    args[5] = pop;
    args[6] = cg_pop_field(g, pop, POP_SCALARS, g->ptr, "scalars");
    args[7] = cg_pop_field(g, pop, POP_REFRACTORY, g->ptr, "refractory");
    args[8] = cg_pop_field(g, pop, POP_COND_PREV, g->ptr, "cond_prev");
    args[9] = cg_pop_field(g, pop, POP_FLAGS, g->ptr, "flags");
    LLVMValueRef *arrays = load_arrays(g, scratch, p, pop);
    for (int k = 0; k < p->narrays; k++)
        args[BODY_FIXED + k] = arrays[k];
    LLVMTypeRef fty = LLVMGlobalGetValueType(body);
    LLVMBuildRet(g->b, LLVMBuildCall2(g->b, fty, body, args, (unsigned)nargs, ""));
}

/* ---- fire -------------------------------------------------------------------------- */

/* Spike: append i to the range's list `spiked`, reset, start the refractory period,
 * check what the reset wrote. */
/* R = round-half-up(T / dt) (LANGUAGE.md §4), the refractory period in steps; a quotient
 * that misses a half by rounding (0.15 ms / 0.1 ms) counts as the half, like delays and
 * spike times. */
static LLVMValueRef refractory_steps(Cg *g, Env *env, const IrExpr *period)
{
    LLVMValueRef x = LLVMBuildFDiv(g->b, cg_emit(g, env, period), env->dt, "");
    x = LLVMBuildFAdd(g->b, x, cg_fconst(g, 0.5 + 1e-9), "");
    x = cg_intrinsic(g, "llvm.floor", &x, 1);
    return LLVMBuildFPToSI(g->b, x, g->i32, "R");
}

/* Whether the refractory period is one value for the whole population and every step
 * (constants, uniform params, dt): then fire computes it once, not at each spike. */
static bool refractory_is_uniform(const IrPop *p)
{
    static const IrOp varying[] = {IR_STATE, IR_INPUT, IR_TIME, IR_INDEX, IR_WEIGHT,
                                   IR_RAND, IR_RANDN, IR_NOISE, IR_AUX};
    for (size_t k = 0; k < sizeof varying / sizeof *varying; k++)
        if (ir_uses(p->refractory, varying[k], -1))
            return false;
    return !ir_uses_per_neuron_param(p, p->refractory);
}

/* The spike block of neuron env->i: its place in the spike list, the reset, the
 * refractory count (R_uniform, or computed here when it is NULL; *longer set for a
 * period longer than NRT_REFR_CAP steps), and the finiteness of the states the reset
 * wrote. */
static void emit_spike(Cg *g, Arena *scratch, Env *env, LLVMValueRef fn, LLVMValueRef spiked, LLVMValueRef ns,
                       LLVMValueRef bad, LLVMValueRef longer, LLVMValueRef refr, LLVMValueRef flags,
                       LLVMValueRef R_uniform)
{
    const IrPop *p = env->pop;
    LLVMValueRef k = LLVMBuildLoad2(g->b, g->i64, ns, "k");
    LLVMBuildStore(g->b, env->i, LLVMBuildGEP2(g->b, g->i64, spiked, &k, 1, ""));
    LLVMBuildStore(g->b, LLVMBuildAdd(g->b, k, LLVMConstInt(g->i64, 1, 0), ""), ns);
    bool *assigned = ARENA_ARRAY(scratch, bool, p->nstates + 1);
    cg_emit_stmts(g, env, fn, p->reset, NULL, assigned);
    if (p->refractory) {
        LLVMValueRef r = R_uniform ? R_uniform : refractory_steps(g, env, p->refractory);
        /* the byte takes min(R, cap), refractory[] the rest (fire then reports a long
         * period); no branch on it: LLVM would unswitch the scan on a uniform R */
        LLVMValueRef cap = LLVMConstInt(g->i32, NRT_REFR_CAP, 0);
        LLVMValueRef is_long = LLVMBuildICmp(g->b, LLVMIntSGT, r, cap, "");
        LLVMValueRef rest = LLVMBuildSelect(g->b, is_long, LLVMBuildSub(g->b, r, cap, ""), LLVMConstInt(g->i32, 0, 0), "");
        LLVMBuildStore(g->b, rest, LLVMBuildGEP2(g->b, g->i32, refr, &env->i, 1, ""));
        LLVMBuildStore(g->b, LLVMBuildOr(g->b, LLVMBuildLoad2(g->b, g->i1, longer, ""), is_long, ""), longer);
        LLVMBuildStore(g->b, refr_byte(g, r), LLVMBuildGEP2(g->b, g->i8, flags, &env->i, 1, ""));
    }
    LLVMValueRef any = LLVMBuildLoad2(g->b, g->i1, bad, "");
    for (int s = 0; s < p->nstates; s++)
        if (assigned[s])
            any = LLVMBuildOr(g->b, any, cg_nonfinite(g, cg_load_at(g, env->arrays[p->states[s].slot], env->i, "")), "");
    LLVMBuildStore(g->b, any, bad);
}

/* Phase 1 of fire, a branch-free loop the vectoriser can take: the threshold of every
 * neuron (evaluated and discarded while refractory), the upward-crossing memory, the
 * refractory count-down, and a byte per neuron saying whether it fires.
 *   void fire_mask(i64 lo, i64 hi, double t, double dt, i64 step, ptr pop, ptr scalars,
 *                  ptr refractory, ptr cond_prev, ptr flags, ptr array0, ...)
 * over the neurons [lo, hi) (pointers after pop noalias; the step keys the threshold's
 * random draws). */
enum { MASK_FIXED = 10 };

static LLVMValueRef emit_fire_mask(Cg *g, Arena *scratch, int index, const IrPop *p)
{
    char name[64];
    cg_symbol_name(name, sizeof name, "fire_mask", index);
    int nparams = MASK_FIXED + p->narrays;
    LLVMTypeRef *types = ARENA_ARRAY(scratch, LLVMTypeRef, nparams);
    types[0] = types[1] = types[4] = g->i64;
    types[2] = types[3] = g->f64;
    for (int k = 5; k < nparams; k++)
        types[k] = g->ptr;
    LLVMValueRef fn = add_function(g, name, LLVMVoidTypeInContext(g->ctx), types, (unsigned)nparams);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    for (int k = 6; k < nparams; k++)
        set_noalias(g, fn, (unsigned)k);
    Env env = {.pop = p, .t = LLVMGetParam(fn, 2), .dt = LLVMGetParam(fn, 3), .step = LLVMGetParam(fn, 4),
               .pop_ptr = LLVMGetParam(fn, 5), .scalars = LLVMGetParam(fn, 6)};
    LLVMValueRef lo = LLVMGetParam(fn, 0), hi = LLVMGetParam(fn, 1);
    LLVMValueRef prev = LLVMGetParam(fn, 8), flags = LLVMGetParam(fn, 9);
    env.arrays = ARENA_ARRAY(scratch, LLVMValueRef, p->narrays + 1);
    for (int k = 0; k < p->narrays; k++)
        env.arrays[k] = LLVMGetParam(fn, (unsigned)(MASK_FIXED + k));
    Loop l = cg_loop_from(g, fn, lo, hi, "fire.mask");
    env.i = l.i;
    emit_mask_step(g, &env, l.i, prev, flags);
    cg_loop_end(g, &l, hi);
    LLVMBuildRetVoid(g->b);
    return fn;
}

/* i32 fire(ptr pop, i64 step, double dt, i64 lo, i64 hi, ptr nspiked) over the neurons
 * [lo, hi), lo a multiple of 64: phase 1 (emit_fire_mask), then phase 2, a scan of the
 * mask that runs the spike block (spike list, reset, refractory start) for the few
 * neurons that fire. The range's spikes go to pop->spiked[lo ..], ascending, and their
 * count to *nspiked; the runtime joins the ranges' lists. It returns NRT_FIRE_NONFINITE
 * when a reset left a state not finite, | NRT_FIRE_LONG when a refractory period longer
 * than NRT_REFR_CAP steps started. */
static void emit_fire(Cg *g, Arena *scratch, int index, const IrPop *p)
{
    LLVMValueRef mask = fused_mask(p) ? NULL : emit_fire_mask(g, scratch, index, p);
    char name[64];
    cg_symbol_name(name, sizeof name, "fire", index);
    LLVMTypeRef params[6] = {g->ptr, g->i64, g->f64, g->i64, g->i64, g->ptr};
    LLVMValueRef fn = add_function(g, name, g->i32, params, 6);
    Env env = {.pop = p, .pop_ptr = LLVMGetParam(fn, 0), .dt = LLVMGetParam(fn, 2), .step = LLVMGetParam(fn, 1)};
    LLVMValueRef lo = LLVMGetParam(fn, 3), hi = LLVMGetParam(fn, 4);
    LLVMValueRef step1 = LLVMBuildAdd(g->b, LLVMGetParam(fn, 1), LLVMConstInt(g->i64, 1, 0), "");
    env.t = LLVMBuildFMul(g->b, LLVMBuildSIToFP(g->b, step1, g->f64, ""), env.dt, "t");
    env.scalars = cg_pop_field(g, env.pop_ptr, POP_SCALARS, g->ptr, "scalars");
    env.arrays = load_arrays(g, scratch, p, env.pop_ptr);
    LLVMValueRef refr = cg_pop_field(g, env.pop_ptr, POP_REFRACTORY, g->ptr, "refractory");
    LLVMValueRef prev = cg_pop_field(g, env.pop_ptr, POP_COND_PREV, g->ptr, "cond_prev");
    LLVMValueRef flags = cg_pop_field(g, env.pop_ptr, POP_FLAGS, g->ptr, "flags");
    LLVMValueRef spiked = cg_pop_field(g, env.pop_ptr, POP_SPIKED, g->ptr, "spiked");
    spiked = LLVMBuildGEP2(g->b, g->i64, spiked, &lo, 1, "spiked.range");
    LLVMValueRef ns = LLVMBuildAlloca(g->b, g->i64, "nspiked");
    LLVMValueRef bad = LLVMBuildAlloca(g->b, g->i1, "bad");
    LLVMValueRef longer = LLVMBuildAlloca(g->b, g->i1, "longer");
    LLVMBuildStore(g->b, LLVMConstInt(g->i64, 0, 0), ns);
    LLVMBuildStore(g->b, LLVMConstInt(g->i1, 0, 0), bad);
    LLVMBuildStore(g->b, LLVMConstInt(g->i1, 0, 0), longer);
    int nargs = MASK_FIXED + p->narrays;
    LLVMValueRef *args = ARENA_ARRAY(scratch, LLVMValueRef, nargs);
    LLVMValueRef fixed[MASK_FIXED] = {lo, hi, env.t, env.dt, env.step, env.pop_ptr, env.scalars, refr, prev, flags};
    for (int k = 0; k < MASK_FIXED; k++)
        args[k] = fixed[k];
    for (int k = 0; k < p->narrays; k++)
        args[MASK_FIXED + k] = env.arrays[k];
    if (mask)   /* else integrate computed it */
        LLVMBuildCall2(g->b, LLVMGlobalGetValueType(mask), mask, args, (unsigned)nargs, "");
    /* The flags are read 64 bytes at a time (zero-padded to whole 64-byte blocks, and
     * ranges start on block boundaries) and their fire bits turned into 64 bits, one per
     * neuron, by one vector operation; the spike block runs for each set bit, lowest first. So the
     * scan costs next to nothing where nobody fires, and the spike block is emitted
     * once (loops over a block's bytes or words would be unrolled into 64 copies). */
    LLVMValueRef R_uniform = p->refractory && refractory_is_uniform(p) ? refractory_steps(g, &env, p->refractory) : NULL;
    LLVMTypeRef v64i8 = LLVMVectorType(g->i8, 64);
    LLVMValueRef c64 = LLVMConstInt(g->i64, 64, 0), zero = LLVMConstInt(g->i64, 0, 0);
    LLVMValueRef block0 = LLVMBuildUDiv(g->b, lo, c64, "block0");
    LLVMValueRef nblocks = LLVMBuildUDiv(g->b, LLVMBuildAdd(g->b, hi, LLVMConstInt(g->i64, 63, 0), ""), c64, "nblocks");
    Loop lk = cg_loop_from(g, fn, block0, nblocks, "fire.blocks");
    LLVMBasicBlockRef block_bb = LLVMGetInsertBlock(g->b);
    LLVMBasicBlockRef bits = LLVMAppendBasicBlockInContext(g->ctx, fn, "fire.bits");
    LLVMBasicBlockRef next_block = LLVMAppendBasicBlockInContext(g->ctx, fn, "fire.next_block");
    LLVMValueRef block = LLVMBuildLoad2(g->b, v64i8, LLVMBuildGEP2(g->b, v64i8, flags, &lk.i, 1, ""), "block");
    LLVMSetAlignment(block, 64);
    /* bit 0 of each flag byte */
    LLVMValueRef set = LLVMBuildTrunc(g->b, block, LLVMVectorType(g->i1, 64), "");
    LLVMValueRef bits0 = LLVMBuildBitCast(g->b, set, g->i64, "bits");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, bits0, zero, ""), bits, next_block);
    LLVMPositionBuilderAtEnd(g->b, bits);
    LLVMValueRef left = LLVMBuildPhi(g->b, g->i64, "bits.left");
    LLVMAddIncoming(left, &bits0, &block_bb, 1);
    unsigned cttz = LLVMLookupIntrinsicID("llvm.cttz", strlen("llvm.cttz"));
    LLVMValueRef cttz_args[2] = {left, LLVMConstInt(g->i1, 1, 0)};
    LLVMValueRef j = LLVMBuildCall2(g->b, LLVMIntrinsicGetType(g->ctx, cttz, &g->i64, 1),
                                    LLVMGetIntrinsicDeclaration(g->mod, cttz, &g->i64, 1), cttz_args, 2, "j");
    env.i = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, lk.i, c64, ""), j, "i");
    emit_spike(g, scratch, &env, fn, spiked, ns, bad, longer, refr, flags, R_uniform);
    LLVMValueRef rest = LLVMBuildAnd(g->b, left, LLVMBuildSub(g->b, left, LLVMConstInt(g->i64, 1, 0), ""), "rest");
    LLVMBasicBlockRef spike_end = LLVMGetInsertBlock(g->b);
    LLVMAddIncoming(left, &rest, &spike_end, 1);
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, rest, zero, ""), bits, next_block);
    LLVMPositionBuilderAtEnd(g->b, next_block);
    cg_loop_end(g, &lk, nblocks);
    LLVMBuildStore(g->b, LLVMBuildLoad2(g->b, g->i64, ns, ""), LLVMGetParam(fn, 5));
    LLVMValueRef none = LLVMConstInt(g->i32, 0, 0);
    LLVMValueRef ret = LLVMBuildSelect(g->b, LLVMBuildLoad2(g->b, g->i1, bad, ""),
                                       LLVMConstInt(g->i32, NRT_FIRE_NONFINITE, 0), none, "");
    LLVMValueRef more = LLVMBuildSelect(g->b, LLVMBuildLoad2(g->b, g->i1, longer, ""),
                                        LLVMConstInt(g->i32, NRT_FIRE_LONG, 0), none, "");
    LLVMBuildRet(g->b, LLVMBuildOr(g->b, ret, more, ""));
}

/* ---- observe: recorded lets and inputs at t = step·dt -------------------------------- */

static void emit_observe(Cg *g, Arena *scratch, int index, const IrPop *p)
{
    char name[64];
    cg_symbol_name(name, sizeof name, "observe", index);
    LLVMTypeRef params[3] = {g->ptr, g->i64, g->f64};
    LLVMValueRef fn = add_function(g, name, LLVMVoidTypeInContext(g->ctx), params, 3);
    Env env = {.pop = p, .pop_ptr = LLVMGetParam(fn, 0), .dt = LLVMGetParam(fn, 2), .step = LLVMGetParam(fn, 1)};
    env.t = LLVMBuildFMul(g->b, LLVMBuildSIToFP(g->b, LLVMGetParam(fn, 1), g->f64, ""), env.dt, "t");
    env.scalars = cg_pop_field(g, env.pop_ptr, POP_SCALARS, g->ptr, "scalars");
    env.arrays = load_arrays(g, scratch, p, env.pop_ptr);
    LLVMValueRef n = cg_pop_field(g, env.pop_ptr, POP_N, g->i64, "n");
    Loop l = cg_loop_begin(g, fn, n, "observe.loop");
    env.i = l.i;
    for (int k = 0; k < p->nobserved; k++)
        cg_store_at(g, env.arrays[p->observed[k].slot], l.i, cg_emit(g, &env, p->observed[k].value));
    cg_loop_end(g, &l, n);
    LLVMBuildRetVoid(g->b);
}

/* pop `index`'s function `what` is pop `same`'s (the same step code, ir_share.c). */
static void alias_function(Cg *g, const char *what, int index, int same)
{
    char name[64], target[64];
    cg_symbol_name(name, sizeof name, what, index);
    cg_symbol_name(target, sizeof target, what, same);
    LLVMValueRef fn = LLVMGetNamedFunction(g->mod, target);
    if (!fn)
        NRN_UNREACHABLE();
    LLVMAddAlias2(g->mod, LLVMGlobalGetValueType(fn), 0, fn, name);
}

void cg_pop_functions(Cg *g, int index, const IrPop *p, int same, int same_init)
{
    Arena scratch;
    arena_init(&scratch);
    if (same_init >= 0) {
        alias_function(g, "init", index, same_init);
        if (p->exact)
            alias_function(g, "derive", index, same_init);
    } else {
        emit_init(g, &scratch, index, p);
        if (p->exact)
            emit_derive(g, &scratch, index, p);
    }
    if (same >= 0) {
        alias_function(g, "integrate", index, same);
        if (p->threshold)
            alias_function(g, "fire", index, same);
        if (p->nobserved)
            alias_function(g, "observe", index, same);
        arena_fini(&scratch);
        return;
    }
    emit_integrate(g, &scratch, index, p);
    if (p->threshold)
        emit_fire(g, &scratch, index, p);
    if (p->nobserved)
        emit_observe(g, &scratch, index, p);
    arena_fini(&scratch);
}
