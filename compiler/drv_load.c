/* Import resolution. Files are identified by their real path so that a file imported
 * along two routes is loaded once; the chain of files being loaded is kept to report a
 * cycle with its whole path. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "drv_load.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drv.h"
#include "parse.h"
#include "util.h"

typedef struct Loader {
    Arena *a;
    Diags *d;
    SemaProgram *prog;
    PtrVec loaded;      /* real paths, parallel to prog->files */
    PtrVec chain;       /* real paths being loaded (the import stack) */
    PtrVec chain_names; /* as written, for the message */
} Loader;

static const char *dir_of(Arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? arena_strndup(a, path, (size_t)(slash - path)) : ".";
}

static const char *real_path(Arena *a, const char *path)
{
    char buf[PATH_MAX];
    return realpath(path, buf) ? arena_strdup(a, buf) : NULL;
}

static bool readable(const char *path) { return access(path, R_OK) == 0; }

/* A file name in the NRN_PATH entries (colon-separated), then the standard library. */
static const char *find_in_path(Loader *l, const char *file)
{
    const char *env = getenv("NRN_PATH");
    if (env && *env) {
        const char *p = env;
        while (*p) {
            const char *colon = strchr(p, ':');
            size_t n = colon ? (size_t)(colon - p) : strlen(p);
            if (n) {
                const char *cand = arena_printf(l->a, "%.*s/%s", (int)n, p, file);
                if (readable(cand))
                    return cand;
            }
            p += n + (colon ? 1 : 0);
        }
    }
    const char *cand = arena_printf(l->a, "%s/%s", drv_stdlib_dir(), file);
    return readable(cand) ? cand : NULL;
}

/* import name: NAME.nrn in the search path. */
static const char *find_stdlib(Loader *l, const char *name)
{
    return find_in_path(l, arena_printf(l->a, "%s.nrn", name));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "lif, lif_cuba, ..." : the standard library's models, sorted. */
static const char *stdlib_names(Arena *a)
{
    DIR *dir = opendir(drv_stdlib_dir());
    if (!dir)
        return "(none found)";
    PtrVec names = {0};
    for (struct dirent *e; (e = readdir(dir));) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".nrn") == 0)
            ptrvec_push(a, &names, arena_strndup(a, e->d_name, n - 4));
    }
    closedir(dir);
    qsort(names.items, (size_t)names.len, sizeof(void *), cmp_str);
    size_t total = 1;
    for (int k = 0; k < names.len; k++)
        total += strlen(names.items[k]) + 2;
    char *out = arena_alloc(a, total);
    for (int k = 0; k < names.len; k++) {
        if (k)
            strcat(out, ", ");
        strcat(out, names.items[k]);
    }
    return out;
}

static void load_file(Loader *l, const char *path, const char *real, NrnLoc from);

static void load_import(Loader *l, const AstFile *file, const AstItem *it)
{
    const char *path;
    if (it->u.import.is_path) {
        const char *dir = dir_of(l->a, file->path);
        path = it->name[0] == '/' || strcmp(dir, ".") == 0 ? it->name : arena_printf(l->a, "%s/%s", dir, it->name);
        /* relative to the importing file, else from the search path (LANGUAGE.md §6) */
        if (!readable(path) && it->name[0] != '/') {
            const char *found = find_in_path(l, it->name);
            if (found)
                path = found;
        }
        if (!readable(path)) {
            diag_error(l->d, it->name_loc, "cannot find imported file '%s'", it->name);
            if (strcmp(path, it->name) != 0)
                diag_note(l->d, nrn_loc_none(), "looked for '%s' (relative to the importing file)", path);
            return;
        }
    } else {
        path = find_stdlib(l, it->name);
        if (!path) {
            diag_error(l->d, it->name_loc, "no standard-library model named '%s'", it->name);
            diag_help(l->d, "the standard library has: %s; NRN_PATH adds folders to search; a file is "
                      "imported with import \"%s.nrn\"", stdlib_names(l->a), it->name);
            return;
        }
    }
    const char *real = real_path(l->a, path);
    for (int k = 0; k < l->chain.len; k++) {
        if (strcmp(l->chain.items[k], real) != 0)
            continue;
        char chain[1024] = "";
        size_t used = 0;
        for (int j = k; j < l->chain.len && used < sizeof chain; j++)
            used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ", (const char *)l->chain_names.items[j]);
        diag_error(l->d, it->name_loc, "import cycle: %s%s", chain, path);
        return;
    }
    for (int k = 0; k < l->loaded.len; k++)
        if (strcmp(l->loaded.items[k], real) == 0)
            return;
    load_file(l, path, real, it->name_loc);
}

/* Parses one file (from `text` when given: an editor's unsaved buffer) and its imports. */
static void load_parsed(Loader *l, AstFile *f, const char *path, const char *real);

static void load_file(Loader *l, const char *path, const char *real, NrnLoc from)
{
    AstFile *f = parse_file(l->a, l->d, path, from);
    if (f)
        load_parsed(l, f, path, real);
}

static void load_parsed(Loader *l, AstFile *f, const char *path, const char *real)
{
    ptrvec_push(l->a, &l->prog->files, f);
    ptrvec_push(l->a, &l->loaded, (void *)real);
    ptrvec_push(l->a, &l->chain, (void *)real);
    ptrvec_push(l->a, &l->chain_names, (void *)path);
    for (const AstItem *it = f->items; it; it = it->next)
        if (it->kind == ITEM_IMPORT)
            load_import(l, f, it);
    l->chain.len--;
    l->chain_names.len--;
}

static bool load_main(Arena *a, Diags *d, const char *path, const char *text, size_t size, SemaProgram *prog)
{
    Loader l = {.a = a, .d = d, .prog = prog};
    int before = d->nerrors;
    const char *real = real_path(a, path);
    if (text)
        load_parsed(&l, parse_text(a, d, path, text, size), path, real ? real : path);
    else
        load_file(&l, path, real ? real : path, nrn_loc_none());
    if (d->nerrors == before && prog->files.len > 0 && !((const AstFile *)prog->files.items[0])->items) {
        const AstFile *f = prog->files.items[0];
        NrnLoc at = {f->file, 1, 1, 1};
        diag_error(d, at, "'%s' contains no model: no neuron, synapse, network, function or import", path);
    }
    return d->nerrors == before && prog->files.len > 0;
}

bool drv_load(Arena *a, Diags *d, const char *path, SemaProgram *prog)
{
    return load_main(a, d, path, NULL, 0, prog);
}

bool drv_load_text(Arena *a, Diags *d, const char *path, const char *text, size_t size, SemaProgram *prog)
{
    return load_main(a, d, path, text, size, prog);
}
