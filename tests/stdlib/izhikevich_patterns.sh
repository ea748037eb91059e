# The four cortical classes of Izhikevich (2003), Fig. 2, as in examples/izhikevich.nrn
# (default integrator rk4, dt 0.1 ms, I = 10 mV, 500 ms), checked quantitatively on the
# inter-spike intervals. Thresholds are qualitative boundaries with a wide margin; the
# values measured with nrnc are given in brackets.
#   RS  tonic with adaptation: every ISI >= 15 ms [23.3, then 44.9], the first ISI shorter
#       than the last [23.3 < 44.9], steady (last two ISIs within 1%) [equal]
#   FS  fast, without adaptation: rate >= 4x RS [68 vs 12 spikes]; after the first 50 ms
#       every ISI within 5% of their mean [7.4-7.6 ms]
#   IB  an initial burst, then tonic single spikes: the first two ISIs < 10 ms [2.3, 4.3],
#       all later ones >= 25 ms [40.1, then 31.3]
#   CH  repeated bursts: after 50 ms every ISI is either short (< 10 ms) or long (> 30 ms)
#       [1.9-5.2 and 48.0], at least 6 long ones [7], at least 3 spikes in every complete
#       burst [5]
. "$(dirname "$0")/../lib.sh"
EX="$HERE/../../examples/izhikevich.nrn"
"$NRNC" run "$EX" --out "$WORK/out" --quiet
for p in RS IB CH FS; do
    grep -q "\"$p\": {[^}]*\"method\": \"rk4\"" "$WORK/out/summary.json" || fail "$p: expected rk4 (nonlinear v')"
    grep "^$p," "$WORK/out/spikes.csv" | cut -d, -f3 > "$WORK/$p"
    awk 'NR > 1 { print $1 - p, $1 } { p = $1 }' "$WORK/$p" > "$WORK/$p.isi"   # ISI, time of its end
done
nRS=$(wc -l < "$WORK/RS"); nFS=$(wc -l < "$WORK/FS")
[ "$nRS" -ge 5 ] || fail "RS: only $nRS spikes"
awk '{ if ($1 < 15) bad = 1; isi[NR] = $1 }
     END { n = NR; d = isi[n] - isi[n-1]; if (d < 0) d = -d
           if (bad || !(isi[1] < isi[n]) || d > 0.01 * isi[n]) exit 1 }' "$WORK/RS.isi" ||
    fail "RS: not tonic with adaptation: $(cut -d' ' -f1 "$WORK/RS.isi" | tr '\n' ' ')"
[ "$nFS" -ge $((4 * nRS)) ] || fail "FS: $nFS spikes, not 4x RS's $nRS"
awk '$2 > 50 { x[++n] = $1; s += $1 }
     END { m = s / n; for (k = 1; k <= n; k++) if (x[k] < 0.95 * m || x[k] > 1.05 * m) exit 1 }' "$WORK/FS.isi" ||
    fail "FS: ISIs not constant: $(cut -d' ' -f1 "$WORK/FS.isi" | tr '\n' ' ')"
awk 'NR <= 2 && $1 >= 10 { bad = 1 } NR > 2 && $1 < 25 { bad = 1 } END { exit bad || NR < 5 }' "$WORK/IB.isi" ||
    fail "IB: no initial burst followed by single spikes: $(cut -d' ' -f1 "$WORK/IB.isi" | tr '\n' ' ')"
awk '$2 > 50 { if ($1 < 10) run++
               else if ($1 > 30) { if (nlong > 0 && run + 1 < 3) bad = 1; nlong++; run = 0 }
               else bad = 1 }
     END { exit bad || nlong < 6 }' "$WORK/CH.isi" ||
    fail "CH: no repeated bursts: $(cut -d' ' -f1 "$WORK/CH.isi" | tr '\n' ' ')"
echo ok
