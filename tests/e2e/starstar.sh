# `**` is the same operator as `^` (LANGUAGE.md §3): x**2 and x^2 give the same trace, and
# a unit term with ** (4 um**2) is the same quantity as with ^.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/pow.nrn" <<'NRN'
neuron N {
    param area : um**2 = 4 um**2
    param k = 3
    state x = 1.5
    let a = x**2 + 2**-1 * x**k
    let b = x^2 + 2^-1 * x^k
    let c = area / (1 um^2)
    dx/dt = -x**2 / (10 ms)
}
network Net {
    population P = N[1]
    record a of P
    record b of P
    record c of P
}
simulate Net for 5 ms dt 0.1 ms
NRN
"$NRNC" run "$WORK/pow.nrn" --out "$WORK/out" --quiet
cmp "$WORK/out/trace_P_a.csv" "$WORK/out/trace_P_b.csv" || fail "x**2 differs from x^2"
awk -F, 'NR > 1 && $2 != 4 { exit 1 }' "$WORK/out/trace_P_c.csv" || fail "4 um**2 is not 4 um^2"
"$NRNC" emit ir "$WORK/pow.nrn" | grep -q 'param area = 4e-12' || fail "area is not 4e-12 m^2"
echo ok
