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
"""

import numpy as np

from . import _checks


class Loss:
    """Base class. Subclasses define the per-sample loss and its gradient."""

    name = "loss"
    fused_activation = None

    def __init__(self, from_logits=False):
        self.from_logits = bool(from_logits)

    # ----- to be defined by subclasses --------------------------------------------------
    def prepare_targets(self, y_true, output_shape):
        return np.asarray(y_true)

    def per_sample(self, y_true, y_pred):
        raise NotImplementedError

    def gradient(self, y_true, y_pred):
        raise NotImplementedError

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
        batch = losses.shape[0]
        scale = np.full(batch, 1.0 / batch, dtype=grad.dtype) if sample_weight is None else (
            np.asarray(sample_weight, dtype=grad.dtype) / batch
        )
        value = float(np.dot(losses, scale))
        grad *= scale.reshape((batch,) + (1,) * (grad.ndim - 1))
        return value, grad

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


_REGISTRY = {}


def register(cls, *aliases):
    for alias in (cls.name, *aliases):
        _REGISTRY[alias] = cls
    return cls


def get(identifier):
    """Resolve a loss from a name, a config dict or a Loss instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return _checks.lookup("loss", identifier, _REGISTRY)()
    if isinstance(identifier, dict) and "name" in identifier:
        config = dict(identifier)
        return _checks.lookup("loss", config.pop("name"), _REGISTRY)(**config)
    raise TypeError(
        f"`loss` must be a name such as 'mse' or a gradwise Loss, got {identifier!r} "
        f"of type {type(identifier).__name__}."
    )
