# A connection that cannot fit in memory is refused at once (exit 3, a message with its
# size), not enumerated for hours: `rule all` on 2,000,000 neurons is 4e12 synapses.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/m.nrn" <<'EOF'
neuron Cell {
    state v = 0
}
network Net {
    population P = Cell[2000000]
    connect P -> P { rule all }
    record spikes of P
}
simulate Net for 1 ms
EOF
expect_exit 3 "$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet
expect_stderr "nrnc: error: this run needs about 1.49e+04 GiB of memory, more than the"
expect_stderr "GiB available on this machine; connection 'connect1' (about 4e+12 synapses) alone needs 1.49e+04 GiB (--max-memory changes the limit)"
grep -q '"status": "failed"' "$WORK/out/summary.json" || fail "summary.json should say failed"
echo ok
