# A loop that calls exp, log, sin... is vectorised as wide as libmvec's variants (4 doubles
# with AVX2; compiler/cg_expr.c, cg_loop_end). Left to itself, LLVM's cost model made
# COBA's integrate loop (exponential Euler: one exp a neuron) 16 wide, with its exp split
# into 16 scalar libm calls, and the loop took 0.30 s a simulated second instead of 0.18.
# The optimised IR must call _ZGVdN4v_exp and no exp wider than 4 (which would be
# scalarised).
. "$(dirname "$0")/../lib.sh"
grep -qw avx2 /proc/cpuinfo 2>/dev/null || { echo "skip: no AVX2 here"; exit 77; }
expect_exit 0 "$NRNC" emit llvm "$HERE/../../examples/coba.nrn" -o "$WORK/coba.ll"
grep -q "call.*@_ZGVdN4v_exp" "$WORK/coba.ll" || fail "COBA's loop does not call libmvec's 4-wide exp"
if grep -q "@llvm\.exp\.v\(8\|16\|32\)f64" "$WORK/coba.ll"; then
    fail "COBA's loop has an exp wider than libmvec's (scalarised): $(grep -o '@llvm\.exp\.v[0-9]*f64' "$WORK/coba.ll" | sort -u | tr '\n' ' ')"
fi
# the same for the noisy LIF of bench/ (Box-Muller: log and cos)
expect_exit 0 "$NRNC" emit llvm "$HERE/../../bench/lif_noise_100k.nrn" -o "$WORK/noise.ll"
grep -q "call.*@_ZGVdN4v_log" "$WORK/noise.ll" && grep -q "call.*@_ZGVdN4v_cos" "$WORK/noise.ll" ||
    fail "the noisy LIF loop does not call libmvec's 4-wide log and cos"
echo ok
