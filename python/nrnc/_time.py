"""Times as the command line takes them ("200 ms", "0.05ms", "2 s") and times in ms as the
output files print them.

A decimal with a unit becomes seconds the way nrnc's own parser does it (units.c:
unit_decimal_to_si): the unit's power of ten shifts the decimal exponent and the result
is rounded once, so "0.05 ms" here is the very double that `--dt 0.05ms` gives.

The files print a time as step · dt in exact decimal (runtime/format.c: nrt_format_time):
dt in ms is taken as the decimal its shortest form shows (0.1 is 1 · 10^-1), so step 161
is "16.1", never 16.100000000000001. ms_of_steps gives the doubles those decimals read
back to, so spike times from a Simulation equal those read from spikes.csv bit for bit.
"""
import functools
import math
import re
import warnings
from decimal import Decimal, InvalidOperation

import numpy as np

# Powers of ten of the time units nrnc knows, as exponents (exact, unlike 1e-3).
_UNIT_EXPONENT = {"s": 0, "ms": -3, "us": -6, "\u00b5s": -6, "ns": -9}
_QUANTITY = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\s\d.]+)?\s*$")
# format.c: MAX_DT_DIGITS, MAX_TIME_DIGITS (ORDER: keep in step with nrt_clock_init)
_MAX_DT_DIGITS = 12
_MAX_TIME_DIGITS = 36


def seconds(value, what):
    """A time in seconds from a float (seconds) or a string with its unit ("200 ms")."""
    if isinstance(value, str):
        m = _QUANTITY.match(value)
        if not m:
            raise ValueError(f"{what}: expected a number and a time unit, as in '200 ms', "
                             f"got {value!r}")
        number, unit = m.group(1), m.group(2)
        if unit is None:
            raise ValueError(f"{what}: {value!r} needs a unit (s, ms, us or ns), as in '200 ms'")
        if unit not in _UNIT_EXPONENT:
            raise ValueError(f"{what}: unknown time unit {unit!r} in {value!r} "
                             f"(known: s, ms, us, ns)")
        try:
            result = float(Decimal(number).scaleb(_UNIT_EXPONENT[unit]))
        except InvalidOperation:
            raise ValueError(f"{what}: malformed number in {value!r}") from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise TypeError(f"{what}: expected seconds (a float) or a string such as '200 ms', "
                        f"got {type(value).__name__}")
    if not math.isfinite(result) or result < 0:
        raise ValueError(f"{what} must be a finite time of at least 0, got {value!r}")
    return result


def steps_for(duration_s, dt_s):
    """Whole steps of dt for a duration, rounded up when it is not a multiple of dt, with
    the warning nrnc run gives then (lower.c)."""
    exact = duration_s / dt_s
    steps = round(exact)
    if abs(exact - steps) > 1e-9 * max(1.0, exact):
        steps = math.ceil(exact)
        warnings.warn(f"duration {duration_s * 1e3:g} ms is not a multiple of dt "
                      f"{dt_s * 1e3:g} ms; running {steps} steps ({steps * dt_s * 1e3:g} ms)",
                      stacklevel=3)
    return steps


def dt_ms(dt_s):
    """dt in ms without the last-bit noise of the conversion (format.c: nrt_dt_ms)."""
    ms = dt_s * 1e3
    nice = float("%.12g" % ms)
    return nice if abs(nice - ms) <= 8 * 2.3e-16 * abs(ms) else ms


@functools.lru_cache(maxsize=16)
def _decimal_of(dt):
    """dt (ms) as the decimal its shortest form shows: (mantissa, exponent), or None when
    format.c would not print step times exactly."""
    _, digits, exp = Decimal(repr(dt)).as_tuple()
    if len(digits) > _MAX_DT_DIGITS or not -_MAX_TIME_DIGITS < exp < _MAX_TIME_DIGITS:
        return None
    return int("".join(map(str, digits))), exp


def ms_of_steps(steps, dt, ascending=False):
    """The times in ms of the given steps (an int or an integer array), as the files
    print them; dt is in ms (from dt_ms)."""
    steps = np.asarray(steps, dtype=np.int64)
    if steps.size == 0:
        return steps.astype(np.float64)
    decimal = _decimal_of(dt)
    if decimal is None:
        return steps.astype(np.float64) * dt    # format.c prints the double step · dt then
    mant, exp = decimal

    def exact(k):
        # Python rounds an integer quotient correctly, as strtod reads the exact decimal.
        return k * mant * 10**exp if exp >= 0 else k * mant / 10**-exp

    # With both the numerator k·mant and the power of ten exact in a double (below 2^53,
    # 10^22 at most), one IEEE division is the correctly rounded quotient: the same
    # double as the integer arithmetic below, for a whole array at once.
    # the largest |step| (the ends of an ascending array, without a pass over it)
    ends = (steps.flat[0], steps.flat[-1]) if ascending else (steps.min(), steps.max())
    if -22 <= exp < 0 and max(-int(ends[0]), int(ends[1])) * mant < 2**53:
        scaled = steps if mant == 1 else steps * mant
        return scaled.astype(np.float64) / float(10**-exp)
    # Most spikes share their step with others, so each distinct step is done once.
    distinct, where = np.unique(steps, return_inverse=True)
    values = np.array([float(exact(int(k))) for k in distinct], dtype=np.float64)
    return values[where].reshape(steps.shape)
