"""Weight constraints: after every optimizer step, a constrained weight is replaced by
``constraint(weight)`` (Keras's ``kernel_constraint=MaxNorm(3)``, the max-norm rule of
Srivastava et al. 2014's dropout paper).

Norms are taken along `axis` of the weight: for a Dense kernel (inputs, units) the
default ``axis=0`` gives each unit's incoming weight vector; for a Conv2D kernel use
``axis=[0, 1, 2]``. ``epsilon = 1e-7`` keeps a zero vector finite, as in Keras.
"""

import math
import numbers

import numpy as np

from . import registry

EPSILON = 1e-7


def _norms(weights, axis):
    return np.sqrt(np.sum(np.square(weights), axis=tuple(axis) if isinstance(axis, list) else axis, keepdims=True))


def _axis(owner, axis):
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not axes or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes):
        raise ValueError(f"{owner}: `axis` must be an int or a list of ints, got {axis!r}.")
    return int(axes[0]) if not isinstance(axis, (list, tuple)) else [int(a) for a in axes]


def _number(owner, name, value, minimum=0.0):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < minimum:
        raise ValueError(f"{owner}: `{name}` must be a finite number >= {minimum:g}, got {value!r}.")
    return float(value)


class Constraint:
    """Base class: ``constraint(weights)`` returns the constrained weights (a new array). A
    subclass registers itself (``gradwise.registry``) under its class name."""

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("constraint", cls, cls.__name__, *cls.__dict__.get("aliases", ()))

    def __call__(self, weights):
        raise NotImplementedError

    def get_config(self):
        return {}


class MaxNorm(Constraint):
    """Scale each weight vector whose norm exceeds `max_value` down to that norm:
    ``w * clip(|w|, 0, max_value) / (epsilon + |w|)``."""

    aliases = ("max_norm",)

    def __init__(self, max_value=2.0, axis=0):
        self.max_value = _number("MaxNorm", "max_value", max_value)
        self.axis = _axis("MaxNorm", axis)

    def __call__(self, weights):
        norms = _norms(weights, self.axis)
        return weights * (np.clip(norms, 0.0, self.max_value) / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each weight vector's norm towards [min_value, max_value] by `rate` (1: onto it):
    ``w * (rate * clip(|w|, min, max) + (1 - rate) |w|) / (epsilon + |w|)``."""

    aliases = ("min_max_norm",)

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = _number("MinMaxNorm", "min_value", min_value)
        self.max_value = _number("MinMaxNorm", "max_value", max_value)
        if self.max_value < self.min_value:
            raise ValueError(f"MinMaxNorm: `max_value` ({max_value}) must be >= `min_value` ({min_value}).")
        self.rate = _number("MinMaxNorm", "rate", rate)
        self.axis = _axis("MinMaxNorm", axis)

    def __call__(self, weights):
        norms = _norms(weights, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1.0 - self.rate) * norms
        return weights * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become zero."""

    aliases = ("non_neg",)

    def __call__(self, weights):
        return weights * (weights >= 0)


class UnitNorm(Constraint):
    """Each weight vector divided by its norm: ``w / (epsilon + |w|)``."""

    aliases = ("unit_norm",)

    def __init__(self, axis=0):
        self.axis = _axis("UnitNorm", axis)

    def __call__(self, weights):
        return weights / (EPSILON + _norms(weights, self.axis))

    def get_config(self):
        return {"axis": self.axis}


# Keras's lower-case names for the same classes: constraints.max_norm(3)
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def get(identifier):
    """Resolve a constraint from None, a name ('max_norm', 'NonNeg'), a serialized dict or a Constraint."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        return registry.lookup("constraint", identifier)()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier)
    if callable(identifier):  # Keras takes any function of the weights; such a model cannot be saved (serialize)
        return identifier
    raise TypeError(f"constraint must be None, a name such as 'max_norm', or a gradwise Constraint, got {identifier!r} "
                    f"of type {type(identifier).__name__}.")


def attach(layer, key, identifier, applies=True):
    """Resolve `identifier` and, when there is one and the param exists (`applies`), constrain
    ``layer.params[key]`` with it after each step; returns the resolved constraint (or None)."""
    constraint = get(identifier)
    if constraint is not None and applies:
        layer.constraints[key] = constraint
    return constraint


def serialize(constraint):
    if constraint is not None and not isinstance(constraint, Constraint):
        raise TypeError(f"Cannot save the constraint {constraint!r}: a plain function has no config. Subclass "
                        "gradwise.constraints.Constraint (with __call__ and get_config) to save a model with it.")
    return None if constraint is None else {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config):
    if config is None:
        return None
    cls = registry.lookup("constraint", config["class_name"])
    return cls(**config.get("config", {}))
