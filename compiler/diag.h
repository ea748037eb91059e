/* Diagnostics: located errors, notes and help lines, printed gcc-style.
 *
 * Every message carries a location (file, line, column, length). Errors are collected,
 * then printed sorted by position (notes and help stay with their error), so independent
 * errors found by different passes still come out in source order. The source manager
 * lives here too because printing a caret needs the source line. */
#ifndef NRN_DIAG_H
#define NRN_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "arena.h"

typedef struct NrnLoc {
    int file;   /* index in Diags' file table; -1 = no position (command line) */
    int line;   /* 1-based */
    int col;    /* 1-based, in bytes */
    int len;    /* columns to underline, >= 1 */
} NrnLoc;

typedef struct SourceFile {
    const char *path;   /* as the user named it (for messages) */
    const char *text;   /* NUL-terminated contents */
    size_t size;
} SourceFile;

typedef enum DiagLevel { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE, DIAG_HELP } DiagLevel;

typedef struct DiagMsg DiagMsg;

/* Errors printed per file; diag_flush drops the rest of that file's messages. */
enum { DIAG_MAX_PER_FILE = 20 };

typedef struct Diags {
    Arena *arena;
    SourceFile *files;
    int nfiles, capfiles;
    DiagMsg *msgs;          /* errors and warnings, each with its notes */
    int nmsgs, capmsgs;
    int nerrors;
    int max_errors;         /* stop recording after this many (default 50) */
} Diags;

void diag_init(Diags *d, Arena *a);
void diag_fini(Diags *d);

/* Register a file's text; returns its index for NrnLoc.file. */
int diag_add_file(Diags *d, const char *path, const char *text, size_t size);
const SourceFile *diag_file(const Diags *d, int file);

void diag_error(Diags *d, NrnLoc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Diags *d, NrnLoc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Attach to the most recent error or warning. A note with a location prints its line. */
void diag_note(Diags *d, NrnLoc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_help(Diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

bool diag_has_errors(const Diags *d);
/* Moves the messages of `from` whose text starts with `prefix` (with their notes) to `to`;
 * the rest stay. For passes that check speculatively. */
void diag_move_matching(Diags *from, Diags *to, const char *prefix);
/* Print everything collected so far, sorted, and forget it. */
void diag_flush(Diags *d, FILE *out);

/* The collected messages for other printers (JSON for editors, the language server):
 * diag_sort orders them as diag_flush prints them; message m has diag_msg_lines lines,
 * line 0 the error or warning, then its notes and help in the order given. */
typedef struct DiagView {
    DiagLevel level;
    NrnLoc loc;
    const char *text;
} DiagView;
void diag_sort(Diags *d);
const char *diag_level_name(DiagLevel l);   /* "error", "warning", "note", "help" */
int diag_msg_lines(const Diags *d, int m);
DiagView diag_msg_line(const Diags *d, int m, int line);

static inline NrnLoc nrn_loc_none(void) { NrnLoc l = {-1, 0, 0, 0}; return l; }
/* The span from the start of a to the end of b (same line), else a. */
NrnLoc nrn_loc_join(NrnLoc a, NrnLoc b);

#endif
