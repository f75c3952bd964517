"""Keras' remaining regression, hinge and distribution losses, each with its gradient.

Each is a ``gradwise.losses.Loss`` registered under Keras' name and aliases, so
``compile(loss="kld")`` and saved models find it. Elementwise losses average over every
non-batch axis; the row losses (KL divergence, categorical hinge, cosine similarity) act
on the last axis and average over any axes between, as Keras' mean over loss entries.
"""

import numpy as np

from . import _checks
from .losses import (EPSILON, BinaryCrossentropy, CategoricalCrossentropy, _float, _mean_rest, _normalized_clipped,
                     _per_sample_count, _RegressionLoss, _sigmoid, _softmax)

# keras.ops.normalize's floor on the squared norm: a zero row stays finite.
_NORM_FLOOR = 1e-12


def _rows(array):
    """How many last-axis rows each sample holds (1 for (batch, features) outputs)."""
    return _per_sample_count(array) // array.shape[-1]


def _signed_labels(y_true):
    """Hinge targets: Keras turns labels given as 0/1 into -1/+1."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(_RegressionLoss):
    """mean(max(1 - y_true * y_pred, 0)); 0/1 labels become -1/+1, as in Keras."""

    name = "hinge"

    def per_sample(self, y_true, y_pred):
        return _mean_rest(np.maximum(1.0 - _signed_labels(y_true) * _float(y_pred), 0.0))

    # L = mean(max(1 - y p, 0))  =>  dL/dp = -y [1 - y p > 0] / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y = _signed_labels(y_true)
        return np.where(1.0 - y * y_pred > 0, -y, 0.0).astype(y_pred.dtype) / _per_sample_count(y_pred)


class SquaredHinge(_RegressionLoss):
    """mean(max(1 - y_true * y_pred, 0)**2); 0/1 labels become -1/+1, as in Keras."""

    name = "squared_hinge"

    def per_sample(self, y_true, y_pred):
        margin = np.maximum(1.0 - _signed_labels(y_true) * _float(y_pred), 0.0)
        return _mean_rest(margin * margin)

    # m = max(1 - y p, 0); L = mean(m^2)  =>  dL/dp = -2 y m / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y = _signed_labels(y_true)
        margin = np.maximum(1.0 - y * y_pred, 0.0)
        return (-2.0 * y * margin).astype(y_pred.dtype) / _per_sample_count(y_pred)


class CategoricalHinge(_RegressionLoss):
    """max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0) over the last axis."""

    name = "categorical_hinge"

    def _parts(self, y_true, y_pred):
        negative_scores = (1.0 - y_true) * y_pred
        margin = negative_scores.max(axis=-1) - (y_true * y_pred).sum(axis=-1) + 1.0
        return negative_scores, margin

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        _, margin = self._parts(y_true, y_pred)
        return _mean_rest(np.maximum(margin, 0.0).reshape(y_pred.shape[0], -1))

    # L = max(max_k (1 - y_k) p_k - sum y p + 1, 0)
    #   =>  dL/dp = (1 - y) onehot(argmax) - y  where the margin is positive
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        negative_scores, margin = self._parts(y_true, y_pred)
        winner = np.argmax(negative_scores, axis=-1)[..., None]
        grad = -np.asarray(y_true, dtype=y_pred.dtype) * np.ones_like(y_pred)
        picked = np.take_along_axis(1.0 - y_true * np.ones_like(y_pred), winner, axis=-1)
        np.put_along_axis(grad, winner, np.take_along_axis(grad, winner, axis=-1) + picked, axis=-1)
        grad *= (margin > 0)[..., None]
        return grad / _rows(y_pred)


class KLDivergence(_RegressionLoss):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [EPSILON, 1]."""

    aliases = ("kld", "kl_divergence", "kullback_leibler_divergence")

    name = "kl_divergence"

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y = np.clip(y_true, EPSILON, 1.0)
        values = (y * np.log(y / np.clip(y_pred, EPSILON, 1.0))).sum(axis=-1)
        return _mean_rest(values.reshape(y_pred.shape[0], -1))

    # L = sum y log(y / p)  =>  dL/dp = -y / p inside the clip, 0 outside
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y = np.clip(y_true, EPSILON, 1.0)
        inside = (y_pred >= EPSILON) & (y_pred <= 1.0)
        grad = np.where(inside, -y / np.clip(y_pred, EPSILON, 1.0), 0.0).astype(y_pred.dtype)
        return grad / _rows(y_pred)


class LogCosh(_RegressionLoss):
    """mean(log(cosh(y_pred - y_true))), computed as x + softplus(-2x) - log 2 (no overflow)."""

    aliases = ("logcosh",)

    name = "log_cosh"

    def per_sample(self, y_true, y_pred):
        x = _float(y_pred) - y_true
        return _mean_rest(x + np.logaddexp(0.0, -2.0 * x) - np.log(2.0))

    # L = mean(log cosh(p - y))  =>  dL/dp = tanh(p - y) / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        return np.tanh(y_pred - y_true) / _per_sample_count(y_pred)


class Poisson(_RegressionLoss):
    """mean(y_pred - y_true * log(y_pred + EPSILON))."""

    name = "poisson"

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        return _mean_rest(y_pred - y_true * np.log(y_pred + EPSILON))

    # L = mean(p - y log(p + eps))  =>  dL/dp = (1 - y / (p + eps)) / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        return (1.0 - y_true / (y_pred + EPSILON)) / _per_sample_count(y_pred)


class MeanAbsolutePercentageError(_RegressionLoss):
    """100 * mean(|y_true - y_pred| / max(|y_true|, EPSILON))."""

    aliases = ("mape",)

    name = "mean_absolute_percentage_error"

    def per_sample(self, y_true, y_pred):
        return _mean_rest(100.0 * np.abs(y_true - _float(y_pred)) / np.maximum(np.abs(y_true), EPSILON))

    # L = 100 mean(|p - y| / max(|y|, eps))  =>  dL/dp = 100 sign(p - y) / max(|y|, eps) / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        scale = 100.0 / np.maximum(np.abs(y_true), EPSILON)
        return (np.sign(y_pred - y_true) * scale).astype(y_pred.dtype) / _per_sample_count(y_pred)


class MeanSquaredLogarithmicError(_RegressionLoss):
    """mean((log(max(y_pred, EPSILON) + 1) - log(max(y_true, EPSILON) + 1))**2)."""

    aliases = ("msle",)

    name = "mean_squared_logarithmic_error"

    def _difference(self, y_true, y_pred):
        return np.log1p(np.maximum(y_pred, EPSILON)) - np.log1p(np.maximum(y_true, EPSILON))

    def per_sample(self, y_true, y_pred):
        diff = self._difference(y_true, _float(y_pred))
        return _mean_rest(diff * diff)

    # d = log(1 + max(p, eps)) - log(1 + max(y, eps))  =>  dL/dp = 2 d / (1 + p) [p > eps] / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        diff = self._difference(y_true, y_pred)
        grad = np.where(y_pred > EPSILON, 2.0 * diff / (1.0 + np.maximum(y_pred, EPSILON)), 0.0)
        return grad.astype(y_pred.dtype) / _per_sample_count(y_pred)


class CosineSimilarity(_RegressionLoss):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred)) over the last axis (Keras' sign:
    -1 is a perfect match)."""

    name = "cosine_similarity"

    def __init__(self, axis=-1):
        super().__init__()
        if axis != -1:
            raise ValueError(f"CosineSimilarity: `axis` must be -1 (the last axis), got {axis!r}.")
        self.axis = axis

    @staticmethod
    def _normalized(array):
        norm = np.sqrt(np.maximum((array * array).sum(axis=-1, keepdims=True), _NORM_FLOOR))
        return array / norm, norm

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        unit_true, _ = self._normalized(y_true)
        unit_pred, _ = self._normalized(y_pred)
        return _mean_rest(-(unit_true * unit_pred).sum(axis=-1).reshape(y_pred.shape[0], -1))

    # u = p / |p|; L = -t.u  =>  dL/dp = -(t - u (u.t)) / |p|  (-t / floor where |p|^2 is floored)
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        unit_true, _ = self._normalized(y_true)
        unit_pred, norm = self._normalized(y_pred)
        floored = (y_pred * y_pred).sum(axis=-1, keepdims=True) <= _NORM_FLOOR
        projection = np.where(floored, 0.0, unit_pred * (unit_pred * unit_true).sum(axis=-1, keepdims=True))
        grad = -(unit_true - projection) / norm
        return grad.astype(y_pred.dtype) / _rows(y_pred)

    def get_config(self):
        return {"name": self.name, "axis": self.axis}


class BinaryFocalCrossentropy(BinaryCrossentropy):
    """(1 - p_t)**gamma * binary crossentropy per output, averaged over the last axes (Lin et al.'s focal loss).

    p_t = y p + (1 - y)(1 - p) is the probability given to the target; easy outputs (p_t
    near 1) count less. With `apply_class_balancing`, each output is also weighted by
    `alpha` for class 1 and 1 - alpha for class 0. The crossentropy clips p to
    [1e-7, 1 - 1e-7] as BinaryCrossentropy; logits go through a sigmoid first, as in Keras.

    Parameters
    ----------
    apply_class_balancing : bool, default False
    alpha : float in [0, 1], default 0.25
    gamma : float >= 0, default 2.0
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0.0
    axis : int, default -1
        Only the last axis, as every gradwise loss.
    """

    aliases = ()

    name = "binary_focal_crossentropy"
    fused_activation = None  # the focal factor has no fused form: a sigmoid layer differentiates itself

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1):
        super().__init__(from_logits, label_smoothing)
        if not isinstance(apply_class_balancing, (bool, np.bool_)):
            raise TypeError(f"BinaryFocalCrossentropy: `apply_class_balancing` must be True or False, got "
                            f"{apply_class_balancing!r}.")
        if axis != -1:
            raise ValueError(f"BinaryFocalCrossentropy: `axis` must be -1 (the last axis), got {axis!r}.")
        self.apply_class_balancing = bool(apply_class_balancing)
        self.alpha = _checks.fraction("BinaryFocalCrossentropy", "alpha", alpha, closed_right=True)
        self.gamma = _checks.non_negative_float("BinaryFocalCrossentropy", "gamma", gamma)
        self.axis = axis

    def _parts(self, y_true, y_pred):
        """Per output: the class weight, the focal factor (1 - p_t)**gamma and the clipped crossentropy."""
        y = self._smooth(y_true, y_pred.dtype)
        clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
        crossentropy = -(y * np.log(clipped) + (1 - y) * np.log1p(-clipped))
        miss = 1 - (y * y_pred + (1 - y) * (1 - y_pred))  # 1 - p_t
        weight = y * self.alpha + (1 - y) * (1 - self.alpha) if self.apply_class_balancing else 1.0
        return y, clipped, weight, miss, crossentropy

    def per_sample(self, y_true, y_pred):
        _, _, weight, miss, crossentropy = self._parts(y_true, _float(y_pred))
        return _mean_rest(weight * miss ** self.gamma * crossentropy)

    # m = 1 - p_t, dm/dp = 1 - 2y; L = w m^g bce  =>  dL/dp = w (g m^(g-1) (1 - 2y) bce + m^g dbce/dp) / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y, clipped, weight, miss, crossentropy = self._parts(y_true, y_pred)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        d_crossentropy = np.where(inside, (clipped - y) / (clipped * (1 - clipped)), 0.0)
        d_factor = self.gamma * miss ** (self.gamma - 1) * (1 - 2 * y) if self.gamma else 0.0
        grad = weight * (d_factor * crossentropy + miss ** self.gamma * d_crossentropy)
        return np.asarray(grad, dtype=y_pred.dtype) / _per_sample_count(y_pred)

    def per_sample_from_logits(self, y_true, logits):
        return self.per_sample(y_true, _sigmoid(_float(logits)))

    # p = sigmoid(z)  =>  dL/dz = dL/dp p (1 - p)
    def gradient_from_logits(self, y_true, logits):
        probabilities = _sigmoid(_float(logits))
        return self.gradient(y_true, probabilities) * probabilities * (1 - probabilities)

    def get_config(self):
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma, "axis": self.axis}


class CategoricalFocalCrossentropy(CategoricalCrossentropy):
    """-sum(alpha * (1 - q)**gamma * y_true * log(q)) over the classes, q the probabilities (focal loss).

    As CategoricalCrossentropy, rows are renormalized to sum 1 and clipped to
    [1e-7, 1 - 1e-7]; logits go through a softmax first, as in Keras. Confident right
    classes (q near 1) count less.

    Parameters
    ----------
    alpha : float >= 0, default 0.25
        One weight for every class.
    gamma : float >= 0, default 2.0
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0.0
        Targets become y (1 - label_smoothing) + label_smoothing / classes.
    axis : int, default -1
        Only the last axis, as every gradwise loss.
    """

    name = "categorical_focal_crossentropy"
    fused_activation = None  # the focal factor has no fused form: a softmax layer differentiates itself

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
        super().__init__(from_logits, label_smoothing)
        if axis != -1:
            raise ValueError(f"CategoricalFocalCrossentropy: `axis` must be -1 (the last axis), got {axis!r}.")
        self.alpha = _checks.non_negative_float("CategoricalFocalCrossentropy", "alpha", alpha)
        self.gamma = _checks.non_negative_float("CategoricalFocalCrossentropy", "gamma", gamma)
        self.axis = axis

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y = self._smooth(y_true, y_pred.dtype)
        _, clipped, _, _ = _normalized_clipped(y_pred)
        values = (-self.alpha * (1 - clipped) ** self.gamma * y * np.log(clipped)).sum(axis=-1, keepdims=True)
        return _mean_rest(values)

    # f = -a y (1-q)^g log q  =>  df/dq = a y (g (1-q)^(g-1) log q - (1-q)^g / q),
    # then through q = p / sum(p) as CategoricalCrossentropy.gradient: (g_k - sum_j g_j q_j) / sum(p)
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y = self._smooth(y_true, y_pred.dtype)
        normalized, clipped, totals, inside = _normalized_clipped(y_pred)
        miss = 1 - clipped
        d_factor = self.gamma * miss ** (self.gamma - 1) * np.log(clipped) if self.gamma else 0.0
        grad_normalized = np.where(inside, self.alpha * y * (d_factor - miss ** self.gamma / clipped), 0.0)
        projected = grad_normalized - (grad_normalized * normalized).sum(axis=-1, keepdims=True)
        return (projected / totals / self._positions(y_pred)).astype(y_pred.dtype)

    def per_sample_from_logits(self, y_true, logits):
        return self.per_sample(y_true, _softmax(_float(logits)))

    # p = softmax(z)  =>  dL/dz = p (dL/dp - sum_k dL/dp_k p_k)
    def gradient_from_logits(self, y_true, logits):
        probabilities = _softmax(_float(logits))
        grad = self.gradient(y_true, probabilities)
        return probabilities * (grad - (grad * probabilities).sum(axis=-1, keepdims=True))

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma, "axis": self.axis}
