"""Izhikevich (2003) regular spiking neuron in Brian2, forward Euler at dt = 0.1 ms, 1 s:
prints its spike times in ms, one per line (Brian2 stamps a spike at the start of the
step in which the threshold is crossed)."""
from brian2 import NeuronGroup, SpikeMonitor, defaultclock, ms, mV, prefs, run

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
equations = """
dv/dt = (0.04 * v**2 / mV + 5 * v + 140 * mV - u + I) / ms : volt
du/dt = a * (b * v - u) / ms : volt
a : 1
b : 1
I : volt
"""
group = NeuronGroup(1, equations, threshold="v >= 30*mV", reset="v = -65*mV; u += 8*mV",
                    method="euler")
group.a = 0.02
group.b = 0.2
group.v = -65 * mV
group.u = group.b * group.v
group.I = 10 * mV
monitor = SpikeMonitor(group)
run(1000 * ms)
for t in monitor.t / ms:
    print(repr(float(t)))
