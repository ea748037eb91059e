/* The random draws that codegen emits (compiler/cg_random.c) against the runtime's
 * reference functions (runtime/rng.c): the same numbers, bit for bit, for rand() (inlined)
 * and randn() (a call), at several steps and with a draw count. This is the check that
 * ORDER NRT_RANDOM holds: the IR repeats rng.c's arithmetic. Also: the loop of rand()
 * draws vectorises (no call in it). */
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_internal.h"
#include "internal.h"
#include "jit.h"

/* void draws(ptr pop, i64 n, i64 step, i64 draw, ptr out): out[i] = the draw of site
 * `site` for neuron i */
typedef void (*Fn)(nrt_pop *pop, int64_t n, int64_t step, int64_t draw, double *out);

static void add_draws(Cg *g, const char *name, IrOp op, int site, bool counted)
{
    LLVMTypeRef params[5] = {g->ptr, g->i64, g->i64, g->i64, g->ptr};
    LLVMValueRef fn = LLVMAddFunction(g->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), params, 5, 0));
    LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, fn, "entry"));
    Env env = {.pop_ptr = LLVMGetParam(fn, 0), .step = LLVMGetParam(fn, 2)};
    if (counted)
        env.draw = LLVMGetParam(fn, 3);
    LLVMValueRef n = LLVMGetParam(fn, 1);
    Loop l = cg_loop_begin(g, fn, n, "loop");
    env.i = l.i;
    IrExpr e = {.op = op, .index = site};
    cg_store_at(g, LLVMGetParam(fn, 4), l.i, cg_random(g, &env, &e));
    cg_loop_end(g, &l, n);
    LLVMBuildRetVoid(g->b);
}

static LLVMModuleRef build(LLVMContextRef ctx, LLVMTargetMachineRef tm)
{
    Cg g = {.ctx = ctx, .mod = LLVMModuleCreateWithNameInContext("random", ctx)};
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(g.mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(tm);
    char *text = LLVMCopyStringRepOfTargetData(layout);
    LLVMSetDataLayout(g.mod, text);
    LLVMDisposeMessage(text);
    LLVMDisposeTargetData(layout);
    g.b = LLVMCreateBuilderInContext(ctx);
    g.f64 = LLVMDoubleTypeInContext(ctx);
    g.i64 = LLVMInt64TypeInContext(ctx);
    g.i32 = LLVMInt32TypeInContext(ctx);
    g.i1 = LLVMInt1TypeInContext(ctx);
    g.ptr = LLVMPointerTypeInContext(ctx, 0);
    /* nrt_pop as cg.c lays it out (ORDER NRT_POP): only rng_key's offset matters here */
    LLVMTypeRef fields[POP_NFIELDS] = {g.i64, g.ptr, g.ptr, g.ptr, g.ptr, g.ptr, g.i64, g.i64, g.ptr, g.ptr};
    g.pop_ty = LLVMStructTypeInContext(ctx, fields, POP_NFIELDS, 0);
    add_draws(&g, "uniform", IR_RAND, 5, false);
    add_draws(&g, "uniform_counted", IR_RAND, IR_RAND_INIT_SITES + 2, true);
    add_draws(&g, "normal", IR_RANDN, 3, true);
    LLVMDisposeBuilder(g.b);
    return g.mod;
}

static int failures;

static void compare(Fn f, nrt_pop *pop, int site, bool normal, int64_t step, int64_t draw, const char *what)
{
    enum { N = 1000 };
    static double got[N];
    f(pop, N, step, draw, got);
    uint64_t key = nrt_random_key(pop->rng_key, site);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        double want = normal ? nrt_random_normal(key, i, step, draw) : nrt_random_uniform(key, i, step, draw);
        bad += memcmp(&got[i], &want, sizeof want) != 0;
    }
    if (bad) {
        fprintf(stderr, "%s, step %lld, draw %lld: %d of %d draws differ from runtime/rng.c\n", what, (long long)step,
                (long long)draw, bad, N);
        failures++;
    }
}

int main(void)
{
    char *err = NULL;
    LLVMTargetMachineRef tm = cg_host_machine(&err);
    Jit *j = tm ? jit_new(&err) : NULL;
    if (!j) {
        fprintf(stderr, "set-up failed: %s\n", err ? err : "?");
        return 1;
    }
    LLVMModuleRef mod = build(jit_context(j), tm);
    if (!cg_optimize(mod, tm))
        return 1;
    LLVMValueRef uniform = LLVMGetNamedFunction(mod, "uniform");
    bool vector = false;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(uniform); bb; bb = LLVMGetNextBasicBlock(bb))
        for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in; in = LLVMGetNextInstruction(in))
            vector |= LLVMGetTypeKind(LLVMTypeOf(in)) == LLVMVectorTypeKind;
    if (!vector) {
        fprintf(stderr, "the loop of rand() draws was not vectorised\n");
        failures++;
    }
    if (!jit_add_module(j, mod, &err)) {
        fprintf(stderr, "jit: %s\n", err);
        return 1;
    }
    Fn fu = (Fn)jit_lookup(j, "uniform", &err), fc = (Fn)jit_lookup(j, "uniform_counted", &err);
    Fn fn = (Fn)jit_lookup(j, "normal", &err);
    if (!fu || !fc || !fn) {
        fprintf(stderr, "lookup: %s\n", err);
        return 1;
    }
    nrt_pop pop = {.rng_key = nrt_rng_key(42, 3)};
    for (int64_t step = 0; step < 3; step++) {
        compare(fu, &pop, 5, false, step * 1000, 0, "rand()");
        compare(fc, &pop, IR_RAND_INIT_SITES + 2, false, step, step, "rand() with a draw count");
        compare(fn, &pop, 3, true, step, step, "randn()");
    }
    jit_free(j);
    LLVMDisposeTargetMachine(tm);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures != 0;
}
