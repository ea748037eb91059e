# A bare 0 as an initial value takes its unit from the state's ODE: the run checks, v is
# recorded in mV and follows 10 mV (1 - exp(-t/10 ms)) (to 1e-9 mV at dt 0.1 ms: exact).
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/zero_init.nrn" --out "$WORK/out" --quiet
grep -q '"P.v": { "file": "trace_P_v.csv", "unit": "mV" }' "$WORK/out/summary.json" || fail "unit of v"
# 21 samples (0, 1, ..., 20 ms), each on the closed form: a file with only its header fails
awk -F, 'NR > 1 { n++; want = 10 * (1 - exp(-$1 / 10)); d = $2 - want; if (d < 0) d = -d; if (d > 1e-9) bad = 1 }
    END { exit bad || n != 21 }' "$WORK/out/trace_P_v.csv" || fail "v: not 21 samples of 10 mV (1 - exp(-t/10 ms))"
[ "$(tail -n +2 "$WORK/out/trace_P_n.csv" | wc -l)" = 3 ] || fail "n: not 3 samples (0, 10, 20 ms)"
echo ok
