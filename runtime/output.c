/* Output files: the folder, buffered streams with checked writes, and .npy arrays.
 *
 * Every write is checked (a full disk shows up in fwrite, fflush or fclose, whichever
 * hits the buffer's end first) and reported once per file as
 * "nrnc: error: cannot write 'PATH': REASON"; later writes to a failed file return -1
 * without a second message, so the loop can stop at its next check.
 *
 * A .npy file is written with a header of fixed size (128 bytes, a multiple of the 64
 * that current NumPy aligns to) saying shape (0,); data is streamed behind it, and
 * nrt_npy_close seeks back and rewrites the header with the final row count. Since the
 * header never changes length, the data never moves. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Reports the current errno against the file and marks it failed. */
static int fail(nrt_out *out)
{
    int e = errno ? errno : EIO;
    if (!out->failed)
        nrt_err_report(out->err, "cannot write '%s': %s", out->path, strerror(e));
    out->failed = true;
    return -1;
}

int nrt_out_open(nrt_out *out, const char *dir, const char *name, nrt_err *err)
{
    out->err = err;
    out->failed = false;
    out->path = nrt_path_join(dir, name);
    out->f = NULL;
    if (!out->path) {
        out->failed = true;
        nrt_err_report(err, "out of memory");
        return -1;
    }
    out->f = fopen(out->path, "wb");
    return out->f ? 0 : fail(out);
}

int nrt_out_puts(nrt_out *out, const char *s)
{
    if (out->failed)
        return -1;
    errno = 0;
    return fputs(s, out->f) == EOF ? fail(out) : 0;
}

int nrt_out_write(nrt_out *out, const void *data, size_t size)
{
    if (out->failed)
        return -1;
    errno = 0;
    return fwrite(data, 1, size, out->f) == size ? 0 : fail(out);
}

int nrt_out_close(nrt_out *out)
{
    int rc = out->failed ? -1 : 0;
    if (out->f) {
        errno = 0;
        bool bad = ferror(out->f) != 0;
        if (fclose(out->f) != 0 || bad)
            rc = fail(out);
        out->f = NULL;
    }
    free(out->path);
    out->path = NULL;
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

/* The 128-byte header for the current shape. */
static void npy_header(const nrt_npy *npy, char *h)
{
    char dict[NPY_HEADER];
    char shape[64];
    if (npy->cols < 0)
        snprintf(shape, sizeof shape, "(%lld,)", (long long)npy->rows);
    else
        snprintf(shape, sizeof shape, "(%lld, %lld)", (long long)npy->rows,
                 (long long)npy->cols);
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
                       "'shape': %s, }", npy->descr, shape);
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    h[8] = (char)((NPY_HEADER - 10) & 0xFF);
    h[9] = (char)((NPY_HEADER - 10) >> 8);
    memset(h + 10, ' ', NPY_HEADER - 10);
    memcpy(h + 10, dict, (size_t)len);
    h[NPY_HEADER - 1] = '\n';
}

int nrt_npy_open(nrt_npy *npy, const char *dir, const char *name, nrt_npy_type type,
                 int64_t cols, nrt_err *err)
{
    if (type == NRT_NPY_F64)
        npy->descr = little_endian() ? "<f8" : ">f8";
    else
        npy->descr = little_endian() ? "<i4" : ">i4";
    npy->rows = 0;
    npy->cols = cols;
    if (nrt_out_open(&npy->out, dir, name, err) != 0)
        return -1;
    char h[NPY_HEADER];
    npy_header(npy, h);
    return nrt_out_write(&npy->out, h, sizeof h);
}

int nrt_npy_append(nrt_npy *npy, const void *data, int64_t nrows)
{
    size_t item = npy->descr[2] == '8' ? 8 : 4;
    size_t per_row = npy->cols < 0 ? item : item * (size_t)npy->cols;
    if (nrt_out_write(&npy->out, data, per_row * (size_t)nrows) != 0)
        return -1;
    npy->rows += nrows;
    return 0;
}

int nrt_npy_close(nrt_npy *npy)
{
    nrt_out *out = &npy->out;
    if (out->f && !out->failed) {
        char h[NPY_HEADER];
        npy_header(npy, h);
        errno = 0;
        if (fflush(out->f) != 0 || fseek(out->f, 0, SEEK_SET) != 0)
            fail(out);
        else
            nrt_out_write(out, h, sizeof h);
    }
    return nrt_out_close(out);
}
