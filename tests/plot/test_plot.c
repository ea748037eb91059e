/* Tests of `nrnc plot` (plot_run): output folders written by hand, the SVG checked as text.
 *
 * Usage: test_plot CASE DIR. Each case builds its folder under DIR/CASE, runs plot_run with
 * its messages in DIR/CASE.log, and checks the exit code, the messages, and the SVG: that it
 * is well-formed enough (starts with <svg, ends with </svg>, as many <g as </g>), one
 * <circle> per spike for a small raster, one <polyline> per recorded neuron, the axis
 * labels with units. The "fuzz" case mutates valid files (truncations, flipped bytes,
 * garbage) a thousand times and only asks that plot_run returns 0 or 2; run it under
 * the sanitizer build to catch memory errors as well. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "plot.h"

static int failures;
static char work[1024];      /* DIR/CASE */

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* ---- helpers ------------------------------------------------------------------------- */

/* The whole file, or NULL; *size is written on both paths (gcc -O3 warns otherwise). */
static char *slurp(const char *path, size_t *size)
{
    if (size)
        *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0, got;
    char *buf = malloc(cap + 1);
    while ((got = fread(buf + len, 1, cap - len, f)) > 0)
        if ((len += got) == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    fclose(f);
    buf[len] = '\0';
    if (size)
        *size = len;
    return buf;
}

/* DIR/CASE/NAME; room for any file name a folder can hold (fresh_folder passes d_name) */
static char *at(const char *name)
{
    static char buf[4][sizeof work + 1 + sizeof ((struct dirent *)0)->d_name];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", work, name);
    return buf[k];
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(at(name), "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s: %s\n", at(name), strerror(errno));
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* plot_run on the case folder; the SVG (or NULL) in *svg, the messages in *log. */
static int run(const char *dir, const char *out, char **svg, char **log)
{
    char logpath[1200];
    snprintf(logpath, sizeof logpath, "%s.log", work);
    FILE *lf = fopen(logpath, "w+");
    int rc = plot_run(dir, out, lf);
    fclose(lf);
    *log = slurp(logpath, NULL);
    *svg = rc == 0 ? slurp(out ? out : at("plot.svg"), NULL) : NULL;
    return rc;
}

static void expect_in(const char *what, const char *text, const char *needle)
{
    if (!text || !strstr(text, needle)) {
        fprintf(stderr, "%s lacks '%s'; it is:\n%s\n", what, needle, text ? text : "(none)");
        failures++;
    }
}

static void well_formed(const char *svg)
{
    CHECK(svg && strncmp(svg, "<svg ", 5) == 0);
    if (!svg)
        return;
    size_t n = strlen(svg);
    CHECK(n > 7 && strcmp(svg + n - 7, "</svg>\n") == 0);
    CHECK(count(svg, "<g ") + count(svg, "<g>") == count(svg, "</g>"));
    CHECK(count(svg, "<text") == count(svg, "</text>"));
    CHECK(count(svg, "<svg") == 1);
}

static const char *SUMMARY =
    "{\n  \"model\": \"demo.nrn\", \"network\": \"Two\", \"status\": \"completed\",\n"
    "  \"duration_ms\": 100, \"simulated_ms\": 100, \"dt_ms\": 0.1, \"seed\": 7,\n"
    "  \"populations\": {\n    \"E\": { \"size\": 4, \"spikes\": 4, \"rate_hz\": 10 },\n"
    "    \"I\": { \"size\": 2, \"spikes\": 1, \"rate_hz\": 5 }\n  },\n"
    "  \"traces\": { \"E.v\": { \"file\": \"trace_E_v.csv\", \"unit\": \"mV\" } }%s\n}\n";

static const char *SPIKES = "population,neuron,t_ms\nE,0,10.5\nE,3,20\nI,1,20\nE,1,55.5\n"
                            "E,2,99.9\n";

static const char *TRACE = "t_ms,0,1,3\n0,-70,-70,-70\n25,-60,-65.5,-50\n50,-55,-62,-70\n"
                           "75,-52,-60,-58\n100,-51,-59,-54\n";

/* The basic folder; rates true adds rate_E.csv. */
static void basic_folder(bool rates)
{
    char summary[2048];
    snprintf(summary, sizeof summary, SUMMARY,
             rates ? ",\n  \"rates\": { \"E\": { \"file\": \"rate_E.csv\" } }" : "");
    put("summary.json", summary);
    put("spikes.csv", SPIKES);
    put("trace_E_v.csv", TRACE);
    if (rates)
        put("rate_E.csv", "t_ms,rate_hz\n10,25\n20,50\n30,0\n40,25\n");
}

/* ---- cases --------------------------------------------------------------------------- */

static void case_basic(void)
{
    basic_folder(true);
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<circle") == 5);
    CHECK(count(svg, "<polyline") == 3 + 1);       /* 3 neurons, 1 rate */
    expect_in("svg", svg, ">v (mV)</text>");
    expect_in("svg", svg, ">rate (Hz)</text>");
    expect_in("svg", svg, ">time (ms)</text>");
    expect_in("svg", svg, "demo.nrn, network Two");
    expect_in("svg", svg, ">completed</text>");
    expect_in("svg", svg, "3 neurons, 5 samples");
    expect_in("svg", svg, "rate_E.csv");
    expect_in("svg", svg, ">E</text>");
    expect_in("svg", svg, ">I</text>");
    expect_in("svg", svg, ">100</text>");            /* a round x tick at the end */
    CHECK(log && log[0] == '\0');
    free(svg);
    free(log);
}

static void case_hist(void)
{
    basic_folder(false);
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<polyline") == 3 + 2);       /* a histogram line per population */
    expect_in("svg", svg, "from the spikes in 1 ms bins");
    free(svg);
    free(log);
}

/* summary.json counts I's spikes, spikes.csv has none: I was not recorded, not silent. */
static void case_unrecorded(void)
{
    basic_folder(false);
    put("spikes.csv", "population,neuron,t_ms\nE,0,10.5\nE,3,20\n");
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    expect_in("svg", svg, "2 spikes; not recorded: I</text>");
    CHECK(count(svg, ">I</text>") == 0);            /* no band, no histogram legend */
    CHECK(count(svg, "<polyline") == 3 + 1);
    free(svg);
    free(log);
}

static void case_many_lines(void)
{
    put("summary.json", "{\"model\":\"m.nrn\",\"network\":\"N\",\"status\":\"completed\","
        "\"duration_ms\":10,\"populations\":{\"P\":{\"size\":50}},"
        "\"traces\":{\"P.g\":{\"file\":\"trace_P_g.csv\",\"unit\":\"nS\"}}}");
    FILE *f = fopen(at("trace_P_g.csv"), "w");
    fputs("t_ms", f);
    for (int c = 0; c < 50; c++)
        fprintf(f, ",%d", c);
    for (int r = 0; r <= 10; r++) {
        fprintf(f, "\n%d", r);
        for (int c = 0; c < 50; c++)
            fprintf(f, ",%g", c * 0.1 + r);
    }
    fputc('\n', f);
    fclose(f);
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<polyline") == 20);
    expect_in("svg", svg, "20 of 50 neurons shown");
    expect_in("svg", svg, ">g (nS)</text>");
    expect_in("svg", svg, ">49</text>");            /* the last column is among those shown */
    CHECK(count(svg, "Spike raster") == 0);         /* no spike file, no raster */
    free(svg);
    free(log);
}

/* Points of the first polyline: count, and the spread of their y. */
static int polyline_points(const char *svg, double *ymin, double *ymax)
{
    const char *p = strstr(svg, "<polyline");
    p = p ? strstr(p, "points=\"") : NULL;
    int n = 0;
    *ymin = INFINITY;
    *ymax = -INFINITY;
    for (p = p ? p + 8 : NULL; p && *p != '"'; n++) {
        char *end;
        strtod(p, &end);
        double y = strtod(end + 1, &end);
        *ymin = fmin(*ymin, y);
        *ymax = fmax(*ymax, y);
        p = end + (*end == ' ');
    }
    return n;
}

/* 100,000 samples, one of them a spike: at most ~2000 points, and the spike kept. */
static void case_decimate(void)
{
    put("summary.json", "{\"model\":\"m.nrn\",\"network\":\"N\",\"status\":\"completed\","
        "\"duration_ms\":10000,\"dt_ms\":0.1,\"populations\":{\"P\":{\"size\":1}},"
        "\"traces\":{\"P.v\":{\"file\":\"trace_P_v.csv\",\"unit\":\"mV\"}}}");
    FILE *f = fopen(at("trace_P_v.csv"), "w");
    fputs("t_ms,0\n", f);
    for (int k = 0; k < 100000; k++)
        fprintf(f, "%g,%s\n", k * 0.1, k == 51234 ? "30" : k % 2 ? "-70" : "-69.5");
    fclose(f);
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    double ymin, ymax;
    int n = polyline_points(svg, &ymin, &ymax);
    CHECK(n > 100 && n <= 2000);
    CHECK(ymax - ymin > 0.85 * 180);    /* the 30 mV peak survives, 100 mV above the rest */
    size_t size = strlen(svg);
    CHECK(size < 60000);
    fprintf(stderr, "decimate: %d points, %zu bytes\n", n, size);
    free(svg);
    free(log);
}

static void case_large(void)
{
    char summary[512];
    snprintf(summary, sizeof summary, "{\"model\":\"big.nrn\",\"network\":\"B\",\"status\":"
             "\"completed\",\"duration_ms\":1000,\"simulated_ms\":1000,\"dt_ms\":0.1,"
             "\"populations\":{\"E\":{\"size\":3200},\"I\":{\"size\":800}},\"traces\":{}}");
    put("summary.json", summary);
    FILE *f = fopen(at("spikes.csv"), "w");
    fputs("population,neuron,t_ms\n", f);
    uint64_t s = 1;
    long long n = 0;
    for (int step = 1; step <= 10000; step++) {      /* ~75 Hz: about 300,000 spikes */
        for (int k = 0; k < 30; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            int i = (int)((s >> 33) % 4000);
            fprintf(f, "%s,%d,%g\n", i < 3200 ? "E" : "I", i < 3200 ? i : i - 3200, step * 0.1);
            n++;
        }
    }
    fclose(f);
    char *svg, *log;
    clock_t t0 = clock();
    CHECK(run(work, NULL, &svg, &log) == 0);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    well_formed(svg);
    expect_in("svg", svg, "300,000 spikes; every 2nd neuron shown");
    CHECK(count(svg, "<circle") == 0);
    CHECK(count(svg, "<path stroke=") == 2);
    size_t size = svg ? strlen(svg) : 0;
    CHECK(size < 4000000);
    fprintf(stderr, "large: %lld spikes of 4,000 neurons over 1 s: %zu bytes, %.2f s\n", n,
            size, secs);
    free(svg);
    free(log);
}

static void case_missing(void)
{
    char *svg, *log;
    CHECK(run(at("no-such-folder"), NULL, &svg, &log) == 2);
    expect_in("log", log, "cannot open the output folder");
    expect_in("log", log, "no-such-folder");
    free(log);
}

static void case_empty(void)
{
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 2);
    expect_in("log", log, "nothing to plot");
    free(log);
    put("summary.json", "{\"model\":\"m.nrn\",\"network\":\"N\",\"traces\":{}}");
    CHECK(run(work, NULL, &svg, &log) == 2);          /* a summary alone is not data */
    expect_in("log", log, "nothing to plot");
    free(log);
}

static void case_garbage(void)
{
    basic_folder(true);
    put("spikes.csv", "population,neuron,t_ms\nE,0,10.5\nE,zz,20\n\x01\x02garbage\n,1,3\n"
        "E,1,55.5x\nE,-1,3\nE,2,99.9\n");
    put("rate_E.csv", "t_ms,rate_hz\n10,25\n20\n30,abc\n");
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<circle") == 2);
    expect_in("log", log, "spikes.csv:3: expected a neuron index (an integer from 0), got 'zz'; "
              "line skipped");
    expect_in("log", log, "spikes.csv:4: expected 3 fields");
    expect_in("log", log, "spikes.csv:5: expected a population name");
    expect_in("log", log, "spikes.csv:6: expected a spike time in ms, got '55.5x'");
    expect_in("log", log, "spikes.csv:7: expected a neuron index");
    expect_in("log", log, "rate_E.csv:3: expected 2 fields");
    expect_in("log", log, "rate_E.csv:4: expected a rate in Hz, got 'abc'");
    CHECK(count(log, "nrnc: warning:") == 7);
    free(svg);
    free(log);
}

/* A NUL byte does not end a line (the lines after it keep their numbers), and with a
 * summary.json a spike of a population it does not list, or of an index past the size it
 * gives, is a bad line like any other: reported as FILE:LINE and not drawn. */
static void case_inconsistent(void)
{
    basic_folder(false);
    static const char spikes[] = "population,neuron,t_ms\nE,0,10.5\nE,1,2\0junk\nE,3,20\n"
                                 "X,0,30\nE,4,40\nI,2,50\nI,1,60\n";
    FILE *f = fopen(at("spikes.csv"), "wb");
    CHECK(f && fwrite(spikes, 1, sizeof spikes - 1, f) == sizeof spikes - 1);
    if (f)
        fclose(f);
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<circle") == 3);
    expect_in("log", log, "spikes.csv:3: a NUL byte in the line (is this a text file?); line skipped");
    expect_in("log", log, "spikes.csv:5: population 'X' is not one of summary.json's populations; "
              "line skipped");
    expect_in("log", log, "spikes.csv:6: neuron index 4 is outside population 'E' (4 neurons in "
              "summary.json); line skipped");
    expect_in("log", log, "spikes.csv:7: neuron index 2 is outside population 'I' (2 neurons in "
              "summary.json); line skipped");
    CHECK(count(log, "nrnc: warning:") == 4);
    free(svg);
    free(log);
}

static void case_truncated(void)
{
    basic_folder(false);
    put("spikes.csv", "population,neuron,t_ms\nE,0,10.5\nE,3");
    put("trace_E_v.csv", "t_ms,0,1,3\n0,-70,-70,-70\n25,-60,-65.5");
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<circle") == 1);
    expect_in("log", log, "spikes.csv:3: expected 3 fields 'population,neuron,t_ms', got 2; "
              "line skipped (the file ends inside it: truncated?)");
    expect_in("log", log, "trace_E_v.csv:3: expected 4 fields (t_ms and 3 neurons), got 3");
    free(svg);
    free(log);
}

static void case_bad_header(void)
{
    put("spikes.csv", "neuron;time\n1;2\n");
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 2);
    expect_in("log", log, "spikes.csv:1: expected the header 'population,neuron,t_ms', got "
              "'neuron;time'; file not used");
    expect_in("log", log, "nothing to plot");
    free(log);
    put("spikes.csv", "");
    CHECK(run(work, NULL, &svg, &log) == 2);
    expect_in("log", log, "spikes.csv: the file is empty");
    free(log);
}

static void case_unwritable(void)
{
    basic_folder(false);
    char *svg, *log;
    CHECK(run(work, at("no-such-dir/plot.svg"), &svg, &log) == 3);
    expect_in("log", log, "cannot write '");
    expect_in("log", log, "no-such-dir/plot.svg': No such file or directory");
    free(log);
    CHECK(run(work, work, &svg, &log) == 3);           /* a folder, not a file */
    expect_in("log", log, "cannot write '");
    free(log);
    struct stat st;
    if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) {
        CHECK(run(work, "/dev/full", &svg, &log) == 3);   /* the disk fills up */
        expect_in("log", log, "cannot write '/dev/full': No space left on device");
        free(log);
    }
}

static void case_interrupted(void)
{
    put("summary.json", "{\"model\":\"m.nrn\",\"network\":\"N\",\"status\":\"failed\","
        "\"error\":\"NaN in P.v of neuron 3 at t = 42 ms\",\"stopped_at_ms\":42,"
        "\"duration_ms\":100,\"simulated_ms\":42,\"dt_ms\":0.5,"
        "\"populations\":{\"P\":{\"size\":5}},\"traces\":{}}");
    put("spikes.csv", "population,neuron,t_ms\nP,4,12\nP,4,30\n");
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    expect_in("svg", svg, ">failed</text>");
    expect_in("svg", svg, "stopped at 42 ms");
    expect_in("svg", svg, "error: NaN in P.v of neuron 3 at t = 42 ms");
    expect_in("svg", svg, ">stopped</text>");
    expect_in("svg", svg, "from the spikes in 1 ms bins");   /* 1% of 100 ms, 2 steps */
    free(svg);
    free(log);
}

static void case_nosummary(void)
{
    put("spikes.csv", SPIKES);
    put("trace_E_v.csv", TRACE);
    put("summary.json", "{\"model\": \"m.nrn\",\n  \"network\": N}\n");
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    expect_in("log", log, "summary.json:2:14: expected a value, got 'N}'");
    expect_in("svg", svg, "(no summary.json)");
    CHECK(count(svg, "<circle") == 5);
    CHECK(count(svg, "<polyline") == 3 + 2);
    expect_in("svg", svg, ">E_v</text>");               /* no unit known */
    free(svg);
    free(log);
    remove(at("summary.json"));
    CHECK(run(work, NULL, &svg, &log) == 0);
    expect_in("log", log, "has no summary.json");
    free(svg);
    free(log);
}

/* Numbers at the ends of the double range: finite output, no hang, no undefined behaviour. */
static void case_extreme(void)
{
    put("summary.json", "{\"model\":\"m.nrn\",\"network\":\"N\",\"status\":\"completed\","
        "\"duration_ms\":1e308,\"dt_ms\":1e-300,\"populations\":{\"P\":{\"size\":1e300}},"
        "\"traces\":{\"P.v\":{\"file\":\"trace_P_v.csv\",\"unit\":\"mV\"}}}");
    put("spikes.csv", "population,neuron,t_ms\nP,2147483647,1e300\nP,0,-1e308\nP,1,5e-324\n"
        "P,2147483648,1\nP,1,inf\n");
    put("trace_P_v.csv", "t_ms,0,1\n0,1e308,-1e308\n1e308,nan,inf\n5e-324,-0,1e-320\n");
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<circle") == 3);
    expect_in("log", log, "spikes.csv:5: expected a neuron index");
    expect_in("log", log, "spikes.csv:6: expected a spike time in ms, got 'inf'");
    free(svg);
    free(log);
}

/* ---- .npy ---------------------------------------------------------------------------- */

static void npy(const char *name, const char *descr, long rows, long cols, const void *data,
                size_t bytes)
{
    char h[128], shape[64];
    if (cols < 0)
        snprintf(shape, sizeof shape, "(%ld,)", rows);
    else
        snprintf(shape, sizeof shape, "(%ld, %ld)", rows, cols);
    int n = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     descr, shape);
    memset(h + n, ' ', sizeof h - (size_t)n);
    h[127 - 10] = '\n';
    FILE *f = fopen(at(name), "wb");
    unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0 };
    fwrite(pre, 1, 10, f);
    fwrite(h, 1, 118, f);
    fwrite(data, 1, bytes, f);
    fclose(f);
}

static void npy_folder(void)
{
    put("summary.json", "{\"model\":\"m.nrn\",\"network\":\"N\",\"status\":\"completed\","
        "\"duration_ms\":10,\"dt_ms\":0.1,\"populations\":{\"P\":{\"size\":3}},"
        "\"traces\":{\"P.v\":{\"file\":\"trace_P_v.npy\",\"unit\":\"mV\"}},"
        "\"rates\":{\"P\":{\"file\":\"rate_P.npy\"}}}");
    double st[3] = { 1, 2.5, 7 }, tt[4] = { 0, 2, 4, 6 }, v[8] = { -70, -70, -60, -65, -55,
                                                                  -62, -50, -61 };
    int32_t si[3] = { 0, 2, 1 };
    npy("spikes_P_t.npy", "<f8", 3, -1, st, sizeof st);
    npy("spikes_P_i.npy", "<i4", 3, -1, si, sizeof si);
    npy("trace_P_v.npy", "<f8", 4, 2, v, sizeof v);
    npy("trace_P_v_t.npy", "<f8", 4, -1, tt, sizeof tt);
    npy("rate_P.npy", "<f8", 3, -1, st, sizeof st);
    npy("rate_P_t.npy", "<f8", 3, -1, tt, 3 * sizeof(double));
}

static void case_npy(void)
{
    npy_folder();
    char *svg, *log;
    CHECK(run(work, NULL, &svg, &log) == 0);
    well_formed(svg);
    CHECK(count(svg, "<circle") == 3);
    CHECK(count(svg, "<polyline") == 2 + 1);
    expect_in("svg", svg, ">v (mV)</text>");
    expect_in("svg", svg, ">column</text>");
    CHECK(log && log[0] == '\0');
    free(svg);
    free(log);
    double st[2] = { 1, 2.5 };    /* the header says 3 rows, the file holds 2 */
    npy("spikes_P_t.npy", "<f8", 3, -1, st, sizeof st);
    put("trace_P_v.npy", "\x93NUMPY\x01");
    CHECK(run(work, NULL, &svg, &log) == 0);
    CHECK(count(svg, "<circle") == 2);
    expect_in("log", log, "spikes_P_t.npy: the header says 3 rows, the file holds 2 "
              "(truncated?); reading those");
    expect_in("log", log, "spikes_P_t.npy has 2 rows but");
    expect_in("log", log, "trace_P_v.npy: not a .npy file");
    free(svg);
    free(log);
}

/* ---- fuzz ------------------------------------------------------------------------------ */

static uint64_t rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Writes `name` as a mutation of text: cut, flipped bytes, inserted junk, or pure noise. */
static void mutate(const char *name, const char *text, size_t n)
{
    char *buf = malloc(2 * n + 64);
    size_t len = n;
    memcpy(buf, text, n);
    switch (rnd(4)) {
    case 0:
        len = rnd((unsigned)n + 1);
        break;
    case 1:
        for (unsigned k = rnd(8) + 1; k > 0 && n > 0; k--)
            buf[rnd((unsigned)n)] = (char)rnd(256);
        break;
    case 2: {
        size_t pos = rnd((unsigned)n + 1), add = rnd(40);
        memmove(buf + pos + add, buf + pos, n - pos);
        for (size_t k = 0; k < add; k++)
            buf[pos + k] = "0123456789,.-e\n\"{}[]:naE\r\\"[rnd(27)];
        len = n + add;
        break;
    }
    default:
        len = rnd(64);
        for (size_t k = 0; k < len; k++)
            buf[k] = (char)rnd(256);
    }
    FILE *f = fopen(at(name), "wb");
    fwrite(buf, 1, len, f);
    fclose(f);
    free(buf);
}

static void case_fuzz(void)
{
    static const char *csv_files[] = { "summary.json", "spikes.csv", "trace_E_v.csv",
                                       "rate_E.csv" };
    static const char *npy_files[] = { "summary.json", "spikes_P_t.npy", "spikes_P_i.npy",
                                       "trace_P_v.npy", "trace_P_v_t.npy", "rate_P_t.npy" };
    int runs = 0, zero = 0;
    for (int round = 0; round < 1000; round++) {
        bool npy_round = round % 3 == 2;
        npy_round ? npy_folder() : basic_folder(true);
        const char **files = npy_round ? npy_files : csv_files;
        int nfiles = npy_round ? 6 : 4;
        for (int m = rnd(3) + 1; m > 0; m--) {
            const char *name = files[rnd((unsigned)nfiles)];
            size_t n;
            char *orig = slurp(at(name), &n);
            mutate(name, orig, n);
            free(orig);
        }
        FILE *devnull = fopen("/dev/null", "w");
        int rc = plot_run(work, at("out.svg"), devnull);
        fclose(devnull);
        CHECK(rc == 0 || rc == 2);
        runs++;
        zero += rc == 0;
        for (int k = 0; k < 6; k++)
            remove(at(npy_files[k]));
        for (int k = 1; k < 4; k++)
            remove(at(csv_files[k]));
    }
    fprintf(stderr, "fuzz: %d runs, %d plotted, %d refused\n", runs, zero, runs - zero);
}

/* An empty DIR/CASE: the files a previous run left are removed (cases make no folders). */
static bool fresh_folder(void)
{
    mkdir(work, 0777);
    DIR *d = opendir(work);
    if (!d) {
        fprintf(stderr, "cannot open %s: %s\n", work, strerror(errno));
        return false;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove(at(e->d_name));
    closedir(d);
    return true;
}

/* ---- main ------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    void (*fn)(void);
} cases[] = {
    { "basic", case_basic },         { "hist", case_hist },
    { "unrecorded", case_unrecorded },
    { "many_lines", case_many_lines }, { "decimate", case_decimate },
    { "large", case_large },         { "missing", case_missing },
    { "empty", case_empty },         { "garbage", case_garbage },
    { "truncated", case_truncated }, { "inconsistent", case_inconsistent }, { "bad_header", case_bad_header },
    { "unwritable", case_unwritable }, { "interrupted", case_interrupted },
    { "nosummary", case_nosummary }, { "npy", case_npy },
    { "extreme", case_extreme },
    { "fuzz", case_fuzz },
};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_plot CASE DIR\n");
        return 2;
    }
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (strcmp(argv[1], cases[k].name) != 0)
            continue;
        mkdir(argv[2], 0777);
        snprintf(work, sizeof work, "%s/%s", argv[2], argv[1]);
        if (!fresh_folder())
            return 1;
        cases[k].fn();
        if (failures)
            fprintf(stderr, "%s: %d checks failed\n", argv[1], failures);
        return failures ? 1 : 0;
    }
    fprintf(stderr, "test_plot: unknown case '%s'\n", argv[1]);
    return 2;
}
