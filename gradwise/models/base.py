"""The base of every model: the training API, parameter ownership, and registration.

A model class registers itself (``gradwise.registry``, kind "model") by subclassing,
so a saved model names its class and loading finds it without importing models.
"""

from .. import registry
from .ownership import OwnershipMixin
from .training import TrainingMixin


class BaseModel(TrainingMixin, OwnershipMixin):
    """compile/fit/evaluate/predict (``training.py``) over ``self._graph``, and the flat
    parameter buffer (``ownership.py``); subclasses hold the structure."""

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("model", cls)
