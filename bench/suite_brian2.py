#!/usr/bin/env python3
"""The suite's models other than CUBA in Brian2, C++ standalone mode, one thread: the Brian2
peer of bench/suite.sh (CUBA has its own script, bench/cuba_brian2.py).

    /usr/bin/python3 bench/suite_brian2.py MODEL [N] [seed] [duration_s] [--runs K]

MODEL is one of
  cuba    N CUBA neurons, p = 80 / N (bench/cuba_brian2.py's network)
  coba    examples/coba.nrn: 4,000 conductance-based LIF neurons (standard library
          LIFCoba), p = 0.02, 6 nS / 67 nS, exponential Euler as nrnc chooses
  brunel  examples/brunel.nrn, network BrunelAI: 12,500 neurons, p = 0.1, delay 1.5 ms,
          g = 5, eta = 2, PoissonInput of 1,000 trains (Brian2's Brunel_2000.py)
  hh      N unconnected Hodgkin-Huxley neurons (standard library HH, NEURON's hh.mod),
          a constant current 5 + 10 i / N uA/cm^2, exponential Euler
  noisy   N unconnected LIF neurons with additive white noise, Euler-Maruyama
dt 0.1 ms. Prints one line of JSON with the fields of cuba_brian2.py plus "maxrss_kib",
the peak resident memory of the compiled binary alone (run through /usr/bin/time, so
the compiler and Python do not count). With --runs K the project is built once and its
binary run K times, one JSON line per run (build_s and total_s are the first run's):

    {"model", "N", "seed", "synapses", "spikes", "rate_hz", "setup_s", "loop_s",
     "build_s", "binary_s", "total_s", "maxrss_kib"}

loop_s is Brian2's timer around Network::run (std::clock, CPU time, without OpenMP);
setup_s = binary_s - loop_s; build_s = import + code generation + C++ build.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

DEFAULT_N = {'cuba': 4000, 'coba': 4000, 'brunel': 12500, 'hh': 100000, 'noisy': 100000}


def cuba(b2, N):
    """Brette et al. (2007) benchmark 2, p = 80 / N: as bench/cuba_brian2.py."""
    from brian2 import ms, mV
    ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV, El=-49 * mV)
    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    P = b2.NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms,
                       method='exact', namespace=ns)
    P.v = 'Vr + rand() * (Vt - Vr)'
    NE = int(0.8 * N)
    Ce = b2.Synapses(P[:NE], P, on_pre='ge += 1.62*mV')
    Ci = b2.Synapses(P[NE:], P, on_pre='gi += -9*mV')
    Ce.connect(p=80.0 / N)
    Ci.connect(p=80.0 / N)
    return P, [Ce, Ci], []


def coba(b2, N):
    """Brette et al. (2007) benchmark 1 with the weights of examples/coba.nrn."""
    from brian2 import ms, mV, nS, pF
    ns = dict(C_m=200 * pF, g_L=10 * nS, E_L=-60 * mV, E_e=0 * mV, E_i=-80 * mV,
              tau_e=5 * ms, tau_i=10 * ms, v_th=-50 * mV, v_reset=-60 * mV)
    eqs = '''
    dv/dt  = (g_L*(E_L-v) + ge*(E_e-v) + gi*(E_i-v)) / C_m : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    '''
    P = b2.NeuronGroup(N, eqs, threshold='v > v_th', reset='v = v_reset', refractory=5 * ms,
                       method='exponential_euler', namespace=ns)
    P.v = '-60*mV + rand() * 10*mV'
    P.ge = '(40 + 15 * randn()) * nS'
    P.gi = '(200 + 120 * randn()) * nS'
    NE = int(0.8 * N)
    Ce = b2.Synapses(P[:NE], P, on_pre='ge += 6*nS')
    Ci = b2.Synapses(P[NE:], P, on_pre='gi += 67*nS')
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    return P, [Ce, Ci], []


def brunel(b2, N):
    """Brunel (2000) model A, asynchronous irregular (g = 5, eta = 2), as Brunel_2000.py."""
    from brian2 import ms, mV, Hz
    tau, theta, V_r, J, g, eta = 20 * ms, 20 * mV, 10 * mV, 0.1 * mV, 5, 2
    C_E = 1000
    nu_ext = eta * theta / (J * C_E * tau)
    P = b2.NeuronGroup(N, 'dv/dt = -v/tau : volt (unless refractory)', threshold='v > theta',
                       reset='v = V_r', refractory=2 * ms, method='exact',
                       namespace=dict(tau=tau, theta=theta, V_r=V_r))
    P.v = V_r
    NE = int(0.8 * N)
    Ce = b2.Synapses(P[:NE], P, on_pre='v += J', delay=1.5 * ms, namespace=dict(J=J))
    Ci = b2.Synapses(P[NE:], P, on_pre='v += -g*J', delay=1.5 * ms, namespace=dict(J=J, g=g))
    Ce.connect(p=0.1)
    Ci.connect(p=0.1)
    ext = b2.PoissonInput(P, 'v', C_E, nu_ext, weight=J)
    return P, [Ce, Ci], [ext]


def hh(b2, N):
    """The standard library's HH (hh.mod at 6.3 degC), constant current 5..15 uA/cm^2."""
    from brian2 import ms, mV, uF, cm, msiemens, uA, exprel
    ns = dict(C_m=1 * uF / cm ** 2, g_Na=120 * msiemens / cm ** 2, g_K=36 * msiemens / cm ** 2,
              g_L=0.3 * msiemens / cm ** 2, E_Na=50 * mV, E_K=-77 * mV, E_L=-54.3 * mV,
              N=N, exprel=exprel)
    eqs = '''
    I_amp = (5 + 10 * i / N) * uA/cm**2 : amp/meter**2 (constant over dt)
    dv/dt = (I_amp - g_Na*m**3*h*(v-E_Na) - g_K*n**4*(v-E_K) - g_L*(v-E_L)) / C_m : volt
    dm/dt = alpha_m*(1-m) - beta_m*m : 1
    dh/dt = alpha_h*(1-h) - beta_h*h : 1
    dn/dt = alpha_n*(1-n) - beta_n*n : 1
    alpha_m = 1/exprel(-(v+40*mV)/(10*mV)) / ms : Hz
    beta_m  = 4*exp(-(v+65*mV)/(18*mV)) / ms : Hz
    alpha_h = 0.07*exp(-(v+65*mV)/(20*mV)) / ms : Hz
    beta_h  = 1/(exp(-(v+35*mV)/(10*mV)) + 1) / ms : Hz
    alpha_n = 0.1/exprel(-(v+55*mV)/(10*mV)) / ms : Hz
    beta_n  = 0.125*exp(-(v+65*mV)/(80*mV)) / ms : Hz
    '''
    P = b2.NeuronGroup(N, eqs, threshold='v > 0*mV', refractory='v > 0*mV',
                       method='exponential_euler', namespace=ns)
    P.v = -65 * mV
    P.m = 0.0529
    P.h = 0.5961
    P.n = 0.3177
    return P, [], []


def noisy(b2, N):
    """LIF with additive white noise: tau_m 10 ms, mu 18 mV, sigma 5 mV, Euler-Maruyama."""
    from brian2 import ms, mV
    ns = dict(tau_m=10 * ms, v_rest=-70 * mV, v_th=-50 * mV, v_reset=-70 * mV, mu=18 * mV,
              sigma=5 * mV)
    eqs = 'dv/dt = (-(v - v_rest) + mu)/tau_m + sigma*sqrt(2/tau_m)*xi : volt (unless refractory)'
    P = b2.NeuronGroup(N, eqs, threshold='v > v_th', reset='v = v_reset', refractory=2 * ms,
                       method='euler', namespace=ns)
    P.v = '-70*mV + rand() * 20*mV'
    return P, [], []


def report(args, N, directory, s_mon, syns, build_s, total_s):
    """One JSON line for the binary's last run."""
    binary_s = float(b2_device().timers['run_binary'])
    loop_s = float(b2_device()._last_run_time)
    with open(os.path.join(directory, 'results', 'maxrss.txt')) as f:
        maxrss = int(f.read().split()[-1])
    spikes = int(s_mon.num_spikes)
    print(json.dumps({
        'model': args.model, 'N': N, 'seed': args.seed,
        'synapses': sum(int(len(s.i)) for s in syns),
        'spikes': spikes, 'rate_hz': round(spikes / N / args.duration_s, 4),
        'setup_s': round(binary_s - loop_s, 6), 'loop_s': round(loop_s, 6),
        'build_s': round(build_s, 3),
        'binary_s': round(binary_s, 6), 'total_s': round(total_s, 3), 'maxrss_kib': maxrss,
    }))
    sys.stdout.flush()


def b2_device():
    import brian2
    return brian2.get_device()


MODELS = {'cuba': cuba, 'coba': coba, 'brunel': brunel, 'hh': hh, 'noisy': noisy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('model', choices=sorted(MODELS))
    ap.add_argument('N', nargs='?', type=int, default=0)
    ap.add_argument('seed', nargs='?', type=int, default=1)
    ap.add_argument('duration_s', nargs='?', type=float, default=1.0)
    ap.add_argument('--runs', type=int, default=1)
    args = ap.parse_args()
    N = args.N or DEFAULT_N[args.model]

    t0 = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, second

    directory = tempfile.mkdtemp(prefix='suite_brian2_')
    b2.set_device('cpp_standalone', directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.prefs.devices.cpp_standalone.run_cmd_unix = [
        '/usr/bin/time', '-f', '%M', '-o', 'results/maxrss.txt', './main']
    b2.prefs.logging.console_log_level = 'WARNING'
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(args.seed)

    P, syns, inputs = MODELS[args.model](b2, N)
    s_mon = b2.SpikeMonitor(P)
    # an explicit Network: run()'s magic network only collects the objects that are
    # referenced by a name in the caller's frame, and would leave the synapses out
    net = b2.Network(P, s_mon, *syns, *inputs)
    net.run(args.duration_s * second)
    t_build0 = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=True, with_output=False)
    t_built = time.perf_counter()
    build_s = t_built - t_build0 - float(b2.device.timers['run_binary']) + (t_build0 - t0)
    total_s = time.perf_counter() - t0
    for run in range(args.runs):
        if run > 0:
            b2.device.run(directory, False, [])
        report(args, N, directory, s_mon, syns, build_s, total_s)
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == '__main__':
    main()
