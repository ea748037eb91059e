/* Generated functions of one connection block (see nrt.h, nrt_conn_*_fn): init, pre
 * (on_pre for the synapses of spiking pre neurons), pre_syn (the same per synapse, for
 * per-synapse delays), post (on_post through the post index), summed and poisson.
 *
 * Every function loops over synapses inside itself: the runtime makes one call per block
 * and step, never one per synapse. Expressions go through cg_emit like neuron code; a
 * leaf on the pre or post side reads that population's arrays at the synapse's pre or
 * post index, a synapse leaf reads the block's arrays at the synapse id. A linear
 * `post.X += w` with a homogeneous weight therefore compiles to a bare scatter-add
 * loop: load the post index, add, store. (event) states are brought to the event's time
 * (x·exp(a·(t - last))) before the event's statements run. */
#include <string.h>

#include "cg_internal.h"
#include "nrt.h"
#include "util.h"

LLVMValueRef cg_conn_field(Cg *g, LLVMValueRef conn, int field, LLVMTypeRef ty, const char *name)
{
    LLVMValueRef p = LLVMBuildStructGEP2(g->b, g->conn_ty, conn, (unsigned)field, "");
    return LLVMBuildLoad2(g->b, ty, p, name);
}

static LLVMValueRef add_function(Cg *g, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n)
{
    LLVMValueRef fn = LLVMAddFunction(g->mod, name, LLVMFunctionType(ret, params, n, 0));
    LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, fn, "entry"));
    return fn;
}

/* The environment of a population seen from connection code (its i set per synapse). */
static Env *side_env(Cg *g, Arena *scratch, const IrPop *p, LLVMValueRef pop, LLVMValueRef t, LLVMValueRef dt)
{
    Env *e = ARENA_NEW(scratch, Env);
    e->pop = p;
    e->pop_ptr = pop;
    e->t = t;
    e->dt = dt;
    e->scalars = cg_pop_field(g, pop, POP_SCALARS, g->ptr, "scalars");
    LLVMValueRef arrays = cg_pop_field(g, pop, POP_ARRAYS, g->ptr, "arrays");
    e->arrays = ARENA_ARRAY(scratch, LLVMValueRef, p->narrays + 1);
    for (int k = 0; k < p->narrays; k++)
        e->arrays[k] = cg_array_base(g, arrays, k, cg_array_name(scratch, p, k));
    return e;
}

typedef struct ConnFn {
    LLVMValueRef fn;
    Env env;
    LLVMValueRef row, post_idx;
} ConnFn;

/* The entry of every connection function: (conn, pre, post, ...) with t = step·dt when
 * the function has a step. */
static void begin(Cg *g, Arena *scratch, ConnFn *f, const IrConn *c, LLVMValueRef step, LLVMValueRef dt)
{
    const IrModule *m = g->m;
    Env *env = &f->env;
    env->conn = c;
    env->conn_ptr = LLVMGetParam(f->fn, 0);
    env->dt = dt;
    env->step = step;
    env->t = step ? LLVMBuildFMul(g->b, LLVMBuildSIToFP(g->b, step, g->f64, ""), dt, "t") : cg_fconst(g, 0);
    env->post = side_env(g, scratch, &m->pops[c->post], LLVMGetParam(f->fn, 2), env->t, dt);
    env->pre = c->pre >= 0 ? side_env(g, scratch, &m->pops[c->pre], LLVMGetParam(f->fn, 1), env->t, dt) : env->post;
    env->pop = env->post->pop;
    env->arrays = env->post->arrays;
    env->scalars = env->post->scalars;
    env->pop_ptr = env->post->pop_ptr;
    env->syn_scalars = cg_conn_field(g, env->conn_ptr, CONN_SCALARS, g->ptr, "syn.scalars");
    LLVMValueRef arrays = cg_conn_field(g, env->conn_ptr, CONN_ARRAYS, g->ptr, "syn.arrays");
    env->syn_arrays = ARENA_ARRAY(scratch, LLVMValueRef, c->narrays + 1);
    for (int k = 0; k < c->narrays; k++)
        env->syn_arrays[k] = cg_array_base(g, arrays, k, "syn.array");
    f->row = cg_conn_field(g, env->conn_ptr, CONN_ROW, g->ptr, "row");
    f->post_idx = cg_conn_field(g, env->conn_ptr, CONN_POST, g->ptr, "post");
}

static LLVMValueRef load_i64(Cg *g, LLVMValueRef base, LLVMValueRef i, const char *name)
{
    return LLVMBuildLoad2(g->b, g->i64, LLVMBuildGEP2(g->b, g->i64, base, &i, 1, ""), name);
}

static LLVMValueRef load_i32_as_i64(Cg *g, LLVMValueRef base, LLVMValueRef i, const char *name)
{
    LLVMValueRef v = LLVMBuildLoad2(g->b, g->i32, LLVMBuildGEP2(g->b, g->i32, base, &i, 1, ""), name);
    return LLVMBuildSExt(g->b, v, g->i64, name);
}

/* for (x = lo; x < hi; x++): like cg_loop_begin, from lo */
typedef struct Range {
    LLVMBasicBlockRef head, exit;
    LLVMValueRef x;
} Range;

static Range range_begin(Cg *g, LLVMValueRef fn, LLVMValueRef lo, LLVMValueRef hi, const char *name)
{
    Range r;
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(g->b);
    r.head = LLVMAppendBasicBlockInContext(g->ctx, fn, name);
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, fn, "body");
    r.exit = LLVMAppendBasicBlockInContext(g->ctx, fn, "done");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, lo, hi, ""), r.head, r.exit);
    LLVMPositionBuilderAtEnd(g->b, r.head);
    r.x = LLVMBuildPhi(g->b, g->i64, "x");
    LLVMAddIncoming(r.x, &lo, &pre, 1);
    LLVMBuildBr(g->b, body);
    LLVMPositionBuilderAtEnd(g->b, body);
    return r;
}

static void range_end(Cg *g, Range *r, LLVMValueRef hi)
{
    LLVMValueRef next = LLVMBuildAdd(g->b, r->x, LLVMConstInt(g->i64, 1, 0), "");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->b);
    LLVMAddIncoming(r->x, &next, &latch, 1);
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, next, hi, ""), r->head, r->exit);
    LLVMPositionBuilderAtEnd(g->b, r->exit);
}

/* (event) states decay from the synapse's last event to now; then now is the last. */
static void catch_up(Cg *g, Env *env)
{
    const IrConn *c = env->conn;
    if (c->last_slot < 0)
        return;
    LLVMValueRef lp = LLVMBuildGEP2(g->b, g->f64, env->syn_arrays[c->last_slot], &env->syn, 1, "");
    LLVMValueRef elapsed = LLVMBuildFSub(g->b, env->t, LLVMBuildLoad2(g->b, g->f64, lp, "last"), "elapsed");
    for (int k = 0; k < c->nsyn_states; k++) {
        const IrSynState *st = &c->syn_states[k];
        if (!st->decay)
            continue;
        LLVMValueRef x = LLVMBuildFMul(g->b, cg_fconst(g, st->decay->value), elapsed, "");
        LLVMValueRef f = cg_intrinsic(g, "llvm.exp", &x, 1);
        LLVMValueRef p = LLVMBuildGEP2(g->b, g->f64, env->syn_arrays[st->slot], &env->syn, 1, "");
        LLVMBuildStore(g->b, LLVMBuildFMul(g->b, LLVMBuildLoad2(g->b, g->f64, p, st->name), f, ""), p);
    }
    LLVMBuildStore(g->b, env->t, lp);
}

/* ---- functions ---------------------------------------------------------------------- */

static void symbol(char *buf, size_t n, const char *what, int index) { cg_symbol_name(buf, n, what, index); }

/* i32 init(conn, pre, post, dt): per-synapse weights, delays (steps) and states. */
static void emit_init(Cg *g, Arena *scratch, int index, const IrConn *c)
{
    char name[64];
    symbol(name, sizeof name, "conn_init", index);
    LLVMTypeRef params[4] = {g->ptr, g->ptr, g->ptr, g->f64};
    ConnFn f = {.fn = add_function(g, name, g->i32, params, 4)};
    begin(g, scratch, &f, c, NULL, LLVMGetParam(f.fn, 3));
    Env *env = &f.env;
    if (!c->weight_per_syn) {
        LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)c->weight_slot, 0);
        cg_store_at(g, env->syn_scalars, idx, cg_emit(g, env, c->weight));
    }
    LLVMValueRef bad = LLVMBuildAlloca(g->b, g->i32, "negative");
    LLVMBuildStore(g->b, LLVMConstInt(g->i32, 0, 0), bad);
    LLVMValueRef delay = cg_conn_field(g, env->conn_ptr, CONN_DELAY, g->ptr, "delay");
    LLVMValueRef npre = cg_conn_field(g, env->conn_ptr, CONN_NPRE, g->i64, "npre");
    Loop li = cg_loop_begin(g, f.fn, npre, "init.rows");
    env->pre->i = li.i;
    LLVMValueRef lo = load_i64(g, f.row, li.i, "lo");
    LLVMValueRef hi = load_i64(g, f.row, LLVMBuildAdd(g->b, li.i, LLVMConstInt(g->i64, 1, 0), ""), "hi");
    Range r = range_begin(g, f.fn, lo, hi, "init.syn");
    env->syn = r.x;
    env->post->i = load_i32_as_i64(g, f.post_idx, r.x, "j");
    if (c->weight_per_syn && c->weight)
        cg_store_at(g, env->syn_arrays[c->weight_slot], r.x, cg_emit(g, env, c->weight));
    for (int k = 0; k < c->nsyn_states; k++)
        if (c->syn_states[k].slot >= 0)
            cg_store_at(g, env->syn_arrays[c->syn_states[k].slot], r.x, cg_emit(g, env, c->syn_states[k].init));
    if (c->hetero_delay) {
        /* round-half-up(d / dt), as refractory */
        LLVMValueRef x = LLVMBuildFDiv(g->b, cg_emit(g, env, c->delay), env->dt, "");
        x = LLVMBuildFAdd(g->b, x, cg_fconst(g, 0.5 + 1e-9), "");
        x = cg_intrinsic(g, "llvm.floor", &x, 1);
        LLVMValueRef neg = LLVMBuildFCmp(g->b, LLVMRealULT, x, cg_fconst(g, 0), "");
        LLVMValueRef n = LLVMBuildLoad2(g->b, g->i32, bad, "");
        LLVMBuildStore(g->b, LLVMBuildAdd(g->b, n, LLVMBuildZExt(g->b, neg, g->i32, ""), ""), bad);
        x = LLVMBuildSelect(g->b, neg, cg_fconst(g, 0), x, "");
        x = LLVMBuildSelect(g->b, LLVMBuildFCmp(g->b, LLVMRealOGT, x, cg_fconst(g, 1e6), ""), cg_fconst(g, 1e6), x, "");
        LLVMValueRef steps = LLVMBuildFPToSI(g->b, x, g->i32, "delay");
        LLVMBuildStore(g->b, steps, LLVMBuildGEP2(g->b, g->i32, delay, &r.x, 1, ""));
    }
    range_end(g, &r, hi);
    cg_loop_end(g, &li, npre);
    LLVMBuildRet(g->b, LLVMBuildLoad2(g->b, g->i32, bad, ""));
}

static LLVMValueRef event_fn(Cg *g, const char *what, int index)
{
    char name[64];
    symbol(name, sizeof name, what, index);
    LLVMTypeRef params[7] = {g->ptr, g->ptr, g->ptr, g->ptr, g->i64, g->i64, g->f64};
    return add_function(g, name, LLVMVoidTypeInContext(g->ctx), params, 7);
}

static void prefetch(Cg *g, LLVMValueRef base, LLVMTypeRef elem, LLVMValueRef index)
{
    unsigned id = LLVMLookupIntrinsicID("llvm.prefetch", 13);
    LLVMTypeRef over[1] = {g->ptr};
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->mod, id, over, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(g->ctx, id, over, 1);
    /* a read, kept in every cache level, of data */
    LLVMValueRef args[4] = {LLVMBuildGEP2(g->b, elem, base, &index, 1, ""), LLVMConstInt(g->i32, 0, 0),
                            LLVMConstInt(g->i32, 3, 0), LLVMConstInt(g->i32, 1, 0)};
    LLVMBuildCall2(g->b, fty, fn, args, 4, "");
}

/* Delivery walks a list of spikes, and for each a row (or column) found through a bound
 * array: three dependent cache misses (bound, first synapse, target) per spike once the
 * network outgrows the caches. The list is known before the loop, so the bounds of the
 * spike AHEAD_BOUNDS places on and the first synapses of the one AHEAD_ROW places on are
 * requested early and their misses overlap the current row's work: CUBA at 256,000
 * neurons, one thread, loop 6.0 -> 4.5 s (bench/results_notes.md). */
enum { AHEAD_BOUNDS = 8, AHEAD_ROW = 4 };

/* min(i + by, n - 1) */
static LLVMValueRef index_ahead(Cg *g, LLVMValueRef n, LLVMValueRef i, int by)
{
    LLVMValueRef j = LLVMBuildAdd(g->b, i, LLVMConstInt(g->i64, (unsigned long long)by, 0), "");
    LLVMValueRef last = LLVMBuildSub(g->b, n, LLVMConstInt(g->i64, 1, 0), "");
    return LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, j, n, ""), j, last, "");
}

/* list[min(i + by, n - 1)] */
static LLVMValueRef list_ahead(Cg *g, LLVMValueRef list, LLVMValueRef n, LLVMValueRef i, int by)
{
    return load_i64(g, list, index_ahead(g, n, i, by), "ahead");
}

/* At spike i of the list: prefetches the bounds (lo, and hi when it is an array of its
 * own) of spike i + AHEAD_BOUNDS and returns where the row (or column) of spike
 * i + AHEAD_ROW starts, for the caller to prefetch what its synapses use. */
static LLVMValueRef prefetch_ahead(Cg *g, LLVMValueRef list, LLVMValueRef n, LLVMValueRef i, LLVMValueRef bounds)
{
    LLVMValueRef far = list_ahead(g, list, n, i, AHEAD_BOUNDS);
    prefetch(g, bounds, g->i64, far);
    return load_i64(g, bounds, list_ahead(g, list, n, i, AHEAD_ROW), "ahead.lo");
}

/* on_pre for every synapse of the listed pre neurons (one delay for the block) onto one
 * range of targets: conn_pre(conn, pre, post, list, n, step, dt, row_lo, row_hi), the
 * synapses of the x-th listed neuron being [row_lo[x], row_hi[x]). A row is ascending in
 * post index, so a range's synapses are one stretch of it; the runtime finds the stretches
 * (net.c), so the bounds arrive in list order and only the rows themselves are far apart:
 * the first synapses of the neuron AHEAD_ROW places on are requested early, and their
 * misses overlap the current row's work. */
static void emit_pre(Cg *g, Arena *scratch, int index, const IrConn *c)
{
    char name[64];
    symbol(name, sizeof name, "conn_pre", index);
    LLVMTypeRef params[9] = {g->ptr, g->ptr, g->ptr, g->ptr, g->i64, g->i64, g->f64, g->ptr, g->ptr};
    ConnFn f = {.fn = add_function(g, name, LLVMVoidTypeInContext(g->ctx), params, 9)};
    begin(g, scratch, &f, c, LLVMGetParam(f.fn, 5), LLVMGetParam(f.fn, 6));
    Env *env = &f.env;
    LLVMValueRef list = LLVMGetParam(f.fn, 3), n = LLVMGetParam(f.fn, 4);
    LLVMValueRef row_lo = LLVMGetParam(f.fn, 7), row_hi = LLVMGetParam(f.fn, 8);
    Loop ls = cg_loop_begin(g, f.fn, n, "pre.spikes");
    LLVMValueRef next = load_i64(g, row_lo, index_ahead(g, n, ls.i, AHEAD_ROW), "ahead.lo");
    prefetch(g, f.post_idx, g->i32, next);
    for (int k = 0; k < c->narrays; k++)
        prefetch(g, env->syn_arrays[k], g->f64, next);
    env->pre->i = load_i64(g, list, ls.i, "i");
    LLVMValueRef lo = load_i64(g, row_lo, ls.i, "row.lo");
    LLVMValueRef hi = load_i64(g, row_hi, ls.i, "row.hi");
    Range r = range_begin(g, f.fn, lo, hi, "pre.syn");
    env->syn = r.x;
    env->post->i = load_i32_as_i64(g, f.post_idx, r.x, "j");
    catch_up(g, env);
    cg_emit_stmts(g, env, f.fn, c->on_pre, NULL, NULL);
    range_end(g, &r, hi);
    cg_loop_end(g, &ls, n);
    LLVMBuildRetVoid(g->b);
}

/* on_pre for one piece of a range of targets, those below post_hi, when a step delivers a
 * range piece by piece (runtime/run.c): conn_pre_piece(conn, pre, post, list, n, step,
 * dt, cursor, stop, post_hi) runs the synapses of the x-th listed neuron from cursor[x]
 * up to the first one onto post_hi or beyond (or stop[x]) and leaves cursor[x] there.
 * One pass: the test is on the post index the synapse loads anyway. */
static void emit_pre_piece(Cg *g, Arena *scratch, int index, const IrConn *c)
{
    char name[64];
    symbol(name, sizeof name, "conn_pre_piece", index);
    LLVMTypeRef params[10] = {g->ptr, g->ptr, g->ptr, g->ptr, g->i64, g->i64, g->f64, g->ptr, g->ptr, g->i64};
    ConnFn f = {.fn = add_function(g, name, LLVMVoidTypeInContext(g->ctx), params, 10)};
    begin(g, scratch, &f, c, LLVMGetParam(f.fn, 5), LLVMGetParam(f.fn, 6));
    Env *env = &f.env;
    LLVMValueRef list = LLVMGetParam(f.fn, 3), n = LLVMGetParam(f.fn, 4);
    LLVMValueRef cursor = LLVMGetParam(f.fn, 7), stop = LLVMGetParam(f.fn, 8), post_hi = LLVMGetParam(f.fn, 9);
    Loop ls = cg_loop_begin(g, f.fn, n, "piece.spikes");
    LLVMValueRef next_row = load_i64(g, cursor, index_ahead(g, n, ls.i, AHEAD_ROW), "ahead.lo");
    prefetch(g, f.post_idx, g->i32, next_row);
    env->pre->i = load_i64(g, list, ls.i, "i");
    LLVMValueRef at = LLVMBuildGEP2(g->b, g->i64, cursor, &ls.i, 1, "cursor");
    LLVMValueRef lo = LLVMBuildLoad2(g->b, g->i64, at, "row.lo");
    LLVMValueRef hi = load_i64(g, stop, ls.i, "row.hi");
    LLVMBasicBlockRef entry = LLVMGetInsertBlock(g->b);
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(g->ctx, f.fn, "piece.syn");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, f.fn, "body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, f.fn, "done");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, lo, hi, ""), head, done);
    LLVMPositionBuilderAtEnd(g->b, head);
    LLVMValueRef x = LLVMBuildPhi(g->b, g->i64, "x");
    LLVMValueRef j = load_i32_as_i64(g, f.post_idx, x, "j");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, j, post_hi, ""), body, done);
    LLVMPositionBuilderAtEnd(g->b, body);
    env->syn = x;
    env->post->i = j;
    catch_up(g, env);
    cg_emit_stmts(g, env, f.fn, c->on_pre, NULL, NULL);
    LLVMValueRef next = LLVMBuildAdd(g->b, x, LLVMConstInt(g->i64, 1, 0), "");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->b);
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, next, hi, ""), head, done);
    LLVMAddIncoming(x, (LLVMValueRef[]){lo, next}, (LLVMBasicBlockRef[]){entry, latch}, 2);
    LLVMPositionBuilderAtEnd(g->b, done);
    LLVMValueRef end = LLVMBuildPhi(g->b, g->i64, "end");
    LLVMAddIncoming(end, (LLVMValueRef[]){lo, x, next}, (LLVMBasicBlockRef[]){entry, head, latch}, 3);
    LLVMBuildStore(g->b, end, at);
    cg_loop_end(g, &ls, n);
    LLVMBuildRetVoid(g->b);
}

/* on_pre for a list of (pre, synapse) pairs (per-synapse delays) */
static void emit_pre_syn(Cg *g, Arena *scratch, int index, const IrConn *c)
{
    ConnFn f = {.fn = event_fn(g, "conn_pre_syn", index)};
    begin(g, scratch, &f, c, LLVMGetParam(f.fn, 5), LLVMGetParam(f.fn, 6));
    Env *env = &f.env;
    LLVMValueRef list = LLVMGetParam(f.fn, 3), n = LLVMGetParam(f.fn, 4);
    Loop l = cg_loop_begin(g, f.fn, n, "events");
    LLVMValueRef at = LLVMBuildShl(g->b, l.i, LLVMConstInt(g->i64, 1, 0), "");
    env->pre->i = load_i64(g, list, at, "i");
    env->syn = load_i64(g, list, LLVMBuildAdd(g->b, at, LLVMConstInt(g->i64, 1, 0), ""), "s");
    env->post->i = load_i32_as_i64(g, f.post_idx, env->syn, "j");
    catch_up(g, env);
    cg_emit_stmts(g, env, f.fn, c->on_pre, NULL, NULL);
    cg_loop_end(g, &l, n);
    LLVMBuildRetVoid(g->b);
}

/* on_post for every synapse onto the listed post neurons */
static void emit_post(Cg *g, Arena *scratch, int index, const IrConn *c)
{
    ConnFn f = {.fn = event_fn(g, "conn_post", index)};
    begin(g, scratch, &f, c, LLVMGetParam(f.fn, 5), LLVMGetParam(f.fn, 6));
    Env *env = &f.env;
    LLVMValueRef list = LLVMGetParam(f.fn, 3), n = LLVMGetParam(f.fn, 4);
    LLVMValueRef col = cg_conn_field(g, env->conn_ptr, CONN_COL, g->ptr, "col");
    LLVMValueRef col_syn = cg_conn_field(g, env->conn_ptr, CONN_COL_SYN, g->ptr, "col_syn");
    LLVMValueRef col_pre = cg_conn_field(g, env->conn_ptr, CONN_COL_PRE, g->ptr, "col_pre");
    Loop ls = cg_loop_begin(g, f.fn, n, "post.spikes");
    LLVMValueRef next = prefetch_ahead(g, list, n, ls.i, col);
    prefetch(g, col_syn, g->i64, next);
    prefetch(g, col_pre, g->i32, next);
    env->post->i = load_i64(g, list, ls.i, "j");
    LLVMValueRef lo = load_i64(g, col, env->post->i, "lo");
    LLVMValueRef hi = load_i64(g, col, LLVMBuildAdd(g->b, env->post->i, LLVMConstInt(g->i64, 1, 0), ""), "hi");
    Range r = range_begin(g, f.fn, lo, hi, "post.syn");
    env->syn = load_i64(g, col_syn, r.x, "s");
    env->pre->i = load_i32_as_i64(g, col_pre, r.x, "i");
    catch_up(g, env);
    cg_emit_stmts(g, env, f.fn, c->on_post, NULL, NULL);
    range_end(g, &r, hi);
    cg_loop_end(g, &ls, n);
    LLVMBuildRetVoid(g->b);
}

static void add_summed(Cg *g, Env *env, const IrConn *c)
{
    const IrPop *post = env->post->pop;
    for (int k = 0; k < c->nsummed; k++) {
        LLVMValueRef base = env->post->arrays[post->input_slots[c->summed[k].input]];
        LLVMValueRef p = LLVMBuildGEP2(g->b, g->f64, base, &env->post->i, 1, "");
        LLVMValueRef v = cg_fbin(g, LLVMFAdd, LLVMBuildLoad2(g->b, g->f64, p, ""), cg_emit(g, env, c->summed[k].value), "");
        LLVMBuildStore(g->b, v, p);
    }
}

/* summed: the block's terms added into the inputs of one range of targets, from rows or
 * a dense matrix: conn_summed(conn, pre, post, step, dt, row_lo, row_hi, lo, hi), the
 * rows' synapses onto the range being [row_lo[i], row_hi[i]) (as conn_pre) and the
 * range's targets [lo, hi) (for the matrix). Each target adds its terms in pre order
 * whatever the range, so the sums do not depend on the split. */
static void emit_summed(Cg *g, Arena *scratch, int index, const IrConn *c)
{
    char name[64];
    symbol(name, sizeof name, "conn_summed", index);
    LLVMTypeRef params[9] = {g->ptr, g->ptr, g->ptr, g->i64, g->f64, g->ptr, g->ptr, g->i64, g->i64};
    ConnFn f = {.fn = add_function(g, name, LLVMVoidTypeInContext(g->ctx), params, 9)};
    begin(g, scratch, &f, c, LLVMGetParam(f.fn, 3), LLVMGetParam(f.fn, 4));
    Env *env = &f.env;
    LLVMValueRef row_lo = LLVMGetParam(f.fn, 5), row_hi = LLVMGetParam(f.fn, 6);
    LLVMValueRef post_lo = LLVMGetParam(f.fn, 7), post_hi = LLVMGetParam(f.fn, 8);
    LLVMValueRef npre = cg_conn_field(g, env->conn_ptr, CONN_NPRE, g->i64, "npre");
    LLVMValueRef npost = cg_conn_field(g, env->conn_ptr, CONN_NPOST, g->i64, "npost");
    LLVMValueRef dense = cg_conn_field(g, env->conn_ptr, CONN_DENSE, g->ptr, "dense");
    LLVMBasicBlockRef rows = LLVMAppendBasicBlockInContext(g->ctx, f.fn, "summed.rows");
    LLVMBasicBlockRef matrix = LLVMAppendBasicBlockInContext(g->ctx, f.fn, "summed.dense");
    LLVMBuildCondBr(g->b, LLVMBuildIsNull(g->b, dense, ""), rows, matrix);

    LLVMPositionBuilderAtEnd(g->b, rows);
    Loop li = cg_loop_begin(g, f.fn, npre, "summed.pre");
    env->pre->i = li.i;
    LLVMValueRef lo = load_i64(g, row_lo, li.i, "lo");
    LLVMValueRef hi = load_i64(g, row_hi, li.i, "hi");
    Range r = range_begin(g, f.fn, lo, hi, "summed.syn");
    env->syn = r.x;
    env->post->i = load_i32_as_i64(g, f.post_idx, r.x, "j");
    add_summed(g, env, c);
    range_end(g, &r, hi);
    cg_loop_end(g, &li, npre);
    LLVMBuildRetVoid(g->b);

    /* dense: the weight of (i, j) is dense[i·npost + j]; the inner loop runs over
     * consecutive targets, so it vectorises */
    LLVMPositionBuilderAtEnd(g->b, matrix);
    if (c->weight_per_syn && c->narrays > c->weight_slot)
        env->syn_arrays[c->weight_slot] = dense;
    Loop di = cg_loop_begin(g, f.fn, npre, "dense.pre");
    env->pre->i = di.i;
    LLVMValueRef rowbase = LLVMBuildMul(g->b, di.i, npost, "");
    Loop dj = cg_loop_from(g, f.fn, post_lo, post_hi, "dense.post");
    env->post->i = dj.i;
    env->syn = LLVMBuildAdd(g->b, rowbase, dj.i, "ij");
    add_summed(g, env, c);
    cg_loop_end(g, &dj, post_hi);
    cg_loop_end(g, &di, npre);
    LLVMBuildRetVoid(g->b);
}

/* poisson: every target j of [lo, hi) runs on_pre counts[j] times (once, scaled, when
 * additive); the weight is the connection's expression, evaluated per target.
 * conn_poisson(conn, pre, post, step, dt, lo, hi) */
static void emit_poisson(Cg *g, Arena *scratch, int index, const IrConn *c)
{
    char name[64];
    symbol(name, sizeof name, "conn_poisson", index);
    LLVMTypeRef params[7] = {g->ptr, g->ptr, g->ptr, g->i64, g->f64, g->i64, g->i64};
    ConnFn f = {.fn = add_function(g, name, LLVMVoidTypeInContext(g->ctx), params, 7)};
    begin(g, scratch, &f, c, LLVMGetParam(f.fn, 3), LLVMGetParam(f.fn, 4));
    Env *env = &f.env;
    env->weight_expr = c->weight;
    const IrStmt *body = c->on_pre;
    LLVMValueRef counts = cg_conn_field(g, env->conn_ptr, CONN_COUNTS, g->ptr, "counts");
    LLVMValueRef post_hi = LLVMGetParam(f.fn, 6);
    Loop lj = cg_loop_from(g, f.fn, LLVMGetParam(f.fn, 5), post_hi, "poisson.targets");
    env->post->i = lj.i;
    env->syn = lj.i;
    LLVMValueRef k = LLVMBuildLoad2(g->b, g->i32, LLVMBuildGEP2(g->b, g->i32, counts, &lj.i, 1, ""), "k");
    if (c->pre_additive) {
        cg_emit_stmts(g, env, f.fn, body, LLVMBuildSIToFP(g->b, k, g->f64, "k"), NULL);
    } else {
        Loop lk = cg_loop_begin(g, f.fn, LLVMBuildSExt(g->b, k, g->i64, ""), "poisson.events");
        env->draw = lk.i;   /* each event draws anew */
        cg_emit_stmts(g, env, f.fn, body, NULL, NULL);
        env->draw = NULL;
        cg_loop_end(g, &lk, LLVMBuildSExt(g->b, k, g->i64, ""));
    }
    cg_loop_end(g, &lj, post_hi);
    LLVMBuildRetVoid(g->b);
}

/* block `index`'s function `what` is block `same`'s (the same code, ir_share.c) */
static void alias(Cg *g, const char *what, int index, int same)
{
    char name[64], target[64];
    symbol(name, sizeof name, what, index);
    symbol(target, sizeof target, what, same);
    LLVMValueRef fn = LLVMGetNamedFunction(g->mod, target);
    if (!fn)
        NRN_UNREACHABLE();
    LLVMAddAlias2(g->mod, LLVMGlobalGetValueType(fn), 0, fn, name);
}

/* Each function of the block, or an alias of block `same`'s (same_init for conn_init). */
bool cg_wants_pieces(const IrModule *m)
{
    for (int p = 0; p < m->npops; p++)
        if (m->pops[p].size > 2 * nrt_piece_neurons(NRT_PIECE_BYTES, m->pops[p].narrays))
            return true;
    return false;
}

void cg_conn_functions(Cg *g, int index, const IrConn *c, int same, int same_init, bool pieces)
{
    Arena scratch;
    arena_init(&scratch);
    typedef void (*Emit)(Cg *, Arena *, int, const IrConn *);
    struct { bool wanted; const char *what; Emit emit; int like; } fns[] = {
        {c->rule == CONN_POISSON && c->on_pre, "conn_poisson", emit_poisson, same},
        {c->rule != CONN_POISSON, "conn_init", emit_init, same_init},
        {c->rule != CONN_POISSON && c->on_pre && !c->hetero_delay, "conn_pre", emit_pre, same},
        {pieces && c->rule != CONN_POISSON && c->on_pre && !c->hetero_delay, "conn_pre_piece", emit_pre_piece, same},
        {c->rule != CONN_POISSON && c->on_pre && c->hetero_delay, "conn_pre_syn", emit_pre_syn, same},
        {c->rule != CONN_POISSON && c->on_post, "conn_post", emit_post, same},
        {c->rule != CONN_POISSON && c->nsummed, "conn_summed", emit_summed, same},
    };
    for (size_t k = 0; k < sizeof fns / sizeof *fns; k++) {
        if (!fns[k].wanted)
            continue;
        if (fns[k].like >= 0)
            alias(g, fns[k].what, index, fns[k].like);
        else
            fns[k].emit(g, &scratch, index, c);
    }
    arena_fini(&scratch);
}
