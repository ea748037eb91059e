# --set values that would break the model are refused, by nrnc run and by a built
# simulator, naming the param and the value (exit 2): a negative refractory period (also
# through a population override, then a located compile error), and a param that is the
# exponent of a quantity with a unit (its value fixes that unit). A param in the exponent
# of a dimensionless base can still be set.
. "$(dirname "$0")/../lib.sh"
cat >"$WORK/m.nrn" <<'NRN'
neuron L {
    param t_ref = 2 ms
    param k = 2
    param n = 1
    param lag = 0 ms
    state v = 0 mV
    let p = v ^ k
    dv/dt = (1 mV * 2 ^ n - v) / 10 ms
    threshold v > 0.5 mV
    reset { v = 0 mV }
    refractory t_ref + 0.5 ms - lag
}
network N {
    population P = L[2]
    record v of P
}
simulate N for 5 ms
NRN
expect_exit 0 "$NRNC" run "$WORK/m.nrn" --out "$WORK/o" --quiet --set n=2 --set P.t_ref=1ms
expect_exit 2 "$NRNC" run "$WORK/m.nrn" --out "$WORK/o" --quiet --set P.t_ref=-0.2ms
expect_stderr "nrnc: error: --set P.t_ref=-0.2ms: 't_ref' sets the refractory period of population 'P'; it must not be negative"
expect_exit 2 "$NRNC" run "$WORK/m.nrn" --out "$WORK/o" --quiet --set lag=3ms
expect_stderr "nrnc: error: --set lag=3ms: the refractory period of population 'P' would be -0.5 ms; it must not be negative"
expect_exit 2 "$NRNC" run "$WORK/m.nrn" --out "$WORK/o" --quiet --set k=3
expect_stderr "nrnc: error: --set k=3: param 'k' cannot be set: it is the exponent of a quantity with a unit, and that unit cannot change"
expect_stderr "m.nrn:7:17: note: 'k' goes into this exponent"
# a population's values that make the period negative: a compile error at the period
sed 's/population P = L\[2\]/population P = L[2](t_ref = -2 ms)/' "$WORK/m.nrn" >"$WORK/neg.nrn"
expect_exit 1 "$NRNC" run "$WORK/neg.nrn" --out "$WORK/o" --quiet
expect_stderr "neg.nrn:11:16: error: the refractory period of population 'P' is -1.5 ms; it must not be negative"
expect_stderr "neg.nrn:14:5: note: with the values given to population 'P' here"
# the same checks in a built simulator
"$NRNC" build "$WORK/m.nrn" -o "$WORK/sim" || fail "build"
expect_exit 0 "$WORK/sim" --out "$WORK/s" --quiet --set n=2 --set P.t_ref=1ms
expect_exit 2 "$WORK/sim" --out "$WORK/s" --quiet --set P.t_ref=-1ms
expect_stderr "error: --set P.t_ref=-1ms: 't_ref' sets the refractory period of population 'P'; it must not be negative"
expect_exit 2 "$WORK/sim" --out "$WORK/s" --quiet --set k=3
expect_stderr "error: --set k=3: param 'k' cannot be set: it is the exponent of a quantity with a unit, and that unit cannot change"
echo ok
