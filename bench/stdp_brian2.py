#!/usr/bin/python3
"""examples/stdp.nrn in Brian2 (its examples/synapses/STDP.py: Song, Miller & Abbott 2000),
C++ standalone, to compare the final weights with nrnc's.

    /usr/bin/python3 bench/stdp_brian2.py [SEED] [DURATION_S] [--method euler|exponential_euler]

Prints the output neuron's spike count and the histogram of w / g_max in 10 bins at the
end, in the same form as bench/weight_hist.sh. Brian2 stamps a spike at the start of its
step (nrnc at the end) and its integrator here is forward Euler by default (nrnc chooses
exponential Euler for this neuron; `nrnc run examples/stdp.nrn --method euler` matches).
Needs python3-brian (Debian's package is for /usr/bin/python3).
"""
import argparse
import os
import shutil
import tempfile

import numpy as np
import brian2 as b2
from brian2 import Hz, mV, ms, second


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seed", nargs="?", type=int, default=1)
    ap.add_argument("duration", nargs="?", type=float, default=100.0)
    ap.add_argument("--method", default="euler")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="stdp_brian2_")
    b2.set_device("cpp_standalone", directory=os.path.join(work, "project"))
    b2.seed(a.seed)

    n_in, rate = 1000, 15 * Hz
    tau_m, tau_e = 10 * ms, 5 * ms
    E_e, E_l, v_t, v_r = 0 * mV, -74 * mV, -54 * mV, -60 * mV
    tau_pre = tau_post = 20 * ms
    g_max = 0.01
    A_pre = 0.01 * g_max
    A_post = -0.01 * tau_pre / tau_post * 1.05 * g_max

    inputs = b2.PoissonGroup(n_in, rates=rate)
    out = b2.NeuronGroup(1, """dv/dt = (ge * (E_e - v) + E_l - v) / tau_m : volt
                               dge/dt = -ge / tau_e : 1""",
                         threshold="v > v_t", reset="v = v_r", method=a.method)
    out.v = v_r
    syn = b2.Synapses(inputs, out,
                      """w : 1
                         dapre/dt = -apre / tau_pre : 1 (event-driven)
                         dapost/dt = -apost / tau_post : 1 (event-driven)""",
                      on_pre="""ge += w
                                apre += A_pre
                                w = clip(w + apost, 0, g_max)""",
                      on_post="""apost += A_post
                                 w = clip(w + apre, 0, g_max)""")
    syn.connect()
    syn.w = "rand() * g_max"
    spikes = b2.SpikeMonitor(out)
    b2.run(a.duration * second)

    w = np.asarray(syn.w)
    bins = np.minimum((w / g_max * 10).astype(int), 9)
    counts = np.bincount(bins, minlength=10)
    print(f"seed {a.seed}, {a.duration:g} s, method {a.method}: output spikes {int(spikes.num_spikes)}, "
          f"mean w {w.mean():.6g}")
    print(f"t = {a.duration * 1000:g} ms: " + " ".join(str(int(c)) for c in counts))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
