"""nrnc from Python: compile a model into a library and drive it step by step, or read the
output folder of a run (docs/python.md; the contract is API.md).

    import nrnc
    m = nrnc.compile("model.nrn")        # `nrnc build --lib`, cached
    with m.simulation(seed=1) as s:
        s.set("E.tau_m", "12 ms")
        s.run("200 ms")
        idx, t_ms = s.spikes("E")
    res = nrnc.read("nrn-out")

Only ctypes and numpy are needed; importing compiles nothing. The nrnc executable is
$NRNC, else the one installed beside this package, else nrnc on PATH.
"""
from ._build import build_library, find_runtime
from .errors import CompileError, CompileWarning, NrncError, SimulationError
from .output import Output, Trace, read
from .sim import Model, Simulation

__all__ = ["compile", "read", "Model", "Simulation", "Output", "Trace", "NrncError",
           "CompileError", "CompileWarning", "SimulationError"]


def compile(model, options=()):
    """A Model from a .nrn file (a path) or the text of a model (a string with a newline),
    built with `nrnc build --lib MODEL` plus `options` (e.g. ["--network", "Net"]) and
    cached by the model's text, its imports and nrnc's version. Raises CompileError with
    nrnc's diagnostics when the model has errors (a text is compiled as model.nrn in a
    scratch folder of the cache, so that is the file they name); nrnc's warnings come as
    CompileWarning."""
    library, nrnc = build_library(model, options)
    return Model(library, runtime=find_runtime(nrnc),
                 source=None if isinstance(model, str) and "\n" in model else str(model))
