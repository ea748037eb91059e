# A bare 0 as an initial value takes its unit from the state's ODE: the run checks, v is
# recorded in mV and follows 10 mV (1 - exp(-t/10 ms)) (to 1e-9 mV at dt 0.1 ms: exact).
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/zero_init.nrn" --out "$WORK/out" --quiet
grep -q '"P.v": { "file": "trace_P_v.csv", "unit": "mV" }' "$WORK/out/summary.json" || fail "unit of v"
awk -F, 'NR > 1 { want = 10 * (1 - exp(-$1 / 10)); d = $2 - want; if (d < 0) d = -d; if (d > 1e-9) bad = 1 }
    END { exit bad }' "$WORK/out/trace_P_v.csv" || fail "v"
echo ok
