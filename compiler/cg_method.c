/* The integration methods, as straight-line code inside the integrate loop.
 *
 * Each method sees the states at the start of the step (env->states) and returns the
 * next value of every state with an ODE. Derivatives of held states are zero while the
 * neuron is refractory (Brian2's `unless refractory`), so the other equations see them
 * constant; the caller also keeps their stored value. */
#include "cg_internal.h"
#include "util.h"

/* f(x, t) for every state with an ODE, at the state values `x` and time `t`. */
static LLVMValueRef *derivs(Cg *g, Arena *scratch, Env *env, LLVMValueRef *x, LLVMValueRef t, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    LLVMValueRef *saved_states = env->states, saved_t = env->t;
    env->states = x;
    env->t = t;
    LLVMValueRef *f = ARENA_ARRAY(scratch, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++) {
        if (!p->states[k].deriv)
            continue;
        f[k] = cg_emit(g, env, p->states[k].deriv);
        if (held && p->states[k].held)
            f[k] = LLVMBuildSelect(g->b, held, cg_fconst(g, 0), f[k], "");
    }
    env->states = saved_states;
    env->t = saved_t;
    return f;
}

LLVMValueRef *cg_derivs(Cg *g, Arena *scratch, Env *env, LLVMValueRef *x, LLVMValueRef t, LLVMValueRef held)
{
    return derivs(g, scratch, env, x, t, held);
}

/* x + h·f, per state with an ODE (others unchanged). */
static LLVMValueRef *axpy(Cg *g, Arena *scratch, const IrPop *p, LLVMValueRef *x, LLVMValueRef h, LLVMValueRef *f)
{
    LLVMValueRef *y = ARENA_ARRAY(scratch, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++)
        y[k] = p->states[k].deriv ? cg_fbin(g, LLVMFAdd, x[k], cg_fbin(g, LLVMFMul, h, f[k], ""), "") : x[k];
    return y;
}

static LLVMValueRef half_dt(Cg *g, Env *env) { return cg_fbin(g, LLVMFMul, env->dt, cg_fconst(g, 0.5), "dt.half"); }

static LLVMValueRef *step_euler(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    LLVMValueRef *k1 = derivs(g, s, env, env->states, env->t, held);
    return axpy(g, s, env->pop, env->states, env->dt, k1);
}

static LLVMValueRef *step_rk2(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    LLVMValueRef h2 = half_dt(g, env);
    LLVMValueRef *k1 = derivs(g, s, env, env->states, env->t, held);
    LLVMValueRef *mid = axpy(g, s, env->pop, env->states, h2, k1);
    LLVMValueRef *k2 = derivs(g, s, env, mid, cg_fbin(g, LLVMFAdd, env->t, h2, ""), held);
    return axpy(g, s, env->pop, env->states, env->dt, k2);
}

static LLVMValueRef *step_heun(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    LLVMValueRef *k1 = derivs(g, s, env, env->states, env->t, held);
    LLVMValueRef *pred = axpy(g, s, p, env->states, env->dt, k1);
    LLVMValueRef *k2 = derivs(g, s, env, pred, cg_fbin(g, LLVMFAdd, env->t, env->dt, ""), held);
    LLVMValueRef *avg = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++)
        if (p->states[k].deriv)
            avg[k] = cg_fbin(g, LLVMFMul, cg_fbin(g, LLVMFAdd, k1[k], k2[k], ""), cg_fconst(g, 0.5), "");
    return axpy(g, s, p, env->states, env->dt, avg);
}

static LLVMValueRef *step_rk4(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    LLVMValueRef h2 = half_dt(g, env);
    LLVMValueRef tmid = cg_fbin(g, LLVMFAdd, env->t, h2, "t.mid");
    LLVMValueRef tend = cg_fbin(g, LLVMFAdd, env->t, env->dt, "t.end");
    LLVMValueRef *k1 = derivs(g, s, env, env->states, env->t, held);
    LLVMValueRef *k2 = derivs(g, s, env, axpy(g, s, p, env->states, h2, k1), tmid, held);
    LLVMValueRef *k3 = derivs(g, s, env, axpy(g, s, p, env->states, h2, k2), tmid, held);
    LLVMValueRef *k4 = derivs(g, s, env, axpy(g, s, p, env->states, env->dt, k3), tend, held);
    LLVMValueRef *sum = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    LLVMValueRef sixth = cg_fconst(g, 1.0 / 6.0);
    for (int k = 0; k < p->nstates; k++) {
        if (!p->states[k].deriv)
            continue;
        LLVMValueRef mid = cg_fbin(g, LLVMFMul, cg_fbin(g, LLVMFAdd, k2[k], k3[k], ""), cg_fconst(g, 2), "");
        LLVMValueRef all = cg_fbin(g, LLVMFAdd, cg_fbin(g, LLVMFAdd, k1[k], k4[k], ""), mid, "");
        sum[k] = cg_fbin(g, LLVMFMul, all, sixth, "");
    }
    return axpy(g, s, p, env->states, env->dt, sum);
}

/* expm1(x) without a call that the vectoriser cannot map (libm's expm1 has no vector
 * variant that LLVM 19 knows): exp(x) - 1 where |x| > 1, and the Taylor series to x^18
 * (truncation below 1/19! = 8e-18 relative) where |x| <= 1. Both are computed and one is
 * selected, so the loop stays branch-free; llvm.exp becomes libmvec's vector exp. exp's
 * error grows in exp(x) - 1 by e^x/|e^x - 1| (2.5 at x = 1/2, 1.6 at 1), and doubles in
 * ulp where e^x is just above a power of two (the difference is a binade lower): 4 ulp
 * at worst with the switch at 1, 5 with it at 1/2; moving it to ln 4 (21 terms) gained
 * nothing. tests/ir/test_expm1.c checks it against libm's expm1. */
enum { EXPM1_TERMS = 18 };

LLVMValueRef cg_expm1(Cg *g, LLVMValueRef x)
{
    LLVMValueRef e = cg_intrinsic(g, "llvm.exp", &x, 1);
    LLVMValueRef big = LLVMBuildFSub(g->b, e, cg_fconst(g, 1), "");
    /* x (1 + x/2 (1 + x/3 (1 + ... (1 + x/14)))): no coefficient rounds to a tiny one */
    LLVMValueRef q = cg_fconst(g, 1);
    for (int k = EXPM1_TERMS; k >= 2; k--) {
        LLVMValueRef t = LLVMBuildFMul(g->b, x, cg_fconst(g, 1.0 / k), "");
        q = LLVMBuildFAdd(g->b, cg_fconst(g, 1), LLVMBuildFMul(g->b, t, q, ""), "");
    }
    LLVMValueRef small = LLVMBuildFMul(g->b, x, q, "");
    LLVMValueRef ax = cg_intrinsic(g, "llvm.fabs", &x, 1);
    LLVMValueRef near = LLVMBuildFCmp(g->b, LLVMRealOLE, ax, cg_fconst(g, 1), "");
    return LLVMBuildSelect(g->b, near, small, big, "expm1");
}

/* x' = x + (a + b·x)·φ with φ = expm1(b·dt)/b (→ dt as b → 0): exact when a and b are
 * constant over the step. */
static LLVMValueRef *step_expeuler(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    const IrExpEuler *x = p->expeuler;
    LLVMValueRef *next = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++) {
        if (!p->states[k].deriv)
            continue;
        LLVMValueRef a = cg_emit(g, env, x->a[k]), b = cg_emit(g, env, x->b[k]);
        LLVMValueRef h = cg_fbin(g, LLVMFMul, b, env->dt, "");
        LLVMValueRef e = cg_expm1(g, h);
        LLVMValueRef phi = LLVMBuildFDiv(g->b, e, b, "");
        LLVMValueRef tiny = LLVMBuildFCmp(g->b, LLVMRealOEQ, h, cg_fconst(g, 0), "");
        phi = LLVMBuildSelect(g->b, tiny, env->dt, phi, "phi");
        LLVMValueRef rate = cg_fbin(g, LLVMFAdd, a, cg_fbin(g, LLVMFMul, b, env->states[k], ""), "");
        if (held && p->states[k].held)
            rate = LLVMBuildSelect(g->b, held, cg_fconst(g, 0), rate, "");
        next[k] = cg_fbin(g, LLVMFAdd, env->states[k], cg_fbin(g, LLVMFMul, rate, phi, ""), "");
    }
    return next;
}

/* reach[r*n + c]: x_c can influence x_r over a step, i.e. there is a path c -> r through
 * the nonzero entries of A (A[r][c] != 0: x_c drives x_r). Where there is none, P and Q
 * (the propagators, exp(A dt) and its integral) are exactly zero whatever the params, so
 * the product is not emitted: an uncoupled synaptic trace costs one multiply, not n. */
bool *cg_exact_reach(Arena *s, const IrExact *x)
{
    int n = x->n, nedges = 0;
    /* the rows each column drives (A[r][c] != 0), as adjacency lists */
    int *first = ARENA_ARRAY(s, int, n + 1);
    for (int c = 0; c < n; c++) {
        first[c] = nedges;
        for (int r = 0; r < n; r++)
            nedges += !ir_is_const(x->A[r * n + c], 0);
    }
    first[n] = nedges;
    int *drives = ARENA_ARRAY(s, int, nedges + 1);
    for (int c = 0, e = 0; c < n; c++)
        for (int r = 0; r < n; r++)
            if (!ir_is_const(x->A[r * n + c], 0))
                drives[e++] = r;
    /* a depth-first search from each column: O(n·(n + edges)), not Warshall's n³ */
    bool *reach = ARENA_ARRAY(s, bool, n * n);
    int *stack = ARENA_ARRAY(s, int, n + 1);
    for (int c = 0; c < n; c++) {
        int top = 0;
        reach[c * n + c] = true;
        stack[top++] = c;
        while (top > 0) {
            int from = stack[--top];
            for (int e = first[from]; e < first[from + 1]; e++) {
                int r = drives[e];
                if (!reach[r * n + c]) {
                    reach[r * n + c] = true;
                    stack[top++] = r;
                }
            }
        }
    }
    return reach;
}

enum { LOOP_TERMS = 256 };   /* products P[r][c]·x_c per neuron above which the step loops */

static int count_terms(const IrExact *x, const bool *reach)
{
    int terms = 0;
    for (int k = 0; k < x->n * x->n; k++)
        terms += reach[k];
    return terms;
}

/* Whether x(t+dt) = P x + Q b is computed by loops over the coupled entries (a large,
 * densely coupled system with one propagator per population) rather than as
 * straight-line code: that keeps the code, and LLVM's time on it, in proportion to n
 * rather than to the number of products, whose straight-line form also keeps every P
 * entry live across the neuron loop. */
static bool exact_as_loop(const IrExact *x, const bool *reach)
{
    return !x->per_neuron && !x->has_held && count_terms(x, reach) > LOOP_TERMS;
}

/* The propagator entries read before the loop (uniform ones): P, Q, and with holds the
 * P, Q of the held system. */
LLVMValueRef *cg_method_prepare(Cg *g, Arena *scratch, Env *env)
{
    const IrPop *p = env->pop;
    const IrExact *x = p->exact;
    if (p->method != METHOD_EXACT || x->per_neuron)
        return NULL;
    int nn = x->n * x->n;
    LLVMValueRef *pq = ARENA_ARRAY(scratch, LLVMValueRef, 4 * nn);
    const bool *reach = cg_exact_reach(scratch, x);
    if (exact_as_loop(x, reach))
        return pq;   /* step_exact_loop reads P and Q itself */
    for (int k = 0; k < nn; k++) {
        if (!reach[k])
            continue;
        pq[k] = cg_scalar_at(g, env->scalars, x->P_slot + k, "P");
        pq[nn + k] = cg_scalar_at(g, env->scalars, x->Q_slot + k, "Q");
        if (x->has_held) {
            pq[2 * nn + k] = cg_scalar_at(g, env->scalars, x->Ph_slot + k, "P.held");
            pq[3 * nn + k] = cg_scalar_at(g, env->scalars, x->Qh_slot + k, "Q.held");
        }
    }
    return pq;
}

/* Entry `which` (0 P, 1 Q, 2 P held, 3 Q held) k of the propagator. */
static LLVMValueRef propagator(Cg *g, Env *env, LLVMValueRef *pq, int which, int k)
{
    const IrExact *x = env->pop->exact;
    if (pq)
        return pq[which * x->n * x->n + k];
    const int slots[4] = {x->P_slot, x->Q_slot, x->Ph_slot, x->Qh_slot};
    return cg_load_at(g, env->arrays[slots[which] + k], env->i, which % 2 ? "Q" : "P");
}

/* A private constant i32 table. */
static LLVMValueRef int_table(Cg *g, const char *name, const int *v, int n)
{
    Arena tmp;
    arena_init(&tmp);
    LLVMValueRef *c = ARENA_ARRAY(&tmp, LLVMValueRef, n);
    for (int k = 0; k < n; k++)
        c[k] = LLVMConstInt(g->i32, (unsigned long long)v[k], 0);
    LLVMValueRef gv = LLVMAddGlobal(g->mod, LLVMArrayType2(g->i32, (uint64_t)n), name);
    LLVMSetInitializer(gv, LLVMConstArray2(g->i32, c, (uint64_t)n));
    arena_fini(&tmp);
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    return gv;
}

static LLVMValueRef load_i32_as_i64(Cg *g, LLVMValueRef table, LLVMValueRef i, const char *name)
{
    LLVMValueRef v = LLVMBuildLoad2(g->b, g->i32, LLVMBuildGEP2(g->b, g->i32, table, &i, 1, ""), name);
    return LLVMBuildZExt(g->b, v, g->i64, "");
}

/* The loop form of step_exact (exact_as_loop): x and b go to stack arrays, then for
 * each row r, over the coupled columns c in ascending order (a table, row by row),
 * next_r = sum P[r][c] x_c + Q[r][c] b_c, with P and Q read from the scalars. */
static LLVMValueRef *step_exact_loop(Cg *g, Arena *s, Env *env, const bool *reach)
{
    const IrPop *p = env->pop;
    const IrExact *x = p->exact;
    int n = x->n, terms = count_terms(x, reach);
    int *start = ARENA_ARRAY(s, int, n + 1), *col = ARENA_ARRAY(s, int, terms);
    for (int r = 0, j = 0; r < n; r++) {
        start[r] = j;
        for (int c = 0; c < n; c++)
            if (reach[r * n + c])
                col[j++] = c;
        start[r + 1] = j;
    }
    LLVMValueRef tstart = int_table(g, "exact.row", start, n + 1), tcol = int_table(g, "exact.col", col, terms);
    LLVMTypeRef vec = LLVMArrayType2(g->f64, (uint64_t)n);
    LLVMValueRef xs = cg_entry_alloca(g, vec, "exact.x"), bs = cg_entry_alloca(g, vec, "exact.b");
    LLVMValueRef nx = cg_entry_alloca(g, vec, "exact.next"), acc = cg_entry_alloca(g, g->f64, "exact.acc");
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(g->b));
    /* b is zero but for a few driven states: cleared once, before the neuron loop */
    LLVMBuilderRef eb = LLVMCreateBuilderInContext(g->ctx);
    LLVMValueRef entry_end = LLVMGetBasicBlockTerminator(LLVMGetEntryBasicBlock(fn));
    if (entry_end)
        LLVMPositionBuilderBefore(eb, entry_end);
    else
        LLVMPositionBuilderAtEnd(eb, LLVMGetEntryBasicBlock(fn));
    LLVMBuildMemSet(eb, bs, LLVMConstInt(g->i8, 0, 0),
                    LLVMConstInt(g->i64, (unsigned long long)n * sizeof(double), 0), 8);
    LLVMDisposeBuilder(eb);
    for (int c = 0; c < n; c++) {
        LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)c, 0);
        cg_store_at(g, xs, idx, env->states[x->states[c]]);
        if (!ir_is_const(x->b[c], 0))
            cg_store_at(g, bs, idx, cg_emit(g, env, x->b[c]));
    }
    LLVMValueRef rows = LLVMConstInt(g->i64, (unsigned long long)n, 0);
    Loop lr = cg_loop_begin(g, fn, rows, "exact.rows");
    LLVMValueRef first = load_i32_as_i64(g, tstart, lr.i, "first");
    LLVMValueRef r1 = LLVMBuildAdd(g->b, lr.i, LLVMConstInt(g->i64, 1, 0), "");
    LLVMValueRef count = LLVMBuildSub(g->b, load_i32_as_i64(g, tstart, r1, "last"), first, "count");
    LLVMBuildStore(g->b, cg_fconst(g, 0), acc);
    Loop lc = cg_loop_begin(g, fn, count, "exact.cols");
    LLVMValueRef c = load_i32_as_i64(g, tcol, LLVMBuildAdd(g->b, first, lc.i, ""), "c");
    LLVMValueRef k = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, lr.i, rows, ""), c, "k");
    LLVMValueRef pk = LLVMBuildAdd(g->b, k, LLVMConstInt(g->i64, (unsigned long long)x->P_slot, 0), "");
    LLVMValueRef qk = LLVMBuildAdd(g->b, k, LLVMConstInt(g->i64, (unsigned long long)x->Q_slot, 0), "");
    LLVMValueRef term = cg_fbin(g, LLVMFMul, cg_load_at(g, env->scalars, pk, "P"), cg_load_at(g, xs, c, ""), "");
    term = cg_fbin(g, LLVMFAdd, term,
                   cg_fbin(g, LLVMFMul, cg_load_at(g, env->scalars, qk, "Q"), cg_load_at(g, bs, c, ""), ""), "");
    LLVMBuildStore(g->b, cg_fbin(g, LLVMFAdd, LLVMBuildLoad2(g->b, g->f64, acc, ""), term, ""), acc);
    cg_loop_end(g, &lc, count);
    cg_store_at(g, nx, lr.i, LLVMBuildLoad2(g->b, g->f64, acc, ""));
    cg_loop_end(g, &lr, rows);
    LLVMValueRef *next = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int r = 0; r < n; r++)
        next[x->states[r]] = cg_load_at(g, nx, LLVMConstInt(g->i64, (unsigned long long)r, 0), "");
    return next;
}

/* x(t+dt) = P x + Q b (b: the inhomogeneous part at the start of the step); while
 * refractory, with the held system's P and Q. */
static LLVMValueRef *step_exact(Cg *g, Arena *s, Env *env, LLVMValueRef *pq, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    const IrExact *x = p->exact;
    int n = x->n;
    const bool *reach = cg_exact_reach(s, x);
    if (exact_as_loop(x, reach))
        return step_exact_loop(g, s, env, reach);
    LLVMValueRef *b = ARENA_ARRAY(s, LLVMValueRef, n);
    for (int r = 0; r < n; r++) {
        b[r] = cg_emit(g, env, x->b[r]);
        /* A held state has no drive. Its own row is replaced by its current value after
         * the step (integrate), so only the other rows it reaches need the drive zeroed. */
        bool reaches_others = false;
        for (int o = 0; o < n; o++)
            reaches_others |= o != r && reach[o * n + r];
        if (x->has_held && held && p->states[x->states[r]].held && reaches_others)
            b[r] = LLVMBuildSelect(g->b, held, cg_fconst(g, 0), b[r], "");
    }
    LLVMValueRef *next = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int r = 0; r < n; r++) {
        /* A held row is replaced by its current value after the step (integrate), and a
         * row that no held state drives has the same propagator row either way: only the
         * others need the held system's P and Q. */
        bool needs_held = false;
        for (int c = 0; c < n; c++)
            needs_held |= c != r && reach[r * n + c] && p->states[x->states[c]].held;
        needs_held &= !p->states[x->states[r]].held;
        LLVMValueRef acc = NULL;
        for (int c = 0; c < n; c++) {
            int k = r * n + c;
            if (!reach[k])
                continue;
            LLVMValueRef P = propagator(g, env, pq, 0, k), Q = propagator(g, env, pq, 1, k);
            if (x->has_held && held && needs_held) {
                P = LLVMBuildSelect(g->b, held, propagator(g, env, pq, 2, k), P, "");
                Q = LLVMBuildSelect(g->b, held, propagator(g, env, pq, 3, k), Q, "");
            }
            LLVMValueRef term = cg_fbin(g, LLVMFMul, P, env->states[x->states[c]], "");
            if (!ir_is_const(x->b[c], 0))
                term = cg_fbin(g, LLVMFAdd, term, cg_fbin(g, LLVMFMul, Q, b[c], ""), "");
            acc = acc ? cg_fbin(g, LLVMFAdd, acc, term, "") : term;
        }
        next[x->states[r]] = acc;
    }
    return next;
}

/* Euler-Maruyama plus 1/2 g g' (dW^2 - dt) per noise term that depends on its state. */
static LLVMValueRef *step_milstein(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    LLVMValueRef *next = step_euler(g, s, env, held);
    for (int k = 0; k < p->nmilstein; k++) {
        const IrMilsteinTerm *m = &p->milstein[k];
        LLVMValueRef dW = cg_fbin(g, LLVMFMul, env->noise[m->noise], env->sqrt_dt, "dW");
        LLVMValueRef w2 = cg_fbin(g, LLVMFSub, cg_fbin(g, LLVMFMul, dW, dW, ""), env->dt, "");
        LLVMValueRef gg = cg_fbin(g, LLVMFMul, cg_emit(g, env, m->g), cg_emit(g, env, m->dg), "");
        LLVMValueRef corr = cg_fbin(g, LLVMFMul, cg_fbin(g, LLVMFMul, gg, w2, ""), cg_fconst(g, 0.5), "milstein");
        if (held && p->states[m->state].held)
            corr = LLVMBuildSelect(g->b, held, cg_fconst(g, 0), corr, "");
        next[m->state] = cg_fbin(g, LLVMFAdd, next[m->state], corr, "");
    }
    return next;
}

/* Row k takes the largest pivot among rows k..n-1 (compare-and-swap with selects: the
 * loop stays branch-free). */
static void pivot(Cg *g, int n, int k, LLVMValueRef *M, LLVMValueRef *r)
{
    for (int i = k + 1; i < n; i++) {
        LLVMValueRef a = cg_intrinsic(g, "llvm.fabs", &M[i * n + k], 1), b = cg_intrinsic(g, "llvm.fabs", &M[k * n + k], 1);
        LLVMValueRef swap = LLVMBuildFCmp(g->b, LLVMRealOGT, a, b, "swap");
        for (int j = k; j < n; j++) {
            LLVMValueRef top = M[k * n + j], low = M[i * n + j];
            M[k * n + j] = LLVMBuildSelect(g->b, swap, low, top, "");
            M[i * n + j] = LLVMBuildSelect(g->b, swap, top, low, "");
        }
        LLVMValueRef top = r[k], low = r[i];
        r[k] = LLVMBuildSelect(g->b, swap, low, top, "");
        r[i] = LLVMBuildSelect(g->b, swap, top, low, "");
    }
}

/* Solves M d = r in place for a small dense n×n system: Gaussian elimination with partial
 * pivoting, as straight-line code. */
static void solve_dense(Cg *g, int n, LLVMValueRef *M, LLVMValueRef *r)
{
    for (int k = 0; k < n; k++) {
        pivot(g, n, k, M, r);
        for (int i = k + 1; i < n; i++) {
            LLVMValueRef f = cg_fbin(g, LLVMFDiv, M[i * n + k], M[k * n + k], "");
            for (int j = k + 1; j < n; j++)
                M[i * n + j] = cg_fbin(g, LLVMFSub, M[i * n + j], cg_fbin(g, LLVMFMul, f, M[k * n + j], ""), "");
            r[i] = cg_fbin(g, LLVMFSub, r[i], cg_fbin(g, LLVMFMul, f, r[k], ""), "");
        }
    }
    for (int k = n - 1; k >= 0; k--) {
        LLVMValueRef acc = r[k];
        for (int j = k + 1; j < n; j++)
            acc = cg_fbin(g, LLVMFSub, acc, cg_fbin(g, LLVMFMul, M[k * n + j], r[j], ""), "");
        r[k] = cg_fbin(g, LLVMFDiv, acc, M[k * n + k], "");
    }
}

enum { NEWTON_ITERATIONS = 4 };

/* Backward Euler: y = x + dt f(y, t + dt), by a fixed number of Newton iterations on
 * the symbolic Jacobian (one suffices for a linear system; the loop stays branch-free). */
static LLVMValueRef *step_implicit(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    const IrJacobian *jac = p->jacobian;
    int n = jac->n;
    LLVMValueRef tend = cg_fbin(g, LLVMFAdd, env->t, env->dt, "t.end");
    LLVMValueRef *y = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++)
        y[k] = env->states[k];
    for (int it = 0; it < NEWTON_ITERATIONS; it++) {
        LLVMValueRef *f = derivs(g, s, env, y, tend, held);
        LLVMValueRef *saved = env->states;
        env->states = y;
        LLVMValueRef *M = ARENA_ARRAY(s, LLVMValueRef, n * n);
        LLVMValueRef *r = ARENA_ARRAY(s, LLVMValueRef, n);
        for (int row = 0; row < n; row++) {
            int k = jac->states[row];
            bool masked = held && p->states[k].held;
            for (int c = 0; c < n; c++) {
                LLVMValueRef j = cg_emit(g, env, jac->J[row * n + c]);
                if (masked)
                    j = LLVMBuildSelect(g->b, held, cg_fconst(g, 0), j, "");
                LLVMValueRef m = cg_fbin(g, LLVMFMul, env->dt, j, "");
                M[row * n + c] = cg_fbin(g, LLVMFSub, cg_fconst(g, row == c ? 1.0 : 0.0), m, "");
            }
            /* r = -(y - x - dt f) */
            LLVMValueRef F = cg_fbin(g, LLVMFSub, cg_fbin(g, LLVMFSub, y[k], saved[k], ""),
                                  cg_fbin(g, LLVMFMul, env->dt, f[k], ""), "");
            r[row] = LLVMBuildFNeg(g->b, F, "");
        }
        env->states = saved;
        solve_dense(g, n, M, r);
        LLVMValueRef *next = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
        for (int k = 0; k < p->nstates; k++)
            next[k] = y[k];
        for (int row = 0; row < n; row++)
            next[jac->states[row]] = cg_fbin(g, LLVMFAdd, y[jac->states[row]], r[row], "newton");
        y = next;
    }
    return y;
}

LLVMValueRef *cg_method_step(Cg *g, Arena *scratch, Env *env, LLVMValueRef *invariant, LLVMValueRef held)
{
    switch (env->pop->method) {
    case METHOD_MILSTEIN: return step_milstein(g, scratch, env, held);
    case METHOD_IMPLICIT: return step_implicit(g, scratch, env, held);
    case METHOD_RK45: return cg_step_rk45(g, scratch, env, held);
    case METHOD_NONE: return ARENA_ARRAY(scratch, LLVMValueRef, env->pop->nstates + 1);
    case METHOD_EXACT: return step_exact(g, scratch, env, invariant, held);
    case METHOD_EULER: return step_euler(g, scratch, env, held);
    case METHOD_RK2: return step_rk2(g, scratch, env, held);
    case METHOD_HEUN: return step_heun(g, scratch, env, held);
    case METHOD_RK4: return step_rk4(g, scratch, env, held);
    case METHOD_EXPEULER: return step_expeuler(g, scratch, env, held);
    case METHOD_COUNT: break;
    }
    NRN_UNREACHABLE();
}
