#!/usr/bin/env python3
"""N unconnected Hodgkin-Huxley neurons in NEURON 8.2: the NEURON peer of bench/suite.sh's
HH population (the standard library's HH is NEURON's hh.mod at 6.3 degC).

    /usr/bin/python3 bench/hh_neuron.py [N] [duration_s]

One single-compartment section per neuron (nseg 1, area 1000 um^2, cm 1 uF/cm^2, hh),
an IClamp giving 5 + 10 i / N uA/cm^2 for the whole run, v0 -65 mV, fixed step
dt = 0.1 ms with NEURON's default implicit (backward) Euler, one thread. Spikes are
counted by one NetCon per cell at 0 mV. Prints one line of JSON:

    {"N", "spikes", "rate_hz", "setup_s", "loop_s", "total_s", "maxrss_kib"}

setup_s: from `import neuron` to the end of finitialize (sections, mechanisms, clamps,
spike detectors); loop_s: ParallelContext.psolve (one thread, cache_efficient), wall time; maxrss_kib: getrusage of this process.
"""
import json
import math
import resource
import sys
import time


def main():
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    duration_ms = 1000.0 * (float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
    t0 = time.perf_counter()
    from neuron import h
    diam = math.sqrt(1000.0 / math.pi)     # L = diam: lateral area pi d L = 1000 um^2
    cells, clamps, ncs = [], [], []
    tvec, idvec = h.Vector(), h.Vector()
    for i in range(N):
        sec = h.Section(name='c%d' % i)
        sec.L = sec.diam = diam
        sec.insert('hh')
        ic = h.IClamp(sec(0.5))
        ic.delay = 0
        ic.dur = 1e9
        ic.amp = (5 + 10 * i / N) * 1e-2    # uA/cm^2 on 1000 um^2 = 1e-5 cm^2, in nA
        nc = h.NetCon(sec(0.5)._ref_v, None, sec=sec)
        nc.threshold = 0
        nc.record(tvec, idvec, i)
        cells.append(sec)
        clamps.append(ic)
        ncs.append(nc)
    h.CVode().cache_efficient(1)       # contiguous node data: NEURON's fast path for many cells
    pc = h.ParallelContext()
    pc.nthread(1)
    pc.set_maxstep(10)
    h.dt = 0.1
    h.finitialize(-65)
    t1 = time.perf_counter()
    pc.psolve(duration_ms)
    t2 = time.perf_counter()
    spikes = int(tvec.size())
    print(json.dumps({
        'N': N, 'spikes': spikes, 'rate_hz': round(spikes / N / (duration_ms / 1000), 4),
        'setup_s': round(t1 - t0, 4), 'loop_s': round(t2 - t1, 4), 'total_s': round(t2 - t0, 4),
        'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == '__main__':
    main()
