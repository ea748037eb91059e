"""nrnc.compile: a model file (or text) to a loaded model library, through
`nrnc build --lib`, cached.

The cache (NRNC_CACHE, default ~/.cache/nrnc) holds one folder per key, KEY/libmodel.so.
The key is a sha256 of everything the library depends on that can be seen from here: the
model's file name and text, the text of the files it imports (import "file.nrn" and
import NAME, where they can be found), the extra build options, `nrnc --version`, and the
size and time of the nrnc executable (a rebuilt nrnc of the same version must not reuse
an old library).
A library is built in a fresh folder and renamed into place, so two processes compiling
the same model never see half a file; nrnc's warnings are kept with it in warnings.txt.
"""
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from .errors import CompileError, CompileWarning, NrncError

_IMPORT = re.compile(r'^\s*import\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))', re.MULTILINE)


def find_nrnc():
    """The nrnc executable: $NRNC; then next to this package (installed, P/bin/nrnc for
    P/lib/python3/dist-packages/nrnc; or the repository's build/compiler/nrnc when used
    from python/ of a source tree); then nrnc on PATH."""
    env = os.environ.get("NRNC")
    if env:
        if not os.access(env, os.X_OK):
            raise NrncError(f"NRNC={env} is not an executable file")
        return Path(env).resolve()
    here = Path(__file__).resolve().parent
    looked = []
    for up in list(here.parents)[:4]:
        for cand in (up / "bin" / "nrnc", up / "build" / "compiler" / "nrnc"):
            looked.append(str(cand))
            if os.access(cand, os.X_OK) and cand.is_file():
                return cand
    on_path = shutil.which("nrnc")
    if on_path:
        return Path(on_path).resolve()
    raise NrncError("cannot find the nrnc executable: set NRNC=/path/to/nrnc or put it on "
                    "PATH (looked in " + ", ".join(looked) + ")")


def find_runtime(nrnc):
    """libnrnrt.so of this nrnc, if it can be found: P/lib (installed, also
    P/lib/<multiarch>) or build/runtime (a build tree); None otherwise."""
    top = nrnc.parent.parent
    for cand in [top / "lib" / "libnrnrt.so", top / "runtime" / "libnrnrt.so",
                 *sorted(top.glob("lib/*/libnrnrt.so"))]:
        if cand.is_file():
            return str(cand)
    return None


def _nrn_path():
    """The folders of NRN_PATH, which nrnc searches for imports (drv_load.c)."""
    return [Path(p) for p in os.environ.get("NRN_PATH", "").split(":") if p]


def _stdlib_dirs(nrnc):
    """Where `import NAME` comes from: NRN_PATH, then the standard library of an
    installed nrnc (P/share/nrnc/stdlib) or of a source tree (build/compiler/nrnc)."""
    top = nrnc.parent.parent
    return _nrn_path() + [top / "share" / "nrnc" / "stdlib", top.parent / "stdlib"]


def _imported_texts(text, base, nrnc, seen):
    """(path, bytes) of every file the model text imports, recursively, in import order;
    `base` is the importing file's folder. A file not found here is left to nrnc."""
    found = []
    for m in _IMPORT.finditer(text):
        if m.group(1):      # import "file.nrn": beside the importing file, then NRN_PATH
            cands = [base / m.group(1)] + [d / m.group(1) for d in _nrn_path()]
        else:               # import NAME
            cands = [d / (m.group(2) + ".nrn") for d in _stdlib_dirs(nrnc)]
        path = next((c.resolve() for c in cands if c.is_file()), None)
        if path is None or path in seen:
            continue
        seen.add(path)
        data = path.read_bytes()
        found.append((str(path), data))
        found += _imported_texts(data.decode("utf-8", "replace"), path.parent, nrnc, seen)
    return found


def _version(nrnc):
    r = subprocess.run([str(nrnc), "--version"], capture_output=True, text=True)
    if r.returncode != 0:
        raise NrncError(f"{nrnc} --version failed (exit {r.returncode}): {r.stderr.strip()}")
    return r.stdout


def _cache_key(nrnc, name, text, base, options):
    h = hashlib.sha256()

    def part(label, data):
        # length-prefixed, so that different parts never make the same bytes to hash
        data = data if isinstance(data, bytes) else data.encode()
        h.update(f"{label} {len(data)}\n".encode())
        h.update(data)

    st = nrnc.stat()
    part("nrnc", f"{_version(nrnc)}{st.st_size} {st.st_mtime_ns}")
    part("options", "\0".join(options))
    # the name as given: the library keeps it for summary.json's "model"
    part("name", name)
    part("model", text)
    for name, data in _imported_texts(text.decode("utf-8", "replace"), base, nrnc, set()):
        part("import " + name, data)
    return h.hexdigest()


def cache_dir():
    env = os.environ.get("NRNC_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "nrnc"


def build_library(source, options=()):
    """The path of the model library for `source` (a path, or model text with a newline),
    built by `nrnc build --lib` unless the cache has it; returns (library, nrnc)."""
    nrnc = find_nrnc()
    options = [str(o) for o in options]
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no model file {str(path)!r} (nrnc.compile takes a path "
                                    f"or the text of a model)")
        text, base = path.read_bytes(), path.resolve().parent
    elif isinstance(source, str):
        # A model given as text imports "file.nrn" relative to the working directory.
        path, text, base = None, source.encode(), Path.cwd()
    else:
        raise TypeError(f"nrnc.compile takes a path or model text, got {type(source).__name__}")
    root = cache_dir()
    final = root / _cache_key(nrnc, "" if path is None else str(path), text, base, options)
    library = final / "libmodel.so"
    if library.is_file():
        _warn(final)
        return library, nrnc
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        if path is None:
            path = work / "model.nrn"
            path.write_bytes(text)
            env = dict(os.environ, NRN_PATH=":".join(map(str, [base] + _nrn_path())))
        else:
            env = None
        cmd = [str(nrnc), "build", "--lib", str(path), "-o", str(work / "libmodel.so"), *options]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            message = r.stderr.strip() or f"exited with code {r.returncode} and no message"
            raise CompileError(message, r.returncode, r.stderr)
        # kept beside the library, so that a cached build warns as the first one did
        (work / "warnings.txt").write_text(r.stderr)
        try:
            os.rename(work, final)
        except OSError:
            if not library.is_file():       # not another process that finished first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _warn(final)
    return library, nrnc


def _warn(folder):
    """nrnc's warnings about the model (its stderr when it succeeded) as a Python warning."""
    try:
        text = (folder / "warnings.txt").read_text().rstrip()
    except FileNotFoundError:
        return
    if text:
        warnings.warn(text, CompileWarning, stacklevel=4)
