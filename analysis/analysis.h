/* `nrnc stats`: statistics of a finished (or stopped) run's output folder, its population
 * activity's principal components and cross-correlograms (docs/analysis.md). Reads the
 * folder through the plot library's loader; numerics from GSL; the spike statistics are
 * the runtime's own (runtime/spike_stats.c), so they equal summary.json's. */
#ifndef NRN_ANALYSIS_H
#define NRN_ANALYSIS_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes, the driver's: 2 a bad command line or a folder that cannot be used, 3 a
 * result file that could not be written. */
enum { AN_OK = 0, AN_EXIT_USAGE = 2, AN_EXIT_WRITE = 3 };

typedef struct AnOptions {
    const char *outdir;
    double from_ms, to_ms;   /* NAN: the run's start, its end */
    double window_ms;        /* Fano windows; NAN: NRT_STATS_WINDOW_MS */
    double bin_ms;           /* NAN: the mode's default (5 ms; 1 ms for --xcorr) */
    double lag_ms;           /* --xcorr; NAN: 50 ms */
    bool json;               /* --format json */
    const char *pca;         /* --pca POP or POP:VAR, or NULL */
    int components;          /* --components K; 0: not given */
    const char *xcorr;       /* --xcorr A,B, or NULL */
} AnOptions;

/* Runs the command: results on out (the statistics) or in files of the folder (PCA,
 * cross-correlogram), messages on log as "nrnc: error: ..." / "nrnc: warning: ...".
 * Returns the process exit code. */
int an_stats_run(const AnOptions *opt, FILE *out, FILE *log);

#endif
