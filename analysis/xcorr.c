/* `nrnc stats OUTDIR --xcorr A,B`: the cross-correlogram of two populations, every spike
 * pair (a of A, b of B, both in (from, to]) counted by its lag t_b - t_a in bins of --bin
 * (default 1 ms) centred on multiples of the bin, from -K·bin to K·bin with K = --lag / bin
 * rounded down (--lag default 50 ms): bin k holds the lags in [(k - 1/2)·bin,
 * (k + 1/2)·bin), the outer ones whole. With A = B a spike is not paired with itself.
 *
 * Both trains are pooled over their neurons and sorted by time; for each spike of A the
 * spikes of B within the lag window are found from where the previous spike's window
 * began, so the work is O(n_A + n_B + pairs in the window), never O(n_A·n_B). Lags are
 * in ticks (integers), so a bin's edge never depends on rounding. Writes
 * xcorr_A_B.csv (lag_ms,count). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "an_int.h"
#include "nrt.h"

enum { MAX_LAG_BINS = 1000000 };

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && a < 0);
}

/* The spikes of s in (from, to]: [*lo, *hi). */
static void within(const AnRun *r, const AnSpikes *s, int64_t *lo, int64_t *hi)
{
    *lo = 0;
    while (*lo < s->n && s->tick[*lo] <= r->from)
        (*lo)++;
    *hi = *lo;
    while (*hi < s->n && s->tick[*hi] <= r->to)
        (*hi)++;
}

/* Bin k of the lags takes 2k·bin - bin <= 2·lag < 2k·bin + bin (twice, to stay in
 * integers); the window reaches the outer edge of bins ±nk. */
static void count_pairs(const AnRun *r, const AnSpikes *a, const AnSpikes *b, bool same,
                        int64_t bin, int64_t nk, double *count)
{
    int64_t alo, ahi, blo, bhi, edge = (2 * nk + 1) * bin;
    within(r, a, &alo, &ahi);
    within(r, b, &blo, &bhi);
    int64_t start = blo;
    for (int64_t i = alo; i < ahi; i++) {
        int64_t ta = a->tick[i];
        while (start < bhi && 2 * (b->tick[start] - ta) < -edge)
            start++;
        for (int64_t j = start; j < bhi && 2 * (b->tick[j] - ta) < edge; j++) {
            if (same && j == i)
                continue;
            count[floor_div(2 * (b->tick[j] - ta) + bin, 2 * bin) + nk]++;
        }
    }
}

static int write_counts(const AnRun *r, const char *na, const char *nb, int64_t bin, int64_t nk,
                        const double *count)
{
    int rows = (int)(2 * nk + 1);
    char **first = plot_xrealloc(NULL, (size_t)rows * sizeof *first);
    for (int k = 0; k < rows; k++) {
        first[k] = plot_xrealloc(NULL, 40);
        nrt_format_time(((int64_t)k - nk) * bin, r->tick_ms, first[k], 40);
    }
    char name[600];
    snprintf(name, sizeof name, "xcorr_%s_%s.csv", na, nb);
    AnTable t = { .header = "lag_ms,count", .rows = rows, .cols = 2,
                  .first = (const char *const *)first, .v = count };
    int rc = an_write_table(r, name, &t);
    for (int k = 0; k < rows; k++)
        free(first[k]);
    free(first);
    return rc;
}

int an_xcorr(AnRun *r)
{
    const AnOptions *o = r->opt;
    const char *comma = strchr(o->xcorr, ',');
    char na[256];
    snprintf(na, sizeof na, "%.*s", (int)(comma - o->xcorr), o->xcorr);
    const char *nb = comma + 1;
    int pa = an_pop(r, na, "--xcorr"), pb = pa >= 0 ? an_pop(r, nb, "--xcorr") : -1;
    if (pa < 0 || pb < 0)
        return AN_EXIT_USAGE;
    int64_t bin = an_ticks(r, isnan(o->bin_ms) ? 1.0 : o->bin_ms);
    int64_t lag = isnan(o->lag_ms) ? an_ticks(r, 50.0) : llround(o->lag_ms / r->tick_ms);
    int64_t nk = lag / bin;
    if (nk > MAX_LAG_BINS) {
        plot_msg(r->log, "error", "--xcorr: --lag %g ms is %lld bins of %g ms (at most %d)",
                 (double)lag * r->tick_ms, (long long)nk, (double)bin * r->tick_ms, MAX_LAG_BINS);
        return AN_EXIT_USAGE;
    }
    const char *unrec = !r->d.pops[pa].recorded ? na : !r->d.pops[pb].recorded ? nb : NULL;
    if (unrec) {
        plot_msg(r->log, "error", "--xcorr: the spikes of '%s' are not in the files of '%s'", unrec,
                 o->outdir);
        return AN_EXIT_USAGE;
    }
    AnSpikes a, b;
    an_spikes(r, pa, &a);
    an_spikes(r, pb, &b);
    double *count = plot_xrealloc(NULL, (size_t)(2 * nk + 1) * sizeof *count);
    memset(count, 0, (size_t)(2 * nk + 1) * sizeof *count);
    count_pairs(r, &a, &b, pa == pb, bin, nk, count);
    int rc = write_counts(r, na, nb, bin, nk, count);
    free(count);
    an_spikes_free(&a);
    an_spikes_free(&b);
    return rc;
}
