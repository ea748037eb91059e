# The runtime under valgrind memcheck on every example: each model is built into a
# standalone simulator (runtime and generated code, no LLVM in the process) and run for
# 2 ms; any invalid read or write, use of uninitialised memory, or definite or indirect
# leak fails the test. NRN_TARGET_CPU=x86-64-v3 keeps AVX-512, which valgrind cannot
# execute, out of the generated code. valgrind is a required dependency
# (scripts/install-deps.sh); it cannot run sanitizer-instrumented binaries, so the
# sanitizer build leaves this test out (label no-sanitizer).
. "$(dirname "$0")/../lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed (run scripts/install-deps.sh)"
n=0
for model in "$HERE"/../../examples/*.nrn; do
    name=$(basename "$model" .nrn)
    NRN_TARGET_CPU=x86-64-v3 "$NRNC" build "$model" -o "$WORK/$name.sim" || fail "nrnc build $name"
    set +e
    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$WORK/$name.sim" --out "$WORK/$name" --quiet --duration 2ms >/dev/null 2>"$WORK/$name.vg"
    rc=$?
    set -e
    [ $rc = 0 ] || { tail -40 "$WORK/$name.vg"; fail "$name: exit $rc under valgrind"; }
    grep -q "ERROR SUMMARY: 0 errors" "$WORK/$name.vg" || { tail -40 "$WORK/$name.vg"; fail "$name: valgrind errors"; }
    grep -q '"status": "completed"' "$WORK/$name/summary.json" || fail "$name did not complete"
    n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "expected at least 12 examples, found $n"
echo "ok ($n examples under valgrind)"
