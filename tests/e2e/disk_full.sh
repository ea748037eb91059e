# A full disk stops the run with exit 3 and a message that names the file and says the
# disk is full, and leaves whole files: every CSV ends with a complete line, every .npy
# loads, and summary.json is valid JSON whose status says the disk was full, written in
# the space set aside for it. The full disk is a file size limit (ulimit -f: the write
# fails with EFBIG, which nrnc treats like ENOSPC, instead of SIGXFSZ killing it); a
# real ENOSPC from /dev/full is tests/runtime's diskfull case.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "skip: $PY has no numpy"; exit 77; }
cat > "$WORK/big.nrn" <<'NRN'
import lif
network Big {
    population L = LIF[2000]
    L.I_e = 0.2 nA + 0.2 nA * rand()
    record spikes of L
    record v of L[0:3] every 1 ms
    record rate of L every 1 ms
}
simulate Big for 20 s
NRN
cat > "$WORK/check.py" <<'PY'
import json, os, sys
import numpy as np
out, big = sys.argv[1], sys.argv[2]
s = json.load(open(os.path.join(out, "summary.json")))
assert s["status"] == "disk_full", s["status"]
assert big in s["error"] and "disk is full" in s["error"], s["error"]
assert s["simulated_ms"] < s["duration_ms"], "the run went on after the disk was full"
for name, f in s["files"].items():
    path = os.path.join(out, name)
    if name.endswith(".npy"):
        rows = len(np.load(path))
    else:
        text = open(path).read()
        assert text.endswith("\n"), name + " ends mid-line"
        lines = text.split("\n")[:-1]
        width = len(lines[0].split(","))
        assert all(len(l.split(",")) == width for l in lines), name + " has a broken row"
        rows = len(lines) - 1
    assert rows == f["rows"], "%s: %d rows, summary says %d" % (name, rows, f["rows"])
    print("%s: %d rows" % (name, rows))
assert s["files"][big]["rows"] > 1000, big + " lost its rows"
assert not os.path.exists(os.path.join(out, ".nrnc-reserve")), "the reserve file is left"
PY
# 4000 blocks: 2 MB (sh counts 512-byte blocks) or 4 MB (bash, 1024); a full run writes
# 40 MB of spikes
for fmt in csv npy; do
    out=$WORK/out_$fmt
    big=spikes.csv
    [ $fmt = npy ] && big=spikes_L_t.npy
    set +e
    (ulimit -f 4000 && exec "$NRNC" run "$WORK/big.nrn" --out "$out" --quiet --format $fmt) \
        >"$WORK/stdout" 2>"$WORK/stderr"
    rc=$?
    set -e
    [ "$rc" = 3 ] || { cat "$WORK/stderr" >&2; fail "$fmt: exit $rc, expected 3"; }
    expect_stderr "cannot write '$out/$big'"
    expect_stderr "the disk is full"
    [ "$(wc -c < "$out/$big")" -le 4096000 ] || fail "$fmt: $big is larger than the limit"
    "$PY" "$WORK/check.py" "$out" "$big" || fail "$fmt: files after the disk filled"
done
echo ok
