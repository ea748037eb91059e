/* `nrnc build` and `nrnc emit asm|obj|header`: ahead-of-time compilation.
 *
 * The simulator is the same LLVM module as `nrnc run` (same target machine settings, so
 * the same machine code and byte-identical output files), written as an object file, plus
 * a small generated C file holding the run description (populations, recorded variables,
 * spike sources) and main(), which hands both to the runtime's nrt_sim_main. The system C
 * compiler links them with libnrnrt, GSL and libm. */
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "drv.h"
#include "ir.h"
#include "nrt.h"
#include "util.h"

/* Last: <signal.h> (through these) defines a macro si_value, a field name of ast.h. */
#include <spawn.h>
#include <sys/wait.h>

#ifndef NRN_RUNTIME_INCLUDE
#define NRN_RUNTIME_INCLUDE "runtime"
#endif
#ifndef NRN_RUNTIME_LIB
#define NRN_RUNTIME_LIB "libnrnrt.a"
#endif
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

static void put_pop_tables(FILE *f, int k, const IrPop *p)
{
    char name[64];
    fprintf(f, "static const char *const names_%d[] = {", k);
    for (int s = 0; s < p->nstates; s++, fputs(", ", f))
        put_string(f, p->states[s].name);
    fprintf(f, "0};\nstatic const char *const units_%d[] = {", k);
    for (int s = 0; s < p->nstates; s++, fputs(", ", f))
        put_string(f, p->states[s].unit.text ? p->states[s].unit.text : "1");
    fprintf(f, "0};\nstatic const double scales_%d[] = {", k);
    for (int s = 0; s < p->nstates; s++, fputs(", ", f))
        put_double(f, p->states[s].unit.scale > 0 ? p->states[s].unit.scale : 1.0);
    fputs("0};\n", f);
    fprintf(f, "static const char *const pnames_%d[] = {", k);
    for (int q = 0; q < p->nparams; q++, fputs(", ", f))
        put_string(f, p->params[q].name);
    fprintf(f, "0};\nstatic const char *const punits_%d[] = {", k);
    for (int q = 0; q < p->nparams; q++, fputs(", ", f))
        put_string(f, p->params[q].unit.text ? p->params[q].unit.text : "1");
    fprintf(f, "0};\nstatic const double pscales_%d[] = {", k);
    for (int q = 0; q < p->nparams; q++, fputs(", ", f))
        put_double(f, p->params[q].unit.scale > 0 ? p->params[q].unit.scale : 1.0);
    fputs("0};\n", f);
    static const char *const fns[] = {"init", "integrate", "fire", "observe"};
    static const char *const types[] = {"void %s(nrt_pop *, double);\n", "int32_t %s(nrt_pop *, int64_t, double);\n",
                                        "int32_t %s(nrt_pop *, int64_t, double);\n",
                                        "void %s(nrt_pop *, int64_t, double);\n"};
    for (int j = 0; j < 4; j++) {
        if ((j == 2 && !p->threshold) || (j == 3 && !p->nobserved))
            continue;
        cg_symbol_name(name, sizeof name, fns[j], k);
        fprintf(f, types[j], name);
    }
    if (!p->is_source || p->source_file)
        return;
    fprintf(f, "static const int64_t src_steps_%d[] = {", k);
    for (int64_t s = 0; s < p->nsource; s++)
        fprintf(f, "%lld, ", (long long)p->source_steps[s]);
    fprintf(f, "0};\nstatic const int32_t src_neurons_%d[] = {", k);
    for (int64_t s = 0; s < p->nsource; s++)
        fprintf(f, "%d, ", p->source_neurons[s]);
    fputs("0};\n", f);
}

static void put_pop_desc(FILE *f, int k, const IrPop *p)
{
    fprintf(f, "    {.name = ");
    put_string(f, p->name);
    fprintf(f, ", .n = %lld, .narrays = %d, .nscalars = %d, .nstates = %d,\n", (long long)p->size, p->narrays,
            p->nscalars, p->nstates);
    fprintf(f, "     .state_names = names_%d, .state_scales = scales_%d, .state_units = units_%d,\n", k, k, k);
    fprintf(f, "     .nparams = %d, .param_names = pnames_%d, .param_units = punits_%d, .param_scales = pscales_%d,\n",
            p->nparams, k, k, k);
    fprintf(f, "     .method = \"%s\", .init = nrn_init_%d, .integrate = nrn_integrate_%d,\n",
            p->is_source ? "spike_source" : ir_method_name(p->method), k, k);
    if (p->threshold)
        fprintf(f, "     .fire = nrn_fire_%d,\n", k);
    if (p->nobserved)
        fprintf(f, "     .observe = nrn_observe_%d,\n", k);
    if (p->is_source)
        fprintf(f, "     .source = &sources[%d],\n", k);
    fprintf(f, "     .record_spikes = %s},\n", p->record_spikes ? "true" : "false");
}

static void put_sources(FILE *f, const IrModule *m)
{
    fputs("static const nrt_source sources[] = {\n", f);
    for (int k = 0; k < m->npops; k++) {
        const IrPop *p = &m->pops[k];
        if (p->is_source && p->source_file) {
            fputs("    {.file = ", f);
            put_string(f, p->source_file);
            fputs("},\n", f);
        } else if (p->is_source) {
            fprintf(f, "    {.count = %lld, .steps = src_steps_%d, .neurons = src_neurons_%d},\n",
                    (long long)p->nsource, k, k);
        } else {
            fputs("    {0},\n", f);
        }
    }
    fputs("};\n", f);
}

static void put_monitors(FILE *f, const IrModule *m)
{
    fputs("static const nrt_trace_desc traces[] = {\n", f);
    for (int k = 0; k < m->ntraces; k++) {
        const IrTrace *t = &m->traces[k];
        fprintf(f, "    {.pop = %d, .var = ", t->pop);
        put_string(f, t->var);
        fprintf(f, ", .slot = %d, .scalar = %s, .lo = %lld, .hi = %lld, .every = %lld, .scale = ", t->slot,
                t->scalar ? "true" : "false", (long long)t->lo, (long long)t->hi, (long long)t->every);
        put_double(f, t->unit.scale > 0 ? t->unit.scale : 1.0);
        fputs(", .unit = ", f);
        put_string(f, t->unit.text ? t->unit.text : "1");
        fputs("},\n", f);
    }
    fputs("    {0}};\nstatic const nrt_rate_desc rates[] = {\n", f);
    for (int k = 0; k < m->nrates; k++)
        fprintf(f, "    {.pop = %d, .every = %lld},\n", m->rates[k].pop, (long long)m->rates[k].every);
    fputs("    {0}};\n", f);
}

static void put_main(FILE *f, const DrvOptions *opt, const IrModule *m)
{
    const char *slash = strrchr(opt->model, '/');
    fputs("int main(int argc, char **argv)\n{\n    nrt_sim_spec spec = {.run = {\n        .model = ", f);
    put_string(f, slash ? slash + 1 : opt->model);
    fputs(", .network = ", f);
    put_string(f, m->network);
    fputs(", .outdir = ", f);
    put_string(f, opt->out_dir ? opt->out_dir : "nrn-out");
    fputs(",\n        .dt = ", f);
    put_double(f, m->dt);
    fprintf(f, ", .seed = %lluu, .threads = %d, .format = %s, .progress = %d,\n", (unsigned long long)m->seed,
            opt->threads, opt->format && strcmp(opt->format, "npy") == 0 ? "NRT_FORMAT_NPY" : "NRT_FORMAT_CSV",
            opt->progress);
    fprintf(f, "        .npops = %d, .pops = pops, .ntraces = %d, .traces = traces, .nrates = %d, .rates = rates},\n",
            m->npops, m->ntraces, m->nrates);
    fputs("        .duration = ", f);
    put_double(f, (double)m->nsteps * m->dt);
    fputs("};\n    return nrt_sim_main(argc, argv, &spec);\n}\n", f);
}

static bool write_tables(const char *path, const DrvOptions *opt, const IrModule *m)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs("/* Generated by nrnc build: the run description of the simulator. */\n#include \"nrt.h\"\n\n", f);
    for (int k = 0; k < m->npops; k++)
        put_pop_tables(f, k, &m->pops[k]);
    put_sources(f, m);
    fputs("static const nrt_pop_desc pops[] = {\n", f);
    for (int k = 0; k < m->npops; k++)
        put_pop_desc(f, k, &m->pops[k]);
    fputs("    {0}};\n", f);
    put_monitors(f, m);
    put_main(f, opt, m);
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
    char *argv[16];
    int n = 0;
    static char cc[] = "cc", std[] = "-std=c17", opt2[] = "-O2", flags[] = NRN_SIM_CFLAGS,
                inc[] = "-I" NRN_RUNTIME_INCLUDE, lib[] = NRN_RUNTIME_LIB, gsl[] = "-lgsl",
                cblas[] = "-lgslcblas", libm[] = "-lm", libmvec[] = "-lmvec", dash_o[] = "-o";
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

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"model.o", "simulator.c"};
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
        rc = link_simulator(dir, opt->output);
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
        fprintf(f, "int32_t nrn_integrate_%d(nrt_pop *pop, int64_t step, double dt);\n", k);
        if (p->threshold)
            fprintf(f, "int32_t nrn_fire_%d(nrt_pop *pop, int64_t step, double dt);\n", k);
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
