# Replays the inputs of fuzz/regressions/TARGET/ (each once made a fuzz target crash, leak,
# hang or misbehave, and is fixed) through the nrnc binary, on the code paths the target
# drives, so that every build checks them, the sanitizer build included:
# - fuzz_frontend: `nrnc emit ir INPUT` (lexer, parser, checker, lowering, solver choice);
# - fuzz_source: INPUT as the spike file of a spike_source[1000] population, run 1 ms;
# - fuzz_wfile: INPUT as the `weight file` of a 7 x 5 connection (W.npy when it starts
#   with the NPY magic, else W.csv), run 1 ms;
# - fuzz_plot: an output folder whose spikes.csv, trace, rate and .npy files are INPUT,
#   with a summary.json naming them, then `nrnc plot`.
# Each must end with one of nrnc's own exit codes (0 to 3) within 20 s; a crash, a
# sanitizer report (abort) or a timeout fails. Files named *.expect beside an input hold
# a line its stderr must contain.
. "$(dirname "$0")/../lib.sh"
REG=$HERE/../../fuzz/regressions
n=0
check() {   # INPUT CMD...
    input=$1; shift
    set +e
    timeout 20 "$@" >/dev/null 2>"$WORK/stderr"
    rc=$?
    set -e
    [ $rc -le 3 ] || { tail -20 "$WORK/stderr" >&2; fail "$(basename "$input"): '$*' exited $rc"; }
    if [ -f "$input.expect" ]; then
        expect_stderr "$(cat "$input.expect")"
    fi
    n=$((n + 1))
}
for f in "$REG"/fuzz_frontend/*; do
    [ -f "$f" ] && [ "${f%.expect}" = "$f" ] || continue
    check "$f" "$NRNC" emit ir "$f"
done
for f in "$REG"/fuzz_source/*; do
    [ -f "$f" ] && [ "${f%.expect}" = "$f" ] || continue
    cp "$f" "$WORK/in.csv"
    printf 'network X {\n    population G = spike_source[1000](file = "in.csv")\n    record spikes of G\n}\nsimulate X for 1 ms\n' > "$WORK/src.nrn"
    check "$f" "$NRNC" run "$WORK/src.nrn" --out "$WORK/src" --quiet
done
for f in "$REG"/fuzz_wfile/*; do
    [ -f "$f" ] && [ "${f%.expect}" = "$f" ] || continue
    w=W.csv
    [ "$(head -c 6 "$f" | od -An -c | tr -d ' ')" = "223NUMPY" ] && w=W.npy
    cp "$f" "$WORK/$w"
    cat > "$WORK/w.nrn" <<NRN
neuron Cell {
    state v = 0 mV
    dv/dt = -v / (10 ms)
}
network X {
    population G = spike_source[7](times = [[0.5 ms], [], [], [], [], [], []])
    population P = Cell[5]
    connect G -> P {
        weight file "$w" mV
        on_pre { post.v += w }
    }
}
simulate X for 1 ms
NRN
    check "$f" "$NRNC" run "$WORK/w.nrn" --out "$WORK/w" --quiet
done
for f in "$REG"/fuzz_plot/*; do
    [ -f "$f" ] && [ "${f%.expect}" = "$f" ] || continue
    rm -rf "$WORK/p"
    mkdir -p "$WORK/p"
    for name in spikes.csv trace_E_v.csv rate_E.csv spikes_E_t.npy spikes_E_i.npy; do
        cp "$f" "$WORK/p/$name"
    done
    printf '{"populations": {"E": {"size": 8}}, "traces": {"E.v": {"file": "trace_E_v.csv"}}, "rates": {"E": {"file": "rate_E.csv"}}}\n' > "$WORK/p/summary.json"
    check "$f" "$NRNC" plot "$WORK/p" -o "$WORK/p.svg"
done
[ $n -ge 1 ] || fail "no inputs in $REG"
echo "ok ($n inputs)"
