/* The IR's symbolic analyses, checked by evaluating derivatives numerically and by the
 * integrator that solve_select picks (and why) on small hand-built populations. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ir.h"
#include "solve.h"

static int failures;
#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                     \
            printf(__VA_ARGS__);                                                            \
            printf("\n");                                                                   \
            failures++;                                                                     \
        }                                                                                   \
    } while (0)

/* Evaluates e with states x[] and params p[]. */
static double eval(const IrExpr *e, const double *x, const double *p)
{
    double a = e->a ? eval(e->a, x, p) : 0, b = e->b ? eval(e->b, x, p) : 0;
    switch (e->op) {
    case IR_CONST: return e->value;
    case IR_STATE: return x[e->index];
    case IR_PARAM: return p[e->index];
    case IR_NEG: return -a;
    case IR_ADD: return a + b;
    case IR_SUB: return a - b;
    case IR_MUL: return a * b;
    case IR_DIV: return a / b;
    case IR_POW: return pow(a, b);
    case IR_SELECT: return a != 0 ? b : eval(e->c, x, p);
    case IR_GT: return a > b;
    case IR_CALL:
        switch (e->fn) {
        case FN_EXP: return exp(a);
        case FN_LOG: return log(a);
        case FN_SQRT: return sqrt(a);
        case FN_SIN: return sin(a);
        case FN_COS: return cos(a);
        case FN_TANH: return tanh(a);
        case FN_SIGN: return (a > 0) - (a < 0);
        case FN_ABS: return fabs(a);
        default: return NAN;
        }
    default: return NAN;
    }
}

static IrExpr *S(Arena *a, int k) { return ir_leaf(a, IR_STATE, k); }
static IrExpr *P(Arena *a, int k) { return ir_leaf(a, IR_PARAM, k); }
static IrExpr *C(Arena *a, double v) { return ir_const(a, v); }
static IrExpr *B(Arena *a, IrOp op, IrExpr *x, IrExpr *y) { return ir_binary(a, op, x, y); }

static void test_folding(Arena *a)
{
    CHECK(ir_is_const(B(a, IR_MUL, C(a, 2), C(a, 3)), 6), "2*3 folds to 6");
    IrExpr *x = S(a, 0);
    CHECK(B(a, IR_ADD, x, C(a, 0)) == x, "x + 0 is x");
    CHECK(B(a, IR_MUL, C(a, 1), x) == x, "1 * x is x");
    CHECK(ir_is_const(B(a, IR_MUL, x, C(a, 0)), 0), "x * 0 is 0");
    CHECK(ir_call(a, FN_EXP, C(a, 0), NULL)->op == IR_CONST, "exp(0) folds");
    CHECK(ir_select(a, C(a, 1), x, C(a, 5)) == x, "true ? x : 5 is x");
}

/* d/dx of each expression against a central difference at a few points. */
static void test_diff(Arena *a)
{
    IrExpr *x = S(a, 0), *y = S(a, 1);
    IrExpr *cases[] = {
        B(a, IR_MUL, x, x),
        B(a, IR_DIV, C(a, 3), x),
        ir_call(a, FN_EXP, B(a, IR_MUL, C(a, -0.5), x), NULL),
        B(a, IR_MUL, ir_call(a, FN_TANH, x, NULL), y),
        B(a, IR_POW, x, C(a, 3)),
        ir_call(a, FN_SQRT, B(a, IR_ADD, x, C(a, 4)), NULL),
        B(a, IR_SUB, ir_call(a, FN_SIN, x, NULL), ir_call(a, FN_COS, B(a, IR_MUL, x, y), NULL)),
        ir_call(a, FN_LOG, B(a, IR_MUL, x, x), NULL),
    };
    const double pts[][2] = {{0.7, 1.3}, {1.9, -0.4}, {2.5, 0.1}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        IrExpr *d = ir_diff(a, cases[c], 0);
        CHECK(d != NULL, "case %zu differentiable", c);
        if (!d)
            continue;
        for (size_t k = 0; k < 3; k++) {
            double h = 1e-6, lo[2] = {pts[k][0] - h, pts[k][1]}, hi[2] = {pts[k][0] + h, pts[k][1]};
            double num = (eval(cases[c], hi, NULL) - eval(cases[c], lo, NULL)) / (2 * h);
            double sym = eval(d, pts[k], NULL);
            CHECK(fabs(num - sym) < 1e-5 * (1 + fabs(sym)), "case %zu at %g: %g vs %g", c, pts[k][0], sym, num);
        }
    }
    /* piecewise functions of a state have no closed-form derivative */
    CHECK(ir_diff(a, ir_call(a, FN_FLOOR, x, NULL), 0) == NULL, "floor(x)");
    CHECK(ir_diff(a, ir_select(a, B(a, IR_GT, x, C(a, 0)), x, C(a, 0)), 0) == NULL, "x > 0 ? x : 0");
    CHECK(ir_is_const(ir_diff(a, B(a, IR_MUL, y, y), 0), 0), "d(y^2)/dx is 0");
}

static IrPop *pop2(Arena *a, IrExpr *fx, IrExpr *fy)
{
    IrPop *p = ARENA_NEW(a, IrPop);
    p->name = "P";
    p->size = 1;
    p->nstates = 2;
    p->states = ARENA_ARRAY(a, IrState, 2);
    p->states[0] = (IrState){.name = "v", .deriv = fx, .slot = 0};
    p->states[1] = (IrState){.name = "g", .deriv = fy, .slot = 1};
    p->narrays = 2;
    p->nparams = 1;
    p->params = ARENA_ARRAY(a, IrParam, 1);
    p->params[0] = (IrParam){.name = "tau", .value = C(a, 0.01)};
    return p;
}

static IrMethod choose(Arena *a, IrPop *p, const char **reason)
{
    IrModule m = {.npops = 1, .pops = p, .network = "N"};
    Diags d;
    diag_init(&d, a);
    CHECK(solve_select(a, &d, &m, NULL), "solve_select reports no error");
    diag_fini(&d);
    *reason = p->method_reason;
    return p->method;
}

static void test_choice(Arena *a)
{
    const char *why;
    /* v driven by g, g decaying: coupled, linear, constant coefficients */
    IrPop *lin = pop2(a, B(a, IR_DIV, B(a, IR_ADD, ir_unary(a, IR_NEG, S(a, 0)), S(a, 1)), P(a, 0)),
                      B(a, IR_DIV, ir_unary(a, IR_NEG, S(a, 1)), C(a, 0.005)));
    CHECK(choose(a, lin, &why) == METHOD_EXACT, "coupled linear system -> exact");
    CHECK(strcmp(why, "linear, constant coefficients -> exact") == 0, "reason: %s", why);
    CHECK(lin->exact && lin->exact->n == 2 && !lin->exact->per_neuron, "2x2 propagator, uniform");
    CHECK(ir_is_const(lin->exact->A[1 * 2 + 0], 0), "A[g][v] = 0");
    /* gate-like: linear in its own variable with a coefficient depending on the other */
    IrPop *gate = pop2(a, B(a, IR_MUL, ir_call(a, FN_EXP, S(a, 1), NULL), B(a, IR_SUB, C(a, 1), S(a, 0))),
                       B(a, IR_DIV, ir_unary(a, IR_NEG, S(a, 1)), P(a, 0)));
    CHECK(choose(a, gate, &why) == METHOD_EXPEULER, "affine in own variable -> expeuler (%s)", why);
    /* quadratic: rk4 */
    IrPop *quad = pop2(a, B(a, IR_MUL, S(a, 0), S(a, 0)), C(a, 0));
    CHECK(choose(a, quad, &why) == METHOD_RK4, "v^2 -> rk4 (%s)", why);
    /* time-dependent drive excludes exact */
    IrPop *timed = pop2(a, B(a, IR_SUB, ir_leaf(a, IR_TIME, 0), S(a, 0)), C(a, 0));
    CHECK(choose(a, timed, &why) != METHOD_EXACT, "t in an ODE excludes exact (%s)", why);
    /* a coefficient from a per-neuron param gives per-neuron propagators */
    IrPop *het = pop2(a, B(a, IR_DIV, ir_unary(a, IR_NEG, S(a, 0)), P(a, 0)), C(a, 0));
    het->params[0].per_neuron = true;
    CHECK(choose(a, het, &why) == METHOD_EXACT && het->exact->per_neuron, "per-neuron tau -> per-neuron P");
}

int main(void)
{
    Arena a;
    arena_init(&a);
    test_folding(&a);
    test_diff(&a);
    test_choice(&a);
    arena_fini(&a);
    if (failures)
        printf("%d failure(s)\n", failures);
    else
        printf("ir: all checks passed\n");
    return failures != 0;
}
