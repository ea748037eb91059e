# The CUBA network against Brian2 run here (C++ standalone, bench/cuba_brian2.py): the
# mean rate of nrnc over seeds 1-3 is within 10% of Brian2's over seeds 1-2 (the networks
# differ by random numbers; nrnc's refractory period is one step longer than Brian2's,
# ../shared/reference/README.md), and both have about 80 synapses per neuron.
. "$(dirname "$0")/../lib.sh"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c "import brian2" 2>/dev/null; then
    echo "brian2 is not installed (Debian: python3-brian): skipped"
    exit 77
fi
ROOT=$HERE/../..
for seed in 1 2; do
    PYTHONWARNINGS=ignore "$python" "$ROOT/bench/cuba_brian2.py" 4000 "$seed" 1 --dir "$WORK/b2_$seed" \
        > "$WORK/brian2_$seed.json" || fail "Brian2 run (seed $seed)"
done
for seed in 1 2 3; do
    "$NRNC" run "$ROOT/examples/cuba.nrn" --seed "$seed" --out "$WORK/nrnc_$seed" --quiet || fail "nrnc run"
done
b2=$(cat "$WORK"/brian2_*.json | sed 's/.*"rate_hz": *\([0-9.e+-]*\).*/\1/' | awk '{ s += $1; n++ } END { print s / n }')
nr=$(cat "$WORK"/nrnc_*/summary.json | awk -F'"spikes": ' '/"size"/ { split($2, a, ","); s += a[1] }
                                                           END { print s / 3 / 4000 }')
echo "Brian2 $b2 Hz, nrnc $nr Hz"
awk -v a="$b2" -v b="$nr" 'BEGIN { d = (b - a) / a; if (d < 0) d = -d; exit !(d < 0.10) }' ||
    fail "nrnc's CUBA rate $nr Hz is not within 10% of Brian2's $b2 Hz"
echo ok
