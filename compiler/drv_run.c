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

/* Run description storage that must outlive nrt_run. */
typedef struct RunTables {
    nrt_pop_desc *pops;
    nrt_trace_desc *traces;
    nrt_rate_desc *rates;
    nrt_source *sources;
    const char **names, **units;
    double *scales;
} RunTables;

static bool lookup(Jit *j, const char *what, int k, void **out, bool required)
{
    char name[64], *err = NULL;
    cg_symbol_name(name, sizeof name, what, k);
    *out = jit_lookup(j, name, &err);
    if (!*out && required) {
        fprintf(stderr, "nrnc: internal error: JIT lookup of %s failed: %s\n", name, err ? err : "");
        LLVMDisposeMessage(err);
        return false;
    }
    LLVMDisposeMessage(err);
    return true;
}

static bool fill_pops(Jit *j, const IrModule *m, RunTables *t)
{
    int total = 0;
    for (int k = 0; k < m->npops; k++)
        total += m->pops[k].nstates + m->pops[k].nparams;
    t->pops = calloc((size_t)m->npops + 1, sizeof *t->pops);
    t->sources = calloc((size_t)m->npops + 1, sizeof *t->sources);
    if (!t->sources)
        nrn_fatal_oom();
    t->names = calloc((size_t)total + 1, sizeof *t->names);
    t->units = calloc((size_t)total + 1, sizeof *t->units);
    t->scales = calloc((size_t)total + 1, sizeof *t->scales);
    if (!t->pops || !t->names || !t->units || !t->scales)
        nrn_fatal_oom();
    int at = 0;
    for (int k = 0; k < m->npops; k++) {
        const IrPop *p = &m->pops[k];
        nrt_pop_desc *d = &t->pops[k];
        d->name = p->name;
        d->n = p->size;
        d->narrays = p->narrays;
        d->nscalars = p->nscalars;
        d->nstates = p->nstates;
        d->state_names = t->names + at;
        d->state_units = t->units + at;
        d->state_scales = t->scales + at;
        for (int s = 0; s < p->nstates; s++, at++) {
            t->names[at] = p->states[s].name;
            t->units[at] = p->states[s].unit.text ? p->states[s].unit.text : "1";
            t->scales[at] = p->states[s].unit.scale > 0 ? p->states[s].unit.scale : 1.0;
        }
        d->nparams = p->nparams;
        d->param_names = t->names + at;
        d->param_units = t->units + at;
        d->param_scales = t->scales + at;
        for (int s = 0; s < p->nparams; s++, at++) {
            t->names[at] = p->params[s].name;
            t->units[at] = p->params[s].unit.text ? p->params[s].unit.text : "1";
            t->scales[at] = p->params[s].unit.scale > 0 ? p->params[s].unit.scale : 1.0;
        }
        d->method = p->is_source ? "spike_source" : ir_method_name(p->method);
        d->record_spikes = p->record_spikes;
        if (p->is_source) {
            t->sources[k] = (nrt_source){.count = p->nsource, .steps = p->source_steps,
                                         .neurons = p->source_neurons, .file = p->source_file};
            d->source = &t->sources[k];
        }
        void *fn;
        if (!lookup(j, "init", k, &fn, true))
            return false;
        d->init = (nrt_init_fn)fn;
        if (!lookup(j, "integrate", k, &fn, true))
            return false;
        d->integrate = (nrt_integrate_fn)fn;
        if (p->threshold) {
            if (!lookup(j, "fire", k, &fn, true))
                return false;
            d->fire = (nrt_fire_fn)fn;
        }
        if (p->nobserved) {
            if (!lookup(j, "observe", k, &fn, true))
                return false;
            d->observe = (nrt_observe_fn)fn;
        }
    }
    return true;
}

static void fill_traces(const IrModule *m, RunTables *t)
{
    t->traces = calloc((size_t)m->ntraces + 1, sizeof *t->traces);
    if (!t->traces)
        nrn_fatal_oom();
    for (int k = 0; k < m->ntraces; k++) {
        const IrTrace *in = &m->traces[k];
        nrt_trace_desc *d = &t->traces[k];
        d->pop = in->pop;
        d->var = in->var;
        d->slot = in->slot;
        d->scalar = in->scalar;
        d->lo = in->lo;
        d->hi = in->hi;
        d->every = in->every;
        d->scale = in->unit.scale > 0 ? in->unit.scale : 1.0;
        d->unit = in->unit.text ? in->unit.text : "1";
    }
}

static void fill_rates(const IrModule *m, RunTables *t)
{
    t->rates = calloc((size_t)m->nrates + 1, sizeof *t->rates);
    if (!t->rates)
        nrn_fatal_oom();
    for (int k = 0; k < m->nrates; k++)
        t->rates[k] = (nrt_rate_desc){.pop = m->rates[k].pop, .every = m->rates[k].every};
}

static void free_tables(RunTables *t)
{
    free(t->rates);
    free(t->sources);
    free(t->pops);
    free(t->traces);
    free(t->names);
    free(t->units);
    free(t->scales);
}

static int simulate(const DrvOptions *opt, const IrModule *m, Jit *j, double t_start)
{
    RunTables t = {0};
    int rc = EXIT_RUN_FAILED;
    if (fill_pops(j, m, &t)) {
        fill_traces(m, &t);
        fill_rates(m, &t);
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        nrt_run_desc desc = {
            .model = base_name(opt->model),
            .network = m->network,
            .outdir = opt->out_dir ? opt->out_dir : "nrn-out",
            .dt = m->dt,
            .nsteps = m->nsteps,
            .seed = m->seed,
            .threads = opt->threads ? opt->threads : (cores > 0 ? (int)cores : 1),
            .format = opt->format && strcmp(opt->format, "npy") == 0 ? NRT_FORMAT_NPY : NRT_FORMAT_CSV,
            .progress = opt->progress,
            .npops = m->npops,
            .pops = t.pops,
            .ntraces = m->ntraces,
            .traces = t.traces,
            .nrates = m->nrates,
            .rates = t.rates,
        };
        desc.compile_s = drv_now() - t_start;
        rc = nrt_run(&desc);
    }
    free_tables(&t);
    return rc;
}

int drv_run(const DrvOptions *opt, const IrModule *m, double t_start)
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
        rc = simulate(opt, m, j, t_start);
    }
    jit_free(j);
    LLVMDisposeTargetMachine(tm);
    return rc;
}
