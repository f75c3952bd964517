"""PruningCallback: report a logged value to an Optuna trial every epoch; stop hopeless trials.

Works in any Optuna objective that trains a gradwise model::

    def objective(trial):
        model = build(trial)
        model.fit(x, y, validation_split=0.2, epochs=50,
                  callbacks=[PruningCallback(trial, monitor="val_accuracy")])
        return max(model.history.history["val_accuracy"])

The Tuner adds one to every trial of a single-objective search.
"""

import math

import optuna

from ..callbacks import Callback
from ..callbacks.monitor import check_monitor_key


class PruningCallback(Callback):
    """Report `monitor` at the end of each epoch; raise ``optuna.TrialPruned`` when the pruner says so.

    Parameters
    ----------
    trial : optuna.trial.Trial
    monitor : str, default 'val_loss'
        A key of the epoch logs. Its direction is the study's.

    Attributes
    ----------
    epochs : int
        Epochs reported so far in the current fit (the step reported is the 0-based epoch).

    Raises
    ------
    optuna.TrialPruned
        From ``fit`` (at the end of the epoch the pruner stopped); Optuna then records the
        trial as pruned with its last reported value.
    """

    def __init__(self, trial, monitor="val_loss"):
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"PruningCallback: `monitor` must be a log key such as 'val_loss', got {monitor!r}.")
        self.trial = trial
        self.monitor = monitor
        self.epochs = 0

    def on_train_begin(self, logs=None):
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.epochs == 0:
            check_monitor_key("PruningCallback", self.monitor, logs)
        self.epochs += 1
        value = float(logs[self.monitor])
        if math.isnan(value):
            return  # Optuna's pruners cannot compare NaN; an all-NaN trial fails instead
        self.trial.report(value, epoch)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"Trial pruned at epoch {epoch + 1}: {self.monitor}={value:.6g}.")
