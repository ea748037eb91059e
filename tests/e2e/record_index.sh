# record v of E[a:b:step] and E[i, j, ...]: the columns are named by the neuron indices
# (a list keeps its order) and hold exactly the values of the same neurons in a record of
# the whole population, in CSV and NPY, from nrnc run and from a built simulator.
. "$(dirname "$0")/../lib.sh"
model="$HERE/record_index.nrn"
header() { head -1 "$1"; }
check_csv() {   # DIR
    d=$1
    [ "$(header "$d/trace_E_v_2.csv")" = "t_ms,0,7,14,21,28" ] || fail "$d: stride header: $(header "$d/trace_E_v_2.csv")"
    [ "$(header "$d/trace_E_v_3.csv")" = "t_ms,12,3,29" ] || fail "$d: list header: $(header "$d/trace_E_v_3.csv")"
    [ "$(header "$d/trace_E_v_4.csv")" = "t_ms,2,3,4" ] || fail "$d: slice header"
    [ "$(header "$d/trace_E_v_5.csv")" = "t_ms,29" ] || fail "$d: one-column stride header"
    # column k of the full record is field k + 2 (t_ms is field 1)
    cut -d, -f1,2,9,16,23,30 "$d/trace_E_v.csv" | tail -n +2 > "$WORK/want2"
    tail -n +2 "$d/trace_E_v_2.csv" | cmp -s - "$WORK/want2" || fail "$d: stride values differ"
    awk -F, 'NR > 1 { print $1 "," $14 "," $5 "," $31 }' "$d/trace_E_v.csv" > "$WORK/want3"
    tail -n +2 "$d/trace_E_v_3.csv" | cmp -s - "$WORK/want3" || fail "$d: list values differ"
    cut -d, -f1,4-6 "$d/trace_E_v.csv" | tail -n +2 > "$WORK/want4"
    tail -n +2 "$d/trace_E_v_4.csv" | cmp -s - "$WORK/want4" || fail "$d: slice values differ"
    [ "$(wc -l < "$d/trace_E_v.csv")" = 42 ] || fail "$d: expected 41 samples"
}
"$NRNC" run "$model" --out "$WORK/csv" --quiet || fail "nrnc run"
check_csv "$WORK/csv"
"$NRNC" build "$model" -o "$WORK/rec.sim" || fail "nrnc build"
"$WORK/rec.sim" --out "$WORK/aot" --quiet || fail "run the built simulator"
check_csv "$WORK/aot"
for f in "$WORK/csv"/trace_*.csv; do
    cmp -s "$f" "$WORK/aot/$(basename "$f")" || fail "built simulator: $(basename "$f") differs"
done
# NPY: shape [samples, columns] and the same float64 bits as the full record's columns
check_npy() {   # DIR
    python3 - "$1" <<'PY' || fail "$1: npy columns"
import ast, struct, sys
def load(path):
    b = open(path, 'rb').read()
    hl = struct.unpack('<H', b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode('latin1'))
    assert h['descr'] == '<f8' and not h['fortran_order'], h
    shape = h['shape']
    n = 1
    for s in shape:
        n *= s
    vals = struct.unpack('<%dd' % n, b[10 + hl:10 + hl + 8 * n])
    cols = shape[1] if len(shape) == 2 else 1
    return shape, [vals[r * cols:(r + 1) * cols] for r in range(shape[0])]
d = sys.argv[1]
full_shape, full = load(d + '/trace_E_v.npy')
assert full_shape == (41, 30), full_shape
for name, idx in (('trace_E_v_2', [0, 7, 14, 21, 28]), ('trace_E_v_3', [12, 3, 29]),
                  ('trace_E_v_4', [2, 3, 4]), ('trace_E_v_5', [29])):
    shape, rows = load(d + '/' + name + '.npy')
    assert shape == (41, len(idx)), (name, shape)
    for r in range(41):
        assert list(rows[r]) == [full[r][i] for i in idx], (name, r)
    assert open(d + '/' + name + '_t.npy', 'rb').read() == open(d + '/trace_E_v_t.npy', 'rb').read()
PY
}
"$NRNC" run "$model" --out "$WORK/npy" --quiet --format npy || fail "nrnc run --format npy"
check_npy "$WORK/npy"
"$WORK/rec.sim" --out "$WORK/aot_npy" --quiet --format npy || fail "built simulator --format npy"
check_npy "$WORK/aot_npy"
echo ok
