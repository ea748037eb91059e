/* Diagnostics for editors: the front end on a buffer (lsp_check_run), and the collected
 * messages as JSON, two ways — `nrnc check --format json` (CLI.md "Editors": lines and
 * byte columns from 1, one object per error or warning with its notes) and LSP's
 * publishDiagnostics (0-based lines, UTF-16 characters, notes as related information).
 * Ranges end after the last character underlined (exclusive), in both. */
#define _GNU_SOURCE   /* asprintf, realpath */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "drv_load.h"
#include "lsp.h"
#include "lsp_internal.h"
#include "util.h"

void lsp_check_run(LspCheck *c, const char *path, const char *text, size_t size)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->arena);
    diag_init(&c->diags, &c->arena);
    c->prog.arena = &c->arena;
    c->loaded = text ? drv_load_text(&c->arena, &c->diags, path, text, size, &c->prog)
                     : drv_load(&c->arena, &c->diags, path, &c->prog);
    if (c->loaded)
        sema_check(&c->prog, &c->diags);
}

void lsp_check_fini(LspCheck *c)
{
    diag_fini(&c->diags);
    arena_fini(&c->arena);
}

/* ---- nrnc check --format json ------------------------------------------------------ */

static void put_span(json_t *o, const char *file, NrnLoc loc)
{
    int len = loc.len > 0 ? loc.len : 1;
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "line", json_integer(loc.line));
    json_object_set_new(o, "col", json_integer(loc.col));
    json_object_set_new(o, "end_line", json_integer(loc.line));
    json_object_set_new(o, "end_col", json_integer(loc.col + len));
}

/* A note or help line: with its span when it has one, else severity and message only. */
static json_t *note_json(const Diags *d, DiagView v)
{
    json_t *o = json_object();
    const SourceFile *f = diag_file(d, v.loc.file);
    if (f && v.loc.line > 0)
        put_span(o, f->path, v.loc);
    json_object_set_new(o, "severity", json_string(diag_level_name(v.level)));
    json_object_set_new(o, "message", json_string(v.text));
    return o;
}

static json_t *check_json(const Diags *d, const char *model)
{
    json_t *list = json_array();
    for (int m = 0; m < d->nmsgs; m++) {
        DiagView head = diag_msg_line(d, m, 0);
        const SourceFile *f = diag_file(d, head.loc.file);
        json_t *o = json_object();
        if (f && head.loc.line > 0)
            put_span(o, f->path, head.loc);
        else   /* no position (a file that cannot be read): the start of the model */
            put_span(o, model, (NrnLoc){-1, 1, 1, 1});
        json_object_set_new(o, "severity", json_string(diag_level_name(head.level)));
        json_object_set_new(o, "message", json_string(head.text));
        json_t *notes = json_array();
        for (int k = 1; k < diag_msg_lines(d, m); k++)
            json_array_append_new(notes, note_json(d, diag_msg_line(d, m, k)));
        json_object_set_new(o, "notes", notes);
        json_array_append_new(list, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "diagnostics", list);
    return root;
}

bool lsp_print_check(Diags *d, const char *model, FILE *out)
{
    diag_sort(d);
    json_t *root = check_json(d, model);
    int rc = json_dumpf(root, out, JSON_INDENT(2));
    json_decref(root);
    fputc('\n', out);
    /* forget them, as diag_flush does (the files too: nothing is printed after this) */
    diag_fini(d);
    diag_init(d, d->arena);
    return rc == 0 && fflush(out) == 0 && !ferror(out);
}

/* ---- positions and URIs ------------------------------------------------------------ */

static const char *line_start(const char *text, size_t size, int line, const char **end)
{
    const char *p = text, *stop = text + size;
    for (int l = 1; l < line && p < stop; p++)
        if (*p == '\n')
            l++;
    const char *e = p;
    while (e < stop && *e != '\n')
        e++;
    if (e > p && e[-1] == '\r')
        e--;
    *end = e;
    return p;
}

/* UTF-16 code units of the UTF-8 bytes [p, e): 2 for a 4-byte sequence, else 1 per
 * character (continuation bytes count nothing). */
static int utf16_units(const char *p, const char *e)
{
    int n = 0;
    for (; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

json_t *lsp_position(const char *text, size_t size, int line, int col)
{
    const char *end;
    const char *p = line_start(text, size, line, &end);
    const char *at = p + (col > 1 ? col - 1 : 0);
    if (at > end)
        at = end;
    return json_pack("{s:i, s:i}", "line", line > 0 ? line - 1 : 0, "character", utf16_units(p, at));
}

size_t lsp_offset(const char *text, size_t size, int line, int character)
{
    const char *end;
    const char *p = line_start(text, size, line + 1, &end);
    int n = 0;
    while (p < end && n < character) {
        unsigned char c = (unsigned char)*p;
        n += c >= 0xF0 ? 2 : 1;
        p++;
        while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
            p++;
    }
    return (size_t)(p - text);
}

static int hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *lsp_uri_to_path(const char *uri)
{
    const char *p = strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
    char *out = malloc(strlen(p) + 1);
    if (!out)
        nrn_fatal_oom();
    size_t n = 0;
    for (; *p; p++) {
        if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            out[n++] = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return out;
}

char *lsp_path_to_uri(const char *path)
{
    char buf[PATH_MAX];
    const char *abs = realpath(path, buf) ? buf : path;
    char *out = malloc(strlen(abs) * 3 + 8);
    if (!out)
        nrn_fatal_oom();
    size_t n = (size_t)sprintf(out, "file://");
    for (const unsigned char *p = (const unsigned char *)abs; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
            out[n++] = (char)*p;
        else
            n += (size_t)sprintf(out + n, "%%%02X", *p);
    }
    out[n] = '\0';
    return out;
}

/* ---- publishDiagnostics ------------------------------------------------------------ */

static json_t *range_json(const SourceFile *f, NrnLoc loc)
{
    int len = loc.len > 0 ? loc.len : 1;
    return json_pack("{s:o, s:o}", "start", lsp_position(f->text, f->size, loc.line, loc.col), "end",
                     lsp_position(f->text, f->size, loc.line, loc.col + len));
}

static json_t *zero_range(void)
{
    return json_pack("{s:{s:i, s:i}, s:{s:i, s:i}}", "start", "line", 0, "character", 0, "end", "line", 0,
                     "character", 0);
}

/* One error or warning: located notes become relatedInformation, the others (help, notes
 * without a position) lines of the message, as the terminal shows them. */
static json_t *lsp_diagnostic(const Diags *d, int m, int main_file, const char *main_uri)
{
    DiagView head = diag_msg_line(d, m, 0);
    const SourceFile *f = diag_file(d, head.loc.file);
    bool here = f && head.loc.file == main_file && head.loc.line > 0;
    char *msg = here || !f ? strdup(head.text) : NULL;
    if (!msg && asprintf(&msg, "%s:%d:%d: %s", f->path, head.loc.line, head.loc.col, head.text) < 0)
        msg = NULL;
    if (!msg)
        nrn_fatal_oom();
    json_t *related = json_array();
    for (int k = 1; k < diag_msg_lines(d, m); k++) {
        DiagView v = diag_msg_line(d, m, k);
        const SourceFile *nf = diag_file(d, v.loc.file);
        if (nf && v.loc.line > 0) {
            /* the document as the client named it; other files by their real path */
            char *uri = v.loc.file == main_file ? strdup(main_uri) : lsp_path_to_uri(nf->path);
            if (!uri)
                nrn_fatal_oom();
            json_array_append_new(related, json_pack("{s:{s:s, s:o}, s:s}", "location", "uri", uri, "range",
                                                     range_json(nf, v.loc), "message", v.text));
            free(uri);
            continue;
        }
        char *longer;
        if (asprintf(&longer, "%s\n%s: %s", msg, diag_level_name(v.level), v.text) < 0)
            nrn_fatal_oom();
        free(msg);
        msg = longer;
    }
    json_t *o = json_pack("{s:o, s:i, s:s, s:s}", "range", here ? range_json(f, head.loc) : zero_range(),
                          "severity", head.level == DIAG_ERROR ? 1 : 2, "source", "nrnc", "message", msg);
    free(msg);
    if (json_array_size(related))
        json_object_set_new(o, "relatedInformation", related);
    else
        json_decref(related);
    return o;
}

json_t *lsp_publish_params(LspCheck *c, const char *uri)
{
    diag_sort(&c->diags);
    const AstFile *main = c->prog.files.len ? c->prog.files.items[0] : NULL;
    json_t *list = json_array();
    for (int m = 0; m < c->diags.nmsgs; m++)
        json_array_append_new(list, lsp_diagnostic(&c->diags, m, main ? main->file : 0, uri));
    return json_pack("{s:s, s:o}", "uri", uri, "diagnostics", list);
}
