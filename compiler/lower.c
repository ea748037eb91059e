/* Lowering of a checked network to the IR (see ir.h).
 *
 * Per population: each param and state gets its highest-priority value (--set >
 * POP.X = ... > Model[N](X = ...) > declaration, LANGUAGE.md §4), lowered in the
 * population's context (N is a constant, network params are constants); lets are
 * substituted and user functions inlined. A param whose value does not depend on the
 * neuron (no i, no random, no per-neuron param) is stored once for the population: that
 * keeps set-up work such as the exact propagator out of the per-neuron path. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "lower_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { EXPANDED_LIMIT = 200000 };   /* nodes of one expression written out (small_enough) */


static IrOp binary_op(AstOp op)
{
    switch (op) {
    case OP_ADD: return IR_ADD;
    case OP_SUB: return IR_SUB;
    case OP_MUL: return IR_MUL;
    case OP_DIV: return IR_DIV;
    case OP_MOD: return IR_MOD;
    case OP_POW: return IR_POW;
    case OP_LT: return IR_LT;
    case OP_GT: return IR_GT;
    case OP_LE: return IR_LE;
    case OP_GE: return IR_GE;
    case OP_EQ: return IR_EQ;
    case OP_NE: return IR_NE;
    case OP_AND: return IR_AND;
    case OP_OR: return IR_OR;
    default: NRN_UNREACHABLE();
    }
}

void lower_unsupported(LowerCtx *c, NrnLoc loc, const char *what)
{
    diag_error(c->d, loc, "%s is not supported yet by this version of nrnc", what);
    c->failed = true;
}

static IrExpr *lower_name(LowerCtx *c, const AstExpr *e)
{
    const AstSym *s = e->sym;
    if (!s)
        NRN_UNREACHABLE();
    if (c->conn && (s->kind == SYM_STATE || s->kind == SYM_PARAM || s->kind == SYM_WEIGHT || s->kind == SYM_LET ||
                    s->kind == SYM_INDEX || s->kind == SYM_SIZE || s->kind == SYM_INPUT))
        return lower_conn_name(c, e);
    switch (s->kind) {
    case SYM_PARAM: return ir_leaf(c->a, IR_PARAM, s->index);
    case SYM_STATE: return ir_leaf(c->a, IR_STATE, s->index);
    case SYM_LET:
        if (!c->let_cache[s->index])
            c->let_cache[s->index] = lower_expr(c, s->decl->value);
        return c->let_cache[s->index];
    case SYM_INPUT: return ir_leaf(c->a, IR_INPUT, s->index);
    case SYM_NET_PARAM: case SYM_UNIT: case SYM_PI:
        return ir_const(c->a, s->value);
    case SYM_TIME: return ir_leaf(c->a, IR_TIME, 0);
    case SYM_DT: return ir_leaf(c->a, IR_DT, 0);
    case SYM_INDEX:
        if (c->replicated)
            return ir_binary(c->a, IR_MOD, ir_leaf(c->a, IR_INDEX, 0), ir_const(c->a, (double)c->pop->size));
        return ir_leaf(c->a, IR_INDEX, 0);
    case SYM_SIZE: return ir_const(c->a, (double)c->pop->size);
    case SYM_FUNC_ARG: return c->fn_args[s->index];
    case SYM_XI: {
        /* xi_NAME is one process per neuron shared by the ODEs that name it; each plain xi
         * is its own process (LANGUAGE.md §3). */
        bool named = strcmp(s->name, "xi") != 0;
        for (int k = 0; named && k < c->noise_names.len; k++)
            if (c->noise_names.items[k] && strcmp(c->noise_names.items[k], s->name) == 0)
                return ir_leaf(c->a, IR_NOISE, k);
        ptrvec_push(c->a, &c->noise_names, named ? (void *)s->name : NULL);
        c->ip->nnoise = c->noise_names.len;
        return ir_leaf(c->a, IR_NOISE, c->noise_names.len - 1);
    }
    default:
        lower_unsupported(c, e->loc, "this name here");
        return ir_const(c->a, 0);
    }
}

static IrExpr *lower_user_call(LowerCtx *c, const AstItem *fn, IrExpr **args)
{
    IrExpr **saved = c->fn_args;
    c->fn_args = args;
    IrExpr *r = lower_expr(c, fn->u.function.body);
    c->fn_args = saved;
    return r;
}

/* A random call: the next site number of the population or block, so that every call
 * in the source draws from a stream of its own (runtime/rng.c, nrt_random_uniform). */
static IrExpr *random_site(LowerCtx *c, IrOp op)
{
    if (!c->rand_sites)
        NRN_UNREACHABLE();
    return ir_leaf(c->a, op, c->rand_base + (*c->rand_sites)++);
}

/* NAME(t[, i]): one load from the table's samples (cg_expr.c). A column per neuron read
 * with the neuron's own index must have a column for every neuron of the population. */
static IrExpr *lower_table_call(LowerCtx *c, const AstExpr *e, const SemaTable *tb, IrExpr **args)
{
    IrExpr *col = e->u.call.nargs > 1 ? args[1] : NULL;
    if (col && col->op == IR_INDEX && col->side == SIDE_SELF && c->pop && !c->conn &&
        c->pop->size > tb->ncols) {
        diag_error(c->d, e->loc, "column for neuron %" PRId64 " missing: %s has %" PRId64 " neuron column%s",
                   tb->ncols, tb->item->u.table.file ? tb->item->u.table.file : tb->item->name, tb->ncols,
                   tb->ncols == 1 ? "" : "s");
        diag_note(c->d, c->pop->item->loc, "population '%s' has %" PRId64 " neurons", c->pop->name,
                  c->pop->size);
    }
    return ir_table(c->a, tb->index, args[0], col);
}

static IrExpr *lower_call(LowerCtx *c, const AstExpr *e)
{
    IrExpr *args[3] = {NULL, NULL, NULL};
    IrExpr **all = ARENA_ARRAY(c->a, IrExpr *, e->u.call.nargs + 1);
    int k = 0;
    for (const AstExpr *x = e->u.call.args; x; x = x->next, k++) {
        all[k] = lower_expr(c, x);
        if (k < 3)
            args[k] = all[k];
    }
    const char *f = e->u.call.name;
    const AstSym *user = symtab_get(c->prog->globals, f);
    if (user && user->kind == SYM_FUNCTION)
        return lower_user_call(c, user->item, all);
    if (user && user->kind == SYM_TABLE)
        return lower_table_call(c, e, user->sema, args);
    const Builtin *b = builtin_find(f);
    if (b && b->is_fn)
        return ir_call(c->a, b->fn, args[0], args[1]);
    if (strcmp(f, "pow") == 0)
        return ir_binary(c->a, IR_POW, args[0], args[1]);
    if (strcmp(f, "clip") == 0)
        return ir_call(c->a, FN_MIN, ir_call(c->a, FN_MAX, args[0], args[1]), args[2]);
    if (strcmp(f, "rand") == 0)
        return random_site(c, IR_RAND);
    if (strcmp(f, "randn") == 0)
        return random_site(c, IR_RANDN);
    if (strcmp(f, "uniform") == 0)
        return ir_binary(c->a, IR_ADD, args[0],
                         ir_binary(c->a, IR_MUL, ir_binary(c->a, IR_SUB, args[1], args[0]), random_site(c, IR_RAND)));
    if (strcmp(f, "normal") == 0)
        return ir_binary(c->a, IR_ADD, args[0], ir_binary(c->a, IR_MUL, args[1], random_site(c, IR_RANDN)));
    NRN_UNREACHABLE();
}

IrExpr *lower_expr(LowerCtx *c, const AstExpr *e)
{
    switch (e->kind) {
    case AST_NUM:
        return ir_const(c->a, e->si_value);
    case AST_NAME:
        return lower_name(c, e);
    case AST_UNARY: {
        IrExpr *x = lower_expr(c, e->u.unary.operand);
        if (e->u.unary.op == OP_PLUS)
            return x;
        return ir_unary(c->a, e->u.unary.op == OP_NEG ? IR_NEG : IR_NOT, x);
    }
    case AST_BINARY:
        return ir_binary(c->a, binary_op(e->u.binary.op), lower_expr(c, e->u.binary.lhs),
                         lower_expr(c, e->u.binary.rhs));
    case AST_COND:
        return ir_select(c->a, lower_expr(c, e->u.cond.cond), lower_expr(c, e->u.cond.then),
                         lower_expr(c, e->u.cond.els));
    case AST_CALL:
        return lower_call(c, e);
    case AST_FIELD:
        if (c->conn)
            return lower_conn_field(c, e);
        lower_unsupported(c, e->loc, "this expression");
        return ir_const(c->a, 0);
    default:
        lower_unsupported(c, e->loc, "this expression");
        return ir_const(c->a, 0);
    }
}

/* ---- statements -------------------------------------------------------------------- */

IrStmt *lower_stmts(LowerCtx *c, const AstStmt *s)
{
    IrStmt *head = NULL, **tail = &head;
    for (; s; s = s->next) {
        IrStmt *ir = ARENA_NEW(c->a, IrStmt);
        if (s->kind == STMT_IF) {
            ir->is_if = true;
            ir->value = lower_expr(c, s->u.branch.cond);
            ir->then = lower_stmts(c, s->u.branch.then);
            ir->els = lower_stmts(c, s->u.branch.els);
        } else {
            const AstExpr *t = s->u.assign.target;
            ir->target = IR_STATE;
            if (c->conn) {
                if (!lower_conn_target(c, t, ir))
                    continue;
                ir->op = s->u.assign.op;
                ir->value = lower_expr(c, s->u.assign.value);
                *tail = ir;
                tail = &ir->next;
                continue;
            }
            if (t->kind != AST_NAME || !t->sym || t->sym->kind != SYM_STATE) {
                lower_unsupported(c, t->loc, "assigning to this target");
                continue;
            }
            ir->state = t->sym->index;
            ir->op = s->u.assign.op;
            ir->value = lower_expr(c, s->u.assign.value);
        }
        *tail = ir;
        tail = &ir->next;
    }
    return head;
}

/* ---- values of params and states --------------------------------------------------- */

static LowerSet *find_set(LowerOptions *opt, const SemaPop *p, const char *name)
{
    LowerSet *found = NULL;
    for (int k = 0; k < opt->nsets; k++) {
        LowerSet *s = &opt->sets[k];
        if (strcmp(s->name, name) != 0 || (s->pop && strcmp(s->pop, p->name) != 0))
            continue;
        s->used = true;
        if (!found || s->pop || !found->pop)   /* POP.NAME beats NAME; then the last one given */
            found = s;
    }
    return found;
}

static IrExpr *value_for(LowerCtx *c, LowerOptions *opt, const AstSym *s, int slot, const char **origin)
{
    const SemaPop *p = c->pop;
    LowerSet *set = find_set(opt, p, s->name);
    if (set) {
        set->used = true;
        *origin = "--set";
        if (s->kind == SYM_PARAM && s->unit_exponent) {
            diag_error(c->d, nrn_loc_none(), "--set %s: param '%s' cannot be set: it is the exponent of a "
                       "quantity with a unit, and that unit cannot change", set->text, s->name);
            diag_note(c->d, s->unit_exponent->loc, "'%s' goes into this exponent", s->name);
            c->failed = true;
            opt->set_error = true;
            return ir_const(c->a, set->si_value);
        }
        if (!set->dimensionless_literal || !dim_is_none(s->dim) || set->si_value != 0) {
            if (!dim_eq(set->dim, s->dim)) {
                char want[64], have[64];
                diag_error(c->d, nrn_loc_none(), "--set %s: '%s' is in %s but the value '%s' is in %s", set->text,
                           s->name, s->unit.text ? s->unit.text : dim_format(s->dim, want, sizeof want),
                           strchr(set->text, '=') + 1, dim_format(set->dim, have, sizeof have));
                if (set->dimensionless_literal)
                    diag_help(c->d, "give a unit, e.g. --set %s%s%s=%s%s", set->pop ? set->pop : "",
                              set->pop ? "." : "", s->name, strchr(set->text, '=') + 1, s->unit.text);
                c->failed = true;
                opt->set_error = true;
            }
        }
        return ir_const(c->a, set->si_value);
    }
    if (p->init_value && p->init_value[slot]) {
        *origin = "population";
        return lower_expr(c, p->init_value[slot]);
    }
    if (p->arg_value && p->arg_value[slot]) {
        *origin = "population";
        return lower_expr(c, p->arg_value[slot]);
    }
    *origin = "declaration";
    if (!s->decl->value)
        return ir_const(c->a, 0);
    return lower_expr(c, s->decl->value);
}

static bool fitted(const LowerOptions *opt, const char *name)
{
    for (int k = 0; k < opt->nfit_params; k++)
        if (strcmp(opt->fit_params[k], name) == 0)
            return true;
    return false;
}

static void lower_values(LowerCtx *c, LowerOptions *opt, IrPop *ip)
{
    const SemaModel *m = c->model;
    ip->nparams = m->params.len;
    ip->nstates = m->states.len;
    ip->params = ARENA_ARRAY(c->a, IrParam, ip->nparams + 1);
    ip->states = ARENA_ARRAY(c->a, IrState, ip->nstates + 1);
    ip->narrays = ip->nstates;
    for (int k = 0; k < ip->nstates; k++) {
        const AstSym *s = m->states.items[k];
        ip->states[k].name = s->name;
        ip->states[k].slot = k;
        ip->states[k].unit = s->unit;
    }
    for (int k = 0; k < ip->nparams; k++) {
        const AstSym *s = m->params.items[k];
        IrParam *p = &ip->params[k];
        p->name = s->name;
        p->unit = s->unit;
        p->value = value_for(c, opt, s, k, &p->origin);
        p->fixed = s->unit_exponent != NULL;
        p->per_neuron = ir_uses(p->value, IR_INDEX, -1) || ir_uses(p->value, IR_RAND, -1) ||
                        ir_uses(p->value, IR_RANDN, -1) || ir_uses_per_neuron_param(ip, p->value);
        if (c->replicated && fitted(opt, s->name)) {
            p->value = ir_leaf(c->a, IR_PARAM, k);   /* init keeps what drv_fit.c wrote */
            p->per_neuron = true;
            p->origin = "nrnc fit";
        }
        p->slot = p->per_neuron ? ip->narrays++ : ip->nscalars++;
    }
    for (int k = 0; k < ip->nstates; k++) {
        const char *origin;
        ip->states[k].init = value_for(c, opt, m->states.items[k], m->params.len + k, &origin);
    }
    ip->ninputs = m->inputs.len;
    ip->input_names = ARENA_ARRAY(c->a, const char *, ip->ninputs + 1);
    ip->input_slots = ARENA_ARRAY(c->a, int, ip->ninputs + 1);
    ip->input_summed = ARENA_ARRAY(c->a, bool, ip->ninputs + 1);
    ip->input_units = ARENA_ARRAY(c->a, DisplayUnit, ip->ninputs + 1);
    for (int k = 0; k < ip->ninputs; k++) {
        ip->input_names[k] = ((const AstSym *)m->inputs.items[k])->name;
        ip->input_units[k] = ((const AstSym *)m->inputs.items[k])->unit;
        ip->input_slots[k] = ip->narrays++;
    }
}

static void lower_dynamics(LowerCtx *c, IrPop *ip)
{
    const SemaModel *m = c->model;
    for (int k = 0; k < ip->nstates; k++)
        if (m->ode[k])
            ip->states[k].deriv = lower_expr(c, m->ode[k]->value);
    if (m->method) {
        ip->method_requested = m->method->name;
        ip->method_loc = m->method->name_loc;
    }
    if (m->threshold) {
        ip->threshold = lower_expr(c, m->threshold->value);
        ip->upward_crossing = !m->reset && ir_uses(ip->threshold, IR_STATE, -1);
    }
    if (m->reset)
        ip->reset = lower_stmts(c, m->reset->body);
    if (m->refractory) {
        ip->refractory = lower_expr(c, m->refractory->value);
        for (AstName *h = m->refractory->hold; h; h = h->next) {
            const AstSym *s = sema_model_member(m, h->name);
            if (s && s->kind == SYM_STATE)
                ip->states[s->index].held = true;
        }
    }
}

/* A let or input recorded by a trace: an array slot that the observe function fills. */
static int observe_slot(Arena *a, Diags *d, const SemaProgram *prog, const SemaPop *sp, IrPop *ip, const AstSym *var)
{
    for (int k = 0; k < ip->nobserved; k++)
        if (strcmp(ip->observed[k].name, var->name) == 0)
            return ip->observed[k].slot;
    LowerCtx c = {.a = a, .d = d, .prog = prog, .pop = sp, .model = sp->model, .ip = ip, .rand_sites = &ip->nrand};
    c.let_cache = ARENA_ARRAY(a, IrExpr *, sp->model->lets.len + 1);
    IrObserved *grown = ARENA_ARRAY(a, IrObserved, ip->nobserved + 1);
    if (ip->nobserved)
        memcpy(grown, ip->observed, sizeof *grown * (size_t)ip->nobserved);
    ip->observed = grown;
    IrObserved *o = &ip->observed[ip->nobserved++];
    o->name = var->name;
    int nnoise = ip->nnoise;
    o->value = var->kind == SYM_LET ? lower_expr(&c, var->decl->value) : ir_leaf(a, IR_INPUT, var->index);
    ip->nnoise = nnoise;
    if (ir_expanded_size(o->value, EXPANDED_LIMIT) > EXPANDED_LIMIT) {
        diag_error(d, var->loc, "let '%s' expands to more than %d operations and cannot be recorded", var->name,
                   EXPANDED_LIMIT);
        o->value = ir_const(a, 0);
    } else if (ir_uses(o->value, IR_NOISE, -1)) {
        diag_error(d, var->loc, "let '%s' contains white noise and cannot be recorded", var->name);
        o->value = ir_const(a, 0);
    }
    o->slot = ip->narrays++;
    return o->slot;
}

typedef struct SourceSpike {
    int64_t step;
    int32_t neuron;
} SourceSpike;

static int cmp_spike(const void *pa, const void *pb)
{
    const SourceSpike *a = pa, *b = pb;
    if (a->step != b->step)
        return a->step < b->step ? -1 : 1;
    return (a->neuron > b->neuron) - (a->neuron < b->neuron);
}

/* A spike at t is stamped at step round-half-up(t/dt), like delays (LANGUAGE.md §6). */
static bool lower_source_times(Arena *a, Diags *d, const SemaPop *sp, IrPop *ip, double dt)
{
    int64_t total = 0;
    for (const AstExpr *row = sp->source_times->u.list.items; row; row = row->next)
        total += row->u.list.nitems;
    SourceSpike *spikes = ARENA_ARRAY(a, SourceSpike, total + 1);
    int64_t k = 0;
    int32_t neuron = 0;
    bool ok = true;
    for (const AstExpr *row = sp->source_times->u.list.items; row; row = row->next, neuron++) {
        for (const AstExpr *t = row->u.list.items; t; t = t->next) {
            double v = 0;
            sema_const_eval(t, &v);
            double steps = floor(v / dt + 0.5 + 1e-9);
            if (!(steps >= 1) || steps > 9e15) {
                diag_error(d, t->loc, "spike time %g ms is not after the first step (dt = %g ms) or not finite",
                           v * 1e3, dt * 1e3);
                ok = false;
                continue;
            }
            spikes[k++] = (SourceSpike){(int64_t)steps, neuron};
        }
    }
    qsort(spikes, (size_t)k, sizeof *spikes, cmp_spike);
    ip->nsource = k;
    ip->source_steps = ARENA_ARRAY(a, int64_t, k + 1);
    ip->source_neurons = ARENA_ARRAY(a, int32_t, k + 1);
    for (int64_t j = 0; j < k; j++) {
        ip->source_steps[j] = spikes[j].step;
        ip->source_neurons[j] = spikes[j].neuron;
    }
    return ok;
}

static bool lower_source(Arena *a, Diags *d, const SemaPop *sp, IrPop *ip, double dt)
{
    ip->is_source = true;
    ip->method = METHOD_NONE;
    ip->method_reason = "spike source";
    if (sp->source_file) {
        ip->source_file = lower_resolve_path(a, d, sp->item->loc, sp->source_file);
        return true;
    }
    return lower_source_times(a, d, sp, ip, dt);
}

/* A data file's path (spike source, weight file) as an absolute path: relative to the
 * file that names it, like imports, and fixed at compile time, so that a built simulator
 * finds its data from any working directory. */
const char *lower_resolve_path(Arena *a, Diags *d, NrnLoc loc, const char *path)
{
    if (path[0] == '/')
        return path;
    const SourceFile *f = diag_file(d, loc.file);
    const char *slash = f ? strrchr(f->path, '/') : NULL;
    const char *dir = slash ? arena_printf(a, "%.*s", (int)(slash - f->path), f->path) : ".";
    if (slash == f->path)
        dir = "/";
    char *real = realpath(dir, NULL);
    const char *out = arena_printf(a, "%s/%s", real ? real : dir, path);
    free(real);
    return out;
}

/* Lets and functions are substituted, so a chain in which each let uses the previous one
 * twice doubles at every link: bound the written-out size before any pass walks it. */
static bool small_enough(Diags *d, const IrPop *ip, const IrExpr *e, const char *what)
{
    if (!e || ir_expanded_size(e, EXPANDED_LIMIT) <= EXPANDED_LIMIT)
        return true;
    diag_error(d, ip->loc, "population '%s': %s expands to more than %d operations once its lets and "
               "functions are substituted", ip->name, what, EXPANDED_LIMIT);
    diag_help(d, "a let used several times by the next one doubles at each step of the chain; "
              "write the model with fewer nested uses");
    return false;
}

static bool stmts_small_enough(Diags *d, const IrPop *ip, const IrStmt *s)
{
    for (; s; s = s->next)
        if (!small_enough(d, ip, s->value, "the reset") || !stmts_small_enough(d, ip, s->then) ||
            !stmts_small_enough(d, ip, s->els))
            return false;
    return true;
}

static bool pop_small_enough(Diags *d, const IrPop *ip)
{
    bool ok = small_enough(d, ip, ip->threshold, "the threshold") &&
              small_enough(d, ip, ip->refractory, "the refractory period");
    for (int k = 0; ok && k < ip->nstates; k++)
        ok = small_enough(d, ip, ip->states[k].deriv, arena_printf(d->arena, "d%s/dt", ip->states[k].name)) &&
             small_enough(d, ip, ip->states[k].init, arena_printf(d->arena, "the initial value of %s",
                                                                  ip->states[k].name));
    for (int k = 0; ok && k < ip->nparams; k++)
        ok = small_enough(d, ip, ip->params[k].value, arena_printf(d->arena, "param %s", ip->params[k].name));
    return ok && stmts_small_enough(d, ip, ip->reset);
}

/* The value of e when it depends on uniform params and literals only. */
static bool uniform_value(const IrPop *ip, const IrExpr *e, double *out, int depth)
{
    double x, y;
    if (depth > 300)
        return false;
    switch (e->op) {
    case IR_CONST:
        *out = e->value;
        return true;
    case IR_PARAM:
        return !ip->params[e->index].per_neuron && uniform_value(ip, ip->params[e->index].value, out, depth + 1);
    case IR_NEG:
        if (!uniform_value(ip, e->a, &x, depth + 1))
            return false;
        *out = -x;
        return true;
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV:
        if (!uniform_value(ip, e->a, &x, depth + 1) || !uniform_value(ip, e->b, &y, depth + 1))
            return false;
        *out = e->op == IR_ADD ? x + y : e->op == IR_SUB ? x - y : e->op == IR_MUL ? x * y : x / y;
        return true;
    default:
        return false;
    }
}

/* The params that a refractory period grows with (its terms and factors, not what it
 * subtracts or divides by): a built simulator refuses negative --set values for them. */
static void mark_refractory_params(IrPop *ip, const IrExpr *e)
{
    switch (e->op) {
    case IR_PARAM:
        ip->params[e->index].nonneg = true;
        return;
    case IR_ADD: case IR_MUL:
        mark_refractory_params(ip, e->b);
        mark_refractory_params(ip, e->a);
        return;
    case IR_SUB: case IR_DIV:
        mark_refractory_params(ip, e->a);
        return;
    default:
        return;
    }
}

/* A refractory period that the population's values (overrides, --set) make negative.
 * The model's own constant period is checked by sema; what varies per neuron or in
 * time is left to the run (a negative period there counts as none). */
static void check_refractory_value(LowerCtx *c, LowerOptions *opt, IrPop *ip)
{
    const SemaModel *m = c->model;
    double v;
    /* as a built simulator checks --set: a negative value of a param the period grows with */
    for (int k = 0; k < opt->nsets; k++) {
        const LowerSet *set = &opt->sets[k];
        const AstSym *s = set->used && (!set->pop || strcmp(set->pop, ip->name) == 0)
                              ? sema_model_member(m, set->name) : NULL;
        if (s && s->kind == SYM_PARAM && ip->params[s->index].nonneg && set->si_value < 0) {
            diag_error(c->d, nrn_loc_none(), "--set %s: '%s' sets the refractory period of population '%s'; "
                       "it must not be negative", set->text, set->name, ip->name);
            opt->set_error = true;
            c->failed = true;
            return;
        }
    }
    if (!uniform_value(ip, ip->refractory, &v, 0) || v >= 0)
        return;
    const char *why = NULL;
    for (int k = 0; k < ip->nparams && !why; k++)
        if (strcmp(ip->params[k].origin, "--set") == 0 && ir_uses(ip->refractory, IR_PARAM, k))
            why = ip->params[k].name;
    if (why) {
        for (int k = 0; k < opt->nsets; k++) {
            const LowerSet *set = &opt->sets[k];
            if (strcmp(set->name, why) == 0 && (!set->pop || strcmp(set->pop, ip->name) == 0))
                why = set->text;
        }
        diag_error(c->d, nrn_loc_none(), "--set %s: the refractory period of population '%s' would be %g ms; "
                   "it must not be negative", why, ip->name, v * 1e3);
        opt->set_error = true;
    } else {
        diag_error(c->d, m->refractory->value->loc, "the refractory period of population '%s' is %g ms; "
                   "it must not be negative", ip->name, v * 1e3);
        diag_note(c->d, c->pop->item->loc, "with the values given to population '%s' here", ip->name);
    }
    c->failed = true;
}

static bool lower_pop(Arena *a, Diags *d, const SemaProgram *prog, LowerOptions *opt, const SemaPop *sp, IrPop *ip)
{
    LowerCtx c = {.a = a, .d = d, .prog = prog, .pop = sp, .model = sp->model, .ip = ip,
                  .rand_sites = &ip->nrand_init, .rand_base = IR_RAND_INIT_SITES,
                  .replicated = opt->fit_pop && strcmp(opt->fit_pop, sp->name) == 0};
    c.let_cache = ARENA_ARRAY(a, IrExpr *, sp->model->lets.len + 1);
    ip->name = sp->name;
    ip->model = sp->model->item->name;
    ip->size = sp->size;
    ip->loc = sp->item->loc;
    lower_values(&c, opt, ip);
    if (sp->is_source)
        return lower_source(a, d, sp, ip, opt->dt) && !c.failed;
    c.rand_sites = &ip->nrand;
    c.rand_base = 0;
    lower_dynamics(&c, ip);
    if (ip->refractory && !c.failed) {
        mark_refractory_params(ip, ip->refractory);
        check_refractory_value(&c, opt, ip);
    }
    return !c.failed && pop_small_enough(d, ip);
}

/* ---- records ----------------------------------------------------------------------- */

static int pop_index(const SemaNetwork *n, const SemaPop *p)
{
    for (int k = 0; k < n->pops.len; k++)
        if (n->pops.items[k] == p)
            return k;
    NRN_UNREACHABLE();
}

static int64_t every_steps(Diags *d, const SemaRecord *r, double dt)
{
    if (r->every_s <= 0)
        return 1;
    double ratio = r->every_s / dt;
    int64_t steps = (int64_t)llround(ratio);
    if (steps < 1 || fabs(ratio - (double)steps) > 1e-9 * fmax(1.0, ratio)) {
        diag_error(d, r->item->u.record.every->loc, "'every' (%g ms) must be a multiple of dt (%g ms)",
                   r->every_s * 1e3, dt * 1e3);
        return 0;
    }
    return steps;
}

static bool lower_records(Arena *a, Diags *d, const SemaProgram *prog, const SemaNetwork *n, IrModule *m,
                          double dt)
{
    bool ok = true;
    m->traces = ARENA_ARRAY(a, IrTrace, n->records.len + 1);
    m->rates = ARENA_ARRAY(a, IrRate, n->records.len + 1);
    for (int k = 0; k < n->records.len; k++) {
        const SemaRecord *r = n->records.items[k];
        if (!r->pop)
            continue;   /* a connection's variable: lower_conn_records */
        int pi = pop_index(n, r->pop);
        IrPop *ip = &m->pops[pi];
        if (r->what == REC_SPIKES) {
            ip->record_spikes = true;
            continue;
        }
        if (r->what == REC_RATE) {
            int64_t every = every_steps(d, r, dt);
            if (every == 0) {
                ok = false;
                continue;
            }
            m->rates[m->nrates++] = (IrRate){.pop = pi, .every = every};
            continue;
        }
        IrTrace *t = &m->traces[m->ntraces];
        t->pop = pi;
        t->var = t->base = r->var->name;
        /* A variable recorded again (other slices or periods) gets trace_POP_VAR_2.csv, ... */
        int same = 0;
        for (int j = 0; j < m->ntraces; j++)
            same += m->traces[j].pop == pi && strcmp(m->traces[j].base, t->base) == 0;
        if (same)
            t->var = arena_printf(a, "%s_%d", t->base, same + 1);
        t->lo = r->lo;
        t->hi = r->hi;
        t->index = r->index;
        t->nindex = r->nindex;
        t->every = every_steps(d, r, dt);
        if (t->every == 0) {
            ok = false;
            continue;
        }
        if (r->var->kind == SYM_STATE) {
            t->slot = ip->states[r->var->index].slot;
            t->unit = ip->states[r->var->index].unit;
        } else if (r->var->kind == SYM_PARAM) {
            t->slot = ip->params[r->var->index].slot;
            t->scalar = !ip->params[r->var->index].per_neuron;
            t->unit = ip->params[r->var->index].unit;
        } else if (r->var->kind == SYM_INPUT) {
            t->slot = ip->input_slots[r->var->index];
            t->unit = r->var->unit;
        } else {
            t->slot = observe_slot(a, d, prog, r->pop, ip, r->var);
            t->unit = r->var->unit;
        }
        m->ntraces++;
    }
    return ok;
}

/* A --set that matched nothing: say what exists. */
static void unused_set(Diags *d, const SemaNetwork *n, const LowerSet *set)
{
    const SemaPop *pop = NULL;
    for (int k = 0; k < n->pops.len && set->pop; k++)
        if (strcmp(((const SemaPop *)n->pops.items[k])->name, set->pop) == 0)
            pop = n->pops.items[k];
    if (set->pop && !pop) {
        diag_error(d, nrn_loc_none(), "--set %s: network '%s' has no population '%s'", set->text, n->name, set->pop);
        return;
    }
    for (int k = 0; k < n->pops.len; k++) {
        const SemaPop *p = n->pops.items[k];
        const AstSym *s = (pop && p != pop) || !p->model ? NULL : sema_model_member(p->model, set->name);
        if (s && (s->kind == SYM_LET || s->kind == SYM_INPUT)) {
            diag_error(d, nrn_loc_none(), "--set %s: '%s' is %s of '%s', not a param or state; it cannot be set",
                       set->text, set->name, s->kind == SYM_LET ? "a let (a value derived from others)" : "an input",
                       p->model->item->name);
            diag_note(d, s->loc, "'%s' is declared here", set->name);
            if (s->kind == SYM_LET)
                diag_help(d, "set the params it is computed from");
            else
                diag_help(d, "connections write it (summed post.%s = ...)", set->name);
            return;
        }
    }
    diag_error(d, nrn_loc_none(), "--set %s: no population of network '%s' has a param or state '%s'", set->text,
               n->name, set->name);
    for (int k = 0; k < n->pops.len; k++) {
        const SemaPop *p = n->pops.items[k];
        if (pop && p != pop)
            continue;
        const char *near = sema_suggest_member(p->model, set->name);
        if (near) {
            diag_help(d, "did you mean '%s'?", near);
            return;
        }
    }
}

IrModule *lower_network(Arena *a, Diags *d, const SemaProgram *prog, LowerOptions *opt)
{
    const SemaNetwork *n = opt->network;
    int before = d->nerrors;
    IrModule *m = ARENA_NEW(a, IrModule);
    m->model_path = opt->model_path;
    m->network = n->name;
    m->dt = opt->dt;
    double steps = opt->duration / opt->dt;
    if (!(steps >= 0) || steps > 1e15) {
        /* beyond what an int64 step counter and a double time can represent exactly */
        bool in_model = !opt->timing_from_flags && prog->simulate && prog->simulate_net == n;
        opt->set_error |= !in_model;
        diag_error(d, in_model ? prog->simulate->u.simulate.duration->loc : nrn_loc_none(),
                   "a run of %g s at dt = %g ms is %g steps: at most 1e15 steps", opt->duration, opt->dt * 1e3, steps);
        return NULL;
    }
    m->nsteps = (int64_t)llround(steps);
    bool rounded = fabs(steps - (double)m->nsteps) > 1e-9 * fmax(1.0, steps);
    if (rounded)
        m->nsteps = (int64_t)ceil(steps);
    m->seed = opt->seed;
    if (rounded) {
        /* rounded up to whole steps (LANGUAGE.md §7: fixed dt), so say by how much */
        bool in_model = !opt->timing_from_flags && prog->simulate && prog->simulate_net == n;
        diag_warning(d, in_model ? prog->simulate->u.simulate.duration->loc : nrn_loc_none(),
                     "duration %g ms is not a multiple of dt %g ms; running %lld steps (%g ms)",
                     opt->duration * 1e3, opt->dt * 1e3, (long long)m->nsteps, (double)m->nsteps * opt->dt * 1e3);
    }
    m->ntables = prog->tables.len;
    m->tables = ARENA_ARRAY(a, IrTable, m->ntables + 1);
    for (int k = 0; k < m->ntables; k++) {
        const SemaTable *tb = prog->tables.items[k];
        m->tables[k] = (IrTable){tb->item->name, tb->nsamples, tb->ncols, tb->step, tb->values};
    }
    m->npops = n->pops.len;
    m->pops = ARENA_ARRAY(a, IrPop, m->npops + 1);
    bool ok = true;
    for (int k = 0; k < m->npops; k++)
        ok &= lower_pop(a, d, prog, opt, n->pops.items[k], &m->pops[k]);
    ok &= lower_conns(a, d, prog, n, m, opt->dt);
    ok &= lower_records(a, d, prog, n, m, opt->dt);
    ok &= lower_conn_records(a, d, n, m, opt->dt);
    for (int k = 0; k < opt->nsets; k++)
        if (!opt->sets[k].used) {
            unused_set(d, n, &opt->sets[k]);
            opt->set_error = true;
            ok = false;
        }
    return ok && d->nerrors == before ? m : NULL;
}
