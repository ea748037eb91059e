/* Entry points of the front end (lexer + parser in this folder). */
#ifndef NRN_PARSE_H
#define NRN_PARSE_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Reads `path`, registers it with `d`, and parses it. Syntax errors are reported to `d`
 * (several per file where recovery allows); the returned tree holds what could be parsed
 * and is NULL only when the file cannot be read (which is also reported, at `from` when
 * given: the import that named it). Input that is not a model (binary, huge, deeply
 * nested) is reported as an error, never a crash or a hang. */
AstFile *parse_file(Arena *a, Diags *d, const char *path, NrnLoc from);

/* Parses text already in memory (tests; `name` is used in messages). */
AstFile *parse_text(Arena *a, Diags *d, const char *name, const char *text, size_t size);

#endif
