# Tables (LANGUAGE.md §3): an inline table, a CSV file and an NPY file give, to 1e-12, the
# trace of the same step protocol written as a let; per-neuron tables give each neuron its
# own column (exact values); a built simulator writes the same bytes as nrnc run; the
# integrate loop that reads a table still vectorises.
. "$(dirname "$0")/../lib.sh"
model="$HERE/data/tables/tables.nrn"
"$NRNC" run "$model" --out "$WORK/run" --quiet
# columns 2.. of two traces agree to 1e-12 (relative to 1 mV), row for row
same() {
    paste -d, "$WORK/run/trace_$1_v.csv" "$WORK/run/trace_$2_v.csv" | awk -F, -v n=3 '
        NR > 1 { for (k = 2; k <= n; k++) { d = $k - $(k + n); if (d < 0) d = -d; if (d > 1e-15) bad++ } rows++ }
        END { if (bad || rows != 2501) { print bad + 0, "differences in", rows, "rows"; exit 1 } }' ||
        fail "trace of $1 differs from $2"
}
same A B
same C B
same D B
# the step really happened: 0 before 50 ms, rising after, decaying after 150 ms
awk -F, '$1 == "50" && $2 != 0 { exit 1 } $1 == "50.1" && !($2 > 0.49 && $2 < 0.5) { exit 1 }' \
    "$WORK/run/trace_B_v.csv" || fail "the let protocol is not the step expected"
# per-neuron CSV (times 0, 20.5, 40 ms) and NPY (every 20 ms): neuron j reads column j
row() { awk -F, -v t="$2" '$1 == t { print $2 "," $3 "," $4 }' "$WORK/run/trace_E_$1.csv"; }
[ "$(row u 0)" = "0,1,2" ] || fail "u at 0 ms: $(row u 0)"
[ "$(row u 20.4)" = "0,1,2" ] || fail "u at 20.4 ms: $(row u 20.4)"
[ "$(row u 20.5)" = "3,4,5" ] || fail "u at 20.5 ms: $(row u 20.5)"
[ "$(row u 249.9)" = "6,7,8" ] || fail "u after the end: $(row u 249.9)"
[ "$(row x 19.9)" = "0,1,2" ] || fail "x at 19.9 ms: $(row x 19.9)"
[ "$(row x 20)" = "3,4,5" ] || fail "x at 20 ms: $(row x 20)"
[ "$(row x 40)" = "6,7,8" ] || fail "x at 40 ms: $(row x 40)"
# a built simulator embeds the samples: the same bytes, run from another folder
"$NRNC" build "$model" -o "$WORK/sim"
(cd "$WORK" && ./sim --out "$WORK/built" --quiet)
for f in "$WORK"/run/trace_*.csv; do
    cmp "$f" "$WORK/built/$(basename "$f")" || fail "built simulator differs: $(basename "$f")"
done
# one load per use from a constant array; the integrate loop still vectorises
"$NRNC" emit llvm "$model" -o "$WORK/tables.ll"
grep -q 'nrn\.table\.[0-9]* = private unnamed_addr constant \[4 x double\]' "$WORK/tables.ll" ||
    fail "the inline table is not a constant array"
awk '/^define/ { f = $0 } /x double>/ && f ~ /nrn_integrate_0/ { found = 1 } END { exit !found }' "$WORK/tables.ll" ||
    fail "the integrate loop reading a table is not vectorised"
echo ok
