"""Weight and activity regularizers: a penalty added to the loss and its gradient.

The strings 'l1', 'l2' and 'l1_l2' give 0.01 for each factor they name. (Keras 3 maps
'l1_l2' to L1L2() whose factors default to 0, a regularizer that silently does nothing.)
"""

import numpy as np

from . import _checks, registry


def _as_float_array(weights):
    weights = np.asarray(weights)
    return weights if weights.dtype.kind == "f" else weights.astype(np.float64)


class Regularizer:
    """Base class: ``penalty = reg(weights)``, ``reg.gradient(weights)`` = d penalty / d weights.
    A subclass registers itself (``gradwise.registry``) under its lower-case class name."""

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("regularizer", cls, cls.__name__.lower())

    def __call__(self, weights):
        raise NotImplementedError

    def gradient(self, weights):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError


class L1L2(Regularizer):
    """penalty = l1 * sum(|w|) + l2 * sum(w^2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _checks.non_negative_float(type(self).__name__, "l1", l1)
        self.l2 = _checks.non_negative_float(type(self).__name__, "l2", l2)

    def __call__(self, weights):
        weights = _as_float_array(weights)
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(weights).sum())
        if self.l2:
            penalty += self.l2 * float(np.vdot(weights, weights))
        return penalty

    # d/dw [l1 |w| + l2 w^2] = l1 sign(w) + 2 l2 w   (sign(0) = 0: the subgradient Keras uses)
    def gradient(self, weights):
        weights = _as_float_array(weights)
        grad = np.zeros_like(weights)
        if self.l1:
            grad += self.l1 * np.sign(weights)
        if self.l2:
            grad += (2.0 * self.l2) * weights
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


# Keras's lower-case names for the same classes: regularizers.l2(0.01)
l1, l2, l1_l2 = L1, L2, L1L2

_STRINGS = {"l1": lambda: L1(0.01), "l2": lambda: L2(0.01), "l1_l2": lambda: L1L2(0.01, 0.01)}


def get(identifier):
    """Resolve a regularizer from None, 'l1', 'l2', 'l1_l2', a serialized dict or a Regularizer."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        return _checks.lookup("regularizer", identifier, _STRINGS)()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier)
    raise TypeError(
        f"regularizer must be None, 'l1', 'l2', 'l1_l2' or a gradwise Regularizer, "
        f"got {identifier!r} of type {type(identifier).__name__}."
    )


def serialize(regularizer):
    return None if regularizer is None else {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config):
    if config is None:
        return None
    cls = registry.lookup("regularizer", config["class_name"])
    return cls(**config.get("config", {}))
