/* Hover: what the name under the cursor is — its kind, its unit and the line that declares
 * it. The document is checked afresh (a check takes milliseconds), then the name is looked
 * up where the cursor is: the members of the enclosing neuron or synapse, the params,
 * populations and named connections of the enclosing network (`POP.X` in a network names
 * a member of POP's model, `pre.X` / `post.X` one of a connection's first source's or
 * target's), then the top-level items of every file, then the builtins.
 * The unit is sema's (the declared or inferred one) when the files parsed, else the
 * annotation as written. */
#define _GNU_SOURCE   /* asprintf */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lsp_internal.h"
#include "util.h"

typedef struct Found {
    const char *kind;       /* "param", "population", ... */
    const char *unit;       /* NULL: none to show */
    NrnLoc decl;            /* where it is declared; file -1 for a builtin */
    const char *about;      /* builtins: what it is */
} Found;

static bool ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

static const char *decl_kind(AstDeclKind k)
{
    switch (k) {
    case DECL_PARAM: return "param";
    case DECL_STATE: return "state";
    case DECL_LET: return "let";
    case DECL_INPUT: return "input";
    default: return NULL;
    }
}

static const AstItem *find_item(const LspCheck *c, const char *name, bool models_only)
{
    for (int k = 0; k < c->prog.files.len; k++) {
        const AstFile *f = c->prog.files.items[k];
        for (const AstItem *it = f->items; it; it = it->next)
            if (it->name && strcmp(it->name, name) == 0 && it->kind != ITEM_IMPORT && it->kind != ITEM_SIMULATE &&
                (!models_only || it->kind == ITEM_NEURON || it->kind == ITEM_SYNAPSE))
                return it;
    }
    return NULL;
}

/* A member of a neuron or synapse. */
static bool model_member(LspCheck *c, const AstItem *model, const char *name, Found *out)
{
    for (const AstDecl *dcl = model->u.model.decls; dcl; dcl = dcl->next) {
        if (!decl_kind(dcl->kind) || !dcl->name || strcmp(dcl->name, name) != 0)
            continue;
        out->kind = decl_kind(dcl->kind);
        out->decl = dcl->loc;
        out->unit = dcl->unit ? dcl->unit->text : NULL;
        const AstSym *g = c->prog.globals ? symtab_get(c->prog.globals, model->name) : NULL;
        const AstSym *s = g && g->kind == SYM_MODEL && g->sema ? sema_model_member(g->sema, name) : NULL;
        if (c->loaded && s)
            out->unit = sema_unit_text(&c->arena, s->dim, s->unit);
        return true;
    }
    return false;
}

/* In a connect statement that starts at or before `line`, `pre.X` and `post.X` name a
 * member of the first source's or target's model; the population, or NULL. */
static const char *pre_post_pop(const AstItem *net, const char *qual, int line)
{
    const AstNetItem *conn = NULL;
    for (const AstNetItem *n = net->u.network.items; n; n = n->next)
        if (n->kind == NET_CONNECT && n->loc.line <= line)
            conn = n;
    if (!conn)
        return NULL;
    const AstPopRef *side = strcmp(qual, "pre") == 0 ? conn->u.connect.sources : conn->u.connect.targets;
    return side ? side->name : NULL;
}

/* A param, population or named connection of a network; `qual.name` a member of the
 * model of population `qual` (or of a connection's source or target: pre, post). */
static bool network_member(LspCheck *c, const AstItem *net, const char *qual, const char *name, int line, Found *out)
{
    if (qual && (strcmp(qual, "pre") == 0 || strcmp(qual, "post") == 0) && !(qual = pre_post_pop(net, qual, line)))
        return false;
    for (const AstNetItem *n = net->u.network.items; n; n = n->next) {
        if (qual) {
            if (n->kind != NET_POPULATION || strcmp(n->u.population.name, qual) != 0)
                continue;
            const AstItem *model = find_item(c, n->u.population.model, true);
            return model && model_member(c, model, name, out);
        }
        if (n->kind == NET_PARAM && strcmp(n->u.param.name, name) == 0) {
            out->kind = "network param";
            out->decl = n->loc;
            out->unit = n->u.param.unit ? n->u.param.unit->text : NULL;
            const AstSym *g = c->prog.globals ? symtab_get(c->prog.globals, net->name) : NULL;
            const SemaNetwork *sn = g && g->kind == SYM_NETWORK ? g->sema : NULL;
            const AstSym *s = sn && sn->scope ? symtab_get(sn->scope, name) : NULL;
            if (c->loaded && s)
                out->unit = sema_unit_text(&c->arena, s->dim, s->unit);
            return true;
        }
        if (n->kind == NET_POPULATION && strcmp(n->u.population.name, name) == 0) {
            out->kind = "population";
            out->decl = n->loc;
            return true;
        }
        if (n->kind == NET_CONNECT && n->u.connect.as_name && strcmp(n->u.connect.as_name, name) == 0) {
            out->kind = "connection";
            out->decl = n->loc;
            return true;
        }
    }
    return false;
}

static bool builtin(const char *name, Found *out)
{
    static const struct { const char *name, *unit, *about; } table[] = {
        {"t", "s", "the time"},
        {"dt", "s", "the time step"},
        {"pi", "1", "the constant π"},
        {"i", "1", "a neuron's index in its population"},
        {"N", "1", "the size of the population"},
        {"w", NULL, "the connection's weight (in synapses and connect blocks)"},
        {"xi", "1/sqrt(s)", "Gaussian white noise (in ODEs)"},
    };
    for (size_t k = 0; k < sizeof table / sizeof *table; k++)
        if (strcmp(table[k].name, name) == 0) {
            *out = (Found){"builtin", table[k].unit, nrn_loc_none(), table[k].about};
            return true;
        }
    return false;
}

/* The enclosing top-level item of the main file: the last that starts at or before line. */
static const AstItem *enclosing(const LspCheck *c, int line)
{
    const AstFile *main = c->prog.files.len ? c->prog.files.items[0] : NULL;
    const AstItem *found = NULL;
    for (const AstItem *it = main ? main->items : NULL; it; it = it->next)
        if (it->loc.line <= line)
            found = it;
    return found;
}

static bool resolve(LspCheck *c, const char *qual, const char *name, int line, Found *out)
{
    const AstItem *in = enclosing(c, line);
    if (in && (in->kind == ITEM_NEURON || in->kind == ITEM_SYNAPSE) && !qual && model_member(c, in, name, out))
        return true;
    if (in && in->kind == ITEM_NETWORK && network_member(c, in, qual, name, line, out))
        return true;
    if (qual)
        return false;
    const AstItem *it = find_item(c, name, false);
    if (it) {
        static const char *const kinds[] = {[ITEM_NEURON] = "neuron", [ITEM_SYNAPSE] = "synapse",
                                            [ITEM_NETWORK] = "network", [ITEM_FUNCTION] = "function"};
        *out = (Found){kinds[it->kind], NULL, it->loc, NULL};
        return true;
    }
    return builtin(name, out);
}

/* The declaring line as written, without its indentation or a trailing comment. */
static char *source_line(const Diags *d, NrnLoc loc)
{
    const SourceFile *f = diag_file(d, loc.file);
    if (!f)
        return NULL;
    const char *p = f->text, *end = f->text + f->size;
    for (int l = 1; l < loc.line && p < end; p++)
        if (*p == '\n')
            l++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *e = p;
    while (e < end && *e != '\n' && *e != '\r' && *e != '#')
        e++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return strndup(p, (size_t)(e - p));
}

static char *markdown(LspCheck *c, const char *name, const Found *f, int main_file)
{
    char *md = NULL, *line = source_line(&c->diags, f->decl);
    const SourceFile *sf = diag_file(&c->diags, f->decl.file);
    char where[512] = "";
    if (sf && f->decl.file == main_file)
        snprintf(where, sizeof where, "\n\ndeclared at line %d", f->decl.line);
    else if (sf)
        snprintf(where, sizeof where, "\n\ndeclared in %s, line %d", sf->path, f->decl.line);
    int rc = asprintf(&md, "**%s** `%s`%s%s%s%s%s%s%s%s", f->kind, name, f->unit ? ": `" : "", f->unit ? f->unit : "",
                      f->unit ? "`" : "", f->about ? " — " : "", f->about ? f->about : "",
                      line ? "\n\n```nrn\n" : "", line ? line : "", line ? "\n```" : "");
    if (rc < 0)
        nrn_fatal_oom();
    char *all;
    if (asprintf(&all, "%s%s", md, where) < 0)
        nrn_fatal_oom();
    free(md);
    free(line);
    return all;
}

json_t *lsp_hover(const char *path, const char *text, size_t size, int line, int character)
{
    size_t off = lsp_offset(text, size, line, character);
    size_t b = off, e = off;
    while (b > 0 && ident_char(text[b - 1]))
        b--;
    while (e < size && ident_char(text[e]))
        e++;
    if (b == e || isdigit((unsigned char)text[b]))
        return json_null();
    if (e - b > 1 && text[b] == 'd' && size - e >= 3 && memcmp(text + e, "/dt", 3) == 0 &&
        (size - e == 3 || !ident_char(text[e + 3])))
        b++;   /* dX/dt: the state X */
    size_t ls = b;
    while (ls > 0 && text[ls - 1] != '\n')
        ls--;
    bool quoted = false;
    for (size_t k = ls; k < b; k++) {
        if (text[k] == '"')
            quoted = !quoted;
        else if (text[k] == '#' && !quoted)
            return json_null();   /* a word of a comment */
    }
    char *name = strndup(text + b, e - b), *qual = NULL;
    if (!name)
        nrn_fatal_oom();
    if (b > ls && text[b - 1] == '.') {
        size_t q = b - 1;
        while (q > ls && ident_char(text[q - 1]))
            q--;
        qual = strndup(text + q, b - 1 - q);
    }
    LspCheck c;
    lsp_check_run(&c, path, text, size);
    Found f = {0};
    json_t *result = json_null();
    if (resolve(&c, qual && *qual ? qual : NULL, name, line + 1, &f)) {
        const AstFile *main = c.prog.files.len ? c.prog.files.items[0] : NULL;
        char *md = markdown(&c, name, &f, main ? main->file : 0);
        json_decref(result);
        result = json_pack("{s:{s:s, s:s}, s:{s:o, s:o}}", "contents", "kind", "markdown", "value", md, "range",
                           "start", lsp_position(text, size, line + 1, (int)(b - ls) + 1), "end",
                           lsp_position(text, size, line + 1, (int)(e - ls) + 1));
        free(md);
    }
    lsp_check_fini(&c);
    free(name);
    free(qual);
    return result;
}
