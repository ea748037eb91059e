# Hindmarsh–Rose (stdlib/hindmarsh_rose.nrn) with its defaults a 1, b 3, c 1, d 5, s 4,
# x_R -1.6, r = 0.001, I = 3.0, tau = 1 ms: regular bursting. Spikes are upward crossings
# of x = 1; a burst ends where an interval exceeds 100 ms (intra-burst intervals are
# 10.7-30 ms, the silences ~234 ms). Reference values from an independent integration
# (classical RK4 in Python at steps 0.01 and 0.005 ms, identical to 0.001 ms, crossings
# interpolated; the counts are the same for a crossing level of x = 0):
#  - the first burst is a long transient while z builds up from 0; the complete bursts
#    after it start at 1147.119, 1653.900, 2158.154 and 2662.610 ms and have exactly 18
#    spikes each. A start is stamped at the end of its step, so within [t, t + dt] of the
#    truth, widened by 0.02 ms for rk4's accumulated error at dt 0.02 ms over 2.7 s (it
#    scales as dt^4: 0.19 ms at dt 0.05 ms). Measured: +0.001 to +0.020 ms.
#  - bursting, not tonic firing: within each complete burst the longest interval is under
#    a fifth of the silence that follows it. Measured: 30.06 ms vs 233.6 ms.
# It runs 3200 ms at dt 0.02 ms (the 5th burst is cut off by the end of the run).
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/hr.nrn" <<'EOM'
import hindmarsh_rose
network One {
    population H = HindmarshRose[1]
    record spikes of H
}
simulate One for 3200 ms dt 0.02 ms
EOM
"$NRNC" run "$WORK/hr.nrn" --out "$WORK/o" --quiet
grep -q '"method": "rk4"' "$WORK/o/summary.json" || fail "expected rk4"
tail -n +2 "$WORK/o/spikes.csv" | cut -d, -f3 | awk -v dt=0.02 '
    BEGIN { split("1147.119 1653.900 2158.154 2662.610", want, " ") }
    NR == 1 { nb = 1; start[1] = $1; cnt[1] = 1; mx[1] = 0; p = $1; next }
    { isi = $1 - p; p = $1
      if (isi > 100) { gap[nb] = isi; nb++; start[nb] = $1; cnt[nb] = 0; mx[nb] = 0 }
      else if (isi > mx[nb]) mx[nb] = isi
      cnt[nb]++ }
    END { # bursts 2 .. nb-1 are complete (1 is the transient, nb may be cut off)
          if (nb != 6) { print nb " bursts (with the transient and the last, cut-off one), expected 6"; exit 1 }
          for (k = 2; k < nb; k++) {
              t = want[k - 1]
              if (start[k] < t - 0.02 || start[k] > t + dt + 0.02) { printf "burst %d starts at %s ms, truth %s\n", k, start[k], t; bad = 1 }
              if (cnt[k] != 18) { printf "burst %d has %d spikes, expected 18\n", k, cnt[k]; bad = 1 }
              if (mx[k] * 5 > gap[k]) { printf "burst %d: longest interval %.2f ms, silence %.2f ms\n", k, mx[k], gap[k]; bad = 1 } }
          exit bad }' || fail "r = 0.001, I = 3.0: not the reference bursting pattern"
echo ok
