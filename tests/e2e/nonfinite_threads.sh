# A non-finite state in a population split into ranges (runtime/run.c: integrate and fire
# of a range share one pool phase, with delivery when every block splits): the run stops
# at the same step with the same message whatever --threads is, integrate's failure first
# in population order, and the spike file holds exactly the steps before it. Neuron 3000
# of A (4,096 neurons: two ranges at 2 threads, four at 4) starts at v = 1 and follows
# dv/dt = v^2 / ms, which Euler takes to infinity in a few steps; population B, integrated
# first, spikes every step in every range, and fires into A.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/m.nrn" <<'NRN'
neuron Blow {
    state v = 0
    dv/dt = v * v / (1 ms)
    method euler
}
neuron Clock {
    state u = 0
    du/dt = 1 / (1 ms)
    threshold u > 0.05
    reset { u = 0 }
}
network Net {
    population B = Clock[4096]
    population A = Blow[4096]
    A.v = i == 3000 ? 1 : 0
    connect B -> A {
        rule   fixed_indegree(2)
        weight 0
        on_pre { post.v += w }
    }
    record spikes of B
}
simulate Net for 10 ms dt 0.1 ms
NRN
for t in 1 2 4; do
    expect_exit 3 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out$t" --quiet --threads "$t"
    grep "nrnc: error" "$WORK/stderr" > "$WORK/err$t"
    grep -q "state 'v' of population 'A' neuron 3000 became infinite at t = " "$WORK/err$t" ||
        { cat "$WORK/err$t" >&2; fail "--threads $t: the message should name A's neuron 3000"; }
    cmp -s "$WORK/err1" "$WORK/err$t" || fail "--threads $t reports otherwise than one thread: $(cat "$WORK/err$t")"
    cmp -s "$WORK/out1/spikes.csv" "$WORK/out$t/spikes.csv" || fail "--threads $t: spikes.csv differs from one thread's"
    grep -q "\"threads\": $t," "$WORK/out$t/summary.json" || fail "--threads $t: not run on $t threads"
done
# the failing step's spikes are not in the file: its last row is from the step before
last=$(tail -n 1 "$WORK/out1/spikes.csv" | cut -d, -f3)
at=$(sed -n "s/.*became infinite at t = \([0-9.]*\) ms.*/\1/p" "$WORK/err1")
awk -v a="$last" -v b="$at" 'BEGIN { exit !(a + 0 < b + 0) }' || fail "spikes at $last ms, the failure at $at ms"
echo ok
