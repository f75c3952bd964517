"""Precision, Recall and the true/false positive/negative counts: weighted confusion counts at one
threshold over every output element."""

import numpy as np

from .base import Metric, binary_arrays


class _ConfusionMetric(Metric, register=False):
    """Weighted true/false positive/negative counts at one threshold."""

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

    def use_logits(self):
        """Threshold at 0 instead of 0.5: the model outputs logits (unless a threshold was given)."""
        if self.thresholds is None:
            self.thresholds = 0.0

    def reset_state(self):
        self.true_positives = 0.0
        self.false_positives = 0.0
        self.false_negatives = 0.0
        self.true_negatives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        positives, scores, weights = binary_arrays(y_true, y_pred, sample_weight)
        predicted = scores > self.threshold
        self.true_positives += float(weights[predicted & positives].sum())
        self.false_positives += float(weights[predicted & ~positives].sum())
        self.false_negatives += float(weights[~predicted & positives].sum())
        self.true_negatives += float(weights[~predicted & ~positives].sum())

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


class _Count(_ConfusionMetric, register=False):
    """One weighted confusion count over every output element seen this epoch (Keras's counting metrics).

    Thresholds and multi-column outputs are handled as in `Precision`.
    """

    count = None  # the attribute of the counts that result() returns

    def result(self):
        return getattr(self, self.count)


class TruePositives(_Count):
    name = count = "true_positives"


class TrueNegatives(_Count):
    name = count = "true_negatives"


class FalsePositives(_Count):
    name = count = "false_positives"


class FalseNegatives(_Count):
    name = count = "false_negatives"
