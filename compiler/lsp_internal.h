/* Shared by the language server's files (lsp.c: protocol and documents; lsp_diag.c:
 * checking a buffer and its diagnostics; lsp_hover.c: what a name is). The only header
 * besides them that includes the JSON library. */
#ifndef NRN_LSP_INTERNAL_H
#define NRN_LSP_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "sema.h"

/* One compilation of a document: the front end (load and check) on `text` (or on the
 * file at `path` when text is NULL), everything in its own arena. */
typedef struct LspCheck {
    Arena arena;
    Diags diags;
    SemaProgram prog;
    bool loaded;            /* the files parsed without errors (then sema ran) */
} LspCheck;

void lsp_check_run(LspCheck *c, const char *path, const char *text, size_t size);
void lsp_check_fini(LspCheck *c);

/* The params of textDocument/publishDiagnostics for the main file of c (its diagnostics
 * and those of its imports, these at the first line with the file named). */
json_t *lsp_publish_params(LspCheck *c, const char *uri);

/* The hover result for the name at (line, character), 0-based, UTF-16: markdown with its
 * kind, unit and declaration; json null when there is no name there. */
json_t *lsp_hover(const char *path, const char *text, size_t size, int line, int character);

/* Positions: a 1-based line and byte column of text <-> LSP's 0-based line and UTF-16
 * character; lsp_position clamps to the text. */
json_t *lsp_position(const char *text, size_t size, int line, int col);
size_t lsp_offset(const char *text, size_t size, int line, int character);

/* file:///a%20b/c.nrn <-> /a b/c.nrn (malloc'd) */
char *lsp_uri_to_path(const char *uri);
char *lsp_path_to_uri(const char *path);

#endif
