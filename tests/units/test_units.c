/* Tests of compiler/units.c: the unit table, rationals and dimensions, dim_format, unit
 * terms and command-line quantities.
 *
 * Every expectation is exact. Scales are compared with == against decimal literals: the
 * C compiler rounds a literal to the nearest double, and units.c promises exactly that
 * double (one correctly rounded conversion of a power of ten), so any drift by an ulp is a
 * failure. Dimensions are written as seven integer exponents in the order of units.h:
 * length, mass, time, current, temperature, amount, luminosity. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

static int failures;
static int checks;

static void expect(bool ok, const char *fmt, ...)
{
    checks++;
    if (ok)
        return;
    failures++;
    va_list ap;
    va_start(ap, fmt);
    fputs("FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static Dim dim_of(const int e[DIM_COUNT])
{
    Dim d = dim_none();
    for (int i = 0; i < DIM_COUNT; i++)
        d.e[i] = rat_make(e[i], 1);
    return d;
}

static const char *fmt_dim(Dim d)
{
    static char buf[4][128];
    static int next;
    next = (next + 1) % 4;
    return dim_format(d, buf[next], sizeof buf[next]);
}

/* Dimensions used below, ORDER DIM. */
#define D_NONE {0, 0, 0, 0, 0, 0, 0}
#define D_TIME {0, 0, 1, 0, 0, 0, 0}
#define D_VOLT {2, 1, -3, -1, 0, 0, 0}
#define D_AMP {0, 0, 0, 1, 0, 0, 0}
#define D_OHM {2, 1, -3, -2, 0, 0, 0}
#define D_SIEMENS {-2, -1, 3, 2, 0, 0, 0}
#define D_FARAD {-2, -1, 4, 2, 0, 0, 0}
#define D_RATE {0, 0, -1, 0, 0, 0, 0}
#define D_CHARGE {0, 0, 1, 1, 0, 0, 0}
#define D_CONC {-3, 0, 0, 0, 0, 1, 0}
#define D_MOLE {0, 0, 0, 0, 0, 1, 0}
#define D_LENGTH {1, 0, 0, 0, 0, 0, 0}
#define D_AREA {2, 0, 0, 0, 0, 0, 0}
#define D_VOLUME {3, 0, 0, 0, 0, 0, 0}
#define D_MASS {0, 1, 0, 0, 0, 0, 0}
#define D_TEMP {0, 0, 0, 0, 1, 0, 0}

typedef struct UnitCase {
    const char *text;
    double scale;
    int dim[DIM_COUNT];
} UnitCase;

static const UnitCase known_units[] = {
    {"1", 1, D_NONE},
    {"s", 1, D_TIME}, {"ms", 1e-3, D_TIME}, {"us", 1e-6, D_TIME}, {"ns", 1e-9, D_TIME},
    {"ps", 1e-12, D_TIME}, {"fs", 1e-15, D_TIME}, {"ks", 1e3, D_TIME}, {"cs", 1e-2, D_TIME},
    {"Ms", 1e6, D_TIME}, {"Gs", 1e9, D_TIME},
    {"V", 1, D_VOLT}, {"mV", 1e-3, D_VOLT}, {"uV", 1e-6, D_VOLT}, {"nV", 1e-9, D_VOLT},
    {"kV", 1e3, D_VOLT}, {"MV", 1e6, D_VOLT},
    {"A", 1, D_AMP}, {"mA", 1e-3, D_AMP}, {"uA", 1e-6, D_AMP}, {"nA", 1e-9, D_AMP},
    {"pA", 1e-12, D_AMP}, {"fA", 1e-15, D_AMP},
    {"ohm", 1, D_OHM}, {"kohm", 1e3, D_OHM}, {"Mohm", 1e6, D_OHM}, {"Gohm", 1e9, D_OHM},
    {"mohm", 1e-3, D_OHM}, {"Ohm", 1, D_OHM}, {"kOhm", 1e3, D_OHM}, {"MOhm", 1e6, D_OHM},
    {"GOhm", 1e9, D_OHM},
    {"S", 1, D_SIEMENS}, {"mS", 1e-3, D_SIEMENS}, {"uS", 1e-6, D_SIEMENS},
    {"nS", 1e-9, D_SIEMENS}, {"pS", 1e-12, D_SIEMENS},
    {"F", 1, D_FARAD}, {"mF", 1e-3, D_FARAD}, {"uF", 1e-6, D_FARAD}, {"nF", 1e-9, D_FARAD},
    {"pF", 1e-12, D_FARAD}, {"fF", 1e-15, D_FARAD},
    {"Hz", 1, D_RATE}, {"kHz", 1e3, D_RATE}, {"MHz", 1e6, D_RATE}, {"mHz", 1e-3, D_RATE},
    {"C", 1, D_CHARGE}, {"mC", 1e-3, D_CHARGE}, {"nC", 1e-9, D_CHARGE},
    {"pC", 1e-12, D_CHARGE},
    /* molar = mol/L = 1e3 mol/m^3 */
    {"M", 1e3, D_CONC}, {"mM", 1, D_CONC}, {"uM", 1e-3, D_CONC}, {"nM", 1e-6, D_CONC},
    {"pM", 1e-9, D_CONC}, {"fM", 1e-12, D_CONC}, {"kM", 1e6, D_CONC}, {"MM", 1e9, D_CONC},
    {"mol", 1, D_MOLE}, {"mmol", 1e-3, D_MOLE}, {"umol", 1e-6, D_MOLE},
    {"nmol", 1e-9, D_MOLE}, {"kmol", 1e3, D_MOLE}, {"Mmol", 1e6, D_MOLE},
    {"m", 1, D_LENGTH}, {"mm", 1e-3, D_LENGTH}, {"um", 1e-6, D_LENGTH},
    {"nm", 1e-9, D_LENGTH}, {"cm", 1e-2, D_LENGTH}, {"km", 1e3, D_LENGTH},
    {"pm", 1e-12, D_LENGTH}, {"fm", 1e-15, D_LENGTH}, {"Mm", 1e6, D_LENGTH},
    /* the SI unit of mass is the kilogram */
    {"g", 1e-3, D_MASS}, {"kg", 1, D_MASS}, {"mg", 1e-6, D_MASS}, {"ug", 1e-9, D_MASS},
    {"Mg", 1e3, D_MASS}, {"Gg", 1e6, D_MASS}, {"fg", 1e-18, D_MASS},
    {"K", 1, D_TEMP}, {"mK", 1e-3, D_TEMP}, {"kK", 1e3, D_TEMP},
    {"m2", 1, D_AREA}, {"cm2", 1e-4, D_AREA}, {"mm2", 1e-6, D_AREA}, {"um2", 1e-12, D_AREA},
    {"nm2", 1e-18, D_AREA}, {"km2", 1e6, D_AREA},
    {"m3", 1, D_VOLUME}, {"cm3", 1e-6, D_VOLUME}, {"mm3", 1e-9, D_VOLUME},
    {"um3", 1e-18, D_VOLUME}, {"fm3", 1e-45, D_VOLUME}, {"Gm3", 1e27, D_VOLUME},
    /* spelled out, bare, with spelled-out prefixes, with symbol prefixes (Brian2) */
    {"second", 1, D_TIME}, {"millisecond", 1e-3, D_TIME}, {"microsecond", 1e-6, D_TIME},
    {"msecond", 1e-3, D_TIME},
    {"volt", 1, D_VOLT}, {"millivolt", 1e-3, D_VOLT}, {"mvolt", 1e-3, D_VOLT},
    {"amp", 1, D_AMP}, {"ampere", 1, D_AMP}, {"nanoamp", 1e-9, D_AMP}, {"namp", 1e-9, D_AMP},
    {"picoampere", 1e-12, D_AMP}, {"pampere", 1e-12, D_AMP},
    {"megaohm", 1e6, D_OHM}, {"kiloohm", 1e3, D_OHM},
    {"siemens", 1, D_SIEMENS}, {"microsiemens", 1e-6, D_SIEMENS},
    {"nsiemens", 1e-9, D_SIEMENS},
    {"farad", 1, D_FARAD}, {"picofarad", 1e-12, D_FARAD}, {"ufarad", 1e-6, D_FARAD},
    {"hertz", 1, D_RATE}, {"kilohertz", 1e3, D_RATE}, {"khertz", 1e3, D_RATE},
    {"coulomb", 1, D_CHARGE}, {"nanocoulomb", 1e-9, D_CHARGE},
    {"molar", 1e3, D_CONC}, {"millimolar", 1, D_CONC}, {"mmolar", 1, D_CONC},
    {"umolar", 1e-3, D_CONC},
    {"mole", 1, D_MOLE}, {"millimole", 1e-3, D_MOLE}, {"mmole", 1e-3, D_MOLE},
    {"metre", 1, D_LENGTH}, {"meter", 1, D_LENGTH}, {"micrometre", 1e-6, D_LENGTH},
    {"centimeter", 1e-2, D_LENGTH}, {"umetre", 1e-6, D_LENGTH}, {"cmeter", 1e-2, D_LENGTH},
    {"gram", 1e-3, D_MASS}, {"kilogram", 1, D_MASS}, {"kgram", 1, D_MASS},
    {"milligram", 1e-6, D_MASS},
    {"kelvin", 1, D_TEMP}, {"millikelvin", 1e-3, D_TEMP},
};

static const char *const unknown_units[] = {
    "", "msec", "mv", "Mohms", "ohms", "sec", "v", "hz", "xyz", "foo", "Volt", "min", "mMol",
    "u", "k", "mu", "milli", "m2s", "Hz2", "kms", "1s", "2", "0", "MOHM", "kilohm", "secs",
    "cm^2", "mV/ms", " ms", "ms ", "c", "G", "mmm", "uuV", "mgram2", "Ω",
};

static void test_lookup(void)
{
    for (size_t i = 0; i < sizeof known_units / sizeof known_units[0]; i++) {
        const UnitCase *c = &known_units[i];
        UnitInfo u;
        bool ok = unit_lookup(c->text, &u);
        expect(ok, "unit_lookup(\"%s\") failed", c->text);
        if (!ok)
            continue;
        expect(u.scale == c->scale, "scale of '%s': got %.17g, want %.17g", c->text, u.scale,
               c->scale);
        expect(dim_eq(u.dim, dim_of(c->dim)), "dimension of '%s': got %s", c->text,
               fmt_dim(u.dim));
    }
    for (size_t i = 0; i < sizeof unknown_units / sizeof unknown_units[0]; i++) {
        UnitInfo u;
        expect(!unit_lookup(unknown_units[i], &u), "'%s' should be unknown", unknown_units[i]);
    }
}

/* Every listed name looks up, is listed once (no spelling has two meanings) and is its
 * own suggestion. */
static void test_name_list(void)
{
    size_t n = 0;
    while (unit_name_at(n) != NULL)
        n++;
    expect(n == 436, "unit_name_at lists %zu names, want 436", n);
    for (size_t i = 0; i < n; i++) {
        const char *name = unit_name_at(i);
        UnitInfo u;
        expect(unit_lookup(name, &u), "listed name '%s' does not look up", name);
        const char *s = unit_suggest(name);
        bool self = i == 0 ? s == NULL : s != NULL && strcmp(s, name) == 0; /* "1": none */
        expect(self, "suggestion for '%s' is '%s'", name, s ? s : "(null)");
        for (size_t j = i + 1; j < n; j++)
            expect(strcmp(name, unit_name_at(j)) != 0, "'%s' is listed twice", name);
    }
}

static void test_suggest(void)
{
    static const struct { const char *in, *want; } cases[] = {
        {"msec", "ms"}, {"mv", "mV"}, {"Mohms", "Mohm"}, {"MOHM", "MOhm"}, {"sec", "s"},
        {"volts", "volt"}, {"nanoamps", "nanoamp"}, {"uf", "uF"}, {"khz", "kHz"},
        {"hz", "Hz"}, {"seconds", "second"}, {"meters", "meter"}, {"ohms", "ohm"},
        {"MV", "MV"}, {"siemen", "siemens"}, {"Volt", "volt"}, {"kilohm", "kiloohm"},
        {"xyzzy", NULL}, {"", NULL}, {"2", NULL}, {"1", NULL}, {"x10", NULL}, {"foo", NULL},
        {"millisec", NULL}, {"abcdefgh", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = unit_suggest(cases[i].in);
        bool ok = cases[i].want == NULL ? got == NULL
                                        : got != NULL && strcmp(got, cases[i].want) == 0;
        expect(ok, "unit_suggest(\"%s\") = %s, want %s", cases[i].in, got ? got : "NULL",
               cases[i].want ? cases[i].want : "NULL");
    }
}

static void test_rationals(void)
{
    Rat r = rat_make(6, -4);
    expect(r.num == -3 && r.den == 2, "rat_make(6,-4) = %d/%d", r.num, r.den);
    r = rat_make(0, -7);
    expect(r.num == 0 && r.den == 1, "rat_make(0,-7) = %d/%d", r.num, r.den);
    r = rat_add(rat_make(1, 2), rat_make(1, 3));
    expect(rat_eq(r, rat_make(5, 6)), "1/2 + 1/3 = %d/%d", r.num, r.den);
    r = rat_add(rat_make(1, 2), rat_make(-1, 2));
    expect(r.num == 0 && r.den == 1, "1/2 - 1/2 = %d/%d", r.num, r.den);
    r = rat_mul(rat_make(-2, 3), rat_make(3, 4));
    expect(r.num == -1 && r.den == 2, "-2/3 * 3/4 = %d/%d", r.num, r.den);
    expect(!rat_eq(rat_make(1, 2), rat_make(1, 3)), "1/2 == 1/3");

    static const struct { double x; bool ok; int num, den; } conv[] = {
        {2, true, 2, 1}, {-0.5, true, -1, 2}, {1.0 / 3, true, 1, 3}, {-1.5, true, -3, 2},
        {0, true, 0, 1}, {0.001, true, 1, 1000}, {3.14159265358979, false, 0, 0},
        {1e7, false, 0, 0},
        {NAN, false, 0, 0}, {INFINITY, false, 0, 0},
    };
    for (size_t i = 0; i < sizeof conv / sizeof conv[0]; i++) {
        Rat q = {99, 99};
        bool ok = rat_from_double(conv[i].x, &q);
        expect(ok == conv[i].ok && (!ok || (q.num == conv[i].num && q.den == conv[i].den)),
               "rat_from_double(%g) = %d %d/%d", conv[i].x, ok, q.num, q.den);
    }
}

static void test_dims(void)
{
    Dim t = dim_base(DIM_TIME), none = dim_none();
    expect(dim_is_none(none) && !dim_is_none(t), "dim_is_none");
    static const int time[DIM_COUNT] = D_TIME;
    expect(dim_eq(t, dim_of(time)), "dim_base(DIM_TIME) is %s", fmt_dim(t));

    /* sqrt(ms) is time^(1/2); squared, it is time again */
    UnitInfo ms;
    unit_lookup("ms", &ms);
    Dim half = dim_pow(ms.dim, rat_make(1, 2));
    expect(rat_eq(half.e[DIM_TIME], rat_make(1, 2)) && half.e[DIM_LENGTH].num == 0,
           "sqrt(ms) is %s", fmt_dim(half));
    expect(dim_eq(dim_pow(half, rat_make(2, 1)), t), "sqrt(ms)^2 is %s",
           fmt_dim(dim_pow(half, rat_make(2, 1))));
    expect(dim_eq(dim_mul(half, half), t), "sqrt(ms)*sqrt(ms) is not time");
    expect(dim_is_none(dim_div(t, t)), "s/s is not dimensionless");
    expect(dim_eq(dim_pow(t, rat_make(0, 1)), none), "s^0 is not dimensionless");

    /* white noise 1/sqrt(s), times sqrt(s), is dimensionless */
    Dim xi = dim_pow(t, rat_make(-1, 2));
    expect(dim_is_none(dim_mul(xi, half)), "xi * sqrt(s) is %s", fmt_dim(dim_mul(xi, half)));

    /* S * V = A, A / V = S, C / V = F, V / A = ohm */
    UnitInfo v, a, s, f, ohm, c;
    unit_lookup("V", &v), unit_lookup("A", &a), unit_lookup("S", &s), unit_lookup("F", &f);
    unit_lookup("ohm", &ohm), unit_lookup("C", &c);
    expect(dim_eq(dim_mul(s.dim, v.dim), a.dim), "S*V is not A");
    expect(dim_eq(dim_div(a.dim, v.dim), s.dim), "A/V is not S");
    expect(dim_eq(dim_div(c.dim, v.dim), f.dim), "C/V is not F");
    expect(dim_eq(dim_div(v.dim, a.dim), ohm.dim), "V/A is not ohm");
    expect(dim_eq(dim_mul(ohm.dim, f.dim), t), "ohm*F is not s");

    Dim big;
    expect(dim_pow_checked(t, rat_make(3, 2), &big) && rat_eq(big.e[DIM_TIME], rat_make(3, 2)),
           "dim_pow_checked(s, 3/2)");
    expect(dim_pow_checked(t, rat_make(DIM_EXP_LIMIT, 1), &big), "s^DIM_EXP_LIMIT refused");
    expect(!dim_pow_checked(t, rat_make(DIM_EXP_LIMIT + 1, 1), &big), "s^1001 accepted");
    expect(!dim_pow_checked(half, rat_make(1, DIM_EXP_LIMIT), &big), "s^(1/2000) accepted");
}

static void test_format(void)
{
    static const struct { const char *term, *want; } cases[] = {
        {"1", "1"}, {"ms", "s"}, {"mV", "V"}, {"mV/ms", "V/s"}, {"uS/cm^2", "S/m^2"},
        {"uA/cm^2", "A/m^2"}, {"uF/cm^2", "F/m^2"}, {"um2", "m^2"}, {"1/ms", "1/s"},
        {"Hz", "1/s"}, {"nA", "A"}, {"nS", "S"}, {"pF", "F"}, {"Mohm", "ohm"},
        {"1/Mohm", "S"}, {"nC", "C"}, {"mM", "mol/m^3"}, {"mol", "mol"}, {"kg", "kg"},
        {"K", "K"}, {"mV^2", "V^2"}, {"mV^2/ms", "V^2/s"}, {"1/mV", "1/V"},
        {"1/s^(1/2)", "1/s^(1/2)"}, {"ms^(1/2)", "s^(1/2)"}, {"mV/ms^(1/2)", "V/s^(1/2)"},
        {"nA/ms^(1/2)", "A/s^(1/2)"}, {"mV^(1/2)", "V^(1/2)"}, {"nA*mV", "V*A"},
        {"nA*mV*ms", "kg*m^2/s^2"}, {"kg*m^2", "kg*m^2"}, {"m^2/s", "m^2/s"}, {"mV*ms", "V*s"},
        {"Mohm*cm", "ohm*m"}, {"mS/cm", "S/m"}, {"1/uF", "1/F"}, {"kg/(s^3*A^2*K)", "ohm/(m^2*K)"},
        {"kg*m^2/(s^4*A)", "V/s"}, {"kg*m^2/(s^3*A)", "V"}, {"m^2*kg/(s^3)", "V*A"}, {"1/ohm", "S"},
        {"mol/(m^3*s)", "mol/(m^3*s)"}, {"s^(-3/2)", "1/s^(3/2)"}, {"cm3", "m^3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        UnitInfo u;
        char err[128];
        bool ok = unit_parse_term(cases[i].term, &u, err, sizeof err);
        expect(ok, "unit_parse_term(\"%s\"): %s", cases[i].term, ok ? "" : err);
        if (!ok)
            continue;
        const char *got = fmt_dim(u.dim);
        expect(strcmp(got, cases[i].want) == 0, "dim_format(%s) = \"%s\", want \"%s\"",
               cases[i].term, got, cases[i].want);
        /* the notation parses back to the same dimension */
        UnitInfo back;
        ok = unit_parse_term(got, &back, err, sizeof err);
        expect(ok && dim_eq(back.dim, u.dim), "\"%s\" does not parse back", got);
    }
    char small[4];
    UnitInfo u;
    unit_parse_term("uS/cm^2", &u, NULL, 0);
    dim_format(u.dim, small, sizeof small);
    expect(strcmp(small, "S/m") == 0, "truncated format is \"%s\"", small);
}

/* unit_text_combine: messages in the user's units (v * v in mV^2, not V^2). */
static void test_combine(void)
{
    static const struct { const char *a; int ka_num, ka_den; const char *b; int kb_num; const char *want; } cases[] = {
        {"mV", 1, 1, "mV", 1, "mV^2"}, {"nA", 1, 1, "Mohm", 1, "nA*Mohm"}, {"mV", 1, 1, "ms", -1, "mV/ms"},
        {"ms", -1, 1, NULL, 0, "1/ms"}, {"mV", 1, 2, NULL, 0, "mV^(1/2)"}, {"mV/ms", 1, 1, "ms", 1, "mV"},
        {"uS/cm^2", 1, 1, "mV", 1, "uS*mV/cm^2"}, {"nA", 1, 1, "nS*ms", -1, "nA/(nS*ms)"},
        {"mol/(m^3*s)", 1, 1, "s", 1, "mol/m^3"}, {"mV^(1/2)/ms", 2, 1, NULL, 0, "mV/ms^2"},
        {"1/ms", 1, 1, "mV", 1, "mV/ms"}, {"mV", -2, 1, NULL, 0, "1/mV^2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        bool ok = unit_text_combine(cases[i].a, rat_make(cases[i].ka_num, cases[i].ka_den), cases[i].b,
                                    rat_make(cases[i].kb_num, 1), buf, sizeof buf);
        expect(ok && strcmp(buf, cases[i].want) == 0, "combine(%s, %s) = \"%s\", want \"%s\"", cases[i].a,
               cases[i].b ? cases[i].b : "-", ok ? buf : "(failed)", cases[i].want);
        /* the result parses back, with the dimension of the product */
        UnitInfo ua, ub = {1.0, dim_none()}, back;
        unit_parse_term(cases[i].a, &ua, NULL, 0);
        if (cases[i].b)
            unit_parse_term(cases[i].b, &ub, NULL, 0);
        Dim want = dim_mul(dim_pow(ua.dim, rat_make(cases[i].ka_num, cases[i].ka_den)),
                           dim_pow(ub.dim, rat_make(cases[i].kb_num, 1)));
        expect(ok && unit_parse_term(buf, &back, NULL, 0) && dim_eq(back.dim, want),
               "combine(%s, %s): \"%s\" does not parse back to its dimension", cases[i].a,
               cases[i].b ? cases[i].b : "-", ok ? buf : "");
    }
    char buf[64], tiny[6];
    expect(!unit_text_combine("mV", rat_make(1, 1), "mV", rat_make(-1, 1), buf, sizeof buf),
           "combine: everything cancels: false");
    expect(!unit_text_combine("mV +", rat_make(1, 1), NULL, rat_make(0, 1), buf, sizeof buf),
           "combine: a text that is not a unit term: false");
    expect(!unit_text_combine("nA", rat_make(1, 1), "Mohm", rat_make(1, 1), tiny, sizeof tiny),
           "combine: too long for the buffer: false");
}

static void test_terms(void)
{
    static const struct { const char *text; double scale; int dim[DIM_COUNT]; } ok_cases[] = {
        {"mV", 1e-3, D_VOLT}, {"mV/ms", 1, {2, 1, -4, -1, 0, 0, 0}},
        {"uS/cm^2", 1e-2, {-4, -1, 3, 2, 0, 0, 0}}, {"1/s", 1, D_RATE}, {"1", 1, D_NONE},
        {"nA*Mohm", 1e-3, D_VOLT}, {"mV^2", 1e-6, {4, 2, -6, -2, 0, 0, 0}},
        {"s^-1", 1, D_RATE}, {"ms^-2", 1e6, {0, 0, -2, 0, 0, 0, 0}}, {"um^2", 1e-12, D_AREA},
        {"uA/cm^2", 1e-2, {-2, 0, 0, 1, 0, 0, 0}}, {"uF/cm^2", 1e-2, {-4, -1, 4, 2, 0, 0, 0}},
        {"mS/cm2", 10, {-4, -1, 3, 2, 0, 0, 0}}, {"1/ms", 1e3, D_RATE},
        {"uM*um^3", 1e-21, D_MOLE}, {"mV / ms", 1, {2, 1, -4, -1, 0, 0, 0}},
        {" mV ", 1e-3, D_VOLT}, {"ms * mV", 1e-6, {2, 1, -2, -1, 0, 0, 0}},
        {"mV/ms*ms", 1e-3, D_VOLT}, {"mV/(ms*ms)", 1e3, {2, 1, -5, -1, 0, 0, 0}},
        {"(mV)^2", 1e-6, {4, 2, -6, -2, 0, 0, 0}}, {"s^+2", 1, {0, 0, 2, 0, 0, 0, 0}},
        {"ms^(2)", 1e-6, {0, 0, 2, 0, 0, 0, 0}}, {"ms^0", 1, D_NONE},
        {"1*mV", 1e-3, D_VOLT}, {"fm3/Gs", 1e-54, {3, 0, -1, 0, 0, 0, 0}},
    };
    char err[128];
    for (size_t i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
        UnitInfo u;
        bool ok = unit_parse_term(ok_cases[i].text, &u, err, sizeof err);
        expect(ok, "unit_parse_term(\"%s\"): %s", ok_cases[i].text, ok ? "" : err);
        if (!ok)
            continue;
        expect(u.scale == ok_cases[i].scale, "scale of '%s': got %.17g, want %.17g",
               ok_cases[i].text, u.scale, ok_cases[i].scale);
        expect(dim_eq(u.dim, dim_of(ok_cases[i].dim)), "dimension of '%s': got %s",
               ok_cases[i].text, fmt_dim(u.dim));
    }

    /* a fractional decimal exponent is the one place pow() is used */
    UnitInfo u;
    expect(unit_parse_term("ms^(1/2)", &u, err, sizeof err) &&
               fabs(u.scale - pow(10, -1.5)) <= 1e-16 &&
               rat_eq(u.dim.e[DIM_TIME], rat_make(1, 2)),
           "ms^(1/2): scale %.17g", u.scale);
    expect(unit_parse_term("ms^(2/4)", &u, err, sizeof err) &&
               rat_eq(u.dim.e[DIM_TIME], rat_make(1, 2)),
           "ms^(2/4) is not normalised");

}

static void test_term_errors(void)
{
    char err[128];
    UnitInfo u;
    static const struct { const char *text, *err; } bad[] = {
        {"msec", "unknown unit 'msec' (did you mean 'ms'?)"},
        {"mv/ms", "unknown unit 'mv' (did you mean 'mV'?)"},
        {"mV/foo", "unknown unit 'foo'"},
        {"", "empty unit"},
        {"   ", "empty unit"},
        {"mV/", "expected a unit at the end"},
        {"mV*", "expected a unit at the end"},
        {"mV^", "expected an integer exponent at the end"},
        {"mV^x", "expected an integer exponent, found 'x'"},
        {"mV^1.5", "unexpected '.5' after the unit"},
        {"mV extra", "unexpected 'extra' after the unit"},
        {"mV ms", "unexpected 'ms' after the unit"},
        {"(mV", "expected ')' in unit"},
        {"mV)", "unexpected ')' after the unit"},
        {"2mV", "expected a unit, found '2mV'"},
        {"10/s", "expected a unit, found '10'"},
        {"s^1/2", "write a fractional exponent in parentheses, as in 's^(1/2)'"},
        {"s^(1/0)", "zero denominator in exponent"},
        {"s^(1/2", "expected ')' to close the exponent"},
        {"s^1001", "exponent too large (the limit is 1000)"},
        {"(s^(1/2))^(1/1000)", "exponent too large"},
        {"s^(1/2)^2", "unexpected '^2' after the unit"},
        {"/s", "expected a unit, found '/s'"},
        {"mV//ms", "expected a unit, found '/ms'"},
        {"Mohms", "unknown unit 'Mohms' (did you mean 'Mohm'?)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        bool ok = unit_parse_term(bad[i].text, &u, err, sizeof err);
        expect(!ok && strcmp(err, bad[i].err) == 0,
               "unit_parse_term(\"%s\"): got \"%s\", want \"%s\"", bad[i].text,
               ok ? "(accepted)" : err, bad[i].err);
    }
}

static void test_quantities(void)
{
    static const struct { const char *text; double si; int dim[DIM_COUNT]; } good[] = {
        {"2s", 2, D_TIME}, {"0.05ms", 5e-5, D_TIME}, {"0.05 ms", 5e-5, D_TIME},
        {"-70mV", -0.07, D_VOLT}, {"-70 mV", -0.07, D_VOLT}, {"12", 12, D_NONE},
        {"1.5 uA/cm^2", 0.015, {-2, 0, 0, 1, 0, 0, 0}}, {"3 mV/ms", 3, {2, 1, -4, -1, 0, 0, 0}},
        {"1e-3 s", 1e-3, D_TIME}, {"+5 mV", 5e-3, D_VOLT}, {"  5 mV  ", 5e-3, D_VOLT},
        {".5 ms", 5e-4, D_TIME}, {"5. ms", 5e-3, D_TIME}, {"2.5E+2 ms", 0.25, D_TIME},
        {"1.5e-3mV", 1.5e-6, D_VOLT}, {"0.1 ms", 1e-4, D_TIME}, {"0.1ms", 1e-4, D_TIME},
        {"-0.3 nA", -3e-10, D_AMP}, {"100 Mohm", 1e8, D_OHM},
        {"1 uF/cm^2", 1e-2, {-4, -1, 4, 2, 0, 0, 0}},
        {"10 Hz", 10, D_RATE}, {"0.1 mM", 0.1, D_CONC}, {"5e-2", 0.05, D_NONE},
        {"1e300 um", 1e294, D_LENGTH}, {"0.1 nS", 1e-10, D_SIEMENS},
        {"2.2 nA", 2.2e-9, D_AMP}, {"3.3 uF", 3.3e-6, D_FARAD}, {"-65.5 uV", -6.55e-5, D_VOLT},
        {"0.7e1 mm", 7e-3, D_LENGTH}, {"12 1", 12, D_NONE}, {"0", 0, D_NONE},
    };
    char err[128];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double v = -1234;
        Dim d;
        bool ok = unit_parse_quantity(good[i].text, &v, &d, err, sizeof err);
        expect(ok, "unit_parse_quantity(\"%s\"): %s", good[i].text, ok ? "" : err);
        if (!ok)
            continue;
        expect(v == good[i].si, "value of '%s': got %.17g, want %.17g", good[i].text, v,
               good[i].si);
        expect(dim_eq(d, dim_of(good[i].dim)), "dimension of '%s': got %s", good[i].text,
               fmt_dim(d));
    }

}

static void test_quantity_errors(void)
{
    char err[128];
    static const struct { const char *text, *err; } bad[] = {
        {"abc", "expected a number, found 'abc'"},
        {"5 foo", "unknown unit 'foo'"},
        {"", "empty quantity: expected a number and a unit, as in '2 ms'"},
        {"  ", "empty quantity: expected a number and a unit, as in '2 ms'"},
        {"5 mV extra", "unexpected 'extra' after the unit"},
        {"5e", "malformed number '5e': no digits after the exponent marker"},
        {"5e+ ms", "malformed number '5e+': no digits after the exponent marker"},
        {"5ems", "malformed number '5ems': no digits after the exponent marker"},
        {"0x10", "unknown unit 'x10'"},
        {"inf", "expected a number, found 'inf'"},
        {"-inf", "expected a number, found '-inf'"},
        {"nan", "expected a number, found 'nan'"},
        {"NaN mV", "expected a number, found 'NaN'"},
        {"infinity s", "expected a number, found 'infinity'"},
        {"1e999", "'1e999' is out of range"},
        {"1e307 Gs", "'1e307' is out of range"},
        {"--5 mV", "expected a number, found '--5'"},
        {"5 msec", "unknown unit 'msec' (did you mean 'ms'?)"},
        {"5mv", "unknown unit 'mv' (did you mean 'mV'?)"},
        {"5 mV/", "expected a unit at the end"},
        {"ms", "expected a number, found 'ms'"},
        {"-", "expected a number, found '-'"},
        {".", "expected a number, found '.'"},
        {"5..3 ms", "expected a unit, found '.3'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        Dim d;
        err[0] = '\0';
        bool ok = unit_parse_quantity(bad[i].text, &v, &d, err, sizeof err);
        expect(!ok && strcmp(err, bad[i].err) == 0,
               "unit_parse_quantity(\"%s\"): got \"%s\", want \"%s\"", bad[i].text,
               ok ? "(accepted)" : err, bad[i].err);
    }
}

/* The literal path sema uses: the decimal exponent is shifted, so a value is rounded once. */
static void test_decimal(void)
{
    double v = 0;
    /* 0.1 * 1e-9 is 1.0000000000000002e-10, one ulp off */
    expect(0.1 * 1e-9 != 1e-10, "the naive product is exact after all; weaker test");
    expect(unit_decimal_to_si("0.1", 3, 1e-9, &v) && v == 1e-10, "0.1 nS = %.17g", v);
    expect(unit_decimal_to_si("0.1nS", 3, 1e-9, &v) && v == 1e-10, "prefix of a longer text");
    expect(unit_decimal_to_si("1.1", 3, 1e-2, &v) && v == 0.011, "1.1 cm = %.17g", v);
    expect(unit_decimal_to_si("3.3", 3, 1e-9, &v) && v == 3.3e-9, "3.3 nA = %.17g", v);
    expect(unit_decimal_to_si("-65", 3, 1e-3, &v) && v == -0.065, "-65 mV = %.17g", v);
    expect(unit_decimal_to_si("1e-3", 4, 1e3, &v) && v == 1, "1e-3 k = %.17g", v);
    expect(unit_decimal_to_si("2", 1, 1.5, &v) && v == 3, "a scale not a power of ten");
    expect(!unit_decimal_to_si("1e400", 5, 1, &v), "1e400 accepted");
    expect(!unit_decimal_to_si("1e", 2, 1, &v), "1e accepted");
    expect(!unit_decimal_to_si("1.2.3", 5, 1, &v), "1.2.3 accepted");
    expect(!unit_decimal_to_si("", 0, 1, &v), "empty accepted");
}

int main(void)
{
    test_lookup();
    test_name_list();
    test_suggest();
    test_rationals();
    test_dims();
    test_format();
    test_combine();
    test_terms();
    test_term_errors();
    test_quantities();
    test_quantity_errors();
    test_decimal();
    if (failures > 0) {
        fprintf(stderr, "test_units: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_units: %d checks passed\n", checks);
    return 0;
}
