/* libFuzzer target: the loaders of `nrnc plot` (plot/), every one on the same bytes, served
 * from memory as the files of an output folder "m": spikes.csv (once with the populations
 * and sizes of a summary.json, once without), a CSV trace and rate, the .npy spike, trace
 * and rate pairs (times and values both these bytes), and summary.json itself. Messages
 * go to /dev/null, so their formatting runs too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    return 0;
}

static void keep(PlotData *d, int pop, long long index, double t)
{
    if (pop < 0 || pop >= d->npops || index < 0 || index > INT32_MAX)
        abort();
    plot_pop_keep(&d->pops[pop], t, (int32_t)index);
}

static void spikes(const PlotMemFile *files, int nfiles, bool known)
{
    PlotData d;
    memset(&d, 0, sizeof d);
    d.dir = "m";
    d.log = devnull;
    d.mem = files;
    d.nmem = nfiles;
    d.pops_known = known;
    int e = plot_pop_find(&d, "E", true);
    d.pops[e].size = 8;
    plot_csv_spikes(&d, "m/spikes.csv", false, keep);
    plot_csv_spikes(&d, "m/spikes.csv", true, keep);
    plot_npy_spikes(&d, e, true, keep);
    d.traces = plot_xrealloc(NULL, 2 * sizeof *d.traces);
    memset(d.traces, 0, 2 * sizeof *d.traces);
    d.ntraces = 2;
    d.rates = plot_xrealloc(NULL, 2 * sizeof *d.rates);
    memset(d.rates, 0, 2 * sizeof *d.rates);
    d.nrates = 2;
    for (int k = 0; k < 2; k++) {
        d.traces[k].name = plot_xstrdup("E.v");
        d.traces[k].file = plot_xstrdup(k ? "m/trace_E_v.npy" : "m/trace_E_v.csv");
        d.traces[k].npy = k;
        d.rates[k].name = plot_xstrdup("E");
        d.rates[k].file = plot_xstrdup(k ? "m/rate_E.npy" : "m/rate_E.csv");
        d.rates[k].npy = k;
    }
    plot_csv_trace(&d, &d.traces[0]);
    plot_npy_trace(&d, &d.traces[1]);
    plot_csv_rate(&d, &d.rates[0]);
    plot_npy_rate(&d, &d.rates[1]);
    plot_data_free(&d);
}

static void summary(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size))
        return;   /* plot_json_load refuses such a file before parsing */
    char *text = plot_xrealloc(NULL, size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    Json *root = plot_json_parse(text, "m/summary.json", devnull);
    if (root) {
        const Json *pops = plot_json_get(root, "populations");
        for (int k = 0; pops && pops->kind == JSON_OBJ && k < pops->n; k++)
            (void)plot_json_num(&pops->items[k], "size");
        (void)plot_json_str(root, "model");
        plot_json_free(root);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {
        "m/spikes.csv", "m/spikes_E_t.npy", "m/spikes_E_i.npy", "m/trace_E_v.csv",
        "m/trace_E_v.npy", "m/trace_E_v_t.npy", "m/rate_E.csv", "m/rate_E.npy", "m/rate_E_t.npy",
    };
    PlotMemFile files[sizeof names / sizeof *names];
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        files[k] = (PlotMemFile){names[k], data, size};
    int n = (int)(sizeof files / sizeof *files);
    spikes(files, n, false);
    spikes(files, n, true);
    summary(data, size);
    return 0;
}
