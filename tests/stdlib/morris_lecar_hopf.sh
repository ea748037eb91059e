# Morris–Lecar (stdlib/morris_lecar.nrn), Rinzel–Ermentrout "Hopf" parameters, from
# v0 = -60 mV, w = w_inf(v0). Reference values from an independent integration (classical
# RK4 in Python at steps 0.01 and 0.005 ms, agreeing to 1e-5 ms, crossings of 0 mV
# interpolated); the Hopf point I = 93.86 uA/cm^2 from the trace of the Jacobian along the
# fixed-point curve, as in Ermentrout & Terman (2010), ch. 3.
#  1. I = 100 uA/cm^2 (above the Hopf point): periodic firing, first 0 mV crossing at
#     15.9054 ms, period 85.29064 ms: 12 spikes in 1000 ms. Spikes are stamped at the end
#     of their step: the first within [t, t + dt] of the truth, widened by 0.002 ms for
#     rk4's error; the mean of the K = 10 intervals after the first spike within
#     dt / K + 0.002 ms (dt = 0.05 ms: 0.007 ms). Measured: 15.95 ms; mean 85.295 ms.
#  2. I = 80 uA/cm^2 (below the Hopf point and below the fold of limit cycles at
#     ~88.3 uA/cm^2, so no oscillation survives): after one spike at the onset the membrane
#     settles to the fixed point, the root of I = g_L (v - E_L) + g_Ca m_inf (v - E_Ca) +
#     g_K w_inf (v - E_K) (monotone in v; bisection here), w = w_inf(v): -29.966175 mV.
#     The slowest decay rate there is 0.03/ms, so after 1000 ms v must be within 1e-6 mV
#     and w within 1e-8 (measured: 4e-13 mV), with no spike after 100 ms.
#  3. I = 0: rest at the same closed form (-60.8554 mV) within the same tolerances.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/ml.nrn" <<'EOM'
import morris_lecar
network Three {
    population M = MorrisLecar[3]
    M.I = (i == 0) * 100 uA/cm^2 + (i == 1) * 80 uA/cm^2
    record spikes of M
    record v of M every 1 ms
    record w of M every 1 ms
}
simulate Three for 1000 ms dt 0.05 ms
EOM
"$NRNC" run "$WORK/ml.nrn" --out "$WORK/o" --quiet
grep -q '"method": "rk4"' "$WORK/o/summary.json" || fail "expected rk4"
grep '^M,0,' "$WORK/o/spikes.csv" | cut -d, -f3 | awk -v t1=15.9054 -v T=85.29064 -v dt=0.05 '
    { t[n++] = $1 }
    END { if (n != 12) { print n " spikes in 1000 ms, expected 12"; exit 1 }
          if (t[0] < t1 - 0.002 || t[0] > t1 + dt + 0.002) { printf "first spike %s ms, truth %s\n", t[0], t1; bad = 1 }
          K = n - 2; mean = (t[n - 1] - t[1]) / K; d = mean - T; if (d < 0) d = -d
          if (d > dt / K + 0.002) { printf "mean period %.4f ms, expected %.5f\n", mean, T; bad = 1 }
          exit bad }' || fail "I = 100 uA/cm^2: oscillation"
awk -F, 'NR > 1 && $2 != 0 && $3 > 100 { print "neuron " $2 " spiked at " $3; bad = 1 } END { exit bad }' \
    "$WORK/o/spikes.csv" || fail "below the Hopf point the membrane must come to rest"
paste -d, "$WORK/o/trace_M_v.csv" "$WORK/o/trace_M_w.csv" | tail -1 | awk -F, '
    function tanh(x) { return 1 - 2 / (exp(2 * x) + 1) }
    function winf(v) { return (1 + tanh((v - 2) / 30)) / 2 }
    function iss(v) { return 2 * (v + 60) + 4.4 * (1 + tanh((v + 1.2) / 18)) / 2 * (v - 120) + 8 * winf(v) * (v + 84) }
    function rest(I,    lo, hi, mid, k) { lo = -100; hi = 100
        for (k = 0; k < 200; k++) { mid = (lo + hi) / 2; if (iss(mid) < I) lo = mid; else hi = mid }
        return (lo + hi) / 2 }
    function check(I, v, w,    vs, dv, dw) { vs = rest(I); dv = v - vs; dw = w - winf(vs)
        if (dv < 0) dv = -dv; if (dw < 0) dw = -dw
        if (dv > 1e-6 || dw > 1e-8) { printf "I = %g: (v, w) = (%.9f, %.9f), fixed point (%.9f, %.9f)\n", I, v, w, vs, winf(vs); bad = 1 } }
    { if ($1 != 1000) { print "last sample at " $1; exit 1 }
      check(80, $3, $7); check(0, $4, $8); exit bad }' || fail "not at the fixed point"
echo ok
