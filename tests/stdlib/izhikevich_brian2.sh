# Izhikevich (2003) regular spiking, forward Euler, against Brian2 2.5.1 running the same
# equations with the same integrator (data/izh_brian2_euler_dt*_spikes.csv, from
# shared/reference). Brian2 stamps a spike at the start of its step, nrnc at the end, so
# nrnc spike k = Brian2 spike k + dt. Tolerance (shared/reference/README.md): 1e-6 ms, i.e.
# the same arithmetic on the same grid, the same 23 spikes; one step is allowed only if a
# reordered rounding moved a crossing (measured: 0, all 23 spikes equal at dt 0.1 and 0.5).
. "$(dirname "$0")/../lib.sh"
for dt in 0.1 0.5; do
    cat > "$WORK/izh.nrn" <<EOM
import izhikevich
network RS {
    population P = Izhikevich[1](a = 0.02, b = 0.2, c = -65 mV, d = 8 mV, I = 10 mV)
    record spikes of P
}
simulate RS for 1000 ms dt $dt ms
EOM
    "$NRNC" run "$WORK/izh.nrn" --out "$WORK/o$dt" --quiet --method euler
    grep -q '"method": "euler"' "$WORK/o$dt/summary.json" || fail "dt $dt: euler not used"
    tail -n +2 "$WORK/o$dt/spikes.csv" | cut -d, -f3 > "$WORK/got$dt"
    tail -n +2 "$HERE/data/izh_brian2_euler_dt${dt}_spikes.csv" | cut -d, -f2 > "$WORK/want$dt"
    [ "$(wc -l < "$WORK/got$dt")" = 23 ] || fail "dt $dt: $(wc -l < "$WORK/got$dt") spikes, Brian2 has 23"
    paste -d' ' "$WORK/want$dt" "$WORK/got$dt" | awk -v dt=$dt '
        { d = $2 - ($1 + dt); if (d < 0) d = -d
          if (d > 1e-6) { n++; if (d > dt + 1e-6) { print "spike " NR ": Brian2 " $1 ", nrnc " $2; bad = 1 } } }
        END { if (n > 1) { print n " spikes a step off"; bad = 1 }; exit bad }' ||
        fail "dt $dt: spikes differ from Brian2 + dt"
done
echo ok
