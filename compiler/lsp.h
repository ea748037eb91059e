/* Editor support (CLI.md "Editors"): `nrnc check --format json` and `nrnc lsp`.
 *
 * The JSON library (jansson) is used only by the lsp*.c files behind this header and
 * lsp_internal.h: a boundary to grep for. */
#ifndef NRN_LSP_H
#define NRN_LSP_H

#include <stdio.h>

#include "diag.h"

/* Prints d's messages as one JSON object {"diagnostics": [...]} (lines and columns from
 * 1) and forgets them; `model` stands for the file of a message without a position.
 * Returns false when out cannot be written. */
bool lsp_print_check(Diags *d, const char *model, FILE *out);

/* The language server: Content-Length framed JSON-RPC on in/out until `exit`. Returns
 * 0 after shutdown then exit, 1 when the input ends or exit comes without shutdown. */
int lsp_main(FILE *in, FILE *out);

#endif
