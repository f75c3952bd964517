"""F-scores per class: FBetaScore and F1Score, with Keras' averages."""

import numbers

import numpy as np

from .. import _checks
from .base import Metric, one_hot_like, sample_weights

_AVERAGES = (None, "micro", "macro", "weighted")


def _safe_divide(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    numerator, denominator = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


class FBetaScore(Metric):
    """F-beta score of each class, (1 + b²) TP / ((1 + b²) TP + b² FN + FP), over the epoch.

    Equals ``sklearn.metrics.fbeta_score`` on the thresholded outputs (a class with no
    true or predicted samples scores 0, as scikit-learn's ``zero_division=0``; Keras adds
    an epsilon to each denominator instead, which moves results by about 1e-7).

    Parameters
    ----------
    average : {None, 'micro', 'macro', 'weighted'}, default None
        None returns one score per class (an array); 'micro' pools the counts of all
        classes; 'macro' is the plain mean of the class scores; 'weighted' weighs them by
        their number of true samples.
    beta : float, default 1.0
        Recall counts beta times as much as precision.
    threshold : float, optional
        Outputs above it are predicted positive. None (Keras' default) predicts the class
        of the largest output of each row; for a single-column output, where that would
        call every sample positive, None means 0.5 (0.0 when the loss takes logits).
    name : str, optional

    Notes
    -----
    `y_true` is one-hot (or multi-label 0/1) with one column per output; class indices
    from a sparse loss are one-hot encoded. Outputs with more than two axes count every
    position along the middle axes as a sample.
    """

    name = "fbeta_score"

    def __init__(self, average=None, beta=1.0, threshold=None, name=None):
        owner = type(self).__name__
        _checks.choice(owner, "average", average, _AVERAGES)
        self.average = average
        self.beta = _checks.positive_float(owner, "beta", beta)
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, numbers.Real)
                                      or not np.isfinite(threshold)):
            raise ValueError(f"{owner}: `threshold` must be a float or None, got {threshold!r}.")
        self.threshold = None if threshold is None else float(threshold)
        self._single_column_threshold = 0.5
        super().__init__(name)

    def use_logits(self):
        """The model outputs logits: a single column is thresholded at 0."""
        self._single_column_threshold = 0.0

    def reset_state(self):
        self._true_positives = self._false_positives = self._false_negatives = self._support = None

    def _predicted(self, y_pred):
        if self.threshold is not None:
            return y_pred > self.threshold
        if y_pred.shape[-1] == 1:
            return y_pred > self._single_column_threshold
        predicted = np.zeros(y_pred.shape, dtype=bool)
        predicted[np.arange(y_pred.shape[0]), np.argmax(y_pred, axis=-1)] = True
        return predicted

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        batch, columns = y_pred.shape[0], y_pred.shape[-1]
        positions = y_pred.size // (batch * columns)
        actual = one_hot_like(y_true, y_pred).reshape(-1, columns) > 0.5
        predicted = self._predicted(y_pred.reshape(-1, columns))
        weights = np.repeat(sample_weights(sample_weight, batch), positions)
        counts = (weights @ (predicted & actual), weights @ (predicted & ~actual), weights @ (~predicted & actual),
                  weights @ actual)
        if self._support is None:
            self._true_positives, self._false_positives, self._false_negatives, self._support = counts
            return
        if counts[0].shape != self._support.shape:
            raise ValueError(
                f"{type(self).__name__}: `y_pred` must keep {self._support.shape[0]} columns during an epoch, "
                f"got shape {y_pred.shape}."
            )
        self._true_positives = self._true_positives + counts[0]
        self._false_positives = self._false_positives + counts[1]
        self._false_negatives = self._false_negatives + counts[2]
        self._support = self._support + counts[3]

    def _score(self, true_positives, false_positives, false_negatives):
        scale = 1.0 + self.beta**2
        return _safe_divide(scale * true_positives,
                            scale * true_positives + self.beta**2 * false_negatives + false_positives)

    def result(self):
        if self._support is None:
            return 0.0
        if self.average == "micro":
            return float(self._score(self._true_positives.sum(), self._false_positives.sum(),
                                     self._false_negatives.sum()))
        scores = self._score(self._true_positives, self._false_positives, self._false_negatives)
        if self.average == "macro":
            return float(scores.mean())
        if self.average == "weighted":
            total = self._support.sum()
            return float(scores @ self._support / total) if total > 0 else 0.0
        return scores

    def get_config(self):
        return {"name": self.name, "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score of each class, the harmonic mean of precision and recall: FBetaScore with beta=1.

    Parameters
    ----------
    average : {None, 'micro', 'macro', 'weighted'}, default None
    threshold : float, optional
    name : str, optional

    Examples
    --------
    >>> metric = F1Score(average="macro")
    >>> metric.update_state([[1, 0], [0, 1], [0, 1]], [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])
    >>> round(metric.result(), 4)
    0.6667
    """

    name = "f1_score"

    def __init__(self, average=None, threshold=None, name=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name)

    def get_config(self):
        return {"name": self.name, "average": self.average, "threshold": self.threshold}
