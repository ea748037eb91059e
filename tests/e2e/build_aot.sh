# nrnc build: a standalone simulator that takes the run options, whose spike and trace
# files are byte-identical to nrnc run's on the same model, flags and seed (CLI.md) —
# checked on models that use the exact propagator, spike sources, a recorded let, rates,
# libm functions (HH), and white noise; --set works in the declared unit; options that
# need recompiling (--method, another --dt) are refused.
. "$(dirname "$0")/../lib.sh"
cd "$WORK"
same() {   # MODEL EXTRA-FLAGS...: build, run both ways, compare every csv
    model=$1; shift
    name=$(basename "$model" .nrn)
    "$NRNC" build "$model" -o "$WORK/$name.sim" "$@" || fail "build $name"
    "$WORK/$name.sim" --out "$WORK/$name.aot" --quiet || fail "run the built $name"
    "$NRNC" run "$model" --out "$WORK/$name.jit" --quiet "$@" || fail "nrnc run $name"
    n=0
    for f in "$WORK/$name.jit"/*.csv; do
        cmp -s "$f" "$WORK/$name.aot/$(basename "$f")" || fail "$name: $(basename "$f") differs"
        n=$((n + 1))
    done
    [ $n -ge 1 ] || fail "$name: no csv files"
}
same "$HERE/lif_spec.nrn"
same "$HERE/sources.nrn"
same "$HERE/ou.nrn" --duration 20ms --seed 5
same "$HERE/../../examples/hh.nrn" --duration 30ms
# the built simulator's own options
"$WORK/lif_spec.sim" --out "$WORK/short" --quiet --duration 20ms
[ "$(tail -n +2 "$WORK/short/spikes.csv" | wc -l)" = 1 ] || fail "--duration on a built simulator"
"$WORK/ou.sim" --out "$WORK/s6" --quiet --seed 6
cmp -s "$WORK/s6/trace_Q_x.csv" "$WORK/ou.aot/trace_Q_x.csv" && fail "--seed on a built simulator"
# --set in the unit the model declares: the same spikes as nrnc run --set
"$WORK/lif_spec.sim" --out "$WORK/set_aot" --quiet --duration 30ms --set P.tau_m=5ms --set "v=-65 mV"
"$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/set_jit" --quiet --duration 30ms --set P.tau_m=5ms --set "v=-65 mV"
cmp -s "$WORK/set_aot/spikes.csv" "$WORK/set_jit/spikes.csv" || fail "--set on a built simulator"
[ "$(tail -n +2 "$WORK/set_aot/spikes.csv" | wc -l)" -ge 2 ] || fail "--set: expected spikes"
expect_exit 2 "$WORK/lif_spec.sim" --set P.tau_m=5mV
expect_stderr "give the value in ms, the unit of 'tau_m'"
expect_exit 2 "$WORK/lif_spec.sim" --set P.nope=1
expect_exit 2 "$WORK/lif_spec.sim" --method euler
expect_stderr "give it to nrnc build and rebuild"
expect_exit 2 "$WORK/lif_spec.sim" --dt 0.05ms
expect_exit 2 "$WORK/lif_spec.sim" --bogus
expect_exit 2 "$NRNC" build "$HERE/lif_spec.nrn"
expect_stderr "build needs the simulator's name"
# emit asm / obj / header
"$NRNC" emit asm "$HERE/lif_spec.nrn" -o "$WORK/lif.s" && grep -q "nrn_integrate_0" "$WORK/lif.s" || fail "emit asm"
"$NRNC" emit obj "$HERE/lif_spec.nrn" -o "$WORK/lif.o" && [ -s "$WORK/lif.o" ] || fail "emit obj"
"$NRNC" emit header "$HERE/lif_spec.nrn" | grep -q "int32_t nrn_fire_0(nrt_pop \*pop" || fail "emit header"
expect_exit 2 "$NRNC" emit obj "$HERE/lif_spec.nrn"
expect_exit 2 "$NRNC" emit nonsense "$HERE/lif_spec.nrn"
echo ok
