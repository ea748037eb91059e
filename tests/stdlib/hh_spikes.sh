# HH (stdlib/hh.nrn) against the ground truth of data/hh_scipy_spikes.csv (scipy LSODA,
# rtol 1e-10; see data/hh_scipy_ORIGIN.md): 10 uA/cm^2 on [10, 90) ms, 100 ms, six
# upward 0 mV crossings. Tolerances from shared/reference/README.md:
#  - rk4 at dt 0.01 ms: a spike is stamped at the end of the step in which v passes 0 mV,
#    so stamp - truth lies in [0, dt], widened by 0.002 ms for rk4's own error (it crosses
#    up to ~0.001 ms early: the step current switches on at a stage time). Measured:
#    -0.0006 to +0.0074 ms.
#  - expeuler (the automatic choice, exponential Euler) at dt 0.01 ms: within 0.5 ms
#    (Brian2's exponential Euler is up to 0.40 ms late). Measured: +0.04 to +0.41 ms late.
#    Also against Brian2's exponential Euler at the same dt
#    (data/hh_brian2_exponential_euler_spikes.csv): the same scheme on the same grid, so
#    nrnc = Brian2 + dt (Brian2 stamps at the start of the step), allowing one step for a
#    rounding difference at a crossing. Measured: equal to Brian2 + dt for all 6 spikes.
# Also: the same current given as a total current over the area (I_e = 0.1 nA on
# 1000 um^2) gives identical spikes, and without current the axon does not fire.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/hh.nrn" <<'EOM'
import hh
network Step {
    population P = HH[1]
    record spikes of P
}
simulate Step for 100 ms dt 0.01 ms
EOM
tail -n +2 "$HERE/data/hh_scipy_spikes.csv" | cut -d, -f3 > "$WORK/want"
[ "$(wc -l < "$WORK/want")" = 6 ] || fail "reference: expected 6 spikes"
"$NRNC" emit ir "$WORK/hh.nrn" > "$WORK/ir"
grep -q "method expeuler" "$WORK/ir" || { cat "$WORK/ir" >&2; fail "HH: expected expeuler to be chosen"; }
# compare METHOD LO HI: every spike t of the run in $WORK/METHOD has LO <= t - truth <= HI
compare() {
    tail -n +2 "$WORK/$1/spikes.csv" | cut -d, -f3 > "$WORK/got_$1"
    [ "$(wc -l < "$WORK/got_$1")" = 6 ] || { cat "$WORK/$1/spikes.csv" >&2; fail "$1: expected 6 spikes"; }
    paste -d' ' "$WORK/want" "$WORK/got_$1" | awk -v m="$1" -v lo="$2" -v hi="$3" '
        { d = $2 - $1; if (d < lo - 1e-9 || d > hi + 1e-9) { printf "%s: spike at %s, truth %s (off by %+.4f ms)\n", m, $2, $1, d; bad = 1 } }
        END { exit bad }' || fail "$1: spikes outside [$2, $3] ms of the truth"
    grep -q "\"method\": \"$4\"" "$WORK/$1/summary.json" || fail "$1: summary.json method"
}
"$NRNC" run "$WORK/hh.nrn" --out "$WORK/auto" --quiet
compare auto -0.5 0.5 expeuler
tail -n +2 "$HERE/data/hh_brian2_exponential_euler_spikes.csv" | cut -d, -f2 | paste -d' ' - "$WORK/got_auto" |
    awk '{ d = $2 - ($1 + 0.01); if (d < 0) d = -d; if (d > 0.01 + 1e-9) { print "expeuler: " $2 ", Brian2 + dt: " $1 + 0.01; bad = 1 } } END { exit bad }' ||
    fail "expeuler: not Brian2's exponential Euler + dt"
"$NRNC" run "$WORK/hh.nrn" --out "$WORK/rk4" --quiet --method rk4
compare rk4 -0.002 0.012 rk4
"$NRNC" run "$WORK/hh.nrn" --out "$WORK/total" --quiet --method rk4 --set "I_amp=0 uA/cm^2" --set "I_e=0.1 nA" --set "area=1000 um^2"
cmp -s "$WORK/rk4/spikes.csv" "$WORK/total/spikes.csv" || fail "0.1 nA on 1000 um^2 differs from 10 uA/cm^2"
"$NRNC" run "$WORK/hh.nrn" --out "$WORK/none" --quiet --set "I_amp=0 uA/cm^2"
[ "$(tail -n +2 "$WORK/none/spikes.csv" | wc -l)" = 0 ] || fail "HH fires without current"
echo ok
