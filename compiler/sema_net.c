/* Checking of networks (LANGUAGE.md §6): network params, populations and their
 * overrides, connections, record statements. Sizes, slices and sampling periods are
 * constants, evaluated here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sema_expr.h"
#include "util.h"

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

/* A constant dimensionless number (literals, network params); false after an error. */
static bool const_number(SemaCtx *c, AstExpr *e, const char *what, double *out)
{
    int before = c->d->nerrors;
    c->where = WHERE_NETWORK;
    sema_expr(c, e);
    if (c->d->nerrors != before || e->dim_error)
        return false;
    if (!e->dim_free && !dim_is_none(e->dim)) {
        diag_error(c->d, e->loc, "%s must be dimensionless, but this is in %s", what, sema_expr_unit(c, e));
        return false;
    }
    if (!sema_const_eval(e, out)) {
        diag_error(c->d, e->loc, "%s must be a constant", what);
        return false;
    }
    return true;
}

static bool const_int(SemaCtx *c, AstExpr *e, const char *what, int64_t *out)
{
    double v;
    if (!const_number(c, e, what, &v))
        return false;
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

/* A param that goes into the exponent of a quantity with a unit fixes that unit: no value
 * but its declared one (LANGUAGE.md §2). True when `value` tries to give it another. */
static bool refuse_unit_exponent(SemaCtx *c, const AstSym *s, const AstExpr *value)
{
    if (s->kind != SYM_PARAM || !s->unit_exponent)
        return false;
    diag_error(c->d, value->loc, "param '%s' cannot be given a value here: it is the exponent of a "
               "quantity with a unit, and that unit cannot change", s->name);
    diag_note(c->d, s->unit_exponent->loc, "'%s' goes into this exponent", s->name);
    diag_help(c->d, "give the exponent a literal value in the model, or make the base dimensionless "
              "(e.g. (v / 1 mV) ^ k)");
    return true;
}

static void check_override_value(SemaCtx *c, SemaPop *p, int slot, AstExpr *value)
{
    SemaModel *m = p->model;
    AstSym *s = slot < m->params.len ? m->params.items[slot] : m->states.items[slot - m->params.len];
    if (refuse_unit_exponent(c, s, value))
        return;
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
    sema_table_check_pop(c->prog, c->d, p);
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
    if (s && s->kind == SYM_CONN) {
        diag_error(c->d, loc, "'%s' is a connection (named with 'as'), not a population", name);
        diag_note(c->d, s->loc, "'%s' is named here", name);
        return NULL;
    }
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

/* POP[a:b:step]: every step-th neuron of [a, b), resolved here into an index array so that
 * the monitor only walks the recorded neurons. */
static void check_stride(SemaCtx *c, SemaRecord *r, AstPopRef *ref)
{
    int64_t lo = 0, hi = 0, step = 0;
    if (!const_int(c, ref->lo, "a slice bound", &lo) || !const_int(c, ref->hi, "a slice bound", &hi) ||
        !const_int(c, ref->step, "a slice step", &step))
        return;
    if (step <= 0) {
        diag_error(c->d, ref->step->loc, "slice step must be positive, got %lld", (long long)step);
        return;
    }
    if (lo < 0 || hi > r->pop->size) {
        diag_error(c->d, ref->loc, "slice [%lld:%lld:%lld] is outside population '%s' of size %lld",
                   (long long)lo, (long long)hi, (long long)step, r->pop->name, (long long)r->pop->size);
        return;
    }
    if (lo >= hi) {
        diag_error(c->d, ref->loc, "slice [%lld:%lld:%lld] selects no neuron", (long long)lo, (long long)hi,
                   (long long)step);
        return;
    }
    if (step == 1) {        /* [a:b:1] is [a:b]: no index array */
        r->lo = lo;
        r->hi = hi;
        return;
    }
    int64_t n = (hi - lo + step - 1) / step;
    int64_t *index = ARENA_ARRAY(c->a, int64_t, n);
    for (int64_t k = 0; k < n; k++)
        index[k] = lo + k * step;
    r->index = index;
    r->nindex = n;
}

typedef struct ListedIndex {
    int64_t value, pos;
} ListedIndex;

static int by_value_then_pos(const void *a, const void *b)
{
    const ListedIndex *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* POP[i, j, ...]: the columns keep the list's order; an index twice is an error, found by
 * sorting a copy (a generated list may be long) and reported in source order. */
static void check_index_list(SemaCtx *c, SemaRecord *r, AstPopRef *ref)
{
    int64_t n = 0;
    for (const AstExpr *e = ref->list; e; e = e->next)
        n++;
    int64_t *index = ARENA_ARRAY(c->a, int64_t, n);
    AstExpr **at = ARENA_ARRAY(c->a, AstExpr *, n);
    ListedIndex *sorted = ARENA_ARRAY(c->a, ListedIndex, n);
    int64_t *first = ARENA_ARRAY(c->a, int64_t, n);   /* position of the same index before, or -1 */
    bool ok = true;
    int64_t k = 0, m = 0;
    for (AstExpr *e = ref->list; e; e = e->next, k++) {
        at[k] = e;
        first[k] = -1;
        if (!const_int(c, e, "a neuron index", &index[k])) {
            ok = false;
        } else if (index[k] < 0 || index[k] >= r->pop->size) {
            diag_error(c->d, e->loc, "neuron index %lld is outside population '%s' of size %lld",
                       (long long)index[k], r->pop->name, (long long)r->pop->size);
            ok = false;
        } else {
            sorted[m++] = (ListedIndex){index[k], k};
        }
    }
    qsort(sorted, (size_t)m, sizeof *sorted, by_value_then_pos);
    for (int64_t j = 1; j < m; j++)
        if (sorted[j].value == sorted[j - 1].value)
            first[sorted[j].pos] = first[sorted[j - 1].pos] >= 0 ? first[sorted[j - 1].pos] : sorted[j - 1].pos;
    for (k = 0; k < n; k++)
        if (first[k] >= 0) {
            diag_error(c->d, at[k]->loc, "neuron %lld is listed twice", (long long)index[k]);
            diag_note(c->d, at[first[k]]->loc, "first listed here");
            ok = false;
        }
    if (ok) {
        r->index = index;
        r->nindex = n;
    }
}

static void check_slice(SemaCtx *c, SemaRecord *r, AstPopRef *ref)
{
    r->lo = 0;
    r->hi = r->pop->size;
    if (ref->list) {
        check_index_list(c, r, ref);
        return;
    }
    if (!ref->lo)
        return;
    if (ref->step) {
        check_stride(c, r, ref);
        return;
    }
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

static SemaConn *conn_of(const SemaNetwork *n, const AstSym *sym)
{
    for (int k = 0; k < n->conns.len; k++)
        if (((SemaConn *)n->conns.items[k])->sym == sym)
            return n->conns.items[k];
    NRN_UNREACHABLE();
}

/* record VAR of CONN: VAR is the weight w or a state of the connection's synapse type.
 * The record has no population: pop is NULL, conn and var_name say what is recorded. */
static void check_connection_record(SemaCtx *c, SemaNetwork *n, AstNetItem *it, AstPopRef *ref, AstSym *named,
                                    double every)
{
    SemaConn *k = conn_of(n, named);
    const SemaModel *syn = k->synapse;
    const char *var = it->u.record.var;
    if (it->u.record.what != REC_VAR) {
        diag_error(c->d, ref->loc, "'%s' is a connection: record spikes and rates of populations", ref->name);
        return;
    }
    if (ref->lo || ref->list) {
        diag_error(c->d, ref->loc, "a connection's variables are recorded whole, without a slice");
        return;
    }
    if (k->rule == CONN_POISSON) {
        diag_error(c->d, ref->loc, "connection '%s' is a Poisson drive: it stores no synapses to record", ref->name);
        return;
    }
    AstSym *member = syn ? sema_model_member(syn, var) : NULL;
    if (member && member->kind != SYM_STATE) {
        diag_error(c->d, it->u.record.var_loc, "'%s' is a %s of synapse type '%s'; a connection records w and the "
                   "states of its synapse type", var, sema_kind_word(member->kind), syn->item->name);
        return;
    }
    if (!member && strcmp(var, "w") != 0) {
        if (k->item->u.connect.synapse && !syn)
            return;   /* its synapse type is unknown: reported */
        if (syn)
            diag_error(c->d, it->u.record.var_loc, "'%s' is not a variable of connection '%s' (synapse type '%s')",
                       var, ref->name, syn->item->name);
        else
            diag_error(c->d, it->u.record.var_loc, "'%s' is not a variable of connection '%s' (it has only the "
                       "weight w)", var, ref->name);
        const char *near = syn ? sema_suggest_member(syn, var) : NULL;
        if (near)
            diag_help(c->d, "did you mean '%s'?", near);
        return;
    }
    SemaRecord *r = ARENA_NEW(c->a, SemaRecord);
    r->item = it;
    r->what = REC_VAR;
    r->conn = k;
    r->var_name = var;
    r->var = member;
    r->every_s = every;
    ptrvec_push(c->a, &n->records, r);
}

static void check_record(SemaCtx *c, SemaNetwork *n, AstNetItem *it)
{
    double every = 0;
    check_every(c, it->u.record.every, &every);
    for (AstPopRef *ref = it->u.record.pops; ref; ref = ref->next) {
        AstSym *named = symtab_get(n->scope, ref->name);
        if (named && named->kind == SYM_CONN) {
            check_connection_record(c, n, it, ref, named, every);
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
        if (r->what == REC_SPIKES && (ref->lo || ref->list))
            diag_error(c->d, ref->loc, "record spikes takes whole populations, without a slice");
        check_slice(c, r, ref);
        ptrvec_push(c->a, &n->records, r);
    }
}

/* ---- connect ----------------------------------------------------------------------- *
 *
 * One SemaConn per connect statement, in order. Parts are checked so that one mistake
 * gives one message: sizes that depend on an unknown population are not compared, the
 * bodies of a connection whose synapse type is unknown do not report its names again,
 * and a member missing from a model is reported once per connect. */

/* The scope of a connect block without a synapse type: no names of its own. */
static SemaModel *empty_scope(SemaCtx *c, const SemaNetwork *n)
{
    SemaModel *m = ARENA_NEW(c->a, SemaModel);
    m->item = n->item;
    m->scope = symtab_new(c->a);
    return m;
}

/* The populations of a connect list, in order; unknown ones are reported and left out,
 * and then *known is cleared (sizes are not compared). */
static void resolve_pops(SemaCtx *c, SemaNetwork *n, AstPopRef *refs, PtrVec *out, int64_t *size, bool *known)
{
    *size = 0;
    for (AstPopRef *r = refs; r; r = r->next) {
        SemaPop *p = find_pop(c, n, r->name, r->loc);
        if (!p) {
            *known = false;
            continue;
        }
        if (r->lo || r->list)
            diag_error(c->d, r->loc, "a connect takes whole populations, without a slice");
        ptrvec_push(c->a, out, p);
        *size += p->size;
    }
}

static bool pop_listed(const PtrVec *pops, const SemaPop *p)
{
    for (int k = 0; k < pops->len; k++)
        if (pops->items[k] == p)
            return true;
    return false;
}

/* With allow_self false, a neuron of a population on both sides cannot reach itself. */
static bool shares_pop(const SemaConn *k)
{
    for (int j = 0; j < k->targets.len; j++)
        if (pop_listed(&k->sources, k->targets.items[j]))
            return true;
    return false;
}

/* allow_self true|false: a constant boolean. */
static void check_allow_self(SemaCtx *c, SemaConn *k)
{
    AstExpr *e = k->item->u.connect.allow_self;
    double v;
    if (!e || !const_number(c, e, "allow_self", &v))
        return;
    if (v != 0 && v != 1) {
        diag_error(c->d, e->loc, "allow_self must be true or false, got %g", v);
        return;
    }
    k->allow_self = v != 0;
}

static const struct {
    const char *name;
    int nargs;
    SemaRule rule;
} rule_table[] = {
    {"all", 0, CONN_ALL},          {"one_to_one", 0, CONN_ONE_TO_ONE}, {"prob", 1, CONN_PROB},
    {"fixed_indegree", 1, CONN_INDEGREE}, {"fixed_outdegree", 1, CONN_OUTDEGREE},
};

/* The rule's name and argument count; -1 after an error. */
static int rule_index(SemaCtx *c, const AstExpr *r)
{
    const char *name = r->kind == AST_CALL ? r->u.call.name : r->kind == AST_NAME ? r->u.name.name : "";
    for (int k = 0; k < (int)(sizeof rule_table / sizeof *rule_table); k++) {
        if (strcmp(name, rule_table[k].name) != 0)
            continue;
        int nargs = r->kind == AST_CALL ? r->u.call.nargs : 0;
        if (rule_table[k].nargs == 0 && r->kind == AST_CALL) {
            diag_error(c->d, r->loc, "rule '%s' takes no arguments", name);
            diag_help(c->d, "write 'rule %s'", name);
            return -1;
        }
        if (rule_table[k].nargs == 1 && nargs != 1) {
            diag_error(c->d, r->loc, "rule %s() takes one argument, but %d %s given", name, nargs,
                       nargs == 1 ? "was" : "were");
            diag_help(c->d, "write 'rule %s(%s)'", name, rule_table[k].rule == CONN_PROB ? "p" : "k");
            return -1;
        }
        return k;
    }
    diag_error(c->d, r->loc, "unknown connection rule");
    diag_help(c->d, "rules: all, one_to_one, prob(p), fixed_indegree(k), fixed_outdegree(k)");
    return -1;
}

/* fixed_indegree(k) / fixed_outdegree(k): a positive integer no larger than the number of
 * neurons on the other side (less the neuron itself when allow_self is false). */
static void check_degree(SemaCtx *c, SemaConn *k, const AstExpr *r, bool sizes_known)
{
    const char *name = r->u.call.name;
    double v;
    if (!const_number(c, r->u.call.args, arena_printf(c->a, "the argument of %s()", name), &v))
        return;
    if (v != floor(v) || v < 1 || v > 1e15) {
        diag_error(c->d, r->u.call.args->loc, "%s(k) needs a positive integer k, got %g", name, v);
        return;
    }
    k->rule_k = (int64_t)v;
    if (!sizes_known)
        return;
    bool in = k->rule == CONN_INDEGREE;
    int64_t avail = in ? k->nsources : k->ntargets;
    bool self = !k->allow_self && shares_pop(k);
    if (self)
        avail--;
    if (k->rule_k <= avail)
        return;
    if (self)
        diag_error(c->d, r->u.call.args->loc, "%s(k) needs k <= %lld (the %s neurons less the neuron itself: "
                   "allow_self is false), got %lld", name, (long long)avail, in ? "source" : "target",
                   (long long)k->rule_k);
    else
        diag_error(c->d, r->u.call.args->loc, "%s(k) needs k <= %lld (the number of %s neurons), got %lld", name,
                   (long long)avail, in ? "source" : "target", (long long)k->rule_k);
}

/* rule all | one_to_one | prob(p) | fixed_indegree(k) | fixed_outdegree(k) [allow_self B] */
static void check_rule(SemaCtx *c, SemaConn *k, bool sizes_known)
{
    check_allow_self(c, k);
    AstExpr *r = k->item->u.connect.rule;
    int idx = r ? rule_index(c, r) : -1;
    if (idx < 0)
        return;
    k->rule = rule_table[idx].rule;
    switch (k->rule) {
    case CONN_ONE_TO_ONE:
        if (sizes_known && k->nsources != k->ntargets)
            diag_error(c->d, r->loc, "one_to_one needs as many source as target neurons, got %lld sources and "
                       "%lld targets", (long long)k->nsources, (long long)k->ntargets);
        break;
    case CONN_PROB: {
        double p;
        if (!const_number(c, r->u.call.args, "the argument of prob()", &p))
            break;
        if (!(p >= 0 && p <= 1))
            diag_error(c->d, r->u.call.args->loc, "prob(p) needs 0 <= p <= 1, got %g", p);
        else
            k->rule_p = p;
        break;
    }
    case CONN_INDEGREE: case CONN_OUTDEGREE:
        check_degree(c, k, r, sizes_known);
        break;
    default:
        break;
    }
}

/* using S(p = v, ...): each name a param of S, given once, in the param's unit; the value
 * is checked like a population's override (per connection: i, random functions). */
static void check_using_args(SemaCtx *c, SemaConn *k)
{
    SemaModel *s = k->synapse;
    const char *sname = k->item->u.connect.synapse;
    k->synapse_args = ARENA_ARRAY(c->a, AstExpr *, s->params.len + 1);
    for (AstArg *a = k->item->u.connect.synapse_args; a; a = a->next) {
        AstSym *m = sema_model_member(s, a->name);
        if (m && m->kind != SYM_PARAM) {
            diag_error(c->d, a->loc, "'%s' is a %s of synapse type '%s'; only its params can be given in "
                       "'using %s(...)'", a->name, sema_kind_word(m->kind), sname, sname);
            if (strcmp(a->name, "w") == 0)
                diag_help(c->d, "the connection's weight sets it: weight EXPR");
            else
                diag_note(c->d, m->loc, "'%s' is declared here", a->name);
            continue;
        }
        if (!m) {
            diag_error(c->d, a->loc, "'%s' is not a param of synapse type '%s'", a->name, sname);
            const char *near = NULL;
            int best = 3;
            for (int j = 0; j < s->params.len; j++) {
                const AstSym *p = s->params.items[j];
                int dist = nrn_edit_distance(a->name, p->name);
                if (dist < best && dist < (int)strlen(a->name)) {
                    best = dist;
                    near = p->name;
                }
            }
            if (near)
                diag_help(c->d, "did you mean '%s'?", near);
            else if (strcmp(a->name, "w") == 0)
                diag_help(c->d, "'w' is the connection's weight: set it with 'weight EXPR'");
            continue;
        }
        if (k->synapse_args[m->index]) {
            diag_error(c->d, a->loc, "'%s' is given twice in 'using %s(...)'", a->name, sname);
            continue;
        }
        k->synapse_args[m->index] = a->value;
        if (refuse_unit_exponent(c, m, a->value))
            continue;
        c->model = s;
        c->where = WHERE_PARAM;
        c->current = m;
        sema_expect_dim(c, a->value, m->dim, m->unit.text, arena_printf(c->a, "the value of '%s'", m->name));
        c->current = NULL;
        c->model = NULL;
    }
}

/* connect poisson(RATE, COUNT): RATE a constant 1/time, COUNT a positive integer, and
 * none of the parts that need stored synapses or pre-synaptic neurons. */
static void check_poisson(SemaCtx *c, SemaConn *k)
{
    AstConnect *cn = &k->item->u.connect;
    k->rule = CONN_POISSON;
    if (cn->rule)
        diag_error(c->d, cn->rule->loc, "connect poisson(...) takes no rule: each target draws its own Poisson count");
    else if (cn->allow_self)
        diag_error(c->d, cn->allow_self->loc, "connect poisson(...) takes no allow_self: it has no pre-synaptic "
                   "neurons");
    if (cn->delay)
        diag_error(c->d, cn->delay->loc, "connect poisson(...) takes no delay: its spikes act at the start of each "
                   "step");
    if (cn->summed)
        diag_error(c->d, cn->summed->loc, "connect poisson(...) takes no summed input: it acts only through on_pre");
    if (cn->on_post)
        diag_error(c->d, cn->on_post_loc, "connect poisson(...) takes no on_post: it stores no synapses");
    if (cn->synapse)
        diag_error(c->d, cn->synapse_loc, "connect poisson(...) takes no synapse type ('using'): it stores no "
                   "synapses");
    if (cn->weight_kind == WEIGHT_MATRIX || cn->weight_kind == WEIGHT_FILE)
        diag_error(c->d, cn->weight_loc, "connect poisson(...) takes a weight expression, not a matrix");
    const char *rate_what = "the rate of connect poisson(RATE, COUNT)";
    int before = c->d->nerrors;
    double v = 0;
    if (cn->poisson_rate) {
        c->where = WHERE_NETWORK;
        sema_expect_dim(c, cn->poisson_rate, dim_div(dim_none(), dim_base(DIM_TIME)), "Hz", rate_what);
        bool ok = c->d->nerrors == before && !cn->poisson_rate->dim_error;
        if (ok && !sema_const_eval(cn->poisson_rate, &v))
            diag_error(c->d, cn->poisson_rate->loc, "%s must be a constant", rate_what);
        else if (ok && (!(v >= 0) || isinf(v)))
            diag_error(c->d, cn->poisson_rate->loc, "%s must not be negative, got %g Hz", rate_what, v);
        else if (ok)
            k->poisson_rate = v;
    }
    const char *count_what = "the count of connect poisson(RATE, COUNT)";
    if (cn->poisson_count && const_number(c, cn->poisson_count, count_what, &v)) {
        if (v != floor(v) || v < 1 || v > 1e15)
            diag_error(c->d, cn->poisson_count->loc, "%s must be a positive integer, got %g", count_what, v);
        else
            k->poisson_count = (int64_t)v;
    }
}

static void check_matrix(SemaCtx *c, SemaConn *k, bool sizes_known)
{
    AstExpr *m = k->item->u.connect.weight;
    UnitInfo u = {1.0, dim_none()};
    c->weight_known = !m->u.list.unit || sema_unit(c, m->u.list.unit, &u);   /* else reported */
    c->weight_dim = u.dim;
    if (m->u.list.unit && c->weight_known)
        c->weight_unit = (DisplayUnit){m->u.list.unit->text, u.scale};
    int64_t nrows = 0, bad_row = -1, bad_len = 0;
    for (AstExpr *row = m->u.list.items; row; row = row->next, nrows++) {
        if (row->kind != AST_LIST) {
            diag_error(c->d, row->loc, "a weight matrix is a list of rows: [[w00, w01], [w10, w11]]");
            return;
        }
        if (row->u.list.nitems != k->ntargets && bad_row < 0) {
            bad_row = nrows;
            bad_len = row->u.list.nitems;
        }
        for (AstExpr *x = row->u.list.items; x; x = x->next) {
            int before = c->d->nerrors;
            double v;
            c->where = WHERE_NETWORK;
            sema_expect_dim(c, x, dim_none(), "1", "a weight matrix entry (put the unit after the matrix)");
            if (c->d->nerrors == before && !x->dim_error && !sema_const_eval(x, &v))
                diag_error(c->d, x->loc, "a weight matrix entry must be a constant");
        }
    }
    if (!sizes_known || (nrows == k->nsources && bad_row < 0))
        return;
    const char *found = nrows != k->nsources
                            ? arena_printf(c->a, "but it has %lld row%s", (long long)nrows, nrows == 1 ? "" : "s")
                            : arena_printf(c->a, "but row %lld has %lld", (long long)bad_row, (long long)bad_len);
    diag_error(c->d, m->loc, "weight matrix shape does not match: expected %lld rows (pre-synaptic "
               "neurons) of %lld columns (post-synaptic neurons), %s", (long long)k->nsources,
               (long long)k->ntargets, found);
}

/* The synapse type's own `state w`, which the weight initialises, or NULL. */
static AstSym *weight_state(const SemaConn *k)
{
    AstSym *w = k->synapse ? sema_model_member(k->synapse, "w") : NULL;
    return w && w->kind == SYM_STATE ? w : NULL;
}

/* weight EXPR | weight [[...]] [unit] | weight file "W": sets the dimension of `w` in the
 * connection's expressions (a weight file's adapts; no weight is 1). */
static void check_weight(SemaCtx *e, SemaConn *k, bool sizes_known)
{
    AstConnect *cn = &k->item->u.connect;
    AstSym *wstate = weight_state(k);
    const char *what = wstate ? arena_printf(e->a, "the weight (the initial value of state 'w' of '%s')", cn->synapse)
                              : "the weight";
    e->where = WHERE_EVENT;
    e->weight_dim = dim_none();
    e->weight_known = true;
    e->weight_unit = (DisplayUnit){NULL, 1.0};
    e->weight_given = cn->weight_kind != WEIGHT_NONE;
    e->weight_loc = cn->weight_kind == WEIGHT_FILE ? cn->weight_loc : cn->weight ? cn->weight->loc : k->item->loc;
    if (cn->weight_kind == WEIGHT_EXPR) {
        if (wstate)
            sema_expect_dim(e, cn->weight, wstate->dim, wstate->unit.text, what);
        else
            sema_expr(e, cn->weight);
        e->weight_dim = cn->weight->dim;
        e->weight_known = !cn->weight->dim_free;
        e->weight_unit = sema_expr_display(e, cn->weight);
        return;
    }
    if (cn->weight_kind == WEIGHT_NONE || k->rule == CONN_POISSON)
        return;
    if (cn->rule)
        diag_error(e->d, cn->rule->loc, "a weight %s gives the connections itself: remove the rule",
                   cn->weight_kind == WEIGHT_FILE ? "file" : "matrix");
    else if (cn->allow_self)
        diag_error(e->d, cn->allow_self->loc, "a weight %s gives the connections itself: remove allow_self",
                   cn->weight_kind == WEIGHT_FILE ? "file" : "matrix");
    k->rule = CONN_MATRIX;
    if (cn->weight_kind == WEIGHT_FILE) {
        /* like a matrix: the entries are numbers in the unit after the path (dimensionless
         * without one), so a file can never be read in the wrong unit */
        UnitInfo u = {1.0, dim_none()};
        if (cn->weight_file_unit && !sema_unit(e, cn->weight_file_unit, &u))
            u.dim = dim_none();
        else if (cn->weight_file_unit)
            e->weight_unit = (DisplayUnit){cn->weight_file_unit->text, u.scale};
        e->weight_dim = u.dim;
        e->weight_known = true;
    } else {
        check_matrix(e, k, sizes_known);
    }
    if (!wstate || !e->weight_known || dim_eq(e->weight_dim, wstate->dim))
        return;
    const char *want = dim_is_none(wstate->dim) ? "be dimensionless"
                                                : arena_printf(e->a, "be in %s", sema_unit_text(e->a, wstate->dim,
                                                                                                wstate->unit));
    const AstUnit *given = cn->weight_kind == WEIGHT_FILE ? cn->weight_file_unit : cn->weight->u.list.unit;
    diag_error(e->d, cn->weight_kind == WEIGHT_FILE ? cn->weight_loc : cn->weight->loc,
               "unit mismatch: %s must %s, but this %s is %s", what, want,
               cn->weight_kind == WEIGHT_FILE ? "file" : "matrix",
               given ? arena_printf(e->a, "in %s", given->text) : "dimensionless");
}

/* delay EXPR: a time; a constant one must not be negative. */
static void check_delay(SemaCtx *e, AstExpr *delay)
{
    int before = e->d->nerrors;
    e->where = WHERE_EVENT;
    sema_expect_dim(e, delay, dim_base(DIM_TIME), "ms", "a delay");
    double v;
    if (e->d->nerrors != before || delay->dim_error || !sema_const_eval(delay, &v) || v >= 0)
        return;
    DisplayUnit u = sema_expr_display(e, delay);
    diag_error(e->d, delay->loc, "a delay must not be negative, got %g %s", v / u.scale, u.text);
}

/* summed post.X = EXPR: X an input of every target model. */
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
    const SemaPop *pop;
    AstSym *wrong = sema_field_not_kind(c, t, SYM_INPUT, &pop);
    if (wrong) {
        if (pop)
            diag_error(c->d, t->loc, "'%s' is not an input of post-synaptic model '%s' (population '%s'): it is a %s",
                       t->u.field.name, pop->model->item->name, pop->name, sema_kind_word(wrong->kind));
        else
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

/* Checks one part of a synapse type (an ODE, a let or an event body) in the context c;
 * returns the number of errors it reported. */
static int check_synapse_part(SemaCtx *c, SemaModel *s, AstDecl *d)
{
    int before = c->d->nerrors;
    AstSym *st = d->kind == DECL_ODE ? sema_model_member(s, d->name) : NULL;
    if (d->kind == DECL_ON_PRE || d->kind == DECL_ON_POST) {
        sema_check_event_body(c, s, d->body, WHERE_EVENT);
    } else if (st && st->kind == SYM_STATE) {
        c->where = WHERE_ODE;
        sema_expect_dim(c, d->value, dim_div(st->dim, dim_base(DIM_TIME)),
                        arena_printf(c->a, "%s/ms", st->unit.text ? st->unit.text : "1"),
                        arena_printf(c->a, "the right-hand side of d%s/dt", d->name));
    } else if (d->kind == DECL_LET) {
        c->where = WHERE_LET;
        sema_expr(c, d->value);
    }
    return c->d->nerrors - before;
}

/* The errors of one part in context c, counted without being reported. */
static int trial_errors(const SemaCtx *c, SemaModel *s, AstDecl *d)
{
    Diags quiet;
    diag_init(&quiet, c->a);
    quiet.files = c->d->files;
    quiet.nfiles = c->d->nfiles;
    PtrVec reported = {0};
    SemaCtx t = *c;
    t.d = &quiet;
    t.reported = &reported;
    long inlined = c->prog->inlined_calls;   /* a trial's calls do not count */
    int n = check_synapse_part(&t, s, d);
    c->prog->inlined_calls = inlined;
    quiet.files = NULL;
    diag_fini(&quiet);
    return n;
}

/* A synapse type was checked on its own, with pre.X and post.X adapting. Here each of
 * its parts is checked again against this connection's populations and weight; what
 * that adds (a member missing from a target model, a unit that does not fit) is reported
 * at the synapse type with a note at the connection. A part with errors of its own was
 * reported once already and is left alone; so is a part reported for an earlier connection. */
static void check_synapse_use(const SemaCtx *e, const SemaConn *k)
{
    SemaModel *s = k->synapse;
    SemaCtx in = *e;
    in.model = s;
    in.net = NULL;
    in.current = NULL;
    SemaCtx alone = in;
    alone.pre_pops = alone.post_pops = NULL;
    alone.no_pre = false;
    alone.weight_known = false;
    PtrVec *done = e->synapse_parts_reported;
    for (AstDecl *d = s->item->u.model.decls; d; d = d->next) {
        bool seen = false;
        for (int j = 0; j < done->len && !seen; j++)
            seen = done->items[j] == d;
        if (seen || trial_errors(&in, s, d) == 0 || trial_errors(&alone, s, d) != 0)
            continue;
        if (check_synapse_part(&in, s, d)) {
            diag_note(in.d, k->item->u.connect.synapse_loc, "in this connection, which uses synapse type '%s'",
                      s->item->name);
            ptrvec_push(e->a, done, d);
        }
    }
}

static void declare_conn(SemaCtx *c, SemaNetwork *n, SemaConn *k)
{
    AstConnect *cn = &k->item->u.connect;
    AstSym *s = new_sym(c, SYM_CONN, cn->as_name, cn->as_loc);
    s->net_item = k->item;
    k->sym = s;
    declare(c, n, s);
}

/* connect SRC, ... -> DST, ... [using S(args)] [as NAME] { parts }
 * connect poisson(RATE, COUNT) -> DST, ... [as NAME] { weight EXPR  on_pre { ... } } */
static void check_connect(SemaCtx *c, SemaNetwork *n, AstNetItem *it)
{
    AstConnect *cn = &it->u.connect;
    SemaConn *k = ARENA_NEW(c->a, SemaConn);
    k->item = it;
    k->name = cn->as_name;
    k->index = n->conns.len;
    k->allow_self = true;
    ptrvec_push(c->a, &n->conns, k);
    bool sizes_known = true;
    if (!cn->is_poisson)
        resolve_pops(c, n, cn->sources, &k->sources, &k->nsources, &sizes_known);
    resolve_pops(c, n, cn->targets, &k->targets, &k->ntargets, &sizes_known);
    if (cn->synapse && !cn->is_poisson)
        k->synapse = find_model(c, cn->synapse, cn->synapse_loc, true);
    if (cn->as_name)
        declare_conn(c, n, k);
    bool matrix = cn->weight_kind == WEIGHT_MATRIX || cn->weight_kind == WEIGHT_FILE;
    if (cn->is_poisson) {
        check_poisson(c, k);
    } else {
        if (k->synapse)
            check_using_args(c, k);
        if (!matrix)   /* a rule beside a matrix is refused as a whole (check_weight) */
            check_rule(c, k, sizes_known);
    }
    PtrVec reported = {0};
    SemaCtx e = *c;
    e.in_synapse = true;
    e.pre_pops = &k->sources;
    e.post_pops = &k->targets;
    e.no_pre = cn->is_poisson;
    e.reported = &reported;
    check_weight(&e, k, sizes_known);
    if (cn->is_poisson) {
        /* the refused parts are not checked further: one message for each */
        if (cn->on_pre)
            sema_check_event_body(&e, empty_scope(c, n), cn->on_pre, WHERE_EVENT);
        return;
    }
    if (cn->delay)
        check_delay(&e, cn->delay);
    /* Bare names in a connect block belong to its synapse type; without one there are
     * none (only pre.X, post.X and w). */
    SemaModel *scope = k->synapse ? k->synapse : empty_scope(c, n);
    e.model = scope;
    e.lenient_names = cn->synapse && !k->synapse;
    if (cn->on_pre)
        sema_check_event_body(&e, scope, cn->on_pre, WHERE_EVENT);
    if (cn->on_post)
        sema_check_event_body(&e, scope, cn->on_post, WHERE_EVENT);
    for (AstSummed *s = cn->summed; s; s = s->next)
        check_summed(&e, s);
    if (k->synapse)
        check_synapse_use(&e, k);
}

void sema_check_network(SemaProgram *prog, Diags *d, SemaNetwork *n);
void sema_check_network(SemaProgram *prog, Diags *d, SemaNetwork *n)
{
    PtrVec parts = {0};
    SemaCtx c = {.prog = prog, .d = d, .a = prog->arena, .net = n, .synapse_parts_reported = &parts};
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
