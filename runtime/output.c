/* Output files: the folder, buffered files that reach the disk in whole records only,
 * and .npy arrays.
 *
 * A file is a buffer in memory and a descriptor. Records (a CSV line, an NPY row) are
 * added to the buffer, and only whole ones are written, when the buffer fills or at
 * close; a write that fails (a full disk) is cut back with ftruncate to the last whole
 * record. So whatever stops the run, even kill -9 between two writes, every file on disk
 * is whole: CSV files end with a complete line, and a .npy header, rewritten after every
 * write of rows, always gives the number of rows that are on disk. The header has a
 * fixed size (128 bytes, a multiple of the 64 that NumPy aligns to, room for any int64
 * shape), so the data never moves.
 *
 * Descriptors are kept open between writes while the folder's budget lasts (half the
 * soft limit on open files); the files beyond it are opened for each write and closed
 * again, so the number of files a run writes is bounded by memory, not by descriptors.
 *
 * Every failure is reported once per file as "nrnc: error: cannot write 'PATH': REASON";
 * later calls on a failed file return -1 quietly, so the loop stops at its next check. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

enum { NPY_HEADER = 128 };

void nrt_err_report(nrt_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = malloc(len > 0 ? (size_t)len + 1 : 1);
    if (!msg) {
        fputs("nrnc: error: out of memory\n", stderr);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)len + 1, fmt, ap);
    va_end(ap);
    if (err->progress)
        nrt_progress_clear(err->progress);
    if (!err->quiet)
        fprintf(stderr, "nrnc: error: %s\n", msg);
    if (!err->first)
        err->first = msg;
    else
        free(msg);
}

void nrt_err_fini(nrt_err *err)
{
    free(err->first);
    err->first = NULL;
}

/* Creates one directory unless it exists as a directory already. */
static int make_one(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
        return -1;
    }
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

int nrt_mkdir_p(const char *dir)
{
    if (!*dir) {
        errno = ENOENT;
        return -1;
    }
    char *path = strdup(dir);
    if (!path)
        return -1;
    int rc = 0;
    for (char *p = path + 1; rc == 0 && *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        rc = make_one(path);
        *p = '/';
    }
    if (rc == 0 && *path)
        rc = make_one(path);
    int saved = errno;
    free(path);
    errno = saved;
    return rc;
}

char *nrt_path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    while (dl > 0 && dir[dl - 1] == '/')
        dl--;                       /* "out/" and "/" join without a doubled slash */
    size_t nl = strlen(name);
    char *p = malloc(dl + nl + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

static int fail(nrt_out *out, int e)
{
    if (!out->failed)
        nrt_folder_fail(out->folder, out->path, e ? e : EIO);
    out->failed = true;
    return -1;
}

/* The file's descriptor for one write: the one held, else the file opened again. */
static int acquire(nrt_out *out)
{
    if (out->fd >= 0)
        return out->fd;
    return open(out->path, O_WRONLY | O_CLOEXEC);
}

/* Keeps fd for the next write while the folder's budget allows, else closes it. */
static void release(nrt_out *out, int fd)
{
    nrt_folder *f = out->folder;
    if (fd < 0 || fd == out->fd)
        return;
    if (f->open_fds < f->max_fds) {
        out->fd = fd;
        f->open_fds++;
    } else {
        close(fd);
    }
}

/* --resume: the file as the checkpoint saw it, cut back to that size (a run stopped
 * after the checkpoint wrote more). */
static int reopen(nrt_out *out, const char *name)
{
    nrt_folder *f = out->folder;
    const nrt_file_entry *saved = NULL;
    for (int k = 0; k < f->nresume && !saved; k++)
        if (strcmp(f->resume[k].name, name) == 0)
            saved = &f->resume[k];
    if (!saved) {
        nrt_err_report(f->err, "cannot resume: the checkpoint does not list '%s'", out->path);
        out->failed = true;
        return -1;
    }
    int fd = open(out->path, O_WRONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size < saved->size) {
        close(fd);
        nrt_err_report(f->err, "cannot resume: '%s' is shorter than at the checkpoint", out->path);
        out->failed = true;
        return -1;
    }
    if (fd < 0 || ftruncate(fd, (off_t)saved->size) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fail(out, e);
    }
    release(out, fd);
    out->size = saved->size;
    out->lines = saved->lines;
    nrt_file_entry *entry = &f->files[out->entry];
    entry->size = out->size;
    entry->lines = out->lines;
    entry->rows = out->lines > 0 ? out->lines - 1 : 0;
    return 0;
}

int nrt_out_open(nrt_out *out, nrt_folder *folder, const char *name)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    out->folder = folder;
    out->path = nrt_path_join(folder->dir, name);
    out->entry = out->path ? nrt_folder_add(folder, name) : -1;
    if (out->entry < 0) {
        if (!out->path)
            nrt_err_report(folder->err, "out of memory");
        out->failed = true;
        return -1;
    }
    folder->files[out->entry].out = out;
    if (folder->resume)
        return reopen(out, name);
    int fd = open(out->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return fail(out, errno);
    release(out, fd);
    return 0;
}

static void npy_header(const nrt_npy *npy, int64_t rows, char *h);

/* The rows of an .npy file that the bytes on disk hold. */
static int64_t npy_rows_on_disk(const nrt_npy *npy, int64_t size)
{
    int64_t item = npy->descr[2] == '8' ? 8 : 4;
    int64_t per_row = npy->cols < 0 ? item : item * npy->cols;
    return per_row > 0 ? (size - NPY_HEADER) / per_row : npy->rows;
}

static int64_t count_lines(const char *p, size_t n)
{
    int64_t lines = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

/* Writes the whole records buffered; on failure the file is cut back to the records it
 * held before, and the failure reported. */
static int flush(nrt_out *out)
{
    if (out->failed)
        return -1;
    if (out->done == 0)
        return 0;
    int fd = acquire(out);
    if (fd < 0)
        return fail(out, errno);
    int rc = nrt_write_all(fd, out->buf, out->done, out->size);
    if (rc == 0 && out->npy) {
        char h[NPY_HEADER];
        npy_header(out->npy, npy_rows_on_disk(out->npy, out->size + (int64_t)out->done), h);
        rc = nrt_write_all(fd, h, sizeof h, 0);
    }
    if (rc != 0) {
        int e = errno;
        /* Not possible on a device or a pipe, where nothing partial can be taken back. */
        if (ftruncate(fd, (off_t)out->size) != 0)
            errno = e;
        release(out, fd);
        return fail(out, e);
    }
    release(out, fd);
    out->size += (int64_t)out->done;
    nrt_file_entry *entry = &out->folder->files[out->entry];
    entry->size = out->size;
    if (out->npy) {
        entry->rows = npy_rows_on_disk(out->npy, out->size);
    } else {
        out->lines += count_lines(out->buf, out->done);
        entry->rows = out->lines > 0 ? out->lines - 1 : 0;   /* after the header */
        entry->lines = out->lines;
    }
    memmove(out->buf, out->buf + out->done, out->len - out->done);
    out->len -= out->done;
    out->done = 0;
    return 0;
}

int nrt_out_flush(nrt_out *out)
{
    return flush(out);
}

int nrt_out_add(nrt_out *out, const void *data, size_t size)
{
    if (out->failed)
        return -1;
    if (out->folder->replaying)
        return 0;
    /* A full buffer of whole records goes out before it would have to grow. */
    if (out->len + size > out->folder->buf_cap && out->done == out->len && flush(out) != 0)
        return -1;
    if (out->len + size > out->cap) {
        size_t cap = out->cap ? out->cap : out->folder->buf_cap;
        while (cap < out->len + size)
            cap *= 2;
        char *grown = realloc(out->buf, cap);
        if (!grown) {
            nrt_err_report(out->folder->err, "out of memory buffering '%s'", out->path);
            out->failed = true;
            return -1;
        }
        out->buf = grown;
        out->cap = cap;
    }
    memcpy(out->buf + out->len, data, size);
    out->len += size;
    return 0;
}

int nrt_out_puts(nrt_out *out, const char *s)
{
    return nrt_out_add(out, s, strlen(s));
}

int nrt_out_end(nrt_out *out)
{
    if (out->failed)
        return -1;
    if (out->folder->replaying)
        return 0;
    out->done = out->len;
    if (out->len >= out->folder->buf_cap || out->size == 0)
        return flush(out);
    return 0;
}

int nrt_out_write(nrt_out *out, const void *data, size_t size)
{
    if (nrt_out_add(out, data, size) != 0)
        return -1;
    return nrt_out_end(out);
}

int nrt_out_close(nrt_out *out)
{
    if (!out->path)
        return 0;
    int rc = flush(out);
    if (out->entry >= 0)
        out->folder->files[out->entry].out = NULL;
    if (out->fd >= 0) {
        if (close(out->fd) != 0 && rc == 0)
            rc = fail(out, errno);
        out->folder->open_fds--;
        out->fd = -1;
    }
    if (out->failed)
        rc = -1;
    free(out->buf);
    free(out->path);
    out->buf = NULL;
    out->path = NULL;
    out->len = out->done = out->cap = 0;
    return rc;
}

/* ---- .npy ------------------------------------------------------------------------- */

static bool little_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* The 128-byte header for `rows` rows. */
static void npy_header(const nrt_npy *npy, int64_t rows, char *h)
{
    char dict[NPY_HEADER];
    char shape[64];
    if (npy->cols < 0)
        snprintf(shape, sizeof shape, "(%lld,)", (long long)rows);
    else
        snprintf(shape, sizeof shape, "(%lld, %lld)", (long long)rows, (long long)npy->cols);
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
                       "'shape': %s, }", npy->descr, shape);
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    h[8] = (char)((NPY_HEADER - 10) & 0xFF);
    h[9] = (char)((NPY_HEADER - 10) >> 8);
    memset(h + 10, ' ', NPY_HEADER - 10);
    memcpy(h + 10, dict, (size_t)len);
    h[NPY_HEADER - 1] = '\n';
}

int nrt_npy_open(nrt_npy *npy, nrt_folder *folder, const char *name, nrt_npy_type type,
                 int64_t cols)
{
    if (type == NRT_NPY_F64)
        npy->descr = little_endian() ? "<f8" : ">f8";
    else
        npy->descr = little_endian() ? "<i4" : ">i4";
    npy->rows = 0;
    npy->cols = cols;
    if (nrt_out_open(&npy->out, folder, name) != 0)
        return -1;
    npy->out.npy = npy;
    if (folder->resume) {
        /* the header may say more rows than the size the file was cut back to */
        npy->rows = npy_rows_on_disk(npy, npy->out.size);
        folder->files[npy->out.entry].rows = npy->rows;
        char h[NPY_HEADER];
        npy_header(npy, npy->rows, h);
        int fd = acquire(&npy->out);
        int rc = fd < 0 ? -1 : nrt_write_all(fd, h, sizeof h, 0);
        int e = errno;
        release(&npy->out, fd);
        return rc == 0 ? 0 : fail(&npy->out, e);
    }
    /* shape (0,) or (0, cols) on disk at once: a valid, empty array */
    char h[NPY_HEADER];
    npy_header(npy, 0, h);
    int fd = acquire(&npy->out);
    int rc = fd < 0 ? -1 : nrt_write_all(fd, h, sizeof h, 0);
    int e = errno;
    release(&npy->out, fd);
    if (rc != 0)
        return fail(&npy->out, e);
    npy->out.size = NPY_HEADER;
    return 0;
}

int nrt_npy_append(nrt_npy *npy, const void *data, int64_t nrows)
{
    size_t item = npy->descr[2] == '8' ? 8 : 4;
    size_t per_row = npy->cols < 0 ? item : item * (size_t)npy->cols;
    if (npy->out.folder->replaying)
        return 0;
    if (nrt_out_write(&npy->out, data, per_row * (size_t)nrows) != 0)
        return -1;
    npy->rows += nrows;
    return 0;
}

int nrt_npy_close(nrt_npy *npy)
{
    return nrt_out_close(&npy->out);
}
