# LIFCuba (stdlib/lif_cuba.nrn, the CUBA benchmark neuron): the system is linear with
# constant coefficients, so the compiler must choose `exact`, and the recorded traces must
# equal the closed-form solution. With u = v - E_l and initial synaptic values ge0, gi0:
#   ge(t) = ge0 e^(-t/tau_e),  gi(t) = gi0 e^(-t/tau_i)
#   u(t)  = u0 e^(-t/tau_m) + sum_s g_s0 tau_s / (tau_s - tau_m) (e^(-t/tau_s) - e^(-t/tau_m))
# Neurons 0-2 (E_l lowered to -70 mV, below threshold): an EPSP (ge0 = 5 mV), an IPSP
# (gi0 = -3 mV) and both; neuron 3 has the default E_l = -49 mV (above v_th = -50 mV) and
# starts at v_reset = -60 mV. Tolerance: 1e-9 mV on v, ge and gi at every 0.1 ms sample
# (propagator computed in double precision; measured max 1.1e-11 mV), and the peak of the
# EPSP at t* = tau_e tau_m / (tau_m - tau_e) ln(tau_m / tau_e) = 9.24 ms (the sample 9.2).
# Neuron 3 fires with the closed-form period: the crossing tau_m ln((E_l - v_reset) /
# (E_l - v_th)) = 47.957 ms after each release, stamped at the end of its step (48.0),
# then 5 ms (50 steps) held: spikes at 48 + 53 k ms exactly (to 1e-9 ms), 5 in 300 ms.
# examples/lif_cuba.nrn checks (its CUBA benchmark network included) and runs as it is:
# the same responses, neuron 3 firing at 48, 101 and 154 ms.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/cuba.nrn" <<'EOM'
import lif_cuba
network PSP {
    population P = LIFCuba[4]
    P.E_l = -70 mV + 21 mV * (i == 3)
    P.v = -70 mV + 10 mV * (i == 3)
    P.ge = 5 mV * (i == 0 or i == 2)
    P.gi = -3 mV * (i == 1 or i == 2)
    record spikes of P
    record v of P[0:3] every 0.1 ms
    record ge of P[0:3] every 0.1 ms
    record gi of P[0:3] every 0.1 ms
}
simulate PSP for 300 ms dt 0.1 ms
EOM
"$NRNC" emit ir "$WORK/cuba.nrn" > "$WORK/ir"
grep -q "method exact  (linear, constant coefficients -> exact)" "$WORK/ir" || fail "LIFCuba: expected exact"
"$NRNC" run "$WORK/cuba.nrn" --out "$WORK/out" --quiet
for var in v ge gi; do
    head -1 "$WORK/out/trace_P_$var.csv" | grep -qx 't_ms,0,1,2' || fail "trace_P_$var.csv header"
    grep -q "\"P.$var\": { \"file\": \"trace_P_$var.csv\", \"unit\": \"mV\" }" "$WORK/out/summary.json" ||
        fail "$var not recorded in mV"
    awk -F, -v var=$var '
        NR == 1 { next }
        { t = $1; n++
          for (k = 0; k < 3; k++) {
              ge0 = (k != 1) * 5; gi0 = (k >= 1) * -3
              ge = ge0 * exp(-t / 5); gi = gi0 * exp(-t / 10)
              u = ge0 * 5 / (5 - 20) * (exp(-t / 5) - exp(-t / 20)) + gi0 * 10 / (10 - 20) * (exp(-t / 10) - exp(-t / 20))
              want = var == "v" ? -70 + u : (var == "ge" ? ge : gi)
              d = $(k + 2) - want; if (d < 0) d = -d
              if (d > 1e-9) { printf "%s of neuron %d at %g ms: %.12g, closed form %.12g\n", var, k, t, $(k + 2), want; bad = 1; exit }
          }
          if (var == "v" && (NR == 2 || $2 > peak)) { peak = $2; tpeak = t } }
        END { if (n != 3001) { print n " samples, expected 3001"; bad = 1 }
              if (var == "v" && (tpeak < 9.15 || tpeak > 9.25)) { print "EPSP peak at " tpeak; bad = 1 }
              exit bad }' "$WORK/out/trace_P_$var.csv" || fail "$var differs from the closed form"
done
grep -q '^P,[012],' "$WORK/out/spikes.csv" && fail "a subthreshold neuron spiked"
grep '^P,3,' "$WORK/out/spikes.csv" | cut -d, -f3 | awk '
    { want = 48 + 53 * (NR - 1); d = $1 - want; if (d < 0) d = -d; if (d > 1e-9) { print $1 " vs " want; bad = 1 } }
    END { if (NR != 5) { print NR " spikes, expected 5"; bad = 1 }; exit bad }' ||
    fail "spontaneous firing differs from 48 + 53 k ms"
EX="$HERE/../../examples/lif_cuba.nrn"
expect_exit 0 "$NRNC" check "$EX"
"$NRNC" run "$EX" --out "$WORK/ex" --quiet
[ "$(tail -n +2 "$WORK/ex/spikes.csv" | tr '\n' ' ')" = "P,3,48 P,3,101 P,3,154 " ] || fail "examples/lif_cuba.nrn: spikes"
echo ok
