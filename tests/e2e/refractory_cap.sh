# The refractory count is kept in a byte per neuron up to NRT_REFR_CAP = 127 steps and
# in a full int32 count beyond (runtime/nrt.h; compiler/cg_pop.c emit_mask_step,
# runtime/pop.c nrt_refr_countdown). A neuron that is always above threshold fires again
# on the first step after its period: spikes exactly R + 1 steps apart, for periods just
# below, at and above the cap, and far above it (uniform and per neuron, fused mask and
# a threshold that draws, which has a loop of its own). A checkpoint taken in the middle
# of long periods and resumed gives the same spikes as the run straight through.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/m.nrn" <<'NRN'
neuron Eager {
    param t_ref = 1 ms
    state v = 1
    dv/dt = 0 / (1 ms)
    threshold v > 0.5
    reset { v = 1 }
    refractory t_ref
}
neuron Drawn {
    state v = 1
    dv/dt = 0 / (1 ms)
    threshold v > 0.5 * rand()
    reset { v = 1 }
    refractory 12.8 ms
}
neuron Long {
    state v = 1
    dv/dt = 0 / (1 ms)
    threshold v > 0.5
    reset { v = 1 }
    refractory 30 ms
}
network Net {
    population P = Eager[6]
    population D = Drawn[2]
    population L = Long[1]
    P.t_ref = (i < 5 ? 12.5 ms + i * 0.1 ms : 40 ms)
    record spikes of P, D, L
}
simulate Net for 200 ms dt 0.1 ms
NRN
expect_exit 0 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet
# expected steps between spikes: P i < 5: 126 + i (R = 125 + i), P 5: 401, D: 129, L: 301
awk -F, 'NR > 1 { key = $1 "," $2; step = int($3 * 10 + 0.5); if (key in last) { n[key]++; d[key, n[key]] = step - last[key] } last[key] = step }
    END {
        bad = 0
        for (i = 0; i < 6; i++) want["P," i] = i < 5 ? 126 + i : 401
        want["D,0"] = 129; want["D,1"] = 129; want["L,0"] = 301
        for (k in want) {
            if (n[k] < 1) { print k ": too few spikes"; bad = 1 }
            for (j = 1; j <= n[k]; j++) if (d[k, j] != want[k]) { print k ": interval " j " is " d[k, j] " steps, expected " want[k]; bad = 1 }
        }
        exit bad
    }' "$WORK/out/spikes.csv" || fail "refractory periods around the cap are not kept to the step"
# stopped at 70 ms (P 5 and L in the middle of periods above the cap) and resumed
expect_exit 0 "$NRNC" run "$WORK/m.nrn" --duration 70ms --checkpoint-every 35ms --out "$WORK/short" --quiet
expect_exit 0 "$NRNC" run "$WORK/m.nrn" --resume "$WORK/short" --quiet
cmp -s "$WORK/out/spikes.csv" "$WORK/short/spikes.csv" || fail "a run resumed in a long refractory period spikes otherwise"
echo ok
