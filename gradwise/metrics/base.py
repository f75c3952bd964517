"""Metric, MeanMetric, MeanMetricWrapper (a plain function as a metric) and input helpers."""

import numpy as np

from .. import registry


class Metric:
    """Base class. A subclass registers itself (``gradwise.registry``) under its ``name``, its
    class name and its ``aliases``; an abstract one says ``register=False``."""

    name = "metric"
    aliases = ()

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("metric", cls, cls.name, cls.__name__, *cls.__dict__.get("aliases", ()))

    def __init__(self, name=None):
        if name is not None:
            self.name = name
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        pass

    def get_config(self):
        return {"name": self.name}


class MeanMetric(Metric, register=False):
    """A (weighted) mean of per-sample values: subclasses define ``values(y_true, y_pred)``."""

    def reset_state(self):
        self._total = 0.0
        self._count = 0.0

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.values(y_true, y_pred)
        if sample_weight is None:
            # booleans (a match per sample, see per_sample_matches) are counted: the same sum, one call
            self._total += float(np.count_nonzero(values) if values.dtype == np.bool_ else
                                 np.add.reduce(values, axis=None))  # values.sum() without its wrapper
            self._count += values.shape[0]
        else:
            weight = np.asarray(sample_weight, dtype=np.float64)
            self._total += float(np.dot(values.astype(np.float64), weight))
            self._count += float(weight.sum())

    def result(self):
        return self._total / self._count if self._count else 0.0


class MeanMetricWrapper(MeanMetric, register=False):
    """A plain function ``fn(y_true, y_pred)`` as a metric: the weighted mean of its values.

    What Keras does with ``compile(metrics=[fn])``. `fn` returns one value per sample,
    shape (batch,) (further axes are averaged), or one number for the batch, which counts
    once per sample. It receives `y_true` as the loss prepared it (class indices for a
    sparse loss) and the model's outputs; metrics need no gradient.

    Parameters
    ----------
    fn : callable
    name : str, optional
        Defaults to ``fn.__name__``.
    **kwargs
        Passed to `fn` on every call.

    Examples
    --------
    >>> def max_error(y_true, y_pred):
    ...     return np.abs(y_true - y_pred).max(axis=-1)
    >>> metric = MeanMetricWrapper(max_error)
    >>> metric.update_state(np.array([[0.0], [1.0]]), np.array([[0.5], [1.0]]))
    >>> metric.result()
    0.25
    """

    def __init__(self, fn, name=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: `fn` must be a function f(y_true, y_pred), got {fn!r}.")
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(name if name is not None else getattr(fn, "__name__", type(fn).__name__))

    def values(self, y_true, y_pred):
        values = np.asarray(self.fn(y_true, y_pred, **self.fn_kwargs), dtype=np.float64)
        batch = np.shape(y_pred)[0]
        if values.ndim == 0:
            return np.full(batch, float(values))
        if values.shape[0] != batch:
            raise ValueError(
                f"metric function {self.name!r} must return one value per sample (shape ({batch},)) or one "
                f"number for the batch, got shape {values.shape}."
            )
        return values.reshape(batch, -1).mean(axis=1)

    def get_config(self):
        return {"name": self.name, "fn": getattr(self.fn, "__name__", repr(self.fn)), **self.fn_kwargs}


def per_sample_matches(matches):
    """The fraction of matches per sample of boolean (batch, ...) `matches` (float64, the mean
    over every axis but the first); one match per sample, the common case, stays boolean:
    ``MeanMetric.update_state`` counts them (the same total, with no float64 copy a batch)."""
    flat = matches.reshape(matches.shape[0], -1)
    return flat[:, 0] if flat.shape[1] == 1 else flat.mean(axis=1)


def aligned(y_true, y_pred):
    """`y_true` as an array shaped like `y_pred` when it only lacks a trailing axis of 1."""
    y_true = np.asarray(y_true)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    return y_true


def one_hot_like(y_true, y_pred):
    """`y_true` as 0/1 columns shaped like `y_pred`; class indices (a sparse loss) are one-hot encoded.

    Raises ValueError when `y_true` fits neither form.
    """
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    columns = y_pred.shape[-1] if y_pred.ndim else 1
    if y_true.size != y_pred.size and columns > 1 and y_true.size * columns == y_pred.size:
        labels = y_true.reshape(-1).astype(np.intp)
        if labels.size and (labels.min() < 0 or labels.max() >= columns):
            raise ValueError(
                f"`y_true` class indices must lie in [0, {columns}) for outputs of shape {y_pred.shape}, got "
                f"min {labels.min()} and max {labels.max()}."
            )
        encoded = np.zeros((labels.shape[0], columns))
        encoded[np.arange(labels.shape[0]), labels] = 1.0
        return encoded.reshape(y_pred.shape)
    if y_true.size != y_pred.size:
        raise ValueError(
            f"`y_true` must have one value per output element: got shape {y_true.shape} for "
            f"`y_pred` of shape {y_pred.shape}."
        )
    return y_true.reshape(y_pred.shape)


def binary_arrays(y_true, y_pred, sample_weight):
    """Flat 0/1 targets, flat predictions and flat weights over all output elements.

    Integer labels for a multi-column output (a sparse loss) are compared with their
    one-hot encoding; weights are per sample and repeat across the columns, as in Keras.
    """
    y_pred = np.asarray(y_pred, dtype=np.float64)
    positives = one_hot_like(y_true, y_pred).reshape(-1) > 0.5
    per_sample = y_pred.size // y_pred.shape[0]
    if sample_weight is None:
        weights = np.ones(y_pred.size)
    else:
        weights = np.repeat(np.asarray(sample_weight, dtype=np.float64).reshape(-1), per_sample)
    return positives, y_pred.reshape(-1), weights


def sample_weights(sample_weight, batch):
    """Per-sample weights as float64 of shape (batch,): ones when `sample_weight` is None."""
    if sample_weight is None:
        return np.ones(batch)
    return np.asarray(sample_weight, dtype=np.float64).reshape(batch)
