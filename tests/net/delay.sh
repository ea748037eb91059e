# Delays: a spike stamped t_s with a delay of D steps runs on_pre at the start of step
# t_s/dt + D, so a counter (state v, no ODE) still reads 0 in the sample at t_s + delay
# and w one step later. A 1.5 ms delay at dt = 0.1 ms is 15 steps: the first nonzero
# sample is exactly 1.5 ms after the delay-0 one, which is t_s + 0.1 ms. Delays round
# half up to steps, both a connection's single delay (compiled) and per-synapse delays
# (`delay (1 + post.i) * 1 ms`: each target jumps at its own time).
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/d.nrn" <<'NRN'
neuron Cnt {
    state v = 0 mV
}
network D {
    population G  = spike_source[1](times = [[2 ms]])
    population Z  = Cnt[1]
    population L  = Cnt[1]
    population R0 = Cnt[1]
    population R1 = Cnt[1]
    population R2 = Cnt[1]
    population R3 = Cnt[1]
    population R4 = Cnt[1]
    population R5 = Cnt[1]
    connect G -> Z { weight 1 mV  on_pre { post.v += w } }
    connect G -> L {
        weight 1 mV
        delay 1.5 ms
        on_pre { post.v += w }
    }
    # rounding half up (halves chosen exact in binary: 0.05 ms / 0.1 ms is exactly 0.5):
    # 0.05 ms -> 1 step (half up, not to even), 0.14 ms -> 1, 0.25 ms -> 3 (half up), 0.26 ms -> 3,
    # 0.35 ms -> 4 (half up)
    connect G -> R0 { weight 1 mV; delay 0.05 ms; on_pre { post.v += w } }
    connect G -> R1 { weight 1 mV; delay 0.14 ms; on_pre { post.v += w } }
    connect G -> R2 { weight 1 mV; delay 0.25 ms; on_pre { post.v += w } }
    connect G -> R3 { weight 1 mV; delay 0.26 ms; on_pre { post.v += w } }
    connect G -> R4 { weight 1 mV; delay 0.35 ms; on_pre { post.v += w } }
    # 0.15 ms / 0.1 ms is 1.4999999999999998 in doubles: still a half, so 2 steps
    connect G -> R5 { weight 1 mV; delay 0.15 ms; on_pre { post.v += w } }
    record spikes of G
    record v of Z every 0.1 ms
    record v of L every 0.1 ms
    record v of R0 every 0.1 ms
    record v of R1 every 0.1 ms
    record v of R2 every 0.1 ms
    record v of R3 every 0.1 ms
    record v of R4 every 0.1 ms
    record v of R5 every 0.1 ms
}
simulate D for 8 ms dt 0.1 ms
NRN
# the same source with per-synapse delays: (1 + post.i) ms onto three targets, and
# 0.05, 0.14, 0.25, 0.26, 0.35 ms picked by post.i
cat > "$WORK/h.nrn" <<'NRN'
neuron Cnt {
    state v = 0 mV
}
network H {
    population G = spike_source[1](times = [[2 ms]])
    population H = Cnt[3]
    population R = Cnt[5]
    connect G -> H {
        weight 1 mV
        delay (1 + post.i) * 1 ms
        on_pre { post.v += w }
    }
    connect G -> R {
        weight 1 mV
        delay (post.i == 0) * 0.05 ms + (post.i == 1) * 0.14 ms +
              (post.i == 2) * 0.25 ms + (post.i == 3) * 0.26 ms + (post.i == 4) * 0.35 ms
        on_pre { post.v += w }
    }
    record v of H every 0.1 ms
    record v of R every 0.1 ms
}
simulate H for 8 ms dt 0.1 ms
NRN
"$NRNC" emit ir "$WORK/d.nrn" > "$WORK/ir.txt"
grep -q 'delay 15 steps' "$WORK/ir.txt" || { cat "$WORK/ir.txt" >&2; fail "1.5 ms at dt 0.1 ms is not lowered to 15 steps"; }
"$NRNC" run "$WORK/d.nrn" --out "$WORK/out" --quiet
O=$WORK/out
printf 'population,neuron,t_ms\nG,0,2\n' | diff -u - "$O/spikes.csv" || fail "source spike at 2 ms"
# first sample (t_ms) at which column COL of FILE is nonzero; the column must be 0 before
# and exactly 1 (mV) from then on, else "bad"
first() {
    awk -F, -v col="$2" 'NR > 1 { x = $(col + 2); if (x != 0) { if (t == "") t = $1; if (x != 1) bad = 1 }
                                  else if (t != "") bad = 1 }
                         END { if (bad || t == "") print "bad"; else print t }' "$1"
}
check() { # FILE COL WANT LABEL
    got=$(first "$O/$1" "$2")
    echo "$4: first nonzero sample at $got ms (expected $3)"
    [ "$got" = "$3" ] || fail "$4: first nonzero sample at $got ms, expected $3 ms"
}
check trace_Z_v.csv 0 2.1 "delay 0"
check trace_L_v.csv 0 3.6 "delay 1.5 ms"
awk -v a="$(first "$O/trace_Z_v.csv" 0)" -v b="$(first "$O/trace_L_v.csv" 0)" \
    'BEGIN { d = b - a - 1.5; exit !(d < 1e-9 && d > -1e-9) }' ||
    fail "delay 1.5 ms is not exactly 1.5 ms later than delay 0"
grep -qx '3.5,0' "$O/trace_L_v.csv" || fail "delay 1.5 ms: the sample at stamp + delay (3.5 ms) should still be 0"
check trace_R0_v.csv 0 2.2 "delay 0.05 ms (half up: 1 step)"
check trace_R1_v.csv 0 2.2 "delay 0.14 ms (1 step)"
check trace_R2_v.csv 0 2.4 "delay 0.25 ms (half up: 3 steps)"
check trace_R3_v.csv 0 2.4 "delay 0.26 ms (3 steps)"
check trace_R4_v.csv 0 2.5 "delay 0.35 ms (half up: 4 steps)"
check trace_R5_v.csv 0 2.3 "delay 0.15 ms (a half despite rounding: 2 steps)"

"$NRNC" run "$WORK/h.nrn" --out "$WORK/hout" --quiet || fail "per-synapse delays: nrnc run failed"
O=$WORK/hout
check trace_H_v.csv 0 3.1 "delay (1 + post.i) ms, target 0"
check trace_H_v.csv 1 4.1 "delay (1 + post.i) ms, target 1"
check trace_H_v.csv 2 5.1 "delay (1 + post.i) ms, target 2"
check trace_R_v.csv 0 2.2 "per-synapse delay 0.05 ms (half up: 1 step)"
check trace_R_v.csv 1 2.2 "per-synapse delay 0.14 ms (1 step)"
check trace_R_v.csv 2 2.4 "per-synapse delay 0.25 ms (half up: 3 steps)"
check trace_R_v.csv 3 2.4 "per-synapse delay 0.26 ms (3 steps)"
check trace_R_v.csv 4 2.5 "per-synapse delay 0.35 ms (half up: 4 steps)"
echo ok
