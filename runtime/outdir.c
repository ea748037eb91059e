/* The output folder of a run: what it may hold before, what it holds after.
 *
 * A folder is nrnc's when it holds a summary.json that an nrnc run wrote (a JSON object
 * with "model" and "status"); that summary lists every file of its run under "files"
 * (older ones: the "file" of each trace, rate and weight record). A new run into the
 * folder removes exactly those files, so no result of the previous run is left mixed
 * with the new ones, and leaves anything else (a plot, an analysis) alone. A folder that
 * holds files but is not nrnc's is refused unless --force, since writing there could
 * overwrite the user's own files.
 *
 * summary.json is only ever replaced whole: written to a hidden temporary file in the
 * folder and renamed over the old one. A run writes it at the start ("status": "running",
 * with the files it will write) and at the end. So that the last one can be written even
 * when the run fills the disk, space for it is set aside at the start in a hidden file
 * (RESERVE_NAME), which is removed just before the final summary.json is written. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define RESERVE_NAME ".nrnc-reserve"
#define SUMMARY_NAME "summary.json"

enum { MAX_SUMMARY = 64 << 20, MAX_DEPTH = 64 };

/* Buffers: 32 MiB over all files, at least 4 KiB and at most 64 KiB per file. */
enum { BUF_TOTAL = 32 << 20, BUF_MIN = 4 << 10, BUF_MAX = 64 << 10 };

void nrt_folder_init(nrt_folder *f, const char *dir, nrt_err *err, int64_t files)
{
    memset(f, 0, sizeof *f);
    f->dir = dir;
    f->err = err;
    int64_t per = BUF_TOTAL / (files > 0 ? files : 1);
    f->buf_cap = (size_t)(per < BUF_MIN ? BUF_MIN : per > BUF_MAX ? BUF_MAX : per);
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        rlim_t soft = lim.rlim_cur;
        lim.rlim_cur = lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
            lim.rlim_cur = soft;
    }
    rlim_t n = lim.rlim_cur;
    if (n == RLIM_INFINITY || n > (1 << 20))
        n = 1 << 20;
    f->max_fds = (int)(n / 2);
}

void nrt_folder_fini(nrt_folder *f)
{
    for (int k = 0; k < f->nfiles; k++)
        free(f->files[k].name);
    free(f->files);
    f->files = NULL;
    f->nfiles = 0;
}

int nrt_folder_add(nrt_folder *f, const char *name)
{
    if (f->nfiles == f->files_cap) {
        int cap = f->files_cap ? 2 * f->files_cap : 16;
        nrt_file_entry *grown = realloc(f->files, (size_t)cap * sizeof *grown);
        if (!grown) {
            nrt_err_report(f->err, "out of memory");
            return -1;
        }
        f->files = grown;
        f->files_cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        nrt_err_report(f->err, "out of memory");
        return -1;
    }
    f->files[f->nfiles] = (nrt_file_entry){ .name = copy, .rows = 0 };
    return f->nfiles++;
}

int nrt_write_all(int fd, const void *data, size_t size, int64_t at)
{
    const char *p = data;
    while (size > 0) {
        ssize_t n = pwrite(fd, p, size, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return -1;
        }
        p += n;
        at += n;
        size -= (size_t)n;
    }
    return 0;
}

void nrt_folder_fail(nrt_folder *f, const char *path, int e)
{
    const char *why = "";
    if (e == ENOSPC)
        why = " (the disk is full)";
    else if (e == EDQUOT)
        why = " (the disk is full for this user: quota exceeded)";
    else if (e == EFBIG)
        why = " (the disk is full or the file size limit, ulimit -f, was reached)";
    if (e == ENOSPC || e == EDQUOT || e == EFBIG)
        f->full = true;
    nrt_err_report(f->err, "cannot write '%s': %s%s", path, strerror(e), why);
}

/* ---- Reserve and atomic replacement ------------------------------------------------ */

int nrt_folder_reserve(nrt_folder *f, size_t bytes)
{
    char *path = nrt_path_join(f->dir, RESERVE_NAME);
    if (!path) {
        nrt_err_report(f->err, "out of memory");
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int rc = fd < 0 ? errno : posix_fallocate(fd, 0, (off_t)bytes);
    if (rc == EOPNOTSUPP || rc == EINVAL) {
        /* a file system without fallocate: zeros take the space as well */
        static const char zeros[4096];
        rc = 0;
        for (size_t at = 0; rc == 0 && at < bytes; at += sizeof zeros) {
            size_t n = bytes - at < sizeof zeros ? bytes - at : sizeof zeros;
            if (nrt_write_all(fd, zeros, n, (int64_t)at) != 0)
                rc = errno;
        }
    }
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = errno;
    if (rc != 0) {
        if (fd >= 0)
            unlink(path);
        nrt_folder_fail(f, path, rc);
    } else {
        f->reserved = true;
    }
    free(path);
    return rc ? -1 : 0;
}

int nrt_folder_replace(nrt_folder *f, const char *name, const char *data, size_t size,
                       bool release)
{
    char *path = nrt_path_join(f->dir, name);
    char tmpname[300];
    snprintf(tmpname, sizeof tmpname, ".%s.tmp", name);
    char *tmp = nrt_path_join(f->dir, tmpname);
    char *reserve = nrt_path_join(f->dir, RESERVE_NAME);
    if (!path || !tmp || !reserve) {
        nrt_err_report(f->err, "out of memory");
        free(path);
        free(tmp);
        free(reserve);
        return -1;
    }
    if (release && f->reserved) {
        unlink(reserve);
        f->reserved = false;
    }
    int e = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 || nrt_write_all(fd, data, size, 0) != 0)
        e = errno;
    if (fd >= 0 && close(fd) != 0 && e == 0)
        e = errno;
    if (e == 0 && rename(tmp, path) != 0)
        e = errno;
    if (e != 0) {
        if (fd >= 0)
            unlink(tmp);
        nrt_folder_fail(f, path, e);
    }
    free(path);
    free(tmp);
    free(reserve);
    return e ? -1 : 0;
}

/* ---- Reading the previous summary.json --------------------------------------------- */

/* A JSON reader just strong enough to tell nrnc's summary.json and collect its files:
 * names under the top-level "files" object and the string of any "file" key inside. */
typedef struct scan {
    const char *p;
    char **names;
    int n, cap;
    bool model, status;       /* top-level keys with string values */
    bool oom;
} scan;

static void ws(scan *s)
{
    while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
        s->p++;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string (at its opening quote) into a new buffer; NULL when malformed. A character
 * outside ASCII becomes '/', which no file name of ours holds. */
static char *string(scan *s)
{
    if (*s->p != '"')
        return NULL;
    const char *q = ++s->p;
    size_t len = 0;
    while (*q && *q != '"') {
        q += *q == '\\' && q[1] ? 2 : 1;
        len++;
    }
    if (*q != '"')
        return NULL;
    char *out = malloc(len + 1), *w = out;
    if (!out) {
        s->oom = true;
        return NULL;
    }
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    while (*s->p != '"') {
        char c = *s->p++;
        if (c == '\\') {
            c = *s->p++;
            const char *k = strchr(from, c);
            if (c == 'u') {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hex(*s->p);
                    if (h < 0)
                        break;
                    v = v * 16 + h;
                    s->p++;
                }
                c = v > 0 && v < 0x80 ? (char)v : '/';
            } else {
                c = k ? to[k - from] : '/';
            }
        } else if ((unsigned char)c >= 0x80) {
            c = '/';
        }
        *w++ = c;
    }
    *w = '\0';
    s->p++;
    return out;
}

static void keep(scan *s, char *name)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        char **grown = realloc(s->names, (size_t)cap * sizeof *grown);
        if (!grown) {
            s->oom = true;
            free(name);
            return;
        }
        s->names = grown;
        s->cap = cap;
    }
    s->names[s->n++] = name;
}

/* value -> object | array | string | number | true | false | null. `key` is the key
 * whose value this is (NULL in an array), depth 1 the top-level object. */
static bool value(scan *s, int depth, const char *key);

static bool object(scan *s, int depth, const char *parent)
{
    s->p++;
    ws(s);
    if (*s->p == '}') {
        s->p++;
        return true;
    }
    for (;;) {
        ws(s);
        char *k = string(s);
        if (!k)
            return false;
        ws(s);
        bool ok = *s->p == ':';
        if (ok) {
            s->p++;
            ws(s);
            bool files = depth == 2 && parent && strcmp(parent, "files") == 0;
            if (files && (*s->p == '{' || *s->p == '"' || (*s->p >= '0' && *s->p <= '9'))) {
                keep(s, strdup(k));
                if (s->oom) {
                    free(k);
                    return false;
                }
            }
            if (depth == 1 && *s->p == '"') {
                s->model |= strcmp(k, "model") == 0;
                s->status |= strcmp(k, "status") == 0;
            }
            if (depth >= 2 && strcmp(k, "file") == 0 && *s->p == '"') {
                const char *at = s->p;
                char *name = string(s);
                s->p = at;
                if (name)
                    keep(s, name);
            }
            ok = value(s, depth + 1, k);
        }
        free(k);
        if (!ok)
            return false;
        ws(s);
        if (*s->p == '}') {
            s->p++;
            return true;
        }
        if (*s->p++ != ',')
            return false;
    }
}

static bool value(scan *s, int depth, const char *key)
{
    if (depth > MAX_DEPTH)
        return false;
    ws(s);
    char c = *s->p;
    if (c == '{')
        return object(s, depth, key);
    if (c == '[') {
        s->p++;
        ws(s);
        if (*s->p == ']') {
            s->p++;
            return true;
        }
        for (;;) {
            if (!value(s, depth + 1, NULL))
                return false;
            ws(s);
            if (*s->p == ']') {
                s->p++;
                return true;
            }
            if (*s->p++ != ',')
                return false;
        }
    }
    if (c == '"') {
        char *str = string(s);
        free(str);
        return str != NULL;
    }
    const char *start = s->p;
    while (*s->p && strchr("+-.0123456789eEtruefalsn", *s->p))
        s->p++;
    return s->p > start;
}

/* Reads DIR/summary.json if it is a regular file of sensible size; NULL otherwise. */
static char *read_summary(const char *dir)
{
    char *path = nrt_path_join(dir, SUMMARY_NAME);
    if (!path)
        return NULL;
    struct stat st;
    char *text = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < MAX_SUMMARY &&
        (text = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t got = 0;
        ssize_t n;
        while (got < (size_t)st.st_size &&
               (n = read(fd, text + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)n;
        text[got] = '\0';
    }
    if (fd >= 0)
        close(fd);
    free(path);
    return text;
}

/* Only plain names: never a path out of the folder, never summary.json itself (it is
 * replaced, and until then it keeps the folder marked as nrnc's). */
static bool removable(const char *name)
{
    return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           strcmp(name, SUMMARY_NAME) != 0;
}

static bool has_entries(DIR *d)
{
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            return true;
    return false;
}

static int remove_listed(nrt_folder *f, scan *s)
{
    keep(s, strdup(RESERVE_NAME));
    keep(s, strdup("." SUMMARY_NAME ".tmp"));
    keep(s, strdup(NRT_CKPT_FILE));
    keep(s, strdup(NRT_CKPT_FILE ".tmp"));
    if (s->oom) {
        nrt_err_report(f->err, "out of memory");
        return 3;
    }
    for (int k = 0; k < s->n; k++) {
        if (!removable(s->names[k]))
            continue;
        char *path = nrt_path_join(f->dir, s->names[k]);
        if (!path) {
            nrt_err_report(f->err, "out of memory");
            return 3;
        }
        int rc = unlink(path);
        int e = errno;
        if (rc != 0 && e != ENOENT) {
            nrt_err_report(f->err, "cannot remove '%s' of the previous run: %s", path, strerror(e));
            free(path);
            return 3;
        }
        free(path);
    }
    return 0;
}

int nrt_folder_prepare(nrt_folder *f, bool force)
{
    DIR *d = opendir(f->dir);
    if (!d) {
        nrt_err_report(f->err, "cannot read output folder '%s': %s", f->dir, strerror(errno));
        return 3;
    }
    bool empty = !has_entries(d);
    closedir(d);
    if (empty)
        return 0;
    char *text = read_summary(f->dir);
    scan s = { .p = text ? text : "" };
    bool ours = text && value(&s, 1, NULL) && s.model && s.status;
    int rc = 0;
    if (ours)
        rc = remove_listed(f, &s);
    else if (!force) {
        nrt_err_report(f->err, "output folder '%s' is not empty and was not written by nrnc "
                       "(it has no summary.json of a run); choose another --out, empty it, "
                       "or give --force to write into it anyway", f->dir);
        rc = 2;
    }
    for (int k = 0; k < s.n; k++)
        free(s.names[k]);
    free(s.names);
    free(text);
    return rc;
}
