"""The module's ctypes side against fake_model.c, a stand-in for a model library and its
runtime whose behaviour is known in closed form: neuron i of P (5 neurons) spikes at the
end of every step k with k % (i + 1) == 0. This checks the declarations of nrnrt.h in
_lib.py, the unit scaling, spikes fetched in chunks, exact times and the error messages,
without the compiler.

    test_binding.py NRNC WORK FAKE_LIBRARY
"""
import math
import os
import warnings

from common import run_checks, setup

NRNC, WORK, FAKE = setup("FAKE_LIBRARY")
import numpy as np  # noqa: E402  (after setup, which skips without numpy)
import nrnc  # noqa: E402  (the module of this tree, put on sys.path by setup)

MODEL = nrnc.Model(FAKE)


def expected_spikes(first, last):
    """(idx, step) of the fake's spikes at steps first..last, in step then index order."""
    pairs = [(i, k) for k in range(first, last + 1) for i in range(5) if k % (i + 1) == 0]
    return np.array([i for i, _ in pairs], dtype=np.int32), np.array([k for _, k in pairs])


def check_spikes_in_chunks():
    # 40,000 steps make 91,333 spikes: more than one fetch of 65,536
    with MODEL.simulation() as s:
        s.advance(40000)
        idx, t = s.spikes("P")
        want_idx, want_steps = expected_spikes(1, 40000)
        assert len(idx) > 65536, len(idx)
        assert idx.dtype == np.int32 and t.dtype == np.float64
        assert np.array_equal(idx, want_idx), "spike indices or order differ"
        assert np.array_equal(t, want_steps / 10), "spike times differ"   # dt = 0.1 ms
        assert len(s.spikes("P")[0]) == 0, "spikes came twice"
        s.advance(3)
        idx, t = s.spikes("P")
        assert idx.tolist() == expected_spikes(40001, 40003)[0].tolist()


def check_exact_times():
    with MODEL.simulation() as s:
        s.advance(161)
        _, t = s.spikes("P")
        # 161 · 1e-4 s · 1e3 is 16.100000000000001; the files print 16.1
        assert t[-1] == 16.1, repr(t[-1])
        assert s.time == 16.1 and s.steps == 161 and s.dt == 0.1, (s.time, s.steps, s.dt)
    with MODEL.simulation(dt="0.05 ms") as s:
        s.run("1 ms")
        assert s.steps == 20 and s.dt == 0.05 and s.time == 1.0, (s.steps, s.dt, s.time)
    with MODEL.simulation(dt=2.5e-5) as s:
        assert s.dt == 0.025, s.dt


def check_units():
    with MODEL.simulation() as s:
        assert s.unit("P.v") == ("mV", 1e-3) and s.size("P") == 5
        v = s.get("P.v")
        assert np.allclose(v, -65, rtol=1e-15, atol=0), v
        s.set_values("P.v", np.arange(5) - 70.0)
        assert np.allclose(s.get("P.v"), np.arange(5) - 70.0, rtol=1e-15, atol=0)
        s.set_values("P.v", -50)
        assert np.allclose(s.get("P.v"), -50, rtol=1e-15, atol=0)
        s.set("P.tau", "12 ms")
        assert np.allclose(s.get("P.tau"), 12, rtol=1e-15, atol=0)


def check_seed():
    with MODEL.simulation() as s:
        assert s.get("P.seed")[0] == float(2**64 - 1), "seed=None is not NRT_MODEL_SEED"
    with MODEL.simulation(seed=7) as s:
        assert s.get("P.seed")[0] == 7


def expect(kind, text, fn, *args):
    try:
        fn(*args)
    except kind as e:
        assert text in str(e), f"{kind.__name__}: {e!s} lacks {text!r}"
        return
    raise AssertionError(f"{fn.__name__}{args} did not raise {kind.__name__}")


def check_errors():
    expect(nrnc.SimulationError, "writes no files", MODEL.simulation, None, 1, None, WORK)
    with MODEL.simulation() as s:
        expect(nrnc.SimulationError, "no population 'Q'", s.spikes, "Q")
        expect(nrnc.SimulationError, "no variable 'Q.v'", s.get, "Q.v")
        expect(nrnc.SimulationError, "no variable 'P.w'", s.get, "P.w")
        expect(nrnc.SimulationError, "there is no population 'R'", s.size, "R")
        expect(nrnc.SimulationError, "no param 'P.v'", s.set, "P.v", "1 mV")
        expect(ValueError, "5 values", s.set_values, "P.v", [1, 2])
        expect(ValueError, "POP.VAR", s.get, "P")
        expect(ValueError, "needs a unit", s.run, "10")
        expect(ValueError, "unknown time unit", s.run, "10 parsec")
        expect(ValueError, "at least 0", s.advance, -1)
        s.advance(1)
        expect(nrnc.SimulationError, "too late", s.set, "P.tau", "12 ms")
        v = s.get("P.v")
        v[3] = math.nan
        s.set_values("P.v", v)
        expect(nrnc.SimulationError, "P.v of neuron 3 is NaN at t = 0.1 ms", s.advance, 1)
    expect(ValueError, "closed", s.advance, 1)
    expect(ValueError, "seed", MODEL.simulation, -1)


# `nrnc build --lib MODEL -o OUT` played by a script: the stand-in library, a warning, a
# line in the log per build, and exit 1 with a diagnostic for a model saying "broken".
FAKE_NRNC = """#!/bin/sh
case $1 in
--version) echo "nrnc fake" ;;
build)
    [ "$2" = --lib ] && [ "$4" = -o ] || exit 2
    if grep -q broken "$3"; then echo "$3:1:1: error: a broken model" >&2; exit 1; fi
    cp "$FAKE_LIBRARY" "$5"
    echo "$3:1:1: warning: a fake warning" >&2
    echo "$3" >> "$BUILD_LOG" ;;
*) exit 2 ;;
esac
"""


def check_compile_cache():
    script, log = WORK / "fake-nrnc", WORK / "builds.log"
    script.write_text(FAKE_NRNC)
    script.chmod(0o755)
    (WORK / "part.nrn").write_text("# imported\n")
    model = WORK / "top.nrn"
    model.write_text('import "part.nrn"\n')
    saved = dict(os.environ)
    os.environ.update(NRNC=str(script), NRNC_CACHE=str(WORK / "fake-cache"),
                      FAKE_LIBRARY=FAKE, BUILD_LOG=str(log))

    def compile_warns(source):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = nrnc.compile(source)
        assert any(x.category is nrnc.CompileWarning and "a fake warning" in str(x.message)
                   for x in w), [str(x.message) for x in w]
        return m

    try:
        first = compile_warns(model)
        assert compile_warns(model).library == first.library
        assert len(log.read_text().splitlines()) == 1, "a cached model was built again"
        with first.simulation() as s:       # the cached library is a usable model
            assert s.size("P") == 5
        (WORK / "part.nrn").write_text("# imported, changed\n")
        assert compile_warns(model).library != first.library, "an import changed, no rebuild"
        text = compile_warns('import "part.nrn"\n# given as text\n')
        assert text.library != first.library
        assert len(log.read_text().splitlines()) == 3
        expect(nrnc.CompileError, "error: a broken model", nrnc.compile, "broken\n")
        try:
            nrnc.compile("broken\n")
        except nrnc.CompileError as e:
            assert e.returncode == 1 and "a broken model" in e.stderr
    finally:
        os.environ.clear()
        os.environ.update(saved)


run_checks([check_spikes_in_chunks, check_exact_times, check_units, check_seed,
            check_errors, check_compile_cache])
