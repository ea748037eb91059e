/* The objectives of `nrnc fit`.
 *
 * trace:VAR — least squares: the sum over samples and neurons of (data - model)², in the
 * variable's display unit squared (mV² for a voltage). Smooth in the params wherever the
 * model is, so BFGS with finite-difference gradients applies.
 *
 * spikes — the van Rossum (2001) distance, summed over the population's neurons: each
 * train is filtered with a causal exponential kernel exp(-t/tau) and the distance is
 * D² = (1/tau) ∫ (f - g)² dt. In closed form, with K(d) = exp(-|d|/tau),
 *     D² = 1/2 [ Σ_ii' K(a_i - a_i') + Σ_jj' K(b_j - b_j') - 2 Σ_ij K(a_i - b_j) ],
 * so an unmatched spike costs 1/2 and a spike shifted by d costs 1 - exp(-|d|/tau): the
 * objective moves continuously as spikes move, and in steps of 1/2 only when a spike
 * appears or vanishes — which a simplex search (Nelder–Mead) tolerates, a gradient
 * method does not. */
#include <math.h>

#include "fit.h"

double fit_ssr(const FitTrace *data, const double *model)
{
    double s = 0;
    int64_t n = data->nsamples * data->ncols;
    for (int64_t k = 0; k < n; k++) {
        double r = data->v[k] - model[k];
        s += r * r;
    }
    return isfinite(s) ? s : INFINITY;
}

double fit_sst(const FitTrace *data)
{
    double s = 0;
    for (int c = 0; c < data->ncols; c++) {
        double mean = 0;
        for (int64_t k = 0; k < data->nsamples; k++)
            mean += data->v[k * data->ncols + c];
        mean /= (double)data->nsamples;
        for (int64_t k = 0; k < data->nsamples; k++) {
            double r = data->v[k * data->ncols + c] - mean;
            s += r * r;
        }
    }
    return s;
}

/* Σ_i Σ_j exp(-|a_i - b_j| / tau) over ascending trains, in O(na + nb): for each a_i the
 * terms of the b_j before it and after it are running exponential sums. */
static double cross_sum(const double *a, int64_t na, const double *b, int64_t nb, double tau)
{
    double total = 0, before = 0, t_prev = -INFINITY;
    int64_t j = 0;
    /* before: Σ_{b_j <= a_i} exp(-(a_i - b_j)/tau), carried from a_{i-1} to a_i */
    for (int64_t i = 0; i < na; i++) {
        before = isfinite(t_prev) ? before * exp(-(a[i] - t_prev) / tau) : 0;
        for (; j < nb && b[j] <= a[i]; j++)
            before += exp(-(a[i] - b[j]) / tau);
        t_prev = a[i];
        total += before;
    }
    double after = 0;
    t_prev = INFINITY;
    j = nb - 1;
    /* after: Σ_{b_j > a_i} exp(-(b_j - a_i)/tau), carried from a_{i+1} down to a_i */
    for (int64_t i = na - 1; i >= 0; i--) {
        after = isfinite(t_prev) ? after * exp(-(t_prev - a[i]) / tau) : 0;
        for (; j >= 0 && b[j] > a[i]; j--)
            after += exp(-(b[j] - a[i]) / tau);
        t_prev = a[i];
        total += after;
    }
    return total;
}

double fit_van_rossum(const double *a, int64_t na, const double *b, int64_t nb, double tau_ms)
{
    double d = 0.5 * (cross_sum(a, na, a, na, tau_ms) + cross_sum(b, nb, b, nb, tau_ms)) -
               cross_sum(a, na, b, nb, tau_ms);
    return d > 0 ? d : 0;   /* rounding may leave -1e-16 for identical trains */
}
