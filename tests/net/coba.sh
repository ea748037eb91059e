# examples/coba.nrn, the COBA benchmark (Brette et al. 2007): 1 s of the 4,000-neuron
# conductance-based network runs without blowing up: the run completes (exit 0, status
# completed, no NaN/Inf error), every population's rate is finite, positive and below
# 200 Hz, and the recorded membrane potentials stay finite and between the inhibitory
# reversal potential (-80 mV) and the threshold (-50 mV).
. "$(dirname "$0")/../lib.sh"
out="$WORK/out"
"$NRNC" run "$HERE/../../examples/coba.nrn" --out "$out" --quiet || fail "nrnc run failed"
s="$out/summary.json"
grep -q '"status": "completed"' "$s" || fail "the run did not complete"
grep -q '"simulated_ms": 1000,' "$s" || fail "the run did not simulate 1000 ms"
npop=0
for pop in E I; do
    rate=$(grep "\"$pop\": { \"size\"" "$s" | sed -n 's/.*"rate_hz": \([^,}]*\).*/\1/p')
    [ -n "$rate" ] || fail "no rate for $pop in summary.json"
    echo "$pop: $rate Hz"
    awk -v r="$rate" 'BEGIN { exit !(r == r + 0 && r > 0 && r < 200) }' ||
        fail "$pop: rate $rate Hz is not finite, positive and below 200 Hz"
    npop=$((npop + 1))
done
[ "$npop" = 2 ] || fail "expected two populations"
# the rate file: finite values, below 1 kHz in every 1 ms bin, samples at 0, 1, ..., 1000 ms
awk -F, 'NR > 1 { if (!($2 == $2 + 0) || $2 < 0 || $2 > 1000) bad = 1; n++ }
         END { exit !(n == 1001 && !bad) }' "$out/rate_E.csv" || fail "rate_E.csv: bad values"
# the traces: finite, in [-80 mV, -50 mV] (E_i below, threshold above)
awk -F, 'NR > 1 { for (j = 2; j <= NF; j++) if (!($j == $j + 0) || $j < -80 || $j > -50) bad = 1; n++ }
         END { exit !(n == 2001 && !bad) }' "$out/trace_E_v.csv" || fail "trace_E_v.csv: v outside [-80, -50] mV"
echo ok
