/* `nrnc emit ir`: the IR as readable text, one population at a time, with the chosen
 * integrator and the reason for it. Values are shown in SI (the IR's units). */
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

void ir_dump_expr(FILE *out, const IrPop *pop, const IrExpr *e)
{
    switch (e->op) {
    case IR_CONST: {
        char buf[40];
        nrt_format_double(e->value, buf, sizeof buf);
        fputs(buf, out);
        return;
    }
    case IR_STATE: fprintf(out, "%s", pop->states[e->index].name); return;
    case IR_PARAM: fprintf(out, "%s", pop->params[e->index].name); return;
    case IR_INPUT: fprintf(out, "input#%d", e->index); return;
    case IR_TIME: fputs("t", out); return;
    case IR_DT: fputs("dt", out); return;
    case IR_INDEX: fputs("i", out); return;
    case IR_RAND: fputs("rand()", out); return;
    case IR_RANDN: fputs("randn()", out); return;
    case IR_NOISE: fprintf(out, "xi#%d", e->index); return;
    case IR_AUX: fprintf(out, "aux#%d", e->index); return;
    case IR_NEG: fputs("-(", out); ir_dump_expr(out, pop, e->a); fputs(")", out); return;
    case IR_NOT: fputs("not (", out); ir_dump_expr(out, pop, e->a); fputs(")", out); return;
    case IR_SELECT:
        fputs("(", out); ir_dump_expr(out, pop, e->a); fputs(" ? ", out); ir_dump_expr(out, pop, e->b);
        fputs(" : ", out); ir_dump_expr(out, pop, e->c); fputs(")", out);
        return;
    case IR_CALL:
        fprintf(out, "%s(", ir_fn_name(e->fn));
        ir_dump_expr(out, pop, e->a);
        if (e->b) {
            fputs(", ", out);
            ir_dump_expr(out, pop, e->b);
        }
        fputs(")", out);
        return;
    default:
        fputs("(", out);
        ir_dump_expr(out, pop, e->a);
        fprintf(out, " %s ", op_text(e->op));
        ir_dump_expr(out, pop, e->b);
        fputs(")", out);
        return;
    }
}

static void dump_stmts(FILE *out, const IrPop *p, const IrStmt *s, int depth)
{
    static const char *const ops[] = {"=", "+=", "-=", "*=", "/="};
    for (; s; s = s->next) {
        fprintf(out, "%*s", 4 + 2 * depth, "");
        if (!s->is_if) {
            fprintf(out, "%s %s ", p->states[s->state].name, ops[s->op]);
            ir_dump_expr(out, p, s->value);
            fputc('\n', out);
            continue;
        }
        fputs("if ", out);
        ir_dump_expr(out, p, s->value);
        fputs("\n", out);
        dump_stmts(out, p, s->then, depth + 1);
        if (s->els) {
            fprintf(out, "%*selse\n", 4 + 2 * depth, "");
            dump_stmts(out, p, s->els, depth + 1);
        }
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
    fprintf(out, "  method %s  (%s)\n", ir_method_name(p->method), p->method_reason ? p->method_reason : "");
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
        dump_stmts(out, p, p->reset, 0);
    }
    if (p->refractory) {
        fputs("  refractory ", out);
        ir_dump_expr(out, p, p->refractory);
        fputc('\n', out);
    }
    fprintf(out, "  storage: %d arrays of %lld doubles, %d scalars%s\n", p->narrays, (long long)p->size,
            p->nscalars, p->record_spikes ? "; spikes recorded" : "");
}

void ir_dump(FILE *out, const IrModule *m)
{
    char dt[40];
    nrt_format_double(m->dt, dt, sizeof dt);
    fprintf(out, "; nrnc IR, network %s: dt = %s s, %lld steps, seed %llu (values in SI units)\n", m->network, dt,
            (long long)m->nsteps, (unsigned long long)m->seed);
    for (int k = 0; k < m->npops; k++) {
        fputc('\n', out);
        dump_pop(out, &m->pops[k]);
    }
    for (int k = 0; k < m->ntraces; k++) {
        const IrTrace *t = &m->traces[k];
        fprintf(out, "\nrecord %s of %s[%lld:%lld] every %lld steps (in %s)\n", t->var, m->pops[t->pop].name,
                (long long)t->lo, (long long)t->hi, (long long)t->every, t->unit.text);
    }
    for (int k = 0; k < m->nrates; k++)
        fprintf(out, "\nrecord rate of %s every %lld steps\n", m->pops[m->rates[k].pop].name,
                (long long)m->rates[k].every);
}
