"""Model and Simulation: a compiled model library driven through the C API (nrnrt.h).

The C API speaks SI (seconds, volts); this side speaks what the output files speak: times
in ms, and each variable in the unit it was declared with (nrt_sim_unit's scale), so that
s.get("E.v") compares directly with trace_E_v.csv and spike times with spikes.csv.
"""
import ctypes
import os

import numpy as np

from . import _time
from ._lib import NRT_MODEL_SEED, Options, load_model
from .errors import SimulationError

_SPIKE_CHUNK = 65536     # spikes fetched per nrt_sim_spikes call, at most
_SPIKE_FIRST = 1024      # ... in the first call


class Model:
    """A compiled model (one loaded library); any number of Simulations of it may exist."""

    def __init__(self, library, runtime=None, source=None):
        self.library = str(library)
        self.source = source
        self._api, self._model, self._lib = load_model(self.library, runtime)

    def __repr__(self):
        return f"<nrnc.Model {self.source or self.library}>"

    def simulation(self, seed=None, threads=1, dt=None, out=None):
        """A new instance: seed None is the model's own (its simulate statement), dt None
        the model's (else seconds, or a string such as "0.05 ms"), threads 0 all cores,
        out a folder to write the output files into (None: no files)."""
        return Simulation(self, seed, threads, dt, out)


class Simulation:
    """One instance of a model. Close it (or use `with`) to write its output files."""

    def __init__(self, model, seed, threads, dt, out):
        self.model = model
        self._api = model._api
        self._sim = None
        self._spike_buf = None
        opt = Options()
        self._api.options_default(ctypes.byref(opt))
        opt.seed = NRT_MODEL_SEED if seed is None else _seed(seed)
        opt.threads = int(threads)
        opt.dt = 0.0 if dt is None else _time.seconds(dt, "dt")
        if dt is not None and opt.dt <= 0:
            raise ValueError(f"dt must be positive, got {dt!r}")
        # kept on self: the runtime may hold on to the folder name
        self._outdir = None if out is None else os.fsencode(out)
        opt.outdir = self._outdir
        sim = self._api.sim_new(model._model, ctypes.byref(opt))
        if not sim:
            raise SimulationError(_text(self._api.last_error()) or "nrt_sim_new failed")
        self._sim = sim
        self._dt_s = self._api.sim_dt(sim)
        self._dt_ms = _time.dt_ms(self._dt_s)

    def __repr__(self):
        state = "closed" if self._sim is None else f"at {self.time} ms"
        return f"<nrnc.Simulation of {self.model.source or self.model.library}, {state}>"

    # -- life --------------------------------------------------------------------------

    def close(self):
        """Writes and closes the output files (if any) and frees the instance."""
        if self._sim is not None:
            self._api.sim_free(self._sim)
            self._sim = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_sim", None) is not None:
            self.close()

    def _handle(self):
        if self._sim is None:
            raise ValueError("this simulation is closed")
        return self._sim

    def _fail(self, fallback):
        """Raises with the runtime's message, or `fallback` where it left none."""
        raise SimulationError(_text(self._api.sim_error(self._sim)) or fallback)

    # -- time --------------------------------------------------------------------------

    @property
    def dt(self):
        """The step in ms."""
        return self._dt_ms

    @property
    def steps(self):
        """Steps done so far."""
        return round(self._api.sim_time(self._handle()) / self._dt_s)

    @property
    def time(self):
        """The time simulated so far, in ms (as the files print it)."""
        return float(_time.ms_of_steps(self.steps, self._dt_ms))

    def advance(self, steps):
        """Runs `steps` steps of dt."""
        steps = int(steps)
        if steps < 0:
            raise ValueError(f"advance needs a number of steps of at least 0, got {steps}")
        if self._api.sim_advance(self._handle(), steps) < 0:
            self._fail(f"advancing {steps} steps failed")

    def run(self, duration):
        """Runs for a duration: seconds, or a string such as "200 ms"; it becomes whole steps
        of dt as in `nrnc run --duration` (rounded up, with a warning, if not a multiple)."""
        self.advance(_time.steps_for(_time.seconds(duration, "duration"), self._dt_s))

    # -- parameters and states ---------------------------------------------------------

    def set(self, name, value):
        """Like --set: set("E.tau_m", "12 ms") (or a name all populations share), before the
        first step; the value is a string with its unit, where the quantity has one."""
        if self._api.sim_set(self._handle(), _bytes(name), _bytes(str(value))) < 0:
            self._fail(f"cannot set {name} to {value!r}")

    def size(self, pop):
        """The number of neurons of a population."""
        n = self._api.sim_size(self._handle(), _bytes(pop))
        if n < 0:
            # nrt_sim_size leaves no message (nrnrt.h): the last one would be stale
            raise SimulationError(f"there is no population {pop!r}")
        return n

    def unit(self, name):
        """(unit text, SI value of one unit) of "POP.VAR": ("mV", 0.001)."""
        scale = ctypes.c_double()
        text = ctypes.c_char_p()
        if self._api.sim_unit(self._handle(), _bytes(name), ctypes.byref(scale),
                              ctypes.byref(text)) < 0:
            self._fail(f"no variable {name!r}")
        return _text(text.value), scale.value

    def get(self, name):
        """A state, input or param of every neuron, "POP.VAR", in its declared unit."""
        pop = _pop_of(name)
        _, scale = self.unit(name)          # before size: its message names what is missing
        n = self.size(pop)
        out = np.empty(n, dtype=np.float64)
        got = self._api.sim_read(self._sim, _bytes(name),
                                 out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), n)
        if got < 0:
            self._fail(f"cannot read {name!r}")
        return out[:got] / scale

    def set_values(self, name, values):
        """Sets a state or param of every neuron, "POP.VAR", from values in its declared
        unit (one per neuron, or one for all); between steps."""
        pop = _pop_of(name)
        _, scale = self.unit(name)
        n = self.size(pop)
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 0:
            values = np.full(n, values)
        if values.shape != (n,):
            raise ValueError(f"{name}: expected {n} values (one per neuron), got shape "
                             f"{values.shape}")
        si = np.ascontiguousarray(values * scale)
        if self._api.sim_write(self._sim, _bytes(name),
                               si.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), n) < 0:
            self._fail(f"cannot write {name!r}")

    # -- spikes ------------------------------------------------------------------------

    def _spike_buffers(self):
        if self._spike_buf is None:
            idx = np.empty(_SPIKE_FIRST, dtype=np.int32)
            step = np.empty(_SPIKE_FIRST, dtype=np.int64)
            self._spike_buf = (idx, step, idx.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                               step.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)))
        return self._spike_buf

    def inject(self, pop, neurons):
        """Makes the given neurons of `pop` spike in the next step (an external stimulus:
        delivered and recorded like any spike, without their reset)."""
        idx = np.ascontiguousarray(np.atleast_1d(np.asarray(neurons, dtype=np.int32)))
        if self._api.sim_inject(self._handle(), _bytes(pop),
                                idx.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), idx.size) < 0:
            self._fail(f"cannot inject spikes into {pop!r}")

    def spikes(self, pop):
        """(neuron indices int32, times in ms float64) of the spikes of `pop` since the
        last call, in time then index order."""
        sim = self._handle()
        name = _bytes(pop)
        # A closed loop takes a few spikes at a time: one reused buffer of _SPIKE_FIRST
        # (its ctypes pointers made once), copied out; larger ones while they come back
        # full. The runtime gives each spike's step, which becomes the exact ms of the
        # files here.
        idx_buf, step_buf, idx_ptr, step_ptr = self._spike_buffers()
        got = self._api.sim_spike_steps(sim, name, idx_ptr, step_ptr, _SPIKE_FIRST)
        if got < 0:
            self._fail(f"cannot fetch the spikes of {pop!r}")
        idx, steps = idx_buf[:got].copy(), step_buf[:got]
        if got == _SPIKE_FIRST:
            idx_parts, step_parts = [idx], [steps.copy()]
            chunk = _SPIKE_FIRST
            while got == chunk:
                chunk = min(2 * chunk, _SPIKE_CHUNK)
                i = np.empty(chunk, dtype=np.int32)
                st = np.empty(chunk, dtype=np.int64)
                got = self._api.sim_spike_steps(sim, name,
                                                i.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                                                st.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                                                chunk)
                if got < 0:
                    self._fail(f"cannot fetch the spikes of {pop!r}")
                idx_parts.append(i[:got])
                step_parts.append(st[:got])
            idx, steps = np.concatenate(idx_parts), np.concatenate(step_parts)
        return idx, _time.ms_of_steps(steps, self._dt_ms, ascending=True)

def _bytes(s):
    if not isinstance(s, str):
        raise TypeError(f"expected a string, got {type(s).__name__}")
    return s.encode()


def _text(b):
    return b.decode(errors="replace") if b else ""


def _pop_of(name):
    pop, dot, var = name.partition(".") if isinstance(name, str) else (None, "", "")
    if not dot or not pop or not var:
        raise ValueError(f"expected POP.VAR, such as 'E.v', got {name!r}")
    return pop


def _seed(seed):
    seed = int(seed)
    if not 0 <= seed < NRT_MODEL_SEED:
        raise ValueError(f"seed must be an integer in [0, 2**64 - 1), got {seed}")
    return seed
