/* The command line of a standalone simulator built by `nrnc build` (see nrt.h).
 *
 * It accepts CLI.md's run options with the same spelling as `nrnc run` ("--opt value" or
 * "--opt=value"); times take a unit (s, ms, us). --set replaces a param's or initial
 * state's value at set-up, given in the unit the model declared it with (the simulator
 * carries no unit system). What is compiled into the simulator (the method, dt, the
 * network) cannot change here, and saying so is better than silently ignoring the
 * option. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nrt.h"
#include "sets.h"

enum { EXIT_USAGE = 2 };

static int usage(const char *prog, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: error: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(options: --out DIR --duration T --seed N --set [POP.]NAME=VALUE --format csv|npy "
                    "--threads N --quiet --progress --force)\n");
    return EXIT_USAGE;
}

/* "2s", "500 ms", "100us" -> seconds; false if malformed. */
static bool parse_time(const char *text, double *out)
{
    double v;
    const char *end;
    if (!nrt_split_quantity(text, &v, &end))
        return false;
    static const struct { const char *unit; double scale; } units[] = {
        {"s", 1.0}, {"ms", 1e-3}, {"us", 1e-6}, {"second", 1.0}, {"msecond", 1e-3},
    };
    for (size_t k = 0; k < sizeof units / sizeof *units; k++)
        if (strcmp(end, units[k].unit) == 0) {
            *out = v * units[k].scale;
            return true;
        }
    return false;
}

static bool parse_count(const char *text, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!*text || *text == '-' || *text == '+')
        return false;
    *out = strtoull(text, &end, 10);
    return !errno && !*end;
}

enum { MAX_SETS = 256 };

typedef struct sim_sets {
    nrt_set items[MAX_SETS];
    int n;
} sim_sets;

/* --set [POP.]NAME=VALUE: every population whose model has NAME, or POP's. */
static int add_set(const char *prog, const nrt_run_desc *d, sim_sets *sets, const char *text)
{
    const char *eq = strchr(text, '=');
    const char *dot = strchr(text, '.');
    if (!eq || eq == text || (dot && dot > eq))
        dot = NULL;
    if (!eq || eq == text)
        return usage(prog, "--set needs NAME=VALUE or POP.NAME=VALUE, got '%s'", text);
    char pop[256] = "", name[256];
    size_t nlen = (size_t)(eq - (dot ? dot + 1 : text));
    if ((dot && (size_t)(dot - text) >= sizeof pop) || nlen >= sizeof name)
        return usage(prog, "--set: name too long in '%s'", text);
    if (dot)
        memcpy(pop, text, (size_t)(dot - text)), pop[dot - text] = '\0';
    memcpy(name, dot ? dot + 1 : text, nlen);
    name[nlen] = '\0';
    char msg[512];
    switch (nrt_sets_add(d, dot ? pop : NULL, name, eq + 1, sets->items, MAX_SETS, &sets->n, msg, sizeof msg)) {
    case NRT_SETS_OK:
        return -1;
    case NRT_SETS_FULL:
        return usage(prog, "too many --set options (at most 256): '%s'", text);
    case NRT_SETS_NONE:
        return usage(prog, "--set %s: no population of this simulator has that param or state", text);
    case NRT_SETS_BAD_VALUE:
    case NRT_SETS_FIXED:
    case NRT_SETS_NEGATIVE:
        break;
    }
    fprintf(stderr, "%s: error: --set %s: %s\n", prog, text, msg);
    return EXIT_USAGE;
}

/* One option with its value; returns -1 to go on, else an exit code. */
static int apply(const char *prog, nrt_sim_spec *spec, sim_sets *sets, const char *flag, const char *value)
{
    nrt_run_desc *d = &spec->run;
    if (strcmp(flag, "--set") == 0)
        return add_set(prog, d, sets, value);
    unsigned long long n;
    double t;
    if (strcmp(flag, "--out") == 0) {
        d->outdir = value;
    } else if (strcmp(flag, "--duration") == 0) {
        if (!parse_time(value, &t) || t < 0)
            return usage(prog, "--duration needs a time with its unit (e.g. 2s), got '%s'", value);
        spec->duration = t;
    } else if (strcmp(flag, "--dt") == 0) {
        if (!parse_time(value, &t) || fabs(t - d->dt) > 1e-12 * d->dt)
            return usage(prog, "this simulator was built for one dt; rebuild with nrnc build --dt %s", value);
    } else if (strcmp(flag, "--seed") == 0) {
        if (!parse_count(value, &n))
            return usage(prog, "--seed needs a non-negative integer, got '%s'", value);
        d->seed = n;
    } else if (strcmp(flag, "--threads") == 0) {
        if (!parse_count(value, &n) || n < 1)
            return usage(prog, "--threads needs a positive integer, got '%s'", value);
        if (n > INT_MAX)
            return usage(prog, "--threads %s is too large (at most 2147483647)", value);
        d->threads = (int)n;
    } else if (strcmp(flag, "--checkpoint-every") == 0) {
        if (!parse_time(value, &t) || !(t > 0))
            return usage(prog, "--checkpoint-every needs a positive time with its unit (e.g. 100ms), got '%s'", value);
        d->checkpoint_every = t;
    } else if (strcmp(flag, "--resume") == 0) {
        d->outdir = value;
        d->resume = true;
    } else if (strcmp(flag, "--max-memory") == 0) {
        if (!nrt_parse_memory(value, &d->max_memory))
            return usage(prog, "--max-memory needs a size such as 8G or 512M, got '%s'", value);
    } else if (strcmp(flag, "--format") == 0) {
        if (strcmp(value, "csv") != 0 && strcmp(value, "npy") != 0)
            return usage(prog, "--format must be csv or npy, got '%s'", value);
        d->format = strcmp(value, "npy") == 0 ? NRT_FORMAT_NPY : NRT_FORMAT_CSV;
    } else if (strcmp(flag, "--network") == 0) {
        if (strcmp(value, d->network) != 0)
            return usage(prog, "this simulator runs one network; rebuild with nrnc build --network %s", value);
    } else {
        return usage(prog, "%s changes the compiled model: give it to nrnc build and rebuild", flag);
    }
    return -1;
}

int nrt_sim_main(int argc, char **argv, nrt_sim_spec *spec)
{
    const char *prog = argc > 0 ? argv[0] : "simulator";
    static sim_sets sets;   /* one simulation per process: static keeps the stack small */
    sets.n = 0;
    static const char *const with_value[] = {"--out", "--duration", "--dt", "--seed", "--threads",
                                             "--format", "--network", "--set", "--method", "--max-memory",
                                             "--checkpoint-every", "--resume"};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--quiet") == 0) { spec->run.progress = 0; continue; }
        if (strcmp(arg, "--progress") == 0) { spec->run.progress = 1; continue; }
        if (strcmp(arg, "--force") == 0) { spec->run.force = true; continue; }
        if (strcmp(arg, "--help") == 0) {
            printf("usage: %s [--out DIR] [--duration T] [--seed N] [--set [POP.]NAME=VALUE] "
                   "[--format csv|npy] [--threads N] [--max-memory SIZE] "
                   "[--checkpoint-every T] [--resume DIR] [--quiet|--progress] [--force]\n", prog);
            return 0;
        }
        const char *flag = NULL, *value = NULL;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value && !flag; k++) {
            size_t len = strlen(with_value[k]);
            if (strncmp(arg, with_value[k], len) != 0)
                continue;
            if (arg[len] == '=') {
                flag = with_value[k];
                value = arg + len + 1;
            } else if (arg[len] == '\0') {
                if (i + 1 >= argc)
                    return usage(prog, "option '%s' needs a value", arg);
                flag = with_value[k];
                value = argv[++i];
            }
        }
        if (!flag)
            return usage(prog, "unknown option '%s'", arg);
        int rc = apply(prog, spec, &sets, flag, value);
        if (rc >= 0)
            return rc;
    }
    spec->run.nsets = sets.n;
    spec->run.sets = sets.items;
    double steps = spec->duration / spec->run.dt;
    if (!(steps <= 1e15))
        return usage(prog, "--duration %s is more than 1e15 steps of this simulator's dt", "given");
    spec->run.nsteps = (int64_t)llround(steps);
    if (fabs(steps - (double)spec->run.nsteps) > 1e-9 * fmax(1.0, steps)) {
        /* rounded up to whole steps, as nrnc run does, and said as it says it */
        spec->run.nsteps = (int64_t)ceil(steps);
        fprintf(stderr, "%s: warning: duration %g ms is not a multiple of dt %g ms; running %lld steps (%g ms)\n",
                prog, spec->duration * 1e3, spec->run.dt * 1e3, (long long)spec->run.nsteps,
                (double)spec->run.nsteps * spec->run.dt * 1e3);
    }
    return nrt_run(&spec->run);
}
