/* `rk45`: Dormand–Prince 5(4) with adaptive substeps inside each dt, per neuron.
 *
 * Each neuron advances from t to t + dt in as many substeps as its error estimate needs:
 * a substep is accepted when max_k |err_k| / (atol·unit_k + rtol·|x_k|) <= 1, and the next
 * substep length is scaled by 0.9·err^(-1/5) within [0.2, 5]. Acceptance is a select, not
 * a branch, so the only control flow is the substep loop. A neuron whose step does not
 * finish within MAX_SUBSTEPS gets NaN states, which the run reports; it never silently
 * stops short. */
#include <math.h>

#include "cg_internal.h"

enum { STAGES = 7, MAX_SUBSTEPS = 100000 };

static const double C[STAGES] = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
static const double A[STAGES][STAGES] = {
    {0},
    {1.0 / 5},
    {3.0 / 40, 9.0 / 40},
    {44.0 / 45, -56.0 / 15, 32.0 / 9},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
};
/* fifth-order weights minus the embedded fourth-order ones */
static const double E[STAGES] = {71.0 / 57600,  0,           -71.0 / 16695, 71.0 / 1920,
                                 -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

LLVMValueRef cg_entry_alloca(Cg *g, LLVMTypeRef ty, const char *name)
{
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(g->b));
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(g->ctx);
    LLVMValueRef first = LLVMGetFirstInstruction(entry);
    if (first)
        LLVMPositionBuilderBefore(b, first);
    else
        LLVMPositionBuilderAtEnd(b, entry);
    LLVMValueRef v = LLVMBuildAlloca(b, ty, name);
    LLVMDisposeBuilder(b);
    return v;
}

/* y + h·sum_j a_j k_j for the states with an ODE */
static LLVMValueRef *stage_point(Cg *g, Arena *s, const IrPop *p, LLVMValueRef *y, LLVMValueRef h,
                                 const double *a, LLVMValueRef **k, int nk)
{
    LLVMValueRef *out = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int x = 0; x < p->nstates; x++) {
        out[x] = y[x];
        if (!p->states[x].deriv)
            continue;
        LLVMValueRef acc = NULL;
        for (int j = 0; j < nk; j++) {
            if (a[j] == 0)
                continue;
            LLVMValueRef term = cg_fbin(g, LLVMFMul, cg_fconst(g, a[j]), k[j][x], "");
            acc = acc ? cg_fbin(g, LLVMFAdd, acc, term, "") : term;
        }
        if (acc)
            out[x] = cg_fbin(g, LLVMFAdd, y[x], cg_fbin(g, LLVMFMul, h, acc, ""), "");
    }
    return out;
}

/* max_k |err_k| / (atol_k + rtol max(|y_k|, |y5_k|)) */
static LLVMValueRef error_norm(Cg *g, const IrPop *p, LLVMValueRef *y, LLVMValueRef *y5,
                               LLVMValueRef h, LLVMValueRef **k)
{
    LLVMValueRef norm = cg_fconst(g, 0);
    for (int x = 0; x < p->nstates; x++) {
        if (!p->states[x].deriv)
            continue;
        LLVMValueRef err = NULL;
        for (int j = 0; j < STAGES; j++) {
            if (E[j] == 0)
                continue;
            LLVMValueRef term = cg_fbin(g, LLVMFMul, cg_fconst(g, E[j]), k[j][x], "");
            err = err ? cg_fbin(g, LLVMFAdd, err, term, "") : term;
        }
        err = cg_fbin(g, LLVMFMul, h, err, "");
        LLVMValueRef ay = cg_intrinsic(g, "llvm.fabs", &y[x], 1), ay5 = cg_intrinsic(g, "llvm.fabs", &y5[x], 1);
        LLVMValueRef mx[2] = {ay, ay5};
        LLVMValueRef scale = cg_fbin(g, LLVMFAdd, cg_fconst(g, p->atol * p->states[x].unit.scale),
                                  cg_fbin(g, LLVMFMul, cg_fconst(g, p->rtol), cg_intrinsic(g, "llvm.maxnum", mx, 2), ""), "");
        LLVMValueRef ratio = cg_fbin(g, LLVMFDiv, cg_intrinsic(g, "llvm.fabs", &err, 1), scale, "");
        LLVMValueRef both[2] = {norm, ratio};
        norm = cg_intrinsic(g, "llvm.maxnum", both, 2);
    }
    return norm;
}

static LLVMValueRef *load_all(Cg *g, Arena *s, const IrPop *p, LLVMValueRef *slot)
{
    LLVMValueRef *out = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int x = 0; x < p->nstates; x++)
        out[x] = LLVMBuildLoad2(g->b, g->f64, slot[x], p->states[x].name);
    return out;
}

LLVMValueRef *cg_step_rk45(Cg *g, Arena *s, Env *env, LLVMValueRef held)
{
    const IrPop *p = env->pop;
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(g->b));
    LLVMValueRef *slot = ARENA_ARRAY(s, LLVMValueRef, p->nstates + 1);
    for (int x = 0; x < p->nstates; x++) {
        slot[x] = cg_entry_alloca(g, g->f64, "y");
        LLVMBuildStore(g->b, env->states[x], slot[x]);
    }
    LLVMValueRef tcur = cg_entry_alloca(g, g->f64, "tcur"), hslot = cg_entry_alloca(g, g->f64, "h");
    LLVMValueRef count = cg_entry_alloca(g, g->i32, "substeps");
    LLVMBuildStore(g->b, env->t, tcur);
    LLVMBuildStore(g->b, env->dt, hslot);
    LLVMBuildStore(g->b, LLVMConstInt(g->i32, 0, 0), count);
    LLVMValueRef tend = cg_fbin(g, LLVMFAdd, env->t, env->dt, "t.end");
    /* the step is done when tcur is within a rounding error of tend */
    LLVMValueRef tstop = cg_fbin(g, LLVMFSub, tend, cg_fbin(g, LLVMFMul, env->dt, cg_fconst(g, 1e-9), ""), "");
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(g->ctx, fn, "rk45.head");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, fn, "rk45.substep");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, fn, "rk45.done");
    LLVMBuildBr(g->b, head);
    LLVMPositionBuilderAtEnd(g->b, head);
    LLVMValueRef tc = LLVMBuildLoad2(g->b, g->f64, tcur, "tcur");
    LLVMValueRef n = LLVMBuildLoad2(g->b, g->i32, count, "n");
    LLVMValueRef more = LLVMBuildAnd(g->b, LLVMBuildFCmp(g->b, LLVMRealOLT, tc, tstop, ""),
                                     LLVMBuildICmp(g->b, LLVMIntSLT, n, LLVMConstInt(g->i32, MAX_SUBSTEPS, 0), ""),
                                     "more");
    LLVMBuildCondBr(g->b, more, body, done);

    LLVMPositionBuilderAtEnd(g->b, body);
    LLVMValueRef *y = load_all(g, s, p, slot);
    LLVMValueRef left = cg_fbin(g, LLVMFSub, tend, tc, "");
    LLVMValueRef hh[2] = {LLVMBuildLoad2(g->b, g->f64, hslot, ""), left};
    LLVMValueRef h = cg_intrinsic(g, "llvm.minnum", hh, 2);
    LLVMValueRef *k[STAGES];
    for (int j = 0; j < STAGES; j++) {
        LLVMValueRef *at = stage_point(g, s, p, y, h, A[j], k, j);
        LLVMValueRef tj = cg_fbin(g, LLVMFAdd, tc, cg_fbin(g, LLVMFMul, cg_fconst(g, C[j]), h, ""), "");
        k[j] = cg_derivs(g, s, env, at, tj, held);
    }
    LLVMValueRef *y5 = stage_point(g, s, p, y, h, A[STAGES - 1], k, STAGES - 1);
    LLVMValueRef norm = error_norm(g, p, y, y5, h, k);
    LLVMValueRef accept = LLVMBuildFCmp(g->b, LLVMRealOLE, norm, cg_fconst(g, 1), "accept");
    for (int x = 0; x < p->nstates; x++)
        LLVMBuildStore(g->b, LLVMBuildSelect(g->b, accept, y5[x], y[x], ""), slot[x]);
    LLVMBuildStore(g->b, LLVMBuildSelect(g->b, accept, cg_fbin(g, LLVMFAdd, tc, h, ""), tc, ""), tcur);
    /* next substep: 0.9 err^(-1/5), within [0.2, 5] (err = 0: 5) */
    LLVMValueRef pw[2] = {norm, cg_fconst(g, -0.2)};
    LLVMValueRef f = cg_fbin(g, LLVMFMul, cg_fconst(g, 0.9), cg_intrinsic(g, "llvm.pow", pw, 2), "");
    LLVMValueRef lo[2] = {f, cg_fconst(g, 0.2)};
    LLVMValueRef hi[2] = {cg_intrinsic(g, "llvm.maxnum", lo, 2), cg_fconst(g, 5)};
    LLVMBuildStore(g->b, cg_fbin(g, LLVMFMul, h, cg_intrinsic(g, "llvm.minnum", hi, 2), ""), hslot);
    LLVMBuildStore(g->b, LLVMBuildAdd(g->b, n, LLVMConstInt(g->i32, 1, 0), ""), count);
    LLVMBuildBr(g->b, head);

    LLVMPositionBuilderAtEnd(g->b, done);
    LLVMValueRef finished = LLVMBuildFCmp(g->b, LLVMRealOGE, LLVMBuildLoad2(g->b, g->f64, tcur, ""), tstop, "");
    LLVMValueRef *next = load_all(g, s, p, slot);
    for (int x = 0; x < p->nstates; x++)
        next[x] = LLVMBuildSelect(g->b, finished, next[x], cg_fconst(g, NAN), "");
    return next;
}
