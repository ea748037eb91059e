# A flat sum of 5000 terms is one level of nesting (LANGUAGE.md §8: no input may crash the
# compiler): it compiles and gives the exact value, in an initial value and in an ODE;
# the same terms nested in parentheses are refused with one clear error.
. "$(dirname "$0")/../lib.sh"
terms=$(awk 'BEGIN { s = "a"; for (k = 1; k < 5000; k++) s = s " + a"; print s }')
cat >"$WORK/sum.nrn" <<NRN
neuron S {
    param a = 1 mV
    state v = $terms
    state u = 0 mV
    du/dt = ($terms) / 1 s
}
network Net {
    population P = S[1]
    record v of P
    record u of P
}
simulate Net for 1 ms dt 0.1 ms
NRN
expect_exit 0 "$NRNC" run "$WORK/sum.nrn" --out "$WORK/o" --quiet
# a = 1 mV is not exact in binary, so 5000 additions of it may round in the last bits
tail -n 1 "$WORK/o/trace_P_v.csv" | awk -F, '{ exit !($1 == 1 && $2 > 4999.999999 && $2 < 5000.000001) }' ||
    fail "v = 5000 a expected, got $(tail -n 1 "$WORK/o/trace_P_v.csv")"
# du/dt = 5000 mV/s for 1 ms: 5 mV (to rounding of the integrator's steps)
tail -n 1 "$WORK/o/trace_P_u.csv" | awk -F, '{ exit !($2 > 4.999999 && $2 < 5.000001) }' ||
    fail "u(1 ms) = 5 mV expected, got $(tail -n 1 "$WORK/o/trace_P_u.csv")"
# a long run of * and / keeps its meaning: a * 2 / 2 * 2 / 2 ... = a
prod=$(awk 'BEGIN { s = "a"; for (k = 0; k < 2000; k++) s = s " * 2 / 2"; print s }')
printf 'neuron S {\n    param a = 3 mV\n    state v = %s - a / 1 + a\n}\nnetwork Net {\n    population P = S[1]\n    record v of P\n}\nsimulate Net for 0.1 ms\n' \
    "$prod" >"$WORK/prod.nrn"
expect_exit 0 "$NRNC" run "$WORK/prod.nrn" --out "$WORK/p" --quiet
[ "$(tail -n 1 "$WORK/p/trace_P_v.csv")" = "0.1,3" ] || fail "a * 2 / 2 ... = a expected"
# signs across the splits of a long run: 1 - 2 - 3 + 4 - 5 - 6 + 7 ... (40 terms)
alt=$(awk 'BEGIN { s = "1 mV"; for (k = 2; k <= 40; k++) s = s (k % 3 == 1 ? " + " : " - ") k " mV"; print s }')
sum=$(awk 'BEGIN { x = 1; for (k = 2; k <= 40; k++) x += (k % 3 == 1 ? k : -k); print x }')
printf 'neuron S {\n    state v = %s\n}\nnetwork Net {\n    population P = S[1]\n    record v of P\n}\nsimulate Net for 0.1 ms\n' \
    "$alt" >"$WORK/alt.nrn"
expect_exit 0 "$NRNC" run "$WORK/alt.nrn" --out "$WORK/q" --quiet
[ "$(tail -n 1 "$WORK/q/trace_P_v.csv")" = "0.1,$sum" ] || fail "signed run: $sum expected"
# nesting, not length, is limited
nested=$(awk 'BEGIN { s = "a"; for (k = 0; k < 300; k++) s = "(" s " + a)"; print s }')
printf 'neuron S {\n    param a = 1 mV\n    state v = %s\n}\n' "$nested" >"$WORK/deep.nrn"
expect_exit 1 "$NRNC" check "$WORK/deep.nrn"
expect_stderr "error: expression nested too deeply (limit 256)"
[ "$(grep -c 'error:' "$WORK/stderr")" = 1 ] || fail "one error expected for deep nesting"
echo ok
