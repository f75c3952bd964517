"""Normalization: outputs = (inputs - mean) / sqrt(variance), with mean and variance from adapt()."""

import numbers

import numpy as np

from .base import PreprocessingLayer

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


class Normalization(PreprocessingLayer):
    """Standardize features with statistics learned by ``adapt`` (or given), as Keras's Normalization.

    outputs = (inputs - mean) / max(sqrt(variance), 1e-7); with ``invert=True``,
    outputs = mean + inputs * max(sqrt(variance), 1e-7), back to the original scale.

    Parameters
    ----------
    axis : int, tuple of int or None, default -1
        The axes that keep their own statistics (the batch axis 0 never does): -1 gives
        one mean and variance per feature; None one for all values.
    mean, variance : float or array-like, optional
        Fixed statistics instead of ``adapt`` (both or neither), broadcast to the kept axes.
    invert : bool, default False

    Examples
    --------
    >>> layer = Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    <Normalization name='normalization'>
    >>> layer(np.array([[1.0, 20.0]]))
    array([[0., 0.]])
    """

    input_only = False
    normalizes = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if axis is None:
            axes = ()
        elif isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
            axes = (int(axis),)
        elif isinstance(axis, (tuple, list)) and all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                                                      for a in axis):
            axes = tuple(int(a) for a in axis)
        else:
            raise ValueError(f"{owner}: `axis` must be an int, a tuple of ints or None, got {axis!r}.")
        if 0 in axes:
            raise ValueError(f"{owner}: `axis` may not include the batch axis 0, got {axis!r}.")
        if (mean is None) != (variance is None):
            raise ValueError(f"{owner}: give both `mean` and `variance` or neither, got mean={mean!r} and "
                             f"variance={variance!r}.")
        if variance is not None and np.any(np.asarray(variance, dtype=np.float64) < 0):
            raise ValueError(f"{owner}: `variance` must be non-negative, got {variance!r}.")
        self.axis = axis if axis is None or isinstance(axis, int) else tuple(axes)
        self._axes = axes
        self.invert = bool(invert)
        self.input_mean = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.input_variance = None if variance is None else np.asarray(variance, dtype=np.float64)
        self._adapted = None  # (mean, variance) from adapt, before the layer is built
        self._ready = mean is not None  # statistics given, adapted or loaded: never a silent identity

    def _kept_axes(self, rank):
        """The per-sample axes (1-based in the batch array) that keep their own statistics."""
        kept = []
        for axis in self._axes:
            positive = axis + rank if axis < 0 else axis
            if not 1 <= positive < rank:
                raise ValueError(f"{type(self).__name__} '{self.name}': `axis` {self.axis!r} is out of range for "
                                 f"inputs of rank {rank} (batch axis included).")
            kept.append(positive)
        return sorted(set(kept))

    def _statistics_shape(self, input_shape):
        kept = self._kept_axes(len(input_shape) + 1)
        return tuple(size if index + 1 in kept else 1 for index, size in enumerate(input_shape))

    def build(self, input_shape, rng):
        shape = self._statistics_shape(input_shape)
        if self.input_mean is not None:
            try:
                mean = np.broadcast_to(self.input_mean, shape)
                variance = np.broadcast_to(self.input_variance, shape)
            except ValueError:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': `mean`/`variance` of shapes {self.input_mean.shape} and "
                    f"{self.input_variance.shape} do not broadcast to the statistics shape {shape} of inputs "
                    f"{tuple(input_shape)} with axis={self.axis!r}.") from None
        else:
            mean, variance = np.zeros(shape), np.ones(shape)
        self.state["mean"] = np.array(mean, dtype=np.float64)
        self.state["variance"] = np.array(variance, dtype=np.float64)

    def _adapt_batches(self, batches):
        # Chan et al.'s pairwise update: exact mean and (population) variance over all batches, one pass
        count, mean, square_sum = 0, None, None
        for batch in batches:
            batch = np.asarray(batch, dtype=np.float64)
            if batch.ndim < 2:
                batch = batch.reshape(-1, 1)
            kept = self._kept_axes(batch.ndim)
            reduce = tuple(axis for axis in range(batch.ndim) if axis not in kept)
            if not np.isfinite(batch).all():
                raise ValueError(f"{type(self).__name__}.adapt: `data` holds NaN or Inf; remove or impute them first.")
            batch_count = int(np.prod([batch.shape[axis] for axis in reduce]))
            batch_mean = batch.mean(axis=reduce, keepdims=True)[0]
            batch_square_sum = ((batch - batch_mean) ** 2).sum(axis=reduce, keepdims=True)[0]
            if mean is None:
                count, mean, square_sum = batch_count, batch_mean, batch_square_sum
                continue
            if batch_mean.shape != mean.shape:
                raise ValueError(f"{type(self).__name__}.adapt: batches of `data` have different shapes: statistics "
                                 f"of shape {batch_mean.shape} after {mean.shape}.")
            total = count + batch_count
            delta = batch_mean - mean
            mean = mean + delta * batch_count / total
            square_sum = square_sum + batch_square_sum + delta**2 * count * batch_count / total
            count = total
        self._adapted = (mean, square_sum / count)

    def _adapted_input_shape(self, batch):
        return batch.shape[1:] if np.ndim(batch) >= 2 else (1,)

    def _after_adapt(self):
        mean, variance = self._adapted
        if mean.shape != self.state["mean"].shape:
            raise ValueError(f"{type(self).__name__} '{self.name}' was built for statistics of shape "
                             f"{self.state['mean'].shape}, but adapt's data gives {mean.shape}.")
        self.state["mean"][...] = mean
        self.state["variance"][...] = variance
        self._adapted = None
        self._ready = True

    def set_weights(self, weights):
        super().set_weights(weights)
        self._ready = True  # statistics loaded (a saved model, or copied from an adapted layer)

    @property
    def mean(self):
        return self.state["mean"] if self.built else None

    @property
    def variance(self):
        return self.state["variance"] if self.built else None

    def _scale(self, dtype):
        return np.maximum(np.sqrt(self.state["variance"]), EPSILON).astype(dtype, copy=False)

    def forward(self, inputs, training=False):
        if not self._ready:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' has no statistics: call layer.adapt(data) on the training "
                "features before fit or predict, or give mean= and variance=.")
        dtype = inputs.dtype if inputs.dtype.kind == "f" else self.dtype
        inputs = np.asarray(inputs, dtype=dtype)
        mean, scale = self.state["mean"].astype(dtype, copy=False), self._scale(dtype)
        if self.invert:
            return mean + inputs * scale, None
        return (inputs - mean) / scale, None

    # y = (x - mean) / s  =>  dx = dy / s ;  inverted, y = mean + x s  =>  dx = dy s
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        scale = self._scale(grad_outputs.dtype)
        return grad_outputs * scale if self.invert else grad_outputs / scale

    def get_config(self):
        config = {**super().get_config(), "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis,
                  "invert": self.invert}
        if self.input_mean is not None:
            config["mean"] = self.input_mean.tolist()
            config["variance"] = self.input_variance.tolist()
        return config
