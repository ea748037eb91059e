/* A summed input through the embedding API (nrnrt.h), on examples/rate_network.nrn:
 *   test_api_summed LIB.so rate_W.npy
 * The input h of every unit is the sum over the matrix of w · pre.r, computed at the
 * start of a step from the states as they were: after reading r, one more step's h must
 * be W^T r (rows of W are pre-synaptic units), to rounding. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrnrt.h"

enum { N = 50 };

/* A little-endian float64 .npy of N x N, C order. */
static int read_npy(const char *path, double *w)
{
    FILE *f = fopen(path, "rb");
    unsigned char head[10];
    if (!f || fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) != 0)
        return -1;
    long skip = head[8] | head[9] << 8;
    int ok = fseek(f, 10 + skip, SEEK_SET) == 0 && fread(w, sizeof *w, N * N, f) == N * N;
    fclose(f);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    static double w[N * N], r[N], h[N];
    if (argc != 3 || read_npy(argv[2], w) != 0) {
        fprintf(stderr, "usage: test_api_summed LIB.so rate_W.npy (a %d x %d float64 .npy)\n", N, N);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    const nrt_model *(*get)(void) = lib ? (const nrt_model *(*)(void))dlsym(lib, "nrn_model") : NULL;
    if (!get) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    nrt_options opt;
    nrt_options_default(&opt);
    nrt_sim *s = nrt_sim_new(get(), &opt);
    if (!s) {
        fprintf(stderr, "nrt_sim_new: %s\n", nrt_last_error());
        return 1;
    }
    int failures = 0;
    double scale;
    const char *unit;
    if (nrt_sim_unit(s, "L.h", &scale, &unit) != 0 || scale != 1 || strcmp(unit, "1") != 0) {
        fprintf(stderr, "L.h should be dimensionless\n");
        failures++;
    }
    for (int round = 0; round < 3; round++) {
        if (nrt_sim_advance(s, 200) != 0 || nrt_sim_read(s, "L.r", r, N) != N || nrt_sim_advance(s, 1) != 0 ||
            nrt_sim_read(s, "L.h", h, N) != N) {
            fprintf(stderr, "%s\n", nrt_sim_error(s));
            return 1;
        }
        double norm = 0;
        for (int j = 0; j < N; j++) {
            double want = 0;
            for (int i = 0; i < N; i++)
                want += w[i * N + j] * r[i];
            norm += fabs(want);
            if (fabs(h[j] - want) > 1e-12 * (1 + fabs(want))) {
                fprintf(stderr, "step %d: h[%d] = %.17g, W^T r gives %.17g\n", 201 * (round + 1), j, h[j], want);
                failures++;
            }
        }
        if (!(norm > 1e-3)) {
            fprintf(stderr, "the inputs should not all be zero (sum of |h| %g)\n", norm);
            failures++;
        }
    }
    if (nrt_sim_write(s, "L.h", h, N) == 0 ||
        strcmp(nrt_sim_error(s), "L.h is an input: its value is computed every step, so it cannot be written") != 0) {
        fprintf(stderr, "writing an input should be refused, got '%s'\n", nrt_sim_error(s));
        failures++;
    }
    nrt_sim_free(s);
    dlclose(lib);
    return failures ? 1 : 0;
}
