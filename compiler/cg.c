/* The LLVM module for a network: target set-up, one set of functions per population
 * (cg_pop.c), verification, and the O3 pipeline of the new pass manager. */
#include <llvm-c/Analysis.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrt.h"

#include "cg_internal.h"
#include "util.h"

/* Vectorised calls to exp, log, cos... go to glibc's libmvec (_ZGV... functions), once
 * per process: LLVM keeps this option in global state. */
static void use_libmvec(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    const char *args[] = {"nrnc", "-vector-library=LIBMVEC-X86"};
    LLVMParseCommandLineOptions(2, args, NULL);
}

LLVMTargetMachineRef cg_host_machine(char **err)
{
    use_libmvec();
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    LLVMInitializeNativeAsmParser();
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    if (LLVMGetTargetFromTriple(triple, &target, err)) {
        LLVMDisposeMessage(triple);
        return NULL;
    }
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    /* NRN_TARGET_CPU names a CPU other than this one (e.g. x86-64-v3), with its features
     * only: code that valgrind, which does not know AVX-512, can run (docs/reliability.md) */
    const char *want = getenv("NRN_TARGET_CPU");
    bool other = want && *want;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, other ? want : cpu, other ? "" : features,
                                                      LLVMCodeGenLevelAggressive, LLVMRelocPIC,
                                                      LLVMCodeModelDefault);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    return tm;
}

/* The LLVM structs must lay out exactly as the runtime's C structs (ORDER NRT_POP,
 * ORDER NRT_CONN): checked field by field against offsetof, once per module. */
static void check_layout(LLVMTargetMachineRef tm, const Cg *g)
{
    static const size_t pop_offsets[POP_NFIELDS] = {
        offsetof(nrt_pop, n), offsetof(nrt_pop, arrays), offsetof(nrt_pop, scalars), offsetof(nrt_pop, refractory),
        offsetof(nrt_pop, cond_prev), offsetof(nrt_pop, spiked), offsetof(nrt_pop, nspiked), offsetof(nrt_pop, rng_key),
        offsetof(nrt_pop, flags), offsetof(nrt_pop, overrides)};
    static const size_t conn_offsets[CONN_NFIELDS] = {
        offsetof(nrt_conn, npre), offsetof(nrt_conn, npost), offsetof(nrt_conn, nsyn), offsetof(nrt_conn, row),
        offsetof(nrt_conn, post), offsetof(nrt_conn, arrays), offsetof(nrt_conn, scalars), offsetof(nrt_conn, delay),
        offsetof(nrt_conn, col), offsetof(nrt_conn, col_syn), offsetof(nrt_conn, col_pre), offsetof(nrt_conn, counts),
        offsetof(nrt_conn, dense), offsetof(nrt_conn, rng_key), offsetof(nrt_conn, pre_offset),
        offsetof(nrt_conn, post_offset)};
    _Static_assert(sizeof pop_offsets / sizeof *pop_offsets == POP_NFIELDS, "ORDER NRT_POP");
    _Static_assert(sizeof(nrt_pop) == 10 * 8, "ORDER NRT_POP: a field was added to nrt_pop");
    _Static_assert(sizeof(nrt_conn) == CONN_NFIELDS * 8, "ORDER NRT_CONN: a field was added to nrt_conn");
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    bool ok = LLVMABISizeOfType(td, g->pop_ty) == sizeof(nrt_pop) &&
              LLVMABISizeOfType(td, g->conn_ty) == sizeof(nrt_conn);
    for (unsigned k = 0; ok && k < POP_NFIELDS; k++)
        ok = LLVMOffsetOfElement(td, g->pop_ty, k) == pop_offsets[k];
    for (unsigned k = 0; ok && k < CONN_NFIELDS; k++)
        ok = LLVMOffsetOfElement(td, g->conn_ty, k) == conn_offsets[k];
    LLVMDisposeTargetData(td);
    if (!ok)
        NRN_UNREACHABLE();
}

/* libmvec's double-precision functions come 2 wide (SSE) and 4 wide (AVX2, _ZGVdN4v);
 * LLVM 19 maps no 8-wide AVX-512 ones. 4 where the target has AVX2, else 0. */
static unsigned math_width(LLVMTargetMachineRef tm)
{
    char *cpu = LLVMGetTargetMachineCPU(tm), *features = LLVMGetTargetMachineFeatureString(tm);
    bool avx2 = strstr(features, "+avx2") || strcmp(cpu, "x86-64-v3") == 0 || strcmp(cpu, "x86-64-v4") == 0;
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    return avx2 ? 4 : 0;
}

/* LLVM's remarks and warnings are about nrnc's generated code, not the user's model
 * (a loop with a width hint that does not vectorise gets "loop not vectorized"): they are
 * dropped. An error is nrnc's own bug, reported as LLVM's default handler would. */
static void on_llvm_diagnostic(LLVMDiagnosticInfoRef info, void *unused)
{
    (void)unused;
    if (LLVMGetDiagInfoSeverity(info) != LLVMDSError)
        return;
    char *text = LLVMGetDiagInfoDescription(info);
    fprintf(stderr, "nrnc: internal error: LLVM: %s\n", text);
    LLVMDisposeMessage(text);
    exit(EXIT_FAILURE);
}

LLVMModuleRef cg_module(LLVMContextRef ctx, const IrModule *m, LLVMTargetMachineRef tm)
{
    LLVMContextSetDiagnosticHandler(ctx, on_llvm_diagnostic, NULL);
    Cg g = {.ctx = ctx, .m = m};
    g.mod = LLVMModuleCreateWithNameInContext(m->network, ctx);
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(g.mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(tm);
    char *layout_text = LLVMCopyStringRepOfTargetData(layout);
    LLVMSetDataLayout(g.mod, layout_text);
    LLVMDisposeMessage(layout_text);
    LLVMDisposeTargetData(layout);
    g.b = LLVMCreateBuilderInContext(ctx);
    g.f64 = LLVMDoubleTypeInContext(ctx);
    g.i64 = LLVMInt64TypeInContext(ctx);
    g.i32 = LLVMInt32TypeInContext(ctx);
    g.i8 = LLVMInt8TypeInContext(ctx);
    g.i1 = LLVMInt1TypeInContext(ctx);
    g.ptr = LLVMPointerTypeInContext(ctx, 0);
    LLVMTypeRef fields[POP_NFIELDS] = {g.i64, g.ptr, g.ptr, g.ptr, g.ptr, g.ptr, g.i64, g.i64, g.ptr, g.ptr};
    g.pop_ty = LLVMStructTypeInContext(ctx, fields, POP_NFIELDS, 0);
    LLVMTypeRef conn_fields[CONN_NFIELDS] = {g.i64, g.i64, g.i64, g.ptr, g.ptr, g.ptr, g.ptr, g.ptr,
                                             g.ptr, g.ptr, g.ptr, g.ptr, g.ptr, g.i64, g.i64, g.i64};
    g.conn_ty = LLVMStructTypeInContext(ctx, conn_fields, CONN_NFIELDS, 0);
    check_layout(tm, &g);
    g.math_width = math_width(tm);
    Arena scratch;
    arena_init(&scratch);
    g.invariant.arena = &scratch;
    const int *same = ir_shared_step_code(&scratch, m), *same_init = ir_shared_init_code(&scratch, m);
    for (int k = 0; k < m->npops; k++)
        cg_pop_functions(&g, k, &m->pops[k], same[k], same_init[k]);
    const int *same_conn = ir_shared_conn_code(&scratch, m, same, false);
    const int *same_conn_init = ir_shared_conn_code(&scratch, m, same, true);
    bool pieces = cg_wants_pieces(m);
    for (int k = 0; k < m->nconns; k++)
        cg_conn_functions(&g, k, &m->conns[k], same_conn[k], same_conn_init[k], pieces);
    arena_fini(&scratch);
    LLVMDisposeBuilder(g.b);
    char *msg = NULL;
    if (LLVMVerifyModule(g.mod, LLVMReturnStatusAction, &msg)) {
        fprintf(stderr, "nrnc: internal error: generated LLVM IR is invalid:\n%s\n", msg);
        LLVMDisposeMessage(msg);
        LLVMDumpModule(g.mod);
        NRN_UNREACHABLE();
    }
    LLVMDisposeMessage(msg);
    return g.mod;
}

bool cg_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm)
{
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(opts, 1);
    LLVMPassBuilderOptionsSetSLPVectorization(opts, 1);
    LLVMErrorRef err = LLVMRunPasses(mod, "default<O3>", tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    if (err) {
        char *msg = LLVMGetErrorMessage(err);
        fprintf(stderr, "nrnc: internal error: LLVM optimisation failed: %s\n", msg);
        LLVMDisposeErrorMessage(msg);
        return false;
    }
    return true;
}
