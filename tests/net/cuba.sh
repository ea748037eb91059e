# examples/cuba.nrn, the CUBA benchmark (Brette et al. 2007; reference/README.md): over
# seeds 1, 2 and 3 the mean rate of all 4,000 neurons is within 10% of 5.6 Hz (Brian2
# standalone 5.616 Hz; the reference tolerance), and each seed's synapse count is within
# 4 binomial standard deviations of 4000 * 4000 * 0.02 (two prob(0.02) connects, each
# over 800 or 3,200 sources x 4,000 targets, self-connections allowed).
. "$(dirname "$0")/../lib.sh"
model="$HERE/../../examples/cuba.nrn"
total=0
for seed in 1 2 3; do
    out="$WORK/seed$seed"
    "$NRNC" run "$model" --seed "$seed" --out "$out" --quiet || fail "seed $seed: nrnc run failed"
    s="$out/summary.json"
    grep -q '"status": "completed"' "$s" || fail "seed $seed: the run did not complete"
    # the sum of the populations' spike counts, and the synapse count
    spikes=$(grep -o '"spikes": [0-9]*' "$s" | awk '{ n += $2 } END { print n + 0 }')
    syn=$(grep -o '"synapses": [0-9]*' "$s" | awk '{ print $2 }')
    size=$(grep -o '"size": [0-9]*' "$s" | awk '{ n += $2 } END { print n + 0 }')
    [ "$size" = 4000 ] || fail "seed $seed: $size neurons, expected 4000"
    [ -n "$syn" ] || fail "seed $seed: summary.json has no synapse count"
    # the spike file agrees with the summary
    rows=$(($(wc -l < "$out/spikes.csv") - 1))
    [ "$rows" = "$spikes" ] || fail "seed $seed: spikes.csv has $rows spikes, summary.json $spikes"
    awk -v n="$syn" 'BEGIN { N = 4000 * 4000; p = 0.02; m = N * p; sd = sqrt(N * p * (1 - p))
                             d = (n - m) / sd; exit !(d > -4 && d < 4) }' ||
        fail "seed $seed: $syn synapses, expected 320000 +- 4 x 560"
    rate=$(awk -v n="$spikes" 'BEGIN { printf "%.4f", n / 4000 / 1.0 }')
    echo "seed $seed: $spikes spikes, $rate Hz, $syn synapses"
    total=$((total + spikes))
done
awk -v n="$total" 'BEGIN { r = n / 3 / 4000; printf "mean rate %.4f Hz (reference 5.6 Hz)\n", r
                           exit !(r > 5.6 * 0.9 && r < 5.6 * 1.1) }' ||
    fail "mean rate over seeds 1-3 is not within 10% of 5.6 Hz"
echo ok
