"""ctypes declarations of the C API (runtime/nrnrt.h, installed as <nrnc/nrnrt.h>).

ORDER NRNRT_H: Options and _SIGNATURES follow nrnrt.h field by field and argument by
argument; ctypes cannot check them, so change them together with the header.
"""
import ctypes
from ctypes import POINTER, c_char_p, c_double, c_int, c_int32, c_int64, c_uint64, c_void_p

from .errors import NrncError

NRT_MODEL_SEED = 2**64 - 1      # nrnrt.h: UINT64_MAX, the seed of the simulate statement


class Options(ctypes.Structure):
    _fields_ = [("dt", c_double), ("seed", c_uint64), ("threads", c_int), ("outdir", c_char_p)]


_SIGNATURES = {
    "nrt_options_default": (None, [POINTER(Options)]),
    "nrt_sim_new": (c_void_p, [c_void_p, POINTER(Options)]),
    "nrt_last_error": (c_char_p, []),
    "nrt_sim_set": (c_int, [c_void_p, c_char_p, c_char_p]),
    "nrt_sim_advance": (c_int, [c_void_p, c_int64]),
    "nrt_sim_time": (c_double, [c_void_p]),
    "nrt_sim_dt": (c_double, [c_void_p]),
    "nrt_sim_size": (c_int64, [c_void_p, c_char_p]),
    "nrt_sim_read": (c_int64, [c_void_p, c_char_p, POINTER(c_double), c_int64]),
    "nrt_sim_write": (c_int, [c_void_p, c_char_p, POINTER(c_double), c_int64]),
    "nrt_sim_unit": (c_int, [c_void_p, c_char_p, POINTER(c_double), POINTER(c_char_p)]),
    "nrt_sim_spikes": (c_int64, [c_void_p, c_char_p, POINTER(c_int32), POINTER(c_double),
                                 c_int64]),
    "nrt_sim_inject": (c_int, [c_void_p, c_char_p, POINTER(c_int32), c_int64]),
    "nrt_sim_spike_steps": (c_int64, [c_void_p, c_char_p, POINTER(c_int32), POINTER(c_int64),
                                      c_int64]),
    "nrt_sim_error": (c_char_p, [c_void_p]),
    "nrt_sim_free": (None, [c_void_p]),
}


class Runtime:
    """The functions of nrnrt.h, as attributes without their nrt_ prefix (sim_new, ...)."""

    def __init__(self, lib, where):
        for name, (restype, argtypes) in _SIGNATURES.items():
            try:
                fn = getattr(lib, name)
            except AttributeError:
                raise NrncError(f"{where} does not export {name}(): it is not a model library "
                                f"linked against this nrnc's runtime (libnrnrt)") from None
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name[len("nrt_"):], fn)


def load_model(library, runtime=None):
    """(Runtime, the nrt_model pointer, the CDLL) of a model library. `runtime` is the
    path of this nrnc's libnrnrt.so, loaded only for a library whose own search path does
    not find it: loading it always could put two copies of the runtime in the process."""
    rt_lib = None
    try:
        lib = ctypes.CDLL(library)
    except OSError as e:
        if runtime is None:
            raise NrncError(f"cannot load the model library {library}: {e}") from None
        # RTLD_GLOBAL: the library's libnrnrt.so (or its undefined nrt_* symbols) resolve
        # to this copy
        rt_lib = ctypes.CDLL(runtime, mode=ctypes.RTLD_GLOBAL)
        try:
            lib = ctypes.CDLL(library)
        except OSError as again:
            raise NrncError(f"cannot load the model library {library}, also with {runtime} "
                            f"loaded first: {again}") from None
    try:
        nrn_model = lib.nrn_model
    except AttributeError:
        raise NrncError(f"{library} does not export nrn_model(): not built by "
                        f"`nrnc build --lib`") from None
    nrn_model.restype = c_void_p
    nrn_model.argtypes = []
    model = nrn_model()
    if not model:
        raise NrncError(f"nrn_model() of {library} returned NULL")
    # dlsym on the library's handle finds the runtime among its dependencies; a library
    # that left nrt_* to the global scope needs the runtime's own handle
    try:
        api = Runtime(lib, library)
    except NrncError:
        if rt_lib is None:
            raise
        api = Runtime(rt_lib, runtime)
    return api, model, lib
