"""nrnc.compile and Simulation against `nrnc run` of the same model (API.md: advancing k
steps then m steps gives the result of k + m, and the spikes of `nrnc run` with the same
options). Spikes are compared exactly: the same neuron indices and the same doubles as
spikes.csv holds, which Simulation.spikes reproduces by printing times as the files do.

A small CUBA network (random initial v, random connectivity) so that the seed, a param
and the initial state each change the spikes.

Skipped (exit 77) only where this nrnc refuses `build --lib` as an unknown option (exit
2), i.e. before the model-library build exists.

    test_sim.py NRNC WORK
"""
import os
import warnings

from common import compile_or_skip, nrnc_run, run_checks, setup

NRNC, WORK = setup()
import numpy as np  # noqa: E402  (after setup, which skips without numpy)
import nrnc  # noqa: E402  (the module of this tree, put on sys.path by setup)

MODEL_TEXT = """\
import lif_cuba

network Small {
    population E = LIFCuba[320]
    population I = LIFCuba[80]
    E.v = uniform(-60 mV, -50 mV)
    I.v = uniform(-60 mV, -50 mV)
    connect E -> E, I {
        rule   prob(0.2)
        weight 1.62 mV
        on_pre { post.ge += w }
    }
    connect I -> E, I {
        rule   prob(0.2)
        weight -9 mV
        on_pre { post.gi += w }
    }
    record spikes of E, I
}

simulate Small for 300 ms dt 0.1 ms seed 1
"""
STEPS = 3000
SEED = 5
POPS = ("E", "I")
MODEL = WORK / "small.nrn"
MODEL.write_text(MODEL_TEXT)

compiled = compile_or_skip(nrnc, MODEL)


def reference(name, *args):
    """Spikes of `nrnc run` of the model with the given extra options."""
    out = WORK / name
    if not out.exists():
        nrnc_run(NRNC, MODEL, out, "--threads", 1, *args)
    return nrnc.read(out).spikes


def collect(sim, chunks):
    """Advances by each chunk in turn, fetching spikes after each; the concatenation."""
    got = {pop: ([], []) for pop in POPS}
    for steps in chunks:
        sim.advance(steps)
        for pop in POPS:
            idx, t = sim.spikes(pop)
            got[pop][0].append(idx)
            got[pop][1].append(t)
    return {pop: (np.concatenate(i), np.concatenate(t)) for pop, (i, t) in got.items()}


def same_spikes(a, b):
    return all(np.array_equal(a[p][0], b[p][0]) and np.array_equal(a[p][1], b[p][1])
               for p in POPS)


def assert_same(got, want, what):
    for pop in POPS:
        (gi, gt), (wi, wt) = got[pop], want[pop]
        assert gi.dtype == np.int32 and gt.dtype == np.float64, (gi.dtype, gt.dtype)
        assert len(gi) == len(wi), f"{what}: {pop} has {len(gi)} spikes, nrnc run {len(wi)}"
        assert np.array_equal(gi, wi), f"{what}: {pop} spike indices differ from nrnc run"
        assert np.array_equal(gt, wt), f"{what}: {pop} spike times differ from nrnc run"


def chunks_of(k, m):
    """k, m, k, m, ... adding up to STEPS."""
    out, left = [], STEPS
    while left > 0:
        out.append(min(left, (k, m)[len(out) % 2]))
        left -= out[-1]
    return out


def check_chunks_match_run():
    want = reference("seed5", "--seed", SEED)
    assert all(len(want[p][0]) > 50 for p in POPS), "too few spikes for a test"
    for k, m in ((37, 250), (1, 999), (STEPS, 0)):
        with compiled.simulation(seed=SEED) as s:
            assert_same(collect(s, chunks_of(k, m)), want, f"chunks of {k} and {m}")
            assert s.steps == STEPS and s.time == 300.0, (s.steps, s.time)


def check_run_duration_and_threads():
    want = reference("seed5", "--seed", SEED)
    for threads in (1, 2):
        with compiled.simulation(seed=SEED, threads=threads) as s:
            s.run("300 ms")
            assert_same(collect(s, [0]), want, f"run('300 ms') on {threads} threads")


def check_seeds():
    with compiled.simulation() as s:            # the simulate statement's seed 1
        assert_same(collect(s, [STEPS]), reference("seed-model"), "the model's seed")
    with compiled.simulation(seed=SEED + 1) as s:
        other = collect(s, [STEPS])
    assert not same_spikes(other, reference("seed5", "--seed", SEED)), "the seed changed nothing"


def check_set_param():
    want = reference("tau15", "--seed", SEED, "--set", "E.tau_m=15ms")
    assert not same_spikes(want, reference("seed5", "--seed", SEED)), "tau_m changed nothing"
    with compiled.simulation(seed=SEED) as s:
        s.set("E.tau_m", "15 ms")
        # "15 ms" is 0.015 s, shown in ms again: a division that may round once
        assert np.allclose(s.get("E.tau_m"), 15, rtol=1e-15, atol=0), s.get("E.tau_m")[:5]
        assert_same(collect(s, [STEPS]), want, "set('E.tau_m', '15 ms')")


def check_get_set_values():
    with compiled.simulation(seed=SEED) as s:
        assert s.unit("E.v") == ("mV", 1e-3), s.unit("E.v")
        assert s.size("E") == 320 and s.size("I") == 80
        v = s.get("E.v")
        assert v.shape == (320,) and v.dtype == np.float64
        assert np.all((v >= -60) & (v <= -50)), "E.v is not uniform in [-60 mV, -50 mV]"
        assert len(np.unique(v)) > 300, "E.v is not drawn per neuron"
        s.set_values("E.v", v + 0.5)
        # scale and unscale by 1e-3 may each round once
        assert np.allclose(s.get("E.v"), v + 0.5, rtol=1e-15, atol=0)
        s.advance(10)
        s.set_values("E.ge", 2.0)               # one value for every neuron
        assert np.allclose(s.get("E.ge"), 2.0, rtol=1e-15, atol=0)


def check_set_values_like_set():
    # writing v before the first step is --set E.v=-55mV: the same spikes
    want = reference("v55", "--seed", SEED, "--set", "E.v=-55mV")
    with compiled.simulation(seed=SEED) as s:
        s.set_values("E.v", np.full(320, -55.0))
        assert_same(collect(s, [STEPS]), want, "set_values('E.v', -55 mV)")


def check_instances_independent():
    a, b = compiled.simulation(seed=SEED), compiled.simulation(seed=SEED)
    try:
        got_a = collect(a, chunks_of(100, 300))
        b.advance(STEPS)
        assert same_spikes(got_a, collect(b, [0])), "two instances of one model differ"
    finally:
        a.close()
        b.close()


def check_inject():
    with compiled.simulation(seed=SEED) as s:
        s.advance(100)
        s.spikes("E")
        s.inject("E", [9, 4, 9])
        s.advance(1)
        idx, t = s.spikes("E")
        assert {4, 9} <= set(idx.tolist()) and len(set(idx.tolist())) == len(idx), idx
        assert all(x == 10.1 for x in t.tolist()), t
        expect_raise(nrnc.SimulationError, ["not in population"], s.inject, "E", [320])


def check_output_folder():
    out = WORK / "from-python"
    with compiled.simulation(seed=SEED, out=out) as s:
        s.run(0.3)                              # seconds
    assert_same(nrnc.read(out).spikes, reference("seed5", "--seed", SEED), "out=")


def expect_raise(kind, words, fn, *args):
    try:
        fn(*args)
    except kind as e:
        for w in words:
            assert w in str(e), f"{kind.__name__} message lacks {w!r}: {e}"
        assert str(e), f"{kind.__name__} without a message"
        return str(e)
    raise AssertionError(f"{fn.__name__}{args} did not raise {kind.__name__}")


def check_errors():
    with compiled.simulation(seed=SEED) as s:
        expect_raise(nrnc.SimulationError, ["no_such"], s.set, "E.no_such", "1 ms")
        expect_raise(nrnc.SimulationError, ["Xpop"], s.get, "Xpop.v")
        expect_raise(nrnc.SimulationError, ["nope"], s.get, "E.nope")
        expect_raise(ValueError, ["POP.VAR"], s.get, "v")
        expect_raise(ValueError, ["unit"], s.run, "300")
        expect_raise(ValueError, ["320 values"], s.set_values, "E.v", np.zeros(3))
        s.advance(1)
        expect_raise(nrnc.SimulationError, [], s.set, "E.tau_m", "12 ms")  # too late
    expect_raise(ValueError, ["closed"], s.advance, 1)
    expect_raise(ValueError, ["parsec"], compiled.simulation, None, 1, "2 parsec")
    broken = MODEL_TEXT.replace("post.ge", "post.gx", 1)
    e = expect_raise(nrnc.CompileError, ["error:"], nrnc.compile, broken)
    assert "model.nrn:" in e, f"the diagnostic has no file:line: {e}"
    expect_raise(FileNotFoundError, ["no-such.nrn"], nrnc.compile, str(WORK / "no-such.nrn"))


def check_cache():
    library = compiled.library
    before = os.stat(library).st_mtime_ns
    again = nrnc.compile(MODEL)
    assert again.library == library, (again.library, library)
    assert os.stat(library).st_mtime_ns == before, "the cached library was rebuilt"
    as_text = nrnc.compile(MODEL_TEXT).library
    assert as_text != library, "a text and a file share a library (and its model name)"
    assert nrnc.compile(MODEL_TEXT).library == as_text, "the same text built twice"
    changed = nrnc.compile(MODEL_TEXT + "# another text, another library\n")
    assert changed.library not in (library, as_text)


def check_duration_rounding():
    with compiled.simulation(seed=SEED) as s, warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s.run("0.25 ms")                        # 2.5 steps: 3, as nrnc run does
        assert s.steps == 3 and s.time == 0.3, (s.steps, s.time)
        assert any("not a multiple of dt" in str(x.message) for x in w), [str(x) for x in w]


run_checks([check_chunks_match_run, check_run_duration_and_threads, check_seeds,
            check_set_param, check_get_set_values, check_set_values_like_set,
            check_instances_independent, check_inject, check_output_folder, check_errors, check_cache,
            check_duration_rounding])
