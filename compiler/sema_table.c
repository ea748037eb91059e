/* Tables (LANGUAGE.md §3 "Tables"): `table NAME = [v0, v1, ...] UNIT every T`,
 * `= file "x.csv" UNIT` and `= file "x.npy" UNIT every T`, and their uses NAME(t) /
 * NAME(t, i).
 *
 * The data are read here, at compile time, so that every error in a file is reported by
 * `nrnc check` with the file and row, and so that the samples can be stored once in the
 * generated module as constant data (a built simulator embeds them and needs no file).
 * Every table ends up regular: samples every `step` seconds from t = 0, so that a use is
 * one index computation and one array load. A CSV file's own times are put on the
 * coarsest grid that holds all of them (each value repeated until the next time), which
 * is exact for the last-sample-at-or-before rule at every time, not only at steps.
 *
 * CSV: a header `t_ms,value` (one column) or `t_ms,0,1,...` (a column per neuron, named by
 * its index in order; the time column may be t_s, t_ms or t_us), then one row per sample.
 * Blank lines and lines starting with '#' are skipped. NPY files are read by the weight
 * file reader (runtime/wfile.c, nrt_wfile_read_table). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "sema_expr.h"
#include "wfile.h"

enum { TABLE_MAX_SAMPLES = 1 << 26 };   /* after resampling to the common grid: 512 MiB */

/* A field of a CSV row: [p, end) with blanks trimmed. */
static void trim(const char **p, const char **end)
{
    while (*p < *end && (**p == ' ' || **p == '\t'))
        (*p)++;
    while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

static bool parse_number(const char *p, const char *end, double *out)
{
    char buf[128];
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *stop;
    errno = 0;
    *out = strtod(buf, &stop);
    return *stop == '\0' && isfinite(*out);
}

typedef struct CsvRead {
    SemaProgram *prog;
    Diags *d;
    NrnLoc at;              /* the path in the source: errors point there */
    const char *path;
    int64_t cols;           /* -1: one column ('value'); else the neuron columns */
    double time_scale;      /* seconds per unit of the time column */
    double *t, *v;
    int64_t n, cap;
} CsvRead;

static bool csv_fail(CsvRead *r, int64_t line, const char *fmt, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail);
    diag_error(r->d, r->at, "%s:%" PRId64 ": %s", r->path, line, msg);
    return false;
}

static bool csv_header(CsvRead *r, int64_t line, const char *p, const char *end)
{
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *f = p, *fe = comma ? comma : end;
    trim(&f, &fe);
    size_t n = (size_t)(fe - f);
    if (n == 4 && memcmp(f, "t_ms", 4) == 0)
        r->time_scale = 1e-3;
    else if (n == 3 && memcmp(f, "t_s", 3) == 0)
        r->time_scale = 1;
    else if (n == 4 && memcmp(f, "t_us", 4) == 0)
        r->time_scale = 1e-6;
    else
        return csv_fail(r, line, "%s", "the header must start with the time column t_ms (or t_s, t_us), "
                        "then 'value' or the neuron indices 0,1,...");
    if (!comma)
        return csv_fail(r, line, "%s", "the header has no value column: expected t_ms,value or t_ms,0,1,...");
    int64_t k = 0;
    for (const char *q = comma + 1;; k++) {
        const char *c2 = memchr(q, ',', (size_t)(end - q));
        const char *g = q, *ge = c2 ? c2 : end;
        trim(&g, &ge);
        char want[32];
        snprintf(want, sizeof want, "%" PRId64, k);
        bool value = (size_t)(ge - g) == 5 && memcmp(g, "value", 5) == 0;
        if (value && k == 0 && !c2) {
            r->cols = -1;   /* one column */
            return true;
        }
        if ((size_t)(ge - g) != strlen(want) || memcmp(g, want, strlen(want)) != 0) {
            char detail[160];
            snprintf(detail, sizeof detail, "header column %" PRId64 " is '%.*s': expected '%s' (the neuron "
                     "index) or a single column 'value'", k + 2, (int)((ge - g) > 40 ? 40 : ge - g), g, want);
            return csv_fail(r, line, "%s", detail);
        }
        if (!c2)
            break;
        q = c2 + 1;
    }
    r->cols = k + 1;
    return true;
}

static bool csv_row(CsvRead *r, int64_t line, const char *p, const char *end)
{
    int64_t cols = r->cols < 0 ? 1 : r->cols;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        if ((double)r->cap * (double)cols > TABLE_MAX_SAMPLES)
            return csv_fail(r, line, "%s", "too many values: a table holds at most 2^26");
        double *t = ARENA_ARRAY(r->prog->arena, double, r->cap);
        double *v = ARENA_ARRAY(r->prog->arena, double, r->cap * cols);
        if (r->n) {
            memcpy(t, r->t, sizeof *t * (size_t)r->n);
            memcpy(v, r->v, sizeof *v * (size_t)(r->n * cols));
        }
        r->t = t;
        r->v = v;
    }
    int64_t k = 0;
    const char *q = p;
    for (;; k++) {
        const char *c2 = memchr(q, ',', (size_t)(end - q));
        const char *g = q, *ge = c2 ? c2 : end;
        trim(&g, &ge);
        if (k > cols) {
            char detail[64];
            snprintf(detail, sizeof detail, "%" PRId64, cols + 1);
            return csv_fail(r, line, "this row has more columns than the header's %s (an extra column)", detail);
        }
        double x;
        if (!parse_number(g, ge, &x)) {
            char detail[200];
            snprintf(detail, sizeof detail, "column %" PRId64 " is '%.*s', not a number", k + 1,
                     (int)((ge - g) > 40 ? 40 : ge - g), g);
            return csv_fail(r, line, "%s", detail);
        }
        if (k == 0)
            r->t[r->n] = x * r->time_scale;
        else
            r->v[r->n * cols + k - 1] = x;
        if (!c2)
            break;
        q = c2 + 1;
    }
    if (k < cols) {
        char detail[96];
        snprintf(detail, sizeof detail, "this row has %" PRId64 " columns, the header %" PRId64, k + 1, cols + 1);
        return csv_fail(r, line, "%s (a missing column)", detail);
    }
    if (r->n > 0 && !(r->t[r->n] > r->t[r->n - 1])) {
        char detail[96];
        snprintf(detail, sizeof detail, "%g ms after %g ms", r->t[r->n] * 1e3, r->t[r->n - 1] * 1e3);
        return csv_fail(r, line, "times must increase: %s", detail);
    }
    r->n++;
    return true;
}

/* The coarsest grid from t = 0 that holds every time: their greatest common divisor, in
 * units of 10^-p of the file's time unit for the smallest p that makes them integers. */
static bool common_grid(const CsvRead *r, double *step)
{
    for (int p = 0; p <= 9; p++) {
        double mul = pow(10, p);
        int64_t g = 0;
        bool whole = true;
        for (int64_t k = 0; k < r->n && whole; k++) {
            double x = r->t[k] / r->time_scale * mul;
            double xr = nearbyint(x);
            if (fabs(x - xr) > 1e-6 * fmax(1, fabs(x)) || fabs(xr) > 1e15) {
                whole = false;
                break;
            }
            int64_t a = llabs((int64_t)xr), b = g;
            while (b) {
                int64_t t = a % b;
                a = b;
                b = t;
            }
            g = a;
        }
        if (whole) {
            *step = g ? (double)g / mul * r->time_scale : r->time_scale;
            return true;
        }
    }
    return false;
}

static bool read_csv(SemaProgram *prog, Diags *d, SemaTable *tb, const char *path, double scale)
{
    NrnLoc at = tb->item->u.table.src_loc;
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error(d, at, "cannot open table file '%s': %s", tb->item->u.table.file, strerror(errno));
        return false;
    }
    CsvRead r = {.prog = prog, .d = d, .at = at, .path = tb->item->u.table.file, .cols = 0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t lineno = 0;
    bool ok = true, header = false;
    while (ok && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        const char *p = line, *end = line + len;
        if (lineno == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            p += 3;
        while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
            end--;
        const char *s = p;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        if (s == end || *s == '#')
            continue;
        ok = header ? csv_row(&r, lineno, p, end) : csv_header(&r, lineno, p, end);
        header = true;
    }
    free(line);
    fclose(f);
    if (!ok)
        return false;
    if (r.n == 0) {
        diag_error(d, at, "%s: the table is empty: it has no samples", r.path);
        return false;
    }
    double step;
    if (!common_grid(&r, &step)) {
        diag_error(d, at, "%s: the times have no common grid (at most 9 decimals of the time unit)", r.path);
        return false;
    }
    int64_t n = (int64_t)nearbyint(r.t[r.n - 1] / step) + 1;
    int64_t cols = r.cols < 0 ? 1 : r.cols;
    if (n < 1)
        n = 1;
    if ((double)n * (double)cols > TABLE_MAX_SAMPLES) {
        diag_error(d, at, "%s: the times need %" PRId64 " samples on their common grid of %g ms (at most %d)", r.path,
                   n, step * 1e3, TABLE_MAX_SAMPLES);
        return false;
    }
    tb->values = ARENA_ARRAY(prog->arena, double, n * cols);
    int64_t src = 0;
    for (int64_t j = 0; j < n; j++) {
        while (src + 1 < r.n && nearbyint(r.t[src + 1] / step) <= (double)j)
            src++;
        for (int64_t c = 0; c < cols; c++)
            tb->values[j * cols + c] = r.v[src * cols + c] * scale;
    }
    tb->nsamples = n;
    tb->ncols = cols;
    tb->per_neuron = r.cols > 0;
    tb->step = step;
    return true;
}

static bool read_npy(SemaProgram *prog, Diags *d, SemaTable *tb, const char *path, double scale)
{
    nrt_wfile wf;
    char msg[512];
    if (nrt_wfile_read_table(&wf, path, scale, msg, sizeof msg) != 0) {
        /* the message names the resolved path; show the one written */
        const char *rest = strncmp(msg, path, strlen(path)) == 0 ? msg + strlen(path) : msg;
        diag_error(d, tb->item->u.table.src_loc, "%s%s%s", tb->item->u.table.file, rest == msg ? ": " : "", rest);
        return false;
    }
    tb->nsamples = wf.rows;
    tb->ncols = wf.cols;
    tb->values = ARENA_ARRAY(prog->arena, double, wf.rows * wf.cols);
    memcpy(tb->values, wf.dense, sizeof(double) * (size_t)(wf.rows * wf.cols));
    /* (samples,) is one column, (samples, neurons) a column per neuron */
    tb->per_neuron = wf.ndim == 2;
    nrt_wfile_free(&wf);
    return true;
}

static bool is_npy(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcmp(path + n - 4, ".npy") == 0;
}

/* table NAME = [v, ...] UNIT every T | file "x.csv" UNIT | file "x.npy" UNIT every T */
static void check_table(SemaProgram *prog, Diags *d, SemaTable *tb)
{
    AstItem *it = tb->item;
    SemaCtx c = {.prog = prog, .d = d, .a = prog->arena, .where = WHERE_NETWORK};
    UnitInfo u = {1.0, dim_none()};
    if (it->u.table.unit && !sema_unit(&c, it->u.table.unit, &u))
        return;
    tb->dim = u.dim;
    const char *file = it->u.table.file;
    if (file && !is_npy(file) && it->u.table.every) {
        diag_error(d, it->u.table.every->loc, "a CSV table gives its own times: remove 'every'");
        return;
    }
    if (file && is_npy(file) && !it->u.table.every) {
        diag_error(d, it->u.table.src_loc, "an NPY table needs 'every T': the file holds no times");
        diag_help(d, "write: table %s = file \"%s\" %s every 1 ms", it->name, file,
                  it->u.table.unit ? it->u.table.unit->text : "1");
        return;
    }
    if (it->u.table.every) {
        int before = d->nerrors;
        sema_expect_dim(&c, it->u.table.every, dim_base(DIM_TIME), "ms", "the table's 'every'");
        if (d->nerrors != before)
            return;
        if (!sema_const_eval(it->u.table.every, &tb->step)) {
            diag_error(d, it->u.table.every->loc, "'every' must be a constant");
            return;
        }
        if (!(tb->step > 0) || !isfinite(tb->step)) {
            diag_error(d, it->u.table.every->loc, "'every' must be positive");
            return;
        }
    }
    if (!file) {
        AstExpr *list = it->u.table.values;
        if (list->u.list.nitems == 0) {
            diag_error(d, list->loc, "the table is empty: it has no samples");
            return;
        }
        tb->values = ARENA_ARRAY(prog->arena, double, list->u.list.nitems);
        int k = 0;
        bool ok = true;
        for (AstExpr *x = list->u.list.items; x; x = x->next, k++) {
            int before = d->nerrors;
            sema_expect_dim(&c, x, dim_none(), "1", "a table sample (the unit follows the list)");
            double v;
            if (d->nerrors != before) {
                ok = false;
            } else if (!sema_const_eval(x, &v) || !isfinite(v)) {
                diag_error(d, x->loc, "a table sample must be a constant number");
                ok = false;
            } else {
                tb->values[k] = v * u.scale;
            }
        }
        if (!ok)
            return;
        tb->nsamples = k;
        tb->ncols = 1;
        tb->ok = true;
        return;
    }
    tb->path = lower_resolve_path(prog->arena, d, it->u.table.src_loc, file);
    tb->ok = is_npy(file) ? read_npy(prog, d, tb, tb->path, u.scale) : read_csv(prog, d, tb, tb->path, u.scale);
}

void sema_check_tables(SemaProgram *prog, Diags *d)
{
    for (int k = 0; k < prog->tables.len; k++)
        check_table(prog, d, prog->tables.items[k]);
}

/* NAME(t) or NAME(t, i): the time argument is a time, the column one dimensionless, and
 * the value is in the table's unit. Returns false if `name` is not a table. */
bool sema_table_call(SemaCtx *c, AstExpr *e)
{
    AstSym *g = symtab_get(c->prog->globals, e->u.call.name);
    if (!g || g->kind != SYM_TABLE)
        return false;
    SemaTable *tb = g->sema;
    const char *name = e->u.call.name;
    e->sym = g;
    e->dim = tb->dim;
    int nargs = e->u.call.nargs;
    if (nargs != 1 && nargs != 2) {
        diag_error(c->d, e->u.call.name_loc, "table '%s' takes a time and, for a column per neuron, an index: "
                   "%s(t) or %s(t, i), but %d argument%s given", name, name, name, nargs,
                   nargs == 1 ? " was" : "s were");
        e->dim_error = true;
        return true;
    }
    if (tb->ok && tb->per_neuron && nargs == 1) {
        diag_error(c->d, e->loc, "table '%s' has a column per neuron: use %s(t, i)", name, name);
        diag_note(c->d, tb->item->u.table.src_loc, "'%s' has %" PRId64 " neuron columns", name, tb->ncols);
    } else if (tb->ok && !tb->per_neuron && nargs == 2) {
        diag_error(c->d, e->loc, "table '%s' has one column: use %s(t)", name, name);
        diag_note(c->d, tb->item->u.table.src_loc, "'%s' is defined here", name);
    }
    AstExpr *t = e->u.call.args;
    sema_expect_dim(c, t, dim_base(DIM_TIME), "ms", arena_printf(c->a, "the time argument of '%s'", name));
    if (t->next)
        sema_expect_dim(c, t->next, dim_none(), "1", arena_printf(c->a, "the neuron index of '%s'", name));
    return true;
}

/* ---- a column for every neuron ------------------------------------------------------ */

static void walk_expr(SemaProgram *prog, Diags *d, const SemaPop *p, const AstExpr *e, bool *reported);

static void walk_stmts(SemaProgram *prog, Diags *d, const SemaPop *p, const AstStmt *s, bool *reported)
{
    for (; s; s = s->next) {
        if (s->kind == STMT_IF) {
            walk_expr(prog, d, p, s->u.branch.cond, reported);
            walk_stmts(prog, d, p, s->u.branch.then, reported);
            walk_stmts(prog, d, p, s->u.branch.els, reported);
        } else {
            walk_expr(prog, d, p, s->u.assign.value, reported);
        }
    }
}

/* NAME(t, i) with the neuron's own index needs a column for every neuron of p. */
static void walk_expr(SemaProgram *prog, Diags *d, const SemaPop *p, const AstExpr *e, bool *reported)
{
    if (!e)
        return;
    switch (e->kind) {
    case AST_UNARY: walk_expr(prog, d, p, e->u.unary.operand, reported); return;
    case AST_BINARY:
        walk_expr(prog, d, p, e->u.binary.lhs, reported);
        walk_expr(prog, d, p, e->u.binary.rhs, reported);
        return;
    case AST_COND:
        walk_expr(prog, d, p, e->u.cond.cond, reported);
        walk_expr(prog, d, p, e->u.cond.then, reported);
        walk_expr(prog, d, p, e->u.cond.els, reported);
        return;
    case AST_CALL: {
        for (const AstExpr *a = e->u.call.args; a; a = a->next)
            walk_expr(prog, d, p, a, reported);
        const AstSym *g = symtab_get(prog->globals, e->u.call.name);
        if (!g || g->kind != SYM_TABLE || e->u.call.nargs != 2)
            return;
        const SemaTable *tb = g->sema;
        const AstExpr *col = e->u.call.args->next;
        if (!tb->ok || !tb->per_neuron || reported[tb->index] || col->kind != AST_NAME || !col->sym ||
            col->sym->kind != SYM_INDEX || p->size <= tb->ncols)
            return;
        reported[tb->index] = true;
        diag_error(d, e->loc, "column for neuron %" PRId64 " missing: %s has %" PRId64 " neuron column%s",
                   tb->ncols, tb->item->u.table.file ? tb->item->u.table.file : tb->item->name, tb->ncols,
                   tb->ncols == 1 ? "" : "s");
        diag_note(d, p->item->loc, "population '%s' has %" PRId64 " neurons", p->name, p->size);
        return;
    }
    default:
        return;
    }
}

void sema_table_check_pop(SemaProgram *prog, Diags *d, const SemaPop *p)
{
    if (!prog->tables.len || !p->model)
        return;
    bool *reported = ARENA_ARRAY(prog->arena, bool, prog->tables.len);
    for (const AstDecl *x = p->model->item->u.model.decls; x; x = x->next) {
        walk_expr(prog, d, p, x->value, reported);
        walk_stmts(prog, d, p, x->body, reported);
    }
}
