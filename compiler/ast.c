/* AST constructors and printers (ast.h).
 *
 * ast_dump writes the tree for `nrnc emit ast`: one node per line, indented by depth,
 * `role: kind details <line:col>`, so a reader (or a test) sees both the shape and where
 * each node came from. ast_dump_expr writes an expression back as source text with every
 * operation parenthesised, so that precedence and associativity can be read (and
 * compared) at a glance: `-v / 10 ms` prints as `((-v) / (10 ms))`.
 *
 * Both recurse over the tree; the parser bounds expression depth and block nesting
 * (PARSE_MAX_NESTING), so the recursion is shallow whatever the input. */
#include "ast.h"

#include "util.h"

AstExpr *ast_expr_new(Arena *a, AstExprKind kind, NrnLoc loc)
{
    AstExpr *e = ARENA_NEW(a, AstExpr);
    e->kind = kind;
    e->loc = loc;
    return e;
}

AstStmt *ast_stmt_new(Arena *a, AstStmtKind kind, NrnLoc loc)
{
    AstStmt *s = ARENA_NEW(a, AstStmt);
    s->kind = kind;
    s->loc = loc;
    return s;
}

AstDecl *ast_decl_new(Arena *a, AstDeclKind kind, NrnLoc loc)
{
    AstDecl *d = ARENA_NEW(a, AstDecl);
    d->kind = kind;
    d->loc = loc;
    return d;
}

AstNetItem *ast_net_item_new(Arena *a, AstNetKind kind, NrnLoc loc)
{
    AstNetItem *it = ARENA_NEW(a, AstNetItem);
    it->kind = kind;
    it->loc = loc;
    return it;
}

AstItem *ast_item_new(Arena *a, AstItemKind kind, NrnLoc loc)
{
    AstItem *it = ARENA_NEW(a, AstItem);
    it->kind = kind;
    it->loc = loc;
    return it;
}

/* ORDER AstOp */
static const char *const op_text[] = {
    "+", "-", "*", "/", "%", "^",
    "<", ">", "<=", ">=", "==", "!=",
    "and", "or", "not", "-", "+",
};

const char *ast_op_text(AstOp op)
{
    if ((unsigned)op < sizeof op_text / sizeof op_text[0])
        return op_text[op];
    NRN_UNREACHABLE();
}

static const char *const assign_text[] = {"=", "+=", "-=", "*=", "/="};   /* ORDER AstAssignOp */

/* ---- Infix ------------------------------------------------------------------------------ */

static void dump_num(FILE *out, const AstExpr *e)
{
    if (e->u.num.text)
        fputs(e->u.num.text, out);
    else
        fprintf(out, "%.17g", e->u.num.value);
}

void ast_dump_expr(FILE *out, const AstExpr *e)
{
    if (!e) {
        fputs("<none>", out);
        return;
    }
    switch (e->kind) {
    case AST_NUM:
        if (e->u.num.unit) {
            fputc('(', out);
            dump_num(out, e);
            fprintf(out, " %s)", e->u.num.unit->text);
        } else {
            dump_num(out, e);
        }
        return;
    case AST_NAME:
        fputs(e->u.name.name, out);
        return;
    case AST_STRING:
        fprintf(out, "\"%s\"", e->u.str.text);
        return;
    case AST_UNARY:
        fprintf(out, e->u.unary.op == OP_NOT ? "(%s " : "(%s", ast_op_text(e->u.unary.op));
        ast_dump_expr(out, e->u.unary.operand);
        fputc(')', out);
        return;
    case AST_BINARY:
        fputc('(', out);
        ast_dump_expr(out, e->u.binary.lhs);
        fprintf(out, " %s ", ast_op_text(e->u.binary.op));
        ast_dump_expr(out, e->u.binary.rhs);
        fputc(')', out);
        return;
    case AST_COND:
        fputc('(', out);
        ast_dump_expr(out, e->u.cond.cond);
        fputs(" ? ", out);
        ast_dump_expr(out, e->u.cond.then);
        fputs(" : ", out);
        ast_dump_expr(out, e->u.cond.els);
        fputc(')', out);
        return;
    case AST_CALL:
        fprintf(out, "%s(", e->u.call.name);
        for (const AstExpr *a = e->u.call.args; a; a = a->next) {
            ast_dump_expr(out, a);
            if (a->next)
                fputs(", ", out);
        }
        fputc(')', out);
        return;
    case AST_FIELD:
        ast_dump_expr(out, e->u.field.object);
        fprintf(out, ".%s", e->u.field.name);
        return;
    case AST_LIST:
        if (e->u.list.unit)
            fputc('(', out);
        fputc('[', out);
        for (const AstExpr *a = e->u.list.items; a; a = a->next) {
            ast_dump_expr(out, a);
            if (a->next)
                fputs(", ", out);
        }
        fputc(']', out);
        if (e->u.list.unit)
            fprintf(out, " %s)", e->u.list.unit->text);
        return;
    }
    NRN_UNREACHABLE();
}

/* ---- Tree ------------------------------------------------------------------------------- */

static void indent(FILE *out, int depth, const char *role)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", out);
    if (role)
        fprintf(out, "%s: ", role);
}

static void loc_end(FILE *out, NrnLoc loc)
{
    fprintf(out, " <%d:%d>\n", loc.line, loc.col);
}

static void dump_expr_tree(FILE *out, const AstExpr *e, int depth, const char *role);

static void dump_expr_list(FILE *out, const AstExpr *e, int depth)
{
    for (; e; e = e->next)
        dump_expr_tree(out, e, depth, NULL);
}

static void dump_expr_tree(FILE *out, const AstExpr *e, int depth, const char *role)
{
    if (!e)
        return;
    indent(out, depth, role);
    switch (e->kind) {
    case AST_NUM:
        fputs("num ", out);
        dump_num(out, e);
        if (e->u.num.unit)
            fprintf(out, " %s", e->u.num.unit->text);
        loc_end(out, e->loc);
        return;
    case AST_NAME:
        fprintf(out, "name %s", e->u.name.name);
        loc_end(out, e->loc);
        return;
    case AST_STRING:
        fprintf(out, "string \"%s\"", e->u.str.text);
        loc_end(out, e->loc);
        return;
    case AST_UNARY:
        fprintf(out, "unary %s", ast_op_text(e->u.unary.op));
        loc_end(out, e->loc);
        dump_expr_tree(out, e->u.unary.operand, depth + 1, NULL);
        return;
    case AST_BINARY:
        fprintf(out, "binary %s", ast_op_text(e->u.binary.op));
        loc_end(out, e->loc);
        dump_expr_tree(out, e->u.binary.lhs, depth + 1, NULL);
        dump_expr_tree(out, e->u.binary.rhs, depth + 1, NULL);
        return;
    case AST_COND:
        fputs("cond", out);
        loc_end(out, e->loc);
        dump_expr_tree(out, e->u.cond.cond, depth + 1, "if");
        dump_expr_tree(out, e->u.cond.then, depth + 1, "then");
        dump_expr_tree(out, e->u.cond.els, depth + 1, "else");
        return;
    case AST_CALL:
        fprintf(out, "call %s (%d arg%s)", e->u.call.name, e->u.call.nargs,
                e->u.call.nargs == 1 ? "" : "s");
        loc_end(out, e->loc);
        dump_expr_list(out, e->u.call.args, depth + 1);
        return;
    case AST_FIELD:
        fprintf(out, "field .%s", e->u.field.name);
        loc_end(out, e->loc);
        dump_expr_tree(out, e->u.field.object, depth + 1, NULL);
        return;
    case AST_LIST:
        fprintf(out, "list (%d item%s)", e->u.list.nitems, e->u.list.nitems == 1 ? "" : "s");
        if (e->u.list.unit)
            fprintf(out, " %s", e->u.list.unit->text);
        loc_end(out, e->loc);
        dump_expr_list(out, e->u.list.items, depth + 1);
        return;
    }
    NRN_UNREACHABLE();
}

static void dump_stmts(FILE *out, const AstStmt *s, int depth)
{
    for (; s; s = s->next) {
        indent(out, depth, NULL);
        if (s->kind == STMT_ASSIGN) {
            fprintf(out, "assign %s", assign_text[s->u.assign.op]);
            loc_end(out, s->loc);
            dump_expr_tree(out, s->u.assign.target, depth + 1, "target");
            dump_expr_tree(out, s->u.assign.value, depth + 1, "value");
            continue;
        }
        fputs("if", out);
        loc_end(out, s->loc);
        dump_expr_tree(out, s->u.branch.cond, depth + 1, "cond");
        indent(out, depth + 1, NULL);
        fputs("then\n", out);
        dump_stmts(out, s->u.branch.then, depth + 2);
        if (s->u.branch.els) {
            indent(out, depth + 1, NULL);
            fputs("else\n", out);
            dump_stmts(out, s->u.branch.els, depth + 2);
        }
    }
}

static void dump_unit(FILE *out, const AstUnit *u)
{
    if (u)
        fprintf(out, " : %s", u->text);
}

static const char *const decl_text[] = {   /* ORDER AstDeclKind */
    "param", "state", "let", "input", "ode", "threshold", "reset", "refractory", "method",
    "on_pre", "on_post",
};

static void dump_decls(FILE *out, const AstDecl *d, int depth)
{
    for (; d; d = d->next) {
        indent(out, depth, NULL);
        fputs(decl_text[d->kind], out);
        if (d->name)
            fprintf(out, " %s", d->name);
        dump_unit(out, d->unit);
        if (d->event)
            fputs(" (event)", out);
        if (d->hold) {
            fputs(" hold", out);
            for (const AstName *n = d->hold; n; n = n->next)
                fprintf(out, n == d->hold ? " %s" : ", %s", n->name);
        }
        loc_end(out, d->loc);
        dump_expr_tree(out, d->value, depth + 1, NULL);
        dump_stmts(out, d->body, depth + 1);
    }
}

static void dump_args(FILE *out, const AstArg *a, int depth)
{
    for (; a; a = a->next)
        dump_expr_tree(out, a->value, depth, a->name);
}

static void dump_pops(FILE *out, const AstPopRef *p)
{
    for (; p; p = p->next) {
        fputs(p->name, out);
        if (p->lo || p->hi) {
            fputc('[', out);
            ast_dump_expr(out, p->lo);
            fputc(':', out);
            ast_dump_expr(out, p->hi);
            if (p->step) {
                fputc(':', out);
                ast_dump_expr(out, p->step);
            }
            fputc(']', out);
        }
        if (p->list) {
            fputc('[', out);
            for (const AstExpr *e = p->list; e; e = e->next) {
                ast_dump_expr(out, e);
                if (e->next)
                    fputs(", ", out);
            }
            fputc(']', out);
        }
        if (p->next)
            fputs(", ", out);
    }
}

static void dump_connect(FILE *out, const AstNetItem *it, int depth)
{
    const AstConnect *k = &it->u.connect;
    indent(out, depth, NULL);
    fputs("connect ", out);
    if (k->is_poisson) {
        fputs("poisson(", out);
        ast_dump_expr(out, k->poisson_rate);
        fputs(", ", out);
        ast_dump_expr(out, k->poisson_count);
        fputc(')', out);
    }
    dump_pops(out, k->sources);
    fputs(" -> ", out);
    dump_pops(out, k->targets);
    if (k->synapse)
        fprintf(out, " using %s", k->synapse);
    if (k->as_name)
        fprintf(out, " as %s", k->as_name);
    loc_end(out, it->loc);
    dump_args(out, k->synapse_args, depth + 1);
    dump_expr_tree(out, k->rule, depth + 1, "rule");
    dump_expr_tree(out, k->allow_self, depth + 1, "allow_self");
    if (k->weight_kind == WEIGHT_FILE) {
        indent(out, depth + 1, NULL);
        fprintf(out, "weight file \"%s\"", k->weight_file);
        loc_end(out, k->weight_loc);
    } else {
        dump_expr_tree(out, k->weight, depth + 1,
                       k->weight_kind == WEIGHT_MATRIX ? "weight matrix" : "weight");
    }
    dump_expr_tree(out, k->delay, depth + 1, "delay");
    if (k->on_pre) {
        indent(out, depth + 1, NULL);
        fputs("on_pre", out);
        loc_end(out, k->on_pre_loc);
        dump_stmts(out, k->on_pre, depth + 2);
    }
    if (k->on_post) {
        indent(out, depth + 1, NULL);
        fputs("on_post", out);
        loc_end(out, k->on_post_loc);
        dump_stmts(out, k->on_post, depth + 2);
    }
    for (const AstSummed *s = k->summed; s; s = s->next) {
        indent(out, depth + 1, NULL);
        fputs("summed", out);
        loc_end(out, s->loc);
        dump_expr_tree(out, s->target, depth + 2, "target");
        dump_expr_tree(out, s->value, depth + 2, "value");
    }
}

static void dump_net(FILE *out, const AstNetItem *it, int depth)
{
    for (; it; it = it->next) {
        switch (it->kind) {
        case NET_PARAM:
            indent(out, depth, NULL);
            fprintf(out, "param %s", it->u.param.name);
            dump_unit(out, it->u.param.unit);
            loc_end(out, it->loc);
            dump_expr_tree(out, it->u.param.value, depth + 1, NULL);
            break;
        case NET_POPULATION:
            indent(out, depth, NULL);
            fprintf(out, "population %s = %s", it->u.population.name, it->u.population.model);
            loc_end(out, it->loc);
            dump_expr_tree(out, it->u.population.size, depth + 1, "size");
            dump_args(out, it->u.population.args, depth + 1);
            break;
        case NET_INIT:
            indent(out, depth, NULL);
            fprintf(out, "init %s.%s", it->u.init.pop, it->u.init.name);
            loc_end(out, it->loc);
            dump_expr_tree(out, it->u.init.value, depth + 1, NULL);
            break;
        case NET_CONNECT:
            dump_connect(out, it, depth);
            break;
        case NET_RECORD:
            indent(out, depth, NULL);
            fprintf(out, "record %s of ", it->u.record.var);
            dump_pops(out, it->u.record.pops);
            loc_end(out, it->loc);
            dump_expr_tree(out, it->u.record.every, depth + 1, "every");
            break;
        }
    }
}

static void dump_item(FILE *out, const AstItem *it)
{
    switch (it->kind) {
    case ITEM_NEURON:
    case ITEM_SYNAPSE:
        fprintf(out, "%s %s", it->kind == ITEM_NEURON ? "neuron" : "synapse", it->name);
        loc_end(out, it->loc);
        dump_decls(out, it->u.model.decls, 1);
        return;
    case ITEM_NETWORK:
        fprintf(out, "network %s", it->name);
        loc_end(out, it->loc);
        dump_net(out, it->u.network.items, 1);
        return;
    case ITEM_FUNCTION:
        fprintf(out, "function %s(", it->name);
        for (const AstName *n = it->u.function.params; n; n = n->next)
            fprintf(out, n->next ? "%s, " : "%s", n->name);
        fputc(')', out);
        loc_end(out, it->loc);
        dump_expr_tree(out, it->u.function.body, 1, NULL);
        return;
    case ITEM_IMPORT:
        fprintf(out, it->u.import.is_path ? "import \"%s\"" : "import %s", it->name);
        loc_end(out, it->loc);
        return;
    case ITEM_SIMULATE:
        fprintf(out, "simulate %s", it->name);
        loc_end(out, it->loc);
        dump_expr_tree(out, it->u.simulate.duration, 1, "for");
        dump_expr_tree(out, it->u.simulate.dt, 1, "dt");
        dump_expr_tree(out, it->u.simulate.seed, 1, "seed");
        return;
    case ITEM_TABLE:
        fprintf(out, "table %s", it->name);
        if (it->u.table.file)
            fprintf(out, " file \"%s\"", it->u.table.file);
        if (it->u.table.unit)
            fprintf(out, " %s", it->u.table.unit->text);
        loc_end(out, it->loc);
        dump_expr_tree(out, it->u.table.values, 1, NULL);
        dump_expr_tree(out, it->u.table.every, 1, "every");
        return;
    }
    NRN_UNREACHABLE();
}

void ast_dump(FILE *out, const AstFile *file)
{
    fprintf(out, "file \"%s\"\n", file->path ? file->path : "");
    for (const AstItem *it = file->items; it; it = it->next)
        dump_item(out, it);
}
