# External Poisson drive, `connect poisson(RATE, COUNT) -> P`, onto 2,000 pure counters
# (state v, no ODE, on_pre post.v += w): after T each neuron's v / w is a Poisson count
# with mean COUNT * RATE * T = 50 * 10 Hz * 200 ms = 100. Checked: whole counts (to 1e-9), their
# mean within 4 standard errors (sqrt(100 / 2000)), the variance / mean (Fano factor)
# in [0.85, 1.15]; the same seed gives identical files (whatever the thread count), another
# seed different ones.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/p.nrn" <<'NRN'
neuron Cnt {
    state v = 0 mV
}
network Drive {
    population P = Cnt[2000]
    connect poisson(10 Hz, 50) -> P {
        weight 0.25 mV
        on_pre { post.v += w }
    }
    record v of P every 200 ms
}
simulate Drive for 200 ms dt 0.1 ms seed 11
NRN
"$NRNC" run "$WORK/p.nrn" --out "$WORK/out" --quiet
O=$WORK/out
[ "$(wc -l < "$O/trace_P_v.csv")" = 3 ] || fail "expected the samples at 0 and 200 ms"
sed -n 2p "$O/trace_P_v.csv" | awk -F, '{ for (k = 2; k <= NF; k++) if ($k != 0) bad = 1; exit bad || NF != 2001 }' ||
    fail "v should be 0 for all 2000 neurons at t = 0"
tail -1 "$O/trace_P_v.csv" | awk -F, '
    { if ($1 != 200) { print "last sample at " $1; exit 1 }
      n = NF - 1
      for (k = 2; k <= NF; k++) {
          # v is stored in volts: 0.25 mV steps add up with rounding errors of ~1e-17 V
          c = int($k / 0.25 + 0.5); d = $k / 0.25 - c; if (d < 0) d = -d
          if (d > 1e-9 || c < 0) { if (shown++ < 5) print "neuron " k - 2 ": v = " $k " mV is not a whole number of 0.25 mV"; bad = 1 }
          s += c; ss += c * c
      } }
    END { if (bad || n != 2000) exit 1
          mu = 100; m = s / n; var = (ss - n * m * m) / (n - 1); se = sqrt(mu / n)
          printf "Poisson counts over %d neurons: mean %.4f (expected %g +- %.4f, z = %.2f), variance %.3f, Fano %.4f\n", n, m, mu, se, (m - mu) / se, var, var / m
          exit !((m - mu) ^ 2 < (4 * se) ^ 2 && var / m >= 0.85 && var / m <= 1.15) }' ||
    fail "the counts are not Poisson with mean 100"
"$NRNC" run "$WORK/p.nrn" --out "$WORK/same" --quiet --threads 1
"$NRNC" run "$WORK/p.nrn" --out "$WORK/same4" --quiet --threads 4
"$NRNC" run "$WORK/p.nrn" --out "$WORK/other" --quiet --seed 12
cmp -s "$O/trace_P_v.csv" "$WORK/same/trace_P_v.csv" || fail "same seed, 1 thread: different counts"
cmp -s "$O/trace_P_v.csv" "$WORK/same4/trace_P_v.csv" || fail "same seed, 4 threads: different counts"
if cmp -s "$O/trace_P_v.csv" "$WORK/other/trace_P_v.csv"; then fail "seeds 11 and 12 give identical counts"; fi
echo ok
