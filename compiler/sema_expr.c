/* Expression checking: resolves names, computes dimensions, converts literals to SI.
 *
 * One recursive walk per expression (depth is bounded by the parser's nesting limit).
 * Every node gets a dimension; a bare `0` is "free" and takes the dimension its context
 * needs (LANGUAGE.md §2). Errors name the user's identifiers and show units as written. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sema_expr.h"

#include "builtins.h"
#include "util.h"

static const char *const builtin_names[] = {"t", "dt", "pi", "i", "N"};

const char *sema_builtin_name_check(const char *name)
{
    for (size_t k = 0; k < sizeof builtin_names / sizeof *builtin_names; k++)
        if (strcmp(name, builtin_names[k]) == 0)
            return builtin_names[k];
    return NULL;
}

bool sema_unit(SemaCtx *c, const AstUnit *u, UnitInfo *out)
{
    out->scale = 1.0;
    out->dim = dim_none();
    bool ok = true;
    for (int k = 0; k < u->nfactors; k++) {
        const AstUnitFactor *f = &u->factors[k];
        UnitInfo one = {1.0, dim_none()};
        if (f->name && !unit_lookup(f->name, &one)) {
            const char *near = unit_suggest(f->name);
            diag_error(c->d, f->loc, "unknown unit '%s'", f->name);
            if (near)
                diag_help(c->d, "did you mean '%s'?", near);
            ok = false;
            continue;
        }
        Rat p = rat_make(f->num, f->den);
        out->dim = dim_mul(out->dim, dim_pow(one.dim, p));
        out->scale *= pow(one.scale, (double)f->num / f->den);
    }
    return ok;
}

static char *dim_text(SemaCtx *c, Dim d)
{
    char buf[128];
    return arena_strdup(c->a, dim_format(d, buf, sizeof buf));
}

/* a^ka * b^kb in the units they were written in (b may be unknown when kb is 0). */
static DisplayUnit combined(SemaCtx *c, DisplayUnit a, Rat ka, DisplayUnit b, Rat kb)
{
    DisplayUnit u = {NULL, 1.0};
    char buf[96];
    if (a.text && (b.text || kb.num == 0) && unit_text_combine(a.text, ka, kb.num ? b.text : NULL, kb, buf, sizeof buf))
        u.text = arena_strdup(c->a, buf);
    return u;
}

/* The unit e's value is written in: that of its literal or declared name, or (with
 * `compose`, for messages) composed of its operands' (v * v in mV^2, I_e / g in nA/nS);
 * NULL text where none was written. A declaration without a unit takes the first kind
 * only: its traces are in a named unit or in SI, never in a product such as nS*mV.
 * Lets are followed into their values, which could blow up (each let using the previous
 * one twice): `budget` bounds the nodes visited, past it the answer is SI. */
static DisplayUnit written_unit(SemaCtx *c, const AstExpr *e, bool compose, int depth, long *budget)
{
    DisplayUnit u = {NULL, 1.0};
    const Rat one = {1, 1}, none = {0, 1};
    if (depth > 300 || --*budget < 0)
        return u;
    switch (e->kind) {
    case AST_NUM:
        if (e->u.num.unit)
            u.text = e->u.num.unit->text;
        break;
    case AST_NAME:
    case AST_FIELD:
        /* a member declared without a unit: in messages, the units of its value's parts */
        if (compose && e->sym && e->sym->decl && !e->sym->decl->unit && e->sym->decl->value &&
            (e->sym->kind == SYM_LET || e->sym->kind == SYM_PARAM || e->sym->kind == SYM_STATE))
            u = written_unit(c, e->sym->decl->value, compose, depth + 1, budget);
        if (!u.text && e->sym && e->sym->unit.text && (e->sym->kind <= SYM_NET_PARAM || e->sym->kind == SYM_WEIGHT))
            u = e->sym->unit;
        if (compose && !u.text && e->sym && e->sym->kind == SYM_UNIT)
            u.text = e->sym->name;      /* `5 * ms` */
        break;
    case AST_UNARY:
        if (e->u.unary.op != OP_NOT)
            u = written_unit(c, e->u.unary.operand, compose, depth + 1, budget);
        break;
    case AST_BINARY: {
        const AstExpr *l = e->u.binary.lhs, *r = e->u.binary.rhs;
        AstOp op = e->u.binary.op;
        if (op == OP_ADD || op == OP_SUB) {
            u = written_unit(c, l, compose, depth + 1, budget);
            if (!u.text || l->dim_free)
                u = written_unit(c, r, compose, depth + 1, budget);
        } else if ((op == OP_MUL || op == OP_DIV) && dim_is_none(r->dim)) {
            u = written_unit(c, l, compose, depth + 1, budget);     /* v / 2, v * k: the unit of v */
        } else if (op == OP_MUL && dim_is_none(l->dim)) {
            u = written_unit(c, r, compose, depth + 1, budget);
        } else if (compose && (op == OP_MUL || op == OP_DIV)) {
            DisplayUnit ur = written_unit(c, r, compose, depth + 1, budget);
            Rat kr = op == OP_MUL ? one : rat_make(-1, 1);
            u = dim_is_none(l->dim) ? combined(c, ur, kr, ur, none)
                                    : combined(c, written_unit(c, l, compose, depth + 1, budget), one, ur, kr);
        } else if (compose && op == OP_POW && !dim_is_none(l->dim)) {
            double k;
            Rat rk;
            if (sema_const_eval(r, &k) && rat_from_double(k, &rk))
                u = combined(c, written_unit(c, l, compose, depth + 1, budget), rk, u, none);
        }
        break;
    }
    case AST_COND:
        u = written_unit(c, e->u.cond.then, compose, depth + 1, budget);
        break;
    case AST_CALL:
        if (e->sym && e->sym->kind == SYM_TABLE && e->sym->item->u.table.unit)
            u.text = e->sym->item->u.table.unit->text;   /* a table: the unit after its source */
        else if (e->u.call.nargs >= 1 && (strcmp(e->u.call.name, "abs") == 0 ||
                                     strcmp(e->u.call.name, "min") == 0 ||
                                     strcmp(e->u.call.name, "max") == 0 ||
                                     strcmp(e->u.call.name, "clip") == 0 ||
                                     strcmp(e->u.call.name, "uniform") == 0 ||
                                     strcmp(e->u.call.name, "normal") == 0))
            u = written_unit(c, e->u.call.args, compose, depth + 1, budget);
        else if (compose && e->u.call.nargs == 1 && strcmp(e->u.call.name, "sqrt") == 0)
            u = combined(c, written_unit(c, e->u.call.args, compose, depth + 1, budget), rat_make(1, 2), u, none);
        break;
    default:
        break;
    }
    if (u.text) {
        /* A display unit must describe the value's dimension (e.g. not for `v/ms`). */
        UnitInfo info;
        if (!unit_parse_term(u.text, &info, NULL, 0) || !dim_eq(info.dim, e->dim))
            u.text = NULL;
        else
            u.scale = info.scale;
    }
    return u;
}

static DisplayUnit display(SemaCtx *c, const AstExpr *e, bool compose)
{
    long budget = 20000;
    DisplayUnit u = written_unit(c, e, compose, 0, &budget);
    if (!u.text) {
        u.text = dim_text(c, e->dim);
        u.scale = 1.0;
    }
    return u;
}

DisplayUnit sema_expr_display(SemaCtx *c, const AstExpr *e) { return display(c, e, false); }

const char *sema_expr_unit(SemaCtx *c, const AstExpr *e) { return display(c, e, true).text; }

/* "in mV", or "dimensionless" */
static const char *in_unit(SemaCtx *c, const AstExpr *e)
{
    if (dim_is_none(e->dim))
        return "dimensionless";
    return arena_printf(c->a, "in %s", sema_expr_unit(c, e));
}

const char *sema_unit_text(Arena *a, Dim d, DisplayUnit u)
{
    if (u.text)
        return u.text;
    char buf[128];
    return arena_strdup(a, dim_format(d, buf, sizeof buf));
}

/* A hint for the commonest mismatch: `x` needs a familiar factor to reach `want`. */
static void hint_ratio(SemaCtx *c, const AstExpr *x, Dim want, const char *want_text)
{
    Dim have = x->dim;
    const AstExpr *lit = x->kind == AST_UNARY && x->u.unary.op == OP_NEG ? x->u.unary.operand : x;
    if (lit->kind == AST_NUM && !lit->u.num.unit && dim_is_none(have) && want_text) {
        diag_help(c->d, "write the number with its unit, e.g. %s%s %s", lit == x ? "" : "-", lit->u.num.text,
                  want_text);
        return;
    }
    const char *who = x->kind == AST_NAME ? arena_printf(c->a, " '%s'", x->u.name.name) : "";
    static const struct { const char *unit, *hint; } ratios[] = {
        {"ohm", "multiply by a resistance?"}, {"S", "multiply by a conductance?"},
        {"s", "multiply by a time?"},         {"1/s", "divide by a time constant?"},
        {"F", "multiply by a capacitance?"},  {"A", "multiply by a current?"},
        {"V", "multiply by a voltage?"},
    };
    Dim need = dim_div(want, have);
    for (size_t k = 0; k < sizeof ratios / sizeof *ratios; k++) {
        UnitInfo u;
        if (unit_parse_term(ratios[k].unit, &u, NULL, 0) && dim_eq(u.dim, need)) {
            diag_help(c->d, "%.*s%s %s", (int)strcspn(ratios[k].hint, " "), ratios[k].hint, who,
                      ratios[k].hint + strcspn(ratios[k].hint, " ") + 1);
            return;
        }
        if (unit_parse_term(ratios[k].unit, &u, NULL, 0) && dim_eq(dim_div(dim_none(), u.dim), need)) {
            if (strcmp(ratios[k].unit, "1/s") == 0)
                diag_help(c->d, "multiply%s by a time?", who);
            else if (strcmp(ratios[k].unit, "s") == 0)
                diag_help(c->d, "divide%s by a time constant?", who);
            else
                diag_help(c->d, "divide%s by a %s?", who,
                          strcmp(ratios[k].unit, "ohm") == 0 ? "resistance"
                          : strcmp(ratios[k].unit, "S") == 0 ? "conductance"
                          : strcmp(ratios[k].unit, "F") == 0 ? "capacitance"
                          : strcmp(ratios[k].unit, "A") == 0 ? "current" : "voltage");
            return;
        }
    }
}

/* A mismatch on `w` is about the weight, written elsewhere: show where. */
static void weight_note(SemaCtx *c, const AstExpr *e)
{
    if (e->kind == AST_NAME && e->sym && e->sym->kind == SYM_WEIGHT && c->weight_given)
        diag_note(c->d, c->weight_loc, "w is the connection's weight, given here");
}

void sema_expect_dim(SemaCtx *c, AstExpr *e, Dim want, const char *want_unit, const char *what)
{
    sema_expr(c, e);
    if (e->dim_error || e->dim_free || dim_eq(e->dim, want))
        return;
    if (dim_is_none(want)) {
        diag_error(c->d, e->loc, "unit mismatch: %s must be dimensionless, but this is %s", what,
                   in_unit(c, e));
        hint_ratio(c, e, want, want_unit);
        weight_note(c, e);
        return;
    }
    diag_error(c->d, e->loc, "unit mismatch: %s must be in %s, but this is %s", what,
               want_unit ? want_unit : dim_text(c, want), in_unit(c, e));
    hint_ratio(c, e, want, want_unit);
    weight_note(c, e);
}


static void set_dim(AstExpr *e, Dim d)
{
    e->dim = d;
    e->dim_free = false;
}

/* ---- names ------------------------------------------------------------------------ */

static AstSym *builtin_sym(SemaCtx *c, const char *name, NrnLoc loc)
{
    static const struct { const char *name; SymKind kind; int dim; } table[] = {
        {"t", SYM_TIME, DIM_TIME}, {"dt", SYM_DT, DIM_TIME}, {"pi", SYM_PI, -1},
        {"i", SYM_INDEX, -1},      {"N", SYM_SIZE, -1},
    };
    for (size_t k = 0; k < sizeof table / sizeof *table; k++) {
        if (strcmp(name, table[k].name) != 0)
            continue;
        AstSym *s = ARENA_NEW(c->a, AstSym);
        s->kind = table[k].kind;
        s->name = table[k].name;
        s->loc = loc;
        s->dim = table[k].dim >= 0 ? dim_base(table[k].dim) : dim_none();
        s->value = table[k].kind == SYM_PI ? 3.14159265358979323846 : 0;
        s->unit.text = table[k].dim >= 0 ? "ms" : "1";
        s->unit.scale = table[k].dim >= 0 ? 1e-3 : 1.0;
        return s;
    }
    return NULL;
}

static bool is_noise_name(const char *name)
{
    return strcmp(name, "xi") == 0 || strncmp(name, "xi_", 3) == 0;
}

static void unknown_name(SemaCtx *c, AstExpr *e)
{
    const char *name = e->u.name.name;
    diag_error(c->d, e->loc, "unknown identifier '%s'", name);
    const char *near = c->model ? sema_suggest_member(c->model, name) : NULL;
    if (!near && c->net) {
        int best = 3;
        for (int k = 0; k < symtab_count(c->net->scope); k++) {
            AstSym *s = symtab_at(c->net->scope, k);
            int dist = nrn_edit_distance(name, s->name);
            if (dist < best && dist < (int)strlen(name)) {
                best = dist;
                near = s->name;
            }
        }
    }
    if (near)
        diag_help(c->d, "did you mean '%s'?", near);
}

/* Names declared after the member being evaluated are not available to it. */
static bool used_before_declared(SemaCtx *c, AstExpr *e, AstSym *s)
{
    const AstSym *cur = c->current;
    if (!cur || s->kind != cur->kind || s->index < cur->index)
        return false;
    if (s == cur)
        diag_error(c->d, e->loc, "%s '%s' is defined in terms of itself (recursive)",
                   s->kind == SYM_PARAM ? "param" : "state", s->name);
    else
        diag_error(c->d, e->loc, "%s '%s' is used before its declaration", s->kind == SYM_PARAM ? "param" : "state",
                   s->name);
    diag_note(c->d, s->loc, "'%s' is declared here; %ss are evaluated in declaration order", s->name,
              s->kind == SYM_PARAM ? "param" : "state");
    return true;
}

/* Checks where a member may be used; true when it reported that it may not be used
 * here at all (the root cause: no unit errors should follow from that use). */
static bool check_member_use(SemaCtx *c, AstExpr *e, AstSym *s)
{
    switch (s->kind) {
    case SYM_STATE:
        if (c->where == WHERE_PARAM) {
            diag_error(c->d, e->loc, "a param's value cannot depend on state '%s'", s->name);
            return false;
        }
        if (c->where == WHERE_STATE_INIT)
            used_before_declared(c, e, s);
        break;
    case SYM_PARAM:
        if (c->where == WHERE_PARAM)
            used_before_declared(c, e, s);
        break;
    case SYM_LET:
        if (c->where == WHERE_PARAM || c->where == WHERE_STATE_INIT) {
            diag_error(c->d, e->loc, "let '%s' cannot be used in an initial value", s->name);
            diag_help(c->d, "write the expression out, or make '%s' a param", s->name);
            return true;
        }
        sema_infer_let(c, s);
        if (s->visit == 2 && c->where == WHERE_ODE && s->uses_random)
            diag_error(c->d, e->loc, "let '%s' uses a random function and cannot appear in an ODE",
                       s->name);
        if (s->visit == 2 && c->where != WHERE_ODE && c->where != WHERE_LET && s->uses_noise) {
            diag_error(c->d, e->loc, "let '%s' uses noise (xi) and can only appear in an ODE", s->name);
            diag_note(c->d, s->loc, "'%s' is declared here", s->name);
            return true;
        }
        break;
    case SYM_INPUT:
        if (c->where == WHERE_PARAM || c->where == WHERE_STATE_INIT)
            diag_error(c->d, e->loc, "input '%s' cannot be used in an initial value", s->name);
        break;
    default:
        break;
    }
    return false;
}

static AstSym *lookup(SemaCtx *c, const char *name)
{
    if (c->fn_params) {
        int k = 0;
        for (AstName *p = c->fn_params; p; p = p->next, k++)
            if (strcmp(p->name, name) == 0) {
                AstSym *s = ARENA_NEW(c->a, AstSym);
                s->kind = SYM_FUNC_ARG;
                s->name = p->name;
                s->loc = p->loc;
                s->index = k;
                s->dim = c->fn_arg_dims[k];
                return s;
            }
        return NULL;
    }
    AstSym *s = c->model ? symtab_get(c->model->scope, name) : NULL;
    if (!s && c->net)
        s = symtab_get(c->net->scope, name);
    return s;
}

static void check_name(SemaCtx *c, AstExpr *e)
{
    const char *name = e->u.name.name;
    AstSym *s = lookup(c, name);
    if (s && s->kind == SYM_FUNC_ARG) {
        e->sym = s;
        set_dim(e, s->dim);
        e->dim_free = c->fn_arg_free[s->index];
        return;
    }
    if (s) {
        e->sym = s;
        bool misplaced = check_member_use(c, e, s);   /* infers a let's dimension on first use */
        set_dim(e, s->dim);
        e->dim_free = e->dim_error = s->poisoned || misplaced;
        e->dim_free |= s->adapts;
        if (s->kind == SYM_POP || s->kind == SYM_CONN) {
            diag_error(c->d, e->loc, "%s '%s' cannot be used as a value",
                       s->kind == SYM_POP ? "population" : "connection", name);
            e->dim_free = e->dim_error = true;
        }
        return;
    }
    if ((s = builtin_sym(c, name, e->loc))) {
        e->sym = s;
        set_dim(e, s->dim);
        if ((s->kind == SYM_INDEX || s->kind == SYM_SIZE) && (!c->model && c->where != WHERE_EVENT))
            diag_error(c->d, e->loc, "'%s' (the neuron index or population size) exists only inside a "
                       "model or a per-neuron value", name);
        if (s->kind == SYM_TIME && (c->where == WHERE_PARAM || c->where == WHERE_STATE_INIT))
            s->value = 0;
        return;
    }
    if (c->in_synapse && strcmp(name, "w") == 0) {
        AstSym *w = ARENA_NEW(c->a, AstSym);
        w->kind = SYM_WEIGHT;
        w->name = "w";
        w->loc = e->loc;
        w->dim = c->weight_dim;
        w->unit = c->weight_unit;
        e->sym = w;
        set_dim(e, w->dim);
        e->dim_free = !c->weight_known;
        return;
    }
    if (is_noise_name(name)) {
        AstSym *x = ARENA_NEW(c->a, AstSym);
        x->kind = SYM_XI;
        x->name = name;
        x->loc = e->loc;
        /* white noise has dimension 1/sqrt(time) */
        x->dim = dim_pow(dim_base(DIM_TIME), rat_make(-1, 2));
        e->sym = x;
        set_dim(e, x->dim);
        c->saw_noise = true;
        if (c->where != WHERE_ODE && c->where != WHERE_LET) {
            diag_error(c->d, e->loc, "noise '%s' can only appear in an ODE", name);
            e->dim_free = e->dim_error = true;   /* the root cause: no unit errors from it */
        }
        return;
    }
    UnitInfo u;
    if (unit_lookup(name, &u)) {
        AstSym *us = ARENA_NEW(c->a, AstSym);
        us->kind = SYM_UNIT;
        us->name = name;
        us->loc = e->loc;
        us->dim = u.dim;
        us->value = u.scale;
        us->unit.text = name;
        us->unit.scale = u.scale;
        e->sym = us;
        set_dim(e, u.dim);
        return;
    }
    if (!c->lenient_names)
        unknown_name(c, e);
    e->dim_free = e->dim_error = true;
}

/* Once per connect and model: a missing member is one mistake, however often it is used. */
static bool first_report(SemaCtx *c, const char *key)
{
    if (!c->reported)
        return true;
    for (int k = 0; k < c->reported->len; k++)
        if (strcmp(c->reported->items[k], key) == 0)
            return false;
    ptrvec_push(c->a, c->reported, arena_strdup(c->a, key));
    return true;
}

static bool model_seen_before(const PtrVec *pops, int k)
{
    const SemaPop *p = pops->items[k];
    for (int j = 0; j < k; j++)
        if (((const SemaPop *)pops->items[j])->model == p->model)
            return true;
    return false;
}

/* `side.X` in a connect: X must be a member of every model on that side, with one
 * dimension. Returns the member of the first model, or NULL after an error. */
static AstSym *resolve_field(SemaCtx *c, AstExpr *e, const char *side, const PtrVec *pops, bool *bad)
{
    const char *name = e->u.field.name;
    AstSym *first = NULL;
    const SemaPop *first_pop = NULL;
    for (int k = 0; k < pops->len; k++) {
        const SemaPop *p = pops->items[k];
        if (!p->model || model_seen_before(pops, k))
            continue;
        AstSym *s = sema_model_member(p->model, name);
        if (!s) {
            *bad = true;
            if (!first_report(c, arena_printf(c->a, "%s.%s %s", side, name, p->model->item->name)))
                continue;
            diag_error(c->d, e->u.field.name_loc, "'%s' is not a member of %s-synaptic model '%s' (population '%s')",
                       name, side, p->model->item->name, p->name);
            const char *near = sema_suggest_member(p->model, name);
            if (near)
                diag_help(c->d, "did you mean '%s'?", near);
            continue;
        }
        if (!first) {
            first = s;
            first_pop = p;
        } else if (!dim_eq(s->dim, first->dim)) {
            *bad = true;
            if (!first_report(c, arena_printf(c->a, "%s.%s units", side, name)))
                continue;
            diag_error(c->d, e->loc, "unit mismatch: '%s.%s' is in %s in model '%s' (population '%s') but in %s "
                       "in model '%s' (population '%s')", side, name, sema_unit_text(c->a, first->dim, first->unit),
                       first_pop->model->item->name, first_pop->name, sema_unit_text(c->a, s->dim, s->unit),
                       p->model->item->name, p->name);
            diag_help(c->d, "the %s populations of one connect must agree on the unit of '%s'",
                      strcmp(side, "pre") == 0 ? "source" : "target", name);
        }
    }
    return first;
}

/* pre.X, post.X, pre.i, post.N */
static void check_field(SemaCtx *c, AstExpr *e)
{
    AstExpr *obj = e->u.field.object;
    const char *side = obj->kind == AST_NAME ? obj->u.name.name : "";
    bool is_pre = strcmp(side, "pre") == 0, is_post = strcmp(side, "post") == 0;
    if (!is_pre && !is_post) {
        diag_error(c->d, obj->loc, "only 'pre.' and 'post.' may be used with a '.' in an expression");
        e->dim_free = true;
        return;
    }
    if (!c->in_synapse) {
        diag_error(c->d, obj->loc, "'%s.' can only be used inside a synapse or connect block", side);
        e->dim_free = true;
        return;
    }
    const char *name = e->u.field.name;
    if (is_pre && c->no_pre) {
        diag_error(c->d, e->loc, "connect poisson(...) has no pre-synaptic neuron: 'pre.%s' cannot be used", name);
        diag_help(c->d, "its weight and on_pre may use post.X and post.i");
        e->dim_free = e->dim_error = true;
        return;
    }
    if (strcmp(name, "i") == 0 || strcmp(name, "N") == 0) {
        set_dim(e, dim_none());
        return;
    }
    const PtrVec *pops = is_pre ? c->pre_pops : c->post_pops;
    if (!pops) {   /* a synapse type checked on its own: the neurons are not known yet */
        e->dim_free = true;
        return;
    }
    bool bad = false;
    AstSym *s = resolve_field(c, e, side, pops, &bad);
    if (bad || !s) {   /* reported, or every population on this side was unknown (reported) */
        e->dim_free = e->dim_error = true;
        return;
    }
    e->sym = s;
    set_dim(e, s->dim);
    if (s->poisoned)
        e->dim_free = e->dim_error = true;
}

AstSym *sema_field_not_kind(const SemaCtx *c, const AstExpr *field, SymKind kind, const SemaPop **pop)
{
    *pop = NULL;
    if (field->kind != AST_FIELD || !field->sym)
        return NULL;
    const AstExpr *obj = field->u.field.object;
    bool is_pre = obj->kind == AST_NAME && strcmp(obj->u.name.name, "pre") == 0;
    const PtrVec *pops = is_pre ? c->pre_pops : c->post_pops;
    if (!pops)
        return field->sym->kind != kind ? field->sym : NULL;
    for (int k = 0; k < pops->len; k++) {
        const SemaPop *p = pops->items[k];
        AstSym *s = p->model ? sema_model_member(p->model, field->u.field.name) : NULL;
        if (s && s->kind != kind) {
            *pop = p;
            return s;
        }
    }
    return NULL;
}

/* ---- operators -------------------------------------------------------------------- */

static bool is_state_name(const AstExpr *x)
{
    return x->kind == AST_NAME && x->sym && x->sym->kind == SYM_STATE;
}

static void mismatch(SemaCtx *c, AstExpr *e, AstExpr *l, AstExpr *r, const char *op)
{
    diag_error(c->d, e->loc, "unit mismatch in '%s': %s is %s but %s is %s", op,
               l->kind == AST_NAME ? arena_printf(c->a, "'%s'", l->u.name.name) : "the left side",
               in_unit(c, l),
               r->kind == AST_NAME ? arena_printf(c->a, "'%s'", r->u.name.name) : "the right side",
               in_unit(c, r));
    /* Suggest converting the side that is not the state (the state fixes the unit). */
    if (is_state_name(r) && !is_state_name(l))
        hint_ratio(c, l, r->dim, sema_expr_unit(c, r));
    else
        hint_ratio(c, r, l->dim, sema_expr_unit(c, l));
}

/* Both sides must agree; a free side adopts the other's dimension. */
static void unify(SemaCtx *c, AstExpr *e, AstExpr *l, AstExpr *r, const char *op)
{
    if (l->dim_error || r->dim_error) {
        set_dim(e, l->dim_error ? r->dim : l->dim);
        e->dim_free = e->dim_error = true;
    } else if (l->dim_free && r->dim_free) {
        e->dim = dim_none();
        e->dim_free = true;
    } else if (l->dim_free) {
        set_dim(e, r->dim);
    } else if (r->dim_free) {
        set_dim(e, l->dim);
    } else {
        set_dim(e, l->dim);
        if (!dim_eq(l->dim, r->dim)) {
            mismatch(c, e, l, r, op);
            e->dim_free = e->dim_error = true;
        }
    }
}

static void need_dimensionless(SemaCtx *c, AstExpr *x, const char *what)
{
    if (!x->dim_free && !x->dim_error && !dim_is_none(x->dim))
        diag_error(c->d, x->loc, "%s must be dimensionless, but this is in %s", what, sema_expr_unit(c, x));
    if (!x->dim_free && !x->dim_error && !dim_is_none(x->dim))
        hint_ratio(c, x, dim_none(), NULL);
}

/* An exponent applied to a quantity must be a constant rational with a small denominator. */
static bool const_exponent(SemaCtx *c, AstExpr *k, Rat *out)
{
    double v;
    if (!sema_const_eval(k, &v)) {
        diag_error(c->d, k->loc, "the exponent of a quantity with a unit must be a constant (literals and params)");
        return false;
    }
    for (int den = 1; den <= 12; den++) {
        double num = v * den;
        if (fabs(num - round(num)) < 1e-9 && fabs(num) < 1e6) {
            *out = rat_make((int)round(num), den);
            return true;
        }
    }
    diag_error(c->d, k->loc, "the exponent %g of a quantity with a unit must be a simple fraction", v);
    return false;
}

/* The params whose values go into exponent k (directly or through other params'
 * declared values) fix the unit of a power: remember it on them, so that overriding
 * one of them (per population, per neuron, --set) is refused instead of silently
 * changing the unit of the result. */
static void mark_unit_exponent(const AstExpr *e, const AstExpr *k, int depth)
{
    if (!e || depth > 300)
        return;
    switch (e->kind) {
    case AST_NAME:
        if (e->sym && e->sym->kind == SYM_PARAM && !e->sym->unit_exponent) {
            e->sym->unit_exponent = k;
            if (e->sym->decl)
                mark_unit_exponent(e->sym->decl->value, k, depth + 1);
        }
        return;
    case AST_UNARY:
        mark_unit_exponent(e->u.unary.operand, k, depth + 1);
        return;
    case AST_BINARY:
        mark_unit_exponent(e->u.binary.lhs, k, depth + 1);
        mark_unit_exponent(e->u.binary.rhs, k, depth + 1);
        return;
    case AST_COND:
        mark_unit_exponent(e->u.cond.cond, k, depth + 1);
        mark_unit_exponent(e->u.cond.then, k, depth + 1);
        mark_unit_exponent(e->u.cond.els, k, depth + 1);
        return;
    case AST_CALL:
        for (const AstExpr *a = e->u.call.args; a; a = a->next)
            mark_unit_exponent(a, k, depth + 1);
        return;
    default:
        return;
    }
}

static void check_pow(SemaCtx *c, AstExpr *e, AstExpr *base, AstExpr *k)
{
    need_dimensionless(c, k, "an exponent");
    if (base->dim_free || dim_is_none(base->dim)) {
        set_dim(e, dim_none());
        return;
    }
    Rat r;
    Dim d;
    if (!const_exponent(c, k, &r)) {
        e->dim_free = true;
    } else if (!dim_pow_checked(base->dim, r, &d)) {
        diag_error(c->d, k->loc, "this exponent makes the unit's powers too large");
        e->dim_free = true;
    } else {
        set_dim(e, d);
        mark_unit_exponent(k, k, 0);
    }
}

static void check_binary(SemaCtx *c, AstExpr *e)
{
    AstExpr *l = e->u.binary.lhs, *r = e->u.binary.rhs;
    sema_expr(c, l);
    sema_expr(c, r);
    AstOp op = e->u.binary.op;
    switch (op) {
    case OP_ADD: case OP_SUB: case OP_MOD:
        unify(c, e, l, r, ast_op_text(op));
        break;
    case OP_MUL:
        set_dim(e, dim_mul(l->dim, r->dim));
        e->dim_free = l->dim_free || r->dim_free;   /* 0 * x is 0: it still adapts */
        break;
    case OP_DIV:
        set_dim(e, dim_div(l->dim, r->dim));
        e->dim_free = l->dim_free || r->dim_free;
        break;
    case OP_POW:
        check_pow(c, e, l, r);
        break;
    case OP_LT: case OP_GT: case OP_LE: case OP_GE: case OP_EQ: case OP_NE:
        unify(c, e, l, r, ast_op_text(op));
        set_dim(e, dim_none());
        e->is_bool = true;
        break;
    case OP_AND: case OP_OR:
        need_dimensionless(c, l, "an operand of a logical operator");
        need_dimensionless(c, r, "an operand of a logical operator");
        set_dim(e, dim_none());
        e->is_bool = true;
        break;
    default:
        NRN_UNREACHABLE();
    }
}

static void check_unary(SemaCtx *c, AstExpr *e)
{
    AstExpr *x = e->u.unary.operand;
    sema_expr(c, x);
    if (e->u.unary.op == OP_NOT) {
        need_dimensionless(c, x, "the operand of 'not'");
        set_dim(e, dim_none());
        e->is_bool = true;
        return;
    }
    e->dim = x->dim;
    e->dim_free = x->dim_free;
}

static void check_cond(SemaCtx *c, AstExpr *e)
{
    sema_expr(c, e->u.cond.cond);
    need_dimensionless(c, e->u.cond.cond, "a condition");
    sema_expr(c, e->u.cond.then);
    sema_expr(c, e->u.cond.els);
    unify(c, e, e->u.cond.then, e->u.cond.els, "?:");
    e->is_bool = e->u.cond.then->is_bool && e->u.cond.els->is_bool;
}

/* ---- calls ------------------------------------------------------------------------ */


static void check_args_same(SemaCtx *c, AstExpr *e, const char *fname)
{
    AstExpr *first = NULL;
    e->dim_free = true;
    for (AstExpr *a = e->u.call.args; a; a = a->next) {
        if (a->dim_free || a->dim_error)
            continue;
        if (!first) {
            first = a;
            set_dim(e, a->dim);
        } else if (!dim_eq(a->dim, first->dim)) {
            diag_error(c->d, a->loc, "unit mismatch in %s(): this argument is in %s but an earlier one is in %s",
                       fname, sema_expr_unit(c, a), sema_expr_unit(c, first));
            return;
        }
    }
}

static void random_allowed(SemaCtx *c, AstExpr *e)
{
    c->saw_random = true;
    if (c->where == WHERE_ODE)
        diag_error(c->d, e->loc, "random function '%s' cannot be used in an ODE", e->u.call.name);
    else if (c->where == WHERE_NETWORK || c->where == WHERE_FUNCTION)
        diag_error(c->d, e->loc, "random function '%s' cannot be used in a constant", e->u.call.name);
    else if (c->where == WHERE_REFRACTORY)
        diag_error(c->d, e->loc, "random function '%s' cannot be used here", e->u.call.name);
    if (c->where == WHERE_ODE)
        diag_help(c->d, "for noise in an ODE use 'xi' (white noise, unit 1/sqrt(s))");
}

static bool check_user_call(SemaCtx *c, AstExpr *e);

static void check_call(SemaCtx *c, AstExpr *e)
{
    const char *name = e->u.call.name;
    if (sema_table_call(c, e))
        return;
    for (AstExpr *a = e->u.call.args; a; a = a->next)
        sema_expr(c, a);
    if (check_user_call(c, e))
        return;
    const Builtin *b = builtin_find(name);
    if (b) {
        if (e->u.call.nargs != b->nargs) {
            diag_error(c->d, e->u.call.name_loc, "%s() takes %d argument%s, but %d %s given", name,
                       b->nargs, b->nargs == 1 ? "" : "s", e->u.call.nargs,
                       e->u.call.nargs == 1 ? "was" : "were");
            e->dim_free = true;
            return;
        }
        AstExpr *x = e->u.call.args;
        switch (b->shape) {
        case SHAPE_DIMLESS: {
            int before = c->d->nerrors;
            need_dimensionless(c, x, arena_printf(c->a, "the argument of %s()", name));
            set_dim(e, dim_none());
            e->dim_error = e->dim_free = c->d->nerrors != before;   /* reported: no cascade */
            return;
        }
        case SHAPE_SQRT: {
            Dim d;
            if (!dim_pow_checked(x->dim, rat_make(1, 2), &d)) {
                diag_error(c->d, e->loc, "this square root makes the unit's powers too fine");
                e->dim_free = e->dim_error = true;
                return;
            }
            set_dim(e, d);
            e->dim_free = x->dim_free;
            return;
        }
        case SHAPE_SAME:
            check_args_same(c, e, name);
            return;
        case SHAPE_SIGN:
            set_dim(e, dim_none());
            return;
        case SHAPE_POW:
            check_pow(c, e, x, x->next);
            return;
        case SHAPE_RANDOM:
            random_allowed(c, e);
            set_dim(e, dim_none());
            return;
        case SHAPE_RANDOM_SAME:
            random_allowed(c, e);
            check_args_same(c, e, name);
            return;
        }
    }
    diag_error(c->d, e->u.call.name_loc, "unknown function '%s'", name);
    if (strcmp(name, "int") == 0) {     /* Brian2's int(): truncation */
        diag_help(c->d, "write 'floor(x)' (int truncates toward zero: for negative x, 'ceil(x)')");
        e->dim_free = true;
        return;
    }
    int best = 3;
    const char *near = NULL;
    for (size_t k = 0; builtin_at(k); k++) {
        int dist = nrn_edit_distance(name, builtin_at(k)->name);
        if (dist < best) {
            best = dist;
            near = builtin_at(k)->name;
        }
    }
    if (near)
        diag_help(c->d, "did you mean '%s'?", near);
    e->dim_free = true;
}

/* User functions are inlined, so their body is checked at each call with the arguments'
 * dimensions. */
static bool check_user_call(SemaCtx *c, AstExpr *e)
{
    AstSym *g = symtab_get(c->prog->globals, e->u.call.name);
    if (!g || g->kind != SYM_FUNCTION)
        return false;
    AstItem *fn = g->item;
    int nparams = 0;
    for (AstName *p = fn->u.function.params; p; p = p->next)
        nparams++;
    if (nparams != e->u.call.nargs) {
        diag_error(c->d, e->u.call.name_loc, "function '%s' takes %d argument%s, but %d %s given", fn->name,
                   nparams, nparams == 1 ? "" : "s", e->u.call.nargs, e->u.call.nargs == 1 ? "was" : "were");
        diag_note(c->d, fn->name_loc, "'%s' is defined here", fn->name);
        e->dim_free = true;
        return true;
    }
    for (const SemaCallFrame *f = c->fn_stack; f; f = f->up)
        if (f->fn == fn) {
            diag_error(c->d, e->loc, "function '%s' calls itself (recursive functions are not allowed)", fn->name);
            e->dim_free = e->dim_error = true;
            return true;
        }
    if (c->fn_depth >= 64) {
        diag_error(c->d, e->loc, "function calls nested more than 64 deep");
        e->dim_free = e->dim_error = true;
        return true;
    }
    /* Functions are inlined: a call graph that multiplies (f1 calls f0 four times, f2 calls
     * f1 four times, ...) would expand without bound. */
    if (++c->prog->inlined_calls > 200000) {
        if (c->prog->inlined_calls == 200001)
            diag_error(c->d, e->loc, "function calls expand to more than 200,000 inlined calls; simplify the "
                       "functions (they are inlined at every call)");
        e->dim_free = e->dim_error = true;
        return true;
    }
    Dim *dims = ARENA_ARRAY(c->a, Dim, nparams + 1);
    bool *free_ = ARENA_ARRAY(c->a, bool, nparams + 1);
    int k = 0;
    for (AstExpr *a = e->u.call.args; a; a = a->next, k++) {
        dims[k] = a->dim;
        free_[k] = a->dim_free;
    }
    SemaCtx inner = *c;
    inner.fn_params = fn->u.function.params;
    inner.fn_arg_dims = dims;
    inner.fn_arg_free = free_;
    inner.fn_depth = c->fn_depth + 1;
    SemaCallFrame frame = {.fn = fn, .up = c->fn_stack};
    inner.fn_stack = &frame;
    inner.model = NULL;
    inner.net = NULL;
    int before = c->d->nerrors;
    sema_expr(&inner, fn->u.function.body);
    c->saw_random |= inner.saw_random;
    if (c->d->nerrors != before)
        diag_note(c->d, e->loc, "in this call of '%s'", fn->name);
    e->dim = fn->u.function.body->dim;
    e->dim_free = fn->u.function.body->dim_free;
    e->is_bool = fn->u.function.body->is_bool;
    return true;
}

/* ---- literals and dispatch -------------------------------------------------------- */

static void check_num(SemaCtx *c, AstExpr *e)
{
    e->si_value = e->u.num.value;
    if (!e->u.num.unit) {
        set_dim(e, dim_none());
        bool word = e->u.num.text && (strcmp(e->u.num.text, "true") == 0 || strcmp(e->u.num.text, "false") == 0);
        e->is_bool = word;   /* `threshold true` is a condition */
        e->dim_free = e->u.num.value == 0.0 && !word;
        return;
    }
    UnitInfo u;
    if (!sema_unit(c, e->u.num.unit, &u)) {
        e->dim_free = e->dim_error = true;
        return;
    }
    set_dim(e, u.dim);
    e->si_value = e->u.num.value * u.scale;
}

static bool child_error(const AstExpr *e)
{
    switch (e->kind) {
    case AST_UNARY: return e->u.unary.operand->dim_error;
    case AST_BINARY: return e->u.binary.lhs->dim_error || e->u.binary.rhs->dim_error;
    case AST_COND: return e->u.cond.cond->dim_error || e->u.cond.then->dim_error || e->u.cond.els->dim_error;
    case AST_CALL:
        for (const AstExpr *a = e->u.call.args; a; a = a->next)
            if (a->dim_error)
                return true;
        return false;
    default: return false;
    }
}

static void check_node(SemaCtx *c, AstExpr *e);

/* Checks e; a node built on an already-reported error is marked so that no unit error
 * cascades from it. */
void sema_expr(SemaCtx *c, AstExpr *e)
{
    int before = c->d->nerrors;
    check_node(c, e);
    if (child_error(e) || (c->d->nerrors != before && e->dim_free))
        e->dim_error = true;
    if (e->dim_error)
        e->dim_free = true;
}

static void check_node(SemaCtx *c, AstExpr *e)
{
    switch (e->kind) {
    case AST_NUM:
        check_num(c, e);
        return;
    case AST_NAME:
        check_name(c, e);
        return;
    case AST_UNARY:
        check_unary(c, e);
        return;
    case AST_BINARY:
        check_binary(c, e);
        return;
    case AST_COND:
        check_cond(c, e);
        return;
    case AST_CALL:
        check_call(c, e);
        return;
    case AST_FIELD:
        check_field(c, e);
        return;
    case AST_LIST:
        diag_error(c->d, e->loc, "a list is not allowed here");
        e->dim_free = true;
        return;
    default:
        diag_error(c->d, e->loc, "a string is not allowed here");
        e->dim_free = true;
        return;
    }
}
