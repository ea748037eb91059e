"""What the Python tests share: the command line (NRNC WORK), the module from python/ of
this source tree, a skip (exit 77, ctest's SKIP_RETURN_CODE) where numpy is missing, and
a small runner that runs every check and reports each failure with its message."""
import importlib.util
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIP = 77


def setup(*more):
    """(nrnc, work folder, *more) from argv (`more` names the arguments after those two),
    with nrnc for the module and a fresh work folder."""
    if len(sys.argv) != 3 + len(more):
        sys.exit(f"usage: {sys.argv[0]} NRNC WORK {' '.join(more)}".rstrip())
    if importlib.util.find_spec("numpy") is None:
        print("numpy is not installed (Debian: python3-numpy, see scripts/install-deps.sh): "
              "skipped")
        sys.exit(SKIP)
    sys.path.insert(0, str(REPO / "python"))
    nrnc = Path(sys.argv[1]).resolve()
    work = Path(sys.argv[2]).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ["NRNC"] = str(nrnc)
    # never the user's ~/.cache/nrnc: a test's libraries stay in its build tree
    os.environ["NRNC_CACHE"] = str(work / "cache")
    return (nrnc, work, *sys.argv[3:])


def nrnc_run(nrnc, model, out, *args):
    """`nrnc run MODEL --out OUT --quiet ARGS`, failing the test with its stderr."""
    cmd = [str(nrnc), "run", str(model), "--out", str(out), "--quiet", *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr}")
    return out


def compile_or_skip(nrnc, model):
    """nrnc.compile(model) (nrnc: the module), or a skip where this nrnc refuses `build
    --lib` as an unknown option (exit 2): the model-library build is not in this tree yet."""
    try:
        return nrnc.compile(model)
    except nrnc.CompileError as e:
        if e.returncode == 2 and "--lib" in e.stderr:
            print(f"this nrnc has no `build --lib` yet: skipped\n{e.stderr}")
            sys.exit(SKIP)
        raise


def run_checks(checks):
    """Runs each check (a function of no arguments); exits 1 if any failed."""
    failed = 0
    for check in checks:
        try:
            check()
            print(f"ok   {check.__name__}")
        except Exception:
            failed += 1
            print(f"FAIL {check.__name__}")
            traceback.print_exc(file=sys.stdout)
    sys.exit(1 if failed else 0)
