/* A model in closed loop with the program that embeds it (API.md, <nrnc/nrnrt.h>).
 *
 * The plant (plant.nrn) is 200 noisy LIF neurons sharing an input current I_e. Every
 * 10 ms of simulated time this program reads the population's spikes, computes its rate,
 * and sets I_e by proportional-integral control so that the rate settles at the target.
 *
 *   nrnc build --lib plant.nrn -o libplant.so
 *   cc closed_loop.c -o closed_loop $(pkg-config --cflags --libs nrnrt) -L. -lplant -Wl,-rpath,'$ORIGIN'
 *   ./closed_loop 30          # target rate in Hz (default 20)
 *
 * It prints one line per second of simulated time (the time, the rate over that
 * second and I_e) and exits 0 when the last second's rate is within 10% of the target. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <nrnc/nrnrt.h>

const nrt_model *nrn_model(void);

enum { N = 200, MAX_SPIKES = 100000 };

int main(int argc, char **argv)
{
    double target = argc > 1 ? atof(argv[1]) : 20.0;   /* Hz */
    nrt_options opt;
    nrt_options_default(&opt);
    nrt_sim *s = nrt_sim_new(nrn_model(), &opt);
    if (!s) {
        fprintf(stderr, "closed_loop: %s\n", nrt_last_error());
        return 1;
    }
    const double window = 0.010;                        /* s between control steps */
    const int64_t steps = (int64_t)llround(window / nrt_sim_dt(s));
    const double kp = 0.002e-9, ki = 0.02e-9;           /* A per Hz, A per Hz·s */
    static int32_t idx[MAX_SPIKES];
    static double t[MAX_SPIKES], current[N];
    double integral = 0, last_rate = 0;
    int64_t second_spikes = 0;
    for (int k = 1; k <= 300; k++) {                   /* 3 s */
        if (nrt_sim_advance(s, steps) != 0) {
            fprintf(stderr, "closed_loop: %s\n", nrt_sim_error(s));
            nrt_sim_free(s);
            return 1;
        }
        int64_t n = nrt_sim_spikes(s, "P", idx, t, MAX_SPIKES);
        double rate = (double)n / N / window;
        double error = target - rate;
        integral += error * window;
        double I = kp * error + ki * integral;
        for (int i = 0; i < N; i++)
            current[i] = I;
        if (nrt_sim_write(s, "P.I_e", current, N) != 0) {
            fprintf(stderr, "closed_loop: %s\n", nrt_sim_error(s));
            nrt_sim_free(s);
            return 1;
        }
        second_spikes += n;
        if (k % 100 == 0) {
            last_rate = (double)second_spikes / N;
            printf("t = %.1f s: rate %.2f Hz, I_e %.4f nA\n", nrt_sim_time(s), last_rate, I * 1e9);
            second_spikes = 0;
        }
    }
    nrt_sim_free(s);
    return fabs(last_rate - target) <= 0.1 * target ? 0 : 1;
}
