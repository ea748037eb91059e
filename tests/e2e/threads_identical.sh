# LANGUAGE.md §7: runs with the same model, seed and flags give identical results,
# whatever the number of threads. Every example (200 ms; brunel 50 ms), and copies big
# enough to be split into several ranges (cuba at 16,000 neurons, 5,000 Poisson neurons
# whose threshold draws rand(), and random_events.nrn: rand() and randn() in a threshold,
# a reset, on_pre and a Poisson drive's weight; summed_split.nrn: `summed` through a
# dense matrix and through rows, 300 units a population), run with --threads 1, 2, 3, 4: the
# spike, trace, rate and weight files must be byte-identical to those of one thread, in
# CSV and NPY, for nrnc run and for a built simulator. summary.json says how many
# threads were used, which differs, so only its spike statistics ("stats", which the pool's
# phases accumulate range by range) are compared.
. "$(dirname "$0")/../lib.sh"
EX="$HERE/../../examples"
mkdir -p "$WORK/models"
cp "$EX"/*.nrn "$EX"/*.csv "$WORK/models/"
cp -r "$EX/data" "$WORK/models/"
sed -e 's/param N_total = 4000/param N_total = 16000/' -e 's|prob(0.02)|prob(80 / N_total)|' \
    "$EX/cuba.nrn" >"$WORK/models/cuba16k.nrn"
sed -e 's/Poisson\[100\]/Poisson[5000]/' "$EX/poisson.nrn" >"$WORK/models/poisson5k.nrn"
cp "$HERE/random_events.nrn" "$HERE/summed_split.nrn" "$WORK/models/"
awk 'BEGIN { n = 300; srand(7); for (i = 0; i < n; i++) { line = "";
    for (j = 0; j < n; j++) { w = (i + 3 * j) % 7 == 0 ? 0 : (rand() - 0.5) * 0.2; line = line (j ? "," : "") w }
    print line } }' >"$WORK/models/W300.csv"

stats_of() { sed -n '/^  "stats": {/,/^  },*$/p' "$1/summary.json"; }

# same_files A B: every output file of run A (but summary.json) equals B's, and so do
# the spike statistics in their summary.json
same_files() {
    [ -n "$(stats_of "$1")" ] || fail "$1/summary.json has no spike statistics"
    [ "$(stats_of "$1")" = "$(stats_of "$2")" ] || fail "$2/summary.json's stats differ from $1's"
    n=0
    for f in "$1"/*; do
        b=$(basename "$f")
        [ "$b" = summary.json ] && continue
        cmp -s "$f" "$2/$b" || fail "$2/$b differs from $f"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || fail "$1: no output files"
    [ "$(ls "$1" | wc -l)" = "$(ls "$2" | wc -l)" ] || fail "$2 has other files than $1"
}

threads_of() { sed -n 's/^ *"threads": \([0-9]*\),$/\1/p' "$1/summary.json"; }

split=0
for model in "$WORK"/models/*.nrn; do
    name=$(basename "$model" .nrn)
    dur=200ms
    [ "$name" = brunel ] && dur=50ms
    for fmt in csv npy; do
        for t in 1 2 3 4; do
            out="$WORK/$name.$fmt.$t"
            "$NRNC" run "$model" --out "$out" --quiet --duration $dur --format $fmt --threads $t ||
                fail "run $name --threads $t --format $fmt"
            grep -q '"status": "completed"' "$out/summary.json" || fail "$name --threads $t did not complete"
            [ "$t" = 1 ] || same_files "$WORK/$name.$fmt.1" "$out"
        done
        [ "$(threads_of "$WORK/$name.$fmt.4")" -gt 1 ] && split=$((split + 1))
    done
done
[ "$split" -ge 8 ] || fail "expected at least 4 models to run on several threads, found $((split / 2))"
# rand() in the threshold is counter-based: the Poisson population splits too
[ "$(threads_of "$WORK/poisson5k.csv.4")" = 4 ] || fail "poisson5k: 4 threads expected"
[ "$(threads_of "$WORK/cuba16k.csv.4")" = 4 ] || fail "cuba16k: 4 threads expected"
[ "$(threads_of "$WORK/random_events.csv.4")" = 4 ] || fail "random_events: 4 threads expected"
[ "$(threads_of "$WORK/summed_split.csv.4")" = 4 ] || fail "summed_split: 4 threads expected"
[ "$(threads_of "$WORK/cuba16k.csv.2")" = 2 ] || fail "cuba16k: 2 threads expected"

# no --threads: the first steps alternate between the pool and one thread, then the run
# keeps the faster; the files are still those of one thread
for name in cuba16k random_events summed_split; do
    "$NRNC" run "$WORK/models/$name.nrn" --out "$WORK/$name.auto" --quiet --duration 200ms ||
        fail "run $name without --threads"
    same_files "$WORK/$name.csv.1" "$WORK/$name.auto"
    t=$(threads_of "$WORK/$name.auto")
    [ "$t" -ge 1 ] || fail "$name: summary.json should report the threads used"
done

# a built simulator: the same files as nrnc run, whatever its thread count
for name in cuba16k brunel; do
    "$NRNC" build "$WORK/models/$name.nrn" -o "$WORK/sim_$name" || fail "build $name"
    dur=200ms
    [ "$name" = brunel ] && dur=50ms
    for fmt in csv npy; do
        for t in 1 2 3 4; do
            out="$WORK/sim_$name.$fmt.$t"
            "$WORK/sim_$name" --out "$out" --quiet --duration $dur --format $fmt --threads $t ||
                fail "sim_$name --threads $t"
            same_files "$WORK/$name.$fmt.1" "$out"
        done
    done
    [ "$(threads_of "$WORK/sim_$name.csv.4")" = 4 ] || fail "sim_$name: 4 threads expected"
done
echo "ok ($split model-format pairs ran on several threads)"
