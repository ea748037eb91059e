/* ORC LLJIT wrapper (see jit.h). The runtime functions that generated code calls are
 * given to the JIT by address, so that nothing depends on how nrnc was linked. */
#include "jit.h"

#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "nrt.h"
#include "util.h"

struct Jit {
    LLVMOrcThreadSafeContextRef tsc;
    LLVMOrcLLJITRef jit;
};

static char *take_error(LLVMErrorRef e)
{
    char *msg = LLVMGetErrorMessage(e);
    char *copy = LLVMCreateMessage(msg);
    LLVMDisposeErrorMessage(msg);
    return copy;
}

static bool define_runtime(Jit *j, char **err)
{
    static const struct { const char *name; void (*fn)(void); } table[] = {
        {"nrt_random_uniform", (void (*)(void))nrt_random_uniform},
        {"nrt_random_normal", (void (*)(void))nrt_random_normal},
        {"nrt_noise", (void (*)(void))nrt_noise},
        {"nrt_noise_key", (void (*)(void))nrt_noise_key},
        {"nrt_expm_propagator", (void (*)(void))nrt_expm_propagator},
    };
    enum { N = sizeof table / sizeof *table };
    LLVMOrcCSymbolMapPair pairs[N];
    for (int k = 0; k < N; k++) {
        pairs[k].Name = LLVMOrcLLJITMangleAndIntern(j->jit, table[k].name);
        pairs[k].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)table[k].fn;
        pairs[k].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
        pairs[k].Sym.Flags.TargetFlags = 0;
    }
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, N);
    LLVMErrorRef e = LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(j->jit), mu);
    if (e) {
        *err = take_error(e);
        return false;
    }
    return true;
}

Jit *jit_new(char **err)
{
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    Jit *j = calloc(1, sizeof *j);
    if (!j)
        nrn_fatal_oom();
    /* The JIT compiles with the same target machine settings as `nrnc build`, so that a
     * built simulator and `nrnc run` execute the same machine code (byte-identical
     * results). */
    LLVMTargetMachineRef tm = cg_host_machine(err);
    if (!tm) {
        free(j);
        return NULL;
    }
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm));
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, builder);
    if (e) {
        *err = take_error(e);
        free(j);
        return NULL;
    }
    j->tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
    if (e) {
        *err = take_error(e);
        jit_free(j);
        return NULL;
    }
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->jit), gen);
    /* glibc's vector math (the _ZGV... functions that loops with exp, log, cos call once
     * vectorised) lives in libmvec, which nrnc itself does not load. */
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForPath(&gen, "libmvec.so.1", LLVMOrcLLJITGetGlobalPrefix(j->jit),
                                                         NULL, NULL);
    if (e) {
        *err = take_error(e);
        jit_free(j);
        return NULL;
    }
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->jit), gen);
    if (!define_runtime(j, err)) {
        jit_free(j);
        return NULL;
    }
    return j;
}

LLVMContextRef jit_context(Jit *j) { return LLVMOrcThreadSafeContextGetContext(j->tsc); }

bool jit_add_module(Jit *j, LLVMModuleRef mod, char **err)
{
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(mod, j->tsc);
    LLVMErrorRef e = LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm);
    if (e) {
        LLVMOrcDisposeThreadSafeModule(tsm);
        *err = take_error(e);
        return false;
    }
    return true;
}

void *jit_lookup(Jit *j, const char *name, char **err)
{
    LLVMOrcExecutorAddress addr = 0;
    LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &addr, name);
    if (e) {
        *err = take_error(e);
        return NULL;
    }
    return (void *)(uintptr_t)addr;
}

void jit_free(Jit *j)
{
    if (!j)
        return;
    if (j->jit)
        LLVMOrcDisposeLLJIT(j->jit);
    if (j->tsc)
        LLVMOrcDisposeThreadSafeContext(j->tsc);
    free(j);
}
