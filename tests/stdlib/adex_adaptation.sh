# AdEx (Brette & Gerstner 2005, Table 1) under current steps of 1.0, 1.2 and 1.4 nA:
# spike-frequency adaptation. Each spike adds b to w, so the intervals lengthen and settle
# at a steady value. Checked on the default integrator (rk4, chosen because v' is
# nonlinear) at dt 0.1 ms and on a reference run of the same model with rk45 (adaptive,
# rtol 1e-6) at dt 0.01 ms (measured values in brackets):
#  - reference: every ISI longer than the one before (within its 0.01 ms grid), the last ISI at least
#    twice the first [2.66x, 2.57x, 2.52x], the last three within 0.5% of each other
#    (converged) [< 0.06%]; at the default step the same with a slack of one dt per ISI
#    (spike times fall on the grid).
#  - the default run agrees with the reference: the first spike within one step after the
#    reference's [0.07, 0.09, 0.07 ms later], every ISI within 1.5 dt = 0.15 ms
#    [-0.03 to +0.09 ms] (stamping on the grid moves each spike by up to one step, the
#    rest is integration error), the same spikes (those before 498 ms compared), the steady
#    ISI within 1% [0.28% at most].
#  - w is recorded in nA and jumps by b = 0.0805 nA over the step of each spike, within
#    0.001 nA [within 1.6e-4 nA: w also relaxes during that step].
#  - below the rheobase (0.3 and 0.5 nA; the steady-state I-V curve peaks at 0.627 nA) no
#    spike, and by 1500 ms v and w settle at the fixed point: the root v* below V_T of
#    I_e = (g_L + a)(v - E_L) - g_L Delta_T exp((v - V_T) / Delta_T), w* = a (v* - E_L)
#    (-61.7705 and -55.7740 mV), within 1e-3 mV and 1e-5 nA [1e-5 mV, 3e-7 nA].
# examples/adex.nrn runs as it is: the neuron at 0.6 nA fires exactly one spike (then the
# adaptation holds it), the four at 0.8-1.4 nA fire at least 8 each, more with more current.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/adex.nrn" <<'EOM'
import adex
network Step {
    population A = AdEx[3]
    A.I_e = 1.0 nA + 0.2 nA * i
    record spikes of A
    record w of A[0:1] every 0.1 ms
}
simulate Step for 500 ms dt 0.1 ms
EOM
"$NRNC" emit ir "$WORK/adex.nrn" > "$WORK/ir"
grep -q "method rk4" "$WORK/ir" || fail "AdEx: expected rk4 to be chosen"
"$NRNC" run "$WORK/adex.nrn" --out "$WORK/c" --quiet
"$NRNC" run "$WORK/adex.nrn" --out "$WORK/f" --quiet --method rk45 --dt 0.01ms
for k in 0 1 2; do
    grep "^A,$k," "$WORK/c/spikes.csv" | cut -d, -f3 > "$WORK/c$k"
    grep "^A,$k," "$WORK/f/spikes.csv" | cut -d, -f3 > "$WORK/f$k"
    [ "$(wc -l < "$WORK/c$k")" -ge 8 ] || fail "neuron $k: fewer than 8 spikes"
    # the same spikes: every reference spike before 498 ms has its partner (the runs drift
    # apart by up to about 1 ms over 500 ms, so a spike near the end may fall either side)
    nf=$(awk '$1 < 498' "$WORK/f$k" | wc -l)
    nc=$(wc -l < "$WORK/c$k")
    [ "$nc" -ge "$nf" ] && [ "$nc" -le $(($(wc -l < "$WORK/f$k") + 1)) ] || fail "neuron $k: $nc spikes, the fine run $nf before 498 ms"
    head -n "$nf" "$WORK/c$k" > "$WORK/c$k.tmp" && mv "$WORK/c$k.tmp" "$WORK/c$k"
    head -n "$nf" "$WORK/f$k" > "$WORK/f$k.tmp" && mv "$WORK/f$k.tmp" "$WORK/f$k"
    for r in f c; do
        awk -v slack=$([ $r = f ] && echo 0.01 || echo 0.1) '
            NR > 1 { x[++n] = $1 - p } { p = $1 }
            END { for (k = 2; k <= n; k++) if (!(x[k] > x[k-1] - slack)) { print "ISI " k " shorter"; bad = 1 }
                  if (x[n] < 2 * x[1]) { print "last ISI < 2x first"; bad = 1 }
                  for (k = n - 2; k < n; k++) { d = (x[k] - x[n]) / x[n]; if (d < 0) d = -d
                      if (d > 0.005 + slack / x[n]) { print "not converged"; bad = 1 } }
                  exit bad }' "$WORK/$r$k" || fail "neuron $k ($r): no adaptation to a steady ISI: $(tr '\n' ' ' < "$WORK/$r$k")"
    done
    paste -d' ' "$WORK/f$k" "$WORK/c$k" | awk '
        NR == 1 { d = $2 - $1; if (d < 0 || d > 0.1 + 1e-6) { print "first spike " $1 " vs " $2; bad = 1 } }
        NR > 1 { e = ($2 - b) - ($1 - a); if (e < 0) e = -e; if (e > 0.15) { print "ISI " NR - 1 " off by " e; bad = 1 }
                 lf = $1 - a; lc = $2 - b }
        { a = $1; b = $2 }
        END { d = (lc - lf) / lf; if (d < 0) d = -d; if (d > 0.01) { print "steady ISI " lf " vs " lc; bad = 1 }; exit bad }' ||
        fail "neuron $k: default run differs from the rk45 dt 0.01 ms run"
done
grep -q '"A.w": { "file": "trace_A_w.csv", "unit": "nA" }' "$WORK/c/summary.json" || fail "w not recorded in nA"
# the jump of w over the step of each spike: w(t_s) - w(t_s - dt) = b + (small decay)
awk -F, 'NR == FNR { s[sprintf("%.1f", $1)] = 1; next }
         FNR > 2 { if (sprintf("%.1f", $1) in s) { j = $2 - p; n++
                   if (j < 0.0805 - 0.001 || j > 0.0805 + 0.001) { print "jump " j " at " $1; bad = 1 } } }
         { p = $2 } END { exit bad || n < 8 }' "$WORK/c0" "$WORK/c/trace_A_w.csv" || fail "w does not jump by b at spikes"
cat > "$WORK/rest.nrn" <<'EOM'
import adex
network Rest {
    population B = AdEx[2]
    B.I_e = 0.3 nA + 0.2 nA * i
    record spikes of B
    record v of B every 1 ms
    record w of B every 1 ms
}
simulate Rest for 1500 ms dt 0.1 ms
EOM
"$NRNC" run "$WORK/rest.nrn" --out "$WORK/rest" --quiet
[ "$(wc -l < "$WORK/rest/spikes.csv")" = 1 ] || fail "below the rheobase: spikes"
for k in 0 1; do
    vs=$(awk -v I=$((300 + 200 * k)) 'BEGIN { lo = -70.6; hi = -50.4 + 2 * log(34 / 30)   # bisection on the stable branch
        for (n = 0; n < 200; n++) { m = (lo + hi) / 2; if (34 * (m + 70.6) - 30 * 2 * exp((m + 50.4) / 2) < I) lo = m; else hi = m }
        printf "%.9f", m }')
    tail -1 "$WORK/rest/trace_B_v.csv" | awk -F, -v c=$((k + 2)) -v vs=$vs '{ d = $c - vs; if ($1 != 1500 || d > 1e-3 || d < -1e-3) exit 1 }' ||
        fail "neuron $k: v does not settle at the fixed point $vs mV"
    tail -1 "$WORK/rest/trace_B_w.csv" | awk -F, -v c=$((k + 2)) -v vs=$vs '{ d = $c - 4 * (vs + 70.6) / 1000; if (d > 1e-5 || d < -1e-5) exit 1 }' ||
        fail "neuron $k: w does not settle at a (v* - E_L)"
done
EX="$HERE/../../examples/adex.nrn"
"$NRNC" run "$EX" --out "$WORK/ex" --quiet
awk -F, 'NR > 1 { c[$2]++ } END { if (c[0] != 1 || c[1] < 8) exit 1; for (k = 2; k < 5; k++) if (!(c[k] > c[k-1])) exit 1 }' \
    "$WORK/ex/spikes.csv" || fail "examples/adex.nrn: unexpected spike counts"
echo ok
