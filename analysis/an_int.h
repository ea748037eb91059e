/* What the analysis files share: the loaded folder with its time base (load.c) and the
 * writer of result files (write.c). Spike times become ticks here as in the runtime
 * (runtime/spike_stats.h): whole steps of the run's dt, or microseconds when
 * summary.json does not give dt. */
#ifndef NRN_AN_INT_H
#define NRN_AN_INT_H

#include <stdint.h>

#include "analysis.h"
#include "plot_int.h"

/* One population's spikes in time order. */
typedef struct AnSpikes {
    int64_t n;
    int64_t *tick;
    int32_t *idx;
} AnSpikes;

typedef struct AnRun {
    PlotData d;
    const AnOptions *opt;
    FILE *log;
    double tick_ms;          /* dt, or 1e-3 */
    int64_t from, to;        /* the interval asked for, in ticks */
} AnRun;

/* Loads opt->outdir (every spike; the one trace `trace` in full when not NULL) and fixes
 * the interval. 0, or the exit code after reporting why. */
int an_load(AnRun *r, const AnOptions *opt, FILE *log, const char *trace);
void an_free(AnRun *r);
/* The population of that name, or -1 after an error naming the ones there are. */
int an_pop(AnRun *r, const char *name, const char *flag);
/* Population p's spikes, sorted by time (ticks), all of them; free with an_spikes_free. */
void an_spikes(const AnRun *r, int p, AnSpikes *s);
void an_spikes_free(AnSpikes *s);
/* ms as whole ticks of the run (at least 1). */
int64_t an_ticks(const AnRun *r, double ms);

/* A result file OUTDIR/name written whole: rows of `cols` numbers under `header`, the
 * first column given as text (times), the others in the shortest form that reads back.
 * 0, or AN_EXIT_WRITE after reporting why. */
typedef struct AnTable {
    const char *header;
    int rows, cols;
    const char *const *first;   /* rows texts */
    const double *v;             /* rows x (cols - 1) */
} AnTable;
int an_write_table(const AnRun *r, const char *name, const AnTable *t);

int an_stats(AnRun *r, FILE *out);
int an_pca(AnRun *r);
int an_xcorr(AnRun *r);

#endif
