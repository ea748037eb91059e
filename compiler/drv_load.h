/* Loading a model file and everything it imports (LANGUAGE.md §6 `import`). */
#ifndef NRN_DRV_LOAD_H
#define NRN_DRV_LOAD_H

#include "sema.h"

/* Parses `path` and its imports into prog->files (main file first, each file once).
 * `import "x.nrn"` is relative to the importing file; `import name` searches the
 * NRN_PATH entries, then the standard library folder. Cycles and missing files are
 * reported at the import. Returns false if anything was reported. */
bool drv_load(Arena *a, Diags *d, const char *path, SemaProgram *prog);
/* The same with the main file's text given (an editor's buffer, which need not be saved):
 * `path` names it in messages and its imports resolve relative to it. */
bool drv_load_text(Arena *a, Diags *d, const char *path, const char *text, size_t size, SemaProgram *prog);

#endif
