/* `nrnc fit MODEL.nrn --data FILE --target spikes|trace:VAR --params POP.NAME[,...]`: the
 * driver's side of fitting (docs/analysis.md, "Fitting"). The search, the data and the objectives
 * are model-independent and live in fit/; this file turns the model into the function
 * the search calls, which evaluates a batch of candidate parameter sets in one run.
 *
 * How candidates are batched. The network is lowered with the fitted population marked
 * (LowerOptions.fit_pop): its fitted params become per-neuron arrays whose initial value
 * is "what is already there", and `i` reads i mod N. Generated code does not depend on a
 * population's size (it loops to pop->n), so one compiled module runs any number m of
 * candidates: the run description gives the population m·N neurons, candidate r's
 * values are written into neurons r·N .. r·N + N - 1, and init runs again so that what
 * it derives from the params (initial states such as Izhikevich's u = b·v, exact
 * propagators) follows them. Every candidate sees the same stimulus as the data's
 * neuron j (same i, same params otherwise). A candidate whose state becomes NaN or
 * infinite is found by its neurons and scored +inf, and the batch runs again without
 * it. Connections would change with replication, so a connected population is refused.
 *
 * Uses the runtime's runner (run.h) directly, as the embedding API does, to reach the
 * population's storage and its init function between set-up and the first step. */
#define _XOPEN_SOURCE 700   /* strndup, strdup */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"
#include "drv_desc.h"
#include "fit.h"
#include "ir.h"
#include "lower.h"
#include "run.h"
#include "sema.h"
#include "solve.h"
#include "units.h"
#include "util.h"

enum { MAX_FIT_PARAMS = 16 };

typedef struct DrvFitArgs {
    const char *data, *target, *params, *search, *kernel;
    const char **bounds;
    int nbounds;
    int starts, max_iter;
    bool verbose;
} DrvFitArgs;

const char drv_fit_help[] =
    "usage: nrnc fit MODEL.nrn --data FILE --target spikes|trace:VAR --params POP.NAME[,POP.NAME...]\n"
    "                [--bounds POP.NAME=LO:HI ...] [--out DIR] [RUN OPTIONS]\n"
    "\n"
    "Estimates the listed params of one population (one value each, shared by its neurons)\n"
    "so that the model reproduces the data, starting from the model's values (or --set's).\n"
    "  --data FILE          trace:VAR: header t_ms,0,1,... (a column per neuron, VAR's unit);\n"
    "                       spikes: header neuron,t_ms\n"
    "  --target T           trace:VAR (least squares, BFGS) or spikes (van Rossum distance,\n"
    "                       Nelder-Mead)\n"
    "  --params LIST        POP.NAME,... params of one population\n"
    "  --bounds P=LO:HI     keep P in [LO, HI] (units as the param's: tau_m=2ms:50ms)\n"
    "  --search nm|bfgs     the search method instead of the target's default\n"
    "  --kernel T           the van Rossum kernel's time constant (default 10ms)\n"
    "  --starts K           Nelder-Mead simplices searched side by side (default 8)\n"
    "  --max-iter N         iterations per search (default 400)\n"
    "  --verbose            a line per generation on stderr\n"
    "Writes fit.json and fit.svg into --out (default nrn-fit/). Exit 0 when the search\n"
    "converged, 3 when it did not (the best point found is still written, and stderr says\n"
    "why), 2 for a bad command line or data file, 1 for errors in the model.\n";

static int fit_usage(const char *fmt, const char *arg)
{
    fputs("nrnc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(run 'nrnc fit --help' for usage)\n", stderr);
    return EXIT_USAGE;
}

static bool positive_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 1 || v > 100000)
        return false;
    *out = (int)v;
    return true;
}

int drv_fit_option(DrvOptions *opt, int argc, char **argv, int *i)
{
    static const char *const flags[] = {"--data", "--target", "--params", "--bounds", "--search", "--kernel",
                                        "--starts", "--max-iter"};
    const char *arg = argv[*i];
    if (!opt->fit && !(opt->fit = calloc(1, sizeof *opt->fit)))
        nrn_fatal_oom();
    DrvFitArgs *fa = opt->fit;
    if (strcmp(arg, "--verbose") == 0) {
        fa->verbose = true;
        return -1;
    }
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++) {
        size_t n = strlen(flags[k]);
        if (strncmp(arg, flags[k], n) != 0 || (arg[n] != '=' && arg[n] != '\0'))
            continue;
        const char *value = arg[n] == '=' ? arg + n + 1 : NULL;
        if (!value) {
            if (*i + 1 >= argc)
                return fit_usage("option '%s' needs a value", flags[k]);
            value = argv[++*i];
        }
        switch (k) {
        case 0: fa->data = value; break;
        case 1: fa->target = value; break;
        case 2: fa->params = value; break;
        case 3: {
            const char **grown = realloc(fa->bounds, sizeof *grown * (size_t)(fa->nbounds + 1));
            if (!grown)
                nrn_fatal_oom();
            fa->bounds = grown;
            fa->bounds[fa->nbounds++] = value;
            break;
        }
        case 4:
            if (strcmp(value, "nm") != 0 && strcmp(value, "bfgs") != 0)
                return fit_usage("--search must be nm (Nelder-Mead) or bfgs, got '%s'", value);
            fa->search = value;
            break;
        case 5: fa->kernel = value; break;
        case 6:
            if (!positive_int(value, &fa->starts) || fa->starts > 64)
                return fit_usage("--starts needs a whole number from 1 to 64, got '%s'", value);
            break;
        default:
            if (!positive_int(value, &fa->max_iter))
                return fit_usage("--max-iter needs a positive whole number, got '%s'", value);
            break;
        }
        return -1;
    }
    return -2;
}

void drv_fit_args_free(DrvFitArgs *fa)
{
    if (!fa)
        return;
    free(fa->bounds);
    free(fa);
}

/* ---- what is fitted: checked against the program ------------------------------------ */

typedef struct Fitted {
    const SemaNetwork *net;
    const SemaPop *pop;
    int popi;                     /* index in the network */
    int p;
    const char *names[MAX_FIT_PARAMS];   /* NAME within the population */
    const AstSym *syms[MAX_FIT_PARAMS];
    FitParam params[MAX_FIT_PARAMS];
    char *labels[MAX_FIT_PARAMS];        /* POP.NAME */
    bool spikes;                  /* the target */
    const AstSym *var;            /* trace:VAR */
} Fitted;

static const char *kind_word(SymKind k)
{
    switch (k) {
    case SYM_STATE: return "a state";
    case SYM_LET: return "a let (a value derived from others)";
    case SYM_INPUT: return "an input";
    case SYM_PARAM: return "a param";
    default: return "not a param";
    }
}

static int find_pop(const SemaNetwork *n, const char *name, size_t len)
{
    for (int k = 0; k < n->pops.len; k++) {
        const SemaPop *p = n->pops.items[k];
        if (strlen(p->name) == len && strncmp(p->name, name, len) == 0)
            return k;
    }
    return -1;
}

/* One POP.NAME of --params. */
static int add_param(Fitted *ft, const char *item, size_t len)
{
    char text[256];
    snprintf(text, sizeof text, "%.*s", (int)(len < 200 ? len : 200), item);
    const char *dot = strchr(text, '.');
    if (!dot || dot == text || !dot[1])
        return fit_usage("--params takes POP.NAME items (e.g. E.tau_m), got '%s'", text);
    int pi = find_pop(ft->net, text, (size_t)(dot - text));
    if (pi < 0) {
        fprintf(stderr, "nrnc: error: --params %s: network '%s' has no population '%.*s'\n", text, ft->net->name,
                (int)(dot - text), text);
        return EXIT_USAGE;
    }
    if (ft->pop && ft->popi != pi) {
        fprintf(stderr, "nrnc: error: --params %s: the params fitted must belong to one population (also '%s' "
                "given)\n", text, ft->pop->name);
        return EXIT_USAGE;
    }
    const SemaPop *pop = ft->net->pops.items[pi];
    ft->pop = pop;
    ft->popi = pi;
    if (pop->is_source) {
        fprintf(stderr, "nrnc: error: --params %s: '%s' is a spike_source, which has no params to fit\n", text,
                pop->name);
        return EXIT_USAGE;
    }
    const char *name = dot + 1;
    const AstSym *s = sema_model_member(pop->model, name);
    if (!s) {
        const char *near = sema_suggest_member(pop->model, name);
        fprintf(stderr, "nrnc: error: --params %s: model '%s' of population '%s' has no param '%s'", text,
                pop->model->item->name, pop->name, name);
        if (near)
            fprintf(stderr, "; did you mean '%s'?", near);
        fputc('\n', stderr);
        return EXIT_USAGE;
    }
    if (s->kind != SYM_PARAM) {
        fprintf(stderr, "nrnc: error: --params %s: '%s' is %s of '%s', not a param; nrnc fit estimates params "
                "(a state's initial value can be set with --set)\n", text, name, kind_word(s->kind),
                pop->model->item->name);
        return EXIT_USAGE;
    }
    if (s->unit_exponent) {
        fprintf(stderr, "nrnc: error: --params %s: '%s' is the exponent of a quantity with a unit, which fixes "
                "that unit: it cannot be fitted\n", text, name);
        return EXIT_USAGE;
    }
    for (int k = 0; k < ft->p; k++)
        if (strcmp(ft->names[k], name) == 0)
            return fit_usage("--params names '%s' twice", text);
    if (ft->p == MAX_FIT_PARAMS)
        return fit_usage("--params: at most 16 params at a time, got more with '%s'", text);
    ft->names[ft->p] = s->name;
    ft->syms[ft->p] = s;
    ft->labels[ft->p] = strdup(text);
    if (!ft->labels[ft->p])
        nrn_fatal_oom();
    ft->p++;
    return -1;
}

static int parse_params(Fitted *ft, const char *list)
{
    for (const char *s = list;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        int rc = add_param(ft, s, len);
        if (rc >= 0)
            return rc;
        if (!comma)
            return -1;
        s = comma + 1;
    }
}

static int parse_target(Fitted *ft, const char *target)
{
    if (strcmp(target, "spikes") == 0) {
        ft->spikes = true;
        if (!ft->pop->model->threshold) {
            fprintf(stderr, "nrnc: error: --target spikes: model '%s' of population '%s' has no threshold: it "
                    "never spikes\n", ft->pop->model->item->name, ft->pop->name);
            return EXIT_USAGE;
        }
        return -1;
    }
    if (strncmp(target, "trace:", 6) != 0 || !target[6])
        return fit_usage("--target must be spikes or trace:VAR (e.g. trace:v), got '%s'", target);
    const char *var = target + 6, *dot = strchr(var, '.');
    if (dot) {
        if (find_pop(ft->net, var, (size_t)(dot - var)) != ft->popi) {
            fprintf(stderr, "nrnc: error: --target %s: the trace must be of the fitted population '%s'\n", target,
                    ft->pop->name);
            return EXIT_USAGE;
        }
        var = dot + 1;
    }
    const AstSym *s = sema_model_member(ft->pop->model, var);
    if (!s || s->kind != SYM_STATE) {
        fprintf(stderr, "nrnc: error: --target %s: '%s' is %s of model '%s'; trace:VAR compares a state\n", target,
                var, s ? kind_word(s->kind) : "not a member", ft->pop->model->item->name);
        return EXIT_USAGE;
    }
    ft->var = s;
    return -1;
}

/* nrnc fit replicates the population per candidate: a connection to or from it would
 * then connect candidates with each other. */
static int refuse_connections(const Fitted *ft, const Diags *d)
{
    for (int k = 0; k < ft->net->conns.len; k++) {
        const SemaConn *c = ft->net->conns.items[k];
        bool touches = false;
        for (int j = 0; j < c->sources.len; j++)
            touches |= c->sources.items[j] == ft->pop;
        for (int j = 0; j < c->targets.len; j++)
            touches |= c->targets.items[j] == ft->pop;
        if (!touches)
            continue;
        const SourceFile *f = diag_file(d, c->item->loc.file);
        fprintf(stderr, "nrnc: error: population '%s' is connected (%s:%d): nrnc fit runs it once per candidate, "
                "side by side, which would connect the candidates; fit a network in which '%s' has no "
                "connections (a stimulus can be a param or an expression of t)\n", ft->pop->name,
                f ? f->path : "?", c->item->loc.line, ft->pop->name);
        return EXIT_USAGE;
    }
    return -1;
}

/* --bounds POP.NAME=LO:HI, with the param's unit. */
static int parse_bound(Fitted *ft, const char *text)
{
    const char *eq = strchr(text, '='), *colon = eq ? strchr(eq, ':') : NULL;
    if (!eq || !colon)
        return fit_usage("--bounds takes POP.NAME=LO:HI (e.g. E.tau_m=2ms:50ms), got '%s'", text);
    int k = 0;
    for (; k < ft->p; k++)
        if (strlen(ft->labels[k]) == (size_t)(eq - text) && strncmp(ft->labels[k], text, (size_t)(eq - text)) == 0)
            break;
    if (k == ft->p) {
        fprintf(stderr, "nrnc: error: --bounds %s: '%.*s' is not among the --params\n", text, (int)(eq - text), text);
        return EXIT_USAGE;
    }
    FitParam *q = &ft->params[k];
    const AstSym *s = ft->syms[k];
    char *lo_text = strndup(eq + 1, (size_t)(colon - eq - 1));
    if (!lo_text)
        nrn_fatal_oom();
    const char *texts[2] = {lo_text, colon + 1};
    double v[2];
    for (int b = 0; b < 2; b++) {
        Dim dim;
        char err[160], want[64], have[64];
        if (!unit_parse_quantity(texts[b], &v[b], &dim, err, sizeof err)) {
            fprintf(stderr, "nrnc: error: --bounds %s: '%s': %s\n", text, texts[b], err);
            free(lo_text);
            return EXIT_USAGE;
        }
        bool bare_number = dim_is_none(dim);
        if (!dim_eq(dim, s->dim) && !(bare_number && v[b] == 0)) {
            fprintf(stderr, "nrnc: error: --bounds %s: '%s' is in %s but the bound '%s' is in %s\n", text, s->name,
                    s->unit.text ? s->unit.text : dim_format(s->dim, want, sizeof want), texts[b],
                    dim_format(dim, have, sizeof have));
            free(lo_text);
            return EXIT_USAGE;
        }
    }
    free(lo_text);
    if (!(v[0] < v[1])) {
        fprintf(stderr, "nrnc: error: --bounds %s: the lower bound must be below the upper one\n", text);
        return EXIT_USAGE;
    }
    if (q->bounded)
        return fit_usage("--bounds given twice for '%s'", ft->labels[k]);
    q->bounded = true;
    q->lo = v[0];
    q->hi = v[1];
    return -1;
}

/* The start values: the model's (or --set's) value of each param, which must be one
 * number for the population. */
static int start_values(Fitted *ft, const IrModule *m)
{
    const IrPop *ip = &m->pops[ft->popi];
    for (int k = 0; k < ft->p; k++) {
        const IrParam *q = &ip->params[ft->syms[k]->index];
        FitParam *fp = &ft->params[k];
        fp->name = ft->labels[k];
        fp->unit = q->unit.text ? q->unit.text : "1";
        fp->scale = q->unit.scale > 0 ? q->unit.scale : 1.0;
        if (q->per_neuron || q->value->op != IR_CONST) {
            fprintf(stderr, "nrnc: error: %s: its start value is not one number for the population (it depends on "
                    "i, a random draw or another per-neuron value); give one with --set %s=VALUE\n", fp->name,
                    fp->name);
            return EXIT_USAGE;
        }
        fp->start = q->value->value;
        if (fp->bounded && !(fp->start > fp->lo && fp->start < fp->hi)) {
            fprintf(stderr, "nrnc: error: the start value %s = %g %s lies outside --bounds [%g, %g] %s; give a start "
                    "inside with --set %s=VALUE\n", fp->name, fp->start / fp->scale, fp->unit, fp->lo / fp->scale,
                    fp->hi / fp->scale, fp->unit, fp->name);
            return EXIT_USAGE;
        }
    }
    return -1;
}

/* ---- the batched evaluation ------------------------------------------------------- */

typedef struct Batch {
    const Fitted *ft;
    const nrt_run_desc *model;     /* bound to the JIT's code */
    nrt_run_desc desc;             /* per batch: the population's size, no records */
    nrt_pop_desc *pops;
    nrt_set *sets;
    int64_t n;                     /* neurons of the fitted population in the model */
    int param_index[MAX_FIT_PARAMS], param_slot[MAX_FIT_PARAMS];
    int var_slot;
    double var_scale;
    const FitTrace *trace;
    const FitSpikes *spikes;
    double tau_ms;
    int64_t nsteps;
    /* per candidate of the current batch */
    double *out;                   /* traces: m x nsamples x ncols */
    FitSpikes *trains;             /* spikes: m trains of N neurons */
    bool *failed;
    int cap;
} Batch;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        nrn_fatal_oom();
    return p;
}

static void trains_reset(FitSpikes *s, int64_t n)
{
    if (!s->count) {
        s->nneurons = n;
        s->count = xcalloc((size_t)n, sizeof *s->count);
        s->t_ms = xcalloc((size_t)n, sizeof *s->t_ms);
    }
    for (int64_t j = 0; j < n; j++)
        s->count[j] = 0;
    s->total = 0;
}

/* A spike train grows in powers of two: count is the size, the room the next power. */
static void trains_push(FitSpikes *s, int64_t j, double t)
{
    int64_t c = s->count[j];
    if ((c & (c - 1)) == 0 && c >= 0) {
        double *g = realloc(s->t_ms[j], sizeof *g * (size_t)(c ? 2 * c : 4));
        if (!g)
            nrn_fatal_oom();
        s->t_ms[j] = g;
    }
    s->t_ms[j][s->count[j]++] = t;
    s->total++;
}

static void batch_room(Batch *b, int m)
{
    if (m <= b->cap)
        return;
    b->failed = realloc(b->failed, sizeof *b->failed * (size_t)m);
    if (!b->failed)
        nrn_fatal_oom();
    if (b->trace) {
        free(b->out);
        b->out = xcalloc((size_t)m * (size_t)(b->trace->nsamples * b->trace->ncols), sizeof *b->out);
    } else {
        FitSpikes *t = realloc(b->trains, sizeof *t * (size_t)m);
        if (!t)
            nrn_fatal_oom();
        memset(t + b->cap, 0, sizeof *t * (size_t)(m - b->cap));
        b->trains = t;
    }
    b->cap = m;
}

/* Writes the candidates' values into the replicated population and runs init again. */
static void set_candidates(Batch *b, nrt_runner *r, const double *x, const int *which, int m)
{
    const Fitted *ft = b->ft;
    nrt_pop *pop = &r->pops[ft->popi];
    for (int k = 0; k < ft->p; k++) {
        pop->overrides[b->param_index[k]] = NAN;
        double *a = pop->arrays[b->param_slot[k]];
        for (int c = 0; c < m; c++)
            for (int64_t j = 0; j < b->n; j++)
                a[c * b->n + j] = x[which[c] * ft->p + k];
    }
    b->desc.pops[ft->popi].init(pop, b->desc.dt);
}

static void sample(Batch *b, const nrt_pop *pop, int m, int64_t s)
{
    const FitTrace *tr = b->trace;
    const double *v = pop->arrays[b->var_slot];
    int64_t per = tr->nsamples * tr->ncols;
    for (int c = 0; c < m; c++)
        for (int k = 0; k < tr->ncols; k++)
            b->out[c * per + s * tr->ncols + k] = v[c * b->n + tr->neuron[k]] / b->var_scale;
}

static void collect_spikes(Batch *b, const nrt_pop *pop, int64_t step)
{
    double t = (double)step * b->desc.dt * 1e3;
    for (int64_t k = 0; k < pop->nspiked; k++) {
        int64_t idx = pop->spiked[k];
        trains_push(&b->trains[idx / b->n], idx % b->n, t);
    }
}

/* The candidates whose neurons hold a non-finite state; false if there is none (the
 * failure is elsewhere). */
static bool find_failed(Batch *b, const nrt_runner *r, int m, int *bad)
{
    const nrt_pop *pop = &r->pops[b->ft->popi];
    bool any = false;
    for (int c = 0; c < m; c++) {
        bad[c] = 0;
        for (int s = 0; s < b->desc.pops[b->ft->popi].nstates && !bad[c]; s++)
            for (int64_t j = 0; j < b->n; j++)
                if (!isfinite(pop->arrays[s][c * b->n + j])) {
                    bad[c] = 1;
                    any = true;
                    break;
                }
    }
    return any;
}

/* One run of candidates which[0 .. m): 1 done, 0 some failed (marked in bad), -1 a
 * failure that is not a candidate's (printed). */
static int run_once(Batch *b, const double *x, const int *which, int m, int *bad)
{
    b->pops[b->ft->popi].n = (int64_t)m * b->n;
    nrt_runner r;
    if (nrt_runner_open(&r, &b->desc, false, true) != 0) {
        fprintf(stderr, "nrnc: error: the model cannot be set up: %s\n", r.err.first ? r.err.first : "failed");
        nrt_runner_close(&r);
        return -1;
    }
    set_candidates(b, &r, x, which, m);
    const nrt_pop *pop = &r.pops[b->ft->popi];
    int status = 1;
    if (b->trace) {
        for (int64_t s = 0; s < b->trace->nsamples && status == 1; s++) {
            if (nrt_runner_steps(&r, b->trace->step[s], NULL) != 0)
                status = 0;
            else
                sample(b, pop, m, s);
        }
    } else {
        for (int c = 0; c < m; c++)
            trains_reset(&b->trains[c], b->n);
        for (int64_t k = 1; k <= b->nsteps && status == 1; k++) {
            if (nrt_runner_steps(&r, k, NULL) != 0)
                status = 0;
            else
                collect_spikes(b, pop, k);
        }
    }
    if (status == 0 && !find_failed(b, &r, m, bad)) {
        fprintf(stderr, "nrnc: error: the run failed: %s\n", r.err.first ? r.err.first : "unknown reason");
        status = -1;
    }
    nrt_runner_close(&r);
    return status;
}

static double objective(const Batch *b, int c)
{
    if (b->trace)
        return fit_ssr(b->trace, b->out + (int64_t)c * b->trace->nsamples * b->trace->ncols);
    double f = 0;
    const FitSpikes *d = b->spikes, *mdl = &b->trains[c];
    for (int64_t j = 0; j < b->n; j++)
        f += fit_van_rossum(d->t_ms[j], d->count[j], mdl->t_ms[j], mdl->count[j], b->tau_ms);
    return f;
}

/* FitEval: candidates that fail are scored +inf and the rest run again without them.
 * Afterwards, candidate c's outputs are in slot c (when none failed). */
static bool batch_eval(void *ctx, const double *x, int m, double *f)
{
    Batch *b = ctx;
    batch_room(b, m);
    int *which = xcalloc((size_t)m, sizeof *which), *bad = xcalloc((size_t)m, sizeof *bad);
    int active = m;
    for (int c = 0; c < m; c++)
        which[c] = c;
    bool ok = true;
    while (active > 0) {
        int status = run_once(b, x, which, active, bad);
        if (status < 0) {
            ok = false;
            break;
        }
        if (status == 1) {
            for (int c = 0; c < active; c++)
                f[which[c]] = objective(b, c);
            break;
        }
        int kept = 0;
        for (int c = 0; c < active; c++) {
            if (bad[c])
                f[which[c]] = INFINITY;
            else
                which[kept++] = which[c];
        }
        active = kept;
    }
    free(which);
    free(bad);
    return ok;
}

static void batch_free(Batch *b)
{
    free(b->pops);
    free(b->out);
    for (int c = 0; b->trains && c < b->cap; c++) {
        for (int64_t j = 0; b->trains[c].t_ms && j < b->trains[c].nneurons; j++)
            free(b->trains[c].t_ms[j]);
        free(b->trains[c].t_ms);
        free(b->trains[c].count);
    }
    free(b->trains);
    free(b->failed);
    free(b->sets);
}

/* ---- the fit ----------------------------------------------------------------------- */

typedef struct FitRun {
    const DrvOptions *opt;
    const DrvFitArgs *fa;
    Fitted *ft;
    const IrModule *m;
    double duration;               /* seconds */
    const char *outdir;
} FitRun;

static bool make_dir(const char *dir)
{
    if (nrt_mkdir_p(dir) != 0) {
        fprintf(stderr, "nrnc: error: cannot create output folder '%s': %s\n", dir, strerror(errno));
        return false;
    }
    return true;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xcalloc(n, 1);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static bool batch_init(Batch *b, FitRun *fr, const DrvDesc *dd)
{
    const Fitted *ft = fr->ft;
    const IrPop *ip = &fr->m->pops[ft->popi];
    b->ft = ft;
    b->model = &dd->run;
    b->desc = dd->run;
    b->pops = xcalloc((size_t)b->desc.npops, sizeof *b->pops);
    memcpy(b->pops, dd->run.pops, sizeof *b->pops * (size_t)b->desc.npops);
    for (int p = 0; p < b->desc.npops; p++)
        b->pops[p].record_spikes = false;
    b->desc.pops = b->pops;
    b->desc.ntraces = b->desc.nrates = b->desc.nsyn_traces = 0;
    b->desc.threads = fr->opt->threads ? fr->opt->threads : 1;
    b->desc.progress = 0;
    b->desc.outdir = NULL;
    b->n = ip->size;
    /* the first init sees the start values (overrides), init after the writes the arrays */
    b->sets = xcalloc((size_t)(b->desc.nsets + ft->p), sizeof *b->sets);
    if (b->desc.nsets)
        memcpy(b->sets, dd->run.sets, sizeof *b->sets * (size_t)b->desc.nsets);
    for (int k = 0; k < ft->p; k++) {
        const IrParam *q = &ip->params[ft->syms[k]->index];
        if (!q->per_neuron)
            NRN_UNREACHABLE();
        b->param_index[k] = ft->syms[k]->index;
        b->param_slot[k] = q->slot;
        b->sets[b->desc.nsets + k] = (nrt_set){.pop = ft->popi, .index = ft->syms[k]->index,
                                               .value = ft->params[k].start};
    }
    b->desc.sets = b->sets;
    b->desc.nsets += ft->p;
    if (ft->var) {
        b->var_slot = ip->states[ft->var->index].slot;
        b->var_scale = ip->states[ft->var->index].unit.scale > 0 ? ip->states[ft->var->index].unit.scale : 1.0;
    }
    if (ip->nnoise || ip->nrand)
        fprintf(stderr, "nrnc: warning: population '%s' draws random numbers as it runs: each candidate draws "
                "its own, so the objective is noisy and the fit approximate\n", ft->pop->name);
    return true;
}

/* Reads the data, now that dt and the duration are known. */
static bool read_data(FitRun *fr, Batch *b, FitTrace *trace, FitSpikes *spikes)
{
    double dt_ms = fr->m->dt * 1e3;
    if (fr->ft->spikes) {
        if (!fit_spikes_read(fr->fa->data, b->n, fr->duration * 1e3, fr->ft->pop->name, spikes))
            return false;
        b->spikes = spikes;
        b->nsteps = fr->m->nsteps;
        return true;
    }
    if (!fit_trace_read(fr->fa->data, b->n, dt_ms, fr->ft->pop->name, trace))
        return false;
    b->trace = trace;
    b->nsteps = trace->step[trace->nsamples - 1];
    return true;
}

static void print_result(const Fitted *ft, const FitResult *res, const FitExtra *ex)
{
    for (int k = 0; k < ft->p; k++) {
        const FitParam *q = &ft->params[k];
        char v[40], se[40], st[40];
        fit_fmt_double(v, sizeof v, res->x[k] / q->scale);
        fit_fmt_double(st, sizeof st, q->start / q->scale);
        snprintf(se, sizeof se, "%.3g", res->se[k] / q->scale);
        printf("%s = %s %s +- %s (start %s)\n", q->name, v, strcmp(q->unit, "1") ? q->unit : "",
               isfinite(res->se[k]) ? se : "?", st);
    }
    printf("objective %.9g %s", res->f, ex->objective_unit);
    if (!isnan(ex->r2))
        printf(" (R^2 %.6f, rmse %.4g)", ex->r2, ex->rmse);
    if (ex->data_spikes >= 0)
        printf(" (data %lld spikes, model %lld)", (long long)ex->data_spikes, (long long)ex->model_spikes);
    printf("; %s, %d iterations, %ld evaluations in %ld runs: %s\n", res->method ? res->method : "none",
           res->iterations, res->evaluations, res->runs, res->converged ? "converged" : "NOT converged");
}

/* The best point once more, for the plot and the goodness of fit; notes the data that
 * the model cannot reproduce. */
static bool final_run(Batch *b, FitRun *fr, FitResult *res, FitExtra *ex)
{
    double f;
    if (!batch_eval(b, res->x, 1, &f))
        return false;
    const char *title = fr->ft->spikes ? "nrnc fit: spikes, data against the fitted model"
                                       : "nrnc fit: trace, data against the fitted model";
    char *svg = join(fr->outdir, "fit.svg");
    bool ok = true;
    if (!isfinite(f)) {
        fit_note(res, "the model fails at the best point found");
    } else if (b->trace) {
        double sst = fit_sst(b->trace), n = (double)(b->trace->nsamples * b->trace->ncols);
        ex->r2 = sst > 0 ? 1 - f / sst : NAN;
        ex->rmse = sqrt(f / n);
        if (!(ex->r2 >= 0.5) && sst > 0) {
            fit_note(res, "the data cannot be fitted: the best model explains %.0f%% of the data's variance "
                          "(R^2 %.3f < 0.5)", fmax(ex->r2, 0) * 100, ex->r2);
            res->converged = false;
        }
        ok = fit_plot_traces(svg, b->trace, b->out, fr->ft->var->name,
                             fr->m->pops[fr->ft->popi].states[fr->ft->var->index].unit.text
                                 ? fr->m->pops[fr->ft->popi].states[fr->ft->var->index].unit.text : "1",
                             title);
    } else {
        ex->data_spikes = b->spikes->total;
        ex->model_spikes = b->trains[0].total;
        double empty = 0.5 * (double)b->spikes->total;
        if (f > 0.5 * empty) {
            fit_note(res, "the data cannot be fitted: the van Rossum distance %.4g is more than half that of a "
                          "model without spikes (%.4g); data %lld spikes, model %lld", f, empty,
                     (long long)ex->data_spikes, (long long)ex->model_spikes);
            res->converged = false;
        }
        ok = fit_plot_spikes(svg, b->spikes, &b->trains[0], fr->duration * 1e3, title);
    }
    free(svg);
    return ok;
}

/* Spikes: the van Rossum kernel shrinks in stages, KERNEL_STAGES times the kernel, then
 * a quarter of that, ..., then the kernel itself, each stage starting from the last
 * one's best point. A wide kernel compares rates and is smooth in the params; a narrow
 * one compares spike times, with a minimum at every alignment of the trains: the wide
 * stages bring the search into the right one. Counts add up over the stages. */
enum { KERNEL_STAGES = 16 };

static bool search(FitSpec *spec, FitResult *res, Batch *b, Fitted *ft)
{
    if (!ft->spikes)
        return fit_minimize(spec, res);
    double tau = b->tau_ms;
    long evaluations = 0, runs = 0;
    int iterations = 0;
    double starts[MAX_FIT_PARAMS];
    for (int k = 0; k < ft->p; k++)
        starts[k] = ft->params[k].start;
    for (int scale = KERNEL_STAGES;; scale /= 4) {
        b->tau_ms = tau * (scale > 1 ? scale : 1);
        if (scale < KERNEL_STAGES) {
            for (int k = 0; k < ft->p; k++)
                ft->params[k].start = res->x[k];
            fit_result_free(res);
        }
        if (!fit_minimize(spec, res))
            return false;
        evaluations += res->evaluations;
        runs += res->runs;
        iterations += res->iterations;
        if (scale <= 1)
            break;
    }
    for (int k = 0; k < ft->p; k++)
        ft->params[k].start = starts[k];   /* fit.json reports the user's start */
    /* and the objective there with the final kernel, to compare with the final value */
    if (!batch_eval(b, starts, 1, &res->f_start))
        return false;
    res->evaluations = evaluations + 1;
    res->runs = runs + 1;
    res->iterations = iterations;
    return true;
}

static int fit_with(void *ctx, DrvDesc *dd)
{
    FitRun *fr = ctx;
    Fitted *ft = fr->ft;
    Batch b = {0};
    FitTrace trace = {0};
    FitSpikes spikes = {0};
    FitResult res = {0};
    int rc = EXIT_RUN_FAILED;
    batch_init(&b, fr, dd);
    b.tau_ms = 10;
    if (fr->fa->kernel) {
        double tau = 1;
        if (!drv_time_flag("--kernel", fr->fa->kernel, &tau) || !(tau > 0)) {
            if (tau <= 0)
                fprintf(stderr, "nrnc: error: --kernel must be positive, got '%s'\n", fr->fa->kernel);
            rc = EXIT_USAGE;
            goto done;
        }
        b.tau_ms = tau * 1e3;
    }
    if (!read_data(fr, &b, &trace, &spikes)) {
        rc = EXIT_USAGE;
        goto done;
    }
    FitSpec spec = {.p = ft->p, .params = ft->params, .eval = batch_eval, .ctx = &b,
                    .method = ft->spikes ? FIT_NELDER_MEAD : FIT_BFGS,
                    .starts = fr->fa->starts ? fr->fa->starts : 8, .max_iter = fr->fa->max_iter ? fr->fa->max_iter : 400,
                    .tol = 1e-4, .curv_step = ft->spikes ? 0.02 : 1e-3, .verbose = fr->fa->verbose};
    if (fr->fa->search)
        spec.method = strcmp(fr->fa->search, "nm") == 0 ? FIT_NELDER_MEAD : FIT_BFGS;
    if (spec.method == FIT_NELDER_MEAD && !fr->fa->starts && !ft->spikes)
        spec.starts = 1;
    /* independent residuals: every sample, or one per kernel time per neuron (fit_curv.c) */
    spec.nresid = ft->spikes ? (double)b.n * fr->duration * 1e3 / b.tau_ms
                             : (double)(trace.nsamples * trace.ncols);
    if (!search(&spec, &res, &b, ft))
        goto done;
    if (res.converged && !fit_curvature(&spec, &res))
        goto done;
    FitExtra ex = {.target = fr->fa->target, .objective_unit = "1", .r2 = NAN, .rmse = NAN, .data_spikes = -1,
                   .model_spikes = -1, .tau_ms = ft->spikes ? b.tau_ms : NAN};
    char unit[80];
    if (!ft->spikes) {
        const char *u = fr->m->pops[ft->popi].states[ft->var->index].unit.text;
        snprintf(unit, sizeof unit, "%s^2", u ? u : "1");
        ex.objective_unit = unit;
    }
    if (!make_dir(fr->outdir) || !final_run(&b, fr, &res, &ex))
        goto done;
    char *json = join(fr->outdir, "fit.json");
    bool written = fit_write_json(json, &spec, &res, &ex);
    free(json);
    if (!written)
        goto done;
    print_result(ft, &res, &ex);
    fflush(stdout);
    if (!res.converged) {
        fprintf(stderr, "nrnc: fit did not converge; the best point found is in %s/fit.json\n", fr->outdir);
        for (const char *s = res.report; *s;) {
            const char *nl = strchr(s, '\n');
            int len = nl ? (int)(nl - s) : (int)strlen(s);
            fprintf(stderr, "nrnc: %.*s\n", len, s);
            s += len + (nl ? 1 : 0);
        }
    } else if (res.report[0]) {
        fprintf(stderr, "nrnc: note: %s", res.report);
    }
    rc = res.converged ? 0 : EXIT_RUN_FAILED;
done:
    fit_result_free(&res);
    fit_trace_free(&trace);
    fit_spikes_free(&spikes);
    batch_free(&b);
    return rc;
}

static int check_args(const DrvFitArgs *fa)
{
    if (!fa || !fa->data)
        return fit_usage("%s", "fit needs --data FILE");
    if (!fa->target)
        return fit_usage("%s", "fit needs --target spikes or --target trace:VAR");
    if (!fa->params)
        return fit_usage("%s", "fit needs --params POP.NAME[,POP.NAME...]");
    return -1;
}

/* The checks that need the program: names, target, connections, bounds. */
static int check_fitted(const DrvOptions *opt, Diags *d, Fitted *ft)
{
    const DrvFitArgs *fa = opt->fit;
    int rc = parse_params(ft, fa->params);
    if (rc < 0)
        rc = parse_target(ft, fa->target);
    if (rc < 0)
        rc = refuse_connections(ft, d);
    for (int k = 0; rc < 0 && k < fa->nbounds; k++)
        rc = parse_bound(ft, fa->bounds[k]);
    return rc;
}

int drv_fit(const DrvOptions *opt, Arena *a, Diags *d, SemaProgram *prog, LowerOptions *lo)
{
    (void)prog;
    int rc = check_args(opt->fit);
    if (rc >= 0)
        return rc;
    Fitted ft = {.net = lo->network};
    FitRun fr = {.opt = opt, .fa = opt->fit, .ft = &ft, .duration = lo->duration,
                 .outdir = opt->out_dir ? opt->out_dir : "nrn-fit"};
    rc = check_fitted(opt, d, &ft);
    /* lowered as written, for the start values; then with the population replicable */
    IrModule *plain = rc < 0 ? lower_network(a, d, prog, lo) : NULL;
    if (rc < 0 && !plain)
        rc = lo->set_error ? EXIT_USAGE : EXIT_MODEL_ERROR;
    if (rc < 0)
        rc = start_values(&ft, plain);
    diag_flush(d, stderr);
    if (rc < 0) {
        lo->fit_pop = ft.pop->name;
        lo->fit_params = ft.names;
        lo->nfit_params = ft.p;
        IrModule *m = lower_network(a, d, prog, lo);
        if (!m || !solve_select(a, d, m, opt->method)) {
            diag_flush(d, stderr);
            rc = EXIT_MODEL_ERROR;
        } else {
            diag_flush(d, stderr);
            fr.m = m;
            rc = drv_jit_session(m, fit_with, &fr);
        }
    }
    for (int k = 0; k < ft.p; k++)
        free(ft.labels[k]);
    return rc;
}
