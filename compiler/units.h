/* Physical dimensions and the unit table (LANGUAGE.md §2).
 *
 * A dimension is a vector of seven rational exponents over the SI base dimensions. A unit
 * is a scale to SI and a dimension; compiled values are all held in SI. Unit names are
 * looked up with their prefix (`mV` = milli volt); this module knows every name and
 * prefix of the spec and nothing about the AST. */
#ifndef NRN_UNITS_H
#define NRN_UNITS_H

#include <stdbool.h>
#include <stddef.h>

enum {
    DIM_LENGTH, DIM_MASS, DIM_TIME, DIM_CURRENT, DIM_TEMPERATURE, DIM_AMOUNT, DIM_LUMINOSITY,
    DIM_COUNT
};

typedef struct Rat { int num, den; } Rat;    /* normalised: den > 0, gcd(num, den) == 1 */

typedef struct Dim { Rat e[DIM_COUNT]; } Dim;

Rat  rat_make(int num, int den);             /* den != 0 */
Rat  rat_add(Rat a, Rat b);
Rat  rat_mul(Rat a, Rat b);
bool rat_eq(Rat a, Rat b);

Dim  dim_none(void);                         /* dimensionless */
Dim  dim_base(int which);                    /* DIM_TIME -> s, ... */
bool dim_eq(Dim a, Dim b);
bool dim_is_none(Dim d);
Dim  dim_mul(Dim a, Dim b);
Dim  dim_div(Dim a, Dim b);
Dim  dim_pow(Dim a, Rat k);
/* Writes the dimension as SI units, preferring a named derived unit (V S F ohm C) when
 * that needs fewer factors: "1", "s", "V", "V/s", "S/m^2", "F/m^2", "A/m^2", "ohm", "m^2",
 * "mol/m^3", "mol/(m^3*s)". Positive exponents go before "/", negative ones after it
 * (several in parentheses); an integer exponent is written bare ("m^2"), a fractional one
 * always in parentheses ("1/s^(1/2)", white noise), and 1/time is "1/s", never "Hz".
 * unit_parse_term reads this notation back. Truncates to fit n (n >= 1). Returns buf. */
const char *dim_format(Dim d, char *buf, size_t n);

/* Exponents of user origin (`x ^ k`) should go through these: they fail instead of
 * overflowing. rat_add, rat_mul and dim_mul/div/pow treat int overflow as an internal
 * error. */
#define DIM_EXP_LIMIT 1000   /* largest |numerator| and denominator dim_pow_checked makes */
bool dim_pow_checked(Dim a, Rat k, Dim *out);
/* The rational with the smallest denominator (<= 1000) within 1e-9 of x: 2, -0.5 and
 * 1.0/3 all convert. False when none is, or |x| > 1e6, or x is not finite. */
bool rat_from_double(double x, Rat *out);

/* The unit text a^ka * b^kb (b may be NULL), written in the names of a and b, with equal
 * names merged ("mV" * "mV" is "mV^2", "nA" * "Mohm" is "nA*Mohm", "mV" / "ms" is
 * "mV/ms"), in dim_format's notation. a and b are unit terms (unit_parse_term's syntax,
 * e.g. "uS/cm^2", "mol/(m^3*s)"). False when one does not parse, when everything cancels
 * or when it does not fit n. */
bool unit_text_combine(const char *a, Rat ka, const char *b, Rat kb, char *buf, size_t n);

typedef struct UnitInfo {
    double scale;    /* SI value of one unit: mV -> 1e-3 */
    Dim dim;
} UnitInfo;

/* A single unit name, with or without prefix: "mV", "ms", "Mohm", "cm2", "um2", "metre",
 * "1". False if unknown. Names are case-sensitive ("M" is molar, "m" metre). */
bool unit_lookup(const char *name, UnitInfo *out);

/* The known unit name nearest to `name` (edit distance <= 2), or NULL. A difference of case
 * only wins ("mv" -> "mV"); ties go to the commoner unit. */
const char *unit_suggest(const char *name);

/* The i-th known unit name (i from 0), NULL past the last: for listings and tests. */
const char *unit_name_at(size_t i);

/* Parses a command-line quantity: "2s", "0.05ms", "0.05 ms", "-70mV", "12", "1.5 uA/cm^2",
 * "3 mV/ms". On success stores the SI value and dimension and returns true; otherwise
 * writes a short reason into err. */
bool unit_parse_quantity(const char *text, double *si_value, Dim *dim, char *err, size_t errlen);

/* Parses a unit term alone ("mV", "mV/ms", "uS/cm^2", "1/s", "1"), as above. Grammar:
 *   term     := factor (('*' | '/') factor)*        left to right: a/b*c = (a/b)*c
 *   factor   := (NAME | '1' | '(' term ')') ['^' exponent]
 *   exponent := ['+'|'-'] INT | '(' ['+'|'-'] INT ['/' INT] ')'
 * Spaces are allowed around operators, not between two names ("mV ms" is an error). */
bool unit_parse_term(const char *text, UnitInfo *out, char *err, size_t errlen);

/* The SI value of the decimal number text[0..len) ([+-]digits[.digits][(e|E)[+-]digits] or
 * [+-].digits..., as the lexer's NUMBER) in a unit of the given scale, rounded once: when
 * the scale is the double nearest a power of ten 10^k (every unit of §2 is), the decimal
 * exponent is shifted by k before the one conversion, so "0.1" in ms gives exactly the
 * double nearest 1e-4 (0.1 * 1e-3 does not). False if malformed or not finite. */
bool unit_decimal_to_si(const char *text, size_t len, double scale, double *out);

#endif
