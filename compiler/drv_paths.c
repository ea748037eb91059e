/* Where nrnc finds its own files: the standard library, the runtime's headers and its
 * libraries.
 *
 * An installed nrnc (PREFIX/bin/nrnc) looks beside itself, at the paths relative to its
 * folder that CMake computed from the install layout (NRN_INSTALL_*), so that PREFIX can
 * be moved or copied elsewhere. A nrnc started from its build tree has no such files
 * beside it and uses the source and build folders compiled in (NRN_STDLIB_DIR,
 * NRN_RUNTIME_*). Which of the two applies is decided once, by whether the installed
 * standard library is there, so that one run never mixes an installed runtime with a
 * build tree's headers. The answer is computed on first use and kept: the driver asks
 * from its one thread, before any worker starts. */
#define _XOPEN_SOURCE 700   /* realpath, readlink */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drv.h"

typedef struct Paths {
    char stdlib[PATH_MAX];
    char include[PATH_MAX];
    char libdir[PATH_MAX];
    char lib_static[PATH_MAX];
    char lib_shared[PATH_MAX];
} Paths;

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of the running executable, or false when the kernel does not say (no
 * /proc) or the path does not fit. */
static bool exe_dir(char *dir, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", dir, size);
    if (n <= 0 || (size_t)n >= size)
        return false;
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return true;
}

/* dir/rel without "..": the folder as users will see it in messages and link lines. */
static bool resolve(const char *dir, const char *rel, char *out)
{
    char joined[2 * PATH_MAX];
    snprintf(joined, sizeof joined, "%s/%s", dir, rel);
    return realpath(joined, out) != NULL;
}

static bool copy(char *out, const char *a, const char *b)
{
    return (size_t)snprintf(out, PATH_MAX, "%s%s", a, b) < PATH_MAX;
}

static bool find_installed(Paths *p)
{
    char bin[PATH_MAX];
    if (!exe_dir(bin, sizeof bin))
        return false;
    if (!resolve(bin, NRN_INSTALL_STDLIB, p->stdlib) || !is_dir(p->stdlib))
        return false;
    /* a partial install is reported where the missing file is needed (the C compiler
     * names it), so these need not exist here */
    if (!resolve(bin, NRN_INSTALL_INCLUDE, p->include) && !copy(p->include, bin, "/" NRN_INSTALL_INCLUDE))
        return false;
    if (!resolve(bin, NRN_INSTALL_LIBDIR, p->libdir) && !copy(p->libdir, bin, "/" NRN_INSTALL_LIBDIR))
        return false;
    return copy(p->lib_static, p->libdir, "/libnrnrt.a") && copy(p->lib_shared, p->libdir, "/libnrnrt.so");
}

static void use_build_tree(Paths *p)
{
    copy(p->stdlib, NRN_STDLIB_DIR, "");
    copy(p->include, NRN_RUNTIME_INCLUDE, "");
    copy(p->libdir, NRN_RUNTIME_LIB_DIR, "");
    copy(p->lib_static, NRN_RUNTIME_LIB, "");
    copy(p->lib_shared, NRN_RUNTIME_SHARED_LIB, "");
}

static const Paths *paths(void)
{
    static Paths p;
    static bool done;
    if (!done) {
        if (!find_installed(&p))
            use_build_tree(&p);
        done = true;
    }
    return &p;
}

const char *drv_stdlib_dir(void) { return paths()->stdlib; }
const char *drv_runtime_include(void) { return paths()->include; }
const char *drv_lib_dir(void) { return paths()->libdir; }
const char *drv_runtime_lib(bool shared) { return shared ? paths()->lib_shared : paths()->lib_static; }
