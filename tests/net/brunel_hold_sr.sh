# brunel_hold.nrn, network BrunelSR (Brunel 2000 model A, Fig. 8A: g = 3, eta = 2),
# seed 1, 600 ms, with nrnc's refractory semantics (LANGUAGE.md §4: `hold v` freezes the
# integration of v, but event updates such as `post.v += w` still apply and then stay
# held). The network locks into synchronous regular firing: a volley arrives 1.5 ms after
# each spike, during the 2 ms refractory period, and lifts v by about 25 mV (1000 x 0.1 mV
# - 250 x 0.3 mV), so every neuron fires again as soon as it may, each 2 ms + dt. Over
# (200, 600] ms the rate must be within 5% below that limit, 1000 / 2.1 = 476.2 Hz (1%
# above it for the window edges: a neuron can fit one more spike than 400 / 2.1), and
# the mean ISI CV below 0.15 (Brian2: 0.01).
# Brian2 reports 310 Hz here because it drops updates during the refractory period, as
# examples/brunel.nrn does: brunel_sr.sh checks that number.
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/brunel_hold.nrn" --network BrunelSR --duration 600ms --seed 1 \
    --out "$WORK/sr" --quiet || fail "nrnc run BrunelSR"
grep -q '"status": "completed"' "$WORK/sr/summary.json" || fail "the run did not complete"
set -- $(awk -F, -v t0=200 -v t1=600 -v size=12500 -f "$HERE/spike_stats.awk" "$WORK/sr/spikes.csv")
echo "BrunelSR: rate $1 Hz, mean ISI CV $2 over $3 neurons"
awk -v r="$1" 'BEGIN { m = 1000 / 2.1; exit !(r > m * 0.95 && r < m * 1.01) }' ||
    fail "rate $1 Hz is not within [-5%, +1%] of 476.2 Hz"
awk -v cv="$2" 'BEGIN { exit !(cv >= 0 && cv < 0.15) }' || fail "mean ISI CV $2 is not below 0.15"
[ "$3" = 12500 ] || fail "only $3 neurons with 3 spikes or more"
echo ok
