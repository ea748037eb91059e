# Two passive neurons (no threshold; leak reversals -50 and -70 mV, tau dv/dt = -(v - E_l)
# + I_gap) coupled both ways by a gap junction, `summed post.I_gap = w * (pre.v - post.v)`
# with w = 0.5, settle where v_k = E_k + w (v_other - v_k): v1 - v2 = (E1 - E2)/(1 + 2w)
# = 10 mV and v1 + v2 = E1 + E2, i.e. -55 and -65 mV (to 1e-6 mV after 500 ms; the
# slowest mode decays with tau = 10 ms). The recorded input I_gap at a sample T is the
# one that drove the step ending at T, w (v_pre - v_post) from the state at T - dt (as a
# Brian2 StateMonitor sees a summed variable), and is -5 / +5 mV at rest.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/gap.nrn" <<'NRN'
neuron Passive {
    param tau = 10 ms
    param E_l = -70 mV
    state v = E_l
    input I_gap : mV
    dv/dt = (-(v - E_l) + I_gap) / tau
}
network Pair {
    population G = Passive[2]
    G.E_l = (i == 0) ? -50 mV : -70 mV
    connect G -> G {
        rule all allow_self false
        weight 0.5
        summed post.I_gap = w * (pre.v - post.v)
    }
    record v of G every 0.1 ms
    record I_gap of G every 0.1 ms
}
simulate Pair for 500 ms dt 0.1 ms
NRN
"$NRNC" run "$WORK/gap.nrn" --out "$WORK/out" --quiet
O=$WORK/out
grep -q '"G.I_gap": { "file": "trace_G_I_gap.csv", "unit": "mV" }' "$O/summary.json" || fail "I_gap trace in mV"
tail -1 "$O/trace_G_v.csv" | awk -F, '{
    d0 = $2 + 55; d1 = $3 + 65; if (d0 < 0) d0 = -d0; if (d1 < 0) d1 = -d1
    printf "v(%s ms) = %s, %s mV (expected -55, -65; errors %.3g, %.3g)\n", $1, $2, $3, d0, d1
    exit !($1 == 500 && d0 < 1e-6 && d1 < 1e-6) }' || fail "the pair did not settle at -55 / -65 mV"
tail -1 "$O/trace_G_I_gap.csv" | awk -F, '{
    printf "I_gap(%s ms) = %s, %s mV (expected -5, 5)\n", $1, $2, $3
    d0 = $2 + 5; d1 = $3 - 5; exit !(d0 * d0 < 1e-12 && d1 * d1 < 1e-12) }' || fail "I_gap at rest is not -5 / +5 mV"
# the whole transient: I_gap(T) = 0.5 (v_other(T - dt) - v_self(T - dt)), both columns
paste -d, "$O/trace_G_v.csv" "$O/trace_G_I_gap.csv" | awk -F, '
    NR == 1 { next }
    NR > 2 { if ($4 != $1) { print "sample times differ: " $1 " " $4; bad = 1 }
             e0 = $5 - 0.5 * (p1 - p0); e1 = $6 - 0.5 * (p0 - p1)
             if (e0 < 0) e0 = -e0; if (e1 < 0) e1 = -e1
             if (e0 > max) max = e0; if (e1 > max) max = e1
             n++ }
    { p0 = $2; p1 = $3 }
    END { printf "I_gap vs w (v_pre - v_post) one step earlier, %d samples: max difference %.3g mV\n", n, max
          exit bad || n != 5000 || max > 1e-9 }' || fail "recorded I_gap is not w (v_pre - v_post)"
echo ok
