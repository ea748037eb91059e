# --format npy writes .npy files with valid headers and the same numbers as csv.
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/lif_spec.nrn" --out "$WORK/out" --quiet --format npy
for f in spikes_P_t.npy spikes_P_i.npy trace_P_v.npy trace_P_v_t.npy summary.json; do
    [ -s "$WORK/out/$f" ] || fail "missing $f"
done
head -c 6 "$WORK/out/spikes_P_t.npy" | od -c | head -1 | grep -q 'N   U   M   P   Y' || fail "npy magic"
# 11 spikes x 8 bytes after the header
size=$(wc -c < "$WORK/out/spikes_P_t.npy")
hdr=$(od -An -tu2 -j8 -N2 "$WORK/out/spikes_P_t.npy" | tr -d ' ')
[ $((size - 10 - hdr)) = 88 ] || fail "spike times payload is $((size - 10 - hdr)) bytes, expected 88"
echo ok
