/* The language server (`nrnc lsp`): LSP 3.17 over stdin/stdout, CLI.md "Editors".
 *
 * Messages are JSON-RPC framed by a `Content-Length: N` header block ending in an empty
 * line. The server keeps the full text of every open document (sync "full": didChange
 * carries the whole text), checks it in memory on didOpen and didChange — the file on disk
 * is not read, but its imports are, relative to its path — and publishes the diagnostics;
 * didClose publishes an empty list. Hover re-checks the text and describes the name
 * (lsp_hover.c). A malformed header is skipped, malformed JSON answered with a parse
 * error, an unknown request with "method not found": nothing a client sends ends the
 * server except `exit` or the end of the input. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lsp.h"
#include "lsp_internal.h"
#include "util.h"

enum { LSP_MAX_HEADER_LINE = 4096, LSP_MAX_BODY = 256 * 1024 * 1024 };

/* JSON-RPC error codes */
enum { RPC_PARSE_ERROR = -32700, RPC_INVALID_REQUEST = -32600, RPC_METHOD_NOT_FOUND = -32601,
       RPC_INVALID_PARAMS = -32602 };

typedef struct Doc {
    char *uri, *path, *text;
    size_t size;
} Doc;

typedef struct Server {
    FILE *in, *out;
    Doc *docs;
    int ndocs, capdocs;
    bool shutdown;
} Server;

/* ---- framing ----------------------------------------------------------------------- */

/* One header line without its CR LF; false at the end of the input. Overlong lines are
 * cut (the rest is read and dropped). */
static bool read_line(FILE *in, char *buf, size_t cap)
{
    size_t n = 0;
    int c;
    while ((c = getc(in)) != EOF && c != '\n')
        if (n + 1 < cap)
            buf[n++] = (char)c;
    if (c == EOF && n == 0)
        return false;
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return true;
}

/* The body of the next message (malloc'd, NUL-terminated), NULL at the end of the input.
 * A header block without a valid Content-Length is skipped. */
static char *read_message(FILE *in, size_t *size)
{
    char line[LSP_MAX_HEADER_LINE];
    for (;;) {
        long long length = -1;
        bool any = false;
        while (read_line(in, line, sizeof line)) {
            if (!*line) {
                if (any)
                    break;
                continue;   /* blank lines between messages */
            }
            any = true;
            if (strncasecmp(line, "Content-Length:", 15) == 0) {
                char *end;
                long long v = strtoll(line + 15, &end, 10);
                while (*end == ' ' || *end == '\t')
                    end++;
                length = *end || v < 0 || v > LSP_MAX_BODY ? -1 : v;
            }
        }
        if (!any)
            return NULL;
        if (length < 0) {
            fprintf(stderr, "nrnc lsp: skipped a message without a valid Content-Length\n");
            continue;
        }
        char *body = malloc((size_t)length + 1);
        if (!body)
            nrn_fatal_oom();
        size_t got = fread(body, 1, (size_t)length, in);
        body[got] = '\0';
        if (got < (size_t)length) {
            free(body);
            return NULL;
        }
        *size = got;
        return body;
    }
}

static void send(Server *s, json_t *msg)
{
    json_object_set_new(msg, "jsonrpc", json_string("2.0"));
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!text)
        nrn_fatal_oom();
    fprintf(s->out, "Content-Length: %zu\r\n\r\n%s", strlen(text), text);
    fflush(s->out);
    free(text);
}

static void respond(Server *s, json_t *id, json_t *result)
{
    send(s, json_pack("{s:O, s:o}", "id", id ? id : json_null(), "result", result));
}

static void respond_error(Server *s, json_t *id, int code, const char *message)
{
    send(s, json_pack("{s:O, s:{s:i, s:s}}", "id", id ? id : json_null(), "error", "code", code, "message", message));
}

/* ---- documents --------------------------------------------------------------------- */

static Doc *find_doc(Server *s, const char *uri)
{
    for (int k = 0; k < s->ndocs; k++)
        if (strcmp(s->docs[k].uri, uri) == 0)
            return &s->docs[k];
    return NULL;
}

static void set_text(Doc *d, const char *text, size_t size)
{
    free(d->text);
    d->text = malloc(size + 1);
    if (!d->text)
        nrn_fatal_oom();
    memcpy(d->text, text, size);
    d->text[size] = '\0';
    d->size = size;
}

static Doc *open_doc(Server *s, const char *uri)
{
    Doc *d = find_doc(s, uri);
    if (d)
        return d;
    if (s->ndocs == s->capdocs) {
        s->capdocs = s->capdocs ? 2 * s->capdocs : 8;
        s->docs = realloc(s->docs, sizeof(Doc) * (size_t)s->capdocs);
        if (!s->docs)
            nrn_fatal_oom();
    }
    d = &s->docs[s->ndocs++];
    *d = (Doc){strdup(uri), lsp_uri_to_path(uri), NULL, 0};
    if (!d->uri)
        nrn_fatal_oom();
    return d;
}

static void close_doc(Server *s, Doc *d)
{
    free(d->uri);
    free(d->path);
    free(d->text);
    *d = s->docs[--s->ndocs];
}

static void publish(Server *s, const Doc *d)
{
    LspCheck c;
    lsp_check_run(&c, d->path, d->text, d->size);
    send(s, json_pack("{s:s, s:o}", "method", "textDocument/publishDiagnostics", "params",
                      lsp_publish_params(&c, d->uri)));
    lsp_check_fini(&c);
}

/* ---- methods ----------------------------------------------------------------------- */

static json_t *capabilities(void)
{
    return json_pack("{s:{s:{s:b, s:i}, s:b}, s:{s:s, s:s}}", "capabilities", "textDocumentSync", "openClose", 1,
                     "change", 1, "hoverProvider", 1, "serverInfo", "name", "nrnc", "version", NRN_VERSION);
}

/* textDocument/didOpen, didChange, didClose */
static void document_event(Server *s, const char *method, json_t *params)
{
    const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
    if (!uri)
        return;
    if (strcmp(method, "textDocument/didClose") == 0) {
        Doc *d = find_doc(s, uri);
        if (d)
            close_doc(s, d);
        send(s, json_pack("{s:s, s:{s:s, s:[]}}", "method", "textDocument/publishDiagnostics", "params", "uri", uri,
                          "diagnostics"));
        return;
    }
    json_t *text;
    if (strcmp(method, "textDocument/didOpen") == 0) {
        text = json_object_get(json_object_get(params, "textDocument"), "text");
    } else {
        json_t *changes = json_object_get(params, "contentChanges");
        text = json_object_get(json_array_get(changes, json_array_size(changes) - 1), "text");
    }
    if (!json_is_string(text))
        return;
    Doc *d = open_doc(s, uri);
    set_text(d, json_string_value(text), json_string_length(text));
    publish(s, d);
}

static void hover(Server *s, json_t *id, json_t *params)
{
    const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
    json_t *pos = json_object_get(params, "position");
    json_t *line = json_object_get(pos, "line"), *character = json_object_get(pos, "character");
    if (!uri || !json_is_integer(line) || !json_is_integer(character) || json_integer_value(line) < 0 ||
        json_integer_value(character) < 0 || json_integer_value(line) > 100000000 ||
        json_integer_value(character) > 100000000) {
        respond_error(s, id, RPC_INVALID_PARAMS, "hover needs textDocument.uri and a position");
        return;
    }
    const Doc *d = find_doc(s, uri);
    if (!d) {
        respond(s, id, json_null());
        return;
    }
    respond(s, id, lsp_hover(d->path, d->text, d->size, (int)json_integer_value(line),
                             (int)json_integer_value(character)));
}

/* One message; returns the exit code after `exit`, else -1. */
static int dispatch(Server *s, json_t *msg)
{
    json_t *id = json_object_get(msg, "id");
    const char *method = json_string_value(json_object_get(msg, "method"));
    if (!method) {
        if (id || !json_object_get(msg, "result"))   /* responses to us need nothing */
            respond_error(s, id, RPC_INVALID_REQUEST, "a request needs a method");
        return -1;
    }
    json_t *params = json_object_get(msg, "params");
    if (strcmp(method, "exit") == 0)
        return s->shutdown ? 0 : 1;
    if (s->shutdown) {
        if (id)
            respond_error(s, id, RPC_INVALID_REQUEST, "the server is shutting down");
        return -1;
    }
    if (strcmp(method, "initialize") == 0)
        respond(s, id, capabilities());
    else if (strcmp(method, "shutdown") == 0) {
        s->shutdown = true;
        respond(s, id, json_null());
    } else if (strncmp(method, "textDocument/did", 16) == 0 && strcmp(method, "textDocument/didSave") != 0)
        document_event(s, method, params);
    else if (strcmp(method, "textDocument/hover") == 0 && id)
        hover(s, id, params);
    else if (id)
        respond_error(s, id, RPC_METHOD_NOT_FOUND, "method not supported");
    return -1;
}

int lsp_main(FILE *in, FILE *out)
{
    Server s = {.in = in, .out = out};
    int rc = 1;
    size_t size;
    for (char *body; (body = read_message(in, &size));) {
        json_error_t err;
        json_t *msg = json_loadb(body, size, JSON_ALLOW_NUL, &err);
        free(body);
        if (!json_is_object(msg)) {
            respond_error(&s, NULL, msg ? RPC_INVALID_REQUEST : RPC_PARSE_ERROR,
                          msg ? "a message must be a JSON object" : err.text);
            json_decref(msg);
            continue;
        }
        rc = dispatch(&s, msg);
        json_decref(msg);
        if (rc >= 0)
            break;
        rc = 1;
    }
    while (s.ndocs)
        close_doc(&s, &s.docs[0]);
    free(s.docs);
    return rc;
}
