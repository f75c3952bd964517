"""EarlyStopping: stop when a monitored value has stopped improving."""

import numbers

from .monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stop training after `patience` epochs without improvement of `monitor`.

    Keras' rules for counting: an epoch improves when it beats the best value so far by
    more than `min_delta`; with a `baseline`, it must also beat the baseline to reset
    the count of epochs without improvement. Two differences from Keras, both fixes:

    - ``restore_best_weights=True`` restores the best epoch's weights (params and
      non-trainable state) at the end of training whether training stopped early, ran
      out of epochs or was stopped by a non-finite loss. Keras restores only when it
      stops early.
    - All state (best value, counts, saved weights) is reset at every ``fit``, so one
      instance reused across folds or models behaves the same each time.

    Parameters
    ----------
    monitor : str, default 'val_loss'
    min_delta : float >= 0, default 0
    patience : int >= 0, default 0
        Epochs without improvement after which training stops.
    verbose : int, default 0
        1 prints a line when training stops early and when weights are restored.
    mode : {'auto', 'min', 'max'}, default 'auto'
    baseline : float, optional
        Training stops unless the monitored value beats `baseline` within `patience` epochs.
    restore_best_weights : bool, default False
    start_from_epoch : int >= 0, default 0
        Epochs (0-based indices below this) that are not monitored at all, as a warm-up.

    Attributes
    ----------
    best : float or None
        The best monitored value seen.
    best_epoch : int
        0-based index of the epoch that gave `best`.
    stopped_epoch : int
        0-based index of the epoch at which training stopped early; 0 when it did not (as in Keras).
    wait : int
        Epochs since the last improvement.

    Examples
    --------
    >>> stop = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    >>> model.fit(x, y, validation_split=0.2, epochs=200, callbacks=[stop])  # doctest: +SKIP
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = _non_negative_int("patience", patience)
        self.start_from_epoch = _non_negative_int("start_from_epoch", start_from_epoch)
        if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, numbers.Real)):
            raise TypeError(f"EarlyStopping: `baseline` must be a number or None, got {baseline!r}.")
        self.baseline = None if baseline is None else float(baseline)
        self.verbose = verbose
        self.restore_best_weights = bool(restore_best_weights)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = self.monitored_value(logs)
        if epoch < self.start_from_epoch:
            return
        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            best = "none (every value was NaN)" if self.best is None else f"{self.best:.6g} at epoch {self.best_epoch + 1}"
            self.model.stop_reason = f"EarlyStopping: {self.monitor} did not improve for {self.wait} epoch(s); best {best}."

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping.")
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")


def _non_negative_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"EarlyStopping: `{name}` must be a non-negative int, got {value!r}.")
    return int(value)
