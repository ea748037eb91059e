/* Weight matrices read from files (wfile.c): LANGUAGE.md §6 `weight file "W.csv"` and
 * `weight file "W.npy"`, read once at set-up.
 *
 * Formats accepted (rows = pre-synaptic index, columns = post-synaptic index):
 *
 * - NumPy .npy, versions 1.0, 2.0 and 3.0, chosen when the file starts with the magic
 *   string "\x93NUMPY" (a file named *.npy that does not is refused). The header dict must
 *   give 'descr' '<f8' or '<f4' ('=' and '|' are read as little-endian too; '>' is refused
 *   by name, as is every other dtype), 'fortran_order' True or False, and a 2-D 'shape'
 *   equal to (rows, cols); other keys are ignored. The data must be exactly the size the
 *   shape needs. Values are converted to row-major doubles whatever the file's order.
 *
 * - Dense CSV, any other file whose first data line is not the sparse header: `rows` lines
 *   of `cols` comma-separated numbers, as strtod reads them (the whole field must be the
 *   number; spaces and tabs around it are allowed). Lines whose first non-blank character
 *   is '#', and blank lines, are skipped; a UTF-8 byte order mark is skipped; lines end with
 *   LF, CRLF or CR. There is no header line. Zero entries are returned like any other value
 *   (the caller makes no connection for them).
 *
 * - Sparse CSV: a first data line `pre,post,weight` (spaces around the names allowed), then
 *   one line `i,j,w` per connection: i an integer in [0, rows), j in [0, cols), w a number.
 *   The same (i, j) twice is an error naming both lines. Entries come back sorted by
 *   (pre, post). A listed entry whose weight is zero is still a connection: it was asked for
 *   explicitly. A header with no entries gives nnz = 0.
 *
 * Every value must be finite, before and after it is multiplied by `scale`. In messages,
 * line and column numbers count from 1 (physical lines, comments and blank lines
 * included); neuron indices count from 0. A dense matrix may not need more than
 * NRT_WFILE_MAX_BYTES; rows and cols must be 1..INT32_MAX. */
#ifndef NRT_WFILE_H
#define NRT_WFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest dense matrix read, in bytes of doubles (1 TiB). */
#define NRT_WFILE_MAX_BYTES ((uint64_t)1 << 40)

/* A weight matrix read from a file (LANGUAGE.md §6 `weight file "..."`). */
typedef struct nrt_wfile {
    bool sparse;            /* a CSV with header pre,post,weight */
    int64_t rows, cols;     /* the expected shape (pre-synaptic, post-synaptic sizes) */
    double *dense;          /* dense: rows*cols values, row-major (row = pre), NULL when sparse */
    int64_t nnz;            /* sparse: number of entries */
    int32_t *pre, *post;    /* sparse: indices, sorted by (pre, post) */
    double *w;              /* sparse: weights */
    int ndim;               /* nrt_wfile_read_table: the NPY array's dimensions, 1 or 2 */
} nrt_wfile;

/* Reads `path` expecting a rows x cols matrix; every value is multiplied by `scale` (the SI
 * value of the weight's unit). Returns 0, or -1 with a one-line message in msg (no
 * "error:" prefix; it names the file, the line/row or entry, what was expected and what
 * was found). Never prints, never exits, never crashes on any input. On failure *out is
 * left zeroed (nrt_wfile_free on it is harmless). Only regular files are read: a
 * directory, FIFO or device is refused without blocking. */
int nrt_wfile_read(nrt_wfile *out, const char *path, int64_t rows, int64_t cols, double scale,
                   char *msg, size_t msgsize);
/* The same for a file already in memory (size bytes; `name` is used in messages and, as
 * for a path, a name ending in .npy must hold NPY data): the fuzz target's entry point. */
int nrt_wfile_read_mem(nrt_wfile *out, const char *name, const void *data, size_t size,
                       int64_t rows, int64_t cols, double scale, char *msg, size_t msgsize);
/* A table's samples (LANGUAGE.md §3 "Tables"): a .npy file, 1-D (rows = samples, cols = 1)
 * or 2-D (samples x neurons), the shape taken from the file; out->rows and out->cols give
 * it, out->dense the values times scale. Errors as nrt_wfile_read. */
int nrt_wfile_read_table(nrt_wfile *out, const char *path, double scale, char *msg, size_t msgsize);
/* Frees what nrt_wfile_read allocated and zeroes *wf; wf may be NULL. */
void nrt_wfile_free(nrt_wfile *wf);

#endif
