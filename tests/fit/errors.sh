# Every bad input of nrnc fit gives one clear message and a non-zero exit, never a crash:
# the messages are compared with errors.golden (run with UPDATE=1 to rewrite it, then
# review the diff). Paths are relative: the cases run in a copy of this folder.
. "$(dirname "$0")/../lib.sh"
cp "$HERE"/*.nrn "$WORK"/
cd "$WORK"
"$NRNC" run passive.nrn --out data --quiet
printf 't_ms,0,1\n0,-70,-70\n0.5,-70,abc\n' >garbage.csv
printf 't_ms,0,7\n0,-70,-70\n' >outside.csv
printf 't_ms,0\n0,-70\n0.05,-70\n' >offgrid.csv
printf 'neuron,t_ms\n0,10\n2,x\n' >badspikes.csv
printf '\0\1\2' >binary.csv
: >empty.csv
OUT=$WORK/errors.out
: >"$OUT"
case_() {   # NAME ARGS...: the exit code and stderr of nrnc fit ARGS
    name=$1; shift
    set +e
    "$NRNC" fit "$@" >/dev/null 2>"$WORK/case.err"
    rc=$?
    set -e
    [ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "$name: exit $rc"
    { echo "== $name (exit $rc)"; cat "$WORK/case.err"; } >>"$OUT"
}
T="--target trace:v --params P.tau_m,P.R_m"
case_ no_data passive.nrn --target trace:v --params P.tau_m
case_ no_target passive.nrn --data data/trace_P_v.csv --params P.tau_m
case_ no_params passive.nrn --data data/trace_P_v.csv --target trace:v
case_ missing_file passive.nrn --data nothere.csv $T
case_ empty_file passive.nrn --data empty.csv $T
case_ binary_file passive.nrn --data binary.csv $T
case_ garbage_value passive.nrn --data garbage.csv $T
case_ column_outside passive.nrn --data outside.csv $T
case_ time_off_grid passive.nrn --data offgrid.csv $T
case_ bad_spike_line izh.nrn --data badspikes.csv --target spikes --params C.a
case_ spikes_header izh.nrn --data data/trace_P_v.csv --target spikes --params C.a
case_ unknown_population passive.nrn --data data/trace_P_v.csv --target trace:v --params Q.tau_m
case_ unknown_param passive.nrn --data data/trace_P_v.csv --target trace:v --params P.tau
case_ state_not_param passive.nrn --data data/trace_P_v.csv --target trace:v --params P.v
case_ not_pop_dot_name passive.nrn --data data/trace_P_v.csv --target trace:v --params tau_m
case_ param_twice passive.nrn --data data/trace_P_v.csv --target trace:v --params P.tau_m,P.tau_m
case_ bad_target passive.nrn --data data/trace_P_v.csv --target voltage --params P.tau_m
case_ target_not_state passive.nrn --data data/trace_P_v.csv --target trace:E_L --params P.tau_m
case_ bounds_unit passive.nrn --data data/trace_P_v.csv $T --bounds P.tau_m=5mV:50mV
case_ bounds_order passive.nrn --data data/trace_P_v.csv $T --bounds P.tau_m=50ms:5ms
case_ bounds_form passive.nrn --data data/trace_P_v.csv $T --bounds P.tau_m=5ms
case_ bounds_not_fitted passive.nrn --data data/trace_P_v.csv --target trace:v --params P.tau_m --bounds P.R_m=1Mohm:2Mohm
case_ start_outside passive.nrn --data data/trace_P_v.csv $T --bounds P.tau_m=30ms:50ms
case_ connected connected.nrn --data badspikes.csv --target spikes --params L.tau_m
case_ bad_search passive.nrn --data data/trace_P_v.csv $T --search newton
case_ bad_kernel izh.nrn --data badspikes.csv --target spikes --params C.a --kernel 5mV
case_ unknown_flag passive.nrn --data data/trace_P_v.csv $T --frobnicate
if [ "${UPDATE:-}" = 1 ]; then
    cp "$OUT" "$HERE/errors.golden"
    echo "updated $HERE/errors.golden"
else
    diff -u "$HERE/errors.golden" "$OUT" || fail "messages differ from errors.golden (UPDATE=1 to rewrite)"
fi
echo ok
