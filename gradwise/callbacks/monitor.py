"""What EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share: a monitored log key.

The key is checked once, at the end of the first epoch of every fit: a key that
training does not log (``'val_acc'`` where ``'val_accuracy'`` is logged, or a ``val_``
key without validation data) is a ValueError listing the keys that are logged, never a
warning repeated every epoch. ``mode='auto'`` reads the direction from the key's name.
"""

import difflib
import math
import numbers

from .base import Callback

# Names (without 'val_') whose larger values are better; matched as whole words.
_MAXIMIZED = ("acc", "accuracy", "auc", "precision", "recall", "f1", "f1_score", "fbeta_score",
              "r2", "r2_score", "iou", "true_positives", "true_negatives")
_MINIMIZED = ("loss", "error", "crossentropy", "hinge", "divergence", "logcosh", "poisson", "huber",
              "mse", "mae", "mape", "msle", "false_positives", "false_negatives")


def infer_mode(owner, monitor):
    """'max' or 'min' for a monitored key, from its name; ValueError when the name does not tell."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    words = name.lower().split("_")
    for index in range(len(words)):
        suffix = "_".join(words[index:])
        if suffix in _MAXIMIZED:
            return "max"
        if suffix in _MINIMIZED:
            return "min"
    raise ValueError(
        f"{owner}: cannot tell from its name whether monitor={monitor!r} should be minimized or "
        "maximized. Pass mode='min' or mode='max'."
    )


def check_monitor_key(owner, monitor, logs):
    """Raise a ValueError naming the logged keys when `monitor` is not one of them."""
    if monitor in logs:
        return
    keys = sorted(logs)
    message = f"{owner}: monitor={monitor!r} is not logged by training. Logged keys: {', '.join(keys)}."
    close = difflib.get_close_matches(monitor, keys, n=1)
    if close:
        message += f" Did you mean {close[0]!r}?"
    if monitor.startswith("val_") and not any(key.startswith("val_") for key in keys):
        message += " Validation values need `validation_data` or `validation_split` in fit."
    raise ValueError(message)


class MonitorCallback(Callback):
    """Base class for callbacks that watch one logged value for improvement.

    Parameters
    ----------
    monitor : str
        A key of the epoch logs, e.g. 'val_loss' or 'val_accuracy'.
    mode : {'auto', 'min', 'max'}
        'auto' takes 'max' for accuracy, AUC, precision, recall and the like, and 'min'
        for losses and errors.
    min_delta : float >= 0
        The smallest change that counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0.0):
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"{owner}: `monitor` must be a log key such as 'val_loss', got {monitor!r}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: `mode` must be one of 'auto', 'min', 'max', got {mode!r}.")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) or not min_delta >= 0:
            raise ValueError(f"{owner}: `min_delta` must be a non-negative number, got {min_delta!r}.")
        self.monitor = monitor
        self.mode = infer_mode(owner, monitor) if mode == "auto" else mode
        self.min_delta = float(min_delta)
        self._checked = False

    def on_train_begin(self, logs=None):
        self._checked = False

    def monitored_value(self, logs):
        """The monitored value of these epoch logs (the key is checked on the first call of a fit)."""
        logs = logs or {}
        if not self._checked:
            check_monitor_key(type(self).__name__, self.monitor, logs)
            self._checked = True
        value = logs[self.monitor]
        if getattr(value, "size", 1) != 1:
            raise ValueError(
                f"{type(self).__name__}: `monitor` {self.monitor!r} logs {value.size} values (one per class, as "
                f"F1Score(average=None) does); monitor one number, e.g. compile with F1Score(average='macro')."
            )
        return float(value)

    def is_improvement(self, current, reference):
        """True when `current` beats `reference` by more than `min_delta`; NaN never improves."""
        if math.isnan(current):
            return False
        if reference is None:
            return True
        if self.mode == "min":
            return current + self.min_delta < reference
        return current - self.min_delta > reference
