"""PruningCallback: report a logged value to an Optuna trial every epoch; stop hopeless trials.

Works in any Optuna objective that trains a gradwise model::

    def objective(trial):
        model = build(trial)
        model.fit(x, y, validation_split=0.2, epochs=50,
                  callbacks=[PruningCallback(trial, monitor="val_accuracy")])
        return max(model.history.history["val_accuracy"])

The Tuner adds one to every trial of a single-objective search.

Every epoch is reported (a live view draws the whole curve), but the pruner is asked only
at the epochs where it can decide: Optuna's median and percentile pruners never prune
during their warm-up nor between two decisions of their interval, and each question
reads the study and takes a percentile over its trials.
"""

import math
import time

import optuna

from ..callbacks import Callback
from ..callbacks.monitor import check_monitor_key
from . import storage as storage_module

# On a journal, reports are written together at most this often (and when training ends):
# one write a second instead of one an epoch, and a live view (optuna-dashboard) still follows.
WRITE_EVERY_SECONDS = 1.0


class PruningCallback(Callback):
    """Report `monitor` at the end of each epoch; raise ``optuna.TrialPruned`` when the pruner says so.

    On a journal storage the reports reach the file together, at most once a second and
    when training ends (or is pruned, or fails); the pruner sees each one at once.

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
        # The Tuner, which tells every trial it runs, has the last reports written with the trial's end.
        self.hold_reports = False

    def on_train_begin(self, logs=None):
        self.epochs = 0
        self._unwritten, self._written_at = {}, time.monotonic()
        self._decides = decision_steps(getattr(getattr(self.trial, "study", None), "pruner", None))
        self._last_reported = -1

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.epochs == 0:
            check_monitor_key("PruningCallback", self.monitor, logs)
        self.epochs += 1
        value = float(logs[self.monitor])
        if math.isnan(value):
            return  # Optuna's pruners cannot compare NaN; an all-NaN trial fails instead
        if storage_module.defer_report(self.trial, epoch, value):
            self._unwritten[epoch] = value
            if time.monotonic() - self._written_at >= WRITE_EVERY_SECONDS:
                self._write()
        else:
            self.trial.report(value, epoch)
        previous, self._last_reported = self._last_reported, epoch
        if self._decides(epoch, previous) and self.trial.should_prune():
            self._write()  # Optuna records a pruned trial's last report as its value
            raise optuna.TrialPruned(f"Trial pruned at epoch {epoch + 1}: {self.monitor}={value:.6g}.")

    def on_train_end(self, logs=None):  # runs when fit ends, raises or is interrupted
        if self.hold_reports:
            unwritten, self._unwritten = getattr(self, "_unwritten", {}), {}
            storage_module.write_reports_at_end(self.trial, unwritten)
        else:
            self._write()

    def _write(self):
        unwritten, self._unwritten = getattr(self, "_unwritten", {}), {}
        storage_module.write_reports(self.trial, unwritten)
        self._written_at = time.monotonic()


def decision_steps(pruner):
    """``decides(step, previous)``: False where `pruner` cannot prune a trial whose latest
    report is `step` and whose report before it was `previous` (-1: none).

    Optuna's percentile pruners (``MedianPruner`` among them) return False before their
    warm-up ends and at every step but the first reported in each interval after it; any
    other pruner is asked at every step.
    """
    if not isinstance(pruner, optuna.pruners.PercentilePruner):
        return lambda step, previous: True
    warmup = getattr(pruner, "_n_warmup_steps", 0)
    interval = getattr(pruner, "_interval_steps", 1)

    def decides(step, previous):
        if step < warmup:
            return False
        interval_start = (step - warmup) // interval * interval + warmup
        return previous < interval_start

    return decides
