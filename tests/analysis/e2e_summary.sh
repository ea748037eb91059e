# nrnc run, then nrnc stats --format json on its folder: every population's statistics
# equal, as text, the object summary.json has under "stats" (both come from one accumulator,
# runtime/spike_stats.c: one fed by the run loop with every spike, one by the files).
# The CUBA example (two recorded populations, 1 s), in CSV and NPY, on 1 and 2 threads,
# and a run stopped early by --duration shorter than the model's.
. "$(dirname "$0")/../lib.sh"
MODEL=$HERE/../../examples/cuba.nrn
# stats_of FILE POP: POP's statistics, the object that starts with "rate_hz" (summary.json's
# "stats" and nrnc stats' "populations" alike; summary.json's populations start with "size")
stats_of() { sed -n "s/^ *\"$2\": \({ \"rate_hz\".*}\),\{0,1\}\$/\1/p" "$1"; }
check() {
    out=$1
    "$NRNC" stats "$out" --format json >"$WORK/stats.json" || fail "nrnc stats $out failed"
    for pop in E I; do
        a=$(stats_of "$out/summary.json" $pop)
        b=$(stats_of "$WORK/stats.json" $pop)
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
# nrnc plot draws the distributions, and the PCA panels once nrnc stats --pca wrote its files
"$NRNC" stats "$WORK/csv" --pca E || fail "nrnc stats --pca E failed"
"$NRNC" plot "$WORK/csv" -o "$WORK/plot.svg" 2>/dev/null || fail "nrnc plot failed"
for text in '>ISI histogram per population' '>Rate distribution over neurons' \
            '>PCA of E: explained variance per component' '>PCA of E: trajectory in the plane of pc1 and pc2' \
            '>log10 ISI (ms)</text>' '>fraction of neurons</text>'; do
    grep -qF "$text" "$WORK/plot.svg" || fail "the SVG lacks '$text'"
done
echo ok
