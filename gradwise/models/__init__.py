"""Models: Sequential."""

from .sequential import Sequential
from ..saving import clone_model, load_model

__all__ = ["Sequential", "load_model", "clone_model"]
