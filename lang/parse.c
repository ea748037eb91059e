/* The front end's entry points (parse.h): read a file, register its text for
 * diagnostics, refuse what is not a model (too large, binary), and run the scanner and
 * parser over it.
 *
 * The source text lives in the compilation's arena, because diagnostics print source
 * lines long after parsing. The flex scanner scans a private copy (yy_scan_bytes) and
 * is destroyed before returning, so parsing leaves nothing allocated outside the arena.
 * Files are read in full up to a fixed limit; a larger input is refused before any work
 * is done on it, which bounds memory and time for every input. */
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parser.h"
#include "lexer.h"
#include "util.h"

enum { PARSE_MAX_FILE = 8 * 1024 * 1024 };

static AstFile *empty_file(Arena *a, const char *path, int file)
{
    AstFile *f = ARENA_NEW(a, AstFile);
    f->path = arena_strdup(a, path);
    f->file = file;
    return f;
}

static void report_too_large(Diags *d, const char *path, NrnLoc from)
{
    diag_error(d, from, "file too large: '%s' is larger than %d MiB", path,
               PARSE_MAX_FILE / (1024 * 1024));
}

enum { PARSE_TEXT_BLOCK = 4096 };   /* bytes checked for UTF-8 before parsing */

/* Length of the valid UTF-8 sequence at p (at most `left` bytes), 0 if it is invalid.
 * A sequence cut off by `left` counts as valid: the block may end inside one. */
static int utf8_len(const unsigned char *p, size_t left)
{
    int n = p[0] < 0x80 ? 1 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
          : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    for (int k = 1; k < n && (size_t)k < left; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        /* overlong 3- and 4-byte forms, surrogates, code points past U+10FFFF */
        if (k == 1 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) ||
                       (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F)))
            return 0;
    }
    return n;
}

/* Offset of the first invalid UTF-8 byte in the first block of text, or -1. */
static long first_bad_utf8(const char *text, size_t size)
{
    size_t end = size < PARSE_TEXT_BLOCK ? size : PARSE_TEXT_BLOCK;
    const unsigned char *u = (const unsigned char *)text;
    for (size_t i = 0; i < end;) {
        int n = utf8_len(u + i, size - i);
        if (n == 0)
            return (long)i;
        i += (size_t)n;
    }
    return -1;
}

static NrnLoc loc_of_offset(int file, const char *text, size_t off)
{
    NrnLoc loc = {file, 1, 1, 1};
    for (const char *p = text; p < text + off; p++) {
        if (*p == '\n') {
            loc.line++;
            loc.col = 1;
        } else {
            loc.col++;
        }
    }
    return loc;
}

/* A NUL byte anywhere, or bytes that are not UTF-8 near the start, mark a file that is
 * not a model (an executable, an image, a compressed file): one error, where the first
 * such byte is, instead of a syntax error per line. */
static bool check_text(Diags *d, const char *path, int file, const char *text, size_t size)
{
    const char *nul = memchr(text, '\0', size);
    if (nul) {
        diag_error(d, loc_of_offset(file, text, (size_t)(nul - text)),
                   "'%s' is not a text file (it contains a NUL byte)", path);
        return false;
    }
    long bad = first_bad_utf8(text, size);
    if (bad >= 0) {
        diag_error(d, loc_of_offset(file, text, (size_t)bad),
                   "'%s' is not a text file (byte 0x%02X at offset %ld is not UTF-8)", path,
                   (unsigned char)text[bad], bad);
        return false;
    }
    return true;
}

/* Parses text already registered as `file`; `text` is NUL-terminated and in the arena. */
static AstFile *parse_registered(Arena *a, Diags *d, const char *path, int file,
                                 const char *text, size_t size)
{
    AstFile *f = empty_file(a, path, file);
    if (!check_text(d, path, file, text, size))
        return f;

    ParseCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = a;
    ctx.diags = d;
    ctx.file = file;
    ctx.src = text;
    ctx.size = size;
    ctx.line = ctx.col = ctx.tok_line = ctx.tok_col = 1;
    for (int i = 0; i < 3; i++)
        ctx.hist[i].kind = -1;

    yyscan_t scanner;
    if (nrn_yylex_init_extra(&ctx, &scanner) != 0)
        nrn_fatal_oom();
    nrn_yy_scan_bytes(text, (int)size, scanner);
    nrn_yyparse(scanner, &ctx);
    nrn_yylex_destroy(scanner);
    f->items = ctx.items;
    return f;
}

/* Old Mac line ends (a CR alone) become LF, so that they end statements and lines in
 * messages like any other; CRLF is left as it is (the lexer skips the CR). */
static void lone_cr_to_lf(char *text, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (text[i] == '\r' && (i + 1 == size || text[i + 1] != '\n'))
            text[i] = '\n';
}

AstFile *parse_text(Arena *a, Diags *d, const char *name, const char *text, size_t size)
{
    if (size > PARSE_MAX_FILE) {
        report_too_large(d, name, nrn_loc_none());
        return empty_file(a, name, diag_add_file(d, name, "", 0));
    }
    char *copy = arena_alloc(a, size + 1);
    if (size)
        memcpy(copy, text, size);
    copy[size] = '\0';
    lone_cr_to_lf(copy, size);
    int file = diag_add_file(d, name, copy, size);
    return parse_registered(a, d, name, file, copy, size);
}

/* Reads at most PARSE_MAX_FILE + 1 bytes into a malloc'd buffer (any kind of file, pipes
 * included); *size past the limit means "too large". NULL on a read error (errno set). */
static char *read_all(FILE *fp, size_t *size)
{
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        nrn_fatal_oom();
    for (;;) {
        if (len == cap) {
            if (len > PARSE_MAX_FILE)
                break;
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                nrn_fatal_oom();
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) {
                int err = errno;
                free(buf);
                errno = err ? err : EIO;
                return NULL;
            }
            break;
        }
    }
    *size = len;
    return buf;
}

/* What a path that is not a regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a named pipe (FIFO)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

AstFile *parse_file(Arena *a, Diags *d, const char *path, NrnLoc from)
{
    /* Only regular files are read: opening a FIFO nobody writes to would wait forever. */
    struct stat pre;
    if (stat(path, &pre) == 0 && !S_ISREG(pre.st_mode)) {
        diag_error(d, from, "cannot read '%s': it is %s; nrnc reads models from regular files only", path,
                   file_kind(pre.st_mode));
        return NULL;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        diag_error(d, from, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(fp);
            diag_error(d, from, "cannot read '%s': it is a directory", path);
            return NULL;
        }
        if (S_ISREG(st.st_mode) && st.st_size > PARSE_MAX_FILE) {
            fclose(fp);
            report_too_large(d, path, from);
            return empty_file(a, path, diag_add_file(d, path, "", 0));
        }
    }
    size_t size = 0;
    char *buf = read_all(fp, &size);
    int err = errno;
    fclose(fp);
    if (!buf) {
        diag_error(d, from, "cannot read '%s': %s", path, strerror(err));
        return NULL;
    }
    if (size > PARSE_MAX_FILE) {
        free(buf);
        report_too_large(d, path, from);
        return empty_file(a, path, diag_add_file(d, path, "", 0));
    }
    char *text = arena_alloc(a, size + 1);
    if (size)
        memcpy(text, buf, size);
    text[size] = '\0';
    free(buf);
    lone_cr_to_lf(text, size);
    int file = diag_add_file(d, path, text, size);
    return parse_registered(a, d, path, file, text, size);
}
