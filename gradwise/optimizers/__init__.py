"""Optimizers, with Keras names and defaults; ``get('adam')`` gives Keras' defaults."""

from .. import registry
from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .base import Optimizer
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Nadam", "Adamax",
    "get", "serialize", "deserialize", "schedules",
]


_REGISTRY = registry.View("optimizer", lambda cls: cls.__name__.lower())  # gradwise's own optimizers


def get(identifier):
    """Resolve an optimizer from a name, a config dict or an Optimizer instance.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For anything else.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return registry.lookup("optimizer", identifier)()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier)
    raise TypeError(
        f"`optimizer` must be a name such as 'adam' or a gradwise Optimizer, got {identifier!r} "
        f"of type {type(identifier).__name__}."
    )


def serialize(optimizer):
    """A JSON-ready dict: ``{"class_name": "Adam", "config": {...}}``."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config):
    """Rebuild an optimizer from what `serialize` returned."""
    cls = registry.lookup("optimizer", config["class_name"])
    return cls.from_config(config.get("config", {}))
