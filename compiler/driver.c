/* The pipeline, one call per stage, stopping after any stage that reported errors:
 *
 *   drv_load -> sema_check -> lower_network -> solve_select -> cg_module -> cg_optimize
 *   -> JIT -> nrt_run
 *
 * `check` stops after sema; `emit` after the stage it prints. */
#include <llvm-c/Core.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "ast.h"
#include "cg.h"
#include "drv.h"
#include "drv_load.h"
#include "ir.h"
#include "jit.h"
#include "lower.h"
#include "lsp.h"
#include "nrt.h"
#include "plot.h"
#include "sema.h"
#include "solve.h"
#include "util.h"

typedef struct Session {
    const DrvOptions *opt;
    Arena arena;
    Diags diags;
    SemaProgram prog;
    double t_start;
} Session;

double drv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool json_check(const DrvOptions *opt)
{
    return opt->command == CMD_CHECK && opt->format && strcmp(opt->format, "json") == 0;
}

static int report(Session *s)
{
    if (json_check(s->opt))
        return lsp_print_check(&s->diags, s->opt->model, stdout) ? EXIT_MODEL_ERROR : EXIT_RUN_FAILED;
    diag_flush(&s->diags, stderr);
    return EXIT_MODEL_ERROR;
}

static FILE *open_output(const DrvOptions *opt)
{
    if (!opt->output || strcmp(opt->output, "-") == 0)
        return stdout;
    FILE *f = fopen(opt->output, "w");
    if (!f)
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", opt->output);
    return f;
}

static int close_output(const DrvOptions *opt, FILE *f)
{
    if (f == stdout)
        return fflush(f) == 0 ? 0 : EXIT_RUN_FAILED;
    if (fclose(f) != 0) {
        fprintf(stderr, "nrnc: error: cannot write '%s'\n", opt->output);
        return EXIT_RUN_FAILED;
    }
    (void)opt;
    return 0;
}

/* ---- run parameters ---------------------------------------------------------------- */

bool drv_time_flag(const char *flag, const char *text, double *out)
{
    Dim dim;
    char err[160];
    if (!unit_parse_quantity(text, out, &dim, err, sizeof err)) {
        fprintf(stderr, "nrnc: error: %s '%s': %s\n", flag, text, err);
        return false;
    }
    if (!dim_eq(dim, dim_base(DIM_TIME))) {
        fprintf(stderr, "nrnc: error: %s needs a time with its unit (e.g. %s), got '%s'\n", flag,
                strcmp(flag, "--dt") == 0 ? "0.05ms" : "2s", text);
        return false;
    }
    if (!(*out > 0) && strcmp(flag, "--dt") == 0) {
        fprintf(stderr, "nrnc: error: --dt must be positive, got '%s'\n", text);
        return false;
    }
    if (!(*out >= 0)) {
        fprintf(stderr, "nrnc: error: %s must not be negative, got '%s'\n", flag, text);
        return false;
    }
    return true;
}

static SemaNetwork *pick_network(Session *s)
{
    const DrvOptions *opt = s->opt;
    if (opt->network) {
        SemaNetwork *n = sema_find_network(&s->prog, opt->network);
        if (!n)
            fprintf(stderr, "nrnc: error: --network '%s': no network of that name in %s\n", opt->network, opt->model);
        return n;
    }
    if (s->prog.simulate_net)
        return s->prog.simulate_net;
    if (s->prog.networks.len == 1)
        return s->prog.networks.items[0];
    if (s->prog.networks.len == 0)
        fprintf(stderr, "nrnc: error: %s defines no network to run\n", opt->model);
    else
        fprintf(stderr, "nrnc: error: %s defines several networks and no simulate statement: choose one with "
                "--network NAME\n", opt->model);
    return NULL;
}

static bool parse_sets(Session *s, LowerOptions *lo)
{
    const DrvOptions *opt = s->opt;
    lo->sets = ARENA_ARRAY(&s->arena, LowerSet, opt->nsets + 1);
    lo->nsets = opt->nsets;
    for (int k = 0; k < opt->nsets; k++) {
        const DrvSet *in = &opt->sets[k];
        LowerSet *out = &lo->sets[k];
        char err[160];
        out->pop = in->pop;
        out->name = in->name;
        out->text = in->text;
        if (!unit_parse_quantity(in->value, &out->si_value, &out->dim, err, sizeof err)) {
            fprintf(stderr, "nrnc: error: --set %s: %s\n", in->text, err);
            return false;
        }
        out->dimensionless_literal = dim_is_none(out->dim);
    }
    return true;
}

/* Everything lowering needs from the flags and the simulate statement. */
static int run_parameters(Session *s, LowerOptions *lo)
{
    const DrvOptions *opt = s->opt;
    const SemaProgram *p = &s->prog;
    lo->model_path = opt->model;
    lo->network = pick_network(s);
    if (!lo->network)
        return EXIT_USAGE;
    bool sim_here = p->simulate_net == lo->network;
    lo->dt = sim_here && p->sim_has_dt ? p->sim_dt_s : 1e-4;
    if (opt->dt && !drv_time_flag("--dt", opt->dt, &lo->dt))
        return EXIT_USAGE;
    if (opt->duration) {
        if (!drv_time_flag("--duration", opt->duration, &lo->duration))
            return EXIT_USAGE;
    } else if (sim_here) {
        lo->duration = p->sim_duration_s;
    } else {
        fprintf(stderr, "nrnc: error: no duration for network '%s': add 'simulate %s for 1 s' to the model or "
                "pass --duration\n", lo->network->name, lo->network->name);
        return EXIT_USAGE;
    }
    lo->timing_from_flags = opt->duration || opt->dt;
    double every;
    if (opt->checkpoint_every && !drv_time_flag("--checkpoint-every", opt->checkpoint_every, &every))
        return EXIT_USAGE;
    if (opt->checkpoint_every && !(every > 0)) {
        fprintf(stderr, "nrnc: error: --checkpoint-every must be positive, got '%s'\n", opt->checkpoint_every);
        return EXIT_USAGE;
    }
    if (opt->resume && opt->out_dir && strcmp(opt->resume, opt->out_dir) != 0) {
        fprintf(stderr, "nrnc: error: --resume %s continues the run in that folder: drop --out %s\n", opt->resume,
                opt->out_dir);
        return EXIT_USAGE;
    }
    lo->seed = opt->has_seed ? opt->seed : sim_here && p->sim_has_seed ? (uint64_t)p->sim_seed : 0;
    if (!parse_sets(s, lo))
        return EXIT_USAGE;
    if (opt->method) {
        IrMethod m;
        if (!builtin_method_parse(opt->method, &m)) {
            fprintf(stderr, "nrnc: error: --method '%s' is not a supported method (%s)\n", opt->method,
                    builtin_method_list());
            return EXIT_USAGE;
        }
    }
    return -1;
}

/* ---- stages ------------------------------------------------------------------------ */

static int front_end(Session *s)
{
    if (!drv_load(&s->arena, &s->diags, s->opt->model, &s->prog))
        return report(s);
    if (!sema_check(&s->prog, &s->diags))
        return report(s);
    return -1;
}

static int emit_ast(Session *s)
{
    FILE *out = open_output(s->opt);
    if (!out)
        return EXIT_USAGE;
    for (int k = 0; k < s->prog.files.len; k++)
        ast_dump(out, s->prog.files.items[k]);
    return close_output(s->opt, out);
}

static IrModule *middle_end(Session *s, int *rc)
{
    LowerOptions lo = {0};
    *rc = run_parameters(s, &lo);
    if (*rc >= 0)
        return NULL;
    IrModule *m = lower_network(&s->arena, &s->diags, &s->prog, &lo);
    if (!m || !solve_select(&s->arena, &s->diags, m, s->opt->method)) {
        diag_flush(&s->diags, stderr);
        *rc = lo.set_error ? EXIT_USAGE : EXIT_MODEL_ERROR;
        return NULL;
    }
    if (s->diags.nmsgs)
        diag_flush(&s->diags, stderr);
    return m;
}

/* nrnc fit lowers the network itself (drv_fit.c), with the run parameters of the flags */
static int fit(Session *s)
{
    LowerOptions lo = {0};
    int rc = run_parameters(s, &lo);
    return rc >= 0 ? rc : drv_fit(s->opt, &s->arena, &s->diags, &s->prog, &lo);
}

static int emit_ir(Session *s, const IrModule *m)
{
    FILE *out = open_output(s->opt);
    if (!out)
        return EXIT_USAGE;
    ir_dump(out, m);
    return close_output(s->opt, out);
}

/* A time flag of `nrnc stats` in ms (NAN when not given); false with the error printed.
 * Widths (--window, --bin, --lag) must be positive. */
static bool stats_time(const char *flag, const char *text, bool width, double *ms)
{
    double s = NAN;
    if (text && !drv_time_flag(flag, text, &s))
        return false;
    if (text && width && !(s > 0)) {
        fprintf(stderr, "nrnc: error: %s must be positive, got '%s'\n", flag, text);
        return false;
    }
    *ms = s * 1e3;
    return true;
}

static int stats(const DrvOptions *opt)
{
    AnOptions a = {.outdir = opt->model, .json = opt->st_format && strcmp(opt->st_format, "json") == 0,
                   .pca = opt->st_pca, .xcorr = opt->st_xcorr, .components = opt->st_components};
    if (!stats_time("--from", opt->st_from, false, &a.from_ms) || !stats_time("--to", opt->st_to, false, &a.to_ms) ||
        !stats_time("--window", opt->st_window, true, &a.window_ms) ||
        !stats_time("--bin", opt->st_bin, true, &a.bin_ms) || !stats_time("--lag", opt->st_lag, true, &a.lag_ms))
        return EXIT_USAGE;
    return an_stats_run(&a, stdout, stderr);
}

int drv_execute(const DrvOptions *opt)
{
    Session s = {.opt = opt, .t_start = drv_now()};
    arena_init(&s.arena);
    diag_init(&s.diags, &s.arena);
    s.prog.arena = &s.arena;
    if (opt->command == CMD_PLOT)
        return plot_main(opt->model, opt->output);
    if (opt->command == CMD_STATS)
        return stats(opt);
    if (opt->command == CMD_LSP)
        return lsp_main(stdin, stdout);
    int rc = -1;
    if (opt->command == CMD_EMIT && strcmp(opt->emit_kind, "ast") != 0 && strcmp(opt->emit_kind, "ir") != 0 &&
        strcmp(opt->emit_kind, "llvm") != 0 && strcmp(opt->emit_kind, "asm") != 0 &&
        strcmp(opt->emit_kind, "obj") != 0 && strcmp(opt->emit_kind, "header") != 0) {
        fprintf(stderr, "nrnc: error: unknown emit kind '%s' (kinds: ast, ir, llvm, asm, obj, header)\n",
                opt->emit_kind);
        rc = EXIT_USAGE;
    }
    if (rc < 0)
        rc = front_end(&s);
    if (rc < 0 && json_check(opt))
        rc = lsp_print_check(&s.diags, opt->model, stdout) ? 0 : EXIT_RUN_FAILED;
    if (rc < 0 && opt->command == CMD_CHECK)
        rc = 0;
    if (rc < 0 && opt->command == CMD_EMIT && strcmp(opt->emit_kind, "ast") == 0)
        rc = emit_ast(&s);
    if (rc < 0 && opt->command == CMD_FIT)
        rc = fit(&s);
    IrModule *m = rc < 0 ? middle_end(&s, &rc) : NULL;
    if (m && opt->command == CMD_EMIT && strcmp(opt->emit_kind, "ir") == 0)
        rc = emit_ir(&s, m);
    else if (m && opt->command == CMD_EMIT && strcmp(opt->emit_kind, "llvm") == 0)
        rc = drv_emit_llvm(opt, m);
    else if (m && opt->command == CMD_EMIT)
        rc = drv_emit_machine(opt, m);
    else if (m && opt->command == CMD_BUILD)
        rc = drv_build(opt, m);
    else if (m)
        rc = drv_run(opt, m, s.t_start);
    diag_fini(&s.diags);
    arena_fini(&s.arena);
    return rc;
}
