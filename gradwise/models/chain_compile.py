"""The chain step's kernel compiled by a helper process while a search trains on the layers.

numba compiles the chain step's kernel (``ops/_numba/dense_chain.train_step``) the first time
a machine uses it: about 8 s of one core (numba then keeps it in its disk cache, which later
processes read in a few hundredths of a second). A search that meets a cold cache would pay
that inside its first trial, out of its time budget: the README's ``gradwise tune --dataset
pima`` on an empty numba cache ran 17-18 trials in its 45 s, its first chain trial taking
10.7 s; with the helper below, 25-26 trials, that trial 2.6 s.

Inside a search's ``deferring(dtypes)`` block, the first fit that would train a chain asks
``compile_in_background`` for a helper process (a Python running ``chain_compile.main``) unless
numba's cache holds the kernel: the helper fits a tiny chain on numba's
kernels, so that numba compiles the kernel and writes it to its cache, on a core the search
does not use. While it runs, ``compiling()`` is true in the process that started it and
``ChainStep.plan`` keeps the layer-by-layer step there; the first fit after the helper ends
loads the kernel from the cache. Outside such a block a fit never waits for the helper (it
compiles the kernel itself if it must, as on any cold cache). The helper runs at a lower
priority (nice 10), so it takes no time from the search where the core is wanted after all.
A kernel already in the cache starts no helper; a helper that fails only means that a later
fit compiles the kernel itself. The question is asked at that first fit, not before the
search starts, so that a search on numba's kernels loads numba in its first trial as before
(a worker is ready at once).
"""

import contextlib
import os
import sys

import numpy as np

from ..ops.threads import usable_cores

_helper = None  # (the process that started it, its Popen) while a helper may still run
_deferring = 0  # how many deferring() blocks this thread of control is in
_wanted = None  # (dtypes, busy cores) of the innermost block, until its first chain fit has asked
_deferred_plans = 0  # fits that kept the layers' step while the helper compiled (defers_plan)


@contextlib.contextmanager
def deferring(dtypes=(), busy_cores=1):
    """Inside the block, the first chain fit of this process starts a helper that compiles the
    kernel for chains of `dtypes` where numba's cache lacks it (``compile_in_background``, with
    `busy_cores` the cores the block's work keeps busy), and fits keep the layers' step while a
    helper runs."""
    global _deferring, _wanted
    outer = _wanted
    _deferring += 1
    _wanted = (list(dtypes), busy_cores) if dtypes else None
    try:
        yield
    finally:
        _deferring -= 1
        _wanted = outer
        _running()  # a helper that has ended is reaped now, not left a zombie until the next search


def compiling():
    """Whether a fit should leave the kernel alone: inside ``deferring()``, while a helper started
    by this process is still compiling it."""
    return bool(_deferring) and _running()


def _running():
    """Whether a helper this process started still runs (forgotten once it has ended)."""
    global _helper
    if _helper is None:
        return False
    owner, process = _helper
    if owner != os.getpid():  # a forked child: the helper is its parent's, not its own to wait for
        return False
    if process.poll() is None:
        return True
    _helper = None
    return False


def defers_plan(kernel):
    """Whether a fit about to train a chain on `kernel` keeps the layers' step: inside
    ``deferring()``, the block's first such fit asks for a helper, and then any fit while a
    helper runs (``compiling()``). Each fit that keeps it is counted (``deferred_plans``), so a
    search can mark the trials that trained that way."""
    global _deferred_plans, _wanted
    if not _deferring:
        return False
    if _wanted is not None:
        dtypes, busy_cores = _wanted
        _wanted = None
        compile_in_background(kernel, dtypes, busy_cores)
    if compiling():
        _deferred_plans += 1
        return True
    return False


def deferred_plans():
    """How many fits of this process kept the layers' step for the helper (``defers_plan``)."""
    return _deferred_plans


def _tiny_chain(dtype):
    """A compiled three-layer chain of `dtype` and a batch for it: the kernel's signature for that dtype."""
    import gradwise as gw  # here: this module is imported while gradwise itself is (by chain_step)
    from ..layers import Dense, Dropout, Input

    model = gw.Sequential([Input((2,)), Dense(2, activation="relu"), Dropout(0.5), Dense(1, activation="sigmoid")],
                          seed=0, dtype=dtype)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.zeros((2, 2), dtype=dtype)
    y = np.zeros((2, 1), dtype=dtype)
    return model, x, y


def _signature(kernel, dtype):
    """The argument types numba compiles the kernel for when a chain of `dtype` trains."""
    from .chain_step import ChainStep, describe

    model, x, y = _tiny_chain(dtype)
    model._fused_output()  # as fit sets the output before the plan reads it
    step = ChainStep(model, kernel, model.parameter_set, *describe(model, model.parameter_set, len(x)))
    return tuple(kernel.typeof_pyval(argument) for argument in step.arguments([x], [y], [None]))


def cached(kernel, dtype):
    """Whether numba's disk cache (or this process) holds `kernel` compiled for chains of `dtype`;
    None when this numba's cache cannot be asked (its internals differ from 0.60-0.68's).

    A kernel found on the disk is loaded into `kernel` as numba's own ``Dispatcher.compile``
    loads it, so that the first fit does not read it again."""
    try:
        signature = _signature(kernel, dtype)
        if tuple(signature) in kernel.overloads:
            return True
        loaded = kernel._cache.load_overload(signature, kernel.targetctx)
    except Exception:  # noqa: BLE001 - any other numba: cannot tell, and the caller compiles as usual
        return None
    if loaded is None:
        return False
    try:
        kernel.targetctx.insert_user_function(loaded.entry_point, loaded.fndesc, [loaded.library])
        kernel.add_overload(loaded)
    except Exception:  # noqa: BLE001 - not installed: the first fit loads it from the disk itself
        pass
    return True


def _spare_cores(busy):
    """Whether this process may use more cores than the `busy` ones the search keeps occupied."""
    return usable_cores() > busy


def compile_in_background(kernel, dtypes, busy_cores, command=None):
    """Start a helper that compiles `kernel` for chains of each of `dtypes` (names), unless it is
    cached, a helper already runs, or no core is spare beyond `busy_cores`. Returns whether one started.

    `command` replaces the helper's command line (tests).
    """
    global _helper
    if kernel is None or _running() or not _spare_cores(busy_cores) or not (command or sys.executable):
        return False  # (no sys.executable: an embedded interpreter cannot start the helper)
    import subprocess  # here: `import gradwise` does not need it

    missing = [np.dtype(dtype).name for dtype in dict.fromkeys(dtypes) if cached(kernel, dtype) is False]
    if not missing:
        return False
    # the helper imports gradwise from where this process did: its module search path is this one's
    path = [os.fspath(entry) for entry in sys.path if isinstance(entry, (str, os.PathLike))]
    command = command or [sys.executable, "-c", f"import sys; sys.path[:] = {path!r}; "
                          f"from gradwise.models.chain_compile import main; main({missing!r})"]
    environment = {key: value for key, value in os.environ.items() if key != "GRADWISE_OPS"}
    try:
        process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL,
                                   start_new_session=True)  # a Ctrl-C of the search does not cut the compile short
    except OSError:
        return False
    _helper = (os.getpid(), process)
    return True


def main(dtypes):
    """The helper: one step of a tiny chain of each dtype on numba's kernels (compiles and caches them)."""
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass
    from .. import ops

    with ops.use_ops("numba"):
        for dtype in dtypes:
            model, x, y = _tiny_chain(dtype)
            model.fit(x, y, epochs=1, batch_size=2, verbose=0)

