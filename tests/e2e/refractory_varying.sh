# LANGUAGE.md §4: the refractory period is any expression; fire computes it once per
# step when it is one value for the population (a uniform param) and at each spike when
# it varies (a per-neuron param, a state). Driven from v = 0 towards I = 2 with tau 1 ms,
# a neuron takes ln 2 = 0.693 ms to reach v > 1, so its inter-spike interval is its
# refractory period + 0.69 ms (to within a step of 0.01 ms): 2.69, 4.69 and 6.69 ms for
# t_ref = 2, 4, 6 ms set per neuron; and with the period read from a state that grows by
# 1 ms at each spike, the intervals grow by 1 ms.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/m.nrn" <<'NRN'
neuron Cell {
    param t_ref = 1 ms
    param I = 2
    state v = 0
    state extra = 0 ms
    dv/dt = (I - v) / (1 ms)
    threshold v > 1
    reset { v = 0 }
    refractory t_ref hold v
}
neuron Growing {
    param I = 2
    state v = 0
    state period = 1 ms
    dv/dt = (I - v) / (1 ms)
    threshold v > 1
    reset {
        v = 0
        period += 1 ms
    }
    refractory period hold v
}
network Net {
    population P = Cell[3]
    population U = Cell[2]
    population G = Growing[1]
    P.t_ref = (i + 1) * 2 ms
    U.t_ref = 3 ms
    record spikes of P, U, G
}
simulate Net for 40 ms dt 0.01 ms
NRN
expect_exit 0 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet
awk -F, 'NR > 1 { key = $1 "," $2; if (key in last) { isi = $3 - last[key]; n[key]++; d[key, n[key]] = isi } last[key] = $3 }
    END {
        bad = 0
        for (i = 0; i < 3; i++) {
            want = (i + 1) * 2 + 0.693; k = "P," i
            if (n[k] < 3) { print "P " i ": too few spikes"; bad = 1 }
            for (j = 1; j <= n[k]; j++) if (d[k, j] < want - 0.02 || d[k, j] > want + 0.02) { print "P " i ": ISI " d[k, j] " ms, expected " want; bad = 1 }
        }
        for (i = 0; i < 2; i++) {
            k = "U," i
            if (n[k] < 3) { print "U " i ": too few spikes"; bad = 1 }
            for (j = 1; j <= n[k]; j++) if (d[k, j] < 3.673 || d[k, j] > 3.713) { print "U " i ": ISI " d[k, j] " ms, expected 3.693"; bad = 1 }
        }
        k = "G,0"
        if (n[k] < 3) { print "G: too few spikes"; bad = 1 }
        for (j = 1; j <= n[k]; j++) { want = j + 1 + 0.693; if (d[k, j] < want - 0.02 || d[k, j] > want + 0.02) { print "G: ISI " j " is " d[k, j] " ms, expected " want; bad = 1 } }
        exit bad
    }' "$WORK/out/spikes.csv" || fail "refractory periods not as set"
echo ok
