/* Standard errors of `nrnc fit` from the curvature of the objective at the optimum.
 *
 * The objective f is a sum of squares — of the trace residuals, or (van Rossum) of the
 * difference of the filtered spike trains — so near the optimum x*
 *     f(x) ≈ f* + 1/2 (x - x*)ᵀ H (x - x*),   H ≈ 2 JᵀJ,
 * and least-squares theory gives Cov(x*) = sigma² (JᵀJ)⁻¹ = sigma² (H/2)⁻¹ with
 * sigma² = f* / (n - p), n the number of independent residuals (the driver says what n
 * is for each target). H is computed in the search's space z by central differences,
 * all 2p² + 1 stencil points in one batch,
 *     H_kk = (f(z + h e_k) - 2 f(z) + f(z - h e_k)) / h²,
 *     H_kl = (f(+h e_k + h e_l) - f(+h e_k - h e_l) - f(-h e_k + h e_l) + f(-h e_k - h e_l)) / 4h²,
 * and carried to the params' own coordinates with the diagonal Jacobian D = dx/dz
 * (valid where the gradient vanishes): Cov(x) = D Cov(z) D. A param at a bound, or an H
 * that is not positive definite (a direction in which f does not curve: the data do
 * not determine that combination of params), gets no standard error, with a note. */
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"

/* The stencil: point 0 the centre, then ±e_k, then the four corners of each pair. */
static int stencil(int p, const double *z0, double h, double *z)
{
    int m = 0;
    for (int k = 0; k < p; k++)
        z[k] = z0[k];
    m = 1;
    for (int k = 0; k < p; k++)
        for (int s = -1; s <= 1; s += 2, m++) {
            memcpy(z + m * p, z0, sizeof *z * (size_t)p);
            z[m * p + k] += s * h;
        }
    for (int k = 0; k < p; k++)
        for (int l = k + 1; l < p; l++)
            for (int c = 0; c < 4; c++, m++) {
                memcpy(z + m * p, z0, sizeof *z * (size_t)p);
                z[m * p + k] += (c & 1 ? -h : h);
                z[m * p + l] += (c & 2 ? -h : h);
            }
    return m;
}

static void hessian(int p, const double *f, double h, gsl_matrix *H)
{
    for (int k = 0; k < p; k++)
        gsl_matrix_set(H, (size_t)k, (size_t)k, (f[1 + 2 * k] - 2 * f[0] + f[2 + 2 * k]) / (h * h));
    int m = 1 + 2 * p;
    for (int k = 0; k < p; k++)
        for (int l = k + 1; l < p; l++, m += 4) {
            double v = (f[m] - f[m + 1] - f[m + 2] + f[m + 3]) / (4 * h * h);
            gsl_matrix_set(H, (size_t)k, (size_t)l, v);
            gsl_matrix_set(H, (size_t)l, (size_t)k, v);
        }
}

static bool all_finite(const double *f, int m)
{
    for (int r = 0; r < m; r++)
        if (!isfinite(f[r]))
            return false;
    return true;
}

bool fit_curvature(const FitSpec *spec, FitResult *res)
{
    int p = spec->p, m = 2 * p * p + 1;
    double h = spec->curv_step;
    double *z0 = fit_xcalloc((size_t)p, sizeof *z0), *z = fit_xcalloc((size_t)m * (size_t)p, sizeof *z);
    double *x = fit_xcalloc((size_t)m * (size_t)p, sizeof *x), *f = fit_xcalloc((size_t)m, sizeof *f);
    bool at_bound = false;
    for (int k = 0; k < p; k++) {
        res->se[k] = NAN;
        z0[k] = fit_to_z(&spec->params[k], res->x[k]);
        at_bound |= spec->params[k].bounded && fabs(z0[k]) > 6;
    }
    stencil(p, z0, h, z);
    bool ok = fit_eval_points(spec, res, z, m, x, f);
    double dof = spec->nresid - p;
    if (!ok) {
        /* reported by eval */
    } else if (at_bound) {
        fit_note(res, "no standard errors: a param is at its bound, where the curvature says nothing");
    } else if (!all_finite(f, m)) {
        fit_note(res, "no standard errors: the model fails next to the optimum");
    } else if (!(dof > 0)) {
        fit_note(res, "no standard errors: %g residuals for %d params", spec->nresid, p);
    } else {
        gsl_matrix *H = gsl_matrix_alloc((size_t)p, (size_t)p);
        hessian(p, f, h, H);
        double sigma2 = f[0] / dof;
        if (gsl_linalg_cholesky_decomp1(H) != GSL_SUCCESS) {
            fit_note(res, "no standard errors: the objective does not curve upwards in every direction at the "
                          "optimum (the data do not determine every param, or the step %g is too coarse)", h);
        } else {
            gsl_linalg_cholesky_invert(H);
            for (int k = 0; k < p; k++) {
                double var_z = 2 * sigma2 * gsl_matrix_get(H, (size_t)k, (size_t)k);
                res->se[k] = fit_dx_dz(&spec->params[k], z0[k]) * sqrt(var_z);
            }
        }
        gsl_matrix_free(H);
    }
    free(z0);
    free(z);
    free(x);
    free(f);
    return ok;
}
