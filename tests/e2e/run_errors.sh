# A state that becomes infinite or NaN stops the run with exit code 3 and a message naming
# population, neuron, variable and time; the files written so far stay complete.
. "$(dirname "$0")/../lib.sh"
expect_exit 3 "$NRNC" run "$HERE/nan_state.nrn" --out "$WORK/out" --quiet --method euler
expect_stderr "state 'v' of population 'B' neuron 2 became"
grep -q '"status": "failed"' "$WORK/out/summary.json" || fail "summary.json does not say failed"
head -1 "$WORK/out/trace_B_v.csv" | grep -qx 't_ms,0,1,2' || fail "trace header"
tail -1 "$WORK/out/trace_B_v.csv" | awk -F, '{ exit !(NF == 4) }' || fail "last trace row incomplete"
# an output folder that cannot be created
: > "$WORK/file"
expect_exit 3 "$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/file/sub" --quiet
expect_stderr "cannot create output folder"
echo ok
