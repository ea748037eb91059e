/* nrt_format_double and nrt_format_time: exact strings for a table of cases, then a
 * property check over many random doubles: the output reads back to the same double and
 * has as few significant digits as the smallest %.{p}g that does (the definition, done
 * the slow way here). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int failures;

static void expect_double(double x, const char *want)
{
    char buf[NRT_NUM_BUF];
    nrt_format_double(x, buf, sizeof buf);
    if (strcmp(buf, want) != 0) {
        fprintf(stderr, "format_double(%.17g) = \"%s\", want \"%s\"\n", x, buf, want);
        failures++;
    }
}

static void expect_time(int64_t step, double dt_ms, const char *want)
{
    char buf[NRT_NUM_BUF];
    nrt_format_time(step, dt_ms, buf, sizeof buf);
    if (strcmp(buf, want) != 0) {
        fprintf(stderr, "format_time(%lld, %.17g) = \"%s\", want \"%s\"\n", (long long)step,
                dt_ms, buf, want);
        failures++;
    }
}

static void table(void)
{
    expect_double(0.1, "0.1");
    expect_double(1e-05, "1e-05");
    expect_double(-70, "-70");
    expect_double(16.1, "16.1");
    expect_double(1.0 / 3, "0.3333333333333333");
    expect_double(2.0 / 3, "0.6666666666666666");
    expect_double(0.1 + 0.2, "0.30000000000000004");
    expect_double(100, "100");
    expect_double(0, "0");
    expect_double(-0.0, "0");
    expect_double(NAN, "nan");
    expect_double(INFINITY, "inf");
    expect_double(-INFINITY, "-inf");
    expect_double(123456789012345, "123456789012345");
    expect_double(1e15, "1e+15");
    expect_double(1e21, "1e+21");
    expect_double(0.0001, "0.0001");
    expect_double(-60.900000000000006, "-60.900000000000006");
    expect_double(DBL_MAX, "1.7976931348623157e+308");
    expect_double(5e-324, "5e-324");           /* subnormal: fewer digits than %.15g */
    expect_double(2.2250738585072014e-308, "2.2250738585072014e-308");
}

static void time_table(void)
{
    expect_time(161, 0.1, "16.1");
    expect_time(0, 0.1, "0");
    expect_time(10, 0.1, "1");
    expect_time(3, 0.025, "0.075");
    expect_time(1, 0.05, "0.05");
    expect_time(7, 1, "7");
    expect_time(10000, 0.1, "1000");
    expect_time(3, 1e-05, "0.00003");
    expect_time(123456789, 0.1, "12345678.9");
    expect_time(9007199254740993, 0.1, "900719925474099.3");   /* beyond double precision */
    expect_time(4, 2.5e20, "1000000000000000000000");
    expect_time(-3, 0.1, "-0.3");
    expect_time(3, 1.0 / 3, "1");       /* too many digits: falls back to the double product */
    if (nrt_dt_ms(1e-4) != 0.1 || nrt_dt_ms(0.05e-3) != 0.05 || nrt_dt_ms(0.025e-3) != 0.025 ||
        nrt_dt_ms(1e-3) != 1) {
        fprintf(stderr, "nrt_dt_ms does not give the short decimals back\n");
        failures++;
    }
}

/* Digits of a decimal string's significand, ignoring sign, point, leading zeros. */
static int sig_digits(const char *s)
{
    int n = 0;
    bool leading = true;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9' || (leading && *s == '0'))
            continue;
        leading = false;
        n++;
    }
    return n;
}

static uint64_t state = 0x1234567887654321u;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Random bit patterns (all magnitudes) and random values near typical state values. */
static void round_trips(void)
{
    for (int k = 0; k < 30000; k++) {
        uint64_t bits = next();
        double x;
        memcpy(&x, &bits, sizeof x);
        if (k % 2)
            x = -80.0 + 100.0 * (double)(bits >> 11) * 0x1.0p-53;
        if (!isfinite(x) || x == floor(x))
            continue;
        char buf[NRT_NUM_BUF], ref[NRT_NUM_BUF];
        nrt_format_double(x, buf, sizeof buf);
        int p = 1;
        for (; p < 17; p++) {
            snprintf(ref, sizeof ref, "%.*g", p, x);
            if (strtod(ref, NULL) == x)
                break;
        }
        if (strtod(buf, NULL) != x || sig_digits(buf) != p) {
            fprintf(stderr, "format_double(%.17g) = \"%s\", shortest has %d digits\n", x, buf, p);
            if (++failures > 10)
                return;
        }
    }
}

int main(void)
{
    table();
    time_table();
    round_trips();
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures != 0;
}
