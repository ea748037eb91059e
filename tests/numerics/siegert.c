/* Firing rate of a leaky integrate-and-fire neuron driven by white noise, by the Siegert
 * (diffusion approximation) formula, exact for
 *
 *     dv/dt = (mu - v) / tau + sigma sqrt(2 / tau) xi,   threshold V_th, reset V_r, t_ref:
 *
 *     1 / rate = t_ref + tau sqrt(pi) * integral from (V_r - mu)/s to (V_th - mu)/s
 *                                        of e^{u^2} (1 + erf(u)) du,   s = sqrt(2) sigma.
 *
 * Here sigma is the standard deviation of the free (threshold-less) membrane potential, as
 * in tests/e2e/ou.nrn. The formula's s is Brunel's (2000) sigma, defined by
 * tau dv/dt = mu - v + s sqrt(tau) xi, whose free variance is s^2 / 2: hence s = sqrt(2) sigma
 * (equivalently, e^{u^2} is 1 / the stationary density exp(-(v - mu)^2 / (2 sigma^2))).
 *
 * The integrand e^{u^2} (1 + erf u) = e^{u^2} erfc(-u) = erfcx(-u) is computed without
 * overflow: e^{x^2} erfc(x) directly for x < 5 (erfc is accurate there and e^{x^2} < e^25),
 * else by the continued fraction of erfcx (Lentz's method), which converges fast for x >= 5.
 * The integral is composite Simpson with 20,000 intervals: the integrand is smooth, so the
 * quadrature error is far below 1e-9 relative.
 *
 * Usage: siegert TAU_MS T_REF_MS MU_MV SIGMA_MV V_TH_MV V_R_MV [DT_MS]
 * Prints the rate in Hz; with DT_MS also the rate with the threshold moved up by
 * sigma * |zeta(1/2)| / sqrt(2) * sqrt(dt / tau) (Brunel & Hakim 1999; Fourcaud & Brunel
 * 2002: the shift that models the crossings a time-discretised simulation misses), and
 * the relative bias that shift predicts. In Brunel's s the shift is s alpha / 2 sqrt(dt / tau)
 * with alpha = sqrt(2) |zeta(1/2)|, i.e. sigma |zeta(1/2)| sqrt(dt / tau). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double PI = 3.14159265358979323846;

static double erfcx(double x)
{
    if (x < 5)
        return exp(x * x) * erfc(x);
    /* erfcx(x) = (1/sqrt(pi)) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))) */
    const double tiny = 1e-300;
    double f = x, c = x, d = 0;
    for (int k = 1; k < 200; k++) {
        double a = k / 2.0;
        d = x + a * d;
        d = d == 0 ? tiny : d;
        c = x + a / c;
        c = c == 0 ? tiny : c;
        d = 1 / d;
        double delta = c * d;
        f *= delta;
        if (fabs(delta - 1) < 1e-16)
            break;
    }
    return 1 / (sqrt(PI) * f);
}

static double integrand(double u) { return erfcx(-u); }

static double siegert(double tau, double t_ref, double mu, double sigma, double v_th, double v_r)
{
    double s_b = sqrt(2.0) * sigma;
    double lo = (v_r - mu) / s_b, hi = (v_th - mu) / s_b;
    int n = 20000;
    double h = (hi - lo) / n, sum = integrand(lo) + integrand(hi);
    for (int k = 1; k < n; k++)
        sum += integrand(lo + k * h) * (k % 2 ? 4 : 2);
    double integral = sum * h / 3;
    return 1 / (t_ref + tau * sqrt(PI) * integral);
}

int main(int argc, char **argv)
{
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: siegert TAU_MS T_REF_MS MU_MV SIGMA_MV V_TH_MV V_R_MV [DT_MS]\n");
        return 2;
    }
    double v[7];
    for (int k = 1; k < argc; k++)
        v[k - 1] = strtod(argv[k], NULL);
    double tau = v[0] * 1e-3, t_ref = v[1] * 1e-3;
    double rate = siegert(tau, t_ref, v[2], v[3], v[4], v[5]);
    printf("%.9g", rate);
    if (argc == 8) {
        const double zeta_half = 1.4603545088095868; /* |zeta(1/2)| */
        double shift = v[3] * zeta_half * sqrt(v[6] * 1e-3 / tau);
        double biased = siegert(tau, t_ref, v[2], v[3], v[4] + shift, v[5]);
        printf(" %.9g %.6g", biased, biased / rate - 1);
    }
    printf("\n");
    return 0;
}
