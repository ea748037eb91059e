# tau_m and R_m of a passive membrane (passive.nrn) from its voltage under a current
# step, the data computed in closed form by passive_closed.awk (tau 25 ms, R 80 Mohm),
# the start 20 ms and 100 Mohm.
# Without noise: nrnc's integrator steps the switched current at the step boundaries,
# so the model and the closed form differ by O(dt) around the two switches; tolerance
# 0.5% (measured 0.1%).
# With noise (sigma 0.5 mV, 802 samples): the estimates must lie within 4 standard
# errors of the truth, the standard errors themselves must be sensible (0.1% to 5% of
# the value), and the residual rms must be sigma within 10%.
. "$(dirname "$0")/../lib.sh"
cd "$WORK"
close() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d; exit !(d <= tol) }'; }
value() { sed -n "s/.*\"$1\": {\"value\": \([^,]*\), .*\"stderr\": \([^,]*\),.*/\\$2/p" "$3"; }

awk -v tau=25 -v R=80 -v sigma=0 -v seed=1 -f "$HERE/passive_closed.awk" >clean.csv
expect_exit 0 "$NRNC" fit "$HERE/passive.nrn" --data clean.csv --target trace:v --params P.tau_m,P.R_m --out clean
[ -s clean/fit.svg ] || fail "no fit.svg"
grep -q '"converged": true' clean/fit.json || fail "not converged"
grep -q '"evaluations": [0-9]' clean/fit.json || fail "fit.json lacks evaluations"
grep -q '"objective": [0-9]' clean/fit.json || fail "fit.json lacks objective"
grep -q '"unit": "ms"' clean/fit.json || fail "fit.json lacks tau_m's unit"
tau=$(value P.tau_m 1 clean/fit.json); R=$(value P.R_m 1 clean/fit.json)
close "$tau" 25 0.005 || fail "clean: tau_m $tau, expected 25 within 0.5%"
close "$R" 80 0.005 || fail "clean: R_m $R, expected 80 within 0.5%"

awk -v tau=25 -v R=80 -v sigma=0.5 -v seed=7 -f "$HERE/passive_closed.awk" >noisy.csv
expect_exit 0 "$NRNC" fit "$HERE/passive.nrn" --data noisy.csv --target trace:v --params P.tau_m,P.R_m --out noisy
for p in "P.tau_m 25" "P.R_m 80"; do
    set -- $p
    v=$(value "$1" 1 noisy/fit.json); se=$(value "$1" 2 noisy/fit.json)
    awk -v v="$v" -v se="$se" -v truth="$2" 'BEGIN {
        d = v - truth; if (d < 0) d = -d
        exit !(se > 0.001 * truth && se < 0.05 * truth && d <= 4 * se) }' ||
        fail "noisy: $1 = $v +- $se, expected $2 within 4 standard errors"
done
rmse=$(sed -n 's/.*"rmse": \([^,]*\),.*/\1/p' noisy/fit.json)
close "$rmse" 0.5 0.1 || fail "noisy: residual rms $rmse mV, expected 0.5 within 10%"
echo ok
