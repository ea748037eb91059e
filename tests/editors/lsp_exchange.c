/* `nrnc lsp` over its pipes, as an editor talks to it: initialize; open a document with a
 * unit error (its diagnostic, range and message); change it to fix it (no diagnostics);
 * hover a param (kind, unit, declaration); an unsaved document that imports a file beside
 * it (hover a member of a population's model); malformed input (a header without
 * Content-Length is skipped, bad JSON answered with a parse error, an unknown method with
 * "method not found"); shutdown and exit (code 0). Then exit without shutdown (code 1),
 * and input that ends without exit (code 1).
 *
 * usage: lsp_exchange NRNC WORK_DIR */
#define _GNU_SOURCE   /* asprintf */
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"

typedef struct Server {
    pid_t pid;
    FILE *to, *from;
} Server;

static Server start(const char *nrnc)
{
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        exit(2);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(nrnc, nrnc, "lsp", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    return (Server){pid, fdopen(in[1], "w"), fdopen(out[0], "r")};
}

static void send_raw(Server *s, const char *body)
{
    fprintf(s->to, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    fflush(s->to);
}

static void send(Server *s, json_t *msg)
{
    json_object_set_new(msg, "jsonrpc", json_string("2.0"));
    char *text = json_dumps(msg, JSON_COMPACT);
    send_raw(s, text);
    free(text);
    json_decref(msg);
}

/* The next message, checking its framing; NULL at the end of the output. */
static json_t *receive(Server *s)
{
    char line[256];
    long length = -1;
    while (fgets(line, sizeof line, s->from)) {
        if (strcmp(line, "\r\n") == 0)
            break;
        CHECK(strstr(line, "\r\n"), "a header line without CR LF: %s", line);
        if (strncmp(line, "Content-Length: ", 16) == 0)
            length = atol(line + 16);
    }
    if (length < 0)
        return NULL;
    char *body = malloc((size_t)length + 1);
    size_t got = fread(body, 1, (size_t)length, s->from);
    json_error_t err;
    json_t *msg = json_loadb(body, got, 0, &err);
    CHECK(msg, "a message that is not JSON: %.*s", (int)got, body);
    CHECK(msg && strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") == 0, "jsonrpc is not 2.0");
    free(body);
    return msg;
}

static int finish(Server *s)
{
    fclose(s->to);
    json_t *extra = receive(s);
    CHECK(!extra, "output after exit");
    json_decref(extra);
    fclose(s->from);
    int status;
    waitpid(s->pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static json_t *get(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *key = strtok(buf, "."); key && o; key = strtok(NULL, "."))
        o = json_is_array(o) ? json_array_get(o, (size_t)atoi(key)) : json_object_get(o, key);
    return o;
}

static json_int_t num(json_t *o, const char *path) { return json_integer_value(get(o, path)); }
static const char *str(json_t *o, const char *path)
{
    const char *s = json_string_value(get(o, path));
    return s ? s : "";
}

static bool range_is(json_t *r, int l0, int c0, int l1, int c1)
{
    return num(r, "start.line") == l0 && num(r, "start.character") == c0 && num(r, "end.line") == l1 &&
           num(r, "end.character") == c1;
}

static const char bad_model[] = "neuron N {\n"
                                "    param tau = 10 ms   # the membrane time constant, not tau\n"
                                "    state v = 0 mV\n"
                                "    dv/dt = -v / tau + 1 mV\n"
                                "}\n";
static const char good_model[] = "neuron N {\n"
                                 "    param tau = 10 ms   # the membrane time constant, not tau\n"
                                 "    state v = 0 mV\n"
                                 "    dv/dt = -v / tau\n"
                                 "}\n";

static void open_doc(Server *s, const char *uri, const char *text)
{
    send(s, json_pack("{s:s, s:{s:{s:s, s:s, s:i, s:s}}}", "method", "textDocument/didOpen", "params", "textDocument",
                      "uri", uri, "languageId", "nrn", "version", 1, "text", text));
}

static json_t *hover(Server *s, int id, const char *uri, int line, int character)
{
    send(s, json_pack("{s:i, s:s, s:{s:{s:s}, s:{s:i, s:i}}}", "id", id, "method", "textDocument/hover", "params",
                      "textDocument", "uri", uri, "position", "line", line, "character", character));
    return receive(s);
}

static void exchange(const char *nrnc, const char *work)
{
    Server s = start(nrnc);
    send(&s, json_pack("{s:i, s:s, s:{s:n, s:{}}}", "id", 1, "method", "initialize", "params", "processId",
                       "capabilities"));
    json_t *m = receive(&s);
    CHECK(num(m, "id") == 1, "initialize: id");
    CHECK(num(m, "result.capabilities.textDocumentSync.change") == 1, "initialize: full sync");
    CHECK(json_is_true(get(m, "result.capabilities.hoverProvider")), "initialize: hoverProvider");
    json_decref(m);
    send(&s, json_pack("{s:s, s:{}}", "method", "initialized", "params"));

    char *uri;
    if (asprintf(&uri, "file://%s/cell.nrn", work) < 0)
        exit(2);
    open_doc(&s, uri, bad_model);
    m = receive(&s);
    CHECK(strcmp(str(m, "method"), "textDocument/publishDiagnostics") == 0, "didOpen: publishDiagnostics");
    CHECK(strcmp(str(m, "params.uri"), uri) == 0, "didOpen: uri '%s'", str(m, "params.uri"));
    CHECK(json_array_size(get(m, "params.diagnostics")) == 1, "didOpen: one diagnostic");
    /* `-v / tau + 1 mV`: line 4, columns 13-27 (1-based) -> 3:12-3:27 (0-based, end exclusive) */
    CHECK(range_is(get(m, "params.diagnostics.0.range"), 3, 12, 3, 27), "didOpen: range %s",
          json_dumps(get(m, "params.diagnostics.0.range"), JSON_COMPACT));
    CHECK(num(m, "params.diagnostics.0.severity") == 1, "didOpen: severity error");
    CHECK(strcmp(str(m, "params.diagnostics.0.message"),
                 "unit mismatch in '+': the left side is in mV/ms but the right side is in mV\n"
                 "help: divide by a time constant?") == 0,
          "didOpen: message '%s'", str(m, "params.diagnostics.0.message"));
    json_decref(m);

    send(&s, json_pack("{s:s, s:{s:{s:s, s:i}, s:[{s:s}]}}", "method", "textDocument/didChange", "params",
                       "textDocument", "uri", uri, "version", 2, "contentChanges", "text", good_model));
    m = receive(&s);
    CHECK(strcmp(str(m, "method"), "textDocument/publishDiagnostics") == 0 &&
              json_is_array(get(m, "params.diagnostics")) && json_array_size(get(m, "params.diagnostics")) == 0,
          "didChange: no diagnostics after the fix");
    json_decref(m);

    m = hover(&s, 2, uri, 3, 18);   /* inside `tau` in `-v / tau` */
    CHECK(num(m, "id") == 2, "hover: id");
    CHECK(strcmp(str(m, "result.contents.kind"), "markdown") == 0, "hover: markdown");
    CHECK(strcmp(str(m, "result.contents.value"),
                 "**param** `tau`: `ms`\n\n```nrn\nparam tau = 10 ms\n```\n\ndeclared at line 2") == 0,
          "hover: '%s'", str(m, "result.contents.value"));
    CHECK(range_is(get(m, "result.range"), 3, 17, 3, 20), "hover: range");
    json_decref(m);
    m = hover(&s, 3, uri, 2, 10);   /* `state v` */
    CHECK(strncmp(str(m, "result.contents.value"), "**state** `v`: `mV`", 19) == 0, "hover state: '%s'",
          str(m, "result.contents.value"));
    json_decref(m);
    m = hover(&s, 11, uri, 3, 5);   /* dv/dt */
    CHECK(strncmp(str(m, "result.contents.value"), "**state** `v`: `mV`", 19) == 0 &&
              range_is(get(m, "result.range"), 3, 5, 3, 6),
          "hover dv/dt: '%s'", str(m, "result.contents.value"));
    json_decref(m);
    m = hover(&s, 4, uri, 1, 59);   /* `tau` in the comment: not the param */
    CHECK(json_is_null(get(m, "result")), "hover on a comment word should be null");
    json_decref(m);

    /* an unsaved document beside a saved file it imports */
    char *net_uri;
    if (asprintf(&net_uri, "file://%s/net.nrn", work) < 0)
        exit(2);
    open_doc(&s, net_uri,
             "import \"cell.nrn\"\nnetwork Net {\n    population P = N[4]\n    P.tau = 12 ms\n"
             "    connect P -> P {\n        on_pre { post.v += 1 mV }\n    }\n}\n");
    m = receive(&s);
    CHECK(json_array_size(get(m, "params.diagnostics")) == 0, "import beside the document: %s",
          str(m, "params.diagnostics.0.message"));
    json_decref(m);
    m = hover(&s, 5, net_uri, 3, 7);   /* tau in P.tau */
    CHECK(strncmp(str(m, "result.contents.value"), "**param** `tau`: `ms`", 21) == 0 &&
              strstr(str(m, "result.contents.value"), "cell.nrn, line 2"),
          "hover P.tau: '%s'", str(m, "result.contents.value"));
    json_decref(m);
    m = hover(&s, 12, net_uri, 5, 22);   /* v in post.v */
    CHECK(strncmp(str(m, "result.contents.value"), "**state** `v`: `mV`", 19) == 0, "hover post.v: '%s'",
          str(m, "result.contents.value"));
    json_decref(m);
    m = hover(&s, 6, net_uri, 2, 16);   /* population P */
    CHECK(strncmp(str(m, "result.contents.value"), "**population** `P`", 18) == 0, "hover P: '%s'",
          str(m, "result.contents.value"));
    json_decref(m);

    /* a note that points elsewhere in the document: relatedInformation, with the URI as
     * the client wrote it (a space in the name, percent-encoded) */
    char *dup_uri;
    if (asprintf(&dup_uri, "file://%s/dup%%20decl.nrn", work) < 0)
        exit(2);
    open_doc(&s, dup_uri, "neuron N {\n    param tau = 10 ms\n    state tau = 0 mV\n}\n");
    m = receive(&s);
    CHECK(strcmp(str(m, "params.diagnostics.0.message"), "'tau' is already declared in 'N'") == 0 &&
              range_is(get(m, "params.diagnostics.0.range"), 2, 10, 2, 13),
          "duplicate: '%s'", str(m, "params.diagnostics.0.message"));
    CHECK(strcmp(str(m, "params.diagnostics.0.relatedInformation.0.location.uri"), dup_uri) == 0 &&
              range_is(get(m, "params.diagnostics.0.relatedInformation.0.location.range"), 1, 10, 1, 13) &&
              strcmp(str(m, "params.diagnostics.0.relatedInformation.0.message"),
                     "'tau' is first declared here as a param") == 0,
          "duplicate: relatedInformation");
    json_decref(m);
    free(dup_uri);

    /* a large document (100,000 params, 2.8 MB) */
    size_t cap = 4u << 20, used = 0;
    char *big = malloc(cap);
    used += (size_t)sprintf(big, "neuron Big {\n");
    for (int k = 0; k < 100000; k++)
        used += (size_t)sprintf(big + used, "    param p%d = %d ms\n", k, k);
    sprintf(big + used, "}\n");
    char *big_uri;
    if (asprintf(&big_uri, "file://%s/big.nrn", work) < 0)
        exit(2);
    open_doc(&s, big_uri, big);
    free(big);
    m = receive(&s);
    CHECK(json_array_size(get(m, "params.diagnostics")) == 0, "a large document: %s", str(m, "params.diagnostics.0.message"));
    json_decref(m);
    m = hover(&s, 10, big_uri, 100000, 12);
    CHECK(strncmp(str(m, "result.contents.value"), "**param** `p99999`: `ms`", 24) == 0, "hover in a large document: '%s'",
          str(m, "result.contents.value"));
    json_decref(m);
    free(big_uri);

    /* a document with NUL bytes: one diagnostic, no crash */
    send_raw(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"x\","
                 "\"text\":\"\\u0000\\u0001neuron {{{{((((\"}}}");
    m = receive(&s);
    CHECK(strstr(str(m, "params.diagnostics.0.message"), "NUL"), "a binary document: '%s'",
          str(m, "params.diagnostics.0.message"));
    json_decref(m);

    /* malformed input */
    fputs("X-Nothing: 1\r\n\r\n", s.to);
    send_raw(&s, "{\"jsonrpc\": \"2.0\", \"id\": 7, ");
    m = receive(&s);
    CHECK(num(m, "error.code") == -32700 && json_is_null(get(m, "id")), "bad JSON: parse error");
    json_decref(m);
    send(&s, json_pack("{s:i, s:s}", "id", 8, "method", "textDocument/definition"));
    m = receive(&s);
    CHECK(num(m, "id") == 8 && num(m, "error.code") == -32601, "unknown method");
    json_decref(m);

    send(&s, json_pack("{s:s, s:{s:{s:s}}}", "method", "textDocument/didClose", "params", "textDocument", "uri", uri));
    m = receive(&s);
    CHECK(json_array_size(get(m, "params.diagnostics")) == 0, "didClose: empty diagnostics");
    json_decref(m);

    send(&s, json_pack("{s:i, s:s}", "id", 9, "method", "shutdown"));
    m = receive(&s);
    CHECK(num(m, "id") == 9 && json_is_null(get(m, "result")) && get(m, "result"), "shutdown: null result");
    json_decref(m);
    send(&s, json_pack("{s:s}", "method", "exit"));
    int rc = finish(&s);
    CHECK(rc == 0, "exit after shutdown: code %d", rc);
    free(uri);
    free(net_uri);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: lsp_exchange NRNC WORK_DIR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    mkdir(argv[2], 0777);
    char *cell;
    if (asprintf(&cell, "%s/cell.nrn", argv[2]) < 0)
        return 2;
    FILE *f = fopen(cell, "w");   /* the saved version of the document, for the import */
    if (!f || fputs(good_model, f) < 0 || fclose(f))
        return 2;
    free(cell);
    exchange(argv[1], argv[2]);

    Server s = start(argv[1]);
    send(&s, json_pack("{s:s}", "method", "exit"));
    int rc = finish(&s);
    CHECK(rc == 1, "exit without shutdown: code %d", rc);
    s = start(argv[1]);
    int rc2 = finish(&s);
    CHECK(rc2 == 1, "end of input without exit: code %d", rc2);

    if (failures)
        return 1;
    printf("ok\n");
    return 0;
}
