"""Metrics accumulated over an epoch (stateful, as Keras metrics).

Contract::

    class Metric:
        name = "accuracy"
        def update_state(self, y_true, y_pred, sample_weight=None)   # one batch
        def result(self) -> float                                     # over all batches so far
        def reset_state(self)

`y_true` arrives as the loss prepared it (class indices for sparse losses, one-hot or
0/1 arrays otherwise); `y_pred` is the model's output (probabilities, or logits when
the loss has from_logits=True: then accuracy thresholds at 0 instead of 0.5, where
Keras silently keeps 0.5).
"""

import numpy as np

from . import _checks


class Metric:
    name = "metric"

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


class MeanMetric(Metric):
    """A (weighted) mean of per-sample values: subclasses define ``values(y_true, y_pred)``."""

    def reset_state(self):
        self._total = 0.0
        self._count = 0.0

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.values(y_true, y_pred)
        if sample_weight is None:
            self._total += float(values.sum())
            self._count += values.shape[0]
        else:
            weight = np.asarray(sample_weight, dtype=np.float64)
            self._total += float(np.dot(values.astype(np.float64), weight))
            self._count += float(weight.sum())

    def result(self):
        return self._total / self._count if self._count else 0.0


class BinaryAccuracy(MeanMetric):
    name = "binary_accuracy"

    def __init__(self, name=None, threshold=0.5):
        self.threshold = float(threshold)
        super().__init__(name)

    def values(self, y_true, y_pred):
        matches = (y_pred > self.threshold) == (y_true > 0.5)
        return matches.reshape(matches.shape[0], -1).mean(axis=1)

    def get_config(self):
        return {"name": self.name, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetric):
    name = "categorical_accuracy"

    def values(self, y_true, y_pred):
        return (np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)).astype(np.float64)


class SparseCategoricalAccuracy(MeanMetric):
    name = "sparse_categorical_accuracy"

    def values(self, y_true, y_pred):
        return (np.argmax(y_pred, axis=-1) == np.asarray(y_true).reshape(-1)).astype(np.float64)


class MeanSquaredError(MeanMetric):
    name = "mean_squared_error"

    def values(self, y_true, y_pred):
        diff = (y_pred - y_true).reshape(y_pred.shape[0], -1)
        return (diff * diff).mean(axis=1)


class MeanAbsoluteError(MeanMetric):
    name = "mean_absolute_error"

    def values(self, y_true, y_pred):
        return np.abs(y_pred - y_true).reshape(y_pred.shape[0], -1).mean(axis=1)


_REGISTRY = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
}


def register(cls, *aliases):
    for alias in (cls.name, *aliases):
        _REGISTRY[alias] = cls
    return cls


def resolve_accuracy(name, loss, output_shape):
    """Keras' rule for 'accuracy'/'acc': pick the variant that fits the loss and outputs."""
    from_logits = getattr(loss, "from_logits", False)
    loss_name = getattr(loss, "name", "")
    if loss_name == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name=name)
    if loss_name == "categorical_crossentropy":
        return CategoricalAccuracy(name=name)
    if loss_name == "binary_crossentropy" or output_shape[-1] == 1:
        return BinaryAccuracy(name=name, threshold=0.0 if from_logits else 0.5)
    return CategoricalAccuracy(name=name)


def get(identifier, loss=None, output_shape=(1,)):
    """Resolve a metric from a name or a Metric; 'accuracy' depends on the loss."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return resolve_accuracy(identifier, loss, output_shape)
        metric = _checks.lookup("metric", identifier, {**_REGISTRY, "accuracy": None, "acc": None})()
        metric.name = identifier
        return metric
    raise TypeError(
        f"metric must be a name such as 'accuracy' or a gradwise Metric, got {identifier!r} "
        f"of type {type(identifier).__name__}."
    )
