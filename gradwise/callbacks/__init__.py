"""Training callbacks with Keras names and defaults."""

from .backup import BackupAndRestore
from .base import Callback, CallbackList, History, as_list
from .checkpoint import ModelCheckpoint
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .lambda_callback import LambdaCallback
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .logger import LoggingCallback
from .progress import ProgressBar, ProgressLogger
from .terminate import NonFiniteLossWarning, TerminateOnNaN

__all__ = [
    "Callback", "CallbackList", "History", "ProgressLogger", "ProgressBar", "LoggingCallback", "EarlyStopping",
    "ReduceLROnPlateau", "LearningRateScheduler", "TerminateOnNaN", "NonFiniteLossWarning", "CSVLogger",
    "LambdaCallback", "ModelCheckpoint", "BackupAndRestore", "as_list", "HTMLReport",
]


def __getattr__(name):
    if name == "HTMLReport":  # lives with the pages it writes; imported on first use (no import cycle)
        from ..report.callback import HTMLReport

        return HTMLReport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
