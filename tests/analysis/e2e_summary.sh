# nrnc run, then nrnc stats --format json on its folder: every population's statistics
# equal, as text, the "stats" object summary.json has (both come from one accumulator,
# runtime/spike_stats.c: one fed by the run loop with every spike, one by the files).
# The CUBA example (two recorded populations, 1 s), in CSV and NPY, on 1 and 2 threads,
# and a run stopped early by --duration shorter than the model's.
. "$(dirname "$0")/../lib.sh"
MODEL=$HERE/../../examples/cuba.nrn
# stats_of FILE POP: the object after `"POP": ` (stats output) or after `"stats": ` on
# POP's line (summary.json)
from_summary() { sed -n "s/^ *\"$2\": {.*\"stats\": \({.*}\) },\{0,1\}\$/\1/p" "$1"; }
from_stats() { sed -n "s/^ *\"$2\": \({.*}\),\{0,1\}\$/\1/p" "$1"; }
check() {
    out=$1
    "$NRNC" stats "$out" --format json >"$WORK/stats.json" || fail "nrnc stats $out failed"
    for pop in E I; do
        a=$(from_summary "$out/summary.json" $pop)
        b=$(from_stats "$WORK/stats.json" $pop)
        [ -n "$a" ] || fail "$out/summary.json: no stats for $pop"
        [ "$a" = "$b" ] || fail "$out, $pop: summary.json has $a, nrnc stats says $b"
    done
}
"$NRNC" run "$MODEL" --out "$WORK/csv" --quiet || fail "nrnc run failed"
check "$WORK/csv"
"$NRNC" run "$MODEL" --out "$WORK/npy" --format npy --threads 2 --quiet || fail "nrnc run --format npy failed"
check "$WORK/npy"
"$NRNC" run "$MODEL" --out "$WORK/short" --duration 330ms --quiet || fail "nrnc run --duration 330ms failed"
check "$WORK/short"
# the numbers mean something: CUBA's neurons fire irregularly at a few Hz
grep -q '"cv_isi": 0\.[3-9]' "$WORK/stats.json" || fail "cv_isi out of range: $(cat "$WORK/stats.json")"
echo ok
