/*
 * cuba_hand.c -- a plain hand-written C simulation of the CUBA benchmark network
 * (Brette et al. 2007; Brian2's examples/CUBA.py), the "close to the limit" reference
 * that nrnc's network code is measured against.  One thread, no dependencies.
 *
 *   cc -O3 -march=native -std=c17 bench/cuba_hand.c -o /tmp/cuba_hand -lm
 *   /tmp/cuba_hand [N] [seed] [duration_s]        (defaults 4000 1 1)
 *
 * Model (v, ge, gi in mV, t in ms):
 *   dv/dt  = (ge + gi - (v - E_l)) / tau_m     tau_m 20 ms, E_l -49 mV
 *   dge/dt = -ge / tau_e                       tau_e 5 ms
 *   dgi/dt = -gi / tau_i                       tau_i 10 ms
 *   threshold v > V_t (-50 mV), reset v = V_r (-60 mV), refractory 5 ms with v held.
 *   N neurons, the first NE = 0.8 N excitatory; every ordered pair (pre, post), self
 *   included, connected with probability p = 80 / N (0.02 at N = 4000); a spike of an
 *   E neuron adds w_e = 1.62 mV to ge of each target, of an I neuron w_i = -9 mV to gi.
 *   v0 uniform in [V_r, V_t), ge0 = gi0 = 0.  dt 0.1 ms.
 *
 * Step k (t = k dt -> (k+1) dt):
 *   1. deliver the spikes fired in step k-1 (add w to ge/gi of the targets);
 *   2. advance (v, ge, gi) exactly over dt with the propagator of the linear system;
 *      a refractory neuron keeps v = V_r (its ge, gi still decay);
 *   3. threshold v > V_t on the neurons that are not refractory; a spiking neuron is
 *      reset to V_r and held for round(5 ms / dt) = 50 steps (steps k+1 .. k+50).
 *
 * Output: one line of JSON with the connectivity and loop times (CLOCK_MONOTONIC).
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- RNG: xoshiro256** seeded through splitmix64 ---------------------------------- */

typedef struct { uint64_t s[4]; } Rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void rng_seed(Rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* uniform in [0, 1) with 53 random bits */
static inline double rng_uniform(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* ---- helpers ------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) { fprintf(stderr, "cuba_hand: out of memory (%zu bytes)\n", n); exit(1); }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) { fprintf(stderr, "cuba_hand: out of memory (%zu bytes)\n", n); exit(1); }
    return p;
}

static void usage(void)
{
    fprintf(stderr, "usage: cuba_hand [N] [seed] [duration_s]   (defaults 4000 1 1)\n");
    exit(2);
}

static long parse_long(const char *s, long lo)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo) usage();
    return v;
}

/* ---- the simulation ----------------------------------------------------------------- */

typedef struct {
    double c0, P_mm, P_me, P_mi, P_ee, P_ii, V_r, V_t;
} Prop;

/* Advances neurons [b, e) over one step and returns whether any of them is now above
 * threshold.  Branch-free, so that it vectorizes (restrict: the arrays do not overlap).
 * A refractory neuron leaves it with v = V_r < V_t, so the test v > V_t is false for it:
 * no threshold is tested during the held steps, as the model says. */
static inline int advance(long b, long e, double *restrict v, double *restrict ge,
                          double *restrict gi, int32_t *restrict ref, const Prop *restrict P)
{
    const double c0 = P->c0, P_mm = P->P_mm, P_me = P->P_me, P_mi = P->P_mi;
    const double P_ee = P->P_ee, P_ii = P->P_ii, V_r = P->V_r, V_t = P->V_t;
    int any = 0;
    for (long i = b; i < e; i++) {
        const double vi = v[i], gei = ge[i], gii = gi[i];
        const int32_t r = ref[i];
        const double vx = c0 + P_mm * vi + P_me * gei + P_mi * gii;
        const double vn = r > 0 ? V_r : vx;     /* held while refractory */
        ref[i] = r > 0 ? r - 1 : 0;
        v[i] = vn;
        ge[i] = P_ee * gei;
        gi[i] = P_ii * gii;
        any |= (vx > V_t) & (r <= 0);   /* = vn > V_t, written so that it stays branch-free */
    }
    return any;
}

enum { BLOCK = 64 };    /* neurons per block of the update loop (see below; 64 measured best) */

int main(int argc, char **argv)
{
    if (argc > 4) usage();
    const long N = argc > 1 ? parse_long(argv[1], 2) : 4000;
    const long seed = argc > 2 ? parse_long(argv[2], 0) : 1;
    double duration_s = 1.0;
    if (argc > 3) {
        char *end;
        duration_s = strtod(argv[3], &end);
        if (*argv[3] == '\0' || *end != '\0' || !(duration_s > 0)) usage();
    }
    if (N > 0xffffffffL) usage();

    /* parameters (ms, mV) */
    const double dt = 0.1, tau_m = 20.0, tau_e = 5.0, tau_i = 10.0;
    const double E_l = -49.0, V_t = -50.0, V_r = -60.0, t_ref = 5.0;
    const double w_e = 1.62, w_i = -9.0;
    const long NE = (long)(0.8 * (double)N);
    const double p = 80.0 / (double)N;
    const long steps = lround(duration_s * 1000.0 / dt);
    const int32_t ref_steps = (int32_t)lround(t_ref / dt);

    /* Exact propagator over dt.  With u = v - E_l the system is linear:
     *   u(dt)  = P_mm u + P_me ge + P_mi gi,  ge(dt) = P_ee ge,  gi(dt) = P_ii gi,
     *   P_mm = exp(-dt/tau_m), P_xx = exp(-dt/tau_x),
     *   P_mx = tau_x / (tau_x - tau_m) * (exp(-dt/tau_x) - exp(-dt/tau_m))   (tau_x != tau_m).
     * expm1 keeps the difference of the exponentials accurate. */
    const double P_mm = exp(-dt / tau_m);
    const double P_ee = exp(-dt / tau_e);
    const double P_ii = exp(-dt / tau_i);
    const double P_me = tau_e / (tau_e - tau_m) * (expm1(-dt / tau_e) - expm1(-dt / tau_m));
    const double P_mi = tau_i / (tau_i - tau_m) * (expm1(-dt / tau_i) - expm1(-dt / tau_m));
    /* v(dt) = E_l + P_mm (v - E_l) + ... = c0 + P_mm v + P_me ge + P_mi gi */
    const double c0 = E_l * (1.0 - P_mm);
    const Prop prop = { c0, P_mm, P_me, P_mi, P_ee, P_ii, V_r, V_t };

    Rng rng;
    rng_seed(&rng, (uint64_t)seed);

    const double t_setup0 = now_s();

    /* ---- connectivity: CSR by pre-synaptic neuron, 32-bit post indices ----
     * For each pre neuron, the targets are drawn by geometric skipping over the
     * N candidate posts (each included independently with probability p). */
    uint32_t *row = xmalloc(((size_t)N + 1) * sizeof *row);   /* fits: checked below */
    size_t cap = (size_t)((double)N * (double)N * p * 1.05) + 1024, nsyn = 0;
    uint32_t *post = xmalloc(cap * sizeof *post);
    const double log1mp = log1p(-p);
    for (long i = 0; i < N; i++) {
        row[i] = (uint32_t)nsyn;
        long j = -1;
        for (;;) {
            /* gap ~ Geometric(p) on {0, 1, ...}: floor(log(U) / log(1 - p)), U in (0, 1] */
            double g = floor(log(1.0 - rng_uniform(&rng)) / log1mp);
            if (g >= (double)(N - j - 1)) break;
            j += (long)g + 1;
            if (nsyn == cap) {
                cap += cap / 2;
                post = xrealloc(post, cap * sizeof *post);
            }
            post[nsyn++] = (uint32_t)j;
        }
        if (nsyn > 0xffffffffu) { fprintf(stderr, "cuba_hand: too many synapses\n"); return 1; }
    }
    row[N] = (uint32_t)nsyn;

    /* ---- state: structure of arrays ---- */
    double *v = xmalloc((size_t)N * sizeof *v);
    double *ge = xmalloc((size_t)N * sizeof *ge);
    double *gi = xmalloc((size_t)N * sizeof *gi);
    int32_t *ref = xmalloc((size_t)N * sizeof *ref);      /* refractory steps left */
    uint32_t *spk = xmalloc((size_t)N * sizeof *spk);     /* spikes of the last step */
    for (long i = 0; i < N; i++) {
        v[i] = V_r + rng_uniform(&rng) * (V_t - V_r);
        ge[i] = 0.0;
        gi[i] = 0.0;
        ref[i] = 0;
    }

    const double t_loop0 = now_s();

    /* ---- main loop ---- */
    size_t nspk = 0;          /* spikes fired in the previous step, in spk[] */
    uint64_t total = 0;
    for (long k = 0; k < steps; k++) {
        /* 1. deliver the previous step's spikes (homogeneous weights per source type) */
        for (size_t s = 0; s < nspk; s++) {
            const uint32_t pre = spk[s];
            const uint32_t *tg = post + row[pre], *te = post + row[pre + 1];
            if (pre < (uint32_t)NE) {
                for (; tg < te; tg++) ge[*tg] += w_e;
            } else {
                for (; tg < te; tg++) gi[*tg] += w_i;
            }
        }
        total += nspk;
        nspk = 0;

        /* 2 + 3. Update and threshold, by blocks of BLOCK neurons: advance() only
         * reports whether the block has a neuron above threshold; the rare block that
         * has one is scanned again for the spikes (reset and refractory counter). */
        for (long b = 0; b < N; b += BLOCK) {
            const long e = b + BLOCK < N ? b + BLOCK : N;
            if (advance(b, e, v, ge, gi, ref, &prop)) {
                for (long i = b; i < e; i++) {
                    if (v[i] > V_t) {
                        v[i] = V_r;
                        ref[i] = ref_steps;
                        spk[nspk++] = (uint32_t)i;
                    }
                }
            }
        }
    }
    total += nspk;    /* spikes of the last step (delivered after the end) */

    const double t_end = now_s();

    printf("{\"N\": %ld, \"seed\": %ld, \"synapses\": %zu, \"spikes\": %llu, "
           "\"rate_hz\": %.4f, \"setup_s\": %.6f, \"loop_s\": %.6f}\n",
           N, seed, nsyn, (unsigned long long)total,
           (double)total / (double)N / ((double)steps * dt * 1e-3),
           t_loop0 - t_setup0, t_end - t_loop0);

    free(row); free(post); free(v); free(ge); free(gi); free(ref); free(spk);
    return 0;
}
