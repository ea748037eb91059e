/* Checking of neuron and synapse models: declarations, ODEs, threshold, reset,
 * refractory period, method (LANGUAGE.md §4, §5).
 *
 * Members are declared first (so lets, ODEs and events may use names declared anywhere),
 * then params and states are checked in declaration order (each may only use earlier
 * ones: that is the order in which they are evaluated per neuron), then lets lazily with
 * recursion detection, then the dynamics. */
#include <string.h>

#include "builtins.h"
#include "sema_expr.h"
#include "util.h"

const char *sema_kind_word(SymKind k)
{
    switch (k) {
    case SYM_PARAM: return "param";
    case SYM_STATE: return "state";
    case SYM_LET: return "let";
    case SYM_INPUT: return "input";
    case SYM_NET_PARAM: return "network param";
    case SYM_POP: return "population";
    case SYM_CONN: return "connection";
    default: return "name";
    }
}

AstSym *sema_model_member(const SemaModel *m, const char *name) { return symtab_get(m->scope, name); }

const char *sema_suggest_member(const SemaModel *m, const char *name)
{
    const char *best = NULL;
    int best_dist = 3;
    size_t len = strlen(name);
    for (int k = 0; k < symtab_count(m->scope); k++) {
        const char *cand = symtab_at(m->scope, k)->name;
        int dist = nrn_edit_distance(name, cand);
        /* close, and not merely short: a one-letter name suggests nothing */
        if (dist < best_dist && (size_t)dist < len) {
            best_dist = dist;
            best = cand;
        }
    }
    return best;
}

static void declare(SemaCtx *c, SemaModel *m, AstDecl *d, SymKind kind, PtrVec *list)
{
    if (sema_builtin_name_check(d->name)) {
        diag_error(c->d, d->name_loc, "'%s' is a built-in name and cannot be declared", d->name);
        return;
    }
    AstSym *s = ARENA_NEW(c->a, AstSym);
    s->kind = kind;
    s->name = d->name;
    s->loc = d->name_loc;
    s->decl = d;
    s->index = list->len;
    if (!symtab_put(c->a, m->scope, s)) {
        AstSym *old = symtab_get(m->scope, d->name);
        diag_error(c->d, d->name_loc, "'%s' is already declared in '%s'", d->name, m->item->name);
        diag_note(c->d, old->loc, "'%s' is first declared here as a %s", d->name, sema_kind_word(old->kind));
        return;
    }
    ptrvec_push(c->a, list, s);
}

/* A member's dimension comes from its annotation when present, else from its value. */
static void check_valued(SemaCtx *c, AstSym *s, ExprWhere where)
{
    AstDecl *d = s->decl;
    UnitInfo ann;
    int before = c->d->nerrors;
    bool has_ann = d->unit && sema_unit(c, d->unit, &ann);
    c->where = where;
    c->current = s;
    if (has_ann) {
        s->dim = ann.dim;
        s->unit.text = d->unit->text;
        s->unit.scale = ann.scale;
        if (d->value)
            sema_expect_dim(c, d->value, ann.dim, d->unit->text,
                            arena_printf(c->a, "the value of '%s'", s->name));
    } else if (d->value) {
        sema_expr(c, d->value);
        s->dim = d->value->dim_free ? dim_none() : d->value->dim;
        s->unit = sema_expr_display(c, d->value);
        if (d->value->dim_free)
            s->unit = (DisplayUnit){"1", 1.0};
        /* `state X = 0`: the unit comes from X's ODE (infer_zero_states) */
        s->adapts = where == WHERE_STATE_INIT && d->value->dim_free && !d->value->dim_error;
    } else {
        s->dim = dim_none();
        s->unit = (DisplayUnit){"1", 1.0};
    }
    c->current = NULL;
    s->visit = 2;
    s->poisoned = c->d->nerrors != before && !has_ann;
}

void sema_infer_let(SemaCtx *c, AstSym *s)
{
    if (s->visit == 2)
        return;
    if (s->visit == 1) {
        diag_error(c->d, s->loc, "let '%s' depends on itself (recursive)", s->name);
        s->visit = 2;
        s->dim = dim_none();
        return;
    }
    if (c->let_depth >= 1000) {
        diag_error(c->d, s->loc, "let '%s' ends a chain of more than 1000 lets that each use the next", s->name);
        s->visit = 2;
        s->poisoned = true;
        return;
    }
    s->visit = 1;
    int before = c->d->nerrors;
    SemaCtx inner = *c;
    inner.let_depth = c->let_depth + 1;
    inner.saw_random = false;
    inner.saw_noise = false;
    inner.current = NULL;
    inner.where = WHERE_LET;
    AstDecl *d = s->decl;
    UnitInfo ann;
    if (d->unit && sema_unit(c, d->unit, &ann)) {
        sema_expect_dim(&inner, d->value, ann.dim, d->unit->text,
                        arena_printf(c->a, "the value of let '%s'", s->name));
        s->dim = ann.dim;
        s->unit = (DisplayUnit){d->unit->text, ann.scale};
    } else {
        sema_expr(&inner, d->value);
        s->dim = d->value->dim;
        s->unit = sema_expr_display(&inner, d->value);
    }
    s->uses_random = inner.saw_random;
    s->uses_noise = inner.saw_noise;
    s->poisoned = c->d->nerrors != before && !d->unit;
    s->adapts = !d->unit && d->value->dim_free && !d->value->dim_error;   /* let z = 0, or built on one */
    s->visit = 2;
}

/* ---- dynamics ---------------------------------------------------------------------- */

static void check_ode(SemaCtx *c, SemaModel *m, AstDecl *d)
{
    AstSym *s = symtab_get(m->scope, d->name);
    c->where = WHERE_ODE;
    if (!s || s->kind != SYM_STATE) {
        if (s) {
            diag_error(c->d, d->loc, "'%s' is not a state: d%s/dt needs a state variable", d->name, d->name);
            diag_note(c->d, s->loc, "'%s' is declared here as a %s", d->name, sema_kind_word(s->kind));
        } else {
            diag_error(c->d, d->loc, "'%s' is not a state: it is not declared in '%s'", d->name, m->item->name);
            const char *near = sema_suggest_member(m, d->name);
            if (near)
                diag_help(c->d, "did you mean '%s'?", near);
            else
                diag_help(c->d, "declare it first: state %s = ...", d->name);
        }
        sema_expr(c, d->value);
        return;
    }
    if (m->ode[s->index]) {
        diag_error(c->d, d->loc, "two ODEs for state '%s'", d->name);
        diag_note(c->d, m->ode[s->index]->loc, "the first one is here");
        return;
    }
    m->ode[s->index] = d;
    if (d->event && !m->is_synapse)
        diag_error(c->d, d->loc, "'(event)' is only allowed in a synapse type");
    Dim want = dim_div(s->dim, dim_base(DIM_TIME));
    const char *unit = arena_printf(c->a, "%s/ms", s->unit.text && strcmp(s->unit.text, "1") != 0
                                                       ? s->unit.text : "1");
    bool saw = c->saw_noise;
    c->saw_noise = false;
    sema_expect_dim(c, d->value, want, unit, arena_printf(c->a, "the right-hand side of d%s/dt", d->name));
    if (c->saw_noise)
        m->uses_noise = true;
    c->saw_noise = saw;
}

static void check_stmts(SemaCtx *c, SemaModel *m, AstStmt *s);

/* An assigned pre.X / post.X: a state of every model on its side (in a connect), never
 * an index or a size. Checks the target; false after an error. */
static bool field_target_ok(SemaCtx *c, AstExpr *target)
{
    sema_expr(c, target);
    const char *field = target->u.field.name;
    if (!target->sym && !target->dim_free && (strcmp(field, "i") == 0 || strcmp(field, "N") == 0)) {
        diag_error(c->d, target->loc, "'%s.%s' (the %s) cannot be assigned", target->u.field.object->u.name.name,
                   field, field[0] == 'i' ? "neuron's index" : "population's size");
        return false;
    }
    const SemaPop *pop;
    AstSym *wrong = sema_field_not_kind(c, target, SYM_STATE, &pop);
    if (!wrong)
        return true;
    if (pop)
        diag_error(c->d, target->loc, "'%s' is a %s of model '%s' (population '%s'); only states can be assigned",
                   wrong->name, sema_kind_word(wrong->kind), pop->model->item->name, pop->name);
    else
        diag_error(c->d, target->loc, "'%s' is a %s; only states can be assigned", wrong->name,
                   sema_kind_word(wrong->kind));
    return false;
}

static void check_assign(SemaCtx *c, SemaModel *m, AstStmt *st)
{
    AstExpr *target = st->u.assign.target;
    AstSym *s = NULL;
    if (target->kind == AST_NAME) {
        s = symtab_get(m->scope, target->u.name.name);
        if (!s && c->in_synapse && strcmp(target->u.name.name, "w") == 0) {
            sema_expr(c, target);
            s = target->sym;
        } else if (!s) {
            sema_expr(c, target);   /* reports the unknown name */
            sema_expr(c, st->u.assign.value);
            return;
        } else {
            target->sym = s;
            target->dim = s->dim;
        }
        if (s && s->kind != SYM_STATE && !(c->in_synapse && strcmp(s->name, "w") == 0)) {
            diag_error(c->d, target->loc, "'%s' is a %s; only states can be assigned in %s", s->name,
                       sema_kind_word(s->kind), c->where == WHERE_RESET ? "reset" : "an event");
            diag_note(c->d, s->loc, "'%s' is declared here", s->name);
            sema_expr(c, st->u.assign.value);
            return;
        }
    } else if (!field_target_ok(c, target)) {
        sema_expr(c, st->u.assign.value);
        return;
    } else {
        s = target->sym;
    }
    AstAssignOp op = st->u.assign.op;
    const char *what = arena_printf(c->a, "the value assigned to '%s'", s ? s->name : "?");
    if (op == ASSIGN_MUL || op == ASSIGN_DIV) {
        sema_expect_dim(c, st->u.assign.value, dim_none(), "1", "a factor in '*=' or '/='");
    } else if (target->dim_free) {
        sema_expr(c, st->u.assign.value);
    } else {
        sema_expect_dim(c, st->u.assign.value, target->dim, s ? s->unit.text : NULL, what);
    }
}

static void check_stmts(SemaCtx *c, SemaModel *m, AstStmt *s)
{
    for (; s; s = s->next) {
        if (s->kind == STMT_ASSIGN) {
            check_assign(c, m, s);
        } else {
            sema_expr(c, s->u.branch.cond);
            if (!s->u.branch.cond->dim_free && !dim_is_none(s->u.branch.cond->dim))
                diag_error(c->d, s->u.branch.cond->loc, "a condition must be dimensionless, but this is in %s",
                           sema_expr_unit(c, s->u.branch.cond));
            check_stmts(c, m, s->u.branch.then);
            check_stmts(c, m, s->u.branch.els);
        }
    }
}

void sema_check_event_body(SemaCtx *c, SemaModel *m, AstStmt *body, ExprWhere where)
{
    c->where = where;
    check_stmts(c, m, body);
}

static void check_threshold(SemaCtx *c, AstDecl *d)
{
    c->where = WHERE_THRESHOLD;
    sema_expr(c, d->value);
    if (!d->value->is_bool)
        diag_error(c->d, d->value->loc, "threshold must be a condition, such as 'v > v_th'");
}

static void check_refractory(SemaCtx *c, SemaModel *m, AstDecl *d)
{
    c->where = WHERE_REFRACTORY;
    int before = c->d->nerrors;
    sema_expect_dim(c, d->value, dim_base(DIM_TIME), "ms", "a refractory period");
    double v;
    if (c->d->nerrors == before && !d->value->dim_error && sema_const_eval(d->value, &v) && v < 0) {
        DisplayUnit u = sema_expr_display(c, d->value);
        diag_error(c->d, d->value->loc, "a refractory period must not be negative, got %g %s", v / u.scale,
                   u.text);
    }
    for (AstName *h = d->hold; h; h = h->next) {
        AstSym *s = symtab_get(m->scope, h->name);
        if (!s) {
            diag_error(c->d, h->loc, "'%s' in 'hold' is not declared", h->name);
            const char *near = sema_suggest_member(m, h->name);
            if (near)
                diag_help(c->d, "did you mean '%s'?", near);
        } else if (s->kind != SYM_STATE) {
            diag_error(c->d, h->loc, "'%s' in 'hold' is not a state (it is a %s)", h->name, sema_kind_word(s->kind));
        }
    }
}

static void check_method(SemaCtx *c, AstDecl *d)
{
    IrMethod m;
    if (builtin_method_parse(d->name, &m))
        return;
    diag_error(c->d, d->name_loc, "unknown integration method '%s'", d->name);
    const char *near = NULL;
    int best = 3;
    for (int k = METHOD_NONE + 1; k < METHOD_COUNT; k++) {
        int dist = nrn_edit_distance(d->name, builtin_method_name((IrMethod)k));
        if (dist < best) {
            best = dist;
            near = builtin_method_name((IrMethod)k);
        }
    }
    if (near)
        diag_help(c->d, "did you mean '%s'?", near);
    else
        diag_help(c->d, "methods: %s", builtin_method_list());
}

/* At most one of each singular declaration. */
static bool single(SemaCtx *c, AstDecl **slot, AstDecl *d, const char *what)
{
    if (*slot) {
        diag_error(c->d, d->loc, "a model has at most one %s", what);
        diag_note(c->d, (*slot)->loc, "the first %s is here", what);
        return false;
    }
    *slot = d;
    return true;
}

static void check_neuron_only(SemaCtx *c, SemaModel *m, AstDecl *d, const char *what)
{
    if (m->is_synapse)
        diag_error(c->d, d->loc, "'%s' is only allowed in a neuron, not in synapse '%s'", what, m->item->name);
}

static void declare_members(SemaCtx *c, SemaModel *m)
{
    for (AstDecl *d = m->item->u.model.decls; d; d = d->next) {
        switch (d->kind) {
        case DECL_PARAM: declare(c, m, d, SYM_PARAM, &m->params); break;
        case DECL_STATE: declare(c, m, d, SYM_STATE, &m->states); break;
        case DECL_LET: declare(c, m, d, SYM_LET, &m->lets); break;
        case DECL_INPUT: declare(c, m, d, SYM_INPUT, &m->inputs); break;
        default: break;
        }
    }
}

static void check_values(SemaCtx *c, SemaModel *m)
{
    for (int k = 0; k < m->params.len; k++)
        check_valued(c, m->params.items[k], WHERE_PARAM);
    for (int k = 0; k < m->states.len; k++)
        check_valued(c, m->states.items[k], WHERE_STATE_INIT);
    for (int k = 0; k < m->inputs.len; k++)
        check_valued(c, m->inputs.items[k], WHERE_LET);
}

static void check_lets(SemaCtx *c, SemaModel *m)
{
    for (int k = 0; k < m->lets.len; k++)
        sema_infer_let(c, m->lets.items[k]);
}

/* The display unit of a node in e whose dimension is d (what the user wrote), or NULL. */
static const char *unit_of_dim(SemaCtx *c, const AstExpr *e, Dim d)
{
    if (!e)
        return NULL;
    if ((e->kind == AST_NAME || (e->kind == AST_NUM && e->u.num.unit)) && !e->dim_free && dim_eq(e->dim, d))
        return sema_expr_display(c, e).text;
    const AstExpr *kids[3] = {NULL, NULL, NULL};
    switch (e->kind) {
    case AST_UNARY: kids[0] = e->u.unary.operand; break;
    case AST_BINARY: kids[0] = e->u.binary.lhs; kids[1] = e->u.binary.rhs; break;
    case AST_COND: kids[0] = e->u.cond.cond; kids[1] = e->u.cond.then; kids[2] = e->u.cond.els; break;
    case AST_CALL: kids[0] = e->u.call.args; break;
    default: break;
    }
    for (int k = 0; k < 3; k++) {
        const char *u = unit_of_dim(c, kids[k], d);
        if (u)
            return u;
    }
    return e->kind == AST_CALL && e->u.call.args ? unit_of_dim(c, e->u.call.args->next, d) : NULL;
}

/* A state written `state X = 0` takes the dimension its ODE needs (LANGUAGE.md §2: a bare
 * 0 adapts to its context): the right-hand side is checked once with X adapting, and X
 * gets that dimension times time. Errors of this trial are not reported; the real check
 * of the ODE comes after. */
static void infer_zero_states(SemaCtx *c, SemaModel *m)
{
    for (int k = 0; k < m->states.len; k++) {
        AstSym *s = m->states.items[k];
        AstDecl *ode = NULL;
        for (AstDecl *d = m->item->u.model.decls; d; d = d->next)
            if (d->kind == DECL_ODE && strcmp(d->name, s->name) == 0 && !ode)
                ode = d;
        if (!s->adapts || !ode)
            continue;
        Diags quiet;
        diag_init(&quiet, c->a);
        quiet.files = c->d->files;
        quiet.nfiles = c->d->nfiles;
        SemaCtx trial = *c;
        trial.d = &quiet;
        trial.where = WHERE_ODE;
        long inlined = c->prog->inlined_calls;   /* the trial's calls do not count */
        sema_expr(&trial, ode->value);
        c->prog->inlined_calls = inlined;
        if (!ode->value->dim_free && !ode->value->dim_error) {
            s->dim = dim_mul(ode->value->dim, dim_base(DIM_TIME));
            const char *u = unit_of_dim(c, ode->value, s->dim);
            UnitInfo info;
            if (u && unit_parse_term(u, &info, NULL, 0))
                s->unit = (DisplayUnit){u, info.scale};
            else
                s->unit = (DisplayUnit){sema_unit_text(c->a, s->dim, (DisplayUnit){NULL, 1}), 1.0};
        }
        quiet.files = NULL;
        diag_fini(&quiet);
        /* lets met in the trial are inferred again, for real, later */
        for (int j = 0; j < m->lets.len; j++) {
            AstSym *let = m->lets.items[j];
            let->visit = 0;
            let->poisoned = false;
            let->adapts = false;
        }
    }
    for (int k = 0; k < m->states.len; k++)
        ((AstSym *)m->states.items[k])->adapts = false;
}

static void check_dynamics(SemaCtx *c, SemaModel *m)
{
    for (AstDecl *d = m->item->u.model.decls; d; d = d->next) {
        switch (d->kind) {
        case DECL_ODE: check_ode(c, m, d); break;
        case DECL_THRESHOLD:
            check_neuron_only(c, m, d, "threshold");
            if (single(c, &m->threshold, d, "threshold"))
                check_threshold(c, d);
            break;
        case DECL_RESET:
            check_neuron_only(c, m, d, "reset");
            if (single(c, &m->reset, d, "reset"))
                sema_check_event_body(c, m, d->body, WHERE_RESET);
            break;
        case DECL_REFRACTORY:
            check_neuron_only(c, m, d, "refractory");
            if (single(c, &m->refractory, d, "refractory period"))
                check_refractory(c, m, d);
            break;
        case DECL_METHOD:
            if (single(c, &m->method, d, "method"))
                check_method(c, d);
            break;
        case DECL_ON_PRE: case DECL_ON_POST:
            if (!m->is_synapse)
                diag_error(c->d, d->loc, "'%s' is only allowed in a synapse type or a connect block",
                           d->kind == DECL_ON_PRE ? "on_pre" : "on_post");
            else
                sema_check_event_body(c, m, d->body, WHERE_EVENT);
            break;
        default:
            break;
        }
    }
}

void sema_check_model(SemaProgram *prog, Diags *d, SemaModel *m);
void sema_check_model(SemaProgram *prog, Diags *d, SemaModel *m)
{
    SemaCtx c = {.prog = prog, .d = d, .a = prog->arena, .model = m};
    c.in_synapse = m->is_synapse;
    m->scope = symtab_new(prog->arena);
    declare_members(&c, m);
    m->ode = ARENA_ARRAY(prog->arena, AstDecl *, m->states.len + 1);
    check_values(&c, m);
    infer_zero_states(&c, m);
    check_lets(&c, m);
    check_dynamics(&c, m);
}
