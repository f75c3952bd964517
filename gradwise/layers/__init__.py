"""Layers with Keras names, arguments and defaults."""

from .. import _checks
from .base import Layer
from .dense import Dense
from .input_layer import Input

__all__ = ["Layer", "Input", "Dense", "serialize", "deserialize", "register"]

_REGISTRY = {"Input": Input, "Dense": Dense}


def register(cls):
    """Make a layer class known to deserialize (and so to saved models)."""
    _REGISTRY[cls.__name__] = cls
    return cls


def serialize(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config):
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A layer config must be a dict with 'class_name' and 'config', got {config!r}.")
    name = config["class_name"]
    if name not in _REGISTRY:
        raise ValueError(f"Unknown layer class {name!r}. Valid names: {', '.join(sorted(_REGISTRY))}.")
    return _REGISTRY[name].from_config(dict(config.get("config", {})))
