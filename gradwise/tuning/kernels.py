"""Which kernels a search's trials run on: NumPy's where numba's would not repay their loading.

numba's compiled kernels make a training step faster, but a fresh process pays to load
them: numba's import, its compiler's set-up and each kernel read from the disk cache,
about 0.3-0.6 s (measured on this project's 2-core machine, a Pima MLP's first fits with
GRADWISE_OPS=numba against numpy in fresh interpreters). What they save grows with the
work of a step: for MLPs on flat features about 1.5e-11 s per multiply-add of a training
step (Pima MLPs at batch 32, 16 to 3x128 and 2x512 units, 10-epoch fits alternated
between the two seams: 0 to 56 to 380 us a step). A search whose work per process is
below ``LOAD_PAYS_FROM`` multiply-adds, 0.35 s of loading at that rate, therefore runs
its trials on NumPy's kernels and never imports numba (W6, the 20-trial Pima search:
about 5e9).

A small Dense/Dropout chain trains in one compiled call a step on numba's seam
(``models/chain_step.py``), which saves a fixed time a step rather than a time per
multiply-add: about ``CHAIN_STEP_SAVES`` for W6's models (its 20-trial search, one worker,
2.49 s on NumPy's kernels against 1.68 s on numba's with the chain, about 9,600 steps at
most, fewer with pruning). That pays for numba's loading in a fresh process, measured at
``CHAIN_LOAD_SECONDS`` (numba's import, its registries, which import SciPy, and the cached
kernels), once a process trains enough such steps: a search whose probe models are all
chains counts both savings.

Only searches whose cost the estimate knows are decided: every probe model built, every
layer's output a flat vector (images, sequences and embeddings keep numba's kernels,
whose gains there the rate above does not describe), the training rows countable. The
user's choice wins: ``GRADWISE_OPS`` or ``gradwise.ops.set_ops`` leaves the seam as it
is. Nothing else about the process counts (not whether numba is loaded already), so a
seeded search trains on the same kernels, and gives the same bits, every time it runs; the
one exception is a search shorter than compiling the kernels on a machine that has not compiled
them yet (``cold_ops``), whose trials the clock cuts anyway.
"""

import math
import statistics
import time

from .. import ops
from ..ops import model_threads

MULTIPLY_ADD_SAVES = 1.5e-11  # seconds numba's kernels save per multiply-add of training (flat MLPs)
LOAD_PAYS_FROM = 0.35 / MULTIPLY_ADD_SAVES  # multiply-adds of training per process: ~2.3e10
CHAIN_STEP_SAVES = 1.2e-4  # seconds a compiled chain step saves over the layers' NumPy step (W6's models)
CHAIN_LOAD_SECONDS = 0.8  # numba's import and set-up in a fresh process, with the kernels read from the disk cache
COLD_COMPILE_SECONDS = 20.0  # compiling the kernels a tabular search uses on a machine's first run (see ``cold_ops``)


def sample_multiply_adds(model):
    """Multiply-adds of a training step per sample (forward and both backward products), for a
    built model whose every layer outputs a flat vector; None for any other model."""
    try:
        layers = list(model.layers)
        if not model.built or not layers:
            return None
        for layer in layers:
            shape = getattr(layer, "output_shape", None)
            if not (isinstance(shape, tuple) and len(shape) == 1 and isinstance(getattr(layer, "params", None), dict)):
                return None
        return model_threads.step_multiply_adds(layers, 1)
    except Exception:  # noqa: BLE001 - a model this estimate cannot read keeps the default kernels
        return None


def training_rows(x, fit_kwargs):
    """Rows a fit trains on per epoch (None when `x` cannot be counted without consuming it)."""
    rows = _rows(x)
    if rows is None:
        return None
    split = fit_kwargs.get("validation_split") or 0.0
    return rows * (1.0 - split) if isinstance(split, (int, float)) and 0 <= split < 1 else rows


def _rows(x):
    shape = getattr(x, "shape", None)
    if isinstance(shape, tuple) and shape:
        return shape[0]
    if isinstance(x, (list, tuple)) and x:
        return _rows(x[0])
    if isinstance(x, dict) and x:
        return _rows(next(iter(x.values())))
    return None


def search_ops(per_sample, rows, epochs, trials, workers, fits_per_trial=1, chains=(), batch_size=None):
    """'numpy' when what numba's kernels would save a process is less than their loading costs, else
    None (the seam's default). `per_sample`: the probe models' ``sample_multiply_adds``; `chains`:
    whether each probe model trains as a compiled chain (``chain_step.describes``); `batch_size`:
    the fit's (None: 32)."""
    if ops.chosen() or not per_sample or any(value is None for value in per_sample) or rows is None:
        return None
    if not isinstance(epochs, int) or epochs < 1:
        return None
    fits = math.ceil(trials / workers) * fits_per_trial * epochs
    work = fits * rows * statistics.fmean(per_sample)
    if work >= LOAD_PAYS_FROM:  # the products alone repay the loading
        return None
    if not (chains and all(chains)):
        return "numpy"
    batch = batch_size if isinstance(batch_size, int) and batch_size > 0 else 32
    saved = work * MULTIPLY_ADD_SAVES + fits * math.ceil(rows / batch) * CHAIN_STEP_SAVES
    return "numpy" if saved < CHAIN_LOAD_SECONDS else None


def cold_ops(deadline, chain_dtypes=()):
    """'numpy' when numba's cache lacks the chain step's kernel (a machine's first run) and a search that
    must end at `deadline` (wall-clock seconds) has less time than compiling the kernels takes; else None.
    `chain_dtypes`: the dtypes the search's chains train in (none known: float32, the default).

    A machine compiles the kernels of a tabular search once, in about ``COLD_COMPILE_SECONDS`` (the
    README's ``gradwise tune --dataset pima`` on an empty numba cache, two workers: the first trial came
    20-21 s after the search began), which no deadline can cut: car's Freedman with ``--time-budget 8``
    took 23 s on a fresh machine, 8.5 s on the next run. On NumPy's kernels such a search keeps its time.
    A longer search compiles them as before: over 45 s, numba's kernels then win back their compiling
    (Pima, thirtieth session: 100 trials in 38.5 s cold, 36.8 s on NumPy's kernels, 19.2 s warm).
    The user's choice (``GRADWISE_OPS``, ``set_ops``) wins, and numba is asked only when time is short.
    """
    if deadline is None or ops.chosen() or deadline - time.time() >= COLD_COMPILE_SECONDS:
        return None
    if "numba" not in ops.available_ops():
        return None
    from ..models import chain_compile

    kernel = ops.get_ops().dense_chain_step()
    if kernel is None:
        return None
    return "numpy" if any(chain_compile.cached(kernel, dtype) is False for dtype in chain_dtypes or ("float32",)) \
        else None
