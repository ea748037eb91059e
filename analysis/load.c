/* The output folder for `nrnc stats`: loaded by the plot library (plot/load.c) in its
 * analysis mode, which keeps every spike and, for `--pca POP:VAR`, every column of that
 * one trace; then the time base and the interval [--from, --to] in ticks.
 *
 * Ticks are whole steps of the run's dt (summary.json's dt_ms), as in the runtime, so
 * that `nrnc stats` computes exactly what summary.json holds; without dt, microseconds.
 * Spike files are in time order when the runtime wrote them; a file that is not (one
 * edited or merged by hand) is sorted here, since the accumulators need each neuron's
 * spikes in order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort_double.h>

#include "an_int.h"
#include "spike_stats.h"

enum { NO_DT_TICK_NS = 1000 };

int64_t an_ticks(const AnRun *r, double ms)
{
    return nrt_spike_stats_ticks(ms, r->tick_ms);
}

/* The run's end: simulated_ms, else the last time in any file. */
static double run_end(const PlotData *d)
{
    return isfinite(d->simulated_ms) && d->simulated_ms > 0 ? d->simulated_ms : d->t_max;
}

static int interval(AnRun *r)
{
    const AnOptions *o = r->opt;
    double from = isnan(o->from_ms) ? 0 : o->from_ms;
    double to = isnan(o->to_ms) ? run_end(&r->d) : o->to_ms;
    if (!(to > from)) {
        plot_msg(r->log, "error", "the interval is empty: --from %g ms is not before %s %g ms",
                 from, isnan(o->to_ms) ? "the end of the run," : "--to", to);
        return AN_EXIT_USAGE;
    }
    r->from = llround(from / r->tick_ms);
    r->to = llround(to / r->tick_ms);
    if (r->to <= r->from)
        r->to = r->from + 1;
    return 0;
}

int an_load(AnRun *r, const AnOptions *opt, FILE *log, const char *trace)
{
    memset(r, 0, sizeof *r);
    r->opt = opt;
    r->log = log;
    PlotLoad pl = { .all_spikes = true, .all_columns = trace != NULL, .only_trace = trace,
                    .no_rates = true };
    if (!trace)
        pl.only_trace = "";      /* no trace is named "": none is loaded */
    int rc = plot_data_load_with(&r->d, opt->outdir, log, &pl);
    if (rc != 0)
        return rc;
    r->tick_ms = isfinite(r->d.dt_ms) && r->d.dt_ms > 0 ? r->d.dt_ms : NO_DT_TICK_NS * 1e-6;
    return interval(r);
}

void an_free(AnRun *r)
{
    plot_data_free(&r->d);
}

int an_pop(AnRun *r, const char *name, const char *flag)
{
    for (int p = 0; p < r->d.npops; p++)
        if (strcmp(r->d.pops[p].name, name) == 0)
            return p;
    char list[512] = "";
    for (int p = 0; p < r->d.npops; p++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", p ? ", " : "", r->d.pops[p].name);
    }
    plot_msg(r->log, "error", "%s: no population '%s' in '%s' (%s%s)", flag, name, r->opt->outdir,
             r->d.npops ? "populations: " : "no populations", list);
    return -1;
}

static bool sorted(const double *t, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (t[k] < t[k - 1])
            return false;
    return true;
}

void an_spikes(const AnRun *r, int p, AnSpikes *s)
{
    const PlotPop *pp = &r->d.pops[p];
    size_t n = pp->n;
    s->n = (int64_t)n;
    s->tick = plot_xrealloc(NULL, n * sizeof *s->tick);
    s->idx = plot_xrealloc(NULL, n * sizeof *s->idx);
    size_t *perm = NULL;
    if (!sorted(pp->t, n)) {
        perm = plot_xrealloc(NULL, n * sizeof *perm);
        gsl_sort_index(perm, pp->t, 1, n);
    }
    for (size_t k = 0; k < n; k++) {
        size_t j = perm ? perm[k] : k;
        s->tick[k] = llround(pp->t[j] / r->tick_ms);
        s->idx[k] = pp->i[j];
    }
    free(perm);
}

void an_spikes_free(AnSpikes *s)
{
    free(s->tick);
    free(s->idx);
    memset(s, 0, sizeof *s);
}
