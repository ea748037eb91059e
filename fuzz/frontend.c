/* libFuzzer target: the front end on one model file given as bytes.
 *
 * Lexer and parser (parse_text), names and dimensions (sema_check), then, for every
 * network of a model that checks, lowering and the choice of integrators (lower_network,
 * solve_select) and the IR dump, exactly the calls `nrnc emit ir` makes (driver.c),
 * without LLVM. Imports are confined to the standard library, read once at start-up
 * into memory: `import NAME` and `import "NAME.nrn"` load stdlib/NAME.nrn when it exists,
 * any other import loads nothing (its names then stay undefined), so no input makes the
 * target read a file. Diagnostics are collected and dropped, never printed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "ir.h"
#include "lower.h"
#include "parse.h"
#include "sema.h"
#include "solve.h"

typedef struct StdFile {
    char *name;     /* "lif", without ".nrn" */
    char *text;
    size_t size;
} StdFile;

static StdFile *stdlib_files;
static int nstdlib;
static FILE *devnull;

static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *size = 0;
    for (;;) {
        if (*size == cap) {
            cap = cap ? 2 * cap : 4096;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t got = fread(buf + *size, 1, cap - *size, f);
        if (got == 0)
            break;
        *size += got;
    }
    fclose(f);
    return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    DIR *dir = opendir(NRN_STDLIB_DIR);
    if (!dir)
        return 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".nrn") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", NRN_STDLIB_DIR, e->d_name);
        StdFile sf = {strndup(e->d_name, n - 4), NULL, 0};
        sf.text = slurp(path, &sf.size);
        if (!sf.text) {
            free(sf.name);
            continue;
        }
        stdlib_files = realloc(stdlib_files, (size_t)(nstdlib + 1) * sizeof *stdlib_files);
        if (!stdlib_files || !sf.name)
            abort();
        stdlib_files[nstdlib++] = sf;
    }
    closedir(dir);
    return 0;
}

/* The standard-library file an import names, or NULL. */
static const StdFile *find_import(const AstItem *it)
{
    size_t n = strlen(it->name);
    if (it->u.import.is_path && (n < 4 || strcmp(it->name + n - 4, ".nrn") != 0))
        return NULL;
    if (it->u.import.is_path)
        n -= 4;
    for (int k = 0; k < nstdlib; k++)
        if (strlen(stdlib_files[k].name) == n && strncmp(stdlib_files[k].name, it->name, n) == 0)
            return &stdlib_files[k];
    return NULL;
}

/* prog->files: the input, then each standard-library file it imports (transitively), once. */
static void load(Arena *a, Diags *d, SemaProgram *prog, const uint8_t *data, size_t size)
{
    bool loaded[256] = {false};
    ptrvec_push(a, &prog->files, parse_text(a, d, "fuzz.nrn", (const char *)data, size));
    for (int k = 0; k < prog->files.len; k++) {
        const AstFile *f = prog->files.items[k];
        for (const AstItem *it = f->items; it; it = it->next) {
            const StdFile *sf = it->kind == ITEM_IMPORT ? find_import(it) : NULL;
            int idx = sf ? (int)(sf - stdlib_files) : -1;
            if (idx < 0 || idx >= 256 || loaded[idx])
                continue;
            loaded[idx] = true;
            ptrvec_push(a, &prog->files, parse_text(a, d, sf->name, sf->text, sf->size));
        }
    }
}

/* driver.c's run_parameters without flags: the simulate statement's dt, duration and seed
 * for its network, defaults for the others. */
static void lower_all(Arena *a, Diags *d, SemaProgram *prog)
{
    for (int k = 0; k < prog->networks.len; k++) {
        SemaNetwork *net = prog->networks.items[k];
        bool sim = prog->simulate_net == net;
        LowerOptions lo = {.model_path = "fuzz.nrn", .network = net};
        lo.dt = sim && prog->sim_has_dt ? prog->sim_dt_s : 1e-4;
        lo.duration = sim ? prog->sim_duration_s : 1e-3;
        lo.seed = sim && prog->sim_has_seed ? (uint64_t)prog->sim_seed : 0;
        lo.sets = arena_alloc(a, sizeof *lo.sets);
        int errors = d->nerrors;
        IrModule *m = lower_network(a, d, prog, &lo);
        if (m && d->nerrors == errors && solve_select(a, d, m, NULL) && devnull)
            ir_dump(devnull, m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a);
    Diags d;
    diag_init(&d, &a);
    SemaProgram prog = {.arena = &a};
    load(&a, &d, &prog, data, size);
    if (d.nerrors == 0 && sema_check(&prog, &d)) {
        if (devnull)
            ast_dump(devnull, prog.files.items[0]);
        lower_all(&a, &d, &prog);
    }
    diag_fini(&d);
    arena_fini(&a);
    return 0;
}
