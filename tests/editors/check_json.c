/* `nrnc check --format json` against its contract (CLI.md "Editors", docs/editors.md):
 * one JSON object {"diagnostics": [...]}, each diagnostic with exactly the keys file,
 * line, col, end_line, end_col (integers from 1, the end after the start), severity
 * (error | warning | note), message and notes; each note with severity (note | help) and
 * message, and the five position keys all or none. The exit code is plain check's.
 *
 * usage: check_json NRNC SOURCE_DIR WORK_DIR */
#define _GNU_SOURCE   /* asprintf */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "expect.h"

static const char *nrnc;

/* Runs `nrnc check --format json PATH`; the parsed output (NULL when it is not JSON) and
 * the exit code. Single quotes in PATH are escaped for the shell. */
static json_t *check(const char *path, int *rc)
{
    char quoted[2048] = "'";
    for (const char *p = path; *p && strlen(quoted) < sizeof quoted - 8; p++)
        strcat(quoted, *p == '\'' ? "'\\''" : (char[]){*p, 0});
    strcat(quoted, "'");
    char *cmd;
    if (asprintf(&cmd, "'%s' check --format json %s 2>/dev/null", nrnc, quoted) < 0)
        exit(2);
    FILE *p = popen(cmd, "r");
    free(cmd);
    json_error_t err;
    json_t *root = json_loadf(p, 0, &err);
    int status = pclose(p);
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    CHECK(root, "%s: output is not JSON: %s", path, err.text);
    return root;
}

static bool pos_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) >= 1;
}

static void check_span(json_t *o, const char *what)
{
    CHECK(json_is_string(json_object_get(o, "file")), "%s: file is not a string", what);
    static const char *const keys[] = {"line", "col", "end_line", "end_col"};
    for (int k = 0; k < 4; k++)
        CHECK(pos_int(o, keys[k]), "%s: %s is not an integer >= 1", what, keys[k]);
    json_int_t line = json_integer_value(json_object_get(o, "line"));
    json_int_t end_line = json_integer_value(json_object_get(o, "end_line"));
    CHECK(end_line > line || (end_line == line && json_integer_value(json_object_get(o, "end_col")) >
                                                       json_integer_value(json_object_get(o, "col"))),
          "%s: the end is not after the start", what);
}

static bool one_of(json_t *v, const char *const *names)
{
    for (; *names; names++)
        if (json_is_string(v) && strcmp(json_string_value(v), *names) == 0)
            return true;
    return false;
}

/* The shape, whatever the model. */
static void check_schema(json_t *root, const char *model)
{
    CHECK(json_is_object(root) && json_object_size(root) == 1, "%s: not one object with one key", model);
    json_t *list = json_object_get(root, "diagnostics");
    CHECK(json_is_array(list), "%s: diagnostics is not an array", model);
    size_t k;
    json_t *d;
    json_array_foreach(list, k, d) {
        CHECK(json_is_object(d) && json_object_size(d) == 8, "%s: diagnostic %zu does not have 8 keys", model, k);
        check_span(d, model);
        static const char *const sev[] = {"error", "warning", "note", NULL};
        CHECK(one_of(json_object_get(d, "severity"), sev), "%s: bad severity", model);
        CHECK(json_string_length(json_object_get(d, "message")) > 0, "%s: empty message", model);
        json_t *notes = json_object_get(d, "notes");
        CHECK(json_is_array(notes), "%s: notes is not an array", model);
        size_t j;
        json_t *n;
        json_array_foreach(notes, j, n) {
            static const char *const nsev[] = {"note", "help", NULL};
            CHECK(one_of(json_object_get(n, "severity"), nsev), "%s: bad note severity", model);
            CHECK(json_string_length(json_object_get(n, "message")) > 0, "%s: empty note", model);
            size_t keys = json_object_size(n);
            CHECK(keys == 2 || keys == 7, "%s: a note has %zu keys (2 or 7)", model, keys);
            if (keys == 7)
                check_span(n, model);
        }
    }
}

static json_int_t int_at(json_t *o, const char *key) { return json_integer_value(json_object_get(o, key)); }
static const char *str_at(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: check_json NRNC SOURCE_DIR WORK_DIR\n");
        return 2;
    }
    nrnc = argv[1];
    const char *src = argv[2], *work = argv[3];
    mkdir(work, 0777);
    char path[4096];
    int rc;

    /* an error with a located note */
    snprintf(path, sizeof path, "%s/tests/diag/duplicate_declaration.nrn", src);
    json_t *root = check(path, &rc);
    check_schema(root, path);
    CHECK(rc == 1, "exit %d for an error, expected 1", rc);
    json_t *d = json_array_get(json_object_get(root, "diagnostics"), 0);
    CHECK(json_array_size(json_object_get(root, "diagnostics")) == 1, "one diagnostic expected");
    CHECK(strcmp(str_at(d, "file"), path) == 0, "file is '%s'", str_at(d, "file"));
    CHECK(int_at(d, "line") == 3 && int_at(d, "col") == 11 && int_at(d, "end_line") == 3 && int_at(d, "end_col") == 14,
          "error span %lld:%lld-%lld:%lld, expected 3:11-3:14", (long long)int_at(d, "line"),
          (long long)int_at(d, "col"), (long long)int_at(d, "end_line"), (long long)int_at(d, "end_col"));
    CHECK(strcmp(str_at(d, "severity"), "error") == 0, "severity");
    CHECK(strcmp(str_at(d, "message"), "'tau' is already declared in 'N'") == 0, "message '%s'", str_at(d, "message"));
    json_t *note = json_array_get(json_object_get(d, "notes"), 0);
    CHECK(note && strcmp(str_at(note, "severity"), "note") == 0 && int_at(note, "line") == 2 &&
              int_at(note, "col") == 11 && strcmp(str_at(note, "message"), "'tau' is first declared here as a param") == 0,
          "the note");
    json_decref(root);

    /* a unit mismatch with a help line (no position), in a file whose name needs escaping */
    snprintf(path, sizeof path, "%s/quote\"back\\slash\ttab.nrn", work);
    write_file(path, "neuron N {\n    param tau = 10 ms\n    state v = 0 mV\n    dv/dt = -v / tau + 1 mV\n}\n");
    root = check(path, &rc);
    check_schema(root, path);
    CHECK(rc == 1, "exit %d for a unit mismatch, expected 1", rc);
    d = json_array_get(json_object_get(root, "diagnostics"), 0);
    CHECK(d && strcmp(str_at(d, "file"), path) == 0, "the escaped file name did not come back: '%s'",
          d ? str_at(d, "file") : "");
    CHECK(d && int_at(d, "line") == 4 && int_at(d, "col") == 13 && int_at(d, "end_col") == 28, "mismatch span");
    CHECK(d && strstr(str_at(d, "message"), "unit mismatch") && strstr(str_at(d, "message"), "mV/ms"), "message");
    note = d ? json_array_get(json_object_get(d, "notes"), 0) : NULL;
    CHECK(note && strcmp(str_at(note, "severity"), "help") == 0 && json_object_size(note) == 2, "the help line");
    json_decref(root);

    /* a clean model: one object, no diagnostics, exit 0 */
    snprintf(path, sizeof path, "%s/examples/lif.nrn", src);
    root = check(path, &rc);
    check_schema(root, path);
    CHECK(rc == 0, "exit %d for a clean model", rc);
    CHECK(json_array_size(json_object_get(root, "diagnostics")) == 0, "diagnostics for a clean model");
    json_decref(root);

    /* a file that does not exist: an error at its first line */
    snprintf(path, sizeof path, "%s/no such file.nrn", work);
    root = check(path, &rc);
    check_schema(root, path);
    CHECK(rc == 1, "exit %d for a missing file", rc);
    d = json_array_get(json_object_get(root, "diagnostics"), 0);
    CHECK(d && int_at(d, "line") == 1 && strstr(str_at(d, "message"), "cannot open"), "missing file");
    json_decref(root);

    /* many errors: every one an object of the same shape */
    snprintf(path, sizeof path, "%s/tests/diag/many_independent_errors.nrn", src);
    root = check(path, &rc);
    check_schema(root, path);
    CHECK(rc == 1 && json_array_size(json_object_get(root, "diagnostics")) > 1, "several errors");
    json_decref(root);

    /* a bad --format is a usage error */
    char *cmd;
    if (asprintf(&cmd, "'%s' check --format xml '%s/examples/lif.nrn' >/dev/null 2>&1", nrnc, src) < 0)
        return 2;
    int status = system(cmd);
    free(cmd);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2, "--format xml should exit 2");

    if (failures)
        return 1;
    printf("ok\n");
    return 0;
}
