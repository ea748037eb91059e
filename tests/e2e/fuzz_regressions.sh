# Inputs that once crashed, hung or were silently wrong (found by fuzzing), each now a
# clear error or a correct run, within a time limit.
. "$(dirname "$0")/../lib.sh"
run_limited() { timeout 30 "$@"; }
# 31 nested square roots of a unit: the exponent's denominator would overflow
awk 'BEGIN { printf "neuron A {\n    param k = "; for (i = 0; i < 31; i++) printf "sqrt("; printf "ms"; for (i = 0; i < 31; i++) printf ")"; print "\n    state v = 0\n}" }' > "$WORK/sqrt.nrn"
expect_exit 1 run_limited "$NRNC" check "$WORK/sqrt.nrn"
expect_stderr "makes the unit's powers too fine"
# 6,000 lets, each using the one before, on a state whose unit comes from its ODE
awk 'BEGIN { print "neuron A {\n    state v = 0\n    let a0 = v"; for (i = 1; i < 6000; i++) print "    let a" i " = a" i - 1 " + 1"; print "    dv/dt = a5999 / ms\n}" }' > "$WORK/lets.nrn"
set +e; run_limited "$NRNC" check "$WORK/lets.nrn" 2>"$WORK/stderr"; rc=$?; set -e
[ $rc = 0 ] || [ $rc = 1 ] || fail "6000 chained lets: exit code $rc"
# functions that call the previous one four times: 4^15 inlined calls
awk 'BEGIN { print "function f0(x) = x"; for (i = 1; i < 16; i++) print "function f" i "(x) = f" i-1 "(x) + f" i-1 "(x) + f" i-1 "(x) + f" i-1 "(x)"; print "neuron A {\n    state v = 0 mV\n    dv/dt = f15(v) / ms\n}" }' > "$WORK/fanout.nrn"
expect_exit 1 run_limited "$NRNC" check "$WORK/fanout.nrn"
expect_stderr "more than 200,000 inlined calls"
# a chain of 18 functions is not recursion
awk 'BEGIN { print "function f0(x) = x"; for (i = 1; i < 19; i++) print "function f" i "(x) = f" i-1 "(x)"; print "neuron A {\n    state v = 0 mV\n    dv/dt = -f18(v) / ms\n}" }' > "$WORK/chain.nrn"
run_limited "$NRNC" check "$WORK/chain.nrn" || fail "a chain of 18 functions"
# lets that each use the previous one twice: 2^30 operations once substituted
awk 'BEGIN { print "neuron A {\n    state v = 0\n    let a0 = v"; for (i = 1; i < 30; i++) print "    let a" i " = a" i-1 " + a" i-1; print "    dv/dt = -a29 / ms\n}\nnetwork X {\n    population P = A[1]\n}\nsimulate X for 1 ms" }' > "$WORK/double.nrn"
expect_exit 1 run_limited "$NRNC" emit ir "$WORK/double.nrn"
expect_stderr "expands to more than 200000 operations"
# step counts beyond an int64: an error, not an instant "completed"
expect_exit 2 run_limited "$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/o" --quiet --duration 1e300s
expect_stderr "at most 1e15 steps"
# --set twice for one name: the last one wins
run_limited "$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/s" --quiet --duration 30ms --set tau_m=20ms --set tau_m=5ms
tail -n +2 "$WORK/s/spikes.csv" | head -1 | cut -d, -f3 | grep -qx "8.1" || fail "the last --set wins"
# a spike file with only its header: no spikes, no crash
printf 'neuron,t_ms\n' > "$WORK/empty.csv"
printf 'network X {\n    population G = spike_source[2](file = "empty.csv")\n    record spikes of G\n}\nsimulate X for 3 ms\n' > "$WORK/src.nrn"
run_limited "$NRNC" run "$WORK/src.nrn" --out "$WORK/src" --quiet || fail "header-only spike file"
[ "$(wc -l < "$WORK/src/spikes.csv")" = 1 ] || fail "header-only spike file: no spikes expected"
# old Mac line ends (CR alone) end statements
printf 'neuron A {\r    state v = 0 mV\r    dv/dt = -v / (10 ms)\r}\r' > "$WORK/cr.nrn"
run_limited "$NRNC" check "$WORK/cr.nrn" || fail "CR line ends"
echo ok
