"""docs/python.md run as a notebook, so that the page stays true.

Its ```python blocks run in order in one namespace, in a scratch folder where examples/
is the repository's and cuba-out/ is `nrnc run examples/cuba.nrn --out cuba-out` (the
folder the page reads). A block that imports matplotlib is left out (the plots are the
reader's); a ```text checked block is the exact standard output of the ```python block
just before it. Skipped (exit 77) only where nrnc has no `build --lib` yet, like
test_sim.py.

    test_docs.py NRNC WORK
"""
import contextlib
import io
import os

from common import REPO, compile_or_skip, nrnc_run, run_checks, setup

NRNC, WORK = setup()
import nrnc  # noqa: E402  (the module of this tree, put on sys.path by setup)

PAGE = REPO / "docs" / "python.md"


def blocks():
    """(kind, first line, text) of each fenced block: kind "python", "checked" or "other"."""
    found, kind, start, lines = [], None, 0, []
    for number, line in enumerate(PAGE.read_text().splitlines(), 1):
        if kind is None and line.startswith("```"):
            info = line[3:].strip()
            kind = {"python": "python", "text checked": "checked"}.get(info, "other")
            start, lines = number + 1, []
        elif kind is not None and line.strip() == "```":
            found.append((kind, start, "\n".join(lines) + "\n"))
            kind = None
        elif kind is not None:
            lines.append(line)
    return found


def check_page():
    os.symlink(REPO / "examples", WORK / "examples")
    nrnc_run(NRNC, WORK / "examples" / "cuba.nrn", WORK / "cuba-out")
    os.chdir(WORK)
    namespace, last = {}, None
    for kind, line, text in blocks():
        if kind == "python" and "matplotlib" not in text:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(text, f"{PAGE}:{line}", "exec"), namespace)
            last = (line, printed.getvalue())
        elif kind == "checked":
            assert last is not None, f"python.md:{line}: no python block before it"
            assert last[1] == text, (f"python.md:{line}: the block at line {last[0]} printed\n"
                                     f"{last[1]}instead of\n{text}")
            last = None


compile_or_skip(nrnc, REPO / "examples" / "lif.nrn")
run_checks([check_page])
