/* Exact propagators for linear ODE systems (one of the two files that include GSL).
 *
 * For x' = A x + b with b constant over a step, x(t+dt) = P x(t) + Q b with
 * P = exp(A dt) and Q = ∫0^dt exp(A s) ds. Both come out of one matrix exponential (Van
 * Loan's block trick): exp([[A, I], [0, 0]]·dt) = [[P, Q], [0, I]]. This needs no inverse
 * of A, so singular A works (A = 0 gives P = I and Q = dt·I exactly, the series being
 * finite).
 *
 * GSL's scaling-and-squaring derives the number of squarings from the largest entry, so
 * the matrix is balanced first (see balance), and a non-finite entry would turn that count
 * into an unbounded loop: such input is refused before GSL sees it. The generated init calls this once per population and stores P and Q among
 * the population's scalars. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "internal.h"

/* The augmented (2n)×(2n) matrix [[A, I], [0, 0]]·dt, row-major; false on non-finite
 * entries. */
static bool fill_augmented(double *M, int32_t n, const double *A, double dt)
{
    size_t m = 2 * (size_t)n;
    memset(M, 0, m * m * sizeof *M);
    for (int32_t i = 0; i < n; i++) {
        for (int32_t j = 0; j < n; j++) {
            double v = A[(size_t)i * (size_t)n + (size_t)j] * dt;
            if (!isfinite(v))
                return false;
            M[(size_t)i * m + (size_t)j] = v;
        }
        M[(size_t)i * m + (size_t)n + (size_t)i] = dt;
    }
    return true;
}

/* Diagonal similarity M <- D^-1 M D with D a vector of powers of two (exact), chosen so
 * that each index's off-diagonal row and column sums are within a factor of 2
 * (Parlett-Reinsch balancing, as LAPACK's dgebal). GSL picks its number of squarings from
 * the largest entry, and a neuron's matrix mixes 1/tau with 1/C: without balancing an
 * entry of 1e5 forces twenty squarings and costs five digits. Indices with an empty row or
 * column keep d = 1. */
static void balance(double *M, size_t m, double *d)
{
    for (size_t i = 0; i < m; i++)
        d[i] = 1;
    bool done = false;
    for (int sweep = 0; !done && sweep < 100; sweep++) {
        done = true;
        for (size_t i = 0; i < m; i++) {
            double c = 0, r = 0;
            for (size_t j = 0; j < m; j++) {
                if (j != i) {
                    c += fabs(M[j * m + i]);
                    r += fabs(M[i * m + j]);
                }
            }
            if (c == 0 || r == 0)
                continue;
            double f = 1, s = c + r;
            while (c < r / 2) {
                f *= 2;
                c *= 4;
            }
            while (c > r * 2) {
                f /= 2;
                c /= 4;
            }
            if ((c + r) / f >= 0.95 * s)
                continue;
            done = false;
            d[i] *= f;
            for (size_t j = 0; j < m; j++) {
                M[j * m + i] *= f;
                M[i * m + j] /= f;
            }
        }
    }
}

/* Copies the top blocks of exp(M) = D exp(D^-1 M D) D^-1 into P and Q; false if any
 * entry is not finite. */
static bool split_blocks(const double *E, const double *d, int32_t n, double *P, double *Q)
{
    size_t m = 2 * (size_t)n, nn = (size_t)n;
    bool finite = true;
    for (size_t i = 0; i < nn; i++) {
        for (size_t j = 0; j < nn; j++) {
            double p = E[i * m + j] * d[i] / d[j];
            double q = E[i * m + nn + j] * d[i] / d[nn + j];
            P[i * nn + j] = p;
            Q[i * nn + j] = q;
            finite = finite && isfinite(p) && isfinite(q);
        }
    }
    return finite;
}

int32_t nrt_expm_propagator(int32_t n, const double *A, double dt, double *P, double *Q)
{
    if (n == 0)
        return 0;
    if (n < 0 || !isfinite(dt))
        return -1;
    size_t m = 2 * (size_t)n;
    double *M = malloc((2 * m * m + m) * sizeof *M);
    if (!M)
        return -1;
    double *E = M + m * m, *d = E + m * m;
    int32_t rc = -1;
    if (fill_augmented(M, n, A, dt)) {
        balance(M, m, d);
        gsl_matrix_view mv = gsl_matrix_view_array(M, m, m);
        gsl_matrix_view ev = gsl_matrix_view_array(E, m, m);
        if (gsl_linalg_exponential_ss(&mv.matrix, &ev.matrix, GSL_PREC_DOUBLE) == GSL_SUCCESS &&
            split_blocks(E, d, n, P, Q))
            rc = 0;
    }
    free(M);
    if (rc != 0 && P && Q) {
        /* Never leave a propagator that silently integrates wrongly: NaN makes the first
         * step stop the run with a message naming the population. */
        for (size_t k = 0; k < (size_t)n * (size_t)n; k++)
            P[k] = Q[k] = NAN;
    }
    return rc;
}
