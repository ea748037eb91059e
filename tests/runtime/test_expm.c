/* nrt_expm_propagator against closed forms.
 *
 * Tolerances: GSL's Taylor series at GSL_PREC_DOUBLE is accurate to a few ulps on the
 * scaled matrix, and each of the s squarings can double the relative error, so with the
 * handful of squarings these matrices need, 1e-13 relative (1e-12 for the stiff case,
 * dt = 50 tau, which squares more) is a bound with margin, still far below anything a
 * wrong block or a wrong dt scaling would produce. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nrt.h"

static int failures;

static void close_to(const char *what, double got, double want, double rel)
{
    double err = fabs(got - want);
    double tol = rel * fmax(fabs(want), 1e-300);
    if (!(err <= tol)) {
        fprintf(stderr, "%s: got %.17g, want %.17g (error %.3g, tolerance %.3g)\n", what, got,
                want, err, tol);
        failures++;
    }
}

/* x' = -x/tau: P = exp(-dt/tau), Q = tau (1 - exp(-dt/tau)). */
static void decay(double tau, double dt, double rel)
{
    double A = -1 / tau, P, Q;
    if (nrt_expm_propagator(1, &A, dt, &P, &Q) != 0) {
        fprintf(stderr, "decay: propagator failed\n");
        failures++;
        return;
    }
    close_to("decay P", P, exp(-dt / tau), rel);
    close_to("decay Q", Q, -tau * expm1(-dt / tau), rel);
}

/* Membrane fed by an exponential synaptic current: v' = -v/tm + I/C, I' = -I/ts. */
static void membrane_synapse(void)
{
    const double tm = 0.02, ts = 0.005, C = 2e-10, dt = 1e-4;
    const double A[4] = { -1 / tm, 1 / C, 0, -1 / ts };
    double P[4], Q[4];
    if (nrt_expm_propagator(2, A, dt, P, Q) != 0) {
        fprintf(stderr, "membrane_synapse: propagator failed\n");
        failures++;
        return;
    }
    double em = exp(-dt / tm), es = exp(-dt / ts), k = (1 / C) / (1 / tm - 1 / ts);
    double qm = -tm * expm1(-dt / tm), qs = -ts * expm1(-dt / ts);
    close_to("P11", P[0], em, 1e-13);
    close_to("P12", P[1], k * (es - em), 1e-11);   /* difference of close exponentials */
    close_to("P22", P[3], es, 1e-13);
    close_to("Q11", Q[0], qm, 1e-13);
    close_to("Q12", Q[1], k * (qs - qm), 1e-11);
    close_to("Q22", Q[3], qs, 1e-13);
    if (P[2] != 0 || Q[2] != 0) {
        fprintf(stderr, "membrane_synapse: lower-left entries not zero\n");
        failures++;
    }
}

/* A damped rotation [[a, -w], [w, a]] is the complex number a + iw: exp gives
 * e^{(a+iw)dt} and the integral (e^{(a+iw)dt} - 1) / (a + iw). */
static void rotation(void)
{
    const double pi = 3.14159265358979323846, a = -50, w = 2 * pi * 40, dt = 1e-3;
    const double A[4] = { a, -w, w, a };
    double P[4], Q[4];
    if (nrt_expm_propagator(2, A, dt, P, Q) != 0) {
        fprintf(stderr, "rotation: propagator failed\n");
        failures++;
        return;
    }
    double complex z = a + I * w, e = cexp(z * dt), q = (e - 1) / z;
    const double wantP[4] = { creal(e), -cimag(e), cimag(e), creal(e) };
    const double wantQ[4] = { creal(q), -cimag(q), cimag(q), creal(q) };
    for (int i = 0; i < 4; i++) {
        close_to("rotation P", P[i], wantP[i], 1e-13);
        close_to("rotation Q", Q[i], wantQ[i], 1e-13);
    }
}

/* Singular A: zero gives P = I, Q = dt I exactly; nilpotent [[0,1],[0,0]] gives
 * P = [[1, dt], [0, 1]], Q = [[dt, dt²/2], [0, dt]]. */
static void singular(void)
{
    const double dt = 1e-4;
    double Z[9] = { 0 }, P[9], Q[9];
    if (nrt_expm_propagator(3, Z, dt, P, Q) != 0) {
        fprintf(stderr, "zero: propagator failed\n");
        failures++;
        return;
    }
    for (int i = 0; i < 9; i++) {
        bool diag = i % 4 == 0;
        if (P[i] != (diag ? 1 : 0) || Q[i] != (diag ? dt : 0)) {
            fprintf(stderr, "zero: P[%d] = %.17g, Q[%d] = %.17g\n", i, P[i], i, Q[i]);
            failures++;
        }
    }
    const double N[4] = { 0, 1, 0, 0 };
    double p[4], q[4];
    if (nrt_expm_propagator(2, N, dt, p, q) != 0) {
        fprintf(stderr, "nilpotent: propagator failed\n");
        failures++;
        return;
    }
    const double wantP[4] = { 1, dt, 0, 1 }, wantQ[4] = { dt, dt * dt / 2, 0, dt };
    for (int i = 0; i < 4; i++) {
        close_to("nilpotent P", p[i], wantP[i], 1e-14);
        close_to("nilpotent Q", q[i], wantQ[i], 1e-14);
    }
}

/* n = 16: a diagonal of decays with time constants from 1 ms to 1 s. */
static void sixteen(void)
{
    enum { N = 16 };
    double A[N * N] = { 0 }, P[N * N], Q[N * N], tau[N];
    const double dt = 1e-4;
    for (int i = 0; i < N; i++) {
        tau[i] = 1e-3 * pow(1000, i / (N - 1.0));
        A[i * N + i] = -1 / tau[i];
    }
    if (nrt_expm_propagator(N, A, dt, P, Q) != 0) {
        fprintf(stderr, "sixteen: propagator failed\n");
        failures++;
        return;
    }
    for (int i = 0; i < N; i++) {
        close_to("sixteen P", P[i * N + i], exp(-dt / tau[i]), 1e-13);
        close_to("sixteen Q", Q[i * N + i], -tau[i] * expm1(-dt / tau[i]), 1e-13);
        for (int j = 0; j < N; j++) {
            if (j != i && (fabs(P[i * N + j]) > 1e-300 || fabs(Q[i * N + j]) > 1e-300)) {
                fprintf(stderr, "sixteen: off-diagonal entry %d,%d not zero\n", i, j);
                failures++;
            }
        }
    }
}

static void refused(void)
{
    double A = NAN, P, Q;
    if (nrt_expm_propagator(1, &A, 1e-4, &P, &Q) == 0) {
        fprintf(stderr, "a NaN entry was accepted\n");
        failures++;
    }
    A = -1;
    if (nrt_expm_propagator(1, &A, INFINITY, &P, &Q) == 0 ||
        nrt_expm_propagator(-1, &A, 1e-4, &P, &Q) == 0 ||
        nrt_expm_propagator(0, &A, 1e-4, &P, &Q) != 0) {
        fprintf(stderr, "bad sizes or dt not handled\n");
        failures++;
    }
}

int main(void)
{
    decay(0.01, 1e-4, 1e-13);
    decay(0.02, 1e-3, 1e-13);
    decay(1e-3, 0.05, 1e-12);       /* stiff: dt = 50 tau */
    membrane_synapse();
    rotation();
    singular();
    sixteen();
    refused();
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures != 0;
}
