/* The TextMate grammar of editors/vscode, run over every example and standard-library
 * model: keywords, units, numbers, comments and dX/dt must come out as intended.
 *
 * The grammar's regexes are written to mean the same in Oniguruma (VS Code) and in POSIX
 * ERE with GNU's \b \B (regcomp): no lookaround, no lazy quantifiers, alternations closed
 * by \b. This test refuses a pattern with `(?` (Oniguruma-only syntax) or begin/end rules,
 * and tokenises as TextMate does for single-line `match` rules: at each position the rule
 * whose match starts first wins (the first listed on a tie), its captures name the parts,
 * and scanning goes on after the match. regexec with REG_STARTEND sees the whole line, so
 * \b and ^ behave as in the editor.
 *
 * usage: tokenise GRAMMAR.json FILE.nrn...  (exit 0 when every check passes) */
#define _GNU_SOURCE   /* REG_STARTEND */
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_RULES = 64, MAX_GROUPS = 40, MAX_TOKENS = 512 };

typedef struct Rule {
    regex_t re;
    const char *name;                   /* scope of the whole match, or NULL */
    const char *capture[MAX_GROUPS];    /* scope per group, or NULL */
} Rule;

typedef struct Token {
    int col, len;       /* 0-based byte column */
    const char *scope;
} Token;

static Rule rules[MAX_RULES];
static int nrules;
static int failures;

static void fail(const char *file, int line, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    failures++;
}

static void add_rule(json_t *repo, json_t *r)
{
    const char *inc = json_string_value(json_object_get(r, "include"));
    if (inc) {
        json_t *target = inc[0] == '#' ? json_object_get(repo, inc + 1) : NULL;
        if (!target) {
            fprintf(stderr, "FAIL: include '%s' not found\n", inc);
            exit(1);
        }
        add_rule(repo, target);
        return;
    }
    json_t *list = json_object_get(r, "patterns");
    if (list) {
        size_t k;
        json_t *p;
        json_array_foreach(list, k, p) add_rule(repo, p);
        return;
    }
    const char *match = json_string_value(json_object_get(r, "match"));
    if (!match || json_object_get(r, "begin") || strstr(match, "(?")) {
        fprintf(stderr, "FAIL: only single-line match rules without (?...) are allowed: %s\n",
                match ? match : "(begin/end rule)");
        exit(1);
    }
    if (nrules == MAX_RULES) {
        fprintf(stderr, "FAIL: too many rules\n");
        exit(1);
    }
    Rule *rule = &rules[nrules++];
    int rc = regcomp(&rule->re, match, REG_EXTENDED);
    if (rc) {
        char msg[200];
        regerror(rc, &rule->re, msg, sizeof msg);
        fprintf(stderr, "FAIL: regcomp '%s': %s\n", match, msg);
        exit(1);
    }
    rule->name = json_string_value(json_object_get(r, "name"));
    json_t *caps = json_object_get(r, "captures");
    const char *key;
    json_t *val;
    json_object_foreach(caps, key, val) {
        int g = atoi(key);
        if (g > 0 && g < MAX_GROUPS)
            rule->capture[g] = json_string_value(json_object_get(val, "name"));
    }
}

static void push(Token *t, int *n, int col, int len, const char *scope)
{
    if (scope && len > 0 && *n < MAX_TOKENS)
        t[(*n)++] = (Token){col, len, scope};
}

/* The tokens of one line, in order; nested captures come after their enclosing match. */
static int tokenise(const char *line, Token *out)
{
    int n = 0, len = (int)strlen(line);
    for (int pos = 0; pos < len;) {
        int best = -1;
        regmatch_t bm[MAX_GROUPS];
        for (int r = 0; r < nrules; r++) {
            regmatch_t m[MAX_GROUPS];
            m[0].rm_so = pos;
            m[0].rm_eo = len;
            if (regexec(&rules[r].re, line, MAX_GROUPS, m, REG_STARTEND) != 0)
                continue;
            if (best < 0 || m[0].rm_so < bm[0].rm_so) {
                best = r;
                memcpy(bm, m, sizeof bm);
            }
        }
        if (best < 0)
            break;
        const Rule *r = &rules[best];
        push(out, &n, (int)bm[0].rm_so, (int)(bm[0].rm_eo - bm[0].rm_so), r->name);
        for (int g = 1; g < MAX_GROUPS; g++)
            if (r->capture[g] && bm[g].rm_so >= 0)
                push(out, &n, (int)bm[g].rm_so, (int)(bm[g].rm_eo - bm[g].rm_so), r->capture[g]);
        pos = bm[0].rm_eo > pos ? (int)bm[0].rm_eo : pos + 1;
    }
    return n;
}

/* The innermost scope covering [col, col+len) exactly or around it; NULL when none. */
static const char *scope_at(const Token *t, int n, int col, int len)
{
    const char *found = NULL;
    for (int k = 0; k < n; k++)
        if (t[k].col <= col && col + len <= t[k].col + t[k].len)
            found = t[k].scope;
    return found;
}

static bool starts(const char *s, const char *prefix) { return s && strncmp(s, prefix, strlen(prefix)) == 0; }

static bool is_ident(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

static const char *const reserved[] = {
    "neuron", "synapse", "network", "import", "function", "param", "state", "let", "input", "threshold",
    "reset", "refractory", "method", "population", "connect", "record", "simulate", "on_pre", "on_post",
    "summed", "event", "if", "else", "and", "or", "not", "true", "false",
};

/* Whole-file checks on one line: outside comments and strings, every reserved word is a
 * keyword, every number a number, every `#` starts a comment to the end of the line, and
 * every `dX/dt =` is a derivative. */
static void check_line(const char *file, int lineno, const char *line, const Token *t, int n)
{
    int len = (int)strlen(line);
    for (int c = 0; c < len;) {
        const char *sc = scope_at(t, n, c, 1);
        if (starts(sc, "comment")) {
            int k = c;
            while (k < len && starts(scope_at(t, n, k, 1), "comment"))
                k++;
            if (k != len)
                fail(file, lineno, "a comment ends before the end of the line: %s%s", line, "");
            break;
        }
        if (starts(sc, "string")) {
            c++;
            continue;
        }
        if (line[c] == '#') {
            fail(file, lineno, "'#' does not start a comment: %s%s", line, "");
            break;
        }
        bool word_start = is_ident(line[c]) && (c == 0 || !is_ident(line[c - 1]));
        if (!word_start) {
            c++;
            continue;
        }
        int e = c;
        while (e < len && is_ident(line[e]))
            e++;
        char word[128];
        snprintf(word, sizeof word, "%.*s", e - c, line + c);
        const char *ws = scope_at(t, n, c, e - c);
        if (word[0] >= '0' && word[0] <= '9' && !starts(ws, "constant.numeric") && !starts(ws, "meta.quantity") &&
            !starts(ws, "keyword.other.unit"))   /* cm^2 */
            fail(file, lineno, "number '%s' not classified (%s)", word, ws ? ws : "none");
        for (size_t k = 0; k < sizeof reserved / sizeof *reserved; k++)
            if (strcmp(word, reserved[k]) == 0 && !starts(ws, "storage.type") && !starts(ws, "keyword.") &&
                !starts(ws, "constant.language"))
                fail(file, lineno, "keyword '%s' not classified (%s)", word, ws ? ws : "none");
        if (word[0] == 'd' && e + 3 <= len && strncmp(line + e, "/dt", 3) == 0 && !is_ident(line[e + 3])) {
            const char *p = line + e + 3;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '=' && p[1] != '=' && !starts(scope_at(t, n, c, e + 3 - c), "variable.other.derivative"))
                fail(file, lineno, "'%s/dt' is not a derivative (%s)", word, ws ? ws : "none");
        }
        c = e;
    }
}

typedef struct Expect {
    const char *file;   /* suffix of the path */
    int line, col;      /* 1-based */
    const char *text, *scope;
} Expect;

/* Specific tokens at specific places (line, column and text as an editor shows them). */
static const Expect expects[] = {
    {"examples/lif.nrn", 1, 1, "# Ten leaky", "comment.line.number-sign.nrn"},
    {"examples/lif.nrn", 7, 1, "import", "keyword.control.nrn"},
    {"examples/lif.nrn", 9, 1, "network", "storage.type.nrn"},
    {"examples/lif.nrn", 9, 9, "Demo", "entity.name.type.nrn"},
    {"examples/lif.nrn", 10, 5, "population", "storage.type.nrn"},
    {"examples/lif.nrn", 10, 16, "L", "variable.other.definition.nrn"},
    {"examples/lif.nrn", 11, 13, "0.2", "constant.numeric.nrn"},
    {"examples/lif.nrn", 11, 17, "nA", "keyword.other.unit.nrn"},
    {"examples/lif.nrn", 11, 32, "i", "variable.language.nrn"},
    {"examples/lif.nrn", 13, 12, "spikes", "keyword.other.nrn"},
    {"examples/lif.nrn", 14, 24, "every", "keyword.other.nrn"},
    {"examples/lif.nrn", 14, 34, "ms", "keyword.other.unit.nrn"},
    {"examples/lif.nrn", 17, 1, "simulate", "keyword.control.nrn"},
    {"examples/lif.nrn", 17, 19, "200", "constant.numeric.nrn"},
    {"examples/lif.nrn", 17, 23, "ms", "keyword.other.unit.nrn"},
    {"examples/lif.nrn", 17, 26, "dt", "variable.language.nrn"},
    {"examples/hh.nrn", 17, 15, "10", "constant.numeric.nrn"},
    {"examples/hh.nrn", 17, 18, "uA/cm^2", "keyword.other.unit.nrn"},
    {"examples/hh.nrn", 17, 40, "# 10 and 5", "comment.line.number-sign.nrn"},
    {"stdlib/lif.nrn", 0, 0, "dv/dt", "variable.other.derivative.nrn"},
    {"stdlib/lif.nrn", 0, 0, "threshold", "keyword.control.nrn"},
    {"stdlib/lif.nrn", 0, 0, "tau_m", "variable.other.definition.nrn"},
    {"stdlib/hh.nrn", 0, 0, "dm/dt", "variable.other.derivative.nrn"},
    {"stdlib/hh.nrn", 0, 0, "exp", "support.function.builtin.nrn"},
    {"stdlib/izhikevich.nrn", 0, 0, "reset", "keyword.control.nrn"},
    {"stdlib/morris_lecar.nrn", 0, 0, "1/ms", "keyword.other.unit.nrn"},   /* param phi : 1/ms */
    {"stdlib/adex.nrn", 0, 0, "nA", "keyword.other.unit.nrn"},             /* state w : nA */
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* An expectation with line 0 holds when the text appears somewhere with that scope. */
static void check_expect(const Expect *x, int lineno, const char *line, const Token *t, int n, bool *met)
{
    if (x->line && x->line != lineno)
        return;
    const char *at = x->line ? line + x->col - 1 : strstr(line, x->text);
    if (x->line && (int)strlen(line) < x->col - 1)
        at = NULL;
    for (; at; at = x->line ? NULL : strstr(at + 1, x->text)) {
        if (strncmp(at, x->text, strlen(x->text)) != 0)
            break;
        int col = (int)(at - line), len = (int)strlen(x->text);
        for (int k = 0; k < n; k++)
            if (t[k].col == col && (t[k].len == len || starts(x->scope, "comment")) && strcmp(t[k].scope, x->scope) == 0)
                *met = true;
        if (*met)
            return;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tokenise GRAMMAR.json FILE.nrn...\n");
        return 2;
    }
    json_error_t err;
    json_t *g = json_load_file(argv[1], 0, &err);
    if (!g) {
        fprintf(stderr, "FAIL: %s:%d: %s\n", argv[1], err.line, err.text);
        return 1;
    }
    json_t *repo = json_object_get(g, "repository");
    size_t k;
    json_t *p;
    json_array_foreach(json_object_get(g, "patterns"), k, p) add_rule(repo, p);
    bool met[sizeof expects / sizeof *expects] = {0};
    bool seen[sizeof expects / sizeof *expects] = {0};
    for (int a = 2; a < argc; a++) {
        FILE *f = fopen(argv[a], "r");
        if (!f) {
            fprintf(stderr, "FAIL: cannot open %s\n", argv[a]);
            return 1;
        }
        char line[4096];
        Token t[MAX_TOKENS];
        for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
            line[strcspn(line, "\r\n")] = '\0';
            int n = tokenise(line, t);
            if (getenv("TOKENISE_DUMP"))   /* to see what the grammar makes of a file */
                for (int j = 0; j < n; j++)
                    printf("%d:%d %.*s %s\n", lineno, t[j].col + 1, t[j].len, line + t[j].col, t[j].scope);
            check_line(argv[a], lineno, line, t, n);
            for (size_t x = 0; x < sizeof expects / sizeof *expects; x++)
                if (ends_with(argv[a], expects[x].file)) {
                    seen[x] = true;
                    check_expect(&expects[x], lineno, line, t, n, &met[x]);
                }
        }
        fclose(f);
    }
    for (size_t x = 0; x < sizeof expects / sizeof *expects; x++)
        if (seen[x] && !met[x]) {
            fprintf(stderr, "FAIL %s:%d:%d: '%s' is not %s\n", expects[x].file, expects[x].line, expects[x].col,
                    expects[x].text, expects[x].scope);
            failures++;
        } else if (!seen[x]) {
            fprintf(stderr, "FAIL: %s was not among the files\n", expects[x].file);
            failures++;
        }
    for (int r = 0; r < nrules; r++)
        regfree(&rules[r].re);
    json_decref(g);
    if (failures)
        return 1;
    printf("ok: %d files, %d rules\n", argc - 2, nrules);
    return 0;
}
