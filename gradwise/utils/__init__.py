"""Keras' ``keras.utils`` helpers: to_categorical, normalize, set_random_seed, plot_model, pad_sequences, PyDataset."""

from .arrays import normalize, to_categorical
from .model_plot import plot_model
from .pydataset import PyDataset
from .seeding import set_random_seed
from .sequence import pad_sequences
from .timeseries import timeseries_dataset_from_array
from ..saving import CustomObjectScope, custom_object_scope, register_keras_serializable

__all__ = ["to_categorical", "normalize", "set_random_seed", "plot_model", "pad_sequences", "PyDataset",
           "register_keras_serializable", "timeseries_dataset_from_array",
           "custom_object_scope", "CustomObjectScope"]
