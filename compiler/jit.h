/* In-memory compilation with ORC LLJIT (`nrnc run`). */
#ifndef NRN_JIT_H
#define NRN_JIT_H

#include <llvm-c/Core.h>
#include <stdbool.h>

typedef struct Jit Jit;

/* A JIT for the host, with a thread-safe context to build the module in, the runtime's
 * functions (nrt_*) defined as absolute symbols and the process's libraries (libm)
 * searchable. NULL with *err set (free with LLVMDisposeMessage) on failure. */
Jit *jit_new(char **err);
LLVMContextRef jit_context(Jit *j);
/* Takes ownership of mod (already optimised). */
bool jit_add_module(Jit *j, LLVMModuleRef mod, char **err);
void *jit_lookup(Jit *j, const char *name, char **err);
void jit_free(Jit *j);

#endif
