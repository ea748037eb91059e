/* What the plot files share: the loaded run (PlotData), the readers that fill it
 * (json.c, csv_read.c, npy_read.c, load.c) and the SVG writer (svg.c, plot.c).
 *
 * Invariants: every string and array in PlotData is heap-owned and released by
 * plot_data_free; times are in ms; NAN marks a number that summary.json did not give.
 * Readers never stop at a bad line: they report it as FILE:LINE and skip it, so whatever
 * is readable still gets plotted. */
#ifndef NRN_PLOT_INT_H
#define NRN_PLOT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    PLOT_MAX_LINES = 20,          /* traces drawn per panel */
    PLOT_MAX_DOTS = 200000,       /* raster dots before every k-th neuron is dropped */
    PLOT_MAX_REPORTS = 10,        /* malformed lines reported per file */
    PLOT_MAX_POPS = 4096,
    PLOT_ISI_BINS = 60,           /* ISI histogram: log-spaced, 12 a decade from 0.1 ms */
    PLOT_ISI_PER_DECADE = 12,
};
#define PLOT_ISI_MIN_MS 0.1

/* ---- memory and messages (load.c) ------------------------------------------ */

void *plot_xrealloc(void *p, size_t n);
char *plot_xstrdup(const char *s);
char *plot_join(const char *dir, const char *name);
void plot_msg(FILE *log, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool plot_file_exists(const char *path);

/* A file served from memory instead of the disk (the fuzz targets' entry point). */
typedef struct PlotMemFile {
    const char *path;
    const void *data;
    size_t size;
} PlotMemFile;

/* ---- summary.json (json.c) --------------------------------------------------------- */

typedef enum JsonKind { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } JsonKind;

typedef struct Json {
    JsonKind kind;
    bool b;
    double num;
    char *str;
    int n;                /* items of an array or object */
    char **keys;          /* object keys, in file order */
    struct Json *items;
} Json;

/* NULL if the file is missing (*missing set) or malformed (reported as FILE:LINE:COL). */
Json *plot_json_load(const char *path, FILE *log, bool *missing);
/* The same for text in memory (NUL-terminated; `path` is used in messages). */
Json *plot_json_parse(const char *src, const char *path, FILE *log);
void plot_json_free(Json *j);
const Json *plot_json_get(const Json *obj, const char *key);
const char *plot_json_str(const Json *obj, const char *key);
double plot_json_num(const Json *obj, const char *key);   /* NAN if absent */

/* ---- the loaded run ------------------------------------------------------------------ */

typedef struct PlotPop {
    char *name;
    long long size;          /* from summary.json, else highest index + 1 */
    long long spikes;        /* counted in the files */
    double summary_spikes;   /* summary.json's count (all spikes, recorded or not), or NAN */
    bool recorded;           /* its spikes are in the files (else no band in the raster) */
    long long max_index;
    size_t n, cap;           /* the spikes kept for the raster */
    double *t;
    int32_t *i;
    double *hist;            /* spike counts per rate bin, when rates come from spikes */
    /* per neuron (size of them, for the rate distribution and the ISI histogram): spikes
     * and the last one's time; ISIs counted per log bin (PLOT_ISI_*) */
    long long *count;
    double *last;
    double isi_hist[PLOT_ISI_BINS];
    long long isis;
} PlotPop;

typedef struct PlotTrace {
    char *name;              /* "E.v" */
    char *unit;              /* NULL if unknown */
    char *file;              /* full path */
    bool npy;
    bool ok;                 /* read; else reported and left out */
    int ncols;               /* neurons in the file */
    int nsel;                /* columns kept: at most PLOT_MAX_LINES, or all (PlotLoad) */
    int *sel;
    char **labels;
    double *row;             /* room for one row of nsel values */
    size_t n, cap;           /* samples */
    double *t;
    double *v;               /* n rows of nsel values */
} PlotTrace;

typedef struct PlotRate {
    char *name;
    char *file;
    bool npy;
    bool ok;
    int pop;                 /* index in pops, or -1 */
    size_t n, cap;
    double *t, *hz;
} PlotRate;

/* What to load beyond the picture's needs (nrnc stats, analysis/). */
typedef struct PlotLoad {
    bool all_spikes;         /* keep every spike in PlotPop t, i (no raster decimation) */
    bool all_columns;        /* keep every column of a trace */
    const char *only_trace;  /* load only the trace of this name ("E.v"); NULL: all */
    bool no_rates;           /* leave the rate files unread */
} PlotLoad;

/* A pca_*.csv pair that `nrnc stats --pca` left in the folder. */
typedef struct PlotPca {
    char *name;              /* "E" or "E_v" */
    PlotTrace proj;          /* pca_NAME.csv: t_ms,pc1,pc2,... (read as a trace) */
    bool ok;
    size_t n, cap;           /* pca_NAME_variance.csv: component, explained_ratio */
    double *comp, *ratio;
} PlotPca;

typedef struct PlotData {
    const char *dir;
    PlotLoad opt;
    FILE *log;
    char *model, *network, *status, *error;
    double duration_ms, simulated_ms, dt_ms, seed;
    bool have_summary;
    bool pops_known;         /* summary.json lists the populations (and their sizes) */
    PlotPop *pops;
    int npops;
    PlotTrace *traces;
    int ntraces;
    PlotRate *rates;
    int nrates;
    bool spikes_csv;         /* spikes.csv is there */
    bool spikes_npy;         /* spikes_POP_t.npy files are there */
    long long total_spikes;
    int every;               /* raster keeps neurons with index % every == 0 */
    double t_max;            /* largest time seen in any file */
    double bin_ms;           /* rate histogram from spikes: bin width, bin count */
    int nbins;
    int last_pop;            /* plot_pop_find's last answer */
    const PlotMemFile *mem;  /* when set, files are read from here, never from the disk */
    int nmem;
    PlotPca *pcas;
    int npcas;
} PlotData;

/* Opens a data file for reading ("rb"): from d->mem when set (NULL, errno ENOENT, for a
 * path it lacks), else from the disk. */
FILE *plot_fopen(const PlotData *d, const char *path);

int plot_pop_find(PlotData *d, const char *name, bool add);
void plot_pop_keep(PlotPop *p, double t, int32_t i);
void plot_series_push(double **t, double **y, size_t *n, size_t *cap, double tv,
                      const double *yv, int ny);

/* Called once per spike while a spike file is read; pop indexes d->pops. */
typedef void (*PlotSpikeFn)(PlotData *d, int pop, long long index, double t_ms);

/* ---- readers (csv_read.c, npy_read.c) ------------------------------------------------ */

/* Each returns false if the file cannot be used at all (reported); lines it cannot read
 * are reported (when report is set) and skipped. */
bool plot_csv_spikes(PlotData *d, const char *path, bool report, PlotSpikeFn fn);
bool plot_csv_trace(PlotData *d, PlotTrace *tr);
bool plot_csv_rate(PlotData *d, PlotRate *r);
/* A two-column CSV whose header is exactly `header`: rows into (x, y); what_x and what_y
 * name the columns in messages ("a time in ms"). */
bool plot_csv_pairs(PlotData *d, const char *path, const char *header, const char *what_x,
                    const char *what_y, double **x, double **y, size_t *n, size_t *cap);
bool plot_npy_spikes(PlotData *d, int pop, bool report, PlotSpikeFn fn);
bool plot_npy_trace(PlotData *d, PlotTrace *tr);
bool plot_npy_rate(PlotData *d, PlotRate *r);

/* Chooses up to PLOT_MAX_LINES of ncols columns, evenly spread (all of them when `all`),
 * into tr->sel, with room for the labels and a row. */
void plot_trace_select(PlotTrace *tr, int ncols, bool all);

/* ---- load.c ----------------------------------------------------------------------- */

/* Fills d from the folder. Returns 0, or PLOT_EXIT_USAGE after reporting why. */
int plot_data_load(PlotData *d, const char *dir, FILE *log);
/* The same, loading what opt asks for too. */
int plot_data_load_with(PlotData *d, const char *dir, FILE *log, const PlotLoad *opt);
void plot_data_free(PlotData *d);

/* ---- svg.c -------------------------------------------------------------------------- */

typedef struct Frame {
    double x, y, w, h;       /* pixels */
    double x0, x1, y0, y1;   /* data range */
} Frame;

double plot_fx(const Frame *f, double x);
double plot_fy(const Frame *f, double y);
/* Round tick step for [lo, hi] with about `target` ticks. */
double plot_tick_step(double lo, double hi, int target);
void plot_fmt_num(char *buf, size_t size, double v, double step);
void plot_fmt_coord(char *buf, size_t size, double v);
void plot_svg_text(FILE *f, double x, double y, const char *attrs, const char *text);
void plot_svg_axes(FILE *f, const Frame *fr, const char *ylabel, bool yticks);
void plot_svg_xlabel(FILE *f, const Frame *fr, const char *label);
/* A polyline of n points (t[k], y[k*stride]), at most two per pixel column (min, max). */
void plot_svg_polyline(FILE *f, const Frame *fr, const double *t, const double *y, size_t n,
                       size_t stride, const char *colour);
const char *plot_colour(int k);
/* 1234567 as "1,234,567". */
void plot_fmt_count(char *buf, size_t size, long long n);

/* ---- the page (plot.c) and the raster panel (raster.c) -------------------------------- */

enum { PLOT_WIDTH = 1000, PLOT_LEFT = 90, PLOT_RIGHT = 130, PLOT_RASTER_H = 300, PLOT_DIST_H = 170 };

typedef struct Page {
    FILE *f;
    const PlotData *d;
    double x0, x1;           /* the time axis every panel shares */
    double top;              /* where the next panel goes */
    int panels;
} Page;

/* Opens a panel group with its title and a clip path; returns its frame. */
Frame plot_panel_begin(Page *pg, double h, const char *title);
void plot_panel_end(Page *pg, const Frame *fr);
/* The same without the time axis's "stopped" marker (the panels of dist.c). */
void plot_panel_close(Page *pg, const Frame *fr);
void plot_raster(Page *pg);

/* ---- panels without a time axis (dist.c) --------------------------------------------- */

bool plot_has_isi(const PlotData *d);
bool plot_has_rates_dist(const PlotData *d);
void plot_isi_panel(Page *pg);
void plot_rate_dist_panel(Page *pg);
/* The explained variance and the pc1-pc2 trajectory of one pca_*.csv pair. */
void plot_pca_panels(Page *pg, const PlotPca *pc);

#endif
