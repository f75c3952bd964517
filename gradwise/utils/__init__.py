"""Keras' ``keras.utils`` helpers: to_categorical, normalize, set_random_seed, plot_model, pad_sequences, PyDataset."""

import numpy as np

from .arrays import normalize, to_categorical
from .model_plot import plot_model
from .pydataset import PyDataset
from .seeding import set_random_seed
from .sequence import pad_sequences
from .timeseries import timeseries_dataset_from_array
from .packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from ..saving import (CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects,
                      get_registered_name, get_registered_object, register_keras_serializable, serialize_keras_object)

Sequence = PyDataset  # Keras 3 keeps the old name for PyDataset


def is_keras_tensor(x):
    """Whether `x` is a symbolic tensor of the Functional API (``Input(...)`` and what layers make of it)."""
    from ..layers import symbolic

    return symbolic.is_symbolic(x)


def standardize_dtype(dtype):
    """The dtype's name ('float32') for a NumPy dtype, a type or a name."""
    return np.dtype(dtype).name

__all__ = ["to_categorical", "normalize", "set_random_seed", "plot_model", "pad_sequences", "PyDataset",
           "register_keras_serializable", "timeseries_dataset_from_array",
           "custom_object_scope", "CustomObjectScope", "Sequence", "get_custom_objects", "get_registered_name",
           "get_registered_object", "serialize_keras_object", "deserialize_keras_object", "pack_x_y_sample_weight",
           "unpack_x_y_sample_weight", "is_keras_tensor", "standardize_dtype"]
