/* Private declarations shared by the runtime's files (never installed, never included by
 * generated code).
 *
 * The runtime is split by object: mem.c allocates the large arrays, pop.c owns a population's storage and the RNG handle,
 * rng.c and expm.c are the only GSL users (rng.c also has the counter-based streams that
 * connectivity and the Poisson drive draw from), conn.c builds a connection block's
 * synapses, net.c moves spikes through them every step (spike histories, delay queues,
 * summed inputs), wfile.c reads weight matrices from files, outdir.c looks after the
 * output folder (a previous run's files, the space for summary.json), output.c writes
 * files in whole records (plain and .npy), monitor.c and syn_monitor.c turn the
 * loop's spikes, states and synapse variables into rows of those files, summary.c writes
 * summary.json, progress.c draws the progress bar, memplan.c estimates a run's memory
 * before anything is allocated, checkpoint.c saves and restores the whole state of a
 * run, and run.c is the clock-driven loop that ties them together.
 *
 * Errors: every failure is reported once, as "nrnc: error: MESSAGE" on stderr, through an
 * nrt_err that keeps the first message for summary.json; functions that can fail return
 * 0 or -1 and leave the reporting to whoever knows the path or the name. */
#ifndef NRT_INTERNAL_H
#define NRT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nrt.h"

/* ---- Large arrays (mem.c) ------------------------------------------------------------ */

/* count elements of size bytes, 64-byte aligned, on transparent huge pages from 1 MiB;
 * released with free(). NULL when out of memory or count < 0. zeroed: all bytes 0. */
void *nrt_array_alloc(int64_t count, size_t size);
void *nrt_array_zeroed(int64_t count, size_t size);

/* ---- Errors ----------------------------------------------------------------------- */

struct nrt_progress;

typedef struct nrt_err {
    char *first;              /* first message, without the "nrnc: error: " prefix */
    struct nrt_progress *progress;  /* cleared before a message is printed; may be NULL */
    bool quiet;               /* keep messages, print nothing (an embedded instance) */
} nrt_err;

/* Prints "nrnc: error: MESSAGE" (unless quiet) and keeps MESSAGE if it is the first one. */
void nrt_err_report(nrt_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void nrt_err_fini(nrt_err *err);

/* ---- Formatting helpers (format.c) ------------------------------------------------ */

enum { NRT_NUM_BUF = 40 };    /* enough for any nrt_format_double / nrt_format_time */

/* dt in milliseconds as the short decimal the user wrote: 1e-4 s gives exactly the double
 * 0.1, not 0.1 plus the rounding error of the unit conversion. */
double nrt_dt_ms(double dt_s);
/* The times of one run as text: dt parsed once, and the text of the last step asked for
 * kept, so that every monitor writing at a step shares one formatting. */
typedef struct nrt_clock {
    double dt_ms;
    uint64_t mant;
    int exp;
    bool exact;
    int64_t step;
    char text[NRT_NUM_BUF];
} nrt_clock;

void nrt_clock_init(nrt_clock *c, double dt_ms);
/* step·dt as nrt_format_time writes it; valid until the next call with another step. */
const char *nrt_clock_text(nrt_clock *c, int64_t step);

/* Decimal digits of v into buf (at least 21 bytes); returns the length. */
int nrt_format_int(int64_t v, char *buf);

/* ---- Populations (pop.c, rng.c) --------------------------------------------------- */

/* The root key of a population's (object = its index) or block's (-1 - index) draws. */
uint64_t nrt_rng_key(uint64_t seed, int object);

/* Allocates zeroed storage for desc and sets the population's random key; 0 or -1 (out of
 * memory, nothing left allocated). */
/* The refractory counts (nrt.h): _out makes refractory[] hold every neuron's whole count
 * (for a checkpoint), _in splits whole counts in refractory[] into the flag bytes and
 * the rest again (after a checkpoint, and after a restore). */
void nrt_pop_counts_out(nrt_pop *pop);
void nrt_pop_counts_in(nrt_pop *pop);
/* After a step's fire on [lo, hi): the counts of periods longer than NRT_REFR_CAP steps
 * that reached 1 take their next part from refractory[]. */
void nrt_refr_reload(nrt_pop *pop, int64_t lo, int64_t hi);
int nrt_pop_alloc(nrt_pop *pop, const nrt_pop_desc *desc, uint64_t seed, int pop_index);
void nrt_pop_free(nrt_pop *pop, const nrt_pop_desc *desc);

/* The first non-finite state, lowest neuron first, then state order: returns false when
 * every state is finite. */
bool nrt_pop_find_nonfinite(const nrt_pop *pop, const nrt_pop_desc *desc,
                            int *state, int64_t *neuron);

/* ---- The output folder (outdir.c) ------------------------------------------------ */

/* One file of the run, as summary.json lists it: its name and the whole rows it holds on
 * disk (CSV: lines after the header; NPY: the shape's first number). */
typedef struct nrt_file_entry {
    char *name;
    int64_t rows;
    int64_t size, lines;      /* bytes and newlines on disk */
    struct nrt_out *out;      /* the open file, or NULL once closed */
} nrt_file_entry;

/* The folder a run writes: every file it created (for summary.json's "files", which the
 * next run into the folder removes), the descriptor budget its files share, the space
 * kept back for the final summary.json, and whether the disk filled up. */
typedef struct nrt_folder {
    const char *dir;
    nrt_err *err;
    size_t buf_cap;           /* bytes a file buffers before it writes them */
    int open_fds, max_fds;    /* descriptors kept open between writes, and how many may be */
    int nfiles, files_cap;
    nrt_file_entry *files;    /* in the order created */
    bool reserved;            /* RESERVE_NAME holds space for the final summary.json */
    /* --resume: the files as the checkpoint left them. Opening one reopens it cut back
     * to that size; while `replaying`, what monitors write as they open (headers, index
     * files already on disk) is dropped. */
    const nrt_file_entry *resume;
    int nresume;
    bool replaying;
    bool full;                /* a write failed for want of space (ENOSPC, EDQUOT, EFBIG) */
} nrt_folder;

/* Raises the soft limit on open files to the hard one and sizes the buffers and the
 * descriptor budget for about `files` files. */
void nrt_folder_init(nrt_folder *f, const char *dir, nrt_err *err, int64_t files);
void nrt_folder_fini(nrt_folder *f);
/* Makes an existing folder ready for a new run: removes the files that the previous
 * run's summary.json lists (only those), or, when the folder holds files but no
 * summary.json written by nrnc, refuses it unless `force`. Returns 0, or the exit code
 * (2: refused, 3: a file could not be removed), reported. */
int nrt_folder_prepare(nrt_folder *f, bool force);
/* Adds a created file; its index in f->files, or -1 (out of memory, reported). */
int nrt_folder_add(nrt_folder *f, const char *name);
/* Sets aside `bytes` of disk space (a hidden file) so that the final summary.json can be
 * written even when the run fills the disk; 0 or -1 (reported). */
int nrt_folder_reserve(nrt_folder *f, size_t bytes);
/* Writes NAME whole or not at all (a temporary file renamed over it), first giving back
 * the reserved space when `release`; 0 or -1 (reported). */
int nrt_folder_replace(nrt_folder *f, const char *name, const char *data, size_t size,
                       bool release);
/* Reports errno `e` against PATH ("cannot write 'PATH': REASON", saying when the disk is
 * full) and notes a full disk in f. */
void nrt_folder_fail(nrt_folder *f, const char *path, int e);
/* pwrite of all `size` bytes at `at`, resuming after a short write or EINTR; 0 or -1. */
int nrt_write_all(int fd, const void *data, size_t size, int64_t at);

/* ---- Output files (output.c) ------------------------------------------------------ */

/* A file written through a buffer that only ever reaches the disk in whole records (a
 * CSV line, an NPY row): callers add the pieces of a record and say where it ends. The
 * buffer is written when it fills (or at close), and a write that fails is cut back to
 * the last whole record, so the file on disk is valid at every moment. The descriptor is
 * kept between writes while the folder's budget allows, else opened for each write. */
typedef struct nrt_out {
    int fd;                   /* -1 when not held */
    char *path;               /* for messages: "DIR/NAME" */
    nrt_folder *folder;
    int entry;                /* index in folder->files */
    char *buf;
    size_t len, done, cap;    /* bytes buffered, of them whole records, allocated */
    int64_t size;             /* bytes on disk */
    int64_t lines;            /* newlines on disk */
    struct nrt_npy *npy;      /* when the file is one: its header follows every write */
    bool failed;              /* already reported; later calls fail quietly */
} nrt_out;

/* mkdir -p; 0 or -1 with errno set. */
int nrt_mkdir_p(const char *dir);
char *nrt_path_join(const char *dir, const char *name);

/* Creates (truncates) DIR/NAME and lists it in the folder; 0 or -1 (reported). */
int nrt_out_open(nrt_out *out, nrt_folder *folder, const char *name);
/* Adds part of a record; 0 or -1 (the file failed before). */
int nrt_out_add(nrt_out *out, const void *data, size_t size);
int nrt_out_puts(nrt_out *out, const char *s);
/* What was added so far is whole records: they may be written from now on (now, when
 * the buffer is full or nothing is on disk yet, as for a header). */
int nrt_out_end(nrt_out *out);
/* nrt_out_add and nrt_out_end: data is one or more whole records. */
int nrt_out_write(nrt_out *out, const void *data, size_t size);
/* Writes the whole records buffered; 0 or -1. */
int nrt_out_flush(nrt_out *out);
/* Writes the whole records still buffered and closes (no-op when never opened); 0 or -1. */
int nrt_out_close(nrt_out *out);

/* A .npy v1.0 file with a header of fixed size that is rewritten with the shape after
 * every write of rows, so that it always describes exactly the rows on disk. */
typedef struct nrt_npy {
    nrt_out out;
    const char *descr;        /* "<f8" or "<i4" (byte order of this machine) */
    int64_t rows;             /* appended (some may still be buffered) */
    int64_t cols;             /* -1 for a 1-D array */
} nrt_npy;

typedef enum nrt_npy_type { NRT_NPY_F64, NRT_NPY_I32 } nrt_npy_type;

int nrt_npy_open(nrt_npy *npy, nrt_folder *folder, const char *name, nrt_npy_type type,
                 int64_t cols);
/* Appends nrows rows (items for a 1-D array) of raw native data. */
int nrt_npy_append(nrt_npy *npy, const void *data, int64_t nrows);
int nrt_npy_close(nrt_npy *npy);

/* ---- Monitors (monitor.c) --------------------------------------------------------- */

typedef struct nrt_trace_mon {
    const nrt_trace_desc *d;
    int64_t lo, hi, every;    /* d's, clamped to the population */
    const int64_t *index;     /* d's index array, or NULL: the neurons [lo, hi) */
    int64_t n;                /* neurons recorded: columns of a row */
    nrt_out csv;
    nrt_npy data, times;
    double *row;              /* one sample, NPY only */
    char *file;               /* name of the main file, for summary.json */
} nrt_trace_mon;

/* `record rate of POP every T`: spikes are counted per step (O(1) from nspiked) and a row
 * is written every `every` steps. */
typedef struct nrt_rate_mon {
    const nrt_rate_desc *d;
    int64_t every;            /* d's, at least 1 */
    int64_t count;            /* spikes stamped since the last row */
    double size_window_ms;    /* size · every·dt in ms (every·dt as its exact decimal) */
    nrt_out csv;
    nrt_npy data, times;
    char *file;               /* name of the main file, for summary.json */
} nrt_rate_mon;

typedef struct nrt_monitors {
    const nrt_run_desc *desc;
    double dt_ms;
    nrt_clock clock;
    nrt_out spikes_csv;       /* CSV format, when any population records spikes */
    nrt_npy *spikes_t, *spikes_i;   /* NPY format, per population (unused when not recorded) */
    char **csv_prefix;        /* "POP," per population */
    int64_t *observed;        /* per population: the last step its observe ran for, or -1 */
    int ntraces;
    nrt_trace_mon *traces;
    int nrates;
    nrt_rate_mon *rates;
    /* CSV rows of long traces are formatted in parts on the pool's threads, each into
     * its own buffer, and written in order */
    struct nrt_pool *pool;
    int shares;
    char **part;              /* per share: room for its part of the longest row */
    size_t *part_len;
} nrt_monitors;

/* Opens every file; 0 or -1 (reported). */
int nrt_monitors_open(nrt_monitors *mon, const nrt_run_desc *desc, double dt_ms,
                      nrt_folder *folder);
/* Lets long CSV trace rows be formatted on the threads of `pool` (the same bytes); 0, or
 * -1 out of memory (reported). */
int nrt_monitors_use_pool(nrt_monitors *mon, struct nrt_pool *pool, nrt_err *err);
/* Spikes of population p stamped at step `step` (their time is step·dt). */
int nrt_monitors_spikes(nrt_monitors *mon, int p, const nrt_pop *pop, int64_t step);
/* Adds the spikes of the step just fired (each population's nspiked) to every rate
 * monitor; O(rate monitors). */
void nrt_monitors_count(nrt_monitors *mon, const nrt_pop *pops);
/* Samples every trace and rate monitor due at step `step`; before the first trace of a
 * population samples, runs that population's observe (once per step). */
int nrt_monitors_sample(nrt_monitors *mon, nrt_pop *pops, int64_t step);
/* Closes every file (also after a failure); 0 or -1. The names stay for summary.json
 * until nrt_monitors_free. */
int nrt_monitors_close(nrt_monitors *mon);
void nrt_monitors_free(nrt_monitors *mon);
const char *nrt_monitors_trace_file(const nrt_monitors *mon, int t);
const char *nrt_monitors_rate_file(const nrt_monitors *mon, int r);
/* 1 for the first rate monitor of its population, 2 for the second, ...: the second one
 * writes rate_POP_2.csv and is "POP_2" in summary.json. */
int nrt_rate_ordinal(const nrt_run_desc *desc, int r);

/* ---- Checkpoints (checkpoint.c) -------------------------------------------------- */

#define NRT_CKPT_FILE "checkpoint.nrnck"

/* A checkpoint stream: bytes go through a running hash that the file ends with. */
typedef struct nrt_ckpt_io {
    FILE *f;
    uint64_t hash;
    bool bad;                 /* a short read or a failed write: later calls do nothing */
} nrt_ckpt_io;

void nrt_ckpt_put(nrt_ckpt_io *io, const void *data, size_t size);
bool nrt_ckpt_get(nrt_ckpt_io *io, void *data, size_t size);
/* The rate monitors' counts since their last row; load returns 0 or -1. */
void nrt_monitors_save(const nrt_monitors *mon, nrt_ckpt_io *io);
int nrt_monitors_load(nrt_monitors *mon, nrt_ckpt_io *io);

struct nrt_net;

/* What a checkpoint holds, as pointers into a running simulation. */
typedef struct nrt_ckpt_state {
    const nrt_run_desc *d;
    int64_t step;             /* steps done */
    nrt_pop *pops;
    nrt_conn *conns;
    struct nrt_net *net;      /* NULL without connections */
    int64_t *spike_counts;
    nrt_monitors *mon;
    struct nrt_spike_stats *stats;   /* per population, or NULL (no summary.json) */
} nrt_ckpt_state;

char *nrt_ckpt_path(const char *dir);
/* Writes OUTDIR/checkpoint.nrnck atomically, after flushing every output file of the
 * folder so that their sizes are part of it; 0 or -1 (reported). */
int nrt_ckpt_write(const nrt_ckpt_state *st, struct nrt_folder *folder, nrt_err *err);

/* Resuming goes in two steps: open checks the file (its hash, the run it belongs to) and
 * gives the folder the output files to reopen; restore, once set-up is done, overwrites
 * the state. Both 0 or -1 (reported). */
typedef struct nrt_ckpt_reader {
    nrt_ckpt_io io;
    char *path;
    nrt_err *err;
    struct nrt_file_entry *files;
    int nfiles;
} nrt_ckpt_reader;

int nrt_ckpt_open(nrt_ckpt_reader *r, const nrt_run_desc *d, struct nrt_folder *folder, int64_t *step,
                  nrt_err *err);
int nrt_ckpt_restore(nrt_ckpt_reader *r, nrt_ckpt_state *st);
void nrt_ckpt_close(nrt_ckpt_reader *r);

/* ---- Memory plan (memplan.c) ----------------------------------------------------- */

/* Refuses a run whose populations, synapses and monitors would not fit in `limit` bytes
 * (0: the memory available now), naming the largest part; 0 or -1 (reported). */
int nrt_mem_check(const nrt_run_desc *desc, double limit, nrt_err *err);

/* ---- summary.json (summary.c) ----------------------------------------------------- */

typedef struct nrt_summary {
    const nrt_run_desc *desc;
    const nrt_monitors *mon;
    double dt_ms;
    int64_t steps_done;
    const int64_t *spike_counts;  /* per population */
    const char *status;           /* "running", "completed", "failed", "disk_full",
                                     "interrupted", "terminated" */
    const char *signal;           /* "SIGINT", "SIGTERM", "SIGHUP" when one stopped the run */
    const char *error;            /* NULL unless failed */
    double setup_s, run_s;
    int64_t synapses;
    const int64_t *conn_synapses, *conn_bytes;   /* per block */
    const struct nrt_syn_monitors *syn_mon;
    const nrt_folder *folder;     /* the files written */
    int64_t checkpoint_step;      /* the step of the last checkpoint written, or -1 */
    int64_t resumed_step;         /* --resume: the checkpoint's step, else -1 */
    int threads;                  /* threads the run uses */
    const struct nrt_spike_stats *stats;   /* per population, or NULL */
    const int64_t *piece;         /* per population, or NULL: neurons per piece (run.c) */
} nrt_summary;

/* Replaces summary.json whole; `final` gives back the space reserved for it first.
 * 0 or -1 (reported). */
int nrt_summary_write(const nrt_summary *s, nrt_folder *folder, bool final);
/* The length summary.json has now, to size the reserve for its final version. */
size_t nrt_summary_size(const nrt_summary *s);

/* ---- Progress bar (progress.c) ---------------------------------------------------- */

typedef struct nrt_progress {
    int mode;                 /* -1 auto, 0 off, 1 on; auto turns into 0 or 1 */
    int64_t nsteps;
    double dt_ms;
    double t0, last_draw, last_check;
    int64_t next_check;       /* the loop calls nrt_progress_tick at this step */
    int64_t stride;
    int width;                /* of the line on screen */
    bool drawn;
} nrt_progress;

void nrt_progress_begin(nrt_progress *p, int mode, int64_t nsteps, double dt_ms);
void nrt_progress_tick(nrt_progress *p, int64_t steps_done);
/* Erases the bar (it is drawn again at the next update); nrt_progress_end for good. */
void nrt_progress_clear(nrt_progress *p);
void nrt_progress_end(nrt_progress *p);

double nrt_now(void);         /* monotonic seconds */

#endif
