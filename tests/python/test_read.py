"""nrnc.read on output folders of `nrnc run`, CSV and NPY.

Every array read is compared with the files themselves, parsed here independently (the
csv module and float(), which reads a decimal back to the double it was printed from),
and the NPY folder with the CSV folder of the same run bit for bit: CLI.md promises that
the .npy times are the CSV decimals read back, and the values are the same doubles.

    test_read.py NRNC WORK
"""
import csv
import json

from common import REPO, nrnc_run, run_checks, setup

NRNC, WORK = setup()
import numpy as np  # noqa: E402  (after setup, which skips without numpy)
import nrnc  # noqa: E402  (the module of this tree, put on sys.path by setup)

# 200 ms of CUBA: two populations, a rate monitor of E and v of E[0:5]
CUBA = REPO / "examples" / "cuba.nrn"
CUBA_ARGS = ["--duration", "200ms", "--seed", "3"]
# lif.nrn with no input current: a recorded population that never fires
LIF = REPO / "examples" / "lif.nrn"
SILENT_ARGS = ["--set", "L.I_e=0nA"]


def csv_file(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def cuba(fmt):
    out = WORK / f"cuba-{fmt}"
    if not out.exists():
        nrnc_run(NRNC, CUBA, out, "--format", fmt, *CUBA_ARGS)
    return out


def check_summary():
    out = cuba("csv")
    res = nrnc.read(out)
    with open(out / "summary.json") as f:
        assert res.summary == json.load(f)
    assert list(res.spikes) == ["E", "I"], list(res.spikes)
    assert list(res.traces) == [("E", "v")], list(res.traces)
    assert list(res.rates) == ["E"], list(res.rates)


def check_spikes_csv():
    out = cuba("csv")
    res = nrnc.read(out)
    header, rows = csv_file(out / "spikes.csv")
    assert header == ["population", "neuron", "t_ms"], header
    for pop in ("E", "I"):
        idx, t = res.spikes[pop]
        assert idx.dtype == np.int32 and t.dtype == np.float64, (idx.dtype, t.dtype)
        want_idx = [int(r[1]) for r in rows if r[0] == pop]
        want_t = [float(r[2]) for r in rows if r[0] == pop]
        assert len(want_idx) > 100, f"too few spikes of {pop} for a test: {len(want_idx)}"
        assert idx.tolist() == want_idx, f"{pop}: neuron indices differ from spikes.csv"
        assert t.tolist() == want_t, f"{pop}: times differ from spikes.csv"
        assert len(idx) == res.summary["populations"][pop]["spikes"]


def check_trace_csv():
    out = cuba("csv")
    trace = nrnc.read(out).traces[("E", "v")]
    header, rows = csv_file(out / "trace_E_v.csv")
    t, values = trace                  # unpacks as API.md shows
    assert header == ["t_ms", "0", "1", "2", "3", "4"], header
    assert trace.neurons.tolist() == [0, 1, 2, 3, 4]
    assert trace.unit == "mV", trace.unit
    assert values.shape == (len(rows), 5), values.shape
    assert t.tolist() == [float(r[0]) for r in rows]
    assert values.tolist() == [[float(x) for x in r[1:]] for r in rows]
    assert t[0] == 0 and t[1] == 0.5, t[:2]


def check_rate_csv():
    out = cuba("csv")
    t, rate = nrnc.read(out).rates["E"]
    header, rows = csv_file(out / "rate_E.csv")
    assert header == ["t_ms", "rate_hz"], header
    assert t.tolist() == [float(r[0]) for r in rows]
    assert rate.tolist() == [float(r[1]) for r in rows]
    assert rate.max() > 0


def check_npy_equals_csv():
    a = nrnc.read(cuba("csv"))
    b = nrnc.read(cuba("npy"))
    assert b.traces[("E", "v")].neurons is None
    for pop in ("E", "I"):
        for x, y, what in zip(a.spikes[pop], b.spikes[pop], ("indices", "times")):
            assert x.dtype == y.dtype and np.array_equal(x, y), f"{pop} spike {what} differ"
    for x, y in zip(a.traces[("E", "v")], b.traces[("E", "v")]):
        assert np.array_equal(x, y), "trace E.v differs between CSV and NPY"
    for x, y in zip(a.rates["E"], b.rates["E"]):
        assert np.array_equal(x, y), "rate of E differs between CSV and NPY"


def check_silent_population():
    for fmt in ("csv", "npy"):
        out = nrnc_run(NRNC, LIF, WORK / f"silent-{fmt}", "--format", fmt, *SILENT_ARGS)
        res = nrnc.read(out)
        idx, t = res.spikes["L"]
        assert len(idx) == 0 and len(t) == 0, f"{fmt}: {len(idx)} spikes"
        assert idx.dtype == np.int32 and t.dtype == np.float64
        t, values = res.traces[("L", "v")]
        assert values.shape == (len(t), 3) and len(t) > 0, values.shape
        # exactly v_rest but for rounding in the integrator
        assert np.allclose(values, -70, rtol=0, atol=1e-9), "v without input left v_rest"


def check_not_a_folder():
    try:
        nrnc.read(WORK / "no-such-folder")
    except FileNotFoundError as e:
        assert "summary.json" in str(e), str(e)
    else:
        raise AssertionError("read() of a missing folder did not raise")


run_checks([check_summary, check_spikes_csv, check_trace_csv, check_rate_csv,
            check_npy_equals_csv, check_silent_population, check_not_a_folder])
