# examples/brunel.nrn, network BrunelAI (Brunel 2000 model A, Fig. 8C: g = 5, eta = 2),
# seed 1, 1 s: over (200, 1000] ms the rate of all 12,500 neurons is within 15% of
# 36.5 Hz (reference/README.md: Brian2, seeds 1-6, 34.8-38.3 Hz; 15% for the seed
# spread) and the mean ISI CV of neurons with at least 3 spikes in that window is in
# [0.25, 0.55] (Brian2: 0.39-0.40); the synapse count is within 4 binomial standard
# deviations of 12500^2 * 0.1.
# examples/brunel.nrn drops input to refractory neurons, as Brunel's model and Brian2 do;
# brunel_hold.nrn is the same network with nrnc's plain `hold v` (updates apply while
# held), which fires a little faster and must stay within the same bounds.
. "$(dirname "$0")/../lib.sh"
stats() {   # OUTDIR -> "RATE CV NCV" over (200, 1000] ms
    awk -F, -v t0=200 -v t1=1000 -v size=12500 -f "$HERE/spike_stats.awk" "$1/spikes.csv"
}
check() {   # LABEL OUTDIR
    grep -q '"status": "completed"' "$2/summary.json" || fail "$1: the run did not complete"
    set -- "$1" $(stats "$2")
    echo "$1: rate $2 Hz, mean ISI CV $3 over $4 neurons"
    awk -v r="$2" 'BEGIN { exit !(r > 36.5 * 0.85 && r < 36.5 * 1.15) }' ||
        fail "$1: rate $2 Hz over (200, 1000] ms is not within 15% of 36.5 Hz"
    awk -v cv="$3" 'BEGIN { exit !(cv >= 0.25 && cv <= 0.55) }' ||
        fail "$1: mean ISI CV $3 is not in [0.25, 0.55]"
    [ "$4" -ge 10000 ] || fail "$1: only $4 neurons with 3 spikes or more"
}
"$NRNC" run "$HERE/../../examples/brunel.nrn" --out "$WORK/ai" --quiet || fail "nrnc run BrunelAI"
check BrunelAI "$WORK/ai"
syn=$(grep -o '"synapses": [0-9]*' "$WORK/ai/summary.json" | awk '{ print $2 }')
awk -v n="$syn" 'BEGIN { N = 12500 * 12500; p = 0.1; d = (n - N * p) / sqrt(N * p * (1 - p))
                         exit !(d > -4 && d < 4) }' ||
    fail "BrunelAI: $syn synapses, expected 15625000 +- 4 x 3750"
"$NRNC" run "$HERE/brunel_hold.nrn" --out "$WORK/ai_hold" --quiet || fail "nrnc run brunel_hold.nrn"
check "BrunelAI, updates while held" "$WORK/ai_hold"
echo ok
