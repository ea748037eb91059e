# Bytes per synapse as docs/networks.md states them, from summary.json "connections":
# rows by pre (8 B per pre neuron + 8) and a 32-bit post index (4 B per synapse), plus 8 B
# per per-synapse value (a heterogeneous weight, each synapse state, the last-event time
# of (event) states), 4 B per heterogeneous delay, 12 B per synapse for on_post's index.
. "$(dirname "$0")/../lib.sh"
cat >"$WORK/m.nrn" <<'NRN'
neuron Cell {
    state v = 0 mV
}
synapse Pair {
    param tau = 20 ms
    state w = 0.5
    state a = 0
    da/dt = -a / tau (event)
    on_pre  { post.v += w * 1 mV; a += 0.01 }
    on_post { w = clip(w + a, 0, 1) }
}
network Net {
    population A = Cell[200]
    population B = Cell[300]
    connect A -> B as homog {
        rule prob(0.1)
        weight 1 mV
        delay 1 ms
        on_pre { post.v += w }
    }
    connect A -> B as hetero {
        rule fixed_indegree(10)
        weight uniform(0 mV, 1 mV)
        delay uniform(1 ms, 2 ms)
        on_pre { post.v += w }
    }
    connect A -> B using Pair as plastic {
        rule fixed_outdegree(7)
    }
}
simulate Net for 1 ms
NRN
"$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet || fail "run failed"
check() {   # NAME BYTES_PER_SYNAPSE EXTRA_PER_ROW
    line=$(grep "\"$1\":" "$WORK/out/summary.json") || fail "no connection $1 in summary.json"
    n=$(echo "$line" | sed 's/.*"synapses": \([0-9]*\).*/\1/')
    b=$(echo "$line" | sed 's/.*"bytes": \([0-9]*\).*/\1/')
    want=$(( n * $2 + 201 * 8 + $3 ))
    [ "$b" = "$want" ] || fail "$1: $b bytes for $n synapses, expected $want ($2 B per synapse)"
    echo "$1: $n synapses, $b bytes ($2 B/synapse + rows)"
}
check homog 4 0
check hetero 16 0            # 4 index + 8 weight + 4 delay
check plastic 40 $(( 301 * 8 ))   # 4 index + 8 w + 8 a + 8 last + 12 post index; post rows
[ "$(grep -c '"synapses": 1400' "$WORK/out/summary.json")" = 1 ] || fail "fixed_outdegree(7) from 200 should make 1400"
[ "$(grep -c '"synapses": 3000' "$WORK/out/summary.json")" = 1 ] || fail "fixed_indegree(10) onto 300 should make 3000"
echo ok
