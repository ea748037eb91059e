# Command-line forms of CLI.md: --duration, --dt, --set (with unit checks), --seed,
# --network, bad flags (exit 2), check (exit 0/1).
. "$(dirname "$0")/../lib.sh"
M="$HERE/lif_spec.nrn"
expect_exit 0 "$NRNC" check "$M"
"$NRNC" run "$M" --out "$WORK/a" --quiet --duration 50ms
[ "$(tail -n +2 "$WORK/a/spikes.csv" | cut -d, -f3 | tr '\n' ' ')" = "16.1 34.2 " ] ||
    fail "--duration 50ms: expected spikes at 16.1 and 34.2"
grep -q '"duration_ms": 50' "$WORK/a/summary.json" || fail "summary duration"
# a space inside the quantity is allowed
"$NRNC" run "$M" --out "$WORK/b" --quiet --duration "20 ms" --dt "0.05 ms"
tail -n +2 "$WORK/b/spikes.csv" | cut -d, -f3 | grep -qx "16.1" || fail "--dt 0.05ms: first spike at 16.1 expected"
grep -q '"dt_ms": 0.05' "$WORK/b/summary.json" || fail "summary dt"
# --set POP.NAME and NAME, with units
"$NRNC" run "$M" --out "$WORK/c" --quiet --duration 30ms --set P.tau_m=5ms
# tau 5 ms: crossing 5 ln 5 = 8.047 ms -> 8.1 ms
tail -n +2 "$WORK/c/spikes.csv" | head -1 | cut -d, -f3 | grep -qx "8.1" || fail "--set P.tau_m=5ms"
"$NRNC" run "$M" --out "$WORK/d" --quiet --duration 30ms --set "I_e=0.3 nA" --set v=-60mV
# v0 = -60 mV, RI = 30 mV: crossing 10 ln(20/10) = 6.93 ms -> 7 ms
tail -n +2 "$WORK/d/spikes.csv" | head -1 | cut -d, -f3 | grep -qx "7" || fail "--set I_e / v"
expect_exit 2 "$NRNC" run "$M" --set P.tau_m=5mV --out "$WORK/e"
expect_stderr "'tau_m' is in ms but the value '5mV' is in V"
expect_exit 2 "$NRNC" run "$M" --set P.tau_m=5 --out "$WORK/e"
expect_stderr "give a unit"
expect_exit 2 "$NRNC" run "$M" --set P.tau=5ms --out "$WORK/e"
expect_stderr "no population of network 'One' has"
expect_stderr "did you mean 'tau_m'?"
expect_exit 2 "$NRNC" run "$M" --bogus
expect_stderr "unknown option '--bogus'"
expect_exit 2 "$NRNC" run "$M" --dt 5
expect_stderr "--dt needs a time with its unit"
expect_exit 2 "$NRNC" run "$M" --duration 1xs
expect_exit 2 "$NRNC" run "$M" --seed -4
expect_exit 2 "$NRNC" run "$M" --network Nope
expect_stderr "no network of that name"
expect_exit 2 "$NRNC" run
expect_exit 2 "$NRNC" frobnicate "$M"
expect_exit 0 "$NRNC" --help
expect_exit 0 "$NRNC" --version
expect_exit 1 "$NRNC" check "$WORK/missing.nrn"
# every method the language accepts is listed (one table: compiler/methods.def)
expect_exit 2 "$NRNC" run "$M" --method bogus --out "$WORK/m"
expect_stderr "(exact, euler, rk2, rk4, heun, expeuler, milstein, implicit, rk45)"
echo ok
