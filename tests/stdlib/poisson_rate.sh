# Poisson (stdlib/poisson.nrn): each neuron spikes in each 0.1 ms step with probability
# p = rate dt, independently. Statistical checks on fixed seeds (so the outcome is
# reproducible); every tolerance is 4 standard deviations of the statistic under the
# model (a correct generator fails one with probability < 1e-4); measured values, for
# seeds 42 and 43, in brackets.
#  - P: 1000 neurons at 20 Hz for 1 s. Total count ~ Binomial(10^7, 0.002): mean 20000,
#    sd 141, so within +-565 [19759, 19943]. Fano factor (variance/mean) of the
#    per-neuron counts: 1 - p = 0.998, sd sqrt(2/999) = 0.045, so within [0.82, 1.18]
#    [1.04, 0.95] (all neurons with the same train give 0). Fano factor of the
#    population count in 1 ms bins: independent neurons give 0.998, so within [0.82, 1.18]
#    [1.01, 0.98] (correlated neurons give far more). CV of the pooled intervals:
#    sqrt(1 - p) = 0.999 for geometric intervals, sd about 0.01, so within [0.95, 1.05]
#    [0.999, 0.989]; no interval shorter than one step; spike times on the grid in (0, 1000].
#  - R: 1000 neurons with rate 40 Hz for i < 500 and 0 Hz above (a per-neuron param):
#    no spike from i >= 500, and 20000 +- 565 from the others [20193, 20044].
#  - the same seed gives byte-identical spikes.csv; another seed gives a different one.
# examples/poisson.nrn runs as it is: rates 1..100 Hz over 100 neurons for 1 s, a total
# count of 5050 expected, sd 71, so within +-284 [4967 with its seed 1].
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/poisson.nrn" <<'EOM'
import poisson
network Sources {
    population P = Poisson[1000](rate = 20 Hz)
    population R = Poisson[1000]
    R.rate = 40 Hz * (i < 500)
    record spikes of P, R
}
simulate Sources for 1 s dt 0.1 ms
EOM
for seed in 42 43; do
    "$NRNC" run "$WORK/poisson.nrn" --out "$WORK/s$seed" --quiet --seed $seed
    awk -F, -v seed=$seed '
        function chk(name, x, lo, hi) { if (x < lo || x > hi) { printf "seed %d: %s = %g not in [%g, %g]\n", seed, name, x, lo, hi; bad = 1 } }
        NR == 1 { next }
        { d = $3 / 0.1 - int($3 / 0.1 + 0.5); if (d * d > 1e-12 || $3 <= 0 || $3 > 1000) { print "bad time " $3; bad = 1 } }
        $1 == "R" { nR++; if ($2 >= 500) { print "R " $2 " spiked at rate 0"; bad = 1 } }
        $1 == "P" { nP++; c[$2]++; b = int(($3 - 1e-9) / 1); pc[b]++
            if ($2 in last) { isi = $3 - last[$2]; if (isi < 0.1 - 1e-9) { print "ISI " isi; bad = 1 }
                              ni++; s1 += isi; s2 += isi * isi }
            last[$2] = $3 }
        END {
            chk("P spikes", nP, 20000 - 565, 20000 + 565)
            chk("R spikes", nR, 20000 - 565, 20000 + 565)
            m = nP / 1000; v = 0; for (k = 0; k < 1000; k++) v += (c[k] - m) ^ 2; v /= 999
            chk("Fano (neurons)", v / m, 0.82, 1.18)
            m = nP / 1000; v = 0; for (k = 0; k < 1000; k++) v += (pc[k] - m) ^ 2; v /= 999
            chk("Fano (1 ms bins)", v / m, 0.82, 1.18)
            mi = s1 / ni; chk("CV", sqrt(s2 / ni - mi * mi) / mi, 0.95, 1.05)
            exit bad }' "$WORK/s$seed/spikes.csv" || fail "seed $seed: not a Poisson process at the set rate"
done
"$NRNC" run "$WORK/poisson.nrn" --out "$WORK/again" --quiet --seed 42
cmp -s "$WORK/s42/spikes.csv" "$WORK/again/spikes.csv" || fail "the same seed gives different spikes"
cmp -s "$WORK/s42/spikes.csv" "$WORK/s43/spikes.csv" && fail "seeds 42 and 43 give the same spikes"
EX="$HERE/../../examples/poisson.nrn"
"$NRNC" run "$EX" --out "$WORK/ex" --quiet
n=$(tail -n +2 "$WORK/ex/spikes.csv" | wc -l)
[ "$n" -ge $((5050 - 284)) ] && [ "$n" -le $((5050 + 284)) ] || fail "examples/poisson.nrn: $n spikes, expected 5050 +- 284"
echo ok
