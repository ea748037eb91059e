# 2100 record statements (21 populations x 100 recorded lets) under `ulimit -n 64`: the
# number of files is bounded by memory, not by file descriptors (files beyond the
# descriptor budget are opened for each write of their buffer). Every file exists with
# all its rows, and the values are right (let a_k = (k + 1) v, so a_k / a_0 = k + 1).
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "skip: $PY has no numpy"; exit 77; }
"$PY" - "$WORK/many.nrn" <<'PY'
import sys
lines = ["neuron N {", "    param tau = 10 ms", "    state v = 1", "    dv/dt = -v / tau"]
lines += ["    let a%d = v * %d" % (k, k + 1) for k in range(100)]
lines += ["}", "network Many {"]
for p in range(21):
    lines.append("    population P%d = N[2]" % p)
    lines += ["    record a%d of P%d every 1 ms" % (k, p) for k in range(100)]
lines += ["}", "simulate Many for 100 ms"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
cat > "$WORK/check.py" <<'PY'
import json, os, sys
import numpy as np
out, fmt = sys.argv[1], sys.argv[2]
s = json.load(open(os.path.join(out, "summary.json")))
assert s["status"] == "completed", s["status"]
want = 2100 if fmt == "csv" else 4200
assert len(s["files"]) == want, "summary.json lists %d files" % len(s["files"])
for p in range(21):
    a = {}
    for k in range(100):
        stem = os.path.join(out, "trace_P%d_a%d" % (p, k))
        if fmt == "csv":
            a[k] = np.loadtxt(stem + ".csv", delimiter=",", skiprows=1)[:, 1:]
        else:
            a[k] = np.load(stem + ".npy")
            t = np.load(stem + "_t.npy")
            assert t.shape == (101,) and t[-1] == 100, stem + "_t.npy: %s" % (t.shape,)
        assert a[k].shape == (101, 2), "%s: shape %s" % (stem, a[k].shape)
        assert np.allclose(a[k], (k + 1) * a[0], rtol=1e-12), stem + ": wrong values"
print("%d files, all 101 rows" % len(s["files"]))
PY
for fmt in csv npy; do
    out=$WORK/out_$fmt
    set +e
    (ulimit -n 64 && exec "$NRNC" run "$WORK/many.nrn" --out "$out" --quiet --format $fmt) \
        >"$WORK/stdout" 2>"$WORK/stderr"
    rc=$?
    set -e
    [ "$rc" = 0 ] || { cat "$WORK/stderr" >&2; fail "$fmt: exit $rc under ulimit -n 64"; }
    "$PY" "$WORK/check.py" "$out" $fmt || fail "$fmt: recorded files"
done
echo ok
