/* Random draws in generated code: rand(), randn() (and uniform, normal built on them)
 * and the white noise xi.
 *
 * A draw is the counter-based generator of runtime/rng.c (which documents the key):
 * splitmix64 of the site key and the neuron (or synapse), of that and the step, and of
 * that and the draw count where the same code runs several times per step. There is no
 * state, so the result does not depend on which neurons a call covers or in what order.
 * rand() is written out in IR, so a loop that draws (a Poisson source's threshold, random
 * initial values) has no call and vectorises. randn() calls nrt_random_normal, a
 * ziggurat, with the full key: 10 ns a draw against 34 for scalar Box-Muller (log, cos
 * and sqrt from libm), and randn() mostly runs in scalar code (resets, events). White
 * noise stays Box-Muller inlined (cg_box_muller), which the integrate loop vectorises
 * with libmvec: a noisy LIF neuron's step costs 5 ns so, 14 with a ziggurat call
 * (bench/README.md).
 * ORDER NRT_RANDOM: this file and runtime/rng.c (SITE_MIX, mix, nrt_random_uniform,
 * nrt_noise) change together. */
#include "cg_internal.h"

/* runtime/rng.c SITE_MIX */
static const uint64_t SITE_MIX = 0xD1B54A32D192ED03u;

LLVMValueRef cg_splitmix(Cg *g, LLVMValueRef x)
{
    LLVMValueRef c1 = LLVMConstInt(g->i64, 0x9E3779B97F4A7C15ull, 0);
    LLVMValueRef c2 = LLVMConstInt(g->i64, 0xBF58476D1CE4E5B9ull, 0);
    LLVMValueRef c3 = LLVMConstInt(g->i64, 0x94D049BB133111EBull, 0);
    x = LLVMBuildAdd(g->b, x, c1, "");
    x = LLVMBuildMul(g->b, LLVMBuildXor(g->b, x, LLVMBuildLShr(g->b, x, LLVMConstInt(g->i64, 30, 0), ""), ""), c2, "");
    x = LLVMBuildMul(g->b, LLVMBuildXor(g->b, x, LLVMBuildLShr(g->b, x, LLVMConstInt(g->i64, 27, 0), ""), ""), c3, "");
    return LLVMBuildXor(g->b, x, LLVMBuildLShr(g->b, x, LLVMConstInt(g->i64, 31, 0), ""), "");
}

/* top 53 bits of x as a double in [0, 1), plus `half` of the last place */
static LLVMValueRef unit_interval(Cg *g, LLVMValueRef x, double half, const char *name)
{
    LLVMValueRef h = LLVMBuildUIToFP(g->b, LLVMBuildLShr(g->b, x, LLVMConstInt(g->i64, 11, 0), ""), g->f64, "");
    if (half != 0)
        h = LLVMBuildFAdd(g->b, h, cg_fconst(g, half), "");
    return LLVMBuildFMul(g->b, h, cg_fconst(g, 0x1.0p-53), name);
}

LLVMValueRef cg_box_muller(Cg *g, LLVMValueRef x)
{
    LLVMValueRef y = cg_splitmix(g, x);
    LLVMValueRef u1 = unit_interval(g, x, 0.5, "u1");   /* (0, 1): log is finite */
    LLVMValueRef u2 = unit_interval(g, y, 0, "u2");
    LLVMValueRef r = LLVMBuildFMul(g->b, cg_fconst(g, -2.0), cg_intrinsic(g, "llvm.log", &u1, 1), "");
    r = cg_intrinsic(g, "llvm.sqrt", &r, 1);
    LLVMValueRef ang = LLVMBuildFMul(g->b, cg_fconst(g, 6.283185307179586), u2, "");
    return LLVMBuildFMul(g->b, r, cg_intrinsic(g, "llvm.cos", &ang, 1), "z");
}

/* The key of random call site `site` of env's population or block (nrt_random_key),
 * computed in the entry block from the object's rng_key, outside every loop. */
static LLVMValueRef site_key(Cg *g, const Env *env, int site)
{
    LLVMValueRef obj = env->conn ? env->conn_ptr : env->pop_ptr;
    LLVMBuilderRef here = g->b, entry = NULL;
    if (LLVMIsAArgument(obj)) {
        LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(g->b));
        LLVMBasicBlockRef bb = LLVMGetEntryBasicBlock(fn);
        entry = LLVMCreateBuilderInContext(g->ctx);
        LLVMValueRef end = LLVMGetBasicBlockTerminator(bb);
        if (end)
            LLVMPositionBuilderBefore(entry, end);
        else
            LLVMPositionBuilderAtEnd(entry, bb);
        g->b = entry;
    }
    LLVMValueRef key = env->conn ? cg_conn_field(g, obj, CONN_RNG, g->i64, "rng_key")
                                 : cg_pop_field(g, obj, POP_RNG, g->i64, "rng_key");
    uint64_t mixed = ((uint64_t)(uint32_t)site + (1ull << 32)) * SITE_MIX;
    key = cg_splitmix(g, LLVMBuildXor(g->b, key, LLVMConstInt(g->i64, mixed, 0), ""));
    LLVMSetValueName2(key, "site_key", 8);
    g->b = here;
    if (entry)
        LLVMDisposeBuilder(entry);
    return key;
}

LLVMValueRef cg_random(Cg *g, Env *env, const IrExpr *e)
{
    LLVMValueRef zero = LLVMConstInt(g->i64, 0, 0);
    LLVMValueRef key = site_key(g, env, e->index), index = env->conn ? env->syn : env->i;
    LLVMValueRef step = env->step ? env->step : zero, draw = env->draw ? env->draw : zero;
    if (!index)
        index = zero;
    if (e->op == IR_RANDN) {
        LLVMTypeRef params[4] = {g->i64, g->i64, g->i64, g->i64}, fty;
        LLVMValueRef fn = cg_extern_fn(g, "nrt_random_normal", g->f64, params, 4, &fty);
        LLVMValueRef args[4] = {key, index, step, draw};
        return LLVMBuildCall2(g->b, fty, fn, args, 4, "randn");
    }
    LLVMValueRef x = cg_splitmix(g, LLVMBuildXor(g->b, key, index, ""));
    x = cg_splitmix(g, LLVMBuildXor(g->b, x, step, ""));
    if (env->draw) {
        LLVMValueRef again = cg_splitmix(g, LLVMBuildXor(g->b, x, env->draw, ""));
        x = LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntNE, env->draw, zero, ""), again, x, "");
    }
    return unit_interval(g, x, 0, "rand");
}
