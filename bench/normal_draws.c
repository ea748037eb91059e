/* Scalar cost of the two normal generators of runtime/rng.c, per draw: the ziggurat of
 * randn() (nrt_random_normal) and the Box-Muller of white noise (nrt_noise, here called
 * as a scalar function, with libm's log, cos and sqrt). CPU time, 10^7 draws each.
 *
 *   cc -O2 -std=c17 -Iruntime bench/normal_draws.c build/runtime/libnrnrt.a \
 *      -lgsl -lgslcblas -lm -o /tmp/normal_draws && /tmp/normal_draws */
#include <stdio.h>
#include <time.h>

#include "internal.h"

enum { N = 10000000 };

static double seconds(void) { return (double)clock() / CLOCKS_PER_SEC; }

int main(void)
{
    nrt_pop pop = {.rng_key = nrt_rng_key(1, 0)};
    uint64_t key = nrt_random_key(pop.rng_key, 0);
    double sum = 0, t0 = seconds();
    for (int i = 0; i < N; i++)
        sum += nrt_random_normal(key, i, 7, 0);
    double t1 = seconds();
    for (int i = 0; i < N; i++)
        sum += nrt_noise(&pop, 0, i, 7);
    double t2 = seconds();
    printf("ziggurat (randn)       %.1f ns/draw\n", (t1 - t0) / N * 1e9);
    printf("Box-Muller (xi), scalar %.1f ns/draw\n", (t2 - t1) / N * 1e9);
    return sum != sum;   /* keeps the loops */
}
