/* Lowering of connections (LANGUAGE.md §5, §6) to IrConn blocks.
 *
 * A connect statement with S source and T target populations becomes S×T blocks, one per
 * (source, target) pair, so that every name in its code has one meaning: `post.ge` is the
 * target population's state ge, read and written at the synapse's post index. Synapse
 * params are constants of the connection (a `using S(p = v)` value or the declaration),
 * folded into the code; the synapse's `state w`, if any, is the weight itself. The
 * statement's rule is kept whole (its concatenated index space and offsets): the runtime
 * builds each block from the same per-target or per-source random streams, so the blocks
 * together are exactly the statement's connectivity. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "util.h"

typedef struct ConnLower {
    const SemaConn *sc;
    const SemaPop *pre, *post;      /* pre is NULL for poisson */
    IrPop *pre_ip, *post_ip;
    IrConn *ic;
    IrExpr **param_cache;           /* synapse params, folded */
    IrExpr **let_cache;             /* synapse lets */
} ConnLower;

static bool is_w_state(const AstSym *s) { return s->kind == SYM_STATE && strcmp(s->name, "w") == 0; }

/* A leaf of the pre- or post-synaptic neuron's own code, moved to that side. */
static IrExpr *with_side(Arena *a, const IrExpr *e, IrSide side)
{
    if (!e)
        return NULL;
    IrExpr *copy = ARENA_NEW(a, IrExpr);
    *copy = *e;
    if (!e->a && (e->op == IR_STATE || e->op == IR_PARAM || e->op == IR_INPUT || e->op == IR_INDEX))
        copy->side = side;
    copy->a = with_side(a, e->a, side);
    copy->b = with_side(a, e->b, side);
    copy->c = with_side(a, e->c, side);
    return copy;
}

static IrExpr *synapse_param(LowerCtx *c, const AstSym *s)
{
    ConnLower *cl = c->conn;
    if (cl->param_cache[s->index])
        return cl->param_cache[s->index];
    const AstExpr *given = cl->sc->synapse_args ? cl->sc->synapse_args[s->index] : NULL;
    const AstExpr *value = given ? given : s->decl->value;
    IrExpr *v = value ? lower_expr(c, value) : ir_const(c->a, 0);
    if (v->op != IR_CONST) {
        diag_error(c->d, value->loc, "param '%s' of synapse type '%s' must be a constant (it is one value for "
                   "the whole connection)", s->name, cl->sc->synapse->item->name);
        c->failed = true;
        v = ir_const(c->a, 0);
    }
    cl->param_cache[s->index] = v;
    return v;
}

IrExpr *lower_conn_name(LowerCtx *c, const AstExpr *e)
{
    ConnLower *cl = c->conn;
    const AstSym *s = e->sym;
    switch (s->kind) {
    case SYM_WEIGHT:
        return ir_ref(c->a, IR_WEIGHT, SIDE_SYN, 0);
    case SYM_STATE:
        if (is_w_state(s))
            return ir_ref(c->a, IR_WEIGHT, SIDE_SYN, 0);
        return ir_ref(c->a, IR_STATE, SIDE_SYN, s->index);
    case SYM_PARAM:
        return synapse_param(c, s);
    case SYM_LET:
        if (!cl->let_cache[s->index])
            cl->let_cache[s->index] = lower_expr(c, s->decl->value);
        return cl->let_cache[s->index];
    default:
        lower_unsupported(c, e->loc, arena_printf(c->a, "'%s' in connection code", s->name));
        return ir_const(c->a, 0);
    }
}

/* pre.X / post.X: a member of that neuron, resolved by name in this block's population. */
IrExpr *lower_conn_field(LowerCtx *c, const AstExpr *e)
{
    ConnLower *cl = c->conn;
    const char *side_name = e->u.field.object->u.name.name;
    bool is_pre = strcmp(side_name, "pre") == 0;
    IrSide side = is_pre ? SIDE_PRE : SIDE_POST;
    const SemaPop *sp = is_pre ? cl->pre : cl->post;
    const char *name = e->u.field.name;
    if (strcmp(name, "i") == 0)
        return ir_ref(c->a, IR_INDEX, side, 0);
    if (strcmp(name, "N") == 0)
        return ir_const(c->a, (double)(is_pre ? cl->sc->nsources : cl->sc->ntargets));
    const AstSym *s = sp ? sema_model_member(sp->model, name) : NULL;
    if (!s) {
        lower_unsupported(c, e->loc, arena_printf(c->a, "'%s.%s' here", side_name, name));
        return ir_const(c->a, 0);
    }
    switch (s->kind) {
    case SYM_STATE: return ir_ref(c->a, IR_STATE, side, s->index);
    case SYM_PARAM: return ir_ref(c->a, IR_PARAM, side, s->index);
    case SYM_INPUT: return ir_ref(c->a, IR_INPUT, side, s->index);
    case SYM_LET: {
        LowerCtx own = {.a = c->a, .d = c->d, .prog = c->prog, .pop = sp, .model = sp->model,
                        .ip = is_pre ? cl->pre_ip : cl->post_ip, .rand_sites = c->rand_sites};
        own.let_cache = ARENA_ARRAY(c->a, IrExpr *, sp->model->lets.len + 1);
        int nnoise = own.ip->nnoise;
        IrExpr *v = lower_expr(&own, s->decl->value);
        own.ip->nnoise = nnoise;
        if (own.failed || ir_uses(v, IR_NOISE, -1)) {
            lower_unsupported(c, e->loc, arena_printf(c->a, "'%s.%s' (a let with white noise)", side_name, name));
            return ir_const(c->a, 0);
        }
        return with_side(c->a, v, side);
    }
    default:
        lower_unsupported(c, e->loc, arena_printf(c->a, "'%s.%s' here", side_name, name));
        return ir_const(c->a, 0);
    }
}

bool lower_conn_target(LowerCtx *c, const AstExpr *t, IrStmt *out)
{
    ConnLower *cl = c->conn;
    if (t->kind == AST_NAME && t->sym) {
        if (t->sym->kind == SYM_WEIGHT || is_w_state(t->sym)) {
            out->target = IR_WEIGHT;
            out->side = SIDE_SYN;
            cl->ic->weight_per_syn = true;
            return true;
        }
        if (t->sym->kind == SYM_STATE) {
            out->target = IR_STATE;
            out->side = SIDE_SYN;
            out->state = t->sym->index;
            return true;
        }
    } else if (t->kind == AST_FIELD) {
        bool is_pre = strcmp(t->u.field.object->u.name.name, "pre") == 0;
        const SemaPop *sp = is_pre ? cl->pre : cl->post;
        const AstSym *s = sp ? sema_model_member(sp->model, t->u.field.name) : NULL;
        if (s && s->kind == SYM_STATE) {
            out->target = IR_STATE;
            out->side = is_pre ? SIDE_PRE : SIDE_POST;
            out->state = s->index;
            return true;
        }
    }
    lower_unsupported(c, t->loc, "assigning to this target");
    return false;
}

/* ---- one block --------------------------------------------------------------------- */

static int pop_index(const SemaNetwork *n, const SemaPop *p)
{
    for (int k = 0; k < n->pops.len; k++)
        if (n->pops.items[k] == p)
            return k;
    NRN_UNREACHABLE();
}

/* round-half-up(x / dt) as refractory and spike times: a quotient that misses an integer
 * or a half by rounding (0.15 ms / 0.1 ms = 1.4999999999999998) counts as that value */
static int64_t to_steps(double x, double dt)
{
    return (int64_t)floor(x / dt + 0.5 + 1e-9);
}

/* The unit a quantity expression is best shown in: that of a literal or a named value it
 * is built from (through signs and dimensionless factors), else none. */
static const AstUnit *literal_unit(const AstExpr *e, DisplayUnit *named)
{
    switch (e->kind) {
    case AST_NUM: return e->u.num.unit;
    case AST_NAME:
        if (e->sym && e->sym->unit.text && !dim_is_none(e->dim))
            *named = e->sym->unit;
        return NULL;
    case AST_UNARY: return literal_unit(e->u.unary.operand, named);
    case AST_BINARY:
        if (e->u.binary.op == OP_MUL || e->u.binary.op == OP_DIV) {
            if (dim_is_none(e->u.binary.rhs->dim))
                return literal_unit(e->u.binary.lhs, named);
            if (e->u.binary.op == OP_MUL && dim_is_none(e->u.binary.lhs->dim))
                return literal_unit(e->u.binary.rhs, named);
        }
        return NULL;
    default: return NULL;
    }
}

static DisplayUnit weight_display(Arena *a, const AstConnect *cn, const SemaModel *syn)
{
    DisplayUnit u = {"1", 1.0};
    const AstUnit *unit = NULL;
    const AstExpr *w = cn->weight;
    if (cn->weight_kind == WEIGHT_MATRIX)
        unit = w->u.list.unit;
    else if (cn->weight_kind == WEIGHT_FILE)
        unit = cn->weight_file_unit;
    else if (cn->weight_kind == WEIGHT_EXPR) {
        DisplayUnit named = {NULL, 0};
        unit = literal_unit(w, &named);
        if (named.text)
            return named;
        if (!unit && !dim_is_none(cn->weight->dim))
            u.text = sema_unit_text(a, cn->weight->dim, (DisplayUnit){NULL, 1.0});
    } else if (syn) {
        const AstSym *ws = sema_model_member(syn, "w");
        if (ws && ws->unit.text)
            u = ws->unit;
    }
    UnitInfo info;
    if (unit && unit_parse_term(unit->text, &info, NULL, 0)) {
        u.text = unit->text;
        u.scale = info.scale;
    }
    return u;
}

/* The literal matrix's block [pre_offset, +npre) x [post_offset, +npost), in SI. */
static double *matrix_block(Arena *a, const AstConnect *cn, const IrConn *ic, int64_t npre, int64_t npost,
                            double scale)
{
    double *m = ARENA_ARRAY(a, double, npre * npost + 1);
    int64_t r = 0;
    for (const AstExpr *row = cn->weight->u.list.items; row; row = row->next, r++) {
        if (r < ic->pre_offset || r >= ic->pre_offset + npre)
            continue;
        int64_t col = 0;
        for (const AstExpr *x = row->u.list.items; x; x = x->next, col++) {
            if (col < ic->post_offset || col >= ic->post_offset + npost)
                continue;
            double v = 0;
            sema_const_eval(x, &v);
            m[(r - ic->pre_offset) * npost + (col - ic->post_offset)] = v * scale;
        }
    }
    return m;
}

static void lower_weight(LowerCtx *c, const AstConnect *cn, IrConn *ic, int64_t npre, int64_t npost)
{
    const SemaConn *sc = c->conn->sc;
    ic->weight_unit = weight_display(c->a, cn, sc->synapse);
    if (cn->weight_kind == WEIGHT_MATRIX) {
        ic->matrix = matrix_block(c->a, cn, ic, npre, npost, ic->weight_unit.scale);
        ic->weight_per_syn = true;
        return;
    }
    if (cn->weight_kind == WEIGHT_FILE) {
        ic->matrix_file = lower_resolve_path(c->a, c->d, cn->weight_loc, cn->weight_file);
        ic->matrix_scale = ic->weight_unit.scale;
        ic->weight_per_syn = true;
        return;
    }
    if (cn->weight_kind == WEIGHT_EXPR) {
        ic->weight = lower_expr(c, cn->weight);
    } else {
        const AstSym *ws = sc->synapse ? sema_model_member(sc->synapse, "w") : NULL;
        ic->weight = ws && ws->kind == SYM_STATE && ws->decl->value ? lower_expr(c, ws->decl->value)
                                                                    : ir_const(c->a, 1);
    }
    if (ir_uses(ic->weight, IR_WEIGHT, -1)) {
        diag_error(c->d, cn->weight ? cn->weight->loc : ic->loc, "a weight cannot depend on w");
        c->failed = true;
    }
    if (ic->weight->op != IR_CONST)
        ic->weight_per_syn = true;
}

static void lower_delay(LowerCtx *c, const AstConnect *cn, IrConn *ic, double dt)
{
    if (!cn->delay)
        return;
    IrExpr *d = lower_expr(c, cn->delay);
    if (d->op != IR_CONST) {
        ic->hetero_delay = true;
        ic->delay = d;
        return;
    }
    if (d->value < 0 || !isfinite(d->value)) {
        diag_error(c->d, cn->delay->loc, "a delay must not be negative, got %g ms", d->value * 1e3);
        c->failed = true;
        return;
    }
    int64_t steps = to_steps(d->value, dt);
    if (steps > 1000000) {
        diag_error(c->d, cn->delay->loc, "a delay of %g ms is %lld steps: at most 1000000", d->value * 1e3,
                   (long long)steps);
        c->failed = true;
        return;
    }
    ic->delay_steps = steps;
}

static void lower_syn_states(LowerCtx *c, IrConn *ic)
{
    const SemaModel *syn = c->conn->sc->synapse;
    if (!syn)
        return;
    ic->nsyn_states = syn->states.len;
    ic->syn_states = ARENA_ARRAY(c->a, IrSynState, ic->nsyn_states + 1);
    for (int k = 0; k < syn->states.len; k++) {
        const AstSym *s = syn->states.items[k];
        IrSynState *st = &ic->syn_states[k];
        st->name = s->name;
        st->unit = s->unit;
        st->slot = -1;
        if (is_w_state(s))
            continue;
        st->init = s->decl->value ? lower_expr(c, s->decl->value) : ir_const(c->a, 0);
        const AstDecl *ode = syn->ode[k];
        if (!ode)
            continue;
        if (!ode->event) {
            diag_error(c->d, ode->loc, "d%s/dt in synapse type '%s' has no (event) flag: synapse states are "
                       "integrated at events only", s->name, syn->item->name);
            diag_help(c->d, "for a linear decay write: d%s/dt = -%s / tau (event)", s->name, s->name);
            c->failed = true;
            continue;
        }
        IrExpr *f = lower_expr(c, ode->value);
        IrExpr *rate = ir_diff(c->a, f, k);
        IrExpr *rest = ir_zero_states(c->a, f);
        if (!rate || rate->op != IR_CONST || !ir_is_const(rest, 0)) {
            diag_error(c->d, ode->loc, "d%s/dt (event) must be a linear decay dX/dt = -X / tau with a constant tau",
                       s->name);
            c->failed = true;
            continue;
        }
        st->decay = rate;
    }
}

static void lower_summed(LowerCtx *c, const AstConnect *cn, IrConn *ic, IrPop *post_ip)
{
    int n = 0;
    for (const AstSummed *s = cn->summed; s; s = s->next)
        n++;
    ic->summed = ARENA_ARRAY(c->a, IrSummed, n + 1);
    for (const AstSummed *s = cn->summed; s; s = s->next) {
        const AstSym *in = sema_model_member(c->conn->post->model, s->target->u.field.name);
        if (!in || in->kind != SYM_INPUT) {
            lower_unsupported(c, s->target->loc, "this summed target");
            continue;
        }
        IrSummed *out = &ic->summed[ic->nsummed++];
        out->input = in->index;
        out->value = lower_expr(c, s->value);
        post_ip->input_summed[in->index] = true;
    }
}

/* post.X += e (or -=) only, e reading no state, input or random number: running it k
 * times is adding k·e once. */
static bool additive(const IrStmt *s)
{
    for (; s; s = s->next) {
        if (s->is_if || s->side != SIDE_POST || s->target != IR_STATE ||
            (s->op != ASSIGN_ADD && s->op != ASSIGN_SUB))
            return false;
        const IrExpr *v = s->value;
        if (ir_uses(v, IR_STATE, -1) || ir_uses(v, IR_INPUT, -1) || ir_uses(v, IR_RAND, -1) ||
            ir_uses(v, IR_RANDN, -1))
            return false;
    }
    return true;
}

static bool summed_linear_in_w(Arena *a, const IrConn *ic)
{
    for (int k = 0; k < ic->nsummed; k++)
        if (!ir_is_const(ir_replace(a, ic->summed[k].value, IR_WEIGHT, SIDE_SYN, ir_const(a, 0)), 0))
            return false;
    return ic->nsummed > 0;
}

static void assign_slots(IrConn *ic)
{
    ic->last_slot = -1;
    if (ic->weight_per_syn)
        ic->weight_slot = ic->narrays++;
    else
        ic->weight_slot = ic->nscalars++;
    bool events = false;
    for (int k = 0; k < ic->nsyn_states; k++) {
        if (!ic->syn_states[k].init)
            continue;
        ic->syn_states[k].slot = ic->narrays++;
        events |= ic->syn_states[k].decay != NULL;
    }
    if (events)
        ic->last_slot = ic->narrays++;
}

/* The synapse type's on_pre (on_post), then the connect block's: both run, in that order. */
static IrStmt *lower_events(LowerCtx *c, const SemaModel *syn, AstDeclKind kind, const AstStmt *own)
{
    IrStmt *head = NULL, **tail = &head;
    for (const AstDecl *d = syn ? syn->item->u.model.decls : NULL; d; d = d->next)
        if (d->kind == kind) {
            *tail = lower_stmts(c, d->body);
            while (*tail)
                tail = &(*tail)->next;
        }
    if (own)
        *tail = lower_stmts(c, own);
    return head;
}

static bool lower_block(Arena *a, Diags *d, const SemaProgram *prog, const SemaNetwork *n, const SemaConn *sc,
                        IrModule *m, IrConn *ic, int src, int dst, double dt)
{
    const AstConnect *cn = &sc->item->u.connect;
    ConnLower cl = {.sc = sc, .ic = ic};
    cl.post = sc->targets.items[dst];
    cl.pre = sc->rule == CONN_POISSON ? NULL : sc->sources.items[src];
    cl.post_ip = &m->pops[pop_index(n, cl.post)];
    cl.pre_ip = cl.pre ? &m->pops[pop_index(n, cl.pre)] : NULL;
    int nparams = sc->synapse ? sc->synapse->params.len : 0, nlets = sc->synapse ? sc->synapse->lets.len : 0;
    cl.param_cache = ARENA_ARRAY(a, IrExpr *, nparams + 1);
    cl.let_cache = ARENA_ARRAY(a, IrExpr *, nlets + 1);
    LowerCtx c = {.a = a, .d = d, .prog = prog, .conn = &cl, .rand_sites = &ic->nrand};
    c.pop = cl.post;
    c.model = cl.post->model;
    c.ip = cl.post_ip;

    ic->named = sc->name;
    ic->label = sc->name ? sc->name : arena_printf(a, "connect%d", sc->index + 1);
    ic->stmt = sc->index;
    ic->loc = sc->item->loc;
    ic->post = pop_index(n, cl.post);
    ic->pre = cl.pre ? pop_index(n, cl.pre) : -1;
    for (int k = 0; k < dst; k++)
        ic->post_offset += ((const SemaPop *)sc->targets.items[k])->size;
    for (int k = 0; k < src; k++)
        ic->pre_offset += ((const SemaPop *)sc->sources.items[k])->size;
    /* where "itself" sits in the concatenation a neuron draws from: the target population
     * among the sources (fixed_indegree), the source population among the targets
     * (fixed_outdegree) */
    ic->self_offset = -1;
    bool by_source = sc->rule == CONN_OUTDEGREE;
    const PtrVec *drawn = by_source ? &sc->targets : &sc->sources;
    const SemaPop *self_pop = by_source ? cl.pre : cl.post;
    int64_t off = 0;
    for (int k = 0; sc->rule != CONN_POISSON && k < drawn->len; k++) {
        const SemaPop *sp = drawn->items[k];
        if (sp == self_pop && ic->self_offset < 0)
            ic->self_offset = off;
        off += sp->size;
    }
    ic->pre_total = sc->nsources;
    ic->post_total = sc->ntargets;
    ic->rule = sc->rule;
    ic->p = sc->rule_p;
    ic->k = sc->rule == CONN_POISSON ? sc->poisson_count : sc->rule_k;
    ic->allow_self = sc->allow_self;
    ic->poisson_lambda = (double)sc->poisson_count * sc->poisson_rate * dt;
    ic->synapse = sc->synapse ? sc->synapse->item->name : NULL;
    int64_t npre = cl.pre ? cl.pre->size : 0, npost = cl.post->size;
    lower_weight(&c, cn, ic, npre, npost);
    lower_delay(&c, cn, ic, dt);
    lower_syn_states(&c, ic);
    ic->on_pre = lower_events(&c, sc->synapse, DECL_ON_PRE, cn->on_pre);
    ic->on_post = lower_events(&c, sc->synapse, DECL_ON_POST, cn->on_post);
    lower_summed(&c, cn, ic, cl.post_ip);
    ic->pre_additive = additive(ic->on_pre);
    ic->dense = ic->rule == CONN_MATRIX && !ic->on_pre && !ic->on_post && !ic->hetero_delay &&
                ic->nsyn_states == 0 && summed_linear_in_w(a, ic);
    assign_slots(ic);
    return !c.failed;
}

bool lower_conns(Arena *a, Diags *d, const SemaProgram *prog, const SemaNetwork *n, IrModule *m, double dt)
{
    int total = 0;
    for (int k = 0; k < n->conns.len; k++) {
        const SemaConn *sc = n->conns.items[k];
        total += (sc->rule == CONN_POISSON ? 1 : sc->sources.len) * sc->targets.len;
    }
    m->conns = ARENA_ARRAY(a, IrConn, total + 1);
    bool ok = true;
    for (int k = 0; k < n->conns.len; k++) {
        const SemaConn *sc = n->conns.items[k];
        int nsrc = sc->rule == CONN_POISSON ? 1 : sc->sources.len;
        for (int s = 0; s < nsrc; s++)
            for (int t = 0; t < sc->targets.len; t++)
                ok &= lower_block(a, d, prog, n, sc, m, &m->conns[m->nconns++], s, t, dt);
    }
    return ok;
}

/* record VAR of CONN every T */
bool lower_conn_records(Arena *a, Diags *d, const SemaNetwork *n, IrModule *m, double dt)
{
    bool ok = true;
    m->syn_traces = ARENA_ARRAY(a, IrSynTrace, n->records.len + 1);
    for (int k = 0; k < n->records.len; k++) {
        const SemaRecord *r = n->records.items[k];
        if (!r->conn)
            continue;
        IrSynTrace *t = &m->syn_traces[m->nsyn_traces];
        t->first = -1;
        for (int c = 0; c < m->nconns; c++)
            if (m->conns[c].stmt == r->conn->index) {
                if (t->first < 0)
                    t->first = c;
                t->count++;
                m->conns[c].dense = false;   /* recorded synapse by synapse: keep the rows */
            }
        if (t->first < 0)
            continue;
        t->var = r->var_name;
        t->file = arena_printf(a, "weights_%s_%s", m->conns[t->first].label, r->var_name);
        t->every = 1;
        if (r->every_s > 0) {
            double ratio = r->every_s / dt;
            t->every = (int64_t)llround(ratio);
            if (t->every < 1 || fabs(ratio - (double)t->every) > 1e-9 * fmax(1.0, ratio)) {
                diag_error(d, r->item->u.record.every->loc, "'every' (%g ms) must be a multiple of dt (%g ms)",
                           r->every_s * 1e3, dt * 1e3);
                ok = false;
                continue;
            }
        }
        m->nsyn_traces++;
    }
    return ok;
}
