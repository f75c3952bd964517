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


def _aligned(y_true, y_pred):
    """`y_true` as an array shaped like `y_pred` when it only lacks a trailing axis of 1."""
    y_true = np.asarray(y_true)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    return y_true


class BinaryAccuracy(MeanMetric):
    """Fraction of outputs on the right side of `threshold`, averaged per sample.

    Parameters
    ----------
    name : str, optional
    threshold : float, default 0.5
        0.0 when the model outputs logits (resolved so by ``get('accuracy', loss)``).
    """

    name = "binary_accuracy"

    def __init__(self, name=None, threshold=0.5):
        self.threshold = float(threshold)
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        matches = (y_pred > self.threshold) == (_aligned(y_true, y_pred) > 0.5)
        return matches.reshape(matches.shape[0], -1).mean(axis=1)

    def get_config(self):
        return {"name": self.name, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetric):
    """Fraction of samples whose largest output is the class of the largest target."""

    name = "categorical_accuracy"

    def values(self, y_true, y_pred):
        matches = np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)
        return matches.reshape(matches.shape[0], -1).mean(axis=1)


class SparseCategoricalAccuracy(MeanMetric):
    """Fraction of samples whose largest output is at the integer label."""

    name = "sparse_categorical_accuracy"

    def values(self, y_true, y_pred):
        predicted = np.argmax(y_pred, axis=-1)
        matches = predicted == np.asarray(y_true).reshape(predicted.shape)
        return matches.reshape(matches.shape[0], -1).mean(axis=1)


class MeanSquaredError(MeanMetric):
    name = "mean_squared_error"

    def values(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        diff = (y_pred - _aligned(y_true, y_pred)).reshape(y_pred.shape[0], -1)
        return (diff * diff).mean(axis=1)


class MeanAbsoluteError(MeanMetric):
    name = "mean_absolute_error"

    def values(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        return np.abs(y_pred - _aligned(y_true, y_pred)).reshape(y_pred.shape[0], -1).mean(axis=1)


def _binary_arrays(y_true, y_pred, sample_weight):
    """Flat 0/1 targets, flat predictions and flat weights over all output elements.

    Integer labels for a multi-column output (a sparse loss) are compared with their
    one-hot encoding; weights are per sample and repeat across the columns, as in Keras.
    """
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y_true = np.asarray(y_true)
    columns = y_pred.shape[-1]
    if y_true.size != y_pred.size and columns > 1 and y_true.size * columns == y_pred.size:
        labels = y_true.reshape(-1).astype(np.intp)
        one_hot = np.zeros((labels.shape[0], columns))
        one_hot[np.arange(labels.shape[0]), labels] = 1.0
        y_true = one_hot
    if y_true.size != y_pred.size:
        raise ValueError(
            f"`y_true` must have one value per output element: got shape {y_true.shape} for "
            f"`y_pred` of shape {y_pred.shape}."
        )
    positives = y_true.reshape(-1) > 0.5
    per_sample = y_pred.size // y_pred.shape[0]
    if sample_weight is None:
        weights = np.ones(y_pred.size)
    else:
        weights = np.repeat(np.asarray(sample_weight, dtype=np.float64).reshape(-1), per_sample)
    return positives, y_pred.reshape(-1), weights


class _ConfusionMetric(Metric):
    """Weighted true/false positive and false negative counts at one threshold."""

    def __init__(self, thresholds=None, name=None):
        if thresholds is not None and (isinstance(thresholds, bool) or not np.isscalar(thresholds)):
            raise ValueError(
                f"{type(self).__name__}: `thresholds` must be one float (gradwise has no list of "
                f"thresholds), got {thresholds!r}."
            )
        self.thresholds = None if thresholds is None else float(thresholds)
        super().__init__(name)

    @property
    def threshold(self):
        return 0.5 if self.thresholds is None else self.thresholds

    def reset_state(self):
        self.true_positives = 0.0
        self.false_positives = 0.0
        self.false_negatives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        positives, scores, weights = _binary_arrays(y_true, y_pred, sample_weight)
        predicted = scores > self.threshold
        self.true_positives += float(weights[predicted & positives].sum())
        self.false_positives += float(weights[predicted & ~positives].sum())
        self.false_negatives += float(weights[~predicted & positives].sum())

    def get_config(self):
        return {"name": self.name, "thresholds": self.thresholds}


class Precision(_ConfusionMetric):
    """TP / (TP + FP) over every output element seen this epoch (0 when nothing is predicted).

    Predictions are positive where ``y_pred > thresholds`` (0.5 by default; 0.0 when the
    loss takes logits, as resolved by ``get('precision', loss)``). For several output
    columns the counts run over all elements, as Keras does.

    Examples
    --------
    >>> metric = Precision()
    >>> metric.update_state([[1], [0], [1]], [[0.9], [0.8], [0.2]])
    >>> metric.result()
    0.5
    """

    name = "precision"

    def result(self):
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0


class Recall(_ConfusionMetric):
    """TP / (TP + FN) over every output element seen this epoch (0 when there are no positives).

    Thresholds and multi-column outputs are handled as in `Precision`.
    """

    name = "recall"

    def result(self):
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0


class AUC(Metric):
    """Exact area under the ROC curve over every output element seen this epoch.

    Unlike Keras, which approximates the curve with `num_thresholds` thresholds, this is
    the exact (weighted) Mann-Whitney statistic computed from ranks, ties counting one
    half: it equals ``sklearn.metrics.roc_auc_score``. The scores of the whole epoch are
    kept. Multi-column outputs are pooled into one curve (Keras' ``multi_label=False``).
    The result is 0.0 while only one class has been seen, as in Keras.

    Parameters
    ----------
    num_thresholds : int, default 200
        Accepted for Keras compatibility; unused, since the area is exact.
    curve : {'ROC'}
    name : str, optional
    from_logits : bool, default False
        Accepted for Keras compatibility; ranks do not change under the sigmoid.
    """

    name = "auc"

    def __init__(self, num_thresholds=200, curve="ROC", name=None, from_logits=False):
        self.num_thresholds = _checks.positive_int("AUC", "num_thresholds", num_thresholds)
        if not isinstance(curve, str) or curve.upper() != "ROC":
            raise ValueError(f"AUC: `curve` must be 'ROC' (the PR curve is not implemented), got {curve!r}.")
        self.curve = "ROC"
        self.from_logits = bool(from_logits)
        super().__init__(name)

    def reset_state(self):
        self._positives, self._scores, self._weights = [], [], []

    def update_state(self, y_true, y_pred, sample_weight=None):
        positives, scores, weights = _binary_arrays(y_true, y_pred, sample_weight)
        self._positives.append(positives)
        self._scores.append(scores)
        self._weights.append(weights)

    def result(self):
        if not self._scores:
            return 0.0
        positives = np.concatenate(self._positives)
        scores = np.concatenate(self._scores)
        weights = np.concatenate(self._weights)
        positive_weight = np.where(positives, weights, 0.0)
        negative_weight = weights - positive_weight
        total_positive, total_negative = positive_weight.sum(), negative_weight.sum()
        if total_positive <= 0 or total_negative <= 0:
            return 0.0
        # Group equal scores; a positive beats every negative of a lower group and ties half.
        _, group = np.unique(scores, return_inverse=True)
        group_positive = np.bincount(group, weights=positive_weight)
        group_negative = np.bincount(group, weights=negative_weight)
        negatives_below = np.cumsum(group_negative) - group_negative
        wins = np.dot(group_positive, negatives_below + 0.5 * group_negative)
        return float(wins / (total_positive * total_negative))

    def get_config(self):
        return {"name": self.name, "num_thresholds": self.num_thresholds, "curve": self.curve,
                "from_logits": self.from_logits}


_REGISTRY = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
}


def register(cls, *aliases):
    for alias in (cls.name, *aliases):
        _REGISTRY[alias] = cls
    return cls


def _as_loss(loss):
    if isinstance(loss, (str, dict)):
        from . import losses

        return losses.get(loss)
    return loss


def resolve_accuracy(name, loss, output_shape):
    """Keras' rule for 'accuracy'/'acc': pick the variant that fits the loss and outputs.

    Binary crossentropy (and any single-column output) gives BinaryAccuracy, with the
    threshold at 0 when the loss takes logits; categorical and sparse categorical
    crossentropy give their accuracies; other multi-column outputs CategoricalAccuracy.
    """
    loss = _as_loss(loss)
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
    """Resolve a metric from a name or a Metric; 'accuracy' depends on the loss.

    'precision' and 'recall' threshold at 0 instead of 0.5 when the loss takes logits.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return resolve_accuracy(identifier, loss, output_shape)
        cls = _checks.lookup("metric", identifier, {**_REGISTRY, "accuracy": None, "acc": None})
        if issubclass(cls, _ConfusionMetric) and getattr(_as_loss(loss), "from_logits", False):
            metric = cls(thresholds=0.0)
        else:
            metric = cls()
        metric.name = identifier
        return metric
    raise TypeError(
        f"metric must be a name such as 'accuracy' or a gradwise Metric, got {identifier!r} "
        f"of type {type(identifier).__name__}."
    )
