"""Image augmentation layers with Keras's names: active only while training, seeded, saved with the model."""

from .base import RandomLayer
from .contrast import RandomContrast
from .crop import RandomCrop
from .flip import RandomFlip
from .transforms import RandomRotation, RandomTranslation, RandomZoom

__all__ = ["RandomLayer", "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomContrast",
           "RandomCrop"]
