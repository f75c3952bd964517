"""Accuracies: exact match, binary, categorical, sparse categorical and their top-k versions."""

import numpy as np

from .. import _checks
from .base import MeanMetric, aligned, one_hot_like, per_sample_matches


class Accuracy(MeanMetric):
    """Fraction of outputs exactly equal to their targets, averaged per sample (Keras's ``Accuracy``).

    For predicted labels, not scores: ``compile(metrics=["accuracy"])`` picks the binary or
    categorical accuracy instead, as Keras does.
    """

    name = "accuracy"

    def values(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        return per_sample_matches(y_pred == aligned(y_true, y_pred))


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
        matches = (y_pred > self.threshold) == (aligned(y_true, y_pred) > 0.5)
        return per_sample_matches(matches)

    def get_config(self):
        return {"name": self.name, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetric):
    """Fraction of samples whose largest output is the class of the largest target."""

    name = "categorical_accuracy"

    def values(self, y_true, y_pred):
        matches = np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)
        return per_sample_matches(matches)


class SparseCategoricalAccuracy(MeanMetric):
    """Fraction of samples whose largest output is at the integer label."""

    name = "sparse_categorical_accuracy"

    def values(self, y_true, y_pred):
        predicted = np.asarray(y_pred).argmax(axis=-1)  # the method: np.argmax's wrapper costs a batch as much
        matches = predicted == np.asarray(y_true).reshape(predicted.shape)
        return per_sample_matches(matches)


def _in_top_k(labels, y_pred, k):
    """Whether each label's score is among the `k` largest of its row.

    Ties count in the label's favour (as TensorFlow's ``in_top_k``): the label is in the
    top k when fewer than k classes score strictly higher.
    """
    y_pred = np.asarray(y_pred, dtype=np.float64)
    rows = y_pred.reshape(-1, y_pred.shape[-1])
    labels = labels.reshape(-1)
    label_scores = rows[np.arange(rows.shape[0]), labels]
    higher = (rows > label_scores[:, None]).sum(axis=1)
    hits = higher < k
    return hits.reshape(y_pred.shape[0], -1).mean(axis=1)


class SparseTopKCategoricalAccuracy(MeanMetric):
    """Fraction of samples whose integer label is among the `k` largest outputs.

    Parameters
    ----------
    k : int, default 5
    name : str, optional

    Examples
    --------
    >>> metric = SparseTopKCategoricalAccuracy(k=2)
    >>> metric.update_state([2, 0], [[0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])
    >>> metric.result()
    0.5
    """

    name = "sparse_top_k_categorical_accuracy"

    def __init__(self, k=5, name=None):
        self.k = _checks.positive_int(type(self).__name__, "k", k)
        super().__init__(name)

    def _labels(self, y_true, y_pred):
        labels = np.asarray(y_true)
        expected = np.shape(y_pred)[:-1]
        if labels.shape != expected:
            if labels.size != int(np.prod(expected)):
                raise ValueError(
                    f"{type(self).__name__}: `y_true` must hold one class index per sample, shape {expected}, "
                    f"for `y_pred` of shape {np.shape(y_pred)}; got shape {labels.shape}."
                )
            labels = labels.reshape(expected)
        return labels.astype(np.intp)

    def values(self, y_true, y_pred):
        return _in_top_k(self._labels(y_true, y_pred), y_pred, self.k)

    def get_config(self):
        return {"name": self.name, "k": self.k}


class TopKCategoricalAccuracy(SparseTopKCategoricalAccuracy):
    """Fraction of samples whose target class (the largest of a one-hot `y_true`) is among the `k` largest outputs.

    Class indices are accepted too (from a sparse loss). Parameters as
    SparseTopKCategoricalAccuracy.
    """

    name = "top_k_categorical_accuracy"

    def _labels(self, y_true, y_pred):
        return np.argmax(one_hot_like(y_true, y_pred), axis=-1)
