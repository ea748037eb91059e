# A LIF neuron driven by white noise (lif_noise.nrn, Euler-Maruyama, chosen automatically)
# fires at the rate of the Siegert formula (diffusion approximation, exact for this model
# in continuous time) within 5%, at three noise levels: sigma = 2, 4, 6 mV with the mean
# input at threshold (mu = V_th = 20 mV, tau 20 ms, V_r 10 mV, t_ref 2 ms). The formula is
# computed by the helper program siegert (siegert.c: libm's erfc, an erfcx continued
# fraction, Simpson's rule), passed as $3. sigma is the standard deviation of the free
# membrane potential (the model's noise term is sigma sqrt(2/tau) xi), so the formula's
# limits are (V - mu) / (sqrt(2) sigma): see siegert.c. (With sigma in place of
# sqrt(2) sigma the formula would predict 18.5, 24.6, 30.0 Hz, 12-16% below the rates here.)
#
# Sizes: 350, 450 and 450 neurons, spikes counted in (50 ms, 450 ms] (the first 50 ms,
# 2.5 tau, let the uniform initial v settle): about 2,900, 5,200 and 6,400 spikes, so with
# the ISI CVs of these regimes (about 0.47, 0.62, 0.73) the statistical error of each rate
# is under 1%; the test measures it (standard error of the per-neuron counts: 0.85%,
# 0.93%, 0.87%) and prints it.
#
# dt = 0.0025 ms (dt/tau = 1.25e-4). A time-discretised threshold misses the crossings that
# happen between two steps, which lowers the rate like moving the threshold up by
# sigma |zeta(1/2)| sqrt(dt/tau) (Brunel & Hakim 1999): the helper's prediction of that
# bias at this dt is -0.9%, -1.2% and -1.5%; at dt = 0.1 ms it would be -5.4% to -8.9%.
# Tolerance 5% = that bias (at most 1.5%) plus more than 3 standard errors. Fixed seed.
. "$(dirname "$0")/../lib.sh"
SIEGERT=$3
# The helper itself: with little noise and mu above threshold the rate tends to the
# deterministic 1 / (t_ref + tau ln((mu - V_r) / (mu - V_th))) = 41.7149 Hz (mu = 25 mV);
# at sigma = 0.01 mV the noise correction is O(sigma^2), far below 1e-4.
"$SIEGERT" 20 2 25 0.01 20 10 | awk '{ want = 1 / (0.002 + 0.02 * log(15 / 5))
    printf "helper: %.6f Hz at sigma = 0.01 mV, deterministic limit %.6f Hz\n", $1, want
    exit !($1 / want - 1 < 1e-4 && $1 / want - 1 > -1e-4) }' || fail "the Siegert helper misses the deterministic limit"
"$NRNC" emit ir "$HERE/lif_noise.nrn" > "$WORK/ir"
[ "$(grep -cF "method euler  (additive noise -> euler (Euler-Maruyama))" "$WORK/ir")" = 3 ] ||
    { cat "$WORK/ir"; fail "Euler-Maruyama not chosen"; }
"$NRNC" run "$HERE/lif_noise.nrn" --out "$WORK/out" --quiet
for level in "S2 350 2" "S4 450 4" "S6 450 6"; do
    set -- $level
    pred=$("$SIEGERT" 20 2 20 "$3" 20 10 0.0025) || fail "siegert helper"
    awk -F, -v pop="$1" -v n="$2" -v sigma="$3" -v pred="$pred" '
        BEGIN { split(pred, p, " "); rate0 = p[1]; rate_dt = p[2]; bias = p[3] }
        NR > 1 && $1 == pop && $3 > 50 && $3 <= 450 { c[$2]++; total++ }
        END {
            T = 0.4
            rate = total / (n * T)
            for (i = 0; i < n; i++) { s += c[i]; ss += c[i] * c[i] }
            m = s / n; sd = sqrt((ss - n * m * m) / (n - 1))
            se = sd / sqrt(n) / m
            dev = rate / rate0 - 1
            printf "sigma %s mV: %d spikes, rate %.3f Hz +- %.2f%% (statistical), Siegert %.3f Hz: %+.2f%% " \
                   "(predicted discrete-time bias %+.2f%%: %.3f Hz, %+.2f%% from it)\n",
                   sigma, total, rate, 100 * se, rate0, 100 * dev, 100 * bias, rate_dt, 100 * (rate / rate_dt - 1)
            exit !(dev > -0.05 && dev < 0.05)
        }' "$WORK/out/spikes.csv" || fail "sigma = $3 mV: the rate is not within 5% of the Siegert formula"
done
echo ok
