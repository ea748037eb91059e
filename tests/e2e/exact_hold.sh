# exact with `hold` in a coupled linear system: the trace of w equals rk4's (dt 0.1 ms, an
# error of order 1e-8 mV here) within 1e-6 mV at every sample, refractory periods included;
# before the held system had its own propagator, w was off by 0.2 mV at 20 ms.
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/exact_hold.nrn" --out "$WORK/exact" --quiet
"$NRNC" run "$HERE/exact_hold.nrn" --out "$WORK/rk4" --quiet --method rk4
grep -q '"method": "exact"' "$WORK/exact/summary.json" || fail "exact not chosen"
paste -d, "$WORK/exact/trace_P_w.csv" "$WORK/rk4/trace_P_w.csv" | awk -F, '
    NR > 1 { d = $2 - $4; if (d < 0) d = -d; if (d > max) max = d }
    END { printf "max |exact - rk4| = %.3g mV\n", max; exit !(max < 1e-6 && NR == 1002) }' ||
    fail "exact differs from rk4 during holds"
echo ok
