"""The array seam: which implementation runs the numeric kernels of layers and optimizers.

``get_ops()`` is the implementation in use. It is chosen, on first use, from the
``GRADWISE_OPS`` environment variable (a registered name: "numba" or "numpy"), else the
first available of ``DEFAULT_ORDER``: numba's compiled kernels when numba is installed,
NumPy's otherwise; ``set_ops(name)`` changes it for the process and
``use_ops(name)`` for a block::

    import gradwise
    gradwise.ops.set_ops("numpy")          # NumPy kernels only
    with gradwise.ops.use_ops("numpy"):
        model.fit(x, y)

An implementation is a subclass of ``Ops`` (see ``gradwise.ops.base``); defining one
registers it under its ``name``.
"""

import contextlib
import os

from .. import registry
from .base import Ops
from .numba_ops import NumbaOps
from .numpy_ops import NumpyOps

__all__ = ["Ops", "NumpyOps", "NumbaOps", "get_ops", "set_ops", "use_ops", "available_ops", "chosen",
           "ENVIRONMENT_VARIABLE"]

ENVIRONMENT_VARIABLE = "GRADWISE_OPS"
# The default: the first of these whose implementation can run here.
DEFAULT_ORDER = ("numba", "numpy")

_current = None
_chosen = False  # set_ops or a use_ops block named the implementation (get_ops's own choice does not count)


def available_ops():
    """The names of the registered implementations that can run in this process."""
    return sorted(cls.name for cls in registry.classes("ops") if cls.available())


def _resolve(ops, where):
    """An Ops instance from an instance, a class or a registered name."""
    if isinstance(ops, Ops):
        return ops
    if isinstance(ops, type) and issubclass(ops, Ops):
        cls = ops
    elif isinstance(ops, str):
        try:
            cls = registry.lookup("ops", ops.strip(), names=registry.names("ops"))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
    else:
        raise TypeError(f"{where}: expected an Ops name such as 'numpy', an Ops subclass or instance, got {ops!r}.")
    if not cls.available():
        raise ValueError(
            f"{where}: the {cls.name!r} ops cannot run here ({cls.unavailable_reason()}); "
            f"available: {', '.join(available_ops())}."
        )
    return cls()


def _default():
    name = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if name:
        return _resolve(name, f"the environment variable {ENVIRONMENT_VARIABLE}")
    for candidate in DEFAULT_ORDER:
        cls = registry.lookup("ops", candidate)
        if cls.available():
            return cls()
    return NumpyOps()


def chosen():
    """Whether the user chose the implementation: the environment variable, ``set_ops`` or a
    ``use_ops`` block (get_ops's default choice does not count). A library picking kernels
    for its own work (the tuner for a small search) leaves a user's choice alone."""
    return _chosen or bool(os.environ.get(ENVIRONMENT_VARIABLE, "").strip())


def get_ops():
    """The Ops implementation in use (chosen on first call, see the module docstring)."""
    global _current
    if _current is None:
        _current = _default()
    return _current


def set_ops(ops):
    """Use `ops` (a registered name, an Ops subclass or instance) from now on; None
    returns to the default choice. Returns the implementation now in use."""
    global _current, _chosen
    _current = None if ops is None else _resolve(ops, "set_ops")
    _chosen = ops is not None
    return get_ops()


@contextlib.contextmanager
def use_ops(ops):
    """Use `ops` inside the block, then the implementation that was in use before."""
    global _current, _chosen
    previous = _current, _chosen
    _current, _chosen = _resolve(ops, "use_ops"), True
    try:
        yield _current
    finally:
        _current, _chosen = previous



def __getattr__(name):
    """A submodule not imported yet (``from ..ops import model_threads``), else Keras's
    ``keras.ops`` math (``ops.sigmoid``, ``ops.mean``, ...), eager on NumPy: see keras_ops.py."""
    import importlib

    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise
    function = importlib.import_module(f"{__name__}.keras_ops").lookup(name)
    if function is None:
        raise AttributeError(f"module 'gradwise.ops' has no attribute {name!r}")
    return function
