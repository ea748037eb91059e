/* libFuzzer target: a weight file (`weight file "W.csv"` / "W.npy", runtime/wfile.c) read
 * from memory exactly as from disk. The expected shape is guessed from the input (the
 * NPY header's 'shape', or the CSV's data lines and first line's fields), so that inputs
 * reach the value parsers instead of stopping at a wrong shape; a second read expects
 * 7 x 5. What comes back must be what wfile.h promises: sparse entries in range and
 * sorted, every value finite. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wfile.h"

enum { MAX_GUESS = 1 << 16 };

static int64_t clamp(long long v)
{
    return v >= 1 && v <= MAX_GUESS ? v : 3;
}

static const char *find(const char *s, size_t n, const char *what)
{
    size_t w = strlen(what);
    for (size_t k = 0; k + w <= n; k++)
        if (memcmp(s + k, what, w) == 0)
            return s + k;
    return NULL;
}

/* Rows and columns as the header's 'shape': (R, C) says. */
static void npy_shape(const char *s, size_t n, int64_t *rows, int64_t *cols)
{
    const char *key = find(s, n, "'shape'");
    const char *p = key ? memchr(key, '(', n - (size_t)(key - s)) : NULL;
    long long v[2] = {3, 3};
    for (int k = 0; p && k < 2 && p < s + n; k++) {
        p++;
        long long x = 0;
        int digits = 0;
        while (p < s + n && *p == ' ')
            p++;
        while (p < s + n && *p >= '0' && *p <= '9' && digits++ < 9)
            x = 10 * x + (*p++ - '0');
        v[k] = x;
        while (p < s + n && *p != ',' && *p != ')')
            p++;
    }
    *rows = clamp(v[0]);
    *cols = clamp(v[1]);
}

/* Data lines (not blank, not '#') and the fields of the first one. */
static void csv_shape(const char *s, size_t n, int64_t *rows, int64_t *cols)
{
    long long lines = 0, fields = 0;
    for (size_t k = 0; k < n;) {
        size_t e = k;
        while (e < n && s[e] != '\n' && s[e] != '\r')
            e++;
        size_t b = k;
        while (b < e && (s[b] == ' ' || s[b] == '\t'))
            b++;
        if (b < e && s[b] != '#') {
            if (lines++ == 0) {
                fields = 1;
                for (size_t j = b; j < e; j++)
                    fields += s[j] == ',';
            }
        }
        k = e + 1;
    }
    *rows = clamp(lines);
    *cols = clamp(fields);
}

static void check(const nrt_wfile *wf)
{
    if (!wf->sparse) {
        for (int64_t k = 0; k < wf->rows * wf->cols; k++)
            if (!isfinite(wf->dense[k]))
                abort();
        return;
    }
    for (int64_t k = 0; k < wf->nnz; k++) {
        if (wf->pre[k] < 0 || wf->pre[k] >= wf->rows || wf->post[k] < 0 || wf->post[k] >= wf->cols ||
            !isfinite(wf->w[k]))
            abort();
        if (k > 0 && (wf->pre[k - 1] > wf->pre[k] ||
                      (wf->pre[k - 1] == wf->pre[k] && wf->post[k - 1] >= wf->post[k])))
            abort();
    }
}

static void read_one(const uint8_t *data, size_t size, int64_t rows, int64_t cols)
{
    nrt_wfile wf;
    char msg[512];
    const char *name = size >= 6 && memcmp(data, "\x93NUMPY", 6) == 0 ? "fuzz.npy" : "fuzz.csv";
    if (nrt_wfile_read_mem(&wf, name, data, size, rows, cols, 1e-9, msg, sizeof msg) == 0)
        check(&wf);
    else if (!memchr(msg, '\0', sizeof msg) || strchr(msg, '\n'))
        abort();   /* the message is one line, within the buffer */
    nrt_wfile_free(&wf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t rows, cols;
    if (size >= 6 && memcmp(data, "\x93NUMPY", 6) == 0)
        npy_shape((const char *)data, size, &rows, &cols);
    else
        csv_shape((const char *)data, size, &rows, &cols);
    read_one(data, size, rows, cols);
    read_one(data, size, 7, 5);
    return 0;
}
