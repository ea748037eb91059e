/* Tests of the front end (lang/): tree shapes, the layout rules of LANGUAGE.md §1, syntax
 * error messages and positions, and robustness against hostile input.
 *
 * Two parts. The unit tests below parse snippets with parse_text and assert on the tree
 * (expressions are compared through ast_dump_expr, which parenthesises everything) or on
 * the diagnostics text. The golden tests parse every cases/NAME.nrn with parse_file and
 * compare with cases/NAME.err (the diagnostics, when the case is an error case) or
 * cases/NAME.ast (ast_dump of an error-free case); `--update` rewrites those files, to be
 * reviewed with git diff.
 *
 * Usage: test_parse CASES_DIR [--update] [--quick]   (--quick skips the large inputs,
 * for runs under valgrind) */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"

static int failures, checks;
static bool quick, update;

#define CHECK(cond, ...)                                                            \
    do {                                                                            \
        checks++;                                                                   \
        if (!(cond)) {                                                              \
            failures++;                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n    ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                           \
            fputc('\n', stderr);                                                    \
        }                                                                           \
    } while (0)

#define CHECK_STR(got, want) \
    CHECK(strcmp((got), (want)) == 0, "got  '%s'\n    want '%s'", (got), (want))

#define CHECK_HAS(text, part) \
    CHECK(strstr((text), (part)) != NULL, "'%s' not found in:\n%s", (part), (text))

/* ---- Helpers -------------------------------------------------------------------------- */

/* One parse: the tree and the diagnostics as printed. */
typedef struct P {
    Arena a;
    Diags d;
    AstFile *f;
    char *errs;             /* malloc'd */
    int nerrors;
} P;

static void flush_to_string(P *p)
{
    size_t len = 0;
    FILE *m = open_memstream(&p->errs, &len);
    if (p->d.nmsgs > 0)     /* diag_flush qsorts d->msgs, NULL when there are none */
        diag_flush(&p->d, m);
    fclose(m);
}

static void p_text(P *p, const char *src, size_t size)
{
    arena_init(&p->a);
    diag_init(&p->d, &p->a);
    p->f = parse_text(&p->a, &p->d, "t.nrn", src, size);
    p->nerrors = p->d.nerrors;
    flush_to_string(p);
}

static void p_src(P *p, const char *src) { p_text(p, src, strlen(src)); }

static void p_free(P *p)
{
    free(p->errs);
    diag_fini(&p->d);
    arena_fini(&p->a);
}

static char *expr_string(const AstExpr *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ast_dump_expr(m, e);
    fclose(m);
    return buf;
}

static const AstDecl *first_decl(const P *p)
{
    const AstItem *it = p->f ? p->f->items : NULL;
    return it && (it->kind == ITEM_NEURON || it->kind == ITEM_SYNAPSE) ? it->u.model.decls : NULL;
}

static const AstNetItem *first_net(const P *p)
{
    const AstItem *it = p->f ? p->f->items : NULL;
    return it && it->kind == ITEM_NETWORK ? it->u.network.items : NULL;
}

/* Parses `let x = SRC` in a neuron and returns the value printed fully parenthesised, or
 * "ERROR: <diagnostics>". Caller frees. */
static char *parse_expr(const char *src)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    fprintf(m, "neuron T {\n    let x = %s\n}\n", src);
    fclose(m);
    P p;
    p_src(&p, text);
    free(text);
    char *out;
    const AstDecl *d = first_decl(&p);
    if (p.nerrors || !d) {
        out = malloc(strlen(p.errs) + 8);
        sprintf(out, "ERROR: %s", p.errs);
    } else {
        out = expr_string(d->value);
    }
    p_free(&p);
    return out;
}

#define CHECK_EXPR(src, want)                                                       \
    do {                                                                            \
        char *got_ = parse_expr(src);                                               \
        CHECK(strcmp(got_, want) == 0, "%s\n    got  %s\n    want %s", src, got_, want); \
        free(got_);                                                                 \
    } while (0)

/* Parses src and checks that it has no errors. */
#define CHECK_CLEAN(src)                                                            \
    do {                                                                            \
        P p_;                                                                       \
        p_src(&p_, src);                                                            \
        CHECK(p_.nerrors == 0, "unexpected errors for:\n%s\n%s", src, p_.errs);     \
        p_free(&p_);                                                                \
    } while (0)

/* Parses src and checks that the diagnostics contain `part`. */
#define CHECK_ERROR(src, part)                                                      \
    do {                                                                            \
        P p_;                                                                       \
        p_src(&p_, src);                                                            \
        CHECK(p_.nerrors > 0 && strstr(p_.errs, part), "for:\n%s\nwanted '%s', got:\n%s", \
              src, part, p_.errs);                                                  \
        p_free(&p_);                                                                \
    } while (0)

/* ---- Expressions ---------------------------------------------------------------------- */

static void test_precedence(void)
{
    static const char *const cases[][2] = {
        {"a ? b : c or d", "(a ? b : (c or d))"},
        {"a ? b : c ? d : e", "(a ? b : (c ? d : e))"},
        {"a or b ? c : d", "((a or b) ? c : d)"},
        {"a or b and c", "(a or (b and c))"},
        {"a and b or c", "((a and b) or c)"},
        {"not a and b", "((not a) and b)"},
        {"not a < b", "(not (a < b))"},
        {"not not a", "(not (not a))"},
        {"a && b || !c", "((a and b) or (not c))"},
        {"a + b < c * d", "((a + b) < (c * d))"},
        {"a == b", "(a == b)"},
        {"a != b and c >= d", "((a != b) and (c >= d))"},
        {"a <= b or c > d", "((a <= b) or (c > d))"},
        {"a - b - c", "((a - b) - c)"},
        {"a - b + c", "((a - b) + c)"},
        {"a / b * c % d", "(((a / b) * c) % d)"},
        {"a + b * c", "(a + (b * c))"},
        {"-a * b", "((-a) * b)"},
        {"+a", "(+a)"},
        {"a * -b", "(a * (-b))"},
        {"-x^2", "(-(x ^ 2))"},
        {"a^b^c", "(a ^ (b ^ c))"},
        {"x^-2", "(x ^ (-2))"},
        {"2^-x^2", "(2 ^ (-(x ^ 2)))"},
        {"(a + b) * c", "((a + b) * c)"},
        {"-v / 10 ms", "((-v) / (10 ms))"},
        {"-v / (10 ms)", "((-v) / (10 ms))"},
        {"2 mV^2", "(2 mV^2)"},
        {"1.5 uA/cm^2", "(1.5 uA/cm^2)"},
        {"2 mV/ms", "(2 mV/ms)"},
        {"10ms", "(10 ms)"},
        {"10 ms / 2", "((10 ms) / 2)"},
        {"2 * 3 ms", "(2 * (3 ms))"},
        {"(2 ms)^2", "((2 ms) ^ 2)"},
        {"0.5 nA * (t > 50 ms)", "((0.5 nA) * (t > (50 ms)))"},
        {"pre.v + post.i", "(pre.v + post.i)"},
        {"clip(w + a, 0, w_max)", "clip((w + a), 0, w_max)"},
        {"rand() < rate * dt", "(rand() < (rate * dt))"},
        {"uniform(-60 mV, -50 mV)", "uniform((-(60 mV)), (-(50 mV)))"},
        {"[[0.5, 0], [0, 1.5]] nA", "([[0.5, 0], [0, 1.5]] nA)"},
        {"[[10 ms, 25 ms], [12 ms]]", "[[(10 ms), (25 ms)], [(12 ms)]]"},
        {"[1, 2,]", "[1, 2]"},
        {"[]", "[]"},
        {"\"input.csv\"", "\"input.csv\""},
        {"true or false", "(true or false)"},
        {"dv/dt", "(dv / dt)"},
        {"dv/dt == 0", "((dv / dt) == 0)"},
        {"x / dt", "(x / dt)"},
        {"(i == 0) * 1.0", "((i == 0) * 1.0)"},
        {"a +\n  b", "(a + b)"},
        {"f(a,\n  b)", "f(a, b)"},
        {"c ?\n a :\n b", "(c ? a : b)"},
        {"a and\n b", "(a and b)"},
        {"(a\n + b)", "(a + b)"},
        {"rate * delay + weight - file + hold * seed + every + of + rule + using + as",
         "(((((((((rate * delay) + weight) - file) + (hold * seed)) + every) + of) + rule) + "
         "using) + as)"},
        {"abs(x / y) < 1e-6 ? y * (1 - x / y / 2) : x / (exp(x / y) - 1)",
         "((abs((x / y)) < 1e-6) ? (y * (1 - ((x / y) / 2))) : (x / (exp((x / y)) - 1)))"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EXPR(cases[i][0], cases[i][1]);
}

static void test_literals(void)
{
    static const struct { const char *src; double value; const char *text; } nums[] = {
        {"12", 12, "12"}, {"1.5", 1.5, "1.5"}, {".5", 0.5, ".5"}, {"1e-3", 1e-3, "1e-3"},
        {"2.5E+2", 250, "2.5E+2"}, {"5.", 5, "5."}, {"true", 1, "true"}, {"false", 0, "false"},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char src[128];
        snprintf(src, sizeof src, "neuron T { let x = %s }", nums[i].src);
        P p;
        p_src(&p, src);
        const AstDecl *d = first_decl(&p);
        CHECK(d && d->value->kind == AST_NUM && d->value->u.num.value == nums[i].value &&
                  strcmp(d->value->u.num.text, nums[i].text) == 0 && !d->value->u.num.unit,
              "number %s", nums[i].src);
        p_free(&p);
    }

    /* Unit terms become factors with rational exponents, denominators negative. */
    typedef struct {
        const char *src;
        int n;
        const char *name[3];
        int num[3], den[3];
    } UnitCase;
    static const UnitCase units[] = {
        {"2 mV^2", 1, {"mV"}, {2}, {1}},
        {"1.5 uA/cm^2", 2, {"uA", "cm"}, {1, -2}, {1, 1}},
        {"2 mV/ms", 2, {"mV", "ms"}, {1, -1}, {1, 1}},
        {"4 um^2", 1, {"um"}, {2}, {1}},
        {"3 ms^-1", 1, {"ms"}, {-1}, {1}},
        {"1 s^(1/2)", 1, {"s"}, {1}, {2}},
        {"1 s^0.5", 1, {"s"}, {1}, {2}},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        char src[128];
        snprintf(src, sizeof src, "neuron T { let x = %s }", units[i].src);
        P p;
        p_src(&p, src);
        const AstDecl *d = first_decl(&p);
        const AstUnit *u = d && d->value->kind == AST_NUM ? d->value->u.num.unit : NULL;
        bool ok = u && u->nfactors == units[i].n;
        for (int k = 0; ok && k < u->nfactors; k++)
            ok = strcmp(u->factors[k].name, units[i].name[k]) == 0 &&
                 u->factors[k].num == units[i].num[k] && u->factors[k].den == units[i].den[k];
        CHECK(ok, "unit of %s: %s", units[i].src, p.errs);
        p_free(&p);
    }

    /* Annotations: `1`, products, fractional exponents, parentheses, spaces. */
    static const UnitCase anns[] = {
        {"1", 1, {NULL}, {1}, {1}},
        {"1/s", 2, {NULL, "s"}, {1, -1}, {1, 1}},
        {"uS/cm^2", 2, {"uS", "cm"}, {1, -2}, {1, 1}},
        {"mV^2", 1, {"mV"}, {2}, {1}},
        {"ms^0.5", 1, {"ms"}, {1}, {2}},
        {"1/s^(1/2)", 2, {NULL, "s"}, {1, -1}, {1, 2}},
        {"nA*ms/mV", 3, {"nA", "ms", "mV"}, {1, 1, -1}, {1, 1, 1}},
        {"(mV/ms)^2", 2, {"mV", "ms"}, {2, -2}, {1, 1}},
        {"mV / ms", 2, {"mV", "ms"}, {1, -1}, {1, 1}},
    };
    for (size_t i = 0; i < sizeof anns / sizeof anns[0]; i++) {
        char src[128];
        snprintf(src, sizeof src, "neuron T {\n param x : %s = 1\n}", anns[i].src);
        P p;
        p_src(&p, src);
        const AstDecl *d = first_decl(&p);
        const AstUnit *u = d ? d->unit : NULL;
        bool ok = u && u->nfactors == anns[i].n && strcmp(u->text, anns[i].src) == 0;
        for (int k = 0; ok && k < u->nfactors; k++) {
            const char *want = anns[i].name[k], *got = u->factors[k].name;
            ok = (want ? got && strcmp(got, want) == 0 : got == NULL) &&
                 u->factors[k].num == anns[i].num[k] && u->factors[k].den == anns[i].den[k];
        }
        CHECK(ok, "annotation ': %s': %s", anns[i].src, p.errs);
        if (u && u->nfactors > 0 && i == 2)     /* uS/cm^2 at column 12; cm at 15 */
            CHECK(u->loc.col == 12 && u->factors[1].loc.col == 15 &&
                      u->factors[1].loc.len == 2, "factor locations");
        p_free(&p);
    }
    CHECK_CLEAN("neuron T {\n input h\n input I : nA\n input g: 1 }");
    CHECK_ERROR("neuron T { param x : = 1 }", "1:22: error: expected a unit after ':', found '='");
    CHECK_ERROR("neuron T { param x : mV/ = 1 }", "expected a unit name");
    CHECK_ERROR("neuron T { param x : mV^(1/0) = 1 }", "zero denominator");
    CHECK_ERROR("neuron T { param x : mV^99999 = 1 }", "exponent too large");
    CHECK_ERROR("neuron T { param x = 1e999 }", "number '1e999' is too large");
}

static void test_ode(void)
{
    P p;
    p_src(&p, "neuron T {\n    dv/dt = -v / tau\n    dx_1/dt=-x_1\n"
              "    dg/dt = -g / tau (event)\n    dh/dt = -h / tau ( event )\n}\n");
    const AstDecl *d = first_decl(&p);
    CHECK(p.nerrors == 0, "%s", p.errs);
    if (d && d->next && d->next->next && d->next->next->next) {
        CHECK(d->kind == DECL_ODE && strcmp(d->name, "v") == 0 && !d->event, "dv/dt");
        CHECK(d->loc.line == 2 && d->loc.col == 5 && d->loc.len == 5, "ODE head location");
        CHECK(d->name_loc.col == 6 && d->name_loc.len == 1, "ODE name location");
        char *s = expr_string(d->value);
        CHECK_STR(s, "((-v) / tau)");
        free(s);
        CHECK(strcmp(d->next->name, "x_1") == 0 && d->next->name_loc.len == 3, "dx_1/dt");
        CHECK(d->next->next->event && d->next->next->next->event, "(event) flags");
    } else {
        CHECK(false, "four ODEs expected");
    }
    p_free(&p);

    /* `dX/dt` followed by an identifier character or by `==` is a division. */
    CHECK_EXPR("dv/dtx", "(dv / dtx)");
    CHECK_EXPR("dv/dt== 0", "((dv / dt) == 0)");
    CHECK_ERROR("neuron T {\n  dv/dtx = 1\n}", "2:3: error:");
    CHECK_ERROR("neuron T {\n  reset { dv/dt = 1 }\n}", "found 'dv/dt'");
    CHECK_ERROR("neuron T {\n  dv/dt = 1 (event) (event)\n}", "2:21: error:");
    CHECK_ERROR("neuron T {\n  param event = 1\n}", "expected a name after 'param', found 'event'");
}

/* ---- Layout: where statements end ----------------------------------------------------- */

static void test_layout(void)
{
    CHECK_CLEAN("");
    CHECK_CLEAN("\n\n# only a comment\n   \n");
    CHECK_CLEAN("neuron A\n{\n    param x = 1\n}\n");
    CHECK_CLEAN("neuron A { param x = 1; param y = 2 }");
    CHECK_CLEAN("neuron A { param x = 1;; ;\n;param y = 2; }");
    CHECK_CLEAN("neuron A {\n\n  # comment\n  param x = 1   # trailing\n\n\n  param y = 2\n\n"
                "}\n\n");
    CHECK_CLEAN("neuron A {\r\n  param x = 1\r\n  param y = 2\r\n}\r\n");
    CHECK_CLEAN("neuron A {\n\tparam x =\t1\n}");                 /* tabs, no final newline */
    CHECK_CLEAN("neuron A {\n  param x =\n    5\n  param y = 1 +\n 2 *\n 3\n}");
    CHECK_CLEAN("neuron A { reset { v = 0 } threshold v > 1 }");   /* '}' ends an item */
    CHECK_CLEAN("neuron A { reset { v = 0 } on_post { u = 1 } }");
    CHECK_CLEAN("neuron A {\n reset {\n  if v > 1\n  {\n   v = 0\n  }\n  # c\n  else\n  {\n"
                "   v = 1\n  }\n }\n}");
    CHECK_CLEAN("neuron A {\n reset\n {\n  v = 0\n }\n}");
    CHECK_CLEAN("neuron A { reset if v > 1 { v = 0 } else { v = 1 } }");
    CHECK_CLEAN("neuron A { reset { if a { } else if b { } else if c { x = 1 } else { } } }");
    CHECK_CLEAN("network N {\n connect E,\n  I ->\n  E {\n rule prob(\n 0.1)\n }\n"
                " record spikes of E,\n  I\n}");

    /* A newline ends a statement unless something says it continues. */
    CHECK_ERROR("neuron A {\n  param x = 1 param y = 2\n}",
                "2:15: error: expected an operator or newline after '1', found 'param'");
    CHECK_ERROR("neuron A {\n  param x = 1\n  + 2\n}", "3:3: error: expected a declaration");
    /* `0 u` is a quantity literal (a word after a number is a unit): the error is at = */
    CHECK_ERROR("neuron A {\n  reset { v = 0 u = 1 }\n}", "2:19: error:");
    CHECK_ERROR("neuron A {\n  reset { v = x u = 1 }\n}", "2:17: error:");
    CHECK_ERROR("neuron A {\n  threshold\n    v > 1\n}", "2:12: error: expected an expression "
                "after 'threshold', found newline");
    CHECK_ERROR("neuron A { } neuron B { } simulate X for 1 s neuron C { }", "1:46: error:");
}

/* ---- Models, networks and the rest ---------------------------------------------------- */

static void test_model_decls(void)
{
    P p;
    p_src(&p, "neuron T {\n  param tau : ms = 10 ms\n  state v = 0\n  input h : nA\n"
              "  threshold v > 1\n"
              "  reset v = 0; reset { v += 1; v -= 1; v *= 2; v /= 2; post.x = 1 }\n"
              "  refractory 2 ms hold v, w\n  method rk4\n  on_pre { }\n}");
    CHECK(p.nerrors == 0, "%s", p.errs);
    const AstDecl *d = first_decl(&p);
    static const AstDeclKind kinds[] = {DECL_PARAM, DECL_STATE, DECL_INPUT, DECL_THRESHOLD,
                                        DECL_RESET, DECL_RESET, DECL_REFRACTORY, DECL_METHOD,
                                        DECL_ON_PRE};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++, d = d ? d->next : NULL)
        CHECK(d && d->kind == kinds[i], "declaration %zu", i);
    d = first_decl(&p);
    if (d && p.nerrors == 0) {
        CHECK(strcmp(d->name, "tau") == 0 && d->name_loc.col == 9 && d->unit &&
                  strcmp(d->unit->text, "ms") == 0, "param");
        const AstDecl *in = d->next->next;
        CHECK(in->value == NULL && strcmp(in->unit->text, "nA") == 0, "input");
        const AstDecl *r1 = in->next->next, *r2 = r1->next;
        CHECK(r1->body && r1->body->kind == STMT_ASSIGN && !r1->body->next, "reset stmt");
        const AstStmt *s = r2->body;
        static const AstAssignOp ops[] = {ASSIGN_ADD, ASSIGN_SUB, ASSIGN_MUL, ASSIGN_DIV,
                                          ASSIGN_SET};
        for (int i = 0; i < 5; i++, s = s ? s->next : NULL)
            CHECK(s && s->u.assign.op == ops[i], "assignment op %d", i);
        const AstStmt *last = r2->body->next->next->next->next;
        CHECK(last && last->u.assign.target->kind == AST_FIELD &&
                  strcmp(last->u.assign.target->u.field.name, "x") == 0 &&
                  strcmp(last->u.assign.target->u.field.object->u.name.name, "post") == 0,
              "post.x target");
        const AstDecl *rf = r2->next;
        CHECK(rf->hold && strcmp(rf->hold->name, "v") == 0 && rf->hold->next &&
                  strcmp(rf->hold->next->name, "w") == 0 && rf->hold->next->loc.col == 27,
              "hold list");
        char *v = expr_string(rf->value);
        CHECK_STR(v, "(2 ms)");
        free(v);
        CHECK(strcmp(rf->next->name, "rk4") == 0, "method");
        CHECK(rf->next->next->body == NULL, "empty on_pre");
    }
    p_free(&p);

    /* else-if chains nest through els. */
    p_src(&p, "neuron T { reset { if a { x = 1 } else if b { x = 2 } else { x = 3; y = 4 } } }");
    const AstStmt *s = first_decl(&p) ? first_decl(&p)->body : NULL;
    CHECK(s && s->kind == STMT_IF && s->u.branch.els && s->u.branch.els->kind == STMT_IF &&
              s->u.branch.els->u.branch.els && s->u.branch.els->u.branch.els->next,
          "else if chain: %s", p.errs);
    p_free(&p);

    /* Positional words are names outside their positions; keywords are not. */
    CHECK_CLEAN("neuron T {\n param rate = 1\n state delay = 0\n state weight = 0\n let hold = 1\n"
                " let for = 2\n let seed = 3\n let every = 4\n let of = 5\n let rule = 6\n"
                " let using = 7\n let file = 8\n let as = 9\n let allow_self = 10\n let poisson = 11\n"
                " state spikes = 0\n state times = 0\n reset { weight += rate; delay = 0 }\n}");
    static const char *const reserved[] = {
        "neuron", "synapse", "network", "import", "function", "param", "state", "let", "input",
        "threshold", "reset", "refractory", "method", "population", "connect", "record",
        "simulate", "on_pre", "on_post", "summed", "event", "if", "else", "and", "or", "not",
        "true", "false",
    };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        char src[96], want[96];
        snprintf(src, sizeof src, "neuron T {\n  param %s = 1\n}", reserved[i]);
        snprintf(want, sizeof want, "2:9: error: expected a name after 'param', found '%s'",
                 reserved[i]);
        CHECK_ERROR(src, want);
    }
}

static void test_network(void)
{
    P p;
    p_src(&p,
          "network N {\n"
          "  param N_E : 1 = 3200\n"
          "  population E = LIF[N_E / 4](tau = 10 ms, v0 = -60 mV)\n"
          "  population G = spike_source[2](times = [[10 ms, 25 ms], [12 ms]], file = \"in.csv\")\n"
          "  E.v = uniform(-60 mV, -50 mV)\n"
          "  connect E, G -> E using STDP(w_max = 2) as plastic {\n"
          "    rule fixed_indegree(k) allow_self false\n"
          "    weight [[0.5, 0], [0, 1.5]] nA\n"
          "    delay 0.1 ms\n"
          "    on_pre { post.ge += w }\n"
          "    on_post { w = 0 }\n"
          "    summed post.h = w * pre.r\n"
          "    summed post.h = 1\n"
          "  }\n"
          "  connect E -> E { rule all; allow_self true; weight file \"W.csv\" }\n"
          "  connect E -> E { rule one_to_one; weight 2 * rand() }\n"
          "  record spikes of E, G\n"
          "  record rate of E every 1 ms\n"
          "  record v of E[0:10] every 1 ms\n"
          "  record w of plastic every 10 ms\n"
          "}\n"
          "simulate N for 1 s dt 0.1 ms seed 42\n"
          "simulate N for 100 seed 1 dt 1 ms\n"
          "import \"lif.nrn\"\nimport izhikevich\n"
          "function f(x, y) = x *\n  y\nfunction g() = 1\n");
    CHECK(p.nerrors == 0, "%s", p.errs);
    const AstNetItem *it = first_net(&p);
    if (p.nerrors == 0 && it) {
        CHECK(it->kind == NET_PARAM && strcmp(it->u.param.unit->text, "1") == 0, "net param");
        it = it->next;
        CHECK(it->kind == NET_POPULATION && strcmp(it->u.population.model, "LIF") == 0 &&
                  it->u.population.args && strcmp(it->u.population.args->name, "tau") == 0 &&
                  it->u.population.args->next && !it->u.population.args->next->next,
              "population with args");
        char *sz = expr_string(it->u.population.size);
        CHECK_STR(sz, "(N_E / 4)");
        free(sz);
        it = it->next;
        const AstArg *a = it->u.population.args;
        CHECK(a->value->kind == AST_LIST && a->value->u.list.nitems == 2 && a->next &&
                  a->next->value->kind == AST_STRING &&
                  strcmp(a->next->value->u.str.text, "in.csv") == 0,
              "spike_source args");
        it = it->next;
        CHECK(it->kind == NET_INIT && strcmp(it->u.init.pop, "E") == 0 &&
                  strcmp(it->u.init.name, "v") == 0 && it->u.init.name_loc.col == 5, "init");
        it = it->next;
        const AstConnect *k = &it->u.connect;
        CHECK(it->kind == NET_CONNECT && k->sources && k->sources->next &&
                  strcmp(k->targets->name, "E") == 0 && strcmp(k->synapse, "STDP") == 0 &&
                  k->synapse_args && strcmp(k->as_name, "plastic") == 0, "connect header");
        CHECK(k->rule && k->rule->kind == AST_CALL &&
                  strcmp(k->rule->u.call.name, "fixed_indegree") == 0 && k->rule->u.call.nargs == 1,
              "rule call");
        CHECK(k->allow_self && k->allow_self->kind == AST_NUM && k->allow_self->u.num.value == 0,
              "allow_self on the rule's line");
        CHECK(k->weight_kind == WEIGHT_MATRIX && k->weight->u.list.nitems == 2 &&
                  k->weight->u.list.unit && strcmp(k->weight->u.list.unit->text, "nA") == 0,
              "weight matrix");
        CHECK(k->delay && k->on_pre && k->on_post && k->on_pre_loc.line == 10,
              "delay, on_pre/post");
        CHECK(k->summed && k->summed->next && k->summed->target->kind == AST_FIELD &&
                  strcmp(k->summed->target->u.field.name, "h") == 0, "summed");
        it = it->next;
        k = &it->u.connect;
        CHECK(k->rule && k->rule->kind == AST_NAME && strcmp(k->rule->u.name.name, "all") == 0 &&
                  k->allow_self && k->allow_self->u.num.value == 1 &&
                  k->weight_kind == WEIGHT_FILE && strcmp(k->weight_file, "W.csv") == 0 &&
                  k->weight_loc.col == 59, "rule all, weight file");
        it = it->next;
        CHECK(it->u.connect.weight_kind == WEIGHT_EXPR && !it->u.connect.allow_self, "weight expr");
        it = it->next;
        CHECK(it->kind == NET_RECORD && it->u.record.what == REC_SPIKES &&
                  it->u.record.pops->next && !it->u.record.every, "record spikes");
        it = it->next;
        CHECK(it->u.record.what == REC_RATE && it->u.record.every, "record rate");
        it = it->next;
        CHECK(it->u.record.what == REC_VAR && strcmp(it->u.record.var, "v") == 0 &&
                  it->u.record.pops->lo && it->u.record.pops->hi, "record slice");
        it = it->next;
        CHECK(it->u.record.what == REC_VAR && strcmp(it->u.record.pops->name, "plastic") == 0,
              "record of a connection");
        const AstItem *top = p.f->items->next;
        CHECK(top->kind == ITEM_SIMULATE && top->u.simulate.dt && top->u.simulate.seed, "simulate");
        char *dur = expr_string(top->u.simulate.duration), *dt = expr_string(top->u.simulate.dt);
        CHECK_STR(dur, "(1 s)");
        CHECK_STR(dt, "(0.1 ms)");
        free(dur);
        free(dt);
        top = top->next;
        dur = expr_string(top->u.simulate.duration);
        CHECK_STR(dur, "100");
        free(dur);
        top = top->next;
        CHECK(top->kind == ITEM_IMPORT && top->u.import.is_path &&
                  strcmp(top->name, "lif.nrn") == 0, "import path");
        top = top->next;
        CHECK(top->kind == ITEM_IMPORT && !top->u.import.is_path, "import name");
        top = top->next;
        CHECK(top->kind == ITEM_FUNCTION && top->u.function.params &&
                  top->u.function.params->next && top->u.function.body, "function");
        CHECK(top->next && top->next->u.function.params == NULL, "function()");
    }
    p_free(&p);

    CHECK_ERROR("network N { connect A -> B { weight 1\n weight 2 } }",
                "2:2: error: 'weight' is given twice in this connect");
    CHECK_ERROR("network N { connect A -> B { weight 1; weight file \"w.csv\" } }",
                "'weight' is given twice");
    CHECK_ERROR("network N { connect A -> B { rule all allow_self false; allow_self true } }",
                "'allow_self' is given twice");
    CHECK_ERROR("simulate X for 1 s seed 1 seed 2", "1:27: error: 'seed' is given twice");
    CHECK_ERROR("network N { record v E }", "expected 'of' after 'v', found 'E'");

    /* connect poisson(RATE, COUNT): no sources; `poisson` alone is a population's name. */
    p_src(&p, "network N {\n  connect poisson(20 Hz, 1000) -> E, I as bg { weight 0.1 mV }\n"
              "  connect poisson -> E { weight 1 }\n}\n");
    CHECK(p.nerrors == 0, "%s", p.errs);
    it = first_net(&p);
    if (p.nerrors == 0 && it) {
        const AstConnect *k = &it->u.connect;
        CHECK(k->is_poisson && !k->sources && k->targets && k->targets->next &&
                  strcmp(k->as_name, "bg") == 0 && k->weight_kind == WEIGHT_EXPR, "poisson header");
        CHECK(k->poisson_rate && k->poisson_rate->kind == AST_NUM && !k->poisson_rate->next &&
                  k->poisson_count && k->poisson_count->u.num.value == 1000, "poisson arguments");
        CHECK(k->poisson_loc.line == 2 && k->poisson_loc.col == 11 && k->poisson_loc.len == 20,
              "poisson location spans poisson(...)");
        k = &it->next->u.connect;
        CHECK(!k->is_poisson && k->sources && strcmp(k->sources->name, "poisson") == 0,
              "a population named poisson");
    }
    p_free(&p);
    CHECK_ERROR("network N { connect poisson(1 Hz) -> E { } }",
                "1:21: error: connect poisson takes two arguments, poisson(RATE, COUNT), but 1 was given");
}

/* ---- Errors: messages, positions, recovery -------------------------------------------- */

static void test_errors(void)
{
    /* Independent errors are all reported, each once, at the right place. */
    P p;
    p_src(&p, "neuron A {\n"
              "  param tau 10 ms\n"
              "  state v = (1 +\n"
              "    ) * 2\n"
              "  let x = a < b < c\n"
              "  threshold v = 1\n"
              "  reset { v = = 0; u = 1 }\n"
              "  param ok = 1\n"
              "}\n"
              "neuron 5 { param y = 1 }\n"
              "network N {\n"
              "  connect E -> -> I { weight 1 }\n"
              "  population P = LIF[10\n"
              "}\n"
              "neuron B { param z = }\n");
    static const char *const want[] = {
        "t.nrn:2:13: error: expected '=' or ':' after the name of a param, found '10'",
        "t.nrn:4:5: error: expected an expression after '+', found ')'",
        "t.nrn:5:17: error: comparison operators cannot be chained",
        "t.nrn:6:15: error: expected an operator or newline after 'v', found '='",
        "help: use '==' to compare",
        "t.nrn:7:15: error: expected an expression after '=', found '='",
        "t.nrn:10:8: error: expected a name after 'neuron', found '5'",
        "t.nrn:12:16: error: expected a name after '->', found '->'",
        "t.nrn:14:1: error: expected an operator or ']' after '10', found '}'",
        "t.nrn:13:21: note: '[' opened here is not closed",
        "t.nrn:15:22: error: expected an expression after '=', found '}'",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK_HAS(p.errs, want[i]);
    CHECK(p.nerrors == 9, "9 errors expected, got %d:\n%s", p.nerrors, p.errs);
    CHECK(p.f && p.f->items && p.f->items->next && p.f->items->next->kind == ITEM_NETWORK,
          "the tree keeps what parsed");
    p_free(&p);

    /* The source line and a caret under the column, as diag prints them. */
    CHECK_ERROR("neuron A {\n  param x = 1 2\n}",
                "t.nrn:2:15: error: expected an operator or newline after '1', found '2'\n"
                "    2 |   param x = 1 2\n      |               ^\n");

    /* Unterminated things at the end of the file. */
    CHECK_ERROR("neuron A {\n  param x = 1\n", "2:14: error: missing '}' at end of file");
    CHECK_ERROR("neuron A {\n  param x = 1\n", "1:10: note: to close this '{'");
    CHECK_ERROR("neuron A { param x = f(1, 2", "1:28: error: missing ')' at end of file");
    CHECK_ERROR("neuron A { param x = [1, 2", "missing ']' at end of file");
    CHECK_ERROR("neuron A { param x =", "1:21: error: expected an expression after '=', "
                "found end of file");
    CHECK_ERROR("param", "1:1: error: expected 'neuron'");
    CHECK_ERROR("simulate X for", "expected an expression after 'for', found end of file");
    CHECK_ERROR("neuron A { state s = \"abc\n}", "1:22: error: unterminated string");
    CHECK_ERROR("import \"abc", "unterminated string");
    CHECK_ERROR("neuron A { reset { if v > 1 { v = 0 }", "missing '}' at end of file");

    /* Stray characters: one message, then recovery at the end of the statement. */
    p_src(&p, "neuron A {\n param x = 1 @ 2\n param y = 1 & 2\n param z = \xc2\xb5 3\n"
              " param w = 'a'\n param q = \x01\n}");
    CHECK_HAS(p.errs, "2:14: error: unexpected character '@'");
    CHECK_HAS(p.errs, "3:14: error: unexpected character '&'");
    CHECK_HAS(p.errs, "help: use 'and' (or '&&')");
    CHECK_HAS(p.errs, "4:12: error: unexpected character '\xc2\xb5' (only ASCII");
    CHECK_HAS(p.errs, "5:12: error: strings are written in double quotes\n"
                      "    5 |  param w = 'a'\n      |            ^~~\n");
    CHECK_HAS(p.errs, "6:12: error: unexpected control character 0x01");
    CHECK(p.nerrors == 5, "one error per stray character, got %d:\n%s", p.nerrors, p.errs);
    p_free(&p);

    /* Brace groups after an error are skipped whole: no cascade from their contents. */
    p_src(&p, "neuron A {\n  reset x { if a { b } else { c } }\n  param ok = 1\n}\n"
              "network N {\n  connect E I { rule all; weight 1; on_pre { x += 1 } }\n"
              "  record v of E\n}\n");
    CHECK(p.nerrors == 2, "two errors expected, got %d:\n%s", p.nerrors, p.errs);
    CHECK_HAS(p.errs, "2:11: error:");
    CHECK_HAS(p.errs, "6:13: error:");
    p_free(&p);

    /* Many errors: parsing stops at the limit instead of producing thousands (one more
     * than diag prints for a file, so that diag can say the rest were dropped). */
    char *many = malloc(200 * 32);
    size_t n = 0;
    n += (size_t)sprintf(many + n, "neuron A {\n");
    for (int i = 0; i < 200; i++)
        n += (size_t)sprintf(many + n, "  param x%d 1\n", i);
    sprintf(many + n, "}\n");
    p_src(&p, many);
    CHECK(p.nerrors == 21, "error limit: got %d", p.nerrors);
    CHECK_HAS(p.errs, "t.nrn:22:13: error: too many errors in this file; stopping after 20");
    p_free(&p);
    free(many);
}

/* ---- Robustness ----------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, long count, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * (size_t)count + tl + 1), *q = s;
    memcpy(q, head, hl);
    q += hl;
    for (long i = 0; i < count; i++, q += ul)
        memcpy(q, unit, ul);
    memcpy(q, tail, tl + 1);
    return s;
}

/* Parses a generated source; returns the error count and checks `part` is reported. */
static int parse_generated(char *src, const char *part)
{
    P p;
    p_src(&p, src);
    if (part)
        CHECK(strstr(p.errs, part) != NULL, "'%s' not in:\n%.2000s", part, p.errs);
    int n = p.nerrors;
    p_free(&p);
    free(src);
    return n;
}

static void test_nesting(void)
{
    char *s;
    /* Parentheses and brackets: 200 deep is fine, deeper is one clean error. */
    s = repeat("neuron A { let x = ", "(", 200, "1");
    char *t = repeat(s, ")", 200, " }");
    free(s);
    CHECK(parse_generated(t, NULL) == 0, "200 nested parentheses");
    CHECK(parse_generated(repeat("neuron A { let x = ", "(", 10000, "1"),
                          "1:275: error: expression nested too deeply (limit 256)") == 1,
          "10000 nested parentheses: one error");
    CHECK(parse_generated(repeat("neuron A { let x = ", "[", 10000, ""),
                          "expression nested too deeply (limit 256)") == 1, "nested brackets");
    CHECK(parse_generated(repeat("neuron A { reset ", "{ if a ", 10000, ""),
                          "blocks nested too deeply (limit 256)") == 1, "nested blocks");
    /* Trees deep without brackets: operator chains and unary chains. */
    CHECK(parse_generated(repeat("neuron A { let x = 1", " + 1", 200, " }"), NULL) == 0,
          "200 additions");
    /* A flat run of + - (or * /) is one level however long; nesting it is not. */
    CHECK(parse_generated(repeat("neuron A { let x = 1", " + 1", 300, " }"), NULL) == 0,
          "300 additions");
    CHECK(parse_generated(repeat("neuron A { let x = 1", " * 2 / 3", 5000, " }"), NULL) == 0,
          "10000 multiplications and divisions");
    s = repeat("neuron A { let x = 1", " + (1", 300, "");
    t = repeat(s, ")", 300, " }");
    free(s);
    CHECK(parse_generated(t, "expression nested too deeply (limit 256)") == 1,
          "300 nested parenthesised additions");
    CHECK(parse_generated(repeat("neuron A { let x = 1", " % 2", 300, " }"),
                          "expression nested too deeply (limit 256)") == 1, "300 remainders");
    CHECK(parse_generated(repeat("neuron A { let x = ", "-", 300, "1 }"),
                          "expression nested too deeply") == 1, "300 unary minus");
    CHECK(parse_generated(repeat("neuron A { let x = ", "not ", 300, "1 }"),
                          "expression nested too deeply") == 1, "300 nots");
    CHECK(parse_generated(repeat("neuron A { let x = 1", " ^ 2", 300, " }"),
                          "expression nested too deeply") == 1, "300 powers");
    CHECK(parse_generated(repeat("neuron A { let x = 1", " ? 1 : 1", 300, " }"),
                          "expression nested too deeply") == 1, "300 conditionals");
    CHECK(parse_generated(repeat("neuron A { let x = 1", " < 1", 300, " }"),
                          "comparison operators cannot be chained") == 1, "chained comparisons");
    CHECK(parse_generated(repeat("neuron A { reset { if a { } ", "else if a { } ", 200, "} }"),
                          NULL) == 0, "200 else-ifs");
    if (quick)
        return;
    CHECK(parse_generated(repeat("neuron A { let x = 1", " + 1", 200000, " }"), NULL) == 0,
          "200000 additions");
    CHECK(parse_generated(repeat("neuron A { let x = ", "-", 100000, "1 }"),
                          "nested too deeply") == 1, "100000 unary minus");
    CHECK(parse_generated(repeat("neuron A { let x = 1", " ^ 2", 100000, " }"),
                          "nested too deeply") == 1, "100000 powers");
    CHECK(parse_generated(repeat("neuron A { reset { if a { } ", "else if a { } ", 100000, "} }"),
                          "nested too deeply") == 1, "100000 else-ifs");
    /* Wide is fine: long lists and many items, in linear time. */
    CHECK(parse_generated(repeat("network N { connect A -> B { weight [", "[1, 2, 3], ", 300000,
                                 "] } }"), NULL) == 0, "a 300000-row matrix");
    CHECK(parse_generated(repeat("neuron A {\n", "  param x = 1.5 mV\n", 300000, "}\n"), NULL) == 0,
          "300000 declarations");
}

static char *write_temp(const char *dir, const char *name, const char *data, size_t size)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(data, 1, size, fp);
        fclose(fp);
    }
    return path;
}

static void test_files(void)
{
    P p;
    /* An empty file is a valid, empty model. */
    p_text(&p, "", 0);
    CHECK(p.nerrors == 0 && p.f && p.f->items == NULL && p.f->file >= 0, "empty file");
    p_free(&p);

    /* Binary input is refused where the first NUL byte is. */
    static const char bin[] = "neuron A {\n  pa\0ram x = 1\n}\n";
    p_text(&p, bin, sizeof bin - 1);
    CHECK_HAS(p.errs, "t.nrn:2:5: error: 't.nrn' is not a text file (it contains a NUL byte)");
    CHECK(p.nerrors == 1 && p.f && !p.f->items, "binary file");
    p_free(&p);
    unsigned char noise[4096];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        seed = seed * 1103515245u + 12345u;
        noise[i] = (unsigned char)(seed >> 16);
    }
    p_text(&p, (const char *)noise, sizeof noise);
    CHECK(p.nerrors >= 1, "random bytes");
    p_free(&p);

    /* Files on disk: a good one, a missing one, a directory, a huge one. */
    char dir[] = "/tmp/nrn_test_parse_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(false, "mkdtemp: %s", strerror(errno));
        return;
    }
    static const char good[] = "neuron A { param x = 1 }\n";
    char *path = write_temp(dir, "good.nrn", good, sizeof good - 1);
    arena_init(&p.a);
    diag_init(&p.d, &p.a);
    AstFile *f = parse_file(&p.a, &p.d, path, nrn_loc_none());
    CHECK(f && f->items && strcmp(f->path, path) == 0 && !diag_has_errors(&p.d), "parse_file");
    CHECK(diag_file(&p.d, f ? f->file : -1) && diag_file(&p.d, f->file)->size == sizeof good - 1,
          "registered text");
    remove(path);
    free(path);

    char missing[64];
    snprintf(missing, sizeof missing, "%s/missing.nrn", dir);
    NrnLoc from = {f ? f->file : 0, 1, 1, 6};
    CHECK(parse_file(&p.a, &p.d, missing, from) == NULL, "missing file gives NULL");
    CHECK(parse_file(&p.a, &p.d, dir, nrn_loc_none()) == NULL, "a directory gives NULL");
    p.nerrors = p.d.nerrors;
    flush_to_string(&p);
    CHECK_HAS(p.errs, "1:1: error: cannot open '");
    CHECK_HAS(p.errs, "missing.nrn': No such file or directory");
    CHECK_HAS(p.errs, "': it is a directory");
    p_free(&p);

    size_t big = 8u * 1024 * 1024 + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    if (!quick) {
        path = write_temp(dir, "huge.nrn", huge, big);
        arena_init(&p.a);
        diag_init(&p.d, &p.a);
        f = parse_file(&p.a, &p.d, path, nrn_loc_none());
        CHECK(f && !f->items && p.d.nerrors == 1, "huge file");
        p.nerrors = p.d.nerrors;
        flush_to_string(&p);
        CHECK_HAS(p.errs, "error: file too large: '");
        p_free(&p);
        remove(path);
        free(path);
    }
    p_text(&p, huge, big);
    CHECK(p.nerrors == 1 && p.f && !p.f->items, "huge text");
    CHECK_HAS(p.errs, "file too large: 't.nrn' is larger than 8 MiB");
    p_free(&p);
    p_text(&p, huge, big - 1);
    CHECK(p.nerrors == 0, "8 MiB of spaces is fine");
    p_free(&p);
    free(huge);
    rmdir(dir);
}

/* Every prefix of a good file (a truncated file) and random edits of it must parse to
 * errors, never crash or hang; run under ASan/valgrind to make this a memory check. */
static void test_mutations(const char *src, size_t len)
{
    size_t step = quick ? 37 : 1;
    for (size_t cut = 0; cut < len; cut += step) {
        P p;
        p_text(&p, src, cut);
        CHECK(p.f != NULL && p.nerrors <= 50, "prefix %zu", cut);
        p_free(&p);
    }
    static const char alphabet[] = "{}()[]=+-*/^<>!&|?:;,.#\"\n \t0123456789.eEdvt_x"
                                   "\xc2\xb5\x01\x7f";
    char *buf = malloc(len + 64);
    unsigned seed = 42;
    int rounds = quick ? 100 : 3000;
    for (int r = 0; r < rounds; r++) {
        memcpy(buf, src, len);
        size_t n = len;
        int edits = 1 + r % 4;
        for (int e = 0; e < edits && n > 0; e++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            char ch = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
            switch ((seed >> 20) % 3) {
            case 0: buf[at] = ch; break;                                    /* replace */
            case 1: memmove(buf + at, buf + at + 1, n - at - 1); n--; break; /* delete */
            default: memmove(buf + at + 1, buf + at, n - at); buf[at] = ch; n++; break;
            }
        }
        P p;
        p_text(&p, buf, n);
        CHECK(p.f != NULL && p.nerrors <= 50, "mutation %d", r);
        p_free(&p);
    }
    free(buf);
}

/* ---- Golden cases --------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        fwrite(chunk, 1, got, m);
    fclose(fp);
    fclose(m);
    if (size)
        *size = len;
    return buf;
}

static void compare_or_update(const char *path, const char *got)
{
    if (update) {
        FILE *fp = fopen(path, "w");
        if (fp) {
            fputs(got, fp);
            fclose(fp);
        }
        return;
    }
    char *want = read_file(path, NULL);
    CHECK(want && strcmp(want, got) == 0, "%s differs; got:\n%s", path, got);
    free(want);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_case(const char *name)
{
    char base[256], path[300];
    snprintf(base, sizeof base, "%.*s", (int)(strlen(name) - 4), name);
    P p;
    arena_init(&p.a);
    diag_init(&p.d, &p.a);
    p.f = parse_file(&p.a, &p.d, name, nrn_loc_none());
    p.nerrors = p.d.nerrors;
    flush_to_string(&p);
    snprintf(path, sizeof path, "%s.err", base);
    struct stat st;
    bool want_errors = stat(path, &st) == 0 || (update && p.nerrors > 0);
    if (want_errors) {
        CHECK(p.nerrors > 0, "%s: errors expected", name);
        compare_or_update(path, p.errs);
    } else {
        CHECK(p.nerrors == 0, "%s: unexpected errors:\n%s", name, p.errs);
        char *dump = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&dump, &len);
        if (p.f)
            ast_dump(m, p.f);
        fclose(m);
        snprintf(path, sizeof path, "%s.ast", base);
        compare_or_update(path, dump);
        free(dump);
        size_t size;
        char *src = read_file(name, &size);
        if (src)
            test_mutations(src, size);
        free(src);
    }
    p_free(&p);
}

static void test_cases(const char *dir)
{
    if (chdir(dir) != 0) {
        CHECK(false, "cannot enter %s: %s", dir, strerror(errno));
        return;
    }
    DIR *dp = opendir(".");
    char *names[512];
    int n = 0;
    for (struct dirent *de; dp && (de = readdir(dp)) && n < 512;) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".nrn") == 0)
            names[n++] = strdup(de->d_name);
    }
    if (dp)
        closedir(dp);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    CHECK(n >= 10, "only %d cases found in %s", n, dir);
    for (int i = 0; i < n; i++) {
        run_case(names[i]);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    const char *cases = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--update") == 0)
            update = true;
        else if (strcmp(argv[i], "--quick") == 0)
            quick = true;
        else
            cases = argv[i];
    }
    test_precedence();
    test_literals();
    test_ode();
    test_layout();
    test_model_decls();
    test_network();
    test_errors();
    test_nesting();
    test_files();
    if (cases)
        test_cases(cases);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
