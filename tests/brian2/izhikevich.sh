# Izhikevich regular spiking with forward Euler at dt = 0.1 ms, against Brian2 run here:
# nrnc's spike k = Brian2's spike k + dt (nrnc stamps the end of the step, Brian2 its
# start) within 1e-6 ms, one step where fast-math reorders a rounding at a crossing
# (../shared/reference/README.md), and the same number of spikes.
. "$(dirname "$0")/../lib.sh"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c "import brian2" 2>/dev/null; then
    echo "brian2 is not installed (Debian: python3-brian): skipped"
    exit 77
fi
"$python" "$HERE/izhikevich.py" > "$WORK/brian2.txt" || fail "Brian2 run"
cat > "$WORK/izh.nrn" <<'EOM'
import izhikevich
network RS {
    population P = Izhikevich[1](a = 0.02, b = 0.2, c = -65 mV, d = 8 mV, I = 10 mV)
    record spikes of P
}
simulate RS for 1000 ms dt 0.1 ms
EOM
"$NRNC" run "$WORK/izh.nrn" --out "$WORK/out" --quiet --method euler
tail -n +2 "$WORK/out/spikes.csv" | cut -d, -f3 > "$WORK/nrnc.txt"
[ "$(wc -l < "$WORK/nrnc.txt")" = "$(wc -l < "$WORK/brian2.txt")" ] || fail "spike counts differ"
paste -d' ' "$WORK/brian2.txt" "$WORK/nrnc.txt" | awk '
    { d = $2 - ($1 + 0.1); if (d < 0) d = -d
      if (d > 0.1 + 1e-6) { print "more than a step: " $0; bad = 1 } else if (d > 1e-6) off++ }
    END { if (off > 2) { print off " spikes a step off"; bad = 1 }; exit bad }' ||
    fail "spike times differ from Brian2 + dt"
echo ok
