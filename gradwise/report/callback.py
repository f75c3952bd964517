"""HTMLReport: a callback that rewrites the training-run page at the end of every epoch.

    doctor = Doctor(verbose=0)
    model.fit(x, y, epochs=50, validation_split=0.2,
              callbacks=[doctor, HTMLReport("run.html", doctor=doctor)])

While training runs the page reloads itself every `refresh` seconds, so a browser tab
left open follows the run; the page written at the end of training does not reload.
An epoch's page is written only when `refresh` seconds have passed since the last one
(a reloading browser would not see the pages in between, and drawing them costs time).
Re-exported as ``gradwise.callbacks.HTMLReport``.
"""

import numbers
import os
import time

from ..callbacks.base import Callback


class HTMLReport(Callback):
    """Write ``write_run``'s page to `path` after each epoch and at the end of training.

    Parameters
    ----------
    path : str
        The HTML file (rewritten atomically: a reloading browser never sees half a page).
    doctor : Doctor, optional
        The Doctor callback of the same fit (list it before this one): adds its per-layer
        measurements, findings and repairs.
    refresh : int, default 5
        Seconds between reloads of the page while training runs.
    """

    def __init__(self, path, doctor=None, refresh=5):
        super().__init__()
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"HTMLReport: `path` must be a file path, got {type(path).__name__}.")
        if isinstance(refresh, bool) or not isinstance(refresh, numbers.Integral) or refresh < 1:
            raise ValueError(f"HTMLReport: `refresh` must be a positive int of seconds, got {refresh!r}.")
        if doctor is not None and not hasattr(doctor, "report"):
            raise TypeError(f"HTMLReport: `doctor` must be a gradwise.doctor.Doctor, got {type(doctor).__name__}.")
        self.path, self.doctor, self.refresh = os.fspath(path), doctor, int(refresh)
        self.logs = {}
        self._written = None

    def on_train_begin(self, logs=None):
        self.logs = {}
        self._written = None

    def _record(self, logs):
        for key, value in (logs or {}).items():
            self.logs.setdefault(key, []).append(value)

    def on_epoch_end(self, epoch, logs=None):
        self._record(logs)
        if self._written is None or time.monotonic() - self._written >= self.refresh:
            self._write(refresh=self.refresh)

    def on_epoch_failed(self, epoch, logs=None):
        self._record(logs)

    def on_train_end(self, logs=None):
        self._write(refresh=None)

    def _write(self, refresh):
        from .training import write_run

        write_run(self.path, self.model, self.logs, doctor=self.doctor, refresh=refresh)
        self._written = time.monotonic()
