"""Activation layers: apply an activation function as a layer of its own.

``Activation`` takes any activation; ``ReLU``, ``LeakyReLU``, ``ELU`` and ``Softmax`` are
Keras' dedicated layers with their arguments and defaults. Each exposes its function as
``activation`` and ``function`` (so ``Dense(10, activation=LeakyReLU(0.1))`` works) and
``backward_preactivation`` (they are ``ActivatedLayer``s, so the model can fuse an
output softmax or sigmoid with its cross-entropy, as it does for Dense).
"""

import math
import numbers

import numpy as np

from .. import activations
from .base import ActivatedLayer


class Activation(ActivatedLayer):
    """Apply `activation` elementwise (or along an axis, for softmax).

    Parameters
    ----------
    activation : str, dict, ActivationFunction or activation layer
        ``None`` is the identity.

    Examples
    --------
    >>> Activation("relu")
    <Activation name='activation'>
    """

    activates = True
    supports_masking = True  # elementwise: a mask passes through

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    @property
    def function(self):
        """The ActivationFunction, read by ``gradwise.activations.get``."""
        return self.activation

    def forward(self, inputs, training=False):
        outputs = self.ops.activate(self.activation, inputs)
        return outputs, (None, inputs, outputs)

    # y = f(x)  =>  dx = f'(x) dy, computed by the function's own backward
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        _, inputs, outputs = cache
        return self.ops.activate_backward(self.activation, grad_outputs, inputs, outputs)

    def backward_preactivation(self, grad_preactivation, cache, input_grad=True, accumulate=False):
        """Backward from the gradient w.r.t. the pre-activation (the fused-loss entry point)."""
        # the pre-activation is this layer's input  =>  dx = d loss / d preactivation
        return grad_preactivation if input_grad else None

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


def _non_negative(owner, name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        expected = "a non-negative number or None" if allow_none else "a non-negative number"
        raise ValueError(f"{owner}: `{name}` must be {expected}, got {value!r}.")
    return float(value)


class _FunctionLayer(Activation, register=False):
    """An Activation whose config is its function's arguments rather than the function."""

    def __init__(self, function_config, **kwargs):
        super().__init__(function_config, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["activation"]
        arguments = {key: value for key, value in self.activation.get_config().items() if key != "name"}
        return {**config, **arguments}


class ReLU(_FunctionLayer):
    """max(x, 0), with Keras' `max_value`, `negative_slope` and `threshold` options.

    Examples
    --------
    >>> ReLU(max_value=6.0)
    <ReLU name='re_lu'>
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        config = {
            "name": "relu",
            "max_value": _non_negative("ReLU", "max_value", max_value, allow_none=True),
            "negative_slope": _non_negative("ReLU", "negative_slope", negative_slope),
            "threshold": _non_negative("ReLU", "threshold", threshold),
        }
        super().__init__(config, **kwargs)


class LeakyReLU(_FunctionLayer):
    """x for x > 0, ``negative_slope * x`` otherwise; Keras 3's layer default slope is 0.3.

    Parameters
    ----------
    negative_slope : float >= 0
    alpha : float, optional
        Older (Keras 2) name of `negative_slope`; wins when given.

    Examples
    --------
    >>> LeakyReLU(negative_slope=0.1)
    <LeakyReLU name='leaky_re_lu'>
    """

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        if alpha is not None:
            negative_slope = alpha
        slope = _non_negative("LeakyReLU", "negative_slope", negative_slope)
        super().__init__({"name": "leaky_relu", "negative_slope": slope}, **kwargs)


class ELU(_FunctionLayer):
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    Examples
    --------
    >>> ELU(alpha=0.5)
    <ELU name='elu'>
    """

    def __init__(self, alpha=1.0, **kwargs):
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not math.isfinite(alpha):
            raise ValueError(f"ELU: `alpha` must be a finite number, got {alpha!r}.")
        super().__init__({"name": "elu", "alpha": float(alpha)}, **kwargs)


class Softmax(_FunctionLayer):
    """exp(x) / sum(exp(x)) along `axis` (batch axis included; -1 is the last).

    Examples
    --------
    >>> Softmax()
    <Softmax name='softmax'>
    """

    def __init__(self, axis=-1, **kwargs):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"Softmax: `axis` must be an int such as -1, got {axis!r}.")
        super().__init__({"name": "softmax", "axis": int(axis)}, **kwargs)

    def compute_output_shape(self, input_shape):
        rank = len(input_shape) + 1
        if not -rank <= self.activation.axis < rank or self.activation.axis % rank == 0:
            raise ValueError(
                f"Softmax '{self.name}': `axis` {self.activation.axis} is not a feature axis of inputs of rank "
                f"{rank}; expected an axis in [1, {rank - 1}] or [-{rank - 1}, -1] (axis 0 is the batch)."
            )
        return tuple(input_shape)
