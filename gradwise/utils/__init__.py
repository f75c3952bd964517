"""Keras' ``keras.utils`` helpers: to_categorical, normalize, set_random_seed."""

from .arrays import normalize, to_categorical
from .seeding import set_random_seed

__all__ = ["to_categorical", "normalize", "set_random_seed"]
