/* IR expression construction, folding and the symbolic analyses the solver needs
 * (dependence, substitution, differentiation). */
#include "ir.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "util.h"



IrExpr *ir_const(Arena *a, double v)
{
    IrExpr *e = ARENA_NEW(a, IrExpr);
    e->op = IR_CONST;
    e->value = v;
    return e;
}

IrExpr *ir_leaf(Arena *a, IrOp op, int index)
{
    IrExpr *e = ARENA_NEW(a, IrExpr);
    e->op = op;
    e->index = index;
    return e;
}

IrExpr *ir_ref(Arena *a, IrOp op, IrSide side, int index)
{
    IrExpr *e = ir_leaf(a, op, index);
    e->side = side;
    return e;
}

bool ir_param_is_constant(const IrParam *q) { return !q->per_neuron && q->value->op == IR_CONST; }

bool ir_state_is_constant(const IrState *s) { return s->init->op == IR_CONST; }

bool ir_is_const(const IrExpr *e, double v) { return e->op == IR_CONST && e->value == v; }


static double fold_binary(IrOp op, double x, double y)
{
    switch (op) {
    case IR_ADD: return x + y;
    case IR_SUB: return x - y;
    case IR_MUL: return x * y;
    case IR_DIV: return x / y;
    case IR_MOD: return fmod(x, y);
    case IR_POW: return pow(x, y);
    case IR_LT: return x < y;
    case IR_GT: return x > y;
    case IR_LE: return x <= y;
    case IR_GE: return x >= y;
    case IR_EQ: return x == y;
    case IR_NE: return x != y;
    case IR_AND: return x != 0 && y != 0;
    case IR_OR: return x != 0 || y != 0;
    default: NRN_UNREACHABLE();
    }
}

IrExpr *ir_unary(Arena *a, IrOp op, IrExpr *x)
{
    if (x->op == IR_CONST)
        return ir_const(a, op == IR_NEG ? -x->value : (double)(x->value == 0));
    if (op == IR_NEG && x->op == IR_NEG)
        return x->a;
    IrExpr *e = ir_leaf(a, op, 0);
    e->a = x;
    return e;
}

/* Identities that keep values bit-identical (x*1, x+0, x/1, 0*x for finite x is not one
 * of them in IEEE terms, but a state that is NaN is caught anyway, so it is folded). */
IrExpr *ir_binary(Arena *a, IrOp op, IrExpr *x, IrExpr *y)
{
    if (x->op == IR_CONST && y->op == IR_CONST)
        return ir_const(a, fold_binary(op, x->value, y->value));
    switch (op) {
    case IR_ADD:
        if (ir_is_const(x, 0)) return y;
        if (ir_is_const(y, 0)) return x;
        break;
    case IR_SUB:
        if (ir_is_const(y, 0)) return x;
        if (ir_is_const(x, 0)) return ir_unary(a, IR_NEG, y);
        break;
    case IR_MUL:
        if (ir_is_const(x, 1)) return y;
        if (ir_is_const(y, 1)) return x;
        if (ir_is_const(x, 0) || ir_is_const(y, 0)) return ir_const(a, 0);
        if (ir_is_const(x, -1)) return ir_unary(a, IR_NEG, y);
        if (ir_is_const(y, -1)) return ir_unary(a, IR_NEG, x);
        break;
    case IR_DIV:
        if (ir_is_const(y, 1)) return x;
        /* 0 / y: only symbolic derivatives produce it, where y is a nonzero coefficient */
        if (ir_is_const(x, 0)) return x;
        break;
    case IR_POW:
        if (ir_is_const(y, 1)) return x;
        if (ir_is_const(y, 0)) return ir_const(a, 1);
        break;
    default:
        break;
    }
    IrExpr *e = ir_leaf(a, op, 0);
    e->a = x;
    e->b = y;
    return e;
}

IrExpr *ir_select(Arena *a, IrExpr *c, IrExpr *x, IrExpr *y)
{
    if (c->op == IR_CONST)
        return c->value != 0 ? x : y;
    IrExpr *e = ir_leaf(a, IR_SELECT, 0);
    e->a = c;
    e->b = x;
    e->c = y;
    return e;
}

IrExpr *ir_table(Arena *a, int table, IrExpr *t, IrExpr *col)
{
    IrExpr *e = ir_leaf(a, IR_CALL, table);
    e->fn = FN_TABLE;
    e->a = t;
    e->b = col;
    return e;
}

IrExpr *ir_call_like(Arena *a, const IrExpr *e, IrExpr *x, IrExpr *y)
{
    return e->fn == FN_TABLE ? ir_table(a, e->index, x, y) : ir_call(a, e->fn, x, y);
}

IrExpr *ir_call(Arena *a, IrFn fn, IrExpr *x, IrExpr *y)
{
    if (fn == FN_TABLE)
        NRN_UNREACHABLE();   /* ir_table keeps the table's index */
    if (x->op == IR_CONST && (!y || y->op == IR_CONST))
        return ir_const(a, builtin_fold(fn, x->value, y ? y->value : 0));
    IrExpr *e = ir_leaf(a, IR_CALL, 0);
    e->fn = fn;
    e->a = x;
    e->b = y;
    return e;
}

bool ir_uses(const IrExpr *e, IrOp op, int index)
{
    if (!e)
        return false;
    if (e->op == op && (index < 0 || e->index == index))
        return true;
    return ir_uses(e->a, op, index) || ir_uses(e->b, op, index) || ir_uses(e->c, op, index);
}

bool ir_uses_per_neuron_param(const IrPop *pop, const IrExpr *e)
{
    if (!e)
        return false;
    if (e->op == IR_PARAM && pop->params[e->index].per_neuron)
        return true;
    return ir_uses_per_neuron_param(pop, e->a) || ir_uses_per_neuron_param(pop, e->b) ||
           ir_uses_per_neuron_param(pop, e->c);
}

static IrExpr *rebuild(Arena *a, const IrExpr *e, IrExpr *x, IrExpr *y, IrExpr *z)
{
    switch (e->op) {
    case IR_NEG: case IR_NOT: return ir_unary(a, e->op, x);
    case IR_SELECT: return ir_select(a, x, y, z);
    case IR_CALL: return ir_call_like(a, e, x, y);
    default: return ir_binary(a, e->op, x, y);
    }
}

bool ir_uses_side(const IrExpr *e, IrOp op, IrSide side)
{
    if (!e)
        return false;
    if (e->op == op && e->side == side)
        return true;
    return ir_uses_side(e->a, op, side) || ir_uses_side(e->b, op, side) || ir_uses_side(e->c, op, side);
}

IrExpr *ir_replace(Arena *a, const IrExpr *e, IrOp op, IrSide side, IrExpr *by)
{
    if (e->op == op && e->side == side)
        return by;
    if (!e->a)
        return (IrExpr *)e;
    return rebuild(a, e, ir_replace(a, e->a, op, side, by), e->b ? ir_replace(a, e->b, op, side, by) : NULL,
                   e->c ? ir_replace(a, e->c, op, side, by) : NULL);
}

IrExpr *ir_zero_states(Arena *a, const IrExpr *e)
{
    if (e->op == IR_STATE)
        return ir_const(a, 0);
    if (!e->a)
        return (IrExpr *)e;
    return rebuild(a, e, ir_zero_states(a, e->a), e->b ? ir_zero_states(a, e->b) : NULL,
                   e->c ? ir_zero_states(a, e->c) : NULL);
}

static IrExpr *diff_call(Arena *a, const IrExpr *e, IrExpr *da)
{
    IrExpr *x = e->a;
    switch (e->fn) {
    case FN_EXP: return ir_binary(a, IR_MUL, ir_call(a, FN_EXP, x, NULL), da);
    case FN_LOG: return ir_binary(a, IR_DIV, da, x);
    case FN_LOG10: return ir_binary(a, IR_DIV, da, ir_binary(a, IR_MUL, x, ir_const(a, 2.30258509299404568402)));
    case FN_SQRT:
        return ir_binary(a, IR_DIV, da, ir_binary(a, IR_MUL, ir_const(a, 2), ir_call(a, FN_SQRT, x, NULL)));
    case FN_SIN: return ir_binary(a, IR_MUL, ir_call(a, FN_COS, x, NULL), da);
    case FN_COS: return ir_unary(a, IR_NEG, ir_binary(a, IR_MUL, ir_call(a, FN_SIN, x, NULL), da));
    case FN_TANH: {
        IrExpr *th = ir_call(a, FN_TANH, x, NULL);
        return ir_binary(a, IR_MUL, ir_binary(a, IR_SUB, ir_const(a, 1), ir_binary(a, IR_MUL, th, th)), da);
    }
    case FN_SINH: return ir_binary(a, IR_MUL, ir_call(a, FN_COSH, x, NULL), da);
    case FN_COSH: return ir_binary(a, IR_MUL, ir_call(a, FN_SINH, x, NULL), da);
    case FN_TAN: {
        IrExpr *c = ir_call(a, FN_COS, x, NULL);
        return ir_binary(a, IR_DIV, da, ir_binary(a, IR_MUL, c, c));
    }
    case FN_ATAN:
        return ir_binary(a, IR_DIV, da, ir_binary(a, IR_ADD, ir_const(a, 1), ir_binary(a, IR_MUL, x, x)));
    case FN_ABS: return ir_binary(a, IR_MUL, ir_call(a, FN_SIGN, x, NULL), da);
    default:
        /* floor, ceil, sign, min, max: piecewise; closed form only when constant. */
        return NULL;
    }
}

IrExpr *ir_diff(Arena *a, const IrExpr *e, int k) { return ir_diff_by(a, e, IR_STATE, k); }

IrExpr *ir_diff_by(Arena *a, const IrExpr *e, IrOp var, int k)
{
    if (!ir_uses(e, var, k))
        return ir_const(a, 0);
    if (e->op == var)
        return ir_const(a, 1);
    IrExpr *da = e->a ? ir_diff_by(a, e->a, var, k) : NULL;
    IrExpr *db = e->b ? ir_diff_by(a, e->b, var, k) : NULL;
    if ((e->a && !da) || (e->b && !db && e->op != IR_SELECT))
        return NULL;
    switch (e->op) {
    case IR_NEG: return ir_unary(a, IR_NEG, da);
    case IR_ADD: return ir_binary(a, IR_ADD, da, db);
    case IR_SUB: return ir_binary(a, IR_SUB, da, db);
    case IR_MUL:
        return ir_binary(a, IR_ADD, ir_binary(a, IR_MUL, da, e->b), ir_binary(a, IR_MUL, e->a, db));
    case IR_DIV:
        /* (a/b)' = a'/b - a b' / b^2 */
        return ir_binary(a, IR_SUB, ir_binary(a, IR_DIV, da, e->b),
                         ir_binary(a, IR_DIV, ir_binary(a, IR_MUL, e->a, db),
                                   ir_binary(a, IR_MUL, e->b, e->b)));
    case IR_POW:
        if (ir_uses(e->b, var, k))
            return NULL;
        /* (u^c)' = c u^(c-1) u' */
        return ir_binary(a, IR_MUL,
                         ir_binary(a, IR_MUL, e->b, ir_binary(a, IR_POW, e->a, ir_binary(a, IR_SUB, e->b, ir_const(a, 1)))),
                         da);
    case IR_CALL:
        return diff_call(a, e, da);
    default:
        /* comparisons, logic, select on a state, mod: not smooth */
        return NULL;
    }
}

/* ---- expanded size --------------------------------------------------------------- */

typedef struct SizeMemo {
    const IrExpr **keys;
    long *sizes;
    size_t cap, used;
} SizeMemo;

static long *memo_slot(Arena *a, SizeMemo *m, const IrExpr *e)
{
    if ((m->used + 1) * 2 > m->cap) {
        SizeMemo bigger = {.cap = m->cap ? m->cap * 2 : 256};
        bigger.keys = ARENA_ARRAY(a, const IrExpr *, bigger.cap);
        bigger.sizes = ARENA_ARRAY(a, long, bigger.cap);
        for (size_t k = 0; k < m->cap; k++)
            if (m->keys[k])
                *memo_slot(a, &bigger, m->keys[k]) = m->sizes[k];
        *m = bigger;
    }
    size_t h = ((size_t)(uintptr_t)e >> 4) * 0x9E3779B97F4A7C15ull;
    size_t k = h & (m->cap - 1);
    while (m->keys[k] && m->keys[k] != e)
        k = (k + 1) & (m->cap - 1);
    if (!m->keys[k]) {
        m->keys[k] = e;
        m->sizes[k] = -1;
        m->used++;
    }
    return &m->sizes[k];
}

static long tree_size(Arena *a, SizeMemo *m, const IrExpr *e, long cap)
{
    if (!e)
        return 0;
    long *slot = memo_slot(a, m, e);
    if (*slot >= 0)
        return *slot;
    long n = 1 + tree_size(a, m, e->a, cap);
    if (n <= cap)
        n += tree_size(a, m, e->b, cap);
    if (n <= cap)
        n += tree_size(a, m, e->c, cap);
    if (n > cap)
        n = cap + 1;
    slot = memo_slot(a, m, e);   /* the table may have grown */
    *slot = n;
    return n;
}

long ir_expanded_size(const IrExpr *e, long cap)
{
    Arena scratch;
    arena_init(&scratch);
    SizeMemo m = {0};
    long n = tree_size(&scratch, &m, e, cap);
    arena_fini(&scratch);
    return n;
}
