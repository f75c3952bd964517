"""Metrics read off the whole ranking of scores: AUC (ROC or PR) and PrecisionAtRecall.

They keep the epoch's scores and compute the curves exactly at every distinct score,
where Keras approximates them on a grid of `num_thresholds` thresholds (accepted for
compatibility). Multi-column outputs are pooled into one curve (Keras'
``multi_label=False``); class indices from a sparse loss are one-hot encoded first.
"""

import numbers

import numpy as np

from .. import _checks
from .base import Metric, binary_arrays, one_hot_like


class _RankingMetric(Metric, register=False):
    """Keeps the epoch's (positive?, score, weight) triples; `class_id` selects one column."""

    class_id = None

    def reset_state(self):
        self._positives, self._scores, self._weights = [], [], []

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.class_id is not None:
            y_pred = np.asarray(y_pred, dtype=np.float64)
            if self.class_id >= y_pred.shape[-1]:
                raise ValueError(
                    f"{type(self).__name__}: `class_id` must be below the number of output columns, "
                    f"{y_pred.shape[-1]}, got {self.class_id}."
                )
            y_true = one_hot_like(y_true, y_pred)[..., self.class_id]
            y_pred = y_pred[..., self.class_id]
        positives, scores, weights = binary_arrays(y_true, y_pred, sample_weight)
        self._positives.append(positives)
        self._scores.append(scores)
        self._weights.append(weights)

    def _grouped(self):
        """Weighted positives and negatives per distinct score, scores ascending (or None)."""
        if not self._scores:
            return None
        positives = np.concatenate(self._positives)
        weights = np.concatenate(self._weights)
        positive_weight = np.where(positives, weights, 0.0)
        _, group = np.unique(np.concatenate(self._scores), return_inverse=True)
        group_positive = np.bincount(group, weights=positive_weight)
        group_negative = np.bincount(group, weights=weights - positive_weight)
        return group_positive, group_negative

    def _precision_recall(self, group_positive, group_negative):
        """Precision and recall when predicting positive at scores >= each distinct score, highest first."""
        true_positives = np.cumsum(group_positive[::-1])
        predicted = true_positives + np.cumsum(group_negative[::-1])
        precision = np.divide(true_positives, predicted, out=np.zeros_like(predicted), where=predicted > 0)
        recall = true_positives / true_positives[-1]
        recall[-1] = 1.0  # exactly, whatever the rounding of the sums: the lowest threshold finds every positive
        return precision, recall


class AUC(_RankingMetric):
    """Exact area under the ROC or the precision-recall curve over every output element seen this epoch.

    ROC: the (weighted) Mann-Whitney statistic computed from ranks, ties counting one
    half; it equals ``sklearn.metrics.roc_auc_score``. PR: the average precision,
    sum over distinct scores of (R_n - R_(n-1)) P_n, which equals
    ``sklearn.metrics.average_precision_score`` (Keras interpolates precision between its
    grid thresholds, which gives a slightly different area). The result is 0.0 while
    only one class has been seen, as in Keras.

    Parameters
    ----------
    num_thresholds : int, default 200
        Accepted for Keras compatibility; unused, since the area is exact.
    curve : {'ROC', 'PR'}
    summation_method : {'interpolation', 'minoring', 'majoring'}
        Accepted for Keras compatibility; unused (Keras' ways to approximate the area).
    name : str, optional
    from_logits : bool, default False
        Accepted for Keras compatibility; ranks do not change under the sigmoid.
    """

    name = "auc"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 from_logits=False):
        self.num_thresholds = _checks.positive_int("AUC", "num_thresholds", num_thresholds)
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: `curve` must be 'ROC' or 'PR', got {curve!r}.")
        self.curve = curve.upper()
        self.summation_method = _checks.choice("AUC", "summation_method", summation_method,
                                               ("interpolation", "minoring", "majoring"))
        self.from_logits = bool(from_logits)
        super().__init__(name)

    def result(self):
        groups = self._grouped()
        if groups is None:
            return 0.0
        group_positive, group_negative = groups
        total_positive, total_negative = group_positive.sum(), group_negative.sum()
        if total_positive <= 0 or total_negative <= 0:
            return 0.0
        if self.curve == "PR":
            precision, recall = self._precision_recall(group_positive, group_negative)
            return float(np.dot(np.diff(recall, prepend=0.0), precision))
        # A positive beats every negative of a lower score and ties half of its own.
        negatives_below = np.cumsum(group_negative) - group_negative
        wins = np.dot(group_positive, negatives_below + 0.5 * group_negative)
        return float(wins / (total_positive * total_negative))

    def get_config(self):
        return {"name": self.name, "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "from_logits": self.from_logits}


class PrecisionAtRecall(_RankingMetric):
    """The best precision at any threshold whose recall is at least `recall`.

    Computed exactly over every distinct score (predicting positive at scores >= it);
    equals the largest precision of ``sklearn.metrics.precision_recall_curve`` among the
    points with recall >= `recall`. 0.0 while no positive has been seen.

    Parameters
    ----------
    recall : float in [0, 1]
    num_thresholds : int, default 200
        Accepted for Keras compatibility; unused, since the curve is exact.
    class_id : int, optional
        Score only this output column.
    name : str, optional

    Examples
    --------
    >>> metric = PrecisionAtRecall(recall=0.5)
    >>> metric.update_state([[0], [0], [0], [1], [1]], [[0.0], [0.3], [0.8], [0.3], [0.8]])
    >>> metric.result()
    0.5
    """

    name = "precision_at_recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None):
        if isinstance(recall, bool) or not isinstance(recall, numbers.Real) or not 0 <= recall <= 1:
            raise ValueError(f"PrecisionAtRecall: `recall` must be a float in [0, 1], got {recall!r}.")
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, numbers.Integral)
                                     or class_id < 0):
            raise ValueError(f"PrecisionAtRecall: `class_id` must be a non-negative int or None, got {class_id!r}.")
        self.recall = float(recall)
        self.num_thresholds = _checks.positive_int("PrecisionAtRecall", "num_thresholds", num_thresholds)
        self.class_id = None if class_id is None else int(class_id)
        super().__init__(name)

    def result(self):
        groups = self._grouped()
        if groups is None or groups[0].sum() <= 0:
            return 0.0
        precision, recall = self._precision_recall(*groups)
        return float(precision[recall >= self.recall].max())

    def get_config(self):
        return {"name": self.name, "recall": self.recall, "num_thresholds": self.num_thresholds,
                "class_id": self.class_id}
