/* `nrnc emit ir`: the IR as readable text, one population at a time, with the chosen
 * integrator and the reason for it. Values are shown in SI (the IR's units). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ir.h"
#include "nrt.h"

static const char *op_text(IrOp op)
{
    switch (op) {
    case IR_ADD: return "+";
    case IR_SUB: return "-";
    case IR_MUL: return "*";
    case IR_DIV: return "/";
    case IR_MOD: return "%";
    case IR_POW: return "^";
    case IR_LT: return "<";
    case IR_GT: return ">";
    case IR_LE: return "<=";
    case IR_GE: return ">=";
    case IR_EQ: return "==";
    case IR_NE: return "!=";
    case IR_AND: return "and";
    case IR_OR: return "or";
    default: return "?";
    }
}

/* Whose names a leaf shows: a population's, or in connection code the synapse's and
 * those of the populations on either side. */
typedef struct Names {
    const IrPop *pop;
    const IrModule *m;
    const IrConn *conn;
} Names;

static void dump_expr(FILE *out, const Names *nm, const IrExpr *e);

static bool dump_side_leaf(FILE *out, const Names *nm, const IrExpr *e)
{
    if (e->side == SIDE_SELF || !nm->conn)
        return false;
    const IrConn *c = nm->conn;
    if (e->side == SIDE_SYN) {
        if (e->op == IR_WEIGHT)
            fputs("w", out);
        else
            fputs(c->syn_states[e->index].name, out);
        return true;
    }
    const char *side = e->side == SIDE_PRE ? "pre" : "post";
    const IrPop *p = &nm->m->pops[e->side == SIDE_PRE ? c->pre : c->post];
    switch (e->op) {
    case IR_STATE: fprintf(out, "%s.%s", side, p->states[e->index].name); return true;
    case IR_PARAM: fprintf(out, "%s.%s", side, p->params[e->index].name); return true;
    case IR_INPUT: fprintf(out, "%s.%s", side, p->input_names[e->index]); return true;
    case IR_INDEX: fprintf(out, "%s.i", side); return true;
    default: return false;
    }
}

static void dump_expr(FILE *out, const Names *nm, const IrExpr *e)
{
    const IrPop *pop = nm->pop;
    if (dump_side_leaf(out, nm, e))
        return;
    switch (e->op) {
    case IR_CONST: {
        char buf[40];
        nrt_format_double(e->value, buf, sizeof buf);
        fputs(buf, out);
        return;
    }
    case IR_STATE: fprintf(out, "%s", pop->states[e->index].name); return;
    case IR_PARAM: fprintf(out, "%s", pop->params[e->index].name); return;
    case IR_INPUT: fprintf(out, "%s", pop->input_names[e->index]); return;
    case IR_WEIGHT: fputs("w", out); return;
    case IR_TIME: fputs("t", out); return;
    case IR_DT: fputs("dt", out); return;
    case IR_INDEX: fputs("i", out); return;
    case IR_RAND: fputs("rand()", out); return;
    case IR_RANDN: fputs("randn()", out); return;
    case IR_NOISE: fprintf(out, "xi#%d", e->index); return;
    case IR_AUX: fprintf(out, "aux#%d", e->index); return;
    case IR_NEG: fputs("-(", out); dump_expr(out, nm, e->a); fputs(")", out); return;
    case IR_NOT: fputs("not (", out); dump_expr(out, nm, e->a); fputs(")", out); return;
    case IR_SELECT:
        fputs("(", out); dump_expr(out, nm, e->a); fputs(" ? ", out); dump_expr(out, nm, e->b);
        fputs(" : ", out); dump_expr(out, nm, e->c); fputs(")", out);
        return;
    case IR_CALL:
        if (e->fn == FN_TABLE)   /* listed at the top of the dump */
            fprintf(out, "table#%d(", e->index);
        else
            fprintf(out, "%s(", builtin_fn_name(e->fn));
        dump_expr(out, nm, e->a);
        if (e->b) {
            fputs(", ", out);
            dump_expr(out, nm, e->b);
        }
        fputs(")", out);
        return;
    default:
        fputs("(", out);
        dump_expr(out, nm, e->a);
        fprintf(out, " %s ", op_text(e->op));
        dump_expr(out, nm, e->b);
        fputs(")", out);
        return;
    }
}

void ir_dump_expr(FILE *out, const IrPop *pop, const IrExpr *e)
{
    Names nm = {.pop = pop};
    dump_expr(out, &nm, e);
}

static void dump_stmts(FILE *out, const Names *nm, const IrStmt *s, int depth)
{
    static const char *const ops[] = {"=", "+=", "-=", "*=", "/="};
    for (; s; s = s->next) {
        fprintf(out, "%*s", 4 + 2 * depth, "");
        if (s->is_if) {
            fputs("if ", out);
            dump_expr(out, nm, s->value);
            fputs("\n", out);
            dump_stmts(out, nm, s->then, depth + 1);
            if (s->els) {
                fprintf(out, "%*selse\n", 4 + 2 * depth, "");
                dump_stmts(out, nm, s->els, depth + 1);
            }
            continue;
        }
        IrExpr target = {.op = s->target, .side = s->side, .index = s->state};
        dump_expr(out, nm, &target);
        fprintf(out, " %s ", ops[s->op]);
        dump_expr(out, nm, s->value);
        fputc('\n', out);
    }
}

static void dump_exact(FILE *out, const IrPop *p)
{
    const IrExact *x = p->exact;
    fprintf(out, "  exact propagator over (");
    for (int r = 0; r < x->n; r++)
        fprintf(out, "%s%s", r ? ", " : "", p->states[x->states[r]].name);
    fprintf(out, "), %s: x' = P x + Q b, [P Q] from exp(A dt)\n",
            x->per_neuron ? "per neuron" : "once per population");
    for (int r = 0; r < x->n; r++) {
        fprintf(out, "    A[%s] = [", p->states[x->states[r]].name);
        for (int c = 0; c < x->n; c++) {
            if (c)
                fputs(", ", out);
            ir_dump_expr(out, p, x->A[r * x->n + c]);
        }
        fputs("]  b = ", out);
        ir_dump_expr(out, p, x->b[r]);
        fputc('\n', out);
    }
}

/* A constant shown in the unit the user wrote: "  (= 10 ms)". */
static void dump_in_unit(FILE *out, const IrExpr *e, DisplayUnit u)
{
    if (e->op != IR_CONST || !u.text || !(u.scale > 0) || (u.scale == 1 && strcmp(u.text, "1") == 0))
        return;
    char buf[40];
    snprintf(buf, sizeof buf, "%.12g", e->value / u.scale);
    fprintf(out, " (= %s %s)", buf, u.text);
}

static void dump_pop(FILE *out, const IrPop *p)
{
    fprintf(out, "population %s = %s[%lld]\n", p->name, p->model, (long long)p->size);
    fprintf(out, "  method %s  (%s)\n", builtin_method_name(p->method), p->method_reason ? p->method_reason : "");
    if (p->is_source && p->source_file)
        fprintf(out, "  spike source: spikes read from '%s' at set-up\n", p->source_file);
    else if (p->is_source)
        fprintf(out, "  spike source: %lld spikes given in the model\n", (long long)p->nsource);
    for (int k = 0; k < p->nparams; k++) {
        const IrParam *q = &p->params[k];
        fprintf(out, "  param %s = ", q->name);
        ir_dump_expr(out, p, q->value);
        dump_in_unit(out, q->value, q->unit);
        fprintf(out, "  [%s, %s, slot %d, shown in %s]\n", q->per_neuron ? "per neuron" : "uniform", q->origin,
                q->slot, q->unit.text ? q->unit.text : "1");
    }
    for (int k = 0; k < p->nstates; k++) {
        const IrState *s = &p->states[k];
        fprintf(out, "  state %s = ", s->name);
        ir_dump_expr(out, p, s->init);
        dump_in_unit(out, s->init, s->unit);
        fprintf(out, "  [array %d%s, shown in %s]\n", s->slot, s->held ? ", held while refractory" : "",
                s->unit.text ? s->unit.text : "1");
    }
    for (int k = 0; k < p->nstates; k++) {
        if (!p->states[k].deriv)
            continue;
        fprintf(out, "  d%s/dt = ", p->states[k].name);
        ir_dump_expr(out, p, p->states[k].deriv);
        fputc('\n', out);
    }
    if (p->exact)
        dump_exact(out, p);
    if (p->expeuler)
        fputs("  exponential Euler: x' = x + (a + b x) expm1(b dt)/b per state\n", out);
    for (int k = 0; k < p->nobserved; k++) {
        fprintf(out, "  observe %s = ", p->observed[k].name);
        ir_dump_expr(out, p, p->observed[k].value);
        fprintf(out, "  [array %d, for a trace]\n", p->observed[k].slot);
    }
    if (p->threshold) {
        fputs("  threshold ", out);
        ir_dump_expr(out, p, p->threshold);
        fputs(p->upward_crossing ? "  (upward crossing)\n" : "\n", out);
    }
    if (p->reset) {
        fputs("  reset\n", out);
        Names nm = {.pop = p};
        dump_stmts(out, &nm, p->reset, 0);
    }
    if (p->refractory) {
        fputs("  refractory ", out);
        ir_dump_expr(out, p, p->refractory);
        fputc('\n', out);
    }
    fprintf(out, "  storage: %d arrays of %lld doubles, %d scalars%s\n", p->narrays, (long long)p->size,
            p->nscalars, p->record_spikes ? "; spikes recorded" : "");
}

static const char *const rule_names[] = {
    [CONN_ALL] = "all", [CONN_ONE_TO_ONE] = "one_to_one", [CONN_PROB] = "prob", [CONN_INDEGREE] = "fixed_indegree",
    [CONN_OUTDEGREE] = "fixed_outdegree", [CONN_MATRIX] = "weight matrix", [CONN_POISSON] = "poisson",
};

static void dump_conn(FILE *out, const IrModule *m, const IrConn *c)
{
    Names nm = {.pop = &m->pops[c->post], .m = m, .conn = c};
    char num[40];
    fprintf(out, "connection %s: %s -> %s", c->label, c->pre >= 0 ? m->pops[c->pre].name : "poisson",
            m->pops[c->post].name);
    if (c->synapse)
        fprintf(out, " using %s", c->synapse);
    fprintf(out, " (statement %d; pre %lld.. of %lld, post %lld.. of %lld)\n", c->stmt + 1,
            (long long)c->pre_offset, (long long)c->pre_total, (long long)c->post_offset, (long long)c->post_total);
    fprintf(out, "  rule %s", rule_names[c->rule]);
    if (c->rule == CONN_PROB) {
        nrt_format_double(c->p, num, sizeof num);
        fprintf(out, "(%s)", num);
    } else if (c->rule == CONN_INDEGREE || c->rule == CONN_OUTDEGREE) {
        fprintf(out, "(%lld)", (long long)c->k);
    } else if (c->rule == CONN_POISSON) {
        nrt_format_double(c->poisson_lambda, num, sizeof num);
        fprintf(out, "(%lld trains; %s spikes per target per step)", (long long)c->k, num);
    }
    if (c->rule != CONN_POISSON && c->rule != CONN_MATRIX)
        fputs(c->allow_self ? "" : ", allow_self false", out);
    fputc('\n', out);
    fputs("  weight ", out);
    if (c->matrix)
        fputs("literal matrix", out);
    else if (c->matrix_file)
        fprintf(out, "file \"%s\"", c->matrix_file);
    else
        dump_expr(out, &nm, c->weight);
    fprintf(out, " (%s, shown in %s)%s\n", c->weight_per_syn ? "per synapse" : "one value for all synapses",
            c->weight_unit.text ? c->weight_unit.text : "1", c->dense ? "; kept dense for summed" : "");
    if (c->hetero_delay) {
        fputs("  delay ", out);
        dump_expr(out, &nm, c->delay);
        fputs(" (per synapse, rounded to steps)\n", out);
    } else if (c->rule != CONN_POISSON) {
        fprintf(out, "  delay %lld steps\n", (long long)c->delay_steps);
    }
    for (int k = 0; k < c->nsyn_states; k++) {
        const IrSynState *st = &c->syn_states[k];
        if (st->slot < 0)
            continue;
        fprintf(out, "  synapse state %s = ", st->name);
        dump_expr(out, &nm, st->init);
        if (st->decay) {
            nrt_format_double(st->decay->value, num, sizeof num);
            fprintf(out, "; (event) decay d%s/dt = %s * %s, applied at events", st->name, num, st->name);
        }
        fputc('\n', out);
    }
    if (c->on_pre) {
        fprintf(out, "  on_pre%s\n",
                c->rule == CONN_POISSON && c->pre_additive ? " (additive: k spikes in a step are one += k*value)" : "");
        dump_stmts(out, &nm, c->on_pre, 0);
    }
    if (c->on_post) {
        fputs("  on_post\n", out);
        dump_stmts(out, &nm, c->on_post, 0);
    }
    for (int k = 0; k < c->nsummed; k++) {
        fprintf(out, "  summed post.%s += ", m->pops[c->post].input_names[c->summed[k].input]);
        dump_expr(out, &nm, c->summed[k].value);
        fputc('\n', out);
    }
    fprintf(out, "  storage: rows by pre, 32-bit post indices, %d arrays per synapse, %d scalars\n", c->narrays,
            c->nscalars);
}

void ir_dump(FILE *out, const IrModule *m)
{
    char dt[40];
    nrt_format_double(m->dt, dt, sizeof dt);
    fprintf(out, "; nrnc IR, network %s: dt = %s s, %lld steps, seed %llu (values in SI units)\n", m->network, dt,
            (long long)m->nsteps, (unsigned long long)m->seed);
    for (int k = 0; k < m->ntables; k++) {
        const IrTable *tb = &m->tables[k];
        char step[40];
        nrt_format_double(tb->step, step, sizeof step);
        fprintf(out, "%stable#%d %s: %lld samples x %lld column%s, every %s s (one constant array)\n",
                k ? "" : "\n", k, tb->name, (long long)tb->nsamples, (long long)tb->ncols, tb->ncols == 1 ? "" : "s",
                step);
    }
    for (int k = 0; k < m->npops; k++) {
        fputc('\n', out);
        dump_pop(out, &m->pops[k]);
    }
    for (int k = 0; k < m->nconns; k++) {
        fputc('\n', out);
        dump_conn(out, m, &m->conns[k]);
    }
    for (int k = 0; k < m->nsyn_traces; k++)
        fprintf(out, "\nrecord %s of %s every %lld steps -> %s.csv\n", m->syn_traces[k].var,
                m->conns[m->syn_traces[k].first].label, (long long)m->syn_traces[k].every, m->syn_traces[k].file);
    for (int k = 0; k < m->ntraces; k++) {
        const IrTrace *t = &m->traces[k];
        if (t->index) {
            fprintf(out, "\nrecord %s of %s[", t->var, m->pops[t->pop].name);
            for (int64_t i = 0; i < t->nindex; i++)
                fprintf(out, "%s%lld", i ? ", " : "", (long long)t->index[i]);
            fprintf(out, "] every %lld steps (in %s)\n", (long long)t->every, t->unit.text);
            continue;
        }
        fprintf(out, "\nrecord %s of %s[%lld:%lld] every %lld steps (in %s)\n", t->var, m->pops[t->pop].name,
                (long long)t->lo, (long long)t->hi, (long long)t->every, t->unit.text);
    }
    for (int k = 0; k < m->nrates; k++)
        fprintf(out, "\nrecord rate of %s every %lld steps\n", m->pops[m->rates[k].pop].name,
                (long long)m->rates[k].every);
}
