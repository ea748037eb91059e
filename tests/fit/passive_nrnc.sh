# tau_m and R_m recovered from a trace that nrnc itself wrote (nrnc run --set tau_m=25ms
# --set R_m=80Mohm): the same integrator, so the fit must be exact to 1e-6, with bounds
# and without; and a trace:POP.VAR target with a column subset.
. "$(dirname "$0")/../lib.sh"
cd "$WORK"
close() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d; exit !(d <= tol) }'; }
value() { sed -n "s/.*\"$1\": {\"value\": \([^,]*\),.*/\1/p" "$2"; }
"$NRNC" run "$HERE/passive.nrn" --set P.tau_m=25ms --set P.R_m=80Mohm --out data --quiet
expect_exit 0 "$NRNC" fit "$HERE/passive.nrn" --data data/trace_P_v.csv --target trace:v \
    --params P.tau_m,P.R_m --out free
close "$(value P.tau_m free/fit.json)" 25 1e-6 || fail "tau_m $(value P.tau_m free/fit.json)"
close "$(value P.R_m free/fit.json)" 80 1e-6 || fail "R_m $(value P.R_m free/fit.json)"
grep -q "P.tau_m = 25" stdout || fail "stdout lacks the estimate: $(cat stdout)"

# bounds (with their units), and neuron 1 only
cut -d, -f1,3 data/trace_P_v.csv >one.csv
expect_exit 0 "$NRNC" fit "$HERE/passive.nrn" --data one.csv --target trace:P.v --params P.tau_m,P.R_m \
    --bounds P.tau_m=5ms:60ms --bounds P.R_m=0.02Gohm:200Mohm --out bounded
close "$(value P.tau_m bounded/fit.json)" 25 1e-6 || fail "bounded tau_m $(value P.tau_m bounded/fit.json)"
close "$(value P.R_m bounded/fit.json)" 80 1e-6 || fail "bounded R_m $(value P.R_m bounded/fit.json)"
grep -q '"bounds": \[5, 60\]' bounded/fit.json || fail "fit.json lacks the bounds in ms"
echo ok
