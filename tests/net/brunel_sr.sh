# examples/brunel.nrn, network BrunelSR (Brunel 2000 model A, Fig. 8A: g = 3, eta = 2) with
# Brian2's refractory semantics (an update to v during the refractory period is dropped),
# seed 1, 1 s: over (200, 1000] ms the rate of all 12,500 neurons is within 15% of 310 Hz
# and the mean ISI CV below 0.15 (reference/README.md, Brian2 2.5.1: 310 Hz, CV 0.01).
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/../../examples/brunel.nrn" --network BrunelSR --duration 1s --seed 1 \
    --out "$WORK/sr" --quiet || fail "nrnc run BrunelSR"
grep -q '"status": "completed"' "$WORK/sr/summary.json" || fail "the run did not complete"
set -- $(awk -F, -v t0=200 -v t1=1000 -v size=12500 -f "$HERE/spike_stats.awk" "$WORK/sr/spikes.csv")
echo "BrunelSR, Brian2 refractory: rate $1 Hz, mean ISI CV $2 over $3 neurons"
awk -v r="$1" 'BEGIN { exit !(r > 310 * 0.85 && r < 310 * 1.15) }' ||
    fail "rate $1 Hz over (200, 1000] ms is not within 15% of 310 Hz"
awk -v cv="$2" 'BEGIN { exit !(cv >= 0 && cv < 0.15) }' || fail "mean ISI CV $2 is not below 0.15"
echo ok
