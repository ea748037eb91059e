# FitzHugh–Nagumo (stdlib/fhn.nrn), standard a = 0.7, b = 0.8, epsilon = 0.08, tau = 1 ms.
#  1. I = 0.5 (above the Hopf point I = 0.3313): a limit cycle of period 39.47441 ms. The
#     value comes from an independent integration (classical RK4 in Python, steps of
#     0.004, 0.002 and 0.001 tau agreeing to 1e-7, crossings of v = 1 interpolated).
#     Spikes (upward crossings of v = 1) are stamped at the end of their step, so an
#     interval between two stamps is within dt of the true one, and the mean of K
#     intervals within dt / K; tolerance dt / K + 1e-4 ms for the mean (K = 8 after the
#     first spike, dt = 0.01 ms: 0.00135 ms) and dt + 1e-4 ms for each interval.
#     Measured: mean 39.47375 ms (-0.00066 ms).
#  2. I = 0: the rest point is the real root of v^3/3 + (1/b - 1) v + a/b = 0 (Cardano),
#     w = (v + a) / b: v = -1.1994080, w = -0.6242600. The fixed point of an RK4 step is
#     the ODE's, and the transient decays as exp(-0.25 t / tau), so after 400 ms v and w
#     must equal it to 1e-9 (measured: 3e-14); and the neuron must not fire.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/fhn.nrn" <<'EOM'
import fhn
network Two {
    population F = FitzHughNagumo[2]
    F.I = 0.5 * (i == 0)
    record spikes of F
    record v of F every 1 ms
    record w of F every 1 ms
}
simulate Two for 400 ms dt 0.01 ms
EOM
"$NRNC" run "$WORK/fhn.nrn" --out "$WORK/o" --quiet
grep '^F,1,' "$WORK/o/spikes.csv" && fail "I = 0: the neuron fired"
grep '^F,0,' "$WORK/o/spikes.csv" | cut -d, -f3 | awk -v T=39.47441 -v dt=0.01 '
    { t[n++] = $1 }
    END { if (n != 11) { print n " spikes in 400 ms, expected 11"; exit 1 }
          for (k = 2; k < n; k++) { d = t[k] - t[k - 1] - T; if (d < 0) d = -d
              if (d > dt + 1e-4) { printf "interval %d: %.4f ms, period %.5f ms\n", k, t[k] - t[k - 1], T; bad = 1 } }
          K = n - 2; mean = (t[n - 1] - t[1]) / K; d = mean - T; if (d < 0) d = -d
          if (d > dt / K + 1e-4) { printf "mean period %.5f ms, expected %.5f +- %.5f\n", mean, T, dt / K + 1e-4; bad = 1 }
          exit bad }' || fail "I = 0.5: limit-cycle period"
paste -d, "$WORK/o/trace_F_v.csv" "$WORK/o/trace_F_w.csv" | tail -1 | awk -F, -v a=0.7 -v b=0.8 '
    function cbrt(x) { return x < 0 ? -exp(log(-x) / 3) : (x > 0 ? exp(log(x) / 3) : 0) }
    { p = 3 * (1 / b - 1); q = 3 * a / b; D = q * q / 4 + p * p * p / 27
      v = cbrt(-q / 2 + sqrt(D)) + cbrt(-q / 2 - sqrt(D)); w = (v + a) / b
      dv = $3 - v; dw = $6 - w; if (dv < 0) dv = -dv; if (dw < 0) dw = -dw
      if ($1 != 400 || dv > 1e-9 || dw > 1e-9) {
          printf "t %s: (v, w) = (%.12f, %.12f), fixed point (%.12f, %.12f)\n", $1, $3, $6, v, w; exit 1 } }' ||
    fail "I = 0: not at the fixed point"
echo ok
