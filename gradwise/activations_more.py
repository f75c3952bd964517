"""Keras 3's other activations, each with its derivative: relu6, hard_sigmoid, hard_silu
(hard_swish), softsign, mish, celu, exponential, hard_tanh, log_sigmoid, squareplus,
sparse_plus, tanh_shrink, soft_shrink, hard_shrink and log_softmax.

They register like those of ``gradwise.activations`` (``Dense(8, activation="mish")``) and
are re-exported there with their functional forms (``gradwise.activations.mish(x)``).
Names, arguments and defaults are Keras 3's.
"""

import numpy as np

from . import _checks
from .activations import ActivationFunction, Softmax, _sigmoid


class ReLU6(ActivationFunction):
    """min(max(x, 0), 6)."""

    name = "relu6"

    def forward(self, inputs):
        return np.clip(inputs, 0.0, 6.0)

    # dy/dx = 1 for 0 < x < 6, else 0
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * ((inputs > 0.0) & (inputs < 6.0))


class HardSigmoid(ActivationFunction):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""

    name = "hard_sigmoid"

    def forward(self, inputs):
        return np.clip(inputs / 6.0 + 0.5, 0.0, 1.0)

    # dy/dx = 1/6 for -3 < x < 3, else 0
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * (((inputs > -3.0) & (inputs < 3.0)) / 6.0).astype(grad_outputs.dtype)


class HardSiLU(ActivationFunction):
    """x * hard_sigmoid(x), also called hard_swish (MobileNetV3)."""

    name = "hard_silu"
    aliases = ("hard_swish",)

    def forward(self, inputs):
        return inputs * np.clip(inputs / 6.0 + 0.5, 0.0, 1.0)

    # dy/dx = hard_sigmoid(x) + x / 6 on -3 < x < 3; 0 below -3; 1 above 3
    def backward(self, grad_outputs, inputs, outputs):
        slope = np.clip(inputs / 6.0 + 0.5, 0.0, 1.0) + np.where((inputs > -3.0) & (inputs < 3.0), inputs / 6.0, 0.0)
        return grad_outputs * slope.astype(grad_outputs.dtype)


class Softsign(ActivationFunction):
    """x / (|x| + 1)."""

    name = "softsign"

    def forward(self, inputs):
        return inputs / (np.abs(inputs) + 1.0)

    # dy/dx = 1 / (|x| + 1)^2
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs / np.square(np.abs(inputs) + 1.0)


class Mish(ActivationFunction):
    """x * tanh(softplus(x)) (Misra 2019)."""

    name = "mish"

    def forward(self, inputs):
        return inputs * np.tanh(np.logaddexp(inputs, 0.0))

    # t = tanh(softplus(x))  =>  dy/dx = t + x (1 - t^2) sigmoid(x)
    def backward(self, grad_outputs, inputs, outputs):
        gate = np.tanh(np.logaddexp(inputs, 0.0))
        return grad_outputs * (gate + inputs * (1.0 - gate * gate) * _sigmoid(inputs))


class CELU(ActivationFunction):
    """max(x, 0) + min(0, alpha (exp(x / alpha) - 1)) (Barron 2017)."""

    name = "celu"

    def __init__(self, alpha=1.0):
        self.alpha = _checks.positive_float("celu", "alpha", alpha)

    def _arguments(self):
        return {"alpha": self.alpha}

    def forward(self, inputs):
        return np.where(inputs > 0, inputs, self.alpha * np.expm1(np.minimum(inputs, 0.0) / self.alpha))

    # dy/dx = 1 for x > 0, exp(x / alpha) otherwise
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * np.where(inputs > 0, 1.0, np.exp(np.minimum(inputs, 0.0) / self.alpha))


class Exponential(ActivationFunction):
    """exp(x)."""

    name = "exponential"

    def forward(self, inputs):
        return np.exp(inputs)

    # dy/dx = exp(x) = y
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * outputs


class HardTanh(ActivationFunction):
    """clip(x, -1, 1)."""

    name = "hard_tanh"

    def forward(self, inputs):
        return np.clip(inputs, -1.0, 1.0)

    # dy/dx = 1 for -1 < x < 1, else 0
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * ((inputs > -1.0) & (inputs < 1.0))


class LogSigmoid(ActivationFunction):
    """log(sigmoid(x)) = -softplus(-x), without overflow."""

    name = "log_sigmoid"

    def forward(self, inputs):
        return -np.logaddexp(-inputs, 0.0)

    # dy/dx = 1 - sigmoid(x) = sigmoid(-x)
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * _sigmoid(-inputs)


class Squareplus(ActivationFunction):
    """(x + sqrt(x^2 + b)) / 2 (Barron 2021), a smooth ReLU."""

    name = "squareplus"

    def __init__(self, b=4):
        self.b = _checks.non_negative_float("squareplus", "b", b)

    def _arguments(self):
        return {"b": self.b}

    def forward(self, inputs):
        return (inputs + np.sqrt(inputs * inputs + self.b)) / 2.0

    # dy/dx = (1 + x / sqrt(x^2 + b)) / 2
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * (1.0 + inputs / np.sqrt(inputs * inputs + self.b)) / 2.0


class SparsePlus(ActivationFunction):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""

    name = "sparse_plus"

    def forward(self, inputs):
        return np.where(inputs <= -1.0, 0.0, np.where(inputs >= 1.0, inputs, np.square(inputs + 1.0) / 4.0)).astype(
            inputs.dtype, copy=False)

    # dy/dx = 0 for x <= -1, (x + 1) / 2 between, 1 for x >= 1
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * np.clip((inputs + 1.0) / 2.0, 0.0, 1.0)


class TanhShrink(ActivationFunction):
    """x - tanh(x)."""

    name = "tanh_shrink"

    def forward(self, inputs):
        return inputs - np.tanh(inputs)

    # dy/dx = 1 - (1 - tanh(x)^2) = tanh(x)^2
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * np.square(np.tanh(inputs))


class SoftShrink(ActivationFunction):
    """x - threshold above `threshold`, x + threshold below -threshold, 0 between."""

    name = "soft_shrink"

    def __init__(self, threshold=0.5):
        self.threshold = _checks.non_negative_float("soft_shrink", "threshold", threshold)

    def _arguments(self):
        return {"threshold": self.threshold}

    def forward(self, inputs):
        return (np.sign(inputs) * np.maximum(np.abs(inputs) - self.threshold, 0.0)).astype(inputs.dtype, copy=False)

    # dy/dx = 1 for |x| > threshold, else 0
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * (np.abs(inputs) > self.threshold)


class HardShrink(ActivationFunction):
    """x where |x| > threshold, else 0."""

    name = "hard_shrink"

    def __init__(self, threshold=0.5):
        self.threshold = _checks.non_negative_float("hard_shrink", "threshold", threshold)

    def _arguments(self):
        return {"threshold": self.threshold}

    def forward(self, inputs):
        return inputs * (np.abs(inputs) > self.threshold)

    # dy/dx = 1 for |x| > threshold, else 0
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs * (np.abs(inputs) > self.threshold)


class LogSoftmax(Softmax):
    """x - log(sum(exp(x))) along `axis`, shifted by the maximum so exp never overflows."""

    name = "log_softmax"

    def forward(self, inputs):
        shifted = inputs - inputs.max(axis=self.axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))

    # y = x - logsumexp(x)  =>  dx = g - softmax(x) sum(g), softmax(x) = exp(y)
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs - np.exp(outputs) * grad_outputs.sum(axis=self.axis, keepdims=True)


FUNCTIONS = [ReLU6, HardSigmoid, HardSiLU, Softsign, Mish, CELU, Exponential, HardTanh, LogSigmoid, Squareplus,
             SparsePlus, TanhShrink, SoftShrink, HardShrink, LogSoftmax]
