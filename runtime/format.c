/* Number formatting shared by every writer and by the compiler's messages.
 *
 * nrt_format_double prints the shortest decimal that reads back to the same double. It
 * does not search all precisions: if some precision p <= 15 round-trips, the correctly
 * rounded 15-digit form is that same p-digit decimal padded with zeros (a double is within
 * 2^-53 relative of its shortest decimal, well inside half a unit of the 15th digit), and
 * %g strips the padding. So %.15g, %.16g, %.17g are tried in turn: at most three
 * snprintf/strtod pairs per value, which matters for traces of many neurons (subnormals,
 * with less precision, get the full search from %.1g). %.15g also prints integers below
 * 1e15 without an exponent ("100", not "1e+02").
 *
 * nrt_format_time prints step·dt exactly: dt is taken as the decimal its shortest form
 * shows (0.1 is 1·10^-1), the product is an integer times a power of ten, and no binary
 * rounding ever shows up in a time column ("16.1", never "16.100000000000001"). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

__extension__ typedef unsigned __int128 u128;

enum { MAX_DT_DIGITS = 12, MAX_TIME_DIGITS = 36 };

void nrt_format_double(double x, char *buf, int n)
{
    if (n <= 0)
        return;
    if (isnan(x)) {
        snprintf(buf, (size_t)n, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, (size_t)n, x < 0 ? "-inf" : "inf");
        return;
    }
    if (x == 0) {
        snprintf(buf, (size_t)n, "0");
        return;
    }
    char tmp[NRT_NUM_BUF];
    /* Subnormals have fewer significant bits than the argument above assumes. */
    int first = fabs(x) < DBL_MIN ? 1 : 15;
    for (int p = first; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, x);
        if (p == 17 || strtod(tmp, NULL) == x)
            break;
    }
    snprintf(buf, (size_t)n, "%s", tmp);
}

int nrt_format_int(int64_t v, char *buf)
{
    char rev[24];
    int len = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        rev[len++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int k = 0;
    if (v < 0)
        buf[k++] = '-';
    while (len)
        buf[k++] = rev[--len];
    buf[k] = '\0';
    return k;
}

/* Splits a shortest-form decimal ("0.025", "1e-05", "2.5e+20") into mant·10^exp with an
 * integer mant; false when it has too many significant digits to multiply exactly. */
static bool parse_decimal(const char *s, uint64_t *mant, int *exp)
{
    uint64_t m = 0;
    int digits = 0, e = 0;
    bool frac = false;
    for (; *s && *s != 'e'; s++) {
        if (*s == '.') {
            frac = true;
            continue;
        }
        if (*s < '0' || *s > '9')
            return false;
        if (m == 0 && *s == '0') {
            if (frac)
                e--;
            continue;
        }
        if (++digits > MAX_DT_DIGITS)
            return false;
        m = m * 10 + (uint64_t)(*s - '0');
        if (frac)
            e--;
    }
    if (*s == 'e')
        e += atoi(s + 1);
    *mant = m;
    *exp = e;
    return true;
}

/* Writes value·10^exp as a plain decimal, trailing zeros and point trimmed. */
static void write_scaled(u128 value, bool neg, int exp, char *buf, int n)
{
    char digits[64];
    int len = 0;
    do {
        digits[len++] = (char)('0' + (int)(value % 10));
        value /= 10;
    } while (value);
    char out[128];
    int k = 0;
    if (neg)
        out[k++] = '-';
    int point = len + exp;   /* digits before the point; >= len means no point */
    if (point <= 0) {
        out[k++] = '0';
        out[k++] = '.';
        for (int z = point; z < 0; z++)
            out[k++] = '0';
    }
    for (int i = 0; i < len; i++) {
        if (i == point && point > 0)
            out[k++] = '.';
        out[k++] = digits[len - 1 - i];
    }
    for (int z = 0; z < exp; z++)
        out[k++] = '0';
    out[k] = '\0';
    if (exp < 0) {
        while (out[k - 1] == '0')
            out[--k] = '\0';
        if (out[k - 1] == '.')
            out[--k] = '\0';
    }
    if (n > 0) {
        size_t len = (size_t)k < (size_t)n - 1 ? (size_t)k : (size_t)n - 1;
        memcpy(buf, out, len);
        buf[len] = '\0';
    }
}

void nrt_clock_init(nrt_clock *c, double dt_ms)
{
    char dts[NRT_NUM_BUF];
    c->dt_ms = dt_ms;
    c->step = -1;
    c->text[0] = '\0';
    nrt_format_double(dt_ms, dts, sizeof dts);
    c->exact = isfinite(dt_ms) && dt_ms > 0 && parse_decimal(dts, &c->mant, &c->exp) &&
               c->exp > -MAX_TIME_DIGITS && c->exp < MAX_TIME_DIGITS;
}

static void clock_format(const nrt_clock *c, int64_t step, char *buf, int n)
{
    if (!c->exact) {
        nrt_format_double((double)step * c->dt_ms, buf, n);
        return;
    }
    if (step == 0 || c->mant == 0) {
        snprintf(buf, (size_t)n, "0");
        return;
    }
    uint64_t ustep = step < 0 ? 0 - (uint64_t)step : (uint64_t)step;
    write_scaled((u128)ustep * c->mant, step < 0, c->exp, buf, n);
}

const char *nrt_clock_text(nrt_clock *c, int64_t step)
{
    if (step != c->step) {
        clock_format(c, step, c->text, sizeof c->text);
        c->step = step;
    }
    return c->text;
}

void nrt_format_time(int64_t step, double dt_ms, char *buf, int n)
{
    nrt_clock c;
    nrt_clock_init(&c, dt_ms);
    clock_format(&c, step, buf, n);
}

double nrt_dt_ms(double dt_s)
{
    double ms = dt_s * 1e3;
    char tmp[NRT_NUM_BUF];
    snprintf(tmp, sizeof tmp, "%.12g", ms);
    double nice = strtod(tmp, NULL);
    /* Only absorb the conversion's own rounding (a few ulps), never a real difference. */
    return fabs(nice - ms) <= 8 * 2.3e-16 * fabs(ms) ? nice : ms;
}
