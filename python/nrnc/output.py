"""nrnc.read: the output folder of a run, CSV or NPY, as numpy arrays.

summary.json says what the folder holds (CLI.md, "Output directory"): the populations in
declaration order, "traces" ("POP.VAR": file and unit), "rates" and "weights" (file
names). The data files are read as the runtime writes them (runtime/monitor.c,
syn_monitor.c):

    spikes.csv                   population,neuron,t_ms
    spikes_POP_t.npy, _i.npy     float64 ms, int32
    trace_POP_VAR.csv            t_ms,INDEX,INDEX,...  (one column per recorded neuron)
    trace_POP_VAR.npy, _t.npy    float64 [samples, neurons], float64 ms
    rate_NAME.csv                t_ms,rate_hz
    rate_NAME.npy, _t.npy        float64, float64 ms
    weights_CONN_VAR.csv         t_ms,pre,post,value
    weights_CONN_VAR.npy         float64 [samples, synapses], with _t.npy, _pre.npy, _post.npy

The CSV numbers are the shortest decimals that read back to the doubles the run had, so
both formats give the same arrays. An interrupted run leaves whole rows; where a value
file and its time file got different lengths, the rows both have are kept.
"""
import json
import os
import warnings

import numpy as np


class Trace(tuple):
    """(t_ms, values) of one recorded variable: values[sample, column] in `unit`, column k
    being neuron neurons[k] (the CSV header's indices; None for .npy files, which do not
    carry them)."""

    def __new__(cls, t_ms, values, unit, neurons):
        self = super().__new__(cls, (t_ms, values))
        self.unit = unit
        self.neurons = neurons
        return self

    @property
    def t_ms(self):
        return self[0]

    @property
    def values(self):
        return self[1]


class Output:
    """What read() found: .summary (summary.json as a dict), .spikes[pop] -> (idx int32,
    t_ms float64), .traces[(pop, var)] -> Trace (t_ms, values), .rates[name] -> (t_ms,
    rate_hz), .weights[name] -> (t_ms, pre, post, value), one row per synapse and sample."""

    def __init__(self, folder, summary):
        self.folder = folder
        self.summary = summary
        self.spikes = {}
        self.traces = {}
        self.rates = {}
        self.weights = {}

    def __repr__(self):
        return (f"<nrnc.Output {self.folder}: spikes of {sorted(self.spikes)}, traces "
                f"{sorted('.'.join(k) for k in self.traces)}, rates {sorted(self.rates)}>")


def read(folder):
    """Reads an output folder of `nrnc run`, a built simulator or Model.simulation(out=)."""
    folder = os.fspath(folder)
    path = os.path.join(folder, "summary.json")
    try:
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f"no summary.json in {folder!r}: not the output folder of a "
                                f"run (nrnc run --out DIR writes one)") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e})") from None
    out = Output(folder, summary)
    _read_spikes(out)
    # a monitor whose file could not be opened has "file": null (the run failed)
    for name, info in summary.get("traces", {}).items():
        if info.get("file"):
            pop, _, var = name.partition(".")
            out.traces[(pop, var)] = _read_trace(folder, info["file"], info.get("unit"))
    for name, info in summary.get("rates", {}).items():
        if info.get("file"):
            out.rates[name] = _read_series(folder, info["file"])
    for name, info in summary.get("weights", {}).items():
        if info.get("file"):
            out.weights[name] = _read_weights(folder, info["file"])
    return out


def _read_spikes(out):
    pops = list(out.summary.get("populations", {}))
    csv = os.path.join(out.folder, "spikes.csv")
    if os.path.exists(csv):
        _, rows = _read_csv(csv, ["population", "neuron", "t_ms"], str)
        for pop in pops:
            mine = rows[rows[:, 0] == pop]
            # spikes.csv cannot tell a silent population from one not recorded;
            # summary.json's count, which includes unrecorded spikes, can
            if len(mine) or not out.summary["populations"][pop].get("spikes"):
                out.spikes[pop] = (mine[:, 1].astype(np.int32), mine[:, 2].astype(np.float64))
        return
    for pop in pops:
        t_file = os.path.join(out.folder, f"spikes_{pop}_t.npy")
        if os.path.exists(t_file):
            t = np.load(t_file)
            idx = np.load(os.path.join(out.folder, f"spikes_{pop}_i.npy"))
            n = min(len(t), len(idx))
            out.spikes[pop] = (idx[:n].astype(np.int32), t[:n].astype(np.float64))


def _read_trace(folder, file, unit):
    path = os.path.join(folder, file)
    if file.endswith(".npy"):
        t, values = _npy_pair(path)
        return Trace(t, values, unit, None)
    header, rows = _read_csv(path, None, np.float64)
    if header[0] != "t_ms":
        raise ValueError(f"{path}: the header starts with {header[0]!r}, expected 't_ms'")
    return Trace(rows[:, 0], rows[:, 1:], unit, np.array([int(c) for c in header[1:]]))


def _read_series(folder, file):
    path = os.path.join(folder, file)
    if file.endswith(".npy"):
        return _npy_pair(path)
    _, rows = _read_csv(path, ["t_ms", "rate_hz"], np.float64)
    return rows[:, 0], rows[:, 1]


def _read_weights(folder, file):
    path = os.path.join(folder, file)
    if file.endswith(".npy"):
        t, values = _npy_pair(path)
        stem = path[: -len(".npy")]
        pre = np.load(stem + "_pre.npy").astype(np.int32)
        post = np.load(stem + "_post.npy").astype(np.int32)
        # the CSV's long form: for each sample, every synapse in order
        nsyn = values.shape[1] if values.ndim == 2 else 0
        return (np.repeat(t, nsyn), np.tile(pre, len(t)), np.tile(post, len(t)),
                values.reshape(-1))
    _, rows = _read_csv(path, ["t_ms", "pre", "post", "value"], np.float64)
    return rows[:, 0], rows[:, 1].astype(np.int32), rows[:, 2].astype(np.int32), rows[:, 3]


def _npy_pair(path):
    """(times, values) of NAME.npy and its time axis NAME_t.npy, cut to the rows both hold."""
    values = np.load(path)
    t = np.load(path[: -len(".npy")] + "_t.npy")
    n = min(len(t), len(values))
    return t[:n], values[:n]


def _read_csv(path, expect, dtype):
    """(header fields, rows as a 2-D array of dtype) of a CSV file of nrnc's; `expect` is
    the header it must have (None: any)."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\r\n").split(",")
        if expect is not None and header != expect:
            raise ValueError(f"{path}: header {','.join(header)!r}, expected "
                             f"{','.join(expect)!r}")
        with warnings.catch_warnings():
            # a header without rows (nothing recorded yet) is an empty array, not a warning
            warnings.simplefilter("ignore", UserWarning)
            rows = np.loadtxt(f, delimiter=",", dtype=dtype, ndmin=2, comments=None)
    if rows.size == 0:
        rows = np.empty((0, len(header)), dtype=dtype)
    return header, rows
