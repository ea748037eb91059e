/* The expm1 that exponential Euler emits (compiler/cg_method.c, cg_expm1) against libm's
 * expm1, in the loop form the integrate function has: compiled at O3 for the host, so the
 * loop is vectorised and exp is libmvec's, then run through the JIT.
 *
 * Range: the step's exponent h = b·dt, b = -(alpha + beta) for a gate, is negative and
 * small at the usual dt (|h| < 0.1 for HH at 0.01 ms) but reaches tens at coarse steps
 * or in fast channels, so [-50, 10] is swept densely, [1e-300, 1] of both signs
 * logarithmically, and the switch at |h| = 1 closely. Bound: 5 ulp of the result. libm's
 * expm1 is within 1 ulp; exp(x) - 1 doubles libmvec exp's error in ulp where e^x is just
 * above a power of two (x = 1.0001: the difference falls a binade lower), which
 * measured 4.00 ulp on an AVX2 machine; the polynomial side (|x| <= 1) 2.00. */
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_internal.h"
#include "jit.h"

typedef void (*Fn)(int64_t n, const double *x, double *y);

/* void expm1_all(i64 n, ptr noalias x, ptr noalias y): y[i] = expm1(x[i]) */
static LLVMModuleRef build(LLVMContextRef ctx, LLVMTargetMachineRef tm)
{
    Cg g = {.ctx = ctx, .mod = LLVMModuleCreateWithNameInContext("expm1", ctx)};
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
    g.i1 = LLVMInt1TypeInContext(ctx);
    g.ptr = LLVMPointerTypeInContext(ctx, 0);
    LLVMTypeRef params[3] = {g.i64, g.ptr, g.ptr};
    LLVMValueRef fn = LLVMAddFunction(g.mod, "expm1_all", LLVMFunctionType(LLVMVoidTypeInContext(ctx), params, 3, 0));
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    LLVMAddAttributeAtIndex(fn, 2, LLVMCreateEnumAttribute(ctx, noalias, 0));
    LLVMAddAttributeAtIndex(fn, 3, LLVMCreateEnumAttribute(ctx, noalias, 0));
    LLVMPositionBuilderAtEnd(g.b, LLVMAppendBasicBlockInContext(ctx, fn, "entry"));
    LLVMValueRef n = LLVMGetParam(fn, 0);
    Loop l = cg_loop_begin(&g, fn, n, "loop");
    LLVMValueRef x = cg_load_at(&g, LLVMGetParam(fn, 1), l.i, "x");
    cg_store_at(&g, LLVMGetParam(fn, 2), l.i, cg_expm1(&g, x));
    cg_loop_end(&g, &l, n);
    LLVMBuildRetVoid(g.b);
    LLVMDisposeBuilder(g.b);
    return g.mod;
}

static double ulps(double got, double want)
{
    if (got == want)
        return 0;
    if (!isfinite(want) || !isfinite(got))
        return INFINITY;
    double a = fabs(want);
    double ulp = a == 0 ? 0x1p-1074 : nextafter(a, INFINITY) - a;
    return fabs(got - want) / ulp;
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
    char *ir = LLVMPrintModuleToString(mod);
    bool vector = strstr(ir, "_ZGV") != NULL;   /* libmvec's exp: the loop was vectorised */
    LLVMDisposeMessage(ir);
    if (!jit_add_module(j, mod, &err)) {
        fprintf(stderr, "jit: %s\n", err);
        return 1;
    }
    Fn f = (Fn)jit_lookup(j, "expm1_all", &err);
    if (!f) {
        fprintf(stderr, "lookup: %s\n", err);
        return 1;
    }
    enum { DENSE = 2000000, LOG = 600000, EDGE = 2000 };
    int64_t n = DENSE + 2 * LOG + 4 * EDGE + 3;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int64_t m = 0;
    for (int k = 0; k < DENSE; k++)
        x[m++] = -50.0 + 60.0 * k / (DENSE - 1);
    for (int k = 0; k < LOG; k++) {
        double v = pow(10.0, -300.0 + 300.0 * k / (LOG - 1));
        x[m++] = v;
        x[m++] = -v;
    }
    for (int k = 0; k < EDGE; k++) {   /* the doubles nearest to +-1, and a wider band */
        double d = (k - EDGE / 2) * 0x1p-52;
        x[m++] = 1 + d;
        x[m++] = -1 + d;
        x[m++] = 1 + d * 1e9;
        x[m++] = -1 + d * 1e9;
    }
    x[m++] = 0.0;
    x[m++] = -0.0;
    x[m++] = 700.0;
    f(m, x, y);
    double worst = 0, at = 0, worst_poly = 0;
    for (int64_t k = 0; k < m; k++) {
        double u = ulps(y[k], expm1(x[k]));
        if (fabs(x[k]) <= 1)
            worst_poly = fmax(worst_poly, u);
        if (u > worst) {
            worst = u;
            at = x[k];
        }
    }
    printf("expm1: %lld points, worst %.2f ulp at x = %.17g (%.2f where |x| <= 1); vectorised: %s\n",
           (long long)m, worst, at, worst_poly, vector ? "yes" : "no");
    int failures = 0;
    if (!(worst <= 5)) {
        fprintf(stderr, "expm1 off by %.2f ulp at %.17g (bound 5)\n", worst, at);
        failures++;
    }
    if (!vector) {
        fprintf(stderr, "the expm1 loop was not vectorised (no _ZGV call)\n");
        failures++;
    }
    if (signbit(y[m - 2]) == 0 || y[m - 3] != 0) {   /* expm1(-0) = -0 */
        fprintf(stderr, "expm1(+-0) = %g, %g\n", y[m - 3], y[m - 2]);
        failures++;
    }
    free(x);
    free(y);
    jit_free(j);
    LLVMDisposeTargetMachine(tm);
    return failures != 0;
}
