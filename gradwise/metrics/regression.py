"""Regression metrics: mean squared, root mean squared and absolute error, R² (plain and adjusted)."""

import numbers
import warnings

import numpy as np

from .. import _checks
from .base import MeanMetric, Metric, aligned, sample_weights


class MeanSquaredError(MeanMetric):
    name = "mean_squared_error"
    aliases = ("mse",)

    def values(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        diff = (y_pred - aligned(y_true, y_pred)).reshape(y_pred.shape[0], -1)
        return (diff * diff).mean(axis=1)


class RootMeanSquaredError(MeanSquaredError):
    """sqrt of the (weighted) mean squared error over the epoch: the root is taken last, not per batch.

    Examples
    --------
    >>> metric = RootMeanSquaredError()
    >>> metric.update_state([[0.0], [0.0]], [[3.0], [4.0]])
    >>> round(metric.result(), 4)
    3.5355
    """

    name = "root_mean_squared_error"
    aliases = ()

    def result(self):
        return float(np.sqrt(super().result()))


class MeanAbsoluteError(MeanMetric):
    name = "mean_absolute_error"
    aliases = ("mae",)

    def values(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        return np.abs(y_pred - aligned(y_true, y_pred)).reshape(y_pred.shape[0], -1).mean(axis=1)


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """Coefficient of determination, 1 - SS_residual / SS_total, per output column, over the epoch.

    Equals ``sklearn.metrics.r2_score`` (sample weights included): the weighted mean and
    spread of the targets are merged batch by batch (Chan's update), so no epoch data is
    kept. A column whose targets are constant scores 1.0 when predicted exactly and 0.0
    otherwise, as scikit-learn's ``force_finite``.

    Parameters
    ----------
    class_aggregation : {'uniform_average', 'variance_weighted_average', None}
        How the columns' scores combine; None returns one score per column.
    num_regressors : int, default 0
        The number of independent variables p: the result becomes the adjusted R²,
        1 - (1 - R²)(n - 1)/(n - p - 1) with n the number of samples seen (falling back to
        the plain R², with a warning, when n - p - 1 <= 0, as Keras).
    name : str, optional

    Examples
    --------
    >>> metric = R2Score()
    >>> metric.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
    >>> metric.result()
    0.5
    """

    name = "r2_score"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name=None):
        _checks.choice("R2Score", "class_aggregation", class_aggregation, _AGGREGATIONS)
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, numbers.Integral) or num_regressors < 0:
            raise ValueError(f"R2Score: `num_regressors` must be a non-negative int, got {num_regressors!r}.")
        self.class_aggregation = class_aggregation
        self.num_regressors = int(num_regressors)
        super().__init__(name)

    def reset_state(self):
        self._samples = 0
        self._weight = 0.0
        self._mean = self._spread = self._residual = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        batch = y_pred.shape[0]
        y_pred = y_pred.reshape(batch, -1)
        y_true = aligned(y_true, y_pred).astype(np.float64).reshape(batch, -1)
        weights = sample_weights(sample_weight, batch)
        batch_weight = float(weights.sum())
        self._samples += batch
        self._residual = self._residual + weights @ (y_true - y_pred) ** 2
        if batch_weight <= 0:
            return
        batch_mean = weights @ y_true / batch_weight
        batch_spread = weights @ (y_true - batch_mean) ** 2
        # Chan et al.'s pairwise merge of (weight, mean, sum of squared deviations).
        total = self._weight + batch_weight
        delta = batch_mean - self._mean
        self._mean = self._mean + delta * (batch_weight / total)
        self._spread = self._spread + batch_spread + delta * delta * (self._weight * batch_weight / total)
        self._weight = total

    def result(self):
        if self._weight <= 0:
            return 0.0
        spread, residual = np.atleast_1d(self._spread), np.atleast_1d(self._residual)
        varying = spread > 0
        scores = np.where(varying, 1.0 - residual / np.where(varying, spread, 1.0), (residual == 0).astype(float))
        if self.class_aggregation is None:
            score = scores
        elif self.class_aggregation == "variance_weighted_average" and varying.any():
            score = float(np.dot(scores, spread) / spread.sum())
        else:
            score = float(scores.mean())
        return self._adjusted(score) if self.num_regressors else score

    def _adjusted(self, score):
        n, p = self._samples, self.num_regressors
        if n - p - 1 <= 0:
            warnings.warn(
                f"R2Score: the adjusted R² needs more samples than num_regressors + 1 ({p + 1}), got {n}; "
                "returning the plain R².", UserWarning, stacklevel=3)
            return score
        return 1.0 - (1.0 - score) * (n - 1) / (n - p - 1)

    def get_config(self):
        return {"name": self.name, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
