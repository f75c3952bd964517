"""BackupAndRestore: a fit that was killed resumes where it stopped (Keras's callback).

At the end of every epoch (or every N batches) the whole model -- weights, optimizer
state, random generators -- is written to ``backup_dir/backup.gw``, then the epoch it
ends to ``backup_dir/backup.json``; both writes are atomic, so a kill leaves the
previous backup whole. The next fit with the same callback starts by loading them and
continues from the epoch after. When fit ends normally (all epochs, or stopped by a
callback such as EarlyStopping) the backup is deleted, unless ``delete_checkpoint=False``.
A fit that raised keeps it.
"""

import json
import numbers
import os

from ..saving import atomic_write, restore_training_state
from ._paths import check_writable_file
from .base import Callback

MODEL_FILE, PROGRESS_FILE = "backup.gw", "backup.json"


class BackupAndRestore(Callback):
    """Back the training up as it goes; resume from the backup after an interruption.

    Parameters
    ----------
    backup_dir : str or path-like
        A folder for this training run only (created if needed).
    save_freq : 'epoch' or int, default 'epoch'
        Back up at each epoch's end, or every N batches (then a resumed fit restarts the
        epoch it was in, from the weights of its last backup).
    delete_checkpoint : bool, default True
        Delete the backup when fit ends normally.

    Examples
    --------
    >>> model.fit(x, y, epochs=50, callbacks=[BackupAndRestore("runs/backup")])  # doctest: +SKIP
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True, double_checkpoint=False):
        super().__init__()
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise TypeError(f"BackupAndRestore: `backup_dir` must be a folder path, got {backup_dir!r}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, numbers.Integral)
                                     or save_freq < 1):
            raise ValueError(f"BackupAndRestore: `save_freq` must be 'epoch' or a positive int, got {save_freq!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self.double_checkpoint = bool(double_checkpoint)  # Keras's; each gradwise write is atomic already

    @property
    def _model_path(self):
        return os.path.join(self.backup_dir, MODEL_FILE)

    @property
    def _progress_path(self):
        return os.path.join(self.backup_dir, PROGRESS_FILE)

    def on_train_begin(self, logs=None):
        check_writable_file("BackupAndRestore", "backup_dir", self._model_path)
        self._epoch, self._batches, self._finished = 0, 0, False
        if not (os.path.exists(self._model_path) and os.path.exists(self._progress_path)):
            return
        with open(self._progress_path, encoding="utf-8") as handle:
            progress = json.load(handle)
        restore_training_state(self.model, self._model_path)
        # the epoch after the last one backed up whole (an epoch backed up mid-way runs again)
        self.model._resume_epoch = int(progress["epochs_done"])

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq != "epoch":
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._back_up(epochs_done=self._epoch)

    def on_epoch_end(self, epoch, logs=None):
        self._back_up(epochs_done=epoch + 1)
        self._finished = epoch + 1 >= self.params.get("epochs", epoch + 1)

    def _back_up(self, epochs_done):
        self.model.save(self._model_path)
        text = json.dumps({"epochs_done": epochs_done})
        atomic_write(self._progress_path, lambda handle: handle.write(text.encode("utf-8")))

    def on_train_end(self, logs=None):
        normal_end = self._finished or getattr(self.model, "stop_training", False)
        if self.delete_checkpoint and normal_end:
            for path in (self._model_path, self._progress_path):
                if os.path.exists(path):
                    os.remove(path)
