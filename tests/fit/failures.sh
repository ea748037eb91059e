# Fits that cannot succeed end with exit 3, fit.json still written (converged false,
# the best point found) and a report on stderr that says why: a bad start (the model
# fails at the start values), an objective that no param changes (a neuron that never
# spikes), a param at its bound, and data the model cannot reproduce (R² < 0.5).
. "$(dirname "$0")/../lib.sh"
cd "$WORK"
failed_fit() {   # FOLDER: fit.json says not converged
    grep -q '"converged": false' "$1/fit.json" || fail "$1/fit.json: $(cat "$1/fit.json")"
    grep -q '"params": {' "$1/fit.json" || fail "$1/fit.json lacks params"
}

# bad start: x' = x²/ms blows up at 1 ms; the data are x = 1/(1 - 0.1 t/ms) (k = 0.1)
awk 'BEGIN { print "t_ms,0"; for (k = 0; k <= 50; k++) printf "%g,%.12g\n", k * 0.1, 1 / (1 - 0.01 * k) }' >blow.csv
expect_exit 3 "$NRNC" fit "$HERE/blowup.nrn" --data blow.csv --target trace:x --params X.k --out bad_start
expect_stderr "bad start: the model fails (a non-finite state) at the start values"
failed_fit bad_start

# flat: the neuron never spikes whatever tau_m
printf 'neuron,t_ms\n0,10\n0,30\n0,50\n' >spikes.csv
expect_exit 3 "$NRNC" fit "$HERE/lif_silent.nrn" --data spikes.csv --target spikes --params L.tau_m --out flat
expect_stderr "the params do not change the model's output around the start"
failed_fit flat

# at a bound: the truth, 25 ms, lies above the bounds
"$NRNC" run "$HERE/passive.nrn" --set P.tau_m=25ms --set P.R_m=80Mohm --out data --quiet
expect_exit 3 "$NRNC" fit "$HERE/passive.nrn" --data data/trace_P_v.csv --target trace:v --params P.tau_m,P.R_m \
    --bounds P.tau_m=5ms:15ms --set P.tau_m=10ms --out at_bound
expect_stderr "is at its upper bound (15 ms): the best value may lie beyond it"
failed_fit at_bound

# cannot be fitted: a sine the passive membrane cannot follow
awk 'BEGIN { print "t_ms,0,1"; for (k = 0; k <= 400; k++) { t = k * 0.5; v = -70 + 10 * sin(t / 5)
             printf "%g,%.10g,%.10g\n", t, v, v } }' >sine.csv
expect_exit 3 "$NRNC" fit "$HERE/passive.nrn" --data sine.csv --target trace:v --params P.tau_m,P.R_m --out unfit
expect_stderr "the data cannot be fitted"
failed_fit unfit
[ -s unfit/fit.svg ] || fail "no plot of the failed fit"
echo ok
