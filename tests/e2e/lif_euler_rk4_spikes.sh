# euler and rk4 spike within one step (0.1 ms) of the exact reference times, same count.
. "$(dirname "$0")/../lib.sh"
tail -n +2 "$HERE/data/lif_spec_example_spikes.csv" | cut -d, -f2 > "$WORK/want"
for m in euler rk4 rk2 heun; do
    "$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/$m" --quiet --method $m
    tail -n +2 "$WORK/$m/spikes.csv" | cut -d, -f3 > "$WORK/got"
    [ "$(wc -l < "$WORK/got")" = "$(wc -l < "$WORK/want")" ] || fail "$m: spike count differs"
    paste -d' ' "$WORK/want" "$WORK/got" |
        awk -v m=$m '{ d = $2 - $1; if (d < 0) d = -d; if (d > 0.1 + 1e-9) { print m ": " $0; bad = 1 } } END { exit bad }' ||
        fail "$m: a spike is more than one step from the reference"
    grep -q "\"method\": \"$m\"" "$WORK/$m/summary.json" || fail "$m: summary.json method"
done
echo ok
