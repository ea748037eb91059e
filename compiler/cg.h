/* LLVM code generation from the IR, through the LLVM C API.
 *
 * Per population k the module defines (ORDER NRT_POP: the nrt_pop layout of runtime/nrt.h)
 *   void    nrn_init_k(nrt_pop *, double dt)
 *   int32_t nrn_integrate_k(nrt_pop *, int64_t step, double dt)
 *   int32_t nrn_fire_k(nrt_pop *, int64_t step, double dt)      (models with a threshold)
 * The integrate loop runs over structure-of-arrays state with noalias pointers so that
 * LLVM's loop vectoriser can vectorise it. */
#ifndef NRN_CG_H
#define NRN_CG_H

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "ir.h"

/* Builds the module in ctx (not yet optimised). */
LLVMModuleRef cg_module(LLVMContextRef ctx, const IrModule *m, LLVMTargetMachineRef tm);
/* Runs the new pass manager's O3 pipeline for the target. Returns false on failure. */
bool cg_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm);
/* The host target machine (PIC); NULL with a message in *err (free with LLVMDisposeMessage). */
LLVMTargetMachineRef cg_host_machine(char **err);

void cg_symbol_name(char *buf, size_t n, const char *what, int pop);
/* Whether the module gets the piece code of its blocks (conn_pre_piece): some population
 * is larger than two pieces of the default size (runtime/nrt.h nrt_piece_neurons). A
 * small model compiles without it, and the runtime then steps its ranges whole. */
bool cg_wants_pieces(const IrModule *m);

#endif
