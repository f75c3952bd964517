"""Callbacks that set the optimizer's learning rate: ReduceLROnPlateau and LearningRateScheduler.

Both write ``model.optimizer.learning_rate``; fit records the rate in effect in the
logs ('learning_rate') at the end of every epoch, so each change shows in the history.
"""

import inspect
import math
import numbers

from .base import Callback
from .monitor import MonitorCallback


def _require_float_learning_rate(owner, model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(f"{owner}: the model has no optimizer; compile it first.")
    if getattr(optimizer, "schedule", None) is not None:
        raise ValueError(
            f"{owner} cannot set the learning rate of an optimizer driven by a schedule "
            f"({type(optimizer.schedule).__name__}). Compile with a float learning_rate to use {owner}."
        )


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by `factor` when `monitor` stops improving (Keras' rules).

    After `patience` epochs without an improvement larger than `min_delta`, the rate
    becomes ``max(lr * factor, min_lr)`` and `cooldown` epochs follow in which epochs
    without improvement are not counted. State resets at every fit.

    Parameters
    ----------
    monitor : str, default 'val_loss'
    factor : float in (0, 1), default 0.1
    patience : int >= 0, default 10
    verbose : int, default 0
        1 prints a line at each reduction.
    mode : {'auto', 'min', 'max'}, default 'auto'
    min_delta : float >= 0, default 1e-4
    cooldown : int >= 0, default 0
    min_lr : float >= 0, default 0.0

    Examples
    --------
    >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3, min_lr=1e-5)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: `factor` must be a float in (0, 1), got {factor!r}.")
        if isinstance(min_lr, bool) or not isinstance(min_lr, numbers.Real) or not min_lr >= 0:
            raise ValueError(f"ReduceLROnPlateau: `min_lr` must be a non-negative number, got {min_lr!r}.")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"ReduceLROnPlateau: `{name}` must be a non-negative int, got {value!r}.")
        self.factor = float(factor)
        self.patience = int(patience)
        self.cooldown = int(cooldown)
        self.min_lr = float(min_lr)
        self.verbose = verbose
        self._reset()

    def _reset(self):
        self.best = None
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        _require_float_learning_rate("ReduceLROnPlateau", self.model)
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        current = self.monitored_value(logs)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = float(self.model.optimizer.learning_rate)
        if old_lr > self.min_lr:
            new_lr = max(old_lr * self.factor, self.min_lr)
            self.model.optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr:.6g}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch to ``schedule(epoch, lr)``.

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch, lr) -> new lr``, with the 0-based epoch index and the current
        rate; ``schedule(epoch)`` is accepted too, as in Keras.
    verbose : int, default 0
        1 prints the rate set at each epoch.

    Examples
    --------
    >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * 0.5)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: `schedule` must be a callable (epoch, lr) -> lr, got {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _accepts_two_arguments(schedule)

    def on_train_begin(self, logs=None):
        _require_float_learning_rate("LearningRateScheduler", self.model)

    def on_epoch_begin(self, epoch, logs=None):
        current = float(self.model.optimizer.learning_rate)
        new_lr = self.schedule(epoch, current) if self._takes_lr else self.schedule(epoch)
        if isinstance(new_lr, bool) or not isinstance(new_lr, numbers.Real) or not math.isfinite(new_lr) or new_lr <= 0:
            raise ValueError(
                f"LearningRateScheduler: `schedule` must return a positive finite float, got {new_lr!r} "
                f"at epoch {epoch} (lr {current})."
            )
        self.model.optimizer.learning_rate = float(new_lr)
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new_lr):.6g}.")


def _accepts_two_arguments(function):
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # some builtins have no signature: assume Keras' form
        return True
    try:
        signature.bind(0, 0.1)
    except TypeError:
        return False
    return True
