# nrnc run examples/lif.nrn, then nrnc plot on its folder: the SVG has the raster (one
# circle per spike in spikes.csv), the trace of L.v (3 neurons, "v (mV)"), the rate panel,
# and the run's names and status. Usage: e2e_lif.sh NRNC LIF.nrn WORKDIR.
set -eu
NRNC=$1
MODEL=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { grep -o "$1" "$2" | wc -l | tr -d ' '; }

"$NRNC" run "$MODEL" --out "$WORK/out" --quiet || fail "nrnc run failed"
set +e
"$NRNC" plot "$WORK/out" -o "$WORK/lif.svg" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
set -e
[ $rc -eq 0 ] || { cat "$WORK/stderr" >&2; fail "nrnc plot exited $rc"; }
svg=$WORK/lif.svg
head -c 5 "$svg" | grep -q '^<svg ' || fail "does not start with <svg"
[ "$(tail -n 1 "$svg")" = "</svg>" ] || fail "does not end with </svg>"
[ "$(count '<g[ >]' "$svg")" = "$(count '</g>' "$svg")" ] || fail "unbalanced <g>"
spikes=$(($(wc -l < "$WORK/out/spikes.csv") - 1))
[ "$spikes" -gt 0 ] || fail "the run wrote no spikes"
[ "$(count '<circle' "$svg")" = "$spikes" ] || fail "$(count '<circle' "$svg") circles for $spikes spikes"
# 3 recorded neurons (L[0:3]) and one rate histogram line
[ "$(count '<polyline' "$svg")" = 4 ] || fail "$(count '<polyline' "$svg") polylines, expected 4"
for text in '>v (mV)</text>' '>rate (Hz)</text>' '>time (ms)</text>' 'lif.nrn, network Demo' \
            '>completed</text>'; do
    grep -qF "$text" "$svg" || fail "the SVG lacks '$text'"
done
# the default output name
"$NRNC" plot "$WORK/out" >/dev/null 2>&1 || fail "nrnc plot without -o failed"
[ -s "$WORK/out/plot.svg" ] || fail "no $WORK/out/plot.svg"
# usage errors: a missing folder is exit 2, an unwritable -o exit 3
set +e
"$NRNC" plot "$WORK/nowhere" 2>/dev/null
[ $? -eq 2 ] || fail "a missing folder should exit 2"
"$NRNC" plot "$WORK/out" -o "$WORK/nowhere/x.svg" 2>/dev/null
[ $? -eq 3 ] || fail "an unwritable -o should exit 3"
set -e
echo ok
