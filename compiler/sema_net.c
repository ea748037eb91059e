/* Checking of networks (LANGUAGE.md §6): network params, populations and their
 * overrides, connections, record statements. Sizes, slices and sampling periods are
 * constants, evaluated here. */
#include <math.h>
#include <string.h>

#include "sema_expr.h"
#include "util.h"

void sema_check_event_body(SemaCtx *c, SemaModel *m, AstStmt *body, ExprWhere where);

static AstSym *new_sym(SemaCtx *c, SymKind kind, const char *name, NrnLoc loc)
{
    AstSym *s = ARENA_NEW(c->a, AstSym);
    s->kind = kind;
    s->name = name;
    s->loc = loc;
    return s;
}

static void declare(SemaCtx *c, SemaNetwork *n, AstSym *s)
{
    if (sema_builtin_name_check(s->name)) {
        diag_error(c->d, s->loc, "'%s' is a built-in name and cannot be declared", s->name);
        return;
    }
    if (!symtab_put(c->a, n->scope, s)) {
        diag_error(c->d, s->loc, "'%s' is already declared in network '%s'", s->name, n->name);
        diag_note(c->d, symtab_get(n->scope, s->name)->loc, "the first declaration is here");
    }
}

static void check_param(SemaCtx *c, SemaNetwork *n, AstNetItem *it)
{
    int before = c->d->nerrors;
    AstSym *s = new_sym(c, SYM_NET_PARAM, it->u.param.name, it->u.param.name_loc);
    c->where = WHERE_NETWORK;
    UnitInfo ann;
    if (it->u.param.unit && sema_unit(c, it->u.param.unit, &ann))
        sema_expect_dim(c, it->u.param.value, ann.dim, it->u.param.unit->text,
                        arena_printf(c->a, "the value of '%s'", s->name));
    else
        sema_expr(c, it->u.param.value);
    s->dim = it->u.param.value->dim_free ? dim_none() : it->u.param.value->dim;
    s->unit = sema_expr_display(c, it->u.param.value);
    if (it->u.param.value->dim_error || c->d->nerrors != before) {
        s->poisoned = true;
    } else if (!sema_const_eval(it->u.param.value, &s->value)) {
        diag_error(c->d, it->u.param.value->loc, "a network param must be a constant");
        s->poisoned = true;
    }
    declare(c, n, s);
    ptrvec_push(c->a, &n->params, s);
}

static bool const_int(SemaCtx *c, AstExpr *e, const char *what, int64_t *out)
{
    double v;
    int before = c->d->nerrors;
    c->where = WHERE_NETWORK;
    sema_expr(c, e);
    if (c->d->nerrors != before || e->dim_error)
        return false;
    if (!e->dim_free && !dim_is_none(e->dim)) {
        diag_error(c->d, e->loc, "%s must be dimensionless, but this is in %s", what, sema_expr_unit(c, e));
        return false;
    }
    if (!sema_const_eval(e, &v)) {
        diag_error(c->d, e->loc, "%s must be a constant", what);
        return false;
    }
    if (v != floor(v) || fabs(v) > 1e15) {
        diag_error(c->d, e->loc, "%s must be an integer, got %g", what, v);
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static SemaModel *find_model(SemaCtx *c, const char *name, NrnLoc loc, bool synapse)
{
    AstSym *s = symtab_get(c->prog->globals, name);
    if (s && s->kind == SYM_MODEL && ((SemaModel *)s->sema)->is_synapse == synapse)
        return s->sema;
    if (s && s->kind == SYM_MODEL)
        diag_error(c->d, loc, "'%s' is a %s type, not a %s", name, synapse ? "neuron" : "synapse",
                   synapse ? "synapse type" : "neuron model");
    else
        diag_error(c->d, loc, "unknown %s '%s'", synapse ? "synapse type" : "neuron model", name);
    int best = 3;
    const char *near = NULL;
    for (int k = 0; k < symtab_count(c->prog->globals); k++) {
        AstSym *g = symtab_at(c->prog->globals, k);
        int dist = nrn_edit_distance(name, g->name);
        if (g->kind == SYM_MODEL && dist < best) {
            best = dist;
            near = g->name;
        }
    }
    if (near)
        diag_help(c->d, "did you mean '%s'?", near);
    else if (!s && synapse)
        diag_help(c->d, "define it with 'synapse %s { ... }' in this file, or import the file that does", name);
    else if (!s)
        diag_help(c->d, "define it in this file or import it (e.g. import lif)");
    return NULL;
}

/* The member of a population's model that an override names: a param or a state. */
static int override_slot(SemaCtx *c, SemaPop *p, const char *name, NrnLoc loc)
{
    AstSym *s = sema_model_member(p->model, name);
    if (!s) {
        diag_error(c->d, loc, "'%s' is not a param or state of '%s'", name, p->model->item->name);
        const char *near = sema_suggest_member(p->model, name);
        if (near)
            diag_help(c->d, "did you mean '%s'?", near);
        return -1;
    }
    if (s->kind == SYM_PARAM)
        return s->index;
    if (s->kind == SYM_STATE)
        return p->model->params.len + s->index;
    diag_error(c->d, loc, "'%s' is a %s of '%s'; only params and states can be given values", name,
               s->kind == SYM_LET ? "let" : "input", p->model->item->name);
    return -1;
}

static void check_override_value(SemaCtx *c, SemaPop *p, int slot, AstExpr *value)
{
    SemaModel *m = p->model;
    AstSym *s = slot < m->params.len ? m->params.items[slot] : m->states.items[slot - m->params.len];
    c->model = m;
    c->where = slot < m->params.len ? WHERE_PARAM : WHERE_STATE_INIT;
    c->current = s;
    sema_expect_dim(c, value, s->dim, s->unit.text, arena_printf(c->a, "the value of '%s'", s->name));
    c->current = NULL;
    c->model = NULL;
}

/* The built-in spike_source: one list of times per neuron, or a CSV file. */
static void check_source(SemaCtx *c, SemaPop *p, AstNetItem *it)
{
    SemaModel *m = ARENA_NEW(c->a, SemaModel);
    AstItem *stand_in = ARENA_NEW(c->a, AstItem);
    stand_in->name = "spike_source";
    m->item = stand_in;
    m->scope = symtab_new(c->a);
    m->ode = ARENA_ARRAY(c->a, AstDecl *, 1);
    p->model = m;
    p->is_source = true;
    for (AstArg *a = it->u.population.args; a; a = a->next) {
        if (strcmp(a->name, "times") == 0 && a->value->kind == AST_LIST && !p->source_times && !p->source_file) {
            p->source_times = a->value;
            p->source_loc = a->loc;
        } else if (strcmp(a->name, "file") == 0 && a->value->kind == AST_STRING && !p->source_times &&
                   !p->source_file) {
            p->source_file = a->value->u.str.text;
            p->source_loc = a->value->loc;
        } else {
            diag_error(c->d, a->loc, "spike_source takes either times = [[t, ...], ...] (one list per neuron) or "
                       "file = \"spikes.csv\" (header neuron,t_ms)");
            return;
        }
    }
    if (!p->source_times && !p->source_file) {
        diag_error(c->d, it->u.population.model_loc, "spike_source needs its spikes: times = [[t, ...], ...] or "
                   "file = \"spikes.csv\"");
        return;
    }
    if (!p->source_times)
        return;
    int64_t lists = 0;
    for (AstExpr *row = p->source_times->u.list.items; row; row = row->next, lists++) {
        if (row->kind != AST_LIST) {
            diag_error(c->d, row->loc, "times is a list of lists, one per neuron: [[10 ms, 25 ms], [12 ms]]");
            return;
        }
        for (AstExpr *t = row->u.list.items; t; t = t->next) {
            c->where = WHERE_NETWORK;
            sema_expect_dim(c, t, dim_base(DIM_TIME), "ms", "a spike time");
            double v;
            if (!t->dim_error && !sema_const_eval(t, &v))
                diag_error(c->d, t->loc, "a spike time must be a constant");
        }
    }
    if (lists != p->size)
        diag_error(c->d, p->source_times->loc, "times has %lld lists but the population has %lld neurons (one "
                   "list per neuron; an empty [] for a silent one)", (long long)lists, (long long)p->size);
}

static void check_population(SemaCtx *c, SemaNetwork *n, AstNetItem *it)
{
    SemaPop *p = ARENA_NEW(c->a, SemaPop);
    p->item = it;
    p->name = it->u.population.name;
    p->sym = new_sym(c, SYM_POP, p->name, it->u.population.name_loc);
    p->sym->net_item = it;
    declare(c, n, p->sym);
    int64_t size = 0;
    if (const_int(c, it->u.population.size, "a population size", &size) && size <= 0)
        diag_error(c->d, it->u.population.size->loc, "a population size must be a positive integer, got %lld",
                   (long long)size);
    p->size = size > 0 ? size : 1;
    AstSym *user = symtab_get(c->prog->globals, it->u.population.model);
    if (strcmp(it->u.population.model, "spike_source") == 0 && !user) {
        check_source(c, p, it);
        ptrvec_push(c->a, &n->pops, p);
        return;
    }
    p->model = find_model(c, it->u.population.model, it->u.population.model_loc, false);
    if (!p->model)
        return;
    int nslots = p->model->params.len + p->model->states.len;
    p->arg_value = ARENA_ARRAY(c->a, AstExpr *, nslots + 1);
    p->init_value = ARENA_ARRAY(c->a, AstExpr *, nslots + 1);
    for (AstArg *a = it->u.population.args; a; a = a->next) {
        int slot = override_slot(c, p, a->name, a->loc);
        if (slot < 0)
            continue;
        if (p->arg_value[slot])
            diag_error(c->d, a->loc, "'%s' is given twice", a->name);
        p->arg_value[slot] = a->value;
        check_override_value(c, p, slot, a->value);
    }
    ptrvec_push(c->a, &n->pops, p);
}

static SemaPop *find_pop(SemaCtx *c, SemaNetwork *n, const char *name, NrnLoc loc)
{
    for (int k = 0; k < n->pops.len; k++) {
        SemaPop *p = n->pops.items[k];
        if (strcmp(p->name, name) == 0)
            return p;
    }
    AstSym *s = symtab_get(n->scope, name);
    if (s && s->kind == SYM_POP)
        return NULL;    /* its model was unknown: already reported */
    diag_error(c->d, loc, "unknown population '%s' in network '%s'", name, n->name);
    int best = 3;
    const char *near = NULL;
    for (int k = 0; k < n->pops.len; k++) {
        SemaPop *p = n->pops.items[k];
        int dist = nrn_edit_distance(name, p->name);
        if (dist < best) {
            best = dist;
            near = p->name;
        }
    }
    if (near)
        diag_help(c->d, "did you mean '%s'?", near);
    return NULL;
}

static void check_init(SemaCtx *c, SemaNetwork *n, AstNetItem *it)
{
    SemaPop *p = find_pop(c, n, it->u.init.pop, it->u.init.pop_loc);
    if (!p || !p->model)
        return;
    int slot = override_slot(c, p, it->u.init.name, it->u.init.name_loc);
    if (slot < 0)
        return;
    if (p->init_value[slot]) {
        diag_error(c->d, it->loc, "'%s.%s' is given a value twice", p->name, it->u.init.name);
        return;
    }
    p->init_value[slot] = it->u.init.value;
    check_override_value(c, p, slot, it->u.init.value);
}

/* ---- record ------------------------------------------------------------------------ */

static void check_every(SemaCtx *c, AstExpr *every, double *out)
{
    *out = 0;
    if (!every)
        return;
    c->where = WHERE_NETWORK;
    int before = c->d->nerrors;
    sema_expect_dim(c, every, dim_base(DIM_TIME), "ms", "'every'");
    if (c->d->nerrors != before)
        return;
    if (!sema_const_eval(every, out) || !(*out > 0)) {
        diag_error(c->d, every->loc, "'every' must be a positive constant time");
        return;
    }
    double dt = c->prog->sim_has_dt ? c->prog->sim_dt_s : 1e-4;
    double ratio = *out / dt;
    if (fabs(ratio - round(ratio)) > 1e-9 * fmax(1.0, ratio))
        diag_error(c->d, every->loc, "'every' (%g ms) must be a multiple of dt (%g ms)", *out * 1e3, dt * 1e3);
}

static void check_slice(SemaCtx *c, SemaRecord *r, AstPopRef *ref)
{
    r->lo = 0;
    r->hi = r->pop->size;
    if (!ref->lo)
        return;
    int64_t lo = 0, hi = 0;
    if (!const_int(c, ref->lo, "a slice bound", &lo) || !const_int(c, ref->hi, "a slice bound", &hi))
        return;
    if (lo < 0 || hi > r->pop->size || lo >= hi) {
        diag_error(c->d, ref->loc, "slice [%lld:%lld] is outside population '%s' of size %lld (or empty)",
                   (long long)lo, (long long)hi, r->pop->name, (long long)r->pop->size);
        return;
    }
    r->lo = lo;
    r->hi = hi;
}

/* record VAR of CONN: VAR is the weight w or a variable of the connection's synapse type. */
static void check_connection_record(SemaCtx *c, AstNetItem *it, AstPopRef *ref, AstSym *conn)
{
    const SemaModel *syn = conn->sema;
    if (it->u.record.what != REC_VAR) {
        diag_error(c->d, ref->loc, "'%s' is a connection: record spikes and rates of populations", ref->name);
        return;
    }
    if (ref->lo)
        diag_error(c->d, ref->loc, "a connection's variables are recorded whole, without a slice");
    const char *var = it->u.record.var;
    if (strcmp(var, "w") == 0 || (syn && sema_model_member(syn, var)))
        return;
    if (syn)
        diag_error(c->d, it->u.record.var_loc, "'%s' is not a variable of connection '%s' (synapse type '%s')", var,
                   ref->name, syn->item->name);
    else
        diag_error(c->d, it->u.record.var_loc, "'%s' is not a variable of connection '%s' (it has only the weight w)",
                   var, ref->name);
    const char *near = syn ? sema_suggest_member(syn, var) : NULL;
    if (near)
        diag_help(c->d, "did you mean '%s'?", near);
}

static void check_record(SemaCtx *c, SemaNetwork *n, AstNetItem *it)
{
    double every = 0;
    check_every(c, it->u.record.every, &every);
    for (AstPopRef *ref = it->u.record.pops; ref; ref = ref->next) {
        AstSym *named = symtab_get(n->scope, ref->name);
        if (named && named->net_item && named->net_item->kind == NET_CONNECT) {
            check_connection_record(c, it, ref, named);
            continue;
        }
        SemaPop *p = find_pop(c, n, ref->name, ref->loc);
        if (!p || !p->model)
            continue;
        SemaRecord *r = ARENA_NEW(c->a, SemaRecord);
        r->item = it;
        r->what = it->u.record.what;
        r->pop = p;
        r->every_s = every;
        if (r->what == REC_VAR) {
            r->var = sema_model_member(p->model, it->u.record.var);
            if (!r->var) {
                diag_error(c->d, it->u.record.var_loc, "'%s' is not a variable of '%s' (population '%s')",
                           it->u.record.var, p->model->item->name, p->name);
                const char *near = sema_suggest_member(p->model, it->u.record.var);
                if (near)
                    diag_help(c->d, "did you mean '%s'?", near);
                continue;
            }
        }
        if (r->what == REC_SPIKES && ref->lo)
            diag_error(c->d, ref->loc, "record spikes takes whole populations, without a slice");
        check_slice(c, r, ref);
        ptrvec_push(c->a, &n->records, r);
    }
}

/* ---- connect ----------------------------------------------------------------------- */

static SemaModel *first_model(SemaCtx *c, SemaNetwork *n, AstPopRef *refs, int64_t *total)
{
    SemaModel *m = NULL;
    *total = 0;
    for (AstPopRef *r = refs; r; r = r->next) {
        SemaPop *p = find_pop(c, n, r->name, r->loc);
        if (!p)
            continue;
        *total += p->size;
        if (!m)
            m = p->model;
    }
    return m;
}

static void check_rule(SemaCtx *c, AstConnect *cn)
{
    AstExpr *r = cn->rule;
    if (!r)
        return;
    const char *name = r->kind == AST_CALL ? r->u.call.name : r->kind == AST_NAME ? r->u.name.name : "";
    bool plain = r->kind == AST_NAME && (strcmp(name, "all") == 0 || strcmp(name, "one_to_one") == 0);
    bool call = r->kind == AST_CALL && r->u.call.nargs == 1 &&
                (strcmp(name, "prob") == 0 || strcmp(name, "fixed_indegree") == 0 ||
                 strcmp(name, "fixed_outdegree") == 0);
    if (!plain && !call) {
        diag_error(c->d, r->loc, "unknown connection rule");
        diag_help(c->d, "rules: all, one_to_one, prob(p), fixed_indegree(k), fixed_outdegree(k)");
        return;
    }
    c->where = WHERE_NETWORK;
    if (call)
        sema_expect_dim(c, r->u.call.args, dim_none(), "1", arena_printf(c->a, "the argument of %s()", name));
    if (cn->allow_self)
        sema_expect_dim(c, cn->allow_self, dim_none(), "1", "allow_self");
}

static void check_matrix(SemaCtx *c, AstConnect *cn, int64_t rows, int64_t cols)
{
    AstExpr *m = cn->weight;
    UnitInfo u = {1.0, dim_none()};
    if (m->u.list.unit)
        sema_unit(c, m->u.list.unit, &u);
    c->weight_dim = u.dim;
    c->weight_known = true;
    int64_t nrows = 0;
    bool shape_ok = true;
    for (AstExpr *row = m->u.list.items; row; row = row->next, nrows++) {
        if (row->kind != AST_LIST) {
            diag_error(c->d, row->loc, "a weight matrix is a list of rows: [[w00, w01], [w10, w11]]");
            return;
        }
        if (row->u.list.nitems != cols)
            shape_ok = false;
        for (AstExpr *x = row->u.list.items; x; x = x->next) {
            c->where = WHERE_NETWORK;
            sema_expect_dim(c, x, dim_none(), "1", "a weight matrix entry (put the unit after the matrix)");
        }
    }
    if (nrows != rows || !shape_ok)
        diag_error(c->d, m->loc, "weight matrix shape does not match: expected %lld rows (pre-synaptic "
                   "neurons) of %lld columns (post-synaptic neurons)", (long long)rows, (long long)cols);
}

static void check_summed(SemaCtx *c, AstSummed *s)
{
    AstExpr *t = s->target;
    c->where = WHERE_EVENT;
    if (t->kind != AST_FIELD || t->u.field.object->kind != AST_NAME ||
        strcmp(t->u.field.object->u.name.name, "post") != 0) {
        diag_error(c->d, t->loc, "summed needs a post-synaptic input: summed post.X = ...");
        sema_expr(c, s->value);
        return;
    }
    sema_expr(c, t);
    if (t->sym && t->sym->kind != SYM_INPUT) {
        diag_error(c->d, t->loc, "'%s' is not an input of the post-synaptic model", t->u.field.name);
        diag_help(c->d, "declare it in the neuron: input %s", t->u.field.name);
        sema_expr(c, s->value);
        return;
    }
    if (t->dim_free)
        sema_expr(c, s->value);
    else
        sema_expect_dim(c, s->value, t->dim, t->sym ? t->sym->unit.text : NULL, "a summed input");
}

static void check_connect(SemaCtx *c, SemaNetwork *n, AstNetItem *it)
{
    AstConnect *cn = &it->u.connect;
    int64_t rows = 0, cols = 0;
    SemaModel *pre = first_model(c, n, cn->sources, &rows);
    SemaModel *post = first_model(c, n, cn->targets, &cols);
    SemaModel *syn = cn->synapse ? find_model(c, cn->synapse, cn->synapse_loc, true) : NULL;
    if (cn->as_name) {
        AstSym *conn = new_sym(c, SYM_POP, cn->as_name, cn->as_loc);
        conn->net_item = it;
        conn->sema = syn;   /* its synapse type, or NULL */
        declare(c, n, conn);
    }
    check_rule(c, cn);
    SemaCtx e = *c;
    e.in_synapse = true;
    e.pre = pre;
    e.post = post;
    e.where = WHERE_EVENT;
    if (cn->weight_kind == WEIGHT_MATRIX) {
        if (cn->rule)
            diag_error(c->d, cn->rule->loc, "a weight matrix gives the connections itself: remove the rule");
        check_matrix(&e, cn, rows, cols);
    } else if (cn->weight_kind == WEIGHT_EXPR) {
        sema_expr(&e, cn->weight);
        e.weight_dim = cn->weight->dim;
        e.weight_known = !cn->weight->dim_free;
    } else {
        e.weight_known = false;
    }
    if (cn->delay)
        sema_expect_dim(&e, cn->delay, dim_base(DIM_TIME), "ms", "a delay");
    /* Bare names in a connect block belong to its synapse type; without one there are
     * none (only pre.X, post.X and w). */
    SemaModel *scope = syn;
    if (!scope) {
        scope = ARENA_NEW(c->a, SemaModel);
        scope->item = n->item;
        scope->scope = symtab_new(c->a);
    }
    e.model = scope;
    if (cn->on_pre)
        sema_check_event_body(&e, scope, cn->on_pre, WHERE_EVENT);
    if (cn->on_post)
        sema_check_event_body(&e, scope, cn->on_post, WHERE_EVENT);
    for (AstSummed *s = cn->summed; s; s = s->next)
        check_summed(&e, s);
}

void sema_check_network(SemaProgram *prog, Diags *d, SemaNetwork *n);
void sema_check_network(SemaProgram *prog, Diags *d, SemaNetwork *n)
{
    SemaCtx c = {.prog = prog, .d = d, .a = prog->arena, .net = n};
    n->scope = symtab_new(prog->arena);
    for (AstNetItem *it = n->item->u.network.items; it; it = it->next) {
        switch (it->kind) {
        case NET_PARAM: check_param(&c, n, it); break;
        case NET_POPULATION: check_population(&c, n, it); break;
        case NET_INIT: check_init(&c, n, it); break;
        case NET_CONNECT: check_connect(&c, n, it); break;
        case NET_RECORD: check_record(&c, n, it); break;
        }
    }
}
