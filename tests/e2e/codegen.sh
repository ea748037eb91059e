# The generated code: emit llvm shows the population's integrate loop vectorised for the
# host (a <N x double> operation in nrn_integrate_body_0) and the runtime calls; emit ir
# shows the method and the reason.
. "$(dirname "$0")/../lib.sh"
"$NRNC" emit llvm "$HERE/lif_10k.nrn" -o "$WORK/lif.ll"
grep -q 'define .*nrn_integrate_0' "$WORK/lif.ll" || fail "no integrate function"
grep -q 'define .*nrn_fire_0' "$WORK/lif.ll" || fail "no fire function"
grep -q 'nrt_expm_propagator' "$WORK/lif.ll" || fail "exact propagator not computed at set-up"
awk '/^define/ { f = $0 } /x double>/ && f ~ /integrate/ { found = 1 } END { exit !found }' "$WORK/lif.ll" ||
    fail "the integrate loop is not vectorised"
# the fire mask is computed in the same vectorised loop (a <N x i8> store of the mask)
awk '/^define/ { f = $0 } /x i8>/ && f ~ /nrn_integrate_0/ { found = 1 } END { exit !found }' "$WORK/lif.ll" ||
    fail "the fire mask is not computed in the vectorised integrate loop"
# Hodgkin-Huxley with exponential Euler: expm1 is emitted as exp and a polynomial, so the
# loop vectorises (issue 9) and calls no scalar expm1
"$NRNC" emit llvm "$HERE/../../examples/hh.nrn" --method expeuler -o "$WORK/hh.ll"
awk '/^define/ { f = $0 } /x double>/ && f ~ /integrate/ { found = 1 } END { exit !found }' "$WORK/hh.ll" ||
    fail "the HH expeuler loop is not vectorised"
! grep -q '@expm1' "$WORK/hh.ll" || fail "HH still calls the scalar expm1"
# a Poisson source's threshold rand() < rate * dt: the draws are inlined and the mask
# loop vectorises (<N x i64> hashing)
"$NRNC" emit llvm "$HERE/../../examples/poisson.nrn" -o "$WORK/poisson.ll"
awk '/^define/ { f = $0 } /x i64>/ && f ~ /nrn_fire_0/ { found = 1 } END { exit !found }' "$WORK/poisson.ll" ||
    fail "the random threshold loop is not vectorised"
! grep -q 'call.*@nrt_rand' "$WORK/poisson.ll" || fail "rand() calls the runtime"
"$NRNC" emit ir "$HERE/lif_10k.nrn" > "$WORK/ir.txt"
grep -q 'param I_e = .*per neuron' "$WORK/ir.txt" || fail "I_e should be per neuron"
grep -q 'param tau_m = .*uniform' "$WORK/ir.txt" || fail "tau_m should be uniform"
grep -q 'once per population' "$WORK/ir.txt" || fail "propagator should be computed once"
"$NRNC" emit ast "$HERE/lif_spec.nrn" > "$WORK/ast.txt"
grep -q 'neuron LIF' "$WORK/ast.txt" || grep -qi 'neuron.*LIF' "$WORK/ast.txt" || fail "emit ast"
echo ok
