"""Issue 10's figure: the cost of stepping an instance from Python in chunks of 10 ms
against one call for the whole second, on CUBA 4,000 (examples/cuba.nrn), through the
`nrnc` Python module (python/nrnc). Run from the repository root after a build:

    PYTHONPATH=python NRNC=build/compiler/nrnc /usr/bin/python3 bench/python_overhead.py [RUNS]

It compiles the model once (cached), then for each run makes two fresh instances with
the same seed, advances one by 1 s in one call and takes its spikes, and the other by
100 chunks of 10 ms taking the spikes after each chunk (as a closed loop would); it
checks that both give the same spikes, and prints the median times and the overhead of
the chunks."""
import statistics
import sys
import time

import nrnc

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
model = nrnc.compile("examples/cuba.nrn")
whole, chunked = [], []
for _ in range(runs):
    s = model.simulation(seed=1, threads=1)
    t0 = time.perf_counter()
    s.run("1000 ms")
    ref = s.spikes("E")
    whole.append(time.perf_counter() - t0)
    s.close()

    s = model.simulation(seed=1, threads=1)
    parts = []
    t0 = time.perf_counter()
    for _ in range(100):
        s.run("10 ms")
        parts.append(s.spikes("E"))
    chunked.append(time.perf_counter() - t0)
    s.close()
    idx = [i for p in parts for i in p[0].tolist()]
    t = [x for p in parts for x in p[1].tolist()]
    if idx != ref[0].tolist() or t != ref[1].tolist():
        sys.exit("the chunked run's spikes differ from the whole run's")

w, c = statistics.median(whole), statistics.median(chunked)
print(f"CUBA 4,000, 1 s, median of {runs}: one call {w:.4f} s, 100 chunks of 10 ms {c:.4f} s, "
      f"overhead {100 * (c - w) / w:.1f}%")
