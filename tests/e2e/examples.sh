# Every model in examples/ checks, and runs (for 20 ms of its default network) to a
# summary.json that says it completed.
. "$(dirname "$0")/../lib.sh"
n=0
for model in "$HERE"/../../examples/*.nrn; do
    name=$(basename "$model" .nrn)
    "$NRNC" check "$model" || fail "check $name"
    "$NRNC" run "$model" --out "$WORK/$name" --quiet --duration 20ms || fail "run $name"
    grep -q '"status": "completed"' "$WORK/$name/summary.json" || fail "$name did not complete"
    n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "expected at least 12 examples, found $n"
echo "ok ($n examples)"
