# The network examples (cuba, coba, brunel, gap_junction, rate_network, stdp) run through
# both paths for 5 ms: the JIT (nrnc run) and a standalone simulator (nrnc build), each to
# a completed summary.json and the same spike and trace files. Not labelled no-sanitizer:
# in the sanitizer build (make test-asan) nrnc and the simulators it builds carry
# AddressSanitizer and UndefinedBehaviorSanitizer, so this runs the runtime, the generated
# code and connectivity set-up of every network example under both.
. "$(dirname "$0")/../lib.sh"
EX=$HERE/../../examples
for name in cuba coba brunel gap_junction rate_network stdp; do
    "$NRNC" run "$EX/$name.nrn" --out "$WORK/$name.jit" --quiet --duration 5ms || fail "nrnc run $name"
    "$NRNC" build "$EX/$name.nrn" -o "$WORK/$name.sim" || fail "nrnc build $name"
    "$WORK/$name.sim" --out "$WORK/$name.aot" --quiet --duration 5ms || fail "the built $name"
    for out in jit aot; do
        grep -q '"status": "completed"' "$WORK/$name.$out/summary.json" || fail "$name ($out) did not complete"
    done
    n=0
    for f in "$WORK/$name.jit"/*.csv; do
        cmp -s "$f" "$WORK/$name.aot/$(basename "$f")" || fail "$name: $(basename "$f") differs between run and build"
        n=$((n + 1))
    done
    [ $n -ge 1 ] || fail "$name: no csv files"
done
echo ok
