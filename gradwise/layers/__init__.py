"""Layers with Keras names, arguments and defaults."""

from .. import _checks
from .base import Layer
from .dense import Dense
from .input_layer import Input
from .activation import ELU, Activation, LeakyReLU, ReLU, Softmax
from .batch_norm import BatchNormalization
from .dropout import Dropout
from .flatten import Flatten
from .rescaling import Rescaling
from .reshape import Reshape
from .spatial_dropout import SpatialDropout1D, SpatialDropout2D
from .conv1d import Conv1D
from .conv2d import Conv2D
from .global_pooling import GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D
from .pooling1d import AveragePooling1D, MaxPooling1D
from .pooling2d import AveragePooling2D, MaxPooling2D

__all__ = ["Layer", "Input", "Dense", "serialize", "deserialize", "register"]
__all__ += ["BatchNormalization", "Dropout", "SpatialDropout1D", "SpatialDropout2D"]
__all__ += ["Rescaling", "Flatten", "Reshape"]
__all__ += ["Activation", "ReLU", "LeakyReLU", "ELU", "Softmax"]
__all__ += ["Conv1D", "Conv2D", "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D"]
__all__ += ["GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D"]

_REGISTRY = {"Input": Input, "Dense": Dense}
_REGISTRY.update({"BatchNormalization": BatchNormalization, "Dropout": Dropout})
_REGISTRY.update({"SpatialDropout1D": SpatialDropout1D, "SpatialDropout2D": SpatialDropout2D})
_REGISTRY.update({"Rescaling": Rescaling, "Flatten": Flatten, "Reshape": Reshape})
_REGISTRY.update({"Activation": Activation, "ReLU": ReLU, "LeakyReLU": LeakyReLU, "ELU": ELU, "Softmax": Softmax})
_REGISTRY.update({cls.__name__: cls for cls in (Conv1D, Conv2D, MaxPooling1D, AveragePooling1D, MaxPooling2D,
                                                AveragePooling2D, GlobalAveragePooling1D, GlobalMaxPooling1D,
                                                GlobalAveragePooling2D, GlobalMaxPooling2D)})


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
