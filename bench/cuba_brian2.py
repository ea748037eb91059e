#!/usr/bin/env python3
"""The CUBA benchmark network (Brette et al. 2007; Brian2's examples/CUBA.py) in Brian2,
C++ standalone mode, one thread: the peer that bench/cuba_hand.c and nrnc are compared with.

    /usr/bin/python3 bench/cuba_brian2.py [N] [seed] [duration_s] [--dir DIR] [--keep]

N neurons (the first 0.8 N excitatory), p = 80 / N (0.02 at N = 4000, the original),
dt 0.1 ms.  Prints one line of JSON like cuba_hand:

    {"N", "seed", "synapses", "spikes", "rate_hz", "setup_s", "loop_s",
     "build_s", "binary_s", "total_s", "loop_timer"}

loop_s is Brian2's own timing of the simulation loop (Network::run in the generated
network.cpp, read back as device._last_run_time).  Without OpenMP that is std::clock(),
i.e. the CPU time of the process over the loop, not wall time.  binary_s is the wall time
of running the compiled binary (device.timers['run_binary']); setup_s = binary_s - loop_s
(process start, allocation, connectivity, initial values, writing the results).
build_s is `import brian2` + code generation + C++ compilation; total_s is the whole
script from `import brian2` on (build + run + reading results back).

Brian2's step conventions differ slightly from cuba_hand's (see
shared/reference/README.md): it holds a refractory neuron one step less.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('N', nargs='?', type=int, default=4000)
    ap.add_argument('seed', nargs='?', type=int, default=1)
    ap.add_argument('duration_s', nargs='?', type=float, default=1.0)
    ap.add_argument('--dir', help='standalone project directory (default: a fresh temporary one)')
    ap.add_argument('--keep', action='store_true', help='keep the temporary project directory')
    args = ap.parse_args()
    if args.N < 2 or args.duration_s <= 0:
        ap.error('N must be >= 2 and duration_s > 0')

    t0 = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV, second

    directory = args.dir or tempfile.mkdtemp(prefix='cuba_brian2_')
    b2.set_device('cpp_standalone', directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0     # one thread, no OpenMP
    b2.prefs.logging.console_log_level = 'WARNING'
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(args.seed)

    N = args.N
    NE = int(0.8 * N)
    p = 80.0 / N

    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    P = b2.NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms,
                       method='exact',
                       namespace=dict(taum=taum, taue=taue, taui=taui, Vt=Vt, Vr=Vr, El=El))
    P.v = 'Vr + rand() * (Vt - Vr)'
    P.ge = 0 * mV
    P.gi = 0 * mV

    we = (60 * 0.27 / 10) * mV     # 1.62 mV
    wi = (-20 * 4.5 / 10) * mV     # -9 mV
    Ce = b2.Synapses(P[:NE], P, on_pre='ge += we', namespace=dict(we=we))
    Ci = b2.Synapses(P[NE:], P, on_pre='gi += wi', namespace=dict(wi=wi))
    Ce.connect(p=p)
    Ci.connect(p=p)
    s_mon = b2.SpikeMonitor(P)

    b2.run(args.duration_s * second)
    t_build0 = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=True, with_output=False)
    t_built = time.perf_counter()

    binary_s = float(b2.device.timers['run_binary'])
    loop_s = float(b2.device._last_run_time)
    spikes = int(s_mon.num_spikes)
    synapses = int(len(Ce.i)) + int(len(Ci.i))
    t_end = time.perf_counter()

    print(json.dumps({
        'N': N, 'seed': args.seed, 'synapses': synapses, 'spikes': spikes,
        'rate_hz': round(spikes / N / args.duration_s, 4),
        'setup_s': round(binary_s - loop_s, 6), 'loop_s': round(loop_s, 6),
        'build_s': round(t_built - t_build0 - binary_s + (t_build0 - t0), 3),
        'binary_s': round(binary_s, 6), 'total_s': round(t_end - t0, 3),
        'loop_timer': 'brian2 Network::run, std::clock (CPU time)',
    }))
    sys.stdout.flush()
    if not args.dir and not args.keep:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == '__main__':
    main()
