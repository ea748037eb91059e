# Every command has its own --help (usage on stdout, exit 0), and so has a built
# simulator; --set on a let says what it is; --threads reports the count used in
# summary.json (a small model is not split, whatever is asked); a duration that is not a multiple of dt is
# rounded up to whole steps with a warning that says to what.
. "$(dirname "$0")/../lib.sh"
M="$HERE/lif_spec.nrn"
for c in check run build emit plot; do
    expect_exit 0 "$NRNC" $c --help
    head -n 1 "$WORK/stdout" | grep -q "^usage: nrnc $c " || fail "nrnc $c --help: usage line expected"
    [ ! -s "$WORK/stderr" ] || fail "nrnc $c --help: nothing on stderr expected"
done
expect_exit 0 "$NRNC" run "$M" --help
grep -q -- "--threads N" "$WORK/stdout" || fail "nrnc run --help lists the run options"
expect_exit 0 "$NRNC" emit -h
grep -q "header  the C header" "$WORK/stdout" || fail "nrnc emit -h lists the kinds"
# --set on a let
expect_exit 2 "$NRNC" run "$M" --out "$WORK/o" --quiet --set P.I=1nA
expect_stderr "nrnc: error: --set P.I=1nA: 'I' is a let (a value derived from others) of 'LIF', not a param or state; it cannot be set"
expect_stderr "= help: set the params it is computed from"
if grep -q "did you mean" "$WORK/stderr"; then fail "no 'did you mean' for a let"; fi
# --threads: any positive count is accepted; this model is below two ranges of
# NRT_GRAIN neurons, so the run uses one thread, silently
expect_exit 0 "$NRNC" run "$M" --out "$WORK/t" --quiet --duration 1ms --threads 100000
[ ! -s "$WORK/stderr" ] || fail "--threads 100000: nothing on stderr expected"
grep -q '"threads": 1,' "$WORK/t/summary.json" || fail "summary.json: threads 1 expected"
expect_exit 0 "$NRNC" run "$M" --out "$WORK/t1" --quiet --duration 1ms
grep -q '"threads": 1,' "$WORK/t1/summary.json" || fail "summary.json: threads 1 expected by default"
[ ! -s "$WORK/stderr" ] || fail "no note without --threads"
expect_exit 2 "$NRNC" run "$M" --threads 0
expect_stderr "--threads needs a positive integer, got '0'"
expect_exit 2 "$NRNC" run "$M" --threads 99999999999
expect_stderr "--threads 99999999999 is too large (at most 2147483647)"
# durations: a multiple of dt is silent (also when the quotient is not exact in binary)
expect_exit 0 "$NRNC" run "$M" --out "$WORK/d" --quiet --duration 0.3ms --dt 0.1ms
[ ! -s "$WORK/stderr" ] || fail "0.3 ms is 3 steps of 0.1 ms: no warning"
expect_exit 0 "$NRNC" run "$M" --out "$WORK/d" --quiet --duration 1.05ms
expect_stderr "nrnc: warning: duration 1.05 ms is not a multiple of dt 0.1 ms; running 11 steps (1.1 ms)"
grep -q '"duration_ms": 1.1,' "$WORK/d/summary.json" || fail "summary.json: the duration run"
sed 's/^simulate .*/simulate One for 2.05 ms/' "$M" >"$WORK/m.nrn"
grep -q "simulate One for 2.05 ms" "$WORK/m.nrn" || fail "test model: simulate line"
expect_exit 0 "$NRNC" run "$WORK/m.nrn" --out "$WORK/d2" --quiet
expect_stderr "m.nrn:$(grep -n '^simulate' "$WORK/m.nrn" | cut -d: -f1):18: warning: duration 2.05 ms is not a multiple of dt 0.1 ms; running 21 steps (2.1 ms)"
# a built simulator: the same
"$NRNC" build "$M" -o "$WORK/sim" || fail "build"
expect_exit 0 "$WORK/sim" --help
head -n 1 "$WORK/stdout" | grep -q "^usage: " || fail "./sim --help: usage on stdout"
expect_exit 0 "$WORK/sim" --out "$WORK/s" --quiet --duration 1.05ms --threads 8
expect_stderr "warning: duration 1.05 ms is not a multiple of dt 0.1 ms; running 11 steps (1.1 ms)"
grep -q '"threads": 1,' "$WORK/s/summary.json" || fail "built: summary.json threads 1 expected"
expect_exit 2 "$WORK/sim" --threads 99999999999
expect_stderr "--threads 99999999999 is too large (at most 2147483647)"
echo ok
