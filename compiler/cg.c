/* The LLVM module for a network: target set-up, one set of functions per population
 * (cg_pop.c), verification, and the O3 pipeline of the new pass manager. */
#include <llvm-c/Analysis.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdio.h>

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
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelAggressive,
                                                      LLVMRelocPIC, LLVMCodeModelDefault);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    return tm;
}

LLVMModuleRef cg_module(LLVMContextRef ctx, const IrModule *m, LLVMTargetMachineRef tm)
{
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
    LLVMTypeRef fields[POP_NFIELDS] = {g.i64, g.ptr, g.ptr, g.ptr, g.ptr, g.ptr, g.i64, g.ptr, g.ptr, g.ptr};
    g.pop_ty = LLVMStructTypeInContext(ctx, fields, POP_NFIELDS, 0);
    for (int k = 0; k < m->npops; k++)
        cg_pop_functions(&g, k, &m->pops[k]);
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
