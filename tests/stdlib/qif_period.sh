# QIF (stdlib/qif.nrn): the closed-form period. From v_reset, v reaches v_peak after
#   T = tau_m Delta_V / k * (atan((v_peak - v_m) / k) - atan((v_reset - v_m) / k)),
#   v_m = (v_r + v_c) / 2, k = sqrt(Delta_V R_m I_e - (v_c - v_r)^2 / 4)
# and the neuron then holds for t_ref. Every cycle starts on the time grid from the same
# state, so all ISIs of a neuron are equal (to 1e-9 ms) and, since a spike is stamped at
# the end of the step in which v passes v_peak, lie in [T + t_ref, T + t_ref + dt]. The
# first spike (from v = v_r at t = 0) lies likewise in [T0, T0 + dt], T0 being T from
# v_r. Tolerance on both ends: 0.01 ms for the integration error of rk4 (the default);
# measured: every ISI within [T + 0.0003, T + 0.0056] ms at dt 0.01 ms and within
# [T + 0.016, T + 0.091] ms at dt 0.1 ms, for six neurons of 0.05-0.3 nA including a
# refractory period, a lower reset and a higher peak.
# Below the rheobase (R_m I_e < (v_c - v_r)^2 / (4 Delta_V), 0.0375 nA), no spike, and v
# settles at the stable fixed point v_m - sqrt((v_c - v_r)^2 / 4 - Delta_V R_m I_e)
# (-60.854 mV at 0.03 nA) within 1e-4 mV by 300 ms (relaxation time 22 ms).
# examples/qif.nrn runs as it is: its neuron at 0.02 nA (below the rheobase) stays silent,
# and the spike count rises with the current across the other seven.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/qif.nrn" <<'EOM'
import qif
network Period {
    population Q = QIF[6]
    Q.I_e = 0.05 nA * (i + 1)
    Q.t_ref = 2 ms * (i == 3)
    Q.v_reset = -65 mV - 10 mV * (i == 4)
    Q.v_peak = 20 mV + 30 mV * (i == 5)
    population B = QIF[1](I_e = 0.03 nA)
    record spikes of Q, B
    record v of B every 1 ms
}
simulate Period for 300 ms
EOM
"$NRNC" emit ir "$WORK/qif.nrn" | grep -q "method rk4" || fail "QIF: expected rk4 to be chosen"
for dt in 0.1 0.01; do
    "$NRNC" run "$WORK/qif.nrn" --out "$WORK/o$dt" --quiet --dt ${dt}ms
    awk -F, -v dt=$dt '
        function period(k, from,    I, kk, tref, vres, vpk, vm) {
            I = 0.05 * (k + 1); tref = (k == 3) ? 2 : 0; vpk = (k == 5) ? 50 : 20
            vres = (from == "reset" && k == 4) ? -75 : -65
            vm = -57.5; kk = sqrt(15 * 100 * I - 56.25)
            return 10 * 15 / kk * (atan2(vpk - vm, kk) - atan2(vres - vm, kk)) + (from == "reset" ? tref : 0) }
        NR > 1 && $1 == "B" { print "B spiked at " $3; bad = 1 }
        NR > 1 && $1 == "Q" { k = $2; t = $3; n[k]++
            if (k in last) { isi = t - last[k]; T = period(k, "reset")
                if (k in first_isi && (isi - first_isi[k] > 1e-9 || first_isi[k] - isi > 1e-9)) { print "neuron " k ": ISIs differ"; bad = 1 }
                first_isi[k] = isi
                if (isi < T - 0.01 || isi > T + dt + 0.01) { printf "neuron %d: ISI %.4f, T %.4f\n", k, isi, T; bad = 1 } }
            else { T = period(k, "start")
                if (t < T - 0.01 || t > T + dt + 0.01) { printf "neuron %d: first spike %.4f, T0 %.4f\n", k, t, T; bad = 1 } }
            last[k] = t }
        END { for (k = 0; k < 6; k++) if (n[k] < 3) { print "neuron " k ": " n[k] " spikes"; bad = 1 }; exit bad }' \
        "$WORK/o$dt/spikes.csv" || fail "dt $dt: spike times differ from the closed form"
    tail -1 "$WORK/o$dt/trace_B_v.csv" | awk -F, '{ want = -57.5 - sqrt(56.25 - 15 * 100 * 0.03); d = $2 - want
        if (d < 0) d = -d; if ($1 != 300 || d > 1e-4) { print "v(" $1 ") = " $2 ", fixed point " want; exit 1 } }' ||
        fail "dt $dt: below the rheobase v does not settle at the fixed point"
done
EX="$HERE/../../examples/qif.nrn"
"$NRNC" run "$EX" --out "$WORK/ex" --quiet
awk -F, 'NR > 1 { c[$2]++ } END { if (c[0] != 0) exit 1; for (k = 2; k < 8; k++) if (!(c[k] > c[k-1] && c[k-1] > 0)) exit 1 }' \
    "$WORK/ex/spikes.csv" || fail "examples/qif.nrn: counts do not rise with the current from zero"
echo ok
