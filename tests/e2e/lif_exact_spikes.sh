# The spec's LIF with `exact` (chosen automatically) spikes exactly at the reference
# times 16.1 + 18.1 k ms: the analytic crossing rounded up to the grid plus 20 held steps.
. "$(dirname "$0")/../lib.sh"
"$NRNC" emit ir "$HERE/lif_spec.nrn" > "$WORK/ir.txt"
grep -q "method exact  (linear, constant coefficients -> exact)" "$WORK/ir.txt" || fail "exact not chosen"
"$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/out" --quiet
head -1 "$WORK/out/spikes.csv" | grep -qx "population,neuron,t_ms" || fail "bad spikes.csv header"
tail -n +2 "$WORK/out/spikes.csv" | cut -d, -f3 > "$WORK/got"
tail -n +2 "$HERE/data/lif_spec_example_spikes.csv" | cut -d, -f2 > "$WORK/want"
# the reference writes 179.0 where nrnc writes the shortest form, 179: compare as numbers
paste -d' ' "$WORK/want" "$WORK/got" | awk 'NF != 2 || $1 != $2 { print; bad = 1 } END { exit bad }' ||
    fail "exact spike times differ from the reference"
[ "$(wc -l < "$WORK/got")" = 11 ] || fail "expected 11 spikes"
# --method exact given explicitly gives the same file
"$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/out2" --quiet --method exact
cmp "$WORK/out/spikes.csv" "$WORK/out2/spikes.csv" || fail "--method exact differs"
echo ok
