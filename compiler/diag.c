/* Collected, position-sorted diagnostics; see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct DiagLine {
    DiagLevel level;
    NrnLoc loc;
    char *text;
} DiagLine;

struct DiagMsg {
    DiagLine *lines;   /* [0] is the error/warning, then notes and help */
    int nlines, cap;
    int seq;           /* report order, to keep the sort stable */
};

void diag_init(Diags *d, Arena *a)
{
    memset(d, 0, sizeof *d);
    d->arena = a;
    d->max_errors = 50;
}

static void free_msgs(Diags *d)
{
    for (int i = 0; i < d->nmsgs; i++)
        free(d->msgs[i].lines);
    free(d->msgs);
    d->msgs = NULL;
    d->nmsgs = d->capmsgs = 0;
}

void diag_fini(Diags *d)
{
    free_msgs(d);
    free(d->files);
    d->files = NULL;
}

int diag_add_file(Diags *d, const char *path, const char *text, size_t size)
{
    if (d->nfiles == d->capfiles) {
        d->capfiles = d->capfiles ? d->capfiles * 2 : 8;
        d->files = realloc(d->files, sizeof(SourceFile) * (size_t)d->capfiles);
        if (!d->files)
            nrn_fatal_oom();
    }
    d->files[d->nfiles] = (SourceFile){arena_strdup(d->arena, path), text, size};
    return d->nfiles++;
}

const SourceFile *diag_file(const Diags *d, int file)
{
    return file >= 0 && file < d->nfiles ? &d->files[file] : NULL;
}

static void add_line(DiagMsg *m, DiagLevel level, NrnLoc loc, char *text)
{
    if (m->nlines == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->lines = realloc(m->lines, sizeof(DiagLine) * (size_t)m->cap);
        if (!m->lines)
            nrn_fatal_oom();
    }
    m->lines[m->nlines++] = (DiagLine){level, loc, text};
}

static char *vformat(Diags *d, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *p = arena_alloc(d->arena, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

static void new_msg(Diags *d, DiagLevel level, NrnLoc loc, const char *fmt, va_list ap)
{
    if (level == DIAG_ERROR)
        d->nerrors++;
    if (d->nmsgs >= d->max_errors)
        return;
    if (d->nmsgs == d->capmsgs) {
        d->capmsgs = d->capmsgs ? d->capmsgs * 2 : 16;
        d->msgs = realloc(d->msgs, sizeof(DiagMsg) * (size_t)d->capmsgs);
        if (!d->msgs)
            nrn_fatal_oom();
    }
    DiagMsg *m = &d->msgs[d->nmsgs];
    memset(m, 0, sizeof *m);
    m->seq = d->nmsgs++;
    add_line(m, level, loc, vformat(d, fmt, ap));
}

void diag_error(Diags *d, NrnLoc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    new_msg(d, DIAG_ERROR, loc, fmt, ap);
    va_end(ap);
}

void diag_warning(Diags *d, NrnLoc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    new_msg(d, DIAG_WARNING, loc, fmt, ap);
    va_end(ap);
}

static DiagMsg *last_msg(Diags *d)
{
    /* Past max_errors the message was dropped: drop its notes too. */
    if (d->nmsgs == 0 || d->nmsgs >= d->max_errors)
        return NULL;
    return &d->msgs[d->nmsgs - 1];
}

void diag_note(Diags *d, NrnLoc loc, const char *fmt, ...)
{
    DiagMsg *m = last_msg(d);
    if (!m)
        return;
    va_list ap;
    va_start(ap, fmt);
    add_line(m, DIAG_NOTE, loc, vformat(d, fmt, ap));
    va_end(ap);
}

void diag_help(Diags *d, const char *fmt, ...)
{
    DiagMsg *m = last_msg(d);
    if (!m)
        return;
    va_list ap;
    va_start(ap, fmt);
    add_line(m, DIAG_HELP, nrn_loc_none(), vformat(d, fmt, ap));
    va_end(ap);
}

bool diag_has_errors(const Diags *d) { return d->nerrors > 0; }

void diag_move_matching(Diags *from, Diags *to, const char *prefix)
{
    size_t n = strlen(prefix);
    for (int i = 0; i < from->nmsgs; i++) {
        DiagMsg *m = &from->msgs[i];
        if (strncmp(m->lines[0].text, prefix, n) != 0)
            continue;
        DiagMsg *dst = NULL;
        for (int j = 0; j < m->nlines; j++) {
            const DiagLine *l = &m->lines[j];
            if (j == 0) {
                diag_error(to, l->loc, "%s", l->text);
                dst = to->nmsgs ? &to->msgs[to->nmsgs - 1] : NULL;
            } else if (dst && l->level == DIAG_HELP) {
                diag_help(to, "%s", l->text);
            } else if (dst) {
                diag_note(to, l->loc, "%s", l->text);
            }
        }
    }
}

NrnLoc nrn_loc_join(NrnLoc a, NrnLoc b)
{
    if (a.file != b.file || a.line != b.line || b.col < a.col)
        return a;
    NrnLoc r = a;
    int end = b.col + (b.len > 0 ? b.len : 1);
    r.len = end - a.col;
    return r;
}

static int cmp_msg(const void *pa, const void *pb)
{
    const DiagMsg *a = pa, *b = pb;
    NrnLoc la = a->lines[0].loc, lb = b->lines[0].loc;
    if (la.file != lb.file)
        return la.file < lb.file ? -1 : 1;
    if (la.line != lb.line)
        return la.line < lb.line ? -1 : 1;
    if (la.col != lb.col)
        return la.col < lb.col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Prints the source line of loc and a caret under it; tabs are kept so the caret lines up. */
static void print_source(const Diags *d, FILE *out, NrnLoc loc)
{
    const SourceFile *f = diag_file(d, loc.file);
    if (!f || loc.line < 1)
        return;
    const char *p = f->text, *end = f->text + f->size;
    for (int line = 1; line < loc.line && p < end; p++)
        if (*p == '\n')
            line++;
    const char *eol = p;
    while (eol < end && *eol != '\n' && *eol != '\r')
        eol++;
    int width = (int)(eol - p);
    if (width > 400)
        width = 400;
    fprintf(out, "%5d | ", loc.line);
    for (int i = 0; i < width; i++) {
        unsigned char c = (unsigned char)p[i];
        fputc(c == '\t' || c >= 0x20 ? c : '?', out);
    }
    fputs("\n      | ", out);
    for (int i = 1; i < loc.col && i - 1 < width; i++)
        fputc(p[i - 1] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    int len = loc.len > 1 ? loc.len : 1;
    if (loc.col - 1 + len > width + 1)
        len = width + 1 - (loc.col - 1);
    for (int i = 1; i < len; i++)
        fputc('~', out);
    fputc('\n', out);
}

const char *diag_level_name(DiagLevel l)
{
    switch (l) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_NOTE: return "note";
    case DIAG_HELP: return "help";
    }
    NRN_UNREACHABLE();
}

static void print_line(const Diags *d, FILE *out, const DiagLine *l)
{
    const SourceFile *f = diag_file(d, l->loc.file);
    if (f)
        fprintf(out, "%s:%d:%d: %s: %s\n", f->path, l->loc.line, l->loc.col, diag_level_name(l->level),
                l->text);
    else if (l->level == DIAG_HELP || l->level == DIAG_NOTE)
        fprintf(out, "      = %s: %s\n", diag_level_name(l->level), l->text);
    else
        fprintf(out, "nrnc: %s: %s\n", diag_level_name(l->level), l->text);
    if (f)
        print_source(d, out, l->loc);
}

/* Past DIAG_MAX_PER_FILE errors in one file (a file that is not a model at all, say),
 * the rest of that file's messages are dropped for one line that says so, at the first
 * one dropped. */
static void print_too_many(const Diags *d, FILE *out, NrnLoc loc)
{
    const SourceFile *f = diag_file(d, loc.file);
    fprintf(out, "%s:%d:%d: error: too many errors in this file; stopping after %d\n",
            f->path, loc.line, loc.col, DIAG_MAX_PER_FILE);
}

void diag_sort(Diags *d)
{
    if (d->nmsgs)
        qsort(d->msgs, (size_t)d->nmsgs, sizeof(DiagMsg), cmp_msg);
}

int diag_msg_lines(const Diags *d, int m) { return d->msgs[m].nlines; }

DiagView diag_msg_line(const Diags *d, int m, int line)
{
    const DiagLine *l = &d->msgs[m].lines[line];
    return (DiagView){l->level, l->loc, l->text};
}

void diag_flush(Diags *d, FILE *out)
{
    diag_sort(d);
    int file = -1, errors = 0;
    for (int i = 0; i < d->nmsgs; i++) {
        const DiagLine *head = &d->msgs[i].lines[0];
        if (head->loc.file != file) {
            file = head->loc.file;
            errors = 0;
        }
        if (file >= 0 && errors >= DIAG_MAX_PER_FILE) {
            if (errors++ == DIAG_MAX_PER_FILE)
                print_too_many(d, out, head->loc);
            continue;
        }
        if (head->level == DIAG_ERROR)
            errors++;
        for (int j = 0; j < d->msgs[i].nlines; j++)
            print_line(d, out, &d->msgs[i].lines[j]);
    }
    if (d->nerrors > d->nmsgs && d->nmsgs >= d->max_errors)
        fprintf(out, "nrnc: too many errors (%d), stopping\n", d->nerrors);
    free_msgs(d);
}
