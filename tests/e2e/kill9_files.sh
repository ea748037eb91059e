# kill -9 in the middle of a run leaves whole files: every CSV ends with a complete line,
# every .npy loads (its header gives the rows on disk, not shape (0,)), and each file is
# a prefix of what a full run of the same model writes; summary.json parses and says
# "running" and lists the files. A run that ends normally says "completed", and its
# "files" give each file's rows as numpy and the CSV lines count them.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "skip: $PY has no numpy"; exit 77; }
cat > "$WORK/long.nrn" <<'NRN'
import lif
network Long {
    population L = LIF[2000]
    L.I_e = 0.2 nA + 0.2 nA * rand()
    record spikes of L
    record v of L[0:3] every 1 ms
    record rate of L every 1 ms
}
simulate Long for 100000 s
NRN
cat > "$WORK/check.py" <<'PY'
import json, math, os, sys
import numpy as np

def load(path):
    """CSV as its lines (the last one must be complete), NPY as an array."""
    if path.endswith(".npy"):
        return np.load(path)
    text = open(path).read()
    assert text.endswith("\n"), path + " ends mid-line"
    lines = text.split("\n")[:-1]
    width = len(lines[0].split(","))
    assert all(len(l.split(",")) == width for l in lines), path + " has a broken row"
    return lines

def last_time(path, data):
    """The latest time in a file, ms."""
    if path.endswith(".npy"):
        return float(data[-1]) if path.endswith("_t.npy") and len(data) else 0.0
    rows = data[1:]
    if not rows:
        return 0.0
    col = data[0].split(",").index("t_ms")
    return float(rows[-1].split(",")[col])

def killed(out):
    s = json.load(open(os.path.join(out, "summary.json")))
    assert s["status"] == "running", s["status"]
    files = list(s["files"])
    assert files, "summary.json lists no files"
    t = 0.0
    for name in files:
        data = load(os.path.join(out, name))
        # the spike files fill their buffers first; the others may still hold none
        if name.startswith("spikes"):
            assert len(data) > 1000, name + " lost its rows"
        t = max(t, last_time(name, data))
    # files without times (spikes_L_i.npy) may reach further: twice as far is enough,
    # since no buffer holds more than the spike times' file does
    print(2 * math.floor(t) + 100)

def prefix(out, ref):
    s = json.load(open(os.path.join(out, "summary.json")))
    for name in s["files"]:
        got, full = load(os.path.join(out, name)), load(os.path.join(ref, name))
        assert len(got) <= len(full), name + ": longer than the full run"
        if name.endswith(".npy"):
            assert np.array_equal(got, full[:len(got)]), name + ": not a prefix of the full run"
        else:
            assert got == full[:len(got)], name + ": not a prefix of the full run"
        print("%s: %d rows of %d" % (name, len(got), len(full)))

def completed(out):
    s = json.load(open(os.path.join(out, "summary.json")))
    assert s["status"] == "completed", s["status"]
    for name, f in s["files"].items():
        data = load(os.path.join(out, name))
        rows = len(data) if name.endswith(".npy") else len(data) - 1
        assert rows == f["rows"], "%s: %d rows, summary says %d" % (name, rows, f["rows"])
    spikes = s["populations"]["L"]["spikes"]
    key = "spikes_L_t.npy" if "spikes_L_t.npy" in s["files"] else "spikes.csv"
    assert s["files"][key]["rows"] == spikes, key + ": rows differ from the spike count"
    assert not os.path.exists(os.path.join(out, ".nrnc-reserve")), "the reserve file is left"

globals()[sys.argv[1]](*sys.argv[2:])
PY
for fmt in csv npy; do
    out=$WORK/killed_$fmt
    "$NRNC" run "$WORK/long.nrn" --out "$out" --quiet --format $fmt &
    pid=$!
    main=$out/spikes.csv
    [ $fmt = npy ] && main=$out/spikes_L_t.npy
    n=0
    until [ -f "$main" ] && [ "$(wc -c < "$main")" -gt 3000000 ]; do
        n=$((n + 1)); [ $n -lt 600 ] || { kill -9 $pid; fail "$fmt: no spikes after 60 s"; }
        sleep 0.1
    done
    # The kernel may cut a write() short when SIGKILL arrives in the middle of copying it,
    # which nothing in user space can prevent; stopping the process first makes the kill
    # land between system calls, anywhere in the run's own code.
    # kill -STOP returns before the process has stopped: a SIGKILL sent while it is still
    # inside write() would be the fatal signal that cuts the write short, so wait until
    # the kernel reports it stopped (state T).
    kill -STOP $pid
    n=0
    until [ "$(sed 's/^.*) //' /proc/$pid/stat | cut -c1)" = T ] || [ $n -ge 500 ]; do n=$((n + 1)); sleep 0.01; done
    kill -KILL $pid
    set +e; wait $pid; rc=$?; set -e
    [ "$rc" = 137 ] || fail "$fmt: exit $rc after kill -9"
    ms=$("$PY" "$WORK/check.py" killed "$out") || fail "$fmt: files after kill -9"
    "$NRNC" run "$WORK/long.nrn" --out "$WORK/full_$fmt" --quiet --format $fmt --duration "${ms}ms" ||
        fail "$fmt: full run"
    "$PY" "$WORK/check.py" prefix "$out" "$WORK/full_$fmt" || fail "$fmt: killed files against the full run"
    "$PY" "$WORK/check.py" completed "$WORK/full_$fmt" || fail "$fmt: completed run"
done
echo ok
