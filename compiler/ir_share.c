/* Which populations and connection blocks run the same code: a network of a thousand
 * populations of one model, each with its own param values, needs one integrate, one
 * fire and one observe function, not a thousand; one connect statement between many
 * populations needs one set of event functions. Code generation emits each kind once
 * and gives the others aliases (cg.c). A population's init differs by its initial
 * values, except the constant params', which it takes from a table (cg_pop.c).
 *
 * A key is a byte string written from everything cg_*.c read when they emit those
 * functions: every expression in full (operation, side, index, the constant's bits),
 * slots, flags, the method's data. Equal keys mean the same generated code. Whoever
 * makes a generated function read another field of IrPop or IrConn adds it here
 * (ORDER STEP KEY, ORDER INIT KEY, ORDER CONN KEY). */
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

/* ORDER STEP KEY: integrate, fire and observe (cg_pop.c, cg_method.c, cg_rk45.c). */
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

/* init also reads the params' and states' initial values, except constant ones, which
 * the run description carries (cg_pop.c, ORDER INIT KEY). */
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
    for (int j = 0; j < p->nstates; j++) {
        bool table = ir_state_is_constant(&p->states[j]);
        put_int(k, table);
        if (!table)
            put_expr(k, p->states[j].init);
    }
}

/* What a key is written from: population or connection `i` of the module. */
typedef struct KeySource {
    const IrModule *m;
    const int *pop_kind;    /* connections: each population's step-code kind */
    bool init;              /* the init function's key rather than the others' */
} KeySource;

/* A connection's code reads the populations on either side through their slots (all in
 * their step key, so the kind of step code stands for them) and the statement's event
 * code, weight and synapse states; init also computes the weight (when stored), the
 * states' initial values and the delays. ORDER CONN KEY: cg_conn.c. */
static void put_conn(Key *k, const KeySource *src, int i)
{
    const IrConn *c = &src->m->conns[i];
    put_int(k, c->pre >= 0 ? src->pop_kind[c->pre] : -1);
    put_int(k, src->pop_kind[c->post]);
    put_int(k, c->rule == CONN_POISSON);
    put_int(k, c->pre_offset);
    put_int(k, c->post_offset);
    put_int(k, c->weight_per_syn);
    put_int(k, c->weight_slot);
    put_int(k, c->narrays);
    put_int(k, c->nscalars);
    put_int(k, c->last_slot);
    put_int(k, c->hetero_delay);
    put_int(k, c->pre_additive);
    put_int(k, c->nsyn_states);
    for (int j = 0; j < c->nsyn_states; j++) {
        put_int(k, c->syn_states[j].slot);
        put_expr(k, c->syn_states[j].decay);
        if (src->init)
            put_expr(k, c->syn_states[j].init);
    }
    put_stmts(k, c->on_pre);
    put_stmts(k, c->on_post);
    put_int(k, c->nsummed);
    for (int j = 0; j < c->nsummed; j++) {
        put_int(k, c->summed[j].input);
        put_expr(k, c->summed[j].value);
    }
    if (src->init || c->rule == CONN_POISSON)   /* poisson: the weight is evaluated in place */
        put_expr(k, c->weight);
    if (src->init)
        put_expr(k, c->delay);
}

static void put_pop(Key *k, const KeySource *src, int i)
{
    if (src->init)
        put_init(k, &src->m->pops[i]);
    else
        put_step(k, &src->m->pops[i]);
}

/* Per item, the first one with an equal key, or -1 (open addressing over the first item
 * of each kind, by the key's FNV-1a hash). */
static int *first_of_kind(Arena *a, int n, const KeySource *src, void (*put_key)(Key *, const KeySource *, int))
{
    int *same = ARENA_ARRAY(a, int, n + 1);
    Key *key = ARENA_ARRAY(a, Key, n + 1);
    int nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    int *slot = ARENA_ARRAY(a, int, nslots);
    for (int s = 0; s < nslots; s++)
        slot[s] = -1;
    for (int p = 0; p < n; p++) {
        key[p] = (Key){.a = a};
        put_key(&key[p], src, p);
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

int *ir_shared_step_code(Arena *a, const IrModule *m)
{
    KeySource src = {.m = m};
    return first_of_kind(a, m->npops, &src, put_pop);
}

int *ir_shared_init_code(Arena *a, const IrModule *m)
{
    KeySource src = {.m = m, .init = true};
    return first_of_kind(a, m->npops, &src, put_pop);
}

int *ir_shared_conn_code(Arena *a, const IrModule *m, const int *same_step, bool init)
{
    int *kind = ARENA_ARRAY(a, int, m->npops + 1);
    for (int p = 0; p < m->npops; p++)
        kind[p] = same_step[p] < 0 ? p : same_step[p];
    KeySource src = {.m = m, .pop_kind = kind, .init = init};
    return first_of_kind(a, m->nconns, &src, put_conn);
}
