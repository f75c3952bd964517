"""Models: Sequential, the Functional API (``Model(inputs, outputs)``) and subclassed models (a ``Model``
subclass with ``call``; see ``subclassed.py``)."""

from . import recording  # registers how a block (a Layer with `call`) runs by itself on arrays
from .functional import Model
from .sequential import Sequential
from ..saving import clone_model, load_model, model_from_json, save_model

__all__ = ["Model", "Sequential", "load_model", "save_model", "clone_model", "model_from_json"]
