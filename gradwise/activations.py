"""Activation functions: each is an object with forward and backward.

Contract (helpers fill in the concrete functions):

    class ActivationFunction:
        name = "relu"
        def forward(self, inputs) -> outputs
        # backward gets both inputs and outputs so each function uses the cheaper one
        def backward(self, grad_outputs, inputs, outputs) -> grad_inputs
        def get_config(self) -> dict

``get(identifier)`` accepts None (linear), a name, an ActivationFunction, or a layer that
carries one in its ``function`` attribute (``Dense(10, activation=LeakyReLU(0.1))``).
"""

import numpy as np

from . import _checks


class ActivationFunction:
    """Base class: an elementwise (or row-wise, for softmax) function and its derivative."""

    name = "activation"

    def __call__(self, inputs):
        return self.forward(np.asarray(inputs))

    def forward(self, inputs):
        raise NotImplementedError

    def backward(self, grad_outputs, inputs, outputs):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"<activation {self.name}>"


class Linear(ActivationFunction):
    name = "linear"

    def forward(self, inputs):
        return inputs

    # y = x  =>  dy/dx = 1
    def backward(self, grad_outputs, inputs, outputs):
        return grad_outputs


_REGISTRY = {"linear": Linear}


def register(cls, *aliases):
    for alias in (cls.name, *aliases):
        _REGISTRY[alias] = cls
    return cls


def get(identifier):
    """Resolve an activation from None, a name, an ActivationFunction or an activation layer."""
    if identifier is None:
        return Linear()
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, str):
        return _checks.lookup("activation", identifier, _REGISTRY)()
    function = getattr(identifier, "function", None)
    if isinstance(function, ActivationFunction):
        return function
    if isinstance(identifier, dict) and "name" in identifier:
        config = dict(identifier)
        cls = _checks.lookup("activation", config.pop("name"), _REGISTRY)
        return cls(**config)
    raise TypeError(
        "`activation` must be None, a name such as 'relu', a gradwise ActivationFunction or an "
        f"activation layer such as LeakyReLU(); got {identifier!r} of type {type(identifier).__name__}. "
        "A plain Python function has no derivative for backpropagation."
    )


def serialize(function):
    return function.get_config()
