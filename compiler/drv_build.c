/* `nrnc build` and `nrnc emit asm|obj|header`: ahead-of-time compilation.
 *
 * The simulator is the same LLVM module as `nrnc run` (same target machine settings, so
 * the same machine code and byte-identical output files), written as an object file, plus
 * a small generated C file holding the run description (populations, recorded variables,
 * spike sources) and main(), which hands both to the runtime's nrt_sim_main. The system C
 * compiler links them with libnrnrt, GSL and libm. */
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "drv.h"
#include "drv_desc.h"
#include "ir.h"
#include "nrt.h"
#include "util.h"

/* Last: <signal.h> (through these) defines a macro si_value, a field name of ast.h. */
#include <spawn.h>
#include <sys/wait.h>

#ifndef NRN_SIM_CFLAGS
#define NRN_SIM_CFLAGS ""
#endif

extern char **environ;

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\%03o", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void put_double(FILE *f, double x)
{
    char buf[40];
    nrt_format_double(x, buf, sizeof buf);
    fputs(buf, f);
    if (!strpbrk(buf, ".eni"))
        fputs(".0", f);
}

/* The C text of the run description: each table of DrvDesc written as a static array,
 * function slots by the symbol drv_desc_each_fn names. Adding a field to one of these
 * runtime structs changes its size and stops the build here until it is written too. */
_Static_assert(sizeof(nrt_pop_desc) == 200, "nrt_pop_desc changed: update put_pops");
_Static_assert(sizeof(nrt_conn_desc) == 240, "nrt_conn_desc changed: update put_conns");

static void put_strings(FILE *f, const char *name, int k, const char *const *v, int n)
{
    fprintf(f, "static const char *const %s_%d[] = {", name, k);
    for (int s = 0; s < n; s++, fputs(", ", f))
        put_string(f, v[s]);
    fputs("0};\n", f);
}

static void put_doubles(FILE *f, const char *name, int k, const double *v, int64_t n)
{
    fprintf(f, "static const double %s_%d[] = {", name, k);
    for (int64_t s = 0; s < n; s++, fputs(", ", f))
        put_double(f, v[s]);
    fputs("0};\n", f);
}

/* Function slots: the symbol of every slot the description uses, declared and then
 * referred to by address. */
typedef struct FnNames {
    FILE *f;
    const void **slot;
    const char **symbol;
    int n, cap;
} FnNames;

static bool collect(void *ctx, void **slot, const char *symbol)
{
    FnNames *fn = ctx;
    if (fn->n == fn->cap) {
        fn->cap = fn->cap ? 2 * fn->cap : 64;
        fn->slot = realloc(fn->slot, (size_t)fn->cap * sizeof *fn->slot);
        fn->symbol = realloc(fn->symbol, (size_t)fn->cap * sizeof *fn->symbol);
        if (!fn->slot || !fn->symbol)
            nrn_fatal_oom();
    }
    fn->slot[fn->n] = slot;
    fn->symbol[fn->n] = strdup(symbol);
    if (!fn->symbol[fn->n])
        nrn_fatal_oom();
    fprintf(fn->f, "extern void %s(void);   /* called through a typed pointer */\n", symbol);
    fn->n++;
    return true;
}

/* ", .field = symbol" when the slot holds a function */
static void put_fn(FILE *f, const FnNames *fn, const void *slot, const char *field, const char *type)
{
    for (int k = 0; k < fn->n; k++)
        if (fn->slot[k] == slot) {
            fprintf(f, ", .%s = (%s)%s", field, type, fn->symbol[k]);
            return;
        }
}

static void put_pops(FILE *f, const nrt_run_desc *r, const FnNames *fn)
{
    for (int k = 0; k < r->npops; k++) {
        const nrt_pop_desc *p = &r->pops[k];
        put_strings(f, "names", k, p->state_names, p->nstates);
        put_strings(f, "units", k, p->state_units, p->nstates);
        put_doubles(f, "scales", k, p->state_scales, p->nstates);
        put_strings(f, "pnames", k, p->param_names, p->nparams);
        put_strings(f, "punits", k, p->param_units, p->nparams);
        put_doubles(f, "pscales", k, p->param_scales, p->nparams);
        fprintf(f, "static const unsigned char pflags_%d[] = {", k);
        for (int q = 0; q < p->nparams; q++)
            fprintf(f, "%d, ", p->param_flags[q]);
        fputs("0};\n", f);
        fprintf(f, "static const double values_%d[] = {", k);
        for (int q = 0; q < p->nparams + p->nstates; q++, fputs(", ", f))
            if (isnan(p->initial_values[q]))
                fputs("__builtin_nan(\"\")", f);
            else
                put_double(f, p->initial_values[q]);
        fputs("0};\n", f);
        fprintf(f, "static const nrt_var_desc pvars_%d[] = {", k);
        for (int v = 0; v < p->nvars; v++) {
            const nrt_var_desc *var = &p->vars[v];
            fputs("{", f);
            put_string(f, var->name);
            fprintf(f, ", %d, %d, %s, ", var->kind, var->slot, var->scalar ? "true" : "false");
            put_double(f, var->scale);
            fputs(", ", f);
            put_string(f, var->unit);
            fputs("}, ", f);
        }
        fputs("{0}};\n", f);
        fprintf(f, "static const int inputs_%d[] = {", k);
        for (int q = 0; q < p->ninputs; q++)
            fprintf(f, "%d, ", p->input_slots[q]);
        fputs("0};\n", f);
        if (p->source && !p->source->file) {
            fprintf(f, "static const int64_t src_steps_%d[] = {", k);
            for (int64_t s = 0; s < p->source->count; s++)
                fprintf(f, "%lld, ", (long long)p->source->steps[s]);
            fprintf(f, "0};\nstatic const int32_t src_neurons_%d[] = {", k);
            for (int64_t s = 0; s < p->source->count; s++)
                fprintf(f, "%d, ", p->source->neurons[s]);
            fputs("0};\n", f);
        }
    }
    fputs("static const nrt_source sources[] = {\n", f);
    for (int k = 0; k < r->npops; k++) {
        const nrt_source *src = r->pops[k].source;
        if (src && src->file) {
            fputs("    {.file = ", f);
            put_string(f, src->file);
            fputs("},\n", f);
        } else if (src) {
            fprintf(f, "    {.count = %lld, .steps = src_steps_%d, .neurons = src_neurons_%d},\n",
                    (long long)src->count, k, k);
        } else {
            fputs("    {0},\n", f);
        }
    }
    fputs("    {0}};\nstatic const nrt_pop_desc pops[] = {\n", f);
    for (int k = 0; k < r->npops; k++) {
        const nrt_pop_desc *p = &r->pops[k];
        fputs("    {.name = ", f);
        put_string(f, p->name);
        fprintf(f, ", .n = %lld, .narrays = %d, .nscalars = %d, .nstates = %d,\n", (long long)p->n, p->narrays,
                p->nscalars, p->nstates);
        fprintf(f, "     .state_names = names_%d, .state_scales = scales_%d, .state_units = units_%d,\n", k, k, k);
        fprintf(f, "     .nparams = %d, .param_names = pnames_%d, .param_units = punits_%d, "
                   ".param_scales = pscales_%d, .param_flags = pflags_%d, .initial_values = values_%d,\n", p->nparams, k, k,
                k, k, k);
        fprintf(f, "     .ninputs = %d, .input_slots = inputs_%d, .nvars = %d, .vars = pvars_%d, .method = ",
                p->ninputs, k, p->nvars, k);
        put_string(f, p->method);
        fprintf(f, ", .record_spikes = %s", p->record_spikes ? "true" : "false");
        if (p->source)
            fprintf(f, ", .source = &sources[%d]", k);
        put_fn(f, fn, &p->init, "init", "nrt_init_fn");
        put_fn(f, fn, &p->derive, "derive", "nrt_init_fn");
        put_fn(f, fn, &p->integrate, "integrate", "nrt_integrate_fn");
        put_fn(f, fn, &p->fire, "fire", "nrt_fire_fn");
        put_fn(f, fn, &p->observe, "observe", "nrt_observe_fn");
        fputs("},\n", f);
    }
    fputs("    {0}};\n", f);
}

static void put_conns(FILE *f, const nrt_run_desc *r, const FnNames *fn)
{
    for (int k = 0; k < r->nconns; k++) {
        const nrt_conn_desc *c = &r->conns[k];
        if (c->matrix)
            put_doubles(f, "matrix", k, c->matrix, (c->pre >= 0 ? r->pops[c->pre].n : 0) * r->pops[c->post].n);
        fprintf(f, "static const nrt_syn_var vars_%d[] = {\n", k);
        for (int v = 0; v < c->nvars; v++) {
            const nrt_syn_var *sv = &c->vars[v];
            fputs("    {.name = ", f);
            put_string(f, sv->name);
            fprintf(f, ", .slot = %d, .scalar = %s, .decay = ", sv->slot, sv->scalar ? "true" : "false");
            put_double(f, sv->decay);
            fputs(", .scale = ", f);
            put_double(f, sv->scale);
            fputs(", .unit = ", f);
            put_string(f, sv->unit);
            fputs("},\n", f);
        }
        fputs("    {0}};\n", f);
    }
    fputs("static const nrt_conn_desc conns[] = {\n", f);
    for (int k = 0; k < r->nconns; k++) {
        const nrt_conn_desc *c = &r->conns[k];
        fputs("    {.name = ", f);
        put_string(f, c->name);
        fprintf(f, ", .stmt = %d, .pre = %d, .post = %d, .pre_offset = %lld, .post_offset = %lld,\n", c->stmt,
                c->pre, c->post, (long long)c->pre_offset, (long long)c->post_offset);
        fprintf(f, "     .pre_total = %lld, .post_total = %lld, .self_offset = %lld, .rule = %d, .p = ",
                (long long)c->pre_total, (long long)c->post_total, (long long)c->self_offset, (int)c->rule);
        put_double(f, c->p);
        fprintf(f, ", .k = %lld, .allow_self = %s, .poisson_lambda = ", (long long)c->k,
                c->allow_self ? "true" : "false");
        put_double(f, c->poisson_lambda);
        if (c->matrix)
            fprintf(f, ", .matrix = matrix_%d", k);
        if (c->matrix_file) {
            fputs(", .matrix_file = ", f);
            put_string(f, c->matrix_file);
        }
        fputs(",\n     .matrix_scale = ", f);
        put_double(f, c->matrix_scale);
        fprintf(f, ", .dense = %s, .weight_slot = %d, .narrays = %d, .nscalars = %d, .hetero_delay = %s,\n",
                c->dense ? "true" : "false", c->weight_slot, c->narrays, c->nscalars,
                c->hetero_delay ? "true" : "false");
        fprintf(f, "     .delay_steps = %lld, .post_index = %s, .sequential_events = %s, .sequential_sum = %s,"
                   " .last_slot = %d, .nvars = %d, .vars = vars_%d", (long long)c->delay_steps,
                c->post_index ? "true" : "false", c->sequential_events ? "true" : "false",
                c->sequential_sum ? "true" : "false", c->last_slot, c->nvars, k);
        put_fn(f, fn, &c->init, "init", "nrt_conn_init_fn");
        put_fn(f, fn, &c->pre_fn, "pre_fn", "nrt_conn_pre_fn");
        put_fn(f, fn, &c->piece_fn, "piece_fn", "nrt_conn_piece_fn");
        put_fn(f, fn, &c->pre_syn_fn, "pre_syn_fn", "nrt_conn_event_fn");
        put_fn(f, fn, &c->post_fn, "post_fn", "nrt_conn_event_fn");
        put_fn(f, fn, &c->summed_fn, "summed_fn", "nrt_conn_summed_fn");
        put_fn(f, fn, &c->poisson_fn, "poisson_fn", "nrt_conn_poisson_fn");
        fputs("},\n", f);
    }
    fputs("    {0}};\n", f);
}

/* The index arrays of strided and listed traces, trace_index<k>[], before the table. */
static void put_trace_indices(FILE *f, const nrt_run_desc *r)
{
    for (int k = 0; k < r->ntraces; k++) {
        const nrt_trace_desc *t = &r->traces[k];
        if (!t->index)
            continue;
        fprintf(f, "static const int64_t trace_index%d[] = {", k);
        for (int64_t i = 0; i < t->nindex; i++)
            fprintf(f, "%s%lld,", i % 16 == 0 ? "\n    " : " ", (long long)t->index[i]);
        fputs("};\n", f);
    }
}

static void put_monitors(FILE *f, const nrt_run_desc *r)
{
    put_trace_indices(f, r);
    fputs("static const nrt_trace_desc traces[] = {\n", f);
    for (int k = 0; k < r->ntraces; k++) {
        const nrt_trace_desc *t = &r->traces[k];
        fprintf(f, "    {.pop = %d, .var = ", t->pop);
        put_string(f, t->var);
        if (t->index)
            fprintf(f, ", .index = trace_index%d, .nindex = %lld", k, (long long)t->nindex);
        fprintf(f, ", .slot = %d, .scalar = %s, .lo = %lld, .hi = %lld, .every = %lld, .scale = ", t->slot,
                t->scalar ? "true" : "false", (long long)t->lo, (long long)t->hi, (long long)t->every);

        put_double(f, t->scale);
        fputs(", .unit = ", f);
        put_string(f, t->unit);
        fputs("},\n", f);
    }
    fputs("    {0}};\nstatic const nrt_rate_desc rates[] = {\n", f);
    for (int k = 0; k < r->nrates; k++)
        fprintf(f, "    {.pop = %d, .every = %lld},\n", r->rates[k].pop, (long long)r->rates[k].every);
    fputs("    {0}};\nstatic const nrt_syn_trace_desc syn_traces[] = {\n", f);
    for (int k = 0; k < r->nsyn_traces; k++) {
        const nrt_syn_trace_desc *t = &r->syn_traces[k];
        fputs("    {.file = ", f);
        put_string(f, t->file);
        fprintf(f, ", .first = %d, .count = %d, .var = %d, .every = %lld},\n", t->first, t->count, t->var,
                (long long)t->every);
    }
    fputs("    {0}};\n", f);
}

/* main() of a simulator, or, with --lib, nrn_model() of a model library (nrnrt.h): the
 * same run description either way. */
static void put_main(FILE *f, const DrvOptions *opt, const nrt_run_desc *r)
{
    const char *slash = strrchr(opt->model, '/');
    if (opt->lib)
        fputs("static const nrt_sim_spec spec = {.run = {\n        .model = ", f);
    else
        fputs("int main(int argc, char **argv)\n{\n    nrt_sim_spec spec = {.run = {\n        .model = ", f);
    put_string(f, slash ? slash + 1 : opt->model);
    fputs(", .network = ", f);
    put_string(f, r->network);
    fputs(", .outdir = ", f);
    put_string(f, opt->out_dir ? opt->out_dir : "nrn-out");
    fputs(",\n        .dt = ", f);
    put_double(f, r->dt);
    fprintf(f, ", .seed = %lluu, .threads = %d, .max_memory = %.17g, .format = %s, .progress = %d,\n",
            (unsigned long long)r->seed, opt->threads, opt->max_memory, opt->format && strcmp(opt->format, "npy") == 0 ? "NRT_FORMAT_NPY" : "NRT_FORMAT_CSV",
            opt->progress);
    fprintf(f, "        .npops = %d, .pops = pops, .ntraces = %d, .traces = traces, .nrates = %d, .rates = rates,\n",
            r->npops, r->ntraces, r->nrates);
    fprintf(f, "        .nconns = %d, .conns = conns, .nsyn_traces = %d, .syn_traces = syn_traces,\n", r->nconns,
            r->nsyn_traces);
    fprintf(f, "        .force = %s},\n", opt->force ? "true" : "false");
    fputs("        .duration = ", f);
    put_double(f, (double)r->nsteps * r->dt);
    if (opt->lib)
        fputs("};\nstatic const struct nrt_model model = {.abi = NRT_MODEL_ABI, .spec = &spec};\n"
              "const nrt_model *nrn_model(void) { return &model; }\n", f);
    else
        fputs("};\n    return nrt_sim_main(argc, argv, &spec);\n}\n", f);
}

static bool write_tables(const char *path, const DrvOptions *opt, const IrModule *m)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs("/* Generated by nrnc build: the run description of the simulator. */\n#include \"nrt.h\"\n\n", f);
    DrvDesc *dd = drv_desc_new(m);
    FnNames fn = {.f = f};
    drv_desc_each_fn(dd, collect, &fn);
    put_pops(f, &dd->run, &fn);
    put_conns(f, &dd->run, &fn);
    put_monitors(f, &dd->run);
    put_main(f, opt, &dd->run);
    for (int k = 0; k < fn.n; k++)
        free((void *)fn.symbol[k]);
    free(fn.slot);
    free(fn.symbol);
    drv_desc_free(dd);
    return fclose(f) == 0;
}

/* Runs argv (no shell), waiting for it; true on exit status 0. */
static bool run_command(char *const argv[])
{
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
        fprintf(stderr, "nrnc: error: cannot run '%s' (is a C compiler installed?)\n", argv[0]);
        return false;
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The optimised module for the host, emitted as `kind` to `path`. */
static bool emit_machine_code(const IrModule *m, LLVMCodeGenFileType kind, const char *path)
{
    char *err = NULL;
    LLVMTargetMachineRef tm = cg_host_machine(&err);
    if (!tm) {
        fprintf(stderr, "nrnc: error: no LLVM target for this machine: %s\n", err);
        LLVMDisposeMessage(err);
        return false;
    }
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = cg_module(ctx, m, tm);
    bool ok = cg_optimize(mod, tm);
    if (ok && LLVMTargetMachineEmitToFile(tm, mod, path, kind, &err)) {
        fprintf(stderr, "nrnc: error: cannot write '%s': %s\n", path, err);
        LLVMDisposeMessage(err);
        ok = false;
    }
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
    return ok;
}

static int link_simulator(const char *dir, const char *output)
{
    char obj[4096], src[4096];
    snprintf(obj, sizeof obj, "%s/model.o", dir);
    snprintf(src, sizeof src, "%s/simulator.c", dir);
    char *argv[20];
    int n = 0;
    static char cc[] = "cc", std[] = "-std=c17", opt2[] = "-O2", flags[] = NRN_SIM_CFLAGS,
                gsl[] = "-lgsl", cblas[] = "-lgslcblas", libm[] = "-lm", libmvec[] = "-lmvec",
                pthread[] = "-pthread", dash_o[] = "-o";
    char inc[4096], lib[4096];
    snprintf(inc, sizeof inc, "-I%s", drv_runtime_include());
    snprintf(lib, sizeof lib, "%s", drv_runtime_lib(false));
    argv[n++] = cc;
    argv[n++] = std;
    argv[n++] = opt2;
    if (flags[0])
        argv[n++] = flags;
    argv[n++] = inc;
    argv[n++] = src;
    argv[n++] = obj;
    argv[n++] = lib;
    argv[n++] = gsl;
    argv[n++] = cblas;
    argv[n++] = libmvec;
    argv[n++] = libm;
    argv[n++] = pthread;
    argv[n++] = dash_o;
    char out[4096];
    snprintf(out, sizeof out, "%s", output);
    argv[n++] = out;
    argv[n] = NULL;
    bool ok = run_command(argv);
    if (!ok)
        fprintf(stderr, "nrnc: error: linking the simulator '%s' failed\n", output);
    return ok ? 0 : EXIT_RUN_FAILED;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* --lib: a static archive of the model's code and its description (linked by the user
 * with -lnrnrt), or a shared library that carries the runtime inside (libnrnrt.a is
 * position-independent) and exports only nrn_model and the API of nrnrt.h, so that it
 * loads alone (Python's ctypes) and two models' generated symbols never meet. */
static int link_library(const char *dir, const char *output)
{
    char obj[4096], src[4096], desc[4096], map[4096], out[4096];
    snprintf(obj, sizeof obj, "%s/model.o", dir);
    snprintf(src, sizeof src, "%s/simulator.c", dir);
    snprintf(desc, sizeof desc, "%s/desc.o", dir);
    snprintf(map, sizeof map, "%s/exports.map", dir);
    snprintf(out, sizeof out, "%s", output);
    char inc[4096], lib[4096];
    snprintf(inc, sizeof inc, "-I%s", drv_runtime_include());
    snprintf(lib, sizeof lib, "%s", drv_runtime_lib(false));
    static char cc[] = "cc", std[] = "-std=c17", opt2[] = "-O2", pic[] = "-fPIC", flags[] = NRN_SIM_CFLAGS,
                gsl[] = "-lgsl", cblas[] = "-lgslcblas", libm[] = "-lm", libmvec[] = "-lmvec", pthread[] = "-pthread",
                dash_o[] = "-o", dash_c[] = "-c", shared[] = "-shared", whole[] = "-Wl,--whole-archive",
                no_whole[] = "-Wl,--no-whole-archive", ar[] = "ar", rcs[] = "rcs";
    char *argv[24];
    int n = 0;
    bool ok;
    if (ends_with(output, ".a")) {
        char *compile[] = {cc, std, opt2, pic, inc, dash_c, src, dash_o, desc, NULL};
        char *archive[] = {ar, rcs, out, obj, desc, NULL};
        unlink(output);   /* ar adds to an existing archive */
        ok = run_command(compile) && run_command(archive);
    } else {
        FILE *f = fopen(map, "w");
        if (!f || fputs("{ global: nrn_model; nrt_options_default; nrt_sim_*; nrt_last_error; local: *; };\n", f) < 0 ||
            fclose(f) != 0) {
            fprintf(stderr, "nrnc: error: cannot write '%s'\n", map);
            return EXIT_RUN_FAILED;
        }
        char version[4200];
        snprintf(version, sizeof version, "-Wl,--version-script=%s", map);
        argv[n++] = cc;
        argv[n++] = std;
        argv[n++] = opt2;
        argv[n++] = pic;
        argv[n++] = shared;
        if (flags[0])
            argv[n++] = flags;
        argv[n++] = inc;
        argv[n++] = src;
        argv[n++] = obj;
        argv[n++] = whole;
        argv[n++] = lib;
        argv[n++] = no_whole;
        argv[n++] = gsl;
        argv[n++] = cblas;
        argv[n++] = libmvec;
        argv[n++] = libm;
        argv[n++] = pthread;
        argv[n++] = version;
        argv[n++] = dash_o;
        argv[n++] = out;
        argv[n] = NULL;
        ok = run_command(argv);
    }
    if (!ok)
        fprintf(stderr, "nrnc: error: linking the library '%s' failed\n", output);
    return ok ? 0 : EXIT_RUN_FAILED;
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"model.o", "simulator.c", "desc.o", "exports.map"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        unlink(path);
    }
    rmdir(dir);
}

int drv_build(const DrvOptions *opt, const IrModule *m)
{
    if (!opt->output) {
        fprintf(stderr, "nrnc: error: build needs the simulator's name: nrnc build MODEL.nrn -o SIM\n");
        return EXIT_USAGE;
    }
    char dir[] = "/tmp/nrnc-build-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "nrnc: error: cannot create a temporary folder\n");
        return EXIT_RUN_FAILED;
    }
    char obj[64], src[64];
    snprintf(obj, sizeof obj, "%s/model.o", dir);
    snprintf(src, sizeof src, "%s/simulator.c", dir);
    int rc = EXIT_RUN_FAILED;
    if (!write_tables(src, opt, m))
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", src);
    else if (emit_machine_code(m, LLVMObjectFile, obj))
        rc = opt->lib ? link_library(dir, opt->output) : link_simulator(dir, opt->output);
    remove_dir(dir);
    return rc;
}

static int emit_header(const DrvOptions *opt, const IrModule *m)
{
    FILE *f = opt->output && strcmp(opt->output, "-") != 0 ? fopen(opt->output, "w") : stdout;
    if (!f) {
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", opt->output);
        return EXIT_RUN_FAILED;
    }
    fprintf(f, "/* Generated by nrnc emit header: the functions of network %s's object file\n"
               " * (nrnc emit obj). Link with libnrnrt; see runtime/nrt.h for nrt_pop. */\n"
               "#include \"nrt.h\"\n\n", m->network);
    for (int k = 0; k < m->npops; k++) {
        const IrPop *p = &m->pops[k];
        fprintf(f, "/* population %s = %s[%lld]: %d arrays, %d scalars */\n", p->name, p->model, (long long)p->size,
                p->narrays, p->nscalars);
        fprintf(f, "void nrn_init_%d(nrt_pop *pop, double dt);\n", k);
        fprintf(f, "int32_t nrn_integrate_%d(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi);\n", k);
        if (p->threshold)
            fprintf(f, "int32_t nrn_fire_%d(nrt_pop *pop, int64_t step, double dt, int64_t lo, int64_t hi,\n"
                       "                   int64_t *nspiked);\n", k);
        if (p->nobserved)
            fprintf(f, "void nrn_observe_%d(nrt_pop *pop, int64_t step, double dt);\n", k);
    }
    if (f == stdout)
        return fflush(f) == 0 ? 0 : EXIT_RUN_FAILED;
    return fclose(f) == 0 ? 0 : EXIT_RUN_FAILED;
}

int drv_emit_machine(const DrvOptions *opt, const IrModule *m)
{
    if (strcmp(opt->emit_kind, "header") == 0)
        return emit_header(opt, m);
    bool obj = strcmp(opt->emit_kind, "obj") == 0;
    if (obj && (!opt->output || strcmp(opt->output, "-") == 0)) {
        fprintf(stderr, "nrnc: error: emit obj needs an output file: -o FILE.o\n");
        return EXIT_USAGE;
    }
    const char *path = opt->output ? opt->output : "/dev/stdout";
    return emit_machine_code(m, obj ? LLVMObjectFile : LLVMAssemblyFile, path) ? 0 : EXIT_RUN_FAILED;
}
