/* `nrnc plot OUTDIR [-o FILE.svg]`: one self-contained SVG of a finished (or stopped) run:
 * spike raster, one panel per recorded trace, population rates. Reads the output folder
 * that the runtime writes (CSV or .npy, see docs/spec CLI.md) and nothing else; no
 * library beyond libc. */
#ifndef NRN_PLOT_H
#define NRN_PLOT_H

#include <stdio.h>

/* Exit codes, the same numbers as the driver's: 2 usage (no such folder, nothing to plot),
 * 3 the SVG could not be written. */
enum { PLOT_OK = 0, PLOT_EXIT_USAGE = 2, PLOT_EXIT_WRITE = 3 };

/* Plots the run in outdir into svg_path (NULL: OUTDIR/plot.svg; "-": stdout). Messages go
 * to stderr as "nrnc: error: ..." (plot_main fails) or "nrnc: warning: ..." (a file or line
 * left out, the plot still made). Returns the process exit code. */
int plot_main(const char *outdir, const char *svg_path);

/* The same with messages on log (tests pass a temporary file). */
int plot_run(const char *outdir, const char *svg_path, FILE *log);

#endif
