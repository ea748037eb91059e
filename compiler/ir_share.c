/* Which populations step with the same code (ir_pop_step_key): a network of a thousand
 * populations of one model, each with its own param values, needs one integrate, one
 * fire and one observe function, not a thousand; code generation emits them once and
 * gives the other populations aliases (cg.c). Only init differs between such
 * populations: param values and initial states are not part of the key.
 *
 * The key is a byte string written from everything in an IrPop that cg_pop.c and
 * cg_method.c read when they emit integrate, fire and observe — every expression in
 * full (operation, side, index, the constant's bits), slots, flags, the method's data.
 * Equal keys mean the same generated code. Whoever makes those functions read another
 * field of IrPop adds it here (ORDER STEP KEY). */
#include <string.h>

#include "ir.h"
#include "util.h"

typedef struct Key {
    Arena *a;
    unsigned char *buf;
    size_t len, cap;
} Key;

static void put(Key *k, const void *p, size_t n)
{
    if (k->len + n > k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 256;
        while (cap < k->len + n)
            cap *= 2;
        unsigned char *buf = ARENA_ARRAY(k->a, unsigned char, cap);
        if (k->len)
            memcpy(buf, k->buf, k->len);
        k->buf = buf;
        k->cap = cap;
    }
    memcpy(k->buf + k->len, p, n);
    k->len += n;
}

static void put_int(Key *k, long long v) { put(k, &v, sizeof v); }
static void put_double(Key *k, double v) { put(k, &v, sizeof v); }

static void put_expr(Key *k, const IrExpr *e)
{
    if (!e) {
        put_int(k, -1);
        return;
    }
    put_int(k, (long long)e->op * 64 + (long long)e->side * 8);
    put_int(k, e->fn);
    put_int(k, e->index);
    if (e->op == IR_CONST)
        put_double(k, e->value);
    if (e->a || e->b || e->c) {
        put_expr(k, e->a);
        put_expr(k, e->b);
        put_expr(k, e->c);
    }
}

static void put_stmts(Key *k, const IrStmt *s)
{
    for (; s; s = s->next) {
        put_int(k, s->is_if);
        put_int(k, (long long)s->target * 8 + s->side);
        put_int(k, s->state);
        put_int(k, s->op);
        put_expr(k, s->value);
        put_stmts(k, s->then);
        put_int(k, -2);
        put_stmts(k, s->els);
        put_int(k, -3);
    }
    put_int(k, -4);
}

static void put_exprs(Key *k, IrExpr *const *e, int n)
{
    put_int(k, e ? n : -1);
    for (int j = 0; e && j < n; j++)
        put_expr(k, e[j]);
}

static void put_ints(Key *k, const int *v, int n)
{
    for (int j = 0; v && j < n; j++)
        put_int(k, v[j]);
}

static void put_method(Key *k, const IrPop *p)
{
    put_int(k, p->method);
    put_double(k, p->rtol);
    put_double(k, p->atol);
    const IrExact *x = p->exact;
    put_int(k, x ? x->n : -1);
    if (x) {
        put_ints(k, x->states, x->n);
        put_exprs(k, x->A, x->n * x->n);
        put_exprs(k, x->b, x->n);
        put_int(k, x->per_neuron);
        put_int(k, x->has_held);
        put_int(k, x->P_slot);
        put_int(k, x->Q_slot);
        put_int(k, x->Ph_slot);
        put_int(k, x->Qh_slot);
    }
    put_int(k, p->expeuler != NULL);
    if (p->expeuler) {
        put_exprs(k, p->expeuler->a, p->nstates);
        put_exprs(k, p->expeuler->b, p->nstates);
    }
    const IrJacobian *jac = p->jacobian;
    put_int(k, jac ? jac->n : -1);
    if (jac) {
        put_ints(k, jac->states, jac->n);
        put_exprs(k, jac->J, jac->n * jac->n);
    }
    put_int(k, p->nnoise);
    put_int(k, p->nmilstein);
    for (int j = 0; j < p->nmilstein; j++) {
        put_int(k, p->milstein[j].state);
        put_int(k, p->milstein[j].noise);
        put_expr(k, p->milstein[j].g);
        put_expr(k, p->milstein[j].dg);
    }
}

static void put_step(Key *k, const IrPop *p)
{
    put_int(k, p->is_source);
    put_int(k, p->narrays);
    put_int(k, p->nscalars);
    put_int(k, p->nparams);
    for (int j = 0; j < p->nparams; j++) {
        put_int(k, p->params[j].per_neuron);
        put_int(k, p->params[j].slot);
    }
    put_int(k, p->nstates);
    for (int j = 0; j < p->nstates; j++) {
        put_int(k, p->states[j].slot);
        put_int(k, p->states[j].held);
        put_expr(k, p->states[j].deriv);
    }
    put_int(k, p->ninputs);
    put_ints(k, p->input_slots, p->ninputs);
    put_method(k, p);
    put_expr(k, p->threshold);
    put_int(k, p->upward_crossing);
    put_stmts(k, p->reset);
    put_expr(k, p->refractory);
    put_int(k, p->nobserved);
    for (int j = 0; j < p->nobserved; j++) {
        put_int(k, p->observed[j].slot);
        put_expr(k, p->observed[j].value);
    }
}

/* init also reads the params' and states' initial values, except the values of uniform
 * params that are constants, which it takes as an argument (cg_pop.c, ORDER INIT KEY). */
static void put_init(Key *k, const IrPop *p)
{
    put_step(k, p);
    for (int j = 0; j < p->nparams; j++) {
        const IrParam *q = &p->params[j];
        bool table = !q->per_neuron && q->value->op == IR_CONST;
        put_int(k, table);
        if (!table)
            put_expr(k, q->value);
    }
    for (int j = 0; j < p->nstates; j++)
        put_expr(k, p->states[j].init);
}

const unsigned char *ir_pop_step_key(Arena *a, const IrPop *p, size_t *len)
{
    Key k = {.a = a};
    put_step(&k, p);
    *len = k.len;
    return k.buf;
}

/* Per population, the first one with an equal key, or -1 (open addressing over the
 * first population of each kind, by the key's FNV-1a hash). */
static int *first_of_kind(Arena *a, const IrModule *m, void (*put_key)(Key *, const IrPop *))
{
    int *same = ARENA_ARRAY(a, int, m->npops + 1);
    Key *key = ARENA_ARRAY(a, Key, m->npops + 1);
    int nslots = 16;
    while (nslots < 2 * m->npops)
        nslots *= 2;
    int *slot = ARENA_ARRAY(a, int, nslots);
    for (int s = 0; s < nslots; s++)
        slot[s] = -1;
    for (int p = 0; p < m->npops; p++) {
        key[p] = (Key){.a = a};
        put_key(&key[p], &m->pops[p]);
        unsigned long long h = 1469598103934665603ull;
        for (size_t j = 0; j < key[p].len; j++)
            h = (h ^ key[p].buf[j]) * 1099511628211ull;
        int s = (int)(h & (unsigned long long)(nslots - 1));
        for (; slot[s] >= 0; s = (s + 1) & (nslots - 1)) {
            const Key *q = &key[slot[s]];
            if (q->len == key[p].len && memcmp(q->buf, key[p].buf, q->len) == 0)
                break;
        }
        same[p] = slot[s];
        if (slot[s] < 0)
            slot[s] = p;
    }
    return same;
}

int *ir_shared_step_code(Arena *a, const IrModule *m) { return first_of_kind(a, m, put_step); }

int *ir_shared_init_code(Arena *a, const IrModule *m) { return first_of_kind(a, m, put_init); }
