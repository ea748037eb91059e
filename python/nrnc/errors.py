"""The exceptions of the nrnc module."""


class NrncError(Exception):
    """Base of the errors this module raises for nrnc's own reasons."""


class CompileError(NrncError):
    """`nrnc build --lib` failed: the model has errors (returncode 1) or the command line
    was refused (2). The message is nrnc's diagnostics, as it printed them."""

    def __init__(self, message, returncode=None, stderr=""):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


class SimulationError(NrncError):
    """A call into the runtime failed; the message is the runtime's (nrt_sim_error)."""


class CompileWarning(UserWarning):
    """nrnc's warnings about a model it compiled (e.g. a duration rounded up to whole
    steps), given again each time the cached library is used."""
