# spike_source populations emit exactly the given spikes (times rounded to the step grid,
# a neuron's duplicate in one step counted once), file paths resolve against the model
# file; record rate writes spikes per neuron per second over each window; a recorded let
# is computed at the sampling time (v_half = 10 mV * exp(-t/10 ms) / 2).
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/sources.nrn" --out "$WORK/out" --quiet
cat > "$WORK/want" <<'CSV'
population,neuron,t_ms
G,1,1
F,0,3
F,1,3
G,0,10
G,1,12
G,0,25
CSV
# 3.04 ms rounds to step 30 = 3 ms, the same step as neuron 0's 3 ms spike: one spike
grep -v '^F,2' "$WORK/out/spikes.csv" | diff -u "$WORK/want" - || fail "source spikes"
grep -qx 'F,2,7.5' "$WORK/out/spikes.csv" || fail "F,2 at 7.5 ms"
# F: 2 spikes in (0, 5] and 1 in (5, 10] over 3 neurons: 2/3/0.005 s = 133.33 Hz, 66.67 Hz
sed -n 3p "$WORK/out/rate_F.csv" | grep -qx '5,133.33333333333334' || fail "rate window 1"
sed -n 4p "$WORK/out/rate_F.csv" | grep -qx '10,66.66666666666667' || fail "rate window 2"
[ "$(tail -n +2 "$WORK/out/rate_F.csv" | wc -l)" = 7 ] || fail "rate rows at 0, 5, ..., 30"
# 4 samples (0, 10, 20, 30 ms), each on the closed form: a file with only its header fails
awk -F, 'NR > 1 { n++; want = 5 * exp(-$1 / 10); d = $2 - want; if (d < 0) d = -d; if (d > 1e-9) bad = 1 }
         END { exit bad || n != 4 }' "$WORK/out/trace_L_v_half.csv" || fail "recorded let: not 4 samples of 5 mV exp(-t/10 ms)"
grep -q '"L.v_half": { "file": "trace_L_v_half.csv", "unit": "mV" }' "$WORK/out/summary.json" || fail "let unit"
# the same variable recorded a second time goes to its own file
[ "$(tail -n +2 "$WORK/out/trace_L_v_half_2.csv" | wc -l)" = 7 ] || fail "second record of v_half (0, 5, ... 30 ms)"
grep -q '"L.v_half_2": { "file": "trace_L_v_half_2.csv"' "$WORK/out/summary.json" || fail "second record in summary"
# a broken spike file fails the run with exit code 3 and says where
printf 'neuron,t_ms\n0,1\n7,2\n' > "$WORK/bad.csv"
sed "s|data/source_spikes.csv|$WORK/bad.csv|" "$HERE/sources.nrn" > "$WORK/bad.nrn"
expect_exit 3 "$NRNC" run "$WORK/bad.nrn" --out "$WORK/bad" --quiet
expect_stderr "bad.csv' line 3: neuron index outside the population"
echo ok
