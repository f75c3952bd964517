"""Keras's metrics that are a loss's per-sample values averaged over the epoch: crossentropies,
KL divergence, Poisson, hinges, and the regression errors MSLE, MAPE, log-cosh and cosine similarity.

Each computes its values with the gradwise loss of the same formula (``gradwise.losses``), so
a metric and the loss it reports always agree.
"""

from .. import losses
from .base import MeanMetric


class _LossMetric(MeanMetric, register=False):
    """The weighted mean over samples of ``loss_class(**loss_arguments)``'s per-sample values."""

    loss_class = None
    sign = 1.0  # -1 turns a loss into the similarity it negates

    def __init__(self, name=None, **loss_arguments):
        self._loss_arguments = loss_arguments
        self.loss = self.loss_class(**loss_arguments)
        super().__init__(name)

    def values(self, y_true, y_pred):
        return self.sign * losses._per_sample_values(self.loss, y_true, y_pred)

    def get_config(self):
        return {"name": self.name, **self._loss_arguments}


class _LogitsLossMetric(_LossMetric, register=False):
    """A crossentropy metric: given by name to a model whose loss takes logits, it takes them too
    (Keras would clip the logits as probabilities and report a wrong number)."""

    def use_logits(self):
        self._loss_arguments["from_logits"] = True
        self.loss = self.loss_class(**self._loss_arguments)


def _last_axis(owner, axis):
    if axis != -1:
        raise ValueError(f"{owner}: `axis` must be -1 (the last axis), got {axis!r}.")


class BinaryCrossentropy(_LogitsLossMetric):
    """Mean binary crossentropy, as ``gradwise.losses.BinaryCrossentropy``."""

    name = "binary_crossentropy"
    aliases = ("bce",)
    loss_class = losses.BinaryCrossentropy

    def __init__(self, name=None, from_logits=False, label_smoothing=0.0):
        super().__init__(name, from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(_LogitsLossMetric):
    """Mean categorical crossentropy of one-hot targets, as ``gradwise.losses.CategoricalCrossentropy``."""

    name = "categorical_crossentropy"
    loss_class = losses.CategoricalCrossentropy

    def __init__(self, name=None, from_logits=False, label_smoothing=0.0, axis=-1):
        _last_axis("CategoricalCrossentropy", axis)
        super().__init__(name, from_logits=from_logits, label_smoothing=label_smoothing)

    def get_config(self):
        return {**super().get_config(), "axis": -1}


class SparseCategoricalCrossentropy(_LogitsLossMetric):
    """Mean crossentropy of integer labels, as ``gradwise.losses.SparseCategoricalCrossentropy``."""

    name = "sparse_categorical_crossentropy"
    loss_class = losses.SparseCategoricalCrossentropy

    def __init__(self, name=None, from_logits=False, axis=-1):
        _last_axis("SparseCategoricalCrossentropy", axis)
        super().__init__(name, from_logits=from_logits)

    def get_config(self):
        return {**super().get_config(), "axis": -1}


class KLDivergence(_LossMetric):
    """Mean Kullback-Leibler divergence, sum(y_true * log(y_true / y_pred)) over the last axis."""

    name = "kl_divergence"
    loss_class = losses.KLDivergence


class Poisson(_LossMetric):
    """Mean of y_pred - y_true * log(y_pred + 1e-7)."""

    name = "poisson"
    loss_class = losses.Poisson


class Hinge(_LossMetric):
    """Mean of max(1 - y_true * y_pred, 0); 0/1 labels become -1/+1."""

    name = "hinge"
    loss_class = losses.Hinge


class SquaredHinge(_LossMetric):
    """Mean of max(1 - y_true * y_pred, 0)**2; 0/1 labels become -1/+1."""

    name = "squared_hinge"
    loss_class = losses.SquaredHinge


class CategoricalHinge(_LossMetric):
    """Mean of max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0) over the last axis."""

    name = "categorical_hinge"
    loss_class = losses.CategoricalHinge


class MeanSquaredLogarithmicError(_LossMetric):
    """Mean of (log(1 + y_pred) - log(1 + y_true))**2, both floored at 1e-7."""

    name = "mean_squared_logarithmic_error"
    aliases = ("msle",)
    loss_class = losses.MeanSquaredLogarithmicError


class MeanAbsolutePercentageError(_LossMetric):
    """Mean of 100 * |y_true - y_pred| / max(|y_true|, 1e-7)."""

    name = "mean_absolute_percentage_error"
    aliases = ("mape",)
    loss_class = losses.MeanAbsolutePercentageError


class LogCoshError(_LossMetric):
    """Mean of log(cosh(y_pred - y_true)); named 'logcosh' as in Keras."""

    name = "logcosh"
    loss_class = losses.LogCosh


class CosineSimilarity(_LossMetric):
    """Mean cosine similarity of y_true and y_pred over the last axis (1 is a perfect match).

    The opposite sign of the loss ``gradwise.losses.CosineSimilarity``, as in Keras.
    """

    name = "cosine_similarity"
    sign = -1.0
    loss_class = losses.CosineSimilarity

    def __init__(self, name=None, axis=-1):
        _last_axis("CosineSimilarity", axis)
        super().__init__(name)

    def get_config(self):
        return {"name": self.name, "axis": -1}
