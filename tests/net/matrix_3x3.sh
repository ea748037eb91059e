# A literal 3x3 weight matrix with a unit (rows = pre, columns = post) from three spike
# sources (one spike each, at 1, 2 and 3 ms) onto three counters (state v, no ODE,
# on_pre post.v += w): after source k's spike is delivered every target has gained row k,
# so the final voltages are the column sums; zero entries make no synapse (5 of 9).
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/m.nrn" <<'NRN'
neuron Cnt {
    state v = 0 mV
}
network M {
    population G = spike_source[3](times = [[1 ms], [2 ms], [3 ms]])
    population P = Cnt[3]
    connect G -> P as W {
        weight [[0.5, 0, 1.5], [0, 2, 0], [1, 0, 0.25]] mV
        on_pre { post.v += w }
    }
    record spikes of G
    record v of P every 0.1 ms
    record w of W every 5 ms
}
simulate M for 5 ms dt 0.1 ms
NRN
"$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet
O=$WORK/out
printf 'population,neuron,t_ms\nG,0,1\nG,1,2\nG,2,3\n' | diff -u - "$O/spikes.csv" || fail "source spikes"
grep -q '"synapses": 5,' "$O/summary.json" || fail "summary.json: synapses should be 5 (zero entries make none)"
# the stored synapses, in mV, at t = 0 and t = 5 ms (order: pre, then post)
cat > "$WORK/w_want" <<'CSV'
t_ms,pre,post,value
0,0,0,0.5
0,0,2,1.5
0,1,1,2
0,2,0,1
0,2,2,0.25
5,0,0,0.5
5,0,2,1.5
5,1,1,2
5,2,0,1
5,2,2,0.25
CSV
diff -u "$WORK/w_want" "$O/weights_W_w.csv" || fail "recorded weights are not the nonzero matrix entries in mV"
head -1 "$O/trace_P_v.csv" | grep -qx 't_ms,0,1,2' || fail "trace header"
# expected v at each sample: the sum of the rows of the sources whose spike (stamped
# s = 1, 2, 3 ms, delay 0) was delivered at the start of a step that ended by the sample,
# i.e. sample time >= s + dt
awk -F, '
    BEGIN { split("0.5 0 1.5", r0, " "); split("0 2 0", r1, " "); split("1 0 0.25", r2, " ")
            for (j = 1; j <= 3; j++) { W[0, j] = r0[j]; W[1, j] = r1[j]; W[2, j] = r2[j] } }
    NR == 1 { next }
    { rows++
      for (j = 1; j <= 3; j++) {
          want = 0
          for (k = 0; k < 3; k++) if ($1 + 1e-9 >= (k + 1) + 0.1) want += W[k, j]
          d = $(j + 1) - want; if (d < 0) d = -d
          if (d > max) max = d
          if (d > 1e-12) { printf "t = %s ms, neuron %d: v = %s mV, expected %.17g\n", $1, j - 1, $(j + 1), want; bad = 1 }
      }
      if ($1 == 5) printf "final v = %s, %s, %s mV (column sums 1.5, 2, 1.75)\n", $2, $3, $4 }
    END { printf "%d samples, max |v - expected| = %g mV\n", rows, max
          if (rows != 51) { print "expected 51 samples (0, 0.1, ..., 5 ms)"; bad = 1 }
          exit bad }' "$O/trace_P_v.csv" || fail "voltages differ from the hand-computed column sums"
# the jumps by hand: neuron 2 is 0 at 1 ms, 1.5 at 1.1 ms, 1.5 at 3 ms, 1.75 at 3.1 ms
grep -q '^1,0,0,0$' "$O/trace_P_v.csv" || fail "sample at 1 ms should still be 0,0,0"
grep -q '^1.1,0.5,0,1.5$' "$O/trace_P_v.csv" || fail "sample at 1.1 ms should be 0.5,0,1.5"
grep -q '^2.1,0.5,2,1.5$' "$O/trace_P_v.csv" || fail "sample at 2.1 ms should be 0.5,2,1.5"
grep -q '^3.1,1.5,2,1.75$' "$O/trace_P_v.csv" || fail "sample at 3.1 ms should be 1.5,2,1.75"
echo ok
