/* Command-line parsing (../shared/spec/CLI.md). Every malformed flag is a usage error
 * (exit 2) that says which flag and why. */
#include <errno.h>
#include <limits.h>
#include <llvm-c/Core.h>   /* LLVMGetVersion, for --version */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"
#include "nrt.h"
#include "util.h"

static const char usage_text[] =
    "usage: nrnc check MODEL.nrn [--format text|json]\n"
    "       nrnc run MODEL.nrn [RUN OPTIONS]\n"
    "       nrnc emit ast|ir|llvm|asm|obj|header MODEL.nrn [-o FILE] [RUN OPTIONS]\n"
    "       nrnc build MODEL.nrn -o SIM [RUN OPTIONS]   (then ./SIM [RUN OPTIONS])\n"
    "       nrnc build --lib MODEL.nrn -o libNAME.so|libNAME.a [RUN OPTIONS]   (nrnrt.h)\n"
    "       nrnc plot OUTDIR [-o FILE.svg]\n"
    "       nrnc stats OUTDIR [--from T] [--to T] [--window T] [--format text|json]\n"
    "       nrnc stats OUTDIR --pca POP[:VAR] [--bin T] [--components K]\n"
    "       nrnc stats OUTDIR --xcorr A,B [--bin T] [--lag T]\n"
    "       nrnc fit MODEL.nrn --data FILE --target spikes|trace:VAR --params POP.NAME[,...]\n"
    "                [--bounds POP.NAME=LO:HI ...] [--out DIR] [RUN OPTIONS]\n"
    "       nrnc lsp                                    (a language server on stdin/stdout)\n"
    "       nrnc COMMAND --help | nrnc --help\n"
    "       nrnc --version                              (nrnc's version and LLVM's)\n"
    "\n";

static const char run_options_text[] =
    "run options:\n"
    "  --out DIR            where results go (default nrn-out/); the files a previous run\n"
    "                       left there are removed first\n"
    "  --force              write into a non-empty --out folder that nrnc did not write\n"
    "  --duration T         simulated time, with a unit: 2s, 500ms\n"
    "  --dt T               time step, with a unit: 0.05ms\n"
    "  --seed N             random seed\n"
    "  --set [POP.]NAME=V   override a param or initial state (unit required where it has one)\n"
    "  --network NAME       the network to run when the file defines several\n"
    "  --method M           override every population's integrator\n"
    "  --threads N          worker threads (results do not depend on N)\n"
    "  --format csv|npy     spike and trace file format\n"
    "  --checkpoint-every T save the whole state every T of simulated time (and at a stop)\n"
    "  --resume DIR         continue the run whose checkpoint is in DIR (its --out)\n"
    "  --max-memory SIZE    refuse a run planned to need more (8G, 512M; default: available memory)\n"
    "  --quiet, --progress  never / always show a progress bar\n";

/* `nrnc COMMAND --help`: that command's usage, then the run options where it takes them. */
static const struct {
    DrvCommand cmd;
    const char *text;
    bool run_options;
} command_help[] = {
    {CMD_CHECK, "usage: nrnc check MODEL.nrn [--format text|json]\n"
                "\n"
                "Parses and checks MODEL.nrn (names, units, the rules of the language) without\n"
                "running it; prints its diagnostics on stderr. With --format json, prints them\n"
                "on stdout as one JSON object for editors and scripts:\n"
                "  {\"diagnostics\": [{\"file\", \"line\", \"col\", \"end_line\", \"end_col\",\n"
                "                    \"severity\", \"message\", \"notes\": [...]}]}\n"
                "(lines and columns from 1; docs/editors.md). Exit 0 when the model has no\n"
                "errors, 1 when it has.\n", false},
    {CMD_LSP, "usage: nrnc lsp\n"
              "\n"
              "A language server (LSP 3.17) on stdin/stdout for editors: diagnostics as you\n"
              "type, and hover on a name for its kind, unit and declaration. Editors start it\n"
              "themselves; docs/editors.md shows how to configure VS Code, Vim and Neovim.\n", false},
    {CMD_RUN, "usage: nrnc run MODEL.nrn [RUN OPTIONS]\n"
              "\n"
              "Compiles MODEL.nrn in memory and simulates it: the network of its simulate\n"
              "statement, for its duration, unless the options say otherwise. Results go to\n"
              "the output folder (spikes.csv, trace_*.csv, summary.json). Exit 0 on success,\n"
              "1 for errors in the model, 2 for a bad command line, 3 when the run failed.\n", true},
    {CMD_BUILD, "usage: nrnc build MODEL.nrn -o SIM [RUN OPTIONS]\n"
                "       nrnc build --lib MODEL.nrn -o libNAME.so|libNAME.a [RUN OPTIONS]\n"
                "\n"
                "Compiles MODEL.nrn into a standalone simulator SIM; the run options given here\n"
                "become its defaults. ./SIM takes the run options too (./SIM --help).\n"
                "With --lib, into a library exporting nrn_model() for the C API of <nrnc/nrnrt.h>\n"
                "(a shared one for .so, a static archive for .a; link with -lnrnrt).\n", true},
    {CMD_EMIT, "usage: nrnc emit KIND MODEL.nrn [-o FILE] [RUN OPTIONS]\n"
               "\n"
               "Writes a stage of the compilation to FILE (default: stdout). KIND is one of\n"
               "  ast     the syntax tree          ir      the IR, with each method's reason\n"
               "  llvm    LLVM IR                  asm     assembly for this machine\n"
               "  obj     an object file (-o)      header  the C header of the object file\n", true},
    {CMD_PLOT, "usage: nrnc plot OUTDIR [-o FILE.svg]\n"
               "\n"
               "Draws the spike raster, traces and rates of a finished (or interrupted) run in\n"
               "OUTDIR as an SVG file (default: OUTDIR/plot.svg), with each population's ISI\n"
               "histogram and rate distribution, and the pca_*.csv files of nrnc stats --pca.\n", false},
    {CMD_STATS, "usage: nrnc stats OUTDIR [--from T] [--to T] [--window T] [--format text|json]\n"
                "       nrnc stats OUTDIR --pca POP[:VAR] [--bin T] [--components K]\n"
                "       nrnc stats OUTDIR --xcorr A,B [--bin T] [--lag T]\n"
                "\n"
                "Statistics of a finished (or interrupted) run in OUTDIR, per population: mean\n"
                "rate and its distribution over neurons, ISI mean and CV, Fano factor of counts\n"
                "in windows of --window (default 100ms), silent fraction, synchrony (Golomb's\n"
                "chi over bins of --bin, default 5ms); the same numbers as summary.json's.\n"
                "--pca writes the principal components of binned spike counts (--bin, default\n"
                "5ms) or of the trace of VAR to OUTDIR/pca_POP[_VAR].csv and\n"
                "pca_POP[_VAR]_variance.csv (--components K, default 3). --xcorr writes the\n"
                "cross-correlogram of B's spikes around A's (--bin default 1ms, --lag default\n"
                "50ms) to OUTDIR/xcorr_A_B.csv. --from and --to limit the time (default: the\n"
                "whole run). Times take a unit: 100ms, 0.5s, '50 ms'. See docs/analysis.md.\n"
                "Exit 0 on success, 2 for a bad command line or a folder that cannot be used.\n",
     false},
    {CMD_FIT, drv_fit_help, true},
};

static int usage_error(const char *fmt, const char *arg)
{
    fputs("nrnc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(run 'nrnc --help' for usage)\n", stderr);
    return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static int add_set(DrvOptions *opt, const char *text)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text || !eq[1])
        return usage_error("--set needs NAME=VALUE or POP.NAME=VALUE, got '%s'", text);
    DrvSet s = {.text = text};
    char *lhs = strndup(text, (size_t)(eq - text));
    if (!lhs)
        nrn_fatal_oom();
    char *dot = strchr(lhs, '.');
    if (dot) {
        *dot = '\0';
        s.pop = lhs;
        s.name = dot + 1;
    } else {
        s.name = lhs;
    }
    s.value = eq + 1;
    DrvSet *grown = realloc(opt->sets, sizeof(DrvSet) * (size_t)(opt->nsets + 1));
    if (!grown)
        nrn_fatal_oom();
    opt->sets = grown;
    opt->sets[opt->nsets++] = s;
    if (!*s.name || (s.pop && !*s.pop))
        return usage_error("--set needs NAME=VALUE or POP.NAME=VALUE, got '%s'", text);
    return -1;
}

/* One "--flag value" or "--flag=value" option; *i is advanced past what it uses. */
static int run_option(DrvOptions *opt, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    int fit_rc = opt->command == CMD_FIT ? drv_fit_option(opt, argc, argv, i) : -2;
    if (fit_rc != -2)
        return fit_rc;
    if (strcmp(arg, "--quiet") == 0) { opt->progress = 0; return -1; }
    if (strcmp(arg, "--progress") == 0) { opt->progress = 1; return -1; }
    if (strcmp(arg, "--force") == 0) { opt->force = true; return -1; }
    if (strcmp(arg, "--lib") == 0 && opt->command == CMD_BUILD) { opt->lib = true; return -1; }
    static const char *const with_value[] = {"--out", "--duration", "--dt", "--seed", "--set", "--network",
                                             "--method", "--threads", "--format", "--max-memory", "--checkpoint-every", "--resume", "-o"};
    const char *value = NULL, *flag = NULL;
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++) {
        size_t n = strlen(with_value[k]);
        if (strncmp(arg, with_value[k], n) != 0)
            continue;
        if (arg[n] == '=') {
            value = arg + n + 1;
        } else if (arg[n] == '\0') {
            if (*i + 1 >= argc)
                return usage_error("option '%s' needs a value", arg);
            value = argv[++*i];
        } else {
            continue;
        }
        flag = with_value[k];
        break;
    }
    if (!flag)
        return usage_error("unknown option '%s'", arg);
    if (strcmp(flag, "--out") == 0) opt->out_dir = value;
    else if (strcmp(flag, "-o") == 0) opt->output = value;
    else if (strcmp(flag, "--duration") == 0) opt->duration = value;
    else if (strcmp(flag, "--dt") == 0) opt->dt = value;
    else if (strcmp(flag, "--network") == 0) opt->network = value;
    else if (strcmp(flag, "--method") == 0) opt->method = value;
    else if (strcmp(flag, "--checkpoint-every") == 0) opt->checkpoint_every = value;
    else if (strcmp(flag, "--resume") == 0) opt->resume = value;
    else if (strcmp(flag, "--set") == 0) return add_set(opt, value);
    else if (strcmp(flag, "--seed") == 0) {
        if (!parse_u64(value, &opt->seed))
            return usage_error("--seed needs a non-negative integer, got '%s'", value);
        opt->has_seed = true;
    } else if (strcmp(flag, "--threads") == 0) {
        uint64_t n;
        if (!parse_u64(value, &n) || n < 1)
            return usage_error("--threads needs a positive integer, got '%s'", value);
        if (n > INT_MAX)
            return usage_error("--threads %s is too large (at most 2147483647)", value);
        opt->threads = (int)n;
    } else if (strcmp(flag, "--format") == 0 && opt->command == CMD_CHECK) {
        if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0)
            return usage_error("check --format must be text or json, got '%s'", value);
        opt->format = value;
    } else if (strcmp(flag, "--format") == 0) {
        if (strcmp(value, "csv") != 0 && strcmp(value, "npy") != 0)
            return usage_error("--format must be csv or npy, got '%s'", value);
        opt->format = value;
    } else if (strcmp(flag, "--max-memory") == 0) {
        if (!nrt_parse_memory(value, &opt->max_memory))
            return usage_error("--max-memory needs a size such as 8G or 512M, got '%s'", value);
    }
    return -1;
}

/* `nrnc stats`: a flag's value, as "--flag value" or "--flag=value"; NULL when arg is not
 * that flag. */
static const char *flag_value(const char *flag, int argc, char **argv, int *i, bool *missing)
{
    const char *arg = argv[*i];
    size_t n = strlen(flag);
    if (strncmp(arg, flag, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

/* One option of `nrnc stats` (CLI.md "Analysis"); the time values are checked later by
 * drv_time_flag, which knows units. */
static int stats_option(DrvOptions *opt, int argc, char **argv, int *i)
{
    static const char *const flags[] = {"--from", "--to", "--window", "--bin", "--lag", "--format",
                                        "--pca", "--xcorr", "--components"};
    const char *arg = argv[*i];
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++) {
        bool missing = false;
        const char *v = flag_value(flags[k], argc, argv, i, &missing);
        if (missing)
            return usage_error("option '%s' needs a value", arg);
        if (!v)
            continue;
        const char **slot[] = {&opt->st_from, &opt->st_to, &opt->st_window, &opt->st_bin, &opt->st_lag,
                               &opt->st_format, &opt->st_pca, &opt->st_xcorr};
        if (k < sizeof slot / sizeof *slot) {
            *slot[k] = v;
            return -1;
        }
        uint64_t n;
        if (!parse_u64(v, &n) || n < 1 || n > 100000)
            return usage_error("--components needs a whole number from 1 to 100000, got '%s'", v);
        opt->st_components = (int)n;
        return -1;
    }
    return usage_error("unknown option '%s' (nrnc stats --help lists them)", arg);
}

/* The flags of `nrnc stats` that go together: one form at a time. */
static int check_stats(const DrvOptions *opt)
{
    if (opt->st_pca && opt->st_xcorr)
        return usage_error("%s", "stats takes --pca or --xcorr, not both");
    if (opt->st_format && strcmp(opt->st_format, "text") != 0 && strcmp(opt->st_format, "json") != 0)
        return usage_error("--format must be text or json, got '%s'", opt->st_format);
    const char *form = opt->st_pca ? "--pca" : opt->st_xcorr ? "--xcorr" : NULL;
    if (form && (opt->st_window || opt->st_format))
        return usage_error("%s writes files: --window and --format belong to the statistics form", form);
    if (!opt->st_pca && opt->st_components)
        return usage_error("%s", "--components goes with --pca");
    if (!opt->st_xcorr && opt->st_lag)
        return usage_error("%s", "--lag goes with --xcorr");
    const char *colon = opt->st_pca ? strchr(opt->st_pca, ':') : NULL;
    if (opt->st_pca && (!*opt->st_pca || *opt->st_pca == ':' || (colon && (!colon[1] || strchr(colon + 1, ':')))))
        return usage_error("--pca needs POP or POP:VAR, got '%s'", opt->st_pca);
    const char *comma = opt->st_xcorr ? strchr(opt->st_xcorr, ',') : NULL;
    if (opt->st_xcorr && (!comma || comma == opt->st_xcorr || !comma[1] || strchr(comma + 1, ',')))
        return usage_error("--xcorr needs two populations A,B, got '%s'", opt->st_xcorr);
    return -1;
}

static int command_usage(DrvCommand cmd)
{
    for (size_t k = 0; k < sizeof command_help / sizeof *command_help; k++)
        if (command_help[k].cmd == cmd) {
            fputs(command_help[k].text, stdout);
            if (command_help[k].run_options) {
                fputc('\n', stdout);
                fputs(run_options_text, stdout);
            }
            return 0;
        }
    NRN_UNREACHABLE();
}

static int parse_command(DrvOptions *opt, const char *cmd)
{
    static const struct { const char *name; DrvCommand cmd; } table[] = {
        {"check", CMD_CHECK}, {"run", CMD_RUN}, {"emit", CMD_EMIT}, {"build", CMD_BUILD}, {"plot", CMD_PLOT},
        {"stats", CMD_STATS},
        {"fit", CMD_FIT}, {"lsp", CMD_LSP},
    };
    for (size_t k = 0; k < sizeof table / sizeof *table; k++)
        if (strcmp(cmd, table[k].name) == 0) {
            opt->command = table[k].cmd;
            return -1;
        }
    return usage_error("unknown command '%s' (commands: check, run, emit, build, plot, stats, fit, lsp)", cmd);
}

/* The LLVM that nrnc runs with (the shared library's, which may be a newer patch release
 * than the headers it was built with): bug reports about generated code need it. */
static int print_version(void)
{
    unsigned major, minor, patch;
    LLVMGetVersion(&major, &minor, &patch);
    printf("nrnc %s (LLVM %u.%u.%u)\n", NRN_VERSION, major, minor, patch);
    return 0;
}

int drv_parse_args(int argc, char **argv, DrvOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->progress = -1;
    if (argc < 2) {
        fputs(usage_text, stderr);
        fputs(run_options_text, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, stdout);
        fputs(run_options_text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return print_version();
    int rc = parse_command(opt, argv[1]);
    if (rc >= 0)
        return rc;
    for (int k = 2; k < argc; k++)
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0)
            return command_usage(opt->command);
    if (opt->command == CMD_LSP && argc > 2)
        return usage_error("unexpected argument '%s' (nrnc lsp takes none: the editor sends the documents)",
                           argv[2]);
    int i = 2;
    if (opt->command == CMD_EMIT) {
        if (i >= argc)
            return usage_error("%s", "emit needs a kind: ast, ir, llvm, asm, obj or header");
        opt->emit_kind = argv[i++];
    }
    for (; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            rc = opt->command == CMD_STATS ? stats_option(opt, argc, argv, &i) : run_option(opt, argc, argv, &i);
            if (rc >= 0)
                return rc;
        } else if (!opt->model) {
            opt->model = argv[i];
        } else {
            return usage_error(opt->command == CMD_STATS ? "unexpected argument '%s' (one output folder at a time)"
                                                         : "unexpected argument '%s' (one model file at a time)", argv[i]);
        }
    }
    if (opt->command == CMD_LSP)
        return -1;
    if (!opt->model)
        return usage_error("%s", opt->command == CMD_PLOT    ? "plot needs the output folder of a run"
                                 : opt->command == CMD_STATS ? "stats needs the output folder of a run"
                                                             : "no model file given");
    if (opt->command == CMD_STATS)
        return check_stats(opt);
    if (opt->command == CMD_CHECK && (opt->out_dir || opt->nsets || opt->duration || opt->output || opt->force))
        return usage_error("%s", "check takes only a model file (and --format text|json)");
    /* CLI.md gives -o to build, emit and plot; a run writes a folder, named by --out */
    if (opt->command == CMD_RUN && opt->output)
        return usage_error("run writes a folder: use --out %s ('-o' names the file of build, emit "
                           "and plot)", opt->output);
    return -1;
}

void drv_options_free(DrvOptions *opt)
{
    for (int k = 0; k < opt->nsets; k++)
        free((void *)(opt->sets[k].pop ? opt->sets[k].pop : opt->sets[k].name));
    free(opt->sets);
    drv_fit_args_free(opt->fit);
}
