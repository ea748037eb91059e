/* `nrnc stats OUTDIR`: per population, the spike statistics of runtime/spike_stats.c
 * over [--from, --to], fed from the files instead of the run loop; printed as a table or
 * as {"populations": {POP: {...}}} with the object summary.json has under "stats".
 *
 * A population whose spikes were not recorded has nothing in the files to compute from:
 * it is left out, with a warning (summary.json's counts include unrecorded spikes, which
 * is how the loader tells a silent population from an unrecorded one). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "an_int.h"
#include "spike_stats.h"

/* Population p's statistics from its spikes in the files. */
static bool pop_stats(const AnRun *r, int p, int64_t window, int64_t bin, nrt_spike_summary *out)
{
    const PlotPop *pp = &r->d.pops[p];
    nrt_spike_stats acc;
    if (nrt_spike_stats_alloc(&acc, pp->size, r->from, r->to, window, bin) != 0)
        return false;
    AnSpikes s;
    an_spikes(r, p, &s);
    for (int64_t k = 0; k < s.n; k++)
        nrt_spike_stats_add(&acc, s.idx[k], s.tick[k]);
    an_spikes_free(&s);
    bool ok = nrt_spike_stats_finish(&acc, r->to, r->tick_ms, out);
    nrt_spike_stats_free(&acc);
    return ok;
}

static void text_num(FILE *out, double v, int width)
{
    if (isfinite(v))
        fprintf(out, " %*.4g", width, v);
    else
        fprintf(out, " %*s", width, "-");
}

static void text_header(FILE *out, const AnRun *r, double window_ms, double bin_ms)
{
    fprintf(out, "%s: %g to %g ms; Fano windows %g ms, synchrony bins %g ms\n",
            r->opt->outdir, (double)r->from * r->tick_ms, (double)r->to * r->tick_ms,
            window_ms, bin_ms);
    fprintf(out, "%-12s %8s %9s %8s %8s %8s %8s %8s %8s %10s %7s %7s %7s %9s\n", "population",
            "neurons", "spikes", "rate_hz", "min", "p10", "p50", "p90", "max", "isi_mean_ms",
            "cv_isi", "fano", "silent", "synchrony");
}

static void text_row(FILE *out, const PlotPop *pp, const nrt_spike_summary *s)
{
    fprintf(out, "%-12s %8lld %9lld", pp->name, pp->size, (long long)s->spikes);
    text_num(out, s->rate_hz, 8);
    for (int k = 0; k < 5; k++)
        text_num(out, s->rate_q[k], 8);
    text_num(out, s->isi_mean_ms, 10);
    text_num(out, s->cv_isi, 7);
    text_num(out, s->fano, 7);
    text_num(out, s->silent_fraction, 7);
    text_num(out, s->synchrony, 9);
    fputc('\n', out);
}

int an_stats(AnRun *r, FILE *out)
{
    const AnOptions *o = r->opt;
    int64_t window = an_ticks(r, isnan(o->window_ms) ? NRT_STATS_WINDOW_MS : o->window_ms);
    int64_t bin = an_ticks(r, isnan(o->bin_ms) ? NRT_STATS_BIN_MS : o->bin_ms);
    double window_ms = (double)window * r->tick_ms, bin_ms = (double)bin * r->tick_ms;
    if (o->json)
        fputs("{\"populations\": {", out);
    else
        text_header(out, r, window_ms, bin_ms);
    int shown = 0;
    for (int p = 0; p < r->d.npops; p++) {
        const PlotPop *pp = &r->d.pops[p];
        if (!pp->recorded) {
            plot_msg(r->log, "warning", "population '%s': its spikes are not in the files; left out",
                     pp->name);
            continue;
        }
        nrt_spike_summary s;
        if (!pop_stats(r, p, window, bin, &s)) {
            fputs("nrnc: fatal: out of memory\n", stderr);
            exit(70);
        }
        if (o->json) {
            char buf[NRT_SPIKE_JSON_MAX];
            nrt_spike_summary_json(&s, window_ms, bin_ms, buf, sizeof buf);
            fprintf(out, "%s\n  \"%s\": %s", shown ? "," : "", pp->name, buf);
        } else {
            text_row(out, pp, &s);
        }
        shown++;
    }
    if (o->json)
        fputs(shown ? "\n}}\n" : "}}\n", out);
    return AN_OK;
}
