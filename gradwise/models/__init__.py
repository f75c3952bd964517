"""Models: Sequential."""

from .functional import Model
from .sequential import Sequential
from ..saving import clone_model, load_model

__all__ = ["Model", "Sequential", "load_model", "clone_model"]
