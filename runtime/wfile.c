/* Weight matrices from files: `weight file "W.csv"` / `weight file "W.npy"` (LANGUAGE.md §6),
 * read once at set-up into the nrt_wfile of wfile.h, which describes the formats.
 *
 * Every input is untrusted: the file may be anything, of any size, and may change while it
 * is read. So only regular files are opened (stat first, then open with O_NONBLOCK and
 * fstat again, so a FIFO or a device never blocks or is read), every length comes from
 * what was actually read, and memory grows with what the file holds — a dense matrix is
 * allocated whole only for NPY, after the file's size has been checked against the shape.
 * All work is linear in the file's size (sparse entries are sorted once, n log n).
 *
 * Failures return -1 with one message in the caller's buffer, "PATH: ..." or
 * "PATH:LINE: ...", and leave nothing allocated; nothing here prints or exits. */
#include "wfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    CHUNK = 1 << 16,            /* read size for CSV lines and NPY data */
    QUOTE_MAX = 40,             /* bytes of a bad field shown in a message */
    NPY_MAX_HEADER = 1 << 20,   /* NumPy writes a few hundred bytes; refuse absurd lengths */
    PY_MAX_DEPTH = 32,          /* nesting of ( [ { in the header */
    PY_MAX_DIMS = 64,           /* NumPy's own limit on dimensions */
};

/* What every reader needs: the file, the expected shape, and where a message goes. */
typedef struct ctx {
    const char *path;
    int fd;
    const unsigned char *mem;   /* the file's bytes when it was given in memory, else NULL */
    uint64_t memsize;
    int64_t rows, cols;
    double scale;
    char *msg;
    size_t msgsize;
    bool table;                 /* nrt_wfile_read_table: NPY only, the shape from the file */
} ctx;

/* ---- Messages ---------------------------------------------------------------------- */

/* "PATH: ..." when line < 0, else "PATH:LINE: ..."; always returns -1. */
static int vfail(const ctx *c, int64_t line, const char *fmt, va_list ap)
{
    if (!c->msg || c->msgsize == 0)
        return -1;
    int n = line < 0 ? snprintf(c->msg, c->msgsize, "%s: ", c->path)
                     : snprintf(c->msg, c->msgsize, "%s:%" PRId64 ": ", c->path, line);
    if (n >= 0 && (size_t)n < c->msgsize)
        vsnprintf(c->msg + n, c->msgsize - (size_t)n, fmt, ap);
    return -1;
}

__attribute__((format(printf, 2, 3))) static int fail(const ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(c, -1, fmt, ap);
    va_end(ap);
    return -1;
}

__attribute__((format(printf, 3, 4))) static int fail_at(const ctx *c, int64_t line,
                                                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(c, line, fmt, ap);
    va_end(ap);
    return -1;
}

/* A field as shown between quotes in a message: at most QUOTE_MAX bytes (cut before a
 * UTF-8 continuation byte, then "..."), control characters and quotes as '?', so that the
 * message stays one line whatever the file holds. dst needs QUOTE_MAX + 4 bytes. */
static void quote(char *dst, const char *s, size_t len)
{
    size_t n = len;
    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)s[k];
        dst[k] = ch < 0x20 || ch == 0x7F || ch == '\'' ? '?' : (char)ch;
    }
    strcpy(dst + n, n < len ? "..." : "");
}

static const char *plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

/* ---- Reading ----------------------------------------------------------------------- */

/* Up to n bytes at offset off into buf; *got says how many there were. 0, or -1 (message
 * set) on a read error. */
static int read_at(const ctx *c, void *buf, size_t n, uint64_t off, size_t *got)
{
    *got = 0;
    if (c->mem) {
        if (off < c->memsize)
            *got = n < c->memsize - off ? n : (size_t)(c->memsize - off);
        if (*got)
            memcpy(buf, c->mem + off, *got);
        return 0;
    }
    while (*got < n) {
        ssize_t r = pread(c->fd, (char *)buf + *got, n - *got, (off_t)(off + *got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return fail(c, "cannot read: %s", strerror(errno));
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return 0;
}

/* Lines of a CSV file, read in chunks into one buffer that grows only for a line longer
 * than it; `scan` remembers how far the current line was searched for its end, so a long
 * line costs linear time. A line ends at LF, CRLF or CR. */
typedef struct lines {
    const ctx *c;
    char *buf;
    size_t cap, start, end, scan;
    uint64_t off;               /* file offset of buf[end] */
    bool eof, skip_lf;          /* skip_lf: the last line ended with CR; drop a LF after it */
    int64_t lineno;
} lines;

/* Moves the unread part to the front, grows the buffer if it is full, reads more. */
static int fill(lines *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->scan -= r->start;
        r->start = 0;
    }
    if (r->end + 1 >= r->cap) {
        if (r->cap > SIZE_MAX / 2)
            return fail(r->c, "out of memory (a line is too long)");
        char *grown = realloc(r->buf, r->cap * 2);
        if (!grown)
            return fail(r->c, "out of memory (a line is too long)");
        r->buf = grown;
        r->cap *= 2;
    }
    size_t got;
    if (read_at(r->c, r->buf + r->end, r->cap - 1 - r->end, r->off, &got) != 0)
        return -1;
    r->eof = got == 0;
    r->end += got;
    r->off += got;
    return 0;
}

/* The next line, NUL-terminated in place, without its line end: 1, 0 at the end of the
 * file, -1 on a read error. The line stays valid until the next call. */
static int next_line(lines *r, char **line, size_t *len)
{
    for (;;) {
        if (r->skip_lf && r->start == r->end && !r->eof) {
            if (fill(r) != 0)
                return -1;
            continue;
        }
        if (r->skip_lf) {
            if (r->start < r->end && r->buf[r->start] == '\n')
                r->start++;
            r->skip_lf = false;
        }
        size_t p = r->scan > r->start ? r->scan : r->start;
        while (p < r->end && r->buf[p] != '\n' && r->buf[p] != '\r')
            p++;
        if (p < r->end || (r->eof && r->start < r->end)) {
            r->skip_lf = p < r->end && r->buf[p] == '\r';
            r->buf[p] = '\0';       /* p < cap: fill keeps one byte free */
            *line = r->buf + r->start;
            *len = p - r->start;
            r->start = r->scan = p < r->end ? p + 1 : p;
            r->lineno++;
            return 1;
        }
        r->scan = p;
        if (r->eof)
            return 0;
        if (fill(r) != 0)
            return -1;
    }
}

/* ---- Fields ------------------------------------------------------------------------ */

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Splits off the field at *p (up to the next comma or lim), trims blanks, NUL-terminates
 * it and advances *p past the comma. */
static char *field(char **p, char *lim, size_t *len)
{
    char *a = *p;
    char *comma = memchr(a, ',', (size_t)(lim - a));
    char *b = comma ? comma : lim;
    *p = comma ? comma + 1 : lim;
    while (a < b && is_blank(*a))
        a++;
    while (b > a && is_blank(b[-1]))
        b--;
    *b = '\0';
    *len = (size_t)(b - a);
    return a;
}

static int64_t count_fields(const char *line, size_t len)
{
    int64_t n = 1;
    for (const char *p = line; (p = memchr(p, ',', len - (size_t)(p - line))) != NULL; p++)
        n++;
    return n;
}

/* A number field times the scale into *v. `what` names the field in the message ("column
 * 2" or "weight"), `colon` follows it; `hint` is appended when the field is not a number. */
static int number(const ctx *c, int64_t line, const char *what, const char *colon,
                  const char *tok, size_t len, const char *hint, double *v)
{
    if (len == 0)
        return fail_at(c, line, "%s is empty, expected a number", what);
    char *end;
    double x = strtod(tok, &end);
    *v = x * c->scale;
    if (end == tok + len && isfinite(*v))
        return 0;
    char q[QUOTE_MAX + 4];
    quote(q, tok, len);
    if (end != tok + len)
        return fail_at(c, line, "%s%s '%s' is not a number%s", what, colon, q, hint);
    if (!isfinite(x))
        return fail_at(c, line, "%s%s '%s' is not a finite number", what, colon, q);
    return fail_at(c, line, "%s%s '%s' times the unit's scale %g is not a finite number", what,
                   colon, q, c->scale);
}

/* A sparse index in [0, n): `which` is "pre" or "post", `side` "pre-synaptic" or
 * "post-synaptic". */
static int sparse_index(const ctx *c, int64_t line, const char *which, const char *side,
                        int64_t n, const char *tok, size_t len, int32_t *idx)
{
    char q[QUOTE_MAX + 4];
    if (len == 0)
        return fail_at(c, line, "%s index is empty, expected an integer", which);
    char *end;
    errno = 0;
    long long i = strtoll(tok, &end, 10);
    quote(q, tok, len);
    if (end != tok + len)
        return fail_at(c, line, "%s index '%s' is not an integer", which, q);
    if (errno == ERANGE)
        return fail_at(c, line, "%s index '%s' is outside 0..%" PRId64 " (%" PRId64 " %s neuron%s)",
                       which, q, n - 1, n, side, plural(n));
    if (i < 0 || i >= n)
        return fail_at(c, line, "%s index %lld is outside 0..%" PRId64 " (%" PRId64 " %s neuron%s)",
                       which, i, n - 1, n, side, plural(n));
    *idx = (int32_t)i;
    return 0;
}

/* ---- Dense CSV --------------------------------------------------------------------- */

/* Refuses a dense shape whose doubles would pass NRT_WFILE_MAX_BYTES. */
static int check_dense_size(const ctx *c)
{
    uint64_t limit_values = NRT_WFILE_MAX_BYTES / sizeof(double);
    if ((uint64_t)c->rows > limit_values / (uint64_t)c->cols ||
        (uint64_t)c->rows * (uint64_t)c->cols > SIZE_MAX / sizeof(double))
        return fail(c, "a %" PRId64 " x %" PRId64 " weight matrix would need %.3g bytes, more "
                    "than the limit of %" PRIu64 " bytes", c->rows, c->cols,
                    (double)c->rows * (double)c->cols * sizeof(double), NRT_WFILE_MAX_BYTES);
    return 0;
}

typedef struct dense_rows {
    double *v;
    size_t cap;                 /* values allocated, at most rows*cols */
    int64_t nrows;              /* data lines seen, counting those past `rows` */
} dense_rows;

/* One data line of a dense CSV: `cols` numbers, becoming row nrows. */
static int dense_line(const ctx *c, dense_rows *d, int64_t line, char *text, size_t len)
{
    if (d->nrows >= c->rows) {
        d->nrows++;             /* counted for the message at the end */
        return 0;
    }
    int64_t n = count_fields(text, len);
    if (n != c->cols)
        return fail_at(c, line, "expected %" PRId64 " value%s (one per post-synaptic neuron), "
                       "found %" PRId64, c->cols, plural(c->cols), n);
    size_t need = (size_t)(d->nrows + 1) * (size_t)c->cols;
    if (need > d->cap) {
        size_t all = (size_t)c->rows * (size_t)c->cols;
        size_t cap = d->cap * 2 > need ? d->cap * 2 : need;
        cap = cap < all ? cap : all;
        double *grown = realloc(d->v, cap * sizeof *grown);
        if (!grown)
            return fail(c, "out of memory reading a %" PRId64 " x %" PRId64 " matrix", c->rows,
                        c->cols);
        d->v = grown;
        d->cap = cap;
    }
    double *row = d->v + (size_t)d->nrows * (size_t)c->cols;
    const char *hint = d->nrows == 0 ? " (a dense matrix has no header line; a sparse list "
                                       "starts with the header pre,post,weight)" : "";
    char *p = text, *lim = text + len;
    for (int64_t j = 0; j < c->cols; j++) {
        char what[32];
        size_t flen;
        char *tok = field(&p, lim, &flen);
        snprintf(what, sizeof what, "column %" PRId64, j + 1);
        if (number(c, line, what, ":", tok, flen, hint, &row[j]) != 0)
            return -1;
    }
    d->nrows++;
    return 0;
}

static int dense_finish(const ctx *c, dense_rows *d, nrt_wfile *out)
{
    if (d->nrows != c->rows)
        return fail(c, "expected %" PRId64 " row%s (one per pre-synaptic neuron), found %" PRId64,
                    c->rows, plural(c->rows), d->nrows);
    out->sparse = false;
    out->dense = d->v;
    d->v = NULL;
    return 0;
}

/* ---- Sparse CSV -------------------------------------------------------------------- */

typedef struct entry {
    int32_t pre, post;
    int64_t line;
    double w;
} entry;

typedef struct sparse_list {
    entry *e;
    size_t n, cap;
} sparse_list;

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->pre != b->pre)
        return a->pre < b->pre ? -1 : 1;
    if (a->post != b->post)
        return a->post < b->post ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* True for the sparse header: "pre,post,weight", blanks allowed around the names. Works on
 * a copy, since a line that is not the header is read again as data. */
static bool is_sparse_header(const char *text, size_t len)
{
    static const char *const names[3] = {"pre", "post", "weight"};
    char buf[65];
    if (len >= sizeof buf || count_fields(text, len) != 3)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *p = buf;
    for (int k = 0; k < 3; k++) {
        size_t flen;
        if (strcmp(field(&p, buf + len, &flen), names[k]) != 0)
            return false;
    }
    return true;
}

/* One data line of a sparse CSV: "i,j,w". */
static int sparse_line(const ctx *c, sparse_list *s, int64_t line, char *text, size_t len)
{
    int64_t n = count_fields(text, len);
    if (n != 3)
        return fail_at(c, line, "expected 3 values (pre,post,weight), found %" PRId64, n);
    char *p = text, *lim = text + len;
    size_t l0, l1, l2;
    char *t0 = field(&p, lim, &l0), *t1 = field(&p, lim, &l1), *t2 = field(&p, lim, &l2);
    entry e = {.line = line};
    if (sparse_index(c, line, "pre", "pre-synaptic", c->rows, t0, l0, &e.pre) != 0 ||
        sparse_index(c, line, "post", "post-synaptic", c->cols, t1, l1, &e.post) != 0 ||
        number(c, line, "weight", "", t2, l2, "", &e.w) != 0)
        return -1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        entry *grown = cap <= SIZE_MAX / sizeof *grown ? realloc(s->e, cap * sizeof *grown) : NULL;
        if (!grown)
            return fail(c, "out of memory reading %zu sparse entries", s->n);
        s->e = grown;
        s->cap = cap;
    }
    s->e[s->n++] = e;
    return 0;
}

/* Sorts by (pre, post), refuses a repeated pair (the one whose second mention comes first
 * in the file), and moves the entries into out. */
static int sparse_finish(const ctx *c, sparse_list *s, nrt_wfile *out)
{
    if (s->n > 0)
        qsort(s->e, s->n, sizeof *s->e, cmp_entry);
    const entry *dup = NULL;
    for (size_t k = 1; k < s->n; k++) {
        const entry *a = &s->e[k - 1], *b = &s->e[k];
        if (a->pre == b->pre && a->post == b->post && (!dup || b->line < dup[1].line))
            dup = a;
    }
    if (dup)
        return fail_at(c, dup[1].line, "duplicate entry pre %d, post %d (already given on "
                       "line %" PRId64 ")", (int)dup->pre, (int)dup->post, dup->line);
    size_t n = s->n ? s->n : 1;
    out->pre = malloc(n * sizeof *out->pre);
    out->post = malloc(n * sizeof *out->post);
    out->w = malloc(n * sizeof *out->w);
    if (!out->pre || !out->post || !out->w)
        return fail(c, "out of memory for %zu sparse entries", s->n);
    for (size_t k = 0; k < s->n; k++) {
        out->pre[k] = s->e[k].pre;
        out->post[k] = s->e[k].post;
        out->w[k] = s->e[k].w;
    }
    out->sparse = true;
    out->nnz = (int64_t)s->n;
    return 0;
}

/* ---- CSV --------------------------------------------------------------------------- */

/* True for a line with nothing but blanks, or whose first non-blank character is '#'. */
static bool is_skipped(const char *text)
{
    while (is_blank(*text))
        text++;
    return *text == '\0' || *text == '#';
}

/* A CSV file: the first data line decides dense or sparse. */
static int read_csv(const ctx *c, nrt_wfile *out)
{
    lines r = {.c = c, .cap = CHUNK};
    dense_rows d = {0};
    sparse_list s = {0};
    enum { UNDECIDED, DENSE, SPARSE } mode = UNDECIDED;
    r.buf = malloc(r.cap);
    if (!r.buf)
        return fail(c, "out of memory");
    char *text;
    size_t len;
    int more = 0, rc = 0;
    while (rc == 0 && (more = next_line(&r, &text, &len)) == 1) {
        if (r.lineno == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;
            len -= 3;
        }
        if (memchr(text, '\0', len)) {
            rc = fail_at(c, r.lineno, "the line contains a NUL byte (is this a binary file?)");
        } else if (is_skipped(text)) {
            continue;
        } else if (mode == UNDECIDED && is_sparse_header(text, len)) {
            mode = SPARSE;
        } else {
            if (mode == UNDECIDED) {
                mode = DENSE;
                rc = check_dense_size(c);
            }
            if (rc == 0)
                rc = mode == DENSE ? dense_line(c, &d, r.lineno, text, len)
                                   : sparse_line(c, &s, r.lineno, text, len);
            /* more entries than pairs: a pair is repeated by now, and sparse_finish names
             * the same one as after the whole file; memory stays within rows*cols entries */
            if (mode == SPARSE && (uint64_t)s.n > (uint64_t)c->rows * (uint64_t)c->cols)
                break;
        }
    }
    if (rc == 0 && more < 0)
        rc = -1;
    if (rc == 0 && mode == SPARSE) {
        rc = sparse_finish(c, &s, out);
    } else if (rc == 0) {
        if (mode == UNDECIDED)
            rc = check_dense_size(c);
        if (rc == 0)
            rc = dense_finish(c, &d, out);
    }
    free(r.buf);
    free(d.v);
    free(s.e);
    return rc;
}

/* ---- NPY header: a Python dict literal --------------------------------------------- */

/* The values a header holds: strings, integers, names (True, False, None), tuples and
 * lists (whose integer items are kept, for 'shape'), and nested dicts (skipped). */
typedef enum { PY_STR, PY_INT, PY_NAME, PY_TUPLE, PY_LIST, PY_DICT } pykind;

typedef struct pyval {
    pykind kind;
    const char *s;              /* PY_STR (between the quotes, escapes as written), PY_NAME */
    size_t len;
    int64_t i;                  /* PY_INT */
    int64_t nitems;             /* PY_TUPLE, PY_LIST */
    bool all_ints;              /* every item an integer, and at most PY_MAX_DIMS of them */
    int64_t dims[PY_MAX_DIMS];
} pyval;

typedef struct pyparse {
    const char *p, *end;
    const char *why;            /* set with the position when parsing fails */
} pyparse;

static int py_error(pyparse *pp, const char *why)
{
    pp->why = why;
    return -1;
}

static bool py_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool py_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool py_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static void py_skip(pyparse *pp)
{
    while (pp->p < pp->end && py_space(*pp->p))
        pp->p++;
}

/* True when the next non-space character is ch, consumed. */
static bool py_eat(pyparse *pp, char ch)
{
    py_skip(pp);
    if (pp->p < pp->end && *pp->p == ch) {
        pp->p++;
        return true;
    }
    return false;
}

static int py_value(pyparse *pp, pyval *v, int depth);

/* string -> [ubrUBR] ( '...' | "..." ), a backslash escaping the next character */
static int py_string(pyparse *pp, pyval *v)
{
    if (*pp->p != '\'' && *pp->p != '"')
        pp->p++;
    char q = *pp->p++;
    const char *start = pp->p;
    while (pp->p < pp->end && *pp->p != q)
        pp->p += *pp->p == '\\' && pp->p + 1 < pp->end ? 2 : 1;
    if (pp->p >= pp->end)
        return py_error(pp, "unterminated string");
    v->kind = PY_STR;
    v->s = start;
    v->len = (size_t)(pp->p - start);
    pp->p++;
    return 0;
}

/* int -> [+-]? digit+ [lL]? */
static int py_int(pyparse *pp, pyval *v)
{
    bool neg = *pp->p == '-';
    if (*pp->p == '-' || *pp->p == '+')
        pp->p++;
    if (pp->p >= pp->end || !py_digit(*pp->p))
        return py_error(pp, "expected a digit");
    int64_t x = 0;
    for (; pp->p < pp->end && py_digit(*pp->p); pp->p++) {
        int dig = *pp->p - '0';
        if (x > (INT64_MAX - dig) / 10)
            return py_error(pp, "integer too large");
        x = x * 10 + dig;
    }
    if (pp->p < pp->end && (*pp->p == 'L' || *pp->p == 'l'))
        pp->p++;                /* Python 2 long */
    v->kind = PY_INT;
    v->i = neg ? -x : x;
    return 0;
}

/* tuple -> '(' [value (',' value)* ','?] ')'; list the same in '[' ']'. "(x)" is x. */
static int py_seq(pyparse *pp, pyval *v, int depth)
{
    char close = *pp->p == '(' ? ')' : ']';
    pykind kind = close == ')' ? PY_TUPLE : PY_LIST;
    pp->p++;
    v->kind = kind;
    v->nitems = 0;
    v->all_ints = true;
    bool comma = false;
    pyval first, item;
    while (!py_eat(pp, close)) {
        if (v->nitems > 0 && !comma)
            return py_error(pp, close == ')' ? "expected ',' or ')'" : "expected ',' or ']'");
        if (py_value(pp, &item, depth + 1) != 0)
            return -1;
        if (v->nitems == 0)
            first = item;
        if (item.kind == PY_INT && v->nitems < PY_MAX_DIMS)
            v->dims[v->nitems] = item.i;
        else
            v->all_ints = false;
        v->nitems++;
        comma = py_eat(pp, ',');
    }
    if (kind == PY_TUPLE && v->nitems == 1 && !comma)
        *v = first;
    return 0;
}

/* dict -> '{' [value ':' value (',' value ':' value)* ','?] '}', contents skipped */
static int py_dict(pyparse *pp, pyval *v, int depth)
{
    pp->p++;
    bool first = true, comma = false;
    pyval key, val;
    while (!py_eat(pp, '}')) {
        if (!first && !comma)
            return py_error(pp, "expected ',' or '}'");
        if (py_value(pp, &key, depth + 1) != 0)
            return -1;
        if (!py_eat(pp, ':'))
            return py_error(pp, "expected ':' after a key");
        if (py_value(pp, &val, depth + 1) != 0)
            return -1;
        first = false;
        comma = py_eat(pp, ',');
    }
    v->kind = PY_DICT;
    return 0;
}

static int py_value(pyparse *pp, pyval *v, int depth)
{
    if (depth > PY_MAX_DEPTH)
        return py_error(pp, "nested too deeply");
    py_skip(pp);
    if (pp->p >= pp->end)
        return py_error(pp, "expected a value");
    char ch = *pp->p;
    bool prefixed = ch && strchr("ubrUBR", ch) && pp->p + 1 < pp->end &&
                    (pp->p[1] == '\'' || pp->p[1] == '"');
    if (ch == '\'' || ch == '"' || prefixed)
        return py_string(pp, v);
    if (ch == '-' || ch == '+' || py_digit(ch))
        return py_int(pp, v);
    if (py_letter(ch)) {
        v->kind = PY_NAME;
        v->s = pp->p;
        while (pp->p < pp->end && (py_letter(*pp->p) || py_digit(*pp->p)))
            pp->p++;
        v->len = (size_t)(pp->p - v->s);
        return 0;
    }
    if (ch == '(' || ch == '[')
        return py_seq(pp, v, depth);
    if (ch == '{')
        return py_dict(pp, v, depth);
    return py_error(pp, "unexpected character");
}

static bool py_is(const pyval *v, pykind kind, const char *text)
{
    return v->kind == kind && v->len == strlen(text) && memcmp(v->s, text, v->len) == 0;
}

/* The three keys NumPy writes; others are ignored. */
typedef struct npy_dict {
    pyval val[3];               /* descr, fortran_order, shape */
    bool has[3];
} npy_dict;

static const char *const npy_keys[3] = {"descr", "fortran_order", "shape"};

/* header -> '{' (string ':' value ',')* '}' space* */
static int npy_parse(pyparse *pp, npy_dict *h)
{
    if (!py_eat(pp, '{'))
        return py_error(pp, "expected '{'");
    bool first = true, comma = false;
    pyval key, val;
    while (!py_eat(pp, '}')) {
        if (!first && !comma)
            return py_error(pp, "expected ',' or '}'");
        py_skip(pp);
        const char *at = pp->p;
        if (py_value(pp, &key, 1) != 0)
            return -1;
        if (key.kind != PY_STR)
            return py_error(pp, "a key is not a string");
        if (!py_eat(pp, ':'))
            return py_error(pp, "expected ':' after a key");
        if (py_value(pp, &val, 1) != 0)
            return -1;
        for (int k = 0; k < 3; k++) {
            if (!py_is(&key, PY_STR, npy_keys[k]))
                continue;
            if (h->has[k]) {
                pp->p = at;
                return py_error(pp, "a key is given twice");
            }
            h->has[k] = true;
            h->val[k] = val;
        }
        first = false;
        comma = py_eat(pp, ',');
    }
    py_skip(pp);
    if (pp->p != pp->end)
        return py_error(pp, "unexpected text after the dict");
    return 0;
}

/* "(3, 2)", "(12,)", "()" as Python prints a tuple (a list in brackets). */
static void format_shape(const pyval *v, char *buf, size_t size)
{
    bool list = v->kind == PY_LIST;
    size_t n = (size_t)snprintf(buf, size, "%c", list ? '[' : '(');
    for (int64_t k = 0; k < v->nitems && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, "%s%" PRId64, k ? ", " : "", v->dims[k]);
    if (n < size)
        snprintf(buf + n, size - n, "%s%c", !list && v->nitems == 1 ? "," : "", list ? ']' : ')');
}

/* Checks descr, fortran_order and shape against the expected matrix. */
static int npy_check(const ctx *c, const npy_dict *h, size_t *item, bool *fortran)
{
    for (int k = 0; k < 3; k++)
        if (!h->has[k])
            return fail(c, "the header has no '%s'", npy_keys[k]);
    const pyval *descr = &h->val[0], *order = &h->val[1], *shape = &h->val[2];
    if (descr->kind == PY_LIST)
        return fail(c, "dtype is a structured (record) type, which is not supported: weight "
                    "matrices must be float64 ('<f8') or float32 ('<f4')");
    if (descr->kind != PY_STR)
        return fail(c, "the header's 'descr' is not a string");
    char q[QUOTE_MAX + 4];
    quote(q, descr->s, descr->len);
    const char *d = descr->s;
    bool float_type = descr->len == 3 && d[1] == 'f' && (d[2] == '8' || d[2] == '4');
    if (float_type && d[0] == '>')
        return fail(c, "dtype '%s' is big-endian, which is not supported: %s must be "
                    "little-endian float64 ('<f8') or float32 ('<f4')", q,
                    c->table ? "tables" : "weight matrices");
    if (!float_type || d[0] == '\0' || !strchr("<=|", d[0]))
        return fail(c, "dtype '%s' is not supported: %s must be float64 ('<f8') or float32 "
                    "('<f4')", q, c->table ? "tables" : "weight matrices");
    *item = d[2] == '8' ? 8 : 4;
    if (py_is(order, PY_NAME, "True") || py_is(order, PY_NAME, "False"))
        *fortran = order->s[0] == 'T';
    else
        return fail(c, "the header's 'fortran_order' is not True or False");
    if ((shape->kind != PY_TUPLE && shape->kind != PY_LIST) || !shape->all_ints)
        return fail(c, "the header's 'shape' is not a tuple of integers");
    char got[PY_MAX_DIMS * 24];
    format_shape(shape, got, sizeof got);
    if (c->table && shape->nitems == 1 && shape->dims[0] == c->rows && c->cols == 1)
        return 0;
    if (shape->nitems != 2)
        return fail(c, "shape %s has %" PRId64 " dimension%s: a weight matrix must be 2-D, "
                    "expected (%" PRId64 ", %" PRId64 ") (pre-synaptic x post-synaptic)",
                    got, shape->nitems, plural(shape->nitems), c->rows, c->cols);
    if (shape->dims[0] != c->rows || shape->dims[1] != c->cols) {
        bool transposed = shape->dims[0] == c->cols && shape->dims[1] == c->rows;
        return fail(c, "shape %s does not match the populations: expected (%" PRId64 ", %"
                    PRId64 ") (pre-synaptic x post-synaptic)%s", got, c->rows, c->cols,
                    transposed ? "; the file holds the transpose" : "");
    }
    return 0;
}

/* ---- NPY data ---------------------------------------------------------------------- */

static double le_value(const unsigned char *b, size_t item)
{
    if (item == 8) {
        uint64_t u = 0;
        for (int k = 7; k >= 0; k--)
            u = u << 8 | b[k];
        double x;
        memcpy(&x, &u, sizeof x);
        return x;
    }
    uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Reads rows*cols values of `item` bytes from `off` into row-major out->dense, then checks
 * and scales them in (pre, post) order. */
static int npy_data(const ctx *c, uint64_t off, uint64_t avail, size_t item, bool fortran,
                    nrt_wfile *out)
{
    size_t n = (size_t)c->rows * (size_t)c->cols;
    uint64_t need = (uint64_t)n * item;
    if (avail < need)
        return fail(c, "data is truncated: expected %" PRIu64 " bytes, found %" PRIu64, need,
                    avail);
    if (avail > need)
        return fail(c, "expected %" PRIu64 " bytes of data, found %" PRIu64 " (more than the "
                    "shape holds)", need, avail);
    double *m = malloc(n * sizeof *m);
    unsigned char *buf = malloc(CHUNK);
    if (!m || !buf) {
        free(m);
        free(buf);
        return fail(c, "out of memory for a %" PRId64 " x %" PRId64 " matrix", c->rows, c->cols);
    }
    out->dense = m;
    size_t per = CHUNK / item, k = 0, r = 0, col = 0;
    while (k < n) {
        size_t want = n - k < per ? n - k : per, got;
        if (read_at(c, buf, want * item, off + (uint64_t)k * item, &got) != 0)
            break;
        if (got < want * item) {
            fail(c, "data is truncated: expected %" PRIu64 " bytes, found %" PRIu64, need,
                 (uint64_t)k * item + got);
            break;
        }
        for (size_t t = 0; t < want; t++, k++) {
            if (!fortran) {
                m[k] = le_value(buf + t * item, item);
                continue;
            }
            m[r * (size_t)c->cols + col] = le_value(buf + t * item, item);
            if (++r == (size_t)c->rows) {
                r = 0;
                col++;
            }
        }
    }
    free(buf);
    if (k < n)
        return -1;
    for (size_t j = 0; j < n; j++) {
        double x = m[j];
        int64_t pre = (int64_t)(j / (size_t)c->cols), post = (int64_t)(j % (size_t)c->cols);
        if (!isfinite(x))
            return fail(c, "entry (pre %" PRId64 ", post %" PRId64 ") is not a finite number "
                        "(%g)", pre, post, x);
        m[j] = x * c->scale;
        if (!isfinite(m[j]))
            return fail(c, "entry (pre %" PRId64 ", post %" PRId64 "): %g times the unit's "
                        "scale %g is not a finite number", pre, post, x, c->scale);
    }
    return 0;
}

/* A table's shape is the file's: (samples,) is one column, (samples, neurons) a column per
 * neuron (LANGUAGE.md §3 "Tables"); npy_check then checks the rest as for a matrix. */
static int table_shape(ctx *c, const npy_dict *h)
{
    const pyval *shape = &h->val[2];
    if (!h->has[2] || (shape->kind != PY_TUPLE && shape->kind != PY_LIST) || !shape->all_ints)
        return 0;   /* npy_check says what is wrong */
    char got[PY_MAX_DIMS * 24];
    format_shape(shape, got, sizeof got);
    if (shape->nitems != 1 && shape->nitems != 2)
        return fail(c, "shape %s has %" PRId64 " dimension%s: a table must be 1-D (samples) or "
                    "2-D (samples x neurons)", got, shape->nitems, plural(shape->nitems));
    c->rows = shape->dims[0];
    c->cols = shape->nitems == 2 ? shape->dims[1] : 1;
    if (c->rows < 1 || c->cols < 1 || c->rows > INT32_MAX || c->cols > INT32_MAX)
        return fail(c, "shape %s: a table needs at least one sample (and one column)", got);
    if (check_dense_size(c) != 0)
        return -1;
    /* npy_check compares a 2-D shape with rows x cols: give it the table's own */
    return 0;
}

/* A .npy file of `size` bytes: the prefix (magic, version, header length), the header dict,
 * then the data. */
static int read_npy(const ctx *c, uint64_t size, nrt_wfile *out)
{
    if (!c->table && check_dense_size(c) != 0)
        return -1;
    unsigned char pre[12];
    size_t got;
    if (read_at(c, pre, sizeof pre, 0, &got) != 0)
        return -1;
    if (got < 8)
        return fail(c, "the header is truncated: the file has only %zu bytes", got);
    if (pre[7] != 0 || pre[6] < 1 || pre[6] > 3)
        return fail(c, "NPY format version %u.%u is not supported (1.0, 2.0 and 3.0 are)",
                    pre[6], pre[7]);
    size_t prefix = pre[6] == 1 ? 10 : 12;
    if (got < prefix)
        return fail(c, "the header is truncated: the file has only %zu bytes", got);
    uint64_t hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
    if (prefix == 12)
        hlen |= (uint64_t)pre[10] << 16 | (uint64_t)pre[11] << 24;
    if (size < prefix || hlen > size - prefix)
        return fail(c, "the header length (%" PRIu64 " bytes) goes past the end of the file (%"
                    PRIu64 " bytes)", hlen, size);
    if (hlen > NPY_MAX_HEADER)
        return fail(c, "the header length (%" PRIu64 " bytes) is too large (over %d)", hlen,
                    NPY_MAX_HEADER);
    char *text = malloc(hlen ? (size_t)hlen : 1);
    if (!text)
        return fail(c, "out of memory");
    int rc = read_at(c, text, (size_t)hlen, prefix, &got);
    if (rc == 0 && got < hlen)
        rc = fail(c, "the header length (%" PRIu64 " bytes) goes past the end of the file (%"
                  PRIu64 " bytes)", hlen, (uint64_t)(prefix + got));
    npy_dict h;
    memset(&h, 0, sizeof h);
    pyparse pp = {text, text + hlen, NULL};
    if (rc == 0 && npy_parse(&pp, &h) != 0)
        rc = fail(c, "malformed header: %s (at byte %td of the header)", pp.why, pp.p - text);
    size_t item = 8;
    bool fortran = false;
    ctx shaped = *c;
    if (rc == 0 && c->table)
        rc = table_shape(&shaped, &h);
    if (rc == 0)
        rc = npy_check(&shaped, &h, &item, &fortran);
    free(text);
    if (rc == 0)
        rc = npy_data(&shaped, prefix + hlen, size - prefix - hlen, item, fortran, out);
    out->rows = shaped.rows;
    out->cols = shaped.cols;
    out->ndim = c->table && h.has[2] ? (int)h.val[2].nitems : 2;
    return rc;
}

/* ---- The file ---------------------------------------------------------------------- */

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "not a regular file (it is a directory)";
    if (S_ISFIFO(mode))
        return "not a regular file (it is a FIFO)";
    if (S_ISCHR(mode))
        return "not a regular file (it is a character device)";
    if (S_ISBLK(mode))
        return "not a regular file (it is a block device)";
    if (S_ISSOCK(mode))
        return "not a regular file (it is a socket)";
    return "not a regular file";
}

static bool ends_with_npy(const char *path)
{
    size_t n = strlen(path);
    if (n < 4)
        return false;
    const char *e = path + n - 4;
    return e[0] == '.' && (e[1] | 0x20) == 'n' && (e[2] | 0x20) == 'p' && (e[3] | 0x20) == 'y';
}

/* Opens a regular file without blocking, and reads it as NPY or CSV. */
static int read_file(ctx *c, nrt_wfile *out)
{
    struct stat st;
    if (stat(c->path, &st) != 0)
        return fail(c, "cannot open: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail(c, "%s", file_kind(st.st_mode));
    c->fd = open(c->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (c->fd < 0)
        return fail(c, "cannot open: %s", strerror(errno));
    int rc;
    unsigned char magic[6];
    size_t got = 0;
    if (fstat(c->fd, &st) != 0)
        rc = fail(c, "cannot read: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = fail(c, "%s", file_kind(st.st_mode));
    else
        rc = read_at(c, magic, sizeof magic, 0, &got);
    if (rc == 0) {
        if (got == sizeof magic && memcmp(magic, "\x93NUMPY", sizeof magic) == 0)
            rc = read_npy(c, (uint64_t)st.st_size, out);
        else if (ends_with_npy(c->path))
            rc = fail(c, "not a NumPy .npy file (it does not start with the magic string "
                      "\\x93NUMPY)");
        else
            rc = read_csv(c, out);
    }
    close(c->fd);
    c->fd = -1;
    return rc;
}

/* The checks and clean-up both entry points share around `read`. */
static int read_checked(ctx *c, nrt_wfile *out, int (*read)(ctx *, nrt_wfile *))
{
    if (c->msg && c->msgsize)
        c->msg[0] = '\0';
    if (!out)
        return fail(c, "no file to read");
    memset(out, 0, sizeof *out);
    if (!c->table && (c->rows < 1 || c->cols < 1 || c->rows > INT32_MAX || c->cols > INT32_MAX))
        return fail(c, "populations of %" PRId64 " and %" PRId64 " neurons cannot index a "
                    "weight matrix (each must be 1..%" PRId32 ")", c->rows, c->cols, INT32_MAX);
    if (!isfinite(c->scale))
        return fail(c, "the unit's scale %g is not a finite number", c->scale);
    if (read(c, out) != 0) {
        nrt_wfile_free(out);
        return -1;
    }
    if (!c->table) {
        out->rows = c->rows;
        out->cols = c->cols;
    }
    return 0;
}

/* A table's NPY file: read_file, but NPY only and any 1-D or 2-D shape. */
static int read_table_file(ctx *c, nrt_wfile *out)
{
    if (!ends_with_npy(c->path))
        return fail(c, "not a .npy file");
    return read_file(c, out);
}

/* A file in memory is read as NPY or CSV exactly as read_file reads one on disk. */
static int read_mem(ctx *c, nrt_wfile *out)
{
    if (c->memsize >= 6 && memcmp(c->mem, "\x93NUMPY", 6) == 0)
        return read_npy(c, c->memsize, out);
    if (ends_with_npy(c->path))
        return fail(c, "not a NumPy .npy file (it does not start with the magic string \\x93NUMPY)");
    return read_csv(c, out);
}

int nrt_wfile_read(nrt_wfile *out, const char *path, int64_t rows, int64_t cols, double scale,
                   char *msg, size_t msgsize)
{
    ctx c = {path ? path : "(no path)", -1, NULL, 0, rows, cols, scale, msg, msgsize, false};
    if (!path)
        return fail(&c, "no file to read");
    return read_checked(&c, out, read_file);
}

int nrt_wfile_read_mem(nrt_wfile *out, const char *name, const void *data, size_t size,
                       int64_t rows, int64_t cols, double scale, char *msg, size_t msgsize)
{
    static const unsigned char empty[1];
    ctx c = {name ? name : "(memory)", -1, data ? data : empty, data ? size : 0, rows, cols, scale,
             msg, msgsize, false};
    return read_checked(&c, out, read_mem);
}

int nrt_wfile_read_table(nrt_wfile *out, const char *path, double scale, char *msg, size_t msgsize)
{
    ctx c = {path ? path : "(no path)", -1, NULL, 0, 0, 0, scale, msg, msgsize, true};
    if (!path)
        return fail(&c, "no file to read");
    return read_checked(&c, out, read_table_file);
}

void nrt_wfile_free(nrt_wfile *wf)
{
    if (!wf)
        return;
    free(wf->dense);
    free(wf->pre);
    free(wf->post);
    free(wf->w);
    memset(wf, 0, sizeof *wf);
}
