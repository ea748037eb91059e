# Before allocating, a run estimates the memory of its populations, synapses and monitors
# and refuses, naming the part to blame, what does not fit: a population of 2^31 neurons
# must not reach the out-of-memory killer. `--max-memory` sets the limit, for `nrnc run`
# and for a built simulator.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/m.nrn" <<'EOF'
neuron Leaky {
    param tau = 10 ms
    state v = 0 mV
    dv/dt = -v / tau
    threshold v > 10 mV
    reset v = 0 mV
}
network Net {
    population Small = Leaky[10]
    population Huge = Leaky[2147483648]
    record spikes of Small
}
simulate Net for 1 ms
EOF
# 2^31 neurons of 102 bytes: 204 GiB, more than any machine that runs this suite has free;
# the address-space limit makes a real allocation attempt fail differently and at once
# (not under AddressSanitizer, which reserves terabytes of address space for itself)
(if [ -z "${ASAN_OPTIONS:-}" ]; then ulimit -v 4000000; fi; expect_exit 3 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet)
expect_stderr "nrnc: error: this run needs about 204 GiB of memory, more than the"
expect_stderr "available on this machine; population 'Huge' (2147483648 neurons of 102 bytes) alone needs 204 GiB (--max-memory changes the limit)"
grep -q '"status": "failed"' "$WORK/out/summary.json" || fail "summary.json should say failed"

# A limit of our own: 10^6 neurons (97.3 MiB) do not fit in 10 MiB, but fit in 1 GiB.
sed -i 's/2147483648/1000000/' "$WORK/m.nrn"
expect_exit 3 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet --max-memory 10M
expect_stderr "nrnc: error: this run needs about 97.3 MiB of memory, more than the 10 MiB that --max-memory allows; population 'Huge' (1000000 neurons of 102 bytes) alone needs 97.3 MiB"
expect_exit 0 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet --max-memory 1GiB
grep -q '"status": "completed"' "$WORK/out/summary.json" || fail "the run within the limit should complete"
expect_exit 2 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --max-memory 10X
expect_stderr "nrnc: error: --max-memory needs a size such as 8G or 512M, got '10X'"

# The blame goes to the largest part: here a connection.
cat > "$WORK/c.nrn" <<'EOF'
neuron Cell {
    state v = 0
}
network Net {
    population P = Cell[20000]
    connect P -> P { rule all }
}
simulate Net for 1 ms
EOF
expect_exit 3 "$NRNC" run "$WORK/c.nrn" --out "$WORK/out" --quiet --max-memory 512M
expect_stderr "nrnc: error: this run needs about 1.49 GiB of memory, more than the 512 MiB that --max-memory allows; connection 'connect1' (about 4e+08 synapses) alone needs 1.49 GiB"

# A built simulator takes the same flag.
expect_exit 0 "$NRNC" build "$WORK/m.nrn" -o "$WORK/sim"
expect_exit 3 "$WORK/sim" --out "$WORK/out2" --quiet --max-memory 10M
expect_stderr "more than the 10 MiB that --max-memory allows; population 'Huge' (1000000 neurons of 102 bytes)"
expect_exit 0 "$WORK/sim" --out "$WORK/out2" --quiet --max-memory 1G
echo ok
