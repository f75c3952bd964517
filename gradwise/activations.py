"""Activation functions: each is an object with forward and backward.

Contract:

    class ActivationFunction:
        name = "relu"
        def forward(self, inputs) -> outputs
        # backward gets both inputs and outputs so each function uses the cheaper one
        def backward(self, grad_outputs, inputs, outputs) -> grad_inputs
        def get_config(self) -> dict   # {"name": ..., **arguments}; get(config) rebuilds it

``forward`` and ``backward`` never modify their arguments (Dense keeps the inputs as its
pre-activation cache, the model keeps the outputs for observers) and keep the float
dtype of the inputs.

``get(identifier)`` accepts None (linear), a name, a config dict, an ActivationFunction,
a layer that carries one in its ``function`` attribute (``Dense(10, activation=LeakyReLU(0.1))``)
or one of this module's functional forms (``activation=gradwise.activations.relu``).
Names, arguments and defaults are those of Keras 3.
"""

import math
import numbers

import numpy as np

from . import _checks, _special, backend, registry

__all__ = [
    "ActivationFunction", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU",
    "Softplus", "Softmax", "register", "get", "serialize",
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "softplus",
    "softmax",
    "ReLU6", "HardSigmoid", "HardSiLU", "Softsign", "Mish", "CELU", "Exponential", "HardTanh", "LogSigmoid",
    "Squareplus", "SparsePlus", "TanhShrink", "SoftShrink", "HardShrink", "LogSoftmax",
    "relu6", "hard_sigmoid", "hard_silu", "hard_swish", "softsign", "mish", "celu", "exponential", "hard_tanh",
    "log_sigmoid", "squareplus", "sparse_plus", "tanh_shrink", "soft_shrink", "hard_shrink", "log_softmax",
]


class ActivationFunction:
    """Base class: an elementwise (or row-wise, for softmax) function and its derivative.

    A subclass registers itself (``gradwise.registry``) under its ``name`` and ``aliases``.
    """

    name = "activation"
    aliases = ()

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("activation", cls, cls.name, *cls.__dict__.get("aliases", ()))

    def __call__(self, inputs):
        inputs = np.asarray(inputs)
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(backend.floatx())
        if inputs.ndim == 0:  # ufuncs turn 0-d arrays into scalars, which in-place ops reject
            return self.forward(inputs.reshape(1)).reshape(())
        return self.forward(inputs)

    def forward(self, inputs):
        raise NotImplementedError

    def backward(self, grad_outputs, inputs, outputs):
        raise NotImplementedError

    def _arguments(self):
        """The constructor arguments, for get_config and repr."""
        return {}

    def get_config(self):
        return {"name": self.name, **self._arguments()}

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self._arguments().items())
        return f"<activation {self.name}({arguments})>" if arguments else f"<activation {self.name}>"


def _finite_float(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{owner}: `{name}` must be a finite number, got {value!r}.")
    return float(value)


def _sigmoid(inputs):
    """1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|."""
    exp_neg_abs = np.abs(inputs)
    np.negative(exp_neg_abs, out=exp_neg_abs)
    np.exp(exp_neg_abs, out=exp_neg_abs)
    # x >= 0: 1 / (1 + exp(-x));  x < 0: exp(x) / (1 + exp(x)), both over 1 + exp(-|x|)
    outputs = np.where(inputs < 0, exp_neg_abs, 1.0).astype(exp_neg_abs.dtype, copy=False)
    exp_neg_abs += 1.0
    outputs /= exp_neg_abs
    return outputs


class Linear(ActivationFunction):
    """The identity, Keras' default ``activation=None``."""

    name = "linear"

    def forward(self, inputs):
        return inputs

    # y = x  =>  dy/dx = 1
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs


class Sigmoid(ActivationFunction):
    """1 / (1 + exp(-x)), computed without overflow for any x."""

    name = "sigmoid"

    def forward(self, inputs):
        return _sigmoid(inputs)

    # y = sigmoid(x)  =>  dy/dx = y (1 - y)
    def backward(self, grad_outputs, inputs, outputs):
        grad_inputs = 1.0 - outputs
        grad_inputs *= outputs
        grad_inputs *= grad_outputs
        return grad_inputs


class Tanh(ActivationFunction):
    name = "tanh"

    def forward(self, inputs):
        return np.tanh(inputs)

    # y = tanh(x)  =>  dy/dx = 1 - y^2
    def backward(self, grad_outputs, inputs, outputs):
        grad_inputs = outputs * outputs
        np.subtract(1.0, grad_inputs, out=grad_inputs)
        grad_inputs *= grad_outputs
        return grad_inputs


class ReLU(ActivationFunction):
    """Rectified linear unit with Keras' options.

    f(x) = max_value for x >= max_value, x for threshold < x < max_value, and
    negative_slope * (x - threshold) otherwise. The defaults give max(x, 0).

    Parameters
    ----------
    negative_slope : float >= 0
    max_value : float >= 0 or None
        Upper saturation value; None means unbounded.
    threshold : float
        Inputs at or below it take the negative branch.
    """

    name = "relu"

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.negative_slope = _checks.non_negative_float("relu", "negative_slope", negative_slope)
        self.max_value = None if max_value is None else _checks.non_negative_float("relu", "max_value", max_value)
        self.threshold = _finite_float("relu", "threshold", threshold)
        self._plain = self.negative_slope == 0.0 and self.max_value is None and self.threshold == 0.0

    def _arguments(self):
        return {"negative_slope": self.negative_slope, "max_value": self.max_value, "threshold": self.threshold}

    def forward(self, inputs):
        if self._plain:
            return np.maximum(inputs, 0.0)
        if self.negative_slope:
            outputs = inputs - self.threshold
            outputs *= self.negative_slope
        else:
            outputs = np.zeros_like(inputs)
        np.copyto(outputs, inputs, where=inputs > self.threshold)
        if self.max_value is not None:
            np.minimum(outputs, self.max_value, out=outputs)
        return outputs

    # dy/dx = 1 for threshold < x < max_value, negative_slope for x <= threshold, 0 for x >= max_value
    def backward(self, grad_outputs, inputs, outputs):
        if self._plain:
            return grad_outputs * (inputs > 0.0)
        grad_inputs = grad_outputs * self.negative_slope
        np.copyto(grad_inputs, grad_outputs, where=inputs > self.threshold)
        if self.max_value is not None:
            grad_inputs[inputs >= self.max_value] = 0.0
        return grad_inputs


class LeakyReLU(ActivationFunction):
    """x for x > 0, negative_slope * x otherwise (Keras 3 default slope 0.2)."""

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = _checks.non_negative_float("leaky_relu", "negative_slope", negative_slope)

    def _arguments(self):
        return {"negative_slope": self.negative_slope}

    def forward(self, inputs):
        scaled = inputs * self.negative_slope
        # the larger of x and slope * x is the right branch when slope <= 1, the smaller otherwise
        pick = np.maximum if self.negative_slope <= 1.0 else np.minimum
        return pick(inputs, scaled, out=scaled)

    # dy/dx = 1 for x > 0, negative_slope otherwise
    def backward(self, grad_outputs, inputs, outputs):
        grad_inputs = grad_outputs * self.negative_slope
        np.copyto(grad_inputs, grad_outputs, where=inputs > 0.0)
        return grad_inputs


class ELU(ActivationFunction):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""

    name = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = _finite_float("elu", "alpha", alpha)

    def _arguments(self):
        return {"alpha": self.alpha}

    def forward(self, inputs):
        return _elu(inputs, self.alpha, 1.0)

    # dy/dx = 1 for x > 0, alpha exp(x) = y + alpha otherwise
    def backward(self, grad_outputs, inputs, outputs):
        return _elu_backward(grad_outputs, inputs, outputs, self.alpha, 1.0)


def _elu(inputs, alpha, scale):
    """scale * (x for x > 0, alpha (exp(x) - 1) otherwise); exp never sees a positive x."""
    outputs = np.minimum(inputs, 0.0)
    np.expm1(outputs, out=outputs)
    outputs *= alpha
    np.copyto(outputs, inputs, where=inputs > 0.0)
    if scale != 1.0:
        outputs *= scale
    return outputs


def _elu_backward(grad_outputs, inputs, outputs, alpha, scale):
    grad_inputs = outputs + scale * alpha  # scale alpha exp(x) on the negative branch
    grad_inputs *= grad_outputs
    np.multiply(grad_outputs, scale, out=grad_inputs, where=inputs > 0.0)
    return grad_inputs


class SELU(ActivationFunction):
    """Scaled ELU, scale * elu(x, alpha), with the self-normalizing constants."""

    name = "selu"
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def forward(self, inputs):
        return _elu(inputs, self.alpha, self.scale)

    # dy/dx = scale for x > 0, scale alpha exp(x) = y + scale alpha otherwise
    def backward(self, grad_outputs, inputs, outputs):
        return _elu_backward(grad_outputs, inputs, outputs, self.alpha, self.scale)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


class GELU(ActivationFunction):
    """Gaussian error linear unit, x * Phi(x) with Phi the standard normal CDF.

    Parameters
    ----------
    approximate : bool
        False (Keras 3 default): the exact erf form. True: the tanh approximation
        0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """

    name = "gelu"

    def __init__(self, approximate=False):
        if not isinstance(approximate, (bool, np.bool_)):
            raise TypeError(f"gelu: `approximate` must be a bool, got {approximate!r}.")
        self.approximate = bool(approximate)

    def _arguments(self):
        return {"approximate": self.approximate}

    def forward(self, inputs):
        if self.approximate:
            tanh_term = np.tanh(self._tanh_argument(inputs))
            tanh_term += 1.0
            tanh_term *= inputs
            tanh_term *= 0.5
            return tanh_term
        # Phi(x) = erfc(-x / sqrt(2)) / 2 keeps its relative accuracy for very negative x
        x = inputs.astype(np.float64, copy=False)
        cdf = _special.erfc(x * -_SQRT_HALF)
        cdf *= x
        cdf *= 0.5
        return cdf.astype(inputs.dtype, copy=False)

    # exact: dy/dx = Phi(x) + x phi(x);  tanh form: dy/dx = (1 + t)/2 + x (1 - t^2) u'(x) / 2, t = tanh(u)
    def backward(self, grad_outputs, inputs, outputs):
        if self.approximate:
            tanh_term = np.tanh(self._tanh_argument(inputs))
            slope = (3.0 * _GELU_CUBIC * _SQRT_2_OVER_PI) * inputs * inputs
            slope += _SQRT_2_OVER_PI  # u'(x)
            slope *= 1.0 - tanh_term * tanh_term
            slope *= inputs
            slope += 1.0 + tanh_term
            slope *= 0.5
        else:
            # Phi(x) = y / x from the outputs saves a second erfc; Phi(0) = 1/2
            slope = np.full_like(outputs, 0.5)
            np.divide(outputs, inputs, out=slope, where=inputs != 0.0)
            density = inputs * inputs
            density *= -0.5
            np.exp(density, out=density)
            density *= inputs
            density *= _INV_SQRT_2PI  # x phi(x)
            slope += density
        slope *= grad_outputs
        return slope

    @staticmethod
    def _tanh_argument(inputs):
        argument = inputs * inputs
        argument *= _GELU_CUBIC
        argument += 1.0
        argument *= inputs
        argument *= _SQRT_2_OVER_PI
        return argument


class SiLU(ActivationFunction):
    """x * sigmoid(x), also called swish."""

    name = "silu"
    aliases = ("swish",)

    def forward(self, inputs):
        outputs = _sigmoid(inputs)
        outputs *= inputs
        return outputs

    # y = x s, s = sigmoid(x)  =>  dy/dx = s (1 + x (1 - s))
    def backward(self, grad_outputs, inputs, outputs):
        gate = _sigmoid(inputs)
        grad_inputs = 1.0 - gate
        grad_inputs *= inputs
        grad_inputs += 1.0
        grad_inputs *= gate
        grad_inputs *= grad_outputs
        return grad_inputs


class Softplus(ActivationFunction):
    """log(1 + exp(x)), computed as logaddexp(x, 0) so it never overflows."""

    name = "softplus"

    def forward(self, inputs):
        return np.logaddexp(inputs, 0.0)

    # y = log(1 + exp(x))  =>  dy/dx = sigmoid(x)
    def backward(self, grad_outputs, inputs, outputs):
        grad_inputs = _sigmoid(inputs)
        grad_inputs *= grad_outputs
        return grad_inputs


class Softmax(ActivationFunction):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum so exp never overflows."""

    name = "softmax"

    def __init__(self, axis=-1):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"softmax: `axis` must be an int, got {axis!r}.")
        self.axis = int(axis)

    def _arguments(self):
        return {"axis": self.axis}

    def forward(self, inputs):
        outputs = inputs - inputs.max(axis=self.axis, keepdims=True)
        np.exp(outputs, out=outputs)
        outputs /= outputs.sum(axis=self.axis, keepdims=True)
        return outputs

    # dx = y * (g - sum(g * y)) along the axis (the softmax Jacobian applied to g)
    def backward(self, grad_outputs, inputs, outputs):
        grad_inputs = grad_outputs * outputs
        weighted_sum = grad_inputs.sum(axis=self.axis, keepdims=True)
        np.subtract(grad_outputs, weighted_sum, out=grad_inputs)
        grad_inputs *= outputs
        return grad_inputs


_REGISTRY = registry.View("activation", lambda cls: cls.name)  # gradwise's own activations, by name


def register(cls, *aliases):
    """Make `cls` available under its name and each alias, for strings and configs (subclassing
    ActivationFunction already registers it under its name)."""
    return registry.register("activation", cls, cls.name, *aliases)


def get(identifier):
    """Resolve an activation from None, a name, a config, an ActivationFunction or an activation layer."""
    if identifier is None:
        return Linear()
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, str):
        found = registry.lookup("activation", identifier)  # a class, or a custom object of any kind
        return found() if isinstance(found, type) else get(found)
    function = getattr(identifier, "function", None)
    if isinstance(function, ActivationFunction):
        return function
    if isinstance(identifier, dict) and "name" in identifier:
        config = dict(identifier)
        cls = registry.lookup("activation", config.pop("name"))
        return cls(**config)
    if callable(identifier) and not isinstance(identifier, type):
        raise TypeError(_function_activation_message(identifier))
    raise TypeError(
        "`activation` must be None, a name such as 'relu', a gradwise ActivationFunction or an "
        f"activation layer such as LeakyReLU(); got {identifier!r} of type {type(identifier).__name__}."
    )


def _function_activation_message(function):
    name = getattr(function, "__name__", type(function).__name__)
    if name in _REGISTRY:  # tf.nn.relu, np.tanh, ...: gradwise has it, with its derivative
        return (f"`activation` got the function {name!r}, a plain Python function with no derivative for "
                f"backpropagation; gradwise has this one by name: activation={name!r}.")
    return (
        f"`activation` got the function {name!r}: a plain Python function has no derivative for backpropagation, "
        "and gradwise derives none. Write an ActivationFunction subclass with `forward` and `backward`:\n\n"
        "    class MyActivation(gradwise.activations.ActivationFunction):\n"
        "        name = \"my_activation\"\n\n"
        "        def forward(self, inputs):\n"
        f"            return {name}(inputs)\n\n"
        "        def backward(self, grad_outputs, inputs, outputs):\n"
        "            return grad_outputs * ...  # times d forward / d inputs\n\n"
        "check it with gradwise.testing.check_gradients(MyActivation()) and pass activation=MyActivation()."
    )


def serialize(function):
    return function.get_config()


# ----- functional forms, as keras.activations.relu(x) ------------------------------------
def _functional(cls):
    """Mark a functional form with its default ActivationFunction, so get() accepts it."""
    def mark(function):
        function.function = cls()
        return function
    return mark


@_functional(Linear)
def linear(x):
    return Linear()(x)


@_functional(Sigmoid)
def sigmoid(x):
    return Sigmoid()(x)


@_functional(Tanh)
def tanh(x):
    return Tanh()(x)


@_functional(ReLU)
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    return ReLU(negative_slope, max_value, threshold)(x)


@_functional(LeakyReLU)
def leaky_relu(x, negative_slope=0.2):
    return LeakyReLU(negative_slope)(x)


@_functional(ELU)
def elu(x, alpha=1.0):
    return ELU(alpha)(x)


@_functional(SELU)
def selu(x):
    return SELU()(x)


@_functional(GELU)
def gelu(x, approximate=False):
    return GELU(approximate)(x)


@_functional(SiLU)
def silu(x):
    return SiLU()(x)


swish = silu


@_functional(Softplus)
def softplus(x):
    return Softplus()(x)


@_functional(Softmax)
def softmax(x, axis=-1):
    return Softmax(axis)(x)


# ----- Keras 3's other activations (activations_more.py), with their functional forms -------
from .activations_more import (CELU, Exponential, HardShrink, HardSigmoid, HardSiLU, HardTanh, LogSigmoid,  # noqa: E402
                               LogSoftmax, Mish, ReLU6, SoftShrink, Softsign, SparsePlus, Squareplus, TanhShrink)


@_functional(ReLU6)
def relu6(x):
    return ReLU6()(x)


@_functional(HardSigmoid)
def hard_sigmoid(x):
    return HardSigmoid()(x)


@_functional(HardSiLU)
def hard_silu(x):
    return HardSiLU()(x)


hard_swish = hard_silu


@_functional(Softsign)
def softsign(x):
    return Softsign()(x)


@_functional(Mish)
def mish(x):
    return Mish()(x)


@_functional(CELU)
def celu(x, alpha=1.0):
    return CELU(alpha)(x)


@_functional(Exponential)
def exponential(x):
    return Exponential()(x)


@_functional(HardTanh)
def hard_tanh(x):
    return HardTanh()(x)


@_functional(LogSigmoid)
def log_sigmoid(x):
    return LogSigmoid()(x)


@_functional(Squareplus)
def squareplus(x, b=4):
    return Squareplus(b)(x)


@_functional(SparsePlus)
def sparse_plus(x):
    return SparsePlus()(x)


@_functional(TanhShrink)
def tanh_shrink(x):
    return TanhShrink()(x)


@_functional(SoftShrink)
def soft_shrink(x, threshold=0.5):
    return SoftShrink(threshold)(x)


@_functional(HardShrink)
def hard_shrink(x, threshold=0.5):
    return HardShrink(threshold)(x)


@_functional(LogSoftmax)
def log_softmax(x, axis=-1):
    return LogSoftmax(axis)(x)
