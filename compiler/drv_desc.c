/* The run description (nrt_run_desc) of a lowered module, built once for both back ends:
 * `nrnc run` binds its function slots to JIT addresses and hands it to nrt_run; `nrnc
 * build` writes the same description as C (drv_build.c), naming each function slot by
 * the symbol drv_desc_each_fn gives it. Nothing else turns the IR into runtime tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drv_desc.h"
#include "util.h"

static void *xcalloc(DrvDesc *d, size_t n, size_t size)
{
    void *p = calloc(n + 1, size);
    if (!p)
        nrn_fatal_oom();
    if (d->nblocks == d->capblocks) {
        d->capblocks = d->capblocks ? 2 * d->capblocks : 32;
        d->blocks = realloc(d->blocks, (size_t)d->capblocks * sizeof *d->blocks);
        if (!d->blocks)
            nrn_fatal_oom();
    }
    d->blocks[d->nblocks++] = p;
    return p;
}

static const char *unit_text(DisplayUnit u) { return u.text ? u.text : "1"; }
static double unit_scale(DisplayUnit u) { return u.scale > 0 ? u.scale : 1.0; }

static bool reads_pre_state(const IrExpr *e)
{
    return ir_uses_side(e, IR_STATE, SIDE_PRE) || ir_uses_side(e, IR_INPUT, SIDE_PRE);
}

/* on_pre writes outside the target and the synapse, or reads a pre-synaptic state (which
 * another thread may be writing as some other block's target). */
static bool touches_pre(const IrStmt *s)
{
    for (; s; s = s->next)
        if ((!s->is_if && s->side != SIDE_POST && s->side != SIDE_SYN) || reads_pre_state(s->value) ||
            touches_pre(s->then) || touches_pre(s->els))
            return true;
    return false;
}

/* nrt_conn_desc.sequential_events: on_pre touches the pre-synaptic side, so that threads
 * delivering to disjoint targets would not be independent. (Its rand() and randn() are
 * pure functions of the synapse, step and draw, so they do not order events.) */
static bool sequential_events(const IrConn *c)
{
    return touches_pre(c->on_pre);
}

/* nrt_conn_desc.sequential_sum: a summed term reads an input, on either side, which the
 * sum of this or another block may be writing at the same time in another range. */
static bool sequential_sum(const IrConn *c)
{
    for (int k = 0; k < c->nsummed; k++)
        if (ir_uses(c->summed[k].value, IR_INPUT, -1))
            return true;
    return false;
}

static void fill_pop(DrvDesc *dd, const IrPop *p, nrt_pop_desc *d, nrt_source *src)
{
    d->name = p->name;
    d->n = p->size;
    d->narrays = p->narrays;
    d->nscalars = p->nscalars;
    d->nstates = p->nstates;
    const char **names = xcalloc(dd, (size_t)(p->nstates + p->nparams), sizeof *names);
    const char **units = xcalloc(dd, (size_t)(p->nstates + p->nparams), sizeof *units);
    double *scales = xcalloc(dd, (size_t)(p->nstates + p->nparams), sizeof *scales);
    for (int s = 0; s < p->nstates; s++) {
        names[s] = p->states[s].name;
        units[s] = unit_text(p->states[s].unit);
        scales[s] = unit_scale(p->states[s].unit);
    }
    for (int q = 0; q < p->nparams; q++) {
        names[p->nstates + q] = p->params[q].name;
        units[p->nstates + q] = unit_text(p->params[q].unit);
        scales[p->nstates + q] = unit_scale(p->params[q].unit);
    }
    d->state_names = names;
    d->state_units = units;
    d->state_scales = scales;
    /* constant params and initial states are data, not code: init copies them from
     * overrides (cg_pop.c) */
    double *values = xcalloc(dd, (size_t)(p->nparams + p->nstates), sizeof *values);
    for (int q = 0; q < p->nparams; q++)
        values[q] = ir_param_is_constant(&p->params[q]) ? p->params[q].value->value : NAN;
    for (int s = 0; s < p->nstates; s++)
        values[p->nparams + s] = ir_state_is_constant(&p->states[s]) ? p->states[s].init->value : NAN;
    d->initial_values = values;
    d->nparams = p->nparams;
    d->param_names = names + p->nstates;
    d->param_units = units + p->nstates;
    d->param_scales = scales + p->nstates;
    unsigned char *flags = xcalloc(dd, (size_t)p->nparams + 1, sizeof *flags);
    for (int q = 0; q < p->nparams; q++)
        flags[q] = (unsigned char)((p->params[q].fixed ? NRT_PARAM_FIXED : 0) |
                                   (p->params[q].nonneg ? NRT_PARAM_NONNEG : 0));
    d->param_flags = flags;
    d->method = p->is_source ? "spike_source" : builtin_method_name(p->method);
    d->record_spikes = p->record_spikes;
    if (p->is_source) {
        *src = (nrt_source){.count = p->nsource, .steps = p->source_steps, .neurons = p->source_neurons,
                            .file = p->source_file};
        d->source = src;
    }
    int *inputs = xcalloc(dd, (size_t)p->ninputs, sizeof *inputs);
    for (int k = 0; k < p->ninputs; k++)
        if (p->input_summed[k])
            inputs[d->ninputs++] = p->input_slots[k];
    d->input_slots = inputs;
    nrt_var_desc *vars = xcalloc(dd, (size_t)(p->nstates + p->nparams + p->ninputs) + 1, sizeof *vars);
    for (int s = 0; s < p->nstates; s++)
        vars[d->nvars++] = (nrt_var_desc){.name = p->states[s].name, .kind = NRT_VAR_STATE, .slot = p->states[s].slot,
                                          .scale = scales[s], .unit = units[s]};
    for (int q = 0; q < p->nparams; q++)
        vars[d->nvars++] = (nrt_var_desc){.name = p->params[q].name, .kind = NRT_VAR_PARAM, .slot = p->params[q].slot,
                                          .scalar = !p->params[q].per_neuron, .scale = scales[p->nstates + q],
                                          .unit = units[p->nstates + q]};
    for (int k = 0; k < p->ninputs; k++)
        vars[d->nvars++] = (nrt_var_desc){.name = p->input_names[k], .kind = NRT_VAR_INPUT,
                                          .slot = p->input_slots[k], .scale = unit_scale(p->input_units[k]),
                                          .unit = unit_text(p->input_units[k])};
    d->vars = vars;
}

static const nrt_rule rules[] = {
    [CONN_ALL] = NRT_RULE_ALL, [CONN_ONE_TO_ONE] = NRT_RULE_ONE_TO_ONE, [CONN_PROB] = NRT_RULE_PROB,
    [CONN_INDEGREE] = NRT_RULE_INDEGREE, [CONN_OUTDEGREE] = NRT_RULE_OUTDEGREE, [CONN_MATRIX] = NRT_RULE_MATRIX,
    [CONN_POISSON] = NRT_RULE_POISSON,
};

static void fill_conn(DrvDesc *dd, const IrConn *c, nrt_conn_desc *d)
{
    d->name = c->label;
    d->stmt = c->stmt;
    d->pre = c->pre;
    d->post = c->post;
    d->pre_offset = c->pre_offset;
    d->post_offset = c->post_offset;
    d->pre_total = c->pre_total;
    d->post_total = c->post_total;
    d->self_offset = c->self_offset;
    d->rule = rules[c->rule];
    d->p = c->p;
    d->k = c->k;
    d->allow_self = c->allow_self;
    d->poisson_lambda = c->poisson_lambda;
    d->matrix = c->matrix;
    d->matrix_file = c->matrix_file;
    d->matrix_scale = c->matrix_scale > 0 ? c->matrix_scale : 1.0;
    d->dense = c->dense;
    d->weight_slot = c->weight_per_syn ? c->weight_slot : -1;
    d->narrays = c->narrays;
    d->nscalars = c->nscalars;
    d->hetero_delay = c->hetero_delay;
    d->delay_steps = c->delay_steps;
    d->post_index = c->on_post != NULL;
    d->sequential_events = sequential_events(c);
    d->sequential_sum = sequential_sum(c);
    d->last_slot = c->last_slot;
    nrt_syn_var *vars = xcalloc(dd, (size_t)c->nsyn_states + 1, sizeof *vars);
    vars[0] = (nrt_syn_var){.name = "w", .slot = c->weight_slot, .scalar = !c->weight_per_syn,
                            .scale = unit_scale(c->weight_unit), .unit = unit_text(c->weight_unit)};
    int n = 1;
    for (int k = 0; k < c->nsyn_states; k++) {
        const IrSynState *st = &c->syn_states[k];
        if (st->slot < 0)
            continue;
        vars[n++] = (nrt_syn_var){.name = st->name, .slot = st->slot, .decay = st->decay ? st->decay->value : 0,
                                  .scale = unit_scale(st->unit), .unit = unit_text(st->unit)};
    }
    d->nvars = n;
    d->vars = vars;
}

static int var_index(const nrt_conn_desc *c, const char *name)
{
    for (int k = 0; k < c->nvars; k++)
        if (strcmp(c->vars[k].name, name) == 0)
            return k;
    return 0;
}

DrvDesc *drv_desc_new(const IrModule *m)
{
    DrvDesc *dd = calloc(1, sizeof *dd);
    if (!dd)
        nrn_fatal_oom();
    dd->m = m;
    nrt_run_desc *r = &dd->run;
    r->network = m->network;
    r->dt = m->dt;
    r->nsteps = m->nsteps;
    r->seed = m->seed;
    r->npops = m->npops;
    nrt_pop_desc *pops = xcalloc(dd, (size_t)m->npops, sizeof *pops);
    nrt_source *sources = xcalloc(dd, (size_t)m->npops, sizeof *sources);
    for (int k = 0; k < m->npops; k++)
        fill_pop(dd, &m->pops[k], &pops[k], &sources[k]);
    r->pops = pops;
    r->ntraces = m->ntraces;
    nrt_trace_desc *traces = xcalloc(dd, (size_t)m->ntraces, sizeof *traces);
    for (int k = 0; k < m->ntraces; k++) {
        const IrTrace *t = &m->traces[k];
        traces[k] = (nrt_trace_desc){.pop = t->pop, .var = t->var, .slot = t->slot, .scalar = t->scalar,
                                     .lo = t->lo, .hi = t->hi, .index = t->index, .nindex = t->nindex, .every = t->every, .scale = unit_scale(t->unit),
                                     .unit = unit_text(t->unit)};
    }
    r->traces = traces;
    r->nrates = m->nrates;
    nrt_rate_desc *rates = xcalloc(dd, (size_t)m->nrates, sizeof *rates);
    for (int k = 0; k < m->nrates; k++)
        rates[k] = (nrt_rate_desc){.pop = m->rates[k].pop, .every = m->rates[k].every};
    r->rates = rates;
    r->nconns = m->nconns;
    nrt_conn_desc *conns = xcalloc(dd, (size_t)m->nconns, sizeof *conns);
    for (int k = 0; k < m->nconns; k++)
        fill_conn(dd, &m->conns[k], &conns[k]);
    r->conns = conns;
    r->nsyn_traces = m->nsyn_traces;
    nrt_syn_trace_desc *st = xcalloc(dd, (size_t)m->nsyn_traces, sizeof *st);
    for (int k = 0; k < m->nsyn_traces; k++) {
        const IrSynTrace *t = &m->syn_traces[k];
        st[k] = (nrt_syn_trace_desc){.file = t->file, .first = t->first, .count = t->count,
                                     .var = var_index(&conns[t->first], t->var), .every = t->every};
    }
    r->syn_traces = st;
    return dd;
}

void drv_desc_free(DrvDesc *dd)
{
    if (!dd)
        return;
    for (int k = 0; k < dd->nblocks; k++)
        free(dd->blocks[k]);
    free(dd->blocks);
    free(dd);
}

/* Every function slot of the description with the symbol cg gave that function; slots
 * whose function does not exist (no threshold, no on_post, ...) are skipped. */
bool drv_desc_each_fn(DrvDesc *dd, DrvFnVisit visit, void *ctx)
{
    const IrModule *m = dd->m;
    nrt_pop_desc *pops = (nrt_pop_desc *)dd->run.pops;
    nrt_conn_desc *conns = (nrt_conn_desc *)dd->run.conns;
    char name[64];
#define VISIT(slot, what, k)                                                                     \
    do {                                                                                         \
        cg_symbol_name(name, sizeof name, what, k);                                              \
        if (!visit(ctx, (void **)&(slot), name))                                                 \
            return false;                                                                        \
    } while (0)
    for (int k = 0; k < m->npops; k++) {
        const IrPop *p = &m->pops[k];
        VISIT(pops[k].init, "init", k);
        if (p->exact)
            VISIT(pops[k].derive, "derive", k);
        VISIT(pops[k].integrate, "integrate", k);
        if (p->threshold)
            VISIT(pops[k].fire, "fire", k);
        if (p->nobserved)
            VISIT(pops[k].observe, "observe", k);
    }
    bool pieces = cg_wants_pieces(m);
    for (int k = 0; k < m->nconns; k++) {
        const IrConn *c = &m->conns[k];
        if (c->rule == CONN_POISSON) {
            if (c->on_pre)
                VISIT(conns[k].poisson_fn, "conn_poisson", k);
            continue;
        }
        VISIT(conns[k].init, "conn_init", k);
        if (c->on_pre && !c->hetero_delay) {
            VISIT(conns[k].pre_fn, "conn_pre", k);
            if (pieces)
                VISIT(conns[k].piece_fn, "conn_pre_piece", k);
        }
        if (c->on_pre && c->hetero_delay)
            VISIT(conns[k].pre_syn_fn, "conn_pre_syn", k);
        if (c->on_post)
            VISIT(conns[k].post_fn, "conn_post", k);
        if (c->nsummed)
            VISIT(conns[k].summed_fn, "conn_summed", k);
    }
#undef VISIT
    return true;
}
