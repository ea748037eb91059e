/* Integrator selection by symbolic analysis of each population's ODE system.
 *
 * Linearity is decided on the IR: the Jacobian d f_j / d x_k is computed symbolically
 * (ir_diff); the system is affine with constant coefficients when no entry depends on a
 * state, the time, an input, noise or a random call, and no right-hand side reads t. */
#include "solve.h"

#include <string.h>

#include "util.h"

typedef struct Analysis {
    int n;                  /* states with an ODE */
    int *states;            /* their indices */
    IrExpr **J;             /* n×n, NULL entries: not differentiable in closed form */
    bool linear_const;
    bool self_affine;
    const char *why_not;    /* why not linear, for messages */
} Analysis;

static bool varies(const IrExpr *e)
{
    return !e || ir_uses(e, IR_STATE, -1) || ir_uses(e, IR_TIME, -1) || ir_uses(e, IR_INPUT, -1) ||
           ir_uses(e, IR_RAND, -1) || ir_uses(e, IR_RANDN, -1) || ir_uses(e, IR_NOISE, -1);
}

static void analyse(Arena *a, const IrPop *p, Analysis *an)
{
    an->states = ARENA_ARRAY(a, int, p->nstates + 1);
    for (int k = 0; k < p->nstates; k++)
        if (p->states[k].deriv)
            an->states[an->n++] = k;
    int n = an->n;
    an->J = ARENA_ARRAY(a, IrExpr *, n * n + 1);
    an->linear_const = true;
    an->self_affine = true;
    for (int r = 0; r < n; r++) {
        const IrState *s = &p->states[an->states[r]];
        if (ir_uses(s->deriv, IR_TIME, -1) && an->linear_const) {
            an->linear_const = false;
            an->why_not = arena_printf(a, "d%s/dt depends on t", s->name);
        }
        for (int c = 0; c < n; c++) {
            IrExpr *j = ir_diff(a, s->deriv, an->states[c]);
            an->J[r * n + c] = j;
            if (varies(j) && an->linear_const) {
                an->linear_const = false;
                an->why_not = arena_printf(a, "d%s/dt is not linear in %s with constant coefficients", s->name,
                                           p->states[an->states[c]].name);
            }
        }
        IrExpr *self = an->J[r * n + r];
        if (!self || ir_uses(self, IR_STATE, an->states[r]) || ir_uses(s->deriv, IR_NOISE, -1))
            an->self_affine = false;
    }
}

/* e with the states of the system (mask) replaced by zero: its inhomogeneous part. */
static IrExpr *zero_some(Arena *a, const IrExpr *e, const bool *mask)
{
    if (e->op == IR_STATE)
        return mask[e->index] ? ir_const(a, 0) : (IrExpr *)e;
    if (!e->a)
        return (IrExpr *)e;
    IrExpr copy = *e;
    copy.a = zero_some(a, e->a, mask);
    copy.b = e->b ? zero_some(a, e->b, mask) : NULL;
    copy.c = e->c ? zero_some(a, e->c, mask) : NULL;
    switch (e->op) {
    case IR_NEG: case IR_NOT: return ir_unary(a, e->op, copy.a);
    case IR_SELECT: return ir_select(a, copy.a, copy.b, copy.c);
    case IR_CALL: return ir_call_like(a, e, copy.a, copy.b);
    default: return ir_binary(a, e->op, copy.a, copy.b);
    }
}

static void setup_exact(Arena *a, IrPop *p, const Analysis *an)
{
    IrExact *x = ARENA_NEW(a, IrExact);
    int n = an->n;
    x->n = n;
    x->states = an->states;
    x->A = an->J;
    x->b = ARENA_ARRAY(a, IrExpr *, n);
    bool *mask = ARENA_ARRAY(a, bool, p->nstates + 1);
    for (int r = 0; r < n; r++)
        mask[an->states[r]] = true;
    for (int r = 0; r < n; r++)
        x->b[r] = zero_some(a, p->states[an->states[r]].deriv, mask);
    for (int k = 0; k < n * n; k++)
        x->per_neuron |= ir_uses_per_neuron_param(p, x->A[k]);
    for (int r = 0; r < n; r++)
        x->has_held |= p->states[an->states[r]].held;
    int *next = x->per_neuron ? &p->narrays : &p->nscalars;
    x->P_slot = *next;
    x->Q_slot = *next + n * n;
    *next += 2 * n * n;
    if (x->has_held) {
        x->Ph_slot = *next;
        x->Qh_slot = *next + n * n;
        *next += 2 * n * n;
    }
    p->exact = x;
}

static void setup_expeuler(Arena *a, IrPop *p, const Analysis *an)
{
    IrExpEuler *x = ARENA_NEW(a, IrExpEuler);
    x->a = ARENA_ARRAY(a, IrExpr *, p->nstates + 1);
    x->b = ARENA_ARRAY(a, IrExpr *, p->nstates + 1);
    bool *mask = ARENA_ARRAY(a, bool, p->nstates + 1);
    for (int r = 0; r < an->n; r++) {
        int k = an->states[r];
        mask[k] = true;
        x->a[k] = zero_some(a, p->states[k].deriv, mask);
        x->b[k] = an->J[r * an->n + r];
        mask[k] = false;
    }
    p->expeuler = x;
}

static bool setup_implicit(Arena *a, Diags *d, IrPop *p, const Analysis *an, NrnLoc loc)
{
    for (int k = 0; k < an->n * an->n; k++) {
        if (!an->J[k]) {
            diag_error(d, loc, "method implicit needs the derivative of every right-hand side, but in population "
                       "'%s' d%s/dt is not differentiable in closed form (floor, a comparison or a condition on "
                       "a state)", p->name, p->states[an->states[k / an->n]].name);
            return false;
        }
    }
    IrJacobian *j = ARENA_NEW(a, IrJacobian);
    j->n = an->n;
    j->states = an->states;
    j->J = an->J;
    p->jacobian = j;
    return true;
}

/* rk45 tolerances: the model may set `param rk45_rtol` / `param rk45_atol` (atol in units
 * of each state's display unit); defaults 1e-6 and 1e-6. */
static void setup_rk45(IrPop *p)
{
    p->rtol = 1e-6;
    p->atol = 1e-6;
    for (int k = 0; k < p->nparams; k++) {
        const IrParam *q = &p->params[k];
        if (q->value->op != IR_CONST || q->value->value <= 0)
            continue;
        if (strcmp(q->name, "rk45_rtol") == 0)
            p->rtol = q->value->value;
        else if (strcmp(q->name, "rk45_atol") == 0)
            p->atol = q->value->value;
    }
}

static bool apply(Arena *a, Diags *d, IrPop *p, const Analysis *an, IrMethod m, const char *source, NrnLoc loc)
{
    if (m == METHOD_EXACT && !an->linear_const) {
        diag_error(d, loc, "method exact needs a linear system with constant coefficients (%s), but in "
                   "population '%s' %s", source, p->name, an->why_not);
        diag_help(d, "use rk4, or leave the method out to let nrnc choose");
        return false;
    }
    if (m == METHOD_EXPEULER && !an->self_affine) {
        diag_error(d, loc, "method expeuler needs each equation to be linear in its own variable (%s), "
                   "which population '%s' does not satisfy", source, p->name);
        return false;
    }
    p->method = m;
    if (m == METHOD_EXACT)
        setup_exact(a, p, an);
    else if (m == METHOD_EXPEULER)
        setup_expeuler(a, p, an);
    else if (m == METHOD_IMPLICIT)
        return setup_implicit(a, d, p, an, loc);
    else if (m == METHOD_RK45)
        setup_rk45(p);
    return true;
}

/* Noise: the coefficient g of each noise stream in each equation; additive when no g
 * depends on a state. */
static bool noise_additive(Arena *a, const IrPop *p, bool *ok)
{
    bool additive = true;
    *ok = true;
    for (int j = 0; j < p->nstates; j++) {
        const IrExpr *f = p->states[j].deriv;
        for (int s = 0; f && s < p->nnoise; s++) {
            IrExpr *g = ir_diff_by(a, f, IR_NOISE, s);
            if (!g || ir_uses(g, IR_NOISE, -1))
                *ok = false;   /* noise must enter linearly: f = drift + sum g_s xi_s */
            else if (ir_uses(g, IR_STATE, -1))
                additive = false;
        }
    }
    return additive;
}

/* Milstein's correction for state j and noise s is 1/2 L g_j (dW_s^2 - dt) with
 * L g_j = sum_k g_k dg_j/dx_k over the states k that noise s drives: the derivative along
 * the noise direction, cross terms included (exact for a single noise). Different noise
 * streams are taken as commuting (no Lévy areas). */
static void setup_milstein(Arena *a, IrPop *p)
{
    p->milstein = ARENA_ARRAY(a, IrMilsteinTerm, p->nstates * p->nnoise + 1);
    IrExpr **g = ARENA_ARRAY(a, IrExpr *, p->nstates + 1);
    for (int s = 0; s < p->nnoise; s++) {
        for (int k = 0; k < p->nstates; k++)
            g[k] = p->states[k].deriv ? ir_diff_by(a, p->states[k].deriv, IR_NOISE, s) : NULL;
        for (int j = 0; j < p->nstates; j++) {
            if (!g[j] || ir_is_const(g[j], 0))
                continue;
            IrExpr *lg = ir_const(a, 0);
            bool ok = true;
            for (int k = 0; k < p->nstates; k++) {
                if (!g[k] || ir_is_const(g[k], 0))
                    continue;
                IrExpr *dg = ir_diff(a, g[j], k);
                if (!dg) {
                    ok = false;
                    break;
                }
                lg = ir_binary(a, IR_ADD, lg, ir_binary(a, IR_MUL, g[k], dg));
            }
            if (ok && !ir_is_const(lg, 0))
                p->milstein[p->nmilstein++] = (IrMilsteinTerm){.state = j, .noise = s, .g = lg, .dg = ir_const(a, 1)};
        }
    }
}

/* Stochastic populations: Euler-Maruyama (additive noise) or Milstein (LANGUAGE.md §4). */
static bool choose_noisy(Arena *a, Diags *d, IrPop *p, const char *override)
{
    bool linear_noise;
    bool additive = noise_additive(a, p, &linear_noise);
    if (!linear_noise) {
        diag_error(d, p->loc, "population '%s': white noise must enter its equations linearly "
                   "(dx/dt = f + g * xi)", p->name);
        return false;
    }
    const char *name = override ? override : p->method_requested;
    if (name && strcmp(name, "euler") != 0 && strcmp(name, "milstein") != 0) {
        diag_error(d, override ? nrn_loc_none() : p->method_loc,
                   "method %s cannot integrate white noise (population '%s'): use euler (Euler-Maruyama) "
                   "or milstein", name, p->name);
        return false;
    }
    if (name) {
        p->method = strcmp(name, "euler") == 0 ? METHOD_EULER : METHOD_MILSTEIN;
        p->method_reason = arena_printf(a, "requested by %s%s, with noise", override ? "--method " : "'method ",
                                        override ? name : arena_printf(a, "%s'", name));
    } else if (additive) {
        p->method = METHOD_EULER;
        p->method_reason = "additive noise -> euler (Euler-Maruyama)";
    } else {
        p->method = METHOD_MILSTEIN;
        p->method_reason = "noise that depends on the state -> milstein";
    }
    if (p->method == METHOD_MILSTEIN)
        setup_milstein(a, p);
    return true;
}

static bool choose(Arena *a, Diags *d, IrPop *p, const char *override)
{
    if (p->nnoise > 0 && !p->is_source)
        return choose_noisy(a, d, p, override);
    if (p->is_source)
        return true;
    Analysis an = {0};
    analyse(a, p, &an);
    if (an.n == 0) {
        p->method = METHOD_NONE;
        p->method_reason = "no ODEs";
        return true;
    }
    IrMethod m;
    if (p->method_requested || override) {
        /* --method overrides the model's own choice. */
        const char *name = override ? override : p->method_requested;
        if (!builtin_method_parse(name, &m)) {
            diag_error(d, p->method_requested ? p->method_loc : nrn_loc_none(),
                       "method '%s' is not supported yet by this version of nrnc (population '%s')", name, p->name);
            return false;
        }
        p->method_reason = override ? arena_printf(a, "requested by --method %s", name)
                                    : arena_printf(a, "requested by 'method %s'", name);
        return apply(a, d, p, &an, m, override ? "--method" : "'method' in the model",
                     override ? nrn_loc_none() : p->method_loc);
    }
    if (an.linear_const) {
        p->method_reason = "linear, constant coefficients -> exact";
        return apply(a, d, p, &an, METHOD_EXACT, "", p->loc);
    }
    if (an.self_affine) {
        p->method_reason = arena_printf(a, "%s; each equation linear in its own variable -> expeuler", an.why_not);
        return apply(a, d, p, &an, METHOD_EXPEULER, "", p->loc);
    }
    p->method_reason = arena_printf(a, "%s, and not linear in its own variable -> rk4", an.why_not);
    return apply(a, d, p, &an, METHOD_RK4, "", p->loc);
}

bool solve_select(Arena *a, Diags *d, IrModule *m, const char *override)
{
    bool ok = true;
    for (int k = 0; k < m->npops; k++)
        ok &= choose(a, d, &m->pops[k], override);
    return ok;
}
