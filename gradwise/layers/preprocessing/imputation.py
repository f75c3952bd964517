"""MeanImputation: NaN and ±Inf inputs replaced by their feature's mean, inside the model.

scikit-learn's ``SimpleImputer(strategy="mean")`` as a layer: ``adapt`` learns each
feature's mean over the finite values it sees, and forward puts it in place of every
NaN or infinite value. Kept in the model (saved with it), so ``predict`` takes raw rows
with missing values as training did; the training doctor adds it when it treats
non-finite inputs inside ``fit``. A model whose first layer imputes (``imputes = True``)
accepts NaN/Inf inputs in fit, evaluate and predict.
"""

import numpy as np

from .base import PreprocessingLayer


class MeanImputation(PreprocessingLayer):
    """Replace NaN and ±Inf inputs by the per-feature mean learned by ``adapt`` (or given).

    Parameters
    ----------
    fill : array-like, optional
        The values to put in, one per feature (the per-sample shape); learned by
        ``adapt`` when not given.

    Examples
    --------
    >>> layer = MeanImputation()
    >>> layer.adapt(np.array([[1.0, np.nan], [3.0, 4.0]]))  # doctest: +ELLIPSIS
    <MeanImputation ...>
    >>> layer(np.array([[np.nan, np.inf]])).tolist()
    [[2.0, 4.0]]
    """

    input_only = False  # the gradient passes where the input was finite
    imputes = True

    def __init__(self, fill=None, **kwargs):
        super().__init__(**kwargs)
        self.fill = None if fill is None else np.asarray(fill, dtype=np.float64)
        self._adapted = None

    def build(self, input_shape, rng):
        shape = tuple(input_shape)
        fill = self._adapted if self._adapted is not None else self.fill
        if fill is not None and np.shape(fill) != shape:
            raise ValueError(f"MeanImputation '{self.name}': `fill` has shape {np.shape(fill)}, but the inputs have "
                             f"per-sample shape {shape}.")
        self.state["fill"] = np.zeros(shape) if fill is None else np.array(fill, dtype=np.float64)

    def _adapt_batches(self, batches):
        total, count = None, None
        for batch in batches:
            values = np.asarray(batch, dtype=np.float64)
            finite = np.isfinite(values)
            batch_total = np.where(finite, values, 0.0).sum(axis=0)
            total = batch_total if total is None else total + batch_total
            count = finite.sum(axis=0) if count is None else count + finite.sum(axis=0)
        # a feature with no finite value at all is filled with 0
        self._adapted = np.divide(total, count, out=np.zeros_like(total), where=count > 0)

    def _after_adapt(self):
        if self._adapted is not None and "fill" in self.state:
            self.state["fill"][...] = self._adapted

    def forward(self, inputs, training=False):
        finite = np.isfinite(inputs)
        if finite.all():
            return inputs, None
        return np.where(finite, inputs, self.state["fill"].astype(inputs.dtype, copy=False)), finite

    # y = x where x is finite, else the fill  =>  dx = dy where x was finite, 0 where it was filled
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        return grad_outputs if cache is None else grad_outputs * cache

    def get_config(self):
        return {**super().get_config(), "fill": None if self.fill is None else self.fill.tolist()}
