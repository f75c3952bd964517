"""NaN/Inf in fit's arrays, handed before training to the callbacks that treat them.

Without such a callback fit refuses non-finite inputs and targets with a ValueError
naming the array (``data.check_finite``). A callback with ``treats_non_finite_data``
(the training doctor) gets them instead, through ``on_non_finite_data(data)``, where
`data` is a ``NonFiniteData``: the counts per array, the training inputs, and
``drop_target_rows()``, which asks fit to train without the rows whose target is NaN or
infinite (a target cannot be imputed honestly). Inputs are left as they are: a callback
that imputes them puts the imputation into the model (``MeanImputation``), so predict
takes raw rows as training did. Memory-mapped arrays are not scanned (their batches are
checked as they are read).
"""

import numpy as np

from ..feeds import is_mapped


def _count(array):
    if array is None or is_mapped(array) or not np.issubdtype(np.asarray(array).dtype, np.floating):
        return 0
    return int(array.size - np.count_nonzero(np.isfinite(array)))


def _finite_rows(targets):
    """Rows whose every target value is finite (None when every row is)."""
    keep = None
    for array in targets:
        if array is None or is_mapped(array) or not np.issubdtype(array.dtype, np.floating):
            continue
        rows = np.isfinite(array.reshape(len(array), -1)).all(axis=1)
        keep = rows if keep is None else keep & rows
    return None if keep is None or keep.all() else keep


class NonFiniteData:
    """What fit found in its arrays (see the module docstring).

    Attributes
    ----------
    counts : dict
        NaN/Inf cells in ``'x'``, ``'validation x'``, ``'y'`` and ``'validation y'``.
    x : list of ndarray
        The training inputs, one array per model input.
    """

    def __init__(self, x, targets, validation):
        arrays = validation if isinstance(validation, tuple) else ([], [], [])
        self.counts = {"x": sum(map(_count, x)), "validation x": sum(map(_count, arrays[0])),
                       "y": sum(map(_count, targets)), "validation y": sum(map(_count, arrays[1]))}
        self.x = x
        self.dropped = None

    @property
    def found(self):
        return any(self.counts.values())

    def drop_target_rows(self):
        """Train (and validate) without the rows whose target is NaN or infinite."""
        self.dropped = {"y": 0, "validation y": 0}

    def input_means(self):
        """The first input's per-feature mean over its finite values (0 where a feature has none)."""
        x = np.asarray(self.x[0], dtype=np.float64)
        finite = np.isfinite(x)
        count = finite.sum(axis=0)
        return np.divide(np.where(finite, x, 0.0).sum(axis=0), count, out=np.zeros(x.shape[1:]), where=count > 0)


def offer(callbacks, x, targets, weights, validation):
    """Hand NaN/Inf found in the arrays to the callbacks that treat them; returns the arrays fit trains
    on (without the rows whose target is non-finite when a callback asked for that)."""
    data = NonFiniteData(x, targets, validation)
    if not data.found:
        return x, targets, weights, validation
    for callback in callbacks:
        if callback.treats_non_finite_data:
            callback.on_non_finite_data(data)
    if data.dropped is None:
        return x, targets, weights, validation
    keep = _finite_rows(targets)
    if keep is not None:
        if not keep.any():
            raise ValueError("fit: every training row has a NaN or infinite target; nothing is left to train on.")
        data.dropped["y"] = int((~keep).sum())
        x, targets, weights = ([None if a is None else a[keep] for a in arrays] for arrays in (x, targets, weights))
    if isinstance(validation, tuple):
        keep = _finite_rows(validation[1])
        if keep is not None and keep.any():
            data.dropped["validation y"] = int((~keep).sum())
            validation = tuple([None if a is None else a[keep] for a in arrays] for arrays in validation)
    return x, targets, weights, validation
