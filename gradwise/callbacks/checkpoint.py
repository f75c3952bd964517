"""ModelCheckpoint: save the model (or its weights) during training."""

import numbers
import os

from ._paths import check_writable_file
from .monitor import MonitorCallback, check_monitor_key


class ModelCheckpoint(MonitorCallback):
    """Save the model with ``model.save`` (or ``model.save_weights``) every epoch or every N batches.

    Parameters
    ----------
    filepath : str or path-like
        May hold format fields filled with the 1-based ``epoch`` and the epoch's logs,
        e.g. ``'ckpt/model-{epoch:02d}-{val_loss:.4f}.gw'`` (and ``batch`` when saving
        every N batches). Its folder is created, and checked writable, in
        ``on_train_begin``, before the first epoch.
    monitor : str, default 'val_loss'
        Used only with ``save_best_only``; an unlogged key is an error at the end of the
        first epoch.
    verbose : int, default 0
        1 prints a line at each save (and each skipped save with `save_best_only`).
    save_best_only : bool, default False
        Save only when `monitor` improves on the best value so far (of this fit).
    save_weights_only : bool, default False
    mode : {'auto', 'min', 'max'}, default 'auto'
    save_freq : 'epoch' or int, default 'epoch'
        'epoch' saves at the end of every epoch; an int N saves after every N batches.
    initial_value_threshold : float, optional
        With `save_best_only`, the value the first save has to beat.

    Examples
    --------
    >>> best = ModelCheckpoint("best.gw", monitor="val_accuracy", save_best_only=True)
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        if save_best_only:
            super().__init__(monitor, mode, 0.0)
        else:  # the monitor is not used: accept any name without inferring a direction
            super().__init__(monitor, "min" if mode == "auto" else mode, 0.0)
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: `filepath` must be a str or path, got {type(filepath).__name__}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, numbers.Integral) or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: `save_freq` must be 'epoch' or a positive int, got {save_freq!r}.")
        if initial_value_threshold is not None and not isinstance(initial_value_threshold, numbers.Real):
            raise TypeError(f"ModelCheckpoint: `initial_value_threshold` must be a number, got {initial_value_threshold!r}.")
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
        self.best = initial_value_threshold
        if save_freq != "epoch":
            self.on_train_batch_end = self._on_train_batch_end  # per-batch work only when asked for

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        method = "save_weights" if self.save_weights_only else "save"
        if not callable(getattr(self.model, method, None)):
            raise TypeError(f"ModelCheckpoint: the model has no `{method}` method.")
        check_writable_file("ModelCheckpoint", "filepath", self.filepath)
        self.best = self.initial_value_threshold
        self._batches_seen = 0
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _on_train_batch_end(self, batch, logs=None):
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._epoch, batch, logs or {})

    def file_path(self, epoch, batch, logs):
        """`filepath` with its fields filled in (1-based epoch and batch)."""
        fields = {"epoch": epoch + 1, **logs}
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise ValueError(
                f"ModelCheckpoint: `filepath` {self.filepath!r} names the field {error.args[0]!r}, which is not "
                f"logged. Available fields: {', '.join(sorted(fields))}."
            ) from None

    def _save(self, epoch, batch, logs):
        path = self.file_path(epoch, batch, logs)
        if self.save_best_only:
            if not self._checked:
                check_monitor_key("ModelCheckpoint", self.monitor, logs)
                self._checked = True
            current = float(logs[self.monitor])
            previous = "none" if self.best is None else f"{self.best:.5f}"
            if not self.is_improvement(current, self.best):
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from {previous}.")
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {previous} to {current:.5f}, saving to {path}.")
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}.")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)  # format fields may name new folders ('{epoch}/model.gw')
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
