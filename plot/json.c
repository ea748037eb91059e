/* A small JSON reader for summary.json: the whole file into a tree of Json nodes, object
 * keys kept in file order (populations are listed in declaration order, and the raster
 * stacks them so).
 *
 * Recursive descent over a NUL-terminated buffer, nesting capped at JSON_MAX_DEPTH so a
 * hostile file cannot exhaust the stack. A syntax error is reported once as
 * FILE:LINE:COL with what was expected and what was seen, and the whole file is given up:
 * a half-read summary is worse than none, since load.c then looks at the folder itself.
 * Numbers go through strtod; \uXXXX escapes become UTF-8 (surrogate pairs joined). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

enum { JSON_MAX_DEPTH = 64 };

typedef struct Parser {
    const char *src, *p;
    const char *path;
    FILE *log;
    bool failed;
} Parser;

static void fail(Parser *ps, const char *expected)
{
    if (ps->failed)
        return;
    ps->failed = true;
    int line = 1, col = 1;
    for (const char *q = ps->src; q < ps->p; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    char seen[24];
    int n = 0;
    while (n < 10 && ps->p[n] && ps->p[n] != '\n' && ps->p[n] != '\r')
        n++;
    if (!*ps->p)
        snprintf(seen, sizeof seen, "the end of the file");
    else if (n == 0)
        snprintf(seen, sizeof seen, "the end of the line");
    else
        snprintf(seen, sizeof seen, "'%.*s'", n, ps->p);
    plot_msg(ps->log, "warning", "%s:%d:%d: expected %s, got %s", ps->path, line, col, expected,
             seen);
}

static void skip_ws(Parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static bool eat(Parser *ps, char c)
{
    skip_ws(ps);
    if (*ps->p != c)
        return false;
    ps->p++;
    return true;
}

static void value(Parser *ps, Json *out, int depth);

static void put_utf8(char **o, unsigned long cp)
{
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xc0 | (cp >> 6));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xe0 | (cp >> 12));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *u++ = (unsigned char)(0xf0 | (cp >> 18));
        *u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
    *o = (char *)u;
}

static bool hex4(Parser *ps, unsigned long *cp)
{
    *cp = 0;
    for (int k = 0; k < 4; k++) {
        char c = *ps->p;
        int v = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) {
            fail(ps, "4 hex digits after \\u");
            return false;
        }
        *cp = *cp * 16 + (unsigned long)v;
        ps->p++;
    }
    return true;
}

/* One escape after the backslash, written to *o. */
static bool escape(Parser *ps, char **o)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = *ps->p ? strchr(from, *ps->p) : NULL;
    if (k) {
        *(*o)++ = to[k - from];
        ps->p++;
        return true;
    }
    if (*ps->p != 'u') {
        fail(ps, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        return false;
    }
    ps->p++;
    unsigned long cp;
    if (!hex4(ps, &cp))
        return false;
    if (cp >= 0xd800 && cp < 0xdc00 && ps->p[0] == '\\' && ps->p[1] == 'u') {
        unsigned long lo;
        ps->p += 2;
        if (!hex4(ps, &lo))
            return false;
        if (lo >= 0xdc00 && lo < 0xe000)
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    put_utf8(o, cp);
    return true;
}

/* string -> '"' chars '"' ; never longer decoded than encoded, so one buffer suffices */
static char *string(Parser *ps)
{
    if (!eat(ps, '"')) {
        fail(ps, "a string");
        return NULL;
    }
    const char *end = ps->p;
    while (*end && *end != '"')
        end += end[0] == '\\' && end[1] ? 2 : 1;
    char *s = plot_xrealloc(NULL, (size_t)(end - ps->p) + 4), *o = s;
    while (*ps->p != '"') {
        if (!*ps->p || (unsigned char)*ps->p < 0x20) {
            fail(ps, "'\"' to end the string");
            free(s);
            return NULL;
        }
        if (*ps->p == '\\') {
            ps->p++;
            if (!escape(ps, &o)) {
                free(s);
                return NULL;
            }
        } else {
            *o++ = *ps->p++;
        }
    }
    ps->p++;
    *o = '\0';
    return s;
}

/* object -> '{' [ string ':' value { ',' string ':' value } ] '}' ; array likewise */
static void members(Parser *ps, Json *out, bool object, int depth)
{
    char close = object ? '}' : ']';
    int cap = 0;
    if (eat(ps, close))
        return;
    do {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 8;
            out->items = plot_xrealloc(out->items, (size_t)cap * sizeof *out->items);
            if (object)
                out->keys = plot_xrealloc(out->keys, (size_t)cap * sizeof *out->keys);
        }
        Json *item = &out->items[out->n];
        memset(item, 0, sizeof *item);
        if (object) {
            out->keys[out->n] = NULL;
            out->n++;
            out->keys[out->n - 1] = string(ps);
            if (ps->failed)
                return;
            if (!eat(ps, ':')) {
                fail(ps, "':' after the key");
                return;
            }
        } else {
            out->n++;
        }
        value(ps, item, depth + 1);
        if (ps->failed)
            return;
    } while (eat(ps, ','));
    if (!eat(ps, close))
        fail(ps, object ? "',' or '}'" : "',' or ']'");
}

static void number(Parser *ps, Json *out)
{
    char *end;
    /* strtod also takes hex, inf and nan, which JSON does not: check the first char. */
    char c = *ps->p;
    if (c != '-' && !(c >= '0' && c <= '9')) {
        fail(ps, "a value");
        return;
    }
    out->kind = JSON_NUM;
    out->num = strtod(ps->p, &end);
    if (end == ps->p || ((end[-1] < '0' || end[-1] > '9') && end[-1] != '.'))
        fail(ps, "a number");
    ps->p = end;
}

static bool word(Parser *ps, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(ps->p, w, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static void value(Parser *ps, Json *out, int depth)
{
    skip_ws(ps);
    if (depth > JSON_MAX_DEPTH) {
        fail(ps, "less deeply nested values");
    } else if (*ps->p == '{' || *ps->p == '[') {
        bool object = *ps->p++ == '{';
        out->kind = object ? JSON_OBJ : JSON_ARR;
        members(ps, out, object, depth);
    } else if (*ps->p == '"') {
        out->kind = JSON_STR;
        out->str = string(ps);
    } else if (word(ps, "true") || word(ps, "false")) {
        out->kind = JSON_BOOL;
        out->b = ps->p[-1] == 'e' && ps->p[-2] == 'u';
    } else if (word(ps, "null")) {
        out->kind = JSON_NULL;
    } else {
        number(ps, out);
    }
}

static char *slurp(const char *path, bool *missing)
{
    FILE *f = fopen(path, "rb");
    *missing = !f;
    if (!f)
        return NULL;
    size_t n = 0, cap = 4096;
    char *buf = plot_xrealloc(NULL, cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            buf = plot_xrealloc(buf, cap *= 2);
    }
    bool bad = ferror(f);
    fclose(f);
    buf[n] = '\0';
    if (bad || strlen(buf) != n) {   /* a NUL byte: not a text file */
        free(buf);
        return NULL;
    }
    return buf;
}

Json *plot_json_parse(const char *src, const char *path, FILE *log)
{
    Parser ps = { .src = src, .p = src, .path = path, .log = log };
    Json *root = plot_xrealloc(NULL, sizeof *root);
    memset(root, 0, sizeof *root);
    value(&ps, root, 0);
    skip_ws(&ps);
    if (!ps.failed && *ps.p)
        fail(&ps, "the end of the file after the value");
    if (!ps.failed && root->kind != JSON_OBJ) {
        ps.p = src;
        fail(&ps, "an object '{'");
    }
    if (ps.failed) {
        plot_json_free(root);
        return NULL;
    }
    return root;
}

Json *plot_json_load(const char *path, FILE *log, bool *missing)
{
    char *src = slurp(path, missing);
    if (!src) {
        if (!*missing)
            plot_msg(log, "warning", "cannot read '%s' as a text file", path);
        return NULL;
    }
    Json *root = plot_json_parse(src, path, log);
    free(src);
    return root;
}

static void free_members(Json *j)
{
    for (int k = 0; k < j->n; k++) {
        free_members(&j->items[k]);
        if (j->keys)
            free(j->keys[k]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
}

void plot_json_free(Json *j)
{
    if (!j)
        return;
    free_members(j);
    free(j);
}

const Json *plot_json_get(const Json *obj, const char *key)
{
    if (!obj || obj->kind != JSON_OBJ)
        return NULL;
    for (int k = 0; k < obj->n; k++)
        if (obj->keys[k] && strcmp(obj->keys[k], key) == 0)
            return &obj->items[k];
    return NULL;
}

const char *plot_json_str(const Json *obj, const char *key)
{
    const Json *v = plot_json_get(obj, key);
    return v && v->kind == JSON_STR ? v->str : NULL;
}

double plot_json_num(const Json *obj, const char *key)
{
    const Json *v = plot_json_get(obj, key);
    return v && v->kind == JSON_NUM ? v->num : NAN;
}
