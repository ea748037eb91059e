# A large range is stepped in cache-sized pieces (runtime/run.c pieces_init): each piece
# gets its deliveries (net.c nrt_net_deliver_part, the generated conn_pre_piece), then
# integrates and fires. The files must be byte for byte those of a run without pieces
# (NRN_PIECE_KIB=0), whatever the piece size and the thread count: a synapse delivered
# twice or skipped at a piece boundary, an event out of order, or a piece's spikes joined
# out of place changes them. The model has every kind of block that pieces take: plain
# on_pre from two populations, a homogeneous delay, a plastic synapse whose on_pre writes
# its own state (and on_post), and the Poisson drive.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/m.nrn" <<'NRN'
import lif_cuba

synapse Fading {
    state w = 0 mV
    on_pre  { post.ge += w; w = w * 0.98 }
    on_post { w = w + 0.02 mV }
}

network Big {
    param N_total = 28000
    population E = LIFCuba[N_total * 4 / 5]
    population I = LIFCuba[N_total / 5]
    E.v = uniform(-60 mV, -50 mV)
    I.v = uniform(-60 mV, -50 mV)
    connect E -> E, I {
        rule   prob(80 / N_total)
        weight 1.62 mV
        on_pre { post.ge += w }
    }
    connect I -> E, I {
        rule   prob(80 / N_total)
        weight -9 mV
        delay  0.5 ms
        on_pre { post.gi += w }
    }
    connect E -> E using Fading as F {
        rule   prob(2 / N_total)
        weight 0.5 mV
    }
    connect poisson(50 Hz, 10) -> E, I {
        weight 0.3 mV
        on_pre { post.ge += w }
    }
    record spikes of E, I
    record w of F every 25 ms
}

simulate Big for 50 ms dt 0.1 ms seed 3
NRN
run() {   # run NAME PIECE_KIB THREADS
    if [ "$2" = default ]; then
        "$NRNC" run "$WORK/m.nrn" --out "$WORK/$1" --quiet --threads "$3" || fail "$1: the run failed"
    else
        NRN_PIECE_KIB=$2 "$NRNC" run "$WORK/m.nrn" --out "$WORK/$1" --quiet --threads "$3" || fail "$1: the run failed"
    fi
}
# piece POP RUN: the neurons per piece summary.json reports for POP, or none
piece() { grep -o "\"$1\": { \"size\"[^}]*}" "$WORK/$2/summary.json" | sed -n 's/.*"piece": \([0-9]*\).*/\1/p'; }

run whole 0 1
[ -z "$(piece E whole)" ] || fail "NRN_PIECE_KIB=0 still cut E into pieces"
spikes=$(sed -n 's/.*"E": { "size": [0-9]*, "spikes": \([0-9]*\).*/\1/p' "$WORK/whole/summary.json")
[ "${spikes:-0}" -gt 1000 ] || fail "E should spike (the test needs deliveries to every piece), got '$spikes'"
for r in "default 1" "4 1" "4 3" "1 2" "64 4"; do
    set -- $r
    name=p$1t$2
    run "$name" "$1" "$2"
    [ -n "$(piece E "$name")" ] || fail "$name: E was not cut into pieces"
    for f in spikes.csv weights_F_w.csv; do
        cmp -s "$WORK/whole/$f" "$WORK/$name/$f" || fail "$name: $f differs from the run without pieces"
    done
done
# 4 KiB of state is 128 neurons of LIFCuba (3 doubles and a flag byte: 25 bytes)
[ "$(piece E p4t1)" = 128 ] || fail "NRN_PIECE_KIB=4: E's pieces should be 128 neurons, not $(piece E p4t1)"
[ "$(piece I p1t2)" = 64 ] || fail "NRN_PIECE_KIB=1: I's pieces should be 64 neurons (the least), not $(piece I p1t2)"
expect_exit 3 env NRN_PIECE_KIB=lots "$NRNC" run "$WORK/m.nrn" --out "$WORK/bad" --quiet
expect_stderr "nrnc: error: NRN_PIECE_KIB must be a whole number of KiB (0: no pieces), not 'lots'"
echo ok
