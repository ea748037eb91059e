/* Brian2 habits: shapes of Brian2 model code that are syntax errors in nrnc, recognised
 * when the parser reports a syntax error, so that the message says what to write instead.
 *
 *     dv/dt = (v_rest - v) / tau : volt        units are inferred; remove ': volt'
 *     dv/dt = ... (unless refractory)          refractory T hold v, in the neuron
 *     run(100*ms)                              simulate NET for 100 ms
 *
 * Each shape is recognised from the source line of the unexpected token, never by changing
 * the grammar, so no valid program can change meaning: this code runs only where the
 * parser has already found an error. (`mV/sqrt(ms)` in a unit is the lexer's, in
 * lexer.l's unit terms; `int(x)` is an unknown function, sema's.) */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "parser.h"

/* One line of the source: [start, end), without the newline. */
typedef struct Line {
    const char *src;
    size_t start, end;
} Line;

static Line line_at(const ParseCtx *c, size_t off)
{
    Line l = {c->src, off > c->size ? c->size : off, 0};
    while (l.start > 0 && c->src[l.start - 1] != '\n')
        l.start--;
    l.end = l.start;
    while (l.end < c->size && c->src[l.end] != '\n' && c->src[l.end] != '#')
        l.end++;
    while (l.end > l.start && isspace((unsigned char)c->src[l.end - 1]))
        l.end--;
    return l;
}

static bool is_id(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

static size_t skip_space(const Line *l, size_t p)
{
    while (p < l->end && (l->src[p] == ' ' || l->src[p] == '\t'))
        p++;
    return p;
}

/* The location of byte off, on the line of the token t (columns are bytes). */
static NrnLoc loc_of(const LexTok *t, size_t off, size_t len)
{
    NrnLoc l = t->loc;
    l.col += (int)off - (int)t->off;
    l.len = len > 0 ? (int)len : 1;
    return l;
}

/* `dX/dt =` at the start of the line: X's name into *name (length *n). */
static bool ode_line(const Line *l, const char **name, size_t *n)
{
    size_t p = skip_space(l, l->start);
    if (p >= l->end || l->src[p] != 'd')
        return false;
    size_t q = p + 1;
    while (q < l->end && is_id(l->src[q]))
        q++;
    if (q == p + 1 || l->end - q < 3 || strncmp(l->src + q, "/dt", 3) != 0)
        return false;
    size_t e = skip_space(l, q + 3);
    if (e >= l->end || l->src[e] != '=')
        return false;
    *name = l->src + p + 1;
    *n = q - p - 1;
    return true;
}

/* `(unless refractory)`, spaces allowed inside: its offset, or 0 when absent. */
static size_t unless_refractory(const Line *l, size_t from)
{
    for (size_t p = from; p < l->end; p++) {
        if (l->src[p] != '(')
            continue;
        size_t q = skip_space(l, p + 1);
        if (l->end - q < 6 || strncmp(l->src + q, "unless", 6) != 0)
            continue;
        q += 6;
        size_t r = skip_space(l, q);
        if (r == q || l->end - r < 10 || strncmp(l->src + r, "refractory", 10) != 0)
            continue;
        r = skip_space(l, r + 10);
        if (r < l->end && l->src[r] == ')')
            return p;
    }
    return 0;
}

static bool report_unless(ParseCtx *c, const LexTok *t, const Line *l, size_t at, const char *name,
                          size_t n)
{
    size_t close = at;
    while (close < l->end && l->src[close] != ')')
        close++;
    if (!parse_error(c, loc_of(t, at, close + 1 - at), "'(unless refractory)' is Brian2's flag; "
                     "nrnc holds states with the refractory declaration"))
        return true;
    diag_help(c->diags, "remove it and write 'refractory T hold %.*s' in the neuron (T, the refractory "
              "period, e.g. 2 ms)", (int)n, name);
    return true;
}

/* dX/dt = ... : UNIT [(unless refractory)] -- the unexpected token is the ':'. */
static bool ode_annotation(ParseCtx *c, const LexTok *t, const Line *l, const char *name, size_t n)
{
    size_t colon = t->off, unless = unless_refractory(l, colon);
    size_t end = unless ? unless : l->end;
    while (end > colon + 1 && isspace((unsigned char)l->src[end - 1]))
        end--;
    size_t u = skip_space(l, colon + 1);
    if (u >= end)
        return unless && report_unless(c, t, l, unless, name, n);
    if (parse_error(c, loc_of(t, colon, end - colon), "units are inferred; remove ': %.*s'", (int)(end - u),
                    l->src + u))
        diag_help(c->diags, "the unit of '%.*s' comes from its declaration ('state %.*s = ...')", (int)n, name,
                  (int)n, name);
    if (unless)
        report_unless(c, t, l, unless, name, n);
    return true;
}

/* The first `network NAME` of the file, for the suggested simulate statement. */
static void first_network(const ParseCtx *c, const char **name, int *n)
{
    *name = "NET";
    *n = 3;
    for (size_t p = 0; p + 8 < c->size; p++) {
        if ((p > 0 && c->src[p - 1] != '\n') || strncmp(c->src + p, "network", 7) != 0 ||
            (c->src[p + 7] != ' ' && c->src[p + 7] != '\t'))
            continue;
        size_t q = p + 7;
        while (q < c->size && (c->src[q] == ' ' || c->src[q] == '\t'))
            q++;
        size_t e = q;
        while (e < c->size && is_id(c->src[e]))
            e++;
        if (e > q) {
            *name = c->src + q;
            *n = (int)(e - q);
            return;
        }
    }
}

/* run(DURATION) at the start of a top-level line. `100*ms` is shown as `100 ms`. */
static bool brian_run(ParseCtx *c, const LexTok *t, const Line *l)
{
    if (t->kind != TOK_IDENT || t->depth_before != 0 || t->len != 3 || strncmp(l->src + t->off, "run", 3) != 0 ||
        skip_space(l, l->start) != t->off)
        return false;
    size_t open = skip_space(l, t->off + 3);
    if (open >= l->end || l->src[open] != '(')
        return false;
    size_t close = l->end;
    while (close > open && l->src[close - 1] != ')')
        close--;
    if (close <= open + 1)
        return false;
    /* the duration: the argument before any `, report=...`, with `N*unit` as `N unit` */
    size_t a = skip_space(l, open + 1), b = a;
    while (b < close - 1 && l->src[b] != ',')
        b++;
    while (b > a && isspace((unsigned char)l->src[b - 1]))
        b--;
    char dur[64];
    int dl = snprintf(dur, sizeof dur, "%.*s", (int)(b - a) < 60 ? (int)(b - a) : 60, l->src + a);
    char *star = strchr(dur, '*');
    if (dl > 0 && star) {
        char *num_end = star, *unit = star + 1;
        while (num_end > dur && num_end[-1] == ' ')
            num_end--;
        while (*unit == ' ')
            unit++;
        bool plain = num_end > dur && isdigit((unsigned char)dur[0]) && isalpha((unsigned char)*unit);
        for (const char *q = unit; plain && *q; q++)
            plain = is_id(*q);
        if (plain)
            memmove(num_end + 1, unit, strlen(unit) + 1), *num_end = ' ';
    }
    const char *net;
    int nl;
    first_network(c, &net, &nl);
    if (parse_error(c, loc_of(t, t->off, close - t->off), "'run(...)' is Brian2's; nrnc runs a network "
                    "with a simulate statement"))
        diag_help(c->diags, "write 'simulate %.*s for %s' at top level", nl, net, dur);
    return true;
}

bool parse_habit(ParseCtx *c, const LexTok *t)
{
    if (t->kind < 0 || t->off >= c->size)
        return false;
    Line l = line_at(c, t->off);
    if (t->off >= l.end)
        return false;
    const char *name;
    size_t n;
    if (ode_line(&l, &name, &n)) {
        if (t->kind == ':')
            return ode_annotation(c, t, &l, name, n);
        size_t at = unless_refractory(&l, l.start);
        if (at && t->off >= at)
            return report_unless(c, t, &l, at, name, n);
        return false;
    }
    return brian_run(c, t, &l);
}
