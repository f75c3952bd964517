"""Training callbacks with Keras names and defaults."""

from .base import Callback, CallbackList, History
from .progress import ProgressLogger

__all__ = ["Callback", "CallbackList", "History", "ProgressLogger"]
