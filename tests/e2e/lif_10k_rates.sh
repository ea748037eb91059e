# Each of 10,000 neurons with its own current fires exactly as the closed form says:
# first spike after n1 = floor(T/dt) + 1 steps, T = tau ln(RI / (RI - 20 mV)), then every
# n1 + 20 steps (20 held refractory steps), so its count in 10,000 steps is
# floor((10000 - n1) / (n1 + 20)) + 1. Neurons whose T/dt lies within 1e-6 of an integer
# (where rounding may go either way) are skipped; the script says how many it checked.
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/lif_10k.nrn" --out "$WORK/out" --quiet
tail -n +2 "$WORK/out/spikes.csv" | awk -F, '
    { count[$2]++ }
    END {
        checked = 0; bad = 0
        for (i = 0; i < 10000; i++) {
            RI = 100 * (0.21 + 0.1 * i / 10000)
            T = 10 * log(RI / (RI - 20))
            x = T / 0.1
            f = x - int(x)
            if (f < 1e-6 || f > 1 - 1e-6) continue
            n1 = int(x) + 1
            want = int((10000 - n1) / (n1 + 20)) + 1
            got = (i in count) ? count[i] : 0
            checked++
            if (got != want) { if (bad < 10) print "neuron " i ": " got " spikes, expected " want; bad++ }
        }
        print checked " neurons checked, " bad " wrong"
        if (checked < 9900 || bad > 0) exit 1
    }' || fail "spike counts differ from the closed form"
grep -q '"size": 10000' "$WORK/out/summary.json" || fail "summary size"
echo ok
