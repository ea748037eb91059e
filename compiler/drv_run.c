/* The back end of the driver: LLVM module, optimisation, JIT, and the hand-over to the
 * runtime (the run description is built from the IR: sizes, slots, recorded variables,
 * the generated functions' addresses). */
#include <llvm-c/Core.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "drv.h"
#include "drv_desc.h"
#include "ir.h"
#include "jit.h"
#include "nrt.h"
#include "util.h"

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int drv_emit_llvm(const DrvOptions *opt, const IrModule *m)
{
    char *err = NULL;
    LLVMTargetMachineRef tm = cg_host_machine(&err);
    if (!tm) {
        fprintf(stderr, "nrnc: error: no LLVM target for this machine: %s\n", err);
        LLVMDisposeMessage(err);
        return EXIT_RUN_FAILED;
    }
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = cg_module(ctx, m, tm);
    int rc = cg_optimize(mod, tm) ? 0 : EXIT_RUN_FAILED;
    if (rc == 0) {
        char *text = LLVMPrintModuleToString(mod);
        FILE *out = opt->output && strcmp(opt->output, "-") != 0 ? fopen(opt->output, "w") : stdout;
        if (!out || fputs(text, out) == EOF || (out != stdout && fclose(out) != 0)) {
            fprintf(stderr, "nrnc: error: cannot write '%s'\n", opt->output ? opt->output : "stdout");
            rc = EXIT_RUN_FAILED;
        }
        LLVMDisposeMessage(text);
    }
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
    return rc;
}

static bool bind(void *ctx, void **slot, const char *symbol)
{
    char *err = NULL;
    *slot = jit_lookup(ctx, symbol, &err);
    if (!*slot) {
        fprintf(stderr, "nrnc: internal error: JIT lookup of %s failed: %s\n", symbol, err ? err : "");
        LLVMDisposeMessage(err);
        return false;
    }
    LLVMDisposeMessage(err);
    return true;
}

typedef struct RunCtx {
    const DrvOptions *opt;
    double t_start;
} RunCtx;

static int simulate(void *ctx, DrvDesc *dd)
{
    const RunCtx *rc = ctx;
    const DrvOptions *opt = rc->opt;
    nrt_run_desc *desc = &dd->run;
    desc->model = base_name(opt->model);
    desc->outdir = opt->resume ? opt->resume : opt->out_dir ? opt->out_dir : "nrn-out";
    desc->resume = opt->resume != NULL;
    if (opt->checkpoint_every)
        drv_time_flag("--checkpoint-every", opt->checkpoint_every, &desc->checkpoint_every);
    desc->max_memory = opt->max_memory;
    desc->threads = opt->threads;   /* 0: the runtime chooses, up to the cores */
    desc->format = opt->format && strcmp(opt->format, "npy") == 0 ? NRT_FORMAT_NPY : NRT_FORMAT_CSV;
    desc->progress = opt->progress;
    desc->force = opt->force;
    desc->compile_s = drv_now() - rc->t_start;
    return nrt_run(desc);
}

int drv_jit_session(const IrModule *m, DrvJitUse use, void *ctx)
{
    char *err = NULL;
    LLVMTargetMachineRef tm = cg_host_machine(&err);
    Jit *j = tm ? jit_new(&err) : NULL;
    if (!j) {
        fprintf(stderr, "nrnc: error: cannot start the LLVM JIT: %s\n", err ? err : "unknown reason");
        LLVMDisposeMessage(err);
        if (tm)
            LLVMDisposeTargetMachine(tm);
        return EXIT_RUN_FAILED;
    }
    LLVMModuleRef mod = cg_module(jit_context(j), m, tm);
    int rc = EXIT_RUN_FAILED;
    if (!cg_optimize(mod, tm)) {
        LLVMDisposeModule(mod);
    } else if (!jit_add_module(j, mod, &err)) {
        fprintf(stderr, "nrnc: error: JIT compilation failed: %s\n", err);
        LLVMDisposeMessage(err);
    } else {
        DrvDesc *dd = drv_desc_new(m);
        if (drv_desc_each_fn(dd, bind, j))
            rc = use(ctx, dd);
        drv_desc_free(dd);
    }
    jit_free(j);
    LLVMDisposeTargetMachine(tm);
    return rc;
}

int drv_run(const DrvOptions *opt, const IrModule *m, double t_start)
{
    RunCtx ctx = {.opt = opt, .t_start = t_start};
    return drv_jit_session(m, simulate, &ctx);
}
