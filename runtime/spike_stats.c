/* Online spike-train statistics (spike_stats.h): the accumulator the run loop and
 * `nrnc stats` share, and the one place where the statistics are defined.
 *
 * Besides rng.c and expm.c this is the runtime's only GSL user, for the sort and the
 * quantiles of the per-neuron rates, computed once when summary.json is written. */
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nrt.h"
#include "spike_stats.h"

int64_t nrt_spike_stats_ticks(double ms, double tick_ms)
{
    double t = nearbyint(ms / tick_ms);
    return t >= 1 && t < 9e18 ? (int64_t)t : 1;
}

int nrt_spike_stats_alloc(nrt_spike_stats *s, int64_t n, int64_t from, int64_t to,
                          int64_t window, int64_t bin)
{
    memset(s, 0, sizeof *s);
    size_t m = n > 0 ? (size_t)n : 0;
    /* a cell per cache line (calloc's would straddle two), on huge pages: every spike
     * of a large population touches a cell far from the last one's */
    s->cell = nrt_array_zeroed((int64_t)m + 1, sizeof *s->cell);
    s->cur = nrt_array_zeroed((int64_t)m + 1, sizeof *s->cur);
    s->pending = calloc(m + 1, sizeof *s->pending);
    if (!s->cell || !s->cur || !s->pending) {
        nrt_spike_stats_free(s);
        return -1;
    }
    s->n = n > 0 ? n : 0;
    s->from = from;
    s->to = to;
    s->window = window > 0 ? window : 1;
    s->bin = bin > 0 ? bin : 1;
    s->pop_bin = -1;
    return 0;
}

void nrt_spike_stats_free(nrt_spike_stats *s)
{
    free(s->cell);
    free(s->cur);
    free(s->pending);
    memset(s, 0, sizeof *s);
}

double nrt_spike_stats_bytes(int64_t n)
{
    return (double)(n > 0 ? n : 0) * (double)(sizeof(nrt_spike_cell) + sizeof(nrt_spike_cur) + sizeof(int64_t));
}

/* Neuron i at tick t, in window w and bin b: the counts of the window and bin that its
 * previous spike was in are folded into the sums of squares when these differ. */
static inline void add_one(nrt_spike_stats *s, int64_t i, int64_t t, int64_t w, int64_t b)
{
    nrt_spike_cell *c = &s->cell[i];
    nrt_spike_cur *u = &s->cur[i];
    if (c->count == 0) {
        c->first = t;
        c->win = w;
        c->bin = b;
    } else {
        double isi = (double)(t - c->last);
        c->isi_sq += isi * isi;
        if (w != c->win) {
            c->win_sq += (int64_t)u->win_n * u->win_n;
            u->win_n = 0;
            c->win = w;
        }
        if (b != c->bin) {
            c->bin_sq += (int64_t)u->bin_n * u->bin_n;
            u->bin_n = 0;
            c->bin = b;
        }
    }
    u->win_n++;
    u->bin_n++;
    c->last = t;
    c->count++;
}

/* The population's bin b gains k spikes. */
static inline void add_pop(nrt_spike_stats *s, int64_t b, int64_t k)
{
    if (b != s->pop_bin) {
        s->pop_bin_sq += (double)s->pop_bin_n * (double)s->pop_bin_n;
        s->pop_bin_n = 0;
        s->pop_bin = b;
    }
    s->pop_bin_n += k;
}

void nrt_spike_stats_add(nrt_spike_stats *s, int64_t i, int64_t t)
{
    if (t <= s->from || t > s->to || i < 0 || i >= s->n)
        return;
    int64_t w = (t - s->from - 1) / s->window, b = (t - s->from - 1) / s->bin;
    add_one(s, i, t, w, b);
    add_pop(s, b, 1);
}

void nrt_spike_stats_defer(nrt_spike_stats *s, int64_t t, const int64_t *idx, int64_t k)
{
    s->npending = 0;
    if (k <= 0 || t <= s->from || t > s->to)
        return;
    int64_t added = 0;
    for (int64_t j = 0; j < k; j++)
        if (idx[j] >= 0 && idx[j] < s->n)
            s->pending[added++] = idx[j];
    s->npending = added;
    s->pending_tick = t;
    add_pop(s, (t - s->from - 1) / s->bin, added);
}

int64_t nrt_spike_stats_find(const nrt_spike_stats *s, int64_t lo)
{
    const int64_t *v = s->pending;
    int64_t a = 0, b = s->npending;
    while (a < b) {
        int64_t m = a + (b - a) / 2;
        if (v[m] < lo)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

void nrt_spike_stats_apply(nrt_spike_stats *s, int64_t from, int64_t hi)
{
    const int64_t *v = s->pending;
    int64_t t = s->pending_tick, w = (t - s->from - 1) / s->window, bin = (t - s->from - 1) / s->bin;
    /* the cells of spikes AHEAD on are requested early: the list is sorted, but a large
     * population's spiking neurons are a cache miss apart (two each: cell and cur) */
    enum { AHEAD = 16 };
    int64_t end = from;
    while (end < s->npending && v[end] < hi)
        end++;
    for (int64_t a = from; a < end && a < from + AHEAD; a++) {
        __builtin_prefetch(&s->cell[v[a]], 1);
        __builtin_prefetch(&s->cur[v[a]], 1);
    }
    for (int64_t a = from; a < end; a++) {
        if (a + AHEAD < end) {
            __builtin_prefetch(&s->cell[v[a + AHEAD]], 1);
            __builtin_prefetch(&s->cur[v[a + AHEAD]], 1);
        }
        add_one(s, v[a], t, w, bin);
    }
}

/* Sums over the whole windows (or bins) of a neuron's counts and squared counts: every
 * folded one is whole; the current one only when it ends by `whole` (K). */
static void whole_sums(int64_t count, int64_t cur, int32_t cur_n, int64_t sq, int64_t whole,
                       double *sum, double *sumsq)
{
    if (count > 0 && cur >= whole) {
        *sum = (double)(count - cur_n);
        *sumsq = (double)sq;
    } else {
        *sum = (double)count;
        *sumsq = (double)sq + (double)cur_n * (double)cur_n;
    }
}

typedef struct acc {
    double cv, isi_mean, fano, var;
    int64_t isi_n, fano_n, spikes, silent, in_bins;
} acc;

/* Neuron i's terms of every statistic (docs/analysis.md "Statistics"). */
static void neuron_terms(const nrt_spike_stats *s, int64_t i, int64_t K, int64_t B, acc *a)
{
    const nrt_spike_cell *c = &s->cell[i];
    const nrt_spike_cur *u = &s->cur[i];
    int64_t n = c->count;
    a->spikes += n;
    a->silent += n == 0;
    if (n >= 3) {
        double isis = (double)(n - 1), mean = (double)(c->last - c->first) / isis;
        double var = (c->isi_sq - isis * mean * mean) / (isis - 1);
        a->cv += sqrt(var > 0 ? var : 0) / mean;
        a->isi_mean += mean;
        a->isi_n++;
    }
    double sum, sumsq;
    if (K >= 2) {
        whole_sums(n, c->win, u->win_n, c->win_sq, K, &sum, &sumsq);
        double mean = sum / (double)K, var = (sumsq - (double)K * mean * mean) / (double)(K - 1);
        if (mean > 0) {
            a->fano += (var > 0 ? var : 0) / mean;
            a->fano_n++;
        }
    }
    if (B >= 2) {
        whole_sums(n, c->bin, u->bin_n, c->bin_sq, B, &sum, &sumsq);
        double mean = sum / (double)B, var = sumsq / (double)B - mean * mean;
        a->var += var > 0 ? var : 0;
        a->in_bins += (int64_t)sum;
    }
}

/* Golomb's chi: sqrt(var of the population-averaged count / mean of the neurons' vars). */
static double chi(const nrt_spike_stats *s, int64_t B, const acc *a)
{
    if (B < 2 || !(a->var > 0))
        return NAN;
    double sq = s->pop_bin_sq;
    if (s->pop_bin >= 0 && s->pop_bin < B)
        sq += (double)s->pop_bin_n * (double)s->pop_bin_n;
    double N = (double)s->n, mean = (double)a->in_bins / (double)B;
    double var_pop = (sq / (double)B - mean * mean) / (N * N);
    return sqrt((var_pop > 0 ? var_pop : 0) / (a->var / N));
}

bool nrt_spike_stats_finish(const nrt_spike_stats *s, int64_t end, double tick_ms,
                            nrt_spike_summary *r)
{
    *r = (nrt_spike_summary){ .rate_hz = NAN, .isi_mean_ms = NAN, .cv_isi = NAN, .fano = NAN,
                              .silent_fraction = NAN, .synchrony = NAN };
    for (int k = 0; k < 5; k++)
        r->rate_q[k] = NAN;
    if (end > s->to)
        end = s->to;
    int64_t span = end - s->from;
    if (s->n <= 0 || span <= 0 || !(tick_ms > 0))
        return true;
    double *rates = malloc((size_t)s->n * sizeof *rates);
    if (!rates)
        return false;
    int64_t K = span / s->window, B = span / s->bin;
    double span_s = (double)span * tick_ms * 1e-3;
    acc a = { 0 };
    for (int64_t i = 0; i < s->n; i++) {
        neuron_terms(s, i, K, B, &a);
        rates[i] = (double)s->cell[i].count / span_s;
    }
    gsl_sort(rates, 1, (size_t)s->n);
    static const double q[5] = { 0, 0.1, 0.5, 0.9, 1 };
    for (int k = 0; k < 5; k++)
        r->rate_q[k] = gsl_stats_quantile_from_sorted_data(rates, 1, (size_t)s->n, q[k]);
    free(rates);
    r->spikes = a.spikes;
    r->rate_hz = (double)a.spikes / ((double)s->n * span_s);
    r->silent_fraction = (double)a.silent / (double)s->n;
    r->isi_neurons = a.isi_n;
    if (a.isi_n > 0) {
        r->cv_isi = a.cv / (double)a.isi_n;
        r->isi_mean_ms = a.isi_mean / (double)a.isi_n * tick_ms;
    }
    r->windows = K;
    r->fano = a.fano_n > 0 ? a.fano / (double)a.fano_n : NAN;
    r->bins = B;
    r->synchrony = chi(s, B, &a);
    return true;
}

int nrt_spike_summary_json(const nrt_spike_summary *r, double window_ms, double bin_ms,
                           char *buf, size_t size)
{
    const struct { const char *key; double v; } f[] = {
        { "rate_hz", r->rate_hz }, { "rate_min_hz", r->rate_q[0] },
        { "rate_p10_hz", r->rate_q[1] }, { "rate_p50_hz", r->rate_q[2] },
        { "rate_p90_hz", r->rate_q[3] }, { "rate_max_hz", r->rate_q[4] },
        { "isi_mean_ms", r->isi_mean_ms }, { "cv_isi", r->cv_isi },
        { "isi_neurons", (double)r->isi_neurons }, { "fano", r->fano },
        { "fano_window_ms", window_ms }, { "windows", (double)r->windows },
        { "silent_fraction", r->silent_fraction }, { "synchrony", r->synchrony },
        { "synchrony_bin_ms", bin_ms }, { "bins", (double)r->bins },
    };
    size_t len = 0;
    int n = snprintf(buf, size, "{");
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
        char num[40];
        if (isfinite(f[k].v))
            nrt_format_double(f[k].v, num, sizeof num);
        else
            strcpy(num, "null");
        len = n > 0 ? (size_t)n : 0;
        n += snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "%s\"%s\": %s",
                      k ? ", " : " ", f[k].key, num);
    }
    len = (size_t)n;
    n += snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, " }");
    return n;
}
