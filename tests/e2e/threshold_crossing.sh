# Upward-crossing spikes for a threshold without reset, and trace files (header, sampling
# at 0, T, 2T ... up to the end inclusive, values in the declared unit).
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/crossing.nrn" --out "$WORK/out" --quiet
n0=$(grep -c '^O,0,' "$WORK/out/spikes.csv")
[ "$n0" = 10 ] || fail "neuron 0: $n0 upward crossings, expected 10"
# first crossing of neuron 0 at 10/12 = 0.8333 ms -> stamped 0.84
grep '^O,0,' "$WORK/out/spikes.csv" | head -1 | grep -qx 'O,0,0.84' || fail "first crossing time"
# neuron 1 starts above threshold (counts as the previous step): no spike at t = 0.01
grep -q '^O,1,0.01$' "$WORK/out/spikes.csv" && fail "spike at start for neuron 1"
head -1 "$WORK/out/trace_O_x.csv" | grep -qx 't_ms,0,1' || fail "trace header"
[ "$(tail -n +2 "$WORK/out/trace_O_x.csv" | wc -l)" = 41 ] || fail "trace rows: 0, 2.5 ... 100 is 41 samples"
sed -n 2p "$WORK/out/trace_O_x.csv" | grep -qx '0,0,0.9' || fail "initial trace row"
tail -1 "$WORK/out/trace_O_x.csv" | cut -d, -f1 | grep -qx 100 || fail "last sample at 100 ms"
grep -q '"method": "exact"' "$WORK/out/summary.json" || fail "the oscillator is linear: exact"
echo ok
