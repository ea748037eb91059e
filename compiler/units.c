/* Dimensions, the unit table and unit/quantity parsing (LANGUAGE.md §2).
 *
 * A dimension is seven rational exponents over the SI base dimensions; Rat is always
 * normalised (den > 0, lowest terms) so that equal values are equal field by field. Every
 * unit name of the language is one row of the static table `unit_names`: each base unit
 * contributes one line that expands, by string-literal concatenation, into itself and its
 * prefixed forms, so lookup, "did you mean" and the tests' uniqueness check all read the
 * same list, and the test proves that no spelling has two meanings ("mM" is milli-molar,
 * "Mm" mega-metre, "mol" the mole, "mm" milli-metre).
 *
 * Precision. Every unit of §2 is an exact power of ten times its SI unit (ms = 10^-3 s,
 * mM = 10^0 mol/m^3, kg = 10^0 kg, cm2 = 10^-4 m^2). A scale is therefore carried as that
 * decimal exponent k, summed exactly through a compound term (uS/cm^2: -6 - 2*(-2) = -2),
 * and turned into a double once, at the end, by converting the text "1eK" with strtod,
 * which rounds correctly (C17 7.22.1.3 recommends it; glibc and musl do it). So mV is the
 * double nearest 1e-3, identical to the literal 1e-3, and no chain of multiplications can
 * drift by an ulp. Quantities go one step further (unit_decimal_to_si): "0.1 ms" becomes
 * the text "0.1e-3" before its one conversion, giving the double nearest the exact decimal
 * value. Only a fractional exponent ("ms^(1/2)") makes k fractional; then pow() is used.
 *
 * Notation of dim_format: positive exponents before "/", negative ones after it, so no
 * minus sign appears; factors are joined with "*" and a denominator of several factors is
 * parenthesised: "V/s", "S/m^2", "1/s", "mol/(m^3*s)". An integer exponent is bare
 * ("m^2"); a fractional one is always in parentheses ("1/s^(1/2)") so that it can never be
 * read as a division. One named derived unit (V S F ohm C, raised to ±1, ±2 or ±1/2)
 * replaces base units when that needs fewer factors ("V/s", "V*A", "ohm*m"); Hz is never
 * printed, "1/s" reads better next to ODEs. Every symbol printed is a unit of §2 (bar
 * "cd", which no unit produces) and unit_parse_term accepts the notation, so every output
 * parses back. */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- rationals ---------------------------------------------------------------------- */

static long long gcd_ll(long long a, long long b)
{
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    while (b != 0) {
        long long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Normalises num/den into *out; false if it does not fit an int. */
static bool rat_from_ll(long long num, long long den, Rat *out)
{
    if (den == 0)
        return false;
    if (den < 0) {
        num = -num;
        den = -den;
    }
    long long g = gcd_ll(num, den);
    if (g > 1) {
        num /= g;
        den /= g;
    }
    if (num > 2147483647LL || num < -2147483647LL || den > 2147483647LL)
        return false;
    out->num = (int)num;
    out->den = (int)den;
    return true;
}

/* A zero-filled Rat (as in a zero-initialised Dim) means 0. */
static Rat rat_norm(Rat r)
{
    if (r.den == 0)
        r = (Rat){0, 1};
    return r;
}

static bool rat_add_checked(Rat a, Rat b, Rat *out)
{
    a = rat_norm(a);
    b = rat_norm(b);
    long long num = (long long)a.num * b.den + (long long)b.num * a.den;
    return rat_from_ll(num, (long long)a.den * b.den, out);
}

static bool rat_mul_checked(Rat a, Rat b, Rat *out)
{
    a = rat_norm(a);
    b = rat_norm(b);
    return rat_from_ll((long long)a.num * b.num, (long long)a.den * b.den, out);
}

Rat rat_make(int num, int den)
{
    Rat r;
    if (!rat_from_ll(num, den, &r))
        NRN_UNREACHABLE();
    return r;
}

Rat rat_add(Rat a, Rat b)
{
    Rat r;
    if (!rat_add_checked(a, b, &r))
        NRN_UNREACHABLE();
    return r;
}

Rat rat_mul(Rat a, Rat b)
{
    Rat r;
    if (!rat_mul_checked(a, b, &r))
        NRN_UNREACHABLE();
    return r;
}

bool rat_eq(Rat a, Rat b)
{
    a = rat_norm(a);
    b = rat_norm(b);
    return a.num == b.num && a.den == b.den;
}

bool rat_from_double(double x, Rat *out)
{
    if (!isfinite(x) || fabs(x) > 1e6)
        return false;
    for (int den = 1; den <= 1000; den++) {
        double n = nearbyint(x * den);
        if (fabs(x * den - n) <= 1e-9 * den)
            return rat_from_ll((long long)n, den, out);
    }
    return false;
}

/* ---- dimensions --------------------------------------------------------------------- */

Dim dim_none(void)
{
    Dim d;
    for (int i = 0; i < DIM_COUNT; i++)
        d.e[i] = (Rat){0, 1};
    return d;
}

Dim dim_base(int which)
{
    if (which < 0 || which >= DIM_COUNT)
        NRN_UNREACHABLE();
    Dim d = dim_none();
    d.e[which] = (Rat){1, 1};
    return d;
}

bool dim_eq(Dim a, Dim b)
{
    for (int i = 0; i < DIM_COUNT; i++)
        if (!rat_eq(a.e[i], b.e[i]))
            return false;
    return true;
}

bool dim_is_none(Dim d)
{
    return dim_eq(d, dim_none());
}

/* a * b^sign, exponent by exponent; false on overflow. */
static bool dim_combine(Dim a, Dim b, int sign, Dim *out)
{
    for (int i = 0; i < DIM_COUNT; i++) {
        Rat rb = {sign * b.e[i].num, b.e[i].den};
        if (!rat_add_checked(a.e[i], rb, &out->e[i]))
            return false;
    }
    return true;
}

static bool dim_pow_raw(Dim a, Rat k, Dim *out)
{
    for (int i = 0; i < DIM_COUNT; i++)
        if (!rat_mul_checked(a.e[i], k, &out->e[i]))
            return false;
    return true;
}

Dim dim_mul(Dim a, Dim b)
{
    Dim r;
    if (!dim_combine(a, b, 1, &r))
        NRN_UNREACHABLE();
    return r;
}

Dim dim_div(Dim a, Dim b)
{
    Dim r;
    if (!dim_combine(a, b, -1, &r))
        NRN_UNREACHABLE();
    return r;
}

Dim dim_pow(Dim a, Rat k)
{
    Dim r;
    if (!dim_pow_raw(a, k, &r))
        NRN_UNREACHABLE();
    return r;
}

bool dim_pow_checked(Dim a, Rat k, Dim *out)
{
    Dim r;
    if (!dim_pow_raw(a, k, &r))
        return false;
    for (int i = 0; i < DIM_COUNT; i++)
        if (abs(r.e[i].num) > DIM_EXP_LIMIT || r.e[i].den > DIM_EXP_LIMIT)
            return false;
    *out = r;
    return true;
}

static Dim dim_from_ints(const signed char e[DIM_COUNT])
{
    Dim d;
    for (int i = 0; i < DIM_COUNT; i++)
        d.e[i] = (Rat){e[i], 1};
    return d;
}

/* ---- dim_format --------------------------------------------------------------------- */

/* Exponent order of every table below: ORDER DIM (length, mass, time, current,
 * temperature, amount, luminosity), as the enum in units.h. */
static const char *const base_symbol[DIM_COUNT] = {"m", "kg", "s", "A", "K", "mol", "cd"};

/* Printing order of base units: the conventional kg, m, s, A, K, mol, cd. */
static const int print_order[DIM_COUNT] = {
    DIM_MASS, DIM_LENGTH, DIM_TIME, DIM_CURRENT, DIM_TEMPERATURE, DIM_AMOUNT, DIM_LUMINOSITY,
};

/* Named derived units dim_format may use, in order of preference on a tie. Only units a
 * model can write appear (W and J are not units of §2: power prints as "V*A"). */
static const struct NamedUnit {
    const char *symbol;
    signed char e[DIM_COUNT];
} named_units[] = {
    {"V", {2, 1, -3, -1, 0, 0, 0}},
    {"S", {-2, -1, 3, 2, 0, 0, 0}},
    {"F", {-2, -1, 4, 2, 0, 0, 0}},
    {"ohm", {2, 1, -3, -2, 0, 0, 0}},
    {"C", {0, 0, 1, 1, 0, 0, 0}},
};

static const Rat named_powers[] = {{1, 1}, {-1, 1}, {2, 1}, {-2, 1}, {1, 2}, {-1, 2}};

/* d written as named^power * rest; named < 0 when only base units are used. */
typedef struct Shape {
    int named;
    Rat power;
    Dim rest;
} Shape;

static int factor_count(Dim d)
{
    int n = 0;
    for (int i = 0; i < DIM_COUNT; i++)
        n += d.e[i].num != 0;
    return n;
}

static double exponent_weight(Dim d)
{
    double w = 0;
    for (int i = 0; i < DIM_COUNT; i++)
        w += fabs((double)d.e[i].num / d.e[i].den);
    return w;
}

/* The shape with fewest factors; a named unit must beat base units strictly, then the
 * smaller leftover exponents win, then a positive power, then table order. */
static Shape choose_shape(Dim d)
{
    Shape best = {-1, {0, 1}, d};
    int best_count = factor_count(d);
    double best_weight = 1e300;
    for (int u = 0; u < (int)(sizeof named_units / sizeof named_units[0]); u++) {
        for (size_t p = 0; p < sizeof named_powers / sizeof named_powers[0]; p++) {
            Dim unit, rest;
            if (!dim_pow_raw(dim_from_ints(named_units[u].e), named_powers[p], &unit) ||
                !dim_combine(d, unit, -1, &rest))
                continue;
            int count = 1 + factor_count(rest);
            /* on a tie, a unit above the line ("ohm") reads better than one below it */
            double weight = exponent_weight(rest) + (named_powers[p].num < 0 ? 0.25 : 0);
            if (count < best_count || (count == best_count && best.named >= 0 &&
                                       weight < best_weight)) {
                best = (Shape){u, named_powers[p], rest};
                best_count = count;
                best_weight = weight;
            }
        }
    }
    return best;
}

typedef struct Out {
    char *buf;
    size_t cap, len;
} Out;

static void out_add(Out *o, const char *fmt, ...)
{
    if (o->len + 1 >= o->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    o->len += (size_t)n;
    if (o->len >= o->cap)
        o->len = o->cap - 1;
}

/* One factor with a positive exponent: "s", "m^2", "s^(1/2)". */
static void out_factor(Out *o, const char *symbol, Rat e, bool first)
{
    out_add(o, "%s%s", first ? "" : "*", symbol);
    if (e.den != 1)
        out_add(o, "^(%d/%d)", e.num, e.den);
    else if (e.num != 1)
        out_add(o, "^%d", e.num);
}

/* Writes the factors of s whose exponent has the given sign (as positive exponents);
 * returns how many. */
static int out_side(Out *o, Shape s, int sign)
{
    int n = 0;
    if (s.named >= 0 && s.power.num * sign > 0)
        out_factor(o, named_units[s.named].symbol, (Rat){s.power.num * sign, s.power.den},
                   n++ == 0);
    for (int k = 0; k < DIM_COUNT; k++) {
        Rat e = s.rest.e[print_order[k]];
        if (e.num * sign > 0)
            out_factor(o, base_symbol[print_order[k]], (Rat){e.num * sign, e.den}, n++ == 0);
    }
    return n;
}

static int side_count(Shape s, int sign)
{
    int n = s.named >= 0 && s.power.num * sign > 0;
    for (int i = 0; i < DIM_COUNT; i++)
        n += s.rest.e[i].num * sign > 0;
    return n;
}

const char *dim_format(Dim d, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    Out o = {buf, n, 0};
    buf[0] = '\0';
    Shape s = choose_shape(d);
    if (out_side(&o, s, 1) == 0)
        out_add(&o, "1");
    int den = side_count(s, -1);
    if (den > 0) {
        out_add(&o, den > 1 ? "/(" : "/");
        out_side(&o, s, -1);
        if (den > 1)
            out_add(&o, ")");
    }
    return buf;
}

/* ---- characters ------------------------------------------------------------------- */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_name_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_name_char(char ch)
{
    return is_name_start(ch) || is_digit(ch);
}

/* ---- the unit table ----------------------------------------------------------------- */

/* Base units: dimension, decimal exponent of the SI scale, and the power a prefix is
 * raised to (cm2 = (1e-2 m)^2). */
enum {
    B_ONE, B_SECOND, B_VOLT, B_AMP, B_OHM, B_SIEMENS, B_FARAD, B_HERTZ, B_COULOMB, B_MOLAR,
    B_MOLE, B_METRE, B_GRAM, B_KELVIN, B_METRE2, B_METRE3,
};

static const struct BaseUnit {
    signed char e[DIM_COUNT];   /* ORDER DIM */
    signed char pow10;          /* SI value of the unprefixed unit is 10^pow10 */
    signed char prefix_power;
} base_units[] = {
    [B_ONE] = {{0, 0, 0, 0, 0, 0, 0}, 0, 1},
    [B_SECOND] = {{0, 0, 1, 0, 0, 0, 0}, 0, 1},
    [B_VOLT] = {{2, 1, -3, -1, 0, 0, 0}, 0, 1},
    [B_AMP] = {{0, 0, 0, 1, 0, 0, 0}, 0, 1},
    [B_OHM] = {{2, 1, -3, -2, 0, 0, 0}, 0, 1},
    [B_SIEMENS] = {{-2, -1, 3, 2, 0, 0, 0}, 0, 1},
    [B_FARAD] = {{-2, -1, 4, 2, 0, 0, 0}, 0, 1},
    [B_HERTZ] = {{0, 0, -1, 0, 0, 0, 0}, 0, 1},
    [B_COULOMB] = {{0, 0, 1, 1, 0, 0, 0}, 0, 1},
    [B_MOLAR] = {{-3, 0, 0, 0, 0, 1, 0}, 3, 1},     /* mol/L = 1e3 mol/m^3 */
    [B_MOLE] = {{0, 0, 0, 0, 0, 1, 0}, 0, 1},
    [B_METRE] = {{1, 0, 0, 0, 0, 0, 0}, 0, 1},
    [B_GRAM] = {{0, 1, 0, 0, 0, 0, 0}, -3, 1},      /* the SI unit is the kilogram */
    [B_KELVIN] = {{0, 0, 0, 0, 1, 0, 0}, 0, 1},
    [B_METRE2] = {{2, 0, 0, 0, 0, 0, 0}, 0, 2},
    [B_METRE3] = {{3, 0, 0, 0, 0, 0, 0}, 0, 3},
};

typedef struct UnitName {
    const char *name;
    signed char prefix_pow10;
    unsigned char base;
} UnitName;

/* A symbol or word with every SI prefix of §2; the order (commonest first) breaks ties
 * in unit_suggest. */
#define WITH_SYMBOL_PREFIXES(word, b)                                                      \
    {word, 0, b}, {"m" word, -3, b}, {"u" word, -6, b}, {"n" word, -9, b},                 \
        {"p" word, -12, b}, {"k" word, 3, b}, {"M" word, 6, b}, {"G" word, 9, b},          \
        {"c" word, -2, b}, {"f" word, -15, b}

/* A spelled-out name with spelled-out prefixes: "millisecond", "megaohm", "kilogram". */
#define WITH_WORD_PREFIXES(word, b)                                                        \
    {"milli" word, -3, b}, {"micro" word, -6, b}, {"nano" word, -9, b},                    \
        {"pico" word, -12, b}, {"kilo" word, 3, b}, {"mega" word, 6, b},                   \
        {"giga" word, 9, b}, {"centi" word, -2, b}, {"femto" word, -15, b}

static const UnitName unit_names[] = {
    {"1", 0, B_ONE},   /* first: unit_suggest skips it */
    WITH_SYMBOL_PREFIXES("s", B_SECOND),
    WITH_SYMBOL_PREFIXES("V", B_VOLT),
    WITH_SYMBOL_PREFIXES("A", B_AMP),
    WITH_SYMBOL_PREFIXES("ohm", B_OHM),
    WITH_SYMBOL_PREFIXES("S", B_SIEMENS),
    WITH_SYMBOL_PREFIXES("F", B_FARAD),
    WITH_SYMBOL_PREFIXES("Hz", B_HERTZ),
    WITH_SYMBOL_PREFIXES("C", B_COULOMB),
    WITH_SYMBOL_PREFIXES("M", B_MOLAR),
    WITH_SYMBOL_PREFIXES("mol", B_MOLE),
    WITH_SYMBOL_PREFIXES("m", B_METRE),
    WITH_SYMBOL_PREFIXES("g", B_GRAM),
    WITH_SYMBOL_PREFIXES("K", B_KELVIN),
    WITH_SYMBOL_PREFIXES("m2", B_METRE2),
    WITH_SYMBOL_PREFIXES("m3", B_METRE3),
    WITH_SYMBOL_PREFIXES("Ohm", B_OHM),
    /* Words take symbol prefixes too, as in Brian2 ("mvolt", "nsiemens"); "ohm" has them
     * already as a symbol. */
    WITH_SYMBOL_PREFIXES("second", B_SECOND), WITH_WORD_PREFIXES("second", B_SECOND),
    WITH_SYMBOL_PREFIXES("volt", B_VOLT), WITH_WORD_PREFIXES("volt", B_VOLT),
    WITH_SYMBOL_PREFIXES("amp", B_AMP), WITH_WORD_PREFIXES("amp", B_AMP),
    WITH_SYMBOL_PREFIXES("ampere", B_AMP), WITH_WORD_PREFIXES("ampere", B_AMP),
    WITH_WORD_PREFIXES("ohm", B_OHM),
    WITH_SYMBOL_PREFIXES("siemens", B_SIEMENS), WITH_WORD_PREFIXES("siemens", B_SIEMENS),
    WITH_SYMBOL_PREFIXES("farad", B_FARAD), WITH_WORD_PREFIXES("farad", B_FARAD),
    WITH_SYMBOL_PREFIXES("hertz", B_HERTZ), WITH_WORD_PREFIXES("hertz", B_HERTZ),
    WITH_SYMBOL_PREFIXES("coulomb", B_COULOMB), WITH_WORD_PREFIXES("coulomb", B_COULOMB),
    WITH_SYMBOL_PREFIXES("molar", B_MOLAR), WITH_WORD_PREFIXES("molar", B_MOLAR),
    WITH_SYMBOL_PREFIXES("mole", B_MOLE), WITH_WORD_PREFIXES("mole", B_MOLE),
    WITH_SYMBOL_PREFIXES("metre", B_METRE), WITH_WORD_PREFIXES("metre", B_METRE),
    WITH_SYMBOL_PREFIXES("meter", B_METRE), WITH_WORD_PREFIXES("meter", B_METRE),
    WITH_SYMBOL_PREFIXES("gram", B_GRAM), WITH_WORD_PREFIXES("gram", B_GRAM),
    WITH_SYMBOL_PREFIXES("kelvin", B_KELVIN), WITH_WORD_PREFIXES("kelvin", B_KELVIN),
};

#define UNIT_NAME_COUNT (sizeof unit_names / sizeof unit_names[0])

/* The double nearest 10^k: one correctly rounded conversion (see the top of the file). */
static double pow10_nearest(long k)
{
    char text[32];
    snprintf(text, sizeof text, "1e%ld", k);
    return strtod(text, NULL);
}

static const UnitName *find_unit(const char *name, size_t len)
{
    for (size_t i = 0; i < UNIT_NAME_COUNT; i++)
        if (strncmp(unit_names[i].name, name, len) == 0 && unit_names[i].name[len] == '\0')
            return &unit_names[i];
    return NULL;
}

/* Decimal exponent of the SI scale of a table row. */
static int unit_pow10(const UnitName *u)
{
    const struct BaseUnit *b = &base_units[u->base];
    return b->prefix_power * u->prefix_pow10 + b->pow10;
}

bool unit_lookup(const char *name, UnitInfo *out)
{
    const UnitName *u = find_unit(name, strlen(name));
    if (u == NULL)
        return false;
    out->scale = pow10_nearest(unit_pow10(u));
    out->dim = dim_from_ints(base_units[u->base].e);
    return true;
}

const char *unit_name_at(size_t i)
{
    return i < UNIT_NAME_COUNT ? unit_names[i].name : NULL;
}

static void ascii_lower(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < n; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    out[i] = '\0';
}

/* Two edits turn any three letters into a two-letter unit ("foo" -> "fA"), so for a name
 * under four characters a distance of 2 counts only when the unit starts it ("sec" ->
 * "s"). */
static bool plausible(const char *name, const char *cand, const char *cand_lower, int fold)
{
    if (fold <= 1 || strlen(name) >= 4)
        return true;
    char lower[72];
    ascii_lower(name, lower, sizeof lower);
    return strncmp(lower, cand_lower, strlen(cand)) == 0;
}

/* Ranked by the distance ignoring case, then the exact distance, then table order, so a
 * slip of case ("mv") finds its unit before a one-letter neighbour ("m"). Only names get
 * suggestions and "1" is never one ("2" is no misspelling of "s" or "1"). */
const char *unit_suggest(const char *name)
{
    char lower[72], cand[72];
    if (!is_name_start(name[0]) || strlen(name) > 64)
        return NULL;
    ascii_lower(name, lower, sizeof lower);
    const char *best = NULL;
    int best_fold = 3, best_exact = 3;
    for (size_t i = 1; i < UNIT_NAME_COUNT; i++) {
        int exact = nrn_edit_distance(name, unit_names[i].name);
        if (exact > 2)
            continue;
        ascii_lower(unit_names[i].name, cand, sizeof cand);
        int fold = nrn_edit_distance(lower, cand);
        if (!plausible(name, unit_names[i].name, cand, fold))
            continue;
        if (fold < best_fold || (fold == best_fold && exact < best_exact)) {
            best = unit_names[i].name;
            best_fold = fold;
            best_exact = exact;
        }
    }
    return best;
}

/* ---- unit terms --------------------------------------------------------------------- */

/* A parsed term: SI scale 10^pow10 and dimension. */
typedef struct Term {
    Rat pow10;
    Dim dim;
} Term;

typedef struct Cursor {
    const char *p;
    char *err;
    size_t errlen;
} Cursor;

static bool fail(Cursor *c, const char *fmt, ...)
{
    if (c->errlen == 0)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return false;
}

static void skip_spaces(Cursor *c)
{
    while (is_space(*c->p))
        c->p++;
}

/* Length of the "word" at p, for quoting what was found: up to a space or operator. */
static int word_len(const char *p)
{
    int n = 0;
    while (p[n] != '\0' && !is_space(p[n]) && (n == 0 || !strchr("*/^()", p[n])) && n < 40)
        n++;
    return n;
}

static bool parse_term(Cursor *c, Term *out);

/* An unsigned integer of at most DIM_EXP_LIMIT. */
static bool parse_int(Cursor *c, int *out)
{
    if (*c->p == '\0')
        return fail(c, "expected an integer exponent at the end");
    if (!is_digit(*c->p))
        return fail(c, "expected an integer exponent, found '%.*s'", word_len(c->p), c->p);
    long v = 0;
    while (is_digit(*c->p)) {
        v = v * 10 + (*c->p++ - '0');
        if (v > DIM_EXP_LIMIT)
            return fail(c, "exponent too large (the limit is %d)", DIM_EXP_LIMIT);
    }
    *out = (int)v;
    return true;
}

static bool parse_signed_int(Cursor *c, int *out)
{
    int sign = 1;
    if (*c->p == '-' || *c->p == '+')
        sign = *c->p++ == '-' ? -1 : 1;
    if (!parse_int(c, out))
        return false;
    *out *= sign;
    return true;
}

/* exponent := ['+'|'-'] INT | '(' ['+'|'-'] INT ['/' INT] ')' */
static bool parse_exponent(Cursor *c, Rat *out)
{
    int num, den = 1;
    skip_spaces(c);
    if (*c->p != '(') {
        if (!parse_signed_int(c, &num))
            return false;
        *out = rat_make(num, 1);
        return true;
    }
    c->p++;
    skip_spaces(c);
    if (!parse_signed_int(c, &num))
        return false;
    skip_spaces(c);
    if (*c->p == '/') {
        c->p++;
        skip_spaces(c);
        if (!parse_int(c, &den))
            return false;
        if (den == 0)
            return fail(c, "zero denominator in exponent");
        skip_spaces(c);
    }
    if (*c->p != ')')
        return fail(c, "expected ')' to close the exponent");
    c->p++;
    *out = rat_make(num, den);
    return true;
}

static bool parse_name(Cursor *c, Term *out)
{
    size_t len = 0;
    while (is_name_char(c->p[len]))
        len++;
    const UnitName *u = find_unit(c->p, len);
    if (u == NULL) {
        char name[72];
        snprintf(name, sizeof name, "%.*s", len > 64 ? 64 : (int)len, c->p);
        /* a caller that only asks whether the text is a unit gets no message: the
         * suggestion's edit distances would be wasted (sema tries many composed texts) */
        const char *hint = c->err ? unit_suggest(name) : NULL;
        if (hint != NULL)
            return fail(c, "unknown unit '%s' (did you mean '%s'?)", name, hint);
        return fail(c, "unknown unit '%s'", name);
    }
    c->p += len;
    *out = (Term){rat_make(unit_pow10(u), 1), dim_from_ints(base_units[u->base].e)};
    return true;
}

/* What a factor stands on: NAME | '1' | '(' term ')' */
static bool parse_atom(Cursor *c, Term *out)
{
    if (is_name_start(*c->p))
        return parse_name(c, out);
    if (c->p[0] == '1' && !is_name_char(c->p[1]) && c->p[1] != '.') {
        c->p++;
        *out = (Term){{0, 1}, dim_none()};
        return true;
    }
    if (*c->p == '(') {
        c->p++;
        skip_spaces(c);
        if (!parse_term(c, out))
            return false;
        skip_spaces(c);
        if (*c->p != ')')
            return fail(c, "expected ')' in unit");
        c->p++;
        return true;
    }
    if (*c->p == '\0')
        return fail(c, "expected a unit at the end");
    return fail(c, "expected a unit, found '%.*s'", word_len(c->p), c->p);
}

/* factor := atom ['^' exponent]; *bare_exp tells whether it ended in "^INT" */
static bool parse_factor(Cursor *c, Term *out, bool *bare_exp)
{
    *bare_exp = false;
    if (!parse_atom(c, out))
        return false;
    const char *save = c->p;
    skip_spaces(c);
    if (*c->p != '^') {
        c->p = save;
        return true;
    }
    c->p++;
    Rat k;
    skip_spaces(c);
    *bare_exp = *c->p != '(';
    if (!parse_exponent(c, &k))
        return false;
    if (!rat_mul_checked(out->pow10, k, &out->pow10) || !dim_pow_checked(out->dim, k, &out->dim))
        return fail(c, "exponent too large");
    return true;
}

/* term := factor (('*' | '/') factor)* */
static bool parse_term(Cursor *c, Term *out)
{
    bool bare_exp;
    if (!parse_factor(c, out, &bare_exp))
        return false;
    for (;;) {
        const char *save = c->p;
        skip_spaces(c);
        char op = *c->p;
        if (op != '*' && op != '/') {
            c->p = save;
            return true;
        }
        c->p++;
        skip_spaces(c);
        if (op == '/' && bare_exp && is_digit(*c->p))
            return fail(c, "write a fractional exponent in parentheses, as in 's^(1/2)'");
        Term rhs;
        if (!parse_factor(c, &rhs, &bare_exp))
            return false;
        int sign = op == '*' ? 1 : -1;
        Rat k = {sign * rhs.pow10.num, rhs.pow10.den};
        if (!rat_add_checked(out->pow10, k, &out->pow10) ||
            !dim_combine(out->dim, rhs.dim, sign, &out->dim))
            return fail(c, "unit exponents too large");
    }
}

static double term_scale(Rat pow10)
{
    if (pow10.den == 1)
        return pow10_nearest(pow10.num);
    return pow(10.0, (double)pow10.num / pow10.den);
}

bool unit_parse_term(const char *text, UnitInfo *out, char *err, size_t errlen)
{
    Cursor c = {text, err, errlen};
    skip_spaces(&c);
    if (*c.p == '\0')
        return fail(&c, "empty unit");
    Term t;
    if (!parse_term(&c, &t))
        return false;
    skip_spaces(&c);
    if (*c.p != '\0')
        return fail(&c, "unexpected '%.*s' after the unit", word_len(c.p), c.p);
    out->scale = term_scale(t.pow10);
    out->dim = t.dim;
    return true;
}

/* ---- composing unit texts ----------------------------------------------------------
 *
 * Messages show a derived quantity in the units its parts were written in (v * v is in
 * mV^2, I * R in nA*Mohm) rather than in SI. A unit text is read as a list of named
 * factors with rational exponents, lists are merged name by name, and the result is
 * written in dim_format's notation, which unit_parse_term reads back. */

enum { COMBINE_MAX_FACTORS = 8 };

typedef struct NamedFactors {
    char name[COMBINE_MAX_FACTORS][16];
    Rat exp[COMBINE_MAX_FACTORS];
    int n;
} NamedFactors;

static bool add_named(NamedFactors *f, const char *name, size_t len, Rat k)
{
    if (len == 0 || len >= sizeof f->name[0])
        return false;
    for (int i = 0; i < f->n; i++)
        if (strlen(f->name[i]) == len && strncmp(f->name[i], name, len) == 0)
            return rat_add_checked(f->exp[i], k, &f->exp[i]);
    if (f->n == COMBINE_MAX_FACTORS)
        return false;
    memcpy(f->name[f->n], name, len);
    f->name[f->n][len] = '\0';
    f->exp[f->n++] = k;
    return true;
}

static bool named_term(Cursor *c, NamedFactors *f, Rat k, int depth);

/* factor := NAME ['^' exponent] | '1' | '(' term ')'  (each raised to k) */
static bool named_factor(Cursor *c, NamedFactors *f, Rat k, int depth)
{
    skip_spaces(c);
    if (*c->p == '(') {
        c->p++;
        if (!named_term(c, f, k, depth + 1))
            return false;
        skip_spaces(c);
        return *c->p++ == ')';
    }
    if (*c->p == '1' && !is_digit(c->p[1])) {
        c->p++;
        return true;
    }
    const char *start = c->p;
    while (isalnum((unsigned char)*c->p) || *c->p == '_')
        c->p++;
    size_t len = (size_t)(c->p - start);
    skip_spaces(c);
    Rat e = {1, 1};
    if (*c->p == '^') {
        c->p++;
        if (!parse_exponent(c, &e))
            return false;
    }
    Rat ke;
    return rat_mul_checked(e, k, &ke) && add_named(f, start, len, ke);
}

/* term := factor (('*' | '/') factor)* */
static bool named_term(Cursor *c, NamedFactors *f, Rat k, int depth)
{
    if (depth > 4 || !named_factor(c, f, k, depth))
        return false;
    for (;;) {
        skip_spaces(c);
        if (*c->p != '*' && *c->p != '/')
            return true;
        Rat kk = *c->p++ == '*' ? k : rat_make(-k.num, k.den);
        if (!named_factor(c, f, kk, depth))
            return false;
    }
}

static bool read_named(const char *text, Rat k, NamedFactors *f)
{
    char err[8];
    Cursor c = {text, err, sizeof err};
    if (!named_term(&c, f, k, 0))
        return false;
    skip_spaces(&c);
    return *c.p == '\0';
}

/* The factors of one sign (+1 or -1) joined with '*'; how many there were. */
static int put_named(const NamedFactors *f, int sign, char *buf, size_t n, size_t *len)
{
    int count = 0;
    for (int i = 0; i < f->n; i++) {
        Rat e = f->exp[i];
        if (e.num == 0 || (e.num > 0) != (sign > 0))
            continue;
        int num = e.num < 0 ? -e.num : e.num;
        const char *sep = count++ ? "*" : "";
        int w;
        if (e.den != 1)
            w = snprintf(buf + *len, n - *len, "%s%s^(%d/%d)", sep, f->name[i], num, e.den);
        else if (num != 1)
            w = snprintf(buf + *len, n - *len, "%s%s^%d", sep, f->name[i], num);
        else
            w = snprintf(buf + *len, n - *len, "%s%s", sep, f->name[i]);
        if (w < 0 || (size_t)w >= n - *len)
            return -1;
        *len += (size_t)w;
    }
    return count;
}

bool unit_text_combine(const char *a, Rat ka, const char *b, Rat kb, char *buf, size_t n)
{
    NamedFactors f = {.n = 0};
    if (!read_named(a, ka, &f) || (b && !read_named(b, kb, &f)))
        return false;
    int pos = 0, neg = 0;
    for (int i = 0; i < f.n; i++) {
        pos += f.exp[i].num > 0;
        neg += f.exp[i].num < 0;
    }
    if (pos + neg == 0 || n < 4)
        return false;
    size_t len = 0;
    if (pos == 0)
        buf[len++] = '1';
    else if (put_named(&f, 1, buf, n, &len) < 0)
        return false;
    if (neg > 0) {
        int w = snprintf(buf + len, n - len, neg > 1 ? "/(" : "/");
        if (w < 0 || (size_t)w >= n - len)
            return false;
        len += (size_t)w;
        if (put_named(&f, -1, buf, n, &len) < 0 || (neg > 1 && len + 1 >= n))
            return false;
        if (neg > 1)
            buf[len++] = ')';
    }
    buf[len] = '\0';
    return true;
}

/* ---- quantities --------------------------------------------------------------------- */

/* Scans [+-](digits[.digits*] | .digits)[(e|E)[+-]digits] at p. Returns its length (0 if
 * no number starts there, -1 if an exponent marker has no digits) and where the mantissa
 * ends. */
static int scan_number(const char *p, int *mantissa_len)
{
    int n = 0, digits = 0;
    if (p[n] == '+' || p[n] == '-')
        n++;
    for (; is_digit(p[n]); n++)
        digits++;
    if (p[n] == '.')
        for (n++; is_digit(p[n]); n++)
            digits++;
    if (digits == 0)
        return 0;
    *mantissa_len = n;
    if (p[n] != 'e' && p[n] != 'E')
        return n;
    int e = n + 1;
    if (p[e] == '+' || p[e] == '-')
        e++;
    if (!is_digit(p[e]))
        return -1;
    while (is_digit(p[e]))
        e++;
    return e;
}

/* The decimal exponent written after the mantissa, saturated far beyond any double. */
static long written_exponent(const char *p, const char *end)
{
    if (p == end)
        return 0;
    p++;
    int sign = *p == '-' ? -1 : 1;
    if (*p == '-' || *p == '+')
        p++;
    long v = 0;
    for (; p < end; p++)
        if (v < 100000)
            v = v * 10 + (*p - '0');
    return sign * v;
}

/* Exact powers of ten are recognised by converting back; the scan is short and only a
 * fractional exponent (ms^(1/2)) misses. */
static bool scale_pow10(double scale, long *k)
{
    if (!(scale > 0) || !isfinite(scale))
        return false;
    *k = lround(log10(scale));
    return pow10_nearest(*k) == scale;
}

/* The copy is scanned, not `text`, so nothing past len is read. */
bool unit_decimal_to_si(const char *text, size_t len, double scale, double *out)
{
    if (len > 100000)
        return false;
    char *buf = malloc(len + 32);
    if (buf == NULL)
        nrn_fatal_oom();
    memcpy(buf, text, len);
    buf[len] = '\0';
    int mant = 0;
    if (len == 0 || scan_number(buf, &mant) != (int)len) {
        free(buf);
        return false;
    }
    long k;
    bool shift = scale_pow10(scale, &k);
    if (shift)
        snprintf(buf + mant, 32, "e%ld", written_exponent(buf + mant, buf + len) + k);
    double v = strtod(buf, NULL);
    if (!shift)
        v *= scale;
    free(buf);
    if (!isfinite(v))
        return false;
    *out = v;
    return true;
}

bool unit_parse_quantity(const char *text, double *si_value, Dim *dim, char *err, size_t errlen)
{
    Cursor c = {text, err, errlen};
    skip_spaces(&c);
    if (*c.p == '\0')
        return fail(&c, "empty quantity: expected a number and a unit, as in '2 ms'");
    int mant = 0;
    int n = scan_number(c.p, &mant);
    if (n == 0)
        return fail(&c, "expected a number, found '%.*s'", word_len(c.p), c.p);
    if (n < 0)
        return fail(&c, "malformed number '%.*s': no digits after the exponent marker",
                    word_len(c.p), c.p);
    const char *number = c.p;
    c.p += n;
    skip_spaces(&c);
    UnitInfo u = {1.0, dim_none()};
    if (*c.p != '\0' && !unit_parse_term(c.p, &u, err, errlen))
        return false;
    double v;
    if (!unit_decimal_to_si(number, (size_t)n, u.scale, &v))
        return fail(&c, "'%.*s' is out of range", n, number);
    *si_value = v;
    *dim = u.dim;
    return true;
}
