/* Semantic checking, top level: the global namespace (models, networks, functions across
 * all imported files), the `simulate` statement, and constant evaluation. The per-model
 * and per-network checks live in sema_model.c and sema_net.c, expressions in
 * sema_expr.c. */
#include <math.h>
#include <string.h>

#include "builtins.h"
#include "sema_expr.h"
#include "util.h"

void sema_check_model(SemaProgram *prog, Diags *d, SemaModel *m);
void sema_check_network(SemaProgram *prog, Diags *d, SemaNetwork *n);

static void declare_global(SemaProgram *prog, Diags *d, AstItem *it, SymKind kind)
{
    AstSym *s = ARENA_NEW(prog->arena, AstSym);
    s->kind = kind;
    s->name = it->name;
    s->loc = it->name_loc;
    s->item = it;
    /* Models, networks and functions have their own namespace: a model may be called N. */
    if (!symtab_put(prog->arena, prog->globals, s)) {
        AstSym *old = symtab_get(prog->globals, it->name);
        diag_error(d, it->name_loc, "'%s' is already defined", it->name);
        diag_note(d, old->loc, "the first definition is here");
        return;
    }
    if (kind == SYM_MODEL) {
        SemaModel *m = ARENA_NEW(prog->arena, SemaModel);
        m->item = it;
        m->is_synapse = it->kind == ITEM_SYNAPSE;
        s->sema = m;
        ptrvec_push(prog->arena, &prog->models, m);
    } else if (kind == SYM_TABLE) {
        SemaTable *tb = ARENA_NEW(prog->arena, SemaTable);
        tb->item = it;
        tb->index = prog->tables.len;
        s->sema = tb;
        ptrvec_push(prog->arena, &prog->tables, tb);
    } else if (kind == SYM_NETWORK) {
        SemaNetwork *n = ARENA_NEW(prog->arena, SemaNetwork);
        n->item = it;
        n->name = it->name;
        s->sema = n;
        ptrvec_push(prog->arena, &prog->networks, n);
    }
}

static void check_function(SemaProgram *prog, Diags *d, AstItem *fn)
{
    for (AstName *p = fn->u.function.params; p; p = p->next) {
        for (AstName *q = fn->u.function.params; q != p; q = q->next)
            if (strcmp(q->name, p->name) == 0)
                diag_error(d, p->loc, "parameter '%s' appears twice in function '%s'", p->name, fn->name);
    }
    /* The body's dimensions depend on each call; here only its names are checked, with
     * free (dimension-agnostic) arguments. */
    int n = 0;
    for (AstName *p = fn->u.function.params; p; p = p->next)
        n++;
    Dim *dims = ARENA_ARRAY(prog->arena, Dim, n + 1);
    bool *free_ = ARENA_ARRAY(prog->arena, bool, n + 1);
    for (int k = 0; k < n; k++) {
        dims[k] = dim_none();
        free_[k] = true;
    }
    SemaCtx c = {.prog = prog, .d = d, .a = prog->arena, .where = WHERE_FUNCTION};
    c.fn_params = fn->u.function.params;
    c.fn_arg_dims = dims;
    c.fn_arg_free = free_;
    c.fn_depth = 1;
    Diags quiet;
    /* Dimension errors that depend on the arguments are reported at the calls; names are
     * checked here. */
    diag_init(&quiet, prog->arena);
    quiet.files = d->files;
    quiet.nfiles = d->nfiles;
    c.d = &quiet;
    long inlined = prog->inlined_calls;
    sema_expr(&c, fn->u.function.body);
    prog->inlined_calls = inlined;
    /* Names do not depend on the arguments: report those. */
    diag_move_matching(&quiet, d, "unknown identifier");
    diag_move_matching(&quiet, d, "unknown function");
    quiet.files = NULL;
    diag_fini(&quiet);
}

static void check_simulate(SemaProgram *prog, Diags *d, AstItem *it)
{
    AstSym *s = symtab_get(prog->globals, it->name);
    if (!s || s->kind != SYM_NETWORK) {
        diag_error(d, it->name_loc, "simulate: '%s' is not a network", it->name);
        int best = 3;
        const char *near = NULL;
        for (int k = 0; k < prog->networks.len; k++) {
            const SemaNetwork *n = prog->networks.items[k];
            int dist = nrn_edit_distance(it->name, n->name);
            if (dist < best && dist < (int)strlen(it->name)) {
                best = dist;
                near = n->name;
            }
        }
        if (near)
            diag_help(d, "did you mean '%s'?", near);
    } else {
        prog->simulate = it;
        prog->simulate_net = s->sema;
    }
    SemaCtx c = {.prog = prog, .d = d, .a = prog->arena, .where = WHERE_NETWORK};
    sema_expect_dim(&c, it->u.simulate.duration, dim_base(DIM_TIME), "ms", "the duration");
    sema_const_eval(it->u.simulate.duration, &prog->sim_duration_s);
    if (it->u.simulate.dt) {
        sema_expect_dim(&c, it->u.simulate.dt, dim_base(DIM_TIME), "ms", "the time step");
        prog->sim_has_dt = sema_const_eval(it->u.simulate.dt, &prog->sim_dt_s);
        if (prog->sim_has_dt && !(prog->sim_dt_s > 0))
            diag_error(d, it->u.simulate.dt->loc, "the time step must be positive");
    }
    if (it->u.simulate.seed) {
        double seed = 0;
        sema_expect_dim(&c, it->u.simulate.seed, dim_none(), "1", "the seed");
        if (sema_const_eval(it->u.simulate.seed, &seed) &&
            (seed < 0 || seed != floor(seed) || seed > 9007199254740992.0))
            diag_error(d, it->u.simulate.seed->loc, "the seed must be a non-negative integer");
        prog->sim_seed = (int64_t)seed;
        prog->sim_has_seed = true;
    }
    if (!(prog->sim_duration_s >= 0))
        diag_error(d, it->u.simulate.duration->loc, "the duration must not be negative");
}

bool sema_check(SemaProgram *prog, Diags *d)
{
    int before = d->nerrors;
    prog->globals = symtab_new(prog->arena);
    for (int f = 0; f < prog->files.len; f++) {
        const AstFile *file = prog->files.items[f];
        for (AstItem *it = file->items; it; it = it->next) {
            if (it->kind == ITEM_NEURON || it->kind == ITEM_SYNAPSE)
                declare_global(prog, d, it, SYM_MODEL);
            else if (it->kind == ITEM_NETWORK)
                declare_global(prog, d, it, SYM_NETWORK);
            else if (it->kind == ITEM_FUNCTION)
                declare_global(prog, d, it, SYM_FUNCTION);
            else if (it->kind == ITEM_TABLE)
                declare_global(prog, d, it, SYM_TABLE);
        }
    }
    sema_check_tables(prog, d);
    for (int f = 0; f < prog->files.len; f++)
        for (AstItem *it = ((const AstFile *)prog->files.items[f])->items; it; it = it->next)
            if (it->kind == ITEM_FUNCTION)
                check_function(prog, d, it);
    for (int k = 0; k < prog->models.len; k++)
        sema_check_model(prog, d, prog->models.items[k]);
    /* The main file's simulate statement gives the dt that `every` is checked against. */
    const AstFile *main_file = prog->files.len ? prog->files.items[0] : NULL;
    const AstItem *first_simulate = NULL;
    for (AstItem *it = main_file ? main_file->items : NULL; it; it = it->next) {
        if (it->kind != ITEM_SIMULATE)
            continue;
        if (first_simulate) {
            diag_error(d, it->loc, "a model has at most one simulate statement");
            diag_note(d, first_simulate->loc, "the first one is here");
            continue;
        }
        first_simulate = it;
        check_simulate(prog, d, it);
    }
    for (int k = 0; k < prog->networks.len; k++)
        sema_check_network(prog, d, prog->networks.items[k]);
    return d->nerrors == before;
}

SemaNetwork *sema_find_network(const SemaProgram *prog, const char *name)
{
    AstSym *s = symtab_get(prog->globals, name);
    return s && s->kind == SYM_NETWORK ? s->sema : NULL;
}

/* ---- constant evaluation ----------------------------------------------------------- */

static bool eval(const AstExpr *e, double *out, int depth);

static bool eval_call(const AstExpr *e, double *out, int depth)
{
    double a[3] = {0, 0, 0};
    int k = 0;
    for (const AstExpr *x = e->u.call.args; x && k < 3; x = x->next, k++)
        if (!eval(x, &a[k], depth + 1))
            return false;
    const char *f = e->u.call.name;
    const Builtin *b = builtin_find(f);
    if (b && b->is_fn && k == b->nargs) {
        *out = builtin_fold(b->fn, a[0], a[1]);
        return true;
    }
    if (strcmp(f, "pow") == 0 && k == 2) *out = pow(a[0], a[1]);
    else if (strcmp(f, "clip") == 0 && k == 3) *out = fmin(fmax(a[0], a[1]), a[2]);
    else return false;
    return true;
}

static bool eval_binary(const AstExpr *e, double *out, int depth)
{
    double l, r;
    if (!eval(e->u.binary.lhs, &l, depth + 1) || !eval(e->u.binary.rhs, &r, depth + 1))
        return false;
    switch (e->u.binary.op) {
    case OP_ADD: *out = l + r; return true;
    case OP_SUB: *out = l - r; return true;
    case OP_MUL: *out = l * r; return true;
    case OP_DIV: *out = l / r; return true;
    case OP_MOD: *out = fmod(l, r); return true;
    case OP_POW: *out = pow(l, r); return true;
    case OP_LT: *out = l < r; return true;
    case OP_GT: *out = l > r; return true;
    case OP_LE: *out = l <= r; return true;
    case OP_GE: *out = l >= r; return true;
    case OP_EQ: *out = l == r; return true;
    case OP_NE: *out = l != r; return true;
    case OP_AND: *out = l != 0 && r != 0; return true;
    case OP_OR: *out = l != 0 || r != 0; return true;
    default: return false;
    }
}

static bool eval(const AstExpr *e, double *out, int depth)
{
    if (depth > 300)
        return false;
    switch (e->kind) {
    case AST_NUM:
        *out = e->si_value;
        return true;
    case AST_NAME:
        if (!e->sym)
            return false;
        switch (e->sym->kind) {
        case SYM_NET_PARAM: case SYM_UNIT: case SYM_PI:
            *out = e->sym->value;
            return true;
        case SYM_PARAM:
            return e->sym->decl && e->sym->decl->value && eval(e->sym->decl->value, out, depth + 1);
        default:
            return false;
        }
    case AST_UNARY: {
        double x;
        if (!eval(e->u.unary.operand, &x, depth + 1))
            return false;
        *out = e->u.unary.op == OP_NEG ? -x : e->u.unary.op == OP_NOT ? (x == 0) : x;
        return true;
    }
    case AST_BINARY:
        return eval_binary(e, out, depth);
    case AST_COND: {
        double c;
        if (!eval(e->u.cond.cond, &c, depth + 1))
            return false;
        return eval(c != 0 ? e->u.cond.then : e->u.cond.els, out, depth + 1);
    }
    case AST_CALL:
        return eval_call(e, out, depth);
    default:
        return false;
    }
}

bool sema_const_eval(const AstExpr *e, double *out) { return eval(e, out, 0); }
