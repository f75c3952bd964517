"""Warm the compiled kernels a study's models use, in the tuner's process, before workers start.

numba compiles a kernel the first time it is called with new argument types and keeps
the machine code on disk (``cache=True``); every later process only loads it. Warming
trains the models of the probe draws (the ones ``study.probe_space`` builds) for one
step, and validates it, on the first rows of the training data, so that:

- a machine compiles each kernel once, here, and never inside a trial;
- worker processes forked from this process inherit the loaded kernels and start
  training at once (a forkserver or spawned worker loads them from the disk cache).

Warming is an optimisation: a build or a fit that fails here is left for its trial,
which reports the error as a failed trial.
"""

import numpy as np

from .hyperparameters import HyperParameters
from .study import PROBE_DRAWS

ROWS = 2


def head(data, rows=ROWS):
    """The first `rows` rows of an array, a list/tuple/dict of arrays or a DataFrame; None when
    `data` is none of these (a generator or a dataset object cannot be cut without consuming it)."""
    if isinstance(data, np.ndarray):
        return data[:rows] if data.ndim else None
    if isinstance(data, (list, tuple)):
        parts = [head(part, rows) for part in data]
        return None if any(part is None for part in parts) else type(data)(parts)
    if isinstance(data, dict):
        parts = {key: head(value, rows) for key, value in data.items()}
        return None if any(part is None for part in parts.values()) else parts
    if hasattr(data, "iloc") and hasattr(data, "shape"):
        return data.iloc[:rows]
    return None


def warm_kernels(hypermodel, x, y, draws=PROBE_DRAWS):
    """Build the probe draws' models and train each for one step on the first rows of `x`, `y`.

    Returns
    -------
    int
        How many models were warmed (0 when the data cannot be cut, e.g. a generator).
    """
    x_head = head(x)
    y_head = None if y is None else head(y)
    if x_head is None or (y is not None and y_head is None):
        return 0
    rng = np.random.default_rng(0)
    warmed = 0
    for draw in range(draws):
        try:
            model = hypermodel(HyperParameters.for_probe(draw, rng))
            # validated too: a fit whose chain trains in one compiled step (models/chain_step.py)
            # still runs the layers' own kernels for its validation
            validation = None if y_head is None else (x_head, y_head)
            model.fit(x_head, y_head, epochs=1, batch_size=ROWS, verbose=0, shuffle=False, validation_data=validation)
        except Exception:  # noqa: BLE001 - the trial that builds this model reports the error
            continue
        warmed += 1
    return warmed
