"""Loss functions.

Contract (helpers fill in the concrete losses):

    class Loss:
        name = "mean_squared_error"
        from_logits = False
        # the output activation whose logits this loss can consume directly, when the
        # model ends in it and from_logits is False: None, "sigmoid" or "softmax"
        fused_activation = None
        def prepare_targets(self, y_true, output_shape) -> y_true as an array the loss uses
            (validate labels, e.g. sparse labels inside [0, classes)); raise ValueError naming `y`
        def per_sample(self, y_true, y_pred) -> ndarray (batch,)
        def gradient(self, y_true, y_pred) -> ndarray like y_pred: d per_sample[i] / d y_pred[i]
        # used when from_logits is True, or for the fused output layer
        def per_sample_from_logits(self, y_true, logits) -> ndarray (batch,)
        def gradient_from_logits(self, y_true, logits) -> ndarray like logits

Reduction follows Keras' 'sum_over_batch_size': sum(per_sample * sample_weight) / batch.

The first axis is always the batch axis. Elementwise losses (mse, mae, huber, binary
crossentropy) average over every other axis; the categorical losses sum over the class
(last) axis and average over any axes between, so that the reduced value equals Keras'
mean over all loss entries. ``gradient*`` always return a fresh array, because
``value_and_gradient`` scales it in place.
"""

import re

import numpy as np

from . import _checks, registry
from .ops import get_ops

# Keras' backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON].
EPSILON = 1e-7


class Loss:
    """Base class. Subclasses define the per-sample loss and its gradient.

    A custom loss, as in Keras, defines ``call``; gradwise also needs its gradient, since
    it differentiates nothing automatically::

        class LogCosh(gradwise.losses.Loss):
            # log(cosh(y_pred - y_true)), averaged over the last axis
            def call(self, y_true, y_pred):
                return np.log(np.cosh(y_pred - y_true)).mean(axis=-1)

            # L = mean(log cosh(p - y))  =>  dL/dp = tanh(p - y) / n
            def gradient(self, y_true, y_pred):
                return np.tanh(y_pred - y_true) / y_pred.shape[-1]

        gradwise.testing.check_gradients(LogCosh())   # finite differences, float64
        model.compile(optimizer="adam", loss=LogCosh())

    ``call(y_true, y_pred)`` returns one value per sample, shape (batch,); values with
    more axes are averaged over all but the first. ``gradient(y_true, y_pred)`` returns,
    shaped like `y_pred`, the derivative of each sample's value (after that averaging)
    with respect to that sample's predictions. `y_true` arrives as a float array shaped
    like `y_pred`. Reduction is Keras' ``sum_over_batch_size``. The name defaults to the
    class name in snake case (``log_cosh``); subclassing registers the loss under that
    name (``gradwise.registry``), so it resolves by name and models compiled with it are
    saved and loaded; ``register(LogCosh, "alias")`` adds aliases.

    Parameters
    ----------
    from_logits : bool, default False
    name : str, optional
    reduction : {'sum_over_batch_size'}
        Accepted for Keras compatibility; the only reduction gradwise trains with.
    """

    name = "loss"
    fused_activation = None
    aliases = ()

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:  # a custom loss is named after its class: LogCosh -> log_cosh
            cls.name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.__name__).lower()
        if register:  # by its name (and aliases), so strings, configs and saved models find it
            registry.register("loss", cls, cls.name, *cls.__dict__.get("aliases", ()))

    def __init__(self, from_logits=False, *, name=None, reduction="sum_over_batch_size"):
        owner = type(self).__name__
        if not isinstance(from_logits, (bool, np.bool_)):
            raise TypeError(
                f"{owner}: `from_logits` must be True or False, got {from_logits!r}; give a loss's name as name=..."
            )
        if reduction != "sum_over_batch_size":
            raise ValueError(
                f"{owner}: `reduction` must be 'sum_over_batch_size' (the mean over the batch, which gradwise "
                f"trains with), got {reduction!r}."
            )
        if name is not None:
            if not isinstance(name, str) or not name:
                raise TypeError(f"{owner}: `name` must be a non-empty str, got {name!r}.")
            self.name = name
        self.from_logits = bool(from_logits)

    # ----- to be defined by subclasses --------------------------------------------------
    def prepare_targets(self, y_true, output_shape):
        if self._defines_call():
            return _as_float_targets(y_true, output_shape, self.name)
        return np.asarray(y_true)

    def call(self, y_true, y_pred):
        """Keras' hook for a custom loss: one loss value per sample, shape (batch,)."""
        raise NotImplementedError(
            f"{type(self).__name__} must define call(y_true, y_pred) returning one loss value per sample, "
            "and gradient(y_true, y_pred) returning its derivative with respect to y_pred."
        )

    def _defines_call(self):
        return type(self).call is not Loss.call

    def per_sample(self, y_true, y_pred):
        values = np.asarray(self.call(y_true, y_pred))
        batch = np.shape(y_pred)[0]
        if values.ndim == 0 or values.shape[0] != batch:
            raise ValueError(
                f"{type(self).__name__}.call must return one loss value per sample, shape ({batch},), got shape "
                f"{values.shape}. Reduce over the other axes only (e.g. .mean(axis=-1)), not over the batch."
            )
        return _mean_rest(values) if values.ndim > 1 else values

    def gradient(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must define gradient(y_true, y_pred): the derivative of each sample's loss "
            "with respect to y_pred, shaped like y_pred (gradwise does not differentiate automatically). Check "
            "it with gradwise.testing.check_gradients(loss)."
        )

    def per_sample_from_logits(self, y_true, logits):
        raise NotImplementedError(f"{self.name} has no logits form.")

    def gradient_from_logits(self, y_true, logits):
        raise NotImplementedError(f"{self.name} has no logits form.")

    # ----- reduction --------------------------------------------------------------------
    def value_and_gradient(self, y_true, outputs, sample_weight=None, logits=False):
        """Reduced loss and its gradient with respect to `outputs`.

        `logits=True` means `outputs` are pre-activation values (from_logits, or the fused
        sigmoid/softmax output layer).
        """
        if logits:
            losses = self.per_sample_from_logits(y_true, outputs)
            grad = self.gradient_from_logits(y_true, outputs)
        else:
            losses = self.per_sample(y_true, outputs)
            grad = self.gradient(y_true, outputs)
        if self._defines_call():
            grad = self._checked_gradient(grad, outputs, y_true)
        return _reduce(losses, grad, sample_weight)

    def _checked_gradient(self, grad, outputs, y_true):
        """A custom loss's gradient as a fresh array of the outputs' shape and dtype."""
        grad = np.asarray(grad)
        if grad.shape != outputs.shape:
            raise ValueError(
                f"{type(self).__name__}.gradient must return an array shaped like y_pred, {outputs.shape}, got "
                f"shape {grad.shape}."
            )
        fresh = not (np.may_share_memory(grad, outputs) or np.may_share_memory(grad, y_true))
        return grad.astype(outputs.dtype, copy=not fresh)  # _reduce scales it in place

    def fused_value_and_gradient(self, y_true, logits, probabilities, sample_weight=None):
        """Like ``value_and_gradient(y_true, logits, logits=True)`` for a model whose output
        layer already turned `logits` into `probabilities` (its sigmoid/softmax): losses
        that can reuse them override this to skip recomputing the activation."""
        return self.value_and_gradient(y_true, logits, sample_weight, logits=True)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss, as Keras' ``loss(y_true, y_pred)``."""
        y_pred = np.asarray(y_pred, dtype=np.result_type(np.asarray(y_pred).dtype, np.float32))
        y_true = self.prepare_targets(y_true, y_pred.shape[1:])
        losses = self.per_sample_from_logits(y_true, y_pred) if self.from_logits else self.per_sample(y_true, y_pred)
        if sample_weight is None:
            return float(losses.mean())
        return float(np.dot(losses, np.asarray(sample_weight, dtype=losses.dtype)) / losses.shape[0])

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}

    def __repr__(self):
        return f"<loss {self.name}>"


# ----- shared helpers -------------------------------------------------------------------
def _reduce(losses, grad, sample_weight):
    """Keras' sum_over_batch_size of per-sample `losses`; `grad` is scaled in place to match."""
    batch = losses.shape[0]
    if sample_weight is None:
        grad *= grad.dtype.type(1.0 / batch)
        return float(np.add.reduce(losses, axis=None)) / batch, grad  # losses.sum() without its wrapper
    scale = np.asarray(sample_weight, dtype=grad.dtype) / batch
    grad *= scale.reshape((batch,) + (1,) * (grad.ndim - 1))
    return float(np.dot(losses, scale)), grad


def _as_float_targets(y_true, output_shape, loss_name):
    """`y_true` as a float array shaped (batch, *output_shape); a missing trailing 1 is added."""
    y_true = np.asarray(y_true)
    if y_true.dtype == object or not (np.issubdtype(y_true.dtype, np.number) or y_true.dtype == bool):
        raise ValueError(f"`y` for {loss_name} must hold numbers, got an array of dtype {y_true.dtype}.")
    output_shape = tuple(output_shape)
    if y_true.ndim >= 1 and output_shape[-1:] == (1,) and y_true.shape[1:] == output_shape[:-1]:
        y_true = y_true.reshape(y_true.shape + (1,))
    if y_true.ndim < 1 or y_true.shape[1:] != output_shape:
        raise ValueError(
            f"`y` for {loss_name} must have shape (samples, {', '.join(map(str, output_shape))}) "
            f"to match the model output {('batch',) + output_shape}, got shape {y_true.shape}."
        )
    if np.issubdtype(y_true.dtype, np.floating):
        return y_true
    return y_true.astype(np.float64)


def _float(y_pred):
    y_pred = np.asarray(y_pred)
    return y_pred if y_pred.dtype.kind == "f" else y_pred.astype(np.float64)  # kind: no np.issubdtype per batch


def _mean_rest(values):
    """Mean over every axis but the first: (batch, ...) -> (batch,).

    One value per sample (a single output, or a cross-entropy's class sum) is its own
    mean: that case, the common one, skips ndarray.mean's Python-level wrapper.
    """
    flat = values.reshape(values.shape[0], -1)
    if flat.shape[1] == 1 and flat.dtype.kind == "f":
        return flat[:, 0]
    return flat.mean(axis=1)


def _per_sample_count(array):
    return array[0].size if array.shape[0] else 1


# Below this a probability has lost too many digits for -log(p) to be exact (float32 keeps
# full precision down to about 1e-38); such rows are recomputed from the logits.
_TINY = {np.float32: 1e-30, np.float64: 1e-300}


def _sigmoid(logits):
    # exp of -|z| never overflows; sigmoid(z) = 1/(1+e) for z >= 0 and e/(1+e) below.
    e = np.exp(-np.abs(logits))
    return np.where(logits >= 0, 1.0, e) / (1.0 + e)


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softmax(logits):
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def _normalized_clipped(y_pred):
    """Keras' categorical probability form: rows renormalized to sum 1, then clipped.

    Returns the normalized probabilities, the clipped ones, the row sums and the mask of
    entries inside the clip range (where the clip passes the gradient through).
    """
    totals = y_pred.sum(axis=-1, keepdims=True)
    totals = np.where(totals > 0, totals, 1.0).astype(y_pred.dtype)  # an all-zero row stays finite
    normalized = y_pred / totals
    clipped = np.clip(normalized, EPSILON, 1 - EPSILON)
    inside = (normalized >= EPSILON) & (normalized <= 1 - EPSILON)
    return normalized, clipped, totals, inside


# ----- regression -----------------------------------------------------------------------
class _RegressionLoss(Loss, register=False):
    """Elementwise loss averaged over every non-batch axis; no logits form."""

    def __init__(self):
        super().__init__(from_logits=False)

    def prepare_targets(self, y_true, output_shape):
        return _as_float_targets(y_true, output_shape, self.name)

    def get_config(self):
        return {"name": self.name}


class MeanSquaredError(_RegressionLoss):
    """Mean of squared errors per sample: mean((y_pred - y_true)**2) over the last axes.

    Examples
    --------
    >>> MeanSquaredError()([[0.0], [1.0]], [[1.0], [1.0]])
    0.5
    """

    aliases = ("mse",)

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        diff = _float(y_pred) - y_true
        return _mean_rest(diff * diff)

    # L = mean((p - y)^2)  =>  dL/dp = 2 (p - y) / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        return (2.0 / _per_sample_count(y_pred)) * (y_pred - y_true)


class MeanAbsoluteError(_RegressionLoss):
    """Mean of absolute errors per sample: mean(|y_pred - y_true|) over the last axes."""

    aliases = ("mae",)

    name = "mean_absolute_error"

    def per_sample(self, y_true, y_pred):
        return _mean_rest(np.abs(_float(y_pred) - y_true))

    # L = mean|p - y|  =>  dL/dp = sign(p - y) / n  (0 at p == y, as PyTorch)
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        return np.sign(y_pred - y_true) / _per_sample_count(y_pred)


class Huber(_RegressionLoss):
    """Huber loss: 0.5 e**2 where |e| <= delta, delta (|e| - 0.5 delta) beyond; e = y_pred - y_true.

    Parameters
    ----------
    delta : float, default 1.0
        Where the loss turns from quadratic to linear; must be positive.
    """

    name = "huber"

    def __init__(self, delta=1.0):
        super().__init__()
        self.delta = _checks.positive_float("Huber", "delta", delta)

    def per_sample(self, y_true, y_pred):
        error = np.abs(_float(y_pred) - y_true)
        quadratic = np.minimum(error, self.delta)
        # 0.5 q^2 + delta (|e| - q) equals both branches of the piecewise definition.
        return _mean_rest(0.5 * quadratic * quadratic + self.delta * (error - quadratic))

    # dL/de = clip(e, -delta, delta) / n
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        return np.clip(y_pred - y_true, -self.delta, self.delta) / _per_sample_count(y_pred)

    def get_config(self):
        return {"name": self.name, "delta": self.delta}


# ----- crossentropies -------------------------------------------------------------------
def _check_smoothing(owner, label_smoothing):
    return _checks.fraction(owner, "label_smoothing", label_smoothing, closed_right=True)


class BinaryCrossentropy(Loss):
    """Binary crossentropy of each output column, averaged over the last axes.

    Probabilities are clipped to [1e-7, 1 - 1e-7] as in Keras (the gradient is 0 outside,
    as for a clip); from logits the stable form max(z, 0) - z y + log1p(exp(-|z|)) is used.

    Parameters
    ----------
    from_logits : bool, default False
        Whether `y_pred` holds logits instead of probabilities.
    label_smoothing : float in [0, 1], default 0.0
        Targets become y (1 - label_smoothing) + 0.5 label_smoothing.
    """

    aliases = ("log_loss",)

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def __init__(self, from_logits=False, label_smoothing=0.0):
        super().__init__(from_logits)
        self.label_smoothing = _check_smoothing("BinaryCrossentropy", label_smoothing)

    def prepare_targets(self, y_true, output_shape):
        y_true = _as_float_targets(y_true, output_shape, self.name)
        outside = ~((y_true >= 0) & (y_true <= 1))
        if outside.any():
            raise ValueError(
                f"`y` for binary_crossentropy must hold values in [0, 1] (0/1 labels or probabilities), "
                f"got min {y_true.min()} and max {y_true.max()}. For integer class labels use "
                "loss='sparse_categorical_crossentropy'."
            )
        return y_true

    def _smooth(self, y_true, dtype):
        y_true = np.asarray(y_true, dtype=dtype)
        if self.label_smoothing:
            return y_true * (1 - self.label_smoothing) + 0.5 * self.label_smoothing
        return y_true

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y_true = self._smooth(y_true, y_pred.dtype)
        clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return _mean_rest(-(y_true * np.log(clipped) + (1 - y_true) * np.log1p(-clipped)))

    # L = -(y log p + (1-y) log(1-p))  =>  dL/dp = (p - y) / (p (1 - p)) / n inside the clip
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y_true = self._smooth(y_true, y_pred.dtype)
        clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        grad = (clipped - y_true) / (clipped * (1 - clipped))
        return np.where(inside, grad, 0.0).astype(y_pred.dtype) / _per_sample_count(y_pred)

    def per_sample_from_logits(self, y_true, logits):
        logits = _float(logits)
        y_true = self._smooth(y_true, logits.dtype)
        elementwise = np.maximum(logits, 0) - logits * y_true + np.log1p(np.exp(-np.abs(logits)))
        return _mean_rest(elementwise)

    # L = softplus(z) - z y  =>  dL/dz = (sigmoid(z) - y) / n
    def gradient_from_logits(self, y_true, logits):
        logits = _float(logits)
        y_true = self._smooth(y_true, logits.dtype)
        return (_sigmoid(logits) - y_true) / _per_sample_count(logits)

    def fused_value_and_gradient(self, y_true, logits, probabilities, sample_weight=None):
        """The loss and gradient from the logits in one pass of the array seam
        (``Ops.sigmoid_cross_entropy``: one exp(-|z|) for both), the operations of
        ``per_sample_from_logits`` and ``gradient_from_logits`` in their order, so the same
        bits with far fewer NumPy calls (a small model's step is mostly such calls). A
        subclass with its own logits form keeps it."""
        cls = type(self)
        if cls.per_sample_from_logits is not BinaryCrossentropy.per_sample_from_logits or \
                cls.gradient_from_logits is not BinaryCrossentropy.gradient_from_logits or self._defines_call():
            return super().fused_value_and_gradient(y_true, logits, probabilities, sample_weight)
        logits = _float(logits)
        y_true = self._smooth(y_true, logits.dtype)
        elementwise, grad = get_ops().sigmoid_cross_entropy(logits, y_true)
        losses = _mean_rest(elementwise)
        count = _per_sample_count(logits)
        if count != 1:  # x / 1 is x: one call fewer for the usual one output column
            grad /= count
        return _reduce(losses, grad, sample_weight)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(Loss):
    """-sum(y_true * log(y_pred)) over the classes (last axis), for one-hot or soft targets.

    As in Keras, probabilities are renormalized to sum 1 per row and clipped to
    [1e-7, 1 - 1e-7]; logits go through a stable log-softmax.

    Parameters
    ----------
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0.0
        Targets become y (1 - label_smoothing) + label_smoothing / classes.
    """

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def __init__(self, from_logits=False, label_smoothing=0.0):
        super().__init__(from_logits)
        self.label_smoothing = _check_smoothing("CategoricalCrossentropy", label_smoothing)

    def prepare_targets(self, y_true, output_shape):
        output_shape = tuple(output_shape)
        y_true = np.asarray(y_true)
        if y_true.ndim >= 1 and y_true.shape[1:] != output_shape:
            hint = (
                " For integer class labels use loss='sparse_categorical_crossentropy' or one-hot encode `y`."
                if y_true.shape[1:] in (output_shape[:-1], output_shape[:-1] + (1,)) else ""
            )
            raise ValueError(
                f"`y` for categorical_crossentropy must be one-hot (or class probabilities) with "
                f"{output_shape[-1]} columns to match the model output {('batch',) + output_shape}, "
                f"got shape {y_true.shape}.{hint}"
            )
        return _as_float_targets(y_true, output_shape, self.name)

    def _smooth(self, y_true, dtype):
        y_true = np.asarray(y_true, dtype=dtype)
        if self.label_smoothing:
            return y_true * (1 - self.label_smoothing) + self.label_smoothing / y_true.shape[-1]
        return y_true

    def _positions(self, array):
        """How many class vectors each sample holds (1 for (batch, classes) outputs)."""
        return _per_sample_count(array) // array.shape[-1]

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y_true = self._smooth(y_true, y_pred.dtype)
        _, clipped, _, _ = _normalized_clipped(y_pred)
        return _mean_rest(-(y_true * np.log(clipped)).sum(axis=-1, keepdims=True))

    # q = p / sum(p); L = -sum y log q  =>  dL/dp_k = (g_k - sum_j g_j q_j) / sum(p),  g = -y / q
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        y_true = self._smooth(y_true, y_pred.dtype)
        normalized, clipped, totals, inside = _normalized_clipped(y_pred)
        grad_normalized = np.where(inside, -y_true / clipped, 0.0).astype(y_pred.dtype)
        projected = grad_normalized - (grad_normalized * normalized).sum(axis=-1, keepdims=True)
        return projected / totals / self._positions(y_pred)

    def per_sample_from_logits(self, y_true, logits):
        logits = _float(logits)
        y_true = self._smooth(y_true, logits.dtype)
        return _mean_rest(-(y_true * _log_softmax(logits)).sum(axis=-1, keepdims=True))

    # L = -sum y (z - logsumexp z)  =>  dL/dz = softmax(z) sum(y) - y
    def gradient_from_logits(self, y_true, logits):
        logits = _float(logits)
        y_true = self._smooth(y_true, logits.dtype)
        grad = _softmax(logits) * y_true.sum(axis=-1, keepdims=True) - y_true
        return grad / self._positions(logits)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


class SparseCategoricalCrossentropy(Loss):
    """Categorical crossentropy with integer class labels: -log(y_pred[label]).

    Labels have shape (batch,) or (batch, 1) for outputs (batch, classes); no one-hot
    matrix is ever built.

    Parameters
    ----------
    from_logits : bool, default False
    """

    name = "sparse_categorical_crossentropy"
    fused_activation = "softmax"

    def prepare_targets(self, y_true, output_shape):
        output_shape = tuple(output_shape)
        classes = output_shape[-1]
        labels_shape = output_shape[:-1]
        y_true = np.asarray(y_true)
        if y_true.ndim >= 1 and y_true.shape[1:] == labels_shape + (1,):
            y_true = y_true.reshape(y_true.shape[:-1])
        if y_true.ndim < 1 or y_true.shape[1:] != labels_shape:
            raise ValueError(
                f"`y` for sparse_categorical_crossentropy must hold one class index per sample, shape "
                f"(samples,) or (samples, 1), for the model output {('batch',) + output_shape}; got shape "
                f"{y_true.shape}. For one-hot targets use loss='categorical_crossentropy'."
            )
        if y_true.dtype == object or not (np.issubdtype(y_true.dtype, np.number) or y_true.dtype == bool):
            raise ValueError(f"`y` for sparse_categorical_crossentropy must hold integers, got dtype {y_true.dtype}.")
        if np.issubdtype(y_true.dtype, np.inexact):
            whole = np.isfinite(y_true) & (y_true == np.round(y_true))
            if not whole.all():
                bad = y_true[~whole].reshape(-1)[0].item()
                raise ValueError(
                    f"`y` for sparse_categorical_crossentropy must hold integer class indices, got "
                    f"non-integer value {bad!r}. Labels must be integers in [0, {classes})."
                )
        if y_true.size and (y_true.min() < 0 or y_true.max() >= classes):
            raise ValueError(
                f"`y` for sparse_categorical_crossentropy must hold class indices in [0, {classes}) for a "
                f"model output with {classes} classes, got labels with min {y_true.min()} and max "
                f"{y_true.max()}. Check the number of units of the output layer."
            )
        return y_true.astype(np.int64)

    @staticmethod
    def _flat(labels, array):
        """Labels as a flat int vector and `array` viewed as (positions, classes)."""
        return np.asarray(labels).reshape(-1).astype(np.intp, copy=False), array.reshape(-1, array.shape[-1])

    def _positions(self, array):
        return _per_sample_count(array) // array.shape[-1]

    def per_sample(self, y_true, y_pred):
        y_pred = _float(y_pred)
        _, clipped, _, _ = _normalized_clipped(y_pred)
        labels, flat = self._flat(y_true, clipped)
        picked = flat[np.arange(labels.shape[0]), labels]
        return _mean_rest(-np.log(picked).reshape(y_pred.shape[0], -1))

    # q = p / sum(p); L = -log q_l  =>  dL/dp_k = 1 / sum(p) - [k == l] / p_l  inside the clip
    def gradient(self, y_true, y_pred):
        y_pred = _float(y_pred)
        normalized, clipped, totals, inside = _normalized_clipped(y_pred)
        labels, flat_clipped = self._flat(y_true, clipped)
        rows = np.arange(labels.shape[0])
        flat_inside = inside.reshape(flat_clipped.shape)[rows, labels]
        grad_picked = np.where(flat_inside, -1.0 / flat_clipped[rows, labels], 0.0).astype(y_pred.dtype)
        flat_normalized = normalized.reshape(flat_clipped.shape)
        # dL/dq has one non-zero entry, -1/q_l; project it as in CategoricalCrossentropy.gradient.
        grad = np.broadcast_to((-grad_picked * flat_normalized[rows, labels])[:, None], flat_clipped.shape).copy()
        grad[rows, labels] += grad_picked
        grad = grad.reshape(y_pred.shape) / totals
        return grad / self._positions(y_pred)

    def per_sample_from_logits(self, y_true, logits):
        logits = _float(logits)
        labels, flat = self._flat(y_true, _log_softmax(logits))
        picked = flat[np.arange(labels.shape[0]), labels]
        return _mean_rest(-picked.reshape(logits.shape[0], -1))

    def fused_value_and_gradient(self, y_true, logits, probabilities, sample_weight=None):
        if probabilities.ndim != 2:
            return super().fused_value_and_gradient(y_true, logits, probabilities, sample_weight)
        # L = -log p_l = logsumexp(z) - z_l  =>  dL/dz = softmax(z) - onehot(l)  (gradwise.ops's kernel)
        losses, grad = get_ops().sparse_cross_entropy(probabilities, y_true.reshape(-1),
                                                      _TINY[probabilities.dtype.type])
        if losses is None:  # an underflowed probability: take the losses from the logits, exactly
            losses = self.per_sample_from_logits(y_true, logits)
        return _reduce(losses, grad, sample_weight)

    # L = logsumexp(z) - z_l  =>  dL/dz = softmax(z) - onehot(l)
    def gradient_from_logits(self, y_true, logits):
        logits = _float(logits)
        grad = np.ascontiguousarray(_softmax(logits))  # so the flat view below writes into it
        labels, flat = self._flat(y_true, grad)
        flat[np.arange(labels.shape[0]), labels] -= 1
        return grad / self._positions(logits)


_REGISTRY = registry.View("loss", lambda cls: cls.name)  # gradwise's own losses, by name


def register(cls, *aliases):
    """Make `cls` resolvable under its name and `aliases` (subclassing Loss already registers it
    under its name)."""
    return registry.register("loss", cls, cls.name, *aliases)



def serialize(loss):
    """A Loss as ``{"class_name": ..., "config": ...}`` (what ``deserialize`` and ``get`` take back)."""
    if not isinstance(loss, Loss):
        raise TypeError(f"serialize: `loss` must be a gradwise Loss, got {loss!r} of type {type(loss).__name__}.")
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config, custom_objects=None):
    """The Loss of ``serialize(loss)`` (or of Keras's form, whose extra keys are ignored), by class name."""
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"deserialize: `config` must be a dict with a 'class_name', as serialize() returns, "
                         f"got {config!r}.")
    arguments = dict(config.get("config") or {})
    name = arguments.pop("name", None)
    arguments.pop("reduction", None)  # Keras writes it; gradwise has the one reduction
    arguments.pop("dtype", None)
    with registry.custom_objects(custom_objects):
        try:
            cls = registry.lookup("loss", config["class_name"])  # a custom object, or a name
        except ValueError:
            by_class_name = {cls.__name__: cls for cls in registry.classes("loss")}  # losses register by snake name
            if config["class_name"] not in by_class_name:
                raise
            cls = by_class_name[config["class_name"]]
        loss = cls(**arguments)
    if name is not None:
        loss.name = name
    return loss


def get(identifier):
    """Resolve a loss from a name, a config dict, a Loss instance or one of this module's functions.

    Raises
    ------
    TypeError
        Any other function (with the Loss subclass to write instead: gradwise needs the
        gradient), a Loss class that was not instantiated, or another object.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return registry.lookup("loss", identifier)()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier)
    if isinstance(identifier, dict) and "name" in identifier:
        config = dict(identifier)
        return registry.lookup("loss", config.pop("name"))(**config)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        raise TypeError(f"`loss` must be a Loss instance, got the class {identifier.__name__}; write {identifier.__name__}().")
    known = next((name for function, name in _FUNCTION_NAMES.items() if function is identifier), None)
    if known is not None:
        return registry.lookup("loss", known)()
    if callable(identifier):
        raise TypeError(_function_loss_message(identifier))
    raise TypeError(
        f"`loss` must be a name such as 'mse' or a gradwise Loss, got {identifier!r} "
        f"of type {type(identifier).__name__}."
    )


def _function_loss_message(function):
    name = getattr(function, "__name__", type(function).__name__)
    class_name = "".join(part.capitalize() for part in re.split(r"[^0-9a-zA-Z]+", name) if part) or "MyLoss"
    if not class_name[0].isalpha():
        class_name = "MyLoss"
    return (
        f"`loss` got the function {name!r}: gradwise trains with a loss's gradient and cannot derive it from a "
        f"function (it has no automatic differentiation). Write a Loss subclass with `call` and `gradient`:\n\n"
        f"    class {class_name}(gradwise.losses.Loss):\n"
        f"        def call(self, y_true, y_pred):\n"
        f"            return {name}(y_true, y_pred)  # one value per sample, shape (batch,)\n\n"
        f"        def gradient(self, y_true, y_pred):\n"
        f"            return ...  # d call / d y_pred, shaped like y_pred\n\n"
        f"check it with gradwise.testing.check_gradients({class_name}()) and compile with loss={class_name}()."
    )


# ----- Keras-style functions: per-sample values, shape (batch,) --------------------------
def _per_sample_values(loss, y_true, y_pred):
    y_pred = _float(y_pred)
    y_true = loss.prepare_targets(y_true, y_pred.shape[1:])
    if loss.from_logits:
        return loss.per_sample_from_logits(y_true, y_pred)
    return loss.per_sample(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error, shape (batch,)."""
    return _per_sample_values(MeanSquaredError(), y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error, shape (batch,)."""
    return _per_sample_values(MeanAbsoluteError(), y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss, shape (batch,)."""
    return _per_sample_values(Huber(delta), y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Per-sample binary crossentropy, shape (batch,)."""
    return _per_sample_values(BinaryCrossentropy(from_logits, label_smoothing), y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Per-sample categorical crossentropy, shape (batch,)."""
    return _per_sample_values(CategoricalCrossentropy(from_logits, label_smoothing), y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample sparse categorical crossentropy, shape (batch,)."""
    return _per_sample_values(SparseCategoricalCrossentropy(from_logits), y_true, y_pred)


# Keras' other losses live beside this module; importing them here registers them.
from .more_losses import (  # noqa: E402
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge, KLDivergence,
    LogCosh, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Poisson, SquaredHinge,
)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """Per-sample binary focal crossentropy, shape (batch,)."""
    loss = BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis)
    return _per_sample_values(loss, y_true, y_pred)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """Per-sample categorical focal crossentropy, shape (batch,)."""
    loss = CategoricalFocalCrossentropy(alpha, gamma, from_logits, label_smoothing, axis)
    return _per_sample_values(loss, y_true, y_pred)


def hinge(y_true, y_pred):
    """Per-sample hinge loss, shape (batch,)."""
    return _per_sample_values(Hinge(), y_true, y_pred)


def squared_hinge(y_true, y_pred):
    """Per-sample squared hinge loss, shape (batch,)."""
    return _per_sample_values(SquaredHinge(), y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    """Per-sample categorical hinge loss, shape (batch,)."""
    return _per_sample_values(CategoricalHinge(), y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """Per-sample Kullback-Leibler divergence, shape (batch,)."""
    return _per_sample_values(KLDivergence(), y_true, y_pred)


def log_cosh(y_true, y_pred):
    """Per-sample log-cosh loss, shape (batch,)."""
    return _per_sample_values(LogCosh(), y_true, y_pred)


def poisson(y_true, y_pred):
    """Per-sample Poisson loss, shape (batch,)."""
    return _per_sample_values(Poisson(), y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample mean absolute percentage error, shape (batch,)."""
    return _per_sample_values(MeanAbsolutePercentageError(), y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean squared logarithmic error, shape (batch,)."""
    return _per_sample_values(MeanSquaredLogarithmicError(), y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample negative cosine similarity over the last axis, shape (batch,)."""
    return _per_sample_values(CosineSimilarity(axis), y_true, y_pred)


mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
kld = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

# This module's functions given as `loss=` (Keras code writes loss=keras.losses.mean_squared_error).
_FUNCTION_NAMES = {
    mean_squared_error: "mean_squared_error", mean_absolute_error: "mean_absolute_error", huber: "huber",
    binary_crossentropy: "binary_crossentropy", categorical_crossentropy: "categorical_crossentropy",
    sparse_categorical_crossentropy: "sparse_categorical_crossentropy", hinge: "hinge",
    squared_hinge: "squared_hinge", categorical_hinge: "categorical_hinge", kl_divergence: "kl_divergence",
    log_cosh: "log_cosh", poisson: "poisson", mean_absolute_percentage_error: "mean_absolute_percentage_error",
    mean_squared_logarithmic_error: "mean_squared_logarithmic_error", cosine_similarity: "cosine_similarity",
    binary_focal_crossentropy: "binary_focal_crossentropy",
    categorical_focal_crossentropy: "categorical_focal_crossentropy",
}

__all__ = [
    "Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "get", "register",
    "mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "mse", "mae",
    "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "LogCosh", "Poisson",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "CosineSimilarity",
    "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "log_cosh", "poisson",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "cosine_similarity",
    "mape", "msle", "kld", "kullback_leibler_divergence", "logcosh",
    "BinaryFocalCrossentropy", "binary_focal_crossentropy", "CategoricalFocalCrossentropy",
    "categorical_focal_crossentropy", "serialize", "deserialize",
]
