/* nrt_wfile_read: weight matrices from dense CSV, sparse CSV and .npy files written here
 * byte by byte in a fresh folder under /tmp (the test works inside it, so paths and thus
 * messages are short, "W.csv:3: ..."). Good files must read back exactly (the expected
 * values are computed with the same single multiplication by the scale, so equality is
 * exact); bad files must give exactly the expected message; damaged copies of a good .npy
 * file and random CSV text must never crash (run under ASan+UBSan too). A FIFO must be
 * refused without blocking: an alarm kills the test if it hangs. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wfile.h"

static int failures;

enum { R = 4, C = 3 };

/* The 4 x 3 reference matrix: values exact in float32, no two alike, not symmetric. */
static const double ref[R][C] = {
    {0.5, -1.25, 0},
    {2, 0.125, -3.5},
    {0, 7.75, 1024},
    {-0.0625, 0, 6},
};

static void put(const char *name, const void *data, size_t len)
{
    FILE *f = fopen(name, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", name);
        exit(2);
    }
}

static void put_text(const char *name, const char *text)
{
    put(name, text, strlen(text));
}

static void fail_case(const char *name, const char *what, const char *got)
{
    fprintf(stderr, "%s: %s\n    got: %s\n", name, what, got);
    failures++;
}

static void expect_error(const char *name, int64_t rows, int64_t cols, double scale,
                         const char *want)
{
    nrt_wfile wf;
    char msg[512];
    strcpy(msg, "(stale)");
    int rc = nrt_wfile_read(&wf, name, rows, cols, scale, msg, sizeof msg);
    if (rc != -1) {
        fail_case(name, "read succeeded, expected an error", want);
        nrt_wfile_free(&wf);
        return;
    }
    if (strcmp(msg, want) != 0) {
        fprintf(stderr, "%s: wrong message\n   got: %s\n  want: %s\n", name, msg, want);
        failures++;
    }
    if (wf.dense || wf.pre || wf.post || wf.w || wf.nnz || wf.sparse)
        fail_case(name, "a failed read left something in the result", msg);
}

/* Reads a dense file that must succeed; returns it (the caller frees). */
static int read_ok(const char *name, int64_t rows, int64_t cols, double scale, nrt_wfile *wf)
{
    char msg[512] = "";
    if (nrt_wfile_read(wf, name, rows, cols, scale, msg, sizeof msg) != 0) {
        fail_case(name, "read failed", msg);
        return -1;
    }
    if (wf->rows != rows || wf->cols != cols) {
        fail_case(name, "wrong shape in the result", "");
        nrt_wfile_free(wf);
        return -1;
    }
    return 0;
}

/* The file must be the reference matrix times scale, dense. */
static void expect_ref(const char *name, double scale)
{
    nrt_wfile wf;
    if (read_ok(name, R, C, scale, &wf) != 0)
        return;
    if (wf.sparse || !wf.dense) {
        fail_case(name, "not read as a dense matrix", "");
    } else {
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++)
                if (wf.dense[r * C + c] != ref[r][c] * scale) {
                    char got[64];
                    snprintf(got, sizeof got, "(%d, %d) = %.17g", r, c, wf.dense[r * C + c]);
                    fail_case(name, "wrong value", got);
                }
    }
    nrt_wfile_free(&wf);
}

/* ---- Dense CSV --------------------------------------------------------------------- */

static void dense_csv(void)
{
    /* comments, blank lines, blanks around numbers, CRLF, a last line without its end */
    put_text("ref.csv", "# W: 4 x 3\n"
                        "\n"
                        " 0.5, -1.25 ,0\r\n"
                        "2,\t0.125,-3.5e0\n"
                        "   # a comment after blanks\n"
                        "  \t\n"
                        "0,7.75,1024\n"
                        "-0.0625,0,6");
    expect_ref("ref.csv", 1e-3);
    expect_ref("ref.csv", 1);
    /* CR line ends, a UTF-8 byte order mark */
    put_text("cr.csv", "\xEF\xBB\xBF" "0.5,-1.25,0\r2,0.125,-3.5\r\r0,7.75,1024\r-0.0625,0,6\r");
    expect_ref("cr.csv", 2.5);

    /* 3 x 3, the case the brief names */
    put_text("W3.csv", "1,2,3\n4,5,6\n7,8,9\n");
    nrt_wfile wf;
    if (read_ok("W3.csv", 3, 3, 0.1, &wf) == 0) {
        for (int k = 0; k < 9; k++)
            if (wf.dense[k] != (k + 1) * 0.1)
                fail_case("W3.csv", "wrong value", "");
        nrt_wfile_free(&wf);
    }
}

/* Many short CRLF and CR lines, whose ends fall across the reader's chunk boundaries; a CRLF
 * split between the first two chunks (the reader reads 65535 bytes first: line numbers
 * after it must stay right); one line longer than a chunk, so the buffer grows. */
static void long_csv(void)
{
    enum { N = 20000 };
    size_t cap = (size_t)N * 32 + 400000;
    char *text = malloc(cap);
    size_t n = 0;
    for (int r = 0; r < N; r++)
        n += (size_t)snprintf(text + n, cap - n, "%d,%d.5,-%d%s", r, r, r, r % 3 ? "\r\n" : "\r");
    put("many.csv", text, n);
    nrt_wfile wf;
    if (read_ok("many.csv", N, 3, 1, &wf) == 0) {
        for (int r = 0; r < N; r++)
            if (wf.dense[r * 3] != r || wf.dense[r * 3 + 1] != r + 0.5 || wf.dense[r * 3 + 2] != -r) {
                fail_case("many.csv", "wrong value", "");
                break;
            }
        nrt_wfile_free(&wf);
    }
    n = 0;
    text[n++] = '#';
    memset(text + n, 'x', 65529);
    n += 65529;
    n += (size_t)snprintf(text + n, cap - n, "\n1,2\r\n3,x\n");
    if (text[65534] != '\r' || text[65535] != '\n')
        fail_case("split.csv", "the test's CRLF is not where it should be", "");
    put("split.csv", text, n);
    expect_error("split.csv", 2, 2, 1, "split.csv:3: column 2: 'x' is not a number");

    n = (size_t)snprintf(text, cap, "1,");
    memset(text + n, ' ', 300000);
    n += 300000;
    n += (size_t)snprintf(text + n, cap - n, "2\n3,4\n");
    put("wide.csv", text, n);
    if (read_ok("wide.csv", 2, 2, 1, &wf) == 0) {
        if (wf.dense[0] != 1 || wf.dense[1] != 2 || wf.dense[2] != 3 || wf.dense[3] != 4)
            fail_case("wide.csv", "wrong value", "");
        nrt_wfile_free(&wf);
    }
    free(text);
}

static void dense_csv_errors(void)
{
    put_text("W.csv", "1,2,3\n4,5,6\n7,abc,9\n1,2,3\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:3: column 2: 'abc' is not a number");
    put_text("W.csv", "1,2,3\n4,5,6\n7,8,9\n1,2\n");
    expect_error("W.csv", 4, 3, 1,
                 "W.csv:4: expected 3 values (one per post-synaptic neuron), found 2");
    put_text("W.csv", "1,2,3\n# three rows only\n4,5,6\n7,8,9\n");
    expect_error("W.csv", 4, 3, 1, "W.csv: expected 4 rows (one per pre-synaptic neuron), found 3");
    put_text("W.csv", "1,2,3\n4,5,6\n7,8,9\n1,2,3\n1,2,3\n");
    expect_error("W.csv", 4, 3, 1, "W.csv: expected 4 rows (one per pre-synaptic neuron), found 5");
    put_text("W.csv", "");
    expect_error("W.csv", 4, 3, 1, "W.csv: expected 4 rows (one per pre-synaptic neuron), found 0");
    put_text("W.csv", "1,2,3\nnan,5,6\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: column 1: 'nan' is not a finite number");
    put_text("W.csv", "1,2,3\n4,-inf,6\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: column 2: '-inf' is not a finite number");
    put_text("W.csv", "1,2,3\n4,5,1e999\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: column 3: '1e999' is not a finite number");
    put_text("W.csv", "1,2,3\n4,,6\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: column 2 is empty, expected a number");
    put_text("W.csv", "1,2,3\n4,5 # five,6\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: column 2: '5 # five' is not a number");
    put_text("W.csv", "1,2,3\n4,1e300,6\n");
    expect_error("W.csv", 4, 3, 1e10,
                 "W.csv:2: column 2: '1e300' times the unit's scale 1e+10 is not a finite number");
    put_text("W.csv", "a,b,c\n1,2,3\n");
    expect_error("W.csv", 4, 3, 1,
                 "W.csv:1: column 1: 'a' is not a number (a dense matrix has no header line; "
                 "a sparse list starts with the header pre,post,weight)");
    put("W.csv", "1,2,3\n4,\0,6\n", 12);
    expect_error("W.csv", 4, 3, 1, "W.csv:2: the line contains a NUL byte (is this a binary file?)");
    put_text("W.csv", "1,2,3\n4,5,\x01\x7fxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: column 3: '??xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
                                   "is not a number");
    put_text("W.csv", "1,2\n");
    expect_error("W.csv", 2000000, 1000000, 1,
                 "W.csv: a 2000000 x 1000000 weight matrix would need 1.6e+13 bytes, more than "
                 "the limit of 1099511627776 bytes");
    expect_error("W.csv", 0, 3, 1, "W.csv: populations of 0 and 3 neurons cannot index a weight "
                                   "matrix (each must be 1..2147483647)");
    expect_error("W.csv", 1, 2, NAN, "W.csv: the unit's scale nan is not a finite number");
}

/* ---- Sparse CSV -------------------------------------------------------------------- */

static void sparse_csv(void)
{
    put_text("S.csv", "pre,post,weight\n"
                      "3,1,0.5\n"
                      "# zero weight: still a connection\n"
                      "0,2,0\n"
                      "0,0,-1.5\n"
                      " 2 , 2 , 4 \n"
                      "\n"
                      "0,1,8\n");
    nrt_wfile wf;
    if (read_ok("S.csv", R, C, 2, &wf) == 0) {
        static const int32_t pre[] = {0, 0, 0, 2, 3}, post[] = {0, 1, 2, 2, 1};
        static const double w[] = {-3, 16, 0, 8, 1};
        if (!wf.sparse || wf.dense || wf.nnz != 5) {
            fail_case("S.csv", "not read as 5 sparse entries", "");
        } else {
            for (int k = 0; k < 5; k++)
                if (wf.pre[k] != pre[k] || wf.post[k] != post[k] || wf.w[k] != w[k])
                    fail_case("S.csv", "wrong entry or order", "");
        }
        nrt_wfile_free(&wf);
    }
    put_text("S0.csv", "# no connections\n pre , post , weight\r\n");
    if (read_ok("S0.csv", R, C, 1, &wf) == 0) {
        if (!wf.sparse || wf.nnz != 0)
            fail_case("S0.csv", "expected an empty sparse list", "");
        nrt_wfile_free(&wf);
    }
}

static void sparse_csv_errors(void)
{
    put_text("W.csv", "pre,post,weight\n0,0,1\n1,1,1\n2,2,1\n7,0,1\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:5: pre index 7 is outside 0..3 (4 pre-synaptic neurons)");
    put_text("W.csv", "pre,post,weight\n0,-1,1\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: post index -1 is outside 0..2 (3 post-synaptic neurons)");
    put_text("W.csv", "pre,post,weight\n0,1,1\n");
    expect_error("W.csv", 4, 1, 1, "W.csv:2: post index 1 is outside 0..0 (1 post-synaptic neuron)");
    put_text("W.csv", "pre,post,weight\n99999999999999999999,0,1\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: pre index '99999999999999999999' is outside 0..3 "
                                   "(4 pre-synaptic neurons)");
    put_text("W.csv", "pre,post,weight\n1.5,0,1\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: pre index '1.5' is not an integer");
    put_text("W.csv", "pre,post,weight\n1,,1\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: post index is empty, expected an integer");
    put_text("W.csv", "pre,post,weight\n1,2\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: expected 3 values (pre,post,weight), found 2");
    put_text("W.csv", "pre,post,weight\n1,2,x\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: weight 'x' is not a number");
    put_text("W.csv", "pre,post,weight\n1,2,inf\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: weight 'inf' is not a finite number");
    put_text("W.csv", "pre,post,weight\n1,2,\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:2: weight is empty, expected a number");
    /* two repeated pairs: the one repeated first in the file is named */
    put_text("W.csv", "pre,post,weight\n3,2,1\n2,1,1\n0,0,1\n3,2,5\n2,1,2\n");
    expect_error("W.csv", 4, 3, 1, "W.csv:5: duplicate entry pre 3, post 2 (already given on line 2)");
    /* more lines than pairs: stops early, names the same pair as a full read would */
    put_text("W.csv", "pre,post,weight\n0,0,1\n1,0,1\n0,1,1\n1,1,1\n1,0,1\n0,0,1\n");
    expect_error("W.csv", 2, 2, 1, "W.csv:6: duplicate entry pre 1, post 0 (already given on line 3)");
    put_text("W.csv", "pre,post,weight\n0,0,1\n1,0,1\n0,1,1\n1,1,1\n");
    nrt_wfile wf;
    if (read_ok("W.csv", 2, 2, 1, &wf) == 0) {
        if (wf.nnz != 4)
            fail_case("W.csv", "a full sparse list", "");
        nrt_wfile_free(&wf);
    }
}

/* ---- NPY --------------------------------------------------------------------------- */

typedef struct bytes {
    unsigned char *b;
    size_t n;
} bytes;

static void emit(bytes *out, const void *p, size_t n)
{
    unsigned char *grown = realloc(out->b, out->n + n);
    if (!grown)
        exit(2);
    out->b = grown;
    memcpy(out->b + out->n, p, n);
    out->n += n;
}

/* Magic, version major.0, header length (2 bytes for 1.0, 4 after), the dict padded with
 * spaces and ended with '\n' so the data starts at a multiple of 64, per the NPY spec. */
static bytes npy_file(int major, const char *dict)
{
    bytes out = {NULL, 0};
    size_t prefix = major == 1 ? 10 : 12, len = strlen(dict);
    size_t hlen = len + 1;
    hlen += (64 - (prefix + hlen) % 64) % 64;
    unsigned char pre[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0};
    for (size_t k = 0; k < prefix - 8; k++)
        pre[8 + k] = (unsigned char)(hlen >> (8 * k));
    emit(&out, pre, prefix);
    emit(&out, dict, len);
    for (size_t k = len; k + 1 < hlen; k++)
        emit(&out, " ", 1);
    emit(&out, "\n", 1);
    return out;
}

static void emit_f8(bytes *out, double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    for (int k = 0; k < 8; k++) {
        unsigned char b = (unsigned char)(u >> (8 * k));
        emit(out, &b, 1);
    }
}

static void emit_f4(bytes *out, float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    for (int k = 0; k < 4; k++) {
        unsigned char b = (unsigned char)(u >> (8 * k));
        emit(out, &b, 1);
    }
}

/* The reference matrix in C or Fortran order, as float64 or float32. */
static void emit_ref(bytes *out, bool fortran, int item)
{
    for (int k = 0; k < R * C; k++) {
        int r = fortran ? k % R : k / C, c = fortran ? k / R : k % C;
        if (item == 8)
            emit_f8(out, ref[r][c]);
        else
            emit_f4(out, (float)ref[r][c]);
    }
}

static void put_npy(const char *name, int major, const char *dict, bool fortran, int item)
{
    bytes f = npy_file(major, dict);
    emit_ref(&f, fortran, item);
    if ((f.n - (size_t)(R * C * item)) % 64 != 0)
        fprintf(stderr, "npy_file: header not padded to 64\n"), failures++;
    put(name, f.b, f.n);
    free(f.b);
}

static void npy_good(void)
{
    put_npy("f8.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }", false, 8);
    expect_ref("f8.npy", 1e-9);
    put_npy("f4.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", false, 4);
    expect_ref("f4.npy", 1e-9);
    put_npy("f8F.npy", 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (4, 3), }", true, 8);
    expect_ref("f8F.npy", 1e-9);
    put_npy("f4F.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (4, 3), }", true, 4);
    expect_ref("f4F.npy", 3);
    /* versions 2.0 and 3.0, other key orders and spacing, '=' and '|', Python 2 longs,
     * an extra key, a list shape, double quotes */
    put_npy("v2.npy", 2, "{'shape':(4,3),'fortran_order':False,'descr':'=f8'}", false, 8);
    expect_ref("v2.npy", 1);
    put_npy("v3.npy", 3, "{ \"descr\" : \"|f4\" ,\n 'shape': (4L, 3L), 'fortran_order': True,"
                         " 'extra': {'a': [1, (2,)], 'b': None}}", true, 4);
    expect_ref("v3.npy", 1);
    put_npy("list.npy", 1, "{'descr': u'<f8', 'fortran_order': False, 'shape': [4, 3]}", false, 8);
    expect_ref("list.npy", 1);
    /* a file named .csv holding NPY is read as NPY (the content decides) */
    put_npy("npy.csv", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }", false, 8);
    expect_ref("npy.csv", 1);
}

static void npy_errors(void)
{
    static const char good[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }";
    bytes f = npy_file(1, good);
    put("W.npy", f.b, 9);
    expect_error("W.npy", R, C, 1, "W.npy: the header is truncated: the file has only 9 bytes");
    put("W.npy", f.b, 50);
    expect_error("W.npy", R, C, 1, "W.npy: the header length (118 bytes) goes past the end of "
                                   "the file (50 bytes)");
    put("W.npy", f.b, f.n);
    expect_error("W.npy", R, C, 1, "W.npy: data is truncated: expected 96 bytes, found 0");
    emit(&f, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 40);
    put("W.npy", f.b, f.n);
    expect_error("W.npy", R, C, 1, "W.npy: data is truncated: expected 96 bytes, found 40");
    free(f.b);

    f = npy_file(1, good);
    emit_ref(&f, false, 8);
    emit(&f, "12345678", 8);
    put("W.npy", f.b, f.n);
    expect_error("W.npy", R, C, 1, "W.npy: expected 96 bytes of data, found 104 (more than the "
                                   "shape holds)");
    f.b[0] = 0x92;
    put("W.npy", f.b, f.n);
    expect_error("W.npy", R, C, 1, "W.npy: not a NumPy .npy file (it does not start with the "
                                   "magic string \\x93NUMPY)");
    f.b[0] = 0x93;
    f.b[6] = 4;
    put("W.npy", f.b, f.n);
    expect_error("W.npy", R, C, 1, "W.npy: NPY format version 4.0 is not supported (1.0, 2.0 and "
                                   "3.0 are)");
    free(f.b);

    put_npy("W.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4, 3), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: dtype '<i8' is not supported: weight matrices must be "
                                   "float64 ('<f8') or float32 ('<f4')");
    put_npy("W.npy", 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (4, 3), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: dtype '>f8' is big-endian, which is not supported: "
                                   "weight matrices must be little-endian float64 ('<f8') or "
                                   "float32 ('<f4')");
    put_npy("W.npy", 1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4, 3)}",
            false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: dtype is a structured (record) type, which is not "
                                   "supported: weight matrices must be float64 ('<f8') or "
                                   "float32 ('<f4')");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: shape (3, 2) does not match the populations: expected "
                                   "(4, 3) (pre-synaptic x post-synaptic)");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: shape (3, 4) does not match the populations: expected "
                                   "(4, 3) (pre-synaptic x post-synaptic); the file holds the "
                                   "transpose");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (12,), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: shape (12,) has 1 dimension: a weight matrix must be "
                                   "2-D, expected (4, 3) (pre-synaptic x post-synaptic)");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3, 1), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: shape (4, 3, 1) has 3 dimensions: a weight matrix must "
                                   "be 2-D, expected (4, 3) (pre-synaptic x post-synaptic)");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (4, 3), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: the header's 'fortran_order' is not True or False");
    put_npy("W.npy", 1, "{'descr': '<f8', 'shape': (4, 3), }", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: the header has no 'fortran_order'");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3) 'x': 1}", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: malformed header: expected ',' or '}' (at byte 57 of "
                                   "the header)");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), 'shape': (4, 3)}",
            false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: malformed header: a key is given twice (at byte 58 of "
                                   "the header)");
    put_npy("W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3)} x", false, 8);
    expect_error("W.npy", R, C, 1, "W.npy: malformed header: unexpected text after the dict (at "
                                   "byte 58 of the header)");

    f = npy_file(1, good);
    emit_ref(&f, false, 8);
    size_t at = f.n - 96 + (2 * C + 1) * 8;     /* entry (2, 1) */
    memcpy(f.b + at, "\0\0\0\0\0\0\xf8\x7f", 8);
    put("W.npy", f.b, f.n);
    expect_error("W.npy", R, C, 1, "W.npy: entry (pre 2, post 1) is not a finite number (nan)");
    free(f.b);
    put_npy("W.npy", 1, good, false, 8);
    expect_error("W.npy", R, C, 1e306, "W.npy: entry (pre 2, post 2): 1024 times the unit's "
                                       "scale 1e+306 is not a finite number");
    put_text("bad.npy", "1,2,3\n");
    expect_error("bad.npy", R, C, 1, "bad.npy: not a NumPy .npy file (it does not start with the "
                                     "magic string \\x93NUMPY)");
    expect_error("W.npy", 2000000, 1000000, 1,
                 "W.npy: a 2000000 x 1000000 weight matrix would need 1.6e+13 bytes, more than "
                 "the limit of 1099511627776 bytes");
}

/* Every prefix of a good file, and every byte of its header set to a few values, must give
 * a clean result: an error with a message, or a matrix. */
static void npy_damaged(void)
{
    bytes f = npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (4, 3), }");
    emit_ref(&f, true, 4);
    static const unsigned char vals[] = {0, 0xFF, '(', ')', '[', '{', '}', '\'', '"', ',', ':',
                                         ' ', '9', 'L', '\\', 0x7F};
    for (size_t n = 0; n <= f.n; n++) {
        nrt_wfile wf;
        char msg[256] = "";
        put("D.npy", f.b, n);
        int rc = nrt_wfile_read(&wf, "D.npy", R, C, 1, msg, sizeof msg);
        if ((rc == 0) != (n == f.n) || (rc != 0 && strncmp(msg, "D.npy: ", 7) != 0))
            fail_case("D.npy", "a prefix of a good file", msg);
        nrt_wfile_free(&wf);
    }
    for (size_t at = 0; at < f.n - 48; at++) {
        for (size_t v = 0; v < sizeof vals; v++) {
            unsigned char saved = f.b[at];
            f.b[at] = vals[v];
            put("D.npy", f.b, f.n);
            f.b[at] = saved;
            nrt_wfile wf;
            char msg[256] = "";
            int rc = nrt_wfile_read(&wf, "D.npy", R, C, 1, msg, sizeof msg);
            if (rc != 0 && (strncmp(msg, "D.npy: ", 7) != 0 || strchr(msg, '\n')))
                fail_case("D.npy", "a damaged byte", msg);
            if (rc == 0 && (!wf.dense || wf.sparse))
                fail_case("D.npy", "a damaged byte read as no matrix", "");
            nrt_wfile_free(&wf);
        }
    }
    free(f.b);
    /* deep nesting, and a header of nothing but open brackets */
    char deep[2000];
    memset(deep, '(', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    memcpy(deep, "{'shape': ", 10);
    f = npy_file(2, deep);
    put("D.npy", f.b, f.n);
    expect_error("D.npy", R, C, 1, "D.npy: malformed header: nested too deeply (at byte 42 of "
                                   "the header)");
    free(f.b);
}

/* Random lines of CSV-ish characters: any result is fine but a crash or a bad message. */
static void csv_random(void)
{
    static const char alphabet[] = "0123456789.,,,-+eE \t#\n\n\r xinfa";
    uint64_t s = 88172645463325252u;
    char text[300];
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(round % 290);
        for (size_t k = 0; k < n; k++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            text[k] = alphabet[s % (sizeof alphabet - 1)];
        }
        if (round % 2)
            memcpy(text, "pre,post,weight\n", n < 16 ? n : 16);
        put("X.csv", text, n);
        nrt_wfile wf;
        char msg[256] = "";
        int rc = nrt_wfile_read(&wf, "X.csv", 3, 2, 1, msg, sizeof msg);
        if (rc != 0 && (strncmp(msg, "X.csv", 5) != 0 || strchr(msg, '\n')))
            fail_case("X.csv", "random text", msg);
        if (rc == 0 && !wf.sparse && !wf.dense)
            fail_case("X.csv", "random text read as nothing", "");
        nrt_wfile_free(&wf);
    }
    /* a message buffer too small, or none, truncates or drops the message safely */
    char tiny[8];
    nrt_wfile wf;
    put_text("W.csv", "x\n");
    if (nrt_wfile_read(&wf, "W.csv", 1, 1, 1, tiny, sizeof tiny) != -1 || strcmp(tiny, "W.csv:1") != 0)
        fail_case("W.csv", "tiny message buffer", tiny);
    if (nrt_wfile_read(&wf, "W.csv", 1, 1, 1, NULL, 0) != -1)
        fail_case("W.csv", "no message buffer", "");
}

/* ---- Files that are not regular files ---------------------------------------------- */

static void not_regular(void)
{
    expect_error("missing.csv", R, C, 1, "missing.csv: cannot open: No such file or directory");
    if (mkdir("adir.csv", 0700) != 0 || mkfifo("fifo.csv", 0600) != 0) {
        fprintf(stderr, "cannot make a directory or a FIFO\n");
        exit(2);
    }
    expect_error("adir.csv", R, C, 1, "adir.csv: not a regular file (it is a directory)");
    alarm(20);                  /* a read that blocks on the FIFO ends the test */
    expect_error("fifo.csv", R, C, 1, "fifo.csv: not a regular file (it is a FIFO)");
    alarm(0);
    expect_error("/dev/null", R, C, 1, "/dev/null: not a regular file (it is a character device)");
}

/* ---- Set-up ------------------------------------------------------------------------ */

static void remove_all(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    const struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            rmdir(path);
    }
    closedir(d);
    rmdir(dir);
}

static int lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);
    close(fd);
    return fd;
}

int main(void)
{
    char dir[] = "/tmp/nrt_wfile_XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0) {
        perror("mkdtemp");
        return 2;
    }
    int fd0 = lowest_free_fd();
    dense_csv();
    long_csv();
    dense_csv_errors();
    sparse_csv();
    sparse_csv_errors();
    npy_good();
    npy_errors();
    npy_damaged();
    csv_random();
    not_regular();
    if (lowest_free_fd() != fd0) {
        fprintf(stderr, "a file descriptor was left open\n");
        failures++;
    }
    if (chdir("/tmp") == 0)
        remove_all(dir);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures != 0;
}
